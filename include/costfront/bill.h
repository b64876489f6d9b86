/* costfront: showback from a FOCUS bill (models/bill.c): cost per group of tag values per month.
 *
 * A cf_bill accumulates FOCUS rows (include/costfront/focus.h) one at a time, so a bill of millions of rows is
 * summed in memory proportional to the number of (month, group) pairs, not to the rows. A group is the tuple of
 * values of the --by tag keys (team, project, ...). Rows carrying none of the keys are "untagged"; rows that are
 * shared by everybody (ChargeCategory Tax, or the shared tag, by default shared=true) are "shared". Both are shown
 * apart; shared cost can be spread over the groups of its month in proportion to their own cost (usage share),
 * the usual FinOps showback rule (FinOps Foundation, "Allocation" capability).
 *
 * Ownership: the caller creates and destroys a cf_bill; it copies every string it keeps. Strings returned by the
 * accessors belong to the bill and live until it is destroyed.
 */
#ifndef COSTFRONT_BILL_H
#define COSTFRONT_BILL_H

#include <stdio.h>

#include "costfront/focus.h"
#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cf_bill cf_bill;

/* How a line of the showback was allocated. */
typedef enum cf_bill_kind {
    CF_BILL_GROUP = 0,    /* tagged with at least one of the group keys */
    CF_BILL_UNTAGGED = 1, /* none of the group keys */
    CF_BILL_SHARED = 2    /* shared cost: ChargeCategory Tax or the shared tag */
} cf_bill_kind;

/* Output formats of cf_bill_write. */
typedef enum cf_bill_format { CF_BILL_TABLE = 0, CF_BILL_JSON = 1, CF_BILL_CSV = 2 } cf_bill_format;

/* Creates an empty bill grouped by the comma-separated tag keys (NULL or "" : one group of everything tagged).
 * NULL when memory runs out. */
cf_bill *cf_bill_create(const char *group_by);

/* Frees a bill. Accepts NULL. */
void cf_bill_destroy(cf_bill *b);

/* Sets the tag that marks shared cost as "KEY=VALUE" (default "shared=true"; NULL or "" : only Tax rows). Returns
 * CF_ERR_ARG when spec has no '='. */
cf_status cf_bill_set_shared_tag(cf_bill *b, const char *spec);

/* With spread set, shared cost of a month is added to that month's groups in proportion to their own cost
 * (billed by billed, effective by effective); the untagged line keeps only its own cost. */
void cf_bill_set_spread_shared(cf_bill *b, int spread);

/* Adds one FOCUS row. Returns CF_OK or CF_ERR_NOMEM. */
cf_status cf_bill_add_row(cf_bill *b, const cf_focus_row *row);

/* A cf_focus_row_fn that adds each row to the cf_bill passed as ctx (for cf_focus_read). */
cf_status cf_bill_row_fn(const cf_focus_row *row, void *ctx);

/* Lines of the showback after cf_bill_finish, sorted by month, then groups (by values), untagged, shared. */
size_t cf_bill_line_count(const cf_bill *b);

/* One line: its month ("YYYY-MM" of ChargePeriodStart, UTC), kind, and costs; spread adds the line's part of
 * shared cost (0 unless spreading). share is billed / month's billed total. Returns CF_ERR_ARG when i is out of
 * range. values[k] is the value of group key k or "" (valid while b lives). */
typedef struct cf_bill_line {
    const char *month;
    cf_bill_kind kind;
    const char *const *values;
    double billed, effective;               /* the line's own cost */
    double billed_spread, effective_spread; /* shared cost spread onto the line (0 unless spreading) */
    double share;                           /* (billed + billed_spread) / month's billed total */
    size_t rows;                            /* FOCUS rows summed */
} cf_bill_line;
cf_status cf_bill_line_get(const cf_bill *b, size_t i, cf_bill_line *out);

/* Sorts the lines and computes shares and spreads; call once after the last row. */
cf_status cf_bill_finish(cf_bill *b);

/* Number of group keys and key k. */
size_t cf_bill_key_count(const cf_bill *b);
const char *cf_bill_key(const cf_bill *b, size_t k);

/* The bill's currency (of the first row), "" before any row. */
const char *cf_bill_currency(const cf_bill *b);

/* Writes the finished showback as a table, JSON (deterministic: same rows, same bytes) or CSV to out. */
cf_status cf_bill_write(const cf_bill *b, cf_bill_format format, FILE *out, cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
