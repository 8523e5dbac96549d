"""A word-by-word statistical translator: IBM Model 1 lexical tables learned by EM, both directions.

The default back-translator when no pretrained model covers the language (DESIGN.md: on the 10k
MENYO-20k pairs it trains in seconds on a CPU and translates tens of thousands of sentences a second,
chrF++ ≈ 21–24 yo→en). It is a floor, not a ceiling: it knows words, not word order (BLEU ≈ 3).

* Tokens: words (letters, digits and combining marks, with inner ``'``/``-``) and single punctuation
  marks. Tables are learned on lowercased NFC tokens.
* EM is vectorized with numpy over all (target position, source word) co-occurrences of the corpus.
* Translation: each source word becomes ``argmax_e t(e|f)``; unknown words (names, numbers) and
  punctuation are copied; capitals are restored (sentence start, and capitalized words inside).
* A held-out slice of the real seed pairs (not templates or lexicon entries) gives the model's own dev
  chrF++ and BLEU in both directions, reported in the manifest.
* Models are cached in ``$LRL_CACHE/models/ibm1-<hash>/`` (default ``~/.cache/lrl``), keyed by the
  training data and settings, so a second run loads instead of training.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lrl.models import cache_root

VERSION = 1
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_WORD = rf"[\w{_MARKS}]+"
_TOKEN = re.compile(rf"{_WORD}(?:['’\-]{_WORD})*|[^\w\s{_MARKS}]")
#: The first alternative of _TOKEN alone: findall gives the word-shaped tokens of _TOKEN, in order (where
#: _TOKEN matches punctuation this finds nothing and moves on, as _TOKEN does past its match).
_WORD_TOKEN = re.compile(rf"{_WORD}(?:['’\-]{_WORD})*")
#: A combining mark not preceded by a letter, digit or mark: the only place a word-shaped token can start
#: with a mark, which ``_is_word`` does not count as a word.
_MARK_START = re.compile(rf"(?<![\w{_MARKS}])[{_MARKS}]")
_NO_SPACE_BEFORE = re.compile(r" ([.,!?;:%)\]}»”።፣፤፥፦፧፨])")
_NO_SPACE_AFTER = re.compile(r"([(\[{«“]) ")
#: Pairs longer than this (tokens, either side) are left out of training: EM cost grows with the
#: product of the lengths, and long pairs teach word translations least.
MAX_TOKENS = 80
#: Fewer real seed pairs than this and no dev score is computed (a score on a handful of rows is noise).
MIN_DEV_SEED = 50


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFC", text))


def word_tokens(text: str) -> list[str]:
    """``[t for t in tokenize(text) if _is_word(t)]``, without a Python test per token."""
    text = unicodedata.normalize("NFC", text)
    words = _WORD_TOKEN.findall(text)
    return [t for t in words if _is_word(t)] if _MARK_START.search(text) else words


def detokenize(tokens: Iterable[str]) -> str:
    text = " ".join(t for t in tokens if t)
    return _NO_SPACE_AFTER.sub(r"\1", _NO_SPACE_BEFORE.sub(r"\1", text))


def _is_word(tok: str) -> bool:
    return bool(tok) and (tok[0].isalnum() or tok[0] == "_")


def _factorize(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct keys, index of each key among them): pandas' hash table when installed (it comes with
    ``datasets``; ~10x faster than sorting), else numpy."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency of datasets
        uniq, inv = np.unique(keys, return_inverse=True)
        return uniq, inv
    codes, uniq = pd.factorize(keys, sort=False)
    return np.asarray(uniq), np.asarray(codes)


class _Side:
    """The word ids of one side of the training pairs: ``ids`` of all pairs one after another, ``lens`` per
    pair; ``vocab[id]`` is the word, id 0 the NULL word (ids in order of first appearance)."""

    def __init__(self, sentences: list[list[str]]) -> None:
        flat = ["<null>", *itertools.chain.from_iterable(sentences)]
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is a dependency
            index: dict[str, int] = {}
            codes = np.fromiter((index.setdefault(w, len(index)) for w in flat), dtype=np.int64, count=len(flat))
            self.vocab = list(index)
        else:
            codes, uniq = pd.factorize(np.array(flat, dtype=object), sort=False)
            codes = np.asarray(codes, dtype=np.int64)
            self.vocab = list(uniq)
        self.ids = codes[1:]
        self.lens = np.fromiter((len(s) for s in sentences), dtype=np.int64, count=len(sentences))


def _cooccurrences(src: _Side, tgt: _Side) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every (source word, target position) of every pair, target positions in order and, for each, the
    NULL word 0 then the source words (what ``np.tile(s, len(t))`` / ``np.repeat(t, len(s))`` give pair by
    pair): (source ids, target ids, target position, how many source words each target position meets),
    built in a few numpy calls over all pairs. Pairs without target words are left out."""
    s_len = src.lens + 1  # NULL included
    s_start = np.cumsum(src.lens) - src.lens  # of each pair's words in src.ids
    t_len = tgt.lens
    width = np.repeat(s_len, t_len)  # per target position
    t_all = np.repeat(tgt.ids, width)
    grp = np.repeat(np.arange(len(tgt.ids), dtype=np.int64), width)
    # per target position, NULL then its pair's source words: positions within the pair's run of s_len
    local = np.arange(int(width.sum()), dtype=np.int64) - np.repeat(np.cumsum(width) - width, width)
    s_all = np.where(local == 0, 0, src.ids[np.repeat(np.repeat(s_start, t_len), width) + local - 1]
                     if len(src.ids) else 0)
    return s_all, t_all, grp, width


