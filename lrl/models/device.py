"""Which device a model runs on, and at which precision.

``bt.device`` and ``paraphrase.device`` take ``auto | cpu | cuda``. ``auto`` picks CUDA when the library
that will run the model sees a GPU (``ctranslate2.get_cuda_device_count()`` for CTranslate2,
``torch.cuda.device_count()`` for transformers) and the CPU otherwise; ``cuda`` with no GPU visible is a
configuration error that says how to fix it, never a CUDA traceback from deep inside the library.

``compute_type = "auto"`` (lrl's own meaning, decided here, so that the manifest names what ran) is int8 on
CPU, as before — the same rows as an explicit ``int8`` — and on a GPU int8 weights with float16
activations (``int8_float16``) when the GPU supports it, else float16, else float32.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from lrl.errors import ConfigError, require

DEVICES = ("auto", "cpu", "cuda")
BACKENDS = ("ctranslate2", "transformers")
#: What ``compute_type = "auto"`` becomes on a GPU, best first (CTranslate2's names).
GPU_COMPUTE_TYPES = ("int8_float16", "float16", "float32")


@dataclass(frozen=True)
class Placement:
    """A resolved device and compute type, as recorded in the manifest and the summary."""

    device: str  # "cpu" | "cuda"
    compute_type: str  # a CTranslate2 compute type; for transformers: default | float32 | bfloat16 | float16
    gpus: int = 0  # CUDA devices the backend saw

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def cuda_devices(backend: str = "ctranslate2") -> int:
    """How many CUDA devices ``backend`` can use (0 when it was built without CUDA or sees no driver)."""
    if backend == "ctranslate2":
        ct2: Any = require("ctranslate2", "ctranslate2>=4.3", "choosing the device for CTranslate2")
        try:
            return int(ct2.get_cuda_device_count())
        except RuntimeError:  # a CUDA build whose driver is missing or broken: no usable GPU
            return 0
    torch: Any = require("torch", "lrl[train]", "choosing the device for transformers")
    try:
        return int(torch.cuda.device_count()) if torch.cuda.is_available() else 0
    except RuntimeError:
        return 0


def pick_device(setting: str, key: str, backend: str = "ctranslate2", gpus: int | None = None) -> tuple[str, int]:
    """``(device, gpus seen)`` for the setting ``key`` (e.g. ``bt.device``). ``gpus`` overrides the count
    (tests; callers that already asked)."""
    if setting not in DEVICES:
        raise ConfigError(f"{key} must be one of {', '.join(DEVICES)}, got {setting!r}")
    if setting == "cpu":
        return "cpu", 0
    n = cuda_devices(backend) if gpus is None else gpus
    if n > 0:
        return "cuda", n
    if setting == "cuda":
        how = ("install a CUDA build of CTranslate2 (the PyPI wheels for Linux x86-64 include CUDA 12; "
               "they need the NVIDIA driver and the cuBLAS/cuDNN 9 libraries, e.g. pip install "
               "nvidia-cublas-cu12 nvidia-cudnn-cu12)" if backend == "ctranslate2" else
               "install a CUDA build of torch (pip install torch --index-url "
               "https://download.pytorch.org/whl/cu124, or the build matching your driver)")
        raise ConfigError(f"{key} = \"cuda\" but {backend} sees no CUDA GPU on this machine — check "
                          f"`nvidia-smi` and CUDA_VISIBLE_DEVICES, {how}; or set {key}=auto (GPU when "
                          "there is one, else CPU) or cpu")
    return "cpu", 0


def pick_compute_type(setting: str, device: str, backend: str = "ctranslate2") -> str:
    """The compute type to run with: the setting itself, unless it is ``auto``."""
    if setting != "auto":
        return setting
    if backend == "transformers":
        # On CPU the checkpoint loads as it always did ("default": today's rows); on a GPU bfloat16 halves
        # memory and runs on the tensor cores.
        return "bfloat16" if device == "cuda" else "default"
    if device == "cpu":
        return "int8"  # ~2x float32 on CPU at no measurable chrF cost (DESIGN.md)
    ct2: Any = require("ctranslate2", "ctranslate2>=4.3", "choosing the compute type")
    supported = set(ct2.get_supported_compute_types("cuda"))
    return next((c for c in GPU_COMPUTE_TYPES if c in supported), "float32")


def place(device: str, compute_type: str, key: str, backend: str = "ctranslate2",
          gpus: int | None = None) -> Placement:
    """Device and compute type together; ``key`` is the section (``bt``, ``paraphrase``) for messages."""
    dev, n = pick_device(device, f"{key}.device", backend, gpus)
    return Placement(dev, pick_compute_type(compute_type, dev, backend), n)
