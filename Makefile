# lrl — the front door. `make lang=yo augment` and `make test` set themselves up on first use.
#
# Inputs for augment (all optional):  mono=PATH  parallel=PATH  mono_en=PATH  exclude=TEST_PATH  config=FILE
#                                     set="k=v k2=v2"  out=DIR  workers=N  executor=local|ray
# Large runs (README "Large runs"):   resume=out/yo/<run-id>  (continue an interrupted run)
#                                     rank=R world_size=W run_id=ID  (one Slurm array task; then make merge run=DIR)
# A glob in mono must be quoted so make passes it on:  make lang=yo augment mono='data/yo/*.txt'

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# CPU torch: this pin matches the wheel on the project machines' local disk (fast, no CUDA download).
# Elsewhere pip fetches it from PyPI; set TORCH= to skip, or TORCH='torch==X' for another build.
TORCH  ?= torch==2.13.0
lang   ?= yo
STAMP  := $(VENV)/.installed

.PHONY: setup browser augment rescore merge runs runs-clean test lint bench bench-filters eval eval-classify clean help

help:
	@echo "make lang=yo augment [mono=PATH] [parallel=PATH] [config=FILE] [set='k=v ...']"
	@echo "make lang=yo augment resume=out/yo/<run-id> | make runs | make runs-clean [yes=1] | make merge run=DIR"
	@echo "make rescore run=out/yo/latest set='filters.fluency.min_score=-1.8 ...'"
	@echo "make test | make lint | make bench | make bench-filters lang=yo | make clean"

# Reinstall only when the dependency list or the C extension (setup.py, lrl/filters/_lidwalk.c) changes.
$(STAMP): pyproject.toml setup.py lrl/filters/_lidwalk.c
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(if $(TORCH),$(BIN)/python -m pip install --quiet "$(TORCH)")
	$(BIN)/python -m pip install --quiet -e ".[dev,all]"
	touch $(STAMP)

setup: $(STAMP)

AUGMENT_ARGS = --lang $(lang) $(if $(mono),--mono $(mono)) $(if $(parallel),--parallel $(parallel)) \
	$(if $(mono_en),--mono-en $(mono_en)) \
	$(if $(config),--config $(config)) $(if $(exclude),--exclude $(exclude)) $(if $(out),--out $(out)) \
	$(foreach s,$(set),--set $(s)) $(if $(workers),--workers $(workers)) $(if $(executor),--executor $(executor)) $(if $(resume),--resume $(resume)) \
	$(if $(rank),--rank $(rank)) $(if $(world_size),--world-size $(world_size)) $(if $(run_id),--run-id $(run_id))

augment: $(STAMP)
	@echo "lrl augment $(strip $(AUGMENT_ARGS))"
	@$(BIN)/lrl augment $(AUGMENT_ARGS)

# Re-apply thresholds to a finished run from its stored scores (no models): a new run folder beside it.
rescore: $(STAMP)
	@test -n "$(run)" || { echo "usage: make rescore run=out/$(lang)/latest set='k=v ...'"; exit 2; }
	@$(BIN)/lrl rescore $(run) $(foreach s,$(set),--set $(s)) $(if $(score_missing),--score-missing)

# Complete a run whose Slurm ranks are all done (the last rank normally does this itself).
merge: $(STAMP)
	$(BIN)/lrl merge $(run)

# Run folders and their state (complete / resumable / incomplete); runs-clean removes the unfinished ones.
runs: $(STAMP)
	$(BIN)/lrl runs list $(if $(out),--out $(out)) $(if $(filter command line,$(origin lang)),--lang $(lang))

runs-clean: $(STAMP)
	$(BIN)/lrl runs clean $(if $(out),--out $(out)) $(if $(filter command line,$(origin lang)),--lang $(lang)) \
		$(if $(yes),--yes)

test: $(STAMP) browser
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The report test opens report.html in headless Chromium. Install Debian's package when it is missing and
# apt can (root); otherwise that test skips and says why.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "chromium not installed and apt-get unavailable: the report.html browser test will skip"

lint: $(STAMP)
	$(BIN)/ruff check lrl
	$(BIN)/mypy lrl

