/* costfront: the TCO and recommendation sections of the HTML report (see report_tco.h). */
#include "costfront/report_tco.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/plot.h"
#include "reports/numfmt.h"

#define ROW_CELLS 10

static const char *const metric_names[] = {"total", "NPV", "total with carbon", "NPV with carbon"};

/* The cumulative cash chart: one line per available option, breakeven months of on-prem marked. */
static cf_plot *cumulative_chart(const cf_tco_result *res)
{
    int h = cf_tco_result_months(res);
    cf_plot *p = cf_plot_create("Cumulative cash cost by way of buying");
    double *x = malloc((size_t)(h + 1) * sizeof *x), *y = malloc((size_t)(h + 1) * sizeof *y);
    if (p == NULL || x == NULL || y == NULL) goto fail;
    cf_status st = cf_plot_set_labels(p, "month", "cumulative cash cost (USD)");
    cf_plot_set_key(p, CF_PLOT_KEY_OUTSIDE);
    cf_plot_set_size(p, 900, 500);
    for (int m = 0; m <= h; m++) x[m] = m;
    for (int o = 0; o < CF_PROC_COUNT && st == CF_OK; o++) {
        cf_tco_option opt;
        if (cf_tco_result_option(res, (cf_procurement)o, &opt) != CF_OK || !opt.available) continue;
        cf_tco_result_series(res, (cf_procurement)o, CF_TCO_SERIES_CASH, y, (size_t)h + 1);
        st = cf_plot_add_series(p, cf_procurement_name((cf_procurement)o), CF_PLOT_LINES, x, y, (size_t)h + 1, NULL);
    }
    /* Payback against on-demand and against the cheapest cloud option (more labels would overlap). */
    cf_procurement best = CF_PROC_ON_DEMAND;
    double best_total = INFINITY;
    for (int o = CF_PROC_ON_DEMAND; o <= CF_PROC_RESERVED_3Y; o++) {
        cf_tco_option c;
        if (cf_tco_result_option(res, (cf_procurement)o, &c) == CF_OK && c.available && c.total_usd < best_total) {
            best_total = c.total_usd;
            best = (cf_procurement)o;
        }
    }
    for (int k = 0; k < 2 && st == CF_OK; k++) {
        cf_procurement o = k == 0 ? CF_PROC_ON_DEMAND : best;
        if (k == 1 && best == CF_PROC_ON_DEMAND) break;
        cf_tco_breakeven b;
        if (cf_tco_result_breakeven(res, o, &b) != CF_OK || !b.available || b.month < 1) continue;
        char label[96];
        snprintf(label, sizeof label, "payback vs %s: month %d", cf_procurement_name(o), b.month);
        st = cf_plot_add_vline(p, b.month, label);
    }
    free(x);
    free(y);
    if (st != CF_OK) {
        cf_plot_destroy(p);
        return NULL;
    }
    return p;
fail:
    free(x);
    free(y);
    cf_plot_destroy(p);
    return NULL;
}

static cf_plot *breakdown_chart(const cf_tco_server_month *sm)
{
    static const char *const names[] = {"depreciation", "colocation", "electricity (full use)", "operations"};
    double x[4] = {0, 1, 2, 3},
           y[4] = {sm->depreciation_usd, sm->colocation_usd, sm->electricity_full_usd, sm->ops_usd};
    cf_plot *p = cf_plot_create("Owned server: cost per server-month at full use");
    if (p == NULL) return NULL;
    cf_status st = cf_plot_set_labels(p, NULL, "USD per server-month");
    if (st == CF_OK) st = cf_plot_set_xcategories(p, names, 4);
    cf_plot_set_key(p, CF_PLOT_KEY_OFF);
    if (st == CF_OK) st = cf_plot_add_series(p, "USD per server-month", CF_PLOT_BARS, x, y, 4, NULL);
    if (st != CF_OK) {
        cf_plot_destroy(p);
        return NULL;
    }
    return p;
}

