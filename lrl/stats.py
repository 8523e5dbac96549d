"""A run's accounting: per-stage counts (``seen + created == passed + rejected``), rejection reasons by origin,
and each stage's own wall and CPU time (:class:`Timed`)."""

from __future__ import annotations

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
