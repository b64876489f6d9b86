/* costfront (private): what the files of a study share -- optimizer/study.c (create, open, tell, front, the C
 * API), optimizer/study_cost.c (cost-aware mode: prices from the study's catalog) and optimizer/study_ask.c (the
 * initial design, the model, the acquisition, the hyperparameter cache and the concurrent-safe ask). See study.h
 * for the method and its citations.
 *
 * Ownership: a cf_study owns everything it points to (cf_study_destroy); a trials set owns its rows and arrays
 * (cf_study_trials_free); cost_model owns its catalog and tables (cf_study_cost_free).
 */
#ifndef COSTFRONT_STUDY_INTERNAL_H
#define COSTFRONT_STUDY_INTERNAL_H

#include <stddef.h>

#include "costfront/catalog.h"
#include "costfront/pricing.h"
#include "costfront/study.h"
#include "data/study_store.h"

/* Cost-aware mode (optimizer/study_cost.c).
 * The metrics that are linear in GPU-hours for a fixed (hardware, procurement) pair: cf_price_hours multiplies the
 * billed hours by a price, a board power, a PUE, a grid intensity and a carbon price, so each equals a factor
 * (its value for one GPU-hour) times gpu_hours. Observations then only need gpu_hours; the model is a GP on
 * log gpu_hours and log metric = log factor + log gpu_hours exactly. */
#define CF_NDERIVED 5

typedef struct {
    int active;              /* 1 when the study is cost-aware */
    size_t hw_col, proc_col; /* parameter columns; proc_col == (size_t)-1 when the space has no procurement */
    size_t nhw, nproc;       /* number of choices (nproc = 1 without a procurement parameter) */
    char **hw;               /* nhw catalog hardware ids */
    cf_procurement *proc;    /* nproc procurement options (on_demand without a procurement parameter) */
    int *der;                /* M + C entries: -1 for a metric told by the user, else its derived_names index */
    double *factor;          /* CF_NDERIVED x nhw x nproc values per GPU-hour; NaN where no offer prices it */
    cf_catalog *catalog;     /* the study's price catalog (default, or kept in the study) */
} cost_model;

/* One fitted set of GP hyperparameters, cached in the file's study_meta under "gp_theta:<role>:<n>" (role names
 * the GP, n the number of observations it was fitted on) so that workers asking at about the same number of
 * complete trials do not each refit (see hyper_find). */
typedef struct {
    char role[32]; /* "obj<j>", "con<c>", "lgh", or "parego<b>" (kept in memory only) */
    size_t n;      /* observations of the fit */
    size_t nt;     /* entries of theta (d + 2) */
    double *theta; /* log-hyperparameters, standardised units (gp.h) */
    int fresh;     /* 1: fitted by this ask, not yet in the file */
} hyper_entry;

/* The price catalog a study was created with (cf_study_create_priced), kept in its file's study_meta. */
typedef struct {
    char *text;      /* the catalog file's text, NULL: the default catalog */
    char *source;    /* the file it came from, for messages */
    char sha256[65]; /* SHA-256 of text, "" for the default catalog */
    int only;        /* 1: replaces the default catalog instead of being merged over it */
} study_catalog;

struct cf_study {
    study_catalog cat;     /* the study's price catalog */
    cost_model cost;       /* cost-aware mode (inactive unless the space asks for it) */
    cf_study_store *store; /* the file */
    cf_space *space;       /* parsed space */
    cf_acquisition acq;    /* acquisition choice */
    size_t n_init;         /* initial design size, 0 = default */
    size_t raw_samples;    /* raw candidates per acquisition maximisation */
    size_t restarts;       /* polished starts */
    size_t maxeval;        /* evaluations per polish */
    size_t gp_restarts;    /* hyperparameter restarts per GP fit */
    int quick;             /* 1 while an ask re-decides inside the write lock (see cf_study_ask) */
    int others_refit;      /* 1: another worker claimed the refit of stale hyperparameters (hyper_claim) */
    int claimed;           /* 1: this handle claimed it, and deletes the claim with its new fits */
    char token[48];        /* this handle's claim token (process id and address) */
    hyper_entry *hc;       /* hyperparameter cache: the file's entries, plus this ask's fits */
    size_t nhc, caphc;
    char last_error[600]; /* message of the last failed call */
};

/* The stored trials decoded for the model. */
typedef struct {
    size_t n; /* number of rows */
    cf_study_row *rows;
    double *x;         /* n x np encoded params */
    double *y;         /* n x M minimised objectives (complete rows only) */
    double *c;         /* n x C raw constraint metrics (complete rows only) */
    unsigned char *ok; /* 1 when the row is complete with valid values */
    double *lgh;       /* n: log gpu_hours of complete rows (cost-aware studies), NaN when absent */
} trials;

/* ---- optimizer/study.c ---- */

/* Loads the study's catalog into cat: the default catalog, merged with (or, with only, replaced by) the study's
 * own catalog text when it has one. */
cf_status cf_study_catalog_load(const study_catalog *sc, cf_catalog *cat, cf_error *err);

/* Loads and decodes every trial of the file into t (free with cf_study_trials_free). A stored row whose params or
 * values no longer parse is a CF_ERR_DB naming the trial. */
cf_status cf_study_trials_load(cf_study *s, trials *t, cf_error *err);

/* Frees what cf_study_trials_load filled and zeroes t. */
void cf_study_trials_free(trials *t);

/* Marks in nd the nondominated rows of y (n x m, minimised) among those with use[i] set. */
void cf_study_nondominated(const double *y, size_t n, size_t m, const unsigned char *use, unsigned char *nd);

/* Fills the missing (NaN) entries of ref from the front nd of y, setting inferred[j]; returns 0 when an entry is
 * missing and there is no front to infer it from. */
int cf_study_fill_ref(double *ref, unsigned char *inferred, const double *y, size_t n, size_t m,
                      const unsigned char *nd);

/* ---- optimizer/study_cost.c ---- */

/* Sets up the cost-aware mode of a study with space sp and catalog cat into c (inactive when the space does not
 * ask for it); errors name the JSON path of the offending hardware or procurement choice. */
cf_status cf_study_cost_setup(const cf_space *sp, const study_catalog *cat, cost_model *c, cf_error *err);

/* Frees the cost model's catalog and tables and zeroes it. */
void cf_study_cost_free(cost_model *c);

/* Value of derived metric d for one GPU-hour at the encoded point x (NaN when no offer prices it). */
double cf_study_cost_factor(const cost_model *c, int d, const double *x);

/* Moves an encoded point whose (hardware, procurement) pair has no price to a priced procurement choice. */
void cf_study_cost_fix_point(const cost_model *c, double *x);

/* A copy of values (caller frees) in which every derived metric is computed from values.gpu_hours. */
cf_status cf_study_cost_fill_values(const cf_study *s, const cJSON *params, const cJSON *values, cJSON **out,
                                    cf_error *err);

#endif
