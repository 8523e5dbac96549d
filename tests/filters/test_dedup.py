from lrl.filters.dedup import DEDUP_DEFAULTS, Dedup, EarlyCopies, letters_key, near_key
from lrl.record import Record
from lrl.step import RunContext, Stats


def run(step, records):  # type: ignore[no-untyped-def]
    rejected: list[tuple[str, str]] = []
    ctx = RunContext(stats=Stats(), on_reject=lambda r, s, why: rejected.append((r.id, why)))
    kept = list(step.run(records, ctx))
    return kept, dict(rejected)


def rec(i: str, src: str, tgt: str) -> Record:
    return Record(id=i, src=src, tgt=tgt, origin="seed")


PAIR = ("The children are going to school.", "Àwọn ọmọdé ń lọ sí ilé ìwé.")


def test_exact_near_and_different_pairs() -> None:
    kept, rejected = run(Dedup(), [
        rec("a", *PAIR),
        rec("exact", *PAIR),
        rec("toneless", PAIR[0], "Awon omode n lo si ile iwe."),
        rec("repunct", "the children are going to school", "Àwọn ọmọdé ń lọ sí ilé-ìwé!"),
        rec("spaces", "The  children are going to  school .", "Àwọn ọmọdé ń lọ sí ilé ìwé."),
        rec("other-english", "The children are going to the market.", PAIR[1]),
        rec("other-tone", PAIR[0], "Àwọn ọmọdé ń lọ sí ilé ìwé"),  # punctuation only: near
        rec("mono", "", PAIR[1]),
        rec("mono-toneless", "", "awon omode n lo si ile iwe"),
        rec("different", "My mother bought yam.", "Ìyá mi ra iṣu."),
    ])
    assert [r.id for r in kept] == ["a", "other-english", "mono", "different"]
    assert rejected["exact"] == "duplicate: same pair as a"
    near = "near-duplicate: same as a ignoring case, punctuation and tone marks"
    assert rejected["toneless"] == rejected["repunct"] == rejected["spaces"] == rejected["other-tone"] == near
    assert rejected["mono-toneless"].startswith("near-duplicate: same as mono ")


def test_scores_hold_the_keys_so_the_decision_can_be_remade() -> None:
    kept, _ = run(Dedup(), [rec("a", *PAIR), rec("b", "My mother bought yam.", "Ìyá mi ra iṣu.")])
    for r in kept:
        assert len(str(r.scores["dedup.key"])) == 32 and len(str(r.scores["dedup.exact"])) == 32
    # A copy without tone marks shares the key, not the exact hash.
    d = Dedup()
    a, b = rec("a", *PAIR), rec("b", PAIR[0], "Awon omode n lo si ile iwe.")
    sa, sb = d.score(a), d.score(b)
    assert sa["key"] == sb["key"] and sa["exact"] != sb["exact"]


def test_exact_only_when_near_is_off() -> None:
    kept, rejected = run(Dedup(near=False), [rec("a", *PAIR), rec("b", PAIR[0], "Awon omode n lo si ile iwe."),
                                             rec("c", *PAIR)])
    assert [r.id for r in kept] == ["a", "b"] and rejected == {"c": "duplicate: same pair as a"}


def test_a_copy_of_a_rejected_near_duplicate_names_the_kept_row() -> None:
    _, rejected = run(Dedup(), [rec("a", *PAIR), rec("b", PAIR[0], "Awon omode n lo si ile iwe."),
                                rec("c", PAIR[0], "Awon omode n lo si ile iwe.")])
    assert rejected["b"].startswith("near-duplicate: same as a ")
    assert rejected["c"].startswith("near-duplicate: same as a ")


def test_near_key_keeps_marks_outside_latin_and_letters_of_other_scripts() -> None:
    assert near_key("Ọmọ náà, lọ!") == near_key("omo naa lo") == "omonaalo"
    assert near_key("ሰላም ነው።") == "ሰላምነው"
    assert near_key("हिन्दी") != near_key("हिनदी")  # the virama is part of the word
    assert near_key("Hausa ƙasa ɗaya") == "hausaƙasaɗaya"  # hooked letters are letters, not marks


