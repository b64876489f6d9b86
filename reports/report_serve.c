/* costfront: the inference section of the HTML report (see report_serve.h). */
#include "costfront/report_serve.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/numfmt.h"
#include "costfront/plot.h"

/* The inference run of candidate c, or NULL. */
static const cf_run *inference_run(const cf_candidate *c, const cf_runset *rs)
{
    if (rs == NULL || c->run_index == (size_t)-1 || c->run_index >= cf_runset_size(rs)) return NULL;
    const cf_run *r = cf_runset_get(rs, c->run_index);
    return r && r->work_unit != CF_WORK_NONE ? r : NULL;
}

int cf_report_has_inference(const cf_frontier *f, const cf_runset *rs)
{
    for (size_t i = 0; f && i < cf_frontier_candidate_count(f); i++)
        if (inference_run(cf_frontier_candidate(f, i), rs)) return 1;
    return 0;
}

/* A number with 4 significant digits into a fresh string (NULL when memory runs out). */
static char *num(double v)
{
    char buf[64];
    if (!isfinite(v))
        snprintf(buf, sizeof buf, "-");
    else if (fabs(v) >= 1000)
        snprintf(buf, sizeof buf, "%.0f", v);
    else
        snprintf(buf, sizeof buf, "%.4g", v);
    return strdup(buf);
}

static void free_cells(char **cells, size_t n)
{
    for (size_t i = 0; cells && i < n; i++) free(cells[i]);
    free(cells);
}

/* The chart: x = hardware x precision categories (first-seen order), one point series per procurement. */
static cf_status cost_chart(cf_report *r, const cf_frontier *f, const cf_runset *rs, const char *unit)
{
    size_t n = cf_frontier_candidate_count(f);
    char **names = calloc(n ? n : 1, sizeof *names);
    double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
    size_t *cat = malloc((n ? n : 1) * sizeof *cat);
    size_t nc = 0;
    cf_status st = names && x && y && cat ? CF_OK : CF_ERR_NOMEM;
    for (size_t i = 0; st == CF_OK && i < n; i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        cat[i] = (size_t)-1;
        if (!inference_run(c, rs)) continue;
        char label[160];
        snprintf(label, sizeof label, "%s %s", c->hardware ? c->hardware : "?", cf_precision_name(c->precision));
        size_t k = 0;
        while (k < nc && strcmp(names[k], label) != 0) k++;
        if (k == nc) {
            names[nc] = strdup(label);
            if (names[nc] == NULL) st = CF_ERR_NOMEM;
            nc++;
        }
        cat[i] = k;
    }
    cf_plot *p = st == CF_OK ? cf_plot_create("Cost per 1M by hardware x precision x procurement") : NULL;
    if (st == CF_OK && p == NULL) st = CF_ERR_NOMEM;
    char ylabel[96];
    snprintf(ylabel, sizeof ylabel, "USD per 1M %s", unit);
    if (st == CF_OK) st = cf_plot_set_labels(p, NULL, ylabel);
    if (st == CF_OK) st = cf_plot_set_xcategories(p, (const char *const *)names, nc);
    if (st == CF_OK) cf_plot_set_key(p, CF_PLOT_KEY_OUTSIDE);
    for (int o = 0; st == CF_OK && o < CF_PROC_COUNT; o++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            const cf_candidate *c = cf_frontier_candidate(f, i);
            if (cat[i] == (size_t)-1 || c->price.option != (cf_procurement)o || !isfinite(c->price.cost_usd)) continue;
            x[m] = (double)cat[i];
            y[m++] = c->price.cost_usd;
        }
        if (m) st = cf_plot_add_series(p, cf_procurement_name((cf_procurement)o), CF_PLOT_POINTS, x, y, m, NULL);
    }
    if (st == CF_OK) {
        st = cf_report_add_chart(r, p, "inference_cost_per_1m.svg",
                                 "Cost per 1M units by hardware and precision, one series per procurement option");
        p = NULL;
    }
    cf_plot_destroy(p);
    for (size_t k = 0; names && k < nc; k++) free(names[k]);
    free(names);
    free(x);
    free(y);
    free(cat);
    return st;
}

