/* costfront: the private database layer over SQLite and PostgreSQL (see db.h). */
#include "data/db.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cf_db {
    int pg;          /* 1: PostgreSQL */
    sqlite3 *lite;   /* SQLite connection */
    PGconn *conn;    /* PostgreSQL connection */
    char err[512];   /* last PostgreSQL error (SQLite keeps its own) */
    char state[6];   /* last PostgreSQL SQLSTATE */
    unsigned long next_name; /* counter for server-side statement names */
};

struct cf_db_stmt {
    cf_db *db;
    sqlite3_stmt *lite;
    /* PostgreSQL */
    char *sql;       /* rewritten with $N markers */
    int nparams;
    char **values;   /* nparams bound values (NULL: SQL NULL), owned */
    char name[32];   /* server-side name once prepared, "" before */
    int runs;        /* times run since prepare */
    PGresult *res;
    int row;         /* next row to return */
    int started;     /* run since the last reset */
    long long changes;
};

int cf_db_is_pg_uri(const char *name)
{
    return name != NULL && (strncmp(name, "postgresql://", 13) == 0 || strncmp(name, "postgres://", 11) == 0);
}

void cf_db_display_name(const char *name, char *buf, size_t n)
{
    if (n == 0) return;
    if (name == NULL) name = "";
    const char *scheme = strstr(name, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
    if (at != NULL && (slash == NULL || at < slash)) {
        const char *colon = memchr(scheme + 3, ':', (size_t)(at - (scheme + 3)));
        if (colon != NULL) {
            snprintf(buf, n, "%.*s%s", (int)(colon - name), name, at);
            return;
        }
    }
    snprintf(buf, n, "%s", name);
}

/* Ignores the server's notices (e.g. "relation already exists, skipping"): the library never prints. */
static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

int cf_db_open_sqlite(const char *path, int flags, int busy_ms, cf_db **out, char *why, size_t n)
{
    *out = NULL;
    cf_db *db = calloc(1, sizeof *db);
    if (db == NULL) {
        snprintf(why, n, "out of memory");
        return -1;
    }
    if (sqlite3_open_v2(path, &db->lite, flags, NULL) != SQLITE_OK) {
        snprintf(why, n, "%s", db->lite ? sqlite3_errmsg(db->lite) : "out of memory");
        cf_db_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db->lite, busy_ms);
    *out = db;
    return 0;
}

int cf_db_open_pg(const char *uri, cf_db **out, char *why, size_t n)
{
    *out = NULL;
    cf_db *db = calloc(1, sizeof *db);
    if (db == NULL) {
        snprintf(why, n, "out of memory");
        return -1;
    }
    db->pg = 1;
    db->conn = PQconnectdb(uri);
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
        const char *m = db->conn ? PQerrorMessage(db->conn) : "out of memory";
        size_t len = strlen(m);
        while (len > 0 && (m[len - 1] == '\n' || m[len - 1] == ' ')) len--;
        snprintf(why, n, "cannot connect to PostgreSQL: %.*s", (int)len, m);
        cf_db_close(db);
        return -1;
    }
    PQsetNoticeProcessor(db->conn, quiet_notice, NULL);
    /* Whole-second times and text values only; the server's float output is the shortest exact form. */
    PGresult *r = PQexec(db->conn, "SET client_encoding = 'UTF8'");
    PQclear(r);
    *out = db;
    return 0;
}

void cf_db_close(cf_db *db)
{
    if (db == NULL) return;
    if (db->lite) sqlite3_close(db->lite);
    if (db->conn) PQfinish(db->conn);
    free(db);
}

int cf_db_is_pg(const cf_db *db) { return db != NULL && db->pg; }

void *cf_db_sqlite(cf_db *db) { return db ? db->lite : NULL; }

/* Keeps a PostgreSQL result's error message (trimmed, first line) and SQLSTATE. */
static void pg_fail(cf_db *db, const PGresult *r)
{
    const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (m == NULL) m = PQerrorMessage(db->conn);
    size_t len = strcspn(m, "\n");
    snprintf(db->err, sizeof db->err, "%.*s", (int)len, m);
    const char *sq = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(db->state, sizeof db->state, "%s", sq ? sq : "");
}

const char *cf_db_errmsg(cf_db *db)
{
    if (db == NULL) return "no database";
    return db->pg ? db->err : sqlite3_errmsg(db->lite);
}

int cf_db_retryable(cf_db *db)
{
    if (db == NULL) return 0;
    if (!db->pg) return sqlite3_errcode(db->lite) == SQLITE_BUSY;
    return strcmp(db->state, "40001") == 0 || strcmp(db->state, "40P01") == 0;
}

