"""lrl/io/jsonfast.py: orjson where it writes what json would, json where it would not."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from lrl.io import jsonfast
from lrl.io.writers import json_line
from lrl.record import Record


def test_a_row_reads_back_as_json_wrote_it() -> None:
    row = {"stage": "langid", "reason": "langid-src: P(en) = 0.02", "id": "a.tsv:3", "src": "Ọjọ́ ayọ̀ \u2028 ni",
           "tgt": "x", "origin": "seed", "parent_id": None,
           "scores": {"langid.p": np.float64(0.25), "length.ratio": 1e-05, "dedup.key": "ab", "flag": True,
                      "none": None}, "provenance": {"file": "a.tsv", "line": 3}, "labels": {}}
    line = json_line(row)
    assert line.endswith("\n") and line.count("\n") == 1  # U+2028 escaped: one row, one line
    assert jsonfast.loads(line) == json.loads(json.dumps(row, ensure_ascii=False))
    assert "\u2028" not in line


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -math.inf, np.float64("nan")])
def test_nan_and_infinity_are_written_as_json_writes_them_not_as_null(bad: float) -> None:
    row = {"id": "r", "parent_id": None, "scores": {"z": bad, "ok": 1.0}}
    text = jsonfast.dumps(row)
    assert text == json.dumps(row, ensure_ascii=False)  # NaN / Infinity, which orjson would write as null
    back = jsonfast.loads(text)["scores"]["z"]
    assert math.isnan(back) if math.isnan(bad) else back == bad


def test_values_orjson_refuses_or_would_change_go_through_json() -> None:
    assert jsonfast.dumps({"x": [float("nan")]}) == '{"x": [NaN]}'  # a NaN in a list
    assert jsonfast.dumps({2: 1}) == '{"2": 1}'  # a non-string key
    assert json.loads(jsonfast.dumps({"n": 2**70})) == {"n": 2**70}
    assert jsonfast.loads(jsonfast.dumps({"s": "null and void", "p": None})) == {"s": "null and void", "p": None}
    assert jsonfast.dumps_labels({"b": object()}).startswith('{"b":"<object')  # default=str


def test_the_parquet_json_columns_hold_the_same_values() -> None:
    rec = Record(id="r", src="a", tgt="b", origin="seed", scores={"b.x": 0.5, "a.y": "yo"},
                 provenance={"file": "f", "line": 1}, labels={"topic": "sport"})
    row = rec.to_row("en", "yo")
    assert list(json.loads(row["scores"])) == ["a.y", "b.x"]  # sorted, as before
    assert json.loads(row["provenance"]) == rec.provenance and json.loads(row["labels"]) == rec.labels
