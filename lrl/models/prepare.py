"""Model preparation: the phase between resolving the settings and building the steps (issue 10).

It gathers the seed once, trains (or loads) the IBM-1 tables once — substitution aligns with them, the
pivot paraphrase and the default back-translator translate with them — and chooses the back-translator:
every candidate (the tables, each transformer ``lrl bootstrap`` cached for the direction, or the model
``bt.model`` names) is loaded here, and candidates are compared on one dev split (the seed pairs IBM-1
holds out, ``bt.dev_share``) decoded by the decoder the run uses and scored by one scorer
(lrl/models/devscore.py) — lrl/models/choose.py. The steps (lrl/generate/registry.py) are then built from
what this returns, without reading, training or choosing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lrl.errors import ConfigError
from lrl.languages.plugin import Plugin

Pairs = list[tuple[str, str]]
#: The bt settings that are CTranslate2 decoding settings.
DECODE_KEYS = ("beam_size", "sampling_topk", "sampling_temperature", "compute_type", "inter_threads",
               "intra_threads", "max_batch_size", "max_decoding_length", "max_input_length")
#: What a back-translation step records of how its IBM-1 tables were made.
IBM1_INFO = ("train_pairs", "seed_pairs", "extra_pairs", "train_seconds", "cached", "path")


@dataclass
class Prepared:
    """The models a run's generators use, made before any step is built."""

    seed: Pairs = field(default_factory=list)  # real seed pairs, normalized
    extra: Pairs = field(default_factory=list)  # template renderings and lexicon entries
    ibm1: Any = None  # the seed's IBM1Model, when a generator needs it and there is a seed
    # Back-translation (bt.enabled): the chosen LRL→English and English→LRL translators (unprotected),
    # what the rows record as the model's settings, the manifest's model_info.
    backward: Any = None
    forward: Any = None
    bt_settings: dict[str, Any] = field(default_factory=dict)
    bt_info: dict[str, Any] = field(default_factory=dict)


def prepare(plugin: Plugin, cfg: dict[str, Any], parallel: list[str], quality: Any = None,
            english_mono: bool = False) -> Prepared:
    """``parallel``: the run's parallel input specs (expanded); ``quality``: the run's
    :class:`~lrl.quality.QualitySeed` (its pairs are the run's seed unless ``quality.train`` names other
    files); ``english_mono``: the run forward-translates English monolingual text."""
    bt, prep = cfg["bt"], Prepared()
    ibm1_bt = bt["enabled"] and (not bt["model"] or bt["kind"] == "ibm1")
    needs_ibm1 = cfg["substitute"]["enabled"] or ibm1_bt or (cfg["paraphrase"]["enabled"]
                                                           and not cfg["paraphrase"]["model"])
    if needs_ibm1 or (bt["enabled"] and (bt["rounds"] > 1 or bt["select"] != "none")):
        prep.seed, prep.extra = run_seed(plugin, cfg, parallel, quality)
    if needs_ibm1 and (prep.seed or prep.extra):
        own = quality is not None and not cfg.get("quality", {}).get("train")
        prep.ibm1 = quality.ibm1() if own else train_ibm1(plugin.code, cfg, prep.seed, prep.extra)
    if bt["enabled"]:
        _back_translators(plugin, cfg, prep, english_mono)
    return prep


def train_ibm1(code: str, cfg: dict[str, Any], seed: Pairs, extra: Pairs) -> Any:
    """IBM-1 tables on the seed minus its dev split plus ``extra`` (cached on disk by content)."""
    from lrl.models.ibm1 import load_or_train

    return load_or_train(code, seed, extra, cfg["bt"]["ibm1_iterations"], cfg["bt"]["dev_share"])


def run_seed(plugin: Plugin, cfg: dict[str, Any], parallel: list[str], quality: Any) -> tuple[Pairs, Pairs]:
    """The pairs the run's own translators learn from: the run's parallel inputs and the plugin's data —
    already read by the quality seed unless ``quality.train`` pointed that elsewhere."""
    if quality is not None and not cfg.get("quality", {}).get("train"):
        return quality.pairs, quality.extra
    return read_seed(plugin, cfg, parallel)


def read_seed(plugin: Plugin, cfg: dict[str, Any], parallel: list[str],
              run_parallel: list[str] | None = None) -> tuple[Pairs, Pairs]:
    """(real seed pairs, extra pairs): the given parallel files (the run's, or ``quality.train``) and the
    plugin's examples, normalized like the pipeline does (at most ``bt.ibm1_max_pairs``); then rendered
    template pairs (as many as the run makes: the run's parallel inputs, ``run_parallel``, default
    ``parallel``, size them) and lexicon entries."""
    from lrl.filters.normalize import Normalize
    from lrl.generate.template_budget import template_count
    from lrl.generate.templates import TemplateGenerator, load_lexicon
    from lrl.io.readers import ReadOptions, read_pairs

    i = cfg["inputs"]
    norm = Normalize.for_plugin(plugin, cfg["normalize"])
    limit = cfg["bt"]["ibm1_max_pairs"]
    seed: Pairs = []
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
    extra: Pairs = []
    lexicon, templates = plugin.file("lexicon"), plugin.file("templates")
    if lexicon.is_file():
        extra += [(norm.text(e.en), norm.text(e.lrl))
                  for entries in load_lexicon(lexicon, plugin.code).values() for e in entries]
        count = template_count(plugin, cfg, parallel if run_parallel is None else run_parallel)
        if templates.is_file() and cfg["templates"]["enabled"] and count > 0:
            gen = TemplateGenerator(lexicon, templates, plugin.code, count, cfg["seed"])
            extra += [(norm.text(r.src), norm.text(r.tgt)) for r in gen]
    return seed, extra


