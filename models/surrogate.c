/* costfront: surrogates of the target metric and of log GPU-hours fitted to runs (see surrogate.h).
 *
 * The configuration space is decided once from the runs: one field per input (hardware, precision, pruning, the
 * workload fields model/dataset/project, every hyperparameter column but the target), each with its encoding into a
 * GP column (gp.h). Raw values are kept per run and per configuration as doubles: a level index for categorical
 * fields (the hardware's "never run" level is the last), the cf_precision value for precision, the number itself
 * for numeric fields (NaN when missing, encoded as the column's median). Rasmussen & Williams (2006) for the GP,
 * R&W eq. 5.12 for leave-one-out; Bratley & Fox (1988) Sobol points with a Cranley-Patterson shift for the search.
 */
#include "costfront/surrogate.h"

#include <cjson/cJSON.h>
#include <float.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "costfront/gp.h"
#include "costfront/pareto.h"

#define NO_INDEX ((size_t)-1)
#define Z95      1.959963984540054
#define SRC      "surrogate"

typedef struct field {
    char *name;
    cf_field_role role;
    int categorical;
    size_t param; /* runset column (CF_FIELD_PARAM) */
    int workload; /* 0 model, 1 dataset, 2 project (CF_FIELD_WORKLOAD) */
    int integer;
    int logscale;
    double lo, hi;   /* observed range, raw units */
    double tlo, thi; /* observed range after the log transform when logscale */
    double median;   /* imputation of missing numeric values */
    char **levels;   /* categorical levels; hardware: seen ids plus "(never run)" */
    size_t n_levels;
    int constant; /* one value over the runs: not a GP input (except hardware, precision, pruning) */
    double *grid; /* integer columns with few values: the sorted values seen, searched instead of a range */
    size_t n_grid;
    size_t col[2]; /* GP column per model */
} field;

typedef struct model {
    size_t d;
    int *kinds;
    size_t *col_field; /* field of each column */
    cf_gp *gp;
    size_t n;
    size_t *rows; /* run index of each training row */
    double *X, *y, *pm;
    double *loo_mu, *loo_var;
    double rmse, nlpd, cov, seconds;
    int fitted;
} model;

struct cf_surrogate {
    const cf_runset *rs;
    const cf_catalog *cat;
    char *target;
    int prec_cat;
    unsigned long seed;
    size_t restarts;
    size_t target_param;
    field *f;
    size_t nf;
    size_t nr;
    double *raw;               /* nr x nf */
    const cf_hardware **hw_of; /* catalog hardware of each run (NULL when unknown) */
    const cf_hardware **hw_seen;
    size_t n_hw_seen;
    unsigned char *hw_prec_seen; /* n_hw_seen x CF_PREC_COUNT */
    model m[2];
};

struct cf_config {
    double *v;                /* nf raw values */
    unsigned char *defaulted; /* nf */
    const cf_hardware *hw;
    char note[512];
};

static const char *const workload_names[3] = {"model", "dataset", "project"};
static const char *const never_run = "(never run)";

/* ---------------------------------------------------------------------------------------------------------- */
/* Small helpers                                                                                              */
/* ---------------------------------------------------------------------------------------------------------- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Median of the finite values among v[0..n-1] (NaN when none); sorts a copy. */
static double median_of(const double *v, size_t n)
{
    double *c = malloc((n ? n : 1) * sizeof *c);
    if (c == NULL) return NAN;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) c[m++] = v[i];
    double r = NAN;
    if (m > 0) {
        qsort(c, m, sizeof *c, cmp_double);
        r = m % 2 ? c[m / 2] : 0.5 * (c[m / 2 - 1] + c[m / 2]);
    }
    free(c);
    return r;
}

/* Rounds v to 3 significant digits, for readable searched settings. */
static double round_sig3(double v)
{
    if (v == 0.0 || !isfinite(v)) return v;
    double e = floor(log10(fabs(v))) - 2.0;
    double s = pow(10.0, e);
    return round(v / s) * s;
}

/* 1 when name appears in the comma-separated list. */
static int in_list(const char *list, const char *name)
{
    if (list == NULL) return 0;
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0) return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Workload field value of run r (model, dataset, project). */
static const char *workload_value(const cf_run *r, int w)
{
    return w == 0 ? r->model : w == 1 ? r->dataset : r->project;
}

/* The target of run i, or NaN. */
static double run_target(const cf_surrogate *s, size_t i)
{
    const cf_run *r = cf_runset_get(s->rs, i);
    if (strcmp(s->target, "accuracy") == 0) return r->accuracy;
    double v;
    if (cf_runset_numeric(s->rs, i, s->target, &v) != CF_OK) return NAN;
    return v;
}

/* Position of precision p on the ordered axis: fp32 = 0 ... int4 = 1 (unknown is read as bf16). */
static double precision_position(int p)
{
    if (p <= (int)CF_PREC_UNKNOWN || p >= (int)CF_PREC_COUNT) p = (int)CF_PREC_BF16;
    return (double)(p - 1) / (double)(CF_PREC_COUNT - 2);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Building the space                                                                                         */
/* ---------------------------------------------------------------------------------------------------------- */

void cf_surrogate_opts_default(cf_surrogate_opts *o)
{
    if (o == NULL) return;
    memset(o, 0, sizeof *o);
    o->target = "accuracy";
    o->restarts = 4;
}

void cf_search_opts_default(cf_search_opts *o)
{
    if (o == NULL) return;
    memset(o, 0, sizeof *o);
    o->max_predictions = 20000;
    o->limit = 50;
}

static void free_field(field *f)
{
    free(f->name);
    for (size_t k = 0; k < f->n_levels; k++) free(f->levels[k]);
    free(f->levels);
    free(f->grid);
}

static void free_model(model *m)
{
    free(m->kinds);
    free(m->col_field);
    cf_gp_destroy(m->gp);
    free(m->rows);
    free(m->X);
    free(m->y);
    free(m->pm);
    free(m->loo_mu);
    free(m->loo_var);
}

void cf_surrogate_destroy(cf_surrogate *s)
{
    if (s == NULL) return;
    for (size_t j = 0; j < s->nf; j++) free_field(&s->f[j]);
    free(s->f);
    free(s->target);
    free(s->raw);
    free(s->hw_of);
    free(s->hw_seen);
    free(s->hw_prec_seen);
    free_model(&s->m[0]);
    free_model(&s->m[1]);
    free(s);
}

/* Collects the distinct values of a categorical field as sorted levels ("" for missing). */
static cf_status collect_levels(cf_surrogate *s, field *f)
{
    size_t nr = s->nr;
    char **v = malloc((nr ? nr : 1) * sizeof *v);
    if (v == NULL) return CF_ERR_NOMEM;
    for (size_t i = 0; i < nr; i++) {
        const char *x;
        if (f->role == CF_FIELD_WORKLOAD)
            x = workload_value(cf_runset_get(s->rs, i), f->workload);
        else
            x = cf_runset_param_str(s->rs, i, f->param);
        v[i] = (char *)(x ? x : "");
    }
    qsort(v, nr, sizeof *v, cmp_str);
    size_t n = 0;
    for (size_t i = 0; i < nr; i++)
        if (n == 0 || strcmp(v[i], v[n - 1]) != 0) v[n++] = v[i];
    f->levels = calloc(n ? n : 1, sizeof *f->levels);
    if (f->levels == NULL) {
        free(v);
        return CF_ERR_NOMEM;
    }
    for (size_t k = 0; k < n; k++) {
        f->levels[k] = xstrdup(v[k]);
        if (f->levels[k] == NULL) {
            free(v);
            return CF_ERR_NOMEM;
        }
        f->n_levels++;
    }
    free(v);
    f->constant = f->n_levels <= 1;
    return CF_OK;
}

static size_t level_index(const field *f, const char *x)
{
    for (size_t k = 0; k < f->n_levels; k++)
        if (strcmp(f->levels[k], x) == 0) return k;
    return NO_INDEX;
}

static cf_status add_field(cf_surrogate *s, const char *name, cf_field_role role)
{
    field *p = realloc(s->f, (s->nf + 1) * sizeof *p);
    if (p == NULL) return CF_ERR_NOMEM;
    s->f = p;
    field *f = &s->f[s->nf];
    memset(f, 0, sizeof *f);
    f->name = xstrdup(name);
    if (f->name == NULL) return CF_ERR_NOMEM;
    f->role = role;
    f->param = NO_INDEX;
    f->lo = f->hi = f->tlo = f->thi = f->median = NAN;
    f->col[0] = f->col[1] = NO_INDEX;
    s->nf++;
    return CF_OK;
}

/* Decides the numeric encoding of a hyperparameter column: range, log scale, median. */
static cf_status numeric_field(cf_surrogate *s, field *f, const char *log_list, const char *lin_list, cf_error *err)
{
    double *v = malloc((s->nr ? s->nr : 1) * sizeof *v);
    if (v == NULL) return CF_ERR_NOMEM;
    double lo = INFINITY, hi = -INFINITY;
    size_t n = 0;
    for (size_t i = 0; i < s->nr; i++) {
        v[i] = cf_runset_param_num(s->rs, i, f->param);
        if (isfinite(v[i])) {
            lo = fmin(lo, v[i]);
            hi = fmax(hi, v[i]);
            n++;
        }
    }
    f->median = median_of(v, s->nr);
    if (f->integer) {
        /* Integer columns with at most 16 distinct values (batch sizes, epochs) are searched on those values. */
        qsort(v, s->nr, sizeof *v, cmp_double);
        size_t m = 0;
        for (size_t i = 0; i < s->nr; i++)
            if (isfinite(v[i]) && (m == 0 || v[i] != v[m - 1])) v[m++] = v[i];
        if (m > 0 && m <= 16) {
            f->grid = malloc(m * sizeof *f->grid);
            if (f->grid == NULL) {
                free(v);
                return CF_ERR_NOMEM;
            }
            memcpy(f->grid, v, m * sizeof *v);
            f->n_grid = m;
        }
    }
    free(v);
    if (n == 0) {
        f->constant = 1;
        f->lo = f->hi = NAN;
        return CF_OK;
    }
    f->lo = lo;
    f->hi = hi;
    f->constant = lo == hi;
    if (in_list(log_list, f->name)) {
        if (!(lo > 0.0))
            return cf_error_set(err, CF_ERR_INVALID, "--log", 0, 0, f->name,
                                "column '%s' cannot be put on a log scale: it has the value %.10g, and a log scale "
                                "needs positive values",
                                f->name, lo);
        f->logscale = 1;
    } else if (!in_list(lin_list, f->name) && lo > 0.0 && hi / lo > 100.0) {
        f->logscale = 1;
    }
    f->tlo = f->logscale ? log(lo) : lo;
    f->thi = f->logscale ? log(hi) : hi;
    return CF_OK;
}

/* Checks that every name of a --log / --linear list is a numeric field. */
static cf_status check_list(const cf_surrogate *s, const char *list, const char *opt, cf_error *err)
{
    if (list == NULL) return CF_OK;
    char buf[256];
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len >= sizeof buf) len = sizeof buf - 1;
        memcpy(buf, p, len);
        buf[len] = '\0';
        int ok = 0;
        for (size_t j = 0; j < s->nf; j++)
            if (s->f[j].role == CF_FIELD_PARAM && !s->f[j].categorical && strcmp(s->f[j].name, buf) == 0) ok = 1;
        if (!ok)
            return cf_error_set(err, CF_ERR_INVALID, opt, 0, 0, buf,
                                "expected a numeric hyperparameter column of the runs, found '%s'", buf);
        if (!e) break;
        p = e + 1;
    }
    return CF_OK;
}

