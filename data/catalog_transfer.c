/* costfront: the catalog's data transfer ("egress") and storage prices (catalog.h, issue 16).
 *
 * Two sections of a catalog file, each an array keyed by (provider, region):
 *   "egress":  {"provider", "region", "network", "same_region", "inter_region", "internet", "source", "as_of"},
 *              USD per GB leaving that region; "network" (default: the provider) groups providers that are one
 *              network for billing (EC2 Capacity Blocks are AWS), so data moving between them is not internet
 *              traffic.
 *   "storage": {"provider", "region", "object_standard", "object_infrequent", "block_ssd", "source", "as_of"},
 *              USD per GB-month.
 * Free tiers (the first 100 GB a month out of AWS, Azure and GCP) are ignored on purpose: a training run that
 * moves terabytes is far past them, and ignoring them keeps prices linear. The merge rule is the one of the other
 * sections (docs/catalog.md): an entry whose key matches an earlier one replaces it field by field, an explicit
 * null makes a figure unknown, and a load that fails leaves the catalog unchanged (the caller merges into a copy).
 */
#include "costfront/catalog.h"
#include "data/alloc.h"
#include "data/catalog_internal.h"
#include "data/catalog_transfer.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const class_names[CF_STORAGE_CLASS_COUNT] = {"object_standard", "object_infrequent", "block_ssd"};

const char *cf_storage_class_name(cf_storage_class c)
{
    if ((int)c < 0 || c >= CF_STORAGE_CLASS_COUNT) return "unknown";
    return class_names[c];
}