# -- where and how CTranslate2 decodes -------------------------------------------------------------------
def placement(cfg: dict[str, Any]) -> Any:
    """Where the CTranslate2 back-translator runs (bt.device, bt.compute_type resolved)."""
    from lrl.models.device import place

    return place(cfg["bt"]["device"], cfg["bt"]["compute_type"], "bt")


def runtime(cfg: dict[str, Any], where: Any) -> dict[str, Any]:
    """What the manifest and the summary say about where the model ran and how it was batched."""
    tokens = cfg["bt"]["max_batch_tokens"] if where.device == "cuda" else 0
    return {**where.as_dict(), "batch": f"{tokens} tokens" if tokens else f"{cfg['bt']['max_batch_size']} sentences",
            "rows_per_call": cfg["bt"]["feed_rows"]}


def decode_settings(cfg: dict[str, Any], where: Any = None) -> Any:
    """The run's CTranslate2 decoding settings: every CTranslate2 candidate is measured with these."""
    from lrl.models.translator import DecodeSettings

    where = where or placement(cfg)
    decode = {k: cfg["bt"][k] for k in DECODE_KEYS}
    decode["compute_type"] = where.compute_type
    return DecodeSettings(**decode, seed=cfg["seed"], device=where.device,
                          max_batch_tokens=cfg["bt"]["max_batch_tokens"])


# -- the back-translator ---------------------------------------------------------------------------------
def _back_translators(plugin: Plugin, cfg: dict[str, Any], prep: Prepared, english_mono: bool) -> None:
    bt = cfg["bt"]
    if bt["score"] not in ("roundtrip", "forced", "none"):
        raise ConfigError(f"bt.score must be roundtrip, forced or none, got {bt['score']!r}")
    if bt["kind"] not in ("auto", "marian", "nllb", "m2m100", "ibm1"):
        raise ConfigError(f"bt.kind must be auto, marian, nllb, m2m100 or ibm1, got {bt['kind']!r}")
    if bt["model"] and bt["kind"] != "ibm1":
        _named_model(plugin, cfg, prep, english_mono)
        return
    model = prep.ibm1
    if model is None:
        raise ConfigError("back-translation with the IBM-1 bootstrap needs parallel seed data: give "
                          "--parallel, add examples.tsv/lexicon.tsv to the plugin, or set bt.model "
                          "(or bt.enabled=false)")
    prep.backward, prep.forward = model.direction(plugin.code, "en"), model.direction("en", plugin.code)
    prep.bt_settings = {"ibm1_iterations": bt["ibm1_iterations"], "dev_share": bt["dev_share"]}
    prep.bt_info = {"model_info": {k: model.info.get(k) for k in IBM1_INFO}, "dev": model.info.get("dev", {})}
    if bt["prefer_cached"] and bt["kind"] != "ibm1" and bt["rounds"] > 1:
        # Rounds retrain IBM-1 tables; a cached transformer cannot be retrained here.
        prep.bt_info["prefer_cached"] = "not applied: bt.rounds > 1 retrains the IBM-1 tables"
    elif bt["prefer_cached"] and bt["kind"] != "ibm1":
        from lrl.models.choose import prefer_cached
        from lrl.models.ibm1 import split_dev

        dev = split_dev(prep.seed, bt["dev_share"])[1]
        prep.backward, prep.forward, prep.bt_info = prefer_cached(plugin.code, cfg, dev, prep.backward,
                                                                  prep.forward, prep.bt_info)
    if bt["score"] == "forced" and not callable(getattr(prep.forward, "score", None)):
        raise ConfigError("bt.score = \"forced\" needs a CTranslate2 model (bt.model); IBM-1 cannot "
                          "score by forced decoding — use bt.score = \"roundtrip\"")


def _named_model(plugin: Plugin, cfg: dict[str, Any], prep: Prepared, english_mono: bool) -> None:
    """``bt.model`` (and ``bt.forward_model``): resolved, converted once, loaded on the run's device."""
    from lrl.models.resolve import resolve
    from lrl.models.translator import CT2Translator

    bt = cfg["bt"]
    if bt["rounds"] > 1:
        raise ConfigError(f"bt.rounds = {bt['rounds']} retrains the back-translator between rounds, which lrl "
                          "does only for its IBM-1 tables (seconds); it cannot retrain bt.model "
                          f"({bt['model']}). Use bt.rounds=1 with bt.model, or drop bt.model (or set "
                          "bt.kind=ibm1) for iterative back-translation")
    where = placement(cfg)
    # Rows record the compute type that ran (int8 on CPU, as when "int8" was the default).
    prep.bt_settings = {**{k: bt[k] for k in DECODE_KEYS}, "compute_type": where.compute_type}
    prep.bt_info = {"runtime": runtime(cfg, where)}
    quant = where.compute_type if where.compute_type.startswith("int8") else None
    decode = decode_settings(cfg, where)
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

    prep.backward = CT2Translator(res.path, res.kind, *langs(res.kind, False), decode, res.identity)
    if bt["score"] != "none" or english_mono:
        if bt["forward_model"]:
            fres = resolve(bt["forward_model"], "auto", quant)
            prep.forward = CT2Translator(fres.path, fres.kind, *langs(fres.kind, True), decode, fres.identity)
        elif res.kind == "marian":
            raise ConfigError(f"bt.score = {bt['score']!r} and forward translation with a Marian model need "
                              f"the English→{plugin.name} model too: set bt.forward_model (or "
                              "bt.score = \"none\" without --mono-en)")
        else:
            prep.forward = prep.backward.reversed()
