"""Length limits per side and the length ratio of a pair (characters, which works for every script).

Two ratio checks: a fixed ceiling (``max_ratio``, any language), and, when calibrated on seed pairs
(:meth:`Length.calibrate`), a z-score of log(English chars / language chars) against the seed's mean and
standard deviation (``max_z``). The ratio between a language and English is a property of the pair of
languages (Amharic script is denser than English, Yoruba tone marks add characters), so a fixed ceiling of
3 lets a side cut to half through; the calibrated check catches it (eval/filters/measure_models.py).

A cut side also loses its sentence-final punctuation. When one side ends a sentence and the other does
not, and the one that does not is shorter than the seed's ratio predicts by more than ``cut_z`` standard
deviations, the pair is rejected as truncated: on the three languages' held-out pairs this loses ≤ 0.5%
of clean pairs and catches 64–96% of sides cut to 30–70% of their words (models-*.md); neither test
alone does (clean pairs differ in final punctuation 2% of the time).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from lrl.generate.backtranslate import untag
from lrl.record import Record
from lrl.step import Filter

# max_z from `python eval/filters/measure_models.py` (eval/filters/results/models.md).
LENGTH_DEFAULTS: dict[str, Any] = {
    "min_chars": 2,
    "max_chars": 1000,
    "max_ratio": 3.0,
    "ratio_min_chars": 15,
    "max_z": 3.0,
    # Calibrated on a plugin's ~80 hand-written examples, the check lost 12% of MENYO-20k dev pairs at
    # z = 3 (models-yo-plugin.md): a few tidy examples are no picture of real pairs' spread.
    "min_calibration_pairs": 500,
    "cut_z": 1.0,
}
#: Sentence-final punctuation (Latin, Ethiopic, Arabic, Devanagari, CJK), looked for before closing quotes.
END_PUNCT = frozenset(".!?…።፧؟।。")
_CLOSING = "\"'”’»)]} "


def ends_sentence(text: str) -> bool:
    t = text.rstrip(_CLOSING)
    return bool(t) and t[-1] in END_PUNCT


class Length(Filter):
    name = "length"
    decides_with = ("min_chars", "max_chars", "max_ratio", "ratio_min_chars", "max_z", "cut_z",
                    "log_ratio_mean", "log_ratio_std")
    rescorable = {f"filters.length.{k}": k
                  for k in ("min_chars", "max_chars", "max_ratio", "ratio_min_chars", "max_z", "cut_z")}

    def __init__(self, min_chars: int, max_chars: int, max_ratio: float, ratio_min_chars: int,
                 max_z: float = 0.0, log_ratio_mean: float = 0.0, log_ratio_std: float = 0.0,
                 cut_z: float = 0.0) -> None:
        """``max_z`` > 0 with a calibration (``log_ratio_mean``, ``log_ratio_std`` > 0) turns on the
        seed-calibrated check, and ``cut_z`` > 0 the truncation check; without a calibration only the fixed
        ``max_ratio`` applies."""
        self.min_chars, self.max_chars = min_chars, max_chars
        self.max_ratio, self.ratio_min_chars = max_ratio, ratio_min_chars
        self.max_z, self.log_ratio_mean, self.log_ratio_std = max_z, log_ratio_mean, log_ratio_std
        self.cut_z = cut_z

    @staticmethod
    def calibrate(pairs: Iterable[tuple[str, str]], min_chars: int = 15,
                  min_pairs: int = LENGTH_DEFAULTS["min_calibration_pairs"]) -> tuple[float, float, int]:
        """(mean, std, n) of log(English chars / language chars) over pairs whose sides both have at least
        ``min_chars`` characters; (0, 0, n) when fewer than ``min_pairs`` qualify."""
        logs = [math.log(len(en) / len(xx)) for en, xx in pairs
                if len(en) >= min_chars and len(xx) >= min_chars]
        n = len(logs)
        if n < max(min_pairs, 2):
            return 0.0, 0.0, n
        mean = sum(logs) / n
        std = math.sqrt(sum((x - mean) ** 2 for x in logs) / (n - 1))
        return mean, std, n

    @classmethod
    def build(cls, settings: dict[str, Any], seed_pairs: Iterable[tuple[str, str]] = ()) -> Length:
        """From settings (missing keys take LENGTH_DEFAULTS), calibrated on ``seed_pairs`` when given."""
        s = {**LENGTH_DEFAULTS, **settings}
        mean, std, _ = cls.calibrate(seed_pairs, int(s["ratio_min_chars"]), int(s["min_calibration_pairs"]))
        return cls(int(s["min_chars"]), int(s["max_chars"]), float(s["max_ratio"]), int(s["ratio_min_chars"]),
                   float(s["max_z"]), mean, std, float(s["cut_z"]))

    @property
    def calibrated(self) -> bool:
        """The z-score and sentence ends are stored whenever the seed calibrated the check, even with both
        checks off, so ``lrl rescore`` can turn them on."""
        return self.log_ratio_std > 0

    def score(self, record: Record) -> dict[str, float | str]:
        src = untag(record.src)
        s, t = len(src), len(record.tgt)
        out: dict[str, float | str] = {"src_chars": s, "tgt_chars": t}
        if s and t:
            out["ratio"] = round(max(s, t) / min(s, t), 4)
            if self.calibrated:
                out["z"] = round((math.log(s / t) - self.log_ratio_mean) / self.log_ratio_std, 4)
                out["src_end"], out["tgt_end"] = float(ends_sentence(src)), float(ends_sentence(record.tgt))
        return out

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        for side, n in (("src", int(scores["src_chars"])), ("tgt", int(scores["tgt_chars"]))):
            if n == 0:
                continue  # monolingual row: only one side
            if n < self.min_chars:
                return f"too-short: {side} has {n} characters (< {self.min_chars})"
            if n > self.max_chars:
                return f"too-long: {side} has {n} characters (> {self.max_chars})"
        if min(int(scores["src_chars"]), int(scores["tgt_chars"])) < self.ratio_min_chars:
            return None  # short pairs have naturally wild ratios
        ratio = scores.get("ratio")
        if isinstance(ratio, float) and ratio > self.max_ratio:
            return f"length-ratio: {ratio:.2f} > {self.max_ratio}"
        z = scores.get("z")
        if isinstance(z, float) and self.max_z > 0 and abs(z) > self.max_z:
            longer = "English" if z > 0 else "language side"
            return f"length-z: {z:+.2f} beyond ±{self.max_z:g} of the seed's ratio ({longer} too long)"
        if isinstance(z, float) and self.cut_z > 0 and scores["src_end"] != scores["tgt_end"]:
            # The side without a sentence end must also be the short one: z < 0 means short English.
            cut = "English" if not scores["src_end"] else "language side"
            if (z < -self.cut_z) if cut == "English" else (z > self.cut_z):
                return f"truncated: the {cut} ends mid-sentence and is short for the other (z {z:+.2f})"
        return None