cf_status cf_storage_class_parse(const char *s, cf_storage_class *out)
{
    if (s == NULL || out == NULL) return CF_ERR_ARG;
    static const struct {
        const char *name;
        cf_storage_class c;
    } table[] = {
        {"object-standard", CF_STORAGE_OBJECT_STANDARD},
        {"standard", CF_STORAGE_OBJECT_STANDARD},
        {"object", CF_STORAGE_OBJECT_STANDARD},
        {"object-infrequent", CF_STORAGE_OBJECT_INFREQUENT},
        {"infrequent", CF_STORAGE_OBJECT_INFREQUENT},
        {"ia", CF_STORAGE_OBJECT_INFREQUENT},
        {"block-ssd", CF_STORAGE_BLOCK_SSD},
        {"ssd", CF_STORAGE_BLOCK_SSD},
        {"block", CF_STORAGE_BLOCK_SSD},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (cf_cat_name_eq(s, table[i].name)) {
            *out = table[i].c;
            return CF_OK;
        }
    return CF_ERR_INVALID;
}

size_t cf_catalog_egress_count(const cf_catalog *cat) { return cat ? cat->n_egr : 0; }

const cf_egress *cf_catalog_egress_at(const cf_catalog *cat, size_t i)
{
    return cat && i < cat->n_egr ? &cat->egr[i] : NULL;
}

size_t cf_catalog_storage_count(const cf_catalog *cat) { return cat ? cat->n_sto : 0; }

const cf_storage *cf_catalog_storage_at(const cf_catalog *cat, size_t i)
{
    return cat && i < cat->n_sto ? &cat->sto[i] : NULL;
}

/* The normalised key "provider/region" of a name pair into out (n bytes). Returns 0 when it does not fit. */
static int pair_key(const char *provider, const char *region, char *out, size_t n)
{
    if (!cf_cat_norm_name(provider, out, n)) return 0;
    size_t k = strlen(out);
    if (k + 2 >= n) return 0;
    out[k++] = '/';
    return cf_cat_norm_name(region, out + k, n - k);
}

/* Frees a key array of n strings. */
static void keys_free(char ***keys, size_t n)
{
    if (*keys == NULL) return;
    for (size_t i = 0; i < n; i++) free((*keys)[i]);
    free(*keys);
    *keys = NULL;
}

/* Builds the normalised keys of every egress and storage entry, so that a lookup normalises only the names asked
 * for (a frontier over 10^5 runs looks up several entries per run and offer). On allocation failure the keys stay
 * NULL and lookups normalise both sides. */
static void build_keys(cf_catalog *cat)
{
    keys_free(&cat->egr_key, cat->n_egr);
    keys_free(&cat->sto_key, cat->n_sto);
    char buf[600];
    char **ek = cat->n_egr ? calloc(cat->n_egr, sizeof *ek) : NULL;
    char **sk = cat->n_sto ? calloc(cat->n_sto, sizeof *sk) : NULL;
    int ok = (cat->n_egr == 0 || ek) && (cat->n_sto == 0 || sk);
    for (size_t i = 0; ok && i < cat->n_egr; i++) {
        int oom = 0;
        ek[i] = pair_key(cat->egr[i].provider, cat->egr[i].region, buf, sizeof buf) ? cf_dup_str(buf, &oom) : NULL;
        ok = !oom && ek[i] != NULL;
    }
    for (size_t i = 0; ok && i < cat->n_sto; i++) {
        int oom = 0;
        sk[i] = pair_key(cat->sto[i].provider, cat->sto[i].region, buf, sizeof buf) ? cf_dup_str(buf, &oom) : NULL;
        ok = !oom && sk[i] != NULL;
    }
    cat->egr_key = ek;
    cat->sto_key = sk;
    if (!ok) {
        keys_free(&cat->egr_key, cat->n_egr);
        keys_free(&cat->sto_key, cat->n_sto);
    }
}

/* The index of the egress entry for (provider, region), or (size_t)-1. */
static size_t find_egr(const cf_catalog *cat, const char *provider, const char *region)
{
    if (cat == NULL || provider == NULL || region == NULL) return (size_t)-1;
    char q[600];
    if (cat->egr_key != NULL && pair_key(provider, region, q, sizeof q)) {
        for (size_t i = 0; i < cat->n_egr; i++)
            if (strcmp(cat->egr_key[i], q) == 0) return i;
        return (size_t)-1;
    }
    for (size_t i = 0; i < cat->n_egr; i++)
        if (cf_cat_name_eq(cat->egr[i].provider, provider) && cf_cat_name_eq(cat->egr[i].region, region)) return i;
    return (size_t)-1;
}

/* The index of the storage entry for (provider, region), or (size_t)-1. */
static size_t find_sto(const cf_catalog *cat, const char *provider, const char *region)
{
    if (cat == NULL || provider == NULL || region == NULL) return (size_t)-1;
    char q[600];
    if (cat->sto_key != NULL && pair_key(provider, region, q, sizeof q)) {
        for (size_t i = 0; i < cat->n_sto; i++)
            if (strcmp(cat->sto_key[i], q) == 0) return i;
        return (size_t)-1;
    }
    for (size_t i = 0; i < cat->n_sto; i++)
        if (cf_cat_name_eq(cat->sto[i].provider, provider) && cf_cat_name_eq(cat->sto[i].region, region)) return i;
    return (size_t)-1;
}

const cf_egress *cf_catalog_egress(const cf_catalog *cat, const char *provider, const char *region)
{
    size_t i = find_egr(cat, provider, region);
    return i == (size_t)-1 ? NULL : &cat->egr[i];
}

const cf_storage *cf_catalog_storage(const cf_catalog *cat, const char *provider, const char *region)
{
    size_t i = find_sto(cat, provider, region);
    return i == (size_t)-1 ? NULL : &cat->sto[i];
}

/* Appends "provider/region" of entry e to buf (comma separated) when it fits. */
static void list_add(char *buf, size_t n, const cf_egress *e)
{
    size_t used = strlen(buf);
    if (used + 4 >= n) return;
    snprintf(buf + used, n - used, "%s%s/%s", used ? ", " : "", e->provider, e->region);
}

cf_status cf_catalog_data_location(const cf_catalog *cat, const char *text, const cf_egress **out, cf_error *err)
{
    if (out) *out = NULL;
    if (cat == NULL || text == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "catalog, location and result must not be NULL");
    const char *slash = strchr(text, '/');
    char known[600] = "";
    if (slash != NULL) {
        char prov[128];
        size_t k = (size_t)(slash - text);
        if (k == 0 || k >= sizeof prov || slash[1] == '\0' || strchr(slash + 1, '/') != NULL)
            return cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "data_location",
                                "expected provider/region (e.g. aws/us-east-1) or a region, found '%s'", text);
        memcpy(prov, text, k);
        prov[k] = '\0';
        *out = cf_catalog_egress(cat, prov, slash + 1);
        if (*out != NULL) return CF_OK;
        for (size_t i = 0; i < cat->n_egr; i++) list_add(known, sizeof known, &cat->egr[i]);
        return cf_error_set(err, CF_ERR_NOT_FOUND, NULL, 0, 0, "data_location",
                            "no egress prices for '%s' in the catalog; known: %s", text, known[0] ? known : "none");
    }
    /* A region alone: accepted when every entry holding it is on one network. */
    const cf_egress *first = NULL;
    int ambiguous = 0;
    for (size_t i = 0; i < cat->n_egr; i++) {
        const cf_egress *e = &cat->egr[i];
        if (!cf_cat_name_eq(e->region, text)) continue;
        list_add(known, sizeof known, e);
        if (first == NULL)
            first = e;
        else if (!cf_cat_name_eq(first->network, e->network))
            ambiguous = 1;
    }
    if (first != NULL && !ambiguous) {
        /* Prefer the entry of the network's own provider (aws rather than aws-capacity-blocks). */
        for (size_t i = 0; i < cat->n_egr; i++)
            if (cf_cat_name_eq(cat->egr[i].region, text) && cf_cat_name_eq(cat->egr[i].provider, first->network)) {
                first = &cat->egr[i];
                break;
            }
        *out = first;
        return CF_OK;
    }
    if (ambiguous)
        return cf_error_set(err, CF_ERR_NOT_FOUND, NULL, 0, 0, "data_location",
                            "region '%s' alone is ambiguous: it could be %s (write provider/region)", text, known);
    for (size_t i = 0; i < cat->n_egr; i++) list_add(known, sizeof known, &cat->egr[i]);
    return cf_error_set(err, CF_ERR_NOT_FOUND, NULL, 0, 0, "data_location",
                        "no egress prices for region '%s' in the catalog; known: %s", text, known[0] ? known : "none");
}

