"""Property-based tests (hypothesis): what lrl guarantees for any input (README, "What lrl guarantees").

Inputs are generated, not chosen: arbitrary bytes (invalid UTF-8, surrogates encoded as bytes, NUL, BOMs,
every line ending), arbitrary Unicode (surrogates, format and control characters, noncharacters) mixed
with the characters an adversary reaches for. The invariants:

* no exception escapes as a traceback: readers raise only :class:`~lrl.errors.InputError`; the command
  exits 0 or 65 (bad data), never 1 (a bug);
* accounting closes: every line is a row or a counted blank; every stage has in + created = out + rejected;
  every row read is kept or in ``rejected.jsonl``;
* every kept string is NFC, holds no character the invisible policy removes and no control character;
* the same input and seed give the same output.

``max_examples`` is set per test (sum in README); ``deadline=None`` because the shared CPU is slow.
"""

from __future__ import annotations

import glob
import json
import os
import re
import sys
import unicodedata
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from lrl.cli import main
from lrl.errors import EXIT_DATA, InputError
from lrl.filters.dedup import Dedup
from lrl.filters.invisible import JOINERS, policy
from lrl.filters.langid import LangID
from lrl.filters.length import Length
from lrl.filters.normalize import Normalize
from lrl.filters.orthography import ToneMarks
from lrl.filters.script import Script
from lrl.io.readers import InputStats, ReadOptions, read
from lrl.record import Record
from lrl.step import RunContext, Stats
from tests.conftest import write_plugin

# The characters the adversary used, and their friends, drawn often.
HOSTILE = ["\u2066", "\u2069", "\u061c", "\u180e", "\u034f", "\u2061", "\u2063", "\u3164", "\ufe0f", "\ufff9",
           "\U000e0041", "\U000e0100", "\u202e", "\u200b", "\u200c", "\u200d", "\ufeff", "\x00", "\x85", "\u2028",
           "\ud800", "\udfff", "\ufdd0", "\uffff", "\u0329", "\u0301", "\u00a0", "\r", "\n", "\t", "\\", '"']
CHARS = st.one_of(st.characters(codec=None, exclude_categories=()), st.sampled_from(HOSTILE),
                  st.sampled_from("ọẹṣáàéèíìóòúù abc ÀỌ"))
TEXT = st.text(CHARS, max_size=80)

BYTE_PIECES = st.one_of(
    st.binary(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=40).map(lambda s: s.encode("utf-8")),
    st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00", b"\xed\xa0\x80", b"\xc3", b"\xe2\x80\xae",
                     b"\r", b"\n", b"\r\n", b"\t", b'"', b"{", b'{"text": "\xc3\x80w\xe1\xbb\x8dn"}', b'{"text": 5}',
                     b"en\tyo\n", b"text\n", b"   ", "Àwọn ọmọ ń lọ sí ọjà.".encode()]),
)
FILE_BYTES = st.lists(BYTE_PIECES, max_size=25).map(b"".join)
BASE = settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))


def cases(n: int, shrink: bool = True) -> settings:
    """``n`` generated cases (README's "What lrl guarantees" sums them); LRL_PROPERTY_SCALE=10 tries ten
    times as many, for a longer hunt than CI affords."""
    phases = list(Phase) if shrink else [Phase.explicit, Phase.generate]
    return settings(BASE, max_examples=n * int(os.environ.get("LRL_PROPERTY_SCALE", "1")), phases=phases)

POLICY = policy()
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def assert_clean(text: str, keep_joiners: bool = False) -> None:
    """The output invariant: NFC, nothing the invisible policy removes, no control character."""
    assert unicodedata.is_normalized("NFC", text), ascii(text)
    assert not policy(keep_joiners).disallowed(text), ascii(text)
    assert not CONTROL.search(text), ascii(text)
    text.encode("utf-8")  # no surrogate: the output files can hold it


def count_lines(data: bytes) -> int:
    if not data:
        return 0
    parts = re.split(rb"\r\n|\r|\n", data)
    return len(parts) - (1 if parts[-1] == b"" else 0)


