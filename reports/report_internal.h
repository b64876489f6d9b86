/* costfront (private): small readers of a computed frontier shared by the report writers
 * (reports/report_common.c). They select and look up, they never compute results.
 *
 * Ownership: returned strings point into the frontier's candidates or the catalog; arrays returned through
 * pointers are malloc'd and freed by the caller.
 */
#ifndef CF_REPORTS_INTERNAL_H
#define CF_REPORTS_INTERNAL_H

#include <stddef.h>

#include "costfront/catalog.h"
#include "costfront/frontier.h"
#include "costfront/report.h"

/* "No such index", as returned by cf_frontier_knee, cf_frontier_dominator, cf_frontier_rank. */
#define CF_REP_NONE ((size_t)-1)

/* Provider of the offer that priced c, or NULL (on_prem, hybrid). */
const char *cf_rep_provider(const cf_candidate *c);

/* Region whose grid and PUE priced c (else the offer's region), or NULL. */
const char *cf_rep_region(const cf_candidate *c);

/* Carbon shadow price used by f's pricing (the option when set, else the catalog's) and its source (*src, may be
 * NULL when unknown). NaN when neither is known. */
double cf_rep_carbon_price(const cf_frontier *f, const cf_catalog *cat, const char **src);

/* The distinct offers that priced f's candidates, in order of first use, into *out (malloc'd, the caller frees) and
 * their number into *count. Returns CF_ERR_NOMEM (with *out NULL and *count 0) when memory runs short. */
cf_status cf_rep_offers_used(const cf_frontier *f, const cf_offer ***out, size_t *count);

/* "run_id/procurement" of candidate i into buf (size n), cut at a UTF-8 character boundary when longer. Returns
 * buf. */
char *cf_rep_label(const cf_frontier *f, size_t i, char *buf, size_t n);

/* Name of the cost the summaries speak of: the first minimised objective naming a cost, else total_cost_usd. */
const char *cf_rep_cost_objective(const cf_frontier *f);

/* 1 when a field name speaks of money: it holds "cost" or ends in "_usd" (its values are USD). */
int cf_rep_money_field(const char *name);

/* 1 when the charts under o draw a seeded sample of the dominated candidates (more of them than o->chart_points)
 * rather than every one (reports/report_charts.c, issue 14). */
int cf_rep_chart_sampled(const cf_frontier *f, const cf_report_opts *o);

/* Adds the "Charts" section of the standard frontier report to r (reports/report_charts.c): the objectives in use
 * against each other, the cost by way of buying and an objective against CO2e. */
cf_status cf_rep_section_charts(cf_report *r, const cf_frontier *f, const cf_report_opts *o);

/* Adds the "Cost breakdown" section (reports/report_breakdown.c, issue 16): compute / egress / storage / carbon per
 * frontier point and per way of buying, as tables and stacked charts (charts only when o->charts). Adds nothing
 * when no run moves or keeps data. */
cf_status cf_rep_section_breakdown(cf_report *r, const cf_frontier *f, const cf_report_opts *o);

/* "data gravity decided: spot on lambda/us-east-1 is 31% cheaper in compute but 12% dearer with egress and
 * storage (data at aws/us-east-1)" when the whole cost chose another offer than compute alone for c, else NULL.
 * malloc'd; the caller frees. */
char *cf_rep_gravity_phrase(const cf_candidate *c);

/* --target-accuracy: the cheapest candidate (by cf_rep_cost_objective) whose accuracy reaches target, over every
 * candidate (the frontier's own objectives may not include accuracy), or CF_REP_NONE when none reaches it;
 * *most_accurate (when not NULL) gets the most accurate candidate (under its cheapest option), CF_REP_NONE when no candidate has an accuracy. */
size_t cf_rep_target_best(const cf_frontier *f, double target, size_t *most_accurate);

/* Hardware whose priced candidates have no energy, CO2e or carbon cost (the catalog gives no board_power_w), with
 * how many runs and candidates on it. */
typedef struct cf_rep_unpowered_hw {
    const char *hardware; /* points into the frontier's candidates */
    size_t runs, candidates;
} cf_rep_unpowered_hw;

/* The hardware of f's priced candidates that carry no CO2e, in order of first use, into *out (malloc'd, the caller
 * frees; NULL when none) and their number into *count; *mixed (when not NULL) is 1 when other priced candidates do
 * carry CO2e, so that totals of unlike composition sit side by side. CF_ERR_NOMEM when memory runs short. */
cf_status cf_rep_unpowered(const cf_frontier *f, cf_rep_unpowered_hw **out, size_t *count, int *mixed);

#endif
