"""Opening a run folder to write shards into: a new one, one to resume (``--resume DIR``), or one shared
by Slurm ranks (``--run-id ID``). A folder that has a draft (``.partial/run.json``) is only joined by a
process whose settings, inputs, plugin and steps are the draft's; otherwise the refusal names what differs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from lrl.errors import ConfigError
from lrl.io.outdir import new_run_dir
from lrl.io.rundir import create_exclusive, partial, read_draft

#: Settings that change how a run is executed, never which rows it keeps.
EXECUTION_ONLY = frozenset({"out_dir", "run.workers", "run.executor"})
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def run_dir_for(out_root: Path, code: str, run_id: str) -> Path:
    if not _RUN_ID.fullmatch(run_id) or run_id == "latest":
        raise ConfigError(f"--run-id {run_id!r}: use letters, digits, '.', '_' and '-' (not starting with '.' or "
                          "'-', not 'latest'), e.g. the Slurm array job id")
    return out_root / code / run_id


def open_run(run_dir: Path | None, out_root: Path, code: str, draft: dict[str, Any]) -> Path:
    """The run folder to write into, its draft written or checked."""
    if run_dir is None:
        run_dir = new_run_dir(out_root, code)
    elif (run_dir / "manifest.json").is_file():
        raise ConfigError(f"{run_dir}: this run is already complete (manifest.json) — nothing to resume")
    partial(run_dir).mkdir(parents=True, exist_ok=True)
    text = json.dumps(draft, ensure_ascii=False, indent=1, default=str) + "\n"
    if not create_exclusive(partial(run_dir) / "run.json", text):
        check_run(run_dir, json.loads(text))
    return run_dir


def check_run(run_dir: Path, draft: dict[str, Any]) -> None:
    """Refuse to continue ``run_dir`` (resume, or join as a rank) with other settings, inputs or steps."""
    if (run_dir / "manifest.json").is_file():
        raise ConfigError(f"{run_dir}: this run is already complete (manifest.json) — nothing to resume")
    if not (partial(run_dir) / "run.json").is_file():
        return  # a new shared folder: the first rank to get here writes the draft
    now = json.loads(json.dumps(draft, default=str))
    problems = differences(read_draft(run_dir), now)
    if problems:
        raise ConfigError(f"{run_dir}: cannot continue this run — " + "; ".join(problems)
                          + " (resume with the run's own settings and inputs, or start a new run)")


def _flat(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def differences(recorded: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Each way ``now`` would make other rows than ``recorded``, in words."""
    out = []
    if recorded["lrl_version"] != now["lrl_version"]:
        out.append(f"lrl version {recorded['lrl_version']} began it, this is {now['lrl_version']}")
    if recorded["language"]["plugin_fingerprint"] != now["language"]["plugin_fingerprint"]:
        out.append(f"the language plugin {now['language']['plugin']} changed since the run began")
    old, new = _flat(recorded["config"]), _flat(now["config"])
    for key in sorted((old.keys() | new.keys()) - EXECUTION_ONLY):
        if old.get(key) != new.get(key):
            out.append(f"setting {key} was {old.get(key)!r}, now {new.get(key)!r}")
    old_in = {(f["kind"], f["path"]): f["sha256"] for f in recorded["input_files"]}
    new_in = {(f["kind"], f["path"]): f["sha256"] for f in now["input_files"]}
    for kind, path in sorted(old_in.keys() - new_in.keys()):
        out.append(f"input {path} ({kind}) is not given now")
    for kind, path in sorted(new_in.keys() - old_in.keys()):
        out.append(f"input {path} ({kind}) was not part of the run")
    for both in sorted(old_in.keys() & new_in.keys()):
        if old_in[both] != new_in[both]:
            out.append(f"input {both[1]} changed since the run began (sha256 {old_in[both][:12]}…, now "
                       f"{new_in[both][:12]}…)")
    if out or "steps" not in now:  # the steps follow from the above: named only when nothing else differs
        return out
    old_steps = {s["name"]: s["signature"] for s in recorded["steps"]}
    for s in now["steps"]:
        if s["name"] in old_steps and old_steps[s["name"]] != s["signature"]:
            out.append(f"step {s['name']} is built differently now (e.g. another cached model): {s['signature']}")
    if [s["name"] for s in recorded["steps"]] != [s["name"] for s in now["steps"]]:
        out.append("the chain of steps differs")
    return out


def resumed_settings(run_dir: Path, code: str) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The settings and inputs a run was started with (``--resume DIR`` with nothing else given)."""
    draft = read_draft(run_dir)
    if draft["language"]["code"] != code:
        raise ConfigError(f"{run_dir}: a run for {draft['language']['code']!r}, not {code!r}")
    cfg = draft["config"]
    cfg["out_dir"] = str(run_dir.parent.parent)
    return cfg, draft["inputs"]
