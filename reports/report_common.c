/* costfront (private): lookups shared by the report writers (see reports/report_internal.h). */
#include "reports/report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cf_rep_provider(const cf_candidate *c)
{
    return c != NULL && c->price.offer != NULL ? c->price.offer->provider : NULL;
}

const char *cf_rep_region(const cf_candidate *c)
{
    if (c == NULL) return NULL;
    if (c->price.region != NULL) return c->price.region->id;
    return c->price.offer != NULL ? c->price.offer->region : NULL;
}

double cf_rep_carbon_price(const cf_frontier *f, const cf_catalog *cat, const char **src)
{
    const cf_frontier_opts *o = cf_frontier_options(f);
    if (o != NULL && !isnan(o->pricing.carbon_price_usd_per_t)) {
        if (src != NULL) *src = "set by the caller (--carbon-price), overriding the catalog";
        return o->pricing.carbon_price_usd_per_t;
    }
    if (src != NULL) *src = cat != NULL ? cf_catalog_carbon_price_source(cat) : NULL;
    return cat != NULL ? cf_catalog_carbon_price(cat) : NAN;
}

cf_status cf_rep_offers_used(const cf_frontier *f, const cf_offer ***out, size_t *count)
{
    *out = NULL;
    *count = 0;
    size_t n = cf_frontier_candidate_count(f), m = 0;
    if (n == 0) return CF_OK;
    const cf_offer **v = malloc(n * sizeof *v);
    if (v == NULL) return CF_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        if (c == NULL || c->price.offer == NULL) continue;
        size_t k = 0;
        while (k < m && v[k] != c->price.offer) k++;
        if (k == m) v[m++] = c->price.offer;
    }
    *out = v;
    *count = m;
    return CF_OK;
}

char *cf_rep_label(const cf_frontier *f, size_t i, char *buf, size_t n)
{
    const cf_candidate *c = cf_frontier_candidate(f, i);
    if (c == NULL)
        snprintf(buf, n, "?");
    else
        snprintf(buf, n, "%s/%s", c->run_id != NULL ? c->run_id : "?", cf_procurement_name(c->price.option));
    /* A cut never leaves half a UTF-8 character at the end (issue 10). */
    size_t len = strlen(buf), k = len;
    while (k > 0 && ((unsigned char)buf[k - 1] & 0xC0) == 0x80 && len - k < 3) k--;
    if (k > 0 && (unsigned char)buf[k - 1] >= 0xC0) {
        unsigned char lead = (unsigned char)buf[k - 1];
        size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (len - (k - 1) < need) buf[k - 1] = '\0';
    }
    return buf;
}

/* Cost-like objectives are recognised by name because the optimizer never knows what a cost is. */
const char *cf_rep_cost_objective(const cf_frontier *f)
{
    const cf_frontier_opts *o = cf_frontier_options(f);
    for (size_t k = 0; o != NULL && k < o->n_objectives; k++)
        if (!o->objectives[k].maximize && strstr(o->objectives[k].name, "cost") != NULL) return o->objectives[k].name;
    return "total_cost_usd";
}

int cf_rep_money_field(const char *name)
{
    size_t n = strlen(name);
    return strstr(name, "cost") != NULL || (n >= 4 && !strcmp(name + n - 4, "_usd"));
}

/* One pass over every candidate: the frontier's objectives may leave accuracy out (a time-to-train table), so the
 * frontier alone cannot answer "cheapest at accuracy A". */
size_t cf_rep_target_best(const cf_frontier *f, double target, size_t *most_accurate)
{
    const char *cost = cf_rep_cost_objective(f);
    size_t best = CF_REP_NONE, top = CF_REP_NONE;
    double best_cost = INFINITY, top_acc = -INFINITY, top_cost = INFINITY;
    for (size_t i = 0; i < cf_frontier_candidate_count(f); i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        if (c == NULL || !isfinite(c->accuracy)) continue;
        double v = cf_frontier_field(f, i, cost);
        /* The most accurate run, under its cheapest option (every option of a run has the same accuracy). */
        if (c->accuracy > top_acc || (c->accuracy == top_acc && v < top_cost)) {
            top_acc = c->accuracy;
            top_cost = isfinite(v) ? v : INFINITY;
            top = i;
        }
        if (!(c->accuracy >= target) || !isfinite(v)) continue;
        /* Ties go to the frontier candidate, then to the first in candidate order. */
        if (v < best_cost || (v == best_cost && best != CF_REP_NONE && cf_frontier_is_optimal(f, i) &&
                              !cf_frontier_is_optimal(f, best))) {
            best_cost = v;
            best = i;
        }
    }
    if (most_accurate != NULL) *most_accurate = top;
    return best;
}

/* A candidate's CO2e is missing exactly when its energy is: the hardware's board power is unknown, so neither the
 * operational emissions nor their carbon cost can be counted (pricing leaves them NaN rather than zero). Candidates
 * are ordered by run, so a run is counted when its id differs from the previous candidate's. */
cf_status cf_rep_unpowered(const cf_frontier *f, cf_rep_unpowered_hw **out, size_t *count, int *mixed)
{
    *out = NULL;
    *count = 0;
    if (mixed != NULL) *mixed = 0;
    size_t n = cf_frontier_candidate_count(f), m = 0, with = 0;
    if (n == 0) return CF_OK;
    cf_rep_unpowered_hw *v = calloc(n, sizeof *v);
    if (v == NULL) return CF_ERR_NOMEM;
    const char *prev_run = NULL;
    for (size_t i = 0; i < n; i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        if (c == NULL || !isfinite(c->price.cost_usd)) continue;
        if (isfinite(c->price.co2e_kg)) {
            with++;
            continue;
        }
        const char *hw = c->hardware != NULL ? c->hardware : "?";
        size_t k = 0;
        while (k < m && strcmp(v[k].hardware, hw) != 0) k++;
        if (k == m) v[m++].hardware = hw;
        int new_run = prev_run == NULL || c->run_id == NULL || strcmp(prev_run, c->run_id) != 0;
        if (new_run) v[k].runs++;
        v[k].candidates++;
        prev_run = c->run_id;
    }
    if (m == 0) {
        free(v);
        return CF_OK;
    }
    *out = v;
    *count = m;
    if (mixed != NULL) *mixed = with > 0;
    return CF_OK;
}
