/* costfront: the price catalog, reviewed and written (catalog.h): the catalog as JSON, the difference between two
 * catalogs, and the dates that say how old a figure is. Everything here goes through the public catalog API, so the
 * loader (catalog.c) keeps its internals to itself.
 *
 * Dates are proleptic Gregorian days since 1970-01-01, converted with the civil-from-days arithmetic described by
 * Howard Hinnant ("chrono-Compatible Low-Level Date Algorithms", 2013), written afresh here.
 */
#include "data/civil.h"
#include "costfront/catalog.h"
#include "data/catalog_transfer.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys of cf_hardware.throughput; index = cf_precision (slot 0, "unknown", is never written). */
static const char *const precision_keys[CF_CATALOG_PRECISIONS] = {NULL,   "fp32", "tf32", "bf16",
                                                                  "fp16", "fp8",  "int8", "int4"};

/* ---------------------------------------------------------------------------------------------------------------
 * Saving
 * ------------------------------------------------------------------------------------------------------------- */

/* Adds key: x, or key: null when x is NaN. Returns 0 on allocation failure. */
static int add_num(cJSON *obj, const char *key, double x)
{
    return (isnan(x) ? cJSON_AddNullToObject(obj, key) : cJSON_AddNumberToObject(obj, key, x)) != NULL;
}

/* Adds key: s when s is not NULL. Returns 0 on allocation failure. */
static int add_str(cJSON *obj, const char *key, const char *s)
{
    return s == NULL || cJSON_AddStringToObject(obj, key, s) != NULL;
}

