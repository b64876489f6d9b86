/* costfront: learning-curve storage and the CSV / JSON history readers (see include/costfront/curves.h).
 *
 * Points are appended as they are read (series index, step, value, time, sequence number) and sorted once, on the
 * first cf_curves_get after a read, by (series, step, sequence); a step logged twice keeps the point with the
 * highest sequence number, i.e. the last one logged. Run ids and metric names are interned in hash tables so that
 * memory per point is 32 bytes whatever the length of the names. CSV and JSON files are read through the same
 * record readers as runs (cf_read_csv_records, cf_read_json_records), so their encoding checks, duplicate-column
 * refusals and line numbers are the same. The MLflow readers are in data/read_curves.c.
 */
#include "costfront/curves.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/records.h"
#include "costfront/sources.h"
#include "data/curves_internal.h"

/* ---- interned strings ---- */

/* FNV-1a hash of a NUL-terminated string. */
static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s != '\0'; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Frees an interning table. */
static void strtab_free(cf_strtab *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->s[i]);
    free(t->s);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

/* Index of s in t, adding a copy when it is new; (size_t)-1 on allocation failure. */
static size_t strtab_intern(cf_strtab *t, const char *s)
{
    if (2 * (t->n + 1) > t->nslot) {
        size_t ns = t->nslot ? 2 * t->nslot : 64;
        size_t *slot = malloc(ns * sizeof *slot);
        if (slot == NULL) return (size_t)-1;
        for (size_t i = 0; i < ns; i++) slot[i] = (size_t)-1;
        for (size_t i = 0; i < t->n; i++) {
            size_t h = (size_t)hash_str(t->s[i]) & (ns - 1);
            while (slot[h] != (size_t)-1) h = (h + 1) & (ns - 1);
            slot[h] = i;
        }
        free(t->slot);
        t->slot = slot;
        t->nslot = ns;
    }
    size_t h = (size_t)hash_str(s) & (t->nslot - 1);
    while (t->slot[h] != (size_t)-1) {
        if (strcmp(t->s[t->slot[h]], s) == 0) return t->slot[h];
        h = (h + 1) & (t->nslot - 1);
    }
    if (t->n == t->cap) {
        size_t nc = t->cap ? 2 * t->cap : 64;
        char **p = realloc(t->s, nc * sizeof *p);
        if (p == NULL) return (size_t)-1;
        t->s = p;
        t->cap = nc;
    }
    char *copy = strdup(s);
    if (copy == NULL) return (size_t)-1;
    t->s[t->n] = copy;
    t->slot[h] = t->n;
    return t->n++;
}

/* Index of s in t, or (size_t)-1 when it is not there. */
static size_t strtab_find(const cf_strtab *t, const char *s)
{
    if (t->nslot == 0) return (size_t)-1;
    size_t h = (size_t)hash_str(s) & (t->nslot - 1);
    while (t->slot[h] != (size_t)-1) {
        if (strcmp(t->s[t->slot[h]], s) == 0) return t->slot[h];
        h = (h + 1) & (t->nslot - 1);
    }
    return (size_t)-1;
}

/* ---- the store of points ---- */

cf_curves *cf_curves_create(void) { return calloc(1, sizeof(cf_curves)); }

void cf_curves_destroy(cf_curves *c)
{
    if (c == NULL) return;
    strtab_free(&c->runs);
    strtab_free(&c->metrics);
    strtab_free(&c->sources);
    free(c->ser_run);
    free(c->ser_metric);
    free(c->ser_source);
    free(c->ser_slot);
    free(c->pts);
    free(c->off);
    free(c->s_step);
    free(c->s_value);
    free(c->s_time);
    for (size_t i = 0; i < c->n_rej; i++) {
        free((char *)c->rej[i].source);
        free((char *)c->rej[i].field);
        free((char *)c->rej[i].message);
    }
    free(c->rej);
    for (size_t i = 0; i < c->n_notes; i++) free(c->notes[i]);
    free(c->notes);
    free(c);
}

/* Hash slot of the series (run, metric). */
static size_t ser_hash(size_t run, size_t metric, size_t nslot)
{
    uint64_t h = (uint64_t)run * 0x9E3779B97F4A7C15ULL ^ ((uint64_t)metric + 0x632BE59BD9B4E019ULL);
    h ^= h >> 29;
    return (size_t)h & (nslot - 1);
}

