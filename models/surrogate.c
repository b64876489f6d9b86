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

#define NO_INDEX ((size_t)-1)

#include "models/surrogate_internal.h"

const char *const cf_surr_workload_names[3] = {"model", "dataset", "project"};
static const char *const never_run = "(never run)";

/* ---------------------------------------------------------------------------------------------------------- */
/* Small helpers                                                                                              */
/* ---------------------------------------------------------------------------------------------------------- */

double cf_surr_now(void)
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
double cf_surr_round_sig3(double v)
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

char *cf_surr_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Workload field value of run r (model, dataset, project). */
const char *cf_surr_workload_value(const cf_run *r, int w)
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
            x = cf_surr_workload_value(cf_runset_get(s->rs, i), f->workload);
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
        f->levels[k] = cf_surr_strdup(v[k]);
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
    f->name = cf_surr_strdup(name);
    if (f->name == NULL) return CF_ERR_NOMEM;
    f->role = role;
    f->param = NO_INDEX;
    f->lo = f->hi = f->tlo = f->thi = f->median = NAN;
    f->col[0] = f->col[1] = NO_INDEX;
    s->nf++;
    return CF_OK;
}

/* Value of numeric field f for run i: the run's num_gpus for the accelerator-count field, else its column. */
static double field_num(const cf_surrogate *s, const field *f, size_t i)
{
    if (f->accel_count) {
        double n = cf_runset_get(s->rs, i)->num_gpus;
        return isfinite(n) && n > 0.0 ? n : NAN;
    }
    return cf_runset_param_num(s->rs, i, f->param);
}

