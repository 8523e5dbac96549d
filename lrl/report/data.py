"""What the report shows, gathered from a run folder: ``manifest.json``, the parquet shards and
``rejected.jsonl``. Nothing here plots; everything is plain numbers and rows, so it can be tested alone.

The gathering is generic over scores: every numeric ``record.scores["<stage>.<key>"]`` gets a histogram,
and thresholds are read from the step signatures in the manifest (keys starting ``min_``/``max_``), so
filters added later show up without changes here.

Counts (per reason, per origin, totals) and the lexicon coverage are over every row; what the page draws
per row (kept rows' text, every row's scores) is over a bounded sample of them (``report.sample_rows``,
lrl/report/sample.py), the whole run when it has no more rows than that.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from lrl.report.sample import DEFAULT_CAP, Sample, bar, hash_key, row_key
from lrl.step import reason_key

#: Examples shown per rejection reason and kept rows shown per origin.
EXAMPLES_PER_REASON = 3
SAMPLE_PER_ORIGIN = 5
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Threshold:
    name: str  # what it bounds, e.g. "tgt_prob" for the signature's "tgt.min_prob"
    value: float
    kind: str  # "min" or "max"
    path: str = ""  # the signature path, e.g. "tgt.min_prob"


@dataclass
class RunData:
    run_dir: Path
    manifest: dict[str, Any]
    #: the sampled kept rows (id, src, tgt, origin, parent_id), in the files' order (every kept row when the
    #: run is not sampled)
    kept: list[dict[str, Any]]
    #: (stage, reason key) → count, and a few example rows of each
    rejected: Counter[tuple[str, str]] = field(default_factory=Counter)
    rejected_examples: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    rejected_by_origin: Counter[str] = field(default_factory=Counter)
    #: score key → values over the sampled kept rows / rejected rows
    kept_scores: dict[str, np.ndarray] = field(default_factory=dict)
    rejected_scores: dict[str, np.ndarray] = field(default_factory=dict)
    #: every kept row, counted per origin
    kept_by_origin: Counter[str] = field(default_factory=Counter)
    #: (rows label, lexicon coverage) over every kept row; empty when the plugin's lexicon cannot be read
    coverage: list[tuple[str, dict[str, float]]] = field(default_factory=list)
    #: (rows in the sample, rows in the run) when the per-row material is a sample; None when it is every row
    sampled: tuple[int, int] | None = None

    @property
    def code(self) -> str:
        return str(self.manifest["language"]["code"])

    def stage_order(self) -> list[str]:
        return stage_order(self.manifest)

    def score_keys(self) -> list[str]:
        """Numeric score keys, grouped by stage in pipeline order."""
        keys = set(self.kept_scores) | set(self.rejected_scores)
        rank = {s: i for i, s in enumerate(self.stage_order())}
        return sorted(keys, key=lambda k: (rank.get(k.split(".", 1)[0], len(rank)), k))


def stage_order(manifest: dict[str, Any]) -> list[str]:
    """Stages in pipeline order: "read", then the steps as the manifest lists them, then any other (the
    manifest's ``stages`` are in the order stages first reported, which runs backwards through a stream)."""
    stages = manifest.get("stages", {})
    order = ["read", *[s["name"] for s in manifest.get("steps", [])]]
    order += [s for s in stages if s not in order]
    return [s for s in order if s in stages]


def kept_rows(path: Path) -> Iterator[dict[str, Any]]:
    for shard in sorted((path / "data").rglob("*.parquet")):
        yield from pq.read_table(shard, columns=["id", "src", "tgt", "origin", "parent_id", "scores"]).to_pylist()


def numeric_scores(scores: dict[str, Any]) -> list[tuple[str, float]]:
    """The numbers among a row's scores; not ``*.seq``, a row's place in a stage's input (dedup), not a
    measurement. A list built in one comprehension: this runs for every row of a run."""
    return [(k, float(v)) for k, v in scores.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and not k.endswith(".seq")]


def sample_settings(manifest: dict[str, Any]) -> tuple[int, int]:
    """(``report.sample_rows``, the run's seed, which keys the sample's hash) as the manifest (or the draft
    of one) records them; a run made before the setting: its default."""
    cap = (manifest.get("config") or {}).get("report", {}).get("sample_rows", DEFAULT_CAP)
    return int(cap), int(manifest.get("seed") or 0)


def kept_tie(parallel: bool, index: int) -> int:
    """A kept row's tie in the sample (lrl/report/sample.py), and its place in the files' order: the
    monolingual rows (in the order written), then the parallel ones."""
    return (1 << 63 if parallel else 0) | index


class KeptRows:
    """Kept rows as they go by (written, or read back from the files): every one counted per origin and
    looked for lexicon entries, the sampled ones held (fields the report shows, numeric scores)."""

    def __init__(self, cap: int, key: bytes, lexicon: list[str]) -> None:
        self.key = key
        self.sample = Sample(cap)
        self.by_origin: Counter[str] = Counter()
        self.written = [0, 0]  # monolingual, parallel rows so far
        self.coverage = (Coverage(lexicon), Coverage(lexicon)) if lexicon else None

    def add(self, id: str, src: str, tgt: str, origin: str, parent_id: str | None, scores: Any) -> None:
        """``scores``: the row's scores dict, or a callable that makes it (read only for a sampled row)."""
        parallel = bool(src) and bool(tgt)
        index = self.written[parallel]
        self.written[parallel] += 1
        self.by_origin[origin] += 1
        if self.coverage is not None:
            words = tokens(tgt)
            self.coverage[0].add(words)
            if origin != "template":
                self.coverage[1].add(words)
        key, tie = row_key(self.key, id), kept_tie(parallel, index)
        if self.sample.wants(key, tie):
            self.sample.add(key, tie, pack_row(id, src, tgt, origin, parent_id),
                            numeric_scores(scores() if callable(scores) else scores))

    def coverage_rows(self) -> list[tuple[str, dict[str, float]]]:
        if self.coverage is None:
            return []
        return [("all kept rows", self.coverage[0].result()),
                ("kept rows not from templates", self.coverage[1].result())]


KEPT_FIELDS = ("id", "src", "tgt", "origin", "parent_id")


def pack_row(id: str, src: str, tgt: str, origin: str, parent_id: str | None) -> bytes | tuple[Any, ...]:
    """A sampled kept row's fields as one UTF-8 string, NUL between them (half the memory of a tuple of
    str: Yoruba text takes 2 bytes a character as str); a row whose text holds a NUL stays a tuple."""
    fields = (id, src, tgt, origin) if parent_id is None else (id, src, tgt, origin, parent_id)
    text = "\0".join(fields)
    if text.count("\0") != len(fields) - 1:
        return (id, src, tgt, origin, parent_id)
    return text.encode("utf-8", "surrogatepass")


def unpack_row(packed: bytes | tuple[Any, ...]) -> dict[str, Any]:
    if isinstance(packed, tuple):
        return dict(zip(KEPT_FIELDS, packed, strict=True))
    fields = packed.decode("utf-8", "surrogatepass").split("\0")
    return dict(zip(KEPT_FIELDS, fields if len(fields) == 5 else [*fields, None], strict=True))


def run_data(run_dir: Path, manifest: dict[str, Any], kept: KeptRows, rejected: Sample,
             counts: Counter[tuple[str, str]], examples: dict[tuple[str, str], list[dict[str, Any]]],
             rejected_by_origin: Counter[str]) -> RunData:
    """The page's numbers from the kept rows and the rejected rows' sample: the run's sample is the
    ``cap`` rows of both with the smallest keys (lrl/report/sample.py)."""
    cap = kept.sample.cap
    limit = bar([kept.sample, rejected], cap)
    rows, kept_scores = kept.sample.take(limit, by_tie=True)
    _, rejected_scores = rejected.take(limit)
    total = kept.sample.seen + rejected.seen
    return RunData(run_dir, manifest,
                   [unpack_row(r) for r in rows],
                   rejected=counts, rejected_examples=examples, rejected_by_origin=rejected_by_origin,
                   kept_scores=kept_scores, rejected_scores=rejected_scores, kept_by_origin=kept.by_origin,
                   coverage=kept.coverage_rows(), sampled=(cap, total) if cap and total > cap else None)


def load_run(run_dir: Path, manifest: dict[str, Any] | None = None) -> RunData:
    """``manifest``: given while a run completes (its manifest.json is written last, after the report)."""
    run_dir = Path(run_dir)
    if manifest is None:
        manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    cap, seed = sample_settings(manifest)
    key = hash_key(seed)
    kept = KeptRows(cap, key, lexicon_entries(manifest))
    for row in kept_rows(run_dir):
        def scores(s: Any = row["scores"]) -> dict[str, Any]:
            return json.loads(s) if isinstance(s, str) else (s or {})

        kept.add(row["id"], row["src"], row["tgt"], row["origin"], row["parent_id"], scores)
    rejected = Sample(cap)
    rejected.lower(kept.sample.bar)  # a rejected row above the kept rows' bar is not among the run's cap first
    counts: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], list[dict[str, Any]]] = {}
    by_origin: Counter[str] = Counter()
    rejected_path = run_dir / "rejected.jsonl"
    if rejected_path.is_file():
        with open(rejected_path, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                reason = (r["stage"], reason_key(r["reason"]))
                counts[reason] += 1
                by_origin[r.get("origin", "?")] += 1
                ex = examples.setdefault(reason, [])
                if len(ex) < EXAMPLES_PER_REASON:
                    ex.append(r)
                rejected.offer(row_key(key, r["id"]), row_key(key, line), None,
                               numeric_scores(r.get("scores") or {}))
    return run_data(run_dir, manifest, kept, rejected, counts, examples, by_origin)


def _flatten(sig: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(sig, dict):
        for k, v in sig.items():
            yield from _flatten(v, f"{prefix}{k}.")
    else:
        yield prefix[:-1], sig


def thresholds(manifest: dict[str, Any]) -> list[tuple[str, Threshold]]:
    """(stage, threshold) for every ``[path.]min_X`` / ``max_X`` number in the step signatures; the
    threshold's name is ``<path>_X`` with the path's dots as underscores (``tgt.min_prob`` → ``tgt_prob``)."""
    out = []
    for step in manifest.get("steps", []):
        for path, value in _flatten(step.get("signature") or {}):
            *parents, last = path.split(".")
            if (re.match(r"^(min|max)_", last) and isinstance(value, (int, float))
                    and not isinstance(value, bool)):
                kind, what = last.split("_", 1)
                out.append((step["name"], Threshold("_".join([*parents, what]), float(value), kind, path)))
    return out


def thresholds_for(keys: list[str], manifest: dict[str, Any]) -> dict[str, list[Threshold]]:
    """score key → thresholds drawn on its histogram.

    Threshold ``<path>_X`` of step S applies to score ``S.<path>_X``; one without a path, ``X``, to
    ``S.X`` and ``S.*_X`` (``max_chars`` to both sides' ``*_chars``); when no score name matches and the
    step has a single numeric score, to that one (the round-trip step names its threshold ``min_chrf`` and
    its score ``roundtrip``)."""
    found: dict[str, list[Threshold]] = {}
    by_stage: dict[str, list[Threshold]] = defaultdict(list)
    for stage, th in thresholds(manifest):
        by_stage[stage].append(th)
    for stage, ths in by_stage.items():
        names = {k.split(".", 1)[1]: k for k in keys if "." in k and k.split(".", 1)[0] == stage}
        matched = False
        for th in ths:
            if th.name in names:
                match = [names[th.name]]
            else:
                match = [] if "_" in th.name else [k for n, k in names.items() if n.endswith("_" + th.name)]
            matched = matched or bool(match)
            for k in match:
                found.setdefault(k, []).append(th)
        if not matched and len(names) == 1 and len(ths) == 1:
            found.setdefault(next(iter(names.values())), []).append(ths[0])
    return found


def tokens(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def diversity(texts: list[str], window: int = 100) -> dict[str, float]:
    """distinct-1/2 (distinct n-grams over all n-grams, which shrink as a corpus grows) and the mean
    segmental type/token ratio over ``window``-token segments (comparable between corpora of any size)."""
    uni: Counter[str] = Counter()
    bi: Counter[tuple[str, str]] = Counter()
    stream: list[str] = []
    for t in texts:
        w = tokens(t)
        uni.update(w)
        bi.update(zip(w, w[1:]))
        stream += w
    n1, n2 = sum(uni.values()), sum(bi.values())
    segs = [stream[i:i + window] for i in range(0, len(stream) - window + 1, window)]
    msttr = sum(len(set(s)) / window for s in segs) / len(segs) if segs else (len(uni) / n1 if n1 else 0.0)
    return {"sentences": len(texts), "tokens": n1, "types": len(uni),
            "distinct_1": len(uni) / n1 if n1 else 0.0, "distinct_2": len(bi) / n2 if n2 else 0.0,
            "msttr": msttr}


def lexicon_entries(manifest: dict[str, Any]) -> list[str]:
    """The plugin lexicon's entries in the language (column named by the code), or [] when unreadable."""
    from lrl.languages.plugin import load_plugin

    try:
        plugin = load_plugin(Path(manifest["language"]["plugin"]))
        path = plugin.file("lexicon")
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
    except Exception:  # the report must not fail because a plugin moved since the run
        return []
    code = manifest["language"]["code"]
    return sorted({r[code].strip() for r in rows if r.get(code) and r[code].strip()})


class Coverage:
    """Which lexicon entries occur (as whole words, case-insensitive) in the texts given so far, one text's
    words at a time. A multi-word entry counts when its words follow each other in one text; it is looked
    for only in the texts that hold its first word (one regex search per entry over all the text cost
    seconds on a large run). Holds the entries found, not the texts' words: bounded by the lexicon."""

    def __init__(self, entries: list[str]) -> None:
        self.n = len(entries)
        self.wanted = [tuple(tokens(e)) for e in entries]
        self.singles = {w[0] for w in self.wanted if len(w) == 1}
        self.multi = {w for w in self.wanted if len(w) > 1}
        # the lengths of the multi-word entries starting with each word: a text's candidate n-grams are
        # built once per position of such a word, and matched against every entry in one set operation
        self.lengths: dict[str, set[int]] = defaultdict(set)
        for w in self.multi:
            self.lengths[w[0]].add(len(w))
        self.words: set[str] = set()
        self.found: set[tuple[str, ...]] = set()

    def add(self, ws: list[str]) -> None:
        """One text's words (:func:`tokens`)."""
        present = set(ws)
        self.words |= self.singles & present
        if self.lengths.keys() & present:
            lengths = self.lengths
            grams = {tuple(ws[i:i + n]) for i, x in enumerate(ws) if x in lengths for n in lengths[x]}
            self.found |= grams & self.multi

    def result(self) -> dict[str, float]:
        if not self.n:
            return {"entries": 0, "seen": 0, "share": 0.0}
        seen = sum(1 for e in self.wanted if e and (e in self.found if len(e) > 1 else e[0] in self.words))
        return {"entries": self.n, "seen": seen, "share": seen / self.n}


def lexicon_coverage(entries: list[str], texts: list[str]) -> dict[str, float]:
    """Share of lexicon entries that occur in ``texts`` (:class:`Coverage`)."""
    c = Coverage(entries)
    for t in texts:
        c.add(tokens(t))
    return c.result()


def sample_by_origin(kept: list[dict[str, Any]], n: int = SAMPLE_PER_ORIGIN, seed: int = 0) -> dict[str, list[dict]]:
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in kept:
        by[r["origin"]].append(r)
    rng = random.Random(seed)
    return {o: rng.sample(rows, min(n, len(rows))) for o, rows in sorted(by.items())}
