"""Reading an evaluation's settings (``lrl eval``, ``lrl eval-classify``): a TOML file whose keys are a
dataclass's fields, strictly checked, with paths relative to the file, then command-line overrides."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lrl.errors import ConfigError
from lrl.schema import load_file


def _join(base: Path, spec: str) -> str:
    """A config file's path relative to its folder ("EN,LRL" part by part; absolute paths and "" kept)."""
    return ",".join(p if not p or Path(p).is_absolute() else os.path.normpath(base / p) for p in spec.split(","))


def read_settings(path: Path | None, lang: str, overrides: dict[str, Any], fields_of: type,
                  path_keys: Iterable[str], what: str) -> dict[str, Any]:
    """The raw settings: ``path``'s keys (its ``path_keys`` made relative to its folder, so a config works
    from any current folder), then ``overrides`` that are set (relative to the current folder, as usual
    on a command line), ``lang`` by default. A key that is not a field of ``fields_of`` is an error."""
    raw: dict[str, Any] = load_file(path, what) if path is not None else {}
    if path is not None:
        for key in path_keys:
            v = raw.get(key)
            if isinstance(v, str):
                raw[key] = _join(path.parent, v)
            elif isinstance(v, list):
                raw[key] = [_join(path.parent, x) if isinstance(x, str) else x for x in v]
    raw.update({k: v for k, v in overrides.items() if v not in (None, [], "")})
    raw.setdefault("lang", lang)
    known = {f.name for f in dataclasses.fields(fields_of)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{path or what}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return raw
