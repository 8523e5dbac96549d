"""Language identification on both sides with py3langid (the maintained langid.py: its model knows
yo/ha/am/pcm; stock langid.py labels Yoruba as Vietnamese).

Scoring stores the top label and its probability for each side; deciding accepts the expected label or
one the plugin lists as acceptable, at ``min_prob`` or above. Lines shorter than ``min_chars`` are scored
but not judged, since language ID on a few words is close to a guess.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lrl.errors import ConfigError, require
from lrl.record import Record
from lrl.step import Filter


def load_identifier(model: Path | None = None) -> Any:
    """A py3langid identifier with normalized probabilities (the built-in model, or a langid-format
    model file such as one made by ``lrl lid train``)."""
    require("py3langid", "py3langid>=0.4", "language identification")
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    if model is None:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if not model.is_file():
        raise ConfigError(f"language-ID model {model} not found (set in the plugin's langid.model)")
    return LanguageIdentifier.from_modelpath(model, norm_probs=True)


class LangID(Filter):
    name = "langid"

    def __init__(self, tgt_label: str, tgt_acceptable: list[str], src_label: str,
                 src_acceptable: list[str], min_prob: float, min_chars: int,
                 model: Path | None = None) -> None:
        self.identifier = load_identifier(model)
        self.model = str(model) if model else "py3langid built-in"
        labels = set(self.identifier.labels)
        for label, where in ((tgt_label, "the plugin's langid.label"), (src_label, "filters.langid.src_label")):
            if label not in labels:
                raise ConfigError(
                    f"{where} is {label!r}, which the language-ID model ({self.model}) does not know; "
                    "train one with `lrl lid train` and set langid.model in the plugin"
                )
        self.tgt_ok = {tgt_label, *tgt_acceptable}
        self.src_ok = {src_label, *src_acceptable}
        self.tgt_label, self.src_label = tgt_label, src_label
        self.min_prob, self.min_chars = min_prob, min_chars

    def _side(self, text: str) -> tuple[str, float]:
        label, prob = self.identifier.classify(text)
        return str(label), round(float(prob), 4)

    def score(self, record: Record) -> dict[str, float | str]:
        out: dict[str, float | str] = {}
        for side, text in (("tgt", record.tgt), ("src", record.src)):
            if text:
                out[f"{side}_label"], out[f"{side}_prob"] = self._side(text)
        return out

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        for side, text, ok, want in (("tgt", record.tgt, self.tgt_ok, self.tgt_label),
                                     ("src", record.src, self.src_ok, self.src_label)):
            if not text or len(text) < self.min_chars:
                continue
            label, prob = scores[f"{side}_label"], float(scores[f"{side}_prob"])
            if label not in ok:
                return f"langid-{side}: labelled {label} (p={prob:.2f}), expected {want}"
            if prob < self.min_prob:
                return f"langid-{side}-unsure: {label} with p={prob:.2f} < {self.min_prob}"
        return None

    def signature(self) -> dict[str, Any]:
        return {"model": self.model, "tgt": sorted(self.tgt_ok), "src": sorted(self.src_ok),
                "min_prob": self.min_prob, "min_chars": self.min_chars}
