"""Lexical substitution: an entry found on both sides of a real pair is swapped, on both sides, for another
entry of its class with the same features; children are deterministic, never copies of their parent,
and reach the output through the pipeline with their provenance."""

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lrl import config
from lrl.errors import ConfigError
from lrl.generate.substitute import Substitute
from lrl.generate.templates import Entry, load_lexicon
from lrl.languages.plugin import load_plugin
from lrl.models.ibm1 import IBM1Model
from lrl.pipeline import Inputs, run
from lrl.record import Record


def tiny(plugin_dir: Path, **kwargs) -> Substitute:
    return Substitute.from_files(plugin_dir / "lexicon.tsv", "yo", **kwargs)


def seed(en: str, yo: str, rid: str = "seed:t:1") -> Record:
    return Record(id=rid, src=en, tgt=yo, origin="seed")


def lexicon(*rows: tuple[str, str, str, str]) -> dict[str, list[Entry]]:
    out: dict[str, list[Entry]] = {}
    for cls, yo, en, feats in rows:
        f = tuple(tuple(p.split("=")) for p in feats.split(";") if p)
        out.setdefault(cls, []).append(Entry(cls, yo, en, f))  # type: ignore[arg-type]
    return out


def test_a_swap_replaces_the_aligned_word_on_both_sides_with_one_of_its_class(tiny_plugin_dir: Path) -> None:
    sub = tiny(tiny_plugin_dir, per_pair=20)
    parent = seed("Ade is eating rice at the market.", "Adé ń jẹ ìrẹsì ní ọjà.")
    assert {s.entry.cls for s in sub.sites(parent.src, parent.tgt)} == {"person", "food", "place"}
    lex = load_lexicon(tiny_plugin_dir / "lexicon.tsv", "yo")
    kids = sub.children(parent, 13)
    assert kids
    for kid in kids:
        p = kid.provenance
        old_yo, new_yo = p["lrl"]
        old_en, new_en = p["en"]
        new = next(e for e in lex[p["class"]] if e.lrl == new_yo)
        assert new.en == new_en and old_yo != new_yo
        assert kid.tgt == parent.tgt.replace(old_yo, new_yo)
        assert kid.src == parent.src.replace(old_en, new_en)
    # food: yam ("beans" is plural: "the rice is" would become "the beans is"); place: the school;
    # person: Túndé only (Fúnmi is not male, see below)
    assert {k.provenance["lrl"][1] for k in kids} == {"iṣu", "ilé ìwé", "Túndé"} and len(kids) == 3


def test_gender_is_honoured(tiny_plugin_dir: Path) -> None:
    sub = tiny(tiny_plugin_dir, per_pair=20)
    her = sub.children(seed("Funmi bought yam.", "Fúnmi ra iṣu."), 13)
    assert her and all(k.provenance["class"] == "food" for k in her)  # no other female person
    him = sub.children(seed("Ade bought yam.", "Adé ra iṣu."), 13)
    assert {k.provenance["lrl"][1] for k in him if k.provenance["class"] == "person"} == {"Túndé"}
    assert all(k.provenance["features"] == {"gender": "m"} for k in him if k.provenance["class"] == "person")


def test_multi_word_entries_are_matched_whole_and_longest_first(tiny_plugin_dir: Path) -> None:
    sub = tiny(tiny_plugin_dir, per_pair=20)
    kids = sub.children(seed("Tunde went to the school.", "Túndé lọ sí ilé ìwé."), 1)
    place = [k for k in kids if k.provenance["class"] == "place"]
    assert [(k.src, k.tgt) for k in place] == [("Tunde went to the market.", "Túndé lọ sí ọjà.")]
    jollof = Substitute(lexicon(("food", "ìrẹsì", "rice", ""), ("food", "ìrẹsì jọ̀lọ́ọ̀fù", "jollof rice", ""),
                                ("food", "iṣu", "yam", "")), per_pair=20)
    sites = jollof.sites("She cooked jollof rice.", "Ó se ìrẹsì jọ̀lọ́ọ̀fù.")
    assert [s.entry.lrl for s in sites] == ["ìrẹsì jọ̀lọ́ọ̀fù"]  # not "ìrẹsì" inside it
    assert {k.tgt for k in jollof.children(seed("She cooked jollof rice.", "Ó se ìrẹsì jọ̀lọ́ọ̀fù."), 1)} == \
        {"Ó se ìrẹsì.", "Ó se iṣu."}


def test_tone_marks_must_match_and_words_must_be_whole(tiny_plugin_dir: Path) -> None:
    sub = tiny(tiny_plugin_dir)
    assert not sub.sites("Ade bought yam.", "Ade ra isu.")  # tone marks stripped: not the lexicon's words
    assert not sub.sites("Ade bought yams.", "Adéọlá ra iṣuu.")  # only inside longer words


