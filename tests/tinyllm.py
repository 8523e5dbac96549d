"""A tiny causal LM built in the test session (no model hub): a byte-level BPE tokenizer trained on the
Yoruba plugin's own example sentences (project-written data), a random-init Llama (~150k parameters) and,
when asked, a few hundred Adam steps that make it answer given prompts with given texts (so tests can see
real candidates pass the filters). Built once per test process and shared by the test modules."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CHAT_TEMPLATE = ("{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}<|end|>\n{% endfor %}"
                 "{% if add_generation_prompt %}<|assistant|>\n{% endif %}")
SPECIALS = ["<pad>", "<s>", "<|end|>", "<|system|>", "<|user|>", "<|assistant|>"]

_CACHE: dict[str, Path] = {}


def plugin_lines(code: str = "yo") -> list[str]:
    with open(REPO / "languages" / code / "examples.tsv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))[1:]
    return [cell for row in rows for cell in row]


def build_tokenizer(lines: list[str], chat: bool = True, vocab_size: int = 500) -> Any:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIALS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(lines, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="<|end|>", pad_token="<pad>")
    if chat:
        fast.chat_template = CHAT_TEMPLATE
    return fast


def build_tiny_llm(out: Path, lines: list[str], chat: bool = True,
                   train: Callable[[Any], list[str]] | None = None, steps: int = 0) -> Path:
    """Save a tiny Llama and its tokenizer to ``out``. With ``train`` (tokenizer → texts), fit the model
    to those texts first; each gets the end token, so generation stops after it."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tok = build_tokenizer(lines, chat)
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
                      bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
                      tie_word_embeddings=False)
    model = LlamaForCausalLM(cfg)
    if train and steps:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # tiny matrices: one thread is ~10x faster than two on a busy CPU
        try:
            batch = tok([t + tok.eos_token for t in train(tok)], return_tensors="pt", padding=True,
                        add_special_tokens=False)
            labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
            opt = torch.optim.Adam(model.parameters(), lr=3e-3)
            model.train()
            for _ in range(steps):
                loss = model(**batch, labels=labels).loss
                opt.zero_grad()
                loss.backward()
                opt.step()
                if loss.item() < 0.01:
                    break
            model.eval()
        finally:
            torch.set_num_threads(threads)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return out


def cached(key: str, root: Path, **kwargs: Any) -> Path:
    """``build_tiny_llm`` once per test process for each ``key``."""
    if key not in _CACHE:
        _CACHE[key] = build_tiny_llm(root / key, **kwargs)
    return _CACHE[key]


# -- a model trained to answer the test prompt -----------------------------------------------------------
S1 = "Ìyá mi máa ń jí ní òwúrọ̀ kùtùkùtù láti se oúnjẹ fún gbogbo wa kí a tó lọ sí ibi iṣẹ́."
E1 = "My mother wakes up early in the morning to cook food for all of us before we go to work."
P1a = "Òwúrọ̀ kùtùkùtù ni ìyá mi máa ń jí láti se oúnjẹ fún gbogbo wa kí a tó lọ sí ibi iṣẹ́."
P1b = "Kí a tó lọ sí ibi iṣẹ́, ìyá mi máa ń jí ní òwúrọ̀ kùtùkùtù láti se oúnjẹ fún gbogbo wa."
S2 = "Ó yẹ kí á máa fọ ọwọ́ wa pẹ̀lú ọṣẹ àti omi kí a tó jẹun."
# What the tiny model is trained to answer: chatter, a numbered list, quotes; then a copy and English.
A1 = f'Here are the paraphrases:\n1. {P1a}\n2. "{P1b}"'
A2 = f"1. {S2[:-1]}\n2. We should wash our hands with soap and water before we eat."
#: The prompts.toml the trained model answers (a plugin in a test writes it).
TEST_PROMPTS = 'default = {instruction = "Paraphrase into {n}:"}\n'


def trained_chat_llm(root: Path) -> Path:
    """A tiny Llama with a chat template, trained (greedy-exact) to answer TEST_PROMPTS for S1 (with its
    English E1) with A1 and for S2 (monolingual) with A2."""
    from lrl.generate.prompts import Prompt

    prompt = Prompt(name="default", language="Yoruba", code="yo", instruction="Paraphrase into {n}:")

    def texts(tok: Any) -> list[str]:
        return [tok.apply_chat_template(prompt.messages(s, e, 2), tokenize=False, add_generation_prompt=True) + a
                for s, e, a in ((S1, E1, A1), (S2, "", A2))]

    return cached("trained-chat", root, lines=plugin_lines(), train=texts, steps=400)
