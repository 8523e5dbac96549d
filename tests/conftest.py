"""Shared fixtures. Real data is read from ../shared/data (never copied into the repository); tests that
need it skip when it is absent. Tiny plugins and models are built in the test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("LRL_SHARED_DATA", REPO.parent / "shared" / "data"))

# Hand-written for the tests (NFC, tone-marked): enough to exercise every slot feature.
TINY_LEXICON = """class\tyo\ten\tfeatures
person\tAdé\tAde\tgender=m
person\tFúnmi\tFunmi\tgender=f
person\tTúndé\tTunde\tgender=m
food\tìrẹsì\trice\t
food\tẹ̀wà\tbeans\t
food\tiṣu\tyam\t
place\tọjà\tthe market\t
place\tilé ìwé\tthe school\t
number\tméjì\ttwo\t
number\tmẹ́ta\tthree\t
"""
TINY_TEMPLATES = """id\tyo\ten
t1\t{person} ń jẹ {food} ní {place}.\t{person} is eating {food} at {place}.
t2\t{person:a} rí {person:b} lánàá.\t{person:a} saw {person:b} yesterday.
t3\t{person} ra {food} {number}.\t{person} bought {number} portions of {food}.
t4\t{person} lọ sí {place}; {person.gender?m=òun|f=òun} kò padà.\t{person} went to {place}; {person.gender?m=he|f=she} did not return.
"""
TINY_EXAMPLES = """en\tyo
The children are going to school early in the morning with their friends.\tÀwọn ọmọdé ń lọ sí ilé ìwé ní àárọ̀ kùtù pẹ̀lú àwọn ọ̀rẹ́ wọn.
My mother bought yam and pepper at the market yesterday evening.\tÌyá mi ra iṣu àti ata ní ọjà ní ìrọ̀lẹ́ àná.
"""
TINY_MANIFEST = """[language]
code = "yo"
iso639_3 = "yor"
name = "Yoruba"
script = "Latn"

[langid]
label = "yo"

[orthography]
replace = [["\\u0329", "\\u0323"]]
tone_check = "flag"
"""


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


def write_plugin(root: Path, manifest: str = TINY_MANIFEST, lexicon: str = TINY_LEXICON,
                 templates: str = TINY_TEMPLATES, examples: str = TINY_EXAMPLES, code: str = "yo") -> Path:
    path = root / code
    path.mkdir(parents=True, exist_ok=True)
    (path / "language.toml").write_text(manifest, encoding="utf-8")
    (path / "lexicon.tsv").write_text(lexicon, encoding="utf-8")
    (path / "templates.tsv").write_text(templates, encoding="utf-8")
    (path / "examples.tsv").write_text(examples, encoding="utf-8")
    return path


@pytest.fixture
def tiny_plugin_dir(tmp_path: Path) -> Path:
    return write_plugin(tmp_path / "languages")


# --- tiny Marian translator (back-translation tests) ---------------------------------------------------
# A random-init MarianMTModel (d_model 16, 1+1 layers) with a joint sentencepiece model trained on a few
# hundred MENYO-20k lines read in place, saved with the Marian vocabulary conventions CTranslate2's
# converter expects (DESIGN.md): source.spm/target.spm, vocab.json with <pad> LAST, tokenizer_config
# naming MarianTokenizer, and the <pad> embedding row kept at zero.


def build_tiny_marian(out: Path, lines: list[str], vocab_size: int = 300) -> Path:
    import json

    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel

    out.mkdir(parents=True, exist_ok=True)
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_prefix=str(out / "spm"), vocab_size=vocab_size,
        model_type="unigram", character_coverage=1.0, hard_vocab_limit=False,
        eos_id=0, unk_id=1, bos_id=-1, pad_id=-1, minloglevel=2, num_threads=1)
    sp = spm.SentencePieceProcessor(model_file=str(out / "spm.model"))
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    vocab = {p: i for i, p in enumerate(pieces)}
    pad = len(vocab)
    vocab["<pad>"] = pad
    for name in ("source.spm", "target.spm"):
        (out / name).write_bytes((out / "spm.model").read_bytes())
    (out / "spm.model").unlink()
    (out / "spm.vocab").unlink()
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (out / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "MarianTokenizer", "source_lang": "yo", "target_lang": "en",
        "model_max_length": 128, "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
        "separate_vocabs": False}), encoding="utf-8")
    torch.manual_seed(0)
    cfg = MarianConfig(vocab_size=pad + 1, d_model=16, encoder_layers=1, decoder_layers=1,
                       encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
                       decoder_ffn_dim=32, max_position_embeddings=512, pad_token_id=pad, eos_token_id=0,
                       decoder_start_token_id=pad, forced_eos_token_id=0, scale_embedding=True,
                       share_encoder_decoder_embeddings=True, tie_word_embeddings=True)
    model = MarianMTModel(cfg)
    with torch.no_grad():
        model.get_input_embeddings().weight[pad].zero_()
    model.save_pretrained(str(out))
    return out


@pytest.fixture(scope="session")
def tiny_marian_hf(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """The transformers checkpoint folder of a tiny random Marian model (yo→en)."""
    import csv

    lines: list[str] = []
    with open(shared_data / "yo" / "menyo20k" / "train.tsv", encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.reader(f, delimiter="\t", quotechar='"')):
            if 0 < i <= 300 and len(row) == 2:
                lines += [row[0], row[1].lstrip("\ufeff")]
    return build_tiny_marian(tmp_path_factory.mktemp("tiny-marian") / "hf", lines)


@pytest.fixture(scope="session")
def tiny_marian(tiny_marian_hf: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same model converted to CTranslate2 (with its sentencepiece files), ready for CT2Translator."""
    import ctranslate2

    out = tmp_path_factory.mktemp("tiny-marian-ct2") / "ct2"
    names = ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json")
    copy = [str(tiny_marian_hf / f) for f in names]
    ctranslate2.converters.TransformersConverter(str(tiny_marian_hf), copy_files=copy).convert(str(out))
    return out


@pytest.fixture(scope="session", autouse=True)
def _lrl_cache(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Models trained or converted during tests (e.g. the IBM-1 back-translator a pipeline run
    bootstraps) go to a session folder, not the user's ~/.cache/lrl."""
    old = os.environ.get("LRL_CACHE")
    os.environ["LRL_CACHE"] = str(tmp_path_factory.mktemp("lrl-cache"))
    yield
    if old is None:
        os.environ.pop("LRL_CACHE", None)
    else:
        os.environ["LRL_CACHE"] = old
