#!/usr/bin/env bash
# Filter-lock benchmark: klpcheck (1 and 2 threads) vs SPIN vs Rumur on the
# same model (Sources/KLPEngine/KLPEngine.docc/FilterLock.md; Models/bench/filter-lock.{pml,m}).
#
# Usage (from the repo root):  Models/bench/run-bench.sh [N]      (N defaults to 5)
# Writes Reports/bench.md.
#
# Environment knobs (all optional):
#   KLP_SKIP_BUILD=1   do not run `swift build -c release` (use the existing binary)
#   KLP_BIN=path       klpcheck binary (default .build/release/klpcheck)
#   SPIN_BFS=0         skip the extra SPIN breadth-first run (it gives the BFS depth)
#   SPIN_DEPTH=M       initial pan -m (DFS stack depth; grown x4 automatically if too small)
#   SPIN_HASH=W        pan -w (default 27)
#   REPORT=path        report file (default Reports/bench.md)
#
# Every tool is optional: a missing or failing tool is skipped with a note in the
# report. Peak RSS comes from GNU time (`/usr/bin/time -v`, "Maximum resident set size").
set -euo pipefail

N="${1:-5}"
if ! [[ "$N" =~ ^[0-9]+$ ]] || (( N < 2 )); then
  echo "usage: $0 [N>=2]" >&2; exit 2
fi
if [[ ! -f Models/bench/filter-lock.pml || ! -f Models/bench/filter-lock.m ]]; then
  echo "$0: run from the repository root (Models/bench/filter-lock.{pml,m} not found)" >&2; exit 2
fi

ROOT="$(pwd)"
INVOCATION="$0${*:+ $*}"
REPORT="${REPORT:-Reports/bench.md}"
KLP_BIN="${KLP_BIN:-.build/release/klpcheck}"
SPIN_BFS="${SPIN_BFS:-1}"
SPIN_HASH="${SPIN_HASH:-27}"
if [[ -n "${SPIN_DEPTH:-}" ]]; then :; elif (( N <= 4 )); then SPIN_DEPTH=100000; else SPIN_DEPTH=2000000; fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/klp-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
RESULTS="$WORK/results.jsonl"   # one JSON object per table row
NOTES="$WORK/notes.txt"         # one Markdown bullet per line
VERSIONS="$WORK/versions.txt"
: >"$RESULTS"; : >"$NOTES"; : >"$VERSIONS"

note() { printf '%s\n' "$*" >>"$NOTES"; echo "note: $*" >&2; }
log()  { echo "== $*" >&2; }

command -v python3 >/dev/null || { echo "$0: python3 is required" >&2; exit 2; }

HAVE_TIME=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then HAVE_TIME=1
else note "GNU time (/usr/bin/time -v) not available: peak RSS not measured (apt-get install time)."; fi

# run_timed OUT TIMEFILE cmd...: stdout+stderr of cmd to OUT, GNU time report to TIMEFILE.
# Returns the command's exit status (never aborts the script).
run_timed() {
  local out="$1" tf="$2"; shift 2
  local rc=0
  if (( HAVE_TIME )); then
    /usr/bin/time -v -o "$tf" "$@" >"$out" 2>&1 || rc=$?
  else
    : >"$tf"; "$@" >"$out" 2>&1 || rc=$?
  fi
  return "$rc"
}

CC="$(command -v cc || command -v gcc || true)"

# ---------------------------------------------------------------- helper (python)
cat >"$WORK/bench.py" <<'PY'
import json, re, sys, os

EXPECTED = {3: (2492, 6487, 47), 4: (125895, 417366, 100), 5: (8911864, 36388488, 181)}

def peak_rss_kib(timefile):
    try:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(timefile).read())
        return int(m.group(1)) if m else None
    except OSError:
        return None

def wall_seconds(timefile):
    try:
        m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", open(timefile).read())
    except OSError:
        return None
    if not m:
        return None
    s = 0.0
    for part in m.group(1).split(":"):
        s = s * 60 + float(part)
    return s

