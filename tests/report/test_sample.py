"""The report's bounded sample (lrl/report/sample.py): deterministic, the same however the rows are split
and merged, the cap respected, counts exact."""

import random
from pathlib import Path

import numpy as np

from lrl.record import Record
from lrl.report.sample import Sample, bar, hash_key, row_key
from lrl.report.summaries import Kept, Rejected, run_data

KEY = hash_key(7)


def rows(n: int) -> list[tuple[str, list[tuple[str, float]]]]:
    return [(f"mono:x.txt:{i}", [("a.x", float(i)), *([("b.y", -float(i))] if i % 3 else [])]) for i in range(n)]


def sample_of(items: list[tuple[str, list[tuple[str, float]]]], cap: int) -> Sample:
    s = Sample(cap)
    for i, (rid, scores) in enumerate(items):
        s.offer(row_key(KEY, rid), i, rid, scores)
    return s


def taken(s: Sample, cap: int) -> tuple[list[str], dict[str, list[float]]]:
    got, scores = s.take(bar([s], cap))
    return sorted(got), {k: sorted(v.tolist()) for k, v in scores.items()}


def test_the_sample_is_the_rows_with_the_smallest_keys_and_respects_the_cap() -> None:
    items = rows(5000)
    s = sample_of(items, 300)
    assert s.seen == 5000 and len(s) <= 300 + 300 // 8 + 16  # held between prunes
    got, scores = taken(s, 300)
    expected = sorted(items, key=lambda r: (row_key(KEY, r[0]), items.index(r)))[:300]
    assert got == sorted(r[0] for r in expected)
    assert scores["a.x"] == sorted(v for _, sc in expected for k, v in sc if k == "a.x")
    assert scores["b.y"] == sorted(v for _, sc in expected for k, v in sc if k == "b.y")
    assert taken(sample_of(items, 300), 300) == (got, scores)  # deterministic
    other = Sample(300)
    for rid, sc in items:
        other.offer(row_key(hash_key(8), rid), 0, rid, sc)
    assert taken(other, 300)[0] != got  # another seed, another sample


def test_below_the_cap_every_row_in_order() -> None:
    items = rows(200)
    s = sample_of(items, 300)
    got, scores = s.take(bar([s], 300))
    assert got == [r[0] for r in items] and scores["a.x"].tolist() == [float(i) for i in range(200)]
    assert bar([s], 0) is None and len(sample_of(rows(2000), 0)) == 2000  # 0: no cap


def test_shards_merged_in_any_order_give_the_one_sample() -> None:
    items = rows(4000)
    whole = taken(sample_of(items, 250), 250)
    parts = [items[i:i + 700] for i in range(0, len(items), 700)]
    for seed in range(4):
        order = list(range(len(parts)))
        random.Random(seed).shuffle(order)
        merged = Sample(250)
        for k in order:  # each shard's own ties: its rows' places in the whole stream
            part = Sample(250)
            for rid, sc in parts[k]:
                part.offer(row_key(KEY, rid), items.index((rid, sc)), rid, sc)
            merged.merge(part)
        assert merged.seen == 4000 and taken(merged, 250) == whole


def test_a_sample_saved_and_restored_is_the_same(tmp_path: Path) -> None:
    s = sample_of(rows(1000), 100)
    np.savez(tmp_path / "s.npz", **s.arrays("p"))
    with np.load(tmp_path / "s.npz") as arrays:
        back = Sample.restore(s.meta(), arrays, "p")
    assert back.seen == s.seen and back.bar == s.bar and taken(back, 100) == taken(s, 100)


def record(i: int, parallel: bool) -> Record:
    return Record(id=f"r{i}", src=f"en {i}" if parallel else "", tgt=f"yo {i}", origin="bt" if parallel else "mono",
                  scores={"len.n": float(i), "dedup.seq": i})


def test_run_sample_counts_every_row_and_draws_from_kept_and_rejected_together(tmp_path: Path) -> None:
    kept, parts = Kept(cap=500, seed=3), [Rejected(cap=500, seed=3) for _ in range(3)]
    for i in range(3000):
        if i % 4 == 0:
            parts[i % 3].add({"stage": "length", "reason": f"too long: {i}", "id": f"r{i}", "origin": "mono",
                              "scores": {"len.n": float(i)}})
        else:
            kept.add(record(i, parallel=i % 2 == 1))
    merged = Rejected(cap=500, seed=3)
    for part in reversed(parts):
        merged.merge(part)
    d = run_data(tmp_path, {}, kept, merged)
    assert d.sampled == (500, 3000)
    assert sum(d.rejected.values()) == 750 and d.rejected_by_origin["mono"] == 750  # exact
    assert d.kept_by_origin == {"mono": 750, "bt": 1500}
    n_kept, n_rejected = len(d.kept_scores["len.n"]), len(d.rejected_scores["len.n"])
    assert n_kept + n_rejected == 500 and len(d.kept) == n_kept
    # the union's 500 smallest keys, and the kept rows in the files' order: monolingual, then parallel
    ids = sorted((row_key(hash_key(3), f"r{i}"), i) for i in range(3000))[:500]
    assert {r["id"] for r in d.kept} == {f"r{i}" for _, i in ids if i % 4}
    assert [r["src"] == "" for r in d.kept] == sorted((r["src"] == "" for r in d.kept), reverse=True)
    assert sorted(d.rejected_scores["len.n"].tolist()) == sorted(float(i) for _, i in ids if i % 4 == 0)
    assert "dedup.seq" not in d.kept_scores


def test_parts_pruned_together_keep_the_run_sample_and_hold_about_the_cap_between_them() -> None:
    from lrl.report.sample import share

    items = rows(6000)
    alone, together = [Sample(400), Sample(400)], [Sample(400), Sample(400)]
    for i, (rid, sc) in enumerate(items):
        alone[i % 2].offer(row_key(KEY, rid), i, rid, sc)
        together[i % 2].offer(row_key(KEY, rid), i, rid, sc)
        share(together, 400)
        assert sum(len(p) for p in together) <= 400 + 400 // 8 + 16
    limit = bar(alone, 400)
    assert bar(together, 400) == limit
    assert [p.take(limit)[0] for p in together] == [p.take(limit)[0] for p in alone]


def test_a_sampled_kept_row_packed_and_unpacked_is_itself() -> None:
    from lrl.report.data import pack_row, unpack_row

    for row in (("r1", "", "Ọjà náà", "mono", None), ("bt:r1", "The market", "Ọjà", "bt", "r1"),
                ("r2", "a\0b", "c", "seed", ""), ("r3", "", "", "template", "")):
        assert unpack_row(pack_row(*row)) == dict(zip(("id", "src", "tgt", "origin", "parent_id"), row, strict=True))
