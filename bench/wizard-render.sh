#!/usr/bin/env bash
# Median time for the release server to render each wizard page (session lookup + database read +
# SSR), measured with curl from loopback, one request at a time. Needs `cargo leptos build --release`.
#   bench/wizard-render.sh [requests-per-page]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-200}
bin="${CARGO_TARGET_DIR:-$HOME/.cache/offcycle/target}/release/server"
[ -x "$bin" ] || { echo "no release server at $bin: run cargo leptos build --release" >&2; exit 1; }
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATABASE_URL="sqlite://$work/bench.db" OFFCYCLE_BIND="127.0.0.1:$port" OFFCYCLE_DEMO=1 OFFCYCLE_DEMO_PASSWORD=bench-password \
  LEPTOS_SITE_ROOT="$root/target/site" RUST_LOG=warn "$bin" > "$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
jar="$work/cookies"
call() { curl -fs -b "$jar" -c "$jar" -H 'Accept: application/json' -o /dev/null -D - "$base/api/$1" --data "$2"; }
call sign_in 'email=dev%40example.gov&password=bench-password' >/dev/null
ref=$(call start_request 'title=Bench+request&system=Portal' | sed -n 's/^location: \/requests\/\([^/]*\)\/triage.*/\1/ip' | tr -d '\r')
call answer_triage "reference=$ref&active_incident=yes&users_cannot_access=no&performance_degraded=no&security_or_quality_need=no" >/dev/null
call save_plan_step "reference=$ref&base_version=0&step%5Baction%5D=Deploy&step%5Bcommands%5D=kubectl+apply&step%5Bowner%5D=Hosting&step%5Bexpected_result%5D=Ready&step%5Bverification%5D=curl&step%5Brollback%5D=undo&step%5Bestimated_minutes%5D=10" >/dev/null
printf '%s requests per page, release build, %s\n\n| page | median ms | p95 ms | HTML |\n| --- | --- | --- | --- |\n' "$n" "$(date -u +%Y-%m-%d)"
for page in "" /triage /plan /plan/step/1 /staging /form/details /form/schedule /check; do
  for _ in $(seq 1 "$n"); do curl -s -b "$jar" -o /dev/null -w '%{http_code} %{size_download} %{time_total}\n' "$base/requests/$ref$page"; done > "$work/times"
  python3 - "$work/times" "/requests/ECR$page" <<'PY'
import sys, statistics
rows = [line.split() for line in open(sys.argv[1])]
bad = [r for r in rows if r[0] != "200" or int(r[1]) < 2000]
if bad:
    sys.exit(f"{sys.argv[2]}: {len(bad)} answers were not full pages: {bad[:3]}")
t = sorted(float(r[2]) * 1000 for r in rows)
print(f"| {sys.argv[2]} | {statistics.median(t):.2f} | {t[int(len(t) * 0.95) - 1]:.2f} | {int(rows[0][1]) // 1024} KB |")
PY
done
