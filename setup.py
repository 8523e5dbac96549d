"""Only a build hook; the project metadata is in pyproject.toml.

The shipped language plugins live in the repository's ``languages/`` (where contributors edit them). A
wheel carries a copy as ``lrl/_languages`` so ``pip install`` then ``lrl augment --lang yo`` works from
any folder; ``lrl.languages.discovery`` finds it with ``importlib.resources``.

``lrl.filters._lidwalk`` is py3langid's scoring in C (lrl/filters/_lidwalk.c), loaded with ctypes by
``lrl.filters.lid_batch``. It is optional: without a C compiler the install still succeeds and the numpy
path scores the same decisions.
"""

import shutil
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_py import build_py


class BuildPyWithLanguages(build_py):
    def run(self) -> None:
        super().run()
        src = Path(__file__).resolve().parent / "languages"
        if src.is_dir():
            shutil.copytree(src, Path(self.build_lib) / "lrl" / "_languages", dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildPyWithLanguages},
      ext_modules=[Extension("lrl.filters._lidwalk", ["lrl/filters/_lidwalk.c"], optional=True,
                             extra_compile_args=["-O3", "-ffp-contract=off"])])
