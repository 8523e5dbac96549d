"""Throughput and memory as ratios measured in one run (issue 11), written to eval/bench/results.md.

Every comparison runs its variants A/B interleaved (A B A B A B), each in its own subprocess where peak
memory matters, and reports the median of the per-round ratios with their min and max, next to the
machine's CPU count and load average at the time (the project machine is shared; a ratio measured in one
round is what survives the load). Sections:

1. filter chain vs OpusFilter 3.3.1 (own venv, eval/bench/opusfilter_env.py) on the same en–yo pairs
   (eval/bench/corpus.py): lrl with OpusFilter's filters and decision rules (``LIKE_FOR_LIKE`` +
   ``EQUIVALENT``) in one process and on both cores, and with all its defaults; wall and CPU seconds, peak
   RSS; kept sets compared, each difference counted by row class (lrl's rejecting stage, or OpusFilter's
   dedup / first rejecting filter); lrl's quality filters as their own cost (``--chain`` picks the rows);
2. back-translation stage vs raw ``translate_iterable`` on the same random-weight OPUS-MT-shaped Marian;
3. forced decoding vs round-trip chrF: cost;
4. peak RSS of a monolingual run at two sizes, and 5. that run's per-stage seconds from its manifest;
6. CTranslate2 thread layouts; 7. each language-ID backend's speed.

    PYTHONPATH=. .venv/bin/python eval/bench/bench_speed.py [--quick] [--only 1,2] [--rounds 3]

Full run: ~25-40 min on 2 shared cores (100k pairs through both tools 3× each, 10k/100k-line runs);
``--quick`` (make bench quick=1) is a smoke check of every section in a few minutes, its numbers not for
the results file (it writes results-quick.md).
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared" / "data"
sys.path.insert(0, str(HERE))


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"lrl_bench_{name}", HERE / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


# --- measuring ---------------------------------------------------------------------------------------

def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


#: A child's entry: this file imported as a module (read from its bytecode; a script is compiled every run)
CHILD = f"import sys; sys.path.insert(0, {str(HERE)!r}); import bench_speed; bench_speed.main()"


def run_child(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``cmd``; wall seconds, its own peak RSS (MiB, from wait4) and the JSON on its last stdout line."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env={**os.environ, **(env or {})}, cwd=REPO)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        secs = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        text = out.read()
        if p.returncode:
            raise RuntimeError(f"{' '.join(cmd[:4])} … failed ({p.returncode}):\n{err.read()[-3000:]}")
    lines = [x for x in text.splitlines() if x.startswith("{")]
    info = json.loads(lines[-1]) if lines else {}
    return {"seconds": secs, "cpu": usage.ru_utime + usage.ru_stime, "rss_mib": usage.ru_maxrss / 1024, **info}


def interleave(variants: dict[str, Callable[[], dict[str, Any]]], rounds: int) -> dict[str, list[dict[str, Any]]]:
    """Each variant once per round, in turn (A B A B …); every result carries the load when it ended."""
    res: dict[str, list[dict[str, Any]]] = {k: [] for k in variants}
    for _ in range(rounds):
        for name, fn in variants.items():
            r = fn()
            r["load"] = os.getloadavg()[0]
            res[name].append(r)
    return res


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    """median (min–max)"""
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def loads(res: dict[str, list[dict[str, Any]]]) -> str:
    vals = [r["load"] for rs in res.values() for r in rs]
    return f"1-min load during the runs {min(vals):.2f}–{max(vals):.2f}"


# --- 1. filter chain vs OpusFilter ------------------------------------------------------------------

LIKE_FOR_LIKE = ["filters.privacy.enabled=false", "filters.markup.enabled=false", "filters.length.max_z=0",
                 "filters.length.cut_z=0", "filters.untranslated.enabled=false", "filters.fluency.enabled=false",
                 "filters.adequacy.enabled=false"]

OPUSFILTER_YAML = """common:
  output_directory: {out}
steps:
  - type: remove_duplicates
    parameters:
      inputs: [{en}, {yo}]
      outputs: [dedup.en, dedup.yo]
      lowercase: true
      letters_only: true
  - type: filter
    parameters:
      inputs: [dedup.en, dedup.yo]
      outputs: [kept.en, kept.yo]
      filters:
        - LengthFilter: {{unit: char, min_length: 2, max_length: 1000}}
        - LengthRatioFilter: {{unit: char, threshold: 3}}
        - CharacterScoreFilter: {{scripts: [Latin, Latin], thresholds: [0.99, 0.75]}}
        - LanguageIDFilter: {{id_method: langid, languages: [en, yo], thresholds: [0.1, 0.5]}}
