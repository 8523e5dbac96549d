"""Resolving the settings layers — built-in defaults → plugin → config file → command line — against the
typed schema built from a table of defaults, choices and ranges (lrl/config.py holds the run's, and binds
this class's methods as ``config.schema``, ``config.resolve`` …) plus the settings of steps that installed
packages register. Every error names its layer, the key and what is allowed (lrl/schema.py writes them).
This module imports no table, so the settings import no cycle (tests/test_steps.py)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from lrl.schema import Schema, build, deep_update, dotted_to_nested, load_file


class Layers:
    """Validation and merging over ``defaults`` (nested), ``choices`` and ``ranges`` (by dotted key)."""

    def __init__(self, defaults: dict[str, Any], choices: dict[str, tuple[str, ...]],
                 ranges: dict[str, tuple[float | None, float | None]]) -> None:
        self.defaults, self.choices, self.ranges = defaults, choices, ranges
        self._schemas: dict[tuple[str, ...], Schema] = {}

    def schema(self) -> Schema:
        """The typed model of the tables, plus the settings of steps registered by installed packages
        (``lrl.steps`` entry points) and the chains' step names. Built once per set of steps."""
        from lrl.registry import extra_defaults, step_names

        extra = extra_defaults()
        key = tuple(sorted(extra))
        if key not in self._schemas:
            table = copy.deepcopy(self.defaults)
            table["steps"] = {**table.get("steps", {}), **extra}
            chains = {"pipeline.checks": step_names("input"), "pipeline.generated_checks": step_names("generated")}
            self._schemas[key] = build("Settings", table, {**self.choices, **chains}, self.ranges)
        return self._schemas[key]

    def check_value(self, key: str, value: Any, source: str) -> None:
        """``value`` is one of ``choices[key]`` and within ``ranges[key]``, or a ConfigError naming them."""
        self.schema().validate(dotted_to_nested({key: value}), source)

    def merge(self, base: dict[str, Any], layer: dict[str, Any], source: str) -> dict[str, Any]:
        """``base`` updated by ``layer``, whose every key must be a setting (errors name ``source``)."""
        return deep_update(copy.deepcopy(base), self.schema().validate(layer, source))

    def resolve(self, plugin_defaults: dict[str, Any], plugin_source: str, config_file: Path | None,
                overrides: dict[str, Any]) -> dict[str, Any]:
        """Apply the layers in order (built-in defaults → plugin → config file → command line); each error
        names the layer it came from. Modules get the nested dict (``model_dump()``), as before the schema."""
        cfg = self.merge(self.schema().dump({}), plugin_defaults, f"{plugin_source} [defaults]")
        if config_file is not None:
            cfg = self.merge(cfg, load_file(config_file), str(config_file))
        return self.merge(cfg, dotted_to_nested(overrides), "command line")
