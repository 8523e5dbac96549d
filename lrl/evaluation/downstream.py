"""Downstream translators trained under one budget for every system of an experiment.

* ``ibm1`` — IBM-1 word-by-word tables (seconds). A floor model: it shows what extra vocabulary buys,
  not what better sentences buy, and cannot use word order at all.
* ``marian`` — the bootstrap transformer (lrl/models/bootstrap.py) trained for ``minutes`` of wall clock
  from scratch; the same budget for every system.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from lrl.errors import ConfigError

MODELS = ("ibm1", "marian")


def train_and_translate(model: str, lang: str, direction: str, pairs: Sequence[tuple[str, str]],
                        sources: list[str], minutes: float, work_dir: Path, seed: int,
                        dev: Sequence[tuple[str, str]] = ()) -> tuple[list[str], dict[str, Any]]:
    """Train on ``pairs`` (English, language) for ``direction`` and translate ``sources``.
    Returns the hypotheses and what was trained (size, time)."""
    src, tgt = direction.split("-")
    if model == "ibm1":
        from lrl.models.ibm1 import IBM1Model

        m = IBM1Model.train(lang, pairs)
        return m.direction(src, tgt).translate(sources), {"model": "ibm1", **m.info}
    if model == "marian":
        from lrl.models.bootstrap import BootstrapSettings, BootstrapTranslator, Pair, train

        settings = replace(BootstrapSettings(), direction=direction, minutes=minutes, seed=seed)
        train_pairs = [Pair(en, xx) for en, xx in pairs]
        dev_pairs = [Pair(en, xx) for en, xx in dev] or train_pairs[:200]
        res = train(train_pairs, dev_pairs, settings, work_dir, lang=lang)
        hyps = BootstrapTranslator(res.ct2_dir).translate(sources)
        info: dict[str, Any] = {k: res.manifest[k] for k in ("steps", "train_seconds", "params", "dev")
                                if k in res.manifest}
        return hyps, {"model": "marian", "minutes": minutes, **info}
    raise ConfigError(f"unknown downstream model {model!r}; choose one of {', '.join(MODELS)}")