/* Builds the JSON document of cat, or NULL on allocation failure. */
static cJSON *catalog_to_json(const cf_catalog *cat)
{
    cJSON *root = cJSON_CreateObject();
    if (root == NULL) return NULL;
    int ok = cJSON_AddNumberToObject(root, "schema_version", 1) != NULL &&
             add_num(root, "carbon_price_usd_per_t", cf_catalog_carbon_price(cat)) &&
             add_str(root, "carbon_price_source", cf_catalog_carbon_price_source(cat)) &&
             add_str(root, "carbon_price_as_of", cf_catalog_carbon_price_as_of(cat));
    cJSON *hw = cJSON_AddArrayToObject(root, "hardware");
    cJSON *in = cJSON_AddArrayToObject(root, "instances");
    cJSON *rg = cJSON_AddArrayToObject(root, "regions");
    cJSON *of = cJSON_AddArrayToObject(root, "offers");
    ok = ok && hw && in && rg && of;
    for (size_t i = 0; ok && i < cf_catalog_hardware_count(cat); i++) {
        const cf_hardware *h = cf_catalog_hardware_at(cat, i);
        cJSON *o = cJSON_CreateObject();
        ok = o != NULL && cJSON_AddItemToArray(hw, o);
        if (!ok) {
            cJSON_Delete(o);
            break;
        }
        ok = add_str(o, "id", h->id) && add_str(o, "name", h->name);
        cJSON *al = ok ? cJSON_AddArrayToObject(o, "aliases") : NULL;
        ok = ok && al;
        for (const char *const *a = h->aliases; ok && a && *a; a++) {
            cJSON *s = cJSON_CreateString(*a);
            ok = s != NULL && cJSON_AddItemToArray(al, s);
        }
        ok = ok && add_num(o, "board_power_w", h->board_power_w) && add_num(o, "memory_gb", h->memory_gb) &&
             add_num(o, "embodied_kgco2e", h->embodied_kgco2e) && add_num(o, "life_years", h->life_years) &&
             add_num(o, "purchase_usd", h->purchase_usd);
        cJSON *tp = ok ? cJSON_AddObjectToObject(o, "throughput") : NULL;
        ok = ok && tp;
        for (int k = 1; ok && k < CF_CATALOG_PRECISIONS; k++) ok = add_num(tp, precision_keys[k], h->throughput[k]);
        cJSON *itp = ok ? cJSON_AddObjectToObject(o, "inference_throughput") : NULL;
        ok = ok && itp;
        for (int k = 1; ok && k < CF_CATALOG_PRECISIONS; k++)
            ok = add_num(itp, precision_keys[k], h->inference_throughput[k]);
        ok = ok && add_str(o, "throughput_source", h->throughput_source) && add_str(o, "source", h->source) &&
             add_str(o, "as_of", h->as_of);
    }
    for (size_t i = 0; ok && i < cf_catalog_instance_count(cat); i++) {
        const cf_instance *e = cf_catalog_instance_at(cat, i);
        cJSON *o = cJSON_CreateObject();
        ok = o != NULL && cJSON_AddItemToArray(in, o);
        if (!ok) {
            cJSON_Delete(o);
            break;
        }
        ok = add_str(o, "id", e->id) && add_str(o, "provider", e->provider) &&
             add_str(o, "hardware", e->hardware) &&
             cJSON_AddNumberToObject(o, "accelerators", (double)e->accelerators) != NULL;
        cJSON *al = ok ? cJSON_AddArrayToObject(o, "aliases") : NULL;
        ok = ok && al;
        for (const char *const *a = e->aliases; ok && a && *a; a++) {
            cJSON *s = cJSON_CreateString(*a);
            ok = s != NULL && cJSON_AddItemToArray(al, s);
        }
        ok = ok && add_str(o, "source", e->source) && add_str(o, "as_of", e->as_of);
    }
    for (size_t i = 0; ok && i < cf_catalog_region_count(cat); i++) {
        const cf_region *r = cf_catalog_region_at(cat, i);
        cJSON *o = cJSON_CreateObject();
        ok = o != NULL && cJSON_AddItemToArray(rg, o);
        if (!ok) {
            cJSON_Delete(o);
            break;
        }
        ok = add_str(o, "id", r->id) && add_num(o, "grid_gco2e_per_kwh", r->grid_gco2e_per_kwh) &&
             add_num(o, "pue", r->pue) && add_num(o, "electricity_usd_per_kwh", r->electricity_usd_per_kwh) &&
             add_str(o, "source", r->source) && add_str(o, "as_of", r->as_of);
    }
    for (size_t i = 0; ok && i < cf_catalog_offer_count(cat); i++) {
        const cf_offer *f = cf_catalog_offer_at(cat, i);
        cJSON *o = cJSON_CreateObject();
        ok = o != NULL && cJSON_AddItemToArray(of, o);
        if (!ok) {
            cJSON_Delete(o);
            break;
        }
        ok = add_str(o, "provider", f->provider) && add_str(o, "region", f->region) &&
             add_str(o, "hardware", f->hardware) && add_str(o, "instance", f->instance) &&
             (f->instance == NULL || cJSON_AddStringToObject(o, "price_unit", "accelerator-hour") != NULL) &&
             add_num(o, "on_demand", f->on_demand) &&
             add_num(o, "reserved_1y", f->reserved_1y) && add_num(o, "reserved_3y", f->reserved_3y) &&
             add_num(o, "spot", f->spot) && add_num(o, "spot_interruptions_per_hour", f->spot_interruptions_per_hour) &&
             add_str(o, "source", f->source) && add_str(o, "as_of", f->as_of);
    }
    if (ok) ok = cf_cat_transfer_to_json(cat, root);
    if (!ok) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

cf_status cf_catalog_to_json(const cf_catalog *cat, char **out, cf_error *err)
{
    if (out != NULL) *out = NULL;
    if (cat == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "catalog and output must not be NULL");
    cJSON *root = catalog_to_json(cat);
    char *text = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (text == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory writing the catalog");
    size_t n = strlen(text);
    *out = malloc(n + 2); /* plain malloc: the caller frees with free(), whatever cJSON's allocator is */
    if (*out == NULL) {
        cJSON_free(text);
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory writing the catalog");
    }
    memcpy(*out, text, n);
    (*out)[n] = '\n';
    (*out)[n + 1] = '\0';
    cJSON_free(text);
    return CF_OK;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Dates
 * ------------------------------------------------------------------------------------------------------------- */

int cf_catalog_parse_date(const char *ymd, long *days)
{
    if (ymd == NULL || strlen(ymd) != 10 || ymd[4] != '-' || ymd[7] != '-') return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)ymd[i])) return 0;
    long y = strtol(ymd, NULL, 10), m = strtol(ymd + 5, NULL, 10), d = strtol(ymd + 8, NULL, 10);
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || m < 1 || m > 12 || d < 1) return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap)) return 0;
    if (days) *days = cf_days_from_civil(y, m, d);
    return 1;
}

