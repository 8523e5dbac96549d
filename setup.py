"""Only a build hook; the project metadata is in pyproject.toml.

The shipped language plugins live in the repository's ``languages/`` (where contributors edit them). A
wheel carries a copy as ``lrl/_languages`` so ``pip install`` then ``lrl augment --lang yo`` works from
any folder; ``lrl.languages.discovery`` finds it with ``importlib.resources``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithLanguages(build_py):
    def run(self) -> None:
        super().run()
        src = Path(__file__).resolve().parent / "languages"
        if src.is_dir():
            shutil.copytree(src, Path(self.build_lib) / "lrl" / "_languages", dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildPyWithLanguages})
