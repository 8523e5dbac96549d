"""English word order over a reduced vocabulary: a class n-gram model, read in both directions.

A word trigram learnt from a few thousand sentences sees mostly unseen n-grams, so it knows little order
and what it knows is tied to the seed's domain. Here the most frequent words of the training English plus a
hand-written list of English function words stay themselves (``the``, ``of``, ``is``, ``and`` …) and every
other word becomes a shape/suffix class (``_ing``, ``C_tion`` for a capitalized one, ``_num``, ``_w`` …);
punctuation stays itself. Over that vocabulary a 4-gram learns English syntax from a few thousand
sentences, and it transfers across domains (measured in eval/filters/results/models-*.md).

Score of a sentence: per direction (left to right, right to left), the mean per-token log-probability under
the class n-gram model minus that under the class unigram model; the two directions averaged.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from lrl.models.ibm1 import _is_word, tokenize
from lrl.models.ngram import NgramLM

# English function words, kept as themselves whatever the seed (data, written by hand).
_FUNCTION_WORDS = """
a an the and or but nor if then than because while although though unless until since so yet as of to in on
at by for with from into onto over under about after before between through during without within against
among around above below up down out off near upon across along behind beyond toward towards per via
is are was were be been being am do does did done have has had having will would shall should can could may
might must ought not no never also very just too only even still already again ever here there where when
why how what which who whom whose that this these those it its he she they them his her hers their theirs
we us our ours you your yours i me my mine him himself herself itself themselves myself ourselves yourself
all any some each every both either neither few many much more most less least other another such own same
one two three first last s t n't 's 'll 're 've 'd 'm
"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())

# Suffix classes, longest first within a family (a word takes the first that matches).
SUFFIXES = ("tion", "sion", "ment", "ness", "ity", "ing", "ed", "ly", "ous", "ive", "able", "ible", "al", "ful",
            "less", "est", "er", "ist", "ism", "ize", "ise", "ic", "y", "s")


def word_class(token: str, keep: frozenset[str], first: bool) -> str:
    """The class of one token (``first``: the sentence's first token, whose capital says nothing)."""
    if not _is_word(token):
        return token
    low = token.lower()
    cap = token[:1].isupper()
    if low in keep and (first or not cap or low == "i"):
        return low
    if token[:1].isdigit():
        return "_num"
    if cap and len(token) > 1 and token.isupper():
        return "_ACR"
    prefix = "C_" if cap and not first else "_"
    for suffix in SUFFIXES:
        if low.endswith(suffix) and len(low) > len(suffix) + 2:
            return prefix + suffix
    return prefix + "w"


def classes(text: str, keep: frozenset[str]) -> list[str]:
    return [word_class(t, keep, i == 0) for i, t in enumerate(tokenize(text))]


#: Distinct tokens whose class a model remembers (per position kind); past it the memo starts over.
MEMO_MAX = 1 << 18


def _vocab_id(vocab: dict[str, int], cls: str) -> int:
    return vocab.get(cls, 0)


class _Memo:
    """:func:`word_class` remembered per token, for a sentence's first token and for the others apart (the
    first token's capital says nothing), as ``encode`` of the class (the class itself, or a model's id of
    it). ``keep`` is fixed for a model, so the class of a token is too."""

    def __init__(self, keep: frozenset[str], encode: Callable[[str], Any] = str) -> None:
        self.keep = keep
        self.encode = encode
        self.first: dict[str, Any] = {}
        self.rest: dict[str, Any] = {}

    def head(self, token: str) -> Any:
        """The class of a sentence's first token."""
        c = self.first.get(token)
        if c is None:
            if len(self.first) > MEMO_MAX:
                self.first.clear()
            c = self.first[token] = self.encode(word_class(token, self.keep, True))
        return c

    def tail(self, tokens: Sequence[str]) -> list[Any]:
        """The classes of tokens none of which starts the sentence."""
        rest = self.rest
        if len(rest) > MEMO_MAX:
            rest.clear()
        out = []
        for t in tokens:
            c = rest.get(t)
            if c is None:
                c = rest[t] = self.encode(word_class(t, self.keep, False))
            out.append(c)
        return out

    def classes(self, tokens: Sequence[str]) -> list[Any]:
        """``[encode(word_class(t, keep, i == 0)) for i, t in enumerate(tokens)]``."""
        if not tokens:
            return []
        out = self.tail(tokens)
        out[0] = self.head(tokens[0])
        return out


