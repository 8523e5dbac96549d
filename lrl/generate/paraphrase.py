"""Paraphrase: new LRL sentences with the meaning of existing ones, by a language model or by pivoting.

Two paths, one step (:class:`Paraphrase`, stage name ``paraphrase``):

* **LLM** (``paraphrase.model`` set): a transformers causal LM (or the same model through CTranslate2)
  is asked, with the plugin's few-shot prompt (``prompts.toml``), for ``n`` paraphrases of each row's LRL
  side. New rows have origin ``paraphrase``.
* **pivot** (no model): LRL → English → LRL through any two translators (``translate(list[str]) ->
  list[str]``) with sampling, ``n`` draws per row. With the default IBM-1 bootstrap this is lexical
  substitution through English (word order kept); with sampling CTranslate2 models it is real round-trip
  paraphrase. New rows have origin ``pivot``.

Every record of a selected origin (default ``seed`` and ``mono``) with a non-empty LRL side passes on
unchanged and is followed by its candidates: ``parent_id`` = its id, ``src`` = its English side (empty for
monolingual rows), provenance = the model (id, revision, backend), the prompt id, the seeds and the
generation settings, and the parent's LRL sentence (``parent_tgt``, which the chrF band filter compares
against). Model output is parsed defensively (:func:`parse_output`): numbered or bulleted lists, quotes,
labels and chatter are stripped, and every candidate that is empty, a copy of the input, an echo of the
prompt, in the wrong language, a duplicate or cut off by ``max_new_tokens`` becomes a *rejected* row with
its reason — counted as created first, so nothing is lost silently. A row always gets at least ``n``
child rows: slots the model left unfilled are rejected as ``paraphrase-missing``.

The rows then meet their own filters (see :func:`build_paraphrase`): length and length ratio, script,
tone marks (when the plugin checks them), language ID on the new LRL side, and the chrF band against the
parent (:class:`lrl.filters.paraphrase.ParaphraseChrF`).
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from lrl.errors import ConfigError
from lrl.generate.paraphrase_parse import (  # noqa: F401 - parse_output etc. re-exported
    Candidate,
    Judge,
    ParsedOutput,
    clean_line,
    english_share,
    parse_output,
    text_key,
)
from lrl.record import ORIGINS, Record
from lrl.step import BatchGenerator, RunContext, Step

#: The ``paraphrase`` config section (to be merged into :data:`lrl.config.DEFAULTS`).
PARAPHRASE_DEFAULTS: dict[str, Any] = {
    # Off by default: paraphrases put synthetic text on the *target* (LRL) side of English→LRL training
    # pairs, where noise hurts most, and the model-free path (IBM-1 pivot) is word-for-word substitution:
    # on the yo plugin it keeps 146 of 320 candidates and they read as word salad (function words swapped)
    # that no filter here can tell from real paraphrase. Turn it on with paraphrase.enabled=true (pivot
    # path), and set paraphrase.model for the LLM path.
    "enabled": False,
    # "" = the pivot path (LRL → English → LRL through the bootstrap IBM-1 tables, sampled); or a folder /
    # Hugging Face id of a causal LM with a tokenizer (instruction-tuned, chat template preferred).
    "model": "",
    "backend": "transformers",  # transformers | ctranslate2 (converted once, int8, cached)
    "n": 2,  # paraphrases asked for per row
    "origins": ["seed", "mono"],  # which rows are paraphrased
    "max_rows": 0,  # paraphrase at most this many rows per shard (0 = all): an LLM on CPU is slow
    "prompt": "default",  # the table in the plugin's prompts.toml
    "max_new_tokens": 160,
    "temperature": 0.8,  # 0 = greedy (then n > 1 rarely gives distinct candidates)
    "top_p": 0.95,
    "top_k": 0,
    "repetition_penalty": 1.0,
    "batch_size": 8,  # prompts per LLM batch (the pivot path batches 64 rows)
    "threads": 0,  # torch / CTranslate2 intra-op threads (0 = the library's default)
    # Where the LLM runs: "auto" = a CUDA GPU when the backend (torch or CTranslate2) sees one, else CPU.
    "device": "auto",
    # CTranslate2: "auto" = int8 on CPU, int8_float16 on a GPU. transformers: "auto" = float32 on CPU (as
    # before), bfloat16 on a GPU; or float32 | float16 | bfloat16.
    "compute_type": "auto",
    "trust_remote_code": False,  # run Python code shipped with the model: only for models you trust
    # chrF (sacrebleu, 0-100) of a paraphrase against its parent: above max_chrf it is a copy (a changed
    # comma), below min_chrf it has drifted. Word-order variants of the plugins' own examples score
    # 51-91 and a one-word synonym 91.5, while a changed tone mark scores 97 and a contraction 95.
    "min_chrf": 40.0,
    "max_chrf": 93.0,
    # Pivot path: sample each word's translation among the top k of the IBM-1 table (1 = argmax, which
    # gives the same round trip every draw), at this temperature.
    "pivot_sampling_topk": 3,
    "pivot_temperature": 1.0,
    # Pivot path: the bar of the language-side fluency check (lrl-fluency, z-scaled on held-out seed
    # text: 0 = as fluent as the median real sentence) for these rows, instead of
    # filters.fluency.lrl_min_score (-1.5). IBM-1 pivot output is word substitution in English word order
    # ("Tó ni àti tí òfin ní àti àṣà fún ìdí ..."); at -1.5 the yo eval kept 1,225 such rows (median
    # score -0.8) that cost English→Yoruba 0.36 chrF++, largely by teaching the downstream tables their
    # own function-word errors ("the" → tó); the 288 rows at >= 0 gain +0.02. Measured by
    # `python eval/synthetic_effect.py --lang yo` (eval/results/synthetic-effect-yo.md, section 3).
    "pivot_min_lrl_fluency": 0.0,
}

BACKENDS = ("transformers", "ctranslate2")


# -- engines ---------------------------------------------------------------------------------------------
@runtime_checkable
class PivotTranslator(Protocol):
    """The translator interface (:class:`lrl.models.translator.Translator`): in order, same length."""

    identity: dict[str, Any]

    def translate(self, texts: list[str]) -> list[str]: ...


@dataclass
class Batch:
    """Per record: the candidates and provenance common to them."""

    candidates: list[list[Candidate]]
    provenance: list[dict[str, Any]]
    seed: int  # the seed the engine drew with


class LLMEngine:
    """Candidates from a causal LM (:mod:`lrl.models.llm`) with a plugin prompt."""

    path = "llm"
    origin = "paraphrase"

    def __init__(self, model: Any, prompt: Any, judge: Judge) -> None:
        self.model, self.prompt, self.judge = model, prompt, judge

    def run(self, records: list[Record], n: int, run_seed: int) -> Batch:
        # Sampling draws for the whole batch from one generator: seeded by the run seed and the batch's
        # rows, so the same rows in the same batches give the same candidates.
        seed = batch_seed(run_seed, [r.id for r in records])
        texts = [self.model.render(self.prompt, r.tgt, r.src, n) for r in records]
        gens = self.model.generate(texts, seed)
        echo = self.prompt.echo_lines(n)
        cands: list[list[Candidate]] = []
        provs: list[dict[str, Any]] = []
        for rec, gen in zip(records, gens, strict=True):
            parsed = parse_output(gen.text, self.prompt.stop_labels())
            truncated = not gen.finished and not parsed.cut
            cands.append(self.judge.judge(parsed.items, rec.tgt, rec.src, echo, truncated))
            prov: dict[str, Any] = {"finished": gen.finished or parsed.cut}
            if parsed.dropped:
                prov["dropped_lines"] = parsed.dropped[:10]
            if not parsed.items:
                prov["raw_output"] = gen.text[:1000]
            provs.append(prov)
        return Batch(cands, provs, seed)

    def signature(self) -> dict[str, Any]:
        return {"path": "llm", "model": self.model.identity, "prompt": self.prompt.id,
                "prompt_source": self.prompt.source, "settings": self.model.settings.as_dict(),
                "trust_remote_code": self.model.trust_remote_code,
                "runtime": getattr(self.model, "placement", None)}

    def close(self) -> None:
        self.model.close()


def set_draw(translator: Any, seed: int) -> None:
    """Make a sampling translator draw differently: ``reseed(seed)`` when it has one, else its
    ``settings.seed`` (CT2Translator's DecodeSettings). Deterministic translators are left alone."""
    if callable(getattr(translator, "reseed", None)):
        translator.reseed(seed)
    elif hasattr(getattr(translator, "settings", None), "seed"):
        translator.settings.seed = seed


class PivotEngine:
    """Candidates by round trip LRL → English → LRL, one sampled draw per candidate."""

    path = "pivot"
    origin = "pivot"

    def __init__(self, back: PivotTranslator, forward: PivotTranslator, judge: Judge,
                 settings: dict[str, Any] | None = None) -> None:
        self.back, self.forward, self.judge = back, forward, judge
        self.settings = dict(settings or {})

    def run(self, records: list[Record], n: int, run_seed: int) -> Batch:
        # Draw k uses seeds derived from the run seed only: translators that seed per sentence (the
        # sampled IBM-1) then give a row the same candidates whatever batch it lands in.
        seed = run_seed
        texts = [r.tgt for r in records]
        draws: list[list[tuple[str, str]]] = [[] for _ in records]
        for k in range(n):
            set_draw(self.back, seed + 2 * k)
            set_draw(self.forward, seed + 2 * k + 1)
            english = self.back.translate(texts)
            again = self.forward.translate([e.strip() for e in english])
            for i, (en, xx) in enumerate(zip(english, again, strict=True)):
                draws[i].append((en.strip(), xx.strip()))
        cands: list[list[Candidate]] = []
        for rec, pairs in zip(records, draws, strict=True):
            judged = self.judge.judge([xx for _, xx in pairs], rec.tgt, rec.src)
            for c, (en, _) in zip(judged, pairs, strict=True):
                c.extra["pivot_en"] = en
            cands.append(judged)
        return Batch(cands, [{} for _ in records], seed)

    def signature(self) -> dict[str, Any]:
        return {"path": "pivot", "back": dict(self.back.identity), "forward": dict(self.forward.identity),
                "settings": self.settings}

    def close(self) -> None:
        pass


# -- the step --------------------------------------------------------------------------------------------
def batch_seed(run_seed: int, ids: list[str]) -> int:
    """A seed for one batch from the run seed and the batch's record ids (same rows, same draws)."""
    return (run_seed * 1_000_003 + zlib.crc32("\n".join(ids).encode())) % (2**31 - 1)


class Paraphrase(BatchGenerator):
    """Adds ``n`` paraphrase candidates after each selected record (see the module docs)."""

    name = "paraphrase"

    def __init__(self, engine: LLMEngine | PivotEngine, n: int = 2, origins: Iterable[str] = ("seed", "mono"),
                 batch_size: int = 8, max_rows: int = 0, progress: bool = True) -> None:
        if n < 1:
            raise ConfigError(f"paraphrase.n must be at least 1, got {n}")
        self.engine = engine
        self.n = n
        self.origins = frozenset(origins)
        self.batch_size = max(1, batch_size)
        self.max_rows = max_rows
        self.progress = progress
        self.progress_label = f"paraphrase ({engine.path})"

    @property
    def origin(self) -> str:
        return self.engine.origin

    def wants(self, rec: Record) -> bool:
        return rec.origin in self.origins and bool(rec.tgt.strip())

    def emit(self, parents: list[Record], ctx: RunContext) -> Iterator[Record]:
        st = ctx.stats[self.name]
        batch = self.engine.run(parents, self.n, ctx.seed)
        base = {"generator": self.engine.path, "seed": ctx.seed, "draw_seed": batch.seed, "n": self.n}
        sig = self.engine.signature()
        if self.engine.path == "llm":
            base.update(model=sig["model"], prompt=sig["prompt"], settings=sig["settings"])
        else:
            base.update(back=sig["back"], forward=sig["forward"], settings=sig["settings"])
        for rec, cands, extra in zip(parents, batch.candidates, batch.provenance, strict=True):
            st.passed += 1
            yield rec
            total = max(self.n, len(cands))
            for k in range(total):
                cand = cands[k] if k < len(cands) else None
                text = cand.text if cand else ""
                prov = {**base, **extra, **(cand.extra if cand else {}), "candidate": k + 1,
                        "parent_tgt": rec.tgt}
                if rec.provenance.get("masked"):  # the parent had personal data masked
                    prov["masked"] = rec.provenance["masked"]
                if k:  # the raw output and dropped lines once per parent are enough
                    prov.pop("raw_output", None)
                    prov.pop("dropped_lines", None)
                child = Record(id=f"{self.origin}:{rec.id}:{k + 1}", src=rec.src, tgt=text, origin=self.origin,
                               parent_id=rec.id, provenance=prov, labels=dict(rec.labels))
                ctx.stats.created(self.name)
                reason: str | None
                if cand is None:
                    reason = (f"paraphrase-missing: the model gave {len(cands)} of {self.n} candidates"
                              if cands else "paraphrase-empty: the model returned no candidate")
                else:
                    reason = cand.reason
                if reason:
                    ctx.reject(child, self.name, reason)
                else:
                    st.passed += 1
                    yield child

    def signature(self) -> dict[str, Any]:
        """``path`` says which paraphrase path ran ("llm" or "pivot") and ``origin`` the rows it made."""
        return {**self.engine.signature(), "origin": self.origin, "n": self.n, "origins": sorted(self.origins),
                "batch_size": self.batch_size, "max_rows": self.max_rows}

    def close(self) -> None:
        self.engine.close()


# -- IBM-1 with sampling (the default pivot) -------------------------------------------------------------
class SampledLexicalTranslator:
    """One direction of an IBM-1 model that samples each word's translation among its ``topk`` table
    entries (probability ** (1 / temperature)). The draw depends only on (seed, text), so the same row gets
    the same candidates whatever batch it is in; :meth:`reseed` starts another draw."""

    def __init__(self, table: dict[str, list[tuple[str, float]]], identity: dict[str, Any], topk: int = 3,
                 temperature: float = 1.0, seed: int = 0) -> None:
        self.table = {w: c[:max(1, topk)] for w, c in table.items() if c}
        self.topk, self.temperature, self.seed = max(1, topk), temperature, seed
        self.identity = {**identity, "sampling_topk": self.topk, "sampling_temperature": temperature}

    def reseed(self, seed: int) -> None:
        self.seed = seed

    def _pick(self, rng: random.Random, cands: list[tuple[str, float]]) -> str:
        if len(cands) == 1 or self.temperature <= 0:
            return cands[0][0]
        weights = [max(p, 1e-9) ** (1.0 / self.temperature) for _, p in cands]
        return rng.choices([w for w, _ in cands], weights=weights)[0]

    def translate_one(self, text: str) -> str:
        from lrl.models.ibm1 import translate_words

        rng = random.Random(f"{self.seed}\t{text}")

        def choose(word: str) -> str | None:
            cands = self.table.get(word)
            return self._pick(rng, cands) if cands else None

        return translate_words(text, choose)

    def translate(self, texts: list[str]) -> list[str]:
        return [self.translate_one(t) for t in texts]


def ibm1_pivot(model: Any, code: str, topk: int, temperature: float,
               seed: int) -> tuple[SampledLexicalTranslator, SampledLexicalTranslator]:
    """(LRL→English, English→LRL) sampling translators from an :class:`lrl.models.ibm1.IBM1Model`."""
    def ident(direction: str) -> dict[str, Any]:
        return {"kind": "ibm1", "id": f"ibm1-{model.key}", "revision": model.key, "direction": direction,
                "iterations": model.settings.get("iterations")}

    return (SampledLexicalTranslator(model.xx2en, ident(f"{code}-en"), topk, temperature, seed),
            SampledLexicalTranslator(model.en2xx, ident(f"en-{code}"), topk, temperature, seed))


# -- building the step and its filters -------------------------------------------------------------------
def check_settings(p: dict[str, Any]) -> None:
    if p["backend"] not in BACKENDS:
        raise ConfigError(f"paraphrase.backend must be one of {', '.join(BACKENDS)}, got {p['backend']!r}")
    if p["n"] < 1:
        raise ConfigError(f"paraphrase.n must be at least 1, got {p['n']}")
    bad = [o for o in p["origins"] if o not in ORIGINS]
    if bad or not p["origins"]:
        raise ConfigError(f"paraphrase.origins must be a non-empty list of {', '.join(ORIGINS)}; got {p['origins']!r}")
    if not 0 <= p["min_chrf"] < p["max_chrf"] <= 100:
        raise ConfigError(f"paraphrase.min_chrf must be below paraphrase.max_chrf, both in 0-100; got "
                          f"{p['min_chrf']} and {p['max_chrf']}")
    if p["temperature"] < 0 or not 0 < p["top_p"] <= 1:
        raise ConfigError("paraphrase.temperature must be >= 0 and paraphrase.top_p in (0, 1]")


def build_paraphrase(plugin: Any, cfg: dict[str, Any], pivot: Any = None, progress: bool = True,
                     quality: Any = None) -> list[Step]:
    """The paraphrase step and the filters for its rows.

    ``pivot`` is used when ``paraphrase.model`` is empty: an :class:`~lrl.models.ibm1.IBM1Model` (sampled
    as configured) or a ``(LRL→English, English→LRL)`` pair of translators (e.g. CT2Translators with
    ``sampling_topk`` > 1). The filters re-run for the new rows (``applies_to`` = the step's origin):
    ``paraphrase-length`` (lengths and ratio against the parent's English), ``paraphrase-script``,
    ``paraphrase-tone`` (when the plugin checks tone marks), ``paraphrase-langid`` (the new LRL side) and
    ``paraphrase-chrf`` (the band against the parent sentence).
    """
    from lrl.filters.paraphrase import ParaphraseChrF
    from lrl.scripts import SCRIPTS

    p = cfg["paraphrase"]
    check_settings(p)
    prefix = SCRIPTS.get(plugin.script, "")
    judge = Judge(prefix, plugin.script)
    engine: LLMEngine | PivotEngine
    if p["model"]:
        from lrl.generate.prompts import get_prompt
        from lrl.models.device import place
        from lrl.models.llm import GenSettings, load_llm

        # plugin.files["prompts"] once the manifest schema names the file; "prompts.toml" until then.
        prompt = get_prompt(plugin.path, plugin.name, plugin.code, p["prompt"],
                            plugin.files.get("prompts", "prompts.toml"))
        where = place(p["device"], p["compute_type"], "paraphrase", p["backend"])
        gen = GenSettings(max_new_tokens=p["max_new_tokens"], temperature=p["temperature"], top_p=p["top_p"],
                          top_k=p["top_k"], repetition_penalty=p["repetition_penalty"],
                          batch_size=p["batch_size"], threads=p["threads"], compute_type=where.compute_type,
                          device=where.device)
        engine = LLMEngine(load_llm(p["model"], p["backend"], gen, p["trust_remote_code"]), prompt, judge)
    else:
        if pivot is None:
            raise ConfigError("paraphrase without a language model (paraphrase.model = \"\") pivots through "
                              "translators, and none was given; set paraphrase.model or enable the IBM-1 "
                              "bootstrap (parallel seed data)")
        settings: dict[str, Any] = {}
        if isinstance(pivot, tuple):
            back, fwd = pivot
        else:
            back, fwd = ibm1_pivot(pivot, plugin.code, p["pivot_sampling_topk"], p["pivot_temperature"],
                                   cfg["seed"])
            settings = {"pivot_sampling_topk": p["pivot_sampling_topk"],
                        "pivot_temperature": p["pivot_temperature"]}
        from lrl.generate.protect import Protected

        # Masked spans are kept from the translators and put back after (lrl/generate/protect.py).
        engine = PivotEngine(Protected(back), Protected(fwd), judge, settings)
    step = Paraphrase(engine, p["n"], p["origins"], p["batch_size"] if p["model"] else 64, p["max_rows"],
                      progress)
    mine = frozenset({engine.origin})
    steps: list[Step] = [step]
    # The new LRL side gets the shared checks (lrl/chain.py); the English is the parent's, already judged.
    from lrl.chain import pair_checks

    # Model-free pivot rows are held to a stricter language-side bar (pivot_min_lrl_fluency, above), as
    # back-translated English is (bt.min_fluency): plentiful, and salad when bad.
    stricter = {} if p["model"] else {"lrl-fluency": {
        "min_score": float(p["pivot_min_lrl_fluency"]),
        "rescorable": {"paraphrase.pivot_min_lrl_fluency": "min_score", "filters.fluency.min_words": "min_words"}}}
    steps += pair_checks(plugin, cfg, quality, "paraphrase-", mine, sides="tgt", overrides=stricter)
    steps.append(ParaphraseChrF(p["min_chrf"], p["max_chrf"], applies_to=mine))
    return steps
