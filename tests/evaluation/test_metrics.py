from lrl.evaluation.metrics import paired_bootstrap, shuffle_words


def test_shuffle_is_deterministic_and_keeps_words() -> None:
    hyps = ["the cat sat on the mat", "a b c d e f g"]
    a, b = shuffle_words(hyps, 3), shuffle_words(hyps, 3)
    assert a == b and a != hyps
    assert [sorted(x.split()) for x in a] == [sorted(x.split()) for x in hyps]


def test_paired_bootstrap_finds_the_better_system_and_word_order_loss() -> None:
    refs = [f"the farmer number {i} planted yams and maize near the river" for i in range(60)]
    good = [r.replace("maize", "corn") for r in refs]
    bad = [" ".join(r.split()[:4]) for r in refs]
    sigs, scores = paired_bootstrap([("bad", bad), ("good", good), ("good shuffled", shuffle_words(good))],
                                    refs, n_samples=100)
    assert set(sigs) == {"BLEU", "chrF", "chrF++"} and "bs:100" in sigs["chrF++"]
    assert scores["good"]["chrF++"].score > scores["bad"]["chrF++"].score
    assert scores["good"]["chrF++"].p_value is not None and scores["good"]["chrF++"].p_value < 0.05
    # Shuffling costs BLEU far more than chrF: the reason eval reports both and a shuffled floor.
    bleu_drop = scores["good"]["BLEU"].score - scores["good shuffled"]["BLEU"].score
    chrf_drop = scores["good"]["chrF"].score - scores["good shuffled"]["chrF"].score
    assert bleu_drop > 1.5 * chrf_drop
