"""Do two run folders hold the same rows? Kept rows (id, sides, origin; as sets and in order) and rejected
rows (id and stage). Used to check that a change to execution (issue 12's shards) keeps what it kept.

    python eval/compare_runs.py out_before/yo/latest out_after/yo/latest
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq


def load(run: Path) -> tuple[list[tuple[str, str, str, str]], dict[str, str]]:
    kept = [(r["id"], r["src"], r["tgt"], r["origin"]) for p in sorted((run / "data").glob("*.parquet"))
            for r in pq.read_table(p, columns=["id", "src", "tgt", "origin"]).to_pylist()]
    rejected = {}
    with open(run / "rejected.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            rejected[r["id"]] = r["stage"]
    return kept, rejected


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    (ka, ra), (kb, rb) = load(Path(sys.argv[1]).resolve()), load(Path(sys.argv[2]).resolve())
    a, b = set(ka), set(kb)
    print(f"kept: {len(ka):,} vs {len(kb):,}; same set: {a == b} (only first {len(a - b):,}, only second "
          f"{len(b - a):,}); same order: {ka == kb}")
    print(f"rejected: {len(ra):,} vs {len(rb):,}; same ids: {set(ra) == set(rb)}")
    moved = Counter((ra[i], rb[i]) for i in ra.keys() & rb.keys() if ra[i] != rb[i])
    for (x, y), n in moved.most_common(10):
        print(f"  {n:,} rejected at {x} first, at {y} second")
    for origin, n in Counter(o for *_, o in a - b).most_common():
        print(f"  only first: {n:,} {origin}")
    for origin, n in Counter(o for *_, o in b - a).most_common():
        print(f"  only second: {n:,} {origin}")


if __name__ == "__main__":
    main()
