"""The word-order evidence of the fluency check (lrl/filters/word_order.py): shuffles, gaps, and decisions on
hand-written sentences."""

import random

import numpy as np

from lrl.filters.fluency import Fluency
from lrl.filters.word_order import OrderScale, gaps, robust, shuffled_words, shuffles
from lrl.models.ibm1 import tokenize
from lrl.models.wordclass import ClassLM, classes
from lrl.record import Record
from tests.filters.test_fluency import CORPUS, run


def test_shuffles_keep_the_words_the_capital_and_the_final_punctuation() -> None:
    out = shuffles("The doctor is going to the river.", 8)
    assert len(out) == 8 and len(set(out)) == 8
    for s in out:
        assert s.endswith(".") and s[0].isupper()
        assert sorted(s.rstrip(".").lower().split()) == sorted(["the", "doctor", "is", "going", "to", "the", "river"])
        assert s != "The doctor is going to the river."
    # the same text gets the same shuffles in every process (the kept rows cannot depend on the executor)
    assert shuffles("The doctor is going to the river.", 8) == out
    assert shuffles("Hello.", 8) == [] and shuffles("", 8) == [] and shuffles("a b c", 0) == []
    assert sorted(shuffles("Go home!", 8)) == ["Home go!"]  # two words: one other order
    # "I" and names keep their capitals wherever they land; no other word gains one
    assert all(sorted(s.split()) == ["I", "Lagos", "see"] for s in shuffles("I see Lagos", 5))


def test_gaps_are_the_score_minus_the_mean_of_the_shuffles() -> None:
    # a "model" that scores a text by how many of its words are in alphabetical order after the previous one
    def score(texts: list[str]) -> np.ndarray:
        return np.array([float(sum(a < b for a, b in zip(t.split(), t.split()[1:], strict=False))) for t in texts])

    g = gaps(score, ["a b c d e f", "f e d c b a", "x"], 8)
    assert g[0] > 1.5 and g[1] < -1.5 and g[2] == 0.0


def test_robust_scale_ignores_a_few_odd_values_and_the_order_scale_sets_its_quantile_at_zero() -> None:
    rng = np.random.default_rng(0)
    bulk = rng.normal(1.0, 0.5, 990)
    center, scale = robust(np.r_[bulk, np.full(10, -50.0)])
    assert abs(center - 1.0) < 0.1 and abs(scale - 0.5) < 0.1  # std would be ~5
    raw, gap = rng.normal(1.0, 0.5, 1000), rng.normal(2.0, 0.6, 1000)
    s = OrderScale(raw, gap, 0.01)
    scores = np.array([s.score(r, g) for r, g in zip(raw, gap, strict=True)])
    assert abs((scores < 0).mean() - 0.01) < 0.005
    assert s.score(1.0, 0.0) < 0 < s.score(1.0, 2.0)  # same words, no order: rejected; usual order: kept


def rec(i: str, src: str) -> Record:
    return Record(id=i, src=src, tgt="Àwọn ọmọdé", origin="bt")


def test_word_order_rejects_salad_the_absolute_score_lets_through() -> None:
    f = Fluency.build(CORPUS, {"min_train_types": 5, "holdout_every": 3})
    assert f.judging and f.order is not None, f.note
    clean = [rec(f"c{i}", s) for i, s in enumerate([
        "The doctor is going to the river with her friends.",
        "My mother was walking to the church before the meeting.",
        "Their neighbours wanted to visit the new school on Sunday."])]
    salad = [rec(f"s{i}", s) for i, s in enumerate([
        "The church walking my to the mother was meeting before.",
        "Sunday visit their the new wanted on neighbours school to."])]
    loose = Fluency.build(CORPUS, {"min_train_types": 5, "holdout_every": 3, "min_score": -1000.0})
    kept, rejected = run(loose, [*clean, *salad])
    assert kept == ["c0", "c1", "c2"], rejected
    assert all(why.startswith("word-order: English reads little better than its own words shuffled")
               for why in rejected.values())
    assert all(r.scores["fluency.order_gap"] < 0.5 for r in salad)
    assert all(r.scores["fluency.order_gap"] > 1.0 for r in clean)
    # off: the same rows pass the loose absolute bar and carry no order scores
    off = Fluency.build(CORPUS, {"min_train_types": 5, "holdout_every": 3, "min_score": -1000.0, "order_samples": 0})
    fresh = [rec(r.id, r.src) for r in [*clean, *salad]]
    kept, _ = run(off, fresh)
    assert len(kept) == 5 and not any("fluency.order_score" in r.scores for r in fresh)
    assert "order" in f.describe() and "order" not in off.describe()


def test_short_sentences_get_no_shuffles() -> None:
    f = Fluency.build(CORPUS, {"min_train_types": 5, "holdout_every": 3})
    r = rec("short", "river the to")
    kept, _ = run(f, [r])
    assert kept == ["short"] and "fluency.order_score" not in r.scores


def test_shuffle_classes_are_the_classes_of_the_shuffled_text() -> None:
    """Fluency classes a shuffle from its words' tokens (ClassLM.shuffle_ids) instead of tokenizing the shuffled
    text: the same ids, first-token class included, on hand-picked and random text (marks after a space,
    text not in NFC, inner apostrophes and hyphens, final punctuation, capitals whose case changes length)."""
    lm = ClassLM.train(CORPUS, 4, 20)
    texts = ["The doctor is going to the river.", "Ọmọ náà lọ sí ọjà ní àárọ̀.", "e \u0301a b c!", "A\u030a b c d",
             "a\u0323\u0301 b\u0301\u0323 c", "Don't stop-me now…", "İstanbul is a big city.", "ǅemal went home?!",
             "The U.S.A. isn't 'big' -- really?", "x y .", "ﬁne ﬂow of ‘quotes’ »here«", "Ìbàdàn\xa0is\u3000far ።",
             "I see Lagos", "Go home!", "«Hello», he said.", "ß-street is 20 km away."]
    pool = list("abcdeXYZ019 '’-.,!?…።\u0300\u0301\u0323ẹọṣÀİßǅ_\xa0\u2028")
    rng = random.Random(7)
    texts += ["".join(rng.choice(pool) for _ in range(rng.randrange(1, 40))) for _ in range(500)]
    get = lm.forward.vocab.get
    checked = 0
    for t in texts:
        assert lm.class_ids(tokenize(t)) == [get(c, 0) for c in classes(t, lm.keep)]
        orders, end = shuffled_words(t, 8)
        texts_shuffled = shuffles(t, 8)
        assert [" ".join(o) + end for o in orders] == texts_shuffled
        assert lm.shuffle_ids(orders, end) == [[get(c, 0) for c in classes(s, lm.keep)] for s in texts_shuffled]
        checked += len(orders)
    assert checked > 1500