/* The network a provider's compute in region belongs to: its egress entry's network, else the provider itself. */
static const char *network_of(const cf_catalog *cat, const char *provider, const char *region)
{
    const cf_egress *e = cf_catalog_egress(cat, provider, region);
    if (e != NULL) return e->network;
    for (size_t i = 0; cat && i < cat->n_egr; i++)
        if (cf_cat_name_eq(cat->egr[i].provider, provider)) return cat->egr[i].network;
    return provider;
}

double cf_egress_price(const cf_catalog *cat, const cf_egress *src, const char *provider, const char *region,
                       const char **path)
{
    if (path) *path = "internet";
    if (src == NULL || provider == NULL) return NAN;
    const char *net = network_of(cat, provider, region);
    if (net == NULL || !cf_cat_name_eq(net, src->network)) return src->internet;
    if (region != NULL && cf_cat_name_eq(region, src->region)) {
        if (path) *path = "same region";
        return src->same_region;
    }
    if (path) *path = "inter-region";
    return src->inter_region;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Memory
 * ------------------------------------------------------------------------------------------------------------- */

/* Frees one egress entry's strings. */
static void egr_free(cf_egress *e)
{
    free((char *)e->provider);
    free((char *)e->region);
    free((char *)e->network);
    free((char *)e->source);
    free((char *)e->as_of);
    memset(e, 0, sizeof *e);
}

/* Frees one storage entry's strings. */
static void sto_free(cf_storage *s)
{
    free((char *)s->provider);
    free((char *)s->region);
    free((char *)s->source);
    free((char *)s->as_of);
    memset(s, 0, sizeof *s);
}

void cf_cat_transfer_clear(cf_catalog *cat)
{
    keys_free(&cat->egr_key, cat->n_egr);
    keys_free(&cat->sto_key, cat->n_sto);
    for (size_t i = 0; i < cat->n_egr; i++) egr_free(&cat->egr[i]);
    for (size_t i = 0; i < cat->n_sto; i++) sto_free(&cat->sto[i]);
    free(cat->egr);
    free(cat->sto);
    cat->egr = NULL;
    cat->sto = NULL;
    cat->n_egr = cat->cap_egr = cat->n_sto = cat->cap_sto = 0;
}

int cf_cat_transfer_copy(cf_catalog *dst, const cf_catalog *src)
{
    int oom = 0;
    if (src->n_egr && !cf_grow_to((void **)&dst->egr, &dst->cap_egr, src->n_egr, sizeof *dst->egr, 8)) return 0;
    for (size_t i = 0; i < src->n_egr; i++) {
        cf_egress *d = &dst->egr[dst->n_egr++];
        const cf_egress *s = &src->egr[i];
        *d = *s;
        d->provider = cf_dup_str(s->provider, &oom);
        d->region = cf_dup_str(s->region, &oom);
        d->network = cf_dup_str(s->network, &oom);
        d->source = cf_dup_str(s->source, &oom);
        d->as_of = cf_dup_str(s->as_of, &oom);
    }
    if (src->n_sto && !cf_grow_to((void **)&dst->sto, &dst->cap_sto, src->n_sto, sizeof *dst->sto, 8)) return 0;
    for (size_t i = 0; i < src->n_sto; i++) {
        cf_storage *d = &dst->sto[dst->n_sto++];
        const cf_storage *s = &src->sto[i];
        *d = *s;
        d->provider = cf_dup_str(s->provider, &oom);
        d->region = cf_dup_str(s->region, &oom);
        d->source = cf_dup_str(s->source, &oom);
        d->as_of = cf_dup_str(s->as_of, &oom);
    }
    if (!oom) build_keys(dst);
    return !oom;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Loading
 * ------------------------------------------------------------------------------------------------------------- */

/* One load's error destination. */
typedef struct tctx {
    const char *source;
    const char *file_as_of;
    cf_error *err;
} tctx;

#define T_NOMEM(c) cf_error_set((c)->err, CF_ERR_NOMEM, (c)->source, 0, 0, NULL, "out of memory loading the catalog")

/* Replaces the owned string *slot with a copy of s. Returns 0 on allocation failure. */
static int set_owned(const char **slot, const char *s)
{
    int oom = 0;
    char *c = cf_dup_str(s, &oom);
    if (oom) return 0;
    free((char *)*slot);
    *slot = c;
    return 1;
}

/* "expected what, found v" at path. */
static cf_status t_bad(tctx *c, const char *path, const char *what, const cJSON *v)
{
    char found[96];
    if (v == NULL)
        snprintf(found, sizeof found, "nothing");
    else if (cJSON_IsString(v))
        snprintf(found, sizeof found, "\"%.60s\"", v->valuestring);
    else if (cJSON_IsNumber(v))
        snprintf(found, sizeof found, "%.10g", v->valuedouble);
    else if (cJSON_IsNull(v))
        snprintf(found, sizeof found, "null");
    else if (cJSON_IsBool(v))
        snprintf(found, sizeof found, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else
        snprintf(found, sizeof found, "%s", cJSON_IsArray(v) ? "an array" : "an object");
    return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, path, "expected %s, found %s", what, found);
}

/* Checks that obj holds only allowed keys (comment keys aside: "_...", "comment", "notes"). */
static cf_status t_keys(tctx *c, const cJSON *obj, const char *path, const char *const *allowed, const char *text)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        const char *k = it->string ? it->string : "";
        if (k[0] == '_' || !strcmp(k, "comment") || !strcmp(k, "notes")) continue;
        int ok = 0;
        for (size_t i = 0; allowed[i]; i++) ok |= !strcmp(allowed[i], k);
        if (!ok) {
            char p[160];
            snprintf(p, sizeof p, "%s.%s", path, k);
            return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, p,
                                "unknown field \"%s\" (expected one of: %s)", k, text);
        }
    }
    return CF_OK;
}

