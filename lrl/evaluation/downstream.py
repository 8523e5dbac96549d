"""Downstream translators trained under one budget for every system of an experiment.

* ``ibm1`` — IBM-1 word-by-word tables (seconds). A floor model: it shows what extra vocabulary buys,
  not what better sentences buy, and cannot use word order at all.
* ``ibm1+lm`` — the same tables, with each word's translation chosen jointly under a bigram model of
  the target language trained on the training pairs' target side (seconds): real target-side sentences,
  such as the LRL side of back-translated pairs, can now help.
* ``marian`` — the bootstrap transformer (lrl/models/bootstrap.py) trained for ``minutes`` of wall clock
  from scratch; the same budget for every system.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from lrl.errors import ConfigError

MODELS = ("ibm1", "ibm1+lm", "marian")


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
    if model == "ibm1+lm":
        from lrl.models.ibm1 import IBM1Model
        from lrl.models.lexlm import BigramLM, LexicalLMTranslator

        m = IBM1Model.train(lang, pairs)
        table = m.en2xx if src == "en" else m.xx2en
        lm = BigramLM.train(xx if src == "en" else en for en, xx in pairs)
        return LexicalLMTranslator(table, lm).translate(sources), {"model": "ibm1+lm", **m.info,
                                                                    "lm_words": lm.total}
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
