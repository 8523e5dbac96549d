"""Per-stage timers (lrl/stats.py): CPU time read on a sample of the items, the same items in every timer of
a chain, so a stage's own share (its timer minus its upstream's) is never negative."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from lrl import stats
from lrl.stats import Clock, Timed


def _chain(n: int, clock: Clock | None) -> list[Timed]:
    def source() -> Iterator[int]:
        yield from range(n)

    def busy(items: Iterator[int]) -> Iterator[int]:  # CPU work on every item
        for i in items:
            sum(range(200))
            yield i

    def batched(items: Iterator[int]) -> Iterator[int]:  # pulls 256 at a time, as langid does
        while batch := [x for _, x in zip(range(256), items, strict=False)]:
            yield from batch

    timers = [Timed(source(), clock)]
    for stage in (busy, batched, busy):
        timers.append(Timed(stage(timers[-1]), clock))
    return timers


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the timers read CPU time (``calls[0]``)."""
    count = [0]
    real = time.process_time

    def counted() -> float:
        count[0] += 1
        return real()

    monkeypatch.setattr(stats.time, "process_time", counted)
    return count


def test_cpu_is_read_on_a_sixteenth_of_the_items_and_stage_shares_are_not_negative(calls: list[int]) -> None:
    timers = _chain(20_000, Clock(0))
    assert sum(1 for _ in timers[-1]) == 20_000
    # two reads per sampled item per timer, batches included: ~1/16 of the 4 × 20,000 × 2 reads
    assert 0.03 < calls[0] / (4 * 20_000 * 2) < 0.1, calls[0]
    for timer, upstream in zip(timers[1:], timers[:-1], strict=True):
        assert timer.seconds >= upstream.seconds
        assert timer.cpu - upstream.cpu >= -1e-9  # the same sampled items in both timers
    assert timers[-1].cpu > 0


def test_without_a_clock_every_item_is_measured(calls: list[int]) -> None:
    timers = _chain(1_000, None)
    assert sum(1 for _ in timers[-1]) == 1_000
    assert calls[0] >= 4 * 1_000 * 2


@pytest.mark.parametrize("n", [0, 1, 3])
def test_short_streams_measure_their_first_item(n: int) -> None:
    timers = _chain(n, Clock(0))
    assert sum(1 for _ in timers[-1]) == n
    assert timers[-1]._wall > 0  # the first call (even the one that ends the stream) is always sampled
