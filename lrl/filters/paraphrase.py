"""The chrF band for paraphrases: close enough to the parent sentence to keep its meaning, far enough not
to be a copy.

Scores sacrebleu chrF (character n-grams 1–6, β = 2; one ``CHRF`` object for the whole run) of each
paraphrase (hypothesis) against its parent's LRL sentence (reference, ``provenance["parent_tgt"]``, written
by :class:`lrl.generate.paraphrase.Paraphrase`). Above ``max_chrf`` the row is a near copy (punctuation or
one letter changed), below ``min_chrf`` it has drifted (a different sentence, or word salad).

Runs only on the rows paraphrase made (``applies_to``: origins ``paraphrase`` and ``pivot``). The other
checks those rows get are the existing filters re-run with ``applies_to`` by
:func:`lrl.generate.paraphrase.build_paraphrase`: ``paraphrase-length`` (lengths, and the ratio against the
parent's English side), ``paraphrase-script``, ``paraphrase-tone`` (plugins that check tone marks) and
``paraphrase-langid`` (the new LRL side must still be the language).
"""

from __future__ import annotations

from typing import Any

from lrl.record import Record
from lrl.step import Filter

PARAPHRASE_ORIGINS = frozenset({"paraphrase", "pivot"})


class ParaphraseChrF(Filter):
    name = "paraphrase-chrf"
    decides_with = ("min_chrf", "max_chrf")
    rescorable = {"paraphrase.min_chrf": "min_chrf", "paraphrase.max_chrf": "max_chrf"}
    applies_to = PARAPHRASE_ORIGINS

    def __init__(self, min_chrf: float, max_chrf: float, applies_to: frozenset[str] | None = None,
                 batch_size: int = 256) -> None:
        from sacrebleu.metrics import CHRF

        self.min_chrf, self.max_chrf = min_chrf, max_chrf
        if applies_to is not None:
            self.applies_to = applies_to
        self.batch_size = batch_size
        self.metric = CHRF()  # reused: sentence_chrf would build a new metric for every row
        self.metric.sentence_score("a", ["a"])  # sacrebleu's signature needs one scored sentence first

    def score(self, record: Record) -> dict[str, float | str]:
        parent = record.provenance.get("parent_tgt")
        if not isinstance(parent, str) or not parent:
            return {}
        return {"parent": round(self.metric.sentence_score(record.tgt, [parent]).score, 2)}

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        if "parent" not in scores:
            return "paraphrase-chrf: no parent sentence to compare with (provenance.parent_tgt is missing)"
        value = float(scores["parent"])
        if value > self.max_chrf:
            return f"paraphrase-copy: chrF {value:.1f} against the parent > {self.max_chrf:g}"
        if value < self.min_chrf:
            return f"paraphrase-drift: chrF {value:.1f} against the parent < {self.min_chrf:g}"
        return None

    def describe(self) -> dict[str, Any]:
        return {"metric": str(self.metric.get_signature()), "applies_to": sorted(self.applies_to or ())}
