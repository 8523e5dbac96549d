"""Seed pairs for the bootstrap translator: reading, hashing, the held-out dev slice."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterable, Sequence

from lrl.models.bootstrap.settings import Pair


def load_pairs(specs: Sequence[str], normalize: Callable[[str], str] | None = None,
               lang_names: tuple[str, ...] = (), max_rows: int = 0) -> list[Pair]:
    """Parallel pairs (English, language) from files lrl's readers understand, normalized."""
    from lrl.io.readers import ReadOptions, read_pairs

    opts = ReadOptions(tsv_quoting="csv", lang_names=lang_names, max_rows=max_rows)
    return [Pair(en, xx) for en, xx in read_pairs(specs, opts, normalize)]


def pairs_hash(pairs: Iterable[Pair]) -> str:
    h = hashlib.sha256()
    for p in pairs:
        h.update(p.en.encode())
        h.update(b"\t")
        h.update(p.lrl.encode())
        h.update(b"\n")
    return h.hexdigest()[:16]


def split_dev(pairs: list[Pair], size: int, seed: int) -> tuple[list[Pair], list[Pair]]:
    """A deterministic held-out slice; pairs whose English side appears in dev leave train too."""
    idx = list(range(len(pairs)))
    random.Random(seed).shuffle(idx)
    n = min(size, len(pairs) // 10 if len(pairs) < 10 * size else size)
    dev = [pairs[i] for i in sorted(idx[:n])]
    dev_keys = {p.en for p in dev} | {p.lrl for p in dev}
    train = [pairs[i] for i in sorted(idx[n:]) if pairs[i].en not in dev_keys and pairs[i].lrl not in dev_keys]
    return train, dev
