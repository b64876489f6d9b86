/* costfront: SQLite persistence of optimisation studies (see study_store.h). */
#include "data/study_store.h"
#include "data/alloc.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
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

/* What a file named as a study turned out to be, found by reading it only. */
typedef enum {
    KIND_MISSING = 0, /* no such file */
    KIND_EMPTY,       /* an empty file or an SQLite database without tables: a study may be created in it */
    KIND_STUDY,       /* a costfront study */
    KIND_FOREIGN      /* anything else: another program's database or not a database; never written */
} file_kind;

/* Tables a study file holds (sqlite_sequence comes with AUTOINCREMENT, sqlite_stat1 with ANALYZE). */
static int study_table(const char *name)
{
    static const char *const ours[] = {"study", "trials", "study_meta", "sqlite_sequence", "sqlite_stat1",
                                       "trial_steps"};
    for (size_t i = 0; i < sizeof ours / sizeof *ours; i++)
        if (strcmp(name, ours[i]) == 0) return 1;
    return 0;
}

/* Names the program a set of tables belongs to, for the refusal message ("" when unrecognised). The names are
 * those of Optuna's RDB storage (studies, trial_params, version_info), MLflow's tracking database (experiments,
 * runs, alembic_version) and costfront's run store (store_meta). */
static const char *foreign_owner(int has_optuna, int has_mlflow, int has_runstore)
{
    if (has_runstore) return "a costfront run store ('costfront import --store'), not a study";
    if (has_optuna) return "an Optuna storage (tables studies, trials, trial_params, ...)";
    if (has_mlflow) return "an MLflow tracking database (tables experiments, runs, metrics, ...)";
    return "";
}

/* Finds out what the file at path is without writing to it: the 16-byte SQLite header is read with stdio, and
 * only a file that has it is opened by SQLite, read-only, to list its tables. On KIND_FOREIGN, err holds a message
 * naming what the file is and saying it was left untouched. Returns CF_OK with *kind set, or an error for an
 * unreadable file. */
static cf_status classify(const char *path, file_kind *kind, cf_error *err)
{
    *kind = KIND_MISSING;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        if (errno == ENOENT) return CF_OK;
        return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "Cannot read the study file: %s.", strerror(errno));
    }
    unsigned char head[16];
    size_t got = fread(head, 1, sizeof head, f);
    int read_err = ferror(f);
    fclose(f);
    if (read_err) return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "Cannot read the study file.");
    if (got == 0) {
        *kind = KIND_EMPTY;
        return CF_OK;
    }
    if (got < sizeof head || memcmp(head, "SQLite format 3", 16) != 0) {
        *kind = KIND_FOREIGN;
        cf_error_set(err, CF_ERR_INVALID, path, 0, 0, NULL,
                     "Not a study file: the file is not an SQLite database (it does not start with the SQLite "
                     "header); it was left untouched.");
        return CF_OK;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        cf_status s = cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "Cannot open the study file: %s.",
                                   db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return s;
    }
    sqlite3_busy_timeout(db, 10000);
    sqlite3_stmt *q = NULL;
    size_t n_ours = 0, n_other = 0, n_listed = 0;
    int t_study = 0, has_trials = 0, has_meta = 0, optuna = 0, mlflow = 0, runstore = 0, rc = SQLITE_ERROR;
    char others[200] = "";
    if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", -1, &q, NULL) ==
        SQLITE_OK) {
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(q, 0);
            if (name == NULL) continue;
            if (n_listed < 4) {
                size_t len = strlen(others);
                snprintf(others + len, sizeof others - len, "%s%.40s", n_listed ? ", " : "", name);
            }
            n_listed++;
            if (study_table(name)) {
                n_ours++;
                t_study |= strcmp(name, "study") == 0;
                has_trials |= strcmp(name, "trials") == 0;
                has_meta |= strcmp(name, "study_meta") == 0;
                continue;
            }
            optuna |= !strcmp(name, "studies") || !strcmp(name, "trial_params") || !strcmp(name, "version_info");
            mlflow |= !strcmp(name, "experiments") || !strcmp(name, "alembic_version");
            runstore |= !strcmp(name, "store_meta");
            n_other++;
        }
    }
    char why[200];
    snprintf(why, sizeof why, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(q);
    sqlite3_close(db);
    if (rc != SQLITE_DONE)
        return cf_error_set(err, CF_ERR_DB, path, 0, 0, NULL,
                            "Not a usable study file: %s; it was left untouched.", why);
    if (n_other == 0 && n_ours == 0) {
        *kind = KIND_EMPTY;
        return CF_OK;
    }
    if (n_other == 0 && t_study && has_trials && has_meta) {
        *kind = KIND_STUDY;
        return CF_OK;
    }
    *kind = KIND_FOREIGN;
    const char *owner = foreign_owner(optuna, mlflow, runstore);
    if (owner[0])
        cf_error_set(err, CF_ERR_INVALID, path, 0, 0, NULL,
                     "Not a study file: it is %s; it was left untouched. Give --store a new file name.", owner);
    else
        cf_error_set(err, CF_ERR_INVALID, path, 0, 0, NULL,
                     "Not a study file: an SQLite database whose tables are not a study's (%s%s); it was left "
                     "untouched. Give --store a new file name.",
                     others, n_listed > 4 ? ", ..." : "");
    return CF_OK;
}

