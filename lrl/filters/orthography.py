"""Tone-mark check for tonal orthographies (Yoruba): MT systems and web text often drop tone marks, and
such text is poor training data for the written standard.

The score is the share of vowels carrying a grave or acute accent (mid tone is unmarked in Yoruba, so
well-marked text scores ~0.3–0.6 and stripped text 0). Text with too few vowels is not judged.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from lrl.record import Record
from lrl.step import Filter

_TONES = {"\u0300", "\u0301", "\u0302", "\u030c", "\u0304"}  # grave, acute, circumflex, caron, macron
_VOWELS = set("aeiouAEIOU")


_VOWEL, _TONE = "\x02", "\x01"


#: every code point with a combining class lies below this (Unicode 15: the last is U+1E94A)
COMBINING_BELOW = 0x20000


@lru_cache(maxsize=1)
def _table() -> dict[int, str | None]:
    """One ``str.translate`` table: every vowel → one marker, every tone mark → another, every other
    combining mark removed (so a tone anywhere in the vowel's run of marks ends up right after it), and the
    markers themselves, should a text hold them, → space. Counting two substrings in C then replaces a Python
    loop over every character (built once per process). Only the planes below U+20000 are scanned: no
    code point above holds a combining class (CJK ideographs, tags and variation selectors have none;
    tests/filters/test_fast_paths.py checks it against the whole range), and scanning all of Unicode was
    ~0.14 s of every process's start."""
    table: dict[int, str | None] = {cp: None for cp in range(COMBINING_BELOW) if unicodedata.combining(chr(cp))}
    table.update({ord(_VOWEL): " ", ord(_TONE): " "})
    table.update({ord(v): _VOWEL for v in _VOWELS})
    table.update({ord(t): _TONE for t in _TONES})
    return table


def tone_share(text: str) -> tuple[float, int]:
    """(share of vowels with a tone mark, number of vowels): a tone mark anywhere in the run of combining
    marks after the vowel (Yoruba writes the dot below and the tone in either order)."""
    marked = unicodedata.normalize("NFD", text).translate(_table())
    vowels = marked.count(_VOWEL)
    if not vowels:
        return 0.0, 0
    return marked.count(_VOWEL + _TONE) / vowels, vowels


class ToneMarks(Filter):
    name = "tone"
    # The bar comes from the plugin's [orthography] table, not from run settings: not rescorable.
    decides_with = ("mode", "min_share", "min_vowels")

    def __init__(self, mode: str, min_share: float, min_vowels: int) -> None:
        self.mode, self.min_share, self.min_vowels = mode, min_share, min_vowels

    def score(self, record: Record) -> dict[str, float | str]:
        share, vowels = tone_share(record.tgt)
        return {"share": round(share, 4), "vowels": vowels}

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        # The bar is applied here, not when scoring, so a rescore can move it.
        toneless = int(scores["vowels"]) >= self.min_vowels and float(scores["share"]) < self.min_share
        if self.mode == "reject" and toneless:
            return f"toneless: only {float(scores['share']):.0%} of vowels carry a tone mark"
        return None
