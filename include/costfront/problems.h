/* costfront: multi-objective test problems for the optimizer and its benchmarks (optimizer/problems.c).
 *
 * Every problem is MINIMISED in every objective, with inputs in the unit cube [0, 1]^d. Formulas follow BoTorch's
 * botorch/test_functions/multi_objective.py and the original papers:
 *   - BraninCurrin (d = 2, M = 2): Branin at (15 x0 - 5, 15 x1) and the Currin exponential function (Belakaria,
 *     Deshwal & Doppa 2019, "Max-value entropy search for multi-objective Bayesian optimization").
 *   - ZDT1, ZDT2, ZDT3 (d >= 2, M = 2): Zitzler, Deb & Thiele 2000, g = 1 + 9 mean(x1..x_{d-1}). ZDT3 is BoTorch's
 *     variant: f1 = 1 - sqrt(f0 / g) - (f0 / g) sin(10 pi f0), NOT multiplied by g (Zitzler and pymoo multiply
 *     the bracket by g); both variants have the same Pareto front (g = 1 there).
 *   - DTLZ2 (d > M - 1, any M >= 2): Deb, Thiele, Laumanns & Zitzler 2002, k = d - M + 1,
 *     g = sum over the last k inputs of (x - 0.5)^2, f_i = (1 + g) prod cos(x_j pi / 2) ... sin(x_{M-1-i} pi / 2).
 * Reference points and maximal hypervolumes are the ones BoTorch uses (cf_problem_ref, cf_problem_max_hv).
 *
 * Ownership: problems are static descriptions; callers own the x and f arrays.
 */
#ifndef COSTFRONT_PROBLEMS_H
#define COSTFRONT_PROBLEMS_H

#include <stddef.h>

#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The test problems. */
typedef enum cf_problem_id {
    CF_PROBLEM_BRANINCURRIN = 0,
    CF_PROBLEM_ZDT1,
    CF_PROBLEM_ZDT2,
    CF_PROBLEM_ZDT3,
    CF_PROBLEM_DTLZ2
} cf_problem_id;

/* Evaluates problem id at x (length d) into f (length m). Returns CF_ERR_ARG for a d or m the problem does not
 * accept (BraninCurrin: d = 2, m = 2; ZDT: d >= 2, m = 2; DTLZ2: m >= 2, d >= m) or NULL arrays, and
 * CF_ERR_INVALID when an input is outside [0, 1] or NaN. */
cf_status cf_problem_eval(cf_problem_id id, const double *x, size_t d, size_t m, double *f);

/* Writes the usual reference point (length m) of the problem: (18, 6) for BraninCurrin, (11, 11) for ZDT and
 * 1.1 per objective for DTLZ2. */
cf_status cf_problem_ref(cf_problem_id id, size_t m, double *ref);

/* Returns the maximal hypervolume of the problem's Pareto front w.r.t. cf_problem_ref, or NaN when unknown
 * (DTLZ2 beyond m = 3 is given by the closed form 1.1^m - pi^(m/2) / Gamma(m/2 + 1) / 2^m for all m). */
double cf_problem_max_hv(cf_problem_id id, size_t m);

/* Returns the problem's name ("BraninCurrin", "ZDT1", ...), or NULL for an unknown id. */
const char *cf_problem_name(cf_problem_id id);

/* Looks a problem up by name (case-insensitive); returns 0 and sets *id, or CF_ERR_NOT_FOUND. */
cf_status cf_problem_from_name(const char *name, cf_problem_id *id);

#ifdef __cplusplus
}
#endif
#endif
