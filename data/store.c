/* costfront: the embedded SQLite run store (see include/costfront/store.h).
 *
 * Per-run content hashes (store_runs.hash, run_changes) are 64-bit FNV-1a (Fowler, Noll, Vo) over the
 * length-prefixed names and values of a record, in reader order; they only need to tell "same content" from
 * "changed", and keeping them lets a schema version 1 store migrate without rehashing its change history. A
 * source's content hash is SHA-256 (FIPS 180-4, data/sha256.c): the hex digests of its runs (each over the
 * length-prefixed key, line, names and values), sorted and concatenated, hashed again. Sorting makes it
 * independent of the order rows happen to be stored in, so a migrated source gets the hash a re-import computes.
 */
#include "costfront/store.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h> /* the SQLITE_OPEN_ flags */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "data/db.h"
#include "data/sha256.h"

#define CF_STORE_SCHEMA_VERSION 2
#define CF_STORE_BUSY_MS        60000

/* The name of the run store's write lock on PostgreSQL (keyed with the schema; data/db.h). */
#define CF_STORE_LOCK "costfront run store"

struct cf_store {
    cf_db *db;
    char *path; /* the file, or the URI without its password */
    long long clock; /* 0: system clock */
    char **notes;    /* notes since open, owned */
    size_t n_notes;
};

/* Columns of store_runs (schema 2); shared by a new store and the migration's replacement table. */
#define STORE_RUNS_COLUMNS                                                                                             \
    "(id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL REFERENCES sources(id), record_key TEXT NOT NULL,"            \
    " run_id TEXT NOT NULL, line INTEGER NOT NULL DEFAULT 0, pairs TEXT NOT NULL, raw TEXT NOT NULL DEFAULT '',"       \
    " hash TEXT NOT NULL, first_seen INTEGER NOT NULL, updated INTEGER NOT NULL, UNIQUE(source_id, record_key))"

#define SOURCES_TABLE_SQL                                                                                              \
    "CREATE TABLE IF NOT EXISTS sources(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, path TEXT NOT NULL UNIQUE,"        \
    " sha256 TEXT NOT NULL, first_imported INTEGER NOT NULL, last_imported INTEGER NOT NULL);"

static const char *const schema_sql =
    "CREATE TABLE IF NOT EXISTS store_meta(key TEXT PRIMARY KEY, value TEXT);" SOURCES_TABLE_SQL
    "CREATE TABLE IF NOT EXISTS store_runs" STORE_RUNS_COLUMNS ";"
    "CREATE INDEX IF NOT EXISTS store_runs_run_id ON store_runs(run_id);"
    "CREATE TABLE IF NOT EXISTS run_changes("
    " id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES store_runs(id), record_key TEXT NOT NULL,"
    " old_hash TEXT NOT NULL, new_hash TEXT NOT NULL, at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS imports("
    " id INTEGER PRIMARY KEY, source_kind TEXT NOT NULL, source_path TEXT NOT NULL, at INTEGER NOT NULL,"
    " added INTEGER NOT NULL, updated INTEGER NOT NULL, unchanged INTEGER NOT NULL, rejected INTEGER NOT NULL,"
    " skipped INTEGER NOT NULL, skipped_json TEXT NOT NULL DEFAULT '{}', source_id INTEGER,"
    " removed INTEGER NOT NULL DEFAULT 0, same_as INTEGER);"
    "CREATE TABLE IF NOT EXISTS reports("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, hypervolume REAL, best_cost_at_target REAL,"
    " frontier TEXT, n_runs INTEGER NOT NULL);"
    "INSERT INTO store_meta(key, value) VALUES('schema_version', '2') ON CONFLICT DO NOTHING;";

/* Records an SQLite failure in err, naming the store file and SQLite's own message. */
static cf_status db_error(cf_store *s, cf_error *err, const char *what)
{
    return cf_error_set(err, CF_ERR_DB, s->path, 0, 0, NULL, "%s: %s", what, cf_db_errmsg(s->db));
}

static long long now_of(const cf_store *s) { return s->clock ? s->clock : (long long)time(NULL); }

void cf_store_set_clock(cf_store *s, long long now)
{
    if (s != NULL) s->clock = now;
}

/* malloc'd copy of a string (NULL becomes ""); NULL on allocation failure. */
static char *dup_str(const char *t)
{
    if (t == NULL) t = "";
    size_t n = strlen(t) + 1;
    char *c = malloc(n);
    if (c != NULL) memcpy(c, t, n);
    return c;
}

/* Appends a note formatted with printf conventions; a note that cannot be stored for lack of memory is dropped,
 * since notes only inform. */
