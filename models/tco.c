/* costfront: procurement plans and total cost of ownership (see include/costfront/tco.h and docs/tco.md).
 *
 * The model is a monthly cash-flow simulation of one "mix": S owned servers serve demand first (up to their
 * target utilisation), then k reserved GPUs (730 h a month each, paid whether used or not), then an overflow
 * option (on-demand, or spot with the Young 1974 / Daly 2006 checkpoint-restart overhead). Every procurement
 * option is such a mix: on-demand (0, 0, on-demand), spot (0, 0, spot), reserved (0, k_peak, on-demand), on-prem
 * (S_peak, 0, burst) and hybrid (B*, 0, burst), where B* comes from an exhaustive search over whole servers. The
 * reservation level is likewise searched exhaustively; the newsvendor critical fractile (Arrow, Harris and
 * Marschak 1951) 1 - c_reserved / c_on_demand is reported beside it as a check.
 *
 * The plan is kept as its JSON tree; parsing and resolving defaults against a catalog happen in one function
 * (resolve) used by load (validation), evaluation and the resolved-JSON dump, so every path sees the same rules.
 */
#include "costfront/tco.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <float.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define H_MONTH     CF_TCO_HOURS_PER_MONTH
#define N_CLOUD     4 /* on_demand, spot, reserved_1y, reserved_3y: the first four cf_procurement values */
#define MAX_HORIZON 1200
/* Largest monthly demand accepted, in GPU-hours: 1e9 is 1.4 million GPUs busy all month, beyond any single buyer;
 * the reservation search is linear in peak / 730 and server counts must fit an int. */
#define MAX_DEMAND 1e9
/* Largest owned fleet, sized or given (on_prem.servers): the hybrid search is linear in it. */
#define MAX_SERVERS 100000

/* Defaults documented in docs/tco.md. */
#define DEF_HORIZON          60
#define DEF_TARGET_UTIL      0.8
#define DEF_GPUS_PER_SERVER  8
#define DEF_LIFE_MONTHS      60
#define DEF_PUE_ONPREM       1.56   /* Uptime Institute 2024 industry average */
#define DEF_ELECTRICITY      0.0806 /* EIA US industrial average 2023 */
#define DEF_COLOCATION       184.06 /* CBRE H2 2024, USD per kW-month */
#define DEF_OPS              250.0  /* REFERENCE-costs.md illustration, USD per server-month */
#define DEF_SERVER_OVER_GPUS 1.25   /* server capex = GPUs' list price x 1.25 (8 x 30k x 1.25 = 300k) */
#define DEF_GPU_POWER_SHARE  0.55   /* GPUs draw 5.6 of the 10.2 kW of an 8x H100 server */
#define DEF_CLOUD_PUE        1.2    /* AWS figure in Green Algorithms defaults */
#define DEF_GRID             475.0  /* world average, Green Algorithms */
#define DEF_CARBON_PRICE     190.0  /* US EPA social cost of carbon, Dec 2023 */
#define DEF_LAMBDA           0.05   /* spot interruptions per hour, REFERENCE worked example */
#define DEF_EMB_SERVER       2500.0 /* e-footprint GPUServer: kg per server without GPUs */
#define DEF_EMB_GPU          150.0  /* e-footprint GPUServer: kg per GPU */

static const char *const k_opt_names[CF_PROC_COUNT] = {"on_demand",   "spot",    "reserved_1y",
                                                       "reserved_3y", "on_prem", "hybrid"};

static const char *const k_input_names[CF_TCO_IN_COUNT] = {
    "demand", "on_demand_price", "spot_price", "interruptions", "electricity", "residual", "carbon_price", "capex"};
/* Default uncertainty ranges: relative factors except residual and carbon price (absolute). */
static const double k_unc_lo[CF_TCO_IN_COUNT] = {0.8, 0.8, 0.7, 0.5, 0.75, 0.0, 27.0, 0.85};
static const double k_unc_hi[CF_TCO_IN_COUNT] = {1.2, 1.2, 1.3, 2.0, 1.25, 0.35, 190.0, 1.15};

static int input_is_absolute(int i) { return i == CF_TCO_IN_RESIDUAL || i == CF_TCO_IN_CARBON_PRICE; }

/* ---- resolved parameters -------------------------------------------------------------------------------------- */

typedef struct tco_params {
    int H;          /* horizon, months */
    double *demand; /* H monthly GPU-hours (owned) */
    double rate;    /* annual discount rate */
    double target_util;
    cf_tco_metric objective; /* what the hybrid and reservation searches minimise */
    int burst_pref;          /* -1 cheapest, else CF_PROC_ON_DEMAND or CF_PROC_SPOT */
    /* on-prem */
    double capex, residual, power_kw, pue_op, elec, colo, ops, grid_op, emb_server, emb_gpu;
    int gpus, life, servers_fixed; /* servers_fixed < 0: size from peak demand */
    /* cloud */
    double price[N_CLOUD];
    char src[N_CLOUD][160];
    double lambda;
    cf_spot_params spot;
    double cloud_pue, gpu_kw, grid_cloud, emb_gpuh;
    char provider[64];
    /* carbon */
    double carbon_price;
    double *carbon_path; /* owned, n_path values per plan year, or NULL */
    int n_path;
    int carbon_embodied;
    /* uncertainty ranges */
    double unc_lo[CF_TCO_IN_COUNT], unc_hi[CF_TCO_IN_COUNT];
    /* names for the resolved dump */
    char hardware[96], region[96];
    double seasonality[12];
    int demand_kind; /* 0 constant, 1 array, 2 growth object */
    double demand_start, demand_growth;
    /* issue 16, the plan's "data" section: GB moved per month (with the demand's hours), GB kept, and the USD per
     * GB of the path from the data's location to each cloud option's offer and to the owned site, and per
     * GB-month of storage there. 0 without the section. */
    double data_gb_month, stored_gb;
    double egress_cloud[N_CLOUD], egress_own, storage_cloud[N_CLOUD], storage_own;
    char data_location[160], data_class[32], data_site[160];
    int has_data;
} tco_params;

static void params_free(tco_params *p)
{
    if (p == NULL) return;
    free(p->demand);
    free(p->carbon_path);
    p->demand = NULL;
    p->carbon_path = NULL;
}

struct cf_plan {
    cJSON *root; /* the plan as loaded (possibly edited by cf_plan_set_number) */
    char source[256];
    char *hardware; /* copy of the "hardware" string */
};

/* ---- JSON validation helpers ---------------------------------------------------------------------------------- */

typedef struct pctx {
    const char *source;
    cf_error *err;
} pctx;

static void join_path(char *buf, size_t n, const char *obj, const char *key)
{
    if (obj == NULL || obj[0] == '\0')
        snprintf(buf, n, "%s", key);
    else
        snprintf(buf, n, "%s.%s", obj, key);
}

static const char *json_kind(const cJSON *v)
{
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    if (cJSON_IsNull(v)) return "null";
    return "something else";
}

/* Writes "a number >= 1" / "a number in [0, 1)" / "a number" into buf for the given bounds. */
static void expect_text(char *buf, size_t n, double lo, int lo_incl, double hi, int hi_incl, int integer)
{
    const char *what = integer ? "an integer" : "a number";
    if (isinf(lo) && isinf(hi))
        snprintf(buf, n, "%s", what);
    else if (isinf(hi))
        snprintf(buf, n, "%s %s %g", what, lo_incl ? ">=" : ">", lo);
    else if (isinf(lo))
        snprintf(buf, n, "%s %s %g", what, hi_incl ? "<=" : "<", hi);
    else
        snprintf(buf, n, "%s in %c%g, %g%c", what, lo_incl ? '[' : '(', lo, hi, hi_incl ? ']' : ')');
}

/* Checks a JSON value against numeric bounds; path names it in errors. */
static cf_status check_number(pctx *c, const cJSON *v, const char *path, double lo, int lo_incl, double hi, int hi_incl,
                              int integer, double *out)
{
    char exp[96];
    expect_text(exp, sizeof exp, lo, lo_incl, hi, hi_incl, integer);
    if (!cJSON_IsNumber(v))
        return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, path, "expected %s, found %s", exp, json_kind(v));
    double x = v->valuedouble;
    int bad =
        !isfinite(x) || (lo_incl ? x < lo : x <= lo) || (hi_incl ? x > hi : x >= hi) || (integer && x != floor(x));
    if (bad) return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, path, "expected %s, found %g", exp, x);
    *out = x;
    return CF_OK;
}

/* Reads obj[key] as a bounded number into *out; leaves *out untouched (the caller's default) when the key is
 * absent or null. */
static cf_status get_num(pctx *c, const cJSON *obj, const char *objpath, const char *key, double lo, int lo_incl,
                         double hi, int hi_incl, double *out)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (v == NULL || cJSON_IsNull(v)) return CF_OK;
    char path[160];
    join_path(path, sizeof path, objpath, key);
    return check_number(c, v, path, lo, lo_incl, hi, hi_incl, 0, out);
}

/* Same as get_num for an integer field. */
static cf_status get_int(pctx *c, const cJSON *obj, const char *objpath, const char *key, int lo, int hi, int *out)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (v == NULL || cJSON_IsNull(v)) return CF_OK;
    char path[160];
    join_path(path, sizeof path, objpath, key);
    double x = 0;
    cf_status s = check_number(c, v, path, lo, 1, hi, 1, 1, &x);
    if (s == CF_OK) *out = (int)x;
    return s;
}

/* Reads obj[key] as a string (NULL when absent or null). */
static cf_status get_str(pctx *c, const cJSON *obj, const char *objpath, const char *key, const char **out)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    *out = NULL;
    if (v == NULL || cJSON_IsNull(v)) return CF_OK;
    if (!cJSON_IsString(v) || v->valuestring == NULL) {
        char path[160];
        join_path(path, sizeof path, objpath, key);
        return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, path, "expected a string, found %s", json_kind(v));
    }
    *out = v->valuestring;
    return CF_OK;
}

/* Rejects keys of obj that are not in the NULL-terminated list allowed (typos would otherwise be silently
 * ignored), and rejects obj itself when it is not an object. */
static cf_status check_object(pctx *c, const cJSON *obj, const char *objpath, const char *const *allowed)
{
    if (!cJSON_IsObject(obj))
        return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, objpath[0] ? objpath : "(plan)",
                            "expected an object, found %s", json_kind(obj));
    for (const cJSON *it = obj->child; it != NULL; it = it->next) {
        int ok = 0;
        for (size_t i = 0; allowed[i] != NULL; i++)
            if (it->string && strcmp(it->string, allowed[i]) == 0) ok = 1;
        if (!ok) {
            char path[160], list[512];
            join_path(path, sizeof path, objpath, it->string ? it->string : "?");
            size_t used = 0;
            list[0] = '\0';
            for (size_t i = 0; allowed[i] != NULL && used < sizeof list; i++) {
                int k = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", allowed[i]);
                if (k > 0) used += (size_t)k;
            }
            return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, path, "unknown field (expected one of: %s)",
                                list);
        }
    }
    return CF_OK;
}

/* ---- catalog look-ups ----------------------------------------------------------------------------------------- */

static double offer_price(const cf_offer *o, int opt)
{
    switch (opt) {
    case CF_PROC_ON_DEMAND: return o->on_demand;
    case CF_PROC_SPOT: return o->spot;
    case CF_PROC_RESERVED_1Y: return o->reserved_1y;
    case CF_PROC_RESERVED_3Y: return o->reserved_3y;
    default: return NAN;
    }
}

