/* costfront: the report's cost breakdown by part -- compute, egress, storage, carbon (issue 16).
 *
 * A run's cost_usd is compute + egress + storage (pricing.h) and its total_cost_usd adds the carbon shadow price.
 * This section shows the four parts side by side, per frontier point and per way of buying (the cheapest candidate
 * under each option, by total), as tables and as a stacked bar chart. Stacking is drawn as cumulative bars from
 * the tallest (every part) to the shortest (compute alone), each overdrawing the one before, so every visible band
 * is one part. The section is added only when some run moves or keeps data (cf_frontier_has_transfer), so reports
 * of runs without those fields are unchanged.
 *
 * Ownership: everything built here is handed to the report (cf_report_add_table copies; cf_report_add_chart takes
 * the plot); the frontier is only read.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/numfmt.h"
#include "costfront/plot.h"
#include "costfront/pricing.h"
#include "costfront/report.h"
#include "reports/report_internal.h"
#include "reports/strbuf.h"

#define NPART 4

static const char *const part_names[NPART] = {"compute", "egress", "storage", "carbon"};
/* Okabe-Ito colour-blind-safe colours, one per part. */
static const char *const part_colors[NPART] = {"#0072B2", "#E69F00", "#009E73", "#999999"};

/* The four parts of candidate c, in USD (an unknown carbon cost counts 0, as in the total). */
static void parts_of(const cf_candidate *c, double v[NPART])
{
    v[0] = c->price.compute_cost_usd;
    v[1] = c->price.egress_cost_usd;
    v[2] = c->price.storage_cost_usd;
    v[3] = isfinite(c->price.carbon_cost_usd) ? c->price.carbon_cost_usd : 0.0;
}

char *cf_rep_gravity_phrase(const cf_candidate *c)
{
    char buf[600];
    if (c == NULL || cf_price_gravity_phrase(&c->price, buf, sizeof buf) == NULL) return NULL;
    cf_sb b = {0};
    cf_sb_printf(&b, "data gravity decided: %s", buf);
    return cf_sb_take(&b);
}

/* One table row of candidate i: run/option, where, the four parts and the total. cells gets 7 strings. */
static void row_cells(const cf_frontier *f, size_t i, char cells[7][96])
{
    const cf_candidate *c = cf_frontier_candidate(f, i);
    double v[NPART];
    parts_of(c, v);
    cf_rep_label(f, i, cells[0], 96);
    const char *pv = cf_rep_provider(c), *rg = cf_rep_region(c);
    snprintf(cells[1], 96, "%s%s%s", pv ? pv : "owned", rg ? "/" : "", rg ? rg : "");
    for (int k = 0; k < NPART; k++) cf_money_str(cells[2 + k], 96, v[k], "-");
    cf_money_str(cells[6], 96, c->price.total_cost_usd, "-");
}

/* Adds a table of rows (candidate indices) with the four parts. */
static cf_status add_parts_table(cf_report *r, const cf_frontier *f, const char *caption, const size_t *rows, size_t n)
{
    static const char *const head[7] = {"run/option", "where", "compute", "egress", "storage", "carbon", "total"};
    char(*cells)[7][96] = calloc(n ? n : 1, sizeof *cells);
    const char **ptr = calloc(n ? 7 * n : 1, sizeof *ptr);
    cf_status st = CF_ERR_NOMEM;
    if (cells != NULL && ptr != NULL) {
        for (size_t j = 0; j < n; j++) {
            row_cells(f, rows[j], cells[j]);
            for (int k = 0; k < 7; k++) ptr[7 * j + (size_t)k] = cells[j][k];
        }
        st = cf_report_add_table(r, caption, 7, head, n, ptr);
    }
    free(cells);
    free(ptr);
    return st;
}

