/* costfront: the "Predicted frontier" section of the HTML report (reports/report_predicted.c).
 *
 * Reads the predicted candidates that `frontier --predicted` added to a computed frontier (cf_candidate.predicted,
 * their 95% intervals accuracy_lo/hi and cost_lo/hi of total_cost_usd, and the note "settings: ... | <prior
 * note>" written by cf_surrogate_search, predicted.h) and draws them apart from the observed runs. Reports never
 * compute results: the surrogate and the search ran before.
 *
 * Ownership: the frontier is only read and must outlive the call; the report copies what it keeps.
 */
#ifndef COSTFRONT_REPORT_PREDICTED_H
#define COSTFRONT_REPORT_PREDICTED_H

#include "costfront/frontier.h"
#include "costfront/report.h"
#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Appends the section "predicted" ("Predicted frontier") to r: a paragraph saying what was predicted and how, a
 * chart "predicted_frontier.svg" of accuracy against total cost (observed runs as points, the frontier as a
 * staircase, predicted configurations with 95% error bars on both axes), a table of the most promising unrun
 * configurations (at most 20, by Pareto rank then cost: configuration, option, hardware, precision, pruning,
 * settings, accuracy and total cost with their intervals, whether on the frontier, whether the GPU-hours lean on
 * the catalog prior), and a list of the prior notes. With no predicted candidate the section says so. */
cf_status cf_report_predicted(cf_report *r, const cf_frontier *f, cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
