"""Labelled noise for the filters' benchmark (issue 9): clean pairs plus known kinds of damage.

Deterministic for a given seed and input. Every damaged row is made from a real clean pair, one damaged
copy per sampled pair, and carries its class in a labels file beside the noisy TSV:

* ``clean``           — the pair as it is.
* ``shuffled-en``     — the English words in a random order (only sentences of >= 5 words; the sentence's
                        final punctuation stays last and the capital moves to the new first word, so that
                        only the order is wrong, not the casing).
* ``misaligned``      — the English of another pair of similar length.
* ``untranslated``    — 2–3 English content words replaced by words of the pair's own LRL side (the
                        plugin lexicon when that side has too few usable words).
* ``wrong-lang-en``   — the English side replaced by a sentence of another language of similar length.
* ``wrong-lang-lrl``  — the LRL side replaced by another language (other shared languages, or English).
* ``copy``            — the same text on both sides: the LRL side copied onto the English side, or the
                        English onto the LRL side.
* ``markup``          — HTML tags, entities, URLs or e-mail addresses around or inside either side.
* ``truncated``       — one side cut to 30–70% of its words (sentences of >= 5 words).
* ``near-duplicate``  — a copy of a clean row that is earlier in the file, with case and punctuation
                        changed and, for tonal languages, tone marks stripped on the LRL side.
* ``tone-stripped``   — tonal languages only: a clean pair with the LRL tone marks removed (reported on
                        its own: the plugin decides whether that is rejected or only flagged).

Written as one TSV per class (see :func:`write`): the clean rows first, then the class's rows in a shuffled
order (a near-duplicate follows the row it copies). The clean rows and the damaged rows are drawn from
disjoint parts of the clean pool, so that a filter judging one side alone (a side-level dedup) cannot get
credit for a damaged row merely because its intact side is also a clean row; when the pool is smaller than
the classes need, pairs are reused across classes (never within one; each label says ``reused``), which
the separate files make harmless.

    python eval/filters/noise.py --lang yo --clean ../shared/data/yo/menyo20k/dev.tsv --out out/bench-filters/yo
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"

DAMAGE = ("shuffled-en", "misaligned", "untranslated", "wrong-lang-en", "wrong-lang-lrl", "copy", "markup",
          "truncated", "near-duplicate")
TONAL_ONLY = ("tone-stripped",)

# Tone marks only (grave, acute, macron, circumflex, caron): the dot below of ẹ ọ ṣ is a letter, not a tone.
_TONES = {"\u0300", "\u0301", "\u0304", "\u0302", "\u030c"}
_WORD = re.compile(r"\w", re.UNICODE)

# English function words: never replaced by LRL words in `untranslated` (a left-in word is a content word).
_STOP_WORDS = """a an the and or but if of to in on at by for with from as is are was were be been being am do does
did have has had not no so than that this these those it its he she they them his her their we us our you your i
me my mine who whom which what when where why how all any some there here will would shall should can could may
might must also very just into onto over under about after before up down out then too"""
STOP = frozenset(_STOP_WORDS.split())


@dataclass
class Pair:
    en: str
    lrl: str
    where: str  # file:line of the clean source, for the labels


@dataclass
class Row:
    en: str
    lrl: str
    cls: str
    detail: str = ""
    source: str = ""
    reused: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def _clean_text(s: str) -> str:
    # Fields must stay on one line of the TSV; BOMs inside fields (MENYO-20k) are the pipeline's job but
    # would also stop the noise functions from seeing the first word.
    return " ".join(s.replace("\ufeff", "").split())


def read_parallel(spec: str, lang: str, lines: slice | None = None) -> list[Pair]:
    """Pairs from a TSV with a header or ``EN_FILE,LRL_FILE``, with lrl's own readers (CSV quoting, BOMs).
    ``lines`` slices the list of pairs (e.g. HornMT's last 500 as the clean test)."""
    from lrl.io.readers import InputStats, ReadOptions, read
    from lrl.languages import find_plugin

    try:
        p = find_plugin(lang)
        names: tuple[str, ...] = (p.code, p.iso639_3, p.name)
    except Exception:  # a language with no plugin (a wrong-language source): guess its column by code
        names = (lang,)
    opts = ReadOptions(bad_rows="skip", lang_names=names)
    out = []
    for rec in read(spec, opts, True, InputStats()):
        if rec.pre_rejected:
            continue
        en, xx = _clean_text(rec.src), _clean_text(rec.tgt)
        if en and xx:
            out.append(Pair(en, xx, f"{Path(spec.split(',')[-1]).name}:{rec.provenance['line']}"))
    return out[lines] if lines is not None else out


# -- damage -----------------------------------------------------------------------------------------------

def strip_tones(text: str) -> str:
    """Remove tone marks, keep every other mark (the dot below), back to NFC."""
    d = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in d if ch not in _TONES))


