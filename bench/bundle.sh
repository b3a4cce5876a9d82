#!/usr/bin/env bash
# What a browser downloads on the first load of a wizard page (HTML + CSS + JS + WASM), raw and
# compressed, and whether the release server serves the precompressed brotli files. Needs
# `cargo leptos build --release --precompress` (the .br/.gz files next to each asset).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
pkg="$bench_root/target/site/pkg"
[ -f "$pkg/offcycle.wasm.br" ] || { echo "no precompressed assets in $pkg: build with --precompress" >&2; exit 1; }
start_server
ref=$(new_request 'Bench+request')
# The HTML as sent with brotli (the server compresses pages on the fly) and without.
page="/requests/$ref/triage"
curl -fs -b "$jar" "$base$page" -o "$work/page.html"
html_br=$(curl -fs -b "$jar" -H 'Accept-Encoding: br' "$base$page" | wc -c)
# Each asset the page references, as the server sends it with `Accept-Encoding: br`.
row() { printf '| %s | %s B | %s B | %s |\n' "$1" "$(group "$2")" "$(group "$3")" "$4"; }
printf '| file | raw | brotli (as served) | served as |\n| --- | --- | --- | --- |\n'
row "wizard page HTML ($page)" "$(wc -c < "$work/page.html")" "$html_br" "br, compressed per response"
total_raw=$(wc -c < "$work/page.html"); total_br=$html_br
for f in offcycle.css offcycle.js offcycle.wasm; do
  raw=$(curl -fs "$base/pkg/$f" | wc -c)
  headers=$(curl -fs -D - -o "$work/$f.sent" -H 'Accept-Encoding: br' "$base/pkg/$f" | tr -d '\r')
  enc=$(echo "$headers" | sed -n 's/^content-encoding: //ip')
  sent=$(wc -c < "$work/$f.sent")
  [ "$enc" = "br" ] || { echo "the server did not serve $f precompressed (content-encoding: ${enc:-none})" >&2; exit 1; }
  cmp -s "$work/$f.sent" "$pkg/$f.br" || { echo "$f: the bytes sent are not the precompressed file" >&2; exit 1; }
  row "$f" "$raw" "$sent" "$enc, precompressed at build"
  total_raw=$((total_raw + raw)); total_br=$((total_br + sent))
done
row "**first load, total**" "$total_raw" "$total_br" ""
target=$((200 * 1024))
if [ "$total_br" -le "$target" ]; then verdict="**met**"; else verdict="**missed** ($(( (total_br + 1023) / 1024 )) KB)"; fi
printf '\nTarget ≤ 200 KB brotli for the first load of a wizard page: %s\n' "$verdict"
