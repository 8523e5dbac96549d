"""py3langid's scoring for a batch of texts, with its byte-by-byte DFA walk done for all texts at once.

py3langid walks its Aho-Corasick automaton one byte at a time in Python (``visit_counts``): about a third
of the filter chain's time on MENYO-20k (eval/bench/profile_chain.py). Here the texts of a batch, sorted by
length, advance together: one numpy gather per byte position for every text still that long. When fewer
than ``VECTOR_MIN`` texts remain (the long tail of a batch), the rest continue with the scalar walk from
the state they reached, so one long article does not cost one numpy call per byte.

The result is bit-identical to ``LanguageIdentifier._decide``: the features are counted in first-visit
order (``collections.Counter``, as py3langid does; the order fixes the float32 sum) and scored with
py3langid's own ``_sparse_score``, then normalized by the same steps.

When the optional C extension is built (``lrl/filters/_lidwalk.c``, loaded with ctypes by :func:`native`),
the walk, the counting and the product ``log1p(counts) @ nb_ptc[features]`` run in C for the whole batch
in one call, and the rest (``+ nb_pc``, temperature, softmax, aliases) runs in numpy over the batch's score
matrix. The product is handed to numpy's own BLAS function (``cblas_sgemv``, found by :func:`numpy_sgemv`
and checked against numpy's matmul once per process) with the same arguments numpy's matmul gives it, so
the scores stay bit-identical to py3langid's; where that function cannot be found the C code sums in
first-visit order itself, which differs from BLAS by float32 rounding only (< 4e-6 in probability on
the tests' texts, same labels; tests/filters/test_fast_paths.py). ``BatchScorer(identifier,
use_native=False)`` keeps the numpy walk.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import math
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

#: Below this many texts still walking, numpy's per-call cost exceeds the scalar loop's per-byte cost.
VECTOR_MIN = 16
#: counts below this take log1p from a table made by numpy (its float32 log1p, as py3langid's); larger
#: ones use C's log1pf
LOG1P_TABLE = 1 << 16

_P, _I32, _I64 = ctypes.c_void_p, ctypes.c_int32, ctypes.c_int64


@functools.cache
def native() -> Any | None:
    """``lid_scores`` from the C extension ``lrl.filters._lidwalk`` through ctypes, or None when it is not
    built (no compiler at install time): then the numpy walk scores the same decisions."""
    try:
        spec = importlib.util.find_spec("lrl.filters._lidwalk")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not Path(spec.origin).is_file():
        return None
    try:
        fn = ctypes.CDLL(spec.origin).lid_scores
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_char_p, _P, _I64, _P, ctypes.c_uint64, _P, ctypes.c_uint64, _P, _I32, _P, _P, _I64, _I64,
                   _I64, _P, _I32, _P, _P]
    fn.restype = _I64
    return fn


def _blas_libraries() -> list[Path]:
    """Where numpy's BLAS may be: the wheels' bundled copy (numpy.libs, numpy/.dylibs), or on Linux any
    loaded library named like a BLAS."""
    root = Path(np.__file__).parent
    found = [p for d in (root.parent / "numpy.libs", root / ".dylibs") if d.is_dir()
             for p in sorted(d.iterdir()) if "blas" in p.name.lower()]
    if sys.platform.startswith("linux"):
        try:
            maps = Path("/proc/self/maps").read_text().splitlines()
        except OSError:
            maps = []
        found += [Path(p) for p in dict.fromkeys(line.split()[-1] for line in maps if "blas" in line.lower())
                  if p.startswith("/")]
    return found


_SGEMV_NAMES = (("scipy_cblas_sgemv64_", True), ("cblas_sgemv64_", True), ("scipy_cblas_sgemv", False),
                ("cblas_sgemv", False))


@functools.cache
def numpy_sgemv() -> tuple[int, bool] | None:
    """(address, 64-bit integers) of the ``cblas_sgemv`` numpy's matmul calls for ``vector @ matrix``, or
    None. A candidate is used only when it gives numpy's matmul bit for bit on a probe (several feature
    counts, float16 rows as py3langid's), so another BLAS, or none, means the C code's own sum."""
    rng = np.random.default_rng(11)
    probes = []
    for k in (2, 3, 9, 70, 300):
        table = (rng.standard_normal((k, 142)) * 4).astype(np.float16)
        x = np.log1p(rng.integers(1, 9, k).astype(np.float32))
        probes.append((x, np.ascontiguousarray(table, dtype=np.float32), x @ table))
    for path in _blas_libraries():
        try:
            lib = ctypes.CDLL(str(path))
        except OSError:
            continue
        for name, ilp64 in _SGEMV_NAMES:
            try:
                addr = ctypes.cast(getattr(lib, name), ctypes.c_void_p).value
            except AttributeError:
                continue
            if not addr:
                continue
            integer = ctypes.c_int64 if ilp64 else ctypes.c_int32
            f = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_int, integer, integer, ctypes.c_float, _P, integer,
                                 _P, integer, ctypes.c_float, _P, integer)(addr)
            ok = True
            for x, rows, want in probes:
                got = np.empty(rows.shape[1], dtype=np.float32)
                f(101, 112, rows.shape[0], rows.shape[1], 1.0, rows.ctypes.data, rows.shape[1], x.ctypes.data, 1,
                  0.0, got.ctypes.data, 1)
                ok = ok and np.array_equal(got, want)
            if ok:
                return addr, ilp64
    return None


class BatchScorer:
    """Holds the automaton as numpy arrays (built once per identifier)."""

    def __init__(self, identifier: Any, use_native: bool = True) -> None:
        self.ident = identifier
        self.use_native = use_native
        # The transition table (~10M entries, an array.array) is viewed, not copied: a copy, or worse a list
        # of Python ints, would cost hundreds of MiB.
        nm = identifier.tk_nextmove
        self.nextmove = np.frombuffer(memoryview(nm), dtype=np.dtype(nm.typecode)) if hasattr(nm, "typecode") \
            else np.asarray(nm)
        self.rowbase = np.asarray(identifier._rowbase, dtype=np.int64)
        self.output = np.asarray(identifier.tk_output, dtype=np.int64)
        # the scalar tail walks py3langid's own containers, as its visit_counts does; a memory-mapped table
        # (lrl/filters/lid_model.py) through a memoryview, whose items are Python ints (numpy's are slow)
        self._nm: Any = nm
        if isinstance(nm, np.ndarray):
            code: Any = self.nextmove.dtype.char
            self._nm = memoryview(self.nextmove.data).cast("B").cast(code)
        self._kernel = native() if use_native else None
        if self._kernel is not None:
            self._prepare_native()
        # lists for the scalar walk (Python ints index and add faster than numpy scalars); an identifier from
        # lrl/filters/lid_model.py holds arrays, listed here only when the C kernel is not there to use them
        self._rb, self._out = identifier._rowbase, identifier.tk_output
        if self._kernel is None:
            self._rb, self._out = (x.tolist() if isinstance(x, np.ndarray) else x for x in (self._rb, self._out))

    def _prepare_native(self) -> None:
        """The C kernel's tables: the transition table as uint32 (viewed when it already is), each state's
        row base and output feature side by side (one cache line per step), and lookup tables."""
        nm = self.nextmove
        if nm.dtype != np.uint32:
            if nm.size and (int(nm.min()) < 0 or int(nm.max()) > np.iinfo(np.uint32).max):
                self._kernel = None
                return
            nm = nm.astype(np.uint32)
        self._nm32 = np.ascontiguousarray(nm)
        rb, out = self.rowbase, self.output
        if len(rb) != len(out) or (rb.size and int(rb.max()) + 256 > np.iinfo(np.int32).max):
            self._kernel = None
            return
        self._states = np.ascontiguousarray(np.stack([rb, out], axis=1), dtype=np.int32)
        self._f16 = np.arange(1 << 16, dtype=np.uint16).view(np.float16).astype(np.float32)
        self._log1p = np.log1p(np.arange(LOG1P_TABLE, dtype=np.float32))
        found = numpy_sgemv()
        self._sgemv: int | None = found[0] if found else None
        self._ilp64 = bool(found and found[1])

    def __getstate__(self) -> dict[str, Any]:
        # a memoryview cannot be pickled or copied: rebuilt from the identifier
        return {"ident": self.ident, "use_native": self.use_native}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["ident"], state.get("use_native", True))  # type: ignore[misc]

    @property
    def is_native(self) -> bool:
        """Whether the C kernel scores (the extension is built and the model's tables fit it)."""
        return self._kernel is not None

    def visits(self, encoded: list[bytes]) -> list[Counter[int] | None]:
        """Per text, feature → count in first-visit order (None when no feature fires)."""
        n = len(encoded)
        order = sorted(range(n), key=lambda i: -len(encoded[i]))
        lens = np.array([len(encoded[i]) for i in order], dtype=np.int64)
        # bytes walked together: up to the length of the VECTOR_MIN-th longest text
        width = int(lens[VECTOR_MIN - 1]) if n >= VECTOR_MIN else 0
        feats = np.full((n, width), -1, dtype=np.int64)
        states = np.zeros(n, dtype=np.int64)
        if width:
            grid = np.zeros((n, width), dtype=np.int64)
            for row, i in enumerate(order):
                b = encoded[i][:width]
                grid[row, :len(b)] = np.frombuffer(b, dtype=np.uint8)
            active = n
            for t in range(width):
                while active and lens[active - 1] <= t:
                    active -= 1
                s = self.nextmove[self.rowbase[states[:active]] + grid[:active, t]]
                states[:active] = s
                feats[:active, t] = self.output[s]
        out: list[Counter[int] | None] = [None] * n
        nm, rb, op = self._nm, self._rb, self._out
        for row, i in enumerate(order):
            seq = feats[row]
            found = seq[seq >= 0].tolist()
            if lens[row] > width:  # the tail: scalar walk from the state reached
                state = int(states[row])
                for letter in encoded[i][width:]:
                    state = nm[rb[state] + letter]
                    f = op[state]
                    if f >= 0:
                        found.append(f)
            out[i] = Counter(found) if found else None
        return out

    def decide(self, texts: list[str]) -> list[np.ndarray]:
        """``LanguageIdentifier._decide`` for each text (normalized probabilities when the identifier
        was loaded with ``norm_probs``)."""
        if self._kernel is not None:
            return list(self.scores(texts))
        return self._decide_numpy(texts)

    def scores(self, texts: list[str]) -> np.ndarray:
        """``decide`` as one [texts, classes] float32 matrix."""
        if self._kernel is None:
            rows = self._decide_numpy(texts)
            return np.stack(rows) if rows else np.empty((0, len(self.ident.nb_classes)), dtype=np.float32)
        ident = self.ident
        ptc = ident.nb_ptc  # read per call, as py3langid does: set_languages replaces it
        if not (isinstance(ptc, np.ndarray) and ptc.ndim == 2 and ptc.flags.c_contiguous
                and ptc.dtype in (np.float16, np.float32) and ptc.shape[1] >= 2):
            return np.stack(self._decide_numpy(texts)) if texts else np.empty((0, ptc.shape[1]), np.float32)
        encoded = [ident._encode(t) for t in texts]
        n, n_langs = len(encoded), ptc.shape[1]
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=n), out=offsets[1:])
        scores = np.empty((n, n_langs), dtype=np.float32)
        distinct = np.empty(n, dtype=np.int32)
        rc = self._kernel(b"".join(encoded), offsets.ctypes.data, n, self._nm32.ctypes.data, self._nm32.size,
                          self._states.ctypes.data, len(self._states), ptc.ctypes.data, int(ptc.dtype == np.float16),
                          self._f16.ctypes.data, self._log1p.ctypes.data, LOG1P_TABLE, ptc.shape[0], n_langs,
                          self._sgemv, int(self._ilp64), scores.ctypes.data, distinct.ctypes.data)
        if rc:
            raise RuntimeError(f"lrl.filters._lidwalk.lid_scores failed ({rc}: -1 out of memory, -2 a feature "
                               "outside the model, -4 a transition outside the model's tables)")
        floor = float(np.finfo(np.float32).min)
        featureless = (distinct == 0)[:, None]
        np.add(scores, ident.nb_pc, out=scores, where=~featureless)
        if ident._norm_probs:
            scores *= np.array([1.0 / math.sqrt(len(b) or 1) for b in encoded], dtype=np.float32)[:, None]
            np.exp(scores - scores.max(axis=1, keepdims=True), out=scores)
            scores /= scores.sum(axis=1, keepdims=True)
        else:
            scores[np.broadcast_to(featureless, scores.shape)] = floor
        for i, j in ident._alias_pairs:
            if ident._norm_probs:
                scores[:, i] += scores[:, j]
                scores[:, j] = 0.0
            else:
                np.maximum(scores[:, i], scores[:, j], out=scores[:, i])
                scores[:, j] = floor
        return scores

    def _decide_numpy(self, texts: list[str]) -> list[np.ndarray]:
        ident = self.ident
        encoded = [ident._encode(t) for t in texts]
        results = []
        for text, visits in zip(encoded, self.visits(encoded), strict=True):
            if visits:
                scores = ident._sparse_score(visits, ident.nb_ptc)
            else:
                scores = np.full(len(ident.nb_classes), 0.0 if ident._norm_probs else float(np.finfo(np.float32).min),
                                 dtype=np.float32)
            if ident._norm_probs:
                scores *= 1.0 / math.sqrt(len(text) or 1)
                np.exp(scores - scores.max(), out=scores)
                scores /= scores.sum()
            for i, j in ident._alias_pairs:
                if ident._norm_probs:
                    scores[i] += scores[j]
                    scores[j] = 0.0
                else:
                    scores[i] = max(scores[i], scores[j])
                    scores[j] = float(np.finfo(np.float32).min)
            results.append(scores)
        return results
