"""``lrl eval``: train the same downstream model on seed data alone and on seed + synthetic data, score
a held-out test set in both directions, and test the difference for significance.

Steps, in order:

1. Read the seed and the test set; normalize both with the plugin's rules.
2. Decontaminate: drop every seed row whose normalized English or language side occurs in the test set
   (optionally long n-gram overlap), and count them.
3. Augment: run the lrl pipeline on the seed (and monolingual text) with the test set excluded, or use
   a run folder given with ``run=``.
4. For each system (an origin subset of the run's rows, a mixing ratio, tagging) and each direction,
   train the downstream model under one budget and translate the test sources.
5. Score with sacrebleu (BLEU, chrF, chrF++) and paired bootstrap resampling against seed-only, and
   score a word-shuffled copy of every output as a floor.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lrl.errors import ConfigError
from lrl.evaluation.downstream import MODELS, train_and_translate
from lrl.evaluation.metrics import paired_bootstrap, shuffle_words
from lrl.filters.decontaminate import Decontaminate
from lrl.filters.normalize import Normalize
from lrl.io.readers import ReadOptions, read_pairs
from lrl.languages.plugin import Plugin

#: Origins of rows the eval may add to the seed (everything lrl generates; "mono" rows have no English).
SYNTHETIC = ("template", "bt", "ft", "paraphrase", "pivot", "substitute")
BT_TAG = "<BT> "


@dataclass(frozen=True)
class System:
    """Which synthetic rows join the seed: origins, a cap on synthetic rows as a multiple of the seed
    (0 = all), and whether back-translated sources are tagged."""

    name: str
    origins: tuple[str, ...] = ()
    ratio: float = 0.0
    tagged: bool = False


DEFAULT_SYSTEMS = (
    System("seed only"),
    System("+ templates", ("template",)),
    System("+ back-translation", ("bt",)),
    System("+ paraphrase", ("paraphrase", "pivot")),
    System("+ substitution", ("substitute",)),
    System("all", SYNTHETIC),
    System("all, synthetic ≤ 0.5× seed", SYNTHETIC, ratio=0.5),
    System("all, synthetic ≤ 1× seed", SYNTHETIC, ratio=1.0),
    System("all, synthetic ≤ 2× seed", SYNTHETIC, ratio=2.0),
    System("all, tagged back-translation", SYNTHETIC, tagged=True),
)


@dataclass
class EvalSettings:
    lang: str
    seed_data: list[str]
    test: str
    mono: list[str] = field(default_factory=list)
    run: str = ""  # an existing augment run folder; empty = run augment here
    model: str = "ibm1"
    minutes: float = 10.0
    directions: list[str] = field(default_factory=list)  # default: en-<lang>, <lang>-en
    systems: list[str] = field(default_factory=list)  # names from DEFAULT_SYSTEMS to run (default: all)
    ngram: int = 0  # also decontaminate by shared word n-grams of this length (0 = exact sides only)
    bootstrap_samples: int = 1000
    test_max: int = 0  # score only the first N test pairs (0 = all)
    seed_max: int = 0  # use only the first N seed pairs (0 = all)
    seed: int = 13
    augment_set: dict[str, Any] = field(default_factory=dict)  # settings for the augment run
    out_dir: str = "out"


def _pairs(specs: list[str], plugin: Plugin, norm: Normalize) -> list[tuple[str, str]]:
    return list(read_pairs(specs, ReadOptions(lang_names=(plugin.code, plugin.iso639_3, plugin.name)), norm.text))


def _augment(plugin: Plugin, s: EvalSettings) -> Path:
    from lrl import config
    from lrl.pipeline import Inputs, run

    overrides = {"out_dir": s.out_dir, "seed": s.seed, "decontaminate.exclude": [s.test],
                 "decontaminate.ngram": s.ngram, **s.augment_set}
    cfg = config.resolve(plugin.defaults, str(plugin.manifest), None, overrides)
    return run(plugin, cfg, Inputs(mono=s.mono, parallel=s.seed_data), progress=False).run_dir


def _synthetic_rows(run_dir: Path) -> list[dict[str, str]]:
    import pyarrow.parquet as pq

    rows: list[dict[str, str]] = []
    for f in sorted((run_dir / "data").glob("*.parquet")):
        t = pq.read_table(f, columns=["src", "tgt", "origin"]).to_pylist()
        rows += [r for r in t if r["origin"] in SYNTHETIC and r["src"] and r["tgt"]]
    return rows


def _training_pairs(system: System, seed: list[tuple[str, str]], synthetic: list[dict[str, str]],
                    direction: str, rng_seed: int) -> list[tuple[str, str]]:
    chosen = [r for r in synthetic if r["origin"] in system.origins]
    if system.ratio > 0 and len(chosen) > system.ratio * len(seed):
        chosen = random.Random(rng_seed).sample(chosen, int(system.ratio * len(seed)))
    pairs = list(seed)
    for r in chosen:
        en = r["src"]
        # Tagging marks synthetic *sources*: it applies when English is the source (en→xx).
        if system.tagged and r["origin"] == "bt" and direction.startswith("en-"):
            en = BT_TAG + en
        pairs.append((en, r["tgt"]))
    return pairs


#: Settings that name files: in a config file they are relative to that file's folder (so a config works
#: from any current folder); on the command line, to the current folder as usual.
PATH_KEYS = ("seed_data", "test", "mono", "run", "out_dir")


def load_settings(path: Path | None, lang: str, overrides: dict[str, Any]) -> EvalSettings:
    """Settings from an eval TOML file (keys = EvalSettings fields, strictly checked) and overrides."""
    from lrl.evaluation.settings import read_settings

    raw = read_settings(path, lang, overrides, EvalSettings, PATH_KEYS, "eval settings")
    for required in ("seed_data", "test"):
        if not raw.get(required):
            raise ConfigError(f"eval needs {required} (a config file key or --{required.replace('_', '-')})")
    if isinstance(raw["seed_data"], str):
        raw["seed_data"] = [raw["seed_data"]]
    return EvalSettings(**raw)


def quick(s: EvalSettings) -> EvalSettings:
    """Seconds instead of minutes: small seed, test and augment run, few bootstrap samples (for tests
    and a first look; the numbers mean little)."""
    from dataclasses import replace

    return replace(s, seed_max=s.seed_max or 800, test_max=s.test_max or 150, bootstrap_samples=100,
                   minutes=min(s.minutes, 0.3),
                   augment_set={**s.augment_set, "templates.count": 300, "inputs.max_rows": 300})


def run_eval(plugin: Plugin, s: EvalSettings, systems: tuple[System, ...] = DEFAULT_SYSTEMS,
             log: Any = print) -> dict[str, Any]:
    if s.model not in MODELS:
        raise ConfigError(f"eval model must be one of {', '.join(MODELS)}, not {s.model!r}")
    started = time.time()
    norm = Normalize.for_plugin(plugin)
    test = _pairs([s.test], plugin, norm)
    if s.test_max:
        test = test[: s.test_max]
    raw_seed = _pairs(s.seed_data, plugin, norm)
    if s.seed_max:
        raw_seed = raw_seed[: s.seed_max]
    # 1-2: decontaminate the seed against the test set
    guard = Decontaminate([s.test], norm, ReadOptions(lang_names=(plugin.code, plugin.iso639_3, plugin.name)),
                          s.ngram)
    seed = [(en, xx) for en, xx in raw_seed if not (guard.in_test(en) or guard.in_test(xx))]
    log(f"seed: {len(raw_seed):,} pairs, {len(raw_seed) - len(seed):,} dropped as in the test set; "
        f"test: {len(test):,} pairs")
    # 3: augment
    run_dir = Path(s.run) if s.run else _augment(plugin, s)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    synthetic = _synthetic_rows(run_dir)
    # An augment run's synthetic rows were decontaminated by the run itself; check again (a run given
    # with run= may not have been).
    synthetic = [r for r in synthetic if not (guard.in_test(r["src"]) or guard.in_test(r["tgt"]))]
    by_origin = Counter(r["origin"] for r in synthetic)
    log(f"synthetic rows from {run_dir}: {dict(by_origin)}")
    if s.systems:
        unknown = sorted(set(s.systems) - {sy.name for sy in systems})
        if unknown:
            raise ConfigError(f"unknown eval system(s) {unknown}; known: {[sy.name for sy in systems]}")
        systems = tuple(sy for sy in systems if sy.name in s.systems or sy.name == "seed only")
    present = [sy for sy in systems if not sy.origins or any(by_origin[o] for o in sy.origins)]
    directions = s.directions or [f"en-{plugin.code}", f"{plugin.code}-en"]
    results: dict[str, Any] = {}
    for direction in directions:
        src_is_en = direction.startswith("en-")
        sources = [en if src_is_en else xx for en, xx in test]
        refs = [xx if src_is_en else en for en, xx in test]
        outputs: dict[str, list[str]] = {}
        trained: dict[str, Any] = {}
        for sy in present:
            pairs = _training_pairs(sy, seed, synthetic, direction, s.seed)
            t0 = time.time()
            hyps, info = train_and_translate(s.model, plugin.code, direction, pairs, sources, s.minutes,
                                             Path(s.out_dir) / "eval-models" / plugin.code / direction /
                                             sy.name.replace(" ", "_"), s.seed)
            trained[sy.name] = {**info, "train_pairs": len(pairs), "seconds": round(time.time() - t0, 1)}
            outputs[sy.name] = hyps
            log(f"{direction} {sy.name}: {len(pairs):,} training pairs, {trained[sy.name]['seconds']} s")
        named: list[tuple[str, Sequence[str]]] = list(outputs.items())
        named += [(f"{name} (words shuffled)", shuffle_words(hyps, s.seed)) for name, hyps in outputs.items()]
        sigs, scores = paired_bootstrap(named, refs, s.bootstrap_samples)
        results[direction] = {
            "signatures": sigs,
            "systems": {name: {"trained": trained.get(name.replace(" (words shuffled)", "")),
                               "scores": {m: asdict(v) for m, v in sc.items()}}
                        for name, sc in scores.items()},
            "examples": [{"src": sources[i], "ref": refs[i], **{n: outputs[n][i] for n in outputs}}
                         for i in range(min(3, len(sources)))],
        }
    return {
        "lang": plugin.code, "settings": asdict(s), "run_dir": str(run_dir),
        "augment_totals": manifest.get("totals"), "augment_kept_by_origin": manifest.get("kept_by_origin"),
        "augment_stages": manifest.get("stages", {}),
        "seed_pairs": len(raw_seed), "seed_in_test": len(raw_seed) - len(seed), "test_pairs": len(test),
        "synthetic_by_origin": dict(by_origin), "systems": [asdict(sy) for sy in present],
        "results": results, "wall_seconds": round(time.time() - started, 1),
    }

