"""Why synthetic rows move the IBM-1 downstream model (issue 9): which words' translations they change.

The eval's downstream model (`make eval lang=L`) translates each English word by the argmax of its IBM-1
table. Adding synthetic pairs changes some of those argmaxes; this script says which, and whether the new
choice appears in the test references more or less often than the seed's. Three sections:

1. Template volume: chrF++ both ways of seed + N template renderings (the plugin's TemplateGenerator), for
   seeds of several sizes (the first pairs of the decontaminated seed): the measurement behind
   ``templates.max_seed_ratio`` and ``templates.seed_cap_floor``.
2. Per origin (needs ``--run``, an augment run folder such as the one ``make eval`` made): en→L chrF++ of
   seed + that origin's kept rows, the English words whose translation changed, ranked by the change in
   test sentences whose reference holds the chosen word ("ref hits"), and the score with the seed's
   translation of "the" put back.
3. Pivot paraphrase by language-side fluency score (needs ``--run`` with pivot rows): the rows at or above
   each bar and their en→L chrF++, the measurement behind ``paraphrase.pivot_min_lrl_fluency``.
4. Substitution by the lexicon class swapped (needs ``--run`` with substitute rows): the measurement behind
   ``substitute.skip_classes``.

Point estimates on the eval's test set (no bootstrap CI: the eval gives those); deterministic.

    PYTHONPATH=. .venv/bin/python eval/synthetic_effect.py --lang yo [--run out/yo/<run>] \
        [--out eval/results/synthetic-effect-yo.md]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from sacrebleu.metrics import CHRF

from lrl.config import DEFAULTS
from lrl.evaluation import experiment as ex
from lrl.filters.decontaminate import Decontaminate
from lrl.filters.normalize import Normalize
from lrl.generate.template_budget import capped
from lrl.generate.templates import TemplateGenerator
from lrl.io.readers import ReadOptions
from lrl.languages.discovery import find_plugin
from lrl.models.ibm1 import IBM1Model, _is_word, tokenize, translate_words

Pairs = list[tuple[str, str]]


def tables(lang: str, pairs: Pairs) -> tuple[dict[str, str], dict[str, str]]:
    m = IBM1Model.train(lang, pairs)
    return ({w: c[0][0] for w, c in m.en2xx.items() if c}, {w: c[0][0] for w, c in m.xx2en.items() if c})


def chrfpp(table: dict[str, str], src: list[str], ref: list[str]) -> float:
    return CHRF(word_order=2).corpus_score([translate_words(s, table.get) for s in src], [ref]).score


def words(text: str) -> list[str]:
    return [t.lower() for t in tokenize(text) if _is_word(t)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lang", required=True)
    ap.add_argument("--run", default="", help="an augment run folder (sections 2 and 3)")
    ap.add_argument("--seed-sizes", default="500,2000,0",
                    help="seed sizes for section 1 (0 = the whole seed; \"\" = skip section 1)")
    ap.add_argument("--template-counts", default="500,1000,2000,3000,5000,10000", help="section 1's columns")
    ap.add_argument("--top-classes", type=int, default=5, help="substitution classes in section 4")
    ap.add_argument("--top", type=int, default=12, help="changed words listed per origin")
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    plugin = find_plugin(a.lang)
    s = ex.load_settings(Path(f"eval/configs/{a.lang}.toml"), a.lang, {})
    norm = Normalize.for_plugin(plugin)
    test = ex._pairs([s.test], plugin, norm)
    guard = Decontaminate([s.test], norm, ReadOptions(lang_names=(plugin.code, plugin.iso639_3, plugin.name)), 0)
    seed = [(e, x) for e, x in ex._pairs(s.seed_data, plugin, norm) if not (guard.in_test(e) or guard.in_test(x))]
    en_src, xx_ref = [e for e, _ in test], [x for _, x in test]
    cmd = "PYTHONPATH=. .venv/bin/python " + " ".join([sys.argv[0], *sys.argv[1:]])
    out = [f"# Why synthetic rows move the {a.lang} IBM-1 downstream model", "", "Produced by:", "",
           f"```\n{cmd}\n```", "",
           f"Seed: {len(seed):,} decontaminated pairs of `{s.seed_data[0]}`; test: {len(test):,} pairs of "
           f"`{s.test}`. chrF++ (sacrebleu) point estimates, no CI (`make eval` gives those).", ""]

    # 1. template volume
    counts = [int(x) for x in a.template_counts.split(",")]
    sec = ["## 1. Template volume against seed size", "",
            f"chrF++ change against the seed alone, en→{a.lang} / {a.lang}→en, by the number of template "
            "renderings added (the plugin's TemplateGenerator, run seed as in the eval). Last column: the count "
            "`templates.count = 10000` gives under the defaults (`templates.max_seed_ratio`, "
            "`templates.seed_cap_floor`; lrl/generate/template_budget.py).", "",
            "| seed pairs | seed alone | " + " | ".join(f"{k:,}" for k in counts) + " | capped 10,000 |",
            "|---:|---|" + "---|" * (len(counts) + 1)]
    t_defaults = DEFAULTS["templates"]
    for n in (int(x) for x in a.seed_sizes.split(",") if x):
        sd = seed[:n] if n else seed
        base = tables(a.lang, sd)
        b = (chrfpp(base[0], en_src, xx_ref), chrfpp(base[1], xx_ref, en_src))
        cells = [f"{b[0]:.2f} / {b[1]:.2f}"]
        for k in counts:
            gen = TemplateGenerator(plugin.file("lexicon"), plugin.file("templates"), plugin.code, k, s.seed)
            t = tables(a.lang, sd + [(norm.text(r.src), norm.text(r.tgt)) for r in gen])
            d = (chrfpp(t[0], en_src, xx_ref) - b[0], chrfpp(t[1], xx_ref, en_src) - b[1])
            cells.append(f"{d[0]:+.2f} / {d[1]:+.2f}")
        cells.append(f"{capped(10000, t_defaults['max_seed_ratio'], t_defaults['seed_cap_floor'], len(sd)):,}")
        sec.append(f"| {len(sd):,} | " + " | ".join(cells) + " |")
        print(sec[-1], flush=True)
    if a.seed_sizes:
        out += [*sec, ""]
    if not a.run:
        return _write(a, out)

    # 2. per origin
    import pyarrow.parquet as pq

    rows = [r for f in sorted((Path(a.run) / "data").glob("*parallel*.parquet")) for r in pq.read_table(f).to_pylist()]
    by: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        clean = r["src"] and r["tgt"] and not (guard.in_test(r["src"]) or guard.in_test(r["tgt"]))
        if r["origin"] in ex.SYNTHETIC and clean:
            by[r["origin"]].append(r)
    base_en = tables(a.lang, seed)[0]
    b0 = chrfpp(base_en, en_src, xx_ref)
    refsets = [set(words(x)) for x in xx_ref]
    occ: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(en_src):
        for w in set(words(e)):
            occ[w].append(i)
    out += [f"## 2. Per origin, en→{a.lang} (run `{a.run}`)", "",
            f"Seed alone: chrF++ {b0:.2f}; \"the\" → {base_en.get('the')}. \"ref hits\": test sentences holding the "
            "English word whose reference holds its translation, seed's choice → the new one.", ""]
    for origin in sorted(by, key=lambda o: -len(by[o])):
        pairs = [(r["src"], r["tgt"]) for r in by[origin]]
        t = tables(a.lang, seed + pairs)[0]
        sc = chrfpp(t, en_src, xx_ref)
        fixed = dict(t)
        if "the" in base_en:
            fixed["the"] = base_en["the"]
        changed = []
        for w, idx in occ.items():
            old, new = base_en.get(w), t.get(w)
            if old == new:
                continue
            h_old = sum(old in refsets[i] for i in idx) if old else 0
            h_new = sum(new in refsets[i] for i in idx) if new else 0
            changed.append((h_new - h_old, w, len(idx), old, h_old, new, h_new))
        changed.sort()
        out += [f"### {origin}: {len(pairs):,} rows, chrF++ {sc - b0:+.2f}; with the seed's \"the\": "
                f"{chrfpp(fixed, en_src, xx_ref) - b0:+.2f}", "",
                f"{len(changed)} test English words change translation; net ref hits "
                f"{sum(c[0] for c in changed):+,}. Largest losses:", "",
                "| English word | test sentences | seed → new | ref hits |", "|---|---:|---|---|"]
        out += [f"| {w} | {n} | {old} → {new} | {ho} → {hn} ({d:+}) |"
                for d, w, n, old, ho, new, hn in changed[: a.top]]
        out.append("")
        print(origin, len(pairs), round(sc - b0, 2), flush=True)

    # 3. pivot rows by language-side fluency score
    piv = by.get("pivot", [])
    if piv:
        scored = [(json.loads(r["scores"] or "{}").get("paraphrase-lrl-fluency.score"), (r["src"], r["tgt"]))
                  for r in piv]
        out += ["## 3. Pivot paraphrase by language-side fluency score (`paraphrase-lrl-fluency.score`)", "",
                "| bar | pivot rows kept | en→L chrF++ vs seed |", "|---:|---:|---|"]
        for bar in (-99.0, -0.5, 0.0, 0.5, 1.0):
            kept = [p for v, p in scored if v is not None and v >= bar]
            d = chrfpp(tables(a.lang, seed + kept)[0], en_src, xx_ref) - b0
            out.append(f"| {'none' if bar < -50 else bar} | {len(kept):,} | {d:+.2f} |")
            print(out[-1], flush=True)
        out.append("")

    # 4. substitution by swapped class
    sub = by.get("substitute", [])
    if sub:
        def cls(r: dict) -> str:
            return str(json.loads(r["provenance"] or "{}").get("class", "?"))

        counts: dict[str, int] = defaultdict(int)
        for r in sub:
            counts[cls(r)] += 1
        out += ["## 4. Substitution by the class swapped", "",
                f"en→{a.lang} chrF++ change against the seed alone of seed + the substitutions of one class, and "
                "of seed + all substitutions but that class (the classes with the most rows).", "",
                "| class | rows | that class only | all but that class |", "|---|---:|---|---|"]
        for c in sorted(counts, key=lambda k: -counts[k])[: a.top_classes]:
            only = [(r["src"], r["tgt"]) for r in sub if cls(r) == c]
            rest = [(r["src"], r["tgt"]) for r in sub if cls(r) != c]
            d1 = chrfpp(tables(a.lang, seed + only)[0], en_src, xx_ref) - b0
            d2 = chrfpp(tables(a.lang, seed + rest)[0], en_src, xx_ref) - b0
            out.append(f"| {c} | {len(only):,} | {d1:+.2f} | {d2:+.2f} |")
            print(out[-1], flush=True)
        out.append("")
    return _write(a, out)


def _write(a: argparse.Namespace, out: list[str]) -> int:
    text = "\n".join(out) + "\n"
    if a.out:
        Path(a.out).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
