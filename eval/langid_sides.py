"""How py3langid judges each side of real and templated pairs: the numbers behind the per-side language-ID
rule (filters.langid.src_min_prob / tgt_min_prob).

For each set it prints quantiles of P(expected ∪ acceptable labels) and the share of lines below 0.5 and
0.1: the English side of MENYO-20k train (first 3,000 pairs), its Yoruba side, rendered yo templates, and
Yoruba or Hausa sentences put on the English side (what a broken pair looks like).

    .venv/bin/python eval/langid_sides.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from lrl.filters.langid import load_identifier
from lrl.generate.templates import TemplateGenerator
from lrl.languages import find_plugin

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main() -> None:
    ident = load_identifier()

    def p_ok(text: str, ok: set[str]) -> float:
        return sum(p for label, p in ident.rank(text) if label in ok)

    yo = find_plugin("yo")
    tpl = list(TemplateGenerator(yo.file("lexicon"), yo.file("templates"), "yo", 2000, 1))
    with open(DATA / "yo/menyo20k/train.tsv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))[1:3001]
    hausa = (DATA / "ha/lafand-mt/train.hau").read_text(encoding="utf-8").splitlines()[:500]
    en_ok, yo_ok = {"en", "pcm"}, {"yo"}
    sets = {
        "MENYO-20k English side, P(en or pcm)": [p_ok(r[0], en_ok) for r in rows],
        "MENYO-20k Yoruba side, P(yo)": [p_ok(r[1], yo_ok) for r in rows],
        "yo templates, English side, P(en or pcm)": [p_ok(r.src, en_ok) for r in tpl],
        "yo templates, Yoruba side, P(yo)": [p_ok(r.tgt, yo_ok) for r in tpl],
        "Yoruba put on the English side, P(en or pcm)": [p_ok(r[1], en_ok) for r in rows[:500]],
        "Hausa put on the English side, P(en or pcm)": [p_ok(t, en_ok) for t in hausa],
    }
    print("| set | lines | min | 1% | 5% | 50% | max | < 0.5 | < 0.1 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, vals in sets.items():
        v = np.array(vals)
        q = np.quantile(v, [0, 0.01, 0.05, 0.5, 1])
        print(f"| {name} | {len(v):,} | " + " | ".join(f"{x:.3f}" for x in q)
              + f" | {(v < 0.5).mean():.1%} | {(v < 0.1).mean():.1%} |")


if __name__ == "__main__":
    main()