"""

OPUSFILTER_CHILD = """
import json, sys, time
from ruamel.yaml import YAML
from opusfilter.opusfilter import OpusFilter
cfg = YAML(typ="safe").load(open(sys.argv[1]))
OpusFilter(cfg).execute_steps(overwrite=True)
print(json.dumps({"kept": sum(1 for _ in open(sys.argv[2], encoding="utf-8"))}))
"""


#: Settings that make lrl decide like the OpusFilter configuration above where lrl's defaults differ on
#: purpose (issue 11: the kept sets differed by ~10% without them). Settings only; lrl's defaults stay.
EQUIVALENT = [
    # remove_duplicates with lowercase + letters_only: every non-letter goes (digits, combining marks);
    # lrl's default key also folds precomposed accents and tone marks, so tone-stripped copies are duplicates
    "filters.dedup.near_key=letters",
    # LengthRatioFilter judges pairs of any length and accepts ratio < 3 (lrl: short pairs skip the ratio,
    # and a ratio of exactly 3 passes)
    "filters.length.ratio_min_chars=0", "filters.length.max_ratio=2.9999",
    # LanguageIDFilter (langid): one view per side, the top label must be the language and its probability,
    # rounded to 2 places, above the threshold — at any length. lrl's default also judges each side without
    # its capitalized words (names), waves short lines through the probability rule, accepts Pidgin on the
    # English side, rejects on confusable labels' summed probability and skips views with < 4 letters.
    "filters.langid.names=false", "filters.langid.min_chars=0", "filters.langid.min_letters=0",
    "filters.langid.src_acceptable=[]", "filters.langid.tgt_confident_prob=0", "filters.langid.src_confident_prob=0",
    "filters.langid.tgt_confusable_margin=1", "filters.langid.src_confusable_margin=1",
    "filters.langid.src_min_prob=0.105", "filters.langid.tgt_min_prob=0.505",
]

#: "In one process" (the issue's first target): lrl's local executor would otherwise fork a worker per core.
ONE_PROCESS = ["run.workers=1"]


def lrl_run(pairs: str, out: str, sets: list[str], tone: bool) -> dict[str, Any]:
    """read → chain → parquet + rejects + card, as ``lrl augment`` does; the manifest. The report page is
    not drawn: it is matplotlib figures, not filtering."""
    from lrl.cli import process_defaults

    process_defaults()  # what `lrl augment` does first
    import lrl.pipeline as pipeline
    from lrl import config
    from lrl.languages import find_plugin

    pipeline.write_report = lambda *a, **k: None  # type: ignore[assignment]
    plugin = find_plugin("yo")
    if not tone:  # OpusFilter has no tone check; lrl's runs in flag mode (scores, never rejects)
        plugin.orthography["tone_check"] = "off"
    over = config.parse_overrides([*sets, "templates.enabled=false", "bt.enabled=false", f"out_dir={json.dumps(out)}"])
    cfg = config.resolve(plugin.defaults, "plugin", None, over)
    result = pipeline.run(plugin, cfg, pipeline.Inputs([], [pairs]), progress=False)
    return {**result.manifest, "run_dir": str(result.run_dir)}


def lrl_chain_child(pairs: str, out: str, sets: list[str], tone: bool) -> None:
    """In the child: one lrl run. Its kept ids are read by the parent (``kept_ids``): reading parquet into
    Python objects makes pyarrow import pandas, which would count in the child's peak memory."""
    manifest = lrl_run(pairs, out, sets, tone)
    st = manifest["stages"]
    print(json.dumps({"kept": manifest["totals"]["kept"], "run_dir": manifest["run_dir"],
                      "stage_seconds": {k: v["seconds"] for k, v in st.items()},
                      "prepare_seconds": manifest["prepare_seconds"]}))


def kept_ids(run_dir: str) -> list[str]:
    import pyarrow.parquet as pq

    return [i for p in sorted((Path(run_dir) / "data").glob("*.parquet"))
            for i in pq.read_table(p, columns=["id"]).column("id").to_pylist()]


