"""cProfile of the input filter chain on eval/bench/corpus.py rows (no generators, no templates): where the
per-row time goes. Prints the manifest's per-stage seconds (wall and CPU) and the top functions by own time;
``--no-profile`` leaves cProfile out (its overhead doubles the per-call cost of small functions) and also
prints the CPU seconds spent building the checks (training their models; IBM-1 tables load from the cache).

    PYTHONPATH=. .venv/bin/python eval/bench/profile_chain.py [--n 20000] [--top 30] [--no-profile] \
        [--equivalent] [--set K=V ...]

``--equivalent``: the chain bench_speed.py section 1 races against OpusFilter (``LIKE_FOR_LIKE`` +
``EQUIVALENT``), not the defaults.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import pstats
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("lrl_eval_corpus", HERE / "corpus.py")
assert _spec and _spec.loader
corpus = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = corpus
_spec.loader.exec_module(corpus)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--sort", default="tottime")
    ap.add_argument("--no-profile", action="store_true", help="per-stage seconds only, without cProfile")
    ap.add_argument("--equivalent", action="store_true", help="bench_speed.py's OpusFilter-equivalent settings")
    ap.add_argument("--set", action="append", default=[], metavar="K=V", help="an lrl setting")
    args = ap.parse_args()
    from lrl import config
    from lrl.languages import find_plugin
    from lrl.pipeline import Inputs, build_sources, build_steps
    from lrl.stats import Clock
    from lrl.step import RunContext, Stats, Timed

    sets = list(args.set)
    if args.equivalent:
        bench = importlib.util.spec_from_file_location("lrl_eval_bench_speed", HERE / "bench_speed.py")
        assert bench and bench.loader
        speed = importlib.util.module_from_spec(bench)
        bench.loader.exec_module(speed)
        sets = [*speed.LIKE_FOR_LIKE, *speed.EQUIVALENT, *sets]

    with tempfile.TemporaryDirectory() as tmp:
        pairs = corpus.write_tsv(corpus.build(args.n), Path(tmp) / "pairs.tsv")
        plugin = find_plugin("yo")
        cfg = config.resolve(plugin.defaults, "plugin", None, {"out_dir": tmp, "templates.enabled": False,
                                                                "bt.enabled": False,
                                                                **config.parse_overrides(sets)})
        inputs = Inputs([], [str(pairs)])
        cpu = time.process_time()
        steps = build_steps(plugin, cfg, inputs, progress=False)
        build_cpu = time.process_time() - cpu
        sources = build_sources(plugin, cfg, inputs, [])
        stats = Stats()
        ctx = RunContext(stats=stats, on_reject=lambda r, s, why: None)
        prof = None if args.no_profile else cProfile.Profile()
        if prof:
            prof.enable()
        clock = Clock()  # CPU time sampled as lrl/shards.py does
        stream = Timed((r for src in sources for r in src), clock)
        timers = [stream]
        for step in steps:
            timers.append(Timed(step.run(timers[-1], ctx), clock))
        kept = sum(1 for _ in timers[-1])
        if prof:
            prof.disable()
    total = timers[-1].seconds
    under = "" if args.no_profile else " under cProfile"
    print(f"{args.n:,} rows, {kept:,} kept, {total:.2f} s in the chain ({args.n / total:,.0f} rows/s{under}), "
          f"{timers[-1].cpu:.2f} CPU s; building the checks {build_cpu:.2f} CPU s")
    for step, timer, up in zip(steps, timers[1:], timers[:-1], strict=True):
        print(f"  {step.name:<14} {timer.seconds - up.seconds:7.2f} s  {timer.cpu - up.cpu:7.2f} CPU s")
    if prof:
        pstats.Stats(prof).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