/* Finds the cheapest catalog offer for hw and option opt: in region first (when given), else in any region,
 * optionally restricted to a provider. Returns NULL when none has a price. */
static const cf_offer *cheapest_offer(const cf_catalog *cat, const cf_hardware *hw, const cf_region *region,
                                      const char *provider, int opt)
{
    if (cat == NULL || hw == NULL) return NULL;
    size_t n = cf_catalog_offer_count(cat);
    for (int pass = region ? 0 : 1; pass < 2; pass++) {
        const cf_offer *best = NULL;
        for (size_t i = 0; i < n; i++) {
            const cf_offer *o = cf_catalog_offer_at(cat, i);
            if (o == NULL || o->hardware == NULL || cf_catalog_hardware(cat, o->hardware) != hw) continue;
            if (provider && provider[0] && (o->provider == NULL || strcasecmp(o->provider, provider) != 0)) continue;
            if (pass == 0 && (o->region == NULL || cf_catalog_region(cat, o->region) != region)) continue;
            double p = offer_price(o, opt);
            if (!(p > 0) || !isfinite(p)) continue;
            if (best == NULL || p < offer_price(best, opt)) best = o;
        }
        if (best) return best;
    }
    return NULL;
}

/* ---- resolving a plan ----------------------------------------------------------------------------------------- */

static const char *const k_top_keys[] = {"name",
                                         "description",
                                         "horizon_months",
                                         "demand_gpu_hours_per_month",
                                         "hardware",
                                         "region",
                                         "discount_rate_annual",
                                         "target_utilization",
                                         "grid_gco2e_per_kwh",
                                         "carbon_price_usd_per_t",
                                         "carbon_price_path",
                                         "carbon_cost_includes_embodied",
                                         "objective",
                                         "on_prem",
                                         "cloud",
                                         "hybrid",
                                         "uncertainty",
                                         "derived",
                                         "data",
                                         NULL};
static const char *const k_data_keys[] = {"location", "gb_per_month", "stored_gb", "storage_class", "owned_site",
                                          NULL};
static const char *const k_onprem_keys[] = {"server_capex_usd",
                                            "gpus_per_server",
                                            "life_months",
                                            "residual_fraction",
                                            "server_power_kw",
                                            "pue",
                                            "electricity_usd_per_kwh",
                                            "colocation_usd_per_kw_month",
                                            "ops_usd_per_server_month",
                                            "servers",
                                            "grid_gco2e_per_kwh",
                                            "embodied_kgco2e_per_server",
                                            "embodied_kgco2e_per_gpu",
                                            NULL};
static const char *const k_cloud_keys[] = {"provider",
                                           "on_demand",
                                           "reserved_1y",
                                           "reserved_3y",
                                           "spot",
                                           "spot_interruptions_per_hour",
                                           "checkpoint_minutes",
                                           "restart_minutes",
                                           "checkpoint_interval",
                                           "pue",
                                           "gpu_power_w",
                                           "grid_gco2e_per_kwh",
                                           "embodied_kgco2e_per_gpu_hour",
                                           NULL};
static const char *const k_demand_keys[] = {"start", "growth_monthly", "seasonality", NULL};
static const char *const k_hybrid_keys[] = {"burst", NULL};

static cf_status need(pctx *c, const char *path, const char *why)
{
    return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, path, "required: %s", why);
}

/* Parses the demand field into p->demand (H values); sets the horizon from an array's length when the plan gives
 * no horizon. */
static cf_status resolve_demand(pctx *c, const cJSON *root, tco_params *p, int horizon_given)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "demand_gpu_hours_per_month");
    const char *path = "demand_gpu_hours_per_month";
    for (int i = 0; i < 12; i++) p->seasonality[i] = 1.0;
    if (d == NULL || cJSON_IsNull(d)) return need(c, path, "a number, an array of monthly values or an object");
    if (cJSON_IsArray(d)) {
        int n = cJSON_GetArraySize(d);
        if (n < 1 || n > MAX_HORIZON)
            return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, path,
                                "expected an array of 1 to %d monthly values, found %d", MAX_HORIZON, n);
        if (!horizon_given) p->H = n;
        if (n != p->H)
            return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, path,
                                "expected %d monthly values (horizon_months), found %d", p->H, n);
        p->demand = malloc((size_t)p->H * sizeof *p->demand);
        if (p->demand == NULL) return cf_error_set(c->err, CF_ERR_NOMEM, c->source, 0, 0, path, "out of memory");
        int i = 0;
        for (const cJSON *it = d->child; it; it = it->next, i++) {
            char ip[160];
            snprintf(ip, sizeof ip, "%s[%d]", path, i);
            cf_status s = check_number(c, it, ip, 0, 1, MAX_DEMAND, 1, 0, &p->demand[i]);
            if (s != CF_OK) return s;
        }
        p->demand_kind = 1;
        return CF_OK;
    }
    double start = NAN, growth = 0.0;
    if (cJSON_IsNumber(d)) {
        cf_status s = check_number(c, d, path, 0, 1, MAX_DEMAND, 1, 0, &start);
        if (s != CF_OK) return s;
        p->demand_kind = 0;
    } else if (cJSON_IsObject(d)) {
        cf_status s = check_object(c, d, path, k_demand_keys);
        if (s == CF_OK) s = get_num(c, d, path, "start", 0, 1, MAX_DEMAND, 1, &start);
        if (s == CF_OK) s = get_num(c, d, path, "growth_monthly", -1, 0, 10, 1, &growth);
        if (s != CF_OK) return s;
        if (isnan(start)) return need(c, "demand_gpu_hours_per_month.start", "GPU-hours demanded in month 1");
        const cJSON *sea = cJSON_GetObjectItemCaseSensitive(d, "seasonality");
        if (sea && !cJSON_IsNull(sea)) {
            if (!cJSON_IsArray(sea) || cJSON_GetArraySize(sea) != 12)
                return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, "demand_gpu_hours_per_month.seasonality",
                                    "expected an array of 12 factors, found %s",
                                    cJSON_IsArray(sea) ? "another length" : json_kind(sea));
            int i = 0;
            for (const cJSON *it = sea->child; it; it = it->next, i++) {
                char ip[160];
                snprintf(ip, sizeof ip, "demand_gpu_hours_per_month.seasonality[%d]", i);
                s = check_number(c, it, ip, 0, 1, INFINITY, 0, 0, &p->seasonality[i]);
                if (s != CF_OK) return s;
            }
        }
        p->demand_kind = 2;
    } else {
        return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, path,
                            "expected a number, an array of monthly values or an object, found %s", json_kind(d));
    }
    p->demand_start = start;
    p->demand_growth = growth;
    p->demand = malloc((size_t)p->H * sizeof *p->demand);
    if (p->demand == NULL) return cf_error_set(c->err, CF_ERR_NOMEM, c->source, 0, 0, path, "out of memory");
    for (int m = 0; m < p->H; m++) {
        p->demand[m] = start * pow(1.0 + growth, m) * p->seasonality[m % 12];
        if (!(p->demand[m] <= MAX_DEMAND)) /* steep growth over a long horizon, or huge seasonal factors */
            return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, path,
                                "expected at most %g GPU-hours in every month, found %g in month %d (start x (1 + "
                                "growth_monthly)^(m-1) x seasonality)",
                                MAX_DEMAND, p->demand[m], m + 1);
    }
    return CF_OK;
}

/* Parses root and fills every field of *p, taking defaults from catalog (may be NULL) and from the documented
 * constants. On failure *p is freed. */
/* The plan's optional "data" section (issue 16): where the data lives ("provider/region", as runs give it), GB moved
 * per month and GB kept, the storage class and the owned site ("owner-amortised/on-prem-us" by default). Cloud
 * options pay egress from the data's location to their offer's region (or the plan's provider and region when the
 * plan gives its own price) and storage there; owned servers pay the path to the owned site (internet, unless the
 * data is already there) and the owned site's storage. Prices come from the catalog's egress and storage tables. */
static cf_status resolve_data(pctx *c, const cJSON *root, const cf_catalog *cat, const cf_offer *const *used,
                              tco_params *p)
{
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(root, "data");
    if (dt == NULL || cJSON_IsNull(dt)) return CF_OK;
    cf_status s = check_object(c, dt, "data", k_data_keys);
    if (s != CF_OK) return s;
    const char *loc = NULL, *cls = NULL, *site = NULL;
    if ((s = get_str(c, dt, "data", "location", &loc)) != CF_OK) return s;
    if ((s = get_str(c, dt, "data", "storage_class", &cls)) != CF_OK) return s;
    if ((s = get_str(c, dt, "data", "owned_site", &site)) != CF_OK) return s;
    if ((s = get_num(c, dt, "data", "gb_per_month", 0, 1, INFINITY, 0, &p->data_gb_month)) != CF_OK) return s;
    if ((s = get_num(c, dt, "data", "stored_gb", 0, 1, INFINITY, 0, &p->stored_gb)) != CF_OK) return s;
    if (cat == NULL) return need(c, "data", "a catalog (egress and storage prices come from it)");
    cf_storage_class sc = CF_STORAGE_OBJECT_STANDARD;
    if (cls && cf_storage_class_parse(cls, &sc) != CF_OK)
        return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, "data.storage_class",
                            "expected object_standard, object_infrequent or block_ssd, found \"%s\"", cls);
    const cf_egress *src = NULL;
    if (p->data_gb_month > 0 && loc == NULL) return need(c, "data.location", "where the data lives, e.g. \"aws/us-east-1\"");
    if (loc) {
        cf_error e;
        cf_error_clear(&e);
        if (cf_catalog_data_location(cat, loc, &src, &e) != CF_OK)
            return cf_error_set(c->err, e.status, c->source, 0, 0, "data.location", "%s", e.message);
        snprintf(p->data_location, sizeof p->data_location, "%s/%s", src->provider, src->region);
    }
    char oprov[64] = "owner-amortised", oreg[96] = "on-prem-us";
    if (site) {
        const char *sl = strchr(site, '/');
        if (sl == NULL || sl == site || sl[1] == '\0' || (size_t)(sl - site) >= sizeof oprov)
            return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, "data.owned_site",
                                "expected provider/region (e.g. \"owner-amortised/on-prem-us\"), found \"%s\"", site);
        snprintf(oprov, sizeof oprov, "%.*s", (int)(sl - site), site);
        snprintf(oreg, sizeof oreg, "%s", sl + 1);
    }
    p->has_data = 1;
    snprintf(p->data_class, sizeof p->data_class, "%s", cf_storage_class_name(sc));
    snprintf(p->data_site, sizeof p->data_site, "%s/%s", oprov, oreg);
    const cf_storage *so = cf_catalog_storage(cat, oprov, oreg);
    p->storage_own = p->stored_gb > 0 ? (so ? so->usd_per_gb_month[sc] : NAN) : 0.0;
    p->egress_own = p->data_gb_month > 0 ? cf_egress_price(cat, src, oprov, oreg, NULL) : 0.0;
    for (int o = 0; o < N_CLOUD; o++) {
        const char *cp = used[o] ? used[o]->provider : (p->provider[0] ? p->provider : NULL);
        const char *cr = used[o] ? used[o]->region : (p->region[0] ? p->region : NULL);
        const cf_storage *st = cp && cr ? cf_catalog_storage(cat, cp, cr) : NULL;
        p->storage_cloud[o] = p->stored_gb > 0 ? (st ? st->usd_per_gb_month[sc] : NAN) : 0.0;
        p->egress_cloud[o] = p->data_gb_month > 0 ? (cp ? cf_egress_price(cat, src, cp, cr, NULL) : NAN) : 0.0;
    }
    return CF_OK;
}

