"""The randomly initialized Marian network, its batches, and the conversion to CTranslate2."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from lrl.errors import require
from lrl.models.bootstrap.settings import BootstrapSettings


def build_model(s: BootstrapSettings, vocab_size: int) -> Any:
    """A randomly initialized MarianMTModel; ``vocab_size`` includes ``<pad>`` (the last id)."""
    transformers: Any = require("transformers", "transformers", "the bootstrap translator")
    torch: Any = require("torch", "torch", "the bootstrap translator")
    pad = vocab_size - 1
    cfg = transformers.MarianConfig(
        vocab_size=vocab_size, decoder_vocab_size=vocab_size, d_model=s.d_model,
        encoder_layers=s.encoder_layers, decoder_layers=s.decoder_layers,
        encoder_attention_heads=s.heads, decoder_attention_heads=s.heads,
        encoder_ffn_dim=s.ffn_dim, decoder_ffn_dim=s.ffn_dim, dropout=s.dropout,
        attention_dropout=0.0, activation_dropout=0.0, activation_function="swish",
        max_position_embeddings=max(256, 2 * s.max_len), pad_token_id=pad, eos_token_id=0,
        decoder_start_token_id=pad, forced_eos_token_id=0, scale_embedding=True,
        share_encoder_decoder_embeddings=True, tie_word_embeddings=True, init_std=0.02,
    )
    torch.manual_seed(s.seed)
    model = transformers.MarianMTModel(cfg)
    # Scaled embeddings (x sqrt(d)) want a small init so positions are not drowned out.
    with torch.no_grad():
        emb = model.get_input_embeddings().weight
        emb.normal_(0.0, s.d_model ** -0.5)
        emb[pad].zero_()
    model.generation_config.max_length = 256
    model.generation_config.num_beams = 1
    model.generation_config.bad_words_ids = None
    return model


def _batches(src: list[list[int]], tgt: list[list[int]], batch_tokens: int, rng: random.Random) -> list[list[int]]:
    """Indices grouped by length so each batch holds about ``batch_tokens`` padded tokens."""
    order = sorted(range(len(src)), key=lambda i: (len(src[i]) + len(tgt[i]), rng.random()))
    batches: list[list[int]] = []
    cur: list[int] = []
    longest = 0
    for i in order:
        longest_new = max(longest, len(src[i]) + len(tgt[i]))
        if cur and longest_new * (len(cur) + 1) > batch_tokens:
            batches.append(cur)
            cur, longest_new = [], len(src[i]) + len(tgt[i])
        cur.append(i)
        longest = longest_new
    if cur:
        batches.append(cur)
    rng.shuffle(batches)
    return batches


def _collate(torch: Any, seqs: list[list[int]], pad: int) -> Any:
    n = max(len(s) for s in seqs)
    return torch.tensor([s + [pad] * (n - len(s)) for s in seqs], dtype=torch.long)




def convert(hf_dir: Path, ct2_dir: Path, quantize: str = "int8") -> Path:
    ct2: Any = require("ctranslate2", "ctranslate2>=4.3", "the bootstrap translator")
    conv = ct2.converters.TransformersConverter(str(hf_dir), copy_files=["source.spm", "target.spm"])
    conv.convert(str(ct2_dir), quantization=None if quantize in ("", "none") else quantize, force=True)
    return ct2_dir
