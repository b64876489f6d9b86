#!/usr/bin/env bash
# Starts a throw-away PostgreSQL 15 server for the tests and benchmarks: initdb and pg_ctl from Debian's
# postgresql package, listening only on a Unix socket in a new temporary directory (no TCP port), trust
# authentication for its own user. Run as root, the server runs as the unprivileged user `nobody` (PostgreSQL
# refuses to run as root). Prints shell assignments to eval:
#   eval "$(tests/pg/start.sh)"   ->  COSTFRONT_TEST_PG=postgresql://...  CF_PG_DIR=/tmp/...
# and tests/pg/stop.sh stops the server and removes the directory. Exit 1 when PostgreSQL is not installed.
set -euo pipefail
bin=${CF_PG_BIN:-}
if [ -z "$bin" ]; then
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { bin=$d; break; }
  done
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "tests/pg/start.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/costfront-pg.XXXXXX")
chmod 755 "$dir"
as=()
user=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  user=nobody
  chown nobody "$dir"
  as=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups --)
fi
log=$dir/server.log
if ! "${as[@]}" "$bin/initdb" -D "$dir/data" -U "$user" -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1; then
  cat "$dir/initdb.log" >&2
  rm -rf "$dir"
  exit 1
fi
# No TCP listener; the socket lives in the directory; enough connections for 16 workers and the tests at once.
if ! "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$log" -w -t 60 \
     -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=200 -c fsync=off" start >/dev/null 2>&1; then
  cat "$log" >&2
  rm -rf "$dir"
  exit 1
fi
"${as[@]}" "$bin/createdb" -h "$dir" -U "$user" costfront_test
printf "export COSTFRONT_TEST_PG='postgresql://%s@/costfront_test?host=%s'\n" "$user" "$dir"
printf "export CF_PG_DIR='%s'\n" "$dir"
printf "export CF_PG_BINDIR='%s'\n" "$bin"
