/* costfront: expected hypervolume improvement (EHVI) of a Gaussian prediction over a Pareto front
 * (optimizer/ehvi.c).
 *
 * Every objective is MINIMISED. The prediction is independent per objective: Y_j ~ N(mu[j], sd[j]^2).
 *
 * Method: the region that is below the reference point r and not dominated by the front is cut into disjoint
 * axis-aligned boxes [l_k, u_k] (l may be -infinity) by slicing along the last objective and recursing; for
 * d = 2 this is the staircase of Emmerich, Yang, Deutz, Wang & Fonseca (2016), O(n log n) after sorting, and for
 * d = 3 it gives O(n^2) boxes as in the box-decomposition EHVI of Yang, Emmerich, Deutz & Baeck (2019) (see also
 * Couckuyt, Deschrijver & Dhaene 2014). The hypervolume improvement of a point y is then
 *     HVI(y) = sum_k prod_j (u_kj - max(y_j, l_kj))^+
 * and, since (u - max(Y, l))^+ = (u - Y)^+ - (l - Y)^+ for l <= u, its expectation is exactly
 *     EHVI = sum_k prod_j [G_j(u_kj) - G_j(l_kj)],   G_j(c) = E[(c - Y_j)^+] = (c - mu_j) Phi(z) + sd_j phi(z),
 * with z = (c - mu_j) / sd_j (the psi functions of Emmerich et al. 2016). With sd_j = 0, G_j(c) = (c - mu_j)^+ and
 * EHVI reduces to the exact HVI. Any d >= 1 is accepted, but the number of boxes grows like n^(d-1): use the
 * Monte Carlo estimator or a scalarisation beyond d = 4.
 *
 * Ownership: callers own every array they pass and every output array; a cf_hvboxes handle owns a private copy
 * of its box decomposition and keeps no pointer to the caller's arrays. Destroy it with cf_hvboxes_destroy.
 */
#ifndef COSTFRONT_EHVI_H
#define COSTFRONT_EHVI_H

#include <stddef.h>

#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A precomputed box decomposition of the non-dominated region of one front: build it once, then evaluate EHVI or
 * HVI at many predictions. */
typedef struct cf_hvboxes cf_hvboxes;

/* Decomposes the region { z : z < ref, z not weakly dominated by any row of front } into disjoint boxes.
 * front is n x d row-major (n may be 0: the whole box (-inf, ref) is one box); rows that do not strictly
 * dominate ref, dominated rows and NaN rows are ignored. On success *out receives a handle the caller destroys. */
cf_status cf_hvboxes_create(const double *front, size_t n, size_t d, const double *ref, cf_hvboxes **out,
                            cf_error *err);

/* Frees the handle; accepts NULL. */
void cf_hvboxes_destroy(cf_hvboxes *b);

/* Number of boxes in the decomposition. */
size_t cf_hvboxes_count(const cf_hvboxes *b);

/* Number of objectives of the decomposition. */
size_t cf_hvboxes_dim(const cf_hvboxes *b);

/* Exact EHVI of a Gaussian prediction with means mu[d] and standard deviations sd[d] (sd[j] >= 0; 0 means a
 * known value). Returns the EHVI, or NaN when an argument is NaN or negative sd. */
double cf_hvboxes_ehvi(const cf_hvboxes *b, const double *mu, const double *sd);

/* Exact hypervolume improvement of the known point y[d]: the volume dominated by y, bounded by ref, and not
 * dominated by the front. */
double cf_hvboxes_hvi(const cf_hvboxes *b, const double *y);

/* One-shot exact EHVI: builds the decomposition, evaluates it at (mu, sd), frees it. Writes the result to
 * *ehvi. */
cf_status cf_ehvi(const double *front, size_t n, size_t d, const double *ref, const double *mu, const double *sd,
                  double *ehvi, cf_error *err);

/* One-shot exact hypervolume improvement of the point y over the front. Writes the result to *hvi. */
cf_status cf_hv_improvement(const double *front, size_t n, size_t d, const double *ref, const double *y, double *hvi,
                            cf_error *err);

/* Quasi-Monte Carlo EHVI for any d <= 40: nsamples points of a Sobol sequence (gsl_qrng_sobol) shifted by a
 * random vector modulo 1 (Cranley & Patterson 1976; the shift comes from a GSL RNG seeded with seed), mapped to
 * N(mu, sd^2) by the inverse normal CDF, and the exact HVI averaged. *stderr_out (may be NULL) receives the
 * standard error computed as if the samples were independent, which overestimates the error of the QMC mean and
 * is therefore a safe tolerance for tests. */
cf_status cf_ehvi_mc(const double *front, size_t n, size_t d, const double *ref, const double *mu, const double *sd,
                     size_t nsamples, unsigned long seed, double *ehvi, double *stderr_out, cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
