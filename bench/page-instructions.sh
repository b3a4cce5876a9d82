#!/usr/bin/env bash
# CPU instructions per signed-in wizard page (the page bench/server-load.sh loads), counted by
# valgrind's callgrind on the release server. On an idle machine the same binary and requests give
# the same count within about 1.5% (a busy one changes how often threads spin and wake: run it
# alone), so two builds can be compared where wrk's requests/s vary by 10-20% between runs.
# Needs Debian's valgrind (`apt-get install valgrind`).
#   bench/page-instructions.sh [requests]     (OFFCYCLE_BENCH_SERVER=<binary> picks a build)
# Prints the instructions per page; the profile stays in target/bench/page-instructions.out.1
# (`callgrind_annotate --inclusive=yes` it to see where they go).
set -euo pipefail
n=${1:-200}
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 1; }
. "$(dirname "$0")/lib.sh"
[ -x "$release_server" ] || { echo "no release server at $release_server: run cargo leptos build --release --precompress" >&2; exit 1; }
mkdir -p "$bench_root/target/bench" "$bench_root/target/site"
profile="$bench_root/target/bench/page-instructions.out"
rm -f "$profile" "$profile".*
# The mail and archive workers wake on a timer, not per request: kept asleep so that only pages
# are counted. Counting starts after the sign-in, the new request and five warm-up pages.
BENCH_WRAPPER="valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$profile" \
  start_server OFFCYCLE_MAIL_POLL_MS=3600000 OFFCYCLE_ARCHIVE_POLL_MS=3600000
page="/requests/$(new_request 'Bench+request')/plan"
for _ in 1 2 3 4 5; do curl -fs -b "$jar" -o /dev/null "$base$page"; done
callgrind_control -i on "$pid" >/dev/null 2>&1
for _ in $(seq 1 "$n"); do curl -fs -b "$jar" -o /dev/null "$base$page"; done
callgrind_control -i off "$pid" >/dev/null 2>&1
callgrind_control -d "$pid" >/dev/null 2>&1
for _ in $(seq 1 100); do [ -s "$profile.1" ] && grep -q '^totals:' "$profile.1" && break; sleep 0.1; done
total=$(callgrind_annotate "$profile.1" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
printf '%s pages: %s instructions, %s per page (%s)\n' "$n" "$total" "$((total / n))" "$page"