static cf_plot *tornado_chart(const cf_tco_tornado_row *rows, size_t nrows, double base)
{
    cf_plot *p = cf_plot_create("Tornado: on-prem minus the best cloud option (NPV with carbon)");
    const char **names = malloc(nrows * sizeof *names);
    double *buf = malloc(3 * nrows * sizeof *buf);
    if (p == NULL || names == NULL || buf == NULL) goto fail;
    double *y = buf, *lo = buf + nrows, *hi = buf + 2 * nrows;
    for (size_t i = 0; i < nrows; i++) {
        size_t k = nrows - 1 - i; /* largest swing on top */
        names[k] = cf_tco_input_name(rows[i].input);
        y[k] = (double)k;
        lo[k] = fmin(rows[i].diff_low, rows[i].diff_high);
        hi[k] = fmax(rows[i].diff_low, rows[i].diff_high);
    }
    size_t idx;
    cf_status st = cf_plot_set_labels(p, "on-prem minus best cloud (USD; below 0: on-prem cheaper)", NULL);
    cf_plot_set_key(p, CF_PLOT_KEY_OFF);
    if (st == CF_OK) st = cf_plot_set_ycategories(p, names, nrows);
    if (st == CF_OK) st = cf_plot_add_series(p, "range", CF_PLOT_HBARS, hi, y, nrows, &idx);
    if (st == CF_OK) st = cf_plot_set_errors(p, idx, lo, hi, NULL, NULL);
    if (st == CF_OK && isfinite(base)) st = cf_plot_add_vline(p, base, "base case");
    if (st == CF_OK) st = cf_plot_add_vline(p, 0.0, NULL);
    free(names);
    free(buf);
    if (st != CF_OK) {
        cf_plot_destroy(p);
        return NULL;
    }
    return p;
fail:
    free(names);
    free(buf);
    cf_plot_destroy(p);
    return NULL;
}

static cf_plot *mc_chart(const cf_tco_mc_result *mc)
{
    double x[CF_PROC_COUNT], y[CF_PROC_COUNT], lo[CF_PROC_COUNT], hi[CF_PROC_COUNT];
    const char *names[CF_PROC_COUNT];
    for (int o = 0; o < CF_PROC_COUNT; o++) {
        names[o] = cf_procurement_name((cf_procurement)o);
        x[o] = o;
        y[o] = mc->p50[o];
        lo[o] = mc->p10[o];
        hi[o] = mc->p90[o];
    }
    char title[128];
    snprintf(title, sizeof title, "Monte Carlo (%zu scenarios): %s, P10 / P50 / P90", mc->n,
             metric_names[mc->metric >= 0 && mc->metric <= 3 ? mc->metric : 0]);
    cf_plot *p = cf_plot_create(title);
    if (p == NULL) return NULL;
    size_t idx;
    cf_status st = cf_plot_set_labels(p, NULL, "USD over the horizon");
    cf_plot_set_key(p, CF_PLOT_KEY_OFF);
    cf_plot_set_xrange(p, -0.5, CF_PROC_COUNT - 0.5);
    if (st == CF_OK) st = cf_plot_set_xcategories(p, names, CF_PROC_COUNT);
    if (st == CF_OK) st = cf_plot_add_series(p, "P50 with P10-P90", CF_PLOT_ERRORBARS, x, y, CF_PROC_COUNT, &idx);
    if (st == CF_OK) st = cf_plot_set_errors(p, idx, NULL, NULL, lo, hi);
    if (st == CF_OK) st = cf_plot_add_series(p, "P50", CF_PLOT_POINTS, x, y, CF_PROC_COUNT, NULL);
    if (st != CF_OK) {
        cf_plot_destroy(p);
        return NULL;
    }
    return p;
}

