"""eval/gpu/ end to end at tiny scale on CPU: prepare.py gathers the data slices and lrl's synthetic rows,
run.sh runs bt_throughput.py (an NLLB-shaped model through lrl and raw CTranslate2) and mt.py (the same
transformer on seed / + back-translation / + substitution and templates / all, scored with sacrebleu).
Real torch, transformers, CTranslate2 and sacrebleu on 16-wide models; the GPU run itself is not here."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

for mod in ("torch", "transformers", "ctranslate2", "sentencepiece"):
    pytest.importorskip(mod)


def test_prepare_then_run_sh_tiny_on_cpu(tmp_path: Path, shared_data: Path) -> None:
    carry, res = tmp_path / "carry", tmp_path / "res"
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHON": sys.executable}
    subprocess.run([sys.executable, str(REPO / "eval" / "gpu" / "prepare.py"), "--tiny", "--no-wheels",
                    "--shared", str(shared_data), "--out", str(carry), "--work", str(tmp_path / "augment")], check=True, env=env, cwd=REPO,
                   capture_output=True, timeout=600)
    info = json.loads((carry / "carry.json").read_text(encoding="utf-8"))
    assert info["data"]["train_pairs"] > 0 and info["data"]["dev_pairs"] == 40 and info["data"]["mono_lines"] == 64
    with open(carry / "data" / "synthetic.tsv", encoding="utf-8", newline="") as f:
        origins = {row[0] for row in list(csv.reader(f, delimiter="\t"))[1:]}
    assert origins == {"bt", "substitute", "template"}
    with open(carry / "data" / "dev.tsv", encoding="utf-8", newline="") as f:
        dev = {x for row in list(csv.reader(f, delimiter="\t"))[1:] for x in row}
    with open(carry / "data" / "train.tsv", encoding="utf-8", newline="") as f:
        assert not any(x in dev for row in list(csv.reader(f, delimiter="\t"))[1:] for x in row)

    proc = subprocess.run(["bash", str(REPO / "eval" / "gpu" / "run.sh"), "--tiny", "--device", "cpu",
                           "--carry", str(carry), "--out", str(res), "--budget", "600"],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    bt = json.loads((res / "bt_throughput.json").read_text(encoding="utf-8"))
    assert bt["device"] == "cpu" and bt["compute_type"] == "int8" and bt["lines"] == 64
    assert bt["lrl_sentences_per_s"] > 0 and bt["raw_sentences_per_s"] > 0
    mt = json.loads((res / "mt.json").read_text(encoding="utf-8"))
    systems = mt["results"]["yo-en"]["trained"]
    assert list(systems) == ["seed only", "+ back-translation", "+ substitution/templates", "all"]
    sizes = [systems[k]["train_pairs"] for k in ("seed only", "+ back-translation", "all")]
    assert sizes == sorted(set(sizes))  # each adds rows
    scores = mt["results"]["yo-en"]["scores"]
    assert {"BLEU", "chrF", "chrF++"} <= set(scores["all"]) and "all (words shuffled)" in scores
    md = (res / "mt.md").read_text(encoding="utf-8")
    assert "Tiny run" in md and "| + back-translation |" in md
    assert "done in" in (res / "log.txt").read_text(encoding="utf-8")
    assert not (res / "mt-work").exists()


def test_transformers_decoding_fallback(tmp_path: Path) -> None:
    """Where CTranslate2 cannot use the GPU, mt.py decodes the dev set with transformers from the same
    checkpoint: that path on CPU, on a 1-step model."""
    import importlib.util

    from lrl.models.bootstrap import BootstrapSettings, Pair, train

    spec = importlib.util.spec_from_file_location("lrl_eval_gpu_mt", REPO / "eval" / "gpu" / "mt.py")
    assert spec and spec.loader
    mt = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mt)
    lines = (REPO / "languages" / "yo" / "examples.tsv").read_text(encoding="utf-8").splitlines()[1:]
    pairs = [Pair(*line.split("\t")[:2]) for line in lines if line.count("\t") >= 1]
    s = BootstrapSettings(direction="yo-en", vocab_size=200, d_model=16, encoder_layers=1, decoder_layers=1,
                          heads=2, ffn_dim=32, max_steps=1, batch_tokens=400)
    res = train(pairs, pairs[:3], s, tmp_path / "m", lang="yo")
    hyps = mt.hf_translate(res.path / "hf", [p.lrl for p in pairs[:5]], "cpu")
    assert len(hyps) == 5 and all(isinstance(h, str) for h in hyps)
