"""Language identification on both sides, with a backend chosen per plugin and per side
(``lid_backends``: py3langid, fastText lid.176, heliport).

Each side is judged on one or two *views*: the text, and — when it has capitalized tokens inside a
sentence — the text without them (``bare``), because names are where language ID goes wrong: an English
sentence full of Yoruba names scores as Yoruba, and a Yoruba name drags an English line away from English.
On the LRL side a row must pass on every view (names must not make English pass as the language); on the
English side one passing view is enough (names must not make English fail).

A view fails when it has at least ``min_letters`` letters and

* it is at least ``min_chars`` long and P(expected ∪ acceptable labels) is below the side's minimum, or
* at any length, its top label is not acceptable with probability ≥ the side's ``confident_prob``
  (a *confident wrong label*: short lines are no longer waved through), or
* at any length, the plugin's confusable labels together are more likely than the expected ones by
  ``confusable_margin`` (yo/ig/pcm/en, am/ti: the neighbours a model confuses the language with).

Every input to these rules (lengths, letter counts, probabilities) is stored in the scores, so the
decisions can be re-applied to a finished run with other thresholds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lrl.errors import ConfigError
from lrl.filters.lid_backends import Backend, get_backend, load_identifier
from lrl.record import Record
from lrl.step import Filter

__all__ = ["LANGID_DEFAULTS", "LangID", "load_identifier", "bare_text"]

#: The full ``filters.langid`` section (for lrl/config.py DEFAULTS). Values chosen with
#: ``python eval/filters/langid_backends.py`` (eval/filters/results/langid-backends.md).
LANGID_DEFAULTS: dict[str, Any] = {
    "enabled": True,
    # Below min_chars the summed-probability rule is not applied (a few words are close to a guess);
    # the confident-wrong and confusable rules still are.
    "min_chars": 20,
    # A side is kept when P(expected ∪ acceptable labels) reaches the side's minimum. The English side only
    # has to be plausibly English (`python eval/langid_sides.py`).
    "tgt_min_prob": 0.5,
    "src_min_prob": 0.1,
    "src_label": "en",
    # py3langid calls ~2% of short MENYO-20k English lines Nigerian Pidgin.
    "src_acceptable": ["pcm"],
    # The English side's backend (the LRL side's is the plugin's [langid] backend). fastText labels short
    # English better, but knows neither Hausa nor Pidgin: it let 13% of Hausa lines on the English side
    # through, py3langid 0.8%.
    "src_backend": "py3langid",
    # A top label outside the side's labels with at least this probability rejects at any length. The sweeps
    # (yo: 0.7–0.9, margin 0–0.3) lose the same 0.6% of short clean pairs at 0.7 and margin 0.2, and reject
    # 72% of short foreign lines (49% at 0.9); a margin of 0.1 or 0 costs 1.8% or 3.6% of short clean pairs.
    "tgt_confident_prob": 0.7,
    "src_confident_prob": 0.95,
    # Confusable labels (plugin [langid] confusable on the LRL side; the plugin's own labels on the English
    # side) reject when their summed probability exceeds the expected labels' by this much.
    "tgt_confusable_margin": 0.2,
    "src_confusable_margin": 0.1,
    # Fewer letters than this is no evidence: such a view is never judged.
    "min_letters": 4,
    # Also judge each side without its capitalized words when one is inside a sentence (names).
    "names": True,
}

_SENTENCE_END = (".", "!", "?", ":", ";", '"', "'", "”", "’", "»", ")")


def bare_text(text: str) -> str:
    """``text`` without its capitalized words, or "" when no word inside a sentence is capitalized. Once
    there is a name inside, the sentence's first word goes too when capitalized: it is often a name as well
    ("Adéwálé and Fúnmiláyọ̀ ..."), and the rest of a real sentence is still its language."""
    tokens = text.split()
    caps = [_capitalized(t) for t in tokens]  # once per token: this runs on both sides of every row
    if not any(cap and i > 0 and not tokens[i - 1].endswith(_SENTENCE_END) for i, cap in enumerate(caps)):
        return ""
    return " ".join(t for t, cap in zip(tokens, caps, strict=True) if not cap)


def _capitalized(token: str) -> bool:
    if token[0].isalpha():  # nearly every token: no scan
        return token[0].isupper()
    first = next((ch for ch in token if ch.isalpha()), "")
    return first.isupper()


def _letters(text: str) -> int:
    return sum(map(str.isalpha, text))  # map over a C method: ~3x a generator expression


#: per view prefix, the names of its six scores
_KEYS = {f"{side}{view}": tuple(f"{side}{view}{k}" for k in ("chars", "letters", "label", "top_prob", "prob",
                                                              "confusable_prob"))
         for side in ("tgt_", "src_") for view in ("", "bare_")}


class _Side:
    """One side's backend, labels (plugin codes → the backend's) and thresholds."""

    def __init__(self, backend: Backend, want: str, acceptable: list[str], confusable: list[str],
                 min_prob: float, confident_prob: float, margin: float, where: dict[str, str]) -> None:
        def native(code: str, setting: str) -> str:
            label = backend.native(code)
            if label is None:
                raise ConfigError(f"{setting} names {code!r}, which the language-ID backend {backend.name} "
                                  f"({backend.model}) does not know; choose another backend "
                                  f"({where['backend']}), remove the label, or train a model with `lrl lid train`")
            return label

        self.backend, self.want = backend, native(want, where["label"])
        self.ok = frozenset({self.want, *(native(c, where["acceptable"]) for c in acceptable)})
        self.confusable = frozenset(native(c, where["confusable"]) for c in confusable) - self.ok
        self.wanted = sorted(self.ok | self.confusable)
        self.ok_labels, self.confusable_labels = tuple(self.ok), tuple(self.confusable)
        self.min_prob, self.confident_prob, self.margin = min_prob, confident_prob, margin

    def rule(self) -> dict[str, Any]:
        """The side's decision rule as plain data (what the signature records and ``decide`` reads)."""
        return {"backend": self.backend.name, "expected": self.want, "labels": sorted(self.ok),
                "confusable": sorted(self.confusable), "min_prob": self.min_prob,
                "confident_prob": self.confident_prob, "confusable_margin": self.margin}


