/* costfront: a buffer of raw run records, independent of any runset (data/records.c).
 *
 * The readers for the places ML teams keep runs (MLflow, Optuna, Weights & Biases exports, XML; see sources.h)
 * fill a cf_records instead of a cf_runset, so that the same records can either be validated into a runset
 * (cf_records_to_runset) or imported into the run store (store.h) and validated later, the same way, when they are
 * loaded back. A record is what a reader saw, unvalidated: its source (kind and path), a key that identifies the run
 * inside that source (an MLflow run uuid, "study#trial" for Optuna, a W&B run name, an XML run id), the line (or
 * record number) where it was found, its (name, value) string pairs in reader order and its raw text. Records the
 * reader itself could not parse are kept as rejected records with their reason. Runs a reader deliberately leaves
 * out (running, failed, deleted, pruned) are not records: they are counted per source and reason, and described
 * in a note.
 *
 * Ownership: a cf_records owns every string it holds and every pointer it returns (valid until the next call that
 * adds to it, or cf_records_destroy). Callers own what they pass in; the buffer copies it.
 */
#ifndef COSTFRONT_RECORDS_H
#define COSTFRONT_RECORDS_H

#include <stddef.h>

#include "costfront/runset.h"
#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One raw record as a reader saw it. For a rejected record n is 0 and message says why. */
typedef struct cf_record {
    size_t source;             /* index of its source (cf_records_source_*) */
    const char *key;           /* identity of the run inside the source; never NULL */
    long line;                 /* 1-based line, or record number for non-line formats; 0 when unknown */
    size_t n;                  /* number of (name, value) pairs */
    const char *const *names;  /* n names, in reader order */
    const char *const *values; /* n values; "" stands for absent */
    const char *raw;           /* the record's text (for a rejects file); never NULL, may be "" */
    int rejected;              /* nonzero when the reader could not parse it */
    long column;               /* rejected only: 1-based column of the problem, 0 when unknown */
    const char *field;         /* rejected only: the offending field, may be "" */
    const char *message;       /* rejected only: what was expected and what was found */
} cf_record;

/* The buffer. */
typedef struct cf_records cf_records;

/* Creates an empty buffer. Returns NULL on allocation failure. */
cf_records *cf_records_create(void);

/* Frees a buffer and everything it owns. Accepts NULL. */
void cf_records_destroy(cf_records *r);

/* Starts a new source: kind is a short reader name ("mlflow", "mlflow-db", "optuna", "wandb", "xml", "csv",
 * "json", "store") and path the file or directory read. Following records belong to it. Both are copied. */
cf_status cf_records_begin_source(cf_records *r, const char *kind, const char *path);

/* Adds a record of n (name, value) pairs to the current source. key identifies the run within the source (NULL
 * becomes "line:<line>"); NULL values are stored as "". raw may be NULL. Returns CF_ERR_ARG when no source was
 * begun, CF_ERR_NOMEM on allocation failure. */
cf_status cf_records_add(cf_records *r, const char *key, long line, size_t n, const char *const *names,
                         const char *const *values, const char *raw);

/* Adds a record the reader could not parse to the current source, with where and why. */
cf_status cf_records_reject(cf_records *r, const char *key, long line, long column, const char *field,
                            const char *message, const char *raw);

/* Counts one run of the current source left out on purpose for reason ("running", "failed", "deleted",
 * "pruned", ...). The reason is copied. */
cf_status cf_records_skip(cf_records *r, const char *reason);

/* Adds a note (a full sentence) to the current source, formatted with printf conventions. */
cf_status cf_records_note(cf_records *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Adds one summary note to the current source describing its skip counts ("mlruns: skipped 3 runs: 1 deleted,
 * 2 running"), if any run was skipped. Readers call it once when they finish a source. */
cf_status cf_records_note_skips(cf_records *r);

/* Number of records (accepted and rejected) over every source. */
size_t cf_records_count(const cf_records *r);

/* The i-th record, or NULL when out of range. */
const cf_record *cf_records_get(const cf_records *r, size_t i);

/* Number of sources begun. */
size_t cf_records_source_count(const cf_records *r);

/* Kind and path of source s, or NULL when out of range. */
const char *cf_records_source_kind(const cf_records *r, size_t s);
const char *cf_records_source_path(const cf_records *r, size_t s);

/* Runs of source s skipped for reason; reason NULL gives the total over every reason. */
size_t cf_records_skipped(const cf_records *r, size_t s, const char *reason);

/* Number of distinct skip reasons of source s, and the j-th of them (NULL when out of range), so a caller can
 * list every count. */
size_t cf_records_skip_reason_count(const cf_records *r, size_t s);
const char *cf_records_skip_reason(const cf_records *r, size_t s, size_t j);

/* Notes over every source, in order. */
size_t cf_records_note_count(const cf_records *r);
const char *cf_records_note_text(const cf_records *r, size_t i);

/* Feeds every source into rs as one runset source each (named by its path), so the runset validates them as it
 * validates any reader's records; rejected records go in through cf_runset_reject_raw. Returns the first failure
 * of cf_runset_end_source with err set, CF_OK otherwise. */
cf_status cf_records_to_runset(const cf_records *r, cf_runset *rs, cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
