/* costfront: pricing a run under a way of buying compute (models/pricing.c).
 *
 * cost_usd = gpu_hours x (1 + overhead) x price; energy_kwh = gpu_hours x (1 + overhead) x board power x PUE;
 * co2e_kg = energy_kwh x grid intensity; embodied_kgco2e = gpu_hours x embodied carbon / (life in hours), reported
 * apart; carbon_cost_usd = co2e_kg x shadow price; total_cost_usd = cost_usd + carbon_cost_usd. The spot overhead
 * comes from the Young (1974) / Daly (2006) optimal checkpoint interval.
 *
 * The whole cost of a run (issue 16): compute_cost_usd is the accelerator-hours above; egress_cost_usd = data_gb x
 * the catalog's price for the path from data_location to the offer (0 in the same region, inter-region within one
 * network, internet otherwise); storage_cost_usd = (data_gb + checkpoints kept x checkpoint_gb + model_gb) x the
 * offer's USD per GB-month x storage_days / 30; cost_usd = compute + egress + storage. A run that gives none of
 * data_gb, checkpoint_gb, model_gb, storage_days (or gives them as 0) is priced exactly as before.
 *
 * Ownership: results are plain structs filled into caller memory; pointers inside them point into the catalog.
 */
#ifndef COSTFRONT_PRICING_H
#define COSTFRONT_PRICING_H

#include "costfront/catalog.h"
#include "costfront/runset.h"
#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Ways of buying compute. ON_PREM and HYBRID are priced from a TCO plan (tco.h), not from offers. */
typedef enum cf_procurement {
    CF_PROC_ON_DEMAND = 0,
    CF_PROC_SPOT,
    CF_PROC_RESERVED_1Y,
    CF_PROC_RESERVED_3Y,
    CF_PROC_ON_PREM,
    CF_PROC_HYBRID,
    CF_PROC_COUNT
} cf_procurement;

/* Canonical name ("on_demand", "spot", "reserved_1y", "reserved_3y", "on_prem", "hybrid"). */
const char *cf_procurement_name(cf_procurement p);

/* Parses a procurement name (also "ondemand", "on-demand", "od", "1y", "3y", "onprem"). */
cf_status cf_procurement_parse(const char *s, cf_procurement *out);

/* Spot checkpoint-restart parameters, in hours. */
typedef struct cf_spot_params {
    double checkpoint_hours; /* delta: time to write one checkpoint (default 2 min) */
    double restart_hours;    /* R: time to restart after an interruption (default 10 min) */
    int use_daly;            /* 1: Daly's interval sqrt(2 delta M) - delta (default); 0: Young's sqrt(2 delta M) */
} cf_spot_params;

/* Fills p with the documented defaults (2 min checkpoint, 10 min restart, Daly). */
void cf_spot_params_default(cf_spot_params *p);

/* Optimal checkpoint interval tau (hours) for interruption rate lambda (per hour): Young 1974 tau = sqrt(2 delta
 * M), Daly 2006 tau = sqrt(2 delta M) - delta, with M = 1/lambda. Returns +inf when lambda <= 0. */
double cf_checkpoint_interval(double lambda_per_hour, const cf_spot_params *p);

/* Fraction of extra machine time from checkpoints and lost work: f = delta/tau + lambda (tau/2 + R) at the
 * optimal tau; 0 when lambda <= 0. Writes tau to *tau_out when not NULL. */
double cf_spot_overhead(double lambda_per_hour, const cf_spot_params *p, double *tau_out);

/* Options of the pricing model. */
typedef struct cf_pricing_opts {
    cf_spot_params spot;
    double carbon_price_usd_per_t; /* NaN: use the catalog's */
    const char *provider;          /* restrict offers to this provider, NULL: any */
    const char *region;            /* restrict offers to this region when the run has none, NULL: any */
    /* issue 16 (zero-initialised options are the defaults): */
    cf_storage_class storage_class; /* class data, checkpoints and model are kept in (default object_standard) */
    size_t keep_last_checkpoints;   /* keep only the last k checkpoints; 0 (default): keep every one written */
    double checkpoint_every_hours;  /* checkpoint interval of non-spot runs; <= 0 or NaN (default): none written */
    const char *owned_provider;     /* where owned servers sit in the egress/storage tables (default */
    const char *owned_region;       /* "owner-amortised" / "on-prem-us") */
} cf_pricing_opts;

