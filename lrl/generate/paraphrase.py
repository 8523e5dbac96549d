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

from collections.abc import Iterable, Iterator
from typing import Any

from lrl.errors import ConfigError
from lrl.generate.paraphrase_engines import (  # noqa: F401 - re-exported: the engines' old home
    Batch,
    LLMEngine,
    PivotEngine,
    PivotTranslator,
    SampledLexicalTranslator,
    batch_seed,
    ibm1_pivot,
    set_draw,
)
from lrl.generate.paraphrase_parse import (  # noqa: F401 - parse_output etc. re-exported
    Candidate,
    Judge,
    ParsedOutput,
    clean_line,
    english_share,
    parse_output,
    text_key,
)
from lrl.generate.paraphrase_settings import BACKENDS, PARAPHRASE_DEFAULTS, check_settings  # noqa: F401
from lrl.record import Record
from lrl.step import BatchGenerator, RunContext, Step


class Paraphrase(BatchGenerator):
    """Adds ``n`` paraphrase candidates after each selected record (see the module docs)."""

    name = "paraphrase"
    signature_attrs = ("origin", "n", "origins", "batch_size", "max_rows")

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

    def describe(self) -> dict[str, Any]:
        """The engine: ``path`` says which paraphrase path ran ("llm" or "pivot"), and its model and prompt."""
        return self.engine.signature()

    def close(self) -> None:
        self.engine.close()


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

    # Model-free pivot rows are held to a stricter language-side bar (pivot_min_lrl_fluency, paraphrase_settings.py), as
    # back-translated English is (bt.min_fluency): plentiful, and salad when bad.
    stricter = {} if p["model"] else {"lrl-fluency": {
        "min_score": float(p["pivot_min_lrl_fluency"]),
        "rescorable": {"paraphrase.pivot_min_lrl_fluency": "min_score", "filters.fluency.min_words": "min_words",
                       "filters.fluency.min_order_score": "min_order_score"}}}
    steps += pair_checks(plugin, cfg, quality, "paraphrase-", mine, sides="tgt", overrides=stricter)
    steps.append(ParaphraseChrF(p["min_chrf"], p["max_chrf"], applies_to=mine))
    return steps
