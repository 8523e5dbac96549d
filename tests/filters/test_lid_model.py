"""The py3langid model unpacked into the cache and memory-mapped (lrl/filters/lid_model.py) scores exactly as
py3langid's own loader does, and a cache that cannot be written falls back to that loader."""

from pathlib import Path

import numpy as np
import pytest

from lrl.filters import lid_model
from lrl.filters.lid_batch import BatchScorer

TEXTS = ["Hello world, this is English.", "Ẹ kú àárọ̀, ṣé dáadáa ni?", "ÀWỌN ỌMỌ ILÉ-ÌWÉ", "", "x" * 900,
         "Ina son ka sosai", "Bonjour tout le monde"]


def _reference() -> object:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _model_file() -> Path:
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return Path(MODEL_DIR) / MODEL_FILE


def test_cached_model_scores_like_py3langid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LRL_CACHE", str(tmp_path))
    ref = _reference()
    first = lid_model.load(_model_file())  # unpacks
    again = lid_model.load(_model_file())  # maps the unpacked files
    assert len(list((tmp_path / "lid").iterdir())) == 1
    assert isinstance(again.tk_nextmove.base, np.memmap)  # a view of the mapping, not a copy
    want = [ref._decide(t) for t in TEXTS]  # type: ignore[attr-defined]
    for ident in (first, again):
        scorer = BatchScorer(ident, use_native=False)  # the numpy walk; the C kernel: tests/filters/test_fast_paths
        assert all(np.array_equal(a, b) for a, b in zip(scorer.decide(TEXTS), want, strict=True))
        assert [ident.classify(t) for t in TEXTS] == [ref.classify(t) for t in TEXTS]  # type: ignore[attr-defined]


def test_unwritable_cache_falls_back_to_py3langid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("LRL_CACHE", str(blocker))
    ident = lid_model.load(_model_file())
    assert not isinstance(getattr(ident.tk_nextmove, "base", None), np.memmap)
    assert ident.classify(TEXTS[0]) == _reference().classify(TEXTS[0])  # type: ignore[attr-defined]
