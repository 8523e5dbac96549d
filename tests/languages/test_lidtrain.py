"""``lrl lid train``: models that py3langid loads, trained deterministically, accurate on real text, and
wired into a plugin through ``[langid] model``. Real data is read in place from ../shared/data."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import pytest

from lrl.cli import main
from lrl.errors import ConfigError, InputError
from lrl.filters.langid import load_identifier
from lrl.languages.check import check_plugin
from lrl.models.lid import Automaton, _Packed, encode, read_corpus, select_features, train
from lrl.languages.plugin import load_plugin
from tests.conftest import REPO, TINY_LEXICON, TINY_TEMPLATES

HOLDOUT = 10  # every 10th line is held out


def synthetic(path: Path, syllables: list[str], n: int = 400, seed: int = 0) -> Path:
    """A made-up 'language': sentences of words built from its own syllables."""
    rng = random.Random(seed)
    lines = [" ".join("".join(rng.choice(syllables) for _ in range(rng.randint(1, 3)))
                      for _ in range(rng.randint(4, 12))) for _ in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def two_synthetic(tmp_path: Path) -> list[tuple[str, Path]]:
    return [("aa", synthetic(tmp_path / "aa.txt", ["ka", "ki", "mu", "ta", "ọ́", "ẹ̀ṣ"])),
            ("bb", synthetic(tmp_path / "bb.txt", ["zo", "xe", "qu", "ta", "ll", "ö"], seed=1))]


def split(lines: list[str]) -> tuple[list[str], list[str]]:
    return ([x for i, x in enumerate(lines) if i % HOLDOUT != HOLDOUT - 1],
            [x for i, x in enumerate(lines) if i % HOLDOUT == HOLDOUT - 1])


@pytest.fixture(scope="module")
def real(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Yoruba, Hausa and English text split into train files (in a temp folder) and held-out lines; one
    model trained on the train files (Yoruba under the label 'xx', which py3langid's model lacks)."""
    tmp = tmp_path_factory.mktemp("lid")
    texts: dict[str, list[str]] = {}
    for label, path in (("xx", shared_data / "yo" / "mono" / "news_sites.txt"),
                        ("ha", shared_data / "ha" / "lafand-mt" / "train.hau")):
        texts[label] = [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    with open(shared_data / "yo" / "menyo20k" / "train.tsv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    texts["en"] = [r[0].strip() for r in rows[1:] if r and r[0].strip()]
    specs, heldout = [], {}
    for label, lines in texts.items():
        tr, ho = split(lines)
        (tmp / f"{label}.txt").write_text("\n".join(tr) + "\n", encoding="utf-8")
        specs.append((label, tmp / f"{label}.txt"))
        heldout[label] = ho
    model = tmp / "lid.model"
    report = train(specs, model, holdout=0)
    return {"model": model, "heldout": heldout, "report": report, "specs": specs}


def test_real_text_held_out_accuracy_above_95_percent(real: dict[str, Any]) -> None:
    ident = load_identifier(real["model"])
    assert sorted(ident.labels) == ["en", "ha", "xx"]
    for label, lines in real["heldout"].items():
        correct = sum(ident.classify(x)[0] == label for x in lines)
        assert len(lines) > 100
        assert correct / len(lines) > 0.95, (label, correct, len(lines))
    assert real["report"].n_features > 500


def test_built_in_holdout_report_agrees(real: dict[str, Any], tmp_path: Path) -> None:
    report = train(real["specs"], tmp_path / "m.model", holdout=HOLDOUT)
    assert set(report.heldout) == {"xx", "ha", "en"}
    for label, (correct, total) in report.heldout.items():
        assert total > 50 and correct / total > 0.95, label
    assert any("held-out accuracy" in line for line in report.summary())


def test_plugin_with_trained_model_passes_check_and_without_it_fails(real: dict[str, Any],
                                                                      tmp_path: Path) -> None:
    assert "xx" not in load_identifier().labels  # the built-in model does not know the label
    plugin_dir = tmp_path / "languages" / "xx"
    plugin_dir.mkdir(parents=True)
    # The plugin's own example sentences (Yoruba written for the project), under the made-up code.
    examples = (REPO / "languages" / "yo" / "examples.tsv").read_text(encoding="utf-8")
    (plugin_dir / "examples.tsv").write_text(examples.replace("en\tyo\n", "en\txx\n", 1), encoding="utf-8")
    (plugin_dir / "lexicon.tsv").write_text(TINY_LEXICON.replace("\tyo\t", "\txx\t", 1), encoding="utf-8")
    (plugin_dir / "templates.tsv").write_text(TINY_TEMPLATES.replace("\tyo\t", "\txx\t", 1),
                                              encoding="utf-8")
    (plugin_dir / "lid.model").write_bytes(real["model"].read_bytes())
    manifest = ('[language]\ncode = "xx"\niso639_3 = "xxx"\nname = "Test"\nscript = "Latn"\n\n'
                '[langid]\nlabel = "xx"\n{model}')
    with_model = manifest.format(model='model = "lid.model"\n')
    (plugin_dir / "language.toml").write_text(with_model, encoding="utf-8")
    report = check_plugin(load_plugin(plugin_dir), render_samples=20)
    assert report.problems == [], report.problems
    assert any("language ID" in line and "lid.model" in line for line in report.lines)

    (plugin_dir / "language.toml").write_text(manifest.format(model=""), encoding="utf-8")
    report = check_plugin(load_plugin(plugin_dir), render_samples=20)
    assert len(report.problems) == 1
    assert "does not know that label" in report.problems[0] and "lrl lid train" in report.problems[0]


def test_training_counts_equal_py3langid_dfa_walk(two_synthetic: list[tuple[str, Path]]) -> None:
    """The vectorized feature counting used for training sees exactly what inference's walk sees."""
    from py3langid.langid import visit_counts

    corpora = [read_corpus(lb, p) for lb, p in two_synthetic]
    packed = [_Packed.of(c.lines) for c in corpora]
    patterns = select_features(packed, 200, 1000)
    dfa = Automaton.build(patterns)
    # each state's output: exactly the selected n-grams that are suffixes of the state's string
    chosen = set(patterns)
    for state, prefix in enumerate(dfa.prefixes):
        want = sorted(prefix[k:] for k in range(len(prefix)) if prefix[k:] in chosen)
        got = sorted(dfa.outputs[dfa.out[state]]) if dfa.out[state] >= 0 else []
        assert want == got, prefix
    nm = dfa.delta.ravel().tolist()
    rowbase = [s << 8 for s in range(dfa.delta.shape[0])]
    out = dfa.out.tolist()
    for c, p in zip(corpora, packed, strict=True):
        line, feat, count = dfa.feature_counts(p)
        mine: dict[int, dict[int, int]] = {}
        for i, f, n in zip(line.tolist(), feat.tolist(), count.tolist(), strict=True):
            mine.setdefault(i, {})[f] = n
        for i, text in enumerate(c.lines):
            assert dict(visit_counts(nm, rowbase, out, text) or {}) == mine.get(i, {})


def test_encode_matches_py3langid() -> None:
    from py3langid.langid import LanguageIdentifier

    for text in ("ỌJỌ́ ÀÌKÚ", "Ọjọ́ Àìkú", "e\u0301 o\u0323", "HELLO world", "ሰላም"):
        assert encode(text) == LanguageIdentifier._encode(text)


def test_deterministic(two_synthetic: list[tuple[str, Path]], tmp_path: Path) -> None:
    train(two_synthetic, tmp_path / "a.model", holdout=0)
    train(two_synthetic, tmp_path / "b.model", holdout=0)
    assert (tmp_path / "a.model").read_bytes() == (tmp_path / "b.model").read_bytes()


def test_cli_trains_and_reports(two_synthetic: list[tuple[str, Path]], tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / "lid.model"
    args = ["lid", "train", "--out", str(out), *(f"{lb}={p}" for lb, p in two_synthetic)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "held-out accuracy" in printed and "aa 100.0%" in printed and "no 'en' label" in printed
    assert load_identifier(out).classify("kaki mutaọ́ kimu")[0] == "aa"


def test_errors_say_where_and_how_much(two_synthetic: list[tuple[str, Path]], tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine line\n" * 3 + b"caf\xe9 latin-1\n")
    assert main(["lid", "train", "--out", str(tmp_path / "m"), f"xx={bad}", f"bb={two_synthetic[1][1]}"]) == 65
    assert f"{bad}:4: not valid UTF-8" in capsys.readouterr().err

    small = synthetic(tmp_path / "small.txt", ["ka", "mu"], n=20)
    with pytest.raises(InputError, match=r"only [\d,]+ characters.*needs at least 10,000 characters"):
        train([("xx", small), two_synthetic[1]], tmp_path / "m")
    assert main(["lid", "train", "--out", str(tmp_path / "m"), f"xx={small}"]) == 78
    assert "at least two labels" in capsys.readouterr().err
    assert main(["lid", "train", "--out", str(tmp_path / "m"), "xx", f"bb={small}"]) == 78
    assert "expected LABEL=FILE" in capsys.readouterr().err


def test_with_builtin_keeps_built_in_labels(real: dict[str, Any], tmp_path: Path) -> None:
    """New label learnt in the built-in model's feature space, beside its English and Hausa columns."""
    xx = dict(real["specs"])["xx"]
    out = tmp_path / "wb.model"
    report = train([("xx", xx)], out, with_builtin=["en", "ha", "pcm"], holdout=0)
    assert report.builtin == ["en", "ha", "pcm"] and report.n_features > 50_000
    ident = load_identifier(out)
    assert sorted(ident.labels) == ["en", "ha", "pcm", "xx"]
    for label in ("xx", "en", "ha"):
        lines = real["heldout"][label]
        correct = sum(ident.classify(x)[0] == label for x in lines)
        assert correct / len(lines) > 0.95, (label, correct, len(lines))
    with pytest.raises(ConfigError, match="no label qq"):
        train([("xx", xx)], out, with_builtin=["qq"])
