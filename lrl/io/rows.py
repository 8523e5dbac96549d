"""What every reader shares: the options, the counts, the header-column guess and the row→record rule."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrl.errors import InputError
from lrl.record import Record

SRC_NAMES = ("en", "eng", "english", "src", "source")
TEXT_NAMES = ("text", "sentence", "tweet", "tgt", "target", "content")


@dataclass
class ReadOptions:
    bad_rows: str = "error"
    tsv_quoting: str = "csv"
    src_column: str = ""
    tgt_column: str = ""
    max_rows: int = 0
    #: names the language column may have: code, ISO 639-3, English name
    lang_names: tuple[str, ...] = ()
    #: row ids are ``<id_prefix>:<line>``; default ``<origin>:<file name>`` (the pipeline makes it unique)
    id_prefix: str = ""
    #: for monolingual input: "tgt" (text in the language) or "src" (English text, for forward translation)
    mono_side: str = "tgt"
    #: extra columns carried with each row as ``Record.labels``: ``("*",)`` every column but the text
    #: column(s), ``()`` none, else these names (inputs.label_columns)
    label_columns: tuple[str, ...] = ("*",)


@dataclass
class InputStats:
    """What a reader saw besides rows, for the manifest."""

    rows: int = 0
    blank_lines: int = 0
    bad_rows: int = 0
    files: list[str] = field(default_factory=list)

def pick(header: list[str], wanted: str, names: tuple[str, ...], path: Path, setting: str) -> int:
    lowered = [clean_name(h).lower() for h in header]
    if wanted:
        if wanted.lower() in lowered:
            return lowered.index(wanted.lower())
        raise InputError(path, 1, f"no column named {wanted!r} in the header {header}",
                         f"set {setting} to one of these")
    for name in names:
        if name.lower() in lowered:
            return lowered.index(name.lower())
    raise InputError(path, 1, f"cannot tell which column to read from the header {header}",
                     f"name it with {setting}=COLUMN")


def label_keys(names: list[str], text_keys: tuple[int, ...], opts: ReadOptions, path: Path) -> list[int]:
    """Which columns of a header (or a first JSON object) become the rows' labels: every column but the
    text ones for ``"*"``, else the named ones, each of which must exist."""
    if "*" in opts.label_columns:
        return [i for i, n in enumerate(names) if i not in text_keys and clean_name(n)]
    lowered = [clean_name(n).lower() for n in names]
    out = []
    for wanted in opts.label_columns:
        if wanted.lower() not in lowered:
            raise InputError(path, 1, f"no column named {wanted!r} in {names}",
                             "set inputs.label_columns to columns this input has (or [] for none)")
        out.append(lowered.index(wanted.lower()))
    return out


def clean_name(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip()


class Rows:
    """Shared row→record logic for all formats."""

    def __init__(self, path: Path, opts: ReadOptions, parallel: bool, stats: InputStats) -> None:
        self.path, self.opts, self.parallel, self.stats = path, opts, parallel, stats
        self.origin = "seed" if parallel else "mono"
        self.tag = opts.id_prefix or f"{self.origin}:{path.name}"

    def make(self, line: int, src: str, tgt: str, bad: str | None = None, keep_empty: bool = False,
             labels: dict[str, Any] | None = None) -> Record | None:
        if not bad and not keep_empty and not src.strip() and not tgt.strip():
            self.stats.blank_lines += 1
            return None
        self.stats.rows += 1
        if not self.parallel:  # readers put monolingual text in tgt; English text belongs in src
            src, tgt = (tgt, "") if self.opts.mono_side == "src" else ("", tgt)
        rec = Record(id=f"{self.tag}:{line}", src=src, tgt=tgt, origin=self.origin,
                     provenance={"source": str(self.path), "line": line}, labels=labels or {})
        if bad:
            self.stats.bad_rows += 1
            rec.pre_rejected = ("read", bad)
        return rec

def text_value(obj: dict[str, Any], key: str) -> tuple[str, str | None]:
    """The string under ``key``, or a bad-row reason: a missing key, a value that is not a string (a
    number or an object would otherwise become its Python repr), or a lone surrogate escape."""
    if key not in obj:
        return "", f"bad-row: no key {key!r} on this line (it has: {', '.join(map(repr, obj)) or 'none'}); " \
                   "every line needs the keys the first line had"
    value = obj[key]
    if not isinstance(value, str):
        kind = {dict: "an object", list: "a list", bool: "a boolean", type(None): "null"}.get(type(value), "a number")
        return "", f"bad-row: {key!r} is {kind}, expected a string"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "", f"bad-row: {key!r} holds a lone surrogate escape (\\ud800-\\udfff), which is not text"
    return value, None


def json_row(text: str) -> tuple[Any, str | None]:
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: "[[[[..." nested beyond Python's stack
        return None, f"bad-row: not valid JSON ({getattr(exc, 'msg', type(exc).__name__)})"
    if not isinstance(obj, dict):
        return None, "bad-row: a JSON object {...} is expected on each line"
    return obj, None

