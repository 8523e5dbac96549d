"""CTranslate2 thread layout for back-translation on this machine, as ratios against one thread.

Builds a randomly initialized Marian model of OPUS-MT's shape (d 512, 6+6 layers, 8 heads, FFN 2048) with
a sentencepiece vocabulary trained on the plugins' own text, converts it to CTranslate2 int8, and times
`CT2Translator.translate` (lrl's real path: length-sorted translate_iterable) on the same sentences under
each (inter_threads, intra_threads) layout, best of --repeat. Weights are random, so every hypothesis runs
to max_decoding_length: the timing is decoder-bound, like long real outputs.

    .venv/bin/python eval/bench/bench_ct2_threads.py [--sentences 256] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAYOUTS = [(1, 1), (1, 2), (2, 1), (1, 0)]  # (inter, intra); intra 0 = CTranslate2's default


def build(work: Path) -> Path:
    from lrl.models.bootstrap import BootstrapSettings, build_model, convert, train_spm, write_tokenizer_files

    lines = [line for code in ("yo", "ha") for name in ("mono.txt", "examples.tsv")
             for line in (REPO / "languages" / code / name).read_text(encoding="utf-8").splitlines()]
    spm = train_spm(lines, work / "spm", 1000, "unigram", 0)
    hf = work / "hf"
    vocab = write_tokenizer_files(spm, hf)
    s = BootstrapSettings(d_model=512, encoder_layers=6, decoder_layers=6, heads=8, ffn_dim=2048)
    build_model(s, len(vocab)).save_pretrained(hf)
    return convert(hf, work / "ct2", "int8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=256)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--max-len", type=int, default=48, help="max_decoding_length")
    args = ap.parse_args()
    from lrl.models.translator import CT2Translator, DecodeSettings

    mono = (REPO / "languages" / "yo" / "mono.txt").read_text(encoding="utf-8").splitlines()
    texts = (mono * (args.sentences // len(mono) + 1))[: args.sentences]
    with tempfile.TemporaryDirectory() as tmp:
        ct2 = build(Path(tmp))
        results = {}
        for inter, intra in LAYOUTS:
            s = DecodeSettings(inter_threads=inter, intra_threads=intra, max_batch_size=32,
                               max_decoding_length=args.max_len)
            tr = CT2Translator(ct2, "marian", settings=s)
            tr.translate(texts[:8])  # warm-up
            best = min(_timed(tr, texts) for _ in range(args.repeat))
            results[(inter, intra)] = best
        base = results[(1, 1)]
        print(f"{len(texts)} sentences, OPUS-MT-shaped random Marian (int8), {os.cpu_count()} CPUs, "
              f"best of {args.repeat}\n")
        print("| inter_threads | intra_threads | sentences/s | speed vs 1×1 |")
        print("|---:|---:|---:|---:|")
        for (inter, intra), secs in results.items():
            print(f"| {inter} | {intra or 'default'} | {len(texts) / secs:,.1f} | {base / secs:.2f}× |")


def _timed(tr: object, texts: list[str]) -> float:
    t0 = time.perf_counter()
    tr.translate(texts)  # type: ignore[attr-defined]
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
