/* costfront: the cost of training after the plateau, and what stopping policies would have saved (see
 * include/costfront/waste.h for the rules and their sources).
 */
#include "costfront/waste.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cf_waste {
    cf_waste_opts opts;
    char *metric;
    cf_waste_run *runs;
    size_t n_runs;
    cf_waste_group *groups;
    size_t n_groups;
    cf_waste_group total;
    cf_waste_policy policies[3];
    char *policy_rules[3];
    char **names; /* group names owned here */
    size_t n_names;
    char **notes;
    size_t n_notes;
    /* per run, for the policies: its history (pointers into the curves) */
    cf_curve *curves;
};

void cf_waste_opts_default(cf_waste_opts *o)
{
    memset(o, 0, sizeof *o);
    o->maximize = 1;
    o->patience = 3;
    o->min_delta = 0;
    o->median_min_evals = 3;
    o->eta = 3;
    o->rungs = 3;
    cf_pricing_opts_default(&o->pricing);
}

void cf_waste_destroy(cf_waste *w)
{
    if (w == NULL) return;
    free(w->metric);
    free(w->runs);
    free(w->groups);
    for (int i = 0; i < 3; i++) free(w->policy_rules[i]);
    for (size_t i = 0; i < w->n_names; i++) free(w->names[i]);
    free(w->names);
    for (size_t i = 0; i < w->n_notes; i++) free(w->notes[i]);
    free(w->notes);
    free(w->curves);
    free(w);
}

/* Adds a note (printf-formatted); returns CF_ERR_NOMEM on failure. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static cf_status add_note(cf_waste *w, const char *fmt, ...)
{
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **p = realloc(w->notes, (w->n_notes + 1) * sizeof *p);
    if (p == NULL) return CF_ERR_NOMEM;
    w->notes = p;
    if ((w->notes[w->n_notes] = strdup(buf)) == NULL) return CF_ERR_NOMEM;
    w->n_notes++;
    return CF_OK;
}

/* 1 when a is better than b by more than delta in the analysis' direction. */
static int better(const cf_waste *w, double a, double b, double delta)
{
    return w->opts.maximize ? a > b + delta : a < b - delta;
}

/* Signed improvement of a over b (> 0 is better). */
static double gain(const cf_waste *w, double a, double b) { return w->opts.maximize ? a - b : b - a; }

/* The text of field for run i (a run field or a hyperparameter), copied into buf; NULL when the run has none. */
static const char *field_value(const cf_runset *rs, size_t i, const char *field, char *buf, size_t n)
{
    const cf_run *r = cf_runset_get(rs, i);
    const char *v = NULL;
    if (!strcmp(field, "model")) v = r->model;
    else if (!strcmp(field, "dataset")) v = r->dataset;
    else if (!strcmp(field, "project")) v = r->project;
    else if (!strcmp(field, "hardware")) v = r->hardware;
    else if (!strcmp(field, "precision")) v = r->precision == CF_PREC_UNKNOWN ? NULL : cf_precision_name(r->precision);
    else if (!strcmp(field, "region")) v = r->region;
    else if (!strcmp(field, "provider")) v = r->provider;
    else if (!strcmp(field, "procurement")) v = r->procurement;
    else {
        size_t j = cf_runset_param_find(rs, field);
        if (j == (size_t)-1) return NULL;
        v = cf_runset_param_str(rs, i, j);
        if (v == NULL) {
            double x = cf_runset_param_num(rs, i, j);
            if (x != x) return NULL;
            snprintf(buf, n, "%.17g", x);
            return buf;
        }
    }
    if (v == NULL) return NULL;
    snprintf(buf, n, "%s", v);
    return buf;
}

/* The group name owned by w equal to s (added when new); NULL on allocation failure. */
static const char *group_name(cf_waste *w, const char *s)
{
    for (size_t i = 0; i < w->n_names; i++)
        if (strcmp(w->names[i], s) == 0) return w->names[i];
    char **p = realloc(w->names, (w->n_names + 1) * sizeof *p);
    if (p == NULL) return NULL;
    w->names = p;
    if ((w->names[w->n_names] = strdup(s)) == NULL) return NULL;
    return w->names[w->n_names++];
}

