/* costfront: the frontier as a terminal table and as CSV (see include/costfront/report.h).
 *
 * Both are plain text built in memory; the caller decides where it goes (stdout, or a file through output.h).
 * Widths count UTF-8 code points, not bytes, so a run id with an accent does not shift the columns.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/numfmt.h"
#include "costfront/report.h"
#include "reports/numfmt.h"
#include "reports/report_internal.h"
#include "reports/strbuf.h"

#define TCOLS 10

/* Number of UTF-8 code points in s. */
static size_t u8len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

/* Appends s padded with spaces to width w, on the right (right = 0) or the left (right = 1). */
static void put_padded(cf_sb *b, const char *s, size_t w, int right)
{
    size_t n = u8len(s);
    if (right)
        for (size_t i = n; i < w; i++) cf_sb_putn(b, " ", 1);
    cf_sb_puts(b, s);
    if (!right)
        for (size_t i = n; i < w; i++) cf_sb_putn(b, " ", 1);
}

/* Appends the --target-accuracy line: the cheapest run reaching the target, or that none does and the best
 * accuracy reached (or that no run has an accuracy at all). */
static void target_line(cf_sb *b, const cf_frontier *f, double target)
{
    char a[CF_NUM_BUF], m[48];
    const char *cost = cf_rep_cost_objective(f);
    size_t top = CF_REP_NONE, best = cf_rep_target_best(f, target, &top);
    cf_sb_printf(b, "target accuracy %s: ", cf_fmt_fixed(a, target, 4, "-"));
    if (best != CF_REP_NONE) {
        const cf_candidate *c = cf_frontier_candidate(f, best);
        cf_sb_printf(b, "cheapest run reaching it is %s on %s (%s, %s): accuracy %s, %s %s USD%s\n",
                     c->run_id != NULL ? c->run_id : "?", cf_procurement_name(c->price.option),
                     c->hardware != NULL ? c->hardware : "?", cf_precision_name(c->precision),
                     cf_fmt_fixed(a, c->accuracy, 4, "-"), cost, cf_money_str(m, sizeof m, cf_frontier_field(f, best, cost), "-"),
                     cf_frontier_is_optimal(f, best) ? "" : " (not on the frontier of these objectives)");
    } else if (top != CF_REP_NONE) {
        const cf_candidate *c = cf_frontier_candidate(f, top);
        cf_sb_printf(b, "no run reaches it; the most accurate is %s on %s with accuracy %s\n",
                     c->run_id != NULL ? c->run_id : "?", cf_procurement_name(c->price.option),
                     cf_fmt_fixed(a, c->accuracy, 4, "-"));
    } else {
        cf_sb_puts(b, "no run has an accuracy, so none can be named\n");
    }
}

cf_status cf_report_table(const cf_frontier *f, const cf_runset *rs, char **out, cf_error *err)
{
    return cf_report_table_opts(f, rs, NULL, out, err);
}

