"""Causal language models for paraphrase: transformers (default) or a CTranslate2 ``Generator``.

Both backends load the same model folder (a local path or a Hugging Face id, resolved offline-first by
:func:`lrl.models.resolve.locate`), use the model's own tokenizer and its chat template when it has one,
and return one :class:`Generation` per prompt: the decoded new text and whether the model ended it
itself (``finished``) or ran into ``max_new_tokens``.

* transformers: batched ``generate`` with left padding, sampling seeded with ``torch.manual_seed``
  before every batch (not ``transformers.set_seed``, which would also reseed ``random`` and numpy);
  ``trust_remote_code`` only when the configuration turns it on.
* CTranslate2: the checkpoint is converted once with ``TransformersConverter`` (int8 by default) and cached
  under ``$LRL_CACHE/ct2/`` (``~/.cache/lrl/ct2``) by :func:`lrl.models.resolve.convert`, shared with
  back-translation's cache; ``generate_batch`` with ``ctranslate2.set_random_seed``.

torch, transformers and ctranslate2 are imported when a model is built, through :func:`lrl.errors.require`,
so a missing package fails at start-up naming the pip package.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lrl.errors import ConfigError, LrlError, require

BACKENDS = ("transformers", "ctranslate2")
#: Weight files of a transformers checkpoint (single file or sharded).
WEIGHTS = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json",
           "pytorch_model.bin.index.json")
SETTING = "paraphrase.model"


@dataclass
class GenSettings:
    """Generation settings (the ``paraphrase`` config section's names). ``temperature`` 0 = greedy."""

    max_new_tokens: int = 160
    temperature: float = 0.8
    top_p: float = 0.95
    top_k: int = 0  # 0 = no top-k cut
    repetition_penalty: float = 1.0
    batch_size: int = 8
    #: torch intra-op threads (0 = leave torch's default); CTranslate2's intra_threads.
    threads: int = 0
    #: CTranslate2: the quantization of the converted model and the compute type; transformers: the
    #: torch dtype (float32 | float16 | bfloat16; other values: the library's default). Resolved (not "auto").
    compute_type: str = "int8"
    #: "cpu" | "cuda", resolved by lrl.models.device.place.
    device: str = "cpu"

    def as_dict(self) -> dict[str, Any]:
        """The settings rows record in their provenance: without the device (see ``placement``), so the
        same model and settings give the same rows' provenance on CPU and GPU."""
        d = asdict(self)
        d.pop("device")
        return d

    @property
    def sampling(self) -> bool:
        return self.temperature > 0


@dataclass
class Generation:
    text: str
    finished: bool  # False: generation stopped at max_new_tokens (the last item may be cut off)


# -- resolution ------------------------------------------------------------------------------------------
def locate_model(name: str) -> tuple[Path, str]:
    """(folder, revision hint) for a local folder or a Hugging Face id: local → HF cache → Hub (online
    only) → an LrlError saying how to bring the model onto this machine."""
    from lrl.models.resolve import locate

    try:
        return locate(name)
    except LrlError as exc:
        msg = str(exc).replace("bt.model", SETTING)
        msg = msg.replace(f'Or set {SETTING}="" to bootstrap the IBM-1 translator from the seed data.',
                          f'Or set {SETTING}="" to paraphrase without a language model (the pivot '
                          "path through the seed-trained IBM-1 translator).")
        raise LrlError(msg) from None


def model_revision(path: Path, hint: str = "") -> str:
    """The model's commit hash when known (HF cache snapshot name, or the metadata ``huggingface-cli
    download --local-dir`` leaves), else ``content-<hash>`` of config.json and the files' names and sizes."""
    if hint:
        return hint
    meta = path / ".cache" / "huggingface" / "download" / "config.json.metadata"
    if meta.is_file():
        first = meta.read_text(encoding="utf-8", errors="replace").splitlines()[:1]
        if first and len(first[0].strip()) == 40:
            return first[0].strip()
    h = hashlib.sha256()
    cfg = path / "config.json"
    if cfg.is_file():
        h.update(cfg.read_bytes())
    for p in sorted(path.iterdir()):
        if p.is_file() and not p.name.startswith("."):
            h.update(f"{p.name}\t{p.stat().st_size}\n".encode())
    return f"content-{h.hexdigest()[:16]}"


def _check_folder(path: Path, backend: str) -> None:
    if (path / "model.bin").is_file() and not (path / "config.json").is_file():
        if backend != "ctranslate2":
            raise ConfigError(f"{path} is a CTranslate2 model (model.bin); set paraphrase.backend = "
                              "\"ctranslate2\" or give the transformers checkpoint")
        return
    if not (path / "config.json").is_file() or not any((path / w).is_file() for w in WEIGHTS):
        raise LrlError(f"{path} is not a transformers causal-LM checkpoint: it needs config.json and the "
                       f"weights ({' or '.join(WEIGHTS)}) plus the tokenizer files")


# -- the backends ----------------------------------------------------------------------------------------
class CausalLM:
    """What the paraphrase step needs: ``render`` a prompt in the model's format, ``generate`` a batch."""

    backend = ""

    def __init__(self, name: str, settings: GenSettings, trust_remote_code: bool = False) -> None:
        transformers: Any = require("transformers", "transformers", "LLM paraphrase")
        self.name = name
        self.settings = settings
        self.path, hint = locate_model(name)
        _check_folder(self.path, self.backend)
        self.revision = model_revision(self.path, hint)
        self.trust_remote_code = trust_remote_code
        try:
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(
                str(self.path), trust_remote_code=trust_remote_code)
        except (OSError, ValueError) as exc:
            raise LrlError(f"cannot load the tokenizer of {self.path} ({exc}); the folder needs the model's "
                           "tokenizer files (tokenizer.json / tokenizer_config.json)") from None
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.chat = bool(getattr(self.tokenizer, "chat_template", None))

    @property
    def identity(self) -> dict[str, Any]:
        return {"kind": "llm", "backend": self.backend, "id": self.name, "path": str(self.path),
                "revision": self.revision, "chat_template": self.chat}

    @property
    def placement(self) -> dict[str, str]:
        """Where the model ran (manifest and summary; not in the rows' provenance, which stays the same
        whichever device made them)."""
        return {"device": self.settings.device, "compute_type": self.settings.compute_type}

    def render(self, prompt: Any, sentence: str, english: str, n: int) -> str:
        """The text the model sees: the chat template applied to the prompt's messages, or the plain
        few-shot text when the tokenizer has no chat template."""
        if not self.chat:
            return str(prompt.plain(sentence, english, n))
        messages = prompt.messages(sentence, english, n)
        try:
            return str(self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))
        except Exception:  # some templates (e.g. Gemma's) refuse a system turn: fold it into the first user turn
            if not messages or messages[0]["role"] != "system":
                raise
            system, first, *rest = messages
            merged = [{"role": "user", "content": f"{system['content']}\n\n{first['content']}"}, *rest]
            return str(self.tokenizer.apply_chat_template(merged, tokenize=False, add_generation_prompt=True))

    def _encode_kwargs(self) -> dict[str, Any]:
        # A chat template writes its own BOS; a plain prompt gets the tokenizer's usual special tokens.
        return {"add_special_tokens": not self.chat}

    def eos_ids(self) -> list[int]:
        ids: list[int] = []
        cfg = getattr(self, "_generation_eos", None)
        for v in (cfg, self.tokenizer.eos_token_id):
            if isinstance(v, int):
                ids.append(v)
            elif isinstance(v, (list, tuple)):
                ids += [int(x) for x in v]
        return list(dict.fromkeys(ids))

    def generate(self, prompts: list[str], seed: int) -> list[Generation]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class HFCausalLM(CausalLM):
    """A transformers ``AutoModelForCausalLM`` on CPU (or whatever device torch defaults to)."""

    backend = "transformers"

    def __init__(self, name: str, settings: GenSettings, trust_remote_code: bool = False) -> None:
        torch: Any = require("torch", "lrl[train]", "LLM paraphrase with transformers")
        self.torch = torch
        super().__init__(name, settings, trust_remote_code)
        transformers: Any = require("transformers", "transformers", "LLM paraphrase")
        if settings.threads > 0:
            self.torch.set_num_threads(settings.threads)
        # Only the float dtypes mean something to torch; anything else (CTranslate2's int8 names, "default")
        # loads as transformers always did here, so CPU rows stay the same.
        extra: dict[str, Any] = {}
        if settings.compute_type in ("float16", "bfloat16", "float32"):
            extra["dtype"] = getattr(torch, settings.compute_type)
        try:
            self.model = transformers.AutoModelForCausalLM.from_pretrained(
                str(self.path), trust_remote_code=trust_remote_code, **extra)
        except (OSError, ValueError) as exc:
            hint = "" if trust_remote_code else (" (if the model needs its own code, set "
                                                 "paraphrase.trust_remote_code = true — only for code you trust)")
            raise LrlError(f"cannot load {self.path} as a causal language model: {exc}{hint}") from None
        self.model.to(settings.device)
        self.model.eval()
        self._generation_eos = getattr(self.model.generation_config, "eos_token_id", None)

    def generate(self, prompts: list[str], seed: int) -> list[Generation]:
        torch = self.torch
        s = self.settings
        out: list[Generation] = []
        eos = set(self.eos_ids())
        for start in range(0, len(prompts), max(1, s.batch_size)):
            chunk = prompts[start:start + max(1, s.batch_size)]
            torch.manual_seed(seed + start)  # sampling draws from torch's global generator only
            enc = self.tokenizer(chunk, return_tensors="pt", padding=True, **self._encode_kwargs()).to(s.device)
            kwargs: dict[str, Any] = {"max_new_tokens": s.max_new_tokens, "pad_token_id": self.tokenizer.pad_token_id,
                                      "eos_token_id": sorted(eos) or None, "do_sample": s.sampling}
            if s.sampling:
                kwargs.update(temperature=s.temperature, top_p=s.top_p, top_k=s.top_k or None)
            if s.repetition_penalty != 1.0:
                kwargs["repetition_penalty"] = s.repetition_penalty
            with torch.inference_mode():
                seqs = self.model.generate(**enc, **kwargs)
            new = seqs[:, enc["input_ids"].shape[1]:].tolist()
            for row in new:
                ended = any(t in eos for t in row)
                if ended:
                    row = row[:next(i for i, t in enumerate(row) if t in eos)]
                text = self.tokenizer.decode(row, skip_special_tokens=True)
                out.append(Generation(text, ended))
        return out


