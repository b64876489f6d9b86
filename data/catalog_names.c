/* costfront: the catalog's names -- normalisation, exact lookup by id, alias and instance type, and the loose,
 * tiered matching of cf_catalog_resolve (catalog.h) that lets "NVIDIA H100-SXM-80GB" meet h100. Lookups use the
 * normalised keys built after each load (cf_cat_build_index) and normalise names themselves while a load merges.
 */
#include "costfront/catalog.h"
#include "data/alloc.h"
#include "data/catalog_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Normalises a name for matching: lower case, and every run of spaces, tabs, '-', '_' and '/' becomes one '-',
 * with none at either end. Returns 0 when the name does not fit in out (such names never match). */
int cf_cat_norm_name(const char *s, char *out, size_t n)
{
    size_t k = 0;
    int sep = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ' || c == '\t' || c == '-' || c == '_' || c == '/') {
            sep = 1;
            continue;
        }
        if (sep && k > 0) {
            if (k + 1 >= n) return 0;
            out[k++] = '-';
        }
        sep = 0;
        if (k + 1 >= n) return 0;
        out[k++] = (char)tolower(c);
    }
    out[k] = '\0';
    return 1;
}

/* Whether two names are equal under cf_cat_norm_name. */
int cf_cat_name_eq(const char *a, const char *b)
{
    char na[512], nb[512];
    if (a == NULL || b == NULL) return 0;
    if (!cf_cat_norm_name(a, na, sizeof na) || !cf_cat_norm_name(b, nb, sizeof nb)) return 0;
    return strcmp(na, nb) == 0;
}


