"""The downstream classifier of ``lrl eval-classify`` and its scores.

A standard, well-kept baseline rather than a tuned one: scikit-learn TF-IDF over character n-grams
(within words, 2–4: Yoruba and Hausa inflect and are spelt with and without tone marks, so sub-word
pieces carry the topic better than whole words) and word uni/bigrams, then logistic regression
(``SGDClassifier(loss="log_loss")``, balanced class weights). Fixed settings: nothing is tuned on the test
split. Hashed features are computed once per text and TF-IDF weights are fitted per training set, so the
~40 fits of an eval cost seconds each: ``LogisticRegression``'s lbfgs needed 7 CPU seconds per fit on
1,000 Yoruba articles (12 s wall on 2 shared cores, 470 s with its default threads under load) for
0.889 accuracy on the rest; SGD 1.2 s for 0.880 (measured while building this; not committed).

Scores: accuracy and macro-F1, each with a bootstrap confidence interval over test articles; differences
between two systems are paired (the same resampled articles), so their CI is what a verdict reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lrl.errors import require


def featurize(texts: Sequence[str]) -> Any:
    """Raw n-gram counts of each text (a sparse matrix, one row per text), hashed: no vocabulary is learnt,
    so the rows of every text can be computed once and any subset used as a training set."""
    require("sklearn", "scikit-learn", "lrl eval-classify")
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import HashingVectorizer

    chars = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 4), n_features=2**20, alternate_sign=False,
                              norm=None)
    words = HashingVectorizer(analyzer="word", ngram_range=(1, 2), n_features=2**19, alternate_sign=False,
                              norm=None)
    return sp.hstack([chars.transform(texts), words.transform(texts)]).tocsr()


def fit_predict(train: Any, labels: Sequence[str], test: Any, seed: int = 0) -> list[str]:
    """Train on the rows ``train`` (from :func:`featurize`) and predict the rows ``test``."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import SGDClassifier
    from threadpoolctl import threadpool_limits

    cols = np.flatnonzero(train.getnnz(axis=0))  # only n-grams the training set has: smaller, faster fits
    tfidf = TfidfTransformer(sublinear_tf=True).fit(train[:, cols])
    clf = SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=50, tol=1e-4, class_weight="balanced",
                        random_state=seed)
    with threadpool_limits(1):  # 2 cores shared with other jobs: BLAS threads only contend
        clf.fit(tfidf.transform(train[:, cols]), list(labels))
        return [str(p) for p in clf.predict(tfidf.transform(test[:, cols]))]


def _macro_f1(gold: np.ndarray, pred: np.ndarray, k: int) -> np.ndarray:
    """Macro-F1 of each row of class-id arrays (``gold``/``pred``: [samples, n]) over the test set's ``k``
    classes, as ``sklearn.metrics.f1_score(average="macro")`` with ``zero_division=0`` (a test checks it)."""
    f1s = []
    for c in range(k):
        g, p = gold == c, pred == c
        tp = (g & p).sum(axis=1)
        denom = g.sum(axis=1) + p.sum(axis=1)
        f1s.append(np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0))
    return np.mean(np.stack(f1s, axis=1), axis=1)


def bootstrap_scores(gold: Sequence[str], runs: dict[str, list[list[str]]], baseline: str | None = None,
                     samples: int = 1000, seed: int = 12345) -> dict[str, dict[str, Any]]:
    """Accuracy and macro-F1 per system, each the mean over its runs (draws of training data), with a 95%
    bootstrap CI over test articles; with ``baseline``, also each system's paired difference from it.

    ``runs[name]`` holds one prediction list per draw; resampling the test articles once and scoring every
    draw on the same resample keeps the draws' spread out of the CI (it is reported apart, as ``sd``)."""
    classes = sorted(set(gold))
    ids = {c: i for i, c in enumerate(classes)}
    g = np.array([ids[x] for x in gold])
    n, k = len(g), len(classes)
    rng = np.random.default_rng(seed)
    idx = np.vstack([np.arange(n)[None, :], rng.integers(0, n, size=(samples, n))])  # row 0 = the real test set
    gi = g[idx]
    per: dict[str, dict[str, np.ndarray]] = {}
    for name, preds in runs.items():
        accs, f1s = [], []
        for p in preds:
            pi = np.array([ids.get(x, -1) for x in p])[idx]
            accs.append((pi == gi).mean(axis=1))
            f1s.append(_macro_f1(gi, pi, k))
        per[name] = {"acc": np.mean(accs, axis=0), "f1": np.mean(f1s, axis=0),
                     "acc_sd": np.std([a[0] for a in accs]), "f1_sd": np.std([f[0] for f in f1s])}
    out: dict[str, dict[str, Any]] = {}
    for name, m in per.items():
        row: dict[str, Any] = {"draws": len(runs[name])}
        for metric in ("acc", "f1"):
            v = m[metric]
            lo, hi = np.percentile(v[1:], [2.5, 97.5])
            row[metric] = {"score": float(v[0]), "lo": float(lo), "hi": float(hi), "sd": float(m[f"{metric}_sd"])}
            if baseline is not None and name != baseline:
                d = v - per[baseline][metric]
                dlo, dhi = np.percentile(d[1:], [2.5, 97.5])
                row[metric]["diff"] = {"score": float(d[0]), "lo": float(dlo), "hi": float(dhi)}
        out[name] = row
    return out


def verdict(diff: dict[str, float]) -> str:
    if diff["lo"] > 0:
        return "helps"
    if diff["hi"] < 0:
        return "hurts"
    return "no difference beyond the CI"
