#!/usr/bin/env bash
# Starts Debian's PostgreSQL cluster for the tests (installing it first if needed) and prints the
# admin URL. Fails loudly: the PostgreSQL tests are never skipped silently.
set -euo pipefail
url="postgres://postgres:postgres@127.0.0.1:5432/postgres"
if [ -n "${TEST_DATABASE_URL:-}" ]; then echo "$TEST_DATABASE_URL"; exit 0; fi
if ! pg_isready -q -h 127.0.0.1 2>/dev/null; then
  command -v pg_ctlcluster >/dev/null || { echo "PostgreSQL is not installed: run scripts/bootstrap.sh --test" >&2; exit 1; }
  v=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  [ -n "$v" ] || { echo "no PostgreSQL cluster found under /etc/postgresql" >&2; exit 1; }
  pg_ctlcluster "$v" main start >&2
  for _ in $(seq 1 40); do pg_isready -q -h 127.0.0.1 && break; sleep 0.25; done
fi
pg_isready -q -h 127.0.0.1 || { echo "PostgreSQL did not start" >&2; exit 1; }
# A password for TCP connections from 127.0.0.1 (peer auth covers only the Unix socket).
su postgres -c "psql -q -c \"alter user postgres password 'postgres'\"" >/dev/null
echo "$url"
