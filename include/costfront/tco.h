/* costfront: procurement plans and total cost of ownership (models/tco.c).
 *
 * A plan (JSON, documented field by field in docs/tco.md) describes a monthly demand of accelerator-hours over a
 * horizon, the hardware and region, an on-prem server (capex, life, power, facility) and cloud prices (missing
 * ones come from the catalog). cf_tco_evaluate prices six ways of buying that demand -- on-demand, spot, 1-year
 * and 3-year reservations, owned servers (on-prem) and a hybrid (an owned baseline plus cloud bursts) -- with
 * monthly cash flows, discounting, energy, operational and embodied carbon and its shadow price. It also finds
 * the breakeven utilisation and breakeven month of on-prem against each cloud option, the best hybrid baseline
 * (exhaustive search over whole servers), the best reservation level with overflow on on-demand (exhaustive
 * search; the newsvendor critical fractile is reported as a check), and the monthly cumulative series for charts.
 * cf_tco_tornado and cf_tco_monte_carlo measure how the answer moves with uncertain inputs.
 *
 * Conventions (docs/tco.md has the full list): a month is 730 hours; month m = 1..H is paid at its end and
 * discounted by (1 + r)^(-m/12); capex is paid at time 0 (and again at each end of life inside the horizon);
 * accrual cost is straight-line depreciation plus operating cost; electricity of owned servers scales with their
 * utilisation; colocation is charged on server power whatever the use; reserved hours are paid whether used or
 * not; spot hours carry the Young (1974) / Daly (2006) checkpoint-restart overhead (cf_spot_overhead).
 *
 * Ownership: a cf_plan and a cf_tco_result are opaque handles owned by the caller, created by cf_plan_create /
 * cf_tco_evaluate and freed by cf_plan_destroy / cf_tco_result_destroy (both accept NULL). Every struct the
 * getters fill is plain data copied into caller memory (strings inside are fixed-size arrays), so nothing returned
 * points into a handle except where a comment says so. Arrays passed in are copied or only read. The library never
 * prints: progress is reported through an optional callback.
 */
#ifndef COSTFRONT_TCO_H
#define COSTFRONT_TCO_H

#include <stddef.h>
#include <stdint.h>

#include "costfront/catalog.h"
#include "costfront/pricing.h"
#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Hours in a month: 8,760 / 12. */
#define CF_TCO_HOURS_PER_MONTH 730.0

/* ---- plans ---------------------------------------------------------------------------------------------------- */

typedef struct cf_plan cf_plan;

/* Creates an empty plan (nothing loaded). Returns NULL on allocation failure. */
cf_plan *cf_plan_create(void);

/* Frees a plan. Accepts NULL. */
void cf_plan_destroy(cf_plan *plan);

/* Loads a plan from a JSON file, replacing what the plan held. Validation errors name the JSON path in err->field
 * and say what was expected and found (e.g. field "on_prem.pue", message "expected a number >= 1, found 0.9");
 * JSON syntax errors carry line and column. catalog may be NULL: then every figure the catalog would supply
 * (cloud prices, GPU power, grid intensity...) must be in the plan. The catalog is only read during the call. On
 * failure the plan is unchanged. */
cf_status cf_plan_load_file(cf_plan *plan, const char *path, const cf_catalog *catalog, cf_error *err);

/* Same as cf_plan_load_file for a JSON text in memory; source names it in errors (may be NULL). */
cf_status cf_plan_load_string(cf_plan *plan, const char *json, const char *source, const cf_catalog *catalog,
                              cf_error *err);

/* Sets one numeric field of a loaded plan by its JSON path ("discount_rate_annual", "on_prem.pue",
 * "cloud.spot"...), as a command-line override would, and validates the plan again against catalog (may be
 * NULL). On failure the plan is unchanged. */
cf_status cf_plan_set_number(cf_plan *plan, const char *path, double value, const cf_catalog *catalog, cf_error *err);

/* Writes the plan with every default filled in (each field at its resolved value, cloud prices with the offer
 * they came from) as indented JSON into *json_out, which the caller frees with free(). */
cf_status cf_plan_resolved_json(const cf_plan *plan, const cf_catalog *catalog, char **json_out, cf_error *err);

