/* costfront: your negotiated prices from the bill (models/bill_prices.c) -- the effective price per
 * accelerator-hour by hardware x region x commitment, written as a user catalog.
 *
 * Each FOCUS usage row (ChargeCategory "Usage") whose hardware resolves through the catalog's names (the x_ columns
 * first, in file order, then SkuId, then ResourceName; an instance type such as p4d.24xlarge gives the hardware and
 * its accelerator count) and whose PricingQuantity (else ConsumedQuantity) is in hours adds its EffectiveCost and
 * its accelerator-hours (quantity x accelerators) to the group (ProviderName lower-cased, RegionId, hardware,
 * committed): committed when CommitmentDiscountId is set or CommitmentDiscountStatus is "Used". The price is the
 * group's EffectiveCost / accelerator-hours. Rows with CommitmentDiscountStatus "Unused" (commitment paid, not used)
 * are counted apart: they are what the commitment wasted, not a price.
 *
 * The catalog written has one offer per (provider, region, hardware): "on_demand" from the uncommitted rows and
 * "reserved_1y" from the committed ones (FOCUS does not say a commitment's term; the source says which it is), the
 * bill as "source" and the last charge day as "as_of". Loaded with --catalog, it overrides those fields of the
 * default offers and leaves the rest (spot, 3-year) as they were.
 *
 * Ownership: cf_bill_prices_create makes a handle that cf_bill_prices_destroy frees (accepts NULL); it keeps the
 * catalog pointer, which must outlive it. Callers own what they pass in.
 */
#ifndef COSTFRONT_BILL_PRICES_H
#define COSTFRONT_BILL_PRICES_H

#include <stddef.h>

#include "costfront/catalog.h"
#include "costfront/focus.h"
#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cf_bill_prices cf_bill_prices;

/* Creates an empty accumulator resolving hardware through cat. NULL when memory runs out. */
cf_bill_prices *cf_bill_prices_create(const cf_catalog *cat);

/* Frees it. Accepts NULL. */
void cf_bill_prices_destroy(cf_bill_prices *bp);

/* Adds one FOCUS row (non-accelerator rows are counted and ignored). CF_ERR_NOMEM when memory runs out. */
cf_status cf_bill_prices_add(cf_bill_prices *bp, const cf_focus_row *row, cf_error *err);

/* Counts: rows added, rows priced (accelerator usage in hours), unused-commitment rows and their EffectiveCost,
 * usage rows skipped because no name resolved to hardware. */
size_t cf_bill_prices_rows(const cf_bill_prices *bp);
size_t cf_bill_prices_priced(const cf_bill_prices *bp);
size_t cf_bill_prices_unused(const cf_bill_prices *bp);
double cf_bill_prices_unused_cost(const cf_bill_prices *bp);
size_t cf_bill_prices_unresolved(const cf_bill_prices *bp);

/* One (provider, region, hardware, committed) group. */
typedef struct cf_bill_price {
    const char *provider, *region, *hardware;
    int committed;
    size_t rows;
    double effective_cost;
    double accelerator_hours;
    double usd_per_accelerator_hour; /* effective_cost / accelerator_hours */
    const char *first_day, *last_day; /* "YYYY-MM-DD" of the charge periods' starts */
} cf_bill_price;

/* The groups, sorted by provider, region, hardware, then uncommitted before committed. */
size_t cf_bill_prices_count(const cf_bill_prices *bp);
const cf_bill_price *cf_bill_prices_at(const cf_bill_prices *bp, size_t i);

/* Writes the user catalog (schema_version 1, offers only) as indented JSON ending with a newline into *out
 * (caller frees with free()); bill names the bill files in each source. CF_ERR_EMPTY when no row was priced. */
cf_status cf_bill_prices_to_catalog(const cf_bill_prices *bp, const char *bill, char **out, cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
