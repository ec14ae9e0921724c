#!/usr/bin/env bash
# The test suite: the house checks (formatting, clippy and rustdoc with warnings denied, file
# sizes and circles), every Rust test (unit, simulator-backed integration, end-to-end through
# the real binary), then a third-party MCP client (the official Python SDK) against the binary.
# Installs what a fresh machine lacks: cargo-nextest if missing, and a venv with `mcp`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "== installing cargo-nextest"
  cargo install --locked cargo-nextest
fi

echo "== house checks (fmt, clippy, rustdoc, file sizes and circles)"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps --quiet
python3 scripts/house.py

echo "== cargo nextest (workspace)"
cargo nextest run --workspace --no-fail-fast

echo "== third-party MCP clients (Python SDK, TypeScript SDK, Inspector CLI) against coroot-mcp"
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
if ! .venv/bin/python -c 'import mcp' >/dev/null 2>&1; then
  .venv/bin/pip install --quiet --disable-pip-version-check "mcp==2.3.0"
fi
if [ ! -d tests/e2e/node_modules/@modelcontextprotocol/sdk ]; then
  npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error
fi
cargo build --quiet -p coroot-mcp -p coroot-sim
tests/e2e/clients.sh