/* Horizon of a loaded plan in months (0 when nothing is loaded). */
int cf_plan_horizon_months(const cf_plan *plan);

/* Hardware name as written in a loaded plan (owned by the plan), or NULL. */
const char *cf_plan_hardware(const cf_plan *plan);

/* ---- evaluation ----------------------------------------------------------------------------------------------- */

/* Which figure of merit tornado, Monte Carlo and the hybrid / reservation searches compare. */
typedef enum cf_tco_metric {
    CF_TCO_METRIC_TOTAL = 0,         /* undiscounted cost, USD */
    CF_TCO_METRIC_NPV,               /* discounted cost, USD */
    CF_TCO_METRIC_TOTAL_WITH_CARBON, /* undiscounted cost + carbon cost */
    CF_TCO_METRIC_NPV_WITH_CARBON    /* discounted cost + discounted carbon cost */
} cf_tco_metric;

/* The outcome of one way of buying the plan's demand (options are indexed by cf_procurement). Money in USD,
 * hours in accelerator-hours, carbon in kg CO2e; NaN (and available = 0) when the option cannot be priced. */
typedef struct cf_tco_option {
    cf_procurement option;
    int available;                   /* 0 when a price is missing (e.g. no spot offer for the hardware) */
    double price_per_gpu_hour;       /* cloud list price per hour (before overhead); on_prem/hybrid: NaN */
    double overhead_fraction;        /* spot checkpoint/restart overhead f; 0 otherwise */
    int units;                       /* servers owned (on_prem, hybrid) or GPUs reserved (reserved_*); else 0 */
    double useful_gpu_hours;         /* the demand served over the horizon */
    double billed_gpu_hours;         /* cloud hours paid (spot: x (1+f); reserved: every reserved hour) */
    double owned_gpu_hours;          /* hours served by owned servers (on_prem, hybrid) */
    double total_usd;                /* undiscounted cost over the horizon (= accrual = cash incl. resale) */
    double npv_usd;                  /* discounted cash cost */
    double cost_per_useful_gpu_hour; /* total_usd / useful_gpu_hours */
    double levelized_per_gpu_hour;   /* npv_usd / discounted useful hours */
    double energy_kwh;               /* facility energy of the hours used (x PUE) */
    double co2e_operational_kg;
    double co2e_embodied_kg;      /* amortised manufacturing emissions */
    double co2e_kg;               /* operational + embodied */
    double carbon_cost_usd;       /* priced emissions (embodied included unless the plan says otherwise) */
    double total_with_carbon_usd; /* total_usd + carbon_cost_usd */
    double npv_with_carbon_usd;   /* npv_usd + discounted carbon cost */
    char price_source[160];       /* "plan", or "catalog: <provider> <region>" for cloud prices */
    /* issue 16, the plan's "data" section: the parts of total_usd spent moving and keeping data (0 without it). */
    double egress_usd, storage_usd;
} cf_tco_option;

/* The owned server's monthly economics, per server, at full use. */
typedef struct cf_tco_server_month {
    double depreciation_usd;     /* capex x (1 - residual) / life_months */
    double colocation_usd;       /* server_power_kw x colocation price */
    double electricity_full_usd; /* server_power_kw x 730 x PUE x electricity price */
    double ops_usd;
    double fixed_usd;                 /* depreciation + colocation + ops */
    double total_full_use_usd;        /* fixed + electricity at full use */
    double usd_per_gpu_hour_full_use; /* total_full_use / (gpus_per_server x 730) */
    int servers;                      /* servers bought for the plan (peak demand / target utilisation) */
    double mean_utilization;          /* mean over the horizon of the owned fleet's utilisation */
} cf_tco_server_month;

/* On-prem against one cloud option. */
typedef struct cf_tco_breakeven {
    cf_procurement cloud; /* on_demand, spot, reserved_1y or reserved_3y */
    int available;
    double cloud_usd_per_useful_hour; /* price x (1 + overhead) */
    double utilization_scaling;       /* breakeven utilisation when electricity scales with use (the model's) */
    double utilization_full_power;    /* breakeven utilisation when servers draw full power whatever their use */
    int month;                        /* first month (1..H) where cumulative on-prem cash <= cumulative cloud, -1 */
    int month_discounted;             /* the same with discounted cumulative cash, -1 when never */
} cf_tco_breakeven;