# -- the policy over all of Unicode ---------------------------------------------------------------------
def test_policy_covers_every_format_character_of_unicode() -> None:
    keep = policy(keep_joiners=True)
    cf = [cp for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Cf"]
    assert len(cf) > 150
    for cp in cf:
        assert cp in POLICY.removed, f"U+{cp:04X} ({unicodedata.name(chr(cp), '?')}) is Cf but not removed"
        assert (cp in keep.removed) == (cp not in JOINERS)
    for cp in [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0), *range(0xE0000, 0xE1000), *range(0xD800, 0xE000),
               0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x180B, 0x180E, 0xFFF9, 0xFFFA, 0xFFFB]:
        assert cp in POLICY.removed, f"U+{cp:04X}"
    nonchars = [cp for cp in range(sys.maxunicode + 1) if 0xFDD0 <= cp <= 0xFDEF or cp & 0xFFFE == 0xFFFE]
    assert len(nonchars) == 66 and all(cp in POLICY.removed for cp in nonchars)
    # Letters, marks and spaces that scripts need are not touched.
    assert not POLICY.disallowed("Ẹ káàárọ̀ ሰላም नमस्ते مرحبا 你好 \u00a0")


# -- normalizer -----------------------------------------------------------------------------------------
@cases(300)
@given(text=TEXT, keep=st.booleans())
def test_normalizer_output_is_clean_and_idempotent(text: str, keep: bool) -> None:
    n = Normalize([["\u0329", "\u0323"]], keep_joiners=keep)
    out = n.text(text)
    assert_clean(out, keep)
    assert out == out.strip() and "  " not in out
    assert n.text(out) == out


# -- readers --------------------------------------------------------------------------------------------
@cases(250)
@given(data=FILE_BYTES, fmt=st.sampled_from(["txt", "tsv", "jsonl", "conll", "txt.gz"]),
       skip=st.booleans(), parallel=st.booleans())
def test_readers_raise_only_input_errors_and_count_every_line(tmp_path_factory: pytest.TempPathFactory, data: bytes,
                                                              fmt: str, skip: bool, parallel: bool) -> None:
    import gzip

    path = tmp_path_factory.mktemp("r") / f"in.{fmt}"
    path.write_bytes(gzip.compress(data) if fmt.endswith(".gz") else data)
    st_ = InputStats()
    opts = ReadOptions(bad_rows="skip" if skip else "error", lang_names=("yo",), tgt_column="",
                       src_column="")
    try:
        recs = list(read(str(path), opts, parallel and fmt in ("tsv", "jsonl"), st_))
    except InputError as exc:
        assert str(exc).startswith(str(path)), str(exc)
        return
    assert st_.rows == len(recs) and st_.bad_rows == sum(1 for r in recs if r.pre_rejected)
    if fmt.startswith("txt"):
        assert st_.rows + st_.blank_lines == count_lines(data)
        assert [r.provenance["line"] for r in recs] == sorted({r.provenance["line"] for r in recs})
    for r in recs:
        assert isinstance(r.src, str) and isinstance(r.tgt, str)
        if not r.pre_rejected:
            assert "\n" not in r.tgt or fmt == "tsv"


def test_huge_line_empty_and_whitespace_files(tmp_path: Path) -> None:
    for name, data, rows in (("huge.txt", b"a" * 5_000_000 + b"\r" + b"b", 2), ("empty.txt", b"", 0),
                             ("ws.txt", b" \t\r\n\r\n  \n", 0), ("empty.jsonl", b"", 0), ("ws.tsv", b"\n\n", 0)):
        p = tmp_path / name
        p.write_bytes(data)
        recs = list(read(str(p), ReadOptions(lang_names=("yo",)), False, InputStats()))
        assert len(recs) == rows and (not recs or len(recs[0].tgt) == 5_000_000)


# -- every filter ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def langid() -> LangID:
    return LangID("yo", [], "en", ["pcm"], 0.5, 0.1, 20)


def _filter_chain(langid: LangID) -> list:
    return [Normalize([["\u0329", "\u0323"]]), Length(2, 1000, 3.0, 15), Dedup(),
            Script("Latn", "LATIN", 0.75), ToneMarks("flag", 0.1, 12), langid]


