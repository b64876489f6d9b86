/* costfront: the private database layer under the run store (data/store.c) and the study store
 * (data/study_store.c): one small API over SQLite and PostgreSQL (libpq).
 *
 * A store names its database by a path (an SQLite file) or by a PostgreSQL connection URI (postgresql://... or
 * postgres://...; libpq fills what the URI leaves out from the PG* environment variables). Statements are written
 * once, in the SQL both dialects accept, with SQLite's parameter markers: "?" (numbered in order) or "?N"; on
 * PostgreSQL they are rewritten to "$N" (markers inside quoted literals and identifiers are left alone). Values
 * are always bound, never pasted into SQL. On PostgreSQL every parameter and column travels as text, and every
 * statement is prepared on the server the first time it runs (so a statement stepped many times is parsed once).
 *
 * Rows: cf_db_step returns CF_DB_ROW while there is a row (read it with the column getters until the next step,
 * reset or finalize), then CF_DB_DONE, or CF_DB_ERROR (cf_db_errmsg says why). A new id is read with
 * "INSERT ... RETURNING id" (SQLite 3.35 and PostgreSQL both have it).
 *
 * Transactions: cf_db_begin_locked starts a write transaction that holds the store's write lock until commit or
 * rollback: BEGIN IMMEDIATE on SQLite (waiting up to the busy timeout); BEGIN plus pg_advisory_xact_lock on
 * PostgreSQL, keyed by the lock name and the connection's current schema, so every writer of one store waits for
 * the previous one and a connection that dies mid-transaction (a killed worker) has its lock released and its
 * writes rolled back by the server. Serialisation failures and deadlocks (SQLSTATE 40001, 40P01) are reported by
 * cf_db_retryable so callers can retry the whole transaction.
 *
 * Ownership: a cf_db owns its connection and every statement prepared on it must be finalized before
 * cf_db_close. Strings returned by the column getters belong to the statement and live until the next step.
 */
#ifndef CF_DATA_DB_H
#define CF_DATA_DB_H

#include "costfront/status.h"

typedef struct cf_db cf_db;
typedef struct cf_db_stmt cf_db_stmt;

enum { CF_DB_ERROR = 0, CF_DB_ROW = 1, CF_DB_DONE = 2 };

/* True when name is a PostgreSQL connection URI (postgresql:// or postgres://) rather than a file path. */
int cf_db_is_pg_uri(const char *name);

/* The URI without its password (user:secret@ becomes user@), for messages; written to buf of size n. */
void cf_db_display_name(const char *name, char *buf, size_t n);

/* Opens an SQLite file with sqlite3_open_v2 flags and a busy timeout in milliseconds. On failure *out is NULL
 * and *why (buf of size n) says why. Returns 0 on success. */
int cf_db_open_sqlite(const char *path, int flags, int busy_ms, cf_db **out, char *why, size_t n);

/* Connects to a PostgreSQL server by URI; on failure *out is NULL and why says why (without the password). */
int cf_db_open_pg(const char *uri, cf_db **out, char *why, size_t n);

/* Closes the connection; accepts NULL. */
void cf_db_close(cf_db *db);

/* 1 for a PostgreSQL connection, 0 for SQLite. */
int cf_db_is_pg(const cf_db *db);

/* The SQLite handle (NULL on PostgreSQL), for the few SQLite-only checks of a file. */
void *cf_db_sqlite(cf_db *db);

/* The last error's message. */
const char *cf_db_errmsg(cf_db *db);

/* 1 when the last error was a serialisation failure or a deadlock, which a retry of the transaction may cure. */
int cf_db_retryable(cf_db *db);

/* Runs one or more statements without parameters or rows. Returns 0 on success. */
int cf_db_exec(cf_db *db, const char *sql);

/* Prepares one statement (see the top for markers); NULL on failure. */
cf_db_stmt *cf_db_prepare(cf_db *db, const char *sql);

/* Binds parameter i (1-based); text is copied. Return 0 on success. */
int cf_db_bind_text(cf_db_stmt *q, int i, const char *text);
int cf_db_bind_int64(cf_db_stmt *q, int i, long long v);
int cf_db_bind_double(cf_db_stmt *q, int i, double v);
int cf_db_bind_null(cf_db_stmt *q, int i);

/* Runs the statement (first call after prepare or reset) or moves to its next row. */
int cf_db_step(cf_db_stmt *q);

/* Columns of the current row, 0-based. Text is NULL for SQL NULL. */
const char *cf_db_col_text(cf_db_stmt *q, int i);
long long cf_db_col_int64(cf_db_stmt *q, int i);
double cf_db_col_double(cf_db_stmt *q, int i);
int cf_db_col_is_null(cf_db_stmt *q, int i);

/* Rows changed by the statement's last run (UPDATE, DELETE, INSERT). */
long long cf_db_changes(cf_db_stmt *q);

/* Makes the statement ready to run again, keeping its bindings. Accepts NULL. */
void cf_db_reset(cf_db_stmt *q);

/* Frees the statement. Accepts NULL. */
void cf_db_finalize(cf_db_stmt *q);

/* Starts a write transaction holding the store's write lock named lock_name (see the top). Returns 0 on success. */
int cf_db_begin_locked(cf_db *db, const char *lock_name);

/* Commits or rolls back the open transaction. Return 0 on success. */
int cf_db_commit(cf_db *db);
void cf_db_rollback(cf_db *db);

/* 1 when a transaction is open. */
int cf_db_in_transaction(cf_db *db);

/* 1 when the database (the current schema on PostgreSQL) has a table of that name. -1 on error. */
int cf_db_has_table(cf_db *db, const char *table);

#endif
