"""py3langid models unpacked once into ``$LRL_CACHE/lid/`` and memory-mapped from there.

py3langid ships its model as an LZMA-compressed npz. Loading it decompresses ~70 MB in every process
(0.4–0.9 s of CPU) and copies the 10M-entry transition table from a numpy array into an ``array.array``,
so a run's peak memory held the table twice for a moment (~+100 MiB over what the loaded model keeps,
measured while profiling issue 11). Unpacked into plain ``.npy`` files, the tables are memory-mapped read-only:
nothing is decompressed or copied, only the pages the automaton visits are read, and worker processes
share them through the page cache. The identifier is py3langid's own class built from the same arrays, so
its scores are the same numbers (tests/filters/test_lid_model.py).

The cache key is the model file's path, size and modification time and py3langid's version; an
unwritable cache falls back to py3langid's own loader.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

_ARRAYS = ("ptc", "pc", "nextmove", "row", "output")


def _folder(path: Path) -> Path:
    from lrl.models import cache_root

    st = path.stat()
    key = hashlib.sha256(f"{path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\0{metadata.version('py3langid')}"
                         .encode()).hexdigest()[:16]
    return cache_root() / "lid" / f"{path.name.split('.')[0]}-{key}"


def _unpack(path: Path, folder: Path) -> None:
    """Decompress once with py3langid's own reader and write each table as ``.npy`` (atomically: a
    temporary folder renamed into place, so a reader never sees half a model)."""
    from py3langid.modelio import load_model

    ptc, pc, classes, nextmove, row, output = load_model(path)
    tmp = folder.parent / f".{folder.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        tables = {"ptc": np.asarray(ptc), "pc": np.asarray(pc),
                  "nextmove": np.frombuffer(memoryview(nextmove), dtype=np.dtype(nextmove.typecode)),
                  "row": np.frombuffer(memoryview(row), dtype=np.dtype(row.typecode)),
                  "output": np.asarray(output, dtype=np.int64)}
        for name, arr in tables.items():
            np.save(tmp / f"{name}.npy", arr)
        (tmp / "classes.json").write_text(json.dumps(list(classes)), encoding="utf-8")
        try:
            os.rename(tmp, folder)
        except OSError:
            if not folder.is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # another process won the rename: theirs is the same model


def load(path: Path, norm_probs: bool = True) -> Any:
    """A ``py3langid.langid.LanguageIdentifier`` for the model file ``path``, from the unpacked cache."""
    from py3langid.langid import LanguageIdentifier

    try:
        folder = _folder(path)
        if not (folder / "classes.json").is_file():
            _unpack(path, folder)
        t = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
        classes = json.loads((folder / "classes.json").read_text(encoding="utf-8"))
    except OSError as exc:  # a read-only or full cache: py3langid's own loader still works
        logging.getLogger(__name__).info("language-ID model cache not used (%s); loading %s directly", exc, path)
        return LanguageIdentifier.from_model_file(path, norm_probs=norm_probs)
    # Plain ndarrays over the mapping: np.memmap's Python-level __getitem__ cost 25 µs per text in the
    # scoring. The state tables stay arrays too: py3langid's constructor would pre-shift every row offset
    # into a Python list, and as lists the row and output tables were three lists of ~105k ints, 11 MiB of
    # a run's peak (issue 11). Its own per-byte walk (classify, rank) indexes arrays as it indexes lists;
    # lrl's pure-Python fallback makes lists of them only when it runs (lrl/filters/lid_batch.py).
    ident = LanguageIdentifier(np.asarray(t["ptc"]), np.array(t["pc"]), classes, np.asarray(t["nextmove"]),
                               np.asarray(t["output"]), norm_probs=norm_probs, tk_row=[])
    # int64, not the file's uint16: the constructor's ``r << 8`` on a uint16 item would wrap (a copy of this
    # identifier built from its tk_row must get the same row bases)
    ident.tk_row = t["row"].astype(np.int64)
    ident._rowbase = ident.tk_row << 8  # what the constructor builds from tk_row
    return ident
