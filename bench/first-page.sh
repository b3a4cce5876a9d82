#!/usr/bin/env bash
# Fresh machine → first page: clones this checkout into a scratch folder and runs README command 1
# (scripts/dev.sh) with HOME set to an empty folder (no cargo registry cache, no cargo tools, no
# build directory); rustup's toolchain with its wasm32 target is the only prerequisite. Prints the
# seconds until / answers. Downloads every crate again and needs about 8 GB of scratch space.
#   bench/first-page.sh [SCRATCH_DIR]     (default /tmp/offcycle-first-page; removed afterwards)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
fresh=${1:-/tmp/offcycle-first-page}
rm -rf "$fresh"; mkdir -p "$fresh/bin" "$fresh/home"
rustup_bin=$(command -v rustup) || { echo "rustup is needed" >&2; exit 1; }
for t in cargo rustc rustup rustdoc; do ln -s "$rustup_bin" "$fresh/bin/$t"; done
git clone -q "$root" "$fresh/offcycle"
cd "$fresh/offcycle"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" HOME="$fresh/home"
export PATH="$fresh/home/.cargo/bin:$fresh/bin:/usr/local/bin:/usr/bin:/bin" OFFCYCLE_BIND=127.0.0.1:3077
unset CARGO_TARGET_DIR CARGO_HOME
start=$(date +%s)
scripts/dev.sh > "$fresh/dev.log" 2>&1 &
until curl -sf -o /dev/null http://127.0.0.1:3077/; do
  sleep 2
  if [ $(( $(date +%s) - start )) -gt 3600 ]; then echo "no first page within an hour" >&2; tail -20 "$fresh/dev.log" >&2; exit 1; fi
done
echo "first page after $(( $(date +%s) - start )) s"
grep -E "Finished|Installed" "$fresh/dev.log"
pkill -f "$fresh/home/.cache/offcycle/target/debug/server"
cd /; rm -rf "$fresh"
