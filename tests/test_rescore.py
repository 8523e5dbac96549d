"""`lrl rescore`: thresholds re-applied to a finished run from its stored scores match a fresh run."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from lrl import config
from lrl.cli import main
from lrl.errors import ConfigError
from lrl.languages import load_plugin
from lrl.pipeline import Inputs, RunResult, run
from lrl.rescore import rescore
from tests.conftest import write_plugin

MOTHER = ("My mother bought yam and pepper at the market yesterday evening.",
          "Ìyá mi ra iṣu àti ata ní ọjà ní ìrọ̀lẹ́ àná.")
# The first copy is long only by punctuation, so dedup's near key makes the second its duplicate; a tighter
# max_chars rejects the first at length, and a fresh run then keeps the second.
LOUD = (MOTHER[0] + " !" * 10, MOTHER[1] + " !" * 10)  # 84 characters of English
PAIRS = [
    LOUD, MOTHER,
    ("The children are going to school early in the morning with their friends.",
     "Àwọn ọmọdé ń lọ sí ilé ìwé ní àárọ̀ kùtù pẹ̀lú àwọn ọ̀rẹ́ wọn."),
    ("Ade is eating rice at the market.", "Adé ń jẹ ìrẹsì ní ọjà."),
]
MONO = ["Àwọn ọmọdé ń lọ sí ilé ìwé ní àárọ̀ kùtù pẹ̀lú àwọn ọ̀rẹ́ wọn lónìí.",
        # 98 characters: a tighter max_chars rejects it, and with it the row back-translated from it
        "Ìyá mi ra iṣu àti ata ní ọjà ní ìrọ̀lẹ́ àná, ó sì padà sí ilé ní kíá kíá láìsí ìdààmú kankan rárá.",
        "Adé ń jẹ ìrẹsì."]
TIGHT = {"filters.length.max_chars": 90}


class Setup:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.plugin = load_plugin(write_plugin(root / "languages"))
        self.parallel = root / "pairs.tsv"
        self.parallel.write_text("en\tyo\n" + "".join(f"{e}\t{x}\n" for e, x in PAIRS), encoding="utf-8")
        self.mono = root / "mono.txt"
        self.mono.write_text("\n".join(MONO) + "\n", encoding="utf-8")

    def run(self, out: str, **over: Any) -> RunResult:
        cfg = config.resolve(self.plugin.defaults, "p", None,
                             {"out_dir": str(self.root / out), "templates.count": 20, **over})
        return run(self.plugin, cfg, Inputs([str(self.mono)], [str(self.parallel)]), progress=False)


@pytest.fixture(scope="module", autouse=True)
def no_report() -> Iterator[None]:
    """report.html takes ~20 s of plotting per run here and is tested in tests/report; rescore writes it
    through the same function as a run."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("lrl.pipeline.write_report", lambda *a, **k: None)
        yield


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    return Setup(tmp_path_factory.mktemp("rescore"))


@pytest.fixture(scope="module")
def base(setup: Setup) -> RunResult:
    return setup.run("out")


@pytest.fixture(scope="module")
def tight(setup: Setup) -> RunResult:
    return setup.run("fresh", **TIGHT)


def kept(run_dir: Path) -> dict[str, tuple[str, str, str]]:
    return {r["id"]: (r["src"], r["tgt"], r["scores"]) for p in sorted((run_dir / "data").glob("*.parquet"))
            for r in pq.read_table(p).to_pylist()}


def rejected(run_dir: Path) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in map(json.loads, (run_dir / "rejected.jsonl").read_text().splitlines())}


def test_unchanged_thresholds_reproduce_the_kept_set_exactly(base: RunResult) -> None:
    res = rescore(base.run_dir, {})
    assert kept(res.run_dir) == kept(base.run_dir)  # ids, text and scores
    old, new = rejected(base.run_dir), rejected(res.run_dir)
    verdicts = [{k: (r["stage"], r["reason"]) for k, r in rows.items()} for rows in (old, new)]
    assert verdicts[0] == verdicts[1]
    m = res.manifest
    assert m["rescored_from"]["run_id"] == base.manifest["run_id"] and m["rescored_from"]["unscored"] == 0
    assert m["totals"] == base.manifest["totals"]
    for name, st in m["stages"].items():
        assert st["in"] + st["created"] == st["out"] + st["rejected"], name
        assert (st["in"], st["created"], st["out"], st["rejected"]) == tuple(base.manifest["stages"][name][k]
                                                              for k in ("in", "created", "out", "rejected")), name
    assert (res.run_dir.parent / "latest").resolve() == res.run_dir.resolve()
    assert (res.run_dir / "README.md").read_text().startswith("---\nlanguage:")


def test_a_tightened_threshold_matches_a_fresh_run(base: RunResult, tight: RunResult) -> None:
    res = rescore(base.run_dir, dict(TIGHT))
    fresh, ours = kept(tight.run_dir), kept(res.run_dir)
    assert {k: v[:2] for k, v in ours.items()} == {k: v[:2] for k, v in fresh.items()}
    frm = res.manifest["rescored_from"]
    assert frm["changes"] == TIGHT and frm["unscored"] == 0 and "length" in frm["stages_changed"]
    # The back-translation of the long mono line goes with its parent.
    rej = rejected(res.run_dir)
    dropped = [r for r in rej.values() if r["reason"].startswith("parent-rejected")]
    assert dropped and all(rej[r["parent_id"]]["stage"] == "length" for r in dropped)
    assert frm["parent_rejected"] == len(dropped)
    assert res.manifest["config"]["filters"]["length"]["max_chars"] == 90
    sig = next(s["signature"] for s in res.manifest["steps"] if s["name"] == "length")
    assert sig["max_chars"] == 90


