#!/usr/bin/env bash
# Render time and size of the archival PDF: a 10-page record and a 200-step plan, release build.
# Usage: bench/pdf-render.sh   (prints BENCH lines; copy them into BENCHMARKS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/offcycle/target}"
cargo test --release -p server --test pdf bench_render_time_and_size -- --ignored --nocapture 2>&1 | grep '^BENCH'
