"""Language identification on both sides with py3langid (the maintained langid.py: its model knows
yo/ha/am/pcm; stock langid.py labels Yoruba as Vietnamese).

Scoring stores, per side, the top label with its probability and the summed probability of the expected
and acceptable labels; deciding compares that sum with the side's minimum. Lines shorter than
``min_chars`` are scored but not judged, since language ID on a few words is close to a guess.
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
                 src_acceptable: list[str], tgt_min_prob: float, src_min_prob: float, min_chars: int,
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
        self.sides = {
            "tgt": (tgt_label, frozenset({tgt_label, *tgt_acceptable}), tgt_min_prob),
            "src": (src_label, frozenset({src_label, *src_acceptable}), src_min_prob),
        }
        self.min_chars = min_chars

    @classmethod
    def from_settings(cls, plugin: Any, lid: dict[str, Any]) -> LangID:
        """Built from a plugin (label, acceptable labels, model) and the ``filters.langid`` settings."""
        model = plugin.path / plugin.langid["model"] if plugin.langid["model"] else None
        return cls(plugin.langid["label"], plugin.langid["acceptable"], lid["src_label"],
                   lid["src_acceptable"], lid["tgt_min_prob"], lid["src_min_prob"], lid["min_chars"], model)

    def score(self, record: Record) -> dict[str, float | str]:
        """Per side: the top label and its probability, and ``prob`` — the probability mass of the
        expected and acceptable labels together."""
        out: dict[str, float | str] = {}
        for side, text in (("tgt", record.tgt), ("src", record.src)):
            if not text:
                continue
            ranked = self.identifier.rank(text)
            ok = self.sides[side][1]
            out[f"{side}_label"], out[f"{side}_top_prob"] = str(ranked[0][0]), round(float(ranked[0][1]), 4)
            out[f"{side}_prob"] = round(float(sum(p for label, p in ranked if label in ok)), 4)
        return out

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        for side, text in (("tgt", record.tgt), ("src", record.src)):
            if not text or len(text) < self.min_chars:
                continue
            want, ok, min_prob = self.sides[side]
            prob = float(scores[f"{side}_prob"])
            if prob < min_prob:
                label, top = scores[f"{side}_label"], float(scores[f"{side}_top_prob"])
                names = "|".join(sorted(ok))
                return (f"langid-{side}: P({names}) = {prob:.2f} < {min_prob}; "
                        f"labelled {label} (p={top:.2f}), expected {want}")
        return None

    def signature(self) -> dict[str, Any]:
        return {"model": self.model, "min_chars": self.min_chars,
                **{f"{side}": {"labels": sorted(ok), "min_prob": p} for side, (_, ok, p) in self.sides.items()}}
