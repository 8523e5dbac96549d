"""Which monolingual rows to back-translate first (``bt.select``): rank them, translate the top ``k``.

With a budget (``bt.select_k``) not every monolingual sentence is worth translating. ``rank`` scores
each row by what it would add and how likely it is to come out well, greedily:

* **coverage** — words rare in or missing from the seed's real pairs that the back-translator can still
  translate (``vocab``: for IBM-1, every word of the seed, the plugin's lexicon and templates), with
  diminishing returns: a word's value is ``1 / (1 + seed count + count among rows already chosen)``, so
  the second row teaching the same rare word adds less than the first (Feature Decay Algorithms, Biçici
  & Yuret 2011). Summed over the row's distinct words and divided by the square root of their number, so
  long rows do not win by length alone. A word the translator does not know counts nothing: it would be
  copied into the English, and the pair rejected (first measurement: ranking by every unseen word kept
  3 of 300 back-translations where a random 300 kept 8).
* **domain** (with ``bt.select_domain=PATH``) — Moore–Lewis cross-entropy difference (Moore & Lewis 2010)
  with add-one unigram models: the mean, over the row's words, of log P(word | domain sample) minus
  log P(word | the monolingual pool), turned into a rank share in [0, 1].
* **known** — the share of the row's words (capitalized words inside the sentence, names, aside) the
  back-translator knows, to the fourth power: it copies words it does not know, and the ``untranslated``
  check rejects English with two language words left in (96% known → 0.85, 80% → 0.41, 50% → 0.06).
* **length** — a log-normal prior around the seed's sentence lengths (fragments and paragraphs translate
  worst and teach least).

Score = known⁴ × length × (coverage / its largest value + domain). Ranking is lazy greedy: coverage only
falls as rows are chosen, so a popped row whose recomputed score still beats the next stale score is the
true best. ``random`` takes ``k`` rows uniformly with the run's seed (the baseline the measurement in
``eval/results/bt-select-*.md`` compares with).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from lrl.models.ibm1 import _is_word, tokenize

METHODS = ("none", "rank", "random")


def _names(text: str) -> set[str]:
    """Capitalized words after the first word: names, which the translator copies and the checks allow."""
    toks = [t for t in tokenize(text) if _is_word(t)]
    return {t.lower() for t in toks[1:] if t[:1].isupper()}


def words(text: str) -> list[str]:
    """Lower-cased word tokens (IBM-1's tokenizer: the back-translator sees the same words)."""
    return [t.lower() for t in tokenize(text) if _is_word(t)]


@dataclass
class Selection:
    """``chosen``: indices to translate, best first; ``rest``: the others, in input order; ``scores[i]``:
    the row's features (stored in its ``scores`` as ``select.*``)."""

    chosen: list[int]
    rest: list[int]
    scores: list[dict[str, float]] = field(default_factory=list)


@dataclass
class Selector:
    """Ranks monolingual rows against a seed (its language side) and an optional domain sample."""

    method: str
    k: int
    seed_text: Sequence[str]
    domain: Sequence[str] = ()
    random_seed: int = 0
    #: Words the back-translator can translate (default: the words of ``seed_text``).
    vocab: Collection[str] = ()

    def __post_init__(self) -> None:
        self.seed_counts: Counter[str] = Counter(w for t in self.seed_text for w in words(t))
        self.known: Collection[str] = frozenset(self.vocab) if self.vocab else frozenset(self.seed_counts)
        lens = [math.log(n) for t in self.seed_text if (n := len(words(t))) > 0]
        self.len_mu = float(np.mean(lens)) if lens else math.log(12)
        # A floor on the spread: a seed of one-word lexicon entries would otherwise make every sentence
        # improbable.
        self.len_sd = max(float(np.std(lens)) if lens else 0.0, 0.5)
        self.domain_counts: Counter[str] = Counter(w for t in self.domain for w in words(t))

    def signature(self) -> dict[str, object]:
        return {"method": self.method, "k": self.k, "seed_words": len(self.seed_counts),
                "domain_sentences": len(self.domain), "random_seed": self.random_seed}

    def choose(self, texts: Sequence[str]) -> Selection:
        n = len(texts)
        k = n if self.k <= 0 else min(self.k, n)
        if self.method == "none":
            return Selection(list(range(k)), list(range(k, n)), [{} for _ in range(n)])
        toks = [words(t) for t in texts]
        feats = self._features(toks, [_names(t) for t in texts])
        if self.method == "random":
            rng = np.random.default_rng(self.random_seed)
            chosen = sorted(rng.choice(n, size=k, replace=False).tolist()) if k else []
        else:
            chosen = self._greedy(toks, feats, k)
        picked = set(chosen)
        for rank, i in enumerate(chosen, 1):
            feats[i]["rank"] = float(rank)
        return Selection(chosen, [i for i in range(n) if i not in picked], feats)

    # -- features ---------------------------------------------------------------------------------------
    def _features(self, toks: list[list[str]], names: list[set[str]]) -> list[dict[str, float]]:
        domain = self._domain(toks)
        out = []
        for i, ws in enumerate(toks):
            judged = [w for w in ws if w not in names[i]]
            known = sum(1 for w in judged if w in self.known) / len(judged) if judged else 1.0 if ws else 0.0
            length = math.exp(-0.5 * ((math.log(len(ws)) - self.len_mu) / self.len_sd) ** 2) if ws else 0.0
            out.append({"known": round(known, 4), "length": round(length, 4), "domain": round(domain[i], 4),
                        "coverage": round(self._coverage(set(ws), Counter()), 4)})
        return out

    def _coverage(self, types: Iterable[str], chosen: Counter[str]) -> float:
        types = list(types)
        if not types:
            return 0.0
        return sum(1.0 / (1 + self.seed_counts[w] + chosen[w]) for w in types if w in self.known) / math.sqrt(
            len(types))

    def _domain(self, toks: list[list[str]]) -> list[float]:
        """Moore–Lewis with unigram models, as a rank share in [0, 1] (0 for every row without a sample)."""
        if not self.domain_counts or not toks:
            return [0.0] * len(toks)
        pool: Counter[str] = Counter(w for ws in toks for w in ws)
        vocab = len(set(pool) | set(self.domain_counts)) + 1
        d_total, p_total = sum(self.domain_counts.values()) + vocab, sum(pool.values()) + vocab
        raw = np.array([np.mean([math.log((self.domain_counts[w] + 1) / d_total) - math.log((pool[w] + 1) / p_total)
                                 for w in ws]) if ws else -np.inf for ws in toks])
        order = np.argsort(raw, kind="stable")
        share = np.empty(len(toks))
        share[order] = np.arange(len(toks)) / max(len(toks) - 1, 1)
        return share.tolist()

    def _greedy(self, toks: list[list[str]], feats: list[dict[str, float]], k: int) -> list[int]:
        types = [set(ws) for ws in toks]
        top = max((f["coverage"] for f in feats), default=0.0) or 1.0
        chosen: Counter[str] = Counter()

        def score(i: int) -> float:
            f = feats[i]
            return f["known"] ** 4 * f["length"] * (self._coverage(types[i], chosen) / top + f["domain"])

        for f, i in zip(feats, range(len(feats)), strict=True):
            f["score"] = round(score(i), 4)
        heap = [(-f["score"], i) for i, f in enumerate(feats)]
        heapq.heapify(heap)
        out: list[int] = []
        while heap and len(out) < k:
            _, i = heapq.heappop(heap)
            now = score(i)
            # Coverage only falls as rows are chosen: if the recomputed score still beats the best stale
            # one, no other row can do better now.
            if heap and now < -heap[0][0] - 1e-12:
                heapq.heappush(heap, (-now, i))
                continue
            out.append(i)
            chosen.update(types[i])
        return out
