from pathlib import Path

from lrl.filters.untranslated import UNTRANSLATED_DEFAULTS, Untranslated, vocabularies, words
from lrl.languages.plugin import load_plugin
from lrl.record import Record
from lrl.step import RunContext, Stats
from tests.conftest import REPO

# Hand-written seed pairs (NFC, tone-marked Yoruba; Hausa with hooked letters; Amharic in Ethiopic).
YO_SEED = [
    ("The children are going to school.", "Àwọn ọmọdé ń lọ sí ilé ìwé."),
    ("My mother bought yam at the market.", "Ìyá mi ra iṣu ní ọjà."),
    ("We are going to the market today.", "A ń lọ sí ọjà lónìí."),
    ("He said that the children are at home.", "Ó sọ pé àwọn ọmọdé wà ní ilé."),
    ("A man came to the house.", "Ọkùnrin kan wá sí ilé náà."),
]
HA_SEED = [
    ("The boy went to the market.", "Yaron ya tafi kasuwa."),
    ("The girl and the boy ate rice.", "Yarinya da yaron sun ci shinkafa."),
    ("He did not go to the market.", "Bai tafi kasuwa ba."),
    ("The children and their mother came.", "Yara da mahaifiyarsu sun zo."),
    ("He went to the farm with his father.", "Ya tafi gona da mahaifinsa."),
    ("A man bought a goat.", "Wani mutum ya sayi akuya."),
]
AM_SEED = [
    ("The child went to school.", "ልጁ ወደ ትምህርት ቤት ሄደ።"),
    ("We ate bread.", "ዳቦ በላን።"),
]


def run(step, records):  # type: ignore[no-untyped-def]
    rejected: dict[str, str] = {}
    ctx = RunContext(stats=Stats(), on_reject=lambda r, s, why: rejected.__setitem__(r.id, why))
    kept = [r.id for r in step.run(records, ctx)]
    return kept, rejected


def bt(i: str, src: str, tgt: str) -> Record:
    return Record(id=i, src=src, tgt=tgt, origin="bt")


def build(code: str, seed: list[tuple[str, str]], **settings) -> Untranslated:  # type: ignore[no-untyped-def]
    return Untranslated.build(load_plugin(REPO / "languages" / code), seed, {**UNTRANSLATED_DEFAULTS, **settings})


def test_words_keep_tone_marks_and_drop_numbers() -> None:
    assert words("Ọmọ náà ra ẹ̀wà 25 ní 10:30, ọ̀rẹ́-mi!") == ["Ọmọ", "náà", "ra", "ẹ̀wà", "ní", "ọ̀rẹ́-mi"]


def test_yoruba_words_left_in_the_english() -> None:
    f = build("yo", YO_SEED)
    tgt = "Ìyá mi ń jẹ àmàlà pẹ̀lú ẹ̀wà ní ilé."
    kept, rejected = run(f, [
        bt("clean", "My mother is eating amala and beans at home.", tgt),
        bt("one", "My mother is eating àmàlà and beans at home.", tgt),
        bt("two", "My mother is eating àmàlà with ẹ̀wà at home.", tgt),
        bt("tagged", "<BT> The greeting our gbádùn amala and stew ewédú when mother me.", tgt),
        # Names (capitalized) are copied legitimately, tone marks or not.
        bt("names", "Adé and Túndé saw Fúnmi at Ọ̀yọ́ yesterday.", "Adé àti Túndé rí Fúnmi ní Ọ̀yọ́ lánàá."),
        bt("numbers", "He bought 25 yams for 3000 naira.", "Ó ra iṣu 25 ní 3000 náírà."),
        Record(id="mono", src="", tgt=tgt, origin="mono"),
    ])
    assert kept == ["clean", "one", "names", "numbers", "mono"]
    assert rejected["two"].startswith("untranslated: 2 of 9 English-side words")
    assert rejected["tagged"].startswith("untranslated: 2 of 11")  # the <BT> tag is not a word


def test_generated_english_is_held_to_one_word_left_in_names_aside() -> None:
    # What the bt checks set (generate/registry.py: strict, min_unnamed = bt.untranslated_min_words).
    f = build("yo", YO_SEED)
    f.strict, f.min_unnamed = True, 1
    tgt = "Ìyá mi ń jẹ àmàlà pẹ̀lú ẹ̀wà ní ilé."
    kept, rejected = run(f, [
        bt("clean", "My mother is eating amala and beans at home.", tgt),
        bt("one", "My mother is eating àmàlà and beans at home.", tgt),
        # one name in the language's spelling is not enough on its own, at the start of the sentence too (a
        # capitalized first word may be a name); two are (strict counts names)
        bt("name", "Adé saw the children at the market.", "Adé rí àwọn ọmọdé ní ọjà."),
        bt("first", "Lát'ọwọ́ Wikipedia, the knowledge ọ̀fẹ́.", "Lát'ọwọ́ Wikipedia, ìwé ìmọ̀ ọ̀fẹ́."),
        bt("names", "Adé and Túndé saw the children.", "Adé àti Túndé rí àwọn ọmọdé."),
    ])
    assert kept == ["clean", "name"], rejected
    assert rejected["one"].startswith("untranslated: 1 of 9 English-side words")
    assert set(rejected) == {"one", "first", "names"}
    f.min_unnamed = 0  # off: as for input rows
    kept, _ = run(f, [bt("one", "My mother is eating àmàlà and beans at home.", tgt)])
    assert kept == ["one"]


