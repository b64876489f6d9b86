/* costfront: the price catalog (data/catalog.c) -- hardware, regions, offers and the carbon shadow price.
 *
 * "What does an hour of X cost, draw and emit here." The default catalog is data/catalog.json, compiled into the
 * library; a user catalog overrides it by id (hardware, regions) or by (provider, region, hardware) (offers), or
 * replaces it. An overriding entry replaces the old one field by field: fields it omits keep their old values, an
 * explicit null makes a number unknown, aliases are added. Every figure carries a `source` string. A user entry
 * wins for the names it declares: an alias of an earlier entry that it declares (as its id or an alias) moves to it,
 * with a note (cf_catalog_note_at) naming the entry that lost it.
 *
 * Ownership: the catalog owns every struct and string it returns; pointers stay valid until the catalog is
 * destroyed or another file is loaded into it.
 */
#ifndef COSTFRONT_CATALOG_H
#define COSTFRONT_CATALOG_H

#include <stddef.h>

#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Number of precision slots in cf_hardware.throughput (matches CF_PREC_COUNT in runset.h). */
#define CF_CATALOG_PRECISIONS 8

/* An accelerator. Numbers are NaN when the catalog does not know them. */
typedef struct cf_hardware {
    const char *id;             /* e.g. "a100-80gb" */
    const char *name;           /* display name, e.g. "NVIDIA A100 SXM4 80GB" */
    const char *const *aliases; /* NULL-terminated list of alternative names */
    double board_power_w;       /* W, typical board power while training */
    double embodied_kgco2e;     /* kg CO2e to manufacture one card (plus its share of the server) */
    double life_years;          /* service life used to amortise embodied carbon and capex */
    double purchase_usd;        /* list price of one card */
    /* Relative training throughput at each precision (index = cf_precision), A100-80GB at bf16 = 1.0; NaN when
     * the precision is unsupported or unknown. Used as the prior mean of the GPU-hours model. */
    double throughput[CF_CATALOG_PRECISIONS];
    const char *source;
} cf_hardware;

/* A region or site. */
typedef struct cf_region {
    const char *id;                 /* e.g. "us-east-1" */
    double grid_gco2e_per_kwh;      /* grid carbon intensity */
    double pue;                     /* power usage effectiveness of the data centre */
    double electricity_usd_per_kwh; /* NaN when unknown */
    const char *source;
} cf_region;

/* One provider's prices for one hardware in one region, USD per accelerator-hour; NaN when not offered. */
typedef struct cf_offer {
    const char *provider;
    const char *region;
    const char *hardware;
    double on_demand;
    double reserved_1y;
    double reserved_3y;
    double spot;
    double spot_interruptions_per_hour; /* mean rate lambda of spot interruptions */
    const char *source;
} cf_offer;

typedef struct cf_catalog cf_catalog;

/* Creates an empty catalog. Returns NULL on allocation failure. */
cf_catalog *cf_catalog_create(void);

/* Frees a catalog. Accepts NULL. */
void cf_catalog_destroy(cf_catalog *cat);

/* Loads the built-in default catalog (data/catalog.json compiled in). */
cf_status cf_catalog_load_default(cf_catalog *cat, cf_error *err);

/* Loads a catalog JSON file. Entries override existing ones with the same id (offers: same provider, region and
 * hardware); new entries are added. Validation errors name the JSON path (e.g. "offers[3].spot"). On failure the
 * catalog is unchanged. */
cf_status cf_catalog_load_file(cf_catalog *cat, const char *path, cf_error *err);

/* Same as cf_catalog_load_file for a JSON text in memory; source names it in errors. */
cf_status cf_catalog_load_string(cf_catalog *cat, const char *json, const char *source, cf_error *err);

/* Notes the loads so far made without failing, oldest first, each "<file>: <JSON path>: <text>": e.g. a user entry
 * that took over an alias of a default entry ("hardware[0].id: \"h100-sxm\" now names hardware \"h100-sxm\" from
 * this file; it was an alias of hardware \"h100\" ..."). The catalog owns the strings. */
size_t cf_catalog_note_count(const cf_catalog *cat);
const char *cf_catalog_note_at(const cf_catalog *cat, size_t i);

/* Carbon shadow price in USD per tonne CO2e, and its source. */
double cf_catalog_carbon_price(const cf_catalog *cat);
const char *cf_catalog_carbon_price_source(const cf_catalog *cat);
void cf_catalog_set_carbon_price(cf_catalog *cat, double usd_per_t);

/* Finds hardware by id or any alias. Matching ignores case and treats spaces, '-', '_' and '/' alike. Returns
 * NULL when unknown. */
const cf_hardware *cf_catalog_hardware(const cf_catalog *cat, const char *name);

/* Finds a region by id (same matching as hardware). Returns NULL when unknown. */
const cf_region *cf_catalog_region(const cf_catalog *cat, const char *name);

/* Iteration. */
size_t cf_catalog_hardware_count(const cf_catalog *cat);
const cf_hardware *cf_catalog_hardware_at(const cf_catalog *cat, size_t i);
size_t cf_catalog_region_count(const cf_catalog *cat);
const cf_region *cf_catalog_region_at(const cf_catalog *cat, size_t i);
size_t cf_catalog_offer_count(const cf_catalog *cat);
const cf_offer *cf_catalog_offer_at(const cf_catalog *cat, size_t i);

/* Writes the whole catalog as indented JSON (the same shape it loads, unknown numbers as null, ending with a
 * newline) into *out, which the caller frees with free(). Writing it to a file is the caller's business (the
 * command writes it atomically). */
cf_status cf_catalog_to_json(const cf_catalog *cat, char **out, cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
