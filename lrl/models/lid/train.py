"""Naive Bayes over the automaton's features, the built-in model's feature space, holdout and saving."""

from __future__ import annotations

import functools
import time
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lrl.errors import ConfigError, require
from lrl.models.lid.automaton import Automaton, _count_features
from lrl.models.lid.corpus import (
    ALPHA,
    CANDIDATES_PER_ORDER,
    FEATURES_PER_LABEL,
    HOLDOUT,
    MIN_CHARS,
    RECOMMENDED_CHARS,
    TrainReport,
    load_corpora,
)
from lrl.models.lid.ngrams import _Packed, select_features

#: (nb_ptc, nb_pc, nb_classes, tk_nextmove, tk_row, tk_output), as py3langid.modelio.save_model takes it
Model = tuple[np.ndarray, np.ndarray, list[str], np.ndarray, np.ndarray, list[int]]


def _nb(weight: np.ndarray, alpha: float) -> np.ndarray:
    """Smoothed log P(feature | label) from summed log1p counts (features × labels)."""
    return np.log(weight + alpha) - np.log(weight.sum(axis=0) + alpha * weight.shape[0])


def _fit(corpora: list[list[bytes]], labels: list[str], features_per_label: int,
         candidates_per_order: int, alpha: float) -> tuple[Model, int]:
    packed = [_Packed.of(lines) for lines in corpora]
    patterns = select_features(packed, features_per_label, candidates_per_order)
    dfa = Automaton.build(patterns)
    n_feat = len(dfa.outputs)
    weight = np.zeros((n_feat, len(packed)), dtype=np.float64)
    for j, p in enumerate(packed):
        _, feat, count = dfa.feature_counts(p)
        weight[:, j] = np.bincount(feat, weights=np.log1p(count), minlength=n_feat)
    pc = np.full(len(packed), -np.log(len(packed)))
    n_states = dfa.delta.shape[0]
    return (_nb(weight, alpha), pc, labels, dfa.delta.ravel(), np.arange(n_states), dfa.out.tolist()), n_feat


@dataclass
class Builtin:
    """py3langid's built-in model: its DFA (rows shared between states), outputs and weights."""

    rows: np.ndarray
    row_index: np.ndarray
    out: np.ndarray
    depth: int
    ptc: np.ndarray
    pc: np.ndarray
    classes: list[str]

    @classmethod
    @functools.cache
    def load(cls) -> Builtin:
        require("py3langid", "py3langid>=0.4", "lrl lid train --with-builtin")
        from py3langid.langid import MODEL_DIR, MODEL_FILE
        from py3langid.modelio import load_model

        ptc, pc, classes, nextmove, row, out = load_model(MODEL_DIR / MODEL_FILE)
        rows = np.frombuffer(nextmove, dtype=f"u{nextmove.itemsize}").reshape(-1, 256).astype(np.int64)
        row_index = np.frombuffer(row, dtype=f"u{row.itemsize}").astype(np.int64)
        # depth of the deepest state = the longest n-gram: breadth-first from the start state
        depth = np.full(len(row_index), -1)
        depth[0], front, d = 0, np.zeros(1, dtype=np.int64), 0
        while len(front):
            d += 1
            nxt = np.unique(rows[row_index[front]])
            front = nxt[depth[nxt] < 0]
            depth[front] = d
        return cls(rows, row_index, np.asarray(out, dtype=np.int64), int(depth.max()),
                   np.asarray(ptc, dtype=np.float32), np.asarray(pc, dtype=np.float32), list(classes))


def _fit_builtin(corpora: list[list[bytes]], labels: list[str], builtin: Builtin, keep: list[str],
                 alpha: float) -> tuple[Model, int]:
    """New labels learnt in the built-in model's feature space, beside the kept built-in labels'
    columns: naive Bayes scores are comparable only over the same features, so this is how labels can
    be combined without the built-in model's training text."""
    n_feat = builtin.ptc.shape[0]
    weight = np.zeros((n_feat, len(corpora)), dtype=np.float64)
    for j, lines in enumerate(corpora):
        _, feat, count = _count_features(builtin.rows, builtin.row_index, builtin.out, builtin.depth,
                                         n_feat, _Packed.of(lines))
        weight[:, j] = np.bincount(feat, weights=np.log1p(count), minlength=n_feat)
    cols = [builtin.classes.index(lb) for lb in keep]
    ptc = np.column_stack([_nb(weight, alpha), builtin.ptc[:, cols]])
    # the built-in model's class biases are not log priors; new labels get their mean (a neutral prior)
    bias = float(np.mean(builtin.pc[cols])) if cols else 0.0
    pc = np.concatenate([np.full(len(corpora), bias), builtin.pc[cols]])
    row_index = builtin.row_index
    return (ptc, pc, [*labels, *keep], builtin.rows.ravel(), row_index, builtin.out.tolist()), n_feat


