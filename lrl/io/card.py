"""The dataset card: ``README.md`` with Hugging Face YAML metadata, and a readable report of the run."""

from __future__ import annotations

from collections import Counter
from typing import Any

from lrl.summary import LOW_SURVIVAL, synthetic_survival


def _yaml_list(items: list[str]) -> str:
    return "\n".join(f"- {i}" for i in items)


def render_card(manifest: dict[str, Any], kept_by_origin: Counter[str], shard_glob: str) -> str:
    lang = manifest["language"]
    totals = manifest["totals"]
    stages = manifest["stages"]
    size = totals["kept"]
    size_cat = ("n<1K" if size < 1_000 else "1K<n<10K" if size < 10_000 else
                "10K<n<100K" if size < 100_000 else "100K<n<1M" if size < 1_000_000 else "n>1M")
    lines = [
        "---",
        "language:",
        _yaml_list(["en", lang["code"]]),
        "license: other",
        "task_categories:",
        "- translation",
        "size_categories:",
        f"- {size_cat}",
        "tags:",
        "- synthetic",
        "- low-resource",
        "- lrl",
        "configs:",
        "- config_name: default",
        "  data_files:",
        "  - split: train",
        f"    path: {shard_glob}",
        "---",
        "",
        f"# lrl augmentation: English–{lang['name']} ({lang['code']})",
        "",
        f"Made by `lrl augment` (lrl {manifest['lrl_version']}) on {manifest['created']}, run "
        f"`{manifest['run_id']}`, seed {manifest['seed']}. {totals['generated']:,} rows were generated or "
        f"read; **{totals['kept']:,} kept**, {totals['rejected']:,} rejected (see `rejected.jsonl`).",
        "",
        "```python",
        "import datasets",
        "ds = datasets.load_dataset(\"path/to/this/folder\", split=\"train\")",
        "```",
        "",
        "## Columns",
        "",
        "| column | meaning |",
        "|---|---|",
        "| `src` | English side (empty for monolingual rows) |",
        f"| `tgt` | {lang['name']} side |",
        "| `origin` | `seed` (your parallel data), `mono` (your monolingual text), `template` (lexicon "
        "templates), `bt` (back-translation), `paraphrase`, `pivot` |",
        "| `parent_id` | the row a synthetic row was made from |",
        "| `provenance` | JSON: input file and line, template and fillers, model and revision, seed |",
        "| `scores` | JSON: every filter's measurement, `<stage>.<name>` — study thresholds with these |",
        "",
        "## Kept rows by origin",
        "",
        "| origin | rows |",
        "|---|---:|",
        *[f"| {o} | {n:,} |" for o, n in kept_by_origin.most_common()],
        "",
        "## What each stage did",
        "",
        "| stage | in | created | out | rejected | top reasons |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, st in stages.items():
        reasons = ", ".join(f"{k} {v:,}" for k, v in list(st["reasons"].items())[:4])
        lines.append(f"| {name} | {st['in']:,} | {st['created']:,} | {st['out']:,} | {st['rejected']:,} | "
                     f"{reasons} |")
    survival = synthetic_survival(manifest)
    if survival is not None:
        why = ", ".join(f"{k} {v:,}" for k, v in list(survival["rejected_by"].items())[:8]) or "none"
        lines += [
            "",
            "## Back-translations",
            "",
            f"{survival['made']:,} back-translated pairs were made and **{survival['kept']:,} kept** "
            f"({survival['share']:.0%}); the rest were rejected by: {why}.",
        ]
        if survival["share"] < LOW_SURVIVAL:
            lines += ["", "Almost none passed the quality filters: the back-translator's English is mostly word "
                      "salad or leaves words untranslated. This is the honest outcome, not a fault of the "
                      "filters; a better translator (`bt.model`) or more seed pairs is what helps."]
    lines += [
        "",
        "## Inputs",
        "",
        *([f"- `{i['path']}` ({i['kind']}, {i['rows']:,} rows, sha256 `{i['sha256'][:12]}`)"
           for i in manifest["inputs"]] or ["- the plugin's own data only"]),
        "",
        "## Licence",
        "",
        "Rows made from your inputs inherit those inputs' licences; rows from the language plugin's "
        "lexicon and templates are under the lrl project's licence. `manifest.json` has the full "
        "configuration, input hashes and versions needed to repeat this run.",
        "",
    ]
    return "\n".join(lines)