/* Opens (or, with create, creates) the database with the journal mode and busy timeout the header promises. The
 * file is classified first (classify), so that a file that is not a study -- another program's database, a file
 * that is not a database -- is refused before anything is written to it: setting the WAL journal mode is a write. */
static cf_status open_db(const char *path, int create, cf_study_store **out, cf_error *err)
{
    if (path == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "A study needs a file path.");
    *out = NULL;
    file_kind kind;
    cf_status cs = classify(path, &kind, err);
    if (cs) return cs;
    if (kind == KIND_FOREIGN) return CF_ERR_INVALID;
    if (create && kind == KIND_STUDY)
        return cf_error_set(err, CF_ERR_INVALID, path, 0, 0, NULL,
                            "The file already holds a study; open it instead of creating it.");
    if (!create && kind == KIND_MISSING)
        return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "Cannot open the study file: no such file.");
    if (!create && kind == KIND_EMPTY)
        return cf_error_set(err, CF_ERR_DB, path, 0, 0, NULL, "The file holds no study (it is empty).");
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

/* Schema version 2: the table of intermediate values of running trials, created in the caller's transaction (a new
 * study's, or the migration's), and the version recorded. */
static cf_status steps_schema(cf_study_store *st, cf_error *err)
{
    static const char *sql =
        "CREATE TABLE IF NOT EXISTS trial_steps(trial_id INTEGER NOT NULL REFERENCES trials(id), step INTEGER NOT "
        "NULL CHECK (step >= 0), \"values\" TEXT NOT NULL, gpu_hours REAL, created INTEGER NOT NULL, PRIMARY KEY "
        "(trial_id, step));"
        "INSERT OR REPLACE INTO study_meta(key, value) VALUES ('schema_version', '2');";
    return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK
               ? CF_OK
               : db_err(st, err, "Cannot create the table of intermediate values");
}

/* Brings a study file of schema version 1 to version 2 (adds trial_steps) in one transaction; several workers
 * opening the same file at once are serialised by the write lock and the table is created once. A file of a later
 * version is left as it is. */
