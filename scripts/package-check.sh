#!/usr/bin/env bash
# The tarball serves from an empty folder with only environment variables, and its systemd
# unit passes `systemd-analyze verify`. Run by scripts/test.sh after scripts/site.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tarball=$("$root/scripts/package.sh" --debug | tail -1)
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
dir=$(find "$work" -mindepth 1 -maxdepth 1 -type d)
for f in bin/server site/pkg/offcycle.wasm site/pkg/offcycle.js site/pkg/offcycle.css systemd/offcycle.service offcycle.env.example; do
  [ -e "$dir/$f" ] || { echo "package: $f is missing" >&2; exit 1; }
done

# The unit as shipped, but pointing at the unpacked binary (verify checks it is executable;
# nothing else changes).
unit_dir="$work/units"
mkdir -p "$unit_dir"
sed "s#^ExecStart=/opt/offcycle/bin/server#ExecStart=$dir/bin/server#; s#^EnvironmentFile=/etc/offcycle/offcycle.env#EnvironmentFile=$dir/offcycle.env.example#" \
  "$dir/systemd/offcycle.service" > "$unit_dir/offcycle.service"
if command -v systemd-analyze >/dev/null; then
  out=$(systemd-analyze verify "$unit_dir/offcycle.service" 2>&1) || {
    echo "package: systemd-analyze verify failed:" >&2; echo "$out" >&2; exit 1; }
  # Warnings are failures too.
  if [ -n "$out" ]; then echo "package: systemd-analyze verify says:" >&2; echo "$out" >&2; exit 1; fi
  echo "package: systemd-analyze verify passes"
else
  echo "package: systemd-analyze is missing (Debian package systemd)" >&2; exit 1
fi

# Served from the unpacked folder alone: nothing from the checkout, a fresh database.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/state"
# `exec`: $! is then the server itself, which the trap stops (not a subshell that leaves it running).
(cd "$work/state" && exec env -i PATH=/usr/bin:/bin HOME="$work/state" \
  DATABASE_URL="sqlite://$work/state/offcycle.db" OFFCYCLE_BIND="127.0.0.1:$port" \
  LEPTOS_SITE_ROOT="$dir/site" RUST_LOG=warn "$dir/bin/server" >"$work/server.log" 2>&1) &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "$base/readyz" | grep -q ready || { echo "package: /readyz did not answer" >&2; cat "$work/server.log" >&2; exit 1; }
curl -fsS "$base/sign-in" | grep -q "<h1[^>]*>Sign in</h1>" || { echo "package: the sign-in page did not render" >&2; exit 1; }
[ "$(curl -fsS -o /dev/null -w '%{http_code}' "$base/pkg/offcycle.wasm")" = 200 ] || { echo "package: the wasm is not served" >&2; exit 1; }
grep -q "no admin exists yet" "$work/server.log" || { echo "package: a fresh database should say how to make the first admin" >&2; cat "$work/server.log" >&2; exit 1; }
echo "package: $(basename "$tarball") serves from an empty folder"
