#!/usr/bin/env bash
# Builds a release tarball an operator can install without a source checkout:
#   offcycle-VERSION-linux-ARCH/
#     bin/server                 the server (migrations embedded)
#     site/                      the browser bundle (LEPTOS_SITE_ROOT points here)
#     systemd/offcycle.service   a hardened unit (its own user, read-only system)
#     offcycle.env.example       every setting a deployment needs, to copy to /etc/offcycle/offcycle.env
#
#   scripts/package.sh            release build (cargo leptos build --release), then the tarball
#   scripts/package.sh --debug    the tarball of the debug build already made (the tests use it)
# The tarball is written to dist/; its path is the last line printed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/offcycle/target}"
export LEPTOS_OUTPUT_NAME=offcycle
profile=release
[ "${1:-}" = "--debug" ] && profile=debug
if [ "$profile" = release ]; then
  scripts/bootstrap.sh --release >&2
  cargo leptos build --release >&2
fi
bin="$CARGO_TARGET_DIR/$profile/server"
[ -x "$bin" ] || { echo "no server binary at $bin: run scripts/site.sh (or this script without --debug)" >&2; exit 1; }
[ -d target/site/pkg ] || { echo "no browser bundle in target/site: run scripts/site.sh (or this script without --debug)" >&2; exit 1; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
name="offcycle-$version-linux-$(uname -m)"
[ "$profile" = debug ] && name="$name-debug"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/bin" "$stage/$name/systemd"
install -m 0755 "$bin" "$stage/$name/bin/server"
cp -R target/site "$stage/$name/site"
install -m 0644 scripts/package/offcycle.service "$stage/$name/systemd/offcycle.service"
install -m 0644 scripts/package/offcycle.env.example "$stage/$name/offcycle.env.example"
mkdir -p dist
# Owner, group and times fixed: the same build gives the same tarball.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2026-01-01 00:00Z' \
  -C "$stage" -czf "dist/$name.tar.gz" "$name"
echo "$root/dist/$name.tar.gz"