cf_status cf_report_table_opts(const cf_frontier *f, const cf_runset *rs, const cf_report_opts *o, char **out,
                               cf_error *err)
{
    if (out != NULL) *out = NULL;
    if (f == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_report_table needs a frontier and an output");
    static const char *const head[TCOLS] = {"",         "run",      "option",  "hardware",  "precision",
                                            "accuracy", "cost_usd", "co2e_kg", "total_usd", "provider/region"};
    static const int right_fixed[TCOLS] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 0};
    /* Objectives the fixed columns do not show (gpu_hours, a numeric column of the runs...) get their own columns,
     * inserted before provider/region. */
    const cf_frontier_opts *fo = cf_frontier_options(f);
    /* Runs that move or keep data show cost_usd's parts (issue 16) the same way, as money. */
    enum { NPARTS = 3 };
    static const char *const parts[NPARTS] = {"compute_cost_usd", "egress_cost_usd", "storage_cost_usd"};
    size_t extra[CF_MAX_OBJECTIVES + NPARTS], nextra = 0;
    const char *extra_name[CF_MAX_OBJECTIVES + NPARTS];
    int extra_money[CF_MAX_OBJECTIVES + NPARTS];
    if (cf_frontier_has_transfer(f))
        for (size_t k = 0; k < NPARTS; k++) {
            extra[nextra] = (size_t)-1;
            extra_money[nextra] = 1;
            extra_name[nextra++] = parts[k];
        }
    for (size_t k = 0; fo && k < fo->n_objectives; k++) {
        const char *nm = fo->objectives[k].name;
        int shown = 0;
        for (size_t e = 0; e < nextra; e++) shown |= !strcmp(extra_name[e], nm);
        if (!shown && strcmp(nm, "accuracy") && strcmp(nm, "cost_usd") && strcmp(nm, "co2e_kg") &&
            strcmp(nm, "total_cost_usd")) {
            size_t ln = strlen(nm); /* a money objective (cost_per_1m_tokens_usd) prints as money: never 0.00 */
            extra_money[nextra] = ln > 4 && !strcmp(nm + ln - 4, "_usd");
            extra_name[nextra] = nm;
            extra[nextra++] = k;
        }
    }
    const int ncols = TCOLS + (int)nextra;
    int right[TCOLS + CF_MAX_OBJECTIVES + NPARTS];
    for (int k = 0; k < ncols; k++) right[k] = k < TCOLS - 1 ? right_fixed[k] : (k == ncols - 1 ? 0 : 1);
    size_t nopt = cf_frontier_optimal_count(f), knee = cf_frontier_knee(f);
    size_t rows = nopt + 1;
    char(*cell)[TCOLS + CF_MAX_OBJECTIVES + NPARTS][96] = calloc(rows, sizeof *cell);
    if (cell == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory building the table");
    for (int k = 0; k < TCOLS - 1; k++) snprintf(cell[0][k], sizeof cell[0][k], "%s", head[k]);
    for (size_t e = 0; e < nextra; e++)
        snprintf(cell[0][TCOLS - 1 + e], sizeof cell[0][0], "%.95s", extra_name[e]);
    snprintf(cell[0][ncols - 1], sizeof cell[0][0], "%s", head[TCOLS - 1]);
    for (size_t j = 0; j < nopt; j++) {
        size_t i = cf_frontier_optimal_at(f, j);
        const cf_candidate *c = cf_frontier_candidate(f, i);
        if (c == NULL) continue;
        char(*r)[96] = cell[j + 1];
        char num[CF_NUM_BUF];
        snprintf(r[0], 96, "%s", i == knee ? "*" : (c->predicted ? "~" : ""));
        snprintf(r[1], 96, "%s", c->run_id != NULL ? c->run_id : "?");
        snprintf(r[2], 96, "%s", cf_procurement_name(c->price.option));
        snprintf(r[3], 96, "%s", c->hardware != NULL ? c->hardware : "-");
        snprintf(r[4], 96, "%s", cf_precision_name(c->precision));
        snprintf(r[5], 96, "%s", cf_fmt_fixed(num, c->accuracy, 4, "-"));
        snprintf(r[6], 96, "%s", cf_money_str(num, sizeof num, c->price.cost_usd, "-"));
        if (c->price.co2e_kg != 0 && fabs(c->price.co2e_kg) < 0.0005) /* per 1M tokens: 0.0004, not 0.000 */
            snprintf(r[7], 96, "%s", cf_fmt_fixed(num, c->price.co2e_kg, cf_money_decimals(c->price.co2e_kg), "-"));
        else
            snprintf(r[7], 96, "%s", cf_fmt_fixed(num, c->price.co2e_kg, 3, "-"));
        snprintf(r[8], 96, "%s", cf_money_str(num, sizeof num, c->price.total_cost_usd, "-"));
        for (size_t e = 0; e < nextra; e++) {
            if (extra_money[e])
                snprintf(r[TCOLS - 1 + e], 96, "%s", cf_money_str(num, sizeof num, cf_frontier_field(f, i, extra_name[e]), "-"));
            else
                snprintf(r[TCOLS - 1 + e], 96, "%s", cf_fmt_g10(num, cf_frontier_value(f, i, extra[e]), "-"));
        }
        const char *pv = cf_rep_provider(c), *rg = cf_rep_region(c);
        snprintf(r[ncols - 1], 96, "%s%s%s", pv != NULL ? pv : "-", rg != NULL ? "/" : "", rg != NULL ? rg : "");
    }
    size_t w[TCOLS + CF_MAX_OBJECTIVES + NPARTS] = {0};
    for (size_t j = 0; j < rows; j++)
        for (int k = 0; k < ncols; k++) {
            size_t l = u8len(cell[j][k]);
            if (l > w[k]) w[k] = l;
        }
    cf_sb b = {0};
    for (size_t j = 0; j < rows; j++) {
        for (int k = 0; k < ncols; k++) {
            if (k > 0) cf_sb_puts(&b, k == 1 ? " " : "  ");
            if (k == ncols - 1)
                cf_sb_puts(&b, cell[j][k]); /* last column: no trailing spaces */
            else
                put_padded(&b, cell[j][k], w[k], right[k]);
        }
        cf_sb_puts(&b, "\n");
    }
    free(cell);
    char hv[CF_NUM_BUF];
    cf_sb_printf(&b, "frontier: %zu of %zu candidates; hypervolume %s", nopt, cf_frontier_candidate_count(f),
                 cf_fmt_g10(hv, cf_frontier_hypervolume(f), "n/a"));
    if (rs != NULL)
        cf_sb_printf(&b, "; runs read %zu, accepted %zu, rejected %zu", cf_runset_read(rs), cf_runset_size(rs),
                     cf_runset_rejected(rs));
    if (cf_frontier_unpriced_count(f) > 0) cf_sb_printf(&b, "; unpriced %zu", cf_frontier_unpriced_count(f));
    cf_sb_puts(&b, "\n");
    if (knee != CF_REP_NONE) cf_sb_puts(&b, "* knee of the frontier\n");
    /* Inference runs (issue 11): every cost, energy and CO2e figure above is per 1M units. */
    for (size_t i = 0; rs != NULL && i < cf_frontier_candidate_count(f); i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        const cf_run *run = c && !c->predicted ? cf_runset_get(rs, c->run_index) : NULL;
        if (run == NULL || run->work_unit == CF_WORK_NONE) continue;
        const char *u = cf_work_unit_name(run->work_unit);
        cf_sb_printf(&b,
                     "inference runs: cost_usd, co2e_kg and total_usd are per 1M %s (accelerator-hours per 1M %s = "
                     "num_gpus / (%s_per_s x 3600) x 1e6)\n",
                     u, u, u);
        break;
    }
    if (o != NULL && isfinite(o->target_accuracy)) target_line(&b, f, o->target_accuracy);
    /* Totals without carbon beside totals with it: say so under the table (issue 9). */
    cf_rep_unpowered_hw *up = NULL;
    size_t nup = 0;
    int mixed = 0;
    if (cf_rep_unpowered(f, &up, &nup, &mixed) != CF_OK) {
        cf_sb_free(&b);
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory building the table");
    }
    for (size_t i = 0; i < nup; i++)
        cf_sb_printf(&b, "%s: no board_power_w in the catalog, so no energy, CO2e or carbon cost: its total_usd is "
                         "cash only%s\n",
                     up[i].hardware, mixed ? " (other hardware's totals include carbon)" : "");
    free(up);
    *out = cf_sb_take(&b);
    if (*out == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory building the table");
    return CF_OK;
}

/* Appends one CSV field, quoted when it holds a comma, quote, CR, LF or leading/trailing space (RFC 4180). */
static void csv_field(cf_sb *b, const char *s)
{
    if (s == NULL) return;
    size_t n = strlen(s);
    int quote = n > 0 && (s[0] == ' ' || s[n - 1] == ' ');
    for (const char *c = s; *c && !quote; c++)
        if (*c == ',' || *c == '"' || *c == '\r' || *c == '\n') quote = 1;
    if (!quote) {
        cf_sb_puts(b, s);
        return;
    }
    cf_sb_putn(b, "\"", 1);
    for (const char *c = s; *c; c++) {
        if (*c == '"')
            cf_sb_putn(b, "\"\"", 2);
        else
            cf_sb_putn(b, c, 1);
    }
    cf_sb_putn(b, "\"", 1);
}

/* Appends ",number" (empty when missing). */
static void csv_num(cf_sb *b, double v)
{
    char buf[CF_NUM_BUF];
    cf_sb_putn(b, ",", 1);
    cf_sb_puts(b, cf_fmt_g10(buf, v, ""));
}

/* Appends ",text". */
static void csv_str(cf_sb *b, const char *s)
{
    cf_sb_putn(b, ",", 1);
    csv_field(b, s);
}

cf_status cf_report_csv(const cf_frontier *f, char **out, cf_error *err)
{
    if (out != NULL) *out = NULL;
    if (f == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_report_csv needs a frontier and an output");
    cf_sb b = {0};
    cf_sb_puts(&b, "run_id,procurement,hardware,precision,pruning,accuracy,gpu_hours,billed_gpu_hours,price_per_hour,"
                   "overhead_fraction,cost_usd,energy_kwh,co2e_kg,embodied_kgco2e,carbon_cost_usd,total_cost_usd,"
                   "provider,region,predicted,on_frontier,rank,dominated_by,margin");
    int parts = cf_frontier_has_transfer(f); /* issue 16: cost_usd's parts, only for runs that move or keep data */
    if (parts)
        cf_sb_puts(&b, ",compute_cost_usd,egress_cost_usd,storage_cost_usd,egress_gb,egress_path,storage_gb,"
                       "checkpoints_kept");
    cf_sb_puts(&b, "\n");
    size_t n = cf_frontier_candidate_count(f);
    for (size_t i = 0; i < n; i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        if (c == NULL) continue;
        const cf_price *p = &c->price;
        csv_field(&b, c->run_id);
        csv_str(&b, cf_procurement_name(p->option));
        csv_str(&b, c->hardware);
        csv_str(&b, cf_precision_name(c->precision));
        csv_num(&b, c->pruning);
        csv_num(&b, c->accuracy);
        csv_num(&b, c->gpu_hours);
        csv_num(&b, p->billed_gpu_hours);
        csv_num(&b, p->price_per_hour);
        csv_num(&b, p->overhead_fraction);
        csv_num(&b, p->cost_usd);
        csv_num(&b, p->energy_kwh);
        csv_num(&b, p->co2e_kg);
        csv_num(&b, p->embodied_kgco2e);
        csv_num(&b, p->carbon_cost_usd);
        csv_num(&b, p->total_cost_usd);
        csv_str(&b, cf_rep_provider(c));
        csv_str(&b, cf_rep_region(c));
        csv_str(&b, c->predicted ? "1" : "0");
        csv_str(&b, cf_frontier_is_optimal(f, i) ? "1" : "0");
        size_t rank = cf_frontier_rank(f, i);
        if (rank == CF_REP_NONE)
            csv_str(&b, "");
        else
            cf_sb_printf(&b, ",%zu", rank);
        double margin = NAN;
        size_t by = cf_frontier_is_optimal(f, i) ? CF_REP_NONE : cf_frontier_dominator(f, i, &margin);
        char label[300];
        csv_str(&b, by != CF_REP_NONE ? cf_rep_label(f, by, label, sizeof label) : "");
        csv_num(&b, by != CF_REP_NONE ? margin : NAN);
        if (parts) {
            csv_num(&b, p->compute_cost_usd);
            csv_num(&b, p->egress_cost_usd);
            csv_num(&b, p->storage_cost_usd);
            csv_num(&b, p->egress_gb);
            csv_str(&b, p->egress_path ? p->egress_path : "");
            csv_num(&b, p->storage_gb);
            csv_num(&b, p->checkpoints_kept);
        }
        cf_sb_puts(&b, "\n");
    }
    *out = cf_sb_take(&b);
    if (*out == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory building the CSV");
    return CF_OK;
}