/* The best hybrid: owned servers for a baseline, bursts on a cloud option. */
typedef struct cf_tco_hybrid {
    int servers;          /* owned servers at the optimum (0 = all cloud) */
    int max_servers;      /* search range was 0..max_servers */
    cf_procurement burst; /* on_demand or spot */
    double owned_share;   /* share of the useful hours served by owned servers */
    double objective;     /* the minimised metric at the optimum */
    cf_tco_metric metric;
} cf_tco_hybrid;

/* The best reservation level for the demand series: reserve `gpus` x 730 GPU-hours a month, overflow on-demand. */
typedef struct cf_tco_reservation {
    cf_procurement term; /* reserved_1y or reserved_3y */
    int available;
    int gpus; /* optimal reserved GPUs (search over 0..max_gpus) */
    int max_gpus;
    double reserved_gpu_hours_per_month;
    double objective;            /* the minimised metric at the optimum */
    double overflow_gpu_hours;   /* on-demand hours over the horizon */
    double critical_fractile;    /* newsvendor check: 1 - reserved price / on-demand price */
    double newsvendor_gpu_hours; /* empirical quantile of monthly demand at the critical fractile */
} cf_tco_reservation;

typedef struct cf_tco_result cf_tco_result;

/* Evaluates a loaded plan with prices resolved against catalog (may be NULL when the plan gives every figure).
 * Returns a new result in *out (caller frees with cf_tco_result_destroy) or an error. */
cf_status cf_tco_evaluate(const cf_plan *plan, const cf_catalog *catalog, cf_tco_result **out, cf_error *err);

/* Frees a result. Accepts NULL. */
void cf_tco_result_destroy(cf_tco_result *res);

/* Horizon of the result in months. */
int cf_tco_result_months(const cf_tco_result *res);

/* Fills *out with option `opt`. CF_ERR_ARG for an out-of-range option. */
cf_status cf_tco_result_option(const cf_tco_result *res, cf_procurement opt, cf_tco_option *out);

/* When the plan has a data section and its egress and storage change which option is cheapest in total_usd: "spot is
 * 31% cheaper in compute but 12% dearer with egress and storage; on_prem is cheapest in total" (owned by res, valid
 * until it is destroyed). NULL otherwise. */
const char *cf_tco_result_data_gravity(const cf_tco_result *res);

/* The available option with the lowest metric (ties: the lower enum value). */
cf_procurement cf_tco_result_cheapest(const cf_tco_result *res, cf_tco_metric metric);

/* Value of a metric for an option (NaN when unavailable). */
double cf_tco_option_metric(const cf_tco_option *o, cf_tco_metric metric);

/* Per-server monthly economics of the plan's owned server. */
void cf_tco_result_server_month(const cf_tco_result *res, cf_tco_server_month *out);

/* On-prem against cloud option `cloud` (on_demand, spot, reserved_1y, reserved_3y); CF_ERR_ARG otherwise. */
cf_status cf_tco_result_breakeven(const cf_tco_result *res, cf_procurement cloud, cf_tco_breakeven *out);

/* The best hybrid baseline. */
void cf_tco_result_hybrid(const cf_tco_result *res, cf_tco_hybrid *out);

/* The hybrid search curve: out[k] = metric with k owned servers, k = 0..max_servers; writes at most n values and
 * returns how many exist (max_servers + 1). */
size_t cf_tco_result_hybrid_curve(const cf_tco_result *res, double *out, size_t n);

/* The best reservation level for term reserved_1y or reserved_3y; CF_ERR_ARG otherwise. */
cf_status cf_tco_result_reservation(const cf_tco_result *res, cf_procurement term, cf_tco_reservation *out);

/* Kinds of monthly series. Cumulative series have H + 1 values: index 0 is time 0 (capex), index m the end of
 * month m; DEMAND has H values (month 1 at index 0). */
