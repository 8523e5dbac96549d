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
from lrl.filters.dedup import Dedup
from lrl.filters.invisible import policy
from lrl.filters.langid import LangID
from lrl.filters.length import Length
from lrl.filters.normalize import Normalize
from lrl.filters.orthography import ToneMarks
from lrl.filters.script import Script
from lrl.generate.registry import build_generators
from lrl.generate.templates import TemplateGenerator
from lrl.io.card import render_card
from lrl.io.outdir import check_out_dir, new_run_dir
from lrl.io.readers import InputStats, ReadOptions, expand, preflight, read
from lrl.io.writers import RejectWriter, ShardWriter, file_sha256, write_json
from lrl.languages.plugin import SCRIPTS, Plugin
from lrl.record import Record
from lrl.step import RunContext, Stats, Step

#: Origins of rows made inside the pipeline from other rows (their new sides need checking again).
SYNTHETIC = frozenset({"bt", "ft", "paraphrase", "pivot"})

PACKAGES = ("ctranslate2", "sentencepiece", "sacrebleu", "transformers", "datasets", "py3langid",
            "pyarrow", "numpy", "torch")


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
    """The filter chain, cheapest and most selective first: dedup before language ID gives the same kept
    set faster (measured on OpusFilter, DESIGN.md)."""
    f = cfg["filters"]
    normalize = Normalize.for_plugin(plugin, cfg["normalize"])
    steps: list[Step] = [normalize]
    decontaminate = None
    if cfg["decontaminate"]["exclude"]:
        decontaminate = Decontaminate(cfg["decontaminate"]["exclude"], normalize, _read_options(plugin, cfg),
                                      cfg["decontaminate"]["ngram"])
        steps.append(decontaminate)
    steps.append(Length(**f["length"]))
    if f["dedup"]["enabled"]:
        steps.append(Dedup())
    if f["script"]["enabled"]:
        steps.append(Script(plugin.script, SCRIPTS[plugin.script], f["script"]["min_share"]))
    if plugin.orthography["tone_check"] != "off":
        o = plugin.orthography
        steps.append(ToneMarks(o["tone_check"], o["tone_min_share"], o["tone_min_vowels"]))
    if f["langid"]["enabled"]:
        steps.append(LangID.from_settings(plugin, f["langid"]))
    # Generators that consume filtered rows (back-translation, paraphrase) come after the input filters,
    # so no model time is spent on rows that would be rejected anyway; they bring their own filters for
    # the rows they create.
    steps += build_generators(plugin, cfg, expand(inputs.parallel) if inputs else [], progress,
                              english_mono=bool(inputs and inputs.mono_en))
    if decontaminate is not None:
        # Synthetic sides are new text: check them against the test set too.
        late = copy.copy(decontaminate)
        late.name, late.applies_to = "decontaminate-synthetic", SYNTHETIC
        steps.append(late)
    return steps


def _read_options(plugin: Plugin, cfg: dict[str, Any]) -> ReadOptions:
    i = cfg["inputs"]
    return ReadOptions(bad_rows=i["bad_rows"], tsv_quoting=i["tsv_quoting"], src_column=i["src_column"],
                       tgt_column=i["tgt_column"], max_rows=i["max_rows"],
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
    # Build before creating the run folder: fail fast on setup errors.
    steps = build_steps(plugin, cfg, inputs, progress)

    run_dir = new_run_dir(Path(cfg["out_dir"]), plugin.code)
    shards = ShardWriter(run_dir / "data", "en", plugin.code, cfg["output"]["shard_rows"],
                         prefix=f"train-{run_dir.name}")
    rejects = RejectWriter(run_dir / "rejected.jsonl")
    stats = Stats()
    ctx = RunContext(stats=stats, on_reject=rejects.write, rank=rank, world_size=world_size,
                     seed=cfg["seed"])
    kept_by_origin: Counter[str] = Counter()
    try:
        stream: Iterable[Record] = _admit(itertools.chain.from_iterable(sources), ctx)
        stream = tqdm(stream, desc=f"augment {plugin.code}", unit=" rows", disable=not progress or None,
                      mininterval=0.5)
        for step in steps:
            stream = step.run(stream, ctx)
        guard = _OutputGuard(plugin)
        for rec in stream:
            guard(rec)
            shards.write(rec)
            kept_by_origin[rec.origin] += 1
    finally:
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
        "language": {"code": plugin.code, "name": plugin.name, "plugin": str(plugin.path),
                     "plugin_fingerprint": plugin.fingerprint()},
        "seed": cfg["seed"],
        "rank": rank,
        "world_size": world_size,
        "config": cfg,
        "inputs": [{"path": spec, "kind": kind, "sha256": _hash_spec(spec), "rows": st.rows,
                    "blank_lines": st.blank_lines, "bad_rows": st.bad_rows} for spec, kind, st in input_stats],
        "steps": [{"name": s.name, "signature": s.signature()} for s in steps],
        "stages": stats.as_dict(),
        "kept_by_origin": dict(kept_by_origin.most_common()),
        "totals": totals,
        "outputs": {"data": [p.relative_to(run_dir).as_posix() for p in data_files],
                    "rejected": "rejected.jsonl", "card": "README.md"},
        "versions": versions(),
    }
    write_json(run_dir / "manifest.json", manifest)
    (run_dir / "README.md").write_text(render_card(manifest, kept_by_origin,
                                                   f"data/train-{run_dir.name}-*.parquet"),
                                       encoding="utf-8")
    _point_latest(run_dir)
    return RunResult(run_dir, manifest, kept_by_origin)


def _hash_spec(spec: str) -> str:
    return ",".join(file_sha256(Path(p)) for p in spec.split(","))
