"""Licences of a run's inputs and models, for the dataset card.

Only sources whose licence we know for certain are named; everything else is "unknown: check", because
a guessed licence on a published dataset is worse than an honest gap. Non-commercial sources are flagged
so nobody trains a commercial model on them by accident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The lrl project's licence, which covers the shipped plugins' lexicons, templates and examples.
PROJECT_LICENCE = "apache-2.0"
UNKNOWN = "unknown: check"


@dataclass(frozen=True)
class Licence:
    source: str  # the input path or model id as the manifest names it
    kind: str  # "input: parallel", "model: bt", ...
    licence: str  # a Hugging Face licence id, or UNKNOWN
    name: str  # what the source is, when recognised
    non_commercial: bool = False


#: (pattern on a path or model id, licence id, name, non-commercial)
KNOWN: list[tuple[str, str, str, bool]] = [
    (r"menyo[-_]?20k", "cc-by-nc-4.0", "MENYO-20k", True),
    (r"nllb", "cc-by-nc-4.0", "NLLB-200 weights", True),
    (r"opus-mt|helsinki-nlp", "cc-by-4.0", "OPUS-MT (Helsinki-NLP)", False),
    (r"m2m[-_]?100", "mit", "M2M-100", False),
]


def identify(source: str, kind: str, plugin_dir: str = "") -> Licence:
    low = source.lower()
    for pattern, licence, name, nc in KNOWN:
        if re.search(pattern, low):
            return Licence(source, kind, licence, name, nc)
    if plugin_dir and all(Path(p).resolve().is_relative_to(Path(plugin_dir).resolve())
                          for p in source.split(",") if p):
        return Licence(source, kind, PROJECT_LICENCE, "the language plugin's own data")
    if kind.startswith("model") and low.startswith(("ibm1", "lexlm", "bootstrap", "lrl-")):
        return Licence(source, kind, "derived", "trained by lrl from this run's inputs")
    return Licence(source, kind, UNKNOWN, "")


def _models(sig: Any, step: str) -> list[tuple[str, str]]:
    """(model id, step) for every model a step signature names: a ``model``/``*_model`` key holding an id
    string or a dict with ``id`` (back-translation, forward translation, paraphrase, language ID)."""
    found: list[tuple[str, str]] = []
    if isinstance(sig, dict):
        for k, v in sig.items():
            if k == "model" or k.endswith("_model"):
                if isinstance(v, dict) and isinstance(v.get("id"), str):
                    found.append((v["id"], step))
                elif isinstance(v, str) and v:
                    found.append((v, step))
            elif isinstance(v, dict):
                found += _models(v, step)
    return found


def run_licences(manifest: dict[str, Any]) -> list[Licence]:
    plugin = manifest["language"].get("plugin", "")
    out = [identify(i["path"], f"input: {i['kind']}", plugin) for i in manifest.get("inputs", [])]
    if manifest.get("config", {}).get("templates", {}).get("enabled"):
        out.append(Licence(f"{plugin} (lexicon, templates)", "input: templates", PROJECT_LICENCE,
                           "the language plugin's own data"))
    seen = set()
    for step in manifest.get("steps", []):
        for model, name in _models(step.get("signature") or {}, step["name"]):
            # Language-ID models only score rows; the licences that reach the data are the writers'.
            if "langid" in name or model in seen:
                continue
            seen.add(model)
            out.append(identify(model, f"model: {name}"))
    return out


def card_licence(licences: list[Licence]) -> tuple[str, str | None]:
    """The card's ``license`` and ``license_name``: the one licence every input shares, else ``other``
    with a name that says the rows carry their sources' licences (listed in the card)."""
    ids = {lic.licence for lic in licences if lic.kind.startswith("input")}
    if len(ids) == 1 and UNKNOWN not in ids and "derived" not in ids:
        return ids.pop(), None
    nc = any(lic.non_commercial for lic in licences)
    return "other", "mixed-non-commercial-see-card" if nc else "mixed-see-card"
