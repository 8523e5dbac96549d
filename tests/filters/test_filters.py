from pathlib import Path

import pytest

from lrl.errors import ConfigError
from lrl.filters.dedup import Dedup
from lrl.filters.langid import LangID
from lrl.filters.length import Length
from lrl.filters.orthography import ToneMarks, tone_share
from lrl.filters.script import Script
from lrl.record import Record
from lrl.step import RunContext, Stats


def run(step, records):  # type: ignore[no-untyped-def]
    rejected: list[tuple[str, str, str]] = []
    ctx = RunContext(stats=Stats(), on_reject=lambda r, s, why: rejected.append((r.id, s, why)))
    kept = [r.id for r in step.run(records, ctx)]
    return kept, rejected, ctx.stats


def rec(i: str, src: str, tgt: str, origin: str = "seed") -> Record:
    return Record(id=i, src=src, tgt=tgt, origin=origin)


def test_length_limits_and_ratio() -> None:
    f = Length(min_chars=2, max_chars=50, max_ratio=2.0, ratio_min_chars=5)
    kept, rejected, stats = run(f, [
        rec("ok", "Good morning", "Ẹ kú àárọ̀"),
        rec("short", "A", "Ẹ kú àárọ̀"),
        rec("ratio", "Good morning to all of you here", "Ẹ kú o"),
        rec("ratio-short-exempt", "Hi", "Báwo ni o ṣe wà"),
        rec("mono", "", "Ẹ kú àárọ̀"),
        rec("long", "", "a" * 51),
    ])
    assert kept == ["ok", "ratio-short-exempt", "mono"]
    reasons = {i: why for i, _, why in rejected}
    assert reasons["short"].startswith("too-short: src")
    assert reasons["ratio"].startswith("length-ratio:")
    assert reasons["long"].startswith("too-long: tgt")
    s = stats["length"]
    assert s.seen == s.passed + s.rejected == 6


def test_dedup_keeps_first_and_names_it() -> None:
    kept, rejected, _ = run(Dedup(), [rec("a", "x", "y"), rec("b", "x", "y"), rec("c", "", "y")])
    assert kept == ["a", "c"]
    assert rejected == [("b", "dedup", "duplicate: same pair as a")]


def test_script_share() -> None:
    f = Script("Ethi", "ETHIOPIC", 0.75)
    kept, rejected, _ = run(f, [rec("am", "", "ሰላም ነው።"), rec("latin", "", "selam new")])
    assert kept == ["am"] and rejected[0][2].startswith("script:")


def test_tone_marks_flag_and_reject() -> None:
    marked = "Àwọn ọmọdé ń lọ sí ilé ìwé ní àárọ̀ pẹ̀lú àwọn ọ̀rẹ́ wọn"
    stripped = "Awon omode n lo si ile iwe ni aaro pelu awon ore won"
    assert tone_share(marked)[0] > 0.3 and tone_share(stripped)[0] == 0.0
    kept, _, _ = run(ToneMarks("flag", 0.1, 12), [rec("m", "", marked), rec("s", "", stripped)])
    assert kept == ["m", "s"]
    kept, rejected, _ = run(ToneMarks("reject", 0.1, 12), [rec("m", "", marked), rec("s", "", stripped)])
    assert kept == ["m"] and rejected[0][2].startswith("toneless:")


def test_langid_both_sides_with_reasons() -> None:
    f = LangID("yo", [], "en", ["pcm"], tgt_min_prob=0.5, src_min_prob=0.1, min_chars=20)
    rows = [
        rec("good", "The children are going to school with their friends.",
            "Àwọn ọmọdé ń lọ sí ilé ìwé pẹ̀lú àwọn ọ̀rẹ́ wọn."),
        rec("english-in-yo", "", "The children are going to school with their friends today."),
        rec("yo-in-en", "Àwọn ọmọdé ń lọ sí ilé ìwé pẹ̀lú àwọn ọ̀rẹ́ wọn.",
            "Àwọn ọmọdé ń lọ sí ilé ìwé pẹ̀lú àwọn ọ̀rẹ́ wọn."),
        rec("short-not-judged", "", "OK then"),
    ]
    kept, rejected, _ = run(f, rows)
    assert kept == ["good", "short-not-judged"]
    reasons = {i: why for i, _, why in rejected}
    assert reasons["english-in-yo"].startswith("langid-tgt: P(yo) = 0.00 < 0.5; labelled en")
    assert reasons["yo-in-en"].startswith("langid-src: P(en|pcm) = 0.00 < 0.1; labelled yo")
    assert rows[0].scores["langid.tgt_label"] == "yo"


