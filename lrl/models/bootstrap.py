"""Bootstrap translator: a small Marian encoder-decoder trained from scratch on CPU, converted to
CTranslate2, for languages no pretrained model covers.

* Data: the seed parallel files (any format :func:`lrl.io.readers.read` knows), normalized with the
  plugin's orthography rules, plus optional template renderings. A held-out slice of the real seed
  pairs (or a given dev file) measures the model.
* Vocabulary: one joint sentencepiece model over both sides (``source.spm`` = ``target.spm``); ids are
  the sentencepiece ids (``</s>`` = 0, ``<unk>`` = 1) and ``<pad>`` is appended LAST, as CTranslate2's
  Marian converter expects (it drops the trailing ``<pad>`` and starts the decoder from a zero
  embedding, so the ``<pad>`` row is kept at zero throughout training).
* Training: random init, tied embeddings, token-bucketed batches sorted by length, AdamW (fused), linear
  warmup then inverse-square-root decay, label smoothing, denormals flushed, optional bf16 autocast (it
  pays off from d_model 256 up), under a wall-clock budget. Evaluation time does not count against it.
* Expect little: on 10k MENYO-20k pairs and 2 shared CPU cores, 20-40 minutes give dev chrF ~10-15 and
  BLEU < 1 (still a language model of the target side); the IBM-1 translator (lrl/models/ibm1.py) is the
  better cheap default. The manifest's dev scores say which one a user has.
* Output folder (cached under ``$LRL_CACHE/models/bootstrap-<hash>/``, keyed by data and settings)::

      lrl-model.json    pair, direction, data hashes, steps, wall time, sizes, dev chrF/chrF++/BLEU
      hf/               the transformers checkpoint + MarianTokenizer files
      ct2/              the CTranslate2 model + source.spm/target.spm (+ a copy of lrl-model.json)

The measurements behind the defaults are in ``eval/results/bootstrap_yo.md``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lrl.errors import ConfigError, InputError, require
from lrl.models import cache_root

VERSION = 1
PAD = "<pad>"


@dataclass
class BootstrapSettings:
    """Everything that changes the trained model (hashed into the cache key, except ``eval_every``)."""

    direction: str = "yo-en"  # "<src>-<tgt>" with the language codes of the pair (en is the pivot)
    minutes: float = 20.0  # training wall-clock budget (evaluation excluded)
    max_steps: int = 0  # stop earlier after this many optimizer steps (0 = budget only)
    # vocabulary
    vocab_size: int = 4000
    spm_type: str = "unigram"
    # model (defaults from eval/results/bootstrap_yo.md: at a 20-minute budget d128/2+2 matches d256/3+3
    # on dev chrF at 2-3x the tokens/s, and converts to a 4x smaller, faster CTranslate2 model)
    d_model: int = 128
    encoder_layers: int = 2
    decoder_layers: int = 2
    heads: int = 4
    ffn_dim: int = 512
    dropout: float = 0.1
    # optimization
    lr: float = 3e-3  # lower (1e-3) trained slower per step
    warmup: int = 200
    batch_tokens: int = 2000  # padded source+target tokens per batch: small batches, more updates
    label_smoothing: float = 0.1
    weight_decay: float = 0.0
    clip: float = 1.0
    # bf16 autocast: measured 1.2-1.4x faster at d256 but 0.7-0.8x at d128 (small matmuls) on this CPU
    bf16: bool = False
    max_len: int = 128  # tokens per side; longer pairs are left out of training
    # data
    dev_size: int = 500  # held-out seed pairs when no dev file is given; also the cap on dev rows
    templates: int = 0  # template renderings added to training (needs a plugin)
    seed: int = 13
    # output
    quantize: str = "int8"  # CTranslate2 quantization on conversion: int8 | none
    threads: int = 0  # torch threads (0 = all cores)
    eval_every: float = 0.0  # seconds of training between dev evaluations (0 = only at the end)

    def key_fields(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("eval_every")
        d.pop("threads")
        return d

    def pair(self) -> tuple[str, str]:
        parts = self.direction.split("-")
        if len(parts) != 2 or not all(parts):
            raise ConfigError(f"bootstrap direction must look like yo-en or en-yo, got {self.direction!r}")
        return parts[0], parts[1]


@dataclass
class Pair:
    en: str
    lrl: str


@dataclass
class BootstrapResult:
    path: Path
    manifest: dict[str, Any]
    cached: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ct2_dir(self) -> Path:
        return self.path / "ct2"


# -- data -------------------------------------------------------------------------------------------

def load_pairs(specs: Sequence[str], normalize: Callable[[str], str] | None = None,
               lang_names: tuple[str, ...] = (), max_rows: int = 0) -> list[Pair]:
    """Parallel pairs (English, language) from files lrl's readers understand, normalized."""
    from lrl.io.readers import ReadOptions, read_pairs

    opts = ReadOptions(tsv_quoting="csv", lang_names=lang_names, max_rows=max_rows)
    return [Pair(en, xx) for en, xx in read_pairs(specs, opts, normalize)]


