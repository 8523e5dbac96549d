"""Untranslated or copied language words on the English side.

Word-by-word back-translators leave the words they cannot translate as they are ("The greeting our
gbádùn amala and stew ewédú ..."), and scraped pairs carry LRL words copied into the English. A word of
the English side that is not a known English word counts as a word of the language when

* it has a letter outside the basic Latin alphabet or a combining mark (tone marks, dot below, Hausa
  hooked letters, any other script such as Ethiopic: derived from the letters, not listed per language);
* it is a word of the plugin lexicon, or a word frequent on the language side of the seed that the
  English side hardly uses (Hausa "da", "ya", "ba"; not "a", which English uses as much);
* it is copied from the language side of the same pair.

Capitalized words after the first are names and never count (names are legitimately copied, tone marks
and all), nor do numbers. Known English words come from the English side of the seed pairs and from the
``wordfreq`` package's English list (see :func:`vocabularies`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Any

from lrl.generate.backtranslate import untag
from lrl.record import Record
from lrl.step import Filter

#: ``english_wordfreq``: also take common English words from the ``wordfreq`` package (measured: with a
#: plugin's 80 examples as the only seed, 1.4% of clean MENYO-20k and LAFAND dev pairs were rejected
#: without it, 0.4% and 0.2% with it; eval/filters/measure_lexical.py).
UNTRANSLATED_DEFAULTS: dict[str, Any] = {"enabled": True, "min_words": 2, "min_share": 0.0,
                                         "english_wordfreq": True}


def _mark_class() -> str:
    """A regex class of every combining mark in the BMP: Python's ``\\w`` leaves them out, and a Yoruba
    word in NFC still carries one (ẹ̀ has no precomposed form), so words would split at tone marks."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x300, 0x10000):
        if unicodedata.category(chr(cp)).startswith("M"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)


_M = _mark_class()
#: A word: letters/digits/marks, with inner apostrophes or hyphens ("don't", "ọmọ-ọba").
_WORD = re.compile(rf"[\w{_M}]+(?:['’\-][\w{_M}]+)*")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_ENGLISH_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'’-")


def words(text: str) -> list[str]:
    """The word tokens of ``text`` (numbers and punctuation left out)."""
    # a word starting with a letter has one; the regex for the rest
    return [w for w in _WORD.findall(text) if w[0].isalpha() or _HAS_LETTER.search(w)]


def _foreign(word: str) -> bool:
    """Has a letter or mark English does not use (anything beyond a–z, apostrophes and hyphens)."""
    return not _ENGLISH_LETTERS.issuperset(word)


def _is_number(word: str) -> bool:
    return not word.isalpha() and any(ch.isdigit() for ch in word)  # letters only: no digit


def vocabularies(seed_pairs: Iterable[tuple[str, str]], lexicon: Iterable[tuple[str, str]] = (),
                 min_count: int = 3, english_ratio: float = 0.1,
                 english_frequency: bool = False) -> tuple[set[str], set[str]]:
    """(known English words, words of the language), lowercased.

    Real seed data is not clean: MENYO-20k's and LAFAND's English sides carry Yoruba and Hausa words
    (quoted names, proverbs, untranslated lines), so "seen on the English side" would make "tí", "ní" and
    "da" English. A word is English when its rate among the English side's words is at least
    ``english_ratio`` times its rate on the language side (0.1: "me", "take" are English although Hausa
    uses them more; "da", "tí" are not); a word of the language when it is seen ``min_count`` times on
    the language side and is not English, or is in the lexicon with a gloss other than itself (names are spelt alike in
    both languages: Hausa "Musa").

    With ``english_frequency``, ``wordfreq``'s English list adds what a small seed cannot know (a
    plugin's 80 examples lack "an" and "ha"): words with a frequency ≥ 1e-3 always, and those ≥ 1e-6
    that the seed's language side never uses (so Hausa "da", frequent in wordfreq's English too, stays
    a Hausa word when the seed has it)."""
    en: Counter[str] = Counter()
    xx: Counter[str] = Counter()
    for e, x in seed_pairs:
        en.update(w.lower() for w in words(e))
        xx.update(w.lower() for w in words(x))
    n_en, n_xx = max(1, sum(en.values())), max(1, sum(xx.values()))
    english = {w for w, c in en.items() if c * n_xx >= english_ratio * xx[w] * n_en}
    lrl = {w for w, c in xx.items() if c >= min_count} - english
    if english_frequency:
        from lrl.errors import require

        wordfreq: Any = require("wordfreq", "wordfreq", "known English words (filters.untranslated)")
        for w, p in wordfreq.get_frequency_dict("en", "best").items():
            if p >= 1e-6 and (p >= 1e-3 or not xx[w]):
                english.add(w)
        lrl -= english
    for e_text, x_text in lexicon:
        e_words = {w.lower() for w in words(e_text)}
        english |= e_words
        if x_text.lower() != e_text.lower():
            lrl |= {w.lower() for w in words(x_text)} - english
    return english, lrl


