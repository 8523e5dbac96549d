"""Benchmark the IBM-1 back-translator on MENYO-20k: train on train.tsv, score dev.tsv both ways.

    .venv/bin/python eval/bench_ibm1.py [--data ../shared/data/yo/menyo20k] [--iterations 5]

Prints training time, chrF++ and BLEU (sacrebleu) per direction, a copy-the-source baseline, and
translation throughput. Data is read in place (never copied into the repository); the model is trained
fresh (the cache is not used).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

from sacrebleu.metrics import BLEU, CHRF

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lrl.filters.normalize import Normalize  # noqa: E402
from lrl.models.ibm1 import IBM1Model  # noqa: E402


def read_pairs(path: Path, norm: Normalize) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quotechar='"'))
    pairs = [(norm.text(r[0]), norm.text(r[1])) for r in rows[1:] if len(r) >= 2]
    return [p for p in pairs if p[0] and p[1]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path,
                    default=Path(__file__).resolve().parents[1] / "../shared/data/yo/menyo20k")
    ap.add_argument("--lang", default="yo")
    ap.add_argument("--iterations", type=int, default=5)
    args = ap.parse_args()
    norm = Normalize([["\u0329", "\u0323"]])
    train = read_pairs(args.data / "train.tsv", norm)
    dev = read_pairs(args.data / "dev.tsv", norm)
    t0 = time.perf_counter()
    model = IBM1Model.train(args.lang, train, args.iterations)
    train_s = time.perf_counter() - t0
    chrf, bleu = CHRF(word_order=2), BLEU()
    en = [p[0] for p in dev]
    xx = [p[1] for p in dev]
    print(f"IBM-1, {len(train)} train pairs, {args.iterations} EM iterations, trained in {train_s:.2f} s; "
          f"dev {len(dev)} pairs ({args.data / 'dev.tsv'})\n")
    print("| direction | system | chrF++ | BLEU | sentences/s |")
    print("|---|---|---:|---:|---:|")
    for name, src, ref, (a, b) in ((f"{args.lang}→en", xx, en, (args.lang, "en")),
                                   (f"en→{args.lang}", en, xx, ("en", args.lang))):
        d = model.direction(a, b)
        t0 = time.perf_counter()
        hyp = d.translate(src)
        rate = len(src) / (time.perf_counter() - t0)
        print(f"| {name} | IBM-1 | {chrf.corpus_score(hyp, [ref]).score:.2f} | "
              f"{bleu.corpus_score(hyp, [ref]).score:.2f} | {rate:,.0f} |")
        print(f"| {name} | copy source | {chrf.corpus_score(src, [ref]).score:.2f} | "
              f"{bleu.corpus_score(src, [ref]).score:.2f} | |")
    print(f"\n{chrf.get_signature()}\n{bleu.get_signature()}")


if __name__ == "__main__":
    main()
