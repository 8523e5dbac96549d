"""``lrl lid train``: build a langid-format language-ID model from per-language text files.

When no shipped model knows a language, a contributor supplies one text file per label (one sentence per
line, UTF-8) — the new language and the languages it must be told apart from (English at least, since the
langid filter checks the English side too) — and points the plugin at the result with
``[langid] model = "lid.model"``. The file loads with py3langid's ``LanguageIdentifier.from_modelpath``.

The method is langid.py's (Lui & Baldwin 2012), re-implemented compactly with numpy because the stock
langid 1.1.6 trainer is Python 2 code:

1. Text is prepared exactly as py3langid prepares it at inference (NFC; an all-uppercase line is
   lowercased; UTF-8 bytes). Lines are deduplicated per label; a line found under two labels is dropped.
2. Candidates: byte n-grams of orders 1–4 (never across a line end), the ``candidates_per_order`` most
   frequent by document frequency (a line is a document) of each order in each label (langid.py's DF
   selection, done per label so a small label is not crowded out).
3. Selection: information gain of n-gram presence, binarized one label against the rest; the top
   ``features_per_label`` of each label are kept (langid.py's LD selection without domains, since a
   contributor's files carry no domain labels).
4. An Aho-Corasick automaton over the selected n-grams, as a full 256-way DFA. py3langid emits one
   feature per DFA state, so a state where several n-grams end (``abcd`` ends ``bcd``, ``cd``, ``d`` too)
   gets one combined feature for that set of n-grams. Rather than summing per-n-gram weights, the naive
   Bayes weights are learnt for the combined features directly, from counts taken by the same automaton:
   py3langid scores ``log1p(count) @ nb_ptc``, which is not additive over the n-grams of a state, so
   training on exactly what inference sees is the consistent choice.
5. Multinomial naive Bayes on ``log1p`` of per-line feature counts (inference's transform), additive
   smoothing ``alpha``, uniform class priors (the amount of text a contributor found says nothing about
   how often each language turns up in their data).

``--with-builtin en,ig`` instead keeps those labels' columns from py3langid's built-in model and learns
the new labels in that model's feature space (its DFA, ~100k n-grams; steps 2–4 are skipped): naive Bayes
scores are only comparable over one feature set, and the built-in model's training text is not shipped.
Its class biases are not log priors, so new labels get their mean.

Every step is deterministic (sorted ties, no sampling), so the same files give the same model bytes.
By default every ``holdout``-th line is held out first, a model is trained on the rest and scored on it
through py3langid itself, and the reported accuracy is that; then the model is trained on all the text.

Parts: ``corpus`` (reading, limits, report), ``ngrams`` (candidates, selection), ``automaton`` (the DFA),
``train`` (naive Bayes, holdout, saving). Moved from ``lrl/languages/lidtrain.py``: it is a model trainer.
"""

from lrl.models.lid.automaton import Automaton
from lrl.models.lid.corpus import Corpus, TrainReport, encode, load_corpora, parse_spec, read_corpus
from lrl.models.lid.ngrams import _Packed, select_features
from lrl.models.lid.train import train

__all__ = ["Automaton", "Corpus", "TrainReport", "_Packed", "encode", "load_corpora", "parse_spec", "read_corpus",
           "select_features", "train"]