/* The stacked chart of the candidates in rows: one bar each, bands compute / egress / storage / carbon. */
static cf_plot *stacked_chart(const cf_frontier *f, const size_t *rows, size_t n, const char *title)
{
    cf_plot *p = cf_plot_create(title);
    double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
    char(*lab)[96] = calloc(n ? n : 1, sizeof *lab);
    const char **names = calloc(n ? n : 1, sizeof *names);
    cf_status st = (p && x && y && lab && names) ? CF_OK : CF_ERR_NOMEM;
    for (size_t j = 0; st == CF_OK && j < n; j++) {
        cf_rep_label(f, rows[j], lab[j], sizeof lab[j]);
        names[j] = lab[j];
        x[j] = (double)j;
    }
    if (st == CF_OK) st = cf_plot_set_labels(p, "frontier point (run/option)", "USD");
    if (st == CF_OK) st = cf_plot_set_xcategories(p, names, n);
    if (st == CF_OK) cf_plot_set_key(p, CF_PLOT_KEY_OUTSIDE);
    /* Tallest first: carbon sits on storage on egress on compute. */
    for (int top = NPART - 1; st == CF_OK && top >= 0; top--) {
        for (size_t j = 0; j < n; j++) {
            double v[NPART], s = 0;
            parts_of(cf_frontier_candidate(f, rows[j]), v);
            for (int k = 0; k <= top; k++) s += isfinite(v[k]) ? v[k] : 0.0;
            y[j] = s;
        }
        size_t k;
        st = cf_plot_add_series(p, part_names[top], CF_PLOT_BARS, x, y, n, &k);
        if (st == CF_OK) st = cf_plot_set_width(p, k, 0.6);
        if (st == CF_OK) st = cf_plot_set_color(p, k, part_colors[top]);
    }
    if (st == CF_OK) cf_plot_set_yrange(p, 0, NAN);
    free(x);
    free(y);
    free(lab);
    free(names);
    if (st != CF_OK) {
        cf_plot_destroy(p);
        return NULL;
    }
    return p;
}

/* Adds the table of the egress entries (where data lives) and storage entries (where it was kept) that priced f's
 * n candidates, in order of first use, each with its figures, source and as_of. */
static cf_status add_sources_table(cf_report *r, const cf_frontier *f, size_t n)
{
    static const char *const head[5] = {"figure", "provider/region", "USD", "source", "as_of"};
    const void **seen = calloc(2 * n + 1, sizeof *seen);
    char(*cells)[5][400] = calloc(2 * n + 1, sizeof *cells);
    const char **ptr = calloc(10 * n + 5, sizeof *ptr);
    if (seen == NULL || cells == NULL || ptr == NULL) {
        free(seen);
        free(cells);
        free(ptr);
        return CF_ERR_NOMEM;
    }
    size_t rows = 0;
    for (size_t i = 0; i < n; i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        if (c == NULL || !c->price.has_transfer) continue;
        const void *items[2] = {c->price.data_src, c->price.storage_src};
        for (int k = 0; k < 2; k++) {
            if (items[k] == NULL) continue;
            int dup = 0;
            for (size_t j = 0; j < rows && !dup; j++) dup = seen[j] == items[k];
            if (dup) continue;
            seen[rows] = items[k];
            char a[40], b[40], d[40];
            const char *src, *as_of;
            if (k == 0) {
                const cf_egress *e = c->price.data_src;
                snprintf(cells[rows][0], 400, "egress (data leaving)");
                snprintf(cells[rows][1], 400, "%s/%s (network %s)", e->provider, e->region, e->network);
                snprintf(cells[rows][2], 400, "per GB: same region %s, inter-region %s, internet %s",
                         cf_money_str(a, sizeof a, e->same_region, "-"),
                         cf_money_str(b, sizeof b, e->inter_region, "-"), cf_money_str(d, sizeof d, e->internet, "-"));
                src = e->source;
                as_of = e->as_of;
            } else {
                const cf_storage *s = c->price.storage_src;
                snprintf(cells[rows][0], 400, "storage");
                snprintf(cells[rows][1], 400, "%s/%s", s->provider, s->region);
                snprintf(cells[rows][2], 400, "per GB-month: object standard %s, infrequent %s, block SSD %s",
                         cf_money_str(a, sizeof a, s->usd_per_gb_month[0], "-"),
                         cf_money_str(b, sizeof b, s->usd_per_gb_month[1], "-"),
                         cf_money_str(d, sizeof d, s->usd_per_gb_month[2], "-"));
                src = s->source;
                as_of = s->as_of;
            }
            snprintf(cells[rows][3], 400, "%s", src ? src : "-");
            snprintf(cells[rows][4], 400, "%s", as_of ? as_of : "-");
            rows++;
        }
    }
    for (size_t j = 0; j < rows; j++)
        for (int k = 0; k < 5; k++) ptr[5 * j + (size_t)k] = cells[j][k];
    cf_status st = rows > 0 ? cf_report_add_table(r, "Egress and storage prices used", 5, head, rows, ptr) : CF_OK;
    free(seen);
    free(cells);
    free(ptr);
    return st;
}

