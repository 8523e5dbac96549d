"""JSON on the per-row paths — rejected rows, a shard's kept rows and prescores, the parquet rows' JSON
columns — through orjson (a C extension; on a default run's rows ~2-4x ``json``'s speed both ways:
``python eval/bench/bench_json.py``). Files written once per run keep the standard library.

The values read back are the standard library's. orjson writes NaN and infinities as ``null`` where
``json`` writes ``NaN``: an orjson line is used only when it holds no ``null`` other than the row's own
``None`` values (counted in C, two levels deep: a row and its ``scores``), else the row goes through
``json`` as before — as do rows orjson refuses (lone surrogates, integers beyond 64 bits, non-string
keys). Reading, orjson refuses ``NaN`` and lone-surrogate escapes: such a line is read by ``json``. The
text differs from ``json``'s only in spacing (no space after ``,`` and ``:``), in not escaping non-ASCII
characters, and in how a few floats are spelt (``0.00001`` for ``1e-05``).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# numpy scalars: ``round`` of a numpy float is one, and ``json`` writes np.float64 (a float subclass)
_PLAIN = orjson.OPT_SERIALIZE_NUMPY
_SORTED = _PLAIN | orjson.OPT_SORT_KEYS


def _nones(obj: dict[str, Any]) -> int:
    """``None`` values of a dict and of the dicts among its values (``list.count`` runs in C)."""
    values = list(obj.values())
    return values.count(None) + sum(list(v.values()).count(None) for v in values if type(v) is dict)


def _orjson(obj: dict[str, Any], option: int, default: Any = None) -> str | None:
    try:
        out = orjson.dumps(obj, option=option, default=default)
    except (TypeError, orjson.JSONEncodeError):
        return None
    if b"null" in out and out.count(b"null") != _nones(obj):
        return None  # a NaN or infinity written as null (or "null" inside a string: json decides)
    return out.decode("utf-8")


def dumps(obj: dict[str, Any], sort_keys: bool = False, ascii_fallback: bool = False) -> str:
    """``obj`` as JSON text. ``ascii_fallback``: when ``json`` writes it, escape non-ASCII as ``json``'s
    default does (for the callers that always did)."""
    text = _orjson(obj, _SORTED if sort_keys else _PLAIN)
    return text if text is not None else json.dumps(obj, ensure_ascii=ascii_fallback, sort_keys=sort_keys)


def dumps_labels(obj: dict[str, Any]) -> str:
    """A record's labels (any column of an input row; values that are not JSON become their ``str``)."""
    text = _orjson(obj, _SORTED, str)
    return text if text is not None else json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str)


def loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