static void add_note(cf_store *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void add_note(cf_store *s, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **grown = realloc(s->notes, (s->n_notes + 1) * sizeof *grown);
    if (grown == NULL) return;
    s->notes = grown;
    char *c = dup_str(buf);
    if (c != NULL) s->notes[s->n_notes++] = c;
}

size_t cf_store_note_count(const cf_store *s) { return s ? s->n_notes : 0; }

const char *cf_store_note(const cf_store *s, size_t i) { return s && i < s->n_notes ? s->notes[i] : NULL; }

/* Runs one statement that returns no rows. */
static cf_status exec(cf_store *s, const char *sql, cf_error *err, const char *what)
{
    if (cf_db_exec(s->db, sql) != 0) return db_error(s, err, what);
    return CF_OK;
}

/* Starts a write transaction holding the store's write lock (BEGIN IMMEDIATE on SQLite, an advisory transaction
 * lock on PostgreSQL), retrying a deadlock or serialisation failure a few times. */
static cf_status begin_write(cf_store *s, cf_error *err, const char *what)
{
    for (int attempt = 0;; attempt++) {
        if (cf_db_begin_locked(s->db, CF_STORE_LOCK) == 0) return CF_OK;
        if (!cf_db_is_pg(s->db) || !cf_db_retryable(s->db) || attempt >= 7) return db_error(s, err, what);
    }
}

/* Prepares sql and binds one parameter per character of types from the arguments: 't' a string (copied; NULL
 * binds NULL), 'i' a long long. Returns NULL on failure (cf_db_errmsg says why). */
static cf_db_stmt *prep(cf_store *s, const char *sql, const char *types, ...)
{
    cf_db_stmt *q = cf_db_prepare(s->db, sql);
    if (q == NULL) return NULL;
    va_list ap;
    va_start(ap, types);
    for (int k = 0; types[k] != '\0'; k++) {
        if (types[k] == 't') {
            const char *t = va_arg(ap, const char *);
            cf_db_bind_text(q, k + 1, t);
        } else {
            cf_db_bind_int64(q, k + 1, va_arg(ap, long long));
        }
    }
    va_end(ap);
    return q;
}

/* Steps a prepared statement that returns no rows and finalizes it. */
static cf_status run_stmt(cf_store *s, cf_db_stmt *q, cf_error *err, const char *what)
{
    if (q == NULL) return db_error(s, err, what);
    int rc = cf_db_step(q);
    cf_status st = rc == CF_DB_DONE || rc == CF_DB_ROW ? CF_OK : db_error(s, err, what);
    cf_db_finalize(q);
    return st;
}

/* Steps a prepared statement expected to return at most one row with an integer in column 0 and finalizes it;
 * *found says whether there was a row. */
static cf_status one_int(cf_store *s, cf_db_stmt *q, long long *v, int *found, cf_error *err, const char *what)
{
    if (q == NULL) return db_error(s, err, what);
    int rc = cf_db_step(q);
    *found = rc == CF_DB_ROW;
    if (*found) *v = cf_db_col_int64(q, 0);
    cf_status st = rc == CF_DB_ROW || rc == CF_DB_DONE ? CF_OK : db_error(s, err, what);
    cf_db_finalize(q);
    return st;
}

/* The canonical path of a source (realpath), or a copy of path as given when it cannot be resolved (it does not
 * exist any more, or records were made by a program). malloc'd; NULL on allocation failure. */
static char *canonical_path(const char *path)
{
    char *r = realpath(path, NULL);
    return r != NULL ? r : dup_str(path);
}

/* The run id the runset gives a stored record: its key, or "<file name>:<line>" when the reader found none
 * ("line:N"), the file name taken as cf_runset takes it from the source name "store:<kind>:<path>". malloc'd. */
static char *effective_run_id(const char *key, long line, const char *kind, const char *path)
{
    char synth[48];
    snprintf(synth, sizeof synth, "line:%ld", line);
    if (strcmp(key, synth) != 0) return dup_str(key);
    const char *slash = strrchr(path, '/');
    size_t need = strlen(kind) + strlen(path) + 64;
    char *out = malloc(need);
    if (out == NULL) return NULL;
    if (slash != NULL)
        snprintf(out, need, "%s:%ld", slash + 1, line);
    else
        snprintf(out, need, "store:%s:%s:%ld", kind, path, line);
    return out;
}

/* A growing byte buffer for hashing. */
typedef struct bytebuf {
    unsigned char *p;
    size_t n, cap;
} bytebuf;

/* Appends a string with its length as 8 little-endian bytes; 0 on allocation failure. */
static int buf_str(bytebuf *b, const char *t)
{
    size_t len = strlen(t);
    if (b->n + len + 8 > b->cap) {
        size_t cap = (b->n + len + 8) * 2 + 64;
        unsigned char *g = realloc(b->p, cap);
        if (g == NULL) return 0;
        b->p = g;
        b->cap = cap;
    }
    uint64_t l = len;
    for (int k = 0; k < 8; k++) b->p[b->n++] = (unsigned char)(l >> (8 * k));
    memcpy(b->p + b->n, t, len);
    b->n += len;
    return 1;
}

/* SHA-256 (hex) of one run: its key, line and pairs, each length-prefixed. 0 on allocation failure. */
static int run_digest(bytebuf *b, const char *key, long line, size_t n, const char *const *names,
                      const char *const *values, char hex[65])
{
    char ln[32];
    snprintf(ln, sizeof ln, "%ld", line);
    b->n = 0;
    if (!buf_str(b, key) || !buf_str(b, ln)) return 0;
    for (size_t i = 0; i < n; i++)
        if (!buf_str(b, names[i]) || !buf_str(b, values[i])) return 0;
    cf_sha256_hex(b->p ? (const void *)b->p : (const void *)"", b->n, hex);
    return 1;
}

typedef char digest_hex[65];

/* Orders hex digests for qsort. */
static int cmp_digest(const void *a, const void *b) { return strcmp(*(const digest_hex *)a, *(const digest_hex *)b); }

/* The source hash from the run digests d[0..n) (sorted in place). 0 on allocation failure. */
static int combine_digests(digest_hex *d, size_t n, char out[65])
{
    if (n > 1) qsort(d, n, sizeof *d, cmp_digest);
    char *cat = malloc(n * 64 + 1);
    if (cat == NULL) return 0;
    for (size_t i = 0; i < n; i++) memcpy(cat + 64 * i, d[i], 64);
    cf_sha256_hex(cat, n * 64, out);
    free(cat);
    return 1;
}

/* The content hash of source src of recs (its accepted records; rejected ones are not stored) and how many
 * records it has. CF_ERR_NOMEM on allocation failure. */
static cf_status records_digest(const cf_records *recs, size_t src, char out[65], size_t *nrec)
{
    size_t cap = 16, n = 0;
    digest_hex *d = malloc(cap * sizeof *d);
    bytebuf b = {NULL, 0, 0};
    cf_status st = d ? CF_OK : CF_ERR_NOMEM;
    for (size_t i = 0; st == CF_OK && i < cf_records_count(recs); i++) {
        const cf_record *rec = cf_records_get(recs, i);
        if (rec->source != src || rec->rejected) continue;
        if (n == cap) {
            digest_hex *g = realloc(d, 2 * cap * sizeof *d);
            if (g == NULL) {
                st = CF_ERR_NOMEM;
                break;
            }
            d = g;
            cap *= 2;
        }
        if (!run_digest(&b, rec->key, rec->line, rec->n, rec->names, rec->values, d[n++])) st = CF_ERR_NOMEM;
    }
    if (st == CF_OK && !combine_digests(d, n, out)) st = CF_ERR_NOMEM;
    *nrec = n;
    free(b.p);
    free(d);
    return st;
}

/* The content hash of stored source id, from its rows (the pairs JSON decoded), as records_digest computes it
 * for the same records. Used by the migration. */
static cf_status stored_digest(cf_store *s, const char *table, long long id, char out[65], cf_error *err)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT record_key, line, pairs FROM %s WHERE source_id=?1", table);
    cf_db_stmt *q = prep(s, sql, "i", id);
    if (q == NULL) return db_error(s, err, "cannot read the stored runs");
    size_t cap = 16, n = 0;
    digest_hex *d = malloc(cap * sizeof *d);
    bytebuf b = {NULL, 0, 0};
    cf_status st = d ? CF_OK : cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
    int rc = CF_DB_DONE;
    while (st == CF_OK && (rc = cf_db_step(q)) == CF_DB_ROW) {
        const char *key = cf_db_col_text(q, 0);
        long line = (long)cf_db_col_int64(q, 1);
        cJSON *arr = cJSON_Parse(cf_db_col_text(q, 2));
        size_t m = arr ? (size_t)cJSON_GetArraySize(arr) : 0;
        const char **names = calloc(m ? m : 1, sizeof *names), **values = calloc(m ? m : 1, sizeof *values);
        if (n == cap) {
            digest_hex *g = realloc(d, 2 * cap * sizeof *d);
            if (g != NULL) {
                d = g;
                cap *= 2;
            }
        }
        if (names == NULL || values == NULL || n == cap) {
            st = cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
        } else if (arr == NULL || !cJSON_IsArray(arr)) {
            st = cf_error_set(err, CF_ERR_DB, s->path, 0, 0, NULL, "stored pairs of run %s are not valid JSON", key);
        } else {
            size_t k = 0;
            const cJSON *pair;
            cJSON_ArrayForEach(pair, arr)
            {
                const cJSON *nm = cJSON_GetArrayItem(pair, 0), *vl = cJSON_GetArrayItem(pair, 1);
                if (!cJSON_IsString(nm) || !cJSON_IsString(vl)) break;
                names[k] = nm->valuestring;
                values[k] = vl->valuestring;
                k++;
            }
            if (k != m)
                st = cf_error_set(err, CF_ERR_DB, s->path, 0, 0, NULL, "stored pairs of run %s are malformed", key);
            else if (!run_digest(&b, key, line, m, names, values, d[n++]))
                st = cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
        }
        free((void *)names);
        free((void *)values);
        cJSON_Delete(arr);
    }
    if (st == CF_OK && rc != CF_DB_DONE) st = db_error(s, err, "cannot read the stored runs");
    if (st == CF_OK && !combine_digests(d, n, out))
        st = cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
    cf_db_finalize(q);
    free(b.p);
    free(d);
    return st;
}

/* Checks an existing file: intact (quick_check says "ok") and either empty or a costfront store. On
 * PostgreSQL, checks that the current schema holds no tables or a costfront store. */
static cf_status check_existing(cf_store *s, cf_error *err)
{
    if (cf_db_is_pg(s->db)) {
        cf_db_stmt *q = cf_db_prepare(s->db, "SELECT count(*), count(*) FILTER (WHERE table_name = 'store_meta') FROM"
                                             " information_schema.tables WHERE table_schema = current_schema()");
        long long n_all = 0, n_meta = 0;
        int rc = q ? cf_db_step(q) : CF_DB_ERROR;
        if (rc == CF_DB_ROW) {
            n_all = cf_db_col_int64(q, 0);
            n_meta = cf_db_col_int64(q, 1);
        }
        cf_db_finalize(q);
        if (rc != CF_DB_ROW) return db_error(s, err, "cannot list tables");
        if (n_all > 0 && n_meta == 0)
            return cf_error_set(err, CF_ERR_DB, s->path, 0, 0, NULL,
                                "the schema holds tables but not a costfront run store (no store_meta table); "
                                "refusing to write into it (give a new database or schema)");
        return CF_OK;
    }
    cf_db_stmt *st = cf_db_prepare(s->db, "PRAGMA quick_check");
    if (st == NULL)
        return cf_error_set(err, CF_ERR_DB, s->path, 0, 0, NULL,
                            "not a readable SQLite database (%s); the file was left untouched", cf_db_errmsg(s->db));
    int rc = cf_db_step(st);
    const char *res = rc == CF_DB_ROW ? cf_db_col_text(st, 0) : NULL;
    int ok = res != NULL && strcmp(res, "ok") == 0;
    char detail[256];
    snprintf(detail, sizeof detail, "%s", res ? res : cf_db_errmsg(s->db));
    cf_db_finalize(st);
    if (!ok)
        return cf_error_set(err, CF_ERR_DB, s->path, 0, 0, NULL,
                            "damaged SQLite database (integrity check: %s); the file was left untouched", detail);
    st = cf_db_prepare(s->db, "SELECT (SELECT count(*) FROM sqlite_master),"
                              " (SELECT count(*) FROM sqlite_master WHERE type='table' AND name='store_meta')");
    if (st == NULL) return db_error(s, err, "cannot list tables");
    long long n_all = 0, n_meta = 0;
    if (cf_db_step(st) == CF_DB_ROW) {
        n_all = cf_db_col_int64(st, 0);
        n_meta = cf_db_col_int64(st, 1);
    }
    cf_db_finalize(st);
    if (n_all > 0 && n_meta == 0)
        return cf_error_set(err, CF_ERR_DB, s->path, 0, 0, NULL,
                            "is an SQLite database but not a costfront run store (no store_meta table); "
                            "refusing to write into it");
    return CF_OK;
}

