"""JSON on lrl's per-row paths, standard library against lrl/io/jsonfast.py (orjson), on the rows of a real
run: a row's line (rejected rows; a shard's kept rows, read back), the parquet row's JSON columns.
Interleaved rounds, medians (min-max), microseconds per row.

    PYTHONPATH=. .venv/bin/python eval/bench/bench_json.py [--rows 2000] [--rounds 5]

The rows come from a short default run (`lrl augment --lang yo` on the first --rows MENYO-20k dev pairs
of ../shared, bt off), so their scores are what the default chain writes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def rows_of_a_run(n: int, tmp: Path) -> list[dict[str, Any]]:
    from lrl import config
    from lrl.languages import find_plugin
    from lrl.pipeline import Inputs, run

    src = REPO.parent / "shared" / "data" / "yo" / "menyo20k" / "dev.tsv"
    lines = src.read_text(encoding="utf-8").splitlines()[: n + 1]
    pairs = tmp / "pairs.tsv"
    pairs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plugin = find_plugin("yo")
    over = config.parse_overrides(["bt.enabled=false", "templates.enabled=false", f"out_dir={json.dumps(str(tmp))}"])
    result = run(plugin, config.resolve(plugin.defaults, "plugin", None, over), Inputs([], [str(pairs)]),
                 progress=False)
    import pyarrow.parquet as pq

    text = (result.run_dir / "rejected.jsonl").read_text(encoding="utf-8")
    rejected = [json.loads(line) for line in text.splitlines()]
    kept = [{**r, **{k: json.loads(r[k]) for k in ("provenance", "scores", "labels")}}
            for p in sorted((result.run_dir / "data").rglob("*.parquet"))
            for r in pq.read_table(p, columns=["id", "src", "tgt", "origin", "parent_id", "provenance", "scores",
                                               "labels"]).to_pylist()]
    return kept + rejected


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    from lrl.io import jsonfast

    with tempfile.TemporaryDirectory() as tmp:
        rows = rows_of_a_run(a.rows, Path(tmp))
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    scores = [r.get("scores") or {} for r in rows]
    assert all(jsonfast.loads(jsonfast.dumps(r)) == r for r in rows), "jsonfast changed a value"
    cases = {
        "row line, json.dumps": lambda: [json.dumps(r, ensure_ascii=False) for r in rows],
        "row line, jsonfast.dumps": lambda: [jsonfast.dumps(r) for r in rows],
        "row line, json.loads": lambda: [json.loads(s) for s in lines],
        "row line, jsonfast.loads": lambda: [jsonfast.loads(s) for s in lines],
        "scores column, json.dumps(sort_keys)": lambda: [json.dumps(s, sort_keys=True) for s in scores],
        "scores column, jsonfast.dumps(sort_keys)": lambda: [jsonfast.dumps(s, sort_keys=True) for s in scores],
    }
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(a.rounds):
        for name, fn in cases.items():
            t = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t) / len(rows) * 1e6)
    print(f"{len(rows):,} kept and rejected rows of a default yo run (mean {statistics.mean(map(len, lines)):.0f} "
          f"characters per line); {a.rounds} interleaved rounds, us per row, median (min-max)\n")
    print("| case | us/row | speed vs json |\n|---|---:|---:|")
    names = list(cases)
    for i, name in enumerate(names):
        med = statistics.median(times[name])
        base = statistics.median(times[names[i - i % 2]])
        print(f"| {name} | {med:.1f} ({min(times[name]):.1f}-{max(times[name]):.1f}) | {base / med:.1f}x |")


if __name__ == "__main__":
    main()
