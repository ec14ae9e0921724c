#!/usr/bin/env bash
# Third-party MCP clients against the real coroot-mcp binary: the official Python SDK and
# TypeScript SDK (each validates every structuredContent against the tool's outputSchema on its
# own) over the ecommerce, empty and synthetic simulated Coroots, and a smoke call through the
# MCP Inspector CLI. Expects target/debug/coroot-mcp and coroot-sim, the Python venv in .venv
# and the npm packages in tests/e2e/node_modules (scripts/test.sh sets these up).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=target/debug
pids=()
logs=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -f "${logs[@]}"
}
trap cleanup EXIT

targets=()
for scenario in ecommerce empty synthetic; do
  log=$(mktemp)
  logs+=("$log")
  "$bin/coroot-sim" --listen 127.0.0.1:0 --scenario "$scenario" >"$log" 2>&1 &
  pids+=($!)
  url=""
  for _ in $(seq 300); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n 1 || true)
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "coroot-sim ($scenario) did not start: $(cat "$log")"; exit 1; }
  targets+=("$scenario=$url")
done

echo "== Python SDK (mcp 2.3.0)"
.venv/bin/python tests/e2e/python_sdk_client.py "$bin/coroot-mcp" "${targets[@]}"

echo "== TypeScript SDK (@modelcontextprotocol/sdk)"
node tests/e2e/ts_sdk_client.mjs "$bin/coroot-mcp" "${targets[@]}"

echo "== MCP Inspector CLI (smoke)"
ecommerce=${targets[0]#*=}
answer=$(tests/e2e/node_modules/.bin/mcp-inspector --cli \
  -e COROOT_URL="$ecommerce" -e COROOT_EMAIL=admin -e COROOT_PASSWORD=sim-password \
  --method tools/call --tool-name coroot_get_incidents --tool-arg lookback_hours=24 \
  -- "$bin/coroot-mcp" serve)
if grep -q '"structuredContent"' <<<"$answer" && grep -q 'q8w7e6r5' <<<"$answer"; then
  echo "PASS inspector: tools/call coroot_get_incidents"
else
  echo "FAIL inspector: tools/call coroot_get_incidents: ${answer:0:500}"
  exit 1
fi
