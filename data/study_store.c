/* costfront: persistence of optimisation studies in SQLite or PostgreSQL (see study_store.h). */
#include "data/study_store.h"
#include "data/alloc.h"
#include "data/db.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How long a study waits for another process's write lock (ms): the run store's 60 s, since 16 sweep workers
 * queueing for one study on a slow or loaded machine (sanitizer builds, 2 shared cores) wait longer than 10 s. */
#define CF_STUDY_BUSY_MS 60000

struct cf_study_store {
    cf_db *db;  /* open connection */
    char *path; /* file name or URI (without its password) for error messages */
};

/* The name of the write lock of a study on PostgreSQL (keyed with the schema; see data/db.h). */
#define STUDY_LOCK "costfront study"
/* Attempts of a write transaction that hits a serialisation failure or a deadlock. */
#define STUDY_TRIES 8

static const char *const state_names[] = {"pending", "complete", "failed", "pruned"};

/* Turns the connection's last SQLite error into a CF_ERR_DB naming the study file and what was being done. */
static cf_status db_err(cf_study_store *st, cf_error *err, const char *what)
{
    return cf_error_set(err, CF_ERR_DB, st ? st->path : NULL, 0, 0, NULL, "%s: %s.", what,
                        st && st->db ? cf_db_errmsg(st->db) : "cannot open");
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

/* Judges the tables of an open database (an SQLite file, or the current schema of a PostgreSQL database) as
 * classify describes, reading only. */
static cf_status classify_tables(cf_db *db, const char *path, file_kind *kind, cf_error *err)
{
    int pg = cf_db_is_pg(db);
    const char *what = pg ? "database" : "file";
    cf_db_stmt *q = cf_db_prepare(db, pg ? "SELECT table_name FROM information_schema.tables WHERE table_schema ="
                                           " current_schema() ORDER BY table_name"
                                         : "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    size_t n_ours = 0, n_other = 0, n_listed = 0;
    int t_study = 0, has_trials = 0, has_meta = 0, optuna = 0, mlflow = 0, runstore = 0, rc = CF_DB_ERROR;
    char others[200] = "";
    if (q != NULL) {
        while ((rc = cf_db_step(q)) == CF_DB_ROW) {
            const char *name = cf_db_col_text(q, 0);
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
    snprintf(why, sizeof why, "%s", cf_db_errmsg(db));
    cf_db_finalize(q);
    if (rc != CF_DB_DONE)
        return cf_error_set(err, CF_ERR_DB, path, 0, 0, NULL, "Not a usable study %s: %s; it was left untouched.",
                            what, why);
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
                     "Not a study %s: it is %s; it was left untouched. Give --store a new %s.", what, owner,
                     pg ? "database or schema" : "file name");
    else
        cf_error_set(err, CF_ERR_INVALID, path, 0, 0, NULL,
                     "Not a study %s: %s whose tables are not a study's (%s%s); it was left "
                     "untouched. Give --store a new %s.",
                     what, pg ? "a PostgreSQL schema" : "an SQLite database", others, n_listed > 4 ? ", ..." : "",
                     pg ? "database or schema" : "file name");
    return CF_OK;
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
    cf_db *db = NULL;
    char why[256];
    if (cf_db_open_sqlite(path, SQLITE_OPEN_READONLY, CF_STUDY_BUSY_MS, &db, why, sizeof why) != 0)
        return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "Cannot open the study file: %s.", why);
    cf_status s = classify_tables(db, path, kind, err);
    cf_db_close(db);
    return s;
}

/* Starts a write transaction holding the study's write lock (BEGIN IMMEDIATE on SQLite, an advisory transaction
 * lock on PostgreSQL; data/db.h), retrying a serialisation failure or deadlock a few times. */
static cf_status begin_write(cf_study_store *st, cf_error *err, const char *what)
{
    for (int attempt = 0;; attempt++) {
        if (cf_db_begin_locked(st->db, STUDY_LOCK) == 0) return CF_OK;
        if (!cf_db_is_pg(st->db) || !cf_db_retryable(st->db) || attempt + 1 >= STUDY_TRIES)
            return db_err(st, err, what);
    }
}

/* Opens (or, with create, creates) the database. A file is classified first (classify), so that a file that is not
 * a study -- another program's database, a file that is not a database -- is refused before anything is written
 * to it (setting the WAL journal mode is a write); it is then opened with the journal mode and busy timeout the
 * header promises. A PostgreSQL URI is connected to, and its current schema is classified the same way (inside
 * the creating transaction, for create). */
static cf_status open_db(const char *path, int create, cf_study_store **out, cf_error *err)
{
    if (path == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "A study needs a file path.");
    *out = NULL;
    int pg = cf_db_is_pg_uri(path);
    char shown[512];
    cf_db_display_name(path, shown, sizeof shown);
    file_kind kind = KIND_EMPTY;
    if (!pg) {
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
    }
    cf_study_store *st = calloc(1, sizeof *st);
    if (st == NULL || (st->path = cf_dup_str(shown, NULL)) == NULL) {
        free(st);
        return cf_error_set(err, CF_ERR_NOMEM, shown, 0, 0, NULL, "Out of memory.");
    }
    char why[512];
    if (pg) {
        if (cf_db_open_pg(path, &st->db, why, sizeof why) != 0) {
            cf_study_store_close(st);
            return cf_error_set(err, CF_ERR_DB, shown, 0, 0, NULL, "Cannot open the study: %s.", why);
        }
        if (!create) {
            cf_status cs = classify_tables(st->db, shown, &kind, err);
            if (cs == CF_OK && kind == KIND_EMPTY)
                cs = cf_error_set(err, CF_ERR_DB, shown, 0, 0, NULL, "The database holds no study (no tables).");
            if (cs == CF_OK && kind == KIND_FOREIGN) cs = CF_ERR_INVALID;
            if (cs) {
                cf_study_store_close(st);
                return cs;
            }
        }
        *out = st;
        return CF_OK;
    }
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (cf_db_open_sqlite(path, flags, CF_STUDY_BUSY_MS, &st->db, why, sizeof why) != 0) {
        cf_status s = cf_error_set(err, create ? CF_ERR_DB : CF_ERR_IO, path, 0, 0, NULL,
                                   "Cannot open the study file: %s.", why);
        cf_study_store_close(st);
        return s;
    }
    if (cf_db_exec(st->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;") != 0) {
        cf_status s = cf_error_set(err, CF_ERR_DB, path, 0, 0, NULL, "Not a usable SQLite study file: %s.",
                                   cf_db_errmsg(st->db));
        cf_study_store_close(st);
        return s;
    }
    *out = st;
    return CF_OK;
}

void cf_study_store_close(cf_study_store *st)
{
    if (st == NULL) return;
    cf_db_close(st->db);
    free(st->path);
    free(st);
}

/* True when the database already holds a study, so that create refuses to overwrite one. */
static int has_study(cf_study_store *st) { return cf_db_has_table(st->db, "study") > 0; }

/* Runs one prepared statement that returns no rows, with text parameters (NULL binds NULL) and then integer ones;
 * finalizes it. types holds one character per parameter: 't' text, 'i' integer, 'd' double (NaN binds NULL). */
static cf_status run(cf_study_store *st, cf_error *err, const char *what, const char *sql, const char *types, ...)
{
    cf_db_stmt *q = cf_db_prepare(st->db, sql);
    if (q == NULL) return db_err(st, err, what);
    va_list ap;
    va_start(ap, types);
    for (int k = 0; types[k]; k++) {
        if (types[k] == 't') {
            cf_db_bind_text(q, k + 1, va_arg(ap, const char *));
        } else if (types[k] == 'd') {
            double d = va_arg(ap, double);
            if (isnan(d))
                cf_db_bind_null(q, k + 1);
            else
                cf_db_bind_double(q, k + 1, d);
        } else {
            cf_db_bind_int64(q, k + 1, va_arg(ap, long long));
        }
    }
    va_end(ap);
    int rc = cf_db_step(q);
    cf_status s = rc == CF_DB_ERROR ? db_err(st, err, what) : CF_OK;
    cf_db_finalize(q);
    return s;
}

/* Schema version 2: the table of intermediate values of running trials, created in the caller's transaction (a new
 * study's, or the migration's), and the version recorded. */
static cf_status steps_schema(cf_study_store *st, cf_error *err)
{
    static const char *lite =
        "CREATE TABLE IF NOT EXISTS trial_steps(trial_id INTEGER NOT NULL REFERENCES trials(id), step INTEGER NOT "
        "NULL CHECK (step >= 0), \"values\" TEXT NOT NULL, gpu_hours REAL, created INTEGER NOT NULL, PRIMARY KEY "
        "(trial_id, step));";
    static const char *pg =
        "CREATE TABLE IF NOT EXISTS trial_steps(trial_id BIGINT NOT NULL REFERENCES trials(id), step BIGINT NOT "
        "NULL CHECK (step >= 0), \"values\" TEXT NOT NULL, gpu_hours DOUBLE PRECISION, created BIGINT NOT NULL, "
        "PRIMARY KEY (trial_id, step));";
    if (cf_db_exec(st->db, cf_db_is_pg(st->db) ? pg : lite) != 0)
        return db_err(st, err, "Cannot create the table of intermediate values");
    return cf_study_store_set_meta(st, "schema_version", "2", err);
}

/* Brings a study of schema version 1 to version 2 (adds trial_steps) in one transaction; several workers opening
 * the same study at once are serialised by the write lock and the table is created once. A study of a later
 * version is left as it is. */
static cf_status migrate(cf_study_store *st, cf_error *err)
{
    char *v = NULL;
    cf_status s = cf_study_store_get_meta(st, "schema_version", &v, err);
    long version = v ? strtol(v, NULL, 10) : 1;
    free(v);
    if (s || version >= 2) return s;
    if ((s = begin_write(st, err, "Cannot lock the study to upgrade it"))) return s;
    s = steps_schema(st, err);
    if (s == CF_OK && cf_db_commit(st->db) != 0) s = db_err(st, err, "Cannot upgrade the study");
    if (s) cf_db_rollback(st->db);
    return s;
}

cf_status cf_study_store_create(const char *path, const char *space_json, size_t nmeta, const char *const *meta_keys,
                                const char *const *meta_values, cf_study_store **out, cf_error *err)
{
    if (space_json == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "A study needs a space.");
    cf_study_store *st = NULL;
    cf_status s = open_db(path, 1, &st, err);
    if (s) return s;
    s = begin_write(st, err, "Cannot start a transaction");
    if (s) {
        cf_study_store_close(st);
        return s;
    }
    int pg = cf_db_is_pg(st->db);
    if (pg) {
        /* inside the lock: two workers creating one study cannot both find the schema empty */
        file_kind kind = KIND_EMPTY;
        s = classify_tables(st->db, st->path, &kind, err);
        if (s == CF_OK && kind == KIND_FOREIGN) s = CF_ERR_INVALID;
        if (s == CF_OK && kind == KIND_STUDY)
            s = cf_error_set(err, CF_ERR_INVALID, st->path, 0, 0, NULL,
                             "The database already holds a study; open it instead of creating it.");
    } else if (has_study(st)) {
        s = cf_error_set(err, CF_ERR_INVALID, path, 0, 0, NULL,
                         "The file already holds a study; open it "
                         "instead of creating it.");
    }
    static const char *lite =
        "CREATE TABLE study(id INTEGER PRIMARY KEY CHECK (id = 1), space TEXT NOT NULL, created INTEGER NOT NULL);"
        "CREATE TABLE trials(id INTEGER PRIMARY KEY AUTOINCREMENT, state TEXT NOT NULL CHECK (state IN "
        "('pending','complete','failed','pruned')), params TEXT NOT NULL, \"values\" TEXT, created INTEGER NOT "
        "NULL, updated INTEGER NOT NULL);"
        "CREATE TABLE study_meta(key TEXT PRIMARY KEY, value TEXT);"
        "INSERT INTO study_meta VALUES ('schema_version', '1');";
    static const char *pgsql =
        "CREATE TABLE study(id INTEGER PRIMARY KEY CHECK (id = 1), space TEXT NOT NULL, created BIGINT NOT NULL);"
        "CREATE TABLE trials(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, state TEXT NOT NULL CHECK "
        "(state IN ('pending','complete','failed','pruned')), params TEXT NOT NULL, \"values\" TEXT, created BIGINT "
        "NOT NULL, updated BIGINT NOT NULL);"
        "CREATE TABLE study_meta(key TEXT PRIMARY KEY, value TEXT);"
        "INSERT INTO study_meta VALUES ('schema_version', '1');";
    if (s == CF_OK && cf_db_exec(st->db, pg ? pgsql : lite) != 0) s = db_err(st, err, "Cannot create the study tables");
    if (s == CF_OK)
        s = run(st, err, "Cannot store the study", "INSERT INTO study(id, space, created) VALUES (1, ?, ?)", "ti",
                space_json, (long long)time(NULL));
    /* The creation metadata (e.g. the study's price catalog) in the same transaction: a study never exists
     * without it. */
    for (size_t i = 0; i < nmeta && s == CF_OK; i++) s = cf_study_store_set_meta(st, meta_keys[i], meta_values[i], err);
    if (s == CF_OK) s = steps_schema(st, err);
    if (s == CF_OK && cf_db_commit(st->db) != 0) s = db_err(st, err, "Cannot store the study");
    if (s) {
        cf_db_rollback(st->db);
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
    cf_db_stmt *q = has_study(st) ? cf_db_prepare(st->db, "SELECT space FROM study WHERE id = 1") : NULL;
    if (q == NULL || cf_db_step(q) != CF_DB_ROW) {
        cf_db_finalize(q);
        s = cf_error_set(err, CF_ERR_DB, st->path, 0, 0, NULL, "The %s holds no study.",
                         cf_db_is_pg(st->db) ? "database" : "file is an SQLite database but");
        cf_study_store_close(st);
        return s;
    }
    *space_json = cf_dup_str(cf_db_col_text(q, 0), NULL);
    cf_db_finalize(q);
    if (*space_json == NULL) {
        s = cf_error_set(err, CF_ERR_NOMEM, st->path, 0, 0, NULL, "Out of memory.");
        cf_study_store_close(st);
        return s;
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
    cf_db_stmt *q = cf_db_prepare(st->db, "SELECT id, state, params, \"values\", created, updated FROM trials ORDER BY id");
    if (q == NULL) return db_err(st, err, "Cannot read the trials");
    size_t cap = 0, cnt = 0;
    cf_study_row *r = NULL;
    int rc;
    cf_status s = CF_OK;
    while ((rc = cf_db_step(q)) == CF_DB_ROW) {
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
        w->id = (long)cf_db_col_int64(q, 0);
        int state = parse_state(cf_db_col_text(q, 1));
        w->params = cf_dup_str(cf_db_col_text(q, 2), NULL);
        w->values = cf_dup_str(cf_db_col_text(q, 3), NULL);
        w->created = cf_db_col_int64(q, 4);
        w->updated = cf_db_col_int64(q, 5);
        if (state < 0 || w->params == NULL) {
            s = cf_error_set(err, CF_ERR_DB, st->path, 0, 0, "trials", "Trial %ld has a bad state or no params.",
                             w->id);
            break;
        }
        w->state = (cf_trial_state)state;
    }
    if (s == CF_OK && rc != CF_DB_DONE) s = db_err(st, err, "Cannot read the trials");
    cf_db_finalize(q);
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
    int own = !cf_db_in_transaction(st->db); /* 1: no transaction open, this call makes its own */
    cf_status s = CF_OK;
    if (own && (s = begin_write(st, err, "Cannot start a transaction"))) return s;
    long long now = (long long)time(NULL);
    /* On PostgreSQL the id is the next after the largest, taken under the write lock, rather than the identity
     * sequence's, which a rolled-back insert (a worker killed mid-ask) would leave a gap in: ids stay 1, 2, 3, ...
     * as SQLite's AUTOINCREMENT keeps them (trials are never deleted). */
    cf_db_stmt *q = cf_db_prepare(
        st->db, cf_db_is_pg(st->db) ? "INSERT INTO trials(id, state, params, \"values\", created, updated) VALUES "
                                      "((SELECT COALESCE(max(id), 0) + 1 FROM trials), ?, ?, ?, ?, ?) RETURNING id"
                                    : "INSERT INTO trials(state, params, \"values\", created, updated) VALUES "
                                      "(?, ?, ?, ?, ?) RETURNING id");
    if (q == NULL) s = db_err(st, err, "Cannot insert trials");
    for (size_t i = 0; s == CF_OK && i < n; i++) {
        cf_db_reset(q);
        cf_db_bind_text(q, 1, state_names[states[i]]);
        cf_db_bind_text(q, 2, params[i]);
        cf_db_bind_text(q, 3, values ? values[i] : NULL);
        cf_db_bind_int64(q, 4, now);
        cf_db_bind_int64(q, 5, now);
        if (cf_db_step(q) != CF_DB_ROW)
            s = db_err(st, err, "Cannot insert a trial");
        else
            ids[i] = (long)cf_db_col_int64(q, 0);
        if (s == CF_OK && cf_db_step(q) == CF_DB_ERROR) s = db_err(st, err, "Cannot insert a trial");
    }
    cf_db_finalize(q);
    if (!own) return s; /* the caller's transaction: the caller commits or rolls back */
    if (s == CF_OK && cf_db_commit(st->db) != 0) s = db_err(st, err, "Cannot commit the new trials");
    if (s) cf_db_rollback(st->db);
    return s;
}

cf_status cf_study_store_update(cf_study_store *st, long id, cf_trial_state state, const char *values, cf_error *err)
{
    if (st == NULL || (unsigned)state > 3)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_update needs a store and a state.");
    cf_db_stmt *q = cf_db_prepare(st->db, "UPDATE trials SET state = ?, \"values\" = ?, updated = ? WHERE id = ? RETURNING id");
    if (q == NULL) return db_err(st, err, "Cannot update a trial");
    cf_db_bind_text(q, 1, state_names[state]);
    cf_db_bind_text(q, 2, values);
    cf_db_bind_int64(q, 3, (long long)time(NULL));
    cf_db_bind_int64(q, 4, id);
    int rc = cf_db_step(q);
    cf_status s = CF_OK;
    if (rc == CF_DB_ERROR)
        s = db_err(st, err, "Cannot update a trial");
    else if (rc == CF_DB_DONE)
        s = cf_error_set(err, CF_ERR_NOT_FOUND, st->path, 0, 0, "id", "There is no trial %ld.", id);
    else if (cf_db_step(q) == CF_DB_ERROR)
        s = db_err(st, err, "Cannot update a trial");
    cf_db_finalize(q);
    return s;
}

cf_status cf_study_store_get_meta(cf_study_store *st, const char *key, char **value, cf_error *err)
{
    if (st == NULL || key == NULL || value == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_get_meta needs a store and a key.");
    *value = NULL;
    cf_db_stmt *q = cf_db_prepare(st->db, "SELECT value FROM study_meta WHERE key = ?");
    if (q == NULL) return db_err(st, err, "Cannot read study metadata");
    cf_db_bind_text(q, 1, key);
    int rc = cf_db_step(q);
    cf_status s = CF_OK;
    if (rc == CF_DB_ROW && cf_db_col_text(q, 0)) {
        *value = cf_dup_str(cf_db_col_text(q, 0), NULL);
        if (*value == NULL) s = cf_error_set(err, CF_ERR_NOMEM, st->path, 0, 0, NULL, "Out of memory.");
    } else if (rc == CF_DB_ERROR)
        s = db_err(st, err, "Cannot read study metadata");
    cf_db_finalize(q);
    return s;
}

cf_status cf_study_store_set_meta(cf_study_store *st, const char *key, const char *value, cf_error *err)
{
    if (st == NULL || key == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_set_meta needs a store and a key.");
    return run(st, err, "Cannot write study metadata",
               "INSERT INTO study_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
               "tt", key, value);
}

cf_status cf_study_store_begin(cf_study_store *st, cf_error *err)
{
    if (st == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_begin needs a store.");
    /* The write lock is taken now (waiting up to the busy timeout on SQLite, for the holder's commit on
     * PostgreSQL), so that what is read inside the transaction cannot change before the commit. */
    return begin_write(st, err, "Cannot lock the study for writing");
}

cf_status cf_study_store_commit(cf_study_store *st, cf_error *err)
{
    if (st == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_commit needs a store.");
    if (cf_db_commit(st->db) != 0) {
        cf_status s = db_err(st, err, "Cannot commit to the study");
        cf_db_rollback(st->db);
        return s;
    }
    return CF_OK;
}

void cf_study_store_rollback(cf_study_store *st)
{
    if (st) cf_db_rollback(st->db);
}

/* substr() rather than LIKE: a prefix may hold '_' or '%'; the casts fix the parameter's type for PostgreSQL. */
#define META_PREFIX_WHERE "substr(key, 1, length(CAST(?1 AS TEXT))) = CAST(?1 AS TEXT)"

cf_status cf_study_store_meta_prefix(cf_study_store *st, const char *prefix, char ***keys, char ***values, size_t *n,
                                     cf_error *err)
{
    if (st == NULL || prefix == NULL || keys == NULL || values == NULL || n == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_meta_prefix needs a store and outputs.");
    *keys = *values = NULL;
    *n = 0;
    cf_db_stmt *q = cf_db_prepare(st->db, "SELECT key, value FROM study_meta WHERE " META_PREFIX_WHERE " ORDER BY key");
    if (q == NULL) return db_err(st, err, "Cannot read study metadata");
    cf_db_bind_text(q, 1, prefix);
    size_t cap = 0, cnt = 0;
    char **k = NULL, **v = NULL;
    cf_status s = CF_OK;
    int rc;
    while ((rc = cf_db_step(q)) == CF_DB_ROW) {
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
        k[cnt] = cf_dup_str(cf_db_col_text(q, 0), NULL);
        v[cnt] = cf_dup_str(cf_db_col_text(q, 1), NULL);
        cnt++;
        if (k[cnt - 1] == NULL || v[cnt - 1] == NULL) {
            s = cf_error_set(err, CF_ERR_NOMEM, st->path, 0, 0, NULL, "Out of memory.");
            break;
        }
    }
    if (s == CF_OK && rc == CF_DB_ERROR) s = db_err(st, err, "Cannot read study metadata");
    cf_db_finalize(q);
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
    return run(st, err, "Cannot write study metadata", "DELETE FROM study_meta WHERE " META_PREFIX_WHERE, "t", prefix);
}

/* ---- Intermediate values (trial_steps) ---- */

cf_status cf_study_store_add_step(cf_study_store *st, long id, long step, const char *values_json, double gpu_hours,
                                  cf_error *err)
{
    if (st == NULL || values_json == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_store_add_step needs a store and values.");
    cf_status s = begin_write(st, err, "Cannot lock the study for writing");
    if (s) return s;
    /* The checks and the insert share the write lock, so two workers reporting the same trial cannot both pass
     * the check for the same step. */
    cf_db_stmt *q = cf_db_prepare(st->db,
                                  "SELECT t.state, (SELECT max(step) FROM trial_steps WHERE trial_id = t.id), (SELECT "
                                  "max(gpu_hours) FROM trial_steps WHERE trial_id = t.id) FROM trials t WHERE t.id = ?");
    if (q == NULL)
        s = db_err(st, err, "Cannot read the trial");
    else {
        cf_db_bind_int64(q, 1, id);
        int rc = cf_db_step(q);
        if (rc == CF_DB_DONE)
            s = cf_error_set(err, CF_ERR_NOT_FOUND, st->path, 0, 0, "id", "There is no trial %ld.", id);
        else if (rc != CF_DB_ROW)
            s = db_err(st, err, "Cannot read the trial");
        else {
            const char *state = cf_db_col_text(q, 0);
            if (state == NULL || strcmp(state, "pending") != 0)
                s = cf_error_set(err, CF_ERR_INVALID, st->path, 0, 0, "id",
                                 "Trial %ld is %s, not running: intermediate values are for pending trials.", id,
                                 state ? state : "in an unknown state");
            else if (!cf_db_col_is_null(q, 1) && (long)cf_db_col_int64(q, 1) >= step)
                s = cf_error_set(err, CF_ERR_INVALID, st->path, 0, 0, "step",
                                 "Expected a step after %ld, the last one recorded for trial %ld, found %ld (steps "
                                 "only go forward).",
                                 (long)cf_db_col_int64(q, 1), id, step);
            else if (!isnan(gpu_hours) && !cf_db_col_is_null(q, 2) && gpu_hours < cf_db_col_double(q, 2))
                s = cf_error_set(err, CF_ERR_INVALID, st->path, 0, 0, "gpu_hours",
                                 "Expected the GPU-hours spent so far, at least the %.10g already recorded for trial "
                                 "%ld, found %.10g.",
                                 cf_db_col_double(q, 2), id, gpu_hours);
        }
    }
    cf_db_finalize(q);
    if (s == CF_OK)
        s = run(st, err, "Cannot record the intermediate values",
                "INSERT INTO trial_steps(trial_id, step, \"values\", gpu_hours, created) VALUES (?, ?, ?, ?, ?)",
                "iitdi", (long long)id, (long long)step, values_json, gpu_hours, (long long)time(NULL));
    if (s == CF_OK && cf_db_commit(st->db) != 0) s = db_err(st, err, "Cannot commit the intermediate values");
    if (s) cf_db_rollback(st->db);
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
    cf_db_stmt *q = cf_db_prepare(st->db,
                                  "SELECT trial_id, step, \"values\", gpu_hours, created FROM trial_steps WHERE "
                                  "CAST(?1 AS BIGINT) = 0 OR trial_id = CAST(?1 AS BIGINT) ORDER BY trial_id, step");
    if (q == NULL) return db_err(st, err, "Cannot read the intermediate values");
    cf_db_bind_int64(q, 1, id);
    size_t cap = 0, cnt = 0;
    cf_study_step *r = NULL;
    cf_status s = CF_OK;
    int rc;
    while ((rc = cf_db_step(q)) == CF_DB_ROW) {
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
        w->trial_id = (long)cf_db_col_int64(q, 0);
        w->step = (long)cf_db_col_int64(q, 1);
        w->values = cf_dup_str(cf_db_col_text(q, 2), NULL);
        w->gpu_hours = cf_db_col_is_null(q, 3) ? NAN : cf_db_col_double(q, 3);
        w->created = cf_db_col_int64(q, 4);
        if (w->values == NULL) {
            s = cf_error_set(err, CF_ERR_NOMEM, st->path, 0, 0, NULL, "Out of memory.");
            break;
        }
    }
    if (s == CF_OK && rc != CF_DB_DONE) s = db_err(st, err, "Cannot read the intermediate values");
    cf_db_finalize(q);
    if (s) {
        cf_study_steps_free(r, cnt);
        return s;
    }
    *rows = r;
    *n = cnt;
    return CF_OK;
}