def fold_key(text: str) -> str:
    """What a near-duplicate shares with its original: no case, punctuation, tone marks or extra spaces."""
    t = strip_tones(text).lower()
    t = "".join(ch for ch in t if not unicodedata.category(ch).startswith("P"))
    return " ".join(t.split())


def _split_final_punct(text: str) -> tuple[str, str]:
    m = re.search(r"[\s]*([.!?;:…]+[\"'”’)]*)$", text)
    return (text[:m.start()], m.group(1)) if m else (text, "")


def shuffle_words(en: str, rng: random.Random) -> str | None:
    """The English words in another order; None when the sentence is too short (< 5 words) or cannot change."""
    body, end = _split_final_punct(en)
    words = body.split()
    if len(words) < 5 or len(set(words)) < 2:
        return None
    first_cap = words[0][:1].isupper() and words[0] != "I" and not words[0].isupper()
    if first_cap:  # lower-case the sentence-initial capital; names elsewhere keep theirs
        words[0] = words[0][0].lower() + words[0][1:]
    for _ in range(20):
        shuffled = words[:]
        rng.shuffle(shuffled)
        if shuffled != words:
            break
    else:
        return None
    if first_cap:
        shuffled[0] = shuffled[0][0].upper() + shuffled[0][1:]
    return " ".join(shuffled) + end


def truncate(text: str, rng: random.Random) -> str | None:
    """The first 30–70% of the words (at least one word fewer); None for fewer than 5 words."""
    words = text.split()
    if len(words) < 5:
        return None
    k = max(1, min(len(words) - 1, round(len(words) * rng.uniform(0.3, 0.7))))
    return " ".join(words[:k])


def _is_content(w: str) -> bool:
    core = w.strip(string.punctuation + "“”‘’")
    return len(core) >= 3 and core.isalpha() and core.lower() not in STOP and not core[:1].isupper()


def untranslate(en: str, lrl: str, rng: random.Random, vocab: list[str]) -> tuple[str, list[str]] | None:
    """2–3 English content words replaced by LRL words of the pair (their punctuation kept)."""
    words = en.split()
    slots = [i for i, w in enumerate(words) if _is_content(w)]
    en_lower = {w.strip(string.punctuation).lower() for w in words}
    cands = []
    for w in lrl.split():
        core = w.strip(string.punctuation + "“”‘’«»")
        # Lower-case LRL words that are not also English words of the pair: not names, not numbers.
        if len(core) >= 2 and all(_WORD.match(c) or unicodedata.combining(c) for c in core) \
                and not any(c.isdigit() for c in core) and core[:1] == core[:1].lower() \
                and core.lower() not in en_lower and core not in cands:
            cands.append(core)
    if len(cands) < 3:
        cands += [v for v in rng.sample(vocab, min(len(vocab), 6)) if v not in cands]
    k = min(rng.choice((2, 3)), len(slots), len(cands))
    if k < 2:
        return None
    chosen = sorted(rng.sample(slots, k))
    put = rng.sample(cands, k)
    for i, new in zip(chosen, put, strict=True):
        core = words[i].strip(string.punctuation + "“”‘’")
        words[i] = words[i].replace(core, new, 1)
    return " ".join(words), put


def _rand_token(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(n))


def _url(rng: random.Random) -> str:
    host = rng.choice(["www.", "", "news.", "m."]) + _rand_token(rng, rng.randint(4, 9)) + \
        rng.choice([".com", ".org", ".ng", ".net", ".co.uk", ".info", ".et"])
    path = "/".join(_rand_token(rng, rng.randint(3, 8)) for _ in range(rng.randint(0, 3)))
    q = f"?id={rng.randint(1, 99999)}" if rng.random() < 0.3 else ""
    return f"{rng.choice(['https', 'http'])}://{host}/{path}{q}" if rng.random() < 0.85 else f"www.{host}/{path}"