static cf_status resolve(const cJSON *root, const char *source, const cf_catalog *cat, tco_params *p, cf_error *err)
{
    pctx cc = {source, err}, *c = &cc;
    memset(p, 0, sizeof *p);
    cf_status s = check_object(c, root, "", k_top_keys);
    if (s != CF_OK) return s;

    /* hardware and region */
    const char *hwname = NULL, *regname = NULL;
    if ((s = get_str(c, root, "", "hardware", &hwname)) != CF_OK) return s;
    if ((s = get_str(c, root, "", "region", &regname)) != CF_OK) return s;
    if (hwname == NULL) return need(c, "hardware", "a hardware id or alias such as \"h100\"");
    const cf_hardware *hw = NULL;
    const cf_region *reg = NULL;
    if (cat) {
        hw = cf_catalog_hardware(cat, hwname);
        if (hw == NULL)
            return cf_error_set(err, CF_ERR_NOT_FOUND, source, 0, 0, "hardware",
                                "unknown hardware \"%s\" (not in the catalog)", hwname);
        if (regname) {
            reg = cf_catalog_region(cat, regname);
            if (reg == NULL)
                return cf_error_set(err, CF_ERR_NOT_FOUND, source, 0, 0, "region",
                                    "unknown region \"%s\" (not in the catalog)", regname);
        }
    }
    snprintf(p->hardware, sizeof p->hardware, "%s", hw ? hw->id : hwname);
    snprintf(p->region, sizeof p->region, "%s", reg ? reg->id : (regname ? regname : ""));

    /* horizon and demand */
    p->H = DEF_HORIZON;
    const cJSON *hv = cJSON_GetObjectItemCaseSensitive(root, "horizon_months");
    int horizon_given = hv != NULL && !cJSON_IsNull(hv);
    if ((s = get_int(c, root, "", "horizon_months", 1, MAX_HORIZON, &p->H)) != CF_OK) return s;
    if ((s = resolve_demand(c, root, p, horizon_given)) != CF_OK) goto fail;

    p->rate = 0.0;
    p->target_util = DEF_TARGET_UTIL;
    if ((s = get_num(c, root, "", "discount_rate_annual", 0, 1, 10, 1, &p->rate)) != CF_OK) goto fail;
    if ((s = get_num(c, root, "", "target_utilization", 0, 0, 1, 1, &p->target_util)) != CF_OK) goto fail;
    double grid = reg && isfinite(reg->grid_gco2e_per_kwh) ? reg->grid_gco2e_per_kwh : DEF_GRID;
    if ((s = get_num(c, root, "", "grid_gco2e_per_kwh", 0, 1, INFINITY, 0, &grid)) != CF_OK) goto fail;
    p->carbon_price = cat && isfinite(cf_catalog_carbon_price(cat)) ? cf_catalog_carbon_price(cat) : DEF_CARBON_PRICE;
    if ((s = get_num(c, root, "", "carbon_price_usd_per_t", 0, 1, INFINITY, 0, &p->carbon_price)) != CF_OK) goto fail;
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(root, "carbon_price_path");
    if (path && !cJSON_IsNull(path)) {
        int n = cJSON_IsArray(path) ? cJSON_GetArraySize(path) : 0;
        if (n < 1) {
            s = cf_error_set(err, CF_ERR_INVALID, source, 0, 0, "carbon_price_path",
                             "expected a non-empty array of USD/t values, one per plan year, found %s",
                             cJSON_IsArray(path) ? "an empty array" : json_kind(path));
            goto fail;
        }
        p->carbon_path = malloc((size_t)n * sizeof *p->carbon_path);
        if (p->carbon_path == NULL) {
            s = cf_error_set(err, CF_ERR_NOMEM, source, 0, 0, NULL, "out of memory");
            goto fail;
        }
        p->n_path = n;
        int i = 0;
        for (const cJSON *it = path->child; it; it = it->next, i++) {
            char ip[64];
            snprintf(ip, sizeof ip, "carbon_price_path[%d]", i);
            if ((s = check_number(c, it, ip, 0, 1, INFINITY, 0, 0, &p->carbon_path[i])) != CF_OK) goto fail;
        }
    }
    p->carbon_embodied = 1;
    const cJSON *ce = cJSON_GetObjectItemCaseSensitive(root, "carbon_cost_includes_embodied");
    if (ce && !cJSON_IsNull(ce)) {
        if (!cJSON_IsBool(ce)) {
            s = cf_error_set(err, CF_ERR_INVALID, source, 0, 0, "carbon_cost_includes_embodied",
                             "expected true or false, found %s", json_kind(ce));
            goto fail;
        }
        p->carbon_embodied = cJSON_IsTrue(ce);
    }
    const char *obj = NULL;
    p->objective = CF_TCO_METRIC_NPV;
    if ((s = get_str(c, root, "", "objective", &obj)) != CF_OK) goto fail;
    if (obj) {
        static const char *const names[] = {"total", "npv", "total_with_carbon", "npv_with_carbon"};
        int found = -1;
        for (int i = 0; i < 4; i++)
            if (strcmp(obj, names[i]) == 0) found = i;
        if (found < 0) {
            s = cf_error_set(err, CF_ERR_INVALID, source, 0, 0, "objective",
                             "expected \"total\", \"npv\", \"total_with_carbon\" or \"npv_with_carbon\", found \"%s\"",
                             obj);
            goto fail;
        }
        p->objective = (cf_tco_metric)found;
    }

    /* on-prem */
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(root, "on_prem");
    if (op && !cJSON_IsNull(op)) {
        if ((s = check_object(c, op, "on_prem", k_onprem_keys)) != CF_OK) goto fail;
    } else {
        op = NULL;
    }
    p->gpus = DEF_GPUS_PER_SERVER;
    if ((s = get_int(c, op, "on_prem", "gpus_per_server", 1, 1024, &p->gpus)) != CF_OK) goto fail;
    p->life =
        hw && isfinite(hw->life_years) && hw->life_years > 0 ? (int)lround(hw->life_years * 12.0) : DEF_LIFE_MONTHS;
    if ((s = get_int(c, op, "on_prem", "life_months", 1, 600, &p->life)) != CF_OK) goto fail;
    p->capex = hw && isfinite(hw->purchase_usd) && hw->purchase_usd > 0
                   ? hw->purchase_usd * p->gpus * DEF_SERVER_OVER_GPUS
                   : NAN;
    if ((s = get_num(c, op, "on_prem", "server_capex_usd", 0, 1, INFINITY, 0, &p->capex)) != CF_OK) goto fail;
    if (isnan(p->capex)) {
        s = need(c, "on_prem.server_capex_usd", "the catalog has no purchase price for this hardware");
        goto fail;
    }
    p->residual = 0.0;
    if ((s = get_num(c, op, "on_prem", "residual_fraction", 0, 1, 1, 0, &p->residual)) != CF_OK) goto fail;
    p->power_kw = hw && isfinite(hw->board_power_w) && hw->board_power_w > 0
                      ? hw->board_power_w / 1000.0 * p->gpus / DEF_GPU_POWER_SHARE
                      : NAN;
    if ((s = get_num(c, op, "on_prem", "server_power_kw", 0, 0, INFINITY, 0, &p->power_kw)) != CF_OK) goto fail;
    if (isnan(p->power_kw)) {
        s = need(c, "on_prem.server_power_kw", "the catalog has no board power for this hardware");
        goto fail;
    }
    p->pue_op = DEF_PUE_ONPREM;
    if ((s = get_num(c, op, "on_prem", "pue", 1, 1, INFINITY, 0, &p->pue_op)) != CF_OK) goto fail;
    p->elec = reg && isfinite(reg->electricity_usd_per_kwh) ? reg->electricity_usd_per_kwh : DEF_ELECTRICITY;
    if ((s = get_num(c, op, "on_prem", "electricity_usd_per_kwh", 0, 1, INFINITY, 0, &p->elec)) != CF_OK) goto fail;
    p->colo = DEF_COLOCATION;
    if ((s = get_num(c, op, "on_prem", "colocation_usd_per_kw_month", 0, 1, INFINITY, 0, &p->colo)) != CF_OK) goto fail;
    p->ops = DEF_OPS;
    if ((s = get_num(c, op, "on_prem", "ops_usd_per_server_month", 0, 1, INFINITY, 0, &p->ops)) != CF_OK) goto fail;
    p->servers_fixed = -1;
    if ((s = get_int(c, op, "on_prem", "servers", 0, MAX_SERVERS, &p->servers_fixed)) != CF_OK) goto fail;
    if (p->servers_fixed < 0 && p->demand) {
        double pk = 0.0;
        for (int m = 0; m < p->H; m++) pk = fmax(pk, p->demand[m]);
        double need_servers = pk / (p->gpus * H_MONTH * p->target_util);
        if (need_servers > MAX_SERVERS) {
            s = cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, "on_prem.servers",
                             "the fleet sized for the peak month (%g GPU-hours at target_utilization %g, %d GPUs per "
                             "server) would be %.4g servers, more than %d: lower the demand, raise "
                             "target_utilization or gpus_per_server, or give on_prem.servers",
                             pk, p->target_util, p->gpus, need_servers, MAX_SERVERS);
            goto fail;
        }
    }
    p->grid_op = grid;
    if ((s = get_num(c, op, "on_prem", "grid_gco2e_per_kwh", 0, 1, INFINITY, 0, &p->grid_op)) != CF_OK) goto fail;
    p->emb_server = DEF_EMB_SERVER;
    p->emb_gpu = DEF_EMB_GPU;
    if ((s = get_num(c, op, "on_prem", "embodied_kgco2e_per_server", 0, 1, INFINITY, 0, &p->emb_server)) != CF_OK)
        goto fail;
    if ((s = get_num(c, op, "on_prem", "embodied_kgco2e_per_gpu", 0, 1, INFINITY, 0, &p->emb_gpu)) != CF_OK) goto fail;

    /* cloud */
    const cJSON *cl = cJSON_GetObjectItemCaseSensitive(root, "cloud");
    if (cl && !cJSON_IsNull(cl)) {
        if ((s = check_object(c, cl, "cloud", k_cloud_keys)) != CF_OK) goto fail;
    } else {
        cl = NULL;
    }
    const char *prov = NULL;
    if ((s = get_str(c, cl, "cloud", "provider", &prov)) != CF_OK) goto fail;
    snprintf(p->provider, sizeof p->provider, "%s", prov ? prov : "");
    p->lambda = NAN;
    const cf_offer *spot_offer = NULL;
    const cf_offer *used_offer[N_CLOUD] = {NULL, NULL, NULL, NULL}; /* for the data section's egress paths */
    for (int o = 0; o < N_CLOUD; o++) {
        p->price[o] = NAN;
        if ((s = get_num(c, cl, "cloud", k_opt_names[o], 0, 0, INFINITY, 0, &p->price[o])) != CF_OK) goto fail;
        if (!isnan(p->price[o])) {
            snprintf(p->src[o], sizeof p->src[o], "plan");
            continue;
        }
        const cf_offer *best = cheapest_offer(cat, hw, reg, prov, o);
        if (best) {
            used_offer[o] = best;
            p->price[o] = offer_price(best, o);
            snprintf(p->src[o], sizeof p->src[o], "catalog: %s %s", best->provider ? best->provider : "?",
                     best->region ? best->region : "?");
            if (o == CF_PROC_SPOT) spot_offer = best;
        } else {
            snprintf(p->src[o], sizeof p->src[o], "not offered");
        }
    }
    if (spot_offer && isfinite(spot_offer->spot_interruptions_per_hour))
        p->lambda = spot_offer->spot_interruptions_per_hour;
    if (isnan(p->lambda)) p->lambda = DEF_LAMBDA;
    if ((s = resolve_data(c, root, cat, used_offer, p)) != CF_OK) goto fail;
    if ((s = get_num(c, cl, "cloud", "spot_interruptions_per_hour", 0, 1, INFINITY, 0, &p->lambda)) != CF_OK) goto fail;
    cf_spot_params_default(&p->spot);
    double ck = p->spot.checkpoint_hours * 60.0, rs = p->spot.restart_hours * 60.0;
    if ((s = get_num(c, cl, "cloud", "checkpoint_minutes", 0, 1, INFINITY, 0, &ck)) != CF_OK) goto fail;
    if ((s = get_num(c, cl, "cloud", "restart_minutes", 0, 1, INFINITY, 0, &rs)) != CF_OK) goto fail;
    p->spot.checkpoint_hours = ck / 60.0;
    p->spot.restart_hours = rs / 60.0;
    const char *civ = NULL;
    if ((s = get_str(c, cl, "cloud", "checkpoint_interval", &civ)) != CF_OK) goto fail;
    if (civ) {
        if (strcmp(civ, "daly") == 0)
            p->spot.use_daly = 1;
        else if (strcmp(civ, "young") == 0)
            p->spot.use_daly = 0;
        else {
            s = cf_error_set(err, CF_ERR_INVALID, source, 0, 0, "cloud.checkpoint_interval",
                             "expected \"daly\" or \"young\", found \"%s\"", civ);
            goto fail;
        }
    }
    p->cloud_pue = reg && isfinite(reg->pue) && reg->pue >= 1 ? reg->pue : DEF_CLOUD_PUE;
    if ((s = get_num(c, cl, "cloud", "pue", 1, 1, INFINITY, 0, &p->cloud_pue)) != CF_OK) goto fail;
    double gw =
        hw && isfinite(hw->board_power_w) ? hw->board_power_w : p->power_kw * 1000.0 * DEF_GPU_POWER_SHARE / p->gpus;
    if ((s = get_num(c, cl, "cloud", "gpu_power_w", 0, 0, INFINITY, 0, &gw)) != CF_OK) goto fail;
    p->gpu_kw = gw / 1000.0;
    p->grid_cloud = grid;
    if ((s = get_num(c, cl, "cloud", "grid_gco2e_per_kwh", 0, 1, INFINITY, 0, &p->grid_cloud)) != CF_OK) goto fail;
    if (hw && isfinite(hw->embodied_kgco2e) && isfinite(hw->life_years) && hw->life_years > 0)
        p->emb_gpuh = hw->embodied_kgco2e / (hw->life_years * 12.0 * H_MONTH);
    else
        p->emb_gpuh = (p->emb_server / p->gpus + p->emb_gpu) / (p->life * H_MONTH);
    if ((s = get_num(c, cl, "cloud", "embodied_kgco2e_per_gpu_hour", 0, 1, INFINITY, 0, &p->emb_gpuh)) != CF_OK)
        goto fail;

    /* hybrid */
    p->burst_pref = -1;
    const cJSON *hy = cJSON_GetObjectItemCaseSensitive(root, "hybrid");
    if (hy && !cJSON_IsNull(hy)) {
        if ((s = check_object(c, hy, "hybrid", k_hybrid_keys)) != CF_OK) goto fail;
        const char *b = NULL;
        if ((s = get_str(c, hy, "hybrid", "burst", &b)) != CF_OK) goto fail;
        if (b) {
            if (strcmp(b, "on_demand") == 0)
                p->burst_pref = CF_PROC_ON_DEMAND;
            else if (strcmp(b, "spot") == 0)
                p->burst_pref = CF_PROC_SPOT;
            else if (strcmp(b, "cheapest") != 0) {
                s = cf_error_set(err, CF_ERR_INVALID, source, 0, 0, "hybrid.burst",
                                 "expected \"cheapest\", \"on_demand\" or \"spot\", found \"%s\"", b);
                goto fail;
            }
        }
    }

    /* uncertainty */
    memcpy(p->unc_lo, k_unc_lo, sizeof p->unc_lo);
    memcpy(p->unc_hi, k_unc_hi, sizeof p->unc_hi);
    const cJSON *un = cJSON_GetObjectItemCaseSensitive(root, "uncertainty");
    if (un && !cJSON_IsNull(un)) {
        static const char *const ukeys[] = {"demand",        "on_demand_price", "spot_price",
                                            "interruptions", "electricity",     "residual",
                                            "carbon_price",  "capex",           NULL};
        if ((s = check_object(c, un, "uncertainty", ukeys)) != CF_OK) goto fail;
        for (int i = 0; i < CF_TCO_IN_COUNT; i++) {
            const cJSON *r = cJSON_GetObjectItemCaseSensitive(un, k_input_names[i]);
            if (r == NULL || cJSON_IsNull(r)) continue;
            char ip[96];
            snprintf(ip, sizeof ip, "uncertainty.%s", k_input_names[i]);
            if (!cJSON_IsArray(r) || cJSON_GetArraySize(r) != 2) {
                s = cf_error_set(err, CF_ERR_INVALID, source, 0, 0, ip, "expected [low, high], found %s",
                                 cJSON_IsArray(r) ? "another length" : json_kind(r));
                goto fail;
            }
            double lo = 0, hi = 0;
            double hib = i == CF_TCO_IN_RESIDUAL ? 1.0 : INFINITY;
            char ipl[112], iph[112];
            snprintf(ipl, sizeof ipl, "%s[0]", ip);
            snprintf(iph, sizeof iph, "%s[1]", ip);
            if ((s = check_number(c, r->child, ipl, 0, 1, hib, i == CF_TCO_IN_RESIDUAL ? 0 : 1, 0, &lo)) != CF_OK)
                goto fail;
            if ((s = check_number(c, r->child->next, iph, lo, 1, hib, i == CF_TCO_IN_RESIDUAL ? 0 : 1, 0, &hi)) !=
                CF_OK)
                goto fail;
            p->unc_lo[i] = lo;
            p->unc_hi[i] = hi;
        }
    }
    return CF_OK;
