#!/usr/bin/env bash
# The bench command: installs what it needs, builds release binaries, runs the benchmarks and the
# resilience tests at bench strength, and writes BENCHMARKS.md.
#
# Each part's figures are kept in bench/results/<part>.md, with the date, commit and command that
# produced them in bench/results/<part>.env; the readings and any later comparisons written by hand
# are in bench/notes/<part>.md. BENCHMARKS.md is written from those two folders alone, so running
# one part again, or only rewriting the file, keeps every other figure and every word of the notes.
#   bench/run.sh                  every part (about 40 minutes on 2 vCPU)
#   bench/run.sh load bundle      only the parts named (the others' figures stay as they were):
#                                 load instructions bundle pdf scale lighthouse resilience sustained fuzz
#   BENCH_QUICK=1 bench/run.sh    shorter runs and smaller sizes, to check the command itself (its
#                                 figures are marked as such in BENCHMARKS.md)
#   bench/run.sh --write-only     rewrite BENCHMARKS.md from bench/results and bench/notes
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/offcycle/target}"
export LEPTOS_OUTPUT_NAME=offcycle
tools="${OFFCYCLE_TOOLS_DIR:-$HOME/.cache/offcycle/tools}"
export PATH="$tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
out="$root/target/bench"
results="$root/bench/results"
all_parts=(load instructions bundle pdf scale lighthouse resilience sustained fuzz)
step() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }

write_only=0
parts=()
for arg in "$@"; do
  case "$arg" in
    --write-only) write_only=1 ;;
    *) [[ " ${all_parts[*]} " == *" $arg "* ]] || { echo "unknown part '$arg': one of ${all_parts[*]}" >&2; exit 2; }
       parts+=("$arg") ;;
  esac
done
[ "${#parts[@]}" -gt 0 ] || parts=("${all_parts[@]}")

if [ "$write_only" = 0 ]; then
  mkdir -p "$out" "$results"
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
  ran=$(date -u '+%Y-%m-%d %H:%M UTC')
  commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!BENCHMARKS.md' ':!bench/notes' ':!bench/results' || echo ' (with uncommitted changes)')"
  # The machine and tools of the latest run, for the file's header.
  {
    echo "ran='$ran'"
    echo "machine='$(nproc) vCPU ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM, $(. /etc/os-release; echo "$PRETTY_NAME")'"
    echo "toolchain='$(rustc --version | cut -d' ' -f1-2), cargo-leptos $(cargo leptos --version | awk '{print $2}'), PostgreSQL $(psql "$TEST_DATABASE_URL" -tAc 'show server_version' | cut -d' ' -f1), SQLite (bundled), Node $(node --version)'"
    echo "build_secs=$build_secs"
  } > "$results/machine.env"
  # A part that fails is recorded as failed in its section; the others still run.
  failed=0
  for name in "${parts[@]}"; do
    case "$name" in
      load) title="1. server under load"; command=(bench/server-load.sh "$load_secs") ;;
      instructions) title="1. instructions per page"; command=(bench/page-instructions.sh 200) ;;
      bundle) title="2. browser bundle"; command=(bench/bundle.sh) ;;
      pdf) title="3. archival PDF"; command=(bench/pdf-render.sh) ;;
      scale) title="4. storage at scale"; command=(bench/queue-scale.sh) ;;
      lighthouse) title="5. lighthouse"; command=(bench/lighthouse.sh) ;;
      resilience) title="resilience tests"; command=(bench/resilience.sh) ;;
      sustained) title="sustained mixed load"; command=(bench/sustained-load.sh "$sustained_secs") ;;
      fuzz) title="fuzzing"; command=(bench/fuzz.sh "$fuzz_secs") ;;
    esac
    step "$title"
    part_failed=0
    if ! "${command[@]}" > "$out/$name.md" 2> "$out/$name.log"; then
      { echo; echo "**FAILED** (exit status of \`${command[*]}\`; its last output:)"; echo; echo '```'; tail -20 "$out/$name.log"; echo '```'; } >> "$out/$name.md"
      part_failed=1; failed=1
    fi
    cp "$out/$name.md" "$results/$name.md"
    {
      echo "ran='$ran'"
      echo "commit='$commit'"
      echo "command='${command[*]}'"
      echo "quick=${BENCH_QUICK:-0}"
      echo "failed=$part_failed"
      [ "$name" != lighthouse ] || echo "lighthouse_version='$("$tools/node_modules/.bin/lighthouse" --version)'"
    } > "$results/$name.env"
  done
