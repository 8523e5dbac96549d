"""The command line: parse arguments, call the library, print a summary. No logic lives here."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from lrl import __version__
from lrl.commands import add_run_commands
from lrl.errors import EXIT_BUG, EXIT_CODES, EXIT_CONFIG, EXIT_INTERRUPTED, EXIT_IO, LrlError
from lrl.eval_commands import add_eval_commands
from lrl.steplist import add_steps_command


def _augment(args: argparse.Namespace) -> int:
    from lrl import config
    from lrl.languages import find_plugin
    from lrl.pipeline import Inputs, run
    from lrl.summary import summary_lines

    plugin = find_plugin(args.lang, args.languages_dir)
    overrides = config.parse_overrides(args.set)
    if args.out:
        overrides["out_dir"] = args.out
    if args.seed is not None:
        overrides["seed"] = args.seed
    if args.exclude:
        overrides["decontaminate.exclude"] = args.exclude
    if args.workers is not None:
        overrides["run.workers"] = args.workers
    if args.executor is not None:
        overrides["run.executor"] = args.executor
    inputs = Inputs(mono=args.mono, parallel=args.parallel, mono_en=args.mono_en)
    run_dir, cfg = None, None
    if args.resume:
        from lrl.resume import resumed_settings

        run_dir = Path(args.resume)
        # Nothing given but the folder: the run's own settings and inputs; anything given is checked
        # against them (the refusal names what differs).
        given = bool(args.set or args.config or args.seed is not None or args.exclude)
        cfg, recorded = resumed_settings(run_dir, plugin.code)
        if given:
            cfg = config.resolve(plugin.defaults, str(plugin.manifest), args.config,
                                 {**overrides, "out_dir": cfg["out_dir"]})
        else:  # how to execute may change on resume: it does not change the rows
            cfg["run"].update({k.split(".")[1]: v for k, v in overrides.items() if k.startswith("run.") and k in (
                "run.workers", "run.executor")})
        if not (args.mono or args.parallel or args.mono_en):
            inputs = Inputs(**recorded)
    elif args.run_id:
        from lrl.resume import run_dir_for

        cfg = config.resolve(plugin.defaults, str(plugin.manifest), args.config, overrides)
        run_dir = run_dir_for(Path(cfg["out_dir"]), plugin.code, args.run_id)
    else:
        cfg = config.resolve(plugin.defaults, str(plugin.manifest), args.config, overrides)
    result = run(plugin, cfg, inputs, progress=not args.quiet, rank=args.rank, world_size=args.world_size,
                 run_dir=run_dir)
    if not result.complete:
        print(f"{result.run_dir}: rank {args.rank} of {args.world_size} done; {result.shards_done} of "
              f"{result.shards_total} shards finished. The run completes when the last rank finishes, or with: "
              f"lrl merge {result.run_dir}")
        return 0
    for line in summary_lines(result.manifest, result.kept_by_origin, result.run_dir):
        print(line)
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
        return EXIT_CONFIG
    print(f"{plugin.code}: OK")
    return 0


def _lang_new(args: argparse.Namespace) -> int:
    from lrl.languages.scaffold import scaffold

    path = scaffold(args.code, Path(args.dir), name=args.name, script=args.script)
    print(f"created {path} — edit the files, then run: lrl lang check {path}")
    return 0


def _lid_train(args: argparse.Namespace) -> int:
    from lrl.models.lid import parse_spec, train

    builtin = [x.strip() for x in args.with_builtin.split(",") if x.strip()] if args.with_builtin else None
    report = train([parse_spec(s) for s in args.files], args.out, with_builtin=builtin,
                   features_per_label=args.features_per_label, holdout=args.holdout)
    for line in report.summary():
        print(line)
    print(f"wrote {args.out} — copy it into languages/<code>/ and set [langid] model = \"{args.out.name}\"")
    return 0


def _bootstrap(args: argparse.Namespace) -> int:
    from lrl.languages import find_plugin
    from lrl.models.bootstrap import BootstrapSettings, bootstrap

    plugin = find_plugin(args.lang, args.languages_dir)
    code = plugin.code
    directions = [f"{code}-en", f"en-{code}"] if args.direction == "both" else [args.direction or f"{code}-en"]
    for d in directions:
        s = BootstrapSettings(direction=d, minutes=args.minutes, templates=args.templates,
                              eval_every=args.eval_every * 60)
        out = None if args.out is None else (Path(args.out) / d if len(directions) > 1 else Path(args.out))
        res = bootstrap(plugin, args.parallel, s, dev=args.dev, out=out, use_cache=not args.no_cache,
                        log=None if args.quiet else (lambda msg: print("  " + msg, flush=True)))
        m = res.manifest
        t = m["training"]
        print(f"lrl bootstrap {d}: {'cached' if res.cached else 'trained'} {m['model']['params'] / 1e6:.1f}M params, "
              f"{t['steps']:,} steps / {t['epochs']} epochs in {t['train_s'] / 60:.1f} min "
              f"({t['tok_per_s']:,} tokens/s) — dev chrF {m['dev'].get('chrf')}, chrF++ {m['dev'].get('chrf++')}, "
              f"BLEU {m['dev'].get('bleu')} on {m['data']['dev_pairs']} pairs")
        print(f"  model: {res.ct2_dir}  (CTranslate2 + source.spm/target.spm; manifest lrl-model.json)")
        print(f"  use it: lrl augment --lang {code} --set bt.model={res.ct2_dir}  (augment also picks a cached "
              "model by itself when its dev chrF++ beats the IBM-1 tables')")
    return 0


def _models_list(args: argparse.Namespace) -> int:
    from lrl.models import cache_root
    from lrl.models.catalog import list_models

    models = list_models()
    if not models:
        print(f"no models in {cache_root()} yet: `lrl augment` trains IBM-1 tables, `lrl bootstrap` a transformer")
    for m in models:
        dev = f"dev chrF++ {m.dev_chrfpp:.1f} ({m.dev_rows} rows)" if m.dev_chrfpp is not None else "no dev score"
        print(f"{m.kind}\t{m.direction or '?'}\t{dev}\t{m.translator_dir}")
    return 0


def _models_convert(args: argparse.Namespace) -> int:
    from lrl.models.resolve import resolve

    r = resolve(args.model, quantization=None if args.quantization == "none" else args.quantization)
    print(f"{'converted' if r.converted else 'already converted'}: {r.path} ({r.kind}) — use it with "
          f"--set bt.model={r.path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    codes = "\n".join(f"  {code:>3}  {meaning}" for code, meaning in EXIT_CODES)
    p = argparse.ArgumentParser(prog="lrl", description="Training data for low-resource languages.",
                                epilog=f"exit codes:\n{codes}", formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"lrl {__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0,
                   help="log more (to stderr): -v lrl's info messages, -vv debugging detail")
    p.add_argument("-q", "--quiet", dest="log_quiet", action="store_true", help="log errors only")
    p.add_argument("--debug", action="store_true", help="show the traceback of an unexpected error (or LRL_DEBUG=1)")
    p.add_argument("--languages-dir", type=Path, action="append", default=[],
                   help="a folder of language plugins to search first (repeatable)")
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("augment", help="generate and filter training data for a language")
    a.add_argument("--lang", required=True, help="plugin code (e.g. yo) or a plugin folder")
    a.add_argument("--mono", nargs="+", default=[], metavar="PATH",
                   help="monolingual text in the language (txt, tsv, jsonl, conll, parquet, datasets folder)")
    a.add_argument("--parallel", nargs="+", default=[], metavar="PATH",
                   help="English–language pairs (tsv with header, jsonl, datasets folder, or EN_FILE,LRL_FILE)")
    a.add_argument("--mono-en", nargs="+", default=[], metavar="PATH",
                   help="English monolingual text to forward-translate into the language (origin ft)")
    a.add_argument("--exclude", nargs="+", default=[], metavar="PATH",
                   help="test data to keep out of the output (rows whose either side occurs in it are rejected)")
    a.add_argument("--config", type=Path, help="a TOML file of settings (same keys as --set)")
    a.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a setting, e.g. --set templates.count=500 (repeatable)")
    a.add_argument("--out", help="output root (default: out)")
    a.add_argument("--seed", type=int)
    a.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    a.add_argument("--workers", type=int, metavar="N",
                   help="worker processes on this machine (run.workers; 0 = one per core)")
    a.add_argument("--executor", choices=("local", "ray"),
                   help="local processes (default) or Ray actors (run.executor; pip install 'lrl[ray]')")
    a.add_argument("--resume", metavar="DIR", help="continue an interrupted run from its finished shards, "
                   "with its recorded settings and inputs (`lrl runs list` shows the resumable ones)")
    a.add_argument("--rank", type=int, default=0, help="this process's rank (Slurm: $SLURM_ARRAY_TASK_ID)")
    a.add_argument("--world-size", type=int, default=1, help="how many ranks share the run (Slurm: the array size)")
    a.add_argument("--run-id", help="the run folder's name, shared by all ranks (e.g. $SLURM_ARRAY_JOB_ID): "
                   "out/<lang>/<run-id>")
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

    bs = sub.add_parser("bootstrap", help="train a small Marian translator from seed pairs on CPU (CTranslate2)")
    bs.add_argument("--lang", required=True, help="plugin code (e.g. yo) or a plugin folder")
    bs.add_argument("--parallel", nargs="+", default=[], metavar="PATH",
                    help="seed English–language pairs (default: the plugin's examples)")
    bs.add_argument("--direction", help="<lang>-en (default), en-<lang>, or both")
    bs.add_argument("--minutes", type=float, default=20.0, help="training budget per direction (default 20)")
    bs.add_argument("--dev", help="dev pairs to score the model on (default: 500 held-out seed pairs)")
    bs.add_argument("--templates", type=int, default=0, help="add this many template renderings to training")
    bs.add_argument("--eval-every", type=float, default=0.0, help="minutes between dev evaluations (0: at the end)")
    bs.add_argument("--out", help="also copy the model folder here (default: only the cache)")
    bs.add_argument("--no-cache", action="store_true", help="train even if a cached model matches")
    bs.add_argument("-q", "--quiet", action="store_true")
    bs.set_defaults(func=_bootstrap)

    models = sub.add_parser("models", help="models on this machine: list, convert").add_subparsers(
        dest="models_command", required=True)
    ml = models.add_parser("list", help="cached IBM-1 tables, bootstrap transformers and CTranslate2 conversions")
    ml.set_defaults(func=_models_list)
    mc = models.add_parser("convert", help="convert a transformers checkpoint to CTranslate2 (cached)")
    mc.add_argument("model", help="a checkpoint folder or a Hugging Face id (from the local cache when offline)")
    mc.add_argument("--quantization", default="int8", help="int8 (default), int8_float32, float16 or none")
    mc.set_defaults(func=_models_convert)

    add_eval_commands(sub)
    add_run_commands(sub)
    add_steps_command(sub)

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


def process_defaults() -> None:
    """Defaults for an lrl process (the CLI, and eval/bench runs that stand for it). Arrow's malloc pool
    instead of its default mimalloc: once the parquet writer has run, mimalloc keeps ~27 MiB more resident
    (equivalent-filters run on 20k pairs, peak 257 → 230 MiB, same time, measured while profiling issue 11). Only a
    default — the user's ARROW_DEFAULT_MEMORY_POOL wins — and read by Arrow at its first allocation, so it
    has no effect once this process has used pyarrow."""
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; every failure ends as one line on stderr and an exit code (``lrl --help``)."""
    process_defaults()
    args = build_parser().parse_args(argv)
    level = logging.ERROR if args.log_quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    # other libraries keep to warnings; -v/-vv open up lrl's own loggers only
    logging.basicConfig(level=max(level, logging.WARNING), format="lrl: %(levelname)s: %(message)s",
                        stream=sys.stderr)
    logging.getLogger("lrl").setLevel(level)
    debug = args.debug or os.environ.get("LRL_DEBUG", "") not in ("", "0")
    try:
        return int(args.func(args))
    except LrlError as exc:
        if debug:
            traceback.print_exc()
        print(f"lrl: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("lrl: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:  # the system refused a read or write lrl had no reason to expect to fail
        if debug:
            traceback.print_exc()
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"lrl: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_IO
    except Exception as exc:
        if debug:
            traceback.print_exc()
        msg = " ".join(str(exc).split())[:300]
        print(f"lrl: internal error: {type(exc).__name__}: {msg} — this is a bug in lrl; please report it with "
              "the command you ran (run it again with --debug or LRL_DEBUG=1 to see the traceback)",
              file=sys.stderr)
        return EXIT_BUG