class CT2CausalLM(CausalLM):
    """The same model through ``ctranslate2.Generator`` (converted once, cached)."""

    backend = "ctranslate2"

    def __init__(self, name: str, settings: GenSettings, trust_remote_code: bool = False) -> None:
        ct2: Any = require("ctranslate2", "ctranslate2>=4.3", "LLM paraphrase with CTranslate2")
        self.ct2 = ct2
        super().__init__(name, settings, trust_remote_code)
        if (self.path / "model.bin").is_file():
            self.ct2_path, self.converted = self.path, False
        else:
            from lrl.models.resolve import convert

            quant = settings.compute_type if settings.compute_type != "default" else None
            self.ct2_path, self.converted = convert(self.path, quant)
        gen_cfg = self.path / "generation_config.json"
        if gen_cfg.is_file():
            self._generation_eos = json.loads(gen_cfg.read_text(encoding="utf-8")).get("eos_token_id")
        try:
            self.model = self.ct2.Generator(str(self.ct2_path), device=settings.device,
                                            compute_type=settings.compute_type, intra_threads=settings.threads)
            if settings.device == "cuda":  # cuBLAS loads at the first product: fail here, not mid-run
                first = self.tokenizer.convert_ids_to_tokens(self.tokenizer.encode("a"))
                self.model.generate_batch([first], max_length=1)
        except (RuntimeError, ValueError) as exc:
            raise LrlError(f"CTranslate2 cannot run {self.ct2_path} on {settings.device} with compute_type "
                           f"{settings.compute_type!r}: {exc} — set paraphrase.device=cpu, or install the "
                           "CUDA libraries it names (its wheel needs CUDA 12's cuBLAS)") from None

    @property
    def identity(self) -> dict[str, Any]:
        return {**super().identity, "ct2_path": str(self.ct2_path), "compute_type": self.settings.compute_type}

    def generate(self, prompts: list[str], seed: int) -> list[Generation]:
        s = self.settings
        eos = self.eos_ids()
        tokens = [self.tokenizer.convert_ids_to_tokens(self.tokenizer.encode(p, **self._encode_kwargs()))
                  for p in prompts]
        kwargs: dict[str, Any] = {"max_batch_size": max(1, s.batch_size), "max_length": s.max_new_tokens,
                                  "include_prompt_in_result": False, "return_end_token": True,
                                  "sampling_topk": (s.top_k or 0) if s.sampling else 1,
                                  "sampling_topp": s.top_p if s.sampling else 1.0,
                                  "sampling_temperature": s.temperature if s.sampling else 1.0,
                                  "repetition_penalty": s.repetition_penalty}
        if eos:
            kwargs["end_token"] = eos
        self.ct2.set_random_seed(seed)
        out: list[Generation] = []
        for res in self.model.generate_batch(tokens, **kwargs):
            ids = list(res.sequences_ids[0])
            ended = bool(ids) and ids[-1] in eos
            if ended:
                ids = ids[:-1]
            out.append(Generation(self.tokenizer.decode(ids, skip_special_tokens=True), ended))
        return out


def load_llm(name: str, backend: str, settings: GenSettings, trust_remote_code: bool = False) -> CausalLM:
    """Build the configured backend (imports torch/transformers/ctranslate2 now, not before)."""
    if backend == "transformers":
        return HFCausalLM(name, settings, trust_remote_code)
    if backend == "ctranslate2":
        return CT2CausalLM(name, settings, trust_remote_code)
    raise ConfigError(f"paraphrase.backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