def emit(results, row):
    with open(results, "a") as f:
        f.write(json.dumps(row) + "\n")

def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)

def parse_spin(results, tool, out, timefile):
    text = open(out).read()
    def grab(pat, conv=int):
        m = re.search(pat, text)
        return conv(m.group(1)) if m else None
    states = grab(r"(\d+) states, stored")
    trans = grab(r"(\d+) transitions \(= stored\+matched\)")
    depth = grab(r"depth reached (\d+)")
    errors = grab(r"errors: (\d+)")
    secs = grab(r"pan: elapsed time ([\d.eE+-]+) seconds", float)
    if states is None or trans is None:
        fail("could not parse pan output")
    wall = wall_seconds(timefile)
    if secs is None:
        secs = wall
    elif secs == 0:
        secs = None   # below pan's 0.01 s resolution
    row = dict(tool=tool, threads=1, states=states, transitions=trans, fired=trans - 1,
               depth=depth, seconds=secs, wall=wall, rss_kib=peak_rss_kib(timefile),
               verdict="ok" if errors == 0 else "violation (%s errors)" % errors,
               incomplete="max search depth too small" in text)
    emit(results, row)

def parse_rumur(results, tool, threads, out, timefile):
    text = open(out).read()
    m = re.search(r"(\d+) states, (\d+) rules fired in (\d+)s", text)
    if not m:
        fail("could not parse rumur output")
    states, fired, isecs = int(m.group(1)), int(m.group(2)), int(m.group(3))
    wall = wall_seconds(timefile)
    bits = re.search(r"size of each state is (\d+) bits", text)
    row = dict(tool=tool, threads=int(threads), states=states, transitions=fired, fired=fired,
               depth=None, seconds=wall if wall else (float(isecs) if isecs else None), wall=wall,
               rss_kib=peak_rss_kib(timefile),
               verdict="ok" if "No error found" in text else "violation",
               state_bits=int(bits.group(1)) if bits else None)
    emit(results, row)

def find_stats(obj):
    if isinstance(obj, dict):
        if "states" in obj and "transitions" in obj:
            return obj
        for v in obj.values():
            r = find_stats(v)
            if r is not None:
                return r
    return None

def find_key(obj, key):
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        for v in obj.values():
            r = find_key(v, key)
            if r is not None:
                return r
    return None

def parse_klp(results, threads, out, timefile):
    text = open(out).read()
    doc = None
    try:
        doc = json.loads(text)
    except ValueError:
        # the JSON document may be preceded/followed by other lines
        start = text.find("{")
        end = text.rfind("}")
        if start >= 0 and end > start:
            try:
                doc = json.loads(text[start:end + 1])
            except ValueError:
                doc = None
    stats = find_stats(doc) if doc is not None else None
    if stats is None:
        fail("no JSON with states/transitions in klpcheck output")
    verdict = find_key(doc, "verdict")
    row = dict(tool="klpcheck", threads=int(stats.get("threads", threads)),
               states=int(stats["states"]), transitions=int(stats["transitions"]),
               fired=int(stats["transitions"]), depth=stats.get("depth"),
               seconds=float(stats.get("seconds") or 0) or wall_seconds(timefile),
               sps=stats.get("statesPerSecond"), bps=stats.get("bytesPerState"),
               klp_peak=stats.get("peakMemoryBytes"), visited=find_key(doc, "visited"),
               wall=wall_seconds(timefile), rss_kib=peak_rss_kib(timefile),
               verdict=verdict if isinstance(verdict, str) else json.dumps(verdict))
    emit(results, row)

def fmt_int(v):
    return "n/a" if v is None else "{:,}".format(int(v))

def fmt_f(v, digits=2):
    return "n/a" if v is None else ("{:,.%df}" % digits).format(v)

