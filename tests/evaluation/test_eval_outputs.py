"""Where `lrl eval` reads and writes: config paths against the config file, results in a new folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lrl.evaluation import experiment
from tests.conftest import REPO


def test_config_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    cfg = tmp_path / "configs" / "mine.toml"
    cfg.parent.mkdir()
    cfg.write_text('seed_data = ["data/seed.tsv", "/abs/x.tsv"]\ntest = "data/test.en,data/test.yo"\n'
                   'mono = ["m/*.txt"]\n', encoding="utf-8")
    s = experiment.load_settings(cfg, "yo", {})
    base = cfg.parent
    assert s.seed_data == [str(base / "data/seed.tsv"), "/abs/x.tsv"]
    assert s.test == f"{base / 'data/test.en'},{base / 'data/test.yo'}"
    assert s.mono == [str(base / "m/*.txt")]
    # the command line stays relative to the current folder
    s = experiment.load_settings(cfg, "yo", {"test": "here.tsv"})
    assert s.test == "here.tsv"


def test_committed_configs_name_files_that_exist(shared_data: Path) -> None:
    for lang in ("yo", "ha"):
        s = experiment.load_settings(REPO / "eval" / "configs" / f"{lang}.toml", lang, {})
        for spec in [*s.seed_data, s.test, *s.mono]:
            assert all(Path(p).is_file() for p in spec.split(",")), spec


def test_eval_writes_a_new_folder_under_out_eval_not_the_committed_results(tmp_path: Path) -> None:
    """A real (tiny) eval from a folder holding a config named like a committed one."""
    examples = (REPO / "languages/yo/examples.tsv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "seed.tsv").write_text("\n".join(examples[:61]) + "\n", encoding="utf-8")
    (tmp_path / "test.tsv").write_text("\n".join([examples[0], *examples[61:]]) + "\n", encoding="utf-8")
    cfg = tmp_path / "conf" / "yo.toml"
    cfg.parent.mkdir()
    cfg.write_text('seed_data = ["../seed.tsv"]\ntest = "../test.tsv"\nsystems = ["seed only", "+ templates"]\n'
                   'bootstrap_samples = 50\naugment_set = { "templates.count" = 100, "bt.enabled" = false }\n',
                   encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "LRL_CACHE": str(tmp_path / "cache")}
    cmd = [sys.executable, "-m", "lrl", "eval", "--lang", "yo", "--config", str(cfg)]
    for _ in range(2):
        p = subprocess.run([*cmd, "--label", "my label"], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert p.returncode == 0, p.stderr[-3000:]
    runs = sorted((tmp_path / "out" / "eval").iterdir())
    assert len(runs) == 2 and all(r.name.startswith("yo-") for r in runs)
    for r in runs:
        md = (r / "yo.md").read_text(encoding="utf-8")
        assert "my label" in md and (r / "yo.json").is_file()
    assert not (tmp_path / "eval").exists()
    named = tmp_path / "elsewhere" / "res.md"
    p = subprocess.run([*cmd, "--results", str(named)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert p.returncode == 0 and named.is_file(), p.stderr[-3000:]