/* The schema version of the open database: 0 for a file without the store's tables (new or empty), else the
 * recorded version (1 when a store_meta without a version holds store_runs). Call inside a transaction. */
static cf_status schema_version(cf_store *s, long long *version, cf_error *err)
{
    int v = cf_db_has_table(s->db, "store_meta");
    if (v < 0) return db_error(s, err, "cannot list tables");
    if (v == 0) {
        *version = 0;
        return CF_OK;
    }
    cf_db_stmt *q = prep(s, "SELECT value FROM store_meta WHERE key='schema_version'", "");
    if (q == NULL) return db_error(s, err, "cannot read the schema version");
    int rc = cf_db_step(q);
    if (rc == CF_DB_ROW) {
        const char *t = cf_db_col_text(q, 0);
        char *end = NULL;
        long long n = t ? strtoll(t, &end, 10) : 0;
        int bad = t == NULL || end == t || *end != '\0' || n < 1;
        cf_db_finalize(q);
        if (bad)
            return cf_error_set(err, CF_ERR_DB, s->path, 0, 0, "schema_version",
                                "the store's schema version is not a positive number; the file was left untouched");
        *version = n;
        return CF_OK;
    }
    cf_db_finalize(q);
    if (rc != CF_DB_DONE) return db_error(s, err, "cannot read the schema version");
    v = cf_db_has_table(s->db, "store_runs");
    if (v < 0) return db_error(s, err, "cannot list tables");
    *version = v > 0 ? 1 : 0;
    return CF_OK;
}

/* Moves the rows of v1 group (kind, typed) into store_runs_v2 under source id, keeping their ids; only those whose
 * key is not already in that source when skip_known is set. */
static cf_status copy_group(cf_store *s, long long id, const char *kind, const char *typed, const char *path,
                            int skip_known, cf_error *err)
{
    const char *slash = strrchr(path, '/');
    char *base = NULL;
    if (slash != NULL) {
        base = dup_str(slash + 1);
    } else {
        size_t need = strlen(kind) + strlen(path) + 16;
        base = malloc(need);
        if (base) snprintf(base, need, "store:%s:%s", kind, path);
    }
    if (base == NULL) return cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
    cf_status st = run_stmt(
        s,
        prep(s,
             "INSERT INTO store_runs_v2(id, source_id, record_key, run_id, line, pairs, raw, hash, first_seen, updated)"
             " SELECT o.id, ?1, o.record_key,"
             " CASE WHEN o.record_key = 'line:' || o.line THEN ?4 || ':' || o.line ELSE o.record_key END,"
             " o.line, o.pairs, o.raw, o.hash, o.first_seen, o.updated FROM store_runs o"
             " WHERE o.source_kind=?2 AND o.source_path=?3 AND (?5 = 0 OR NOT EXISTS (SELECT 1 FROM store_runs_v2 n"
             "  WHERE n.source_id=?1 AND n.record_key=o.record_key)) ORDER BY o.id",
             "ittti", id, kind, typed, base, (long long)skip_known),
        err, "cannot migrate the stored runs");
    free(base);
    return st;
}

/* Migrates a schema version 1 store to version 2 inside the caller's transaction (see store.h). */
static cf_status migrate_v1(cf_store *s, cf_error *err)
{
    cf_status st = exec(s,
                        SOURCES_TABLE_SQL "CREATE TABLE store_runs_v2" STORE_RUNS_COLUMNS ";"
                                          "ALTER TABLE imports ADD COLUMN source_id INTEGER;"
                                          "ALTER TABLE imports ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;"
                                          "ALTER TABLE imports ADD COLUMN same_as INTEGER;",
                        err, "cannot migrate the store to schema version 2");
    if (st != CF_OK) return st;
    cf_db_stmt *g = prep(s,
                           "SELECT source_kind, source_path, min(first_seen), max(updated), count(*) FROM store_runs"
                           " GROUP BY source_kind, source_path ORDER BY min(id)",
                           "");
    if (g == NULL) return db_error(s, err, "cannot migrate the store to schema version 2");
    size_t n_sources = 0, n_merged = 0, n_apart = 0, n_dropped = 0;
    int rc = CF_DB_DONE;
    while (st == CF_OK && (rc = cf_db_step(g)) == CF_DB_ROW) {
        char *kind = dup_str(cf_db_col_text(g, 0));
        char *typed = dup_str(cf_db_col_text(g, 1));
        long long first = cf_db_col_int64(g, 2), last = cf_db_col_int64(g, 3);
        long long nrows = cf_db_col_int64(g, 4);
        char *canon = typed ? canonical_path(typed) : NULL;
        if (kind == NULL || canon == NULL) {
            st = cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
        } else {
            long long id = 0, conflict = 0;
            int found = 0, f2 = 0;
            char ekind[64] = "";
            cf_db_stmt *q = prep(s, "SELECT id, kind FROM sources WHERE path=?1", "t", canon);
            if (q == NULL) {
                st = db_error(s, err, "cannot migrate the store to schema version 2");
            } else {
                found = cf_db_step(q) == CF_DB_ROW;
                if (found) {
                    id = cf_db_col_int64(q, 0);
                    snprintf(ekind, sizeof ekind, "%s", cf_db_col_text(q, 1));
                }
                cf_db_finalize(q);
            }
            if (st == CF_OK && found)
                st = one_int(s,
                             prep(s,
                                  "SELECT count(*) FROM store_runs o JOIN store_runs_v2 n ON n.source_id=?1 AND"
                                  " n.record_key=o.record_key WHERE o.source_kind=?2 AND o.source_path=?3 AND"
                                  " n.hash<>o.hash",
                                  "itt", id, kind, typed),
                             &conflict, &f2, err, "cannot migrate the store to schema version 2");
            if (st == CF_OK && found && conflict == 0 && strcmp(ekind, kind) == 0) {
                /* the same file under another spelling, with no run of different content: one source */
                long long before = 0;
                st = one_int(s, prep(s, "SELECT count(*) FROM store_runs_v2 WHERE source_id=?1", "i", id), &before, &f2,
                             err, "cannot migrate the store to schema version 2");
                if (st == CF_OK)
                    st = run_stmt(s,
                                  prep(s,
                                       "DELETE FROM run_changes WHERE run_id IN (SELECT o.id FROM store_runs o"
                                       " WHERE o.source_kind=?2 AND o.source_path=?3 AND EXISTS (SELECT 1 FROM"
                                       " store_runs_v2 n WHERE n.source_id=?1 AND n.record_key=o.record_key))",
                                       "itt", id, kind, typed),
                                  err, "cannot migrate the store to schema version 2");
                if (st == CF_OK) st = copy_group(s, id, kind, typed, canon, 1, err);
                long long after = before;
                if (st == CF_OK)
                    st = one_int(s, prep(s, "SELECT count(*) FROM store_runs_v2 WHERE source_id=?1", "i", id), &after,
                                 &f2, err, "cannot migrate the store to schema version 2");
                if (st == CF_OK)
                    st = run_stmt(s,
                                  prep(s,
                                       "UPDATE sources SET first_imported=min(first_imported, ?2),"
                                       " last_imported=max(last_imported, ?3) WHERE id=?1",
                                       "iii", id, first, last),
                                  err, "cannot migrate the store to schema version 2");
                n_merged++;
                n_dropped += (size_t)(nrows - (after - before));
            } else if (st == CF_OK) {
                long long other = id;
                /* a new source; a second spelling whose runs differ keeps the path as typed, so nothing is lost */
                char *path = canon;
                char *alt = NULL;
                if (found) {
                    long long taken = 0;
                    st = one_int(s, prep(s, "SELECT count(*) FROM sources WHERE path=?1", "t", typed), &taken, &f2, err,
                                 "cannot migrate the store to schema version 2");
                    size_t need = strlen(typed) + 32;
                    alt = malloc(need);
                    if (alt == NULL) {
                        st = cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
                    } else {
                        if (taken)
                            snprintf(alt, need, "%s#v1-%zu", typed, n_sources + 1);
                        else
                            snprintf(alt, need, "%s", typed);
                        path = alt;
                    }
                    n_apart++;
                }
                if (st == CF_OK)
                    st = run_stmt(s,
                                  prep(s,
                                       "INSERT INTO sources(kind, path, sha256, first_imported, last_imported)"
                                       " VALUES(?1, ?2, '', ?3, ?4)",
                                       "ttii", kind, path, first, last),
                                  err, "cannot migrate the store to schema version 2");
                if (st == CF_OK)
                    st = one_int(s, prep(s, "SELECT max(id) FROM sources", ""), &id, &f2, err,
                                 "cannot migrate the store to schema version 2");
                if (st == CF_OK) {
                    st = copy_group(s, id, kind, typed, path, 0, err);
                }
                if (st == CF_OK && found)
                    add_note(s,
                             "%s: while migrating the store, the source imported as '%s' names the same file as "
                             "source %lld but some of their runs differ; it was kept apart as source %lld ('%s'): "
                             "remove the one you do not want with 'costfront store remove'",
                             s->path, typed, other, id, path);
                free(alt);
            }
            if (st == CF_OK)
                st = run_stmt(s,
                              prep(s, "UPDATE imports SET source_id=?1 WHERE source_kind=?2 AND source_path=?3", "itt",
                                   id, kind, typed),
                              err, "cannot migrate the store to schema version 2");
            n_sources++;
        }
        free(kind);
        free(typed);
        free(canon);
    }
    if (st == CF_OK && rc != CF_DB_DONE) st = db_error(s, err, "cannot migrate the store to schema version 2");
    cf_db_finalize(g);
    /* content hashes, from the runs as stored */
    cf_db_stmt *ids = st == CF_OK ? prep(s, "SELECT id FROM sources ORDER BY id", "") : NULL;
    if (st == CF_OK && ids == NULL) st = db_error(s, err, "cannot migrate the store to schema version 2");
    while (st == CF_OK && (rc = cf_db_step(ids)) == CF_DB_ROW) {
        long long id = cf_db_col_int64(ids, 0);
        char hex[65];
        st = stored_digest(s, "store_runs_v2", id, hex, err);
        if (st == CF_OK)
            st = run_stmt(s, prep(s, "UPDATE sources SET sha256=?1 WHERE id=?2", "ti", hex, id), err,
                          "cannot migrate the store to schema version 2");
    }
    cf_db_finalize(ids);
    if (st == CF_OK)
        st = exec(s,
                  "DELETE FROM run_changes WHERE run_id NOT IN (SELECT id FROM store_runs_v2);"
                  "DROP TABLE store_runs;"
                  "ALTER TABLE store_runs_v2 RENAME TO store_runs;"
                  "CREATE INDEX store_runs_run_id ON store_runs(run_id);"
                  "UPDATE store_meta SET value='2' WHERE key='schema_version';"
                  "INSERT OR IGNORE INTO store_meta(key, value) VALUES('schema_version', '2');",
                  err, "cannot migrate the store to schema version 2");
    if (st != CF_OK) return st;
    long long runs = 0, clash = 0;
    int f = 0;
    st = one_int(s, prep(s, "SELECT count(*) FROM store_runs", ""), &runs, &f, err, "cannot count the stored runs");
    if (st == CF_OK)
        st = one_int(s,
                     prep(s,
                          "SELECT count(*) FROM (SELECT run_id FROM store_runs GROUP BY run_id"
                          " HAVING count(DISTINCT source_id) > 1)",
                          ""),
                     &clash, &f, err, "cannot count the stored runs");
    if (st != CF_OK) return st;
    add_note(s,
             "%s: migrated the run store from schema version 1 to 2: %zu sources as imported became %zu "
             "(%zu spellings of the same file merged, %zu identical duplicate runs dropped, %zu kept apart); "
             "%lld runs kept",
             s->path, n_sources, n_sources - n_merged, n_merged, n_dropped, n_apart, runs);
    if (clash > 0)
        add_note(s,
                 "%s: %lld run ids are stored from more than one source, which commands reading the store refuse; "
                 "list the sources with 'costfront store sources' and remove the stale one with "
                 "'costfront store remove'",
                 s->path, clash);
    return CF_OK;
}

