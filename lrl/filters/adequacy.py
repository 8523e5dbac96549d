"""Adequacy: do the two sides say the same thing? A small classifier over lexical and anchor evidence.

Bicleaner's recipe without labels: features of a pair, a logistic regression trained at run time on the
seed's real pairs against synthetic misaligned ones (the English of another seed pair of similar length),
and a threshold on the seed's own scale.

Features (all stored in ``record.scores["adequacy.<name>"]``):

* ``nb_src`` / ``nb_tgt`` — lexical evidence both ways through the IBM-1 tables learned on the seed
  (``lrl.models.ibm1``). A word of one side is *explained* when the other side holds its best translation
  (either table) or the word itself; each word's evidence is weighed by how much more often it is explained
  in aligned seed pairs than in misaligned ones, a naive-Bayes log-likelihood ratio summed over the distinct
  words the tables know: explained ``log(a_w / b_w)``, not explained ``log((1 - a_w) / (1 - b_w))``. "the"
  weighs ≈ 0; a content word whose translation is missing counts against the pair. Unknown words (names,
  rare words) carry no evidence; ``src_known`` / ``tgt_known`` count the words judged, and a side with fewer
  than ``min_known`` is scored but not judged.
* ``anchors_en`` / ``anchors_xx`` — evidence independent of the tables: numbers and capitalized words inside
  a sentence (for a language side in another script: its numbers and Latin-script words), folded (lowercase,
  marks dropped, first 4 letters), that one side has and the other lacks (up to 3).
* ``punct`` — how many of ? ! quotes brackets colon appear on one side only.
* ``nb_src_stem`` / ``nb_tgt_stem`` — ``nb_src`` / ``nb_tgt`` again through IBM-1 tables over word stems
  (folded, first ``stem_chars`` letters; ``stem_chars_other_script`` for a language side in another
  script), cross-fitted like the word tables: a seed of a few thousand pairs sees most inflected forms once
  or never, so word tables leave them unexplained in clean and misaligned pairs alike.

A second classifier (``adequacy_cut.py``) judges whether one side was cut short: its log-odds minus its
``cut_quantile`` on the cross-fitted seed is ``cut_score``, and a pair below ``min_cut_score`` is rejected
as ``truncated``; its evidence is stored as ``cut_<feature>``.

``logit`` is the classifier's log-odds; ``score`` is ``logit`` minus its ``quantile`` over the seed's pairs,
so ``min_score = 0`` rejects about that share of pairs like the seed's in any language, and a plugin moves
its bar on that scale. The seed pairs are scored *cross-fitted* (``cross_fitted``): with tables learned on
the other half of the seed, since tables that saw a pair explain it far better than an unseen clean one.

Measured (eval/filters/bench.py, eval/filters/measure_models.py): summed evidence beats a mean, the best
translation beats the three best; a probabilistic IBM-1 score (mean log Σ t(w|s)/(|S|+1), both ways) added
nothing over these features once cross-fitted (it had looked strong only on the pairs the tables saw) and
cost a third of the speed; training also against truncated pairs taught the classifier length, which the
length checks judge, and cost misaligned pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lrl.filters.adequacy_cut import CUT_FEATURES, CUT_WHY, CutFeaturizer, cut_cross_fitted
from lrl.filters.adequacy_features import (  # fold … _punct: re-exported for the tests and eval scripts
    FEATURES,
    PRIOR_COEF,
    WHY,
    Featurizer,
    Text,
    _anchors,
    _foreign_words,
    _latin_share,
    _punct,
    _words,
    cross_fitted,
    featurizer,
    fit_logistic,
    fold,
    negatives,
)
from lrl.filters.length import ends_sentence
from lrl.generate.backtranslate import untag
from lrl.models.ibm1 import IBM1Model
from lrl.record import Record
from lrl.step import Filter

__all__ = ["ADEQUACY_DEFAULTS", "FEATURES", "Adequacy", "_anchors", "_foreign_words", "_punct", "fold", "negatives"]

# Thresholds from `python eval/filters/bench.py` and `eval/filters/measure_models.py`.
ADEQUACY_DEFAULTS: dict[str, Any] = {
    "enabled": True,
    #: on the score's scale: the classifier's log-odds minus its ``quantile`` on held-out seed pairs, so 0
    #: rejects about that share of clean pairs like the seed's in any language
    "min_score": 0.0,
    "quantile": 0.02,
    "min_known": 3,
    "top": 1,
    #: seed pairs used to learn each word's weight and the classifier (the rest add time, not accuracy)
    "max_calibration_pairs": 20000,
    #: also train against seed pairs with one side cut (off: see ``negatives``)
    "truncated_negatives": False,
    #: fewer English words known to the tables and the filter scores but does not judge: a plugin's own
    #: examples, lexicon and templates give ~1k and lose 10% of clean pairs (models-yo-plugin.md);
    #: the real seeds measured give 6k-16k
    "min_vocab": 3000,
    #: stem tables: words cut to this many letters (folded), English and a Latin-script language side;
    #: 0 turns them off. A few thousand seed pairs see most inflected forms once or never.
    "stem_chars": 5,
    #: the same for a language side in another script: a Ge'ez syllable is a consonant and a vowel, so
    #: 3 syllables hold about as much of a word as 5 Latin letters
    "stem_chars_other_script": 3,
    #: the truncation classifier (adequacy_cut.py) on the same scale: its log-odds minus its ``cut_quantile``
    #: on the cross-fitted seed pairs; a pair below ``min_cut_score`` is rejected as truncated
    "min_cut_score": 0.0,
    "cut_quantile": 0.01,
    #: a pair with a side shorter than this (characters) is judged as truncated only when one side ends a
    #: sentence and the other does not: short pairs have wild length ratios (as filters.length.ratio_min_chars;
    #: a 14-character Yoruba proverb for a 43-character English line, both with full stops, was rejected
    #: on length alone). Not judging them at all let 6% of the yo bench's cut pairs through
    #: (`python eval/filters/adequacy_parts.py --lang yo`, results/adequacy-parts/)
    "cut_min_chars": 15,
    #: ... or when a side's last word has end-word log-odds at or below minus this (adequacy_cut.end_odds:
    #: "a", "the", "of" sit at -4 in English): a dangling word says "cut" at any length. 0 = never.
    "cut_dangling": 2.0,
    #: ... and a pair of any length is rejected as truncated when its English, without a sentence end, ends on
    #: a word at or below minus this ("One does not bear the title of"). 0 = off. On the yo bench's cut pairs
    #: (`python eval/filters/adequacy_parts.py --lang yo`): 78.7 -> 80.0% caught, no clean pair lost.
    "cut_dangling_any": 3.0,
}
#: Fewer seed pairs and the classifier is not trained (the filter scores with the priors and does not judge);
#: fewer held-out pairs and its scale is set on the training pairs.
MIN_TRAIN, MIN_HELD_OUT = 200, 50


class Adequacy(Filter):
    name = "adequacy"
    # coef and typical only name the feature that weighs most in a rejection's reason.
    decides_with = ("min_score", "min_known", "judging", "coef", "typical", "min_cut_score", "cut_min_chars",
                    "cut_coef", "cut_typical", "cut_dangling", "cut_dangling_any")
    rescorable = {"filters.adequacy.min_score": "min_score", "filters.adequacy.min_known": "min_known",
                  "filters.adequacy.min_cut_score": "min_cut_score",
                  "filters.adequacy.cut_min_chars": "cut_min_chars",
                  "filters.adequacy.cut_dangling": "cut_dangling",
                  "filters.adequacy.cut_dangling_any": "cut_dangling_any"}

    def __init__(self, featurizer: Featurizer, coef: dict[str, float], bias: float, offset: float,
                 min_score: float, min_known: int, info: dict[str, Any] | None = None,
                 cut: tuple[CutFeaturizer, dict[str, float], float, float, dict[str, float]] | None = None,
                 min_cut_score: float = 0.0, cut_min_chars: int = 15, cut_dangling: float = 2.0,
                 cut_dangling_any: float = 3.0) -> None:
        """``cut``: the truncation classifier (featurizer, weights, bias, offset, typical seed values), or
        None when the seed was too small to train it."""
        self.featurizer = featurizer
        self.coef, self.bias, self.offset = coef, bias, offset
        self.min_score, self.min_known = min_score, min_known
        self.info = dict(info or {})
        self.judging = bool(self.info.pop("judging", True))
        self.typical = featurizer.typical
        self.cut = cut
        self.cut_coef = cut[1] if cut else {}
        self.cut_typical = cut[4] if cut else {}
        self.min_cut_score, self.cut_min_chars = min_cut_score, cut_min_chars
        self.cut_dangling, self.cut_dangling_any = cut_dangling, cut_dangling_any

    @classmethod
    def build(cls, model: IBM1Model, settings: dict[str, Any],
              pairs: Sequence[tuple[str, str]] = ()) -> Adequacy:
        """From the IBM-1 model (what ``load_or_train`` returns) and the real (English, language) seed pairs
        it was trained on: they teach each word's weight and, against synthetic negatives made from them, the
        classifier's weights and scale (``cross_fitted``). Template renderings and lexicon entries are
        better left out: they are not sentence pairs."""
        s = {**ADEQUACY_DEFAULTS, **settings}
        uniq = [p for p in dict.fromkeys(pairs) if p[0] and p[1]]
        train = uniq[:int(s["max_calibration_pairs"])]
        toks = [(_words(e), _words(x)) for e, x in train]
        keep = [i for i, (e, x) in enumerate(toks) if e and x]
        train, toks = [train[i] for i in keep], [toks[i] for i in keep]
        latin = _latin_share([x for _, x in train]) >= 0.5
        chars = (int(s["stem_chars"]), int(s["stem_chars" if latin else "stem_chars_other_script"]))
        iterations = int(model.settings.get("iterations", 5))
        top = int(s["top"])
        # word weights (and stem tables), informative in the scores even when not judging
        fz = featurizer(model.lang, train, toks, model, top, latin, chars, iterations)
        info: dict[str, Any] = {"tables": f"ibm1-{model.key}" if model.key else "ibm1", "top": top,
                                "calibration_pairs": len(train),
                                "vocab": len(fz.en_links), "latin": latin, "stem_chars": list(chars)}
        coef = {k: v for k, v in PRIOR_COEF.items()}
        bias, offset = 0.0, 0.0
        cut = None
        if len(train) >= MIN_TRAIN:
            x, y, n_pos = cross_fitted(model, train, toks, latin, top, bool(s["truncated_negatives"]), chars)
            w, bias = fit_logistic(x, y)
            fz.typical = dict(zip(FEATURES, np.median(x[:n_pos], axis=0).tolist(), strict=True))
            coef = dict(zip(FEATURES, w.tolist(), strict=True))
            offset = float(np.quantile(x[:n_pos] @ w + bias, float(s["quantile"])))
            xc, yc, nc = cut_cross_fitted(model, train, latin, top)
            wc, bc = fit_logistic(xc, yc)
            cut_offset = float(np.quantile(xc[:nc] @ wc + bc, float(s["cut_quantile"])))
            cut = (CutFeaturizer(fz, *CutFeaturizer.calibrate(train)),
                   dict(zip(CUT_FEATURES, wc.tolist(), strict=True)), bc, cut_offset,
                   dict(zip(CUT_FEATURES, np.median(xc[:nc], axis=0).tolist(), strict=True)))
            info["cut_bias"], info["cut_offset"] = round(bc, 4), round(cut[3], 4)
        else:
            info["judging"] = False
            info["note"] = f"not judging: {len(train)} seed pairs to learn from (< {MIN_TRAIN})"
        if len(fz.en_links) < int(s["min_vocab"]):
            info["judging"] = False
            info["note"] = (f"not judging: the tables know {len(fz.en_links)} English words "
                            f"(< min_vocab {s['min_vocab']})")
        info["coef"] = {k: round(v, 4) for k, v in coef.items()}
        info["bias"], info["offset"] = round(bias, 4), round(offset, 4)
        return cls(fz, coef, bias, offset, float(s["min_score"]), int(s["min_known"]), info, cut,
                   float(s["min_cut_score"]), int(s["cut_min_chars"]), float(s["cut_dangling"]),
                   float(s["cut_dangling_any"]))

    def score(self, record: Record) -> dict[str, float | str]:
        if not record.src or not record.tgt:
            return {}  # monolingual row
        # each side tokenized once for both classifiers
        en, xx = Text(untag(record.src)), Text(record.tgt)
        f = self.featurizer.features(en, xx)
        logit = self.bias + sum(self.coef[k] * f[k] for k in FEATURES)
        out: dict[str, float | str] = {k: round(v, 4) for k, v in f.items()}
        out["logit"] = round(logit, 4)
        out["score"] = round(logit - self.offset, 4)
        if self.cut is not None:
            cf, wc, bc, oc, _ = self.cut
            g = cf.features(en, xx)
            out.update({f"cut_{k}": round(v, 4) for k, v in g.items()})
            out["cut_chars"] = min(len(en.text), len(xx.text))
            # a dangling last word ("… the title of") is judged on its own only where no sentence end follows it
            out["cut_en_stop"] = int(ends_sentence(en.text))
            out["cut_score"] = round(bc + sum(wc[k] * g[k] for k in CUT_FEATURES) - oc, 4)
        return out

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        if "score" not in scores or not self.judging:
            return None
        known = min(float(scores["src_known"]), float(scores["tgt_known"])) >= self.min_known
        value = float(scores["score"])
        if known and value < self.min_score:
            worst = min(FEATURES, key=lambda k: self.coef[k] * (float(scores[k]) - self.typical[k]))
            return f"adequacy: score {value:.2f} < {self.min_score:g} ({WHY[worst]})"
        # A short pair's length ratio says little (a compact translation), so it is judged only when one side
        # ends a sentence and the other does not, or a side ends on a word that seed sentences hardly ever end
        # on ("There was a", "One does not bear the title of"): neither depends on length. Length and sentence
        # ends need no known words: judged whatever min_known says.
        short = int(scores.get("cut_chars", 0)) < self.cut_min_chars
        opened = max(float(scores.get("cut_en_open", 0)), float(scores.get("cut_xx_open", 0))) > 0 or \
            (self.cut_dangling > 0 and
             min(float(scores.get("cut_en_end", 0)), float(scores.get("cut_xx_end", 0))) <= -self.cut_dangling)
        # English only: its function words do not end sentences, whereas a language's particles may (Yoruba
        # "ní" ends "… orúkọ aṣàmúlò le ní", a clean MENYO-20k line, though seed sentences hardly ever end on it).
        end = float(scores.get("cut_en_end", 0))
        if self.cut_dangling_any > 0 and end <= -self.cut_dangling_any and not int(scores.get("cut_en_stop", 1)):
            return (f"truncated: the English ends on a word seed sentences hardly ever end on "
                    f"(end log-odds {end:.1f} <= -{self.cut_dangling_any:g}) and no sentence end")
        if "cut_score" in scores and float(scores["cut_score"]) < self.min_cut_score and (opened or not short):
            worst = min(CUT_FEATURES, key=lambda k: self.cut_coef[k] * (float(scores[f"cut_{k}"])
                                                                         - self.cut_typical[k]))
            return (f"truncated: cut score {float(scores['cut_score']):.2f} < {self.min_cut_score:g} "
                    f"({CUT_WHY[worst]})")
        return None

    def describe(self) -> dict[str, Any]:
        return {"score": "logistic regression over lexical evidence both ways (naive-Bayes explained words and "
                         "word stems), anchors and punctuation, trained on the seed against synthetic misaligned "
                         "pairs; minus its quantile on held-out seed pairs",
                "cut_score": "logistic regression over length ratio z, sentence ends and the unexplained tail "
                             "of each side, trained on the seed against the same pairs with one side cut; minus "
                             "its cut_quantile on held-out seed pairs",
                **self.info}