cf_status cf_rep_section_breakdown(cf_report *r, const cf_frontier *f, const cf_report_opts *o)
{
    if (!cf_frontier_has_transfer(f)) return CF_OK;
    cf_status st = cf_report_add_section(r, "breakdown", "Cost breakdown: compute, egress, storage, carbon");
    if (st != CF_OK) return st;
    st = cf_report_add_paragraph(r, "cost_usd is compute + egress (data moved from where it lives to the compute "
                                    "region) + storage (data, checkpoints kept and the model, for storage_days); "
                                    "total_cost_usd adds carbon at its shadow price. Egress is 0 in the data's own "
                                    "region; free tiers are ignored.");
    if (st != CF_OK) return st;
    size_t nopt = cf_frontier_optimal_count(f), n = cf_frontier_candidate_count(f);
    size_t *rows = calloc(nopt > CF_PROC_COUNT ? nopt : CF_PROC_COUNT, sizeof *rows);
    if (rows == NULL) return CF_ERR_NOMEM;
    for (size_t j = 0; j < nopt; j++) rows[j] = cf_frontier_optimal_at(f, j);
    st = add_parts_table(r, f, "Per frontier point (USD)", rows, nopt);
    if (st == CF_OK && o->charts && nopt > 0) {
        cf_plot *p = stacked_chart(f, rows, nopt, "Cost by part, per frontier point");
        st = p ? cf_report_add_chart(r, p, "cost_breakdown.svg",
                                     "Each frontier point's cost stacked by part: compute, egress, storage, carbon.")
               : CF_ERR_NOMEM;
    }
    /* Per way of buying: the candidate cheapest in total under each option. */
    size_t no = 0;
    for (int opt = 0; st == CF_OK && opt < CF_PROC_COUNT; opt++) {
        size_t best = CF_REP_NONE;
        for (size_t i = 0; i < n; i++) {
            const cf_candidate *c = cf_frontier_candidate(f, i);
            if (c == NULL || (int)c->price.option != opt || !isfinite(c->price.total_cost_usd)) continue;
            if (best == CF_REP_NONE || c->price.total_cost_usd < cf_frontier_candidate(f, best)->price.total_cost_usd)
                best = i;
        }
        if (best != CF_REP_NONE) rows[no++] = best;
    }
    if (st == CF_OK) st = add_parts_table(r, f, "Per way of buying: its cheapest run in total (USD)", rows, no);
    if (st == CF_OK && o->charts && no > 0) {
        cf_plot *p = stacked_chart(f, rows, no, "Cost by part, per way of buying (cheapest run)");
        st = p ? cf_report_add_chart(r, p, "cost_breakdown_by_option.svg",
                                     "The cheapest run under each way of buying, its cost stacked by part.")
               : CF_ERR_NOMEM;
    }
    /* The egress and storage figures used, with their sources (every figure carries one). */
    if (st == CF_OK) st = add_sources_table(r, f, n);
    /* Where data gravity decided, say so. */
    cf_sb b = {0};
    size_t said = 0;
    for (size_t j = 0; j < nopt && st == CF_OK; j++) {
        char *g = cf_rep_gravity_phrase(cf_frontier_candidate(f, cf_frontier_optimal_at(f, j)));
        if (g == NULL) continue;
        char lab[96];
        cf_sb_printf(&b, "%s%s: %s.", said++ ? " " : "", cf_rep_label(f, cf_frontier_optimal_at(f, j), lab, sizeof lab),
                     g);
        free(g);
    }
    char *t = cf_sb_take(&b);
    if (st == CF_OK && t != NULL && t[0]) st = cf_report_add_paragraph(r, t);
    free(t);
    free(rows);
    return st;
}
