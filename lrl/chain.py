"""The filter chain from settings: the checks every input row gets, and one factory for the checks a
generator's new rows get (``bt-``, ``ft-``, ``substitute-`` …), so the chain is built in one place.

Order: cheapest and most selective first, the model-based quality checks last. Dedup is not here: it
needs every row of the run, so ``lrl.pipeline.build_steps`` puts it at the end of the chain, where it runs
once over all shards (DESIGN.md "The shard contract").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lrl.languages.plugin import SCRIPTS, Plugin
from lrl.quality import QualitySeed
from lrl.step import Step


def stage(step: Step, prefix: str, origins: Iterable[str] | None) -> Step:
    """Name a check for the rows it judges: ``bt-langid`` judges only origin ``bt`` rows."""
    step.name = f"{prefix}{step.name}"
    if origins is not None:
        step.applies_to = frozenset(origins)  # type: ignore[attr-defined]
    return step


def pair_checks(plugin: Plugin, cfg: dict[str, Any], seed: QualitySeed | None, prefix: str = "",
                origins: Iterable[str] | None = None, sides: str = "both",
                overrides: dict[str, dict[str, Any]] | None = None) -> list[Step]:
    """Length, script, tone, language ID, then the quality checks (untranslated words, fluency,
    adequacy). ``sides``: which sides are new — ``"src"`` (back-translation made the English: tone marks
    need no second look), ``"tgt"`` (forward translation made the LRL side: no English-side checks) or
    ``"both"``. ``overrides``: per check name, attributes that differ for these rows (generated English gets a
    stricter bar: it is plentiful, and salad is what weak generators make)."""
    from lrl.filters.langid import LangID
    from lrl.filters.length import Length
    from lrl.filters.orthography import ToneMarks
    from lrl.filters.script import Script

    f, o = cfg["filters"], plugin.orthography
    pairs = seed.pairs if seed is not None else []
    # Generated rows first get the privacy and blocklist checks (a model can invent a phone number or
    # a blocked word); input rows get them in input_checks, before everything else.
    steps: list[Step] = privacy_checks(plugin, cfg) if prefix else []
    steps.append(Length.build(f["length"], pairs))
    if f["script"]["enabled"]:
        steps.append(Script(plugin.script, SCRIPTS[plugin.script], f["script"]["min_share"],
                            f["script"]["src_min_share"]))
    if o["tone_check"] != "off" and sides != "src":
        steps.append(ToneMarks(o["tone_check"], o["tone_min_share"], o["tone_min_vowels"]))
    if f["langid"]["enabled"]:
        lid = LangID.from_settings(plugin, f["langid"])
        lid.batch_size = 256  # the backends score batches
        steps.append(lid)
    if seed is not None:
        steps += quality_checks(plugin, cfg, seed, sides, generated=origins is not None)
    for check in steps:
        for key, value in (overrides or {}).get(check.name, {}).items():
            setattr(check, key, value)
    return [stage(s, prefix, origins) for s in steps]


def quality_checks(plugin: Plugin, cfg: dict[str, Any], seed: QualitySeed, sides: str = "both",
                   generated: bool = False) -> list[Step]:
    """The checks that learn from the seed: LRL words left on the English side, English fluency (and, for
    generated rows, the fluency of a generated language side) and lexical adequacy. None of them uses a
    generator's output, so a generator is never the only judge of its own rows (adequacy through IBM-1
    tables cannot judge IBM-1's own output, which is why fluency and untranslated words are there)."""
    from lrl.filters.adequacy import Adequacy
    from lrl.filters.fluency import Fluency
    from lrl.filters.untranslated import Untranslated

    f = cfg["filters"]
    steps: list[Step] = []
    if f["untranslated"]["enabled"] and sides != "tgt":
        steps.append(seed.cached("untranslated", lambda: Untranslated.build(plugin, seed.all_pairs,
                                                                            f["untranslated"])))
    if f["fluency"]["enabled"] and sides != "tgt":
        # The scale is set on real English only: template renderings are tidier than any real sentence and,
        # in a small seed, outnumber the real ones (they would widen the scale and loosen the threshold).
        steps.append(seed.cached("fluency", lambda: Fluency.build(seed.english, f["fluency"],
                                                                  real=[en for en, _ in seed.pairs])))
    if f["fluency"]["enabled"] and f["fluency"]["lrl"] and generated and sides != "src":
        # Generated language text (pivot paraphrase, forward translation, substitution) against a model of
        # the seed's language side: IBM-1 pivot paraphrases are word substitutions that break its n-grams.
        def lrl_fluency() -> Fluency:
            check = Fluency.build([x for _, x in seed.all_pairs], f["fluency"], real=[x for _, x in seed.pairs])
            check.side, check.name, check.min_score = "tgt", "lrl-fluency", float(f["fluency"]["lrl_min_score"])
            return check

        steps.append(seed.cached("lrl-fluency", lrl_fluency))
    if f["adequacy"]["enabled"]:
        steps.append(seed.cached("adequacy", lambda: Adequacy.build(seed.ibm1(), f["adequacy"], seed.pairs)))
    return steps


def privacy_checks(plugin: Plugin, cfg: dict[str, Any]) -> list[Step]:
    """Personal data masked or dropped (lrl/filters/privacy.py), then the plugin's blocklist."""
    from lrl.filters.blocklist import Blocklist, load_terms
    from lrl.filters.normalize import Normalize
    from lrl.filters.privacy import build_privacy

    f = cfg["filters"]
    steps: list[Step] = []
    if f["privacy"]["enabled"]:
        steps.append(build_privacy(f["privacy"]))
    if f["blocklist"]["enabled"] and "blocklist" in plugin.files and plugin.file("blocklist").is_file():
        terms = load_terms(plugin.file("blocklist"), Normalize.for_plugin(plugin, cfg["normalize"]).text)
        if terms:
            steps.append(Blocklist(terms, plugin.files["blocklist"]))
    return steps


def input_checks(plugin: Plugin, cfg: dict[str, Any], seed: QualitySeed | None) -> list[Step]:
    """What every row read from the inputs (and every template row) goes through after normalization and
    decontamination: privacy and blocklist, markup, then the pair checks (length first)."""
    from lrl.filters.markup import build_markup

    f = cfg["filters"]
    steps: list[Step] = privacy_checks(plugin, cfg)
    if f["markup"]["enabled"]:
        steps.append(build_markup(f["markup"]))
    return steps + pair_checks(plugin, cfg, seed)
