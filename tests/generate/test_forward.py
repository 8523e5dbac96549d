"""Forward translation: English monolingual text gets a synthetic language side (origin "ft") from the
English→LRL direction of the same translator, then meets its own filters, with accounting intact."""

import json
from pathlib import Path

from lrl import config
from lrl.languages.plugin import load_plugin
from lrl.pipeline import Inputs, run

ENGLISH = [
    "The children are going to school with their friends this morning.",
    "My mother bought yam and pepper at the market yesterday evening.",
    "The children are going to school with their friends this morning.",  # a duplicate
    "Ọmọdé ń lọ sí ilé ìwé pẹ̀lú àwọn ọ̀rẹ́ wọn lónìí àárọ̀ yìí.",  # not English
]


def test_english_monolingual_rows_are_forward_translated(tiny_plugin_dir: Path, tmp_path: Path) -> None:
    en = tmp_path / "english.txt"
    en.write_text("\n".join(ENGLISH) + "\n", encoding="utf-8")
    plugin = load_plugin(tiny_plugin_dir)
    cfg = config.resolve({}, "p", None, {"out_dir": str(tmp_path / "out"), "templates.count": 20,
                                         "bt.min_chrf": 0.0})
    result = run(plugin, cfg, Inputs([], [], mono_en=[str(en)]), progress=False)
    m = result.manifest
    assert m["totals"]["generated"] == m["totals"]["kept"] + m["totals"]["rejected"]
    rejected = [json.loads(x) for x in (result.run_dir / "rejected.jsonl").read_text().splitlines()]
    why = {r["id"]: (r["stage"], r["reason"]) for r in rejected}
    # an exact copy of line 1: rejected as read (filters.dedup.early), never translated
    assert why["mono:english.txt:3"][0] == "read" and why["mono:english.txt:3"][1].startswith("exact-duplicate")
    assert "mono:english.txt:1," in why["mono:english.txt:3"][1]
    assert why["mono:english.txt:4"][0] == "langid" and "langid-src" in why["mono:english.txt:4"][1]
    import datasets

    ds = datasets.load_dataset(str(result.run_dir), split="train")
    ft = [r for r in ds if r["origin"] == "ft"]
    assert {r["src"] for r in ft} <= set(ENGLISH[:2]) and all(r["tgt"] for r in ft)
    assert all(json.loads(r["provenance"])["model"]["direction"] == "en-yo" for r in ft)
    assert all("ft-chrf.roundtrip" in json.loads(r["scores"]) for r in ft)
    # forward-translated rows equal to earlier ones go at the run-wide dedup, last in the chain
    ft_dups = sum(r["origin"] == "ft" and r["stage"] == "dedup" for r in rejected)
    assert "ft-chrf" in m["stages"] and m["stages"]["ft-chrf"]["in"] == len(ft) + m["stages"]["ft-chrf"]["rejected"] \
        + ft_dups
    assert not any(r["tgt"] == "" for r in ds)
