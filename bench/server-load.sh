#!/usr/bin/env bash
# Load on loopback against the release server (wrk, 64 connections, 2 threads): a signed-in
# wizard page (session lookup + database read + SSR) versus the same bytes from a bare axum route
# of the same server process (no middleware; OFFCYCLE_BENCH_BARE_FILE), in the same run. Needs `cargo leptos build --release` and
# Debian's wrk (`apt-get install wrk`).
#   bench/server-load.sh [seconds]
set -euo pipefail
secs=${1:-15}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
. "$(dirname "$0")/lib.sh"
bare_file=$(mktemp)
start_server OFFCYCLE_BENCH_BARE_FILE="$bare_file"
trap 'kill $pid 2>/dev/null; rm -rf "$work" "$bare_file"' EXIT
ref=$(new_request 'Bench+request')
page="/requests/$ref/plan"
cookie=$(session_cookie)
curl -fs -b "$jar" "$base$page" > "$bare_file"
[ "$(wc -c < "$bare_file")" -gt 2000 ] || { echo "the wizard page did not render" >&2; exit 1; }
curl -fs "$base/bench/bare" | cmp -s - "$bare_file" || { echo "/bench/bare does not serve the page's bytes" >&2; exit 1; }
run() { wrk -t2 -c64 -d"${secs}s" --latency "$@"; }
parse() {
  python3 - "$@" <<'PY'
import re, sys
def read(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    def ms(label):
        m = re.search(rf"\s{label}\s+([\d.]+)(us|ms|s)", text)
        v = float(m.group(1))
        return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return rps, ms("50%"), ms("99%"), int(errors.group(1)) if errors else 0
wizard, bare = read(sys.argv[1]), read(sys.argv[2])
for label, (rps, p50, p99, errors) in [(sys.argv[3], wizard), ("the same bytes from a bare axum route (no middleware, no session)", bare)]:
    print(f"| {label} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {errors} |")
share = wizard[0] / bare[0] * 100
print(f"\nTargets: the wizard page at ≥ 50% of the bare route's rate — **{'met' if share >= 50 else 'missed'}** ({share:.0f}%); "
      f"p99 ≤ 10 ms at 64 connections — **{'met' if wizard[2] <= 10 else 'missed'}** ({wizard[2]:.1f} ms).")
PY
}
run -H "Cookie: offcycle_session=$cookie" "$base$page" > "$work/wizard.txt"
run "$base/bench/bare" > "$work/bare.txt"
printf 'wrk -t2 -c64 -d%ss --latency, %s, release build; wrk shares the machine with the server.\n\n| route | requests/s | p50 ms | p99 ms | non-2xx |\n| --- | --- | --- | --- | --- |\n' \
  "$secs" "$(nproc) vCPU"
parse "$work/wizard.txt" "$work/bare.txt" "signed-in wizard page ($page: session + database + SSR)"
