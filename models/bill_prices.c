/* costfront: effective prices per accelerator-hour from a FOCUS bill, written as a user catalog (bill_prices.h).
 *
 * The price of a group is a ratio of sums (total EffectiveCost over total accelerator-hours), not a mean of
 * per-row prices, so long rows weigh as much as their hours: the figure a team would put in a price list.
 */
#include "costfront/bill_prices.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct group {
    cf_bill_price p;
    char provider[64], region[64];
    char first[16], last[16];
    double first_t, last_t;
} group;

struct cf_bill_prices {
    const cf_catalog *cat;
    group *g;
    size_t n, cap;
    size_t rows, priced, unused, unresolved;
    double unused_cost;
};

cf_bill_prices *cf_bill_prices_create(const cf_catalog *cat)
{
    if (cat == NULL) return NULL;
    cf_bill_prices *bp = calloc(1, sizeof *bp);
    if (bp) bp->cat = cat;
    return bp;
}

void cf_bill_prices_destroy(cf_bill_prices *bp)
{
    if (!bp) return;
    free(bp->g);
    free(bp);
}

/* 1 when unit names hours ("Hours", "Hour", "hrs", "h"), compared without case. */
static int is_hours(const char *unit)
{
    if (!unit) return 0;
    static const char *const names[] = {"hours", "hour", "hrs", "hr", "h", "1 hour"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(unit, names[i])) return 1;
    return 0;
}

/* The hardware the row names, through the x_ columns, SkuId, ResourceName in that order. */
static int resolve_row(const cf_catalog *cat, const cf_focus_row *row, cf_hw_match *m)
{
    cf_error e;
    for (size_t i = 0; i < row->n_columns; i++)
        if (!strncmp(row->names[i], "x_", 2) && row->values[i][0] && cf_catalog_resolve(cat, row->values[i], m, &e) == CF_OK)
            return 1;
    if (row->sku_id && cf_catalog_resolve(cat, row->sku_id, m, &e) == CF_OK) return 1;
    if (row->resource_name && cf_catalog_resolve(cat, row->resource_name, m, &e) == CF_OK) return 1;
    return 0;
}

/* Copies s lower-cased into dst (n bytes). */
static void lower_copy(char *dst, size_t n, const char *s)
{
    size_t i = 0;
    for (; s && s[i] && i + 1 < n; i++) dst[i] = (char)tolower((unsigned char)s[i]);
    dst[i] = '\0';
}

static void format_day(double t, char *buf)
{
    time_t tt = (time_t)floor(t);
    struct tm tmv;
    gmtime_r(&tt, &tmv);
    strftime(buf, 16, "%Y-%m-%d", &tmv);
}

/* Orders groups by provider, region, hardware, committed. */
static int group_cmp(const char *prov, const char *reg, const char *hw, int committed, const group *g)
{
    int c = strcmp(prov, g->provider);
    if (!c) c = strcmp(reg, g->region);
    if (!c) c = strcmp(hw, g->p.hardware);
    if (!c) c = committed - g->p.committed;
    return c;
}

cf_status cf_bill_prices_add(cf_bill_prices *bp, const cf_focus_row *row, cf_error *err)
{
    if (!bp || !row) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "NULL argument");
    bp->rows++;
    if (!row->charge_category || strcasecmp(row->charge_category, "Usage") != 0) return CF_OK;
    cf_hw_match m;
    if (!resolve_row(bp->cat, row, &m)) {
        const char *sc = row->service_category;
        if (sc && (!strcasecmp(sc, "Compute") || strstr(sc, "Machine Learning"))) bp->unresolved++;
        return CF_OK;
    }
    const char *status = row->commitment_discount_status;
    if (status && !strcasecmp(status, "Unused")) {
        bp->unused++;
        if (isfinite(row->effective_cost)) bp->unused_cost += row->effective_cost;
        return CF_OK;
    }
    double q = NAN;
    if (is_hours(row->pricing_unit) && isfinite(row->pricing_quantity)) q = row->pricing_quantity;
    else if (is_hours(row->consumed_unit) && isfinite(row->consumed_quantity)) q = row->consumed_quantity;
    if (!(q > 0) || !isfinite(row->effective_cost)) return CF_OK;
    int committed = (row->commitment_discount_id && row->commitment_discount_id[0]) ||
                    (status && !strcasecmp(status, "Used"));
    char prov[64], reg[64];
    lower_copy(prov, sizeof prov, row->provider_name ? row->provider_name : "unknown");
    snprintf(reg, sizeof reg, "%s", row->region_id ? row->region_id : "global");
    size_t lo = 0, hi = bp->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (group_cmp(prov, reg, m.hardware->id, committed, &bp->g[mid]) > 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo == bp->n || group_cmp(prov, reg, m.hardware->id, committed, &bp->g[lo]) != 0) {
        if (bp->n == bp->cap) {
            size_t cap = bp->cap ? 2 * bp->cap : 8;
            group *g = realloc(bp->g, cap * sizeof *g);
            if (!g) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
            bp->g = g;
            bp->cap = cap;
        }
        memmove(&bp->g[lo + 1], &bp->g[lo], (bp->n - lo) * sizeof *bp->g);
        bp->n++;
        group *g = &bp->g[lo];
        memset(g, 0, sizeof *g);
        memcpy(g->provider, prov, sizeof prov);
        memcpy(g->region, reg, sizeof reg);
        g->p.hardware = m.hardware->id;
        g->p.committed = committed;
        g->first_t = g->last_t = row->charge_start;
    }
    group *g = &bp->g[lo];
    g->p.rows++;
    g->p.effective_cost += row->effective_cost;
    g->p.accelerator_hours += q * (double)m.accelerators;
    if (row->charge_start < g->first_t) g->first_t = row->charge_start;
    if (row->charge_start > g->last_t) g->last_t = row->charge_start;
    bp->priced++;
    return CF_OK;
}