/* Index of the series (run, metric), created (from source) when new; (size_t)-1 on allocation failure. */
static size_t series_of(cf_curves *c, size_t run, size_t metric, size_t source)
{
    if (2 * (c->n_ser + 1) > c->n_slot) {
        size_t ns = c->n_slot ? 2 * c->n_slot : 256;
        size_t *slot = malloc(ns * sizeof *slot);
        if (slot == NULL) return (size_t)-1;
        for (size_t i = 0; i < ns; i++) slot[i] = (size_t)-1;
        for (size_t i = 0; i < c->n_ser; i++) {
            size_t h = ser_hash(c->ser_run[i], c->ser_metric[i], ns);
            while (slot[h] != (size_t)-1) h = (h + 1) & (ns - 1);
            slot[h] = i;
        }
        free(c->ser_slot);
        c->ser_slot = slot;
        c->n_slot = ns;
    }
    size_t h = ser_hash(run, metric, c->n_slot);
    while (c->ser_slot[h] != (size_t)-1) {
        size_t i = c->ser_slot[h];
        if (c->ser_run[i] == run && c->ser_metric[i] == metric) return i;
        h = (h + 1) & (c->n_slot - 1);
    }
    if (c->n_ser == c->cap_ser) {
        size_t nc = c->cap_ser ? 2 * c->cap_ser : 256;
        size_t *a = realloc(c->ser_run, nc * sizeof *a);
        if (a == NULL) return (size_t)-1;
        c->ser_run = a;
        a = realloc(c->ser_metric, nc * sizeof *a);
        if (a == NULL) return (size_t)-1;
        c->ser_metric = a;
        a = realloc(c->ser_source, nc * sizeof *a);
        if (a == NULL) return (size_t)-1;
        c->ser_source = a;
        c->cap_ser = nc;
    }
    c->ser_run[c->n_ser] = run;
    c->ser_metric[c->n_ser] = metric;
    c->ser_source[c->n_ser] = source;
    c->ser_slot[h] = c->n_ser;
    return c->n_ser++;
}

cf_status cf_curves_begin_source(cf_curves *c, const char *path)
{
    size_t s = strtab_intern(&c->sources, path);
    if (s == (size_t)-1) return CF_ERR_NOMEM;
    c->cur_source = s;
    return CF_OK;
}

cf_status cf_curves_add(cf_curves *c, const char *run_id, const char *metric, double step, double value, double time)
{
    c->n_read++;
    size_t r = strtab_intern(&c->runs, run_id);
    size_t m = r == (size_t)-1 ? r : strtab_intern(&c->metrics, metric);
    size_t s = m == (size_t)-1 ? m : series_of(c, r, m, c->cur_source);
    if (s == (size_t)-1) return CF_ERR_NOMEM;
    if (c->n_pts == c->cap_pts) {
        size_t nc = c->cap_pts ? 2 * c->cap_pts : 1024;
        cf_curve_point *p = realloc(c->pts, nc * sizeof *p);
        if (p == NULL) return CF_ERR_NOMEM;
        c->pts = p;
        c->cap_pts = nc;
    }
    c->pts[c->n_pts] = (cf_curve_point){s, c->n_pts, step, value, time};
    c->n_pts++;
    c->sorted = 0;
    return CF_OK;
}

