#!/usr/bin/env bash
# Lighthouse 12 (npm, Node 20) with Debian's chromium against each kind of page of the release
# server, in its default mobile emulation (a mid-range phone: 4× CPU slowdown, slow 4G, simulated),
# each signed in as the person who would open it. Needs `cargo leptos build --release --precompress`
# and `scripts/bootstrap.sh --bench` (lighthouse). Prints a table; targets: performance ≥ 95 and
# accessibility 100 for the wizard step and the decision page; accessibility 100 everywhere.
set -euo pipefail
lighthouse="${OFFCYCLE_TOOLS:-$HOME/.cache/offcycle/tools}/node_modules/.bin/lighthouse"
[ -x "$lighthouse" ] || { echo "lighthouse is missing: run scripts/bootstrap.sh --bench" >&2; exit 1; }
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
. "$(dirname "$0")/lib.sh"
start_server OFFCYCLE_DEMO_REQUESTS=1
ref=$(new_request 'Rotate+the+TLS+certificate')
add_plan_step "$ref"
token=$(decision_link)
live=$(live_production)
printf '| page kind | address | performance (mobile) | accessibility | first contentful paint | largest contentful paint | total blocking time | transferred |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n'
missed=0
run() { # kind, who (demo person's email before the @, or -), path, shown as, performance target (- for none)
  local kind=$1 who=$2 path=$3 shown=$4 target=$5 headers="{}"
  [ "$who" = - ] || headers="{\"Cookie\": \"offcycle_session=$(session_cookie "$(jar_of "$who")")\"}"
  "$lighthouse" "$base$path" --quiet --only-categories=performance,accessibility --extra-headers="$headers" \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" --output=json --output-path="$work/lh.json" >/dev/null 2>&1 \
    || { echo "lighthouse failed on $shown" >&2; exit 1; }
  read -r perf a11y fcp lcp tbt bytes < <(python3 - "$work/lh.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
if r.get("runtimeError"): sys.exit(f"lighthouse: {r['runtimeError']}")
if r["configSettings"]["formFactor"] != "mobile": sys.exit("lighthouse did not emulate a phone")
c, a = r["categories"], r["audits"]
shown = lambda k: a[k]["displayValue"].replace("\u00a0", " ").replace(" ", "_")
print(round(c["performance"]["score"] * 100), round(c["accessibility"]["score"] * 100),
      shown("first-contentful-paint"), shown("largest-contentful-paint"), shown("total-blocking-time"),
      a["total-byte-weight"]["numericValue"])
PY
)
  local p="$perf"
  if [ "$target" != - ]; then
    if [ "$perf" -ge "$target" ]; then p="$perf (≥ $target: met)"; else p="$perf (≥ $target: **missed**)"; missed=1; fi
  fi
  [ "$a11y" -ge 100 ] || missed=1
  printf '| %s | `%s` | %s | %s | %s | %s | %s | %s KB |\n' "$kind" "$shown" "$p" "$a11y" "${fcp//_/ }" "${lcp//_/ }" "${tbt//_/ }" "$(( ${bytes%.*} / 1024 ))"
}
run "wizard step (plan)" dev "/requests/$ref/plan" "/requests/ECR-…/plan" 95
run "decision page, from the emailed link" - "$token" "/decide/…" 95
run "task list" dev "/requests/$ref" "/requests/ECR-…" -
run "hosting queue" hosting "/hosting" "/hosting" -
run "archive search" archivist "/archive" "/archive" -
run "admin: people" admin "/admin/people" "/admin/people" -
run "production, work under way (the one island)" dev "$live" "/requests/ECR-…/production" -
echo
if [ "$missed" = 0 ]; then echo "Targets (performance ≥ 95 on the wizard step and the decision page, accessibility 100 everywhere): **met**"
else echo "Targets (performance ≥ 95 on the wizard step and the decision page, accessibility 100 everywhere): **missed**"; fi
