"""Adequacy: do the two sides say the same thing, word for word? A lexical translation score both ways.

As bicleaner's and hunalign's lexical features, from the IBM-1 tables learned on the seed
(``lrl.models.ibm1``): a word of one side is *explained* when the other side holds one of its translations
(its ``top`` best translation both ways: the best English for a language word and the best language word
for an English word) or the word itself (a name or number copied verbatim). Each word's evidence is then
weighed by how much more often it is explained in aligned seed pairs than in misaligned ones, a naive
Bayes log-likelihood ratio (bicleaner trains its classifier on the same kind of synthetic negatives):

    explained:      log(a_w / b_w)           not explained:  log((1 - a_w) / (1 - b_w))

where a_w is the share of seed pairs in which w is explained and b_w the share when each English side is
paired with another pair's language side. "the" is explained almost anywhere (a ≈ b, weight ≈ 0); a
content word whose translation is missing counts against the pair. ``adequacy.src`` sums this over the
distinct English words, ``adequacy.tgt`` over the language's, ``adequacy.score`` is their minimum: the
English of another sentence scores low both ways, a truncated side leaves the other side's words
unexplained. Words the tables do not know (names, rare words) carry no evidence and are left out, so a
good pair full of names is not sunk by them; ``*_known`` count the words judged, and a side with fewer than
``min_known`` is scored but not judged.

Measured in eval/filters/measure_models.py: the best translation only (``top = 1``) separates aligned from
misaligned pairs far better than the three best (chance matches), and a sum over words better than a mean.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from lrl.generate.backtranslate import untag
from lrl.models.ibm1 import IBM1Model, _is_word, tokenize
from lrl.record import Record
from lrl.step import Filter

# Thresholds from `python eval/filters/measure_models.py` (eval/filters/results/models-*.md).
ADEQUACY_DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "min_score": -12.0,
    "min_known": 3,
    "top": 1,
    #: seed pairs used to learn each word's weight (the rest add time, not accuracy)
    "max_calibration_pairs": 20000,
    #: fewer English words known to the tables and the filter scores but does not judge: a plugin's own
    #: examples, lexicon and templates give ~1k and lose 10% of clean pairs at -12 (models-yo-plugin.md);
    #: the real seeds measured give 6k-16k
    "min_vocab": 3000,
}
#: Priors for a word seen in few calibration pairs (pseudo-counts ALPHA): explained in half of the aligned
#: pairs, in one in twenty misaligned ones.
PRIOR_ALIGNED, PRIOR_CHANCE, ALPHA = 0.5, 0.05, 2.0

Links = dict[str, set[str]]


def _words(text: str) -> list[str]:
    return list(dict.fromkeys(t.lower() for t in tokenize(text) if _is_word(t)))


def links(model: IBM1Model, top: int) -> tuple[Links, Links]:
    """For each English word its translations in the language, and the reverse, from both tables."""
    en: Links = {}
    xx: Links = {}
    for e, cands in model.en2xx.items():
        for f, _ in cands[:top]:
            en.setdefault(e, set()).add(f)
            xx.setdefault(f, set()).add(e)
    for f, cands in model.xx2en.items():
        for e, _ in cands[:top]:
            xx.setdefault(f, set()).add(e)
            en.setdefault(e, set()).add(f)
    return en, xx


def _explained(words: list[str], other: list[str], table: Links) -> list[tuple[str, bool]]:
    o = set(other)
    return [(w, w in o or not table[w].isdisjoint(o)) for w in words if w in table]


def _weights(pairs: Sequence[tuple[list[str], list[str]]], side: int, table: Links) -> dict[str, tuple[float, float]]:
    """Per word: (log-ratio when explained, when not), from aligned pairs against pairs shifted by half."""
    hit: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    chance: Counter[str] = Counter()
    chance_seen: Counter[str] = Counter()
    n = len(pairs)
    for i, p in enumerate(pairs):
        for w, ok in _explained(p[side], p[1 - side], table):
            seen[w] += 1
            hit[w] += ok
        for w, ok in _explained(p[side], pairs[(i + n // 2) % n][1 - side], table):
            chance_seen[w] += 1
            chance[w] += ok
    out: dict[str, tuple[float, float]] = {}
    for w in table:
        b = (chance[w] + ALPHA * PRIOR_CHANCE) / (chance_seen[w] + ALPHA)
        a = max((hit[w] + ALPHA * PRIOR_ALIGNED) / (seen[w] + ALPHA), b)
        out[w] = (math.log(a / b), math.log((1 - a) / (1 - b)))
    return out


class Adequacy(Filter):
    name = "adequacy"

    def __init__(self, en_links: Links, xx_links: Links, en_weights: dict[str, tuple[float, float]],
                 xx_weights: dict[str, tuple[float, float]], min_score: float, min_known: int,
                 info: dict[str, Any] | None = None) -> None:
        self.en_links, self.xx_links = en_links, xx_links
        self.en_weights, self.xx_weights = en_weights, xx_weights
        self.min_score, self.min_known = min_score, min_known
        self.info = dict(info or {})

    @classmethod
    def build(cls, model: IBM1Model, settings: dict[str, Any],
              pairs: Sequence[tuple[str, str]] = ()) -> Adequacy:
        """From the IBM-1 model (what ``load_or_train`` returns) and the (English, language) pairs it was
        trained on, which teach each word's weight; with no pairs every word gets the priors' weight."""
        s = {**ADEQUACY_DEFAULTS, **settings}
        en_links, xx_links = links(model, int(s["top"]))
        toks = [(_words(e), _words(x)) for e, x in list(dict.fromkeys(pairs))[:int(s["max_calibration_pairs"])]]
        toks = [p for p in toks if p[0] and p[1]]
        if len(toks) < 2:
            toks = []
        info: dict[str, Any] = {"tables": f"ibm1-{model.key}" if model.key else "ibm1", "top": int(s["top"]),
                                "calibration_pairs": len(toks), "vocab": len(en_links)}
        if len(en_links) < int(s["min_vocab"]):
            info["judging"] = False
            info["note"] = (f"not judging: the tables know {len(en_links)} English words "
                            f"(< min_vocab {s['min_vocab']})")
        return cls(en_links, xx_links, _weights(toks, 0, en_links), _weights(toks, 1, xx_links),
                   float(s["min_score"]), int(s["min_known"]), info)

    @staticmethod
    def _side(words: list[str], other: list[str], table: Links,
              weights: dict[str, tuple[float, float]]) -> tuple[float, int]:
        found = _explained(words, other, table)
        return sum(weights[w][0 if ok else 1] for w, ok in found), len(found)

    def score(self, record: Record) -> dict[str, float | str]:
        if not record.src or not record.tgt:
            return {}  # monolingual row
        en, xx = _words(untag(record.src)), _words(record.tgt)
        src, n_src = self._side(en, xx, self.en_links, self.en_weights)
        tgt, n_tgt = self._side(xx, en, self.xx_links, self.xx_weights)
        return {"src": round(src, 4), "tgt": round(tgt, 4), "score": round(min(src, tgt), 4),
                "src_known": n_src, "tgt_known": n_tgt}

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        if "score" not in scores or not self.info.get("judging", True):
            return None
        if min(float(scores["src_known"]), float(scores["tgt_known"])) < self.min_known:
            return None
        value = float(scores["score"])
        if value < self.min_score:
            side = "English" if float(scores["src"]) <= float(scores["tgt"]) else "language side"
            return f"adequacy: lexical score {value:.2f} < {self.min_score:g} ({side} least explained by the other)"
        return None

    def signature(self) -> dict[str, Any]:
        return {"score": "min over sides of the summed naive-Bayes log-ratio of words explained by the other "
                         "side (IBM-1 best translations, copies)",
                **self.info, "min_score": self.min_score, "min_known": self.min_known}
