"""Seed-lexicon templating: parallel sentence templates with slots filled from the plugin's lexicon.

``lexicon.tsv`` (header ``class  <code>  en  features``)::

    person  Adé     Ade     gender=m
    food    ìrẹsì    rice

``templates.tsv`` (header ``id  <code>  en``), slot syntax shared by both sides:

* ``{food}`` — one lexicon entry of class ``food``; the same entry fills both sides.
* ``{person:a}`` / ``{person:b}`` — two different entries of one class.
* ``{food[number=pl]}`` — only entries with those features (written once; applies to the slot).
* ``{person.gender?m=yana|f=tana}`` — text chosen by a feature of the entry in slot ``person``
  (agreement: Hausa yana/tana, Amharic በላ/በላች, English he/she).

Rendering samples (template, fillers) combinations without replacement, deterministically from the seed,
spreading rows evenly over templates.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lrl.errors import InputError
from lrl.record import Record

_TOKEN = re.compile(
    r"\{(?P<cls>[a-z_][a-z0-9_]*)(?::(?P<label>[a-z0-9_]+))?"
    r"(?:\[(?P<req>[^\]{}]*)\])?(?:\.(?P<feat>[a-z_][a-z0-9_]*)\?(?P<choices>[^{}]*))?\}"
)
_BRACE = re.compile(r"[{}]")


@dataclass(frozen=True)
class Entry:
    cls: str
    lrl: str
    en: str
    features: tuple[tuple[str, str], ...] = ()
    line: int = 0

    def feature(self, key: str) -> str | None:
        return dict(self.features).get(key)


@dataclass
class Template:
    id: str
    lrl: str
    en: str
    line: int
    keys: list[str] = field(default_factory=list)  # slot keys in order of first appearance
    classes: dict[str, str] = field(default_factory=dict)
    requires: dict[str, dict[str, str]] = field(default_factory=dict)
    candidates: dict[str, list[Entry]] = field(default_factory=dict)

    @property
    def combinations(self) -> int:
        n = 1
        for k in self.keys:
            n *= len(self.candidates[k])
        return n


def _parse_features(text: str, path: Path, line: int) -> tuple[tuple[str, str], ...]:
    feats = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        k, sep, v = part.partition("=")
        if not sep or not k.strip() or not v.strip():
            raise InputError(path, line, f"feature {part!r} is not key=value",
                             "write features like gender=f;number=sg")
        feats.append((k.strip(), v.strip()))
    return tuple(feats)


def _read_tsv(path: Path, header: list[str], optional_last: bool = False) -> Iterator[tuple[int, list[str]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, None, "file not found") from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise InputError(path, line, "invalid UTF-8", "save the file as UTF-8") from None
    except OSError as exc:  # permission denied, a folder, ...
        raise InputError(path, None, f"cannot read: {exc.strerror or exc}") from None
    lines = text.split("\n")
    got = lines[0].lstrip("\ufeff").rstrip("\r").split("\t") if lines else []
    if got != header and not (optional_last and got == header[:-1]):
        raise InputError(path, 1, f"header is {got}, expected {header}", "fix the first line")
    for n, raw in enumerate(lines[1:], 2):
        raw = raw.rstrip("\r")
        if not raw.strip() or raw.startswith("#"):
            continue
        fields = raw.split("\t")
        if len(fields) < len(got) and optional_last and len(fields) == len(got) - 1:
            fields.append("")
        if len(fields) != len(got):
            raise InputError(path, n, f"expected {len(got)} tab-separated fields, found {len(fields)}",
                             f"columns are: {' | '.join(got)}")
        if not unicodedata.is_normalized("NFC", raw):
            raise InputError(path, n, "text is not in Unicode NFC",
                             "normalize the file (python: unicodedata.normalize('NFC', text))")
        yield n, [f.strip() for f in fields]


def load_lexicon(path: Path, code: str) -> dict[str, list[Entry]]:
    lex: dict[str, list[Entry]] = {}
    seen: set[tuple[str, str, str]] = set()
    for n, (cls, lrl, en, feats) in _read_tsv(path, ["class", code, "en", "features"], optional_last=True):
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", cls):
            raise InputError(path, n, f"class {cls!r} must be lowercase letters, digits or _")
        if not lrl or not en:
            raise InputError(path, n, "both the word and its English gloss are needed")
        if (cls, lrl, en) in seen:
            raise InputError(path, n, f"duplicate entry {cls} / {lrl} / {en}", "remove one of them")
        seen.add((cls, lrl, en))
        lex.setdefault(cls, []).append(Entry(cls, lrl, en, _parse_features(feats, path, n), n))
    if not lex:
        raise InputError(path, None, "the lexicon has no entries")
    return lex


def _scan(t: Template, side: str, text: str, path: Path) -> list[str]:
    keys: list[str] = []
    for m in _TOKEN.finditer(text):
        key = m["cls"] + (f":{m['label']}" if m["label"] else "")
        keys.append(key)
        prev = t.classes.setdefault(key, m["cls"])
        assert prev == m["cls"]
        if m["req"] is not None:
            req = dict(_parse_features(m["req"].replace(",", ";"), path, t.line))
            t.requires.setdefault(key, {}).update(req)
    leftover = _BRACE.search(_TOKEN.sub("", text))
    if leftover:
        raise InputError(path, t.line, f"template {t.id}: cannot read a slot in the {side} side: {text!r}",
                         "slots look like {class}, {class:label}, {class[feat=v]} or {class.feat?a=x|b=y}")
    return keys


def load_templates(path: Path, code: str, lexicon: dict[str, list[Entry]]) -> list[Template]:
    """Parse and check every template against the lexicon; errors name the file, line and template."""
    out: list[Template] = []
    ids: set[str] = set()
    for n, (tid, lrl, en) in _read_tsv(path, ["id", code, "en"]):
        if tid in ids:
            raise InputError(path, n, f"duplicate template id {tid!r}")
        ids.add(tid)
        t = Template(tid, lrl, en, n)
        lk, ek = _scan(t, code, lrl, path), _scan(t, "en", en, path)
        fill_l = {m["cls"] + (f":{m['label']}" if m["label"] else "") for m in _TOKEN.finditer(lrl) if not m["feat"]}
        fill_e = {m["cls"] + (f":{m['label']}" if m["label"] else "") for m in _TOKEN.finditer(en) if not m["feat"]}
        if fill_l != fill_e:
            raise InputError(path, n, f"template {tid}: slots differ between sides "
                             f"({code}: {sorted(fill_l)}, en: {sorted(fill_e)})",
                             "use the same slots on both sides")
        t.keys = list(dict.fromkeys(k for k in lk + ek if k in fill_l))
        for key in t.keys:
            cls = t.classes[key]
            if cls not in lexicon:
                raise InputError(path, n, f"template {tid}: no lexicon entries of class {cls!r}",
                                 f"add some to the lexicon or use one of: {', '.join(sorted(lexicon))}")
            req = t.requires.get(key, {})
            cands = [e for e in lexicon[cls] if all(e.feature(k) == v for k, v in req.items())]
            if not cands:
                raise InputError(path, n, f"template {tid}: no {cls} entry has features {req}")
            t.candidates[key] = cands
        for side_text in (lrl, en):
            for m in _TOKEN.finditer(side_text):
                if not m["feat"]:
                    continue
                key = m["cls"] + (f":{m['label']}" if m["label"] else "")
                if key not in t.candidates:
                    raise InputError(path, n, f"template {tid}: {{{key}.{m['feat']}?...}} refers to a slot "
                                     "that is not filled in this template")
                choices = _choices(m["choices"], path, n, tid)
                missing = sorted({str(e.feature(m["feat"])) for e in t.candidates[key]} - set(choices))
                if missing:
                    raise InputError(path, n, f"template {tid}: {{{key}.{m['feat']}?...}} has no choice for "
                                     f"{m['feat']}={', '.join(missing)} (some {t.classes[key]} entries have it"
                                     f"{' or lack the feature' if 'None' in missing else ''})",
                                     "add the choice, or constrain the slot, e.g. {" + f"{key}[{m['feat']}=...]" + "}")
        out.append(t)
    if not out:
        raise InputError(path, None, "no templates")
    return out


def _choices(text: str, path: Path, line: int, tid: str) -> dict[str, str]:
    out = {}
    for part in text.split("|"):
        k, sep, v = part.partition("=")
        if not sep:
            raise InputError(path, line, f"template {tid}: choice {part!r} is not value=text")
        out[k.strip()] = v
    return out


def render(t: Template, fill: dict[str, Entry], side: str) -> str:
    text = t.lrl if side == "lrl" else t.en

    def sub(m: re.Match[str]) -> str:
        key = m["cls"] + (f":{m['label']}" if m["label"] else "")
        entry = fill[key]
        if m["feat"]:
            return _choices(m["choices"], Path(), 0, t.id)[str(entry.feature(m["feat"]))]
        return entry.lrl if side == "lrl" else entry.en

    out = re.sub(r"\s+", " ", _TOKEN.sub(sub, text)).strip()
    return out[:1].upper() + out[1:]


class TemplateGenerator:
    """Yields up to ``count`` distinct template renderings, spread evenly over templates."""

    name = "templates"

    def __init__(self, lexicon_path: Path, templates_path: Path, code: str, count: int, seed: int,
                 plugin_id: str = "") -> None:
        self.lexicon = load_lexicon(lexicon_path, code)
        self.templates = load_templates(templates_path, code, self.lexicon)
        self.count, self.seed, self.plugin_id = count, seed, plugin_id

    @property
    def capacity(self) -> int:
        return sum(t.combinations for t in self.templates)

    def _fill(self, t: Template, index: int) -> dict[str, Entry] | None:
        fill: dict[str, Entry] = {}
        for key in t.keys:
            cands = t.candidates[key]
            index, digit = divmod(index, len(cands))
            fill[key] = cands[digit]
        # Two labelled slots of one class ({person:a}, {person:b}) must get different entries.
        used = list(fill.values())
        return None if len(set(used)) < len(used) else fill

    def __iter__(self) -> Iterator[Record]:
        rng = random.Random(self.seed)
        seen: dict[str, set[int]] = {t.id: set() for t in self.templates}
        live = list(self.templates)
        made = 0
        while made < self.count and live:
            rng.shuffle(live)  # one round: every live template once, in a fresh order
            for t in list(live):
                if made >= self.count:
                    break
                idx = self._draw(t, seen[t.id], rng)
                if idx is None:
                    live.remove(t)
                    continue
                fill = self._fill(t, idx)
                if fill is None:
                    continue
                made += 1
                yield Record(
                    id=f"tpl-{t.id}-{idx}",
                    src=render(t, fill, "en"),
                    tgt=render(t, fill, "lrl"),
                    origin="template",
                    provenance={"template": t.id, "fillers": {k: e.lrl for k, e in fill.items()},
                                "plugin": self.plugin_id, "seed": self.seed},
                )

    @staticmethod
    def _draw(t: Template, seen: set[int], rng: random.Random) -> int | None:
        """A combination index of ``t`` not drawn before, or None when all are used."""
        total = t.combinations
        if len(seen) >= total:
            return None
        if len(seen) < total // 2:
            idx = rng.randrange(total)
            while idx in seen:
                idx = rng.randrange(total)
        else:  # dense: pick from what is left (only reached for small templates)
            idx = rng.choice([i for i in range(total) if i not in seen])
        seen.add(idx)
        return idx
