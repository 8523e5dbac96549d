"""Replaying a finished run's decisions from its stored scores (``lrl rescore``, lrl/rescore.py): the rows as
the run left them, each filter's decision rebuilt from its manifest signature, and the stages re-made in
pipeline order. Nothing here loads a model or scores a row."""

from __future__ import annotations

import importlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from lrl.errors import ConfigError, InputError
from lrl.record import Record
from lrl.step import Filter, Stats, Undecidable, reason_key

#: The pseudo-stage of rows a rescore cannot keep: unscored rows and generated rows whose parent is rejected.
STAGE = "rescore"


@dataclass
class Row:
    record: Record
    #: the old run's verdict: None (kept) or (stage, reason)
    old: tuple[str, str] | None
    #: the new verdict, filled in stage by stage
    new: tuple[str, str] | None = None
    #: index of the first stage that sees this row (generated rows enter after their generator)
    entry: int = 0
    #: stages that scored this row only now (``score_missing``): the old run never reached them
    rescored: set[str] = field(default_factory=set)


def load_rows(run_dir: Path, manifest: dict[str, Any]) -> list[Row]:
    """Kept rows (the parquet shards, in order) then rejected rows (``rejected.jsonl``, in order)."""
    rows: list[Row] = []
    for rel in manifest["outputs"]["data"]:
        for r in pq.read_table(run_dir / rel).to_pylist():
            rows.append(Row(Record(id=r["id"], src=r["src"], tgt=r["tgt"], origin=r["origin"],
                                   parent_id=r["parent_id"], provenance=json.loads(r["provenance"]),
                                   scores=json.loads(r["scores"])), None))
    path = run_dir / manifest["outputs"]["rejected"]
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                d = json.loads(line)
                rec = Record(id=d["id"], src=d["src"], tgt=d["tgt"], origin=d["origin"], parent_id=d["parent_id"],
                             provenance=d["provenance"], scores=d["scores"])
                rows.append(Row(rec, (d["stage"], d["reason"])))
            except (ValueError, KeyError) as exc:
                raise InputError(path, n, f"not a rejected row written by lrl ({exc})",
                                 "the run folder is damaged: rescore another run or run `lrl augment` again") from None
    return rows


def _decider(entry: dict[str, Any]) -> Filter | None:
    """The stage's decision rebuilt from its manifest entry, or None for a step that is not a filter."""
    module, _, name = str(entry.get("class", "")).partition(":")
    if not module.startswith("lrl."):
        if not entry.get("class"):
            raise ConfigError(f"stage {entry['name']!r}: the manifest does not name its class (a run made "
                              "before `lrl rescore` existed) — run `lrl augment` again")
        return None  # a step from outside lrl: its rejections stand as they were
    obj: Any = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    if not (isinstance(obj, type) and issubclass(obj, Filter)):
        return None
    return obj.decider(entry["signature"])


