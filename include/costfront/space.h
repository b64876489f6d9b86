/* costfront: the search space, objectives and outcome constraints of a study (optimizer/space.c).
 *
 * The JSON shape accepted by cf_space_parse:
 *   {"params": [{"name": "x0", "type": "float", "low": 0, "high": 1},
 *               {"name": "lr", "type": "float", "low": 1e-5, "high": 1e-1, "log": true},
 *               {"name": "layers", "type": "int", "low": 2, "high": 12},
 *               {"name": "precision", "type": "categorical", "choices": ["fp32", "bf16", "int8"]}],
 *    "objectives": [{"name": "f1", "direction": "minimize", "ref": 18}, {"name": "f2", "direction": "maximize"}],
 *    "constraints": [{"name": "accuracy", "op": ">=", "value": 0.9}]}
 * "type" is "float", "int" (or "integer") or "categorical"; "log" (default false) needs low > 0; an int needs
 * low <= high, a float low < high; choices are distinct strings or numbers. "direction" defaults to "minimize";
 * "ref" (the hypervolume reference point, in the objective's own units and direction) is optional. "constraints"
 * is optional; "op" is ">=" or "<=" and the constraint's metric is reported by tell like an objective. Names are
 * unique across params, and across objectives and constraints. Errors are CF_ERR_PARSE (not JSON) or
 * CF_ERR_INVALID with the JSON path in cf_error.field, e.g. "params[2].low".
 *
 * Encoding for the GP (models/gp.h): one column per parameter in declaration order. A float or int becomes a
 * number in [0, 1] (linear, or in log space when "log" is true); ints are rounded when decoded. A categorical
 * becomes the index of its choice (0, 1, ...) stored as a double, matching cf_gp_create's kinds (see
 * cf_space_gp_kinds). Objectives are turned into a MINIMISED vector (maximised objectives negated).
 *
 * Ownership: a cf_space is created by cf_space_parse / cf_space_from_cjson and freed by cf_space_destroy; it
 * copies what it keeps. Strings returned by the getters belong to the space and live as long as it does.
 * cJSON objects returned through out-parameters and strings returned by cf_space_to_json belong to the caller
 * (cJSON_Delete / free).
 */
#ifndef COSTFRONT_SPACE_H
#define COSTFRONT_SPACE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kind of a parameter. */
typedef enum cf_param_type { CF_SPACE_FLOAT = 0, CF_SPACE_INT = 1, CF_SPACE_CATEGORICAL = 2 } cf_param_type;

/* The comparison of an outcome constraint: the metric must be >= value or <= value. */
typedef enum cf_constraint_op { CF_CONSTRAINT_GE = 0, CF_CONSTRAINT_LE = 1 } cf_constraint_op;

/* An opaque, immutable search space with objectives and constraints. */
typedef struct cf_space cf_space;

/* Parses and validates the JSON text (shape in the file comment). On success *out receives a new space. */
cf_status cf_space_parse(const char *json, cf_space **out, cf_error *err);

/* Same as cf_space_parse from an already parsed cJSON object (not modified, not kept). */
cf_status cf_space_from_cjson(const cJSON *root, cf_space **out, cf_error *err);

/* Frees the space; accepts NULL. */
void cf_space_destroy(cf_space *s);

/* Canonical JSON of the space (every field explicit, "ref" only when given); the caller frees it with free().
 * Returns NULL when memory runs out. Parsing the result gives an equal space. */
char *cf_space_to_json(const cf_space *s);

/* Number of parameters (= number of GP columns). */
size_t cf_space_n_params(const cf_space *s);

/* Name, type, bounds and log flag of parameter i (bounds are meaningless for categoricals). */
const char *cf_space_param_name(const cf_space *s, size_t i);
cf_param_type cf_space_param_type(const cf_space *s, size_t i);
double cf_space_param_low(const cf_space *s, size_t i);
double cf_space_param_high(const cf_space *s, size_t i);
int cf_space_param_log(const cf_space *s, size_t i);

/* Number of choices of parameter i (0 unless categorical). */
size_t cf_space_param_n_choices(const cf_space *s, size_t i);

/* Writes the GP column kinds (n_params entries): 0 for float and int, the number of choices for categoricals. */
void cf_space_gp_kinds(const cf_space *s, int *kinds);

/* Number of categorical combinations (product of choice counts, 1 without categoricals), saturating at
 * SIZE_MAX. */
size_t cf_space_n_combinations(const cf_space *s);

/* Number of objectives, and objective i's name and direction (1 when maximised). */
size_t cf_space_n_objectives(const cf_space *s);
const char *cf_space_objective_name(const cf_space *s, size_t i);
int cf_space_objective_maximize(const cf_space *s, size_t i);

/* Writes the reference point in MINIMISED form (negated for maximised objectives) into ref[n_objectives] and
 * returns 1 when every objective has a "ref", else 0 (ref then holds NaN where missing). ref may be NULL. */
int cf_space_ref_min(const cf_space *s, double *ref);

/* Number of outcome constraints, and constraint i's metric name, comparison and threshold. */
size_t cf_space_n_constraints(const cf_space *s);
const char *cf_space_constraint_name(const cf_space *s, size_t i);
cf_constraint_op cf_space_constraint_op(const cf_space *s, size_t i);
double cf_space_constraint_value(const cf_space *s, size_t i);

/* Encodes a parameter object such as {"x0": 0.3, "lr": 0.001, "layers": 4, "precision": "bf16"} into x
 * (n_params doubles, layout in the file comment). Every parameter must be present and inside its bounds (ints
 * must be integral, choices must exist); extra keys are refused. Errors name the path "params.<name>". */
cf_status cf_space_encode(const cf_space *s, const cJSON *params, double *x, cf_error *err);

/* Decodes x (n_params doubles; continuous entries are clamped to [0, 1], categorical indices rounded and clamped)
 * into a new parameter object stored in *out (caller frees with cJSON_Delete). Floats are mapped back (with exp
 * for log scales) and clamped to [low, high]; ints are rounded. */
cf_status cf_space_decode(const cf_space *s, const double *x, cJSON **out, cf_error *err);

/* Reads a values object {"f1": 3.2, "f2": 1.0, "accuracy": 0.93} (or an array: objectives then constraints in
 * declaration order) into y (n_objectives, MINIMISED: maximised objectives negated) and c (n_constraints raw
 * metric values; may be NULL when there are no constraints). Missing or non-finite entries are CF_ERR_INVALID
 * naming "values.<name>". */
cf_status cf_space_read_values(const cf_space *s, const cJSON *values, double *y, double *c, cf_error *err);

/* Returns 1 when the raw constraint metrics c[n_constraints] satisfy every constraint, else 0. */
int cf_space_feasible(const cf_space *s, const double *c);

#ifdef __cplusplus
}
#endif
#endif