/* Reads an optional non-negative price obj.key: *present 1 when there (null sets NaN: unknown). */
static cf_status t_num(tctx *c, const cJSON *obj, const char *path, const char *key, int *present, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *present = v != NULL;
    if (v == NULL) return CF_OK;
    if (cJSON_IsNull(v)) {
        *out = NAN;
        return CF_OK;
    }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0) {
        char p[160];
        snprintf(p, sizeof p, "%s.%s", path, key);
        return t_bad(c, p, "a non-negative price (USD) or null (unknown)", v);
    }
    *out = v->valuedouble;
    return CF_OK;
}

/* Reads an optional string obj.key (non-empty when required is set, and then present too). */
static cf_status t_str(tctx *c, const cJSON *obj, const char *path, const char *key, int required, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char p[160];
    snprintf(p, sizeof p, "%s.%s", path, key);
    *out = NULL;
    if (v == NULL) {
        if (required)
            return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, p,
                                "missing required field \"%s\" (a non-empty string)", key);
        return CF_OK;
    }
    if (!cJSON_IsString(v) || v->valuestring[0] == '\0') return t_bad(c, p, "a non-empty string", v);
    *out = v->valuestring;
    return CF_OK;
}

/* Reads the entry's as_of (the file's when absent). */
static cf_status t_as_of(tctx *c, const cJSON *obj, const char *path, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "as_of");
    *out = c->file_as_of;
    if (v == NULL) return CF_OK;
    long days;
    if (!cJSON_IsString(v) || !cf_catalog_parse_date(v->valuestring, &days)) {
        char p[160];
        snprintf(p, sizeof p, "%s.as_of", path);
        return t_bad(c, p, "a date YYYY-MM-DD (a real calendar day, e.g. \"2025-06-01\")", v);
    }
    *out = v->valuestring;
    return CF_OK;
}

