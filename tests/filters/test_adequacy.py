import random

import pytest

from lrl.filters.adequacy import FEATURES, Adequacy, fold, negatives
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
NAMES = ["Adewale", "Musa", "Chiamaka", "Bola", "Kemi", "Tunde", "Ngozi", "Sani"]


def cipher(en: str) -> str:
    """A made-up language: each word spelled backwards plus "a", in reverse word order (so IBM-1 must
    learn the correspondences, not read them off positions)."""
    return " ".join(w[::-1] + "a" for w in reversed(en.rstrip(".").lower().split())) + "."


@pytest.fixture(scope="module")
def pairs() -> list[tuple[str, str]]:
    rng = random.Random(0)
    out = []
    for i in range(400):
        en = " ".join([rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(PLACES),
                       rng.choice(TIMES)]).capitalize() + "."
        if i % 3 == 0:  # names and numbers are copied across, as in real pairs
            name, num = rng.choice(NAMES), rng.randrange(2, 500)
            out.append((f"{en[:-1]} with {name} for {num} naira.", f"{cipher(en)[:-1]} {num} {name}."))
        else:
            out.append((en, cipher(en)))
    return out


@pytest.fixture(scope="module")
def adequacy(pairs: list[tuple[str, str]]) -> Adequacy:
    # The toy language is a perfect cipher: both classifiers' scales are far wider than on real pairs.
    return Adequacy.build(IBM1Model.train("xx", pairs, 5),
                          {"min_score": -3.0, "min_cut_score": -3.0, "min_known": 3, "min_vocab": 10}, pairs)


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
    assert rejected["misaligned"].startswith("adequacy: score")
    assert "(English least explained" in rejected["truncated-tgt"]
    assert "(language side least explained" in rejected["truncated-src"]
    s = rows[0].scores
    assert s["adequacy.score"] > 0 and s["adequacy.nb_src"] > 0 and s["adequacy.nb_tgt"] > 0
    # Every input to the decision is stored.
    assert {f"adequacy.{k}" for k in (*FEATURES, "logit", "src_known", "tgt_known")} <= set(s)
    assert not any(k.startswith("adequacy.") for k in rows[5].scores)


def test_unknown_names_and_numbers_do_not_sink_a_good_pair(adequacy: Adequacy) -> None:
    # (Ending on "yesterday", as the toy seed's sentences end on a time word: one ending on "kitchen" would
    # look cut short to the truncation classifier, whose end-word evidence the toy seed makes decisive.)
    plain = rec("plain", "My mother cooked rice in the kitchen yesterday.",
                cipher("My mother cooked rice in the kitchen yesterday."))
    names = rec("names", "Oluwaseun cooked 1234 rice in the kitchen yesterday.",
                cipher("Cooked rice in the kitchen yesterday.").rstrip(".") + " 1234 Oluwaseun.")
    kept, _ = run(adequacy, [plain, names])
    assert kept == ["plain", "names"]
    # Unknown words (the name, the number) are left out of the evidence, on both sides.
    assert names.scores["adequacy.src_known"] == plain.scores["adequacy.src_known"] - 2
    assert names.scores["adequacy.tgt_known"] == plain.scores["adequacy.tgt_known"] - 2


def test_too_few_known_words_are_scored_not_judged(adequacy: Adequacy) -> None:
    # (Both sides end a sentence: without the full stop, a 5-character side for a whole English sentence is
    # judged as cut short, test_a_cut_side_is_rejected_as_truncated; and each side ends on a word that ends
    # toy seed sentences — a time word, "ehta" — as one ending on "teacher" or "ecira" would read as dangling,
    # see test_end_words_learnt_from_the_seed_and_a_dangling_short_side.)
    row = rec("few", "Chiamaka laughed loudly at the teacher yesterday.", "ecira ehta.")
    kept, _ = run(adequacy, [row])
    assert kept == ["few"] and row.scores["adequacy.tgt_known"] < 3


def test_without_seed_pairs_it_scores_but_does_not_judge(pairs: list[tuple[str, str]]) -> None:
    a = Adequacy.build(IBM1Model.train("xx", pairs, 5), {"min_vocab": 10})
    assert a.signature()["calibration_pairs"] == 0 and a.signature()["judging"] is False
    assert "seed pairs" in a.signature()["note"]
    a = Adequacy.build(IBM1Model.train("xx", pairs, 5), {}, pairs)
    # Tables that know fewer English words than min_vocab (default 3,000) score but do not judge.
    en = "The teacher sold two yams near the river this morning."
    row = rec("misaligned", en, cipher("His sister found red pepper behind the school on sunday."))
    kept, _ = run(a, [row])
    assert kept == ["misaligned"] and "adequacy.score" in row.scores
    assert a.signature()["judging"] is False and "min_vocab" in a.signature()["note"]


