"""Test-set decontamination: reject any row whose English or LRL side occurs in a held-out test set.

Sides are compared after normalization, case folding and removal of punctuation and spacing, so
"Good morning!" matches "good morning". With ``ngram > 0`` a row is also rejected when it shares any
word n-gram of that length with a test sentence (13 is the usual choice for long-overlap checks).
Memory: one 8-byte hash per test sentence side (and per test n-gram).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lrl.filters.normalize import Normalize
from lrl.io.readers import InputStats, ReadOptions, expand, read
from lrl.record import Record
from lrl.step import Filter

_NON_WORD = re.compile(r"[\W_]+")


def _h(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


class Decontaminate(Filter):
    name = "decontaminate"
    decides_with = ("ngram",)  # named in the reason; it is a scoring setting, so not rescorable

    def __init__(self, test_specs: Iterable[str], normalizer: Normalize, opts: ReadOptions,
                 ngram: int = 0) -> None:
        self.normalizer, self.ngram = normalizer, ngram
        self.specs = expand(test_specs)
        self.sides: set[int] = set()
        self.grams: set[int] = set()
        self.test_rows = 0
        for spec in self.specs:
            # Parallel test sets (TSV, JSONL, EN,LRL) give both sides; a plain text file gives one.
            parallel = "," in spec or Path(spec).suffix.lower() in (".tsv", ".jsonl", ".ndjson") or Path(spec).is_dir()
            for rec in read(spec, opts, parallel, InputStats()):
                self.test_rows += 1
                for side in (rec.src, rec.tgt):
                    key = self.key(side)
                    if key:
                        self.sides.add(_h(key))
                        self.grams.update(self._grams(key))

    def key(self, text: str) -> str:
        return _NON_WORD.sub(" ", self.normalizer.text(text).casefold()).strip()

    def _grams(self, key: str) -> set[int]:
        if self.ngram <= 0:
            return set()
        words = key.split()
        return {_h(" ".join(words[i:i + self.ngram])) for i in range(len(words) - self.ngram + 1)}

    def in_test(self, text: str) -> bool:
        """Whether ``text`` (either side of a row) is in the test set, or shares an n-gram with it."""
        key = self.key(text)
        return bool(key) and (_h(key) in self.sides or bool(self.ngram and self._grams(key) & self.grams))

    def score(self, record: Record) -> dict[str, float | str]:
        out: dict[str, float | str] = {}
        for side, text in (("src", record.src), ("tgt", record.tgt)):
            key = self.key(text)
            if not key:
                continue
            if _h(key) in self.sides:
                out[f"{side}_in_test"] = 1.0
            elif self.ngram and self._grams(key) & self.grams:
                out[f"{side}_ngram_in_test"] = 1.0
        return out

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        for side in ("tgt", "src"):
            if scores.get(f"{side}_in_test"):
                return f"in-test-set: the {side} side occurs in the excluded test data"
            if scores.get(f"{side}_ngram_in_test"):
                return f"test-ngram: the {side} side shares a {self.ngram}-gram with the excluded test data"
        return None

    def describe(self) -> dict[str, Any]:
        return {"exclude": self.specs, "test_rows": self.test_rows}
