"""Shard-first execution: the input stream cut into numbered shards, each run through the per-row steps
on its own and written whole (kept rows, rejected rows, stage counts) under ``.partial/shards/<k>/``.

The contract (DESIGN.md "The shard contract"):

* Shard ``k`` is input rows ``[k * shard_rows, (k + 1) * shard_rows)`` of the one input stream (seed
  files, monolingual files, templates, in that order), whoever reads it. Rank ``r`` of ``w`` owns the
  shards with ``k % w == r``.
* A shard's output depends only on its rows and the built steps: generators draw from (run seed, row
  id or text), never from a stream position, so any process may run any shard, in any order, again.
* Steps that need every shard (``Step.scope == "run"``: dedup) sit at the end of the chain and run once
  over all shards' kept rows, in shard order (:class:`lrl.finalize.Completion`: shard by shard as they finish
  when one process runs them all, else once all are done).
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrl.io import jsonfast
from lrl.io.rundir import shard_dir
from lrl.io.writers import RejectWriter, json_line
from lrl.record import Record
from lrl.report.sample import DEFAULT_CAP
from lrl.report.summaries import Rejected
from lrl.stats import Clock
from lrl.step import RunContext, StageStats, Stats, Step, Timed


def split_chain(steps: list[Step]) -> tuple[list[Step], list[Step]]:
    """(per-row steps, run-wide steps). Run-wide steps must come last: a per-row step after one would
    see rows that depend on other shards."""
    first = next((i for i, s in enumerate(steps) if getattr(s, "scope", "row") == "run"), len(steps))
    late = [s.name for s in steps[first:] if getattr(s, "scope", "row") != "run"]
    if late:
        raise AssertionError(f"per-row steps after a run-wide step: {late} (a bug in lrl; please report it)")
    return steps[:first], steps[first:]


def cut(stream: Iterable[Record], shard_rows: int) -> Iterator[tuple[int, list[Record]]]:
    """Number the stream's shards: ``(k, rows)``, in order."""
    it = iter(stream)
    for k in itertools.count():
        rows = list(itertools.islice(it, shard_rows))
        if not rows:
            return
        yield k, rows


def stats_to_json(stats: Stats) -> dict[str, Any]:
    """Lossless (unlike ``Stats.as_dict``, whose reasons are rounded into a display form)."""
    return {name: {"seen": s.seen, "created": s.created, "passed": s.passed, "rejected": s.rejected,
                   "reasons": dict(s.reasons), "by_origin": [[o, r, n] for (o, r), n in s.by_origin.items()],
                   "seconds": s.seconds, "cpu_seconds": s.cpu_seconds} for name, s in stats.stages.items()}


def add_stats(total: Stats, data: dict[str, Any]) -> None:
    for name, d in data.items():
        st: StageStats = total[name]
        st.seen += d["seen"]
        st.created += d["created"]
        st.passed += d["passed"]
        st.rejected += d["rejected"]
        st.reasons.update(d["reasons"])
        for origin, reason, n in d["by_origin"]:
            st.by_origin[origin, reason] += n
        st.seconds += d["seconds"]
        st.cpu_seconds += d["cpu_seconds"]


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def count_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The numbers in a step's signature that changed while it ran a shard, as differences (nested)."""
    out: dict[str, Any] = {}
    for key, value in after.items():
        old = before.get(key)
        if isinstance(value, dict):
            if d := count_delta(old if isinstance(old, dict) else {}, value):
                out[key] = d
        elif _number(value) and value != (old if _number(old) else 0):
            out[key] = value - (old if _number(old) else 0)
    return out


