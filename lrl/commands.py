"""Commands that work on run folders: ``report``, ``export``, ``review export|import``, ``merge``, ``runs``.

Kept apart from ``cli.py`` so that file stays a table of contents; ``add_run_commands`` registers them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from lrl.errors import LrlError


def _report(args: argparse.Namespace) -> int:
    from lrl.report import build_report

    print(f"wrote {build_report(_run_dir(args.run))}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from lrl.io.export import export_run

    res = export_run(_run_dir(args.run), args.format, Path(args.out) if args.out else None)
    pairs = ", ".join(f"{o} {n:,}" for o, n in res.pairs.most_common())
    mono = ", ".join(f"{o} {n:,}" for o, n in res.mono.most_common())
    print(f"wrote {len(res.files)} files to {res.out_dir}: {sum(res.pairs.values()):,} pairs ({pairs or 'none'})"
          + (f"; monolingual {mono}" if mono else "")
          + (f"; {res.cleaned:,} sentences had tabs or line breaks made spaces" if res.cleaned else ""))
    return 0


def _review_export(args: argparse.Namespace) -> int:
    from lrl.review import export_sample

    run = _run_dir(args.run)
    out = Path(args.out) if args.out else run / "review" / f"review-{run.resolve().name}.csv"
    n = export_sample(run, out, n=args.n, rejected_share=args.rejected_share, seed=args.seed)
    print(f"wrote {out} ({n} rows): fill `verdict` (accept/reject) and, where a side is wrong, corrected_src / "
          f"corrected_tgt; then: lrl review import {args.run} {out}")
    return 0


def _review_import(args: argparse.Namespace) -> int:
    from lrl.review import import_review

    rep = import_review(_run_dir(args.run), Path(args.file), Path(args.out) if args.out else None, args.target)
    for line in rep.lines():
        print(line)
    return 0


def _rescore(args: argparse.Namespace) -> int:
    from lrl import config
    from lrl.rescore import rescore

    res = rescore(_run_dir(args.run), config.parse_overrides(args.set), Path(args.out) if args.out else None,
                  score_missing=args.score_missing)
    m = res.manifest
    frm = m["rescored_from"]
    print(f"wrote {res.run_dir}: kept {m['totals']['kept']:,} of {m['totals']['generated']:,} rows "
          f"(stages re-decided with new settings: {', '.join(frm['stages_changed']) or 'none'})")
    if frm["unscored"]:
        print(f"  {frm['unscored']:,} rows now pass a stage whose later stages never scored them: rejected as "
              "'unscored' (--score-missing scores them with the run's own models; or run `lrl augment` again)")
    if frm.get("scored_now"):
        print(f"  {frm['scored_now']:,} row-stages scored now with the run's own models (--score-missing)")
    if frm.get("new_at_generators"):
        print(f"  {frm['new_at_generators']:,} rows now reach a generator the run never gave them to: rows a "
              "fresh run may make from them are not made")
    if frm["parent_rejected"]:
        print(f"  {frm['parent_rejected']:,} generated rows dropped: the row they were made from is now rejected")
    return 0


def _merge(args: argparse.Namespace) -> int:
    from lrl.pipeline import merge
    from lrl.summary import summary_lines

    result = merge(Path(args.run))
    for line in summary_lines(result.manifest, result.kept_by_origin, result.run_dir):
        print(line)
    return 0


def _runs_list(args: argparse.Namespace) -> int:
    from lrl.io.rundir import list_runs

    runs = list_runs(Path(args.out), args.lang)
    for info in runs:
        print(info.line())
    if not runs:
        print(f"no runs under {Path(args.out) / (args.lang or '')}")
    return 0


def _runs_clean(args: argparse.Namespace) -> int:
    import sys

    from lrl.io.rundir import list_runs, remove_run

    doomed = [r for r in list_runs(Path(args.out), args.lang) if r.state in ("resumable", "incomplete")]
    if not doomed:
        print("no incomplete runs")
        return 0
    for info in doomed:
        print(info.line())
    if not args.yes:
        if not sys.stdin.isatty():
            raise LrlError(f"{len(doomed)} incomplete run(s) listed above; pass --yes to remove them")
        if input(f"remove these {len(doomed)} run folder(s)? [y/N] ").strip().lower() not in ("y", "yes"):
            print("nothing removed")
            return 0
    for info in doomed:
        remove_run(info)
    print(f"removed {len(doomed)} run folder(s)")
    return 0


def _run_dir(path: str) -> Path:
    run = Path(path)
    if not (run / "manifest.json").is_file():
        raise LrlError(f"{run}: not a run folder (no manifest.json) — pass out/<lang>/<run-id> or out/<lang>/latest")
    return run


def add_run_commands(sub: Any) -> None:
    """Register the run-folder commands on the top-level subparsers."""
    mg = sub.add_parser("merge", help="complete a run whose shards are all done (Slurm ranks: global dedup, "
                        "manifest, card, report, latest)")
    mg.add_argument("run", help="the shared run folder, out/<lang>/<run-id>")
    mg.set_defaults(func=_merge)

    runs = sub.add_parser("runs", help="run folders: list (with state), clean (remove incomplete ones)"
                          ).add_subparsers(dest="runs_command", required=True)
    for name, func, what in (
            ("list", _runs_list, "list run folders: complete, running, resumable or incomplete"),
            ("clean", _runs_clean, "remove run folders that are not complete and not running (resumable ones too)")):
        rl = runs.add_parser(name, help=what)
        rl.add_argument("--lang", help="only this language code (default: all)")
        rl.add_argument("--out", default="out", help="output root (default: out)")
        if name == "clean":
            rl.add_argument("--yes", action="store_true", help="do not ask")
        rl.set_defaults(func=func)

    rp = sub.add_parser("report", help="rebuild a run's report.html (plots of what was kept, dropped and why)")
    rp.add_argument("run", help="a run folder, e.g. out/yo/latest")
    rp.set_defaults(func=_report)

    ex = sub.add_parser("export", help="a run's kept rows as line-aligned text or TSV (Marian, OpusTrainer, "
                        "fairseq, OpenNMT)")
    ex.add_argument("run", help="a run folder, e.g. out/yo/latest")
    ex.add_argument("--format", choices=("text", "tsv"), default="text",
                    help="text: <split>.<origin>.en / .<lang> line-aligned; tsv: <split>.<origin>.tsv (en<TAB>lang)")
    ex.add_argument("--out", help="folder to write (default: RUN/export/<format>)")
    ex.set_defaults(func=_export)

    rs = sub.add_parser("rescore", help="re-apply changed thresholds to a finished run from its stored scores "
                        "(no models); writes a new run folder")
    rs.add_argument("run", help="a run folder, e.g. out/yo/latest")
    rs.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="a threshold to change, e.g. filters.fluency.min_score=-1.8 (repeatable)")
    rs.add_argument("--out", help="output root for the new run (default: the run's own out_dir)")
    rs.add_argument("--score-missing", action="store_true",
                    help="score rows a loosened threshold lets reach a filter that never scored them, with the "
                    "run's own models rebuilt from its settings and inputs (instead of rejecting them as unscored)")
    rs.set_defaults(func=_rescore)

    review = sub.add_parser("review", help="native-speaker review: export a sample, import the verdicts"
                            ).add_subparsers(dest="review_command", required=True)
    re_ = review.add_parser("export", help="a CSV sample stratified by origin and score band, with verdict columns")
    re_.add_argument("run", help="a run folder, e.g. out/yo/latest")
    re_.add_argument("--n", type=int, default=200, help="rows to sample (default 200)")
    re_.add_argument("--rejected-share", type=float, default=0.2,
                     help="share of the sample taken from rejected rows, to check the filters (default 0.2)")
    re_.add_argument("--seed", type=int, default=0)
    re_.add_argument("--out", help="CSV to write (default RUN/review/review-<run-id>.csv)")
    re_.set_defaults(func=_review_export)
    ri = review.add_parser("import", help="precision per origin and filter, suggested thresholds, a seed TSV")
    ri.add_argument("run", help="the run the sample came from")
    ri.add_argument("file", help="the filled CSV")
    ri.add_argument("--target", type=float, default=0.9, help="precision the suggested thresholds aim at")
    ri.add_argument("--out", help="folder for review-report.json and the seed TSV (default RUN/review)")
    ri.set_defaults(func=_review_import)
