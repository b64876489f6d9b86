/* costfront: what learning curves cost after they stop improving (models/waste.c).
 *
 * For each run with a history of the chosen metric, the early-stopping rule of patience P and min_delta d (the
 * rule of Keras' EarlyStopping and of Prechelt 1998, "Early stopping -- but when?") finds the first evaluation at
 * which P evaluations in a row have not improved the best value so far by more than d; the run would have been
 * stopped there (stop_step), its best value then was reached at plateau_step. The accelerator-hours after
 * stop_step are the waste: the run's gpu_hours times the share of the run after stop_step, taken from the
 * history's times when every point has one (the run is taken to start where the first interval, extrapolated,
 * reaches step 0) and from the steps otherwise (work proportional to steps from step 0). Their cost is the run's
 * cost under its own procurement (on-demand when it names none) per accelerator-hour.
 *
 * Two counterfactual policies are applied to each group of runs (all runs, or one group per value of a field):
 *   - the median stopping rule (Golovin et al. 2017, Google Vizier): at each evaluation from the min_evals-th on,
 *     a run stops when its best value so far is worse than the median of the running averages, up to that step, of
 *     the other runs of its group that reached that step (at least two of them);
 *   - successive halving (Jamieson & Talwalkar 2016; ASHA, Li et al. 2020, is its asynchronous form) with
 *     reduction factor eta: rungs at S/eta^k (k = rungs..1, S the group's largest last step); at each rung only the
 *     best ceil(n/eta) of the n runs still going that reached it continue (ties by run order).
 * A policy's saving is the hours after the step where it would have stopped each run. A run it stops counts as
 * lost when its best value over the whole history beats (by more than min_delta) the group's best value under the
 * policy (a stopped run keeps its best value up to its stop, as early stopping with restored weights does; a run
 * let finish keeps its best): stopping it would have changed the group's answer.
 *
 * Ownership: a cf_waste is created by cf_waste_compute and freed by cf_waste_destroy (accepts NULL); it owns every
 * row and string it returns (strings point into the runset and curves it was computed from, which must outlive it).
 */
#ifndef COSTFRONT_WASTE_H
#define COSTFRONT_WASTE_H

#include <stddef.h>

#include "costfront/catalog.h"
#include "costfront/curves.h"
#include "costfront/pricing.h"
#include "costfront/runset.h"
#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options. */
typedef struct cf_waste_opts {
    const char *metric;   /* the validation metric, e.g. "val_accuracy"; NULL: accuracy-like name found (see .c) */
    int maximize;         /* 1: higher is better (accuracy), 0: lower is better (loss) */
    int patience;         /* P >= 1 evaluations without improvement; default 3 */
    double min_delta;     /* smallest change that counts as an improvement; default 0 */
    const char *group_by; /* run field giving the groups (model, dataset, project, hardware, ...); NULL: one group */
    int median_min_evals; /* the median rule may stop a run from this evaluation on; default 3 */
    double eta;           /* successive halving's reduction factor (> 1); default 3 */
    int rungs;            /* successive halving's number of rungs (>= 1); default 3 */
    cf_pricing_opts pricing;
} cf_waste_opts;

/* Fills o with the defaults above (metric NULL, maximize 1, group_by NULL). */
void cf_waste_opts_default(cf_waste_opts *o);

/* One run's curve and its cost. Steps and values are NaN where they do not apply. */
typedef struct cf_waste_run {
    const char *run_id;
    const char *group;   /* the group's value, "" for one group */
    size_t evaluations;  /* points in the history */
    double last_step;
    double best_value;   /* over the whole history */
    double final_value;  /* at the last step */
    int stopped;         /* 1 when the rule fires before the last evaluation */
    double plateau_step; /* step of the best value when the rule fires (NaN when it does not) */
    double stop_step;    /* step where the rule fires (NaN when it does not) */
    double gain_after_stop; /* best value after stop_step minus best value at stop_step (signed so that > 0 is
                               better), 0 when not stopped */
    double gpu_hours;
    const char *procurement; /* the option priced */
    double cost_usd;         /* the run's compute cost under that option, NaN when it cannot be priced */
    double wasted_fraction;  /* share of the run after stop_step */
    double wasted_gpu_hours;
    double wasted_cost_usd;
    int by_time;             /* 1 when the share came from the history's times, 0 from its steps */
    double median_stop_step; /* where the median rule would stop it, NaN when it would not */
    double halving_stop_step; /* where successive halving would stop it, NaN when it would not */
} cf_waste_run;

/* Totals of one group. */
typedef struct cf_waste_group {
    const char *name; /* "" for the one group */
    size_t runs;
    size_t stopped;   /* runs where the rule fires */
    double gpu_hours, cost_usd, wasted_gpu_hours, wasted_cost_usd;
} cf_waste_group;

/* What one policy would have done across every group. */
typedef struct cf_waste_policy {
    const char *name; /* "early_stopping", "median_stopping", "successive_halving" */
    const char *rule; /* the rule with its parameters, a sentence */
    size_t runs_stopped;
    double saved_gpu_hours, saved_cost_usd;
    size_t runs_lost;           /* stopped runs whose best value beat the group's best under the policy */
    const char *lost_example;   /* one such run id, or NULL */
} cf_waste_policy;

/* The analysis. */
typedef struct cf_waste cf_waste;

/* Analyses every run of rs that has a history of the metric in curves. Runs without one, histories without a run
 * and runs that cannot be priced are counted and noted, never dropped silently. Returns CF_ERR_EMPTY when no run
 * has a history of the metric (the message lists the metrics seen), CF_ERR_ARG for bad options. */
cf_status cf_waste_compute(const cf_runset *rs, cf_curves *curves, const cf_catalog *cat, const cf_waste_opts *opts,
                           cf_waste **out, cf_error *err);

/* Frees the analysis. Accepts NULL. */
void cf_waste_destroy(cf_waste *w);

/* The metric analysed and its direction. */
const char *cf_waste_metric(const cf_waste *w);
int cf_waste_maximize(const cf_waste *w);
const cf_waste_opts *cf_waste_options(const cf_waste *w);

/* Rows: runs (sorted by wasted cost, largest first, then run id), groups (by name), policies (the three above). */
size_t cf_waste_run_count(const cf_waste *w);
const cf_waste_run *cf_waste_run_at(const cf_waste *w, size_t i);
size_t cf_waste_group_count(const cf_waste *w);
const cf_waste_group *cf_waste_group_at(const cf_waste *w, size_t i);
size_t cf_waste_policy_count(const cf_waste *w);
const cf_waste_policy *cf_waste_policy_at(const cf_waste *w, size_t i);

/* Totals over every run analysed. */
const cf_waste_group *cf_waste_total(const cf_waste *w);

/* Notes (full sentences): runs without a history, histories without a run, runs not priced. */
size_t cf_waste_note_count(const cf_waste *w);
const char *cf_waste_note(const cf_waste *w, size_t i);

#ifdef __cplusplus
}
#endif
#endif
