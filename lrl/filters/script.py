"""Script check: the share of the LRL side's letters that belong to the plugin's declared script."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

from lrl.record import Record
from lrl.step import Filter


@lru_cache(maxsize=65536)
def _script_of(ch: str) -> str:
    return unicodedata.name(ch, "").split(" ", 1)[0]


def script_share(text: str, prefix: str) -> tuple[float, int]:
    """(share of letters whose Unicode name starts with ``prefix``, number of letters)."""
    first = prefix.split(" ", 1)[0]
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0, 0
    hits = sum(1 for ch in letters if _script_of(ch) == first)
    return hits / len(letters), len(letters)


class Script(Filter):
    name = "script"

    def __init__(self, script: str, prefix: str, min_share: float) -> None:
        self.script, self.prefix, self.min_share = script, prefix, min_share

    def score(self, record: Record) -> dict[str, float | str]:
        share, _ = script_share(record.tgt, self.prefix)
        return {"tgt_share": round(share, 4)}

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        if not record.tgt:
            return None  # English monolingual row, before forward translation
        share = float(scores["tgt_share"])
        if share < self.min_share:
            return f"script: only {share:.0%} of the letters are {self.script} (< {self.min_share:.0%})"
        return None

    def signature(self) -> dict[str, Any]:
        return {"script": self.script, "min_share": self.min_share}
