"""``lrl lid train``: build a langid-format language-ID model from per-language text files.

When no shipped model knows a language, a contributor supplies one text file per label (one sentence per
line, UTF-8) — the new language and the languages it must be told apart from (English at least, since the
langid filter checks the English side too) — and points the plugin at the result with
``[langid] model = "lid.model"``. The file loads with py3langid's ``LanguageIdentifier.from_modelpath``.

The method is langid.py's (Lui & Baldwin 2012), re-implemented compactly with numpy because the stock
langid 1.1.6 trainer is Python 2 code:

1. Text is prepared exactly as py3langid prepares it at inference (NFC; an all-uppercase line is
   lowercased; UTF-8 bytes). Lines are deduplicated per label; a line found under two labels is dropped.
2. Candidates: byte n-grams of orders 1–4 (never across a line end), the ``candidates_per_order`` most
   frequent by document frequency (a line is a document) of each order in each label (langid.py's DF
   selection, done per label so a small label is not crowded out).
3. Selection: information gain of n-gram presence, binarized one label against the rest; the top
   ``features_per_label`` of each label are kept (langid.py's LD selection without domains, since a
   contributor's files carry no domain labels).
4. An Aho-Corasick automaton over the selected n-grams, as a full 256-way DFA. py3langid emits one
   feature per DFA state, so a state where several n-grams end (``abcd`` ends ``bcd``, ``cd``, ``d`` too)
   gets one combined feature for that set of n-grams. Rather than summing per-n-gram weights, the naive
   Bayes weights are learnt for the combined features directly, from counts taken by the same automaton:
   py3langid scores ``log1p(count) @ nb_ptc``, which is not additive over the n-grams of a state, so
   training on exactly what inference sees is the consistent choice.
5. Multinomial naive Bayes on ``log1p`` of per-line feature counts (inference's transform), additive
   smoothing ``alpha``, uniform class priors (the amount of text a contributor found says nothing about
   how often each language turns up in their data).

``--with-builtin en,ig`` instead keeps those labels' columns from py3langid's built-in model and learns
the new labels in that model's feature space (its DFA, ~100k n-grams; steps 2–4 are skipped): naive Bayes
scores are only comparable over one feature set, and the built-in model's training text is not shipped.
Its class biases are not log priors, so new labels get their mean.

Every step is deterministic (sorted ties, no sampling), so the same files give the same model bytes.
By default every ``holdout``-th line is held out first, a model is trained on the rest and scored on it
through py3langid itself, and the reported accuracy is that; then the model is trained on all the text.
"""

from __future__ import annotations

import functools
import time
import unicodedata
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lrl.errors import ConfigError, InputError, require

MAX_ORDER = 4
#: A label needs at least this many characters of distinct text (about 100 sentences); fewer gives a
#: model that guesses. Aim for 100,000+ (about 1,000 sentences) for >95% accuracy on sentences.
MIN_CHARS = 10_000
RECOMMENDED_CHARS = 100_000
FEATURES_PER_LABEL = 1000
CANDIDATES_PER_ORDER = 5000
ALPHA = 0.1
HOLDOUT = 10


@dataclass
class Corpus:
    """One label's text: distinct lines as py3langid's UTF-8 bytes, with where each came from."""

    label: str
    path: Path
    lines: list[bytes]
    chars: int