/* The early-stopping rule on one history: sets *stop (index of the evaluation where it fires, or n when it never
 * does) and *best_at_stop (index of the best evaluation at that point). */
static void early_stop(const cf_waste *w, const cf_curve *c, size_t *stop, size_t *best_at_stop)
{
    size_t best = 0, since = 0;
    *stop = c->n;
    *best_at_stop = 0;
    for (size_t i = 1; i < c->n; i++) {
        if (better(w, c->value[i], c->value[best], w->opts.min_delta)) {
            best = i;
            since = 0;
        } else if (++since >= (size_t)w->opts.patience) {
            if (i + 1 < c->n) { /* firing at the last evaluation saves nothing */
                *stop = i;
                *best_at_stop = best;
            }
            return;
        }
    }
}

/* Time at step s, interpolated from the history's (step, time) points; requires by-time histories. */
static double time_at(const cf_curve *c, double s)
{
    if (s <= c->step[0]) {
        if (c->n < 2 || c->step[1] == c->step[0]) return c->time[0];
        double rate = (c->time[1] - c->time[0]) / (c->step[1] - c->step[0]);
        return c->time[0] - (c->step[0] - s) * rate;
    }
    for (size_t i = 1; i < c->n; i++)
        if (s <= c->step[i]) {
            double f = (s - c->step[i - 1]) / (c->step[i] - c->step[i - 1]);
            return c->time[i - 1] + f * (c->time[i] - c->time[i - 1]);
        }
    return c->time[c->n - 1];
}

/* Share of the run after step s, from its times when every point has one and they increase, else from steps
 * (work proportional to steps from step 0). Sets *by_time. */
static double share_after(const cf_curve *c, double s, int *by_time)
{
    double last = c->step[c->n - 1];
    int times = c->n >= 2;
    for (size_t i = 0; i < c->n && times; i++)
        if (!isfinite(c->time[i]) || (i > 0 && c->time[i] < c->time[i - 1])) times = 0;
    if (times) {
        double t0 = time_at(c, 0), tl = c->time[c->n - 1];
        if (tl > t0) {
            *by_time = 1;
            double f = (tl - time_at(c, s)) / (tl - t0);
            return f < 0 ? 0 : f > 1 ? 1 : f;
        }
    }
    *by_time = 0;
    if (!(last > 0)) return 0;
    double f = (last - s) / last;
    return f < 0 ? 0 : f > 1 ? 1 : f;
}

/* Best value of the history up to and including step s. */
static double best_upto(const cf_waste *w, const cf_curve *c, double s)
{
    double b = NAN;
    for (size_t i = 0; i < c->n && c->step[i] <= s; i++)
        if (b != b || better(w, c->value[i], b, 0)) b = c->value[i];
    return b;
}

/* Mean of the history's values up to and including step s (NaN when none). */
static double mean_upto(const cf_curve *c, double s)
{
    double sum = 0;
    size_t k = 0;
    for (size_t i = 0; i < c->n && c->step[i] <= s; i++, k++) sum += c->value[i];
    return k ? sum / (double)k : NAN;
}

