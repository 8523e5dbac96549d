"""Back-translation that sees all monolingual rows before translating: data selection (``bt.select``) and
iterative back-translation (``bt.rounds``; Hoang et al. 2018).

Used instead of :class:`~lrl.generate.backtranslate.BackTranslate` only when ``bt.rounds > 1`` or
``bt.select`` is ``rank``/``random``: it holds every monolingual row that reaches it in memory (the plain
step streams in batches of 64), which is what ranking and retraining need.

Rounds: round 1 translates the chosen rows with the seed-trained IBM-1 tables; the same checks the
output gets (``bt-*`` and ``chrf``, copies with their own counters) judge them; the tables are retrained
on the seed plus the kept pairs and scored on the seed's held-out dev split (the split and scorer of the
back-translator's own dev check); while the retrained tables' LRL→English dev chrF++ beats the last by
more than ``bt.rounds_min_gain``, the next round translates again with them. The round-trip judge keeps
the seed's English→LRL tables throughout: a judge retrained on the rows it judged would wave them through.

**Which rows are output:** the last used round's translations of every chosen row, made by the ordinary
stream (the stage ``bt`` and its checks, counted in the manifest like any run). Earlier rounds' English
sides are not rows: they were training data for the next round's tables, and the manifest's
``bt_rounds`` says per round how many were translated, kept and rejected by which check. A row not
chosen by ``bt.select`` passes on as a monolingual row with its ``select.*`` scores and no English side.
"""

from __future__ import annotations

import copy
import itertools
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from lrl.generate.backtranslate import BackTranslate, untag
from lrl.generate.select import Selector
from lrl.record import Record
from lrl.step import RunContext, Stats, Step

log = logging.getLogger(__name__)

#: ``retrain(kept (English, LRL) pairs) -> (LRL→English translator, dev scores, model info)``.
Retrain = Callable[[list[tuple[str, str]]], tuple[Any, dict[str, Any], dict[str, Any]]]


def _fresh(step: Step) -> Step:
    """A copy of a check for a trial round: same tables and thresholds, its own counters (the privacy
    check's per-kind totals go to the manifest and must count the output's rows only)."""
    c = copy.copy(step)
    for key, value in vars(step).items():
        if isinstance(value, Counter):
            setattr(c, key, Counter())
    return c