def test_scores_name_each_kind_and_the_decision_follows_them() -> None:
    f = build("yo", YO_SEED)
    r = bt("r", "The ọmọdé are sí the market, lọ home.", "Àwọn ọmọdé ń lọ sí ọjà.")
    s = f.score(r)
    assert (s["words"], s["lrl_words"], s["marked"]) == (8, 3, 3)
    assert s["share"] == round(3 / 8, 4)
    assert f.decide(r, s) is not None
    assert f.decide(r, {**s, "lrl_words": 1}) is None
    strict = build("yo", YO_SEED, min_words=2, min_share=0.5)
    assert strict.decide(r, s) is None


def test_hausa_function_words_and_hooked_letters() -> None:
    f = build("ha", HA_SEED * 3)  # three times: frequent enough to be words of the language
    tgt = "Yaron ya ci ƙwai da shinkafa a kasuwa."
    kept, rejected = run(f, [
        bt("clean", "The boy ate eggs and rice at the market.", tgt),
        bt("a-is-english", "The boy ate a egg at a market.", tgt),  # Hausa "a" is English "a" too
        bt("function", "The boy ya ate eggs da rice.", tgt),
        bt("hooked", "The boy ate ƙwai and shinkafa.", tgt),  # ƙ marks it; shinkafa is copied and unknown
        bt("copied", "boy the kasuwa ate rice.", tgt),  # one word of the language only: kept
    ])
    assert kept == ["clean", "a-is-english", "copied"]
    assert "2 of 7" in rejected["function"] and "2 of 6" in rejected["hooked"]
    s = f.score(bt("h", "The boy ate ƙwai and shinkafa.", tgt))
    assert s["marked"] == 1 and s["vocab"] + s["copied"] == 1


def test_amharic_script_on_the_english_side() -> None:
    f = build("am", AM_SEED)
    kept, rejected = run(f, [
        bt("clean", "The child went to school.", "ልጁ ወደ ትምህርት ቤት ሄደ።"),
        bt("ethiopic", "The child ወደ ትምህርት went.", "ልጁ ወደ ትምህርት ቤት ሄደ።"),
        bt("one", "The ልጁ went to school.", "ልጁ ወደ ትምህርት ቤት ሄደ።"),
    ])
    assert kept == ["clean", "one"] and rejected["ethiopic"].startswith("untranslated: 2 of 5")


def test_seed_english_that_carries_language_words_does_not_make_them_english() -> None:
    # Real seeds quote Yoruba on the English side; a word is English only when the English side uses it
    # at least a tenth as often as the language side does.
    seed = [*YO_SEED, ("He said ó tí ní.", "Ó ní ó tí dé.")] + [("x", "Ó tí ní ó tí ní ó tí ní.")] * 20
    english, lrl = vocabularies(seed)
    assert "tí" in lrl and "tí" not in english
    assert {"the", "a", "market"} <= english


def test_lexicon_words_count_and_names_do_not(tmp_path: Path) -> None:
    from tests.conftest import write_plugin

    plugin = load_plugin(write_plugin(tmp_path / "languages"))
    f = Untranslated.build(plugin, [], {})
    assert "ìrẹsì" in f.language_words and "ọjà" in f.language_words
    # A capitalized word after the first is a name, whatever the lexicon says.
    assert f.score(bt("n", "Then Adé went to ọjà.", ""))["lrl_words"] == 1
    # Lexicon names spelt alike in both languages are not words of the language.
    assert "musa" not in build("ha", []).language_words
    r = bt("r", "Ade went to ọjà to buy ìrẹsì.", "")
    assert f.score(r)["lrl_words"] == 2 and f.decide(r, f.score(r))
    assert f.signature()["min_words"] == 2


def test_empty_and_odd_input_never_raises() -> None:
    f = build("yo", YO_SEED)
    for src, tgt in [("", ""), ("...", "!!!"), ("12:30 100%", "12:30"), ("\u0301\u0323", "ẹ"), ("<BT> ", "ọ")]:
        s = f.score(Record(id="x", src=src, tgt=tgt, origin="bt"))
        assert f.decide(Record(id="x", src=src, tgt=tgt, origin="bt"), s) is None


def test_wordfreq_knows_english_a_small_seed_has_not_seen() -> None:
    laugh = bt("laugh", "He laughed: ha ha ha.", "Ó rẹ́rìn-ín: ha ha ha.")
    without = build("yo", YO_SEED, english_wordfreq=False)
    assert without.decide(laugh, without.score(laugh)) is not None  # "ha" copied three times
    with_wf = build("yo", YO_SEED)
    assert with_wf.decide(laugh, with_wf.score(laugh)) is None
    # ... but it does not make the seed's language words English: "tí" is common in the seed's Yoruba.
    seed = YO_SEED + [("He came.", "Ó tí dé.")] * 3
    assert "tí" in build("yo", seed).language_words


def test_word_fast_paths_match_the_regex_definitions() -> None:
    """words() and _is_number skip their per-character test for words of letters only; same results."""
    import random
    import re

    from lrl.filters.untranslated import _HAS_LETTER, _WORD, _is_number, words

    rng = random.Random(11)
    pool = list("aZẹ09²Ⅻ_'’- .\u0301\u0323") + ["gbádùn", "ọmọ-ọba", "1980s", "x²"]
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randrange(0, 25)))
        assert words(text) == [w for w in _WORD.findall(text) if _HAS_LETTER.search(w)]
        for w in re.findall(r"\S+", text):
            assert _is_number(w) == any(ch.isdigit() for ch in w)
