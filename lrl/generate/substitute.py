"""Lexical substitution in real seed pairs (Fadaee et al. 2017, "Data Augmentation for Low-Resource Neural
Machine Translation"): swap one aligned word pair for another lexicon entry of the same class.

A *site* in a seed pair is a lexicon entry whose language form occurs in the language side and whose
English form occurs in the English side (whole tokens, multi-word entries too, leftmost-longest so that
"ìrẹsì jọ̀lọ́ọ̀fù" is not read as "ìrẹsì"; tone marks must match exactly, only case is ignored). Both
forms must occur equally often, and every occurrence is swapped, so the two sides stay translations of
each other. When the lexicon alone does not settle that the two forms are aligned (a form occurs more
than once, or the lexicon gives it more than one counterpart), the seed-trained IBM-1 tables must
confirm it: a word of one span is among the best translations of a word of the other.

Each child swaps one site for another entry of the same class with the same features (gender, number,
article, ...), which the sentence does not already contain. The rest of the sentence is kept byte for
byte: unlike templates, the sentence structure is real. Children are drawn deterministically from
(run seed, parent id) and carry origin ``substitute``, ``parent_id`` and a provenance naming the swap.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrl.generate.templates import Entry, load_lexicon
from lrl.models.ibm1 import _TOKEN  # the units the IBM-1 tables were learned on
from lrl.record import Record
from lrl.step import RunContext, Step

CONFIRM = ("ambiguous", "always")
Span = tuple[int, int]  # character offsets in the text
_SENTENCE_END = re.compile(r"(?:^|[.!?:;]\s*)[\"'“‘(«\s]*$")


@dataclass(frozen=True)
class Site:
    """An entry found on both sides: where its language form (``lrl``) and English form (``en``) are."""

    entry: Entry
    lrl: tuple[Span, ...]
    en: tuple[Span, ...]
    evidence: str  # "lexicon": the match is unambiguous; "ibm1": the IBM-1 tables confirmed it


def _tokens(text: str) -> tuple[list[str], list[Span]]:
    found = list(_TOKEN.finditer(text))
    return [m[0].lower() for m in found], [m.span() for m in found]


def _key(text: str) -> tuple[str, ...]:
    return tuple(_tokens(text)[0])


class _Index:
    """Lexicon forms by first token, longest first, for leftmost-longest matching."""

    def __init__(self, forms: Iterable[tuple[str, ...]]) -> None:
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for f in set(forms):
            if f:
                self.by_first.setdefault(f[0], []).append(f)
        for lst in self.by_first.values():
            lst.sort(key=lambda f: (-len(f), f))

    def find(self, toks: list[str], spans: list[Span]) -> dict[tuple[str, ...], list[Span]]:
        out: dict[tuple[str, ...], list[Span]] = {}
        i = 0
        while i < len(toks):
            for form in self.by_first.get(toks[i], ()):
                if tuple(toks[i:i + len(form)]) == form:
                    out.setdefault(form, []).append((spans[i][0], spans[i + len(form) - 1][1]))
                    i += len(form)
                    break
            else:
                i += 1
        return out


def _contains(toks: list[str], form: tuple[str, ...]) -> bool:
    return any(tuple(toks[i:i + len(form)]) == form for i in range(len(toks) - len(form) + 1))


def _cased(text: str, start: int, original: str, new: str) -> str:
    """``new`` capitalized where ``original`` was capitalized at the start of a sentence."""
    if original[:1].isupper() and new[:1].islower() and _SENTENCE_END.search(text[:start]):
        return new[:1].upper() + new[1:]
    return new


def _in_name(text: str, spans: list[Span], form: str) -> bool:
    """A lower-case lexicon word written with a capital inside a sentence is part of a name ("Kenneth
    Dike Hall", "Office of the Governor"): swapping it would break the name on one side or both."""
    return form[:1].islower() and any(
        text[a:a + 1].isupper() and not _SENTENCE_END.search(text[:a]) for a, _ in spans)


def _english_number(entry: Entry) -> str:
    """The entry's ``number`` feature, else a guess from its English form ("beans", "sweet potatoes" are
    plural): swapping "rice" for "beans" would break "the rice is ready" on the English side."""
    number = entry.feature("number")
    if number:
        return number
    last = entry.en.split()[-1].lower() if entry.en.split() else ""
    return "pl" if last.endswith("s") and not last.endswith(("ss", "us", "is")) else "sg"


_ARTICLE = re.compile(r"\b([Aa]n?)(\s+)$")


def _article(entry: Entry) -> str:
    """The English indefinite article for an entry: its ``art`` feature, else by its first letter."""
    art = entry.feature("art")
    if art in ("a", "an"):
        return art
    w = entry.en.lower()
    return "an" if w[:1] in "aeiou" and not w.startswith(("uni", "use", "eu", "one")) else "a"


def _replace(text: str, spans: tuple[Span, ...], new: str, entry: Entry | None = None) -> str:
    """Replace every span (right to left, so earlier offsets stay valid); on the English side (``entry``
    given) a preceding "a"/"an" follows the new word."""
    for start, end in sorted(spans, reverse=True):
        word = _cased(text, start, text[start:end], new)
        head = text[:start]
        if entry is not None and (m := _ARTICLE.search(head)):
            art = _article(entry)
            art = art.capitalize() if m[1][0].isupper() else art
            head = head[:m.start()] + art + m[2]
        text = head + word + text[end:]
    return text


class Substitute(Step):
    """Passes every row on; after each real seed pair, up to ``per_pair`` substituted copies of it."""

    name = "substitute"
    signature_attrs = ("per_pair", "max_rows", "confirm", "skip_classes", "lexicon_id", "aligner_id")

    def __init__(self, lexicon: dict[str, list[Entry]], per_pair: int = 2, max_rows: int = 0,
                 confirm: str = "ambiguous", xx2en: dict[str, list[tuple[str, float]]] | None = None,
                 en2xx: dict[str, list[tuple[str, float]]] | None = None, lexicon_id: str = "",
                 normalize: Callable[[str], str] = str, aligner_id: str = "",
                 skip_classes: Iterable[str] = ()) -> None:
        if confirm not in CONFIRM:
            from lrl.errors import ConfigError

            raise ConfigError(f"substitute.confirm must be one of {', '.join(CONFIRM)}, not {confirm!r}")
        # Entries are normalized like pipeline text, so forms compare equal to what the rows hold.
        self.entries = [Entry(e.cls, normalize(e.lrl), normalize(e.en), e.features, e.line)
                        for entries in lexicon.values() for e in entries]
        self.per_pair, self.max_rows, self.confirm = per_pair, max_rows, confirm
        # Classes never swapped (substitute.skip_classes). Their entries stay in the indexes, so matching
        # and homograph checks of the other classes are what they would be with them swapped.
        self.skip_classes = tuple(sorted(set(skip_classes)))
        # "number" is the default: a lexicon without numerals simply has nothing to skip.
        unknown = set(self.skip_classes) - {e.cls for e in self.entries} - {"number"}
        if unknown and self.entries:
            from lrl.errors import ConfigError

            # A typo would otherwise swap the very class it meant to protect.
            raise ConfigError(f"substitute.skip_classes: the lexicon has no class {', '.join(sorted(unknown))}; "
                              f"its classes: {', '.join(sorted({e.cls for e in self.entries}))}")
        self.xx2en = {f: {w for w, _ in c} for f, c in (xx2en or {}).items()}
        self.en2xx = {e: {w for w, _ in c} for e, c in (en2xx or {}).items()}
        self.lexicon_id, self.aligner_id = lexicon_id, aligner_id
        self.lrl_index = _Index(_key(e.lrl) for e in self.entries)
        self.en_index = _Index(_key(e.en) for e in self.entries)
        # A form the lexicon pairs with more than one counterpart cannot be trusted on the lexicon alone.
        lrl_to: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
        en_to: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
        for e in self.entries:
            lrl_to.setdefault(_key(e.lrl), set()).add(_key(e.en))
            en_to.setdefault(_key(e.en), set()).add(_key(e.lrl))
        self.lrl_homographs = {k for k, v in lrl_to.items() if len(v) > 1}
        self.en_homographs = {k for k, v in en_to.items() if len(v) > 1}
        self.evidence: Counter[str] = Counter()
        self.by_class: dict[str, list[Entry]] = {}
        self.by_form: dict[tuple[str, ...], list[Entry]] = {}  # entries by their language form
        self.keys: dict[Entry, tuple[tuple[str, ...], tuple[str, ...]]] = {}  # tokenized once
        for e in self.entries:
            self.by_class.setdefault(e.cls, []).append(e)
            self.by_form.setdefault(_key(e.lrl), []).append(e)
            self.keys[e] = (_key(e.lrl), _key(e.en))

    @classmethod
    def from_files(cls, lexicon_path: Path, code: str, **kwargs: Any) -> Substitute:
        lexicon_id = hashlib.sha256(lexicon_path.read_bytes()).hexdigest()[:12]
        return cls(load_lexicon(lexicon_path, code), lexicon_id=lexicon_id, **kwargs)

    def _aligned(self, lrl: tuple[str, ...], en: tuple[str, ...]) -> bool:
        return any(e in self.xx2en.get(f, ()) for f in lrl for e in en) or \
            any(f in self.en2xx.get(e, ()) for f in lrl for e in en)

    def sites(self, en: str, xx: str) -> list[Site]:
        """Every entry found on both sides of the pair (aligned by the lexicon, or confirmed by IBM-1)."""
        xt, xs = _tokens(xx)
        et, es = _tokens(en)
        on_lrl, on_en = self.lrl_index.find(xt, xs), self.en_index.find(et, es)
        out: list[Site] = []
        for e in (e for form in on_lrl for e in self.by_form[form]):
            if e.cls in self.skip_classes:
                continue
            lk, ek = self.keys[e]
            lrl, eng = on_lrl.get(lk), on_en.get(ek)
            if not lrl or not eng or len(lrl) != len(eng):
                continue
            if _in_name(xx, lrl, e.lrl) or _in_name(en, eng, e.en):
                continue
            plain = len(lrl) == 1 and lk not in self.lrl_homographs and ek not in self.en_homographs
            if self.confirm == "ambiguous" and plain:
                out.append(Site(e, tuple(lrl), tuple(eng), "lexicon"))
            elif self._aligned(lk, ek):
                out.append(Site(e, tuple(lrl), tuple(eng), "ibm1"))
        return out

    def _replacements(self, site: Site, parent: Record) -> list[Entry]:
        """Entries of the site's class with its features and English number, other forms on both sides,
        which the rest of the sentence does not already hold (Ade → Tunde in "Ade saw Tunde" would give
        "Tunde saw Tunde")."""
        old, (old_x, old_e) = site.entry, self.keys[site.entry]
        rest_x = _tokens(_replace(parent.tgt, site.lrl, " "))[0]
        rest_e = _tokens(_replace(parent.src, site.en, " "))[0]
        return [r for r in self.by_class[old.cls]
                if dict(r.features) == dict(old.features) and _english_number(r) == _english_number(old)
                and (k := self.keys[r])[0] != old_x and k[1] != old_e
                and not _contains(rest_x, k[0]) and not _contains(rest_e, k[1])]

    def children(self, parent: Record, seed: int) -> list[Record]:
        """Up to ``per_pair`` substituted copies of ``parent``, drawn from (seed, parent id): sites in a
        shuffled order, one fresh replacement each, round after round."""
        options = [(site, repl) for site in self.sites(parent.src, parent.tgt)
                   if (repl := self._replacements(site, parent))]
        rng = random.Random(f"{seed}:{parent.id}")
        rng.shuffle(options)
        for _, repl in options:
            rng.shuffle(repl)
        out: list[Record] = []
        seen: set[tuple[str, str]] = {(parent.src, parent.tgt)}
        for rnd in range(max((len(r) for _, r in options), default=0)):
            for site, repl in options:
                if len(out) >= self.per_pair:
                    return out
                if rnd >= len(repl):
                    continue
                new = repl[rnd]
                tgt = _replace(parent.tgt, site.lrl, new.lrl)
                src = _replace(parent.src, site.en, new.en, new)
                if tgt == parent.tgt or src == parent.src or (src, tgt) in seen:
                    continue  # e.g. two homographs of one class: nothing would change
                seen.add((src, tgt))
                a, b = site.lrl[0], site.en[0]
                out.append(Record(
                    id=f"substitute:{parent.id}:{len(out)}", src=src, tgt=tgt, origin="substitute",
                    parent_id=parent.id,
                    provenance={"class": site.entry.cls, "lrl": [parent.tgt[a[0]:a[1]], new.lrl],
                                "en": [parent.src[b[0]:b[1]], new.en], "occurrences": len(site.lrl),
                                "evidence": site.evidence, "features": dict(new.features),
                                "lexicon": self.lexicon_id, "seed": seed}, labels=dict(parent.labels)))
        return out

    def run(self, records: Iterable[Record], ctx: RunContext) -> Iterator[Record]:
        st = ctx.stats[self.name]
        made = 0
        for rec in records:
            st.seen += 1
            st.passed += 1
            yield rec
            if rec.origin != "seed" or not rec.is_parallel or (self.max_rows and made >= self.max_rows):
                continue
            kids = self.children(rec, ctx.seed)
            if self.max_rows:
                kids = kids[: self.max_rows - made]
            for child in kids:
                ctx.stats.created(self.name)
                st.passed += 1
                made += 1
                self.evidence[child.provenance["evidence"]] += 1
                yield child

    def describe(self) -> dict[str, Any]:
        # made_by_evidence is a total, read when the manifest is written
        return {"entries": len(self.entries), "made_by_evidence": dict(self.evidence)}
