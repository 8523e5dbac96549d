"""A run's accounting: per-stage counts (``seen + created == passed + rejected``), rejection reasons by origin,
and each stage's own wall and CPU time (:class:`Timed`)."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterable, Iterator
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



class Clock:
    """When the timers of one chain of stages read CPU time: around a random sixteenth of the items of the
    outermost timer (the last one made with this clock), and then in every timer for every item that item
    pulls through the chain. ``time.process_time`` is a system call (~1.1 µs here, 12× ``perf_counter``),
    and it was read around every item of every stage (issue 11; DESIGN.md "Per-row costs cut again").
    Wall time is read around every item of every timer."""

    SHARE = 1 / 16

    def __init__(self, seed: int = 0) -> None:
        # random, not every 16th: a stage that pulls batches of 256 rows would be sampled at every batch
        # or at none
        self.random = random.Random(seed).random
        self.on = False
        self.driver: Timed | None = None

    @property
    def scale(self) -> float:
        """Wall time of all the outermost timer's items over that of the sampled ones."""
        d = self.driver
        return d.seconds / d._wall if d is not None and d._wall > 0 else 1.0


class Timed:
    """An iterator that adds up the wall and CPU time spent producing its items. Stages are chained
    generators, so a stage's own time is its timer minus the timer of the stream it reads.

    Wall time is exact; CPU time is measured on the items :class:`Clock` samples (the same items in every
    timer of the chain, so the differences between timers are a stage's own CPU time on them) and scaled
    to all items by wall time. A stage that waits (a GPU, a file) waits in the sampled items as often as in
    the others, so its CPU time is not its wall time. Without a clock every item is measured."""

    def __init__(self, it: Iterable[Record], clock: Clock | None = None) -> None:
        self.it = iter(it)
        self.seconds = 0.0
        self.clock = clock
        self._cpu = 0.0  # CPU seconds of the sampled items
        self._wall = 0.0  # their wall seconds
        self._first = True
        if clock is not None:
            clock.driver = self

    @property
    def cpu(self) -> float:
        return self._cpu * self.clock.scale if self.clock is not None else self._cpu

    def __iter__(self) -> Iterator[Record]:
        return self

    def __next__(self) -> Record:
        clock = self.clock
        if clock is None:
            sampled, lead = True, False
        elif clock.driver is self:
            lead = True
            sampled = self._first or clock.random() < clock.SHARE
            self._first = False
        else:
            lead = False
            sampled = clock.on
        if not sampled:
            t = time.perf_counter()
            try:
                return next(self.it)
            finally:
                self.seconds += time.perf_counter() - t
        if lead:
            self._lead(True)
        t, c = time.perf_counter(), time.process_time()
        try:
            return next(self.it)
        finally:
            wall = time.perf_counter() - t
            self._cpu += time.process_time() - c
            self.seconds += wall
            self._wall += wall
            if lead:
                self._lead(False)

    def _lead(self, on: bool) -> None:
        """The outermost timer opens (closes) a sampled item for the whole chain."""
        assert self.clock is not None
        self.clock.on = on
