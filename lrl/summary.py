"""The console summary of a run, from its manifest: what came in, what was kept, why rows were dropped,
and what the models were (so users see how good their back-translator is)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any


def _model_line(name: str, sig: dict[str, Any]) -> str | None:
    if name == "bt":
        model = sig.get("model", {})
        dev = sig.get("dev") or {}
        scores = ", ".join(f"{d} chrF++ {v['chrf++']:.1f} BLEU {v['bleu']:.1f}" for d, v in dev.items()
                           if isinstance(v, dict) and "chrf++" in v)
        where = f"dev {dev.get('rows', 0)} rows: {scores}" if scores else (dev.get("note") or "no dev score")
        cached = sig.get("cached_bootstrap") or {}
        if not cached:
            return f"  back-translation: {model.get('kind', '?')} {model.get('id', '')} ({where})"
        lines = [f"  back-translation: IBM-1 tables ({where}), replaced where a cached `lrl bootstrap` model "
                 "scores better on its own dev rows:"]
        lines += [f"    {d}: {c['model']} (dev chrF++ {c['dev_chrf++']:.1f})" for d, c in cached.items()]
        return "\n".join(lines)
    if name == "paraphrase":
        if sig.get("path") == "pivot":
            return ("  paraphrase: pivot path (LRL→English→LRL through the back-translation tables) — no LLM "
                    "configured; set paraphrase.model=PATH for LLM paraphrases")
        return f"  paraphrase: LLM {sig.get('model', {}).get('id', '')}"
    return None


def summary_lines(manifest: dict[str, Any], kept_by_origin: Counter[str], run_dir: Path) -> list[str]:
    t = manifest["totals"]
    lines = [f"lrl augment {manifest['language']['code']}: {t['generated']:,} rows in → {t['kept']:,} kept, "
             f"{t['rejected']:,} rejected  ({manifest['duration_s']:.1f} s)",
             "  kept by origin: " + ", ".join(f"{o} {n:,}" for o, n in kept_by_origin.most_common())]
    reasons = [(f"{stage}/{r}", n) for stage, s in manifest["stages"].items() for r, n in s["reasons"].items()]
    if reasons:
        reasons.sort(key=lambda x: -x[1])
        lines.append("  rejected by reason: " + ", ".join(f"{r} {n:,}" for r, n in reasons[:8]))
    for step in manifest["steps"]:
        line = _model_line(step["name"], step["signature"])
        if line:
            lines.append(line)
    latest = run_dir.parent / "latest"
    lines.append(f"  output: {run_dir}  (also {latest})")
    lines.append(f"  load it: datasets.load_dataset(\"{latest}\", split=\"train\")")
    if (run_dir / "report.html").is_file():
        lines.append(f"  look at it: {run_dir / 'report.html'}  (pairs only: load_dataset(..., \"parallel\"))")
    return lines
