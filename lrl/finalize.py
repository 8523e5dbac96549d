"""Completing a run: the run-wide steps (dedup) over every shard's kept rows in shard order, then the
files a user sees, each moved into place whole, and ``manifest.json`` last (lrl/io/rundir.py).

One process alone (world size 1) feeds it each shard as soon as the shards before it are done, while later
shards still run; the last Slurm rank to finish and ``lrl merge DIR`` feed it every shard at once.
Everything it writes is derived from ``.partial/`` alone, so a crash here is undone by running it again.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrl.io.card import render_card
from lrl.io.rundir import alive, create_exclusive, done_shards, partial, read_json, shard_dir, write_atomic
from lrl.io.writers import PairSplitWriter, RejectWriter
from lrl.report.data import lexicon_entries, sample_settings
from lrl.report.sample import share
from lrl.report.summaries import Kept, Rejected, run_data
from lrl.shards import add_counts, add_stats, load_prescored, stats_to_json
from lrl.stats import Clock
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


def finalize(run_dir: Path, run_steps: list[Step], src_lang: str, tgt_lang: str, shard_rows: int,
             extra: dict[str, Any], force: bool = False, processes: int = 1) -> RunResult | None:
    """Complete ``run_dir`` in one go (the last Slurm rank, ``lrl merge``); None when another process holds
    the lock (it is completing the run). ``extra``: manifest fields the caller knows (prepare time, executor).
    ``force``: take a lock left by a process that died while completing (``lrl merge``). ``processes``: how
    many may draw the report's figures (the shard workers are done by now: their cores are free)."""
    completion = Completion.start(run_dir, run_steps, src_lang, tgt_lang, shard_rows, force)
    return None if completion is None else completion.close(extra, processes)


