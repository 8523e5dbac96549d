"""Exact deduplication on the normalized pair. Keeps the first occurrence; later ones are rejected naming
it. Memory is one 16-byte digest (plus the first id) per distinct pair, not the text."""

from __future__ import annotations

import hashlib

from lrl.record import Record
from lrl.step import Filter


class Dedup(Filter):
    name = "dedup"

    def __init__(self) -> None:
        self.seen: dict[bytes, str] = {}

    def score(self, record: Record) -> dict[str, float | str]:
        return {}

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        key = hashlib.blake2b(f"{record.src}\t{record.tgt}".encode(), digest_size=16).digest()
        first = self.seen.setdefault(key, record.id)
        if first != record.id:
            return f"duplicate: same pair as {first}"
        return None
