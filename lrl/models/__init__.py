"""Translators for back-translation and scoring: a cheap statistical default (IBM Model 1, trained from
the seed in seconds), CTranslate2 wrappers for Marian/OPUS-MT and NLLB/M2M-100, and offline-first model
resolution (local folder → Hugging Face cache → Hub when online → an error saying how to get the model)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """Where lrl keeps trained and converted models: ``$LRL_CACHE`` or ``~/.cache/lrl``."""
    env = os.environ.get("LRL_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "lrl"
