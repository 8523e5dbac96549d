"""Training one direction under a wall-clock budget: batches, schedule, dev evaluation, conversion."""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from lrl.errors import ConfigError, InputError, require
from lrl.models.bootstrap.data import pairs_hash
from lrl.models.bootstrap.network import _batches, _collate, build_model, convert
from lrl.models.bootstrap.settings import VERSION, BootstrapResult, BootstrapSettings, Pair
from lrl.models.bootstrap.translator import decoder, dev_scores
from lrl.models.bootstrap.vocab import train_spm, write_tokenizer_files


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def cache_key(train: list[Pair], dev: list[Pair], s: BootstrapSettings) -> str:
    blob = json.dumps({"v": VERSION, "train": pairs_hash(train), "dev": pairs_hash(dev),
                       "settings": s.key_fields()}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def train(train_pairs: list[Pair], dev_pairs: list[Pair], s: BootstrapSettings, out_dir: Path,
          lang: str = "", data_info: dict[str, Any] | None = None,
          log: Callable[[str], None] | None = None, device: str = "cpu") -> BootstrapResult:
    """Train, convert and evaluate one direction into ``out_dir`` (replaced if it exists). ``device``
    ("cpu" or "cuda", resolved) is where torch trains and CTranslate2 decodes the dev set; it is not part
    of the settings (nor the cache key): the same settings describe the same model on either."""
    torch: Any = require("torch", "torch", "the bootstrap translator")
    log = log or (lambda msg: None)
    src_lang, tgt_lang = s.pair()
    if "en" not in (src_lang, tgt_lang):
        raise ConfigError(f"bootstrap direction {s.direction!r}: one side must be en")
    if not train_pairs:
        raise InputError("bootstrap", None, "no training pairs", "give seed parallel data with --parallel")

    t_start = time.time()
    torch.set_flush_denormal(True)
    if s.threads:
        torch.set_num_threads(s.threads)
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".bootstrap-", dir=out_dir.parent))
    try:
        return _train(train_pairs, dev_pairs, s, out_dir, work, lang, data_info, log, t_start, device)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _train(train_pairs: list[Pair], dev_pairs: list[Pair], s: BootstrapSettings, out_dir: Path, work: Path,
           lang: str, data_info: dict[str, Any] | None, log: Callable[[str], None],
           t_start: float, device: str = "cpu") -> BootstrapResult:
    torch: Any = require("torch", "torch", "the bootstrap translator")
    src_lang, tgt_lang = s.pair()

    def side(p: Pair, lang_: str) -> str:
        return p.en if lang_ == "en" else p.lrl

    hf_dir, ct2_dir = work / "hf", work / "ct2"

    # vocabulary
    t0 = time.time()
    spm_model = train_spm([x for p in train_pairs for x in (p.en, p.lrl)], work / "spm", s.vocab_size,
                          s.spm_type, s.seed)
    vocab = write_tokenizer_files(spm_model, hf_dir)
    spm_s = time.time() - t0
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(spm_model))
    V = len(vocab)
    pad = V - 1

    src_ids, tgt_ids = [], []
    skipped = 0
    for p in train_pairs:
        a, b = sp.encode(side(p, src_lang)), sp.encode(side(p, tgt_lang))
        if len(a) >= s.max_len or len(b) >= s.max_len:
            skipped += 1
            continue
        src_ids.append([*a, 0])
        tgt_ids.append([*b, 0])
    epoch_tokens = sum(map(len, src_ids)) + sum(map(len, tgt_ids))

    model = build_model(s, V).to(device)
    n_params = sum(p.numel() for p in model.parameters())
    model.train()
    fused = True
    try:
        opt = torch.optim.AdamW(model.parameters(), lr=s.lr, betas=(0.9, 0.98), eps=1e-8,
                                weight_decay=s.weight_decay, fused=True)
    except (RuntimeError, TypeError):  # pragma: no cover - older torch
        fused = False
        opt = torch.optim.AdamW(model.parameters(), lr=s.lr, betas=(0.9, 0.98), eps=1e-8,
                                weight_decay=s.weight_decay, foreach=True)

    def lr_at(step: int) -> float:
        w = max(1, s.warmup)
        return s.lr * min((step + 1) / w, math.sqrt(w / (step + 1)))

    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100, label_smoothing=s.label_smoothing)
    emb = model.get_input_embeddings().weight
    rng = random.Random(s.seed)
    history: list[dict[str, Any]] = []
    budget = s.minutes * 60.0
    train_s = 0.0
    step = 0
    tokens = 0
    epoch = 0
    last_eval = 0.0
    loss_ema: float | None = None

    def evaluate(final: bool = False) -> dict[str, Any]:
        model.eval()
        model.save_pretrained(hf_dir)
        (hf_dir / "generation_config.json").unlink(missing_ok=True)
        convert(hf_dir, ct2_dir, s.quantize)
        t = time.time()
        tr = decoder(ct2_dir, s.threads, device, log)
        hyps = tr.translate([side(p, src_lang) for p in dev_pairs]) if dev_pairs else []
        scores = dev_scores(hyps, [side(p, tgt_lang) for p in dev_pairs]) if dev_pairs else {}
        row: dict[str, Any] = {
               "step": step, "train_s": round(train_s, 1), "epochs": round(epoch + done / max(1, nb), 2),
               "tokens": tokens, "tok_per_s": round(tokens / max(train_s, 1e-9)), "loss": round(loss_ema or 0, 3),
               "decode_s": round(time.time() - t, 1), **scores}
        if final:
            row["samples"] = [{"src": side(p, src_lang), "ref": side(p, tgt_lang), "hyp": h}
                              for p, h in list(zip(dev_pairs, hyps))[:5]]
        history.append(row)
        log(" ".join(f"{k}={v}" for k, v in row.items() if k != "samples"))
        model.train()
        return row

    autocast = (lambda: torch.autocast(device, dtype=torch.bfloat16)) if s.bf16 else None
    done, nb = 0, 1
    stop = False
    while not stop:
        batches = _batches(src_ids, tgt_ids, s.batch_tokens, rng)
        nb = len(batches)
        for done, b in enumerate(batches):
            t = time.time()
            x = _collate(torch, [src_ids[i] for i in b], pad).to(device, non_blocking=True)
            y = _collate(torch, [tgt_ids[i] for i in b], pad).to(device, non_blocking=True)
            dec_in = torch.cat([torch.full((len(b), 1), pad, dtype=torch.long, device=device), y[:, :-1]], dim=1)
            labels = y.masked_fill(y == pad, -100)
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            if autocast is not None:
                with autocast():
                    logits = model(input_ids=x, attention_mask=x.ne(pad), decoder_input_ids=dec_in).logits
            else:
                logits = model(input_ids=x, attention_mask=x.ne(pad), decoder_input_ids=dec_in).logits
            loss = loss_fn(logits.float().view(-1, V), labels.view(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if s.clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), s.clip)
            opt.step()
            with torch.no_grad():
                emb[pad].zero_()
            step += 1
            tokens += int(x.ne(pad).sum()) + int(y.ne(pad).sum())
            lv = float(loss.detach())
            loss_ema = lv if loss_ema is None else 0.98 * loss_ema + 0.02 * lv
            train_s += time.time() - t
            if train_s >= budget or (s.max_steps and step >= s.max_steps):
                done += 1
                stop = True
                break
            if s.eval_every and train_s - last_eval >= s.eval_every:
                last_eval = train_s
                evaluate()
        else:
            epoch += 1
            done = 0
    final = evaluate(final=True)

    # write out
    shutil.rmtree(work / "spm", ignore_errors=True)
    manifest = {
        "kind": "marian", "lrl_bootstrap_version": VERSION, "lang": lang,
        "src_lang": src_lang, "tgt_lang": tgt_lang, "direction": s.direction,
        "data": {**(data_info or {}), "train_pairs": len(train_pairs), "train_pairs_used": len(src_ids),
                 "skipped_too_long": skipped, "dev_pairs": len(dev_pairs),
                 "train_hash": pairs_hash(train_pairs), "dev_hash": pairs_hash(dev_pairs),
                 "epoch_tokens": epoch_tokens},
        "settings": asdict(s),
        "training": {"steps": step, "epochs": final["epochs"], "tokens": tokens, "train_s": round(train_s, 1),
                     "tok_per_s": final["tok_per_s"], "spm_s": round(spm_s, 1),
                     "wall_s": round(time.time() - t_start, 1), "final_loss": final["loss"],
                     "fused_adamw": fused, "torch_threads": torch.get_num_threads(), "device": device},
        "model": {"params": n_params, "vocab_size": V,
                  "hf_bytes": _dir_size(hf_dir), "ct2_bytes": _dir_size(ct2_dir),
                  "ct2_quantization": s.quantize},
        # flat summary (lrl.evaluation.downstream reads these)
        "steps": step, "train_seconds": round(train_s, 1), "params": n_params,
        "dev": {k: final[k] for k in ("chrf", "chrf++", "bleu") if k in final},
        "dev_decode": "ctranslate2 greedy",
        "dev_samples": final.get("samples", []),
        "history": [{k: v for k, v in h.items() if k != "samples"} for h in history],
        "files": {"hf": "hf", "ct2": "ct2"},
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=1)
    (work / "lrl-model.json").write_text(text, encoding="utf-8")
    (ct2_dir / "lrl-model.json").write_text(text, encoding="utf-8")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    os.replace(work, out_dir)
    return BootstrapResult(out_dir, manifest, False, history)
