"""The filters' scoreboard (issue 9): run the real pipeline's filters over labelled noise and report, per
class, the share rejected and the stages that rejected it; for clean pairs, the share kept.

    make bench-filters lang=yo                       # MENYO-20k dev (yo), LAFAND dev (ha), HornMT (am)
    make bench-filters lang=ha clean=PATH seed=PATH n=300   # rebuild it from other data

1. ``noise.py`` makes ``out/bench-filters/<lang>/noisy/<class>.tsv`` (clean rows, then that class's rows)
   + ``labels.tsv`` from the clean pairs.
2. Each class file is the only parallel input of its own real ``lrl.pipeline.run`` (templates,
   back-translation, paraphrase and any other generator off; settings otherwise the plugin's). The quality models learn
   from the clean *training* data (``quality.train``), when this version of lrl has that setting.
3. Each row is mapped back to its class by its row id (``seed:<class>.tsv:<line>``) through the kept
   parquet shards and ``rejected.jsonl`` (which stage rejected it, and why).
4. ``bt-real``: a default augment run (IBM-1 learned from the plugin's data, shared monolingual text,
   ``inputs.max_rows``) back-translates real sentences; ``bt_labels/<lang>.tsv`` holds a person's
   good/bad judgement of some of them (ids, a hash of the English judged, the label; no text), and the
   filters' decisions on them are reported as their own class.

Results: ``eval/filters/results/<lang>.md`` and ``.json`` (or ``--results DIR``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import hashlib
import json
import os
import platform
import shutil
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import noise  # noqa: E402 - the sibling module, importable when this file is run as a script

REPO = noise.REPO
HERE = Path(__file__).resolve().parent
BT_MAX_ROWS = 80

#: Generators switched off for the noise run: the benchmark judges the input filters on given rows.
GENERATORS = ("templates", "bt", "paraphrase", "substitute")


def _overrides(out_dir: Path, extra: dict[str, Any]) -> dict[str, Any]:
    from lrl import config

    o: dict[str, Any] = {"out_dir": str(out_dir)}
    for g in GENERATORS:
        if g in config.DEFAULTS and isinstance(config.DEFAULTS[g], dict) and "enabled" in config.DEFAULTS[g]:
            o[f"{g}.enabled"] = False
    o.update(extra)
    return o


def decisions(run_dir: Path) -> dict[str, dict[str, Any]]:
    """Row id → {"kept": bool, "stage", "reason", "scores"} from a run folder's shards and rejects."""
    import pyarrow.parquet as pq

    out: dict[str, dict[str, Any]] = {}
    for shard in sorted((run_dir / "data").glob("*.parquet")):
        t = pq.read_table(shard, columns=["id", "src", "tgt", "scores"]).to_pydict()
        for i, src, tgt, sc in zip(t["id"], t["src"], t["tgt"], t["scores"], strict=True):
            out[i] = {"kept": True, "stage": "", "reason": "", "scores": json.loads(sc), "src": src, "tgt": tgt}
    with open(run_dir / "rejected.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            out[r["id"]] = {"kept": False, "stage": r["stage"], "reason": r["reason"], "scores": r["scores"],
                            "src": r["src"], "tgt": r["tgt"]}
    return out


def _stage_key(d: dict[str, Any]) -> str:
    from lrl.step import reason_key

    return f"{d['stage']}/{reason_key(d['reason'])}"


def _flagged(d: dict[str, Any], tone: dict[str, Any] | None) -> bool:
    """Would the tone check reject the row in "reject" mode (it only flags in "flag" mode)? Its bar is in
    the run's signature of the ``tone`` stage; the row's ``tone.share`` and ``tone.vowels`` are compared."""
    sc = d["scores"]
    return (tone is not None and "tone.share" in sc and int(sc["tone.vowels"]) >= int(tone["min_vowels"])
            and float(sc["tone.share"]) < float(tone["min_share"]))