/* Orders doubles ascending. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median stopping rule over the runs idx[0..m) of one group: sets runs[].median_stop_step. */
static cf_status median_rule(cf_waste *w, const size_t *idx, size_t m)
{
    double *avg = malloc((m ? m : 1) * sizeof *avg);
    if (avg == NULL) return CF_ERR_NOMEM;
    for (size_t a = 0; a < m; a++) {
        cf_waste_run *r = &w->runs[idx[a]];
        const cf_curve *c = &w->curves[idx[a]];
        r->median_stop_step = NAN;
        for (size_t e = (size_t)(w->opts.median_min_evals > 0 ? w->opts.median_min_evals - 1 : 0); e + 1 < c->n; e++) {
            double s = c->step[e];
            size_t k = 0;
            for (size_t b = 0; b < m; b++) {
                if (b == a) continue;
                const cf_curve *o = &w->curves[idx[b]];
                if (o->step[o->n - 1] < s) continue; /* it never reached this step */
                avg[k++] = mean_upto(o, s);
            }
            if (k < 2) continue;
            qsort(avg, k, sizeof *avg, cmp_double);
            double med = k % 2 ? avg[k / 2] : 0.5 * (avg[k / 2 - 1] + avg[k / 2]);
            if (better(w, med, best_upto(w, c, s), 0)) {
                r->median_stop_step = s;
                break;
            }
        }
    }
    free(avg);
    return CF_OK;
}

/* Entry of one run at a rung: its best value so far and its run order. */
typedef struct rung_entry {
    double v;
    size_t order;
    size_t run;
} rung_entry;

