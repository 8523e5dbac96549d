"""Run configuration: defaults < language plugin < config file < command line.

:data:`DEFAULTS` (with :data:`CHOICES` and :data:`RANGES`) is the one declaration of every setting; the
typed pydantic model is built from it (:mod:`lrl.schema`), and :mod:`lrl.layers` validates every layer
against that model (spaCy's habit): an unknown key, a wrong type, a value outside its choices or range
is an error naming the layer, the key and what is allowed. The resolved config is written to the
manifest, so a run can be repeated exactly.
"""

from __future__ import annotations

from typing import Any

from lrl.filters.adequacy import ADEQUACY_DEFAULTS
from lrl.filters.dedup import DEDUP_DEFAULTS
from lrl.filters.fluency import FLUENCY_DEFAULTS
from lrl.filters.langid import LANGID_DEFAULTS
from lrl.filters.length import LENGTH_DEFAULTS
from lrl.filters.markup import MARKUP_DEFAULTS
from lrl.filters.pii import KINDS as PII_KINDS
from lrl.filters.privacy import PRIVACY_DEFAULTS
from lrl.filters.script import SCRIPT_DEFAULTS
from lrl.filters.untranslated import UNTRANSLATED_DEFAULTS
from lrl.generate.paraphrase_settings import BACKENDS, PARAPHRASE_DEFAULTS
from lrl.layers import Layers
from lrl.models.device import DEVICES
from lrl.record import ORIGINS
from lrl.schema import dotted_to_nested, load_file, parse_overrides, parse_value

__all__ = ["CHOICES", "DEFAULTS", "RANGES", "check_value", "dotted_to_nested", "load_file", "merge",
           "parse_overrides", "parse_value", "resolve", "schema"]

