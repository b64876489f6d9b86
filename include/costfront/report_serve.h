/* costfront: the "Inference" section of the HTML report (reports/report_serve.c, issue 11).
 *
 * Reports never compute: the section draws the priced frontier of inference runs (frontier.h) and, when given, a
 * serving plan built by cf_serve_plan_build (serve.h).
 *
 * Ownership: every argument is only read during the call; the report copies what it keeps.
 */
#ifndef COSTFRONT_REPORT_SERVE_H
#define COSTFRONT_REPORT_SERVE_H

#include "costfront/frontier.h"
#include "costfront/report.h"
#include "costfront/runset.h"
#include "costfront/serve.h"
#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Whether f holds candidates of inference runs (their costs are per 1M units). */
int cf_report_has_inference(const cf_frontier *f, const cf_runset *rs);

/* Appends the section "inference" ("Inference: cost per 1M tokens") to r: a table of the cost per 1M units of every
 * inference candidate by hardware x precision x procurement (cash and with carbon, accuracy, accelerator-hours per
 * 1M), the chart "inference_cost_per_1m.svg" (one series per procurement over the hardware x precision
 * categories), and, when plan is not NULL, the serving plan (replicas and monthly cost of every option per run, the
 * cheapest feasible choice, the reasons the others lost) and the managed-API break-even table. Does nothing when f
 * has no inference candidate. */
cf_status cf_report_inference(cf_report *r, const cf_frontier *f, const cf_runset *rs, const cf_serve_plan *plan,
                              cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
