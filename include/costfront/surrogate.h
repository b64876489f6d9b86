/* costfront: surrogate models of accuracy and GPU-hours fitted to runs (models/surrogate.c, models/prior.c).
 *
 * Two quantities are learned from the runs; everything priced is computed exactly from the catalog:
 *   1. the target metric (accuracy by default, or any numeric column) as a function of the configuration --
 *      precision, pruning, the workload fields (model, dataset, project) and every hyperparameter column;
 *   2. log GPU-hours as a function of the same configuration plus the hardware, with the prior mean
 *      m(x) = -log throughput[hardware][precision] - log s(pruning) built from the catalog's relative throughput
 *      (cf_hardware.throughput, A100-80GB at bf16 = 1) and the pruning speed-up s(p) of cf_prior_pruning_speedup;
 *      the GP learns the residual, so hardware never run is predicted through the catalog's ratios.
 * Both are Gaussian processes (gp.h: Matern-5/2 ARD over continuous columns times an exchangeable kernel per
 * categorical column; Rasmussen & Williams 2006, Ru et al. 2020) with standardised outputs and learned noise.
 *
 * Encoding of a configuration (one GP column per field; cf_surrogate_field_* describes them):
 *   - precision: ordered by default (fp32 = 0, tf32, bf16, fp16, fp8, int8, int4 = 1, equally spaced), or
 *     categorical with one category per precision (cf_surrogate_opts.precision_categorical);
 *   - pruning: the sparsity fraction itself (already in [0, 1));
 *   - numeric and integer hyperparameters: scaled to [0, 1] over the observed range, on a log scale when declared
 *     (log_params) or, unless declared linear, when every value is positive and max/min > 100 (a learning rate);
 *   - categorical hyperparameters and workload fields: one category per value seen (sorted), a missing value being
 *     a category of its own;
 *   - hardware (GPU-hours model only): one category per hardware seen in the runs plus one shared "never run"
 *     category, so a hardware never run is uncorrelated with the runs' residuals through that column.
 * Columns constant over the runs (other than precision and pruning) are not GP inputs; they are still fields, so
 * a configuration can name them.
 *
 * Predictions are Gaussian for the metric and log-normal for GPU-hours (ln G ~ N(mu, s^2), s^2 including the
 * learned noise: intervals are for what one new run would give). Every cost is price x G with the price per
 * GPU-hour exact, so mean = price x exp(mu + s^2/2), sd = price x sd(G), and the 95% bounds are price x
 * exp(mu -/+ 1.96 s), exactly, since the map is monotone.
 *
 * Ownership: a cf_surrogate keeps pointers to the runset and catalog it was created from (they must outlive it)
 * and owns everything else; strings it returns stay valid until cf_surrogate_destroy. A cf_config is created by
 * cf_surrogate_parse_config and freed by cf_config_destroy; it must not outlive its surrogate. Candidate arrays
 * returned by cf_surrogate_search are freed with cf_surrogate_candidates_free. Strings returned through `char **`
 * are malloc'd; the caller frees them.
 */
#ifndef COSTFRONT_SURROGATE_H
#define COSTFRONT_SURROGATE_H

#include <stddef.h>

#include "costfront/catalog.h"
#include "costfront/pricing.h"
#include "costfront/runset.h"
#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- The catalog prior of the GPU-hours model (models/prior.c) ---- */

/* Speed-up of training at sparsity p in [0, 1): s(p) = 1 + 0.8 p up to p = 0.5 (1.4x at 50%, inside the
 * 1.27-1.5x measured end to end for 2:4 sparsity on Ampere/Hopper), then 1.4 + 0.9 (p - 0.5) (1.76x at 90%,
 * inside the 1.5-2x of unstructured pruning at 60-90%); figures from REFERENCE-costs.md ("2:4 sparsity" and the
 * seed paper's pruning table). Values of p outside [0, 1) are clamped. */
double cf_prior_pruning_speedup(double p);

/* Relative throughput of hw at precision p (cf_hardware.throughput), or NaN when the catalog does not know it. */
double cf_prior_throughput(const cf_hardware *hw, cf_precision p);

/* Prior mean of log GPU-hours relative to an A100-80GB at bf16 without pruning:
 * -log throughput(hw, p) - log s(pruning). When the throughput at p is unknown, the nearest wider precision
 * with a known throughput is used (a run at an unsupported precision is taken to run at that speed) and *fallback
 * (may be NULL) is set to 1; with no known throughput at all the ratio is 1. */
