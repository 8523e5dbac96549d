"""What the quality filters learn from, gathered once per run.

The fluency LM, the adequacy tables, the untranslated-word lists and the length-ratio calibration all
learn from *the seed*: the parallel files named in ``quality.train`` (clean data the user trusts), else
the run's own parallel inputs, plus the plugin's examples, templates and lexicon. Training on the data
being filtered is the unsupervised habit of OpusFilter; ``quality.train`` is bicleaner's (learn from
clean data, judge the rest) and is what the labelled-noise benchmark uses.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import json
import logging
import os
import pickle
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from lrl.languages.plugin import Plugin

T = TypeVar("T")
log = logging.getLogger(__name__)

#: the checks kept on disk: tables learnt in Python (not ``lm-fluency``, a loaded language model)
DISK_CACHED = frozenset({"untranslated", "fluency", "adequacy"})


def _source(path: Path) -> bool:
    return "__pycache__" not in path.parts


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    """lrl's own source (``.py``, ``.c``), Python's and its Unicode tables' versions and numpy's (the
    libraries the learnt checks compute with): a check built by other code is never read back (a version
    constant to bump by hand would be forgotten)."""
    from lrl.io.writers import file_sha256

    source = file_sha256(Path(__file__).resolve().parent, lambda p: p.suffix in (".py", ".c") and _source(p))
    return f"{source} {sys.version} {unicodedata.unidata_version} numpy={metadata.version('numpy')}"


@dataclass
class QualitySeed:
    """Normalized (English, LRL) pairs: ``pairs`` are real sentence pairs, ``extra`` are template renderings
    and lexicon entries (good for vocabulary, too repetitive to count as fluent English on their own)."""

    plugin: Plugin
    cfg: dict[str, Any]
    pairs: list[tuple[str, str]]
    extra: list[tuple[str, str]]
    _ibm1: Any = field(default=None, repr=False)
    _built: dict[str, Any] = field(default_factory=dict, repr=False)

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """A check built once per run (vocabularies, language models) and copied for each stage that uses
        it: the copies share the learnt tables, and each gets its own stage name and origins. With
        ``quality.cache`` (the default) a check is also kept on disk, like the IBM-1 tables: a later run
        with the same seed, plugin, settings and code reads it back instead of learning it again (20k
        corpus.py pairs: prepare 55 s learning, 1.2 s reading back; eval/bench/results.md section 1)."""
        if key not in self._built:
            self._built[key] = self._load_or_build(key, build)
        return copy.copy(self._built[key])

    @functools.cached_property
    def _digest(self) -> str:
        """What every check learns from (hashed once a run, not per check): the seed and extra pairs, the
        plugin's files, every setting but where the run writes, and lrl's code."""
        from lrl.io.writers import file_sha256

        h = hashlib.sha256(f"{_code_digest()}\n{file_sha256(Path(self.plugin.path), _source)}\n".encode())
        settings = {k: v for k, v in self.cfg.items() if k != "out_dir"}
        h.update(json.dumps(settings, sort_keys=True, default=str, ensure_ascii=False).encode())
        for tag, rows in (("pairs", self.pairs), ("extra", self.extra)):
            h.update(f"\n{tag} {len(rows)}\n".encode())
            for en, xx in rows:
                h.update(f"{en}\t{xx}\n".encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def disk_key(self, key: str) -> str:
        return hashlib.sha256(f"quality-check {key}\n{self._digest}".encode()).hexdigest()[:24]

    def _load_or_build(self, key: str, build: Callable[[], T]) -> T:
        if key not in DISK_CACHED or not self.cfg.get("quality", {}).get("cache", True):
            return build()
        from lrl.models import cache_root

        path = cache_root() / "quality" / f"{key}-{self.disk_key(key)}.pkl"
        try:
            with open(path, "rb") as f:
                obj: T = pickle.load(f)  # noqa: S301 - lrl's own cache, written below, like the model caches
            log.info("%s check read from the cache %s", key, path)
            return obj
        except FileNotFoundError:
            pass
        except Exception as exc:  # a damaged or foreign file costs the time to learn the check again
            log.warning("%s: unreadable cached check (%s: %s); learning it again", path, type(exc).__name__, exc)
        obj = build()
        tmp = path.with_name(f".{path.name}-{os.getpid()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except Exception as exc:  # an unwritable cache, or a check holding something pickle cannot write:
            # the run goes on, the next one learns it again
            log.info("%s check not cached (%s: %s)", key, type(exc).__name__, exc)
            with contextlib.suppress(OSError):
                tmp.unlink()
        return obj

    @property
    def english(self) -> list[str]:
        return [en for en, _ in self.pairs] + [en for en, _ in self.extra if " " in en]

    @property
    def all_pairs(self) -> list[tuple[str, str]]:
        return self.pairs + self.extra

    def ibm1(self) -> Any:
        """The seed's IBM-1 tables (trained once, cached on disk by content like the back-translator's)."""
        if self._ibm1 is None:
            from lrl.models.ibm1 import load_or_train

            bt = self.cfg["bt"]
            self._ibm1 = load_or_train(self.plugin.code, self.pairs, self.extra, bt["ibm1_iterations"],
                                       bt["dev_share"])
        return self._ibm1


def gather(plugin: Plugin, cfg: dict[str, Any], parallel: list[str]) -> QualitySeed:
    """``parallel``: the run's parallel input specs, already expanded; ``quality.train`` replaces them."""
    from lrl.io.readers import expand
    from lrl.models.prepare import read_seed

    train = cfg.get("quality", {}).get("train") or []
    specs = expand(train) if train else parallel
    pairs, extra = read_seed(plugin, cfg, specs, run_parallel=parallel)
    return QualitySeed(plugin, cfg, pairs, extra)