/* The store's tables in PostgreSQL's dialect, from the SQLite text: 64-bit identity keys for SQLite's rowid keys,
 * BIGINT for INTEGER, DOUBLE PRECISION for REAL. malloc'd; NULL on allocation failure. */
static char *pg_ddl(const char *lite)
{
    static const char *const from[] = {"INTEGER PRIMARY KEY", "INTEGER", "REAL"};
    static const char *const to[] = {"BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BIGINT",
                                     "DOUBLE PRECISION"};
    size_t cap = strlen(lite) * 4 + 64, o = 0;
    char *out = malloc(cap);
    if (out == NULL) return NULL;
    for (const char *p = lite; *p;) {
        int hit = 0;
        for (size_t k = 0; k < sizeof from / sizeof *from && !hit; k++) {
            size_t len = strlen(from[k]);
            if (strncmp(p, from[k], len) == 0) {
                o += (size_t)sprintf(out + o, "%s", to[k]);
                p += len;
                hit = 1;
            }
        }
        if (!hit) out[o++] = *p++;
    }
    out[o] = '\0';
    return out;
}

static cf_status prepare_schema(cf_store *s, cf_error *err);
static cf_status check_existing(cf_store *s, cf_error *err);

/* Opens a run store on a PostgreSQL server (URI): connects, checks the current schema and creates or checks the
 * tables, as cf_store_open does for a file. */
static cf_status open_pg(const char *uri, int must_exist, cf_store **out, cf_error *err)
{
    char shown[512], why[512];
    cf_db_display_name(uri, shown, sizeof shown);
    cf_store *s = calloc(1, sizeof *s);
    if (s == NULL || (s->path = dup_str(shown)) == NULL) {
        free(s);
        return cf_error_set(err, CF_ERR_NOMEM, shown, 0, 0, NULL, "out of memory");
    }
    cf_status st = CF_OK;
    if (cf_db_open_pg(uri, &s->db, why, sizeof why) != 0)
        st = cf_error_set(err, CF_ERR_DB, shown, 0, 0, NULL, "cannot open the store: %s", why);
    if (st == CF_OK) st = check_existing(s, err);
    if (st == CF_OK && must_exist && cf_db_has_table(s->db, "store_meta") == 0)
        st = cf_error_set(err, CF_ERR_NOT_FOUND, shown, 0, 0, NULL, "no run store in this database (schema)");
    if (st == CF_OK) st = prepare_schema(s, err);
    if (st != CF_OK) {
        cf_store_close(s);
        return st;
    }
    *out = s;
    return CF_OK;
}

/* Brings the open database to the current schema inside one write transaction: creates the tables of a new
 * store, migrates a version 1 store, refuses a newer one. */
static cf_status prepare_schema(cf_store *s, cf_error *err)
{
    cf_status st = begin_write(s, err, "cannot start a transaction");
    if (st != CF_OK) return st;
    int pg = cf_db_is_pg(s->db);
    long long v = 0;
    st = schema_version(s, &v, err);
    if (st == CF_OK && v > CF_STORE_SCHEMA_VERSION)
        st = cf_error_set(err, CF_ERR_DB, s->path, 0, 0, NULL,
                          "the run store has schema version %lld, newer than this costfront understands (%d); "
                          "the file was left untouched: use a newer costfront",
                          v, CF_STORE_SCHEMA_VERSION);
    if (st == CF_OK && v == 1 && pg)
        st = cf_error_set(err, CF_ERR_DB, s->path, 0, 0, NULL,
                          "a schema version 1 run store on PostgreSQL cannot exist (PostgreSQL stores began at "
                          "version 2); the database was left untouched");
    if (st == CF_OK && v == 1) st = migrate_v1(s, err);
    if (st == CF_OK && v == 0 && pg) {
        char *ddl = pg_ddl(schema_sql);
        st = ddl ? exec(s, ddl, err, "cannot create the store's tables")
                 : cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
        free(ddl);
    } else if (st == CF_OK && v == 0) {
        st = exec(s, schema_sql, err, "cannot create the store's tables");
    }
    if (st == CF_OK) st = exec(s, "COMMIT", err, "cannot commit the store's tables");
    if (st != CF_OK) cf_db_rollback(s->db);
    return st;
}