DEFAULTS: dict[str, Any] = {
    "seed": 13,
    "out_dir": "out",
    "inputs": {
        # What to do with undecodable bytes or a malformed row: "error" stops at the first one, naming
        # file and line; "skip" rejects it (stage "read", with its reason) and goes on.
        "bad_rows": "error",
        # "csv": TSV fields may be quoted with '"' (MENYO-20k is); "none": tabs and newlines only.
        "tsv_quoting": "csv",
        # Column names to read; empty means guess from the header (language code, name, "text", ...).
        "src_column": "",
        "tgt_column": "",
        # Stop after this many rows per input file (0 = all): for quick looks at big corpora.
        "max_rows": 0,
        # Extra input columns carried with every row, and every row made from it, as the output's `labels`
        # (JSON text): ["*"] every column but the text column(s) of a TSV, JSONL or parquet input,
        # [] none, or the names to keep (e.g. ["category"]); a named column an input lacks is an error.
        "label_columns": ["*"],
    },
    # count: template rows a run makes; max_seed_ratio: with parallel input, at most this multiple of its
    # usable rows (0 = no cap), the cap never below seed_cap_floor rows, so that the templates' fixed
    # phrases do not outweigh the real pairs' evidence for common words (lrl/generate/template_budget.py;
    # 0.3 and 1,000 measured by eval/synthetic_effect.py, eval/results/synthetic-effect-yo.md).
    "templates": {"enabled": True, "count": 2000, "max_seed_ratio": 0.3, "seed_cap_floor": 1000},
    "normalize": {"strip_controls": True, "collapse_whitespace": True},
    "filters": {
        # Personal data on either side (lrl/filters/privacy.py), per kind: "mask" with a typed placeholder
        # (<EMAIL>, <PHONE>, <URL>, <USER>, <ID>, <CARD>, <IBAN>, <IP>), "drop" the row, or "flag" (score
        # only). Masking everything is the default, so a default run ships no contact details.
        "privacy": PRIVACY_DEFAULTS,
        # Terms from the plugin's blocklist.txt (whole words, tone marks exact): rows with one are rejected.
        "blocklist": {"enabled": True},
        # Per-side limits, the fixed ratio, and (calibrated on the seed's real pairs) the length z-score and
        # the truncated-side check.
        "length": LENGTH_DEFAULTS,
        "script": SCRIPT_DEFAULTS,
        # Exact duplicates, and near duplicates (case, punctuation, tone marks); MinHash for long rows.
        "dedup": DEDUP_DEFAULTS,
        "langid": LANGID_DEFAULTS,
        # HTML tags and entities, URLs, e-mails, code debris: "reject" the row or "strip" the markup.
        "markup": MARKUP_DEFAULTS,
        # Words of the language left on the English side (untranslated or copied).
        "untranslated": UNTRANSLATED_DEFAULTS,
        # English fluency: word-class 4-gram (Kneser-Ney, both directions) minus unigram log-prob per token,
        # learnt from the seed, as a z-score on held-out seed English.
        "fluency": FLUENCY_DEFAULTS,
        # Lexical adequacy both ways through the seed's IBM-1 tables: catches misaligned pairs.
        "adequacy": ADEQUACY_DEFAULTS,
    },
    # What the quality filters (untranslated, fluency, adequacy, length calibration) learn from: parallel
    # files of clean pairs; empty = the run's own parallel inputs. The plugin's examples, templates and
    # lexicon are always added (lrl/quality.py). cache: keep the learnt checks in $LRL_CACHE/quality/, read
    # back by a later run with the same seed, plugin, settings and lrl code.
    "quality": {"train": [], "cache": True},
    "bt": {
        # Back-translation: every monolingual row gets an English side from a LRL→English model.
        "enabled": True,
        # "" bootstraps IBM-1 word-by-word tables from the seed (seconds on a CPU; chrF++ ≈ 25 yo→en, but
        # BLEU ≈ 5: a floor). Or a folder / Hugging Face id of a Marian, NLLB or M2M-100 model
        # (transformers checkpoints are converted to CTranslate2 once and cached).
        "model": "",
        # For round-trip / forced-decode scoring: an English→LRL model. "" = the same model (NLLB/M2M
        # are multilingual; IBM-1 has both directions); a Marian model needs its reverse named here.
        "forward_model": "",
        "kind": "auto",  # auto | marian | nllb | m2m100 | ibm1
        # With bt.model = "": use a transformer cached by `lrl bootstrap` for this language when its dev
        # chrF++ beats the IBM-1 tables' (per direction); bt.kind = "ibm1" forces IBM-1.
        "prefer_cached": True,
        # Greedy (beam 1) is the throughput choice on CPU; sampling (topk > 1) gives more varied, often
        # better back-translations for training (Edunov et al. 2018) at the same speed.
        "beam_size": 1,
        "sampling_topk": 0,  # 0 = beam search; e.g. 10 for top-10 sampling
        "sampling_temperature": 1.0,
        # Where the CTranslate2 back-translator (and its round-trip / forced-decode scorer) runs: "auto" =
        # a CUDA GPU when CTranslate2 sees one, else the CPU; "cuda" without a GPU is an error
        # (lrl/models/device.py). The device and compute type used go to the manifest and the summary.
        "device": "auto",
        # "auto" = int8 on CPU (~2x faster than float32 at no measurable chrF cost, DESIGN.md; the same
        # rows as "int8") and int8_float16 on a GPU (float16 where int8 is not supported).
        "compute_type": "auto",
        # On a GPU, batches hold this many tokens (batch_type "tokens") instead of max_batch_size
        # sentences: short sentences fill the GPU, long ones do not exhaust its memory. 0 = sentences.
        "max_batch_tokens": 8192,
        # Parallel batches (inter; 0 = one per CPU core, weights shared) with one thread each beat threads
        # inside one batch: on 2 idle cores, an OPUS-MT-shaped int8 model ran 1.9x faster with 2x1 than
        # 1x1, while 1x2 gained 1.03x (`python eval/bench/bench_ct2_threads.py`).
        "inter_threads": 0,
        "intra_threads": 1,
        "max_batch_size": 32,
        # Rows handed to the engine per call (back-translation, forward translation, round-trip and forced
        # scoring): CTranslate2 sorts them by length and batches them by max_batch_size itself, so a long
        # stream keeps its workers busy and pads less; 64-row calls ran at 0.91x raw translate_iterable
        # (issue 11; `make bench`, eval/bench/results.md). Memory: the pending rows and their outputs.
        "feed_rows": 4096,
        # Decoding stops after this many target tokens (a runaway hypothesis of a weak model would
        # otherwise cost up to this much per row).
        "max_decoding_length": 256,
        # Source tokens beyond this are cut before translation (0 = no limit; CTranslate2's default 1024).
        "max_input_length": 1024,
        # Prefix synthetic English with "<BT> " (tagged back-translation, Caswell et al. 2019).
        "tagged": False,
        # How to judge synthetic pairs: "roundtrip" (translate back, chrF against the original; works for
        # every model), "forced" (mean log-prob of the original given the synthetic English; CT2 only),
        # or "none".
        "score": "roundtrip",
        # Round-trip chrF (sacrebleu chrF, 0-100) below this is rejected. IBM-1 (trained on MENYO-20k)
        # back-translating Yoruba news/blog text: kept rows' median is ~47 and ~5% fall below 20, where
        # the English has lost most of the words.
        "min_chrf": 20.0,
        # Forced decoding: mean log-prob per token below this is rejected (NLLB/OPUS-MT on adequate
        # pairs: about -0.5 to -2).
        "min_logprob": -3.0,
        # IBM-1 training: EM iterations (5 is where dev chrF stops moving) and the share of distinct
        # seed pairs held out to measure the model (at least 10 rows, at most 1000; none below 50 pairs).
        "ibm1_iterations": 5,
        "dev_share": 0.05,
        # Cap on seed pairs used to train IBM-1 (memory grows with corpus size x sentence length²).
        "ibm1_max_pairs": 200000,
        # The fluency bar for back-translated English (filters.fluency.min_score is the bar for real
        # English; held-out standard deviations from the seed's median). Stricter, because synthetic rows
        # are plentiful and salad is what a weak translator writes (eval/filters/results/models-yo.md).
        "min_fluency": -1.5,
        # IBM-1 back-translations whose English the fluency check cannot judge (a seed with too little
        # English, e.g. only the plugin's examples): "reject" (IBM-1 English is word salad unless shown
        # otherwise) or "keep".
        "ibm1_unverified": "reject",
        # Back-translated English with this many words of the language left in, names aside, is rejected
        # (filters.untranslated.min_words, 2, still counts names for it): IBM-1 leaves the source words it
        # cannot translate, and one lowercase Yoruba word in a sentence ("We to what principles and òté the de
        # speaking…") was what most of the research run's surviving back-translations had. 0 = off.
        "untranslated_min_words": 1,
        # Iterative back-translation (lrl/generate/rounds.py): translate, retrain the IBM-1 tables on the
        # seed + the kept pairs, translate again, while the seed dev split's LRL→English chrF++ improves;
        # the output is the last used round's translations. 1 = translate once. IBM-1 only (bt.model: error).
        "rounds": 1,
        # A round is used only when it raises that dev chrF++ by more than this: on MENYO-20k a retrained
        # round scored +0.01 (noise on ~500 dev rows) and changed which rows were kept
        # (eval/results/bt-rounds-yo.md).
        "rounds_min_gain": 0.1,
        # Data selection before translating (lrl/generate/select.py): "none" translates every monolingual
        # row; "rank" the select_k best by coverage of words rare in the seed, domain similarity, length and
        # known-word priors; "random" select_k at random. Rows not chosen stay monolingual rows.
        "select": "none",
        "select_k": 0,  # 0 = all rows (with "rank": translated best first)
        # A sample of target-domain text in the language (any monolingual input format) for select = rank.
        "select_domain": "",
    },
    # Held-out test data to keep out of the output (see lrl/filters/decontaminate.py): paths as for
    # inputs; ngram > 0 also rejects rows sharing a word n-gram of that length with a test sentence.
    "decontaminate": {"exclude": [], "ngram": 0},
    # LLM paraphrase (paraphrase.model = a local transformers causal LM) or, without a model, the pivot
    # path through the back-translation tables. Off by default: see lrl/generate/paraphrase.py.
    "paraphrase": PARAPHRASE_DEFAULTS,
    # Lexical substitution in real seed pairs (lrl/generate/substitute.py): an entry of the plugin's lexicon
    # found on both sides is swapped for another of its class with the same features. per_pair: copies per
    # seed pair; max_rows: copies per shard (run.shard_rows input rows; 0 = no cap); confirm: "ambiguous"
    # asks the seed IBM-1 tables only when the lexicon cannot settle the alignment, "always" for every swap.
    # skip_classes: lexicon classes never swapped. Numbers by default: a swapped numeral contradicts what
    # else in the sentence counts ("Both ... lost their first nine games", "2-0 forty minutes later"), and
    # numerals are in every seed already; on the yo eval they were 31% of the substitutions (32% of them
    # next to digits or other counting words) and the class that cost English→Yoruba chrF++ most alone
    # (eval/synthetic_effect.py, section 4).
    "substitute": {"enabled": False, "per_pair": 2, "max_rows": 20000, "confirm": "ambiguous",
                   "skip_classes": ["number"]},
    "output": {"shard_rows": 50000},
    # report.html (lrl/report/). sample_rows: what the page draws per row — the score histograms, lengths,
    # diversity and example kept rows — comes from at most this many of the run's rows, kept and rejected
    # together, picked by a hash of the row id keyed by the seed (the same rows whether the run completes or
    # `lrl report` reads its files); counts per reason and origin, totals and the lexicon coverage are over
    # every row. Bounds the report's memory: ~1.5 KB a row held, at any run size. 0 = every row (unbounded).
    "report": {"sample_rows": 100000},
    # The filter chains as data: step names in order (lrl/registry.py; `lrl steps list` shows each with its
    # settings). "checks": what every input and template row goes through after normalize and
    # decontaminate. "generated_checks": what each generator's new rows go through, as stages named
    # bt-…, ft-…, substitute-…, paraphrase-…. Dedup runs once, last, over every origin (named in "checks"
    # only: wherever it stands there, it runs at the end; lrl/shards.py). Leave a name out to drop
    # that step; name an installed package's step (entry-point group lrl.steps) to add it.
    "pipeline": {
        "checks": ["privacy", "blocklist", "markup", "length", "dedup", "script", "tone", "langid",
                   "untranslated", "fluency", "adequacy"],
        "generated_checks": ["privacy", "blocklist", "length", "script", "tone", "langid",
                             "untranslated", "fluency", "lrl-fluency", "adequacy"],
    },
    # Settings of steps that installed packages register (lrl.steps entry points), under their step
    # names; filled from those packages' defaults.
    "steps": {},
    # How a run is cut into pieces (lrl/shards.py, DESIGN.md "The shard contract"). shard_rows: input rows
    # per shard — the unit of resume, of a Slurm rank's share and of a worker's task (a part-done shard is
    # redone on resume, so smaller shards lose less to a crash but cost more files); changing it changes
    # which rows a per-shard cap (substitute/paraphrase max_rows) sees, so resume refuses a different value.
    # workers: processes on this machine (0 = one per usable core, capped at the number of shards); each
    # worker builds its own steps (models), so memory grows with it. Not recorded as a setting of the data:
    # every worker count gives the same rows. executor: "local" (this machine's processes) or "ray" (Ray
    # actors on the cluster RAY_ADDRESS names, else a local Ray; pip install 'lrl[ray]'); same rows either way.
    "run": {"shard_rows": 5000, "workers": 0, "executor": "local"},
}


