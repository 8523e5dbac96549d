"""Which stream generators a run uses, from the configuration.

A stream generator is a :class:`~lrl.step.Step` that passes every record on and adds new records made
from some of them (back-translation makes an English side for a monolingual row). Each is followed by the
filters that judge its own new rows (``Filter.applies_to``).
"""

from __future__ import annotations

from typing import Any

from lrl.languages.plugin import Plugin
from lrl.models.prepare import Prepared
from lrl.step import Step


def build_generators(plugin: Plugin, cfg: dict[str, Any], prepared: Prepared, progress: bool = True,
                     english_mono: bool = False, seed: Any = None) -> list[Step]:
    """``prepared``: the models made before the steps (lrl/models/prepare.py: the seed, IBM-1, the chosen
    back-translator); ``english_mono``: the run reads English monolingual text, to be forward-translated;
    ``seed``: the run's :class:`~lrl.quality.QualitySeed` (the quality checks of generated rows learn from it)."""
    steps: list[Step] = []
    if cfg["substitute"]["enabled"]:  # on real seed pairs, before anything else adds rows
        steps += _substitution(plugin, cfg, prepared, quality=seed)
    if cfg["bt"]["enabled"]:
        steps += _back_translation(plugin, cfg, prepared, progress, english_mono, quality=seed)
    elif english_mono:
        from lrl.errors import ConfigError

        raise ConfigError("English monolingual input (--mono-en) is forward-translated by the translation "
                          "step: it needs bt.enabled = true")
    # After back-translation, so that paraphrases of monolingual rows stay monolingual.
    if cfg["paraphrase"]["enabled"]:
        from lrl.generate.paraphrase import build_paraphrase

        # model-free path: pivot through the seed-trained IBM-1 tables
        pivot = prepared.ibm1 if not cfg["paraphrase"]["model"] else None
        steps += build_paraphrase(plugin, cfg, pivot, progress, quality=seed)
    return steps


def _substitution(plugin: Plugin, cfg: dict[str, Any], prepared: Prepared, quality: Any = None) -> list[Step]:
    """Lexical substitution (lrl/generate/substitute.py), aligned with the seed-trained IBM-1 tables, then
    the checks its new sides need, as for any input row (lrl/chain.py)."""
    from lrl.chain import pair_checks
    from lrl.errors import ConfigError
    from lrl.filters.normalize import Normalize
    from lrl.generate.substitute import Substitute

    s = cfg["substitute"]
    if not plugin.file("lexicon").is_file():
        raise ConfigError(f"substitute.enabled needs the plugin's lexicon ({plugin.file('lexicon')})")
    model = prepared.ibm1
    steps: list[Any] = [Substitute.from_files(
        plugin.file("lexicon"), plugin.code, per_pair=s["per_pair"], max_rows=s["max_rows"], confirm=s["confirm"],
        skip_classes=s["skip_classes"],
        xx2en=model.xx2en if model else None, en2xx=model.en2xx if model else None,
        normalize=Normalize.for_plugin(plugin, cfg["normalize"]).text,
        aligner_id=f"ibm1-{model.key}" if model else "")]
    # No dedup of its own: two parents that differ only in the swapped word make the same child, and the
    # run-wide dedup at the end of the chain sees every origin's rows (lrl/shards.py).
    return steps + pair_checks(plugin, cfg, quality, "substitute-", {"substitute"})


def _back_translation(plugin: Plugin, cfg: dict[str, Any], prepared: Prepared, progress: bool,
                      english_mono: bool = False, quality: Any = None) -> list[Step]:
    """Back-translation with the translator model preparation chose, then the checks of its rows."""
    from lrl.chain import pair_checks
    from lrl.errors import ConfigError
    from lrl.filters.chrf import ForcedDecode, RoundTripChrF
    from lrl.generate.backtranslate import BackTranslate
    from lrl.generate.protect import Protected

    bt = cfg["bt"]
    # Masked spans (<PHONE> …) never reach the model; they are put back after (lrl/generate/protect.py).
    backward = Protected(prepared.backward)
    # None only when nothing needs it (bt.score = "none" and no English monolingual input)
    forward: Any = Protected(prepared.forward) if prepared.forward is not None else None
    rows = bt["feed_rows"]
    make = dict(settings=prepared.bt_settings, batch_size=rows, tagged=bt["tagged"], progress=progress,
                model_info=prepared.bt_info, forward=forward if english_mono else None)
    pooled = bt["rounds"] > 1 or bt["select"] != "none"
    if bt["select"] == "none" and bt["select_k"]:
        raise ConfigError(f"bt.select_k = {bt['select_k']} needs bt.select = \"rank\" or \"random\"")
    if bt["select_domain"] and bt["select"] != "rank":
        raise ConfigError("bt.select_domain ranks rows by their similarity to a domain sample: it needs "
                          "bt.select = \"rank\"")
    steps: list[Step] = [_pooled(plugin, cfg, backward, make, prepared) if pooled
                         else BackTranslate(backward, **make)]
    # The new English side is judged by evidence independent of the translator: language ID and script,
    # LRL words left in, English fluency, lexical adequacy from the seed (lrl/chain.py).
    is_ibm1 = getattr(backward, "identity", {}).get("kind") == "ibm1"
    if bt["ibm1_unverified"] not in ("reject", "keep"):
        raise ConfigError(f"bt.ibm1_unverified must be reject or keep, got {bt['ibm1_unverified']!r}")
    stricter = {"fluency": {"min_score": bt["min_fluency"],
                            "unjudged": "reject" if is_ibm1 and bt["ibm1_unverified"] == "reject" else "pass",
                            # what `lrl rescore` may move for these rows: the bar is bt.min_fluency here
                            "rescorable": {"bt.min_fluency": "min_score", "filters.fluency.min_words": "min_words",
                                           "filters.fluency.min_order_score": "min_order_score"}},
                "untranslated": {"strict": True, "min_unnamed": int(bt["untranslated_min_words"]),
                                 "rescorable": {"bt.untranslated_min_words": "min_unnamed",
                                                "filters.untranslated.min_words": "min_words",
                                                "filters.untranslated.min_share": "min_share"}}}
    steps += pair_checks(plugin, cfg, quality, "bt-", {"bt"}, sides="src", overrides=stricter)
    if bt["score"] == "roundtrip":
        steps.append(RoundTripChrF(forward, bt["min_chrf"], batch_size=rows))
    elif bt["score"] == "forced":
        steps.append(ForcedDecode(forward, bt["min_logprob"], batch_size=rows))
    if pooled:  # trial rounds are judged by the checks the output gets
        steps[0].checks = steps[1:]  # type: ignore[attr-defined]
    if english_mono:
        steps += _forward_filters(plugin, cfg, backward, quality, rows)
    return steps


