#!/usr/bin/env bash
# The resilience tests at bench strength, release build, SQLite and PostgreSQL: randomised racing
# CORs (RESILIENCE_TRIALS, default 2,000 per database), randomised rounds of parallel plan
# editors (RESILIENCE_ROUNDS, default 500 per database, 2–8 writers each), the server killed with
# SIGKILL under write load, the SMTP outage and crash tests, and three app servers on one
# PostgreSQL database (CLUSTER_REQUESTS requests to approval, default 30; then pages per second
# from one server and from three, CLUSTER_SECS each, default 15). Prints tables; fails on any failure.
# Needs TEST_DATABASE_URL (scripts/postgres.sh prints it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/offcycle/target}"
trials=${RESILIENCE_TRIALS:-2000}
rounds=${RESILIENCE_ROUNDS:-500}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() { # name, test file, test name filters
  local name=$1 file=$2; shift 2
  local started=$SECONDS
  if ! cargo test -q --release -p server --test "$file" -- "$@" --nocapture --test-threads 1 > "$log" 2>&1; then
    tail -60 "$log" >&2
    echo "| $name | **failed** | |"
    exit 1
  fi
  local passed
  passed=$(grep -o '^test result: ok. [0-9]* passed' "$log" | awk '{ s += $4 } END { print s }')
  # Not every test prints a trial count; under pipefail a grep that matches nothing would end the
  # script here without a word, as it did in the first bench run.
  local detail
  detail=$( { grep -oE '[0-9]+ (trials|rounds|requests to approval)[ ,(].*' "$log" || true; } | sed 's/ (seed [0-9]*)//' | paste -sd ';' - | sed 's/;/; /g')
  # libtest runs a file's tests by name: the postgres one before the sqlite one.
  case "$detail" in *";"*) detail="PostgreSQL: ${detail/; /; SQLite: }" ;; esac
  printf '| %s | passed (%s tests, %s s) | %s |\n' "$name" "$passed" "$((SECONDS - started))" "${detail:-—}"
}
# Every test binary is built first, so each row's seconds are its tests' own, not the compiler's.
cargo test -q --release -p server --no-run > "$log" 2>&1 || { tail -40 "$log" >&2; exit 1; }
printf '| test (SQLite and PostgreSQL) | result | what happened |\n| --- | --- | --- |\n'
RESILIENCE_TRIALS=$trials run "racing CORs: $trials randomised trials per database (1–4 decisions at once, duplicates, a COR away or not)" \
  resilience racing_cors
RESILIENCE_TRIALS=$rounds run "parallel plan editors: $rounds randomised rounds per database (2–8 writers at once)" \
  wizard parallel_plan_editors
run "kill -9 under write load, then restart: every acknowledged write present, audit chain intact" \
  resilience a_server_killed_under_write_load
run "SMTP outage and recovery; a server killed mid-send; a worker dying mid-send: every message delivered once" \
  approvals smtp_down_then_up a_server_killed_mid_send a_worker_that_dies_mid_send
CLUSTER_REQUESTS=${CLUSTER_REQUESTS:-30} run "three app servers on one PostgreSQL: ${CLUSTER_REQUESTS:-30} requests to approval at once, decisions racing on different servers, reminders and escalations due on every worker; then PostgreSQL cut mid-load (503s, nothing acknowledged lost)" \
  cluster three_app_servers a_database_outage
secs=${CLUSTER_SECS:-15}
if ! CLUSTER_SECS=$secs cargo test -q --release -p server --test cluster pages_per_second -- --ignored --nocapture > "$log" 2>&1; then
  tail -40 "$log" >&2
  echo "three servers vs one: **failed**"
  exit 1
fi
echo
echo "Three app servers vs one (\`cluster.rs\`, PostgreSQL, release build): 32 signed-in browsers load one request's plan page for $secs s, first all from one server, then each browser's requests spread over three."
echo
grep '^|' "$log"