def report(results, notes, versions, out, n, invocation, date, machine):
    n = int(n)
    rows = [json.loads(l) for l in open(results) if l.strip()]
    for r in rows:
        if not r.get("sps"):
            r["sps"] = r["states"] / r["seconds"] if r.get("seconds") else None
        r["rss_mib"] = r["rss_kib"] / 1024.0 if r.get("rss_kib") else None
        if r["tool"] != "klpcheck" or r.get("bps") is None:
            r["bps"] = r["rss_kib"] * 1024.0 / r["states"] if r.get("rss_kib") and r["states"] else None
    exp = EXPECTED.get(n)
    extra = []
    L = []
    L.append("# Filter-lock benchmark (N = %d)\n" % n)
    L.append("Model: Peterson's filter lock as specified in `Sources/KLPEngine/KLPEngine.docc/FilterLock.md`; "
             "Promela `Models/bench/filter-lock.pml`, Murphi `Models/bench/filter-lock.m`, "
             "klpcheck's built-in `filter-lock`.\n")
    L.append("- Command: `%s` (run from the repository root)" % invocation)
    L.append("- Date: %s" % date)
    for m in machine:
        L.append("- %s" % m)
    for v in open(versions).read().splitlines():
        if v.strip():
            L.append("- %s" % v)
    L.append("")
    L.append("| tool | threads | states | transitions | depth | seconds | states/s | peak RSS MiB | bytes/state |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        tool = r["tool"]
        trans = fmt_int(r["transitions"])
        if tool.startswith("spin"):
            trans += " ¹"
        depth = fmt_int(r["depth"]) if r.get("depth") is not None else "n/a ²"
        if tool == "spin (DFS)" and r.get("depth") is not None:
            depth += " ³"
        bps = fmt_f(r["bps"], 1) if r.get("bps") is not None else "n/a"
        if r.get("bps") is not None:
            bps += " ⁴" if tool == "klpcheck" else " ⁵"
        L.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (
            tool, r["threads"], fmt_int(r["states"]), trans, depth,
            fmt_f(r["seconds"], 3) if r.get("seconds") is not None else "<0.01",
            fmt_int(r["sps"]) if r.get("sps") else "n/a", fmt_f(r.get("rss_mib"), 1), bps))
    if not rows:
        L.append("| (no tool ran) | | | | | | | | |")
    L.append("")
    L.append("¹ SPIN prints `transitions (= stored+matched)`: the initial state is counted as a stored "
             "state without a transition firing, so SPIN's number is one more than the actions fired "
             "(the spec's count / Rumur's \"rules fired\"); actions fired = SPIN transitions − 1.  ")
    L.append("² Rumur does not report a search depth.  ")
    L.append("³ Depth-first search: SPIN's depth is the maximum DFS stack depth, not the BFS level; "
             "the `spin (BFS)` row (pan compiled with `-DBFS`) gives the BFS depth comparable with klpcheck.  ")
    L.append("⁴ klpcheck's own `bytesPerState` (engine-accounted peak bytes ÷ states).  ")
    L.append("⁵ Peak RSS ÷ states (whole process, including SPIN's preallocated `-w` hash table and stacks).  ")
    L.append("Seconds: klpcheck's `seconds` (search), SPIN's `pan: elapsed time` (search); Rumur's own "
             "time has 1 s resolution, so its row uses the verifier process's wall-clock time from GNU time.\n")

    def get(tool, threads):
        for r in rows:
            if r["tool"] == tool and r["threads"] == threads:
                return r
        return None
    k1, k2, sp, ru1 = get("klpcheck", 1), get("klpcheck", 2), get("spin (DFS)", 1), get("rumur", 1)
    L.append("## Ratios\n")
    def ratio(a, b, label, why):
        if a and b and a.get("sps") and b.get("sps"):
            L.append("- %s: **%.2f** (%s ÷ %s states/s)" % (label, a["sps"] / b["sps"], fmt_int(a["sps"]), fmt_int(b["sps"])))
        else:
            L.append("- %s: n/a (%s)" % (label, why))
    ratio(k1, sp, "klpcheck 1 thread ÷ SPIN (states/s)", "klpcheck or SPIN did not run")
    ratio(k2, k1, "klpcheck 2 threads ÷ 1 thread (states/s)", "klpcheck did not run")
    ratio(k1, ru1, "klpcheck 1 thread ÷ Rumur 1 thread (states/s)", "klpcheck or Rumur did not run")
    L.append("")

    L.append("## Checks\n")
    if exp:
        L.append("Expected for N = %d (KLPEngine.docc, FilterLock): %s states, %s transitions (actions fired), depth %d." % (
            n, fmt_int(exp[0]), fmt_int(exp[1]), exp[2]))
        L.append("")
        for r in rows:
            ok_s = r["states"] == exp[0]
            ok_t = r["fired"] == exp[1]
            d = r.get("depth")
            if r["tool"] == "spin (DFS)" or d is None:
                dtxt = "depth not comparable" if d is not None else "no depth"
                ok_d = True
            else:
                ok_d = d == exp[2]
                dtxt = "depth %s" % ("ok" if ok_d else "MISMATCH (%s)" % d)
            good = ok_s and ok_t and ok_d
            L.append("- %s, %d thread(s): states %s, transitions %s, %s; verdict %s%s" % (
                r["tool"], r["threads"], "ok" if ok_s else "MISMATCH",
                "ok" if ok_t else "MISMATCH", dtxt, r.get("verdict"),
                "" if good else " — **does not match the spec**"))
    else:
        L.append("No expected counts on file for N = %d (KLPEngine.docc, FilterLock lists N = 3, 4, 5)." % n)
    for r in rows:
        if r.get("incomplete"):
            L.append("- **%s: search truncated (max search depth too small)**" % r["tool"])
        if r["tool"] == "klpcheck" and r.get("klp_peak") and r.get("rss_kib"):
            extra.append("klpcheck %d thread(s): JSON peakMemoryBytes %s MiB; GNU-time peak RSS ÷ states = %s bytes/state; visited set %s." % (
                r["threads"], fmt_f(r["klp_peak"] / 1048576.0, 1),
                fmt_f(r["rss_kib"] * 1024.0 / r["states"], 1), r.get("visited")))
        if r.get("wall") is not None:
            extra.append("%s %d thread(s): process wall-clock %s s." % (r["tool"], r["threads"], fmt_f(r["wall"], 2)))
    L.append("")
    L.append("## Notes\n")
    for line in open(notes).read().splitlines() + extra:
        if line.strip():
            L.append("- " + line)
    L.append("")
    with open(out, "w") as f:
        f.write("\n".join(L))