/* Rejects a second element of arr (before index i) with the same provider and region. */
static cf_status t_dup(tctx *c, const cJSON *arr, size_t i, const char *sect, const char *prov, const char *reg)
{
    for (size_t j = 0; j < i; j++) {
        const cJSON *o = cJSON_GetArrayItem(arr, (int)j);
        const cJSON *pp = cJSON_GetObjectItemCaseSensitive(o, "provider");
        const cJSON *pr = cJSON_GetObjectItemCaseSensitive(o, "region");
        if (cJSON_IsString(pp) && cJSON_IsString(pr) && cf_cat_name_eq(pp->valuestring, prov) &&
            cf_cat_name_eq(pr->valuestring, reg)) {
            char p[80];
            snprintf(p, sizeof p, "%s[%zu]", sect, i);
            return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, p,
                                "duplicate %s entry for %s/%s (already at %s[%zu])", sect, prov, reg, sect, j);
        }
    }
    return CF_OK;
}

static const char *const egr_keys[] = {"provider", "region", "network", "same_region", "inter_region",
                                       "internet", "source", "as_of",   NULL};
static const char egr_text[] = "provider, region, network, same_region, inter_region, internet, source, as_of";
static const char *const egr_price_keys[3] = {"same_region", "inter_region", "internet"};

