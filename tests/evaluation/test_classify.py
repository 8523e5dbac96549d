"""`lrl eval-classify` at tiny scale: English news with topics forward-translated through the real pipeline
(tiny plugin, IBM-1 from a tiny seed), a real scikit-learn classifier, bootstrap scores, the markdown; and
clear errors for bad MasakhaNEWS files."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from lrl.cli import main
from lrl.errors import InputError
from lrl.evaluation import classify, classify_report
from lrl.evaluation.news import read_news, sentences
from lrl.evaluation.textclf import _macro_f1
from lrl.languages.plugin import load_plugin

EN = {
    "food": ["My mother bought yam and pepper at the market. She cooked rice and beans for us.",
             "Rice and beans are sold at the market. Ade bought three portions of yam."],
    "school": ["The children are going to school with their friends. The school is far from the market.",
               "Funmi went to the school yesterday. The children saw their friends at school."],
}
YO = {
    "food": ["Ìyá mi ra iṣu àti ata ní ọjà.", "Adé ń jẹ ìrẹsì ní ọjà.", "Fúnmi ra ẹ̀wà mẹ́ta.",
             "Túndé ń jẹ iṣu ní ilé.", "Ìyá mi ra ìrẹsì àti ẹ̀wà ní ọjà.", "Adé ra iṣu méjì ní ọjà."],
    "school": ["Àwọn ọmọdé ń lọ sí ilé ìwé.", "Fúnmi lọ sí ilé ìwé lánàá.", "Adé rí Túndé ní ilé ìwé.",
               "Àwọn ọmọdé ń lọ sí ilé ìwé pẹ̀lú àwọn ọ̀rẹ́ wọn.", "Túndé lọ sí ilé ìwé.",
               "Fúnmi rí Adé ní ilé ìwé lánàá."],
}


def _news(path: Path, by_cat: dict[str, list[str]], repeat: int = 1) -> Path:
    rows = ["category\theadline\ttext\turl"]
    for cat, texts in by_cat.items():
        for r in range(repeat):
            rows += [f"{cat}\t{t.split('.')[0]}\t\"{t}\"\t/{cat}/{r}/{i}" for i, t in enumerate(texts)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_tiny_eval_classify_end_to_end(tiny_plugin_dir: Path, tmp_path: Path) -> None:
    seed = tmp_path / "seed.tsv"
    seed.write_text("en\tyo\n" + (tiny_plugin_dir / "examples.tsv").read_text(encoding="utf-8").split("\n", 1)[1],
                    encoding="utf-8")
    s = classify.ClassifySettings(
        lang="yo", seed_data=[str(seed)], english=[str(_news(tmp_path / "en.tsv", EN))],
        real=str(_news(tmp_path / "yo.tsv", YO)), test_share=0.34, sizes=[2], draws=2, bootstrap_samples=50,
        out_dir=str(tmp_path / "out"),
        # The tiny seed cannot teach the checks much: let the word-by-word output through so there is
        # something to classify (the real eval keeps every default).
        augment_set={"bt.min_chrf": 0.0, "filters.langid.tgt_min_prob": 0.0, "filters.langid.tgt_confident_prob": 1.0})
    res = classify.run_classify(load_plugin(tiny_plugin_dir), s, log=lambda m: None)
    assert res["topics"] == ["food", "school"] and sum(res["test"].values()) == 4
    syn = res["synthetic"].get("synthetic") or {"articles": 0}
    every = res["synthetic"].get("synthetic incl. ft-lrl-fluency rejects", syn)
    if syn["articles"]:
        assert syn["sentences_kept"] + syn["sentences_rejected"] == 2 * 2 * 3  # headline + 2 sentences per article
    assert [r["size"] for r in res["rows"]] == ["2/class", "all"]
    small = res["rows"][0]["scores"]
    assert small["real"]["draws"] == 2 and 0 <= small["real"]["f1"]["lo"] <= small["real"]["f1"]["hi"] <= 1
    assert every["articles"], "no translated row came back"
    # the translated rows came back with their labels and regrouped into articles
    assert set(every["by_topic"]) <= {"food", "school"}
    name = next(iter(res["synthetic"]))
    assert "diff" in small[f"real + {name}"]["f1"] and f"{name} only" in small
    md = classify_report.render(res, "make eval-classify lang=yo")
    assert "| 2/class |" in md and "## Verdict" in md and "make eval-classify lang=yo" in md

    # --test PATH: another MasakhaNEWS-format file is scored instead of the held-out split; a topic the
    # English side lacks is dropped and counted; the run is reused (run=), the training pool unchanged.
    other = _news(tmp_path / "other.tsv", {**{k: v[:2] for k, v in YO.items()}, "religion": ["Ọlọ́run wà."]})
    res2 = classify.run_classify(load_plugin(tiny_plugin_dir), dataclasses.replace(s, test=str(other),
                                                                                   run=res["run_dir"]),
                                 log=lambda m: None)
    assert res2["test"] == {"food": 2, "school": 2} and res2["test_dropped_topics"] == {"religion": 1}
    assert res2["pool"] == res["pool"] and res2["test_in_pool"] >= 1


def test_bad_test_files_are_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("category\theadline\ttext\turl\nsports\tA\tB\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_news(bad)
    assert "bad.tsv" in str(err.value) and ":2" in str(err.value) and "fields" in str(err.value)
    (tmp_path / "nohdr.tsv").write_text("topic\ttext\nsports\tA\n", encoding="utf-8")
    with pytest.raises(InputError, match="lacks category, headline, url"):
        read_news(tmp_path / "nohdr.tsv")
    # Through the CLI: a clear message and the input-error exit status, not a traceback.
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'seed_data = ["{bad}"]\nenglish = ["{bad}"]\nreal = "{bad}"\n', encoding="utf-8")
    assert main(["eval-classify", "--lang", "yo", "--config", str(cfg), "--test", str(bad)]) == 65


def test_sentences_and_macro_f1_match_sklearn() -> None:
    assert sentences('He said "no." Then he left.\nNew line here') == ['He said "no."', "Then he left.",
                                                                      "New line here"]
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(0)
    gold, pred = rng.integers(0, 4, (5, 40)), rng.integers(0, 4, (5, 40))
    for g, p, ours in zip(gold, pred, _macro_f1(gold, pred, 4), strict=True):
        assert ours == pytest.approx(f1_score(g, p, average="macro", labels=[0, 1, 2, 3], zero_division=0))


def test_settings_resolve_paths_and_reject_unknown_keys(tmp_path: Path) -> None:
    cfg = tmp_path / "sub" / "c.toml"
    cfg.parent.mkdir()
    cfg.write_text('seed_data = ["../a.en,../a.yo"]\nenglish = "e.tsv"\nreal = "r.tsv"\n', encoding="utf-8")
    s = classify.load_settings(cfg, "yo", {"test": "t.tsv"})
    assert s.seed_data == [f"{tmp_path}/a.en,{tmp_path}/a.yo"] and s.english == [f"{cfg.parent}/e.tsv"]
    assert s.test == "t.tsv"
    cfg.write_text('seed_data = "a"\nenglish = "e"\nreal = "r"\nsizez = [1]\n', encoding="utf-8")
    with pytest.raises(Exception, match="sizez"):
        classify.load_settings(cfg, "yo", {})
    assert json.dumps(classify.quick(classify.load_settings(None, "yo", {"seed_data": "a", "english": "e",
                                                                         "real": "r"})).sizes) == "[5]"
