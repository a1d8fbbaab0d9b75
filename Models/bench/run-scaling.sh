#!/usr/bin/env bash
# Two threads against one, measured as pairs: each pair runs one thread, then
# two, back to back, so that both see the same load on the machine. Prints
# Markdown (the scaling part of Reports/bench.md): every pair's ratio, and
# the median, least and greatest of them. Run from the repository root after
# `swift build -c release` (Models/bench/run-bench.sh calls it).
#
#   Models/bench/run-scaling.sh [PAIRS]      PAIRS defaults to 5
#   FILTER_N=4 Models/bench/run-scaling.sh   the filter lock's N (default 5)
set -euo pipefail
KLP="${KLP_BIN:-.build/release/klpcheck}"
PAIRS="${1:-5}"
FILTER_N="${FILTER_N:-5}"
[[ -x "$KLP" ]] || { echo "$0: $KLP not found; run swift build -c release" >&2; exit 2; }
[[ "$PAIRS" =~ ^[1-9][0-9]*$ ]] || { echo "$0: PAIRS must be a positive whole number" >&2; exit 2; }

# rate THREADS COMMAND... -> the run's states/s (from its JSON)
rate() {
    local threads=$1
    shift
    "$KLP" "$@" --threads "$threads" --quiet --format json | python3 -c "import json, sys; print(json.load(sys.stdin)['statesPerSecond'])"
}

# pairs LABEL COMMAND... -> one Markdown table row per pair, then the summary line
pairs() {
    local label=$1
    shift
    local ratios=()
    echo "### $label"
    echo
    echo "Command: \`klpcheck $* --threads T\`"
    echo
    echo "| pair | 1 thread, states/s | 2 threads, states/s | ratio |"
    echo "|---|---|---|---|"
    for pair in $(seq 1 "$PAIRS"); do
        local one two
        one=$(rate 1 "$@")
        two=$(rate 2 "$@")
        local ratio
        ratio=$(python3 -c "print(f'{$two / $one:.2f}')")
        ratios+=("$ratio")
        python3 -c "print(f'| $pair | {int($one):,} | {int($two):,} | $ratio |')"
    done
    echo
    python3 - "${ratios[@]}" <<'PY'
import statistics, sys
r = sorted(float(x) for x in sys.argv[1:])
print(f"Two threads ÷ one thread over {len(r)} pairs: median **{statistics.median(r):.2f}**, least {r[0]:.2f}, greatest {r[-1]:.2f}.")
PY
    echo
}

echo "## Two threads against one"
echo
echo "Single runs on these 2-core machines vary by several per cent, so each ratio below comes from a pair of runs made back to back. Command: \`Models/bench/run-scaling.sh $PAIRS\`."
echo
pairs "Filter lock, N = $FILTER_N" bench filter-lock --n "$FILTER_N"
pairs "\`Models/scale/many-tasks.klp\`, symmetry off (paged)" verify Models/scale/many-tasks.klp --symmetry off
