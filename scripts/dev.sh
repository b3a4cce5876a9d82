#!/usr/bin/env bash
# README command 1: sets up the tools and runs Offcycle on an embedded SQLite file with a demo
# organisation (one person per role) and the built-in mail viewer at /dev/mail.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
scripts/bootstrap.sh
export DATABASE_URL="${DATABASE_URL:-sqlite://$root/data/offcycle.db}"
export OFFCYCLE_DEMO="${OFFCYCLE_DEMO:-1}"
echo "Building… then open http://${OFFCYCLE_BIND:-127.0.0.1:3000}/"
exec cargo leptos serve
