import unicodedata
from pathlib import Path

import pytest

from lrl.errors import InputError
from lrl.generate.templates import TemplateGenerator
from tests.conftest import TINY_LEXICON, TINY_TEMPLATES


def gen(tmp_path: Path, count: int = 50, seed: int = 1, lexicon: str = TINY_LEXICON,
        templates: str = TINY_TEMPLATES, code: str = "yo") -> TemplateGenerator:
    (tmp_path / "lexicon.tsv").write_text(lexicon, encoding="utf-8")
    (tmp_path / "templates.tsv").write_text(templates, encoding="utf-8")
    return TemplateGenerator(tmp_path / "lexicon.tsv", tmp_path / "templates.tsv", code, count, seed)


def test_renders_both_sides_with_the_same_fillers(tmp_path: Path) -> None:
    rows = list(gen(tmp_path, count=40))
    assert len(rows) == 40
    for r in rows:
        assert "{" not in r.src + r.tgt and r.origin == "template"
        assert unicodedata.is_normalized("NFC", r.tgt)
    t1 = [r for r in rows if r.provenance["template"] == "t1"]
    assert t1
    for r in t1:
        assert r.provenance["fillers"]["person"] in r.tgt


def test_without_replacement_deterministic_and_distinct_labels(tmp_path: Path) -> None:
    g = gen(tmp_path, count=10_000)
    rows = list(g)
    assert len(rows) == len({r.id for r in rows}) == len({(r.src, r.tgt) for r in rows})
    # t2 has 3x3 combinations minus the 3 where a person meets themself
    assert sum(r.provenance["template"] == "t2" for r in rows) == 6
    assert [r.id for r in gen(tmp_path, count=30, seed=7)] == [r.id for r in gen(tmp_path, count=30, seed=7)]
    assert [r.id for r in gen(tmp_path, count=30, seed=7)] != [r.id for r in gen(tmp_path, count=30, seed=8)]


def test_rows_spread_over_templates(tmp_path: Path) -> None:
    rows = list(gen(tmp_path, count=12))
    assert {r.provenance["template"] for r in rows} == {"t1", "t2", "t3", "t4"}


def test_agreement_by_feature(tmp_path: Path) -> None:
    for r in gen(tmp_path, count=200):
        if r.provenance["template"] == "t4":
            she = r.provenance["fillers"]["person"] == "Fúnmi"
            assert (" she " in r.src) == she and (" he " in r.src) != she


def test_constraints_and_errors(tmp_path: Path) -> None:
    lex = TINY_LEXICON
    ok = "id\tyo\ten\nt\t{person[gender=f]} wá.\t{person} came.\n"
    rows = list(gen(tmp_path, templates=ok))
    assert {r.provenance["fillers"]["person"] for r in rows} == {"Fúnmi"}

    cases = {
        "id\tyo\ten\nt\t{animal} wá.\t{animal} came.\n": "no lexicon entries of class 'animal'",
        "id\tyo\ten\nt\t{person} wá.\t{food} came.\n": "slots differ between sides",
        "id\tyo\ten\nt\t{person.gender?m=a} wá {person}.\t{person} came.\n": "no choice for gender=f",
        "id\tyo\ten\nt\t{person} wá {.\t{person} came.\n": "cannot read a slot",
        "id\tyo\ten\nt\t{person[gender=x]} wá.\t{person} came.\n": "no person entry has features",
        "id\tyo\ten\nt\tx\ty\nt\tx\ty\n": "duplicate template id",
        "id\tyo\nt\tx\n": "header is",
        "id\tyo\ten\nt\tx\n": "expected 3 tab-separated fields",
    }
    for templates, message in cases.items():
        with pytest.raises(InputError, match=message):
            gen(tmp_path, templates=templates)
    with pytest.raises(InputError, match=r"lexicon.tsv:2: text is not in Unicode NFC"):
        gen(tmp_path, lexicon="class\tyo\ten\tfeatures\nfood\t" + unicodedata.normalize("NFD", "ẹ̀wà") + "\tbeans\t\n")
    assert lex
