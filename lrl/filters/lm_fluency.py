"""English fluency judged by a pretrained causal language model (``filters.fluency.model``).

The default fluency check (lrl/filters/fluency.py) learns word order from the seed's English, a few
thousand sentences at best: it misses shuffles that keep local word-class patterns (a fifth of the
word-shuffled English in the Yoruba benchmark got through). A pretrained LM has read far more English than
any seed, so its mean token loss sees order a small seed's n-gram cannot (DESIGN.md: what it caught on the
benchmark, and why it judges only back-translated English by default). It is independent of every
generator lrl runs, so it can judge their English.

The score is on the same scale as the n-gram check's, so ``min_score`` and ``bt.min_fluency`` mean the same
thing: ``raw`` is minus the mean token loss, and ``score`` is ``(raw - center) / scale`` with the median and
standard deviation of ``raw`` over real seed English (the LM never saw the seed, so no sentence has to be
held out). Cost: one forward pass per sentence (CTranslate2 int8): tens of sentences per second on a
CPU core — far slower than the n-gram check, which is why it is opt-in.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lrl.filters.fluency import FLUENCY_DEFAULTS, Fluency, _n_words
from lrl.generate.backtranslate import untag
from lrl.models.lmscore import LMScorer
from lrl.record import Record


class LMFluency(Fluency):
    """The English fluency check with a pretrained LM instead of the seed's class n-gram."""

    def __init__(self, scorer: LMScorer, min_score: float, min_words: int, judging: bool = True,
                 note: str = "", center: float = 0.0, scale: float = 1.0, calibration: int = 0) -> None:
        super().__init__(None, min_score, min_words, judging, note, center=center, scale=scale)  # type: ignore[arg-type]
        self.scorer = scorer
        self.calibration = calibration
        self.batch_size = max(scorer.batch_size, 32)
        self.model_words = "language-model loss"

    @classmethod
    def build_lm(cls, real_english: list[str], settings: dict[str, Any]) -> LMFluency:
        """Load the model and set the scale on up to ``model_calibration`` real English sentences of the seed
        (evenly spread over it); with fewer than ``min_calibration`` the check scores and does not judge."""
        s = {**FLUENCY_DEFAULTS, **settings}
        scorer = LMScorer(str(s["model"]), int(s["model_batch_size"]), int(s["model_max_tokens"]),
                          int(s["model_threads"]))
        min_words = int(s["min_words"])
        distinct = [t for t in dict.fromkeys(untag(e).strip() for e in real_english) if _n_words(t) >= min_words]
        want = int(s["model_calibration"])
        step = max(1, len(distinct) // want) if want else 1
        held = distinct[::step][:want]
        center, scale, note = 0.0, 1.0, ""
        if len(held) < int(s["min_calibration"]):
            note = (f"not judging: {len(held)} real seed English sentences to calibrate on "
                    f"(< min_calibration {s['min_calibration']})")
        else:
            raw = -np.array(scorer.losses(held))
            center, scale = float(np.median(raw)), max(float(np.std(raw)), 1e-3)
        return cls(scorer, float(s["min_score"]), min_words, not note, note, center=center, scale=scale,
                   calibration=len(held))

    def score_batch(self, records: list[Record]) -> list[dict[str, float | str]]:
        texts = [self._text(r) for r in records]
        judged = [i for i, t in enumerate(texts) if t]  # a side the row lacks is not judged
        losses = dict(zip(judged, self.scorer.losses([texts[i] for i in judged]), strict=True))
        out: list[dict[str, float | str]] = []
        for i, text in enumerate(texts):
            if i not in losses:
                out.append({})
                continue
            raw = -losses[i]
            out.append({"score": round((raw - self.center) / self.scale, 4), "raw": round(raw, 4),
                        "words": _n_words(text)})
        return out

    def describe(self) -> dict[str, Any]:
        i = self.scorer.info
        return {"model": f"causal LM {i.name} ({i.model_type}), mean token loss, CTranslate2 int8; z-score on "
                         "real seed English", "path": i.path, "licence": i.licence,
                "calibration_sentences": self.calibration, "center": round(self.center, 4),
                "scale": round(self.scale, 4)}