# Downstream proof: seed only vs seed + lrl data, sacrebleu with paired bootstrap. Settings come from
# eval/configs/$(lang).toml (or config=FILE); quick=1 runs in seconds on a small slice; model=marian
# minutes=N trains the bootstrap transformer per system and direction (see eval/configs/yo-marian.toml).
EVAL_CONFIG = $(if $(config),$(config),eval/configs/$(lang).toml)
# The committed results: eval/results/<config>[-<model>][-quick].md (`lrl eval` alone writes under out/eval/).
EVAL_RESULTS = eval/results/$(basename $(notdir $(EVAL_CONFIG)))$(if $(filter-out ibm1,$(model)),-$(subst +,,$(model)))$(if $(quick),-quick).md
eval: $(STAMP)
	$(BIN)/lrl eval --lang $(lang) --config $(EVAL_CONFIG) $(if $(quick),--quick) \
		$(if $(model),--model $(model)) $(if $(minutes),--minutes $(minutes)) \
		--results $(EVAL_RESULTS) \
		--label "make eval lang=$(lang)$(if $(config), config=$(config))$(if $(quick), quick=1)$(if $(model), model=$(model))$(if $(minutes), minutes=$(minutes))"

# Translate-train topic classification (issue 14): English MasakhaNEWS forward-translated by lrl, a TF-IDF +
# logistic-regression classifier trained on real / synthetic / both, scored on a held-out split of the real
# data (eval/configs/classify-$(lang).toml), or on test=PATH (any MasakhaNEWS-format file); quick=1: seconds.
CLASSIFY_RESULTS = eval/results/classify-$(lang)$(if $(test),-on-$(basename $(notdir $(test))))$(if $(quick),-quick).md
eval-classify: $(STAMP)
	$(BIN)/lrl eval-classify --lang $(lang) --config eval/configs/classify-$(lang).toml \
		$(if $(test),--test $(test)) $(if $(quick),--quick) --results $(CLASSIFY_RESULTS) \
		--label "make eval-classify lang=$(lang)$(if $(test), test=$(test))$(if $(quick), quick=1)"

# Throughput and memory as ratios measured in one run, A/B interleaved, median (min-max) of 3 rounds, machine
# and load written next to them, into eval/bench/results.md (eval/bench/bench_speed.py; issue 11): the filter
# chain vs OpusFilter 3.3.1 (installed on first use into eval/bench/.venv-opusfilter, needs PyPI once), bt vs
# raw CTranslate2, forced vs round-trip scoring, peak RSS at two sizes with per-stage time, thread layouts,
# language-ID backends. Full: ~40-60 min on 2 shared cores; quick=1: a smoke check in ~5 min
# (results-quick.md). Sizes: bench_args='--pairs 100000 --rss 10000,200000 --rounds 5'; section 1 runs the
# filter chain in one process and with one worker per core vs OpusFilter (--chain equiv,equiv2,all; issue 11).
# Not part of make test.
bench: $(STAMP)
	PYTHONPATH=. $(BIN)/python eval/bench/bench_speed.py $(if $(quick),--quick) $(bench_args)
	PYTHONPATH=. $(BIN)/python eval/bench/bench_workers.py $(if $(quick),--repeat 1)

# The filters' scoreboard (issue 9): labelled noise from ../shared data through the real filters; per class
# the share rejected, written to eval/filters/results/$(lang).md. clean=PATH seed=PATH n=300 rebuild it
# from other data (clean test pairs, the training pairs the quality models learn from, rows per class);
# foreign='ha=PATH am=PATH' other languages, mono=PATH|none text for bt-real, results=DIR elsewhere.
BENCH_FILTERS_ARGS = $(if $(clean), clean=$(clean))$(if $(seed), seed=$(seed))$(if $(n), n=$(n))$(if $(foreign), foreign='$(foreign)')$(if $(mono), mono=$(mono))$(if $(results), results=$(results))$(if $(set), set='$(set)')
bench-filters: $(STAMP)
	$(BIN)/python eval/filters/bench.py --lang $(lang) $(if $(clean),--clean $(clean)) \
		$(if $(seed),--seed $(seed)) $(if $(n),--n $(n)) $(foreach f,$(foreign),--foreign $(f)) \
		$(if $(mono),--mono $(mono)) $(if $(results),--results $(results)) $(foreach s,$(set),--set $(s)) \
		--command-line "make bench-filters lang=$(lang)$(BENCH_FILTERS_ARGS)"

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
