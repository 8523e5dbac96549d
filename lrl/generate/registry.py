"""Which stream generators a run uses, from the configuration.

A stream generator is a :class:`~lrl.step.Step` that passes every record on and adds new records made
from some of them (back-translation makes an English side for a monolingual row). Each is followed by the
filters that judge its own new rows (``Filter.applies_to``).
"""

from __future__ import annotations

from typing import Any

from lrl.languages.plugin import Plugin
from lrl.step import Step


def build_generators(plugin: Plugin, cfg: dict[str, Any], parallel: list[str] | None = None,
                     progress: bool = True, english_mono: bool = False, seed: Any = None) -> list[Step]:
    """``parallel``: the run's parallel input specs (already expanded), the seed IBM-1 learns from;
    ``english_mono``: the run reads English monolingual text, to be forward-translated; ``seed``: the
    run's :class:`~lrl.quality.QualitySeed` (the quality checks of generated rows learn from it)."""
    steps: list[Step] = []
    if cfg["substitute"]["enabled"]:  # on real seed pairs, before anything else adds rows
        steps += _substitution(plugin, cfg, parallel or [], quality=seed)
    if cfg["bt"]["enabled"]:
        steps += _back_translation(plugin, cfg, parallel or [], progress, english_mono, quality=seed)
    elif english_mono:
        from lrl.errors import ConfigError

        raise ConfigError("English monolingual input (--mono-en) is forward-translated by the translation "
                          "step: it needs bt.enabled = true")
    # After back-translation, so that paraphrases of monolingual rows stay monolingual.
    if cfg["paraphrase"]["enabled"]:
        from lrl.generate.paraphrase import build_paraphrase

        pivot = None
        if not cfg["paraphrase"]["model"]:  # model-free path: pivot through the seed-trained IBM-1 tables
            from lrl.models.ibm1 import load_or_train

            pairs, extra = _run_seed(plugin, cfg, parallel or [], seed)
            if pairs or extra:
                pivot = load_or_train(plugin.code, pairs, extra, cfg["bt"]["ibm1_iterations"],
                                      cfg["bt"]["dev_share"])
        steps += build_paraphrase(plugin, cfg, pivot, progress, quality=seed)
    return steps


def _substitution(plugin: Plugin, cfg: dict[str, Any], parallel: list[str], quality: Any = None) -> list[Step]:
    """Lexical substitution (lrl/generate/substitute.py), aligned with the seed-trained IBM-1 tables, then
    the checks its new sides need, as for any input row (lrl/chain.py)."""
    from lrl.chain import pair_checks
    from lrl.errors import ConfigError
    from lrl.filters.normalize import Normalize
    from lrl.generate.substitute import Substitute
    from lrl.models.ibm1 import load_or_train

    s = cfg["substitute"]
    if not plugin.file("lexicon").is_file():
        raise ConfigError(f"substitute.enabled needs the plugin's lexicon ({plugin.file('lexicon')})")
    seed, extra = _run_seed(plugin, cfg, parallel, quality)
    model = load_or_train(plugin.code, seed, extra, cfg["bt"]["ibm1_iterations"],
                          cfg["bt"]["dev_share"]) if seed or extra else None
    steps: list[Any] = [Substitute.from_files(
        plugin.file("lexicon"), plugin.code, per_pair=s["per_pair"], max_rows=s["max_rows"], confirm=s["confirm"],
        xx2en=model.xx2en if model else None, en2xx=model.en2xx if model else None,
        normalize=Normalize.for_plugin(plugin, cfg["normalize"]).text,
        aligner_id=f"ibm1-{model.key}" if model else "")]
    # No dedup of its own: two parents that differ only in the swapped word make the same child, and the
    # run-wide dedup at the end of the chain sees every origin's rows (lrl/shards.py).
    return steps + pair_checks(plugin, cfg, quality, "substitute-", {"substitute"})


def _run_seed(plugin: Plugin, cfg: dict[str, Any], parallel: list[str], quality: Any) -> tuple[
        list[tuple[str, str]], list[tuple[str, str]]]:
    """The pairs the run's own translators learn from: the run's parallel inputs and the plugin's data —
    already read by the quality seed unless ``quality.train`` pointed that elsewhere."""
    if quality is not None and not cfg.get("quality", {}).get("train"):
        return quality.pairs, quality.extra
    return _seed_pairs(plugin, cfg, parallel)


