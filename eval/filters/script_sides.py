"""The share of Latin letters on the English side: real English lines (MENYO-20k dev, LAFAND dev, HornMT)
against English with untranslated Amharic/Tigrinya words: the measurement behind
``filters.script.src_min_share``.

    PYTHONPATH=. .venv/bin/python eval/filters/script_sides.py   # writes eval/filters/results/script-sides.md
"""

from __future__ import annotations

import csv
import os
import random
from pathlib import Path

from lrl.filters.script import SCRIPT_DEFAULTS, script_share

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("LRL_SHARED_DATA", ROOT.parent / "shared" / "data"))
OUT = ROOT / "eval" / "filters" / "results" / "script-sides.md"


def main() -> None:
    with open(DATA / "yo/menyo20k/dev.tsv", encoding="utf-8", newline="") as f:
        menyo = [r[0] for r in list(csv.reader(f, delimiter="\t"))[1:] if len(r) == 2]
    lafand = (DATA / "ha/lafand-mt/dev.en").read_text(encoding="utf-8").splitlines()
    horn = (DATA / "am/hornmt/eng.txt").read_text(encoding="utf-8").splitlines()
    amh = (DATA / "am/hornmt/amh.txt").read_text(encoding="utf-8").splitlines()
    tir = (DATA / "am/hornmt/tir.txt").read_text(encoding="utf-8").splitlines()
    rng = random.Random(0)

    def with_words(lines: list[str], source: list[str], n: int) -> list[str]:
        """Each English line with ``n`` of its words replaced by words of the aligned Ethiopic line."""
        out = []
        for en, other in zip(lines, source):
            words, foreign = en.split(), other.split()
            for _ in range(min(n, len(words), len(foreign))):
                words[rng.randrange(len(words))] = rng.choice(foreign)
            out.append(" ".join(words))
        return out

    sets = {
        "MENYO-20k dev English": menyo, "LAFAND dev English": lafand, "HornMT English": horn,
        "HornMT English, 1 word Amharic": with_words(horn, amh, 1),
        "HornMT English, 1 word Tigrinya": with_words(horn, tir, 1),
        "HornMT English, 2 words Tigrinya": with_words(horn, tir, 2),
        "Tigrinya as English": tir,
    }
    cut = SCRIPT_DEFAULTS["src_min_share"]
    md = ["# Latin share of the English side", "", "    PYTHONPATH=. .venv/bin/python eval/filters/script_sides.py", "",
          "| set | lines | < 0.9 | < 0.95 | < 0.98 | < 0.99 | < 1.0 | rejected at src_min_share " + f"{cut} |",
          "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, lines in sets.items():
        shares = [s for s, n in (script_share(t, "LATIN") for t in lines) if n]
        row = [sum(s < c for s in shares) / len(shares) for c in (0.9, 0.95, 0.98, 0.99, 1.0, cut)]
        md.append(f"| {name} | {len(shares):,} | " + " | ".join(f"{x:.1%}" for x in row) + " |")
    OUT.write_text("\n".join(md) + "\n", encoding="utf-8")
    print("\n".join(md))


if __name__ == "__main__":
    main()
