"""The langid filter's decisions on hand-written lines (shipped yo and am plugins, real backends)."""

from __future__ import annotations

import copy

import pytest

from lrl.errors import ConfigError
from lrl.filters.langid import LANGID_DEFAULTS, LangID, bare_text
from lrl.languages import find_plugin
from lrl.record import Record

# filters.langid as lrl/config.py has it before the new keys are merged: the rest must come from defaults
OLD_SETTINGS = {"enabled": True, "min_chars": 20, "tgt_min_prob": 0.5, "src_min_prob": 0.1, "src_label": "en",
                "src_acceptable": ["pcm"]}


@pytest.fixture(scope="module")
def yo() -> LangID:
    return LangID.from_settings(find_plugin("yo"), OLD_SETTINGS)


@pytest.fixture(scope="module")
def am() -> LangID:
    return LangID.from_settings(find_plugin("am"), OLD_SETTINGS)


def judge(lid: LangID, src: str, tgt: str) -> str | None:
    rec = Record(id="r", src=src, tgt=tgt, origin="seed" if src else "mono")
    return lid.decide(rec, lid.score(rec))


def test_old_settings_take_the_new_defaults(yo: LangID) -> None:
    assert yo.sides["tgt"].confident_prob == LANGID_DEFAULTS["tgt_confident_prob"]
    assert yo.sides["tgt"].confusable == {"vi", "ig", "en", "pcm"}
    assert yo.sides["src"].backend.name == LANGID_DEFAULTS["src_backend"]


def test_short_foreign_line_on_the_lrl_side_is_rejected(yo: LangID) -> None:
    line = "Tôi yêu bạn nhiều."  # Vietnamese, 18 characters: below min_chars
    assert len(line) < LANGID_DEFAULTS["min_chars"]
    why = judge(yo, "", line)
    assert why is not None and why.startswith("langid-tgt: confidently vi")


def test_short_clean_lines_are_kept(yo: LangID) -> None:
    for line in ("Ẹ ṣé púpọ̀.", "Mo fẹ́ràn ọ̀rẹ́ mi.", "Ọjà ti kún."):
        assert judge(yo, "", line) is None, line
    assert judge(yo, "Thank you very much.", "Ẹ ṣé púpọ̀.") is None


def test_too_few_letters_is_no_evidence(yo: LangID) -> None:
    assert judge(yo, "", "OK.") is None  # 2 letters: not judged, even though it is not Yoruba


def test_english_with_yoruba_names_is_not_yoruba(yo: LangID) -> None:
    line = "Yesterday Adéwálé met Fúnmiláyọ̀ at the market in Ìbàdàn with Túndé."
    assert judge(yo, "", line) is not None
    why = judge(yo, "", "Adéwálé and Fúnmiláyọ̀ visited Ọlábísí in Ògbómọ̀ṣọ́ last week.")
    assert why is not None and "without capitalized words" in why


def test_yoruba_names_do_not_make_english_fail(yo: LangID) -> None:
    assert judge(yo, "Yesterday Adéwálé met Fúnmiláyọ̀ and Ọlábísí in Ìbàdàn.",
                 "Adéwálé bá Fúnmiláyọ̀ àti Ọlábísí pàdé ní Ìbàdàn lánàá.") is None
    assert judge(yo, "Tádé is very happy today.", "Inú Tádé dùn gan-an lónìí.") is None


def test_yoruba_on_the_english_side_is_rejected(yo: LangID) -> None:
    why = judge(yo, "Mo fẹ́ràn ọ̀rẹ́ mi.", "Mo fẹ́ràn ọ̀rẹ́ mi.")  # short: only the confident rules can see it
    assert why is not None and why.startswith("langid-src:")


def test_confusable_outscoring_the_language_rejects(yo: LangID) -> None:
    why = judge(yo, "", "Good morning.")  # short, top label en with p < confident_prob
    assert why is not None and "exceeds P(yo)" in why


def test_tigrinya_is_told_from_amharic(am: LangID) -> None:
    assert am.sides["tgt"].backend.name == "heliport"
    assert judge(am, "", "ዛሬ ጥሩ ቀን ነው፤ ወደ ገበያ እንሄዳለን።") is None
    why = judge(am, "", "ሎሚ ጽቡቕ መዓልቲ እዩ፣ ናብ ዕዳጋ ክንከይድ ኢና።")
    assert why is not None and "tir" in why


def test_decisions_come_from_the_scores_alone(yo: LangID) -> None:
    rec = Record(id="r", src="", tgt="Tôi yêu bạn nhiều.", origin="mono")
    scores = yo.score(rec)
    assert scores["tgt_chars"] == 18 and scores["tgt_letters"] == 14
    assert yo.decide(rec, scores) is not None
    lenient = copy.deepcopy(yo)
    lenient.tgt["confident_prob"], lenient.tgt["confusable_margin"] = 1.01, 1.0
    assert lenient.decide(rec, scores) is None  # below min_chars, only the short-line rules could reject it


def test_bare_text_drops_names() -> None:
    assert bare_text("Adéwálé went to Ìbàdàn. He came back.") == "went to came back."
    assert bare_text("Àwọn ọmọdé ń lọ sí ilé ìwé.") == ""  # only the first word is capitalized


def test_labels_a_backend_does_not_know_are_clear_errors() -> None:
    am = find_plugin("am")
    on_py3langid = copy.copy(am)
    on_py3langid.langid = {**am.langid, "backend": "py3langid"}
    with pytest.raises(ConfigError, match="the plugin's langid.confusable names 'ti'.*backend py3langid"):
        LangID.from_settings(on_py3langid, OLD_SETTINGS)
    ha = find_plugin("ha")
    on_heliport = copy.copy(ha)
    on_heliport.langid = {**ha.langid, "backend": "heliport"}
    with pytest.raises(ConfigError, match="the plugin's langid.label names 'ha'"):
        LangID.from_settings(on_heliport, OLD_SETTINGS)
    with pytest.raises(ConfigError, match="filters.langid.src_acceptable names 'pcm'"):
        LangID.from_settings(find_plugin("yo"), {**OLD_SETTINGS, "src_backend": "fasttext"})
    with pytest.raises(ConfigError, match="filters.langid.src_backend"):
        LangID.from_settings(find_plugin("yo"), {**OLD_SETTINGS, "src_backend": "langdetect"})
