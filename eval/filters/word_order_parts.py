"""How well each piece of the fluency check's word-order evidence separates the benchmark's clean English from
its word-shuffled English, with the bar set on the benchmark's own clean rows (so an upper bound: the
pipeline sets it on held-out seed English, ``bench.py`` gives those numbers).

    PYTHONPATH=. .venv/bin/python eval/filters/word_order_parts.py --lang yo [--lang ha ...]

Columns: shuffled rows rejected at the clean rows' 1% and 2% quantiles of the absolute score (``fluency.score``),
of the gap to the sentence's own shuffles alone (``word_order.gaps``), of their robust-z sum (what the
check uses), and the rank test (reject when any of the 8 shuffles scores at least as well) with its clean
loss. Sentences of ``min_words`` words or more, as the check judges.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import noise  # noqa: E402 - the sibling module


def measure(lang: str, n: int) -> str:
    from lrl import config
    from lrl.filters import word_order
    from lrl.filters.fluency import Fluency, _n_words
    from lrl.languages import find_plugin
    from lrl.quality import gather

    out = noise.REPO / "out" / "word-order-parts" / lang
    src = noise.default_sources(lang)
    _, _, rows = noise.build(lang, out, n, 13, None, src["clean_lines"], list(src["foreign"]))  # type: ignore[arg-type]
    seeds = list(src["seed"])  # type: ignore[call-overload]
    if src.get("seed_lines") is not None:  # HornMT: the lines not held out, as bench.py writes them
        pairs = noise.read_parallel(seeds[0], lang, src["seed_lines"])  # type: ignore[arg-type]
        seeds = [str(out / "seed.tsv")]
        Path(seeds[0]).write_text("en\t" + lang + "\n" + "".join(f"{p.en}\t{p.lrl}\n" for p in pairs), encoding="utf-8")
    plugin = find_plugin(lang)
    cfg = config.resolve(plugin.defaults, str(plugin.path), None,
                         {"quality.train": seeds, "out_dir": str(out / "runs")})
    seed = gather(plugin, cfg, [])
    s = cfg["filters"]["fluency"]
    check = Fluency.build([e for e, _ in seed.pairs], s, [e for e, _ in seed.pairs])
    min_words, samples = int(s["min_words"]), 8
    texts = {c: [r.en for r in rows if r.cls == c and _n_words(r.en) >= min_words] for c in ("clean", "shuffled-en")}

    def parts(ts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        shuf = [word_order.shuffles(t, samples) for t in ts]
        raw = check.lm.scores(word_order.with_shuffles(ts, shuf))
        beaten, k = [], len(ts)  # per sentence: how many of its shuffles score at least as well
        for i, ss in enumerate(shuf):
            beaten.append(int(np.sum(raw[k:k + len(ss)] >= raw[i])))
            k += len(ss)
        return raw[:len(ts)], word_order.split_gaps(raw, shuf), np.array(beaten)

    (c_raw, c_gap, c_beat), (s_raw, s_gap, s_beat) = parts(texts["clean"]), parts(texts["shuffled-en"])
    r_c, r_s = word_order.robust(c_raw), word_order.robust(c_gap)

    def z(raw: np.ndarray, gap: np.ndarray) -> np.ndarray:
        return (raw - r_c[0]) / r_c[1] + (gap - r_s[0]) / r_s[1]

    cells = []
    for clean, shuffled in ((c_raw, s_raw), (c_gap, s_gap), (z(c_raw, c_gap), z(s_raw, s_gap))):
        cells += [f"{(shuffled < np.quantile(clean, q)).mean():.1%}" for q in (0.01, 0.02)]
    rank = f"{(s_beat > 0).mean():.1%} ({(c_beat > 0).mean():.1%} clean)"
    return f"| {lang} | {len(c_raw)} | {len(s_raw)} | " + " | ".join(cells) + f" | {rank} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", action="append", required=True)
    ap.add_argument("--n", type=int, default=300)
    a = ap.parse_args()
    cmd = "python eval/filters/word_order_parts.py " + " ".join(f"--lang {x}" for x in a.lang)
    print(f"# Word-order evidence, piece by piece\n\n`{cmd}`\n")
    print("| lang | clean | shuffled | absolute 1% | absolute 2% | gap 1% | gap 2% | sum 1% | sum 2% | rank test |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for lang in a.lang:
        print(measure(lang, a.n))


if __name__ == "__main__":
    main()
