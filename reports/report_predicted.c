/* costfront: the "Predicted frontier" section of the HTML report (see report_predicted.h). */
#include "costfront/report_predicted.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/plot.h"
#include "reports/numfmt.h"
#include "reports/report_internal.h"

#define MAX_ROWS 20
#define NCOLS    12

/* Orders predicted candidate indices by Pareto rank, then total cost, then index (deterministic). */
static const cf_frontier *sort_f;
static int cmp_pred(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    size_t ri = cf_frontier_rank(sort_f, i), rj = cf_frontier_rank(sort_f, j);
    if (ri != rj) return ri < rj ? -1 : 1;
    double ci = cf_frontier_candidate(sort_f, i)->price.total_cost_usd;
    double cj = cf_frontier_candidate(sort_f, j)->price.total_cost_usd;
    if (ci != cj) return ci < cj ? -1 : 1;
    return (i > j) - (i < j);
}

/* Splits a predicted candidate's note into its settings and its prior note (either may be empty). */
static void split_note(const char *note, char *settings, size_t ns, char *prior, size_t np)
{
    settings[0] = prior[0] = '\0';
    if (note == NULL) return;
    const char *bar = strstr(note, " | ");
    const char *s = note;
    if (strncmp(s, "settings: ", 10) == 0)
        s += 10;
    else if (strncmp(s, "settings:", 9) == 0)
        s += 9;
    if (bar == NULL && strncmp(note, "settings:", 9) != 0) {
        snprintf(prior, np, "%s", note);
        return;
    }
    size_t len = bar ? (size_t)(bar - s) : strlen(s);
    if (len >= ns) len = ns - 1;
    memcpy(settings, s, len);
    settings[len] = '\0';
    if (bar) snprintf(prior, np, "%s", bar + 3);
}

