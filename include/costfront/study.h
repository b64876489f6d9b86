/* costfront: multi-objective Bayesian optimisation studies with ask/tell, stored in SQLite (optimizer/study.c,
 * data/study_store.c).
 *
 * A study is a file (SQLite, WAL journal, one transaction per write) holding a search space with objectives and
 * outcome constraints (space.h) and its trials. ask() proposes q new trials and records them as "pending"; tell()
 * records the outcome ("complete" with values, or "failed" / "pruned"). Several processes may share one study
 * file (a sweep): each ask sees every trial asked before, and pending trials are accounted for.
 *
 * How ask chooses (all deterministic given the stored trials and the seed):
 *   1. Initial design: while fewer than n_init = max(2 (d + 1), 5) trials exist (d = number of parameters), or
 *      fewer than 2 trials are complete, points of a Sobol sequence (gsl_qrng_sobol; Bratley & Fox 1988) with a
 *      random digital shift (XOR of the 32-bit digits with a random vector drawn from a GSL RNG seeded by the seed
 *      of the study's first ask, kept in the file), the k-th trial of the study taking the k-th point.
 *   2. Model: one GP per objective and per constraint metric (models/gp.h: Matern-5/2 ARD on floats and ints,
 *      exchangeable kernel on categoricals, hyperparameters fitted with priors), trained on the complete trials.
 *   3. Acquisition, for 2 or 3 objectives: exact EHVI (ehvi.h; Emmerich et al. 2016, Yang et al. 2019) of the
 *      predictive distribution over the front of the GP posterior means at the feasible observed points; when the
 *      posterior is uncertain there (sd above 1% of the distance to the reference point, i.e. noisy studies),
 *      EHVI is averaged over the fronts of 16 seeded joint posterior samples at the observed and pending points,
 *      as qNEHVI integrates over noisy incumbents (Daulton, Balandat & Bakshy 2021); multiplied by the
 *      probability of feasibility of each outcome constraint (Gardner et al. 2014). Beyond 200 complete trials
 *      the GP hyperparameters are fitted on 200 evenly spaced trials and the posterior uses all of them.
 *      Beyond 3 objectives: ParEGO (Knowles 2006): a random Chebyshev scalarisation of the normalised objectives
 *      (weights uniform on the simplex, rho = 0.05), one GP on it, expected improvement times feasibility.
 *   4. Pending trials and the earlier points of the same batch (q > 1, sequential greedy) are fantasised by the
 *      "kriging believer" (Ginsbourger, Le Riche & Carraro 2010): every GP is conditioned on its own posterior
 *      mean there (cf_gp_condition, no refit) and the fantasised outcome joins the front.
 *   5. Maximisation: Sobol raw candidates plus Gaussian perturbations of the front's points, the best few polished
 *      with NLopt's BOBYQA (Powell 2009) over the continuous columns; categorical columns are enumerated at the
 *      polished point when there are at most 32 combinations, otherwise improved one column at a time.
 * The reference point is the space's "ref" when given for every objective; otherwise (per missing objective)
 * the worst value on the observed feasible front pushed out by 10% of the front's range (BoTorch's
 * infer_reference_point), reported by cf_study_front.
 *
 * Ownership: a cf_study owns its space, its database connection and its last error message; destroy it with
 * cf_study_destroy. cJSON trees returned through out-parameters belong to the caller (cJSON_Delete). Strings
 * returned by the *_json functions are malloc'd and freed by the caller with cf_free (or free). Arguments are
 * never kept.
 */
#ifndef COSTFRONT_STUDY_H
#define COSTFRONT_STUDY_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "costfront/catalog.h"
#include "costfront/space.h"
#include "costfront/status.h"
#include "costfront/trial.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The state of a trial: cf_trial_state in trial.h (pending, complete, failed, pruned). */

/* How ask chooses points after the initial design. */
typedef enum cf_acquisition {
    CF_ACQ_AUTO = 0,   /* EHVI for 2-3 objectives (qNEHVI for noisy batches), ParEGO otherwise (EI for 1) */
    CF_ACQ_EHVI = 1,   /* exact EHVI with kriging-believer batches (any number of objectives; slow beyond 4) */
    CF_ACQ_PAREGO = 2, /* ParEGO random Chebyshev scalarisation with EI */
    CF_ACQ_SOBOL = 3,  /* the scrambled Sobol sequence only (a baseline) */
    CF_ACQ_RANDOM = 4, /* uniform random points from the seeded RNG (a baseline) */
    CF_ACQ_QNEHVI = 5  /* joint q-batch noisy EHVI (Daulton et al. 2021) even for noiseless studies or q = 1 */
} cf_acquisition;

