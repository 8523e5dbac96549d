"""Deduplication: exact copies of a kept pair, and near copies that differ only in case, punctuation,
whitespace or the marks on Latin letters (a tone-stripped or re-punctuated copy of a Yoruba sentence is
the same sentence). Keeps the first occurrence; later ones are rejected naming it.

The score is the hash of each key (hex, 16 bytes of blake2b) and the row's place in the stage's input
(``seq``), so the decision can be re-made from the output's scores by grouping on the key in ``seq``
order (``lrl rescore`` does: when an earlier stage now rejects a first occurrence, its next copy is kept).
Memory is fixed-size per distinct kept pair, in flat arrays rather than a dict of Python objects
(:class:`Seen`, ~60 bytes a pair where the dict took ~300): the key digest as two 64-bit integers, the
first id's UTF-8 bytes, 8 bytes of its exact digest, and a slot of an open-addressing table (plus, with
MinHash on, one signature per long row).
"""

from __future__ import annotations

import collections
import hashlib
import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from lrl.record import Record
from lrl.step import Filter, Undecidable

DEDUP_DEFAULTS: dict[str, Any] = {"enabled": True, "near": True, "minhash": False, "minhash_threshold": 0.8,
                                  "minhash_min_chars": 200,
                                  # What a near-duplicate ignores. "fold": case, punctuation, symbols, whitespace
                                  # and marks on Latin letters (a tone-stripped Yoruba copy is the same sentence).
                                  # "letters": OpusFilter's remove_duplicates with lowercase and letters_only —
                                  # every non-letter goes (digits and combining marks too, precomposed accents
                                  # stay): for like-for-like comparisons (eval/bench/bench_speed.py).
                                  "near_key": "fold",
                                  # Exact copies (same origin, same English, same language side, byte for byte)
                                  # are rejected as they are read, before any check runs on them: a copy's fate
                                  # is its first's (the same check rejects it, or it is a duplicate of it), so
                                  # the kept rows are the same and the checks run once per distinct row. A
                                  # copy makes no synthetic rows of its own. Off: every copy is scored.
                                  "early": True}
_SPACE = re.compile(r"\s+")