/* Opens (creating when must_exist is 0) the store named by path: a file or a PostgreSQL URI. */
static cf_status store_open(const char *path, int must_exist, cf_store **out, cf_error *err)
{
    if (out == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no output pointer");
    *out = NULL;
    if (path == NULL || path[0] == '\0') return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no store path");
    if (cf_db_is_pg_uri(path)) return open_pg(path, must_exist, out, err);
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    if (!exists && must_exist) return cf_error_set(err, CF_ERR_NOT_FOUND, path, 0, 0, NULL, "no run store at this path");
    if (exists && S_ISDIR(sb.st_mode))
        return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "the store path is a directory");
    cf_store *s = calloc(1, sizeof *s);
    if (s == NULL) return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
    s->path = dup_str(path);
    if (s->path == NULL) {
        free(s);
        return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
    }
    int flags = SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE);
    char why[512];
    if (cf_db_open_sqlite(path, flags, CF_STORE_BUSY_MS, &s->db, why, sizeof why) != 0) {
        cf_status st = cf_error_set(err, exists ? CF_ERR_DB : CF_ERR_IO, path, 0, 0, NULL, "cannot open the store: %s",
                                    why);
        cf_store_close(s);
        return st;
    }
    cf_status st = CF_OK;
    if (exists) st = check_existing(s, err);
    if (st == CF_OK) st = prepare_schema(s, err);
    if (st != CF_OK) {
        cf_store_close(s);
        return st;
    }
    *out = s;
    return CF_OK;
}

cf_status cf_store_open(const char *path, cf_store **out, cf_error *err) { return store_open(path, 0, out, err); }

cf_status cf_store_open_existing(const char *path, cf_store **out, cf_error *err)
{
    return store_open(path, 1, out, err);
}

void cf_store_close(cf_store *s)
{
    if (s == NULL) return;
    cf_db_close(s->db);
    for (size_t i = 0; i < s->n_notes; i++) free(s->notes[i]);
    free(s->notes);
    free(s->path);
    free(s);
}

/* FNV-1a over a byte range, continuing from h. */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Hash of a record's pairs as 16 hex digits in buf (17 bytes). */
static void record_hash(const cf_record *rec, char buf[17])
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < rec->n; i++) {
        const char *parts[2] = {rec->names[i], rec->values[i]};
        for (int k = 0; k < 2; k++) {
            uint64_t len = strlen(parts[k]);
            h = fnv1a(h, &len, sizeof len);
            h = fnv1a(h, parts[k], (size_t)len);
        }
    }
    snprintf(buf, 17, "%016llx", (unsigned long long)h);
}

/* The pairs of a record as a JSON array of [name, value] arrays; caller frees with free(). NULL on failure. */
static char *pairs_json(const cf_record *rec)
{
    cJSON *arr = cJSON_CreateArray();
    if (arr == NULL) return NULL;
    for (size_t i = 0; i < rec->n; i++) {
        cJSON *pair = cJSON_CreateArray();
        if (pair == NULL) break;
        cJSON_AddItemToArray(arr, pair);
        cJSON_AddItemToArray(pair, cJSON_CreateString(rec->names[i]));
        cJSON_AddItemToArray(pair, cJSON_CreateString(rec->values[i]));
    }
    char *text = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    return text;
}

/* Statements of one source's import, prepared once. */
typedef struct import_stmts {
    cf_db_stmt *sel, *ins, *upd, *fix, *chg, *clash, *seen;
} import_stmts;

/* Finalizes the statements of an import (any of them may be NULL). */
static void import_stmts_free(import_stmts *q)
{
    cf_db_finalize(q->sel);
    cf_db_finalize(q->ins);
    cf_db_finalize(q->upd);
    cf_db_finalize(q->fix);
    cf_db_finalize(q->chg);
    cf_db_finalize(q->clash);
    cf_db_finalize(q->seen);
}

/* Prepares the statements of an import; 0 when one cannot be prepared (the database says why). */
static int import_stmts_prepare(cf_store *s, import_stmts *q)
{
    return (q->sel = prep(s, "SELECT id, hash, line, raw FROM store_runs WHERE source_id=?1 AND record_key=?2", "")) &&
           (q->ins = prep(s,
                          "INSERT INTO store_runs(source_id, record_key, run_id, line, pairs, raw, hash, first_seen,"
                          " updated) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING id",
                          "")) &&
           (q->upd = prep(s, "UPDATE store_runs SET line=?1, pairs=?2, raw=?3, hash=?4, updated=?5 WHERE id=?6", "")) &&
           (q->fix = prep(s, "UPDATE store_runs SET line=?1, raw=?2 WHERE id=?3", "")) &&
           (q->chg = prep(s,
                          "INSERT INTO run_changes(run_id, record_key, old_hash, new_hash, at)"
                          " VALUES(?1, ?2, ?3, ?4, ?5)",
                          "")) &&
           (q->clash = prep(s,
                            "SELECT r.source_id, s.path, r.line FROM store_runs r JOIN sources s ON s.id=r.source_id"
                            " WHERE r.run_id=?1 AND r.source_id<>?2 ORDER BY r.id LIMIT 1",
                            "")) &&
           (q->seen = prep(s, "INSERT INTO cf_seen(id) VALUES(?1) ON CONFLICT DO NOTHING", ""));
}

/* Stores one record of source id (canonical path canon) inside the caller's transaction: refuses a run id that
 * another source holds, then adds, updates or keeps it, and marks its row as seen. */
static cf_status import_record(cf_store *s, import_stmts *q, const cf_record *rec, long long id, const char *kind,
                               const char *typed, const char *canon, long long now, cf_store_import_stats *st,
                               cf_error *err)
{
    char hash[17];
    record_hash(rec, hash);
    char *json = pairs_json(rec);
    char *run_id = effective_run_id(rec->key, rec->line, kind, canon);
    cf_status status = CF_OK;
    if (json == NULL || run_id == NULL) {
        status = cf_error_set(err, CF_ERR_NOMEM, typed, rec->line, 0, NULL, "out of memory");
        goto out;
    }
    cf_db_reset(q->clash);
    cf_db_bind_text(q->clash, 1, run_id);
    cf_db_bind_int64(q->clash, 2, id);
    int rc = cf_db_step(q->clash);
    if (rc == CF_DB_ROW) {
        long long other = cf_db_col_int64(q->clash, 0);
        char opath[300];
        snprintf(opath, sizeof opath, "%s", cf_db_col_text(q->clash, 1));
        long oline = (long)cf_db_col_int64(q->clash, 2);
        status = cf_error_set(err, CF_ERR_INVALID, typed, rec->line, 0, "run_id",
                              "run id '%s' is already in the store from source %lld (%s, line %ld); nothing was "
                              "imported. Give the runs distinct ids, or if this file replaces that source, remove "
                              "it first: costfront store remove --store %s %lld",
                              run_id, other, opath, oline, s->path, other);
        goto out;
    }
    if (rc != CF_DB_DONE) {
        status = db_error(s, err, "cannot look up a run id");
        goto out;
    }
    cf_db_reset(q->sel);
    cf_db_bind_int64(q->sel, 1, id);
    cf_db_bind_text(q->sel, 2, rec->key);
    rc = cf_db_step(q->sel);
    long long row = 0;
    if (rc == CF_DB_ROW) {
        row = cf_db_col_int64(q->sel, 0);
        char old[64];
        snprintf(old, sizeof old, "%s", cf_db_col_text(q->sel, 1));
        long old_line = (long)cf_db_col_int64(q->sel, 2);
        const char *old_raw = cf_db_col_text(q->sel, 3);
        if (strcmp(old, hash) == 0) {
            st->unchanged++;
            if (old_line != rec->line || old_raw == NULL || strcmp(old_raw, rec->raw) != 0) {
                /* the same run moved within its file: keep where it is now, not a change of content */
                cf_db_reset(q->fix);
                cf_db_bind_int64(q->fix, 1, rec->line);
                cf_db_bind_text(q->fix, 2, rec->raw);
                cf_db_bind_int64(q->fix, 3, row);
                if (cf_db_step(q->fix) != CF_DB_DONE) status = db_error(s, err, "cannot update a stored run");
            }
        } else {
            cf_db_reset(q->upd);
            cf_db_bind_int64(q->upd, 1, rec->line);
            cf_db_bind_text(q->upd, 2, json);
            cf_db_bind_text(q->upd, 3, rec->raw);
            cf_db_bind_text(q->upd, 4, hash);
            cf_db_bind_int64(q->upd, 5, now);
            cf_db_bind_int64(q->upd, 6, row);
            cf_db_reset(q->chg);
            cf_db_bind_int64(q->chg, 1, row);
            cf_db_bind_text(q->chg, 2, rec->key);
            cf_db_bind_text(q->chg, 3, old);
            cf_db_bind_text(q->chg, 4, hash);
            cf_db_bind_int64(q->chg, 5, now);
            if (cf_db_step(q->upd) != CF_DB_DONE || cf_db_step(q->chg) != CF_DB_DONE)
                status = db_error(s, err, "cannot update a stored run");
            st->updated++;
        }
    } else if (rc == CF_DB_DONE) {
        cf_db_reset(q->ins);
        cf_db_bind_int64(q->ins, 1, id);
        cf_db_bind_text(q->ins, 2, rec->key);
        cf_db_bind_text(q->ins, 3, run_id);
        cf_db_bind_int64(q->ins, 4, rec->line);
        cf_db_bind_text(q->ins, 5, json);
        cf_db_bind_text(q->ins, 6, rec->raw);
        cf_db_bind_text(q->ins, 7, hash);
        cf_db_bind_int64(q->ins, 8, now);
        if (cf_db_step(q->ins) != CF_DB_ROW)
            status = db_error(s, err, "cannot insert a run");
        else
            row = cf_db_col_int64(q->ins, 0);
        st->added++;
    } else {
        status = db_error(s, err, "cannot look up a stored run");
    }
    if (status == CF_OK) {
        cf_db_reset(q->seen);
        cf_db_bind_int64(q->seen, 1, row);
        if (cf_db_step(q->seen) != CF_DB_DONE) status = db_error(s, err, "cannot mark a stored run");
    }
out:
    free(json);
    free(run_id);
    return status;
}

