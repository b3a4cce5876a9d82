#!/usr/bin/env bash
# README command 2 (and .ci/run): sets up the tools and runs every test.
#   formatting · clippy -D warnings (ssr, hydrate/wasm32, server) · the release tarball · unit + property tests ·
#   integration tests against SQLite and PostgreSQL · end-to-end in Chromium (JS on and off, axe).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# A target directory outside the checkout keeps repeat runs (and CI on a kept machine) warm.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/offcycle/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# The same value the site is compiled with (scripts/site.sh), so tests and the site share one build of leptos.
export LEPTOS_OUTPUT_NAME=offcycle
started=$(date +%s)
step() { printf '\n=== %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

# The shared build cache only grows (every clone's and branch's artifacts); when the disk runs
# low, drop the incremental data (rebuilt on demand) before it fills up mid-run.
free_kb=$(df -Pk "$(dirname "$CARGO_TARGET_DIR")" 2>/dev/null | awk 'NR==2 { print $4 }')
if [ -n "${free_kb:-}" ] && [ "$free_kb" -lt $((20 * 1024 * 1024)) ] && [ -d "$CARGO_TARGET_DIR" ]; then
  echo "under 20 GB free: removing incremental build data from $CARGO_TARGET_DIR"
  rm -rf "$CARGO_TARGET_DIR"/debug/incremental "$CARGO_TARGET_DIR"/release/incremental "$CARGO_TARGET_DIR"/front/*/incremental
  # Old test binaries are most of the rest (one per test file per build, ~0.5 GB each): keep
  # the newest of each name (cargo relinks what it needs).
  if [ -d "$CARGO_TARGET_DIR/debug/deps" ]; then
    (cd "$CARGO_TARGET_DIR/debug/deps" &&
      find . -maxdepth 1 -type f -perm -u+x -regextype posix-extended -regex './[a-z_]+-[0-9a-f]{16}' -printf '%T@ %f\n' |
      sort -rn | awk '{ name = $2; sub(/-[0-9a-f]+$/, "", name); if (seen[name]++) print $2 }' | xargs -r rm -f)
  fi
fi

step "tools"
scripts/bootstrap.sh --test

step "PostgreSQL"
TEST_DATABASE_URL=$(scripts/postgres.sh)
export TEST_DATABASE_URL

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy: app (ssr), app (hydrate, wasm32), server (with tests)"
cargo clippy -p app --features ssr --all-targets -- -D warnings
cargo clippy -p app --features hydrate --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p server --all-targets -- -D warnings

step "build the site (server + wasm + css)"
scripts/site.sh

step "package: the tarball serves from an empty folder; its systemd unit verifies"
scripts/package-check.sh

step "unit, property and integration tests (SQLite and PostgreSQL)"
cargo test -p app --features ssr
# The domain is shared with the browser: its tests run again with the browser's feature set.
cargo test -p app --features hydrate --lib domain
cargo test -p server

step "end-to-end on SQLite (Chromium; every spec with JavaScript on and off; axe)"
E2E_BACKEND=sqlite scripts/e2e.sh

step "end-to-end on PostgreSQL"
E2E_BACKEND=postgres scripts/e2e.sh

step "all tests passed"
