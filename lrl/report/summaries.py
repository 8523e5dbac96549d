"""The report's numbers, gathered where the rows already are in memory, so that completing a run does not
read every row back: each shard summarizes the rows it rejected (in its worker, lrl/shards.py), and the
completion pass the rows it rejects (dedup) and keeps (lrl/finalize.py). ``report.html`` is then drawn from
the merged summaries. They hold what :func:`lrl.report.data.load_run` reads from ``rejected.jsonl`` and the
parquet files, in the same order (tests/report/test_report.py compares the two), so ``lrl report RUN``,
which reads the files, draws the same page.
"""

from __future__ import annotations

import json
import logging
import zipfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from lrl.io.writers import json_line
from lrl.record import Record
from lrl.report.data import EXAMPLES_PER_REASON, RunData, numeric_scores
from lrl.step import reason_key

SUMMARY, SCORES = "report.json", "report-scores.npz"


class Rejected:
    """Rejected rows as the report counts them: per (stage, reason key), per origin, the first examples of
    each reason and every numeric score, in the order the rows were written."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        self.by_origin: Counter[str] = Counter()
        self.examples: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.scores: dict[str, list[float]] = defaultdict(list)

    def add(self, row: dict[str, Any]) -> None:
        """``row``: a rejected row as RejectWriter writes it (its dicts are the record's)."""
        key = (row["stage"], reason_key(row["reason"]))
        self.counts[key] += 1
        self.by_origin[row.get("origin", "?")] += 1
        examples = self.examples.setdefault(key, [])
        if len(examples) < EXAMPLES_PER_REASON:
            examples.append(json.loads(json_line(row)))  # as read back from rejected.jsonl, and a copy
        for k, v in numeric_scores(row.get("scores") or {}):
            self.scores[k].append(v)

    def merge(self, other: Rejected) -> None:
        """Add ``other``'s rows after this one's (shard order, then the completion pass's)."""
        self.counts.update(other.counts)
        self.by_origin.update(other.by_origin)
        for key, rows in other.examples.items():
            mine = self.examples.setdefault(key, [])
            mine += rows[:EXAMPLES_PER_REASON - len(mine)]
        for k, values in other.scores.items():
            self.scores[k] += values

    def save(self, folder: Path) -> None:
        (folder / SUMMARY).write_text(json.dumps({
            "counts": [[s, r, n] for (s, r), n in self.counts.items()], "by_origin": dict(self.by_origin),
            "examples": [[s, r, rows] for (s, r), rows in self.examples.items()]}, ensure_ascii=False),
            encoding="utf-8")
        # Scores as float64 arrays: a shard of 2,500 rows holds ~50k of them, too many for JSON to be cheap.
        arrays: dict[str, Any] = {k: np.asarray(v, dtype=np.float64) for k, v in self.scores.items()}
        np.savez(folder / SCORES, **arrays)

    @classmethod
    def load(cls, folder: Path) -> Rejected | None:
        """None when the shard has no summary (written by an lrl before it) or one that cannot be read: then
        the report reads the files instead (a summary costs the page's speed, never the run)."""
        if not (folder / SUMMARY).is_file() or not (folder / SCORES).is_file():
            return None
        out = cls()
        try:
            data = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
            out.counts.update({(s, r): n for s, r, n in data["counts"]})
            out.by_origin.update(data["by_origin"])
            out.examples = {(s, r): rows for s, r, rows in data["examples"]}
            with np.load(folder / SCORES) as arrays:
                for k in arrays.files:
                    out.scores[k] = arrays[k].tolist()
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:  # JSONDecodeError: a ValueError
            logging.getLogger(__name__).warning("%s: report summary unreadable (%s); reading the files", folder, exc)
            return None
        return out


class Kept:
    """Kept rows with the fields the report shows, in the order ``load_run`` reads the parquet files:
    the monolingual files' rows, then the parallel ones (their names sort that way). A row's scores are
    not kept, only their numbers, appended per score key as the row goes by: holding each written row's
    scores dict (dedup's hex keys included) was a sixth of an equivalent-filters run's peak memory."""

    def __init__(self) -> None:
        self.parallel: list[dict[str, Any]] = []
        self.monolingual: list[dict[str, Any]] = []
        self.scores: dict[bool, dict[str, list[float]]] = {True: defaultdict(list), False: defaultdict(list)}

    def add(self, rec: Record) -> None:
        (self.parallel if rec.is_parallel else self.monolingual).append(
            {"id": rec.id, "src": rec.src, "tgt": rec.tgt, "origin": rec.origin, "parent_id": rec.parent_id})
        into = self.scores[rec.is_parallel]
        for k, v in numeric_scores(rec.scores):
            into[k].append(v)


def run_data(run_dir: Path, manifest: dict[str, Any], kept: Kept, rejected: Rejected) -> RunData:
    """What ``load_run`` would read from the finished run folder, from the summaries."""
    rows = kept.monolingual + kept.parallel
    kept_scores: dict[str, list[float]] = defaultdict(list)
    for part in (kept.scores[False], kept.scores[True]):  # load_run's order: monolingual rows first
        for k, values in part.items():
            kept_scores[k] += values
    return RunData(run_dir, manifest, rows, rejected=rejected.counts, rejected_examples=rejected.examples,
                   rejected_by_origin=rejected.by_origin, kept_scores=dict(kept_scores),
                   rejected_scores=dict(rejected.scores))