def _run_chain(langid: LangID, pairs: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[tuple], Stats]:
    stats, rejected = Stats(), []
    ctx = RunContext(stats=stats, on_reject=lambda r, stage, reason: rejected.append((r.id, stage, reason)))
    stream = iter([Record(id=f"r{i}", src=s, tgt=t, origin="seed") for i, (s, t) in enumerate(pairs)])
    for step in _filter_chain(langid):
        stream = step.run(stream, ctx)
    kept = [(r.src, r.tgt) for r in stream]
    return kept, rejected, stats


@cases(120)
@given(pairs=st.lists(st.tuples(TEXT, st.one_of(TEXT, st.sampled_from(["Àwọn ọmọdé ń lọ sí ilé ìwé ní àárọ̀.",
                                                                       "Ìyá mi ra iṣu àti ata ní ọjà."]))),
                      max_size=12))
def test_filters_account_for_every_row_keep_clean_text_and_are_deterministic(langid: LangID,
                                                                              pairs: list[tuple[str, str]]) -> None:
    kept, rejected, stats = _run_chain(langid, pairs)
    assert len(kept) + len(rejected) == len(pairs)
    for s in stats.stages.values():
        assert s.seen + s.created == s.passed + s.rejected
    for src, tgt in kept:
        assert_clean(src)
        assert_clean(tgt)
        assert tgt
    assert _run_chain(langid, pairs)[:2] == (kept, rejected)


# -- the whole run, through the command line ------------------------------------------------------------
@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_plugin(tmp_path_factory.mktemp("langs") / "languages")


def _outputs(run: Path) -> tuple[list[dict], list[dict], dict]:
    kept = [r for f in sorted(glob.glob(str(run / "data" / "*.parquet"))) for r in pq.read_table(f).to_pylist()]
    # splitlines(), as a naive reader would: a rejected row must stay one line even with U+2028 in it
    rejected = [json.loads(x) for x in (run / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    return kept, rejected, json.loads((run / "manifest.json").read_text(encoding="utf-8"))


@cases(20, shrink=False)  # shrinking whole runs takes minutes: a failure reports the generated case as is
@given(data=FILE_BYTES, lines=st.lists(TEXT, max_size=8), fmt=st.sampled_from(["txt", "jsonl", "tsv", "txt.bz2"]),
       skip=st.booleans(), seed=st.integers(0, 2**31))
def test_run_exits_0_or_65_accounts_for_every_row_and_repeats(
        plugin_dir: Path, tmp_path_factory: pytest.TempPathFactory, data: bytes, lines: list[str], fmt: str,
        skip: bool, seed: int) -> None:
    import bz2

    work = tmp_path_factory.mktemp("run")
    raw = data + "\n".join(lines).encode("utf-8", errors="surrogatepass")
    (work / f"in.{fmt}").write_bytes(bz2.compress(raw) if fmt.endswith("bz2") else raw)
    kind = "--parallel" if fmt == "tsv" else "--mono"
    results = []
    for attempt in range(2):
        out = work / f"out{attempt}"
        args = ["--languages-dir", str(plugin_dir.parent), "augment", "--lang", "yo", kind, str(work / f"in.{fmt}"),
                "--out", str(out), "-q", "--seed", str(seed), "--set", "bt.enabled=false",
                "--set", "templates.count=5", "--set", f"inputs.bad_rows={'skip' if skip else 'error'}"]
        code = main(args)
        assert code in (0, EXIT_DATA)
        if code:
            return
        kept, rejected, manifest = _outputs(out / "yo" / "latest")
        totals = manifest["totals"]
        assert totals["generated"] == totals["kept"] + totals["rejected"]
        assert len(kept) == totals["kept"] and len(rejected) == totals["rejected"]
        for row in kept:
            assert_clean(row["src"])
            assert_clean(row["tgt"])
        results.append(([(r["src"], r["tgt"], r["origin"]) for r in kept],
                        [(r["stage"], r["reason"], r["tgt"]) for r in rejected]))
    assert results[0] == results[1]
