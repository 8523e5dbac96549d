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
        skip_classes=s["skip_classes"],
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


def _seed_pairs(plugin: Plugin, cfg: dict[str, Any], parallel: list[str],
                run_parallel: list[str] | None = None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(real seed pairs, extra pairs): ``parallel`` (the run's parallel inputs, or ``quality.train``) and
    the plugin's examples, normalized like the pipeline does; then rendered template pairs (as many as the
    run makes: ``run_parallel``, default ``parallel``, sizes them) and lexicon entries."""
    from lrl.filters.normalize import Normalize
    from lrl.generate.template_budget import template_count
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
        count = template_count(plugin, cfg, parallel if run_parallel is None else run_parallel)
        if templates.is_file() and cfg["templates"]["enabled"] and count > 0:
            gen = TemplateGenerator(lexicon, templates, plugin.code, count, cfg["seed"])
            extra += [(norm.text(r.src), norm.text(r.tgt)) for r in gen]
    return seed, extra


IBM1_TYPICAL_CHRFPP = 23.0
#: The bt settings that are CTranslate2 decoding settings.
DECODE_KEYS = ("beam_size", "sampling_topk", "sampling_temperature", "compute_type", "inter_threads",
               "intra_threads", "max_batch_size", "max_decoding_length", "max_input_length")




def _placement(cfg: dict[str, Any]) -> Any:
    """Where the CTranslate2 back-translator runs (bt.device, bt.compute_type resolved)."""
    from lrl.models.device import place

    return place(cfg["bt"]["device"], cfg["bt"]["compute_type"], "bt")


def _runtime(cfg: dict[str, Any], where: Any) -> dict[str, Any]:
    """What the manifest and the summary say about where the model ran and how it was batched."""
    tokens = cfg["bt"]["max_batch_tokens"] if where.device == "cuda" else 0
    return {**where.as_dict(), "batch": f"{tokens} tokens" if tokens else f"{cfg['bt']['max_batch_size']} sentences",
            "rows_per_call": cfg["bt"]["feed_rows"]}


def _decode_settings(cfg: dict[str, Any], where: Any = None) -> Any:
    from lrl.models.translator import DecodeSettings

    where = where or _placement(cfg)
    decode = {k: cfg["bt"][k] for k in DECODE_KEYS}
    decode["compute_type"] = where.compute_type
    return DecodeSettings(**decode, seed=cfg["seed"], device=where.device,
                          max_batch_tokens=cfg["bt"]["max_batch_tokens"])


def _prefer_cached(plugin: Plugin, cfg: dict[str, Any], backward: Any, forward: Any,
                   info: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    """Swap in a cached ``lrl bootstrap`` transformer for a direction when its dev chrF++ beats IBM-1's.
    The two dev sets differ (each model holds out part of its own seed), so this is a rough comparison;
    the choice and both scores go to the manifest."""
    from lrl.models.catalog import best_bootstrap
    from lrl.models.translator import CT2Translator

    where: Any = None  # resolved only when a cached model is used (IBM-1 runs on the CPU)
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
        where = where or _placement(cfg)
        out[role] = CT2Translator(cand.translator_dir, "marian", "", "", _decode_settings(cfg, where), ident)
        chosen[direction] = {"model": cand.name, "dev_chrf++": cand.dev_chrfpp, "ibm1_dev_chrf++": ibm1}
    if chosen:
        info = {**info, "cached_bootstrap": chosen, "runtime": _runtime(cfg, where)}
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
    where: Any = None  # the CTranslate2 models' device and compute type (None: IBM-1 on the CPU)
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
        if bt["prefer_cached"] and bt["kind"] != "ibm1" and bt["rounds"] > 1:
            # Rounds retrain IBM-1 tables; a cached transformer cannot be retrained here.
            info["prefer_cached"] = "not applied: bt.rounds > 1 retrains the IBM-1 tables"
        elif bt["prefer_cached"] and bt["kind"] != "ibm1":
            backward, forward, info = _prefer_cached(plugin, cfg, backward, forward, info)
        if bt["score"] == "forced" and not callable(getattr(forward, "score", None)):
            raise ConfigError("bt.score = \"forced\" needs a CTranslate2 model (bt.model); IBM-1 cannot "
                              "score by forced decoding — use bt.score = \"roundtrip\"")
    else:
        from lrl.models.resolve import resolve
        from lrl.models.translator import CT2Translator

        if bt["rounds"] > 1:
            raise ConfigError(f"bt.rounds = {bt['rounds']} retrains the back-translator between rounds, which lrl "
                              "does only for its IBM-1 tables (seconds); it cannot retrain bt.model "
                              f"({bt['model']}). Use bt.rounds=1 with bt.model, or drop bt.model (or set "
                              "bt.kind=ibm1) for iterative back-translation")

        where = _placement(cfg)
        # Rows record the compute type that ran (int8 on CPU, as when "int8" was the default).
        settings["compute_type"] = where.compute_type
        info = {"runtime": _runtime(cfg, where)}
        quant = where.compute_type if where.compute_type.startswith("int8") else None
        decode = _decode_settings(cfg, where)
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
    if where is None and "runtime" in info:  # IBM-1 with a cached bootstrap transformer swapped in
        where = _placement(cfg)
    rows = bt["feed_rows"]
    make = dict(settings=settings, batch_size=rows, tagged=bt["tagged"], progress=progress, model_info=info,
                forward=forward if english_mono else None)
    pooled = bt["rounds"] > 1 or bt["select"] != "none"
    if bt["select"] == "none" and bt["select_k"]:
        raise ConfigError(f"bt.select_k = {bt['select_k']} needs bt.select = \"rank\" or \"random\"")
    if bt["select_domain"] and bt["select"] != "rank":
        raise ConfigError("bt.select_domain ranks rows by their similarity to a domain sample: it needs "
                          "bt.select = \"rank\"")
    steps: list[Step] = [_pooled(plugin, cfg, backward, make, parallel, quality) if pooled
                         else BackTranslate(backward, **make)]
    # The new English side is judged by evidence independent of the translator: language ID and script,
    # LRL words left in, English fluency, lexical adequacy from the seed (lrl/chain.py).
    is_ibm1 = getattr(backward, "identity", {}).get("kind") == "ibm1"
    if bt["ibm1_unverified"] not in ("reject", "keep"):
        raise ConfigError(f"bt.ibm1_unverified must be reject or keep, got {bt['ibm1_unverified']!r}")
    stricter = {"fluency": {"min_score": bt["min_fluency"],
                            "unjudged": "reject" if is_ibm1 and bt["ibm1_unverified"] == "reject" else "pass",
                            # what `lrl rescore` may move for these rows: the bar is bt.min_fluency here
                            "rescorable": {"bt.min_fluency": "min_score", "filters.fluency.min_words": "min_words"}},
                "untranslated": {"strict": True}}
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


def _pooled(plugin: Plugin, cfg: dict[str, Any], backward: Any, make: dict[str, Any], parallel: list[str],
            quality: Any) -> Step:
    """Back-translation over the whole monolingual pool (lrl/generate/rounds.py): selection and rounds."""
    from lrl.generate.protect import Protected
    from lrl.generate.rounds import SelectiveBackTranslate
    from lrl.generate.select import Selector
    from lrl.models.ibm1 import load_or_train

    bt = cfg["bt"]
    seed, extra = _run_seed(plugin, cfg, parallel, quality)
    selector = None
    if bt["select"] != "none":
        # Rarity is counted in the real seed pairs; what the translator can translate includes the
        # lexicon and template words it was also trained on.
        selector = Selector(bt["select"], bt["select_k"], [x for _, x in seed],
                            _domain_sample(plugin, cfg, bt["select_domain"]), cfg["seed"],
                            vocab=getattr(backward, "table", None) or ())  # IBM-1's words; else the seed's

    def retrain(synthetic: list[tuple[str, str]]) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        # The seed's dev split stays held out (split_dev hashes the seed alone): rounds are comparable.
        model = load_or_train(plugin.code, seed, [*extra, *synthetic], bt["ibm1_iterations"], bt["dev_share"])
        keys = ("train_pairs", "seed_pairs", "extra_pairs", "train_seconds", "cached", "path")
        return (Protected(model.direction(plugin.code, "en")), model.info.get("dev", {}),
                {k: model.info.get(k) for k in keys})

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
