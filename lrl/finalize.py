"""Completing a run: the run-wide steps (dedup) over every shard's kept rows in shard order, then the
files a user sees, each moved into place whole, and ``manifest.json`` last (lrl/io/rundir.py).

Called by the process that finished the last shard (one machine, or the last Slurm rank) and by
``lrl merge DIR``. Everything it writes is derived from ``.partial/`` alone, so a crash here is undone by
running it again.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import logging
import os
import shutil
import socket
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrl.io.card import render_card
from lrl.io.rundir import alive, create_exclusive, done_shards, partial, read_json, shard_dir, write_atomic
from lrl.io.writers import PairSplitWriter, RejectWriter
from lrl.record import Record
from lrl.report.summaries import Kept, Rejected, run_data
from lrl.shards import add_counts, add_stats, load_prescored
from lrl.step import RunContext, Stats, Step, Timed


@dataclass
class RunResult:
    run_dir: Path
    manifest: dict[str, Any]
    kept_by_origin: Counter[str]
    #: False when this process ran its shards but another rank (or ``lrl merge``) completes the run
    complete: bool = True
    shards_done: int = 0
    shards_total: int | None = None
    notes: list[str] = field(default_factory=list)


def shard_count(run_dir: Path) -> int | None:
    """How many shards the input makes, once any rank has read all of it."""
    plans = sorted(partial(run_dir).glob("plan-*.json"))
    return int(read_json(plans[0])["shards"]) if plans else None


def missing_shards(run_dir: Path) -> list[int] | None:
    n = shard_count(run_dir)
    return None if n is None else sorted(set(range(n)) - done_shards(run_dir))


def _kept(run_dir: Path, n: int, steps: list[Step]) -> Iterator[Record]:
    for k in range(n):
        yield from load_prescored(shard_dir(run_dir, k), steps)


def finalize(run_dir: Path, run_steps: list[Step], src_lang: str, tgt_lang: str, shard_rows: int,
             extra: dict[str, Any], force: bool = False, processes: int = 1) -> RunResult | None:
    """Complete ``run_dir``; None when another process holds the lock (it is completing the run).
    ``extra``: manifest fields the caller knows (prepare time, executor). ``force``: take a lock left by
    a process that died while completing (``lrl merge``). ``processes``: how many may draw the report's
    figures (the shard workers are done by now: their cores are free)."""
    from lrl.pipeline import point_latest, write_report

    lock = partial(run_dir) / "finalize.lock"
    if force or _stale(lock):
        lock.unlink(missing_ok=True)
    if not create_exclusive(lock, f"{socket.gethostname()} {os.getpid()}\n"):
        return None
    started = time.perf_counter()
    draft = read_json(partial(run_dir) / "run.json")
    n = shard_count(run_dir)
    assert n is not None
    plan = read_json(partial(run_dir) / sorted(p.name for p in partial(run_dir).glob("plan-*.json"))[0])
    stats = Stats()
    counts: dict[str, dict[str, Any]] = {}
    logs: list[dict[str, Any]] = []
    shard_rejected = 0
    # The report's numbers: every shard's rejected-row summary (None if a shard has none: then the report
    # reads the files), then this pass's rejected and kept rows.
    report_rejected: Rejected | None = Rejected()
    work = partial(run_dir) / "final"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    with open(work / "rejected.jsonl", "wb") as out:
        for k in range(n):
            info = read_json(shard_dir(run_dir, k) / "stats.json")
            add_stats(stats, info["stages"])
            for name, delta in info.get("signature_counts", {}).items():
                counts[name] = add_counts(counts.get(name, {}), delta)
            shard_rejected += int(info["rejected"])
            if info.get("logs"):
                logs.append({"shard": k, **info["logs"]})
            with open(shard_dir(run_dir, k) / "rejected.jsonl", "rb") as f:
                shutil.copyfileobj(f, out)
            part = Rejected.load(shard_dir(run_dir, k)) if report_rejected is not None else None
            if part is None:
                report_rejected = None
            else:
                assert report_rejected is not None
                report_rejected.merge(part)
    late = Rejected()
    report_kept = Kept()
    rejects = RejectWriter(work / "rejected.jsonl", append=True, summary=late)
    ctx = RunContext(stats=stats, on_reject=rejects.write, seed=int(draft["seed"]))
    writer = PairSplitWriter(work / "data", src_lang, tgt_lang, shard_rows, prefix=f"train-{run_dir.name}")
    kept_by_origin: Counter[str] = Counter()
    timers = [Timed(_kept(run_dir, n, run_steps))]
    write_started = time.perf_counter()
    try:
        for step in run_steps:
            timers.append(Timed(step.run(timers[-1], ctx)))
        for rec in timers[-1]:
            writer.write(rec)
            report_kept.add(rec)
            kept_by_origin[rec.origin] += 1
    finally:
        data_files = writer.close()
        rejects.close()
    write_seconds = time.perf_counter() - write_started - timers[-1].seconds
    for step, timer, upstream in zip(run_steps, timers[1:], timers[:-1], strict=True):
        stats[step.name].seconds += timer.seconds - upstream.seconds
        stats[step.name].cpu_seconds += timer.cpu - upstream.cpu

    generated = stats["read"].seen + sum(s.created for s in stats.stages.values())
    rejected = shard_rejected + rejects.rows
    totals = {"generated": generated, "kept": writer.rows, "rejected": rejected}
    if generated != writer.rows + rejected:
        raise AssertionError(f"accounting does not close: {totals} (a bug in lrl; please report it)")

    manifest: dict[str, Any] = {
        "lrl_version": draft["lrl_version"],
        "run_id": run_dir.name,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "started": draft["created"],
        "duration_s": round(time.time() - float(draft["started"]), 2),
        **extra,
        "write_seconds": round(write_seconds, 3),
        "finalize_seconds": round(time.perf_counter() - started, 3),
        "language": draft["language"],
        "seed": draft["seed"],
        "config": draft["config"],
        "inputs": [{**f, **s} for f, s in zip(draft["input_files"], plan["input_stats"], strict=True)],
        # as given (before the plugin's data stood in for missing ones): `lrl rescore --score-missing` rebuilds
        # the run's steps from them
        "inputs_given": draft["inputs"],
        **({"templates": draft["templates"]} if "templates" in draft else {}),  # asked and made (the cap)
        "steps": [{**s, "signature": add_counts(s["signature"], counts.get(s["name"], {}))} for s in draft["steps"]],
        "stages": stats.as_dict(),
        "kept_by_origin": dict(kept_by_origin.most_common()),
        "totals": totals,
        # bt.rounds / bt.select run per shard (lrl/generate/rounds.py): the first shard's log as the run's
        # (all of it with one shard), every shard's under *_by_shard.
        **({key: logs[0][key] for key in ("bt_rounds", "bt_select") if key in logs[0]} if logs else {}),
        **({"bt_rounds_by_shard": logs} if len(logs) > 1 else {}),
        "outputs": {"data": [f"data/{p.name}" for p in data_files], "rejected": "rejected.jsonl",
                    "card": "README.md", "report": "report.html"},
        "versions": draft["versions"],
    }
    # Into place: data, rejected rows, report, card; the manifest last (it marks the run complete).
    if (run_dir / "data").exists():  # left by a completion that died half-way: rebuilt above
        shutil.rmtree(run_dir / "data")
    os.replace(work / "data", run_dir / "data")
    os.replace(work / "rejected.jsonl", run_dir / "rejected.jsonl")
    report_started = time.perf_counter()
    if report_rejected is not None:
        report_rejected.merge(late)
    gathered = report_rejected
    write_report(run_dir, manifest, None if gathered is None else
                 lambda: run_data(run_dir, manifest, report_kept, gathered), processes)
    manifest["report_seconds"] = round(time.perf_counter() - report_started, 3)
    text = _json(manifest)
    # the card cites the manifest's sha256: hash the text about to be written
    card = render_card(manifest, kept_by_origin, run_dir, writer.monolingual.rows,
                       hashlib.sha256(text.encode("utf-8")).hexdigest())
    (run_dir / "README.md").write_text(card, encoding="utf-8")
    write_atomic(run_dir / "manifest.json", text)
    point_latest(run_dir)
    shutil.rmtree(partial(run_dir), ignore_errors=True)
    logging.getLogger(__name__).info("%s: complete (%d shards)", run_dir, n)
    return RunResult(run_dir, manifest, kept_by_origin, True, n, n)


def _stale(lock: Path) -> bool:
    """A lock left by a process of this machine that no longer runs (killed while completing the run)."""
    return lock.is_file() and not alive(lock)


def _json(obj: Any) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
