"""``lrl lang check``: validate a plugin and prove it works, saying exactly what to fix.

Checks, in order: the manifest (already strict on load, including that every file it names is inside the
plugin folder), the lexicon and templates parse, every template slot has fillers, rendered templates are
NFC and in the declared script, the codes are well-formed (ISO 639-3, NLLB ``xxx_Scrp``), the
language-ID model knows the plugin's label and gives it to the plugin's examples, each example is a
sentence with English in the ``en`` column and the language in its own, ``mono.txt`` holds no English
line, and ``rules.py`` loads when declared.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrl.errors import LrlError
from lrl.filters.lid_backends import load_identifier
from lrl.filters.script import script_share
from lrl.generate.templates import TemplateGenerator
from lrl.io.readers import InputStats, ReadOptions, read
from lrl.languages.plugin import SCRIPTS, Plugin
from lrl.record import Record

#: Share of example sentences language ID must label correctly.
MIN_LANGID_SHARE = 0.9
MIN_SCRIPT_SHARE = 0.75
RENDER_SAMPLES = 300
#: Examples are sentences: at least this many words a side (characters, for scripts written without spaces).
MIN_EXAMPLE_WORDS = 3
MIN_EXAMPLE_CHARS = 6
UNSPACED_SCRIPTS = frozenset({"Thai", "Khmr", "Mymr", "Tibt"})
ISO639_3 = re.compile(r"[a-z]{3}")
NLLB = re.compile(r"[a-z]{3}_[A-Z][a-z]{3}")


@dataclass
class CheckReport:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check_plugin(plugin: Plugin, render_samples: int = RENDER_SAMPLES) -> CheckReport:
    r = CheckReport()
    r.lines.append(f"{plugin.code} ({plugin.name}, {plugin.script}) at {plugin.path}")
    try:
        plugin.load_rules()
    except LrlError as exc:
        r.problems.append(str(exc))
    except Exception as exc:  # a contributor's rules.py: show their error, not ours
        r.problems.append(f"{plugin.path / 'rules.py'} failed to load: {type(exc).__name__}: {exc}")

    gen = None
    try:
        gen = TemplateGenerator(plugin.file("lexicon"), plugin.file("templates"), plugin.code,
                                render_samples, seed=0)
    except LrlError as exc:
        r.problems.append(str(exc))
    if gen is not None:
        sizes = ", ".join(f"{c} {len(v)}" for c, v in sorted(gen.lexicon.items()))
        n_entries = sum(len(v) for v in gen.lexicon.values())
        r.lines.append(f"  lexicon: {n_entries} entries in {len(gen.lexicon)} classes ({sizes})")
        r.lines.append(f"  templates: {len(gen.templates)}, {gen.capacity:,} distinct renderings")
        unused = sorted(set(gen.lexicon) - {c for t in gen.templates for c in t.classes.values()})
        if unused:
            r.lines.append(f"  note: lexicon classes no template uses: {', '.join(unused)}")
        bad_script = 0
        rendered = 0
        for rec in gen:
            rendered += 1
            tid = rec.provenance["template"]
            for side in (rec.tgt, rec.src):
                if not unicodedata.is_normalized("NFC", side):
                    r.problems.append(f"{plugin.file('templates')}: template {tid} renders non-NFC text: "
                                      f"{side!r} — normalize the lexicon and templates to NFC")
            share, _ = script_share(rec.tgt, SCRIPTS[plugin.script])
            if share < MIN_SCRIPT_SHARE:
                bad_script += 1
                if bad_script <= 3:
                    r.problems.append(f"{plugin.file('templates')}: template {tid} renders {rec.tgt!r}, only "
                                      f"{share:.0%} {plugin.script} letters — check language.script and the data")
        r.lines.append(f"  rendered {rendered} samples: {rendered - bad_script} in script {plugin.script}")

    _check_codes(plugin, r)
    _check_prompts(plugin, r)
    _check_langid(plugin, r)
    return r


def _check_codes(plugin: Plugin, r: CheckReport) -> None:
    """Codes the models and the card depend on: a wrong one only fails mid-run, or never (a dataset card
    naming the wrong language)."""
    m = plugin.manifest
    if not ISO639_3.fullmatch(plugin.iso639_3):
        r.problems.append(f"{m}: language.iso639_3 = {plugin.iso639_3!r} is not an ISO 639-3 code (three "
                          "lowercase letters, e.g. 'yor'; look it up at https://iso639-3.sil.org)")
    nllb = plugin.codes["nllb"]
    if nllb and not NLLB.fullmatch(nllb):
        r.problems.append(f"{m}: codes.nllb = {nllb!r} is not an NLLB-200 code (ISO 639-3 + '_' + ISO 15924 "
                          "script, e.g. 'yor_Latn'), or leave it empty if NLLB does not cover the language")
    elif nllb and nllb[4:] != plugin.script:
        r.problems.append(f"{m}: codes.nllb = {nllb!r} names script {nllb[4:]}, but language.script is "
                          f"{plugin.script}")
    m2m = plugin.codes["m2m100"]
    if m2m and not re.fullmatch(r"[a-z]{2,3}", m2m):
        r.problems.append(f"{m}: codes.m2m100 = {m2m!r} is not an M2M-100 language code (2-3 lowercase "
                          "letters, e.g. 'yo')")


def _too_short(text: str, script: str) -> bool:
    if script in UNSPACED_SCRIPTS:
        return len(text.strip()) < MIN_EXAMPLE_CHARS
    return len(text.split()) < MIN_EXAMPLE_WORDS


def _check_sides(plugin: Plugin, r: CheckReport, recs: list[Record], ident: Any, en_ident: Any) -> None:
    """Each example is a sentence on both sides, English in the en column and the language in its own."""
    ok_labels = {plugin.langid["label"], *plugin.langid["acceptable"]}
    native_ok = {ident.native(c) for c in ok_labels} - {None}  # the backend's spelling of the labels
    where = plugin.file("examples")
    problems: list[str] = []
    for rec in recs:
        line = rec.provenance["line"]
        for side, text, script in (("en", rec.src, "Latn"), (plugin.code, rec.tgt, plugin.script)):
            if _too_short(text, script):
                problems.append(f"{where}:{line}: the {side} side {text!r} is too short — examples should be "
                                f"whole sentences (at least {MIN_EXAMPLE_WORDS} words)")
        if rec.tgt and "en" not in ok_labels and en_ident.classify(rec.tgt)[0] == "en":
            problems.append(f"{where}:{line}: the {plugin.code} column is English: {rec.tgt[:60]!r} — put the "
                            f"{plugin.name} sentence there")
        if rec.src and "en" not in ok_labels and ident.predict([rec.src], [])[0].top in native_ok:
            problems.append(f"{where}:{line}: the en column is in {plugin.name}: {rec.src[:60]!r} — are the "
                            "columns swapped?")
    _add_capped(r, problems)


def _check_mono(plugin: Plugin, r: CheckReport, en_ident: Any) -> None:
    """mono.txt is back-translated as the language: an English line there becomes a nonsense pair."""
    mono = plugin.file("mono")
    if not mono.is_file() or plugin.langid["label"] == "en" or "en" in plugin.langid["acceptable"]:
        return
    try:
        recs = list(read(str(mono), ReadOptions(), parallel=False, stats=InputStats()))
    except LrlError as exc:
        r.problems.append(str(exc))
        return
    english = [rec for rec in recs if en_ident.classify(rec.tgt)[0] == "en"]
    r.lines.append(f"  mono.txt: {len(recs)} lines, {len(english)} in English")
    _add_capped(r, [f"{mono}:{rec.provenance['line']}: this line is English, not {plugin.name}: "
                    f"{rec.tgt[:60]!r} — remove it" for rec in english])


def _add_capped(r: CheckReport, problems: list[str], cap: int = 10) -> None:
    r.problems.extend(problems[:cap])
    if len(problems) > cap:
        r.problems.append(f"... and {len(problems) - cap} more like these")


def _check_prompts(plugin: Plugin, r: CheckReport) -> None:
    """An optional prompts.toml must parse (strictly) — a broken one would only fail mid-run."""
    from lrl.generate.prompts import load_prompts

    path = plugin.path / plugin.files["prompts"]
    if not path.is_file():
        return
    try:
        prompts = load_prompts(path, plugin.name, plugin.code)
    except LrlError as exc:
        r.problems.append(str(exc))
        return
    r.lines.append(f"  paraphrase prompts: {', '.join(sorted(prompts))}")


def _check_langid(plugin: Plugin, r: CheckReport) -> None:
    from lrl.filters.lid_backends import get_backend

    model = plugin.path / plugin.langid["model"] if plugin.langid["model"] else None
    try:
        ident = get_backend(plugin.langid["backend"], model, f"{plugin.manifest}: langid.backend")
    except LrlError as exc:
        r.problems.append(str(exc))
        return
    label = plugin.langid["label"]
    source = str(model) if model else ident.model
    native = ident.native(label)
    if native is None:
        r.problems.append(
            f"{plugin.manifest}: langid.label = {label!r}, but {source} does not know that label, so "
            f"every row would be rejected. Either use the label it gives your language (if it has one), choose "
            f"another langid.backend, or train a model with `lrl lid train` and set langid.model")
        return
    unknown = [c for c in plugin.langid["acceptable"] + plugin.langid["confusable"] if ident.native(c) is None]
    if unknown:
        r.problems.append(f"{plugin.manifest}: langid.acceptable/confusable name {', '.join(unknown)}, which "
                          f"{source} does not know; choose another langid.backend or remove them")
        return
    examples = plugin.file("examples")
    if not Path(examples).is_file():
        r.problems.append(f"{examples}: missing — add example sentences (header: en<TAB>{plugin.code})")
        return
    opts = ReadOptions(src_column="en", tgt_column=plugin.code)
    try:
        recs = list(read(str(examples), opts, parallel=True, stats=InputStats()))
    except LrlError as exc:
        r.problems.append(str(exc))
        return
    if len(recs) < 10:
        r.problems.append(f"{examples}: only {len(recs)} examples; write at least 10 (aim for 50+)")
    ok_labels = {ident.native(c) for c in (label, *plugin.langid["acceptable"])}
    wrong = [(rec, p.top, p.top_prob) for rec, p in zip(recs, ident.predict([rec.tgt for rec in recs], []))
             if p.top not in ok_labels]
    share = 1 - len(wrong) / len(recs) if recs else 0.0
    r.lines.append(f"  language ID ({source}): {len(recs) - len(wrong)}/{len(recs)} examples labelled "
                   f"{label} ({share:.0%})")
    for rec, got, prob in wrong[:5]:
        r.lines.append(f"    line {rec.provenance['line']}: labelled {got} (p={prob:.2f}): {rec.tgt[:70]}")
    # English lines are found with py3langid (it knows English whatever the plugin's backend is).
    en_ident = load_identifier(None)
    _check_sides(plugin, r, recs, ident, en_ident)
    _check_mono(plugin, r, en_ident)
    if recs and share < MIN_LANGID_SHARE:
        r.problems.append(
            f"{examples}: language ID labels only {share:.0%} of the examples {label} (need "
            f"{MIN_LANGID_SHARE:.0%}). If the examples are right, the model does not know the language well: "
            f"train one with `lrl lid train`, or list its confusions in langid.acceptable")
