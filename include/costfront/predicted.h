/* costfront: the predicted frontier -- searching configurations nobody has run (optimizer/predicted.c).
 *
 * The search enumerates and samples configurations, predicts them with the fitted surrogates (surrogate.h), prices
 * them exactly from the catalog and keeps the Pareto-optimal ones as predicted candidates for a cf_frontier.
 *
 * Ownership: the candidate array returned by cf_surrogate_search, with its strings, belongs to the caller and is
 * freed with cf_surrogate_candidates_free. The surrogate and the frontier options are only read.
 */
#ifndef COSTFRONT_PREDICTED_H
#define COSTFRONT_PREDICTED_H

#include <stddef.h>

#include "costfront/frontier.h"
#include "costfront/status.h"
#include "costfront/surrogate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Searching configurations never run ---- */

/* Options of cf_surrogate_search. */
typedef struct cf_search_opts {
    size_t max_predictions; /* cap on configurations predicted (default 20000) */
    size_t per_combination; /* Sobol points per combination of categorical values (default 0: from the cap) */
    size_t limit;           /* candidates returned at most (default 50) */
    unsigned long seed;     /* shift of the Sobol points (default 0) */
} cf_search_opts;

/* Fills o with the defaults above. */
void cf_search_opts_default(cf_search_opts *o);

/* What a search did. */
typedef struct cf_search_stats {
    size_t combinations;     /* categorical combinations enumerated */
    size_t predicted;        /* configurations predicted */
    size_t excluded;         /* configurations identical to an observed run, skipped */
    size_t nondominated;     /* (configuration, option) pairs nondominated within their option */
    size_t returned;         /* candidates returned */
    size_t leaning_on_prior; /* of which GPU-hours lean on the catalog prior */
    int truncated;           /* 1 when the cap stopped the enumeration early */
    double seconds;
} cf_search_stats;

/* Searches configurations never run: every workload seen (as the tuples of model, dataset and project seen
 * together) x every catalog hardware with an offer x every precision it supports x every combination of the
 * categorical hyperparameters' values, and within each, pruning in [0, 0.9] and the numeric hyperparameters in
 * the range observed for that workload by a shifted Sobol sample (Bratley & Fox 1988) plus the settings of the
 * workload's three best observed runs. Configurations identical to a run are skipped. Each configuration is
 * predicted and priced (at its mean GPU-hours) under every cloud option of fo->procurements (owned options from
 * fo's per-GPU-hour figures); the pairs nondominated within their option under fo's objectives are kept, and at
 * most so->limit are returned, by Pareto rank over all options, thinned evenly along the first objective inside
 * the last rank that fits. Candidates have predicted = 1, run_id "pred-<k>" (k numbers configurations), intervals
 * accuracy_lo/hi (of the metric) and cost_lo/hi (of total_cost_usd), and note "settings: <other fields>" followed
 * by " | <prior note>" when the GPU-hours lean on the catalog prior. Objectives must be fields a prediction has
 * (accuracy, cost_usd, total_cost_usd, co2e_kg, energy_kwh, gpu_hours, billed_gpu_hours, carbon_cost_usd,
 * embodied_kgco2e, price_per_hour, pruning): others give CF_ERR_INVALID. The array *out (with its strings) is freed
 * with cf_surrogate_candidates_free; stats may be NULL. Deterministic for a given seed. */
cf_status cf_surrogate_search(const cf_surrogate *s, const cf_frontier_opts *fo, const cf_search_opts *so,
                              cf_candidate **out, size_t *n_out, cf_search_stats *stats, cf_error *err);

/* Frees n candidates returned by cf_surrogate_search. Accepts NULL. */
void cf_surrogate_candidates_free(cf_candidate *c, size_t n);

#ifdef __cplusplus
}
#endif
#endif