double cf_prior_log_gpu_hours(const cf_hardware *hw, cf_precision p, double pruning, int *fallback);

/* Efficiency exponent beta of GPU-hours in the number of accelerators n, G ~ n^beta (beta = 0: perfect linear
 * scaling, time ~ 1/n; beta = 1: no speed-up at all; Amdahl 1967 makes it grow with n), estimated by least squares
 * within cells (the fixed-effects "within" estimator, Wooldridge 2010 ch. 10): r_i = a_cell[i] + beta lx_i + e_i with
 * lx = log n and r the log GPU-hours less the catalog prior, so the hardware, workload and precision of a cell
 * cancel and only the change of hours with scale inside a cell teaches beta. cell[i] are cell ids in [0, n).
 * Returns *beta = Sxy / Sxx over the within-cell deviations, *beta_var = s^2 / Sxx, s^2 = RSS / (n - cells - 1), and
 * *tau2, the variance of the cells' own exponents around beta beyond their sampling noise (DerSimonian & Laird 1986;
 * 0 when fewer than two cells have two scales): a new workload or scale may scale like any cell, so a prediction at
 * distance dx in log n from the runs gains dx^2 (beta_var + tau2). CF_ERR_EMPTY (all outputs 0) when no cell has two
 * scales or no degree of freedom is left. */
cf_status cf_prior_scaling_exponent(const double *lx, const double *r, const size_t *cell, size_t n, double *beta,
                                    double *beta_var, double *tau2);

/* ---- The surrogate ---- */

/* Options of a surrogate. */
typedef struct cf_surrogate_opts {
    const char *target;        /* metric learned: "accuracy" (default) or any numeric column of the runs */
    const char *log_params;    /* comma-separated numeric columns to scale on a log axis (NULL: none) */
    const char *linear_params; /* comma-separated numeric columns never put on a log axis (NULL: none) */
    int precision_categorical; /* 1: precision as a categorical input; 0 (default): ordered */
    unsigned long seed;        /* seed of the GP restarts and of the search (default 0) */
    size_t restarts;           /* Sobol restarts of each GP fit besides the default start (default 4) */
} cf_surrogate_opts;

/* Fills o with the defaults above. */
void cf_surrogate_opts_default(cf_surrogate_opts *o);

/* The two models: the metric and log GPU-hours. */
typedef enum cf_surrogate_model { CF_SURR_METRIC = 0, CF_SURR_HOURS = 1 } cf_surrogate_model;

/* Kinds of a configuration field. */
typedef enum cf_field_role {
    CF_FIELD_HARDWARE = 0, /* catalog hardware id */
    CF_FIELD_PRECISION,    /* precision name */
    CF_FIELD_PRUNING,      /* sparsity fraction */
    CF_FIELD_WORKLOAD,     /* model, dataset or project (categorical) */
    CF_FIELD_PARAM         /* a hyperparameter column */
} cf_field_role;

typedef struct cf_surrogate cf_surrogate;

/* Creates an unfitted surrogate over the runs of rs (priced and resolved with cat) with options o (NULL for
 * defaults; strings are copied): decides the fields, their encoding and the training rows. Runs without the
 * target are left out of the metric model and runs without GPU-hours (or hardware) out of the hours model; the
 * counts are kept. Returns CF_ERR_EMPTY when either model has no run, CF_ERR_NOT_FOUND for an unknown target,
 * CF_ERR_INVALID for a bad log_params / linear_params column, CF_ERR_NOMEM. *out is NULL on failure. */
cf_status cf_surrogate_create(const cf_runset *rs, const cf_catalog *cat, const cf_surrogate_opts *o,
                              cf_surrogate **out, cf_error *err);

/* Frees a surrogate. Accepts NULL. */
void cf_surrogate_destroy(cf_surrogate *s);

/* Fits both GPs (maximum a posteriori hyperparameters, gp.h) and computes their leave-one-out scores. */
cf_status cf_surrogate_fit(cf_surrogate *s, cf_error *err);

/* The target name ("accuracy" or the column given). */
const char *cf_surrogate_target(const cf_surrogate *s);

/* Number of training runs of a model. */
size_t cf_surrogate_n_train(const cf_surrogate *s, cf_surrogate_model m);

