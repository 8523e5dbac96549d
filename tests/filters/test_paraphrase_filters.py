"""The chrF band for paraphrase rows: copy above, drift below, other origins untouched."""

from __future__ import annotations

from lrl.filters.paraphrase import ParaphraseChrF
from lrl.record import Record
from lrl.step import RunContext, Stats

PARENT = "Ìyá mi máa ń jí ní òwúrọ̀ kùtùkùtù láti se oúnjẹ fún gbogbo wa kí a tó lọ sí ibi iṣẹ́."


def child(tgt: str, origin: str = "paraphrase", parent: str | None = PARENT, i: int = 0) -> Record:
    prov = {} if parent is None else {"parent_tgt": parent}
    return Record(id=f"{origin}:p:{i}", src="My mother wakes up early.", tgt=tgt, origin=origin, parent_id="p",
                  provenance=prov)


def run(f: ParaphraseChrF, recs: list[Record]) -> tuple[list[Record], list[tuple[Record, str, str]], Stats]:
    rejected: list[tuple[Record, str, str]] = []
    stats = Stats()
    ctx = RunContext(stats=stats, on_reject=lambda r, s, why: rejected.append((r, s, why)))
    return list(f.run(recs, ctx)), rejected, stats


def test_band_keeps_paraphrases_and_rejects_copies_and_drift() -> None:
    f = ParaphraseChrF(40.0, 93.0)
    assert f.applies_to == frozenset({"paraphrase", "pivot"})
    good = child("Kí a tó lọ sí ibi iṣẹ́, ìyá mi máa ń jí ní òwúrọ̀ kùtùkùtù láti se oúnjẹ fún gbogbo wa.", i=1)
    tone = child(PARENT.replace("iṣẹ́.", "iṣẹ."), i=2)  # one tone mark lost: a near copy
    drift = child("Mo fẹ́ràn láti jẹ ìrẹsì.", i=3)
    pivot = child("Ìyá mi máa ń jí ní àárọ̀ kùtùkùtù láti se oúnjẹ fún gbogbo wa kí a tó lọ sí ibi iṣẹ́.",
                  origin="pivot", i=4)
    seed = Record(id="s", src="x", tgt="Mo fẹ́ràn láti jẹ ìrẹsì.", origin="seed")
    kept, rejected, stats = run(f, [seed, good, tone, drift, pivot])
    assert {r.id for r in kept} == {"s", good.id, pivot.id}
    why = {r.id: reason for r, _, reason in rejected}
    assert why[tone.id].startswith("paraphrase-copy: chrF 97")
    assert why[drift.id].startswith("paraphrase-drift: chrF")
    assert 80 < float(good.scores["paraphrase-chrf.parent"]) < 93
    assert "paraphrase-chrf.parent" not in seed.scores  # other origins pass unscored and uncounted
    st = stats["paraphrase-chrf"]
    assert (st.seen, st.passed, st.rejected) == (4, 2, 2)
    assert dict(st.reasons) == {"paraphrase-copy": 1, "paraphrase-drift": 1}


def test_missing_parent_is_a_reason_not_a_crash() -> None:
    f = ParaphraseChrF(40.0, 93.0, applies_to=frozenset({"paraphrase"}))
    kept, rejected, _ = run(f, [child("Ọjà kún fún èrò lónìí.", parent=None)])
    assert not kept and rejected[0][2].startswith("paraphrase-chrf: no parent sentence")


def test_signature_names_metric_and_band() -> None:
    sig = ParaphraseChrF(35.0, 90.0).signature()
    assert sig["min_chrf"] == 35.0 and sig["max_chrf"] == 90.0
    assert "nc:6" in sig["metric"] and "nrefs:1" in sig["metric"]