#: CTranslate2's compute types (``ctranslate2.Translator(compute_type=...)``); "auto" is lrl's per-device
#: choice (lrl/models/device.py), not CTranslate2's.
COMPUTE_TYPES = ("default", "auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16",
                 "float16", "bfloat16", "float32")

#: Settings with a fixed set of values, by dotted key; a list setting's every item must be one of them.
#: A new setting of this kind needs one line here, and its error then names the allowed values.
CHOICES: dict[str, tuple[str, ...]] = {
    "inputs.bad_rows": ("error", "skip"),
    "run.executor": ("local", "ray"),
    "inputs.tsv_quoting": ("csv", "none"),
    "bt.kind": ("auto", "marian", "nllb", "m2m100", "ibm1"),
    "bt.score": ("roundtrip", "forced", "none"),
    "bt.compute_type": COMPUTE_TYPES,
    "bt.device": DEVICES,
    "paraphrase.device": DEVICES,
    "paraphrase.backend": BACKENDS,
    "paraphrase.compute_type": COMPUTE_TYPES,
    "paraphrase.origins": ORIGINS,
    "bt.ibm1_unverified": ("reject", "keep"),
    "bt.select": ("none", "rank", "random"),
    "filters.markup.action": ("reject", "strip"),
    **{f"filters.privacy.{k}": ("mask", "drop", "flag") for k in PII_KINDS},
    "filters.langid.src_backend": ("py3langid", "fasttext", "heliport"),
    "filters.dedup.near_key": ("fold", "letters"),
    "filters.fluency.model_scope": ("generated", "all"),
    "substitute.confirm": ("ambiguous", "always"),
}