typedef enum cf_tco_series {
    CF_TCO_SERIES_CASH = 0,        /* cumulative undiscounted cash cost (capex upfront, resale at end of life and
                                      the book value credited at the horizon end) */
    CF_TCO_SERIES_CASH_DISCOUNTED, /* cumulative discounted cash cost */
    CF_TCO_SERIES_ACCRUAL,         /* cumulative depreciation + operating cost */
    CF_TCO_SERIES_CO2E,            /* cumulative kg CO2e (operational + embodied) */
    CF_TCO_SERIES_WITH_CARBON,     /* cumulative undiscounted cash cost + carbon cost */
    CF_TCO_SERIES_DEMAND           /* GPU-hours demanded in each month (not cumulative; option ignored) */
} cf_tco_series;

/* Copies a series of option `opt` into out (at most n values) and returns its full length (H + 1, or H for
 * DEMAND); 0 for a bad argument. Unavailable options give NaN values. */
size_t cf_tco_result_series(const cf_tco_result *res, cf_procurement opt, cf_tco_series kind, double *out, size_t n);

/* Per useful GPU-hour figures of one option of a plan, so runs can be priced under on_prem or hybrid. */
typedef struct cf_tco_unit_rate {
    cf_procurement option;
    double usd_per_gpu_hour; /* total_usd / useful hours */
    double energy_kwh_per_gpu_hour;
    double co2e_operational_kg_per_gpu_hour;
    double co2e_embodied_kg_per_gpu_hour;
    double carbon_cost_usd_per_gpu_hour;
} cf_tco_unit_rate;

/* Evaluates the plan and fills *out for option opt (any option; typically on_prem or hybrid). */
cf_status cf_tco_unit_rates(const cf_plan *plan, const cf_catalog *catalog, cf_procurement opt, cf_tco_unit_rate *out,
                            cf_error *err);

/* ---- closed-form helpers (also used by the tests) ------------------------------------------------------------ */

/* Monthly discount factor of month m at an annual rate: (1 + r)^(-m/12). */
double cf_tco_discount_factor(double rate_annual, double month);

/* Present value of flows[i] paid at the end of month i + 1 (i = 0..n-1) at an annual rate. */
double cf_tco_npv(const double *flows, size_t n, double rate_annual);

/* Breakeven utilisation of an owned server against a cloud price per useful GPU-hour, with fixed monthly cost
 * `fixed_usd`, electricity at full use `energy_full_usd`, and `gpu_hours_full` GPU-hours a month at full use.
 * scales_with_use = 1: u = fixed / (gpu_hours_full x price - energy_full); 0: u = (fixed + energy_full) /
 * (gpu_hours_full x price). Returns +inf when on-prem never breaks even. */
double cf_tco_breakeven_utilization(double fixed_usd, double energy_full_usd, double gpu_hours_full,
                                    double cloud_usd_per_gpu_hour, int scales_with_use);

/* Utilisation above which a reservation beats on-demand: reserved price / on-demand price. */
double cf_tco_reserved_breakeven(double reserved_usd_per_hour, double on_demand_usd_per_hour);

/* ---- uncertainty ---------------------------------------------------------------------------------------------- */

/* Uncertain inputs. Each has a documented [low, high] range (a plan's "uncertainty" object may override it):
 * relative factors for DEMAND (0.8..1.2, i.e. utilisation +/-20% with the fleet sized for the base demand),
 * ON_DEMAND_PRICE (0.8..1.2), SPOT_PRICE (0.7..1.3), INTERRUPTIONS (0.5..2), ELECTRICITY (0.75..1.25) and CAPEX
 * (0.85..1.15); absolute values for RESIDUAL (0..0.35) and CARBON_PRICE (27..190 USD/t, replacing any path). */
typedef enum cf_tco_input {
    CF_TCO_IN_DEMAND = 0,
    CF_TCO_IN_ON_DEMAND_PRICE,
    CF_TCO_IN_SPOT_PRICE,
    CF_TCO_IN_INTERRUPTIONS,
    CF_TCO_IN_ELECTRICITY,
    CF_TCO_IN_RESIDUAL,
    CF_TCO_IN_CARBON_PRICE,
    CF_TCO_IN_CAPEX,
    CF_TCO_IN_COUNT
} cf_tco_input;

