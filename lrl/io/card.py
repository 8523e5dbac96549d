"""The dataset card: ``README.md`` with Hugging Face YAML metadata (built with ``huggingface_hub``'s
``DatasetCardData``, so the keys are the Hub's), and a readable report of the run."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

# repocard_data, not the package root: ``huggingface_hub.repocard`` (DatasetCard) imports the Hub client
# (hf_api, httpx), ~0.35 s of every run's start for a class that only printed the text below
from huggingface_hub.repocard_data import DatasetCardData

from lrl.io.licences import UNKNOWN, card_licence, run_licences
from lrl.io.writers import file_sha256
from lrl.report.data import stage_order, thresholds
from lrl.summary import LOW_SURVIVAL, privacy_counts, rounds_lines, synthetic_survival, template_cap

CARD_BODY_NOTE = "manifest.json has the full configuration, input hashes and versions needed to repeat this run."


def size_category(n: int) -> str:
    return ("n<1K" if n < 1_000 else "1K<n<10K" if n < 10_000 else "10K<n<100K" if n < 100_000 else
            "100K<n<1M" if n < 1_000_000 else "1M<n<10M" if n < 10_000_000 else "n>10M")


def configs(run_id: str, monolingual_rows: int) -> list[dict[str, Any]]:
    """``default`` (every kept row, as before), ``parallel`` (both sides) and ``monolingual`` (one side
    empty) — the shard file names carry the run id, see DESIGN.md on the `datasets` cache."""
    stem = f"data/train-{run_id}"
    parallel, mono = f"{stem}-parallel-*.parquet", f"{stem}-monolingual-*.parquet"
    # default lists the pairs first, so row 0 of `load_dataset(run)["train"]` is a pair
    out = [{"config_name": "default", "data_files": [{"split": "train",
                                                      "path": [parallel, mono] if monolingual_rows else parallel}]},
           {"config_name": "parallel", "data_files": [{"split": "train", "path": parallel}]}]
    if monolingual_rows:
        out.append({"config_name": "monolingual", "data_files": [{"split": "train", "path": mono}]})
    return out


def card_data(manifest: dict[str, Any], kept_by_origin: Counter[str], monolingual_rows: int,
              manifest_sha256: str) -> DatasetCardData:
    lang = manifest["language"]
    licences = run_licences(manifest)
    licence, licence_name = card_licence(licences)
    nc = sorted({f"{lic.name or lic.source} ({lic.licence})" for lic in licences if lic.non_commercial})
    extra: dict[str, Any] = {"license_name": licence_name} if licence_name else {}
    return DatasetCardData(
        language=["en", lang["code"]],
        license=licence,
        pretty_name=f"lrl synthetic English–{lang['name']} ({manifest['run_id']})",
        task_categories=["translation"],
        size_categories=[size_category(manifest["totals"]["kept"])],
        multilinguality="translation",
        tags=["synthetic", "low-resource", "lrl", *(["non-commercial"] if nc else [])],
        configs=configs(manifest["run_id"], monolingual_rows),
        lrl={"run_id": manifest["run_id"], "manifest_sha256": manifest_sha256, "seed": manifest["seed"],
             "lrl_version": manifest["lrl_version"], "non_commercial_sources": nc,
             "sources": [{"source": lic.source, "kind": lic.kind, "license": lic.licence,
                          "non_commercial": lic.non_commercial} for lic in licences]},
        **extra,
    )


def _body(manifest: dict[str, Any], kept_by_origin: Counter[str], monolingual_rows: int, sha: str) -> list[str]:
    lang, totals, stages = manifest["language"], manifest["totals"], manifest["stages"]
    code = lang["code"]
    licences = run_licences(manifest)
    nc = [lic for lic in licences if lic.non_commercial]
    lines = [
        f"# lrl augmentation: English–{lang['name']} ({code})", "",
        f"Made by `lrl augment` (lrl {manifest['lrl_version']}) on {manifest['created']}, run "
        f"`{manifest['run_id']}`, seed {manifest['seed']}. {totals['generated']:,} rows were generated or "
        f"read; **{totals['kept']:,} kept** ({totals['kept'] - monolingual_rows:,} pairs, {monolingual_rows:,} "
        f"monolingual), {totals['rejected']:,} rejected (see `rejected.jsonl`; `report.html` has plots).", "",
    ]
    if nc:
        lines += ["> **Non-commercial sources.** " + "; ".join(f"`{lic.source}` ({lic.name}, {lic.licence})"
                                                              for lic in nc)
                  + ". Rows made from them may not be used for commercial purposes.", ""]
    lines += [
        "```python", "import datasets",
        "pairs = datasets.load_dataset(\"path/to/this/folder\", \"parallel\", split=\"train\")",
        f"pairs[0][\"translation\"]  # {{\"en\": ..., \"{code}\": ...}}",
        "everything = datasets.load_dataset(\"path/to/this/folder\", split=\"train\")  # pairs + monolingual",
        "```", "",
        "Plain text for Marian, OpusTrainer, fairseq or OpenNMT: `lrl export RUN --format text` (or `tsv`).", "",
        "## Configs", "",
        "| config | rows |", "|---|---:|",
        f"| `default` | {totals['kept']:,} |", f"| `parallel` | {totals['kept'] - monolingual_rows:,} |",
        *([f"| `monolingual` | {monolingual_rows:,} |"] if monolingual_rows else []), "",
        "## Columns", "",
        "| column | meaning |", "|---|---|",
        "| `src` | English side (empty for monolingual rows) |",
        f"| `tgt` | {lang['name']} side (empty for English monolingual rows) |",
        f"| `translation` | the pair as `{{\"en\": src, \"{code}\": tgt}}`, as Hugging Face MT datasets carry it |",
        "| `origin` | `seed` (your parallel data), `mono` (your monolingual text), `template` (lexicon "
        "templates), `bt` (back-translation), `ft` (forward translation), `paraphrase`, `pivot` |",
        "| `parent_id` | the row a synthetic row was made from |",
        "| `provenance` | JSON text (a string; `json.loads` it): input file and line, template and fillers, "
        "model and revision, seed |",
        "| `scores` | JSON text: every filter's measurement as `\"<stage>.<name>\": value`; the keys differ by "
        "origin and filters, so they are not fixed columns |",
        "| `labels` | JSON text: the input row's other columns (`category`, `label`, ...), kept by every row made "
        "from it (a translated row keeps its parent's); `{}` when the input had none |", "",
        "## Kept rows by origin", "", "| origin | rows |", "|---|---:|",
        *[f"| {o} | {n:,} |" for o, n in kept_by_origin.most_common()], "",
        "## What each stage did (pipeline order)", "",
        "| stage | in | created | out | rejected | top reasons |", "|---|---:|---:|---:|---:|---|",
    ]
    for name in stage_order(manifest):
        st = stages[name]
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
    cap = template_cap(manifest)
    if cap:
        lines += ["", "## Templates", "", cap[0].upper() + cap[1:] + "."]
    rounds = rounds_lines(manifest)
    if rounds:
        lines += ["", "## Back-translation rounds and selection", "",
                  "Rounds retrain the back-translator on the seed plus the kept pairs while its dev chrF++ "
                  "improves; the output holds the last used round's translations. Rows not selected stay "
                  "monolingual.", "", *[f"* {line.strip()}" for line in rounds]]
    privacy = privacy_counts(manifest)
    if privacy is not None:
        lines += ["", "## Personal data", "",
                  "E-mail addresses, URLs, phone numbers, @handles, ID numbers, payment cards, IBANs and IP "
                  "addresses on either side, per kind: masked with a placeholder (`<EMAIL>`, `<PHONE>` …), the "
                  "row dropped, or only flagged; synthetic rows are checked again.", "",
                  "| kind | action | found | masked | rows dropped |", "|---|---|---:|---:|---:|"]
        actions: dict[str, str] = next((s["signature"].get("actions", {}) for s in manifest["steps"]
                                        if s["name"] == "privacy"), {})
        lines += [f"| {k} | {actions.get(k, '')} | {privacy['found'].get(k, 0):,} | {privacy['masked'].get(k, 0):,} "
                  f"| {privacy['dropped_rows'].get(k, 0):,} |" for k in actions]
    by_step: dict[str, list[str]] = {}
    for step, th in thresholds(manifest):
        by_step.setdefault(step, []).append(f"`{th.path}` {th.value:g}")
    lines += ["", "## Filters and thresholds", "",
              *[f"- **{s}**: {', '.join(v)}" for s, v in by_step.items()], ""]
    exclude = manifest.get("config", {}).get("decontaminate", {}).get("exclude") or []
    dec = [s for s in stage_order(manifest) if s.startswith("decontaminate")]
    lines += ["## Decontamination", ""]
    if exclude:
        lines += [f"Rows whose English or {lang['name']} side occurs in "
                  + ", ".join(f"`{p}`" for p in exclude) + " were rejected: "
                  + ", ".join(f"{s} {stages[s]['rejected']:,}" for s in dec) + ".", ""]
    else:
        lines += ["None: no test set was given (`--exclude TEST`). Check overlap before evaluating on "
                  "public test sets.", ""]
    lines += ["## Inputs, models and licences", "", "| source | kind | licence | note |", "|---|---|---|---|"]
    for lic in licences:
        note = ("**non-commercial**" if lic.non_commercial else "") + (f" {lic.name}" if lic.name else "")
        if lic.licence == UNKNOWN:
            note = "licence not recognised: check it before publishing"
        lines.append(f"| `{lic.source}` | {lic.kind} | {lic.licence} | {note.strip()} |")
    lines += ["", "Rows inherit the licences of the inputs and models they were made from. " + CARD_BODY_NOTE, "",
              "## Citing this run", "",
              f"Cite the run id `{manifest['run_id']}` and the sha256 of its `manifest.json`, `{sha}`, "
              "which pins inputs (by hash), settings, seed and versions:", "",
              "```bibtex",
              f"@misc{{lrl-{manifest['run_id']},",
              f"  title = {{lrl synthetic English--{lang['name']} data, run {manifest['run_id']}}},",
              f"  note = {{lrl {manifest['lrl_version']}, manifest sha256 {sha}}},",
              f"  year = {{{manifest['created'][:4]}}}",
              "}", "```", ""]
    return lines


def render_card(manifest: dict[str, Any], kept_by_origin: Counter[str], run_dir: Path,
                monolingual_rows: int = 0, manifest_sha256: str | None = None) -> str:
    """``manifest_sha256``: of the manifest about to be written (a run writes its manifest.json last)."""
    sha = manifest_sha256 if manifest_sha256 is not None else (
        file_sha256(run_dir / "manifest.json") if (run_dir / "manifest.json").is_file() else "")
    data = card_data(manifest, kept_by_origin, monolingual_rows, sha)
    body = "\n".join(_body(manifest, kept_by_origin, monolingual_rows, sha))
    # what str(DatasetCard(...)) prints for this text: the card loads back unchanged (tests/io/test_card_export.py)
    return f"---\n{data.to_yaml()}\n---\n\n{body}"