def test_provenance_names_the_swap_and_no_child_copies_its_parent(tiny_plugin_dir: Path) -> None:
    sub = tiny(tiny_plugin_dir, per_pair=20)
    fingerprint = hashlib.sha256((tiny_plugin_dir / "lexicon.tsv").read_bytes()).hexdigest()[:12]
    parent = seed("Ade saw Tunde yesterday.", "Adé rí Túndé lánàá.", "seed:x:7")
    kids = sub.children(parent, 5)
    # Ade and Tunde are both in the sentence: neither may become the other (a sentence about one man twice)
    assert not kids
    parent = seed("Ade bought two portions of rice.", "Adé ra ìrẹsì méjì.", "seed:x:8")
    kids = sub.children(parent, 5)
    assert kids and len({(k.src, k.tgt) for k in kids}) == len(kids)
    for k in kids:
        assert k.origin == "substitute" and k.parent_id == "seed:x:8" and k.id.startswith("substitute:seed:x:8:")
        assert k.src != parent.src and k.tgt != parent.tgt
        p = k.provenance
        assert set(p) >= {"class", "lrl", "en", "lexicon", "seed", "evidence"}
        assert p["lexicon"] == fingerprint and p["seed"] == 5 and p["evidence"] == "lexicon"
    number = next(k for k in kids if k.provenance["class"] == "number")
    assert number.provenance["lrl"] == ["méjì", "mẹ́ta"] and number.provenance["en"] == ["two", "three"]


def test_deterministic_for_a_seed(tiny_plugin_dir: Path) -> None:
    parent = seed("Ade is eating rice at the market.", "Adé ń jẹ ìrẹsì ní ọjà.")

    def draw(s: int) -> list[tuple[str, str]]:
        return [(k.src, k.tgt) for k in tiny(tiny_plugin_dir, per_pair=2).children(parent, s)]

    assert draw(13) == draw(13)
    assert len({tuple(draw(s)) for s in range(10)}) > 1  # the seed does choose


def test_capitals_at_sentence_start_english_number_and_articles_follow_the_new_word() -> None:
    sub = Substitute(lexicon(("food", "iṣu", "yam", ""), ("food", "ẹ̀wà", "beans", ""),
                             ("food", "ẹ̀gẹ́", "cassava", ""),
                             ("place", "ọjà", "market", ""), ("place", "ọ́fíìsì", "office", "")), per_pair=5)
    [kid] = sub.children(seed("Yam is good.", "Iṣu dára."), 1)  # not "Beans is good."
    assert (kid.src, kid.tgt) == ("Cassava is good.", "Ẹ̀gẹ́ dára.")
    [kid] = sub.children(seed("He saw a market there.", "Ó rí ọjà kan níbẹ̀."), 1)
    assert kid.src == "He saw an office there." and kid.tgt == "Ó rí ọ́fíìsì kan níbẹ̀."


def test_a_capitalized_word_inside_a_sentence_is_part_of_a_name_and_left_alone() -> None:
    sub = Substitute(lexicon(("place", "ọjà", "market", ""), ("place", "ọ́fíìsì", "office", "")))
    assert not sub.sites("They met at Balogun Market today.", "Wọ́n pàdé ní ọjà Balogun lónìí.")
    assert sub.sites("They met at the market today.", "Wọ́n pàdé ní ọjà lónìí.")


def test_ambiguous_matches_need_the_ibm1_tables() -> None:
    lex = lexicon(("person", "Adé", "Ade", "gender=m"), ("person", "Túndé", "Tunde", "gender=m"),
                  ("food", "iṣu", "yam", ""), ("food", "ẹ̀wà", "beans", ""))
    pair = ("Ade cooked yam and Ade ate the yam.", "Adé se iṣu, Adé sì jẹ iṣu náà.")
    assert not Substitute(lex).sites(*pair)  # each form twice: the lexicon alone cannot align them
    model = IBM1Model.train("yo", [("Ade ate yam.", "Adé jẹ iṣu."), ("Ade saw Tunde.", "Adé rí Túndé."),
                                   ("Tunde ate beans.", "Túndé jẹ ẹ̀wà."), ("I ate yam.", "Mo jẹ iṣu.")])
    sub = Substitute(lex, per_pair=5, xx2en=model.xx2en, en2xx=model.en2xx)
    sites = sub.sites(*pair)
    assert {s.entry.lrl for s in sites} == {"Adé", "iṣu"} and {s.evidence for s in sites} == {"ibm1"}
    kids = sub.children(seed(*pair), 1)
    assert ("Tunde cooked yam and Tunde ate the yam.", "Túndé se iṣu, Túndé sì jẹ iṣu náà.") in \
        [(k.src, k.tgt) for k in kids]  # every occurrence swapped
    # confirm="always" asks the tables even for a plain match; an unrelated table confirms nothing
    strict = Substitute(lex, confirm="always", xx2en={"adé": [("yesterday", 1.0)]}, en2xx={})
    assert not strict.sites("Ade ate yam.", "Adé jẹ iṣu.")


