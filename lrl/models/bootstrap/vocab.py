"""The joint sentencepiece vocabulary and the tokenizer files MarianTokenizer and CTranslate2 expect."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lrl.errors import require
from lrl.models.bootstrap.settings import PAD


def train_spm(texts: Iterable[str], out_dir: Path, vocab_size: int, model_type: str, seed: int) -> Path:
    """A joint sentencepiece model; returns its path. ``</s>`` = 0, ``<unk>`` = 1, no ``<s>``/``<pad>``."""
    spm: Any = require("sentencepiece", "sentencepiece", "the bootstrap translator")
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus = out_dir / "spm-train.txt"
    uniq = sorted(set(t for t in texts if t))
    corpus.write_text("\n".join(uniq) + "\n", encoding="utf-8")
    prefix = out_dir / "spm"
    kw: dict[str, Any] = dict(
        input=str(corpus), model_prefix=str(prefix), vocab_size=vocab_size, model_type=model_type,
        character_coverage=1.0, eos_id=0, unk_id=1, bos_id=-1, pad_id=-1, num_threads=2,
        input_sentence_size=2_000_000, shuffle_input_sentence=True,
        minloglevel=2, hard_vocab_limit=False, normalization_rule_name="identity",
    )
    spm.SentencePieceTrainer.train(**kw)
    corpus.unlink()
    return prefix.with_suffix(".model")


def write_tokenizer_files(spm_model: Path, model_dir: Path) -> list[str]:
    """source.spm, target.spm, vocab.json (``<pad>`` last) and tokenizer_config.json for MarianTokenizer."""
    spm: Any = require("sentencepiece", "sentencepiece", "the bootstrap translator")
    model_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(spm_model, model_dir / "source.spm")
    shutil.copy(spm_model, model_dir / "target.spm")
    sp = spm.SentencePieceProcessor(model_file=str(spm_model))
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    vocab = {p: i for i, p in enumerate(pieces)}
    vocab[PAD] = len(pieces)
    (model_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (model_dir / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "MarianTokenizer", "eos_token": "</s>", "unk_token": "<unk>",
        "pad_token": PAD, "model_max_length": 512, "separate_vocabs": False,
    }, indent=1), encoding="utf-8")
    return [*pieces, PAD]