def _seed_pairs(plugin: Plugin, cfg: dict[str, Any], parallel: list[str]) -> tuple[
        list[tuple[str, str]], list[tuple[str, str]]]:
    """(real seed pairs, extra pairs): the run's parallel inputs and the plugin's examples, normalized
    like the pipeline does; then rendered template pairs and lexicon entries."""
    from lrl.filters.normalize import Normalize
    from lrl.generate.templates import TemplateGenerator, load_lexicon
    from lrl.io.readers import ReadOptions, read_pairs

    i = cfg["inputs"]
    norm = Normalize.for_plugin(plugin, cfg["normalize"])
    limit = cfg["bt"]["ibm1_max_pairs"]
    seed: list[tuple[str, str]] = []
    specs = [(s, i["src_column"], i["tgt_column"]) for s in parallel]
    examples = plugin.file("examples")
    if examples.is_file():
        specs.append((str(examples), "en", plugin.code))
    for spec, src_col, tgt_col in specs:
        opts = ReadOptions(bad_rows="skip", tsv_quoting=i["tsv_quoting"], src_column=src_col,
                           tgt_column=tgt_col, max_rows=i["max_rows"],
                           lang_names=(plugin.code, plugin.iso639_3, plugin.name))
        if len(seed) < limit:
            seed += read_pairs([spec], opts, norm.text, limit - len(seed))
    extra: list[tuple[str, str]] = []
    lexicon, templates = plugin.file("lexicon"), plugin.file("templates")
    if lexicon.is_file():
        extra += [(norm.text(e.en), norm.text(e.lrl))
                  for entries in load_lexicon(lexicon, plugin.code).values() for e in entries]
        if templates.is_file() and cfg["templates"]["enabled"] and cfg["templates"]["count"] > 0:
            gen = TemplateGenerator(lexicon, templates, plugin.code, cfg["templates"]["count"], cfg["seed"])
            extra += [(norm.text(r.src), norm.text(r.tgt)) for r in gen]
    return seed, extra


IBM1_TYPICAL_CHRFPP = 23.0
#: The bt settings that are CTranslate2 decoding settings.
DECODE_KEYS = ("beam_size", "sampling_topk", "sampling_temperature", "compute_type", "inter_threads",
               "intra_threads", "max_batch_size")


def _decode_settings(cfg: dict[str, Any]) -> Any:
    from lrl.models.translator import DecodeSettings

    return DecodeSettings(**{k: cfg["bt"][k] for k in DECODE_KEYS}, seed=cfg["seed"])


