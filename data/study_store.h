/* costfront: private SQLite persistence of a study (data/study_store.c), used only by optimizer/study.c.
 *
 * Schema (version 1): study(id = 1, space TEXT, created INTEGER); trials(id INTEGER PRIMARY KEY AUTOINCREMENT,
 * state TEXT 'pending' | 'complete' | 'failed' | 'pruned', params TEXT (JSON object), "values" TEXT (JSON object
 * or NULL), created INTEGER, updated INTEGER); study_meta(key TEXT PRIMARY KEY, value TEXT). Times are seconds
 * since the Unix epoch. Version 2 adds trial_steps(trial_id INTEGER REFERENCES trials(id), step INTEGER, "values"
 * TEXT (JSON array), gpu_hours REAL or NULL, created INTEGER, PRIMARY KEY (trial_id, step)): the intermediate
 * values of running trials (optimizer/prune.c); a version-1 file is migrated when opened. The database uses the WAL journal (rollback journal when WAL is unavailable) and every
 * write runs in one transaction, so a crash mid-write leaves the previous state; a busy timeout of 10 s lets
 * several sweep workers share one file.
 *
 * Ownership: a cf_study_store owns its connection. Strings and row arrays returned through out-parameters
 * belong to the caller: free strings with free() and rows with cf_study_rows_free.
 */
#ifndef COSTFRONT_STUDY_STORE_H
#define COSTFRONT_STUDY_STORE_H

#include <stddef.h>

#include "costfront/status.h"
#include "costfront/trial.h"

typedef struct cf_study_store cf_study_store;

/* One stored trial. */
typedef struct cf_study_row {
    long id;              /* trial id, 1-based, increasing */
    cf_trial_state state; /* pending, complete, failed, pruned */
    char *params;         /* JSON object text */
    char *values;         /* JSON text or NULL */
    long long created;    /* seconds since the epoch */
    long long updated;
} cf_study_row;

/* Creates the schema in a new or empty file (or an SQLite database without tables) and stores the space JSON.
 * Refuses (CF_ERR_INVALID) a file that already holds a study and every other file (not SQLite, or a database with
 * tables that are not a study's), having only read it: nothing is written to a refused file, not even the WAL
 * journal mode. The nmeta metadata entries (keys and values) are written in the creating transaction. */
cf_status cf_study_store_create(const char *path, const char *space_json, size_t nmeta, const char *const *meta_keys,
                                const char *const *meta_values, cf_study_store **out, cf_error *err);

/* Opens an existing study file and returns its space JSON in *space_json (caller frees). A file that is not a
 * study is refused as by cf_study_store_create (CF_ERR_INVALID) without being written; CF_ERR_IO when the file
 * is missing or unreadable, CF_ERR_DB when it is empty. */
cf_status cf_study_store_open(const char *path, cf_study_store **out, char **space_json, cf_error *err);

/* Closes the connection; accepts NULL. */
void cf_study_store_close(cf_study_store *st);

/* Loads every trial in id order. */
cf_status cf_study_store_load(cf_study_store *st, cf_study_row **rows, size_t *n, cf_error *err);

/* Frees rows returned by cf_study_store_load; accepts NULL. */
void cf_study_rows_free(cf_study_row *rows, size_t n);

/* Inserts n trials with the given states, params and values (values entries may be NULL) in one transaction (the
 * caller's, when cf_study_store_begin opened one; else its own) and writes their ids to ids. */
cf_status cf_study_store_insert(cf_study_store *st, size_t n, const cf_trial_state *states, const char *const *params,
                                const char *const *values, long *ids, cf_error *err);

/* Sets the state and values (may be NULL) of trial id. CF_ERR_NOT_FOUND when there is no such trial. */
cf_status cf_study_store_update(cf_study_store *st, long id, cf_trial_state state, const char *values, cf_error *err);

/* Reads a metadata value (caller frees; *value = NULL when absent). */
cf_status cf_study_store_get_meta(cf_study_store *st, const char *key, char **value, cf_error *err);

/* Writes a metadata value (insert or replace). */
cf_status cf_study_store_set_meta(cf_study_store *st, const char *key, const char *value, cf_error *err);

/* Starts a write transaction (BEGIN IMMEDIATE: the write lock is taken now, waiting up to the busy timeout), so
 * that reads inside it see the latest state and nothing changes it before cf_study_store_commit. Inserts, updates
 * and metadata writes made meanwhile join it. */
cf_status cf_study_store_begin(cf_study_store *st, cf_error *err);

/* Commits the transaction started by cf_study_store_begin (rolled back when the commit fails). */
cf_status cf_study_store_commit(cf_study_store *st, cf_error *err);

/* Rolls back the open transaction, if any; accepts NULL. */
void cf_study_store_rollback(cf_study_store *st);

/* Reads every metadata entry whose key starts with prefix, in key order: *keys and *values (n entries each,
 * caller frees with cf_study_meta_free). */
cf_status cf_study_store_meta_prefix(cf_study_store *st, const char *prefix, char ***keys, char ***values, size_t *n,
                                     cf_error *err);

/* Frees what cf_study_store_meta_prefix returned; accepts NULL. */
void cf_study_meta_free(char **keys, char **values, size_t n);

/* Deletes every metadata entry whose key starts with prefix. */
cf_status cf_study_store_delete_meta_prefix(cf_study_store *st, const char *prefix, cf_error *err);

/* ---- Intermediate values of running trials (table trial_steps, schema version 2) ---- */

/* One intermediate record. */
typedef struct cf_study_step {
    long trial_id;     /* the trial it belongs to */
    long step;         /* training step, >= 0, increasing within a trial */
    char *values;      /* JSON array of numbers */
    double gpu_hours;  /* GPU-hours spent by the trial up to step; NaN when not given */
    long long created; /* seconds since the epoch */
} cf_study_step;

/* Appends a record to trial id in one transaction of its own (BEGIN IMMEDIATE, so concurrent writers are
 * serialised): CF_ERR_NOT_FOUND when there is no such trial; CF_ERR_INVALID when the trial is not pending, when
 * step is not after the trial's last recorded step, or when gpu_hours (NaN: not given) is below the GPU-hours
 * already recorded. Messages name the field ("id", "step", "gpu_hours"). */
cf_status cf_study_store_add_step(cf_study_store *st, long id, long step, const char *values_json, double gpu_hours,
                                  cf_error *err);

/* Loads the records of trial id (every trial's when id is 0), ordered by trial and step (caller frees with
 * cf_study_steps_free). */
cf_status cf_study_store_load_steps(cf_study_store *st, long id, cf_study_step **rows, size_t *n, cf_error *err);

/* Frees rows returned by cf_study_store_load_steps; accepts NULL. */
void cf_study_steps_free(cf_study_step *rows, size_t n);

#endif
