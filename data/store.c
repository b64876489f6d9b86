/* costfront: the embedded SQLite run store (see include/costfront/store.h).
 *
 * Content hashes are 64-bit FNV-1a (Fowler, Noll, Vo) over the length-prefixed names and values of a record, in
 * reader order; they only need to tell "same content" from "changed", not resist tampering.
 */
#include "costfront/store.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define CF_STORE_SCHEMA_VERSION "1"

struct cf_store {
    sqlite3 *db;
    char *path;
    long long clock; /* 0: system clock */
};

static const char *const schema_sql =
    "CREATE TABLE IF NOT EXISTS store_meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS store_runs("
    " id INTEGER PRIMARY KEY, source_kind TEXT NOT NULL, source_path TEXT NOT NULL, record_key TEXT NOT NULL,"
    " line INTEGER NOT NULL DEFAULT 0, pairs TEXT NOT NULL, raw TEXT NOT NULL DEFAULT '', hash TEXT NOT NULL,"
    " first_seen INTEGER NOT NULL, updated INTEGER NOT NULL, UNIQUE(source_kind, source_path, record_key));"
    "CREATE TABLE IF NOT EXISTS run_changes("
    " id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES store_runs(id), record_key TEXT NOT NULL,"
    " old_hash TEXT NOT NULL, new_hash TEXT NOT NULL, at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS imports("
    " id INTEGER PRIMARY KEY, source_kind TEXT NOT NULL, source_path TEXT NOT NULL, at INTEGER NOT NULL,"
    " added INTEGER NOT NULL, updated INTEGER NOT NULL, unchanged INTEGER NOT NULL, rejected INTEGER NOT NULL,"
    " skipped INTEGER NOT NULL, skipped_json TEXT NOT NULL DEFAULT '{}');"
    "CREATE TABLE IF NOT EXISTS reports("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, hypervolume REAL, best_cost_at_target REAL,"
    " frontier TEXT, n_runs INTEGER NOT NULL);"
    "INSERT OR IGNORE INTO store_meta(key, value) VALUES('schema_version', '" CF_STORE_SCHEMA_VERSION "');";

/* Records an SQLite failure in err, naming the store file and SQLite's own message. */
static cf_status db_error(cf_store *s, cf_error *err, const char *what)
{
    return cf_error_set(err, CF_ERR_DB, s->path, 0, 0, NULL, "%s: %s", what, sqlite3_errmsg(s->db));
}

static long long now_of(const cf_store *s) { return s->clock ? s->clock : (long long)time(NULL); }

void cf_store_set_clock(cf_store *s, long long now)
{
    if (s != NULL) s->clock = now;
}

/* Runs one statement that returns no rows. */
static cf_status exec(cf_store *s, const char *sql, cf_error *err, const char *what)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) return db_error(s, err, what);
    return CF_OK;
}

