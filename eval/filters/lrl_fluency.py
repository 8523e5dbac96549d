"""The bar for generated language text (``filters.fluency.lrl_min_score``): how much real held-out text of
the language the language-side fluency model keeps, and how many model-free pivot paraphrases (IBM-1
sampling, LRL→English→LRL: word substitutions) and IBM-1 forward translations of real English it rejects.

    .venv/bin/python eval/filters/lrl_fluency.py --lang yo \
        --train ../shared/data/yo/menyo20k/train.tsv --dev ../shared/data/yo/menyo20k/dev.tsv \
        --out eval/filters/results/lrl-fluency-yo.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from lrl.filters.fluency import FLUENCY_DEFAULTS, Fluency  # noqa: E402
from lrl.filters.normalize import Normalize  # noqa: E402
from lrl.generate.paraphrase import ibm1_pivot  # noqa: E402
from lrl.io.readers import ReadOptions, read_pairs  # noqa: E402
from lrl.languages import find_plugin  # noqa: E402
from lrl.models.ibm1 import load_or_train  # noqa: E402
from lrl.record import Record  # noqa: E402

THRESHOLDS = (-2.5, -2.2, -2.0, -1.5, -1.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lang", required=True)
    ap.add_argument("--train", required=True)
    ap.add_argument("--dev", required=True)
    ap.add_argument("--n", type=int, default=2000, help="dev pairs to use")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    plugin = find_plugin(args.lang)
    norm = Normalize.for_plugin(plugin)
    opts = ReadOptions(lang_names=(plugin.code, plugin.iso639_3, plugin.name))
    train = list(read_pairs([args.train], opts, norm.text))
    dev = list(read_pairs([args.dev], opts, norm.text))[: args.n]
    check = Fluency.build([x for _, x in train], {}, real=[x for _, x in train])
    check.side = "tgt"
    model = load_or_train(plugin.code, train, [], 5, 0.05)
    back, fwd = ibm1_pivot(model, plugin.code, 3, 1.0, 13)
    pivot = fwd.translate(back.translate([x for _, x in dev]))
    forward = model.direction("en", plugin.code).translate([en for en, _ in dev])

    def scores(texts: list[str]) -> np.ndarray:
        out = check.score_batch([Record(id=str(i), src="", tgt=t, origin="x") for i, t in enumerate(texts)])
        return np.array([float(o["score"]) for o in out if int(o.get("words", 0)) >= check.min_words])

    real, pv, ft = scores([x for _, x in dev]), scores(pivot), scores(forward)
    lines = [f"`{' '.join(['python', *sys.argv])}` — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC", "",
             f"{args.lang}: model trained on {len(train):,} pairs' language side; {len(dev):,} dev pairs "
             f"({len(real):,} with ≥ {check.min_words} words). Default `lrl_min_score` = "
             f"{FLUENCY_DEFAULTS['lrl_min_score']}.", "",
             "| min_score | real dev kept % | pivot paraphrase rejected % | IBM-1 forward translation rejected % |",
             "|---:|---:|---:|---:|"]
    for t in THRESHOLDS:
        lines.append(f"| {t} | {100 * np.mean(real >= t):.1f} | {100 * np.mean(pv < t):.1f} | "
                     f"{100 * np.mean(ft < t):.1f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
