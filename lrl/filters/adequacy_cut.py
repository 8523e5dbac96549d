"""Truncation evidence for the adequacy check (lrl/filters/adequacy.py): is one side cut short?

A side cut mid-sentence is shorter than the seed's length ratio predicts, usually lacks the sentence end
the other side has, and leaves the *tail* of the other side unexplained (its head is translated, its
last third is not). Each alone is weak: clean pairs differ in final punctuation, and length ratios of
real pairs spread widely. A second logistic regression, trained like the misaligned one (the seed's
pairs, scored cross-fitted, against the same pairs with one side cut to 30-70% of its words), weighs
them together. It is its own classifier because training the misaligned classifier also on cut pairs
taught it length and cost it misaligned pairs (see adequacy.py).

The last word of each side is evidence too: a cut side ends on whatever word the cut fell after — "of",
"the", "and", a Yoruba "ní" or "àti" — words that occur often in the seed and almost never end one of its
sentences. ``en_end`` / ``xx_end`` are the last word's log-odds of ending a seed sentence against the
seed's overall rate (sentences per word), learned from the seed's own sides, so any language gets them
without a word list.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence

import numpy as np

from lrl.filters.adequacy_features import Featurizer, Links, Text, _truncate, labelled, seed_folds
from lrl.filters.length import ends_sentence
from lrl.models.ibm1 import IBM1Model, word_tokens

CUT_FEATURES = ("en_short_z", "xx_short_z", "en_open", "xx_open", "en_tail_gap", "xx_tail_gap",
                "en_tail_miss", "xx_tail_miss", "en_end", "xx_end")
#: What the feature that weighs most against a pair says.
CUT_WHY = {"en_short_z": "English short for the other side", "xx_short_z": "language side short for the English",
           "en_open": "English ends mid-sentence", "xx_open": "language side ends mid-sentence",
           "en_tail_gap": "the end of the English is not in the other side",
           "xx_tail_gap": "the end of the language side is not in the English",
           "en_tail_miss": "the end of the English is not in the other side",
           "xx_tail_miss": "the end of the language side is not in the English",
           "en_end": "the English ends on a word that rarely ends a sentence",
           "xx_end": "the language side ends on a word that rarely ends a sentence"}
#: Pseudo-count of the end-word log-odds: a word seen a few times stays near the seed's overall rate.
END_ALPHA = 2.0
#: The log-odds are clipped to this: one word should not outweigh the rest of the evidence.
END_CLIP = 4.0


def _words_lower(text: str) -> list[str]:
    return list(map(str.lower, word_tokens(text)))


def end_odds(texts: Sequence[str]) -> dict[str, float]:
    """Per word of ``texts``: log-odds that it is a sentence's last word, against the overall rate
    (sentences per word), smoothed towards that rate by ``END_ALPHA`` pseudo-occurrences."""
    ends: Counter[str] = Counter()
    count: Counter[str] = Counter()
    for t in texts:
        ws = _words_lower(t)
        if ws:
            count.update(ws)
            ends[ws[-1]] += 1
    total = sum(count.values())
    if not total:
        return {}
    p0 = min(sum(ends.values()) / total, 0.5)
    return {w: max(-END_CLIP, min(END_CLIP, math.log((ends[w] + END_ALPHA * p0) / (c + END_ALPHA) / p0)))
            for w, c in count.items()}


def _tail_miss(words: list[str], other: list[str], table: Links) -> tuple[float, float]:
    """(share of the known words in the last third that the other side does not explain, that share
    minus the same share in the first two thirds): a cut other side explains the head, not the tail."""
    o = set(other)
    cut = (2 * len(words)) // 3

    def miss(ws: list[str]) -> float:
        known = [w for w in ws if w in table]
        return sum(w not in o and table[w].isdisjoint(o) for w in known) / len(known) if known else 0.0

    tail = miss(words[cut:])
    return tail, tail - miss(words[:cut])


class CutFeaturizer:
    """The truncation evidence of one pair: the word links of a :class:`Featurizer` plus the seed's
    log length-ratio (characters) mean and standard deviation."""

    def __init__(self, fz: Featurizer, log_ratio_mean: float, log_ratio_std: float,
                 en_ends: dict[str, float] | None = None, xx_ends: dict[str, float] | None = None) -> None:
        self.fz, self.mean, self.std = fz, log_ratio_mean, max(log_ratio_std, 1e-6)
        self.en_ends, self.xx_ends = en_ends or {}, xx_ends or {}

    @staticmethod
    def calibrate(pairs: Sequence[tuple[str, str]]
                  ) -> tuple[float, float, dict[str, float], dict[str, float]]:
        """(mean and standard deviation of the log length ratio, end-word log-odds of each side)."""
        ends = end_odds([e for e, _ in pairs]), end_odds([x for _, x in pairs])
        logs = [math.log(len(e) / len(x)) for e, x in pairs if e and x]
        if len(logs) < 2:
            return 0.0, 1.0, *ends
        mean = sum(logs) / len(logs)
        return mean, math.sqrt(sum((v - mean) ** 2 for v in logs) / (len(logs) - 1)), *ends

    def features(self, en_text: str | Text, xx_text: str | Text) -> dict[str, float]:
        t_en, t_xx = Text.of(en_text), Text.of(xx_text)
        en, xx = t_en.text, t_xx.text
        z = (math.log(max(len(en), 1) / max(len(xx), 1)) - self.mean) / self.std
        te, tx = t_en.lower, t_xx.lower
        ee, ex = ends_sentence(en), ends_sentence(xx)
        en_miss, en_gap = _tail_miss(te, tx, self.fz.en_links)
        xx_miss, xx_gap = _tail_miss(tx, te, self.fz.xx_links)
        return {"en_short_z": max(0.0, -z), "xx_short_z": max(0.0, z),
                "en_open": float(ex and not ee), "xx_open": float(ee and not ex),
                "en_tail_gap": en_gap, "xx_tail_gap": xx_gap, "en_tail_miss": en_miss, "xx_tail_miss": xx_miss,
                "en_end": self.en_ends.get(te[-1], 0.0) if te else 0.0,
                "xx_end": self.xx_ends.get(tx[-1], 0.0) if tx else 0.0}


def cut_negatives(pairs: Sequence[tuple[str, str]], rng: random.Random) -> list[tuple[str, str]]:
    """Each seed pair with one side (English and language side in turn) cut to 30-70% of its words."""
    out: list[tuple[str, str]] = []
    for k, (en, xx) in enumerate(pairs):
        if k % 2 == 0 and len(en.split()) >= 4:
            out.append((_truncate(en, rng), xx))
        elif k % 2 == 1 and len(xx.split()) >= 4:
            out.append((en, _truncate(xx, rng)))
    return out


def cut_cross_fitted(model: IBM1Model, pairs: Sequence[tuple[str, str]], latin: bool, top: int
                     ) -> tuple[np.ndarray, np.ndarray, int]:
    """(features, labels, number of positives first): each half of the seed and its cut copies scored with
    the IBM-1 tables and length ratio of the other half (the tables are the ones ``cross_fitted`` trained,
    cached on disk), as for the misaligned classifier."""
    pos: list[dict[str, float]] = []
    neg: list[dict[str, float]] = []
    rng = random.Random(1)
    for learn_ids, judge_ids, half in seed_folds(model, pairs):
        learn = [pairs[i] for i in learn_ids]
        judged = [pairs[i] for i in judge_ids]
        cf = CutFeaturizer(Featurizer(half, top, latin), *CutFeaturizer.calibrate(learn))
        pos += (cf.features(*p) for p in judged)
        neg += (cf.features(*p) for p in cut_negatives(judged, rng))
    return labelled(pos, neg, CUT_FEATURES)
