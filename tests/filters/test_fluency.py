import itertools

from lrl.filters.fluency import FLUENCY_DEFAULTS, Fluency
from lrl.models.wordclass import FUNCTION_WORDS, classes, word_class
from lrl.record import Record
from lrl.step import RunContext, Stats
from tests.models.test_ngram import ENGLISH

# A small English corpus with varied words in a few sentence shapes: enough to learn order from.
SUBJECTS = ["The children", "My mother", "Our teacher", "The old farmer", "His brother", "A young woman",
            "The doctor", "Their neighbours", "The little boy", "My best friend"]
VERBS = ["is going to", "was walking to", "will travel to", "has returned from", "is waiting at",
         "was working in", "is looking for", "wanted to visit"]
PLACES = ["the market", "the new school", "a small village", "the big hospital", "the church", "the river",
          "their house", "the city centre"]
TIMES = ["in the morning", "after the rain", "with her friends", "before the meeting", "on Sunday",
         "every evening", "during the holiday", "at night"]
CORPUS = [f"{s} {v} {p} {t}." for s, v, p, t in itertools.islice(itertools.product(SUBJECTS, VERBS, PLACES, TIMES),
                                                                 0, None, 7)]


def run(step, records):  # type: ignore[no-untyped-def]
    rejected: list[tuple[str, str]] = []
    ctx = RunContext(stats=Stats(), on_reject=lambda r, s, why: rejected.append((r.id, why)))
    kept = [r.id for r in step.run(records, ctx)]
    return kept, dict(rejected)


def rec(i: str, src: str, tgt: str = "Àwọn ọmọdé", origin: str = "bt") -> Record:
    return Record(id=i, src=src, tgt=tgt, origin=origin)


def test_word_classes_keep_function_words_and_shape_the_rest() -> None:
    keep = FUNCTION_WORDS
    assert classes("The farmers were selling 20 yams quickly in Lagos.", keep) == [
        "the", "_s", "were", "_ing", "_num", "_s", "_ly", "in", "C_s", "."]
    assert word_class("Children", keep, first=True) == "_w"  # a sentence's first capital says nothing
    assert word_class("The", keep, first=False) == "C_w"  # a capital inside a sentence: a name or a title
    assert word_class("UNESCO", keep, first=False) == "_ACR"


def test_salad_fails_clean_passes_short_and_monolingual_not_judged() -> None:
    f = Fluency.build(CORPUS, {"min_train_types": 5})
    assert f.judging, f.note
    rows = [
        rec("clean", "The doctor is going to the river with her friends."),
        rec("tagged", "<BT> His brother was walking to the market in the morning."),
        # Shuffles that keep the first word's capital and the final punctuation, as the benchmark's do.
        rec("salad", "River the to with going friends doctor the is her."),
        rec("salad2", "Market my the to walking morning was in the brother."),
        rec("bt-salad", "Children the market gbádùn going are to the."),
        rec("short", "children the are"),
        rec("mono", "", origin="mono"),
    ]
    kept, rejected = run(f, rows)
    assert kept == ["clean", "tagged", "short", "mono"], rejected
    assert set(rejected) == {"salad", "salad2", "bt-salad"}
    assert rejected["salad"].startswith("fluency: English scores ")
    assert rows[5].scores["fluency.words"] == 3 and rows[5].scores["fluency.score"] < f.min_score  # not judged
    assert not any(k.startswith("fluency.") for k in rows[6].scores)
    s = rows[0].scores
    assert abs(s["fluency.raw"] - (s["fluency.fwd"] + s["fluency.bwd"]) / 2) < 1e-3
    assert abs(s["fluency.score"] - (s["fluency.raw"] - f.center) / f.scale) < 1e-3


def test_unjudged_reject_rejects_what_the_model_cannot_judge() -> None:
    f = Fluency.build(ENGLISH[:10], {"min_train_types": 50})
    f.unjudged = "reject"
    kept, rejected = run(f, [rec("any", "The children are going to school in the morning.")])
    assert not kept and rejected["any"].startswith("fluency-unverified:")


def test_too_little_english_scores_but_does_not_judge() -> None:
    f = Fluency.build(ENGLISH[:10], {"min_score": 0.0, "min_train_types": 50})
    kept, rejected = run(f, [rec("salad", "market friends the going children with to their are the.")])
    assert kept == ["salad"] and not rejected
    sig = f.signature()
    assert sig["judging"] is False and f"{f.lm.types} distinct English words" in sig["note"]
    # Enough words but too few held-out sentences to set the scale: scores, does not judge.
    f = Fluency.build(ENGLISH, {"min_train_types": 5})
    assert not f.judging and "held-out sentences" in f.note


def test_duplicates_count_once_and_settings_default() -> None:
    f = Fluency.build(ENGLISH + ENGLISH, {})
    assert f.lm.sentences == 10  # ENGLISH is 10 sentences three times over
    sig = f.signature()
    assert sig["min_score"] == FLUENCY_DEFAULTS["min_score"] and sig["min_words"] == FLUENCY_DEFAULTS["min_words"]
    assert "4-gram" in sig["model"]


def test_only_real_english_sets_the_scale_when_named() -> None:
    base = Fluency.build(CORPUS, {"min_train_types": 5})
    same = Fluency.build(CORPUS, {"min_train_types": 5}, real=CORPUS)
    assert (same.center, same.scale) == (base.center, base.scale)
    none = Fluency.build(CORPUS, {"min_train_types": 5}, real=[])  # nothing real to hold out: does not judge
    assert not none.judging and "held-out sentences" in none.note
