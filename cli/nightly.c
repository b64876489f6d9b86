/* costfront command: the nightly report -- what changed since the last report, history charts, budget and drift
 * alerts. The figures kept per report (hypervolume, best cost at the target accuracy, spend, the frontier's members
 * and the reference point) are stored as JSON in the run store's report history. */
#include "nightly.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "costfront/store.h"

static double json_num(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

int cf_cli_alerts_load(const char *path, cf_cli_alerts *a)
{
    static const char *const fields[] = {"target_accuracy",       "max_spend_month_usd",
                                         "max_spend_total_usd",   "max_best_cost_increase_pct",
                                         "min_hypervolume_ratio", NULL};
    a->target_accuracy = a->max_spend_month_usd = a->max_spend_total_usd = NAN;
    a->max_best_cost_increase_pct = a->min_hypervolume_ratio = NAN;
    char *buf = cf_cli_read_text("report --alerts", path);
    if (buf == NULL) return CF_EXIT_INPUT;
    cJSON *root = cJSON_Parse(buf);
    free(buf);
    if (!cJSON_IsObject(root)) {
        fprintf(stderr, "costfront: %s: expected a JSON object of alert thresholds\n", path);
        cJSON_Delete(root);
        return CF_EXIT_INPUT;
    }
    for (cJSON *it = root->child; it; it = it->next) {
        int known = 0;
        for (size_t k = 0; fields[k]; k++) known |= !strcmp(fields[k], it->string);
        if (!known || !cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < 0) {
            fprintf(stderr, "costfront: %s: %s: expected %s, found %s\n", path, it->string,
                    known ? "a non-negative number"
                          : "one of target_accuracy, max_spend_month_usd, "
                            "max_spend_total_usd, max_best_cost_increase_pct, "
                            "min_hypervolume_ratio",
                    known ? "another value" : "an unknown field");
            cJSON_Delete(root);
            return CF_EXIT_INPUT;
        }
    }
    a->target_accuracy = json_num(root, "target_accuracy");
    a->max_spend_month_usd = json_num(root, "max_spend_month_usd");
    a->max_spend_total_usd = json_num(root, "max_spend_total_usd");
    a->max_best_cost_increase_pct = json_num(root, "max_best_cost_increase_pct");
    a->min_hypervolume_ratio = json_num(root, "min_hypervolume_ratio");
    cJSON_Delete(root);
    if (a->target_accuracy > 1) {
        fprintf(stderr, "costfront: %s: target_accuracy: expected a fraction in [0, 1]\n", path);
        return CF_EXIT_INPUT;
    }
    return CF_EXIT_OK;
}

/* The objectives of f (or fr) as "accuracy:max,total_cost_usd:min". */
static void objectives_spec(const cf_frontier_opts *o, char *buf, size_t n)
{
    buf[0] = '\0';
    size_t len = 0;
    for (size_t k = 0; k < o->n_objectives && len < n; k++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s:%s", k ? "," : "", o->objectives[k].name,
                                o->objectives[k].maximize ? "max" : "min");
}

int cf_cli_history_reference(const char *store_path, cf_cli_frontier *fr)
{
    if (fr->opts.reference_given) return CF_EXIT_OK;
    cf_error err;
    cf_error_clear(&err);
    cf_store *s = NULL;
    cf_store_report *reps = NULL;
    size_t n = 0;
    if (cf_store_open(store_path, &s, &err) != CF_OK || cf_store_reports(s, 0, &reps, &n, &err) != CF_OK) {
        cf_cli_print_error("--store", &err);
        cf_store_close(s);
        return CF_EXIT_INPUT;
    }
    char spec[512];
    objectives_spec(&fr->opts, spec, sizeof spec);
    if (n > 0 && reps[n - 1].frontier_json) { /* the oldest report comes last */
        cJSON *blob = cJSON_Parse(reps[n - 1].frontier_json);
        const cJSON *obj = cJSON_GetObjectItemCaseSensitive(blob, "objectives");
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(blob, "reference_point");
        if (cJSON_IsString(obj) && !strcmp(obj->valuestring, spec) && cJSON_IsArray(ref) &&
            (size_t)cJSON_GetArraySize(ref) == fr->opts.n_objectives) {
            size_t k = 0;
            for (const cJSON *v = ref->child; v; v = v->next) fr->opts.reference[k++] = v->valuedouble;
            fr->opts.reference_given = 1;
        }
        cJSON_Delete(blob);
    }
    cf_store_reports_free(reps, n);
    cf_store_close(s);
    return CF_EXIT_OK;
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

static char *member_key(const char *run_id, const char *option)
{
    size_t n = strlen(run_id) + strlen(option) + 4;
    char *k = malloc(n);
    if (k) snprintf(k, n, "%s / %s", run_id, option);
    return k;
}

static void fmt_date(long long t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M", &tm);
}

static void fmt_money(double v, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.2f", v);
}

int cf_cli_history_section(const char *store_path, cf_report *r, const cf_frontier *f, const cf_runset *rs,
                           const cf_cli_alerts *alerts, double target_accuracy, long long now, int *alerts_fired,
                           cf_store_report *pending)
{
    *alerts_fired = 0;
    cf_error err;
    cf_error_clear(&err);
    cf_store *s = NULL;
    cf_store_report *reps = NULL;
    size_t nrep = 0;
    int rc = CF_EXIT_OK;
    cJSON *blob = NULL, *prev = NULL;
    char *blob_text = NULL;
    char **alert_msgs = NULL;
    size_t n_alerts = 0;
    if (cf_store_open(store_path, &s, &err) != CF_OK || cf_store_reports(s, 0, &reps, &nrep, &err) != CF_OK) {
        cf_cli_print_error("--store", &err);
        cf_store_close(s);
        return CF_EXIT_INPUT;
    }
    double target = isfinite(target_accuracy) ? target_accuracy : (alerts ? alerts->target_accuracy : NAN);
    double hv = cf_frontier_hypervolume(f), best = best_cost_at(f, target), spend = spend_usd(f, rs);

    /* This report's figures, kept in the store. */
    blob = cJSON_CreateObject();
    char spec[512];
    objectives_spec(cf_frontier_options(f), spec, sizeof spec);
    cJSON_AddStringToObject(blob, "objectives", spec);
    cJSON *ref = cJSON_AddArrayToObject(blob, "reference_point");
    for (size_t k = 0; k < cf_frontier_options(f)->n_objectives; k++)
        cJSON_AddItemToArray(ref, cJSON_CreateNumber(cf_frontier_reference(f)[k]));
    cJSON_AddNumberToObject(blob, "spend_usd", spend);
    if (isfinite(target)) cJSON_AddNumberToObject(blob, "target_accuracy", target);
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

    cf_report_add_section(r, "history", "What changed since the last report");
    if (nrep == 0) {
        cf_report_add_paragraph(r, "This is the first report kept in this store: later reports will say what "
                                   "changed since this one.");
    } else {
        const cf_store_report *last = &reps[0];
        prev = last->frontier_json ? cJSON_Parse(last->frontier_json) : NULL;
        size_t added = 0, updated = 0;
        cf_store_changes_since(s, last->created_at, &added, &updated, &err);
        /* New runs: accepted now, absent from the last report. */
        const cJSON *prev_ids = cJSON_GetObjectItemCaseSensitive(prev, "runs");
        size_t n_new = 0;
        const char **new_ids = calloc(cf_runset_size(rs) + 1, sizeof *new_ids);
        for (size_t i = 0; new_ids && i < cf_runset_size(rs); i++) {
            const char *id = cf_runset_get(rs, i)->run_id;
            int seen = 0;
            for (const cJSON *p = prev_ids ? prev_ids->child : NULL; p && !seen; p = p->next)
                seen = cJSON_IsString(p) && !strcmp(p->valuestring, id);
            if (!seen) new_ids[n_new++] = id;
        }
        char when[64];
        fmt_date(last->created_at, when, sizeof when);
        char para[512];
        snprintf(para, sizeof para,
                 "Since the last report (%s UTC): %zu new runs, %zu runs whose content changed in the store; %zu runs "
                 "now against %zu then.",
                 when, n_new, updated, cf_runset_size(rs), last->n_runs);
        cf_report_add_paragraph(r, para);
        if (n_new > 0 && new_ids) {
            size_t shown = n_new < 50 ? n_new : 50;
            char cap[128];
            snprintf(cap, sizeof cap, "New runs%s", n_new > shown ? " (the first 50)" : "");
            static const char *const hdr1[] = {"run"};
            cf_report_add_table(r, cap, 1, hdr1, shown, new_ids);
        }
        free(new_ids);
        /* Frontier entered / left. */
        const cJSON *pm = cJSON_GetObjectItemCaseSensitive(prev, "frontier");
        size_t cap = (size_t)cJSON_GetArraySize(members) + (size_t)cJSON_GetArraySize(pm) + 1, nrows = 0;
        const char **cells = calloc(2 * cap, sizeof *cells);
        if (cells) {
            for (const cJSON *m = members->child; m; m = m->next) {
                int was = 0;
                for (const cJSON *p = pm ? pm->child : NULL; p; p = p->next)
                    was |= cJSON_IsString(p) && !strcmp(p->valuestring, m->valuestring);
                if (!was) {
                    cells[2 * nrows] = m->valuestring;
                    cells[2 * nrows + 1] = "entered the frontier";
                    nrows++;
                }
            }
            for (const cJSON *p = pm ? pm->child : NULL; p; p = p->next) {
                int is = 0;
                for (const cJSON *m = members->child; m; m = m->next)
                    is |= cJSON_IsString(p) && !strcmp(p->valuestring, m->valuestring);
                if (!is && cJSON_IsString(p)) {
                    cells[2 * nrows] = p->valuestring;
                    cells[2 * nrows + 1] = "left the frontier";
                    nrows++;
                }
            }
            static const char *const hdr[] = {"run / way of buying", "change"};
            if (nrows > 0)
                cf_report_add_table(r, "Frontier changes", 2, hdr, nrows, cells);
            else
                cf_report_add_paragraph(r, "The frontier has the same members as in the last report.");
            free(cells);
        }
    }
    /* History over time, oldest first, with this report last. */
    size_t npts = nrep + 1;
    double *tx = malloc(npts * sizeof *tx), *hvs = malloc(npts * sizeof *hvs), *bests = malloc(npts * sizeof *bests);
    if (tx && hvs && bests) {
        for (size_t i = 0; i < nrep; i++) {
            const cf_store_report *h = &reps[nrep - 1 - i];
            tx[i] = (double)(h->created_at - now) / 86400.0;
            hvs[i] = h->hypervolume;
            bests[i] = h->best_cost_at_target;
        }
        tx[nrep] = 0;
        hvs[nrep] = hv;
        bests[nrep] = best;
        cf_plot *p = cf_plot_create("Hypervolume of the frontier, report by report");
        if (p) {
            cf_plot_set_labels(p, "days before this report", "hypervolume");
            cf_plot_add_series(p, "hypervolume", CF_PLOT_LINESPOINTS, tx, hvs, npts, NULL);
            cf_report_add_chart(r, p, "history_hypervolume.svg", "Hypervolume over time");
        }
        if (isfinite(target)) {
            char title[128];
            snprintf(title, sizeof title, "Best total cost at accuracy >= %.4g, report by report", target);
            p = cf_plot_create(title);
            if (p) {
                cf_plot_set_labels(p, "days before this report", "total_cost_usd (USD)");
                cf_plot_add_series(p, "best cost at target", CF_PLOT_LINESPOINTS, tx, bests, npts, NULL);
                cf_report_add_chart(r, p, "history_best_cost.svg", "Best cost at the target accuracy over time");
            }
        }
    }
    free(tx);
    free(hvs);
    free(bests);

    /* Alerts. */
    if (alerts) {
        alert_msgs = calloc(8, sizeof *alert_msgs);
        char msg[512];
#define CF_ALERT(...)                                                                                                  \
    do {                                                                                                               \
        snprintf(msg, sizeof msg, __VA_ARGS__);                                                                        \
        if (alert_msgs && n_alerts < 8) alert_msgs[n_alerts++] = strdup(msg);                                          \
    } while (0)
        if (isfinite(alerts->max_spend_total_usd) && spend > alerts->max_spend_total_usd)
            CF_ALERT("spend of all stored runs is %.2f USD, above the limit of %.2f USD", spend,
                     alerts->max_spend_total_usd);
        if (isfinite(alerts->max_spend_month_usd)) {
            /* Spend at the newest report before this month began, subtracted from the spend now. */
            time_t tt = (time_t)now;
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
            if (month > alerts->max_spend_month_usd)
                CF_ALERT("spend this month is %.2f USD, above the limit of %.2f USD", month,
                         alerts->max_spend_month_usd);
        }
        if (isfinite(alerts->max_best_cost_increase_pct) && isfinite(best)) {
            for (size_t i = 0; i < nrep; i++)
                if (reps[i].created_at <= now - 7 * 86400) {
                    double old = reps[i].best_cost_at_target;
                    if (isfinite(old) && old > 0 && (best - old) / old * 100.0 > alerts->max_best_cost_increase_pct)
                        CF_ALERT("best cost at accuracy >= %.4g is %.2f USD, %.1f%% worse than a week ago (%.2f USD)",
                                 target, best, (best - old) / old * 100.0, old);
                    break;
                }
        }
        if (isfinite(alerts->max_best_cost_increase_pct) && isnan(best) && isfinite(target) && nrep > 0 &&
            isfinite(reps[0].best_cost_at_target))
            CF_ALERT("no run reaches accuracy %.4g any more (the last report had one at %.2f USD)", target,
                     reps[0].best_cost_at_target);
        if (isfinite(alerts->min_hypervolume_ratio) && nrep > 0 && isfinite(reps[0].hypervolume) &&
            reps[0].hypervolume > 0 && hv / reps[0].hypervolume < alerts->min_hypervolume_ratio)
            CF_ALERT("hypervolume fell to %.4g, %.1f%% of the last report's %.4g", hv, 100.0 * hv / reps[0].hypervolume,
                     reps[0].hypervolume);
#undef CF_ALERT
        cf_report_add_section(r, "alerts", "Alerts");
        if (n_alerts == 0)
            cf_report_add_paragraph(r, "No budget or drift alert fired.");
        else
            cf_report_add_list(r, (const char *const *)alert_msgs, n_alerts);
        for (size_t i = 0; i < n_alerts; i++) fprintf(stderr, "ALERT: %s\n", alert_msgs[i]);
        *alerts_fired = (int)n_alerts;
    }
    {
        char hv_s[64], best_s[64], spend_s[64];
        snprintf(hv_s, sizeof hv_s, "%.10g", hv);
        fmt_money(best, best_s, sizeof best_s);
        fmt_money(spend, spend_s, sizeof spend_s);
        const char *keys[] = {"Hypervolume", "Best total cost at target (USD)", "Spend of stored runs (USD)"};
        const char *vals[] = {hv_s, best_s, spend_s};
        cf_report_add_facts(r, keys, vals, 3);
    }
    blob_text = cJSON_PrintUnformatted(blob);
    memset(pending, 0, sizeof *pending);
    pending->created_at = now;
    pending->hypervolume = hv;
    pending->best_cost_at_target = best;
    pending->frontier_json = blob_text; /* handed over */
    pending->n_runs = cf_runset_size(rs);
    blob_text = NULL;
    for (size_t i = 0; i < n_alerts; i++) free(alert_msgs[i]);
    free(alert_msgs);
    free(blob_text);
    cJSON_Delete(blob);
    cJSON_Delete(prev);
    cf_store_reports_free(reps, nrep);
    cf_store_close(s);
    return rc;
}

int cf_cli_history_record(const char *store_path, cf_store_report *pending)
{
    cf_error err;
    cf_error_clear(&err);
    cf_store *s = NULL;
    int rc = CF_EXIT_OK;
    if (cf_store_open(store_path, &s, &err) != CF_OK || cf_store_add_report(s, pending, NULL, &err) != CF_OK) {
        cf_cli_print_error("--store", &err);
        rc = CF_EXIT_OUTPUT;
    }
    cf_store_close(s);
    free(pending->frontier_json);
    pending->frontier_json = NULL;
    return rc;
}