def _email(rng: random.Random) -> str:
    return f"{_rand_token(rng, rng.randint(3, 8))}{rng.choice(['', '.', '_'])}{_rand_token(rng, 3)}@" \
        f"{_rand_token(rng, rng.randint(4, 8))}.{rng.choice(['com', 'org', 'ng', 'net'])}"


_TAGS = ["p", "div", "span", "b", "strong", "em", "i", "td", "li", "h2", "font"]
_ENTITIES = ["&nbsp;", "&amp;", "&quot;", "&#8217;", "&lt;br&gt;", "&rsquo;", "&#39;", "&hellip;"]


def add_markup(text: str, rng: random.Random) -> tuple[str, str]:
    """One or two kinds of web debris around or inside ``text``; returns (text, kinds)."""
    kinds = rng.sample(["tag-wrap", "tag-inside", "entity", "url", "email", "link"], rng.choice((1, 1, 2)))
    words = text.split()
    for kind in kinds:
        if kind == "tag-wrap":
            tag = rng.choice(_TAGS)
            attr = rng.choice(["", f' class="{_rand_token(rng, 5)}"', ' style="text-align:justify"'])
            words = [f"<{tag}{attr}>{words[0]}", *words[1:-1], f"{words[-1]}</{tag}>"] if len(words) > 1 \
                else [f"<{tag}{attr}>{words[0]}</{tag}>"]
        elif kind == "tag-inside":
            i = rng.randrange(len(words) + 1)
            words.insert(i, rng.choice(["<br>", "<br/>", "<br />", "</p><p>", "<img src=\"" + _url(rng) + "\">"]))
        elif kind == "entity":
            i = rng.randrange(1, len(words)) if len(words) > 1 else 0
            words[i] = rng.choice(_ENTITIES) + words[i] if rng.random() < 0.5 else words[i] + rng.choice(_ENTITIES)
        elif kind == "url":
            u = _url(rng)
            words = [u, *words] if rng.random() < 0.4 else [*words, rng.choice(["", "Source:", "via", "|"]), u]
        elif kind == "email":
            e = _email(rng)
            words = [*words, rng.choice(["", "Contact:", "E-mail:", "-"]), e] if rng.random() < 0.7 \
                else [e, *words]
        elif kind == "link":
            i = rng.randrange(len(words))
            j = min(len(words), i + rng.randint(1, 3))
            words = [*words[:i], f'<a href="{_url(rng)}">' + " ".join(words[i:j]) + "</a>", *words[j:]]
    return " ".join(w for w in words if w), "+".join(kinds)


def near_duplicate(en: str, lrl: str, rng: random.Random, tonal: bool) -> tuple[str, str, str]:
    """Case and punctuation changed (and tones stripped for tonal languages) on one or both sides."""
    changes: list[str] = []

    def case(s: str) -> str:
        how = rng.choice(("lower", "upper-first", "title", "lower-first"))
        changes.append(f"case-{how}")
        if how == "lower":
            return s.lower()
        if how == "title":
            return " ".join(w[:1].upper() + w[1:] for w in s.split())
        if how == "upper-first":
            return s[:1].upper() + s[1:] if s[:1].islower() else s.upper()
        return s[:1].lower() + s[1:]

    def punct(s: str) -> str:
        how = rng.choice(("drop-final", "add-final", "drop-all", "spaced"))
        changes.append(f"punct-{how}")
        if how == "drop-final":
            body, end = _split_final_punct(s)
            return body if end else s + "."
        if how == "add-final":
            return s + rng.choice(("!", ".", " .", "..."))
        if how == "drop-all":
            return "".join(ch for ch in s if not unicodedata.category(ch).startswith("P"))
        return re.sub(r"\s*([,.;:!?])", r" \1", s)

    for _ in range(10):
        changes.clear()
        e, x = en, lrl
        if rng.random() < 0.6:
            e = case(e)
        if rng.random() < 0.6:
            e = punct(e)
        if tonal and rng.random() < 0.7:
            x = strip_tones(x)
            changes.append("lrl-tones-stripped")
        if rng.random() < 0.4:
            x = case(x)
        if rng.random() < 0.4:
            x = punct(x)
        if " ".join(e.split()) != en or " ".join(x.split()) != lrl:
            return e, x, "+".join(changes)
    return en + " !", lrl, "punct-add-final"