class Untranslated(Filter):
    decides_with = ("min_words", "min_share", "strict", "min_unnamed", "code")
    rescorable = {"filters.untranslated.min_words": "min_words", "filters.untranslated.min_share": "min_share"}
    """Scores the number and share of English-side words that are words of the language; rejects when
    both reach their thresholds."""

    name = "untranslated"

    def __init__(self, english: Iterable[str], language_words: Iterable[str], min_words: int = 2,
                 min_share: float = 0.0, code: str = "", vocabulary: dict[str, Any] | None = None) -> None:
        #: how the vocabularies were made, for the signature
        self.vocabulary = dict(vocabulary or {})
        self.english = frozenset(w.lower() for w in english)
        self.language_words = frozenset(w.lower() for w in language_words) - self.english
        self.min_words, self.min_share = min_words, min_share
        self.code = code
        #: Also count capitalized or English-looking words carrying the language's marks (names, loans):
        #: for generated English, where a word left in the language's spelling is a word left untranslated.
        self.strict = False
        #: Words of the language left in, names aside, that reject a row on their own (0: only ``min_words``).
        #: Generated English (bt.untranslated_min_words) is held to 1: a translator that leaves a lowercase
        #: source word in its English did not translate the sentence.
        self.min_unnamed = 0

    @classmethod
    def build(cls, plugin: Any, seed_pairs: list[tuple[str, str]], settings: dict[str, Any],
              min_count: int = 3, english_ratio: float = 0.1) -> Untranslated:
        """Vocabularies from the seed pairs and the plugin lexicon (see :func:`vocabularies`)."""
        s = {**UNTRANSLATED_DEFAULTS, **settings}
        lexicon: list[tuple[str, str]] = []
        lexicon_path = plugin.file("lexicon")
        if lexicon_path.is_file():
            from lrl.generate.templates import load_lexicon

            lexicon = [(e.en, e.lrl) for entries in load_lexicon(lexicon_path, plugin.code).values()
                       for e in entries]
        english, lrl = vocabularies(seed_pairs, lexicon, min_count, english_ratio,
                                     bool(s["english_wordfreq"]))
        how = {"seed_pairs": len(seed_pairs), "lexicon_entries": len(lexicon), "min_count": min_count,
               "english_ratio": english_ratio, "english_wordfreq": bool(s["english_wordfreq"])}
        return cls(english, lrl, int(s["min_words"]), float(s["min_share"]), plugin.code, how)

    def score(self, record: Record) -> dict[str, float | str]:
        en_words = words(untag(record.src))
        if not en_words:
            return {"words": 0, "lrl_words": 0, "share": 0.0}
        other = {w.lower() for w in words(record.tgt)} if record.tgt else set()
        marked = vocab = copied = names = first_capital = 0
        for i, w in enumerate(en_words):
            low = w.lower()
            if _is_number(w):
                continue
            if _foreign(w) and (low in self.english or (i and w[0].isupper())):
                # A marked word real English also uses (a name, a loanword): counted apart, so that generated
                # English (``strict``) can be held to "no words of the language at all".
                names += 1
                continue
            # Names are capitalized and legitimately copied; only the first word's capital says nothing.
            if low in self.english or (i and w[0].isupper()):
                continue
            if _foreign(w):
                marked += 1
                if i == 0 and w[0].isupper():  # may be a name: min_unnamed leaves it to min_words
                    first_capital = 1
            elif low in self.language_words:
                vocab += 1
            elif low in other:
                copied += 1
        n = marked + vocab + copied
        return {"words": len(en_words), "lrl_words": n, "share": round(n / len(en_words), 4),
                "marked": marked, "vocab": vocab, "copied": copied, "marked_names": names,
                "first_capital": first_capital}

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        n, share = int(scores["lrl_words"]), float(scores["share"])
        if self.strict and int(scores.get("marked_names", 0)):
            n += int(scores["marked_names"])
            share = n / max(1, int(scores["words"]))
        unnamed = int(scores["lrl_words"]) - int(scores.get("first_capital", 0))
        if (n >= self.min_words and n and share >= self.min_share) or \
                unnamed >= self.min_unnamed > 0:
            return (f"untranslated: {n} of {int(scores['words'])} English-side words look like "
                    f"{self.code or 'language'} words ({share:.0%})")
        return None

    def describe(self) -> dict[str, Any]:
        return {**self.vocabulary, "english_words": len(self.english), "language_words": len(self.language_words)}
