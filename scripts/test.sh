#!/usr/bin/env bash
# The test suite: the house checks (formatting, clippy and rustdoc with warnings denied, file
# sizes and circles), every Rust test (unit, simulator-backed integration, end-to-end through
# the real binary), the static (musl) release binary when the target installs, the
# differential tier against a real Coroot when its binary is there (../shared/coroot/coroot, or
# COROOT_BIN), then third-party MCP clients against the binary.
# Installs what a fresh machine lacks: cargo-nextest, a venv with `mcp`, and Prometheus (Debian's
# package, for the real-Coroot tier) when the tier runs.
set -euo pipefail
cd "$(dirname "$0")/.."
# One pass over a clean tree gains nothing from incremental caches, which were half the target
# directory (1.7 of 3.7 GB) and once filled a CI disk; a caller may still set it.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}

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

echo "== static binary (x86_64-unknown-linux-musl), as the Dockerfile builds it"
# Installs the target and, as root on Debian, musl-tools (musl-gcc compiles ring's C parts);
# where neither can be had the step says so and moves on.
if ! command -v musl-gcc >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get install -y -qq musl-tools >/dev/null 2>&1 || true
fi
if command -v musl-gcc >/dev/null 2>&1 && rustup target add x86_64-unknown-linux-musl >/dev/null 2>&1; then
  cargo build --quiet --profile static-check --locked --target x86_64-unknown-linux-musl -p coroot-mcp
  static_bin=target/x86_64-unknown-linux-musl/static-check/coroot-mcp
  # A static(-pie) binary makes ldd say so; anything else lists the libraries it needs.
  if ! ldd "$static_bin" 2>&1 | grep -qE "statically linked|not a dynamic executable"; then
    echo "$static_bin is dynamically linked:" >&2
    ldd "$static_bin" >&2 || true
    exit 1
  fi
  "$static_bin" --version
  echo "   static: $(du -h "$static_bin" | cut -f1)"
else
  echo "   skipped: no musl target or musl-gcc here (Debian: apt-get install musl-tools)"
fi

# The real-Coroot tier (crates/coroot-mcp/tests/real, #[ignore]d in the plain test run): each
# scenario served by the simulator and by a real Coroot fed with the emitter's series, every
# tool's facts compared. Minutes of wall time, so only here.
COROOT_BIN=${COROOT_BIN:-../shared/coroot/coroot}
if [ -x "$COROOT_BIN" ]; then
  echo "== differential tests against a real Coroot ($COROOT_BIN)"
  if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
    echo "== installing prometheus (Debian's package, with promtool)"
    SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq prometheus >/dev/null
  fi
  COROOT_BIN=$(realpath "$COROOT_BIN") cargo nextest run -p coroot-mcp --test real --run-ignored only --no-capture
else
  echo "== real-Coroot tier skipped: no Coroot binary at $COROOT_BIN (set COROOT_BIN to run it)"
fi

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