fail:
    params_free(p);
    return s;
}

/* ---- plans: public API ---------------------------------------------------------------------------------------- */

cf_plan *cf_plan_create(void) { return calloc(1, sizeof(cf_plan)); }

void cf_plan_destroy(cf_plan *plan)
{
    if (plan == NULL) return;
    cJSON_Delete(plan->root);
    free(plan->hardware);
    free(plan);
}

/* Converts a byte offset in text to a 1-based line and column. */
static void offset_to_line(const char *text, size_t off, long *line, long *col)
{
    long l = 1, cpos = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            l++;
            cpos = 1;
        } else
            cpos++;
    }
    *line = l;
    *col = cpos;
}

/* Validates root and, when valid, makes it the plan's tree (taking ownership); otherwise deletes it. */
static cf_status adopt_root(cf_plan *plan, cJSON *root, const char *source, const cf_catalog *cat, cf_error *err)
{
    tco_params p;
    cf_status s = resolve(root, source, cat, &p, err);
    if (s != CF_OK) {
        cJSON_Delete(root);
        return s;
    }
    params_free(&p);
    const cJSON *hw = cJSON_GetObjectItemCaseSensitive(root, "hardware");
    char *hcopy = strdup(hw->valuestring);
    if (hcopy == NULL) {
        cJSON_Delete(root);
        return cf_error_set(err, CF_ERR_NOMEM, source, 0, 0, NULL, "out of memory");
    }
    cJSON_Delete(plan->root);
    free(plan->hardware);
    plan->root = root;
    plan->hardware = hcopy;
    if (source != plan->source) snprintf(plan->source, sizeof plan->source, "%s", source ? source : "");
    return CF_OK;
}

cf_status cf_plan_load_string(cf_plan *plan, const char *json, const char *source, const cf_catalog *catalog,
                              cf_error *err)
{
    if (plan == NULL || json == NULL)
        return cf_error_set(err, CF_ERR_ARG, source, 0, 0, NULL, "plan and JSON text must not be NULL");
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(json, &end, 1);
    if (root == NULL) {
        long line = 0, col = 0;
        size_t off = end ? (size_t)(end - json) : 0;
        offset_to_line(json, off, &line, &col);
        return cf_error_set(err, CF_ERR_PARSE, source, line, col, NULL, "the plan is not valid JSON");
    }
    return adopt_root(plan, root, source, catalog, err);
}

cf_status cf_plan_load_file(cf_plan *plan, const char *path, const cf_catalog *catalog, cf_error *err)
{
    if (plan == NULL || path == NULL)
        return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "plan and path must not be NULL");
    FILE *f = fopen(path, "rb");
    if (f == NULL) return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot open the plan: %s", strerror(errno));
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t k = fread(buf + len, 1, cap - len - 1, f);
        len += k;
        if (k == 0) break;
        if (len + 1 == cap) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int rerr = ferror(f);
    fclose(f);
    if (buf == NULL) return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory reading the plan");
    if (rerr) {
        free(buf);
        return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot read the plan");
    }
    buf[len] = '\0';
    cf_status s = cf_plan_load_string(plan, buf, path, catalog, err);
    free(buf);
    return s;
}

cf_status cf_plan_set_number(cf_plan *plan, const char *path, double value, const cf_catalog *catalog, cf_error *err)
{
    if (plan == NULL || path == NULL || plan->root == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, path, "no plan loaded");
    cJSON *root = cJSON_Duplicate(plan->root, 1);
    if (root == NULL) return cf_error_set(err, CF_ERR_NOMEM, plan->source, 0, 0, path, "out of memory");
    char key[160];
    snprintf(key, sizeof key, "%s", path);
    cJSON *obj = root;
    char *leaf = key, *dot;
    while ((dot = strchr(leaf, '.')) != NULL) {
        *dot = '\0';
        cJSON *child = cJSON_GetObjectItemCaseSensitive(obj, leaf);
        if (child == NULL || cJSON_IsNull(child)) {
            if (child) cJSON_DeleteItemFromObjectCaseSensitive(obj, leaf);
            child = cJSON_AddObjectToObject(obj, leaf);
        }
        if (child == NULL || !cJSON_IsObject(child)) {
            cJSON_Delete(root);
            return cf_error_set(err, CF_ERR_INVALID, plan->source, 0, 0, path, "\"%s\" is not an object", leaf);
        }
        obj = child;
        leaf = dot + 1;
    }
    cJSON *num = cJSON_CreateNumber(value);
    if (num == NULL) {
        cJSON_Delete(root);
        return cf_error_set(err, CF_ERR_NOMEM, plan->source, 0, 0, path, "out of memory");
    }
    if (cJSON_GetObjectItemCaseSensitive(obj, leaf))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, leaf, num);
    else
        cJSON_AddItemToObject(obj, leaf, num);
    return adopt_root(plan, root, plan->source, catalog, err);
}

int cf_plan_horizon_months(const cf_plan *plan)
{
    if (plan == NULL || plan->root == NULL) return 0;
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(plan->root, "horizon_months");
    if (cJSON_IsNumber(h)) return (int)h->valuedouble;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(plan->root, "demand_gpu_hours_per_month");
    if (cJSON_IsArray(d)) return cJSON_GetArraySize(d);
    return DEF_HORIZON;
}

const char *cf_plan_hardware(const cf_plan *plan) { return plan ? plan->hardware : NULL; }

