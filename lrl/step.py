"""The stage contract: every part of the pipeline is a :class:`Step` over a stream of records.

Borrowed from datatrove: a step is built once (where a missing optional dependency fails, naming the pip
package), then ``run`` is called with an iterator of records and yields records. Rejected records are never
dropped silently: they go to ``ctx.reject(record, stage, reason)``, which counts them and writes them out.

Three kinds of step:

* :class:`Mapper` — changes a record in place (normalization); may reject it with a reason.
* :class:`Filter` — *scores* a record (numbers stored in ``record.scores``), then *decides* from the
  scores and its thresholds (OpusFilter's separation: thresholds can be studied after a run).
* generators (e.g. back-translation) — plain :class:`Step` subclasses that pass records through and add
  new ones, calling ``ctx.stats.created`` for each.
"""

from __future__ import annotations

import copy
import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from lrl.record import Record
from lrl.stats import StageStats, Stats, Timed, reason_key  # noqa: F401 - the contract's names, importable here


@dataclass
class RunContext:
    """What a step needs from the run besides its input: where rejects go, counters, and which shard of
    the work this process owns (``rank`` of ``world_size``)."""

    stats: Stats
    on_reject: Callable[[Record, str, str], None]
    rank: int = 0
    world_size: int = 1
    seed: int = 0
    #: the shard being run (lrl/shards.py); -1 in the run-wide final pass
    shard: int = -1

    def reject(self, record: Record, stage: str, reason: str) -> None:
        st = self.stats[stage]
        st.rejected += 1
        key = reason_key(reason)
        st.reasons[key] += 1
        st.by_origin[record.origin, key] += 1
        self.on_reject(record, stage, reason)


class Undecidable(Exception):  # noqa: N818 - a decision that cannot be made, not a failure of lrl
    """Raised by ``Filter.decide`` when its stored scores cannot settle a decision that ``lrl rescore`` asks
    it to re-make (e.g. a MinHash match against a row that is no longer kept)."""


def _plain(value: Any) -> Any:
    """A signature value as JSON: sets become sorted lists, tuples lists, paths strings."""
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


class Step(ABC):
    """One stage of the pipeline. ``name`` is the stage name used in the manifest and in reject rows."""

    name: str = "step"
    #: Bumped when the step's behaviour changes for the same settings (the signature records it).
    version: int = 1
    #: Attributes whose values make up the signature (sacrebleu's habit: derived from the object's
    #: settings, so it cannot drift from what the step does). A Filter adds its ``decides_with``.
    signature_attrs: tuple[str, ...] = ()
    #: "row": the step judges each row on its own, so it runs per shard; "run": it needs every row of
    #: the run (dedup), so it runs once over all shards' kept rows, at the end of the chain (lrl/shards.py).
    scope: str = "row"

    @abstractmethod
    def run(self, records: Iterable[Record], ctx: RunContext) -> Iterator[Record]:
        """Yield the records that pass (and any new ones); send the others to ``ctx.reject``."""

    def describe(self) -> dict[str, Any]:
        """What the signature attributes do not say: how a model was made, a metric's own signature."""
        return {}

    def signature(self) -> dict[str, Any]:
        """Every setting that changes what this step keeps (for the manifest, sacrebleu-style), derived here
        for every step — subclasses name attributes, they do not write signatures: the stage name, the
        step's ``version``, the origins it judges (``applies_to``; None = every row), ``describe()`` and
        the values of ``signature_attrs`` (and a Filter's ``decides_with``)."""
        attrs = (*self.signature_attrs, *getattr(self, "decides_with", ()))
        return {"name": self.name, "version": self.version, "applies_to": _plain(getattr(self, "applies_to", None)),
                **self.describe(), **{a: _plain(getattr(self, a)) for a in attrs}}

    @classmethod
    def class_path(cls) -> str:
        """``module:Class``, recorded in the manifest so ``lrl rescore`` can rebuild a filter's decision."""
        return f"{cls.__module__}:{cls.__qualname__}"

    def close(self) -> None:  # noqa: B027 - an optional hook, not an abstract method
        """Release models or files; called once after the run."""


class Mapper(Step):
    """Changes records one at a time; ``apply`` returns a reason to reject, or None."""

    @abstractmethod
    def apply(self, record: Record) -> str | None: ...

    def run(self, records: Iterable[Record], ctx: RunContext) -> Iterator[Record]:
        st = ctx.stats[self.name]
        for rec in records:
            st.seen += 1
            reason = self.apply(rec)
            if reason:
                ctx.reject(rec, self.name, reason)
            else:
                st.passed += 1
                yield rec


