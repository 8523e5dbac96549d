"""The evidence the adequacy check weighs (lrl/filters/adequacy.py): IBM-1 links and per-word weights,
anchors, punctuation, the features of a pair, and the cross-fitted training of the classifier on the seed."""

from __future__ import annotations

import functools
import itertools
import math
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence

import numpy as np

from lrl.models.ibm1 import IBM1Model, _is_word, load_or_train, tokenize, word_tokens

# Thresholds from `python eval/filters/bench.py` and `eval/filters/measure_models.py`.


#: Priors for a word seen in few calibration pairs (pseudo-counts ALPHA): explained in half of the aligned
#: pairs, in one in twenty misaligned ones.
PRIOR_ALIGNED, PRIOR_CHANCE, ALPHA = 0.5, 0.05, 2.0
#: Anchors one side has and the other lacks, counted up to this many.
MAX_ANCHORS = 3

Links = dict[str, set[str]]


def _words(text: str | list[str]) -> list[str]:
    """Distinct lowercased words of a text (or of its tokens)."""
    if isinstance(text, str):
        return list(dict.fromkeys(map(str.lower, word_tokens(text))))
    return list(dict.fromkeys(t.lower() for t in text if _is_word(t)))


class Text:
    """One side of a pair, tokenized once for every feature that reads it (adequacy and truncation):
    ``tokens`` (``tokenize``), ``words`` (the word tokens), ``lower`` (them lowercased) and ``distinct``
    (:func:`_words`)."""

    __slots__ = ("text", "tokens", "words", "lower", "distinct")

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.words = [t for t in self.tokens if t[0].isalnum() or t[0] == "_"]  # _is_word
        self.lower = list(map(str.lower, self.words))
        self.distinct = list(dict.fromkeys(self.lower))

    @classmethod
    def of(cls, text: str | Text) -> Text:
        return text if isinstance(text, Text) else cls(text)


def links(model: IBM1Model, top: int) -> tuple[Links, Links]:
    """For each English word its translations in the language, and the reverse, from both tables."""
    en: Links = {}
    xx: Links = {}
    for e, cands in model.en2xx.items():
        for f, _ in cands[:top]:
            en.setdefault(e, set()).add(f)
            xx.setdefault(f, set()).add(e)
    for f, cands in model.xx2en.items():
        for e, _ in cands[:top]:
            xx.setdefault(f, set()).add(e)
            en.setdefault(e, set()).add(f)
    return en, xx


def _explained(words: list[str], other: list[str], table: Links) -> list[tuple[str, bool]]:
    o = set(other)
    get = table.get
    return [(w, w in o or not t.isdisjoint(o)) for w in words if (t := get(w)) is not None]


def _weights(pairs: Sequence[tuple[list[str], list[str]]], side: int, table: Links) -> dict[str, tuple[float, float]]:
    """Per word: (log-ratio when explained, when not), from aligned pairs against pairs shifted by half.

    Per pair, the words of ``side`` the table knows (:func:`_explained`'s words) are counted as seen, those
    the other side explains as hits, those the other side of the pair half the seed away explains as chance
    hits (seen against that pair: the same words, so the same count). The words go into lists counted
    once at the end: no tuple per word and no Counter update per word."""
    n = len(pairs)
    known = [[w for w in p[side] if w in table] for p in pairs]
    others = [set(p[1 - side]) for p in pairs]
    hits: list[str] = []
    chances: list[str] = []
    for i, ws in enumerate(known):
        o = others[i]
        hits += [w for w in ws if w in o or not table[w].isdisjoint(o)]
        o = others[(i + n // 2) % n]
        chances += [w for w in ws if w in o or not table[w].isdisjoint(o)]
    seen = Counter(itertools.chain.from_iterable(known))
    hit, chance = Counter(hits), Counter(chances)
    out: dict[str, tuple[float, float]] = {}
    for w in table:
        b = (chance[w] + ALPHA * PRIOR_CHANCE) / (seen[w] + ALPHA)
        a = max((hit[w] + ALPHA * PRIOR_ALIGNED) / (seen[w] + ALPHA), b)
        out[w] = (math.log(a / b), math.log((1 - a) / (1 - b)))
    return out


# -- features independent of the tables: anchors, punctuation, length ------------------------------------

_MARK_CATS = ("Mn", "Me")
_PUNCT_CLASSES = (set("?፧؟"), set("!"), set('"“”«»„'), set("()[]"), set(":፥"))


def fold(word: str) -> str:
    """Lowercase, marks stripped (NFD): "Làbákẹ́" and "Labake" fold alike."""
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) not in _MARK_CATS)


