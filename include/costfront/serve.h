/* costfront: serving plans for inference runs and managed-API break-even (models/serve.c, issue 11).
 *
 * A demand (tokens a day, or requests a second times tokens a request, with 24 hourly shares and an optional peak)
 * is served by replicas of one measured inference system: a run with tokens_per_s on num_gpus accelerators. For
 * each run, the plan sizes the replicas every hour of the day at a target utilisation, prices a month (730 hours,
 * the daily profile repeated 730 / 24 times) under on-demand and spot (autoscaled hour by hour), 1- and 3-year
 * reservations and owned servers (fleet sized to the peak, paid whatever the use), and a hybrid (a reserved or
 * owned base of B replicas plus on-demand or spot bursts for the hours above it, B searched over 0..peak), gives
 * the cost per 1M tokens at that utilisation, and picks the cheapest feasible (run, option) with the reasons the
 * others lost (latency SLO, missing prices, cost). Owned servers are priced with the TCO model (tco.h): one server
 * per replica, its fixed monthly cost (depreciation, colocation, operations) and electricity at full use from
 * cf_tco_result_server_month, electricity scaling with use as in docs/tco.md.
 *
 * Managed API offers (priced per 1M input and per 1M output tokens, each with source and as_of, marked with a
 * model class such as "70B-class" so comparisons are like-for-like) come from the catalog's "api_offers" section;
 * the plan reports each offer's monthly cost for the demand and the break-even volume, the smallest tokens a
 * month (same profile) from which self-hosting costs no more than the API.
 *
 * Conventions: hour h's mean rate is tokens_per_day x share[h] / 3600 tokens/s; each hour is sized for its mean
 * times the peak factor peak / (busiest hour's mean) (1 without a peak); replicas in hour h = ceil(rate /
 * (tokens_per_s x target_utilization)); work (busy replica-hours) = tokens / (tokens_per_s x 3600). Spot is priced
 * at its list price with no checkpoint overhead (a serving replica keeps no state to checkpoint).
 *
 * Ownership: a cf_serve_plan is an opaque handle created by cf_serve_plan_build and freed by cf_serve_plan_destroy
 * (accepts NULL); the candidate and API structs it returns are owned by the plan and valid until it is destroyed;
 * their string pointers point into the runset or the catalog passed to the build, which must outlive the plan. A
 * cf_serve_demand is plain caller memory. The library never prints.
 */
#ifndef COSTFRONT_SERVE_H
#define COSTFRONT_SERVE_H

#include <stddef.h>

#include "costfront/catalog.h"
#include "costfront/pricing.h"
#include "costfront/runset.h"
#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Default target utilisation of serving replicas (headroom for queueing and bursts inside an hour). */
#define CF_SERVE_TARGET_UTILIZATION 0.7

/* A serving demand. NaN fields are absent. */
typedef struct cf_serve_demand {
    double tokens_per_day;     /* tokens (input + output) a day; NaN: requests_per_s x tokens_per_request x 86400 */
    double requests_per_s;     /* mean requests a second over the day */
    double tokens_per_request; /* input + output tokens of one request */
    double profile[24];        /* share of the day's tokens in each hour 0..23; normalised by validation */
    double peak_tokens_per_s;  /* the peak rate; NaN: the busiest hour's mean. Must be >= that mean */
    double target_utilization; /* in (0, 1]; default CF_SERVE_TARGET_UTILIZATION */
    double input_output_ratio; /* input tokens per output token, to price API offers; NaN: 1 */
    double slo_p99_ms, slo_ttft_ms, slo_tpot_ms; /* latency bounds a run must meet; NaN: none */
    char model[96];                              /* only runs of this model ("": every run with a token throughput) */
    char model_class[48]; /* API offers compared ("70B-class"); "": guessed from the runs' model names */
} cf_serve_demand;

/* Fills d with defaults: no volume, a flat profile (1/24 each hour), no peak, utilisation 0.7, no SLO. */
void cf_serve_demand_default(cf_serve_demand *d);

/* Parses a rate given on a command line into d: "2e9 tokens/day" (also "tokens/d", "tok/day") sets
 * tokens_per_day; "30 requests/s" (also "req/s", "rps") sets requests_per_s; a bare number is tokens a day. */
cf_status cf_serve_demand_parse_rate(cf_serve_demand *d, const char *text, cf_error *err);

/* Parses a comma-separated list of 24 non-negative hourly shares (any positive sum) into d->profile. */
cf_status cf_serve_demand_parse_profile(cf_serve_demand *d, const char *text, cf_error *err);

/* Loads a demand JSON text over d: {"tokens_per_day", "requests_per_s", "tokens_per_request", "profile": [24],
 * "peak_tokens_per_s", "target_utilization", "input_output_ratio", "model_class", "slo": {"p99_ms", "ttft_ms",
 * "tpot_ms"}}; unknown fields are rejected; errors name the JSON path (err->field) and syntax errors the line and
 * column. On failure d is unchanged. */
cf_status cf_serve_demand_load_string(cf_serve_demand *d, const char *json, const char *source, cf_error *err);

/* Checks d and resolves it: tokens_per_day from requests when needed, the profile normalised to sum 1. */
cf_status cf_serve_demand_validate(cf_serve_demand *d, cf_error *err);