@dataclass
class TrainReport:
    labels: list[str]
    lines: dict[str, int]
    chars: dict[str, int]
    n_features: int = 0
    n_states: int = 0
    dropped_shared: int = 0
    #: labels taken from py3langid's built-in model
    builtin: list[str] = field(default_factory=list)
    #: label → (correct, total) on held-out lines; empty when holdout is off
    heldout: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: (true label, predicted label) → count of held-out errors
    confusions: dict[tuple[str, str], int] = field(default_factory=dict)
    heldout_per_s: float = 0.0
    holdout: int = HOLDOUT
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        sizes = (f"{lb} ({self.lines[lb]:,} lines, {self.chars[lb]:,} chars)" for lb in self.labels)
        out = [f"labels: {', '.join(sizes)}"]
        if self.builtin:
            out.append(f"from py3langid's built-in model: {', '.join(self.builtin)} (its feature space)")
        if self.dropped_shared:
            out.append(f"dropped {self.dropped_shared:,} lines found under more than one label")
        out.append(f"model: {self.n_features:,} features, {self.n_states:,} DFA states; "
                   f"trained in {self.seconds:.1f} s")
        if self.heldout:
            acc = ", ".join(f"{lb} {c / t:.1%} ({c}/{t})" for lb, (c, t) in self.heldout.items())
            out.append(f"held-out accuracy (every {self.holdout}th line, model trained on the rest): {acc}; "
                       f"{self.heldout_per_s:,.0f} lines/s")
            if self.confusions:
                top = sorted(self.confusions.items(), key=lambda kv: (-kv[1], kv[0]))[:6]
                out.append("  most frequent errors: " + ", ".join(f"{a}→{b} {n}" for (a, b), n in top))
        out.extend(f"warning: {w}" for w in self.warnings)
        return out


# ---------------------------------------------------------------------------------------------- input

def encode(text: str) -> bytes:
    """Text as py3langid 0.4 sees it (``LanguageIdentifier._encode``): all-uppercase lowered, NFC, UTF-8."""
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")


def parse_spec(spec: str) -> tuple[str, Path]:
    """``LABEL=FILE`` → (label, path)."""
    label, sep, path = spec.partition("=")
    label = label.strip()
    if not sep or not label or not path:
        raise ConfigError(f"{spec!r}: expected LABEL=FILE, e.g. xx=my_language.txt en=english.txt")
    if any(c.isspace() for c in label):
        raise ConfigError(f"{spec!r}: the label {label!r} contains whitespace")
    return label, Path(path)


