"""The console summary of a run, from its manifest: what came in, what was kept, why rows were dropped,
and what the models were (so users see how good their back-translator is)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any


def runtime_text(runtime: dict[str, Any] | None) -> str:
    """" on cuda (int8_float16, 8192 tokens per batch)" — where a model ran, for the summary."""
    if not runtime:
        return ""
    batch = f", {runtime['batch']} per batch" if runtime.get("batch") else ""
    return f" on {runtime.get('device', '?')} ({runtime.get('compute_type', '?')}{batch})"


def _model_line(name: str, sig: dict[str, Any]) -> str | None:
    if name == "bt":
        model = sig.get("model", {})
        dev = sig.get("dev") or {}
        scores = ", ".join(f"{d} chrF++ {v['chrf++']:.1f} BLEU {v['bleu']:.1f}" for d, v in dev.items()
                           if isinstance(v, dict) and "chrf++" in v)
        where = f"dev {dev.get('rows', 0)} rows: {scores}" if scores else (dev.get("note") or "no dev score")
        cached = sig.get("cached_bootstrap") or {}
        if not cached:
            return (f"  back-translation: {model.get('kind', '?')} {model.get('id', '')}"
                    f"{runtime_text(sig.get('runtime'))} ({where})")
        lines = [f"  back-translation: IBM-1 tables ({where}), replaced where a cached `lrl bootstrap` model "
                 "scores better on this dev split, decoded as the run decodes (on its own dev rows when the "
                 "seed has no dev split):"]
        lines += [f"    {d}: {c['model']} (dev chrF++ {c['dev_chrf++']:.1f}){runtime_text(sig.get('runtime'))}"
                  for d, c in cached.items()]
        return "\n".join(lines)
    if name == "paraphrase":
        if sig.get("path") == "pivot":
            return ("  paraphrase: pivot path (LRL→English→LRL through the back-translation tables) — no LLM "
                    "configured; set paraphrase.model=PATH for LLM paraphrases")
        return f"  paraphrase: LLM {sig.get('model', {}).get('id', '')}{runtime_text(sig.get('runtime'))}"
    return None


#: Below this share of back-translations kept, the summary says plainly that the translator is the problem.
LOW_SURVIVAL = 0.2


def synthetic_survival(manifest: dict[str, Any], origin: str = "bt") -> dict[str, Any] | None:
    """How many rows of one synthetic origin were made, how many kept, and which stages rejected the rest
    (from the manifest alone, so the summary, the card and the report agree)."""
    stages = manifest["stages"]
    made = int(stages.get(origin, {}).get("created", 0))
    if not made:
        return None
    kept = int(manifest.get("kept_by_origin", {}).get(origin, 0))
    why: Counter[str] = Counter()
    for name, st in stages.items():
        for reason, n in st.get("rejected_by_origin", {}).get(origin, {}).items():
            why[f"{name}/{reason}"] += n
    return {"origin": origin, "made": made, "kept": kept, "share": kept / made,
            "rejected_by": dict(why.most_common())}


def _survival_line(manifest: dict[str, Any]) -> list[str]:
    s = synthetic_survival(manifest)
    if s is None:
        return []
    why = ", ".join(f"{k} {v:,}" for k, v in list(s["rejected_by"].items())[:6])
    lines = [f"  back-translations kept: {s['kept']:,} of {s['made']:,} ({s['share']:.0%})"
             + (f"; rejected by {why}" if why else "")]
    if s["share"] < LOW_SURVIVAL:
        lines.append("    almost none pass the quality filters: the English from this translator is mostly word "
                     "salad or leaves words untranslated. A real translator (bt.model=..., see README) or more "
                     "seed pairs is the fix; lowering thresholds would ship the junk.")
    return lines


def template_cap(manifest: dict[str, Any]) -> str | None:
    """A sentence when templates.count was capped relative to the parallel input (lrl/generate/template_budget.py)."""
    t = manifest.get("templates") or {}
    if not t or not t.get("count") or t["count"] >= t["asked"]:
        return None
    cfg = manifest["config"]["templates"]
    return (f"templates: {t['count']:,} rendered of templates.count {t['asked']:,}, capped at "
            f"templates.max_seed_ratio ({cfg['max_seed_ratio']}) x the parallel input's rows (never below "
            f"templates.seed_cap_floor, {cfg['seed_cap_floor']:,}): more templates than that taught a "
            "word-by-word model their fixed phrases (README, \"The stages\"); set templates.max_seed_ratio=0 "
            "for no cap")


def rounds_lines(manifest: dict[str, Any]) -> list[str]:
    """Iterative back-translation (bt.rounds) and data selection (bt.select), from the manifest."""
    lines = []
    sel = manifest.get("bt_select")
    if sel:
        lines.append(f"  selection ({sel['method']}): {sel['chosen']:,} of {sel['pool']:,} monolingual rows "
                     f"translated; {sel['not_chosen']:,} {sel['not_chosen_go']}")
    for r in manifest.get("bt_rounds") or []:
        d = next((v for k, v in r["dev"].items() if k.endswith("-en") and isinstance(v, dict)), {})
        score = f"dev chrF++ {d['chrf++']:.2f}" if "chrf++" in d else "no dev score"
        if r.get("used", True):
            lines.append(f"  bt round {r['round']}: {score}, kept {r['kept']:,} of {r['translated']:,}"
                         + (" (the output)" if r.get("output") else ""))
        else:
            lines.append(f"  bt round {r['round']}: tables retrained on {r['trained_on_synthetic']:,} kept pairs, "
                         f"{score}: no better, not used")
    return lines


def privacy_counts(manifest: dict[str, Any]) -> dict[str, dict[str, int]] | None:
    """Personal data per kind over every privacy stage (inputs and generated rows): found, masked, and rows
    dropped; None when no privacy stage ran."""
    out: dict[str, Counter[str]] = {"found": Counter(), "masked": Counter(), "dropped_rows": Counter()}
    ran = False
    for step in manifest.get("steps", []):
        if step["name"].endswith("privacy"):
            ran = True
            for key, counts in out.items():
                counts.update(step["signature"].get(key, {}))
    return {k: dict(v.most_common()) for k, v in out.items()} if ran else None


def privacy_line(manifest: dict[str, Any]) -> list[str]:
    p = privacy_counts(manifest)
    if p is None:
        return []
    if not p["found"]:
        return ["  personal data: none found"]
    return ["  personal data found: " + ", ".join(f"{k} {n:,}" for k, n in p["found"].items())
            + "; masked: " + (", ".join(f"{k} {n:,}" for k, n in p["masked"].items()) or "none")
            + "; rows dropped: " + (", ".join(f"{k} {n:,}" for k, n in p["dropped_rows"].items()) or "none")]


def summary_lines(manifest: dict[str, Any], kept_by_origin: Counter[str], run_dir: Path) -> list[str]:
    t = manifest["totals"]
    lines = [f"lrl augment {manifest['language']['code']}: {t['generated']:,} rows in → {t['kept']:,} kept, "
             f"{t['rejected']:,} rejected  ({manifest['duration_s']:.1f} s)",
             "  kept by origin: " + ", ".join(f"{o} {n:,}" for o, n in kept_by_origin.most_common())]
    reasons = [(f"{stage}/{r}", n) for stage, s in manifest["stages"].items() for r, n in s["reasons"].items()]
    if reasons:
        reasons.sort(key=lambda x: -x[1])
        lines.append("  rejected by reason: " + ", ".join(f"{r} {n:,}" for r, n in reasons[:8]))
    lines += privacy_line(manifest)
    for step in manifest["steps"]:
        line = _model_line(step["name"], step["signature"])
        if line:
            lines.append(line)
    lines += _survival_line(manifest)
    if cap := template_cap(manifest):
        lines.append("  " + cap)
    lines += rounds_lines(manifest)
    timed = sorted(((n, st.get("seconds", 0.0)) for n, st in manifest["stages"].items()), key=lambda x: -x[1])
    if timed and timed[0][1] > 0:
        lines.append("  time by stage: " + ", ".join(f"{n} {t:.1f} s" for n, t in timed[:6] if t >= 0.05)
                     + f"; writing {manifest.get('write_seconds', 0.0):.1f} s; preparing models "
                     f"{manifest.get('prepare_seconds', 0.0):.1f} s")
    latest = run_dir.parent / "latest"
    lines.append(f"  output: {run_dir}  (also {latest})")
    lines.append(f"  load it: datasets.load_dataset(\"{latest}\", split=\"train\")")
    if (run_dir / "report.html").is_file():
        lines.append(f"  look at it: {run_dir / 'report.html'}  (pairs only: load_dataset(..., \"parallel\"))")
    return lines
