/* costfront (private): the inside of a cf_curves, shared by data/curves.c and the MLflow history readers in
 * data/read_curves.c.
 *
 * Ownership: everything here is owned by the cf_curves.
 */
#ifndef COSTFRONT_CURVES_INTERNAL_H
#define COSTFRONT_CURVES_INTERNAL_H

#include <stddef.h>

#include "costfront/curves.h"

/* Interned strings: s[i] is the i-th distinct string; slot is an open-addressing hash table of indices. */
typedef struct cf_strtab {
    char **s;
    size_t n, cap;
    size_t *slot;
    size_t nslot;
} cf_strtab;

/* One point as read: its series, its sequence number (read order), step, value and time (NaN when absent). */
typedef struct cf_curve_point {
    size_t series;
    size_t seq;
    double step, value, time;
} cf_curve_point;

struct cf_curves {
    cf_strtab runs, metrics, sources;
    size_t *ser_run, *ser_metric, *ser_source; /* per series */
    size_t n_ser, cap_ser;
    size_t *ser_slot; /* hash of (run, metric) -> series */
    size_t n_slot;
    size_t cur_source;
    cf_curve_point *pts;
    size_t n_pts, cap_pts;
    int sorted;
    size_t *off; /* n_ser + 1 offsets into s_* once sorted */
    double *s_step, *s_value, *s_time;
    size_t n_accepted, dup_noted;
    size_t n_read;
    cf_curve_reject *rej;
    size_t n_rej, cap_rej;
    char **notes;
    size_t n_notes, cap_notes;
};

/* Starts a source: following points belong to path. */
cf_status cf_curves_begin_source(cf_curves *c, const char *path);

/* Adds one accepted point; CF_ERR_NOMEM on allocation failure. */
cf_status cf_curves_add(cf_curves *c, const char *run_id, const char *metric, double step, double value, double time);

/* Counts a point as read and rejected, with its place and a printf-formatted reason. */
cf_status cf_curves_reject_point(cf_curves *c, const char *source, long line, long column, const char *field,
                                 const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Adds a note (a full sentence, printf-formatted). */
cf_status cf_curves_note_add(cf_curves *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Parses a decimal number: CF_OK, CF_ERR_EMPTY for blank text, CF_ERR_PARSE when it is not a decimal number (hex
 * included), CF_ERR_INVALID when it is not finite or out of range. */
cf_status cf_curves_parse_num(const char *s, double *out);

/* The MLflow history readers (data/read_curves.c). */
cf_status cf_curves_read_mlflow_dir(cf_curves *c, const char *path, cf_error *err);
cf_status cf_curves_read_mlflow_db(cf_curves *c, const char *path, cf_error *err);

#endif
