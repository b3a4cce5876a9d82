#!/usr/bin/env bash
# Median time for the release server to render each wizard page (session lookup + database read +
# SSR), measured with curl from loopback, one request at a time. Needs `cargo leptos build --release`.
#   bench/wizard-render.sh [requests-per-page]
set -euo pipefail
n=${1:-200}
. "$(dirname "$0")/lib.sh"
start_server
ref=$(new_request 'Bench+request')
add_plan_step "$ref"
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
