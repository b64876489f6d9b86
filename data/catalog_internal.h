/* costfront: the price catalog's private representation, shared by data/catalog.c (storage, loading, merging)
 * and data/catalog_names.c (name normalisation, lookup and cf_catalog_resolve). Private to the library.
 *
 * Ownership: every string and array reachable from a cf_catalog is owned by it; the lookup functions return
 * pointers into the catalog, valid until its next load or its destruction.
 */
#ifndef COSTFRONT_CATALOG_INTERNAL_H
#define COSTFRONT_CATALOG_INTERNAL_H

#include "costfront/catalog.h"

#include <stddef.h>

typedef struct hw_entry {
    cf_hardware h;           /* public view; its strings and alias array are owned by this entry */
    size_t n_aliases;
    unsigned gen;            /* the load (cf_catalog.gen) that last declared this entry */
    /* Normalised names (id, then aliases: n_aliases + 1) and their loose keys ("" when none), built after each
     * load so that a lookup normalises only the name asked for; NULL while a load is merging. */
    char **keys, **lkeys, **lkeys2;
} hw_entry;

typedef struct inst_entry {
    cf_instance in; /* public view; strings and alias array owned by this entry */
    size_t n_aliases;
    char **keys; /* normalised id then aliases, as for hw_entry; NULL while merging */
} inst_entry;

struct cf_catalog {
    hw_entry *hw;
    size_t n_hw, cap_hw;
    cf_region *reg;
    size_t n_reg, cap_reg;
    cf_offer *off;
    size_t n_off, cap_off;
    inst_entry *inst;
    size_t n_inst, cap_inst;
    double carbon_price; /* USD per tonne CO2e, NaN when unknown */
    char *carbon_source;
    char *carbon_as_of;
    unsigned gen;        /* number of loads so far; entries declared by the current load carry it */
    char **notes;        /* what loads said without failing (shadowed aliases), oldest first */
    size_t n_notes, cap_notes;
    cf_egress *egr;      /* data transfer prices (data/catalog_transfer.c) */
    size_t n_egr, cap_egr;
    cf_storage *sto;     /* storage prices (data/catalog_transfer.c) */
    size_t n_sto, cap_sto;
    char **egr_key, **sto_key; /* normalised "provider/region" per entry, or NULL (lookups then normalise) */
};

/* Normalises a name for matching: lower case, and every run of spaces, tabs, '-', '_' and '/' becomes one '-',
 * with none at either end. Returns 0 when the name does not fit in out (such names never match). */
int cf_cat_norm_name(const char *s, char *out, size_t n);

/* Whether two names are equal under cf_cat_norm_name. */
int cf_cat_name_eq(const char *a, const char *b);

/* Frees a key array of n strings and sets it to NULL (a lookup then normalises names itself). */
void cf_cat_keys_free(char ***keys, size_t n);

/* Whether one of names (n of them; keys, when built, their normalised forms) normalises to q. */
int cf_cat_has_name(char *const *keys, const char *const *names, size_t n, const char *q);

/* Whether hardware e answers to the normalised name q (its id or an alias). */
int cf_cat_hw_has_name(const hw_entry *e, const char *q);

/* Finds hardware by id or alias with the catalog's name normalisation; exact, so no fuzzy fallback. */
hw_entry *cf_cat_find_hw_exact(const cf_catalog *cat, const char *name);

/* Finds hardware by id only: aliases must not match when a file refers to an entry's identity. */
hw_entry *cf_cat_find_hw_by_id(const cf_catalog *cat, const char *id);

/* Finds a region by id (normalised names), or NULL. */
cf_region *cf_cat_find_region(const cf_catalog *cat, const char *id);

/* Finds the offer for (provider, region, hardware), the key under which a later file overrides an earlier one. */
cf_offer *cf_cat_find_offer(const cf_catalog *cat, const char *provider, const char *region, const char *hardware);

/* Finds an instance type by id or alias. */
inst_entry *cf_cat_find_inst(const cf_catalog *cat, const char *name);

/* Builds the normalised keys of every entry (see hw_entry.keys). Returns 0 on allocation failure; the keys built
 * so far stay, and lookups fall back to normalising names themselves. */
int cf_cat_build_index(cf_catalog *cat);

/* ---- data/catalog_transfer.c: the "egress" and "storage" sections (issue 16) ---- */

struct cJSON;

/* Frees the transfer and storage entries of cat (not the struct). */
void cf_cat_transfer_clear(cf_catalog *cat);

/* Deep-copies src's transfer and storage entries into dst (which holds none). Returns 0 on allocation failure. */
int cf_cat_transfer_copy(cf_catalog *dst, const cf_catalog *src);

/* Validates the root's "egress" and "storage" arrays and merges them into work (by provider and region, field by
 * field). file_as_of dates entries that give none. Errors name the JSON path. */
cf_status cf_cat_transfer_merge(cf_catalog *work, const struct cJSON *root, const char *source, const char *file_as_of,
                                cf_error *err);

#endif
