# Shared by the bench scripts (source it): a release server on a fresh SQLite file and a free
# port, signed in as the demo developer, with helpers to call server functions.
#   start_server [VAR=value ...]   sets $base, $pid, $work, $jar (removed on exit); a command in
#                                  $BENCH_WRAPPER (words) runs the server (valgrind, say)
#   call NAME FORM                 POSTs /api/NAME as the signed-in browser; prints the headers
#   new_request TITLE              starts an emergency request past triage; prints its reference
#   session_cookie                 prints the session cookie's value
#   jar_of NAME                    a cookie jar signed in as NAME@example.gov (a demo person)
#   decision_link                  the path of a COR's emailed decision link, still open (needs the demo's
#                                  example requests: start_server OFFCYCLE_DEMO_REQUESTS=1)
#   live_production                the path of the production page of the demo's request whose
#                                  work is under way (the page with an island)
bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# bench/run.sh points OFFCYCLE_BENCH_SERVER at a copy of the server cargo-leptos built: its parts
# that run `cargo test --release` relink target/release/server with the test build's features.
release_server="${OFFCYCLE_BENCH_SERVER:-${CARGO_TARGET_DIR:-$HOME/.cache/offcycle/target}/release/server}"

start_server() {
  [ -x "$release_server" ] || { echo "no release server at $release_server: run cargo leptos build --release --precompress" >&2; exit 1; }
  work=$(mktemp -d)
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  env "$@" DATABASE_URL="sqlite://$work/bench.db" OFFCYCLE_BIND="127.0.0.1:$port" OFFCYCLE_DEMO=1 \
    OFFCYCLE_DEMO_PASSWORD=bench-password LEPTOS_SITE_ROOT="$bench_root/target/site" RUST_LOG=warn \
    ${BENCH_WRAPPER:-} "$release_server" > "$work/server.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
  base="http://127.0.0.1:$port"
  # A minute at most: under valgrind (BENCH_WRAPPER) the server takes seconds to start.
  for _ in $(seq 1 600); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
  jar="$work/cookies"
  call sign_in 'email=dev%40example.gov&password=bench-password' >/dev/null
}

call() { curl -fs -b "$jar" -c "$jar" -H 'Accept: application/json' -o /dev/null -D - "$base/api/$1" --data "$2"; }

new_request() {
  local r
  r=$(call start_request "title=$1&system=Grants+portal" | sed -n 's/^location: \/requests\/\([^/]*\)\/triage.*/\1/ip' | tr -d '\r')
  call answer_triage "reference=$r&active_incident=yes&users_cannot_access=no&performance_degraded=no&security_or_quality_need=no" >/dev/null
  echo "$r"
}

add_plan_step() {
  call save_plan_step "reference=$1&base_version=0&step%5Baction%5D=Deploy&step%5Bcommands%5D=kubectl+apply&step%5Bowner%5D=Hosting&step%5Bexpected_result%5D=Ready&step%5Bverification%5D=curl&step%5Brollback%5D=undo&step%5Bestimated_minutes%5D=10" >/dev/null
}

session_cookie() { awk '$6 == "offcycle_session" { print $7 }' "${1:-$jar}"; }

jar_of() {
  local j="$work/jar-$1"
  [ -f "$j" ] || curl -fs -c "$j" -o /dev/null "$base/api/sign_in" --data "email=$1%40example.gov&password=bench-password"
  echo "$j"
}

decision_link() {
  local link
  # The mail viewer shows a message once the mail worker has rendered it; links to requests
  # already decided open a page saying so.
  for _ in $(seq 1 50); do
    for link in $(curl -fs "$base/dev/mail" | grep -o '/decide/[A-Za-z0-9_-]*' | sort -u); do
      curl -fs "$base$link" | grep -q 'Record my decision' && { echo "$link"; return; }
    done
    sleep 0.2
  done
  echo "no open decision link in the demo's mail" >&2
  return 1
}

live_production() {
  local r
  for r in $(curl -fs -b "$(jar_of dev)" "$base/requests" | grep -o 'ECR-[0-9]*-[0-9]*' | sort -u); do
    curl -fs -b "$(jar_of dev)" "$base/requests/$r/production" | grep -q '<leptos-island' && { echo "/requests/$r/production"; return; }
  done
  echo "no request with production work under way among the demo's" >&2
  return 1
}