/* Records one import of a source in the history. */
static cf_status record_import(cf_store *s, const cf_records *recs, size_t src, const char *kind, const char *canon,
                               long long id, long long same_as, long long now, const cf_store_import_stats *local,
                               cf_error *err)
{
    cJSON *sk = cJSON_CreateObject();
    for (size_t j = 0; sk != NULL && j < cf_records_skip_reason_count(recs, src); j++) {
        const char *reason = cf_records_skip_reason(recs, src, j);
        cJSON_AddNumberToObject(sk, reason, (double)cf_records_skipped(recs, src, reason));
    }
    char *skj = sk ? cJSON_PrintUnformatted(sk) : NULL;
    cJSON_Delete(sk);
    cf_db_stmt *q = prep(s,
                           "INSERT INTO imports(source_kind, source_path, at, added, updated, unchanged, rejected,"
                           " skipped, skipped_json, source_id, removed, same_as)"
                           " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                           "ttiiiiiitiii", kind, canon, now, (long long)local->added, (long long)local->updated,
                           (long long)local->unchanged, (long long)local->rejected, (long long)local->skipped,
                           skj ? skj : "{}", id, (long long)local->removed, same_as);
    if (q != NULL && same_as == 0) cf_db_bind_null(q, 12);
    free(skj);
    return run_stmt(s, q, err, "cannot record the import");
}

/* Imports the records of source index src (content hash digest, nrec accepted records) inside the caller's
 * transaction, deciding by canonical path and content as store.h describes; updates the counters. */
static cf_status import_source(cf_store *s, const cf_records *recs, size_t src, const char *digest, size_t nrec,
                               cf_store_import_stats *st, cf_error *err)
{
    const char *kind = cf_records_source_kind(recs, src);
    const char *typed = cf_records_source_path(recs, src);
    long long now = now_of(s);
    cf_status status = CF_OK;
    cf_store_import_stats local;
    memset(&local, 0, sizeof local);
    import_stmts q;
    memset(&q, 0, sizeof q);
    char *canon = canonical_path(typed);
    if (canon == NULL) return cf_error_set(err, CF_ERR_NOMEM, typed, 0, 0, NULL, "out of memory");
    long long id = 0, same_as = 0;
    int found = 0, same = 0;
    cf_db_stmt *look = prep(s, "SELECT id, kind, sha256 FROM sources WHERE path=?1", "t", canon);
    if (look == NULL) {
        status = db_error(s, err, "cannot look up the source");
        goto done;
    }
    int rc = cf_db_step(look);
    if (rc == CF_DB_ROW) {
        found = 1;
        id = cf_db_col_int64(look, 0);
        same = strcmp(cf_db_col_text(look, 1), kind) == 0 &&
               strcmp(cf_db_col_text(look, 2), digest) == 0;
    } else if (rc != CF_DB_DONE) {
        status = db_error(s, err, "cannot look up the source");
    }
    cf_db_finalize(look);
    if (status != CF_OK) goto done;
    for (size_t i = 0; i < cf_records_count(recs); i++) {
        const cf_record *rec = cf_records_get(recs, i);
        if (rec->source == src && rec->rejected) local.rejected++;
    }
    local.skipped = cf_records_skipped(recs, src, NULL);
    long long n = 0;
    int f = 0;
    if (found && same) {
        /* the same content at the same place: nothing to write but the time */
        status = one_int(s, prep(s, "SELECT count(*) FROM store_runs WHERE source_id=?1", "i", id), &n, &f, err,
                         "cannot count the stored runs");
        local.unchanged = (size_t)n;
        if (status == CF_OK)
            status = run_stmt(s, prep(s, "UPDATE sources SET last_imported=?1 WHERE id=?2", "ii", now, id), err,
                              "cannot update the source");
        goto record;
    }
    if (!found && nrec > 0) {
        cf_db_stmt *dup =
            prep(s, "SELECT id, path FROM sources WHERE sha256=?1 AND kind=?2 ORDER BY id LIMIT 1", "tt", digest, kind);
        if (dup == NULL) {
            status = db_error(s, err, "cannot look up the source");
            goto done;
        }
        if (cf_db_step(dup) == CF_DB_ROW) {
            same_as = cf_db_col_int64(dup, 0);
            add_note(s, "%s: same content as source %lld (%s), already in the store; nothing imported from it", typed,
                     same_as, cf_db_col_text(dup, 1));
        }
        cf_db_finalize(dup);
        if (same_as != 0) {
            status = one_int(s, prep(s, "SELECT count(*) FROM store_runs WHERE source_id=?1", "i", same_as), &n, &f,
                             err, "cannot count the stored runs");
            local.unchanged = (size_t)n;
            local.same_content = 1;
            goto record;
        }
    }
    if (!found) {
        status = one_int(s,
                         prep(s,
                              "INSERT INTO sources(kind, path, sha256, first_imported, last_imported)"
                              " VALUES(?1, ?2, ?3, ?4, ?4) RETURNING id",
                              "ttti", kind, canon, digest, now),
                         &id, &f, err, "cannot record the source");
        if (status != CF_OK) goto done;
    }
    status = exec(s,
                  cf_db_is_pg(s->db) ? "CREATE TEMP TABLE IF NOT EXISTS cf_seen(id BIGINT PRIMARY KEY); DELETE FROM cf_seen;"
                                     : "CREATE TEMP TABLE IF NOT EXISTS cf_seen(id INTEGER PRIMARY KEY); DELETE FROM cf_seen;",
                  err,
                  "cannot prepare the import");
    if (status != CF_OK) goto done;
    if (!import_stmts_prepare(s, &q)) {
        status = db_error(s, err, "cannot prepare the import");
        goto done;
    }
    for (size_t i = 0; i < cf_records_count(recs) && status == CF_OK; i++) {
        const cf_record *rec = cf_records_get(recs, i);
        if (rec->source != src || rec->rejected) continue;
        status = import_record(s, &q, rec, id, kind, typed, canon, now, &local, err);
    }
    if (status == CF_OK && found) {
        /* the source changed: runs no longer in it go, with their change history */
        status = one_int(s,
                         prep(s,
                              "SELECT count(*) FROM store_runs WHERE source_id=?1 AND id NOT IN"
                              " (SELECT id FROM cf_seen)",
                              "i", id),
                         &n, &f, err, "cannot count the removed runs");
        local.removed = (size_t)n;
        if (status == CF_OK && n > 0)
            status = run_stmt(s,
                              prep(s,
                                   "DELETE FROM run_changes WHERE run_id IN (SELECT id FROM store_runs WHERE"
                                   " source_id=?1 AND id NOT IN (SELECT id FROM cf_seen))",
                                   "i", id),
                              err, "cannot remove runs");
        if (status == CF_OK && n > 0)
            status = run_stmt(s,
                              prep(s,
                                   "DELETE FROM store_runs WHERE source_id=?1 AND id NOT IN"
                                   " (SELECT id FROM cf_seen)",
                                   "i", id),
                              err, "cannot remove runs");
        if (status == CF_OK)
            status = run_stmt(s,
                              prep(s, "UPDATE sources SET kind=?1, sha256=?2, last_imported=?3 WHERE id=?4", "ttii",
                                   kind, digest, now, id),
                              err, "cannot update the source");
    }
record:
    if (status == CF_OK) status = record_import(s, recs, src, kind, canon, id, same_as, now, &local, err);
done:
    import_stmts_free(&q);
    free(canon);
    if (status == CF_OK) {
        st->added += local.added;
        st->updated += local.updated;
        st->unchanged += local.unchanged;
        st->rejected += local.rejected;
        st->skipped += local.skipped;
        st->removed += local.removed;
        st->same_content += local.same_content;
    }
    return status;
}