def add_counts(into: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    """``into`` (a signature as recorded before any shard ran) plus every shard's counts."""
    out = dict(into)
    for key, value in delta.items():
        if isinstance(value, dict):
            inner = out.get(key)
            out[key] = add_counts(inner if isinstance(inner, dict) else {}, value)
        else:
            out[key] = (out[key] if _number(out.get(key)) else 0) + value
    return out


def dump_record(rec: Record) -> str:
    return json_line(rec.to_dict())


def load_records(path: Path) -> Iterator[Record]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield Record(**jsonfast.loads(line))


#: per kept row of a shard, what the run-wide steps computed from it alone (``ShardJob.run_steps``)
PRESCORES = "prescores.jsonl"


def load_prescored(folder: Path, steps: list[Step]) -> Iterator[Record]:
    """A shard's kept rows, each handed first to the run-wide steps with what the worker computed for them
    (a shard written without it, or a step the worker did not know: the step computes it itself)."""
    path = folder / PRESCORES
    if not path.is_file():
        yield from load_records(folder / "kept.jsonl")
        return
    by_name = {step.name: step for step in steps if hasattr(step, "prescored")}
    with open(path, encoding="utf-8") as p:
        for rec in load_records(folder / "kept.jsonl"):
            for name, value in jsonfast.loads(next(p)).items():
                if name in by_name:
                    by_name[name].prescored.append((rec.id, value))
            yield rec


@dataclass
class ShardJob:
    """What a process needs to run shards besides the rows: the per-row steps and where to write."""

    run_dir: Path
    steps: list[Step]
    guard: Callable[[Record], None]
    seed: int
    rank: int = 0
    world_size: int = 1
    #: the run-wide steps (dedup): what of their work depends on one row alone (``prescore``) is done here,
    #: in the worker, and written beside the kept rows (``prescores.jsonl``, one JSON list per kept row)
    run_steps: list[Step] = field(default_factory=list)
    #: ``report.sample_rows``: the rejected rows whose scores the report's summary keeps (lrl/report/sample.py)
    report_sample_rows: int = DEFAULT_CAP


def run_shard(job: ShardJob, k: int, rows: list[Record]) -> None:
    """Run one shard through the per-row steps and write it whole under ``.partial/shards/<k>/``."""
    final = shard_dir(job.run_dir, k)
    tmp = final.parent / f".tmp-{k:05d}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    stats = Stats()
    # The report's numbers for the rejected rows are gathered here, in the worker, while the rows are in
    # memory: completing the run then merges small summaries instead of reading every row again.
    rejects = RejectWriter(tmp / "rejected.jsonl", summary=Rejected(job.report_sample_rows, job.seed))
    ctx = RunContext(stats=stats, on_reject=rejects.write, rank=job.rank, world_size=job.world_size,
                     seed=job.seed, shard=k)
    timers: list[Timed] = []
    clock = Clock(k)
    kept = 0
    before = [step.signature() for step in job.steps]
    n_rows = len(rows)
    try:
        timers.append(Timed(admit(_drain(rows), ctx), clock))
        stream: Iterator[Record] = timers[0]
        for step in job.steps:
            timers.append(Timed(step.run(stream, ctx), clock))
            stream = timers[-1]
        pre = [step for step in job.run_steps if hasattr(step, "prescore")]
        with open(tmp / "kept.jsonl", "w", encoding="utf-8") as f, \
                open(tmp / PRESCORES, "w", encoding="utf-8") as p:
            for rec in stream:
                job.guard(rec)
                f.write(dump_record(rec))
                p.write(jsonfast.dumps({step.name: step.prescore(rec) for step in pre}, ascii_fallback=True) + "\n")
                kept += 1
    finally:
        rejects.close()
    rejects.summary.save(tmp)
    # Per-stage time: each timer includes its upstream's, so subtract it.
    for name, timer, upstream in zip(["read", *(s.name for s in job.steps)], timers, [None, *timers], strict=False):
        stats[name].seconds += timer.seconds - (upstream.seconds if upstream else 0.0)
        stats[name].cpu_seconds += timer.cpu - (upstream.cpu if upstream else 0.0)
    # Some steps count what they did in their signature (privacy: spans found, masked): this shard's share.
    counts = {step.name: d for step, b in zip(job.steps, before, strict=True)
              if (d := count_delta(b, step.signature()))}
    # Iterative back-translation and data selection (lrl/generate/rounds.py) work per shard: their logs.
    logs = {key: value for step in job.steps for key, attr in (("bt_rounds", "rounds_log"), ("bt_select", "select_log"))
            if (value := getattr(step, attr, None))}
    (tmp / "stats.json").write_text(json.dumps({"shard": k, "rows": n_rows, "kept": kept,
                                                "rejected": rejects.rows, "stages": stats_to_json(stats),
                                                "signature_counts": counts, "logs": logs}), encoding="utf-8")
    try:
        os.rename(tmp, final)  # the completion marker: the folder appears whole or not at all
    except OSError:
        if not final.is_dir():
            raise
        shutil.rmtree(tmp)  # another process finished the same shard first (same rows: keep theirs)


def _drain(rows: list[Record]) -> Iterator[Record]:
    """``rows`` in order, each taken out of the list as it is handed on (the list is empty after). The
    list was the last reference to a shard's finished rows, with every score the steps gave them: held till
    the shard's end, they were ~20 MiB of a one-process run's peak at 5,000-row shards (issue 11)."""
    rows.reverse()
    while rows:
        yield rows.pop()


def admit(rows: Iterable[Record], ctx: RunContext) -> Iterator[Record]:
    """The "read" stage: rows readers could not use, and exact copies of an earlier row (lrl/filters/dedup.py
    ``EarlyCopies``), go to the rejects, counted."""
    st = ctx.stats["read"]
    for rec in rows:
        st.seen += 1
        if rec.pre_rejected:
            ctx.reject(rec, *rec.pre_rejected)
        else:
            st.passed += 1
            yield rec


# --- worker processes ------------------------------------------------------------------------------------
# This process runs shards too, beside N-1 workers. Workers are forked when no engine with threads of its
# own is loaded (then they share the steps this process built, copy-on-write: no second build); otherwise
# spawned, each building its own steps: a forked child would inherit a CTranslate2 translator without its
# threads (it hangs), and torch/OpenMP state with them.

_JOB: ShardJob | None = None
#: modules whose loaded state does not survive fork (thread pools)
THREADED_ENGINES = ("ctranslate2", "torch")


def fork_safe() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and not any(m in sys.modules for m in THREADED_ENGINES)


def _init_worker(build: Callable[[], ShardJob]) -> None:
    global _JOB
    _JOB = build()


def _work(k: int, rows: list[Record]) -> int:
    assert _JOB is not None
    run_shard(_JOB, k, rows)
    return k


def run_shards(job: ShardJob, shards: Iterable[tuple[int, list[Record]]], workers: int,
               build: Callable[[], ShardJob], on_done: Callable[[int], None] = lambda k: None) -> str:
    """Run ``shards`` with ``workers`` processes in all: this one, plus ``workers - 1`` forked or spawned
    ones (``build``, a picklable callable, makes a spawned worker's steps). Each worker has one shard running
    and one queued (:data:`QUEUED`), and this process runs the next shard itself whenever the queue is full,
    so every process stays busy and memory stays bounded. Returns how it ran: "in-process", "fork" or
    "spawn"."""
    global _JOB
    it = iter(shards)
    head = list(itertools.islice(it, max(1, workers)))
    if workers <= 1 or len(head) < 2:
        for k, rows in itertools.chain(head, it):
            run_shard(job, k, rows)
            on_done(k)
        return "in-process"
    helpers = min(workers, len(head)) - 1
    method = "fork" if fork_safe() else "spawn"
    if method == "fork":
        _JOB = job
        pool = multiprocessing.get_context("fork").Pool(helpers)
    else:
        pool = multiprocessing.get_context("spawn").Pool(helpers, initializer=_init_worker, initargs=(build,))
    try:
        pending: list[Any] = []
        for k, rows in itertools.chain(head, it):
            pending = _collect(pending, on_done)
            if len(pending) < QUEUED * helpers:
                pending.append(pool.apply_async(_work, (k, rows)))
            else:
                run_shard(job, k, rows)
                on_done(k)
        for res in pending:
            on_done(res.get())
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _JOB = None
    return method


#: Shards handed to each worker at a time: the one it runs and the next. With one, a worker that finished
#: waited idle until this process was done with its own shard (half a shard on average, each time): on 2
#: cores the shards ran 1.55x faster than on one instead of ~1.9x.
QUEUED = 2


def _collect(pending: list[Any], on_done: Callable[[int], None]) -> list[Any]:
    """Report the finished shards (in any order: workers finish out of order) and keep the others."""
    waiting = []
    for res in pending:
        if res.ready():
            on_done(res.get())  # .get() re-raises a worker's exception here
        else:
            waiting.append(res)
    return waiting
