"""The fast paths (issue 11) give exactly what the per-character rules they replaced give."""

from __future__ import annotations

import random
import unicodedata

import numpy as np

from lrl.filters.lid_backends import load_identifier
from lrl.filters.lid_batch import VECTOR_MIN, BatchScorer
from lrl.filters.orthography import _TONES, _VOWELS, tone_share
from lrl.filters.script import script_share

TEXTS = ["Àwọn ọmọdé ń lọ sí ilé ìwé ní àárọ̀ kùtù pẹ̀lú àwọn ọ̀rẹ́ wọn.", "ẸKỌ́ ÀTI ÌWÉ", "The market is big.",
         "ሰላም ነው? Yes.", "", "1 2 3 !!", "Ọ̀ṣun", "o\u0323\u0301 e\u0301\u0323 a\u0308\u0300"]


def _script_share_ref(text: str, prefix: str) -> tuple[float, int]:
    first = prefix.split(" ", 1)[0]
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0, 0
    hits = sum(1 for ch in letters if unicodedata.name(ch, "").split(" ", 1)[0] == first)
    return hits / len(letters), len(letters)


def _tone_share_ref(text: str) -> tuple[float, int]:
    vowels = marked = 0
    d = unicodedata.normalize("NFD", text)
    for i, ch in enumerate(d):
        if ch in _VOWELS:
            vowels += 1
            j = i + 1
            while j < len(d) and unicodedata.combining(d[j]):
                if d[j] in _TONES:
                    marked += 1
                    break
                j += 1
    return (marked / vowels if vowels else 0.0), vowels


def _random_texts(n: int) -> list[str]:
    rng = random.Random(0)
    pool = list("aeiouAEIOU bkẹọṣ.,!?1ሰላምαβЖ") + ["\u0300", "\u0301", "\u0323", "\u0329", "\u0302", "\u0308",
                                                 "\u0327", "\u200b", "\U0001d400", "\u01c5", "\u0001", "\u0002"]
    return [*TEXTS, *("".join(rng.choice(pool) for _ in range(rng.randrange(30))) for _ in range(n))]


def test_script_share_matches_the_per_character_rule() -> None:
    for text in _random_texts(1500):
        for prefix in ("LATIN", "ETHIOPIC SYLLABLE", "GREEK"):
            assert script_share(text, prefix) == _script_share_ref(text, prefix), (text, prefix)


def test_script_classes_read_back_from_the_cache_are_the_scanned_ones() -> None:
    """The letter classes are kept in $LRL_CACHE/unicode (the scan is 0.3–0.9 s per process): a class read
    back compiles to the pattern the scan made."""
    from lrl.filters import script
    from lrl.models import cache_root

    for first in ("LATIN", "ETHIOPIC"):
        for old in (cache_root() / "unicode").glob(f"letters-{first}-*.re"):
            old.unlink()
        script._script_letters.cache_clear()
        scanned = script._script_letters(first)  # scanned, then written to the cache
        assert list((cache_root() / "unicode").glob(f"letters-{first}-*.re"))
        script._script_letters.cache_clear()
        assert script._script_letters(first).pattern == scanned.pattern


def test_tone_share_matches_the_per_character_rule() -> None:
    for text in _random_texts(3000):
        assert tone_share(text) == _tone_share_ref(text), repr(text)


def test_batched_language_id_is_bit_identical_to_py3langid() -> None:
    ident = load_identifier()
    rng = random.Random(1)
    texts = [*_random_texts(300), "x" * 5000, "Ọ̀ṣun " * 400]
    texts += [" ".join(rng.choice(TEXTS) for _ in range(rng.randrange(1, 6))) for _ in range(200)]
    scorer = BatchScorer(ident)
    for size in (1, VECTOR_MIN - 1, VECTOR_MIN, 64, len(texts)):
        got = [p for i in range(0, len(texts), size) for p in scorer.decide(texts[i:i + size])]
        for text, p in zip(texts, got, strict=True):
            assert np.array_equal(p, ident._decide(text)), text


def test_whitespace_collapse_and_ascii_cleaning_match_the_rules_they_replaced() -> None:
    """normalize collapses whitespace with str.split (the regex \\s+ before) and the invisible policy tests
    ASCII text with isprintable (its character-class search before): the same characters, exhaustively."""
    import re

    from lrl.filters.invisible import policy

    space = re.compile(r"\s+")
    assert [c for c in range(0x110000) if space.fullmatch(chr(c))] == [c for c in range(0x110000) if chr(c).isspace()]
    for keep_joiners in (False, True):
        pol = policy(keep_joiners)
        for c in range(0x80):
            assert pol.clean(f"a{chr(c)}b") == f"a{chr(c)}b".translate(pol.table)
    for text in _random_texts(500):
        assert " ".join(text.split()) == space.sub(" ", text).strip()
