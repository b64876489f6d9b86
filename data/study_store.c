/* costfront: SQLite persistence of optimisation studies (see study_store.h). */
#include "data/study_store.h"
#include "data/alloc.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct cf_study_store {
    sqlite3 *db; /* open connection */
    char *path;  /* file name for error messages */
};

static const char *const state_names[] = {"pending", "complete", "failed", "pruned"};

/* Turns the connection's last SQLite error into a CF_ERR_DB naming the study file and what was being done. */
static cf_status db_err(cf_study_store *st, cf_error *err, const char *what)
{
    return cf_error_set(err, CF_ERR_DB, st ? st->path : NULL, 0, 0, NULL, "%s: %s.", what,
                        st && st->db ? sqlite3_errmsg(st->db) : "cannot open");
}

/* Opens (or, with create, creates) the database with the journal mode and busy timeout the header promises. */
static cf_status open_db(const char *path, int create, cf_study_store **out, cf_error *err)
{
    if (path == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "A study needs a file path.");
    *out = NULL;
    cf_study_store *st = calloc(1, sizeof *st);
    if (st == NULL || (st->path = cf_dup_str(path, NULL)) == NULL) {
        free(st);
        return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "Out of memory.");
    }
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
        cf_status s = cf_error_set(err, create ? CF_ERR_DB : CF_ERR_IO, path, 0, 0, NULL,
                                   "Cannot open the study file: %s.", st->db ? sqlite3_errmsg(st->db) : "?");
        cf_study_store_close(st);
        return s;
    }
    sqlite3_busy_timeout(st->db, 10000);
    /* What the file is, found by reading only: nothing is written (not even the journal mode) to a file that is
     * then refused. A new study needs a file of its own; an existing one must hold the study tables. */
    char others[256] = "";
    int n_tables = 0, n_other = 0, study_tables = 0;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(st->db, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name", -1, &q, NULL);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        if ((rc = sqlite3_step(q)) != SQLITE_ROW) break;
        const char *name = (const char *)sqlite3_column_text(q, 0);
        if (name == NULL) continue;
        n_tables++;
        if (!strcmp(name, "study") || !strcmp(name, "trials") || !strcmp(name, "study_meta") ||
            !strcmp(name, "sqlite_sequence")) {
            study_tables += strcmp(name, "sqlite_sequence") != 0;
            continue;
        }
        if (n_other++ < 6) {
            size_t len = strlen(others);
            snprintf(others + len, sizeof others - len, "%s%s", len ? ", " : "", name);
        }
    }
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) rc = SQLITE_OK;
    sqlite3_finalize(q);
    if (rc != SQLITE_OK) {
        cf_status s = cf_error_set(err, CF_ERR_DB, path, 0, 0, NULL, "Not a usable SQLite study file: %s.",
                                   sqlite3_errmsg(st->db));
        cf_study_store_close(st);
        return s;
    }
    if (n_other > 0 || (!create && study_tables < 3 && n_tables > 0)) {
        cf_status s = cf_error_set(err, CF_ERR_INVALID, path, 0, 0, NULL,
                                   "The file is an SQLite database of something else (it holds the tables %s%s), not a "
                                   "costfront study; it was left unchanged. Give a new file for the study.",
                                   others[0] ? others : "of an older or partial study", n_other > 6 ? ", ..." : "");
        cf_study_store_close(st);
        return s;
    }
    /* Probe: this fails with SQLITE_NOTADB on a file that is not a database. */
    if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL) != SQLITE_OK) {
        cf_status s = cf_error_set(err, CF_ERR_DB, path, 0, 0, NULL, "Not a usable SQLite study file: %s.",
                                   sqlite3_errmsg(st->db));
        cf_study_store_close(st);
        return s;
    }
    *out = st;
    return CF_OK;
}

