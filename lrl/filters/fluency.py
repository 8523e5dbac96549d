"""English fluency: does the English side read like English, or like words in salad order?

Scores the English side with a word n-gram model trained on the English the run has (seed pairs, user
English text, template English): ``fluency.score`` is the mean per-token log-probability under the
n-gram model minus that under a unigram model of the same data (:mod:`lrl.models.ngram`), which is near 0
or below for shuffled words and above 0 for real sentences. It is independent of the back-translator, so
it can judge that model's output (round-trip chrF through the model's own inverse tables cannot).

Sentences shorter than ``min_words`` words are scored but not judged (a three-word line has too little
order to judge). A model trained on little English knows little order: with fewer than ``min_train_types``
distinct words in its training English (templates repeat a few hundred words thousands of times, so
sentences are the wrong count) the filter scores every row and judges none, and its signature says so,
rather than rejecting real English the model has never seen the like of.
"""

from __future__ import annotations

from typing import Any

from lrl.generate.backtranslate import untag
from lrl.models.ibm1 import _is_word, tokenize
from lrl.models.ngram import NgramLM
from lrl.record import Record
from lrl.step import Filter

# Thresholds from `python eval/filters/measure_models.py` (eval/filters/results/models.md).
FLUENCY_DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "min_score": -0.5,
    "min_words": 4,
    "order": 3,
    # Real English seeds here have 6.7k-16k word types; a plugin's examples plus 2,000 templates ~1k
    # (eval/filters/results/models-*-plugin.md: judging on them loses 8-11% of clean yo and ha English).
    "min_train_types": 3000,
}


class Fluency(Filter):
    name = "fluency"
    batch_size = 256  # the model scores a batch in one numpy pass

    def __init__(self, lm: NgramLM, min_score: float, min_words: int, judging: bool = True,
                 note: str = "", unjudged: str = "pass") -> None:
        self.lm = lm
        self.min_score = min_score
        self.min_words = min_words
        self.judging = judging
        self.note = note
        #: What happens to English the model cannot judge (too little English to learn from): "pass", or
        #: "reject" for generators whose English is salad unless shown otherwise (IBM-1 back-translation).
        self.unjudged = unjudged

    @classmethod
    def build(cls, english: list[str], settings: dict[str, Any]) -> Fluency:
        """Train the model on ``english`` (duplicates count once: template English repeats itself)."""
        s = {**FLUENCY_DEFAULTS, **settings}
        distinct = list(dict.fromkeys(t for t in (untag(e).strip() for e in english) if t))
        lm = NgramLM.train(distinct, int(s["order"]))
        judging = lm.types >= int(s["min_train_types"])
        note = "" if judging else (f"not judging: {lm.types} distinct English words to learn from "
                                   f"(< min_train_types {s['min_train_types']})")
        return cls(lm, float(s["min_score"]), int(s["min_words"]), judging, note)

    def score_batch(self, records: list[Record]) -> list[dict[str, float | str]]:
        texts = [untag(r.src) for r in records if r.src]  # monolingual rows: no English to judge
        scored = iter(zip(texts, self.lm.score_batch(texts), strict=True))
        out: list[dict[str, float | str]] = []
        for r in records:
            if not r.src:
                out.append({})
                continue
            text, (logprob, norm) = next(scored)
            n_words = sum(1 for t in tokenize(text) if _is_word(t))
            out.append({"score": round(norm, 4), "logprob": round(logprob, 4), "words": n_words,
                        "oov": round(self.lm.oov_share(text), 4)})
        return out

    def score(self, record: Record) -> dict[str, float | str]:
        return self.score_batch([record])[0]

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        if "score" not in scores:
            return None
        if not self.judging:
            if self.unjudged == "reject":
                return (f"fluency-unverified: the English cannot be checked ({self.note}); give more seed "
                        "pairs or quality.train, or a real translator (bt.model)")
            return None
        if float(scores["words"]) < self.min_words:
            return None
        value = float(scores["score"])
        if value < self.min_score:
            return f"fluency: English scores {value:.2f} < {self.min_score:g} (n-gram minus unigram log-prob)"
        return None

    def signature(self) -> dict[str, Any]:
        return {"model": f"word {self.lm.order}-gram interpolated Kneser-Ney minus add-one unigram, "
                         "mean log-prob per token",
                "train_sentences": self.lm.sentences, "train_tokens": self.lm.tokens, "types": self.lm.types,
                "min_score": self.min_score, "min_words": self.min_words, "judging": self.judging,
                "unjudged": self.unjudged,
                **({"note": self.note} if self.note else {})}
