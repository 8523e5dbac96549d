"""Where paraphrase candidates come from: an LLM with the plugin's prompt, or a round trip through two
translators (by default the seed's IBM-1 tables, sampled). The step is lrl/generate/paraphrase.py."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from lrl.generate.paraphrase_parse import Candidate, Judge, parse_output
from lrl.record import Record


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


def batch_seed(run_seed: int, ids: list[str]) -> int:
    """A seed for one batch from the run seed and the batch's record ids (same rows, same draws)."""
    return (run_seed * 1_000_003 + zlib.crc32("\n".join(ids).encode())) % (2**31 - 1)


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