#: Distinct words whose folded forms are remembered (a seed's both sides hold ~60k).
_MEMO = 1 << 17
_fold = functools.lru_cache(maxsize=_MEMO)(fold)  # fold, remembered per word


@functools.lru_cache(maxsize=_MEMO)
def _fold4(word: str) -> str:
    return _fold(word)[:4]


@functools.lru_cache(maxsize=_MEMO)
def _stem_words(word: str, chars: int) -> tuple[str, ...]:
    """The lowercased word tokens of one word's stem (``fold(word)[:chars]``: usually itself)."""
    return tuple(map(str.lower, word_tokens(_fold(word)[:chars])))


def _latin_share(texts: Sequence[str]) -> float:
    letters = [c for t in texts[:2000] for c in t if c.isalpha()]
    return sum(_is_latin(c) for c in letters) / len(letters) if letters else 1.0


def _is_latin(word: str) -> bool:
    return word[:1].isascii() or "LATIN" in unicodedata.name(word[0], "")


_DIGITS = re.compile(r"\d")


def _anchors(text: str | list[str], names: bool) -> set[str]:
    """Numbers, and (``names``) capitalized words not at the start of a sentence, folded to 4 letters; for a
    side in another script, its Latin-script words (names and terms copied over). ``text``: or its tokens."""
    toks = tokenize(text) if isinstance(text, str) else text
    out: set[str] = set()
    digits_anywhere = _DIGITS.search("".join(toks)) is not None
    if not names and not digits_anywhere:
        return out
    start = True
    for t in toks:
        c = t[0]
        if not (c.isalnum() or c == "_"):  # not _is_word(t)
            start = t in ".!?:;\"“«።፧"
            continue
        if digits_anywhere and _DIGITS.search(t):
            digits = "".join(_DIGITS.findall(t))
            if digits.isascii():
                out.add("#" + digits)
        elif names and t[0].isupper() and not start and len(t) > 2:
            out.add(_fold4(t))
        start = False
    return out


def _foreign_words(text: str | list[str]) -> set[str]:
    toks = tokenize(text) if isinstance(text, str) else text
    return {_fold4(t) for t in toks if _is_word(t) and len(t) > 2 and _is_latin(t) and not _DIGITS.search(t)}


_PUNCT_CHARS = re.compile("[" + "".join(re.escape(c) for cls in _PUNCT_CLASSES for c in sorted(cls)) + "]")


def _punct(text: str) -> tuple[bool, ...]:
    found = set(_PUNCT_CHARS.findall(text))  # the characters of text in any class
    return tuple(not cls.isdisjoint(found) for cls in _PUNCT_CLASSES)


FEATURES = ("nb_src", "nb_tgt", "nb_src_stem", "nb_tgt_stem", "anchors_en", "anchors_xx", "punct")
#: What the feature that weighs most against a rejected pair says (relative to a typical seed pair).
WHY = {"nb_src": "English least explained by the other", "nb_tgt": "language side least explained by the other",
       "anchors_en": "English numbers or names missing on the other side",
       "anchors_xx": "the language side's numbers or names missing in the English",
       "nb_src_stem": "English word stems least explained by the other",
       "nb_tgt_stem": "language side's word stems least explained by the other",
       "punct": "punctuation differs"}
#: Before the classifier is trained (too few seed pairs): the naive-Bayes sums alone.
PRIOR_COEF = {**dict.fromkeys(FEATURES, 0.0), "nb_src": 0.5, "nb_tgt": 0.5}


def stem_text(text: str, chars: int) -> str:
    """The text as its words' first ``chars`` letters, folded (lowercase, marks dropped). A seed of a few
    thousand pairs sees most inflected forms once or never, so word tables leave them unexplained; tables
    over stems pool the forms (misaligned pairs adequacy rejects alone: ha 64.7 -> 77.3%, am 83.7 -> 94.0%;
    eval/filters/results/adequacy-parts/)."""
    return " ".join([_fold(t)[:chars] for t in word_tokens(text)])


def stem_words(words: list[str], chars: int) -> list[str]:
    """``_words(stem_text(text, chars))`` from the word tokens of ``text``: a token never spans whitespace
    and NFC never joins characters across a space, so the stem text's words are each stem's in turn."""
    return list(dict.fromkeys(itertools.chain.from_iterable([_stem_words(w, chars) for w in words])))


def stem_pairs(pairs: Sequence[tuple[str, str]], chars: tuple[int, int]) -> list[tuple[str, str]]:
    return [(stem_text(e, chars[0]), stem_text(x, chars[1])) for e, x in pairs]


