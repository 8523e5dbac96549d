"""Hausa orthography hooks (loaded because language.toml says ``rules = true``).

Hooked letters ɓ ɗ ƙ ƴ are often typed with an apostrophe where the keyboard has no hook: 'b, 'd, k'
(and 'y, which is the official Nigerian spelling of ƴ, as in 'ya'ya). A replacement table cannot say
"apostrophe before b at the start of a syllable", so these live here.

options (``[orthography.options]`` in language.toml):
  hooks = true         'b 'd → ɓ ɗ and k' → ƙ
  y = "keep"           "keep" leaves 'y and ƴ as written; "hook" writes ƴ; "apostrophe" writes 'y
"""

from __future__ import annotations

import re
from typing import Any

_APOS = "'\u2019\u02bc"  # ASCII apostrophe, right single quote, modifier letter apostrophe
# An apostrophe before a vowel is the glottal stop (sa'a, ma'aikata) and stays; before b/d/y and a vowel
# it stands for the hook.
_HOOK_BD = re.compile(rf"[{_APOS}]([bBdD])(?=[aeiouAEIOU])")
_HOOK_K = re.compile(rf"([kK])[{_APOS}](?=[aeiouAEIOU])")
_APOS_Y = re.compile(rf"[{_APOS}]([yY])(?=[aeiouAEIOU])")
_HOOKED = {"b": "ɓ", "B": "Ɓ", "d": "ɗ", "D": "Ɗ", "k": "ƙ", "K": "Ƙ", "y": "ƴ", "Y": "Ƴ"}


def normalize(text: str, options: dict[str, Any]) -> str:
    if options.get("hooks", True):
        text = _HOOK_BD.sub(lambda m: _HOOKED[m[1]], text)
        text = _HOOK_K.sub(lambda m: _HOOKED[m[1]], text)
    y = options.get("y", "keep")
    if y == "hook":
        text = _APOS_Y.sub(lambda m: _HOOKED[m[1]], text)
    elif y == "apostrophe":
        text = text.replace("ƴ", "'y").replace("Ƴ", "'Y")
    elif y != "keep":
        raise ValueError(f"orthography.options.y must be keep, hook or apostrophe, not {y!r}")
    return text
