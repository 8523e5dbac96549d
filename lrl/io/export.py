"""``lrl export``: a run's kept rows as the plain files MT toolkits read.

* ``text``: line-aligned ``<split>.<origin>.en`` / ``<split>.<origin>.<lang>`` (Marian, fairseq's
  ``preprocess``, OpenNMT), plus ``<split>.all.*`` with every origin;
* ``tsv``: ``<split>.<origin>.tsv`` with ``en<TAB><lang>`` and no header (OpusTrainer, Marian's ``--tsv``).

Monolingual rows (one side empty) go to ``<split>.<origin>-monolingual.<lang>``, one sentence a line, never
into the aligned files. A tab or line break inside a sentence would break the alignment, so it becomes a
space and is counted.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyarrow.parquet as pq

FORMATS = ("text", "tsv")
_BREAKS = re.compile(r"[\t\r\n\u2028\u2029\x0b\x0c\x1c-\x1e\x85]+")


@dataclass
class ExportResult:
    out_dir: Path
    pairs: Counter[str] = field(default_factory=Counter)  # origin → aligned lines
    mono: Counter[str] = field(default_factory=Counter)  # "<origin>.<lang>" → lines
    cleaned: int = 0  # sentences whose tabs or line breaks became spaces
    files: list[Path] = field(default_factory=list)


def _clean(text: str, res: ExportResult) -> str:
    out = _BREAKS.sub(" ", text)
    if out != text:
        res.cleaned += 1
    return out


class _Files:
    def __init__(self, out_dir: Path, res: ExportResult) -> None:
        self.dir, self.res = out_dir, res
        self.open: dict[str, IO[str]] = {}

    def write(self, name: str, line: str) -> None:
        if name not in self.open:
            path = self.dir / name
            self.open[name] = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed below
            self.res.files.append(path)
        self.open[name].write(line + "\n")

    def close(self) -> None:
        for f in self.open.values():
            f.close()


def export_run(run_dir: Path, fmt: str, out_dir: Path | None = None) -> ExportResult:
    import json

    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    manifest: dict[str, Any] = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    src_lang, tgt_lang = "en", manifest["language"]["code"]
    out_dir = out_dir or run_dir / "export" / fmt
    out_dir.mkdir(parents=True, exist_ok=True)
    res = ExportResult(out_dir)
    files = _Files(out_dir, res)
    try:
        for shard in sorted((run_dir / "data").glob("*.parquet")):
            split = shard.name.split("-", 1)[0]  # train-<run-id>-... → train
            for row in pq.read_table(shard, columns=["src", "tgt", "origin"]).to_pylist():
                src, tgt, origin = _clean(row["src"], res), _clean(row["tgt"], res), row["origin"]
                if src and tgt:
                    res.pairs[origin] += 1
                    for group in (origin, "all"):
                        if fmt == "tsv":
                            files.write(f"{split}.{group}.tsv", f"{src}\t{tgt}")
                        else:
                            files.write(f"{split}.{group}.{src_lang}", src)
                            files.write(f"{split}.{group}.{tgt_lang}", tgt)
                elif src or tgt:
                    lang = src_lang if src else tgt_lang
                    res.mono[f"{origin}.{lang}"] += 1
                    files.write(f"{split}.{origin}-monolingual.{lang}", src or tgt)
    finally:
        files.close()
    return res
