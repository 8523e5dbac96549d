"""With bt.model = "", a bootstrap transformer cached by `lrl bootstrap` replaces the IBM-1 tables for a
direction when its recorded dev chrF++ is higher — and not otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lrl import config
from lrl.languages.plugin import load_plugin
from lrl.pipeline import Inputs, run

pytest.importorskip("torch")


@pytest.fixture
def cached_model(tmp_path: Path, tiny_plugin_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from lrl.models.bootstrap import BootstrapSettings, bootstrap

    monkeypatch.setenv("LRL_CACHE", str(tmp_path / "cache"))
    plugin = load_plugin(tiny_plugin_dir)
    s = BootstrapSettings(direction="yo-en", minutes=1.0, max_steps=3, vocab_size=120, d_model=16,
                          encoder_layers=1, decoder_layers=1, heads=2, ffn_dim=32, batch_tokens=600,
                          dev_size=2, templates=40, quantize="none", threads=1)
    return bootstrap(plugin, [], s).path


def _bt_signature(tiny_plugin_dir: Path, out: Path, **over: object) -> dict:
    plugin = load_plugin(tiny_plugin_dir)
    cfg = config.resolve({}, "p", None, {"out_dir": str(out), "templates.count": 20, **over})
    m = run(plugin, cfg, Inputs([], []), progress=False).manifest
    return next(s["signature"] for s in m["steps"] if s["name"] == "bt")


def test_better_cached_bootstrap_is_used(cached_model: Path, tiny_plugin_dir: Path, tmp_path: Path) -> None:
    meta_path = cached_model / "lrl-model.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    # A random tiny model scores ~0; record a winning score to stand for a well-trained one.
    meta["dev"]["chrf++"] = 99.0
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    sig = _bt_signature(tiny_plugin_dir, tmp_path / "out")
    assert sig["model"]["kind"] == "marian" and sig["model"]["id"] == cached_model.name
    assert sig["cached_bootstrap"]["yo-en"]["dev_chrf++"] == 99.0
    forced = _bt_signature(tiny_plugin_dir, tmp_path / "out2", **{"bt.kind": "ibm1"})
    assert forced["model"]["kind"] == "ibm1" and "cached_bootstrap" not in forced


def test_weak_cached_bootstrap_is_not_used(cached_model: Path, tiny_plugin_dir: Path, tmp_path: Path) -> None:
    """The tiny plugin's seed is too small for an IBM-1 dev score; a cached model must then beat the
    typical IBM-1 score, which a 3-step model does not."""
    meta_path = cached_model / "lrl-model.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["dev"]["chrf++"] = 15.0  # a short training run's typical score: below word tables
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    sig = _bt_signature(tiny_plugin_dir, tmp_path / "out")
    assert "yo-en" not in (sig.get("dev") or {})
    assert sig["model"]["kind"] == "ibm1" and "cached_bootstrap" not in sig
