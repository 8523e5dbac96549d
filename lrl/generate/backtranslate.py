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
    name = "bt"
    progress_label = "back-translate"

    def __init__(self, translator: Translator, settings: dict[str, Any] | None = None,
                 batch_size: int = 64, tagged: bool = False, progress: bool = True,
                 model_info: dict[str, Any] | None = None) -> None:
        self.translator = translator
        self.settings = dict(settings or {})
        self.batch_size = max(1, batch_size)
        self.tagged = tagged
        self.progress = progress
        #: What the manifest should know about the model beyond its identity (e.g. IBM-1 dev scores).
        self.model_info = dict(model_info or {})

    def wants(self, record: Record) -> bool:
        return not record.src and bool(record.tgt)

    def emit(self, parents: list[Record], ctx: RunContext) -> Iterator[Record]:
        st = ctx.stats[self.name]
        provenance = {"model": dict(self.translator.identity), "settings": self.settings,
                      "seed": ctx.seed, "tagged": self.tagged}
        english = self.translator.translate([r.tgt for r in parents])
        for rec, en in zip(parents, english, strict=True):
            st.passed += 1
            yield rec
            en = en.strip()
            child = Record(id=f"bt:{rec.id}", src=(TAG + en) if self.tagged and en else en,
                           tgt=rec.tgt, origin="bt", parent_id=rec.id, provenance=dict(provenance))
            ctx.stats.created(self.name)
            if not en:
                ctx.reject(child, self.name, "bt-empty: the model returned no English")
                continue
            st.passed += 1
            yield child

    def signature(self) -> dict[str, Any]:
        return {"model": self.translator.identity, "settings": self.settings, "tagged": self.tagged,
                "batch_size": self.batch_size, **self.model_info}


def untag(text: str) -> str:
    """The English of a back-translated row without the ``<BT>`` tag."""
    return text[len(TAG):] if text.startswith(TAG) else text

