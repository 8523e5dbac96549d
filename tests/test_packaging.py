"""The package installs like one: the wheel carries the plugins, and (slow, opt-in with LRL_WHEEL_TEST=1)
a wheel built with `python -m build`, installed in a fresh venv without torch, augments Yoruba from an
empty folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


def _run(*cmd: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    p = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True)
    assert p.returncode == 0, f"{cmd}: {p.stdout[-2000:]}{p.stderr[-4000:]}"
    return p.stdout


def _clean_env(**extra: str) -> dict[str, str]:
    # PYTHONPATH points at the checkout; pip would take it for an installed lrl and skip the wheel
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, **extra}


def test_wheel_ships_the_language_plugins(tmp_path: Path) -> None:
    # Built from a copy, so egg-info and build/ never land in the checkout; --no-build-isolation uses the
    # test venv's setuptools (no download), and setup.py's build_py runs as under `python -m build`.
    src = tmp_path / "src"
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, src / name)
    for folder in ("lrl", "languages"):
        shutil.copytree(REPO / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__", "_languages"))
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", tmp_path / "dist",
         src, env=_clean_env())
    (wheel,) = (tmp_path / "dist").glob("lrl-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for plugin in sorted(p.name for p in (REPO / "languages").iterdir() if (p / "language.toml").is_file()):
        assert f"lrl/_languages/{plugin}/language.toml" in names
        assert f"lrl/_languages/{plugin}/lexicon.tsv" in names
    assert not any("__pycache__" in n for n in names)


@pytest.mark.skipif(os.environ.get("LRL_WHEEL_TEST") != "1",
                    reason="slow (builds a wheel, installs its dependencies into a fresh venv): set LRL_WHEEL_TEST=1")
def test_built_wheel_augments_from_an_empty_folder_without_torch(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    venv.create(tools, with_pip=True)
    env = _clean_env(LRL_CACHE=str(tmp_path / "cache"))
    _run(tools / "bin/python", "-m", "pip", "install", "-q", "build", env=env)
    _run(tools / "bin/python", "-m", "build", "--outdir", tmp_path / "dist", REPO, env=env)
    (wheel,) = (tmp_path / "dist").glob("lrl-*.whl")

    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=True)
    _run(fresh / "bin/python", "-m", "pip", "install", "-q", wheel, env=env)
    missing = _run(fresh / "bin/python", "-c", "import importlib.util as u; print([m for m in "
                   "('torch', 'transformers', 'ctranslate2', 'sentencepiece') if u.find_spec(m) is None])", env=env)
    assert missing.strip() == "['torch', 'transformers', 'ctranslate2', 'sentencepiece']"

    empty = tmp_path / "empty"
    empty.mkdir()
    listed = _run(fresh / "bin/lrl", "lang", "list", cwd=empty, env=env)
    assert {line.split("\t")[0] for line in listed.splitlines()} >= {"yo", "ha", "am"}
    out = _run(fresh / "bin/lrl", "augment", "--lang", "yo", "-q", cwd=empty, env=env)
    assert "kept" in out
    run = (empty / "out" / "yo" / "latest").resolve()
    for name in ("manifest.json", "README.md", "rejected.jsonl", "report.html"):
        assert (run / name).is_file(), name
