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
from pathlib import Path
from typing import Any

from lrl.errors import InputError, LrlError
from lrl.io.open import check_readable, data_suffix, decoded_lines
from lrl.io.rows import (
    SRC_NAMES,
    TEXT_NAMES,
    InputStats,
    ReadOptions,
    Rows,
    clean_name,
    json_row,
    label_keys,
    pick,
    text_value,
)
from lrl.record import Record

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # news articles run to megabytes per line


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
    return decoded_lines(path, opts.bad_rows, bad)

def _read_text(path: Path, opts: ReadOptions, rows: Rows) -> Iterator[Record | None]:
    bad: set[int] = set()
    for n, line in enumerate(_decoded_lines(path, opts, bad), 1):
        yield rows.make(n, "", line.rstrip("\r\n"), "invalid-utf8: line is not valid UTF-8" if n in bad else None)


def _read_aligned(src_path: Path, tgt_path: Path, opts: ReadOptions, rows: Rows) -> Iterator[Record | None]:
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


def _read_tsv(path: Path, opts: ReadOptions, rows: Rows) -> Iterator[Record | None]:
    bad: set[int] = set()
    lines = _decoded_lines(path, opts, bad)
    if opts.tsv_quoting == "csv":
        reader = csv.reader(lines, delimiter="\t", quotechar='"')
    else:
        reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    header: list[str] = []
    while not header:  # blank lines before the header are blank lines, not an empty header
        try:
            header = next(reader)
        except StopIteration:
            rows.stats.blank_lines = reader.line_num
            return
        if not header:
            rows.stats.blank_lines += 1
    tgt_i = pick(header, opts.tgt_column, (*opts.lang_names, *TEXT_NAMES), path, "inputs.tgt_column")
    src_i = pick(header, opts.src_column, SRC_NAMES, path, "inputs.src_column") if rows.parallel else -1
    label_cols = [(i, clean_name(header[i])) for i in label_keys(header, (tgt_i, src_i), opts, path)]
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
        labels = {name: fields[i] for i, name in label_cols if i < len(fields)}
        yield rows.make(first, src, tgt, problem, labels=labels)

def _read_jsonl(path: Path, opts: ReadOptions, rows: Rows) -> Iterator[Record | None]:
    bad: set[int] = set()
    keys: tuple[str, str] | None = None
    label_names: list[str] | None = None  # None: every key but the text keys
    for n, line in enumerate(_decoded_lines(path, opts, bad), 1):
        text = line.rstrip("\n")
        if not text.strip():
            rows.stats.blank_lines += 1
            continue
        problem = "invalid-utf8: line is not valid UTF-8" if n in bad else None
        src = tgt = ""
        if not problem:
            obj, problem = json_row(text)
        if not problem:
            if keys is None:  # the first object names the keys every line must have
                names = list(obj)
                t = names[pick(names, opts.tgt_column, (*opts.lang_names, *TEXT_NAMES), path, "inputs.tgt_column")]
                s = names[pick(names, opts.src_column, SRC_NAMES, path, "inputs.src_column")] if rows.parallel \
                    else ""
                keys = (s, t)
                picked = label_keys(names, tuple(names.index(k) for k in keys if k), opts, path)
                label_names = None if "*" in opts.label_columns else [names[i] for i in picked]
            tgt, problem = text_value(obj, keys[1])
            if keys[0] and not problem:
                src, problem = text_value(obj, keys[0])
        if problem:
            if opts.bad_rows != "skip":
                raise InputError(path, n, problem.split(": ", 1)[1], "fix the line, or set inputs.bad_rows=skip")
            yield rows.make(n, "", text, problem)
            continue
        # An object with empty strings is still a row (normalization rejects it, with its reason).
        assert keys is not None
        labels = {k: v for k, v in obj.items() if k not in keys} if label_names is None else \
            {k: obj[k] for k in label_names if k in obj}
        yield rows.make(n, src, tgt, keep_empty=True, labels=labels)


def _read_conll(path: Path, opts: ReadOptions, rows: Rows) -> Iterator[Record | None]:
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


def _read_table(path: Path, opts: ReadOptions, rows: Rows) -> Iterator[Record | None]:
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
    label_names: list[str] = []
    own = False
    try:
        for batch in batches:
            if keys is None:
                names = list(batch)
                t = names[pick(names, opts.tgt_column, (*opts.lang_names, *TEXT_NAMES), path, "inputs.tgt_column")]
                s = names[pick(names, opts.src_column, SRC_NAMES, path, "inputs.src_column")] if rows.parallel \
                    else ""
                keys = (s, t)
                # lrl's own output read back: its labels are the `labels` JSON column, not its other columns
                own = set(names) >= LRL_COLUMNS and "*" in opts.label_columns
                label_names = [] if own else \
                    [names[i] for i in label_keys(names, tuple(names.index(k) for k in keys if k), opts, path)]
            for i in range(len(batch[keys[1]])):
                n += 1
                row = {k: ("" if batch[k][i] is None else batch[k][i]) for k in keys if k}
                tgt, problem = text_value(row, keys[1])
                src, problem = text_value(row, keys[0]) if keys[0] and not problem else ("", problem)
                if problem and opts.bad_rows != "skip":
                    raise InputError(path, n, f"row {n}: {problem.split(': ', 1)[1]}",
                                     "fix the data, or set inputs.bad_rows=skip")
                labels = _json_labels(batch["labels"][i]) if own else {k: batch[k][i] for k in label_names}
                yield rows.make(n, src, tgt, problem, labels=labels)
    except LrlError:
        raise
    except Exception as exc:  # pyarrow / datasets on a damaged file: say which file, not a traceback
        raise InputError(path, None, f"cannot read as parquet or a datasets folder: {type(exc).__name__}: "
                         f"{str(exc)[:200]}", "check that the file is complete") from None


#: The columns that make a parquet input lrl's own output (lrl/io/writers.py schema).
LRL_COLUMNS = frozenset({"id", "origin", "parent_id", "provenance", "scores", "labels"})


def _json_labels(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(text) if isinstance(text, str) and text else {}
    except ValueError:
        value = {}
    return value if isinstance(value, dict) else {"labels": value}


def preflight(spec: str, parallel: bool) -> None:
    """Fail now, with the clear error, if an input cannot be opened (before a run folder is made)."""
    for p in (spec.split(",", 1) if parallel and "," in spec else [spec]):
        path = Path(p)
        if not path.exists():
            raise InputError(path, None, "file not found", "check the path")
        if not path.is_dir():
            check_readable(path)


def read(spec: str, opts: ReadOptions, parallel: bool, stats: InputStats) -> Iterator[Record]:
    """Records from one input: a file, a folder, or ``EN_FILE,LRL_FILE``."""
    if parallel and "," in spec:
        a, b = (Path(p) for p in spec.split(",", 1))
        rows = Rows(b, opts, parallel, stats)
        stats.files += [str(a), str(b)]
        gen = _read_aligned(a, b, opts, rows)
    else:
        path = Path(spec)
        preflight(spec, parallel)
        stats.files.append(str(path))
        rows = Rows(path, opts, parallel, stats)
        suffix = data_suffix(path)  # a.tsv.gz reads as TSV (open.py decompresses)
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
