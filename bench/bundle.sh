#!/usr/bin/env bash
# What a browser downloads on the first load of each kind of page (HTML + CSS + JS + WASM), as the
# release server sends it to a browser that accepts brotli, against the targets: a wizard step
# ≤ 100 KB, the decision page opened from an emailed link ≤ 60 KB, every page ≤ 150 KB. The assets
# counted are the ones each page's HTML asks for. Needs `cargo leptos build --release --precompress`
# (the .br files next to each asset; the bench checks the bytes sent are those files).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
pkg="$bench_root/target/site/pkg"
[ -f "$pkg/offcycle.wasm.br" ] || { echo "no precompressed assets in $pkg: build with --precompress" >&2; exit 1; }
# The demo's example requests: one awaiting the CORs, so its decision link is in the mail viewer.
start_server OFFCYCLE_DEMO_REQUESTS=1
ref=$(new_request 'Bench+request')

token=$(decision_link)
live=$(live_production)

# Each asset once: its size raw and as sent (checked to be the precompressed file).
declare -A raw_of sent_of
asset() {
  local path=$1 f=${1##*/}
  [ -n "${sent_of[$path]:-}" ] && return
  raw_of[$path]=$(curl -fs "$base$path" | wc -c)
  local headers enc
  headers=$(curl -fs -D - -o "$work/asset.sent" -H 'Accept-Encoding: br' "$base$path" | tr -d '\r')
  enc=$(echo "$headers" | sed -n 's/^content-encoding: //ip')
  [ "$enc" = "br" ] || { echo "the server did not serve $path precompressed (content-encoding: ${enc:-none})" >&2; exit 1; }
  cmp -s "$work/asset.sent" "$pkg/$f.br" || { echo "$path: the bytes sent are not the precompressed file" >&2; exit 1; }
  sent_of[$path]=$(wc -c < "$work/asset.sent")
}

kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1024 }'; }
printf '| page kind | address | HTML | CSS | JS | WASM | **first load** | target |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n'
missed=0
measure() { # kind, who (demo person's email before the @, or - for no session), path, shown as, target KB, text the page must show
  local kind=$1 who=$2 path=$3 shown=$4 target=$5 must=$6 cookies=()
  [ "$who" = - ] || cookies=(-b "$(jar_of "$who")")
  curl -fs "${cookies[@]}" "$base$path" -o "$work/page.html"
  grep -q "$must" "$work/page.html" || { echo "$shown did not show \"$must\": not the page meant" >&2; exit 1; }
  local html_br css=0 js=0 wasm=0 a
  html_br=$(curl -fs "${cookies[@]}" -H 'Accept-Encoding: br' "$base$path" | wc -c)
  for a in $(grep -o '"/pkg/[^"]*\.\(css\|js\|wasm\)"' "$work/page.html" | tr -d '"' | sort -u); do
    asset "$a"
    case $a in
      *.css) css=$((css + sent_of[$a])) ;;
      *.js) js=$((js + sent_of[$a])) ;;
      *.wasm) wasm=$((wasm + sent_of[$a])) ;;
    esac
  done
  local total=$((html_br + css + js + wasm)) verdict
  if [ "$total" -le $((target * 1024)) ]; then verdict="≤ $target KB: met"; else verdict="≤ $target KB: **missed**"; missed=1; fi
  printf '| %s | `%s` | %s | %s | %s | %s | **%s** | %s |\n' "$kind" "$shown" \
    "$(kb "$html_br")" "$(kb "$css")" "$(kb "$js")" "$(kb "$wasm")" "$(kb "$total")" "$verdict"
}
measure "wizard step (plan)" dev "/requests/$ref/plan" "/requests/ECR-…/plan" 100 "Add a step"
measure "task list" dev "/requests/$ref" "/requests/ECR-…" 150 "Emergency change request"
measure "decision page, from the emailed link" - "$token" "/decide/…" 60 "Record my decision"
measure "hosting queue" hosting "/hosting" "/hosting" 150 "Hosting queue"
measure "archive search" archivist "/archive" "/archive" 150 "Archive"
measure "admin: people" admin "/admin/people" "/admin/people" 150 "People"
measure "production, work under way (the one island)" dev "$live" "/requests/ECR-…/production" 150 "Plan steps"
echo
echo "HTML is compressed per response; CSS, JS and WASM are the build's .br files, the same for every page (cached after the first)."
if [ "$missed" = 0 ]; then echo "Every page kind within its target: **met**"; else echo "A page kind over its target: **missed**"; fi