void cf_study_store_close(cf_study_store *st)
{
    if (st == NULL) return;
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

/* True when the file already holds a study, so that create refuses to overwrite one. */
static int has_study(cf_study_store *st)
{
    sqlite3_stmt *q = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='study'", -1, &q,
                           NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        found = sqlite3_column_int(q, 0) > 0;
    sqlite3_finalize(q);
    return found;
}

cf_status cf_study_store_create(const char *path, const char *space_json, cf_study_store **out, cf_error *err)
{
    if (space_json == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "A study needs a space.");
    cf_study_store *st = NULL;
    cf_status s = open_db(path, 1, &st, err);
    if (s) return s;
    if (has_study(st)) {
        cf_study_store_close(st);
        return cf_error_set(err, CF_ERR_INVALID, path, 0, 0, NULL,
                            "The file already holds a study; open it "
                            "instead of creating it.");
    }
    static const char *schema =
        "BEGIN IMMEDIATE;"
        "CREATE TABLE study(id INTEGER PRIMARY KEY CHECK (id = 1), space TEXT NOT NULL, created INTEGER NOT NULL);"
        "CREATE TABLE trials(id INTEGER PRIMARY KEY AUTOINCREMENT, state TEXT NOT NULL CHECK (state IN "
        "('pending','complete','failed','pruned')), params TEXT NOT NULL, \"values\" TEXT, created INTEGER NOT "
        "NULL, updated INTEGER NOT NULL);"
        "CREATE TABLE study_meta(key TEXT PRIMARY KEY, value TEXT);"
        "INSERT INTO study_meta VALUES ('schema_version', '1');";
    if (sqlite3_exec(st->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        s = db_err(st, err, "Cannot create the study tables");
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        cf_study_store_close(st);
        return s;
    }
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "INSERT INTO study(id, space, created) VALUES (1, ?, ?)", -1, &q, NULL) !=
            SQLITE_OK ||
        sqlite3_bind_text(q, 1, space_json, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int64(q, 2, (sqlite3_int64)time(NULL)) != SQLITE_OK || sqlite3_step(q) != SQLITE_DONE ||
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        s = db_err(st, err, "Cannot store the study");
        sqlite3_finalize(q);
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        cf_study_store_close(st);
        return s;
    }
    sqlite3_finalize(q);
    *out = st;
    return CF_OK;
}

cf_status cf_study_store_open(const char *path, cf_study_store **out, char **space_json, cf_error *err)
{
    if (space_json == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "Missing output.");
    cf_study_store *st = NULL;
    cf_status s = open_db(path, 0, &st, err);
    if (s) return s;
    sqlite3_stmt *q = NULL;
    if (!has_study(st) ||
        sqlite3_prepare_v2(st->db, "SELECT space FROM study WHERE id = 1", -1, &q, NULL) != SQLITE_OK ||
        sqlite3_step(q) != SQLITE_ROW) {
        sqlite3_finalize(q);
        cf_study_store_close(st);
        return cf_error_set(err, CF_ERR_DB, path, 0, 0, NULL, "The file is an SQLite database but holds no study.");
    }
    *space_json = cf_dup_str((const char *)sqlite3_column_text(q, 0), NULL);
    sqlite3_finalize(q);
    if (*space_json == NULL) {
        cf_study_store_close(st);
        return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "Out of memory.");
    }
    *out = st;
    return CF_OK;
}

/* Maps a stored state name back to its enum value; -1 for a name this version does not know. */
static int parse_state(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (s && strcmp(s, state_names[i]) == 0) return i;
    return -1;
}

void cf_study_rows_free(cf_study_row *rows, size_t n)
{
    if (rows == NULL) return;
    for (size_t i = 0; i < n; i++) {
        free(rows[i].params);
        free(rows[i].values);
    }
    free(rows);
}

cf_status cf_study_store_load(cf_study_store *st, cf_study_row **rows, size_t *n, cf_error *err)
{
    if (st == NULL || rows == NULL || n == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_load needs a store and outputs.");
    *rows = NULL;
    *n = 0;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT id, state, params, \"values\", created, updated FROM trials ORDER BY id", -1,
                           &q, NULL) != SQLITE_OK)
        return db_err(st, err, "Cannot read the trials");
    size_t cap = 0, cnt = 0;
    cf_study_row *r = NULL;
    int rc;
    cf_status s = CF_OK;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (cnt == cap) {
            size_t nc = cap ? 2 * cap : 32;
            cf_study_row *nr = realloc(r, nc * sizeof *nr);
            if (nr == NULL) {
                s = cf_error_set(err, CF_ERR_NOMEM, st->path, 0, 0, NULL, "Out of memory.");
                break;
            }
            r = nr;
            cap = nc;
        }
        cf_study_row *w = &r[cnt];
        memset(w, 0, sizeof *w);
        cnt++;
        w->id = (long)sqlite3_column_int64(q, 0);
        int state = parse_state((const char *)sqlite3_column_text(q, 1));
        w->params = cf_dup_str((const char *)sqlite3_column_text(q, 2), NULL);
        w->values = cf_dup_str((const char *)sqlite3_column_text(q, 3), NULL);
        w->created = sqlite3_column_int64(q, 4);
        w->updated = sqlite3_column_int64(q, 5);
        if (state < 0 || w->params == NULL) {
            s = cf_error_set(err, CF_ERR_DB, st->path, 0, 0, "trials", "Trial %ld has a bad state or no params.",
                             w->id);
            break;
        }
        w->state = (cf_trial_state)state;
    }
    if (s == CF_OK && rc != SQLITE_DONE) s = db_err(st, err, "Cannot read the trials");
    sqlite3_finalize(q);
    if (s) {
        cf_study_rows_free(r, cnt);
        return s;
    }
    *rows = r;
    *n = cnt;
    return CF_OK;
}

