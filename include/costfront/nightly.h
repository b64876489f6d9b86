/* costfront: the nightly job's logic (reports/nightly.c): what changed since the last report kept in a run store,
 * the history of the figures kept per report, and budget and drift alerts, over either store backend (an SQLite
 * file or PostgreSQL; store.h). `costfront report --store` uses it; a C program can too:
 *
 *   cf_nightly_reference(store, &opts, NULL, &err);          before computing the frontier
 *   cf_nightly_analyze(store, f, rs, &alerts, target, now, &n, &err);
 *   cf_nightly_add_to_report(n, report, &err);               "What changed", history charts, alerts, facts
 *   ... publish the report ...
 *   cf_nightly_record(store, n, &err);                       keep this report's figures for the next night
 *
 * The figures kept per report (store.h's reports table) are its hypervolume, the best total cost at the target
 * accuracy, and as JSON: the objectives, the reference point, the spend of the stored runs, the target, the run
 * ids and the frontier's members ("run / way of buying").
 *
 * Ownership: a cf_nightly owns everything its getters return (valid until cf_nightly_destroy). It does not keep
 * the store, frontier or runset it was made from. Callers own what they pass in.
 */
#ifndef COSTFRONT_NIGHTLY_H
#define COSTFRONT_NIGHTLY_H

#include <stddef.h>

#include "costfront/frontier.h"
#include "costfront/report.h"
#include "costfront/runset.h"
#include "costfront/status.h"
#include "costfront/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Alert thresholds; NaN when not set. */
typedef struct cf_nightly_alerts {
    double target_accuracy;            /* accuracy the best-cost alert is about, in [0, 1] */
    double max_spend_month_usd;        /* spend of the runs first stored this calendar month (UTC) */
    double max_spend_total_usd;        /* spend of every stored run */
    double max_best_cost_increase_pct; /* best cost at target vs the newest report at least 7 days older */
    double min_hypervolume_ratio;      /* hypervolume / the previous report's */
} cf_nightly_alerts;

/* Sets every threshold to NaN (none set). */
void cf_nightly_alerts_init(cf_nightly_alerts *a);

/* Parses an alerts file's text (a JSON object with the fields above, non-negative numbers); source names it in
 * errors. CF_ERR_INVALID with err's field naming the unknown or bad field, and what was expected and found. */
cf_status cf_nightly_alerts_parse(const char *json, const char *source, cf_nightly_alerts *a, cf_error *err);

/* When opts has no reference point given, reuses the one stored with the store's first report if its objectives
 * are opts' (so hypervolumes are comparable night after night): sets opts->reference and reference_given, and
 * *reused (may be NULL) to 1. */
cf_status cf_nightly_reference(cf_store *s, cf_frontier_opts *opts, int *reused, cf_error *err);

/* The nightly analysis of one report. */
typedef struct cf_nightly cf_nightly;

/* Compares the frontier f of runs rs (as read from store s) with the store's report history at time now (seconds
 * since the epoch): new runs, changed runs, frontier members that entered or left, the history series and, when
 * alerts is not NULL, the alerts that fire. target_accuracy (NaN: alerts->target_accuracy, if any) is the
 * accuracy of the best-cost figure. *out is NULL on failure. */
cf_status cf_nightly_analyze(cf_store *s, const cf_frontier *f, const cf_runset *rs, const cf_nightly_alerts *alerts,
                             double target_accuracy, long long now, cf_nightly **out, cf_error *err);

/* Frees the analysis. Accepts NULL. */
void cf_nightly_destroy(cf_nightly *n);

/* 1 when the store had no report before this one. */
int cf_nightly_is_first(const cf_nightly *n);

/* This report's figures: hypervolume, best total cost at the target (NaN when no run reaches it), spend of the
 * stored runs (each priced under its own way of buying, on-demand when it names none), the target (NaN: none). */
double cf_nightly_hypervolume(const cf_nightly *n);
double cf_nightly_best_cost(const cf_nightly *n);
double cf_nightly_spend(const cf_nightly *n);
double cf_nightly_target(const cf_nightly *n);

/* Since the last report: its time, its number of runs, the runs whose content changed in the store. */
long long cf_nightly_last_time(const cf_nightly *n);
size_t cf_nightly_last_runs(const cf_nightly *n);
size_t cf_nightly_changed_runs(const cf_nightly *n);

/* The runs accepted now that the last report did not have, in runset order. */
size_t cf_nightly_new_run_count(const cf_nightly *n);
const char *cf_nightly_new_run(const cf_nightly *n, size_t i);

/* Frontier members ("run / way of buying") that entered (*entered = 1) or left (0) since the last report:
 * those that entered first, in frontier order, then those that left. */
size_t cf_nightly_frontier_change_count(const cf_nightly *n);
const char *cf_nightly_frontier_change(const cf_nightly *n, size_t i, int *entered);

/* One point of the history series, oldest first; the last is this report. */
typedef struct cf_nightly_point {
    long long created_at; /* seconds since the epoch */
    double days;          /* (created_at - now) / 86400: 0 for this report, negative before */
    double hypervolume;
    double best_cost_at_target; /* NaN when no run reached the target */
} cf_nightly_point;

size_t cf_nightly_history_count(const cf_nightly *n);
const cf_nightly_point *cf_nightly_history(const cf_nightly *n, size_t i);

/* The alerts that fired (full sentences, e.g. "spend of all stored runs is 12.00 USD, above the limit of 10.00
 * USD"). */
size_t cf_nightly_alert_count(const cf_nightly *n);
const char *cf_nightly_alert(const cf_nightly *n, size_t i);

/* Adds the "What changed since the last report" section (paragraph, tables of new runs and frontier changes), the
 * history charts (history_hypervolume.svg, history_best_cost.svg when there is a target), the alerts section when
 * alerts were given, and the facts (hypervolume, best cost, spend) to r. */
cf_status cf_nightly_add_to_report(const cf_nightly *n, cf_report *r, cf_error *err);

/* This report's history entry as cf_store_add_report takes it; its frontier_json belongs to n. */
void cf_nightly_entry(const cf_nightly *n, cf_store_report *entry);

/* Records this report's history entry in s (one transaction). */
cf_status cf_nightly_record(cf_store *s, const cf_nightly *n, cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
