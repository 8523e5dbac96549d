"""CTranslate2 translator on a tiny locally built Marian model; resolution and conversion caching."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lrl.errors import LrlError
from lrl.models import resolve as resolve_mod
from lrl.models.translator import CT2Translator, DecodeSettings, Scorer, Translator, detect_kind, lang_token


def test_ct2_marian_translates_in_order_and_scores(tiny_marian: Path) -> None:
    tr = CT2Translator(tiny_marian, settings=DecodeSettings(max_batch_size=2, max_decoding_length=12))
    assert tr.kind == "marian" and isinstance(tr, Translator) and isinstance(tr, Scorer)
    texts = ["Ẹ káàárọ̀, ṣé dáadáa ni?", "Ọjà", "Àwọn ọmọdé ń lọ sí ilé ìwé ní àárọ̀ kùtù."]
    out = tr.translate(texts)
    assert len(out) == 3 and all(isinstance(o, str) for o in out)
    # Order is restored after length-sorting: each sentence alone gives the same output.
    assert [tr.translate([t])[0] for t in texts] == out
    scores = tr.score(texts, ["Good morning", "Market", "The children go to school early."])
    assert len(scores) == 3 and all(-20 < s < 0 for s in scores)
    assert tr.score(texts[:1], ["Good morning"]) == scores[:1]


def test_ct2_sampling_is_seeded(tiny_marian: Path) -> None:
    s = DecodeSettings(sampling_topk=10, sampling_temperature=1.0, max_decoding_length=8, seed=3)
    a = CT2Translator(tiny_marian, settings=s).translate(["Ẹ káàárọ̀ o", "Ọjà ńlá"])
    b = CT2Translator(tiny_marian, settings=s).translate(["Ẹ káàárọ̀ o", "Ọjà ńlá"])
    assert a == b


def test_ct2_scores_agree_with_transformers(tiny_marian: Path, tiny_marian_hf: Path) -> None:
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    tr = CT2Translator(tiny_marian, settings=DecodeSettings(compute_type="float32"))
    ct2 = tr.score(["Ẹ káàárọ̀"], ["Good morning"])[0]
    tok = MarianTokenizer.from_pretrained(str(tiny_marian_hf))
    model = MarianMTModel.from_pretrained(str(tiny_marian_hf)).eval()
    enc = tok(["Ẹ káàárọ̀"], text_target=["Good morning"], return_tensors="pt")
    with torch.no_grad():
        logits = model(**enc).logits
    lp = logits.log_softmax(-1)[0].gather(-1, enc["labels"][0][:, None]).mean().item()
    assert abs(ct2 - lp) < 0.01


def test_resolve_converts_a_checkpoint_once(tiny_marian_hf: Path, tmp_path: Path) -> None:
    src = tmp_path / "opus-mt-tiny"
    shutil.copytree(tiny_marian_hf, src)
    cache = tmp_path / "cache"
    first = resolve_mod.resolve(str(src), cache=cache)
    assert first.converted and (first.path / "model.bin").is_file() and first.kind == "marian"
    assert (first.path / "source.spm").is_file() and detect_kind(first.path) == "marian"
    second = resolve_mod.resolve(str(src), cache=cache)
    assert not second.converted and second.path == first.path
    assert first.identity["revision"] == second.identity["revision"]
    # A CTranslate2 folder is used as it is.
    direct = resolve_mod.resolve(str(first.path))
    assert direct.path == first.path.resolve() and not direct.converted
    assert CT2Translator(direct.path).translate(["Ọjà"])


def test_missing_model_offline_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hfhome"))
    with pytest.raises(LrlError) as err:
        resolve_mod.resolve("Helsinki-NLP/opus-mt-yo-en-not-here")
    msg = str(err.value)
    assert "not on this machine" in msg and "HF_HUB_OFFLINE=1" in msg
    assert "huggingface-cli download Helsinki-NLP/opus-mt-yo-en-not-here" in msg
    assert "bt.model=" in msg and "bt.model=\"\"" in msg
    with pytest.raises(LrlError, match="no such folder"):
        resolve_mod.resolve(str(tmp_path / "nowhere" / "model"))


def test_lang_tokens() -> None:
    assert lang_token("nllb", "yor_Latn") == "yor_Latn"
    assert lang_token("m2m100", "yo") == "__yo__"


def test_ct2_decode_and_input_caps_reach_the_engine(tiny_marian: Path) -> None:
    """bt.max_decoding_length and bt.max_input_length (issue 11): a random model runs to the decode cap."""
    text = "Àwọn ọmọdé ń lọ sí ilé ìwé ní àárọ̀ kùtù pẹ̀lú àwọn ọ̀rẹ́ wọn. " * 4
    short = CT2Translator(tiny_marian, settings=DecodeSettings(max_decoding_length=3))
    long = CT2Translator(tiny_marian, settings=DecodeSettings(max_decoding_length=40))
    assert len(short.translate([text])[0]) < len(long.translate([text])[0]) or not long.translate([text])[0]
    cut = CT2Translator(tiny_marian, settings=DecodeSettings(max_input_length=2))
    full = CT2Translator(tiny_marian, settings=DecodeSettings(max_input_length=0))
    # two source tokens score the target differently from the whole sentence
    assert cut.score([text], ["The children"]) != full.score([text], ["The children"])


def test_backtranslation_hands_the_engine_one_long_stream() -> None:
    """bt.feed_rows rows per translator call, not 64 (issue 11)."""
    from lrl import config
    from lrl.generate.backtranslate import BackTranslate
    from lrl.record import Record
    from lrl.step import RunContext, Stats

    class Count:
        identity = {"kind": "test", "id": "count", "revision": "1"}
        calls: list[int] = []

        def translate(self, texts: list[str]) -> list[str]:
            self.calls.append(len(texts))
            return list(texts)

    assert config.DEFAULTS["bt"]["feed_rows"] >= 1000
    tr = Count()
    step = BackTranslate(tr, batch_size=config.DEFAULTS["bt"]["feed_rows"], progress=False)
    rows = [Record(id=str(i), src="", tgt=f"ọ̀rọ̀ {i}", origin="mono") for i in range(5000)]
    out = list(step.run(rows, RunContext(Stats(), lambda *a: None)))
    feed = config.DEFAULTS["bt"]["feed_rows"]
    assert len(out) == 10000 and tr.calls == [feed, 5000 - feed]
