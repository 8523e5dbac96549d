"""Scores for back-translated pairs: does the synthetic English still carry the LRL sentence?

* :class:`RoundTripChrF` translates the synthetic English back into the language with a forward
  (English→LRL) model and measures sacrebleu chrF against the original LRL sentence. It works with any
  translator (IBM-1's English→LRL tables, a reverse Marian model, NLLB with the languages swapped).
* :class:`ForcedDecode` asks a CTranslate2 English→LRL model how likely the original LRL sentence is
  given the synthetic English: the mean log-probability per token (``score_batch``).

Both run only on rows of origin ``bt``, score in batches, store the score in ``record.scores`` and decide
by a threshold, so the threshold can be studied after the run.
"""

from __future__ import annotations

from typing import Any

from lrl.generate.backtranslate import untag
from lrl.models.translator import Scorer, Translator
from lrl.record import Record
from lrl.step import Filter


class RoundTripChrF(Filter):
    name = "chrf"
    applies_to = frozenset({"bt"})
    decides_with = ("min_chrf",)
    rescorable = {"bt.min_chrf": "min_chrf"}

    def __init__(self, forward: Translator, min_chrf: float, batch_size: int = 64, reverse: bool = False) -> None:
        """``forward`` translates English→LRL and the round trip is compared with the real LRL side; with
        ``reverse`` (forward-translated rows, whose English is the real side) ``forward`` must translate
        LRL→English and the round trip is compared with the English."""
        from sacrebleu.metrics import CHRF

        self.forward = forward
        self.reverse = reverse
        self.min_chrf = min_chrf
        self.batch_size = batch_size
        self.metric = CHRF()  # one object: sentence_chrf would build a new metric for every row
        # sacrebleu only knows its signature after scoring once; a run whose bt made no rows must still
        # be able to write it to the manifest.
        self.metric.sentence_score("a", ["a"])

    def score_batch(self, records: list[Record]) -> list[dict[str, float | str]]:
        if self.reverse:
            back = self.forward.translate([r.tgt for r in records])
            refs = [r.src for r in records]
        else:
            back = self.forward.translate([untag(r.src) for r in records])
            refs = [r.tgt for r in records]
        return [{"roundtrip": round(self.metric.sentence_score(hyp, [ref]).score, 2)}
                for ref, hyp in zip(refs, back, strict=True)]

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        value = float(scores["roundtrip"])
        if value < self.min_chrf:
            return f"chrf: round-trip chrF {value:.1f} < {self.min_chrf:g}"
        return None

    def describe(self) -> dict[str, Any]:
        return {"metric": str(self.metric.get_signature()), "forward_model": self.forward.identity}


class ForcedDecode(Filter):
    name = "forced"
    decides_with = ("min_logprob",)
    rescorable = {"bt.min_logprob": "min_logprob"}
    applies_to = frozenset({"bt"})

    def __init__(self, forward: Scorer, min_logprob: float, batch_size: int = 64) -> None:
        if not callable(getattr(forward, "score", None)):
            from lrl.errors import ConfigError

            raise ConfigError("bt.score = \"forced\" needs a CTranslate2 model that can score (Marian, NLLB, "
                              "M2M-100); use bt.score = \"roundtrip\" with IBM-1")
        self.forward = forward
        self.min_logprob = min_logprob
        self.batch_size = batch_size

    def score_batch(self, records: list[Record]) -> list[dict[str, float | str]]:
        lps = self.forward.score([untag(r.src) for r in records], [r.tgt for r in records])
        return [{"logprob": lp} for lp in lps]

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        value = float(scores["logprob"])
        if value < self.min_logprob:
            return f"forced: mean log-prob {value:.2f} < {self.min_logprob:g}"
        return None

    def describe(self) -> dict[str, Any]:
        return {"score": "mean token log-prob of the LRL given the English (CTranslate2 score_batch)",
                "forward_model": self.forward.identity}