/* ---- closed-form helpers -------------------------------------------------------------------------------------- */

double cf_tco_discount_factor(double rate_annual, double month) { return pow(1.0 + rate_annual, -month / 12.0); }

double cf_tco_npv(const double *flows, size_t n, double rate_annual)
{
    double s = 0.0;
    for (size_t i = 0; flows && i < n; i++) s += flows[i] * cf_tco_discount_factor(rate_annual, (double)(i + 1));
    return s;
}

double cf_tco_breakeven_utilization(double fixed_usd, double energy_full_usd, double gpu_hours_full,
                                    double cloud_usd_per_gpu_hour, int scales_with_use)
{
    double revenue = gpu_hours_full * cloud_usd_per_gpu_hour;
    if (scales_with_use) {
        double margin = revenue - energy_full_usd;
        return margin > 0 ? fixed_usd / margin : INFINITY;
    }
    return revenue > 0 ? (fixed_usd + energy_full_usd) / revenue : INFINITY;
}

double cf_tco_reserved_breakeven(double reserved_usd_per_hour, double on_demand_usd_per_hour)
{
    return on_demand_usd_per_hour > 0 ? reserved_usd_per_hour / on_demand_usd_per_hour : NAN;
}

const char *cf_tco_input_name(cf_tco_input in)
{
    return (int)in >= 0 && in < CF_TCO_IN_COUNT ? k_input_names[in] : "unknown";
}

double cf_tco_option_metric(const cf_tco_option *o, cf_tco_metric metric)
{
    if (o == NULL || !o->available) return NAN;
    switch (metric) {
    case CF_TCO_METRIC_TOTAL: return o->total_usd;
    case CF_TCO_METRIC_NPV: return o->npv_usd;
    case CF_TCO_METRIC_TOTAL_WITH_CARBON: return o->total_with_carbon_usd;
    case CF_TCO_METRIC_NPV_WITH_CARBON: return o->npv_with_carbon_usd;
    }
    return NAN;
}

/* ---- simulation ----------------------------------------------------------------------------------------------- */

/* A scenario: the values of the uncertain inputs (factors for relative inputs, values for absolute ones; NaN for
 * residual and carbon price means "the plan's"). */
typedef struct scen {
    double v[CF_TCO_IN_COUNT];
} scen;

static void scen_base(scen *sc)
{
    for (int i = 0; i < CF_TCO_IN_COUNT; i++) sc->v[i] = input_is_absolute(i) ? NAN : 1.0;
}

/* Applies a scenario to a shallow copy of the parameters (pointers stay shared). */
static void apply_scen(const tco_params *base, const scen *sc, tco_params *p)
{
    *p = *base;
    p->price[CF_PROC_ON_DEMAND] *= sc->v[CF_TCO_IN_ON_DEMAND_PRICE];
    p->price[CF_PROC_SPOT] *= sc->v[CF_TCO_IN_SPOT_PRICE];
    p->lambda *= sc->v[CF_TCO_IN_INTERRUPTIONS];
    p->elec *= sc->v[CF_TCO_IN_ELECTRICITY];
    p->capex *= sc->v[CF_TCO_IN_CAPEX];
    if (!isnan(sc->v[CF_TCO_IN_RESIDUAL])) p->residual = sc->v[CF_TCO_IN_RESIDUAL];
    if (!isnan(sc->v[CF_TCO_IN_CARBON_PRICE])) {
        p->carbon_price = sc->v[CF_TCO_IN_CARBON_PRICE];
        p->n_path = 0;
    }
}

static double carbon_price_at(const tco_params *p, int month)
{
    if (p->n_path > 0) {
        int y = (month - 1) / 12;
        return p->carbon_path[y < p->n_path ? y : p->n_path - 1];
    }
    return p->carbon_price;
}

static double spot_overhead(const tco_params *p)
{
    return p->lambda > 0 ? cf_spot_overhead(p->lambda, &p->spot, NULL) : 0.0;
}

/* Price per useful hour of a cloud option (spot with its overhead); NaN when not offered. */
static double useful_price(const tco_params *p, int opt)
{
    double pr = p->price[opt];
    if (opt == CF_PROC_SPOT) pr *= 1.0 + spot_overhead(p);
    return pr;
}

/* Totals of one simulated mix. */
typedef struct sim_out {
    int ok;
    double total, npv, useful, billed, owned, energy, co2_op, co2_emb, carbon, carbon_npv, disc_hours, overflow;
    double egress, storage; /* issue 16: undiscounted data costs, inside total */
} sim_out;

/* Optional per-step series (H + 1 values each, cumulative). */
typedef struct sim_series {
    double *cash, *disc, *accr, *co2, *withc;
} sim_series;

/* Simulates S owned servers, k reserved GPUs at the price of option res_opt (ignored when k = 0) and overflow on
 * option over_opt (-1: none) over the horizon, with demand scaled by dscale. */
static void simulate(const tco_params *p, double dscale, int S, int k, int res_opt, int over_opt, sim_out *o,
                     const sim_series *ser)
{
    memset(o, 0, sizeof *o);
    o->ok = 1;
    const double g = p->gpus, cap_own = S * g * H_MONTH * p->target_util, resh = k * H_MONTH;
    const double pres = k > 0 ? p->price[res_opt] : 0.0;
    const double f_over = over_opt == CF_PROC_SPOT ? spot_overhead(p) : 0.0;
    const double pover = over_opt >= 0 ? p->price[over_opt] : NAN;
    const double dep = p->capex * (1.0 - p->residual) / p->life;
    const double fixed_opex = p->power_kw * p->colo + p->ops;
    const double emb_own = (p->emb_server + g * p->emb_gpu) / p->life;
    double v = 1.0, vstep = cf_tco_discount_factor(p->rate, 1.0);
    double cash0 = S * p->capex;
    double cum_cash = cash0, cum_disc = cash0, cum_accr = 0, cum_co2 = 0, cum_withc = cash0;
    if (k > 0 && isnan(pres)) o->ok = 0;
    if (ser) {
        ser->cash[0] = cum_cash;
        ser->disc[0] = cum_disc;
        ser->accr[0] = 0;
        ser->co2[0] = 0;
        ser->withc[0] = cum_withc;
    }
    double cash_total = cash0, npv = cash0;
    for (int m = 1; m <= p->H; m++) {
        v *= vstep;
        double d = p->demand[m - 1] * dscale;
        double own = d < cap_own ? d : cap_own;
        double rest = d - own;
        double res_used = rest < resh ? rest : resh;
        double over = rest - res_used;
        if (over > 1e-9 && (over_opt < 0 || isnan(pover))) o->ok = 0;
        double over_billed = over * (1.0 + f_over);
        double own_kwh = own / g * p->power_kw * p->pue_op;
        double cloud_kwh = (res_used + over_billed) * p->gpu_kw * p->cloud_pue;
        double opex = S * fixed_opex + own_kwh * p->elec + resh * pres + (over > 0 ? over_billed * pover : 0.0);
        /* issue 16: data follows the hours (owned, reserved, overflow shares of the month's demand) and is kept at
         * the owned site when there is one, else with the cloud that serves the month. */
        if (p->data_gb_month > 0 && d > 0) {
            double e = (own * p->egress_own + (res_used > 0 ? res_used * p->egress_cloud[res_opt] : 0.0) +
                        (over > 0 ? over * p->egress_cloud[over_opt] : 0.0)) /
                       d * p->data_gb_month;
            if (isnan(e)) o->ok = 0;
            opex += e;
            o->egress += e;
        }
        if (p->stored_gb > 0) {
            int cloud_opt = over_opt >= 0 ? over_opt : res_opt;
            double st = S > 0 ? p->storage_own : (cloud_opt >= 0 ? p->storage_cloud[cloud_opt] : NAN);
            if (isnan(st)) o->ok = 0;
            opex += p->stored_gb * st;
            o->storage += p->stored_gb * st;
        }
        double accr = S * dep + opex;
        double cash = opex;
        if (S > 0 && m % p->life == 0 && m < p->H) cash += S * p->capex * (1.0 - p->residual); /* resale + rebuy */
        if (S > 0 && m == p->H) {
            int c0 = p->life * ((p->H - 1) / p->life);
            double age = p->H - c0;
            double book = p->capex - p->capex * (1.0 - p->residual) * age / p->life;
            cash -= S * book;
        }
        double co2_op = own_kwh * p->grid_op / 1000.0 + cloud_kwh * p->grid_cloud / 1000.0;
        double co2_emb = S * emb_own + (resh + over_billed) * p->emb_gpuh;
        double carbon = (co2_op + (p->carbon_embodied ? co2_emb : 0.0)) * carbon_price_at(p, m) / 1000.0;
        cash_total += cash;
        npv += cash * v;
        o->useful += d;
        o->billed += resh + over_billed;
        o->owned += own;
        o->overflow += over;
        o->energy += own_kwh + cloud_kwh;
        o->co2_op += co2_op;
        o->co2_emb += co2_emb;
        o->carbon += carbon;
        o->carbon_npv += carbon * v;
        o->disc_hours += d * v;
        if (ser) {
            cum_cash += cash;
            cum_disc += cash * v;
            cum_accr += accr;
            cum_co2 += co2_op + co2_emb;
            cum_withc += cash + carbon;
            ser->cash[m] = cum_cash;
            ser->disc[m] = cum_disc;
            ser->accr[m] = cum_accr;
            ser->co2[m] = cum_co2;
            ser->withc[m] = cum_withc;
        }
    }
    o->total = cash_total;
    o->npv = npv;
}

static double sim_metric(const sim_out *o, cf_tco_metric m)
{
    if (!o->ok) return NAN;
    switch (m) {
    case CF_TCO_METRIC_TOTAL: return o->total;
    case CF_TCO_METRIC_NPV: return o->npv;
    case CF_TCO_METRIC_TOTAL_WITH_CARBON: return o->total + o->carbon;
    case CF_TCO_METRIC_NPV_WITH_CARBON: return o->npv + o->carbon_npv;
    }
    return NAN;
}

/* Base-case decisions that scenarios keep fixed. */
typedef struct decisions {
    int servers;  /* owned servers of the on-prem option */
    int k_peak;   /* GPUs reserved by the pure reserved options */
    int burst;    /* overflow option of on-prem and hybrid, -1 when no cloud price exists */
    int hybrid;   /* owned servers of the hybrid */
    int res_k[2]; /* best reservation level for reserved_1y, reserved_3y */
} decisions;

static double peak_demand(const tco_params *p)
{
    double pk = 0;
    for (int m = 0; m < p->H; m++)
        if (p->demand[m] > pk) pk = p->demand[m];
    return pk;
}

static int pick_burst(const tco_params *p)
{
    double od = useful_price(p, CF_PROC_ON_DEMAND), sp = useful_price(p, CF_PROC_SPOT);
    if (p->burst_pref == CF_PROC_ON_DEMAND && !isnan(od)) return CF_PROC_ON_DEMAND;
    if (p->burst_pref == CF_PROC_SPOT && !isnan(sp)) return CF_PROC_SPOT;
    if (isnan(od) && isnan(sp)) return -1;
    if (isnan(sp)) return CF_PROC_ON_DEMAND;
    if (isnan(od)) return CF_PROC_SPOT;
    return sp < od ? CF_PROC_SPOT : CF_PROC_ON_DEMAND;
}

/* Overflow option of a reservation mix: on-demand, else the burst option. */
static int res_overflow(const tco_params *p, const decisions *dc)
{
    return isnan(p->price[CF_PROC_ON_DEMAND]) ? dc->burst : CF_PROC_ON_DEMAND;
}

