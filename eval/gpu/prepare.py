"""Gather what a bare GPU machine needs for eval/gpu/run.sh into one git-ignored folder (``gpu-carry/``).

A GPU machine here starts bare: it has python3 with torch, transformers, sentencepiece, sacrebleu and
pyarrow, no network, and sees only this repository plus the folders named to travel with it (64 MiB in
all). So, on this (CPU) machine:

* ``data/train.tsv``, ``data/dev.tsv`` — MENYO-20k train and dev (English, Yoruba), normalized with the yo
  plugin's rules; train pairs whose sides occur in dev are dropped (counted in ``carry.json``);
* ``data/mono.txt`` — distinct Yoruba lines for the throughput check (bt_throughput.py cycles them to
  the 50k lines it translates; carrying the cycled copy would waste the 64 MiB);
* ``data/synthetic.tsv`` — lrl's synthetic pairs (origin, English, Yoruba) from one ``lrl augment`` run on
  MENYO-20k train + Yoruba monolingual text with MENYO-20k dev excluded: back-translation (IBM-1 from
  the seed), lexical substitution and templates, each row already through lrl's filters;
* ``wheels/`` — ``pip download`` of the packages the GPU side lacks (CTranslate2), for CPython 3.12 on
  manylinux x86-64; ``carry.json`` lists each with its size and the shared libraries it bundles;
* ``carry.json`` — what is here, sizes, row counts, the augment run's totals, and how it was made.

    python eval/gpu/prepare.py                      # full scale (the augment run takes a few minutes)
    python eval/gpu/prepare.py --tiny --no-wheels --out /tmp/carry   # seconds (the tests)
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

#: Yoruba prose for back-translation and the throughput lines (the eval config's monolingual files).
MONO = ("news_sites.txt", "theyorubablog_dot_com.txt", "aaro_meta.txt", "oroyoruba.txt")
#: Origins the MT check trains on (eval/gpu/mt.py's systems).
ORIGINS = ("bt", "substitute", "template")
#: What the GPU image lacks, pinned to the versions lrl is tested with here.
WHEELS = ("ctranslate2",)
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")
CARRY_LIMIT = 64 * 2**20  # what travels to the device machine, repository included


def write_tsv(path: Path, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def data_slices(shared: Path, out: Path, tiny: bool, mono_lines: int) -> dict[str, Any]:
    """train.tsv, dev.tsv, mono.txt: normalized, dev kept out of train."""
    from lrl.filters.normalize import Normalize
    from lrl.io.readers import ReadOptions, read_pairs
    from lrl.languages.discovery import find_plugin

    plugin = find_plugin("yo")
    norm = Normalize.for_plugin(plugin)
    opts = ReadOptions(lang_names=(plugin.code, plugin.iso639_3, plugin.name), max_rows=300 if tiny else 0)
    menyo = shared / "yo" / "menyo20k"
    train = list(read_pairs([str(menyo / "train.tsv")], opts, norm.text))
    dev = list(read_pairs([str(menyo / "dev.tsv")], opts, norm.text))[: 40 if tiny else None]
    dev_sides = {x for p in dev for x in p}
    kept = [p for p in train if p[0] not in dev_sides and p[1] not in dev_sides]
    write_tsv(out / "train.tsv", kept, ("en", "yo"))
    write_tsv(out / "dev.tsv", dev, ("en", "yo"))
    seen: set[str] = set()
    lines: list[str] = []
    for name in MONO:
        for line in (shared / "yo" / "mono" / name).read_text(encoding="utf-8").splitlines():
            t = norm.text(line).strip()
            if t and t not in seen and t not in dev_sides:
                seen.add(t)
                lines.append(t)
    distinct = len(lines)
    lines = lines[: 64 if tiny else mono_lines]
    (out / "mono.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"train_pairs": len(kept), "train_in_dev": len(train) - len(kept), "dev_pairs": len(dev),
            "mono_lines": len(lines), "mono_distinct": distinct, "mono_files": list(MONO)}


def synthetic(shared: Path, out: Path, work: Path, tiny: bool, extra: dict[str, Any]) -> dict[str, Any]:
    """One lrl augment run (IBM-1 back-translation, substitution, templates; dev excluded): its synthetic
    rows by origin into synthetic.tsv."""
    from lrl import config
    from lrl.evaluation.experiment import _synthetic_rows
    from lrl.languages.discovery import find_plugin
    from lrl.pipeline import Inputs, run

    plugin = find_plugin("yo")
    overrides: dict[str, Any] = {
        "out_dir": str(work), "decontaminate.exclude": [str(shared / "yo" / "menyo20k" / "dev.tsv")],
        "templates.count": 200 if tiny else 10000, "substitute.enabled": True,
        "substitute.max_rows": 200 if tiny else 20000,
        # IBM-1 from this seed, not whatever `lrl bootstrap` models this machine's cache holds: the
        # synthetic rows must depend on the data alone.
        "bt.prefer_cached": False}
    if tiny:  # the code path in seconds: few rows, the model-trained checks off, IBM-1 English kept
        overrides.update({"inputs.max_rows": 120, "filters.langid.enabled": False,
                          "filters.fluency.enabled": False, "filters.adequacy.enabled": False,
                          "bt.ibm1_unverified": "keep", "bt.min_chrf": 0.0})
    cfg = config.resolve(plugin.defaults, str(plugin.manifest), None, {**overrides, **extra})
    mono = [str(shared / "yo" / "mono" / m) for m in MONO[: 1 if tiny else None]]
    t0 = time.time()
    import lrl.pipeline

    write_report = lrl.pipeline.write_report
    if tiny:  # the tests need the rows, not report.html (its ~60 plots are most of a tiny run's time)
        lrl.pipeline.write_report = lambda *a, **k: None  # type: ignore[assignment]
    try:
        res = run(plugin, cfg, Inputs(mono=mono, parallel=[str(shared / "yo" / "menyo20k" / "train.tsv")]),
                  progress=False)
    finally:
        lrl.pipeline.write_report = write_report  # type: ignore[assignment]
    rows = [r for r in _synthetic_rows(res.run_dir) if r["origin"] in ORIGINS]
    write_tsv(out / "synthetic.tsv", [(r["origin"], r["src"], r["tgt"]) for r in rows], ("origin", "en", "yo"))
    by: dict[str, int] = {}
    for r in rows:
        by[r["origin"]] = by.get(r["origin"], 0) + 1
    return {"run": str(res.run_dir), "seconds": round(time.time() - t0, 1), "by_origin": by,
            "totals": res.manifest["totals"], "kept_by_origin": res.manifest["kept_by_origin"]}


def wheels(out: Path) -> list[dict[str, Any]]:
    """pip download the GPU side's missing packages (same versions as here) for CPython 3.12 x86-64."""
    from importlib import metadata

    out.mkdir(parents=True, exist_ok=True)
    got: list[dict[str, Any]] = []
    for name in WHEELS:
        version = metadata.version(name)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--python-version",
               "3.12", "--implementation", "cp", *[a for p in PLATFORMS for a in ("--platform", p)], "-d",
               str(out), f"{name}=={version}"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            got.append({"package": f"{name}=={version}", "error": proc.stderr.strip().splitlines()[-1:]})
            continue
        for whl in sorted(out.glob(f"{name}-{version}-*.whl")):
            with zipfile.ZipFile(whl) as z:
                libs = sorted(Path(n).name for n in z.namelist() if ".so" in Path(n).name)
            got.append({"package": f"{name}=={version}", "file": whl.name, "bytes": whl.stat().st_size,
                        "bundled_libraries": libs})
    return got


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=REPO / "gpu-carry")
    ap.add_argument("--mono-lines", type=int, default=50000, help="at most this many distinct lines")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="an augment setting for the synthetic data, e.g. bt.model=/models/opus-mt-yo-en")
    ap.add_argument("--work", type=Path, default=REPO / "out" / "gpu-prepare",
                    help="where the augment run goes (kept out of the carried folder: it is large)")
    ap.add_argument("--tiny", action="store_true", help="a few hundred rows: the tests")
    ap.add_argument("--no-wheels", action="store_true", help="skip pip download (offline, tests)")
    args = ap.parse_args(argv)
    if not (args.shared / "yo" / "menyo20k" / "train.tsv").is_file():
        raise SystemExit(f"{args.shared}/yo/menyo20k/train.tsv not found: give --shared PATH (the shared data)")
    data = args.out / "data"
    data.mkdir(parents=True, exist_ok=True)
    info: dict[str, Any] = {"made": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "tiny": args.tiny,
                            "command": " ".join(["python eval/gpu/prepare.py", *(argv or sys.argv[1:])])}
    info["data"] = data_slices(args.shared, data, args.tiny, args.mono_lines)
    from lrl.config import parse_overrides

    info["synthetic"] = synthetic(args.shared, data, args.work, args.tiny, parse_overrides(args.set))
    info["wheels"] = [] if args.no_wheels else wheels(args.out / "wheels")
    info["files"] = {p.relative_to(args.out).as_posix(): {"bytes": p.stat().st_size, "sha256": _sha(p)}
                     for p in sorted(args.out.rglob("*")) if p.is_file() and p.name != "carry.json"}
    total = sum(f["bytes"] for f in info["files"].values())
    info["carry_bytes"] = total
    if total > CARRY_LIMIT:
        print(f"warning: {total / 2**20:.0f} MiB to carry, over the device machine's 64 MiB limit", file=sys.stderr)
    (args.out / "carry.json").write_text(json.dumps(info, indent=1, ensure_ascii=False), encoding="utf-8")
    print(json.dumps({k: v for k, v in info.items() if k != "files"}, indent=1, ensure_ascii=False))
    return info


if __name__ == "__main__":
    main()
