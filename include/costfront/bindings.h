/* costfront: JSON-in / JSON-out entry points for foreign-function interfaces such as Python's ctypes (the
 * python/costfront package) (reports/bindings.c).
 *
 * Each call takes one request as JSON text, does what the matching command does (reading, validating, pricing,
 * computing) without printing anything, and returns the result as text. On failure *out is NULL and err holds the
 * same record a command prints (status, message, source file, line, column, field), so a binding can raise it as
 * an exception with those fields. Every number is printed as the commands print it, so a binding's results equal
 * the command's JSON value for value.
 *
 * The inputs of a request that reads runs (read_runs, frontier), every member optional except "paths" or "store":
 *   {"paths": ["examples/runs.csv", ...]   CSV, JSON(L), XML, MLflow, Optuna, W&B sources, as the commands read them
 *    "store": "runs.db",                   a costfront run store (costfront import)
 *    "map_file": "map.json", "map": "val_acc=accuracy,gpu=hardware", "accuracy_unit": "fraction|percent|detect",
 *    "keep_going": false,                  true: use the good records of a source with bad ones
 *    "catalog": "prices.json", "catalog_only": false, "carbon_price": 100, "provider": "aws", "region": "us-east-1",
 *    "checkpoint_minutes": 2, "restart_minutes": 10}
 * A request member of the wrong type is CF_ERR_INVALID naming it in err->field ("objectives", "paths[1]").
 *
 * Ownership: the request text is only read. Text returned through out is malloc'd: free it with cf_free (study.h)
 * or free(). A cf_study passed in stays the caller's.
 */
#ifndef COSTFRONT_BINDINGS_H
#define COSTFRONT_BINDINGS_H

#include "costfront/status.h"
#include "costfront/study.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads the runs of the request's inputs and returns
 * {"counts": {"read", "accepted", "rejected"},
 *  "params": [{"name", "kind": "numeric" | "integer" | "categorical"}],
 *  "runs": [{"run_id", "accuracy", "gpu_hours", "wall_hours", "num_gpus", "precision", "pruning", "hardware",
 *            "region", "provider", "procurement", "model", "dataset", "project", "source", "line",
 *            "params": {name: number | string}}],         absent values are null
 *  "rejects": [{"source", "line", "column", "field", "message", "raw"}], "notes": [...]}.
 * Rejected records are listed, not failures: the caller decides (the commands refuse them unless --keep-going). */
cf_status cf_bind_read_runs(const char *request, char **out, cf_error *err);

/* Computes the frontier of the request's inputs as `costfront frontier` does and returns its output: the request
 * adds "objectives" ("accuracy:max,total_cost_usd:min" or a list of such names), "procurement" ("all", a
 * comma-separated text or a list of names), "reference" (numbers, one per objective), "where" ({"field": "v1|v2"}),
 * "target_accuracy" (a fraction) and "format" ("json", the default, "csv" with every candidate, or "table"). Rejected
 * records refuse the input unless "keep_going" (CF_ERR_INVALID with the first reject's source, line, column, field
 * and message), as the command does; no accepted run is CF_ERR_EMPTY. */
cf_status cf_bind_frontier(const char *request, char **out, cf_error *err);

/* Predicts configurations never run as `costfront predict --format json` does (same shape and values): the
 * request adds "configs" (a list of configuration objects, validated before anything is predicted; errors name
 * "configs[i]" as the source), "procurement" (as in cf_bind_frontier), and the surrogate options "target", "log",
 * "linear" (comma-separated column names), "precision_categorical", "seed" and "restarts". */
cf_status cf_bind_predict(const char *request, char **out, cf_error *err);

/* Evaluates a TCO plan: {"plan": "plan.json", "catalog", "catalog_only", "carbon_price", "set": {"path": number}}
 * gives {"plan": {"hardware", "horizon_months"}, "options": [...], "cheapest": {...}, "server_month": {...},
 * "breakeven": [...]}, with the field names and values (10 significant digits) of `costfront tco --format json`.
 * Plan errors name the plan file and the JSON path. */
cf_status cf_bind_tco(const char *request, char **out, cf_error *err);

/* ---- Studies (study.h) with the error record: the flat study API reports only a message. ---- */

/* Creates a study file at path with the space JSON, priced with the default catalog, or with catalog_json (may be
 * NULL) merged over it (replacing it with catalog_only) as cf_study_create_priced. */
cf_status cf_bind_study_create(const char *path, const char *space_json, const char *catalog_json,
                               const char *catalog_source, int catalog_only, cf_study **out, cf_error *err);

/* Asks q trials with seed; *out receives the JSON array of cf_study_ask. */
cf_status cf_bind_study_ask(cf_study *s, size_t q, unsigned long seed, char **out, cf_error *err);

/* Tells trial id: values_json (may be NULL for failed and pruned trials) and the state's name (NULL: complete). */
cf_status cf_bind_study_tell(cf_study *s, long id, const char *values_json, const char *state, cf_error *err);

/* Adds an evaluated trial (cf_study_add) or, with values_json NULL, a pending one (cf_study_add_pending). */
cf_status cf_bind_study_add(cf_study *s, const char *params_json, const char *values_json, long *id, cf_error *err);

/* The study's trials (cf_study_trials) or front (cf_study_front) as JSON text in *out. */
cf_status cf_bind_study_trials(cf_study *s, char **out, cf_error *err);
cf_status cf_bind_study_front(cf_study *s, char **out, cf_error *err);

/* Records intermediate values of running trial id at step (cf_study_report, prune.h): values_json is an array
 * in the order of the step objectives or an object {name: value} naming each of them; gpu_hours NaN when not
 * given. */
cf_status cf_bind_study_report(cf_study *s, long id, long step, const char *values_json, double gpu_hours,
                               cf_error *err);

/* The pruning answer for running trial id (cf_study_should_prune) as JSON text in *out; options_json (may be
 * NULL) is {"min_steps", "min_completed", "budget_step"}, every member optional. */
cf_status cf_bind_study_should_prune(cf_study *s, long id, const char *options_json, char **out, cf_error *err);

/* The recorded learning curves (cf_study_steps) of trial id, or of every trial when id is 0, as JSON text. */
cf_status cf_bind_study_steps(cf_study *s, long id, char **out, cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
