"""Labels pass through (issue 14): an input's extra columns travel with the row, and with every row made
from it, to the output shards and rejected.jsonl."""

import json
from pathlib import Path

import pytest

from lrl import config
from lrl.errors import InputError
from lrl.io.readers import read
from lrl.io.rows import InputStats, ReadOptions
from lrl.languages.plugin import load_plugin
from lrl.pipeline import Inputs, run


def _read(path: Path, parallel: bool = False, **opts: object) -> list:
    return list(read(str(path), ReadOptions(lang_names=("yo",), **opts), parallel, InputStats()))  # type: ignore[arg-type]


def test_tsv_jsonl_and_parquet_extra_columns_become_labels(tmp_path: Path) -> None:
    tsv = tmp_path / "news.tsv"
    tsv.write_text("\ufeffcategory\ten\tyo\turl\nsports\tHe ran.\tÓ sáré.\t/a\nhealth\tShe ate.\tÓ jẹun.\t/b\n",
                   encoding="utf-8")
    recs = _read(tsv, parallel=True)
    assert [r.labels for r in recs] == [{"category": "sports", "url": "/a"}, {"category": "health", "url": "/b"}]
    assert recs[0].src == "He ran." and recs[0].tgt == "Ó sáré."
    assert [r.labels for r in _read(tsv, parallel=True, label_columns=("CATEGORY",))] == \
        [{"category": "sports"}, {"category": "health"}]
    assert all(r.labels == {} for r in _read(tsv, parallel=True, label_columns=()))

    jsonl = tmp_path / "mono.jsonl"
    jsonl.write_text('{"text": "Ó sáré.", "label": 3, "meta": {"k": [1]}}\n{"text": "Ó jẹun.", "label": 0}\n',
                     encoding="utf-8")
    assert [r.labels for r in _read(jsonl)] == [{"label": 3, "meta": {"k": [1]}}, {"label": 0}]

    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": ["Ó sáré."], "topic": ["sports"]}), tmp_path / "t.parquet")
    assert _read(tmp_path / "t.parquet")[0].labels == {"topic": "sports"}


def test_a_named_label_column_the_input_lacks_is_a_clear_error(tmp_path: Path) -> None:
    tsv = tmp_path / "news.tsv"
    tsv.write_text("text\tcategory\nÓ sáré.\tsports\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        _read(tsv, label_columns=("label",))
    assert "news.tsv" in str(err.value) and "label" in str(err.value) and "inputs.label_columns" in str(err.value)


def test_labels_reach_the_shards_rejects_and_generated_children(tiny_plugin_dir: Path, tmp_path: Path) -> None:
    en = tmp_path / "english.jsonl"
    rows = [("The children are going to school with their friends this morning.", "education", "d1"),
            ("My mother bought yam and pepper at the market yesterday evening.", "food", "d2"),
            ("The children are going to school with their friends this morning.", "education", "d3"),  # dup
            ("Ọmọdé ń lọ sí ilé ìwé pẹ̀lú àwọn ọ̀rẹ́ wọn lónìí àárọ̀ yìí.", "education", "d4")]  # not English
    en.write_text("".join(json.dumps({"text": t, "category": c, "doc": d}) + "\n" for t, c, d in rows),
                  encoding="utf-8")
    mono = tmp_path / "yo.tsv"
    mono.write_text("text\ttopic\nÌyá mi ra iṣu àti ata ní ọjà ní ìrọ̀lẹ́ àná.\tfood\n", encoding="utf-8")
    plugin = load_plugin(tiny_plugin_dir)
    cfg = config.resolve({}, "p", None, {"out_dir": str(tmp_path / "out"), "templates.count": 5,
                                         "bt.min_chrf": 0.0, "bt.ibm1_unverified": "keep"})
    result = run(plugin, cfg, Inputs([str(mono)], [], mono_en=[str(en)]), progress=False)
    rejected = [json.loads(x) for x in (result.run_dir / "rejected.jsonl").read_text().splitlines()]
    by_id = {r["id"]: r for r in rejected}
    assert by_id["mono:english.jsonl:3"]["labels"] == {"category": "education", "doc": "d3"}
    assert by_id["mono:english.jsonl:4"]["labels"] == {"category": "education", "doc": "d4"}

    import datasets

    kept = list(datasets.load_dataset(str(result.run_dir), split="train"))
    every = kept + rejected
    labels = {r["id"]: json.loads(r["labels"]) if isinstance(r["labels"], str) else r["labels"] for r in every}
    ft = [r for r in every if r["origin"] == "ft"]
    assert ft, "no forward-translated row reached the output or the rejects"
    for r in ft:
        line = int(r["id"].rsplit(":", 1)[1])
        assert labels[r["id"]] == {"category": rows[line - 1][1], "doc": rows[line - 1][2]}
    bt = [r for r in every if r["origin"] == "bt" and r["parent_id"].startswith("mono:yo.tsv")]
    assert bt and all(labels[r["id"]] == {"topic": "food"} for r in bt)
    assert all(labels[r["id"]] == {} for r in every if r["origin"] == "template")