def test_langid_unknown_label_fails_when_built(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not know"):
        LangID("xyz", [], "en", [], 0.5, 0.1, 20)
    with pytest.raises(ConfigError, match="not found"):
        LangID("yo", [], "en", [], 0.5, 0.1, 20, model=tmp_path / "missing.model")


def test_filter_applies_to_only_some_origins() -> None:
    f = Dedup()
    f.applies_to = frozenset({"bt"})
    kept, rejected, stats = run(f, [rec("a", "x", "y"), rec("b", "x", "y", "bt"), rec("c", "x", "y", "bt"),
                                    rec("d", "x", "y")])
    assert sorted(kept) == ["a", "b", "d"] and rejected[0][0] == "c"
    assert stats["dedup"].seen == 2


def test_length_ratio_calibrated_on_seed_pairs_rejects_a_cut_side() -> None:
    # Seed pairs whose language side is ~1.2x the English (log ratio ≈ -0.18), with some spread.
    seed = [("w" * n, "y" * round(n * (1.2 + 0.05 * (i % 5 - 2)))) for i, n in enumerate(range(20, 80))]
    assert Length.calibrate(seed) == (0.0, 0.0, 60)  # too few to trust by default
    mean, std, n = Length.calibrate(seed, min_pairs=50)
    assert n == 60 and -0.2 < mean < -0.16 and 0.0 < std < 0.1
    f = Length.build({"max_z": 3.0, "min_calibration_pairs": 50}, seed)
    en = "The children are going to school in the morning."  # 49 chars
    kept, rejected, _ = run(f, [
        rec("ok", en, "Àwọn ọmọdé ń lọ sí ilé ìwé ní àárọ̀ kùtù pẹ̀lú wọn."),
        rec("cut-tgt", en, "Àwọn ọmọdé ń lọ sí"),  # ratio 2.7 < max_ratio 3: only the z-score sees it
        rec("tagged", "<BT> " + en, "Àwọn ọmọdé ń lọ sí ilé ìwé ní àárọ̀ kùtù pẹ̀lú wọn.", origin="bt"),
        rec("short-exempt", "Hi", "Ẹ kú"),
        rec("mono", "", "Àwọn ọmọdé ń lọ sí"),
    ])
    assert kept == ["ok", "tagged", "short-exempt", "mono"]
    assert rejected[0][0] == "cut-tgt" and rejected[0][2].startswith("length-z: +")
    assert "English too long" in rejected[0][2]
    assert f.signature()["max_z"] == 3.0 and "log_ratio_std" in f.signature()


def test_length_without_calibration_keeps_the_fixed_ratio_only() -> None:
    too_few = [("a" * 20, "b" * 24)] * 5
    assert Length.calibrate(too_few, min_pairs=10) == (0.0, 0.0, 5)
    for f in (Length.build({}, too_few), Length(2, 1000, 3.0, 15)):
        row = rec("cut", "The children are going to school in the morning.", "Àwọn ọmọdé ń lọ sí")
        kept, _, _ = run(f, [row])
        assert kept == ["cut"] and "length.z" not in row.scores and f.signature()["log_ratio_std"] == 0.0


def test_length_rejects_a_side_cut_mid_sentence_only_when_it_is_also_short() -> None:
    # Seed: language side ~1.2x the English with a wide spread (std of the log ratio ~0.3).
    seed = [("w" * n, "y" * round(n * (1.2 * (1.4 if i % 2 else 0.7)))) for i, n in enumerate(range(20, 80))]
    f = Length.build({"max_z": 0.0, "cut_z": 1.0, "min_calibration_pairs": 50}, seed)
    en = "My mother bought yam and pepper at the market yesterday evening."
    yo = "Ìyá mi ra iṣu àti ata ní ọjà ní ìrọ̀lẹ́ àná."
    kept, rejected, _ = run(f, [
        rec("ok", en, yo),
        rec("cut-en", "My mother bought yam and", yo),
        rec("cut-yo", en, "Ìyá mi ra iṣu àti ata ní ọjà"),
        rec("no-stop-both", en.rstrip("."), yo.rstrip(".")),
        rec("no-stop-not-short", en, yo.rstrip(".") + " ní ọjà ńlá"),  # missing end, but not short
        rec("quoted", f'"{en}"', f"“{yo}”"),
    ])
    assert kept == ["ok", "no-stop-both", "no-stop-not-short", "quoted"]
    reasons = {i: why for i, _, why in rejected}
    assert reasons["cut-en"].startswith("truncated: the English ends mid-sentence")
    assert reasons["cut-yo"].startswith("truncated: the language side ends mid-sentence")
