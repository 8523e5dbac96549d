import unicodedata

from lrl.filters.normalize import Normalize
from lrl.record import Record

YO = Normalize([["\u0329", "\u0323"]])


def test_dot_below_variants_and_nfd_become_one_nfc_form() -> None:
    standard = "ọjọ́ ẹ̀kọ́"  # NFC with U+0323
    variants = [
        unicodedata.normalize("NFD", standard),
        unicodedata.normalize("NFD", standard).replace("\u0323", "\u0329"),
        # tone mark typed before the dot: canonical reordering must still merge it
        "o\u0329jo\u0301\u0329 e\u0300\u0329ko\u0301\u0329",
    ]
    for v in variants:
        assert YO.text(v) == standard


def test_bom_zero_width_controls_and_whitespace() -> None:
    assert YO.text("\ufeffÀwọn\u200b  ọmọ\tń\x07lọ \u00a0 ") == "Àwọn ọmọ ń lọ"


def test_empty_after_normalization_is_rejected_with_reason() -> None:
    rec = Record(id="x", src="Hello", tgt="\ufeff\u200b ", origin="seed")
    assert YO.apply(rec) == "empty: nothing left of the language side after normalization"


def test_rules_hook_runs_after_data_rules() -> None:
    class Rules:
        @staticmethod
        def normalize(text: str, options: dict) -> str:
            return text.replace("'y", "ƴ")

    n = Normalize([], rules=Rules())
    assert n.text("'yan  uwa") == "ƴan uwa"
    assert n.signature()["hook"] is True
