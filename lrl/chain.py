"""The filter chains from settings: ``pipeline.checks`` (every input row) and ``pipeline.generated_checks``
(each generator's new rows: ``bt-``, ``ft-``, ``substitute-``, ``paraphrase-`` …) are lists of step
names (lrl/registry.py); this module builds them, in one place, and holds the built-in steps' factories.

Default order: cheapest and most selective first, the model-based quality checks last. Dedup needs
every row of the run, so wherever ``pipeline.checks`` names it, ``lrl.pipeline.run_wide_steps`` runs it
at the end of the chain, once over all shards (DESIGN.md "The shard contract").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lrl.errors import ConfigError
from lrl.registry import steps as registered
from lrl.scripts import SCRIPTS
from lrl.step import Step

if TYPE_CHECKING:
    from lrl.languages.plugin import Plugin
    from lrl.quality import QualitySeed


@dataclass(frozen=True)
class BuildContext:
    """What a step factory may read. ``sides``: which sides of the rows are new — ``"src"``
    (back-translation made the English: tone marks need no second look), ``"tgt"`` (forward translation
    or paraphrase made the language side: no English-side checks) or ``"both"``. ``generated``: the
    rows are a generator's."""

    plugin: Plugin
    cfg: dict[str, Any]
    seed: QualitySeed | None
    sides: str = "both"
    generated: bool = False
    name: str = ""

    @property
    def settings(self) -> dict[str, Any]:
        """The step's own settings section (``filters.length``; ``steps.<name>`` for a package's step)."""
        node: Any = self.cfg
        for part in filter(None, registered()[self.name].settings.split(".")):
            node = node[part]
        return node if isinstance(node, dict) else {}


def stage(step: Step, prefix: str, origins: Iterable[str] | None) -> Step:
    """Name a check for the rows it judges: ``bt-langid`` judges only origin ``bt`` rows."""
    step.name = f"{prefix}{step.name}"
    if origins is not None:
        step.applies_to = frozenset(origins)  # type: ignore[attr-defined]
    return step


def build_chain(chain: str, ctx: BuildContext, prefix: str = "", origins: Iterable[str] | None = None,
                overrides: dict[str, dict[str, Any]] | None = None) -> list[Step]:
    """The steps ``pipeline.checks`` (chain ``"input"``) or ``pipeline.generated_checks`` (``"generated"``)
    names, in order. ``overrides``: per step name, attributes that differ for these rows (generated English
    gets a stricter bar: it is plentiful, and salad is what weak generators make)."""
    key = "checks" if chain == "input" else "generated_checks"
    specs = registered()
    out: list[Step] = []
    for name in ctx.cfg["pipeline"][key]:
        spec = specs.get(name)
        if spec is None or chain not in spec.chains:  # settings are validated; this is a step uninstalled since
            raise ConfigError(f"pipeline.{key}: no step '{name}' for this chain — see `lrl steps list`")
        built = spec.build(dataclasses.replace(ctx, name=name))
        for step in built if isinstance(built, list) else [] if built is None else [built]:
            for attr, value in (overrides or {}).get(step.name, {}).items():
                setattr(step, attr, value)
            out.append(stage(step, prefix, origins))
    return out


def input_checks(plugin: Plugin, cfg: dict[str, Any], seed: QualitySeed | None) -> list[Step]:
    """What every row read from the inputs (and every template row) goes through after normalization and
    decontamination (``pipeline.checks``)."""
    return build_chain("input", BuildContext(plugin, cfg, seed))


def pair_checks(plugin: Plugin, cfg: dict[str, Any], seed: QualitySeed | None, prefix: str,
                origins: Iterable[str], sides: str = "both",
                overrides: dict[str, dict[str, Any]] | None = None) -> list[Step]:
    """The checks a generator's new rows get (``pipeline.generated_checks``), named ``<prefix><step>``
    and applied only to ``origins``. A generator's rows first get privacy and blocklist (a model can
    invent a phone number or a blocked word), as input rows do."""
    return build_chain("generated", BuildContext(plugin, cfg, seed, sides, generated=True),
                       prefix, origins, overrides)


# --- the built-in steps' factories (named in lrl/registry.py) ------------------------------------------


def build_privacy(ctx: BuildContext) -> Step | None:
    from lrl.filters.privacy import build_privacy as privacy

    return privacy(ctx.settings) if ctx.settings["enabled"] else None


def build_blocklist(ctx: BuildContext) -> Step | None:
    from lrl.filters.blocklist import Blocklist, load_terms
    from lrl.filters.normalize import Normalize

    plugin = ctx.plugin
    if not ctx.settings["enabled"] or "blocklist" not in plugin.files or not plugin.file("blocklist").is_file():
        return None
    terms = load_terms(plugin.file("blocklist"), Normalize.for_plugin(plugin, ctx.cfg["normalize"]).text)
    return Blocklist(terms, plugin.files["blocklist"]) if terms else None


