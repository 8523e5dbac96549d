"""The command line: parse arguments, call the library, print a summary. No logic lives here."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from lrl import __version__
from lrl.errors import LrlError


def _augment(args: argparse.Namespace) -> int:
    from lrl import config
    from lrl.languages import find_plugin
    from lrl.pipeline import Inputs, run

    plugin = find_plugin(args.lang, args.languages_dir)
    overrides = config.parse_overrides(args.set)
    if args.out:
        overrides["out_dir"] = args.out
    if args.seed is not None:
        overrides["seed"] = args.seed
    if args.exclude:
        overrides["decontaminate.exclude"] = args.exclude
    cfg = config.resolve(plugin.defaults, str(plugin.manifest), args.config, overrides)
    result = run(plugin, cfg, Inputs(mono=args.mono, parallel=args.parallel), progress=not args.quiet)
    m = result.manifest
    t = m["totals"]
    print(f"lrl augment {plugin.code}: {t['generated']:,} rows in → {t['kept']:,} kept, "
          f"{t['rejected']:,} rejected  ({m['duration_s']:.1f} s)")
    print("  kept by origin: " + ", ".join(f"{o} {n:,}" for o, n in result.kept_by_origin.most_common()))
    reasons = [(f"{stage}/{r}", n) for stage, s in m["stages"].items() for r, n in s["reasons"].items()]
    if reasons:
        reasons.sort(key=lambda x: -x[1])
        print("  rejected by reason: " + ", ".join(f"{r} {n:,}" for r, n in reasons[:8]))
    print(f"  output: {result.run_dir}  (also {result.run_dir.parent / 'latest'})")
    print(f"  load it: datasets.load_dataset(\"{result.run_dir.parent / 'latest'}\", split=\"train\")")
    return 0


def _lang_list(args: argparse.Namespace) -> int:
    from lrl.languages import list_plugins

    for p in list_plugins(args.languages_dir):
        print(f"{p.code}\t{p.name}\t{p.script}\tlangid={p.langid['label']}\t{p.path}")
    return 0


def _lang_check(args: argparse.Namespace) -> int:
    from lrl.languages import find_plugin
    from lrl.languages.check import check_plugin

    plugin = find_plugin(args.code, args.languages_dir)
    report = check_plugin(plugin)
    for line in report.lines:
        print(line)
    if report.problems:
        print(f"\n{plugin.path}: {len(report.problems)} problem(s) to fix:", file=sys.stderr)
        for p in report.problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(f"{plugin.code}: OK")
    return 0


def _lang_new(args: argparse.Namespace) -> int:
    from lrl.languages.scaffold import scaffold

    path = scaffold(args.code, Path(args.dir), name=args.name, script=args.script)
    print(f"created {path} — edit the files, then run: lrl lang check {path}")
    return 0


def _lid_train(args: argparse.Namespace) -> int:
    from lrl.languages.lidtrain import parse_spec, train

    builtin = [x.strip() for x in args.with_builtin.split(",") if x.strip()] if args.with_builtin else None
    report = train([parse_spec(s) for s in args.files], args.out, with_builtin=builtin,
                   features_per_label=args.features_per_label, holdout=args.holdout)
    for line in report.summary():
        print(line)
    print(f"wrote {args.out} — copy it into languages/<code>/ and set [langid] model = \"{args.out.name}\"")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lrl", description="Training data for low-resource languages.")
    p.add_argument("--version", action="version", version=f"lrl {__version__}")
    p.add_argument("--languages-dir", type=Path, action="append", default=[],
                   help="a folder of language plugins to search first (repeatable)")
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("augment", help="generate and filter training data for a language")
    a.add_argument("--lang", required=True, help="plugin code (e.g. yo) or a plugin folder")
    a.add_argument("--mono", nargs="+", default=[], metavar="PATH",
                   help="monolingual text in the language (txt, tsv, jsonl, conll, parquet, datasets folder)")
    a.add_argument("--parallel", nargs="+", default=[], metavar="PATH",
                   help="English–language pairs (tsv with header, jsonl, datasets folder, or EN_FILE,LRL_FILE)")
    a.add_argument("--exclude", nargs="+", default=[], metavar="PATH",
                   help="test data to keep out of the output (rows whose either side occurs in it are rejected)")
    a.add_argument("--config", type=Path, help="a TOML file of settings (same keys as --set)")
    a.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a setting, e.g. --set templates.count=500 (repeatable)")
    a.add_argument("--out", help="output root (default: out)")
    a.add_argument("--seed", type=int)
    a.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    a.set_defaults(func=_augment)

    lang = sub.add_parser("lang", help="language plugins: list, check, new").add_subparsers(
        dest="lang_command", required=True)
    ls = lang.add_parser("list", help="list the plugins found")
    ls.set_defaults(func=_lang_list)
    ck = lang.add_parser("check", help="validate a plugin and prove it works")
    ck.add_argument("code", help="plugin code or folder")
    ck.set_defaults(func=_lang_check)
    nw = lang.add_parser("new", help="scaffold a new plugin folder")
    nw.add_argument("code")
    nw.add_argument("--dir", default="languages", help="where to create it (default: languages)")
    nw.add_argument("--name", default="", help="English name of the language")
    nw.add_argument("--script", default="Latn", help="ISO 15924 script code (default: Latn)")
    nw.set_defaults(func=_lang_new)

    lid = sub.add_parser("lid", help="language-ID models: train").add_subparsers(
        dest="lid_command", required=True)
    tr = lid.add_parser("train", help="train a langid-format model from one text file per language")
    tr.add_argument("files", nargs="+", metavar="LABEL=FILE",
                    help="UTF-8 text, one sentence per line, e.g. xx=my_language.txt en=english.txt")
    tr.add_argument("--out", type=Path, required=True,
                    help="model file to write, e.g. languages/xx/lid.model")
    tr.add_argument("--with-builtin", metavar="LABELS",
                    help="comma-separated labels to keep from py3langid's built-in model, e.g. en,ig,vi "
                         "(your labels are then learnt in its feature space)")
    tr.add_argument("--features-per-label", type=int, default=1000,
                    help="n-grams kept per label (default 1000)")
    tr.add_argument("--holdout", type=int, default=10,
                    help="score every Nth line held out before the final training; 0 = skip (default 10)")
    tr.set_defaults(func=_lid_train)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except LrlError as exc:
        print(f"lrl: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lrl: interrupted", file=sys.stderr)
        return 130
