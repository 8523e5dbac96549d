"""py3langid's scoring for a batch of texts, with its byte-by-byte DFA walk done for all texts at once.

py3langid walks its Aho-Corasick automaton one byte at a time in Python (``visit_counts``): about a third
of the filter chain's time on MENYO-20k (eval/bench/profile_chain.py). Here the texts of a batch, sorted by
length, advance together: one numpy gather per byte position for every text still that long. When fewer
than ``VECTOR_MIN`` texts remain (the long tail of a batch), the rest continue with the scalar walk from
the state they reached, so one long article does not cost one numpy call per byte.

The result is bit-identical to ``LanguageIdentifier._decide``: the features are counted in first-visit
order (``collections.Counter``, as py3langid does; the order fixes the float32 sum) and scored with
py3langid's own ``_sparse_score``, then normalized by the same steps.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np

#: Below this many texts still walking, numpy's per-call cost exceeds the scalar loop's per-byte cost.
VECTOR_MIN = 16


class BatchScorer:
    """Holds the automaton as numpy arrays (built once per identifier)."""

    def __init__(self, identifier: Any) -> None:
        self.ident = identifier
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
        self._rb, self._out = identifier._rowbase, identifier.tk_output

    def __getstate__(self) -> dict[str, Any]:
        return {"ident": self.ident}  # a memoryview cannot be pickled or copied: rebuilt from the identifier

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["ident"])  # type: ignore[misc]

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
