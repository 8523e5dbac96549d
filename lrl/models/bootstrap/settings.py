"""The bootstrap translator's settings (hashed into its cache key), its data pair and its result."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lrl.errors import ConfigError

VERSION = 1
PAD = "<pad>"


@dataclass
class BootstrapSettings:
    """Everything that changes the trained model (hashed into the cache key, except ``eval_every``)."""

    direction: str = "yo-en"  # "<src>-<tgt>" with the language codes of the pair (en is the pivot)
    minutes: float = 20.0  # training wall-clock budget (evaluation excluded)
    max_steps: int = 0  # stop earlier after this many optimizer steps (0 = budget only)
    # vocabulary
    vocab_size: int = 4000
    spm_type: str = "unigram"
    # model (defaults from eval/results/bootstrap_yo.md: at a 20-minute budget d128/2+2 matches d256/3+3
    # on dev chrF at 2-3x the tokens/s, and converts to a 4x smaller, faster CTranslate2 model)
    d_model: int = 128
    encoder_layers: int = 2
    decoder_layers: int = 2
    heads: int = 4
    ffn_dim: int = 512
    dropout: float = 0.1
    # optimization
    lr: float = 3e-3  # lower (1e-3) trained slower per step
    warmup: int = 200
    batch_tokens: int = 2000  # padded source+target tokens per batch: small batches, more updates
    label_smoothing: float = 0.1
    weight_decay: float = 0.0
    clip: float = 1.0
    # bf16 autocast: measured 1.2-1.4x faster at d256 but 0.7-0.8x at d128 (small matmuls) on this CPU
    bf16: bool = False
    max_len: int = 128  # tokens per side; longer pairs are left out of training
    # data
    dev_size: int = 500  # held-out seed pairs when no dev file is given; also the cap on dev rows
    templates: int = 0  # template renderings added to training (needs a plugin)
    seed: int = 13
    # output
    quantize: str = "int8"  # CTranslate2 quantization on conversion: int8 | none
    threads: int = 0  # torch threads (0 = all cores)
    eval_every: float = 0.0  # seconds of training between dev evaluations (0 = only at the end)

    def key_fields(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("eval_every")
        d.pop("threads")
        return d

    def pair(self) -> tuple[str, str]:
        parts = self.direction.split("-")
        if len(parts) != 2 or not all(parts):
            raise ConfigError(f"bootstrap direction must look like yo-en or en-yo, got {self.direction!r}")
        return parts[0], parts[1]


@dataclass
class Pair:
    en: str
    lrl: str


@dataclass
class BootstrapResult:
    path: Path
    manifest: dict[str, Any]
    cached: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ct2_dir(self) -> Path:
        return self.path / "ct2"