/* The serving plan tables. */
static cf_status plan_tables(cf_report *r, const cf_serve_plan *plan)
{
    const cf_serve_demand *d = cf_serve_plan_demand(plan);
    char text[1024];
    snprintf(text, sizeof text,
             "Serving plan for %.4g tokens a day (%.4g a month), peak factor %.3g, target utilisation %.2g: replicas "
             "are sized hour by hour; on-demand and spot scale with the hourly demand, reservations and owned "
             "servers are sized to the peak, the hybrid is a reserved or owned base plus bursts.",
             d->tokens_per_day, cf_serve_plan_tokens_per_month(plan), cf_serve_plan_peak_factor(plan),
             d->target_utilization);
    cf_status st = cf_report_add_paragraph(r, text);
    enum { NC = 11 };
    static const char *const hdr[NC] = {
        "run",         "hardware", "precision", "replicas (trough-peak)", "on_demand", "spot", "reserved_1y",
        "reserved_3y", "on_prem",  "hybrid",    "cheapest (USD per 1M)"};
    size_t n = cf_serve_plan_count(plan);
    char **cells = calloc(n * NC + 1, sizeof *cells);
    if (cells == NULL) return CF_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const cf_serve_candidate *c = cf_serve_plan_candidate(plan, i);
        char **row = cells + i * NC, buf[96];
        row[0] = strdup(c->run_id);
        row[1] = strdup(c->hardware);
        row[2] = strdup(cf_precision_name(c->precision));
        snprintf(buf, sizeof buf, "%d-%d", c->replicas_trough, c->replicas_peak);
        row[3] = strdup(buf);
        for (int o = 0; o < CF_PROC_COUNT; o++) row[4 + o] = num(c->options[o].monthly_usd);
        if (c->feasible)
            snprintf(buf, sizeof buf, "%s (%.4g)", cf_procurement_name(c->best),
                     c->options[c->best].cost_per_1m_tokens_usd);
        else
            snprintf(buf, sizeof buf, "infeasible");
        row[10] = strdup(buf);
    }
    if (st == CF_OK)
        st = cf_report_add_table(r, "Monthly cost (USD) of serving the demand, by run and way of buying", NC, hdr, n,
                                 (const char *const *)cells);
    free_cells(cells, n * NC);
    size_t bc;
    cf_procurement bo;
    char *items[64];
    size_t ni = 0;
    if (cf_serve_plan_best(plan, &bc, &bo)) {
        const cf_serve_candidate *c = cf_serve_plan_candidate(plan, bc);
        snprintf(text, sizeof text,
                 "Cheapest feasible: %s (%s %s, %g accelerators a replica) on %s: %.6g USD a month, %.4g USD per 1M "
                 "tokens, %d replicas at peak.",
                 c->run_id, c->hardware, cf_precision_name(c->precision), c->num_gpus, cf_procurement_name(bo),
                 c->options[bo].monthly_usd, c->options[bo].cost_per_1m_tokens_usd, c->replicas_peak);
    } else {
        snprintf(text, sizeof text, "No run is feasible for this demand.");
    }
    if (st == CF_OK) st = cf_report_add_paragraph(r, text);
    for (size_t i = 0; i < n && ni < 64; i++) {
        const cf_serve_candidate *c = cf_serve_plan_candidate(plan, i);
        if (!c->why[0]) continue;
        snprintf(text, sizeof text, "%s: %s", c->run_id, c->why);
        items[ni] = strdup(text);
        if (items[ni]) ni++;
    }
    if (st == CF_OK && ni) st = cf_report_add_list(r, (const char *const *)items, ni);
    for (size_t i = 0; i < ni; i++) free(items[i]);
    size_t na = cf_serve_plan_api_count(plan);
    if (na == 0) {
        const char *mc = cf_serve_plan_model_class(plan);
        snprintf(text, sizeof text, "Managed APIs: none in the catalog for %s.", mc ? mc : "an unknown model class");
        return st == CF_OK ? cf_report_add_paragraph(r, text) : st;
    }
    enum { NA = 9 };
    static const char *const ah[NA] = {"provider",       "model",     "USD per 1M input",        "USD per 1M output",
                                       "blended per 1M", "USD/month", "break-even tokens/month", "self-hosting cheaper",
                                       "source (as of)"};
    char **ac = calloc(na * NA + 1, sizeof *ac);
    if (ac == NULL) return CF_ERR_NOMEM;
    for (size_t i = 0; i < na; i++) {
        const cf_serve_api *a = cf_serve_plan_api(plan, i);
        char **row = ac + i * NA, buf[600];
        row[0] = strdup(a->offer->provider);
        row[1] = strdup(a->offer->model);
        row[2] = num(a->offer->usd_per_1m_input);
        row[3] = num(a->offer->usd_per_1m_output);
        row[4] = num(a->usd_per_1m_blended);
        row[5] = num(a->monthly_usd);
        if (isinf(a->breakeven_tokens_per_month))
            row[6] = strdup("never");
        else {
            snprintf(buf, sizeof buf, "%.3g", a->breakeven_tokens_per_month);
            row[6] = strdup(buf);
        }
        row[7] = strdup(a->self_hosting_cheaper ? "yes" : "no");
        snprintf(buf, sizeof buf, "%s (%s)", a->offer->source, a->offer->as_of);
        row[8] = strdup(buf);
    }
    snprintf(text, sizeof text, "Managed APIs of the %s class against the cheapest feasible self-hosted plan",
             cf_serve_plan_model_class(plan));
    if (st == CF_OK) st = cf_report_add_table(r, text, NA, ah, na, (const char *const *)ac);
    free_cells(ac, na * NA);
    return st;
}