/* Simulates procurement option opt under the decisions. */
static void simulate_option(const tco_params *p, const decisions *dc, double dscale, int opt, sim_out *o,
                            const sim_series *ser)
{
    switch (opt) {
    case CF_PROC_ON_DEMAND:
    case CF_PROC_SPOT:
        simulate(p, dscale, 0, 0, -1, isnan(p->price[opt]) ? -1 : opt, o, ser);
        if (isnan(p->price[opt])) o->ok = 0;
        break;
    case CF_PROC_RESERVED_1Y:
    case CF_PROC_RESERVED_3Y:
        simulate(p, dscale, 0, dc->k_peak, opt, res_overflow(p, dc), o, ser);
        if (isnan(p->price[opt])) o->ok = 0;
        break;
    case CF_PROC_ON_PREM: simulate(p, dscale, dc->servers, 0, -1, dc->burst, o, ser); break;
    default: simulate(p, dscale, dc->hybrid, 0, -1, dc->burst, o, ser); break;
    }
}

struct cf_tco_result {
    int H;
    tco_params p;
    decisions dc;
    cf_tco_option opt[CF_PROC_COUNT];
    double *series[CF_PROC_COUNT][5]; /* cash, disc, accr, co2, withc: H + 1 each */
    cf_tco_server_month server;
    cf_tco_breakeven be[N_CLOUD];
    cf_tco_hybrid hybrid;
    double *hybrid_curve;
    cf_tco_reservation res[2];
    char data_gravity[400]; /* issue 16: "" unless data costs changed the cheapest option */
};

/* Computes the base-case decisions: fleet sizes, the hybrid baseline and the reservation levels, by exhaustive
 * search. curve (may be NULL) receives the hybrid metric for 0..servers owned servers; hyb and rsv (may be NULL)
 * receive the search summaries. */
static void decide(const tco_params *p, decisions *dc, double *curve, cf_tco_hybrid *hyb, cf_tco_reservation *rsv)
{
    double pk = peak_demand(p);
    double per_server = p->gpus * H_MONTH * p->target_util;
    dc->servers = p->servers_fixed >= 0 ? p->servers_fixed : (int)ceil(pk / per_server - 1e-9);
    dc->k_peak = (int)ceil(pk / H_MONTH - 1e-9);
    dc->burst = pick_burst(p);
    /* hybrid: every server count from 0 to the on-prem fleet */
    int best = dc->servers;
    double best_v = INFINITY;
    for (int b = 0; b <= dc->servers; b++) {
        sim_out o;
        simulate(p, 1.0, b, 0, -1, dc->burst, &o, NULL);
        double v = sim_metric(&o, p->objective);
        if (curve) curve[b] = v;
        if (!isnan(v) && v < best_v) {
            best_v = v;
            best = b;
        }
    }
    dc->hybrid = best;
    if (hyb) {
        sim_out o;
        simulate(p, 1.0, best, 0, -1, dc->burst, &o, NULL);
        hyb->servers = best;
        hyb->max_servers = dc->servers;
        hyb->burst = dc->burst >= 0 ? (cf_procurement)dc->burst : CF_PROC_ON_DEMAND;
        hyb->owned_share = o.useful > 0 ? o.owned / o.useful : 0.0;
        hyb->objective = isinf(best_v) ? NAN : best_v;
        hyb->metric = p->objective;
    }
    /* reservation levels with overflow on on-demand */
    for (int t = 0; t < 2; t++) {
        int term = CF_PROC_RESERVED_1Y + t;
        int over = res_overflow(p, dc);
        int kbest = 0;
        double kv = INFINITY;
        int avail = !isnan(p->price[term]) && over >= 0;
        for (int k = 0; avail && k <= dc->k_peak; k++) {
            sim_out o;
            simulate(p, 1.0, 0, k, term, over, &o, NULL);
            double v = sim_metric(&o, p->objective);
            if (!isnan(v) && v < kv) {
                kv = v;
                kbest = k;
            }
        }
        dc->res_k[t] = kbest;
        if (rsv) {
            cf_tco_reservation *r = &rsv[t];
            memset(r, 0, sizeof *r);
            r->term = (cf_procurement)term;
            r->available = avail && isfinite(kv);
            r->gpus = kbest;
            r->max_gpus = dc->k_peak;
            r->reserved_gpu_hours_per_month = kbest * H_MONTH;
            r->objective = r->available ? kv : NAN;
            sim_out o;
            simulate(p, 1.0, 0, kbest, term, over, &o, NULL);
            r->overflow_gpu_hours = r->available ? o.overflow : NAN;
            double pod = p->price[CF_PROC_ON_DEMAND], pr = p->price[term];
            r->critical_fractile = pod > 0 && !isnan(pr) ? 1.0 - pr / pod : NAN;
            r->newsvendor_gpu_hours = NAN;
            if (!isnan(r->critical_fractile)) {
                double *sorted = malloc((size_t)p->H * sizeof *sorted);
                if (sorted) {
                    memcpy(sorted, p->demand, (size_t)p->H * sizeof *sorted);
                    gsl_sort(sorted, 1, (size_t)p->H);
                    double phi = r->critical_fractile;
                    if (phi <= 0)
                        r->newsvendor_gpu_hours = 0.0;
                    else {
                        /* smallest demand level d with empirical F(d) >= phi */
                        int i = (int)ceil(phi * p->H - 1e-9) - 1;
                        if (i < 0) i = 0;
                        if (i >= p->H) i = p->H - 1;
                        r->newsvendor_gpu_hours = sorted[i];
                    }
                    free(sorted);
                }
            }
        }
    }
}

static void fill_option(const tco_params *p, const decisions *dc, int opt, const sim_out *o, cf_tco_option *r)
{
    memset(r, 0, sizeof *r);
    r->option = (cf_procurement)opt;
    r->available = o->ok;
    r->price_per_gpu_hour = opt < N_CLOUD ? p->price[opt] : NAN;
    r->overhead_fraction = opt == CF_PROC_SPOT ? spot_overhead(p) : 0.0;
    r->units = opt == CF_PROC_ON_PREM                                       ? dc->servers
               : opt == CF_PROC_HYBRID                                      ? dc->hybrid
               : (opt == CF_PROC_RESERVED_1Y || opt == CF_PROC_RESERVED_3Y) ? dc->k_peak
                                                                            : 0;
    snprintf(r->price_source, sizeof r->price_source, "%s", opt < N_CLOUD ? p->src[opt] : "plan (owned servers)");
    if (!o->ok) {
        r->useful_gpu_hours = o->useful;
        r->billed_gpu_hours = r->owned_gpu_hours = r->total_usd = r->npv_usd = NAN;
        r->cost_per_useful_gpu_hour = r->levelized_per_gpu_hour = r->energy_kwh = NAN;
        r->co2e_operational_kg = r->co2e_embodied_kg = r->co2e_kg = r->carbon_cost_usd = NAN;
        r->total_with_carbon_usd = r->npv_with_carbon_usd = NAN;
        return;
    }
    r->useful_gpu_hours = o->useful;
    r->billed_gpu_hours = o->billed;
    r->owned_gpu_hours = o->owned;
    r->total_usd = o->total;
    r->npv_usd = o->npv;
    r->cost_per_useful_gpu_hour = o->useful > 0 ? o->total / o->useful : NAN;
    r->levelized_per_gpu_hour = o->disc_hours > 0 ? o->npv / o->disc_hours : NAN;
    r->energy_kwh = o->energy;
    r->co2e_operational_kg = o->co2_op;
    r->co2e_embodied_kg = o->co2_emb;
    r->co2e_kg = o->co2_op + o->co2_emb;
    r->carbon_cost_usd = o->carbon;
    r->total_with_carbon_usd = o->total + o->carbon;
    r->npv_with_carbon_usd = o->npv + o->carbon_npv;
    r->egress_usd = o->egress;
    r->storage_usd = o->storage;
}

void cf_tco_result_destroy(cf_tco_result *res)
{
    if (res == NULL) return;
    for (int o = 0; o < CF_PROC_COUNT; o++)
        for (int k = 0; k < 5; k++) free(res->series[o][k]);
    free(res->hybrid_curve);
    params_free(&res->p);
    free(res);
}

