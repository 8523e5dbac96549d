from pathlib import Path

from lrl.filters.decontaminate import Decontaminate
from lrl.filters.normalize import Normalize
from lrl.io.readers import ReadOptions
from lrl.record import Record
from lrl.step import RunContext, Stats

OPTS = ReadOptions(lang_names=("yo",))


def _run(f: Decontaminate, recs: list[Record]) -> tuple[list[str], dict[str, str]]:
    why: dict[str, str] = {}
    ctx = RunContext(stats=Stats(), on_reject=lambda r, s, reason: why.__setitem__(r.id, reason))
    return [r.id for r in f.run(recs, ctx)], why


def test_sides_in_the_test_set_are_rejected_after_normalization(tmp_path: Path) -> None:
    test = tmp_path / "test.tsv"
    test.write_text("en\tyo\nGood morning, my friend!\tẸ kú àárọ̀ ọ̀rẹ́ mi\n", encoding="utf-8")
    f = Decontaminate([str(test)], Normalize([["\u0329", "\u0323"]]), OPTS)
    kept, why = _run(f, [
        Record("a", "good morning my friend", "x y z", "seed"),
        Record("b", "Hello", "e\u0329 ku\u0301 a\u0300a\u0301ro\u0329\u0300 o\u0329\u0300re\u0329\u0301 mi.", "seed"),
        Record("c", "Good evening, my friend!", "Ẹ kú ìrọ̀lẹ́", "seed"),
    ])
    assert kept == ["c"]
    assert why["a"].startswith("in-test-set: the src side") and why["b"].startswith("in-test-set: the tgt side")
    assert f.signature()["test_rows"] == 1


def test_long_ngram_overlap(tmp_path: Path) -> None:
    test = tmp_path / "test.txt"
    test.write_text("the quick brown fox jumps over the lazy dog\n", encoding="utf-8")
    f = Decontaminate([str(test)], Normalize([]), OPTS, ngram=5)
    kept, why = _run(f, [Record("a", "", "yesterday the quick brown fox jumps high", "mono"),
                         Record("b", "", "the quick brown cat", "mono")])
    assert kept == ["b"] and why["a"].startswith("test-ngram")


def test_augment_excludes_test_rows_end_to_end(tiny_plugin_dir: Path, tmp_path: Path) -> None:
    from lrl import config
    from lrl.languages import load_plugin
    from lrl.pipeline import Inputs, run

    examples = (tiny_plugin_dir / "examples.tsv").read_text(encoding="utf-8").splitlines()
    test = tmp_path / "test.tsv"
    test.write_text("\n".join(examples[:2]) + "\n", encoding="utf-8")  # header + first example
    plugin = load_plugin(tiny_plugin_dir)
    cfg = config.resolve({}, "p", None, {"out_dir": str(tmp_path / "out"), "bt.enabled": False,
                                         "templates.enabled": False, "decontaminate.exclude": [str(test)]})
    m = run(plugin, cfg, Inputs([], []), progress=False).manifest
    assert m["stages"]["decontaminate"]["rejected"] == 1
    assert m["totals"]["kept"] == 1