/* Fills o with defaults (spot defaults, catalog carbon price, any provider and region). */
void cf_pricing_opts_default(cf_pricing_opts *o);

/* A priced (run, option) pair. */
typedef struct cf_price {
    cf_procurement option;
    const cf_offer *offer;    /* the offer used; NULL for on_prem / hybrid */
    const cf_region *region;  /* region whose PUE and grid were used; NULL when unknown */
    double price_per_hour;    /* USD per accelerator-hour, before overhead */
    double overhead_fraction; /* spot checkpoint/restart overhead f, 0 otherwise */
    double billed_gpu_hours;  /* gpu_hours x (1 + f) */
    double cost_usd;
    double energy_kwh;
    double co2e_kg;         /* operational */
    double embodied_kgco2e; /* amortised embodied carbon, reported apart */
    double carbon_cost_usd; /* co2e_kg x shadow price */
    double total_cost_usd;  /* cost_usd + carbon_cost_usd */
    int cheapest_chosen;    /* 1 when the run named no provider/region and the cheapest offer was chosen */
    /* The whole cost of a run (issue 16). cost_usd above = compute + egress + storage. */
    double compute_cost_usd;   /* billed_gpu_hours x price_per_hour */
    double egress_cost_usd;    /* data moved to the compute region x the path's USD per GB */
    double storage_cost_usd;   /* GB kept x USD per GB-month x storage_days / 30 */
    double egress_gb;          /* data moved (0 in the same region or without data_location) */
    const char *egress_path;   /* "same region", "inter-region", "internet", or NULL when nothing was moved */
    const cf_egress *data_src; /* where the data lives, NULL when the run does not say */
    const cf_storage *storage_src; /* the storage entry that priced storage_cost_usd, NULL when nothing was kept */
    double checkpoints_written, checkpoints_kept; /* from the checkpoint interval; 0 without checkpoint_gb */
    double storage_gb;         /* data + checkpoints kept + model */
    int has_transfer;          /* 1 when the run gave a positive data_gb, checkpoint_gb, model_gb or storage_days */
    /* When the whole cost chose another offer than compute alone would (data gravity): that offer, and its
     * compute and whole cost; NULL / NaN otherwise. */
    const cf_offer *compute_best;
    double compute_best_compute_usd, compute_best_cost_usd;
    /* issue 11: 1 when energy_kwh came from the run's measured system power (power_w x wall hours x (1 + f) x PUE)
     * instead of the catalog's board power x accelerator-hours. */
    int energy_measured;
} cf_price;

/* What a run needs besides accelerator-hours: NaN / NULL fields are absent. */
typedef struct cf_transfer_need {
    double data_gb, checkpoint_gb, storage_days, model_gb;
    double num_nodes;          /* a multi-node job is interrupted when any node is: lambda x num_nodes */
    double wall_hours;         /* hours the checkpoints are spread over (NaN: gpu_hours / num_gpus, else gpu_hours) */
    double num_gpus;
    const char *data_location; /* "provider/region" or a region (cf_catalog_data_location) */
    const cf_egress *data_src; /* data_location resolved, or NULL (pricing resolves it, once per run) */
} cf_transfer_need;

/* Writes "spot on lambda/us-east-1 is 31% cheaper in compute but 12% dearer with egress and storage (data at
 * aws/us-east-1)" into buf (size n) when the whole cost chose another offer for p than compute alone would (data
 * gravity), and returns buf; returns NULL (buf untouched) otherwise. */
char *cf_price_gravity_phrase(const cf_price *p, char *buf, size_t n);

/* Fills n with "nothing needed" (every field absent). */
void cf_transfer_need_none(cf_transfer_need *n);

/* Fills n from a run's fields. */
void cf_transfer_need_of_run(const cf_run *run, cf_transfer_need *n);

/* Whether n asks for anything: a positive data_gb, checkpoint_gb, model_gb or storage_days. */
int cf_transfer_need_any(const cf_transfer_need *n);

