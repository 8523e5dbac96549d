"""OpusFilter 3.3.1 in its own git-ignored venv (eval/bench/.venv-opusfilter) for the comparison bench, with
py3langid pinned to the version lrl uses (same language-ID model on both sides).

OpusFilter 3.3.1 calls ``LanguageIdentifier.from_pickled_model``, which py3langid 0.4 renamed to
``from_model_file``; the two call sites (opusfilter/filters.py, opusfilter/lid.py) are patched in place after
install. Needs PyPI the first time (a few minutes); later runs reuse the venv.

    python eval/bench/opusfilter_env.py      # prints the venv's python
"""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

VENV = Path(__file__).resolve().parent / ".venv-opusfilter"
OPUSFILTER = "opusfilter==3.3.1"
PATCH = ("from_pickled_model", "from_model_file")


def python() -> Path:
    """The venv's python, installing OpusFilter and patching it on first use."""
    py = VENV / "bin" / "python"
    stamp = VENV / ".patched"
    if stamp.is_file():
        return py
    if not py.is_file():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    langid = f"py3langid=={metadata.version('py3langid')}"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", OPUSFILTER, langid, "psutil"], check=True)
    site = subprocess.run([str(py), "-c", "import opusfilter, os; print(os.path.dirname(opusfilter.__file__))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    for name in ("filters.py", "lid.py"):
        path = Path(site) / name
        path.write_text(path.read_text().replace(*PATCH))
    stamp.write_text(f"{OPUSFILTER} {langid}; patched {PATCH[0]} -> {PATCH[1]}\n")
    return py


if __name__ == "__main__":
    print(python())
