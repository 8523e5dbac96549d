"""What the adequacy check (its misaligned and truncation classifiers) and the length check reject, per
class of the labelled-noise benchmark, without running the pipeline: a quick way to compare settings.

    PYTHONPATH=. .venv/bin/python eval/filters/adequacy_parts.py --lang yo [--set stem_chars=0 ...]

The checks are built as a run builds them (the bench's quality seed as ``quality.train``, the plugin's
settings, then ``--set`` for ``filters.adequacy.<key>``) and score the bench's rows (``noise.build``,
same seed and size as ``bench.py``) as they are, not normalized and not first filtered by the earlier
checks, so the numbers are each check's own, not the pipeline's (``bench.py`` gives those). Columns:
``adequacy`` (misaligned classifier), ``cut`` (truncation classifier), ``length`` (the length check),
``any`` (one of them).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import noise  # noqa: E402 - the sibling module

CLASSES = ("clean", "misaligned", "truncated", "shuffled-en", "near-duplicate", "tone-stripped")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", required=True)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="a filters.adequacy setting, e.g. stem_chars=0")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()

    from lrl import config
    from lrl.filters.adequacy import Adequacy
    from lrl.filters.length import Length
    from lrl.languages import find_plugin
    from lrl.quality import gather
    from lrl.record import Record

    lang = a.lang
    out = a.out or noise.REPO / "out" / "adequacy-parts" / lang
    src = noise.default_sources(lang)
    _, _, rows = noise.build(lang, out, a.n, 13, None, src["clean_lines"], list(src["foreign"]))  # type: ignore[arg-type]
    seeds = list(src["seed"])  # type: ignore[call-overload]
    if src.get("seed_lines") is not None:  # HornMT: the lines not held out, as bench.py writes them
        pairs = noise.read_parallel(seeds[0], lang, src["seed_lines"])  # type: ignore[arg-type]
        seeds = [str(out / "seed.tsv")]
        with open(seeds[0], "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter="\t", lineterminator="\n")
            w.writerow(["en", lang])
            w.writerows([p.en, p.lrl] for p in pairs)
    sets = config.parse_overrides([f"filters.adequacy.{s}" for s in a.set])
    plugin = find_plugin(lang)
    cfg = config.resolve(plugin.defaults, str(plugin.path), None,
                         {"quality.train": seeds, "out_dir": str(out / "runs"), **sets})
    seed = gather(plugin, cfg, [])
    t0 = time.perf_counter()
    adequacy = Adequacy.build(seed.ibm1(), cfg["filters"]["adequacy"], seed.pairs)
    length = Length.build(cfg["filters"]["length"], seed.pairs)
    built = time.perf_counter() - t0
    counts: dict[str, Counter[str]] = {}
    for row in rows:
        r = Record(id="row", src=row.en, tgt=row.lrl, origin="seed")
        why = adequacy.decide(r, adequacy.score(r)) or ""
        cut = length.decide(r, length.score(r))
        c = counts.setdefault(row.cls, Counter())
        c["n"] += 1
        c["adequacy"] += why.startswith("adequacy")
        c["cut"] += why.startswith("truncated")
        c["length"] += cut is not None
        c["any"] += bool(why or cut)
    cmd = " ".join(["python eval/filters/adequacy_parts.py", "--lang", lang, *(f"--set {x}" for x in a.set)])
    print(f"# adequacy parts: {lang}\n\n`{cmd}` (checks built in {built:.0f} s)\n")
    print("| class | n | adequacy | cut | length | any |\n|---|---:|---:|---:|---:|---:|")
    for cls in [c for c in CLASSES if c in counts] + sorted(set(counts) - set(CLASSES)):
        c = counts[cls]
        shares = " | ".join(f"{c[k] / c['n']:.1%}" for k in ("adequacy", "cut", "length", "any"))
        print(f"| {cls} | {c['n']} | {shares} |")


if __name__ == "__main__":
    main()
