"""Bad input never raises in the lexical filters: any text on either side is scored and decided."""

from hypothesis import given, settings
from hypothesis import strategies as st

from lrl.filters.dedup import Dedup
from lrl.filters.markup import Markup, count, strip
from lrl.filters.untranslated import Untranslated
from lrl.record import Record

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
UNTRANSLATED = Untranslated({"the", "a"}, {"ni", "da"}, code="yo")
MARKUP = Markup()


@settings(max_examples=100, deadline=None)
@given(src=TEXT, tgt=TEXT)
def test_any_text_is_scored_and_decided(src: str, tgt: str) -> None:
    r = Record(id="x", src=src, tgt=tgt, origin="bt")
    for f in (UNTRANSLATED, MARKUP, Dedup(minhash=True, minhash_min_chars=10)):
        s = f.score(r)
        reason = f.decide(r, s)
        assert reason is None or ": " in reason
    if "&" not in src:  # (decoding entities can make new markup: "&lt;b&gt;" becomes a tag)
        assert count(strip(src)) == {}
