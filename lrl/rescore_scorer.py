"""Scores for the rows a finished run never scored at some filter (``lrl rescore --score-missing``).

A loosened threshold lets a row the run rejected at stage k reach the stages after k, which never scored
it. Instead of rejecting it as ``unscored``, the run's own steps are rebuilt — from the manifest's settings,
the plugin and the inputs, each checked against the hashes the run recorded, so the models are the run's
(IBM-1 tables and quality models are trained again from the same seed, or loaded from the cache) — and
score just those rows at those stages. The decision is then the one a fresh run with the new thresholds
makes. It costs preparing the run's models once (seconds to minutes), and only when some row needs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lrl.errors import ConfigError
from lrl.record import Record
from lrl.step import Filter, Step


class RunScorer:
    """``scorer(stage, records)`` for :func:`lrl.replay.replay`, built from a run's manifest on first use."""

    def __init__(self, manifest: dict[str, Any]) -> None:
        self.manifest = manifest
        self._steps: dict[str, Step] | None = None

    def __call__(self, stage: str, records: list[Record]) -> list[dict[str, float | str]] | None:
        step = self.steps().get(stage)
        if not isinstance(step, Filter):
            return None
        return step.score_batch(records)

    def steps(self) -> dict[str, Step]:
        if self._steps is None:
            from lrl.languages import load_plugin
            from lrl.pipeline import Inputs, build_steps, run_wide_steps

            m = self.manifest
            plugin = load_plugin(Path(m["language"]["plugin"]))
            if plugin.fingerprint() != m["language"]["plugin_fingerprint"]:
                raise ConfigError(f"lrl rescore --score-missing: the plugin at {plugin.path} has changed since "
                                  "the run; its steps would not score as the run's did — restore it, or rescore "
                                  "without --score-missing")
            for f in m.get("inputs", []):
                if _sha256(f["path"]) != f["sha256"]:
                    raise ConfigError(f"lrl rescore --score-missing: input {f['path']} has changed (or is gone) "
                                      "since the run — restore it, or rescore without --score-missing")
            cfg = m["config"]  # the run's own settings: scores do not depend on the thresholds being moved
            if "inputs_given" not in m:
                raise ConfigError("lrl rescore --score-missing: the manifest does not record the run's inputs as "
                                  "given (a run made by an older lrl) — rescore without --score-missing")
            built = build_steps(plugin, cfg, Inputs(**m["inputs_given"]), progress=False) + run_wide_steps(cfg)
            self._steps = {s.name: s for s in built}
        return self._steps

    def close(self) -> None:
        for step in (self._steps or {}).values():
            step.close()


def _sha256(spec: str) -> str:
    """The hash the run recorded for an input (``a,b`` specs: one per file), or "" when a file is gone."""
    from lrl.io.writers import file_sha256

    try:
        return ",".join(file_sha256(Path(p)) for p in spec.split(","))
    except OSError:
        return ""
