"""Measures the lexical filters (untranslated words, markup) on the shared data.

    PYTHONPATH=. python eval/filters/measure_lexical.py [--lang yo ha am] [--bt RUN_DIR ...]

Per language: the seed builds the untranslated filter; on the clean pairs it reports how many each filter
rejects, then damages every clean pair (1, 2, 3 words of its own language side inserted into the English
at seeded random places; a tag / URL / e-mail / entity wrapped around one side) and reports the share
rejected. ``--bt`` reads the parquet shards of ``lrl augment`` runs and counts back-translated rows with
two or more language words on the English side before and after the filter.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

from lrl.filters.dedup import Dedup
from lrl.filters.markup import build_markup
from lrl.filters.normalize import Normalize
from lrl.filters.untranslated import Untranslated, words
from lrl.io.readers import ReadOptions, read_pairs
from lrl.languages.plugin import load_plugin
from lrl.record import Record

REPO = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("LRL_SHARED_DATA", REPO.parent / "shared" / "data"))


def pairs(lang: str, norm: Normalize, names: tuple[str, ...]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(seed, clean) pairs as the task defines them for each language."""
    opts = ReadOptions(lang_names=names)
    if lang == "yo":
        d = DATA / "yo" / "menyo20k"
        specs = [str(d / "train.tsv")], [str(d / "dev.tsv")]
    elif lang == "ha":
        d = DATA / "ha" / "lafand-mt"
        specs = [f"{d / 'train.en'},{d / 'train.hau'}"], [f"{d / 'dev.en'},{d / 'dev.hau'}"]
    else:
        d = DATA / "am" / "hornmt"
        every = list(read_pairs([f"{d / 'eng.txt'},{d / 'amh.txt'}"], opts, norm.text))
        return every[:1500], every[1500:]
    return list(read_pairs(specs[0], opts, norm.text)), list(read_pairs(specs[1], opts, norm.text))


def insert_words(en: str, xx: str, k: int, rng: random.Random) -> str | None:
    """The English with ``k`` words of the pair's own language side put in at random places."""
    cands = [w for w in words(xx) if not any(c.isdigit() for c in w)]
    if len(cands) < k:
        return None
    toks = en.split()
    for w in rng.sample(cands, k):
        toks.insert(rng.randint(0, len(toks)), w.lower())
    return " ".join(toks)


WRAPS = {
    "tag": lambda s, r: f"<p class=\"c{r.randint(1, 9)}\">{s}</p>",
    "url": lambda s, r: f"{s} https://www.example{r.randint(1, 99)}.com/news/{r.randint(100, 999)}",
    "bare-url": lambda s, r: f"{s} www.news{r.randint(1, 99)}.ng/a/{r.randint(100, 999)}",
    "email": lambda s, r: f"{s} info{r.randint(1, 99)}@example.org",
    "entity": lambda s, r: s.replace(" ", " &amp; ", 1) if " " in s else f"&quot;{s}&quot;",
}


def run_filter(step, records: list[Record]) -> int:  # type: ignore[no-untyped-def]
    from lrl.step import RunContext, Stats

    rejected = []
    ctx = RunContext(stats=Stats(), on_reject=lambda r, s, why: rejected.append(why))
    for _ in step.run(records, ctx):
        pass
    return len(rejected)


