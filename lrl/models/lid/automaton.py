"""The Aho-Corasick automaton over the selected n-grams, as py3langid's full 256-way DFA."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrl.models.lid.corpus import MAX_ORDER
from lrl.models.lid.ngrams import _Packed, _sorted_unique


@dataclass
class Automaton:
    """Aho-Corasick DFA over byte n-grams: ``delta[state, byte]``, and per state the index of its
    (combined) output feature or -1; ``outputs[f]`` is the n-grams feature f stands for."""

    delta: np.ndarray
    out: np.ndarray
    outputs: list[tuple[bytes, ...]]
    prefixes: list[bytes]

    @classmethod
    def build(cls, patterns: list[bytes]) -> Automaton:
        prefix_set = {p[:i] for p in patterns for i in range(len(p) + 1)}
        prefixes = sorted(prefix_set, key=lambda s: (len(s), s))  # BFS order: state 0 = b""
        sid = {p: i for i, p in enumerate(prefixes)}
        fail = np.zeros(len(prefixes), dtype=np.int64)
        for i, p in enumerate(prefixes):
            for k in range(1, len(p)):
                if p[k:] in sid:
                    fail[i] = sid[p[k:]]
                    break
        delta = np.zeros((len(prefixes), 256), dtype=np.int64)
        pattern_set = set(patterns)
        outsets: list[tuple[bytes, ...]] = []
        for i, p in enumerate(prefixes):
            if i:
                delta[i] = delta[fail[i]]
            for b in range(256):
                child = sid.get(p + bytes((b,)))
                if child is not None:
                    delta[i, b] = child
            inherited = outsets[fail[i]] if i else ()
            outsets.append(((p,) if p in pattern_set else ()) + inherited)
        index: dict[tuple[bytes, ...], int] = {}
        out = np.full(len(prefixes), -1, dtype=np.int64)
        for i, s in enumerate(outsets):
            if s:
                out[i] = index.setdefault(s, len(index))
        return cls(delta, out, list(index), prefixes)

    def feature_counts(self, p: _Packed) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(line, feature, count) of the features py3langid's DFA walk emits on each line."""
        return _count_features(self.delta, None, self.out, MAX_ORDER, len(self.outputs), p)


def _count_features(rows: np.ndarray, row_index: np.ndarray | None, out: np.ndarray, depth: int,
                    n_feat: int, p: _Packed) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(line, feature, count) of the features a py3langid DFA (``rows[row_index[state], byte]``) emits.

    The state after a byte depends only on the last ``depth`` bytes (no state is deeper: it is the
    longest suffix read that is a prefix of some n-gram), so every position's state is found by walking
    its window of ``depth`` bytes, all positions at once.
    """
    pos = np.arange(len(p.buf), dtype=np.int64)
    state = np.zeros(len(pos), dtype=np.int64)
    for k in range(depth - 1, -1, -1):
        j = pos - k
        ok = j >= p.start
        row = state if row_index is None else row_index[state]
        state = np.where(ok, rows[row, p.buf[np.where(ok, j, 0)]], state)
    feat = out[state]
    hit = feat >= 0
    n_feat = max(n_feat, 1)
    pair, count = _sorted_unique(p.line[hit] * n_feat + feat[hit])
    return pair // n_feat, pair % n_feat, count
