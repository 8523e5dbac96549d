"""The one record type that flows from readers through generators and filters to writers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lrl.io import jsonfast

#: Where a record came from. Seed rows are read from the user's or the plugin's data; the others are
#: synthetic and carry the id of the row they were made from in ``parent_id`` (empty for templates).
ORIGINS = ("seed", "mono", "template", "bt", "ft", "paraphrase", "pivot", "substitute")


@dataclass
class Record:
    """A sentence pair: ``src`` is English (or the pivot), ``tgt`` the low-resource language.

    Either side may be empty: monolingual LRL rows have ``src == ""``. ``provenance`` says how the row
    was made (input file and line, template id and fillers, model id and revision, seed) and ``scores``
    collects every filter's measurement, kept or not, so thresholds can be studied afterwards.
    """

    id: str
    src: str
    tgt: str
    origin: str
    parent_id: str = ""
    provenance: dict[str, Any] = field(default_factory=dict)
    scores: dict[str, float | str] = field(default_factory=dict)
    #: The input row's other columns (``category``, ``label``, a document id, ...), by column name. Readers
    #: fill it (``inputs.label_columns``); every row made from this one copies it, so a translated or
    #: paraphrased row keeps its parent's labels (translate-train classification needs exactly that).
    labels: dict[str, Any] = field(default_factory=dict)
    #: Set by a reader that could not use the row (e.g. undecodable bytes with skipping turned on):
    #: ``(stage, reason)``. The pipeline routes such records straight to the rejects so they are counted.
    pre_rejected: tuple[str, str] | None = None

    @property
    def is_parallel(self) -> bool:
        return bool(self.src) and bool(self.tgt)

    def to_row(self, src_lang: str, tgt_lang: str) -> dict[str, Any]:
        """A flat row for the parquet/JSONL writers; nested dicts become JSON strings so every shard
        has the same schema whatever the scores or provenance hold."""
        return {
            "id": self.id,
            "src": self.src,
            "tgt": self.tgt,
            "translation": {src_lang: self.src, tgt_lang: self.tgt},
            "src_lang": src_lang if self.src else "",
            "tgt_lang": tgt_lang if self.tgt else "",
            "origin": self.origin,
            "parent_id": self.parent_id,
            "provenance": jsonfast.dumps(self.provenance, sort_keys=True),
            "scores": jsonfast.dumps(self.scores, sort_keys=True, ascii_fallback=True),
            "labels": jsonfast.dumps_labels(self.labels),
        }

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict for JSON (``pre_rejected`` aside), in field order like ``asdict`` but
        without its deep copy, which was most of the cost of writing a rejected row; the dicts are shared
        with the record, so serialize the result, do not keep it."""
        return {"id": self.id, "src": self.src, "tgt": self.tgt, "origin": self.origin,
                "parent_id": self.parent_id, "provenance": self.provenance, "scores": self.scores,
                "labels": self.labels}
