"""Readers: turn the user's files into a stream of :class:`~lrl.record.Record`.

Formats, chosen by the path:

* ``*.txt`` (or anything unrecognised): one sentence per line. Blank lines are not rows (counted).
* ``*.tsv``: a header row, then tab-separated fields. Quoting follows ``inputs.tsv_quoting``.
* ``*.jsonl``: one JSON object per line.
* ``*.conll``: ``token tag`` per line, blank line between sentences (MasakhaNER style).
* ``*.parquet`` or a folder: a ``datasets`` folder (``save_to_disk``) or a folder of parquet files
  (e.g. lrl's own output).
* ``A,B`` for parallel input: two line-aligned text files, English first.

Problems name the file and line. With ``inputs.bad_rows = "skip"`` an undecodable or malformed row
becomes a pre-rejected record (stage ``read``) so that it is counted and written with its reason.
"""

from __future__ import annotations

import csv
import glob
import itertools
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrl.errors import InputError
from lrl.record import Record

SRC_NAMES = ("en", "eng", "english", "src", "source")
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # news articles run to megabytes per line

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


@dataclass
class InputStats:
    """What a reader saw besides rows, for the manifest."""

    rows: int = 0
    blank_lines: int = 0
    bad_rows: int = 0
    files: list[str] = field(default_factory=list)


def expand(paths: Iterable[str]) -> list[str]:
    """Expand globs the shell did not (e.g. a quoted ``mono='dir/*.txt'``); a pattern that matches
    nothing is an error, not an empty input."""
    out: list[str] = []
    for p in paths:
        if any(ch in p for ch in "*?[") and "," not in p:
            hits = sorted(glob.glob(p))
            if not hits:
                raise InputError(p, None, "no file matches this pattern")
            out.extend(hits)
        else:
            out.append(p)
    return out