/* Adds a chart, turning a NULL plot (allocation failure) into CF_ERR_NOMEM. */
static cf_status add_chart(cf_report *r, cf_plot *p, const char *file, const char *alt, cf_error *err)
{
    if (p == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory drawing %s", file);
    cf_status st = cf_report_add_chart(r, p, file, alt);
    if (st != CF_OK) return cf_error_set(err, st, NULL, 0, 0, NULL, "cannot add chart %s", file);
    return CF_OK;
}

/* The opening paragraph: which way of buying is cheapest and how sure that is. */
static void headline(const cf_tco_result *res, const cf_tco_mc_result *mc, char *buf, size_t n)
{
    cf_procurement best = cf_tco_result_cheapest(res, CF_TCO_METRIC_NPV_WITH_CARBON);
    cf_tco_option o;
    cf_tco_result_option(res, best, &o);
    char m1[CF_NUM_BUF], m2[CF_NUM_BUF];
    size_t len = (size_t)snprintf(buf, n,
                                  "Buy this demand %s: %s over %d months (%s NPV with carbon), %s per useful "
                                  "GPU-hour.",
                                  cf_procurement_name(best), cf_fmt_money(m1, o.total_usd, "-"),
                                  cf_tco_result_months(res), cf_fmt_money(m2, o.npv_with_carbon_usd, "-"),
                                  cf_fmt_money((char[CF_NUM_BUF]){0}, o.cost_per_useful_gpu_hour, "-"));
    if (mc && len < n)
        len += (size_t)snprintf(buf + len, n - len, " It is the cheapest in %.0f%% of %zu Monte Carlo scenarios.",
                                100.0 * mc->p_cheapest[best], mc->n);
    cf_tco_breakeven b;
    if (len < n && cf_tco_result_breakeven(res, CF_PROC_ON_DEMAND, &b) == CF_OK && b.available) {
        if (b.month > 0)
            len +=
                (size_t)snprintf(buf + len, n - len, " Owned servers pay back against on-demand in month %d", b.month);
        else
            len += (size_t)snprintf(buf + len, n - len,
                                    " Owned servers never pay back against on-demand within the "
                                    "horizon");
        if (len < n && isfinite(b.utilization_scaling))
            snprintf(buf + len, n - len, " and break even with it at %.1f%% utilisation.",
                     100.0 * b.utilization_scaling);
        else if (len < n)
            snprintf(buf + len, n - len, ".");
    }
}

cf_status cf_report_tco(cf_report *r, const cf_plan *plan, const cf_catalog *cat, const cf_tco_result *res,
                        const cf_tco_mc_result *mc, const cf_tco_tornado_row *rows, size_t nrows, cf_error *err)
{
    if (r == NULL || res == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no report or TCO result");
    cf_status st = cf_report_add_section(r, "tco", "Procurement and total cost of ownership");
    if (st != CF_OK) return cf_error_set(err, st, NULL, 0, 0, NULL, "cannot add the TCO section");
    char text[1024];
    headline(res, mc, text, sizeof text);
    st = cf_report_add_paragraph(r, text);
    /* Key facts. */
    cf_tco_server_month sm;
    cf_tco_result_server_month(res, &sm);
    const char *hw = plan ? cf_plan_hardware(plan) : NULL;
    const cf_hardware *h = (cat && hw) ? cf_catalog_hardware(cat, hw) : NULL;
    double demand = 0;
    int months = cf_tco_result_months(res);
    double *d = malloc((size_t)(months > 0 ? months : 1) * sizeof *d);
    if (d == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    size_t nd = cf_tco_result_series(res, CF_PROC_ON_DEMAND, CF_TCO_SERIES_DEMAND, d, (size_t)months);
    for (size_t i = 0; i < nd; i++) demand += d[i];
    free(d);
    char f0[160], f1[64], f2[64], f3[96], f4[64], f5[64];
    snprintf(f0, sizeof f0, "%s", h ? (h->name ? h->name : h->id) : (hw ? hw : "-"));
    snprintf(f1, sizeof f1, "%d months", months);
    snprintf(f2, sizeof f2, "%.0f GPU-hours (%.0f a month on average)", demand, months > 0 ? demand / months : 0);
    snprintf(f3, sizeof f3, "%d (mean utilisation %.1f%%)", sm.servers, 100.0 * sm.mean_utilization);
    cf_fmt_money(f4, sm.total_full_use_usd, "-");
    snprintf(f5, sizeof f5, "%.3f USD", sm.usd_per_gpu_hour_full_use);
    const char *keys[] = {
        "Hardware", "Horizon", "Demand", "Servers to own", "Server-month at full use", "Owned GPU-hour at full use"};
    const char *vals[] = {f0, f1, f2, f3, f4, f5};
    if (st == CF_OK) st = cf_report_add_facts(r, keys, vals, 6);
    /* Options. */
    static const char *const head[ROW_CELLS] = {"option",
                                                "units",
                                                "total (USD)",
                                                "NPV (USD)",
                                                "USD per useful GPU-h",
                                                "CO2e (kg)",
                                                "carbon cost (USD)",
                                                "total with carbon (USD)",
                                                "NPV with carbon (USD)",
                                                "price source"};
    char cellbuf[CF_PROC_COUNT][ROW_CELLS][CF_NUM_BUF + 120];
    const char *cells[CF_PROC_COUNT * ROW_CELLS];
    for (int o = 0; o < CF_PROC_COUNT; o++) {
        cf_tco_option opt;
        cf_tco_result_option(res, (cf_procurement)o, &opt);
        char(*c)[CF_NUM_BUF + 120] = cellbuf[o];
        snprintf(c[0], sizeof c[0], "%s%s", cf_procurement_name((cf_procurement)o), opt.available ? "" : " (no price)");
        snprintf(c[1], sizeof c[1], "%d", opt.units);
        cf_fmt_fixed(c[2], opt.total_usd, 0, "-");
        cf_fmt_fixed(c[3], opt.npv_usd, 0, "-");
        cf_fmt_fixed(c[4], opt.cost_per_useful_gpu_hour, 3, "-");
        cf_fmt_fixed(c[5], opt.co2e_kg, 0, "-");
        cf_fmt_fixed(c[6], opt.carbon_cost_usd, 0, "-");
        cf_fmt_fixed(c[7], opt.total_with_carbon_usd, 0, "-");
        cf_fmt_fixed(c[8], opt.npv_with_carbon_usd, 0, "-");
        snprintf(c[9], sizeof c[9], "%s", opt.price_source);
        for (int k = 0; k < ROW_CELLS; k++) cells[o * ROW_CELLS + k] = c[k];
    }
    if (st == CF_OK)
        st = cf_report_add_table(r, "Every way of buying the plan's demand over its horizon", ROW_CELLS, head,
                                 CF_PROC_COUNT, cells);
    if (st != CF_OK) return cf_error_set(err, st, NULL, 0, 0, NULL, "cannot fill the TCO section");
    st = add_chart(r, cumulative_chart(res), "tco_cumulative.svg",
                   "Cumulative cash cost of each way of buying over the horizon, with on-prem's payback months", err);
    if (st != CF_OK) return st;
    /* Server-month breakdown. */
    {
        static const char *const bh[] = {"item", "USD per server-month"};
        char b[5][CF_NUM_BUF];
        const char *bc[] = {"depreciation",
                            cf_fmt_fixed(b[0], sm.depreciation_usd, 2, "-"),
                            "colocation",
                            cf_fmt_fixed(b[1], sm.colocation_usd, 2, "-"),
                            "electricity at full use",
                            cf_fmt_fixed(b[2], sm.electricity_full_usd, 2, "-"),
                            "operations",
                            cf_fmt_fixed(b[3], sm.ops_usd, 2, "-"),
                            "total at full use",
                            cf_fmt_fixed(b[4], sm.total_full_use_usd, 2, "-")};
        st = cf_report_add_table(r, "Owned server: cost per server-month", 2, bh, 5, bc);
        if (st != CF_OK) return cf_error_set(err, st, NULL, 0, 0, NULL, "cannot add the breakdown");
        st = add_chart(r, breakdown_chart(&sm), "tco_breakdown.svg", "Owned server cost per server-month by item", err);
        if (st != CF_OK) return st;
    }
    /* Breakevens. */
    {
        static const char *const bh[] = {"on-prem against",       "cloud USD per useful GPU-h",
                                         "breakeven utilisation", "at full power",
                                         "payback month",         "discounted payback month"};
        char b[4][6][CF_NUM_BUF];
        const char *bc[4 * 6];
        size_t nr = 0;
        for (int o = CF_PROC_ON_DEMAND; o <= CF_PROC_RESERVED_3Y; o++) {
            cf_tco_breakeven be;
            if (cf_tco_result_breakeven(res, (cf_procurement)o, &be) != CF_OK || !be.available) continue;
            snprintf(b[nr][0], CF_NUM_BUF, "%s", cf_procurement_name((cf_procurement)o));
            cf_fmt_fixed(b[nr][1], be.cloud_usd_per_useful_hour, 3, "-");
            if (isfinite(be.utilization_scaling))
                snprintf(b[nr][2], CF_NUM_BUF, "%.2f%%", 100 * be.utilization_scaling);
            else
                snprintf(b[nr][2], CF_NUM_BUF, "never");
            if (isfinite(be.utilization_full_power))
                snprintf(b[nr][3], CF_NUM_BUF, "%.2f%%", 100 * be.utilization_full_power);
            else
                snprintf(b[nr][3], CF_NUM_BUF, "never");
            if (be.month > 0)
                snprintf(b[nr][4], CF_NUM_BUF, "%d", be.month);
            else
                snprintf(b[nr][4], CF_NUM_BUF, "never");
            if (be.month_discounted > 0)
                snprintf(b[nr][5], CF_NUM_BUF, "%d", be.month_discounted);
            else
                snprintf(b[nr][5], CF_NUM_BUF, "never");
            for (int k = 0; k < 6; k++) bc[nr * 6 + k] = b[nr][k];
            nr++;
        }
        if (nr > 0) st = cf_report_add_table(r, "Breakeven of owned servers against each cloud option", 6, bh, nr, bc);
        if (st != CF_OK) return cf_error_set(err, st, NULL, 0, 0, NULL, "cannot add the breakevens");
    }
    /* Hybrid and reservations. */
    {
        cf_tco_hybrid hy;
        cf_tco_result_hybrid(res, &hy);
        char items[3][320];
        const char *it[3];
        size_t ni = 0;
        snprintf(items[ni], sizeof items[ni],
                 "Best hybrid: own %d of up to %d servers and burst on %s; owned servers serve %.1f%% of the hours "
                 "(%s minimised: %s).",
                 hy.servers, hy.max_servers, cf_procurement_name(hy.burst), 100.0 * hy.owned_share,
                 metric_names[hy.metric >= 0 && hy.metric <= 3 ? hy.metric : 0],
                 cf_fmt_money((char[CF_NUM_BUF]){0}, hy.objective, "-"));
        it[ni] = items[ni];
        ni++;
        for (int t = CF_PROC_RESERVED_1Y; t <= CF_PROC_RESERVED_3Y; t++) {
            cf_tco_reservation rv;
            if (cf_tco_result_reservation(res, (cf_procurement)t, &rv) != CF_OK || !rv.available) continue;
            snprintf(items[ni], sizeof items[ni],
                     "Best %s level: reserve %d of up to %d GPUs (%.0f GPU-hours a month), %.0f GPU-hours overflow "
                     "on-demand; newsvendor check: critical fractile %.3f, %.0f GPU-hours a month.",
                     cf_procurement_name((cf_procurement)t), rv.gpus, rv.max_gpus, rv.reserved_gpu_hours_per_month,
                     rv.overflow_gpu_hours, rv.critical_fractile, rv.newsvendor_gpu_hours);
            it[ni] = items[ni];
            ni++;
        }
        st = cf_report_add_list(r, it, ni);
        if (st != CF_OK) return cf_error_set(err, st, NULL, 0, 0, NULL, "cannot add the hybrid and reservations");
    }
    /* Tornado. */
    if (rows && nrows > 0) {
        static const char *const th[] = {
            "input", "low", "base", "high", "on-prem - best cloud at low (USD)", "at high (USD)", "swing (USD)"};
        char(*b)[7][CF_NUM_BUF] = malloc(nrows * sizeof *b);
        const char **tc = malloc(nrows * 7 * sizeof *tc);
        if (b == NULL || tc == NULL) {
            free(b);
            free(tc);
            return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
        }
        for (size_t i = 0; i < nrows; i++) {
            snprintf(b[i][0], CF_NUM_BUF, "%s", cf_tco_input_name(rows[i].input));
            cf_fmt_g10(b[i][1], rows[i].low_value, "-");
            cf_fmt_g10(b[i][2], rows[i].base_value, "-");
            cf_fmt_g10(b[i][3], rows[i].high_value, "-");
            cf_fmt_fixed(b[i][4], rows[i].diff_low, 0, "-");
            cf_fmt_fixed(b[i][5], rows[i].diff_high, 0, "-");
            cf_fmt_fixed(b[i][6], rows[i].swing, 0, "-");
            for (int k = 0; k < 7; k++) tc[i * 7 + k] = b[i][k];
        }
        st = cf_report_add_table(r,
                                 "Tornado: each input at its low and high value, the others at base (NPV with "
                                 "carbon)",
                                 7, th, nrows, tc);
        free(b);
        free(tc);
        if (st != CF_OK) return cf_error_set(err, st, NULL, 0, 0, NULL, "cannot add the tornado");
        cf_tco_option op;
        cf_tco_result_option(res, CF_PROC_ON_PREM, &op);
        double best_cloud = INFINITY;
        for (int o = CF_PROC_ON_DEMAND; o <= CF_PROC_RESERVED_3Y; o++) {
            cf_tco_option c;
            cf_tco_result_option(res, (cf_procurement)o, &c);
            if (c.available && c.npv_with_carbon_usd < best_cloud) best_cloud = c.npv_with_carbon_usd;
        }
        st = add_chart(r, tornado_chart(rows, nrows, op.npv_with_carbon_usd - best_cloud), "tco_tornado.svg",
                       "Tornado chart of on-prem minus the best cloud option", err);
        if (st != CF_OK) return st;
    }
    /* Monte Carlo. */
    if (mc) {
        static const char *const mh[] = {"option", "mean (USD)", "P10", "P50", "P90", "P(cheapest)"};
        char b[CF_PROC_COUNT][6][CF_NUM_BUF];
        const char *mcells[CF_PROC_COUNT * 6];
        for (int o = 0; o < CF_PROC_COUNT; o++) {
            snprintf(b[o][0], CF_NUM_BUF, "%s", cf_procurement_name((cf_procurement)o));
            cf_fmt_fixed(b[o][1], mc->mean[o], 0, "-");
            cf_fmt_fixed(b[o][2], mc->p10[o], 0, "-");
            cf_fmt_fixed(b[o][3], mc->p50[o], 0, "-");
            cf_fmt_fixed(b[o][4], mc->p90[o], 0, "-");
            if (isfinite(mc->p_cheapest[o]))
                snprintf(b[o][5], CF_NUM_BUF, "%.1f%%", 100.0 * mc->p_cheapest[o]);
            else
                snprintf(b[o][5], CF_NUM_BUF, "-");
            for (int k = 0; k < 6; k++) mcells[o * 6 + k] = b[o][k];
        }
        char cap[160];
        snprintf(cap, sizeof cap, "Monte Carlo over %zu scenarios of the uncertain inputs (%s)", mc->n,
                 metric_names[mc->metric >= 0 && mc->metric <= 3 ? mc->metric : 0]);
        st = cf_report_add_table(r, cap, 6, mh, CF_PROC_COUNT, mcells);
        if (st != CF_OK) return cf_error_set(err, st, NULL, 0, 0, NULL, "cannot add the Monte Carlo table");
        st = add_chart(r, mc_chart(mc), "tco_montecarlo.svg", "Monte Carlo P10, P50 and P90 of each option", err);
        if (st != CF_OK) return st;
    }
    return CF_OK;
}

cf_status cf_report_recommendation(cf_report *r, const cf_frontier *f, const cf_recommendation *rec, cf_error *err)
{
    if (r == NULL || f == NULL || rec == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no report, frontier or recommendation");
    cf_status st = cf_report_add_section(r, "recommendation", "Recommendation");
    if (st != CF_OK) return cf_error_set(err, st, NULL, 0, 0, NULL, "cannot add the recommendation section");
    const char *keys[10];
    char vals[10][200];
    const char *vp[10];
    size_t n = 0;
    size_t show = rec->feasible ? rec->choice : rec->closest;
    if (!rec->feasible) {
        keys[n] = "Feasible";
        snprintf(vals[n++], 200, "no: binding constraint %s", cf_constraint_name(rec->binding));
        keys[n] = "Gap";
        snprintf(vals[n++], 200, "%.6g (a limit of %.6g would do)", rec->gap, rec->relaxed_limit);
    }
    if (show != (size_t)-1) {
        const cf_candidate *c = cf_frontier_candidate(f, show);
        keys[n] = rec->feasible ? "Use" : "Closest configuration";
        snprintf(vals[n++], 200, "%s%s: %s, %s, %.0f%% pruned", c->predicted ? "predicted " : "run ",
                 c->run_id ? c->run_id : "?", c->hardware ? c->hardware : "?", cf_precision_name(c->precision),
                 100.0 * c->pruning);
        keys[n] = "Procurement";
        snprintf(vals[n++], 200, "%s", cf_procurement_name(c->price.option));
        keys[n] = "Accuracy";
        if (c->predicted && isfinite(c->accuracy_lo))
            snprintf(vals[n++], 200, "%.4f (95%% interval %.4f to %.4f)", c->accuracy, c->accuracy_lo, c->accuracy_hi);
        else
            snprintf(vals[n++], 200, "%.4f", c->accuracy);
        char m1[CF_NUM_BUF], m2[CF_NUM_BUF], m3[CF_NUM_BUF];
        keys[n] = "Cost";
        if (c->predicted && isfinite(c->cost_lo))
            snprintf(vals[n++], 200, "%s cash, %s with carbon (95%% interval %s to %s)",
                     cf_fmt_money(m1, c->price.cost_usd, "-"), cf_fmt_money(m2, c->price.total_cost_usd, "-"),
                     cf_fmt_money(m3, c->cost_lo, "-"), cf_fmt_money((char[CF_NUM_BUF]){0}, c->cost_hi, "-"));
        else
            snprintf(vals[n++], 200, "%s cash, %s with carbon", cf_fmt_money(m1, c->price.cost_usd, "-"),
                     cf_fmt_money(m2, c->price.total_cost_usd, "-"));
        keys[n] = "CO2e";
        snprintf(vals[n++], 200, "%s kg", cf_fmt_g10(m1, c->price.co2e_kg, "-"));
        if (rec->feasible) {
            keys[n] = "Time";
            snprintf(vals[n++], 200, "%.4g h%s", rec->time_hours, rec->time_assumed ? " (one GPU assumed)" : "");
        }
    }
    if (rec->feasible && rec->baseline != (size_t)-1) {
        const cf_candidate *b = cf_frontier_candidate(f, rec->baseline);
        char m1[CF_NUM_BUF];
        keys[n] = "Savings";
        snprintf(vals[n++], 200, "%s (%.1f%%) and %.4g kg CO2e against %s on %s",
                 cf_fmt_money(m1, rec->savings_usd, "-"), 100.0 * rec->savings_fraction, rec->co2e_savings_kg,
                 b->run_id ? b->run_id : "?", cf_procurement_name(b->price.option));
    }
    for (size_t i = 0; i < n; i++) vp[i] = vals[i];
    st = cf_report_add_facts(r, keys, vp, n);
    const char *items[CF_REC_MAX_REASONS];
    for (size_t i = 0; i < rec->n_reasons; i++) items[i] = rec->reasons[i];
    if (st == CF_OK && rec->n_reasons > 0) st = cf_report_add_list(r, items, rec->n_reasons);
    if (st != CF_OK) return cf_error_set(err, st, NULL, 0, 0, NULL, "cannot fill the recommendation section");
    return CF_OK;
}
