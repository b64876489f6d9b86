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
    double memory_gb; /* accelerator memory in GB (10^9 bytes as vendors print it), NaN when unknown */
    /* Relative inference throughput per precision (same scale: A100-80GB at bf16 = 1.0), NaN when unknown. */
    double inference_throughput[CF_CATALOG_PRECISIONS];
    const char *as_of;             /* date of the figures, "YYYY-MM-DD", or NULL when the catalog does not say */
    const char *throughput_source; /* where the throughput ratios come from, may be NULL */
} cf_hardware;

/* A region or site. */
typedef struct cf_region {
    const char *id;                 /* e.g. "us-east-1" */
    double grid_gco2e_per_kwh;      /* grid carbon intensity */
    double pue;                     /* power usage effectiveness of the data centre */
    double electricity_usd_per_kwh; /* NaN when unknown */
    const char *source;
    const char *as_of; /* "YYYY-MM-DD" or NULL */
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
    const char *as_of;    /* date of the prices, "YYYY-MM-DD", or NULL when the catalog does not say */
    const char *instance; /* instance type whose per-instance prices were converted (its source says so), or NULL */
} cf_offer;

/* A cloud instance type: a name runs and price lists use for a machine with n accelerators of one hardware. */
typedef struct cf_instance {
    const char *id;             /* e.g. "p5.48xlarge" */
    const char *provider;       /* e.g. "aws", may be NULL */
    const char *hardware;       /* hardware id */
    size_t accelerators;        /* accelerators per instance (>= 1) */
    const char *const *aliases; /* NULL-terminated list of other spellings */
    const char *source;
    const char *as_of;
} cf_instance;

/* How cf_catalog_resolve matched a name. */
typedef enum cf_match_kind {
    CF_MATCH_NONE = 0,     /* unknown or ambiguous */
    CF_MATCH_NAME = 1,     /* a hardware id or alias (possibly after dropping a vendor prefix) */
    CF_MATCH_INSTANCE = 2, /* an instance type: hardware and accelerator count come from it */
    CF_MATCH_LOOSE = 3     /* one hardware once vendor words and memory sizes are ignored on both sides */
} cf_match_kind;

/* What a name resolves to. */
typedef struct cf_hw_match {
    const cf_hardware *hardware; /* NULL when unknown or ambiguous */
    const cf_instance *instance; /* the instance type named, or NULL */
    size_t accelerators;         /* accelerators the name stands for: the instance's count, 1 for hardware */
    cf_match_kind kind;
    size_t n_candidates; /* hardware the name could mean (1 when matched, 2+ when ambiguous, 0 when unknown) */
} cf_hw_match;

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

/* Finds hardware by id or any alias, or by an instance type (p5.48xlarge -> h100), or loosely (see
 * cf_catalog_resolve). Matching ignores case and treats spaces, '-', '_' and '/' alike. Returns NULL when unknown
 * or ambiguous. */
const cf_hardware *cf_catalog_hardware(const cf_catalog *cat, const char *name);

/* Resolves a hardware name deterministically, in this order: a hardware id or alias; the same without a leading
 * NVIDIA/Tesla/Google/AMD/Intel/Habana; an instance type id or alias; a loose match ignoring vendor words, memory
 * sizes ("80GB") and memory kinds ("HBM3") on both sides, accepted only when it names one hardware. Fills *out
 * (always) and returns CF_OK when matched; CF_ERR_NOT_FOUND with a message that lists the candidates (sorted by id)
 * when the name is ambiguous, or says it is unknown. */
cf_status cf_catalog_resolve(const cf_catalog *cat, const char *name, cf_hw_match *out, cf_error *err);

/* Finds an instance type by id or alias (same matching as hardware). Returns NULL when unknown. */
const cf_instance *cf_catalog_instance(const cf_catalog *cat, const char *name);
size_t cf_catalog_instance_count(const cf_catalog *cat);
const cf_instance *cf_catalog_instance_at(const cf_catalog *cat, size_t i);

/* Date and source of the carbon price (NULL when the catalog does not say). */
const char *cf_catalog_carbon_price_as_of(const cf_catalog *cat);

/* Parses a "YYYY-MM-DD" date (a real calendar day, years 1900-9999) into days since 1970-01-01. Returns 1 on
 * success, 0 otherwise (*days untouched). */
