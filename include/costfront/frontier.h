/* costfront: the priced cost-accuracy frontier over (run, procurement option) candidates (optimizer/frontier.c).
 *
 * This is where runs meet prices and become an objective matrix: every accepted run is priced under every chosen
 * procurement option (models/pricing), each (run, option) pair becomes a candidate, maximised objectives are
 * negated once into a flat row-major matrix that the Pareto routines (pareto.h) see, and the results -- frontier,
 * ranks, dominators, knee, hypervolume, reference point -- are kept on the handle for the reports.
 *
 * Ownership: the frontier copies its options and keeps pointers to the runset and catalog given to it, which must
 * outlive it. Every pointer it returns is owned by it and valid until cf_frontier_destroy.
 */
#ifndef COSTFRONT_FRONTIER_H
#define COSTFRONT_FRONTIER_H

#include <stddef.h>

#include "costfront/catalog.h"
#include "costfront/pricing.h"
#include "costfront/runset.h"
#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CF_MAX_OBJECTIVES 8
#define CF_MAX_WHERE      8

/* One objective: a field name and its direction. */
typedef struct cf_objective {
    char name[64]; /* accuracy, cost_usd, total_cost_usd, co2e_kg, energy_kwh, gpu_hours, wall_hours, carbon_cost_usd,
                      embodied_kgco2e, the per-1M fields of inference runs (cf_inference_field), or any numeric
                      column of the runs */
    int maximize;  /* 1 to maximise, 0 to minimise */
} cf_objective;

/* Parses "accuracy:max,total_cost_usd:min" into objs (at most max entries). A name without ":dir" is minimised
 * except accuracy, which is maximised. */
cf_status cf_objectives_parse(const char *spec, cf_objective *objs, size_t max, size_t *n, cf_error *err);

/* Options of a frontier computation. */
typedef struct cf_frontier_opts {
    cf_objective objectives[CF_MAX_OBJECTIVES];
    size_t n_objectives;   /* default 2: accuracy:max, total_cost_usd:min */
    unsigned procurements; /* bit mask of (1u << cf_procurement); default: the four cloud options */
    cf_pricing_opts pricing;
    double reference[CF_MAX_OBJECTIVES]; /* reference point in the objectives' own units and directions */
    int reference_given;                 /* 0: inferred (worst value pushed 10% of the range further) */
    /* Prices of owned compute from a TCO plan (tco.h), NaN when no plan: USD and kg CO2e per useful GPU-hour. */
    double on_prem_usd_per_gpu_hour, on_prem_kgco2e_per_gpu_hour;
    double hybrid_usd_per_gpu_hour, hybrid_kgco2e_per_gpu_hour;
    /* The hardware a plan's owned servers hold (catalog id or alias; NULL: any). Runs on other hardware are not
     * priced under on_prem or hybrid (counted in one note, not as unpriced). Not copied: it must outlive the
     * frontier. */
    const char *owned_hardware;
    /* Only runs matching every (where_field[i], where_value[i]) pair take part: the field is a text field of the
     * run (model, dataset, project, hardware, precision, region, provider, procurement, run_id) or a hyperparameter;
     * the value may list alternatives separated by '|' ("resnet50|vit-b16"). Hardware and precision compare as
     * catalog ids and canonical precisions, so aliases match. Not copied: the strings must outlive the frontier. */
    const char *where_field[CF_MAX_WHERE];
    const char *where_value[CF_MAX_WHERE];
    size_t n_where;
    /* How many of the last where filters are a --group-by section's own (notes word them as the grouping). */
    size_t n_group_where;
    /* Reference date "YYYY-MM-DD" for stale prices: one note counts the catalog offers used whose as_of is more
     * than a year before it (cf_catalog_is_stale). NULL (the default): no check. The library never reads the
     * clock; the command passes today's date (UTC) or its --today. Not copied. */
    const char *price_date;
} cf_frontier_opts;

/* Fills o with the defaults above. */
void cf_frontier_opts_default(cf_frontier_opts *o);

/* True when value (may be NULL) passes every --where filter of o on field (filters on other fields are ignored):
 * for predicted configurations, whose fields are checked one by one (model, dataset, project, hardware, precision).
 * Hardware and precision compare as catalog ids and canonical precisions through cat (may be NULL). */
int cf_frontier_where_accepts(const cf_frontier_opts *o, const cf_catalog *cat, const char *field, const char *value);

/* A candidate: an observed run, or a predicted configuration, under one procurement option. */
typedef struct cf_candidate {
    const char *run_id; /* run id, or a generated id ("pred-3") for a predicted configuration */
    const char *hardware;
    cf_precision precision;
    double pruning;
    double accuracy;
    double gpu_hours;
    double wall_hours; /* NaN when unknown */
    cf_price price;    /* option, offer, cost, energy, carbon ... */
    size_t run_index;  /* index in the runset, (size_t)-1 for a predicted configuration */
    int predicted;     /* 1 for a configuration that was never run */
    /* For predicted candidates: 95% interval bounds of accuracy and of total cost (NaN otherwise). */
    double accuracy_lo, accuracy_hi, cost_lo, cost_hi;
    const char *note; /* e.g. "GPU-hours lean on the catalog prior (hardware never run)"; may be NULL */
} cf_candidate;

