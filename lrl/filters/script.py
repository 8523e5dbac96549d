"""Script check: the share of the LRL side's letters that belong to the plugin's declared script, and the
share of the English side's letters that are Latin (Ethiopic or other letters there are untranslated text)."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import unicodedata
from functools import lru_cache
from typing import Any

from lrl.record import Record
from lrl.step import Filter


@lru_cache(maxsize=8)
def _script_letters(first: str) -> re.Pattern[str]:
    """A regex class of every letter whose Unicode name's first word is ``first`` (LATIN, ETHIOPIC …),
    built once per script by scanning all code points (a test checks it against the per-character rule):
    counting matches in C replaces a name lookup per character on every row. The scan costs 0.3–0.9 s, so
    the class is kept in ``$LRL_CACHE/unicode/`` per Unicode version (every process of every run paid it)."""
    from lrl.models import cache_root

    path = cache_root() / "unicode" / f"letters-{first}-{unicodedata.unidata_version}.re"
    try:
        return re.compile(path.read_text(encoding="utf-8"))
    except (OSError, re.error):
        pass
    cps = [cp for cp in range(0x110000)
           if chr(cp).isalpha() and unicodedata.name(chr(cp), "").split(" ", 1)[0] == first]
    parts = []
    for _, run in itertools.groupby(enumerate(cps), key=lambda t: t[1] - t[0]):
        seq = [cp for _, cp in run]
        parts.append(f"\\U{seq[0]:08x}" if len(seq) == 1 else f"\\U{seq[0]:08x}-\\U{seq[-1]:08x}")
    pattern = "[" + "".join(parts) + "]" if parts else "(?!)"
    with contextlib.suppress(OSError):  # an unwritable cache only costs the scan next time
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}-{os.getpid()}")
        tmp.write_text(pattern, encoding="utf-8")
        os.replace(tmp, path)
    return re.compile(pattern)


#: per script, whether each character met so far is not a letter of another script (a line has few distinct ones)
_MEMBERS: dict[str, dict[str, bool]] = {}
_MEMBERS_MAX = 1 << 16  # a memo per script, cleared when it grows past this (hostile input)


def _outside(first: str, chars: set[str]) -> list[str]:
    """The letters among ``chars`` whose Unicode name does not start with ``first``."""
    memo = _MEMBERS.setdefault(first, {})
    out = []
    for ch in chars:
        member = memo.get(ch)
        if member is None:
            if len(memo) >= _MEMBERS_MAX:
                memo.clear()
            member = memo[ch] = not ch.isalpha() or _script_letters(first).fullmatch(ch) is not None
        if not member:
            out.append(ch)
    return out


def script_share(text: str, prefix: str) -> tuple[float, int]:
    """(share of letters whose Unicode name starts with ``prefix``, number of letters)."""
    letters = sum(map(str.isalpha, text))
    if not letters:
        return 0.0, 0
    first = prefix.split(" ", 1)[0]
    if text.isascii():  # every ASCII letter is LATIN
        hits = letters if first == "LATIN" else 0
    else:
        # the letters minus those of other scripts, found among the line's few distinct characters (a memo
        # per script) and counted with str.count: no pass of a class of hundreds of ranges over the line
        hits = letters - sum(map(text.count, _outside(first, set(text))))
    return hits / letters, letters


#: The full ``filters.script`` section (for lrl/config.py DEFAULTS).
SCRIPT_DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "min_share": 0.75,
    # Below 0.99 Latin: 0.1% of real English lines (MENYO-20k, LAFAND dev; one with an Arabic quotation) and
    # 96% of HornMT English lines with one Amharic or Tigrinya word put in (Yoruba names stay Latin: á, ẹ,
    # ṣ are LATIN letters). `python eval/filters/script_sides.py`
    "src_min_share": 0.99,
}


class Script(Filter):
    decides_with = ("script", "min_share", "src_min_share")
    rescorable = {"filters.script.min_share": "min_share", "filters.script.src_min_share": "src_min_share"}
    name = "script"

    def __init__(self, script: str, prefix: str, min_share: float,
                 src_min_share: float = SCRIPT_DEFAULTS["src_min_share"]) -> None:
        self.script, self.prefix, self.min_share, self.src_min_share = script, prefix, min_share, src_min_share

    def score(self, record: Record) -> dict[str, float | str]:
        # A side the row lacks gets no scores (an English monolingual row before forward translation): the
        # decision reads that from the scores, not from the record.
        out: dict[str, float | str] = {}
        if record.tgt:
            share, letters = script_share(record.tgt, self.prefix)
            out.update(tgt_share=round(share, 4), tgt_letters=letters)
        if record.src:
            src_share, src_letters = script_share(record.src, "LATIN")
            out.update(src_share=round(src_share, 4), src_letters=src_letters)
        return out

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        if "tgt_share" in scores:
            share = float(scores["tgt_share"])
            if share < self.min_share:
                return f"script: only {share:.0%} of the letters are {self.script} (< {self.min_share:.0%})"
        # A side with no letters (numbers, punctuation) says nothing about its script.
        if float(scores.get("src_letters", 0)) > 0:
            share = float(scores["src_share"])
            if share < self.src_min_share:
                return (f"script-src: only {share:.0%} of the English side's letters are Latin "
                        f"(< {self.src_min_share:.0%})")
        return None
