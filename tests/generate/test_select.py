"""Data selection before back-translation (lrl/generate/select.py): what ranks first and why."""

from __future__ import annotations

from lrl.generate.select import Selector

SEED = ["ọmọ náà lọ sí ọjà", "ìyá mi ra iṣu ní ọjà", "bàbá mi lọ sí oko", "àwọn ọmọ ń jẹun",
        "ọjà náà tóbi", "ìwé ni mo kà", "ìyá náà ra ìwé", "ọkọ̀ náà dé"]


def test_rank_prefers_new_but_translatable_words_of_a_normal_length() -> None:
    texts = ["ọmọ náà lọ sí ọjà",                       # nothing new: every word common in the seed
             "bàbá mi ra oko ní",                         # words the seed has once or twice
             "xqzt vbnm klop rtyu",                         # nothing the seed knows: untranslatable
             "ìwé"]                                         # one word: far from the seed's lengths
    sel = Selector("rank", 1, SEED).choose(texts)
    assert sel.chosen == [1] and sel.rest == [0, 2, 3]
    assert sel.scores[2]["known"] == 0.0 and sel.scores[2]["score"] == 0.0
    assert sel.scores[3]["length"] < sel.scores[1]["length"]
    assert sel.scores[1]["rank"] == 1.0 and "rank" not in sel.scores[0]


def test_a_word_already_chosen_is_worth_less_the_second_time() -> None:
    texts = ["bàbá mi ra oko", "bàbá mi ra oko", "àwọn ọmọ jẹun"]
    static = Selector("rank", 0, SEED).choose(texts)
    # the copy scores higher alone, but once its twin is chosen the third row covers more
    assert static.scores[0]["score"] > static.scores[2]["score"]
    assert static.chosen == [0, 2, 1]


def test_domain_sample_pulls_its_rows_up() -> None:
    texts = ["ọkọ̀ náà dé ọjà", "bàbá mi ra oko"]
    plain = Selector("rank", 1, SEED).choose(texts)
    domain = Selector("rank", 1, SEED, domain=["ọkọ̀ dé", "ọkọ̀ náà tóbi", "ọkọ̀ mi dé"]).choose(texts)
    assert plain.chosen == [1] and domain.chosen == [0]
    assert domain.scores[0]["domain"] == 1.0 and domain.scores[1]["domain"] == 0.0


def test_random_is_reproducible_and_none_keeps_order() -> None:
    texts = [f"ọmọ {i}" for i in range(50)]
    a = Selector("random", 10, SEED, random_seed=3).choose(texts)
    b = Selector("random", 10, SEED, random_seed=3).choose(texts)
    assert a.chosen == b.chosen and len(a.chosen) == 10 and len(a.rest) == 40
    assert sorted(a.chosen + a.rest) == list(range(50))
    c = Selector("none", 0, SEED).choose(texts)
    assert c.chosen == list(range(50)) and c.rest == []
