"""``lrl rescore RUN --set filters.X=Y``: re-apply thresholds to a finished run from its stored scores.

No model is loaded and nothing is scored: every filter's decision is rebuilt from the manifest
(``Filter.decider``: the class, and the signature holding everything ``decide`` reads) with the changed
settings applied, and re-made from each row's stored scores (kept rows' ``scores`` column, rejected rows'
``scores`` in ``rejected.jsonl``). The result is a new run folder beside the old one (shards, rejected.jsonl,
manifest with ``rescored_from``, card, report; ``latest`` points to it).

The guarantee. Stages are replayed in pipeline order over the rows that reached them (in ``<stage>.seq``
order for dedup, whose decisions depend on the rows before):

* with no change, the kept set is the run's kept set, row for row (tests/test_rescore.py);
* with changed thresholds, the kept set is what a fresh run with those thresholds keeps, for every row the
  old run scored at each stage it now reaches. A row an earlier stage rejected was never scored by the later
  ones: when a loosened threshold lets it through, it is rejected at stage ``rescore`` with reason
  ``unscored: …`` naming the stage that has no scores for it, and counted in ``rescored_from.unscored`` (the
  kept set then holds fewer rows than a fresh run's: run ``lrl augment`` again for those). Rows a generator
  made from a row that is now rejected are dropped (``parent-rejected``), since a fresh run would not have
  made them; a row that now passes gets no new generated rows. Generators that cap or sample over the rows
  they see (``bt.max_rows``, ``substitute.max_rows``, sampled paraphrase) may have picked other parents in a
  fresh run.

Only settings some stage of the run declares ``rescorable`` may change (a threshold, not a model, a
generator, or a setting that changes what is scored); anything else is refused, naming the setting.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import json
import time
from collections import Counter
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


@dataclass
class RescoreResult:
    run_dir: Path
    manifest: dict[str, Any]
    kept_by_origin: Counter[str] = field(default_factory=Counter)


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


def _set_path(sig: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = sig
    for p in parents:
        node = node[p]
    node[leaf] = value


def apply_changes(manifest: dict[str, Any], changes: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The run's settings with ``changes`` (validated like ``--set`` on ``lrl augment``; ``changes`` is
    updated to the checked values, e.g. 2 → 2.0), and which stages they move; a ConfigError names every
    change no stage of the run can re-apply."""
    from lrl import config

    cfg = config.merge(manifest["config"], config.dotted_to_nested(changes), "lrl rescore --set")
    for key in changes:
        node: Any = cfg
        for part in key.split("."):
            node = node[part]
        changes[key] = node
    where: dict[str, list[str]] = {k: [] for k in changes}
    for entry in manifest["steps"]:
        for key in entry.get("rescorable") or {}:
            if key in changes:
                where[key].append(entry["name"])
    refused = [k for k, stages in where.items() if not stages]
    if refused:
        allowed = sorted({k for e in manifest["steps"] for k in (e.get("rescorable") or {})})
        raise ConfigError(
            f"lrl rescore --set: {', '.join(refused)} cannot be re-applied from stored scores (a model, a "
            "generator, a setting that changes what is scored, or a stage this run does not have) — run "
            f"`lrl augment` again with it. Re-applicable in this run: {', '.join(allowed) or 'none'}")
    return cfg, sorted({s for stages in where.values() for s in stages})


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


def replay(manifest: dict[str, Any], rows: list[Row], changes: dict[str, Any]) -> tuple[Stats, dict[str, int]]:
    """Re-make every decision of the run with ``changes``; fills each row's ``new`` verdict. Returns the
    new per-stage counts and how many rows could not be re-decided (``unscored``) or lost their parent."""
    steps = manifest["steps"]
    names = ["read", *(e["name"] for e in steps)]
    index = {n: i for i, n in enumerate(names)}
    deciders: list[Filter | None] = []
    for e in steps:
        sig = json.loads(json.dumps(e["signature"]))
        for key, path in (e.get("rescorable") or {}).items():
            if key in changes:
                _set_path(sig, path, changes[key])
        e["signature"] = sig  # the new manifest records the thresholds the new run used
        deciders.append(_decider(e))
    by_id = {r.record.id: r for r in rows}
    _entries(steps, rows, by_id)
    stats = Stats()
    counts = {"unscored": 0, "parent_rejected": 0}
    # The stage that made the rows entering at i: the last one before it that created rows in the old run
    # (bt makes the ft rows too, which enter after the bt checks).
    made = [n for n in names if manifest["stages"].get(n, {}).get("created")]
    creator = {i: next((n for n in reversed(names[:i]) if n in made), names[i - 1]) for i in range(1, len(names))}

    def reached(row: Row, stage_index: int) -> bool:
        return row.old is None or index.get(row.old[0], -1) >= stage_index

    def reject(row: Row, stage: str, reason: str) -> None:
        row.new = (stage, reason)
        st = stats[stage]
        st.rejected += 1
        st.reasons[reason_key(reason)] += 1
        st.by_origin[row.record.origin, reason_key(reason)] += 1

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
        if decider is not None and decider.stateful:
            live.sort(key=lambda r: float(r.record.scores.get(f"{name}.seq", -1)))
        for row in live:
            st.seen += 1
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