#: Which of OpusFilter's filters rejects each given pair (first failing one, "" when all accept): the
#: reason side of the kept-set comparison (same filters and parameters as OPUSFILTER_YAML).
OPUSFILTER_WHY = """
import json, sys
from opusfilter.filters import LengthFilter, LengthRatioFilter, CharacterScoreFilter, LanguageIDFilter
filters = [("LengthFilter", LengthFilter(unit="char", min_length=2, max_length=1000)),
           ("LengthRatioFilter", LengthRatioFilter(unit="char", threshold=3)),
           ("CharacterScoreFilter", CharacterScoreFilter(scripts=["Latin", "Latin"], thresholds=[0.99, 0.75])),
           ("LanguageIDFilter", LanguageIDFilter(id_method="langid", languages=["en", "yo"], thresholds=[0.1, 0.5]))]
pairs = json.load(open(sys.argv[1], encoding="utf-8"))
print(json.dumps([next((n for n, f in filters if not f.accept(next(iter(f.score([p]))))), "") for p in pairs]))
"""

CHAIN_VARIANTS = {"equiv": "lrl, equivalent filters, one process", "equiv2": "lrl, equivalent filters, both cores",
                  "all": "lrl, all filters (defaults: learnt checks from the disk cache after the first run)",
                  "learn": "lrl, all filters, checks learnt in every run (quality.cache=false)"}