def read_corpus(label: str, path: Path) -> Corpus:
    """Distinct non-blank lines of a UTF-8 file (a BOM at the start of a line is dropped)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, None, "not found", f"give an existing file for label {label!r}") from None
    except IsADirectoryError:
        raise InputError(path, None, "is a directory", "give a text file, one sentence per line") from None
    seen: set[bytes] = set()
    lines: list[bytes] = []
    chars = 0
    for i, raw in enumerate(data.split(b"\n"), 1):
        try:
            text = raw.decode("utf8")
        except UnicodeDecodeError as exc:
            raise InputError(path, i, f"not valid UTF-8 (byte {exc.start + 1} of the line: "
                             f"{raw[exc.start:exc.start + 4]!r})",
                             "convert the file to UTF-8, e.g. iconv -f LATIN1 -t UTF-8") from None
        text = text.strip().lstrip("\ufeff").strip()
        if not text:
            continue
        b = encode(text)
        if b not in seen:
            seen.add(b)
            lines.append(b)
            chars += len(text)
    return Corpus(label, path, lines, chars)


def load_corpora(specs: list[tuple[str, Path]], min_chars: int = MIN_CHARS) -> tuple[list[Corpus], int]:
    """Read every file; drop lines that occur under more than one label; check there is enough text."""
    labels = [lb for lb, _ in specs]
    dupes = sorted({lb for lb in labels if labels.count(lb) > 1})
    if dupes:
        raise ConfigError(f"label(s) given twice: {', '.join(dupes)} — concatenate the files first")
    corpora = [read_corpus(lb, p) for lb, p in specs]
    owners: dict[bytes, int] = {}
    for c in corpora:
        for line in c.lines:
            owners[line] = owners.get(line, 0) + 1
    dropped = 0
    for c in corpora:
        keep = [line for line in c.lines if owners[line] == 1]
        dropped += len(c.lines) - len(keep)
        if len(keep) != len(c.lines):
            c.lines = keep
            c.chars = sum(len(line.decode("utf8")) for line in keep)
    for c in corpora:
        if c.chars < min_chars:
            raise InputError(c.path, None, f"label {c.label!r} has only {c.chars:,} characters of distinct "
                             f"text ({len(c.lines):,} lines)",
                             f"language ID needs at least {min_chars:,} characters (about "
                             f"{min_chars // 100:,} sentences) per label, and {RECOMMENDED_CHARS:,}+ for "
                             "reliable results")
    return corpora, dropped


# ------------------------------------------------------------------------------------------- n-grams

@dataclass
class _Packed:
    """A label's lines as one byte buffer: ``buf``, the line of each byte, the start of that line."""

    buf: np.ndarray
    line: np.ndarray
    start: np.ndarray
    n_lines: int

    @classmethod
    def of(cls, lines: list[bytes]) -> _Packed:
        lens = np.fromiter((len(x) for x in lines), dtype=np.int64, count=len(lines))
        buf = np.frombuffer(b"".join(lines), dtype=np.uint8)
        line = np.repeat(np.arange(len(lines), dtype=np.int64), lens)
        starts = np.concatenate(([0], np.cumsum(lens)[:-1])) if len(lines) else np.zeros(0, np.int64)
        return cls(buf, line, np.repeat(starts, lens), len(lines))

    def ngram_keys(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(line, key) for every n-gram inside a line; key = n << 32 | bytes as a big-endian integer."""
        pos = np.arange(len(self.buf), dtype=np.int64)
        ok = pos - self.start >= n - 1
        end = pos[ok]
        code = np.zeros(len(end), dtype=np.uint64)
        for k in range(n - 1, -1, -1):  # first byte most significant, so keys sort like the bytes
            code = (code << np.uint64(8)) | self.buf[end - k].astype(np.uint64)
        return self.line[ok], code | np.uint64(n << 32)


def _key_bytes(key: int) -> bytes:
    n = key >> 32
    return (key & 0xFFFFFFFF).to_bytes(4, "big")[4 - n:]


def _document_frequency(p: _Packed, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct n-gram keys of order n and the number of lines each occurs in."""
    line, key = p.ngram_keys(n)
    pair = _sorted_unique((line.astype(np.uint64) << np.uint64(35)) | key)[0]
    return _sorted_unique(pair & np.uint64((1 << 35) - 1))


def _sorted_unique(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(x, return_counts=True)`` by sorting (numpy 2's hash-based unique is slower here)."""
    x = np.sort(x)
    if not len(x):
        return x, np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.concatenate(([True], x[1:] != x[:-1])))
    return x[first], np.diff(np.append(first, len(x)))


def _entropy2(pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    tot = pos + neg
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.zeros(np.broadcast(pos, neg).shape)
        for x in (pos, neg):
            p = np.where(tot > 0, x / np.where(tot > 0, tot, 1), 0.0)
            h -= np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0.0)
    return h


def select_features(packed: list[_Packed], features_per_label: int = FEATURES_PER_LABEL,
                    candidates_per_order: int = CANDIDATES_PER_ORDER) -> list[bytes]:
    """DF candidates per label and order, then the top features of each label by binarized IG."""
    dfs = [[_document_frequency(p, n) for n in range(1, MAX_ORDER + 1)] for p in packed]
    cand: set[int] = set()
    for per_order in dfs:
        for keys, df in per_order:
            top = np.lexsort((keys, -df))[:candidates_per_order]  # by DF, ties by bytes
            cand.update(keys[top].tolist())
    cands = np.array(sorted(cand), dtype=np.uint64)
    # DF of every candidate in every label: features × labels
    df_all = np.zeros((len(cands), len(packed)), dtype=np.float64)
    for j, per_order in enumerate(dfs):
        keys = np.concatenate([k for k, _ in per_order])
        df = np.concatenate([d for _, d in per_order])  # orders are disjoint key ranges, so sorted
        idx = np.searchsorted(keys, cands).clip(max=len(keys) - 1)
        df_all[:, j] = np.where(keys[idx] == cands, df[idx], 0)
    docs = np.array([p.n_lines for p in packed], dtype=np.float64)
    n_docs = docs.sum()
    present = df_all.sum(axis=1)
    absent = n_docs - present
    selected: set[int] = set()
    for j in range(len(packed)):
        # IG of "feature present" about "label j or not" (langid.py's binarized IG)
        prior = _entropy2(np.array(docs[j]), np.array(n_docs - docs[j]))
        h_present = _entropy2(df_all[:, j], present - df_all[:, j])
        h_absent = _entropy2(docs[j] - df_all[:, j], absent - (docs[j] - df_all[:, j]))
        ig = prior - (present * h_present + absent * h_absent) / n_docs
        order = np.lexsort((cands, -np.round(ig, 12)))[:features_per_label]
        selected.update(cands[order].tolist())
    return [_key_bytes(k) for k in sorted(selected)]


# ------------------------------------------------------------------------------------------ automaton

@dataclass
class Automaton:
    """Aho-Corasick DFA over byte n-grams: ``delta[state, byte]``, and per state the index of its
    (combined) output feature or -1; ``outputs[f]`` is the n-grams feature f stands for."""

    delta: np.ndarray
    out: np.ndarray
    outputs: list[tuple[bytes, ...]]
    prefixes: list[bytes]

    @classmethod
    def build(cls, patterns: list[bytes]) -> Automaton:
        prefix_set = {p[:i] for p in patterns for i in range(len(p) + 1)}
        prefixes = sorted(prefix_set, key=lambda s: (len(s), s))  # BFS order: state 0 = b""
        sid = {p: i for i, p in enumerate(prefixes)}
        fail = np.zeros(len(prefixes), dtype=np.int64)
        for i, p in enumerate(prefixes):
            for k in range(1, len(p)):
                if p[k:] in sid:
                    fail[i] = sid[p[k:]]
                    break
        delta = np.zeros((len(prefixes), 256), dtype=np.int64)
        pattern_set = set(patterns)
        outsets: list[tuple[bytes, ...]] = []
        for i, p in enumerate(prefixes):
            if i:
                delta[i] = delta[fail[i]]
            for b in range(256):
                child = sid.get(p + bytes((b,)))
                if child is not None:
                    delta[i, b] = child
            inherited = outsets[fail[i]] if i else ()
            outsets.append(((p,) if p in pattern_set else ()) + inherited)
        index: dict[tuple[bytes, ...], int] = {}
        out = np.full(len(prefixes), -1, dtype=np.int64)
        for i, s in enumerate(outsets):
            if s:
                out[i] = index.setdefault(s, len(index))
        return cls(delta, out, list(index), prefixes)

    def feature_counts(self, p: _Packed) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(line, feature, count) of the features py3langid's DFA walk emits on each line."""
        return _count_features(self.delta, None, self.out, MAX_ORDER, len(self.outputs), p)


def _count_features(rows: np.ndarray, row_index: np.ndarray | None, out: np.ndarray, depth: int,
                    n_feat: int, p: _Packed) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(line, feature, count) of the features a py3langid DFA (``rows[row_index[state], byte]``) emits.

    The state after a byte depends only on the last ``depth`` bytes (no state is deeper: it is the
    longest suffix read that is a prefix of some n-gram), so every position's state is found by walking
    its window of ``depth`` bytes, all positions at once.
    """
    pos = np.arange(len(p.buf), dtype=np.int64)
    state = np.zeros(len(pos), dtype=np.int64)
    for k in range(depth - 1, -1, -1):
        j = pos - k
        ok = j >= p.start
        row = state if row_index is None else row_index[state]
        state = np.where(ok, rows[row, p.buf[np.where(ok, j, 0)]], state)
    feat = out[state]
    hit = feat >= 0
    n_feat = max(n_feat, 1)
    pair, count = _sorted_unique(p.line[hit] * n_feat + feat[hit])
    return pair // n_feat, pair % n_feat, count


# ------------------------------------------------------------------------------------------ training

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