/* One way of buying a candidate's replicas for a month. */
typedef struct cf_serve_option {
    cf_procurement option;
    int available;                 /* 0: a price is missing (reason says which) */
    char reason[160];              /* why it is unavailable, or "" */
    double price_per_gpu_hour;     /* list price per accelerator-hour (hybrid: the burst's); owned: NaN */
    double monthly_usd;            /* cost of a month */
    double cost_per_1m_tokens_usd; /* monthly_usd / (tokens a month / 1e6) */
    double gpu_hours;              /* accelerator-hours paid or owned in a month */
    double utilization;            /* busy replica-hours / replica-hours paid or owned */
    /* hybrid only: */
    int base_replicas;          /* B, the base fleet (0: all bursts) */
    cf_procurement base, burst; /* base: reserved_1y, reserved_3y or on_prem; burst: on_demand or spot */
    double burst_gpu_hours;     /* accelerator-hours bought as bursts in a month */
} cf_serve_option;

/* One run considered as a serving system. */
typedef struct cf_serve_candidate {
    size_t run_index;                      /* index in the runset */
    const char *run_id, *hardware, *model; /* from the run */
    cf_precision precision;
    double num_gpus;     /* accelerators of one replica */
    double tokens_per_s; /* one replica's throughput */
    double accuracy;
    int feasible;     /* 0: the latency SLO rules it out, or no option could be priced */
    char why[240];    /* why it is infeasible or why it lost on cost; "" for the winner */
    int replicas[24]; /* replicas each hour */
    int replicas_peak, replicas_trough;
    double gpu_hours_per_1m_tokens; /* num_gpus / (tokens_per_s x 3600) x 1e6 */
    cf_serve_option options[CF_PROC_COUNT];
    cf_procurement best; /* cheapest available option (valid when feasible) */
} cf_serve_candidate;

/* A managed API offer: USD per 1M input and output tokens. */
typedef struct cf_api_offer {
    const char *provider, *model, *model_class;
    double usd_per_1m_input, usd_per_1m_output;
    const char *source, *as_of;
} cf_api_offer;

/* An API offer compared with the plan's best self-hosted option. */
typedef struct cf_serve_api {
    const cf_api_offer *offer;
    double usd_per_1m_blended;         /* (ratio x input + output) / (ratio + 1) */
    double monthly_usd;                /* the demand's tokens a month at the blended price */
    double breakeven_tokens_per_month; /* smallest volume where self-hosting is no dearer; +inf: never */
    int self_hosting_cheaper;          /* 1 when the best self-hosted option beats the API at the demand */
} cf_serve_api;

typedef struct cf_serve_plan cf_serve_plan;

/* Builds the serving plan of demand d (validated by the call) over the token runs of rs (other runs are skipped
 * and counted) priced against cat with opts (may be NULL: defaults). API offers are read from the catalog text
 * api_json (a catalog file's JSON, or NULL: the default catalog's "api_offers"). Returns CF_ERR_EMPTY when no run
 * gives tokens_per_s. */
cf_status cf_serve_plan_build(const cf_catalog *cat, const cf_runset *rs, const cf_serve_demand *d,
                              const cf_pricing_opts *opts, const char *api_json, cf_serve_plan **out, cf_error *err);

/* Frees a plan. Accepts NULL. */
void cf_serve_plan_destroy(cf_serve_plan *plan);

/* The demand as resolved (tokens a day, normalised profile...). */
const cf_serve_demand *cf_serve_plan_demand(const cf_serve_plan *plan);

/* Tokens a month: tokens_per_day x 730 / 24. */
double cf_serve_plan_tokens_per_month(const cf_serve_plan *plan);

/* The peak factor each hour is sized with: peak / busiest hour's mean (1 without a peak). */
double cf_serve_plan_peak_factor(const cf_serve_plan *plan);

/* Candidates, in runset order; runs skipped because they give no token throughput. */
size_t cf_serve_plan_count(const cf_serve_plan *plan);
const cf_serve_candidate *cf_serve_plan_candidate(const cf_serve_plan *plan, size_t i);
size_t cf_serve_plan_skipped(const cf_serve_plan *plan);

/* Token runs left out because they are of another model than the demand's (d->model). */
size_t cf_serve_plan_other_model(const cf_serve_plan *plan);

/* The cheapest feasible (candidate, option): returns 1 and fills *cand and *opt, 0 when nothing is feasible. */
int cf_serve_plan_best(const cf_serve_plan *plan, size_t *cand, cf_procurement *opt);

/* API offers compared (those of the plan's model class), in catalog order, and the class used (NULL: none). */
size_t cf_serve_plan_api_count(const cf_serve_plan *plan);
const cf_serve_api *cf_serve_plan_api(const cf_serve_plan *plan, size_t i);
const char *cf_serve_plan_model_class(const cf_serve_plan *plan);

/* Monthly cost of the cheapest option of candidate c (a run's system) for a demand scaled to tokens_per_month
 * with d's profile, peak factor and utilisation (the function the break-even search uses). NaN when unavailable. */
double cf_serve_plan_cost_at(const cf_serve_plan *plan, size_t c, double tokens_per_month);

/* The model class of a model name: "<N>B-class" for the size in billions it names ("llama2-70b-99" ->
 * "70B-class", "Llama-3.1-8B" -> "8B-class"), rounded to a class of the catalog (6..9 -> 8B, 65..75 -> 70B); a mixture
 * of experts ("8x7b") gives none; writes into buf and returns it, or NULL when the name gives no size. */
char *cf_serve_model_class(const char *model, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
