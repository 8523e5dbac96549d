"""Per-text time of py3langid's scoring, three ways, on MENYO-20k lines (issue 11).

* py3langid's own ``LanguageIdentifier._decide``, one text at a time;
* ``lrl.filters.lid_batch.BatchScorer(use_native=False)``: the numpy walk of a whole batch;
* ``BatchScorer`` with the C extension (lrl/filters/_lidwalk.c) — its product through numpy's own
  ``cblas_sgemv`` (bit-identical), and with the C code's own float32 sum (what runs where numpy's BLAS
  cannot be found).

Rounds are interleaved (each round runs every variant, in a rotated order) and the median and range over
rounds are printed, wall-clock and process CPU time, since the machine's cores are shared. It also checks
that every variant gives py3langid's labels. Needs the extension built (``make setup``, or
``python setup.py build_ext --inplace``) for the C rows.

    PYTHONPATH=. python eval/bench/bench_lid_kernel.py [--data ../shared/data/yo/menyo20k/dev.tsv]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data/yo/menyo20k/dev.tsv"),
                    help="MENYO-20k TSV (English, Yoruba; header row); both columns are scored")
    ap.add_argument("--n", type=int, default=5000, help="texts")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--batch", type=int, default=256, help="texts per batch (the chain's LangID batch)")
    args = ap.parse_args()

    import numpy as np

    from lrl.filters.lid_backends import load_identifier
    from lrl.filters.lid_batch import BatchScorer

    rows = [line.split("\t") for line in args.data.read_text(encoding="utf-8").splitlines()[1:]]
    texts = [t for r in rows for t in r[:2]][:args.n]
    ident = load_identifier()
    b = args.batch

    def batched(scorer: BatchScorer) -> Callable[[], list[Any]]:
        return lambda: [p for i in range(0, len(texts), b) for p in scorer.decide(texts[i:i + b])]

    variants: dict[str, Callable[[], list[Any]]] = {
        "py3langid `_decide`, per text": lambda: [ident._decide(t) for t in texts],
        "numpy batch walk (`use_native=False`)": batched(BatchScorer(ident, use_native=False)),
    }
    native = BatchScorer(ident)
    if native.is_native:
        own = BatchScorer(ident)
        own._sgemv = None  # the C code's own sum, as where numpy's BLAS is not found
        variants["C kernel, numpy's sgemv (bit-identical)"] = batched(native)
        variants["C kernel, own float32 sum"] = batched(own)
    else:
        print("the C extension is not built: only py3langid and the numpy walk are timed")

    want = [int(p.argmax()) for p in variants["py3langid `_decide`, per text"]()]
    for name, fn in variants.items():
        got = fn()
        assert [int(p.argmax()) for p in got] == want, name
    wall: dict[str, list[float]] = {k: [] for k in variants}
    cpu: dict[str, list[float]] = {k: [] for k in variants}
    names = list(variants)
    for r in range(args.rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            w0, c0 = time.perf_counter(), time.process_time()
            variants[name]()
            wall[name].append((time.perf_counter() - w0) / len(texts) * 1e6)
            cpu[name].append((time.process_time() - c0) / len(texts) * 1e6)

    def cell(xs: list[float]) -> str:
        return f"{statistics.median(xs):.1f} ({min(xs):.1f}–{max(xs):.1f})"

    base = statistics.median(wall[names[0]])
    print(f"{len(texts):,} texts from {args.data} (both columns), batches of {b}, {args.rounds} rounds interleaved, "
          f"load {os.getloadavg()[0]:.2f}; labels identical to py3langid's for every variant; numpy {np.__version__}")
    print("| variant | µs/text wall | µs/text CPU | speed vs `_decide` (wall medians) |")
    print("|---|---:|---:|---:|")
    for name in names:
        print(f"| {name} | {cell(wall[name])} | {cell(cpu[name])} | {base / statistics.median(wall[name]):.1f}× |")


if __name__ == "__main__":
    main()
