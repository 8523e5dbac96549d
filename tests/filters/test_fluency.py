from lrl.filters.fluency import FLUENCY_DEFAULTS, Fluency
from lrl.record import Record
from lrl.step import RunContext, Stats
from tests.models.test_ngram import ENGLISH


def run(step, records):  # type: ignore[no-untyped-def]
    rejected: list[tuple[str, str]] = []
    ctx = RunContext(stats=Stats(), on_reject=lambda r, s, why: rejected.append((r.id, why)))
    kept = [r.id for r in step.run(records, ctx)]
    return kept, dict(rejected)


def rec(i: str, src: str, tgt: str = "Àwọn ọmọdé", origin: str = "bt") -> Record:
    return Record(id=i, src=src, tgt=tgt, origin=origin)


def test_salad_fails_clean_passes_short_and_monolingual_not_judged() -> None:
    f = Fluency.build(ENGLISH, {"min_score": 0.5, "min_train_types": 5})
    rows = [
        rec("clean", "The children are going to the market with their friends."),
        rec("tagged", "<BT> My mother is reading a book in the kitchen."),
        rec("salad", "market friends the going children with to their are the."),
        rec("bt-salad", "Children the market gbádùn going are to the."),
        rec("short", "children the are"),
        rec("mono", "", origin="mono"),
    ]
    kept, rejected = run(f, rows)
    assert kept == ["clean", "tagged", "short", "mono"]
    assert set(rejected) == {"salad", "bt-salad"}
    assert rejected["salad"].startswith("fluency: English scores ")
    assert rows[4].scores["fluency.words"] == 3 and rows[4].scores["fluency.score"] < 0  # scored, not judged
    assert not any(k.startswith("fluency.") for k in rows[5].scores)
    assert rows[0].scores["fluency.oov"] == 0.0


def test_too_little_english_scores_but_does_not_judge() -> None:
    f = Fluency.build(ENGLISH[:10], {"min_score": 0.0, "min_train_types": 50})
    kept, rejected = run(f, [rec("salad", "market friends the going children with to their are the.")])
    assert kept == ["salad"] and not rejected
    sig = f.signature()
    assert sig["judging"] is False and f"{f.lm.types} distinct English words" in sig["note"]


def test_duplicates_count_once_and_settings_default() -> None:
    f = Fluency.build(ENGLISH + ENGLISH, {})
    assert f.lm.sentences == 10  # ENGLISH is 10 sentences three times over
    sig = f.signature()
    assert sig["min_score"] == FLUENCY_DEFAULTS["min_score"] and sig["min_words"] == FLUENCY_DEFAULTS["min_words"]
    assert "3-gram" in sig["model"]