def test_minhash_catches_long_rows_that_differ_in_a_few_words() -> None:
    base = ("Ní ọjọ́ kẹta, àwọn àgbẹ̀ láti abúlé wa kó ọkà, iṣu, ẹ̀wà àti ata lọ sí ọjà ńlá ní ìlú; "
            "wọ́n tà wọ́n ní owó tí ó dára, wọ́n sì ra aṣọ tuntun fún àwọn ọmọ wọn kí wọ́n tó padà sí ilé "
            "ní ìrọ̀lẹ́, inú gbogbo wọn sì dùn púpọ̀ nítorí pé òjò rọ̀ dáadáa ní ọdún yìí.")
    edited = base.replace("ọdún yìí", "ọdún tó kọjá")
    other = ("Ìjọba ìpínlẹ̀ náà kéde pé àwọn ilé ìwé gbogbo yóò ṣí sílẹ̀ ní ọ̀sẹ̀ tó ń bọ̀, lẹ́yìn tí àwọn "
             "olùkọ́ àti àwọn òbí ti fọwọ́ sí ètò tuntun tí wọ́n gbé kalẹ̀ fún ààbò àwọn akẹ́kọ̀ọ́ ní gbogbo "
             "ìlú àti abúlé, tí àwọn ọlọ́pàá yóò sì máa ṣọ́ àwọn ọ̀nà ní àárọ̀ àti ìrọ̀lẹ́.")
    assert len(base) >= 200 and len(other) >= 200
    rows = [rec("a", "", base), rec("b", "", edited), rec("c", "", other), rec("short", "", "Ẹ kú àárọ̀.")]
    kept, rejected = run(Dedup(minhash=True), rows)
    assert [r.id for r in kept] == ["a", "c", "short"]
    assert rejected["b"].startswith("near-duplicate: language side") and "like a" in rejected["b"]
    kept, _ = run(Dedup(), [rec(r.id, r.src, r.tgt) for r in rows])
    assert len(kept) == 4  # MinHash is off by default


def test_defaults_and_signature() -> None:
    d = Dedup.from_settings(DEDUP_DEFAULTS)
    # Derived from the settings (lrl/step.py): every setting is there, whether or not MinHash is on.
    assert d.signature() == {"name": "dedup", "version": 1, "applies_to": None, "near": True, "minhash": False,
                             "minhash_threshold": 0.8, "minhash_min_chars": 200, "num_perm": 128,
                             "near_key": "fold"}
    assert Dedup().near and not Dedup().minhash


def test_marks_cut_off_from_their_letter_by_a_space_are_still_marks() -> None:
    assert near_key("sọ \u0300rọ ti \u0301") == near_key("sọ̀rọ tí") == "soroti"


def test_letters_key_is_opusfilters_letters_only_lowercase() -> None:
    """``near_key = "letters"`` (the bench's like-for-like setting): OpusFilter's remove_duplicates key with
    letters_only and lowercase, ``regex.sub(r"[^\\p{L}]", "", text).lower()`` (opusfilter/segment_hash.py)."""
    import pytest

    regex = pytest.importorskip("regex")  # OpusFilter's own regex module (sacrebleu brings it)
    texts = [PAIR[1], "Unit 1: What?", "Unit 2: what", "ọ̀ (ọ̀) Ò o\u0300 é e\u0301", "ሰላም 123 ኢትዮጵያ", "Straße ǅ ß",
             "Ìgbà wo lẹ di Ẹlẹ́rìí Jèhófà?", "\u200b\u00ad x\u2028y"]
    for t in texts:
        assert letters_key(t) == regex.sub(r"[^\p{L}]", "", t).lower(), t
    d = Dedup.from_settings({**DEDUP_DEFAULTS, "near_key": "letters"})
    kept, rejected = run(d, [rec("a", "Unit 1", "Ìdá 1"), rec("b", "UNIT 2!", "Ìdá 2"),
                             rec("c", "Unit 1", "Ida 1"), rec("d", "Unit 1", "I\u0300da\u0301 1")])
    # digits and combining marks go, precomposed accents stay: "Ida" differs from "Ìdá", "I\u0300da\u0301" does not
    assert [r.id for r in kept] == ["a", "c"] and set(rejected) == {"b", "d"}
    assert d.signature()["near_key"] == "letters"