def section_chain(n: int, rounds: int, work: Path, variants_wanted: list[str]) -> str:
    corpus = _load("corpus")
    of_python = _load("opusfilter_env").python()
    rows = [(k, " ".join(en.split()), " ".join(yo.split())) for k, en, yo in corpus.build(n)]
    pairs = corpus.write_tsv(rows, work / "pairs.tsv")
    (work / "pairs.en").write_text("".join(en + "\n" for _, en, _ in rows), encoding="utf-8")
    (work / "pairs.yo").write_text("".join(yo + "\n" for _, _, yo in rows), encoding="utf-8")
    of_dir = work / "of"
    of_dir.mkdir()
    yaml = work / "opusfilter.yaml"
    yaml.write_text(OPUSFILTER_YAML.format(out=of_dir, en=work / "pairs.en", yo=work / "pairs.yo"))
    py = sys.executable
    env = {"PYTHONPATH": str(REPO)}

    def lrl(name: str, sets: list[str], tone: bool) -> Callable[[], dict[str, Any]]:
        out = work / name
        args = json.dumps([str(pairs), str(out), sets, tone])
        return lambda: run_child([py, "-c", CHILD, "--child-chain", args], env)

    equiv = [*LIKE_FOR_LIKE, *EQUIVALENT]
    lrl_variants = {"equiv": lrl("lrl-equiv", [*equiv, *ONE_PROCESS], False), "equiv2": lrl("lrl-equiv2", equiv, False),
                    "all": lrl("lrl-all", [], True), "learn": lrl("lrl-learn", ["quality.cache=false"], True)}
    variants = {"OpusFilter": lambda: run_child([str(of_python), "-c", OPUSFILTER_CHILD, str(yaml),
                                                 str(of_dir / "kept.en")]),
                **{CHAIN_VARIANTS[k]: lrl_variants[k] for k in variants_wanted}}
    if "all" in variants_wanted:
        # untimed: a first run learns the checks into the disk cache, as a user's first run on this seed does
        # (otherwise round 1 of "all" learns them whenever lrl's source changed since the last bench)
        lrl_variants["all"]()
    res = interleave(variants, rounds)
    base = res["OpusFilter"]
    lines = [f"{n:,} en–yo pairs (`eval/bench/corpus.py`: MENYO-20k pairs with duplicates, near duplicates, "
             "concatenations, English on both sides, swapped sides, tone-stripped Yoruba); "
             f"{rounds} rounds interleaved; {loads(res)}. Each run is a fresh process: start-up, model loading, "
             "reading and writing included (lrl: parquet, rejected rows, card; not report.html). Ratios are per "
             "round (same round's OpusFilter run). CPU s: user + system seconds of the run's processes, which "
             "other jobs on the machine move less than wall time. \"Equivalent filters\": `LIKE_FOR_LIKE` + "
             "`EQUIVALENT` in eval/bench/bench_speed.py (lrl's quality checks off, OpusFilter's decision rules).",
             "", "| variant | pairs/s | speed vs OpusFilter | CPU s | CPU vs OpusFilter | peak RSS MiB | "
             "RSS vs OpusFilter | kept |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, rs in res.items():
        lines.append(f"| {name} | {spread([n / r['seconds'] for r in rs], '{:,.0f}')} | "
                     f"{spread([b['seconds'] / r['seconds'] for r, b in zip(rs, base, strict=True)])}× | "
                     f"{spread([r['cpu'] for r in rs], '{:.1f}')} | "
                     f"{spread([b['cpu'] / r['cpu'] for r, b in zip(rs, base, strict=True)])}× | "
                     f"{spread([r['rss_mib'] for r in rs], '{:.0f}')} | "
                     f"{spread([r['rss_mib'] / b['rss_mib'] for r, b in zip(rs, base, strict=True)])}× | "
                     f"{rs[-1]['kept']:,} |")
    lines += ["", "Kept sets (by input line; OpusFilter's output lines are the input lines unchanged), with the rows "
              "the two keep differently by what decided them (lrl: the stage and reason that rejected the row; "
              "OpusFilter: its duplicate removal, or the first of its filters that rejects the pair):", ""]
    of_kept = _of_lines(rows, of_dir / "kept.en", of_dir / "kept.yo")
    of_unique = _of_lines(rows, of_dir / "dedup.en", of_dir / "dedup.yo")
    for key in variants_wanted:
        if key in ("equiv2", "learn"):
            continue  # the same rows as "equiv" (the shard contract) / "all" (the cache keeps every score)
        run_dir = res[CHAIN_VARIANTS[key]][-1]["run_dir"]
        mine = {int(i.rsplit(":", 1)[1]) - 2 for i in kept_ids(run_dir)}  # id = seed:pairs.tsv:<line>, 1 = header
        lines.append(f"* {CHAIN_VARIANTS[key]}: both keep {len(mine & of_kept):,}; lrl only {len(mine - of_kept):,}, "
                     f"OpusFilter only {len(of_kept - mine):,} ({len(mine ^ of_kept) / max(len(of_kept), 1):.2%} of "
                     "OpusFilter's kept set differ)")
        lines += _explain(rows, sorted(mine - of_kept), sorted(of_kept - mine), of_unique, Path(run_dir), of_python,
                          work)
    if "learn" in variants_wanted and "all" in variants_wanted:
        learnt, cached = (res[CHAIN_VARIANTS[k]][-1]["run_dir"] for k in ("learn", "all"))
        same = kept_ids(learnt) == kept_ids(cached)
        lines += ["", f"Checks learnt in the run vs read from the cache: {'the same' if same else 'NOT the same'} kept "
                  "rows. Prepare (reading the seed, learning or reading the quality checks), last round: learnt "
                  f"{res[CHAIN_VARIANTS['learn']][-1]['prepare_seconds']:.1f} s, from the cache "
                  f"{res[CHAIN_VARIANTS['all']][-1]['prepare_seconds']:.1f} s."]
    if "all" in variants_wanted:
        stages = res[CHAIN_VARIANTS["all"]][-1]["stage_seconds"]
        quality = {k: v for k, v in stages.items() if k in ("privacy", "markup", "untranslated", "fluency", "adequacy")}
        total = sum(stages.values())
        lines += ["", "lrl's quality filters, their own cost (last round of \"all filters\", stage seconds from the "
                  f"manifest; prepare = reading the seed and the quality checks: "
                  f"{res[CHAIN_VARIANTS['all']][-1]['prepare_seconds']:.1f} s):", "",
                  "| stage | seconds | share of the chain |", "|---|---:|---:|"]
        lines += [f"| {k} | {v:.1f} | {v / total:.0%} |" for k, v in quality.items()]
    return "\n".join(lines)


def _explain(rows: list[tuple[str, str, str]], lrl_only: list[int], of_only: list[int], of_unique: set[int],
             run_dir: Path, of_python: Path, work: Path) -> list[str]:
    """Row classes of a kept-set difference, counted, with one example each."""
    import collections

    reasons = {}
    with open(run_dir / "rejected.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            reasons[int(r["id"].rsplit(":", 1)[1]) - 2] = f"{r['stage']}: {r['reason'].split(':', 1)[0]}"
    (work / "why.json").write_text(json.dumps([[rows[i][1], rows[i][2]] for i in lrl_only]), encoding="utf-8")
    out = subprocess.run([str(of_python), "-c", OPUSFILTER_WHY, str(work / "why.json")], capture_output=True,
                         text=True, check=True).stdout
    of_why = json.loads(out.strip().splitlines()[-1]) if lrl_only else []
    classes: collections.Counter[str] = collections.Counter()
    example: dict[str, int] = {}
    for i, why in zip(lrl_only, of_why, strict=True):
        key = (f"lrl keeps, OpusFilter's {why} rejects" if why else
               "lrl keeps, OpusFilter removed it as a duplicate before filtering (lrl dedups last: the copy "
               "it had seen first was rejected by a check)" if i not in of_unique else
               "lrl keeps, OpusFilter drops it after dedup and every filter accepts it (a duplicate of a kept pair)")
        classes[key] += 1
        example.setdefault(key, i)
    for i in of_only:
        key = f"OpusFilter keeps, lrl rejects at {reasons.get(i, '? (not in rejected.jsonl)')}"
        classes[key] += 1
        example.setdefault(key, i)
    return [f"  * {k}: {v:,} (e.g. {rows[example[k]][0]} row {example[k] + 2}: {rows[example[k]][1][:60]!r} / "
            f"{rows[example[k]][2][:60]!r})" for k, v in classes.most_common()]


def _of_lines(rows: list[tuple[str, str, str]], en: Path, yo: Path) -> set[int]:
    """Input line indices of OpusFilter's kept pairs (a repeated pair maps to its next unused occurrence)."""
    where: dict[tuple[str, str], list[int]] = {}
    for i, (_, s, t) in enumerate(rows):
        where.setdefault((s, t), []).append(i)
    kept: set[int] = set()
    with open(en, encoding="utf-8") as fe, open(yo, encoding="utf-8") as fy:
        for s, t in zip(fe, fy, strict=True):
            kept.add(where[(s.rstrip("\n"), t.rstrip("\n"))].pop(0))
    return kept


# --- 2., 3., 6. CTranslate2 ------------------------------------------------------------------------

def build_marian(work: Path, vocab: int) -> Path:
    """A random-weight Marian of OPUS-MT's shape (d 512, 6+6 layers, 8 heads, FFN 2048), sentencepiece
    vocabulary of ``vocab`` trained on MENYO-20k, converted to CTranslate2 int8."""
    from lrl.models.bootstrap import BootstrapSettings, build_model, convert, train_spm, write_tokenizer_files

    corpus = _load("corpus")
    lines = [t for en, yo in corpus.menyo_pairs() for t in (en, yo)]
    spm = train_spm(lines, work / "spm", vocab, "unigram", 0)
    hf = work / "hf"
    v = write_tokenizer_files(spm, hf)
    build_model(BootstrapSettings(d_model=512, encoder_layers=6, decoder_layers=6, heads=8, ffn_dim=2048),
                len(v)).save_pretrained(hf)
    return Path(convert(hf, work / "ct2", "int8"))


def section_ct2(n: int, rounds: int, work: Path, cap: int) -> str:
    import ctranslate2
    import sentencepiece as spm

    from lrl.filters.chrf import ForcedDecode, RoundTripChrF
    from lrl.generate.backtranslate import BackTranslate
    from lrl.generate.protect import Protected
    from lrl.models.translator import CT2Translator, DecodeSettings
    from lrl.record import Record
    from lrl.step import RunContext, Stats

    ct2 = build_marian(work, 8000)
    mono = [x for x in (SHARED / "yo/mono/news_sites.txt").read_text(encoding="utf-8").splitlines()
            if 20 <= len(x) <= 300][:n]
    threads = {"inter_threads": os.cpu_count() or 1, "intra_threads": 1}
    s = DecodeSettings(max_batch_size=32, max_decoding_length=cap, **threads)
    tr = CT2Translator(ct2, "marian", settings=s)
    sp_src = spm.SentencePieceProcessor(model_file=str(ct2 / "source.spm"))
    sp_tgt = spm.SentencePieceProcessor(model_file=str(ct2 / "target.spm"))
    raw = ctranslate2.Translator(str(ct2), compute_type="int8", **threads)

    def stage(feed: int) -> Callable[[], dict[str, Any]]:
        def go() -> dict[str, Any]:
            step = BackTranslate(Protected(tr), batch_size=feed, progress=False)
            recs = [Record(id=str(i), src="", tgt=t, origin="mono") for i, t in enumerate(mono)]
            t0 = time.perf_counter()
            kept = sum(1 for _ in step.run(recs, RunContext(Stats(), lambda *a: None)))
            return {"seconds": time.perf_counter() - t0, "kept": kept}
        return go

    def raw_ct2() -> dict[str, Any]:
        t0 = time.perf_counter()
        toks = [sp_src.encode(t, out_type=str) + ["</s>"] for t in mono]
        out = [sp_tgt.decode(r.hypotheses[0]) for r in raw.translate_iterable(
            toks, max_batch_size=32, max_decoding_length=cap)]
        return {"seconds": time.perf_counter() - t0, "kept": len(out)}

    raw_ct2()  # warm-up
    res = interleave({"raw translate_iterable": raw_ct2, "bt stage, feed 4096": stage(4096),
                      "bt stage, feed 64 (before)": stage(64)}, rounds)
    base = res["raw translate_iterable"]
    lines = [f"{len(mono):,} Yoruba news lines, random-weight Marian d512 6+6, 8k vocab, int8, greedy, "
             f"max_batch_size 32, {threads['inter_threads']}×{threads['intra_threads']} threads, decode cap {cap} "
             f"tokens on both; {rounds} rounds interleaved; {loads(res)}. Raw = sentencepiece + "
             "`translate_iterable` + decode in input order; the stage adds lrl's sorting, placeholder protection "
             "and row bookkeeping.", "",
             "| variant | sentences/s | speed vs raw |", "|---|---:|---:|"]
    for name, rs in res.items():
        lines.append(f"| {name} | {spread([len(mono) / r['seconds'] for r in rs], '{:,.1f}')} | "
                     f"{spread([b['seconds'] / r['seconds'] for r, b in zip(rs, base, strict=True)])}× |")

    # 3. forced decoding vs round-trip chrF on the same synthetic pairs (the forward model is random too)
    bt_rows = [Record(id=f"bt:{i}", src=o, tgt=t, origin="bt") for i, (t, o) in
               enumerate(zip(mono, tr.translate(mono), strict=True))]
    forced, chrf = ForcedDecode(tr, -3.0, batch_size=4096), RoundTripChrF(tr, 20.0, batch_size=4096)

    def scorer(f: Any) -> Callable[[], dict[str, Any]]:
        def go() -> dict[str, Any]:
            t0 = time.perf_counter()
            f.score_batch(bt_rows)
            return {"seconds": time.perf_counter() - t0}
        return go

    res3 = interleave({"round-trip chrF": scorer(chrf), "forced decoding": scorer(forced)}, rounds)
    base3 = res3["round-trip chrF"]
    lines += ["", "**3. Forced decoding vs round-trip chrF** (same rows and model; cost only: with random weights "
              f"the two scores cannot be compared for agreement, which needs a trained pair of models); {loads(res3)}.",
              "", "| scorer | rows/s | speed vs round trip |", "|---|---:|---:|"]
    for name, rs in res3.items():
        lines.append(f"| {name} | {spread([len(bt_rows) / r['seconds'] for r in rs], '{:,.1f}')} | "
                     f"{spread([b['seconds'] / r['seconds'] for r, b in zip(rs, base3, strict=True)])}× |")

    # 6. thread layouts through lrl's translate
    layouts = [(1, 1), (1, 2), (2, 1)]
    models = {lay: CT2Translator(ct2, "marian", settings=DecodeSettings(
        max_batch_size=32, max_decoding_length=cap, inter_threads=lay[0], intra_threads=lay[1])) for lay in layouts}
    part = mono[: max(64, len(mono) // 2)]

    def layout(lay: tuple[int, int]) -> Callable[[], dict[str, Any]]:
        def go() -> dict[str, Any]:
            t0 = time.perf_counter()
            models[lay].translate(part)
            return {"seconds": time.perf_counter() - t0}
        return go

    res6 = interleave({f"{a}×{b}": layout((a, b)) for a, b in layouts}, rounds)
    base6 = res6["1×1"]
    lines += ["", f"**6. Thread layouts** (inter × intra, {len(part)} lines, same model and cap); {loads(res6)}.", "",
              "| layout | sentences/s | speed vs 1×1 |", "|---|---:|---:|"]
    for name, rs in res6.items():
        lines.append(f"| {name} | {spread([len(part) / r['seconds'] for r in rs], '{:,.1f}')} | "
                     f"{spread([b['seconds'] / r['seconds'] for r, b in zip(rs, base6, strict=True)])}× |")
    return "\n".join(lines)


# --- 4., 5. monolingual run: peak RSS at two sizes, per-stage time --------------------------------

def mono_child(path: str, out: str) -> None:
    from lrl.cli import process_defaults

    process_defaults()  # what `lrl augment` does first
    import lrl.pipeline as pipeline
    from lrl import config
    from lrl.languages import find_plugin

    pipeline.write_report = lambda *a, **k: None  # type: ignore[assignment]
    plugin = find_plugin("yo")
    cfg = config.resolve(plugin.defaults, "plugin", None, config.parse_overrides(
        ["templates.enabled=false", "bt.prefer_cached=false", f"out_dir={json.dumps(out)}"]))
    train = str(SHARED / "yo/menyo20k/train.tsv")
    result = pipeline.run(plugin, cfg, pipeline.Inputs([path], [train]), progress=False)
    m = result.manifest
    print(json.dumps({"kept": m["totals"]["kept"], "generated": m["totals"]["generated"],
                      "prepare_seconds": m["prepare_seconds"], "write_seconds": m["write_seconds"],
                      "stages": {k: [v["seconds"], v["cpu_seconds"]] for k, v in m["stages"].items()}}))


def section_rss(small: int, big: int, work: Path) -> str:
    lines_all = [x for p in sorted((SHARED / "yo/mono").glob("*.txt"))
                 for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]
    runs = {}
    for n in (small, big):
        path = work / f"mono-{n}.txt"
        # repeated with a counter so dedup keeps every line: the run holds n distinct rows
        path.write_text("".join(f"{lines_all[i % len(lines_all)]} ({i // len(lines_all)})\n" if i >= len(lines_all)
                                else f"{lines_all[i]}\n" for i in range(n)), encoding="utf-8")
        runs[n] = run_child([sys.executable, "-c", CHILD, "--child-mono", json.dumps([str(path), str(work / f"o{n}")])],
                            {"PYTHONPATH": str(REPO)})
        runs[n]["load"] = os.getloadavg()[0]
    a, b = runs[small], runs[big]
    lines = [f"Monolingual Yoruba lines (the shared yo/mono text, repeated with a counter past its ~18k lines) "
             "back-translated with IBM-1 trained on MENYO-20k train (the seed), every default check; one run each "
             f"(memory does not need medians); 1-min load {a['load']:.2f} / {b['load']:.2f}.", "",
             "| lines | rows in | kept | seconds | peak RSS MiB |", "|---:|---:|---:|---:|---:|",
             f"| {small:,} | {a['generated']:,} | {a['kept']:,} | {a['seconds']:.0f} | {a['rss_mib']:.0f} |",
             f"| {big:,} | {b['generated']:,} | {b['kept']:,} | {b['seconds']:.0f} | {b['rss_mib']:.0f} |", "",
             f"Peak RSS at {big:,} lines = **{b['rss_mib'] / a['rss_mib']:.2f}×** that at {small:,} (target for "
             "1M vs 10k: ≤ 1.5×; peak RSS is the largest process's, `RUSAGE_CHILDREN`).", "",
             f"**5. Per-stage time** of the {big:,}-line run (manifest `stages.*.seconds` / `cpu_seconds`; "
             f"prepare {b['prepare_seconds']:.1f} s, writing {b['write_seconds']:.1f} s):", "",
             "| stage | seconds | CPU seconds | share |", "|---|---:|---:|---:|"]
    total = sum(v[0] for v in b["stages"].values()) or 1.0
    for k, (secs, cpu) in sorted(b["stages"].items(), key=lambda kv: -kv[1][0]):
        if secs >= 0.05:
            lines.append(f"| {k} | {secs:.1f} | {cpu:.1f} | {secs / total:.0%} |")
    return "\n".join(lines)


# --- 7. language-ID backends ------------------------------------------------------------------------

def section_lid(n: int, rounds: int) -> str:
    from lrl.filters.lid_backends import get_backend, load_identifier

    corpus = _load("corpus")
    texts = [t for _, en, yo in corpus.build(n // 2) for t in (en, yo)][:n]
    backends: dict[str, Any] = {}
    for name in ("py3langid", "fasttext", "heliport"):
        try:
            backends[name] = get_backend(name)
        except Exception as exc:  # an optional engine not installed: say so in the table
            backends[name] = exc
    ident = load_identifier()

    def timed(fn: Callable[[], Any]) -> Callable[[], dict[str, Any]]:
        def go() -> dict[str, Any]:
            t0 = time.perf_counter()
            fn()
            return {"seconds": time.perf_counter() - t0}
        return go

    def batched(b: Any) -> Callable[[], Any]:
        return lambda: [b.predict(texts[i:i + 256], ["en", "yo"] if b.name == "py3langid" else []) for i in
                        range(0, len(texts), 256)]

    variants = {"py3langid per text (`_decide`, before)": timed(lambda: [ident._decide(t) for t in texts])}
    for name, b in backends.items():
        if not isinstance(b, Exception):
            variants[f"{name} (lrl backend, batches of 256)"] = timed(batched(b))
    py3 = backends.get("py3langid")
    if not isinstance(py3, Exception) and py3 is not None and py3._batch.is_native:
        # the same backend with the numpy walk: what runs where the C extension is not built
        from lrl.filters.lid_backends import Py3LangID
        from lrl.filters.lid_batch import BatchScorer

        walk = Py3LangID()
        walk._batch = BatchScorer(walk.identifier, use_native=False)
        variants["py3langid (lrl backend, numpy walk: C extension not built)"] = timed(batched(walk))
    res = interleave(variants, rounds)
    base = res["py3langid per text (`_decide`, before)"]
    lines = [f"{len(texts):,} texts (both sides of corpus.py rows); {rounds} rounds interleaved; {loads(res)}.", "",
             "| backend | texts/s | speed vs py3langid per text |", "|---|---:|---:|"]
    for name, rs in res.items():
        lines.append(f"| {name} | {spread([len(texts) / r['seconds'] for r in rs], '{:,.0f}')} | "
                     f"{spread([b['seconds'] / r['seconds'] for r, b in zip(rs, base, strict=True)])}× |")
    lines += [f"| {name} | not installed: {b} | |" for name, b in backends.items() if isinstance(b, Exception)]
    return "\n".join(lines)


# --- results file -------------------------------------------------------------------------------------

BEGIN, END = "<!-- speed (issue 11): begin -->", "<!-- speed (issue 11): end -->"


def write_results(path: Path, body: str, only: str = "") -> None:
    """Replace this script's part of the results file between its markers (other sections are kept). A run
    of some sections (``--only 1``) has its own markers, so the other sections' last numbers stay."""
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n"
    begin, end = (BEGIN, END) if not only else (BEGIN.replace("):", f") sections {only}:"),
                                                END.replace("):", f") sections {only}:"))
    block = f"{begin}\n{body}\n{end}"
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    elif only and BEGIN in text:  # beside the full run's block, before it
        text = text[:text.index(BEGIN)] + block + "\n\n" + text[text.index(BEGIN):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, one round: a smoke check")
    ap.add_argument("--only", default="1,2,4,7", help="sections to run (2 also runs 3 and 6; 4 also 5)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pairs", type=int, default=100_000)
    ap.add_argument("--rss", default="10000,100000", help="the two monolingual sizes of section 4")
    ap.add_argument("--bt-lines", type=int, default=1000)
    ap.add_argument("--cap", type=int, default=32, help="decode cap (tokens) for the CTranslate2 sections")
    ap.add_argument("--chain", default="equiv,equiv2,all,learn",
                    help=f"lrl variants of section 1 ({', '.join(CHAIN_VARIANTS)}); OpusFilter always runs")
    ap.add_argument("--child-chain", help=argparse.SUPPRESS)
    ap.add_argument("--child-mono", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_chain:
        lrl_chain_child(*json.loads(args.child_chain))
        return
    if args.child_mono:
        mono_child(*json.loads(args.child_mono))
        return
    # Bytecode for lrl and this bench, as an installed package has it (pip compiles a wheel's modules, and
    # OpusFilter's venv has them): where PYTHONDONTWRITEBYTECODE is set (this project's machines), every
    # child would otherwise compile lrl from source, ~0.1-0.3 s a run
    compileall.compile_dir(REPO / "lrl", quiet=1)
    compileall.compile_file(str(Path(__file__)), quiet=1)
    rounds = 1 if args.quick else args.rounds
    pairs = 3000 if args.quick else args.pairs
    small, big = (1000, 5000) if args.quick else map(int, args.rss.split(","))
    bt_lines = 100 if args.quick else args.bt_lines
    only = set(args.only.split(","))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO).stdout
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    command = "python eval/bench/bench_speed.py " + " ".join(sys.argv[1:])
    parts = [f"## Speed and memory (issue 11)\n\n`{command}` (eval/bench/bench_speed.py) at commit {commit.strip()}, "
             f"{started}; {machine()}, {load()} at the start. Cells: median (min–max) over the rounds."]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if "1" in only:
            (work / "chain").mkdir()
            parts.append("### 1. Filter chain vs OpusFilter 3.3.1\n\n"
                         + section_chain(pairs, rounds, work / "chain", args.chain.split(",")))
            print(parts[-1], flush=True)
        if "2" in only:
            (work / "ct2").mkdir()
            parts.append("### 2. Back-translation stage vs raw CTranslate2\n\n"
                         + section_ct2(bt_lines, rounds, work / "ct2", args.cap))
            print(parts[-1], flush=True)
        if "4" in only:
            (work / "rss").mkdir()
            parts.append("### 4. Peak memory of a monolingual run\n\n" + section_rss(small, big, work / "rss"))
            print(parts[-1], flush=True)
        if "7" in only:
            parts.append("### 7. Language-ID backends\n\n" + section_lid(2000 if args.quick else 20000, rounds))
            print(parts[-1], flush=True)
    parts.append(f"Finished {time.strftime('%H:%M UTC', time.gmtime())}, {load()}.")
    write_results(HERE / ("results-quick.md" if args.quick else "results.md"), "\n\n".join(parts),
                  "" if only == {"1", "2", "4", "7"} else ",".join(sorted(only)))


if __name__ == "__main__":
    main()
