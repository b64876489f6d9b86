#!/usr/bin/env bash
# Runs a test binary against PostgreSQL (COSTFRONT_TEST_BACKEND=pg, see pg_testutil.h). Without COSTFRONT_TEST_PG
# the test is skipped (exit 77, which ctest reports as skipped) unless COSTFRONT_TEST_PG_REQUIRED is set, as CI and
# `./setup.sh test` set it, where a missing server is a failure.
if [ -z "${COSTFRONT_TEST_PG:-}" ]; then
  if [ -n "${COSTFRONT_TEST_PG_REQUIRED:-}" ]; then
    echo "FAIL: COSTFRONT_TEST_PG is not set but COSTFRONT_TEST_PG_REQUIRED is: no PostgreSQL server to test against" >&2
    exit 1
  fi
  echo "skipped: set COSTFRONT_TEST_PG to a PostgreSQL URI (eval \"\$(tests/pg/start.sh)\") to run this suite on PostgreSQL" >&2
  exit 77
fi
export COSTFRONT_TEST_BACKEND=pg
exec "$@"
