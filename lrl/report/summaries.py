"""The report's numbers, gathered where the rows already are in memory, so that completing a run does not
read every row back: each shard summarizes the rows it rejected (in its worker, lrl/shards.py), and the
completion pass the rows it rejects (dedup) and keeps (lrl/finalize.py). ``report.html`` is then drawn from
the merged summaries. They hold what :func:`lrl.report.data.load_run` reads from ``rejected.jsonl`` and the
parquet files — exact counts, and the same bounded sample of rows (lrl/report/sample.py) — so ``lrl report
RUN``, which reads the files, draws the same page (tests/report/test_report.py compares the two).
"""

from __future__ import annotations

import json
import logging
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from lrl.io.writers import json_line
from lrl.record import Record
from lrl.report import data as rdata
from lrl.report.data import EXAMPLES_PER_REASON, KeptRows, RunData, numeric_scores
from lrl.report.sample import DEFAULT_CAP, Sample, hash_key, row_key
from lrl.step import reason_key

SUMMARY, SCORES = "report.json", "report-scores.npz"
#: the summary's layout; a shard written with another is read from its files instead
VERSION = 2


class Rejected:
    """Rejected rows as the report counts them: per (stage, reason key), per origin, the first examples of
    each reason (in the order the rows were written), and the numeric scores of the rows in the sample
    (``cap`` rows at most, drawn by a hash of the row id keyed by ``seed``)."""

    def __init__(self, cap: int = DEFAULT_CAP, seed: int = 0) -> None:
        self.key = hash_key(seed)
        self.counts: Counter[tuple[str, str]] = Counter()
        self.by_origin: Counter[str] = Counter()
        self.examples: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.sample = Sample(cap)

    def add(self, row: dict[str, Any], line: str | None = None) -> None:
        """``row``: a rejected row as RejectWriter writes it (its dicts are the record's); ``line``: as it
        is written (``json_line(row)``)."""
        if line is None:
            line = json_line(row)
        key = (row["stage"], reason_key(row["reason"]))
        self.counts[key] += 1
        self.by_origin[row.get("origin", "?")] += 1
        examples = self.examples.setdefault(key, [])
        if len(examples) < EXAMPLES_PER_REASON:
            examples.append(json.loads(line))  # as read back from rejected.jsonl, and a copy
        self.sample.offer(row_key(self.key, row["id"]), row_key(self.key, line), None,
                          numeric_scores(row.get("scores") or {}))

    def merge(self, other: Rejected) -> None:
        """Add ``other``'s rows after this one's (shard order, then the completion pass's)."""
        self.counts.update(other.counts)
        self.by_origin.update(other.by_origin)
        for key, rows in other.examples.items():
            mine = self.examples.setdefault(key, [])
            mine += rows[:EXAMPLES_PER_REASON - len(mine)]
        self.sample.merge(other.sample)

    def save(self, folder: Path) -> None:
        meta = self.sample.meta()
        del meta["rows"]  # no payload: a rejected row's scores are all the sample holds of it
        (folder / SUMMARY).write_text(json.dumps({
            "version": VERSION, "counts": [[s, r, n] for (s, r), n in self.counts.items()],
            "by_origin": dict(self.by_origin), "examples": [[s, r, rows] for (s, r), rows in self.examples.items()],
            "sample": meta}, ensure_ascii=False), encoding="utf-8")
        # Keys and scores as arrays: a shard of 2,500 rows holds ~50k values, too many for JSON to be cheap.
        arrays: dict[str, Any] = self.sample.arrays("")
        np.savez(folder / SCORES, **arrays)

    @classmethod
    def load(cls, folder: Path, cap: int = DEFAULT_CAP, seed: int = 0) -> Rejected | None:
        """None when the shard has no summary (written by an lrl before it), one of another layout or sample
        (``cap``, ``seed``), or one that cannot be read: then the report reads the files instead (a summary
        costs the page's speed, never the run)."""
        if not (folder / SUMMARY).is_file() or not (folder / SCORES).is_file():
            return None
        out = cls(cap, seed)
        try:
            data = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
            if data.get("version") != VERSION or data["sample"]["cap"] != cap:
                return None
            out.counts.update({(s, r): n for s, r, n in data["counts"]})
            out.by_origin.update(data["by_origin"])
            out.examples = {(s, r): rows for s, r, rows in data["examples"]}
            meta = {**data["sample"], "rows": None}
            with np.load(folder / SCORES) as arrays:
                out.sample = Sample.restore(meta, arrays, "")
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:  # JSONDecodeError: a ValueError
            logging.getLogger(__name__).warning("%s: report summary unreadable (%s); reading the files", folder, exc)
            return None
        return out


class Kept:
    """Kept rows as the completion pass writes them: counted per origin, looked for lexicon entries, and
    the sampled ones held with the fields the report shows and their numeric scores (not the scores dicts:
    holding each written row's, dedup's hex keys included, was a sixth of an equivalent-filters run's peak
    memory; holding every row's fields and numbers grew the main process by ~1.5 KB a row)."""

    def __init__(self, cap: int = DEFAULT_CAP, seed: int = 0, lexicon: list[str] | None = None) -> None:
        self.rows = KeptRows(cap, hash_key(seed), lexicon or [])

    def add(self, rec: Record) -> None:
        self.rows.add(rec.id, rec.src, rec.tgt, rec.origin, rec.parent_id, rec.scores)


def run_data(run_dir: Path, manifest: dict[str, Any], kept: Kept, rejected: Rejected) -> RunData:
    """What ``load_run`` would read from the finished run folder, from the summaries."""
    return rdata.run_data(run_dir, manifest, kept.rows, rejected.sample, rejected.counts, rejected.examples,
                          rejected.by_origin)