/* Resolves a loaded plan's parameters. */
static cf_status plan_params(const cf_plan *plan, const cf_catalog *cat, tco_params *p, cf_error *err)
{
    if (plan == NULL || plan->root == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no plan loaded");
    cf_gsl_quiet();
    return resolve(plan->root, plan->source, cat, p, err);
}

cf_status cf_tco_evaluate(const cf_plan *plan, const cf_catalog *catalog, cf_tco_result **out, cf_error *err)
{
    if (out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "out must not be NULL");
    *out = NULL;
    cf_tco_result *r = calloc(1, sizeof *r);
    if (r == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    cf_status s = plan_params(plan, catalog, &r->p, err);
    if (s != CF_OK) {
        free(r);
        return s;
    }
    const tco_params *p = &r->p;
    r->H = p->H;
    size_t n1 = (size_t)p->H + 1;
    double pk = peak_demand(p);
    int max_servers =
        p->servers_fixed >= 0 ? p->servers_fixed : (int)ceil(pk / (p->gpus * H_MONTH * p->target_util) - 1e-9);
    r->hybrid_curve = malloc(((size_t)max_servers + 1) * sizeof(double));
    for (int o = 0; o < CF_PROC_COUNT && r->hybrid_curve; o++)
        for (int k = 0; k < 5; k++)
            if ((r->series[o][k] = malloc(n1 * sizeof(double))) == NULL) goto oom;
    if (r->hybrid_curve == NULL) goto oom;
    decide(p, &r->dc, r->hybrid_curve, &r->hybrid, r->res);
    for (int o = 0; o < CF_PROC_COUNT; o++) {
        sim_out so;
        sim_series ser = {r->series[o][0], r->series[o][1], r->series[o][2], r->series[o][3], r->series[o][4]};
        simulate_option(p, &r->dc, 1.0, o, &so, &ser);
        fill_option(p, &r->dc, o, &so, &r->opt[o]);
        if (!so.ok)
            for (int k = 0; k < 5; k++)
                for (size_t i = 0; i < n1; i++) r->series[o][k][i] = NAN;
    }
    /* Data gravity (issue 16): the cheapest option in total against the cheapest without the data's costs. */
    if (p->has_data) {
        int best = -1, best_c = -1;
        for (int o = 0; o < CF_PROC_COUNT; o++) {
            const cf_tco_option *x = &r->opt[o];
            if (!x->available || !isfinite(x->total_usd)) continue;
            if (best < 0 || x->total_usd < r->opt[best].total_usd) best = o;
            double c = x->total_usd - x->egress_usd - x->storage_usd;
            if (best_c < 0 || c < r->opt[best_c].total_usd - r->opt[best_c].egress_usd - r->opt[best_c].storage_usd)
                best_c = o;
        }
        if (best >= 0 && best_c >= 0 && best != best_c) {
            const cf_tco_option *b = &r->opt[best], *c = &r->opt[best_c];
            double bc = b->total_usd - b->egress_usd - b->storage_usd, cc = c->total_usd - c->egress_usd - c->storage_usd;
            snprintf(r->data_gravity, sizeof r->data_gravity,
                     "%s is %.0f%% cheaper in compute but %.0f%% dearer with egress and storage (data at %s); %s is "
                     "cheapest in total",
                     k_opt_names[best_c], bc > 0 ? 100.0 * (1.0 - cc / bc) : 0.0,
                     b->total_usd > 0 ? 100.0 * (c->total_usd / b->total_usd - 1.0) : 0.0,
                     p->data_location[0] ? p->data_location : "the plan's location", k_opt_names[best]);
        }
    }
    /* the owned server's month */
    cf_tco_server_month *sm = &r->server;
    sm->depreciation_usd = p->capex * (1.0 - p->residual) / p->life;
    sm->colocation_usd = p->power_kw * p->colo;
    sm->electricity_full_usd = p->power_kw * H_MONTH * p->pue_op * p->elec;
    sm->ops_usd = p->ops;
    sm->fixed_usd = sm->depreciation_usd + sm->colocation_usd + sm->ops_usd;
    sm->total_full_use_usd = sm->fixed_usd + sm->electricity_full_usd;
    sm->usd_per_gpu_hour_full_use = sm->total_full_use_usd / (p->gpus * H_MONTH);
    sm->servers = r->dc.servers;
    sm->mean_utilization =
        r->dc.servers > 0 ? r->opt[CF_PROC_ON_PREM].owned_gpu_hours / (r->dc.servers * p->gpus * H_MONTH * p->H) : NAN;
    /* breakevens of on-prem against each cloud option */
    for (int c = 0; c < N_CLOUD; c++) {
        cf_tco_breakeven *b = &r->be[c];
        b->cloud = (cf_procurement)c;
        b->available = r->opt[c].available && r->opt[CF_PROC_ON_PREM].available;
        b->cloud_usd_per_useful_hour = useful_price(p, c);
        double gh = p->gpus * H_MONTH;
        b->utilization_scaling = isnan(b->cloud_usd_per_useful_hour)
                                     ? NAN
                                     : cf_tco_breakeven_utilization(sm->fixed_usd, sm->electricity_full_usd, gh,
                                                                    b->cloud_usd_per_useful_hour, 1);
        b->utilization_full_power = isnan(b->cloud_usd_per_useful_hour)
                                        ? NAN
                                        : cf_tco_breakeven_utilization(sm->fixed_usd, sm->electricity_full_usd, gh,
                                                                       b->cloud_usd_per_useful_hour, 0);
        b->month = b->month_discounted = -1;
        if (!b->available) continue;
        for (int m = 1; m <= p->H; m++) {
            if (b->month < 0 && r->series[CF_PROC_ON_PREM][0][m] <= r->series[c][0][m] + 1e-9) b->month = m;
            if (b->month_discounted < 0 && r->series[CF_PROC_ON_PREM][1][m] <= r->series[c][1][m] + 1e-9)
                b->month_discounted = m;
        }
    }
    *out = r;
    return CF_OK;
oom:
    cf_tco_result_destroy(r);
    return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
}

int cf_tco_result_months(const cf_tco_result *res) { return res ? res->H : 0; }

const char *cf_tco_result_data_gravity(const cf_tco_result *res)
{
    return res && res->data_gravity[0] ? res->data_gravity : NULL;
}

cf_status cf_tco_result_option(const cf_tco_result *res, cf_procurement opt, cf_tco_option *out)
{
    if (res == NULL || out == NULL || (int)opt < 0 || opt >= CF_PROC_COUNT) return CF_ERR_ARG;
    *out = res->opt[opt];
    return CF_OK;
}

cf_procurement cf_tco_result_cheapest(const cf_tco_result *res, cf_tco_metric metric)
{
    int best = CF_PROC_ON_DEMAND;
    double bv = INFINITY;
    for (int o = 0; res && o < CF_PROC_COUNT; o++) {
        double v = cf_tco_option_metric(&res->opt[o], metric);
        if (!isnan(v) && v < bv) {
            bv = v;
            best = o;
        }
    }
    return (cf_procurement)best;
}

void cf_tco_result_server_month(const cf_tco_result *res, cf_tco_server_month *out)
{
    if (res && out) *out = res->server;
}

cf_status cf_tco_result_breakeven(const cf_tco_result *res, cf_procurement cloud, cf_tco_breakeven *out)
{
    if (res == NULL || out == NULL || (int)cloud < 0 || (int)cloud >= N_CLOUD) return CF_ERR_ARG;
    *out = res->be[cloud];
    return CF_OK;
}

void cf_tco_result_hybrid(const cf_tco_result *res, cf_tco_hybrid *out)
{
    if (res && out) *out = res->hybrid;
}

size_t cf_tco_result_hybrid_curve(const cf_tco_result *res, double *out, size_t n)
{
    if (res == NULL) return 0;
    size_t len = (size_t)res->hybrid.max_servers + 1;
    for (size_t i = 0; out && i < n && i < len; i++) out[i] = res->hybrid_curve[i];
    return len;
}

cf_status cf_tco_result_reservation(const cf_tco_result *res, cf_procurement term, cf_tco_reservation *out)
{
    if (res == NULL || out == NULL || (term != CF_PROC_RESERVED_1Y && term != CF_PROC_RESERVED_3Y)) return CF_ERR_ARG;
    *out = res->res[term - CF_PROC_RESERVED_1Y];
    return CF_OK;
}

size_t cf_tco_result_series(const cf_tco_result *res, cf_procurement opt, cf_tco_series kind, double *out, size_t n)
{
    if (res == NULL) return 0;
    if (kind == CF_TCO_SERIES_DEMAND) {
        for (size_t i = 0; out && i < n && i < (size_t)res->H; i++) out[i] = res->p.demand[i];
        return (size_t)res->H;
    }
    if ((int)opt < 0 || opt >= CF_PROC_COUNT || (int)kind < 0 || kind > CF_TCO_SERIES_WITH_CARBON) return 0;
    size_t len = (size_t)res->H + 1;
    const double *src = res->series[opt][kind];
    for (size_t i = 0; out && i < n && i < len; i++) out[i] = src[i];
    return len;
}

cf_status cf_tco_unit_rates(const cf_plan *plan, const cf_catalog *catalog, cf_procurement opt, cf_tco_unit_rate *out,
                            cf_error *err)
{
    if (out == NULL || (int)opt < 0 || opt >= CF_PROC_COUNT)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "bad option or NULL output");
    cf_tco_result *r = NULL;
    cf_status s = cf_tco_evaluate(plan, catalog, &r, err);
    if (s != CF_OK) return s;
    const cf_tco_option *o = &r->opt[opt];
    memset(out, 0, sizeof *out);
    out->option = opt;
    if (!o->available || !(o->useful_gpu_hours > 0)) {
        cf_tco_result_destroy(r);
        return cf_error_set(err, CF_ERR_NOT_FOUND, plan->source, 0, 0, NULL, "option %s cannot be priced for this plan",
                            k_opt_names[opt]);
    }
    double h = o->useful_gpu_hours;
    out->usd_per_gpu_hour = o->total_usd / h;
    out->energy_kwh_per_gpu_hour = o->energy_kwh / h;
    out->co2e_operational_kg_per_gpu_hour = o->co2e_operational_kg / h;
    out->co2e_embodied_kg_per_gpu_hour = o->co2e_embodied_kg / h;
    out->carbon_cost_usd_per_gpu_hour = o->carbon_cost_usd / h;
    cf_tco_result_destroy(r);
    return CF_OK;
}

/* ---- resolved JSON -------------------------------------------------------------------------------------------- */

static void add_num(cJSON *o, const char *k, double v)
{
    if (isnan(v))
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, v);
}

