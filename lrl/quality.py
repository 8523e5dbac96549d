"""What the quality filters learn from, gathered once per run.

The fluency LM, the adequacy tables, the untranslated-word lists and the length-ratio calibration all
learn from *the seed*: the parallel files named in ``quality.train`` (clean data the user trusts), else
the run's own parallel inputs, plus the plugin's examples, templates and lexicon. Training on the data
being filtered is the unsupervised habit of OpusFilter; ``quality.train`` is bicleaner's (learn from
clean data, judge the rest) and is what the labelled-noise benchmark uses.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lrl.languages.plugin import Plugin

T = TypeVar("T")


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
        it: the copies share the learnt tables, and each gets its own stage name and origins."""
        if key not in self._built:
            self._built[key] = build()
        return copy.copy(self._built[key])

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
