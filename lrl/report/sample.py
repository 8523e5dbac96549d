"""The report's bounded sample of a run's rows (``report.sample_rows``): what the page draws per row — kept
rows' text (lengths, diversity, examples) and every row's numeric scores (histograms) — comes from at most
``cap`` rows, so gathering it costs the same memory at 10k rows as at 10M. Counts are not sampled (the
callers count every row).

A bottom-k sample: each row gets a 64-bit key, a keyed hash (blake2b, keyed by the run's seed) of its id,
and the sample is the ``cap`` rows with the smallest keys. It depends on the set of rows alone, not on the
order they arrive in or how they were split: the shards' samples merged in any order, and the rows read
back from the run's files by ``lrl report RUN`` (:func:`lrl.report.data.load_run`), give the same rows. Ties
(two rows with one id) are broken by a second number the caller gives, the same on both paths (a kept
row's place in the files, a rejected row's JSON line hashed): every row has its own (key, tie) but for
byte-identical rejected rows, which are interchangeable. Each part of a run (kept monolingual and parallel
rows, rejected rows) keeps its own bottom-k; the run's sample is the ``cap`` smallest over their union
(:func:`bar`), which those parts hold between them.

Stored compactly: keys in ``array('Q')``, score values in ``array('d')`` per score key beside the index of
their row in ``array('i')`` (12 bytes a value, not a boxed float in a list); a part holds at most
``cap + cap // 8`` rows between prunes, and the completion pass prunes its parts together to the run's
sample so far (:func:`share`), so that they hold about ``cap`` between them, not ``cap`` each.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable
from typing import Any

import numpy as np

#: ``report.sample_rows``' default (lrl/config.py)
DEFAULT_CAP = 100_000
_MASK = (1 << 64) - 1


def hash_key(seed: int) -> bytes:
    """The blake2b key of a run's sample: its seed, so another seed draws another sample."""
    return f"lrl-report-sample:{seed}".encode()