if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "spin":
        parse_spin(*args)
    elif cmd == "rumur":
        parse_rumur(*args)
    elif cmd == "klp":
        parse_klp(*args)
    elif cmd == "report":
        report(*args[:7], machine=args[7:])
    else:
        fail("unknown command " + cmd)
PY
PY="python3 $WORK/bench.py"

# ---------------------------------------------------------------- klpcheck
run_klpcheck() {
  if [[ "${KLP_SKIP_BUILD:-0}" != 1 ]]; then
    if ! command -v swift >/dev/null; then
      note "klpcheck: \`swift\` not found, not built."
    else
      log "swift build -c release"
      if swift build -c release >"$WORK/swift-build.log" 2>&1; then
        echo "klpcheck: built with \`swift build -c release\` ($(swift --version 2>/dev/null | head -1))" >>"$VERSIONS"
      else
        note "klpcheck: \`swift build -c release\` failed, klpcheck skipped (no stale binary is run): $( (grep -m1 -E 'error:' "$WORK/swift-build.log" || tail -1 "$WORK/swift-build.log") | cut -c1-200 | tr '\`|' "' ")"
        return 0
      fi
    fi
  fi
  if [[ ! -x "$KLP_BIN" ]]; then
    note "klpcheck: binary \`$KLP_BIN\` not found — skipped."
    return 0
  fi
  local t rc
  for t in 1 2; do
    log "klpcheck N=$N threads=$t"
    rc=0
    run_timed "$WORK/klp-$t.out" "$WORK/klp-$t.time" \
      "$KLP_BIN" bench filter-lock --n "$N" --threads "$t" --format json --quiet || rc=$?
    if ! $PY klp "$RESULTS" "$t" "$WORK/klp-$t.out" "$WORK/klp-$t.time" 2>"$WORK/klp-$t.err"; then
      note "klpcheck $t thread(s): no usable result (exit status $rc): $(head -c 200 "$WORK/klp-$t.out" | tr '\n`|' '   ')"
    elif (( rc != 0 )); then
      note "klpcheck $t thread(s): exit status $rc (non-zero; e.g. a property violation)."
    fi
  done
}

