"""The state of a run folder, read from the files in it (no database, no lock server).

A run folder is *complete* once ``manifest.json`` exists: it is written last, after the data, the rejected
rows, the card and the report. Until then everything lives under the hidden ``.partial/``, which
``datasets`` skips, so an interrupted run never loads as a dataset:

``.partial/run.json``
    the draft manifest, written before the first shard: settings, inputs (with sha256), plugin
    fingerprint, step signatures. ``--resume`` and every rank compare themselves against it.
``.partial/shards/00042/``
    one finished shard (kept.jsonl, rejected.jsonl, stats.json). Written under a temporary name and
    renamed when whole: the folder's existence is the completion marker.
``.partial/plan-<rank>.json``
    written by a rank that has read all of the input: how many shards there are.

States: ``complete`` (manifest), ``running`` (a process named in ``.partial/live-<rank>`` still runs),
``resumable`` (a draft to resume from), ``incomplete`` (neither: a run that died before its draft, or one
written by an older lrl).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrl.errors import ConfigError

PARTIAL = ".partial"


def partial(run_dir: Path) -> Path:
    return run_dir / PARTIAL


def shard_dir(run_dir: Path, k: int) -> Path:
    return partial(run_dir) / "shards" / f"{k:05d}"


def done_shards(run_dir: Path) -> set[int]:
    root = partial(run_dir) / "shards"
    if not root.is_dir():
        return set()
    return {int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit()}


def write_atomic(path: Path, text: str) -> None:
    """Write under a temporary name, then rename: a reader sees the old file, the new one, or none."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def create_exclusive(path: Path, text: str) -> bool:
    """Write ``path`` only if it does not exist yet (whole, via a hard link); False if another process
    wrote it first. Ranks starting together agree on one draft this way."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink()


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc}) — the run folder is damaged; start a new run") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: not a JSON object — the run folder is damaged; start a new run")
    return data


def read_draft(run_dir: Path) -> dict[str, Any]:
    path = partial(run_dir) / "run.json"
    if (run_dir / "manifest.json").is_file():
        raise ConfigError(f"{run_dir}: this run is already complete (manifest.json) — nothing to resume")
    if not path.is_file():
        raise ConfigError(f"{run_dir}: not a resumable run folder (no {PARTIAL}/run.json) — `lrl runs list` shows "
                          "which runs can be resumed")
    return read_json(path)


@dataclass
class RunInfo:
    path: Path
    state: str  # complete | running | resumable | incomplete
    shards_done: int
    shards_total: int | None
    kept: int | None

    def line(self) -> str:
        if self.state == "complete":
            detail = f"{self.kept:,} rows kept" if self.kept is not None else ""
        else:
            total = "?" if self.shards_total is None else str(self.shards_total)
            detail = f"{self.shards_done}/{total} shards done"
        return f"{self.path}\t{self.state}\t{detail}"


def run_info(run_dir: Path) -> RunInfo:
    done = len(done_shards(run_dir))
    total = None
    for plan in sorted(partial(run_dir).glob("plan-*.json")):
        with contextlib.suppress(ConfigError, KeyError, TypeError, ValueError):
            total = int(read_json(plan)["shards"])
    if (run_dir / "manifest.json").is_file():
        kept = None
        with contextlib.suppress(ConfigError, KeyError, TypeError, ValueError):
            kept = int(read_json(run_dir / "manifest.json")["totals"]["kept"])
        return RunInfo(run_dir, "complete", done, total, kept)
    state = "resumable" if (partial(run_dir) / "run.json").is_file() else "incomplete"
    if any(alive(p) for p in partial(run_dir).glob("live-*")):
        state = "running"
    return RunInfo(run_dir, state, done, total, None)


def mark_live(run_dir: Path, rank: int) -> Path:
    """``.partial/live-<rank>``: this host and process, while it writes shards (`runs clean` spares it)."""
    path = partial(run_dir) / f"live-{rank}"
    write_atomic(path, f"{socket.gethostname()} {os.getpid()}\n")
    return path


def alive(path: Path) -> bool:
    """Whether the process a live file or lock names still runs (on this host; another host's: unknown,
    taken as alive)."""
    try:
        host, pid = path.read_text(encoding="utf-8").split()
        if host != socket.gethostname():
            return True
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (OSError, ValueError):
        return False
    return True


def list_runs(out_root: Path, lang: str | None = None) -> list[RunInfo]:
    """Every run folder under ``out_root/<lang>/`` (all languages when ``lang`` is None), oldest first."""
    if not out_root.is_dir():
        return []
    langs = [out_root / lang] if lang else sorted(p for p in out_root.iterdir() if p.is_dir() and p.name != "eval")
    runs = []
    for d in langs:
        if not d.is_dir():
            continue
        for run in sorted(d.iterdir()):
            # `latest` is a link to a run listed under its own name; hidden names are lrl's temporaries
            if run.is_symlink() or not run.is_dir() or run.name.startswith("."):
                continue
            runs.append(run_info(run))
    return runs


def remove_run(info: RunInfo) -> None:
    if info.state in ("complete", "running"):
        raise ConfigError(f"{info.path}: a {info.state} run; remove it by hand if you mean to")
    shutil.rmtree(info.path)