int cf_db_exec(cf_db *db, const char *sql)
{
    if (!db->pg) return sqlite3_exec(db->lite, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
    PGresult *r = PQexec(db->conn, sql);
    ExecStatusType t = PQresultStatus(r);
    int ok = t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;
    if (!ok) pg_fail(db, r);
    PQclear(r);
    return ok ? 0 : -1;
}

/* Rewrites SQLite markers ("?" and "?N") to PostgreSQL's "$N", skipping quoted text; *nparams gets the highest
 * number. malloc'd; NULL on allocation failure. */
static char *rewrite_markers(const char *sql, int *nparams)
{
    size_t len = strlen(sql);
    char *out = malloc(len * 4 + 16);
    if (out == NULL) return NULL;
    size_t o = 0;
    int next = 0, max = 0;
    char quote = 0;
    for (size_t i = 0; i < len; i++) {
        char c = sql[i];
        if (quote) {
            out[o++] = c;
            if (c == quote) quote = 0;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            out[o++] = c;
            continue;
        }
        if (c != '?') {
            out[o++] = c;
            continue;
        }
        int num = 0;
        size_t j = i + 1;
        while (j < len && sql[j] >= '0' && sql[j] <= '9' && num < 100000) num = num * 10 + (sql[j++] - '0');
        if (j == i + 1) num = ++next;
        else next = num;
        if (num > max) max = num;
        o += (size_t)sprintf(out + o, "$%d", num);
        i = j - 1;
    }
    out[o] = '\0';
    *nparams = max;
    return out;
}

cf_db_stmt *cf_db_prepare(cf_db *db, const char *sql)
{
    cf_db_stmt *q = calloc(1, sizeof *q);
    if (q == NULL) return NULL;
    q->db = db;
    if (!db->pg) {
        if (sqlite3_prepare_v2(db->lite, sql, -1, &q->lite, NULL) != SQLITE_OK) {
            free(q);
            return NULL;
        }
        return q;
    }
    q->sql = rewrite_markers(sql, &q->nparams);
    q->values = calloc(q->nparams > 0 ? (size_t)q->nparams : 1, sizeof *q->values);
    if (q->sql == NULL || q->values == NULL) {
        snprintf(db->err, sizeof db->err, "out of memory");
        free(q->sql);
        free(q->values);
        free(q);
        return NULL;
    }
    return q;
}

/* Sets PostgreSQL parameter i to a copy of text (NULL: SQL NULL). */
static int pg_bind(cf_db_stmt *q, int i, const char *text)
{
    if (i < 1 || i > q->nparams) return -1;
    char *c = NULL;
    if (text != NULL) {
        size_t n = strlen(text) + 1;
        c = malloc(n);
        if (c == NULL) return -1;
        memcpy(c, text, n);
    }
    free(q->values[i - 1]);
    q->values[i - 1] = c;
    return 0;
}

int cf_db_bind_text(cf_db_stmt *q, int i, const char *text)
{
    if (q == NULL) return -1;
    if (!q->db->pg)
        return (text ? sqlite3_bind_text(q->lite, i, text, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(q->lite, i)) ==
                       SQLITE_OK
                   ? 0
                   : -1;
    return pg_bind(q, i, text);
}

int cf_db_bind_int64(cf_db_stmt *q, int i, long long v)
{
    if (q == NULL) return -1;
    if (!q->db->pg) return sqlite3_bind_int64(q->lite, i, v) == SQLITE_OK ? 0 : -1;
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    return pg_bind(q, i, buf);
}

int cf_db_bind_double(cf_db_stmt *q, int i, double v)
{
    if (q == NULL) return -1;
    if (!q->db->pg) return sqlite3_bind_double(q->lite, i, v) == SQLITE_OK ? 0 : -1;
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", v);
    return pg_bind(q, i, buf);
}

int cf_db_bind_null(cf_db_stmt *q, int i)
{
    if (q == NULL) return -1;
    if (!q->db->pg) return sqlite3_bind_null(q->lite, i) == SQLITE_OK ? 0 : -1;
    return pg_bind(q, i, NULL);
}

/* Runs a PostgreSQL statement: unnamed the first time, prepared on the server under a name from the second run
 * on (a statement stepped once is not worth a round trip to prepare). */
static int pg_run(cf_db_stmt *q)
{
    cf_db *db = q->db;
    PQclear(q->res);
    q->res = NULL;
    q->row = 0;
    q->changes = 0;
    if (q->runs == 1 && q->name[0] == '\0') {
        snprintf(q->name, sizeof q->name, "cf_q%lu", ++db->next_name);
        PGresult *p = PQprepare(db->conn, q->name, q->sql, q->nparams, NULL);
        int ok = PQresultStatus(p) == PGRES_COMMAND_OK;
        if (!ok) {
            pg_fail(db, p);
            q->name[0] = '\0';
        }
        PQclear(p);
        if (!ok) return CF_DB_ERROR;
    }
    q->runs++;
    const char *const *vals = (const char *const *)q->values;
    if (q->name[0])
        q->res = PQexecPrepared(db->conn, q->name, q->nparams, vals, NULL, NULL, 0);
    else
        q->res = PQexecParams(db->conn, q->sql, q->nparams, NULL, vals, NULL, NULL, 0);
    ExecStatusType t = PQresultStatus(q->res);
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
        pg_fail(db, q->res);
        PQclear(q->res);
        q->res = NULL;
        return CF_DB_ERROR;
    }
    const char *ct = PQcmdTuples(q->res);
    q->changes = ct && *ct ? strtoll(ct, NULL, 10) : 0;
    return CF_DB_DONE;
}

int cf_db_step(cf_db_stmt *q)
{
    if (q == NULL) return CF_DB_ERROR;
    if (!q->db->pg) {
        int rc = sqlite3_step(q->lite);
        if (rc == SQLITE_ROW) return CF_DB_ROW;
        if (rc == SQLITE_DONE) return CF_DB_DONE;
        return CF_DB_ERROR;
    }
    if (!q->started) {
        q->started = 1;
        if (pg_run(q) == CF_DB_ERROR) return CF_DB_ERROR;
    } else {
        q->row++;
    }
    if (q->res && PQresultStatus(q->res) == PGRES_TUPLES_OK && q->row < PQntuples(q->res)) return CF_DB_ROW;
    return CF_DB_DONE;
}

const char *cf_db_col_text(cf_db_stmt *q, int i)
{
    if (!q->db->pg) return (const char *)sqlite3_column_text(q->lite, i);
    if (q->res == NULL || PQgetisnull(q->res, q->row, i)) return NULL;
    return PQgetvalue(q->res, q->row, i);
}

long long cf_db_col_int64(cf_db_stmt *q, int i)
{
    if (!q->db->pg) return sqlite3_column_int64(q->lite, i);
    const char *t = cf_db_col_text(q, i);
    return t ? strtoll(t, NULL, 10) : 0;
}

double cf_db_col_double(cf_db_stmt *q, int i)
{
    if (!q->db->pg) return sqlite3_column_double(q->lite, i);
    const char *t = cf_db_col_text(q, i);
    return t ? strtod(t, NULL) : 0.0;
}

int cf_db_col_is_null(cf_db_stmt *q, int i)
{
    if (!q->db->pg) return sqlite3_column_type(q->lite, i) == SQLITE_NULL;
    return q->res == NULL || PQgetisnull(q->res, q->row, i);
}

long long cf_db_changes(cf_db_stmt *q)
{
    if (q == NULL) return 0;
    if (!q->db->pg) return sqlite3_changes(sqlite3_db_handle(q->lite));
    return q->changes;
}

void cf_db_reset(cf_db_stmt *q)
{
    if (q == NULL) return;
    if (!q->db->pg) {
        sqlite3_reset(q->lite);
        return;
    }
    PQclear(q->res);
    q->res = NULL;
    q->started = 0;
    q->row = 0;
}

void cf_db_finalize(cf_db_stmt *q)
{
    if (q == NULL) return;
    if (!q->db->pg) {
        sqlite3_finalize(q->lite);
    } else {
        PQclear(q->res);
        if (q->name[0] && PQstatus(q->db->conn) == CONNECTION_OK) {
            /* Outside a failed transaction the name is freed on the server; inside one it stays until the
             * connection closes, which is harmless (names are never reused). */
            if (PQtransactionStatus(q->db->conn) != PQTRANS_INERROR) {
                char sql[48];
                snprintf(sql, sizeof sql, "DEALLOCATE %s", q->name);
                PQclear(PQexec(q->db->conn, sql));
            }
        }
        for (int i = 0; i < q->nparams; i++) free(q->values[i]);
        free(q->values);
        free(q->sql);
    }
    free(q);
}

int cf_db_begin_locked(cf_db *db, const char *lock_name)
{
    if (!db->pg) return cf_db_exec(db, "BEGIN IMMEDIATE");
    if (cf_db_exec(db, "BEGIN") != 0) return -1;
    const char *vals[1] = {lock_name};
    PGresult *r = PQexecParams(db->conn, "SELECT pg_advisory_xact_lock(hashtextextended($1::text || '/' || current_schema(), 0))",
                               1, NULL, vals, NULL, NULL, 0);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) pg_fail(db, r);
    PQclear(r);
    if (!ok) {
        PQclear(PQexec(db->conn, "ROLLBACK"));
        return -1;
    }
    return 0;
}

int cf_db_commit(cf_db *db) { return cf_db_exec(db, "COMMIT"); }

void cf_db_rollback(cf_db *db)
{
    if (db == NULL || !cf_db_in_transaction(db)) return;
    if (!db->pg) {
        sqlite3_exec(db->lite, "ROLLBACK", NULL, NULL, NULL);
        return;
    }
    PQclear(PQexec(db->conn, "ROLLBACK"));
}

int cf_db_in_transaction(cf_db *db)
{
    if (db == NULL) return 0;
    if (!db->pg) return !sqlite3_get_autocommit(db->lite);
    return PQtransactionStatus(db->conn) != PQTRANS_IDLE;
}

int cf_db_has_table(cf_db *db, const char *table)
{
    cf_db_stmt *q = cf_db_prepare(db, db->pg ? "SELECT count(*) FROM information_schema.tables WHERE"
                                               " table_schema = current_schema() AND table_name = ?1"
                                             : "SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?1");
    if (q == NULL) return -1;
    cf_db_bind_text(q, 1, table);
    int rc = cf_db_step(q);
    int res = rc == CF_DB_ROW ? cf_db_col_int64(q, 0) > 0 : -1;
    cf_db_finalize(q);
    return res;
}
