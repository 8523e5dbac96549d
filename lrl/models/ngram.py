"""A word n-gram language model (interpolated Kneser-Ney, order 1–6) and a unigram model of the same data.

Used to judge whether English reads like English (:mod:`lrl.filters.fluency`): the score of a sentence is
its mean per-token log-probability under the n-gram model *minus* that under the unigram model. The
difference cancels what length and rare words do to a plain n-gram score (a sentence of rare but well
ordered words and one of common words in salad order would otherwise look alike), leaving how much the
word *order* is predicted by the context (shared DESIGN.md: ~50% of shuffled sentences separated by a
plain bigram score, ~85% by the normalized one).

Hand-written, not kenlm: kenlm's Python module only queries; building a model needs its compiled
``lmplz`` binary, which pip does not install. Counting is vectorized with numpy (n-grams are packed
into int64 keys, looked up with ``searchsorted``), so 100k sentences train in seconds in tens of MB.

Tokens are ``lrl.models.ibm1.tokenize`` tokens, lower-cased, punctuation included (a final full stop
is evidence of a complete sentence); each sentence ends with ``</s>``, which is scored, and starts
with ``order - 1`` ``<s>`` tokens, which are not. Words never seen in training map to ``<unk>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrl.models.ibm1 import tokenize

UNK, BOS, EOS = "<unk>", "<s>", "</s>"


def words(text: str) -> list[str]:
    return [t.lower() for t in tokenize(text)]


@dataclass
class _Order:
    """Counts for one order n: n-gram keys (sorted) with their counts — raw counts for the highest order,
    continuation counts N1+(• w) below it — and, for n ≥ 2, per (n-1)-gram context the sum and the number
    of distinct continuations, plus the order's absolute discount."""

    keys: np.ndarray
    counts: np.ndarray
    ctx_keys: np.ndarray
    ctx_sum: np.ndarray
    ctx_types: np.ndarray
    discount: float


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``values`` at each ``query`` key of the sorted ``keys``; 0 where a key is absent."""
    if len(keys) == 0:
        return np.zeros(len(query), dtype=values.dtype)
    pos = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return np.where(keys[pos] == query, values[pos], 0)


#: Key spaces up to this size (v ** n for n-grams over v types) are looked up in a dense array.
DENSE_MAX = 1 << 22


class _Table:
    """Values by key for one vectorized lookup, ``missing`` for a key not in the table: a dense array over
    a small key space (a class model's 444 types: every bigram), else pandas' hash table of the keys (~4x
    faster than ``searchsorted`` over 100k+ keys), else ``searchsorted``."""

    def __init__(self, keys: np.ndarray, values: np.ndarray, space: int, missing: float) -> None:
        self.keys = keys
        self.values = np.r_[values, missing]  # position -1: missing
        self.dense: np.ndarray | None = None
        self.hashed: Any = None
        if space <= DENSE_MAX:
            self.dense = np.full(space, missing)
            self.dense[keys] = values
            return
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is a dependency
            return
        self.hashed = pd.Index(keys)

    def __call__(self, query: np.ndarray) -> np.ndarray:
        if self.dense is not None:
            return self.dense[query]
        if self.hashed is not None:
            return self.values[self.hashed.get_indexer(query)]
        if len(self.keys) == 0:
            return np.full(len(query), self.values[-1])
        pos = np.minimum(np.searchsorted(self.keys, query), len(self.keys) - 1)
        return self.values[np.where(self.keys[pos] == query, pos, -1)]


@dataclass
class _Step:
    """One order of the interpolation, read off per n-gram and per context once, when the model is first
    scored: ``p_n = alpha[ngram] + gamma[context] * p_(n-1)``. ``alpha = max(c - D, 0) / s`` (0 for an n-gram
    not seen) and ``gamma = D * t / s`` (1 for a context not seen, which leaves ``p_(n-1)`` as it is) are the
    terms of the interpolation formula, computed with the same operations in the same order, so the
    probabilities are bit-identical to computing the formula per token."""

    alpha: _Table
    gamma: _Table


def _discount(counts: np.ndarray) -> float:
    """Ney's estimate D = n1 / (n1 + 2 n2) from the count-of-counts (0.5 when the data cannot tell)."""
    n1, n2 = int(np.sum(counts == 1)), int(np.sum(counts == 2))
    if n1 == 0 or n1 + 2 * n2 == 0:
        return 0.5
    return min(max(n1 / (n1 + 2 * n2), 0.1), 0.95)


class NgramLM:
    """Interpolated Kneser-Ney word n-gram model with a unigram (add-one) model of the same tokens."""

    def __init__(self, vocab: dict[str, int], orders: list[_Order], unigram_counts: np.ndarray,
                 order: int, sentences: int) -> None:
        self.vocab = vocab
        self.orders = orders  # orders[n-1] holds order n
        self.order = order
        self.sentences = sentences
        self.tokens = int(unigram_counts.sum())
        v = len(vocab)
        #: Add-one unigram over the vocabulary plus <unk> (so an unseen word has the mass of a singleton's half).
        self.unigram_logp = np.log((unigram_counts + 1.0) / (self.tokens + v))
        self._prepared: list[_Step] | None = None

    @property
    def types(self) -> int:
        return len(self.vocab) - 3

    # -- training ------------------------------------------------------------------------------------
    @classmethod
    def train(cls, sentences: Iterable[str], order: int = 3) -> NgramLM:
        return cls.train_tokens((words(s) for s in sentences), order)

    @classmethod
    def train_tokens(cls, sentences: Iterable[Sequence[str]], order: int = 3) -> NgramLM:
        """Train on sentences already split into tokens (e.g. word classes, :mod:`lrl.models.wordclass`)."""
        if not 1 <= order <= 6:
            raise ValueError(f"n-gram order must be 1 to 6, not {order}")
        vocab: dict[str, int] = {UNK: 0, BOS: 1, EOS: 2}
        seqs: list[list[int]] = []
        for toks in sentences:
            if toks:
                seqs.append([vocab.setdefault(w, len(vocab)) for w in toks])
        v = len(vocab)
        if v ** order >= 2 ** 62:  # n-grams are packed into int64 keys
            raise ValueError(f"a {order}-gram model of {v} types does not fit int64 keys; use a lower order "
                             "or a smaller vocabulary")
        flat = cls._pad(seqs, order)
        unigram_counts = np.bincount(flat[flat != 1], minlength=v).astype(np.float64)
        # Every window of `order` tokens that lies inside one padded sentence.
        top_keys = cls._windows(flat, order, v)
        keys, counts = np.unique(top_keys, return_counts=True)
        orders: list[_Order] = []
        for n in range(order, 0, -1):
            if n < order:
                # Continuation counts: how many distinct words precede this n-gram among (n+1)-gram types.
                keys, counts = np.unique(orders[-1].keys % v ** n, return_counts=True)
            orders.append(cls._order(keys, counts.astype(np.float64), n, v))
        orders.reverse()
        return cls(vocab, orders, unigram_counts, order, len(seqs))

    @staticmethod
    def _pad(seqs: Sequence[list[int]], order: int) -> np.ndarray:
        pad = [1] * (order - 1)
        total = sum(len(s) + order for s in seqs)  # pads + words + </s>
        return np.fromiter((t for s in seqs for t in (*pad, *s, 2)), dtype=np.int64, count=total)

    @staticmethod
    def _windows(flat: np.ndarray, n: int, v: int) -> np.ndarray:
        """Packed keys of the n-token windows ending on each scored token (not on the <s> pads). Windows
        never cross sentences: each sentence starts with n-1 pads."""
        if len(flat) == 0:
            return np.zeros(0, dtype=np.int64)
        keep = flat != 1
        ends = np.flatnonzero(keep)
        key = np.zeros(len(ends), dtype=np.int64)
        for j in range(n - 1, -1, -1):
            key = key * v + flat[ends - j]
        return key

    @staticmethod
    def _order(keys: np.ndarray, counts: np.ndarray, n: int, v: int) -> _Order:
        if n == 1:
            ctx_keys = np.zeros(1, dtype=np.int64)
            ctx_sum = np.array([counts.sum()])
            ctx_types = np.array([float(len(keys))])
        else:
            ctx_keys, inv = np.unique(keys // v, return_inverse=True)
            ctx_sum = np.bincount(inv, weights=counts)
            ctx_types = np.bincount(inv).astype(np.float64)
        return _Order(keys, counts, ctx_keys, ctx_sum, ctx_types, _discount(counts))

    # -- scoring -------------------------------------------------------------------------------------
    def ids(self, text: str) -> list[int]:
        return [self.vocab.get(w, 0) for w in words(text)]

    def _steps(self) -> list[_Step]:
        if self._prepared is None:
            v = len(self.vocab)
            steps = []
            for n, o in enumerate(self.orders, 1):
                ctx_seen = o.ctx_sum > 0
                gamma = np.where(ctx_seen, o.discount * o.ctx_types / np.where(ctx_seen, o.ctx_sum, 1.0), 1.0)
                # each n-gram's context sum (the unigram's context is the empty one, key 0)
                s = _lookup(o.ctx_keys, o.ctx_sum, o.keys // v if n > 1 else np.zeros(len(o.keys), np.int64))
                seen = s > 0
                alpha = np.where(seen, np.maximum(o.counts - o.discount, 0.0) / np.where(seen, s, 1.0), 0.0)
                steps.append(_Step(_Table(o.keys, alpha, v ** n, 0.0), _Table(o.ctx_keys, gamma, v ** (n - 1), 1.0)))
            self._prepared = steps
        return self._prepared

    def _logprobs(self, seqs: list[list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per scored token of all ``seqs`` (each gets its pads and ``</s>``): n-gram and unigram natural-log
        probabilities, and the index of the sentence each token belongs to. One vectorized pass: scoring
        sentence by sentence spends its time in numpy call overhead."""
        flat = self._pad(seqs, self.order)
        sent = np.repeat(np.arange(len(seqs)), [len(q) + 1 for q in seqs])
        lm, uni = self._logprobs_flat(flat)
        return lm, uni, sent

    def _logprobs_flat(self, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_logprobs` of sentences already padded into one array (:meth:`_pad`, :func:`pad_ids`)."""
        v = len(self.vocab)
        pos = np.flatnonzero(flat != 1)
        p = np.full(len(pos), 1.0 / v)  # order 0: uniform over the vocabulary and <unk>
        key = np.zeros(len(pos), dtype=np.int64)
        for n, step in enumerate(self._steps(), 1):
            # The n-gram ending at each token: its (n-1)-gram key with one more word on the left (the
            # leftmost word is the most significant digit); its context drops the last word.
            key = key + flat[pos - (n - 1)] * v ** (n - 1) if n > 1 else flat[pos].copy()
            gamma = step.gamma(key // v) if n > 1 else step.gamma.values[0]
            p = step.alpha(key) + gamma * p
        return np.log(p), self.unigram_logp[flat[pos]]

    def token_logprobs(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Per-token natural-log probabilities of the words of ``text`` and ``</s>``: (n-gram, unigram)."""
        lm, uni, _ = self._logprobs([self.ids(text)])
        return lm, uni

    def score(self, text: str) -> tuple[float, float]:
        """(mean n-gram log-prob per token, mean of n-gram minus unigram log-prob per token)."""
        return self.score_batch([text])[0]

    def score_batch(self, texts: list[str]) -> list[tuple[float, float]]:
        return self.score_tokens_batch([words(t) for t in texts])

    def score_tokens_batch(self, sentences: Sequence[Sequence[str]]) -> list[tuple[float, float]]:
        """:meth:`score_batch` for sentences already split into tokens."""
        if not sentences:
            return []
        lm, uni, sent = self._logprobs([[self.vocab.get(w, 0) for w in toks] for toks in sentences])
        n = np.bincount(sent, minlength=len(sentences))
        mean_lm = np.bincount(sent, weights=lm, minlength=len(sentences)) / n
        mean_diff = np.bincount(sent, weights=lm - uni, minlength=len(sentences)) / n
        return list(zip(mean_lm.tolist(), mean_diff.tolist(), strict=True))

    def oov_share(self, text: str) -> float:
        seq = self.ids(text)
        return sum(1 for i in seq if i == 0) / len(seq) if seq else 0.0
