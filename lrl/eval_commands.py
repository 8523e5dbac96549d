"""``lrl eval`` and ``lrl eval-classify``: the downstream proofs' commands (parse, call lrl.evaluation, write
the results file). Kept apart from lrl/cli.py so each command module stays small."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from lrl.errors import LrlError


def _eval(args: argparse.Namespace) -> int:
    from lrl import config
    from lrl.evaluation import experiment, report
    from lrl.languages import find_plugin

    plugin = find_plugin(args.lang, args.languages_dir)
    s = experiment.load_settings(args.config, plugin.code, {
        "seed_data": args.seed_data, "test": args.test, "mono": args.mono, "run": args.run,
        "model": args.model, "minutes": args.minutes})
    if args.set:
        s.augment_set = {**s.augment_set, **config.parse_overrides(args.set)}
    if args.quick:
        s = experiment.quick(s)
    res = experiment.run_eval(plugin, s, log=lambda msg: print(msg, flush=True))
    stem = args.config.stem if args.config else plugin.code
    model = "" if s.model == "ibm1" else f"-{s.model.replace('+', '')}"
    name = f"{stem}{model}{'-quick' if args.quick else ''}"
    out = _results_file(args, Path(s.out_dir), name)
    png = out.with_suffix(".png")
    has_plot = report.plot(res, png)
    return _write_results(out, report.render(res, _command(args), png.name if has_plot else None), res)


def _eval_classify(args: argparse.Namespace) -> int:
    from lrl import config
    from lrl.evaluation import classify, classify_report
    from lrl.languages import find_plugin

    plugin = find_plugin(args.lang, args.languages_dir)
    cfg_path = args.config
    if cfg_path is None and Path(f"eval/configs/classify-{plugin.code}.toml").is_file():  # in a checkout
        cfg_path = Path(f"eval/configs/classify-{plugin.code}.toml")
    s = classify.load_settings(cfg_path, plugin.code, {"test": args.test, "run": args.run})
    if args.set:
        s.augment_set = {**s.augment_set, **config.parse_overrides(args.set)}
    if args.quick:
        s = classify.quick(s)
    res = classify.run_classify(plugin, s, log=lambda msg: print(msg, flush=True))
    name = f"classify-{plugin.code}{'-quick' if args.quick else ''}"
    out = _results_file(args, Path(s.out_dir), name)
    return _write_results(out, classify_report.render(res, _command(args)), res)


def _results_file(args: argparse.Namespace, out_dir: Path, name: str) -> Path:
    """--results, else a new folder per eval: a user's own yo.toml must never overwrite the committed
    eval/results/yo.md (`make eval` passes --results for that)."""
    out = Path(args.results) if args.results else _new_eval_dir(out_dir / "eval", name) / f"{name}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def _command(args: argparse.Namespace) -> str:
    """How the results name the command that made them: --label, else this command line."""
    return " ".join(["lrl", *sys.argv[1:]]) if args.command_line is None else args.command_line


def _write_results(out: Path, markdown: str, res: dict[str, Any]) -> int:
    """The results page and its numbers as JSON beside it (numpy floats as floats)."""
    import json

    out.write_text(markdown, encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(res, indent=1, ensure_ascii=False, default=float) + "\n",
                                        encoding="utf-8")
    print(f"wrote {out} ({res['wall_seconds'] / 60:.1f} min)")
    return 0


def _new_eval_dir(root: Path, name: str) -> Path:
    import datetime as dt

    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        d = root / (f"{name}-{stamp}" if n == 0 else f"{name}-{stamp}-{n}")
        try:
            d.mkdir(parents=True)
            return d
        except FileExistsError:
            continue
    raise LrlError(f"{root}: cannot make a new results folder")


def add_eval_commands(sub: Any) -> None:
    ev = sub.add_parser("eval", help="prove the data helps: downstream MT, seed only vs seed + synthetic")
    ev.add_argument("--lang", required=True)
    ev.add_argument("--config", type=Path, help="eval settings (TOML), e.g. eval/configs/yo.toml")
    ev.add_argument("--seed-data", nargs="+", default=[], metavar="PATH", help="seed parallel data")
    ev.add_argument("--test", help="held-out test set: TSV with header, JSONL or EN_FILE,LRL_FILE")
    ev.add_argument("--mono", nargs="+", default=[], metavar="PATH", help="monolingual text to back-translate")
    ev.add_argument("--run", help="use this augment run folder instead of running augment")
    ev.add_argument("--model", help="downstream model: ibm1 (seconds) or marian (--minutes per system)")
    ev.add_argument("--minutes", type=float, help="training budget per system and direction (marian)")
    ev.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="a setting for the augment run, as for `lrl augment --set`")
    ev.add_argument("--quick", action="store_true", help="seconds, small data: for tests and a first look")
    ev.add_argument("--results", help="markdown file to write, with .png and .json beside it (default: a new "
                    "folder out/eval/<config>[-model][-quick]-<time>/)")
    ev.add_argument("--label", "--command-line", dest="command_line", metavar="TEXT",
                    help="how the results name the command that made them (default: this lrl command line; "
                         "make eval passes its own)")
    ev.set_defaults(func=_eval)

    ec = sub.add_parser("eval-classify", help="prove the data helps a classifier: translate-train topic "
                        "classification, real vs synthetic vs both")
    ec.add_argument("--lang", required=True)
    ec.add_argument("--config", type=Path, help="settings (TOML; default eval/configs/classify-<lang>.toml "
                    "when run in a checkout)")
    ec.add_argument("--test", help="score on this MasakhaNEWS-format file (category<TAB>headline<TAB>text<TAB>url, "
                    "header row) instead of the held-out split")
    ec.add_argument("--run", help="use this earlier eval-classify augment run instead of translating again")
    ec.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="a setting for the augment run, as for `lrl augment --set`")
    ec.add_argument("--quick", action="store_true", help="one small size, two draws: seconds, for a first look")
    ec.add_argument("--results", help="markdown file to write, with .json beside it (default: a new folder "
                    "out/eval/classify-<lang>-<time>/)")
    ec.add_argument("--label", "--command-line", dest="command_line", metavar="TEXT",
                    help="how the results name the command that made them (make passes its own)")
    ec.set_defaults(func=_eval_classify)