# -- sources of other languages -----------------------------------------------------------------------------

@dataclass
class Foreign:
    lang: str
    sentences: list[str]


def default_sources(lang: str) -> dict[str, object]:
    """Per language: the clean test pairs, the seed (what quality models learn from), the wrong
    languages. Paths in ../shared/data (read at run time, never copied into the repository)."""
    hau = (f"{SHARED}/ha/lafand-mt/train.en,{SHARED}/ha/lafand-mt/train.hau", "ha", "lrl")
    yor = (f"{SHARED}/yo/menyo20k/train.tsv", "yo", "lrl")
    amh = (f"{SHARED}/am/hornmt/eng.txt,{SHARED}/am/hornmt/amh.txt", "am", "lrl")
    tir = (f"{SHARED}/am/hornmt/eng.txt,{SHARED}/am/hornmt/tir.txt", "ti", "lrl")
    if lang == "yo":
        return {"clean": f"{SHARED}/yo/menyo20k/dev.tsv", "clean_lines": None,
                "seed": [f"{SHARED}/yo/menyo20k/train.tsv"], "foreign": [hau, amh],
                "mono": f"{SHARED}/yo/mono/news_sites.txt"}
    if lang == "ha":
        return {"clean": f"{SHARED}/ha/lafand-mt/dev.en,{SHARED}/ha/lafand-mt/dev.hau", "clean_lines": None,
                "seed": [f"{SHARED}/ha/lafand-mt/train.en,{SHARED}/ha/lafand-mt/train.hau"], "foreign": [yor, amh],
                "mono": f"{SHARED}/ha/mono/udhr2_hau_NG.txt"}
    if lang == "am":
        # HornMT has no split: the last 600 lines (300 clean rows + 300 damage sources) are the clean test,
        # the others the seed (bench.py writes them to out/ as a TSV for the quality models).
        return {"clean": amh[0], "clean_lines": slice(-600, None), "seed_lines": slice(None, -600),
                "seed": [amh[0]], "foreign": [hau, yor, tir], "mono": f"{SHARED}/am/mono/udhr2_amh.txt"}
    raise SystemExit(f"no default data for {lang!r}: pass --clean, --seed and --foreign")


def load_foreign(specs: Iterable[tuple[str, str, str]]) -> list[Foreign]:
    """Sentences of other languages: the language side of a parallel spec, or a plain text file's lines."""
    out = []
    for spec, code, _side in specs:
        if "," not in spec and Path(spec).suffix.lower() == ".txt":
            with open(spec, encoding="utf-8", errors="replace") as f:
                out.append(Foreign(code, [t for t in (_clean_text(line) for line in f) if t]))
        else:
            out.append(Foreign(code, [p.lrl for p in read_parallel(spec, code)]))
    return out


def _pick_similar(pool: list[str], length: int, rng: random.Random, avoid: set[str]) -> str:
    """Of 30 random candidates, the one closest in characters: damage that the length filter alone
    cannot see."""
    best = ""
    for _ in range(30):
        c = rng.choice(pool)
        if c in avoid:
            continue
        if not best or abs(len(c) - length) < abs(len(best) - length):
            best = c
    return best


# -- the maker ----------------------------------------------------------------------------------------------

