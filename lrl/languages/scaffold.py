"""``lrl lang new <code>``: a plugin folder with every file a contributor needs to fill in."""

from __future__ import annotations

import re
from pathlib import Path

from lrl.errors import ConfigError
from lrl.languages.plugin import SCRIPTS

MANIFEST = """\
# {name}: edit every value, then run `lrl lang check {code}` until it passes.

[language]
code = "{code}"          # ISO 639-1 if the language has one, else ISO 639-3; same as the folder name
iso639_3 = "{iso3}"      # ISO 639-3 code
name = "{name}"
script = "{script}"      # ISO 15924: Latn, Ethi, Arab, Cyrl, Deva, ...

[codes]
nllb = ""               # NLLB-200 code if NLLB covers the language, e.g. "yor_Latn"
m2m100 = ""
opus = ""

[langid]
label = "{code}"         # the label the language-ID model gives this language; `lrl lang check` proves it
acceptable = []         # other labels to accept as this language
confusable = []         # labels it is often mistaken for: a line they outscore is rejected
backend = "py3langid"   # or "heliport" (knows Tigrinya), "fasttext" (lid.176); labels are mapped for each
model = ""              # a langid model file (from `lrl lid train`) if py3langid does not know the language

[orthography]
replace = []            # [from, to] pairs applied before NFC, e.g. [["\\u0329", "\\u0323"]]
"""

LEXICON = "class\t{code}\ten\tfeatures\n"
TEMPLATES = "id\t{code}\ten\n"
EXAMPLES = "en\t{code}\n"


def scaffold(code: str, root: Path, name: str = "", script: str = "Latn") -> Path:
    if not re.fullmatch(r"[a-z]{2,3}(_[A-Za-z]+)?", code):
        raise ConfigError(f"'{code}' is not a language code: use ISO 639-1 (2 letters) or 639-3 (3 letters)")
    if script not in SCRIPTS:
        raise ConfigError(f"script {script!r} unknown; known: {', '.join(sorted(SCRIPTS))}")
    path = root / code
    if path.exists():
        raise ConfigError(f"{path} already exists")
    path.mkdir(parents=True)
    fmt = {"code": code, "iso3": code if len(code) == 3 else "", "name": name or code, "script": script}
    (path / "language.toml").write_text(MANIFEST.format(**fmt), encoding="utf-8")
    (path / "lexicon.tsv").write_text(LEXICON.format(**fmt), encoding="utf-8")
    (path / "templates.tsv").write_text(TEMPLATES.format(**fmt), encoding="utf-8")
    (path / "examples.tsv").write_text(EXAMPLES.format(**fmt), encoding="utf-8")
    return path
