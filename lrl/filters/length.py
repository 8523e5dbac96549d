"""Length limits per side and the length ratio of a pair (characters, which works for every script)."""

from __future__ import annotations

from typing import Any

from lrl.record import Record
from lrl.step import Filter


class Length(Filter):
    name = "length"

    def __init__(self, min_chars: int, max_chars: int, max_ratio: float, ratio_min_chars: int) -> None:
        self.min_chars, self.max_chars = min_chars, max_chars
        self.max_ratio, self.ratio_min_chars = max_ratio, ratio_min_chars

    def score(self, record: Record) -> dict[str, float | str]:
        s, t = len(record.src), len(record.tgt)
        out: dict[str, float | str] = {"src_chars": s, "tgt_chars": t}
        if s and t:
            out["ratio"] = round(max(s, t) / min(s, t), 4)
        return out

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        for side, n in (("src", len(record.src)), ("tgt", len(record.tgt))):
            if n == 0:
                continue  # monolingual row: only one side
            if n < self.min_chars:
                return f"too-short: {side} has {n} characters (< {self.min_chars})"
            if n > self.max_chars:
                return f"too-long: {side} has {n} characters (> {self.max_chars})"
        ratio = scores.get("ratio")
        if isinstance(ratio, float) and min(len(record.src), len(record.tgt)) >= self.ratio_min_chars \
                and ratio > self.max_ratio:
            return f"length-ratio: {ratio:.2f} > {self.max_ratio}"
        return None

    def signature(self) -> dict[str, Any]:
        return {"min_chars": self.min_chars, "max_chars": self.max_chars,
                "max_ratio": self.max_ratio, "ratio_min_chars": self.ratio_min_chars}