/* Seconds of wall-clock time the last cf_surrogate_fit spent on model m (fit plus leave-one-out). */
double cf_surrogate_fit_seconds(const cf_surrogate *s, cf_surrogate_model m);

/* Closed-form leave-one-out scores of model m (R&W eq. 5.12) after cf_surrogate_fit: root mean squared error,
 * mean negative log predictive density, and the share of held-out runs inside their central 95% interval. For
 * CF_SURR_HOURS they are on the log GPU-hours scale. Any output may be NULL; NaN before fitting. */
void cf_surrogate_loo(const cf_surrogate *s, cf_surrogate_model m, double *rmse, double *nlpd, double *coverage95);

/* Leave-one-out mean and sd for training run k of model m (run index in the runset through *run_index, may be
 * NULL), observed value through *observed; CF_ERR_ARG when k is out of range or the model is not fitted. */
cf_status cf_surrogate_loo_point(const cf_surrogate *s, cf_surrogate_model m, size_t k, size_t *run_index,
                                 double *observed, double *mean, double *sd);

/* Fitted hyperparameters of model m: signal and noise variance (in the model's units: the metric, or log
 * GPU-hours) and the log marginal likelihood; NaN before fitting. */
void cf_surrogate_hypers(const cf_surrogate *s, cf_surrogate_model m, double *signal_var, double *noise_var,
                         double *log_ml);

/* The scaling term of the GPU-hours model: when every run gives num_gpus (and it varies), the prior mean gains
 * beta (log n - lx_ref) with beta from cf_prior_scaling_exponent over the training runs (cells: workload fields x
 * hardware x precision), and the predictive variance gains (log n - lx_ref)^2 (var(beta) + tau^2), lx_ref the mean
 * log n of the runs (R&W 2006 sec. 2.7: explicit basis functions, here estimated first and plugged in; tau^2 the
 * between-cell variance of the exponent, a random slope). Returns 1 and fills the outputs (any may be NULL: beta, the
 * sd of its estimate, tau, lx_ref) when the term is used, 0 otherwise (all 0). */
int cf_surrogate_scaling(const cf_surrogate *s, double *beta, double *beta_sd, double *tau, double *lx_ref);

/* Fields of the configuration space, in a fixed order: hardware, precision, pruning, workload fields, then
 * hyperparameters in column order. */
size_t cf_surrogate_field_count(const cf_surrogate *s);
const char *cf_surrogate_field_name(const cf_surrogate *s, size_t j);
cf_field_role cf_surrogate_field_role(const cf_surrogate *s, size_t j);

/* 1 when field j is categorical (hardware, precision when categorical, workload fields and categorical
 * hyperparameters). */
int cf_surrogate_field_categorical(const cf_surrogate *s, size_t j);

/* 1 when field j is encoded on a log scale. */
int cf_surrogate_field_log(const cf_surrogate *s, size_t j);

/* Observed range of a numeric field (raw units) into lo and hi (NaN for categorical fields). */
void cf_surrogate_field_range(const cf_surrogate *s, size_t j, double *lo, double *hi);

/* Number of categories of a categorical field (hardware: hardware seen + 1 for "never run"), 0 otherwise, and the
 * name of category k ("" for a missing value; "(never run)" for the last hardware category). */
size_t cf_surrogate_field_levels(const cf_surrogate *s, size_t j);
const char *cf_surrogate_field_level(const cf_surrogate *s, size_t j, size_t k);

/* GP column of field j in model m, or (size_t)-1 when the field is not an input of that model (hardware in the
 * metric model, constant columns). */
size_t cf_surrogate_field_column(const cf_surrogate *s, size_t j, cf_surrogate_model m);

/* Lengthscale of field j in model m (in scaled units), NaN when the field is not an input of the model. */
double cf_surrogate_field_lengthscale(const cf_surrogate *s, size_t j, cf_surrogate_model m);

/* Renders the fit as JSON into *out: {"target", "models": {"metric"|"hours": {"n", "output", "seconds",
 * "signal_var", "noise_var", "log_marginal_likelihood", "loo": {"rmse", "nlpd", "coverage95"}, "inputs":
 * [{"field", "encoding", "lengthscale", ...}]}}, "fields": [...], "prior": {...}} with keys in a fixed order. */
cf_status cf_surrogate_fit_json(const cf_surrogate *s, char **out, cf_error *err);

