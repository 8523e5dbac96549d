"""`lrl models convert` and `lrl models list` on a real tiny checkpoint, through the command line."""

import os
import subprocess
import sys
from pathlib import Path

from lrl.models.catalog import list_models

REPO = Path(__file__).resolve().parents[2]


def lrl(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lrl", *args], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO), **env}, timeout=300)


def test_convert_once_then_list(tiny_marian_hf: Path, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    first = lrl("models", "convert", str(tiny_marian_hf), LRL_CACHE=cache)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("converted: ") and "bt.model=" in first.stdout
    again = lrl("models", "convert", str(tiny_marian_hf), LRL_CACHE=cache)
    assert again.stdout.startswith("already converted: ")
    listed = lrl("models", "list", LRL_CACHE=cache)
    assert listed.returncode == 0 and listed.stdout.startswith("converted\tmarian")
    assert [m.kind for m in list_models(Path(cache))] == ["converted"]


def test_missing_model_offline_says_what_to_do(tmp_path: Path) -> None:
    p = lrl("models", "convert", "someone/not-here", HF_HUB_OFFLINE="1", LRL_CACHE=str(tmp_path),
            HF_HOME=str(tmp_path / "hf"))
    assert p.returncode == 78 and "Traceback" not in p.stderr
    assert "not on this machine" in p.stderr and "huggingface-cli download someone/not-here" in p.stderr


def test_list_only_the_kinds_asked(tmp_path: Path) -> None:
    """Looking for bootstrap transformers (bt.prefer_cached) leaves the IBM-1 tables unread: each one's
    model.json is the whole table set, and a cache of a hundred took ~10 s to parse on every run."""
    models = tmp_path / "models"
    (models / "ibm1-abc").mkdir(parents=True)
    (models / "ibm1-abc" / "model.json").write_text('{"lang": "yo", "info": {}, "t": {}}', encoding="utf-8")
    (models / "bootstrap-yo-en-1").mkdir()
    (models / "bootstrap-yo-en-1" / "lrl-model.json").write_text(
        '{"lang": "yo", "direction": "yo-en", "dev": {"chrf++": 20.0}}', encoding="utf-8")
    (models / "bootstrap-yo-en-1" / "ct2").mkdir()
    (models / "bootstrap-yo-en-1" / "ct2" / "model.bin").write_bytes(b"")
    assert [m.kind for m in list_models(tmp_path)] == ["ibm1", "ibm1", "marian"]
    [marian] = list_models(tmp_path, kinds=("marian",))
    assert (marian.name, marian.direction, marian.dev_chrfpp) == ("bootstrap-yo-en-1", "yo-en", 20.0)
    # an unreadable tables file is skipped
    (models / "ibm1-abc" / "model.json").write_text("{not json", encoding="utf-8")
    assert [m.kind for m in list_models(tmp_path)] == ["marian"]
    assert list_models(tmp_path, kinds=("ibm1",)) == []
