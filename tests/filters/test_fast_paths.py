"""The fast paths (issue 11) give exactly what the per-character rules they replaced give."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from lrl.filters.lid_backends import load_identifier
from lrl.filters.lid_batch import VECTOR_MIN, BatchScorer, native, numpy_sgemv
from lrl.filters.orthography import _TONES, _VOWELS, tone_share
from lrl.filters.script import script_share

TEXTS = ["Àwọn ọmọdé ń lọ sí ilé ìwé ní àárọ̀ kùtù pẹ̀lú àwọn ọ̀rẹ́ wọn.", "ẸKỌ́ ÀTI ÌWÉ", "The market is big.",
         "ሰላም ነው? Yes.", "", "1 2 3 !!", "Ọ̀ṣun", "o\u0323\u0301 e\u0301\u0323 a\u0308\u0300"]


def _script_share_ref(text: str, prefix: str) -> tuple[float, int]:
    first = prefix.split(" ", 1)[0]
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0, 0
    hits = sum(1 for ch in letters if unicodedata.name(ch, "").split(" ", 1)[0] == first)
    return hits / len(letters), len(letters)


def _tone_share_ref(text: str) -> tuple[float, int]:
    vowels = marked = 0
    d = unicodedata.normalize("NFD", text)
    for i, ch in enumerate(d):
        if ch in _VOWELS:
            vowels += 1
            j = i + 1
            while j < len(d) and unicodedata.combining(d[j]):
                if d[j] in _TONES:
                    marked += 1
                    break
                j += 1
    return (marked / vowels if vowels else 0.0), vowels


def _random_texts(n: int) -> list[str]:
    rng = random.Random(0)
    pool = list("aeiouAEIOU bkẹọṣ.,!?1ሰላምαβЖ") + ["\u0300", "\u0301", "\u0323", "\u0329", "\u0302", "\u0308",
                                                 "\u0327", "\u200b", "\U0001d400", "\u01c5", "\u0001", "\u0002"]
    return [*TEXTS, *("".join(rng.choice(pool) for _ in range(rng.randrange(30))) for _ in range(n))]


def test_script_share_matches_the_per_character_rule() -> None:
    for text in _random_texts(1500):
        for prefix in ("LATIN", "ETHIOPIC SYLLABLE", "GREEK"):
            assert script_share(text, prefix) == _script_share_ref(text, prefix), (text, prefix)


def test_script_classes_read_back_from_the_cache_are_the_scanned_ones() -> None:
    """The letter classes are kept in $LRL_CACHE/unicode (the scan is 0.3–0.9 s per process): a class read
    back compiles to the pattern the scan made."""
    from lrl.filters import script
    from lrl.models import cache_root

    for first in ("LATIN", "ETHIOPIC"):
        for old in (cache_root() / "unicode").glob(f"letters-{first}-*.re"):
            old.unlink()
        script._script_letters.cache_clear()
        scanned = script._script_letters(first)  # scanned, then written to the cache
        assert list((cache_root() / "unicode").glob(f"letters-{first}-*.re"))
        script._script_letters.cache_clear()
        assert script._script_letters(first).pattern == scanned.pattern


def test_tone_share_matches_the_per_character_rule() -> None:
    for text in _random_texts(3000):
        assert tone_share(text) == _tone_share_ref(text), repr(text)


def test_batched_language_id_is_bit_identical_to_py3langid() -> None:
    ident = load_identifier()
    rng = random.Random(1)
    texts = [*_random_texts(300), "x" * 5000, "Ọ̀ṣun " * 400]
    texts += [" ".join(rng.choice(TEXTS) for _ in range(rng.randrange(1, 6))) for _ in range(200)]
    scorer = BatchScorer(ident, use_native=False)  # the numpy walk (the C kernel: the tests below)
    assert not scorer.is_native
    for size in (1, VECTOR_MIN - 1, VECTOR_MIN, 64, len(texts)):
        got = [p for i in range(0, len(texts), size) for p in scorer.decide(texts[i:i + size])]
        for text, p in zip(texts, got, strict=True):
            assert np.array_equal(p, ident._decide(text)), text


MENYO = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "yo" / "menyo20k" / "dev.tsv"


def _varied_texts() -> list[str]:
    """Yoruba with tones (composed and decomposed), Amharic, English, capitals, empty, very long, emoji,
    lone surrogates and control characters, MENYO-20k lines when the shared data is there."""
    rng = random.Random(2)
    texts = [*_random_texts(400), "", " ", "\x00", "x" * 5000, "Ọ̀ṣun " * 400, "ÀWỌN ỌMỌ ILÉ-ÌWÉ",
             "ሰላም ነው? እንዴት ነህ? " * 30, "😀🎉👍🏽 ok 🇳🇬", "\ud800 lone \udfff surrogates", "\ufffd\ufeff\u200d",
             "ab\u0000cd\u0007", "ẹ kú àárọ̀".upper(), unicodedata.normalize("NFD", "Ẹ kú àárọ̀, ṣé dáadáa ni?"),
             "Hello world, this is English.", "a" * 70000 + " ẹ"]
    texts += [" ".join(rng.choice(TEXTS) for _ in range(rng.randrange(1, 8))) for _ in range(200)]
    if MENYO.is_file():
        rows = [line.split("\t") for line in MENYO.read_text(encoding="utf-8").splitlines()[1:400]]
        texts += [t for r in rows for t in r[:2]]
    return texts


def _native_scorer(ident: object) -> BatchScorer:
    scorer = BatchScorer(ident)
    if not scorer.is_native:
        pytest.skip("the optional C extension lrl.filters._lidwalk is not built (no C compiler when lrl was "
                    "installed; `make setup` or `python setup.py build_ext --inplace` builds it)"
                    if native() is None else "the model's tables do not fit the C kernel")
    return scorer


@pytest.mark.parametrize("own_sum", [False, True], ids=["numpy-sgemv", "own-sum"])
def test_c_kernel_gives_py3langids_labels_and_probabilities(own_sum: bool) -> None:
    """The C kernel (lrl/filters/_lidwalk.c): py3langid's labels, probabilities within 1e-5, in batches
    smaller and larger than its 8 interleaved texts. Through numpy's own sgemv (when found) the scores are
    bit-identical; with the kernel's own float32 sum (where numpy's BLAS is not found) they differ by
    rounding only."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    texts = _varied_texts()
    for ident in (load_identifier(), LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)):
        scorer = _native_scorer(ident)
        if own_sum:
            scorer._sgemv = None
        exact = scorer._sgemv is not None
        want = [ident._decide(t) for t in texts]
        for size in (1, 7, 64, len(texts)):
            got = [p for i in range(0, len(texts), size) for p in scorer.decide(texts[i:i + size])]
            for text, p, w in zip(texts, got, want, strict=True):
                assert p.dtype == np.float32 and p.shape == w.shape
                assert int(p.argmax()) == int(w.argmax()), text[:80]
                assert np.abs(p - w).max() <= 1e-5, text[:80]
                if exact:
                    assert np.array_equal(p, w), text[:80]


