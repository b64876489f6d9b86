/* costfront: Gaussian-process regression for surrogates and Bayesian optimisation (models/gp.c).
 *
 * Model (Rasmussen & Williams 2006, "Gaussian Processes for Machine Learning", ch. 2, 4 and 5):
 *   y(x) = m(x) + f(x) + e,  f ~ GP(mu, k),  e ~ N(0, sn2),
 *   k(x, x') = s2 * M52(r) * prod_c exp(-[x_c != x'_c] / l_c),
 *   r^2 = sum over continuous columns j of ((x_j - x'_j) / l_j)^2,  M52(r) = (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r),
 * i.e. a Matern-5/2 ARD kernel (R&W eq. 4.17) over the continuous columns times, for each categorical column, the
 * exchangeable (Hamming-style) kernel of CoCaBO (Ru et al. 2020) and BoTorch's CategoricalKernel. m(x) is an
 * optional fixed prior mean supplied by the caller per point (the GP models the residual y - m). The residuals
 * are standardised internally (mean mu, standard deviation sd) and every prediction is returned in y's units.
 *
 * Hyperparameters are fitted by maximising the log marginal likelihood (R&W eq. 5.8) plus weak log priors with
 * the analytic gradient (R&W eq. 5.9) and NLopt's L-BFGS from a default start (plus the previous fit's
 * hyperparameters as a warm start when the model was fitted before) and Sobol-sequence restarts. With at least 10
 * points per input column the maximum-likelihood fit (no priors, L-BFGS from the MAP optimum) is computed too and
 * the fit with the better closed-form leave-one-out log predictive density is kept (R&W section 5.4.2); with
 * fewer points the MAP fit is always kept, since there LOO tends to prefer an overfitted ML fit. From n = 500 on, the
 * multi-start search runs on a 250-point subsample and L-BFGS on the full data starts from its optimum. Priors, in
 * standardised units, by default (CF_GP_PRIOR_LOGNORMAL): on every lengthscale the dimension-scaled
 * LogNormal(sqrt2 + log(d)/2, sqrt3) of Hvarfner, Hellsten & Nardi (ICML 2024, BoTorch's default since 0.12),
 * log s2 ~ Normal(0, 3^2) on the signal variance and Gamma(1.1, 0.05) on the noise variance. BoTorch's older
 * defaults (CF_GP_PRIOR_GAMMA: Gamma(3, 6) lengthscales, Gamma(2, 0.15) signal variance, same noise prior) are
 * available but gave worse held-out NLPD than plain maximum likelihood on every case of bench/gp.sh. Cholesky
 * factors come from GSL (which calls OpenBLAS), with growing diagonal jitter when a factorisation fails.
 *
 * The hyperparameter vector "theta" used by cf_gp_objective, cf_gp_get_theta and cf_gp_set_theta has
 * cf_gp_n_hypers(gp) = d + 2 entries, all natural logarithms in STANDARDISED units:
 *   theta[j] = log l_j for every input column j in column order (continuous and categorical alike),
 *   theta[d] = log s2 (signal variance), theta[d + 1] = log sn2 (noise variance).
 * The friendlier getters/setters (cf_gp_lengthscales, cf_gp_signal_var, cf_gp_noise_var, cf_gp_set_hypers) use
 * y's units for the variances (standardised value x sd^2).
 *
 * Ownership: the caller owns every array it passes (inputs and outputs); the model copies what it keeps. A cf_gp
 * is created by cf_gp_create or cf_gp_copy and freed by cf_gp_destroy. Const functions never modify the model and
 * may be called concurrently on the same model; every other function needs exclusive access.
 */
#ifndef COSTFRONT_GP_H
#define COSTFRONT_GP_H

#include <stddef.h>

#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kind of an input column: CF_GP_CONTINUOUS (0) for a continuous column scaled to [0, 1] by the caller, or
 * k > 0 for a categorical column whose values are the doubles 0, 1, ..., k - 1. */
enum { CF_GP_CONTINUOUS = 0 };

/* An opaque Gaussian-process regression model. */
typedef struct cf_gp cf_gp;

/* Creates an unfitted model over d input columns whose kinds are given by kinds[0..d-1] (0 continuous, k > 0 the
 * number of categories). The array is copied. Returns NULL when d is 0, kinds is NULL or negative, or memory runs
 * out. Free with cf_gp_destroy. */
cf_gp *cf_gp_create(size_t d, const int *kinds);

/* Returns a deep copy of gp (data, hyperparameters, posterior and options), or NULL when memory runs out. Used to
 * fantasise batches without touching the original. Free with cf_gp_destroy. */
cf_gp *cf_gp_copy(const cf_gp *gp);

/* Frees the model. Accepts NULL. */
void cf_gp_destroy(cf_gp *gp);