# ---------------------------------------------------------------- SPIN
run_spin() {
  if ! command -v spin >/dev/null || [[ -z "$CC" ]]; then
    note "SPIN: \`spin\` or a C compiler not installed — skipped (apt-get install spin)."
    return 0
  fi
  echo "SPIN: $(spin -V 2>&1 | head -1); pan built with \`$(basename "$CC") -O2 -DSAFETY\` ($("$CC" --version | head -1))" >>"$VERSIONS"
  local d="$WORK/spin"
  mkdir -p "$d"
  cp Models/bench/filter-lock.pml "$d/"
  if ! (cd "$d" && spin -DN="$N" -a filter-lock.pml >spin.log 2>&1); then
    note "SPIN: \`spin -DN=$N -a\` failed: $(tail -1 "$d/spin.log")"; return 0
  fi
  # -w: gcc warns (falsely) about array bounds in pan.m; silence it.
  if ! (cd "$d" && "$CC" -w -O2 -DSAFETY -o pan pan.c >cc.log 2>&1); then
    note "SPIN: compiling pan.c failed: $(tail -1 "$d/cc.log")"; return 0
  fi
  local m="$SPIN_DEPTH" rc
  while :; do
    log "SPIN DFS N=$N ./pan -w$SPIN_HASH -m$m"
    rc=0
    (cd "$d" && run_timed pan.out pan.time ./pan -w"$SPIN_HASH" -m"$m") || rc=$?
    if grep -q "max search depth too small" "$d/pan.out" && (( m < 1000000000 )); then
      m=$(( m * 4 )); continue
    fi
    break
  done
  echo "SPIN DFS command: \`spin -DN=$N -a filter-lock.pml && cc -w -O2 -DSAFETY -o pan pan.c && ./pan -w$SPIN_HASH -m$m\`" >>"$NOTES"
  if ! $PY spin "$RESULTS" "spin (DFS)" "$d/pan.out" "$d/pan.time"; then
    note "SPIN: could not parse pan output (exit status $rc)."
  fi
  if [[ "$SPIN_BFS" == 1 ]]; then
    if (cd "$d" && "$CC" -w -O2 -DSAFETY -DBFS -o pan-bfs pan.c >cc-bfs.log 2>&1); then
      log "SPIN BFS N=$N ./pan-bfs -w$SPIN_HASH"
      rc=0
      (cd "$d" && run_timed pan-bfs.out pan-bfs.time ./pan-bfs -w"$SPIN_HASH") || rc=$?
      echo "SPIN BFS command: \`cc -w -O2 -DSAFETY -DBFS -o pan-bfs pan.c && ./pan-bfs -w$SPIN_HASH\`" >>"$NOTES"
      $PY spin "$RESULTS" "spin (BFS)" "$d/pan-bfs.out" "$d/pan-bfs.time" \
        || note "SPIN BFS: could not parse output (exit status $rc)."
    else
      note "SPIN BFS: compiling pan.c with -DBFS failed."
    fi
  fi
}

