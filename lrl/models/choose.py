"""Choosing the back-translator among candidates measured alike (``bt.prefer_cached``).

The candidates for a direction are the seed's IBM-1 tables and every transformer ``lrl bootstrap`` cached
for it. Each is measured on the same dev split (the seed pairs IBM-1 holds out), decoded by the decoder
the run itself would use (``CT2Translator`` with the run's decoding settings, lrl/models/translator.py)
and scored by the one dev scorer (lrl/models/devscore.py); a transformer replaces the tables only when it
scores higher. Before, each model's own number was compared: a different dev set and a different decoder
per model. Without a dev split (a seed under ``MIN_DEV_SEED`` distinct pairs) nothing can be measured
alike; a cached model's own dev score must then beat what IBM-1 typically reaches (MENYO-20k), and the
manifest says so.

Not guaranteed: a cached model trained on pairs that are in this run's dev split is flattered by them
(its trainer held out its own slice of its own seed); the manifest records each candidate's own dev
score beside the shared one so a reader can see the gap.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: IBM-1's dev chrF++ on MENYO-20k (23-25): the bar when the seed is too small for a dev split.
IBM1_TYPICAL_CHRFPP = 23.0


def measure(translator: Any, dev: Sequence[tuple[str, str]], to_english: bool) -> dict[str, float]:
    """One candidate on the dev pairs (English, language), in one direction: chrF++ and BLEU."""
    from lrl.models.devscore import corpus_scores

    src = [xx if to_english else en for en, xx in dev]
    ref = [en if to_english else xx for en, xx in dev]
    return corpus_scores(translator.translate(src), ref)


def _within_positions(decode: Any, model_dir: Path) -> Any:
    """The run's decoding settings, with input and output cut at the model's position table (a bootstrap
    model has max(256, 2 x max_len) positions; CTranslate2 fails on a longer sentence mid-run)."""
    import json

    try:
        cfg = json.loads((model_dir / "hf" / "config.json").read_text(encoding="utf-8"))
        positions = int(cfg["max_position_embeddings"])
    except (OSError, ValueError, KeyError, TypeError):
        return decode
    # CTranslate2 counts the end token (and, decoding, the start token) among the positions.
    cap = positions - 2
    return dataclasses.replace(decode, max_decoding_length=min(decode.max_decoding_length, cap),
                               max_input_length=min(decode.max_input_length or cap, cap))


def prefer_cached(code: str, cfg: dict[str, Any], dev: Sequence[tuple[str, str]], backward: Any, forward: Any,
                  info: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    """Swap in a cached ``lrl bootstrap`` transformer for a direction when it beats the IBM-1 tables on
    ``dev``; every candidate's scores and the choice go to ``info`` (the manifest's bt signature)."""
    from lrl.models.catalog import list_models
    from lrl.models.prepare import decode_settings, placement, runtime
    from lrl.models.translator import CT2Translator

    where: Any = None  # resolved only when a cached model exists (IBM-1 runs on the CPU)
    ibm1_dev = info.get("dev") or {}
    chosen: dict[str, Any] = {}
    measured: dict[str, Any] = {}
    out = {"backward": backward, "forward": forward}
    bootstrapped = list_models(kinds=("marian",))  # only the transformers are candidates: skip the IBM-1 tables
    for role, direction in (("backward", f"{code}-en"), ("forward", f"en-{code}")):
        cands = [m for m in bootstrapped if m.lang == code and m.direction == direction]
        if not cands:
            continue
        ibm1 = (ibm1_dev.get(direction) or {}).get("chrf++") if isinstance(ibm1_dev.get(direction), dict) else None
        where = where or placement(cfg)
        best: tuple[float, Any, Any] | None = None
        rows = []
        for cand in cands:
            ident = {"kind": "marian", "id": cand.name, "revision": cand.name.rsplit("-", 1)[-1],
                     "path": str(cand.translator_dir), "direction": direction}
            tr = CT2Translator(cand.translator_dir, "marian", "", "", _within_positions(
                decode_settings(cfg, where), cand.path), ident)
            error = ""
            if dev and ibm1 is not None:
                bar = ibm1
                try:
                    score: float | None = measure(tr, dev, direction.endswith("-en"))["chrf++"]
                except RuntimeError as exc:  # e.g. bt.max_decoding_length beyond the model's positions:
                    score, error = None, str(exc)  # it could not back-translate this run's rows either
            else:
                # No shared dev split: only the model's own number exists; it must beat what IBM-1
                # typically reaches, since a barely trained transformer is worse than word tables.
                score, bar = cand.dev_chrfpp, IBM1_TYPICAL_CHRFPP
            rows.append({"model": cand.name, "dev_chrf++": score, "own_dev_chrf++": cand.dev_chrfpp,
                         **({"error": error} if error else {})})
            if score is not None and score > bar and (best is None or score > best[0]):
                best = (score, tr, cand)
        measured[direction] = {"ibm1_dev_chrf++": ibm1, "candidates": rows,
                               "dev": f"the run's dev split ({len(dev)} seed pairs), the run's decoder"
                               if dev and ibm1 is not None else "none (seed too small): each model's own "
                               f"dev score against IBM-1's typical {IBM1_TYPICAL_CHRFPP}"}
        if best is not None:
            out[role] = best[1]
            chosen[direction] = {"model": best[2].name, "dev_chrf++": best[0], "ibm1_dev_chrf++": ibm1}
    if measured:
        info = {**info, "candidates": measured}
    if chosen:
        info = {**info, "cached_bootstrap": chosen, "runtime": runtime(cfg, where)}
    return out["backward"], out["forward"], info
