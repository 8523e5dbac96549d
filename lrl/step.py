"""The stage contract: every part of the pipeline is a :class:`Step` over a stream of records.

Borrowed from datatrove: a step is built once (where a missing optional dependency fails, naming the pip
package), then ``run`` is called with an iterator of records and yields records. Rejected records are never
dropped silently: they go to ``ctx.reject(record, stage, reason)``, which counts them and writes them out.

Three kinds of step:

* :class:`Mapper` — changes a record in place (normalization); may reject it with a reason.
* :class:`Filter` — *scores* a record (numbers stored in ``record.scores``), then *decides* from the
  scores and its thresholds (OpusFilter's separation: thresholds can be studied after a run).
* generators (e.g. back-translation) — plain :class:`Step` subclasses that pass records through and add
  new ones, calling ``ctx.stats.created`` for each.
"""

from __future__ import annotations

import itertools
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lrl.record import Record


@dataclass
class StageStats:
    """Counts for one stage. For every stage: ``seen + created == passed + rejected``."""

    seen: int = 0
    created: int = 0
    passed: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    #: Rejections per (origin, reason): lets the summary say why back-translations in particular died.
    by_origin: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: Time spent in this stage alone (its upstream stages' time subtracted), wall and CPU.
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        per_origin: dict[str, dict[str, int]] = {}
        for (origin, reason), n in sorted(self.by_origin.items(), key=lambda x: (x[0][0], -x[1])):
            per_origin.setdefault(origin, {})[reason] = n
        return {
            "in": self.seen,
            "created": self.created,
            "out": self.passed,
            "rejected": self.rejected,
            "reasons": dict(self.reasons.most_common()),
            "rejected_by_origin": per_origin,
            "seconds": round(self.seconds, 3),
            "cpu_seconds": round(self.cpu_seconds, 3),
        }


class Stats:
    """Per-stage accounting, in the order stages first report."""

    def __init__(self) -> None:
        self.stages: dict[str, StageStats] = {}

    def __getitem__(self, stage: str) -> StageStats:
        if stage not in self.stages:
            self.stages[stage] = StageStats()
        return self.stages[stage]

    def created(self, stage: str, n: int = 1) -> None:
        self[stage].created += n

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {name: s.as_dict() for name, s in self.stages.items()}


def reason_key(reason: str) -> str:
    """The part of a reason before the first ':' — what the manifest counts by (details vary per row)."""
    return reason.split(":", 1)[0].strip()


@dataclass
class RunContext:
    """What a step needs from the run besides its input: where rejects go, counters, and which shard of
    the work this process owns (``rank`` of ``world_size``)."""

    stats: Stats
    on_reject: Callable[[Record, str, str], None]
    rank: int = 0
    world_size: int = 1
    seed: int = 0
    #: the shard being run (lrl/shards.py); -1 in the run-wide final pass
    shard: int = -1

    def reject(self, record: Record, stage: str, reason: str) -> None:
        st = self.stats[stage]
        st.rejected += 1
        key = reason_key(reason)
        st.reasons[key] += 1
        st.by_origin[record.origin, key] += 1
        self.on_reject(record, stage, reason)


class Step(ABC):
    """One stage of the pipeline. ``name`` is the stage name used in the manifest and in reject rows."""

    name: str = "step"
    #: "row": the step judges each row on its own, so it runs per shard; "run": it needs every row of
    #: the run (dedup), so it runs once over all shards' kept rows, at the end of the chain (lrl/shards.py).
    scope: str = "row"

    @abstractmethod
    def run(self, records: Iterable[Record], ctx: RunContext) -> Iterator[Record]:
        """Yield the records that pass (and any new ones); send the others to ``ctx.reject``."""

    def signature(self) -> dict[str, Any]:
        """Every setting that changes what this step keeps (for the manifest, sacrebleu-style)."""
        return {}

    def close(self) -> None:  # noqa: B027 - an optional hook, not an abstract method
        """Release models or files; called once after the run."""


class Mapper(Step):
    """Changes records one at a time; ``apply`` returns a reason to reject, or None."""

    @abstractmethod
    def apply(self, record: Record) -> str | None: ...

    def run(self, records: Iterable[Record], ctx: RunContext) -> Iterator[Record]:
        st = ctx.stats[self.name]
        for rec in records:
            st.seen += 1
            reason = self.apply(rec)
            if reason:
                ctx.reject(rec, self.name, reason)
            else:
                st.passed += 1
                yield rec


class Filter(Step):
    """Scores, then decides. Subclasses implement ``score`` (or ``score_batch`` when a model is faster
    on batches) and ``decide``; scores are stored as ``record.scores[f"{name}.{key}"]``."""

    batch_size: int = 1
    #: When set, only records of these origins are scored and judged; others pass through uncounted.
    #: Lets a filter run a second time on synthetic rows only (e.g. after back-translation).
    applies_to: frozenset[str] | None = None

    def score(self, record: Record) -> dict[str, float | str]:
        raise NotImplementedError

    def score_batch(self, records: list[Record]) -> list[dict[str, float | str]]:
        return [self.score(r) for r in records]

    @abstractmethod
    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        """A reason string (``"<key>: <detail>"``) to reject, or None to keep."""

    def run(self, records: Iterable[Record], ctx: RunContext) -> Iterator[Record]:
        st = ctx.stats[self.name]
        self._bypassed = []
        it: Iterator[Record] = iter(records)
        if self.applies_to is not None:
            it = self._split(it)
        while batch := list(itertools.islice(it, self.batch_size)):
            st.seen += len(batch)
            for rec, scores in zip(batch, self.score_batch(batch), strict=True):
                rec.scores.update({f"{self.name}.{k}": v for k, v in scores.items()})
                reason = self.decide(rec, scores)
                if reason:
                    ctx.reject(rec, self.name, reason)
                else:
                    st.passed += 1
                    yield rec
            yield from self._bypassed
            self._bypassed.clear()
        yield from self._bypassed
        self._bypassed.clear()

    _bypassed: list[Record]

    def _split(self, records: Iterator[Record]) -> Iterator[Record]:
        assert self.applies_to is not None
        for rec in records:
            if rec.origin in self.applies_to:
                yield rec
            else:
                self._bypassed.append(rec)


class BatchGenerator(Step):
    """A generator over batches: records it ``wants`` are collected (``batch_size`` at a time, at most
    ``max_rows`` per shard) and handed to ``emit``, which yields each parent (counting it as passed) followed
    by the records made from it (counting each with ``ctx.stats.created``); every other record passes
    straight on. A progress bar counts the parents."""

    batch_size: int = 64
    max_rows: int = 0
    progress: bool = True
    progress_label: str = "generate"

    @abstractmethod
    def wants(self, record: Record) -> bool: ...

    @abstractmethod
    def emit(self, parents: list[Record], ctx: RunContext) -> Iterator[Record]: ...

    def run(self, records: Iterable[Record], ctx: RunContext) -> Iterator[Record]:
        from tqdm import tqdm

        st = ctx.stats[self.name]
        bar = tqdm(desc=self.progress_label, unit=" rows", disable=not self.progress or None, mininterval=0.5,
                   leave=False)
        taken = 0
        pending: list[Record] = []
        try:
            for rec in records:
                st.seen += 1
                if self.wants(rec) and (not self.max_rows or taken < self.max_rows):
                    taken += 1
                    pending.append(rec)
                    if len(pending) >= self.batch_size:
                        yield from self.emit(pending, ctx)
                        bar.update(len(pending))
                        pending = []
                else:
                    st.passed += 1
                    yield rec
            if pending:
                yield from self.emit(pending, ctx)
                bar.update(len(pending))
        finally:
            bar.close()


class Timed:
    """An iterator that adds up the wall and CPU time spent producing its items. Stages are chained
    generators, so a stage's own time is its timer minus the timer of the stream it reads."""

    def __init__(self, it: Iterable[Record]) -> None:
        self.it = iter(it)
        self.seconds = 0.0
        self.cpu = 0.0

    def __iter__(self) -> Iterator[Record]:
        return self

    def __next__(self) -> Record:
        t, c = time.perf_counter(), time.process_time()
        try:
            return next(self.it)
        finally:
            self.seconds += time.perf_counter() - t
            self.cpu += time.process_time() - c