/* Validates egress[i] and merges it into cat. */
static cf_status merge_egress(tctx *c, cf_catalog *cat, const cJSON *v, size_t i, const cJSON *all)
{
    char path[64];
    snprintf(path, sizeof path, "egress[%zu]", i);
    if (!cJSON_IsObject(v)) return t_bad(c, path, "an object", v);
    cf_status st = t_keys(c, v, path, egr_keys, egr_text);
    const char *prov, *reg, *net, *src, *as_of;
    if (st || (st = t_str(c, v, path, "provider", 1, &prov)) || (st = t_str(c, v, path, "region", 1, &reg)) ||
        (st = t_str(c, v, path, "network", 0, &net)) || (st = t_str(c, v, path, "source", 0, &src)) ||
        (st = t_as_of(c, v, path, &as_of)) || (st = t_dup(c, all, i, "egress", prov, reg)))
        return st;
    double x[3] = {NAN, NAN, NAN};
    int pres[3];
    for (int k = 0; k < 3; k++)
        if ((st = t_num(c, v, path, egr_price_keys[k], &pres[k], &x[k]))) return st;
    size_t at = find_egr(cat, prov, reg);
    cf_egress *e;
    if (at == (size_t)-1) {
        if (src == NULL) {
            char p[80];
            snprintf(p, sizeof p, "%s.source", path);
            return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, p,
                                "missing required field \"source\" for new egress entry %s/%s (every figure carries "
                                "its source)",
                                prov, reg);
        }
        if (!cf_grow_to((void **)&cat->egr, &cat->cap_egr, cat->n_egr + 1, sizeof *cat->egr, 8)) return T_NOMEM(c);
        e = &cat->egr[cat->n_egr++];
        memset(e, 0, sizeof *e);
        e->same_region = e->inter_region = e->internet = NAN;
        if (!set_owned(&e->provider, prov) || !set_owned(&e->region, reg) || !set_owned(&e->network, prov))
            return T_NOMEM(c);
    } else {
        e = &cat->egr[at];
    }
    if (pres[0]) e->same_region = x[0];
    if (pres[1]) e->inter_region = x[1];
    if (pres[2]) e->internet = x[2];
    if ((net && !set_owned(&e->network, net)) || (src && !set_owned(&e->source, src)) ||
        (as_of && !set_owned(&e->as_of, as_of)))
        return T_NOMEM(c);
    return CF_OK;
}

static const char *const sto_keys[] = {"provider",  "region", "object_standard", "object_infrequent",
                                       "block_ssd", "source", "as_of",           NULL};
static const char sto_text[] = "provider, region, object_standard, object_infrequent, block_ssd, source, as_of";

/* Validates storage[i] and merges it into cat. */
static cf_status merge_storage(tctx *c, cf_catalog *cat, const cJSON *v, size_t i, const cJSON *all)
{
    char path[64];
    snprintf(path, sizeof path, "storage[%zu]", i);
    if (!cJSON_IsObject(v)) return t_bad(c, path, "an object", v);
    cf_status st = t_keys(c, v, path, sto_keys, sto_text);
    const char *prov, *reg, *src, *as_of;
    if (st || (st = t_str(c, v, path, "provider", 1, &prov)) || (st = t_str(c, v, path, "region", 1, &reg)) ||
        (st = t_str(c, v, path, "source", 0, &src)) || (st = t_as_of(c, v, path, &as_of)) ||
        (st = t_dup(c, all, i, "storage", prov, reg)))
        return st;
    double x[CF_STORAGE_CLASS_COUNT];
    int pres[CF_STORAGE_CLASS_COUNT];
    for (int k = 0; k < CF_STORAGE_CLASS_COUNT; k++)
        if ((st = t_num(c, v, path, class_names[k], &pres[k], &x[k]))) return st;
    size_t at = find_sto(cat, prov, reg);
    cf_storage *s;
    if (at == (size_t)-1) {
        if (src == NULL) {
            char p[80];
            snprintf(p, sizeof p, "%s.source", path);
            return cf_error_set(c->err, CF_ERR_INVALID, c->source, 0, 0, p,
                                "missing required field \"source\" for new storage entry %s/%s (every figure carries "
                                "its source)",
                                prov, reg);
        }
        if (!cf_grow_to((void **)&cat->sto, &cat->cap_sto, cat->n_sto + 1, sizeof *cat->sto, 8)) return T_NOMEM(c);
        s = &cat->sto[cat->n_sto++];
        memset(s, 0, sizeof *s);
        for (int k = 0; k < CF_STORAGE_CLASS_COUNT; k++) s->usd_per_gb_month[k] = NAN;
        if (!set_owned(&s->provider, prov) || !set_owned(&s->region, reg)) return T_NOMEM(c);
    } else {
        s = &cat->sto[at];
    }
    for (int k = 0; k < CF_STORAGE_CLASS_COUNT; k++)
        if (pres[k]) s->usd_per_gb_month[k] = x[k];
    if ((src && !set_owned(&s->source, src)) || (as_of && !set_owned(&s->as_of, as_of))) return T_NOMEM(c);
    return CF_OK;
}