/* The chart: observed runs, the frontier staircase, predicted configurations with error bars. */
static cf_plot *chart(const cf_frontier *f, const size_t *pred, size_t np)
{
    size_t n = cf_frontier_candidate_count(f);
    cf_plot *p = cf_plot_create("Predicted frontier: configurations never run, with 95% intervals");
    double *buf = calloc(6 * (n + 1), sizeof *buf);
    size_t *idx = malloc((n + 1) * sizeof *idx);
    if (p == NULL || buf == NULL || idx == NULL) goto fail;
    double *x = buf, *y = buf + n + 1, *xlo = buf + 2 * (n + 1), *xhi = buf + 3 * (n + 1), *ylo = buf + 4 * (n + 1),
           *yhi = buf + 5 * (n + 1);
    cf_status st = cf_plot_set_labels(p, "total_cost_usd (USD)", "accuracy");
    cf_plot_set_key(p, CF_PLOT_KEY_BOTTOM_RIGHT);
    double lo = INFINITY, hi = -INFINITY;
    size_t m = 0, k;
    for (size_t i = 0; i < n; i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        double v = c->price.total_cost_usd;
        if (isfinite(v) && v > 0) {
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
        if (c->predicted) continue;
        x[m] = v;
        y[m] = c->accuracy;
        m++;
    }
    if (lo > 0 && hi / lo > 100) cf_plot_set_log(p, 1, 0);
    if (st == CF_OK) st = cf_plot_add_series(p, "observed runs (all options)", CF_PLOT_POINTS, x, y, m, &k);
    if (st == CF_OK) st = cf_plot_set_color(p, k, "#999999");
    /* Frontier staircase over observed and predicted points, by cost. */
    m = cf_frontier_optimal_count(f);
    for (size_t j = 0; j < m; j++) idx[j] = cf_frontier_optimal_at(f, j);
    for (size_t a = 1; a < m; a++) {
        size_t t = idx[a], b = a;
        double v = cf_frontier_candidate(f, t)->price.total_cost_usd;
        while (b > 0 && cf_frontier_candidate(f, idx[b - 1])->price.total_cost_usd > v) {
            idx[b] = idx[b - 1];
            b--;
        }
        idx[b] = t;
    }
    for (size_t j = 0; j < m; j++) {
        x[j] = cf_frontier_candidate(f, idx[j])->price.total_cost_usd;
        y[j] = cf_frontier_candidate(f, idx[j])->accuracy;
    }
    if (st == CF_OK && m > 0)
        st = cf_plot_add_series(p, "frontier (observed and predicted)", CF_PLOT_STEPS, x, y, m, &k);
    if (st == CF_OK && m > 0) st = cf_plot_set_color(p, k, "#222222");
    for (size_t j = 0; j < np; j++) {
        const cf_candidate *c = cf_frontier_candidate(f, pred[j]);
        x[j] = c->price.total_cost_usd;
        y[j] = c->accuracy;
        xlo[j] = c->cost_lo;
        xhi[j] = c->cost_hi;
        ylo[j] = c->accuracy_lo;
        yhi[j] = c->accuracy_hi;
    }
    if (st == CF_OK)
        st = cf_plot_add_series(p, "predicted, never run (95% intervals)", CF_PLOT_ERRORBARS, x, y, np, &k);
    if (st == CF_OK) st = cf_plot_set_errors(p, k, xlo, xhi, ylo, yhi);
    if (st == CF_OK) st = cf_plot_set_color(p, k, "#882255");
    if (st != CF_OK) goto fail;
    free(buf);
    free(idx);
    return p;
fail:
    free(buf);
    free(idx);
    cf_plot_destroy(p);
    return NULL;
}

cf_status cf_report_predicted(cf_report *r, const cf_frontier *f, cf_error *err)
{
    if (r == NULL || f == NULL)
        return cf_error_set(err, CF_ERR_ARG, "report", 0, 0, NULL, "expected a report and a frontier");
    cf_status st = cf_report_add_section(r, "predicted", "Predicted frontier");
    if (st != CF_OK) return cf_error_set(err, st, "report", 0, 0, NULL, "cannot add the predicted section");
    size_t n = cf_frontier_candidate_count(f), np = 0, on_front = 0, prior = 0;
    size_t *pred = malloc((n + 1) * sizeof *pred);
    if (pred == NULL) return cf_error_set(err, CF_ERR_NOMEM, "report", 0, 0, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        if (c == NULL || !c->predicted) continue;
        pred[np++] = i;
        on_front += cf_frontier_is_optimal(f, i) != 0;
        prior += c->note != NULL && strstr(c->note, "prior") != NULL;
    }
    if (np == 0) {
        free(pred);
        st = cf_report_add_paragraph(r, "No predicted configuration: run 'costfront frontier --predicted' (or report "
                                        "--predicted) to add configurations never run, predicted by the surrogates.");
        return st == CF_OK ? CF_OK : cf_error_set(err, st, "report", 0, 0, NULL, "cannot add a paragraph");
    }
    char para[1024];
    snprintf(para, sizeof para,
             "%zu (configuration, procurement option) pairs that were never run are predicted by Gaussian-process "
             "surrogates fitted to the runs: accuracy directly, GPU-hours on the log scale with the catalog's "
             "throughput ratios and pruning speed-ups as prior mean; prices are exact from the catalog. Each carries "
             "a 95%% interval for what one run would give (accuracy, and total cost through the log-normal "
             "GPU-hours). %zu of them are on the frontier. %zu lean on the catalog prior (hardware or precision "
             "never run), so treat them as hypotheses to test, not results.",
             np, on_front, prior);
    st = cf_report_add_paragraph(r, para);
    sort_f = f;
    qsort(pred, np, sizeof *pred, cmp_pred);
    if (st == CF_OK) {
        cf_plot *p = chart(f, pred, np);
        if (p == NULL)
            st = CF_ERR_NOMEM;
        else
            st = cf_report_add_chart(r, p, "predicted_frontier.svg",
                                     "Accuracy against total cost: observed runs, the frontier, and predicted "
                                     "configurations with 95% error bars");
    }
    size_t rows = np < MAX_ROWS ? np : MAX_ROWS;
    char *cells = NULL;
    const char **cellp = NULL;
    enum { CW = 512 };
    if (st == CF_OK) {
        cells = calloc(rows * NCOLS, CW);
        cellp = calloc(rows * NCOLS + 1, sizeof *cellp);
        if (cells == NULL || cellp == NULL) st = CF_ERR_NOMEM;
    }
    for (size_t a = 0; a < rows && st == CF_OK; a++) {
        const cf_candidate *c = cf_frontier_candidate(f, pred[a]);
        char *row = cells + a * NCOLS * CW;
        char b1[CF_NUM_BUF], b2[CF_NUM_BUF], b3[CF_NUM_BUF], settings[CW], pnote[CW];
        split_note(c->note, settings, sizeof settings, pnote, sizeof pnote);
        snprintf(row + 0 * CW, CW, "%s", c->run_id ? c->run_id : "");
        snprintf(row + 1 * CW, CW, "%s", cf_procurement_name(c->price.option));
        snprintf(row + 2 * CW, CW, "%s", c->hardware ? c->hardware : "");
        snprintf(row + 3 * CW, CW, "%s", cf_precision_name(c->precision));
        snprintf(row + 4 * CW, CW, "%s", cf_fmt_fixed(b1, c->pruning, 2, "-"));
        snprintf(row + 5 * CW, CW, "%s", settings);
        snprintf(row + 6 * CW, CW, "%s", cf_fmt_fixed(b1, c->accuracy, 4, "-"));
        snprintf(row + 7 * CW, CW, "[%s, %s]", cf_fmt_fixed(b2, c->accuracy_lo, 4, "-"),
                 cf_fmt_fixed(b3, c->accuracy_hi, 4, "-"));
        snprintf(row + 8 * CW, CW, "%s", cf_fmt_money(b1, c->price.total_cost_usd, "-"));
        snprintf(row + 9 * CW, CW, "[%s, %s]", cf_fmt_money(b2, c->cost_lo, "-"), cf_fmt_money(b3, c->cost_hi, "-"));
        snprintf(row + 10 * CW, CW, "%s", cf_frontier_is_optimal(f, pred[a]) ? "yes" : "no");
        snprintf(row + 11 * CW, CW, "%s", pnote[0] ? pnote : "no");
        for (size_t k = 0; k < NCOLS; k++) cellp[a * NCOLS + k] = row + k * CW;
    }
    if (st == CF_OK) {
        static const char *const header[NCOLS] = {
            "config",   "option",       "hardware",   "precision",      "pruning",     "settings",
            "accuracy", "accuracy 95%", "total cost", "total cost 95%", "on frontier", "leans on the catalog prior"};
        char cap[160];
        snprintf(cap, sizeof cap, "The most promising configurations never run (%zu of %zu, by Pareto rank then cost)",
                 rows, np);
        st = cf_report_add_table(r, cap, NCOLS, header, rows, cellp);
    }
    free(cells);
    free(cellp);
    free(pred);
    if (st != CF_OK) return cf_error_set(err, st, "report", 0, 0, NULL, "cannot build the predicted frontier section");
    return CF_OK;
}