cf_status cf_curves_reject_point(cf_curves *c, const char *source, long line, long column, const char *field,
                                 const char *fmt, ...)
{
    c->n_read++;
    if (c->n_rej == c->cap_rej) {
        size_t nc = c->cap_rej ? 2 * c->cap_rej : 16;
        cf_curve_reject *p = realloc(c->rej, nc * sizeof *p);
        if (p == NULL) return CF_ERR_NOMEM;
        c->rej = p;
        c->cap_rej = nc;
    }
    char raw[400], msg[400], fld[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    cf_text_escape(msg, sizeof msg, raw);
    cf_text_escape(fld, sizeof fld, field != NULL ? field : "");
    cf_curve_reject *r = &c->rej[c->n_rej];
    r->source = strdup(source != NULL ? source : "");
    r->field = strdup(fld);
    r->message = strdup(msg);
    r->line = line;
    r->column = column;
    if (r->source == NULL || r->field == NULL || r->message == NULL) {
        free((char *)r->source);
        free((char *)r->field);
        free((char *)r->message);
        return CF_ERR_NOMEM;
    }
    c->n_rej++;
    return CF_OK;
}

cf_status cf_curves_note_add(cf_curves *c, const char *fmt, ...)
{
    char raw[600], buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    cf_text_escape(buf, sizeof buf, raw);
    if (c->n_notes == c->cap_notes) {
        size_t nc = c->cap_notes ? 2 * c->cap_notes : 8;
        char **p = realloc(c->notes, nc * sizeof *p);
        if (p == NULL) return CF_ERR_NOMEM;
        c->notes = p;
        c->cap_notes = nc;
    }
    c->notes[c->n_notes] = strdup(buf);
    if (c->notes[c->n_notes] == NULL) return CF_ERR_NOMEM;
    c->n_notes++;
    return CF_OK;
}

/* Orders points by series, then step, then the order they were read in. */
static int cmp_point(const void *a, const void *b)
{
    const cf_curve_point *x = a, *y = b;
    if (x->series != y->series) return x->series < y->series ? -1 : 1;
    if (x->step != y->step) return x->step < y->step ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/* Sorts the points once after reading and collapses steps logged twice (the last point logged wins). */
static cf_status curves_sort(cf_curves *c)
{
    if (c->sorted) return CF_OK;
    qsort(c->pts, c->n_pts, sizeof *c->pts, cmp_point);
    size_t *off = malloc((c->n_ser + 1) * sizeof *off);
    double *st = malloc((c->n_pts ? c->n_pts : 1) * sizeof *st);
    double *va = malloc((c->n_pts ? c->n_pts : 1) * sizeof *va);
    double *ti = malloc((c->n_pts ? c->n_pts : 1) * sizeof *ti);
    if (off == NULL || st == NULL || va == NULL || ti == NULL) {
        free(off);
        free(st);
        free(va);
        free(ti);
        return CF_ERR_NOMEM;
    }
    size_t k = 0, dup = 0, p = 0;
    for (size_t s = 0; s < c->n_ser; s++) {
        off[s] = k;
        for (; p < c->n_pts && c->pts[p].series == s; p++) {
            if (k > off[s] && st[k - 1] == c->pts[p].step) {
                k--; /* the same step again: the later point replaces the earlier one */
                dup++;
            }
            st[k] = c->pts[p].step;
            va[k] = c->pts[p].value;
            ti[k] = c->pts[p].time;
            k++;
        }
    }
    off[c->n_ser] = k;
    free(c->off);
    free(c->s_step);
    free(c->s_value);
    free(c->s_time);
    c->off = off;
    c->s_step = st;
    c->s_value = va;
    c->s_time = ti;
    c->n_accepted = k;
    c->sorted = 1;
    if (dup > c->dup_noted) {
        cf_status ns = cf_curves_note_add(c, "%zu points logged a step their history already had; the last one logged "
                                             "was kept for each (MLflow's rule)",
                                          dup - c->dup_noted);
        if (ns != CF_OK) return ns;
        c->dup_noted = dup;
    }
    return CF_OK;
}

size_t cf_curves_points_read(const cf_curves *c) { return c != NULL ? c->n_read : 0; }

size_t cf_curves_points_accepted(const cf_curves *c)
{
    if (c == NULL) return 0;
    if (!c->sorted) (void)curves_sort((cf_curves *)c);
    return c->sorted ? c->n_accepted : c->n_pts;
}

size_t cf_curves_rejected(const cf_curves *c) { return c != NULL ? c->n_rej : 0; }

const cf_curve_reject *cf_curves_reject(const cf_curves *c, size_t i)
{
    return c != NULL && i < c->n_rej ? &c->rej[i] : NULL;
}

size_t cf_curves_note_count(const cf_curves *c)
{
    if (c == NULL) return 0;
    if (!c->sorted) (void)curves_sort((cf_curves *)c);
    return c->n_notes;
}

const char *cf_curves_note(const cf_curves *c, size_t i) { return c != NULL && i < c->n_notes ? c->notes[i] : NULL; }

size_t cf_curves_count(const cf_curves *c) { return c != NULL ? c->n_ser : 0; }

cf_status cf_curves_get(cf_curves *c, size_t i, cf_curve *out)
{
    if (c == NULL || out == NULL || i >= c->n_ser) return CF_ERR_ARG;
    cf_status st = curves_sort(c);
    if (st != CF_OK) return st;
    out->run_id = c->runs.s[c->ser_run[i]];
    out->metric = c->metrics.s[c->ser_metric[i]];
    out->source = c->sources.s[c->ser_source[i]];
    out->n = c->off[i + 1] - c->off[i];
    out->step = c->s_step + c->off[i];
    out->value = c->s_value + c->off[i];
    out->time = c->s_time + c->off[i];
    return CF_OK;
}

cf_status cf_curves_find(cf_curves *c, const char *run_id, const char *metric, cf_curve *out)
{
    if (c == NULL || run_id == NULL || metric == NULL) return CF_ERR_ARG;
    size_t r = strtab_find(&c->runs, run_id), m = strtab_find(&c->metrics, metric);
    if (r == (size_t)-1 || m == (size_t)-1 || c->n_slot == 0) return CF_ERR_NOT_FOUND;
    size_t h = ser_hash(r, m, c->n_slot);
    while (c->ser_slot[h] != (size_t)-1) {
        size_t i = c->ser_slot[h];
        if (c->ser_run[i] == r && c->ser_metric[i] == m) return cf_curves_get(c, i, out);
        h = (h + 1) & (c->n_slot - 1);
    }
    return CF_ERR_NOT_FOUND;
}

size_t cf_curves_metric_count(const cf_curves *c) { return c != NULL ? c->metrics.n : 0; }

const char *cf_curves_metric(const cf_curves *c, size_t i)
{
    return c != NULL && i < c->metrics.n ? c->metrics.s[i] : NULL;
}

/* ---- numbers ---- */

cf_status cf_curves_parse_num(const char *s, double *out)
{
    while (isspace((unsigned char)*s)) s++;
    if (*s == '\0') return CF_ERR_EMPTY;
    const char *d = s + (*s == '+' || *s == '-');
    if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) return CF_ERR_PARSE; /* no hex numbers */
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    while (isspace((unsigned char)*end)) end++;
    if (end == s || *end != '\0') return CF_ERR_PARSE;
    if (!isfinite(v) || errno == ERANGE) return CF_ERR_INVALID;
    *out = v;
    return CF_OK;
}

/* ---- long and wide files (CSV, JSON) ---- */

/* Index of the first of names[] (NULL-terminated) among the record's fields, or (size_t)-1. */
static size_t field_index(const cf_record *rec, const char *const *names)
{
    for (const char *const *nm = names; *nm != NULL; nm++)
        for (size_t j = 0; j < rec->n; j++)
            if (strcmp(rec->names[j], *nm) == 0) return j;
    return (size_t)-1;
}

static const char *const RUN_NAMES[] = {"run_id", "run", "run_name", NULL};
static const char *const STEP_NAMES[] = {"step", "_step", "iteration", "epoch", NULL};
static const char *const TIME_NAMES[] = {"time", "timestamp", "_timestamp", "_runtime", "wall_time", NULL};
static const char *const METRIC_NAMES[] = {"metric", "key", NULL};
static const char *const VALUE_NAMES[] = {"value", NULL};

/* Run id for a file without a run column: its file name without directories and extension. */
static void stem_of(const char *path, char *buf, size_t n)
{
    const char *b = strrchr(path, '/');
    b = b != NULL ? b + 1 : path;
    snprintf(buf, n, "%s", b);
    char *dot = strrchr(buf, '.');
    if (dot != NULL && dot != buf) *dot = '\0';
}

/* Parses the value of field j of rec as a number into *out, rejecting the point with its place when it is not one.
 * Returns 1 when *out was set, 0 when the point was rejected or the cell is empty (*empty set), -1 on allocation
 * failure. */
static int num_field(cf_curves *c, const char *path, const cf_record *rec, size_t j, const char *what, int allow_neg,
                     double *out, int *empty)
{
    *empty = 0;
    cf_status st = cf_curves_parse_num(rec->values[j], out);
    if (st == CF_ERR_EMPTY) {
        *empty = 1;
        return 0;
    }
    const char *why = NULL;
    if (st == CF_ERR_PARSE) why = "a decimal number";
    if (st == CF_ERR_INVALID) why = "a finite number";
    if (why == NULL && !allow_neg && *out < 0) why = "a number >= 0";
    if (why == NULL) return 1;
    char shown[80];
    cf_text_escape(shown, sizeof shown, rec->values[j]);
    if (cf_curves_reject_point(c, path, rec->line, (long)j + 1, rec->names[j], "expected %s as the %s, found '%s'", why,
                               what, shown) != CF_OK)
        return -1;
    return 0;
}

/* Reads the records of a long file: one point per record (run_id, step, metric, value[, time]). */
static cf_status read_long(cf_curves *c, const char *path, const cf_records *recs, cf_error *err)
{
    char stem[256];
    stem_of(path, stem, sizeof stem);
    size_t n = cf_records_count(recs);
    for (size_t i = 0; i < n; i++) {
        const cf_record *rec = cf_records_get(recs, i);
        if (rec->rejected) {
            if (cf_curves_reject_point(c, path, rec->line, rec->column, rec->field, "%s", rec->message) != CF_OK)
                goto nomem;
            continue;
        }
        size_t jr = field_index(rec, RUN_NAMES), js = field_index(rec, STEP_NAMES), jm = field_index(rec, METRIC_NAMES),
               jv = field_index(rec, VALUE_NAMES), jt = field_index(rec, TIME_NAMES);
        const char *missing = js == (size_t)-1 ? "step" : jm == (size_t)-1 ? "metric" : jv == (size_t)-1 ? "value" : NULL;
        if (missing == NULL && rec->values[jm][0] == '\0') missing = "metric";
        if (missing != NULL) {
            if (cf_curves_reject_point(c, path, rec->line, 0, missing, "a history point needs a %s, found none",
                                       missing) != CF_OK)
                goto nomem;
            continue;
        }
        const char *run = jr != (size_t)-1 && rec->values[jr][0] != '\0' ? rec->values[jr] : stem;
        double step, value, t = NAN;
        int empty, ok = num_field(c, path, rec, js, "step", 0, &step, &empty);
        if (ok < 0) goto nomem;
        if (!ok) {
            if (empty && cf_curves_reject_point(c, path, rec->line, (long)js + 1, "step", "step: expected a number, "
                                                                                          "found an empty value") != CF_OK)
                goto nomem;
            continue;
        }
        ok = num_field(c, path, rec, jv, "value", 1, &value, &empty);
        if (ok < 0) goto nomem;
        if (!ok) {
            if (empty && cf_curves_reject_point(c, path, rec->line, (long)jv + 1, "value", "value: expected a number, "
                                                                                           "found an empty value") != CF_OK)
                goto nomem;
            continue;
        }
        if (jt != (size_t)-1) {
            ok = num_field(c, path, rec, jt, "time", 1, &t, &empty);
            if (ok < 0) goto nomem;
            if (!ok && !empty) continue;
            if (!ok) t = NAN;
        }
        if (cf_curves_add(c, run, rec->values[jm], step, value, t) != CF_OK) goto nomem;
    }
    return CF_OK;
nomem:
    return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
}

/* Reads the records of a wide file (W&B's history export and the like): one row per step, one column per metric.
 * A column none of whose cells is a number (a name, a tag) is ignored with a note; in a numeric column a cell that
 * is not a number rejects that point. */
static cf_status read_wide(cf_curves *c, const char *path, const cf_records *recs, cf_error *err)
{
    size_t n = cf_records_count(recs);
    const cf_record *first = NULL;
    for (size_t i = 0; i < n && first == NULL; i++)
        if (!cf_records_get(recs, i)->rejected) first = cf_records_get(recs, i);
    if (first == NULL) {
        for (size_t i = 0; i < n; i++) {
            const cf_record *rec = cf_records_get(recs, i);
            if (cf_curves_reject_point(c, path, rec->line, rec->column, rec->field, "%s", rec->message) != CF_OK)
                return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
        }
        return CF_OK;
    }
    size_t js = field_index(first, STEP_NAMES), jr = field_index(first, RUN_NAMES), jt = field_index(first, TIME_NAMES);
    if (js == (size_t)-1)
        return cf_error_set(err, CF_ERR_INVALID, path, 1, 0, "step",
                            "a history file needs a step column (step, _step, iteration or epoch) or the long form "
                            "(run_id, step, metric, value); found neither");
    /* A metric column is any other column with at least one number; names starting with '_' are W&B's own. */
    size_t ncol = first->n;
    unsigned char *numeric = calloc(ncol ? ncol : 1, 1);
    if (numeric == NULL) return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const cf_record *rec = cf_records_get(recs, i);
        if (rec->rejected) continue;
        for (size_t j = 0; j < rec->n && j < ncol; j++) {
            double v;
            if (!numeric[j] && cf_curves_parse_num(rec->values[j], &v) != CF_ERR_PARSE &&
                rec->values[j][0] != '\0')
                numeric[j] = 1;
        }
    }
    size_t ignored = 0;
    char ignored_names[200] = "";
    for (size_t j = 0; j < ncol; j++) {
        if (j == js || j == jr || j == jt) continue;
        if (!numeric[j] || first->names[j][0] == '_') {
            numeric[j] = 0;
            if (ignored++ < 4) {
                size_t used = strlen(ignored_names);
                snprintf(ignored_names + used, sizeof ignored_names - used, "%s%s", used ? ", " : "", first->names[j]);
            }
        }
    }
    if (jr != (size_t)-1) numeric[jr] = 0;
    if (jt != (size_t)-1) numeric[jt] = 0;
    numeric[js] = 0;
    cf_status st = CF_OK;
    if (ignored > 0 &&
        cf_curves_note_add(c, "%s: %zu column%s ignored as %s no numbers or %s W&B's own (%s%s)", path, ignored,
                           ignored == 1 ? "" : "s", ignored == 1 ? "it holds" : "they hold",
                           ignored == 1 ? "is" : "are", ignored_names, ignored > 4 ? ", ..." : "") != CF_OK)
        goto nomem;
    char stem[256];
    stem_of(path, stem, sizeof stem);
    for (size_t i = 0; i < n; i++) {
        const cf_record *rec = cf_records_get(recs, i);
        if (rec->rejected) {
            if (cf_curves_reject_point(c, path, rec->line, rec->column, rec->field, "%s", rec->message) != CF_OK)
                goto nomem;
            continue;
        }
        double step, t = NAN;
        int empty, ok = num_field(c, path, rec, js, "step", 0, &step, &empty);
        if (ok < 0) goto nomem;
        if (!ok) {
            if (empty && cf_curves_reject_point(c, path, rec->line, (long)js + 1, rec->names[js],
                                                "step: expected a number, found an empty value") != CF_OK)
                goto nomem;
            continue;
        }
        if (jt != (size_t)-1) {
            ok = num_field(c, path, rec, jt, "time", 1, &t, &empty);
            if (ok < 0) goto nomem;
            if (!ok && !empty) continue;
            if (!ok) t = NAN;
        }
        const char *run = jr != (size_t)-1 && rec->values[jr][0] != '\0' ? rec->values[jr] : stem;
        for (size_t j = 0; j < rec->n && j < ncol; j++) {
            if (!numeric[j]) continue;
            double v;
            ok = num_field(c, path, rec, j, rec->names[j], 1, &v, &empty);
            if (ok < 0) goto nomem;
            if (ok && cf_curves_add(c, run, rec->names[j], step, v, t) != CF_OK) goto nomem;
        }
    }
    free(numeric);
    return st;
nomem:
    free(numeric);
    return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
}

