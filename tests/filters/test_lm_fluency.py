"""The fluency check with a pretrained causal LM (filters.fluency.model): a tiny Llama built and fitted to
English sentences in the test session, converted to CTranslate2 and scored for real."""

import random
from pathlib import Path

import pytest

from lrl.errors import LrlError
from lrl.filters.lm_fluency import LMFluency
from lrl.models.lmscore import LMScorer
from lrl.record import Record
from tests.filters.test_fluency import CORPUS, run
from tests.tinyllm import cached


@pytest.fixture(scope="module")
def english_lm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts = CORPUS[:40]
    return cached("english-lm", tmp_path_factory.mktemp("lm"), lines=texts * 3, chat=False,
                      train=lambda tok: texts, steps=150)


def shuffle(text: str, seed: int) -> str:
    words = text.rstrip(".").split()
    rng = random.Random(seed)
    while True:
        out = words[:]
        rng.shuffle(out)
        if out != words:
            return " ".join(out) + "."


def test_the_model_finds_shuffled_english_costly(english_lm: Path) -> None:
    scorer = LMScorer(str(english_lm))
    clean = CORPUS[:10]
    losses = scorer.losses(clean + [shuffle(t, i) for i, t in enumerate(clean)] + [""])
    assert max(losses[:10]) < min(losses[10:20])
    assert losses[20] == 0.0  # no token: nothing to predict


def test_lm_fluency_rejects_shuffles_and_keeps_english(english_lm: Path) -> None:
    check = LMFluency.build_lm(CORPUS[:40], {"model": str(english_lm), "min_calibration": 20})
    assert check.judging and check.calibration == 40
    records = [Record(id=f"c{i}", src=t, tgt="Àwọn ọmọdé", origin="bt") for i, t in enumerate(CORPUS[:10])]
    records += [Record(id=f"s{i}", src=shuffle(t, i), tgt="Àwọn ọmọdé", origin="bt")
                for i, t in enumerate(CORPUS[:10])]
    records.append(Record(id="mono", src="", tgt="Àwọn ọmọdé", origin="mono"))
    kept, rejected = run(check, records)
    assert kept == [f"c{i}" for i in range(10)] + ["mono"]
    assert set(rejected) == {f"s{i}" for i in range(10)}
    assert "language-model loss" in rejected["s0"]
    sig = check.signature()
    assert sig["calibration_sentences"] == 40 and "causal LM" in sig["model"]


def test_too_little_english_scores_without_judging(english_lm: Path) -> None:
    check = LMFluency.build_lm(CORPUS[:5], {"model": str(english_lm)})
    assert not check.judging and "min_calibration" in check.note
    kept, rejected = run(check, [Record(id="s", src=shuffle(CORPUS[0], 1), tgt="x", origin="bt")])
    assert kept == ["s"]


def test_a_wrong_model_path_says_what_is_expected(tmp_path: Path) -> None:
    with pytest.raises(LrlError, match="not a transformers model folder"):
        LMScorer(str(tmp_path / "nope"))


def test_the_model_judges_back_translated_english_unless_scope_is_all(english_lm: Path) -> None:
    from lrl import config
    from lrl.chain import BuildContext, build_fluency
    from lrl.filters.fluency import Fluency
    from lrl.languages.discovery import find_plugin
    from lrl.quality import QualitySeed

    plugin = find_plugin("yo")
    pairs = [(t, "Àwọn ọmọdé") for t in CORPUS[:60]]
    for scope, input_check in (("generated", Fluency), ("all", LMFluency)):
        cfg = config.resolve(plugin.defaults, "yo", None, {"filters.fluency.model": str(english_lm),
                                                           "filters.fluency.min_train_types": 0,
                                                           "filters.fluency.model_scope": scope})
        seed = QualitySeed(plugin, cfg, pairs, [])
        bt = build_fluency(BuildContext(plugin, cfg, seed, sides="src", generated=True, name="fluency"))
        real = build_fluency(BuildContext(plugin, cfg, seed, sides="both", name="fluency"))
        assert isinstance(bt, LMFluency)
        assert type(real) is input_check