class ClassLM:
    """Class n-gram models of the same English read left to right and right to left."""

    def __init__(self, keep: frozenset[str], forward: NgramLM, backward: NgramLM, types: int) -> None:
        self.keep = keep
        self.forward = forward
        self.backward = backward
        self.order = forward.order
        self.sentences = forward.sentences
        self.tokens = forward.tokens
        #: Distinct (lower-cased) words of the training English: how much English the model has seen.
        self.types = types
        self._memo = _Memo(keep, functools.partial(_vocab_id, forward.vocab))  # a function pickle can write
        #: per whitespace-separated word: its first token and the ids of its tokens' classes (not first)
        self._words: dict[str, tuple[str | None, list[int]]] = {}
        # The two directions learnt the same classes: the backward model's id of each forward id.
        back = np.zeros(len(forward.vocab), dtype=np.int64)
        for w, i in forward.vocab.items():
            back[i] = backward.vocab.get(w, 0)
        self._to_backward = back

    @classmethod
    def train(cls, sentences: Sequence[str], order: int = 4, top_words: int = 300) -> ClassLM:
        counts = Counter(t.lower() for s in sentences for t in tokenize(s) if _is_word(t))
        keep = FUNCTION_WORDS | frozenset(w for w, _ in counts.most_common(top_words))
        # Distinct class sequences count once: templates differ only in their slot words ("Kola is very
        # popular.", "Ade is very popular.") and would otherwise outweigh real English.
        memo = _Memo(keep)
        seqs = [list(c) for c in dict.fromkeys(tuple(memo.classes(tokenize(s))) for s in sentences) if c]
        return cls(keep, NgramLM.train_tokens(seqs, order), NgramLM.train_tokens([q[::-1] for q in seqs], order),
                   len(counts))

    def class_ids(self, tokens: Sequence[str]) -> list[int]:
        """The forward model's ids of the classes of a sentence's ``tokens`` (``lrl.models.ibm1.tokenize``)."""
        return self._memo.classes(tokens)

    def shuffle_ids(self, orders: Sequence[Sequence[str]], end: str) -> list[list[int]]:
        """:meth:`class_ids` of ``tokenize(" ".join(order) + end)`` for each shuffle of a sentence
        (``lrl.filters.word_order.shuffled_words``), from its words' tokens: a token never spans whitespace
        and Unicode normalization never joins characters across a space, so the text's tokens are each
        word's in turn, the last word with ``end`` attached; only the sentence's first token is classed as
        first (tests/filters/test_word_order.py checks it against tokenizing the text)."""
        memo = self._words
        if len(memo) > MEMO_MAX:
            memo.clear()
        out = []
        for order in orders:
            ids: list[int] = []
            head = None
            last = len(order) - 1
            for i, w in enumerate(order):
                if i == last:
                    w += end
                m = memo.get(w)
                if m is None:
                    toks = tokenize(w)
                    m = memo[w] = (toks[0] if toks else None, self._memo.tail(toks))
                if head is None:
                    head = m[0]
                ids += m[1]
            if head is not None:
                ids[0] = self._memo.head(head)
            out.append(ids)
        return out

    def score_ids(self, seqs: Sequence[Sequence[int]]) -> list[tuple[float, float]]:
        """:meth:`score_batch` of sentences given as :meth:`class_ids`."""
        if not seqs:
            return []
        fwd, bwd, sent = pad_both(seqs, self.order, self._to_backward)
        n = len(seqs)
        out = []
        for lm, flat in ((self.forward, fwd), (self.backward, bwd)):
            lp, uni = lm._logprobs_flat(flat)
            count = np.bincount(sent, minlength=n)
            out.append((np.bincount(sent, weights=lp - uni, minlength=n) / count).tolist())
        return list(zip(out[0], out[1], strict=True))

    def score_batch(self, texts: Iterable[str]) -> list[tuple[float, float]]:
        """Per text: (left-to-right, right-to-left) mean class n-gram minus class unigram log-prob per token."""
        return self.score_ids([self.class_ids(tokenize(t)) for t in texts])

    def scores(self, texts: Iterable[str]) -> np.ndarray:
        """The two directions' scores averaged, one per text."""
        pairs = self.score_batch(texts)
        return np.array([(f + b) / 2 for f, b in pairs]) if pairs else np.zeros(0)


def pad_both(seqs: Sequence[Sequence[int]], order: int, to_backward: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sentences of forward ids padded as ``NgramLM._pad`` pads them (``order - 1`` ``<s>``, the ids,
    ``</s>``), the same reversed in the backward model's ids, and the sentence of each scored token."""
    lens = np.fromiter((len(q) for q in seqs), dtype=np.int64, count=len(seqs))
    ids = np.fromiter(itertools.chain.from_iterable(seqs), dtype=np.int64, count=int(lens.sum()))
    starts = np.cumsum(lens) - lens  # of each sentence's ids in ``ids``
    offs = starts + np.arange(len(seqs)) * order  # of each sentence in the padded array
    total = int(lens.sum()) + order * len(seqs)
    local = np.arange(len(ids)) - np.repeat(starts, lens)  # each id's position in its sentence
    at = np.repeat(offs + order - 1, lens) + local
    fwd = np.ones(total, dtype=np.int64)
    fwd[at] = ids
    fwd[offs + order - 1 + lens] = 2
    bwd = np.ones(total, dtype=np.int64)
    bwd[at] = to_backward[ids[np.repeat(starts + lens - 1, lens) - local]]
    bwd[offs + order - 1 + lens] = 2
    sent = np.repeat(np.arange(len(seqs)), lens + 1)
    return fwd, bwd, sent
