"""Opening an input file: decompression, universal newlines, decoding — and every way that can fail
turned into one :class:`~lrl.errors.InputError` naming the file (and line) and the fix.

Compression is recognised by the file's first bytes (so a renamed ``.gz`` still works) and, failing that,
by its extension (so a truncated one names the right format). Lines end at ``\\r\\n``, ``\\r`` or ``\\n``
(old Mac and some OCR tools write bare CRs); each is decoded on its own so an error names its line.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

from lrl.errors import InputError

#: magic bytes → format; checked before the extension.
MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"))
EXTENSIONS = {".gz": "gzip", ".gzip": "gzip", ".bz2": "bz2", ".xz": "xz", ".lzma": "xz", ".zst": "zstd",
              ".zstd": "zstd"}
_FIX_SKIP = "set inputs.bad_rows=skip to reject such lines and go on"


def data_suffix(path: Path) -> str:
    """The suffix that says the format of the data, under a compression suffix: ``a.tsv.gz`` → ``.tsv``."""
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in EXTENSIONS:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def compression(path: Path, head: bytes) -> str:
    for magic, kind in MAGIC:
        # bz2's "BZh" is followed by the block size, 1-9: text that merely starts with "BZh" is text
        if head.startswith(magic) and (kind != "bz2" or b"1" <= head[3:4] <= b"9"):
            return kind
    return EXTENSIONS.get(path.suffix.lower(), "")


def _open_raw(path: Path) -> IO[bytes]:
    try:
        mode = path.stat().st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            if stat.S_ISDIR(mode):
                raise InputError(path, None, "is a folder, expected a file")
            raise InputError(path, None, "is not a regular file (a device or socket)", "give a file")
        return open(path, "rb")  # noqa: SIM115 - the caller closes it
    except FileNotFoundError:
        raise InputError(path, None, "file not found", "check the path") from None
    except PermissionError:
        raise InputError(path, None, "permission denied: cannot read this file",
                         f"check its permissions (e.g. chmod u+r {path})") from None
    except IsADirectoryError:
        raise InputError(path, None, "is a folder, expected a file") from None
    except OSError as exc:
        raise InputError(path, None, f"cannot open: {exc.strerror or exc}") from None


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip, bz2, xz or zstd."""
    f = _open_raw(path)
    try:
        head = f.peek(8)[:8] if hasattr(f, "peek") else b""
    except OSError as exc:
        f.close()
        raise InputError(path, None, f"cannot read: {exc.strerror or exc}") from None
    kind = compression(path, head)
    if kind == "gzip":
        return cast(IO[bytes], gzip.GzipFile(fileobj=f, mode="rb"))
    if kind == "bz2":
        return bz2.BZ2File(f, "rb")
    if kind == "xz":
        return lzma.LZMAFile(f, "rb")
    if kind == "zstd":
        try:
            import zstandard
        except ImportError:
            f.close()
            raise InputError(path, None, "is zstd-compressed, and the Python package 'zstandard' is not "
                             "installed", "run: pip install zstandard  (or decompress it: zstd -d)") from None
        # BufferedReader gives the stream readline(), which zstandard's reader lacks.
        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(f, closefd=True))
    return f


def _corrupt(path: Path, exc: BaseException) -> InputError:
    return InputError(path, None, f"cannot read the (compressed) file: {type(exc).__name__}: {exc}",
                      "check that the download is complete and the file is not damaged")


def raw_lines(path: Path) -> Iterator[bytes]:
    """Lines as bytes without their terminator; ``\\r\\n``, ``\\r`` and ``\\n`` each end a line."""
    f = open_binary(path)
    errors: tuple[type[BaseException], ...] = (OSError, EOFError, lzma.LZMAError, zlib.error)
    with contextlib.suppress(ImportError):
        errors = (*errors, __import__("zstandard").ZstdError)
    with f:
        lines = iter(f)  # splits on \n only (buffered, fast, fine with huge lines); \r is handled below
        while True:
            try:
                raw = next(lines)
            except StopIteration:
                return
            except errors as exc:
                raise _corrupt(path, exc) from None
            if raw.endswith(b"\n"):
                raw = raw[:-1]
            if raw.endswith(b"\r"):  # \r\n, or a bare \r ending the file
                raw = raw[:-1]
            if b"\r" in raw:
                yield from raw.split(b"\r")
            else:
                yield raw


def decoded_lines(path: Path, bad_rows: str, bad: set[int]) -> Iterator[str]:
    """Lines as text with a ``\\n`` terminator (the csv module needs one to join quoted fields across
    lines). An undecodable line raises, or under ``skip`` is decoded with U+FFFD and its number added to
    ``bad`` so the row built from it is rejected."""
    for n, raw in enumerate(raw_lines(path), 1):
        if n == 1 and raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # every line would be garbage, not one
            raise InputError(path, 1, "the file is UTF-16 or UTF-32 (it starts with a byte-order mark)",
                             f"convert it: iconv -f UTF-16 -t UTF-8 {path} > {path.stem}.utf8{path.suffix}")
        try:
            yield raw.decode("utf-8") + "\n"
        except UnicodeDecodeError as exc:
            if bad_rows != "skip":
                raise InputError(path, n, f"invalid UTF-8 (byte {exc.start + 1} of the line)",
                                 f"convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8), or {_FIX_SKIP}"
                                 ) from None
            bad.add(n)
            yield raw.decode("utf-8", errors="replace") + "\n"


def check_readable(path: Path) -> None:
    """Raise the clear error now (before a run starts writing) if ``path`` cannot be opened."""
    _open_raw(path).close()