def test_pipeline_run_keeps_substitute_rows_and_closes_the_books(tiny_plugin_dir: Path, tmp_path: Path) -> None:
    pairs = tmp_path / "seed.tsv"
    pairs.write_text("en\tyo\n"
                     "Ade is eating rice at the market with his friends today.\tAdé ń jẹ ìrẹsì ní ọjà pẹ̀lú àwọn "
                     "ọ̀rẹ́ rẹ̀ lónìí.\n"
                     "Funmi bought two bags of yam for her mother.\tFúnmi ra àpò iṣu méjì fún ìyá rẹ̀.\n"
                     "The weather is cold this morning.\tOjú ọjọ́ tutù ní àárọ̀ yìí.\n", encoding="utf-8")
    plugin = load_plugin(tiny_plugin_dir)
    cfg = config.resolve({}, "p", None, {"out_dir": str(tmp_path / "out"), "templates.count": 5,
                                         "bt.enabled": False, "substitute.enabled": True,
                                         "substitute.per_pair": 2,
                                         "substitute.skip_classes": []})  # the two → three swap counts here
    result = run(plugin, cfg, Inputs([], [str(pairs)]), progress=False)
    m = result.manifest
    assert m["totals"]["generated"] == m["totals"]["kept"] + m["totals"]["rejected"]
    st = m["stages"]["substitute"]
    assert st["created"] == 4 and st["in"] + st["created"] == st["out"] + st["rejected"]
    assert {"substitute-length", "substitute-script", "substitute-tone", "dedup"} <= set(m["stages"])
    rows = [r for f in sorted((result.run_dir / "data").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    subs = [r for r in rows if r["origin"] == "substitute"]
    assert m["kept_by_origin"].get("substitute") == len(subs) > 0
    assert {r["parent_id"] for r in subs} <= {"seed:seed.tsv:2", "seed:seed.tsv:3"}
    assert all(json.loads(r["provenance"])["lexicon"] for r in subs)
    assert all(r["src"] and r["tgt"] for r in subs)
    sig = next(s["signature"] for s in m["steps"] if s["name"] == "substitute")
    assert sig["per_pair"] == 2 and sig["aligner_id"].startswith("ibm1-")


def test_max_rows_caps_the_children_of_a_run_and_only_real_pairs_are_parents(tiny_plugin_dir: Path) -> None:
    from lrl.step import RunContext, Stats

    rows = [seed("Ade is eating rice at the market.", "Adé ń jẹ ìrẹsì ní ọjà.", "seed:a:1"),
            Record(id="tpl-1", src="Ade is eating rice at the market.", tgt="Adé ń jẹ ìrẹsì ní ọjà.",
                   origin="template"),
            Record(id="mono:m:1", src="", tgt="Adé ń jẹ ìrẹsì ní ọjà.", origin="mono"),
            seed("Tunde bought yam.", "Túndé ra iṣu.", "seed:a:2")]
    rejected: list[Record] = []
    ctx = RunContext(stats=Stats(), on_reject=lambda r, s, why: rejected.append(r), seed=3)
    out = list(tiny(tiny_plugin_dir, per_pair=2, max_rows=3).run(rows, ctx))
    kids = [r for r in out if r.origin == "substitute"]
    assert len(kids) == 3 and {k.parent_id for k in kids} == {"seed:a:1", "seed:a:2"}
    assert [r.id for r in out if r.origin != "substitute"] == [r.id for r in rows]
    st = ctx.stats["substitute"]
    assert (st.seen, st.created, st.passed, st.rejected) == (4, 3, 7, 0) and not rejected


def test_skipped_classes_are_never_swapped_and_their_forms_still_block_matches() -> None:
    lex = lexicon(("number", "méjì", "two", ""), ("number", "mẹ́ta", "three", ""),
                  ("food", "iṣu", "yam", ""), ("food", "ìrẹsì", "rice", ""))
    parent = seed("Ade bought two yams and rice.", "Adé ra iṣu méjì àti ìrẹsì.")
    swapped = Substitute(lex, per_pair=20)  # no class skipped
    assert {k.provenance["class"] for k in swapped.children(parent, 13)} == {"number"}
    skipped = Substitute(lex, per_pair=20, skip_classes=["number"])
    # "yams" is not "yam", rice is the only food matched both ways: rice → yam is refused (already there).
    assert skipped.children(parent, 13) == [] and skipped.signature()["skip_classes"] == ["number"]
    other = seed("Ade bought two portions of rice.", "Adé ra ìrẹsì méjì.")
    assert [k.provenance["lrl"] for k in skipped.children(other, 13)] == [["ìrẹsì", "iṣu"]]
    # The default settings skip numbers.
    assert config.DEFAULTS["substitute"]["skip_classes"] == ["number"]
    # A class the lexicon does not have is a typo, not a setting to ignore; the default needs no numerals.
    with pytest.raises(ConfigError, match="the lexicon has no class foods; its classes: food, number"):
        Substitute(lex, skip_classes=["foods"])
    Substitute(lexicon(("food", "iṣu", "yam", "")), skip_classes=["number"])