int cf_catalog_is_stale(const char *as_of, const char *ref, long *age_days)
{
    long a, r;
    if (!cf_catalog_parse_date(as_of, &a) || !cf_catalog_parse_date(ref, &r)) return -1;
    if (age_days) *age_days = r - a;
    return r - a > 365;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Diff
 * ------------------------------------------------------------------------------------------------------------- */

/* A growing text of lines. */
typedef struct dtext {
    char *s;
    size_t n, cap, lines;
    int oom;
} dtext;

/* Appends one formatted line (a newline is added). Sets t->oom on allocation failure. */
static void dline(dtext *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void dline(dtext *t, const char *fmt, ...)
{
    if (t->oom) return;
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char esc[4096];
    cf_text_escape(esc, sizeof esc, buf); /* ids and sources come from files: one line each, whatever they hold */
    size_t k = strlen(esc);
    if (t->n + k + 2 > t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 4096;
        while (nc < t->n + k + 2) nc *= 2;
        char *ns = realloc(t->s, nc);
        if (ns == NULL) {
            t->oom = 1;
            return;
        }
        t->s = ns;
        t->cap = nc;
    }
    memcpy(t->s + t->n, esc, k);
    t->n += k;
    t->s[t->n++] = '\n';
    t->s[t->n] = '\0';
    t->lines++;
}

/* Formats a number for the diff ("-" when unknown). */
static const char *dnum(double x, char *buf, size_t n)
{
    if (isnan(x))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.10g", x);
    return buf;
}

/* Whether two numbers differ (NaN equals NaN: both unknown). */
static int num_differs(double a, double b) { return isnan(a) != isnan(b) || (!isnan(a) && a != b); }

/* Whether two optional strings differ. */
static int str_differs(const char *a, const char *b)
{
    if (a == NULL || b == NULL) return (a == NULL) != (b == NULL);
    return strcmp(a, b) != 0;
}

/* Escaped copy of an optional string for a diff line, quoted; "-" for NULL. */
static const char *dstr(const char *s, char *buf, size_t n)
{
    if (s == NULL) {
        snprintf(buf, n, "-");
        return buf;
    }
    char esc[1500];
    cf_text_escape(esc, sizeof esc, s);
    snprintf(buf, n, "\"%s\"", esc);
    return buf;
}

/* Adds "<what>: <field> A -> B" when the numbers differ. */
static void diff_num(dtext *t, const char *what, const char *field, double a, double b)
{
    char x[40], y[40];
    if (num_differs(a, b)) dline(t, "%s: %s %s -> %s", what, field, dnum(a, x, sizeof x), dnum(b, y, sizeof y));
}

/* Adds "<what>: <field> "A" -> "B"" when the strings differ. */
static void diff_str(dtext *t, const char *what, const char *field, const char *a, const char *b)
{
    char x[1600], y[1600];
    if (str_differs(a, b)) dline(t, "%s: %s %s -> %s", what, field, dstr(a, x, sizeof x), dstr(b, y, sizeof y));
}

/* Adds lines for aliases in a but not b (removed) and in b but not a (added). */
static void diff_aliases(dtext *t, const char *what, const char *const *a, const char *const *b)
{
    char q[1600];
    for (const char *const *x = a; x && *x; x++) {
        int found = 0;
        for (const char *const *y = b; !found && y && *y; y++) found = strcmp(*x, *y) == 0;
        if (!found) dline(t, "%s: alias removed %s", what, dstr(*x, q, sizeof q));
    }
    for (const char *const *y = b; y && *y; y++) {
        int found = 0;
        for (const char *const *x = a; !found && x && *x; x++) found = strcmp(*x, *y) == 0;
        if (!found) dline(t, "%s: alias added %s", what, dstr(*y, q, sizeof q));
    }
}

/* Index of the hardware, region or instance with exactly this id in cat, or (size_t)-1. */
static size_t find_id(const cf_catalog *cat, int kind, const char *id)
{
    size_t n = kind == 0 ? cf_catalog_hardware_count(cat) : kind == 1 ? cf_catalog_instance_count(cat)
                                                                       : cf_catalog_region_count(cat);
    for (size_t i = 0; i < n; i++) {
        const char *x = kind == 0 ? cf_catalog_hardware_at(cat, i)->id
                        : kind == 1 ? cf_catalog_instance_at(cat, i)->id
                                    : cf_catalog_region_at(cat, i)->id;
        if (strcmp(x, id) == 0) return i;
    }
    return (size_t)-1;
}

/* Index of the offer with this (provider, region, hardware) in cat, or (size_t)-1. */
static size_t find_offer_key(const cf_catalog *cat, const cf_offer *o)
{
    for (size_t i = 0; i < cf_catalog_offer_count(cat); i++) {
        const cf_offer *x = cf_catalog_offer_at(cat, i);
        if (!strcmp(x->provider, o->provider) && !strcmp(x->region, o->region) && !strcmp(x->hardware, o->hardware))
            return i;
    }
    return (size_t)-1;
}

/* One-line summary of an offer's prices, for added and removed offers. */
static void offer_summary(const cf_offer *o, char *buf, size_t n)
{
    char a[40], b[40], c[40], d[40];
    snprintf(buf, n, "on_demand %s, reserved_1y %s, reserved_3y %s, spot %s, as_of %s",
             dnum(o->on_demand, a, sizeof a), dnum(o->reserved_1y, b, sizeof b), dnum(o->reserved_3y, c, sizeof c),
             dnum(o->spot, d, sizeof d), o->as_of ? o->as_of : "-");
}

static const char *const hw_num_names[] = {"board_power_w", "memory_gb", "embodied_kgco2e", "life_years",
                                           "purchase_usd"};

/* The numbers of h in the order of hw_num_names. */
static void hw_nums(const cf_hardware *h, double out[5])
{
    out[0] = h->board_power_w;
    out[1] = h->memory_gb;
    out[2] = h->embodied_kgco2e;
    out[3] = h->life_years;
    out[4] = h->purchase_usd;
}

/* Adds the differences of two hardware entries with the same id. */
static void diff_hardware(dtext *t, const cf_hardware *a, const cf_hardware *b)
{
    char what[200];
    snprintf(what, sizeof what, "hardware %s", a->id);
    diff_str(t, what, "name", a->name, b->name);
    diff_aliases(t, what, a->aliases, b->aliases);
    double x[5], y[5];
    hw_nums(a, x);
    hw_nums(b, y);
    for (int k = 0; k < 5; k++) diff_num(t, what, hw_num_names[k], x[k], y[k]);
    for (int k = 1; k < CF_CATALOG_PRECISIONS; k++) {
        char f[64];
        snprintf(f, sizeof f, "throughput.%s", precision_keys[k]);
        diff_num(t, what, f, a->throughput[k], b->throughput[k]);
        snprintf(f, sizeof f, "inference_throughput.%s", precision_keys[k]);
        diff_num(t, what, f, a->inference_throughput[k], b->inference_throughput[k]);
    }
    diff_str(t, what, "throughput_source", a->throughput_source, b->throughput_source);
    diff_str(t, what, "source", a->source, b->source);
    diff_str(t, what, "as_of", a->as_of, b->as_of);
}

cf_status cf_catalog_diff(const cf_catalog *a, const cf_catalog *b, char **out, size_t *n_changes, cf_error *err)
{
    if (out != NULL) *out = NULL;
    if (n_changes != NULL) *n_changes = 0;
    if (a == NULL || b == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "catalogs and output must not be NULL");
    dtext t;
    memset(&t, 0, sizeof t);
    char buf[1600];
    diff_num(&t, "carbon price", "usd_per_t", cf_catalog_carbon_price(a), cf_catalog_carbon_price(b));
    diff_str(&t, "carbon price", "source", cf_catalog_carbon_price_source(a), cf_catalog_carbon_price_source(b));
    diff_str(&t, "carbon price", "as_of", cf_catalog_carbon_price_as_of(a), cf_catalog_carbon_price_as_of(b));

    for (size_t i = 0; i < cf_catalog_hardware_count(a); i++) {
        const cf_hardware *h = cf_catalog_hardware_at(a, i);
        size_t j = find_id(b, 0, h->id);
        if (j == (size_t)-1)
            dline(&t, "hardware removed: %s %s", h->id, dstr(h->name, buf, sizeof buf));
        else
            diff_hardware(&t, h, cf_catalog_hardware_at(b, j));
    }
    for (size_t j = 0; j < cf_catalog_hardware_count(b); j++) {
        const cf_hardware *h = cf_catalog_hardware_at(b, j);
        if (find_id(a, 0, h->id) == (size_t)-1)
            dline(&t, "hardware added: %s %s (source %s)", h->id, dstr(h->name, buf, sizeof buf),
                  h->source ? h->source : "-");
    }

    for (size_t i = 0; i < cf_catalog_instance_count(a); i++) {
        const cf_instance *x = cf_catalog_instance_at(a, i);
        size_t j = find_id(b, 1, x->id);
        if (j == (size_t)-1) {
            dline(&t, "instance removed: %s (%zu x %s)", x->id, x->accelerators, x->hardware);
            continue;
        }
        const cf_instance *y = cf_catalog_instance_at(b, j);
        char what[200];
        snprintf(what, sizeof what, "instance %s", x->id);
        diff_str(&t, what, "provider", x->provider, y->provider);
        diff_str(&t, what, "hardware", x->hardware, y->hardware);
        diff_num(&t, what, "accelerators", (double)x->accelerators, (double)y->accelerators);
        diff_aliases(&t, what, x->aliases, y->aliases);
        diff_str(&t, what, "source", x->source, y->source);
        diff_str(&t, what, "as_of", x->as_of, y->as_of);
    }
    for (size_t j = 0; j < cf_catalog_instance_count(b); j++) {
        const cf_instance *y = cf_catalog_instance_at(b, j);
        if (find_id(a, 1, y->id) == (size_t)-1)
            dline(&t, "instance added: %s (%zu x %s)", y->id, y->accelerators, y->hardware);
    }

    for (size_t i = 0; i < cf_catalog_region_count(a); i++) {
        const cf_region *x = cf_catalog_region_at(a, i);
        size_t j = find_id(b, 2, x->id);
        if (j == (size_t)-1) {
            dline(&t, "region removed: %s", x->id);
            continue;
        }
        const cf_region *y = cf_catalog_region_at(b, j);
        char what[200];
        snprintf(what, sizeof what, "region %s", x->id);
        diff_num(&t, what, "grid_gco2e_per_kwh", x->grid_gco2e_per_kwh, y->grid_gco2e_per_kwh);
        diff_num(&t, what, "pue", x->pue, y->pue);
        diff_num(&t, what, "electricity_usd_per_kwh", x->electricity_usd_per_kwh, y->electricity_usd_per_kwh);
        diff_str(&t, what, "source", x->source, y->source);
        diff_str(&t, what, "as_of", x->as_of, y->as_of);
    }
    for (size_t j = 0; j < cf_catalog_region_count(b); j++) {
        const cf_region *y = cf_catalog_region_at(b, j);
        char g[40], p[40], e[40];
        if (find_id(a, 2, y->id) == (size_t)-1)
            dline(&t, "region added: %s (grid %s gCO2e/kWh, PUE %s, electricity %s USD/kWh)", y->id,
                  dnum(y->grid_gco2e_per_kwh, g, sizeof g), dnum(y->pue, p, sizeof p),
                  dnum(y->electricity_usd_per_kwh, e, sizeof e));
    }

    for (size_t i = 0; i < cf_catalog_offer_count(a); i++) {
        const cf_offer *x = cf_catalog_offer_at(a, i);
        size_t j = find_offer_key(b, x);
        char what[300];
        snprintf(what, sizeof what, "offer %s %s %s", x->provider, x->region, x->hardware);
        if (j == (size_t)-1) {
            offer_summary(x, buf, sizeof buf);
            dline(&t, "offer removed: %s %s %s (%s)", x->provider, x->region, x->hardware, buf);
            continue;
        }
        const cf_offer *y = cf_catalog_offer_at(b, j);
        diff_num(&t, what, "on_demand", x->on_demand, y->on_demand);
        diff_num(&t, what, "reserved_1y", x->reserved_1y, y->reserved_1y);
        diff_num(&t, what, "reserved_3y", x->reserved_3y, y->reserved_3y);
        diff_num(&t, what, "spot", x->spot, y->spot);
        diff_num(&t, what, "spot_interruptions_per_hour", x->spot_interruptions_per_hour,
                 y->spot_interruptions_per_hour);
        diff_str(&t, what, "instance", x->instance, y->instance);
        diff_str(&t, what, "source", x->source, y->source);
        diff_str(&t, what, "as_of", x->as_of, y->as_of);
    }
    for (size_t j = 0; j < cf_catalog_offer_count(b); j++) {
        const cf_offer *y = cf_catalog_offer_at(b, j);
        if (find_offer_key(a, y) == (size_t)-1) {
            offer_summary(y, buf, sizeof buf);
            dline(&t, "offer added: %s %s %s (%s)", y->provider, y->region, y->hardware, buf);
        }
    }
    char *tr = cf_cat_transfer_diff(a, b);
    if (tr == NULL) t.oom = 1;
    for (char *ln = tr, *nl; ln && *ln; ln = nl + 1) {
        nl = strchr(ln, '\n');
        *nl = '\0';
        dline(&t, "%s", ln);
    }
    free(tr);
    if (t.oom) {
        free(t.s);
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory comparing catalogs");
    }
    if (t.s == NULL) {
        t.s = calloc(1, 1);
        if (t.s == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory comparing catalogs");
    }
    *out = t.s;
    if (n_changes != NULL) *n_changes = t.lines;
    return CF_OK;
}