def pairs_hash(pairs: Iterable[Pair]) -> str:
    h = hashlib.sha256()
    for p in pairs:
        h.update(p.en.encode())
        h.update(b"\t")
        h.update(p.lrl.encode())
        h.update(b"\n")
    return h.hexdigest()[:16]


def split_dev(pairs: list[Pair], size: int, seed: int) -> tuple[list[Pair], list[Pair]]:
    """A deterministic held-out slice; pairs whose English side appears in dev leave train too."""
    idx = list(range(len(pairs)))
    random.Random(seed).shuffle(idx)
    n = min(size, len(pairs) // 10 if len(pairs) < 10 * size else size)
    dev = [pairs[i] for i in sorted(idx[:n])]
    dev_keys = {p.en for p in dev} | {p.lrl for p in dev}
    train = [pairs[i] for i in sorted(idx[n:]) if pairs[i].en not in dev_keys and pairs[i].lrl not in dev_keys]
    return train, dev


# -- vocabulary -------------------------------------------------------------------------------------

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


# -- model ------------------------------------------------------------------------------------------

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


# -- evaluation -------------------------------------------------------------------------------------

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


def dev_scores(hyps: list[str], refs: list[str]) -> dict[str, float]:
    import sacrebleu

    return {
        "chrf": round(sacrebleu.corpus_chrf(hyps, [refs]).score, 2),
        "chrf++": round(sacrebleu.corpus_chrf(hyps, [refs], word_order=2).score, 2),
        "bleu": round(sacrebleu.corpus_bleu(hyps, [refs]).score, 2),
    }


def convert(hf_dir: Path, ct2_dir: Path, quantize: str = "int8") -> Path:
    ct2: Any = require("ctranslate2", "ctranslate2>=4.3", "the bootstrap translator")
    conv = ct2.converters.TransformersConverter(str(hf_dir), copy_files=["source.spm", "target.spm"])
    conv.convert(str(ct2_dir), quantization=None if quantize in ("", "none") else quantize, force=True)
    return ct2_dir


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- training ---------------------------------------------------------------------------------------

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


def bootstrap(plugin: Any, parallel: Sequence[str], settings: BootstrapSettings | None = None,
              dev: str | None = None, out: Path | None = None, use_cache: bool = True,
              log: Callable[[str], None] | None = None) -> BootstrapResult:
    """Train (or load from the cache) the bootstrap model for ``plugin``'s language in one direction."""
    s = settings or BootstrapSettings()
    src_lang, tgt_lang = s.pair()
    code = plugin.code if plugin is not None else ""
    if code and code not in (src_lang, tgt_lang):
        raise ConfigError(f"bootstrap direction {s.direction!r} does not involve the plugin's language "
                          f"{code!r}: use {code}-en or en-{code}")
    norm = None
    names: tuple[str, ...] = ()
    if plugin is not None:
        from lrl.filters.normalize import Normalize

        norm = Normalize.for_plugin(plugin).text
        names = (plugin.code, plugin.iso639_3, plugin.name)
    specs = list(parallel)
    if not specs and plugin is not None:
        specs = [str(plugin.file("examples"))]
    pairs = load_pairs(specs, norm, names)
    if dev:
        dev_pairs = load_pairs([dev], norm, names)[: s.dev_size or None]
        dev_keys = {p.en for p in dev_pairs} | {p.lrl for p in dev_pairs}
        train_pairs = [p for p in pairs if p.en not in dev_keys and p.lrl not in dev_keys]
    else:
        train_pairs, dev_pairs = split_dev(pairs, s.dev_size, s.seed)
    seed_pairs = len(train_pairs)
    if s.templates and plugin is not None:
        from lrl.generate.templates import TemplateGenerator

        gen = TemplateGenerator(plugin.file("lexicon"), plugin.file("templates"), plugin.code,
                                s.templates, s.seed, plugin.fingerprint())
        for rec in gen:
            en, lrl = (norm(rec.src), norm(rec.tgt)) if norm else (rec.src, rec.tgt)
            train_pairs.append(Pair(en, lrl))
    key = cache_key(train_pairs, dev_pairs, s)
    cached = cache_root() / "models" / f"bootstrap-{s.direction}-{key}"
    info = {"inputs": specs, "dev_file": dev or "", "seed_pairs": seed_pairs,
            "template_pairs": len(train_pairs) - seed_pairs, "cache_key": key}
    if use_cache and (cached / "lrl-model.json").is_file() and (cached / "ct2" / "model.bin").is_file():
        manifest = json.loads((cached / "lrl-model.json").read_text(encoding="utf-8"))
        res = BootstrapResult(cached, manifest, cached=True)
    else:
        res = train(train_pairs, dev_pairs, s, cached, lang=code, data_info=info, log=log)
    if out is not None and Path(out).resolve() != res.path.resolve():
        dest = Path(out)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(res.path, dest)
        res = BootstrapResult(dest, res.manifest, res.cached, res.history)
    return res
