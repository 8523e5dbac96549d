"""Markup on either side: HTML/XML tags, HTML entities, URLs, e-mail addresses, code or template debris
and wiki markup, as scraped pairs carry them.

``action = "reject"`` (default) scores the count of each kind per side and rejects a row with any;
``action = "strip"`` removes the markup instead (keeping the text inside tags, decoding entities) and
rejects only a row with nothing left of a side. The patterns are written to leave ordinary text alone:
times (10:30), prices ($5.00), "e.g.", "U.S.", sentences run together without a space ("left.It"),
Yoruba, and lrl's own ``<BT>`` tag.
"""

from __future__ import annotations

import html
import re
from typing import Any

from lrl.filters.pii import EMAIL, PLACEHOLDERS, URL
from lrl.generate.backtranslate import TAG, untag
from lrl.record import Record
from lrl.step import Filter, Mapper, Step

MARKUP_DEFAULTS: dict[str, Any] = {"enabled": True, "action": "reject"}
ACTIONS = ("reject", "strip")

_PLACEHOLDER_NAMES = "|".join(p.strip("<>") for p in PLACEHOLDERS.values())
_PATTERNS: dict[str, str] = {
    # Not lrl's own placeholders (<EMAIL>, <URL> … from the privacy filter, lrl/filters/pii.py).
    "tag": rf"(?!<(?:{_PLACEHOLDER_NAMES})>)</?[A-Za-z][A-Za-z0-9:-]*(?:\s+[^<>]*?)?\s*/?>|<!--.*?-->",
    "entity": r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});",
    # The privacy filter's definitions (one place decides what an e-mail address or a URL is).
    "email": EMAIL,
    "url": URL,
    "code": (r"\{\{.*?\}\}|\$\{[^}]*\}|(?<![\w%])%(?:\(\w+\))?[sdif]\b|\\[nrt]|\\u[0-9a-fA-F]{4}"
             r"|\{\s*[\"']\w+[\"']\s*:|\b(?:function\s*\w*\s*\(|console\.log|document\.\w+|window\.\w+)"
             r"|\bvar\s+\w+\s*=|[;{]\s*\}"),
    "wiki": r"\[\[[^\]]*\]\]|'''+|^\s*=={1,4}[^=]+=={1,4}|\{\|",
}
KINDS = tuple(_PATTERNS)
_RE = {k: re.compile(p, re.DOTALL) for k, p in _PATTERNS.items()}
_ANY = re.compile("|".join(f"(?P<{k}>{p})" for k, p in _PATTERNS.items()), re.DOTALL)
# Cheap tests first: each kind runs its pattern only when the text has what every match of it needs
# (most lines have none; the URL pattern over every "." was the slow part).
_NEEDS: dict[str, re.Pattern[str]] = {
    "tag": re.compile("<"),
    "entity": re.compile("&"),
    "email": re.compile("@"),
    "url": re.compile(r"https?:|ftp:|www\.|\.[a-z]"),
    "code": re.compile(r"[{}%\\$]|function|console\.|document\.|window\.|\bvar\s"),
    "wiki": re.compile(r"\[\[|''|==|\{\|"),
}
_SPACE = re.compile(r"\s+")
# What removing a URL from "(see https://x.com)." leaves behind.
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?])")
_WIKI_LINK = re.compile(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]")


def count(text: str) -> dict[str, int]:
    """Matches of each kind in ``text`` (kinds with none left out)."""
    out: dict[str, int] = {}
    for kind, needs in _NEEDS.items():
        if needs.search(text):
            n = sum(1 for _ in _RE[kind].finditer(text))
            if n:
                out[kind] = n
    return out


def strip(text: str) -> str:
    """``text`` without markup: entities decoded, tags removed with their content kept, wiki links
    replaced by their label, URLs, e-mail addresses and code debris removed."""
    if not count(text):
        return text
    text = html.unescape(text)
    text = _WIKI_LINK.sub(r"\1", text)
    text = _EMPTY_BRACKETS.sub(" ", _ANY.sub(" ", text))
    return _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACE.sub(" ", text)).strip()


#: The privacy filter's placeholders for what scraped boilerplate carries (lrl/filters/privacy.py).
_MASKED = {kind: re.compile(re.escape(PLACEHOLDERS[kind])) for kind in ("url", "email", "user", "phone")}


def _scores(record: Record) -> dict[str, float | str]:
    scores: dict[str, float | str] = {}
    total = 0
    for side, text in (("src", untag(record.src)), ("tgt", record.tgt)):
        for kind, n in count(text).items():
            scores[f"{side}_{kind}"] = n
            total += n
        # Masked URLs, e-mails, handles and phones, counted apart: a pair that has one on one side only was
        # wrapped in boilerplate (a real pair carries a link on both sides); a monolingual tweet keeps its
        # masked handle.
        for kind, pattern in _MASKED.items():
            if n := len(pattern.findall(text)):
                scores[f"{side}_masked_{kind}"] = n
    scores["count"] = total
    return scores


class Markup(Filter):
    name = "markup"

    def score(self, record: Record) -> dict[str, float | str]:
        # Whether the row is a pair: the masked-span check compares the sides (decided from scores alone).
        return {**_scores(record), "pair": float(bool(record.src and record.tgt))}

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        found = [(k, int(v)) for k, v in scores.items()
                 if k not in ("count", "pair") and "_masked_" not in k and int(v)]
        if not found and scores.get("pair"):
            for kind in _MASKED:
                src, tgt = int(scores.get(f"src_masked_{kind}", 0)), int(scores.get(f"tgt_masked_{kind}", 0))
                if src != tgt:
                    side = "English" if src > tgt else "language"
                    return f"markup: a masked {kind} on the {side} side only (boilerplate around the pair)"
        if not found:
            return None
        detail = ", ".join(f"{n} {k.split('_', 1)[1]} on the {'English' if k.startswith('src') else 'language'} side"
                           for k, n in found)
        return f"markup: {detail}"

    def describe(self) -> dict[str, Any]:
        return {"action": "reject", "kinds": list(KINDS)}


class MarkupStrip(Mapper):
    """Removes markup from both sides; what it removed is counted in the record's scores."""

    name = "markup"

    def apply(self, record: Record) -> str | None:
        scores = _scores(record)
        record.scores.update({f"{self.name}.{k}": v for k, v in scores.items()})
        if not scores["count"]:
            return None
        tagged = record.src.startswith(TAG)
        had_src, had_tgt = bool(record.src), bool(record.tgt)
        src = strip(untag(record.src))
        record.src = (TAG + src) if tagged and src else src
        record.tgt = strip(record.tgt)
        if had_tgt and not record.tgt:
            return "markup: nothing left of the language side after stripping markup"
        if had_src and not src:
            return "markup: nothing left of the English side after stripping markup"
        return None

    def describe(self) -> dict[str, Any]:
        return {"action": "strip", "kinds": list(KINDS)}


def build_markup(settings: dict[str, Any]) -> Step:
    """The markup stage for ``settings`` (see ``MARKUP_DEFAULTS``)."""
    s = {**MARKUP_DEFAULTS, **settings}
    if s["action"] not in ACTIONS:
        from lrl.errors import ConfigError

        raise ConfigError(f"filters.markup.action must be one of {', '.join(ACTIONS)}, not {s['action']!r}")
    return MarkupStrip() if s["action"] == "strip" else Markup()
