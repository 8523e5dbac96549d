"""The command line as a user meets it: one clear line and a non-zero exit for bad input, no traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def lrl(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "lrl", *args], capture_output=True, text=True,
                          cwd=cwd or REPO, env=env, timeout=300)


def _one_clear_line(p: subprocess.CompletedProcess[str], *needles: str, code: int = 65) -> None:
    """Bad input data exits 65 (EX_DATAERR), bad configuration 78 (EX_CONFIG): see `lrl --help`."""
    assert p.returncode == code, p.stderr
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lrl: error: "), p.stderr
    for n in needles:
        assert n in lines[0], lines[0]


@pytest.fixture
def langs(tiny_plugin_dir: Path) -> list[str]:
    return ["--languages-dir", str(tiny_plugin_dir.parent)]


def test_unknown_language(langs: list[str], tmp_path: Path) -> None:
    _one_clear_line(lrl(*langs, "augment", "--lang", "zz", "--out", str(tmp_path)), "unknown language 'zz'",
                    "lrl lang new zz", code=78)


def test_missing_file(langs: list[str], tmp_path: Path) -> None:
    _one_clear_line(lrl(*langs, "augment", "--lang", "yo", "--mono", "nope.txt", "--out", str(tmp_path)),
                    "nope.txt", "file not found")


def test_invalid_utf8_names_line(langs: list[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok\nok\n\xc3\x28 broken\n")
    _one_clear_line(lrl(*langs, "augment", "--lang", "yo", "--mono", str(bad), "--out", str(tmp_path)),
                    "bad.txt:3", "invalid UTF-8", "inputs.bad_rows=skip")


def test_tsv_wrong_columns(langs: list[str], tmp_path: Path) -> None:
    bad = tmp_path / "pairs.tsv"
    bad.write_text("en\tyo\nHello\tBáwo\nno tab here\n", encoding="utf-8")
    _one_clear_line(lrl(*langs, "augment", "--lang", "yo", "--parallel", str(bad), "--out", str(tmp_path)),
                    "pairs.tsv:3", "expected 2 tab-separated fields")


def test_unknown_setting(langs: list[str], tmp_path: Path) -> None:
    _one_clear_line(lrl(*langs, "augment", "--lang", "yo", "--set", "templates.cuont=3"), "templates.cuont", code=78)


def test_augment_prints_summary(langs: list[str], tmp_path: Path) -> None:
    p = lrl(*langs, "augment", "--lang", "yo", "--out", str(tmp_path), "-q", "--set", "templates.count=10",
            "--set", "bt.enabled=false")
    assert p.returncode == 0, p.stderr
    assert "kept" in p.stdout and "load it: datasets.load_dataset" in p.stdout


def test_core_imports_no_optional_engine() -> None:
    code = ("import sys, lrl.cli, lrl.pipeline, lrl.generate.registry; "
            "bad = [m for m in ('torch', 'ray', 'transformers', 'ctranslate2') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert p.returncode == 0, p.stdout + p.stderr


def test_process_defaults_prefer_arrows_malloc_pool_but_leave_the_users_choice(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from lrl.cli import process_defaults

    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    process_defaults()
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "system"
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    process_defaults()
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "jemalloc"
