"""Where a run's rows come from: the user's inputs (seed parallel, monolingual, English monolingual) and the
plugin's templates, as record streams, in the order the pipeline reads them."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrl.generate.template_budget import template_count
from lrl.generate.templates import TemplateGenerator
from lrl.io.readers import InputStats, ReadOptions, expand, preflight, read
from lrl.languages.plugin import Plugin
from lrl.record import Record


@dataclass
class Inputs:
    mono: list[str]
    parallel: list[str]
    #: English monolingual text, forward-translated into the language (origin "ft")
    mono_en: list[str] = dataclasses.field(default_factory=list)


def read_options(plugin: Plugin, cfg: dict[str, Any]) -> ReadOptions:
    i = cfg["inputs"]
    return ReadOptions(bad_rows=i["bad_rows"], tsv_quoting=i["tsv_quoting"], src_column=i["src_column"],
                       tgt_column=i["tgt_column"], max_rows=i["max_rows"], label_columns=tuple(i["label_columns"]),
                       lang_names=(plugin.code, plugin.iso639_3, plugin.name))


def build_sources(plugin: Plugin, cfg: dict[str, Any], inputs: Inputs,
                  input_stats: list[tuple[str, str, InputStats]]) -> list[Iterable[Record]]:
    """Seed parallel, monolingual, then template rows. With no inputs, the plugin's examples are the seed."""
    opts = read_options(plugin, cfg)
    sources: list[Iterable[Record]] = []
    parallel = expand(inputs.parallel)
    mono = expand(inputs.mono)
    mono_en = expand(inputs.mono_en)
    count = template_count(plugin, cfg, parallel)  # capped relative to the user's real parallel rows
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
    if cfg["templates"]["enabled"] and count > 0:
        sources.append(TemplateGenerator(plugin.file("lexicon"), plugin.file("templates"), plugin.code,
                                         count, cfg["seed"], plugin.fingerprint()))
    return sources
