import math

from lrl.models.lexlm import BigramLM, LexicalLMTranslator


def test_bigram_lm_prefers_seen_continuations_and_normalizes() -> None:
    lm = BigramLM.train(["the cat sat", "the cat ran", "a dog sat"])
    assert lm.logprob("the", "cat") > lm.logprob("the", "dog")
    vocab = list(lm.uni) + ["unseen"]
    total = sum(math.exp(lm.logprob("the", w)) for w in vocab)
    assert 0.9 < total <= 1.0 + 1e-9  # the rest is the mass for other unseen words


def test_lm_chooses_among_candidates_and_keeps_punctuation_and_case() -> None:
    table = {"ọkọ": [("car", 0.5), ("husband", 0.45)], "mi": [("my", 0.9)], "dára": [("good", 0.8)]}
    lm = BigramLM.train(["my husband is good"] * 5 + ["the car"])
    tr = LexicalLMTranslator(table, lm, weight=1.0)
    assert tr.translate(["Mi ọkọ dára."]) == ["My husband good."]
    assert LexicalLMTranslator(table, lm, weight=0.0).translate(["mi ọkọ"]) == ["my car"]
    assert tr.translate(["Ayọ̀ ọkọ"]) == ["Ayọ̀ husband"]  # unknown words are copied