fi

[ -f "$results/machine.env" ] || { echo "no figures under bench/results: run bench/run.sh first" >&2; exit 1; }

# The date, commit and command of one part's figures, and the figures (a part never run: said so).
# shellcheck disable=SC1090
ran_of() { ( . "$results/$1.env"; echo "$ran at $commit$([ "$quick" = 1 ] && echo ', BENCH_QUICK=1: shortened, not reference figures')" ); }
command_of() { ( . "$results/$1.env"; echo "$command" ); }
figures() { # part, what the command does
  if [ -f "$results/$1.env" ]; then
    echo "\`$(command_of "$1")\` — $2 Figures of $(ran_of "$1")."
    echo
    cat "$results/$1.md"
  else
    echo "Not measured yet: \`bench/run.sh $1\`."
  fi
}
note() { [ -f "bench/notes/$1.md" ] && { echo; cat "bench/notes/$1.md"; }; true; }
# shellcheck disable=SC1091
. "$results/machine.env"
{
  echo "# Benchmarks"
  echo
  echo "Written by \`bench/run.sh\` (the bench command) from the figures in \`bench/results/\` and the readings in \`bench/notes/\`. Each section says the date, commit and command of its figures: a part can be run again alone (\`bench/run.sh <part>\`). Every figure is compared with its target; a missed target says so, with what profiling found."
  echo
  echo "| the latest run | |"
  echo "| --- | --- |"
  echo "| date | $ran |"
  echo "| machine | $machine |"
  echo "| toolchain | $toolchain |"
  echo "| release build | ${build_secs} s (\`cargo leptos build --release --precompress\`, warm cache) |"
  echo
  echo "## 1. Server under load"
  echo
  figures load "wrk on loopback against the release server (SQLite)."
  if [ -f "$results/instructions.env" ]; then
    echo
    echo "\`$(command_of instructions)\` — callgrind on the release server, the same page, counted alone ($(ran_of instructions)): $(cat "$results/instructions.md")"
  fi
  note load
  echo
  echo "## 2. Browser bundle"
  echo
  figures bundle "the first load of each kind of page (HTML + CSS + JS + WASM) as the release server sends it to a browser that accepts brotli."
  note bundle
  echo
  echo "## 3. The archival PDF"
  echo
  figures pdf "30 renders each, from the record to finished PDF/A-2a and PDF/UA-1 bytes (tagged: structure tree, marked content, artifacts), release build."
  note pdf
  echo
  echo "## 4. Storage at scale"
  echo
  figures scale "requests seeded in bulk in steps; each query 100 times through the storage layer after each step."
  note scale
  echo
  echo "## 5. Lighthouse"
  echo
  lighthouse_version=$( [ -f "$results/lighthouse.env" ] && . "$results/lighthouse.env"; echo "${lighthouse_version:-}" )
  figures lighthouse "Lighthouse $lighthouse_version with Debian's chromium, mobile emulation (4× CPU slowdown, slow 4G, simulated), each kind of page, signed in as the person who opens it."
  note lighthouse
  echo
  echo "## Resilience"
  echo
  figures resilience "release build; each test on SQLite and on PostgreSQL."
  note resilience
  echo
  echo "### Sustained mixed load"
  echo
  figures sustained "a mixed read and write load on the release server, memory sampled every second."
  note sustained
  echo
  echo "### Fuzzing"
  echo
  figures fuzz "cargo-fuzz on stable Rust (\`--sanitizer none\`)."
  note fuzz
} > BENCHMARKS.md
step "wrote BENCHMARKS.md"
[ "${failed:-0}" = 0 ] || { step "a part failed: see BENCHMARKS.md"; exit 1; }
