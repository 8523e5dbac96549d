"""Text normalization: the plugin's character replacements, removal of invisible characters (one policy,
lrl/filters/invisible.py), whitespace, then NFC — in that order, because NFC does not merge look-alike marks such
as Yoruba's two dots below (U+0329 and U+0323) and would not remove a BOM inside a field."""

from __future__ import annotations

import unicodedata
from typing import Any

from lrl.errors import ConfigError
from lrl.filters.invisible import policy
from lrl.record import Record
from lrl.step import Mapper


class Normalize(Mapper):
    """Normalizes both sides; rejects a row whose LRL side is empty afterwards."""

    name = "normalize"
    signature_attrs = ("replace", "strip_controls", "collapse_whitespace", "keep_joiners", "options")

    def __init__(self, replace: list[list[str]], strip_controls: bool = True,
                 collapse_whitespace: bool = True, rules: Any = None,
                 options: dict[str, Any] | None = None, keep_joiners: bool = False) -> None:
        self.replace = [(a, b) for a, b in replace]
        self.strip_controls = strip_controls
        self.collapse_whitespace = collapse_whitespace
        # A plugin's rules.py may define normalize(text, options) -> text, run after the data-driven
        # steps, for what a replacement table cannot say (context-dependent letters, optional folding).
        self.hook = getattr(rules, "normalize", None)
        self.options = dict(options or {})
        # Invisible characters (lrl/filters/invisible.py); ZWJ/ZWNJ kept only for scripts that spell with them.
        self.keep_joiners = keep_joiners
        self.invisible = policy(keep_joiners)

    @classmethod
    def for_plugin(cls, plugin: Any, settings: dict[str, Any] | None = None) -> Normalize:
        """The normalizer a run uses for ``plugin``: its replacements, its rules.py with its options, and
        the run's ``normalize`` settings. Everything that trains on or compares with pipeline text (the
        back-translator's seed, bootstrap, eval) must normalize the same way, so it is built here only."""
        s = settings or {}
        return cls(plugin.orthography["replace"], s.get("strip_controls", True), s.get("collapse_whitespace", True),
                   plugin.load_rules(), plugin.orthography["options"],
                   plugin.orthography.get("keep_joiners", False))

    def text(self, text: str) -> str:
        for a, b in self.replace:
            text = text.replace(a, b)
        if self.strip_controls:
            text = self.invisible.clean(text)
        text = unicodedata.normalize("NFC", text)
        if self.hook is not None:
            try:
                text = self.hook(text, self.options)
            except Exception as exc:  # the plugin's rules.py, not lrl: name it
                raise ConfigError(f"the plugin's rules.py normalize() failed on {text[:60]!r}: "
                                  f"{type(exc).__name__}: {exc}") from None
            if not isinstance(text, str):
                raise ConfigError(f"the plugin's rules.py normalize() returned {type(text).__name__}, not a string")
            if self.strip_controls:  # a plugin's rules must not bring back what the policy removes
                text = self.invisible.clean(text)
            text = unicodedata.normalize("NFC", text)
        if self.collapse_whitespace:
            # = re.sub(r"\s+", " ", text).strip(): str.split() splits on exactly the characters \s matches
            # (both use Py_UNICODE_ISSPACE), 2.5x faster
            text = " ".join(text.split())
        return text

    def apply(self, record: Record) -> str | None:
        # A row has the language side, or (English monolingual input for forward translation) only the
        # English side; whichever side it had must survive normalization.
        had_src = bool(record.src.strip())
        record.src = self.text(record.src)
        record.tgt = self.text(record.tgt)
        if not record.tgt and (not had_src or record.origin != "mono"):
            return "empty: nothing left of the language side after normalization"
        if had_src and not record.src:
            return "empty: nothing left of the English side after normalization"
        return None

    def describe(self) -> dict[str, Any]:
        # The plugin's rules.py is code: the signature says whether one ran (the plugin's fingerprint
        # in the manifest pins its content).
        return {"nfc": True, "hook": self.hook is not None}