def test_copied_names_and_numbers_anchor_a_pair(adequacy: Adequacy) -> None:
    en = "The teacher sold 12 yams to Adewale near the river this morning."
    xx = "gninroma siht revira eht raena Adewale ota smaya 12 dlosa rehcaeta eht."
    wrong = "The teacher sold 40 yams to Musa near the river this morning."
    good, bad = rec("good", en, xx), rec("bad", wrong, xx)
    kept, _ = run(adequacy, [good, bad])
    assert "good" in kept
    assert good.scores["adequacy.anchors_en"] == good.scores["adequacy.anchors_xx"] == 0
    assert bad.scores["adequacy.anchors_en"] == 2 and bad.scores["adequacy.anchors_xx"] == 2
    assert float(bad.scores["adequacy.score"]) < float(good.scores["adequacy.score"])


def test_punctuation_pattern_counts() -> None:
    from lrl.filters.adequacy import _anchors, _foreign_words, _punct

    assert fold("Làbákẹ́") == fold("Labake") == "labake"
    assert _anchors('He said: "Is Labake here?" in 1999.', True) == {"laba", "#1999"}
    assert _anchors("ላባኬ 12 ነው", False) == {"#12"}
    assert _foreign_words("ላባኬ Facebook ነው") == {"face"}
    assert _punct("Why?") != _punct("Kilode.")


def test_negatives_pair_sentences_of_similar_length() -> None:
    import random

    pairs = [(" ".join(["w"] * n) + f" {n}", f"x{n}") for n in range(1, 40)]
    negs = negatives(pairs, random.Random(0))
    assert negs and all(en != dict(pairs).get(en) for en, _ in negs)
    for en, xx in negs:
        assert abs(len(en.split()) - int(xx[1:])) <= 4 and (en, xx) not in pairs


def test_a_cut_side_is_rejected_as_truncated(adequacy: Adequacy) -> None:
    import copy

    # The truncation classifier alone (the misaligned one off): a side cut mid-sentence is short for the
    # other, lacks its sentence end, and leaves the other side's tail unexplained.
    cut = copy.copy(adequacy)
    cut.min_score = -1e9
    # Every toy seed sentence ends on a time word, so any other last word would look dangling to the short-pair
    # rule: this test is about sentence ends (the dangling rule has its own test below).
    cut.cut_dangling = cut.cut_dangling_any = 0
    en = "The old farmer carried some beans behind the school on sunday."
    xx = cipher(en)
    rows = [rec("whole", en, xx), rec("en-cut", "The old farmer carried some", xx),
            rec("xx-cut", en, " ".join(xx.split()[:4])), rec("short", "The old farmer sold it.", "dlosa."),
            rec("short-open", "The old farmer sold it.", "dlosa")]
    kept, rejected = run(cut, rows)
    # A side under cut_min_chars is judged as cut only when its sentence end is missing.
    assert kept == ["whole", "short"] and rejected["short-open"].startswith("truncated:")
    assert rejected["en-cut"].startswith("truncated: cut score")
    assert rejected["xx-cut"].startswith("truncated: cut score")
    w = rows[0].scores
    assert float(w["adequacy.cut_score"]) > 0 and w["adequacy.cut_en_open"] == w["adequacy.cut_xx_open"] == 0
    assert rows[1].scores["adequacy.cut_en_open"] == 1 and float(rows[1].scores["adequacy.cut_en_short_z"]) > 0
    # The toy language reverses word order, so its cut leaves the English *head* unexplained: the tail
    # features assume roughly monotone order, which real pairs have; here the other evidence decides.
    assert rows[2].scores["adequacy.cut_xx_open"] == 1 and float(rows[2].scores["adequacy.cut_xx_short_z"]) > 0


