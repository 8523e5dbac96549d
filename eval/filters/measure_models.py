"""Choose the thresholds of the model-based filters (fluency, adequacy, calibrated length ratio).

    .venv/bin/python eval/filters/measure_models.py [--lang yo ha am] [--seed data|plugin] [--out DIR]
        [--fluency MIN_SCORE] [--adequacy MIN_SCORE] [--max-z MAX_Z] [--cut-z CUT_Z]

For each language: models are trained on seed pairs as a run would (IBM-1 via ``load_or_train`` on the
seed plus the plugin's examples, lexicon and templates; the fluency n-gram model on all that English; the
length ratio calibrated on the seed), then clean held-out pairs and damaged copies of them are scored:

* ``shuffle``    — the English words shuffled (salad);
* ``misaligned`` — the English of another held-out pair;
* ``truncated``  — one side (English or language, alternately) cut to 30–70% of its words;
* ``bt``         — the English replaced by the default IBM-1 back-translation of the language side.

Printed (and written to ``DIR/models-<lang>[-plugin].md``): for each filter and candidate threshold, the
share of clean pairs kept and of each damage class rejected; then all three filters together at the chosen
thresholds (the defaults unless ``--fluency``, ``--adequacy``, ``--max-z``, ``--cut-z`` say otherwise).
``--seed plugin`` trains on the plugin's own data only (its ~80 examples, lexicon and 2,000 templates),
as the default ``make lang=yo augment`` does, to show how the filters degrade with little data.

Data (read in place, never copied): yo MENYO-20k train → dev; ha LAFAND-MT train → dev; am HornMT
lines 1–1,500 → the rest.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from lrl.config import DEFAULTS  # noqa: E402
from lrl.filters.adequacy import ADEQUACY_DEFAULTS, Adequacy  # noqa: E402
from lrl.filters.fluency import FLUENCY_DEFAULTS, Fluency  # noqa: E402
from lrl.filters.length import LENGTH_DEFAULTS, Length  # noqa: E402
from lrl.filters.normalize import Normalize  # noqa: E402
from lrl.io.readers import ReadOptions, read_pairs  # noqa: E402
from lrl.languages.discovery import find_plugin  # noqa: E402
from lrl.models.ibm1 import load_or_train  # noqa: E402
from lrl.models.prepare import read_seed  # noqa: E402
from lrl.record import Record  # noqa: E402

DATA = REPO.parent / "shared" / "data"
Pairs = list[tuple[str, str]]
CLASSES = ("shuffle", "misaligned", "truncated", "bt")


def load(lang: str, norm: Normalize) -> tuple[Pairs, Pairs]:
    """(seed, clean held-out) pairs, normalized as the pipeline normalizes its input."""
    def pairs(spec: str, src: str = "", tgt: str = "") -> Pairs:
        return list(read_pairs([spec], ReadOptions(src_column=src, tgt_column=tgt), norm.text))

    if lang == "yo":
        d = DATA / "yo" / "menyo20k"
        return pairs(str(d / "train.tsv"), "English", "Yoruba"), pairs(str(d / "dev.tsv"), "English", "Yoruba")
    if lang == "ha":
        d = DATA / "ha" / "lafand-mt"
        return pairs(f"{d / 'train.en'},{d / 'train.hau'}"), pairs(f"{d / 'dev.en'},{d / 'dev.hau'}")
    if lang == "am":
        d = DATA / "am" / "hornmt"
        allp = pairs(f"{d / 'eng.txt'},{d / 'amh.txt'}")
        return allp[:1500], allp[1500:]
    raise SystemExit(f"no data for {lang}")


def damage(clean: Pairs, back: Callable[[list[str]], list[str]], rng: random.Random) -> dict[str, Pairs]:
    out: dict[str, Pairs] = {c: [] for c in CLASSES}
    n = len(clean)
    for i, (en, xx) in enumerate(clean):
        words = en.split()
        shuffled = words[:]
        for _ in range(5):  # a shuffle that happens to restore the sentence is not damage
            rng.shuffle(shuffled)
            if shuffled != words:
                break
        out["shuffle"].append((" ".join(shuffled), xx))
        out["misaligned"].append((clean[(i + rng.randrange(1, n)) % n][0], xx))
        side = words if i % 2 == 0 else xx.split()
        cut = " ".join(side[:max(1, round(len(side) * rng.uniform(0.3, 0.7)))])
        out["truncated"].append((cut, xx) if i % 2 == 0 else (en, cut))
    out["bt"] = list(zip(back([xx for _, xx in clean]), [xx for _, xx in clean], strict=True))
    return out


def scores_of(f: Any, pairs: Pairs) -> list[dict[str, Any]]:
    records = [Record(id=str(i), src=en, tgt=xx, origin="seed") for i, (en, xx) in enumerate(pairs)]
    out: list[dict[str, Any]] = []
    for start in range(0, len(records), 256):
        out += f.score_batch(records[start:start + 256])
    return out


def rejected(f: Any, pairs: Pairs, scored: list[dict[str, Any]]) -> list[bool]:
    return [f.decide(Record(id="x", src=en, tgt=xx, origin="seed"), s) is not None
            for (en, xx), s in zip(pairs, scored, strict=True)]


def pct(flags: list[bool], keep: bool = False) -> str:
    share = sum(flags) / len(flags) if flags else 0.0
    return f"{100 * (1 - share if keep else share):.1f}"


def sweep(title: str, f: Any, attr: str, values: list[float], sets: dict[str, Pairs],
          scored: dict[str, list[dict[str, Any]]], default: float) -> list[str]:
    lines = [f"### {title}", "", f"| {attr} | clean kept % | " + " | ".join(f"{c} rej %" for c in CLASSES) + " |",
             "|---:|---:|" + "---:|" * len(CLASSES)]
    for v in values:
        setattr(f, attr, v)
        row = [pct(rejected(f, sets["clean"], scored["clean"]), keep=True)]
        row += [pct(rejected(f, sets[c], scored[c])) for c in CLASSES]
        mark = " (chosen)" if v == default else ""
        lines.append(f"| {v:g}{mark} | " + " | ".join(row) + " |")
    setattr(f, attr, default)
    return lines + [""]


def measure(lang: str, seed_mode: str, cache: Path, chosen: dict[str, float]) -> list[str]:
    plugin = find_plugin(lang)
    cfg = {**DEFAULTS}
    norm = Normalize.for_plugin(plugin, cfg["normalize"])
    data_seed, clean = load(lang, norm)
    plugin_seed, extra = read_seed(plugin, cfg, [])
    seed = plugin_seed if seed_mode == "plugin" else data_seed + plugin_seed
    model = load_or_train(lang, seed, extra, cfg["bt"]["ibm1_iterations"], cfg["bt"]["dev_share"], cache)
    rng = random.Random(0)
    sets = {"clean": clean, **damage(clean, model.direction(lang, "en").translate, rng)}
    english = [en for en, _ in seed + extra]
    fluency = Fluency.build(english, {"min_score": chosen["fluency"]}, real=[en for en, _ in seed])
    adequacy = Adequacy.build(model, {"min_score": chosen["adequacy"]}, seed)
    length = Length.build({**LENGTH_DEFAULTS, "max_z": chosen["max_z"], "cut_z": chosen["cut_z"]}, seed)
    # The sweeps show what judging would do even where a filter abstains by default (too little data).
    length_sweep = Length.build({**LENGTH_DEFAULTS, "min_calibration_pairs": 2, "max_z": chosen["max_z"],
                                 "cut_z": 0.0}, seed)
    cut_sweep = Length.build({**LENGTH_DEFAULTS, "min_calibration_pairs": 2, "max_z": 0.0,
                              "cut_z": chosen["cut_z"]}, seed)
    judging = {"fluency": fluency.judging, "adequacy": adequacy.judging,
               "length": length.calibrated}
    fluency.judging = True
    adequacy.judging = True
    out = [f"## {lang}: seed = {'plugin examples + lexicon + templates' if seed_mode == 'plugin' else 'data + plugin'}"
           f" ({len(seed)} seed pairs, {len(extra)} extra pairs); {len(clean)} clean held-out pairs", "",
           f"IBM-1 {model.key}: {model.info.get('train_pairs')} training pairs, dev {model.info.get('dev')}; "
           f"fluency: {fluency.signature()}; adequacy: {adequacy.signature()}; length: {length.signature()}", ""]
    for title, f, attr, values, default in (
            ("fluency (min_score; rows under min_words not judged)", fluency, "min_score",
             [-3.0, -2.6, -2.4, -2.2, -2.0, -1.8, -1.5, -1.0, -0.5, 0.0], chosen["fluency"]),
            ("adequacy (min_score)", adequacy, "min_score",
             [-3.0, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5],
             chosen["adequacy"]),
            ("length (max_z, cut_z off; 0 = off: the fixed max_ratio check alone)", length_sweep, "max_z",
             [0.0, 1.5, 2.0, 2.3, 2.6, 3.0, 3.5, 4.0], chosen["max_z"]),
            ("length (cut_z: no sentence end and short by this many std; max_z off)", cut_sweep, "cut_z",
             [0.0, 0.5, 1.0, 1.5, 2.0], chosen["cut_z"])):
        started = time.perf_counter()
        scored = {k: scores_of(f, v) for k, v in sets.items()}
        rate = sum(map(len, sets.values())) / (time.perf_counter() - started)
        out += sweep(f"{title} — scores {rate:,.0f} pairs/s", f, attr, values, sets, scored, default)
    fluency.judging, adequacy.judging = judging["fluency"], judging["adequacy"]
    out += [f"### all three at the chosen thresholds {chosen} (judging: {judging})", "",
            "| | clean kept % | " + " | ".join(f"{c} rej %" for c in CLASSES) + " |",
            "|---|---:|" + "---:|" * len(CLASSES)]
    union: dict[str, list[bool]] = {}
    for k, v in sets.items():
        flags = [False] * len(v)
        for f in (fluency, adequacy, length):
            flags = [a or b for a, b in zip(flags, rejected(f, v, scores_of(f, v)), strict=True)]
        union[k] = flags
    out.append("| all | " + pct(union["clean"], keep=True) + " | "
               + " | ".join(pct(union[c]) for c in CLASSES) + " |")
    return out + [""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lang", nargs="+", default=["yo", "ha", "am"])
    ap.add_argument("--seed", choices=["data", "plugin"], default="data")
    ap.add_argument("--out", type=Path, default=None, help="also write models-<lang>.md here")
    ap.add_argument("--fluency", type=float, default=FLUENCY_DEFAULTS["min_score"], help="fluency min_score")
    ap.add_argument("--adequacy", type=float, default=ADEQUACY_DEFAULTS["min_score"], help="adequacy min_score")
    ap.add_argument("--max-z", type=float, default=LENGTH_DEFAULTS["max_z"], help="length max_z")
    ap.add_argument("--cut-z", type=float, default=LENGTH_DEFAULTS["cut_z"], help="length cut_z")
    args = ap.parse_args()
    chosen = {"fluency": args.fluency, "adequacy": args.adequacy, "max_z": args.max_z, "cut_z": args.cut_z}
    with tempfile.TemporaryDirectory() as tmp:
        for lang in args.lang:
            lines = measure(lang, args.seed, Path(tmp), chosen)
            text = "\n".join(lines)
            print(text, flush=True)
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                suffix = "-plugin" if args.seed == "plugin" else ""
                cmd = " ".join(["python eval/filters/measure_models.py", f"--lang {lang}",
                                f"--seed {args.seed}", f"--out {args.out}", f"--fluency {args.fluency:g}",
                                f"--adequacy {args.adequacy:g}", f"--max-z {args.max_z:g}",
                                f"--cut-z {args.cut_z:g}"])
                (args.out / f"models-{lang}{suffix}.md").write_text(f"`{cmd}`\n\n{text}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