def _category_class(first_letters: str) -> str:
    """A regex class of the BMP characters whose Unicode category starts with one of ``first_letters``."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x10000):
        if unicodedata.category(chr(cp))[0] in first_letters:
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(re.escape(chr(x)) + ("-" + re.escape(chr(y)) if y > x else "") for x, y in ranges)


# Marks on Latin letters (after NFD): tone marks and dots below (Yoruba), accents. In other scripts marks
# are parts of letters (a Devanagari virama), and dropping them would merge words, so they stay.
_LATIN_MARKS = re.compile(rf"(?<=[a-z\u00df-\u024f\u0250-\u02af\u1e00-\u1eff])[{_category_class('M')}]+")
_DROP = re.compile(rf"[{_category_class('PSZC')}]+")
_ASCII_DROP = re.compile(r"[\W_]+", re.ASCII)


def near_key(text: str) -> str:
    """``text`` without case, punctuation, symbols, whitespace, or combining marks on Latin letters."""
    text = text.casefold()
    if text.isascii():
        return _ASCII_DROP.sub("", text)
    # Spaces and punctuation go first: real text has marks cut off from their letter by a space.
    text = _DROP.sub("", unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", _LATIN_MARKS.sub("", text))


def letters_key(text: str) -> str:
    """OpusFilter's key with ``letters_only`` and ``lowercase``: the letters (``str.isalpha``: Unicode category
    L, as its ``[^\\p{L}]`` removal), lowercased."""
    return "".join(filter(str.isalpha, text)).lower()


_KEYS = {"fold": near_key, "letters": letters_key}


def _digest(text: str) -> bytes:
    # surrogatepass: raw input text (EarlyCopies reads rows before normalize drops them) may hold a lone
    # surrogate for an undecodable byte; text without one encodes to the same bytes either way
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class Seen:
    """key digest (16 bytes, given as 32 hex digits) → (first id, 64 bits of that row's exact digest), in flat
    arrays: per entry the key as two 64-bit integers, the exact digest's first 8 bytes and the id's UTF-8
    bytes (``array``s and a ``bytearray``, no Python object per entry), found through a linear-probing table
    of entry numbers (``array('i')``, at most half full). Keys are compared whole, so its answers are a
    dict's: only which of two different pairs with the same near key shares the first 8 bytes of its exact
    digest with the first could be mistaken (1 in 2^64), and that changes the reason's words, not the
    decision."""

    EMPTY = -1

    def __init__(self) -> None:
        self.hi, self.lo, self.exact = array("Q"), array("Q"), array("Q")
        self.ids, self.id_ends = bytearray(), array("Q")
        self.table = array("i", [self.EMPTY]) * 1024
        self.mask = len(self.table) - 1
        #: the last key looked up and its slot, so that putting it after a miss does not probe again
        self._last: tuple[str, int, int, int] = ("", 0, 0, 0)

    def __len__(self) -> int:
        return len(self.lo)

    def _find(self, key: str) -> int:
        """The entry number of ``key``, or EMPTY (its slot remembered for :meth:`put`)."""
        v = int(key[:32], 16)
        hi, lo = v >> 64, v & 0xFFFF_FFFF_FFFF_FFFF
        table, mask, los, his = self.table, self.mask, self.lo, self.hi
        h = lo & mask
        while True:
            i = table[h]
            if i == -1 or (los[i] == lo and his[i] == hi):
                self._last = (key, h, hi, lo)
                return i
            h = (h + 1) & mask

    def get(self, key: str) -> tuple[str, int] | None:
        """(first id, its exact digest's first 8 bytes as an integer) of ``key``, or None."""
        i = self._find(key)
        if i == self.EMPTY:
            return None
        start = self.id_ends[i - 1] if i else 0
        return self.ids[start:self.id_ends[i]].decode("utf-8", "surrogatepass"), self.exact[i]

    def put(self, key: str, first_id: str, exact: str) -> None:
        """``key``'s first row is ``first_id`` with the exact digest ``exact``; a key already held must be
        held for this id (dedup's decide): then only its exact digest is replaced, as a dict's item would."""
        i = self._find(key) if self._last[0] != key else self.table[self._last[1]]
        if i != self.EMPTY:
            self.exact[i] = int(exact[:16], 16)
            return
        _, slot, hi, lo = self._last
        self.table[slot] = len(self.lo)
        self.hi.append(hi)
        self.lo.append(lo)
        self.exact.append(int(exact[:16], 16))
        try:
            self.ids += first_id.encode()
        except UnicodeEncodeError:  # a lone surrogate (a file name's undecodable byte)
            self.ids += first_id.encode("utf-8", "surrogatepass")
        self.id_ends.append(len(self.ids))
        self._last = ("", 0, 0, 0)
        if 2 * len(self.lo) > len(self.table):
            self._grow()

    def _grow(self) -> None:
        """Twice the slots, every entry placed again: in order of home slot, each at its home or just after
        the one before (numpy, all at once); those that would run past the end wrap, one by one."""
        size = 2 * len(self.table)
        mask = size - 1
        home = np.frombuffer(self.lo, dtype=np.uint64) & np.uint64(mask)
        order = np.argsort(home, kind="stable")
        h = home[order].astype(np.int64)
        pos = np.arange(len(h)) + np.maximum.accumulate(h - np.arange(len(h)))
        table = np.full(size, self.EMPTY, dtype=np.int32)
        fits = pos < size
        table[pos[fits]] = order[fits]
        self.table, self.mask = array("i", table.tobytes()), mask
        for i in order[~fits].tolist():
            slot = 0
            while self.table[slot] != self.EMPTY:
                slot += 1
            self.table[slot] = i


def exact64(exact: str) -> int:
    """The first 8 bytes of an exact digest (32 hex digits) as an integer."""
    return int(exact[:16], 16)


class EarlyCopies:
    """Marks the input rows that copy an earlier input row exactly (origin, English and language side), as
    they are read and before they are cut into shards: rejected at "read" with the first copy's id, so no
    check runs on them (``filters.dedup.early``). The checks decide from a row's text alone, so the copy
    would have met its first's fate: rejected by the same check, or, when the first is kept, by dedup. Every
    rank reads the whole input in the same order (lrl/pipeline.py), so the marks do not depend on how the
    shards are spread over processes. Memory: one :class:`Seen` entry per distinct row read (~70 bytes).
    On corpora with many repeats, OpusFilter too removes duplicates before filtering (eval/bench/)."""

    def __init__(self) -> None:
        self.seen = Seen()

    def mark(self, rows: Iterable[Record]) -> Iterator[Record]:
        seen = self.seen
        for rec in rows:
            if rec.pre_rejected is None:
                key = _digest(f"{rec.origin}\0{rec.src}\0{rec.tgt}").hex()
                first = seen.get(key)
                if first is None:
                    seen.put(key, rec.id, key)
                else:
                    rec.pre_rejected = ("read", f"exact-duplicate: the same row as {first[0]}, read earlier (not "
                                                "checked again: it meets that row's fate)")
            yield rec


class Dedup(Filter):
    name = "dedup"
    decides_with = ("near", "minhash", "minhash_threshold", "minhash_min_chars", "num_perm")
    #: which near key is scored (not read by ``decide``, which compares the stored keys)
    signature_attrs = ("near_key",)
    # Every setting changes what is scored (which key, which LSH candidates): none is rescorable, but the
    # decisions are re-made in order, since what counts as a first occurrence depends on earlier stages.
    stateful = True
    #: first occurrence wins across the whole run: dedup runs once over every shard's kept rows
    scope = "run"

    def __init__(self, near: bool = True, minhash: bool = False, minhash_threshold: float = 0.8,
                 minhash_min_chars: int = 200, num_perm: int = 128, near_key: str = "fold") -> None:
        self.near, self.minhash, self.near_key = near, minhash, near_key
        self._key = _KEYS[near_key]
        self.minhash_threshold, self.minhash_min_chars, self.num_perm = minhash_threshold, minhash_min_chars, num_perm
        #: key digest → (first id, that row's exact digest)
        self.seen = Seen()
        self._lsh: Any = None
        #: MinHash hash values of the kept long rows (the LSH index keeps only band hashes)
        self._sigs: dict[str, Any] = {}
        #: the signature of the row just scored, inserted if the row is kept
        self._pending: dict[str, Any] = {}
        #: rows scored so far: each row's place in this stage's input, stored as ``seq``
        self._seq = 0
        #: (row id, :meth:`prescore` as a shard worker computed it), given in stream order before the rows
        #: arrive (a queue, not a dict by id: nothing promises two rows of a run different ids)
        self.prescored: collections.deque[tuple[str, list[str]]] = collections.deque()
        #: rebuilt from a signature (``decider``): the ids kept so far, for MinHash matches
        self._kept: set[str] | None = None
        if minhash:
            from lrl.errors import require

            require("datasketch", "datasketch", "MinHash near-duplicates (filters.dedup.minhash)")
            from datasketch import MinHashLSH

            self._lsh = MinHashLSH(threshold=minhash_threshold, num_perm=num_perm)

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Dedup:
        s = {**DEDUP_DEFAULTS, **settings}
        return cls(bool(s["near"]), bool(s["minhash"]), float(s["minhash_threshold"]), int(s["minhash_min_chars"]),
                   near_key=str(s["near_key"]))

    def prescore(self, record: Record) -> list[str]:
        """The row's keys (hex digests: exact pair, and near key when ``near``). They depend on the row alone,
        so shard workers compute them (lrl/shards.py) and the run-wide pass only looks them up."""
        exact = _digest(f"{record.src}\t{record.tgt}").hex()
        if not self.near:
            return [exact]
        return [exact, _digest(f"{self._key(record.src)}\t{self._key(record.tgt)}").hex()]

    def score(self, record: Record) -> dict[str, float | str]:
        keys = None
        while self.prescored and keys is None:  # in stream order; rows an earlier step dropped are skipped
            rid, value = self.prescored.popleft()
            keys = value if rid == record.id else None
        keys = keys or self.prescore(record)
        scores: dict[str, float | str] = {"exact": keys[0], "seq": self._seq}
        self._seq += 1
        if self.near:
            scores["key"] = keys[1]
        if self._lsh is not None and len(record.tgt) >= self.minhash_min_chars:
            m = self._signature(record.tgt)
            self._pending[record.id] = m
            best, best_id = 0.0, ""
            for other in self._lsh.query(m):
                j = float((m.hashvalues == self._sigs[other]).mean())
                if j > best:
                    best, best_id = j, other
            scores["minhash_jaccard"] = round(best, 4)
            if best_id:
                scores["minhash_match"] = best_id
        return scores

    def _signature(self, text: str) -> Any:
        from datasketch import MinHash

        toks = near_key_words(text)
        shingles = {" ".join(toks[i:i + 3]) for i in range(max(1, len(toks) - 2))}
        m = MinHash(num_perm=self.num_perm)
        m.update_batch([s.encode() for s in shingles])
        return m

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        exact = str(scores["exact"])
        key = str(scores.get("key", exact))
        first = self.seen.get(key)
        pending = self._pending.pop(record.id, None)
        if first is not None and first[0] != record.id:
            if first[1] == exact64(exact):
                return f"duplicate: same pair as {first[0]}"
            return f"near-duplicate: same as {first[0]} ignoring case, punctuation and tone marks"
        if float(scores.get("minhash_jaccard", 0.0)) >= self.minhash_threshold and "minhash_match" in scores:
            if self._kept is not None and scores["minhash_match"] not in self._kept:
                # The match was kept when this row was scored; now it is not, and the row's similarity to the
                # other kept rows was never measured.
                raise Undecidable(f"its MinHash match {scores['minhash_match']} is no longer kept")
            return (f"near-duplicate: language side ~{float(scores['minhash_jaccard']):.0%} like "
                    f"{scores['minhash_match']} (MinHash, word 3-shingles)")
        self.seen.put(key, record.id, exact)
        if self._kept is not None:
            self._kept.add(record.id)
        if pending is not None:
            self._lsh.insert(record.id, pending)
            self._sigs[record.id] = pending.hashvalues
        return None

    def restore(self) -> None:
        self.seen, self._pending, self._sigs, self._lsh, self._seq, self._kept = Seen(), {}, {}, None, 0, set()
        self.prescored = collections.deque()

    def describe(self) -> dict[str, Any]:
        return {"shingles": "word 3-grams of the language side"} if self.minhash else {}


def near_key_words(text: str) -> list[str]:
    """The words of ``text`` after the near-duplicate folding (for shingles)."""
    return [near_key(w) for w in _SPACE.split(text) if near_key(w)]