def score_noise(labels: Path, dec: dict[str, dict[str, Any]], files: list[Path],
                tone: dict[str, Any] | None = None) -> dict[str, Any]:
    with open(labels, encoding="utf-8", newline="") as f:
        lab = list(csv.DictReader(f, delimiter="\t"))
    text: dict[str, list[str]] = {}
    for path in files:
        with open(path, encoding="utf-8", newline="") as f:
            text.update({f"seed:{path.name}:{n}": row for n, row in enumerate(csv.reader(f, delimiter="\t"), 1)})
    by: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in lab:
        by[row["class"]].append(row)
    result: dict[str, Any] = {}
    for cls, rows in by.items():
        ds = [dec[r["id"]] for r in rows]
        rej = [d for d in ds if not d["kept"]]
        stages = Counter(_stage_key(d) for d in rej)
        entry: dict[str, Any] = {"n": len(rows), "rejected": len(rej), "rejected_share": len(rej) / len(rows),
                                 "stages": dict(stages.most_common()),
                                 "reused_sources": sum(int(r["reused"]) for r in rows)}
        if cls == "near-duplicate":
            entry["originals_kept"] = sum(dec[r["copy_of"]]["kept"] for r in rows)
        if cls == "tone-stripped":
            entry["flagged_kept"] = sum(d["kept"] and _flagged(d, tone) for d in ds)
        details = Counter(r["detail"].split(":")[0] for r in rows if r["detail"])
        if cls in ("wrong-lang-en", "wrong-lang-lrl", "copy", "markup", "truncated"):
            entry["by_detail"] = {k: {"n": v, "rejected": sum(1 for r in rows if r["detail"].split(":")[0] == k
                                                             and not dec[r["id"]]["kept"])}
                                  for k, v in sorted(details.items())}
        if cls == "clean":
            entry["examples_rejected"] = [
                {"id": r["id"], "stage": dec[r["id"]]["stage"], "reason": dec[r["id"]]["reason"],
                 "en": text[r["id"]][0], "lrl": text[r["id"]][1]}
                for r in rows if not dec[r["id"]]["kept"]][:10]
        result[cls] = entry
    return result


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def bt_run(lang: str, mono: str, out_dir: Path) -> tuple[Path, dict[str, dict[str, Any]], list[str]]:
    """The default augment run over shared monolingual text: ``lrl augment --lang <lang> --mono <mono>
    --set inputs.max_rows=80`` (IBM-1 learned from the plugin's own data)."""
    from lrl import config
    from lrl.languages import find_plugin
    from lrl.pipeline import Inputs, run

    plugin = find_plugin(lang)
    sets = {"out_dir": str(out_dir), "inputs.max_rows": BT_MAX_ROWS}
    cfg = config.resolve(plugin.defaults, str(plugin.path), None, sets)
    res = run(plugin, cfg, Inputs(mono=[mono], parallel=[]), progress=False)
    dec = decisions(res.run_dir)
    bt_ids = [i for i in dec if i.startswith("bt:")]
    return res.run_dir, dec, sorted(bt_ids, key=lambda s: int(s.rsplit(":", 1)[1]))


def score_bt(lang: str, dec: dict[str, dict[str, Any]], bt_ids: list[str]) -> dict[str, Any]:
    path = HERE / "bt_labels" / f"{lang}.tsv"
    out: dict[str, Any] = {"bt_rows": len(bt_ids), "bt_rejected": sum(not dec[i]["kept"] for i in bt_ids),
                           "labels": str(path.relative_to(REPO))}
    if not path.is_file():
        out["labelled"] = 0
        return out
    with open(path, encoding="utf-8", newline="") as f:
        labels = [r for r in csv.DictReader(f, delimiter="\t") if not r["id"].startswith("#")]
    stale = [r["id"] for r in labels if r["id"] not in dec or _sha(dec[r["id"]]["src"]) != r["en_sha1"]]
    ok = [r for r in labels if r["id"] not in stale]
    for lab in ("good", "bad"):
        rows = [r for r in ok if r["label"] == lab]
        rej = [dec[r["id"]] for r in rows if not dec[r["id"]]["kept"]]
        out[lab] = {"n": len(rows), "rejected": len(rej), "stages": dict(Counter(_stage_key(d) for d in rej))}
    out["labelled"] = len(ok)
    out["stale"] = stale  # the English changed since it was judged: not counted
    return out


