#!/usr/bin/env bash
# costfront's nightly job: import where the runs live, then write the dated report with history and alerts.
# Settings come from the environment (defaults in brackets):
#   COSTFRONT      the costfront command            [costfront on PATH, else the repo's build/costfront]
#   CF_SOURCES     space-separated sources          [the repo's examples/runs.csv]
#   CF_HOME        where the store and reports live [/var/lib/costfront]
#   CF_MAP         a mapping file (optional)        [none]
#   CF_ALERTS      an alerts file (optional)        [examples/nightly/alerts.json]
# Exit codes: those of costfront; 5 means the report was written and an alert fired (cron mails the output).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
COSTFRONT=${COSTFRONT:-$(command -v costfront || echo "$repo/build/costfront")}
CF_HOME=${CF_HOME:-/var/lib/costfront}
CF_SOURCES=${CF_SOURCES:-$repo/examples/runs.csv}
CF_ALERTS=${CF_ALERTS:-$here/alerts.json}
mkdir -p "$CF_HOME/reports"
map=()
[ -n "${CF_MAP:-}" ] && map=(--map-file "$CF_MAP")
# shellcheck disable=SC2086
"$COSTFRONT" import $CF_SOURCES --store "$CF_HOME/runs.db" "${map[@]}" --keep-going --quiet
"$COSTFRONT" report --store "$CF_HOME/runs.db" "${map[@]}" --keep-going --quiet \
  --alerts "$CF_ALERTS" --out "$CF_HOME/reports"