def make(clean: list[Pair], foreign: list[Foreign], vocab: list[str], n: int, seed: int, tonal: bool,
         n_clean: int | None = None) -> list[Row]:
    """Clean rows then damaged rows (shuffled; near-duplicates after the rows they copy)."""
    rng = random.Random(seed)
    pool = clean[:]
    rng.shuffle(pool)
    n_clean = n if n_clean is None else n_clean
    if n_clean >= len(pool):
        raise SystemExit(f"the clean pool has {len(pool)} pairs: too few for {n_clean} clean rows and damage")
    clean_part, rest = pool[:n_clean], pool[n_clean:]
    rows = [Row(p.en, p.lrl, "clean", source=p.where) for p in clean_part]
    classes = [*DAMAGE, *(TONAL_ONLY if tonal else ())]
    all_en = [p.en for p in pool]
    all_lrl = [p.lrl for p in pool]

    cursor = 0
    used: set[str] = set()

    def draw(seen_in_class: set[int]) -> tuple[Pair, bool]:
        # Round-robin over the rest of the pool across classes; reuse only once the pool is spent.
        nonlocal cursor
        for _ in range(len(rest)):
            i = cursor % len(rest)
            cursor += 1
            if i not in seen_in_class:
                seen_in_class.add(i)
                reused = rest[i].where in used
                used.add(rest[i].where)
                return rest[i], reused
        raise SystemExit("the clean pool is too small for this many rows per class")

    damaged: list[Row] = []
    nd_rows: list[Row] = []
    for cls in classes:
        if cls == "near-duplicate":
            # Copies of clean rows, each original once while there are enough of them.
            picks = rng.sample(range(len(rows)), min(n, len(rows)))
            picks += [j % len(rows) for j in range(n - len(picks))]
            for j in picks:
                orig = rows[j]
                e, x, how = near_duplicate(orig.en, orig.lrl, rng, tonal)
                nd_rows.append(Row(e, x, cls, detail=how, source=orig.source, extra={"copy_of_clean": str(j)}))
            continue
        seen: set[int] = set()
        made = 0
        tries = 0
        while made < n and tries < 20 * n:
            tries += 1
            try:
                p, reused = draw(seen)
            except SystemExit:
                break
            row = _damage(cls, p, rng, foreign, vocab, all_en, all_lrl)
            if row is None:
                continue
            row.source, row.reused = p.where, reused
            damaged.append(row)
            made += 1
    rng.shuffle(damaged)
    # Near-duplicates go among the damaged rows, all after the clean block that holds their originals.
    out = rows + damaged
    for r in nd_rows:
        out.insert(rng.randint(len(rows), len(out)), r)
    return out


def _damage(cls: str, p: Pair, rng: random.Random, foreign: list[Foreign], vocab: list[str],
            all_en: list[str], all_lrl: list[str]) -> Row | None:
    if cls == "shuffled-en":
        s = shuffle_words(p.en, rng)
        return Row(s, p.lrl, cls) if s else None
    if cls == "misaligned":
        other = _pick_similar(all_en, len(p.en), rng, {p.en})
        return Row(other, p.lrl, cls) if other else None
    if cls == "untranslated":
        u = untranslate(p.en, p.lrl, rng, vocab)
        return Row(u[0], p.lrl, cls, detail=f"{len(u[1])} words") if u else None
    if cls == "wrong-lang-en":
        # Another language on the English side: the other shared languages, or this language (another pair).
        choices = [(f.lang, f.sentences) for f in foreign] + [("lrl-other-pair", all_lrl)]
        code, pool = rng.choice(choices)
        s = _pick_similar(pool, len(p.en), rng, {p.lrl})
        return Row(s, p.lrl, cls, detail=code)
    if cls == "wrong-lang-lrl":
        choices = [(f.lang, f.sentences) for f in foreign] + [("en-other-pair", all_en)]
        code, pool = rng.choice(choices)
        s = _pick_similar(pool, len(p.lrl), rng, {p.en})
        return Row(p.en, s, cls, detail=code)
    if cls == "copy":
        if rng.random() < 0.5:
            return Row(p.lrl, p.lrl, cls, detail="lrl-on-en-side")
        return Row(p.en, p.en, cls, detail="en-on-lrl-side")
    if cls == "markup":
        side = rng.choice(("en", "lrl", "both"))
        e, x, kinds = p.en, p.lrl, []
        if side in ("en", "both"):
            e, k = add_markup(e, rng)
            kinds.append(k)
        if side in ("lrl", "both"):
            x, k = add_markup(x, rng)
            kinds.append(k)
        return Row(e, x, cls, detail=f"{side}:{'/'.join(kinds)}")
    if cls == "truncated":
        side = rng.choice(("en", "lrl"))
        cut = truncate(p.en if side == "en" else p.lrl, rng)
        if cut is None:
            return None
        return Row(cut, p.lrl, cls, detail="en") if side == "en" else Row(p.en, cut, cls, detail="lrl")
    if cls == "tone-stripped":
        s = strip_tones(p.lrl)
        return Row(p.en, s, cls) if s != p.lrl else None
    raise ValueError(cls)