def test_keys_computed_by_a_shard_worker_give_the_same_scores_and_decisions() -> None:
    """Shard workers compute each kept row's keys (``prescore``) and the run-wide pass looks them up in
    stream order; a row without one (an older shard) is keyed there, as before."""
    # two rows with one id: the keys are looked up by position, not by id
    rows = [("a", *PAIR), ("b", PAIR[0], "Awon omode n lo si ile iwe."),
            ("c", "My mother bought yam.", "Ìyá mi ra iṣu."), ("a", *PAIR)]
    fresh_kept, fresh_rejected = run(Dedup(), [rec(*r) for r in rows])
    worker, d = Dedup(), Dedup()
    for r in rows[:3]:  # the last row comes without its keys
        d.prescored.append((r[0], worker.prescore(rec(*r))))
    kept, rejected = run(d, [rec(*r) for r in rows])
    assert [(r.id, r.scores) for r in kept] == [(r.id, r.scores) for r in fresh_kept]
    assert rejected == fresh_rejected and not d.prescored


def test_the_seen_map_answers_as_a_dict_would() -> None:
    """Dedup's compact seen map (flat arrays, linear probing) against a dict, through growth, keys that
    share their low 64 bits (the table's hash) and ids that are not ASCII."""
    import hashlib
    import random

    from lrl.filters.dedup import Seen, exact64

    rng = random.Random(0)
    seen, ref = Seen(), {}
    shared_lo = "0" * 16
    for i in range(5000):
        n = rng.randrange(3000)
        key = hashlib.blake2b(str(n).encode(), digest_size=16).hexdigest()
        if n % 50 == 0:
            key = key[:16] + shared_lo  # the same slot for all of these
        exact = hashlib.blake2b(f"{n}:{rng.randrange(2)}".encode(), digest_size=16).hexdigest()
        got = seen.get(key)
        assert got == ((ref[key][0], exact64(ref[key][1])) if key in ref else None)
        rid = ref[key][0] if key in ref and rng.random() < 0.5 else f"ọ̀rọ̀:{i}"
        if key not in ref or rid == ref[key][0]:
            seen.put(key, rid, exact)
            ref[key] = (rid, exact)
    assert len(seen) == len(ref) and len(seen.table) >= 2 * len(seen)


def test_early_copies_mark_only_later_exact_copies_of_the_same_origin() -> None:
    rows = [Record(id="a", src="Good morning.", tgt="Ẹ káàárọ̀.", origin="seed"),
            Record(id="b", src="Good morning.", tgt="Ẹ káàárọ̀.", origin="user"),  # another origin: not a copy
            Record(id="c", src="Good morning!", tgt="Ẹ káàárọ̀.", origin="seed"),  # not exact
            Record(id="d", src="Good morning.", tgt="Ẹ káàárọ̀.", origin="seed"),
            Record(id="e", src="x\udcff", tgt="y", origin="seed"),  # an undecodable byte kept as a surrogate
            Record(id="f", src="x\udcff", tgt="y", origin="seed"),
            Record(id="g", src="Good morning.", tgt="Ẹ káàárọ̀.", origin="seed", pre_rejected=("read", "bad: x"))]
    early = EarlyCopies()
    out = list(early.mark(rows))
    assert [r.id for r in out] == list("abcdefg")  # every row goes on: the shard's read stage rejects
    marks = {r.id: r.pre_rejected for r in out if r.pre_rejected}
    assert marks["g"] == ("read", "bad: x")  # a reader's own rejection stands
    assert {k for k in marks if k != "g"} == {"d", "f"}
    assert marks["d"][1].startswith("exact-duplicate: ") and " a," in marks["d"][1]
    assert " e," in marks["f"][1]