def write_report(lang: str, res: dict[str, Any], results_dir: Path) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / f"{lang}.json").write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n",
                                              encoding="utf-8")
    c = res["classes"]
    lines = [f"# Filters benchmark: {lang}", "",
             f"`{res['command']}` — {res['date']}, wall time {res['wall_s']:.0f} s "
             f"(noise {res['timing']['noise_s']:.1f} s, pipeline {res['timing']['pipeline_s']:.1f} s, "
             f"bt run {res['timing']['bt_s']:.1f} s), {res['machine']}.", "",
             f"lrl commit `{res['commit']}`. Clean pairs: `{res['data']['clean']}`"
             + (f" (lines {res['data']['clean_lines']})" if res['data']['clean_lines'] else "")
             + f"; quality seed: {', '.join(f'`{s}`' for s in res['data']['seed'])}"
             + (" (passed as quality.train)" if res["quality_train_passed"]
                else " (not passed: this lrl has no quality.train setting)")
             + f"; wrong languages: {', '.join(f'`{s}`' for s in res['data']['foreign'])}. "
             f"{res['n']} rows per class, noise seed {res['noise_seed']}.", "",
             "Each damaged row is made from a clean pair; the full definitions are in `eval/filters/noise.py`. "
             "Each class runs through the pipeline in its own file: the clean rows first, then its rows. "
             "Near-duplicates are copies of clean rows earlier in the file: their share rejected is the share "
             "of *later copies* rejected.", "",
             "| class | n | rejected | kept | top stages (rejected rows) |", "|---|---:|---:|---:|---|"]
    order = ["clean", *noise.DAMAGE, *noise.TONAL_ONLY]
    for cls in order:
        if cls not in c:
            continue
        e = c[cls]
        top = ", ".join(f"{k} {v}" for k, v in list(e["stages"].items())[:3]) or "—"
        lines.append(f"| {cls} | {e['n']} | {e['rejected_share']:.1%} | {1 - e['rejected_share']:.1%} | {top} |")
    bt = res.get("bt_real", {})
    if bt.get("labelled"):
        for lab in ("bad", "good"):
            e = bt[lab]
            if e["n"]:
                top = ", ".join(f"{k} {v}" for k, v in list(e["stages"].items())[:3]) or "—"
                lines.append(f"| bt-real ({lab}) | {e['n']} | {e['rejected'] / e['n']:.1%} | "
                             f"{1 - e['rejected'] / e['n']:.1%} | {top} |")
    damage = [c[k]["rejected_share"] for k in noise.DAMAGE if k in c]
    lines += ["", f"Goal (issue 9): every damage class ≥ 90% rejected (tone-stripped aside), clean ≥ 95% kept. "
              f"Now: clean kept {1 - c['clean']['rejected_share']:.1%}; damage classes at ≥ 90%: "
              f"{sum(s >= 0.9 for s in damage)} of {len(damage)}.", ""]
    if "tone-stripped" in c:
        t = c["tone-stripped"]
        lines += [f"Tone-stripped (plugin `tone_check = \"{res['tone_check']}\"`): {t['rejected']} rejected, "
                  f"{t['flagged_kept']} kept with the tone flag, of {t['n']}.", ""]
    nd = c.get("near-duplicate")
    if nd:
        lines += [f"Near-duplicates: {nd['originals_kept']} of {nd['n']} originals were kept.", ""]
    lines += ["By kind (rejected / n):", ""]
    for cls in order:
        if "by_detail" in c.get(cls, {}):
            kinds = c[cls]["by_detail"].items()
            lines.append(f"* {cls}: " + ", ".join(f"{k} {v['rejected']}/{v['n']}" for k, v in kinds))
    reused = {k: v["reused_sources"] for k, v in c.items() if v.get("reused_sources")}
    if reused:
        lines += ["", "Each class ran on its own (its rows after the clean rows), so a source pair that fed "
                  f"two classes (a small pool: {reused}) never met its other copy in one run."]
    lines += ["", "## Clean pairs rejected", "",
              "\"Clean\" is the source dataset as it is: some of its pairs are themselves damaged (an untranslated "
              "line, a partial translation), so not every rejected clean pair is a filter's mistake.", "",
              f"Stages: {c['clean']['stages'] or 'none'}. Examples (ids in `out/bench-filters/{lang}/noisy/`; "
              "the text stays out of git, it is shared data — the bench prints it and writes "
              f"`out/bench-filters/{lang}/clean_rejected.tsv`):", ""]
    lines += [f"* `{x['id']}` {x['stage']}: {x['reason']}" for x in c["clean"]["examples_rejected"]] or ["* none"]
    lines += ["", "## bt-real", ""]
    if bt.get("labelled"):
        lines.append(f"Run: `{bt['command']}`; {bt['bt_rows']} back-translated rows, {bt['bt_rejected']} rejected "
                     f"by the pipeline. {bt['labelled']} judged by hand in `{bt['labels']}` "
                     f"({bt['bad']['n']} bad, {bt['good']['n']} good); stale labels (English changed since "
                     f"judged, not counted): {len(bt['stale'])}.")
    else:
        lines.append(f"Run: `{bt.get('command', '-')}`; {bt.get('bt_rows', 0)} back-translated rows, "
                     f"{bt.get('bt_rejected', 0)} rejected; no hand labels for {lang} yet.")
    path = results_dir / f"{lang}.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _commit() -> str:
    import subprocess

    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.strip()
        # Changed tracked code (results files aside) means the numbers are not from that commit alone.
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                ":(exclude)eval/filters/results"], cwd=REPO, capture_output=True, text=True,
                               check=True).stdout.strip()
        return head + (" + uncommitted changes" if dirty else "")
    except Exception:
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", required=True)
    ap.add_argument("--clean", help="clean test pairs (TSV with header or EN,LRL); default: the shared dev set")
    ap.add_argument("--seed", action="append", help="clean training pairs the quality models learn from")
    ap.add_argument("--n", type=int, default=300, help="rows per class")
    ap.add_argument("--noise-seed", type=int, default=13)
    ap.add_argument("--foreign", action="append", metavar="CODE=SPEC",
                    help="sentences of another language (parallel spec: its language side; or a .txt file)")
    ap.add_argument("--mono", help="monolingual text to back-translate for bt-real; 'none' to skip")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--results", type=Path, default=HERE / "results")
    ap.add_argument("--command-line", default="")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="an lrl setting for every run, e.g. filters.fluency.model=gemma3-270m")
    a = ap.parse_args()

    from lrl import config
    from lrl.languages import find_plugin
    from lrl.pipeline import Inputs, run

    t0 = time.perf_counter()
    lang = a.lang
    out = a.out or REPO / "out" / "bench-filters" / lang
    src = noise.default_sources(lang)
    clean_lines = None if a.clean else src["clean_lines"]
    foreign = [(spec, code, "lrl") for code, _, spec in (f.partition("=") for f in a.foreign)] if a.foreign \
        else list(src["foreign"])  # type: ignore[call-overload]
    files, labels, rows = noise.build(lang, out, a.n, a.noise_seed, a.clean, clean_lines, foreign)
    t1 = time.perf_counter()

    seeds = a.seed or list(src["seed"])  # type: ignore[call-overload]
    if not a.seed and src.get("seed_lines") is not None:
        # HornMT: the lines not held out as the clean test, as a TSV the quality models can read.
        pairs = noise.read_parallel(seeds[0], lang, src["seed_lines"])  # type: ignore[arg-type]
        seed_tsv = out / "seed.tsv"
        with open(seed_tsv, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter="\t", lineterminator="\n")
            w.writerow(["en", lang])
            w.writerows([p.en, p.lrl] for p in pairs)
        seeds = [str(seed_tsv)]
    if a.clean and any(s == a.clean for s in seeds):
        print(f"warning: the quality seed is the clean test itself ({a.clean}); pass seed=OTHER_PAIRS", file=sys.stderr)
    extra: dict[str, Any] = {}
    # The setting the lead is adding; until it exists the quality filters (if any) learn from the run's input.
    has_quality = isinstance(config.DEFAULTS.get("quality"), dict) and "train" in config.DEFAULTS["quality"]
    if has_quality:
        extra["quality.train"] = seeds
    extra.update(config.parse_overrides(a.set))
    plugin = find_plugin(lang)
    cfg = config.resolve(plugin.defaults, str(plugin.path), None, _overrides(out / "runs", extra))
    shutil.rmtree(out / "runs", ignore_errors=True)  # only this invocation's runs stay on disk
    dec: dict[str, dict[str, Any]] = {}
    totals: Counter[str] = Counter()
    tone: dict[str, Any] | None = None
    for path in files:  # one run per class: see noise.write
        result = run(plugin, cfg, Inputs(mono=[], parallel=[str(path)]), progress=False)
        dec.update(decisions(result.run_dir))
        totals.update(result.manifest["totals"])
        tone = next((st["signature"] for st in result.manifest["steps"] if st["name"] == "tone"), None)
    t2 = time.perf_counter()
    classes = score_noise(labels, dec, files, tone)

    with open(out / "clean_rejected.tsv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["id", "stage", "reason", "en", lang])
        for x in classes["clean"]["examples_rejected"]:
            w.writerow([x["id"], x["stage"], x["reason"], x["en"], x["lrl"]])
    for x in classes["clean"]["examples_rejected"]:  # the text goes to the console and out/, not to git
        x.pop("en"), x.pop("lrl")

    mono = a.mono if a.mono else str(src["mono"])
    bt: dict[str, Any] = {}
    if mono != "none":
        bt_dir, bt_dec, bt_ids = bt_run(lang, mono, out / "bt-runs")
        bt = score_bt(lang, bt_dec, bt_ids)
        bt["command"] = f"lrl augment --lang {lang} --mono {_rel(mono)} --set inputs.max_rows={BT_MAX_ROWS}"
        bt["run_dir"] = str(bt_dir)
        with open(out / "bt_rows.tsv", "w", encoding="utf-8", newline="") as f:  # for judging by hand
            w = csv.writer(f, delimiter="\t", lineterminator="\n")
            w.writerow(["id", "en_sha1", "kept", "stage", "reason", lang, "en"])
            for i in bt_ids:
                d = bt_dec[i]
                w.writerow([i, _sha(d["src"]), int(d["kept"]), d["stage"], d["reason"], d["tgt"], d["src"]])
    t3 = time.perf_counter()

    res = {
        "lang": lang,
        "command": a.command_line or " ".join(["python", *sys.argv]),
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "wall_s": round(t3 - t0, 1),
        "timing": {"noise_s": round(t1 - t0, 1), "pipeline_s": round(t2 - t1, 1), "bt_s": round(t3 - t2, 1)},
        "machine": f"{platform.machine()} {os.cpu_count()} CPU cores (shared with other jobs), "
                   f"Python {platform.python_version()}",
        "commit": _commit(),
        "n": a.n, "noise_seed": a.noise_seed,
        "data": {"clean": _rel(a.clean or str(src["clean"])),
                 "clean_lines": "" if clean_lines is None else f"{clean_lines.start}:{clean_lines.stop or ''}",
                 "seed": [_rel(s) for s in a.seed] if a.seed else
                 [_rel(s) + (f" (lines :{src['seed_lines'].stop})" if src.get("seed_lines") else "")  # type: ignore[union-attr]
                  for s in src["seed"]],  # type: ignore[union-attr]
                 "foreign": [f"{s[1]}: {_rel(s[0])}" for s in foreign]},
        "quality_train_passed": has_quality,
        "tone_check": plugin.orthography["tone_check"],
        "runs": str(out / "runs"),
        "totals": dict(totals),
        "classes": classes,
        "bt_real": bt,
    }
    path = write_report(lang, res, a.results)
    print(path.read_text(encoding="utf-8"))
    rej = classes["clean"]["examples_rejected"]
    if rej:
        print(f"clean pairs rejected (text): {out / 'clean_rejected.tsv'}")


def _rel(p: str) -> str:
    shared = str(noise.SHARED)
    return ",".join(("../shared/data" + s[len(shared):]) if s.startswith(shared) else s for s in p.split(","))


if __name__ == "__main__":
    main()