/* Decides the numeric encoding of a hyperparameter column: range, log scale, median. */
static cf_status numeric_field(cf_surrogate *s, field *f, const char *log_list, const char *lin_list, cf_error *err)
{
    double *v = calloc(s->nr ? s->nr : 1, sizeof *v);
    if (v == NULL) return CF_ERR_NOMEM;
    double lo = INFINITY, hi = -INFINITY;
    size_t n = 0;
    for (size_t i = 0; i < s->nr; i++) {
        v[i] = field_num(s, f, i);
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
    if (f->accel_count) {
        /* GPU-hours scale as a power of the accelerator count (cf_surrogate_scaling): always a log axis. */
        f->logscale = 1;
    } else if (in_list(log_list, f->name)) {
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
        if (f->role == CF_FIELD_HARDWARE || f->accel_count) {
            if (m == 0) continue;
            kind = f->accel_count ? CF_GP_CONTINUOUS : (int)f->n_levels;
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

/* Estimates the scaling exponent of GPU-hours in the number of accelerators over the training runs of the hours
 * model (cf_prior_scaling_exponent; cells are runs sharing workload fields, hardware and precision) and adds
 * beta (log n - lx_ref) to their prior means. Without a num_gpus field, or with no cell of two scales, beta = 0. */
static cf_status estimate_scaling(cf_surrogate *s)
{
    s->scale_beta = s->scale_beta_var = s->scale_tau2 = s->scale_lx_ref = 0.0;
    if (s->scale_field == NO_INDEX) return CF_OK;
    model *md = &s->m[1];
    size_t n = md->n, nf = s->nf;
    if (n == 0) return CF_OK;
    double *lx = malloc(2 * n * sizeof *lx);
    size_t *cell = malloc(2 * n * sizeof *cell); /* cell of each row, then the representative row of each cell */
    if (lx == NULL || cell == NULL) {
        free(lx);
        free(cell);
        return CF_ERR_NOMEM;
    }
    double *r = lx + n;
    size_t *rep = cell + n, nc = 0;
    for (size_t i = 0; i < n; i++) {
        const double *ri = s->raw + md->rows[i] * nf;
        lx[i] = log(ri[s->scale_field]);
        r[i] = md->y[i] - md->pm[i];
        s->scale_lx_ref += lx[i] / (double)n;
        size_t c = 0;
        for (; c < nc; c++) {
            const double *rc = s->raw + md->rows[rep[c]] * nf;
            int same = ri[0] == rc[0] && ri[1] == rc[1];
            for (size_t j = 0; j < nf && same; j++)
                if (s->f[j].role == CF_FIELD_WORKLOAD && ri[j] != rc[j]) same = 0;
            if (same) break;
        }
        if (c == nc) rep[nc++] = i;
        cell[i] = c;
    }
    double b = 0.0, v = 0.0, t2 = 0.0;
    cf_status st = cf_prior_scaling_exponent(lx, r, cell, n, &b, &v, &t2);
    if (st == CF_ERR_NOMEM) {
        free(lx);
        free(cell);
        return st;
    }
    s->scale_beta = st == CF_OK ? b : 0.0;
    s->scale_beta_var = st == CF_OK ? v : 0.0;
    s->scale_tau2 = st == CF_OK ? t2 : 0.0;
    for (size_t i = 0; i < n; i++) md->pm[i] += s->scale_beta * (lx[i] - s->scale_lx_ref);
    free(lx);
    free(cell);
    return CF_OK;
}

int cf_surrogate_scaling(const cf_surrogate *s, double *beta, double *beta_sd, double *tau, double *lx_ref)
{
    int on = s != NULL && s->scale_field != NO_INDEX;
    if (beta) *beta = on ? s->scale_beta : 0.0;
    if (beta_sd) *beta_sd = on ? sqrt(s->scale_beta_var) : 0.0;
    if (tau) *tau = on ? sqrt(s->scale_tau2) : 0.0;
    if (lx_ref) *lx_ref = on ? s->scale_lx_ref : 0.0;
    return on;
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
    s->scale_field = NO_INDEX;
    s->rs = rs;
    s->cat = cat;
    s->nr = cf_runset_size(rs);
    s->prec_cat = o->precision_categorical != 0;
    s->seed = o->seed;
    s->restarts = o->restarts;
    s->target = cf_surr_strdup(target);
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
            f->levels[k] = cf_surr_strdup(k < s->n_hw_seen ? s->hw_seen[k]->id : never_run);
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
        for (size_t i = 0; i < s->nr && !any; i++) any = cf_surr_workload_value(cf_runset_get(rs, i), w) != NULL;
        if (!any) continue;
        if ((st = add_field(s, cf_surr_workload_names[w], CF_FIELD_WORKLOAD)) != CF_OK) goto fail;
        field *f = &s->f[s->nf - 1];
        f->categorical = 1;
        f->workload = w;
        if ((st = collect_levels(s, f)) != CF_OK) goto fail;
    }
    /* The number of accelerators (num_gpus) is an input of the GPU-hours model when every run that model learns
     * from gives it and it takes more than one value: imputing a scale would bias the scaling exponent. */
    s->scale_field = NO_INDEX;
    {
        size_t n_hours = 0, n_known = 0;
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < s->nr; i++) {
            const cf_run *r = cf_runset_get(rs, i);
            if (s->hw_of[i] == NULL || !(r->gpu_hours > 0.0) || !isfinite(r->gpu_hours)) continue;
            n_hours++;
            if (isfinite(r->num_gpus) && r->num_gpus > 0.0) {
                n_known++;
                lo = fmin(lo, r->num_gpus);
                hi = fmax(hi, r->num_gpus);
            }
        }
        if (n_hours > 0 && n_known == n_hours && hi > lo) {
            if ((st = add_field(s, "num_gpus", CF_FIELD_PARAM)) != CF_OK) goto fail;
            field *f = &s->f[s->nf - 1];
            f->accel_count = 1;
            f->integer = 1;
            for (size_t i = 0; i < s->nr; i++) {
                double n = cf_runset_get(rs, i)->num_gpus;
                if (isfinite(n) && n != floor(n)) f->integer = 0;
            }
            if ((st = numeric_field(s, f, NULL, NULL, err)) != CF_OK) goto fail;
            s->scale_field = s->nf - 1;
        }
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
                const char *x = cf_surr_workload_value(r, f->workload);
                row[j] = (double)level_index(f, x ? x : "");
                break;
            }
            case CF_FIELD_PARAM:
                if (f->categorical) {
                    const char *x = cf_runset_param_str(rs, i, f->param);
                    row[j] = (double)level_index(f, x ? x : "");
                } else {
                    row[j] = field_num(s, f, i);
                }
                break;
            }
        }
    }
    for (int m = 0; m < 2; m++) {
        if ((st = build_columns(s, m)) != CF_OK) goto fail;
        if ((st = build_rows(s, m)) != CF_OK) goto fail;
    }
    if ((st = estimate_scaling(s)) != CF_OK) goto fail;
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

