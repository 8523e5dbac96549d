"""Word-by-word translation with a target-language bigram model: IBM-1's top candidates per word,
chosen jointly by Viterbi over ``log t(e|f) + weight · log P_lm(e | previous e)``.

Why it exists: IBM-1 alone picks each word in isolation, so target-side text can teach it nothing; with a
language model, real target sentences (the LRL side of back-translated pairs, for English→LRL) make its
choices more fluent. It is the cheapest downstream model for ``lrl eval`` that can show what back-translation
is for, and it trains in seconds on a CPU. Word order still follows the source (monotone, one word per word).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from lrl.models.ibm1 import _is_word, detokenize, tokenize

BOS = "<s>"


class BigramLM:
    """Interpolated absolute-discounting bigram model over lower-cased word tokens."""

    def __init__(self, discount: float = 0.75) -> None:
        self.d = discount
        self.uni: Counter[str] = Counter()
        self.bi: Counter[tuple[str, str]] = Counter()
        self.ctx: Counter[str] = Counter()  # count of w as a left context
        self.followers: Counter[str] = Counter()  # distinct words seen after w
        self.total = 0

    @classmethod
    def train(cls, sentences: Iterable[str], discount: float = 0.75) -> BigramLM:
        lm = cls(discount)
        for s in sentences:
            words = [t.lower() for t in tokenize(s) if _is_word(t)]
            prev = BOS
            for w in words:
                lm.uni[w] += 1
                if lm.bi[(prev, w)] == 0:
                    lm.followers[prev] += 1
                lm.bi[(prev, w)] += 1
                lm.ctx[prev] += 1
                prev = w
        lm.total = sum(lm.uni.values())
        return lm

    def logprob(self, prev: str, w: str) -> float:
        v = len(self.uni) + 1
        p_uni = (self.uni[w] + 1) / (self.total + v)  # add-one unigram: unseen words stay possible
        c = self.ctx[prev]
        if not c:
            return math.log(p_uni)
        lam = self.d * self.followers[prev] / c
        p = max(self.bi[(prev, w)] - self.d, 0.0) / c + lam * p_uni
        return math.log(p)


class LexicalLMTranslator:
    """Monotone word-by-word translation with candidate choice by Viterbi under a bigram LM."""

    # 0.2: on MENYO-20k dev (1,000 rows) BLEU rises most (+0.3 en→yo, +0.4 yo→en over weight 0) while
    # chrF++ falls by 0.1-0.8; larger weights lose on both.
    def __init__(self, table: dict[str, list[tuple[str, float]]], lm: BigramLM, weight: float = 0.2,
                 identity: dict[str, Any] | None = None) -> None:
        self.table, self.lm, self.weight = table, lm, weight
        self.identity = identity or {"kind": "ibm1+lm"}

    def translate_one(self, text: str) -> str:
        toks = tokenize(text)
        # Each word position offers its candidates (surface, log t); other tokens pass through.
        slots: list[list[tuple[str, float]]] = []
        for tok in toks:
            if not _is_word(tok):
                slots.append([(tok, 0.0)])
                continue
            cands = self.table.get(tok.lower())
            slots.append([(e, math.log(max(p, 1e-9))) for e, p in cands] if cands else [(tok, 0.0)])
        # Viterbi over word slots; punctuation does not reset the LM context.
        best: list[tuple[float, list[str], str]] = [(0.0, [], BOS)]
        for tok, cands in zip(toks, slots, strict=True):
            if not _is_word(tok):
                best = [(s, path + [tok], prev) for s, path, prev in best]
                continue
            nxt: list[tuple[float, list[str], str]] = []
            for e, lt in cands:
                low = e.lower()
                s, path, _ = max(((s + lt + self.weight * self.lm.logprob(prev, low), path, prev)
                                  for s, path, prev in best), key=lambda x: x[0])
                out = e[:1].upper() + e[1:] if tok[:1].isupper() and e == tok.lower() else e
                nxt.append((s, path + [out], low))
            best = nxt
        words = max(best, key=lambda x: x[0])[1] if best else []
        out_text = detokenize(words)
        return out_text[:1].upper() + out_text[1:] if text[:1].isupper() else out_text

    def translate(self, texts: list[str]) -> list[str]:
        return [self.translate_one(t) for t in texts]