cf_status cf_plan_resolved_json(const cf_plan *plan, const cf_catalog *catalog, char **json_out, cf_error *err)
{
    if (json_out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "json_out must not be NULL");
    *json_out = NULL;
    tco_params p;
    cf_status s = plan_params(plan, catalog, &p, err);
    if (s != CF_OK) return s;
    cJSON *root = cJSON_CreateObject();
    if (root == NULL) goto oom;
    cJSON_AddNumberToObject(root, "horizon_months", p.H);
    cJSON *dem = cJSON_AddArrayToObject(root, "demand_gpu_hours_per_month");
    for (int m = 0; dem && m < p.H; m++) cJSON_AddItemToArray(dem, cJSON_CreateNumber(p.demand[m]));
    cJSON_AddStringToObject(root, "hardware", p.hardware);
    if (p.region[0])
        cJSON_AddStringToObject(root, "region", p.region);
    else
        cJSON_AddNullToObject(root, "region");
    add_num(root, "discount_rate_annual", p.rate);
    add_num(root, "target_utilization", p.target_util);
    add_num(root, "carbon_price_usd_per_t", p.carbon_price);
    if (p.n_path > 0) {
        cJSON *a = cJSON_AddArrayToObject(root, "carbon_price_path");
        for (int i = 0; a && i < p.n_path; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(p.carbon_path[i]));
    }
    cJSON_AddBoolToObject(root, "carbon_cost_includes_embodied", p.carbon_embodied);
    static const char *const objn[] = {"total", "npv", "total_with_carbon", "npv_with_carbon"};
    cJSON_AddStringToObject(root, "objective", objn[p.objective]);
    cJSON *op = cJSON_AddObjectToObject(root, "on_prem");
    if (op) {
        add_num(op, "server_capex_usd", p.capex);
        cJSON_AddNumberToObject(op, "gpus_per_server", p.gpus);
        cJSON_AddNumberToObject(op, "life_months", p.life);
        add_num(op, "residual_fraction", p.residual);
        add_num(op, "server_power_kw", p.power_kw);
        add_num(op, "pue", p.pue_op);
        add_num(op, "electricity_usd_per_kwh", p.elec);
        add_num(op, "colocation_usd_per_kw_month", p.colo);
        add_num(op, "ops_usd_per_server_month", p.ops);
        if (p.servers_fixed >= 0)
            cJSON_AddNumberToObject(op, "servers", p.servers_fixed);
        else
            cJSON_AddNullToObject(op, "servers");
        add_num(op, "grid_gco2e_per_kwh", p.grid_op);
        add_num(op, "embodied_kgco2e_per_server", p.emb_server);
        add_num(op, "embodied_kgco2e_per_gpu", p.emb_gpu);
    }
    cJSON *cl = cJSON_AddObjectToObject(root, "cloud");
    if (cl) {
        if (p.provider[0])
            cJSON_AddStringToObject(cl, "provider", p.provider);
        else
            cJSON_AddNullToObject(cl, "provider");
        for (int o = 0; o < N_CLOUD; o++) add_num(cl, k_opt_names[o], p.price[o]);
        add_num(cl, "spot_interruptions_per_hour", p.lambda);
        add_num(cl, "checkpoint_minutes", p.spot.checkpoint_hours * 60.0);
        add_num(cl, "restart_minutes", p.spot.restart_hours * 60.0);
        cJSON_AddStringToObject(cl, "checkpoint_interval", p.spot.use_daly ? "daly" : "young");
        add_num(cl, "pue", p.cloud_pue);
        add_num(cl, "gpu_power_w", p.gpu_kw * 1000.0);
        add_num(cl, "grid_gco2e_per_kwh", p.grid_cloud);
        add_num(cl, "embodied_kgco2e_per_gpu_hour", p.emb_gpuh);
    }
    if (p.has_data) { /* issue 16: the plan's data section as resolved (loadable again) */
        cJSON *dt = cJSON_AddObjectToObject(root, "data");
        if (dt) {
            if (p.data_location[0]) cJSON_AddStringToObject(dt, "location", p.data_location);
            add_num(dt, "gb_per_month", p.data_gb_month);
            add_num(dt, "stored_gb", p.stored_gb);
            cJSON_AddStringToObject(dt, "storage_class", p.data_class);
            cJSON_AddStringToObject(dt, "owned_site", p.data_site);
        }
    }
    cJSON *hy = cJSON_AddObjectToObject(root, "hybrid");
    if (hy) cJSON_AddStringToObject(hy, "burst", p.burst_pref < 0 ? "cheapest" : k_opt_names[p.burst_pref]);
    cJSON *un = cJSON_AddObjectToObject(root, "uncertainty");
    for (int i = 0; un && i < CF_TCO_IN_COUNT; i++) {
        cJSON *a = cJSON_AddArrayToObject(un, k_input_names[i]);
        if (a) {
            cJSON_AddItemToArray(a, cJSON_CreateNumber(p.unc_lo[i]));
            cJSON_AddItemToArray(a, cJSON_CreateNumber(p.unc_hi[i]));
        }
    }
    /* figures derived from the plan, for reading; ignored when the dump is loaded back */
    cJSON *dv = cJSON_AddObjectToObject(root, "derived");
    if (dv) {
        cJSON *srcs = cJSON_AddObjectToObject(dv, "price_sources");
        for (int o = 0; srcs && o < N_CLOUD; o++) cJSON_AddStringToObject(srcs, k_opt_names[o], p.src[o]);
        add_num(dv, "spot_overhead_fraction", spot_overhead(&p));
        decisions dc;
        decide(&p, &dc, NULL, NULL, NULL);
        cJSON_AddNumberToObject(dv, "on_prem_servers", dc.servers);
        cJSON_AddNumberToObject(dv, "reserved_gpus_for_peak", dc.k_peak);
        cJSON_AddStringToObject(dv, "burst", dc.burst >= 0 ? k_opt_names[dc.burst] : "none");
    }
    char *txt = cJSON_Print(root);
    cJSON_Delete(root);
    params_free(&p);
    if (txt == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    *json_out = strdup(txt);
    cJSON_free(txt);
    if (*json_out == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    return CF_OK;
oom:
    params_free(&p);
    return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
}

/* ---- uncertainty ---------------------------------------------------------------------------------------------- */

/* Every option's metric under a scenario, with the base decisions. */
static void eval_scenario(const tco_params *base, const decisions *dc, const scen *sc, cf_tco_metric metric,
                          double out[CF_PROC_COUNT])
{
    tco_params p;
    apply_scen(base, sc, &p);
    for (int o = 0; o < CF_PROC_COUNT; o++) {
        sim_out so;
        simulate_option(&p, dc, sc->v[CF_TCO_IN_DEMAND], o, &so, NULL);
        out[o] = sim_metric(&so, metric);
    }
}

/* On-prem minus the cheapest available cloud option. */
static double onprem_vs_cloud(const double m[CF_PROC_COUNT])
{
    double best = INFINITY;
    for (int o = 0; o < N_CLOUD; o++)
        if (!isnan(m[o]) && m[o] < best) best = m[o];
    return isinf(best) || isnan(m[CF_PROC_ON_PREM]) ? NAN : m[CF_PROC_ON_PREM] - best;
}

static double target_value(const double m[CF_PROC_COUNT], int target)
{
    return target == CF_TCO_TARGET_ONPREM_VS_CLOUD ? onprem_vs_cloud(m) : m[target];
}

/* The input's value in its natural unit at a factor or absolute value x. */
static double natural_value(const tco_params *p, int i, double x)
{
    switch (i) {
    case CF_TCO_IN_DEMAND: {
        double s = 0;
        for (int m = 0; m < p->H; m++) s += p->demand[m];
        return x * s / p->H;
    }
    case CF_TCO_IN_ON_DEMAND_PRICE: return x * p->price[CF_PROC_ON_DEMAND];
    case CF_TCO_IN_SPOT_PRICE: return x * p->price[CF_PROC_SPOT];
    case CF_TCO_IN_INTERRUPTIONS: return x * p->lambda;
    case CF_TCO_IN_ELECTRICITY: return x * p->elec;
    case CF_TCO_IN_CAPEX: return x * p->capex;
    default: return x;
    }
}

/* Base value of an absolute input (residual, or the mean carbon price over the horizon). */
static double absolute_base(const tco_params *p, int i)
{
    if (i == CF_TCO_IN_RESIDUAL) return p->residual;
    double s = 0;
    for (int m = 1; m <= p->H; m++) s += carbon_price_at(p, m);
    return s / p->H;
}

static int cmp_rows(const void *a, const void *b)
{
    const cf_tco_tornado_row *x = a, *y = b;
    double sx = isnan(x->swing) ? -1 : x->swing, sy = isnan(y->swing) ? -1 : y->swing;
    if (sx > sy) return -1;
    if (sx < sy) return 1;
    return (int)x->input - (int)y->input;
}

cf_status cf_tco_tornado(const cf_plan *plan, const cf_catalog *catalog, cf_tco_metric metric, int target,
                         cf_tco_tornado_row *rows, size_t cap, double *base_out, cf_error *err)
{
    if (rows == NULL || cap < CF_TCO_IN_COUNT || target < 0 || target > CF_TCO_TARGET_ONPREM_VS_CLOUD)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "rows needs %d entries and a valid target",
                            (int)CF_TCO_IN_COUNT);
    tco_params p;
    cf_status s = plan_params(plan, catalog, &p, err);
    if (s != CF_OK) return s;
    decisions dc;
    decide(&p, &dc, NULL, NULL, NULL);
    scen sc;
    scen_base(&sc);
    double base[CF_PROC_COUNT];
    eval_scenario(&p, &dc, &sc, metric, base);
    if (base_out) *base_out = target_value(base, target);
    for (int i = 0; i < CF_TCO_IN_COUNT; i++) {
        cf_tco_tornado_row *r = &rows[i];
        memset(r, 0, sizeof *r);
        r->input = (cf_tco_input)i;
        scen lo = sc, hi = sc;
        lo.v[i] = p.unc_lo[i];
        hi.v[i] = p.unc_hi[i];
        eval_scenario(&p, &dc, &lo, metric, r->low);
        eval_scenario(&p, &dc, &hi, metric, r->high);
        r->diff_low = onprem_vs_cloud(r->low);
        r->diff_high = onprem_vs_cloud(r->high);
        r->swing = fabs(target_value(r->high, target) - target_value(r->low, target));
        if (input_is_absolute(i)) {
            r->low_value = p.unc_lo[i];
            r->high_value = p.unc_hi[i];
            r->base_value = absolute_base(&p, i);
        } else {
            r->low_value = natural_value(&p, i, p.unc_lo[i]);
            r->high_value = natural_value(&p, i, p.unc_hi[i]);
            r->base_value = natural_value(&p, i, 1.0);
        }
    }
    qsort(rows, CF_TCO_IN_COUNT, sizeof *rows, cmp_rows);
    params_free(&p);
    return CF_OK;
}

void cf_tco_mc_opts_default(cf_tco_mc_opts *o)
{
    if (o == NULL) return;
    o->dist = CF_TCO_DIST_TRIANGULAR;
    o->vary_mask = (1u << CF_TCO_IN_COUNT) - 1u;
    o->metric = CF_TCO_METRIC_NPV_WITH_CARBON;
    o->progress = NULL;
    o->progress_user = NULL;
}

/* Inverse CDF of the triangular distribution on [a, b] with mode c at u in [0, 1). */
static double triangular(double u, double a, double c, double b)
{
    if (b <= a) return a;
    if (c < a) c = a;
    if (c > b) c = b;
    double fc = (c - a) / (b - a);
    if (u < fc) return a + sqrt(u * (b - a) * (c - a));
    return b - sqrt((1.0 - u) * (b - a) * (b - c));
}

cf_status cf_tco_monte_carlo_samples(const cf_plan *plan, const cf_catalog *catalog, size_t n, unsigned long seed,
                                     const cf_tco_mc_opts *opts, cf_tco_mc_result *out, double *samples, cf_error *err)
{
    if (out == NULL || n == 0 || n > SIZE_MAX / (CF_PROC_COUNT * sizeof(double)))
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "need 0 < n <= %zu samples and an output",
                            SIZE_MAX / (CF_PROC_COUNT * sizeof(double)));
    cf_tco_mc_opts o;
    if (opts)
        o = *opts;
    else
        cf_tco_mc_opts_default(&o);
    tco_params p;
    cf_status s = plan_params(plan, catalog, &p, err);
    if (s != CF_OK) return s;
    decisions dc;
    decide(&p, &dc, NULL, NULL, NULL);
    double *all = malloc(n * CF_PROC_COUNT * sizeof *all);
    double *col = malloc(n * sizeof *col);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (all == NULL || col == NULL || rng == NULL) {
        free(all);
        free(col);
        if (rng) gsl_rng_free(rng);
        params_free(&p);
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    gsl_rng_set(rng, seed);
    memset(out, 0, sizeof *out);
    out->n = n;
    out->metric = o.metric;
    size_t cheapest[CF_PROC_COUNT] = {0};
    size_t step = n / 100 ? n / 100 : 1;
    for (size_t k = 0; k < n; k++) {
        scen sc;
        scen_base(&sc);
        for (int i = 0; i < CF_TCO_IN_COUNT; i++) {
            double u = gsl_rng_uniform(rng); /* drawn for every input so each keeps its stream whatever the mask */
            if (!(o.vary_mask & (1u << i))) continue;
            double lo = p.unc_lo[i], hi = p.unc_hi[i];
            double mode = input_is_absolute(i) ? absolute_base(&p, i) : 1.0;
            sc.v[i] = o.dist == CF_TCO_DIST_UNIFORM ? lo + (hi - lo) * u : triangular(u, lo, mode, hi);
        }
        double *row = all + k * CF_PROC_COUNT;
        eval_scenario(&p, &dc, &sc, o.metric, row);
        int best = -1;
        for (int q = 0; q < CF_PROC_COUNT; q++)
            if (!isnan(row[q]) && (best < 0 || row[q] < row[best])) best = q;
        if (best >= 0) cheapest[best]++;
        if (o.progress && ((k + 1) % step == 0 || k + 1 == n)) o.progress(o.progress_user, k + 1, n);
    }
    for (int q = 0; q < CF_PROC_COUNT; q++) {
        size_t m = 0;
        for (size_t k = 0; k < n; k++) {
            double v = all[k * CF_PROC_COUNT + q];
            if (!isnan(v)) col[m++] = v;
        }
        out->p_cheapest[q] = (double)cheapest[q] / (double)n;
        if (m == 0) {
            out->mean[q] = out->p10[q] = out->p50[q] = out->p90[q] = NAN;
            continue;
        }
        out->mean[q] = gsl_stats_mean(col, 1, m);
        gsl_sort(col, 1, m);
        out->p10[q] = gsl_stats_quantile_from_sorted_data(col, 1, m, 0.10);
        out->p50[q] = gsl_stats_quantile_from_sorted_data(col, 1, m, 0.50);
        out->p90[q] = gsl_stats_quantile_from_sorted_data(col, 1, m, 0.90);
    }
    if (samples) memcpy(samples, all, n * CF_PROC_COUNT * sizeof *all);
    free(all);
    free(col);
    gsl_rng_free(rng);
    params_free(&p);
    return CF_OK;
}

cf_status cf_tco_monte_carlo(const cf_plan *plan, const cf_catalog *catalog, size_t n, unsigned long seed,
                             const cf_tco_mc_opts *opts, cf_tco_mc_result *out, cf_error *err)
{
    return cf_tco_monte_carlo_samples(plan, catalog, n, seed, opts, out, NULL, err);
}
