#!/usr/bin/env bash
# Builds the site for development and tests without cargo-leptos: the server binary, the wasm
# through wasm-bindgen, the stylesheet and the public assets under target/site — what
# `cargo leptos build` does in debug (the same cargo arguments and target directories, so the
# two share their builds). cargo-leptos takes about 18 minutes to install on two cores and is
# needed only for release builds (wasm-opt, precompression): scripts/package.sh and bench/.
#   scripts/site.sh     build (the server and the wasm compile side by side)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/offcycle/target}"
# Compiled into both halves: the names of the files the page asks for (/pkg/offcycle.js).
export LEPTOS_OUTPUT_NAME=offcycle
site="$root/target/site"
front="$CARGO_TARGET_DIR/front"

# Two cargo processes with their own target directories do not wait on each other's lock.
cargo build --package=server --bin=server --no-default-features &
server=$!
cargo build --package=app --lib --target-dir="$front" --target=wasm32-unknown-unknown \
  --no-default-features --features=hydrate
wait "$server"

mkdir -p "$site/pkg"
# A release build (cargo-leptos) leaves precompressed copies beside the files; the server prefers
# them, so a browser would get that older bundle instead of this one.
rm -f "$site/pkg/"*.br "$site/pkg/"*.gz
wasm-bindgen --target=web --out-name=offcycle --out-dir="$site/pkg" \
  "$front/wasm32-unknown-unknown/debug/app.wasm"
# The page asks for offcycle.wasm (LEPTOS_OUTPUT_NAME set at compile time), as cargo-leptos names it.
mv "$site/pkg/offcycle_bg.wasm" "$site/pkg/offcycle.wasm"
rm -f "$site/pkg/"*.d.ts
cp style/main.css "$site/pkg/offcycle.css"
cp -r public/. "$site/"
