"""The schema of a plugin's ``language.toml`` (pydantic v2): each key with its type, default and meaning.

An unknown key, a missing required key, a wrong type, a value outside its choices or range is an error
in the one format of :mod:`lrl.schema`, naming the file and the key. ``[defaults]`` holds run settings;
it is validated against the run settings' schema (lrl/config.py), as the plugin layer.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from lrl.schema import Strict, from_model


class LanguageSection(Strict):
    code: str = Field(description="the plugin's code: ISO 639-1 if the language has one, else ISO 639-3")
    iso639_3: str = Field(description="ISO 639-3 code")
    name: str = Field(description="English name of the language")
    script: str = Field(description="ISO 15924 script code of the language side, e.g. Latn, Ethi")
    rules: bool = Field(default=False, description="load rules.py beside this file for orthography hooks")


class CodesSection(Strict):
    nllb: str = Field(default="", description="NLLB-200 / FLORES-200 code, e.g. yor_Latn")
    m2m100: str = Field(default="", description="M2M-100 language token, e.g. yo")
    opus: str = Field(default="", description="OPUS-MT code, e.g. yo")


class LangIdSection(Strict):
    label: str = Field(description="the label the language-ID model gives this language")
    acceptable: list[str] = Field(default_factory=list,
                                  description="other labels accepted as this language (close varieties)")
    confusable: list[str] = Field(default_factory=list, description="labels this language is often mistaken "
                                                                    "for; a line they outscore is rejected")
    model: str = Field(default="", description="a langid-format model file relative to the plugin; empty = py3langid's")
    backend: Literal["py3langid", "fasttext", "heliport"] = Field(
        default="py3langid", description="language-ID model of the LRL side")


class OrthographySection(Strict):
    replace: list[Any] = Field(default_factory=list, description="[from, to] string pairs applied before NFC, "
                                                                 "e.g. ['\\u0329', '\\u0323']")
    tone_check: Literal["off", "flag", "reject"] = Field(
        default="off", description="what to do with text whose tone marks were stripped")
    tone_min_share: float = Field(default=0.1, ge=0.0, le=1.0,
                                  description="below this share of vowels carrying a tone mark, text is 'toneless'")
    tone_min_vowels: int = Field(default=12, ge=0,
                                 description="only judge tone marking on text with at least this many vowels")
    options: dict[str, Any] = Field(default_factory=dict,
                                    description="settings passed to rules.py's normalize(text, options)")
    keep_joiners: bool = Field(default=False, description="keep ZWJ/ZWNJ (U+200D/U+200C), which scripts such as "
                                                  "Devanagari, Arabic or Sinhala spell with; other invisible "
                                                  "characters are removed")


class FilesSection(Strict):
    lexicon: str = Field(default="lexicon.tsv", description="seed lexicon: class, word, English, features")
    templates: str = Field(default="templates.tsv", description="parallel templates: id, language side, English side")
    examples: str = Field(default="examples.tsv", description="hand-written example pairs: en, language side")
    mono: str = Field(default="mono.txt", description="optional hand-written monolingual text, one sentence per line")
    prompts: str = Field(default="prompts.toml", description="paraphrase prompts: few-shot examples per prompt name")
    blocklist: str = Field(default="blocklist.txt", description="optional: offensive or sensitive terms, one per line; "
                                                        "rows whose language side holds one (whole word, tone "
                                                        "marks exact) are rejected")


class Manifest(Strict):
    language: LanguageSection
    # A lambda, not the class: mypy (no pydantic plugin) does not see the defaults of a class's fields.
    codes: CodesSection = Field(default_factory=lambda: CodesSection())
    langid: LangIdSection
    orthography: OrthographySection = Field(default_factory=lambda: OrthographySection())
    files: FilesSection = Field(default_factory=lambda: FilesSection())
    # Run settings for this language (validated against lrl/config.py's schema as the plugin layer).
    defaults: dict[str, Any] = Field(default_factory=dict)


SCHEMA = from_model(Manifest)