#: Numeric settings with bounds, inclusive (None = unbounded): probabilities in [0, 1], counts >= 0.
RANGES: dict[str, tuple[float | None, float | None]] = {
    "seed": (0, 2**32 - 1),  # numpy, torch and CTranslate2 all take a 32-bit unsigned seed
    "inputs.max_rows": (0, None),
    "templates.count": (0, None),
    "templates.max_seed_ratio": (0.0, None),
    "templates.seed_cap_floor": (0, None),
    "filters.length.min_chars": (0, None),
    "filters.length.max_chars": (0, None),
    "filters.length.max_ratio": (1.0, None),
    "filters.length.ratio_min_chars": (0, None),
    "filters.script.min_share": (0.0, 1.0),
    "filters.langid.min_chars": (0, None),
    "filters.langid.tgt_min_prob": (0.0, 1.0),
    "filters.langid.src_min_prob": (0.0, 1.0),
    "filters.langid.tgt_confident_prob": (0.0, 1.0),
    "filters.langid.src_confident_prob": (0.0, 1.0),
    "filters.langid.min_letters": (0, None),
    "filters.script.src_min_share": (0.0, 1.0),
    "filters.length.max_z": (0.0, None),
    "filters.length.cut_z": (0.0, None),
    "filters.length.min_calibration_pairs": (0, None),
    "filters.untranslated.min_words": (1, None),
    "filters.untranslated.min_share": (0.0, 1.0),
    "filters.fluency.min_words": (0, None),
    "filters.fluency.order": (1, 6),
    "filters.fluency.min_train_types": (0, None),
    "filters.fluency.order_samples": (0, 64),
    "filters.fluency.order_quantile": (0.0, 0.5),
    "filters.adequacy.min_known": (0, None),
    "filters.adequacy.stem_chars": (0, None),
    "filters.adequacy.stem_chars_other_script": (0, None),
    "filters.adequacy.cut_quantile": (0.0, 1.0),
    "filters.adequacy.cut_min_chars": (0, None),
    "filters.adequacy.cut_dangling": (0.0, None),
    "filters.adequacy.cut_dangling_any": (0.0, None),
    "filters.fluency.model_batch_size": (1, None),
    "filters.fluency.model_max_tokens": (2, None),
    "filters.fluency.model_calibration": (0, None),
    "filters.fluency.model_threads": (0, None),
    "filters.dedup.minhash_threshold": (0.0, 1.0),
    "substitute.per_pair": (1, None),
    "substitute.max_rows": (0, None),
    "bt.beam_size": (1, None),
    "bt.sampling_topk": (0, None),
    "bt.sampling_temperature": (0.0, None),
    "bt.inter_threads": (0, None),
    "bt.intra_threads": (0, None),
    "bt.max_batch_size": (1, None),
    "bt.max_batch_tokens": (0, None),
    "bt.feed_rows": (1, None),
    "bt.max_decoding_length": (1, None),
    "bt.max_input_length": (0, None),
    "bt.min_chrf": (0.0, 100.0),
    "bt.untranslated_min_words": (0, None),
    "bt.ibm1_iterations": (1, None),
    "bt.dev_share": (0.0, 0.5),
    "bt.ibm1_max_pairs": (1, None),
    "bt.rounds": (1, 10),
    "bt.rounds_min_gain": (0.0, None),
    "bt.select_k": (0, None),
    "decontaminate.ngram": (0, None),
    "paraphrase.n": (1, None),
    "paraphrase.max_rows": (0, None),
    "paraphrase.max_new_tokens": (1, None),
    "paraphrase.temperature": (0.0, None),
    "paraphrase.top_p": (0.0, 1.0),
    "paraphrase.top_k": (0, None),
    "paraphrase.repetition_penalty": (0.0, None),
    "paraphrase.batch_size": (1, None),
    "paraphrase.threads": (0, None),
    "paraphrase.min_chrf": (0.0, 100.0),
    "paraphrase.max_chrf": (0.0, 100.0),
    "paraphrase.pivot_sampling_topk": (1, None),
    "paraphrase.pivot_temperature": (0.0, None),
    "output.shard_rows": (1, None),
    "report.sample_rows": (0, None),
    "run.shard_rows": (1, None),
    "run.workers": (0, None),
}

#: Validating and merging the layers (lrl/layers.py) over the tables above.
_LAYERS = Layers(DEFAULTS, CHOICES, RANGES)
schema, check_value, merge, resolve = _LAYERS.schema, _LAYERS.check_value, _LAYERS.merge, _LAYERS.resolve
