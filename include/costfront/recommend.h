/* costfront: the plan recommendation -- which configuration and procurement to use (optimizer/recommend.c).
 *
 * Takes a computed frontier (frontier.h: observed runs and, when a surrogate was fitted, predicted configurations,
 * each priced under every procurement option, on_prem and hybrid included when a TCO plan gave their rates) and an
 * ML lead's constraints -- a minimum accuracy, a cash budget, a carbon cap and a deadline -- and returns the
 * cheapest candidate that meets them all, a baseline to compare it with, the savings against that baseline, and
 * reasons in plain words. When no candidate meets every constraint it names the binding constraint and the gap:
 * the smallest relaxation of one constraint that makes some candidate feasible (or, when no single relaxation
 * suffices, the candidate closest to feasibility and everything it misses).
 *
 * Conventions: "cheapest" ranks by total_cost_usd (cash plus the carbon shadow price), ties broken by higher
 * accuracy, then lower candidate index; the budget caps cost_usd (the cash actually paid); the carbon cap caps
 * co2e_kg (operational, as priced); a candidate's time is its wall_hours when known, else gpu_hours / num_gpus
 * (num_gpus from the runset; one GPU assumed when unknown, flagged). Predicted candidates are judged on their
 * point predictions, or on their pessimistic interval bounds (accuracy_lo, cost_hi) with `conservative`.
 *
 * Ownership: cf_recommendation is plain data filled into caller memory; candidate indices refer to the frontier
 * given, which is only read. Nothing is allocated that the caller must free.
 */
#ifndef COSTFRONT_RECOMMEND_H
#define COSTFRONT_RECOMMEND_H

#include <stddef.h>

#include "costfront/frontier.h"
#include "costfront/runset.h"
#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The constraints an ML lead can set. */
typedef enum cf_constraint {
    CF_CON_ACCURACY = 0, /* accuracy >= min_accuracy */
    CF_CON_BUDGET,       /* cost_usd <= budget_usd */
    CF_CON_CO2E,         /* co2e_kg <= max_co2e_kg */
    CF_CON_DEADLINE,     /* time in hours <= deadline_hours */
    CF_CON_COUNT,
    CF_CON_NONE = -1
} cf_constraint;

/* Name of a constraint as the command line spells it ("min-accuracy", "budget", "max-co2e", "deadline-hours");
 * "none" for CF_CON_NONE. */
const char *cf_constraint_name(cf_constraint c);

/* Options of a recommendation. */
typedef struct cf_recommend_opts {
    double min_accuracy;         /* fraction; NaN: no constraint */
    double budget_usd;           /* cap on cost_usd; NaN: none */
    double max_co2e_kg;          /* cap on co2e_kg; NaN: none */
    double deadline_hours;       /* cap on the run's time; NaN: none */
    const char *baseline_run_id; /* the baseline run (priced on_demand when it can be); NULL: the most accurate
                                    observed run on on_demand */
    int use_predicted;           /* 1 (default): predicted configurations may be recommended */
    int conservative;            /* 1: predicted candidates are judged by accuracy_lo and cost_hi; default 0 */
} cf_recommend_opts;

/* Fills o with the defaults: no constraints, automatic baseline, predicted allowed, not conservative. */
void cf_recommend_opts_default(cf_recommend_opts *o);

#define CF_REC_MAX_REASONS 8
#define CF_REC_REASON_LEN  320

/* The outcome. Indices are candidate indices of the frontier, (size_t)-1 when there is none. */
typedef struct cf_recommendation {
    int feasible;            /* 1 when a candidate meets every constraint */
    size_t choice;           /* the cheapest feasible candidate */
    size_t n_feasible;       /* how many candidates meet every constraint */
    size_t n_considered;     /* candidates considered (predicted ones excluded unless use_predicted) */
    double time_hours;       /* the choice's time (see the conventions above) */
    int time_assumed;        /* 1 when the choice's time assumed one GPU (no wall_hours, no num_gpus) */
    size_t baseline;         /* the baseline candidate */
    int baseline_named;      /* 1 when it is the run the caller named */
    double savings_usd;      /* baseline total_cost_usd - choice total_cost_usd (NaN without both) */
    double savings_fraction; /* savings_usd / baseline total_cost_usd */
    double co2e_savings_kg;  /* baseline co2e_kg - choice co2e_kg */
    /* When infeasible: the binding constraint, how far it must be relaxed (in its own units, always >= 0), the
     * limit that would do, and the candidate that would then be chosen. */
    cf_constraint binding;
    double gap;
    double relaxed_limit;
    size_t closest;
    int single_relaxation;     /* 1: relaxing `binding` alone suffices; 0: several constraints bind */
    double gaps[CF_CON_COUNT]; /* closest candidate's shortfall per constraint (0 when met, NaN when unset) */
    char reasons[CF_REC_MAX_REASONS][CF_REC_REASON_LEN]; /* plain-words reasons, most important first */
    size_t n_reasons;
} cf_recommendation;

/* Time of candidate c in hours: wall_hours when known, else gpu_hours / num_gpus of its run in rs (rs may be NULL;
 * one GPU is assumed when num_gpus is unknown and *assumed, when not NULL, is set to 1). */
double cf_candidate_time_hours(const cf_candidate *c, const cf_runset *rs, int *assumed);

/* Recommends a candidate of the computed frontier f under the constraints of opts (NULL: defaults). rs is the
 * runset f was built from (for num_gpus; may be NULL). Fills *out and returns CF_OK whether or not a candidate is
 * feasible (see out->feasible); CF_ERR_EMPTY when the frontier has no candidate, CF_ERR_NOT_FOUND when the named
 * baseline run is not among the candidates, CF_ERR_ARG for bad arguments or an uncomputed frontier. */
cf_status cf_recommend(const cf_frontier *f, const cf_runset *rs, const cf_recommend_opts *opts, cf_recommendation *out,
                       cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
