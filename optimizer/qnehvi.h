/* costfront (private): the pieces of the joint q-batch acquisition for noisy studies (optimizer/qnehvi.c), used
 * by optimizer/study_ask.c.
 *
 * qNEHVI (Daulton, Balandat & Bakshy, NeurIPS 2021, "Parallel Bayesian optimization of multiple noisy objectives
 * with expected hypervolume improvement") integrates the hypervolume improvement over the JOINT posterior of the
 * baseline points (observed and pending) and the candidate. With fixed base samples z_s of the baseline B, the
 * sample f_B^(s) = mu_B + L_B z_s (L_B L_B^T the posterior covariance at B), and the candidate's value given that
 * sample is Gaussian: mean mu_x + w^T z_s, variance var_x - w^T w, with w = L_B^-1 cov(f_B, f_x) (R&W 2006
 * eq. A.6). A cf_gp_joint holds what that needs for one GP: the factor of the training kernel matrix, L^-1 k(X, B),
 * L_B and the samples, so each candidate costs one triangular solve of the training size and one of the baseline
 * size, never a new joint covariance.
 *
 * Ownership: a cf_gp_joint owns its arrays and keeps no pointer to the caller's (the GP, X and B are copied as
 * needed); destroy it with cf_gp_joint_destroy (accepts NULL). Callers own every array they pass.
 */
#ifndef COSTFRONT_QNEHVI_H
#define COSTFRONT_QNEHVI_H

#include <stddef.h>

#include "costfront/ehvi.h"
#include "costfront/gp.h"
#include "costfront/status.h"

typedef struct cf_gp_joint cf_gp_joint;

/* Prepares the joint posterior of gp (column kinds as given to cf_gp_create, fitted on the n x d rows X, no prior mean, not conditioned since) at the nb
 * baseline rows B, with the S x nb base samples Z (standard normal). Checks the kernel it rebuilds against
 * cf_gp_predict at B and fails (CF_ERR_NUMERIC) on a mismatch, so a change of the GP's kernel cannot go
 * unnoticed. On success *out receives the handle. */
cf_status cf_gp_joint_create(const cf_gp *gp, const int *kinds, const double *X, size_t n, const double *B, size_t nb,
                             const double *Z, size_t S, cf_gp_joint **out, cf_error *err);

/* Frees the handle; accepts NULL. */
void cf_gp_joint_destroy(cf_gp_joint *j);

/* The S x nb baseline samples f_B^(s) = mu_B + L_B z_s (y's units). */
const double *cf_gp_joint_samples(const cf_gp_joint *j);

/* For the candidate row x whose posterior variance (cf_gp_predict) is var: writes the S mean shifts w^T z_s into
 * shift and returns the conditional variance var - w^T w (at least 0). */
double cf_gp_joint_condition(const cf_gp_joint *j, const double *x, double var, double *shift);

/* Decomposes the front of every baseline sample (Daulton et al. 2021, eq. 3: the incumbents of sample s are the
 * baseline values of that sample): for s < S (the handles' sample count), the nb baseline rows with pin[i] set,
 * objective j (minimised) taking sample s of J[j] at row i. fac is NULL, or nb x M: a finite entry f makes the
 * objective f exp(sample) (a derived cost whose GP models a logarithm; the sign of f carries the direction), NaN
 * leaves the sample as it is. J[j] may repeat a handle (two objectives of one GP). boxes receives S handles the
 * caller destroys (cf_hvboxes_destroy), all NULL on failure. */
cf_status cf_qnehvi_boxes(const cf_gp_joint *const *J, size_t M, const unsigned char *pin, const double *fac,
                          const double *ref, cf_hvboxes **boxes, cf_error *err);

/* The qNEHVI increment of the candidate row x: mu[j] and var[j] are the posterior mean and latent variance of
 * objective j's GP at x (cf_gp_predict), fac NULL or M entries as in cf_qnehvi_boxes (at x). Returns the average
 * over the samples s of the exact EHVI, over boxes[s], of the candidate's prediction conditioned on baseline sample
 * s (cf_gp_joint_condition; a derived cost is moment-matched to a Gaussian). Integrating the candidate's own
 * Gaussian exactly instead of drawing it is Rao-Blackwellisation: the expectation of qNEHVI's Monte Carlo sum with
 * lower variance. A sample whose derived cost is not finite contributes 0. shift is scratch of M x S doubles. */
double cf_qnehvi_point(const cf_gp_joint *const *J, size_t M, cf_hvboxes *const *boxes, const double *x,
                       const double *mu, const double *var, const double *fac, double *shift);

/* Number of base samples S of the handle. */
size_t cf_gp_joint_nsamples(const cf_gp_joint *j);

/* Fills Z (S x D) with quasi-random standard normals: a Sobol sequence (Bratley & Fox 1988) in min(D, 40)
 * dimensions shifted by a random vector modulo 1 (Cranley & Patterson 1976) and mapped by the inverse normal CDF;
 * columns beyond 40 are pseudo-random normals. Deterministic for a given seed. */
cf_status cf_qmc_normals(size_t S, size_t D, unsigned long seed, double *Z, cf_error *err);

#endif