size_t cf_bill_prices_rows(const cf_bill_prices *bp) { return bp ? bp->rows : 0; }
size_t cf_bill_prices_priced(const cf_bill_prices *bp) { return bp ? bp->priced : 0; }
size_t cf_bill_prices_unused(const cf_bill_prices *bp) { return bp ? bp->unused : 0; }
double cf_bill_prices_unused_cost(const cf_bill_prices *bp) { return bp ? bp->unused_cost : 0; }
size_t cf_bill_prices_unresolved(const cf_bill_prices *bp) { return bp ? bp->unresolved : 0; }
size_t cf_bill_prices_count(const cf_bill_prices *bp) { return bp ? bp->n : 0; }

const cf_bill_price *cf_bill_prices_at(const cf_bill_prices *bp, size_t i)
{
    if (!bp || i >= bp->n) return NULL;
    group *g = &bp->g[i]; /* the strings point into the group, which moves as groups are added: set them here */
    g->p.provider = g->provider;
    g->p.region = g->region;
    format_day(g->first_t, g->first);
    format_day(g->last_t, g->last);
    g->p.first_day = g->first;
    g->p.last_day = g->last;
    g->p.usd_per_accelerator_hour = g->p.accelerator_hours > 0 ? g->p.effective_cost / g->p.accelerator_hours : NAN;
    return &g->p;
}

/* Rounds to 10 significant digits so the JSON text is the same on every machine. */
static double round10(double x)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.10g", x);
    return strtod(buf, NULL);
}

cf_status cf_bill_prices_to_catalog(const cf_bill_prices *bp, const char *bill, char **out, cf_error *err)
{
    if (out) *out = NULL;
    if (!bp || !out) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "NULL argument");
    if (bp->n == 0)
        return cf_error_set(err, CF_ERR_EMPTY, bill, 0, 0, NULL,
                            "no accelerator usage row could be priced: none has ChargeCategory Usage, an hours "
                            "PricingUnit or ConsumedUnit, and a hardware or instance type the catalog knows in an x_ "
                            "column, SkuId or ResourceName");
    cJSON *root = cJSON_CreateObject();
    int ok = root && cJSON_AddNumberToObject(root, "schema_version", 1) &&
             cJSON_AddStringToObject(root, "comment",
                                     "written by costfront catalog from-bill: effective prices per accelerator-hour "
                                     "(EffectiveCost / accelerator-hours); on_demand from uncommitted usage, "
                                     "reserved_1y from usage under a commitment discount");
    cJSON *offers = ok ? cJSON_AddArrayToObject(root, "offers") : NULL;
    ok = ok && offers;
    for (size_t i = 0; ok && i < bp->n;) {
        /* The groups of one (provider, region, hardware) are adjacent: uncommitted first. */
        const cf_bill_price *a = cf_bill_prices_at(bp, i);
        char prov[64], reg[64], first[16], last[16];
        snprintf(prov, sizeof prov, "%s", a->provider);
        snprintf(reg, sizeof reg, "%s", a->region);
        const char *hw = a->hardware;
        snprintf(first, sizeof first, "%s", a->first_day);
        snprintf(last, sizeof last, "%s", a->last_day);
        double od = NAN, rs = NAN;
        char src[900];
        size_t used = (size_t)snprintf(src, sizeof src, "%s:", bill ? bill : "bill");
        for (; i < bp->n; i++) {
            const cf_bill_price *p = cf_bill_prices_at(bp, i);
            if (strcmp(p->provider, prov) || strcmp(p->region, reg) || strcmp(p->hardware, hw)) break;
            if (p->committed) rs = p->usd_per_accelerator_hour;
            else od = p->usd_per_accelerator_hour;
            if (strcmp(p->first_day, first) < 0) snprintf(first, sizeof first, "%s", p->first_day);
            if (strcmp(p->last_day, last) > 0) snprintf(last, sizeof last, "%s", p->last_day);
            if (used < sizeof src)
                used += (size_t)snprintf(src + used, sizeof src - used,
                                         " %s %.10g USD EffectiveCost / %.10g accelerator-hours over %zu rows;",
                                         p->committed ? "reserved_1y (under a commitment discount, term not in "
                                                        "the bill):"
                                                      : "on_demand (no commitment):",
                                         p->effective_cost, p->accelerator_hours, p->rows);
        }
        if (used < sizeof src)
            snprintf(src + used, sizeof src - used, " charge periods starting %s to %s", first, last);
        cJSON *o = cJSON_CreateObject();
        ok = o && cJSON_AddItemToArray(offers, o);
        if (!ok) {
            cJSON_Delete(o);
            break;
        }
        ok = cJSON_AddStringToObject(o, "provider", prov) && cJSON_AddStringToObject(o, "region", reg) &&
             cJSON_AddStringToObject(o, "hardware", hw) && cJSON_AddStringToObject(o, "price_unit", "accelerator-hour") &&
             (isnan(od) || cJSON_AddNumberToObject(o, "on_demand", round10(od))) &&
             (isnan(rs) || cJSON_AddNumberToObject(o, "reserved_1y", round10(rs))) &&
             cJSON_AddStringToObject(o, "source", src) && cJSON_AddStringToObject(o, "as_of", last);
    }
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    size_t n = strlen(text);
    char *t2 = realloc(text, n + 2);
    if (!t2) {
        free(text);
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    t2[n] = '\n';
    t2[n + 1] = '\0';
    *out = t2;
    return CF_OK;
}
