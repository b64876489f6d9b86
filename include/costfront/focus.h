/* costfront: a streaming reader of FOCUS billing exports (data/read_focus.c).
 *
 * FOCUS, the FinOps Open Cost and Usage Specification (FinOps Foundation, versions 1.0, 1.1 and 1.2), is the
 * billing export format of AWS Data Exports, Azure cost exports and Google Cloud's FOCUS BigQuery export. A FOCUS
 * file is a CSV with one header row of column names; this reader takes plain and gzip-compressed CSV (zlib reads
 * both through the same calls) and hands every valid row to a callback, one at a time, so memory does not grow
 * with the file: the reader keeps one record, the header, and at most CF_FOCUS_MAX_REJECTS rejected-row records.
 *
 * Rows are validated like runs: a rejected row is recorded as file:line:column, field, expected and found, and
 * counted; without keep-going the first rejected row stops the read.
 *
 * Ownership: a cf_focus_reader is created and destroyed by its user. Every pointer in a cf_focus_row (strings,
 * the Tags object, the column arrays) belongs to the reader and is valid only during the callback that receives
 * it: copy what must outlive the call.
 */
#ifndef COSTFRONT_FOCUS_H
#define COSTFRONT_FOCUS_H

#include <stddef.h>

#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

/* Rejected rows kept (with their messages) per reader; further rejects are only counted. */
#define CF_FOCUS_MAX_REJECTS 100

/* One valid FOCUS row. Strings are NULL when the column is absent or the cell empty; numbers are NaN then. */
typedef struct cf_focus_row {
    const char *source; /* file path */
    long line;          /* 1-based physical line where the record starts */
    double billed_cost;    /* BilledCost (required) */
    double effective_cost; /* EffectiveCost (required): after commitment discounts, amortised purchases */
    double list_cost;      /* ListCost, NaN when absent */
    const char *billing_currency; /* BillingCurrency (required), e.g. "USD" */
    double charge_start; /* ChargePeriodStart, seconds since 1970-01-01T00:00:00Z (required) */
    double charge_end;   /* ChargePeriodEnd (exclusive, after charge_start; required) */
    const char *charge_category; /* ChargeCategory: Usage, Purchase, Tax, Credit, Adjustment */
    const char *resource_id, *resource_name, *service_name, *sku_id, *region_id;
    double pricing_quantity; /* PricingQuantity */
    const char *pricing_unit;
    double consumed_quantity; /* ConsumedQuantity */
    const char *consumed_unit;
    const char *commitment_discount_id, *commitment_discount_status; /* Status: Used / Unused */
    const char *provider_name; /* ProviderName (ServiceProviderName when only that is given) */
    const struct cJSON *tags;  /* Tags, a JSON object of string values, or NULL when empty */
    /* Every column of the row, in file order, x_ provider columns included (values "" when empty). */
    size_t n_columns;
    const char *const *names;
    const char *const *values;
    /* Columns added after the first release of this header (appended so the layout only grows). */
    const char *service_category;   /* ServiceCategory: Compute, AI and Machine Learning, Storage, ... */
    const char *charge_description; /* ChargeDescription */
    const char *sub_account_id;     /* SubAccountId (AWS account, Azure subscription, GCP project) */
    const char *charge_frequency;   /* ChargeFrequency: One-Time, Recurring, Usage-Based */
} cf_focus_row;

/* Receives one valid row; returns CF_OK to go on, anything else to stop the read (the reader returns it). */
typedef cf_status (*cf_focus_row_fn)(const cf_focus_row *row, void *ctx);

typedef struct cf_focus_reader cf_focus_reader;

/* Creates a reader; counts start at zero and accumulate over every file it reads. NULL when memory runs out. */
cf_focus_reader *cf_focus_reader_create(void);

/* Frees a reader. Accepts NULL. */
void cf_focus_reader_destroy(cf_focus_reader *r);

/* With keep_going set, a rejected row is recorded and counted and the read goes on; without it (the default) the
 * first rejected row stops the read with CF_ERR_INVALID or CF_ERR_PARSE and its details in err. */
void cf_focus_reader_set_keep_going(cf_focus_reader *r, int keep_going);

/* Reads one FOCUS export (CSV or gzip CSV; "-" is standard input), calling fn for each valid row. A missing
 * required column (BilledCost, EffectiveCost, BillingCurrency, ChargePeriodStart, ChargePeriodEnd) fails the file
 * with CF_ERR_INVALID at line 1. Returns CF_OK, the failure, or what fn returned. */
cf_status cf_focus_read(cf_focus_reader *r, const char *path, cf_focus_row_fn fn, void *ctx, cf_error *err);

/* The value of column name in row (exact, case-sensitive FOCUS name, x_ columns included), or NULL when the file
 * has no such column or the cell is empty. Valid as long as row. */
const char *cf_focus_row_get(const cf_focus_row *row, const char *name);

/* Rows read (data records, blank lines excepted), accepted (passed to the callback) and rejected. */
size_t cf_focus_reader_read(const cf_focus_reader *r);
size_t cf_focus_reader_accepted(const cf_focus_reader *r);
size_t cf_focus_reader_rejected(const cf_focus_reader *r);

/* The i-th kept rejected row (i < min(rejected, CF_FOCUS_MAX_REJECTS)), or NULL. */
const cf_error *cf_focus_reader_reject(const cf_focus_reader *r, size_t i);

/* The FOCUS version the last file's header looks like: "1.2" (InvoiceId, PricingCurrency or BillingAccountType
 * present), "1.1" (SkuMeter, SkuPriceDetails, ServiceSubcategory, CapacityReservationId or
 * CommitmentDiscountQuantity present), else "1.0". Static storage. */
const char *cf_focus_reader_version(const cf_focus_reader *r);

/* Parses an ISO 8601 UTC timestamp ("2026-03-01T00:00:00Z", "2026-03-01 00:00:00", an optional fraction, an
 * optional Z or +HH:MM / -HH:MM offset, or a date alone) into seconds since 1970-01-01T00:00:00Z. Returns 0 on
 * success, -1 when s is not such a timestamp. */
int cf_focus_parse_time(const char *s, double *out);

#ifdef __cplusplus
}
#endif
#endif
