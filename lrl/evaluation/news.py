"""MasakhaNEWS-format files for ``lrl eval-classify``: read them strictly, split them, and cut English
articles into sentence rows the pipeline can forward-translate with their labels.

The format (MasakhaNEWS, Adelani et al. 2023): a header ``category<TAB>headline<TAB>text<TAB>url``, then
one article per row; fields may be quoted with ``"`` and a quoted text may span lines.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from lrl.errors import InputError
from lrl.io.open import decoded_lines

COLUMNS = ("category", "headline", "text", "url")
# A sentence ends at . ! ? (optionally followed by a closing quote or bracket) before a space and a capital
# letter or a quote, or at a line break. Rough, but IBM-1 translates word by word: a cut in the wrong place
# costs a little context, never a row.
_SENTENCE_END = re.compile(r"([.!?][\"'”’)\]]*)\s+(?=[\"'“‘(A-Z0-9])")


@dataclass(frozen=True)
class Article:
    category: str
    headline: str
    text: str
    url: str
    line: int  # where the row starts in its file (1 = the header)

    @property
    def document(self) -> str:
        """What a classifier reads: the headline, then the body (MasakhaNEWS's headline+text setting)."""
        return f"{self.headline}\n{self.text}".strip()


def read_news(path: Path) -> list[Article]:
    """Every article of a MasakhaNEWS-format file. A missing column, a row with the wrong number of
    fields or an empty category or text is an :class:`InputError` naming the file and line."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "file not found", "give a MasakhaNEWS-format TSV "
                         "(category<TAB>headline<TAB>text<TAB>url, header row)")
    reader = csv.reader(decoded_lines(path, "error", set()), delimiter="\t", quotechar='"')
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(path, 1, "the file is empty", "it needs the header category, headline, text, url") from None
    names = [h.strip().lstrip("\ufeff").strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise InputError(path, 1, f"the header {header} lacks {', '.join(missing)}",
                         "MasakhaNEWS format: category<TAB>headline<TAB>text<TAB>url with a header row")
    idx = {c: names.index(c) for c in COLUMNS}
    out: list[Article] = []
    prev = reader.line_num
    for fields in reader:
        first, prev = prev + 1, reader.line_num
        if not fields:
            continue
        if len(fields) != len(header):
            raise InputError(path, first, f"expected {len(header)} tab-separated fields as in the header, "
                             f"found {len(fields)}", "fix the row (a stray '\"' opens a quoted field)")
        row = {c: fields[i].strip() for c, i in idx.items()}
        if not row["category"] or not (row["text"] or row["headline"]):
            raise InputError(path, first, "empty category, or neither headline nor text",
                             "every article needs a category and some text")
        out.append(Article(row["category"], row["headline"], row["text"], row["url"], first))
    if not out:
        raise InputError(path, None, "no article after the header", "give a file with labelled articles")
    return out


def stratified_split(articles: list[Article], test_share: float, seed: int) -> tuple[list[Article], list[Article]]:
    """(train, test): ``test_share`` of each category, drawn with ``seed``, held out."""
    by_cat: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        by_cat[a.category].append(a)
    rng = random.Random(seed)
    train: list[Article] = []
    test: list[Article] = []
    for cat in sorted(by_cat):
        items = by_cat[cat][:]
        rng.shuffle(items)
        k = round(len(items) * test_share)
        test += items[:k]
        train += items[k:]
    return train, test


def per_class_sample(articles: list[Article], k: int, seed: int) -> list[Article]:
    """At most ``k`` articles of each category (all of a category that has fewer)."""
    by_cat: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        by_cat[a.category].append(a)
    rng = random.Random(seed)
    out: list[Article] = []
    for cat in sorted(by_cat):
        items = by_cat[cat]
        out += rng.sample(items, k) if len(items) > k else list(items)
    return out


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.sub("\\1\n", text).split("\n") if s.strip()]


def write_english_rows(articles: list[Article], path: Path, max_sentences: int) -> Counter[str]:
    """One JSONL row per sentence (headline first, then at most ``max_sentences`` of the body), labelled
    with its article's ``category`` and ``doc`` (the article's index), for ``--mono-en``: the pipeline
    carries both labels to the translated rows, so the kept sentences regroup into articles."""
    counts: Counter[str] = Counter()
    with open(path, "w", encoding="utf-8") as f:
        for i, a in enumerate(articles):
            body = sentences(a.text)[:max_sentences] if max_sentences else sentences(a.text)
            for s in ([a.headline] if a.headline else []) + body:
                f.write(json.dumps({"text": s, "category": a.category, "doc": str(i)}, ensure_ascii=False) + "\n")
                counts[a.category] += 1
    return counts