typedef struct cf_frontier cf_frontier;

/* Creates a frontier over the runs of rs (may be NULL when only predicted candidates are added) priced with cat. */
cf_frontier *cf_frontier_create(const cf_runset *rs, const cf_catalog *cat, const cf_frontier_opts *opts);

/* Frees a frontier. Accepts NULL. */
void cf_frontier_destroy(cf_frontier *f);

/* Adds a predicted candidate (copied; strings copied). Call before cf_frontier_compute. */
cf_status cf_frontier_add_candidate(cf_frontier *f, const cf_candidate *c);

/* Prices every run under every chosen option, builds the objective matrix and computes the frontier, ranks,
 * dominators, knee and hypervolume. (run, option) pairs that cannot be priced (no offer) are not candidates; they
 * are counted and listed in the notes, never dropped silently. */
cf_status cf_frontier_compute(cf_frontier *f, cf_error *err);

/* Results. Candidates are ordered by run (input order), then by option. */
size_t cf_frontier_candidate_count(const cf_frontier *f);
const cf_candidate *cf_frontier_candidate(const cf_frontier *f, size_t i);
const cf_frontier_opts *cf_frontier_options(const cf_frontier *f);

/* Value of objective k for candidate i in the objective's own units and direction. */
double cf_frontier_value(const cf_frontier *f, size_t i, size_t k);

/* A per-1M field of an inference run priced as p (issue 11): cost_per_1m_<unit>_usd (= p's cost_usd, since an
 * inference run's hours are per 1M units), total_cost_per_1m_<unit>_usd, energy_kwh_per_1m_<unit>,
 * co2e_kg_per_1m_<unit>, gpu_hours_per_1m_<unit> for unit tokens, samples or queries, and for token runs with a
 * split cost_per_1m_input_tokens_usd = cost x tokens_per_s / input_tokens_per_s and cost_per_1m_output_tokens_usd
 * likewise (all of the system's time charged to that kind of token). NaN when r's unit is another or r is a
 * training run. */
double cf_inference_field(const cf_run *r, const cf_price *p, const char *name);

/* A named numeric field of candidate i (any objective name); NaN when the field does not exist. */
double cf_frontier_field(const cf_frontier *f, size_t i, const char *name);

int cf_frontier_is_optimal(const cf_frontier *f, size_t i); /* 1 when candidate i is on the frontier */
size_t cf_frontier_rank(const cf_frontier *f, size_t i);    /* Pareto layer, 0 = frontier */

/* The frontier's candidate indices sorted by the first objective (best first is not implied: ascending value). */
size_t cf_frontier_optimal_count(const cf_frontier *f);
size_t cf_frontier_optimal_at(const cf_frontier *f, size_t j);

/* For a dominated candidate i: the index of a frontier candidate that dominates it and the additive margin by which
 * it is better in every objective (normalised units: fraction of each objective's range); (size_t)-1 otherwise. */
size_t cf_frontier_dominator(const cf_frontier *f, size_t i, double *margin);

/* The knee of the frontier (candidate index), or (size_t)-1 when the frontier is empty. */
size_t cf_frontier_knee(const cf_frontier *f);

/* Hypervolume of the frontier in the objectives' own units, with the reference point used (d values). */
double cf_frontier_hypervolume(const cf_frontier *f);
const double *cf_frontier_reference(const cf_frontier *f);
int cf_frontier_reference_inferred(const cf_frontier *f);

/* Notes (unpriced pairs, cheapest-offer choices). */
size_t cf_frontier_note_count(const cf_frontier *f);
const char *cf_frontier_note(const cf_frontier *f, size_t i);
/* The kind of note i when it is one of a kind that repeats once per run, as a phrase that completes "N runs ...";
 * NULL for a note of its own. Callers summarise repeated notes by kind (one line with a count). */
const char *cf_frontier_note_kind(const cf_frontier *f, size_t i);
size_t cf_frontier_unpriced_count(const cf_frontier *f);

/* 1 when some candidate's run gave data_gb, checkpoint_gb, model_gb or storage_days (issue 16): reports then show
 * cost_usd's parts (compute_cost_usd, egress_cost_usd, storage_cost_usd) beside it. */
int cf_frontier_has_transfer(const cf_frontier *f);

/* 1 when the frontier's runs are inference runs (issue 11: a throughput, priced per 1M units); a frontier never
 * mixes them with training runs or units with each other. */
int cf_frontier_is_inference(const cf_frontier *f);

/* The unit of an inference frontier's runs ("tokens", "samples", "queries"), "" otherwise. */
const char *cf_frontier_work_unit(const cf_frontier *f);

#ifdef __cplusplus
}
#endif
#endif
