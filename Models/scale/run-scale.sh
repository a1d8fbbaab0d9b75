#!/usr/bin/env bash
# Livepatch scale benchmark: prints Markdown (the livepatch part of
# Reports/bench.md). Run from the repository root after `swift build -c release`.
#
#   Models/scale/run-scale.sh            the scale models, the family and the growth table
#   KLP_FAMILY="4x4 5x4 5x5 6x6" Models/scale/run-scale.sh
#                                        the family table with the 6x6 world too
#                                        (default: 4x4 5x4 5x5)
#   KLP_FAMILY_RUNS="auto:auto" Models/scale/run-scale.sh
#                                        the family table's runs, REDUCTION:VISITED
#                                        (default: none:auto none:tree module-symmetry:auto exact:auto auto:auto)
#
# Every number comes from `klpcheck verify --format json` in this run.
set -euo pipefail
KLP="${KLP_BIN:-.build/release/klpcheck}"
[[ -x "$KLP" ]] || { echo "$0: $KLP not found; run swift build -c release" >&2; exit 2; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/klp-scale.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# verify FILE SYMMETRY THREADS [VISITED] -> one JSON line with the fields we report and the peak RSS.
verify() {
    local out="$WORK/out.json" rss="$WORK/rss.txt"
    /usr/bin/time -f "%M" -o "$rss" "$KLP" verify "$1" --symmetry "$2" --threads "$3" --visited "${4:-auto}" --reduction "${5:-auto}" --quiet --format json >"$out" || true
    python3 - "$out" "$rss" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["rssKiB"] = int(open(sys.argv[2]).read().split()[-1])
d["fullStates"] = (d.get("reduction") or {}).get("fullStates")
print(json.dumps({k: d[k] for k in ["states", "transitions", "depth", "seconds", "totalSeconds", "statesPerSecond", "bytesPerState", "verdict", "threads", "visited", "rssKiB", "fullStates"]}))
PY
}

RATES="$WORK/rates.txt"
row() {  # model symmetry threads [visited]: the full space (--reduction none), for the speed per state
    python3 - "$1" "$2" "$3" "$(verify "$1" "$2" "$3" "${4:-auto}" none)" "$RATES" <<'PY'
import json, sys
path, symmetry, threads, data, rates = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), sys.argv[5]
print(f"| `{path}` | {symmetry} | {data['visited']} | {threads} | {data['states']:,} | {data['transitions']:,} | {data['depth']} | "
      f"{data['seconds']:.3f} | {int(data['statesPerSecond']):,} | {data['bytesPerState']:.1f} | {data['rssKiB']/1024:.1f} | {data['verdict']} |")
with open(rates, "a") as f:
    f.write(f"{path} {data['visited']} {threads} {data['statesPerSecond']}\n")
PY
}

echo "## Livepatch scale models"
echo
echo "Command: \`Models/scale/run-scale.sh\` (called by \`Models/bench/run-bench.sh\`); \`klpcheck verify MODEL --symmetry off --reduction none --threads T\` (the full space: the speed per state)."
echo "Seconds and states/s cover the breadth-first search; the progress fixpoint runs after it."
echo
echo "| model | symmetry | visited | threads | states | transitions | depth | seconds | states/s | bytes/state | peak RSS MiB | verdict |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for model in Models/scale/many-tasks.klp Models/scale/three-patches.klp Models/scale/cumulative.klp; do
    for threads in 1 2; do row "$model" off "$threads"; done
done
# The same largest world over the plain hash set, for comparison.
for threads in 1 2; do row Models/scale/many-tasks.klp off "$threads" hash; done
echo
echo "Ratios, measured in this run:"
echo
python3 - "$RATES" <<'PY'
import sys
rates = {}
for line in open(sys.argv[1]):
    path, visited, threads, sps = line.split()
    rates[(path, visited, int(threads))] = float(sps)
for (path, visited, threads), sps in sorted(rates.items()):
    if threads == 2 and (path, visited, 1) in rates:
        one = rates[(path, visited, 1)]
        print(f"- `{path}` ({visited}): 2 threads ÷ 1 thread = **{sps / one:.2f}** ({int(sps):,} ÷ {int(one):,} states/s)")
paged, hashed = rates.get(("Models/scale/many-tasks.klp", "paged", 1)), rates.get(("Models/scale/many-tasks.klp", "hash", 1))
if paged and hashed:
    print(f"- `Models/scale/many-tasks.klp`, 1 thread: paged ÷ hash = **{paged / hashed:.2f}**")
PY
echo
echo "\`cumulative.klp\` reports the finding replaced-abandons-brackets; its bytes/state include rebuilding that trace (a second search that keeps the levels up to the trace's depth)."
echo

