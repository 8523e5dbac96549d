"""Paraphrase prompts: per language, few-shot, kept in the plugin as ``prompts.toml``.

A prompts file holds one table per prompt id::

    [default]
    system = "You are a careful writer of Yoruba."          # optional
    instruction = "Write {n} different paraphrases of the {language} sentence ..."
    input_label = "Sentence"        # the labels of the blocks (also used to cut a run-on completion)
    english_label = "English"       # the row's English meaning is shown when it has one ("" = never)
    output_label = "Paraphrases"

    [[default.examples]]            # few-shot: the language's own sentences and their paraphrases
    sentence = "..."
    english = "..."                 # optional
    paraphrases = ["...", "..."]

``instruction`` may use ``{n}`` (how many paraphrases), ``{language}`` (the plugin's English name) and
``{code}``. A model with a chat template gets the few-shot examples as user/assistant turns; a plain model
gets the same blocks as one text ending with the output label. Without a prompts file a built-in zero-shot
prompt is used (and named ``builtin/default`` in provenance). The prompt id written to every row is
``<code>/<name>@<hash of the prompt's content>``, so editing a prompt changes its id.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lrl.errors import ConfigError

PROMPT_KEYS = ("description", "system", "instruction", "input_label", "english_label", "output_label",
               "examples")
EXAMPLE_KEYS = ("sentence", "english", "paraphrases")

BUILTIN_INSTRUCTION = (
    "Write {n} different paraphrases of the {language} sentence below, in {language}. Keep the meaning "
    "and the names, use the correct {language} spelling (with all its diacritics), vary the wording or "
    "the word order, and answer with a numbered list only."
)


@dataclass(frozen=True)
class Example:
    sentence: str
    paraphrases: tuple[str, ...]
    english: str = ""


@dataclass(frozen=True)
class Prompt:
    """One prompt: how to ask a language model for ``n`` paraphrases of a sentence."""

    name: str
    language: str
    code: str
    instruction: str = BUILTIN_INSTRUCTION
    system: str = ""
    input_label: str = "Sentence"
    english_label: str = "English"
    output_label: str = "Paraphrases"
    examples: tuple[Example, ...] = field(default_factory=tuple)
    source: str = "builtin"

    @property
    def id(self) -> str:
        """``<code>/<name>@<8 hex of the content>``: names the prompt and changes when it is edited."""
        content = {k: v for k, v in asdict(self).items() if k != "source"}
        digest = hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
        return f"{self.code}/{self.name}@{digest[:8]}"

    # -- the pieces ---------------------------------------------------------------------------------
    def _instruction(self, n: int) -> str:
        return self.instruction.format(n=n, language=self.language, code=self.code)

    def _user(self, sentence: str, english: str, n: int) -> str:
        lines = [self._instruction(n), "", f"{self.input_label}: {sentence}"]
        if english and self.english_label:
            lines.append(f"{self.english_label}: {english}")
        return "\n".join(lines)

    @staticmethod
    def _answer(paraphrases: tuple[str, ...] | list[str]) -> str:
        return "\n".join(f"{i}. {p}" for i, p in enumerate(paraphrases, 1))

    def messages(self, sentence: str, english: str, n: int) -> list[dict[str, str]]:
        """Chat messages: system (if any), the few-shot turns, then the question."""
        msgs: list[dict[str, str]] = []
        if self.system:
            msgs.append({"role": "system", "content": self.system})
        for ex in self.examples:
            msgs.append({"role": "user", "content": self._user(ex.sentence, ex.english, len(ex.paraphrases))})
            msgs.append({"role": "assistant", "content": self._answer(ex.paraphrases)})
        msgs.append({"role": "user", "content": self._user(sentence, english, n)})
        return msgs

    def plain(self, sentence: str, english: str, n: int) -> str:
        """One text for a model without a chat template; ends where the answer should start."""
        blocks = [self.system] if self.system else []
        for ex in self.examples:
            blocks.append(f"{self._user(ex.sentence, ex.english, len(ex.paraphrases))}\n"
                          f"{self.output_label}:\n{self._answer(ex.paraphrases)}")
        blocks.append(f"{self._user(sentence, english, n)}\n{self.output_label}:\n")
        return "\n\n".join(blocks)

    def echo_lines(self, n: int) -> set[str]:
        """Text the prompt itself contains: a candidate equal to one of these repeats the prompt."""
        out = {self.system, self._instruction(n), self.input_label, self.output_label}
        for ex in self.examples:
            out |= {ex.sentence, ex.english, *ex.paraphrases}
        return {s for s in out if s}

    def stop_labels(self) -> tuple[str, ...]:
        """Line starts that mean the model went on to write a new block (a plain prompt's run-on)."""
        return tuple(f"{label}:" for label in (self.input_label, self.english_label) if label)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _str(path: Path, where: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{path}: '{where}' must be a string, got {value!r}")
    return _nfc(value)


def load_prompts(path: Path, language: str, code: str) -> dict[str, Prompt]:
    """Every prompt in a ``prompts.toml``, validated strictly (unknown keys are errors)."""
    from lrl.schema import load_file

    raw = load_file(path, "prompts file")
    out: dict[str, Prompt] = {}
    for name, table in raw.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: '{name}' must be a table [{name}] holding one prompt")
        for key in table:
            if key not in PROMPT_KEYS:
                raise ConfigError(f"{path}: unknown key '{name}.{key}' — expected one of: {', '.join(PROMPT_KEYS)}")
        kw: dict[str, Any] = {k: _str(path, f"{name}.{k}", table[k]) for k in PROMPT_KEYS[1:-1] if k in table}
        instruction = kw.get("instruction", BUILTIN_INSTRUCTION)
        try:
            instruction.format(n=2, language=language, code=code)
        except (KeyError, IndexError, ValueError) as exc:
            raise ConfigError(f"{path}: '{name}.instruction' may only use {{n}}, {{language}} and {{code}} "
                              f"(braces elsewhere must be doubled): {exc!r}") from None
        examples: list[Example] = []
        raw_examples = table.get("examples", [])
        if not isinstance(raw_examples, list):
            raise ConfigError(f"{path}: '{name}.examples' must be an array of tables ([[{name}.examples]])")
        for i, ex in enumerate(raw_examples, 1):
            where = f"{name}.examples[{i}]"
            if not isinstance(ex, dict):
                raise ConfigError(f"{path}: '{where}' must be a table")
            for key in ex:
                if key not in EXAMPLE_KEYS:
                    raise ConfigError(f"{path}: unknown key '{where}.{key}' — expected one of: "
                                      f"{', '.join(EXAMPLE_KEYS)}")
            paras = ex.get("paraphrases")
            if not isinstance(paras, list) or not paras or not all(isinstance(p, str) and p.strip() for p in paras):
                raise ConfigError(f"{path}: '{where}.paraphrases' must be a non-empty list of sentences")
            if "sentence" not in ex:
                raise ConfigError(f"{path}: '{where}' needs a 'sentence'")
            examples.append(Example(_str(path, f"{where}.sentence", ex["sentence"]),
                                    tuple(_nfc(p) for p in paras),
                                    _str(path, f"{where}.english", ex.get("english", ""))))
        kw.pop("description", None)
        out[name] = Prompt(name=name, language=language, code=code, examples=tuple(examples),
                           source=str(path), **kw)
    return out


def get_prompt(plugin_dir: Path | None, language: str, code: str, name: str,
               filename: str = "prompts.toml") -> Prompt:
    """The prompt ``name`` from the plugin's prompts file; the built-in zero-shot prompt when the plugin
    has no prompts file and ``name`` is "default"."""
    path = plugin_dir / filename if plugin_dir is not None else None
    if path is not None and path.is_file():
        prompts = load_prompts(path, language, code)
        if name not in prompts:
            raise ConfigError(f"paraphrase.prompt = {name!r} is not in {path}; it has: {', '.join(prompts)}")
        return prompts[name]
    if name != "default":
        raise ConfigError(f"paraphrase.prompt = {name!r} but the plugin has no {filename} "
                          f"({path}); add one or use the built-in prompt (paraphrase.prompt = \"default\")")
    return Prompt(name="default", language=language, code="builtin")