def _pooled(plugin: Plugin, cfg: dict[str, Any], backward: Any, make: dict[str, Any], prepared: Prepared) -> Step:
    """Back-translation over the whole monolingual pool (lrl/generate/rounds.py): selection and rounds."""
    from lrl.generate.protect import Protected
    from lrl.generate.rounds import SelectiveBackTranslate
    from lrl.generate.select import Selector
    from lrl.models.prepare import IBM1_INFO, train_ibm1

    bt = cfg["bt"]
    seed, extra = prepared.seed, prepared.extra
    selector = None
    if bt["select"] != "none":
        # Rarity is counted in the real seed pairs; what the translator can translate includes the
        # lexicon and template words it was also trained on.
        selector = Selector(bt["select"], bt["select_k"], [x for _, x in seed],
                            _domain_sample(plugin, cfg, bt["select_domain"]), cfg["seed"],
                            vocab=getattr(backward, "table", None) or ())  # IBM-1's words; else the seed's

    def retrain(synthetic: list[tuple[str, str]]) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        # The seed's dev split stays held out (split_dev hashes the seed alone): rounds are comparable.
        model = train_ibm1(plugin.code, cfg, seed, [*extra, *synthetic])
        return (Protected(model.direction(plugin.code, "en")), model.info.get("dev", {}),
                {k: model.info.get(k) for k in IBM1_INFO})

    return SelectiveBackTranslate(backward, selector=selector, rounds=bt["rounds"], retrain=retrain,
                                  dev=make["model_info"].get("dev") or {}, direction=f"{plugin.code}-en",
                                  min_gain=bt["rounds_min_gain"], **make)


def _domain_sample(plugin: Plugin, cfg: dict[str, Any], spec: str) -> list[str]:
    """The language-side sentences of ``bt.select_domain`` (any monolingual input format), normalized."""
    if not spec:
        return []
    from lrl.errors import ConfigError
    from lrl.filters.normalize import Normalize
    from lrl.io.readers import preflight, read
    from lrl.io.rows import InputStats, ReadOptions

    preflight(spec, False)  # a missing or unreadable file: an InputError naming it
    norm = Normalize.for_plugin(plugin, cfg["normalize"])
    opts = ReadOptions(bad_rows="skip", tsv_quoting=cfg["inputs"]["tsv_quoting"],
                       lang_names=(plugin.code, plugin.iso639_3, plugin.name))
    text = [norm.text(r.tgt) for r in read(spec, opts, False, InputStats()) if r.tgt and not r.pre_rejected]
    if not text:
        raise ConfigError(f"bt.select_domain = {spec!r} holds no {plugin.name} sentences: give a text file "
                          "(one sentence a line) or a TSV/JSONL with a text column")
    return text


def _forward_filters(plugin: Plugin, cfg: dict[str, Any], backward: Any, seed: Any = None,
                     rows: int = 64) -> list[Step]:
    """Forward-translated rows got a new language side: judge it like an input's (length ratio, script,
    tone, language ID, adequacy) and by a round trip back to the real English."""
    from lrl.chain import pair_checks
    from lrl.filters.chrf import RoundTripChrF

    steps = pair_checks(plugin, cfg, seed, "ft-", {"ft"}, sides="tgt")
    if cfg["bt"]["score"] == "roundtrip":
        chrf = RoundTripChrF(backward, cfg["bt"]["min_chrf"], batch_size=rows, reverse=True)
        chrf.name, chrf.applies_to = "ft-chrf", frozenset({"ft"})
        steps.append(chrf)
    return steps