def test_end_words_learnt_from_the_seed_and_a_dangling_short_side(adequacy: Adequacy) -> None:
    import copy

    from lrl.filters.adequacy_cut import end_odds

    odds = end_odds(["The farmer sold the yams.", "My mother went to the market.", "We ate the yams."] * 20)
    assert odds["the"] < -3 and odds["sold"] < -2  # frequent, never last
    assert odds["yams"] > 0 and odds["market"] > 0
    assert min(end_odds(["a b c d e f g h i j k l m n o p q r s t u v w x y z"] * 200).values()) == -4.0  # clipped
    assert end_odds([]) == {}
    # Short pairs (under cut_min_chars) are judged as cut when a side ends on a word seed sentences never end
    # on, even with no sentence end missing on either side.
    cut = copy.copy(adequacy)
    cut.min_score = -1e9
    # ("ehta" ends every toy seed sentence of the language; "it" is unknown, so it carries no evidence)
    rows = [rec("short", "The old farmer sold it", "ehta"), rec("dangling", "The old farmer", "ehta")]
    kept, rejected = run(cut, rows)
    assert rows[1].scores["adequacy.cut_en_end"] <= -cut.cut_dangling < rows[0].scores["adequacy.cut_en_end"]
    assert kept == ["short"] and rejected["dangling"].startswith("truncated:")
    cut.cut_dangling = 0  # off: short pairs are judged only on their sentence ends ...
    assert run(cut, [rec("dangling", "The old farmer", "ehta")])[0] == []  # ... but the rule at any length holds
    cut.cut_dangling_any = 0
    assert run(cut, [rec("dangling", "The old farmer", "ehta")])[0] == ["dangling"]
    cut.cut_dangling_any = 3.0
    # At any length, a side with no sentence end whose last word is at or below -cut_dangling_any is cut; with
    # its full stop it is left to the classifier.
    en = "His sister found red pepper behind the school on sunday"
    rows = [rec("long-dangling", en + " with the", cipher(en)), rec("long-whole", en + ".", cipher(en)),
            rec("long-stopped", en + " with the.", cipher(en))]
    cut.min_cut_score = -1e9  # the classifier out of the way: the rule alone
    kept, rejected = run(cut, rows)
    assert kept == ["long-whole", "long-stopped"], rejected
    assert rejected["long-dangling"].startswith("truncated: the English ends on a word seed sentences hardly")
    assert rows[0].scores["adequacy.cut_en_stop"] == 0 and rows[1].scores["adequacy.cut_en_stop"] == 1
    cut.cut_dangling_any = 0
    assert run(cut, [rec("long-dangling", en + " with the", cipher(en))])[0] == ["long-dangling"]


def test_stem_tables_explain_an_unseen_inflection() -> None:
    from lrl.filters.adequacy_features import stem_text

    # "walked"/"walking" and a marked form fold to one stem, so one seen form explains the others.
    assert stem_text("Walked walking WALKS", 4) == "walk walk walk"
    assert stem_text("Ẹ̀kọ́ ẹkọ", 3) == "eko eko"
    assert stem_text("ተማሪዎቹ ተማሪ", 3) == "ተማሪ ተማሪ"


def test_shared_tokens_and_counts_match_the_per_text_definitions() -> None:
    """The scoring shortcuts agree with the plain definitions: a stem text's words from its words' stems,
    and the word weights counted in lists (against counting per pair with _explained)."""
    import math
    from collections import Counter

    from lrl.filters.adequacy_features import (
        ALPHA,
        PRIOR_ALIGNED,
        PRIOR_CHANCE,
        Text,
        _explained,
        _weights,
        _words,
        stem_text,
        stem_words,
    )

    rng = random.Random(5)
    pool = list("abcdeẹọàáÀ-'’ .,!?") + ["\u0301", "\u0323", "ﬁ", "가", "İ"]
    texts = ["".join(rng.choice(pool) for _ in range(rng.randrange(0, 40))) for _ in range(2000)]
    for t in texts:
        words = Text(t).words
        for chars in (1, 3, 5):
            assert stem_words(words, chars) == _words(stem_text(t, chars)), (t, chars)
    pairs = [(_words(a), _words(b)) for a, b in zip(texts[::2], texts[1::2], strict=True)]
    vocab = sorted({w for p in pairs for side in p for w in side})
    table = {w: set(rng.sample(vocab, 3)) for w in rng.sample(vocab, len(vocab) // 2)}
    for side in (0, 1):
        hit: Counter[str] = Counter()
        seen: Counter[str] = Counter()
        chance: Counter[str] = Counter()
        chance_seen: Counter[str] = Counter()
        n = len(pairs)
        for i, p in enumerate(pairs):
            for w, ok in _explained(p[side], p[1 - side], table):
                seen[w] += 1
                hit[w] += ok
            for w, ok in _explained(p[side], pairs[(i + n // 2) % n][1 - side], table):
                chance_seen[w] += 1
                chance[w] += ok
        expected = {}
        for w in table:
            b = (chance[w] + ALPHA * PRIOR_CHANCE) / (chance_seen[w] + ALPHA)
            a = max((hit[w] + ALPHA * PRIOR_ALIGNED) / (seen[w] + ALPHA), b)
            expected[w] = (math.log(a / b), math.log((1 - a) / (1 - b)))
        assert _weights(pairs, side, table) == expected
