"""Corpus BLEU, chrF and chrF++ with sacrebleu, its paired bootstrap resampling for significance, and a
word-shuffled floor.

Why the floor: at low quality chrF barely sees word order — shuffling the words of a weak system's
output cost only 1.5–2.2 chrF++ here (DESIGN.md) — so each system's output is also scored with its words
shuffled. A gain that the shuffled copy shows as well is a gain in vocabulary, not in translation.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sacrebleu.metrics import BLEU, CHRF
from sacrebleu.significance import PairedTest

METRICS = ("BLEU", "chrF", "chrF++")


def make_metrics() -> dict[str, Any]:
    return {"BLEU": BLEU(), "chrF": CHRF(), "chrF++": CHRF(word_order=2)}


@dataclass
class SystemScore:
    score: float
    mean: float | None = None
    ci: float | None = None
    p_value: float | None = None


def shuffle_words(hyps: list[str], seed: int = 0) -> list[str]:
    """Each hypothesis with its words in a random order (deterministic by seed)."""
    rng = random.Random(seed)
    out = []
    for h in hyps:
        words = h.split()
        rng.shuffle(words)
        out.append(" ".join(words))
    return out


def paired_bootstrap(named: list[tuple[str, Sequence[str]]], refs: list[str], n_samples: int = 1000
                     ) -> tuple[dict[str, str], dict[str, dict[str, SystemScore]]]:
    """Scores every system; the first is the baseline the others are tested against (sacrebleu's paired
    bootstrap, seed 12345 unless SACREBLEU_SEED says otherwise). Returns (signatures, scores)."""
    test = PairedTest(named, make_metrics(), [refs], test_type="bs", n_samples=n_samples)
    sigs, table = test()
    out: dict[str, dict[str, SystemScore]] = {name: {} for name, _ in named}
    for metric in (k for k in table if k != "System"):
        for (name, _), res in zip(named, table[metric], strict=True):
            assert not isinstance(res, str)
            out[name][_short(metric)] = SystemScore(res.score, res.mean, res.ci, res.p_value)
    return {_short(k): str(v) for k, v in sigs.items()}, out


def _short(name: str) -> str:
    """sacrebleu's names carry β ("chrF2", "chrF2++"); tables use BLEU / chrF / chrF++."""
    return "chrF++" if name.endswith("++") else "chrF" if name.startswith("chrF") else name
