#!/usr/bin/env bash
# Load on loopback against the release server (wrk, 64 connections, 2 threads): a signed-in
# wizard page (session lookup + database read + SSR) versus the same bytes served as a static file
# by the same server (the bare route), in the same run. Needs `cargo leptos build --release` and
# Debian's wrk (`apt-get install wrk`).
#   bench/server-load.sh [seconds]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-15}
bin="${CARGO_TARGET_DIR:-$HOME/.cache/offcycle/target}/release/server"
[ -x "$bin" ] || { echo "no release server at $bin: run cargo leptos build --release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
site="$root/target/site"
DATABASE_URL="sqlite://$work/bench.db" OFFCYCLE_BIND="127.0.0.1:$port" OFFCYCLE_DEMO=1 OFFCYCLE_DEMO_PASSWORD=bench-password \
  LEPTOS_SITE_ROOT="$site" RUST_LOG=warn "$bin" > "$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work" "$site/pkg/bench-static.html"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
jar="$work/cookies"
call() { curl -fs -b "$jar" -c "$jar" -H 'Accept: application/json' -o /dev/null -D - "$base/api/$1" --data "$2"; }
call sign_in 'email=dev%40example.gov&password=bench-password' >/dev/null
ref=$(call start_request 'title=Bench+request&system=Portal' | sed -n 's/^location: \/requests\/\([^/]*\)\/triage.*/\1/ip' | tr -d '\r')
call answer_triage "reference=$ref&active_incident=yes&users_cannot_access=no&performance_degraded=no&security_or_quality_need=no" >/dev/null
page="/requests/$ref/plan"
cookie=$(awk '$6 == "offcycle_session" { print $7 }' "$jar")
curl -fs -b "$jar" "$base$page" > "$site/pkg/bench-static.html"
[ "$(wc -c < "$site/pkg/bench-static.html")" -gt 2000 ] || { echo "the wizard page did not render" >&2; exit 1; }
# The wizard page with the session cookie; the bare route (a public static path) without one, so
# the server does no session lookup for it.
run() { wrk -t2 -c64 -d"${secs}s" --latency "$@"; }
parse() {
  python3 - "$1" "$2" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
def ms(label):
    m = re.search(rf"\s{label}\s+([\d.]+)(us|ms|s)", text)
    v = float(m.group(1))
    return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"| {sys.argv[2]} | {rps:,.0f} | {ms('50%'):.2f} | {ms('99%'):.2f} | {errors.group(1) if errors else 0} |")
PY
}
run -H "Cookie: offcycle_session=$cookie" "$base$page" > "$work/wizard.txt"
run "$base/pkg/bench-static.html" > "$work/bare.txt"
printf 'wrk -t2 -c64 -d%ss, release build, %s, %s\n\n| route | requests/s | p50 ms | p99 ms | non-2xx |\n| --- | --- | --- | --- | --- |\n' \
  "$secs" "$(nproc) vCPU" "$(date -u +%Y-%m-%d)"
parse "$work/wizard.txt" "signed-in wizard page ($page: session + database + SSR)"
parse "$work/bare.txt" "the same bytes as a static file (bare route)"