cf_status cf_report_inference(cf_report *r, const cf_frontier *f, const cf_runset *rs, const cf_serve_plan *plan,
                              cf_error *err)
{
    if (r == NULL || f == NULL) return cf_error_set(err, CF_ERR_ARG, "report", 0, 0, NULL, "no report or frontier");
    if (!cf_report_has_inference(f, rs)) return CF_OK;
    size_t n = cf_frontier_candidate_count(f), m = 0;
    const char *unit = "tokens";
    for (size_t i = 0; i < n; i++) {
        const cf_run *run = inference_run(cf_frontier_candidate(f, i), rs);
        if (run) {
            unit = cf_work_unit_name(run->work_unit);
            break;
        }
    }
    char title[96];
    snprintf(title, sizeof title, "Inference: cost per 1M %s", unit);
    cf_status st = cf_report_add_section(r, "inference", title);
    if (st == CF_OK)
        st = cf_report_add_paragraph(r, "Each inference run's accelerator-hours are per 1M units of work "
                                        "(num_gpus / (throughput x 3600) x 10^6), so every cost below is per 1M "
                                        "units under that way of buying.");
    enum { NC = 8 };
    static const char *const hdr[NC] = {"run",
                                        "hardware",
                                        "precision",
                                        "procurement",
                                        "accuracy",
                                        "USD per 1M",
                                        "USD per 1M with carbon",
                                        "accelerator-hours per 1M"};
    char **cells = calloc(n * NC + 1, sizeof *cells);
    if (cells == NULL) return cf_error_set(err, CF_ERR_NOMEM, "report", 0, 0, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        if (!inference_run(c, rs)) continue;
        char **row = cells + m * NC, money[48];
        row[0] = strdup(c->run_id);
        row[1] = strdup(c->hardware ? c->hardware : "?");
        row[2] = strdup(cf_precision_name(c->precision));
        row[3] = strdup(cf_procurement_name(c->price.option));
        row[4] = num(c->accuracy);
        row[5] = strdup(cf_money_str(money, sizeof money, c->price.cost_usd, "-"));
        row[6] = strdup(cf_money_str(money, sizeof money, c->price.total_cost_usd, "-"));
        row[7] = num(c->gpu_hours);
        m++;
    }
    if (st == CF_OK)
        st = cf_report_add_table(r, "Cost per 1M by hardware x precision x procurement", NC, hdr, m,
                                 (const char *const *)cells);
    free_cells(cells, n * NC);
    if (st == CF_OK) st = cost_chart(r, f, rs, unit);
    if (st == CF_OK && plan) st = plan_tables(r, plan);
    if (st != CF_OK) return cf_error_set(err, st, "report", 0, 0, NULL, "the inference section could not be built");
    return CF_OK;
}
