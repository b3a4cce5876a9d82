#!/usr/bin/env bash
# The hosting queue at scale: seeds SCALE_N requests (default 100,000) in bulk into a fresh SQLite
# file and a fresh PostgreSQL database, then times the queue's queries (100 runs each, p50/p95).
# Needs TEST_DATABASE_URL for PostgreSQL (scripts/postgres.sh prints it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/offcycle/target}"
cargo test --release -p server --test scale -- --ignored --nocapture --test-threads 1 2>&1 \
  | grep -E '^(\||Sqlite|Postgres)'
