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


def test_with_a_dev_split_candidates_are_measured_alike(cached_model: Path, tiny_plugin_dir: Path, tmp_path: Path,
                                                        shared_data: Path) -> None:
    """A seed large enough for a dev split: the cached model is decoded on IBM-1's held-out pairs by the
    run's decoder, and its own recorded number (here a flattering 99) no longer decides."""
    meta_path = cached_model / "lrl-model.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["dev"]["chrf++"] = 99.0
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    plugin = load_plugin(tiny_plugin_dir)
    # The tiny model has 256 positions: the run's decoder must stop before them, or measuring it fails.
    cfg = config.resolve({}, "p", None, {"out_dir": str(tmp_path / "out"), "templates.count": 20,
                                         "inputs.max_rows": 300, "bt.max_decoding_length": 64})
    m = run(plugin, cfg, Inputs([], [str(shared_data / "yo" / "menyo20k" / "train.tsv")]), progress=False).manifest
    sig = next(s["signature"] for s in m["steps"] if s["name"] == "bt")
    measured = sig["candidates"]["yo-en"]
    assert sig["model"]["kind"] == "ibm1" and "cached_bootstrap" not in sig
    assert measured["ibm1_dev_chrf++"] == sig["dev"]["yo-en"]["chrf++"]
    [cand] = measured["candidates"]
    assert cand["own_dev_chrf++"] == 99.0 and "error" not in cand, cand
    assert cand["dev_chrf++"] < measured["ibm1_dev_chrf++"]
    assert f"({sig['dev']['rows']} seed pairs)" in measured["dev"]


def test_the_candidate_that_scores_higher_on_the_dev_split_is_chosen(cached_model: Path) -> None:
    """The choice itself: against tables recorded below any possible chrF++ (-1: a random tiny model cannot
    be made to win honestly), the cached model replaces them, and the score recorded is the one measured
    here with the run's decoder, not the model's own."""
    from lrl.models.choose import measure, prefer_cached
    from lrl.models.prepare import decode_settings
    from lrl.models.translator import CT2Translator

    cfg = config.resolve({}, "p", None, {"bt.device": "cpu", "bt.max_decoding_length": 64})
    dev = [("The child is going to school.", "Ọmọ náà ń lọ sí ilé ìwé."),
           ("My father bought a car.", "Bàbá mi ra ọkọ̀."), ("The market is big.", "Ọjà náà tóbi.")]
    info = {"dev": {"yo-en": {"chrf++": -1.0}, "en-yo": {"chrf++": -1.0}}}
    back, fwd, out = prefer_cached("yo", cfg, dev, "ibm1-back", "ibm1-fwd", info)
    expected = measure(CT2Translator(cached_model / "ct2", "marian", settings=decode_settings(cfg)), dev, True)
    assert expected["chrf++"] >= 0
    assert isinstance(back, CT2Translator) and fwd == "ibm1-fwd"  # no en-yo model is cached
    assert out["cached_bootstrap"]["yo-en"]["dev_chrf++"] == expected["chrf++"]
    assert out["candidates"]["yo-en"]["candidates"][0]["own_dev_chrf++"] == out_own(cached_model)


def out_own(model_dir: Path) -> float | None:
    return json.loads((model_dir / "lrl-model.json").read_text(encoding="utf-8"))["dev"].get("chrf++")
