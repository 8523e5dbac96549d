"""The translator interface and its CTranslate2 implementation.

A translator turns a list of sentences into a list of sentences, in order, and says what it is
(``identity``: model id, revision, kind) so that every synthetic row can name the model that made it.
Models that can score a given translation (forced decoding) also implement ``score``.

:class:`CT2Translator` wraps ``ctranslate2.Translator`` for Marian/OPUS-MT (sentencepiece ``source.spm`` /
``target.spm``) and NLLB-200 / M2M-100 (a transformers tokenizer; the target language is forced with a
target-prefix token such as ``yor_Latn`` or ``__yo__``). Throughput on CPU follows DESIGN.md: int8,
``inter_threads`` over ``intra_threads``, ``translate_iterable`` with ``max_batch_size`` and length-sorted
batches (order restored afterwards). On a GPU (``DecodeSettings.device = "cuda"``, chosen by
:mod:`lrl.models.device`) batches are sized in tokens (``max_batch_tokens``) so that short sentences fill
the GPU and long ones do not run it out of memory, and one worker drives it (``inter_threads`` 1).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from lrl.errors import ConfigError, require
from lrl.models.kinds import KINDS, detect_kind, lang_token  # noqa: F401 - re-exported


@runtime_checkable
class Translator(Protocol):
    """What back-translation and the round-trip filter need from a model."""

    identity: dict[str, Any]

    def translate(self, texts: list[str]) -> list[str]: ...


@runtime_checkable
class Scorer(Protocol):
    """A translator that can score given translations: mean log-probability per target token."""

    identity: dict[str, Any]

    def score(self, sources: list[str], targets: list[str]) -> list[float]: ...


@dataclass
class DecodeSettings:
    """Decoding and threading settings (the ``bt`` config section's names)."""

    beam_size: int = 1
    sampling_topk: int = 0  # 0 = beam search / greedy; > 1 = sample from the top k
    sampling_temperature: float = 1.0
    max_batch_size: int = 32
    compute_type: str = "int8"
    inter_threads: int = 0  # 0 = one per CPU core
    intra_threads: int = 1
    max_decoding_length: int = 256
    max_input_length: int = 1024  # 0 = no limit
    seed: int = 0
    device: str = "cpu"  # "cpu" | "cuda", already resolved (lrl.models.device.place)
    # On CUDA: tokens per batch (batch_type="tokens"); 0 = max_batch_size sentences, as on CPU.
    max_batch_tokens: int = 0
    # Cap each batch's decoding at twice its longest source + 10 tokens: a barely trained model repeats
    # itself to the length limit, and the bootstrap trainer decodes its dev set after every evaluation.
    cap_to_source: bool = False

    def batch_kwargs(self) -> dict[str, Any]:
        """How translate/score calls group sentences: by tokens on a GPU, by sentences on CPU (CPU rows
        stay exactly as before: the same batches, the same sampling draws)."""
        if self.device == "cuda" and self.max_batch_tokens > 0:
            return {"max_batch_size": self.max_batch_tokens, "batch_type": "tokens"}
        return {"max_batch_size": self.max_batch_size}

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _sorted_order(lengths: Sequence[int]) -> list[int]:
    return sorted(range(len(lengths)), key=lambda i: (lengths[i], i))


class CT2Translator:
    """A CTranslate2 model translating ``src_lang`` → ``tgt_lang``.

    ``src_lang``/``tgt_lang`` are the model's own codes (``eng_Latn``/``yor_Latn`` for NLLB, ``en``/``yo``
    for M2M-100) and are ignored for Marian, whose direction is fixed by the model.
    """

    def __init__(self, model_dir: Path, kind: str = "auto", src_lang: str = "", tgt_lang: str = "",
                 settings: DecodeSettings | None = None, identity: dict[str, Any] | None = None) -> None:
        ct2: Any = require("ctranslate2", "ctranslate2>=4.3", "back-translation with CTranslate2")
        self.model_dir = Path(model_dir)
        self.kind = detect_kind(self.model_dir) if kind == "auto" else kind
        if self.kind not in KINDS:
            raise ConfigError(f"bt.kind must be one of auto, {', '.join(KINDS)} or ibm1, got {self.kind!r}")
        if self.kind != "marian" and not (src_lang and tgt_lang):
            raise ConfigError(f"a {self.kind} model needs both language codes; the plugin's codes."
                              f"{'nllb' if self.kind == 'nllb' else 'm2m100'} is empty — set it in "
                              "language.toml")
        self.src_lang, self.tgt_lang = src_lang, tgt_lang
        self.settings = settings or DecodeSettings()
        s = self.settings
        self._ct2 = ct2
        if s.device not in ("cpu", "cuda"):
            raise ConfigError(f"CT2Translator needs device cpu or cuda (resolve 'auto' with "
                              f"lrl.models.device.place first), got {s.device!r}")
        # On a GPU, parallel workers would each hold activations on the one device for no gain: one
        # worker, fed large token batches, keeps it busy.
        inter = s.inter_threads or (1 if s.device == "cuda" else os.cpu_count() or 1)
        try:
            self.model = ct2.Translator(str(self.model_dir), device=s.device, compute_type=s.compute_type,
                                        inter_threads=inter, intra_threads=s.intra_threads)
        except (ValueError, RuntimeError) as exc:  # a compute type this device cannot run; CUDA libraries
            # missing (CTranslate2's wheels load cuBLAS 12 / cuDNN 9 only when a model goes to the GPU)
            raise ConfigError(f"cannot load {self.model_dir} on {s.device} with compute_type "
                              f"{s.compute_type!r}: {exc} — set bt.compute_type=auto, or bt.device=cpu if "
                              "the CUDA libraries CTranslate2 needs are missing") from None
        self._load_tokenizer()
        if self.kind != "marian":
            self._check_lang(src_lang)
            self._check_lang(tgt_lang)
        if s.device == "cuda":
            self._check_gpu()
        self.identity: dict[str, Any] = {
            "kind": self.kind, "id": str(self.model_dir), "revision": "",
            **(identity or {}), "src_lang": src_lang, "tgt_lang": tgt_lang,
        }

    def _check_gpu(self) -> None:
        """Translate one token now: CTranslate2 loads cuBLAS/cuDNN at the first product on the GPU, so a
        missing library would otherwise surface as a traceback mid-run instead of a setup error."""
        prefix = self._prefix()
        try:
            self.model.translate_batch([self._encode(".", self.src_lang)],
                                       target_prefix=[prefix] if prefix else None, max_decoding_length=2)
        except RuntimeError as exc:
            raise ConfigError(f"CTranslate2 cannot run {self.model_dir} on the GPU: {exc} — install the CUDA "
                              "libraries it names (CTranslate2's wheel needs CUDA 12's cuBLAS: pip install "
                              "nvidia-cublas-cu12), or set bt.device=cpu") from None

    def reversed(self) -> CT2Translator:
        """The other direction of a multilingual model, sharing the loaded weights and tokenizer (an
        NLLB-600M loaded twice would double the memory)."""
        if self.kind == "marian":
            raise ConfigError("a Marian model translates one way only; give the reverse model separately")
        other = copy.copy(self)
        other.src_lang, other.tgt_lang = self.tgt_lang, self.src_lang
        other.identity = {**self.identity, "src_lang": self.tgt_lang, "tgt_lang": self.src_lang}
        return other

    # -- tokenization -------------------------------------------------------------------------------
    def _load_tokenizer(self) -> None:
        self._sp_src: Any = None
        self._sp_tgt: Any = None
        self._hf: Any = None
        if self.kind == "marian" and (self.model_dir / "source.spm").is_file():
            spm: Any = require("sentencepiece", "sentencepiece", "Marian tokenization")
            self._sp_src = spm.SentencePieceProcessor(model_file=str(self.model_dir / "source.spm"))
            tgt = self.model_dir / "target.spm"
            self._sp_tgt = spm.SentencePieceProcessor(
                model_file=str(tgt if tgt.is_file() else self.model_dir / "source.spm"))
            return
        transformers: Any = require("transformers", "transformers", f"{self.kind} tokenization")
        try:
            self._hf = transformers.AutoTokenizer.from_pretrained(str(self.model_dir))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"no tokenizer in {self.model_dir} ({exc}); the folder needs the model's "
                              "tokenizer files (sentencepiece.bpe.model, tokenizer_config.json, ...) "
                              "beside model.bin") from None

    def _check_lang(self, code: str) -> None:
        """A language the model does not know would be read as <unk> (NLLB: garbage, silently) or crash
        the tokenizer (M2M-100: KeyError); say which code is wrong instead."""
        tok = self._hf
        if tok.convert_tokens_to_ids(lang_token(self.kind, code)) in (None, tok.unk_token_id):
            key = "nllb" if self.kind == "nllb" else "m2m100"
            raise ConfigError(f"{code!r} is not a language of the {self.kind} model in {self.model_dir}; check "
                              f"codes.{key} in the plugin's language.toml (NLLB-200 wants FLORES-200 codes such "
                              "as yor_Latn, M2M-100 ISO codes such as yo)")

    def _encode(self, text: str, lang: str) -> list[str]:
        if self._sp_src is not None:
            return [*self._sp_src.encode(text, out_type=str), "</s>"]
        tok = self._hf
        if self.kind == "marian":
            return list(tok.convert_ids_to_tokens(tok.encode(text)))
        # M2M100Tokenizer knows bare codes ("yo"), not the "__yo__" that lang_token also accepts.
        tok.src_lang = lang[2:-2] if self.kind == "m2m100" and lang.startswith("__") and lang.endswith("__") \
            else lang
        toks = list(tok.convert_ids_to_tokens(tok.encode(text)))
        want = lang_token(self.kind, lang)
        if want not in toks[:1]:  # legacy tokenizers put the language token last; CT2 wants it first
            toks = [want, *[t for t in toks if t != want]]
        return toks

    def _encode_target(self, text: str) -> list[str]:
        """Target tokens for scoring, without the end token (CTranslate2 adds it)."""
        if self._sp_tgt is not None:
            return list(self._sp_tgt.encode(text, out_type=str))
        if self.kind == "marian":
            toks = list(self._hf.convert_ids_to_tokens(self._hf.encode(text)))
            return [t for t in toks if t != "</s>"]
        toks = self._encode(text, self.tgt_lang)
        return [t for t in toks if t != "</s>"]

    def _decode(self, tokens: list[str]) -> str:
        if self.kind != "marian" and tokens and tokens[0] == lang_token(self.kind, self.tgt_lang):
            tokens = tokens[1:]
        tokens = [t for t in tokens if t not in ("</s>", "<pad>", "<s>")]
        if self._sp_tgt is not None:
            return str(self._sp_tgt.decode(tokens)).strip()
        ids = self._hf.convert_tokens_to_ids(tokens)
        return str(self._hf.decode(ids, skip_special_tokens=True)).strip()

    # -- translation --------------------------------------------------------------------------------
    def _prefix(self) -> list[str] | None:
        return None if self.kind == "marian" else [lang_token(self.kind, self.tgt_lang)]

    def translate(self, texts: list[str]) -> list[str]:
        """Translate in length-sorted batches with ``translate_iterable``; results in input order."""
        if not texts:
            return []
        s = self.settings
        tokens = [self._encode(t, self.src_lang) for t in texts]
        order = _sorted_order([len(t) for t in tokens])
        if s.cap_to_source:
            return self._translate_capped(tokens, order)
        prefix = self._prefix()
        kwargs: dict[str, Any] = {**s.batch_kwargs(), "beam_size": s.beam_size,
                                  "max_decoding_length": s.max_decoding_length,
                                  "max_input_length": s.max_input_length}
        if s.sampling_topk > 1:
            kwargs.update(beam_size=1, sampling_topk=s.sampling_topk,
                          sampling_temperature=s.sampling_temperature)
            self._ct2.set_random_seed(s.seed)  # translate_batch takes no per-call sampling seed
        src_iter: Iterator[list[str]] = (tokens[i] for i in order)
        if prefix is not None:
            results = self.model.translate_iterable(src_iter, (prefix for _ in order), **kwargs)
        else:
            results = self.model.translate_iterable(src_iter, **kwargs)
        out = [""] * len(texts)
        for i, res in zip(order, results, strict=True):
            out[i] = self._decode(res.hypotheses[0])
        return out

    def _translate_capped(self, tokens: list[list[str]], order: list[int]) -> list[str]:
        """Greedy/beam decoding batch by batch (``translate_batch``), each batch's length capped by its
        longest source (``DecodeSettings.cap_to_source``); results in input order."""
        s = self.settings
        prefix = self._prefix()
        out = [""] * len(tokens)
        for k in range(0, len(order), s.max_batch_size):
            idx = order[k:k + s.max_batch_size]
            batch = [tokens[i] for i in idx]
            limit = min(s.max_decoding_length, 2 * max(map(len, batch)) + 10)
            res = self.model.translate_batch(batch, target_prefix=[prefix] * len(batch) if prefix else None,
                                             beam_size=s.beam_size, max_decoding_length=limit)
            for i, r in zip(idx, res, strict=True):
                out[i] = self._decode(r.hypotheses[0])
        return out

    def token_logprobs(self, sources: list[str], targets: list[str]) -> list[list[float]]:
        """Forced decoding: each target's per-token log-probabilities (its end token included)."""
        if not sources:
            return []
        src = [self._encode(t, self.src_lang) for t in sources]
        tgt = [self._encode_target(t) for t in targets]
        if self.kind != "marian":
            pre = lang_token(self.kind, self.tgt_lang)
            tgt = [t if t[:1] == [pre] else [pre, *t] for t in tgt]
        order = _sorted_order([len(t) for t in src])
        results = self.model.score_iterable((src[i] for i in order), (tgt[i] for i in order),
                                            **self.settings.batch_kwargs(),
                                            max_input_length=self.settings.max_input_length)
        out: list[list[float]] = [[] for _ in sources]
        for i, res in zip(order, results, strict=True):
            out[i] = list(res.log_probs)
        return out

    def score(self, sources: list[str], targets: list[str]) -> list[float]:
        """Forced decoding: the mean log-probability per token of each target given its source."""
        return [round(sum(lp) / max(len(lp), 1), 4) for lp in self.token_logprobs(sources, targets)]
