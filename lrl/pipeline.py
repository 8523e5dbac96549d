"""Wires sources → normalize → filters → writers over a stream, and closes the accounting.

Every row that enters (read from an input or made by a generator) leaves either as a kept row in the
parquet shards or as a rejected row in ``rejected.jsonl`` with its stage and reason; the run fails loudly
if the books do not balance.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
import logging
import os
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lrl.errors import ConfigError
from lrl.filters.decontaminate import Decontaminate
from lrl.filters.dedup import Dedup, EarlyCopies
from lrl.filters.invisible import policy
from lrl.filters.normalize import Normalize
from lrl.finalize import Completion, RunResult, finalize, missing_shards
from lrl.generate.registry import build_generators
from lrl.io.outdir import check_out_dir
from lrl.io.readers import InputStats, expand
from lrl.io.rundir import done_shards, mark_live, partial, write_atomic
from lrl.languages.plugin import Plugin
from lrl.record import Record
from lrl.resume import check_run, open_run
from lrl.run_record import run_draft, step_entry
from lrl.shards import ShardJob, cut, run_shards, split_chain
from lrl.sources import Inputs, build_sources, read_options
from lrl.step import Step

#: Origins of rows made inside the pipeline from other rows (their new sides need checking again).
SYNTHETIC = frozenset({"bt", "ft", "paraphrase", "pivot", "substitute"})


def build_steps(plugin: Plugin, cfg: dict[str, Any], inputs: Inputs | None = None,
                progress: bool = True) -> list[Step]:
    """normalize → [decontaminate] → the input checks (lrl/chain.py) → generators, each followed by the
    checks for the rows it makes → [decontaminate-synthetic] → [dedup, run-wide]."""
    from lrl.chain import input_checks
    from lrl.models.prepare import prepare
    from lrl.quality import gather

    normalize = Normalize.for_plugin(plugin, cfg["normalize"])
    steps: list[Step] = [normalize]
    decontaminate = None
    if cfg["decontaminate"]["exclude"]:
        decontaminate = Decontaminate(cfg["decontaminate"]["exclude"], normalize, read_options(plugin, cfg),
                                      cfg["decontaminate"]["ngram"])
        steps.append(decontaminate)
    parallel = expand(inputs.parallel) if inputs else []
    # Gathered once: the quality checks of every stage and the back-translator learn from the same seed.
    seed = gather(plugin, cfg, parallel)
    steps += input_checks(plugin, cfg, seed)
    # Model preparation (lrl/models/prepare.py): the generators' models are trained or loaded, and the
    # back-translator chosen, before any generator step is built.
    english_mono = bool(inputs and inputs.mono_en)
    models = prepare(plugin, cfg, parallel, seed, english_mono)
    # Generators that consume filtered rows (back-translation, paraphrase) come after the input filters,
    # so no model time is spent on rows that would be rejected anyway; they bring their own filters for
    # the rows they create.
    steps += build_generators(plugin, cfg, models, progress, english_mono=english_mono, seed=seed)
    if decontaminate is not None:
        # Synthetic sides are new text: check them against the test set too.
        late = copy.copy(decontaminate)
        late.name, late.applies_to = "decontaminate-synthetic", SYNTHETIC
        steps.append(late)
    return steps + run_wide_steps(cfg)


def run_wide_steps(cfg: dict[str, Any]) -> list[Step]:
    """The steps that need every row of the run, last in the chain (lrl/shards.py; DESIGN.md "The shard
    contract"): dedup over all origins and all shards, first occurrence wins. They hold no model, so
    ``lrl merge`` builds them from the settings alone. Dedup runs when ``pipeline.checks`` names it
    (wherever in the list: it always runs last) and ``filters.dedup.enabled``."""
    on = cfg["filters"]["dedup"]["enabled"] and "dedup" in cfg["pipeline"]["checks"]
    return [Dedup.from_settings(cfg["filters"]["dedup"])] if on else []


def merge(run_dir: Path) -> RunResult:
    """Complete a run whose shards are all done (Slurm ranks that did not complete it, or a completion
    that died half-way)."""
    from lrl.io.rundir import read_draft

    draft = read_draft(run_dir)
    missing = missing_shards(run_dir)
    if missing is None:
        raise ConfigError(f"{run_dir}: no rank has read all of the input yet — run the ranks (or --resume {run_dir})")
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else "")
        raise ConfigError(f"{run_dir}: {len(missing)} shard(s) not done ({shown}) — rerun their ranks "
                          f"(shard k belongs to rank k % world size) or: lrl augment --resume {run_dir}")
    cfg = draft["config"]
    extra = {"prepare_seconds": 0.0, "shards_seconds": 0.0, "rank": None, "world_size": None,
             "executor": {"name": "local", "merged": True, "shards": len(done_shards(run_dir)),
                          "shard_rows": cfg["run"]["shard_rows"]}}
    result = finalize(run_dir, run_wide_steps(cfg), "en", draft["language"]["code"], cfg["output"]["shard_rows"],
                      extra, force=True, processes=usable_cores())
    assert result is not None
    return result


def point_latest(run_dir: Path) -> None:
    latest = run_dir.parent / "latest"
    tmp = run_dir.parent / f".latest-{os.getpid()}"
    try:
        if tmp.is_symlink():
            tmp.unlink()
        tmp.symlink_to(run_dir.name, target_is_directory=True)
        os.replace(tmp, latest)
    except OSError:  # no symlinks (some Windows setups): a text file naming the run instead
        (run_dir.parent / "LATEST").write_text(run_dir.name + "\n")


class _OutputGuard:
    """The last word on kept text: NFC and no character of the invisible policy, whatever a generator's
    model wrote (normalization only saw the input rows). Almost always a no-op, checked cheaply."""

    def __init__(self, plugin: Plugin) -> None:
        self.policy = policy(plugin.orthography.get("keep_joiners", False))

    def __call__(self, rec: Record) -> None:
        for side in ("src", "tgt"):
            text = getattr(rec, side)
            clean = unicodedata.normalize("NFC", self.policy.clean(text))
            if clean != text:
                setattr(rec, side, clean)


def run(plugin: Plugin, cfg: dict[str, Any], inputs: Inputs, progress: bool = True, rank: int = 0,
        world_size: int = 1, run_dir: Path | None = None, workers: int | None = None) -> RunResult:
    """Run one augmentation into ``out_dir/<code>/<run-id>/`` (a new folder, or ``run_dir``: resume it, or
    join it as rank ``rank`` of ``world_size``). The shards this process owns and that are not done yet
    are run (lrl/shards.py); whoever finishes the last shard completes the run (lrl/finalize.py)."""
    from tqdm import tqdm

    if not 0 <= rank < world_size:
        raise ConfigError(f"--rank {rank} is not in 0..{world_size - 1} (--world-size {world_size})")
    if world_size > 1 and run_dir is None:
        raise ConfigError("--world-size > 1 needs the run folder every rank shares: --run-id ID (e.g. "
                          "$SLURM_ARRAY_JOB_ID) or --resume DIR")
    check_out_dir(Path(cfg["out_dir"]), plugin.code)  # before reading or training anything
    input_stats: list[tuple[str, str, InputStats]] = []
    sources = build_sources(plugin, cfg, inputs, input_stats)
    draft = run_draft(plugin, cfg, inputs, input_stats)
    if run_dir is not None:
        check_run(run_dir, draft)  # other settings or inputs are refused before any model is built
    # Build before creating the run folder: fail fast on setup errors. Building trains or loads the models
    # (back-translator, quality checks): its time is reported apart from the stages'.
    prepare_started = time.perf_counter()
    steps = build_steps(plugin, cfg, inputs, progress)
    prepare_seconds = time.perf_counter() - prepare_started
    row_steps, run_steps = split_chain(steps)
    draft["steps"] = [step_entry(s) for s in steps]
    run_dir = open_run(run_dir, Path(cfg["out_dir"]), plugin.code, draft)
    done = done_shards(run_dir)
    job = ShardJob(run_dir, row_steps, _OutputGuard(plugin), cfg["seed"], rank, world_size, run_steps,
                   sample_rows(cfg))
    n_workers = cfg["run"]["workers"] or usable_cores()
    build = functools.partial(_build_job, plugin.path, cfg, inputs, run_dir, rank, world_size)
    shard_rows = cfg["run"]["shard_rows"]
    bar = tqdm(desc=f"augment {plugin.code}", unit=" shards", disable=not progress or None, mininterval=0.5)
    n_shards = 0

    # only where the run-wide dedup runs: it is what would reject a copy whose first is kept
    early = EarlyCopies() if cfg["filters"]["dedup"]["early"] and any(isinstance(s, Dedup) for s in run_steps) \
        else None

    def mine() -> Iterator[tuple[int, list[Record]]]:
        nonlocal n_shards
        # Every rank reads the whole stream (shard k is a position in it) and runs only its own shards.
        stream: Iterator[Record] = itertools.chain.from_iterable(sources)
        if early is not None:
            stream = early.mark(stream)
        for k, rows in cut(stream, shard_rows):
            n_shards = k + 1
            if k % world_size == rank and k not in done:
                yield k, rows

    method, executor = "in-process", cfg["run"]["executor"]
    layout: dict[str, Any] = {}
    live = mark_live(run_dir, rank)
    # One process alone completes the run (and takes over a lock left by a completion that was killed): it
    # feeds each finished shard to the completion pass while later shards still run (lrl/finalize.py).
    completion = Completion.start(run_dir, run_steps, "en", plugin.code, cfg["output"]["shard_rows"],
                                  force=True) if world_size == 1 else None

    def on_done(k: int) -> None:
        bar.update()
        if completion is not None:
            completion.advance()

    shards_started = time.perf_counter()
    try:
        if executor == "ray":
            from lrl.ray_executor import model_stages, run_shards_ray

            layout = run_shards_ray(mine(), cfg["run"]["workers"], build, on_done=on_done,
                                    model_stages=model_stages(row_steps, cfg))
            n_workers = layout.pop("workers")
            method = "ray actors"
        else:
            method = run_shards(job, mine(), n_workers, build, on_done=on_done)
    except BaseException:
        if completion is not None:
            completion.abort()
        raise
    finally:
        shards_seconds = time.perf_counter() - shards_started
        live.unlink(missing_ok=True)
        bar.close()
        for step in steps:
            step.close()
    write_atomic(partial(run_dir) / f"plan-{rank}.json", json.dumps({
        "shards": n_shards, "rank": rank, "world_size": world_size,
        "input_stats": [{"rows": st.rows, "blank_lines": st.blank_lines, "bad_rows": st.bad_rows}
                        for _, _, st in input_stats]}))
    missing = missing_shards(run_dir) or []
    ran = len(done_shards(run_dir)) - len(done)
    if not missing:
        # shards_seconds: this process's shard phase (reading the input, running its shards and waiting for
        # its workers); with prepare, finalize and report seconds it says where a run's time went.
        extra = {"prepare_seconds": round(prepare_seconds, 3), "shards_seconds": round(shards_seconds, 3),
                 "rank": rank, "world_size": world_size,
                 "executor": {"name": executor, "workers": n_workers, "start": method, "world_size": world_size,
                              "shards": n_shards,
                              "shard_rows": shard_rows, "resumed": bool(done), **layout}}
        processes = min(n_workers, usable_cores())
        result = completion.close(extra, processes) if completion is not None else finalize(
            run_dir, run_steps, "en", plugin.code, cfg["output"]["shard_rows"], extra, processes=processes)
        if result is not None:
            return result
    elif completion is not None:
        completion.abort()
    return RunResult(run_dir, {}, Counter(), complete=False, shards_done=n_shards - len(missing),
                     shards_total=n_shards, notes=[f"this process ran {ran} shard(s)"])


def usable_cores() -> int:
    """Cores this process may run on (a Slurm or taskset limit counts), not the machine's."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def sample_rows(cfg: dict[str, Any]) -> int:
    """``report.sample_rows`` (a run resumed from a draft written before the setting: its default)."""
    from lrl.report.data import sample_settings

    return sample_settings({"config": cfg})[0]


def _build_job(plugin_path: Path, cfg: dict[str, Any], inputs: Inputs, run_dir: Path, rank: int,
               world_size: int) -> ShardJob:
    """A worker process's own steps (lrl/shards.py): built from the same settings, so the same rows."""
    from lrl.languages import load_plugin

    plugin = load_plugin(plugin_path)
    row_steps, run_steps = split_chain(build_steps(plugin, cfg, inputs, progress=False))
    return ShardJob(run_dir, row_steps, _OutputGuard(plugin), cfg["seed"], rank, world_size, run_steps,
                    sample_rows(cfg))


def write_report(run_dir: Path, manifest: dict[str, Any], data: Any = None, processes: int = 1) -> None:
    """report.html; the data is already written, so a failure here costs the page, never the run. ``data``:
    makes the report's numbers when the caller gathered them (lrl/report/summaries.py), else they are read
    from the files."""
    from lrl.report import build_report

    try:
        build_report(run_dir, manifest, data() if data is not None else None, processes)
    except Exception as exc:
        logging.getLogger(__name__).warning("report.html not written: %s (rebuild with: lrl report %s)",
                                            exc, run_dir)