int cf_catalog_parse_date(const char *ymd, long *days);

/* Staleness of a dated figure against a reference date (both "YYYY-MM-DD"): returns 1 when as_of is more than a
 * year (365 days) before ref, 0 when it is not, -1 when either date is missing or malformed. *age_days (may be NULL)
 * receives ref - as_of in days when both parse. The library never reads the clock: callers pass the date (the
 * command passes today's date, UTC, unless told otherwise), so results are reproducible. */
int cf_catalog_is_stale(const char *as_of, const char *ref, long *age_days);

/* Compares two catalogs and writes what changed from a to b as text lines into *out (caller frees with free()):
 * carbon price, then hardware, instances, regions and offers, each in a's order for changed and removed entries and
 * in b's order for added ones; fields compare exactly (numbers printed with %.10g). *n_changes (may be NULL) gets
 * the number of lines. Deterministic: the same two catalogs always give the same text. */
cf_status cf_catalog_diff(const cf_catalog *a, const cf_catalog *b, char **out, size_t *n_changes, cf_error *err);

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

/* ---- Data transfer and storage (data/catalog_transfer.c, issue 16) ---- */

/* What moving data out of one provider's region costs, USD per GB (free tiers ignored). NaN when unknown. */
typedef struct cf_egress {
    const char *provider;
    const char *region;
    const char *network;  /* providers on one network (aws-capacity-blocks is aws): paths between them are internal */
    double same_region;   /* to compute in the same region of the same network (cross-zone traffic ignored) */
    double inter_region;  /* to another region of the same network */
    double internet;      /* to the internet: another provider, or owned servers */
    const char *source;
    const char *as_of;
} cf_egress;

/* Storage classes priced per GB-month. */
typedef enum cf_storage_class {
    CF_STORAGE_OBJECT_STANDARD = 0,
    CF_STORAGE_OBJECT_INFREQUENT,
    CF_STORAGE_BLOCK_SSD,
    CF_STORAGE_CLASS_COUNT
} cf_storage_class;

/* Canonical name of a storage class ("object_standard", "object_infrequent", "block_ssd"). */
const char *cf_storage_class_name(cf_storage_class c);

/* Parses a storage class name (also "standard", "infrequent", "ia", "ssd", "block"). */
cf_status cf_storage_class_parse(const char *s, cf_storage_class *out);

/* What keeping data costs in one provider's region, USD per GB-month by class; NaN when unknown. */
typedef struct cf_storage {
    const char *provider;
    const char *region;
    double usd_per_gb_month[CF_STORAGE_CLASS_COUNT];
    const char *source;
    const char *as_of;
} cf_storage;

size_t cf_catalog_egress_count(const cf_catalog *cat);
const cf_egress *cf_catalog_egress_at(const cf_catalog *cat, size_t i);
size_t cf_catalog_storage_count(const cf_catalog *cat);
const cf_storage *cf_catalog_storage_at(const cf_catalog *cat, size_t i);

/* Finds the egress (storage) entry of provider and region (names matched as for hardware). NULL when unknown. */
const cf_egress *cf_catalog_egress(const cf_catalog *cat, const char *provider, const char *region);
const cf_storage *cf_catalog_storage(const cf_catalog *cat, const char *provider, const char *region);

/* Resolves where a run's data lives: "provider/region" (e.g. "aws/us-east-1"), or a region alone when one network
 * holds it in the egress table. Returns the entry in *out and CF_OK; CF_ERR_NOT_FOUND with a message that lists
 * the candidates ("aws/us-east-1, lambda/us-east-1") when a region alone is ambiguous, or the known locations when
 * it is unknown. */
cf_status cf_catalog_data_location(const cf_catalog *cat, const char *text, const cf_egress **out, cf_error *err);

/* The price per GB of moving data from src to compute in provider/region: 0-rated same-region paths, inter-region
 * within one network, internet otherwise (another network, or owned servers). *path (may be NULL) receives
 * "same region", "inter-region" or "internet". NaN when the catalog does not know the price. */
double cf_egress_price(const cf_catalog *cat, const cf_egress *src, const char *provider, const char *region,
                       const char **path);

#ifdef __cplusplus
}
#endif
#endif
