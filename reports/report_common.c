/* costfront (private): lookups shared by the report writers (see reports/report_internal.h). */
#include "reports/report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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
    return buf;
}