class Filter(Step):
    """Scores, then decides. Subclasses implement ``score`` (or ``score_batch`` when a model is faster
    on batches) and ``decide``; scores are stored as ``record.scores[f"{name}.{key}"]``.

    Decisions are pure (OpusFilter's promise, kept): ``decide`` reads the row's stored scores and the
    attributes named in ``decides_with`` — nothing else, not the record's text. Those attributes are in the
    signature, so :meth:`decider` rebuilds the decision from a manifest without any model, and ``lrl
    rescore`` re-applies changed thresholds (``rescorable``: setting key → attribute path) to a finished run.
    """

    batch_size: int = 1
    #: When set, only records of these origins are scored and judged; others pass through uncounted.
    #: Lets a filter run a second time on synthetic rows only (e.g. after back-translation).
    applies_to: frozenset[str] | None = None
    #: Attributes ``decide`` reads besides the scores: thresholds and what the step learnt at build time.
    decides_with: tuple[str, ...] = ()
    #: Settings ``lrl rescore`` may change for this stage: dotted setting key → attribute path in the
    #: signature ("tgt.min_prob" is ``self.tgt["min_prob"]``). A stage whose bar comes from another setting
    #: (bt-fluency's ``bt.min_fluency``) gets its own mapping where the chain builds it.
    rescorable: dict[str, str] = {}
    #: Decisions depend on the rows decided before (dedup): rescore decides them in ``<stage>.seq`` order.
    stateful: bool = False

    @classmethod
    def decider(cls, signature: dict[str, Any]) -> Filter:
        """A filter that can ``decide`` (not score) from a manifest signature: no model is loaded."""
        obj = cls.__new__(cls)
        for attr in cls.decides_with:
            if attr not in signature:
                from lrl.errors import ConfigError

                raise ConfigError(f"the signature of {cls.class_path()} lacks {attr!r}: was the run made by an "
                                  "older lrl? Run `lrl augment` again")
            setattr(obj, attr, copy.deepcopy(signature[attr]))
        obj.restore()
        return obj

    def restore(self) -> None:  # noqa: B027 - an optional hook
        """After :meth:`decider`: turn JSON values back into what ``decide`` expects, reset decision state."""

    def score(self, record: Record) -> dict[str, float | str]:
        raise NotImplementedError

    def score_batch(self, records: list[Record]) -> list[dict[str, float | str]]:
        return [self.score(r) for r in records]

    @abstractmethod
    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        """A reason string (``"<key>: <detail>"``) to reject, or None to keep."""

    def run(self, records: Iterable[Record], ctx: RunContext) -> Iterator[Record]:
        st = ctx.stats[self.name]
        self._bypassed = []
        it: Iterator[Record] = iter(records)
        if self.applies_to is not None:
            it = self._split(it)
        prefix = f"{self.name}."
        # One "<stage>.<key>" string per key, shared by every row: built per row they were 10 MiB of each
        # 5,000-row shard (tracemalloc, issue 11), as many strings as scores.
        names: dict[str, str] = {}
        while batch := list(itertools.islice(it, self.batch_size)):
            st.seen += len(batch)
            for rec, scores in zip(batch, self.score_batch(batch), strict=True):
                for k, v in scores.items():
                    name = names.get(k)
                    if name is None:
                        name = names[k] = prefix + k
                    rec.scores[name] = v
                reason = self.decide(rec, scores)
                if reason:
                    ctx.reject(rec, self.name, reason)
                else:
                    st.passed += 1
                    yield rec
            yield from self._bypassed
            self._bypassed.clear()
        yield from self._bypassed
        self._bypassed.clear()

    _bypassed: list[Record]

    def _split(self, records: Iterator[Record]) -> Iterator[Record]:
        assert self.applies_to is not None
        for rec in records:
            if rec.origin in self.applies_to:
                yield rec
            else:
                self._bypassed.append(rec)


class BatchGenerator(Step):
    """A generator over batches: records it ``wants`` are collected (``batch_size`` at a time, at most
    ``max_rows`` per shard) and handed to ``emit``, which yields each parent (counting it as passed) followed
    by the records made from it (counting each with ``ctx.stats.created``); every other record passes
    straight on. A progress bar counts the parents."""

    batch_size: int = 64
    max_rows: int = 0
    progress: bool = True
    progress_label: str = "generate"

    @abstractmethod
    def wants(self, record: Record) -> bool: ...

    @abstractmethod
    def emit(self, parents: list[Record], ctx: RunContext) -> Iterator[Record]: ...

    def run(self, records: Iterable[Record], ctx: RunContext) -> Iterator[Record]:
        from tqdm import tqdm

        st = ctx.stats[self.name]
        bar = tqdm(desc=self.progress_label, unit=" rows", disable=not self.progress or None, mininterval=0.5,
                   leave=False)
        taken = 0
        pending: list[Record] = []
        try:
            for rec in records:
                st.seen += 1
                if self.wants(rec) and (not self.max_rows or taken < self.max_rows):
                    taken += 1
                    pending.append(rec)
                    if len(pending) >= self.batch_size:
                        yield from self.emit(pending, ctx)
                        bar.update(len(pending))
                        pending = []
                else:
                    st.passed += 1
                    yield rec
            if pending:
                yield from self.emit(pending, ctx)
                bar.update(len(pending))
        finally:
            bar.close()
