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

from collections import Counter
from collections.abc import Iterable, Sequence

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

    @classmethod
    def train(cls, sentences: Sequence[str], order: int = 4, top_words: int = 300) -> ClassLM:
        counts = Counter(t.lower() for s in sentences for t in tokenize(s) if _is_word(t))
        keep = FUNCTION_WORDS | frozenset(w for w, _ in counts.most_common(top_words))
        # Distinct class sequences count once: templates differ only in their slot words ("Kola is very
        # popular.", "Ade is very popular.") and would otherwise outweigh real English.
        seqs = [list(c) for c in dict.fromkeys(tuple(classes(s, keep)) for s in sentences) if c]
        return cls(keep, NgramLM.train_tokens(seqs, order), NgramLM.train_tokens([q[::-1] for q in seqs], order),
                   len(counts))

    def score_batch(self, texts: Iterable[str]) -> list[tuple[float, float]]:
        """Per text: (left-to-right, right-to-left) mean class n-gram minus class unigram log-prob per token."""
        seqs = [classes(t, self.keep) for t in texts]
        fwd = self.forward.score_tokens_batch(seqs)
        bwd = self.backward.score_tokens_batch([q[::-1] for q in seqs])
        return [(f[1], b[1]) for f, b in zip(fwd, bwd, strict=True)]

    def scores(self, texts: Iterable[str]) -> np.ndarray:
        """The two directions' scores averaged, one per text."""
        pairs = self.score_batch(texts)
        return np.array([(f + b) / 2 for f, b in pairs]) if pairs else np.zeros(0)
