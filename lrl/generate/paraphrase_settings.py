"""The ``paraphrase`` settings section and its checks (lrl/generate/paraphrase.py is the step)."""

from __future__ import annotations

from typing import Any

from lrl.errors import ConfigError
from lrl.record import ORIGINS

#: The ``paraphrase`` config section (to be merged into :data:`lrl.config.DEFAULTS`).
PARAPHRASE_DEFAULTS: dict[str, Any] = {
    # Off by default: paraphrases put synthetic text on the *target* (LRL) side of English→LRL training
    # pairs, where noise hurts most, and the model-free path (IBM-1 pivot) is word-for-word substitution:
    # on the yo plugin it keeps 146 of 320 candidates and they read as word salad (function words swapped)
    # that no filter here can tell from real paraphrase. Turn it on with paraphrase.enabled=true (pivot
    # path), and set paraphrase.model for the LLM path.
    "enabled": False,
    # "" = the pivot path (LRL → English → LRL through the bootstrap IBM-1 tables, sampled); or a folder /
    # Hugging Face id of a causal LM with a tokenizer (instruction-tuned, chat template preferred).
    "model": "",
    "backend": "transformers",  # transformers | ctranslate2 (converted once, int8, cached)
    "n": 2,  # paraphrases asked for per row
    "origins": ["seed", "mono"],  # which rows are paraphrased
    "max_rows": 0,  # paraphrase at most this many rows per shard (0 = all): an LLM on CPU is slow
    "prompt": "default",  # the table in the plugin's prompts.toml
    "max_new_tokens": 160,
    "temperature": 0.8,  # 0 = greedy (then n > 1 rarely gives distinct candidates)
    "top_p": 0.95,
    "top_k": 0,
    "repetition_penalty": 1.0,
    "batch_size": 8,  # prompts per LLM batch (the pivot path batches 64 rows)
    "threads": 0,  # torch / CTranslate2 intra-op threads (0 = the library's default)
    # Where the LLM runs: "auto" = a CUDA GPU when the backend (torch or CTranslate2) sees one, else CPU.
    "device": "auto",
    # CTranslate2: "auto" = int8 on CPU, int8_float16 on a GPU. transformers: "auto" = float32 on CPU (as
    # before), bfloat16 on a GPU; or float32 | float16 | bfloat16.
    "compute_type": "auto",
    "trust_remote_code": False,  # run Python code shipped with the model: only for models you trust
    # chrF (sacrebleu, 0-100) of a paraphrase against its parent: above max_chrf it is a copy (a changed
    # comma), below min_chrf it has drifted. Word-order variants of the plugins' own examples score
    # 51-91 and a one-word synonym 91.5, while a changed tone mark scores 97 and a contraction 95.
    "min_chrf": 40.0,
    "max_chrf": 93.0,
    # Pivot path: sample each word's translation among the top k of the IBM-1 table (1 = argmax, which
    # gives the same round trip every draw), at this temperature.
    "pivot_sampling_topk": 3,
    "pivot_temperature": 1.0,
    # Pivot path: the bar of the language-side fluency check (lrl-fluency, z-scaled on held-out seed
    # text: 0 = as fluent as the median real sentence) for these rows, instead of
    # filters.fluency.lrl_min_score (-1.5). IBM-1 pivot output is word substitution in English word order
    # ("Tó ni àti tí òfin ní àti àṣà fún ìdí ..."); at -1.5 the yo eval kept 1,225 such rows (median
    # score -0.8) that cost English→Yoruba 0.36 chrF++, largely by teaching the downstream tables their
    # own function-word errors ("the" → tó); the 288 rows at >= 0 gain +0.02. Measured by
    # `python eval/synthetic_effect.py --lang yo` (eval/results/synthetic-effect-yo.md, section 3).
    "pivot_min_lrl_fluency": 0.0,
}

BACKENDS = ("transformers", "ctranslate2")


def check_settings(p: dict[str, Any]) -> None:
    if p["backend"] not in BACKENDS:
        raise ConfigError(f"paraphrase.backend must be one of {', '.join(BACKENDS)}, got {p['backend']!r}")
    if p["n"] < 1:
        raise ConfigError(f"paraphrase.n must be at least 1, got {p['n']}")
    bad = [o for o in p["origins"] if o not in ORIGINS]
    if bad or not p["origins"]:
        raise ConfigError(f"paraphrase.origins must be a non-empty list of {', '.join(ORIGINS)}; got {p['origins']!r}")
    if not 0 <= p["min_chrf"] < p["max_chrf"] <= 100:
        raise ConfigError(f"paraphrase.min_chrf must be below paraphrase.max_chrf, both in 0-100; got "
                          f"{p['min_chrf']} and {p['max_chrf']}")
    if p["temperature"] < 0 or not 0 < p["top_p"] <= 1:
        raise ConfigError("paraphrase.temperature must be >= 0 and paraphrase.top_p in (0, 1]")