class Completion:
    """The run-wide pass, fed the finished shards in shard order: their stage counts and rejected rows are
    added up, their kept rows go through the run-wide steps (dedup) into the parquet files. One process alone
    (world size 1) starts it before its shards and feeds it each time a shard is done (:meth:`advance`), so
    this work runs while the workers run later shards instead of all after the last one: on 2 cores that
    was ~8 s of a 68 s run with nothing else to do on the other core. A run-wide step is run once per
    shard, so it must keep its state across calls to ``run`` (dedup keeps what it has seen).

    The files come out as if fed at once: the shards' rejected rows in shard order, then those the run-wide
    pass rejected; the stage counts in the order stages first report, the run-wide ones last."""

    def __init__(self, run_dir: Path, run_steps: list[Step], src_lang: str, tgt_lang: str, shard_rows: int) -> None:
        self.run_dir, self.run_steps = run_dir, run_steps
        self.src_lang, self.tgt_lang, self.shard_rows = src_lang, tgt_lang, shard_rows
        self.draft = read_json(partial(run_dir) / "run.json")
        self.next = 0  # the first shard not fed yet
        self.fed_seconds = 0.0  # time spent feeding shards (before close: overlapped with the shards)
        self.write_seconds = 0.0
        self.stats = Stats()  # the shards' stages
        self.late_stats = Stats()  # the run-wide steps' stages (added after the shards')
        self.counts: dict[str, dict[str, Any]] = {}
        self.logs: list[dict[str, Any]] = []
        self.shard_rejected = 0
        # The report's numbers: every shard's rejected-row summary (None if a shard has none: then the report
        # reads the files), then this pass's rejected and kept rows.
        self.sample = sample_settings(self.draft)  # (report.sample_rows, seed)
        self.report_rejected: Rejected | None = Rejected(*self.sample)
        self.late = Rejected(*self.sample)
        self.report_kept = Kept(*self.sample, lexicon_entries(self.draft))
        self.kept_by_origin: Counter[str] = Counter()
        self.work = partial(run_dir) / "final"
        self._files: tuple[Any, RejectWriter, PairSplitWriter] | None = None

    @classmethod
    def start(cls, run_dir: Path, run_steps: list[Step], src_lang: str, tgt_lang: str, shard_rows: int,
              force: bool = False) -> Completion | None:
        """Take the completion lock (None: another process holds it); ``force``: take it whatever holds it."""
        lock = partial(run_dir) / "finalize.lock"
        if force or _stale(lock):
            lock.unlink(missing_ok=True)
        if not create_exclusive(lock, f"{socket.gethostname()} {os.getpid()}\n"):
            return None
        return cls(run_dir, run_steps, src_lang, tgt_lang, shard_rows)

    def _open(self) -> tuple[Any, RejectWriter, PairSplitWriter]:
        # Opened at the first shard fed, not at start: worker processes forked before then inherit no
        # open writer.
        if self._files is None:
            shutil.rmtree(self.work, ignore_errors=True)
            self.work.mkdir()
            out = open(self.work / "rejected.jsonl", "wb")  # noqa: SIM115 - appended to until close()
            rejects = RejectWriter(self.work / "rejected-late.jsonl", summary=self.late)
            writer = PairSplitWriter(self.work / "data", self.src_lang, self.tgt_lang, self.shard_rows,
                                     prefix=f"train-{self.run_dir.name}")
            self._files = (out, rejects, writer)
            self.ctx = RunContext(stats=self.late_stats, on_reject=rejects.write, seed=int(self.draft["seed"]))
        return self._files

    def advance(self) -> int:
        """Feed every finished shard from the next one on, in order, up to the first not done; how many."""
        fed = 0
        while shard_dir(self.run_dir, self.next).is_dir():
            self._feed(self.next)
            self.next += 1
            fed += 1
        return fed

    def _feed(self, k: int) -> None:
        started = time.perf_counter()
        out, _, writer = self._open()
        folder = shard_dir(self.run_dir, k)
        info = read_json(folder / "stats.json")
        add_stats(self.stats, info["stages"])
        for name, delta in info.get("signature_counts", {}).items():
            self.counts[name] = add_counts(self.counts.get(name, {}), delta)
        self.shard_rejected += int(info["rejected"])
        if info.get("logs"):
            self.logs.append({"shard": k, **info["logs"]})
        with open(folder / "rejected.jsonl", "rb") as f:
            shutil.copyfileobj(f, out)
        if self.report_rejected is not None:
            part = Rejected.load(folder, *self.sample)
            if part is None:
                self.report_rejected = None
            else:
                self.report_rejected.merge(part)
        clock = Clock(k)
        timers = [Timed(load_prescored(folder, self.run_steps), clock)]
        for step in self.run_steps:
            timers.append(Timed(step.run(timers[-1], self.ctx), clock))
        write_started = time.perf_counter()
        for rec in timers[-1]:
            writer.write(rec)
            self.report_kept.add(rec)
            self.kept_by_origin[rec.origin] += 1
        # the report's sample: the kept and rejected parts pruned together, to ~report.sample_rows in all
        share([self.report_kept.rows.sample, self.late.sample,
               *([self.report_rejected.sample] if self.report_rejected is not None else [])], self.sample[0])
        self.write_seconds += time.perf_counter() - write_started - timers[-1].seconds
        for step, timer, upstream in zip(self.run_steps, timers[1:], timers[:-1], strict=True):
            self.late_stats[step.name].seconds += timer.seconds - upstream.seconds
            self.late_stats[step.name].cpu_seconds += timer.cpu - upstream.cpu
        self.fed_seconds += time.perf_counter() - started

    def abort(self) -> None:
        """Give up (the shards failed): close the files and free the lock; a resumed run starts over."""
        if self._files is not None:
            out, rejects, writer = self._files
            out.close()
            rejects.close()
            writer.close()
        (partial(self.run_dir) / "finalize.lock").unlink(missing_ok=True)

    def close(self, extra: dict[str, Any], processes: int = 1) -> RunResult:
        """Feed what is left (every shard must be done), then write the files and the manifest."""
        from lrl.pipeline import point_latest, write_report

        run_dir = self.run_dir
        started, overlapped = time.perf_counter(), self.fed_seconds
        n = shard_count(run_dir)
        assert n is not None
        self.advance()
        if self.next != n:
            raise AssertionError(f"completing {run_dir}: shard {self.next} of {n} is not done (a bug in lrl)")
        out, rejects, writer = self._open()
        try:
            rejects.close()
            with open(rejects.path, "rb") as f:  # the run-wide pass's rejected rows after every shard's
                shutil.copyfileobj(f, out)
            out.close()
        finally:
            data_files = writer.close()
        rejects.path.unlink()
        add_stats(self.stats, stats_to_json(self.late_stats))
        generated = self.stats["read"].seen + sum(s.created for s in self.stats.stages.values())
        totals = {"generated": generated, "kept": writer.rows, "rejected": self.shard_rejected + rejects.rows}
        if generated != writer.rows + totals["rejected"]:
            raise AssertionError(f"accounting does not close: {totals} (a bug in lrl; please report it)")
        manifest = self._manifest(extra, totals, data_files)
        manifest["finalize_seconds"] = round(time.perf_counter() - started, 3)
        manifest["finalize_overlapped_seconds"] = round(overlapped, 3)
        # Into place: data, rejected rows, report, card; the manifest last (it marks the run complete).
        if (run_dir / "data").exists():  # left by a completion that died half-way: rebuilt above
            shutil.rmtree(run_dir / "data")
        os.replace(self.work / "data", run_dir / "data")
        os.replace(self.work / "rejected.jsonl", run_dir / "rejected.jsonl")
        report_started = time.perf_counter()
        gathered, kept = self.report_rejected, self.report_kept
        if gathered is not None:
            gathered.merge(self.late)
        write_report(run_dir, manifest, None if gathered is None else
                     lambda: run_data(run_dir, manifest, kept, gathered), processes)
        manifest["report_seconds"] = round(time.perf_counter() - report_started, 3)
        text = _json(manifest)
        # the card cites the manifest's sha256: hash the text about to be written
        card = render_card(manifest, self.kept_by_origin, run_dir, writer.monolingual.rows,
                           hashlib.sha256(text.encode("utf-8")).hexdigest())
        (run_dir / "README.md").write_text(card, encoding="utf-8")
        write_atomic(run_dir / "manifest.json", text)
        point_latest(run_dir)
        shutil.rmtree(partial(run_dir), ignore_errors=True)
        logging.getLogger(__name__).info("%s: complete (%d shards)", run_dir, n)
        return RunResult(run_dir, manifest, self.kept_by_origin, True, n, n)

    def _manifest(self, extra: dict[str, Any], totals: dict[str, int], data_files: list[Path]) -> dict[str, Any]:
        draft, logs, partial_dir = self.draft, self.logs, partial(self.run_dir)
        plan = read_json(partial_dir / sorted(p.name for p in partial_dir.glob("plan-*.json"))[0])
        return {
            "lrl_version": draft["lrl_version"],
            "run_id": self.run_dir.name,
            "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "started": draft["created"],
            "duration_s": round(time.time() - float(draft["started"]), 2),
            **extra,
            "write_seconds": round(self.write_seconds, 3),
            "finalize_seconds": 0.0,  # set by close: where the key always was
            "finalize_overlapped_seconds": 0.0,
            "language": draft["language"],
            "seed": draft["seed"],
            "config": draft["config"],
            "inputs": [{**f, **s} for f, s in zip(draft["input_files"], plan["input_stats"], strict=True)],
            # as given (before the plugin's data stood in for missing ones): `lrl rescore --score-missing` rebuilds
            # the run's steps from them
            "inputs_given": draft["inputs"],
            **({"templates": draft["templates"]} if "templates" in draft else {}),  # asked and made (the cap)
            "steps": [{**s, "signature": add_counts(s["signature"], self.counts.get(s["name"], {}))}
                      for s in draft["steps"]],
            "stages": self.stats.as_dict(),
            "kept_by_origin": dict(self.kept_by_origin.most_common()),
            "totals": totals,
            # bt.rounds / bt.select run per shard (lrl/generate/rounds.py): the first shard's log as the run's
            # (all of it with one shard), every shard's under *_by_shard.
            **({key: logs[0][key] for key in ("bt_rounds", "bt_select") if key in logs[0]} if logs else {}),
            **({"bt_rounds_by_shard": logs} if len(logs) > 1 else {}),
            "outputs": {"data": [f"data/{p.name}" for p in data_files], "rejected": "rejected.jsonl",
                        "card": "README.md", "report": "report.html"},
            "versions": draft["versions"],
        }


def _stale(lock: Path) -> bool:
    """A lock left by a process of this machine that no longer runs (killed while completing the run)."""
    return lock.is_file() and not alive(lock)


def _json(obj: Any) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
