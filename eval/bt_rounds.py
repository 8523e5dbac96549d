"""Iterative back-translation (bt.rounds) and data selection (bt.select): what they do on real data.

    python eval/bt_rounds.py --lang yo            # writes eval/results/bt-rounds-yo.md (+ .json)
    python eval/bt_rounds.py --lang ha --k 1500

Seed, test set and monolingual text are those of ``make eval`` (eval/configs/<lang>.toml; the seed is
decontaminated against the test set, and so is every run). Real ``augment`` runs (the plugin's defaults,
no paraphrase or substitution):

* **rounds** — ``bt.rounds=4 bt.rounds_min_gain=0`` on the whole pool, with the full seed and with its
  first ``--small-seed`` pairs: per round, the back-translator's dev chrF++ (its held-out seed split)
  and the kept counts, from the manifest's ``bt_rounds``;
* **selection** — every monolingual row translated (``bt.select=none``), then ``rank`` and ``random`` with
  the same ``k``: how many back-translations survive the checks, how many new language-side words (not
  in the seed) they bring, and what share of the test set's language-side tokens the training data has
  never seen;
* **downstream** — the IBM-1 downstream model of ``make eval`` trained on the seed plus each run's kept
  back-translations, scored on the test set both ways (sacrebleu, paired bootstrap against seed only).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lrl import config  # noqa: E402
from lrl.evaluation.downstream import train_and_translate  # noqa: E402
from lrl.evaluation.experiment import _pairs, _synthetic_rows, load_settings  # noqa: E402
from lrl.evaluation.metrics import paired_bootstrap  # noqa: E402
from lrl.filters.decontaminate import Decontaminate  # noqa: E402
from lrl.filters.normalize import Normalize  # noqa: E402
from lrl.generate.select import words  # noqa: E402
from lrl.io.rows import ReadOptions  # noqa: E402
from lrl.languages.discovery import find_plugin  # noqa: E402
from lrl.pipeline import Inputs, run  # noqa: E402


def augment(plugin: Any, seed_files: list[str], mono: list[str], test: str, out: Path,
            extra: dict[str, Any]) -> dict[str, Any]:
    overrides = {"out_dir": str(out), "seed": 13, "decontaminate.exclude": [test], "paraphrase.enabled": False,
                 "substitute.enabled": False, **extra}
    cfg = config.resolve(plugin.defaults, str(plugin.manifest), None, overrides)
    t0 = time.time()
    res = run(plugin, cfg, Inputs(mono=mono, parallel=seed_files), progress=False)
    bt = [(r["src"], r["tgt"]) for r in _synthetic_rows(res.run_dir) if r["origin"] == "bt"]
    return {"settings": extra, "run_dir": str(res.run_dir), "seconds": round(time.time() - t0, 1),
            "bt_made": res.manifest["stages"].get("bt", {}).get("created", 0), "bt_kept": len(bt),
            "bt_rounds": res.manifest.get("bt_rounds"), "bt_select": res.manifest.get("bt_select"),
            "dev": next(s["signature"].get("dev") for s in res.manifest["steps"] if s["name"] == "bt"),
            "pairs": bt}


def coverage(seed: Sequence[tuple[str, str]], bt: Sequence[tuple[str, str]],
             test: Sequence[tuple[str, str]]) -> dict[str, Any]:
    seed_words = {w for _, x in seed for w in words(x)}
    new = {w for _, x in bt for w in words(x)} - seed_words
    test_toks = [w for _, x in test for w in words(x)]
    oov = lambda vocab: sum(w not in vocab for w in test_toks) / max(len(test_toks), 1)  # noqa: E731
    return {"new_words": len(new), "test_oov_seed": round(100 * oov(seed_words), 2),
            "test_oov_with_bt": round(100 * oov(seed_words | new), 2)}


def downstream(lang: str, seed: list[tuple[str, str]], systems: dict[str, list[tuple[str, str]]],
               test: list[tuple[str, str]], samples: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for direction in (f"en-{lang}", f"{lang}-en"):
        src_en = direction.startswith("en-")
        sources = [en if src_en else xx for en, xx in test]
        refs = [xx if src_en else en for en, xx in test]
        named = []
        for name, extra in systems.items():
            hyps, _ = train_and_translate("ibm1", lang, direction, seed + extra, sources, 0, Path("."), 13)
            named.append((name, hyps))
        _, scores = paired_bootstrap(named, refs, samples)
        out[direction] = {n: {m: {"score": round(float(v.score), 2),
                                  "ci": None if v.ci is None else round(float(v.ci), 2),
                                  "p": None if v.p_value is None else round(float(v.p_value), 4)}
                              for m, v in sc.items()} for n, sc in scores.items()}
    return out


def render(lang: str, res: dict[str, Any], command: str) -> str:
    L = [f"# Iterative back-translation and data selection — {lang}", "", "Produced by:", "", "```", command,
         "```", "", f"Wall time {res['wall_seconds'] / 60:.1f} min on this machine (2 CPU cores shared with "
         "other jobs). Seed, test set and monolingual text as in `make eval` (`eval/configs/"
         f"{lang}.toml`): seed {res['seed_pairs']:,} pairs after decontamination, test {res['test_pairs']:,} "
         f"pairs, small seed = its first {res['small_seed']:,} pairs. Back-translator: IBM-1 tables (the "
         "default), the plugin's default checks; no paraphrase or substitution.", "",
         f"## Rounds (`bt.rounds={res.get('rounds', 4)} bt.rounds_min_gain=0`)", "",
         "Dev = the back-translator's own held-out seed split (LRL→English, the direction it translates); "
         "a round whose retrained tables do not beat the last is not used and ends the loop (with the default "
         "`bt.rounds_min_gain=0.1` a round must beat it by more than 0.1).", "",
         "| seed | round | dev chrF++ | dev BLEU | translated | kept | used |", "|---|---:|---:|---:|---:|---:|---|"]
    for label in ("rounds", "rounds_small"):
        r = res["runs"][label]
        for e in r["bt_rounds"] or []:
            d = e["dev"].get(f"{lang}-en", {})
            used = "output" if e.get("output") else ("no (not better)" if e.get("used") is False else "yes")
            L.append(f"| {'full' if label == 'rounds' else 'small'} | {e['round']} | {d.get('chrf++', '–')} | "
                     f"{d.get('bleu', '–')} | {e.get('translated', '–')} | "
                     f"{e.get('kept', e.get('trained_on_synthetic', '–'))} | {used} |")
    L += ["", "(For a round not used, *kept* is the number of synthetic pairs its tables were trained on.)", "",
          "## Selection at equal k", "",
          "| run | translated | kept | kept share | new LRL words | test tokens unseen (seed → +bt) |",
          "|---|---:|---:|---:|---:|---|"]
    for label in ("none", "rank", "random"):
        r = res["runs"][label]
        c = r["coverage"]
        share = r["bt_kept"] / r["bt_made"] if r["bt_made"] else 0
        name = label if label == "none" else f"{label} k={res['k']:,}"
        L.append(f"| {name} | {r['bt_made']:,} | "
                 f"{r['bt_kept']:,} | {share:.1%} | {c['new_words']:,} | {c['test_oov_seed']}% → "
                 f"{c['test_oov_with_bt']}% |")
    L += ["", "## Downstream (IBM-1 tables trained on seed + kept back-translations, test set)", ""]
    for direction, table in res["downstream"].items():
        L += [f"### {direction}", "", "| system | BLEU | chrF++ | ± | p vs seed only |", "|---|---:|---:|---:|---:|"]
        for name, sc in table.items():
            c = sc["chrF++"]
            ci = "" if c["ci"] is None else f"{c['ci']:.2f}"
            p = "–" if c["p"] is None else f"{c['p']:.3f}"
            L.append(f"| {name} | {sc['BLEU']['score']:.2f} | {c['score']:.2f} | {ci} | {p} |")
        L.append("")
    return "\n".join(L) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lang", default="yo")
    ap.add_argument("--k", type=int, default=2000, help="rows selected by rank and random")
    ap.add_argument("--small-seed", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--samples", type=int, default=1000, help="paired bootstrap samples")
    ap.add_argument("--out", default=str(REPO / "eval" / "results"))
    a = ap.parse_args()
    started = time.time()
    s = load_settings(REPO / "eval" / "configs" / f"{a.lang}.toml", a.lang, {})
    plugin = find_plugin(a.lang)
    norm = Normalize.for_plugin(plugin)
    guard = Decontaminate([s.test], norm, ReadOptions(lang_names=(plugin.code, plugin.iso639_3, plugin.name)), 0)
    seed = [(en, xx) for en, xx in _pairs(s.seed_data, plugin, norm) if not (guard.in_test(en) or guard.in_test(xx))]
    test = _pairs([s.test], plugin, norm)
    res: dict[str, Any] = {"seed_pairs": len(seed), "test_pairs": len(test), "k": a.k, "small_seed": a.small_seed,
                           "rounds": a.rounds, "runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        # EN_FILE,LRL_FILE: aligned plain text, no quoting to get wrong
        for side, i in (("en", 0), ("xx", 1)):
            (Path(tmp) / f"small.{side}").write_text("".join(p[i] + "\n" for p in seed[:a.small_seed]),
                                                   encoding="utf-8")
        small = f"{Path(tmp) / 'small.en'},{Path(tmp) / 'small.xx'}"
        # min_gain 0: every round that scores higher at all is used, so the rounds are there to see
        rounds = {"bt.rounds": a.rounds, "bt.rounds_min_gain": 0.0}
        plans = {"rounds": (s.seed_data, rounds),
                 "rounds_small": ([small], rounds),
                 "none": (s.seed_data, {}),
                 "rank": (s.seed_data, {"bt.select": "rank", "bt.select_k": a.k}),
                 "random": (s.seed_data, {"bt.select": "random", "bt.select_k": a.k})}
        for label, (files, extra) in plans.items():
            r = augment(plugin, files, s.mono, s.test, Path(tmp) / "out", extra)
            r["coverage"] = coverage(seed, r["pairs"], test)
            per_round = [(e["round"], e["dev"].get(plugin.code + "-en"), e.get("kept")) for e in r["bt_rounds"] or []]
            print(f"{label}: made {r['bt_made']}, kept {r['bt_kept']}, {r['coverage']}, {r['seconds']} s, "
                  f"rounds {per_round}", flush=True)
            res["runs"][label] = r
    systems = {"seed only": [], "+ bt, all rows": res["runs"]["none"]["pairs"],
               f"+ bt, rank k={a.k}": res["runs"]["rank"]["pairs"],
               f"+ bt, random k={a.k}": res["runs"]["random"]["pairs"],
               f"+ bt, rounds={a.rounds} (output round)": res["runs"]["rounds"]["pairs"]}
    res["downstream"] = downstream(plugin.code, seed, systems, test, a.samples)
    res["wall_seconds"] = round(time.time() - started, 1)
    command = f"python eval/bt_rounds.py --lang {a.lang}" + (f" --k {a.k}" if a.k != 2000 else "")
    out = Path(a.out)
    for r in res["runs"].values():
        r.pop("pairs")
    (out / f"bt-rounds-{a.lang}.md").write_text(render(a.lang, res, command), encoding="utf-8")
    # sacrebleu's bootstrap gives numpy floats
    (out / f"bt-rounds-{a.lang}.json").write_text(json.dumps(res, indent=1, ensure_ascii=False, default=float),
                                                  encoding="utf-8")
    print(f"wrote {out / f'bt-rounds-{a.lang}.md'}")


if __name__ == "__main__":
    main()
