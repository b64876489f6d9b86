/* costfront: the "Procurement and TCO" and "Recommendation" sections of the HTML report (reports/report_tco.c).
 *
 * Reports never compute: the TCO section draws a result of cf_tco_evaluate, an optional Monte Carlo summary and
 * tornado rows computed by the caller (tco.h); the recommendation section draws a cf_recommendation computed by
 * cf_recommend (recommend.h) over a frontier.
 *
 * Ownership: every argument is only read during the call; the report copies what it keeps.
 */
#ifndef COSTFRONT_REPORT_TCO_H
#define COSTFRONT_REPORT_TCO_H

#include <stddef.h>

#include "costfront/catalog.h"
#include "costfront/frontier.h"
#include "costfront/recommend.h"
#include "costfront/report.h"
#include "costfront/status.h"
#include "costfront/tco.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Appends the section "tco" ("Procurement and total cost of ownership") to r: the procurement recommendation
 * first (the cheapest option by NPV with carbon, its probability of being cheapest when mc is given, and on-prem's
 * breakeven), the plan's key facts, a table of every option (units, total, NPV, USD per useful GPU-hour, CO2e,
 * carbon cost, total with carbon, price source), the chart "tco_cumulative.svg" of cumulative cash cost per option
 * with the breakeven months marked, the per-server-month breakdown as a table and the bar chart
 * "tco_breakdown.svg", the breakevens, the best hybrid baseline and reservation levels, the tornado (table and
 * chart "tco_tornado.svg", on-prem minus the best cloud option) when nrows > 0, and the Monte Carlo summary (table
 * and chart "tco_montecarlo.svg" of each option's P10 / P50 / P90) when mc is not NULL. plan and cat (may be NULL)
 * only name the hardware and horizon. */
cf_status cf_report_tco(cf_report *r, const cf_plan *plan, const cf_catalog *cat, const cf_tco_result *res,
                        const cf_tco_mc_result *mc, const cf_tco_tornado_row *rows, size_t nrows, cf_error *err);

/* Appends the section "recommendation" ("Recommendation") to r: the chosen configuration and procurement with
 * cost, CO2e, time and accuracy (intervals for predicted candidates), the baseline and the savings, or, when
 * nothing is feasible, the binding constraint and its gap; then the reasons as a list. */
cf_status cf_report_recommendation(cf_report *r, const cf_frontier *f, const cf_recommendation *rec, cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
