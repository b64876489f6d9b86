/* costfront: learning curves -- the step histories of runs' metrics (data/curves.c, data/read_curves.c).
 *
 * A run's history is read from where it lives: an MLflow file store (mlruns/.../metrics/<key>, lines
 * "timestamp value step"), an MLflow SQLite tracking database (table metrics), a W&B history export (a wide CSV
 * with `_step` and one column per metric, `_timestamp` or `_runtime` as time), or a file in the long form, JSON
 * Lines or CSV with fields run_id, step, metric, value and optionally time. Every point is validated (finite step
 * >= 0, finite value) and counted: read, accepted, rejected with file, line, column and field. Histories are kept
 * per (run, metric) and sorted by step; a step logged twice keeps the last point logged (MLflow's rule).
 *
 * Ownership: a cf_curves is created by cf_curves_create and freed by cf_curves_destroy (which accepts NULL). It
 * owns every string and array it returns; they stay valid until the next cf_curves_read or the destroy.
 */
#ifndef COSTFRONT_CURVES_H
#define COSTFRONT_CURVES_H

#include <stddef.h>

#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The histories read so far. */
typedef struct cf_curves cf_curves;

/* One history: the points of one metric of one run, sorted by step. time holds NaN where a source gave none. */
typedef struct cf_curve {
    const char *run_id;
    const char *metric;
    const char *source; /* the file or directory it came from */
    size_t n;
    const double *step;
    const double *value;
    const double *time; /* seconds or milliseconds since some origin, only differences are used */
} cf_curve;

/* A point that could not be accepted: where it was and why. */
typedef struct cf_curve_reject {
    const char *source;
    long line;
    long column;
    const char *field;
    const char *message;
} cf_curve_reject;

/* Creates an empty set of histories. Returns NULL on allocation failure. */
cf_curves *cf_curves_create(void);

/* Frees the histories. Accepts NULL. */
void cf_curves_destroy(cf_curves *c);

/* Reads the histories at path, detecting its kind: a directory is an MLflow file store, an SQLite file an MLflow
 * tracking database, .json/.jsonl/.ndjson the long form in JSON, any other file CSV (long form when it has the
 * columns metric and value, else wide, W&B's history export among them). Bad points are counted as rejected with
 * their place (cf_curves_reject); a source that cannot be read at all (missing, unreadable, no step column) is an
 * error. */
cf_status cf_curves_read(cf_curves *c, const char *path, cf_error *err);

/* Points read, accepted and rejected over every source. */
size_t cf_curves_points_read(const cf_curves *c);
size_t cf_curves_points_accepted(const cf_curves *c);
size_t cf_curves_rejected(const cf_curves *c);

/* The i-th rejected point, or NULL when out of range. */
const cf_curve_reject *cf_curves_reject(const cf_curves *c, size_t i);

/* Notes (full sentences) about what was read: columns ignored, steps logged twice, links not followed. */
size_t cf_curves_note_count(const cf_curves *c);
const char *cf_curves_note(const cf_curves *c, size_t i);

/* Number of histories, in (run, metric) order of first appearance. */
size_t cf_curves_count(const cf_curves *c);

/* The i-th history (sorted by step), or CF_ERR_ARG when i is out of range; CF_ERR_NOMEM when sorting fails. */
cf_status cf_curves_get(cf_curves *c, size_t i, cf_curve *out);

/* The history of metric for run_id; returns CF_ERR_NOT_FOUND when there is none. */
cf_status cf_curves_find(cf_curves *c, const char *run_id, const char *metric, cf_curve *out);

/* Names of the metrics seen, in order of first appearance. */
size_t cf_curves_metric_count(const cf_curves *c);
const char *cf_curves_metric(const cf_curves *c, size_t i);

#ifdef __cplusplus
}
#endif
#endif
