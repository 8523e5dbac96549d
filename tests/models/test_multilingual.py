"""NLLB-200 and M2M-100 back-translation on real (tiny, random) models built in the test session.

Each model is a random-init ``M2M100ForConditionalGeneration`` (d_model 16, 1+1 layers) with a
sentencepiece BPE model trained on the shipped Yoruba plugin's examples and monolingual text (read in
place) and the real transformers tokenizer class: ``NllbTokenizer`` (language codes ``eng_Latn``,
``yor_Latn``, ... as added special tokens) or ``M2M100Tokenizer`` (``vocab.json`` + the sentencepiece
model; language tokens ``__en__``, ``__yo__``). They go through the real lrl paths: ``resolve`` (convert
once to CTranslate2, detect the kind), ``CT2Translator`` in both directions with the target-language
prefix, forced-decoding scores checked against transformers, and ``pipeline.run`` with ``bt.model`` set.
Random weights make garbage text, so the tests check structure, not quality.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import pytest

from lrl.errors import ConfigError
from lrl.models.translator import CT2Translator, DecodeSettings, detect_kind, lang_token
from tests.conftest import REPO, TINY_MANIFEST, write_plugin

pytest.importorskip("ctranslate2")
pytest.importorskip("transformers")
pytest.importorskip("sentencepiece")

YO = REPO / "languages" / "yo"
KINDS = ("nllb", "m2m100")
# (English code, Yoruba code) in each model's own convention, as the plugin's codes.* give them.
CODES = {"nllb": ("eng_Latn", "yor_Latn"), "m2m100": ("en", "yo")}
YO_TEXTS = ["Ẹ káàárọ̀, ṣé dáadáa ni?", "Ọjà", "Àwọn ọmọdé ń lọ sí ilé ìwé ní àárọ̀ kùtù."]
EN_TEXTS = ["Good morning, are you well?", "Market", "The children go to school early in the morning."]


def _lines() -> list[str]:
    lines: list[str] = []
    with open(YO / "examples.tsv", encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.reader(f, delimiter="\t")):
            if i and len(row) == 2:
                lines += row
    lines += [x for x in (YO / "mono.txt").read_text(encoding="utf-8").splitlines() if x.strip()]
    return lines


def _train_spm(out: Path, lines: list[str], vocab_size: int) -> Any:
    """A BPE sentencepiece model (``<unk>`` 0, ``<s>`` 1, ``</s>`` 2, as NLLB's and M2M-100's are)."""
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_prefix=str(out / "sp"), vocab_size=vocab_size, model_type="bpe",
        character_coverage=1.0, hard_vocab_limit=False, unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
        minloglevel=2, num_threads=1)
    (out / "sp.vocab").unlink()
    return spm.SentencePieceProcessor(model_file=str(out / "sp.model"))


def _fairseq_vocab(sp: Any) -> dict[str, int]:
    """fairseq's dictionary: <s> <pad> </s> <unk>, then the sentencepiece pieces shifted by one."""
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for i in range(3, sp.get_piece_size()):
        vocab[sp.id_to_piece(i)] = i + 1
    return vocab


def _save_model(out: Path, vocab_size: int, tokenizer_class: str) -> None:
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration

    torch.manual_seed(0)
    cfg = M2M100Config(vocab_size=vocab_size, d_model=16, encoder_layers=1, decoder_layers=1,
                       encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
                       decoder_ffn_dim=32, max_position_embeddings=256, pad_token_id=1, bos_token_id=0,
                       eos_token_id=2, decoder_start_token_id=2, scale_embedding=True)
    cfg.tokenizer_class = tokenizer_class  # as in facebook/nllb-200-distilled-600M's config.json
    M2M100ForConditionalGeneration(cfg).save_pretrained(str(out))