class LangID(Filter):
    name = "langid"
    # ``tgt`` and ``src``: each side's decision rule as plain data (labels and thresholds), built from the
    # backends at construction, so the decision needs no backend. min_letters and names are not rescorable:
    # they decide which views are scored at all.
    decides_with = ("model", "min_chars", "min_letters", "names", "tgt", "src")
    rescorable = {"filters.langid.min_chars": "min_chars",
                  **{f"filters.langid.{side}_{key}": f"{side}.{rule}" for side in ("tgt", "src")
                     for key, rule in (("min_prob", "min_prob"), ("confident_prob", "confident_prob"),
                                       ("confusable_margin", "confusable_margin"))}}

    def __init__(self, tgt_label: str, tgt_acceptable: list[str], src_label: str,
                 src_acceptable: list[str], tgt_min_prob: float, src_min_prob: float, min_chars: int,
                 model: Path | None = None, *, backend: str = "py3langid", src_backend: str = "py3langid",
                 confusable: list[str] | None = None,
                 tgt_confident_prob: float = LANGID_DEFAULTS["tgt_confident_prob"],
                 src_confident_prob: float = LANGID_DEFAULTS["src_confident_prob"],
                 tgt_confusable_margin: float = LANGID_DEFAULTS["tgt_confusable_margin"],
                 src_confusable_margin: float = LANGID_DEFAULTS["src_confusable_margin"],
                 min_letters: int = LANGID_DEFAULTS["min_letters"], names: bool = LANGID_DEFAULTS["names"]) -> None:
        tgt_backend = get_backend(backend, model, "the plugin's [langid] backend")
        src = get_backend(src_backend, None, "filters.langid.src_backend")
        self.model = tgt_backend.model
        # The English side's confusables are the language itself and its neighbours: untranslated text.
        src_confusable = [c for c in (tgt_label, *tgt_acceptable, *(confusable or [])) if src.native(c)]
        self.sides = {
            "tgt": _Side(tgt_backend, tgt_label, tgt_acceptable, confusable or [], tgt_min_prob,
                         tgt_confident_prob, tgt_confusable_margin,
                         {"label": "the plugin's langid.label", "acceptable": "the plugin's langid.acceptable",
                          "confusable": "the plugin's langid.confusable",
                          "backend": "the plugin's langid.backend"}),
            "src": _Side(src, src_label, src_acceptable, src_confusable, src_min_prob, src_confident_prob,
                         src_confusable_margin,
                         {"label": "filters.langid.src_label", "acceptable": "filters.langid.src_acceptable",
                          "confusable": "the plugin's langid.label", "backend": "filters.langid.src_backend"}),
        }
        self.min_chars, self.min_letters, self.names = min_chars, min_letters, names
        self.tgt: dict[str, Any] = self.sides["tgt"].rule()
        self.src: dict[str, Any] = self.sides["src"].rule()

    @classmethod
    def from_settings(cls, plugin: Any, lid: dict[str, Any]) -> LangID:
        """Built from a plugin (label, acceptable and confusable labels, backend, model) and the
        ``filters.langid`` settings; keys missing there take ``LANGID_DEFAULTS``."""
        s = {**LANGID_DEFAULTS, **lid}
        model = plugin.path / plugin.langid["model"] if plugin.langid.get("model") else None
        return cls(plugin.langid["label"], plugin.langid["acceptable"], s["src_label"], s["src_acceptable"],
                   s["tgt_min_prob"], s["src_min_prob"], s["min_chars"], model,
                   backend=plugin.langid.get("backend", "py3langid"), src_backend=s["src_backend"],
                   confusable=plugin.langid.get("confusable", []),
                   tgt_confident_prob=s["tgt_confident_prob"], src_confident_prob=s["src_confident_prob"],
                   tgt_confusable_margin=s["tgt_confusable_margin"],
                   src_confusable_margin=s["src_confusable_margin"], min_letters=s["min_letters"],
                   names=s["names"])

    def score_batch(self, records: list[Record]) -> list[dict[str, float | str]]:
        """Per side and view (``{side}_`` and ``{side}_bare_``): chars, letters, top label and its
        probability, ``prob`` (expected ∪ acceptable labels) and ``confusable_prob``."""
        out: list[dict[str, float | str]] = [{} for _ in records]
        for side, cfg in self.sides.items():
            jobs: list[tuple[int, str, str]] = []
            for i, rec in enumerate(records):
                text = rec.tgt if side == "tgt" else rec.src
                if not text:
                    continue
                jobs.append((i, f"{side}_", text))
                bare = bare_text(text) if self.names else ""
                if bare and _letters(bare) >= self.min_letters:
                    jobs.append((i, f"{side}_bare_", bare))
            preds = cfg.backend.predict([t for _, _, t in jobs], cfg.wanted) if jobs else []
            ok, confusable = cfg.ok_labels, cfg.confusable_labels
            for (i, key, text), (top, top_prob, probs) in zip(jobs, preds, strict=True):
                # the six keys in this order (the rows' JSON); their names made once per view, not per row
                chars, letters, label, top_key, prob, conf = _KEYS[key]
                d = out[i]
                d[chars] = len(text)
                d[letters] = _letters(text)
                d[label] = top
                d[top_key] = round(top_prob, 4)
                d[prob] = round(sum([probs[w] for w in ok]), 4)
                d[conf] = round(sum([probs[w] for w in confusable]), 4)
        return out

    def score(self, record: Record) -> dict[str, float | str]:
        return self.score_batch([record])[0]

    def _fails(self, side: str, key: str, scores: dict[str, float | str]) -> str | None:
        rule = self.tgt if side == "tgt" else self.src
        if f"{key}prob" not in scores or float(scores[f"{key}letters"]) < self.min_letters:
            return None
        prob, conf = float(scores[f"{key}prob"]), float(scores[f"{key}confusable_prob"])
        label, top = str(scores[f"{key}label"]), float(scores[f"{key}top_prob"])
        view = " without capitalized words" if "bare" in key else ""
        names = "|".join(rule["labels"])
        if float(scores[f"{key}chars"]) >= self.min_chars and prob < rule["min_prob"]:
            return (f"P({names}) = {prob:.2f} < {rule['min_prob']}{view}; labelled {label} (p={top:.2f}), "
                    f"expected {rule['expected']}")
        if label not in rule["labels"] and top >= rule["confident_prob"]:
            return f"confidently {label} (p={top:.2f} ≥ {rule['confident_prob']}){view}, expected {rule['expected']}"
        if rule["confusable"] and conf - prob > rule["confusable_margin"]:
            return (f"P({'|'.join(rule['confusable'])}) = {conf:.2f} exceeds P({names}) = {prob:.2f} "
                    f"by > {rule['confusable_margin']}{view}")
        return None

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        for side in ("tgt", "src"):
            fails = [self._fails(side, key, scores) for key in (f"{side}_", f"{side}_bare_")
                     if f"{key}prob" in scores]
            # LRL side: every view must pass; English side: one passing view is enough.
            failed = [f for f in fails if f]
            if failed and (side == "tgt" or len(failed) == len(fails)):
                return f"langid-{side}: {failed[-1]}"
        return None
