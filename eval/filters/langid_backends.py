"""Language-ID backends on held-out shared data, and the langid filter's decisions with each plugin's
settings: the measurement behind LANGID_DEFAULTS and each plugin's [langid] backend.

Part 1, per backend and language: accuracy of the top label (and sentences/s) on MENYO-20k dev (yo, en),
LAFAND dev (ha, en), HornMT (am, ti: the last 1,000 lines); lines of at most 20 characters separately.
Part 2, per plugin and backend: the share of each kind of line the filter rejects (clean lines must
stay, foreign lines must go), at the defaults and over a sweep of the short-line thresholds.

    PYTHONPATH=. .venv/bin/python eval/filters/langid_backends.py   # writes eval/filters/results/langid-backends.md
"""

from __future__ import annotations

import csv
import os
import platform
import sys
import time
from pathlib import Path

from lrl.filters.langid import LANGID_DEFAULTS, LangID, bare_text
from lrl.filters.lid_backends import BACKENDS, get_backend
from lrl.generate.templates import TemplateGenerator
from lrl.languages import find_plugin
from lrl.record import Record

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("LRL_SHARED_DATA", ROOT.parent / "shared" / "data"))
OUT = ROOT / "eval" / "filters" / "results" / "langid-backends.md"
N = 1500


def lines(path: str) -> list[str]:
    return (DATA / path).read_text(encoding="utf-8").splitlines()


def load() -> dict[str, list[str]]:
    with open(DATA / "yo/menyo20k/dev.tsv", encoding="utf-8", newline="") as f:
        menyo = [r for r in list(csv.reader(f, delimiter="\t"))[1:] if len(r) == 2]
    hau, hen = lines("ha/lafand-mt/dev.hau"), lines("ha/lafand-mt/dev.en")
    amh, tir = lines("am/hornmt/amh.txt")[-1000:], lines("am/hornmt/tir.txt")[-1000:]
    return {
        "yo": [r[1] for r in menyo], "en": [r[0] for r in menyo] + hen, "ha": hau, "am": amh, "ti": tir,
        "en-ha": hen, "yo-en": [r[0] for r in menyo],
    }


def accuracy_table(sets: dict[str, list[str]]) -> list[str]:
    out = ["| backend | language | label | lines | accuracy | short lines (≤ 20 chars) | short accuracy "
           "| sentences/s |",
           "|---|---|---|---:|---:|---:|---:|---:|"]
    for name in BACKENDS:
        b = get_backend(name)
        for lang in ("yo", "ha", "am", "ti", "en"):
            label = b.native(lang)
            text = sets[lang][:N]
            short = [t for t in sets[lang] if len(t) <= 20]
            if label is None:
                out.append(f"| {name} | {lang} | — | {len(text):,} | no label | {len(short)} | — | — |")
                continue
            t0 = time.perf_counter()
            preds = b.predict(text, [label])
            speed = len(text) / (time.perf_counter() - t0)
            acc = sum(p.top == label for p in preds) / len(text)
            sp = b.predict(short, [label])
            sacc = f"{sum(p.top == label for p in sp) / len(short):.1%}" if short else "—"
            out.append(f"| {name} | {lang} | {label} | {len(text):,} | {acc:.1%} | {len(short)} | {sacc} "
                       f"| {speed:,.0f} |")
    return out


def cases(code: str, sets: dict[str, list[str]]) -> dict[str, list[Record]]:
    """Kinds of rows for one plugin: clean ones that must stay, damaged ones that must go."""
    plugin = find_plugin(code)
    own = {"yo": sets["yo"], "ha": sets["ha"], "am": sets["am"]}[code]
    eng = {"yo": sets["yo-en"], "ha": sets["en-ha"], "am": lines("am/hornmt/eng.txt")[-1000:]}[code]
    others = [t for c in ("yo", "ha", "am", "ti") if c != code for t in sets[c][:300]]
    tpl = list(TemplateGenerator(plugin.file("lexicon"), plugin.file("templates"), code, 400, 1))
    named = [r.src for r in tpl if bare_text(r.src)]

    def mono(texts: list[str]) -> list[Record]:
        return [Record(id=f"m{i}", src="", tgt=t, origin="mono") for i, t in enumerate(texts)]

    def pairs(src: list[str], tgt: list[str]) -> list[Record]:
        return [Record(id=f"p{i}", src=s, tgt=t, origin="seed") for i, (s, t) in enumerate(zip(src, tgt))]

    n = min(len(own), len(eng), N)
    return {
        "keep: clean pairs": pairs(eng[:n], own[:n]),
        "keep: clean pairs, a side ≤ 20 chars": [r for r in pairs(eng, own) if min(len(r.src), len(r.tgt)) <= 20],
        "keep: template pairs (names on both sides)": [Record(id=r.id, src=r.src, tgt=r.tgt, origin="template")
                                                       for r in tpl],
        "reject: other languages as the LRL": mono(others),
        "reject: other languages ≤ 20 chars as the LRL": mono([t for t in others if len(t) <= 20]
                                                              + [t[:20].rsplit(" ", 1)[0] for t in others[:300]]),
        "reject: English as the LRL": mono(eng[:500]),
        "reject: English ≤ 20 chars as the LRL": mono([t for t in eng if len(t) <= 20]),
        "reject: English with LRL names as the LRL": mono(named),
        "reject: the LRL on the English side": pairs(own[:500], own[:500]),
        "reject: the LRL ≤ 20 chars on the English side": pairs(*[[t for t in own if len(t) <= 20]] * 2),
    }