cf_status cf_cat_transfer_merge(cf_catalog *work, const struct cJSON *root, const char *source, const char *file_as_of,
                                cf_error *err)
{
    tctx c = {source ? source : "catalog", file_as_of, err};
    /* Entries change while merging: lookups normalise both sides until the keys are rebuilt at the end. */
    keys_free(&work->egr_key, work->n_egr);
    keys_free(&work->sto_key, work->n_sto);
    const cJSON *eg = cJSON_GetObjectItemCaseSensitive(root, "egress");
    const cJSON *sg = cJSON_GetObjectItemCaseSensitive(root, "storage");
    if (eg != NULL && !cJSON_IsArray(eg)) return t_bad(&c, "egress", "an array", eg);
    if (sg != NULL && !cJSON_IsArray(sg)) return t_bad(&c, "storage", "an array", sg);
    size_t i = 0;
    const cJSON *v;
    cf_status st;
    cJSON_ArrayForEach(v, eg)
    {
        if ((st = merge_egress(&c, work, v, i++, eg))) return st;
    }
    i = 0;
    cJSON_ArrayForEach(v, sg)
    {
        if ((st = merge_storage(&c, work, v, i++, sg))) return st;
    }
    build_keys(work);
    return CF_OK;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Export and diff
 * ------------------------------------------------------------------------------------------------------------- */

/* Adds a number (null when unknown) to obj. Returns 0 on allocation failure. */
static int put_num(cJSON *obj, const char *key, double x)
{
    return (isnan(x) ? cJSON_AddNullToObject(obj, key) : cJSON_AddNumberToObject(obj, key, x)) != NULL;
}

/* Adds a string when not NULL. Returns 0 on allocation failure. */
static int put_str(cJSON *obj, const char *key, const char *s)
{
    return s == NULL || cJSON_AddStringToObject(obj, key, s) != NULL;
}

int cf_cat_transfer_to_json(const cf_catalog *cat, struct cJSON *root)
{
    cJSON *eg = cJSON_AddArrayToObject(root, "egress");
    cJSON *sg = cJSON_AddArrayToObject(root, "storage");
    if (eg == NULL || sg == NULL) return 0;
    for (size_t i = 0; i < cat->n_egr; i++) {
        const cf_egress *e = &cat->egr[i];
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(eg, o)) {
            cJSON_Delete(o);
            return 0;
        }
        if (!put_str(o, "provider", e->provider) || !put_str(o, "region", e->region) ||
            !put_str(o, "network", e->network) || !put_num(o, "same_region", e->same_region) ||
            !put_num(o, "inter_region", e->inter_region) || !put_num(o, "internet", e->internet) ||
            !put_str(o, "source", e->source) || !put_str(o, "as_of", e->as_of))
            return 0;
    }
    for (size_t i = 0; i < cat->n_sto; i++) {
        const cf_storage *s = &cat->sto[i];
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(sg, o)) {
            cJSON_Delete(o);
            return 0;
        }
        if (!put_str(o, "provider", s->provider) || !put_str(o, "region", s->region)) return 0;
        for (int k = 0; k < CF_STORAGE_CLASS_COUNT; k++)
            if (!put_num(o, class_names[k], s->usd_per_gb_month[k])) return 0;
        if (!put_str(o, "source", s->source) || !put_str(o, "as_of", s->as_of)) return 0;
    }
    return 1;
}

/* A growing text. */
typedef struct ttext {
    char *s;
    size_t n, cap;
    int oom;
} ttext;

