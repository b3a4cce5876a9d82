#!/usr/bin/env bash
# Lighthouse 12 (npm, Node 20) against each wizard page of the release server, signed in, with
# Debian's chromium: the desktop preset's performance score and the accessibility score. Needs
# `cargo leptos build --release --precompress` and `scripts/bootstrap.sh --bench` (lighthouse).
# Prints a table; targets: performance ≥ 98 (desktop), accessibility 100.
set -euo pipefail
lighthouse="${OFFCYCLE_TOOLS:-$HOME/.cache/offcycle/tools}/node_modules/.bin/lighthouse"
[ -x "$lighthouse" ] || { echo "lighthouse is missing: run scripts/bootstrap.sh --bench" >&2; exit 1; }
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
. "$(dirname "$0")/lib.sh"
start_server
ref=$(new_request 'Rotate+the+TLS+certificate')
add_plan_step "$ref"
cookie=$(session_cookie)
printf '| page | performance (desktop) | accessibility | first contentful paint | total blocking time | transferred |\n| --- | --- | --- | --- | --- | --- |\n'
worst_perf=100; worst_a11y=100
for page in "" /triage /plan /plan/step/1 /staging /form/details /form/justification /form/deployment /form/schedule /form/checklist /check; do
  "$lighthouse" "$base/requests/$ref$page" --quiet --preset=desktop --only-categories=performance,accessibility \
    --extra-headers="{\"Cookie\": \"offcycle_session=$cookie\"}" \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" --output=json --output-path="$work/lh.json" >/dev/null 2>&1 \
    || { echo "lighthouse failed on $page" >&2; exit 1; }
  read -r perf a11y fcp tbt bytes < <(python3 - "$work/lh.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
if r.get("runtimeError"): sys.exit(f"lighthouse: {r['runtimeError']}")
c, a = r["categories"], r["audits"]
print(round(c["performance"]["score"] * 100), round(c["accessibility"]["score"] * 100),
      a["first-contentful-paint"]["displayValue"].replace("\u00a0", " ").replace(" ", "_"),
      a["total-blocking-time"]["displayValue"].replace("\u00a0", " ").replace(" ", "_"),
      a["total-byte-weight"]["numericValue"])
PY
)
  printf '| /requests/ECR%s | %s | %s | %s | %s | %s KB |\n' "$page" "$perf" "$a11y" "${fcp//_/ }" "${tbt//_/ }" "$(( ${bytes%.*} / 1024 ))"
  [ "$perf" -lt "$worst_perf" ] && worst_perf=$perf
  [ "$a11y" -lt "$worst_a11y" ] && worst_a11y=$a11y
done
[ "$worst_perf" -ge 98 ] && p="**met**" || p="**missed** (lowest $worst_perf)"
[ "$worst_a11y" -ge 100 ] && a="**met**" || a="**missed** (lowest $worst_a11y)"
printf '\nTargets: performance ≥ 98 on every page: %s; accessibility 100 on every page: %s\n' "$p" "$a"
