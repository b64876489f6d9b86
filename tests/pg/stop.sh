#!/usr/bin/env bash
# Stops the server tests/pg/start.sh started (its directory in CF_PG_DIR or $1) and removes the directory.
set -uo pipefail
dir=${1:-${CF_PG_DIR:-}}
[ -n "$dir" ] && [ -d "$dir/data" ] || exit 0
bin=${CF_PG_BINDIR:-}
if [ -z "$bin" ]; then for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && { bin=$d; break; }; done; fi
as=()
[ "$(id -u)" -eq 0 ] && as=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups --)
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
rm -rf "$dir"