def decisions(code: str, sets: dict[str, list[str]]) -> list[str]:
    plugin = find_plugin(code)
    kinds = cases(code, sets)
    out = [f"### {plugin.name} ({code}); plugin backend {plugin.langid['backend']}, confusable "
           f"{', '.join(plugin.langid['confusable']) or '—'}", "",
           "| LRL-side backend | English-side backend | "
           + " | ".join(f"{k} ({len(v)})" for k, v in kinds.items()) + " |",
           "|---|---|" + "---:|" * len(kinds)]
    sweeps: list[str] = []
    shipped: tuple[LangID, dict] | None = None
    for name in BACKENDS:
        b = get_backend(name)
        if b.native(plugin.langid["label"]) is None:
            out.append(f"| {name} | — | no label {plugin.langid['label']} |" + " — |" * (len(kinds) - 1))
            continue
        # a backend is only usable with the confusables it knows: drop the others, and say so
        dropped = [c for c in plugin.langid["confusable"] if b.native(c) is None]
        # fastText has no Nigerian Pidgin label
        src_ok = {"py3langid": LANGID_DEFAULTS["src_acceptable"], "fasttext": []}
        for src_backend in ("py3langid", "fasttext"):
            lid = LangID.from_settings(_with_backend(plugin, name, dropped), {**LANGID_DEFAULTS,
                                                                              "src_backend": src_backend,
                                                                              "src_acceptable": src_ok[src_backend]})
            scored = {k: list(zip(v, lid.score_batch(v), strict=True)) for k, v in kinds.items()}

            def rejected(scored_rows: list, lid: LangID = lid) -> str:
                if not scored_rows:
                    return "—"
                return f"{sum(lid.decide(r, s) is not None for r, s in scored_rows) / len(scored_rows):.1%}"

            if name == plugin.langid["backend"] and src_backend == LANGID_DEFAULTS["src_backend"]:
                shipped = lid, scored
            row = f"{name}" + (f" (without {', '.join(dropped)})" if dropped else "") + f" | {src_backend}"
            out.append(f"| {row} | " + " | ".join(f"{rejected(v)}" for v in scored.values()) + " |")
            if src_backend != LANGID_DEFAULTS["src_backend"]:
                continue
            for side, cps, margins in (("tgt", (0.7, 0.8, 0.9), (0.0, 0.1, 0.2, 0.3)),
                                       ("src", (0.9, 0.95, 0.99), (0.0, 0.1, 0.3, 0.6))):
                rule = lid.tgt if side == "tgt" else lid.src  # what decide() reads (lrl/filters/langid.py)
                keep = rule["confident_prob"], rule["confusable_margin"]
                for cp in cps:
                    for margin in margins:
                        rule["confident_prob"], rule["confusable_margin"] = cp, margin
                        sweeps.append(f"| {row} | {side} | {cp} | {margin} | "
                                      + " | ".join(f"{rejected(v)}" for v in scored.values()) + " |")
                rule["confident_prob"], rule["confusable_margin"] = keep
    out += ["", "Sweep of one side's confident_prob and confusable_margin (`tgt_*` or `src_*`), the other settings "
            "at their defaults:", "", "| LRL-side backend | English-side backend | side | confident_prob | margin | "
            + " | ".join(kinds) + " |", "|---|---|---|---:|---:|" + "---:|" * len(kinds), *sweeps, ""]
    assert shipped is not None, f"{code}: the plugin's backend does not know its label"
    lid, scored = shipped
    wrong = [(r, lid.decide(r, s)) for k, v in scored.items() if k.startswith("keep") for r, s in v]
    out += ["Clean rows rejected at the defaults (plugin backend, English side py3langid), first 12:", "",
            *(f"* `{r.src[:60]}` / `{r.tgt[:60]}` — {why}" for r, why in [w for w in wrong if w[1]][:12]), ""]
    return out


def _with_backend(plugin: object, backend: str, dropped: list[str]) -> object:
    import copy

    p = copy.copy(plugin)
    lid = plugin.langid  # type: ignore[attr-defined]
    p.langid = {**lid, "backend": backend, "confusable": [c for c in lid["confusable"] if c not in dropped]}  # type: ignore[attr-defined]
    return p


def main() -> None:
    sets = load()
    md = ["# Language-ID backends and the langid filter on shared data", "",
          "    PYTHONPATH=. .venv/bin/python eval/filters/langid_backends.py", "",
          f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (shared with other jobs: speeds are indicative), "
          f"Python {sys.version.split()[0]}, {platform.platform()}.", "",
          f"## Backends: top-label accuracy (first {N:,} lines of each set) and speed", "",
          "yo: MENYO-20k dev Yoruba side; en: MENYO-20k dev English side then LAFAND dev English; ha: LAFAND dev "
          "Hausa; am, ti: HornMT, last 1,000 lines. Short lines: all lines of the set with ≤ 20 characters. "
          "sentences/s: one process, batches through the backend's `predict` (top label, its probability and "
          "the asked-for labels).", "",
          *accuracy_table(sets), "",
          "## The langid filter: share of rows rejected, defaults", "",
          f"Settings: `{LANGID_DEFAULTS}`", "",
          "Rows named *keep* should be kept (rejected share = clean data lost); *reject* rows should go. "
          "Other languages: the other shared languages (yo, ha, am, ti), 300 lines each; ≤ 20 chars adds their "
          "first ≤ 20 characters cut at a space. English with LRL names: English sides of the plugin's templates "
          "that have capitalized words inside the sentence.", ""]
    for code in ("yo", "ha", "am"):
        md += decisions(code, sets)
    OUT.write_text("\n".join(md) + "\n", encoding="utf-8")
    print("\n".join(md))


if __name__ == "__main__":
    main()
