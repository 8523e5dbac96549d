import json
import random
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest

from lrl import config
from lrl.languages import load_plugin
from lrl.pipeline import Inputs, run

ENGLISH = [
    "The government announced new measures to support farmers in the northern states this week.",
    "Please remember to bring your identity card when you come to the office tomorrow morning.",
    "The football match was postponed because of the heavy rain that fell all afternoon.",
    "Prices of rice and beans have risen sharply in the markets over the last two months.",
    "She said that the new hospital would open to patients before the end of the year.",
    "Our teacher asked us to read the first three chapters of the novel before Friday.",
    "The bridge connecting the two towns has been closed for repairs since January.",
    "Many young people in the city are looking for work in technology and trade.",
    "The minister promised that electricity supply would improve in the coming weeks.",
    "Children should wash their hands with soap and clean water before every meal.",
]


def _cfg(plugin_path: Path, out: Path, **over: object) -> dict:
    plugin = load_plugin(plugin_path)
    return config.resolve(plugin.defaults, "p", None, {"out_dir": str(out), "bt.enabled": False, **over})


def test_default_run_writes_a_loadable_dataset_whose_books_balance(tiny_plugin_dir: Path, tmp_path: Path) -> None:
    plugin = load_plugin(tiny_plugin_dir)
    cfg = _cfg(tiny_plugin_dir, tmp_path / "out", **{"templates.count": 30})
    result = run(plugin, cfg, Inputs([], []), progress=False)
    d = result.run_dir
    latest = d.parent / "latest"
    assert latest.resolve() == d.resolve()
    m = json.loads((d / "manifest.json").read_text())
    t = m["totals"]
    ds = datasets.load_dataset(str(latest), split="train")
    rejected = [json.loads(x) for x in (d / "rejected.jsonl").read_text().splitlines()]
    assert t["generated"] == t["kept"] + t["rejected"]
    assert t["kept"] == len(ds) == sum(pq.read_metadata(p).num_rows for p in (d / "data").glob("*.parquet"))
    assert t["rejected"] == len(rejected)
    assert all(r["reason"] and r["stage"] for r in rejected)
    assert set(ds["origin"]) <= {"seed", "template", "mono", "bt"}
    assert "seed" in set(ds["origin"]) and "template" in set(ds["origin"])
    for st in m["stages"].values():
        assert st["in"] + st["created"] == st["out"] + st["rejected"]
    assert m["inputs"][0]["sha256"] and m["versions"]["lrl"]
    card = (d / "README.md").read_text()
    assert card.startswith("---\nlanguage:") and "configs:" in card


def test_english_lines_in_yoruba_text_are_rejected_by_language_id(
        shared_data: Path, tiny_plugin_dir: Path, tmp_path: Path) -> None:
    lines = (shared_data / "yo/mono/news_sites.txt").read_text(encoding="utf-8").splitlines()
    mixed = lines[:]
    rng = random.Random(0)
    for e in ENGLISH:
        mixed.insert(rng.randrange(len(mixed)), e)
    mono = tmp_path / "mixed.txt"
    mono.write_text("\n".join(mixed) + "\n", encoding="utf-8")
    plugin = load_plugin(tiny_plugin_dir)
    cfg = _cfg(tiny_plugin_dir, tmp_path / "out", **{"templates.enabled": False})
    result = run(plugin, cfg, Inputs([str(mono)], []), progress=False)
    rejected = [json.loads(x) for x in (result.run_dir / "rejected.jsonl").read_text().splitlines()]
    by_text = {r["tgt"]: r for r in rejected}
    for e in ENGLISH:
        assert by_text[e]["stage"] == "langid" and "labelled en" in by_text[e]["reason"]
    langid = result.manifest["stages"]["langid"]
    yoruba_judged = langid["in"] - len(ENGLISH)
    yoruba_rejected = langid["rejected"] - len(ENGLISH)
    assert yoruba_rejected / yoruba_judged < 0.01, langid


def test_bad_rows_skipped_are_counted_and_written(tiny_plugin_dir: Path, tmp_path: Path) -> None:
    mono = tmp_path / "m.txt"
    mono.write_bytes("Àwọn ọmọdé ń lọ sí ilé ìwé pẹ̀lú àwọn ọ̀rẹ́ wọn.\n".encode() + b"\xff\xfe bad\n")
    plugin = load_plugin(tiny_plugin_dir)
    cfg = _cfg(tiny_plugin_dir, tmp_path / "out", **{"templates.enabled": False, "inputs.bad_rows": "skip"})
    result = run(plugin, cfg, Inputs([str(mono)], []), progress=False)
    m = result.manifest
    assert m["stages"]["read"]["rejected"] == 1 and m["inputs"][0]["bad_rows"] == 1
    assert m["totals"]["generated"] == 2


def test_same_seed_same_output(tiny_plugin_dir: Path, tmp_path: Path) -> None:
    plugin = load_plugin(tiny_plugin_dir)
    ids = []
    for i in range(2):
        cfg = _cfg(tiny_plugin_dir, tmp_path / f"out{i}", **{"templates.count": 20})
        r = run(plugin, cfg, Inputs([], []), progress=False)
        ids.append(datasets.load_dataset(str(r.run_dir), split="train")["id"])
    assert ids[0] == ids[1]


def test_setup_errors_fail_before_an_output_folder_exists(tiny_plugin_dir: Path, tmp_path: Path) -> None:
    from lrl.errors import InputError

    plugin = load_plugin(tiny_plugin_dir)
    cfg = _cfg(tiny_plugin_dir, tmp_path / "out")
    with pytest.raises(InputError, match="file not found"):
        run(plugin, cfg, Inputs([str(tmp_path / "missing.txt")], []), progress=False)
    with pytest.raises(InputError, match="no file matches"):
        run(plugin, cfg, Inputs([str(tmp_path / "*.nothing")], []), progress=False)


def test_latest_loads_the_newest_run_not_a_cached_one(tiny_plugin_dir: Path, tmp_path: Path) -> None:
    """`datasets` caches local folders by name and card; every run's files must be named apart."""
    plugin = load_plugin(tiny_plugin_dir)
    for count in (5, 25):
        cfg = _cfg(tiny_plugin_dir, tmp_path / "out", **{"templates.count": count})
        r = run(plugin, cfg, Inputs([], []), progress=False)
        ds = datasets.load_dataset(str(tmp_path / "out" / "yo" / "latest"), split="train")
        assert len(ds) == r.manifest["totals"]["kept"]