def set_path(sig: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = sig
    for p in parents:
        node = node[p]
    node[leaf] = value


def _applies(entry: dict[str, Any], row: Row) -> bool:
    return entry["applies_to"] is None or row.record.origin in entry["applies_to"]


def _entries(steps: list[dict[str, Any]], rows: list[Row], by_id: dict[str, Row]) -> None:
    """Where each generated row enters: just after the last step before the first stage that judges its
    origin alone (its generator), e.g. a ``bt`` row at ``bt-privacy``."""
    first: dict[str, int] = {}
    for i, e in enumerate(steps):
        for origin in e["applies_to"] or ():
            first.setdefault(origin, i)
    for row in rows:
        if row.record.parent_id and row.record.parent_id in by_id and row.record.origin in first:
            row.entry = first[row.record.origin] + 1  # an index into ["read", *steps]


#: Scores the rows a stage never saw: (stage name, records) → their scores, or None when the stage cannot
#: (lrl/rescore.py builds one from the run's own steps for ``--score-missing``).
Scorer = Callable[[str, list[Record]], "list[dict[str, float | str]] | None"]


def replay(manifest: dict[str, Any], rows: list[Row], changes: dict[str, Any],
           scorer: Scorer | None = None) -> tuple[Stats, dict[str, int]]:
    """Re-make every decision of the run with ``changes``; fills each row's ``new`` verdict. Returns the
    new per-stage counts and how many rows could not be re-decided (``unscored``), lost their parent, or
    now pass a generator that would have made rows from them (``not_generated``). With ``scorer``, a row
    that now reaches a filter which never scored it is scored there (as a fresh run would), not rejected."""
    steps = manifest["steps"]
    names = ["read", *(e["name"] for e in steps)]
    index = {n: i for i, n in enumerate(names)}
    deciders: list[Filter | None] = []
    for e in steps:
        sig = json.loads(json.dumps(e["signature"]))
        for key, path in (e.get("rescorable") or {}).items():
            if key in changes:
                set_path(sig, path, changes[key])
        e["signature"] = sig  # the new manifest records the thresholds the new run used
        deciders.append(_decider(e))
    by_id = {r.record.id: r for r in rows}
    _entries(steps, rows, by_id)
    stats = Stats()
    counts = {"unscored": 0, "parent_rejected": 0, "scored_now": 0, "new_at_generators": 0}
    # The stage that made the rows entering at i: the last one before it that created rows in the old run
    # (bt makes the ft rows too, which enter after the bt checks).
    made = [n for n in names if manifest["stages"].get(n, {}).get("created")]
    creator = {i: next((n for n in reversed(names[:i]) if n in made), names[i - 1]) for i in range(1, len(names))}

    def reached(row: Row, stage_index: int) -> bool:
        return row.old is None or index.get(row.old[0], -1) >= stage_index or names[stage_index] in row.rescored

    def reject(row: Row, stage: str, reason: str) -> None:
        row.new = (stage, reason)
        st = stats[stage]
        st.rejected += 1
        st.reasons[reason_key(reason)] += 1
        st.by_origin[row.record.origin, reason_key(reason)] += 1

    def unscored(row: Row, reason: str) -> None:
        counts["unscored"] += 1
        stats[STAGE].seen += 1
        reject(row, STAGE, reason)

    read = stats["read"]
    for row in rows:
        if row.entry == 0:
            read.seen += 1
            if row.old and row.old[0] == "read":
                reject(row, "read", row.old[1])
            else:
                read.passed += 1
    for i, (entry, decider) in enumerate(zip(steps, deciders, strict=True), start=1):
        name = entry["name"]
        st = stats[name]
        for row in rows:  # generated rows join at their generator, if their parent is still there
            if row.entry == i and row.new is None:
                parent = by_id[row.record.parent_id]
                if parent.new is not None:
                    counts["parent_rejected"] += 1
                    stats[STAGE].created += 1
                    reject(row, STAGE, f"parent-rejected: {parent.record.id} is now rejected at {parent.new[0]} "
                                       "(a fresh run would not have made this row)")
                else:
                    stats[creator[i]].created += 1
                    stats[creator[i]].passed += 1
        live = [r for r in rows if r.new is None and r.entry <= i and _applies(entry, r)]
        if scorer is not None:
            counts["scored_now"] += _score_missing(name, decider, [r for r in live if not reached(r, i)], scorer)
        if decider is not None and decider.stateful:
            live = _in_order(name, live, unscored)
        for row in live:
            st.seen += 1
            if decider is None and scorer is not None and name in made and not reached(row, i):
                # A generator the row never reached: it passes on, but whatever rows a fresh run would have
                # made from it are not made here (no generator runs); counted, so the gap is known.
                counts["new_at_generators"] += 1
                st.passed += 1
                continue
            if not reached(row, index[name]):
                counts["unscored"] += 1
                st.seen -= 1
                stats[STAGE].seen += 1
                reject(row, STAGE, f"unscored: passes the new thresholds up to {name}, which never scored it (the "
                                   f"old run rejected it at {row.old[0] if row.old else '?'}): run `lrl augment` "
                                   "again to judge it")
                continue
            if decider is None:  # not a filter: its rejections stand
                if row.old is not None and row.old[0] == name:
                    reject(row, name, row.old[1])
                else:
                    st.passed += 1
                continue
            prefix = f"{name}."
            scores = {k[len(prefix):]: v for k, v in row.record.scores.items() if k.startswith(prefix)}
            try:
                reason = decider.decide(row.record, scores)
            except Undecidable as exc:
                counts["unscored"] += 1
                st.seen -= 1
                stats[STAGE].seen += 1
                reject(row, STAGE, f"unscored: {name} cannot re-decide it: {exc}; run `lrl augment` again")
                continue
            if reason:
                reject(row, name, reason)
            else:
                st.passed += 1
    return stats, counts


def _score_missing(name: str, decider: Filter | None, missing: list[Row], scorer: Scorer) -> int:
    """Score ``missing`` rows at filter ``name`` (they now get there; the old run never scored them there)."""
    if decider is None or not missing:
        return 0
    got = scorer(name, [r.record for r in missing])
    if got is None:
        return 0
    for row, scores in zip(missing, got, strict=True):
        row.record.scores.update({f"{name}.{k}": v for k, v in scores.items()})
        row.rescored.add(name)
    return len(missing)


def _in_order(name: str, live: list[Row], unscored: Callable[[Row, str], None]) -> list[Row]:
    """A stateful stage's rows (dedup) in the order the run scored them (``seq``). A row scored only now has
    no place in that order: it is decided last when nothing else there shares its key (first occurrence or
    not, the decision is the same), and left unscored when something does."""
    old = sorted((r for r in live if name not in r.rescored),
                 key=lambda r: float(r.record.scores.get(f"{name}.seq", -1)))
    now = [r for r in live if name in r.rescored]
    if not now:
        return old

    def key(r: Row) -> Any:
        return r.record.scores.get(f"{name}.key", r.record.scores.get(f"{name}.exact"))

    shared = Counter(key(r) for r in live)
    out = []
    for row in now:
        if shared[key(row)] > 1 or f"{name}.minhash_jaccard" in row.record.scores:
            unscored(row, f"unscored: scored at {name} only now, where its place among the rows sharing its key "
                          "is unknown: run `lrl augment` again to judge it")
        else:
            row.record.scores.pop(f"{name}.seq", None)  # a fresh scorer's count, not the run's order
            out.append(row)
    return old + out


def strip_later_scores(row: Row, order: dict[str, int]) -> None:
    """A row rejected earlier than before loses the scores of stages it no longer reaches (as in a fresh run)."""
    if row.new is None or row.new[0] not in order:
        return
    last = order[row.new[0]]
    row.record.scores = {k: v for k, v in row.record.scores.items() if order.get(k.split(".", 1)[0], -1) <= last}