/* Checks that the training rows, targets and prior means of model m are finite before the GP sees them, so that a
 * bad value is named by the run's file, line and column (field) instead of the GP's "row 2 column 4". A value can
 * be finite and still give a non-finite input: a linear column spanning -1e308 .. 1e308 has a range too wide to
 * scale. */
static cf_status check_training(const cf_surrogate *s, int m, cf_error *err)
{
    const model *md = &s->m[m];
    for (size_t i = 0; i < md->n; i++) {
        size_t run_i = md->rows[i];
        const cf_run *r = cf_runset_get(s->rs, run_i);
        for (size_t c = 0; c < md->d; c++) {
            if (isfinite(md->X[i * md->d + c])) continue;
            const field *f = &s->f[md->col_field[c]];
            const char *text =
                f->role == CF_FIELD_PARAM && !f->accel_count ? cf_runset_param_str(s->rs, run_i, f->param) : NULL;
            char num[32];
            snprintf(num, sizeof num, "%g", s->raw[run_i * s->nf + md->col_field[c]]);
            return cf_error_set(err, CF_ERR_INVALID, r->source, r->line, 0, f->name,
                                "run '%s': the value '%s' of column '%s' gives a non-finite model input (the "
                                "column's values span [%g, %g], too wide to scale); fix the value, or leave the "
                                "run or the column out (--map %s=ignore)",
                                r->run_id, text ? text : num, f->name, f->lo, f->hi, f->name);
        }
        if (!isfinite(md->y[i]) || !isfinite(md->pm[i]))
            return cf_error_set(err, CF_ERR_INVALID, r->source, r->line, 0, m == 0 ? s->target : "gpu_hours",
                                "run '%s': its %s gives a non-finite model target", r->run_id,
                                m == 0 ? s->target : "gpu_hours");
    }
    return CF_OK;
}

