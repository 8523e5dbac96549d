"""Pipeline throughput and memory, as ratios against a baseline measured in the same run.

Baseline: read → normalize → write with every filter off. Each configuration runs in its own
subprocess (so peak RSS is its own), on the same input, and is reported as rows/s and as a ratio to the
baseline. Absolute numbers depend on the machine; the ratios are what to compare across commits.

    .venv/bin/python eval/bench/bench_pipeline.py [--mono FILES...] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_MONO = sorted((REPO.parent / "shared/data/yo/mono").glob("*.txt"))

CONFIGS: dict[str, list[str]] = {
    "baseline (normalize only)": ["filters.length.min_chars=0", "filters.length.max_chars=1000000000",
                                  "filters.dedup.enabled=false", "filters.script.enabled=false",
                                  "filters.langid.enabled=false"],
    "+ length, dedup, script": ["filters.langid.enabled=false"],
    "all filters (dedup before langid)": [],
}


def one(mono: list[str], sets: list[str], out: str) -> dict[str, float]:
    """Run in this process (called in a child): returns rows in, seconds, peak RSS MiB."""
    from lrl import config
    from lrl.languages import find_plugin
    from lrl.pipeline import Inputs, run

    plugin = find_plugin("yo")
    overrides = config.parse_overrides([*sets, "templates.enabled=false", f"out_dir={json.dumps(out)}"])
    if "bt" in config.DEFAULTS:
        overrides["bt.enabled"] = False
    if "paraphrase" in config.DEFAULTS:
        overrides["paraphrase.enabled"] = False
    cfg = config.resolve(plugin.defaults, "plugin", None, overrides)
    t0 = time.perf_counter()
    result = run(plugin, cfg, Inputs(mono, []), progress=False)
    secs = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": result.manifest["totals"]["generated"], "kept": result.manifest["totals"]["kept"],
            "seconds": secs, "rss_mib": rss}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mono", nargs="+", default=[str(p) for p in DEFAULT_MONO])
    ap.add_argument("--repeat", type=int, default=3, help="runs per configuration; the fastest counts")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        sets = json.loads(args.child)
        with tempfile.TemporaryDirectory() as out:
            print(json.dumps(one(args.mono, sets, out)))
        return
    if not args.mono:
        sys.exit("no input: pass --mono FILES (the default reads ../shared/data/yo/mono/*.txt)")
    results = {}
    for name, sets in CONFIGS.items():
        runs = []
        for _ in range(args.repeat):
            p = subprocess.run([sys.executable, __file__, "--child", json.dumps(sets), "--mono", *args.mono],
                               capture_output=True, text=True, check=True, cwd=REPO)
            runs.append(json.loads(p.stdout.strip().splitlines()[-1]))
        results[name] = min(runs, key=lambda r: r["seconds"])
    base = results["baseline (normalize only)"]
    print(f"input: {len(args.mono)} files, {base['rows']:,} rows; best of {args.repeat}\n")
    print("| configuration | rows/s | time vs baseline | peak RSS MiB | RSS vs baseline | kept |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['rows'] / r['seconds']:,.0f} | {r['seconds'] / base['seconds']:.2f}× | "
              f"{r['rss_mib']:.0f} | {r['rss_mib'] / base['rss_mib']:.2f}× | {r['kept']:,} |")


if __name__ == "__main__":
    main()