/* ---- Configurations ---- */

/* A configuration to predict, validated against the training space. */
typedef struct cf_config cf_config;

/* Parses one JSON object such as {"hardware": "l4", "precision": "int8", "pruning": 0.5, "lr": 3e-4} and checks
 * it against the training space: hardware must be in the catalog, the precision known and supported by that
 * hardware (finite throughput), pruning in [0, 1), every other key a field of the runs, a categorical value one
 * seen in the runs, a log-scaled value positive. Fields left out get defaults taken from the runs that share the
 * given workload fields (or from all runs when none does): the median of a numeric field (rounded for integer
 * columns), the most frequent value of a categorical one; hardware and precision default likewise. Errors are
 * CF_ERR_PARSE (not a JSON object) or CF_ERR_INVALID with err->source = source, err->line = line and err->field
 * naming the key. Values outside the observed range are accepted; cf_config_note says so. A row of the runs can
 * be given as it is: its pricing fields (provider, region, procurement) say where the prediction is priced (the
 * region's offers, PUE and grid), and its results (run_id, accuracy, the target, gpu_hours, wall_hours) and run
 * fields the model does not take as inputs are ignored with a note. */
cf_status cf_surrogate_parse_config(const cf_surrogate *s, const char *json, const char *source, long line,
                                    cf_config **out, cf_error *err);

/* Frees a configuration. Accepts NULL. */
void cf_config_destroy(cf_config *c);

/* The procurement option the configuration named (a cf_procurement value), or -1 when it named none. */
int cf_config_procurement(const cf_config *c);

/* The configuration's hardware id (catalog id), precision and pruning. */
const char *cf_config_hardware(const cf_config *c);
cf_precision cf_config_precision(const cf_config *c);
double cf_config_pruning(const cf_config *c);

/* 1 when field j was not given and took its default. */
int cf_config_defaulted(const cf_config *c, size_t j);

/* Notes about the configuration (values outside the observed range), "" when none. */
const char *cf_config_note(const cf_config *c);

/* Renders the complete configuration (given and defaulted fields, in field order) as a JSON object into *out. */
cf_status cf_config_json(const cf_surrogate *s, const cf_config *c, char **out, cf_error *err);

/* A predicted quantity: mean, standard deviation and central 95% interval [lo, hi]. */
typedef struct cf_estimate {
    double mean, sd, lo, hi;
} cf_estimate;

/* Prediction for one configuration. */
typedef struct cf_prediction {
    cf_estimate metric;         /* the target (Gaussian) */
    cf_estimate log_gpu_hours;  /* mu and s of ln G; lo/hi = mu -/+ 1.96 s */
    cf_estimate gpu_hours;      /* log-normal: exp(mu + s^2/2), its sd, exp(mu -/+ 1.96 s) */
    double prior_log_gpu_hours; /* the catalog prior m(x) (relative to A100-80GB bf16, unpruned) */
    int hardware_unseen;        /* 1: the hardware was never run; GPU-hours lean on the catalog prior */
    int precision_unseen;       /* 1: this precision was never run on this hardware */
    char note[256];             /* "" or a sentence saying which prior was leaned on */
} cf_prediction;

/* Predicts configuration c with the fitted surrogate. CF_ERR_ARG before cf_surrogate_fit. */
cf_status cf_surrogate_predict(const cf_surrogate *s, const cf_config *c, cf_prediction *out, cf_error *err);

/* Costs of a prediction under one way of buying compute. */
typedef struct cf_predicted_cost {
    cf_price price;            /* priced at the predicted mean GPU-hours (offer, region, overhead, ...) */
    double total_per_gpu_hour; /* total_cost_usd of one GPU-hour: the factor every total cost is G times */
    cf_estimate cost_usd, co2e_kg, energy_kwh, total_cost_usd;
} cf_predicted_cost;

/* Prices prediction p of configuration c under option with the catalog and opts (may be NULL for defaults):
 * every cost is exact per GPU-hour and scales the log-normal GPU-hours (mean, sd and bounds, see the file
 * comment). Returns CF_ERR_NOT_FOUND when no offer prices the hardware under option. */
cf_status cf_surrogate_price(const cf_surrogate *s, const cf_config *c, const cf_prediction *p, cf_procurement option,
                             const cf_pricing_opts *opts, cf_predicted_cost *out, cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