cf_status cf_store_import(cf_store *s, const cf_records *recs, cf_store_import_stats *stats, cf_error *err)
{
    if (s == NULL || recs == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no store or no records");
    cf_store_import_stats local;
    memset(&local, 0, sizeof local);
    size_t nsrc = cf_records_source_count(recs);
    digest_hex *dig = calloc(nsrc ? nsrc : 1, sizeof *dig);
    size_t *nrec = calloc(nsrc ? nsrc : 1, sizeof *nrec);
    cf_status st = dig && nrec ? CF_OK : CF_ERR_NOMEM;
    /* hashing needs no lock: it is done before the transaction */
    for (size_t src = 0; src < nsrc && st == CF_OK; src++) st = records_digest(recs, src, dig[src], &nrec[src]);
    if (st != CF_OK) {
        free(dig);
        free(nrec);
        return cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
    }
    st = begin_write(s, err, "cannot start the import");
    for (size_t src = 0; src < nsrc && st == CF_OK; src++)
        st = import_source(s, recs, src, dig[src], nrec[src], &local, err);
    if (st == CF_OK) st = exec(s, "COMMIT", err, "cannot commit the import");
    if (st != CF_OK) cf_db_rollback(s->db);
    free(dig);
    free(nrec);
    if (st == CF_OK && stats != NULL) *stats = local;
    return st;
}

/* Runs a query returning one integer (bound to an optional text and integer parameter). */
static cf_status query_count(cf_store *s, const char *sql, const char *text, long long num, size_t *n, cf_error *err)
{
    cf_db_stmt *q = NULL;
    if ((q = cf_db_prepare(s->db, sql)) == NULL) return db_error(s, err, "cannot query the store");
    if (text != NULL)
        cf_db_bind_text(q, 1, text);
    else
        cf_db_bind_int64(q, 1, num);
    int rc = cf_db_step(q);
    if (rc != CF_DB_ROW) {
        cf_db_finalize(q);
        return db_error(s, err, "cannot query the store");
    }
    *n = (size_t)cf_db_col_int64(q, 0);
    cf_db_finalize(q);
    return CF_OK;
}

cf_status cf_store_count(cf_store *s, size_t *n, cf_error *err)
{
    if (s == NULL || n == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no store or no output");
    return query_count(s, "SELECT count(*) FROM store_runs", NULL, 0, n, err);
}

cf_status cf_store_change_count(cf_store *s, const char *record_key, size_t *n, cf_error *err)
{
    if (s == NULL || n == NULL || record_key == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no store, key or output");
    return query_count(s, "SELECT count(*) FROM run_changes WHERE record_key=?1", record_key, 0, n, err);
}

cf_status cf_store_changes_since(cf_store *s, long long since, size_t *added, size_t *updated, cf_error *err)
{
    if (s == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no store");
    size_t a = 0, u = 0;
    cf_status st = query_count(s, "SELECT count(*) FROM store_runs WHERE first_seen > ?1", NULL, since, &a, err);
    if (st == CF_OK) st = query_count(s, "SELECT count(*) FROM run_changes WHERE at > ?1", NULL, since, &u, err);
    if (st != CF_OK) return st;
    if (added) *added = a;
    if (updated) *updated = u;
    return CF_OK;
}

/* Fills src from a row of the sources query (id, kind, path, sha256, runs, first_imported, last_imported). 0 on
 * allocation failure. */
static int source_from_row(cf_db_stmt *q, cf_store_source *src)
{
    memset(src, 0, sizeof *src);
    src->id = cf_db_col_int64(q, 0);
    src->kind = dup_str(cf_db_col_text(q, 1));
    src->path = dup_str(cf_db_col_text(q, 2));
    snprintf(src->sha256, sizeof src->sha256, "%s", cf_db_col_text(q, 3));
    src->runs = (size_t)cf_db_col_int64(q, 4);
    src->first_imported = cf_db_col_int64(q, 5);
    src->last_imported = cf_db_col_int64(q, 6);
    return src->kind != NULL && src->path != NULL;
}

#define SOURCES_SELECT                                                                                                 \
    "SELECT s.id, s.kind, s.path, s.sha256, (SELECT count(*) FROM store_runs r WHERE r.source_id = s.id),"             \
    " s.first_imported, s.last_imported FROM sources s"

void cf_store_sources_free(cf_store_source *sources, size_t n)
{
    if (sources == NULL) return;
    for (size_t i = 0; i < n; i++) {
        free(sources[i].kind);
        free(sources[i].path);
    }
    free(sources);
}

cf_status cf_store_sources(cf_store *s, cf_store_source **out, size_t *n, cf_error *err)
{
    if (s == NULL || out == NULL || n == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no store or output");
    *out = NULL;
    *n = 0;
    cf_db_stmt *q = prep(s, SOURCES_SELECT " ORDER BY s.id", "");
    if (q == NULL) return db_error(s, err, "cannot list the sources");
    cf_store_source *arr = NULL;
    size_t cnt = 0;
    cf_status st = CF_OK;
    int rc;
    while ((rc = cf_db_step(q)) == CF_DB_ROW) {
        cf_store_source *grown = realloc(arr, (cnt + 1) * sizeof *grown);
        if (grown == NULL) {
            st = cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
            break;
        }
        arr = grown;
        int ok = source_from_row(q, &arr[cnt++]);
        if (!ok) {
            st = cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
            break;
        }
    }
    if (st == CF_OK && rc != CF_DB_DONE) st = db_error(s, err, "cannot list the sources");
    cf_db_finalize(q);
    if (st != CF_OK) {
        cf_store_sources_free(arr, cnt);
        return st;
    }
    *out = arr;
    *n = cnt;
    return CF_OK;
}

/* Finds the source named by which (an id of digits, else a path: canonical first, then as given) inside the
 * caller's transaction; *src is filled when found. */
static cf_status find_source(cf_store *s, const char *which, cf_store_source *src, int *found, cf_error *err)
{
    *found = 0;
    size_t len = strlen(which);
    int digits = len > 0 && len < 19 && strspn(which, "0123456789") == len;
    char *canon = digits ? NULL : canonical_path(which);
    if (!digits && canon == NULL) return cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
    for (int attempt = 0; attempt < 2 && !*found; attempt++) {
        cf_db_stmt *q = NULL;
        if (digits && attempt == 0)
            q = prep(s, SOURCES_SELECT " WHERE s.id=?1", "i", strtoll(which, NULL, 10));
        else if (!digits)
            q = prep(s, SOURCES_SELECT " WHERE s.path=?1", "t", attempt == 0 ? canon : which);
        else
            break;
        if (q == NULL) {
            free(canon);
            return db_error(s, err, "cannot look up the source");
        }
        int rc = cf_db_step(q);
        if (rc == CF_DB_ROW) {
            *found = 1;
            if (!source_from_row(q, src)) {
                cf_db_finalize(q);
                free(canon);
                free(src->kind);
                free(src->path);
                src->kind = src->path = NULL;
                return cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
            }
        }
        cf_db_finalize(q);
        if (rc != CF_DB_ROW && rc != CF_DB_DONE) {
            free(canon);
            return db_error(s, err, "cannot look up the source");
        }
    }
    free(canon);
    return CF_OK;
}

cf_status cf_store_remove_source(cf_store *s, const char *which, cf_store_source **removed, cf_error *err)
{
    if (removed != NULL) *removed = NULL;
    if (s == NULL || which == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no store or no source");
    cf_store_source *src = calloc(1, sizeof *src);
    if (src == NULL) return cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
    int found = 0;
    cf_status st = begin_write(s, err, "cannot start a transaction");
    if (st == CF_OK) st = find_source(s, which, src, &found, err);
    if (st == CF_OK && !found)
        st = cf_error_set(err, CF_ERR_NOT_FOUND, s->path, 0, 0, NULL,
                          "no source '%s' in the store (give an id or a path as 'costfront store sources' lists them)",
                          which);
    if (st == CF_OK)
        st = run_stmt(s,
                      prep(s, "DELETE FROM run_changes WHERE run_id IN (SELECT id FROM store_runs WHERE source_id=?1)",
                           "i", src->id),
                      err, "cannot remove the source's runs");
    if (st == CF_OK)
        st = run_stmt(s, prep(s, "DELETE FROM store_runs WHERE source_id=?1", "i", src->id), err,
                      "cannot remove the source's runs");
    if (st == CF_OK)
        st = run_stmt(s, prep(s, "DELETE FROM sources WHERE id=?1", "i", src->id), err, "cannot remove the source");
    if (st == CF_OK) st = exec(s, "COMMIT", err, "cannot commit the removal");
    if (st != CF_OK) {
        cf_db_rollback(s->db);
        cf_store_sources_free(src, 1);
        return st;
    }
    if (removed != NULL)
        *removed = src;
    else
        cf_store_sources_free(src, 1);
    return CF_OK;
}

cf_status cf_store_load_records(cf_store *s, cf_records *out, cf_error *err)
{
    if (s == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no store or no records");
    cf_db_stmt *q = NULL;
    if ((q = cf_db_prepare(s->db, "SELECT s.kind, s.path, r.record_key, r.line, r.pairs, r.raw, s.id FROM store_runs r"
                           " JOIN sources s ON s.id = r.source_id ORDER BY s.id, r.id")) == NULL)
        return db_error(s, err, "cannot read the stored runs");
    cf_status status = CF_OK;
    long long cur = 0;
    int have_source = 0;
    int rc;
    while (status == CF_OK && (rc = cf_db_step(q)) == CF_DB_ROW) {
        const char *kind = cf_db_col_text(q, 0);
        const char *path = cf_db_col_text(q, 1);
        const char *key = cf_db_col_text(q, 2);
        long line = (long)cf_db_col_int64(q, 3);
        const char *pairs = cf_db_col_text(q, 4);
        const char *raw = cf_db_col_text(q, 5);
        long long sid = cf_db_col_int64(q, 6);
        if (!have_source || sid != cur) {
            cur = sid;
            size_t need = strlen(kind) + strlen(path) + 16;
            char *name = malloc(need);
            if (name == NULL) {
                status = cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
                break;
            }
            snprintf(name, need, "store:%s:%s", kind, path);
            status = cf_records_begin_source(out, "store", name);
            free(name);
            have_source = 1;
            if (status != CF_OK) break;
        }
        cJSON *arr = cJSON_Parse(pairs);
        if (arr == NULL || !cJSON_IsArray(arr)) {
            cJSON_Delete(arr);
            status = cf_error_set(err, CF_ERR_DB, s->path, 0, 0, key, "stored pairs of run %s are not valid JSON", key);
            break;
        }
        size_t n = (size_t)cJSON_GetArraySize(arr);
        const char **names = calloc(n ? n : 1, sizeof *names);
        const char **values = calloc(n ? n : 1, sizeof *values);
        if (names == NULL || values == NULL)
            status = cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
        size_t k = 0;
        const cJSON *pair;
        cJSON_ArrayForEach(pair, arr)
        {
            if (status != CF_OK) break;
            const cJSON *nm = cJSON_GetArrayItem(pair, 0), *vl = cJSON_GetArrayItem(pair, 1);
            if (!cJSON_IsString(nm) || !cJSON_IsString(vl)) {
                status = cf_error_set(err, CF_ERR_DB, s->path, 0, 0, key, "stored pairs of run %s are malformed", key);
                break;
            }
            names[k] = nm->valuestring;
            values[k] = vl->valuestring;
            k++;
        }
        if (status == CF_OK && cf_records_add(out, key, line, k, names, values, raw) != CF_OK)
            status = cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
        free((void *)names);
        free((void *)values);
        cJSON_Delete(arr);
    }
    if (status == CF_OK && rc != CF_DB_DONE) status = db_error(s, err, "cannot read the stored runs");
    cf_db_finalize(q);
    return status;
}

cf_status cf_store_load(cf_store *s, cf_runset *rs, cf_error *err)
{
    if (s == NULL || rs == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no store or no runset");
    cf_records *recs = cf_records_create();
    if (recs == NULL) return cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
    cf_status st = cf_store_load_records(s, recs, err);
    if (st == CF_OK) st = cf_records_to_runset(recs, rs, err);
    cf_records_destroy(recs);
    return st;
}

cf_status cf_store_add_report(cf_store *s, const cf_store_report *r, long long *id, cf_error *err)
{
    if (s == NULL || r == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no store or no report");
    cf_db_stmt *q = NULL;
    cf_status st = begin_write(s, err, "cannot start a transaction");
    if (st != CF_OK) return st;
    if ((q = cf_db_prepare(s->db, "INSERT INTO reports(created_at, hypervolume, best_cost_at_target, frontier, n_runs)"
                           " VALUES(?1, ?2, ?3, ?4, ?5) RETURNING id")) == NULL) {
        st = db_error(s, err, "cannot prepare the report");
    } else {
        cf_db_bind_int64(q, 1, r->created_at ? r->created_at : now_of(s));
        if (isfinite(r->hypervolume))
            cf_db_bind_double(q, 2, r->hypervolume);
        else
            cf_db_bind_null(q, 2);
        if (isfinite(r->best_cost_at_target))
            cf_db_bind_double(q, 3, r->best_cost_at_target);
        else
            cf_db_bind_null(q, 3);
        if (r->frontier_json)
            cf_db_bind_text(q, 4, r->frontier_json);
        else
            cf_db_bind_null(q, 4);
        cf_db_bind_int64(q, 5, (long long)r->n_runs);
        if (cf_db_step(q) != CF_DB_ROW)
            st = db_error(s, err, "cannot record the report");
        else if (id)
            *id = cf_db_col_int64(q, 0);
    }
    cf_db_finalize(q);
    if (st == CF_OK) {
        st = exec(s, "COMMIT", err, "cannot commit the report");
    }
    if (st != CF_OK) cf_db_rollback(s->db);
    return st;
}

void cf_store_reports_free(cf_store_report *reports, size_t n)
{
    if (reports == NULL) return;
    for (size_t i = 0; i < n; i++) free(reports[i].frontier_json);
    free(reports);
}

cf_status cf_store_reports(cf_store *s, size_t limit, cf_store_report **out, size_t *n, cf_error *err)
{
    if (s == NULL || out == NULL || n == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no store or output");
    *out = NULL;
    *n = 0;
    cf_db_stmt *q = NULL;
    if ((q = cf_db_prepare(s->db, "SELECT id, created_at, hypervolume, best_cost_at_target, frontier, n_runs FROM reports"
                           " ORDER BY created_at DESC, id DESC LIMIT ?1")) == NULL)
        return db_error(s, err, "cannot list reports");
    cf_db_bind_int64(q, 1, limit ? (long long)limit : LLONG_MAX);
    cf_store_report *arr = NULL;
    size_t cnt = 0;
    cf_status st = CF_OK;
    int rc;
    while ((rc = cf_db_step(q)) == CF_DB_ROW) {
        cf_store_report *grown = realloc(arr, (cnt + 1) * sizeof *grown);
        if (grown == NULL) {
            st = cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
            break;
        }
        arr = grown;
        cf_store_report *r = &arr[cnt++];
        r->id = cf_db_col_int64(q, 0);
        r->created_at = cf_db_col_int64(q, 1);
        r->hypervolume = cf_db_col_is_null(q, 2) ? NAN : cf_db_col_double(q, 2);
        r->best_cost_at_target = cf_db_col_is_null(q, 3) ? NAN : cf_db_col_double(q, 3);
        r->frontier_json = NULL;
        const char *fj = cf_db_col_text(q, 4);
        if (fj != NULL) {
            r->frontier_json = malloc(strlen(fj) + 1);
            if (r->frontier_json == NULL) {
                st = cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
                break;
            }
            strcpy(r->frontier_json, fj);
        }
        r->n_runs = (size_t)cf_db_col_int64(q, 5);
    }
    if (st == CF_OK && rc != CF_DB_DONE) st = db_error(s, err, "cannot list reports");
    cf_db_finalize(q);
    if (st != CF_OK) {
        cf_store_reports_free(arr, cnt);
        return st;
    }
    *out = arr;
    *n = cnt;
    return CF_OK;
}
