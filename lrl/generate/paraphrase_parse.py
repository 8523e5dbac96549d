"""Parsing and judging language-model output for paraphrase: what survives numbered lists, quotes,
labels, chatter, echoed prompts and English, and the reason for each candidate that does not."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

_MARKER = re.compile(r"^(?:\(?\d{1,2}\s*[.):\]]|\d{1,2}\s*[-–]|[-*•–·])\s+(?=\S)")  # "1.5 m" is no marker
_LABEL = re.compile(r"^(?:\*\*)?(?:paraphrase|version|option|rewrite|rewritten|output|answer|variant)"
                    r"(?:\s*\d{1,2})?(?:\*\*)?\s*[:：.)-]\s*(?:\*\*)?", re.IGNORECASE)
_CHATTER = re.compile(
    r"^(?:here(?:'s| is| are)|sure\b|certainly|of course|okay\b|ok\b|alright|great\b|i hope|i have|i've|"
    r"these (?:are|paraphrases)|below (?:are|is)|note\b|let me know|hope this|the following|"
    r"as an ai|i can(?:not|'t)|i am sorry|i'm sorry)", re.IGNORECASE)
_QUOTES = (('"', '"'), ("“", "”"), ("„", "“"), ("'", "'"), ("‘", "’"), ("«", "»"), ("‹", "›"), ("`", "`"),
           ("「", "」"))
_EMPHASIS = re.compile(r"(?<!\w)\*(?=\S)([^*]+?)(?<=\S)\*(?!\w)")
_PAREN_TAIL = re.compile(r"\s*[(\[]([^()\[\]]{3,})[)\]]\s*$")
#: Common English words that are not also short words of the plugins' languages (Hausa "in", "to", "me",
#: "an" are left out on purpose).
_EN_WORDS = frozenset({
    "the", "and", "is", "are", "was", "were", "of", "with", "this", "that", "for", "have", "has", "will", "you",
    "they", "she", "his", "her", "their", "our", "your", "been", "being", "but", "not", "from", "which", "who",
    "what", "when", "where", "there", "these", "those", "would", "could", "should", "can", "does", "did", "it",
})
_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def text_key(text: str) -> str:
    """Comparison key: NFC, case-folded, letters, digits and marks only (so a changed comma or space
    still counts as the same sentence, while a changed tone mark does not)."""
    t = unicodedata.normalize("NFC", text).casefold()
    return "".join(ch for ch in t if unicodedata.category(ch)[0] in "LNM")


def english_share(text: str) -> tuple[float, int]:
    """(share of words that are common English function words, number of words)."""
    words = [w.casefold() for w in _WORDS.findall(text)]
    if not words:
        return 0.0, 0
    return sum(w in _EN_WORDS for w in words) / len(words), len(words)


def _strip_quotes(text: str) -> str:
    changed = True
    while changed and len(text) >= 2:
        changed = False
        for a, b in _QUOTES:
            if text.startswith(a) and text.endswith(b) and len(text) > len(a) + len(b):
                text, changed = text[len(a):-len(b)].strip(), True
    return text


def clean_line(line: str) -> tuple[str, bool]:
    """(the candidate text of one output line, whether it carried a list marker)."""
    s = line.strip().lstrip("#>").strip()
    m = _MARKER.match(s)
    listed = bool(m)
    if m:
        s = s[m.end():]
    s = _LABEL.sub("", s, count=1).strip()
    s = _EMPHASIS.sub(r"\1", s.replace("**", "").replace("__", "")).strip()  # markdown emphasis
    s = _strip_quotes(s)
    tail = _PAREN_TAIL.search(s)
    if tail and english_share(tail.group(1))[0] >= 0.15 and english_share(s[:tail.start()])[0] < 0.1:
        s = s[:tail.start()].rstrip()  # "<paraphrase> (English: ...)": the gloss is not part of it
    return _strip_quotes(s), listed


@dataclass
class ParsedOutput:
    """What one model output held: candidate texts in order, lines dropped as chatter, and whether the
    output ran on into a new prompt block (then it is complete even without an end token)."""

    items: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    cut: bool = False


def parse_output(raw: str, stop_labels: tuple[str, ...] = ("Sentence:",)) -> ParsedOutput:
    """Split a model's answer into candidate sentences.

    Survives numbered and bulleted lists (``1. …``, ``1) …``, ``- …``), labels (``Paraphrase 1: …``),
    quotes and markdown emphasis, chatter (``Here are the paraphrases:``, ``I hope this helps!``), and a
    plain prompt's run-on into the next ``Sentence:`` block. When some lines are list items, only list
    items are candidates (other lines are chatter); otherwise every non-chatter line is one.
    """
    out = ParsedOutput()
    lines: list[tuple[str, bool, str]] = []  # (text, is a candidate for sure, the raw line)
    stops = tuple(s.casefold() for s in stop_labels if s)
    for raw_line in raw.replace("\r", "\n").split("\n"):
        line = raw_line.strip()
        if not line:
            continue
        if stops and line.casefold().startswith(stops):
            if lines:  # the model began a new block: everything from here on is not an answer
                out.cut = True
                break
            # the prompt's own block echoed before the answer: a candidate (rejected later as an echo)
            line = line.split(":", 1)[1].strip()
            if line:
                lines.append((clean_line(line)[0], True, raw_line))
            continue
        text, listed = clean_line(line)
        lines.append((text, listed, raw_line))
    any_listed = any(listed for _, listed, _ in lines)
    for text, listed, raw_line in lines:
        chatter = not listed and (_CHATTER.match(text) is not None or text.endswith((":", "："))
                                  or (any_listed and not listed))
        if chatter:
            out.dropped.append(raw_line.strip())
        else:
            out.items.append(text)
    return out


@dataclass
class Candidate:
    text: str
    reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Judge:
    """The checks every candidate gets before it becomes a row (each failure is a reason)."""

    def __init__(self, script_prefix: str = "", script_name: str = "", min_script_share: float = 0.5) -> None:
        self.script_prefix, self.script_name = script_prefix, script_name
        self.min_script_share = min_script_share

    def judge(self, items: list[str], source: str, english: str = "", echo: Iterable[str] = (),
              truncated: bool = False) -> list[Candidate]:
        from lrl.filters.script import script_share

        src_key, en_key = text_key(source), text_key(english)
        echo_keys = {text_key(e) for e in echo} - {""}
        src_en, _ = english_share(source)
        seen: set[str] = set()
        out: list[Candidate] = []
        for i, text in enumerate(items):
            text = unicodedata.normalize("NFC", text).strip()
            key = text_key(text)
            reason: str | None = None
            if not key:
                reason = "paraphrase-empty: the candidate has no letters"
            elif key == src_key:
                reason = "paraphrase-copy: identical to the input"
            elif key in echo_keys:
                reason = "paraphrase-echo: the model repeated its prompt"
            elif en_key and key == en_key:
                reason = "paraphrase-wrong-language: the candidate is the English source"
            elif key in seen:
                reason = "paraphrase-duplicate: same as an earlier candidate for this row"
            else:
                share, words = english_share(text)
                # >= 15% of >= 4 words: ~95% of LAFAND Hausa-English English lines, 80% of MENYO-20k's,
                # and no Hausa or Yoruba dev line except those that really are English.
                if words >= 4 and share >= 0.15 and src_en < 0.1:
                    reason = f"paraphrase-wrong-language: {share:.0%} of the words are English function words"
                elif self.script_prefix:
                    sshare, letters = script_share(text, self.script_prefix)
                    if letters and sshare < self.min_script_share:
                        reason = (f"paraphrase-wrong-language: only {sshare:.0%} of the letters are "
                                  f"{self.script_name or self.script_prefix}")
                if reason is None and truncated and i == len(items) - 1:
                    reason = "paraphrase-truncated: generation stopped at max_new_tokens"
            seen.add(key)
            out.append(Candidate(text, reason))
        return out
