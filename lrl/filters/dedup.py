"""Deduplication: exact copies of a kept pair, and near copies that differ only in case, punctuation,
whitespace or the marks on Latin letters (a tone-stripped or re-punctuated copy of a Yoruba sentence is
the same sentence). Keeps the first occurrence; later ones are rejected naming it.

The score is the hash of each key (hex, 16 bytes of blake2b) and the row's place in the stage's input
(``seq``), so the decision can be re-made from the output's scores by grouping on the key in ``seq``
order (``lrl rescore`` does: when an earlier stage now rejects a first occurrence, its next copy is kept).
Memory is fixed-size per distinct kept pair: one 16-byte digest, the first id and its exact digest (plus,
with MinHash on, one signature per long row).
"""

from __future__ import annotations

import collections
import hashlib
import re
import unicodedata
from typing import Any

from lrl.record import Record
from lrl.step import Filter, Undecidable

DEDUP_DEFAULTS: dict[str, Any] = {"enabled": True, "near": True, "minhash": False, "minhash_threshold": 0.8,
                                  "minhash_min_chars": 200,
                                  # What a near-duplicate ignores. "fold": case, punctuation, symbols, whitespace
                                  # and marks on Latin letters (a tone-stripped Yoruba copy is the same sentence).
                                  # "letters": OpusFilter's remove_duplicates with lowercase and letters_only —
                                  # every non-letter goes (digits and combining marks too, precomposed accents
                                  # stay): for like-for-like comparisons (eval/bench/bench_speed.py).
                                  "near_key": "fold"}
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
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


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
        self.seen: dict[bytes, tuple[str, bytes]] = {}
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
        exact = bytes.fromhex(str(scores["exact"]))
        key = bytes.fromhex(str(scores.get("key", scores["exact"])))
        first = self.seen.get(key)
        pending = self._pending.pop(record.id, None)
        if first is not None and first[0] != record.id:
            if first[1] == exact:
                return f"duplicate: same pair as {first[0]}"
            return f"near-duplicate: same as {first[0]} ignoring case, punctuation and tone marks"
        if float(scores.get("minhash_jaccard", 0.0)) >= self.minhash_threshold and "minhash_match" in scores:
            if self._kept is not None and scores["minhash_match"] not in self._kept:
                # The match was kept when this row was scored; now it is not, and the row's similarity to the
                # other kept rows was never measured.
                raise Undecidable(f"its MinHash match {scores['minhash_match']} is no longer kept")
            return (f"near-duplicate: language side ~{float(scores['minhash_jaccard']):.0%} like "
                    f"{scores['minhash_match']} (MinHash, word 3-shingles)")
        self.seen[key] = (record.id, exact)
        if self._kept is not None:
            self._kept.add(record.id)
        if pending is not None:
            self._lsh.insert(record.id, pending)
            self._sigs[record.id] = pending.hashvalues
        return None

    def restore(self) -> None:
        self.seen, self._pending, self._sigs, self._lsh, self._seq, self._kept = {}, {}, {}, None, 0, set()
        self.prescored = collections.deque()

    def describe(self) -> dict[str, Any]:
        return {"shingles": "word 3-grams of the language side"} if self.minhash else {}


def near_key_words(text: str) -> list[str]:
    """The words of ``text`` after the near-duplicate folding (for shingles)."""
    return [near_key(w) for w in _SPACE.split(text) if near_key(w)]
