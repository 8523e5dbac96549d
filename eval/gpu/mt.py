"""Does lrl's data help a model that can use it? (issue #14 part 2): the same small transformer trained on
seed only, seed + back-translation, seed + substitution/templates, and all, both directions, on
MENYO-20k train, scored on MENYO-20k dev — on one GPU in under 10 minutes.

The model and its training are lrl's bootstrap translator (lrl/models/bootstrap.py: joint sentencepiece,
Marian architecture, token-bucketed AdamW with warm-up, converted to CTranslate2 and decoded greedily),
moved to the GPU and made bigger (transformer-base: d 512, 6+6 layers) with bf16 autocast. Every system
gets the same wall-clock training time, so a system with more rows sees each row fewer times — the fair
comparison when compute is what is fixed. ``--budget`` is the whole script's wall clock: the training
time per model is what the vocabulary, conversion, decoding and scoring leave, fixed after the first
model has shown how long those take (so a slow fallback decoder cannot push the run past its budget).

Scores: sacrebleu BLEU, chrF and chrF++ on the dev set with paired bootstrap resampling against seed only
(lrl.evaluation.metrics), and each output with its words shuffled as a floor (a gain the shuffled copy
shows too is vocabulary, not translation).

    python eval/gpu/mt.py --data gpu-carry/data --device cuda --budget 420 --out out/gpu/mt.json \
        --results eval/results/gpu-mt.md
    python eval/gpu/mt.py --data DIR --device cpu --tiny --out ... --results ...   # seconds (tests)
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

#: name → origins of synthetic rows added to the seed.
SYSTEMS: dict[str, tuple[str, ...]] = {
    "seed only": (),
    "+ back-translation": ("bt",),
    "+ substitution/templates": ("substitute", "template"),
    "all": ("bt", "substitute", "template"),
}
#: transformer-base with bf16 autocast; lr for its width (lrl's CPU default 3e-3 is for d 128).
GPU_MODEL = {"vocab_size": 8000, "d_model": 512, "encoder_layers": 6, "decoder_layers": 6, "heads": 8,
             "ffn_dim": 2048, "dropout": 0.1, "lr": 1e-3, "warmup": 400, "batch_tokens": 12000, "bf16": True,
             "max_len": 128, "dev_size": 200}
#: Seconds kept per direction for the paired bootstrap (1000 samples x 8 outputs); a first guess at what
#: a model costs besides training (vocabulary, conversion, two decodes); the least training a model gets.
SCORING_S, FIRST_OVERHEAD_S, MIN_TRAIN_S = 20.0, 25.0, 2.0
TINY_MODEL = {"vocab_size": 300, "d_model": 16, "encoder_layers": 1, "decoder_layers": 1, "heads": 2,
              "ffn_dim": 32, "batch_tokens": 800, "max_steps": 3, "dev_size": 10}


def read_tsv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return rows[1:]


def load(data: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str, str]]]:
    """(train, dev, synthetic as (origin, en, yo)) from prepare.py's folder."""
    for name in ("train.tsv", "dev.tsv", "synthetic.tsv"):
        if not (data / name).is_file():
            raise SystemExit(f"{data / name} not found: run eval/gpu/prepare.py first (or give --data)")
    train = [(r[0], r[1]) for r in read_tsv(data / "train.tsv") if len(r) == 2]
    dev = [(r[0], r[1]) for r in read_tsv(data / "dev.tsv") if len(r) == 2]
    syn = [(r[0], r[1], r[2]) for r in read_tsv(data / "synthetic.tsv") if len(r) == 3]
    return train, dev, syn


def pick_device(want: str) -> str:
    import torch

    if want == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if want == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda but torch sees no CUDA GPU (check nvidia-smi); use --device cpu")
    return want


def translate(res: Any, sources: list[str], device: str) -> tuple[list[str], str]:
    """Greedy dev translations: CTranslate2 (the converted model, as lrl uses it) on ``device``; where
    CTranslate2 cannot use the GPU (its wheels need CUDA 12's cuBLAS), transformers' ``generate`` on the
    GPU from the same checkpoint — the same weights in bf16 rather than int8, so noted in the results."""
    from lrl.models.bootstrap import BootstrapTranslator

    try:
        return BootstrapTranslator(res.ct2_dir, device=device, max_batch_size=256).translate(sources), \
            f"ctranslate2 {device}"
    except (RuntimeError, ValueError) as exc:
        if device == "cpu":
            raise
        print(f"CTranslate2 cannot run on {device} ({exc}); decoding with transformers", flush=True)
    return hf_translate(res.path / "hf", sources, device), f"transformers {device} (bf16)"