def _save(path: Path, model: Model) -> None:
    require("py3langid", "py3langid>=0.4", "lrl lid train")
    from py3langid.modelio import save_model

    ptc, pc, *rest = model
    save_model(str(path), (ptc.astype(np.float32), pc.astype(np.float32), *rest))


def train(specs: list[tuple[str, Path]], out: Path, *, with_builtin: list[str] | None = None,
          features_per_label: int = FEATURES_PER_LABEL, candidates_per_order: int = CANDIDATES_PER_ORDER,
          alpha: float = ALPHA, holdout: int = HOLDOUT, min_chars: int = MIN_CHARS) -> TrainReport:
    """Train on ``LABEL=FILE`` pairs and write a py3langid model to ``out``.

    ``with_builtin`` adds labels from py3langid's built-in model; the new labels are then learnt in that
    model's feature space (its ~100k n-grams) instead of n-grams selected from the files. A label given
    both ways is learnt from the file.

    With ``holdout`` > 1, every ``holdout``-th line of each label is first held out and scored through
    py3langid (the report's accuracy), then the model is trained on all lines.
    """
    t0 = time.perf_counter()
    if features_per_label < 1 or candidates_per_order < 1 or alpha <= 0:
        raise ConfigError("features per label and candidates per order must be >= 1 and alpha > 0")
    if out.is_dir():
        raise ConfigError(f"--out {out} is a directory; give a file name, e.g. {out / 'lid.model'}")
    builtin = None
    keep: list[str] = []
    if with_builtin:
        builtin = Builtin.load()
        unknown = [lb for lb in with_builtin if lb not in builtin.classes]
        if unknown:
            raise ConfigError(f"--with-builtin: py3langid's model has no label {', '.join(unknown)}; it knows: "
                              f"{' '.join(sorted(builtin.classes))}")
        given = {lb for lb, _ in specs}
        keep = [lb for lb in dict.fromkeys(with_builtin) if lb not in given]
    if not specs or len(specs) + len(keep) < 2:
        raise ConfigError("language ID needs at least two labels (LABEL=FILE ..., or --with-builtin), e.g. "
                          "your language and English, plus any language it is confused with")
    corpora, dropped = load_corpora(specs, min_chars)
    labels = [c.label for c in corpora]
    report = TrainReport(labels, {c.label: len(c.lines) for c in corpora},
                         {c.label: c.chars for c in corpora}, dropped_shared=dropped, builtin=keep,
                         holdout=holdout)
    for c in corpora:
        if c.chars < RECOMMENDED_CHARS:
            report.warnings.append(f"label {c.label!r} has {c.chars:,} characters of text ({c.path}); "
                                   f"{RECOMMENDED_CHARS:,}+ gives more reliable language ID")
    if "en" not in labels + keep:
        report.warnings.append("no 'en' label: the langid filter also checks the English side "
                               "(filters.langid.src_label = 'en'), so include English text "
                               "(en=english.txt or --with-builtin en)")

    def fit(lines: list[list[bytes]]) -> tuple[Model, int]:
        if builtin is not None:
            return _fit_builtin(lines, labels, builtin, keep, alpha)
        return _fit(lines, labels, features_per_label, candidates_per_order, alpha)

    if holdout > 1:
        train_lines = [[x for i, x in enumerate(c.lines) if i % holdout != holdout - 1] for c in corpora]
        held = [[x for i, x in enumerate(c.lines) if i % holdout == holdout - 1] for c in corpora]
        ident = _identifier(fit(train_lines)[0])
        t1 = time.perf_counter()
        n = 0
        for label, lines in zip(labels, held, strict=True):
            correct = 0
            for line in lines:
                got = ident.classify(line.decode("utf8"))[0]
                if got == label:
                    correct += 1
                else:
                    key = (label, str(got))
                    report.confusions[key] = report.confusions.get(key, 0) + 1
            report.heldout[label] = (correct, len(lines))
            n += len(lines)
        report.heldout_per_s = n / max(time.perf_counter() - t1, 1e-9)
    model, report.n_features = fit([c.lines for c in corpora])
    report.n_states = len(model[4])
    out.parent.mkdir(parents=True, exist_ok=True)
    _save(out, model)
    report.seconds = time.perf_counter() - t0
    return report


def _identifier(model: Model) -> Any:
    """A py3langid identifier on the model as it would load from disk (float16 weights, shared DFA rows),
    without the cost of compressing it to a file."""
    require("py3langid", "py3langid>=0.4", "lrl lid train")
    from py3langid.langid import LanguageIdentifier

    ptc, pc, classes, nextmove, row, out = model
    rows, row_index = np.unique(np.asarray(nextmove).reshape(-1, 256), axis=0, return_inverse=True)
    nm = array("I", rows.astype(np.uint32).ravel().tobytes())
    tk_row = array("I", row_index.ravel()[np.asarray(row)].astype(np.uint32).tobytes())
    return LanguageIdentifier(np.asarray(ptc, dtype=np.float16), np.asarray(pc, dtype=np.float32),
                              list(classes), nm, out, norm_probs=True, tk_row=tk_row)
