"""Device selection (bt.device, paraphrase.device) on a machine without a GPU: auto → cpu, cuda → a clear
error, compute type auto → int8 on CPU with the same rows as before, and the choice in the manifest and
the summary. What the GPU side does is exercised by eval/gpu/ on a GPU machine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lrl.errors import ConfigError
from lrl.models.device import pick_compute_type, pick_device, place
from lrl.models.translator import DecodeSettings
from tests.conftest import REPO, write_plugin

ct2 = pytest.importorskip("ctranslate2")
NO_GPU = ct2.get_cuda_device_count() == 0
YO = REPO / "languages" / "yo"


def test_auto_picks_the_cpu_without_a_gpu_and_cuda_with_one() -> None:
    assert pick_device("auto", "bt.device", gpus=0) == ("cpu", 0)
    assert pick_device("auto", "bt.device", gpus=2) == ("cuda", 2)
    assert pick_device("cpu", "bt.device", gpus=2) == ("cpu", 0)  # cpu is honoured even with a GPU
    assert pick_device("cuda", "bt.device", gpus=1) == ("cuda", 1)


@pytest.mark.skipif(not NO_GPU, reason="this machine has a GPU")
def test_auto_on_this_machine_is_cpu() -> None:
    for backend in ("ctranslate2", "transformers"):
        where = place("auto", "auto", "bt", backend)
        assert where.device == "cpu" and where.gpus == 0


@pytest.mark.skipif(not NO_GPU, reason="this machine has a GPU")
@pytest.mark.parametrize("backend", ["ctranslate2", "transformers"])
def test_cuda_without_a_gpu_is_a_config_error(backend: str) -> None:
    with pytest.raises(ConfigError) as err:
        pick_device("cuda", "paraphrase.device", backend)
    msg = str(err.value)
    assert "paraphrase.device" in msg and "no CUDA GPU" in msg and "nvidia-smi" in msg and "=auto" in msg


def test_unknown_device_is_refused() -> None:
    with pytest.raises(ConfigError, match="bt.device must be one of auto, cpu, cuda"):
        pick_device("gpu", "bt.device")


def test_compute_type_auto_per_device() -> None:
    assert pick_compute_type("auto", "cpu") == "int8"  # today's CPU default
    assert pick_compute_type("float32", "cpu") == "float32"  # an explicit choice is kept
    assert pick_compute_type("int8_float16", "cuda") == "int8_float16"
    assert pick_compute_type("auto", "cpu", "transformers") == "default"  # loads as before
    assert pick_compute_type("auto", "cuda", "transformers") == "bfloat16"


def test_batches_by_tokens_only_on_a_gpu() -> None:
    cpu = DecodeSettings(max_batch_size=32, max_batch_tokens=8192)
    assert cpu.batch_kwargs() == {"max_batch_size": 32}
    gpu = DecodeSettings(max_batch_size=32, max_batch_tokens=8192, device="cuda")
    assert gpu.batch_kwargs() == {"max_batch_size": 8192, "batch_type": "tokens"}
    assert DecodeSettings(device="cuda", max_batch_tokens=0).batch_kwargs() == {"max_batch_size": 32}


def test_translator_refuses_an_unresolved_device(tiny_marian: Path) -> None:
    from lrl.models.translator import CT2Translator

    with pytest.raises(ConfigError, match="resolve 'auto'"):
        CT2Translator(tiny_marian, settings=DecodeSettings(device="auto"))


def _run(tmp_path: Path, name: str, model: Path, overrides: dict[str, Any]) -> tuple[list[dict[str, Any]], Any]:
    import pyarrow.parquet as pq

    from lrl import config, pipeline
    from lrl.languages.plugin import load_plugin

    plugin = load_plugin(write_plugin(tmp_path / name / "languages"))
    cfg = config.resolve(plugin.defaults, "test", None, {
        "out_dir": str(tmp_path / name / "out"), "templates.enabled": False, "filters.langid.enabled": False,
        "inputs.max_rows": 6, "bt.model": str(model), "bt.score": "none",
        "filters.length.max_ratio": 1000.0, "filters.script.src_min_share": 0.0,
        "filters.untranslated.enabled": False, "filters.fluency.enabled": False,
        "filters.adequacy.enabled": False, **overrides})
    res = pipeline.run(plugin, cfg, pipeline.Inputs(mono=[str(YO / "mono.txt")], parallel=[]), progress=False)
    rows = [r for f in sorted((res.run_dir / "data").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    return rows, res


@pytest.mark.skipif(not NO_GPU, reason="this machine has a GPU")
def test_pipeline_auto_runs_int8_on_cpu_with_the_same_rows(tmp_path: Path, tiny_marian: Path) -> None:
    auto_rows, auto = _run(tmp_path, "auto", tiny_marian, {})
    cpu_rows, _ = _run(tmp_path, "cpu", tiny_marian, {"bt.device": "cpu", "bt.compute_type": "int8"})
    assert auto_rows == cpu_rows and any(r["origin"] == "bt" for r in auto_rows)
    bt = next(s for s in auto.manifest["steps"] if s["name"] == "bt")["signature"]
    assert bt["runtime"]["device"] == "cpu" and bt["runtime"]["compute_type"] == "int8"
    assert bt["runtime"]["batch"] == "32 sentences" and bt["batch_size"] == 4096  # bt.feed_rows
    assert bt["settings"]["compute_type"] == "int8"  # rows name what ran, as when int8 was the default
    from lrl.summary import summary_lines

    summary = "\n".join(summary_lines(auto.manifest, auto.kept_by_origin, auto.run_dir))
    assert "on cpu (int8, 32 sentences per batch)" in summary


@pytest.mark.skipif(not NO_GPU, reason="this machine has a GPU")
def test_cli_cuda_without_gpu_is_one_line_and_exit_78(tmp_path: Path, tiny_marian: Path) -> None:
    plugin = write_plugin(tmp_path / "languages")
    proc = subprocess.run(
        [sys.executable, "-m", "lrl", "augment", "--lang", str(plugin), "--mono", str(YO / "mono.txt"),
         "--out", str(tmp_path / "out"), "--set", f"bt.model={tiny_marian}", "--set", "bt.device=cuda"],
        capture_output=True, text=True, cwd=REPO, env={**_env(), "PYTHONPATH": str(REPO)}, timeout=300)
    assert proc.returncode == 78, proc.stderr
    assert "Traceback" not in proc.stderr
    assert 'bt.device = "cuda" but ctranslate2 sees no CUDA GPU' in proc.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("manifest.json"))


def test_bad_device_value_names_the_choices(tmp_path: Path) -> None:
    from lrl import config

    with pytest.raises(ConfigError, match="allowed: auto, cpu, cuda"):
        config.resolve({}, "test", None, {"bt.device": "gpu"})
    with pytest.raises(ConfigError, match="out of range"):
        config.resolve({}, "test", None, {"bt.max_batch_tokens": -1})


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "CUDA_VISIBLE_DEVICES"}


def test_manifest_settings_are_json(tmp_path: Path) -> None:
    """The placement is plain data (it goes into manifest.json)."""
    assert json.loads(json.dumps(place("cpu", "auto", "bt").as_dict())) == {
        "device": "cpu", "compute_type": "int8", "gpus": 0}
