"""Offline-first model resolution: a local folder → the Hugging Face cache → the Hub (only when online)
→ an :class:`~lrl.errors.LrlError` that says exactly how to get the model onto this machine.

A folder that already holds a CTranslate2 model (``model.bin``) is used as it is. A transformers
checkpoint (``config.json`` plus ``pytorch_model.bin`` or ``model.safetensors``) is converted to
CTranslate2 once, with CTranslate2's own ``TransformersConverter``, into
``$LRL_CACHE/ct2/<name>-<key>/`` (key: the checkpoint's path, file sizes and modification times, the
quantization and the CTranslate2 version), together with its tokenizer files; later runs reuse it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrl.errors import LrlError, require
from lrl.models import cache_root

WEIGHTS = ("pytorch_model.bin", "model.safetensors")
TOKENIZER_FILES = ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json",
                   "special_tokens_map.json", "sentencepiece.bpe.model", "spm.model", "tokenizer.json",
                   "generation_config.json")


@dataclass
class ResolvedModel:
    """A CTranslate2 model folder ready for :class:`~lrl.models.translator.CT2Translator`."""

    path: Path
    kind: str
    identity: dict[str, Any] = field(default_factory=dict)
    converted: bool = False  # True when this call ran the converter (False: cache hit or native CT2)


def _offline() -> bool:
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        return True
    try:
        from huggingface_hub import constants

        return bool(constants.HF_HUB_OFFLINE)
    except ImportError:  # pragma: no cover
        return True


def _missing(name: str, why: str) -> LrlError:
    return LrlError(
        f"model {name!r} is not on this machine ({why}). To use it offline: on a machine with internet run "
        f"`huggingface-cli download {name} --local-dir {Path(name).name}` (or python -c \"from "
        f"huggingface_hub import snapshot_download; snapshot_download('{name}')\"), copy that folder here "
        f"(any path; a CTranslate2 folder with model.bin works too) and set bt.model to its path, e.g. "
        f"`lrl augment --lang <code> --set bt.model=/models/{Path(name).name}`; or copy the whole "
        f"Hugging Face cache folder (~/.cache/huggingface/hub/models--{name.replace('/', '--')}) into this "
        f"machine's HF cache. Or set bt.model=\"\" to bootstrap the IBM-1 translator from the seed data."
    )


def locate(name: str) -> tuple[Path, str]:
    """A folder holding the model ``name`` and its revision: local path, HF cache, then Hub."""
    p = Path(name).expanduser()
    if p.exists():
        if not p.is_dir():
            raise LrlError(f"bt.model = {name!r} is a file; give the model's folder (with model.bin, or "
                           "config.json and the weights)")
        return p.resolve(), ""
    if name.startswith((".", "/", "~")) or name.count("/") > 1 or "\\" in name:
        raise LrlError(f"bt.model = {name!r}: no such folder — check the path, or give a Hugging Face "
                       "model id such as Helsinki-NLP/opus-mt-yo-en")
    hub: Any = require("huggingface_hub", "huggingface_hub", "finding models in the Hugging Face cache")
    try:
        path = Path(hub.snapshot_download(name, local_files_only=True))
        return path, path.name
    except Exception:  # not cached (LocalEntryNotFoundError and friends)
        pass
    if _offline():
        raise _missing(name, "not a local folder, not in the Hugging Face cache, and HF_HUB_OFFLINE=1 "
                       "forbids downloading")
    try:  # pragma: no cover - needs the network
        path = Path(hub.snapshot_download(name))
        return path, path.name
    except Exception as exc:  # pragma: no cover
        raise _missing(name, f"downloading failed: {type(exc).__name__}: {exc}") from None


def _fingerprint(path: Path, extra: str) -> str:
    h = hashlib.sha256(f"{path.resolve()}\n{extra}\n".encode())
    for p in sorted(path.iterdir()):
        if p.is_file():
            st = p.stat()
            h.update(f"{p.name}\t{st.st_size}\t{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def _hf_kind(path: Path) -> str:
    cfg = json.loads((path / "config.json").read_text(encoding="utf-8"))
    mt = str(cfg.get("model_type", ""))
    if mt == "marian":
        return "marian"
    if mt in ("m2m_100", "nllb", "nllb-moe"):
        tok = path / "tokenizer_config.json"
        text = tok.read_text(encoding="utf-8") if tok.is_file() else ""
        return "nllb" if "Nllb" in text or "eng_Latn" in text else "m2m100"
    return mt


def convert(src: Path, quantization: str | None = None, cache: Path | None = None) -> tuple[Path, bool]:
    """The CTranslate2 conversion of a transformers checkpoint folder, made once and cached.
    Returns (folder, converted now?)."""
    ct2: Any = require("ctranslate2", "ctranslate2>=4.3", "converting models to CTranslate2")
    key = _fingerprint(src, f"{quantization}|{ct2.__version__}")
    out = (cache or cache_root() / "ct2") / f"{src.name}-{key}"
    if (out / "model.bin").is_file():
        return out, False
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        copy = [str(src / f) for f in TOKENIZER_FILES if (src / f).is_file()]
        converter = ct2.converters.TransformersConverter(str(src), copy_files=copy)
        converter.convert(str(tmp / "model"), quantization=quantization, force=True)
        meta = {"kind": _hf_kind(src), "source": str(src), "key": key, "quantization": quantization}
        (tmp / "model" / "lrl_model.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        try:
            os.replace(tmp / "model", out)
        except OSError:  # converted concurrently by another process: use theirs
            if not (out / "model.bin").is_file():
                raise
    except LrlError:
        raise
    except Exception as exc:
        raise LrlError(f"converting {src} to CTranslate2 failed: {type(exc).__name__}: {exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out, True


def resolve(name: str, kind: str = "auto", quantization: str | None = None,
            cache: Path | None = None) -> ResolvedModel:
    """Find ``name`` (a folder or a Hugging Face id) and return a CTranslate2 folder for it."""
    from lrl.models.kinds import detect_kind

    path, revision = locate(name)
    converted = False
    if (path / "model.bin").is_file():
        ct2_dir = path
    elif (path / "config.json").is_file() and any((path / w).is_file() for w in WEIGHTS):
        ct2_dir, converted = convert(path, quantization, cache)
    else:
        raise LrlError(f"{path} holds neither a CTranslate2 model (model.bin) nor a transformers checkpoint "
                       f"(config.json with {' or '.join(WEIGHTS)})")
    if not revision:
        revision = _fingerprint(path, "")
    k = detect_kind(ct2_dir) if kind == "auto" else kind
    return ResolvedModel(ct2_dir, k, {"id": name, "revision": revision, "kind": k, "path": str(ct2_dir)},
                         converted)
