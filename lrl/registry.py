"""The step registry: every check a chain can name in ``pipeline.checks`` / ``pipeline.generated_checks``.

Built-in steps are listed here with the function that builds them (imported only when a chain is
built, so this module stays a leaf that :mod:`lrl.config` can read). Installed packages add steps through
the ``lrl.steps`` entry-point group (spaCy's habit), without touching ``lrl/``::

    # pyproject.toml of a package
    [project.entry-points."lrl.steps"]
    shout = "my_pkg:SHOUT"          # a StepSpec, or a function build(ctx) -> Step | None

An entry-point step's settings live under ``steps.<name>`` (its ``defaults``, validated like every other
setting); it runs when a settings layer puts its name in a chain.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from lrl.errors import ConfigError

GROUP = "lrl.steps"
CHAINS = ("input", "generated")


@dataclass(frozen=True)
class StepSpec:
    """A named step a chain can hold. ``factory(ctx)`` returns the step (or None: not for these rows).

    ``chains``: where it may stand — ``"input"`` (rows read or templated), ``"generated"`` (each
    generator's new rows, stage-prefixed ``bt-``, ``paraphrase-`` …). ``settings``: the dotted settings
    section it reads (``filters.length``); an entry-point step's is ``steps.<name>``, with ``defaults``."""

    name: str
    factory: Callable[[Any], Any] | str
    chains: tuple[str, ...] = CHAINS
    settings: str = ""
    doc: str = ""
    defaults: Mapping[str, Any] = field(default_factory=dict)
    package: str = "lrl"

    def build(self, ctx: Any) -> Any:
        fn = self.factory
        if isinstance(fn, str):
            module, _, attr = fn.partition(":")
            fn = getattr(importlib.import_module(module), attr)
        if self.package == "lrl":
            return fn(ctx)
        try:
            return fn(ctx)
        except ConfigError:
            raise
        except Exception as exc:  # the package's code, not lrl's: say whose error it is
            raise ConfigError(f"step '{self.name}' from package {self.package} failed to build: "
                              f"{type(exc).__name__}: {exc}") from None


def _builtin(name: str, chains: tuple[str, ...], settings: str, doc: str) -> StepSpec:
    return StepSpec(name, f"lrl.chain:build_{name.replace('-', '_')}", chains, settings, doc)


BUILTIN: tuple[StepSpec, ...] = (
    _builtin("privacy", CHAINS, "filters.privacy", "personal data masked, dropped or flagged, per kind"),
    _builtin("blocklist", CHAINS, "filters.blocklist", "rows holding a term of the plugin's blocklist.txt"),
    _builtin("markup", ("input",), "filters.markup", "HTML tags and entities, URLs, code debris"),
    _builtin("length", CHAINS, "filters.length", "per-side limits, length ratio, seed-calibrated z-score"),
    _builtin("dedup", ("input",), "filters.dedup",
             "exact and near duplicates over every row of the run, all origins and shards (runs last, "
             "wherever pipeline.checks names it)"),
    _builtin("script", CHAINS, "filters.script", "share of letters in the language's script (and Latin English)"),
    _builtin("tone", CHAINS, "", "stripped tone marks (the plugin's orthography.tone_check; not for a new "
                                 "English side)"),
    _builtin("langid", CHAINS, "filters.langid", "language ID of both sides"),
    _builtin("untranslated", CHAINS, "filters.untranslated", "words of the language left on the English side"),
    _builtin("fluency", CHAINS, "filters.fluency",
             "English fluency (word-class n-gram z-score learnt from the seed, or a pretrained LM: .model)"),
    _builtin("lrl-fluency", ("generated",), "filters.fluency",
             "fluency of a generated language side (filters.fluency.lrl, lrl_min_score)"),
    _builtin("adequacy", CHAINS, "filters.adequacy", "lexical adequacy both ways through the seed's IBM-1 tables"),
)

_CACHE: dict[tuple[str, ...], dict[str, StepSpec]] = {}


def _from_entry_point(ep: Any) -> StepSpec:
    where = f"entry point '{ep.name} = {ep.value}' (group {GROUP}"
    dist = getattr(getattr(ep, "dist", None), "name", None) or "?"
    try:
        obj = ep.load()
    except Exception as exc:  # the package's code, not lrl's: say whose error it is
        raise ConfigError(f"{where}, package {dist}) failed to load: {type(exc).__name__}: {exc}") from None
    if isinstance(obj, StepSpec):
        spec = obj
    elif callable(obj):
        spec = StepSpec(ep.name, obj, tuple(getattr(obj, "chains", CHAINS)), "", (obj.__doc__ or "").strip(),
                        dict(getattr(obj, "defaults", {})))
    else:
        raise ConfigError(f"{where}, package {dist}) is neither a lrl.registry.StepSpec nor a function "
                          "build(ctx) -> Step")
    if spec.name != ep.name:
        raise ConfigError(f"{where}, package {dist}) registers a step named {spec.name!r}: the names must match")
    if bad := [c for c in spec.chains if c not in CHAINS]:
        raise ConfigError(f"{where}, package {dist}): unknown chain {bad[0]!r} — allowed: {', '.join(CHAINS)}")
    return StepSpec(spec.name, spec.factory, tuple(spec.chains), f"steps.{spec.name}" if spec.defaults else "",
                    spec.doc, dict(spec.defaults), dist)


def steps() -> dict[str, StepSpec]:
    """Built-in steps, then those of installed packages (looked up again when ``sys.path`` changes)."""
    key = tuple(sys.path)
    if key not in _CACHE:
        found = {s.name: s for s in BUILTIN}
        for ep in sorted(metadata.entry_points(group=GROUP), key=lambda e: e.name):
            if ep.name in found:
                if found[ep.name].package == "lrl":
                    raise ConfigError(f"entry point '{ep.name} = {ep.value}' (group {GROUP}): '{ep.name}' is a "
                                      "built-in step; give the package's step another name")
                continue  # the same distribution seen twice on sys.path
            found[ep.name] = _from_entry_point(ep)
        _CACHE.clear()
        _CACHE[key] = found
    return _CACHE[key]


def step_names(chain: str) -> tuple[str, ...]:
    return tuple(name for name, spec in steps().items() if chain in spec.chains)


def extra_defaults() -> dict[str, dict[str, Any]]:
    """``steps.<name>`` settings of entry-point steps that declare some."""
    return {name: dict(spec.defaults) for name, spec in steps().items() if spec.defaults}