def _decoded_lines(path: Path, opts: ReadOptions, bad: set[int]) -> Iterator[str]:
    """Lines of a file as text. An undecodable line raises, or under ``skip`` is decoded with U+FFFD
    and its number added to ``bad`` so the row built from it is rejected."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed by the `with f` below, after the error mapping
    except FileNotFoundError:
        raise InputError(path, None, "file not found", "check the path") from None
    except IsADirectoryError:
        raise InputError(path, None, "is a folder, expected a file") from None
    with f:
        for n, raw in enumerate(f, 1):
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                if opts.bad_rows != "skip":
                    raise InputError(
                        path, n, f"invalid UTF-8 (byte {exc.start + 1} of the line)",
                        "convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8), or set "
                        "inputs.bad_rows=skip to reject such lines and go on",
                    ) from None
                bad.add(n)
                yield raw.decode("utf-8", errors="replace")


def _pick(header: list[str], wanted: str, names: tuple[str, ...], path: Path, setting: str) -> int:
    lowered = [h.strip().lstrip("\ufeff").lower() for h in header]
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


class _Rows:
    """Shared row→record logic for all formats."""

    def __init__(self, path: Path, opts: ReadOptions, parallel: bool, stats: InputStats) -> None:
        self.path, self.opts, self.parallel, self.stats = path, opts, parallel, stats
        self.origin = "seed" if parallel else "mono"
        self.tag = opts.id_prefix or f"{self.origin}:{path.name}"

    def make(self, line: int, src: str, tgt: str, bad: str | None = None) -> Record | None:
        if not bad and not src.strip() and not tgt.strip():
            self.stats.blank_lines += 1
            return None
        self.stats.rows += 1
        if not self.parallel:  # readers put monolingual text in tgt; English text belongs in src
            src, tgt = (tgt, "") if self.opts.mono_side == "src" else ("", tgt)
        rec = Record(id=f"{self.tag}:{line}", src=src, tgt=tgt, origin=self.origin,
                     provenance={"source": str(self.path), "line": line})
        if bad:
            self.stats.bad_rows += 1
            rec.pre_rejected = ("read", bad)
        return rec


def _read_text(path: Path, opts: ReadOptions, rows: _Rows) -> Iterator[Record | None]:
    bad: set[int] = set()
    for n, line in enumerate(_decoded_lines(path, opts, bad), 1):
        yield rows.make(n, "", line.rstrip("\r\n"), "invalid-utf8: line is not valid UTF-8" if n in bad else None)


def _read_aligned(src_path: Path, tgt_path: Path, opts: ReadOptions, rows: _Rows) -> Iterator[Record | None]:
    bad_s: set[int] = set()
    bad_t: set[int] = set()
    s_it = _decoded_lines(src_path, opts, bad_s)
    t_it = _decoded_lines(tgt_path, opts, bad_t)
    for n, (s, t) in enumerate(itertools.zip_longest(s_it, t_it), 1):
        if s is None or t is None:
            longer, count = (src_path, n - 1 + 1 + sum(1 for _ in s_it)) if t is None else \
                (tgt_path, n - 1 + 1 + sum(1 for _ in t_it))
            raise InputError(longer, n, f"the two parallel files have different lengths ({n - 1} lines "
                             f"aligned, {longer} has {count})",
                             "line i of one file must translate line i of the other")
        bad = "invalid-utf8: line is not valid UTF-8" if n in bad_s or n in bad_t else None
        yield rows.make(n, s.rstrip("\r\n"), t.rstrip("\r\n"), bad)


def _read_tsv(path: Path, opts: ReadOptions, rows: _Rows) -> Iterator[Record | None]:
    bad: set[int] = set()
    lines = _decoded_lines(path, opts, bad)
    if opts.tsv_quoting == "csv":
        reader = csv.reader(lines, delimiter="\t", quotechar='"')
    else:
        reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    try:
        header = next(reader)
    except StopIteration:
        return
    tgt_i = _pick(header, opts.tgt_column, (*opts.lang_names, *TEXT_NAMES), path, "inputs.tgt_column")
    src_i = _pick(header, opts.src_column, SRC_NAMES, path, "inputs.src_column") if rows.parallel else -1
    prev = reader.line_num
    for fields in reader:
        first, last = prev + 1, reader.line_num
        prev = last
        if not fields:
            rows.stats.blank_lines += 1
            continue
        problem = None
        if any(n in bad for n in range(first, last + 1)):
            problem = "invalid-utf8: row is not valid UTF-8"
        elif len(fields) != len(header):
            msg = f"expected {len(header)} tab-separated fields as in the header, found {len(fields)}"
            if opts.bad_rows != "skip":
                fix = "fix or remove the row, or set inputs.bad_rows=skip to reject such rows and go on"
                if opts.tsv_quoting == "csv" and last > first:
                    fix += (" (a '\"' opened a quoted field spanning lines "
                            f"{first}-{last}; if quotes are plain text, set inputs.tsv_quoting=none)")
                raise InputError(path, first, msg, fix)
            problem = f"bad-row: {msg}"
        src = fields[src_i] if 0 <= src_i < len(fields) else ""
        tgt = fields[tgt_i] if tgt_i < len(fields) else ""
        yield rows.make(first, src, tgt, problem)


def _read_jsonl(path: Path, opts: ReadOptions, rows: _Rows) -> Iterator[Record | None]:
    bad: set[int] = set()
    keys: tuple[int, int] | None = None
    for n, line in enumerate(_decoded_lines(path, opts, bad), 1):
        if not line.strip():
            rows.stats.blank_lines += 1
            continue
        problem = "invalid-utf8: line is not valid UTF-8" if n in bad else None
        obj: Any = None
        if not problem:
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                problem = f"bad-row: not valid JSON ({exc.msg})"
            else:
                if not isinstance(obj, dict):
                    problem = "bad-row: a JSON object {...} is expected on each line"
            if problem and opts.bad_rows != "skip":
                raise InputError(path, n, problem.split(": ", 1)[1], "fix the line, or set inputs.bad_rows=skip")
        if problem:
            yield rows.make(n, "", line.rstrip("\r\n"), problem)
            continue
        names = list(obj)
        if keys is None:
            t = _pick(names, opts.tgt_column, (*opts.lang_names, *TEXT_NAMES), path, "inputs.tgt_column")
            s = _pick(names, opts.src_column, SRC_NAMES, path, "inputs.src_column") if rows.parallel else -1
            keys = (s, t)
            key_names = (names[s] if s >= 0 else "", names[t])
        src = str(obj.get(key_names[0], "") or "") if rows.parallel else ""
        yield rows.make(n, src, str(obj.get(key_names[1], "") or ""))


def _read_conll(path: Path, opts: ReadOptions, rows: _Rows) -> Iterator[Record | None]:
    bad: set[int] = set()
    tokens: list[str] = []
    start = 1
    is_bad = False
    bad_msg = "invalid-utf8: sentence is not valid UTF-8"
    for n, line in enumerate(_decoded_lines(path, opts, bad), 1):
        if not line.strip():
            if tokens:
                yield rows.make(start, "", " ".join(tokens), bad_msg if is_bad else None)
            tokens, start, is_bad = [], n + 1, False
            continue
        tokens.append(line.split()[0])
        is_bad = is_bad or n in bad
    if tokens:
        yield rows.make(start, "", " ".join(tokens), bad_msg if is_bad else None)


def _read_table(path: Path, opts: ReadOptions, rows: _Rows) -> Iterator[Record | None]:
    """A ``datasets`` folder or parquet file(s), streamed in batches."""
    import pyarrow.parquet as pq

    if path.is_dir() and ((path / "state.json").exists() or (path / "dataset_dict.json").exists()):
        import datasets

        ds: Any = datasets.load_from_disk(str(path))
        if isinstance(ds, datasets.DatasetDict):
            ds = ds["train"] if "train" in ds else ds[next(iter(ds))]
        batches: Iterable[dict[str, list[Any]]] = ds.iter(batch_size=1000)
    else:
        files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
        if not files:
            raise InputError(path, None, "folder holds neither a saved `datasets` dataset nor parquet files")
        batches = (b.to_pydict() for f in files for b in pq.ParquetFile(f).iter_batches(1000))
    n = 0
    keys: tuple[str, str] | None = None
    for batch in batches:
        if keys is None:
            names = list(batch)
            t = names[_pick(names, opts.tgt_column, (*opts.lang_names, *TEXT_NAMES), path, "inputs.tgt_column")]
            s = names[_pick(names, opts.src_column, SRC_NAMES, path, "inputs.src_column")] if rows.parallel else ""
            keys = (s, t)
        size = len(batch[keys[1]])
        for i in range(size):
            n += 1
            src = str(batch[keys[0]][i] or "") if keys[0] else ""
            yield rows.make(n, src, str(batch[keys[1]][i] or ""))


def read(spec: str, opts: ReadOptions, parallel: bool, stats: InputStats) -> Iterator[Record]:
    """Records from one input: a file, a folder, or ``EN_FILE,LRL_FILE``."""
    if parallel and "," in spec:
        a, b = (Path(p) for p in spec.split(",", 1))
        rows = _Rows(b, opts, parallel, stats)
        stats.files += [str(a), str(b)]
        gen = _read_aligned(a, b, opts, rows)
    else:
        path = Path(spec)
        if not path.exists():
            raise InputError(path, None, "file not found", "check the path")
        stats.files.append(str(path))
        rows = _Rows(path, opts, parallel, stats)
        suffix = path.suffix.lower()
        if path.is_dir() or suffix == ".parquet":
            gen = _read_table(path, opts, rows)
        elif suffix == ".tsv":
            gen = _read_tsv(path, opts, rows)
        elif suffix in (".jsonl", ".ndjson"):
            gen = _read_jsonl(path, opts, rows)
        elif suffix == ".conll":
            gen = _read_conll(path, opts, rows)
        else:
            if parallel:
                raise InputError(path, None, "a plain text file has only one language",
                                 "give parallel data as a TSV with a header, JSONL, or EN_FILE,LRL_FILE")
            gen = _read_text(path, opts, rows)
    count = 0
    for rec in gen:
        if rec is None:
            continue
        yield rec
        count += 1
        if opts.max_rows and count >= opts.max_rows:
            return


def read_pairs(specs: Iterable[str], opts: ReadOptions, normalize: Callable[[str], str] | None = None,
               limit: int = 0) -> Iterator[tuple[str, str]]:
    """Normalized (English, language) pairs for *training a model* (a back-translator, bootstrap, eval):
    rows the readers could not use and pairs with an empty side are skipped here, because they are data
    for a model, not output rows (the pipeline counts its own rows). At most ``limit`` pairs (0 = all)."""
    n = 0
    for spec in expand(specs):
        for rec in read(spec, opts, True, InputStats()):
            if rec.pre_rejected:
                continue
            en, xx = (normalize(rec.src), normalize(rec.tgt)) if normalize else (rec.src, rec.tgt)
            if en and xx:
                yield en, xx
                n += 1
                if limit and n >= limit:
                    return