def plugin_vocab(lang: str) -> list[str]:
    """Single lower-case words of the plugin lexicon's LRL column (fallback LRL words for `untranslated`)."""
    from lrl.generate.templates import load_lexicon
    from lrl.languages import find_plugin

    p = find_plugin(lang)
    words = {e.lrl for entries in load_lexicon(p.file("lexicon"), p.code).values() for e in entries}
    return sorted(w for w in words if " " not in w and w[:1] == w[:1].lower())


def write(rows: list[Row], out_dir: Path, code: str) -> tuple[list[Path], Path]:
    """One TSV per class under ``out_dir/noisy/`` (header ``en<TAB><code>``, CSV quoting as lrl reads it)
    and ``labels.tsv`` (id, class, detail, source, reused, copy_of), where id is the row id the pipeline
    gives (``seed:<class>.tsv:<line>``).

    ``clean.tsv`` holds the clean rows; every other ``<class>.tsv`` holds the same clean rows first (context,
    and the originals of the near-duplicates; labelled only in ``clean.tsv``) and then that class's rows.
    One file per class keeps the classes apart: damaged rows of two classes made from one source pair
    (unavoidable when the pool is small) share an intact side, and in one file a side-level dedup would
    reject the second for being a duplicate, not for its damage."""
    folder = out_dir / "noisy"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.tsv"):
        old.unlink()
    clean = [r for r in rows if r.cls == "clean"]
    classes = ["clean", *dict.fromkeys(r.cls for r in rows if r.cls != "clean")]
    labels = out_dir / "labels.tsv"
    paths = []
    with open(labels, "w", encoding="utf-8", newline="") as g:
        lw = csv.writer(g, delimiter="\t", quotechar='"', lineterminator="\n")
        lw.writerow(["id", "class", "detail", "source", "reused", "copy_of"])
        for cls in classes:
            path = folder / f"{cls}.tsv"
            paths.append(path)
            own = [r for r in rows if r.cls == cls and cls != "clean"]
            with open(path, "w", encoding="utf-8", newline="") as f:
                w = csv.writer(f, delimiter="\t", quotechar='"', lineterminator="\n")
                w.writerow(["en", code])
                # line 1 is the header; no field spans lines (_clean_text), so row i is on line i + 2
                for line, r in enumerate([*clean, *own], 2):
                    w.writerow([r.en, r.lrl])
                    if r.cls != cls:
                        continue
                    copy_of = r.extra.get("copy_of_clean")
                    lw.writerow([f"seed:{path.name}:{line}", r.cls, r.detail, r.source, int(r.reused),
                                 f"seed:{path.name}:{int(copy_of) + 2}" if copy_of is not None else ""])
    return paths, labels


def build(lang: str, out_dir: Path, n: int, seed: int, clean_spec: str | None = None,
          clean_lines: slice | None = None, foreign_specs: list[tuple[str, str, str]] | None = None
          ) -> tuple[list[Path], Path, list[Row]]:
    from lrl.languages import find_plugin

    src = default_sources(lang)
    if clean_spec is None:
        clean_spec, clean_lines = str(src["clean"]), src["clean_lines"]  # type: ignore[assignment]
    clean = read_parallel(clean_spec, lang, clean_lines)
    foreign = load_foreign(foreign_specs or src["foreign"])  # type: ignore[arg-type]
    tonal = find_plugin(lang).orthography["tone_check"] != "off"
    rows = make(clean, foreign, plugin_vocab(lang), n, seed, tonal)
    noisy, labels = write(rows, out_dir, lang)
    return noisy, labels, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", required=True)
    ap.add_argument("--clean", help="clean pairs (TSV with header, or EN,LRL); default: the shared dev set")
    ap.add_argument("--n", type=int, default=300, help="rows per class (and clean rows)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    out = a.out or REPO / "out" / "bench-filters" / a.lang
    files, labels, rows = build(a.lang, out, a.n, a.seed, a.clean)
    from collections import Counter

    print(f"{files[0].parent}/*.tsv, {labels}: {dict(Counter(r.cls for r in rows))}")


if __name__ == "__main__":
    main()
