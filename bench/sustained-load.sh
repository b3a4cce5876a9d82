#!/usr/bin/env bash
# A sustained mixed load against the release server for a few minutes (wrk, 16 connections):
# signed-in wizard pages, the dashboard, and comments written (1 request in 5 is a write). Samples
# the server's resident memory every second; prints a table and fails on any error or on memory that
# keeps growing. Needs `cargo leptos build --release` and Debian's wrk.
#   bench/sustained-load.sh [seconds]   (default 180)
set -euo pipefail
secs=${1:-180}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
. "$(dirname "$0")/lib.sh"
start_server
read_ref=$(new_request 'Read+under+load')
write_ref=$(new_request 'Written+under+load')
cookie=$(session_cookie)
cat > "$work/mix.lua" <<LUA
local pages = { "/requests/$read_ref", "/requests/$read_ref/plan", "/requests/$read_ref/check", "/requests", "/requests/$read_ref/triage" }
local n = 0
wrk.headers["Cookie"] = "offcycle_session=$cookie"
request = function()
  n = n + 1
  if n % 5 == 0 then
    return wrk.format("POST", "/api/add_comment", {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Accept"] = "application/json",
      ["Cookie"] = "offcycle_session=$cookie",
    }, "reference=$write_ref&body=Comment+" .. n)
  end
  return wrk.format("GET", pages[(n % #pages) + 1])
end
LUA
# One line a second: time, then VmRSS, RssAnon, RssFile (kB) and the thread count.
sample() { awk '/^(VmRSS|RssAnon|RssFile|Threads):/ { v[$1] = $2 } END { print v["VmRSS:"], v["RssAnon:"], v["RssFile:"], v["Threads:"] }' "/proc/$pid/status"; }
wrk -t2 -c16 -d"${secs}s" --latency -s "$work/mix.lua" "$base" > "$work/wrk.txt" &
wrk_pid=$!
: > "$work/rss"
while kill -0 $wrk_pid 2>/dev/null; do echo "$(date +%s) $(sample)" >> "$work/rss"; sleep 1; done
wait $wrk_pid
# The whole timeline goes to the log, with the server's own log, for whoever has to explain a jump.
{ echo "time VmRSS RssAnon RssFile threads"; cat "$work/rss"; echo "server log:"; tail -50 "$work/server.log"; } >&2
# The thread's total, as its comments page states it (the page itself shows the newest 50).
comments=$(curl -fs -b "$jar" -c "$jar" -H 'Accept: application/json' "$base/api/get_comments" --data "reference=$write_ref" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])')
python3 - "$work/wrk.txt" "$work/rss" "$secs" "$comments" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
total = int(re.search(r"(\d+) requests in", text).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", text)) else 0
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
sock_errors = sum(int(x) for x in sock.groups()) if sock else 0
p99 = re.search(r"\s99%\s+([\d.]+\w+)", text).group(1)
samples = [[int(x) for x in line.split()[1:]] for line in open(sys.argv[2]) if len(line.split()) == 5]
rss = [s[0] for s in samples]
threads = [s[3] for s in samples]
# Warm-up: the first minute fills caches and pools; memory is "flat" when the last 2/3 grow < 10%.
settled = rss[len(rss) // 3:]
growth = (settled[-1] - settled[0]) / settled[0] * 100 if settled else 0
print(f"wrk -t2 -c16 -d{sys.argv[3]}s, mixed: 4 in 5 signed-in page reads (overview, plan, check answers, dashboard, triage), 1 in 5 a comment written; SQLite, release build\n")
print("| requests | requests/s | p99 | non-2xx | socket errors | comments stored | RSS after 1/3 | RSS at end | growth over the last 2/3 |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
print(f"| {total:,} | {rps:,.0f} | {p99} | {non2xx} | {sock_errors} | {sys.argv[4]} | {settled[0]/1024:.1f} MB | {settled[-1]/1024:.1f} MB | {growth:+.1f}% |")
print("\nRSS (MB, every 10 s of the per-second samples): " + " ".join(f"{r/1024:.0f}" for r in rss[::10]))
end = samples[-1]
print(f"\nAt the end: {end[1]/1024:.1f} MB anonymous, {end[2]/1024:.1f} MB file-backed; {min(threads)}–{max(threads)} threads over the run.")
jump = max(range(1, len(rss)), key=lambda i: rss[i] - rss[i - 1], default=0)
if jump and rss[jump] - rss[jump - 1] > 10 * 1024:
    print(f"Largest one-second rise: +{(rss[jump] - rss[jump - 1]) / 1024:.0f} MB at {jump} s.")
# One request in five is a write; wrk counts finished requests, so up to the 16 in flight (and a
# write per thread's rounding) may differ at the end.
writes = total / 5
landed = abs(int(sys.argv[4]) - writes) <= 40
print(f"\nWrites: about {writes:,.0f} sent, {int(sys.argv[4]):,} in the thread — " + ("all landed" if landed else "**some are missing**"))
ok = non2xx == 0 and sock_errors == 0 and growth < 10 and landed
print("\n**" + ("passed" if ok else "FAILED") + "**: no errors, every write landed, and memory flat (under 10% growth once warm)")
sys.exit(0 if ok else 1)
PY
