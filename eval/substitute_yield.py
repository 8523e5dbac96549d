"""How many lexical-substitution rows a real seed yields, and what they look like.

Runs the real pipeline (lrl.pipeline.run) on a parallel corpus with substitution on and back-translation
and templates off, then prints the substitute stage's counts, the side checks' rejects, the kept rows by
swapped class and by alignment evidence, and a seeded sample of kept rows next to their parents.

    .venv/bin/python eval/substitute_yield.py                      # yo, MENYO-20k train
    .venv/bin/python eval/substitute_yield.py --lang ha \
        --parallel ../shared/data/ha/lafand-mt/train.en,../shared/data/ha/lafand-mt/train.hau
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from lrl import config
from lrl.languages import find_plugin
from lrl.pipeline import Inputs, run

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lang", default="yo")
    ap.add_argument("--parallel", default=str(DATA / "yo/menyo20k/train.tsv"))
    ap.add_argument("--confirm", default="ambiguous")
    ap.add_argument("--per-pair", type=int, default=2)
    ap.add_argument("--examples", type=int, default=10)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--compare-aligners", action="store_true",
                    help="also count the sites IBM-1 tables trained on the seed alone would refuse")
    a = ap.parse_args()
    plugin = find_plugin(a.lang)
    with tempfile.TemporaryDirectory() as out:
        overrides = {"out_dir": out, "seed": a.seed, "bt.enabled": False, "templates.enabled": False,
                     "substitute.enabled": True, "substitute.confirm": a.confirm,
                     "substitute.per_pair": a.per_pair, "substitute.max_rows": 0}
        cfg = config.resolve(plugin.defaults, str(plugin.manifest), None, overrides)
        res = run(plugin, cfg, Inputs(mono=[], parallel=[a.parallel]), progress=False)
        rows = [r for f in sorted((res.run_dir / "data").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    stages = res.manifest["stages"]
    seed_rows = {r["id"]: r for r in rows if r["origin"] == "seed"}
    subs = [r for r in rows if r["origin"] == "substitute"]
    prov = [json.loads(r["provenance"]) for r in subs]
    print(f"{a.lang}: {Path(a.parallel).name}, confirm={a.confirm}, per_pair={a.per_pair}, seed={a.seed}")
    print(f"seed pairs reaching substitution: {stages['substitute']['in']:,}")
    print(f"substitute rows made: {stages['substitute']['created']:,} "
          f"from {len({r['parent_id'] for r in subs}):,} parents kept with a child")
    for name, st in stages.items():
        if name.startswith("substitute-") and st["rejected"]:
            print(f"  rejected by {name}: {st['rejected']:,} {st['reasons']}")
    print(f"substitute rows kept: {len(subs):,}")
    print("  by class:", dict(Counter(p["class"] for p in prov).most_common()))
    print("  by evidence:", dict(Counter(p["evidence"] for p in prov).most_common()))
    print("  swapped words (lrl, en) most often:",
          Counter((p["lrl"][0], p["en"][0]) for p in prov).most_common(12))
    if a.compare_aligners:
        compare_aligners(plugin, cfg, a.parallel)
    for r in random.Random(a.seed).sample(subs, min(a.examples, len(subs))):
        p, parent = json.loads(r["provenance"]), seed_rows.get(r["parent_id"], {})
        print(f"\n[{p['class']}, {p['evidence']}] {p['lrl'][0]} → {p['lrl'][1]} / {p['en'][0]} → {p['en'][1]}")
        print(f"  parent  en: {parent.get('src')}\n          {a.lang}: {parent.get('tgt')}")
        print(f"  child   en: {r['src']}\n          {a.lang}: {r['tgt']}")


def compare_aligners(plugin: Any, cfg: dict[str, Any], parallel: str) -> None:
    """Sites found with the run's tables (seed + lexicon + templates, as back-translation uses) against
    confirm="always" with tables learned from the real seed pairs alone (independent of the lexicon)."""
    from lrl.filters.normalize import Normalize
    from lrl.generate.substitute import Substitute
    from lrl.models.ibm1 import load_or_train
    from lrl.models.prepare import read_seed

    seed, extra = read_seed(plugin, cfg, [parallel])
    norm = Normalize.for_plugin(plugin, cfg["normalize"]).text
    run_tables = load_or_train(plugin.code, seed, extra, cfg["bt"]["ibm1_iterations"], cfg["bt"]["dev_share"])
    seed_only = load_or_train(plugin.code, seed, [], cfg["bt"]["ibm1_iterations"], cfg["bt"]["dev_share"])
    found = Substitute.from_files(plugin.file("lexicon"), plugin.code, normalize=norm,
                                  xx2en=run_tables.xx2en, en2xx=run_tables.en2xx)
    strict = Substitute.from_files(plugin.file("lexicon"), plugin.code, normalize=norm, confirm="always",
                                   xx2en=seed_only.xx2en, en2xx=seed_only.en2xx)
    always = Substitute.from_files(plugin.file("lexicon"), plugin.code, normalize=norm, confirm="always",
                                   xx2en=run_tables.xx2en, en2xx=run_tables.en2xx)
    refused: Counter[str] = Counter()
    total = refused_by_run = 0
    for en, xx in seed:
        kept = {(s.entry, s.lrl) for s in strict.sites(en, xx)}
        kept_run = {(s.entry, s.lrl) for s in always.sites(en, xx)}
        for site in found.sites(en, xx):
            total += 1
            refused_by_run += (site.entry, site.lrl) not in kept_run
            if (site.entry, site.lrl) not in kept:
                refused[site.entry.en] += 1
    print(f"sites in the seed pairs: {total:,}; refused with confirm=always by the run's tables: "
          f"{refused_by_run:,}, by seed-only tables: {sum(refused.values()):,} (most often: "
          f"{refused.most_common(10)})")


if __name__ == "__main__":
    main()