class Featurizer:
    """The evidence the classifier weighs, for one (English, language) pair."""

    def __init__(self, model: IBM1Model, top: int, latin: bool, stem: Featurizer | None = None,
                 stem_chars: tuple[int, int] = (0, 0)) -> None:
        """``stem``: the same evidence from tables over word stems of ``stem_chars`` letters (English,
        language side); without it the stem features are 0."""
        self.en_links, self.xx_links = links(model, top)
        self.latin = latin
        self.stem, self.stem_chars = stem, stem_chars
        self.en_weights: dict[str, tuple[float, float]] = {}
        self.xx_weights: dict[str, tuple[float, float]] = {}
        #: the median of each feature over the seed pairs, to name the feature that sank a pair
        self.typical: dict[str, float] = dict.fromkeys(FEATURES, 0.0)

    def calibrate(self, toks: Sequence[tuple[list[str], list[str]]],
                  stem_toks: Sequence[tuple[list[str], list[str]]] = ()) -> None:
        self.en_weights = _weights(toks, 0, self.en_links)
        self.xx_weights = _weights(toks, 1, self.xx_links)
        if self.stem is not None:
            self.stem.calibrate(stem_toks)

    def features_of(self, pair: tuple[str, str]) -> dict[str, float]:
        return self.features(*pair)

    def features(self, en_text: str | Text, xx_text: str | Text) -> dict[str, float]:
        t_en, t_xx = Text.of(en_text), Text.of(xx_text)
        en, xx = t_en.distinct, t_xx.distinct
        nb_src, n_src = _side(en, xx, self.en_links, self.en_weights)
        nb_tgt, n_tgt = _side(xx, en, self.xx_links, self.xx_weights)
        a_en = _anchors(t_en.tokens, self.latin)
        a_xx = _anchors(t_xx.tokens, self.latin) | (set() if self.latin else _foreign_words(t_xx.words))
        # what each side's anchors are looked for in (only needed where the other side has anchors)
        f_en = {_fold4(w) for w in en} | {a for a in a_en if a.startswith("#")} if a_xx else set()
        f_xx = {_fold4(w) for w in xx} | {a for a in a_xx if a.startswith("#")} if a_en else set()
        punct = sum(a != b for a, b in zip(_punct(t_en.text), _punct(t_xx.text), strict=True))
        st_src = st_tgt = 0.0
        if self.stem is not None:
            st_en = stem_words(t_en.words, self.stem_chars[0])
            st_xx = stem_words(t_xx.words, self.stem_chars[1])
            st_src = _side(st_en, st_xx, self.stem.en_links, self.stem.en_weights)[0]
            st_tgt = _side(st_xx, st_en, self.stem.xx_links, self.stem.xx_weights)[0]
        return {"nb_src": nb_src, "nb_tgt": nb_tgt, "nb_src_stem": st_src, "nb_tgt_stem": st_tgt,
                "anchors_en": float(min(len(a_en - f_xx), MAX_ANCHORS)),
                "anchors_xx": float(min(len(a_xx - f_en), MAX_ANCHORS)),
                "punct": float(punct), "src_known": float(n_src), "tgt_known": float(n_tgt)}


def _side(words: list[str], other: list[str], table: Links,
          weights: dict[str, tuple[float, float]]) -> tuple[float, int]:
    # sum over _explained(words, other, table) of each word's weight when explained or not
    o = set(other)
    get = table.get
    none = (0.0, 0.0)
    found = [weights.get(w, none)[0 if w in o or not t.isdisjoint(o) else 1]
             for w in words if (t := get(w)) is not None]
    return sum(found), len(found)


def _truncate(text: str, rng: random.Random) -> str:
    words = text.split()
    return " ".join(words[:max(1, round(len(words) * rng.uniform(0.3, 0.7)))])


def negatives(pairs: Sequence[tuple[str, str]], rng: random.Random, truncated: bool = False) -> list[tuple[str, str]]:
    """Synthetic damage made from the seed itself (bicleaner's recipe, no labels): for each pair the
    English of another pair of similar length; with ``truncated``, also one side cut to 30-70% of its words
    (measured: it teaches the classifier length, which the length checks already judge, and costs misaligned
    pairs)."""
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]))
    out: list[tuple[str, str]] = []
    n = len(order)
    for k, i in enumerate(order):
        j = order[min(n - 1, max(0, k + rng.choice((-3, -2, -1, 1, 2, 3))))]
        if j != i and pairs[j][0] != pairs[i][0]:
            out.append((pairs[j][0], pairs[i][1]))
    for k, (en, xx) in enumerate(pairs if truncated else ()):
        if k % 2 == 0 and len(en.split()) >= 4:
            out.append((_truncate(en, rng), xx))
        elif k % 2 == 1 and len(xx.split()) >= 4:
            out.append((en, _truncate(xx, rng)))
    return out