/* Encodes raw value v of field f as the GP column value. */
static double encode(const cf_surrogate *s, const field *f, double v)
{
    switch (f->role) {
    case CF_FIELD_HARDWARE: return v;
    case CF_FIELD_PRECISION: return s->prec_cat ? v : precision_position((int)v);
    case CF_FIELD_PRUNING: return isfinite(v) ? v : 0.0;
    default: break;
    }
    if (f->categorical) return v;
    if (!isfinite(v)) v = f->median;
    if (!isfinite(v)) return 0.5;
    double t = f->logscale ? log(v) : v;
    if (!(f->thi > f->tlo)) return 0.5;
    return (t - f->tlo) / (f->thi - f->tlo);
}

/* Encodes one configuration's raw values (nf) into a row of model m. */
static void encode_row(const cf_surrogate *s, int m, const double *raw, double *row)
{
    const model *md = &s->m[m];
    for (size_t c = 0; c < md->d; c++) {
        const field *f = &s->f[md->col_field[c]];
        row[c] = encode(s, f, raw[md->col_field[c]]);
    }
}

/* Builds the columns (kinds) of model m. */
static cf_status build_columns(cf_surrogate *s, int m)
{
    model *md = &s->m[m];
    md->kinds = malloc(s->nf * sizeof *md->kinds);
    md->col_field = malloc(s->nf * sizeof *md->col_field);
    if (md->kinds == NULL || md->col_field == NULL) return CF_ERR_NOMEM;
    md->d = 0;
    for (size_t j = 0; j < s->nf; j++) {
        field *f = &s->f[j];
        int kind;
        if (f->role == CF_FIELD_HARDWARE) {
            if (m == 0) continue;
            kind = (int)f->n_levels;
        } else if (f->role == CF_FIELD_PRECISION) {
            kind = s->prec_cat ? (int)CF_PREC_COUNT : CF_GP_CONTINUOUS;
        } else if (f->role == CF_FIELD_PRUNING) {
            kind = CF_GP_CONTINUOUS;
        } else {
            if (f->constant) continue;
            kind = f->categorical ? (int)f->n_levels : CF_GP_CONTINUOUS;
        }
        f->col[m] = md->d;
        md->kinds[md->d] = kind;
        md->col_field[md->d] = j;
        md->d++;
    }
    return CF_OK;
}

/* Builds the training rows of model m. */
static cf_status build_rows(cf_surrogate *s, int m)
{
    model *md = &s->m[m];
    size_t nr = s->nr, d = md->d;
    md->rows = malloc((nr ? nr : 1) * sizeof *md->rows);
    md->X = malloc((nr ? nr : 1) * d * sizeof *md->X);
    md->y = malloc((nr ? nr : 1) * sizeof *md->y);
    md->pm = malloc((nr ? nr : 1) * sizeof *md->pm);
    md->loo_mu = malloc((nr ? nr : 1) * sizeof *md->loo_mu);
    md->loo_var = malloc((nr ? nr : 1) * sizeof *md->loo_var);
    if (!md->rows || !md->X || !md->y || !md->pm || !md->loo_mu || !md->loo_var) return CF_ERR_NOMEM;
    md->n = 0;
    for (size_t i = 0; i < nr; i++) {
        const cf_run *r = cf_runset_get(s->rs, i);
        double y;
        if (m == 0) {
            y = run_target(s, i);
            if (!isfinite(y)) continue;
            md->pm[md->n] = 0.0;
        } else {
            if (s->hw_of[i] == NULL || !(r->gpu_hours > 0.0) || !isfinite(r->gpu_hours)) continue;
            y = log(r->gpu_hours);
            md->pm[md->n] = cf_prior_log_gpu_hours(s->hw_of[i], r->precision, r->pruning, NULL);
        }
        md->rows[md->n] = i;
        md->y[md->n] = y;
        encode_row(s, m, s->raw + i * s->nf, md->X + md->n * d);
        md->n++;
    }
    md->rmse = md->nlpd = md->cov = md->seconds = NAN;
    return CF_OK;
}

