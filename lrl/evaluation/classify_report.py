"""Results of ``lrl eval-classify`` as markdown (``eval/results/classify-<lang>.md``); the JSON sits beside it."""

from __future__ import annotations

from typing import Any

from lrl.evaluation.textclf import verdict


def _ci(m: dict[str, Any]) -> str:
    sd = f", sd {m['sd']:.3f}" if m.get("sd") else ""
    return f"{m['score']:.3f} [{m['lo']:.3f}, {m['hi']:.3f}]{sd}"


def _diff(m: dict[str, Any]) -> str:
    d = m.get("diff")
    return "–" if d is None else f"{d['score']:+.3f} [{d['lo']:+.3f}, {d['hi']:+.3f}]"


def summary(res: dict[str, Any]) -> list[str]:
    """The verdict, read off the paired macro-F1 differences: where adding synthetic articles to the real
    ones helps, where it stops helping, and how many real articles synthetic data alone is worth."""
    out: list[str] = []
    systems = [n for n in res["rows"][0]["scores"] if n != "real"]
    for name in systems:
        by: dict[str, list[str]] = {"helps": [], "hurts": [], "no difference beyond the CI": []}
        for row in res["rows"]:
            if name in row["scores"]:
                by[verdict(row["scores"][name]["f1"]["diff"])].append(row["size"])
        parts = [f"{v} at {', '.join(sizes)}" for v, sizes in by.items() if sizes]
        out.append(f"* **{name}** vs real only (macro-F1, paired 95% CI): {'; '.join(parts)}.")
    return out


def _translator(tr: dict[str, Any], lang: str) -> str:
    fm = tr.get("forward_model") or {}
    out = f"`{fm.get('kind', '?')}` `{fm.get('id', '?')}`"
    dev = (tr.get("dev") or {}).get("dev") or {}
    score = dev.get(f"en-{lang}")
    if score:
        out += f", dev chrF++ {score['chrf++']:.1f} / BLEU {score['bleu']:.1f} on {dev.get('rows')} held-out seed pairs"
    return out


def render(res: dict[str, Any], command: str) -> str:
    s = res["settings"]
    tr = res.get("translator", {})
    lines = [
        f"# Translate-train topic classification, {res['lang']}: does lrl's data help?",
        "",
        "Produced by:",
        "",
        "```",
        command,
        "```",
        "",
        f"Wall time {res['wall_seconds'] / 60:.1f} min (2 shared CPU cores), translation and every fit included.",
        "",
        "* Classifier: scikit-learn TF-IDF (hashed character 2–4-grams within words + word 1–2-grams) → logistic "
        "regression (SGD, log loss, alpha 1e-5, balanced class weights); fixed settings, nothing tuned on the "
        "test set (`lrl/evaluation/textclf.py`). Input: headline + text.",
        f"* Topics both sides share: {', '.join(res['topics'])}.",
        f"* Real training pool: {sum(res['pool'].values())} articles {res['pool']} from `{s['real']}`.",
        f"* Test: {sum(res['test'].values())} articles {res['test']}, {res['test_source']}"
        + (f"; dropped for topics the English side lacks: {res['test_dropped_topics']}"
           if res["test_dropped_topics"] else "")
        + f"; {res['test_in_pool']} test articles also occur in the training pool.",
        f"* Synthetic: {res['english_articles']} English articles ({', '.join(f'`{p}`' for p in s['english'])}), "
        f"headline + up to {s['max_sentences']} sentences each, forward-translated by lrl (`--mono-en`, "
        f"seed `{', '.join(s['seed_data'])}`) and filtered by the run's checks (run `{res['run_dir']}`). "
        "`synthetic` is what the run kept; `synthetic incl. … rejects` (an ablation) adds back the translations "
        "the named check rejected (the checks after it never judged them):",
        *[f"  * {name}: {c['sentences_kept']:,} sentences, {c['sentences_rejected']:,} rejected ("
          f"{', '.join(f'{k} {v:,}' for k, v in c['rejected_by_stage'].items()) or 'none'}); {c['articles']} "
          f"articles {c['by_topic']}, {c['articles_without_a_kept_sentence']} lost (no sentence left)."
          for name, c in res["synthetic"].items()],
        f"* Translator (English→{res['lang']}): {_translator(tr, res['lang'])}. Its quality bounds this result"
        + (": IBM-1 tables translate word by word, so the synthetic articles carry topic vocabulary, not fluent "
           "sentences." if (tr.get("forward_model") or {}).get("kind") == "ibm1" else "."),
        f"* Scores: the mean over {s['draws']} random draws of real articles per small size (one for `all`), "
        f"95% bootstrap CI over test articles ({s['bootstrap_samples']} resamples), `sd` = spread over "
        "draws; Δ = paired difference from real only at the same size (same resamples).",
        "",
        "| real data | real articles | training data | macro-F1 [95% CI] | accuracy [95% CI] | "
        "Δ macro-F1 vs real [CI] | Δ accuracy vs real [CI] | verdict (macro-F1) |",
        "|---|---:|---|---|---|---|---|---|",
    ]
    for row in res["rows"]:
        for name, sc in row["scores"].items():
            n_real = "–" if name.endswith(" only") else f"{row['real_articles']:.0f}"
            v = verdict(sc["f1"]["diff"]) if "diff" in sc["f1"] else "(baseline)"
            lines.append(f"| {row['size']} | {n_real} | {name} | {_ci(sc['f1'])} | {_ci(sc['acc'])} | "
                         f"{_diff(sc['f1'])} | {_diff(sc['acc'])} | {v} |")
    lines += ["", "## Verdict (from the table)", "", *summary(res), ""]
    return "\n".join(lines) + "\n"
