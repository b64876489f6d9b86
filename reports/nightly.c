/* costfront: the nightly job's logic (see include/costfront/nightly.h): what changed since the last report kept
 * in the run store, the history series, and budget and drift alerts. */
#include "costfront/nightly.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "costfront/plot.h"
#include "costfront/pricing.h"

#define CF_NIGHTLY_MAX_ALERTS 8

struct cf_nightly {
    int first;                 /* no report before this one */
    double hv, best, spend, target;
    long long last_time;
    size_t last_runs, changed;
    char **new_runs;           /* owned copies */
    size_t n_new;
    char **changes;            /* frontier members that entered, then those that left */
    int *entered;
    size_t n_changes;
    cf_nightly_point *hist;    /* oldest first, this report last */
    size_t n_hist;
    char *alerts[CF_NIGHTLY_MAX_ALERTS];
    size_t n_alerts;
    int alerts_given;
    char *entry_json;          /* this report's figures for the history */
    size_t n_runs;
    long long now;
};

/* A number member of a JSON object; NaN when absent or not a number. */
static double json_num(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* malloc'd copy; NULL on allocation failure. */
static char *dup_text(const char *t)
{
    size_t n = strlen(t) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, t, n);
    return c;
}

void cf_nightly_alerts_init(cf_nightly_alerts *a)
{
    if (a == NULL) return;
    a->target_accuracy = a->max_spend_month_usd = a->max_spend_total_usd = NAN;
    a->max_best_cost_increase_pct = a->min_hypervolume_ratio = NAN;
}

cf_status cf_nightly_alerts_parse(const char *json, const char *source, cf_nightly_alerts *a, cf_error *err)
{
    static const char *const fields[] = {"target_accuracy",       "max_spend_month_usd",
                                         "max_spend_total_usd",   "max_best_cost_increase_pct",
                                         "min_hypervolume_ratio", NULL};
    if (json == NULL || a == NULL)
        return cf_error_set(err, CF_ERR_ARG, source, 0, 0, NULL, "no alerts text or no output");
    cf_nightly_alerts_init(a);
    cJSON *root = cJSON_Parse(json);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return cf_error_set(err, CF_ERR_INVALID, source, 0, 0, NULL, "expected a JSON object of alert thresholds");
    }
    for (cJSON *it = root->child; it; it = it->next) {
        int known = 0;
        for (size_t k = 0; fields[k]; k++) known |= !strcmp(fields[k], it->string);
        if (!known || !cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < 0) {
            cf_status st = cf_error_set(err, CF_ERR_INVALID, source, 0, 0, it->string, "expected %s, found %s",
                                        known ? "a non-negative number"
                                              : "one of target_accuracy, max_spend_month_usd, "
                                                "max_spend_total_usd, max_best_cost_increase_pct, "
                                                "min_hypervolume_ratio",
                                        known ? "another value" : "an unknown field");
            cJSON_Delete(root);
            return st;
        }
    }
    a->target_accuracy = json_num(root, "target_accuracy");
    a->max_spend_month_usd = json_num(root, "max_spend_month_usd");
    a->max_spend_total_usd = json_num(root, "max_spend_total_usd");
    a->max_best_cost_increase_pct = json_num(root, "max_best_cost_increase_pct");
    a->min_hypervolume_ratio = json_num(root, "min_hypervolume_ratio");
    cJSON_Delete(root);
    if (a->target_accuracy > 1)
        return cf_error_set(err, CF_ERR_INVALID, source, 0, 0, "target_accuracy", "expected a fraction in [0, 1]");
    return CF_OK;
}

/* The objectives of o as "accuracy:max,total_cost_usd:min". */
static void objectives_spec(const cf_frontier_opts *o, char *buf, size_t n)
{
    buf[0] = '\0';
    size_t len = 0;
    for (size_t k = 0; k < o->n_objectives && len < n; k++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s:%s", k ? "," : "", o->objectives[k].name,
                                o->objectives[k].maximize ? "max" : "min");
}

