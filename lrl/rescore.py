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
  kept set then holds fewer rows than a fresh run's) — unless ``score_missing`` (``--score-missing``): then
  the run's own steps, rebuilt from its manifest (lrl/rescore_scorer.py), score those rows at those stages
  and the decisions are a fresh run's (tests/test_rescore.py); at dedup, a row scored only now is decided
  when no other row there shares its key (else its place in dedup's order is unknown: ``unscored``); such a
  row passes generators it never reached, counted (``new_at_generators``), no rows made. Rows a generator
  made from a row that is now rejected are dropped (``parent-rejected``), since a fresh run would not have
  made them; a row that now passes gets no new generated rows. Generators that cap or sample over the rows
  they see (``bt.max_rows``, ``substitute.max_rows``, sampled paraphrase) may have picked other parents in a
  fresh run.

Only settings some stage of the run declares ``rescorable`` may change (a threshold, not a model, a
generator, or a setting that changes what is scored); anything else is refused, naming the setting.
"""

from __future__ import annotations

import datetime as _dt
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrl.errors import ConfigError
from lrl.replay import load_rows, replay, strip_later_scores
from lrl.rescore_scorer import RunScorer


@dataclass
class RescoreResult:
    run_dir: Path
    manifest: dict[str, Any]
    kept_by_origin: Counter[str] = field(default_factory=Counter)


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


def rescore(run_dir: Path, changes: dict[str, Any], out_dir: Path | None = None,
            score_missing: bool = False) -> RescoreResult:
    """Re-apply ``changes`` (dotted setting → value) to the run in ``run_dir``; writes a new run folder in
    ``out_dir`` (default: beside the run) and returns it. ``score_missing``: rows a loosened threshold lets
    reach a filter that never scored them are scored there by the run's own steps, rebuilt from its
    settings, plugin and inputs (lrl/rescore_scorer.py), instead of being rejected as ``unscored``."""
    from lrl.io.card import render_card
    from lrl.io.outdir import new_run_dir
    from lrl.io.writers import PairSplitWriter, RejectWriter, write_json
    from lrl.pipeline import point_latest, write_report
    from lrl.run_record import versions

    started = time.time()
    run_dir = run_dir.resolve()
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    cfg, moved = apply_changes(manifest, changes)
    rows = load_rows(run_dir, manifest)
    new = json.loads(json.dumps(manifest))
    scorer = RunScorer(manifest) if score_missing else None
    try:
        stats, counts = replay(new, rows, changes, scorer)
    finally:
        if scorer is not None:
            scorer.close()
    order = {n: i for i, n in enumerate(["read", *(e["name"] for e in new["steps"])])}

    code = manifest["language"]["code"]
    new_dir = new_run_dir(out_dir or run_dir.parent.parent, code)
    src_lang = manifest["config"].get("src_lang", "en")
    shards = PairSplitWriter(new_dir / "data", src_lang, code, manifest["config"]["output"]["shard_rows"],
                             prefix=f"train-{new_dir.name}")
    rejects = RejectWriter(new_dir / "rejected.jsonl")
    kept_by_origin: Counter[str] = Counter()
    for row in rows:
        strip_later_scores(row, order)
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
