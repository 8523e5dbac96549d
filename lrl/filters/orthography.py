"""Tone-mark check for tonal orthographies (Yoruba): MT systems and web text often drop tone marks, and
such text is poor training data for the written standard.

The score is the share of vowels carrying a grave or acute accent (mid tone is unmarked in Yoruba, so
well-marked text scores ~0.3–0.6 and stripped text 0). Text with too few vowels is not judged.
"""

from __future__ import annotations

import unicodedata

from lrl.record import Record
from lrl.step import Filter

_TONES = {"\u0300", "\u0301", "\u0302", "\u030c", "\u0304"}  # grave, acute, circumflex, caron, macron
_VOWELS = set("aeiouAEIOU")


def tone_share(text: str) -> tuple[float, int]:
    """(share of vowels with a tone mark, number of vowels)."""
    vowels = marked = 0
    decomposed = unicodedata.normalize("NFD", text)
    for i, ch in enumerate(decomposed):
        if ch in _VOWELS:
            vowels += 1
            j = i + 1
            while j < len(decomposed) and unicodedata.combining(decomposed[j]):
                if decomposed[j] in _TONES:
                    marked += 1
                    break
                j += 1
    return (marked / vowels if vowels else 0.0), vowels


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