/* Sets the seed of the random shift applied to the Sobol restart points (default 0). Same seed, same data, same
 * OpenBLAS thread count: bitwise identical hyperparameters. */
void cf_gp_set_seed(cf_gp *gp, unsigned long seed);

/* Sets the number of Sobol restart points of the hyperparameter optimiser in addition to the default start (and
 * the warm start of a refit); default 4. Every start is screened by its objective value without gradient (one
 * Cholesky factorisation) and L-BFGS runs from the best few (cf_gp_set_local_runs). From n = 500 on, the restarts
 * and local runs apply to the 250-point subsample (see the file comment). */
void cf_gp_set_restarts(cf_gp *gp, size_t restarts);

/* Sets how many of the screened starts L-BFGS runs from (default 2, at least 1). A value at least the number of
 * starts optimises from every start, as scikit-learn's n_restarts_optimizer does. */
void cf_gp_set_local_runs(cf_gp *gp, size_t runs);

/* Hyperparameter priors maximised with the likelihood by cf_gp_fit (the noise prior is the same for GAMMA and
 * LOGNORMAL; see the file comment). */
enum {
    CF_GP_PRIOR_NONE = 0,     /* type-II maximum likelihood, as scikit-learn does */
    CF_GP_PRIOR_GAMMA = 1,    /* Gamma(3, 6) lengthscales, Gamma(2, 0.15) signal variance (BoTorch before 0.12) */
    CF_GP_PRIOR_LOGNORMAL = 2 /* LogNormal(sqrt2 + log(d)/2, sqrt3) lengthscales (Hvarfner et al. 2024), the default */
};

/* Selects the hyperparameter prior (CF_GP_PRIOR_*); other values are ignored. */
void cf_gp_set_prior(cf_gp *gp, int prior);

/* Turns internal standardisation of the residuals y - m on (1, the default) or off (0: mu = 0, sd = 1). It takes
 * effect at the next cf_gp_fit or cf_gp_set_data. */
void cf_gp_set_standardize(cf_gp *gp, int on);

/* Fits the model: copies the n x d row-major inputs X, the targets y and the optional prior mean prior_mean
 * (length n, NULL for zero), standardises y - prior_mean, maximises the log marginal likelihood plus log priors
 * over the hyperparameters (screened starts, then L-BFGS from the best), keeps the best, and, with a prior and
 * n >= 10 d, keeps instead the maximum-likelihood fit when its leave-one-out log predictive density is higher
 * (cf_gp_selected_prior tells which); then factorises the posterior.
 * Returns CF_ERR_ARG for NULL arrays or n = 0, CF_ERR_INVALID for a non-finite value or a categorical value that
 * is not one of 0..k-1, CF_ERR_NOMEM, or CF_ERR_NUMERIC when no start gives a usable Cholesky factor. */
cf_status cf_gp_fit(cf_gp *gp, const double *X, size_t n, const double *y, const double *prior_mean, cf_error *err);

/* Replaces the training data like cf_gp_fit but does not optimise: the posterior is recomputed with the current
 * hyperparameters (the defaults after cf_gp_create, or the last fitted or set ones, in standardised units). Same
 * errors as cf_gp_fit. */
cf_status cf_gp_set_data(cf_gp *gp, const double *X, size_t n, const double *y, const double *prior_mean,
                         cf_error *err);

/* Fixes the hyperparameters: lengthscales[0..d-1] in column order, signal and noise variance in y's units (they
 * are divided by sd^2 of the current data). Needs data (CF_ERR_ARG otherwise); recomputes the posterior. Values
 * must be positive and finite (CF_ERR_INVALID). The noise variance is floored at 1e-6 in standardised units. */
cf_status cf_gp_set_hypers(cf_gp *gp, const double *lengthscales, double signal_var, double noise_var, cf_error *err);

/* Number of entries of the log-hyperparameter vector theta: d + 2. */
size_t cf_gp_n_hypers(const cf_gp *gp);

/* Copies the current log-hyperparameters (standardised units, layout in the file comment) into theta. */
void cf_gp_get_theta(const cf_gp *gp, double *theta);

/* Writes the lower and upper bounds of theta used by the optimiser into lo and hi (either may be NULL). */
void cf_gp_theta_bounds(const cf_gp *gp, double *lo, double *hi);

/* Sets the log-hyperparameters (standardised units) and recomputes the posterior when data is present. Values
 * outside the optimiser's bounds are accepted. */
cf_status cf_gp_set_theta(cf_gp *gp, const double *theta, cf_error *err);