def test_c_kernel_raw_scores_without_norm_probs() -> None:
    """Without norm_probs py3langid returns raw log-scores (featureless texts at float32's minimum, aliases
    folded by max): the same from the C kernel."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
    scorer = _native_scorer(ident)
    texts = _varied_texts()[:300]
    for p, w, text in zip(scorer.decide(texts), [ident._decide(t) for t in texts], texts, strict=True):
        assert int(p.argmax()) == int(w.argmax()), text[:80]
        assert np.allclose(p, w, rtol=1e-6, atol=0), text[:80]
        if scorer._sgemv is not None:
            assert np.array_equal(p, w), text[:80]


def test_c_kernel_refuses_a_damaged_model() -> None:
    """A transition outside the tables is an error from the kernel, not a read outside them."""
    from py3langid.langid import LanguageIdentifier

    good = load_identifier()
    nm = np.array(good.tk_nextmove)
    nm[good._rowbase[0] + ord("a")] = len(good._rowbase) + 5
    bad = LanguageIdentifier(good.nb_ptc, good.nb_pc, good.nb_classes, nm, good.tk_output, norm_probs=True,
                             tk_row=good.tk_row)
    scorer = _native_scorer(bad)
    with pytest.raises(RuntimeError, match="transition outside"):
        scorer.decide(["a"])


def test_numpy_sgemv_is_numpys_matmul_when_found() -> None:
    """The BLAS function the kernel calls is used only after it gave numpy's matmul bit for bit; on this
    project's machines (numpy's wheels bundle OpenBLAS) it is found."""
    if native() is None:
        pytest.skip("the optional C extension lrl.filters._lidwalk is not built")
    found = numpy_sgemv()
    if found is None:
        pytest.skip("numpy's cblas_sgemv not found (numpy not from a wheel with bundled OpenBLAS): the kernel "
                    "sums itself, within 1e-5 (test above)")
    assert found[0] > 0


def test_whitespace_collapse_and_ascii_cleaning_match_the_rules_they_replaced() -> None:
    """normalize collapses whitespace with str.split (the regex \\s+ before) and the invisible policy tests
    ASCII text with isprintable (its character-class search before): the same characters, exhaustively."""
    import re

    from lrl.filters.invisible import policy

    space = re.compile(r"\s+")
    assert [c for c in range(0x110000) if space.fullmatch(chr(c))] == [c for c in range(0x110000) if chr(c).isspace()]
    for keep_joiners in (False, True):
        pol = policy(keep_joiners)
        for c in range(0x80):
            assert pol.clean(f"a{chr(c)}b") == f"a{chr(c)}b".translate(pol.table)
        # non-ASCII: a printable text is searched only for the printable removed characters; each code
        # point of the BMP, every removed one and every 61st of the rest, among Yoruba letters, cleans as
        # the full table does
        for c in sorted({*range(0x80, 0x10000), *pol.table, *range(0x10000, 0x110000, 61)}):
            if 0xD800 <= c < 0xE000 or c < 0x80:
                continue
            text = f"ọ̀{chr(c)}b"
            assert pol.clean(text) == text.translate(pol.table), hex(c)
    for text in _random_texts(500):
        assert " ".join(text.split()) == space.sub(" ", text).strip()


def test_tone_table_scans_every_plane_that_has_combining_marks() -> None:
    import unicodedata

    from lrl.filters.orthography import COMBINING_BELOW

    assert not [cp for cp in range(COMBINING_BELOW, 0x110000) if unicodedata.combining(chr(cp))]
