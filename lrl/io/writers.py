"""Writers: parquet shards of kept rows, a JSONL file of rejected rows, and the manifest.

Shards are written as rows arrive (``output.shard_rows`` per file, streamed in row groups) and renamed to
the Hugging Face-like ``train-<run-id>-00000-of-00003.parquet`` pattern when the run closes, so
``datasets.load_dataset(run_dir)`` reads them through the card's ``configs`` metadata.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from lrl.io import jsonfast
from lrl.record import Record


def schema(src_lang: str, tgt_lang: str) -> pa.Schema:
    """The shard schema. ``translation`` is the pair as Hugging Face MT datasets carry it
    (``{"en": …, "yo": …}``), so a ``run_translation.py``-style trainer reads the output unchanged; its
    field names are the two language codes, hence a schema per run."""
    return pa.schema([
        ("id", pa.string()),
        ("src", pa.string()),
        ("tgt", pa.string()),
        ("translation", pa.struct([(src_lang, pa.string()), (tgt_lang, pa.string())])),
        ("src_lang", pa.string()),
        ("tgt_lang", pa.string()),
        ("origin", pa.string()),
        ("parent_id", pa.string()),
        ("provenance", pa.string()),
        ("scores", pa.string()),
        # The input's extra columns as a JSON object (lrl/record.py ``labels``): JSON text like ``scores``,
        # because the names differ between inputs and the schema is fixed before the first row (DESIGN.md).
        ("labels", pa.string()),
    ])


class ShardWriter:
    """Writes kept rows into parquet files of ``shard_rows`` rows each, streaming: rows are buffered only
    up to one row group (``ROW_GROUP`` rows), so memory does not grow with ``output.shard_rows``."""

    #: rows per parquet row group: large enough for good compression and fast reads, small enough to hold.
    #: 1,000 as `datasets` writes Arrow batches (writer_batch_size): at 5,000 the buffered rows and their
    #: Arrow copy were ~15 MiB of a one-process run's peak, for files 1.5% smaller (20k pairs, issue 11)
    ROW_GROUP = 1000

    def __init__(self, data_dir: Path, src_lang: str, tgt_lang: str, shard_rows: int,
                 prefix: str = "train") -> None:
        self.dir, self.prefix = data_dir, prefix
        self.dir.mkdir(parents=True, exist_ok=True)
        self.src_lang, self.tgt_lang, self.shard_rows = src_lang, tgt_lang, shard_rows
        self.schema = schema(src_lang, tgt_lang)
        self.buffer: list[dict[str, Any]] = []
        self.paths: list[Path] = []
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._in_file = 0

    def write(self, record: Record) -> None:
        self.buffer.append(record.to_row(self.src_lang, self.tgt_lang))
        self.rows += 1
        self._in_file += 1
        if len(self.buffer) >= self.ROW_GROUP:
            self._write_group()
        if self._in_file >= self.shard_rows:
            self._end_file()

    def _write_group(self) -> None:
        if not self.buffer and self._writer is not None:
            return  # (an empty file is written only for an empty run, to carry the schema)
        if self._writer is None:
            path = self.dir / f".{self.prefix}-{len(self.paths):05d}.parquet"
            self._writer = pq.ParquetWriter(path, self.schema)
            self.paths.append(path)
        self._writer.write_table(_table(self.buffer, self.schema))
        self.buffer = []

    def _end_file(self) -> None:
        self._write_group()
        assert self._writer is not None
        self._writer.close()
        self._writer, self._in_file = None, 0

    def close(self, keep_empty: bool = True) -> list[Path]:
        if self.buffer or self._writer is not None or (not self.paths and keep_empty):
            self._end_file()  # an empty run still gets one (empty) shard
        n = len(self.paths)
        final = []
        for i, p in enumerate(self.paths):
            target = self.dir / f"{self.prefix}-{i:05d}-of-{n:05d}.parquet"
            os.replace(p, target)
            final.append(target)
        return final


def _strings(values: list[str]) -> pa.Array:
    """A string column built from its UTF-8 bytes. Not ``pa.array``: converting Python objects makes
    pyarrow import pandas to ask whether they are a Series (+45 MiB resident and 0.4 s per run)."""
    data = [v.encode("utf-8") for v in values]
    lengths = np.fromiter(map(len, data), dtype=np.int64, count=len(data))
    if lengths.sum() >= 2**31:  # past 32-bit offsets: let pyarrow say what it says
        return pa.array(values, type=pa.string())
    offsets = np.zeros(len(data) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:], dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), len(data), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))])


def _table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """``pa.Table.from_pylist(rows, schema=schema)`` for the shard schema (strings and one struct of strings)."""
    columns = []
    for fld in schema:
        if pa.types.is_struct(fld.type):
            names = [fld.type.field(i).name for i in range(fld.type.num_fields)]
            columns.append(pa.StructArray.from_arrays([_strings([r[fld.name][n] for r in rows]) for n in names],
                                                      fields=list(fld.type)))
        else:
            columns.append(_strings([r[fld.name] for r in rows]))
    return pa.Table.from_arrays(columns, schema=schema)


class PairSplitWriter:
    """Kept rows in two shard sets, ``<prefix>-parallel-*`` (both sides) and ``<prefix>-monolingual-*``
    (one side empty), so the card can offer them as separate configs; ``<prefix>-*`` still matches all."""

    def __init__(self, data_dir: Path, src_lang: str, tgt_lang: str, shard_rows: int, prefix: str) -> None:
        self.parallel = ShardWriter(data_dir, src_lang, tgt_lang, shard_rows, f"{prefix}-parallel")
        self.monolingual = ShardWriter(data_dir, src_lang, tgt_lang, shard_rows, f"{prefix}-monolingual")

    @property
    def rows(self) -> int:
        return self.parallel.rows + self.monolingual.rows

    def write(self, record: Record) -> None:
        (self.parallel if record.is_parallel else self.monolingual).write(record)

    def close(self) -> list[Path]:
        # An empty run keeps one empty parallel shard (the schema); an empty monolingual set writes none.
        return self.parallel.close() + self.monolingual.close(keep_empty=False)


LINE_BREAKS = {0x2028: "\\u2028", 0x2029: "\\u2029", 0x85: "\\u0085"}
_LINE_BREAK = re.compile("[\u2028\u2029\x85]")


def json_line(obj: Any) -> str:
    """``obj`` as one line of JSON. U+2028, U+2029 and U+0085 are legal raw in JSON but end a line for
    str.splitlines() and JavaScript: they are escaped, so one row stays one line for every reader. Checked
    with one regex scan first: ``str.translate`` with a dict looks up every character in Python (it was
    a tenth of the cost of writing rejected rows). orjson where it writes what ``json`` would
    (lrl/io/jsonfast.py)."""
    text = jsonfast.dumps(obj)
    return (text.translate(LINE_BREAKS) if _LINE_BREAK.search(text) else text) + "\n"


class RejectWriter:
    """One JSON object per rejected row: the record, plus the stage that rejected it and why."""

    def __init__(self, path: Path, append: bool = False, summary: Any = None) -> None:
        self.path = path
        self.f = open(path, "a" if append else "w", encoding="utf-8")  # noqa: SIM115 - streamed to until close()
        self.rows = 0
        #: sees every row written (lrl/report/summaries.py ``Rejected``: the report's numbers, gathered while
        #: the rows are in memory instead of by reading the file again)
        self.summary = summary

    def write(self, record: Record, stage: str, reason: str) -> None:
        row = {"stage": stage, "reason": reason, **record.to_dict()}
        line = json_line(row)
        self.f.write(line)
        self.rows += 1
        if self.summary is not None:
            self.summary.add(row, line)

    def close(self) -> None:
        self.f.close()


def file_sha256(path: Path, keep: Callable[[Path], bool] = lambda p: True) -> str:
    """sha256 of a file, or of a folder's files (names and bytes), for the manifest; ``keep``: which of a
    folder's files count."""
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file() and keep(p)) if path.is_dir() else [path]
    for p in files:
        if path.is_dir():
            h.update(p.relative_to(path).as_posix().encode())
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8")
