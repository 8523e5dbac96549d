"""Back-translation: an English side for every monolingual LRL row, from a LRL→English translator.

Each monolingual row (empty ``src``) passes on unchanged and is followed by a new row of origin ``bt``
(``parent_id`` = the original's id, ``tgt`` = the original LRL text, ``src`` = the model's English),
whose provenance names the model (id, revision, kind), the decoding settings and the run seed. Rows are
translated in batches; every other row passes straight through. With ``tagged`` the English starts with
``<BT> `` so a model trained on the output can tell synthetic sources apart (Caswell et al., 2019).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lrl.models.translator import Translator
from lrl.record import Record
from lrl.step import BatchGenerator, RunContext

TAG = "<BT> "


class BackTranslate(BatchGenerator):
    """Back-translation of monolingual LRL rows (new ``bt`` rows) and, when given an English→LRL
    translator, forward translation of English monolingual rows (the row itself gains its LRL side and
    becomes origin ``ft``)."""

    name = "bt"
    progress_label = "translate"
    signature_attrs = ("settings", "tagged", "batch_size")

    def __init__(self, translator: Translator, settings: dict[str, Any] | None = None,
                 batch_size: int = 64, tagged: bool = False, progress: bool = True,
                 model_info: dict[str, Any] | None = None, forward: Translator | None = None) -> None:
        self.translator = translator
        self.forward = forward
        self.settings = dict(settings or {})
        self.batch_size = max(1, batch_size)
        self.tagged = tagged
        self.progress = progress
        #: What the manifest should know about the model beyond its identity (e.g. IBM-1 dev scores).
        self.model_info = dict(model_info or {})

    def wants(self, record: Record) -> bool:
        if not record.src and record.tgt:
            return True
        return self.forward is not None and bool(record.src) and not record.tgt

    def emit(self, parents: list[Record], ctx: RunContext) -> Iterator[Record]:
        st = ctx.stats[self.name]
        mono = [r for r in parents if not r.src]
        english = [r for r in parents if r.src]
        by_id: dict[int, str] = {}
        if mono:
            by_id.update(zip(map(id, mono), self.translator.translate([r.tgt for r in mono]), strict=True))
        if english:
            assert self.forward is not None
            by_id.update(zip(map(id, english), self.forward.translate([r.src for r in english]), strict=True))
        for rec in parents:
            out = by_id[id(rec)].strip()
            st.passed += 1
            if rec.src:  # forward translation: the English row gets its (synthetic) language side
                assert self.forward is not None
                rec.tgt, rec.origin = out, "ft"
                rec.provenance = {**rec.provenance, "model": dict(self.forward.identity),
                                  "settings": self.settings, "seed": ctx.seed}
                if not out:
                    st.passed -= 1
                    ctx.reject(rec, self.name, "ft-empty: the model returned no translation")
                    continue
                yield rec
                continue
            yield rec
            child = Record(id=f"bt:{rec.id}", src=(TAG + out) if self.tagged and out else out,
                           tgt=rec.tgt, origin="bt", parent_id=rec.id, labels=dict(rec.labels),
                           provenance={"model": dict(self.translator.identity), "settings": self.settings,
                                       "seed": ctx.seed, "tagged": self.tagged,
                                       # the parent had personal data masked: so has this row
                                       **({"masked": rec.provenance["masked"]} if "masked" in rec.provenance
                                          else {})})
            ctx.stats.created(self.name)
            if not out:
                ctx.reject(child, self.name, "bt-empty: the model returned no English")
                continue
            st.passed += 1
            yield child

    def describe(self) -> dict[str, Any]:
        """The models (identity) and how they were made and chosen (lrl/models/prepare.py's model_info)."""
        return {"model": self.translator.identity,
                "forward_model": self.forward.identity if self.forward is not None else None, **self.model_info}


def untag(text: str) -> str:
    """The English of a back-translated row without the ``<BT>`` tag."""
    return text[len(TAG):] if text.startswith(TAG) else text
