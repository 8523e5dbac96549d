"""Every plugin found must pass `lrl lang check` — so a broken plugin cannot land."""

import unicodedata
from pathlib import Path

import pytest

from lrl.languages import find_plugin, list_plugins
from lrl.languages.check import check_plugin

PLUGINS = sorted(p.code for p in list_plugins())


@pytest.mark.parametrize("code", PLUGINS)
def test_plugin_passes_check(code: str) -> None:
    report = check_plugin(find_plugin(code))
    assert not report.problems, "\n".join(report.lines + report.problems)


@pytest.mark.parametrize("code", PLUGINS)
def test_plugin_data_is_nfc_without_stray_characters(code: str) -> None:
    plugin = find_plugin(code)
    for path in sorted(Path(plugin.path).glob("*.tsv")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert unicodedata.is_normalized("NFC", line), f"{path}:{n} not NFC"
            assert "\ufeff" not in line and "\u0329" not in line, f"{path}:{n} BOM or U+0329"
            assert line == line.strip(), f"{path}:{n} leading/trailing whitespace"


def test_yoruba_rules() -> None:
    from lrl.filters.normalize import Normalize

    yo = find_plugin("yo")
    n = Normalize(yo.orthography["replace"], rules=yo.load_rules(), options=yo.orthography["options"])
    assert n.text("o\u0329jo\u0301\u0329") == "ọjọ́"


def test_hausa_hooked_letter_substitutes() -> None:
    ha = find_plugin("ha")
    rules = ha.load_rules()
    assert rules.normalize("'dan k'asa ya 'bata 'ya'yansa", {"hooks": True, "y": "keep"}) == \
        "ɗan ƙasa ya ɓata 'ya'yansa"
    assert rules.normalize("'ya'ya", {"y": "hook"}) == "ƴaƴa"
    assert rules.normalize("ƴaƴa", {"y": "apostrophe"}) == "'ya'ya"
    assert rules.normalize("don't", {"hooks": True}) == "don't"


def test_amharic_punctuation_and_homophone_folding() -> None:
    am = find_plugin("am")
    rules = am.load_rules()
    assert rules.normalize("ሰላም, እንዴት ነህ::", {}) == "ሰላም፣ እንዴት ነህ።"
    assert rules.normalize("ሐበሻ ሠላም ዐይን ፀሐይ", {"fold_homophones": True}) == "ሀበሻ ሰላም አይን ጸሀይ"
    assert rules.normalize("ሐበሻ", {}) == "ሐበሻ"
