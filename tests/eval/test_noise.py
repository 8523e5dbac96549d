"""The noise maker's classes do what they say (eval/filters/noise.py), on hand-written pairs."""

from __future__ import annotations

import csv
import importlib.util
import random
import sys
from collections import Counter
from pathlib import Path

import pytest

NOISE = Path(__file__).resolve().parents[2] / "eval" / "filters" / "noise.py"
_spec = importlib.util.spec_from_file_location("lrl_eval_noise", NOISE)
assert _spec and _spec.loader
noise = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = noise  # dataclasses look their module up here
_spec.loader.exec_module(noise)

PAIRS = [
    ("My mother bought yam and pepper at the market yesterday evening.",
     "Ìyá mi ra iṣu àti ata ní ọjà ní ìrọ̀lẹ́ àná."),
    ("The children are going to school early in the morning with their friends.",
     "Àwọn ọmọdé ń lọ sí ilé ìwé ní àárọ̀ kùtù pẹ̀lú àwọn ọ̀rẹ́ wọn."),
    ("Ade saw Funmi at the big market on Monday morning.", "Adé rí Fúnmi ní ọjà ńlá ní àárọ̀ ọjọ́ Ajé."),
    ("The farmer planted maize and cassava on his farm this year.",
     "Àgbẹ̀ náà gbin àgbàdo àti ẹ̀gẹ́ sí oko rẹ̀ lọ́dún yìí."),
    ("We will travel to Lagos by bus next week with our father.",
     "A ó rìnrìn àjò lọ sí Èkó nínú bọ́ọ̀sì lọ́sẹ̀ tó ń bọ̀ pẹ̀lú bàbá wa."),
    ("Please close the door quietly because the baby is sleeping now.",
     "Jọ̀wọ́ ti ilẹ̀kùn jẹ́ẹ́jẹ́ẹ́ nítorí ọmọ ọwọ́ ń sùn báyìí."),
]
HAUSA = ["Yara suna zuwa makaranta da safe tare da abokansu.", "Mahaifiyata ta sayi doya da barkono a kasuwa."]
VOCAB = ["ilé", "ọjà", "ìwé", "omi"]


def test_shuffle_keeps_the_word_multiset_and_changes_the_order():
    rng = random.Random(1)
    for en, _ in PAIRS:
        out = noise.shuffle_words(en, rng)
        assert out is not None and out != en
        fold = lambda s: Counter(w.lower() for w in s.rstrip(".").split())  # noqa: E731
        assert fold(out) == fold(en)
        assert out.endswith(".") and out[0].isupper()
    assert noise.shuffle_words("Too short here.", rng) is None  # < 5 words: not shuffled


def test_truncation_keeps_a_prefix_of_30_to_70_percent_of_the_words():
    rng = random.Random(2)
    for en, xx in PAIRS:
        for text in (en, xx):
            cut = noise.truncate(text, rng)
            assert cut is not None and text.startswith(cut)
            n, k = len(text.split()), len(cut.split())
            assert 1 <= k < n and 0.3 * n - 1 <= k <= 0.7 * n + 1
    assert noise.truncate("four words only here", rng) is None


def test_untranslated_puts_two_or_three_words_of_the_pair_on_the_english_side():
    rng = random.Random(3)
    for en, xx in PAIRS:
        out, put = noise.untranslate(en, xx, rng, VOCAB)
        assert 2 <= len(put) <= 3
        assert len(out.split()) == len(en.split())
        assert all(w in out for w in put)


def test_near_duplicate_folds_to_the_key_of_its_original():
    rng = random.Random(4)
    for en, xx in PAIRS:
        e, x, how = noise.near_duplicate(en, xx, rng, tonal=True)
        assert (e, x) != (en, xx) and how
        assert noise.fold_key(e) == noise.fold_key(en) and noise.fold_key(x) == noise.fold_key(xx)


def test_tone_stripping_keeps_the_dot_below():
    assert noise.strip_tones("Ìyá mi ra iṣu ní ọjà") == "Iya mi ra iṣu ni ọja"


def test_markup_adds_web_debris_and_keeps_the_text():
    rng = random.Random(5)
    for en, _ in PAIRS:
        out, kinds = noise.add_markup(en, rng)
        assert out != en and kinds
        assert any(s in out for s in ("<", "&", "http", "www.", "@"))


def test_make_gives_every_class_n_rows_with_near_duplicates_after_their_originals(tmp_path):
    clean = [noise.Pair(en, xx, f"t:{i}") for i, (en, xx) in enumerate(PAIRS * 4)]
    # distinct pairs so that "another pair" always exists
    clean = [noise.Pair(p.en.replace(".", f" {i}."), p.lrl.replace(".", f" {i}."), p.where)
             for i, p in enumerate(clean)]
    rows = noise.make(clean, [noise.Foreign("ha", HAUSA)], VOCAB, n=3, seed=7, tonal=True)
    counts = Counter(r.cls for r in rows)
    assert counts == {c: 3 for c in ("clean", *noise.DAMAGE, *noise.TONAL_ONLY)}
    assert rows == noise.make(clean, [noise.Foreign("ha", HAUSA)], VOCAB, n=3, seed=7, tonal=True)
    n_clean = counts["clean"]
    assert all(r.cls == "clean" for r in rows[:n_clean])
    for r in rows:
        if r.cls == "copy":
            assert r.en == r.lrl
        if r.cls == "wrong-lang-lrl" and r.detail == "ha":
            assert r.lrl in HAUSA
    files, labels = noise.write(rows, tmp_path, "yo")
    assert [f.name for f in files] == ["clean.tsv", *(f"{c}.tsv" for c in dict.fromkeys(
        r.cls for r in rows if r.cls != "clean"))]
    with open(labels, encoding="utf-8") as f:
        lab = list(csv.DictReader(f, delimiter="\t"))
    assert Counter(r["class"] for r in lab) == counts
    bodies = {}
    for path in files:
        with open(path, encoding="utf-8") as f:
            bodies[path.name] = list(csv.reader(f, delimiter="\t"))
    clean_rows = bodies["clean.tsv"][1:]
    for body in bodies.values():
        assert body[1:1 + n_clean] == clean_rows  # every class file starts with the clean rows
    for r in lab:
        _, name, line = r["id"].split(":")
        row = bodies[name][int(line) - 1]
        if r["class"] == "copy":
            assert row[0] == row[1]
        if r["class"] == "near-duplicate":
            _, oname, oline = r["copy_of"].split(":")
            assert oname == name and int(oline) < int(line)
            orig = bodies[name][int(oline) - 1]
            assert orig in clean_rows
            assert [noise.fold_key(t) for t in row] == [noise.fold_key(t) for t in orig]


def test_too_small_a_pool_is_an_error():
    with pytest.raises(SystemExit):
        noise.make([noise.Pair("a b c d e", "f g h i j", "t:1")], [], VOCAB, n=3, seed=1, tonal=False)