def _prefer_cached(plugin: Plugin, cfg: dict[str, Any], backward: Any, forward: Any,
                   info: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    """Swap in a cached ``lrl bootstrap`` transformer for a direction when its dev chrF++ beats IBM-1's.
    The two dev sets differ (each model holds out part of its own seed), so this is a rough comparison;
    the choice and both scores go to the manifest."""
    from lrl.models.catalog import best_bootstrap
    from lrl.models.translator import CT2Translator

    decode = _decode_settings(cfg)
    dev = info.get("dev") or {}
    chosen: dict[str, Any] = {}
    out = {"backward": backward, "forward": forward}
    for role, direction in (("backward", f"{plugin.code}-en"), ("forward", f"en-{plugin.code}")):
        cand = best_bootstrap(plugin.code, direction)
        ibm1 = (dev.get(direction) or {}).get("chrf++") if isinstance(dev.get(direction), dict) else None
        # Without an IBM-1 dev score (a seed under 50 pairs), a cached model must at least reach what IBM-1
        # scores on MENYO-20k (chrF++ 23-25): a barely trained transformer is worse than word tables.
        bar = ibm1 if ibm1 is not None else IBM1_TYPICAL_CHRFPP
        if cand is None or cand.dev_chrfpp is None or cand.dev_chrfpp <= bar:
            continue
        ident = {"kind": "marian", "id": cand.name, "revision": cand.name.rsplit("-", 1)[-1],
                 "path": str(cand.translator_dir), "direction": direction}
        out[role] = CT2Translator(cand.translator_dir, "marian", "", "", decode, ident)
        chosen[direction] = {"model": cand.name, "dev_chrf++": cand.dev_chrfpp, "ibm1_dev_chrf++": ibm1}
    if chosen:
        info = {**info, "cached_bootstrap": chosen}
    return out["backward"], out["forward"], info


def _back_translation(plugin: Plugin, cfg: dict[str, Any], parallel: list[str], progress: bool,
                      english_mono: bool = False, quality: Any = None) -> list[Step]:
    from lrl.errors import ConfigError
    from lrl.filters.chrf import ForcedDecode, RoundTripChrF
    from lrl.generate.backtranslate import BackTranslate
    from lrl.models.translator import Translator

    bt = cfg["bt"]
    if bt["score"] not in ("roundtrip", "forced", "none"):
        raise ConfigError(f"bt.score must be roundtrip, forced or none, got {bt['score']!r}")
    if bt["kind"] not in ("auto", "marian", "nllb", "m2m100", "ibm1"):
        raise ConfigError(f"bt.kind must be auto, marian, nllb, m2m100 or ibm1, got {bt['kind']!r}")
    settings = {k: bt[k] for k in DECODE_KEYS}
    info: dict[str, Any] = {}
    backward: Translator
    forward: Any
    if not bt["model"] or bt["kind"] == "ibm1":
        from lrl.models.ibm1 import load_or_train

        seed, extra = _run_seed(plugin, cfg, parallel, quality)
        if not seed and not extra:
            raise ConfigError("back-translation with the IBM-1 bootstrap needs parallel seed data: give "
                              "--parallel, add examples.tsv/lexicon.tsv to the plugin, or set bt.model "
                              "(or bt.enabled=false)")
        model = load_or_train(plugin.code, seed, extra, bt["ibm1_iterations"], bt["dev_share"])
        backward, forward = model.direction(plugin.code, "en"), model.direction("en", plugin.code)
        settings = {"ibm1_iterations": bt["ibm1_iterations"], "dev_share": bt["dev_share"]}
        keys = ("train_pairs", "seed_pairs", "extra_pairs", "train_seconds", "cached", "path")
        info = {"model_info": {k: model.info.get(k) for k in keys}, "dev": model.info.get("dev", {})}
        if bt["prefer_cached"] and bt["kind"] != "ibm1":
            backward, forward, info = _prefer_cached(plugin, cfg, backward, forward, info)
        if bt["score"] == "forced" and not callable(getattr(forward, "score", None)):
            raise ConfigError("bt.score = \"forced\" needs a CTranslate2 model (bt.model); IBM-1 cannot "
                              "score by forced decoding — use bt.score = \"roundtrip\"")
    else:
        from lrl.models.resolve import resolve
        from lrl.models.translator import CT2Translator

        quant = bt["compute_type"] if bt["compute_type"].startswith("int8") else None
        decode = _decode_settings(cfg)
        res = resolve(bt["model"], bt["kind"], quant)

        def langs(kind: str, src_en: bool) -> tuple[str, str]:
            if kind == "marian":
                return "", ""
            key = "nllb" if kind == "nllb" else "m2m100"
            xx = plugin.codes[key]
            if not xx:
                raise ConfigError(f"bt.model is a {kind} model but the plugin has no codes.{key}; set it in "
                                  f"{plugin.manifest}")
            en = "eng_Latn" if kind == "nllb" else "en"
            return (en, xx) if src_en else (xx, en)

        backward = CT2Translator(res.path, res.kind, *langs(res.kind, False), decode, res.identity)
        forward = None
        if bt["score"] != "none" or english_mono:
            if bt["forward_model"]:
                fres = resolve(bt["forward_model"], "auto", quant)
                forward = CT2Translator(fres.path, fres.kind, *langs(fres.kind, True), decode, fres.identity)
            elif res.kind == "marian":
                raise ConfigError(f"bt.score = {bt['score']!r} and forward translation with a Marian model need "
                                  f"the English→{plugin.name} model too: set bt.forward_model (or "
                                  "bt.score = \"none\" without --mono-en)")
            else:
                forward = backward.reversed()

    from lrl.chain import pair_checks
    from lrl.generate.protect import Protected

    # Masked spans (<PHONE> …) never reach the model; they are put back after (lrl/generate/protect.py).
    backward = Protected(backward)
    forward = Protected(forward) if forward is not None else None
    steps: list[Step] = [BackTranslate(backward, settings, batch_size=64, tagged=bt["tagged"],
                                       progress=progress, model_info=info,
                                       forward=forward if english_mono else None)]
    # The new English side is judged by evidence independent of the translator: language ID and script,
    # LRL words left in, English fluency, lexical adequacy from the seed (lrl/chain.py).
    is_ibm1 = getattr(backward, "identity", {}).get("kind") == "ibm1"
    if bt["ibm1_unverified"] not in ("reject", "keep"):
        raise ConfigError(f"bt.ibm1_unverified must be reject or keep, got {bt['ibm1_unverified']!r}")
    stricter = {"fluency": {"min_score": bt["min_fluency"],
                            "unjudged": "reject" if is_ibm1 and bt["ibm1_unverified"] == "reject" else "pass"},
                "untranslated": {"strict": True}}
    steps += pair_checks(plugin, cfg, quality, "bt-", {"bt"}, sides="src", overrides=stricter)
    if bt["score"] == "roundtrip":
        steps.append(RoundTripChrF(forward, bt["min_chrf"]))
    elif bt["score"] == "forced":
        steps.append(ForcedDecode(forward, bt["min_logprob"]))
    if english_mono:
        steps += _forward_filters(plugin, cfg, backward, quality)
    return steps


def _forward_filters(plugin: Plugin, cfg: dict[str, Any], backward: Any, seed: Any = None) -> list[Step]:
    """Forward-translated rows got a new language side: judge it like an input's (length ratio, script,
    tone, language ID, adequacy) and by a round trip back to the real English."""
    from lrl.chain import pair_checks
    from lrl.filters.chrf import RoundTripChrF

    steps = pair_checks(plugin, cfg, seed, "ft-", {"ft"}, sides="tgt")
    if cfg["bt"]["score"] == "roundtrip":
        chrf = RoundTripChrF(backward, cfg["bt"]["min_chrf"], reverse=True)
        chrf.name, chrf.applies_to = "ft-chrf", frozenset({"ft"})
        steps.append(chrf)
    return steps