# ---------------------------------------------------------------- Rumur
run_rumur() {
  if ! command -v rumur >/dev/null || [[ -z "$CC" ]]; then
    note "Rumur: \`rumur\` or a C compiler not installed — skipped (apt-get install rumur)."
    return 0
  fi
  echo "Rumur: $(rumur --version 2>&1 | head -1); verifier built with \`$(basename "$CC") -std=c11 -O3 -march=native -mcx16 … -lpthread\`" >>"$VERSIONS"
  local d="$WORK/rumur" t rc
  local -a flags=(-std=c11 -O3 -march=native -mcx16)
  mkdir -p "$d"
  sed -E "s/^([[:space:]]*N:[[:space:]]*)[0-9]+;/\1$N;/" Models/bench/filter-lock.m >"$d/fl.m"
  if ! grep -qE "^[[:space:]]*N:[[:space:]]*$N;" "$d/fl.m"; then
    note "Rumur: could not set N=$N in filter-lock.m — skipped."; return 0
  fi
  for t in 1 2; do
    if ! rumur --deadlock-detection off --threads "$t" "$d/fl.m" --output "$d/fl$t.c" >"$d/rumur$t.log" 2>&1; then
      note "Rumur $t thread(s): code generation failed: $(tail -1 "$d/rumur$t.log")"; continue
    fi
    flags=(-std=c11 -O3 -march=native -mcx16)
    if ! "$CC" "${flags[@]}" -o "$d/fl$t" "$d/fl$t.c" -lpthread >"$d/cc$t.log" 2>&1; then
      flags=(-std=c11 -O3 -mcx16)
      if ! "$CC" "${flags[@]}" -o "$d/fl$t" "$d/fl$t.c" -lpthread -latomic >"$d/cc$t.log" 2>&1; then
        note "Rumur $t thread(s): compiling the verifier failed: $(grep -m1 error "$d/cc$t.log" | cut -c1-200)"; continue
      fi
    fi
    log "Rumur N=$N threads=$t"
    rc=0
    run_timed "$d/fl$t.out" "$d/fl$t.time" "$d/fl$t" || rc=$?
    $PY rumur "$RESULTS" rumur "$t" "$d/fl$t.out" "$d/fl$t.time" \
      || note "Rumur $t thread(s): could not parse verifier output (exit status $rc)."
  done
  echo "Rumur command: \`rumur --deadlock-detection off --threads T fl.m --output fl.c && cc ${flags[*]} -o fl fl.c -lpthread && ./fl\` (N set by editing \`const N\`)" >>"$NOTES"
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)"
run_klpcheck
run_spin
run_rumur
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)"

CPU_MODEL="$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || true)"
MEM_TOTAL="$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo 2>/dev/null || true)"
mkdir -p "$(dirname "$REPORT")"
$PY report "$RESULTS" "$NOTES" "$VERSIONS" "$REPORT" "$N" "$INVOCATION" \
  "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" \
  "Machine: $(nproc) CPUs (nproc), ${CPU_MODEL:-unknown CPU}, ${MEM_TOTAL:-? GiB} RAM, $(uname -sr)" \
  "Load average (1/5/15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER (other work on the machine skews timings)"
if [[ -x Models/bench/run-scaling.sh && -x "$KLP_BIN" ]]; then
  log "two threads against one, in pairs"
  { echo; KLP_BIN="$KLP_BIN" FILTER_N="$N" Models/bench/run-scaling.sh; } >>"$REPORT" || note "the scaling pairs failed"
fi
if [[ -x Models/scale/run-scale.sh && -x "$KLP_BIN" ]]; then
  log "livepatch scale models"
  { echo; KLP_BIN="$KLP_BIN" Models/scale/run-scale.sh; } >>"$REPORT" || note "the livepatch scale run failed"
fi
log "wrote $REPORT"
cat "$REPORT"
