"""``lrl eval-classify``: translate-train text classification (issue 14).

Does lrl's data help a model that can use it? Language programmes have labelled English text and little
labelled text in their language. Steps:

1. Read the real labelled news in the language and the labelled English news (MasakhaNEWS format,
   ``lrl/evaluation/news.py``); keep the topics both share. Hold out a stratified share of the real
   articles as the test set (or score on ``--test PATH`` instead; the training pool stays the same).
2. Forward-translate the English articles with lrl itself: one row per sentence with its ``category`` and
   ``doc`` labels (``--mono-en``), through the real pipeline and the language's plugin, so every filter
   judges every translated sentence; the labels come back with the kept rows, which regroup into articles.
3. Train the same classifier (``lrl/evaluation/textclf.py``) on (a) real articles only, at several per-class
   sizes (several draws each) and all, (b) the synthetic articles only, (c) real + synthetic; score
   accuracy and macro-F1 on the test set with bootstrap CIs and paired differences.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lrl.errors import ConfigError, InputError
from lrl.evaluation.news import Article, per_class_sample, read_news, stratified_split, write_english_rows
from lrl.evaluation.textclf import bootstrap_scores, featurize, fit_predict
from lrl.filters.normalize import Normalize
from lrl.languages.plugin import Plugin


@dataclass
class ClassifySettings:
    lang: str
    #: parallel data the run's translator learns from (the IBM-1 tables, unless a cached model wins)
    seed_data: list[str]
    #: labelled English news (MasakhaNEWS format), forward-translated into the language
    english: list[str]
    #: labelled news in the language (MasakhaNEWS format): the training pool and the held-out test split
    real: str
    #: score on this MasakhaNEWS-format file instead of the held-out split ("" = the split)
    test: str = ""
    test_share: float = 0.3
    sizes: list[int] = field(default_factory=lambda: [5, 10, 25, 50, 100])  # real articles per class; "all" is added
    draws: int = 5  # random draws per small size (their mean is scored; their spread is shown)
    max_sentences: int = 12  # body sentences translated per English article (after its headline)
    bootstrap_samples: int = 1000
    seed: int = 13
    run: str = ""  # an existing augment run (made by this command) instead of translating again
    #: an ablation: also train on the translations these stages rejected (their later checks never ran)
    ablate: list[str] = field(default_factory=lambda: ["ft-lrl-fluency"])
    augment_set: dict[str, Any] = field(default_factory=dict)
    out_dir: str = "out"


PATH_KEYS = ("seed_data", "english", "real", "test", "run", "out_dir")


def load_settings(path: Path | None, lang: str, overrides: dict[str, Any]) -> ClassifySettings:
    """Settings from a TOML file (paths relative to it; keys strictly checked) and command-line overrides
    (paths relative to the current folder)."""
    from lrl.evaluation.settings import read_settings

    raw = read_settings(path, lang, overrides, ClassifySettings, PATH_KEYS, "eval-classify settings")
    for required in ("seed_data", "english", "real"):
        if not raw.get(required):
            raise ConfigError(f"eval-classify needs {required!r} (in --config FILE, e.g. "
                              f"eval/configs/classify-{lang}.toml)")
    for key in ("seed_data", "english"):
        if isinstance(raw[key], str):
            raw[key] = [raw[key]]
    if not 0 < raw.get("test_share", 0.3) < 1:
        raise ConfigError(f"{path or 'eval-classify settings'}: test_share must be between 0 and 1")
    return ClassifySettings(**raw)


def quick(s: ClassifySettings) -> ClassifySettings:
    """Seconds: one small size, two draws, few sentences and bootstrap samples (tests, a first look)."""
    return dataclasses.replace(s, sizes=s.sizes[:1], draws=min(s.draws, 2), max_sentences=min(s.max_sentences, 3),
                               bootstrap_samples=min(s.bootstrap_samples, 200))


def _translate(plugin: Plugin, s: ClassifySettings, english: list[Article]) -> Path:
    """The English rows through the whole pipeline (``--parallel SEED --mono-en ROWS``)."""
    from lrl import config
    from lrl.pipeline import Inputs, run

    work = Path(s.out_dir) / "eval-classify"
    work.mkdir(parents=True, exist_ok=True)
    rows = work / f"{plugin.code}-english.jsonl"
    write_english_rows(english, rows, s.max_sentences)
    # Templates would only add unlabelled rows: off. The labels ride in the rows (inputs.label_columns =
    # every extra column: the English rows' category and doc; the seed TSV has none).
    overrides = {"out_dir": str(work / "runs"), "seed": s.seed, "templates.enabled": False, **s.augment_set}
    cfg = config.resolve(plugin.defaults, str(plugin.manifest), None, overrides)
    return run(plugin, cfg, Inputs(mono=[], parallel=s.seed_data, mono_en=[str(rows)]), progress=False).run_dir


def synthetic_articles(run_dir: Path, also: tuple[str, ...] = ()) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """(category, text) per English article with at least one kept translated sentence, its sentences
    in their input order; and counts (sentences kept and rejected, articles lost). ``also``: stages whose
    rejected translations count as kept (an ablation: what would the classifier gain without that check?)."""
    import pyarrow.parquet as pq

    docs: dict[str, list[tuple[int, str]]] = defaultdict(list)
    cats: dict[str, str] = {}
    for f in sorted((run_dir / "data").glob("*.parquet")):
        for r in pq.read_table(f, columns=["id", "tgt", "origin", "labels"]).to_pylist():
            if r["origin"] != "ft" or not r["tgt"]:
                continue
            labels = json.loads(r["labels"])
            docs[labels["doc"]].append((int(r["id"].rsplit(":", 1)[1]), r["tgt"]))
            cats[labels["doc"]] = labels["category"]
    rejected: Counter[str] = Counter()
    rejected_docs: set[str] = set()
    with open(run_dir / "rejected.jsonl", encoding="utf-8") as lines:
        for line in lines:
            r = json.loads(line)
            if r["origin"] not in ("ft", "mono") or "doc" not in r.get("labels", {}):
                continue
            if r["stage"] in also and r["tgt"]:
                docs[r["labels"]["doc"]].append((int(r["id"].rsplit(":", 1)[1]), r["tgt"]))
                cats[r["labels"]["doc"]] = r["labels"]["category"]
                continue
            rejected[r["stage"]] += 1
            rejected_docs.add(r["labels"]["doc"])
    out = [(cats[d], "\n".join(t for _, t in sorted(docs[d]))) for d in sorted(docs, key=int)]
    kept_sentences = sum(len(v) for v in docs.values())
    return out, {"sentences_kept": kept_sentences, "sentences_rejected": sum(rejected.values()),
                 "rejected_by_stage": dict(rejected.most_common()), "articles": len(out),
                 "articles_without_a_kept_sentence": len(rejected_docs - set(docs))}


def _translator(run_dir: Path) -> dict[str, Any]:
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    for step in manifest.get("steps", []):
        if step["name"] == "bt":
            return {"forward_model": step["signature"].get("forward_model"),
                    "dev": {k: v for k, v in step["signature"].items() if "dev" in k or "chrf" in k.lower()}}
    return {}


def run_classify(plugin: Plugin, s: ClassifySettings, log: Any = print) -> dict[str, Any]:
    started = time.time()
    norm = Normalize.for_plugin(plugin)
    real = read_news(Path(s.real))
    english = [a for p in s.english for a in read_news(Path(p))]
    shared = sorted({a.category for a in real} & {a.category for a in english})
    if len(shared) < 2:
        raise InputError(Path(s.real), None, f"it shares {len(shared)} topic(s) with the English data "
                         f"({sorted({a.category for a in english})}); a classifier needs at least 2",
                         "give labelled files with the same category names")
    pool_all = [a for a in real if a.category in shared]
    pool, held_out = stratified_split(pool_all, s.test_share, s.seed)
    if s.test:
        given = read_news(Path(s.test))
        test = [a for a in given if a.category in shared]
        test_source, test_dropped = s.test, Counter(a.category for a in given if a.category not in shared)
    else:
        test, test_source, test_dropped = held_out, f"held-out {s.test_share:.0%} of {s.real}", Counter()
    if not test:
        raise InputError(Path(s.test or s.real), None, f"no test article has a shared topic ({', '.join(shared)})",
                         "give a test file with these category names")
    seen = {norm.text(a.document) for a in pool}
    overlap = sum(norm.text(a.document) in seen for a in test)
    log(f"topics {shared}; real pool {len(pool)}, test {len(test)} ({test_source}); "
        f"{overlap} test articles also in the pool")

    english_used = [a for a in english if a.category in shared]
    run_dir = Path(s.run) if s.run else _translate(plugin, s, english_used)
    # The synthetic sets: the run's kept translations, and (ablation) those plus the translations that the
    # `ablate` stages rejected, to see what the checks cost or gain the classifier.
    sets: dict[str, tuple[list[tuple[str, str]], dict[str, Any]]] = {"synthetic": synthetic_articles(run_dir)}
    if s.ablate:
        sets[f"synthetic incl. {'/'.join(s.ablate)} rejects"] = synthetic_articles(run_dir, tuple(s.ablate))
    sets = {k: v for k, v in sets.items() if v[0]}
    for set_name, (_, counts) in sets.items():
        log(f"{set_name}: {counts} from {run_dir}")

    gold = [a.category for a in test]
    # Every text is featurized once; a training set is a choice of rows.
    pool_x = featurize([norm.text(a.document) for a in pool])
    test_x = featurize([norm.text(a.document) for a in test])
    syn = {k: (featurize([norm.text(t) for _, t in arts]), [c for c, _ in arts]) for k, (arts, _) in sets.items()}
    row_of = {id(a): i for i, a in enumerate(pool)}
    largest = max(Counter(a.category for a in pool).values())
    sizes: list[tuple[str, int]] = [(f"{k}/class", k) for k in s.sizes if k < largest] + [("all", 0)]
    rows: list[dict[str, Any]] = []
    syn_only = {f"{k} only": fit_predict(x, y, test_x, s.seed) for k, (x, y) in syn.items()}
    import scipy.sparse as sp

    for name, k in sizes:
        runs: dict[str, list[list[str]]] = defaultdict(list)
        n_real = []
        for d in range(s.draws if k else 1):
            train = per_class_sample(pool, k, s.seed + d) if k else pool
            n_real.append(len(train))
            x, labels = pool_x[[row_of[id(a)] for a in train]], [a.category for a in train]
            runs["real"].append(fit_predict(x, labels, test_x, s.seed + d))
            for sname, (sx, sy) in syn.items():
                runs[f"real + {sname}"].append(fit_predict(sp.vstack([x, sx]).tocsr(), labels + sy, test_x, s.seed + d))
        for sname, pred in syn_only.items():
            runs[sname] = [pred]
        scores = bootstrap_scores(gold, dict(runs), baseline="real", samples=s.bootstrap_samples, seed=s.seed)
        rows.append({"size": name, "real_articles": sum(n_real) / len(n_real), "scores": scores})
        log(f"{name}: " + ", ".join(f"{n} F1 {v['f1']['score']:.3f}" for n, v in scores.items()))
    return {
        "lang": plugin.code, "settings": asdict(s), "run_dir": str(run_dir), "translator": _translator(run_dir),
        "topics": shared, "pool": dict(sorted(Counter(a.category for a in pool).items())),
        "test": dict(sorted(Counter(gold).items())), "test_source": test_source,
        "test_dropped_topics": dict(test_dropped), "test_in_pool": overlap,
        "english_articles": len(english_used),
        "synthetic": {k: {**c, "by_topic": dict(sorted(Counter(cat for cat, _ in a).items()))}
                      for k, (a, c) in sets.items()},
        "rows": rows, "wall_seconds": round(time.time() - started, 1),
    }