cf_status cf_surrogate_fit(cf_surrogate *s, cf_error *err)
{
    if (s == NULL) return cf_error_set(err, CF_ERR_ARG, SRC, 0, 0, NULL, "expected a surrogate");
    cf_gsl_quiet();
    for (int m = 0; m < 2; m++) {
        model *md = &s->m[m];
        double t0 = cf_surr_now();
        cf_gp_destroy(md->gp);
        md->fitted = 0;
        md->gp = cf_gp_create(md->d, md->kinds);
        if (md->gp == NULL) return cf_error_set(err, CF_ERR_NOMEM, SRC, 0, 0, NULL, "out of memory");
        cf_gp_set_seed(md->gp, s->seed + (unsigned long)m);
        cf_gp_set_restarts(md->gp, s->restarts);
        cf_status st = check_training(s, m, err);
        if (st == CF_OK) st = cf_gp_fit(md->gp, md->X, md->n, md->y, m == 1 ? md->pm : NULL, err);
        if (st != CF_OK) return st;
        st = cf_gp_loo(md->gp, md->loo_mu, md->loo_var, err);
        if (st != CF_OK) return st;
        cf_gp_score(md->y, md->loo_mu, md->loo_var, md->n, &md->rmse, &md->nlpd, &md->cov);
        /* With one run nothing is left to predict the held-out run from: its "leave-one-out" prediction is the
         * prior, and an RMSE of 0 with 100% coverage would be a lie. Undefined (NaN, null in JSON) instead. */
        if (md->n < 2) md->rmse = md->nlpd = md->cov = NAN;
        md->seconds = cf_surr_now() - t0;
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
    {
        double b, bsd, tau, ref;
        if (cf_surrogate_scaling(s, &b, &bsd, &tau, &ref)) {
            cJSON *sc = cJSON_AddObjectToObject(prior, "scaling");
            cJSON_AddStringToObject(sc, "term", "beta (log num_gpus - lx_ref), within (workload, hardware, precision)");
            add_num(sc, "beta", b);
            add_num(sc, "beta_sd", bsd);
            add_num(sc, "tau", tau);
            add_num(sc, "lx_ref", ref);
        }
    }
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
    free(c->provider);
    free(c->region);
    free(c);
}

static cf_config *config_alloc(size_t nf)
{
    cf_config *c = calloc(1, sizeof *c);
    if (c == NULL) return NULL;
    c->procurement = -1;
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

/* The canonical run fields that a configuration may carry although the model does not take them as inputs. */
static const char *const run_results[] = {"run_id", "accuracy", "gpu_hours", "wall_hours"};
static const char *const run_unused[] = {"num_gpus", "model", "dataset", "project", "precision", "pruning", "hardware"};

/* Handles key of a configuration that is not a model input. Returns 1 when it was taken (a pricing field) or
 * ignored with a note (a result or a run field the model does not use), 0 when key is no run field at all (the
 * caller reports it), -1 with *st set when its value is wrong. */
static int run_field_in_config(const cf_surrogate *s, cf_config *c, const cJSON *it, const char *key,
                               const char *source, long line, cf_status *st, cf_error *err)
{
    if (!strcmp(key, "provider") || !strcmp(key, "region")) {
        if (!cJSON_IsString(it) || it->valuestring[0] == '\0') {
            *st = cf_error_set(err, CF_ERR_INVALID, source, line, 0, key, "expected a non-empty string for '%s'", key);
            return -1;
        }
        const char *v = it->valuestring;
        if (!strcmp(key, "region")) {
            const cf_region *rg = cf_catalog_region(s->cat, v);
            if (rg == NULL) {
                *st = cf_error_set(err, CF_ERR_INVALID, source, line, 0, key,
                                   "unknown region '%s' (see `costfront catalog regions`)", v);
                return -1;
            }
            v = rg->id;
        } else {
            size_t no = cf_catalog_offer_count(s->cat), k = 0;
            while (k < no && strcmp(cf_catalog_offer_at(s->cat, k)->provider, v) != 0) k++;
            if (k == no) {
                *st = cf_error_set(err, CF_ERR_INVALID, source, line, 0, key,
                                   "no offer in the catalog is from provider '%s' (see `costfront catalog offers`)",
                                   v);
                return -1;
            }
        }
        char **slot = !strcmp(key, "region") ? &c->region : &c->provider;
        free(*slot);
        *slot = cf_surr_strdup(v);
        if (*slot == NULL) {
            *st = cf_error_set(err, CF_ERR_NOMEM, SRC, 0, 0, NULL, "out of memory");
            return -1;
        }
        return 1;
    }
    if (!strcmp(key, "procurement")) {
        cf_procurement p;
        if (!cJSON_IsString(it) || cf_procurement_parse(it->valuestring, &p) != CF_OK) {
            *st = cf_error_set(err, CF_ERR_INVALID, source, line, 0, key,
                               "expected a procurement option (on_demand, spot, reserved_1y, reserved_3y), found %s",
                               cJSON_IsString(it) ? it->valuestring : "a value that is not a string");
            return -1;
        }
        c->procurement = (int)p;
        return 1;
    }
    int result = !strcmp(key, s->target);
    for (size_t i = 0; i < sizeof run_results / sizeof run_results[0]; i++) result |= !strcmp(key, run_results[i]);
    if (result) {
        note_add(c, "%s is a result, not a setting: ignored", key);
        return 1;
    }
    for (size_t i = 0; i < sizeof run_unused / sizeof run_unused[0]; i++)
        if (!strcmp(key, run_unused[i])) {
            note_add(c, "%s is not an input of the model fitted to these runs (it does not vary or is absent): ignored",
                     key);
            return 1;
        }
    return 0;
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
            /* A row of the runs copied as a configuration is accepted: its pricing fields say where to price the
             * prediction, its results and fields the model does not use are ignored with a note. */
            int r = run_field_in_config(s, c, it, key, source, line, &st, err);
            if (r < 0) goto done;
            if (r > 0) continue;
            {
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

int cf_config_procurement(const cf_config *c) { return c != NULL ? c->procurement : -1; }

cf_status cf_config_json(const cf_surrogate *s, const cf_config *c, char **out, cf_error *err)
{
    if (s == NULL || c == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, SRC, 0, 0, NULL, "NULL argument");
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) return cf_error_set(err, CF_ERR_NOMEM, SRC, 0, 0, NULL, "out of memory");
    for (size_t j = 0; j < s->nf; j++) add_value(s, o, j, c->v, c->hw);
    if (c->provider != NULL) cJSON_AddStringToObject(o, "provider", c->provider);
    if (c->region != NULL) cJSON_AddStringToObject(o, "region", c->region);
    if (c->procurement >= 0) cJSON_AddStringToObject(o, "procurement", cf_procurement_name((cf_procurement)c->procurement));
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
cf_status cf_surr_predict_raw(const cf_surrogate *s, const double *raw, const cf_hardware *const *hw, size_t m,
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
        if (s->scale_field != NO_INDEX) pm[i] += s->scale_beta * (log(raw[i * nf + s->scale_field]) - s->scale_lx_ref);
    }
    /* pm doubles as the prior-mean array here; var and vary are recomputed below. */
    st = cf_gp_predict(s->m[1].gp, X1, m, pm, mean1, var, vary, err);
    if (st != CF_OK) goto done;
    for (size_t i = 0; i < m; i++) {
        if (s->scale_field != NO_INDEX) {
            /* The exponent's sampling and between-cell variance grow with the distance in log n from the runs'
             * centre. */
            double dx = log(raw[i * nf + s->scale_field]) - s->scale_lx_ref;
            vary[i] += dx * dx * (s->scale_beta_var + s->scale_tau2);
        }
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
    return cf_surr_predict_raw(s, c->v, &hw, 1, out, err);
}

/* Scales a price of one GPU-hour to G GPU-hours (every priced quantity is linear in GPU-hours). */
void cf_surr_scale_price(const cf_price *unit, double g, cf_price *out)
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

void cf_surr_scale_estimate(cf_estimate *e, double k, const cf_estimate *g)
{
    e->mean = k * g->mean;
    e->sd = fabs(k) * g->sd;
    e->lo = k * g->lo;
    e->hi = k * g->hi;
}

cf_status cf_surr_unit_price(const cf_catalog *cat, const cf_hardware *hw, cf_procurement option,
                             const cf_pricing_opts *po, cf_price *out, cf_error *err)
{
    if (option == CF_PROC_ON_PREM || option == CF_PROC_HYBRID)
        return cf_error_set(err, CF_ERR_NOT_FOUND, SRC, 0, 0, "procurement", "%s needs a TCO plan's price per GPU-hour",
                            cf_procurement_name(option));
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
    cf_status st;
    if ((c->provider != NULL || c->region != NULL) && option != CF_PROC_ON_PREM && option != CF_PROC_HYBRID)
        st = cf_price_hours(s->cat, c->hw->id, c->provider, c->region, 1.0, option, opts, &unit, err);
    else
        st = cf_surr_unit_price(s->cat, c->hw, option, opts, &unit, err);
    if (st != CF_OK) return st;
    memset(out, 0, sizeof *out);
    cf_surr_scale_price(&unit, p->gpu_hours.mean, &out->price);
    out->total_per_gpu_hour = unit.total_cost_usd;
    cf_surr_scale_estimate(&out->cost_usd, unit.cost_usd, &p->gpu_hours);
    cf_surr_scale_estimate(&out->co2e_kg, unit.co2e_kg, &p->gpu_hours);
    cf_surr_scale_estimate(&out->energy_kwh, unit.energy_kwh, &p->gpu_hours);
    cf_surr_scale_estimate(&out->total_cost_usd, unit.total_cost_usd, &p->gpu_hours);
    return CF_OK;
}
