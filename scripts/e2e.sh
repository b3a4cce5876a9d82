#!/usr/bin/env bash
# Runs the Playwright suite against the server cargo-leptos built: a fresh SQLite file and a
# free port for every run. Expects `cargo leptos build` to have run (scripts/test.sh does).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target="${CARGO_TARGET_DIR:-$root/target}"
export E2E_SERVER_BIN="$target/debug/server"
[ -x "$E2E_SERVER_BIN" ] || { echo "no server binary at $E2E_SERVER_BIN: run cargo leptos build" >&2; exit 1; }
export LEPTOS_SITE_ROOT="$root/target/site"
[ -f "$LEPTOS_SITE_ROOT/pkg/offcycle.wasm" ] || [ -f "$LEPTOS_SITE_ROOT/pkg/offcycle_bg.wasm" ] \
  || { echo "no browser bundle under $LEPTOS_SITE_ROOT/pkg: run cargo leptos build" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export E2E_DB="$work/e2e.db"
export E2E_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cd "$root/end2end"
exec npx playwright test "$@"
