"""Privacy: detection per kind, what must stay untouched, actions, placeholders through generators, the
blocklist's word boundaries, and property tests with generated personal data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lrl import config
from lrl.errors import ConfigError
from lrl.filters.blocklist import Blocklist
from lrl.filters.markup import Markup
from lrl.filters.pii import PLACEHOLDER, find, iban_ok, luhn
from lrl.filters.privacy import Privacy, build_privacy
from lrl.generate.protect import Protected
from lrl.record import Record
from lrl.step import RunContext, Stats
from tests.test_properties import cases


def kinds(text: str) -> list[tuple[str, str]]:
    return [(text[a:b], k) for a, b, k in find(text)]


@pytest.mark.parametrize("text,span,kind", [
    ("Ẹ pè mí ní 0803 123 4567 lónìí.", "0803 123 4567", "phone"),
    ("Call +234 803 123 4567 now", "+234 803 123 4567", "phone"),
    ("Tel:08031234567.", "08031234567", "phone"),
    ("Kira +227 96 12 34 56 ko 96 12 34 56", "+227 96 12 34 56", "phone"),
    ("ስልክ 0911 23 45 67 ይደውሉ", "0911 23 45 67", "phone"),
    ("ስልክ +251-911-234567 ይደውሉ", "+251-911-234567", "phone"),
    ("call (555) 123-4567.", "(555) 123-4567", "phone"),
    ("call +44.20.7946.0958", "+44.20.7946.0958", "phone"),
    ("kọ sí ade.bola+x@gmail.com.", "ade.bola+x@gmail.com", "email"),
    ("wo https://t.co/nDKiXyzz1p)", "https://t.co/nDKiXyzz1p", "url"),
    ("RT ... http://t.…", "http://t.…", "url"),
    ("RT <URL> https:/…", "https:/…", "url"),  # tweets cut off mid-scheme
    ("jumaat krm http:", "http:", "url"),
    ("see www.bbc.com/yoruba, then", "www.bbc.com/yoruba", "url"),
    ("bit.ly/3xYz and", "bit.ly/3xYz", "url"),
    ("on premiumtimesng.com.", "premiumtimesng.com", "url"),
    (".@user Emo wolu", "@user", "user"),
    ("NIN 12345678901 ni", "12345678901", "id"),
    ("passport A12345678.", "A12345678", "id"),
    ("card 4111 1111 1111 1111.", "4111 1111 1111 1111", "card"),
    ("IBAN DE89 3704 0044 0532 0130 00.", "DE89 3704 0044 0532 0130 00", "iban"),
    ("host 192.168.1.10.", "192.168.1.10", "ip"),
    ("host 2001:db8::8a2e:370:7334 down", "2001:db8::8a2e:370:7334", "ip"),
])
def test_each_kind_is_found(text: str, span: str, kind: str) -> None:
    assert (span, kind) in kinds(text)


@pytest.mark.parametrize("text", [
    "Ní ọdún 2019, ní agogo 10:30, ó san ₦5,000 tàbí $1.000.000; ìdíje parí 2-1.",
    "Ọjọ́ 12/05/2023 àti 2023-05-12; 2019-2020; 3.14159; 1,000,000 naira",
    "e.g. U.S. left.It was. #Yoruba #9jaVotes2019 Ọbásanjọ́ ti dé.",
    "Àwọn ọmọ ń lọ sí ilé ìwé. Yaran suna zuwa makaranta. ልጆቹ ወደ ትምህርት ቤት ይሄዳሉ።",
    "Score 3:1 at 18:45:30, 1,234,567 votes, version 2.1, page 12-14",
    "<EMAIL> <PHONE> <URL> <USER> <ID> <CARD> <IBAN> <IP>",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert find(text) == []


def test_checksums() -> None:
    assert luhn("4111111111111111") and not luhn("4111111111111112")
    assert iban_ok("GB82 WEST 1234 5698 7654 32") and not iban_ok("GB82 WEST 1234 5698 7654 33")
    assert "iban" not in {k for _, k in kinds("GB82 WEST 1234 5698 7654 33")}  # a failed checksum
    assert kinds("ID 4111111111111112") == [("4111111111111112", "id")]  # not Luhn: a long digit run
    assert kinds("Call 2 08031234567 or 2019 0803 123 4567") == [("08031234567", "phone"),
                                                                 ("0803 123 4567", "phone")]


def _run(step: Privacy, recs: list[Record]) -> tuple[list[Record], list[tuple[str, str]]]:
    rejected: list[tuple[str, str]] = []
    ctx = RunContext(Stats(), lambda r, s, why: rejected.append((r.id, why)))
    return list(step.run(recs, ctx)), rejected


def test_actions_mask_drop_flag_and_counts() -> None:
    step = build_privacy({"phone": "drop", "user": "flag"})
    recs = [Record("a", "Mail me at a@b.org", "Kọ sí a@b.org", "seed"),
            Record("b", "", "Pè 0803 123 4567", "mono"),
            Record("c", "", "@ade ṣe bẹ́ẹ̀", "mono")]
    kept, rejected = _run(step, recs)
    assert [r.id for r in kept] == ["a", "c"]
    assert kept[0].src == "Mail me at <EMAIL>" and kept[0].tgt == "Kọ sí <EMAIL>"
    assert kept[0].provenance["masked"] == ["email"] and kept[0].scores["privacy.src_email"] == 1
    assert kept[1].tgt == "@ade ṣe bẹ́ẹ̀" and kept[1].scores["privacy.tgt_user"] == 1  # flagged only
    assert rejected == [("b", "privacy: 1 phone on the language side")]
    sig = step.signature()
    assert sig["found"] == {"email": 2, "phone": 1, "user": 1}
    assert sig["masked"] == {"email": 2} and sig["dropped_rows"] == {"phone": 1}


def test_bad_action_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="mask, drop, flag"):
        build_privacy({"email": "erase"})
    with pytest.raises(ConfigError, match="filters.privacy.email"):
        config.resolve({}, "p", None, {"filters.privacy.email": "erase"})


def test_generated_rows_that_lost_a_placeholder_are_rejected() -> None:
    step = build_privacy({}, applies_to={"bt"})
    recs = [Record("bt:1", "Call <PHONE> today", "Pè <PHONE> lónìí", "bt"),
            Record("bt:2", "Call today", "Pè <PHONE> lónìí", "bt"),
            Record("bt:3", "Call 0803 123 4567", "Pè <PHONE>", "bt"),  # the model wrote a number: masked
            Record("s", "Call 0803 123 4567", "Pè", "seed")]  # not this stage's origin: untouched
    kept, rejected = _run(step, recs)
    assert [r.id for r in kept] == ["bt:1", "bt:3", "s"]
    assert kept[1].src == "Call <PHONE>" and kept[2].src == "Call 0803 123 4567"
    assert kept[0].provenance["masked"] == ["phone"]
    assert [r[0] for r in rejected] == ["bt:2"] and rejected[0][1].startswith("privacy-placeholder")


def test_markup_does_not_count_placeholders() -> None:
    m = Markup()
    rec = Record("a", "Write to <EMAIL> or see <URL>", "Kọ sí <EMAIL> tàbí wo <URL>", "seed")
    assert m.decide(rec, m.score(rec)) is None
    rec = Record("b", "Write to <b>me</b>", "Kọ", "seed")
    assert m.decide(rec, m.score(rec))


class _Salad:
    """A translator that does what models do to placeholders: splits and lowercases them."""

    identity = {"id": "salad"}

    def translate(self, texts: list[str]) -> list[str]:
        return [t.replace("<", "< ").replace(">", " >").lower() for t in texts]


def test_protected_translator_never_sees_placeholders() -> None:
    seen: list[str] = []

    class Spy(_Salad):
        def translate(self, texts: list[str]) -> list[str]:
            seen.extend(texts)
            return super().translate(texts)

    out = Protected(Spy()).translate(["Pè <PHONE> tàbí <EMAIL>.", "<USER> <USER> ṣe", "Kò sí", "(<URL>)"])
    assert out == ["pè <PHONE> tàbí <EMAIL>.", "<USER> <USER> ṣe", "kò sí", "(<URL>)"]
    assert not any(PLACEHOLDER.search(t) for t in seen)


def test_ct2_translator_keeps_placeholders(tiny_marian: Path) -> None:
    from lrl.models.translator import CT2Translator, DecodeSettings

    tr = Protected(CT2Translator(tiny_marian, settings=DecodeSettings(max_decoding_length=12, max_batch_size=4)))
    src = ["Ẹ pè mí ní <PHONE> tàbí kọ sí <EMAIL>.", "<USER> ṣe bẹ́ẹ̀ <URL>"]
    for text, out in zip(src, tr.translate(src), strict=True):
        assert PLACEHOLDER.findall(out) == PLACEHOLDER.findall(text)


def test_default_run_masks_inputs_and_back_translations_keep_placeholders(tiny_plugin_dir: Path,
                                                                          tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from lrl.languages import load_plugin
    from lrl.pipeline import Inputs, run

    mono = tmp_path / "mono.txt"
    mono.write_text("Ìyá mi ra iṣu ní ọjà, ẹ pè é ní 0803 123 4567 tàbí ade@gmail.com.\n"
                    "Àwọn ọmọdé ń lọ sí ilé ìwé, wo https://t.co/abc123 àti @ade_bola.\n", encoding="utf-8")
    plugin = load_plugin(tiny_plugin_dir)
    cfg = config.resolve(plugin.defaults, "p", None, {"out_dir": str(tmp_path / "out"), "templates.count": 20,
                                                      "bt.ibm1_unverified": "keep"})
    result = run(plugin, cfg, Inputs([str(mono)], []), progress=False)
    rows = [r for p in (result.run_dir / "data").glob("*.parquet") for r in pq.read_table(p).to_pylist()]
    rejected = [json.loads(x) for x in (result.run_dir / "rejected.jsonl").read_text().splitlines()]
    everything = [(r["src"], r["tgt"]) for r in rows] + [(r["src"], r["tgt"]) for r in rejected]
    assert not any(re.search(r"@|0803|https?:", s + t) for s, t in everything)
    bt = [r for r in rows + rejected if r["origin"] == "bt"]
    assert len(bt) == 2
    for r in bt:  # the English has the language side's placeholders, and provenance says so
        assert sorted(PLACEHOLDER.findall(r["src"])) == sorted(PLACEHOLDER.findall(r["tgt"])) != []
        prov = r["provenance"] if isinstance(r["provenance"], dict) else json.loads(r["provenance"])
        assert prov["masked"]
    sig = next(s["signature"] for s in result.manifest["steps"] if s["name"] == "privacy")
    assert sig["masked"] == {"phone": 1, "email": 1, "url": 1, "user": 1}
    assert "## Personal data" in (result.run_dir / "README.md").read_text()


# -- blocklist ---------------------------------------------------------------------------------------------
def test_blocklist_respects_tone_marks_and_word_boundaries() -> None:
    b = Blocklist(["ọkọ", "ጅል"])

    def hits(tgt: str) -> int:
        return int(b.score(Record("x", "", tgt, "mono"))["count"])

    assert hits("Ọkọ mi dé.") == 1 and hits("ọkọ, ọkọ") == 2
    assert hits("ọkọ̀ náà dé") == 0  # ọkọ̀ (boat) is not ọkọ: a tone mark makes another word
    assert hits("ọkọọkan") == 0 and hits("àwọnọkọ") == 0  # inside longer words
    assert hits("okọ") == 0  # a different vowel
    assert hits("ጅል ነው።") == 1 and hits("ጅልነት") == 0
    assert b.decide(Record("x", "", "", "mono"), {"count": 1}) == "blocklist: 1 blocked term on the language side"


def test_blocklist_from_the_plugin_rejects_with_reason(tiny_plugin_dir: Path, tmp_path: Path) -> None:
    from lrl.languages import load_plugin
    from lrl.pipeline import Inputs, run

    (tiny_plugin_dir / "blocklist.txt").write_text("# terms\nọkọ\n", encoding="utf-8")
    mono = tmp_path / "m.txt"
    mono.write_text("Ọkọ mi ti dé láti ọjà lánàá.\nỌkọ̀ náà ti dé láti ọjà lánàá.\n", encoding="utf-8")
    plugin = load_plugin(tiny_plugin_dir)
    cfg = config.resolve(plugin.defaults, "p", None, {"out_dir": str(tmp_path / "o"), "templates.count": 0,
                                                      "bt.enabled": False})
    result = run(plugin, cfg, Inputs([str(mono)], []), progress=False)
    assert result.manifest["stages"]["blocklist"]["reasons"] == {"blocklist": 1}
    rejected = [json.loads(x) for x in (result.run_dir / "rejected.jsonl").read_text().splitlines()]
    assert [r["tgt"] for r in rejected if r["stage"] == "blocklist"] == ["Ọkọ mi ti dé láti ọjà lánàá."]


# -- properties --------------------------------------------------------------------------------------------
_LOCAL = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
_LABEL = st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=10)
EMAILS = st.builds(lambda a, sep, b, c, t: f"{a}{sep}{b}@{c}.{t}", _LOCAL, st.sampled_from(["", ".", "_", "+"]),
                   _LOCAL, _LABEL, st.sampled_from(["com", "org", "ng", "co.uk", "com.et", "info"]))
_SEP = st.sampled_from([" ", "-", ".", ""])
PHONES = st.one_of(
    st.builds(lambda p, b, c, s: f"0{p}{s}{b}{s}{c}", st.sampled_from(["803", "706", "810", "905"]),
              st.from_regex(r"\A\d{3}\Z"), st.from_regex(r"\A\d{4}\Z"), _SEP),
    st.builds(lambda n, s: f"+234{s}{n[:3]}{s}{n[3:6]}{s}{n[6:]}", st.from_regex(r"\A[789][01]\d{8}\Z"), _SEP),
    st.builds(lambda n, s: f"+227{s}{n[:2]}{s}{n[2:4]}{s}{n[4:6]}{s}{n[6:]}", st.from_regex(r"\A[89]\d{7}\Z"), _SEP),
    st.builds(lambda n, s: f"09{n[:2]}{s}{n[2:4]}{s}{n[4:6]}{s}{n[6:]}", st.from_regex(r"\A\d{8}\Z"), _SEP),
    st.builds(lambda n, s: f"+251{s}9{n[:2]}{s}{n[2:5]}{s}{n[5:]}", st.from_regex(r"\A\d{8}\Z"), _SEP),
    st.builds(lambda a, b, c: f"({a}) {b}-{c}", st.from_regex(r"\A[2-9]\d\d\Z"), st.from_regex(r"\A\d{3}\Z"),
              st.from_regex(r"\A\d{4}\Z")),
)
URLS = st.one_of(
    st.builds(lambda s, d, p: f"{s}://{d}.com/{p}", st.sampled_from(["http", "https"]), _LABEL, _LOCAL),
    st.builds(lambda d, p: f"www.{d}.org/{p}", _LABEL, _LOCAL),
    st.builds(lambda p: f"https://t.co/{p}", _LOCAL),
    st.builds(lambda p: f"bit.ly/{p}", _LOCAL),
    st.builds(lambda d: f"{d}.com", _LABEL),
)
HANDLES = st.builds(lambda h: f"@{h}", st.text("abcdefghijklmnopqrstuvwxyzABCDEF0123456789_", min_size=1,
                                               max_size=15))
PERSONAL = st.one_of(EMAILS.map(lambda x: ("email", x)), PHONES.map(lambda x: ("phone", x)),
                     URLS.map(lambda x: ("url", x)), HANDLES.map(lambda x: ("user", x)))
WORDS = st.lists(st.sampled_from(["Ẹ", "pè", "mí", "ní", "ọjà", "Yaran", "suna", "ልጆቹ", "ወደ", "the", "2019",
                                  "10:30", "₦5,000", "2-1", "<PHONE>", "<USER>", "lónìí", "ɗan", "ƙasa"]),
                 max_size=6).map(" ".join)
OPEN = st.sampled_from(["", " ", "(", "\"", " (", ": "])
CLOSE = st.sampled_from(["", " ", ".", ",", ")", "!", "?", ").", "\"", "።", " ፣"])


@given(items=st.lists(st.tuples(PERSONAL, OPEN, CLOSE, WORDS), min_size=1, max_size=3), head=WORDS,
       side=st.sampled_from(["src", "tgt", "both"]))
@cases(300)
def test_generated_personal_data_is_found_and_masked(items: list, head: str, side: str) -> None:
    text = head
    for (_kind, value), opn, cls, words in items:
        text = f"{text} {opn}{value}{cls} {words}".strip()
    found = kinds(text)
    for (kind, value), *_ in items:
        assert (value, kind) in found, (text, found)
    rec = Record("r", text if side != "tgt" else "", text if side != "src" else "", "seed")
    kept, _ = _run(build_privacy({}), [rec])
    for got in (kept[0].src, kept[0].tgt):
        if got:
            assert find(got) == []
            for (_kind, value), *_ in items:
                assert value not in got.split()
            # every placeholder of the original text is still there, unaltered and in order
            new = iter(PLACEHOLDER.findall(got))
            assert all(p in new for p in PLACEHOLDER.findall(text))


@given(text=WORDS)
@cases(200)
def test_text_without_personal_data_is_unchanged(text: str) -> None:
    rec = Record("r", text, text, "seed")
    kept, rejected = _run(build_privacy({k: "drop" for k in ("email", "url", "phone", "user", "id", "card",
                                                            "iban", "ip")}), [rec])
    assert not rejected and kept[0].src == text and kept[0].tgt == text