def speed(step, recs: list[Record]) -> str:  # type: ignore[no-untyped-def]
    """Rows per second over the clean pairs repeated to 20k rows (copies, so no state leaks)."""
    rows = [Record(f"{i}", r.src, r.tgt, r.origin) for i, r in enumerate(recs * (20000 // len(recs) + 1))][:20000]
    t = time.perf_counter()
    run_filter(step, rows)
    return f"{len(rows) / (time.perf_counter() - t):,.0f} rows/s"


def measure(lang: str, bt_dirs: list[str]) -> None:
    plugin = load_plugin(REPO / "languages" / lang)
    norm = Normalize.for_plugin(plugin)
    seed, clean = pairs(lang, norm, (plugin.code, plugin.iso639_3, plugin.name))
    f = Untranslated.build(plugin, seed, {})
    rng = random.Random(0)
    recs = [Record(id=str(i), src=en, tgt=xx, origin="seed") for i, (en, xx) in enumerate(clean)]
    print(f"## {lang}: seed {len(seed)} pairs, clean {len(clean)} pairs; {f.signature()}")
    n = run_filter(f, [Record(r.id, r.src, r.tgt, r.origin) for r in recs])
    print(f"untranslated  clean rejected      {n:5d} / {len(recs)} = {n / len(recs):.2%}   "
          f"({speed(f, recs)})")
    ex = ReadOptions(src_column="en", tgt_column=plugin.code)
    own = Untranslated.build(plugin, list(read_pairs([str(plugin.file("examples"))], ex, norm.text)), {})
    n = run_filter(own, [Record(r.id, r.src, r.tgt, r.origin) for r in recs])
    print(f"untranslated  clean rejected, plugin examples as seed  {n:5d} / {len(recs)} = {n / len(recs):.2%}")
    for k in (1, 2, 3):
        bad = [Record(r.id, s, r.tgt, "bt") for r in recs if (s := insert_words(r.src, r.tgt, k, rng))]
        n = run_filter(f, bad)
        print(f"untranslated  +{k} LRL word(s)    {n:5d} / {len(bad)} = {n / len(bad):.2%}")
    mk = build_markup({})
    n = run_filter(mk, [Record(r.id, r.src, r.tgt, r.origin) for r in recs])
    print(f"markup        clean rejected      {n:5d} / {len(recs)} = {n / len(recs):.2%}   "
          f"({speed(mk, recs)}; dedup with near keys: {speed(Dedup(), recs)})")
    for kind, wrap in WRAPS.items():
        bad = []
        for r in recs:
            side = rng.random() < 0.5
            src, tgt = (wrap(r.src, rng), r.tgt) if side else (r.src, wrap(r.tgt, rng))
            bad.append(Record(r.id, src, tgt, r.origin))
        n = run_filter(mk, bad)
        print(f"markup        {kind:<9} wrapped   {n:5d} / {len(bad)} = {n / len(bad):.2%}")
    dedup_report(seed, clean)
    if bt_dirs:
        # A default run has the plugin's own example pairs as its seed. The count of rows with two or
        # more language words is always made with the data-seed filter (the larger vocabulary), so the
        # plugin-seed filter is judged by something other than itself.
        for run_dir in bt_dirs:
            bt_report(run_dir, f, {"data seed": f, "plugin examples as seed": own}, lang)
    print()


def _strip_marks(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", text)
                                                if not "\u0300" <= c <= "\u036f"))


COPIES = {
    "marks stripped": lambda en, xx: (en, _strip_marks(xx)),
    "re-punctuated": lambda en, xx: (en.rstrip(".!?") + " !", xx.replace(",", "").rstrip(".!?") + " !"),
    "case changed": lambda en, xx: (en.lower(), xx.upper()),
}


def dedup_report(seed: list[tuple[str, str]], clean: list[tuple[str, str]]) -> None:
    """Duplicates the seed and clean pairs hold themselves (exact, near), and the share of altered copies
    of each clean pair (placed after all originals) that the near key rejects."""
    from collections import Counter

    for label, data in (("seed", seed), ("clean", clean)):
        reasons: Counter[str] = Counter()
        d = Dedup()
        for i, (en, xx) in enumerate(data):
            r = Record(str(i), en, xx, "seed")
            if why := d.decide(r, d.score(r)):
                reasons[why.split(":")[0]] += 1
        print(f"dedup         {label} pairs: {len(data)}, exact duplicates {reasons['duplicate']}, "
              f"near duplicates {reasons['near-duplicate']}")
    for kind, alter in COPIES.items():
        d = Dedup()
        recs = [Record(str(i), en, xx, "seed") for i, (en, xx) in enumerate(clean)]
        copies = [Record(f"copy{i}", *alter(en, xx), "seed") for i, (en, xx) in enumerate(clean)
                  if alter(en, xx) != (en, xx)]
        n = run_filter(d, recs + copies) - run_filter(Dedup(), recs)
        print(f"dedup         {kind:<15} copies rejected {n:5d} / {len(copies)} = {n / max(1, len(copies)):.2%}")


def bt_report(run_dir: str, judge: Untranslated, filters: dict[str, Untranslated], lang: str) -> None:
    import pyarrow.parquet as pq

    rows = [r for p in sorted(Path(run_dir).glob("data/*.parquet"))
            for r in pq.read_table(p, columns=["id", "src", "tgt", "origin"]).to_pylist() if r["origin"] == "bt"]
    recs = [Record(r["id"], r["src"], r["tgt"], "bt") for r in rows]
    two = [int(judge.score(r)["lrl_words"]) >= 2 for r in recs]
    print(f"bt rows in {run_dir}: {len(recs)}; with >= 2 {lang} words on the English side: {sum(two)} "
          f"({sum(two) / max(1, len(recs)):.1%})")
    for label, f in filters.items():
        kept = [t for r, t in zip(recs, two, strict=True) if not f.decide(r, f.score(r))]
        print(f"  after the filter built from the {label}: kept {len(kept)}, of which >= 2: {sum(kept)} "
              f"({sum(kept) / max(1, len(kept)):.1%})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lang", nargs="+", default=["yo", "ha", "am"])
    ap.add_argument("--bt", nargs="*", default=[], help="lrl augment run folders (with data/*.parquet)")
    a = ap.parse_args(argv)
    for lang in a.lang:
        measure(lang, a.bt if lang == a.lang[0] else [])
    return 0


if __name__ == "__main__":
    sys.exit(main())