def _train_direction(src: _Side, tgt: _Side, iterations: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """EM for t(tgt word | src word); source id 0 is NULL. Returns (src ids, tgt ids, t) per pair seen."""
    n_src, n_tgt = len(src.vocab), len(tgt.vocab)
    s_all, t_all, grp, width = _cooccurrences(src, tgt)
    g = len(width)
    if g == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    uniq, cid = _factorize(s_all * n_tgt + t_all)
    del s_all, t_all
    pair_src, pair_tgt = uniq // n_tgt, uniq % n_tgt
    prob = np.ones(len(uniq))
    for _ in range(iterations):
        p = prob[cid]
        denom = np.bincount(grp, weights=p, minlength=g)
        # denom[grp], read as runs: grp holds each target position width times in a row
        counts = np.bincount(cid, weights=p / np.repeat(denom, width), minlength=len(uniq))
        total = np.bincount(pair_src, weights=counts, minlength=n_src)
        prob = counts / total[pair_src]
    return pair_src, pair_tgt, prob


def _best(pair_src: np.ndarray, pair_tgt: np.ndarray, prob: np.ndarray, src_vocab: list[str],
          tgt_vocab: list[str], top: int) -> dict[str, list[tuple[str, float]]]:
    """For each source word, its ``top`` most probable translations (deterministic ties: the smaller target
    id first). Picked in ``top`` rounds of a per-word maximum rather than by sorting every pair (what
    ``np.lexsort((pair_tgt, -prob, pair_src))`` ranks, at a fraction of its cost)."""
    if len(prob) == 0:
        return {}
    n_src = int(pair_src.max()) + 1
    left = prob.copy()
    picked: list[np.ndarray] = []
    ranks: list[np.ndarray] = []
    big = np.iinfo(np.int64).max
    for r in range(top):
        best = np.full(n_src, -np.inf)
        np.maximum.at(best, pair_src, left)
        at_best = (left == best[pair_src]) & (left > -np.inf)
        low = np.full(n_src, big)
        np.minimum.at(low, pair_src[at_best], pair_tgt[at_best])
        win = np.flatnonzero(at_best & (pair_tgt == low[pair_src]))
        picked.append(win)
        ranks.append(np.full(len(win), r))
        left[win] = -np.inf
    win = np.concatenate(picked)
    rank = np.concatenate(ranks)
    win, rank = win[pair_src[win] != 0], rank[pair_src[win] != 0]
    keep = win[np.lexsort((rank, pair_src[win]))]
    out: dict[str, list[tuple[str, float]]] = {}
    for f, e, p in zip(pair_src[keep].tolist(), pair_tgt[keep].tolist(), prob[keep].tolist(), strict=True):
        out.setdefault(src_vocab[f], []).append((tgt_vocab[e], round(p, 5)))
    return out


def translate_words(text: str, choose: Callable[[str], str | None]) -> str:
    """Word by word: ``choose(lower-cased word)`` gives its translation, or None to copy the word (a name,
    a number, a word the seed never showed); punctuation passes through and capitals carry over."""
    out: list[str] = []
    for i, tok in enumerate(tokenize(text)):
        if not _is_word(tok):
            out.append(tok)
            continue
        low = tok.lower()
        # Numbers are copied even when the tables know them: a seed's co-occurrence statistics pair years and
        # amounts with their neighbours' numbers ("Ní ọdún 1980" became "The years 1978").
        tr = None if any(c.isdigit() for c in tok) else choose(low)
        if tr is None:
            out.append(tok)
            continue
        if tok[0].isupper() and (i > 0 or tok != low):
            tr = tr[:1].upper() + tr[1:]
        out.append(tr)
    joined = detokenize(out)
    return joined[:1].upper() + joined[1:] if text[:1].isupper() else joined


class IBM1Direction:
    """One direction of an :class:`IBM1Model`, as a :class:`~lrl.models.translator.Translator`."""

    def __init__(self, table: dict[str, str], identity: dict[str, Any]) -> None:
        self.table = table
        self.identity = identity

    def translate_one(self, text: str) -> str:
        return translate_words(text, self.table.get)

    def translate(self, texts: list[str]) -> list[str]:
        return [self.translate_one(t) for t in texts]


@dataclass
class IBM1Model:
    """Lexical tables for English↔language: ``en2xx[e]`` and ``xx2en[f]`` list (word, t) best first."""

    lang: str
    en2xx: dict[str, list[tuple[str, float]]]
    xx2en: dict[str, list[tuple[str, float]]]
    settings: dict[str, Any]
    key: str = ""
    info: dict[str, Any] = field(default_factory=dict)  # training size, time, dev scores

    def direction(self, src: str, tgt: str) -> IBM1Direction:
        if (src, tgt) == ("en", self.lang):
            table = self.en2xx
        elif (src, tgt) == (self.lang, "en"):
            table = self.xx2en
        else:
            raise ValueError(f"this IBM-1 model translates en↔{self.lang}, not {src}→{tgt}")
        ident = {"kind": "ibm1", "id": f"ibm1-{self.key}", "revision": self.key, "direction": f"{src}-{tgt}",
                 "iterations": self.settings.get("iterations")}
        return IBM1Direction({w: c[0][0] for w, c in table.items() if c}, ident)

    # -- training -----------------------------------------------------------------------------------
    @classmethod
    def train(cls, lang: str, pairs: Sequence[tuple[str, str]], iterations: int = 5,
              key: str = "") -> IBM1Model:
        """Train on (English, language) pairs."""
        started = time.perf_counter()
        en_words: list[list[str]] = []
        xx_words: list[list[str]] = []
        for en, xx in pairs:
            e = list(map(str.lower, word_tokens(en)))
            f = list(map(str.lower, word_tokens(xx)))
            if not e or not f or len(e) > MAX_TOKENS or len(f) > MAX_TOKENS:
                continue
            en_words.append(e)
            xx_words.append(f)
        en_side, xx_side = _Side(en_words), _Side(xx_words)
        ps, pt, pr = _train_direction(xx_side, en_side, iterations)
        xx2en = _best(ps, pt, pr, xx_side.vocab, en_side.vocab, 3)
        ps, pt, pr = _train_direction(en_side, xx_side, iterations)
        en2xx = _best(ps, pt, pr, en_side.vocab, xx_side.vocab, 3)
        info = {"train_pairs": len(en_words), "train_seconds": round(time.perf_counter() - started, 2)}
        return cls(lang, en2xx, xx2en, {"iterations": iterations, "version": VERSION}, key, info)

    # -- persistence --------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write ``model.json`` into ``path`` atomically (a crashed run leaves no half model)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
        tmp.chmod(0o755)  # mkdtemp makes it private; a model cache is shared like any other file
        data = {"lang": self.lang, "key": self.key, "settings": self.settings, "info": self.info,
                "en2xx": self.en2xx, "xx2en": self.xx2en}
        (tmp / "model.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        try:
            os.replace(tmp, path)
        except OSError:  # another process saved the same model first
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, path: Path) -> IBM1Model:
        d = json.loads((path / "model.json").read_text(encoding="utf-8"))
        conv = {k: [(w, float(p)) for w, p in v] for k, v in d["en2xx"].items()}
        back = {k: [(w, float(p)) for w, p in v] for k, v in d["xx2en"].items()}
        return cls(d["lang"], conv, back, d["settings"], d["key"], d["info"])


Pairs = list[tuple[str, str]]


def split_dev(seed: Sequence[tuple[str, str]], share: float) -> tuple[Pairs, Pairs]:
    """Deduplicate the seed pairs and hold out ``share`` of them (at least 10, at most 1000) chosen by a
    hash of the pair, so the split does not depend on input order. Returns (train, dev)."""
    uniq = list(dict.fromkeys(seed))
    if share <= 0 or len(uniq) < MIN_DEV_SEED:
        return uniq, []
    n_dev = min(max(round(len(uniq) * share), 10), 1000)

    def h(p: tuple[str, str]) -> bytes:
        return hashlib.blake2b(f"{p[0]}\t{p[1]}".encode(), digest_size=8).digest()

    dev = set(sorted(uniq, key=h)[:n_dev])
    dev_src = {p[0] for p in dev}
    dev_tgt = {p[1] for p in dev}
    train = [p for p in uniq if p not in dev and p[0] not in dev_src and p[1] not in dev_tgt]
    return train, [p for p in uniq if p in dev]


def evaluate(model: IBM1Model, dev: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """chrF++ and BLEU both ways on (English, language) pairs, by the one dev scorer (lrl/models/devscore.py)."""
    from lrl.models.devscore import corpus_scores, signatures

    en = [p[0] for p in dev]
    xx = [p[1] for p in dev]
    out: dict[str, Any] = {"rows": len(dev)}
    for name, src, ref, (a, b) in ((f"{model.lang}-en", xx, en, (model.lang, "en")),
                                   (f"en-{model.lang}", en, xx, ("en", model.lang))):
        out[name] = corpus_scores(model.direction(a, b).translate(src), ref)
    out["signature"] = signatures()
    return out


def model_key(lang: str, train: Sequence[tuple[str, str]], dev: Sequence[tuple[str, str]],
              iterations: int) -> str:
    h = hashlib.sha256(f"ibm1 v{VERSION} {lang} it={iterations}\n".encode())
    for tag, rows in (("train", train), ("dev", dev)):
        h.update(f"{tag} {len(rows)}\n".encode())
        for en, xx in rows:
            h.update(f"{en}\t{xx}\n".encode())
    return h.hexdigest()[:16]


def load_or_train(lang: str, seed: Sequence[tuple[str, str]], extra: Sequence[tuple[str, str]] = (),
                  iterations: int = 5, dev_share: float = 0.05, cache: Path | None = None) -> IBM1Model:
    """The IBM-1 model for these data and settings: loaded from the cache, or trained (on the seed minus
    its dev slice, plus ``extra`` pairs such as templates and lexicon entries), scored and cached.

    ``model.info["dev"]`` holds the dev scores, or a ``note`` saying why there are none;
    ``model.info["cached"]`` says whether it was loaded.
    """
    train, dev = split_dev(seed, dev_share)
    train_all = train + [p for p in dict.fromkeys(extra) if p[0] and p[1]]
    key = model_key(lang, train_all, dev, iterations)
    path = (cache or cache_root() / "models") / f"ibm1-{key}"
    if (path / "model.json").is_file():
        try:
            model = IBM1Model.load(path)
            model.info["cached"] = True
            model.info["path"] = str(path)
            return model
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache entry: train again and overwrite it
    model = IBM1Model.train(lang, train_all, iterations, key)
    if dev:
        model.info["dev"] = evaluate(model, dev)
    else:
        model.info["dev"] = {"rows": 0, "note": f"no dev score: the seed has {len(dict.fromkeys(seed))} "
                             f"distinct pairs (< {MIN_DEV_SEED}) or bt.dev_share is 0"}
    model.info["seed_pairs"] = len(train)
    model.info["extra_pairs"] = len(train_all) - len(train)
    if path.exists():
        shutil.rmtree(path, ignore_errors=True)
    model.save(path)
    model.info["cached"] = False
    model.info["path"] = str(path)
    return model
