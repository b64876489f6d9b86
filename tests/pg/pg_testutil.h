/* Test helper for the suites that run on both store backends (tests/test_store.c, tests/test_study*.c).
 *
 * With COSTFRONT_TEST_BACKEND=pg (set by the *_pg tests that CMakeLists.txt registers through tests/pg/run_pg.sh),
 * tu_store_name makes a new, empty PostgreSQL schema on the server named by COSTFRONT_TEST_PG and returns a URI
 * whose search_path selects it, so every test starts from an empty database as it would from a new file;
 * otherwise it returns the SQLite file path it is given. Tests that are about SQLite files as such (a damaged
 * file, the version 1 migration) skip themselves on PostgreSQL with tu_sqlite_only.
 */
#ifndef CF_TESTS_PG_TESTUTIL_H
#define CF_TESTS_PG_TESTUTIL_H

#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 1 when the suite runs against PostgreSQL. */
static inline int tu_pg(void)
{
    const char *b = getenv("COSTFRONT_TEST_BACKEND");
    return b != NULL && strcmp(b, "pg") == 0;
}

/* Skips the current test on PostgreSQL: it is about SQLite files themselves. */
#define tu_sqlite_only()                                                                                               \
    do {                                                                                                               \
        if (tu_pg()) cr_skip_test("about SQLite files themselves");                                                   \
    } while (0)

/* Writes to buf the store to use: file as given on SQLite, a URI of a new empty schema on PostgreSQL. */
static inline void tu_store_name(char *buf, size_t n, const char *file)
{
    if (!tu_pg()) {
        snprintf(buf, n, "%s", file);
        return;
    }
    const char *base = getenv("COSTFRONT_TEST_PG");
    cr_assert(base != NULL && base[0] != '\0', "COSTFRONT_TEST_BACKEND=pg needs COSTFRONT_TEST_PG");
    static unsigned counter;
    char schema[64], sql[128];
    snprintf(schema, sizeof schema, "t_%ld_%u_%ld", (long)getpid(), counter++, (long)(random() % 100000));
    PGconn *c = PQconnectdb(base);
    cr_assert(PQstatus(c) == CONNECTION_OK, "cannot connect to %s: %s", base, PQerrorMessage(c));
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", schema);
    PGresult *r = PQexec(c, sql);
    cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    snprintf(buf, n, "%s%soptions=-csearch_path%%3D%s", base, strchr(base, '?') ? "&" : "?", schema);
}

#endif
