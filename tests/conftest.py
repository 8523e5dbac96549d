"""Shared fixtures. Real data is read from ../shared/data (never copied into the repository); tests that
need it skip when it is absent. Tiny plugins and models are built in the test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("LRL_SHARED_DATA", REPO.parent / "shared" / "data"))

# Hand-written for the tests (NFC, tone-marked): enough to exercise every slot feature.
TINY_LEXICON = """class\tyo\ten\tfeatures
person\tAdé\tAde\tgender=m
person\tFúnmi\tFunmi\tgender=f
person\tTúndé\tTunde\tgender=m
food\tìrẹsì\trice\t
food\tẹ̀wà\tbeans\t
food\tiṣu\tyam\t
place\tọjà\tthe market\t
place\tilé ìwé\tthe school\t
number\tméjì\ttwo\t
number\tmẹ́ta\tthree\t
"""
TINY_TEMPLATES = """id\tyo\ten
t1\t{person} ń jẹ {food} ní {place}.\t{person} is eating {food} at {place}.
t2\t{person:a} rí {person:b} lánàá.\t{person:a} saw {person:b} yesterday.
t3\t{person} ra {food} {number}.\t{person} bought {number} portions of {food}.
t4\t{person} lọ sí {place}; {person.gender?m=òun|f=òun} kò padà.\t{person} went to {place}; {person.gender?m=he|f=she} did not return.
"""
TINY_EXAMPLES = """en\tyo
The children are going to school early in the morning with their friends.\tÀwọn ọmọdé ń lọ sí ilé ìwé ní àárọ̀ kùtù pẹ̀lú àwọn ọ̀rẹ́ wọn.
My mother bought yam and pepper at the market yesterday evening.\tÌyá mi ra iṣu àti ata ní ọjà ní ìrọ̀lẹ́ àná.
"""
TINY_MANIFEST = """[language]
code = "yo"
iso639_3 = "yor"
name = "Yoruba"
script = "Latn"

[langid]
label = "yo"

[orthography]
replace = [["\\u0329", "\\u0323"]]
tone_check = "flag"
"""


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


def write_plugin(root: Path, manifest: str = TINY_MANIFEST, lexicon: str = TINY_LEXICON,
                 templates: str = TINY_TEMPLATES, examples: str = TINY_EXAMPLES, code: str = "yo") -> Path:
    path = root / code
    path.mkdir(parents=True, exist_ok=True)
    (path / "language.toml").write_text(manifest, encoding="utf-8")
    (path / "lexicon.tsv").write_text(lexicon, encoding="utf-8")
    (path / "templates.tsv").write_text(templates, encoding="utf-8")
    (path / "examples.tsv").write_text(examples, encoding="utf-8")
    return path


@pytest.fixture
def tiny_plugin_dir(tmp_path: Path) -> Path:
    return write_plugin(tmp_path / "languages")
