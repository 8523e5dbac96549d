"""The local executor: 2 worker processes against 1, on the same input, A/B interleaved.

Each run is its own subprocess (`lrl augment`'s library call, default settings: every filter, IBM-1
back-translation, templates) over the Yoruba monolingual files in ../shared/data. Runs alternate 1, 2,
1, 2, … so a change in the machine's load hits both; the median of ``--repeat`` runs each, with min and
max, and the load average before and after go into ``eval/bench/results.md`` (its "Workers" section,
replaced on every run) and to stdout.

    .venv/bin/python eval/bench/bench_workers.py [--mono FILES...] [--repeat 3] [--shard-rows 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_MONO = sorted((REPO.parent / "shared/data/yo/mono").glob("*.txt"))
RESULTS = REPO / "eval/bench/results.md"
BEGIN, END = "<!-- bench_workers: begin -->", "<!-- bench_workers: end -->"


def one(mono: list[str], workers: int, shard_rows: int, out: str) -> dict[str, object]:
    """Run in a child process: one augment run; its wall seconds and what the manifest says."""
    from lrl import config
    from lrl.languages import find_plugin
    from lrl.pipeline import Inputs, run

    plugin = find_plugin("yo")
    cfg = config.resolve(plugin.defaults, "plugin", None, {"out_dir": out, "run.workers": workers,
                                                           "run.shard_rows": shard_rows})
    t0 = time.perf_counter()
    result = run(plugin, cfg, Inputs(mono, []), progress=False)
    m = result.manifest
    return {"seconds": time.perf_counter() - t0, "rows": m["totals"]["generated"], "kept": m["totals"]["kept"],
            "prepare": m["prepare_seconds"], "shards": m["shards_seconds"], "complete": m["finalize_seconds"],
            "overlapped": m.get("finalize_overlapped_seconds", 0.0), "report": m["report_seconds"],
            "shard_count": m["executor"]["shards"], "start": m["executor"]["start"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mono", nargs="+", default=[str(p) for p in DEFAULT_MONO])
    ap.add_argument("--repeat", type=int, default=3, help="runs per worker count (median, min, max)")
    ap.add_argument("--shard-rows", type=int, default=2000, help="run.shard_rows (default 2000)")
    ap.add_argument("--copies", type=int, default=1,
                    help="read the input this many times (a bigger run: per-row work against the fixed cost of "
                         "building models and writing the report; dedup drops the copies at the end)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave results.md alone")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        with tempfile.TemporaryDirectory() as out:
            print(json.dumps(one(args.mono, args.child, args.shard_rows, out)))
        return
    if not args.mono:
        sys.exit("no input: pass --mono FILES (the default reads ../shared/data/yo/mono/*.txt)")
    mono = args.mono * args.copies
    load_before = os.getloadavg()
    runs: dict[int, list[dict]] = {1: [], 2: []}
    kept = set()
    for _ in range(args.repeat):
        for w in (1, 2):
            p = subprocess.run([sys.executable, __file__, "--child", str(w), "--shard-rows", str(args.shard_rows),
                                "--mono", *mono], capture_output=True, text=True, cwd=REPO,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
            if p.returncode:
                sys.exit(f"run with {w} worker(s) failed:\n{p.stderr[-2000:]}")
            r = json.loads(p.stdout.strip().splitlines()[-1])
            runs[w].append(r)
            kept.add(r["kept"])
            print(f"workers={w}: {r['seconds']:.1f} s ({r['shard_count']} shards, {r['start']}): prepare "
                  f"{r['prepare']:.1f}, shards {r['shards']:.1f} (completing {r['overlapped']:.1f} of it), complete "
                  f"{r['complete']:.1f}, report "
                  f"{r['report']:.1f}", flush=True)
    load_after = os.getloadavg()
    med = {w: statistics.median(r["seconds"] for r in rs) for w, rs in runs.items()}
    pairs = [a["seconds"] / b["seconds"] for a, b in zip(runs[1], runs[2], strict=True)]
    r0 = runs[1][0]
    lines = [
        f"`python eval/bench/bench_workers.py --repeat {args.repeat} --shard-rows {args.shard_rows} "
        f"--copies {args.copies}` — "
        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {os.cpu_count()} CPUs "
        f"({len(os.sched_getaffinity(0))} usable), {platform.python_version()}; load average (1/5/15 min) "
        f"{'/'.join(f'{x:.1f}' for x in load_before)} before, {'/'.join(f'{x:.1f}' for x in load_after)} after.",
        "",
        f"Input: {len(args.mono)} Yoruba monolingual files × {args.copies}, {r0['rows']:,} rows generated (read + "
        f"templates + back-translations), {r0['shard_count']} shards; default settings; same kept rows in every run: "
        f"{'yes' if len(kept) == 1 else 'NO: ' + str(sorted(kept))}.",
        "",
        "Phases (medians): *prepare* builds the models before any shard (serial); *shards* reads the input and "
        "runs the shards (in parallel), and completes the run as the shards finish in order: the run-wide dedup, "
        "the parquet files, rejected.jsonl (*overlapped*, part of *shards*); *complete* is what is left of that "
        "after the last shard (serial); *report* draws report.html (its score histograms in as many processes as "
        "workers).",
        "",
        "| workers | median s | min s | max s | prepare s | shards s | overlapped s | complete s | report s | start |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for w, rs in runs.items():
        secs = [r["seconds"] for r in rs]
        part = {k: statistics.median(r[k] for r in rs)
                for k in ("prepare", "shards", "overlapped", "complete", "report")}
        lines.append(f"| {w} | {med[w]:.1f} | {min(secs):.1f} | {max(secs):.1f} | {part['prepare']:.1f} | "
                     f"{part['shards']:.1f} | {part['overlapped']:.1f} | {part['complete']:.1f} | "
                     f"{part['report']:.1f} | {rs[0]['start']} |")
    shards = {w: statistics.median(r["shards"] for r in rs) for w, rs in runs.items()}
    lines += ["", f"Speed-up, 2 workers vs 1: **{med[1] / med[2]:.2f}×** (ratio of medians); per A/B pair "
              f"{min(pairs):.2f}–{max(pairs):.2f}×; the shards phase alone {shards[1] / shards[2]:.2f}×."]
    text = "\n".join(lines)
    print("\n" + text)
    if not args.no_write:
        section = f"{BEGIN}\n## Workers (local executor, issue 12)\n\n{text}\n{END}\n"
        old = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else "# Benchmarks\n\n"
        if BEGIN in old and END in old:
            new = old[:old.index(BEGIN)] + section + old[old.index(END) + len(END) + 1:]
        else:
            new = old.rstrip("\n") + "\n\n" + section
        RESULTS.write_text(new, encoding="utf-8")
        print(f"\nwrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
