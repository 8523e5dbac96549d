"""Results of ``lrl eval`` as markdown (``eval/results/<lang>.md``), JSON and a plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SHUF = " (words shuffled)"


def _s(x: float | None, nd: int = 1) -> str:
    return "–" if x is None else f"{x:.{nd}f}"


def verdict(direction: dict[str, Any], name: str, base: str = "seed only") -> str:
    """One line: does ``name`` beat the baseline by more than the baseline's 95% bootstrap CI, with
    p < 0.05, and is the gain still there once word order no longer counts?"""
    sy = direction["systems"]
    b, x = sy[base]["scores"]["chrF++"], sy[name]["scores"]["chrF++"]
    gain = x["score"] - b["score"]
    ci = b["ci"] or 0.0
    p = x["p_value"]
    bs, xs = sy[base + SHUF]["scores"]["chrF++"], sy[name + SHUF]["scores"]["chrF++"]
    shuffled_gain = xs["score"] - bs["score"]
    bleu_gain = sy[name]["scores"]["BLEU"]["score"] - sy[base]["scores"]["BLEU"]["score"]
    if gain > ci and p is not None and p < 0.05:
        head = f"**better**: chrF++ {gain:+.1f} (> CI ±{ci:.1f}, p = {p:.3f}), BLEU {bleu_gain:+.1f}"
    elif gain < -ci and p is not None and p < 0.05:
        head = f"**worse**: chrF++ {gain:+.1f} (CI ±{ci:.1f}, p = {p:.3f}), BLEU {bleu_gain:+.1f}"
    else:
        head = f"not beyond the CI: chrF++ {gain:+.1f} (CI ±{ci:.1f}, p = {_s(p, 3)}), BLEU {bleu_gain:+.1f}"
    if gain > ci and shuffled_gain >= 0.7 * gain:
        head += f"; the word-shuffled copy gains {shuffled_gain:+.1f} too, so the gain is in vocabulary, not word order"
    return head


def render(res: dict[str, Any], command: str, plot_name: str | None) -> str:
    s = res["settings"]
    lines = [
        f"# Does lrl's data help? English–{res['lang']} downstream MT",
        "",
        "Produced by:",
        "",
        "```",
        command,
        "```",
        "",
        f"Wall time {res['wall_seconds'] / 60:.1f} min on this machine (2 CPU cores). Downstream model: "
        f"`{s['model']}`" + (f", {s['minutes']} min of training per system and direction" if s["model"] == "marian"
                             else " (IBM-1 word-by-word tables: seconds to train; a vocabulary floor, blind to "
                                  "word order)") + ".",
        "",
        f"* Seed: {res['seed_pairs']:,} pairs from {', '.join(f'`{p}`' for p in s['seed_data'])}; "
        f"**{res['seed_in_test']:,} dropped** because a side occurs in the test set"
        + (f" (or shares a {s['ngram']}-gram with it)" if s["ngram"] else "") + ".",
        f"* Test: {res['test_pairs']:,} pairs from `{s['test']}`.",
        "* Augment run, rows rejected by stage: " + (", ".join(
            f"{name} {st['rejected']:,} of {st['in'] + st['created']:,}"
            for name, st in res.get("augment_stages", {}).items() if st.get("rejected")) or "none") + ".",
        f"* Augment run `{res['run_dir']}`: {res['augment_totals']}; synthetic rows used: "
        f"{', '.join(f'{k} {v:,}' for k, v in res['synthetic_by_origin'].items()) or 'none'}.",
        "",
        "Scores are sacrebleu corpus BLEU, chrF and chrF++ on the test set; ± is the 95% confidence interval "
        "from paired bootstrap resampling, p is the paired bootstrap test against *seed only*. Each output is "
        "also scored with its words shuffled: a gain the shuffled copy shows too is vocabulary, not translation.",
        "",
    ]
    if plot_name:
        lines += [f"![chrF++ by system]({plot_name})", ""]
    for direction, d in res["results"].items():
        headline = " (headline: back-translation helps the direction into the language most)" \
            if direction.startswith("en-") else ""
        lines += [f"## {direction}{headline}", "",
                  "| system | train pairs | BLEU | chrF | chrF++ | ± | p | chrF++ shuffled |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for name in [n for n in d["systems"] if not n.endswith(SHUF)]:
            sc = d["systems"][name]["scores"]
            shuf = d["systems"][name + SHUF]["scores"]["chrF++"]["score"]
            tr = d["systems"][name]["trained"] or {}
            lines.append(f"| {name} | {tr.get('train_pairs', 0):,} | {_s(sc['BLEU']['score'])} | "
                         f"{_s(sc['chrF']['score'])} | {_s(sc['chrF++']['score'])} | {_s(sc['chrF++']['ci'])} | "
                         f"{_s(sc['chrF++']['p_value'], 3)} | {_s(shuf)} |")
        lines += ["", "Verdicts against seed only:", ""]
        for name in [n for n in d["systems"] if not n.endswith(SHUF) and n != "seed only"]:
            lines.append(f"* {name}: {verdict(d, name)}")
        lines += ["", "Signatures: " + "; ".join(f"{k} `{v}`" for k, v in d["signatures"].items()), "",
                  "<details><summary>Example outputs</summary>", ""]
        for ex in d["examples"]:
            lines += [f"* source: {ex['src']}", f"  * reference: {ex['ref']}"]
            lines += [f"  * {k}: {v}" for k, v in ex.items() if k not in ("src", "ref")]
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def plot(res: dict[str, Any], path: Path) -> bool:
    """A bar chart of chrF++ (with CI) and its word-shuffled floor, per direction. False without
    matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    dirs = list(res["results"])
    fig, axes = plt.subplots(1, len(dirs), figsize=(6 * len(dirs), 4), squeeze=False)
    for ax, direction in zip(axes[0], dirs, strict=True):
        sy = res["results"][direction]["systems"]
        names = [n for n in sy if not n.endswith(SHUF)]
        vals = [sy[n]["scores"]["chrF++"]["score"] for n in names]
        cis = [sy[n]["scores"]["chrF++"]["ci"] or 0 for n in names]
        shuf = [sy[n + SHUF]["scores"]["chrF++"]["score"] for n in names]
        xs = range(len(names))
        ax.bar([x - 0.2 for x in xs], vals, 0.4, yerr=cis, label="chrF++ (95% CI)")
        ax.bar([x + 0.2 for x in xs], shuf, 0.4, label="words shuffled", alpha=0.6)
        ax.set_xticks(list(xs), names, rotation=30, ha="right", fontsize=8)
        ax.set_title(direction)
        ax.set_ylabel("chrF++")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True
