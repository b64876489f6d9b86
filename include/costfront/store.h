/* costfront: the run store, which keeps runs and report history (data/store.c): an SQLite file (the embedded
 * default) or a PostgreSQL database named by a connection URI ("postgresql://user@host/db" or "postgres://...";
 * libpq takes what the URI leaves out from the PG* environment variables, and "?options=-csearch_path%3DNAME"
 * selects a schema). Both backends have the same tables and semantics; on PostgreSQL the tables live in the
 * connection's current schema, integers are BIGINT and reals DOUBLE PRECISION, and messages name the URI without
 * its password.
 *
 * The store keeps raw records (records.h) rather than validated runs, so that loading them back through a
 * cf_runset validates them exactly as reading the original source would (and a better validator later applies to
 * old imports too). Every stored run keeps where it came from: its source, its key inside that source, its line,
 * its (name, value) pairs as JSON, its raw text, a content hash, and when it was first seen and last updated.
 *
 * Sources. A source (a file, an MLflow directory, a database) is identified by its canonical path (realpath(3):
 * "runs.csv", "./runs.csv" and "/home/me/runs.csv" are one source; a path that does not exist is kept as given)
 * and described by the SHA-256 of its content. The content hash is taken over the runs read from it (each run's
 * key, line and every name and value, in a fixed order), not over its bytes, so that directories and databases
 * have one too and a database whose bytes change without its runs changing is not a change. Importing a source:
 *  - same canonical path, same content: nothing is written but the time; every run counts as unchanged;
 *  - same canonical path, changed content: the source's runs are replaced in the import's one transaction: runs
 *    whose content changed are updated in place (the change, old hash, new hash and time recorded in
 *    run_changes), new runs are added, unchanged runs keep their first_seen, and runs no longer in the source are
 *    removed (counted as removed);
 *  - a new path whose content is that of a source already stored (a copy, a moved file): nothing is added, its
 *    runs count as unchanged, and a note names the source it duplicates;
 *  - a new path otherwise: a new source.
 * A run id (the record key; "<file name>:<line>" for a record without one, as cf_runset names it) belongs to one
 * source: an import that brings a run id already stored from another source is refused with CF_ERR_INVALID
 * naming the run id, the line and both sources, and nothing of that import is written.
 *
 * Tables (schema version 2): store_meta(key, value); sources(id, kind, path, sha256, first_imported,
 * last_imported) unique on path; store_runs(id, source_id, record_key, run_id, line, pairs, raw, hash, first_seen,
 * updated) unique on (source_id, record_key), indexed on run_id; run_changes(id, run_id, record_key, old_hash,
 * new_hash, at); imports(id, source_kind, source_path, at, added, updated, unchanged, rejected, skipped,
 * skipped_json, source_id, removed, same_as); reports(id, created_at, hypervolume, best_cost_at_target, frontier,
 * n_runs). Times are seconds since the Unix epoch. A schema version 1 store (sources identified by the path as
 * typed) is migrated when it is opened, in one transaction: sources whose paths name the same file are merged
 * when every run they share has the same content (so the duplicates of the old bug disappear and no run is lost),
 * kept apart under the path as typed otherwise; a note says what was done. A store of a newer schema is refused.
 *
 * Every read-decide-write (open and migration, import, remove, report) runs in one write transaction (BEGIN
 * IMMEDIATE on SQLite; on PostgreSQL a transaction that first takes an advisory transaction lock keyed by the
 * schema, see data/db.h), so concurrent commands on one store serialise (on SQLite waiting up to 60 s for the lock)
 * and a failed one leaves the store as it was; many import jobs at once on one PostgreSQL store keep every run
 * once. A file that is not an SQLite database, or a damaged one, is refused at cf_store_open with
 * CF_ERR_DB naming the file, and is never written.
 *
 * Ownership: a cf_store owns its database connection and its notes. Arrays returned by cf_store_reports and
 * cf_store_sources are owned by the caller and freed with cf_store_reports_free and cf_store_sources_free.
 * Callers own what they pass in.
 */
#ifndef COSTFRONT_STORE_H
#define COSTFRONT_STORE_H

#include <stddef.h>

#include "costfront/records.h"
#include "costfront/runset.h"
#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An open run store. */
typedef struct cf_store cf_store;

/* Opens the store at path, creating the file and its tables when it does not exist, and checks that an existing
 * file is an intact costfront store (PRAGMA quick_check). Returns CF_ERR_DB with err naming the file for a damaged,
 * truncated or foreign file, CF_ERR_IO when the file cannot be created. *out is NULL on failure. */
cf_status cf_store_open(const char *path, cf_store **out, cf_error *err);

/* Opens a store that must exist already, as cf_store_open does otherwise: CF_ERR_NOT_FOUND when the file does not
 * exist or the PostgreSQL schema holds no run store (nothing is created). */
