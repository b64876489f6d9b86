/* costfront: the embedded run store, an SQLite file that keeps runs and report history (data/store.c).
 *
 * The store keeps raw records (records.h) rather than validated runs, so that loading them back through a
 * cf_runset validates them exactly as reading the original source would (and a better validator later applies to
 * old imports too). Every stored run keeps where it came from: the source kind and path, its key inside that
 * source, its line, its (name, value) pairs as JSON, its raw text, a content hash, and when it was first seen and
 * last updated. Importing the same records twice adds nothing; a run whose content changed is updated in place and
 * the change (old hash, new hash, time) is recorded in run_changes. Every import is recorded with its counts,
 * including the runs the reader skipped (running, failed, deleted). The store also keeps a history of reports
 * (hypervolume, best cost at the accuracy target, frontier JSON, number of runs) so a nightly report can say what
 * changed since the last one.
 *
 * Tables (schema version 1): store_meta(key, value); store_runs(id, source_kind, source_path, record_key, line,
 * pairs, raw, hash, first_seen, updated) unique on (source_kind, source_path, record_key); run_changes(id, run_id,
 * record_key, old_hash, new_hash, at); imports(id, source_kind, source_path, at, added, updated, unchanged,
 * rejected, skipped, skipped_json); reports(id, created_at, hypervolume, best_cost_at_target, frontier, n_runs).
 * Times are seconds since the Unix epoch.
 *
 * Every write runs in one transaction: a failed import leaves the store as it was. A file that is not an SQLite
 * database, or a damaged one, is refused at cf_store_open with CF_ERR_DB naming the file, and is never written.
 *
 * Ownership: a cf_store owns its database connection. Arrays returned by cf_store_reports are owned by the caller
 * and freed with cf_store_reports_free. Callers own what they pass in.
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

/* Closes the store. Accepts NULL. */
void cf_store_close(cf_store *s);

/* Fixes the clock used for first_seen, updated, change and import times and report creation times (tests use it);
 * 0 returns to the system clock. */
void cf_store_set_clock(cf_store *s, long long now);

/* What one import did. */
typedef struct cf_store_import_stats {
    size_t added;     /* runs not seen before */
    size_t updated;   /* runs whose content changed (each recorded in run_changes) */
    size_t unchanged; /* runs already stored with the same content */
    size_t rejected;  /* records the reader could not parse (not stored) */
    size_t skipped;   /* runs the reader skipped on purpose (running, failed, deleted, ...) */
} cf_store_import_stats;

/* Imports every record of recs in one transaction. stats may be NULL. On failure nothing is written. */
cf_status cf_store_import(cf_store *s, const cf_records *recs, cf_store_import_stats *stats, cf_error *err);

/* Number of stored runs. */
cf_status cf_store_count(cf_store *s, size_t *n, cf_error *err);

/* Feeds every stored run into rs, one runset source per original source named "store:<kind>:<path>", in the
 * order they were first seen. */
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
