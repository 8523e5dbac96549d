"""The quality checks' disk cache (lrl/quality.py): a run with the same seed, plugin, settings and code reads
the learnt fluency, adequacy and untranslated checks back, and they score rows exactly as freshly learnt
ones; anything else that changes learns them again."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest

from lrl import config, quality
from lrl.chain import input_checks
from lrl.languages import find_plugin
from lrl.quality import gather
from lrl.record import Record
from lrl.step import Filter

LEARNT = ("untranslated", "fluency", "adequacy")


@pytest.fixture
def seed_tsv(shared_data: Path, tmp_path: Path) -> Path:
    lines = (shared_data / "yo/menyo20k/dev.tsv").read_text(encoding="utf-8").splitlines()[1:401]
    path = tmp_path / "seed.tsv"
    path.write_text("en\tyo\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _checks(seed_tsv: Path, **over: object) -> dict[str, Filter]:
    plugin = find_plugin("yo")
    # a 400-pair seed has too few English word types for fluency's default floor
    cfg = config.resolve(plugin.defaults, "plugin", None, {"templates.enabled": False,
                                                           "filters.fluency.min_train_types": 500, **over})
    seed = gather(plugin, cfg, [str(seed_tsv)])
    return {s.name: s for s in input_checks(plugin, cfg, seed) if s.name in LEARNT and isinstance(s, Filter)}


def _rows(seed_tsv: Path) -> list[Record]:
    pairs = [line.split("\t")[:2] for line in seed_tsv.read_text(encoding="utf-8").splitlines()[1:60]]
    rng = random.Random(0)
    rows = []
    for i, (en, yo) in enumerate(pairs):
        words = en.split()
        rng.shuffle(words)
        rows.append(Record(id=f"{i}", src=en, tgt=yo, origin="parallel"))
        rows.append(Record(id=f"{i}s", src=" ".join(words), tgt=yo, origin="parallel"))
        rows.append(Record(id=f"{i}m", src=pairs[(i + 7) % len(pairs)][0], tgt=yo, origin="parallel"))
        rows.append(Record(id=f"{i}u", src=f"{en} {' '.join(yo.split()[:4])}", tgt=yo, origin="parallel"))
    return rows


def _cached(tmp: Path) -> list[Path]:
    return sorted((tmp / "quality").glob("*.pkl")) if (tmp / "quality").is_dir() else []


def test_a_second_run_reads_the_checks_back_and_they_score_the_same(seed_tsv: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("LRL_CACHE", str(tmp_path / "cache"))
    first = _checks(seed_tsv)
    assert set(first) == set(LEARNT)
    files = _cached(tmp_path / "cache")
    assert [f.name.split("-")[0] for f in files] == ["adequacy", "fluency", "untranslated"]
    with caplog.at_level(logging.INFO, logger="lrl.quality"):
        again = _checks(seed_tsv)
    assert sum("read from the cache" in r.getMessage() for r in caplog.records) == 3
    assert _cached(tmp_path / "cache") == files
    rows = _rows(seed_tsv)
    for name in LEARNT:
        assert first[name].signature() == again[name].signature()
        assert first[name].score_batch(rows) == again[name].score_batch(rows), name
        # not a vacuous comparison: each check tells the rows apart
        scores = first[name].score_batch(rows)
        assert any(len({str(s.get(k)) for s in scores}) > 2 for k in scores[0]), (name, scores[0])


def test_another_seed_setting_or_a_damaged_file_learns_again(seed_tsv: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("LRL_CACHE", str(tmp_path / "cache"))
    _checks(seed_tsv)
    assert len(_cached(tmp_path / "cache")) == 3
    _checks(seed_tsv, **{"filters.fluency.top_words": 200})  # a setting: every key changes (settings are hashed whole)
    assert len(_cached(tmp_path / "cache")) == 6
    other = tmp_path / "other.tsv"
    text = seed_tsv.read_text(encoding="utf-8").splitlines()
    other.write_text("\n".join(text[:-5]) + "\n", encoding="utf-8")  # five pairs fewer
    _checks(other)
    assert len(_cached(tmp_path / "cache")) == 9
    monkeypatch.setattr(quality, "_code_digest", lambda: "another lrl")  # an edit to lrl's source
    _checks(seed_tsv)
    assert len(_cached(tmp_path / "cache")) == 12
    monkeypatch.undo()
    monkeypatch.setenv("LRL_CACHE", str(tmp_path / "cache"))
    for f in _cached(tmp_path / "cache"):
        f.write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING, logger="lrl.quality"):
        assert set(_checks(seed_tsv)) == set(LEARNT)
    assert sum("unreadable cached check" in r.getMessage() for r in caplog.records) == 3


def test_quality_cache_false_writes_nothing(seed_tsv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LRL_CACHE", str(tmp_path / "cache"))
    assert set(_checks(seed_tsv, **{"quality.cache": False})) == set(LEARNT)
    assert _cached(tmp_path / "cache") == []
