"""The en–yo test corpus the speed work is measured and pinned on: MENYO-20k pairs plus the damage a
filter chain must catch (issue 11): exact and near duplicates, concatenations of two pairs, English on
both sides, swapped sides, tone-stripped Yoruba. Deterministic for a given (n, seed); read from
../shared/data in place (its licence forbids copying it into the repository).

    python eval/bench/corpus.py --n 100000 --out /tmp/pairs.tsv
"""

from __future__ import annotations

import argparse
import csv
import random
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MENYO = REPO.parent / "shared" / "data" / "yo" / "menyo20k"

#: Share of each kind of row in the output (the rest are the real pairs, in file order, repeated).
DAMAGE = {"duplicate": 0.12, "near-duplicate": 0.05, "concatenated": 0.08, "english-both": 0.05,
          "swapped": 0.05, "toneless": 0.05}


def menyo_pairs(root: Path = MENYO) -> list[tuple[str, str]]:
    """(English, Yoruba) from MENYO-20k train then dev, as the files hold them (quotes per the csv module)."""
    pairs: list[tuple[str, str]] = []
    for name in ("train.tsv", "dev.tsv"):
        with open(root / name, encoding="utf-8", newline="") as f:
            rows = csv.reader(f, delimiter="\t")
            next(rows)
            pairs += [(r[0], r[1]) for r in rows if len(r) >= 2]
    return pairs


def _toneless(text: str) -> str:
    return unicodedata.normalize("NFC", "".join(ch for ch in unicodedata.normalize("NFD", text)
                                                if ch not in "\u0300\u0301"))


def build(n: int, seed: int = 0, root: Path = MENYO) -> list[tuple[str, str, str]]:
    """``n`` rows (kind, English, Yoruba): real pairs first come in order, damaged ones mixed in at random."""
    real = menyo_pairs(root)
    rng = random.Random(seed)
    kinds = list(DAMAGE)
    weights = [DAMAGE[k] for k in kinds]
    clean = 1.0 - sum(weights)
    out: list[tuple[str, str, str]] = []
    i = 0
    while len(out) < n:
        if rng.random() < clean or not out:
            en, yo = real[i % len(real)]
            i += 1
            out.append(("clean", en, yo))
            continue
        kind = rng.choices(kinds, weights)[0]
        en, yo = real[rng.randrange(len(real))]
        if kind == "duplicate":
            _, en, yo = out[rng.randrange(len(out))]
        elif kind == "near-duplicate":
            _, en, yo = out[rng.randrange(len(out))]
            en, yo = en.upper() if rng.random() < 0.5 else en.rstrip(".") + " .", yo.rstrip(".")
        elif kind == "concatenated":
            en2, yo2 = real[rng.randrange(len(real))]
            en, yo = f"{en} {en2}", f"{yo} {yo2}"
        elif kind == "english-both":
            yo = en
        elif kind == "swapped":
            en, yo = yo, en
        elif kind == "toneless":
            yo = _toneless(yo)
        out.append((kind, en, yo))
    return out


def write_tsv(rows: list[tuple[str, str, str]], path: Path) -> Path:
    """Header ``en<TAB>yo``, csv-quoted (what lrl's reader expects by default)."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["en", "yo"])
        w.writerows((en, yo) for _, en, yo in rows)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    write_tsv(build(args.n, args.seed), args.out)


if __name__ == "__main__":
    main()