/* 1 when the name ends with one of the JSON extensions. */
static int is_json_name(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot != NULL && (strcmp(dot, ".json") == 0 || strcmp(dot, ".jsonl") == 0 || strcmp(dot, ".ndjson") == 0);
}

cf_status cf_curves_read(cf_curves *c, const char *path, cf_error *err)
{
    if (c == NULL || path == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no history file given");
    cf_status st = cf_curves_begin_source(c, path);
    if (st != CF_OK) return cf_error_set(err, st, path, 0, 0, NULL, "out of memory");
    cf_source_kind kind = CF_SOURCE_UNKNOWN;
    if (!is_json_name(path)) {
        st = cf_detect_source(path, &kind, err);
        if (st != CF_OK && st != CF_ERR_INVALID) return st;
        cf_error_clear(err);
    }
    if (kind == CF_SOURCE_MLFLOW_DIR) return cf_curves_read_mlflow_dir(c, path, err);
    if (kind == CF_SOURCE_MLFLOW_DB) return cf_curves_read_mlflow_db(c, path, err);
    if (kind == CF_SOURCE_OPTUNA)
        return cf_error_set(err, CF_ERR_INVALID, path, 0, 0, NULL,
                            "an Optuna storage holds no learning curves costfront reads yet; export the intermediate "
                            "values as JSON Lines (run_id, step, metric, value)");
    cf_records *recs = cf_records_create();
    if (recs == NULL) return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
    st = is_json_name(path) ? cf_read_json_records(path, recs, err) : cf_read_csv_records(path, recs, err);
    if (st == CF_OK) {
        const cf_record *first = NULL;
        for (size_t i = 0; i < cf_records_count(recs) && first == NULL; i++)
            if (!cf_records_get(recs, i)->rejected) first = cf_records_get(recs, i);
        int is_long = is_json_name(path) ||
                      (first != NULL && field_index(first, METRIC_NAMES) != (size_t)-1 &&
                       field_index(first, VALUE_NAMES) != (size_t)-1);
        st = is_long ? read_long(c, path, recs, err) : read_wide(c, path, recs, err);
    }
    cf_records_destroy(recs);
    return st;
}
