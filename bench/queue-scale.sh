#!/usr/bin/env bash
# Storage at scale: seeds requests in bulk in steps (SCALE_SQLITE, default 10,000 and 100,000;
# SCALE_POSTGRES, default 10,000, 100,000 and 1,000,000) and times the dashboard list, the hosting
# queue, searches and one request's page after each step (100 runs each, p50/p95).
# Needs TEST_DATABASE_URL for PostgreSQL (scripts/postgres.sh prints it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/offcycle/target}"
cargo test --release -p server --test scale -- --ignored --nocapture --test-threads 1 2>&1 \
  | grep -E '^(\||Sqlite|Postgres|SUMMARY|$)'
