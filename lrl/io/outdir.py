"""The output folder: checked before a run does any work, one clear line for each way it cannot hold runs
(a file, a dangling symlink, not writable), and a new run folder made in a bounded number of tries."""

from __future__ import annotations

import datetime as _dt
import os
import secrets
from pathlib import Path

from lrl.errors import ConfigError


def check_out_dir(out_root: Path, code: str) -> None:
    """The output folder can hold runs: one clear line for each way it cannot, before any work is done.
    Creates ``out_root/code`` (a run would anyway): only trying tells a read-only mount or an ACL apart."""
    lang_dir = out_root / code
    for path, what in ((out_root, "out_dir"), (lang_dir, f"the language folder {code}/ in out_dir")):
        if path.is_symlink() and not path.exists():
            raise ConfigError(f"{path}: {what} is a dangling symlink (it points to {os.readlink(path)}, which does "
                              "not exist) — remove the link or create its target")
        if path.exists() and not path.is_dir():
            raise ConfigError(f"{path}: {what} is a file, not a folder — give another --out (out_dir)")
    try:
        lang_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{lang_dir}: cannot create the output folder: {exc.strerror or exc} — give another "
                          "--out (out_dir)") from None
    if not os.access(lang_dir, os.W_OK | os.X_OK):
        raise ConfigError(f"{lang_dir}: the output folder is not writable — fix its permissions or give another "
                          "--out (out_dir)")


def new_run_dir(out_root: Path, code: str) -> Path:
    base = out_root / code
    check_out_dir(out_root, code)
    # A random suffix: `datasets` caches a local folder by its name and card, so two runs must never
    # share a name (not even in different output roots within one second).
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)
    for n in range(100):  # bounded: a name can only be taken so many times by a concurrent run
        run_dir = base / (stamp if n == 0 else f"{stamp}-{n}")
        try:
            run_dir.mkdir(parents=True)
            return run_dir
        except FileExistsError:
            if not base.is_dir():  # mkdir's parents, not the run folder, are in the way
                break
        except OSError as exc:
            raise ConfigError(f"{run_dir}: cannot create the run folder: {exc.strerror or exc}") from None
    raise ConfigError(f"{base}: cannot create a run folder there (tried {stamp} and variants) — give another --out")
