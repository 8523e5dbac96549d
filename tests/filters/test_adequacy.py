import random

import pytest

from lrl.filters.adequacy import ADEQUACY_DEFAULTS, Adequacy
from lrl.models.ibm1 import IBM1Model
from lrl.record import Record
from lrl.step import RunContext, Stats


def run(step, records):  # type: ignore[no-untyped-def]
    rejected: list[tuple[str, str]] = []
    ctx = RunContext(stats=Stats(), on_reject=lambda r, s, why: rejected.append((r.id, why)))
    kept = [r.id for r in step.run(records, ctx)]
    return kept, dict(rejected)


SUBJECTS = ["the teacher", "my mother", "the old farmer", "our children", "his sister"]
VERBS = ["bought", "cooked", "sold", "carried", "found"]
OBJECTS = ["rice", "fresh fish", "two yams", "red pepper", "some beans"]
PLACES = ["at the market", "in the kitchen", "near the river", "behind the school"]
TIMES = ["yesterday", "this morning", "on sunday"]


def cipher(en: str) -> str:
    """A made-up language: each word spelled backwards plus "a", in reverse word order (so IBM-1 must
    learn the correspondences, not read them off positions)."""
    return " ".join(w[::-1] + "a" for w in reversed(en.rstrip(".").lower().split())) + "."


@pytest.fixture(scope="module")
def pairs() -> list[tuple[str, str]]:
    rng = random.Random(0)
    out = []
    for _ in range(400):
        en = " ".join([rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(PLACES),
                       rng.choice(TIMES)]).capitalize() + "."
        out.append((en, cipher(en)))
    return out


@pytest.fixture(scope="module")
def adequacy(pairs: list[tuple[str, str]]) -> Adequacy:
    return Adequacy.build(IBM1Model.train("xx", pairs, 5), {"min_score": 0.0, "min_known": 3, "min_vocab": 10},
                          pairs)


def rec(i: str, src: str, tgt: str, origin: str = "seed") -> Record:
    return Record(id=i, src=src, tgt=tgt, origin=origin)


def test_aligned_passes_misaligned_and_truncated_fail(adequacy: Adequacy) -> None:
    en = "The teacher sold two yams near the river this morning."
    other = "His sister found red pepper behind the school on sunday."
    rows = [
        rec("aligned", en, cipher(en)),
        rec("tagged-bt", "<BT> " + other, cipher(other), origin="bt"),
        rec("misaligned", other, cipher(en)),
        rec("truncated-tgt", en, " ".join(cipher(en).split()[:4])),
        rec("truncated-src", "The teacher sold two", cipher(en)),
        rec("mono", "", cipher(en), origin="mono"),
    ]
    kept, rejected = run(adequacy, rows)
    assert kept == ["aligned", "tagged-bt", "mono"]
    assert rejected["misaligned"].startswith("adequacy: lexical score")
    assert "(English least explained" in rejected["truncated-tgt"]
    assert "(language side least explained" in rejected["truncated-src"]
    s = rows[0].scores
    assert s["adequacy.score"] == min(s["adequacy.src"], s["adequacy.tgt"]) > 0
    assert not any(k.startswith("adequacy.") for k in rows[5].scores)


def test_unknown_names_and_numbers_do_not_sink_a_good_pair(adequacy: Adequacy) -> None:
    plain = rec("plain", "My mother cooked rice in the kitchen.", cipher("My mother cooked rice in the kitchen."))
    names = rec("names", "Chiamaka cooked 12 rice in the kitchen.",
                cipher("Cooked rice in the kitchen.").rstrip(".") + " 12 Chiamaka.")
    kept, _ = run(adequacy, [plain, names])
    assert kept == ["plain", "names"]
    # Unknown words (the name, the number) are left out of the evidence, on both sides.
    assert names.scores["adequacy.src_known"] == plain.scores["adequacy.src_known"] - 2
    assert names.scores["adequacy.tgt_known"] == plain.scores["adequacy.tgt_known"] - 2


def test_too_few_known_words_are_scored_not_judged(adequacy: Adequacy) -> None:
    row = rec("few", "Chiamaka laughed loudly at the teacher.", "ecira")
    kept, _ = run(adequacy, [row])
    assert kept == ["few"] and row.scores["adequacy.tgt_known"] < 3


def test_without_calibration_pairs_every_word_has_the_prior_weight(pairs: list[tuple[str, str]]) -> None:
    a = Adequacy.build(IBM1Model.train("xx", pairs, 5), {})
    assert a.signature()["calibration_pairs"] == 0 and a.min_score == ADEQUACY_DEFAULTS["min_score"]
    assert len(set(a.en_weights.values())) == 1
    # Tables that know fewer English words than min_vocab (default 3,000) score but do not judge.
    en = "The teacher sold two yams near the river this morning."
    row = rec("misaligned", en, cipher("His sister found red pepper behind the school on sunday."))
    kept, _ = run(a, [row])
    assert kept == ["misaligned"] and "adequacy.score" in row.scores
    assert a.signature()["judging"] is False and "min_vocab" in a.signature()["note"]