# The generated family (Models/scale/family/generate.sh): P patches, the
# last replace, M modules (one busy), 3 tasks. Kept as .klp.in so that the
# gate does not walk them; verified here from a temporary copy.
echo "## The scale family"
echo
echo "Worlds of \`Models/scale/family/generate.sh\`: P patches (the last \`replace\`), M modules (the first busy), 3 tasks, a may-fail \`pre_patch\` on vmlinux in every patch, objects on every other module; \`klpcheck verify WORLD --symmetry off --reduction R --threads T\`, all properties. \`--reduction module-symmetry\` folds the modules declared alike (the even ones, and the odd ones after the busy first: 5×4 folds {mod2, mod4}); \`auto\` also runs \`insmod\` and \`rmmod\` of every module that is not busy as one step each; \`full states\` is the full space's size each computes from its weights. Seconds cover the search; total seconds include the \`progress\` fixpoint."
echo
echo "| world | reduction | visited | threads | states | full states | transitions | seconds | total seconds | states/s | bytes/state | peak RSS MiB | verdict |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for size in ${KLP_FAMILY:-4x4 5x4 5x5}; do
    Models/scale/family/generate.sh "$WORK/family" "$size" >/dev/null
    src="$WORK/family/p${size%x*}-m${size#*x}.klp.in"
    mv "$src" "${src%.in}"
    # The full space over the default set and over tree compression, then module symmetry.
    for variant in ${KLP_FAMILY_RUNS:-none:auto none:tree module-symmetry:auto exact:auto auto:auto}; do
        reduction=${variant%:*} visited=${variant#*:}
        for threads in 1 2; do
            python3 - "$size" "$reduction" "$threads" "$(verify "${src%.in}" off "$threads" "$visited" "$reduction")" <<'PY'
import json, sys
size, reduction, threads, data = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
full = f"{data['fullStates']:,}" if data.get("fullStates") is not None else "?"
print(f"| {size} | {reduction} | {data['visited']} | {threads} | {data['states']:,} | {full} | {data['transitions']:,} | {data['seconds']:.3f} | "
      f"{data['totalSeconds']:.3f} | {int(data['statesPerSecond']):,} | {data['bytesPerState']:.1f} | {data['rssKiB']/1024:.1f} | {data['verdict']} |")
PY
        done
    done
done
echo

# Tasks counted (symmetry on), the full space: the default set pages over
# module states (LivepatchModel.pageField); the hash set for comparison.
echo "### 5×4 with tasks counted"
echo
echo "\`klpcheck verify p5-m4.klp --symmetry on --reduction none --threads T --visited V\`: \`auto\` takes the paged set, whose pages are three modules' states."
echo
echo "| world | visited | threads | states | seconds | total seconds | states/s | bytes/state | peak RSS MiB | verdict |"
echo "|---|---|---|---|---|---|---|---|---|---|"
Models/scale/family/generate.sh "$WORK/family" 5x4 >/dev/null
mv -f "$WORK/family/p5-m4.klp.in" "$WORK/family/p5-m4.klp"
for threads in 1 2; do
    for visited in auto hash; do
        python3 - "$threads" "$(verify "$WORK/family/p5-m4.klp" on "$threads" "$visited" none)" <<'PY'
import json, sys
threads, data = sys.argv[1], json.loads(sys.argv[2])
print(f"| 5x4 | {data['visited']} | {threads} | {data['states']:,} | {data['seconds']:.3f} | {data['totalSeconds']:.3f} | "
      f"{int(data['statesPerSecond']):,} | {data['bytesPerState']:.1f} | {data['rssKiB']/1024:.1f} | {data['verdict']} |")
PY
    done
done
echo

# Issue 16's series: three cumulative versions on vmlinux and 10 modules.
echo "## The cumulative series on 10 modules"
echo
echo "\`Models/scale/cumulative-series-m10.klp.in\` (3 \`replace\` versions with \`klp_state\` 1 at versions 1 to 3, vmlinux and 10 modules, the first busy, 3 tasks; 168 bits): \`klpcheck verify WORLD --threads 2\` with \`--reduction exact\`, which folds its nine alike modules and merges the loader steps of those nine (mod1 is busy), and counts the full space. The full space is far beyond a full search; its size comes from the orbits."
echo
echo "| world | threads | states | full states | transitions | seconds | total seconds | bytes/state | peak RSS MiB | verdict |"
echo "|---|---|---|---|---|---|---|---|---|---|"
cp Models/scale/cumulative-series-m10.klp.in "$WORK/series.klp"
python3 - "$(verify "$WORK/series.klp" on 2 auto exact)" <<'PY'
import json, sys
data = json.loads(sys.argv[1])
print(f"| cumulative-series-m10 | {data['threads']} | {data['states']:,} | {data['fullStates']:,} | {data['transitions']:,} | {data['seconds']:.3f} | "
      f"{data['totalSeconds']:.3f} | {data['bytesPerState']:.1f} | {data['rssKiB']/1024:.1f} | {data['verdict']} |")
PY
echo

# The growth table: one world, growing one dimension at a time.
world() {  # tasks patches modules
    local tasks=$1 patches=$2 modules=$3 file="$WORK/w-$1-$2-$3.klp"
    {
        echo "tasks $tasks"
        for m in $(seq 1 "$modules"); do echo "module mod$m"; done
        for p in $(seq 1 "$patches"); do
            echo "patch fix$p"
            echo "  object vmlinux: pre_patch post_patch pre_unpatch post_unpatch"
            for m in $(seq 1 "$modules"); do echo "  object mod$m: pre_patch post_patch pre_unpatch post_unpatch"; done
        done
    } >"$file"
    echo "$file"
}
count() { "$KLP" verify "$1" --symmetry "$2" --reduction none --threads 2 --quiet --format json | python3 -c "import json,sys; print(f\"{json.load(sys.stdin)['states']:,}\")"; }

echo "## How the state space grows"
echo
echo "Worlds of non-replace patches, each with a vmlinux object and one object per module (all four callbacks); states with symmetry on and off."
echo
echo "| tasks | patches | modules | states, symmetry on | states, symmetry off |"
echo "|---|---|---|---|---|"
for spec in "1 1 1" "2 1 1" "4 1 1" "8 1 1" "12 1 1" "2 2 1" "2 3 1" "2 1 2" "2 1 3" "4 2 2" "8 2 2"; do
    set -- $spec
    file=$(world "$1" "$2" "$3")
    echo "| $1 | $2 | $3 | $(count "$file" on) | $(count "$file" off) |"
done
echo
echo "Tasks multiply the states in transition by 2^tasks without symmetry and by tasks+1 with it; each patch multiplies the space by the ways it can be unloaded, listed (in any list position), in transition or retired; each module by its four loader states."