/* Orders rung entries best first (values are stored so that smaller is better), then by run order. */
static int cmp_rung(const void *a, const void *b)
{
    const rung_entry *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Successive halving over the runs idx[0..m) of one group: sets runs[].halving_stop_step. */
static cf_status halving(cf_waste *w, const size_t *idx, size_t m)
{
    double smax = 0;
    for (size_t a = 0; a < m; a++) {
        const cf_curve *c = &w->curves[idx[a]];
        if (c->step[c->n - 1] > smax) smax = c->step[c->n - 1];
        w->runs[idx[a]].halving_stop_step = NAN;
    }
    rung_entry *e = malloc((m ? m : 1) * sizeof *e);
    unsigned char *alive = malloc(m ? m : 1);
    if (e == NULL || alive == NULL) {
        free(e);
        free(alive);
        return CF_ERR_NOMEM;
    }
    memset(alive, 1, m ? m : 1);
    for (int k = w->opts.rungs; k >= 1; k--) {
        double rung = smax / pow(w->opts.eta, k);
        size_t n = 0;
        for (size_t a = 0; a < m; a++) {
            const cf_curve *c = &w->curves[idx[a]];
            /* a run that ended before the rung finished on its own; one with no point yet at the rung is not judged */
            if (!alive[a] || c->step[c->n - 1] <= rung || c->step[0] > rung) continue;
            double v = best_upto(w, c, rung);
            e[n++] = (rung_entry){w->opts.maximize ? -v : v, a, a};
        }
        if (n < 2) continue;
        qsort(e, n, sizeof *e, cmp_rung);
        size_t keep = (size_t)ceil((double)n / w->opts.eta);
        for (size_t j = keep; j < n; j++) {
            alive[e[j].run] = 0;
            w->runs[idx[e[j].run]].halving_stop_step = rung;
        }
    }
    free(e);
    free(alive);
    return CF_OK;
}

/* Applies one policy's stop steps (field offset into cf_waste_run, or early stopping when NULL) to every group and
 * fills its totals. */
static void tally(cf_waste *w, cf_waste_policy *p, int which, const size_t *order, const size_t *gstart, size_t ng)
{
    for (size_t g = 0; g < ng; g++) {
        /* the group's answer under the policy: best of (best at stop) for stopped runs, best overall otherwise */
        double kept_best = NAN;
        for (size_t a = gstart[g]; a < gstart[g + 1]; a++) {
            cf_waste_run *r = &w->runs[order[a]];
            const cf_curve *c = &w->curves[order[a]];
            double s = which == 0 ? r->stop_step : which == 1 ? r->median_stop_step : r->halving_stop_step;
            double v = s == s ? best_upto(w, c, s) : r->best_value;
            if (kept_best != kept_best || better(w, v, kept_best, 0)) kept_best = v;
        }
        for (size_t a = gstart[g]; a < gstart[g + 1]; a++) {
            cf_waste_run *r = &w->runs[order[a]];
            const cf_curve *c = &w->curves[order[a]];
            double s = which == 0 ? r->stop_step : which == 1 ? r->median_stop_step : r->halving_stop_step;
            if (s != s) continue;
            int by_time;
            double f = share_after(c, s, &by_time);
            p->runs_stopped++;
            p->saved_gpu_hours += f * r->gpu_hours;
            if (r->cost_usd == r->cost_usd) p->saved_cost_usd += f * r->cost_usd;
            if (better(w, r->best_value, kept_best, w->opts.min_delta)) {
                p->runs_lost++;
                if (p->lost_example == NULL) p->lost_example = r->run_id;
            }
        }
    }
}

/* A run index with its group name, for sorting by group. */
typedef struct grouped {
    const char *group;
    size_t idx;
} grouped;

/* Orders runs by group name, then input order. */
static int cmp_group_then_order(const void *a, const void *b)
{
    const grouped *x = a, *y = b;
    int c = strcmp(x->group, y->group);
    if (c) return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Orders runs by wasted cost (largest first; unpriced last), then wasted hours, then run id. */
static int cmp_waste(const void *a, const void *b)
{
    const cf_waste_run *x = a, *y = b;
    double cx = x->wasted_cost_usd == x->wasted_cost_usd ? x->wasted_cost_usd : -1;
    double cy = y->wasted_cost_usd == y->wasted_cost_usd ? y->wasted_cost_usd : -1;
    if (cx != cy) return cx > cy ? -1 : 1;
    if (x->wasted_gpu_hours != y->wasted_gpu_hours) return x->wasted_gpu_hours > y->wasted_gpu_hours ? -1 : 1;
    return strcmp(x->run_id, y->run_id);
}

/* The metric to analyse when none is named: the first of the usual validation names present. */
static const char *default_metric(cf_curves *curves, int *maximize)
{
    static const char *const MAX_NAMES[] = {"val_accuracy", "val_acc", "eval_accuracy", "accuracy", "val/accuracy",
                                            "eval/accuracy", NULL};
    static const char *const MIN_NAMES[] = {"val_loss", "eval_loss", "val/loss", "eval/loss", "loss", NULL};
    size_t n = cf_curves_metric_count(curves);
    for (const char *const *nm = MAX_NAMES; *nm != NULL; nm++)
        for (size_t i = 0; i < n; i++)
            if (strcmp(cf_curves_metric(curves, i), *nm) == 0) {
                *maximize = 1;
                return *nm;
            }
    for (const char *const *nm = MIN_NAMES; *nm != NULL; nm++)
        for (size_t i = 0; i < n; i++)
            if (strcmp(cf_curves_metric(curves, i), *nm) == 0) {
                *maximize = 0;
                return *nm;
            }
    return NULL;
}

cf_status cf_waste_compute(const cf_runset *rs, cf_curves *curves, const cf_catalog *cat, const cf_waste_opts *opts,
                           cf_waste **out, cf_error *err)
{
    if (rs == NULL || curves == NULL || cat == NULL || opts == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_waste_compute: a required argument is NULL");
    *out = NULL;
    if (opts->patience < 1 || !(opts->min_delta >= 0) || !(opts->eta > 1) || opts->rungs < 1 ||
        opts->median_min_evals < 1)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL,
                            "expected patience >= 1, min_delta >= 0, eta > 1, rungs >= 1 and min evaluations >= 1, "
                            "found %d, %g, %g, %d, %d",
                            opts->patience, opts->min_delta, opts->eta, opts->rungs, opts->median_min_evals);
    cf_waste *w = calloc(1, sizeof *w);
    if (w == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    w->opts = *opts;
    const char *metric = opts->metric;
    if (metric == NULL) metric = default_metric(curves, &w->opts.maximize);
    if (metric == NULL) {
        char seen[300] = "";
        for (size_t i = 0; i < cf_curves_metric_count(curves) && i < 8; i++) {
            size_t u = strlen(seen);
            snprintf(seen + u, sizeof seen - u, "%s%s", i ? ", " : "", cf_curves_metric(curves, i));
        }
        cf_waste_destroy(w);
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, "--curve-metric",
                            "no usual validation metric (val_accuracy, val_loss, ...) in the histories; name one with "
                            "--curve-metric NAME:max|min, found: %s",
                            seen[0] ? seen : "no metric at all");
    }
    w->metric = strdup(metric);
    w->opts.metric = w->metric;
    size_t nr = cf_runset_size(rs);
    w->runs = calloc(nr ? nr : 1, sizeof *w->runs);
    w->curves = calloc(nr ? nr : 1, sizeof *w->curves);
    if (w->metric == NULL || w->runs == NULL || w->curves == NULL) goto nomem;

    size_t no_history = 0, one_point = 0, unpriced = 0, no_group = 0;
    const char *no_history_ex = NULL, *unpriced_ex = NULL;
    char unpriced_msg[sizeof ((cf_error *)0)->message] = "";
    for (size_t i = 0; i < nr; i++) {
        const cf_run *run = cf_runset_get(rs, i);
        cf_curve c;
        if (cf_curves_find(curves, run->run_id, w->metric, &c) != CF_OK) {
            if (no_history++ == 0) no_history_ex = run->run_id;
            continue;
        }
        if (c.n < 2) {
            one_point++;
            continue;
        }
        char gbuf[256];
        const char *g = "";
        if (opts->group_by != NULL) {
            g = field_value(rs, i, opts->group_by, gbuf, sizeof gbuf);
            if (g == NULL) {
                no_group++;
                continue;
            }
        }
        cf_waste_run *r = &w->runs[w->n_runs];
        w->curves[w->n_runs] = c;
        r->run_id = run->run_id;
        if ((r->group = group_name(w, g)) == NULL) goto nomem;
        r->evaluations = c.n;
        r->last_step = c.step[c.n - 1];
        r->final_value = c.value[c.n - 1];
        r->best_value = best_upto(w, &c, r->last_step);
        size_t stop, best;
        early_stop(w, &c, &stop, &best);
        r->stopped = stop < c.n;
        r->plateau_step = r->stopped ? c.step[best] : NAN;
        r->stop_step = r->stopped ? c.step[stop] : NAN;
        r->gain_after_stop = r->stopped ? gain(w, r->best_value, c.value[best]) : 0;
        r->gpu_hours = run->gpu_hours;
        cf_procurement opt = CF_PROC_ON_DEMAND;
        if (run->procurement != NULL && cf_procurement_parse(run->procurement, &opt) != CF_OK) opt = CF_PROC_ON_DEMAND;
        r->procurement = cf_procurement_name(opt);
        cf_price pr;
        cf_error perr;
        cf_error_clear(&perr);
        if (cf_price_run(cat, run, opt, &opts->pricing, &pr, &perr) == CF_OK) {
            /* Compute only (waste.h): stopping early saves accelerator-hours, not egress or storage. */
            r->cost_usd = pr.compute_cost_usd;
        } else {
            r->cost_usd = NAN;
            if (unpriced++ == 0) {
                unpriced_ex = run->run_id;
                snprintf(unpriced_msg, sizeof unpriced_msg, "%s", perr.message);
            }
        }
        r->wasted_fraction = r->stopped ? share_after(&c, r->stop_step, &r->by_time) : 0;
        if (!r->stopped) (void)share_after(&c, r->last_step, &r->by_time);
        r->wasted_gpu_hours = r->wasted_fraction * r->gpu_hours;
        r->wasted_cost_usd = r->cost_usd == r->cost_usd ? r->wasted_fraction * r->cost_usd : NAN;
        w->n_runs++;
    }
    if (w->n_runs == 0) {
        cf_status st = cf_error_set(err, CF_ERR_EMPTY, NULL, 0, 0, "--curve-metric",
                                    "no run has a history of '%s' with two points or more (%zu runs, %zu without a "
                                    "history of it, %zu with one point%s)",
                                    w->metric, nr, no_history, one_point,
                                    no_group ? ", others lacking the --group-by field" : "");
        cf_waste_destroy(w);
        return st;
    }
    /* Histories of the metric that belong to no run. */
    size_t orphans = 0;
    const char *orphan_ex = NULL;
    for (size_t i = 0; i < cf_curves_count(curves); i++) {
        cf_curve c;
        if (cf_curves_get(curves, i, &c) != CF_OK) goto nomem;
        if (strcmp(c.metric, w->metric) == 0 && cf_runset_find(rs, c.run_id) == (size_t)-1 && orphans++ == 0)
            orphan_ex = c.run_id;
    }
    if (no_history &&
        add_note(w, "%zu run%s no history of %s and %s not analysed (e.g. %s)", no_history, no_history == 1 ? " has" : "s have",
                 w->metric, no_history == 1 ? "is" : "are", no_history_ex) != CF_OK)
        goto nomem;
    if (one_point && add_note(w, "%zu run%s only one point of %s: nothing to stop early", one_point,
                              one_point == 1 ? " has" : "s have", w->metric) != CF_OK)
        goto nomem;
    if (no_group && add_note(w, "%zu run%s no value for the grouping field %s and %s left out", no_group,
                             no_group == 1 ? " has" : "s have", opts->group_by, no_group == 1 ? "is" : "are") != CF_OK)
        goto nomem;
    if (orphans && add_note(w, "%zu histor%s of %s belong%s to no run given (e.g. %s): give the runs they belong to",
                            orphans, orphans == 1 ? "y" : "ies", w->metric, orphans == 1 ? "s" : "", orphan_ex) != CF_OK)
        goto nomem;
    if (unpriced && add_note(w, "%zu run%s could not be priced, so %s wasted hours carry no cost (e.g. %s: %s)", unpriced,
                             unpriced == 1 ? "" : "s", unpriced == 1 ? "its" : "their", unpriced_ex, unpriced_msg) != CF_OK)
        goto nomem;

    /* Groups, in name order; runs in input order inside each. */
    size_t *order = malloc(w->n_runs * sizeof *order);
    size_t *gstart = malloc((w->n_runs + 1) * sizeof *gstart);
    if (order == NULL || gstart == NULL) {
        free(order);
        free(gstart);
        goto nomem;
    }
    grouped *gs = malloc(w->n_runs * sizeof *gs);
    if (gs == NULL) {
        free(order);
        free(gstart);
        goto nomem;
    }
    for (size_t i = 0; i < w->n_runs; i++) gs[i] = (grouped){w->runs[i].group, i};
    qsort(gs, w->n_runs, sizeof *gs, cmp_group_then_order);
    for (size_t i = 0; i < w->n_runs; i++) order[i] = gs[i].idx;
    free(gs);
    size_t ng = 0;
    for (size_t a = 0; a < w->n_runs; a++)
        if (a == 0 || strcmp(w->runs[order[a]].group, w->runs[order[a - 1]].group) != 0) gstart[ng++] = a;
    gstart[ng] = w->n_runs;
    w->groups = calloc(ng, sizeof *w->groups);
    if (w->groups == NULL) {
        free(order);
        free(gstart);
        goto nomem;
    }
    w->n_groups = ng;
    w->total.name = "";
    cf_status st = CF_OK;
    for (size_t g = 0; g < ng && st == CF_OK; g++) {
        cf_waste_group *G = &w->groups[g];
        G->name = w->runs[order[gstart[g]]].group;
        size_t m = gstart[g + 1] - gstart[g];
        for (size_t a = gstart[g]; a < gstart[g + 1]; a++) {
            const cf_waste_run *r = &w->runs[order[a]];
            G->runs++;
            G->stopped += (size_t)r->stopped;
            G->gpu_hours += r->gpu_hours;
            G->wasted_gpu_hours += r->wasted_gpu_hours;
            if (r->cost_usd == r->cost_usd) {
                G->cost_usd += r->cost_usd;
                G->wasted_cost_usd += r->wasted_cost_usd;
            }
        }
        w->total.runs += G->runs;
        w->total.stopped += G->stopped;
        w->total.gpu_hours += G->gpu_hours;
        w->total.cost_usd += G->cost_usd;
        w->total.wasted_gpu_hours += G->wasted_gpu_hours;
        w->total.wasted_cost_usd += G->wasted_cost_usd;
        st = median_rule(w, order + gstart[g], m);
        if (st == CF_OK) st = halving(w, order + gstart[g], m);
    }
    if (st == CF_OK) {
        static const char *const NAMES[3] = {"early_stopping", "median_stopping", "successive_halving"};
        char rule[3][300];
        snprintf(rule[0], sizeof rule[0],
                 "stop after %d evaluations without an improvement of more than %g in %s (Prechelt 1998)",
                 w->opts.patience, w->opts.min_delta, w->metric);
        snprintf(rule[1], sizeof rule[1],
                 "from evaluation %d on, stop when the best %s so far is worse than the median of the other runs' "
                 "running averages at that step (Golovin et al. 2017)",
                 w->opts.median_min_evals, w->metric);
        snprintf(rule[2], sizeof rule[2],
                 "%d rungs at 1/%g^k of the group's longest run; keep the best 1/%g at each (Jamieson & Talwalkar "
                 "2016; ASHA, Li et al. 2020)",
                 w->opts.rungs, w->opts.eta, w->opts.eta);
        for (int p = 0; p < 3 && st == CF_OK; p++) {
            w->policy_rules[p] = strdup(rule[p]);
            if (w->policy_rules[p] == NULL) st = CF_ERR_NOMEM;
            w->policies[p].name = NAMES[p];
            w->policies[p].rule = w->policy_rules[p];
            if (st == CF_OK) tally(w, &w->policies[p], p, order, gstart, ng);
        }
    }
    free(order);
    free(gstart);
    if (st != CF_OK) goto nomem;
    /* Runs by waste, largest first; the histories move with them. */
    cf_waste_run *sorted = malloc(w->n_runs * sizeof *sorted);
    if (sorted == NULL) goto nomem;
    memcpy(sorted, w->runs, w->n_runs * sizeof *sorted);
    qsort(sorted, w->n_runs, sizeof *sorted, cmp_waste);
    free(w->runs);
    w->runs = sorted;
    free(w->curves); /* the policies are computed; the run rows keep what they need */
    w->curves = NULL;
    *out = w;
    return CF_OK;
nomem:
    cf_waste_destroy(w);
    return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
}

const char *cf_waste_metric(const cf_waste *w) { return w != NULL ? w->metric : NULL; }
int cf_waste_maximize(const cf_waste *w) { return w != NULL ? w->opts.maximize : 0; }
const cf_waste_opts *cf_waste_options(const cf_waste *w) { return w != NULL ? &w->opts : NULL; }
size_t cf_waste_run_count(const cf_waste *w) { return w != NULL ? w->n_runs : 0; }
const cf_waste_run *cf_waste_run_at(const cf_waste *w, size_t i)
{
    return w != NULL && i < w->n_runs ? &w->runs[i] : NULL;
}
size_t cf_waste_group_count(const cf_waste *w) { return w != NULL ? w->n_groups : 0; }
const cf_waste_group *cf_waste_group_at(const cf_waste *w, size_t i)
{
    return w != NULL && i < w->n_groups ? &w->groups[i] : NULL;
}
size_t cf_waste_policy_count(const cf_waste *w) { return w != NULL ? 3 : 0; }
const cf_waste_policy *cf_waste_policy_at(const cf_waste *w, size_t i)
{
    return w != NULL && i < 3 ? &w->policies[i] : NULL;
}
const cf_waste_group *cf_waste_total(const cf_waste *w) { return w != NULL ? &w->total : NULL; }
size_t cf_waste_note_count(const cf_waste *w) { return w != NULL ? w->n_notes : 0; }
const char *cf_waste_note(const cf_waste *w, size_t i) { return w != NULL && i < w->n_notes ? w->notes[i] : NULL; }
