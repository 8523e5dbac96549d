import pytest

from lrl.errors import ConfigError
from lrl.filters.markup import MARKUP_DEFAULTS, Markup, MarkupStrip, build_markup, count, strip
from lrl.record import Record
from lrl.step import RunContext, Stats

YO = "Àwọn ọmọdé ń lọ sí ilé ìwé ní agogo mẹ́jọ."
EN = "The children go to school at eight o'clock."


def run(step, records):  # type: ignore[no-untyped-def]
    rejected: dict[str, str] = {}
    ctx = RunContext(stats=Stats(), on_reject=lambda r, s, why: rejected.__setitem__(r.id, why))
    kept = list(step.run(records, ctx))
    return kept, rejected


@pytest.mark.parametrize(("text", "kind"), [
    ('<p class="x">The children</p>', "tag"),
    ("Read more<br/>", "tag"),
    ("<!-- ad -->text", "tag"),
    ("Tom &amp; Jerry", "entity"),
    ("It&#8217;s here", "entity"),
    ("It&#x2019;s here", "entity"),
    ("See https://example.com/a?b=1", "url"),
    ("See http://x.ng", "url"),
    ("Visit www.bbc.co.uk today", "url"),
    ("Follow bit.ly/abc123 now", "url"),
    ("on punchng.com", "url"),
    ("write to info@example.org", "email"),
    ("Hello {{ name }}", "code"),
    ("Hello ${user}", "code"),
    ("Hello %s, you have %d messages", "code"),
    ("first line\\nsecond line", "code"),
    ('{"text": "Hello"}', "code"),
    ("function() { return 1; }", "code"),
    ("var x = document.title", "code"),
    ("See [[Lagos|the city]]", "wiki"),
    ("'''Lagos''' is a city", "wiki"),
    ("== History ==", "wiki"),
])
def test_each_kind_is_found(text: str, kind: str) -> None:
    assert kind in count(text), count(text)


@pytest.mark.parametrize("text", [
    "We met at 10:30 and left at 11:45 p.m.",
    "It costs $5.00, or ₦2,500 (about 3.5% more).",
    "Fruit, e.g. oranges, i.e. citrus, etc. are sold in the U.S. and the U.K.",
    "He left.It was late; she stayed.",
    "Mr. Smith & Sons won 3-2 at 5 o'clock — a 100% record!",
    "a < b and c > d",
    "He said: \"Yes\" (and/or 'maybe') [sic].",
    "Ìyá mi ra iṣu, ẹ̀wà àti ata ní ọjà; ó san ₦1,000.",
    "Ó ní: “Ẹ kú àárọ̀!”",
    "ልጁ ወደ ትምህርት ቤት ሄደ። በ10:30 ተመለሰ።",
    "Yarinya ta ƙi ɗaukar kaya a Kano.",
    "Email and e-mail are both fine; so is @username on Twitter.",
    "The ratio was 1/2, the score 24/7.",
])
def test_ordinary_text_is_not_markup(text: str) -> None:
    assert count(text) == {}


def test_reject_names_the_kind_and_side() -> None:
    f = build_markup(MARKUP_DEFAULTS)
    assert isinstance(f, Markup)
    kept, rejected = run(f, [
        Record(id="clean", src=EN, tgt=YO, origin="seed"),
        Record(id="src-tag", src=f"<b>{EN}</b>", tgt=YO, origin="seed"),
        Record(id="tgt-url", src=EN, tgt=f"{YO} https://bbc.com/yoruba", origin="seed"),
        Record(id="bt-tag", src=f"<BT> {EN}", tgt=YO, origin="bt"),  # lrl's own tag is not markup
        Record(id="mono-mail", src="", tgt=f"{YO} kọ sí ade@yahoo.com", origin="mono"),
    ])
    assert [r.id for r in kept] == ["clean", "bt-tag"]
    assert rejected["src-tag"] == "markup: 2 tag on the English side"
    assert rejected["tgt-url"] == "markup: 1 url on the language side"
    assert rejected["mono-mail"] == "markup: 1 email on the language side"
    assert kept[0].scores == {"markup.count": 0, "markup.pair": 1.0}


def test_strip_keeps_the_text_and_decodes_entities() -> None:
    s = build_markup({"action": "strip"})
    assert isinstance(s, MarkupStrip) and s.signature()["action"] == "strip"
    kept, rejected = run(s, [
        Record(id="a", src='<p class="x">Tom &amp; Jerry</p> see www.x.com', tgt=f"<i>{YO}</i>", origin="seed"),
        Record(id="b", src="<BT> It&#8217;s <b>late</b>", tgt=YO, origin="bt"),
        Record(id="c", src=EN, tgt="https://bbc.com/yoruba", origin="seed"),
        Record(id="d", src=EN, tgt=YO, origin="seed"),
    ])
    assert [(r.id, r.src, r.tgt) for r in kept] == [
        ("a", "Tom & Jerry see", YO), ("b", "<BT> It’s late", YO), ("d", EN, YO)]
    assert kept[0].scores["markup.src_tag"] == 2 and kept[0].scores["markup.tgt_tag"] == 2
    assert rejected["c"].startswith("markup: nothing left of the language side")
    assert strip("See [[Lagos|the city]] now") == "See the city now"


def test_bad_action_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="strip"):
        build_markup({"action": "drop"})


def test_strip_leaves_no_empty_brackets_or_stray_spaces() -> None:
    assert strip("Log in (https://mail.google.com). Or see bit.ly/abc.") == "Log in. Or see."


def test_a_masked_link_on_one_side_only_is_boilerplate_but_on_both_sides_or_a_tweet_it_is_kept() -> None:
    from lrl.filters.markup import Markup

    m = Markup()
    one_side = Record(id="a", src="Read more at <URL> The rain fell all night.", tgt="Òjò rọ̀ ní gbogbo òru.",
                      origin="seed")
    both = Record(id="b", src="See <URL> for the forms.", tgt="Wo <URL> fún àwọn fọ́ọ̀mù.", origin="seed")
    tweet = Record(id="c", src="", tgt="<USER> ẹ ṣé o, <URL>", origin="mono")
    reason = m.decide(one_side, m.score(one_side))
    assert reason is not None and "masked url on the English side only" in reason
    assert m.decide(both, m.score(both)) is None
    assert m.decide(tweet, m.score(tweet)) is None