/* An open study. */
typedef struct cf_study cf_study;

/* Creates a study file at path with the space JSON (space.h) and opens it. path may name a new file, an empty file
 * or an SQLite database without tables. Refuses (CF_ERR_INVALID) a file that already holds a study and any other
 * file -- not an SQLite database, another program's database (Optuna, MLflow, a costfront run store, any database
 * with tables that are not a study's) -- before writing anything to it, so a refused file is left byte for byte as
 * it was; space errors name the JSON path. */
cf_status cf_study_create(const char *path, const char *space_json, cf_study **out, cf_error *err);

/* Creates a study like cf_study_create that prices with the team's own price catalog: catalog_json is the text
 * of a catalog file (catalog.h) merged over the default catalog, or, with catalog_only, in its place. The text, its
 * SHA-256 and catalog_source (its file name, for messages) are kept in the study file in the creating transaction,
 * so every later ask, tell, add and hvi of the study, in any process, prices with that catalog and no file need
 * stay beside the study. The catalog is loaded first: its errors name catalog_source and the JSON path. A NULL
 * catalog_json is cf_study_create. */
cf_status cf_study_create_priced(const char *path, const char *space_json, const char *catalog_json,
                                 const char *catalog_source, int catalog_only, cf_study **out, cf_error *err);

/* The SHA-256 (64 lowercase hex digits) of the catalog kept in the study, its source file name, and its text
 * (*catalog_only, which may be NULL, receives whether it replaces the default); NULL for a study that prices with
 * the default catalog. Owned by the study. */
const char *cf_study_catalog_sha256(const cf_study *s);
const char *cf_study_catalog_source(const cf_study *s);
const char *cf_study_catalog_text(const cf_study *s, int *catalog_only);

/* Loads the study's catalog into cat (an empty catalog from cf_catalog_create): the default one and the kept text
 * as the study prices with them, so a caller pricing a run for the study (score --hvi) uses the same prices. */
cf_status cf_study_load_catalog(const cf_study *s, cf_catalog *cat, cf_error *err);

/* Checks that catalog_json (from source, for the message) is the catalog kept in the study: CF_OK when its
 * SHA-256 is the kept one; CF_ERR_INVALID, with a message naming both files and hashes, when it differs or when
 * the study prices with the default catalog. */
cf_status cf_study_check_catalog(const cf_study *s, const char *catalog_json, const char *source, cf_error *err);

/* Opens an existing study file: CF_ERR_IO when it cannot be opened, CF_ERR_DB when it is empty, CF_ERR_INVALID
 * when it is not a study (checked by reading it only, as cf_study_create does; a refused file is not written). */
cf_status cf_study_open(const char *path, cf_study **out, cf_error *err);

/* Closes the study; accepts NULL. */
void cf_study_destroy(cf_study *s);

/* The study's space (owned by the study). */
const cf_space *cf_study_space(const cf_study *s);

/* Chooses the acquisition (default CF_ACQ_AUTO). Not stored in the file. */
void cf_study_set_acquisition(cf_study *s, cf_acquisition acq);

/* Sets the size of the initial Sobol design (0 restores the default max(2 (d + 1), 5)). Not stored. */
void cf_study_set_n_init(cf_study *s, size_t n_init);

/* Sets the effort of the acquisition maximisation: raw_samples candidates scored (default 512), restarts
 * polished with BOBYQA (default 5), maxeval evaluations per polish (default 200), and the hyperparameter restarts
 * of every GP fit (default 2). 0 keeps the current value. Not stored. */
void cf_study_set_effort(cf_study *s, size_t raw_samples, size_t restarts, size_t maxeval, size_t gp_restarts);

/* Proposes q >= 1 new trials, records them as pending, and stores in *trials a new JSON array
 * [{"id": 7, "params": {"x0": 0.25, ...}}, ...] (caller frees with cJSON_Delete). The same stored trials and the
 * same seed give byte-identical output. */
cf_status cf_study_ask(cf_study *s, size_t q, unsigned long seed, cJSON **trials, cf_error *err);

/* Records the outcome of trial id. For CF_TRIAL_COMPLETE, values must hold every objective and constraint metric
 * ({"f1": 3.2, "f2": 1.0, "accuracy": 0.93} or an array in declaration order); for failed or pruned trials values
 * may be NULL (stored as given otherwise). A trial that is not pending is refused (CF_ERR_INVALID), an unknown id
 * is CF_ERR_NOT_FOUND. */
