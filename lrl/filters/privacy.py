"""Personal data on either side: e-mail addresses, URLs, phone numbers, @handles, ID numbers, payment cards,
IBANs and IP addresses (detection: lrl/filters/pii.py). Per kind, the settings say what to do:

* ``mask`` — replace the span with a typed placeholder (``<EMAIL>``, ``<PHONE>`` …) and keep the row;
* ``drop`` — reject the row, with the kinds and sides in the reason;
* ``flag`` — only count it in the row's scores.

The default masks every kind, so a default run ships no contact details. Scores first (``src_<kind>``,
``tgt_<kind>``, ``count``, and ``inherited``: placeholders already in the text), then the decision. The
step keeps per-kind totals (found, masked, rows dropped), which its signature carries to the manifest,
the summary and the card. It runs on input rows right after normalization (before markup, which then does
not see the masked URLs and e-mail addresses) and again on every generator's rows (a model can invent a
phone number), where it also rejects a pair whose sides no longer carry the same placeholders.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from lrl.errors import ConfigError
from lrl.filters.pii import KINDS, PLACEHOLDERS, find, placeholders
from lrl.generate.backtranslate import TAG
from lrl.record import Record
from lrl.step import RunContext, Step

ACTIONS = ("mask", "drop", "flag")
PRIVACY_DEFAULTS: dict[str, Any] = {"enabled": True, **{k: "mask" for k in KINDS}}
SIDE_NAME = {"src": "English", "tgt": "language"}


def mask(text: str, spans: list[tuple[int, int, str]], kinds: Iterable[str]) -> str:
    """``text`` with the spans of ``kinds`` replaced by their placeholders."""
    keep = set(kinds)
    out, last = [], 0
    for start, end, kind in spans:
        if kind in keep:
            out += [text[last:start], PLACEHOLDERS[kind]]
            last = end
    return "".join(out) + text[last:]


class Privacy(Step):
    """See the module docs. ``applies_to``: only rows of these origins (generated rows), others pass."""

    name = "privacy"
    signature_attrs = ("actions",)

    def __init__(self, actions: dict[str, str], applies_to: Iterable[str] | None = None) -> None:
        bad = {k: v for k, v in actions.items() if v not in ACTIONS}
        if bad:
            raise ConfigError(f"filters.privacy: actions must be one of {', '.join(ACTIONS)}, got {bad}")
        self.actions = {k: actions.get(k, "mask") for k in KINDS}
        self.applies_to = frozenset(applies_to) if applies_to is not None else None
        self.found: Counter[str] = Counter()
        self.masked: Counter[str] = Counter()
        self.dropped: Counter[str] = Counter()

    def score(self, record: Record) -> tuple[dict[str, float | str], dict[str, list[tuple[int, int, str]]]]:
        scores: dict[str, float | str] = {}
        spans: dict[str, list[tuple[int, int, str]]] = {}
        total = inherited = 0
        for side in ("src", "tgt"):
            text = getattr(record, side)
            spans[side] = find(text)
            for kind, n in Counter(k for _, _, k in spans[side]).items():
                scores[f"{side}_{kind}"] = n
                total += n
            inherited += len(placeholders(text))
        scores["count"] = total
        scores["inherited"] = inherited
        return scores, spans

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        drop = [(k, int(v)) for k, v in scores.items()
                if "_" in k and int(v) and self.actions[k.split("_", 1)[1]] == "drop"]
        if drop:
            return "privacy: " + ", ".join(f"{n} {k.split('_', 1)[1]} on the {SIDE_NAME[k.split('_')[0]]} side"
                                           for k, n in drop)
        return None

    def lost_placeholder(self, record: Record) -> str | None:
        """On generated pairs (after masking): both sides must carry the same placeholders."""
        if self.applies_to is None or not (record.src and record.tgt):
            return None
        a, b = sorted(placeholders(_untag(record.src))), sorted(placeholders(record.tgt))
        if a != b:  # a generator lost, added or changed a masked span
            return f"privacy-placeholder: the English side has {a or 'none'}, the language side {b or 'none'}"
        return None

    def run(self, records: Iterable[Record], ctx: RunContext) -> Iterator[Record]:
        st = ctx.stats[self.name]
        for rec in records:
            if self.applies_to is not None and rec.origin not in self.applies_to:
                yield rec
                continue
            st.seen += 1
            scores, spans = self.score(rec)
            rec.scores.update({f"{self.name}.{k}": v for k, v in scores.items()})
            self.found.update(k for side in spans.values() for _, _, k in side)
            reason = self.decide(rec, scores)
            if reason:
                if reason.startswith("privacy:"):
                    self.dropped.update({k.split("_", 1)[1] for k, v in scores.items()
                                         if "_" in k and int(v) and self.actions[k.split("_", 1)[1]] == "drop"})
                ctx.reject(rec, self.name, reason)
                continue
            to_mask = {k for k, a in self.actions.items() if a == "mask"}
            for side in ("src", "tgt"):
                if any(k in to_mask for _, _, k in spans[side]):
                    setattr(rec, side, mask(getattr(rec, side), spans[side], to_mask))
                    self.masked.update(k for _, _, k in spans[side] if k in to_mask)
            lost = self.lost_placeholder(rec)
            if lost:
                ctx.reject(rec, self.name, lost)
                continue
            kinds = sorted({*rec.provenance.get("masked", []),
                            *placeholders(rec.src), *placeholders(rec.tgt)})
            if kinds:  # masked here, or inherited from the row it was made from
                rec.provenance["masked"] = kinds
            st.passed += 1
            yield rec

    def describe(self) -> dict[str, Any]:
        # Totals, not settings: read when the manifest is written, after the stream has run.
        return {"found": dict(self.found.most_common()), "masked": dict(self.masked.most_common()),
                "dropped_rows": dict(self.dropped.most_common())}


def _untag(text: str) -> str:
    return text[len(TAG):] if text.startswith(TAG) else text


def build_privacy(settings: dict[str, Any], applies_to: Iterable[str] | None = None) -> Privacy:
    s = {**PRIVACY_DEFAULTS, **settings}
    return Privacy({k: s[k] for k in KINDS}, applies_to)