/* Evaluates the objective the optimiser minimises at the log-hyperparameters theta on the current data:
 * *value = -(log marginal likelihood of the standardised residuals + log priors), and, when grad is not NULL,
 * its gradient with respect to theta (R&W eq. 5.9; the trace uses K^-1 from LAPACK dpotri on the Cholesky factor
 * and one O(n^2 d) pass over the pairs). With grad NULL only the Cholesky factor and one solve are computed. with_prior
 * = 0 drops the log priors, otherwise the model's prior (cf_gp_set_prior) is used. The model is not modified. Needs
 * data (CF_ERR_ARG); CF_ERR_NUMERIC when the factorisation fails at the largest jitter. */
cf_status cf_gp_objective(cf_gp *gp, const double *theta, int with_prior, double *value, double *grad, cf_error *err);

/* Posterior at m test points Xs (m x d row-major) with optional prior mean prior_mean_s (length m, NULL for
 * zero): mean (y's units), var = latent variance of f (y's units squared), var_y = var + noise variance (may be
 * NULL). Needs a fitted model (CF_ERR_ARG otherwise). R&W eq. 2.25-2.26, via one triangular solve per block. */
cf_status cf_gp_predict(const cf_gp *gp, const double *Xs, size_t m, const double *prior_mean_s, double *mean,
                        double *var, double *var_y, cf_error *err);

/* Joint posterior of the latent f at m test points: mean (length m) and the m x m row-major covariance cov
 * (y's units squared, no noise). Intended for small batches (fantasies, q-batch acquisition). */
cf_status cf_gp_predict_cov(const cf_gp *gp, const double *Xs, size_t m, const double *prior_mean_s, double *mean,
                            double *cov, cf_error *err);

/* Posterior mean and latent variance at one test point x and their gradients with respect to x (length d):
 * entries for categorical columns are 0. prior_mean is m(x) and prior_grad its gradient (length d, may be NULL
 * for zero). For acquisition optimisation over the continuous columns. */
cf_status cf_gp_predict_grad(const cf_gp *gp, const double *x, double prior_mean, const double *prior_grad,
                             double *mean, double *var, double *dmean, double *dvar, cf_error *err);

/* Closed-form leave-one-out predictions (R&W eq. 5.12) at the current hyperparameters: for each training point i,
 * mu_loo[i] and var_loo[i] are the mean and variance of the noisy y_i predicted from the other n - 1 points (y's
 * units; the standardisation and hyperparameters of the full data are kept). Costs one triangular inverse,
 * n^3/3 flops. */
cf_status cf_gp_loo(const cf_gp *gp, double *mu_loo, double *var_loo, cf_error *err);

/* Scores Gaussian predictions N(mu[i], var[i]) of observations y[i]: root mean squared error, mean negative log
 * predictive density, and the fraction of y inside the central 95% interval. Any output may be NULL. */
cf_status cf_gp_score(const double *y, const double *mu, const double *var, size_t n, double *rmse, double *nlpd,
                      double *coverage95);

/* Adds q observations (Xq q x d, yq, optional prior mean pmq) with the hyperparameters and standardisation kept,
 * by extending the Cholesky factor in O(n^2 q) (no refit). Used for batch fantasies ("kriging believer" and
 * sampled fantasies). */
cf_status cf_gp_condition(cf_gp *gp, const double *Xq, size_t q, const double *yq, const double *pmq, cf_error *err);

/* Number of training points (0 before data). */
size_t cf_gp_n(const cf_gp *gp);

/* Number of input columns d. */
size_t cf_gp_dim(const cf_gp *gp);

/* Copies the d lengthscales (column order) into ls. */
void cf_gp_lengthscales(const cf_gp *gp, double *ls);

/* Signal variance s2 in y's units (standardised value x sd^2). */
double cf_gp_signal_var(const cf_gp *gp);

/* Noise variance in y's units (standardised value x sd^2). */
double cf_gp_noise_var(const cf_gp *gp);

/* Log marginal likelihood of the residuals y - m in y's units (no priors) at the current hyperparameters, or NaN
 * without data. Equals the standardised value minus n log sd. */
double cf_gp_log_marginal_likelihood(const cf_gp *gp);

/* Diagonal jitter (standardised units) that the last factorisation needed: 0 when none. */
double cf_gp_jitter(const cf_gp *gp);

/* Number of objective evaluations on the full data (screening ones included) used by the last cf_gp_fit; those
 * on the subsample of a large-n fit are not counted. */
size_t cf_gp_n_evals(const cf_gp *gp);

/* The prior of the hyperparameters the last cf_gp_fit kept: the model's prior (cf_gp_set_prior), or
 * CF_GP_PRIOR_NONE when the maximum-likelihood fit won the leave-one-out model selection (see cf_gp_fit). */
int cf_gp_selected_prior(const cf_gp *gp);

#ifdef __cplusplus
}
#endif
#endif