def hf_translate(hf: Path, sources: list[str], device: str) -> list[str]:
    """Greedy translations with transformers from a bootstrap model's ``hf/`` checkpoint."""
    import sentencepiece as spm
    import torch
    from transformers import MarianMTModel

    sp = spm.SentencePieceProcessor(model_file=str(hf / "source.spm"))
    model = MarianMTModel.from_pretrained(str(hf), dtype=torch.bfloat16).to(device).eval()
    pad = model.config.pad_token_id
    ids = [[*sp.encode(t)[:254], 0] for t in sources]
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = [""] * len(sources)
    with torch.inference_mode():
        for k in range(0, len(order), 256):
            idx = order[k:k + 256]
            n = max(len(ids[i]) for i in idx)
            x = torch.tensor([ids[i] + [pad] * (n - len(ids[i])) for i in idx], device=device)
            gen = model.generate(input_ids=x, attention_mask=x.ne(pad), num_beams=1, do_sample=False,
                                 max_new_tokens=min(256, 2 * n + 10))
            for i, row in zip(idx, gen.tolist(), strict=True):
                out[i] = sp.decode([t for t in row if t not in (0, pad)]).strip()
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="prepare.py's data folder")
    ap.add_argument("--device", default="auto", help="auto | cpu | cuda")
    ap.add_argument("--budget", type=float, default=500.0,
                    help="wall-clock seconds for the whole script (training gets what the rest leaves)")
    ap.add_argument("--tiny", action="store_true", help="a 16-wide model, 3 steps each: the CPU test")
    ap.add_argument("--bootstrap-samples", type=int, default=1000)
    ap.add_argument("--directions", default="en-yo,yo-en", help="comma-separated (the budget is split over them)")
    ap.add_argument("--hardware", default="")
    ap.add_argument("--work", type=Path, default=Path("out") / "gpu-mt")
    ap.add_argument("--out", type=Path, required=True, help="results JSON")
    ap.add_argument("--results", type=Path, default=None, help="results markdown")
    args = ap.parse_args(argv)

    from lrl.evaluation.metrics import paired_bootstrap, shuffle_words
    from lrl.models.bootstrap import BootstrapSettings, Pair, train

    started = time.time()
    device = pick_device(args.device)
    seed, dev, syn = load(args.data)
    model = TINY_MODEL if args.tiny else GPU_MODEL
    directions = tuple(args.directions.split(","))
    n_models = len(SYSTEMS) * len(directions)
    deadline = started + args.budget - SCORING_S * len(directions)
    per_model = max(MIN_TRAIN_S, (deadline - time.time()) / n_models - FIRST_OVERHEAD_S)
    done, trained_s = 0, 0.0
    monitor = [Pair(en, yo) for en, yo in dev[: model["dev_size"]]]
    results: dict[str, Any] = {}
    for direction in directions:
        src_en = direction.startswith("en-")
        sources = [en if src_en else yo for en, yo in dev]
        refs = [yo if src_en else en for en, yo in dev]
        outputs: dict[str, list[str]] = {}
        trained: dict[str, Any] = {}
        for name, origins in SYSTEMS.items():
            pairs = [Pair(en, yo) for en, yo in seed] + [Pair(en, yo) for o, en, yo in syn if o in origins]
            if origins and len(pairs) == len(seed):
                print(f"{direction} {name}: no synthetic rows of {origins}; skipped", flush=True)
                continue
            if done == 1:  # the first model showed what a model costs besides training: fix the rest's share
                overhead = max(0.0, (time.time() - started) - trained_s)
                per_model = max(MIN_TRAIN_S, (deadline - time.time()) / (n_models - 1) - overhead)
            s = replace(BootstrapSettings(), direction=direction, minutes=per_model / 60.0, seed=13, **model)
            t0 = time.time()
            res = train(pairs, monitor, s, args.work / direction / name.replace(" ", "_").replace("/", "-"),
                        lang="yo", device=device)
            t1 = time.time()
            hyps, decoded_with = translate(res, sources, device)
            outputs[name] = hyps
            tr = res.manifest["training"]
            trained[name] = {"train_pairs": len(pairs), "steps": tr["steps"], "epochs": tr["epochs"],
                             "train_s": tr["train_s"], "tok_per_s": tr["tok_per_s"], "params": res.manifest["params"],
                             "wall_s": round(t1 - t0, 1), "decode_s": round(time.time() - t1, 1),
                             "decoded_with": decoded_with}
            print(f"{direction} {name}: {json.dumps(trained[name])}", flush=True)
            done += 1
            trained_s = tr["train_s"]
        named: list[tuple[str, Sequence[str]]] = list(outputs.items())
        named += [(f"{n} (words shuffled)", shuffle_words(h, 13)) for n, h in outputs.items()]
        sigs, scores = paired_bootstrap(named, refs, args.bootstrap_samples)
        results[direction] = {"signatures": sigs, "trained": trained,
                              "scores": {n: {m: asdict(v) for m, v in sc.items()} for n, sc in scores.items()},
                              "examples": [{"src": sources[i], "ref": refs[i], **{n: outputs[n][i] for n in outputs}}
                                           for i in range(min(3, len(sources)))]}
    by_origin: dict[str, int] = {}
    for o, _, _ in syn:
        by_origin[o] = by_origin.get(o, 0) + 1
    out = {"what": "transformer MT, seed vs seed + lrl synthetic data (MENYO-20k train → dev)",
           "hardware": args.hardware, "device": device, "tiny": args.tiny, "model": model,
           "budget_s": args.budget, "per_model_s": round(per_model, 1), "seed_pairs": len(seed),
           "dev_pairs": len(dev), "synthetic_by_origin": by_origin, "results": results,
           "wall_s": round(time.time() - started, 1),
           "command": " ".join(["python eval/gpu/mt.py", *(argv if argv is not None else sys.argv[1:])])}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.results:
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(render(out), encoding="utf-8")
    return out


