"""The review loop: a native speaker judges a sample of a run, and the run learns from it.

``export_sample`` writes a CSV (UTF-8 with BOM so spreadsheets show the script) of kept rows stratified by
origin and score band, plus some rejected rows per stage, with empty ``verdict`` / ``corrected_*``
columns. ``import_review`` reads it back and reports precision per origin and per filter, suggests
thresholds from the judged rows, and writes accepted and corrected pairs as a seed TSV with provenance.

A kept row's score band is the mean percentile of its thresholded scores among kept rows, in thirds
(``low`` < 1/3 ≤ ``mid`` < 2/3 ≤ ``high``): low rows are the ones nearest the filters' thresholds.
"""

from __future__ import annotations

import bisect
import csv
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrl.report.data import Threshold, kept_rows, numeric_scores, thresholds_for
from lrl.step import reason_key

FIXED = ["id", "origin", "status", "band", "src", "tgt", "verdict", "corrected_src", "corrected_tgt", "comment"]
ACCEPT = {"accept", "a", "yes", "y", "1", "ok", "good", "true"}
REJECT = {"reject", "r", "no", "n", "0", "bad", "false"}
BANDS = ("low", "mid", "high")


def _load(run_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    rows = []
    for r in kept_rows(run_dir):
        scores = json.loads(r["scores"]) if isinstance(r["scores"], str) else r["scores"] or {}
        rows.append({**r, "scores": scores, "status": "kept"})
    rejected = run_dir / "rejected.jsonl"
    if rejected.is_file():
        with open(rejected, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                rows.append({**r, "status": f"rejected:{r['stage']}:{reason_key(r['reason'])}"})
    return manifest, rows


def _score_keys(rows: list[dict[str, Any]]) -> list[str]:
    return sorted({k for r in rows for k, _ in numeric_scores(r["scores"])})


def _bands(kept: list[dict[str, Any]], ths: dict[str, list[Threshold]]) -> None:
    """Set ``band`` on each kept row: the mean over its thresholded scores of the row's mid-rank percentile
    among kept rows (turned round for ``max_`` thresholds, so low is always nearer the threshold), cut
    in thirds of the ranking. Scores every kept row shares (script share 1.0 everywhere) say nothing and are skipped."""
    values = {k: sorted(v for r in kept if isinstance(v := r["scores"].get(k), (int, float))) for k in ths}
    values = {k: v for k, v in values.items() if v and v[0] != v[-1]}
    means = []
    for r in kept:
        pcts = []
        for k, vs in values.items():
            v = r["scores"].get(k)
            if isinstance(v, (int, float)):
                p = (bisect.bisect_left(vs, v) + bisect.bisect_right(vs, v)) / 2 / len(vs)
                pcts.append(1 - p if all(t.kind == "max" for t in ths[k]) else p)
        means.append(sum(pcts) / len(pcts) if pcts else 0.5)
    # Thirds of the rows ranked by that mean (not of the mean's range): scores with many ties (most rows
    # have 0 untranslated words) pull every mean towards 0.5 and would leave the outer bands empty.
    ranked = sorted(means)
    for r, mean in zip(kept, means, strict=True):
        pos = (bisect.bisect_left(ranked, mean) + bisect.bisect_right(ranked, mean)) / 2 / max(1, len(ranked))
        r["band"] = BANDS[min(2, int(pos * 3))]


def _stratified(groups: dict[Any, list[dict[str, Any]]], n: int, rng: random.Random) -> list[dict[str, Any]]:
    """n rows spread as evenly as the groups allow (a small group gives all it has, the rest share)."""
    pools = {g: rng.sample(rows, len(rows)) for g, rows in sorted(groups.items(), key=lambda x: str(x[0]))}
    out: list[dict[str, Any]] = []
    while len(out) < n and any(pools.values()):
        for g in list(pools):
            if pools[g] and len(out) < n:
                out.append(pools[g].pop())
    return out


def export_sample(run_dir: Path, out: Path, n: int = 200, rejected_share: float = 0.2, seed: int = 0) -> int:
    """Write the review CSV; returns the number of rows in it."""
    manifest, rows = _load(run_dir)
    keys = _score_keys(rows)
    ths = thresholds_for(keys, manifest)
    kept = [r for r in rows if r["status"] == "kept"]
    rejected = [r for r in rows if r["status"] != "kept"]
    _bands(kept, ths)
    for r in rejected:
        r["band"] = ""
    rng = random.Random(seed)
    n_rej = min(len(rejected), round(n * rejected_share))
    by_stratum: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for r in kept:
        by_stratum[(r["origin"], r["band"])].append(r)
    by_stage: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for r in rejected:
        by_stage[r["stage"]].append(r)
    sample = _stratified(by_stratum, n - n_rej, rng)
    sample += _stratified(by_stage, n - len(sample), rng)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(FIXED + keys)
        for r in sample:
            w.writerow([r["id"], r["origin"], r["status"], r["band"], r["src"], r["tgt"], "", "", "", ""]
                       + [r["scores"].get(k, "") for k in keys])
    return len(sample)


@dataclass
class ReviewReport:
    judged: int = 0
    unknown_ids: int = 0  # rows of the sheet whose id is not in this run (a sheet from another run?)
    by_origin: dict[str, dict[str, float]] = field(default_factory=dict)
    by_filter: dict[str, dict[str, float]] = field(default_factory=dict)
    suggested: dict[str, dict[str, Any]] = field(default_factory=dict)
    seed_file: Path | None = None
    seed_rows: int = 0

    def lines(self) -> list[str]:
        out = [f"judged rows: {self.judged}"
               + (f" ({self.unknown_ids} rows skipped: their ids are not in this run)" if self.unknown_ids else "")]
        out += [f"  {o}: precision {v['precision']:.2f} ({v['accepted']}/{v['judged']})"
                for o, v in self.by_origin.items()]
        for s, v in self.by_filter.items():
            out.append(f"  filter {s}: kept rows it scored {v['kept_accepted']}/{v['kept_judged']} accepted; "
                       f"rejected rows the reviewer also rejects {v['rejected_agreed']}/{v['rejected_judged']}")
        for k, v in self.suggested.items():
            out.append(f"  threshold {k}: now {v['kind']} {v['current']:g}, suggested {v['suggested']:g} "
                       f"(precision {v['precision']:.2f} on {v['rows']} judged rows at or past it)")
        if self.seed_file:
            out.append(f"  seed file: {self.seed_file} ({self.seed_rows} pairs; use it with --parallel)")
        return out


def _verdict(text: str) -> bool | None:
    t = text.strip().lower()
    return True if t in ACCEPT else False if t in REJECT else None


def suggest(values: list[tuple[float, bool]], kind: str, target: float) -> tuple[float, float, int] | None:
    """The loosest threshold whose passing judged rows reach ``target`` precision:
    (threshold, precision, rows), or None when no cut reaches it."""
    if not values:
        return None
    ordered = sorted(values, key=lambda x: x[0], reverse=(kind == "min"))  # strictest first
    best, good = None, 0
    for i, (v, ok) in enumerate(ordered, 1):
        good += ok
        # a cut only between distinct values: the next value must differ (or this is the last)
        if (i == len(ordered) or ordered[i][0] != v) and good / i >= target:
            best = (v, good / i, i)
    return best


def import_review(run_dir: Path, review_csv: Path, out_dir: Path | None = None, target: float = 0.9) -> ReviewReport:
    manifest, rows = _load(run_dir)
    by_id = {r["id"]: r for r in rows}
    code = manifest["language"]["code"]
    rep = ReviewReport()
    origin_counts: dict[str, Counter[str]] = defaultdict(Counter)
    filt: dict[str, Counter[str]] = defaultdict(Counter)
    judged: list[tuple[dict[str, Any], bool]] = []
    fixes: list[tuple[str, str, str, str]] = []
    with open(review_csv, encoding="utf-8-sig", newline="") as f:
        for line in csv.DictReader(f):
            ok = _verdict(line.get("verdict", ""))
            corrected = (line.get("corrected_src") or "").strip(), (line.get("corrected_tgt") or "").strip()
            row = by_id.get(line["id"])
            if row is None:
                rep.unknown_ids += 1
                continue
            if ok is None and not any(corrected):
                continue
            if any(corrected):
                src, tgt = corrected[0] or row["src"], corrected[1] or row["tgt"]
                fixes.append((src, tgt, row["id"], "corrected"))
                ok = False if ok is None else ok  # a correction means the row as made was wrong
            elif ok and row["src"] and row["tgt"]:  # also a pair a filter wrongly rejected
                fixes.append((row["src"], row["tgt"], row["id"], "accepted"))
            assert ok is not None
            rep.judged += 1
            judged.append((row, ok))
            stages = {k.split(".", 1)[0] for k in row["scores"]}
            if row["status"] == "kept":
                origin_counts[row["origin"]]["judged"] += 1
                origin_counts[row["origin"]]["accepted"] += ok
                for s in stages:
                    filt[s]["kept_judged"] += 1
                    filt[s]["kept_accepted"] += ok
            else:
                s = row["stage"]
                filt[s]["rejected_judged"] += 1
                filt[s]["rejected_agreed"] += not ok
    rep.by_origin = {o: {"judged": c["judged"], "accepted": c["accepted"], "precision": c["accepted"] / c["judged"]}
                     for o, c in sorted(origin_counts.items())}
    rep.by_filter = {s: {k: c[k] for k in ("kept_judged", "kept_accepted", "rejected_judged", "rejected_agreed")}
                     for s, c in sorted(filt.items())}
    ths = thresholds_for(_score_keys([r for r, _ in judged]), manifest)
    for key, th in ths.items():
        kind = th[0].kind
        vals = [(float(r["scores"][key]), ok) for r, ok in judged if isinstance(r["scores"].get(key), (int, float))]
        s = suggest(vals, kind, target)
        if s:
            current = max(t.value for t in th) if kind == "min" else min(t.value for t in th)
            rep.suggested[key] = {"kind": kind, "current": current, "suggested": s[0], "precision": s[1],
                                  "rows": s[2], "target": target}
    out_dir = out_dir or run_dir / "review"
    out_dir.mkdir(parents=True, exist_ok=True)
    if fixes:
        rep.seed_file, rep.seed_rows = out_dir / f"seed-reviewed-{manifest['run_id']}.tsv", len(fixes)
        with open(rep.seed_file, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter="\t", lineterminator="\n")
            w.writerow(["en", code, "review", "from_id", "from_run", "review_file"])
            for src, tgt, rid, how in fixes:
                w.writerow([src, tgt, how, rid, manifest["run_id"], review_csv.name])
    (out_dir / "review-report.json").write_text(json.dumps(
        {"review_file": str(review_csv), "judged": rep.judged, "unknown_ids": rep.unknown_ids,
         "by_origin": rep.by_origin, "by_filter": rep.by_filter, "suggested_thresholds": rep.suggested,
         "seed_file": str(rep.seed_file) if rep.seed_file else None}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8")
    return rep