/* Appends one line built from printf arguments. */
static void tline(ttext *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void tline(ttext *t, const char *fmt, ...)
{
    if (t->oom) return;
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (k < 0) return;
    size_t len = strlen(buf);
    if (!cf_grow_to((void **)&t->s, &t->cap, t->n + len + 2, 1, 1024)) {
        t->oom = 1;
        return;
    }
    memcpy(t->s + t->n, buf, len);
    t->n += len;
    t->s[t->n++] = '\n';
    t->s[t->n] = '\0';
}

/* "%.10g" or "-" for unknown. */
static const char *tnum(double x, char *buf, size_t n)
{
    if (isnan(x))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.10g", x);
    return buf;
}

/* Whether two figures differ (unknown equals unknown). */
static int ndiff(double a, double b) { return isnan(a) != isnan(b) || (!isnan(a) && a != b); }

/* Whether two optional strings differ. */
static int sdiff(const char *a, const char *b)
{
    if (a == NULL || b == NULL) return a != b;
    return strcmp(a, b) != 0;
}

/* One changed figure line: "<what> <field>: a -> b". */
static void tnum_line(ttext *t, const char *what, const char *field, double a, double b)
{
    char x[40], y[40];
    if (ndiff(a, b)) tline(t, "%s %s: %s -> %s", what, field, tnum(a, x, sizeof x), tnum(b, y, sizeof y));
}

/* One changed text line. */
static void tstr_line(ttext *t, const char *what, const char *field, const char *a, const char *b)
{
    if (sdiff(a, b)) tline(t, "%s %s: %s -> %s", what, field, a ? a : "-", b ? b : "-");
}

char *cf_cat_transfer_diff(const cf_catalog *a, const cf_catalog *b)
{
    ttext t = {0};
    char x[40], y[40], z[40];
    for (size_t i = 0; i < a->n_egr; i++) {
        const cf_egress *e = &a->egr[i];
        const cf_egress *f = cf_catalog_egress(b, e->provider, e->region);
        char what[300];
        snprintf(what, sizeof what, "egress %s/%s", e->provider, e->region);
        if (f == NULL) {
            tline(&t, "egress removed: %s/%s", e->provider, e->region);
            continue;
        }
        tstr_line(&t, what, "network", e->network, f->network);
        tnum_line(&t, what, "same_region", e->same_region, f->same_region);
        tnum_line(&t, what, "inter_region", e->inter_region, f->inter_region);
        tnum_line(&t, what, "internet", e->internet, f->internet);
        tstr_line(&t, what, "source", e->source, f->source);
        tstr_line(&t, what, "as_of", e->as_of, f->as_of);
    }
    for (size_t j = 0; j < b->n_egr; j++) {
        const cf_egress *f = &b->egr[j];
        if (cf_catalog_egress(a, f->provider, f->region) == NULL)
            tline(&t, "egress added: %s/%s (same region %s, inter-region %s, internet %s USD/GB)", f->provider,
                  f->region, tnum(f->same_region, x, sizeof x), tnum(f->inter_region, y, sizeof y),
                  tnum(f->internet, z, sizeof z));
    }
    for (size_t i = 0; i < a->n_sto; i++) {
        const cf_storage *s = &a->sto[i];
        const cf_storage *u = cf_catalog_storage(b, s->provider, s->region);
        char what[300];
        snprintf(what, sizeof what, "storage %s/%s", s->provider, s->region);
        if (u == NULL) {
            tline(&t, "storage removed: %s/%s", s->provider, s->region);
            continue;
        }
        for (int k = 0; k < CF_STORAGE_CLASS_COUNT; k++)
            tnum_line(&t, what, class_names[k], s->usd_per_gb_month[k], u->usd_per_gb_month[k]);
        tstr_line(&t, what, "source", s->source, u->source);
        tstr_line(&t, what, "as_of", s->as_of, u->as_of);
    }
    for (size_t j = 0; j < b->n_sto; j++) {
        const cf_storage *u = &b->sto[j];
        if (cf_catalog_storage(a, u->provider, u->region) == NULL)
            tline(&t, "storage added: %s/%s (object standard %s, infrequent %s, block SSD %s USD/GB-month)",
                  u->provider, u->region, tnum(u->usd_per_gb_month[0], x, sizeof x),
                  tnum(u->usd_per_gb_month[1], y, sizeof y), tnum(u->usd_per_gb_month[2], z, sizeof z));
    }
    if (t.oom) {
        free(t.s);
        return NULL;
    }
    if (t.s == NULL) t.s = calloc(1, 1);
    return t.s;
}
