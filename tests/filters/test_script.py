"""The script filter's English-side check."""

from __future__ import annotations

from lrl.filters.script import SCRIPT_DEFAULTS, Script
from lrl.record import Record
from lrl.step import RunContext, Stats


def run(step: Script, records: list[Record]) -> tuple[list[str], dict[str, str]]:
    rejected: dict[str, str] = {}
    ctx = RunContext(stats=Stats(), on_reject=lambda r, s, why: rejected.__setitem__(r.id, why))
    return [r.id for r in step.run(records, ctx)], rejected


def test_ethiopic_letters_on_the_english_side_reject() -> None:
    f = Script("Ethi", "ETHIOPIC", 0.75)  # the existing three-argument call still works
    assert f.src_min_share == SCRIPT_DEFAULTS["src_min_share"]
    am = "ገበሬዎቹ ዛሬ ጠዋት እህላቸውን ወደ ገበያ ወሰዱ።"
    rows = [
        Record(id="clean", src="The farmers took their grain to the market this morning.", tgt=am, origin="seed"),
        Record(id="tigrinya-word", src="The farmers took their ዕዳጋ grain to the market this morning.", tgt=am,
               origin="bt"),
        Record(id="amharic-words", src="The farmers ወደ ገበያ this morning.", tgt=am, origin="bt"),
        Record(id="tigrinya-side", src="ሎሚ ጽቡቕ መዓልቲ እዩ።", tgt=am, origin="bt"),
        Record(id="mono", src="", tgt=am, origin="mono"),
        Record(id="numbers", src="2023 - 45%", tgt=am, origin="seed"),
    ]
    kept, rejected = run(f, rows)
    assert kept == ["clean", "mono", "numbers"]
    assert all(why.startswith("script-src: only") for why in rejected.values())
    assert rows[1].scores["script.src_letters"] == 49 and rows[1].scores["script.src_share"] == round(46 / 49, 4)


def test_yoruba_names_on_the_english_side_are_latin() -> None:
    f = Script("Latn", "LATIN", 0.75, src_min_share=0.99)
    rows = [Record(id="names", src="Adéwálé and Fúnmiláyọ̀ met Ọlábísí in Ògbómọ̀ṣọ́.",
                   tgt="Adéwálé àti Fúnmiláyọ̀ bá Ọlábísí pàdé ní Ògbómọ̀ṣọ́.", origin="seed")]
    kept, _ = run(f, rows)
    assert kept == ["names"] and rows[0].scores["script.src_share"] == 1.0
