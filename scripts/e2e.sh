#!/usr/bin/env bash
# Runs the Playwright suite against the server scripts/site.sh built: a fresh SQLite file and a
# free port for every run. Expects scripts/site.sh to have run (scripts/test.sh does).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target="${CARGO_TARGET_DIR:-$root/target}"
export E2E_SERVER_BIN="$target/debug/server"
[ -x "$E2E_SERVER_BIN" ] || { echo "no server binary at $E2E_SERVER_BIN: run scripts/site.sh" >&2; exit 1; }
export LEPTOS_SITE_ROOT="$root/target/site"
[ -f "$LEPTOS_SITE_ROOT/pkg/offcycle.wasm" ] || [ -f "$LEPTOS_SITE_ROOT/pkg/offcycle_bg.wasm" ] \
  || { echo "no browser bundle under $LEPTOS_SITE_ROOT/pkg: run scripts/site.sh" >&2; exit 1; }
work=$(mktemp -d)
# E2E_BACKEND=postgres runs the same suite against a fresh PostgreSQL database (TEST_DATABASE_URL
# names the server; scripts/postgres.sh starts one).
case "${E2E_BACKEND:-sqlite}" in
  sqlite)
    export E2E_DATABASE_URL="sqlite://$work/e2e.db"
    trap 'rm -rf "$work"' EXIT
    ;;
  postgres)
    admin="${TEST_DATABASE_URL:?TEST_DATABASE_URL must name a PostgreSQL server for E2E_BACKEND=postgres}"
    name="offcycle_e2e_$(date +%s)_$$"
    psql -q "$admin" -c "CREATE DATABASE $name" >/dev/null
    export E2E_DATABASE_URL="${admin%/*}/$name"
    trap 'psql -q "$admin" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null; rm -rf "$work"' EXIT
    ;;
  *) echo "E2E_BACKEND must be sqlite or postgres" >&2; exit 2 ;;
esac
echo "end-to-end against ${E2E_BACKEND:-sqlite}"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export E2E_PORT=$(free_port)
# The test identity provider (end2end/oidc/provider.mjs), on its own port.
export E2E_OIDC_PORT=$(free_port)
export E2E_OIDC_WORK_DIR="$work"
cd "$root/end2end"
npx playwright test "$@"