def _strip_later_scores(row: Row, order: dict[str, int]) -> None:
    """A row rejected earlier than before loses the scores of stages it no longer reaches (as in a fresh run)."""
    if row.new is None or row.new[0] not in order:
        return
    last = order[row.new[0]]
    row.record.scores = {k: v for k, v in row.record.scores.items() if order.get(k.split(".", 1)[0], -1) <= last}


def rescore(run_dir: Path, changes: dict[str, Any], out_dir: Path | None = None) -> RescoreResult:
    """Re-apply ``changes`` (dotted setting → value) to the run in ``run_dir``; writes a new run folder in
    ``out_dir`` (default: beside the run) and returns it."""
    from lrl.io.card import render_card
    from lrl.io.outdir import new_run_dir
    from lrl.io.writers import PairSplitWriter, RejectWriter, write_json
    from lrl.pipeline import point_latest, versions, write_report

    started = time.time()
    run_dir = run_dir.resolve()
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    cfg, moved = apply_changes(manifest, changes)
    rows = load_rows(run_dir, manifest)
    new = json.loads(json.dumps(manifest))
    stats, counts = replay(new, rows, changes)
    order = {n: i for i, n in enumerate(["read", *(e["name"] for e in new["steps"])])}

    code = manifest["language"]["code"]
    new_dir = new_run_dir(out_dir or run_dir.parent.parent, code)
    src_lang = manifest["config"].get("src_lang", "en")
    shards = PairSplitWriter(new_dir / "data", src_lang, code, manifest["config"]["output"]["shard_rows"],
                             prefix=f"train-{new_dir.name}")
    rejects = RejectWriter(new_dir / "rejected.jsonl")
    kept_by_origin: Counter[str] = Counter()
    for row in rows:
        _strip_later_scores(row, order)
        if row.new is None:
            shards.write(row.record)
            kept_by_origin[row.record.origin] += 1
        else:
            rejects.write(row.record, *row.new)
    data_files = shards.close()
    rejects.close()
    generated = stats["read"].seen + sum(s.created for s in stats.stages.values())
    totals = {"generated": generated, "kept": shards.rows, "rejected": rejects.rows}
    if generated != shards.rows + rejects.rows or len(rows) != generated:
        raise AssertionError(f"rescore accounting does not close: {totals}, {len(rows)} rows read "
                             "(a bug in lrl; please report it)")
    new.update({
        "run_id": new_dir.name,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "config": cfg,
        "stages": stats.as_dict(),
        "kept_by_origin": dict(kept_by_origin.most_common()),
        "totals": totals,
        "outputs": {**manifest["outputs"], "data": [p.relative_to(new_dir).as_posix() for p in data_files]},
        "versions": versions(),
        "rescored_from": {"run_id": manifest["run_id"], "path": str(run_dir), "changes": changes,
                          "stages_changed": moved, **counts},
    })
    for key in ("prepare_seconds", "shards_seconds", "write_seconds"):
        new.pop(key, None)  # the old run's timings do not describe this one
    new["duration_s"] = round(time.time() - started, 2)
    # The manifest last: it marks a run folder complete (lrl/io/rundir.py).
    (new_dir / "README.md").write_text(render_card(new, kept_by_origin, new_dir, shards.monolingual.rows),
                                       encoding="utf-8")
    write_report(new_dir, new)
    write_json(new_dir / "manifest.json", new)
    point_latest(new_dir)
    return RescoreResult(new_dir, new, kept_by_origin)
