#!/usr/bin/env bash
# The GPU checks in one command, inside a time budget: back-translation throughput (issue #12) and
# transformer MT with and without lrl's data (issue #14 part 2). Needs the folder eval/gpu/prepare.py
# makes (gpu-carry/: data slices, lrl's synthetic rows, wheels); installs the wheels into /tmp and runs
# from this checkout (nothing is installed into the system Python).
#
#   bash eval/gpu/run.sh [--budget 540] [--carry gpu-carry] [--device cuda] [--out DIR] [--only bt|mt]
#   bash eval/gpu/run.sh --tiny --device cpu --carry /tmp/carry --out /tmp/res     # the CPU test
#
# Results: DIR/bt_throughput.json, DIR/mt.json, DIR/mt.md, DIR/hardware.txt, DIR/log.txt
# (DIR defaults to $OUT when set, else out/gpu). Each part's failure is logged and the other still runs.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUDGET=540 CARRY="$REPO/gpu-carry" DEVICE=cuda TINY="" ONLY="" DEST="${OUT:-$REPO/out/gpu}"
while [ $# -gt 0 ]; do
  case "$1" in
    --budget) BUDGET="$2"; shift 2 ;;
    --carry) CARRY="$2"; shift 2 ;;
    --device) DEVICE="$2"; shift 2 ;;
    --out) DEST="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --tiny) TINY=1; shift ;;
    *) echo "run.sh: unknown argument $1 (see the header of eval/gpu/run.sh)" >&2; exit 2 ;;
  esac
done
PY="${PYTHON:-python3}"
mkdir -p "$DEST"
LOG="$DEST/log.txt"
: > "$LOG"
say() { echo "$*" | tee -a "$LOG"; }
start=$(date +%s)
left() { echo $(( start + BUDGET - $(date +%s) )); }

if [ ! -f "$CARRY/data/train.tsv" ]; then
  say "no $CARRY/data/train.tsv: run python eval/gpu/prepare.py first (or give --carry DIR)"; exit 2
fi
# Wheels for what the GPU image lacks (CTranslate2), into a folder of their own.
SITE=""
if compgen -G "$CARRY/wheels/*.whl" > /dev/null; then
  SITE="$(mktemp -d /tmp/lrl-site.XXXX)"
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" \
    "$CARRY"/wheels/*.whl 2>&1 | tee -a "$LOG" || say "installing the wheels failed (see above)"
fi
export PYTHONPATH="$REPO${SITE:+:$SITE}${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
export LRL_CACHE="${LRL_CACHE:-$(mktemp -d /tmp/lrl-cache.XXXX)}"

HW="$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | head -1)"
[ -n "$HW" ] && HW="$HW; $(nproc) CPU cores" || HW="no GPU visible; $(nproc) CPU cores"
say "hardware: $HW"
echo "$HW" > "$DEST/hardware.txt"
"$PY" -c 'import ctranslate2, torch; print("ctranslate2", ctranslate2.__version__, "cuda devices:",
  ctranslate2.get_cuda_device_count(), "| torch", torch.__version__, "cuda:", torch.cuda.is_available())' \
  2>&1 | tee -a "$LOG"

TINY_BT=() TINY_MT=()
[ -n "$TINY" ] && TINY_BT=(--tiny) && TINY_MT=(--tiny --bootstrap-samples 50 --directions yo-en)
status=0
if [ "$ONLY" != "mt" ]; then
  # Building the 600M model (a minute or two) and translating 50k lines twice: 40% of the budget, fewer
  # lines (reported) if that is not enough; the timeout is the backstop.
  t=$(( BUDGET * 2 / 5 )); [ "$ONLY" = "bt" ] && t=$(left)
  say "== bt_throughput ($t s at most)"
  timeout "$(( t + 30 ))" "$PY" "$REPO/eval/gpu/bt_throughput.py" --data "$CARRY/data/mono.txt" \
    --device "$DEVICE" --seconds "$t" --hardware "$HW" --out "$DEST/bt_throughput.json" "${TINY_BT[@]}" \
    2>&1 | tee -a "$LOG"
  rc=${PIPESTATUS[0]}; [ "$rc" = 0 ] || { say "bt_throughput failed (exit $rc)"; status=1; }
fi
if [ "$ONLY" != "bt" ]; then
  # mt.py fits its 8 models' training into what its budget leaves after vocabulary, conversion, decoding
  # and scoring; the timeout is the backstop, 10 s later.
  t=$(left); [ "$t" -lt 30 ] && t=30
  say "== mt ($t s)"
  timeout "$(( t + 10 ))" "$PY" "$REPO/eval/gpu/mt.py" --data "$CARRY/data" --device "$DEVICE" --budget "$t" \
    --hardware "$HW" --work "$DEST/mt-work" --out "$DEST/mt.json" --results "$DEST/mt.md" "${TINY_MT[@]}" \
    2>&1 | tee -a "$LOG"
  rc=${PIPESTATUS[0]}; [ "$rc" = 0 ] || { say "mt failed (exit $rc)"; status=1; }
  rm -rf "$DEST/mt-work"  # the models: large, and nothing reads them afterwards
fi
say "done in $(( $(date +%s) - start )) s (budget $BUDGET s)"
exit $status
