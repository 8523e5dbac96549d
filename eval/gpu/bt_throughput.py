"""Back-translation throughput on one device (issue #12's GPU check): sentences/s through lrl and through
raw CTranslate2, with an NLLB-600M-shaped model of random weights.

The model is built here from a configuration (no download): transformers' M2M100 architecture with
NLLB-200-distilled-600M's shape (d_model 1024, 12+12 layers, 16 heads, FFN 4096, 256,206 entries in the
vocabulary), a sentencepiece vocabulary trained on the Yoruba lines themselves (the rest of the 256k rows
are made-up words, as in the real vocabulary's tail), saved, then converted by lrl's own
``lrl.models.resolve.convert`` at the compute type lrl picks for the device (int8 on CPU, int8_float16 on a
GPU). Then, on the same lines:

* **lrl**: ``CT2Translator.translate`` with the DecodeSettings a run builds from its config
  (``bt.device``, ``bt.compute_type``, ``bt.max_batch_tokens``), fed in the row chunks back-translation
  uses on that device — tokenization and detokenization included;
* **raw CTranslate2**: ``Translator.translate_iterable`` on pre-tokenized input with the same batch
  settings — the ceiling for lrl's path.

Weights are random, so a hypothesis rarely ends before ``--max-len`` tokens: the timing is that of
outputs of that length (reported as output tokens/s too, the number that carries over to real models).

    python eval/gpu/bt_throughput.py --data gpu-carry/data/mono.txt --device cuda --out out/gpu/bt.json
    python eval/gpu/bt_throughput.py --tiny --device cpu --data ... --out ...   # seconds, for the tests
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

#: facebook/nllb-200-distilled-600M's config.json, the fields that set its cost.
NLLB_600M = {"vocab_size": 256206, "d_model": 1024, "encoder_layers": 12, "decoder_layers": 12,
             "encoder_attention_heads": 16, "decoder_attention_heads": 16, "encoder_ffn_dim": 4096,
             "decoder_ffn_dim": 4096, "max_position_embeddings": 1024}
TINY = {"vocab_size": 400, "d_model": 16, "encoder_layers": 1, "decoder_layers": 1,
        "encoder_attention_heads": 2, "decoder_attention_heads": 2, "encoder_ffn_dim": 32,
        "decoder_ffn_dim": 32, "max_position_embeddings": 256}


def read_lines(path: Path, n: int) -> list[str]:
    """``n`` lines of ``path`` (cycled when it has fewer), blank lines skipped."""
    lines = [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    if not lines:
        raise SystemExit(f"{path}: no text lines — run eval/gpu/prepare.py first")
    return (lines * (n // len(lines) + 1))[:n]


def build_model(out: Path, lines: list[str], shape: dict[str, int], spm_vocab: int, device: str) -> Path:
    """An NLLB-shaped transformers checkpoint with random weights and an NllbTokenizer (no download)."""
    import sentencepiece as spm
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration, NllbTokenizer
    from transformers.tokenization_utils_base import generate_merges

    out.mkdir(parents=True, exist_ok=True)
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines[:20000]), model_prefix=str(out / "sp"), vocab_size=spm_vocab,
        model_type="bpe", character_coverage=1.0, hard_vocab_limit=False, unk_id=0, bos_id=1, eos_id=2,
        pad_id=-1, minloglevel=2, num_threads=os.cpu_count() or 1)
    sp = spm.SentencePieceProcessor(model_file=str(out / "sp.model"))
    # fairseq's dictionary (as NLLB's): <s> <pad> </s> <unk>, then the pieces shifted by one.
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for i in range(3, sp.get_piece_size()):
        vocab[sp.id_to_piece(i)] = i + 1
    tok = NllbTokenizer(vocab=vocab, merges=generate_merges(vocab), src_lang="yor_Latn")
    tok.save_pretrained(str(out))
    (out / "sp.model").rename(out / "sentencepiece.bpe.model")
    (out / "sp.vocab").unlink()
    cfg = M2M100Config(**{**shape, "vocab_size": max(shape["vocab_size"], len(tok))}, pad_token_id=1,
                       bos_token_id=0, eos_token_id=2, decoder_start_token_id=2, scale_embedding=True,
                       activation_function="relu")
    cfg.tokenizer_class = "NllbTokenizer"
    torch.manual_seed(0)
    # Initialise on the GPU when there is one (600M parameters initialise in seconds there, a minute on
    # CPU), in float16: the conversion quantizes anyway and the checkpoint is half the size.
    with torch.device("cuda" if device == "cuda" else "cpu"):
        model = M2M100ForConditionalGeneration(cfg)
    if device == "cuda":
        model = model.half()
    model.save_pretrained(str(out))
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="Yoruba lines (prepare.py: gpu-carry/data/mono.txt)")
    ap.add_argument("--lines", type=int, default=50000)
    ap.add_argument("--device", default="auto", help="auto | cpu | cuda (bt.device)")
    ap.add_argument("--compute-type", default="auto", help="bt.compute_type")
    ap.add_argument("--max-batch-tokens", type=int, default=8192, help="bt.max_batch_tokens (GPU)")
    ap.add_argument("--max-len", type=int, default=64, help="max_decoding_length")
    ap.add_argument("--tiny", action="store_true", help="a 16-wide model and 64 lines: the CPU test")
    ap.add_argument("--hardware", default="", help="how to name the machine in the results")
    ap.add_argument("--seconds", type=float, default=0.0,
                    help="wall-clock budget (0 = none): fewer lines are translated when building the model "
                         "leaves too little for all of them; the lines done are reported")
    ap.add_argument("--work", type=Path, default=None, help="where to build the model (default: a temp dir)")
    ap.add_argument("--out", type=Path, required=True, help="results JSON")
    args = ap.parse_args(argv)

    from lrl import config
    from lrl.errors import LrlError
    from lrl.models.prepare import decode_settings, placement
    from lrl.models.resolve import convert
    from lrl.models.translator import CT2Translator

    n = 64 if args.tiny else args.lines
    texts = read_lines(args.data, n)
    cfg = config.resolve({}, "bt_throughput", None, {
        "bt.device": args.device, "bt.compute_type": args.compute_type,
        "bt.max_batch_tokens": args.max_batch_tokens})
    where = placement(cfg)  # the same resolution a run does: auto → cuda when CTranslate2 sees a GPU
    decode = decode_settings(cfg, where)
    decode.max_decoding_length = args.max_len
    rows = cfg["bt"]["feed_rows"]
    shape = TINY if args.tiny else NLLB_600M
    result: dict[str, Any] = {
        "what": "back-translation throughput, NLLB-600M-shaped random-weight model" if not args.tiny
        else "back-translation throughput, tiny model (test)",
        "hardware": args.hardware or platform.processor() or platform.machine(),
        "device": where.device, "compute_type": where.compute_type, "gpus": where.gpus,
        "lines": len(texts), "max_decoding_length": args.max_len, "shape": shape,
        "batch": decode.batch_kwargs(), "rows_per_call": rows,
    }
    started = time.perf_counter()
    tmp = tempfile.TemporaryDirectory(prefix="lrl-bt-throughput-")
    work = args.work or Path(tmp.name)
    try:
        t0 = time.perf_counter()
        hf = build_model(work / "hf", texts, shape, 300 if args.tiny else 16000, where.device)
        quant = where.compute_type if where.compute_type.startswith("int8") else None
        ct2_dir, _ = convert(hf, quant, cache=work / "ct2")
        result["build_s"] = round(time.perf_counter() - t0, 1)

        ident = {"id": "nllb-600m-shaped-random", "revision": "", "kind": "nllb"}
        try:
            tr = CT2Translator(ct2_dir, "nllb", "yor_Latn", "eng_Latn", decode, ident)
        except LrlError as exc:  # e.g. CTranslate2 without the CUDA libraries it needs: the finding to record
            result["error"] = str(exc)
            _write(args.out, result)
            raise SystemExit(f"bt_throughput: {exc}") from None
        tr.translate(texts[:32])  # warm-up: CUDA context, kernels, allocator
        # lrl gets at most half of what is left (raw CTranslate2, faster, the same lines after it).
        limit = (args.seconds - (time.perf_counter() - started) - 10) / 2 if args.seconds else float("inf")
        t0 = time.perf_counter()
        hyps: list[str] = []
        for i in range(0, len(texts), rows):  # as BackTranslate hands rows to the translator
            hyps += tr.translate(texts[i:i + rows])
            if time.perf_counter() - t0 > limit:
                break
        lrl_s = time.perf_counter() - t0
        if len(hyps) < len(texts):
            result["stopped_early"] = f"{len(hyps)} of {len(texts)} lines within --seconds {args.seconds:g}"
            texts = texts[: len(hyps)]
            result["lines"] = len(texts)

        # Raw CTranslate2: the same model object and batch settings, input tokenized beforehand.
        tokens = [tr._encode(t, "yor_Latn") for t in texts]
        prefix = [["eng_Latn"]] * len(tokens)
        kwargs = {**decode.batch_kwargs(), "beam_size": 1, "max_decoding_length": args.max_len}
        t0 = time.perf_counter()
        out_tokens = 0
        for res in tr.model.translate_iterable(iter(tokens), iter(prefix), **kwargs):
            out_tokens += len(res.hypotheses[0])
        raw_s = time.perf_counter() - t0
        result.update({
            "lrl_seconds": round(lrl_s, 2), "lrl_sentences_per_s": round(len(texts) / lrl_s, 1),
            "raw_seconds": round(raw_s, 2), "raw_sentences_per_s": round(len(texts) / raw_s, 1),
            "raw_output_tokens_per_s": round(out_tokens / raw_s),
            "mean_output_tokens": round(out_tokens / len(texts), 1),
            "mean_source_tokens": round(sum(map(len, tokens)) / len(tokens), 1),
            "lrl_vs_raw": round(raw_s / lrl_s, 3),
        })
    finally:
        tmp.cleanup()
    _write(args.out, result)
    return result


def _write(path: Path, result: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    from lrl.errors import LrlError

    try:
        main()
    except LrlError as exc:  # a setup problem (no GPU for --device cuda, ...): its message, no traceback
        raise SystemExit(f"bt_throughput: {exc}") from None