/* Name of an input as used in the plan's "uncertainty" object ("demand", "on_demand_price", "spot_price",
 * "interruptions", "electricity", "residual", "carbon_price", "capex"). */
const char *cf_tco_input_name(cf_tco_input in);

/* What a tornado ranks by: one option's metric, or on-prem minus the best cloud option (of on_demand, spot,
 * reserved_1y, reserved_3y, whichever is cheapest in that scenario). */
#define CF_TCO_TARGET_ONPREM_VS_CLOUD ((int)CF_PROC_COUNT)

/* One bar of a tornado: the input at its low and high value, everything else at base. */
typedef struct cf_tco_tornado_row {
    cf_tco_input input;
    double low_value, base_value, high_value;       /* the input's values (factor or absolute, see cf_tco_input) */
    double low[CF_PROC_COUNT], high[CF_PROC_COUNT]; /* each option's metric at low / high (NaN: unavailable) */
    double diff_low, diff_high;                     /* on-prem minus best cloud at low / high */
    double swing;                                   /* |target at high - target at low| */
} cf_tco_tornado_row;

/* One-at-a-time sensitivity: fills rows[0..CF_TCO_IN_COUNT-1] (cap must be >= CF_TCO_IN_COUNT) sorted by swing of
 * target (a cf_procurement or CF_TCO_TARGET_ONPREM_VS_CLOUD), largest first, and *base_out (may be NULL) with the
 * target's base value. Decisions (servers, reserved GPUs, hybrid baseline) stay at their base-case values. */
cf_status cf_tco_tornado(const cf_plan *plan, const cf_catalog *catalog, cf_tco_metric metric, int target,
                         cf_tco_tornado_row *rows, size_t cap, double *base_out, cf_error *err);

/* Distributions for the Monte Carlo. */
typedef enum cf_tco_dist {
    CF_TCO_DIST_TRIANGULAR = 0, /* triangular(low, base, high), the base value as mode (default) */
    CF_TCO_DIST_UNIFORM         /* uniform(low, high) */
} cf_tco_dist;

/* Progress callback: called with the number of samples done and the total; may be NULL. */
typedef void (*cf_tco_progress_fn)(void *user, size_t done, size_t total);

/* Monte Carlo options. */
typedef struct cf_tco_mc_opts {
    cf_tco_dist dist;
    unsigned vary_mask; /* bit (1u << input) set: that input is sampled; others stay at base */
    cf_tco_metric metric;
    cf_tco_progress_fn progress; /* may be NULL */
    void *progress_user;
} cf_tco_mc_opts;

/* Fills o with defaults: triangular, every input varied, NPV with carbon, no progress callback. */
void cf_tco_mc_opts_default(cf_tco_mc_opts *o);

/* Monte Carlo summary per option (NaN for unavailable options). */
typedef struct cf_tco_mc_result {
    size_t n; /* samples drawn */
    cf_tco_metric metric;
    double mean[CF_PROC_COUNT];
    double p10[CF_PROC_COUNT], p50[CF_PROC_COUNT], p90[CF_PROC_COUNT];
    double p_cheapest[CF_PROC_COUNT]; /* share of samples where the option has the lowest metric */
} cf_tco_mc_result;

/* Draws n scenarios of the uncertain inputs with GSL's gsl_rng_mt19937 seeded with seed, evaluates every option in
 * each (decisions at their base-case values) and summarises them in *out. The same seed gives the same numbers.
 * opts may be NULL (defaults). */
cf_status cf_tco_monte_carlo(const cf_plan *plan, const cf_catalog *catalog, size_t n, unsigned long seed,
                             const cf_tco_mc_opts *opts, cf_tco_mc_result *out, cf_error *err);

/* Like cf_tco_monte_carlo, and also copies every sample's metric into samples (row-major n x CF_PROC_COUNT,
 * caller-allocated, may be NULL). */
cf_status cf_tco_monte_carlo_samples(const cf_plan *plan, const cf_catalog *catalog, size_t n, unsigned long seed,
                                     const cf_tco_mc_opts *opts, cf_tco_mc_result *out, double *samples, cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