/* Number of checkpoints written over wall_hours at interval tau_hours: floor(wall / tau), 0 when tau is not finite
 * and positive. Written checkpoints are kept unless keep_last > 0 caps them. */
double cf_checkpoints_written(double wall_hours, double tau_hours);

/* Prices the egress and storage parts of need for compute in provider/region under option (spot uses overhead's
 * interval tau_hours for checkpoints; pass INFINITY otherwise) into out's egress/storage fields, leaving the
 * compute fields alone. Returns CF_ERR_NOT_FOUND (with a message) when a price it needs is unknown. */
cf_status cf_price_transfer(const cf_catalog *cat, const cf_transfer_need *need, const char *provider,
                            const char *region, cf_procurement option, double tau_hours, const cf_pricing_opts *opts,
                            cf_price *out, cf_error *err);

/* Same as cf_price_hours for a run needing need (may be NULL: nothing): the offer chosen is the cheapest in
 * cost_usd (compute + egress + storage) when need asks for anything, else the cheapest per hour as before. */
cf_status cf_price_hours_need(const cf_catalog *cat, const char *hardware, const char *provider, const char *region,
                              double gpu_hours, const cf_transfer_need *need, cf_procurement option,
                              const cf_pricing_opts *opts, cf_price *out, cf_error *err);

/* Prices gpu_hours of hardware hw under option, choosing the offer: the run's provider/region if given (region
 * may be NULL), else opts' restrictions, else the cheapest offer with a price for that option. Returns
 * CF_ERR_NOT_FOUND (with a message naming hardware and option) when no offer prices it. */
cf_status cf_price_hours(const cf_catalog *cat, const char *hardware, const char *provider, const char *region,
                         double gpu_hours, cf_procurement option, const cf_pricing_opts *opts, cf_price *out,
                         cf_error *err);

/* Replaces p's energy, operational CO2e, carbon cost and total with those of a measured system power (issue 11):
 * energy_kwh = power_w / 1000 x wall_hours x (1 + overhead) x PUE of p's region (1.0 when unknown), CO2e at its
 * grid. Measured power (MLPerf Power_Result) covers the whole system, host included, which board power does not.
 * Does nothing unless power_w and wall_hours are positive. */
void cf_price_apply_measured_power(const cf_catalog *cat, double power_w, double wall_hours,
                                   const cf_pricing_opts *opts, cf_price *p);

/* Prices a run (its gpu_hours, hardware, provider and region) under option. A run with a measured power_w gets
 * its energy from it (cf_price_apply_measured_power). */
cf_status cf_price_run(const cf_catalog *cat, const cf_run *run, cf_procurement option, const cf_pricing_opts *opts,
                       cf_price *out, cf_error *err);

/* Energy (kWh) of gpu_hours on hardware drawing board_power_w in a site with the given PUE. */
double cf_energy_kwh(double gpu_hours, double board_power_w, double pue);

/* Operational emissions (kg CO2e) of energy_kwh at grid_gco2e_per_kwh. */
double cf_co2e_kg(double energy_kwh, double grid_gco2e_per_kwh);

/* A cache of offer choices for pricing many runs (issue 14): the cheapest offer of a (hardware, provider,
 * region, option) key is found once by scanning the catalog, then every run with that key is priced from it.
 * cf_price_run_cached(pc, run, option, out, err) gives exactly what cf_price_run(cat, run, option, opts, out, err)
 * gives; runs that need data moved or kept (cf_transfer_need_any) take cf_price_run's full path.
 * Ownership: the cache copies opts (the strings it points to, and cat, must outlive the cache) and its keys; the
 * pointers in a result point into the catalog, as with cf_price_run. Not thread-safe. */
typedef struct cf_price_cache cf_price_cache;

/* Creates a cache over cat with opts (NULL: defaults). Returns NULL when out of memory or cat is NULL. */
cf_price_cache *cf_price_cache_create(const cf_catalog *cat, const cf_pricing_opts *opts);

/* Frees a cache. Accepts NULL. */
void cf_price_cache_destroy(cf_price_cache *pc);

/* Prices run under option as cf_price_run does, with the offer choice cached per key. */
cf_status cf_price_run_cached(cf_price_cache *pc, const cf_run *run, cf_procurement option, cf_price *out,
                              cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