/* Whether one of names (n of them; keys, when built, their normalised forms) normalises to q. */
int cf_cat_has_name(char *const *keys, const char *const *names, size_t n, const char *q)
{
    char b[512];
    for (size_t i = 0; i < n; i++) {
        if (keys != NULL) {
            if (strcmp(keys[i], q) == 0) return 1;
        } else if (names[i] != NULL && cf_cat_norm_name(names[i], b, sizeof b) && strcmp(b, q) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Whether hardware e answers to the normalised name q (its id or an alias). */
int cf_cat_hw_has_name(const hw_entry *e, const char *q)
{
    if (cf_cat_has_name(e->keys, &e->h.id, 1, q)) return 1;
    return e->n_aliases > 0 && cf_cat_has_name(e->keys ? e->keys + 1 : NULL, e->h.aliases, e->n_aliases, q);
}

/* Finds hardware by id or alias with the catalog's name normalisation; exact, so no fuzzy fallback. */
hw_entry *cf_cat_find_hw_exact(const cf_catalog *cat, const char *name)
{
    char q[512];
    if (name == NULL || !cf_cat_norm_name(name, q, sizeof q)) return NULL;
    for (size_t i = 0; i < cat->n_hw; i++)
        if (cf_cat_hw_has_name(&cat->hw[i], q)) return &cat->hw[i];
    return NULL;
}

/* Finds hardware by id only: aliases must not match when a file refers to an entry's identity. */
hw_entry *cf_cat_find_hw_by_id(const cf_catalog *cat, const char *id)
{
    for (size_t i = 0; i < cat->n_hw; i++)
        if (cf_cat_name_eq(cat->hw[i].h.id, id)) return &cat->hw[i];
    return NULL;
}

/* Finds a region by id (normalised names), or NULL. */
cf_region *cf_cat_find_region(const cf_catalog *cat, const char *id)
{
    for (size_t i = 0; i < cat->n_reg; i++)
        if (cf_cat_name_eq(cat->reg[i].id, id)) return &cat->reg[i];
    return NULL;
}

/* Finds the offer for (provider, region, hardware), the key under which a later file overrides an earlier one. */
cf_offer *cf_cat_find_offer(const cf_catalog *cat, const char *provider, const char *region, const char *hardware)
{
    for (size_t i = 0; i < cat->n_off; i++) {
        cf_offer *o = &cat->off[i];
        if (cf_cat_name_eq(o->provider, provider) && cf_cat_name_eq(o->region, region) && cf_cat_name_eq(o->hardware, hardware)) return o;
    }
    return NULL;
}

/* Finds an instance type by id or alias. */
inst_entry *cf_cat_find_inst(const cf_catalog *cat, const char *name)
{
    char q[512];
    if (name == NULL || !cf_cat_norm_name(name, q, sizeof q)) return NULL;
    for (size_t i = 0; i < cat->n_inst; i++) {
        inst_entry *e = &cat->inst[i];
        if (cf_cat_has_name(e->keys, &e->in.id, 1, q)) return e;
        if (e->n_aliases > 0 && cf_cat_has_name(e->keys ? e->keys + 1 : NULL, e->in.aliases, e->n_aliases, q)) return e;
    }
    return NULL;
}

/* Vendor words dropped from the front of a name (exact step) and anywhere in it (loose step). */
static const char *const vendor_words[] = {"nvidia", "tesla", "google", "amd", "intel", "habana", "instinct", "cloud",
                                           NULL};

/* Whether the normalised token t (length n) is a vendor word. */
static int is_vendor_token(const char *t, size_t n)
{
    for (size_t k = 0; vendor_words[k]; k++)
        if (strlen(vendor_words[k]) == n && strncmp(t, vendor_words[k], n) == 0) return 1;
    return 0;
}

/* Whether the normalised token t (length n) is a memory size ("80gb", "141gb", "24g") or kind ("hbm3", "hbm3e",
 * "hbm2e", "gddr6", "gddr6x"): words a data source adds or leaves out for the same card. */
static int is_memory_token(const char *t, size_t n)
{
    size_t d = 0;
    while (d < n && isdigit((unsigned char)t[d])) d++;
    if (d > 0 && ((n - d == 2 && strncmp(t + d, "gb", 2) == 0) || (n - d == 1 && t[d] == 'g'))) return 1;
    if (n >= 3 && strncmp(t, "hbm", 3) == 0) return 1;
    if (n >= 4 && strncmp(t, "gddr", 4) == 0) return 1;
    return 0;
}

/* The loose key of a name: its normalised form without vendor words and memory kinds, and (sizes = 1) without
 * memory sizes. Returns 0 when it does not fit or nothing is left. */
static int loose_key(const char *name, int sizes, char *out, size_t n)
{
    char norm[512];
    if (!cf_cat_norm_name(name, norm, sizeof norm)) return 0;
    size_t k = 0;
    const char *p = norm;
    while (*p) {
        const char *q = strchr(p, '-');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        int mem = is_memory_token(p, len), size = mem && isdigit((unsigned char)p[0]);
        if (!is_vendor_token(p, len) && (!mem || (size && !sizes))) {
            if (k + len + 2 > n) return 0;
            if (k > 0) out[k++] = '-';
            memcpy(out + k, p, len);
            k += len;
        }
        p += len;
        if (*p == '-') p++;
    }
    out[k] = '\0';
    return k > 0;
}

/* The exact steps of cf_catalog_resolve: a name, then the name without leading vendor words. */
static hw_entry *find_hw_named(const cf_catalog *cat, const char *name)
{
    hw_entry *e = cf_cat_find_hw_exact(cat, name);
    if (e != NULL) return e;
    /* Vendor prefixes are often present in one source and absent in another ("NVIDIA L4" vs "L4"). */
    char n[512];
    if (!cf_cat_norm_name(name, n, sizeof n)) return NULL;
    const char *rest = n;
    for (;;) {
        const char *dash = strchr(rest, '-');
        if (dash == NULL || !is_vendor_token(rest, (size_t)(dash - rest))) break;
        rest = dash + 1;
    }
    return rest != n ? cf_cat_find_hw_exact(cat, rest) : NULL;
}

/* Compares hardware entries by id, for a sorted candidate list. */
static int cmp_hw_id(const void *a, const void *b)
{
    return strcmp((*(const hw_entry *const *)a)->h.id, (*(const hw_entry *const *)b)->h.id);
}

cf_status cf_catalog_resolve(const cf_catalog *cat, const char *name, cf_hw_match *out, cf_error *err)
{
    cf_hw_match m;
    memset(&m, 0, sizeof m);
    if (out != NULL) *out = m;
    if (cat == NULL || name == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "catalog, name and output must not be NULL");
    hw_entry *e = find_hw_named(cat, name);
    if (e != NULL) {
        m.hardware = &e->h;
        m.accelerators = 1;
        m.kind = CF_MATCH_NAME;
        m.n_candidates = 1;
        *out = m;
        return CF_OK;
    }
    inst_entry *ie = cf_cat_find_inst(cat, name);
    if (ie != NULL && (e = cf_cat_find_hw_by_id(cat, ie->in.hardware)) != NULL) {
        m.hardware = &e->h;
        m.instance = &ie->in;
        m.accelerators = ie->in.accelerators;
        m.kind = CF_MATCH_INSTANCE;
        m.n_candidates = 1;
        *out = m;
        return CF_OK;
    }
    /* Loose, in two tiers: every hardware one of whose names has the same key without vendor words and memory
     * kinds; when none, the same without memory sizes too ("A100" then meets both A100 40GB and 80GB). */
    char key[512], other[512];
    hw_entry **cand = malloc((cat->n_hw ? cat->n_hw : 1) * sizeof *cand);
    size_t nc = 0;
    if (cand == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory resolving a name");
    for (int tier = 0; tier < 2 && nc == 0; tier++) {
        if (!loose_key(name, tier, key, sizeof key)) continue;
        for (size_t i = 0; i < cat->n_hw; i++) {
            hw_entry *h = &cat->hw[i];
            char **lk = tier ? h->lkeys2 : h->lkeys;
            int hit = 0;
            for (size_t k = 0; !hit && k <= h->n_aliases; k++) {
                if (lk != NULL)
                    hit = strcmp(lk[k], key) == 0;
                else
                    hit = loose_key(k == 0 ? h->h.id : h->h.aliases[k - 1], tier, other, sizeof other) &&
                          strcmp(key, other) == 0;
            }
            if (hit) cand[nc++] = h;
        }
    }
    m.n_candidates = nc;
    if (nc == 1) {
        m.hardware = &cand[0]->h;
        m.accelerators = 1;
        m.kind = CF_MATCH_LOOSE;
        *out = m;
        free(cand);
        return CF_OK;
    }
    *out = m;
    if (nc == 0) {
        free(cand);
        return cf_error_set(err, CF_ERR_NOT_FOUND, NULL, 0, 0, NULL,
                            "unknown hardware \"%s\" (not a hardware id, alias or instance type of the catalog)",
                            name);
    }
    qsort(cand, nc, sizeof *cand, cmp_hw_id);
    char list[400];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < nc && used + 1 < sizeof list; i++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", cand[i]->h.id);
        if (w < 0) break;
        used += (size_t)w;
    }
    free(cand);
    return cf_error_set(err, CF_ERR_NOT_FOUND, NULL, 0, 0, NULL,
                        "ambiguous hardware \"%s\": it could be %s; write one of these ids (or add the name as an "
                        "alias in your catalog)",
                        name, list);
}

const cf_hardware *cf_catalog_hardware(const cf_catalog *cat, const char *name)
{
    if (cat == NULL || name == NULL) return NULL;
    cf_hw_match m;
    return cf_catalog_resolve(cat, name, &m, NULL) == CF_OK ? m.hardware : NULL;
}

const cf_instance *cf_catalog_instance(const cf_catalog *cat, const char *name)
{
    if (cat == NULL || name == NULL) return NULL;
    inst_entry *e = cf_cat_find_inst(cat, name);
    return e ? &e->in : NULL;
}

/* Builds the normalised keys of every entry (see hw_entry.keys). Returns 0 on allocation failure; the keys built
 * so far stay, and lookups fall back to normalising names themselves. */
int cf_cat_build_index(cf_catalog *cat)
{
    char b[512];
    for (size_t i = 0; i < cat->n_hw; i++) {
        hw_entry *e = &cat->hw[i];
        if (e->keys != NULL && e->lkeys != NULL && e->lkeys2 != NULL) continue;
        cf_cat_keys_free(&e->keys, e->n_aliases + 1);
        cf_cat_keys_free(&e->lkeys, e->n_aliases + 1);
        cf_cat_keys_free(&e->lkeys2, e->n_aliases + 1);
        char **k = calloc(e->n_aliases + 1, sizeof *k), **l = calloc(e->n_aliases + 1, sizeof *l),
             **l2 = calloc(e->n_aliases + 1, sizeof *l2);
        int oom = k == NULL || l == NULL || l2 == NULL;
        for (size_t j = 0; !oom && j <= e->n_aliases; j++) {
            const char *nm = j == 0 ? e->h.id : e->h.aliases[j - 1];
            k[j] = cf_dup_str(cf_cat_norm_name(nm, b, sizeof b) ? b : "", &oom);
            l[j] = cf_dup_str(loose_key(nm, 0, b, sizeof b) ? b : "", &oom);
            l2[j] = cf_dup_str(loose_key(nm, 1, b, sizeof b) ? b : "", &oom);
        }
        if (oom) {
            cf_cat_keys_free(&k, k ? e->n_aliases + 1 : 0);
            cf_cat_keys_free(&l, l ? e->n_aliases + 1 : 0);
            cf_cat_keys_free(&l2, l2 ? e->n_aliases + 1 : 0);
            return 0;
        }
        e->keys = k;
        e->lkeys = l;
        e->lkeys2 = l2;
    }
    for (size_t i = 0; i < cat->n_inst; i++) {
        inst_entry *e = &cat->inst[i];
        if (e->keys != NULL) continue;
        char **k = calloc(e->n_aliases + 1, sizeof *k);
        int oom = k == NULL;
        for (size_t j = 0; !oom && j <= e->n_aliases; j++)
            k[j] = cf_dup_str(cf_cat_norm_name(j == 0 ? e->in.id : e->in.aliases[j - 1], b, sizeof b) ? b : "", &oom);
        if (oom) {
            cf_cat_keys_free(&k, k ? e->n_aliases + 1 : 0);
            return 0;
        }
        e->keys = k;
    }
    return 1;
}
