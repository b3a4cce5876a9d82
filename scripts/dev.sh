#!/usr/bin/env bash
# README command 1: sets up the tools and runs Offcycle on an embedded SQLite file with a demo
# organisation (one person per role) and the built-in mail viewer at /dev/mail.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# The same build cache as the tests, so running the app after the tests (or before) is quick.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/offcycle/target}"
export LEPTOS_OUTPUT_NAME=offcycle
scripts/bootstrap.sh
export DATABASE_URL="${DATABASE_URL:-sqlite://$root/data/offcycle.db}"
export OFFCYCLE_DEMO="${OFFCYCLE_DEMO:-1}"
# Example requests in every state of the process (only into an empty database).
export OFFCYCLE_DEMO_REQUESTS="${OFFCYCLE_DEMO_REQUESTS:-1}"
echo "Building… (about 12 minutes the first time on two cores, seconds after that)"
scripts/site.sh
export LEPTOS_SITE_ROOT="$root/target/site"
echo "Open http://${OFFCYCLE_BIND:-127.0.0.1:3000}/"
exec "$CARGO_TARGET_DIR/debug/server"