def _f(x: float | None, nd: int = 1) -> str:
    return "–" if x is None else f"{x:.{nd}f}"


def verdict(sc: dict[str, Any], base: dict[str, Any], shuffled: dict[str, Any] | None = None,
            base_shuffled: dict[str, Any] | None = None) -> str:
    """Better / worse / no difference on chrF++ at p < 0.05 (sacrebleu's paired bootstrap vs seed only),
    and whether the shuffled floor moved as much (then the gain is vocabulary, not translation)."""
    p = sc["chrF++"].get("p_value")
    if p is None:
        return "baseline"
    d = sc["chrF++"]["score"] - base["chrF++"]["score"]
    if p >= 0.05 or d == 0:
        return f"no difference (p={p:.3f})"
    out = f"{'better' if d > 0 else 'worse'} by {abs(d):.1f} (p={p:.3f})"
    if d > 0 and shuffled and base_shuffled and \
            shuffled["chrF++"]["score"] - base_shuffled["chrF++"]["score"] >= d:
        out += "; the shuffled copy gains as much (vocabulary, not translation)"
    return out


def render(res: dict[str, Any]) -> str:
    lines = [f"# Transformer MT on {res['device']}: seed vs seed + lrl data (MENYO-20k)", "",
             f"Command: `{res['command']}`  ", f"Hardware: {res['hardware'] or res['device']}  ",
             f"Wall time: {res['wall_s']} s (budget {res['budget_s']:.0f} s); training {res['per_model_s']} s "
             f"per model after the first; seed {res['seed_pairs']:,} pairs, dev {res['dev_pairs']:,} pairs; "
             f"synthetic rows: {res['synthetic_by_origin']}", ""]
    if res["tiny"]:
        lines += ["**Tiny run (the CPU test): the numbers mean nothing.**", ""]
    for direction, r in res["results"].items():
        sc, tr = r["scores"], r["trained"]
        base = sc.get("seed only")
        lines += [f"## {direction}", "",
                  "| system | train pairs | train s | steps | epochs | BLEU | chrF++ | vs seed only | shuffled BLEU | "
                  "shuffled chrF++ | decoded with |", "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|"]
        for name, t in tr.items():
            s, f = sc[name], sc.get(f"{name} (words shuffled)", {})
            lines.append(f"| {name} | {t['train_pairs']:,} | {t['train_s']} | {t['steps']} | {t['epochs']} | "
                         f"{_f(s['BLEU']['score'])} | {_f(s['chrF++']['score'])} | "
                         f"{verdict(s, base, f, sc.get('seed only (words shuffled)')) if base else '–'} | "
                         f"{_f(f.get('BLEU', {}).get('score'))} | "
                         f"{_f(f.get('chrF++', {}).get('score'))} | {t.get('decoded_with', '')} |")
        lines += ["", f"sacrebleu: {r['signatures'].get('chrF++', '')}", ""]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
