"""What models this machine has: IBM-1 tables and bootstrap transformers trained by lrl, and CTranslate2
conversions of transformers checkpoints — for ``lrl models list`` and for picking the best cached
back-translator (lrl/models/choose.py measures them)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrl.models import cache_root


@dataclass
class CachedModel:
    kind: str  # ibm1 | marian (bootstrap) | converted
    name: str
    lang: str
    direction: str  # "yo-en", "en-yo", "both" (IBM-1 has both), or "" when unknown
    dev_chrfpp: float | None  # chrF++ on the model's own held-out dev rows, in ``direction``
    dev_rows: int
    path: Path
    translator_dir: Path  # what CT2Translator / IBM1Model.load reads


def _read(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


#: every kind ``list_models`` knows
KINDS = ("ibm1", "marian", "converted")


def list_models(root: Path | None = None, kinds: tuple[str, ...] = KINDS) -> list[CachedModel]:
    """The cached models of ``kinds``. Ask only for the kinds you need: an IBM-1 ``model.json`` holds the
    whole tables (~1 MB of JSON each), and a cache of a hundred of them took ~10 s to list — which every run
    that looked for a cached bootstrap model (``bt.prefer_cached``) paid before building any step."""
    root = root or cache_root()
    out: list[CachedModel] = []
    for d in sorted((root / "models").glob("ibm1-*")) if "ibm1" in kinds else []:
        meta = _read(d / "model.json")
        if not meta:
            continue
        dev = meta.get("info", {}).get("dev") or {}
        for direction in (f"{meta.get('lang')}-en", f"en-{meta.get('lang')}"):
            score = dev.get(direction, {}).get("chrf++") if isinstance(dev.get(direction), dict) else None
            out.append(CachedModel("ibm1", d.name, str(meta.get("lang", "")), direction, score,
                                   int(dev.get("rows", 0) or 0), d, d))
    for d in sorted((root / "models").glob("bootstrap-*")) if "marian" in kinds else []:
        meta = _read(d / "lrl-model.json")
        if not meta or not (d / "ct2" / "model.bin").is_file():
            continue
        dev = meta.get("dev") or {}
        out.append(CachedModel("marian", d.name, str(meta.get("lang", "")), str(meta.get("direction", "")),
                               dev.get("chrf++"), int(meta.get("data", {}).get("dev_pairs", 0) or 0), d, d / "ct2"))
    for d in sorted((root / "ct2").glob("*")) if "converted" in kinds else []:
        meta = _read(d / "lrl_model.json")
        if meta and (d / "model.bin").is_file():
            out.append(CachedModel("converted", d.name, "", str(meta.get("kind", "")), None, 0, d, d))
    return out