cf_status cf_study_tell(cf_study *s, long id, const cJSON *values, cf_trial_state state, cf_error *err);

/* Adds an already evaluated trial (params as in ask's output, values as in tell) as complete, for experiments
 * run outside the study. *id (may be NULL) receives its id. */
cf_status cf_study_add(cf_study *s, const cJSON *params, const cJSON *values, long *id, cf_error *err);

/* Records a trial with the given params (as in ask's output, checked against the space) as pending without
 * choosing it: a point another program is evaluating (a worker of an Optuna study), so that ask accounts for it as
 * for its own pending trials. Tell it later like any pending trial. *id (may be NULL) receives its id. */
cf_status cf_study_add_pending(cf_study *s, const cJSON *params, long *id, cf_error *err);

/* Every trial, in id order: a new array [{"id", "state", "params", "values" (null when absent), "created",
 * "updated"}] (times in seconds since the epoch). */
cf_status cf_study_trials(cf_study *s, cJSON **out, cf_error *err);

/* The observed Pareto front of the complete, feasible trials and its hypervolume: a new object
 * {"n_trials", "n_complete", "n_feasible", "ref": [...] (objectives' own units and directions),
 *  "ref_inferred": [bool per objective], "hypervolume", "front": [{"id", "params", "values"}, ...]}.
 * With no feasible trial the front is empty, ref is null and hypervolume is 0. */
cf_status cf_study_front(cf_study *s, cJSON **out, cf_error *err);

/* Hypervolume improvement of one outcome over the study's observed front: values as in tell (every objective and
 * constraint metric), the front and reference point as cf_study_front reports them (a given "ref", or one
 * inferred from the front). An outcome that violates a constraint improves nothing (*hvi = 0, *feasible = 0;
 * feasible may be NULL). CF_ERR_EMPTY when no reference point can be had (no feasible trial and no "ref"). */
cf_status cf_study_hvi(cf_study *s, const cJSON *values, double *hvi, int *feasible, cf_error *err);

/* Returns 1 when the study is cost-aware: an objective or constraint is named cost_usd, total_cost_usd, co2e_kg,
 * energy_kwh or carbon_cost_usd and the space has a categorical "hardware" parameter (see docs/mobo.md). Then
 * tell and add need "gpu_hours" (> 0) among the values and compute those metrics exactly with cf_price_hours
 * (pricing.h) from the study's catalog (the default one, or the one given to cf_study_create_priced), the
 * trial's hardware and its "procurement" parameter (on_demand when the space has none), replacing any given value; ask models log gpu_hours with one GP and derives each cost's
 * predictive distribution from it: log cost = log price + log gpu_hours. */
int cf_study_cost_aware(const cf_study *s);

/* Parses a state name ("pending", "complete", "failed", "pruned"); returns CF_ERR_INVALID for others. */
cf_status cf_trial_state_from_name(const char *name, cf_trial_state *state);

/* Returns the static name of a state. */
const char *cf_trial_state_name(cf_trial_state state);

/* ---- A flat C API for ctypes and other foreign-function interfaces: JSON strings in and out. ---- */

/* Creates a study (like cf_study_create); returns NULL on failure with the message in errbuf (may be NULL). */
cf_study *cf_study_create_c(const char *path, const char *space_json, char *errbuf, size_t errlen);

/* Opens a study (like cf_study_open); returns NULL on failure with the message in errbuf (may be NULL). */
cf_study *cf_study_open_c(const char *path, char *errbuf, size_t errlen);

/* Like cf_study_ask; returns malloc'd JSON {"trials": [{"id": 7, "params": {...}}]} freed with cf_free, or NULL
 * on failure (message in cf_study_last_error). */
char *cf_study_ask_json(cf_study *s, int q, unsigned long seed);

/* Like cf_study_tell with values as JSON text (may be NULL) and the state's name (NULL means "complete").
 * Returns a cf_status (0 on success; message in cf_study_last_error). */
int cf_study_tell_json(cf_study *s, long id, const char *values_json, const char *state);

/* Like cf_study_trials / cf_study_front; malloc'd JSON freed with cf_free, or NULL on failure. */
char *cf_study_trials_json(cf_study *s);
char *cf_study_front_json(cf_study *s);

/* The message of the last failure of a call on s ("" when the last call succeeded); owned by s. */
const char *cf_study_last_error(const cf_study *s);

/* Frees a string returned by the *_json functions; accepts NULL. */
void cf_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
