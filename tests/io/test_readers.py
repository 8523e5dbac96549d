import json
from pathlib import Path

import pytest

from lrl.errors import InputError
from lrl.io.readers import InputStats, ReadOptions, read

OPTS = ReadOptions(lang_names=("yo", "yor", "Yoruba"))


def _read(spec: str | Path, parallel: bool = False, **kw: object) -> tuple[list, InputStats]:
    st = InputStats()
    opts = ReadOptions(**{**OPTS.__dict__, **kw})
    return list(read(str(spec), opts, parallel, st)), st


def test_text_lines_blank_lines_counted_not_rows(tmp_path: Path) -> None:
    p = tmp_path / "mono.txt"
    p.write_text("Ọjà ni mo lọ.\n\nMo dé.\n", encoding="utf-8")
    recs, st = _read(p)
    assert [r.tgt for r in recs] == ["Ọjà ni mo lọ.", "Mo dé."]
    assert [r.id for r in recs] == ["mono:mono.txt:1", "mono:mono.txt:3"]
    assert st.blank_lines == 1 and st.rows == 2
    assert recs[0].origin == "mono" and recs[0].src == ""


def test_invalid_utf8_names_line_or_is_skipped_and_counted(tmp_path: Path) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes("good line\n".encode() + b"caf\xe9 latin1\n" + "another\n".encode())
    with pytest.raises(InputError, match=r"bad.txt:2: invalid UTF-8.*inputs.bad_rows=skip"):
        _read(p)
    recs, st = _read(p, bad_rows="skip")
    assert len(recs) == 3 and st.bad_rows == 1
    assert recs[1].pre_rejected is not None and recs[1].pre_rejected[0] == "read"


def test_tsv_with_csv_quoting_and_header_guess(tmp_path: Path) -> None:
    p = tmp_path / "pairs.tsv"
    p.write_text('English\tYoruba\n"He said ""hi""\tthere"\tÓ ní "báwo"\nGood\tDáadáa\n', encoding="utf-8")
    recs, _ = _read(p, parallel=True)
    assert recs[0].src == 'He said "hi"\tthere' and recs[0].tgt == 'Ó ní "báwo"'
    assert recs[1].provenance["line"] == 3


def test_tsv_wrong_field_count(tmp_path: Path) -> None:
    p = tmp_path / "pairs.tsv"
    p.write_text("en\tyo\nGood\tDáadáa\nonly one field\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"pairs.tsv:3: expected 2 tab-separated fields.*found 1"):
        _read(p, parallel=True)
    recs, _ = _read(p, parallel=True, bad_rows="skip")
    assert recs[1].pre_rejected and "bad-row" in recs[1].pre_rejected[1]


def test_tsv_unknown_columns_says_which_setting(tmp_path: Path) -> None:
    p = tmp_path / "x.tsv"
    p.write_text("a\tb\n1\t2\n", encoding="utf-8")
    with pytest.raises(InputError, match="inputs.tgt_column"):
        _read(p)
    recs, _ = _read(p, tgt_column="b")
    assert recs[0].tgt == "2"


def test_jsonl_and_bad_json(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text(json.dumps({"en": "Hello", "yo": "Ẹ n lẹ"}) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"x.jsonl:2: not valid JSON"):
        _read(p, parallel=True)
    recs, _ = _read(p, parallel=True, bad_rows="skip")
    assert (recs[0].src, recs[0].tgt) == ("Hello", "Ẹ n lẹ") and recs[1].pre_rejected


def test_conll_sentences(tmp_path: Path) -> None:
    p = tmp_path / "x.conll"
    p.write_text("Ina O\nson B-PER\n\nBa O\nhaka O\n", encoding="utf-8")
    recs, _ = _read(p)
    assert [r.tgt for r in recs] == ["Ina son", "Ba haka"]


def test_aligned_text_files(tmp_path: Path) -> None:
    (tmp_path / "a.en").write_text("one\ntwo\n")
    (tmp_path / "a.ha").write_text("daya\nbiyu\n")
    recs, _ = _read(f"{tmp_path}/a.en,{tmp_path}/a.ha", parallel=True)
    assert [(r.src, r.tgt) for r in recs] == [("one", "daya"), ("two", "biyu")]
    (tmp_path / "a.ha").write_text("daya\n")
    with pytest.raises(InputError, match="different lengths"):
        _read(f"{tmp_path}/a.en,{tmp_path}/a.ha", parallel=True)


def test_datasets_folder_round_trip(tmp_path: Path) -> None:
    import datasets

    datasets.Dataset.from_dict({"en": ["a b c"], "yo": ["à b d"]}).save_to_disk(str(tmp_path / "ds"))
    recs, _ = _read(tmp_path / "ds", parallel=True)
    assert (recs[0].src, recs[0].tgt) == ("a b c", "à b d")


def test_missing_file_and_plain_text_as_parallel(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        _read(tmp_path / "nope.txt")
    p = tmp_path / "x.txt"
    p.write_text("a\n")
    with pytest.raises(InputError, match="only one language"):
        _read(p, parallel=True)


def test_real_menyo_train_parses(shared_data: Path) -> None:
    recs, st = _read(shared_data / "yo/menyo20k/train.tsv", parallel=True)
    assert st.rows == 10_063 and all(r.src and r.tgt for r in recs[:100])
