"""Benchmark the bootstrap translator (lrl/models/bootstrap.py): dev chrF / chrF++ / BLEU against
training minutes on CPU, for a few model configurations.

Each configuration is trained for ``--minutes`` of training time (dev decoding excluded) and evaluated on
the first ``--dev-size`` pairs of the dev file every ``--eval-every`` minutes with CTranslate2 greedy
decoding. Results go to ``--results`` as one JSON file per run; ``--report`` prints the markdown table of
every JSON file there. Example (what produced eval/results/bootstrap_yo.md; two runs side by side, one
thread each)::

    nice -n 5 python eval/bench_bootstrap.py --configs d256L3 --directions yo-en --minutes 40 --threads 1
    nice -n 5 python eval/bench_bootstrap.py --configs d128L2 d128L2-fp32 --directions yo-en --minutes 20 --threads 1
    python eval/bench_bootstrap.py --report
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lrl.filters.normalize import Normalize  # noqa: E402
from lrl.languages import find_plugin  # noqa: E402
from lrl.models.bootstrap import BootstrapSettings, load_pairs, train  # noqa: E402

SHARED = Path(os.environ.get("LRL_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))

CONFIGS: dict[str, dict[str, Any]] = {
    "d256L3": dict(d_model=256, encoder_layers=3, decoder_layers=3, heads=4, ffn_dim=1024, vocab_size=4000,
                   lr=2e-3, warmup=200, batch_tokens=2000, bf16=True),
    "d256L3-8k": dict(d_model=256, encoder_layers=3, decoder_layers=3, heads=4, ffn_dim=1024, vocab_size=8000,
                      lr=2e-3, warmup=200, batch_tokens=2000, bf16=True),
    "d128L2": dict(d_model=128, encoder_layers=2, decoder_layers=2, heads=4, ffn_dim=512, vocab_size=4000,
                   lr=3e-3, warmup=200, batch_tokens=2000, bf16=True),
    "d128L2-fp32": dict(d_model=128, encoder_layers=2, decoder_layers=2, heads=4, ffn_dim=512, vocab_size=4000,
                        lr=3e-3, warmup=200, batch_tokens=2000, bf16=False),
    "d128L2-lr1e3": dict(d_model=128, encoder_layers=2, decoder_layers=2, heads=4, ffn_dim=512, vocab_size=4000,
                         lr=1e-3, warmup=200, batch_tokens=2000, bf16=True),
    "d128L2-lr1e3-nodrop": dict(d_model=128, encoder_layers=2, decoder_layers=2, heads=4, ffn_dim=512,
                                vocab_size=4000, lr=1e-3, warmup=200, batch_tokens=2000, dropout=0.0, bf16=True),
    "d192L3": dict(d_model=192, encoder_layers=3, decoder_layers=3, heads=4, ffn_dim=768, vocab_size=4000,
                   lr=2.5e-3, warmup=200, batch_tokens=2000, bf16=True),
    "d256L3-2k": dict(d_model=256, encoder_layers=3, decoder_layers=3, heads=4, ffn_dim=1024, vocab_size=2000,
                      lr=2e-3, warmup=200, batch_tokens=2000, bf16=True),
    "default": {},
}


def run(args: argparse.Namespace) -> None:
    plugin = find_plugin(args.lang)
    norm = Normalize(plugin.orthography["replace"], rules=plugin.load_rules()).text
    names = (plugin.code, plugin.iso639_3, plugin.name)
    train_pairs = load_pairs([args.train], norm, names)
    dev_pairs = load_pairs([args.dev], norm, names)[: args.dev_size]
    keys = {p.en for p in dev_pairs} | {p.lrl for p in dev_pairs}
    train_pairs = [p for p in train_pairs if p.en not in keys and p.lrl not in keys]
    out = Path(args.results)
    out.mkdir(parents=True, exist_ok=True)
    for name in args.configs:
        for direction in args.directions:
            s = replace(BootstrapSettings(), **CONFIGS[name], direction=direction, minutes=args.minutes,
                        eval_every=args.eval_every * 60, threads=args.threads, dev_size=args.dev_size)
            t = time.time()
            print(f"== {name} {direction} ({args.minutes} min)", flush=True)
            res = train(train_pairs, dev_pairs, s, Path(args.work) / f"{name}-{direction}", lang=args.lang,
                        log=lambda m: print("  " + m, flush=True))
            rec = {"config": name, "direction": direction, "settings": asdict(s),
                   "params": res.manifest["model"]["params"], "ct2_bytes": res.manifest["model"]["ct2_bytes"],
                   "history": res.manifest["history"], "samples": res.manifest["dev_samples"],
                   "wall_s": round(time.time() - t, 1), "threads": args.threads, "load": os.getloadavg(),
                   "finished": time.strftime("%Y-%m-%d %H:%M:%S")}
            (out / f"{args.lang}-{name}-{direction}-{args.minutes:g}min.json").write_text(
                json.dumps(rec, ensure_ascii=False, indent=1), encoding="utf-8")


def report(args: argparse.Namespace) -> None:
    rows = []
    for f in sorted(Path(args.results).glob(f"{args.lang}-*.json")):
        rec = json.loads(f.read_text(encoding="utf-8"))
        rows.append(rec)
    print("| config | dir | params | vocab | bf16 | thr | train min | steps | epochs | tok/s | loss "
          "| chrF | chrF++ | BLEU |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for rec in rows:
        s = rec["settings"]
        for h in rec["history"]:
            print(f"| {rec['config']} | {rec['direction']} | {rec['params'] / 1e6:.1f}M | {s['vocab_size']} "
                  f"| {'y' if s['bf16'] else 'n'} | {rec['threads']} | {h['train_s'] / 60:.1f} | {h['step']} "
                  f"| {h['epochs']} | {h['tok_per_s']} | {h['loss']} | {h.get('chrf', '')} | {h.get('chrf++', '')} "
                  f"| {h.get('bleu', '')} |")


def throughput(args: argparse.Namespace) -> None:
    """Training tokens/s, bf16 autocast vs fp32, interleaved A/B on the same 20 timed batches (after 5
    warm-up batches) of real data, for each config in --configs."""
    import random

    import sentencepiece as spm
    import torch

    from lrl.models.bootstrap import _batches, _collate, build_model, train_spm

    torch.set_flush_denormal(True)
    if args.threads:
        torch.set_num_threads(args.threads)
    plugin = find_plugin(args.lang)
    norm = Normalize(plugin.orthography["replace"], rules=plugin.load_rules()).text
    pairs = load_pairs([args.train], norm, (plugin.code, plugin.iso639_3, plugin.name))
    print(f"| config | autocast | tokens/s (threads={args.threads or torch.get_num_threads()}, one per repeat) |")
    print("|---|---|---|")
    for name in args.configs:
        s = replace(BootstrapSettings(), **CONFIGS[name])
        model_file = train_spm([x for p in pairs for x in (p.en, p.lrl)], Path(args.work) / "spm", s.vocab_size,
                               s.spm_type, s.seed)
        sp = spm.SentencePieceProcessor(model_file=str(model_file))
        V = sp.get_piece_size() + 1
        pad = V - 1
        src = [sp.encode(p.lrl)[:127] + [0] for p in pairs]
        tgt = [sp.encode(p.en)[:127] + [0] for p in pairs]
        batches = _batches(src, tgt, s.batch_tokens, random.Random(1))[:25]
        res: dict[bool, list[int]] = {True: [], False: []}
        for _ in range(args.repeats):
            for bf16 in (True, False):
                model = build_model(s, V)
                model.train()
                opt = torch.optim.AdamW(model.parameters(), lr=1e-3, fused=True)
                lossf = torch.nn.CrossEntropyLoss(ignore_index=-100, label_smoothing=0.1)
                ntok, t0 = 0, time.time()
                for i, b in enumerate(batches):
                    if i == 5:
                        ntok, t0 = 0, time.time()
                    x = _collate(torch, [src[j] for j in b], pad)
                    y = _collate(torch, [tgt[j] for j in b], pad)
                    dec = torch.cat([torch.full((len(b), 1), pad), y[:, :-1]], 1)
                    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                        logits = model(input_ids=x, attention_mask=x.ne(pad), decoder_input_ids=dec).logits
                    loss = lossf(logits.float().view(-1, V), y.masked_fill(y == pad, -100).view(-1))
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                    ntok += int(x.ne(pad).sum() + y.ne(pad).sum())
                res[bf16].append(round(ntok / (time.time() - t0)))
        for bf16 in (True, False):
            print(f"| {name} | {'bf16' if bf16 else 'fp32'} | {', '.join(map(str, res[bf16]))} |", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lang", default="yo")
    p.add_argument("--train", default=str(SHARED / "yo" / "menyo20k" / "train.tsv"))
    p.add_argument("--dev", default=str(SHARED / "yo" / "menyo20k" / "dev.tsv"))
    p.add_argument("--dev-size", type=int, default=500)
    p.add_argument("--configs", nargs="+", default=["default"], choices=sorted(CONFIGS))
    p.add_argument("--directions", nargs="+", default=["yo-en", "en-yo"])
    p.add_argument("--minutes", type=float, default=20)
    p.add_argument("--eval-every", type=float, default=5, help="minutes of training between evaluations")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--results", default=str(Path(__file__).parent / "results" / "bootstrap"))
    p.add_argument("--work", default="/tmp/lrl-bench-bootstrap")
    p.add_argument("--report", action="store_true", help="print the table of the runs in --results")
    p.add_argument("--throughput", action="store_true", help="only measure training tokens/s, bf16 vs fp32")
    p.add_argument("--repeats", type=int, default=2)
    args = p.parse_args()
    if args.report:
        report(args)
    elif args.throughput:
        throughput(args)
    else:
        run(args)


if __name__ == "__main__":
    main()