def featurizer(lang: str, pairs: Sequence[tuple[str, str]], toks: Sequence[tuple[list[str], list[str]]],
               model: IBM1Model, top: int, latin: bool, stem_chars: tuple[int, int], iterations: int) -> Featurizer:
    """A calibrated featurizer over ``model`` and, when ``stem_chars`` is set, stem tables trained on
    ``pairs`` (cached on disk like every IBM-1 model)."""
    stem = None
    stem_toks: list[tuple[list[str], list[str]]] = []
    if min(stem_chars) > 0 and pairs:
        # stem_pairs, and the words of each stem text, from each side's word tokens
        words = [(word_tokens(e), word_tokens(x)) for e, x in pairs]
        c_en, c_xx = stem_chars
        sp = [(" ".join([_fold(w)[:c_en] for w in we]), " ".join([_fold(w)[:c_xx] for w in wx])) for we, wx in words]
        stem_model = load_or_train(f"{lang}-stem{stem_chars[0]}.{stem_chars[1]}", sp, (), iterations, 0.0)
        stem = Featurizer(stem_model, top, latin)
        stem_toks = [(stem_words(we, c_en), stem_words(wx, c_xx)) for we, wx in words]
    fz = Featurizer(model, top, latin, stem, stem_chars)
    if len(toks) >= 2:
        fz.calibrate(toks, stem_toks)
    return fz


def cross_fitted(model: IBM1Model, pairs: Sequence[tuple[str, str]], toks: Sequence[tuple[list[str], list[str]]],
                 latin: bool, top: int, truncated: bool, stem_chars: tuple[int, int] = (0, 0)
                 ) -> tuple[np.ndarray, np.ndarray, int]:
    """(features, labels, number of positives first) for the classifier, each half of the seed scored with
    IBM-1 tables and word weights learned on the other half. Scored with tables that saw them, the seed's
    own pairs look far better explained than unseen clean pairs (measured: a classifier trained so, with its
    threshold set on them, rejected 4-9% of held-out clean pairs); the half tables know fewer words than the
    full ones, so the scale set here errs towards keeping clean pairs."""
    iterations = int(model.settings.get("iterations", 5))
    pos: list[dict[str, float]] = []
    neg: list[dict[str, float]] = []
    rng = random.Random(0)
    for learn, judge, half in seed_folds(model, pairs):
        learn_pairs = [pairs[i] for i in learn]
        fz = featurizer(model.lang, learn_pairs, [toks[i] for i in learn], half, top, latin, stem_chars, iterations)
        judged = [pairs[i] for i in judge]
        pos += map(fz.features_of, judged)
        neg += map(fz.features_of, negatives(judged, rng, truncated))
    return labelled(pos, neg, FEATURES)


def seed_folds(model: IBM1Model, pairs: Sequence[tuple[str, str]]) -> Iterator[tuple[list[int], list[int], IBM1Model]]:
    """The two cross-fitting folds of the seed, shared by the misaligned and the truncation classifiers:
    (indices learned from, indices judged, IBM-1 tables trained on the learned half — cached on disk, so the
    second classifier loads what the first trained)."""
    iterations = int(model.settings.get("iterations", 5))
    halves = [[i for i in range(len(pairs)) if i % 2 == h] for h in (0, 1)]
    for h in (0, 1):
        learn = halves[h]
        yield learn, halves[1 - h], load_or_train(model.lang, [pairs[i] for i in learn], (), iterations, 0.0)


def labelled(pos: list[dict[str, float]], neg: list[dict[str, float]], keys: Sequence[str]
             ) -> tuple[np.ndarray, np.ndarray, int]:
    """(feature matrix in ``keys`` order, labels 1 then 0, number of positives first)."""
    x = np.array([[f[k] for k in keys] for f in pos + neg])
    return x, np.r_[np.ones(len(pos)), np.zeros(len(neg))], len(pos)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, iterations: int = 300) -> tuple[np.ndarray, float]:
    """Plain logistic regression by Newton steps on standardized features; (weights, bias) on the raw scale."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = np.c_[(x - mu) / sd, np.ones(len(x))]
    w = np.zeros(z.shape[1])
    for _ in range(min(iterations, 25)):
        p = 1 / (1 + np.exp(-z @ w))
        g = z.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0]
        h = (z * (p * (1 - p))[:, None]).T @ z / len(y) + l2 * np.eye(len(w))
        w -= np.linalg.solve(h, g)
    coef = w[:-1] / sd
    return coef, float(w[-1] - coef @ mu)
