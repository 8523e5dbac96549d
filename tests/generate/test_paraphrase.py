"""Paraphrase: the output parser on messy answers, the LLM path end to end on a tiny locally trained
Llama (candidates pass or fail the real filters with reasons, deterministically), the pivot path through
real translators, the plugins' prompts, and settings errors."""

from __future__ import annotations

import copy
import csv
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from lrl.config import DEFAULTS
from lrl.errors import ConfigError
from lrl.generate.paraphrase import (
    PARAPHRASE_DEFAULTS,
    Judge,
    Paraphrase,
    PivotEngine,
    build_paraphrase,
    parse_output,
)
from lrl.generate.prompts import get_prompt, load_prompts
from lrl.languages.plugin import load_plugin
from lrl.record import Record
from lrl.step import RunContext, Stats, Step
from tests import tinyllm
from tests.conftest import write_plugin
from tests.tinyllm import E1, S1, S2, TEST_PROMPTS, P1a, P1b

REPO = Path(__file__).resolve().parents[2]


# -- parsing ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, items, dropped", [
    ("1. Ọjà kún.\n2) Èrò pọ̀ lọ́jà.\n- Ọjà ti kún fún èrò.", ["Ọjà kún.", "Èrò pọ̀ lọ́jà.", "Ọjà ti kún fún èrò."], 0),
    ("Here are the paraphrases:\n\n1. Ọjà kún.\n2. Èrò pọ̀.\n\nI hope this helps!", ["Ọjà kún.", "Èrò pọ̀."], 2),
    ('1. "Ọjà kún."\n2. “Èrò pọ̀.”\n3. **Ọjà ti kún.**\n4. «Ẹ wá.»', ["Ọjà kún.", "Èrò pọ̀.", "Ọjà ti kún.", "Ẹ wá."], 0),
    ("Paraphrase 1: Ọjà kún.\nParaphrase 2: Èrò pọ̀.", ["Ọjà kún.", "Èrò pọ̀."], 0),
    ("Sure! Here you go:\nỌjà kún.\nÈrò pọ̀.", ["Ọjà kún.", "Èrò pọ̀."], 1),
    ("1. Ọjà kún. (The market is full.)", ["Ọjà kún."], 0),
    ("1.5 mílíọ̀nù ènìyàn ló wá.\n*Ọjà* kún.", ["1.5 mílíọ̀nù ènìyàn ló wá.", "Ọjà kún."], 0),
    ("", [], 0),
    ("   \n\n", [], 0),
])
def test_parse_messy_outputs(raw: str, items: list[str], dropped: int) -> None:
    out = parse_output(raw)
    assert out.items == items
    assert len(out.dropped) == dropped
    assert not out.cut


def test_parse_stops_at_a_run_on_block_and_keeps_an_echoed_prompt_as_a_candidate() -> None:
    out = parse_output("1. Ọjà kún.\n2. Èrò pọ̀.\n\nSentence: Mo lọ.\nParaphrases:\n1. Mo ti lọ.",
                       ("Sentence:", "English:"))
    assert out.items == ["Ọjà kún.", "Èrò pọ̀."] and out.cut
    echoed = parse_output(f"Sentence: {S1}\nParaphrases:\n1. {P1a}", ("Sentence:",))
    assert echoed.items == [S1, P1a] and echoed.dropped == ["Paraphrases:"]


def test_judge_gives_every_bad_candidate_a_reason() -> None:
    judge = Judge("LATIN", "Latn")
    items = [P1a, S1.upper().replace(",", ""), "", E1, "The mother is going to the market with the children.",
             P1a + " ", "Sentence", "Мама встаёт рано утром и готовит еду.", P1b]
    got = judge.judge(items, S1, E1, echo={"Sentence"}, truncated=True)
    reasons = [c.reason.split(":")[0] if c.reason else None for c in got]
    assert reasons == [None, "paraphrase-copy", "paraphrase-empty", "paraphrase-wrong-language",
                       "paraphrase-wrong-language", "paraphrase-duplicate", "paraphrase-echo",
                       "paraphrase-wrong-language", "paraphrase-truncated"]
    assert all(unicodedata.is_normalized("NFC", c.text) for c in got)
    # English function words in the source itself (code-switching) do not condemn a candidate.
    mixed = "The meeting is at the school, and all of us will go there."
    assert Judge().judge([mixed + " o"], mixed)[0].reason is None


