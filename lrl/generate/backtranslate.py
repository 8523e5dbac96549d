"""Back-translation: an English side for every monolingual LRL row, from a LRL→English translator.

Each monolingual row (empty ``src``) passes on unchanged and is followed by a new row of origin ``bt``
(``parent_id`` = the original's id, ``tgt`` = the original LRL text, ``src`` = the model's English),
whose provenance names the model (id, revision, kind), the decoding settings and the run seed. Rows are
translated in batches; every other row passes straight through. With ``tagged`` the English starts with
``<BT> `` so a model trained on the output can tell synthetic sources apart (Caswell et al., 2019).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from lrl.models.translator import Translator
from lrl.record import Record
from lrl.step import RunContext, Step

TAG = "<BT> "


class BackTranslate(Step):
    name = "bt"

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

    @staticmethod
    def wants(rec: Record) -> bool:
        return not rec.src and bool(rec.tgt)

    def run(self, records: Iterable[Record], ctx: RunContext) -> Iterator[Record]:
        from tqdm import tqdm

        st = ctx.stats[self.name]
        bar = tqdm(desc="back-translate", unit=" rows", disable=not self.progress or None, mininterval=0.5,
                   leave=False)
        provenance = {"model": dict(self.translator.identity), "settings": self.settings,
                      "seed": ctx.seed, "tagged": self.tagged}
        pending: list[Record] = []
        it = iter(records)
        try:
            while True:
                for rec in it:
                    st.seen += 1
                    if self.wants(rec):
                        pending.append(rec)
                        if len(pending) >= self.batch_size:
                            break
                    else:
                        st.passed += 1
                        yield rec
                if not pending:
                    return
                english = self.translator.translate([r.tgt for r in pending])
                for rec, en in zip(pending, english, strict=True):
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
                bar.update(len(pending))
                pending = []
        finally:
            bar.close()

    def signature(self) -> dict[str, Any]:
        return {"model": self.translator.identity, "settings": self.settings, "tagged": self.tagged,
                "batch_size": self.batch_size, **self.model_info}


def untag(text: str) -> str:
    """The English of a back-translated row without the ``<BT>`` tag."""
    return text[len(TAG):] if text.startswith(TAG) else text