def test_a_copy_whose_first_occurrence_is_now_rejected_is_kept_as_a_fresh_run_keeps_it(base: RunResult) -> None:
    """Dedup is re-decided in its input order: the loud first copy is now too long, so its quiet near-duplicate
    is kept, as a fresh run keeps it. Dedup runs last (run-wide, lrl/shards.py), so every other stage had
    already scored the copy: nothing is left unscored."""
    quiet = next(k for k, r in rejected(base.run_dir).items() if r["tgt"] == MOTHER[1])
    assert rejected(base.run_dir)[quiet]["stage"] == "dedup"
    res = rescore(base.run_dir, {"filters.length.max_chars": 80})
    assert quiet in kept(res.run_dir)
    assert res.manifest["rescored_from"]["unscored"] == 0


def test_a_loosened_threshold_names_the_rows_it_cannot_judge(base: RunResult, tight: RunResult) -> None:
    res = rescore(tight.run_dir, {"filters.length.max_chars": 1000})
    ours, fresh = kept(res.run_dir), kept(base.run_dir)
    assert set(ours) <= set(fresh)
    unscored = {k: r for k, r in rejected(res.run_dir).items() if r["reason"].startswith("unscored")}
    assert unscored and res.manifest["rescored_from"]["unscored"] == len(unscored)
    # every row a fresh run keeps and the rescore does not is one it said it could not judge (or its child)
    missing = set(fresh) - set(ours)
    assert all(k in unscored or fresh_parent in unscored
               for k in missing for fresh_parent in [rejected(base.run_dir).get(k, {}).get("parent_id", k)])


def test_settings_that_are_not_thresholds_are_refused(base: RunResult) -> None:
    with pytest.raises(ConfigError, match=r"bt\.model.*cannot be re-applied"):
        rescore(base.run_dir, {"bt.model": "x", "filters.length.max_z": 2.0})
    with pytest.raises(ConfigError, match=r"filters\.langid\.names"):
        rescore(base.run_dir, {"filters.langid.names": False})
    with pytest.raises(ConfigError, match="unknown setting"):
        rescore(base.run_dir, {"filters.length.max_zz": 2.0})


def test_cli(base: RunResult, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rescore", str(base.run_dir), "--set", "filters.fluency.min_score=-1.0"]) == 0
    assert "fluency" in capsys.readouterr().out
    assert main(["rescore", str(base.run_dir), "--set", "filters.fluency.min_score=-1.0", "--score-missing"]) == 0
    capsys.readouterr()
    assert main(["rescore", str(base.run_dir), "--set", "bt.beam_size=4"]) == 78
    assert "bt.beam_size" in capsys.readouterr().err


def test_every_filter_decides_from_its_scores_and_signature_alone() -> None:
    """lrl/filters/*: decide() never reads the record's text or origin (only its id, the scores and
    ``decides_with``), and every rescorable setting points into ``decides_with``."""
    import importlib
    import inspect
    import pkgutil
    import re

    import lrl.filters
    from lrl.step import Filter

    classes = set()
    for info in pkgutil.iter_modules(lrl.filters.__path__):
        module = importlib.import_module(f"lrl.filters.{info.name}")
        classes |= {c for _, c in inspect.getmembers(module, inspect.isclass)
                    if issubclass(c, Filter) and c is not Filter and c.__module__ == module.__name__}
    assert len(classes) >= 12
    for cls in classes:
        src = inspect.getsource(cls.decide) + "".join(
            inspect.getsource(m) for n, m in inspect.getmembers(cls, inspect.isfunction) if n == "_fails")
        assert not re.search(r"record\.(?!id\b)", src), cls
        for path in cls.rescorable.values():
            assert path.split(".")[0] in cls.decides_with, (cls, path)


def test_a_loosened_threshold_with_score_missing_matches_a_fresh_run(base: RunResult, tight: RunResult) -> None:
    """--score-missing: rows the tight run rejected at length now reach stages that never scored them; the
    run's own steps, rebuilt from its manifest, score them there, so the kept set is the fresh run's — less
    the rows a generator would have made from a row that passes only now (no generator runs), counted."""
    res = rescore(tight.run_dir, {"filters.length.max_chars": 1000}, score_missing=True)
    frm = res.manifest["rescored_from"]
    ours, fresh = kept(res.run_dir), kept(base.run_dir)
    assert frm["unscored"] == 0 and frm["scored_now"] > 0
    newly = {k for k, r in rejected(tight.run_dir).items() if r["stage"] == "length"} & set(ours)
    assert newly and frm["new_at_generators"] >= 1
    # (the back-translation of the long mono line: the fresh run made it, and its checks rejected it)
    made_from_new = {k for k in fresh if any(k == f"bt:{p}" for p in newly)}
    assert set(ours) == set(fresh) - made_from_new

    def no_seq(scores: str) -> dict[str, Any]:  # dedup.seq is a position in dedup's input, not a score
        return {k: v for k, v in json.loads(scores).items() if k != "dedup.seq"}

    # text and every score, as the fresh run's
    assert {k: (*v[:2], no_seq(v[2])) for k, v in ours.items()} == {k: (*fresh[k][:2], no_seq(fresh[k][2]))
                                                                    for k in ours}
    for name, st in res.manifest["stages"].items():
        assert st["in"] + st["created"] == st["out"] + st["rejected"], name


def test_score_missing_refuses_inputs_that_changed_since_the_run(tight: RunResult) -> None:
    import copy

    from lrl.rescore_scorer import RunScorer

    m = copy.deepcopy(tight.manifest)
    m["inputs"][0]["sha256"] = "0" * 64
    with pytest.raises(ConfigError, match=r"input .*pairs.tsv has changed"):
        RunScorer(m)("length", [])
