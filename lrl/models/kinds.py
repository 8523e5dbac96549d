"""Which kind of CTranslate2 model a folder holds (Marian, NLLB-200, M2M-100) and the language tokens the
multilingual ones expect."""

from __future__ import annotations

import json
from pathlib import Path

from lrl.errors import ConfigError

KINDS = ("marian", "nllb", "m2m100")


def detect_kind(model_dir: Path) -> str:
    """Marian, NLLB or M2M-100, from the files of a CTranslate2 (or transformers) model folder."""
    # lrl_model.json: written by resolve.convert; lrl-model.json: the manifest of an `lrl bootstrap` model.
    for meta in (model_dir / "lrl_model.json", model_dir / "lrl-model.json"):
        if meta.is_file():
            kind = json.loads(meta.read_text(encoding="utf-8")).get("kind", "")
            if kind in KINDS:
                return str(kind)
    if (model_dir / "source.spm").is_file():
        return "marian"
    for name in ("shared_vocabulary.json", "shared_vocabulary.txt", "vocab.json", "target_vocabulary.json"):
        p = model_dir / name
        if p.is_file():
            text = p.read_text(encoding="utf-8", errors="replace")
            if "eng_Latn" in text:
                return "nllb"
            if "__en__" in text:
                return "m2m100"
    cfg = model_dir / "config.json"
    if cfg.is_file():
        mt = json.loads(cfg.read_text(encoding="utf-8")).get("model_type", "")
        if mt == "marian":
            return "marian"
    raise ConfigError(f"cannot tell what kind of model {model_dir} is (Marian, NLLB or M2M-100); "
                      "set bt.kind to marian, nllb or m2m100")


def lang_token(kind: str, code: str) -> str:
    """The language token NLLB (``yor_Latn``) or M2M-100 (``__yo__``) expects."""
    if kind == "m2m100":
        return code if code.startswith("__") else f"__{code}__"
    return code
