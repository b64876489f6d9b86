/* costfront: the surrogate's internals shared with the predicted-frontier search (models/surrogate.c,
 * optimizer/predicted.c). Private to the library: the search lives in optimizer/ because it computes Pareto fronts,
 * and needs the surrogate's encoding and batch prediction, which it reaches through this header.
 *
 * Ownership: everything here is owned by the cf_surrogate it belongs to; nothing is freed by the search.
 */
#ifndef CF_MODELS_SURROGATE_INTERNAL_H
#define CF_MODELS_SURROGATE_INTERNAL_H

#include <stddef.h>

#include "costfront/gp.h"
#include "costfront/pricing.h"
#include "costfront/surrogate.h"

#define Z95 1.959963984540054
#define SRC "surrogate"

typedef struct field {
    char *name;
    cf_field_role role;
    int categorical;
    size_t param; /* runset column (CF_FIELD_PARAM) */
    int workload; /* 0 model, 1 dataset, 2 project (CF_FIELD_WORKLOAD) */
    int integer;
    int logscale;
    double lo, hi;   /* observed range, raw units */
    double tlo, thi; /* observed range after the log transform when logscale */
    double median;   /* imputation of missing numeric values */
    char **levels;   /* categorical levels; hardware: seen ids plus "(never run)" */
    size_t n_levels;
    int constant; /* one value over the runs: not a GP input (except hardware, precision, pruning) */
    double *grid; /* integer columns with few values: the sorted values seen, searched instead of a range */
    size_t n_grid;
    size_t col[2]; /* GP column per model */
    int accel_count; /* the run field num_gpus (not a hyperparameter column): an input of the hours model only */
} field;

typedef struct model {
    size_t d;
    int *kinds;
    size_t *col_field; /* field of each column */
    cf_gp *gp;
    size_t n;
    size_t *rows; /* run index of each training row */
    double *X, *y, *pm;
    double *loo_mu, *loo_var;
    double rmse, nlpd, cov, seconds;
    int fitted;
} model;

struct cf_surrogate {
    const cf_runset *rs;
    const cf_catalog *cat;
    char *target;
    int prec_cat;
    unsigned long seed;
    size_t restarts;
    size_t target_param;
    field *f;
    size_t nf;
    size_t nr;
    double *raw;               /* nr x nf */
    const cf_hardware **hw_of; /* catalog hardware of each run (NULL when unknown) */
    const cf_hardware **hw_seen;
    size_t n_hw_seen;
    unsigned char *hw_prec_seen; /* n_hw_seen x CF_PREC_COUNT */
    model m[2];
    /* Scaling with the number of accelerators (cf_surrogate_scaling): G ~ n^beta within a (workload, hardware,
     * precision) cell; beta, its sampling variance, the mean log n of the training runs, and the num_gpus field. */
    double scale_beta, scale_beta_var, scale_tau2, scale_lx_ref;
    size_t scale_field;
};

struct cf_config {
    double *v;                /* nf raw values */
    unsigned char *defaulted; /* nf */
    const cf_hardware *hw;
    char *provider, *region;  /* where to price the prediction (the config's pricing fields), NULL: any offer */
    int procurement;          /* the config's procurement option, or -1 when it named none */
    char note[512];
};

/* The names of the workload fields (model, dataset, project), by field index. */
extern const char *const cf_surr_workload_names[3];

/* Wall-clock seconds (for timings in reports). */
double cf_surr_now(void);

/* v rounded to three significant digits (for settings shown to people). */
double cf_surr_round_sig3(double v);

/* A malloc'd copy of s (NULL stays NULL). */
char *cf_surr_strdup(const char *s);

/* The model (w = 0), dataset (1) or project (2) of run r, or NULL. */
const char *cf_surr_workload_value(const cf_run *r, int w);

/* Predicts m configurations given as raw rows (m x nf) with their hardware. */
cf_status cf_surr_predict_raw(const cf_surrogate *s, const double *raw, const cf_hardware *const *hw, size_t m,
                              cf_prediction *out, cf_error *err);

/* Scales a price of one GPU-hour to g GPU-hours, and an estimate by k. */
void cf_surr_scale_price(const cf_price *unit, double g, cf_price *out);
void cf_surr_scale_estimate(cf_estimate *e, double k, const cf_estimate *g);

/* Price of one GPU-hour of hw under a cloud option (cf_price_hours for 1 hour). */
cf_status cf_surr_unit_price(const cf_catalog *cat, const cf_hardware *hw, cf_procurement option,
                             const cf_pricing_opts *po, cf_price *out, cf_error *err);

#endif