cf_status cf_study_store_insert(cf_study_store *st, size_t n, const cf_trial_state *states, const char *const *params,
                                const char *const *values, long *ids, cf_error *err)
{
    if (st == NULL || (n > 0 && (states == NULL || params == NULL || ids == NULL)))
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_insert needs a store and arrays.");
    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_err(st, err, "Cannot start a transaction");
    sqlite3_stmt *q = NULL;
    cf_status s = CF_OK;
    long long now = (long long)time(NULL);
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO trials(state, params, \"values\", created, updated) VALUES "
                           "(?, ?, ?, ?, ?)",
                           -1, &q, NULL) != SQLITE_OK)
        s = db_err(st, err, "Cannot insert trials");
    for (size_t i = 0; s == CF_OK && i < n; i++) {
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, state_names[states[i]], -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, params[i], -1, SQLITE_STATIC);
        if (values && values[i])
            sqlite3_bind_text(q, 3, values[i], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(q, 3);
        sqlite3_bind_int64(q, 4, now);
        sqlite3_bind_int64(q, 5, now);
        if (sqlite3_step(q) != SQLITE_DONE)
            s = db_err(st, err, "Cannot insert a trial");
        else
            ids[i] = (long)sqlite3_last_insert_rowid(st->db);
    }
    sqlite3_finalize(q);
    if (s == CF_OK && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        s = db_err(st, err, "Cannot commit the new trials");
    if (s) sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return s;
}

cf_status cf_study_store_update(cf_study_store *st, long id, cf_trial_state state, const char *values, cf_error *err)
{
    if (st == NULL || (unsigned)state > 3)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_update needs a store and a state.");
    sqlite3_stmt *q = NULL;
    cf_status s = CF_OK;
    if (sqlite3_prepare_v2(st->db, "UPDATE trials SET state = ?, \"values\" = ?, updated = ? WHERE id = ?", -1, &q,
                           NULL) != SQLITE_OK)
        return db_err(st, err, "Cannot update a trial");
    sqlite3_bind_text(q, 1, state_names[state], -1, SQLITE_STATIC);
    if (values)
        sqlite3_bind_text(q, 2, values, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 2);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)time(NULL));
    sqlite3_bind_int64(q, 4, id);
    if (sqlite3_step(q) != SQLITE_DONE)
        s = db_err(st, err, "Cannot update a trial");
    else if (sqlite3_changes(st->db) == 0)
        s = cf_error_set(err, CF_ERR_NOT_FOUND, st->path, 0, 0, "id", "There is no trial %ld.", id);
    sqlite3_finalize(q);
    return s;
}

cf_status cf_study_store_get_meta(cf_study_store *st, const char *key, char **value, cf_error *err)
{
    if (st == NULL || key == NULL || value == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_get_meta needs a store and a key.");
    *value = NULL;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM study_meta WHERE key = ?", -1, &q, NULL) != SQLITE_OK)
        return db_err(st, err, "Cannot read study metadata");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    cf_status s = CF_OK;
    if (rc == SQLITE_ROW && sqlite3_column_text(q, 0)) {
        *value = cf_dup_str((const char *)sqlite3_column_text(q, 0), NULL);
        if (*value == NULL) s = cf_error_set(err, CF_ERR_NOMEM, st->path, 0, 0, NULL, "Out of memory.");
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        s = db_err(st, err, "Cannot read study metadata");
    sqlite3_finalize(q);
    return s;
}

cf_status cf_study_store_set_meta(cf_study_store *st, const char *key, const char *value, cf_error *err)
{
    if (st == NULL || key == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_set_meta needs a store and a key.");
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO study_meta(key, value) VALUES (?, ?)", -1, &q, NULL) !=
        SQLITE_OK)
        return db_err(st, err, "Cannot write study metadata");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
    cf_status s = sqlite3_step(q) == SQLITE_DONE ? CF_OK : db_err(st, err, "Cannot write study metadata");
    sqlite3_finalize(q);
    return s;
}
