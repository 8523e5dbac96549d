"""Placeholders (``<EMAIL>``, ``<PHONE>`` … from the privacy filter) kept out of a translator's reach.

A model given "Pe <PHONE> ni" may translate, split or drop the placeholder (IBM-1 tokenizes it into
``<``, ``PHONE``, ``>`` and would write "< PHONE >"; a subword model may write "<PHOE>"), and a model that
"restores" a masked span would reintroduce personal data. So the text is cut at each placeholder, the
pieces between are translated (in one batch), and the placeholders are put back verbatim in their order,
with the spacing the original had around them. For a word-by-word model nothing is lost; a sentence model
sees shorter pieces, the price of never being shown a masked span.
"""

from __future__ import annotations

from typing import Any

from lrl.filters.pii import PLACEHOLDER


def split(text: str) -> list[str]:
    """Alternating pieces and placeholders: ``[piece, placeholder, piece, …, piece]``."""
    out, last = [], 0
    for m in PLACEHOLDER.finditer(text):
        out += [text[last:m.start()], m.group()]
        last = m.end()
    return [*out, text[last:]]


def _join(parts: list[str], original: list[str]) -> str:
    text = ""
    for i, (new, old) in enumerate(zip(parts, original, strict=True)):
        if i % 2:  # a placeholder, as it was
            text += new
            continue
        new = new.strip()
        if not new:
            text += " " if old.strip() == "" and old and 0 < i < len(parts) - 1 else ""
            continue
        lead = " " if i and old[:1].isspace() else ""
        trail = " " if i < len(parts) - 1 and old[-1:].isspace() else ""
        text += lead + new + trail
    return text.strip()


class Protected:
    """A translator (``translate(list[str]) -> list[str]``) that never sees a placeholder."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.identity = inner.identity

    def __getattr__(self, name: str) -> Any:  # reseed, settings, score, reversed … of the inner model
        return getattr(self.inner, name)

    def translate(self, texts: list[str]) -> list[str]:
        splits = [split(t) for t in texts]
        if all(len(s) == 1 for s in splits):
            return list(self.inner.translate(texts))
        pieces = [p.strip() for s in splits for p in s[::2] if p.strip()]
        done = iter(self.inner.translate(pieces) if pieces else [])
        out = []
        for s in splits:
            parts = [(next(done) if p.strip() else "") if i % 2 == 0 else p for i, p in enumerate(s)]
            out.append(_join(parts, s))
        return out
