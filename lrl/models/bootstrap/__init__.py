"""Bootstrap translator: a small Marian encoder-decoder trained from scratch on CPU, converted to
CTranslate2, for languages no pretrained model covers.

* Data: the seed parallel files (any format :func:`lrl.io.readers.read` knows), normalized with the
  plugin's orthography rules, plus optional template renderings. A held-out slice of the real seed
  pairs (or a given dev file) measures the model.
* Vocabulary: one joint sentencepiece model over both sides (``source.spm`` = ``target.spm``); ids are
  the sentencepiece ids (``</s>`` = 0, ``<unk>`` = 1) and ``<pad>`` is appended LAST, as CTranslate2's
  Marian converter expects (it drops the trailing ``<pad>`` and starts the decoder from a zero
  embedding, so the ``<pad>`` row is kept at zero throughout training).
* Training: random init, tied embeddings, token-bucketed batches sorted by length, AdamW (fused), linear
  warmup then inverse-square-root decay, label smoothing, denormals flushed, optional bf16 autocast (it
  pays off from d_model 256 up), under a wall-clock budget. Evaluation time does not count against it.
* Expect little: on 10k MENYO-20k pairs and 2 shared CPU cores, 20-40 minutes give dev chrF ~10-15 and
  BLEU < 1 (still a language model of the target side); the IBM-1 translator (lrl/models/ibm1.py) is the
  better cheap default. The manifest's dev scores say which one a user has.
* Output folder (cached under ``$LRL_CACHE/models/bootstrap-<hash>/``, keyed by data and settings)::

      lrl-model.json    pair, direction, data hashes, steps, wall time, sizes, dev chrF/chrF++/BLEU
      hf/               the transformers checkpoint + MarianTokenizer files
      ct2/              the CTranslate2 model + source.spm/target.spm (+ a copy of lrl-model.json)

The measurements behind the defaults are in ``eval/results/bootstrap_yo.md``.

The parts: ``settings`` (settings, pair, result), ``data`` (reading, dev split), ``vocab`` (sentencepiece),
``network`` (the Marian model, batches, conversion), ``translator`` (CTranslate2 decoding, dev scores),
``train`` (the training loop); :func:`bootstrap` ties them to a plugin and the cache.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lrl.errors import ConfigError
from lrl.models import cache_root
from lrl.models.bootstrap.data import load_pairs, pairs_hash, split_dev
from lrl.models.bootstrap.network import _batches, _collate, build_model, convert
from lrl.models.bootstrap.settings import PAD, VERSION, BootstrapResult, BootstrapSettings, Pair
from lrl.models.bootstrap.train import cache_key, train
from lrl.models.bootstrap.translator import BootstrapTranslator, decoder, dev_scores
from lrl.models.bootstrap.vocab import train_spm, write_tokenizer_files

__all__ = ["PAD", "VERSION", "BootstrapResult", "BootstrapSettings", "BootstrapTranslator", "Pair", "_batches",
           "_collate", "bootstrap", "build_model", "cache_key", "convert", "decoder", "dev_scores", "load_pairs",
           "pairs_hash", "split_dev", "train", "train_spm", "write_tokenizer_files"]


def bootstrap(plugin: Any, parallel: Sequence[str], settings: BootstrapSettings | None = None,
              dev: str | None = None, out: Path | None = None, use_cache: bool = True,
              log: Callable[[str], None] | None = None) -> BootstrapResult:
    """Train (or load from the cache) the bootstrap model for ``plugin``'s language in one direction."""
    s = settings or BootstrapSettings()
    src_lang, tgt_lang = s.pair()
    code = plugin.code if plugin is not None else ""
    if code and code not in (src_lang, tgt_lang):
        raise ConfigError(f"bootstrap direction {s.direction!r} does not involve the plugin's language "
                          f"{code!r}: use {code}-en or en-{code}")
    norm = None
    names: tuple[str, ...] = ()
    if plugin is not None:
        from lrl.filters.normalize import Normalize

        norm = Normalize.for_plugin(plugin).text
        names = (plugin.code, plugin.iso639_3, plugin.name)
    specs = list(parallel)
    if not specs and plugin is not None:
        specs = [str(plugin.file("examples"))]
    pairs = load_pairs(specs, norm, names)
    if dev:
        dev_pairs = load_pairs([dev], norm, names)[: s.dev_size or None]
        dev_keys = {p.en for p in dev_pairs} | {p.lrl for p in dev_pairs}
        train_pairs = [p for p in pairs if p.en not in dev_keys and p.lrl not in dev_keys]
    else:
        train_pairs, dev_pairs = split_dev(pairs, s.dev_size, s.seed)
    seed_pairs = len(train_pairs)
    if s.templates and plugin is not None:
        from lrl.generate.templates import TemplateGenerator

        gen = TemplateGenerator(plugin.file("lexicon"), plugin.file("templates"), plugin.code,
                                s.templates, s.seed, plugin.fingerprint())
        for rec in gen:
            en, lrl = (norm(rec.src), norm(rec.tgt)) if norm else (rec.src, rec.tgt)
            train_pairs.append(Pair(en, lrl))
    key = cache_key(train_pairs, dev_pairs, s)
    cached = cache_root() / "models" / f"bootstrap-{s.direction}-{key}"
    info = {"inputs": specs, "dev_file": dev or "", "seed_pairs": seed_pairs,
            "template_pairs": len(train_pairs) - seed_pairs, "cache_key": key}
    if use_cache and (cached / "lrl-model.json").is_file() and (cached / "ct2" / "model.bin").is_file():
        manifest = json.loads((cached / "lrl-model.json").read_text(encoding="utf-8"))
        res = BootstrapResult(cached, manifest, cached=True)
    else:
        res = train(train_pairs, dev_pairs, s, cached, lang=code, data_info=info, log=log)
    if out is not None and Path(out).resolve() != res.path.resolve():
        dest = Path(out)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(res.path, dest)
        res = BootstrapResult(dest, res.manifest, res.cached, res.history)
    return res
