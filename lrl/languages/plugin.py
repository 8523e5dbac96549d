"""A language plugin: its manifest, ``language.toml``, validated strictly against the schema in
:mod:`lrl.languages.manifest` (each key with its type, default and meaning), and where its files are."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

from lrl.config import merge, schema
from lrl.errors import ConfigError
from lrl.languages.manifest import SCHEMA
from lrl.scripts import SCRIPTS  # noqa: F401 - re-exported: lrl.languages.plugin.SCRIPTS


@dataclass
class Plugin:
    """A loaded language plugin: its manifest values plus where its data files are."""

    path: Path
    code: str
    iso639_3: str
    name: str
    script: str
    codes: dict[str, str]
    langid: dict[str, Any]
    orthography: dict[str, Any]
    files: dict[str, str]
    rules: bool
    defaults: dict[str, Any] = field(default_factory=dict)
    _fingerprint: str = field(default="", repr=False, compare=False)

    @property
    def manifest(self) -> Path:
        return self.path / "language.toml"

    def file(self, kind: str) -> Path:
        return self.path / self.files[kind]

    def fingerprint(self) -> str:
        """A hash of every file of the plugin, for provenance: same hash, same data (computed once)."""
        if self._fingerprint:
            return self._fingerprint
        h = hashlib.sha256()
        for p in sorted(self.path.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts and contained(self.path, str(p.relative_to(self.path))):
                h.update(p.relative_to(self.path).as_posix().encode())
                h.update(p.read_bytes())
        self._fingerprint = h.hexdigest()[:12]
        return self._fingerprint

    def load_rules(self) -> Any:
        """The plugin's ``rules.py`` module, loaded only when the manifest declares ``rules = true``."""
        if not self.rules:
            return None
        import importlib.util

        path = self.path / "rules.py"
        if not path.is_file():
            raise ConfigError(f"{self.manifest}: language.rules = true but {path} does not exist")
        spec = importlib.util.spec_from_file_location(f"lrl_plugin_rules_{self.code}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # the plugin's code, not lrl's: say whose error it is
            raise ConfigError(f"{path} failed to load: {type(exc).__name__}: {exc}") from None
        return module


def contained(root: Path, rel: str) -> Path | None:
    """``root/rel`` if it stays inside ``root`` — no absolute path, no ``..``, no symlink leading out —
    else None. A plugin comes from a stranger: it must not make lrl read (and publish, as rows or
    rejects) files elsewhere on the machine."""
    rel_path = Path(rel)
    if rel_path.is_absolute() or ".." in rel_path.parts or "\\" in rel or "\0" in rel:
        return None
    target = root / rel_path
    try:
        real_root = root.resolve(strict=True)
        real = target.resolve()  # follows symlinks, including in folders on the way
    except (OSError, RuntimeError, ValueError):  # a symlink loop, an unusable name
        return None
    if real != real_root and real_root not in real.parents:
        return None
    return target


def _check_contained(path: Path, manifest: Path, v: dict[str, dict[str, Any]], rules: bool) -> None:
    named = [(f"files.{k}", rel) for k, rel in v["files"].items()]
    if v["langid"].get("model"):
        named.append(("langid.model", v["langid"]["model"]))
    if rules:
        named.append(("language.rules", "rules.py"))
    for key, rel in named:
        if not rel or contained(path, rel) is None:
            raise ConfigError(f"{manifest}: '{key}' = {rel!r} is outside the plugin folder (an absolute path, "
                              "'..' or a symlink out) — a plugin may only read its own files: copy the file "
                              f"into {path} and name it relative to it")


def load_plugin(path: Path) -> Plugin:
    """Read and validate ``path/language.toml``."""
    manifest = path / "language.toml"
    try:
        with open(manifest, "rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{manifest}: not found — a plugin folder needs a language.toml "
                          "(scaffold one with: lrl lang new <code>)") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{manifest}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{manifest}: cannot read: {exc.strerror or exc}") from None
    known = [*SCHEMA.sections[""]]
    for section in raw:
        if section not in known:
            raise ConfigError(f"{manifest}: unknown section [{section}] — expected one of: "
                              f"{', '.join(known)}")
    v = SCHEMA.dump(raw, str(manifest))
    lang = v["language"]
    if lang["script"] not in SCRIPTS:
        raise ConfigError(f"{manifest}: 'language.script' = {lang['script']!r} is not a known ISO 15924 "
                          f"code; known: {', '.join(sorted(SCRIPTS))}")
    if lang["code"] != path.name:
        raise ConfigError(f"{manifest}: 'language.code' = {lang['code']!r} but the folder is named "
                          f"{path.name!r}; they must match")
    for i, pair in enumerate(v["orthography"]["replace"]):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(s, str) for s in pair)
                and pair[0]):
            raise ConfigError(f"{manifest}: 'orthography.replace' item {i + 1} must be a pair of strings "
                              f"[from, to] with non-empty 'from', got {pair!r}")
    _check_contained(path, manifest, v, lang["rules"])
    defaults = v["defaults"]
    merge(schema().dump({}), defaults, f"{manifest} [defaults]")  # validate now, so `lang check` reports it
    return Plugin(
        path=path,
        code=lang["code"],
        iso639_3=lang["iso639_3"],
        name=lang["name"],
        script=lang["script"],
        codes=v["codes"],
        langid=v["langid"],
        orthography=v["orthography"],
        files=v["files"],
        rules=lang["rules"],
        defaults=defaults,
    )