def build_markup(ctx: BuildContext) -> Step | None:
    from lrl.filters.markup import build_markup as markup

    return markup(ctx.settings) if ctx.settings["enabled"] else None


def build_length(ctx: BuildContext) -> Step:
    from lrl.filters.length import Length

    return Length.build(ctx.settings, ctx.seed.pairs if ctx.seed is not None else [])


def build_dedup(ctx: BuildContext) -> Step | None:
    # Run-wide (lrl.pipeline.run_wide_steps): never built inside a chain, whose rows are one shard's.
    return None


def build_script(ctx: BuildContext) -> Step | None:
    from lrl.filters.script import Script

    s, script = ctx.settings, ctx.plugin.script
    return Script(script, SCRIPTS[script], s["min_share"], s["src_min_share"]) if s["enabled"] else None


def build_tone(ctx: BuildContext) -> Step | None:
    from lrl.filters.orthography import ToneMarks

    o = ctx.plugin.orthography
    if o["tone_check"] == "off" or ctx.sides == "src":
        return None
    return ToneMarks(o["tone_check"], o["tone_min_share"], o["tone_min_vowels"])


def build_langid(ctx: BuildContext) -> Step | None:
    from lrl.filters.langid import LangID

    if not ctx.settings["enabled"]:
        return None
    lid = LangID.from_settings(ctx.plugin, ctx.settings)
    lid.batch_size = 256  # the backends score batches
    return lid


# The checks that learn from the seed: LRL words left on the English side, English fluency (and, for
# generated rows, the fluency of a generated language side) and lexical adequacy. None of them uses a
# generator's output, so a generator is never the only judge of its own rows (adequacy through IBM-1
# tables cannot judge IBM-1's own output, which is why fluency and untranslated words are there).
# Built once per run and copied per stage (QualitySeed.cached).


def build_untranslated(ctx: BuildContext) -> Step | None:
    from lrl.filters.untranslated import Untranslated

    seed, s = ctx.seed, ctx.settings
    if seed is None or not s["enabled"] or ctx.sides == "tgt":
        return None
    return seed.cached("untranslated", lambda: Untranslated.build(ctx.plugin, seed.all_pairs, s))


def build_fluency(ctx: BuildContext) -> Step | None:
    from lrl.filters.fluency import Fluency

    seed, s = ctx.seed, ctx.settings
    if seed is None or not s["enabled"] or ctx.sides == "tgt":
        return None
    # The scale is set on real English only: template renderings are tidier than any real sentence and,
    # in a small seed, outnumber the real ones (they would widen the scale and loosen the threshold).
    if s["model"] and (ctx.sides == "src" or s["model_scope"] == "all"):
        # English a generator wrote (back-translation) is judged by a pretrained causal LM instead of the
        # seed's n-gram, when one is named: it sees salad the n-gram misses. Real input English keeps the
        # n-gram: the LM's score moves with the domain (short template sentences full of names score like
        # salad against a seed of long news sentences), see lrl/filters/lm_fluency.py.
        from lrl.filters.lm_fluency import LMFluency

        return seed.cached("lm-fluency", lambda: LMFluency.build_lm([en for en, _ in seed.pairs], s))
    return seed.cached("fluency", lambda: Fluency.build(seed.english, s, real=[en for en, _ in seed.pairs]))


def build_lrl_fluency(ctx: BuildContext) -> Step | None:
    """Generated language text (pivot paraphrase, forward translation, substitution) against a model of
    the seed's language side: IBM-1 pivot paraphrases are word substitutions that break its n-grams."""
    from lrl.filters.fluency import Fluency

    seed, s = ctx.seed, ctx.settings
    if seed is None or not (s["enabled"] and s["lrl"]) or not ctx.generated or ctx.sides == "src":
        return None

    def lrl_fluency() -> Fluency:
        check = Fluency.build([x for _, x in seed.all_pairs], s, real=[x for _, x in seed.pairs])
        check.side, check.name, check.min_score = "tgt", "lrl-fluency", float(s["lrl_min_score"])
        check.rescorable = {"filters.fluency.lrl_min_score": "min_score", "filters.fluency.min_words": "min_words",
                            "filters.fluency.min_order_score": "min_order_score"}
        return check

    return seed.cached("lrl-fluency", lrl_fluency)


def build_adequacy(ctx: BuildContext) -> Step | None:
    from lrl.filters.adequacy import Adequacy

    seed, s = ctx.seed, ctx.settings
    if seed is None or not s["enabled"]:
        return None
    return seed.cached("adequacy", lambda: Adequacy.build(seed.ibm1(), s, seed.pairs))
