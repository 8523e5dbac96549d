"""The bootstrap translator end to end on a tiny model: train a few steps on ~200 real pairs, convert to
CTranslate2, translate, and check CTranslate2 and transformers agree on log-probabilities."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from lrl.errors import ConfigError
from lrl.languages.plugin import load_plugin
from tests.conftest import write_plugin

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("ctranslate2")

TINY: dict[str, Any] = dict(minutes=1.0, max_steps=12, vocab_size=400, d_model=32, encoder_layers=1, decoder_layers=1,
            heads=2, ffn_dim=64, batch_tokens=1500, dev_size=20, quantize="none", threads=1)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, shared_data: Path):
    from lrl.models.bootstrap import BootstrapSettings, bootstrap

    root = tmp_path_factory.mktemp("bootstrap")
    plugin = load_plugin(write_plugin(root / "languages"))
    with open(shared_data / "yo" / "menyo20k" / "train.tsv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    seed = root / "seed.tsv"
    with open(seed, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t")
        w.writerow(["en", "yo"])
        w.writerows(rows[100:320])  # past the licence boilerplate at the top
    mp = pytest.MonkeyPatch()
    mp.setenv("LRL_CACHE", str(root / "cache"))
    s = BootstrapSettings(direction="yo-en", templates=10, **TINY)
    res = bootstrap(plugin, [str(seed)], s, out=root / "out")
    again = bootstrap(plugin, [str(seed)], s)
    mp.undo()
    return plugin, res, again, s


def test_manifest_and_files(trained) -> None:
    _, res, again, _ = trained
    m = json.loads((res.path / "lrl-model.json").read_text(encoding="utf-8"))
    assert m["direction"] == "yo-en" and m["kind"] == "marian"
    assert set(m["dev"]) == {"chrf", "chrf++", "bleu"} and m["data"]["dev_pairs"] == 20
    assert m["training"]["steps"] == 12 and m["data"]["template_pairs"] == 10
    assert len(m["data"]["train_hash"]) == 16 and m["model"]["ct2_bytes"] > 0
    for name in ("model.bin", "source.spm", "target.spm", "shared_vocabulary.json"):
        assert (res.ct2_dir / name).is_file()
    vocab = json.loads((res.path / "hf" / "vocab.json").read_text(encoding="utf-8"))
    assert max(vocab, key=vocab.get) == "<pad>"  # <pad> last
    cfg = json.loads((res.path / "hf" / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert cfg["tokenizer_class"] == "MarianTokenizer"
    assert again.cached and again.manifest["data"]["cache_key"] == m["data"]["cache_key"]


def test_ct2_translates_and_agrees_with_transformers(trained) -> None:
    import sentencepiece
    import torch
    import transformers

    from lrl.models.bootstrap import BootstrapTranslator

    _, res, _, _ = trained
    tr = BootstrapTranslator(res.ct2_dir, threads=1)
    out = tr.translate(["Ọmọ náà ń lọ sí ilé ìwé.", "Bàbá mi ra ọkọ̀."])
    assert len(out) == 2 and all(isinstance(x, str) for x in out)

    src, tgt = "Ọmọ náà ń lọ sí ilé ìwé.", "The child is going to school."
    ct2_lp = tr.token_logprobs([src], [tgt])[0]
    sp = sentencepiece.SentencePieceProcessor(model_file=str(res.ct2_dir / "source.spm"))
    model = transformers.MarianMTModel.from_pretrained(res.path / "hf").eval()
    pad = model.config.pad_token_id
    emb = model.get_input_embeddings().weight
    assert float(emb[pad].detach().abs().max()) == 0.0  # the <pad> row CTranslate2 starts the decoder from
    x = torch.tensor([sp.encode(src) + [0]])
    y = sp.encode(tgt) + [0]
    dec = torch.tensor([[pad] + y[:-1]])
    with torch.no_grad():
        logp = torch.log_softmax(model(input_ids=x, decoder_input_ids=dec).logits[0].float(), -1)
    hf_lp = [float(logp[i, t]) for i, t in enumerate(y)]
    assert len(ct2_lp) == len(hf_lp)
    assert max(abs(a - b) for a, b in zip(ct2_lp, hf_lp, strict=True)) < 0.05


def test_direction_must_involve_the_language(trained) -> None:
    from lrl.models.bootstrap import BootstrapSettings, bootstrap

    plugin = trained[0]
    with pytest.raises(ConfigError):
        bootstrap(plugin, [], BootstrapSettings(direction="ha-en", **TINY))