cf_status cf_surrogate_create(const cf_runset *rs, const cf_catalog *cat, const cf_surrogate_opts *o,
                              cf_surrogate **out, cf_error *err)
{
    if (out == NULL) return cf_error_set(err, CF_ERR_ARG, SRC, 0, 0, NULL, "expected an output pointer");
    *out = NULL;
    if (rs == NULL || cat == NULL) return cf_error_set(err, CF_ERR_ARG, SRC, 0, 0, NULL, "expected runs and a catalog");
    cf_surrogate_opts def;
    cf_surrogate_opts_default(&def);
    if (o == NULL) o = &def;
    const char *target = o->target && o->target[0] ? o->target : "accuracy";
    cf_surrogate *s = calloc(1, sizeof *s);
    if (s == NULL) return cf_error_set(err, CF_ERR_NOMEM, SRC, 0, 0, NULL, "out of memory");
    cf_status st = CF_ERR_NOMEM;
    s->rs = rs;
    s->cat = cat;
    s->nr = cf_runset_size(rs);
    s->prec_cat = o->precision_categorical != 0;
    s->seed = o->seed;
    s->restarts = o->restarts;
    s->target = xstrdup(target);
    s->target_param = NO_INDEX;
    if (s->target == NULL) goto fail;
    if (s->nr == 0) {
        st = cf_error_set(err, CF_ERR_EMPTY, SRC, 0, 0, NULL, "there are no runs to fit a surrogate to");
        goto fail;
    }
    if (strcmp(target, "accuracy") != 0) {
        static const char *const not_targets[] = {"gpu_hours", "pruning", "hardware", "precision", NULL};
        double v;
        int bad = 0;
        for (size_t k = 0; not_targets[k]; k++) bad |= strcmp(not_targets[k], target) == 0;
        int found = 0;
        for (size_t i = 0; i < s->nr && !bad; i++)
            if (cf_runset_numeric(rs, i, target, &v) == CF_OK) {
                found = 1;
                break;
            }
        if (bad || !found) {
            st = cf_error_set(err, CF_ERR_NOT_FOUND, "--target", 0, 0, target,
                              "expected accuracy or a numeric column of the runs (not GPU-hours, pruning, hardware "
                              "or precision), found '%s'",
                              target);
            goto fail;
        }
        s->target_param = cf_runset_param_find(rs, target);
    }
    /* Hardware of each run, and the hardware seen (in order of first appearance). */
    s->hw_of = calloc(s->nr, sizeof *s->hw_of);
    s->hw_seen = calloc(s->nr, sizeof *s->hw_seen);
    if (!s->hw_of || !s->hw_seen) goto fail;
    for (size_t i = 0; i < s->nr; i++) {
        const cf_run *r = cf_runset_get(rs, i);
        s->hw_of[i] = r->hardware ? cf_catalog_hardware(cat, r->hardware) : NULL;
        if (s->hw_of[i] == NULL) continue;
        size_t k = 0;
        while (k < s->n_hw_seen && s->hw_seen[k] != s->hw_of[i]) k++;
        if (k == s->n_hw_seen) s->hw_seen[s->n_hw_seen++] = s->hw_of[i];
    }
    s->hw_prec_seen = calloc((s->n_hw_seen + 1) * CF_PREC_COUNT, 1);
    if (s->hw_prec_seen == NULL) goto fail;
    /* Fields. */
    if ((st = add_field(s, "hardware", CF_FIELD_HARDWARE)) != CF_OK) goto fail;
    {
        field *f = &s->f[0];
        f->categorical = 1;
        f->levels = calloc(s->n_hw_seen + 1, sizeof *f->levels);
        if (f->levels == NULL) goto fail;
        for (size_t k = 0; k <= s->n_hw_seen; k++) {
            f->levels[k] = xstrdup(k < s->n_hw_seen ? s->hw_seen[k]->id : never_run);
            if (f->levels[k] == NULL) goto fail;
            f->n_levels++;
        }
    }
    if ((st = add_field(s, "precision", CF_FIELD_PRECISION)) != CF_OK) goto fail;
    s->f[1].categorical = s->prec_cat;
    if ((st = add_field(s, "pruning", CF_FIELD_PRUNING)) != CF_OK) goto fail;
    s->f[2].lo = INFINITY;
    s->f[2].hi = -INFINITY;
    for (size_t i = 0; i < s->nr; i++) {
        double p = cf_runset_get(rs, i)->pruning;
        if (isfinite(p)) {
            s->f[2].lo = fmin(s->f[2].lo, p);
            s->f[2].hi = fmax(s->f[2].hi, p);
        }
    }
    for (int w = 0; w < 3; w++) {
        int any = 0;
        for (size_t i = 0; i < s->nr && !any; i++) any = workload_value(cf_runset_get(rs, i), w) != NULL;
        if (!any) continue;
        if ((st = add_field(s, workload_names[w], CF_FIELD_WORKLOAD)) != CF_OK) goto fail;
        field *f = &s->f[s->nf - 1];
        f->categorical = 1;
        f->workload = w;
        if ((st = collect_levels(s, f)) != CF_OK) goto fail;
    }
    for (size_t j = 0; j < cf_runset_param_count(rs); j++) {
        if (j == s->target_param) continue;
        if ((st = add_field(s, cf_runset_param_name(rs, j), CF_FIELD_PARAM)) != CF_OK) goto fail;
        field *f = &s->f[s->nf - 1];
        f->param = j;
        cf_param_kind k = cf_runset_param_kind(rs, j);
        f->categorical = k == CF_PARAM_CATEGORICAL;
        f->integer = k == CF_PARAM_INTEGER;
        st = f->categorical ? collect_levels(s, f) : numeric_field(s, f, o->log_params, o->linear_params, err);
        if (st != CF_OK) goto fail;
    }
    if ((st = check_list(s, o->log_params, "--log", err)) != CF_OK) goto fail;
    if ((st = check_list(s, o->linear_params, "--linear", err)) != CF_OK) goto fail;
    /* Raw values of every run. */
    st = CF_ERR_NOMEM;
    s->raw = malloc(s->nr * s->nf * sizeof *s->raw);
    if (s->raw == NULL) goto fail;
    for (size_t i = 0; i < s->nr; i++) {
        const cf_run *r = cf_runset_get(rs, i);
        double *row = s->raw + i * s->nf;
        for (size_t j = 0; j < s->nf; j++) {
            const field *f = &s->f[j];
            switch (f->role) {
            case CF_FIELD_HARDWARE: {
                size_t k = 0;
                while (k < s->n_hw_seen && s->hw_seen[k] != s->hw_of[i]) k++;
                row[j] = s->hw_of[i] ? (double)k : NAN;
                if (s->hw_of[i]) s->hw_prec_seen[k * CF_PREC_COUNT + r->precision] = 1;
                break;
            }
            case CF_FIELD_PRECISION: row[j] = (double)r->precision; break;
            case CF_FIELD_PRUNING: row[j] = isfinite(r->pruning) ? r->pruning : 0.0; break;
            case CF_FIELD_WORKLOAD: {
                const char *x = workload_value(r, f->workload);
                row[j] = (double)level_index(f, x ? x : "");
                break;
            }
            case CF_FIELD_PARAM:
                if (f->categorical) {
                    const char *x = cf_runset_param_str(rs, i, f->param);
                    row[j] = (double)level_index(f, x ? x : "");
                } else {
                    row[j] = cf_runset_param_num(rs, i, f->param);
                }
                break;
            }
        }
    }
    for (int m = 0; m < 2; m++) {
        if ((st = build_columns(s, m)) != CF_OK) goto fail;
        if ((st = build_rows(s, m)) != CF_OK) goto fail;
    }
    if (s->m[0].n == 0) {
        st = cf_error_set(err, CF_ERR_EMPTY, SRC, 0, 0, target, "no run has a value of '%s' to learn from", target);
        goto fail;
    }
    if (s->m[1].n == 0) {
        st = cf_error_set(err, CF_ERR_EMPTY, SRC, 0, 0, "gpu_hours",
                          "no run has positive GPU-hours on catalog hardware to learn from");
        goto fail;
    }
    *out = s;
    return CF_OK;
fail:
    if (st == CF_ERR_NOMEM) cf_error_set(err, CF_ERR_NOMEM, SRC, 0, 0, NULL, "out of memory");
    cf_surrogate_destroy(s);
    return st;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Fitting                                                                                                    */
/* ---------------------------------------------------------------------------------------------------------- */

cf_status cf_surrogate_fit(cf_surrogate *s, cf_error *err)
{
    if (s == NULL) return cf_error_set(err, CF_ERR_ARG, SRC, 0, 0, NULL, "expected a surrogate");
    cf_gsl_quiet();
    for (int m = 0; m < 2; m++) {
        model *md = &s->m[m];
        double t0 = now_seconds();
        cf_gp_destroy(md->gp);
        md->fitted = 0;
        md->gp = cf_gp_create(md->d, md->kinds);
        if (md->gp == NULL) return cf_error_set(err, CF_ERR_NOMEM, SRC, 0, 0, NULL, "out of memory");
        cf_gp_set_seed(md->gp, s->seed + (unsigned long)m);
        cf_gp_set_restarts(md->gp, s->restarts);
        cf_status st = cf_gp_fit(md->gp, md->X, md->n, md->y, m == 1 ? md->pm : NULL, err);
        if (st != CF_OK) return st;
        st = cf_gp_loo(md->gp, md->loo_mu, md->loo_var, err);
        if (st != CF_OK) return st;
        cf_gp_score(md->y, md->loo_mu, md->loo_var, md->n, &md->rmse, &md->nlpd, &md->cov);
        /* With one run nothing is left to predict the held-out run from: its "leave-one-out" prediction is the
         * prior, and an RMSE of 0 with 100% coverage would be a lie. Undefined (NaN, null in JSON) instead. */
        if (md->n < 2) md->rmse = md->nlpd = md->cov = NAN;
        md->seconds = now_seconds() - t0;
        md->fitted = 1;
    }
    return CF_OK;
}

const char *cf_surrogate_target(const cf_surrogate *s) { return s ? s->target : NULL; }

size_t cf_surrogate_n_train(const cf_surrogate *s, cf_surrogate_model m)
{
    return s && (m == CF_SURR_METRIC || m == CF_SURR_HOURS) ? s->m[m].n : 0;
}

double cf_surrogate_fit_seconds(const cf_surrogate *s, cf_surrogate_model m)
{
    return s && (m == CF_SURR_METRIC || m == CF_SURR_HOURS) ? s->m[m].seconds : NAN;
}

void cf_surrogate_loo(const cf_surrogate *s, cf_surrogate_model m, double *rmse, double *nlpd, double *coverage95)
{
    int ok = s && (m == CF_SURR_METRIC || m == CF_SURR_HOURS) && s->m[m].fitted;
    if (rmse) *rmse = ok ? s->m[m].rmse : NAN;
    if (nlpd) *nlpd = ok ? s->m[m].nlpd : NAN;
    if (coverage95) *coverage95 = ok ? s->m[m].cov : NAN;
}

cf_status cf_surrogate_loo_point(const cf_surrogate *s, cf_surrogate_model m, size_t k, size_t *run_index,
                                 double *observed, double *mean, double *sd)
{
    if (s == NULL || (m != CF_SURR_METRIC && m != CF_SURR_HOURS) || !s->m[m].fitted || k >= s->m[m].n)
        return CF_ERR_ARG;
    const model *md = &s->m[m];
    if (run_index) *run_index = md->rows[k];
    if (observed) *observed = md->y[k];
    if (mean) *mean = md->loo_mu[k];
    if (sd) *sd = sqrt(fmax(md->loo_var[k], 0.0));
    return CF_OK;
}

void cf_surrogate_hypers(const cf_surrogate *s, cf_surrogate_model m, double *signal_var, double *noise_var,
                         double *log_ml)
{
    int ok = s && (m == CF_SURR_METRIC || m == CF_SURR_HOURS) && s->m[m].fitted;
    if (signal_var) *signal_var = ok ? cf_gp_signal_var(s->m[m].gp) : NAN;
    if (noise_var) *noise_var = ok ? cf_gp_noise_var(s->m[m].gp) : NAN;
    if (log_ml) *log_ml = ok ? cf_gp_log_marginal_likelihood(s->m[m].gp) : NAN;
}

size_t cf_surrogate_field_count(const cf_surrogate *s) { return s ? s->nf : 0; }

const char *cf_surrogate_field_name(const cf_surrogate *s, size_t j) { return s && j < s->nf ? s->f[j].name : NULL; }

cf_field_role cf_surrogate_field_role(const cf_surrogate *s, size_t j)
{
    return s && j < s->nf ? s->f[j].role : CF_FIELD_PARAM;
}

int cf_surrogate_field_categorical(const cf_surrogate *s, size_t j) { return s && j < s->nf ? s->f[j].categorical : 0; }

int cf_surrogate_field_log(const cf_surrogate *s, size_t j) { return s && j < s->nf ? s->f[j].logscale : 0; }

void cf_surrogate_field_range(const cf_surrogate *s, size_t j, double *lo, double *hi)
{
    int ok = s && j < s->nf && !s->f[j].categorical && s->f[j].role != CF_FIELD_PRECISION;
    if (lo) *lo = ok ? s->f[j].lo : NAN;
    if (hi) *hi = ok ? s->f[j].hi : NAN;
}

size_t cf_surrogate_field_levels(const cf_surrogate *s, size_t j)
{
    if (s == NULL || j >= s->nf || !s->f[j].categorical) return 0;
    return s->f[j].role == CF_FIELD_PRECISION ? (size_t)CF_PREC_COUNT : s->f[j].n_levels;
}

const char *cf_surrogate_field_level(const cf_surrogate *s, size_t j, size_t k)
{
    if (s == NULL || j >= s->nf || !s->f[j].categorical) return NULL;
    if (s->f[j].role == CF_FIELD_PRECISION) return k < CF_PREC_COUNT ? cf_precision_name((cf_precision)k) : NULL;
    return k < s->f[j].n_levels ? s->f[j].levels[k] : NULL;
}

size_t cf_surrogate_field_column(const cf_surrogate *s, size_t j, cf_surrogate_model m)
{
    if (s == NULL || j >= s->nf || (m != CF_SURR_METRIC && m != CF_SURR_HOURS)) return NO_INDEX;
    return s->f[j].col[m];
}

double cf_surrogate_field_lengthscale(const cf_surrogate *s, size_t j, cf_surrogate_model m)
{
    size_t c = cf_surrogate_field_column(s, j, m);
    if (c == NO_INDEX || !s->m[m].fitted) return NAN;
    double ls[s->m[m].d];
    cf_gp_lengthscales(s->m[m].gp, ls);
    return ls[c];
}

/* Adds a number to a JSON object, or null when it is not finite. */
static void add_num(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static const char *encoding_name(const cf_surrogate *s, const field *f)
{
    switch (f->role) {
    case CF_FIELD_HARDWARE: return "categorical (hardware seen + never run)";
    case CF_FIELD_PRECISION: return s->prec_cat ? "categorical" : "ordered (fp32=0 .. int4=1)";
    case CF_FIELD_PRUNING: return "linear [0, 1]";
    default: break;
    }
    if (f->categorical) return "categorical";
    return f->logscale ? "log, scaled to [0, 1] over the observed range"
                       : "linear, scaled to [0, 1] over the observed range";
}

cf_status cf_surrogate_fit_json(const cf_surrogate *s, char **out, cf_error *err)
{
    if (s == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, SRC, 0, 0, NULL, "expected a surrogate");
    *out = NULL;
    cJSON *root = cJSON_CreateObject();
    if (root == NULL) return cf_error_set(err, CF_ERR_NOMEM, SRC, 0, 0, NULL, "out of memory");
    cJSON_AddStringToObject(root, "target", s->target);
    cJSON_AddNumberToObject(root, "runs", (double)s->nr);
    cJSON *models = cJSON_AddObjectToObject(root, "models");
    for (int m = 0; m < 2; m++) {
        const model *md = &s->m[m];
        cJSON *o = cJSON_AddObjectToObject(models, m == 0 ? "metric" : "gpu_hours");
        cJSON_AddStringToObject(o, "output", m == 0 ? s->target : "log(gpu_hours)");
        if (m == 1)
            cJSON_AddStringToObject(o, "prior_mean", "-log throughput[hardware][precision] - log speedup(pruning)");
        cJSON_AddNumberToObject(o, "n", (double)md->n);
        add_num(o, "seconds", md->seconds);
        double sv, nv, lml;
        cf_surrogate_hypers(s, (cf_surrogate_model)m, &sv, &nv, &lml);
        add_num(o, "signal_var", sv);
        add_num(o, "noise_var", nv);
        add_num(o, "log_marginal_likelihood", lml);
        cJSON *loo = cJSON_AddObjectToObject(o, "loo");
        add_num(loo, "rmse", md->fitted ? md->rmse : NAN);
        add_num(loo, "nlpd", md->fitted ? md->nlpd : NAN);
        add_num(loo, "coverage95", md->fitted ? md->cov : NAN);
        cJSON *in = cJSON_AddArrayToObject(o, "inputs");
        for (size_t c = 0; c < md->d; c++) {
            const field *f = &s->f[md->col_field[c]];
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "field", f->name);
            cJSON_AddStringToObject(e, "encoding", encoding_name(s, f));
            if (md->kinds[c] > 0) cJSON_AddNumberToObject(e, "categories", md->kinds[c]);
            add_num(e, "lengthscale", cf_surrogate_field_lengthscale(s, md->col_field[c], (cf_surrogate_model)m));
            cJSON_AddItemToArray(in, e);
        }
    }
    cJSON *fields = cJSON_AddArrayToObject(root, "fields");
    for (size_t j = 0; j < s->nf; j++) {
        const field *f = &s->f[j];
        cJSON *e = cJSON_CreateObject();
        static const char *const roles[] = {"hardware", "precision", "pruning", "workload", "hyperparameter"};
        cJSON_AddStringToObject(e, "name", f->name);
        cJSON_AddStringToObject(e, "role", roles[f->role]);
        cJSON_AddStringToObject(e, "encoding", encoding_name(s, f));
        cJSON_AddBoolToObject(e, "input", f->col[0] != NO_INDEX || f->col[1] != NO_INDEX);
        if (f->categorical && f->role != CF_FIELD_PRECISION) {
            cJSON *lv = cJSON_AddArrayToObject(e, "values");
            for (size_t k = 0; k < f->n_levels; k++) cJSON_AddItemToArray(lv, cJSON_CreateString(f->levels[k]));
        } else if (f->role != CF_FIELD_PRECISION) {
            add_num(e, "min", f->lo);
            add_num(e, "max", f->hi);
        }
        cJSON_AddItemToArray(fields, e);
    }
    cJSON *prior = cJSON_AddObjectToObject(root, "prior");
    cJSON_AddStringToObject(prior, "throughput", "catalog hardware[].throughput (A100-80GB bf16 = 1)");
    cJSON_AddStringToObject(prior, "pruning_speedup",
                            "1 + 0.8 p up to p = 0.5, then 1.4 + 0.9 (p - 0.5) (REFERENCE-costs.md)");
    *out = cJSON_Print(root);
    cJSON_Delete(root);
    if (*out == NULL) return cf_error_set(err, CF_ERR_NOMEM, SRC, 0, 0, NULL, "out of memory");
    return CF_OK;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Configurations                                                                                             */
/* ---------------------------------------------------------------------------------------------------------- */

static size_t field_find(const cf_surrogate *s, const char *name)
{
    for (size_t j = 0; j < s->nf; j++)
        if (strcmp(s->f[j].name, name) == 0) return j;
    return NO_INDEX;
}

void cf_config_destroy(cf_config *c)
{
    if (c == NULL) return;
    free(c->v);
    free(c->defaulted);
    free(c);
}

static cf_config *config_alloc(size_t nf)
{
    cf_config *c = calloc(1, sizeof *c);
    if (c == NULL) return NULL;
    c->v = malloc((nf ? nf : 1) * sizeof *c->v);
    c->defaulted = calloc(nf ? nf : 1, 1);
    if (!c->v || !c->defaulted) {
        cf_config_destroy(c);
        return NULL;
    }
    for (size_t j = 0; j < nf; j++) c->v[j] = NAN;
    return c;
}

const char *cf_config_hardware(const cf_config *c) { return c && c->hw ? c->hw->id : NULL; }

cf_precision cf_config_precision(const cf_config *c) { return c ? (cf_precision)(int)c->v[1] : CF_PREC_UNKNOWN; }

double cf_config_pruning(const cf_config *c) { return c ? c->v[2] : NAN; }

int cf_config_defaulted(const cf_config *c, size_t j) { return c ? c->defaulted[j] : 0; }

const char *cf_config_note(const cf_config *c) { return c ? c->note : ""; }

/* Lists the known values of a categorical field (or the catalog's hardware) into buf. */
static void list_levels(const cf_surrogate *s, const field *f, char *buf, size_t n)
{
    buf[0] = '\0';
    size_t len = 0;
    if (f->role == CF_FIELD_HARDWARE) {
        for (size_t k = 0; k < cf_catalog_hardware_count(s->cat) && len + 1 < n; k++)
            len += (size_t)snprintf(buf + len, n - len, "%s%s", k ? ", " : "", cf_catalog_hardware_at(s->cat, k)->id);
        return;
    }
    for (size_t k = 0, shown = 0; k < f->n_levels && len + 1 < n; k++) {
        if (f->levels[k][0] == '\0') continue;
        len += (size_t)snprintf(buf + len, n - len, "%s%s", shown++ ? ", " : "", f->levels[k]);
    }
}

static void list_fields(const cf_surrogate *s, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < s->nf && len + 1 < n; j++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", j ? ", " : "", s->f[j].name);
}

/* Fills the omitted fields of c from the runs sharing its given workload fields (all runs when none does). */
static cf_status fill_defaults(const cf_surrogate *s, cf_config *c, const unsigned char *given)
{
    size_t nr = s->nr, nf = s->nf;
    unsigned char *match = malloc(nr ? nr : 1);
    double *vals = malloc((nr ? nr : 1) * sizeof *vals);
    if (!match || !vals) {
        free(match);
        free(vals);
        return CF_ERR_NOMEM;
    }
    size_t nmatch = 0;
    for (size_t i = 0; i < nr; i++) {
        match[i] = 1;
        for (size_t j = 0; j < nf; j++)
            if (s->f[j].role == CF_FIELD_WORKLOAD && given[j] && s->raw[i * nf + j] != c->v[j]) match[i] = 0;
        nmatch += match[i];
    }
    if (nmatch == 0) memset(match, 1, nr);
    /* Workload fields first, each narrowing the matching runs to those with the value just chosen: otherwise an
     * empty configuration would take the commonest model and, independently, the commonest project, a pair no run
     * has (bert-base with vision). The other fields then default from the runs of that workload. */
    for (size_t jj = 0; jj < 2 * nf; jj++) {
        size_t j = jj % nf;
        int workload_pass = jj < nf;
        if (given[j]) continue;
        const field *f = &s->f[j];
        if (workload_pass != (f->role == CF_FIELD_WORKLOAD)) continue;
        c->defaulted[j] = 1;
        if (f->role == CF_FIELD_PRUNING) {
            c->v[j] = 0.0;
            continue;
        }
        size_t m = 0;
        for (size_t i = 0; i < nr; i++)
            if (match[i] && isfinite(s->raw[i * nf + j])) vals[m++] = s->raw[i * nf + j];
        if (f->categorical || f->role == CF_FIELD_HARDWARE || f->role == CF_FIELD_PRECISION) {
            /* Most frequent value; ties go to the smallest code, so the choice is deterministic. */
            qsort(vals, m, sizeof *vals, cmp_double);
            double best = NAN;
            size_t best_n = 0;
            for (size_t a = 0; a < m;) {
                size_t b = a;
                while (b < m && vals[b] == vals[a]) b++;
                if (b - a > best_n && !(f->role == CF_FIELD_PRECISION && vals[a] == 0.0)) {
                    best_n = b - a;
                    best = vals[a];
                }
                a = b;
            }
            if (f->role == CF_FIELD_PRECISION && !isfinite(best)) best = (double)CF_PREC_BF16;
            if (f->role == CF_FIELD_HARDWARE && !isfinite(best)) best = 0.0;
            c->v[j] = best;
            if (f->role == CF_FIELD_HARDWARE) c->hw = s->hw_seen[(size_t)best];
            if (f->role == CF_FIELD_WORKLOAD && isfinite(best))
                for (size_t i = 0; i < nr; i++)
                    if (s->raw[i * nf + j] != best) match[i] = 0;
        } else {
            double med = median_of(vals, m);
            if (!isfinite(med)) med = f->median;
            if (f->integer) med = round(med);
            c->v[j] = med;
        }
    }
    free(match);
    free(vals);
    return CF_OK;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
note_add(cf_config *c, const char *fmt, ...)
{
    size_t len = strlen(c->note);
    if (len + 3 >= sizeof c->note) return;
    if (len > 0) len += (size_t)snprintf(c->note + len, sizeof c->note - len, "; ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->note + len, sizeof c->note - len, fmt, ap);
    va_end(ap);
}

cf_status cf_surrogate_parse_config(const cf_surrogate *s, const char *json, const char *source, long line,
                                    cf_config **out, cf_error *err)
{
    if (out == NULL) return cf_error_set(err, CF_ERR_ARG, SRC, 0, 0, NULL, "expected an output pointer");
    *out = NULL;
    if (s == NULL || json == NULL)
        return cf_error_set(err, CF_ERR_ARG, source, line, 0, NULL, "expected a configuration");
    const char *parsed_to = NULL;
    cJSON *root = cJSON_ParseWithOpts(json, &parsed_to, 1);
    if (!cJSON_IsObject(root)) {
        /* Point at the byte where parsing stopped (cJSON reports it; a configuration is usually one line). */
        long column = 0;
        const char *at = root ? NULL : cJSON_GetErrorPtr();
        if (at != NULL && at >= json && at <= json + strlen(json)) {
            if (line <= 0) line = 1;
            for (const char *c = json; c < at; c++) {
                column++;
                if (*c == '\n') {
                    line++;
                    column = 0;
                }
            }
            column++;
        }
        cJSON_Delete(root);
        return cf_error_set(err, CF_ERR_PARSE, source, line, column, NULL,
                            "expected one JSON object such as {\"hardware\": \"l4\", \"precision\": \"int8\", "
                            "\"pruning\": 0.5}, found %s",
                            root ? "another JSON value" : "text that is not JSON (or text after it)");
    }
    size_t nf = s->nf;
    cf_config *c = config_alloc(nf);
    unsigned char *given = calloc(nf ? nf : 1, 1);
    cf_status st = CF_OK;
    char list[1024];
    if (c == NULL || given == NULL) {
        st = cf_error_set(err, CF_ERR_NOMEM, SRC, 0, 0, NULL, "out of memory");
        goto done;
    }
    for (cJSON *it = root->child; it != NULL; it = it->next) {
        const char *key = it->string ? it->string : "";
        if (cJSON_IsNull(it)) continue;
        size_t j = field_find(s, key);
        if (j == NO_INDEX) {
            if (!strcmp(key, s->target) || !strcmp(key, "accuracy") || !strcmp(key, "gpu_hours") ||
                !strcmp(key, "wall_hours") || !strcmp(key, "run_id")) {
                st = cf_error_set(err, CF_ERR_INVALID, source, line, 0, key,
                                  "'%s' is not a configuration setting (it is a result or an id); remove it", key);
            } else {
                list_fields(s, list, sizeof list);
                st = cf_error_set(err, CF_ERR_INVALID, source, line, 0, key,
                                  "unknown field '%s': no run has such a column; the configuration fields are %s", key,
                                  list);
            }
            goto done;
        }
        if (given[j]) {
            st = cf_error_set(err, CF_ERR_INVALID, source, line, 0, key, "field '%s' is given twice", key);
            goto done;
        }
        given[j] = 1;
        const field *f = &s->f[j];
        char numtxt[64];
        const char *text = NULL;
        if (cJSON_IsString(it))
            text = it->valuestring;
        else if (cJSON_IsNumber(it)) {
            snprintf(numtxt, sizeof numtxt, "%.17g", it->valuedouble);
            text = numtxt;
        } else if (cJSON_IsBool(it))
            text = cJSON_IsTrue(it) ? "true" : "false";
        if (text == NULL) {
            st = cf_error_set(err, CF_ERR_INVALID, source, line, 0, key, "expected a string or a number for '%s'", key);
            goto done;
        }
        if (f->role == CF_FIELD_HARDWARE) {
            c->hw = cf_catalog_hardware(s->cat, text);
            if (c->hw == NULL) {
                list_levels(s, f, list, sizeof list);
                st = cf_error_set(err, CF_ERR_INVALID, source, line, 0, key,
                                  "unknown hardware '%s'; the catalog has %s", text, list);
                goto done;
            }
            size_t k = 0;
            while (k < s->n_hw_seen && s->hw_seen[k] != c->hw) k++;
            c->v[j] = (double)k;
        } else if (f->role == CF_FIELD_PRECISION) {
            cf_precision p;
            if (cf_precision_parse(text, &p) != CF_OK || p == CF_PREC_UNKNOWN) {
                st = cf_error_set(err, CF_ERR_INVALID, source, line, 0, key,
                                  "expected a precision (fp32, tf32, bf16, fp16, fp8, int8, int4), found '%s'", text);
                goto done;
            }
            c->v[j] = (double)p;
        } else if (f->categorical) {
            size_t k = level_index(f, text);
            if (k == NO_INDEX || text[0] == '\0') {
                list_levels(s, f, list, sizeof list);
                st = cf_error_set(err, CF_ERR_INVALID, source, line, 0, key,
                                  "value '%s' of '%s' was never seen in the runs; seen: %s", text, key, list);
                goto done;
            }
            c->v[j] = (double)k;
        } else {
            char *end = NULL;
            double v = cJSON_IsNumber(it) ? it->valuedouble : strtod(text, &end);
            if (!cJSON_IsNumber(it) && (end == text || *end != '\0')) v = NAN;
            if (!isfinite(v)) {
                st = cf_error_set(err, CF_ERR_INVALID, source, line, 0, key, "expected a number for '%s', found '%s'",
                                  key, text);
                goto done;
            }
            if (f->role == CF_FIELD_PRUNING && !(v >= 0.0 && v < 1.0)) {
                st = cf_error_set(err, CF_ERR_INVALID, source, line, 0, key,
                                  "expected a sparsity fraction in [0, 1), found %.10g", v);
                goto done;
            }
            if (f->logscale && !(v > 0.0)) {
                st = cf_error_set(err, CF_ERR_INVALID, source, line, 0, key,
                                  "expected a positive value for '%s' (it is modelled on a log scale), found %.10g",
                                  key, v);
                goto done;
            }
            c->v[j] = v;
            if (isfinite(f->lo) && (v < f->lo || v > f->hi))
                note_add(c, "%s = %.6g is outside the range of the runs [%.6g, %.6g]: extrapolation", key, v, f->lo,
                         f->hi);
        }
    }
    if ((st = fill_defaults(s, c, given)) != CF_OK) {
        st = cf_error_set(err, st, SRC, 0, 0, NULL, "out of memory");
        goto done;
    }
    {
        cf_precision p = (cf_precision)(int)c->v[1];
        if (isnan(cf_prior_throughput(c->hw, p))) {
            char sup[256] = "";
            size_t len = 0;
            for (int q = 1; q < CF_PREC_COUNT; q++)
                if (!isnan(cf_prior_throughput(c->hw, (cf_precision)q)))
                    len += (size_t)snprintf(sup + len, sizeof sup - len, "%s%s", len ? ", " : "",
                                            cf_precision_name((cf_precision)q));
            st = cf_error_set(err, CF_ERR_INVALID, source, line, 0, given[1] ? "precision" : "hardware",
                              "hardware %s does not support %s (no throughput in the catalog); it supports %s",
                              c->hw->id, cf_precision_name(p), sup[0] ? sup : "no precision the catalog knows");
            goto done;
        }
    }
done:
    cJSON_Delete(root);
    free(given);
    if (st != CF_OK) {
        cf_config_destroy(c);
        return st;
    }
    *out = c;
    return CF_OK;
}

/* Adds field j of raw values v to a JSON object in its natural type. */
static void add_value(const cf_surrogate *s, cJSON *o, size_t j, const double *v, const cf_hardware *hw)
{
    const field *f = &s->f[j];
    if (f->role == CF_FIELD_HARDWARE)
        cJSON_AddStringToObject(o, f->name, hw ? hw->id : "");
    else if (f->role == CF_FIELD_PRECISION)
        cJSON_AddStringToObject(o, f->name, cf_precision_name((cf_precision)(int)v[j]));
    else if (f->categorical) {
        size_t k = isfinite(v[j]) ? (size_t)v[j] : NO_INDEX;
        if (k < f->n_levels && f->levels[k][0])
            cJSON_AddStringToObject(o, f->name, f->levels[k]);
        else
            cJSON_AddNullToObject(o, f->name);
    } else
        add_num(o, f->name, v[j]);
}

cf_status cf_config_json(const cf_surrogate *s, const cf_config *c, char **out, cf_error *err)
{
    if (s == NULL || c == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, SRC, 0, 0, NULL, "NULL argument");
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) return cf_error_set(err, CF_ERR_NOMEM, SRC, 0, 0, NULL, "out of memory");
    for (size_t j = 0; j < s->nf; j++) add_value(s, o, j, c->v, c->hw);
    *out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return *out ? CF_OK : cf_error_set(err, CF_ERR_NOMEM, SRC, 0, 0, NULL, "out of memory");
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Prediction                                                                                                 */
/* ---------------------------------------------------------------------------------------------------------- */

static void gaussian(cf_estimate *e, double mean, double var)
{
    double sd = sqrt(fmax(var, 0.0));
    e->mean = mean;
    e->sd = sd;
    e->lo = mean - Z95 * sd;
    e->hi = mean + Z95 * sd;
}

/* Log-normal G with ln G ~ N(mu, s^2): mean exp(mu + s^2/2), sd mean sqrt(exp(s^2) - 1), bounds exp(mu -/+ z s). */
static void lognormal(cf_estimate *e, double mu, double s)
{
    e->mean = exp(mu + 0.5 * s * s);
    e->sd = e->mean * sqrt(expm1(s * s));
    e->lo = exp(mu - Z95 * s);
    e->hi = exp(mu + Z95 * s);
}

/* Fills the prior-related parts of a prediction for raw values v on hardware hw. */
static void prior_flags(const cf_surrogate *s, const double *v, const cf_hardware *hw, cf_prediction *out)
{
    size_t k = (size_t)v[0];
    int p = (int)v[1];
    out->prior_log_gpu_hours = cf_prior_log_gpu_hours(hw, (cf_precision)p, v[2], NULL);
    out->hardware_unseen = k >= s->n_hw_seen;
    out->precision_unseen = out->hardware_unseen || !s->hw_prec_seen[k * CF_PREC_COUNT + (size_t)p];
    out->note[0] = '\0';
    if (out->hardware_unseen)
        snprintf(out->note, sizeof out->note,
                 "GPU-hours lean on the catalog prior: %s was never run (throughput ratio to the hardware run)",
                 hw ? hw->id : "?");
    else if (out->precision_unseen)
        snprintf(out->note, sizeof out->note,
                 "GPU-hours lean on the catalog prior: %s was never run at %s (precision ratio from the catalog)",
                 hw ? hw->id : "?", cf_precision_name((cf_precision)p));
}

/* Predicts m configurations given as raw rows (m x nf) with their hardware. */
static cf_status predict_raw(const cf_surrogate *s, const double *raw, const cf_hardware *const *hw, size_t m,
                             cf_prediction *out, cf_error *err)
{
    if (!s->m[0].fitted || !s->m[1].fitted)
        return cf_error_set(err, CF_ERR_ARG, SRC, 0, 0, NULL, "the surrogate is not fitted (call cf_surrogate_fit)");
    size_t d0 = s->m[0].d, d1 = s->m[1].d, nf = s->nf;
    double *X0 = calloc(m * d0 + 1, sizeof *X0), *X1 = calloc(m * d1 + 1, sizeof *X1);
    double *pm = malloc((3 * m + 1) * sizeof *pm), *mean = malloc((2 * m + 1) * sizeof *mean);
    cf_status st = CF_OK;
    if (!X0 || !X1 || !pm || !mean) {
        st = cf_error_set(err, CF_ERR_NOMEM, SRC, 0, 0, NULL, "out of memory");
        goto done;
    }
    double *var = pm + m, *vary = pm + 2 * m, *mean1 = mean + m;
    for (size_t i = 0; i < m; i++) {
        encode_row(s, 0, raw + i * nf, X0 + i * d0);
        encode_row(s, 1, raw + i * nf, X1 + i * d1);
    }
    st = cf_gp_predict(s->m[0].gp, X0, m, NULL, mean, var, vary, err);
    if (st != CF_OK) goto done;
    for (size_t i = 0; i < m; i++) {
        memset(&out[i], 0, sizeof out[i]);
        gaussian(&out[i].metric, mean[i], vary[i]);
        if (strcmp(s->target, "accuracy") == 0) {
            /* Accuracy is a fraction: the interval is the Gaussian's, clipped to [0, 1] (the mean and sd are the
             * model's own, so an extrapolation still shows its width). */
            out[i].metric.lo = fmax(out[i].metric.lo, 0.0);
            out[i].metric.hi = fmin(out[i].metric.hi, 1.0);
        }
    }
    for (size_t i = 0; i < m; i++) {
        prior_flags(s, raw + i * nf, hw[i], &out[i]);
        pm[i] = out[i].prior_log_gpu_hours;
    }
    /* pm doubles as the prior-mean array here; var and vary are recomputed below. */
    st = cf_gp_predict(s->m[1].gp, X1, m, pm, mean1, var, vary, err);
    if (st != CF_OK) goto done;
    for (size_t i = 0; i < m; i++) {
        double sd = sqrt(fmax(vary[i], 0.0));
        gaussian(&out[i].log_gpu_hours, mean1[i], vary[i]);
        lognormal(&out[i].gpu_hours, mean1[i], sd);
    }
done:
    free(X0);
    free(X1);
    free(pm);
    free(mean);
    return st;
}

cf_status cf_surrogate_predict(const cf_surrogate *s, const cf_config *c, cf_prediction *out, cf_error *err)
{
    if (s == NULL || c == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, SRC, 0, 0, NULL, "NULL argument");
    const cf_hardware *hw = c->hw;
    return predict_raw(s, c->v, &hw, 1, out, err);
}

/* Scales a price of one GPU-hour to G GPU-hours (every priced quantity is linear in GPU-hours). */
static void scale_price(const cf_price *unit, double g, cf_price *out)
{
    *out = *unit;
    out->billed_gpu_hours = unit->billed_gpu_hours * g;
    out->cost_usd = unit->cost_usd * g;
    out->energy_kwh = unit->energy_kwh * g;
    out->co2e_kg = unit->co2e_kg * g;
    out->embodied_kgco2e = unit->embodied_kgco2e * g;
    out->carbon_cost_usd = unit->carbon_cost_usd * g;
    out->total_cost_usd = unit->total_cost_usd * g;
}

static void scale_estimate(cf_estimate *e, double k, const cf_estimate *g)
{
    e->mean = k * g->mean;
    e->sd = fabs(k) * g->sd;
    e->lo = k * g->lo;
    e->hi = k * g->hi;
}

/* Price of one GPU-hour of hw under option: offers for cloud options, the frontier's per-GPU-hour figures for
 * owned compute (fo may be NULL). */
static cf_status unit_price(const cf_catalog *cat, const cf_hardware *hw, cf_procurement option,
                            const cf_pricing_opts *po, const cf_frontier_opts *fo, cf_price *out, cf_error *err)
{
    if (option == CF_PROC_ON_PREM || option == CF_PROC_HYBRID) {
        double usd =
            fo ? (option == CF_PROC_ON_PREM ? fo->on_prem_usd_per_gpu_hour : fo->hybrid_usd_per_gpu_hour) : NAN;
        double kg =
            fo ? (option == CF_PROC_ON_PREM ? fo->on_prem_kgco2e_per_gpu_hour : fo->hybrid_kgco2e_per_gpu_hour) : NAN;
        if (!isfinite(usd))
            return cf_error_set(err, CF_ERR_NOT_FOUND, SRC, 0, 0, "procurement",
                                "%s needs a TCO plan's price per GPU-hour", cf_procurement_name(option));
        memset(out, 0, sizeof *out);
        out->option = option;
        out->price_per_hour = usd;
        out->billed_gpu_hours = 1.0;
        out->cost_usd = usd;
        out->co2e_kg = isfinite(kg) ? kg : NAN;
        out->energy_kwh = NAN;
        out->embodied_kgco2e = NAN;
        double cp = isfinite(po->carbon_price_usd_per_t) ? po->carbon_price_usd_per_t : cf_catalog_carbon_price(cat);
        out->carbon_cost_usd = isfinite(out->co2e_kg) ? out->co2e_kg * cp / 1000.0 : 0.0;
        out->total_cost_usd = out->cost_usd + out->carbon_cost_usd;
        return CF_OK;
    }
    return cf_price_hours(cat, hw->id, NULL, NULL, 1.0, option, po, out, err);
}

cf_status cf_surrogate_price(const cf_surrogate *s, const cf_config *c, const cf_prediction *p, cf_procurement option,
                             const cf_pricing_opts *opts, cf_predicted_cost *out, cf_error *err)
{
    if (s == NULL || c == NULL || p == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, SRC, 0, 0, NULL, "NULL argument");
    cf_pricing_opts def;
    cf_pricing_opts_default(&def);
    if (opts == NULL) opts = &def;
    cf_price unit;
    cf_status st = unit_price(s->cat, c->hw, option, opts, NULL, &unit, err);
    if (st != CF_OK) return st;
    memset(out, 0, sizeof *out);
    scale_price(&unit, p->gpu_hours.mean, &out->price);
    out->total_per_gpu_hour = unit.total_cost_usd;
    scale_estimate(&out->cost_usd, unit.cost_usd, &p->gpu_hours);
    scale_estimate(&out->co2e_kg, unit.co2e_kg, &p->gpu_hours);
    scale_estimate(&out->energy_kwh, unit.energy_kwh, &p->gpu_hours);
    scale_estimate(&out->total_cost_usd, unit.total_cost_usd, &p->gpu_hours);
    return CF_OK;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Search                                                                                                     */
/* ---------------------------------------------------------------------------------------------------------- */

/* A value of a predicted (configuration, option) pair by objective name; NaN for an unknown name. */
static double pair_field(const char *name, double acc, double pruning, double g, const cf_price *pr)
{
    if (!strcmp(name, "accuracy")) return acc;
    if (!strcmp(name, "cost_usd")) return pr->cost_usd;
    if (!strcmp(name, "total_cost_usd")) return pr->total_cost_usd;
    if (!strcmp(name, "co2e_kg")) return pr->co2e_kg;
    if (!strcmp(name, "energy_kwh")) return pr->energy_kwh;
    if (!strcmp(name, "gpu_hours")) return g;
    if (!strcmp(name, "billed_gpu_hours")) return pr->billed_gpu_hours;
    if (!strcmp(name, "carbon_cost_usd")) return pr->carbon_cost_usd;
    if (!strcmp(name, "embodied_kgco2e")) return pr->embodied_kgco2e;
    if (!strcmp(name, "price_per_hour")) return pr->price_per_hour;
    if (!strcmp(name, "pruning")) return pruning;
    return NAN;
}

void cf_surrogate_candidates_free(cf_candidate *c, size_t n)
{
    if (c == NULL) return;
    for (size_t i = 0; i < n; i++) {
        free((char *)c[i].run_id);
        free((char *)c[i].hardware);
        free((char *)c[i].note);
    }
    free(c);
}

/* The value of f's grid nearest to x (on the field's scale). */
static double snap(const field *f, double x)
{
    double best = f->grid[0], bd = INFINITY;
    for (size_t k = 0; k < f->n_grid; k++) {
        double d = f->logscale && x > 0 && f->grid[k] > 0 ? fabs(log(f->grid[k]) - log(x)) : fabs(f->grid[k] - x);
        if (d < bd) {
            bd = d;
            best = f->grid[k];
        }
    }
    return best;
}

/* A growing array of raw configurations. */
typedef struct cfgs {
    double *v;
    const cf_hardware **hw;
    size_t n, cap, nf;
} cfgs;

static int cfgs_push(cfgs *a, const double *v, const cf_hardware *hw)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 1024;
        double *nv = realloc(a->v, cap * a->nf * sizeof *nv);
        if (nv == NULL) return -1;
        a->v = nv;
        const cf_hardware **nh = realloc(a->hw, cap * sizeof *nh);
        if (nh == NULL) return -1;
        a->hw = nh;
        a->cap = cap;
    }
    memcpy(a->v + a->n * a->nf, v, a->nf * sizeof *v);
    a->hw[a->n++] = hw;
    return 0;
}

/* 1 when raw configuration v on hw equals observed run i in every field. */
static int same_as_run(const cf_surrogate *s, const double *v, const cf_hardware *hw, size_t i)
{
    if (s->hw_of[i] != hw) return 0;
    const double *r = s->raw + i * s->nf;
    for (size_t j = 1; j < s->nf; j++) {
        const field *f = &s->f[j];
        if (f->role == CF_FIELD_PARAM && f->constant) continue;
        double b = r[j];
        if (f->role == CF_FIELD_PARAM && !f->categorical && !isfinite(b)) b = f->median;
        if (!(v[j] == b)) return 0;
    }
    return 1;
}

/* Describes the settings of a configuration other than hardware, precision and pruning. */
static void settings_text(const cf_surrogate *s, const double *v, char *buf, size_t n)
{
    size_t len = (size_t)snprintf(buf, n, "settings:");
    int first = 1;
    for (size_t j = 3; j < s->nf && len + 1 < n; j++) {
        const field *f = &s->f[j];
        char val[96];
        if (f->categorical) {
            size_t k = isfinite(v[j]) ? (size_t)v[j] : NO_INDEX;
            snprintf(val, sizeof val, "%s", k < f->n_levels && f->levels[k][0] ? f->levels[k] : "(none)");
        } else {
            snprintf(val, sizeof val, "%.6g", v[j]);
        }
        len += (size_t)snprintf(buf + len, n - len, "%s %s=%s", first ? "" : ",", f->name, val);
        first = 0;
    }
    if (first) snprintf(buf + len, n - len, " (none)");
}

typedef struct pair {
    size_t cfg;
    int option;
    double obj[CF_MAX_OBJECTIVES]; /* minimised */
    size_t rank;
} pair;

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
    if (x->obj[0] != y->obj[0]) return x->obj[0] < y->obj[0] ? -1 : 1;
    if (x->cfg != y->cfg) return x->cfg < y->cfg ? -1 : 1;
    return (x->option > y->option) - (x->option < y->option);
}

cf_status cf_surrogate_search(const cf_surrogate *s, const cf_frontier_opts *fo, const cf_search_opts *so,
                              cf_candidate **out, size_t *n_out, cf_search_stats *stats, cf_error *err)
{
    if (s == NULL || out == NULL || n_out == NULL)
        return cf_error_set(err, CF_ERR_ARG, SRC, 0, 0, NULL, "NULL argument");
    *out = NULL;
    *n_out = 0;
    double t0 = now_seconds();
    cf_frontier_opts fdef;
    cf_search_opts sdef;
    cf_search_opts_default(&sdef);
    if (fo == NULL) {
        cf_frontier_opts_default(&fdef);
        fo = &fdef;
    }
    if (so == NULL) so = &sdef;
    cf_search_stats st_local;
    memset(&st_local, 0, sizeof st_local);
    if (!s->m[0].fitted || !s->m[1].fitted)
        return cf_error_set(err, CF_ERR_ARG, SRC, 0, 0, NULL, "the surrogate is not fitted (call cf_surrogate_fit)");
    size_t nobj = fo->n_objectives;
    if (nobj == 0 || nobj > CF_MAX_OBJECTIVES)
        return cf_error_set(err, CF_ERR_ARG, SRC, 0, 0, NULL, "expected 1 to %d objectives", CF_MAX_OBJECTIVES);
    {
        cf_price dummy;
        memset(&dummy, 0, sizeof dummy);
        for (size_t k = 0; k < nobj; k++)
            if (isnan(pair_field(fo->objectives[k].name, 0, 0, 0, &dummy)))
                return cf_error_set(err, CF_ERR_INVALID, "--objectives", 0, 0, fo->objectives[k].name,
                                    "predicted configurations have no '%s'; use accuracy, cost_usd, total_cost_usd, "
                                    "co2e_kg, energy_kwh, gpu_hours, billed_gpu_hours, carbon_cost_usd, "
                                    "embodied_kgco2e, price_per_hour or pruning",
                                    fo->objectives[k].name);
    }
    size_t nf = s->nf, nr = s->nr;
    cf_status st = CF_OK;
    cfgs all = {NULL, NULL, 0, 0, nf};
    size_t *wl_rep = NULL, n_wl = 0; /* a representative run of each workload tuple */
    const cf_hardware **hws = NULL;
    size_t n_hw = 0;
    double *cont_lo = NULL, *cont_hi = NULL, *u = NULL, *v = NULL, *shift = NULL;
    size_t *cont = NULL, *catf = NULL, n_cont = 0, n_cat = 0;
    gsl_qrng *q = NULL;
    gsl_rng *rng = NULL;
    cf_prediction *pred = NULL;
    pair *pairs = NULL;
    size_t n_pairs = 0;
    cf_candidate *cand = NULL;
    size_t n_cand = 0;
    cf_price *units = NULL;
    unsigned char *priced = NULL;
    double *mat = NULL;
    unsigned char *nd = NULL;
    size_t *idx = NULL, *cfg_id = NULL;

    /* Workload tuples in order of first appearance. */
    wl_rep = malloc((nr + 1) * sizeof *wl_rep);
    hws = malloc((cf_catalog_hardware_count(s->cat) + 1) * sizeof *hws);
    cont = malloc((nf + 1) * sizeof *cont);
    catf = malloc((nf + 1) * sizeof *catf);
    v = malloc((nf + 1) * sizeof *v);
    if (!wl_rep || !hws || !cont || !catf || !v) goto oom;
    for (size_t i = 0; i < nr; i++) {
        int seen = 0;
        for (size_t w = 0; w < n_wl && !seen; w++) {
            int same = 1;
            for (size_t j = 0; j < nf; j++)
                if (s->f[j].role == CF_FIELD_WORKLOAD && s->raw[i * nf + j] != s->raw[wl_rep[w] * nf + j]) same = 0;
            seen = same;
        }
        if (seen) continue;
        /* --where on model, dataset or project keeps only matching workloads. */
        const cf_run *rep = cf_runset_get(s->rs, i);
        int keep = 1;
        for (int w = 0; w < 3 && keep; w++)
            keep = cf_frontier_where_accepts(fo, s->cat, workload_names[w], workload_value(rep, w));
        if (keep) wl_rep[n_wl++] = i;
    }
    /* Hardware with at least one offer. */
    for (size_t h = 0; h < cf_catalog_hardware_count(s->cat); h++) {
        const cf_hardware *hw = cf_catalog_hardware_at(s->cat, h);
        int has = 0;
        for (size_t o = 0; o < cf_catalog_offer_count(s->cat) && !has; o++) {
            const cf_offer *of = cf_catalog_offer_at(s->cat, o);
            has = cf_catalog_hardware(s->cat, of->hardware) == hw;
        }
        if (has && cf_frontier_where_accepts(fo, s->cat, "hardware", hw->id)) hws[n_hw++] = hw;
    }
    /* Continuous and categorical search dimensions. */
    cont[n_cont++] = 2; /* pruning */
    for (size_t j = 3; j < nf; j++) {
        const field *f = &s->f[j];
        if (f->role == CF_FIELD_WORKLOAD) continue;
        if (f->constant) continue;
        if (f->categorical)
            catf[n_cat++] = j;
        else
            cont[n_cont++] = j;
    }
    size_t n_catprod = 1;
    for (size_t a = 0; a < n_cat; a++) {
        size_t nl = 0;
        for (size_t k = 0; k < s->f[catf[a]].n_levels; k++) nl += s->f[catf[a]].levels[k][0] != '\0';
        n_catprod *= nl ? nl : 1;
    }
    size_t n_hwprec = 0;
    for (size_t h = 0; h < n_hw; h++)
        for (int p = 1; p < CF_PREC_COUNT; p++)
            n_hwprec += !isnan(cf_prior_throughput(hws[h], (cf_precision)p)) &&
                        cf_frontier_where_accepts(fo, s->cat, "precision", cf_precision_name((cf_precision)p));
    size_t combos = n_wl * n_hwprec * n_catprod;
    size_t cap = so->max_predictions ? so->max_predictions : 20000;
    size_t per = combos ? cap / combos : 0;
    if (per < 1) per = 1;
    size_t n_best = per < 3 ? per : 3;
    size_t n_sobol = so->per_combination ? so->per_combination : (per > n_best ? per - n_best : 0);
    if (n_sobol > 64 && !so->per_combination) n_sobol = 64;
    cont_lo = malloc(n_cont * sizeof *cont_lo);
    cont_hi = malloc(n_cont * sizeof *cont_hi);
    u = malloc((n_cont + 1) * sizeof *u);
    shift = malloc((n_cont + 1) * sizeof *shift);
    if (!cont_lo || !cont_hi || !u || !shift) goto oom;
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng == NULL) goto oom;
    gsl_rng_set(rng, so->seed);

    for (size_t w = 0; w < n_wl && !st_local.truncated; w++) {
        /* Ranges of the continuous dimensions over this workload's runs (global when a workload has one value). */
        for (size_t a = 0; a < n_cont; a++) {
            const field *f = &s->f[cont[a]];
            if (f->role == CF_FIELD_PRUNING) {
                cont_lo[a] = 0.0;
                cont_hi[a] = isfinite(f->hi) && f->hi > 0.9 ? f->hi : 0.9;
                continue;
            }
            double lo = INFINITY, hi = -INFINITY;
            for (size_t i = 0; i < nr; i++) {
                int same = 1;
                for (size_t j = 0; j < nf; j++)
                    if (s->f[j].role == CF_FIELD_WORKLOAD && s->raw[i * nf + j] != s->raw[wl_rep[w] * nf + j]) same = 0;
                double x = s->raw[i * nf + cont[a]];
                if (same && isfinite(x)) {
                    lo = fmin(lo, x);
                    hi = fmax(hi, x);
                }
            }
            if (!(hi > lo)) {
                lo = f->lo;
                hi = f->hi;
            }
            cont_lo[a] = f->logscale ? log(lo) : lo;
            cont_hi[a] = f->logscale ? log(hi) : hi;
        }
        /* The best observed runs of this workload (by the metric, in its direction when it is an objective). */
        int maximize = 1;
        for (size_t k = 0; k < nobj; k++)
            if (!strcmp(fo->objectives[k].name, "accuracy")) maximize = fo->objectives[k].maximize;
        size_t best[3];
        double besty[3];
        size_t nb = 0;
        for (size_t t = 0; t < s->m[0].n; t++) {
            size_t i = s->m[0].rows[t];
            int same = 1;
            for (size_t j = 0; j < nf; j++)
                if (s->f[j].role == CF_FIELD_WORKLOAD && s->raw[i * nf + j] != s->raw[wl_rep[w] * nf + j]) same = 0;
            if (!same) continue;
            double y = maximize ? s->m[0].y[t] : -s->m[0].y[t];
            /* Insertion into the sorted top-n_best list (ties keep input order). */
            size_t pos = nb;
            while (pos > 0 && y > besty[pos - 1]) pos--;
            if (pos >= n_best) continue;
            size_t last = nb < n_best ? nb : n_best - 1;
            for (size_t k = last; k > pos; k--) {
                best[k] = best[k - 1];
                besty[k] = besty[k - 1];
            }
            best[pos] = i;
            besty[pos] = y;
            if (nb < n_best) nb++;
        }
        gsl_qrng_free(q);
        q = n_sobol > 0 ? gsl_qrng_alloc(n_cont <= 40 ? gsl_qrng_sobol : gsl_qrng_halton, (unsigned)n_cont) : NULL;
        if (n_sobol > 0 && q == NULL) goto oom;
        for (size_t h = 0; h < n_hw && !st_local.truncated; h++) {
            const cf_hardware *hw = hws[h];
            size_t hk = 0;
            while (hk < s->n_hw_seen && s->hw_seen[hk] != hw) hk++;
            for (int p = 1; p < CF_PREC_COUNT && !st_local.truncated; p++) {
                if (isnan(cf_prior_throughput(hw, (cf_precision)p))) continue;
                if (!cf_frontier_where_accepts(fo, s->cat, "precision", cf_precision_name((cf_precision)p))) continue;
                for (size_t cc = 0; cc < n_catprod && !st_local.truncated; cc++) {
                    st_local.combinations++;
                    /* Fixed part: workload, hardware, precision, categorical values, constants. */
                    memcpy(v, s->raw + wl_rep[w] * nf, nf * sizeof *v);
                    v[0] = (double)hk;
                    v[1] = (double)p;
                    for (size_t j = 3; j < nf; j++) {
                        const field *f = &s->f[j];
                        if (f->role == CF_FIELD_PARAM && f->constant) v[j] = f->categorical ? 0.0 : f->lo;
                    }
                    size_t rem = cc;
                    for (size_t a = 0; a < n_cat; a++) {
                        const field *f = &s->f[catf[a]];
                        size_t nl = 0, pick = 0;
                        for (size_t k = 0; k < f->n_levels; k++) nl += f->levels[k][0] != '\0';
                        size_t want = nl ? rem % nl : 0;
                        rem = nl ? rem / nl : rem;
                        for (size_t k = 0, seen = 0; k < f->n_levels; k++) {
                            if (f->levels[k][0] == '\0') continue;
                            if (seen++ == want) {
                                pick = k;
                                break;
                            }
                        }
                        v[catf[a]] = (double)pick;
                    }
                    /* The best observed settings of the workload, then Sobol points. */
                    for (size_t b = 0; b < nb + n_sobol; b++) {
                        if (all.n >= cap) {
                            st_local.truncated = 1;
                            break;
                        }
                        if (b < nb) {
                            for (size_t a = 0; a < n_cont; a++) {
                                double x = s->raw[best[b] * nf + cont[a]];
                                v[cont[a]] = isfinite(x) ? x : s->f[cont[a]].median;
                            }
                        } else {
                            if (b == nb)
                                for (size_t a = 0; a < n_cont; a++) shift[a] = gsl_rng_uniform(rng);
                            if (b == nb) gsl_qrng_init(q);
                            gsl_qrng_get(q, u);
                            for (size_t a = 0; a < n_cont; a++) {
                                const field *f = &s->f[cont[a]];
                                double t = u[a] + shift[a];
                                t -= floor(t);
                                double x = cont_lo[a] + t * (cont_hi[a] - cont_lo[a]);
                                if (f->logscale) x = exp(x);
                                if (f->role == CF_FIELD_PRUNING)
                                    x = round(x * 100.0) / 100.0;
                                else if (f->n_grid > 0)
                                    x = snap(f, x);
                                else if (f->integer)
                                    x = round(x);
                                else
                                    x = round_sig3(x);
                                v[cont[a]] = x;
                            }
                        }
                        int dup = 0;
                        for (size_t i = 0; i < nr && !dup; i++) dup = same_as_run(s, v, hw, i);
                        if (dup) {
                            st_local.excluded++;
                            continue;
                        }
                        if (cfgs_push(&all, v, hw) != 0) goto oom;
                    }
                }
            }
        }
    }
    st_local.predicted = all.n;
    if (all.n == 0) goto finish;
    pred = malloc(all.n * sizeof *pred);
    if (pred == NULL) goto oom;
    st = predict_raw(s, all.v, all.hw, all.n, pred, err);
    if (st != CF_OK) goto fail;

    /* Unit prices per (hardware, option). */
    units = malloc(n_hw * CF_PROC_COUNT * sizeof *units);
    priced = calloc(n_hw * CF_PROC_COUNT + 1, 1);
    if (!units || !priced) goto oom;
    for (size_t h = 0; h < n_hw; h++)
        for (int o = 0; o < CF_PROC_COUNT; o++) {
            if (!(fo->procurements & (1u << o))) continue;
            cf_error e;
            cf_error_clear(&e);
            priced[h * CF_PROC_COUNT + (size_t)o] = unit_price(s->cat, hws[h], (cf_procurement)o, &fo->pricing, fo,
                                                               &units[h * CF_PROC_COUNT + (size_t)o], &e) == CF_OK;
        }
    /* Nondominated pairs within each option. */
    mat = malloc(all.n * nobj * sizeof *mat);
    nd = malloc(all.n);
    idx = malloc(all.n * sizeof *idx);
    pairs = malloc(all.n * CF_PROC_COUNT * sizeof *pairs);
    if (!mat || !nd || !idx || !pairs) goto oom;
    for (int o = 0; o < CF_PROC_COUNT; o++) {
        if (!(fo->procurements & (1u << o))) continue;
        size_t m = 0;
        for (size_t c = 0; c < all.n; c++) {
            size_t h = 0;
            while (hws[h] != all.hw[c]) h++;
            if (!priced[h * CF_PROC_COUNT + (size_t)o]) continue;
            cf_price pr;
            scale_price(&units[h * CF_PROC_COUNT + (size_t)o], pred[c].gpu_hours.mean, &pr);
            for (size_t k = 0; k < nobj; k++) {
                double x = pair_field(fo->objectives[k].name, pred[c].metric.mean, all.v[c * nf + 2],
                                      pred[c].gpu_hours.mean, &pr);
                mat[m * nobj + k] = fo->objectives[k].maximize ? -x : x;
            }
            idx[m++] = c;
        }
        if (m == 0) continue;
        if (cf_pareto_filter(mat, m, nobj, nd) != CF_OK) goto oom;
        for (size_t r = 0; r < m; r++) {
            if (!nd[r]) continue;
            pairs[n_pairs].cfg = idx[r];
            pairs[n_pairs].option = o;
            memcpy(pairs[n_pairs].obj, mat + r * nobj, nobj * sizeof *mat);
            pairs[n_pairs].rank = 0;
            n_pairs++;
        }
    }
    st_local.nondominated = n_pairs;
    if (n_pairs == 0) goto finish;
    {
        /* Ranks over all options, then the limit: whole layers while they fit, the last one thinned evenly. */
        double *pm = malloc(n_pairs * nobj * sizeof *pm);
        size_t *rk = malloc(n_pairs * sizeof *rk);
        if (!pm || !rk) {
            free(pm);
            free(rk);
            goto oom;
        }
        for (size_t a = 0; a < n_pairs; a++) memcpy(pm + a * nobj, pairs[a].obj, nobj * sizeof *pm);
        cf_status rs = cf_pareto_ranks(pm, n_pairs, nobj, rk);
        for (size_t a = 0; a < n_pairs; a++) pairs[a].rank = rk[a];
        free(pm);
        free(rk);
        if (rs != CF_OK) goto oom;
    }
    qsort(pairs, n_pairs, sizeof *pairs, cmp_pair);
    size_t limit = so->limit ? so->limit : 50;
    size_t keep = 0;
    while (keep < n_pairs) {
        size_t end = keep;
        while (end < n_pairs && pairs[end].rank == pairs[keep].rank) end++;
        if (end <= limit) {
            keep = end;
            continue;
        }
        size_t room = limit - keep, layer = end - keep;
        if (room > 0) {
            /* Evenly spaced members of the layer (sorted by the first objective), ends included. */
            for (size_t t = 0; t < room; t++) {
                size_t src = room == 1 ? 0 : (size_t)llround((double)t * (double)(layer - 1) / (double)(room - 1));
                pairs[keep + t] = pairs[keep + src];
            }
        }
        keep = limit;
        break;
    }
    cand = calloc(keep + 1, sizeof *cand);
    cfg_id = malloc(all.n * sizeof *cfg_id);
    if (!cand || !cfg_id) goto oom;
    for (size_t c = 0; c < all.n; c++) cfg_id[c] = 0;
    size_t next_id = 1;
    for (size_t a = 0; a < keep; a++) {
        const pair *pp = &pairs[a];
        size_t c = pp->cfg;
        if (cfg_id[c] == 0) {
            cfg_id[c] = next_id++;
            st_local.leaning_on_prior += pred[c].hardware_unseen || pred[c].precision_unseen;
        }
        size_t h = 0;
        while (hws[h] != all.hw[c]) h++;
        const cf_price *unit = &units[h * CF_PROC_COUNT + (size_t)pp->option];
        cf_candidate *cd = &cand[n_cand];
        memset(cd, 0, sizeof *cd);
        char id[32], note[1024];
        snprintf(id, sizeof id, "pred-%zu", cfg_id[c]);
        settings_text(s, all.v + c * nf, note, sizeof note);
        if (pred[c].note[0]) {
            size_t len = strlen(note);
            snprintf(note + len, sizeof note - len, " | %s", pred[c].note);
        }
        cd->run_id = xstrdup(id);
        cd->hardware = xstrdup(all.hw[c]->id);
        cd->note = xstrdup(note);
        n_cand++;
        if (!cd->run_id || !cd->hardware || !cd->note) goto oom;
        cd->precision = (cf_precision)(int)all.v[c * nf + 1];
        cd->pruning = all.v[c * nf + 2];
        cd->accuracy = pred[c].metric.mean;
        cd->gpu_hours = pred[c].gpu_hours.mean;
        cd->wall_hours = NAN;
        scale_price(unit, pred[c].gpu_hours.mean, &cd->price);
        cd->run_index = NO_INDEX;
        cd->predicted = 1;
        cd->accuracy_lo = pred[c].metric.lo;
        cd->accuracy_hi = pred[c].metric.hi;
        cd->cost_lo = unit->total_cost_usd * pred[c].gpu_hours.lo;
        cd->cost_hi = unit->total_cost_usd * pred[c].gpu_hours.hi;
    }
    st_local.returned = n_cand;
    *out = cand;
    *n_out = n_cand;
    cand = NULL;
    n_cand = 0;
    goto finish;
oom:
    st = cf_error_set(err, CF_ERR_NOMEM, SRC, 0, 0, NULL, "out of memory");
fail:
finish:
    st_local.seconds = now_seconds() - t0;
    if (stats) *stats = st_local;
    cf_surrogate_candidates_free(cand, n_cand);
    free(all.v);
    free(all.hw);
    free(wl_rep);
    free((void *)hws);
    free(cont_lo);
    free(cont_hi);
    free(u);
    free(v);
    free(shift);
    free(cont);
    free(catf);
    gsl_qrng_free(q);
    gsl_rng_free(rng);
    free(pred);
    free(pairs);
    free(units);
    free(priced);
    free(mat);
    free(nd);
    free(idx);
    free(cfg_id);
    return st;
}