# -- shared helpers --------------------------------------------------------------------------------------
def cfg_with(**paraphrase: Any) -> dict[str, Any]:
    cfg = copy.deepcopy(DEFAULTS)
    cfg["paraphrase"] = {**copy.deepcopy(PARAPHRASE_DEFAULTS), "enabled": True, **paraphrase}
    return cfg


def run_steps(steps: list[Step], records: Iterable[Record], seed: int = 13) -> tuple[
        list[Record], list[tuple[Record, str, str]], Stats]:
    rejected: list[tuple[Record, str, str]] = []
    stats = Stats()
    ctx = RunContext(stats=stats, on_reject=lambda r, s, why: rejected.append((r, s, why)), seed=seed)
    stream: Iterable[Record] = records
    for step in steps:
        stream = step.run(stream, ctx)
    kept = list(stream)
    for step in steps:
        step.close()
    for name, st in stats.stages.items():  # every stage's books close
        assert st.seen + st.created == st.passed + st.rejected, name
    return kept, rejected, stats


def seed_records() -> list[Record]:
    return [
        Record(id="s1", src=E1, tgt=S1, origin="seed"),
        Record(id="m1", src="", tgt=S2, origin="mono"),
        Record(id="b1", src="We wash our hands.", tgt=S2, origin="bt"),  # not a selected origin
        Record(id="e1", src="An English-only row.", tgt="", origin="seed"),  # nothing to paraphrase
    ]


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = write_plugin(tmp_path_factory.mktemp("plugins"))
    (path / "prompts.toml").write_text(TEST_PROMPTS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained_llm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tinyllm.trained_chat_llm(tmp_path_factory.getbasetemp())


# -- the LLM path ----------------------------------------------------------------------------------------
def test_llm_paraphrase_end_to_end_through_the_filters(plugin_dir: Path, trained_llm: Path) -> None:
    plugin = load_plugin(plugin_dir)
    cfg = cfg_with(model=str(trained_llm), temperature=0.0, threads=1, max_new_tokens=120)
    steps = build_paraphrase(plugin, cfg, progress=False)
    assert [s.name for s in steps] == ["paraphrase", "paraphrase-privacy", "paraphrase-length", "paraphrase-script",
                                       "paraphrase-tone", "paraphrase-langid", "paraphrase-chrf"]
    kept, rejected, stats = run_steps(steps, seed_records())
    new = [r for r in kept if r.origin == "paraphrase"]
    assert [r.tgt for r in new] == [P1a, P1b]  # chatter dropped, quotes stripped, both inside the band
    assert all(r.parent_id == "s1" and r.src == E1 for r in new)
    assert sorted(r.id for r in kept if r.origin != "paraphrase") == ["b1", "e1", "m1", "s1"]  # all pass on
    why = {r.id: (stage, reason.split(":")[0]) for r, stage, reason in rejected}
    assert why == {"paraphrase:m1:1": ("paraphrase", "paraphrase-copy"),
                   "paraphrase:m1:2": ("paraphrase", "paraphrase-wrong-language")}
    assert stats["paraphrase"].created == 4 and stats["paraphrase-chrf"].passed == 2
    assert all(r.provenance.get("dropped_lines") is None or r.id.endswith(":1") for r in new)
    prov = new[0].provenance
    assert prov["dropped_lines"] == ["Here are the paraphrases:"]
    assert prov["model"]["id"] == str(trained_llm) and prov["model"]["revision"].startswith("content-")
    assert prov["model"]["chat_template"] is True and prov["model"]["backend"] == "transformers"
    assert prov["prompt"].startswith("yo/default@") and prov["seed"] == 13 and prov["parent_tgt"] == S1
    assert prov["settings"]["max_new_tokens"] == 120
    sig = steps[0].signature()
    assert sig["path"] == "llm" and sig["origin"] == "paraphrase" and sig["trust_remote_code"] is False
    assert 80 < float(new[0].scores["paraphrase-chrf.parent"]) < 93


def test_sampling_is_deterministic_by_seed_with_the_plugins_few_shot_prompt(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """The real Yoruba plugin and its prompts.toml, a random tiny model: junk output, but never a crash,
    every candidate accounted for, and the same seed gives the same rows."""
    model = tinyllm.cached("random-chat", tmp_path_factory.getbasetemp(), lines=tinyllm.plugin_lines())
    plugin = load_plugin(REPO / "languages" / "yo")
    cfg = cfg_with(model=str(model), threads=1, max_new_tokens=24, n=2, batch_size=2)
    cfg["filters"]["langid"]["enabled"] = False

    def once(seed: int) -> list[tuple[str, str, str]]:
        kept, rejected, stats = run_steps(build_paraphrase(plugin, cfg, progress=False), seed_records(), seed)
        assert stats["paraphrase"].created >= 4  # at least n per paraphrased row
        return [(r.id, r.tgt, "") for r in kept] + [(r.id, r.tgt, why) for r, _, why in rejected]

    a, b, c = once(13), once(13), once(14)
    assert a == b and a != c
    prompt = get_prompt(plugin.path, plugin.name, plugin.code, "default")
    assert prompt.id.startswith("yo/default@") and len(prompt.examples) == 3


# -- the pivot path --------------------------------------------------------------------------------------
class DictTranslator:
    """A word-for-word dictionary translator: a stand-in for the translator, not for the pivot step."""

    def __init__(self, table: dict[str, str], direction: str) -> None:
        self.table = table
        self.identity = {"kind": "dict", "id": f"test-dict-{direction}", "revision": "1"}

    def translate(self, texts: list[str]) -> list[str]:
        return [" ".join(self.table.get(w, w) for w in t.split()) for t in texts]


def test_pivot_paraphrase_with_a_dictionary_translator(plugin_dir: Path) -> None:
    yo_en = {"òwúrọ̀": "morning", "Ìyá": "Mother", "mi": "my"}
    en_yo = {"morning": "àárọ̀", "Mother": "Ìyá", "my": "mi"}
    plugin = load_plugin(plugin_dir)
    cfg = cfg_with(n=2)
    cfg["filters"]["langid"]["enabled"] = False
    steps = build_paraphrase(plugin, cfg, (DictTranslator(yo_en, "yo-en"), DictTranslator(en_yo, "en-yo")),
                             progress=False)
    kept, rejected, stats = run_steps(steps, seed_records()[:2])
    new = [r for r in kept if r.origin == "pivot"]
    assert [r.tgt for r in new] == [S1.replace("òwúrọ̀", "àárọ̀")]
    assert new[0].provenance["pivot_en"].startswith("Mother my") and new[0].parent_id == "s1"
    reasons = sorted(why.split(":")[0] for _, _, why in rejected)
    # s1's second draw repeats the first (the dictionary does not sample); m1 has no known word: copies.
    assert reasons == ["paraphrase-copy", "paraphrase-copy", "paraphrase-duplicate"]
    sig = steps[0].signature()
    assert sig["path"] == "pivot" and sig["origin"] == "pivot" and sig["back"]["id"] == "test-dict-yo-en"


def test_pivot_through_sampled_ibm1_is_per_row_deterministic(plugin_dir: Path) -> None:
    from lrl.models.ibm1 import IBM1Model

    with open(REPO / "languages" / "yo" / "examples.tsv", encoding="utf-8", newline="") as f:
        pairs = [(r[0], r[1]) for r in list(csv.reader(f, delimiter="\t"))[1:]]
    model = IBM1Model.train("yo", pairs, 5, "test")
    plugin = load_plugin(plugin_dir)
    cfg = cfg_with(n=3, pivot_sampling_topk=3)
    cfg["filters"]["langid"]["enabled"] = False
    rows = [Record(id=f"r{i}", src=en, tgt=yo, origin="seed") for i, (en, yo) in enumerate(pairs[:12])]

    def cands(records: list[Record]) -> dict[str, str]:
        step = build_paraphrase(plugin, cfg, model, progress=False)[0]
        kept, rejected, _ = run_steps([step], records)
        out = {r.id: r.tgt for r in kept if r.origin == "pivot"}
        out.update({r.id: r.tgt for r, _, _ in rejected})
        return out

    everything = cands(rows)
    assert len(everything) == 36 and len(set(everything.values())) > 12  # sampling gives distinct draws
    alone = cands([rows[5]])  # the same row in another batch gets the same candidates
    assert alone == {k: v for k, v in everything.items() if k.startswith("pivot:r5:")}
    step = build_paraphrase(plugin, cfg, model, progress=False)[0]
    assert isinstance(step, Paraphrase) and isinstance(step.engine, PivotEngine)
    assert step.signature()["settings"] == {"pivot_sampling_topk": 3, "pivot_temperature": 1.0}


# -- prompts and settings --------------------------------------------------------------------------------
@pytest.mark.parametrize("code, name, script", [("yo", "Yoruba", "LATIN"), ("ha", "Hausa", "LATIN"),
                                                ("am", "Amharic", "ETHIOPIC")])
def test_shipped_prompts_are_valid_and_pass_their_own_checks(code: str, name: str, script: str) -> None:
    from sacrebleu.metrics import CHRF

    path = REPO / "languages" / code / "prompts.toml"
    assert unicodedata.is_normalized("NFC", path.read_text(encoding="utf-8"))
    prompt = load_prompts(path, name, code)["default"]
    examples = (REPO / "languages" / code / "examples.tsv").read_text(encoding="utf-8")
    chrf, judge = CHRF(), Judge(script, script)
    lo, hi = PARAPHRASE_DEFAULTS["min_chrf"], PARAPHRASE_DEFAULTS["max_chrf"]
    for ex in prompt.examples:
        assert ex.sentence in examples  # few-shot sentences are the plugin's own examples
        assert all(c.reason is None for c in judge.judge(list(ex.paraphrases), ex.sentence, ex.english))
        for p in ex.paraphrases:
            assert lo <= chrf.sentence_score(p, [ex.sentence]).score <= hi
    msgs = prompt.messages(S1, E1, 3)
    assert msgs[0]["role"] == "system" and len(msgs) == 2 + 2 * len(prompt.examples)
    assert "Write 3 different paraphrases" in msgs[-1]["content"] and "English: " + E1 in msgs[-1]["content"]
    plain = prompt.plain("Ọjà kún.", "", 2)
    last = plain.rsplit("\n\n", 1)[1]
    assert last.endswith("Sentence: Ọjà kún.\nParaphrases:\n") and "English:" not in last


def test_prompt_files_are_validated_strictly(tmp_path: Path) -> None:
    bad = tmp_path / "prompts.toml"
    bad.write_text('[default]\ninstructions = "typo"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key 'default.instructions'"):
        load_prompts(bad, "Yoruba", "yo")
    bad.write_text('[default]\ninstruction = "Write {count} lines"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="may only use"):
        load_prompts(bad, "Yoruba", "yo")
    bad.write_text('[default]\n[[default.examples]]\nsentence = "Ọjà"\nparaphrases = []\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="non-empty list"):
        load_prompts(bad, "Yoruba", "yo")
    bad.write_text(TEST_PROMPTS, encoding="utf-8")
    with pytest.raises(ConfigError, match="is not in"):
        get_prompt(tmp_path, "Yoruba", "yo", "nosuch")
    builtin = get_prompt(tmp_path / "none", "Yoruba", "yo", "default")
    assert builtin.id.startswith("builtin/default@") and not builtin.examples


def test_settings_errors(plugin_dir: Path) -> None:
    plugin = load_plugin(plugin_dir)
    with pytest.raises(ConfigError, match="pivots through translators"):
        build_paraphrase(plugin, cfg_with(), None, progress=False)
    with pytest.raises(ConfigError, match="paraphrase.backend"):
        build_paraphrase(plugin, cfg_with(backend="vllm"), None, progress=False)
    with pytest.raises(ConfigError, match="min_chrf must be below"):
        build_paraphrase(plugin, cfg_with(min_chrf=95.0), None, progress=False)
    with pytest.raises(ConfigError, match="paraphrase.origins"):
        build_paraphrase(plugin, cfg_with(origins=["seeds"]), None, progress=False)
