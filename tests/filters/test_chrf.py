"""Round-trip chrF and forced-decoding filters on back-translated rows (IBM-1 and a real CT2 model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lrl.errors import ConfigError
from lrl.filters.chrf import ForcedDecode, RoundTripChrF
from lrl.generate.backtranslate import TAG
from lrl.models.ibm1 import IBM1Model
from lrl.models.translator import CT2Translator, DecodeSettings
from lrl.record import Record
from lrl.step import RunContext, Stats


def _run(flt: Any, recs: list[Record]) -> tuple[list[Record], list[tuple[Record, str, str]], Stats]:
    rejected: list[tuple[Record, str, str]] = []
    stats = Stats()
    ctx = RunContext(stats, lambda r, s, why: rejected.append((r, s, why)))
    return list(flt.run(recs, ctx)), rejected, stats


def test_roundtrip_chrf_with_ibm1_keeps_good_rejects_bad() -> None:
    pairs = [("the dog sleeps", "ajá náà ń sùn"), ("the cat eats", "ológbò náà ń jẹun")] * 3
    model = IBM1Model.train("yo", pairs, iterations=8)
    flt = RoundTripChrF(model.direction("en", "yo"), min_chrf=20.0, batch_size=2)
    recs = [Record("b1", "the dog sleeps", "ajá náà ń sùn", "bt"),
            Record("b2", TAG + "the cat eats", "ológbò náà ń jẹun", "bt"),
            Record("b3", "xyz qqq", "ajá náà ń sùn", "bt"),
            Record("s1", "nonsense", "ajá", "seed")]
    out, rejected, stats = _run(flt, recs)
    assert {r.id for r in out} == {"b1", "b2", "s1"}
    assert rejected[0][0].id == "b3" and rejected[0][2].startswith("chrf: round-trip chrF ")
    assert "< 20" in rejected[0][2]
    assert float(recs[0].scores["chrf.roundtrip"]) >= 20 and "chrf.roundtrip" not in recs[3].scores
    assert stats["chrf"].seen == 3  # the seed row is not judged
    assert flt.signature()["metric"].startswith("nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no")


def test_forced_decode_needs_a_scorer() -> None:
    model = IBM1Model.train("yo", [("dog", "ajá")], iterations=2)
    with pytest.raises(ConfigError, match="roundtrip"):
        ForcedDecode(model.direction("en", "yo"), -3.0)  # type: ignore[arg-type]


def test_ct2_roundtrip_and_forced_decode(tiny_marian: Path) -> None:
    # The tiny model translates yo→en; as a stand-in "forward" model it still exercises the real CT2 path.
    tr = CT2Translator(tiny_marian, settings=DecodeSettings(max_decoding_length=12, max_batch_size=4))
    recs = [Record(f"b{i}", f"Good morning {i}", "Ẹ káàárọ̀", "bt") for i in range(5)]
    out, rejected, stats = _run(RoundTripChrF(tr, min_chrf=101.0, batch_size=2), recs)
    assert not out and len(rejected) == 5 and all(0 <= r.scores["chrf.roundtrip"] <= 100 for r in recs)
    recs = [Record(f"f{i}", "Ẹ káàárọ̀", f"Good morning {i}", "bt") for i in range(5)]
    fd = ForcedDecode(tr, min_logprob=-5.65, batch_size=2)
    out, rejected, stats = _run(fd, recs)
    lps = [float(r.scores["forced.logprob"]) for r in recs]
    assert all(-20 < lp < 0 for lp in lps)
    assert len(out) == sum(lp >= -5.65 for lp in lps) and stats["forced"].seen == 5
    assert all(why.startswith("forced: mean log-prob ") for _, _, why in rejected)
