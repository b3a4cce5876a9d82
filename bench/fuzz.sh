#!/usr/bin/env bash
# Runs each fuzz target in fuzz/ for a bounded time (default 60 s each) with cargo-fuzz on stable
# Rust (`--sanitizer none`: libFuzzer's coverage-guided search without the nightly-only
# sanitizers). Prints one table row per target; exits non-zero on the first crash, leaving the
# input under fuzz/artifacts/.
#   bench/fuzz.sh [seconds-per-target]
set -euo pipefail
group() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz is missing: run scripts/bootstrap.sh --bench" >&2; exit 1; }
cd "$root/fuzz"
# Its own target directory: the coverage instrumentation rebuilds every crate.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/offcycle/fuzz-target}"
printf '| target | what it feeds | runs | coverage | crashes |\n| --- | --- | --- | --- | --- |\n'
for target in form_parsing token_parsing; do
  case $target in
    form_parsing) what="URL-encoded bodies → every wizard form and the CR form's sections, validated" ;;
    token_parsing) what="URL and header text → references, states, roles, statuses, canary steps, token hashes" ;;
  esac
  mkdir -p "corpus/$target"
  log=$(mktemp)
  if ! cargo fuzz run --sanitizer none "$target" "corpus/$target" -- -max_total_time="$secs" -print_final_stats=1 > "$log" 2>&1; then
    tail -40 "$log" >&2
    echo "| $target | $what | — | — | **crashed** (see fuzz/artifacts/$target) |"
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  printf '| %s | %s | %s in %s s | %s edges | 0 |\n' "$target" "$what" "$(group "${runs:-0}")" "$secs" "${cov:-?}"
  rm -f "$log"
done