/* Checks an existing file: intact (quick_check says "ok") and either empty or a costfront store. */
static cf_status check_existing(cf_store *s, cf_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &st, NULL) != SQLITE_OK)
        return cf_error_set(err, CF_ERR_DB, s->path, 0, 0, NULL,
                            "not a readable SQLite database (%s); the file was left untouched", sqlite3_errmsg(s->db));
    int rc = sqlite3_step(st);
    const char *res = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    int ok = res != NULL && strcmp(res, "ok") == 0;
    char detail[256];
    snprintf(detail, sizeof detail, "%s", res ? res : sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    if (!ok)
        return cf_error_set(err, CF_ERR_DB, s->path, 0, 0, NULL,
                            "damaged SQLite database (integrity check: %s); the file was left untouched", detail);
    if (sqlite3_prepare_v2(s->db,
                           "SELECT (SELECT count(*) FROM sqlite_master),"
                           " (SELECT count(*) FROM sqlite_master WHERE type='table' AND name='store_meta')",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot list tables");
    long long n_all = 0, n_meta = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        n_all = sqlite3_column_int64(st, 0);
        n_meta = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (n_all > 0 && n_meta == 0)
        return cf_error_set(err, CF_ERR_DB, s->path, 0, 0, NULL,
                            "is an SQLite database but not a costfront run store (no store_meta table); "
                            "refusing to write into it");
    return CF_OK;
}

cf_status cf_store_open(const char *path, cf_store **out, cf_error *err)
{
    if (out == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no output pointer");
    *out = NULL;
    if (path == NULL || path[0] == '\0') return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no store path");
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    if (exists && S_ISDIR(sb.st_mode))
        return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "the store path is a directory");
    cf_store *s = calloc(1, sizeof *s);
    if (s == NULL) return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
    s->path = malloc(strlen(path) + 1);
    if (s->path == NULL) {
        free(s);
        return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
    }
    strcpy(s->path, path);
    int flags = SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        cf_status st = cf_error_set(err, exists ? CF_ERR_DB : CF_ERR_IO, path, 0, 0, NULL, "cannot open the store: %s",
                                    s->db ? sqlite3_errmsg(s->db) : "out of memory");
        cf_store_close(s);
        return st;
    }
    sqlite3_busy_timeout(s->db, 5000);
    cf_status st = CF_OK;
    if (exists) st = check_existing(s, err);
    if (st == CF_OK) st = exec(s, "BEGIN IMMEDIATE", err, "cannot start a transaction");
    if (st == CF_OK) {
        st = exec(s, schema_sql, err, "cannot create the store's tables");
        if (st == CF_OK)
            st = exec(s, "COMMIT", err, "cannot commit the store's tables");
        else
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    if (st != CF_OK) {
        cf_store_close(s);
        return st;
    }
    *out = s;
    return CF_OK;
}

void cf_store_close(cf_store *s)
{
    if (s == NULL) return;
    sqlite3_close(s->db);
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

/* Imports the records of source index src; updates the counters. Runs inside the caller's transaction. */
static cf_status import_source(cf_store *s, const cf_records *recs, size_t src, cf_store_import_stats *st,
                               cf_error *err)
{
    const char *kind = cf_records_source_kind(recs, src);
    const char *path = cf_records_source_path(recs, src);
    long long now = now_of(s);
    sqlite3_stmt *sel = NULL, *ins = NULL, *upd = NULL, *chg = NULL, *imp = NULL;
    cf_status status = CF_OK;
    cf_store_import_stats local = {0, 0, 0, 0, 0};
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, hash FROM store_runs WHERE source_kind=?1 AND source_path=?2 AND record_key=?3",
                           -1, &sel, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO store_runs(source_kind, source_path, record_key, line, pairs, raw, hash,"
                           " first_seen, updated) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                           -1, &ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "UPDATE store_runs SET line=?1, pairs=?2, raw=?3, hash=?4, updated=?5 WHERE id=?6",
                           -1, &upd, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO run_changes(run_id, record_key, old_hash, new_hash, at)"
                           " VALUES(?1, ?2, ?3, ?4, ?5)",
                           -1, &chg, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO imports(source_kind, source_path, at, added, updated, unchanged, rejected,"
                           " skipped, skipped_json) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                           -1, &imp, NULL) != SQLITE_OK) {
        status = db_error(s, err, "cannot prepare the import");
        goto done;
    }
    for (size_t i = 0; i < cf_records_count(recs) && status == CF_OK; i++) {
        const cf_record *rec = cf_records_get(recs, i);
        if (rec->source != src) continue;
        if (rec->rejected) {
            local.rejected++;
            continue;
        }
        char hash[17];
        record_hash(rec, hash);
        char *json = pairs_json(rec);
        if (json == NULL) {
            status = cf_error_set(err, CF_ERR_NOMEM, path, rec->line, 0, NULL, "out of memory");
            break;
        }
        sqlite3_reset(sel);
        sqlite3_bind_text(sel, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(sel, 2, path, -1, SQLITE_STATIC);
        sqlite3_bind_text(sel, 3, rec->key, -1, SQLITE_STATIC);
        int rc = sqlite3_step(sel);
        if (rc == SQLITE_ROW) {
            long long id = sqlite3_column_int64(sel, 0);
            char old[64];
            snprintf(old, sizeof old, "%s", (const char *)sqlite3_column_text(sel, 1));
            if (strcmp(old, hash) == 0) {
                local.unchanged++;
            } else {
                sqlite3_reset(upd);
                sqlite3_bind_int64(upd, 1, rec->line);
                sqlite3_bind_text(upd, 2, json, -1, SQLITE_STATIC);
                sqlite3_bind_text(upd, 3, rec->raw, -1, SQLITE_STATIC);
                sqlite3_bind_text(upd, 4, hash, -1, SQLITE_STATIC);
                sqlite3_bind_int64(upd, 5, now);
                sqlite3_bind_int64(upd, 6, id);
                sqlite3_reset(chg);
                sqlite3_bind_int64(chg, 1, id);
                sqlite3_bind_text(chg, 2, rec->key, -1, SQLITE_STATIC);
                sqlite3_bind_text(chg, 3, old, -1, SQLITE_STATIC);
                sqlite3_bind_text(chg, 4, hash, -1, SQLITE_STATIC);
                sqlite3_bind_int64(chg, 5, now);
                if (sqlite3_step(upd) != SQLITE_DONE || sqlite3_step(chg) != SQLITE_DONE)
                    status = db_error(s, err, "cannot update a stored run");
                local.updated++;
            }
        } else if (rc == SQLITE_DONE) {
            sqlite3_reset(ins);
            sqlite3_bind_text(ins, 1, kind, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 2, path, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 3, rec->key, -1, SQLITE_STATIC);
            sqlite3_bind_int64(ins, 4, rec->line);
            sqlite3_bind_text(ins, 5, json, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 6, rec->raw, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 7, hash, -1, SQLITE_STATIC);
            sqlite3_bind_int64(ins, 8, now);
            if (sqlite3_step(ins) != SQLITE_DONE) status = db_error(s, err, "cannot insert a run");
            local.added++;
        } else {
            status = db_error(s, err, "cannot look up a stored run");
        }
        free(json);
    }
    if (status == CF_OK) {
        cJSON *sk = cJSON_CreateObject();
        for (size_t j = 0; sk != NULL && j < cf_records_skip_reason_count(recs, src); j++) {
            const char *reason = cf_records_skip_reason(recs, src, j);
            cJSON_AddNumberToObject(sk, reason, (double)cf_records_skipped(recs, src, reason));
        }
        char *skj = sk ? cJSON_PrintUnformatted(sk) : NULL;
        cJSON_Delete(sk);
        local.skipped = cf_records_skipped(recs, src, NULL);
        sqlite3_bind_text(imp, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(imp, 2, path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(imp, 3, now);
        sqlite3_bind_int64(imp, 4, (long long)local.added);
        sqlite3_bind_int64(imp, 5, (long long)local.updated);
        sqlite3_bind_int64(imp, 6, (long long)local.unchanged);
        sqlite3_bind_int64(imp, 7, (long long)local.rejected);
        sqlite3_bind_int64(imp, 8, (long long)local.skipped);
        sqlite3_bind_text(imp, 9, skj ? skj : "{}", -1, SQLITE_TRANSIENT);
        if (sqlite3_step(imp) != SQLITE_DONE) status = db_error(s, err, "cannot record the import");
        free(skj);
    }
done:
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    sqlite3_finalize(upd);
    sqlite3_finalize(chg);
    sqlite3_finalize(imp);
    if (status == CF_OK) {
        st->added += local.added;
        st->updated += local.updated;
        st->unchanged += local.unchanged;
        st->rejected += local.rejected;
        st->skipped += local.skipped;
    }
    return status;
}

cf_status cf_store_import(cf_store *s, const cf_records *recs, cf_store_import_stats *stats, cf_error *err)
{
    if (s == NULL || recs == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no store or no records");
    cf_store_import_stats local = {0, 0, 0, 0, 0};
    cf_status st = exec(s, "BEGIN IMMEDIATE", err, "cannot start the import");
    if (st != CF_OK) return st;
    for (size_t src = 0; src < cf_records_source_count(recs) && st == CF_OK; src++)
        st = import_source(s, recs, src, &local, err);
    if (st == CF_OK) st = exec(s, "COMMIT", err, "cannot commit the import");
    if (st != CF_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return st;
    }
    if (stats != NULL) *stats = local;
    return CF_OK;
}

/* Runs a query returning one integer (bound to an optional text and integer parameter). */
static cf_status query_count(cf_store *s, const char *sql, const char *text, long long num, size_t *n, cf_error *err)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) return db_error(s, err, "cannot query the store");
    if (text != NULL)
        sqlite3_bind_text(q, 1, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(q, 1, num);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(q);
        return db_error(s, err, "cannot query the store");
    }
    *n = (size_t)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
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

cf_status cf_store_load_records(cf_store *s, cf_records *out, cf_error *err)
{
    if (s == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no store or no records");
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT r.source_kind, r.source_path, r.record_key, r.line, r.pairs, r.raw FROM store_runs r"
                           " JOIN (SELECT source_kind, source_path, min(id) AS first FROM store_runs"
                           "       GROUP BY source_kind, source_path) g"
                           " ON g.source_kind = r.source_kind AND g.source_path = r.source_path"
                           " ORDER BY g.first, r.id",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot read the stored runs");
    cf_status status = CF_OK;
    char cur_kind[256] = "", cur_path[4096] = "";
    int have_source = 0;
    int rc;
    while (status == CF_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(q, 0);
        const char *path = (const char *)sqlite3_column_text(q, 1);
        const char *key = (const char *)sqlite3_column_text(q, 2);
        long line = (long)sqlite3_column_int64(q, 3);
        const char *pairs = (const char *)sqlite3_column_text(q, 4);
        const char *raw = (const char *)sqlite3_column_text(q, 5);
        if (!have_source || strcmp(kind, cur_kind) != 0 || strcmp(path, cur_path) != 0) {
            snprintf(cur_kind, sizeof cur_kind, "%s", kind);
            snprintf(cur_path, sizeof cur_path, "%s", path);
            char name[4400];
            snprintf(name, sizeof name, "store:%s:%s", kind, path);
            status = cf_records_begin_source(out, "store", name);
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
    if (status == CF_OK && rc != SQLITE_DONE) status = db_error(s, err, "cannot read the stored runs");
    sqlite3_finalize(q);
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
    sqlite3_stmt *q = NULL;
    cf_status st = exec(s, "BEGIN IMMEDIATE", err, "cannot start a transaction");
    if (st != CF_OK) return st;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO reports(created_at, hypervolume, best_cost_at_target, frontier, n_runs)"
                           " VALUES(?1, ?2, ?3, ?4, ?5)",
                           -1, &q, NULL) != SQLITE_OK) {
        st = db_error(s, err, "cannot prepare the report");
    } else {
        sqlite3_bind_int64(q, 1, r->created_at ? r->created_at : now_of(s));
        if (isfinite(r->hypervolume))
            sqlite3_bind_double(q, 2, r->hypervolume);
        else
            sqlite3_bind_null(q, 2);
        if (isfinite(r->best_cost_at_target))
            sqlite3_bind_double(q, 3, r->best_cost_at_target);
        else
            sqlite3_bind_null(q, 3);
        if (r->frontier_json)
            sqlite3_bind_text(q, 4, r->frontier_json, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(q, 4);
        sqlite3_bind_int64(q, 5, (long long)r->n_runs);
        if (sqlite3_step(q) != SQLITE_DONE) st = db_error(s, err, "cannot record the report");
    }
    sqlite3_finalize(q);
    if (st == CF_OK) {
        if (id) *id = sqlite3_last_insert_rowid(s->db);
        st = exec(s, "COMMIT", err, "cannot commit the report");
    }
    if (st != CF_OK) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
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
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, created_at, hypervolume, best_cost_at_target, frontier, n_runs FROM reports"
                           " ORDER BY created_at DESC, id DESC LIMIT ?1",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot list reports");
    sqlite3_bind_int64(q, 1, limit ? (long long)limit : -1);
    cf_store_report *arr = NULL;
    size_t cnt = 0;
    cf_status st = CF_OK;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        cf_store_report *grown = realloc(arr, (cnt + 1) * sizeof *grown);
        if (grown == NULL) {
            st = cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
            break;
        }
        arr = grown;
        cf_store_report *r = &arr[cnt++];
        r->id = sqlite3_column_int64(q, 0);
        r->created_at = sqlite3_column_int64(q, 1);
        r->hypervolume = sqlite3_column_type(q, 2) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 2);
        r->best_cost_at_target = sqlite3_column_type(q, 3) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 3);
        r->frontier_json = NULL;
        const char *fj = (const char *)sqlite3_column_text(q, 4);
        if (fj != NULL) {
            r->frontier_json = malloc(strlen(fj) + 1);
            if (r->frontier_json == NULL) {
                st = cf_error_set(err, CF_ERR_NOMEM, s->path, 0, 0, NULL, "out of memory");
                break;
            }
            strcpy(r->frontier_json, fj);
        }
        r->n_runs = (size_t)sqlite3_column_int64(q, 5);
    }
    if (st == CF_OK && rc != SQLITE_DONE) st = db_error(s, err, "cannot list reports");
    sqlite3_finalize(q);
    if (st != CF_OK) {
        cf_store_reports_free(arr, cnt);
        return st;
    }
    *out = arr;
    *n = cnt;
    return CF_OK;
}
