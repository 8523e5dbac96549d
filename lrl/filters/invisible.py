"""One policy for characters that carry no visible text, derived from Unicode properties.

Scraped, OCRed and phone-typed text is full of them: bidi isolates and marks, zero-width spaces, the
Mongolian vowel separator, invisible operators, Hangul fillers, variation selectors, tag characters,
interlinear annotation marks. They make equal sentences differ (dedup misses them), hide text (bidi
overrides) and break tokenizers. Removed:

* general category **Cf** (format characters: every bidi control, ZWSP, word joiner, BOM, soft hyphen,
  invisible operators, U+180E, U+FFF9–FFFB, tag characters, ...);
* **variation selectors** (U+FE00–FE0F, U+E0100–E01EF, Mongolian U+180B–180D, U+180F) and the rest of the
  default-ignorable block U+E0000–E0FFF;
* the other **default-ignorable** letters and marks: U+034F combining grapheme joiner, Hangul fillers
  U+115F, U+1160, U+3164, U+FFA0, Khmer U+17B4–17B5;
* **noncharacters** (U+FDD0–FDEF and the last two code points of every plane) and **surrogates** (a JSON
  escape can smuggle one in; no UTF-8 file can hold it).

Control characters (Cc: tabs, newlines, NUL, C1 controls) become spaces so the words they separated stay
apart. ZWJ and ZWNJ (U+200D, U+200C) are kept only when the plugin's ``orthography.keep_joiners`` is true:
scripts such as Devanagari, Arabic or Persian need them to spell words; Latin and Ethiopic do not.

The policy is one ``str.translate`` table built once per process (Cf is scanned over planes 0, 1 and 14,
where Unicode puts every format character; a test checks all 1.1M code points), with a regular expression
of the same characters as a fast check: most lines hold none, and then the text is returned untouched.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

ZWNJ, ZWJ = 0x200C, 0x200D
JOINERS = frozenset({ZWNJ, ZWJ})
VARIATION_SELECTORS = (*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0), 0x180B, 0x180C, 0x180D, 0x180F)
#: Other_Default_Ignorable_Code_Point letters and marks (Unicode PropList.txt) outside Cf.
FILLERS = (0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0)
NONCHARACTERS = (*range(0xFDD0, 0xFDF0), *(p << 16 | low for p in range(17) for low in (0xFFFE, 0xFFFF)))
SURROGATES = range(0xD800, 0xE000)


def _removed() -> set[int]:
    out: set[int] = set()
    for cp in itertools.chain(range(0x20000), range(0xE0000, 0xE1000)):
        if unicodedata.category(chr(cp)) == "Cf":
            out.add(cp)
    out.update(VARIATION_SELECTORS, FILLERS, NONCHARACTERS, SURROGATES, range(0xE0000, 0xE1000))
    return out


def _controls() -> list[int]:
    return [cp for cp in range(0x100) if unicodedata.category(chr(cp)) == "Cc"]


def _char_class(cps: list[int]) -> str:
    """A regex character class of sorted code points, as ranges."""
    parts = []
    for _, run in itertools.groupby(enumerate(cps), key=lambda t: t[1] - t[0]):
        seq = [cp for _, cp in run]
        a, b = seq[0], seq[-1]
        parts.append(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}")
    return "[" + "".join(parts) + "]"


class Policy:
    """The removal table for one setting of ``keep_joiners``; get it with :func:`policy`."""

    def __init__(self, keep_joiners: bool) -> None:
        removed = _removed() - (JOINERS if keep_joiners else set())
        self.removed = frozenset(removed)
        self.table: dict[int, str | None] = {cp: None for cp in removed}
        self.table.update(dict.fromkeys(_controls(), " "))
        self.pattern = re.compile(_char_class(sorted(self.table)))
        # The few removed characters that str.isprintable() accepts (variation selectors, U+034F, Hangul
        # fillers): a printable text (most non-ASCII lines) is searched for these ~270 alone, a class of 9
        # ranges instead of 6,000 code points in hundreds.
        self.printable = re.compile(_char_class(sorted(cp for cp in self.table if chr(cp).isprintable())))

    def clean(self, text: str) -> str:
        """``text`` without removed characters, controls as spaces."""
        if text.isascii():
            # The only ASCII characters the policy touches are the controls, which are exactly the ASCII
            # characters that are not printable: a C-level test, 3x faster than the class search.
            return text if text.isprintable() else text.translate(self.table)
        if (self.printable if text.isprintable() else self.pattern).search(text) is None:
            return text
        return text.translate(self.table)

    def disallowed(self, text: str) -> list[str]:
        """The characters of ``text`` this policy removes (for checks and tests)."""
        return [ch for ch in text if ord(ch) in self.removed]


@lru_cache(maxsize=2)
def policy(keep_joiners: bool = False) -> Policy:
    return Policy(keep_joiners)
