/* costfront: the learning-curve waste analysis (waste.h) as a table, JSON or CSV (reports/report_curves.c).
 *
 * Every writer streams to a caller-owned FILE (one row at a time), so memory does not grow with the output.
 * Numbers go through the locale-independent formatting of the other reports: the same analysis gives
 * byte-identical JSON and CSV. Money in the table has at least three significant digits.
 *
 * Ownership: the caller owns the stream and the analysis; nothing is retained.
 */
#ifndef COSTFRONT_REPORT_CURVES_H
#define COSTFRONT_REPORT_CURVES_H

#include <stdio.h>

#include "costfront/curves.h"
#include "costfront/status.h"
#include "costfront/waste.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Output formats. */
typedef enum cf_curves_format { CF_CURVES_TABLE = 0, CF_CURVES_JSON = 1, CF_CURVES_CSV = 2 } cf_curves_format;

/* Writes the analysis to f: the table (totals sentence, groups, policies, the top_runs most wasteful runs; 0 means
 * all), the JSON document (metric, rule, totals, groups, policies, every run, notes) or the CSV of every run.
 * Returns CF_ERR_IO when the stream reports a write error. */
cf_status cf_report_waste(const cf_waste *w, cf_curves_format format, size_t top_runs, FILE *f, cf_error *err);

struct cf_report;

/* Adds the "Learning curves" section to an HTML report: the totals sentence, a chart of the histories of the most
 * wasteful runs (at most 6) with the point where early stopping would have stopped each marked (when charts is
 * nonzero and any run was stopped), the waste by group, the policy table and the top 20 runs. curves must be the
 * histories w was computed from. */
cf_status cf_report_curves_section(struct cf_report *r, const cf_waste *w, cf_curves *curves, int charts,
                                   cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