cf_status cf_store_open_existing(const char *path, cf_store **out, cf_error *err);

/* Closes the store. Accepts NULL. */
void cf_store_close(cf_store *s);

/* Fixes the clock used for first_seen, updated, change and import times and report creation times (tests use it);
 * 0 returns to the system clock. */
void cf_store_set_clock(cf_store *s, long long now);

/* What one import did. */
typedef struct cf_store_import_stats {
    size_t added;        /* runs not seen before */
    size_t updated;      /* runs whose content changed (each recorded in run_changes) */
    size_t unchanged;    /* runs already stored with the same content */
    size_t rejected;     /* records the reader could not parse (not stored) */
    size_t skipped;      /* runs the reader skipped on purpose (running, failed, deleted, ...) */
    size_t removed;      /* stored runs no longer in their (changed) source, removed */
    size_t same_content; /* sources not imported because another stored source has the same content */
} cf_store_import_stats;

/* Imports every record of recs in one transaction, source by source as described at the top. stats may be NULL.
 * Returns CF_ERR_INVALID when a run id is already stored from another source (err names the importing source,
 * the line, the run id and the other source). On failure nothing is written. */
cf_status cf_store_import(cf_store *s, const cf_records *recs, cf_store_import_stats *stats, cf_error *err);

/* Notes (full sentences) left since the store was opened: a migration, a source with the same content as a
 * stored one. The text is owned by the store. */
size_t cf_store_note_count(const cf_store *s);
const char *cf_store_note(const cf_store *s, size_t i);

/* One stored source. */
typedef struct cf_store_source {
    long long id;             /* assigned by the store, never reused */
    char *kind;               /* reader kind ("csv", "mlflow", ...) */
    char *path;               /* canonical path (or the path as given when it did not exist) */
    char sha256[65];          /* content hash, 64 hex digits */
    size_t runs;              /* runs stored from it */
    long long first_imported; /* seconds since the epoch */
    long long last_imported;  /* the latest import that read it */
} cf_store_source;

/* Lists the stored sources by id. *out is a caller-owned array of *n sources (NULL when there are none), freed
 * with cf_store_sources_free. */
cf_status cf_store_sources(cf_store *s, cf_store_source **out, size_t *n, cf_error *err);

/* Frees an array returned by cf_store_sources or cf_store_remove_source. Accepts NULL. */
void cf_store_sources_free(cf_store_source *sources, size_t n);

/* Removes a source and its runs (and their recorded changes) in one transaction. which is a source id (decimal
 * digits only) or a path (canonicalised as at import; a path made of digits is written "./123"). The import
 * history is kept. *removed (may be NULL) receives a caller-owned copy of the source as it was (runs = runs
 * removed), freed with cf_store_sources_free(*removed, 1). CF_ERR_NOT_FOUND when no source matches. */
cf_status cf_store_remove_source(cf_store *s, const char *which, cf_store_source **removed, cf_error *err);

/* Number of stored runs. */
cf_status cf_store_count(cf_store *s, size_t *n, cf_error *err);

/* Feeds every stored run into rs, one runset source per stored source named "store:<kind>:<path>", in the order
 * the sources were first imported. */
cf_status cf_store_load(cf_store *s, cf_runset *rs, cf_error *err);

/* Fills out (which must be empty or hold other sources) with the stored records, one source per original source,
 * with kind "store" and path "store:<kind>:<path>". */
cf_status cf_store_load_records(cf_store *s, cf_records *out, cf_error *err);

/* One report of the history. */
typedef struct cf_store_report {
    long long id;               /* assigned by the store */
    long long created_at;       /* seconds since the epoch; 0 in cf_store_add_report means "now" (the clock) */
    double hypervolume;         /* NaN when unknown */
    double best_cost_at_target; /* NaN when no run reaches the target */
    char *frontier_json;        /* the frontier as JSON text; may be NULL */
    size_t n_runs;
} cf_store_report;

/* Records a report; r->id is ignored and the new id is written to *id (id may be NULL). */
cf_status cf_store_add_report(cf_store *s, const cf_store_report *r, long long *id, cf_error *err);

/* Lists reports, newest first (by created_at, then id), at most limit of them (0 for all). *out is a
 * caller-owned array of *n reports, freed with cf_store_reports_free; NULL when there are none. */
cf_status cf_store_reports(cf_store *s, size_t limit, cf_store_report **out, size_t *n, cf_error *err);

/* Frees an array returned by cf_store_reports. Accepts NULL. */
void cf_store_reports_free(cf_store_report *reports, size_t n);

/* What changed after time since (exclusive): runs first seen, and content changes recorded. */
cf_status cf_store_changes_since(cf_store *s, long long since, size_t *added, size_t *updated, cf_error *err);

/* Number of recorded content changes of the run with this key (in any source); for reports and tests. */
cf_status cf_store_change_count(cf_store *s, const char *record_key, size_t *n, cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
