"""Causal LMs for paraphrase on tiny locally built Llamas: resolution and offline errors, revision,
batched left-padded generation, the CTranslate2 Generator backend (convert once, cache, same answers)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lrl.errors import ConfigError, LrlError
from lrl.generate.prompts import Prompt
from lrl.models.llm import CT2CausalLM, GenSettings, HFCausalLM, load_llm, locate_model, model_revision
from tests import tinyllm
from tests.tinyllm import A1, A2, E1, S1, S2

PROMPT = Prompt(name="default", language="Yoruba", code="yo", instruction="Paraphrase into {n}:")
GREEDY = GenSettings(temperature=0.0, max_new_tokens=120, threads=1, batch_size=2)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tinyllm.trained_chat_llm(tmp_path_factory.getbasetemp())


def test_batched_left_padded_generation_matches_one_by_one(trained: Path) -> None:
    lm = HFCausalLM(str(trained), GREEDY)
    assert lm.chat and lm.tokenizer.padding_side == "left" and not lm.trust_remote_code
    prompts = [lm.render(PROMPT, S1, E1, 2), lm.render(PROMPT, S2, "", 2)]
    assert prompts[0].startswith("<|user|>\nParaphrase into 2:") and prompts[0].endswith("<|assistant|>\n")
    both = lm.generate(prompts, seed=1)
    assert [g.text for g in both] == [A1, A2] and all(g.finished for g in both)
    assert [lm.generate([p], seed=1)[0] for p in prompts] == both
    short = HFCausalLM(str(trained), GenSettings(temperature=0.0, max_new_tokens=5, threads=1))
    cut = short.generate(prompts[:1], seed=1)[0]
    assert not cut.finished and A1.startswith(cut.text)
    ident = lm.identity
    assert ident["backend"] == "transformers" and ident["revision"].startswith("content-")


def test_sampling_is_seeded(tmp_path_factory: pytest.TempPathFactory) -> None:
    model = tinyllm.cached("random-chat", tmp_path_factory.getbasetemp(), lines=tinyllm.plugin_lines())
    lm = HFCausalLM(str(model), GenSettings(temperature=1.0, top_p=0.95, max_new_tokens=12, threads=1))
    prompts = [lm.render(PROMPT, S1, "", 2), lm.render(PROMPT, S2, "", 2)]
    a, b, c = lm.generate(prompts, 5), lm.generate(prompts, 5), lm.generate(prompts, 6)
    assert a == b and a != c


def test_plain_prompt_without_a_chat_template(tmp_path_factory: pytest.TempPathFactory) -> None:
    model = tinyllm.cached("random-plain", tmp_path_factory.getbasetemp(), lines=tinyllm.plugin_lines(),
                           chat=False)
    lm = load_llm(str(model), "transformers", GenSettings(max_new_tokens=4, threads=1))
    assert not lm.chat and lm.identity["chat_template"] is False
    text = lm.render(PROMPT, S1, E1, 2)
    assert text == PROMPT.plain(S1, E1, 2) and text.endswith("Paraphrases:\n")
    assert len(lm.generate([text], 0)) == 1


def test_ctranslate2_backend_converts_once_and_answers_the_same(trained: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LRL_CACHE", str(tmp_path / "cache"))
    settings = GenSettings(temperature=0.0, max_new_tokens=120, threads=1, compute_type="float32")
    lm = CT2CausalLM(str(trained), settings)
    assert lm.converted and lm.ct2_path.is_relative_to(tmp_path / "cache" / "ct2")
    assert (lm.ct2_path / "model.bin").is_file()
    prompts = [lm.render(PROMPT, S1, E1, 2), lm.render(PROMPT, S2, "", 2)]
    assert [g.text for g in lm.generate(prompts, 1)] == [A1, A2]
    again = CT2CausalLM(str(trained), settings)
    assert not again.converted and again.ct2_path == lm.ct2_path
    assert again.identity["backend"] == "ctranslate2" and again.identity["revision"] == lm.identity["revision"]
    int8 = load_llm(str(trained), "ctranslate2", GenSettings(temperature=0.8, max_new_tokens=40, threads=1))
    out = int8.generate(prompts, 3)
    assert len(out) == 2 and out == int8.generate(prompts, 3)  # int8, sampled, seeded


def test_revision_is_a_content_hash_or_the_downloaded_commit(trained: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(trained, copy)
    assert model_revision(copy) == model_revision(trained) and model_revision(copy, "abc") == "abc"
    meta = copy / ".cache" / "huggingface" / "download"
    meta.mkdir(parents=True)
    (meta / "config.json.metadata").write_text("0123456789abcdef0123456789abcdef01234567\netag\n1\n")
    assert model_revision(copy) == "0123456789abcdef0123456789abcdef01234567"


def test_missing_models_say_how_to_get_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(LrlError, match=r"paraphrase\.model = .*no such folder"):
        locate_model(str(tmp_path / "nope"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(LrlError) as err:
        locate_model("lrl-test-org/no-such-llm")
    msg = str(err.value)
    assert "HF_HUB_OFFLINE" in msg and "huggingface-cli download lrl-test-org/no-such-llm" in msg
    assert "paraphrase.model" in msg and "bt.model" not in msg and "pivot" in msg
    (tmp_path / "empty").mkdir()
    with pytest.raises(LrlError, match="not a transformers causal-LM checkpoint"):
        HFCausalLM(str(tmp_path / "empty"), GREEDY)
    ct2_only = tmp_path / "ct2"
    ct2_only.mkdir()
    (ct2_only / "model.bin").write_bytes(b"")
    with pytest.raises(ConfigError, match="backend"):
        HFCausalLM(str(ct2_only), GREEDY)
    with pytest.raises(ConfigError, match="paraphrase.backend"):
        load_llm(str(tmp_path), "vllm", GREEDY)


def test_a_template_without_a_system_turn_gets_the_system_text_in_the_first_user_turn(
        tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    src = tinyllm.cached("random-chat", tmp_path_factory.getbasetemp(), lines=tinyllm.plugin_lines())
    model = tmp_path / "nosystem"
    shutil.copytree(src, model)
    template = ("{% for m in messages %}{% if m['role'] == 'system' %}{{ raise_exception('no system role') }}"
                "{% endif %}<|{{ m['role'] }}|>\n{{ m['content'] }}<|end|>\n{% endfor %}"
                "{% if add_generation_prompt %}<|assistant|>\n{% endif %}")
    (model / "chat_template.jinja").write_text(template, encoding="utf-8")
    lm = HFCausalLM(str(model), GREEDY)
    with_system = Prompt(name="s", language="Yoruba", code="yo", system="Be careful.", instruction="Go {n}:")
    assert lm.render(with_system, S1, "", 2).startswith("<|user|>\nBe careful.\n\nGo 2:")