def row_key(key: bytes, text: str) -> int:
    """A 64-bit keyed hash of ``text`` (a row id, or a rejected row's JSON line for the tie)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8, key=key).digest(),
                          "little")


class Sample:
    """The rows with the ``cap`` smallest (key, tie) among those offered; each with a payload (a kept row's
    fields, or None) and its numeric scores. ``cap`` 0: every row (no bound). ``seen``: rows offered."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.seen = 0
        self.keys = array("Q")
        self.ties = array("Q")
        self.rows: list[Any] = []
        #: score key → (index of the row in this sample, value)
        self.scores: dict[str, tuple[array[int], array[float]]] = {}
        #: the cap-th smallest (key, tie) when the sample last overflowed: rows above it never enter
        self.bar: tuple[int, int] | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def wants(self, key: int, tie: int) -> bool:
        """Whether a row with this (key, tie) enters (counts it as seen)."""
        self.seen += 1
        return self.bar is None or (key, tie) < self.bar

    def add(self, key: int, tie: int, row: Any, scores: Iterable[tuple[str, float]]) -> None:
        """A row :meth:`wants` said enters."""
        i = len(self.keys)
        self.keys.append(key)
        self.ties.append(tie)
        self.rows.append(row)
        for k, v in scores:
            col = self.scores.get(k)
            if col is None:
                col = self.scores[k] = (array("i"), array("d"))
            col[0].append(i)
            col[1].append(v)
        if self.cap and len(self.keys) > self.cap + max(self.cap // 8, 16):
            self.prune()

    def offer(self, key: int, tie: int, row: Any, scores: Iterable[tuple[str, float]]) -> None:
        if self.wants(key, tie):
            self.add(key, tie, row, scores)

    def _order(self) -> np.ndarray:
        """Indices of the rows by (key, tie)."""
        return np.lexsort((np.frombuffer(self.ties, dtype=np.uint64), np.frombuffer(self.keys, dtype=np.uint64)))

    def prune(self) -> None:
        """Keep the ``cap`` smallest; raise the bar to the largest of them."""
        if not self.cap or len(self.keys) <= self.cap:
            return
        order = self._order()
        last = int(order[self.cap - 1])
        self.bar = (self.keys[last], self.ties[last])
        keep = np.zeros(len(self.keys), dtype=bool)
        keep[order[:self.cap]] = True
        self._keep(keep)

    def _keep(self, keep: np.ndarray) -> None:
        """Drop the rows ``keep`` is False for, in place, the others' order unchanged."""
        where = np.flatnonzero(keep)
        new_index = np.cumsum(keep) - 1
        self.keys = array("Q", np.frombuffer(self.keys, dtype=np.uint64)[where].tobytes())
        self.ties = array("Q", np.frombuffer(self.ties, dtype=np.uint64)[where].tobytes())
        self.rows = [self.rows[i] for i in where.tolist()]
        scores = {}
        for k, (idx, values) in self.scores.items():
            i = np.frombuffer(idx, dtype=np.int32)
            m = keep[i]
            if m.any():
                scores[k] = (array("i", new_index[i[m]].astype(np.int32).tobytes()),
                             array("d", np.frombuffer(values, dtype=np.float64)[m].tobytes()))
        self.scores = scores

    def merge(self, other: Sample) -> None:
        """Add ``other``'s rows (another part of the same rows: a shard's), then prune."""
        self.seen += other.seen
        offset = len(self.keys)
        self.keys.extend(other.keys)
        self.ties.extend(other.ties)
        self.rows.extend(other.rows)
        for k, (idx, values) in other.scores.items():
            col = self.scores.get(k)
            if col is None:
                col = self.scores[k] = (array("i"), array("d"))
            col[0].extend(array("i", (np.frombuffer(idx, dtype=np.int32) + offset).astype(np.int32).tobytes()))
            col[1].extend(values)
        if other.bar is not None and (self.bar is None or other.bar < self.bar):
            self.bar = other.bar  # nothing above it is in other's part of the rows: a row above it is not wanted
        if self.bar is not None:
            self._keep(self._below(self.bar))
        self.prune()

    def _below(self, bar: tuple[int, int] | None) -> np.ndarray:
        """Which rows have (key, tie) <= ``bar`` (all when None)."""
        keys = np.frombuffer(self.keys, dtype=np.uint64)
        if bar is None:
            return np.ones(len(keys), dtype=bool)
        ties = np.frombuffer(self.ties, dtype=np.uint64)
        k, t = np.uint64(bar[0]), np.uint64(bar[1])
        return (keys < k) | ((keys == k) & (ties <= t))

    def lower(self, bar: tuple[int, int] | None) -> None:
        """Drop the rows above ``bar`` and refuse them from now on: the run's sample is known to end there
        (:func:`share`)."""
        if bar is not None and (self.bar is None or bar < self.bar):
            self.bar = bar
            self._keep(self._below(bar))

    def take(self, bar: tuple[int, int] | None, by_tie: bool = False) -> tuple[list[Any], dict[str, np.ndarray]]:
        """The rows with (key, tie) <= ``bar`` (:func:`bar`; None: all held): their payloads and, per score
        key, their values; in the order they were added, or by tie (``by_tie``)."""
        keep = self._below(bar)
        where = np.flatnonzero(keep)
        if by_tie:
            where = where[np.argsort(np.frombuffer(self.ties, dtype=np.uint64)[where], kind="stable")]
        rank = np.full(len(self.keys), -1, dtype=np.int64)
        rank[where] = np.arange(len(where))
        rows = [self.rows[i] for i in where.tolist()]
        scores: dict[str, np.ndarray] = {}
        for k, (idx, values) in self.scores.items():
            r = rank[np.frombuffer(idx, dtype=np.int32)]
            m = r >= 0
            if m.any():
                v = np.empty(len(where), dtype=np.float64)
                v[r[m]] = np.frombuffer(values, dtype=np.float64)[m]
                present = np.zeros(len(where), dtype=bool)
                present[r[m]] = True
                scores[k] = v[present]
        return rows, scores

    # --- stored beside a shard's summary (lrl/report/summaries.py): arrays, plus JSON for the rest -----

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        out = {f"{prefix}keys": np.frombuffer(self.keys, dtype=np.uint64),
               f"{prefix}ties": np.frombuffer(self.ties, dtype=np.uint64)}
        for n, (idx, values) in enumerate(self.scores.values()):
            out[f"{prefix}{n}.idx"] = np.frombuffer(idx, dtype=np.int32)
            out[f"{prefix}{n}.val"] = np.frombuffer(values, dtype=np.float64)
        return out

    def meta(self) -> dict[str, Any]:
        return {"cap": self.cap, "seen": self.seen, "bar": list(self.bar) if self.bar else None,
                "scores": list(self.scores), "rows": self.rows}

    @classmethod
    def restore(cls, meta: dict[str, Any], arrays: Any, prefix: str) -> Sample:
        out = cls(int(meta["cap"]))
        out.seen = int(meta["seen"])
        out.bar = (int(meta["bar"][0]), int(meta["bar"][1])) if meta["bar"] else None
        out.keys = array("Q", np.asarray(arrays[f"{prefix}keys"], dtype=np.uint64).tobytes())
        out.ties = array("Q", np.asarray(arrays[f"{prefix}ties"], dtype=np.uint64).tobytes())
        out.rows = list(meta["rows"]) if meta.get("rows") is not None else [None] * len(out.keys)
        if len(out.rows) != len(out.keys):
            raise ValueError("sample rows and keys differ in number")
        for n, k in enumerate(meta["scores"]):
            out.scores[k] = (array("i", np.asarray(arrays[f"{prefix}{n}.idx"], dtype=np.int32).tobytes()),
                             array("d", np.asarray(arrays[f"{prefix}{n}.val"], dtype=np.float64).tobytes()))
        return out


def bar(parts: Iterable[Sample], cap: int) -> tuple[int, int] | None:
    """The largest (key, tie) of the run's sample: the ``cap``-th smallest over ``parts`` (each holding its
    own part's bottom-k); None when they hold ``cap`` rows or fewer between them (then all are taken)."""
    parts = list(parts)
    if not cap or sum(len(p) for p in parts) <= cap:
        return None
    keys = np.concatenate([np.frombuffer(p.keys, dtype=np.uint64) for p in parts])
    ties = np.concatenate([np.frombuffer(p.ties, dtype=np.uint64) for p in parts])
    i = np.lexsort((ties, keys))[cap - 1]
    return int(keys[i]), int(ties[i])


def share(parts: Iterable[Sample], cap: int) -> None:
    """Prune the parts of one run's rows (kept, rejected) to the run's sample so far, once they hold more
    than ``cap`` and a slack between them: each part alone would hold up to ``cap`` rows."""
    parts = list(parts)
    if cap and sum(len(p) for p in parts) > cap + max(cap // 8, 16):
        limit = bar(parts, cap)
        for p in parts:
            p.lower(limit)