cf_status cf_nightly_reference(cf_store *s, cf_frontier_opts *opts, int *reused, cf_error *err)
{
    if (reused) *reused = 0;
    if (s == NULL || opts == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no store or options");
    if (opts->reference_given) return CF_OK;
    cf_store_report *reps = NULL;
    size_t n = 0;
    cf_status st = cf_store_reports(s, 0, &reps, &n, err);
    if (st != CF_OK) return st;
    char spec[512];
    objectives_spec(opts, spec, sizeof spec);
    if (n > 0 && reps[n - 1].frontier_json) { /* the oldest report comes last */
        cJSON *blob = cJSON_Parse(reps[n - 1].frontier_json);
        const cJSON *obj = cJSON_GetObjectItemCaseSensitive(blob, "objectives");
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(blob, "reference_point");
        if (cJSON_IsString(obj) && !strcmp(obj->valuestring, spec) && cJSON_IsArray(ref) &&
            (size_t)cJSON_GetArraySize(ref) == opts->n_objectives) {
            size_t k = 0;
            for (const cJSON *v = ref->child; v; v = v->next) opts->reference[k++] = v->valuedouble;
            opts->reference_given = 1;
            if (reused) *reused = 1;
        }
        cJSON_Delete(blob);
    }
    cf_store_reports_free(reps, n);
    return CF_OK;
}

/* Spend of the runs: each run priced under its own procurement, or on-demand when it names none. */
static double spend_usd(const cf_frontier *f, const cf_runset *rs)
{
    double total = 0;
    for (size_t i = 0; i < cf_frontier_candidate_count(f); i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        if (c->predicted) continue;
        const cf_run *r = cf_runset_get(rs, c->run_index);
        const char *want = r && r->procurement ? r->procurement : "on_demand";
        if (!strcmp(cf_procurement_name(c->price.option), want)) total += c->price.cost_usd;
    }
    return total;
}

/* Cheapest total cost among candidates reaching the target accuracy; NaN when none does. */
static double best_cost_at(const cf_frontier *f, double target)
{
    double best = NAN;
    if (!isfinite(target)) return best;
    for (size_t i = 0; i < cf_frontier_candidate_count(f); i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        if (c->predicted || !(c->accuracy >= target)) continue;
        if (isnan(best) || c->price.total_cost_usd < best) best = c->price.total_cost_usd;
    }
    return best;
}

/* "run / way of buying", malloc'd. */
static char *member_key(const char *run_id, const char *option)
{
    size_t n = strlen(run_id) + strlen(option) + 4;
    char *k = malloc(n);
    if (k) snprintf(k, n, "%s / %s", run_id, option);
    return k;
}

/* Adds an alert formatted with printf conventions (at most CF_NIGHTLY_MAX_ALERTS; 0 on allocation failure). */
static int add_alert(cf_nightly *n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static int add_alert(cf_nightly *n, const char *fmt, ...)
{
    if (n->n_alerts >= CF_NIGHTLY_MAX_ALERTS) return 1;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *c = dup_text(msg);
    if (c == NULL) return 0;
    n->alerts[n->n_alerts++] = c;
    return 1;
}

/* Adds the alerts that fire for n against the history reps (newest first), as include/costfront/nightly.h
 * describes. 0 on allocation failure. */
static int check_alerts(cf_nightly *n, const cf_nightly_alerts *a, const cf_store_report *reps, size_t nrep)
{
    int ok = 1;
    double spend = n->spend, best = n->best, hv = n->hv, target = n->target;
    if (isfinite(a->max_spend_total_usd) && spend > a->max_spend_total_usd)
        ok &= add_alert(n, "spend of all stored runs is %.2f USD, above the limit of %.2f USD", spend,
                        a->max_spend_total_usd);
    if (isfinite(a->max_spend_month_usd)) {
        /* Spend at the newest report before this month began, subtracted from the spend now. */
        time_t tt = (time_t)n->now;
        struct tm tm;
        gmtime_r(&tt, &tm);
        tm.tm_mday = 1;
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        long long month_start = (long long)timegm(&tm);
        double before = 0;
        for (size_t i = 0; i < nrep; i++)
            if (reps[i].created_at < month_start && reps[i].frontier_json) {
                cJSON *b = cJSON_Parse(reps[i].frontier_json);
                double v = json_num(b, "spend_usd");
                cJSON_Delete(b);
                if (isfinite(v)) before = v;
                break;
            }
        double month = spend - before;
        if (month > a->max_spend_month_usd)
            ok &= add_alert(n, "spend this month is %.2f USD, above the limit of %.2f USD", month,
                            a->max_spend_month_usd);
    }
    if (isfinite(a->max_best_cost_increase_pct) && isfinite(best)) {
        for (size_t i = 0; i < nrep; i++)
            if (reps[i].created_at <= n->now - 7 * 86400) {
                double old = reps[i].best_cost_at_target;
                if (isfinite(old) && old > 0 && (best - old) / old * 100.0 > a->max_best_cost_increase_pct)
                    ok &= add_alert(n, "best cost at accuracy >= %.4g is %.2f USD, %.1f%% worse than a week ago "
                                       "(%.2f USD)",
                                    target, best, (best - old) / old * 100.0, old);
                break;
            }
    }
    if (isfinite(a->max_best_cost_increase_pct) && isnan(best) && isfinite(target) && nrep > 0 &&
        isfinite(reps[0].best_cost_at_target))
        ok &= add_alert(n, "no run reaches accuracy %.4g any more (the last report had one at %.2f USD)", target,
                        reps[0].best_cost_at_target);
    if (isfinite(a->min_hypervolume_ratio) && nrep > 0 && isfinite(reps[0].hypervolume) && reps[0].hypervolume > 0 &&
        hv / reps[0].hypervolume < a->min_hypervolume_ratio)
        ok &= add_alert(n, "hypervolume fell to %.4g, %.1f%% of the last report's %.4g", hv,
                        100.0 * hv / reps[0].hypervolume, reps[0].hypervolume);
    return ok;
}

/* Fills n's comparison with the last report of s: new runs, changed runs, frontier changes. members is this
 * report's frontier (a JSON array of "run / way of buying"). */
static cf_status compare_last(cf_nightly *n, cf_store *s, const cf_store_report *last, const cf_runset *rs,
                              const cJSON *members, cf_error *err)
{
    cJSON *prev = last->frontier_json ? cJSON_Parse(last->frontier_json) : NULL;
    size_t added = 0, updated = 0;
    cf_status st = cf_store_changes_since(s, last->created_at, &added, &updated, err);
    n->changed = updated;
    n->last_time = last->created_at;
    n->last_runs = last->n_runs;
    /* New runs: accepted now, absent from the last report. */
    const cJSON *prev_ids = cJSON_GetObjectItemCaseSensitive(prev, "runs");
    n->new_runs = calloc(cf_runset_size(rs) + 1, sizeof *n->new_runs);
    if (st == CF_OK && n->new_runs == NULL) st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    for (size_t i = 0; st == CF_OK && i < cf_runset_size(rs); i++) {
        const char *id = cf_runset_get(rs, i)->run_id;
        int seen = 0;
        for (const cJSON *p = prev_ids ? prev_ids->child : NULL; p && !seen; p = p->next)
            seen = cJSON_IsString(p) && !strcmp(p->valuestring, id);
        if (!seen && (n->new_runs[n->n_new++] = dup_text(id)) == NULL)
            st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    /* Frontier entered / left. */
    const cJSON *pm = cJSON_GetObjectItemCaseSensitive(prev, "frontier");
    size_t cap = (size_t)cJSON_GetArraySize(members) + (size_t)cJSON_GetArraySize(pm) + 1;
    n->changes = calloc(cap, sizeof *n->changes);
    n->entered = calloc(cap, sizeof *n->entered);
    if (st == CF_OK && (n->changes == NULL || n->entered == NULL))
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    for (const cJSON *m = members->child; st == CF_OK && m; m = m->next) {
        int was = 0;
        for (const cJSON *p = pm ? pm->child : NULL; p; p = p->next)
            was |= cJSON_IsString(p) && !strcmp(p->valuestring, m->valuestring);
        if (!was) {
            n->entered[n->n_changes] = 1;
            if ((n->changes[n->n_changes++] = dup_text(m->valuestring)) == NULL)
                st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
        }
    }
    for (const cJSON *p = pm ? pm->child : NULL; st == CF_OK && p; p = p->next) {
        int is = 0;
        for (const cJSON *m = members->child; m; m = m->next)
            is |= cJSON_IsString(p) && !strcmp(p->valuestring, m->valuestring);
        if (!is && cJSON_IsString(p)) {
            n->entered[n->n_changes] = 0;
            if ((n->changes[n->n_changes++] = dup_text(p->valuestring)) == NULL)
                st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
        }
    }
    cJSON_Delete(prev);
    return st;
}

cf_status cf_nightly_analyze(cf_store *s, const cf_frontier *f, const cf_runset *rs, const cf_nightly_alerts *alerts,
                             double target_accuracy, long long now, cf_nightly **out, cf_error *err)
{
    if (out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no output");
    *out = NULL;
    if (s == NULL || f == NULL || rs == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_nightly_analyze needs a store, frontier, runs");
    cf_nightly *n = calloc(1, sizeof *n);
    if (n == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    cf_store_report *reps = NULL;
    size_t nrep = 0;
    cf_status st = cf_store_reports(s, 0, &reps, &nrep, err);
    cJSON *blob = NULL;
    n->now = now;
    n->target = isfinite(target_accuracy) ? target_accuracy : (alerts ? alerts->target_accuracy : NAN);
    n->hv = cf_frontier_hypervolume(f);
    n->best = best_cost_at(f, n->target);
    n->spend = spend_usd(f, rs);
    n->n_runs = cf_runset_size(rs);
    n->first = nrep == 0;
    n->alerts_given = alerts != NULL;
    if (st != CF_OK) goto done;
    /* This report's figures, kept in the store. */
    blob = cJSON_CreateObject();
    char spec[512];
    objectives_spec(cf_frontier_options(f), spec, sizeof spec);
    cJSON_AddStringToObject(blob, "objectives", spec);
    cJSON *ref = cJSON_AddArrayToObject(blob, "reference_point");
    for (size_t k = 0; k < cf_frontier_options(f)->n_objectives; k++)
        cJSON_AddItemToArray(ref, cJSON_CreateNumber(cf_frontier_reference(f)[k]));
    cJSON_AddNumberToObject(blob, "spend_usd", n->spend);
    if (isfinite(n->target)) cJSON_AddNumberToObject(blob, "target_accuracy", n->target);
    cJSON *ids = cJSON_AddArrayToObject(blob, "runs");
    for (size_t i = 0; i < cf_runset_size(rs); i++)
        cJSON_AddItemToArray(ids, cJSON_CreateString(cf_runset_get(rs, i)->run_id));
    cJSON *members = cJSON_AddArrayToObject(blob, "frontier");
    for (size_t j = 0; j < cf_frontier_optimal_count(f); j++) {
        const cf_candidate *c = cf_frontier_candidate(f, cf_frontier_optimal_at(f, j));
        if (c->predicted) continue;
        char *k = member_key(c->run_id, cf_procurement_name(c->price.option));
        if (k) cJSON_AddItemToArray(members, cJSON_CreateString(k));
        free(k);
    }
    if (nrep > 0) st = compare_last(n, s, &reps[0], rs, members, err);
    if (st != CF_OK) goto done;
    /* History over time, oldest first, with this report last. */
    n->n_hist = nrep + 1;
    n->hist = calloc(n->n_hist, sizeof *n->hist);
    if (n->hist == NULL) {
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nrep; i++) {
        const cf_store_report *h = &reps[nrep - 1 - i];
        n->hist[i].created_at = h->created_at;
        n->hist[i].days = (double)(h->created_at - now) / 86400.0;
        n->hist[i].hypervolume = h->hypervolume;
        n->hist[i].best_cost_at_target = h->best_cost_at_target;
    }
    n->hist[nrep].created_at = now;
    n->hist[nrep].days = 0;
    n->hist[nrep].hypervolume = n->hv;
    n->hist[nrep].best_cost_at_target = n->best;
    if (alerts && !check_alerts(n, alerts, reps, nrep))
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    if (st == CF_OK && (n->entry_json = cJSON_PrintUnformatted(blob)) == NULL)
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
done:
    cJSON_Delete(blob);
    cf_store_reports_free(reps, nrep);
    if (st != CF_OK) {
        cf_nightly_destroy(n);
        return st;
    }
    *out = n;
    return CF_OK;
}

void cf_nightly_destroy(cf_nightly *n)
{
    if (n == NULL) return;
    for (size_t i = 0; i < n->n_new; i++) free(n->new_runs[i]);
    free(n->new_runs);
    for (size_t i = 0; i < n->n_changes; i++) free(n->changes[i]);
    free(n->changes);
    free(n->entered);
    free(n->hist);
    for (size_t i = 0; i < n->n_alerts; i++) free(n->alerts[i]);
    free(n->entry_json);
    free(n);
}

int cf_nightly_is_first(const cf_nightly *n) { return n ? n->first : 0; }
double cf_nightly_hypervolume(const cf_nightly *n) { return n ? n->hv : NAN; }
double cf_nightly_best_cost(const cf_nightly *n) { return n ? n->best : NAN; }
double cf_nightly_spend(const cf_nightly *n) { return n ? n->spend : NAN; }
double cf_nightly_target(const cf_nightly *n) { return n ? n->target : NAN; }
long long cf_nightly_last_time(const cf_nightly *n) { return n ? n->last_time : 0; }
size_t cf_nightly_last_runs(const cf_nightly *n) { return n ? n->last_runs : 0; }
size_t cf_nightly_changed_runs(const cf_nightly *n) { return n ? n->changed : 0; }
size_t cf_nightly_new_run_count(const cf_nightly *n) { return n ? n->n_new : 0; }

const char *cf_nightly_new_run(const cf_nightly *n, size_t i) { return n && i < n->n_new ? n->new_runs[i] : NULL; }

size_t cf_nightly_frontier_change_count(const cf_nightly *n) { return n ? n->n_changes : 0; }

const char *cf_nightly_frontier_change(const cf_nightly *n, size_t i, int *entered)
{
    if (n == NULL || i >= n->n_changes) return NULL;
    if (entered) *entered = n->entered[i];
    return n->changes[i];
}

size_t cf_nightly_history_count(const cf_nightly *n) { return n ? n->n_hist : 0; }

const cf_nightly_point *cf_nightly_history(const cf_nightly *n, size_t i)
{
    return n && i < n->n_hist ? &n->hist[i] : NULL;
}

size_t cf_nightly_alert_count(const cf_nightly *n) { return n ? n->n_alerts : 0; }

const char *cf_nightly_alert(const cf_nightly *n, size_t i) { return n && i < n->n_alerts ? n->alerts[i] : NULL; }

/* A UTC time as "YYYY-MM-DD HH:MM". */
static void fmt_date(long long t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M", &tm);
}

/* Money with two decimals, "-" for NaN. */
static void fmt_money(double v, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.2f", v);
}

/* Adds one history chart: the hypervolume (best = 0) or the best cost at the target (best = 1) over the days of
 * the history. A chart that cannot be made for lack of memory is left out. */
static void history_chart(const cf_nightly *n, cf_report *r, const char *title, const char *ylabel,
                          const char *series, int best, const char *file, const char *alt)
{
    double *x = malloc(n->n_hist * sizeof *x), *y = malloc(n->n_hist * sizeof *y);
    cf_plot *p = x && y ? cf_plot_create(title) : NULL;
    if (p) {
        for (size_t i = 0; i < n->n_hist; i++) {
            x[i] = n->hist[i].days;
            y[i] = best ? n->hist[i].best_cost_at_target : n->hist[i].hypervolume;
        }
        cf_plot_set_labels(p, "days before this report", ylabel);
        cf_plot_add_series(p, series, CF_PLOT_LINESPOINTS, x, y, n->n_hist, NULL);
        cf_report_add_chart(r, p, file, alt);
    }
    free(x);
    free(y);
}

cf_status cf_nightly_add_to_report(const cf_nightly *n, cf_report *r, cf_error *err)
{
    if (n == NULL || r == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no analysis or no report");
    cf_report_add_section(r, "history", "What changed since the last report");
    if (n->first) {
        cf_report_add_paragraph(r, "This is the first report kept in this store: later reports will say what "
                                   "changed since this one.");
    } else {
        char when[64], para[512];
        fmt_date(n->last_time, when, sizeof when);
        snprintf(para, sizeof para,
                 "Since the last report (%s UTC): %zu new runs, %zu runs whose content changed in the store; %zu runs "
                 "now against %zu then.",
                 when, n->n_new, n->changed, n->n_runs, n->last_runs);
        cf_report_add_paragraph(r, para);
        if (n->n_new > 0) {
            size_t shown = n->n_new < 50 ? n->n_new : 50;
            char cap[128];
            snprintf(cap, sizeof cap, "New runs%s", n->n_new > shown ? " (the first 50)" : "");
            static const char *const hdr1[] = {"run"};
            cf_report_add_table(r, cap, 1, hdr1, shown, (const char *const *)n->new_runs);
        }
        const char **cells = calloc(2 * n->n_changes + 1, sizeof *cells);
        if (cells == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
        for (size_t i = 0; i < n->n_changes; i++) {
            cells[2 * i] = n->changes[i];
            cells[2 * i + 1] = n->entered[i] ? "entered the frontier" : "left the frontier";
        }
        static const char *const hdr[] = {"run / way of buying", "change"};
        if (n->n_changes > 0)
            cf_report_add_table(r, "Frontier changes", 2, hdr, n->n_changes, cells);
        else
            cf_report_add_paragraph(r, "The frontier has the same members as in the last report.");
        free(cells);
    }
    history_chart(n, r, "Hypervolume of the frontier, report by report", "hypervolume", "hypervolume", 0,
                  "history_hypervolume.svg", "Hypervolume over time");
    if (isfinite(n->target)) {
        char title[128];
        snprintf(title, sizeof title, "Best total cost at accuracy >= %.4g, report by report", n->target);
        history_chart(n, r, title, "total_cost_usd (USD)", "best cost at target", 1, "history_best_cost.svg",
                      "Best cost at the target accuracy over time");
    }
    if (n->alerts_given) {
        cf_report_add_section(r, "alerts", "Alerts");
        if (n->n_alerts == 0)
            cf_report_add_paragraph(r, "No budget or drift alert fired.");
        else
            cf_report_add_list(r, (const char *const *)n->alerts, n->n_alerts);
    }
    char hv_s[64], best_s[64], spend_s[64];
    snprintf(hv_s, sizeof hv_s, "%.10g", n->hv);
    fmt_money(n->best, best_s, sizeof best_s);
    fmt_money(n->spend, spend_s, sizeof spend_s);
    const char *keys[] = {"Hypervolume", "Best total cost at target (USD)", "Spend of stored runs (USD)"};
    const char *vals[] = {hv_s, best_s, spend_s};
    return cf_report_add_facts(r, keys, vals, 3);
}

void cf_nightly_entry(const cf_nightly *n, cf_store_report *entry)
{
    if (entry == NULL) return;
    memset(entry, 0, sizeof *entry);
    if (n == NULL) return;
    entry->created_at = n->now;
    entry->hypervolume = n->hv;
    entry->best_cost_at_target = n->best;
    entry->frontier_json = n->entry_json;
    entry->n_runs = n->n_runs;
}

cf_status cf_nightly_record(cf_store *s, const cf_nightly *n, cf_error *err)
{
    if (s == NULL || n == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no store or no analysis");
    cf_store_report e;
    cf_nightly_entry(n, &e);
    return cf_store_add_report(s, &e, NULL, err);
}
