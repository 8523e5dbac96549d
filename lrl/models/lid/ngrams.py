"""Byte n-gram candidates and their selection by information gain (langid.py's DF and LD steps)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrl.models.lid.corpus import CANDIDATES_PER_ORDER, FEATURES_PER_LABEL, MAX_ORDER


@dataclass
class _Packed:
    """A label's lines as one byte buffer: ``buf``, the line of each byte, the start of that line."""

    buf: np.ndarray
    line: np.ndarray
    start: np.ndarray
    n_lines: int

    @classmethod
    def of(cls, lines: list[bytes]) -> _Packed:
        lens = np.fromiter((len(x) for x in lines), dtype=np.int64, count=len(lines))
        buf = np.frombuffer(b"".join(lines), dtype=np.uint8)
        line = np.repeat(np.arange(len(lines), dtype=np.int64), lens)
        starts = np.concatenate(([0], np.cumsum(lens)[:-1])) if len(lines) else np.zeros(0, np.int64)
        return cls(buf, line, np.repeat(starts, lens), len(lines))

    def ngram_keys(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(line, key) for every n-gram inside a line; key = n << 32 | bytes as a big-endian integer."""
        pos = np.arange(len(self.buf), dtype=np.int64)
        ok = pos - self.start >= n - 1
        end = pos[ok]
        code = np.zeros(len(end), dtype=np.uint64)
        for k in range(n - 1, -1, -1):  # first byte most significant, so keys sort like the bytes
            code = (code << np.uint64(8)) | self.buf[end - k].astype(np.uint64)
        return self.line[ok], code | np.uint64(n << 32)


def _key_bytes(key: int) -> bytes:
    n = key >> 32
    return (key & 0xFFFFFFFF).to_bytes(4, "big")[4 - n:]


def _document_frequency(p: _Packed, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct n-gram keys of order n and the number of lines each occurs in."""
    line, key = p.ngram_keys(n)
    pair = _sorted_unique((line.astype(np.uint64) << np.uint64(35)) | key)[0]
    return _sorted_unique(pair & np.uint64((1 << 35) - 1))


def _sorted_unique(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(x, return_counts=True)`` by sorting (numpy 2's hash-based unique is slower here)."""
    x = np.sort(x)
    if not len(x):
        return x, np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.concatenate(([True], x[1:] != x[:-1])))
    return x[first], np.diff(np.append(first, len(x)))


def _entropy2(pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    tot = pos + neg
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.zeros(np.broadcast(pos, neg).shape)
        for x in (pos, neg):
            p = np.where(tot > 0, x / np.where(tot > 0, tot, 1), 0.0)
            h -= np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0.0)
    return h


def select_features(packed: list[_Packed], features_per_label: int = FEATURES_PER_LABEL,
                    candidates_per_order: int = CANDIDATES_PER_ORDER) -> list[bytes]:
    """DF candidates per label and order, then the top features of each label by binarized IG."""
    dfs = [[_document_frequency(p, n) for n in range(1, MAX_ORDER + 1)] for p in packed]
    cand: set[int] = set()
    for per_order in dfs:
        for keys, df in per_order:
            top = np.lexsort((keys, -df))[:candidates_per_order]  # by DF, ties by bytes
            cand.update(keys[top].tolist())
    cands = np.array(sorted(cand), dtype=np.uint64)
    # DF of every candidate in every label: features × labels
    df_all = np.zeros((len(cands), len(packed)), dtype=np.float64)
    for j, per_order in enumerate(dfs):
        keys = np.concatenate([k for k, _ in per_order])
        df = np.concatenate([d for _, d in per_order])  # orders are disjoint key ranges, so sorted
        idx = np.searchsorted(keys, cands).clip(max=len(keys) - 1)
        df_all[:, j] = np.where(keys[idx] == cands, df[idx], 0)
    docs = np.array([p.n_lines for p in packed], dtype=np.float64)
    n_docs = docs.sum()
    present = df_all.sum(axis=1)
    absent = n_docs - present
    selected: set[int] = set()
    for j in range(len(packed)):
        # IG of "feature present" about "label j or not" (langid.py's binarized IG)
        prior = _entropy2(np.array(docs[j]), np.array(n_docs - docs[j]))
        h_present = _entropy2(df_all[:, j], present - df_all[:, j])
        h_absent = _entropy2(docs[j] - df_all[:, j], absent - (docs[j] - df_all[:, j]))
        ig = prior - (present * h_present + absent * h_absent) / n_docs
        order = np.lexsort((cands, -np.round(ig, 12)))[:features_per_label]
        selected.update(cands[order].tolist())
    return [_key_bytes(k) for k in sorted(selected)]
