"""A language plugin's manifest, ``language.toml``, validated strictly.

The schema below is the documentation: each key with its type, default and meaning. An unknown key, a
missing required key or a wrong type is an error naming the file, the key and what was expected.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

from lrl.config import DEFAULTS, merge
from lrl.errors import ConfigError

#: ISO 15924 script code → the prefix of the Unicode character names of its letters.
SCRIPTS: dict[str, str] = {
    "Latn": "LATIN",
    "Ethi": "ETHIOPIC",
    "Arab": "ARABIC",
    "Cyrl": "CYRILLIC",
    "Deva": "DEVANAGARI",
    "Beng": "BENGALI",
    "Grek": "GREEK",
    "Hebr": "HEBREW",
    "Tfng": "TIFINAGH",
    "Nkoo": "NKO",
    "Vaii": "VAI",
    "Adlm": "ADLAM",
    "Thai": "THAI",
    "Mymr": "MYANMAR",
    "Khmr": "KHMER",
    "Geor": "GEORGIAN",
    "Armn": "ARMENIAN",
    "Taml": "TAMIL",
    "Telu": "TELUGU",
    "Knda": "KANNADA",
    "Mlym": "MALAYALAM",
    "Gujr": "GUJARATI",
    "Guru": "GURMUKHI",
    "Orya": "ORIYA",
    "Sinh": "SINHALA",
    "Tibt": "TIBETAN",
    "Hang": "HANGUL",
    "Cher": "CHEROKEE",
    "Cans": "CANADIAN SYLLABICS",
}

_REQ = object()  # marks a required key

#: section → key → (type, default or _REQ, meaning)
SCHEMA: dict[str, dict[str, tuple[type, Any, str]]] = {
    "language": {
        "code": (str, _REQ, "the plugin's code: ISO 639-1 if the language has one, else ISO 639-3"),
        "iso639_3": (str, _REQ, "ISO 639-3 code"),
        "name": (str, _REQ, "English name of the language"),
        "script": (str, _REQ, "ISO 15924 script code of the language side, e.g. Latn, Ethi"),
        "rules": (bool, False, "load rules.py beside this file for orthography hooks"),
    },
    "codes": {
        "nllb": (str, "", "NLLB-200 / FLORES-200 code, e.g. yor_Latn"),
        "m2m100": (str, "", "M2M-100 language token, e.g. yo"),
        "opus": (str, "", "OPUS-MT code, e.g. yo"),
    },
    "langid": {
        "label": (str, _REQ, "the label the language-ID model gives this language"),
        "acceptable": (list, [], "other labels accepted as this language (close varieties)"),
        "confusable": (list, [], "labels this language is often mistaken for; a line they outscore is rejected"),
        "model": (str, "", "a langid-format model file relative to the plugin; empty = py3langid's"),
        "backend": (str, "py3langid", "language-ID model of the LRL side: py3langid | fasttext | heliport"),
    },
    "orthography": {
        "replace": (list, [], "[from, to] string pairs applied before NFC, e.g. ['\\u0329', '\\u0323']"),
        "tone_check": (str, "off", "off | flag | reject: what to do with text whose tone marks were stripped"),
        "tone_min_share": (float, 0.1, "below this share of vowels carrying a tone mark, text is 'toneless'"),
        "tone_min_vowels": (int, 12, "only judge tone marking on text with at least this many vowels"),
        "options": (dict, {}, "settings passed to rules.py's normalize(text, options)"),
        "keep_joiners": (bool, False, "keep ZWJ/ZWNJ (U+200D/U+200C), which scripts such as Devanagari, "
                                      "Arabic or Sinhala spell with; other invisible characters are removed"),
    },
    "files": {
        "lexicon": (str, "lexicon.tsv", "seed lexicon: class, word, English, features"),
        "templates": (str, "templates.tsv", "parallel templates: id, language side, English side"),
        "examples": (str, "examples.tsv", "hand-written example pairs: en, language side"),
        "mono": (str, "mono.txt", "optional hand-written monolingual text, one sentence per line"),
        "prompts": (str, "prompts.toml", "paraphrase prompts: few-shot examples per prompt name"),
        "blocklist": (str, "blocklist.txt", "optional: offensive or sensitive terms, one per line; rows whose "
                                            "language side holds one (whole word, tone marks exact) are rejected"),
    },
}


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


def _validate_section(path: Path, section: str, table: Any) -> dict[str, Any]:
    schema = SCHEMA[section]
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{section}] must be a table")
    out: dict[str, Any] = {}
    for key in table:
        if key not in schema:
            raise ConfigError(
                f"{path}: unknown key '{section}.{key}' — expected one of: {', '.join(schema)}"
            )
    for key, (typ, default, meaning) in schema.items():
        if key not in table:
            if default is _REQ:
                raise ConfigError(f"{path}: missing required key '{section}.{key}' ({meaning})")
            out[key] = type(default)(default) if isinstance(default, (list, dict)) else default
            continue
        value = table[key]
        if typ is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
            raise ConfigError(
                f"{path}: '{section}.{key}' must be {typ.__name__} ({meaning}), got {value!r}"
            )
        out[key] = value
    return out


#: Settings of the manifest with a fixed set of values (dotted ``section.key``), and numeric ranges.
CHOICES: dict[str, tuple[str, ...]] = {
    "orthography.tone_check": ("off", "flag", "reject"),
}
RANGES: dict[str, tuple[float | None, float | None]] = {
    "orthography.tone_min_share": (0.0, 1.0),
    "orthography.tone_min_vowels": (0, None),
}


def _check_choices(manifest: Path, v: dict[str, dict[str, Any]]) -> None:
    for dotted, allowed in CHOICES.items():
        section, key = dotted.split(".")
        if v[section][key] not in allowed:
            raise ConfigError(f"{manifest}: '{dotted}' = {v[section][key]!r} — allowed: {', '.join(allowed)}")
    for dotted, (lo, hi) in RANGES.items():
        section, key = dotted.split(".")
        x = v[section][key]
        if x != x or (lo is not None and x < lo) or (hi is not None and x > hi):
            raise ConfigError(f"{manifest}: '{dotted}' = {x!r} — must be "
                              f"{'>= ' + str(lo) if hi is None else f'between {lo} and {hi}'}")


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
    known = [*SCHEMA, "defaults"]
    for section in raw:
        if section not in known:
            raise ConfigError(f"{manifest}: unknown section [{section}] — expected one of: "
                              f"{', '.join(known)}")
    v = {s: _validate_section(manifest, s, raw.get(s, {})) for s in SCHEMA}
    if "label" not in raw.get("langid", {}):
        raise ConfigError(f"{manifest}: missing required key 'langid.label' "
                          f"({SCHEMA['langid']['label'][2]})")
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
    _check_choices(manifest, v)
    _check_contained(path, manifest, v, lang["rules"])
    defaults = raw.get("defaults", {})
    merge(DEFAULTS, defaults, f"{manifest} [defaults]")  # validate now, so `lang check` reports it
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
