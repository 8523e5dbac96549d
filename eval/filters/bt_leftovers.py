"""How many kept back-translations still carry words of the language on the English side?

Issue 9's research-run check: of the kept ``bt`` rows, the share whose English side has two or more words
of the language. The detector here is deliberately independent of lrl's own ``untranslated`` filter (it
uses no plugin data and no lrl tokenizer), so the filter is not grading itself:

* a token with a letter outside ASCII (tone marks, dots below, hooked letters, another script) counts,
  names included — a good translation writes names, but two of them plus nothing else is rare;
* a lowercase token that also occurs on the language side of the same pair and is not an English word
  counts (English words: the English side of the reference parallel file given with ``--english``).

    .venv/bin/python eval/filters/bt_leftovers.py out/yo/latest \
        --english ../shared/data/yo/menyo20k/train.tsv
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

import pyarrow.parquet as pq

WORD = re.compile(r"[^\W\d_](?:[\w\u0300-\u036f'’-]*[\w\u0300-\u036f])?")


def english_vocabulary(path: Path) -> set[str]:
    vocab: set[str] = set()
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            if row:
                vocab.update(w.lower() for w in WORD.findall(row[0]))
    return vocab


def leftovers(en: str, lrl: str, vocab: set[str]) -> list[str]:
    lrl_words = {w for w in WORD.findall(lrl)}
    return [w for w in WORD.findall(en)
            if any(ord(c) > 127 and c.isalpha() for c in w) or (w.islower() and w in lrl_words and w not in vocab)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run", type=Path, help="a run folder (e.g. out/yo/latest)")
    ap.add_argument("--english", type=Path, required=True, help="a parallel TSV whose first column is English")
    ap.add_argument("--min-words", type=int, default=2)
    ap.add_argument("--examples", type=int, default=5)
    args = ap.parse_args(argv)
    vocab = english_vocabulary(args.english)
    rows = []
    for shard in sorted((args.run / "data").glob("*.parquet")):
        t = pq.read_table(shard, columns=["id", "src", "tgt", "origin"]).to_pylist()
        rows += [r for r in t if r["origin"] == "bt"]
    bad = [(r, left) for r in rows if len(left := leftovers(r["src"], r["tgt"], vocab)) >= args.min_words]
    share = len(bad) / len(rows) if rows else 0.0
    print(json.dumps({"run": str(args.run), "kept_bt": len(rows), "with_leftovers": len(bad),
                      "share": round(share, 4), "min_words": args.min_words}))
    for r, left in bad[: args.examples]:
        print(f"  {left}  {r['src'][:120]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
