"""Amharic orthography hooks (loaded because language.toml says ``rules = true``).

options (``[orthography.options]`` in language.toml):
  punctuation = true        "::" and "፡፡" → ።; a comma or semicolon after an Ethiopic letter → ፣ ፤
  fold_homophones = false   write each homophone series one way: ሐ ኀ → ሀ, ሠ → ሰ, ዐ → አ, ፀ → ጸ
                            (all vowel orders). Off by default: it changes spelling that is not wrong,
                            but it merges variants that otherwise look like different words to dedup,
                            language ID and tokenizers.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_FULL_STOP = re.compile(r"\s*(?:::|፡፡)")
_COMMA = re.compile(r"(?<=[\u1200-\u137f])\s*,")
_SEMI = re.compile(r"(?<=[\u1200-\u137f])\s*;")

# series base (first order) → the series it folds into; orders 0..7 map position by position
_SERIES = {0x1210: 0x1200, 0x1280: 0x1200, 0x1220: 0x1230, 0x12D0: 0x12A0, 0x1340: 0x1338}


def _fold_table() -> dict[int, int]:
    table = {}
    for src, dst in _SERIES.items():
        for order in range(8):
            a, b = src + order, dst + order
            if unicodedata.name(chr(a), "") and unicodedata.name(chr(b), ""):
                table[a] = b
    return table


_FOLD = _fold_table()


def normalize(text: str, options: dict[str, Any]) -> str:
    if options.get("punctuation", True):
        text = _FULL_STOP.sub("።", text)
        text = _COMMA.sub("፣", text)
        text = _SEMI.sub("፤", text)
    if options.get("fold_homophones", False):
        text = text.translate(_FOLD)
    return text
