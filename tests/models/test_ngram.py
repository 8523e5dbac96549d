import math

import numpy as np
import pytest

from lrl.models.ngram import NgramLM

ENGLISH = [
    "The children are going to school in the morning.",
    "The children are playing in the garden with their friends.",
    "My mother is cooking rice in the kitchen.",
    "My father is reading a book in the garden.",
    "The teacher is going to the market in the evening.",
    "The farmer is selling yams at the market.",
    "Our friends are coming to the house tomorrow.",
    "The children are eating rice and beans in the kitchen.",
    "My mother is going to the market with the children.",
    "The teacher is reading a story to the children.",
] * 3


def prob(lm: NgramLM, context: list[str], word: str) -> float:
    """P(word | context) read off token_logprobs: the last scored token before </s>."""
    text = " ".join([*context, word])
    lp, _ = lm.token_logprobs(text)
    return math.exp(lp[-2])


@pytest.mark.parametrize("order", [1, 2, 3])
def test_distribution_sums_to_one_for_seen_and_unseen_contexts(order: int) -> None:
    lm = NgramLM.train(ENGLISH, order)
    words = [w for w in lm.vocab if w not in ("<s>", "</s>", "<unk>")]
    # token_logprobs scores each word of the text; sum P(w | context) over every w the model can emit.
    for context in (["the", "children"], ["my", "mother", "is"], ["zebra", "quantum"]):
        total = sum(prob(lm, context, w) for w in words)
        total += prob(lm, context, "xyzzy-unknown")  # the <unk> mass
        lp, _ = lm.token_logprobs(" ".join(context))
        total += math.exp(lp[-1])  # </s>
        # <s> is in the vocabulary (never predicted) and keeps its share (< 1/V) of the uniform floor.
        v = len(lm.vocab)
        assert 1.0 - 1.0 / v <= total <= 1.0 + 1e-9, (context, total)


def test_clean_word_order_beats_its_shuffle_only_after_unigram_normalization() -> None:
    lm = NgramLM.train(ENGLISH, 3)
    clean = "The children are going to the market with their friends."
    salad = "market friends the going children with to their are the."
    assert lm.score(clean)[1] > 0 > lm.score(salad)[1]
    # Same words: the unigram part is identical, so the difference is word order alone.
    _, uni_c = lm.token_logprobs(clean)
    _, uni_s = lm.token_logprobs(salad)
    assert np.isclose(uni_c.sum(), uni_s.sum())


def test_unknown_words_map_to_unk() -> None:
    lm = NgramLM.train(ENGLISH, 2)
    assert lm.oov_share("The children are quinoa") == 0.25
    assert lm.ids("quinoa") == [0]
    assert lm.sentences == len(ENGLISH) and lm.types == len(lm.vocab) - 3


def test_order_is_checked_and_empty_training_still_scores() -> None:
    with pytest.raises(ValueError):
        NgramLM.train(ENGLISH, 7)
    with pytest.raises(ValueError, match="int64"):  # 2,000 types to the 6th power do not pack into int64 keys
        NgramLM.train_tokens([[str(i) for i in range(2_000)]], 6)
    assert NgramLM.train(ENGLISH, 4).order == 4
    lm = NgramLM.train([], 3)
    lp, uni = lm.token_logprobs("anything at all")
    assert len(lp) == 4 and np.all(np.isfinite(lp)) and np.all(np.isfinite(uni))


def test_a_batch_scores_each_sentence_as_alone() -> None:
    lm = NgramLM.train(ENGLISH, 3)
    texts = ["The children are going to school.", "", "quinoa zebra the", "My mother is cooking rice."]
    batch = lm.score_batch(texts)
    for text, got in zip(texts, batch, strict=True):
        lp, uni = lm.token_logprobs(text)
        assert np.isclose(got[0], lp.mean()) and np.isclose(got[1], (lp - uni).mean())
    assert lm.score_batch([]) == []
