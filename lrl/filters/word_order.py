"""Word-order evidence for the fluency check: how much better the model finds a sentence than the same words
shuffled.

A model's absolute score of a sentence mixes two things: how usual its words are and how usual their order
is. Real English with rare words or odd style (a literal proverb, a headline) scores low on both; word salad
made of common words scores well on the first. Scoring the sentence's own shuffles with the same model
cancels the words out: a real sentence reads clearly better than its shuffles, salad reads about as well
(it *is* one of them). ``gap`` is the sentence's raw score minus the mean over ``samples`` shuffles.

The shuffles are seeded by the text itself (crc32), so a sentence gets the same shuffles in every process,
shard and rerun: the kept rows do not depend on the executor.

Measured with the bar set on held-out seed English (``make bench-filters lang=yo``,
eval/filters/results/yo.md): word-shuffled MENYO-20k English rejected 78.7 -> 87.0% for 2 more clean pairs
lost (0.7%). Each piece with its bar on the benchmark's own clean rows (``python
eval/filters/word_order_parts.py --lang yo``), at 1% of clean English lost: absolute score 76.7%, gap alone
69.3%, their sum 82.7%.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable, Sequence, Sized
from typing import TypeVar

import numpy as np

#: Sentence-final punctuation stays last when the words are shuffled, so that only the order changes.
_ENDS = ".!?…።"

T = TypeVar("T")


def shuffles(text: str, samples: int) -> list[str]:
    """Up to ``samples`` distinct reorderings of the words of ``text`` (whitespace-separated words; a
    sentence-initial capital moves to the new first word, final punctuation stays last). Fewer when the
    text has fewer reorderings; none for a text of one word."""
    orders, end = shuffled_words(text, samples)
    return [" ".join(order) + end for order in orders]


def shuffled_words(text: str, samples: int) -> tuple[list[list[str]], str]:
    """:func:`shuffles` as word lists and the final punctuation: shuffle i is ``" ".join(orders[i]) + end``."""
    words = text.split()
    end = ""
    if words and words[-1][-1:] in _ENDS:
        stripped = words[-1].rstrip(_ENDS)
        end = words[-1][len(stripped):]
        if stripped:
            words[-1] = stripped
        else:
            words.pop()
    if len(words) < 2 or samples <= 0:
        return [], end
    first = words[0]
    recap = first[:1].isupper() and first[1:2].islower()  # "The" moves lowercased; "I", "USA", names stay
    if recap:
        words[0] = first[0].lower() + first[1:]
    rng = random.Random(zlib.crc32(text.encode("utf-8")))
    out: dict[str, list[str]] = {}
    for _ in range(samples * 3):  # a short text has few distinct orders: stop trying after a while
        order = words[:]
        rng.shuffle(order)
        if order == words:
            continue
        if recap:
            order[0] = order[0][0].upper() + order[0][1:]
        out.setdefault(" ".join(order) + end, order)
        if len(out) >= samples:
            break
    return list(out.values()), end


def with_shuffles(texts: Sequence[T], shuf: Sequence[Sequence[T]]) -> list[T]:
    """One batch for the model: the texts, then every text's shuffles in order (see :func:`split_gaps`);
    texts or their tokens."""
    return [*texts, *(s for ss in shuf for s in ss)]


def split_gaps(raw: np.ndarray, shuf: Sequence[Sized]) -> np.ndarray:
    """From the raw scores of a :func:`with_shuffles` batch: per text, its score minus the mean score of its
    shuffles (0 for a text with none)."""
    out = np.zeros(len(shuf))
    k = len(shuf)
    for i, ss in enumerate(shuf):
        if ss:
            out[i] = raw[i] - float(np.mean(raw[k:k + len(ss)]))
            k += len(ss)
    return out


def gaps(score: Callable[[list[str]], np.ndarray], texts: Sequence[str], samples: int) -> np.ndarray:
    """Per text, its raw score minus the mean raw score of its shuffles (0 for a text with none). ``score``
    scores a list of texts (one batch for the texts and all their shuffles)."""
    shuf = [shuffles(t, samples) for t in texts]
    flat = with_shuffles(texts, shuf)
    return split_gaps(score(flat) if flat else np.zeros(0), shuf)


def robust(values: np.ndarray) -> tuple[float, float]:
    """(median, 1.4826 × median absolute deviation): the centre and scale of the bulk of real text. The
    standard deviation is set by the few odd sentences of a seed, and a bar in its units lies far out in
    the tail: the check cuts at a quantile of the robust-z sum instead."""
    med = float(np.median(values))
    return med, max(1.4826 * float(np.median(np.abs(values - med))), 1e-3)


class OrderScale:
    """How the two pieces of evidence combine, set on held-out real sentences: each as a robust z-score,
    their sum as a robust z-score, minus its ``quantile`` on the held-out sentences (so a bar of 0 loses
    about that share of real text like the seed's, in any language)."""

    def __init__(self, raw: np.ndarray, gap: np.ndarray, quantile: float) -> None:
        self.raw_center, self.raw_scale = robust(raw)
        self.gap_center, self.gap_scale = robust(gap)
        comb = self._sum(raw, gap)
        self.center, self.scale = robust(comb)
        self.offset = float(np.quantile((comb - self.center) / self.scale, quantile))
        self.quantile = quantile

    def _sum(self, raw: np.ndarray, gap: np.ndarray) -> np.ndarray:
        return (raw - self.raw_center) / self.raw_scale + (gap - self.gap_center) / self.gap_scale

    def score(self, raw: float, gap: float) -> float:
        comb = float(self._sum(np.array([raw]), np.array([gap]))[0])
        return (comb - self.center) / self.scale - self.offset

    def describe(self) -> dict[str, float]:
        return {k: round(float(v), 4) for k, v in vars(self).items()}