def build_tiny_nllb(out: Path, lines: list[str], vocab_size: int = 300) -> Path:
    """An NLLB-200-shaped checkpoint: the FLORES-200 codes are special tokens after the pieces."""
    from transformers import NllbTokenizer
    from transformers.tokenization_utils_base import generate_merges

    out.mkdir(parents=True, exist_ok=True)
    sp = _train_spm(out, lines, vocab_size)
    vocab = _fairseq_vocab(sp)
    # transformers 5 builds NllbTokenizer's BPE from vocab + merges (reading sentencepiece.bpe.model needs
    # protobuf, which this environment lacks); the default extra special tokens are FAIRSEQ_LANGUAGE_CODES.
    tok = NllbTokenizer(vocab=vocab, merges=generate_merges(vocab), src_lang="eng_Latn")
    assert {"eng_Latn", "yor_Latn"} <= set(tok.all_special_tokens)
    tok.save_pretrained(str(out))
    (out / "sp.model").rename(out / "sentencepiece.bpe.model")  # shipped beside tokenizer.json, like NLLB
    _save_model(out, len(tok), "NllbTokenizer")
    return out


def build_tiny_m2m100(out: Path, lines: list[str], vocab_size: int = 300) -> Path:
    """An M2M-100-shaped checkpoint: vocab.json + sentencepiece.bpe.model; __xx__ tokens and 8 made-up
    words follow the dictionary (the model's vocab_size counts them, as facebook/m2m100_418M's does)."""
    from transformers import M2M100Tokenizer
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    out.mkdir(parents=True, exist_ok=True)
    sp = _train_spm(out, lines, vocab_size)
    (out / "sp.model").rename(out / "sentencepiece.bpe.model")
    (out / "vocab.json").write_text(json.dumps(_fairseq_vocab(sp), ensure_ascii=False), encoding="utf-8")
    # M2M100Tokenizer does not register its __xx__ tokens by itself (its own check is always false); the
    # real checkpoints list them in tokenizer_config.json's additional_special_tokens, so pass them so too.
    langs = [f"__{c}__" for c in FAIRSEQ_LANGUAGE_CODES["m2m100"]]
    tok = M2M100Tokenizer(vocab_file=str(out / "vocab.json"), spm_file=str(out / "sentencepiece.bpe.model"),
                          additional_special_tokens=langs)
    assert "__yo__" in tok.get_vocab() and "__en__" in tok.get_vocab()
    tok.save_pretrained(str(out))
    _save_model(out, len(tok) + tok.num_madeup_words, "M2M100Tokenizer")
    return out


BUILDERS = {"nllb": build_tiny_nllb, "m2m100": build_tiny_m2m100}


