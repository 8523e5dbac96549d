"""Finding plugins: folders the user names, ``./languages``, the repository's ``languages/``, the copy a
wheel ships as ``lrl/_languages`` (see ``setup.py``), and packages installed with pip that register an
``lrl.languages`` entry point.

An entry point's value is a module (or package) whose folder holds ``language.toml``, or a callable that
returns that folder's path, e.g. in the plugin package's ``pyproject.toml``::

    [project.entry-points."lrl.languages"]
    xx = "lrl_lang_xx"
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from importlib.metadata import entry_points
from pathlib import Path

from lrl.errors import ConfigError
from lrl.languages.plugin import Plugin, load_plugin

REPO_LANGUAGES = Path(__file__).resolve().parent.parent.parent / "languages"


def packaged_languages() -> Path | None:
    """``lrl/_languages`` in an installed wheel (absent in a source checkout, which uses REPO_LANGUAGES)."""
    try:
        path = Path(str(resources.files("lrl") / "_languages"))
    except (ModuleNotFoundError, TypeError):  # TypeError: not a filesystem package (zip import)
        return None
    return path if path.is_dir() else None


def _search_dirs(extra: Iterable[Path] = ()) -> list[Path]:
    dirs = [Path(p) for p in extra]
    # REPO_LANGUAGES only in a source checkout: installed, it would be site-packages/languages, anyone's
    in_repo = REPO_LANGUAGES if (REPO_LANGUAGES.parent / "pyproject.toml").is_file() else None
    for d in (Path.cwd() / "languages", in_repo, packaged_languages()):
        if d is not None and d.is_dir() and d.resolve() not in [x.resolve() for x in dirs]:
            dirs.append(d)
    return dirs


def _entry_point_dirs() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for ep in entry_points(group="lrl.languages"):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken third-party plugin must not break the others
            raise ConfigError(f"entry point lrl.languages:{ep.name} ({ep.value}) failed to load: {exc}") from None
        if callable(obj):
            found[ep.name] = Path(obj())
        elif getattr(obj, "__file__", None):
            found[ep.name] = Path(obj.__file__).parent
        else:
            raise ConfigError(f"entry point lrl.languages:{ep.name} must name a module or a function "
                              "returning the plugin folder")
    return found


def plugin_dirs(extra: Iterable[Path] = ()) -> dict[str, Path]:
    """code → folder, earlier search places winning over later ones."""
    out: dict[str, Path] = {}
    for d in _search_dirs(extra):
        for sub in sorted(d.iterdir()):
            if (sub / "language.toml").is_file():
                out.setdefault(sub.name, sub)
    for code, path in _entry_point_dirs().items():
        out.setdefault(code, path)
    return out


def find_plugin(code_or_path: str, extra: Iterable[Path] = ()) -> Plugin:
    """A plugin by code, or by a path to its folder."""
    as_path = Path(code_or_path)
    if (as_path / "language.toml").is_file():
        return load_plugin(as_path)
    dirs = plugin_dirs(extra)
    if code_or_path not in dirs:
        known = ", ".join(sorted(dirs)) or "none"
        raise ConfigError(
            f"unknown language '{code_or_path}' — plugins found: {known}. "
            f"Add one with: lrl lang new {code_or_path}  (or pass --languages-dir DIR)"
        )
    return load_plugin(dirs[code_or_path])


def list_plugins(extra: Iterable[Path] = ()) -> list[Plugin]:
    return [load_plugin(p) for p in plugin_dirs(extra).values()]
