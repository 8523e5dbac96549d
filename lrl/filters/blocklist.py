"""A plugin's blocklist (``languages/<code>/blocklist.txt``: offensive or sensitive terms, one per line, ``#``
comments; optional, may be empty): rows whose language side holds a listed term are rejected.

Whole words only, where a "word" is letters, digits *and combining marks* of any script: Python's ``\\b``
puts a boundary before a combining tone mark, so a blocked Yoruba ``ọkọ`` would match inside ``ọkọ̀``
(ọkọ + U+0300) — a different word. Terms and text are normalized the way the pipeline normalizes (the
plugin's replacements, NFC) and compared case-folded; tone marks are never folded away.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lrl.record import Record
from lrl.step import Filter

_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_WORDCH = rf"[\w{_MARKS}]"


def load_terms(path: Path, normalize: Callable[[str], str] | None = None) -> list[str]:
    """The terms of a blocklist file, normalized and case-folded, without comments or blank lines."""
    if not path.is_file():
        return []
    norm = normalize or (lambda t: unicodedata.normalize("NFC", t))
    terms = []
    for line in path.read_text(encoding="utf-8").splitlines():
        term = norm(line.split("#", 1)[0].strip()).casefold()
        if term:
            terms.append(term)
    return sorted(set(terms), key=lambda t: (-len(t), t))


class Blocklist(Filter):
    name = "blocklist"

    def __init__(self, terms: list[str], source: str = "") -> None:
        self.terms = terms
        self.source = source
        alt = "|".join(re.escape(t) for t in terms)
        self.pattern = re.compile(rf"(?<!{_WORDCH})(?:{alt})(?!{_WORDCH})") if terms else None

    def score(self, record: Record) -> dict[str, float | str]:
        if self.pattern is None:
            return {"count": 0}
        text = unicodedata.normalize("NFC", record.tgt).casefold()
        return {"count": sum(1 for _ in self.pattern.finditer(text))}

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        n = int(scores["count"])
        return f"blocklist: {n} blocked term{'s' if n > 1 else ''} on the language side" if n else None

    def describe(self) -> dict[str, Any]:
        return {"terms": len(self.terms), "source": self.source}