class SelectiveBackTranslate(BackTranslate):
    """Back-translation over the whole monolingual pool: selection, then rounds, then the usual rows."""

    def __init__(self, translator: Any, *, selector: Selector | None = None, rounds: int = 1,
                 retrain: Retrain | None = None, dev: dict[str, Any] | None = None, direction: str = "",
                 min_gain: float = 0.0, **kwargs: Any) -> None:
        super().__init__(translator, **kwargs)
        self.selector = selector
        self.rounds = rounds
        self.retrain = retrain
        self.dev = dev or {}
        self.direction = direction  # e.g. "yo-en": the dev score that decides whether a round helped
        self.min_gain = min_gain  # chrF++ points a round must add to be used
        #: The checks the output's bt rows get (set by the registry once they are built).
        self.checks: list[Step] = []
        self.rounds_log: list[dict[str, Any]] = []
        self.select_log: dict[str, Any] = {}

    def run(self, records: Iterable[Record], ctx: RunContext) -> Iterator[Record]:
        st = ctx.stats[self.name]
        mono: list[Record] = []
        english: list[Record] = []
        for rec in records:
            st.seen += 1
            if not self.wants(rec):
                st.passed += 1
                yield rec
            else:
                (english if rec.src else mono).append(rec)
        chosen, rest = self._select(mono)
        if self.rounds > 1 and chosen:
            self._iterate(chosen, ctx.seed)
        elif chosen:
            self.rounds_log = []
        todo = chosen + english
        for i in range(0, len(todo), self.batch_size):
            yield from self.emit(todo[i:i + self.batch_size], ctx)
        for rec in rest:  # not chosen: a monolingual row as before, without an English side
            st.passed += 1
            yield rec

    def _select(self, mono: list[Record]) -> tuple[list[Record], list[Record]]:
        if self.selector is None:
            return mono, []
        sel = self.selector.choose([r.tgt for r in mono])
        for i, rec in enumerate(mono):
            rec.scores.update({f"select.{k}": v for k, v in sel.scores[i].items()})
            rec.scores["select.chosen"] = 0.0
        for i in sel.chosen:
            mono[i].scores["select.chosen"] = 1.0
        self.select_log = {**self.selector.signature(), "pool": len(mono), "chosen": len(sel.chosen),
                           "not_chosen": len(sel.rest),
                           "not_chosen_go": "kept as monolingual rows, not translated"}
        return [mono[i] for i in sel.chosen], [mono[i] for i in sel.rest]

    def _trial(self, chosen: list[Record], seed: int) -> tuple[list[Record], dict[str, int]]:
        """Translate the chosen rows and judge them as the output would be; (kept bt rows, rejected by stage)."""
        stats = Stats()
        ctx = RunContext(stats, lambda rec, stage, why: None, seed=seed)
        parents = [copy.copy(r) for r in chosen]  # checks of bt rows leave parents alone; copies make sure
        stream: Iterable[Record] = itertools.chain.from_iterable(
            self.emit(parents[i:i + self.batch_size], ctx) for i in range(0, len(parents), self.batch_size))
        for check in self.checks:
            stream = _fresh(check).run(stream, ctx)
        kept = [r for r in stream if r.origin == "bt"]
        rejected = {name: s.rejected for name, s in stats.stages.items() if s.rejected}
        return kept, rejected

    def _iterate(self, chosen: list[Record], seed: int) -> None:
        assert self.retrain is not None
        score = self._score(self.dev)
        ident = dict(self.translator.identity)
        for r in range(1, self.rounds + 1):
            kept, rejected = self._trial(chosen, seed)
            entry = {"round": r, "model": ident.get("id"), "dev": self._brief(self.dev), "translated": len(chosen),
                     "kept": len(kept), "rejected": rejected, "output": False}
            self.rounds_log.append(entry)
            log.info("bt round %d: dev %s chrF++ %s, kept %d of %d", r, self.direction, score, len(kept),
                     len(chosen))
            if r == self.rounds:
                entry["stop"] = f"bt.rounds = {self.rounds} reached"
                break
            if score is None:
                entry["stop"] = "no dev split (a seed under 50 distinct pairs or bt.dev_share = 0): a round's " \
                                "effect cannot be measured, so none is tried"
                break
            pairs = [(untag(rec.src), rec.tgt) for rec in kept]
            translator, dev, info = self.retrain(pairs)
            new = self._score(dev)
            if new is None or new - score <= self.min_gain:
                self.rounds_log.append({"round": r + 1, "model": translator.identity.get("id"), "dev": self._brief(dev),
                                        "trained_on_synthetic": len(pairs), "used": False})
                entry["stop"] = (f"round {r + 1}'s tables scored dev {self.direction} chrF++ {new}, not more "
                                 f"than {self.min_gain} above {score}: not used")
                break
            self.translator, self.dev, score = translator, dev, new
            self.model_info = {**self.model_info, "dev": dev, "model_info": info}
            ident = dict(translator.identity)
        self.rounds_log[-1 if self.rounds_log[-1].get("used", True) else -2]["output"] = True

    @staticmethod
    def _brief(dev: dict[str, Any]) -> dict[str, Any]:
        """Dev scores without the sacrebleu signatures (the back-translator's own entry has them once)."""
        return {k: v for k, v in dev.items() if k != "signature"}

    def _score(self, dev: dict[str, Any]) -> float | None:
        d = dev.get(self.direction)
        return float(d["chrf++"]) if isinstance(d, dict) and "chrf++" in d else None

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["rounds"] = {"requested": self.rounds, "log": self.rounds_log}
        if self.select_log:
            out["select"] = self.select_log
        return out
