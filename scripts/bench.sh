#!/usr/bin/env bash
# The benchmarks behind docs/benchmarks.md, on the simulator's large synthetic cluster:
#   1. the tool layer against the physical floor (a plain serde_json parse of the same bytes):
#      wall-time medians, peak heap, output size, then criterion (coroot-tools/benches/tool_layer.rs);
#   2. the same ratio in instructions, under callgrind (repeatable on a busy machine);
#   3. end to end through MCP over stdio: startup, idle RSS, per-call latency minus the
#      simulator's time, peak RSS, output characters and the size of each answer line, side by
#      side with the PyPI peer mcp-coroot, then the heavy answers (20,000 log lines, a
#      10,000-span trace, 20 open incidents, a 64-disk node) grown from the recorded bodies
#      (coroot-mcp/benches/e2e.rs).
# Results land in target/bench/ (tool_layer.json, callgrind.tsv, e2e.json) and on stdout.
#
# Usage: scripts/bench.sh [--quick] [--no-peer] [--no-callgrind] [--criterion]
#   --quick         fewer runs, no callgrind
#   --no-peer       skip the peer (otherwise it is installed into target/bench/peer-venv)
#   --no-callgrind  skip the instruction counts (they take ~15 minutes)
#   --criterion     also run criterion's statistics for every tool (a few minutes)
# Env: PEER_VENV (a venv holding mcp-coroot), CALLGRIND_N (calls per callgrind run, default 3).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0 peer=1 callgrind=1 criterion=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 callgrind=0 ;;
    --no-peer) peer=0 ;;
    --no-callgrind) callgrind=0 ;;
    --criterion) criterion=1 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done
out=target/bench
mkdir -p "$out"

echo "## machine"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; memory: $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "kernel: $(uname -sr); rustc: $(rustc --version | cut -d' ' -f2); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "## tool layer vs the JSON floor"
if [ "$criterion" = 1 ]; then
  cargo bench -p coroot-tools --bench tool_layer
else
  cargo bench -p coroot-tools --bench tool_layer -- --summary
fi

if [ "$callgrind" = 1 ] && command -v valgrind >/dev/null; then
  echo "## instructions per call (callgrind): tool layer vs the JSON floor"
  bin=$(cargo bench -p coroot-tools --bench tool_layer --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "tool_layer" and m.get("executable"):
        print(m["executable"])')
  n=${CALLGRIND_N:-3}
  count() { # case mode n -> instructions
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" --callgrind "$1" "$2" "$3" 2>&1 |
      awk '/Collected/ {print $4}'
  }
  printf "case\tbase\ttool\tfloor\ttool_per_call\tfloor_per_call\tratio\n" > "$out/callgrind.tsv"
  for f in "$out"/fixtures/*.json; do
    c=$(basename "$f" .json)
    base=$(count "$c" base "$n"); tool=$(count "$c" tool "$n"); floor=$(count "$c" floor "$n")
    python3 - "$c" "$base" "$tool" "$floor" "$n" >> "$out/callgrind.tsv" <<'EOF'
import sys
c, base, tool, floor, n = sys.argv[1], *map(int, sys.argv[2:])
t, f = (tool - base) / n, (floor - base) / n
print(f"{c}\t{base}\t{tool}\t{floor}\t{t:.0f}\t{f:.0f}\t{t / f:.2f}")
EOF
  done
  column -t -s $'\t' "$out/callgrind.tsv"
fi

echo "## end to end through MCP (stdio)"
e2e_args=()
[ "$quick" = 1 ] && e2e_args+=(--runs 5 --peer-runs 3)
if [ "$peer" = 1 ]; then
  venv=${PEER_VENV:-$out/peer-venv}
  if [ ! -x "$venv/bin/mcp-coroot" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet mcp-coroot
  fi
  echo "peer: mcp-coroot $("$venv/bin/pip" show mcp-coroot | awk '/^Version/ {print $2}') (fastmcp $("$venv/bin/pip" show fastmcp | awk '/^Version/ {print $2}'), $("$venv/bin/python" --version))"
  e2e_args+=(--peer "$venv/bin/mcp-coroot")
fi
cargo bench -p coroot-mcp --bench e2e -- "${e2e_args[@]}"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