static cf_status migrate(cf_study_store *st, cf_error *err)
{
    char *v = NULL;
    cf_status s = cf_study_store_get_meta(st, "schema_version", &v, err);
    long version = v ? strtol(v, NULL, 10) : 1;
    free(v);
    if (s || version >= 2) return s;
    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_err(st, err, "Cannot lock the study to upgrade it");
    s = steps_schema(st, err);
    if (s == CF_OK && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        s = db_err(st, err, "Cannot upgrade the study");
    if (s) sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return s;
}

cf_status cf_study_store_create(const char *path, const char *space_json, size_t nmeta, const char *const *meta_keys,
                                const char *const *meta_values, cf_study_store **out, cf_error *err)
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
        sqlite3_bind_int64(q, 2, (sqlite3_int64)time(NULL)) != SQLITE_OK || sqlite3_step(q) != SQLITE_DONE) {
        s = db_err(st, err, "Cannot store the study");
        sqlite3_finalize(q);
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        cf_study_store_close(st);
        return s;
    }
    sqlite3_finalize(q);
    /* The creation metadata (e.g. the study's price catalog) in the same transaction: a study never exists
     * without it. */
    for (size_t i = 0; i < nmeta && s == CF_OK; i++) s = cf_study_store_set_meta(st, meta_keys[i], meta_values[i], err);
    if (s == CF_OK) s = steps_schema(st, err);
    if (s == CF_OK && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        s = db_err(st, err, "Cannot store the study");
    if (s) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        cf_study_store_close(st);
        return s;
    }
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
    if ((s = migrate(st, err)) != CF_OK) {
        free(*space_json);
        *space_json = NULL;
        cf_study_store_close(st);
        return s;
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
    int own = sqlite3_get_autocommit(st->db); /* 1: no transaction open, this call makes its own */
    if (own && sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
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
    if (!own) return s; /* the caller's transaction: the caller commits or rolls back */
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

cf_status cf_study_store_begin(cf_study_store *st, cf_error *err)
{
    if (st == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_begin needs a store.");
    /* IMMEDIATE takes the write lock now (waiting up to the busy timeout), so that what is read inside the
     * transaction cannot change before the commit. */
    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_err(st, err, "Cannot lock the study for writing");
    return CF_OK;
}

cf_status cf_study_store_commit(cf_study_store *st, cf_error *err)
{
    if (st == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_commit needs a store.");
    if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        cf_status s = db_err(st, err, "Cannot commit to the study");
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return s;
    }
    return CF_OK;
}

void cf_study_store_rollback(cf_study_store *st)
{
    if (st && !sqlite3_get_autocommit(st->db)) sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

cf_status cf_study_store_meta_prefix(cf_study_store *st, const char *prefix, char ***keys, char ***values, size_t *n,
                                     cf_error *err)
{
    if (st == NULL || prefix == NULL || keys == NULL || values == NULL || n == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_meta_prefix needs a store and outputs.");
    *keys = *values = NULL;
    *n = 0;
    sqlite3_stmt *q = NULL;
    /* substr() rather than LIKE: a prefix may hold '_' or '%'. */
    if (sqlite3_prepare_v2(st->db,
                           "SELECT key, value FROM study_meta WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key", -1,
                           &q, NULL) != SQLITE_OK)
        return db_err(st, err, "Cannot read study metadata");
    sqlite3_bind_text(q, 1, prefix, -1, SQLITE_STATIC);
    size_t cap = 0, cnt = 0;
    char **k = NULL, **v = NULL;
    cf_status s = CF_OK;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (cnt == cap) {
            size_t nc = cap ? 2 * cap : 16;
            char **nk = realloc(k, nc * sizeof *nk);
            if (nk) k = nk;
            char **nv = nk ? realloc(v, nc * sizeof *nv) : NULL;
            if (nv) v = nv;
            if (nk == NULL || nv == NULL) {
                s = cf_error_set(err, CF_ERR_NOMEM, st->path, 0, 0, NULL, "Out of memory.");
                break;
            }
            cap = nc;
        }
        k[cnt] = cf_dup_str((const char *)sqlite3_column_text(q, 0), NULL);
        v[cnt] = cf_dup_str((const char *)sqlite3_column_text(q, 1), NULL);
        cnt++;
        if (k[cnt - 1] == NULL || v[cnt - 1] == NULL) {
            s = cf_error_set(err, CF_ERR_NOMEM, st->path, 0, 0, NULL, "Out of memory.");
            break;
        }
    }
    if (s == CF_OK && rc != SQLITE_DONE) s = db_err(st, err, "Cannot read study metadata");
    sqlite3_finalize(q);
    if (s) {
        cf_study_meta_free(k, v, cnt);
        return s;
    }
    *keys = k;
    *values = v;
    *n = cnt;
    return CF_OK;
}

void cf_study_meta_free(char **keys, char **values, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (keys) free(keys[i]);
        if (values) free(values[i]);
    }
    free(keys);
    free(values);
}

cf_status cf_study_store_delete_meta_prefix(cf_study_store *st, const char *prefix, cf_error *err)
{
    if (st == NULL || prefix == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_delete_meta_prefix needs a store.");
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "DELETE FROM study_meta WHERE substr(key, 1, length(?1)) = ?1", -1, &q, NULL) !=
        SQLITE_OK)
        return db_err(st, err, "Cannot write study metadata");
    sqlite3_bind_text(q, 1, prefix, -1, SQLITE_STATIC);
    cf_status s = sqlite3_step(q) == SQLITE_DONE ? CF_OK : db_err(st, err, "Cannot write study metadata");
    sqlite3_finalize(q);
    return s;
}

/* ---- Intermediate values (trial_steps) ---- */

cf_status cf_study_store_add_step(cf_study_store *st, long id, long step, const char *values_json, double gpu_hours,
                                  cf_error *err)
{
    if (st == NULL || values_json == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_add_step needs a store and values.");
    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_err(st, err, "Cannot lock the study for writing");
    cf_status s = CF_OK;
    sqlite3_stmt *q = NULL;
    /* The checks and the insert share the write lock, so two workers reporting the same trial cannot both pass
     * the check for the same step. */
    if (sqlite3_prepare_v2(st->db,
                           "SELECT t.state, (SELECT max(step) FROM trial_steps WHERE trial_id = t.id), (SELECT "
                           "max(gpu_hours) FROM trial_steps WHERE trial_id = t.id) FROM trials t WHERE t.id = ?",
                           -1, &q, NULL) != SQLITE_OK)
        s = db_err(st, err, "Cannot read the trial");
    else {
        sqlite3_bind_int64(q, 1, id);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_DONE)
            s = cf_error_set(err, CF_ERR_NOT_FOUND, st->path, 0, 0, "id", "There is no trial %ld.", id);
        else if (rc != SQLITE_ROW)
            s = db_err(st, err, "Cannot read the trial");
        else {
            const char *state = (const char *)sqlite3_column_text(q, 0);
            if (state == NULL || strcmp(state, "pending") != 0)
                s = cf_error_set(err, CF_ERR_INVALID, st->path, 0, 0, "id",
                                 "Trial %ld is %s, not running: intermediate values are for pending trials.", id,
                                 state ? state : "in an unknown state");
            else if (sqlite3_column_type(q, 1) != SQLITE_NULL && (long)sqlite3_column_int64(q, 1) >= step)
                s = cf_error_set(err, CF_ERR_INVALID, st->path, 0, 0, "step",
                                 "Expected a step after %ld, the last one recorded for trial %ld, found %ld (steps "
                                 "only go forward).",
                                 (long)sqlite3_column_int64(q, 1), id, step);
            else if (!isnan(gpu_hours) && sqlite3_column_type(q, 2) != SQLITE_NULL &&
                     gpu_hours < sqlite3_column_double(q, 2))
                s = cf_error_set(err, CF_ERR_INVALID, st->path, 0, 0, "gpu_hours",
                                 "Expected the GPU-hours spent so far, at least the %.10g already recorded for trial "
                                 "%ld, found %.10g.",
                                 sqlite3_column_double(q, 2), id, gpu_hours);
        }
    }
    sqlite3_finalize(q);
    q = NULL;
    if (s == CF_OK) {
        if (sqlite3_prepare_v2(st->db,
                               "INSERT INTO trial_steps(trial_id, step, \"values\", gpu_hours, created) VALUES (?, ?, "
                               "?, ?, ?)",
                               -1, &q, NULL) != SQLITE_OK)
            s = db_err(st, err, "Cannot record the intermediate values");
        else {
            sqlite3_bind_int64(q, 1, id);
            sqlite3_bind_int64(q, 2, step);
            sqlite3_bind_text(q, 3, values_json, -1, SQLITE_STATIC);
            if (isnan(gpu_hours))
                sqlite3_bind_null(q, 4);
            else
                sqlite3_bind_double(q, 4, gpu_hours);
            sqlite3_bind_int64(q, 5, (sqlite3_int64)time(NULL));
            if (sqlite3_step(q) != SQLITE_DONE) s = db_err(st, err, "Cannot record the intermediate values");
        }
        sqlite3_finalize(q);
    }
    if (s == CF_OK && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        s = db_err(st, err, "Cannot commit the intermediate values");
    if (s) sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return s;
}

void cf_study_steps_free(cf_study_step *rows, size_t n)
{
    if (rows == NULL) return;
    for (size_t i = 0; i < n; i++) free(rows[i].values);
    free(rows);
}

cf_status cf_study_store_load_steps(cf_study_store *st, long id, cf_study_step **rows, size_t *n, cf_error *err)
{
    if (st == NULL || rows == NULL || n == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_load_steps needs a store and outputs.");
    *rows = NULL;
    *n = 0;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT trial_id, step, \"values\", gpu_hours, created FROM trial_steps WHERE ?1 = 0 OR "
                           "trial_id = ?1 ORDER BY trial_id, step",
                           -1, &q, NULL) != SQLITE_OK)
        return db_err(st, err, "Cannot read the intermediate values");
    sqlite3_bind_int64(q, 1, id);
    size_t cap = 0, cnt = 0;
    cf_study_step *r = NULL;
    cf_status s = CF_OK;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (cnt == cap) {
            size_t nc = cap ? 2 * cap : 64;
            cf_study_step *nr = realloc(r, nc * sizeof *nr);
            if (nr == NULL) {
                s = cf_error_set(err, CF_ERR_NOMEM, st->path, 0, 0, NULL, "Out of memory.");
                break;
            }
            r = nr;
            cap = nc;
        }
        cf_study_step *w = &r[cnt++];
        w->trial_id = (long)sqlite3_column_int64(q, 0);
        w->step = (long)sqlite3_column_int64(q, 1);
        w->values = cf_dup_str((const char *)sqlite3_column_text(q, 2), NULL);
        w->gpu_hours = sqlite3_column_type(q, 3) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 3);
        w->created = sqlite3_column_int64(q, 4);
        if (w->values == NULL) {
            s = cf_error_set(err, CF_ERR_NOMEM, st->path, 0, 0, NULL, "Out of memory.");
            break;
        }
    }
    if (s == CF_OK && rc != SQLITE_DONE) s = db_err(st, err, "Cannot read the intermediate values");
    sqlite3_finalize(q);
    if (s) {
        cf_study_steps_free(r, cnt);
        return s;
    }
    *rows = r;
    *n = cnt;
    return CF_OK;
}
