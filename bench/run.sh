#!/usr/bin/env bash
# The bench command: installs what it needs, builds release binaries, runs every benchmark and the
# resilience tests at bench strength, and writes BENCHMARKS.md from this one run (the figures,
# the machine, the commands; the readings under bench/notes/ go next to their figures).
#   bench/run.sh             the whole run (about 40 minutes on 2 vCPU)
#   BENCH_QUICK=1 bench/run.sh   shorter runs and smaller sizes, to check the command itself
#   bench/run.sh --write-only    rewrite BENCHMARKS.md from the last run's figures (target/bench)
#                                with the current notes, without measuring again
set -euo pipefail
write_only=0; [ "${1:-}" = "--write-only" ] && write_only=1
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/offcycle/target}"
export LEPTOS_OUTPUT_NAME=offcycle
tools="${OFFCYCLE_TOOLS_DIR:-$HOME/.cache/offcycle/tools}"
export PATH="$tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
out="$root/target/bench"
mkdir -p "$out"
step() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }
if [ "$write_only" = 0 ]; then
bash scripts/bootstrap.sh --bench
TEST_DATABASE_URL=$(bash scripts/postgres.sh)
export TEST_DATABASE_URL
if [ "${BENCH_QUICK:-0}" = 1 ]; then
  load_secs=5; sustained_secs=40; fuzz_secs=10
  export SCALE_SQLITE=1000,10000 SCALE_POSTGRES=1000,10000 RESILIENCE_TRIALS=50 RESILIENCE_ROUNDS=10 CLUSTER_REQUESTS=10 CLUSTER_SECS=5
else
  load_secs=15; sustained_secs=180; fuzz_secs=60
fi
step "release build (server + wasm, precompressed assets)"
started=$SECONDS
cargo leptos build --release --precompress > "$out/build.log" 2>&1 || { tail -40 "$out/build.log" >&2; exit 1; }
build_secs=$((SECONDS - started))
# Every part serves this binary, whatever later `cargo test --release` builds relink.
cp "$CARGO_TARGET_DIR/release/server" "$out/server"
export OFFCYCLE_BENCH_SERVER="$out/server"
# What the header needs, kept with the figures so --write-only can rewrite the file.
{
  echo "date='$(date -u '+%Y-%m-%d %H:%M UTC')'"
  echo "commit='$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!BENCHMARKS.md' ':!bench/notes' || echo ' (with uncommitted changes)')'"
  echo "build_secs=$build_secs load_secs=$load_secs sustained_secs=$sustained_secs fuzz_secs=$fuzz_secs quick=${BENCH_QUICK:-0}"
  echo "pg_version='$(psql "$TEST_DATABASE_URL" -tAc 'show server_version' | cut -d' ' -f1)'"
} > "$out/run.env"
# A part that fails is recorded as failed in its section; the others still run.
failed=0
part() { # title, output file, command...
  local title=$1 file=$2; shift 2
  step "$title"
  if ! "$@" > "$out/$file" 2> "$out/$file.log"; then
    { echo; echo "**FAILED** (exit status of \`$*\`; its last output:)"; echo; echo '```'; tail -20 "$out/$file.log"; echo '```'; } >> "$out/$file"
    failed=1
  fi
}
part "1. server under load" load.md bench/server-load.sh "$load_secs"
part "1. instructions per page" instructions.md bench/page-instructions.sh 200
part "2. browser bundle" bundle.md bench/bundle.sh
part "3. archival PDF" pdf.md bench/pdf-render.sh
part "4. storage at scale" scale.md bench/queue-scale.sh
part "5. lighthouse" lighthouse.md bench/lighthouse.sh
part "resilience tests" resilience.md bench/resilience.sh
part "sustained mixed load" sustained.md bench/sustained-load.sh "$sustained_secs"
part "fuzzing" fuzz.md bench/fuzz.sh "$fuzz_secs"
echo "failed=$failed" >> "$out/run.env"
fi
[ -f "$out/run.env" ] || { echo "no earlier run under $out: run bench/run.sh first" >&2; exit 1; }
# shellcheck disable=SC1091
. "$out/run.env"

note() { [ -f "bench/notes/$1.md" ] && { echo; cat "bench/notes/$1.md"; }; true; }
cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)
{
  echo "# Benchmarks"
  echo
  echo "Written by \`bench/run.sh\` (the bench command) from one run$([ "$quick" = 1 ] && echo ' (BENCH_QUICK=1: shortened, not the reference figures)'). Every figure is compared with its target; a missed target says so, with what profiling found."
  echo
  echo "| | |"
  echo "| --- | --- |"
  echo "| date | $date |"
  echo "| commit | $commit |"
  echo "| machine | $(nproc) vCPU ($cpu), $mem RAM, $(. /etc/os-release; echo "$PRETTY_NAME") |"
  echo "| toolchain | $(rustc --version | cut -d' ' -f1-2), cargo-leptos $(cargo leptos --version | awk '{print $2}'), PostgreSQL $pg_version, SQLite (bundled), Node $(node --version) |"
  echo "| release build | ${build_secs} s (\`cargo leptos build --release --precompress\`, warm cache) |"
  echo
  echo "## 1. Server under load"
  echo
  echo "\`bench/server-load.sh $load_secs\` — wrk on loopback against the release server (SQLite)."
  echo
  cat "$out/load.md"
  if [ -f "$out/instructions.md" ]; then
    echo
    echo "\`bench/page-instructions.sh 200\` — callgrind on the release server, the same page, counted alone: $(cat "$out/instructions.md")"
  fi
  note load
  echo
  echo "## 2. Browser bundle"
  echo
  echo "\`bench/bundle.sh\` — the first load of each kind of page (HTML + CSS + JS + WASM) as the release server sends it to a browser that accepts brotli."
  echo
  cat "$out/bundle.md"; note bundle
  echo
  echo "## 3. The archival PDF"
  echo
  echo "\`bench/pdf-render.sh\` — 30 renders each, from the record to finished PDF/A bytes, release build."
  echo
  cat "$out/pdf.md"; note pdf
  echo
  echo "## 4. Storage at scale"
  echo
  echo "\`bench/queue-scale.sh\` — requests seeded in bulk in steps; each query 100 times through the storage layer after each step."
  echo
  cat "$out/scale.md"; note scale
  echo
  echo "## 5. Lighthouse"
  echo
  echo "\`bench/lighthouse.sh\` — Lighthouse $("$tools/node_modules/.bin/lighthouse" --version) with Debian's chromium, mobile emulation (4× CPU slowdown, slow 4G, simulated), each kind of page, signed in as the person who opens it."
  echo
  cat "$out/lighthouse.md"; note lighthouse
  echo
  echo "## Resilience"
  echo
  echo "\`bench/resilience.sh\` — release build; each test on SQLite and on PostgreSQL."
  echo
  cat "$out/resilience.md"; note resilience
  echo
  echo "### Sustained mixed load"
  echo
  echo "\`bench/sustained-load.sh $sustained_secs\`"
  echo
  cat "$out/sustained.md"; note sustained
  echo
  echo "### Fuzzing"
  echo
  echo "\`bench/fuzz.sh $fuzz_secs\` — cargo-fuzz on stable Rust (\`--sanitizer none\`)."
  echo
  cat "$out/fuzz.md"; note fuzz
} > BENCHMARKS.md
step "wrote BENCHMARKS.md"
[ "${failed:-0}" = 0 ] || { step "a part failed: see BENCHMARKS.md"; exit 1; }
