"""Where one whole lrl run's time and memory go (issue 11): the bench's equivalent-filters run (or any
settings) in this process, split into phases — importing lrl, building the sources, preparing the steps,
each shard, completion (dedup and parquet), the card — with CPU seconds, wall seconds and the largest
resident set seen during each phase (a thread samples /proc every 5 ms), then the manifest's per-stage
seconds. ``--cprofile N`` adds the N functions with the most own time.

    PYTHONPATH=. .venv/bin/python eval/bench/profile_run.py --pairs 20000 [--all-filters] [--cprofile 30]

Numbers on a shared machine move with its load; CPU seconds move least.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Phases:
    """Phase → [cpu s, wall s, peak RSS MiB]; a sampler thread keeps the current phase's peak."""

    def __init__(self) -> None:
        self.rows: dict[str, list[float]] = {}
        self.current = "other (settings, run folder, bench)"
        self.rows[self.current] = [0.0, 0.0, _rss_mib()]
        self._stop = False
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self._stop:
            row = self.rows[self.current]
            row[2] = max(row[2], _rss_mib())
            time.sleep(0.005)

    def run(self, name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        outer = self.current
        row = self.rows.setdefault(name, [0.0, 0.0, 0.0])
        self.current = name
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            row[0] += time.process_time() - cpu
            row[1] += time.perf_counter() - wall
            row[2] = max(row[2], _rss_mib())
            self.current = outer

    def wrap(self, module: Any, attr: str, name: str) -> None:
        fn = getattr(module, attr)
        setattr(module, attr, lambda *a, **k: self.run(name, fn, *a, **k))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=20_000)
    ap.add_argument("--all-filters", action="store_true", help="lrl's defaults instead of the equivalent filters")
    ap.add_argument("--set", nargs="*", default=[], help="more settings (key=value)")
    ap.add_argument("--cprofile", type=int, default=0, help="print this many functions by own time")
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    import bench_speed as bench  # its settings lists and sibling loader: the bench's corpus, the bench's run

    corpus = bench._load("corpus")
    with tempfile.TemporaryDirectory() as tmp:
        rows = [(k, " ".join(en.split()), " ".join(yo.split())) for k, en, yo in corpus.build(args.pairs)]
        pairs = corpus.write_tsv(rows, Path(tmp) / "pairs.tsv")
        started_cpu, started = time.process_time(), time.perf_counter()
        ph = Phases()
        prof = None
        if args.cprofile:
            import cProfile

            prof = cProfile.Profile()
            prof.enable()
        ph.run("import lrl", __import__, "lrl.pipeline")
        import lrl.finalize as finalize
        import lrl.io.card as card
        import lrl.pipeline as pipeline
        import lrl.shards as shards

        ph.wrap(pipeline, "build_sources", "build sources (open inputs)")
        ph.wrap(pipeline, "build_steps", "prepare (build steps, load models)")
        ph.wrap(shards, "run_shard", "shards (read, stages, shard files)")
        ph.wrap(pipeline, "finalize", "completion (dedup, parquet, rejects)")
        ph.wrap(finalize, "render_card", "card (README.md)")
        ph.wrap(pipeline, "write_report", "report.html")
        sets = ([] if args.all_filters else [*bench.LIKE_FOR_LIKE, *bench.EQUIVALENT]) + bench.ONE_PROCESS + args.set
        manifest = ph.run("other (settings, run folder, bench)", bench.lrl_run, str(pairs), str(Path(tmp) / "out"),
                          sets, args.all_filters)
        if prof is not None:
            prof.disable()
        total_cpu, total = time.process_time() - started_cpu, time.perf_counter() - started
        ph._stop = True
        del card
    print(f"{args.pairs:,} pairs, {'all filters' if args.all_filters else 'equivalent filters'}, one process; "
          f"kept {manifest['totals']['kept']:,}; total {total_cpu:.2f} CPU s, {total:.2f} s wall, "
          f"load {os.getloadavg()[0]:.2f}")
    other = ph.rows["other (settings, run folder, bench)"]
    other[0] = total_cpu - sum(r[0] for r in ph.rows.values() if r is not other)
    other[1] = total - sum(r[1] for r in ph.rows.values() if r is not other)
    print("\n| phase | CPU s | wall s | peak RSS MiB |\n|---|---:|---:|---:|")
    for name, (cpu, wall, rss) in ph.rows.items():
        print(f"| {name} | {cpu:.2f} | {wall:.2f} | {rss:.0f} |")
    stages = manifest["stages"]
    print("\nStages (manifest; shards and completion):\n\n| stage | CPU s | wall s |\n|---|---:|---:|")
    for name, st in sorted(stages.items(), key=lambda kv: -kv[1]["cpu_seconds"]):
        print(f"| {name} | {st['cpu_seconds']:.2f} | {st['seconds']:.2f} |")
    print(f"\nmanifest: prepare {manifest['prepare_seconds']:.2f} s, write (parquet) "
          f"{manifest['write_seconds']:.2f} s, completion {manifest['finalize_seconds']:.2f} s, "
          f"report {manifest.get('report_seconds', 0):.2f} s")
    print(json.dumps({"cpu": round(total_cpu, 3), "wall": round(total, 3)}))
    if prof is not None:
        import pstats

        pstats.Stats(prof).sort_stats("tottime").print_stats(args.cprofile)


if __name__ == "__main__":
    main()
