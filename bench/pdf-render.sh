#!/usr/bin/env bash
# Render time and size of the archival PDF: a 10-page record and a 200-step plan, release build
# (the ignored test bench_render_time_and_size in server/tests/pdf.rs). Prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/offcycle/target}"
cargo test -q --release -p server --test pdf bench_render_time_and_size -- --ignored --nocapture 2>&1 | grep '^|'