@pytest.fixture(scope="session")
def multilingual_hf(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """kind → its transformers checkpoint folder (tiny-nllb, tiny-m2m100)."""
    lines = _lines()
    root = tmp_path_factory.mktemp("tiny-multilingual")
    return {k: BUILDERS[k](root / f"tiny-{k}", lines) for k in KINDS}


@pytest.fixture(scope="session")
def multilingual_ct2(multilingual_hf: dict[str, Path], _lrl_cache: None) -> dict[str, tuple[Any, Any]]:
    """kind → (first, second) ``resolve`` of its checkpoint into the session's $LRL_CACHE/ct2, float32
    (what bt.compute_type = "float32" asks for, so that the pipeline runs below reuse the conversion)."""
    from lrl.models.resolve import resolve

    return {k: (resolve(str(p)), resolve(str(p))) for k, p in multilingual_hf.items()}


@pytest.mark.parametrize("kind", KINDS)
def test_resolve_converts_once_and_detects_the_kind(kind: str, multilingual_hf: dict[str, Path],
                                                    multilingual_ct2: dict[str, tuple[Any, Any]]) -> None:
    first, second = multilingual_ct2[kind]
    assert first.converted and not second.converted
    assert second.path == first.path and (first.path / "model.bin").is_file()
    assert first.kind == second.kind == kind == first.identity["kind"]
    assert first.identity["id"] == str(multilingual_hf[kind])
    assert first.identity["revision"] == second.identity["revision"]
    assert detect_kind(first.path) == kind
    assert json.loads((first.path / "lrl_model.json").read_text())["kind"] == kind
    # Without lrl's own note, the vocabulary alone tells the two apart.
    (first.path / "lrl_model.json").rename(first.path / "lrl_model.json.bak")
    try:
        assert detect_kind(first.path) == kind
    finally:
        (first.path / "lrl_model.json.bak").rename(first.path / "lrl_model.json")
    vocab = json.loads((first.path / "shared_vocabulary.json").read_text(encoding="utf-8"))
    en, yo = CODES[kind]
    assert lang_token(kind, en) in vocab and lang_token(kind, yo) in vocab


@pytest.mark.parametrize("kind", KINDS)
def test_int8_conversion(kind: str, multilingual_hf: dict[str, Path], tmp_path: Path) -> None:
    """bt.compute_type's default (int8) converts with int8 weights, into a folder of its own."""
    from lrl.models.resolve import resolve

    res = resolve(str(multilingual_hf[kind]), quantization="int8", cache=tmp_path)
    assert res.converted and res.kind == kind
    assert json.loads((res.path / "lrl_model.json").read_text())["quantization"] == "int8"
    en, yo = CODES[kind]
    tr = CT2Translator(res.path, res.kind, yo, en, DecodeSettings(max_decoding_length=8))
    assert all(isinstance(o, str) for o in tr.translate(YO_TEXTS))
    assert all(math.isfinite(x) for x in tr.score(YO_TEXTS, EN_TEXTS))


@pytest.mark.parametrize("kind", KINDS)
def test_translates_both_directions_with_the_target_prefix(kind: str,
                                                           multilingual_ct2: dict[str, tuple[Any, Any]]) -> None:
    res = multilingual_ct2[kind][0]
    en, yo = CODES[kind]
    s = DecodeSettings(max_batch_size=2, max_decoding_length=12)
    for src, tgt, texts in ((yo, en, YO_TEXTS), (en, yo, EN_TEXTS)):
        tr = CT2Translator(res.path, res.kind, src, tgt, s, res.identity)
        # Source: the source-language token first, </s> last; the decoder is forced to the target token.
        toks = tr._encode(texts[0], src)
        assert toks[0] == lang_token(kind, src) and toks[-1] == "</s>" and len(toks) > 3
        assert "<unk>" not in toks
        hyp = tr.model.translate_batch([toks], target_prefix=[[lang_token(kind, tgt)]],
                                       max_decoding_length=12)[0].hypotheses[0]
        assert hyp[0] == lang_token(kind, tgt)
        out = tr.translate(texts)
        assert len(out) == len(texts) and all(isinstance(o, str) for o in out)
        assert not any(lang_token(kind, c) in o for o in out for c in (en, yo))
        assert [tr.translate([t])[0] for t in texts] == out  # order restored after length-sorting
        assert tr.identity["src_lang"] == src and tr.identity["tgt_lang"] == tgt
        assert tr.identity["kind"] == kind
        other = EN_TEXTS if texts is YO_TEXTS else YO_TEXTS
        scores = tr.score(texts, other)
        assert len(scores) == 3 and all(math.isfinite(x) and -20 < x < 0 for x in scores)


@pytest.mark.parametrize("kind", KINDS)
def test_scores_agree_with_transformers(kind: str, multilingual_hf: dict[str, Path],
                                        multilingual_ct2: dict[str, tuple[Any, Any]]) -> None:
    """Forced decoding in CTranslate2 (target = language token + pieces + </s>, decoder started from </s>)
    gives transformers' log-probabilities: the conversion and the target prefix are right."""
    import torch
    from transformers import AutoTokenizer, M2M100ForConditionalGeneration

    res = multilingual_ct2[kind][0]
    en, yo = CODES[kind]
    tr = CT2Translator(res.path, res.kind, yo, en, DecodeSettings(compute_type="float32"))
    ct2 = tr.score([YO_TEXTS[2]], [EN_TEXTS[2]])[0]
    tok = AutoTokenizer.from_pretrained(str(multilingual_hf[kind]), src_lang=yo, tgt_lang=en)
    model = M2M100ForConditionalGeneration.from_pretrained(str(multilingual_hf[kind])).eval()
    enc = tok([YO_TEXTS[2]], text_target=[EN_TEXTS[2]], return_tensors="pt")
    labels = enc["labels"][0].tolist()
    assert tok.convert_ids_to_tokens(labels)[0] == lang_token(kind, en) and labels[-1] == tok.eos_token_id
    with torch.no_grad():
        logits = model(**enc).logits
    lp = logits.log_softmax(-1)[0].gather(-1, enc["labels"][0][:, None]).mean().item()
    assert abs(ct2 - lp) < 0.01


@pytest.mark.parametrize("kind", KINDS)
def test_language_codes_are_checked(kind: str, multilingual_ct2: dict[str, tuple[Any, Any]]) -> None:
    res = multilingual_ct2[kind][0]
    en, yo = CODES[kind]
    s = DecodeSettings(max_decoding_length=8)
    # ISO 639-3 where the model wants its own code: said plainly, not <unk> (NLLB) or a KeyError (M2M).
    for src, tgt in (("yor", en), (yo, "eng")):
        with pytest.raises(ConfigError, match=f"is not a language of the {kind} model.*codes.{kind}"):
            CT2Translator(res.path, res.kind, src, tgt, s)
    if kind == "m2m100":  # lang_token's "__yo__" spelling works as well as "yo"
        out = CT2Translator(res.path, res.kind, "__yo__", "__en__", s).translate(YO_TEXTS)
        assert out == CT2Translator(res.path, res.kind, yo, en, s).translate(YO_TEXTS)


def _plugin(root: Path, codes: str) -> Any:
    from lrl.languages.plugin import load_plugin

    return load_plugin(write_plugin(root / "languages", manifest=TINY_MANIFEST + codes))


def _cfg(plugin: Any, out: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    from lrl import config

    return config.resolve(plugin.defaults, "test", None, {
        "out_dir": str(out), "templates.enabled": False, "filters.langid.enabled": False,
        "inputs.max_rows": 6, "bt.compute_type": "float32", **overrides})


@pytest.mark.parametrize("kind", KINDS)
def test_pipeline_backtranslates_with_the_model(kind: str, tmp_path: Path, multilingual_hf: dict[str, Path],
                                                multilingual_ct2: dict[str, tuple[Any, Any]]) -> None:
    import os

    import pyarrow.parquet as pq

    from lrl import pipeline

    en, yo = CODES[kind]
    plugin = _plugin(tmp_path, f'\n[codes]\n{kind} = "{yo}"\n')
    ckpt = str(multilingual_hf[kind])
    # Random weights often decode to the length limit: let such English through to the round-trip filter.
    # The quality checks would (rightly) reject a random model's English; this test is about the CT2 path.
    cfg = _cfg(plugin, tmp_path / "out", {"bt.model": ckpt, "bt.score": "roundtrip", "bt.min_chrf": 0.0,
                                          "filters.length.max_ratio": 1000.0, "filters.script.src_min_share": 0.0,
                                          "filters.untranslated.enabled": False})
    result = pipeline.run(plugin, cfg, pipeline.Inputs(mono=[str(YO / "mono.txt")], parallel=[]),
                          progress=False)
    m = result.manifest
    # Converted once (by the fixture); the run reused the cached CTranslate2 folder.
    cached = [p for p in (Path(os.environ["LRL_CACHE"]) / "ct2").iterdir() if p.name.startswith(f"tiny-{kind}-")]
    assert cached == [multilingual_ct2[kind][0].path]
    steps = {s["name"]: s["signature"] for s in m["steps"]}
    names = [s["name"] for s in m["steps"]]
    assert names[names.index("bt") + 1: names.index("bt") + 3] == ["bt-privacy", "bt-length"] and names[-2:] == [
        "chrf", "dedup"]  # the run-wide dedup last
    model = steps["bt"]["model"]
    assert model["id"] == ckpt and model["kind"] == kind and (model["src_lang"], model["tgt_lang"]) == (yo, en)
    fwd = steps["chrf"]["forward_model"]  # the same model, the other way round
    assert fwd["id"] == ckpt and (fwd["src_lang"], fwd["tgt_lang"]) == (en, yo)
    assert m["stages"]["bt"]["created"] == 6 and m["stages"]["chrf"]["in"] >= 1
    t = m["totals"]
    assert t["generated"] == t["kept"] + t["rejected"]
    rows = [r for p in result.run_dir.glob("data/*.parquet") for r in pq.read_table(p).to_pylist()]
    rejected = [json.loads(x) for x in (result.run_dir / "rejected.jsonl").read_text().splitlines()]
    assert len(rows) == t["kept"] and len(rejected) == t["rejected"]
    bt_kept = [r for r in rows if r["origin"] == "bt"]
    bt_rejected = [r for r in rejected if r["origin"] == "bt"]
    assert len(bt_kept) + len(bt_rejected) == 6 and bt_kept  # min_chrf 0: garbage English passes
    assert result.kept_by_origin["bt"] == len(bt_kept)
    for r in bt_kept:
        prov = json.loads(r["provenance"])
        assert prov["model"]["id"] == ckpt and prov["model"]["kind"] == kind
        assert prov["model"]["revision"] == multilingual_ct2[kind][0].identity["revision"]
        assert r["parent_id"].startswith("mono:mono.txt") and r["tgt"] and r["src"]
        assert "chrf.roundtrip" in json.loads(r["scores"])
    for r in bt_rejected:
        assert r["provenance"]["model"]["id"] == ckpt and r["stage"] in ("bt", "bt-privacy", "bt-length", "chrf")


@pytest.mark.parametrize("kind", KINDS)
def test_plugin_without_the_models_code_is_a_config_error(kind: str, tmp_path: Path,
                                                          multilingual_hf: dict[str, Path]) -> None:
    from lrl import pipeline

    plugin = _plugin(tmp_path / "a", "")  # no [codes]
    cfg = _cfg(plugin, tmp_path / "out", {"bt.model": str(multilingual_hf[kind])})
    with pytest.raises(ConfigError, match=f"no codes.{kind}; set it in .*language.toml"):
        pipeline.build_steps(plugin, cfg)
    plugin = _plugin(tmp_path / "b", f'\n[codes]\n{kind} = "yor"\n')  # a code the model does not know
    with pytest.raises(ConfigError, match=f"'yor' is not a language of the {kind} model.*codes.{kind}"):
        pipeline.build_steps(plugin, cfg)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_reversed_shares_the_loaded_model(kind: str, multilingual_ct2: dict[str, tuple[Any, Any]]) -> None:
    res = multilingual_ct2[kind][0]
    en, yo = CODES[kind]
    s = DecodeSettings(max_batch_size=2, max_decoding_length=12)
    back = CT2Translator(res.path, res.kind, yo, en, s, res.identity)
    fwd = back.reversed()
    assert fwd.model is back.model
    assert (fwd.src_lang, fwd.tgt_lang) == (en, yo) and fwd.identity["tgt_lang"] == yo
    direct = CT2Translator(res.path, res.kind, en, yo, s, res.identity)
    assert fwd.translate(EN_TEXTS) == direct.translate(EN_TEXTS)
    assert back.translate(YO_TEXTS) == CT2Translator(res.path, res.kind, yo, en, s, res.identity).translate(YO_TEXTS)
