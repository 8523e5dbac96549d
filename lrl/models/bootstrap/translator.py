"""A converted bootstrap model as a translator — lrl's one CTranslate2 wrapper
(:class:`~lrl.models.translator.CT2Translator`) with the bootstrap trainer's decoding — and its dev scores."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lrl.errors import ConfigError
from lrl.models.translator import CT2Translator, DecodeSettings


def BootstrapTranslator(ct2_dir: Path, compute_type: str = "default", threads: int = 0,  # noqa: N802
                        beam_size: int = 1, max_batch_size: int = 64, device: str = "cpu") -> CT2Translator:
    """A converted bootstrap model (CTranslate2 + its sentencepiece model), greedy by default, one batch at a
    time on ``threads`` threads, each batch's output capped by its longest source (an untrained model
    repeats itself to the length limit). Named like the class it replaced, which its callers construct."""
    settings = DecodeSettings(beam_size=beam_size, max_batch_size=max_batch_size, compute_type=compute_type,
                              inter_threads=1, intra_threads=threads or (os.cpu_count() or 1),
                              max_decoding_length=256, device=device, cap_to_source=True)
    return CT2Translator(Path(ct2_dir), "marian", settings=settings,
                         identity={"kind": "marian", "id": str(ct2_dir), "revision": ""})


def dev_scores(hyps: list[str], refs: list[str]) -> dict[str, Any]:
    """chrF, chrF++ and BLEU of the dev set (lrl/models/devscore.py: the one dev scorer)."""
    from lrl.models.devscore import corpus_scores

    return corpus_scores(hyps, refs, chrf=True)


def decoder(ct2_dir: Path, threads: int, device: str, log: Callable[[str], None]) -> CT2Translator:
    """The converted model on ``device``; on the CPU when CTranslate2 cannot use the GPU (its wheels need
    CUDA 12's cuBLAS, which a machine with torch for another CUDA may lack): training on the GPU still
    counts, and a few hundred dev sentences decode on the CPU in seconds."""
    if device != "cpu":
        try:
            # CT2Translator translates one token on a GPU at construction (cuBLAS loads at the first product)
            return BootstrapTranslator(ct2_dir, threads=threads, device=device)
        except (RuntimeError, ValueError, ConfigError) as exc:
            log(f"CTranslate2 cannot run on {device} ({exc}); decoding the dev set on the CPU")
    return BootstrapTranslator(ct2_dir, threads=threads)
