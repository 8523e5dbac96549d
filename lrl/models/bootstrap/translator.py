"""A converted bootstrap model as a translator, and the dev scores every bootstrap run reports."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lrl.errors import require
from lrl.models.bootstrap.settings import PAD


class BootstrapTranslator:
    """A converted bootstrap model: CTranslate2 + the sentencepiece model, greedy by default."""

    def __init__(self, ct2_dir: Path, compute_type: str = "default", threads: int = 0,
                 beam_size: int = 1, max_batch_size: int = 64, device: str = "cpu") -> None:
        ct2: Any = require("ctranslate2", "ctranslate2>=4.3", "the bootstrap translator")
        spm: Any = require("sentencepiece", "sentencepiece", "the bootstrap translator")
        self.dir = Path(ct2_dir)
        self.model = ct2.Translator(str(self.dir), device=device, compute_type=compute_type,
                                    intra_threads=threads or (os.cpu_count() or 1))
        self.sp = spm.SentencePieceProcessor(model_file=str(self.dir / "source.spm"))
        self.beam_size, self.max_batch_size = beam_size, max_batch_size

    def encode(self, text: str) -> list[str]:
        return [*self.sp.encode(text, out_type=str), "</s>"]

    def translate(self, texts: list[str]) -> list[str]:
        toks = [self.encode(t) for t in texts]
        order = sorted(range(len(toks)), key=lambda i: len(toks[i]))
        out = [""] * len(texts)
        for k in range(0, len(order), self.max_batch_size):
            idx = order[k:k + self.max_batch_size]
            batch = [toks[i] for i in idx]
            # An untrained model repeats itself to the length limit: cap it at twice the source.
            limit = min(256, 2 * max(map(len, batch)) + 10)
            res = self.model.translate_batch(batch, beam_size=self.beam_size, max_decoding_length=limit)
            for i, r in zip(idx, res, strict=True):
                out[i] = self.sp.decode([t for t in r.hypotheses[0] if t not in ("</s>", PAD)]).strip()
        return out

    def score(self, sources: list[str], targets: list[str]) -> list[list[float]]:
        """Per-token log-probabilities of each target (its ``</s>`` included) given its source."""
        res = self.model.score_batch([self.encode(s) for s in sources],
                                     [self.sp.encode(t, out_type=str) for t in targets])
        return [list(r.log_probs) for r in res]


def dev_scores(hyps: list[str], refs: list[str]) -> dict[str, float]:
    import sacrebleu

    return {
        "chrf": round(sacrebleu.corpus_chrf(hyps, [refs]).score, 2),
        "chrf++": round(sacrebleu.corpus_chrf(hyps, [refs], word_order=2).score, 2),
        "bleu": round(sacrebleu.corpus_bleu(hyps, [refs]).score, 2),
    }


def decoder(ct2_dir: Path, threads: int, device: str, log: Callable[[str], None]) -> BootstrapTranslator:
    """The converted model on ``device``; on the CPU when CTranslate2 cannot use the GPU (its wheels need
    CUDA 12's cuBLAS, which a machine with torch for another CUDA may lack): training on the GPU still
    counts, and a few hundred dev sentences decode on the CPU in seconds."""
    if device != "cpu":
        try:
            tr = BootstrapTranslator(ct2_dir, threads=threads, device=device)
            tr.translate(["."])  # cuBLAS loads at the first product on the GPU, not at construction
            return tr
        except (RuntimeError, ValueError) as exc:
            log(f"CTranslate2 cannot run on {device} ({exc}); decoding the dev set on the CPU")
    return BootstrapTranslator(ct2_dir, threads=threads)
