/* costfront: Gaussian-process regression (see include/costfront/gp.h for the model).
 *
 * References: C. E. Rasmussen & C. K. I. Williams, "Gaussian Processes for Machine Learning", MIT Press 2006:
 * Algorithm 2.1 and eq. 2.25-2.26 (prediction), eq. 4.17 (Matern class), eq. 5.8-5.9 (log marginal likelihood and
 * its gradient), eq. 5.12 (closed-form leave-one-out). Exchangeable categorical kernel: Ru et al., "Bayesian
 * optimisation over multiple continuous and categorical inputs" (CoCaBO, ICML 2020), and BoTorch's
 * CategoricalKernel. Priors: BoTorch's historical SingleTaskGP defaults (Gamma(3, 6) lengthscales, Gamma(1.1, 0.05)
 * noise, Gamma(2, 0.15) outputscale) and the dimension-scaled LogNormal lengthscale prior of Hvarfner, Hellsten &
 * Nardi, "Vanilla Bayesian optimization performs great in high dimensions" (ICML 2024), the default.
 * Restart points: Sobol (Bratley & Fox 1988, GSL's gsl_qrng_sobol) with a Cranley-Patterson random shift.
 *
 * Invariants:
 *  - theta (length d + 2) is in log space and standardised units; every array sized by n has gp->cap >= n rows.
 *  - gp->L holds, in its lower triangle (row-major, leading dimension n), the Cholesky factor of
 *    K + (sn2 + jitter) I at gp->theta for the current data whenever gp->ready is 1; gp->alpha = K^-1 z and
 *    gp->xsp holds the continuous columns divided by their lengthscales at gp->theta.
 *  - Factorisations and inverses use OpenBLAS's LAPACK (dpotrf, dpotri, dtrtri) on the row-major lower triangle.
 *  - The gradient trace term 0.5 tr((alpha alpha^T - K^-1) dK/dtheta_p) is accumulated for every p in ONE pass over
 *    the pairs i <= j, computing dK_ij/dtheta on the fly from the kernel factors and distances cached while K was
 *    built, so no n x n derivative matrix is ever stored.
 */
#include "costfront/gp.h"

#include <float.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_qrng.h>
#include <math.h>
#include <nlopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GP_SRC         "gp"
#define GP_LOG2PI      1.8378770664093454836
#define GP_NOISE_FLOOR 1e-6
#define GP_MAXEVAL     200
#define GP_FTOL        1e-9 /* relative tolerance in f of the final L-BFGS run */
#define GP_FTOL_LOOSE  1e-5 /* ... of a MAP run that the ML run continues from */
/* Model selection between the MAP and the maximum-likelihood fit by leave-one-out needs at least this many points
 * per input column: below it, LOO at hyperparameters fitted on the same points preferred the ML fit in every case
 * measured (n = 10-50, d = 4-8) and in 6 of 7 that ML fit was worse on held-out data (by up to 3.4 nats), which is
 * exactly where the prior protects. */
#define GP_LOO_MIN_PER_DIM 10
/* From 2 GP_SUBSET_N points on, the multi-start search runs on a GP_SUBSET_N-point subsample (1/64 of the cost per
 * evaluation at n = 1000) and L-BFGS on the full data starts from its optimum. */
#define GP_SUBSET_N 250

/* LAPACK from OpenBLAS (the library links OpenBLAS as GSL's CBLAS, and OpenBLAS carries LAPACK with a native,
 * threaded dpotrf/dpotri). LAPACK is column-major: the lower triangle of a row-major matrix is LAPACK's upper
 * triangle of the same memory, so "U" below acts on our row-major lower triangle. */
extern void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
extern void dpotri_(const char *uplo, const int *n, double *a, const int *lda, int *info);
extern void dtrtri_(const char *uplo, const char *diag, const int *n, double *a, const int *lda, int *info);

/* Gamma(shape, rate) priors, BoTorch's historical defaults. */
#define GP_LS_SHAPE 3.0
#define GP_LS_RATE  6.0
#define GP_S2_SHAPE 2.0
#define GP_S2_RATE  0.15
#define GP_S2_LOGSD 3.0 /* sd of the Normal prior on log s2 with the LogNormal lengthscale prior */
#define GP_SN_SHAPE 1.1
#define GP_SN_RATE  0.05

struct cf_gp {
    size_t d;           /* input columns */
    int *kinds;         /* d column kinds: 0 continuous, k > 0 categories */
    size_t dc, dk;      /* numbers of continuous and categorical columns */
    size_t *cidx;       /* dc indices of the continuous columns */
    size_t *kidx;       /* dk indices of the categorical columns */
    size_t np;          /* d + 2 hyperparameters */
    double *theta;      /* np log-hyperparameters, standardised units */
    double *lo, *hi;    /* np optimiser bounds */
    unsigned long seed; /* shift of the Sobol restarts */
    size_t restarts;    /* Sobol restarts besides the default start */
    size_t local_runs;  /* L-BFGS runs from the best screened starts */
    int standardize;    /* 1: standardise residuals */
    int prior;          /* CF_GP_PRIOR_* used by cf_gp_fit */
    int fitted;         /* 1 once hyperparameters came from an optimisation (used as a warm start) */
    int selected;       /* CF_GP_PRIOR_* of the fit that the last cf_gp_fit kept (CF_GP_PRIOR_NONE: the ML fit) */

    size_t n, cap; /* training points and allocated rows */
    double *X;     /* n x d inputs as given */
    double *y;     /* n raw targets */
    double *z;     /* n standardised residuals (y - m - mu) / sd */
    int *xc;       /* n x dk categorical codes */
    double *xsp;   /* n x dc continuous columns / lengthscales at theta (posterior) */
    double *xsw;   /* n x dc the same at the theta being evaluated (work) */
    double mu, sd; /* standardisation of y - m */

    int ready;       /* 1 when L, alpha, xsp match theta and the data */
    double *L;       /* n x n Cholesky factor (lower triangle), also the optimiser's work matrix */
    double *alpha;   /* n K^-1 z */
    double *scratch; /* n x n work matrix of cf_gp_objective (lazily allocated) */
    double *kcache;  /* n (n - 1) packed kernel factors and distances of cf_gp_objective (lazily allocated) */
    double *alpha_w; /* n work vector for alpha during evaluations */
    double jitter;   /* jitter in the factor (standardised units) */
    double lml_std;  /* log marginal likelihood of z at theta */
    size_t n_evals;  /* objective evaluations of the last fit */
};

/* ---------------------------------------------------------------------------------------------------------- */
/* Small helpers                                                                                              */
/* ---------------------------------------------------------------------------------------------------------- */

/* Gamma(shape a, rate b) log density of v = exp(t), and its derivative with respect to t added to *g. */
static double gamma_logpdf_logspace(double t, double a, double b, double *g)
{
    double v = exp(t);
    if (g != NULL) *g += (a - 1.0) - b * v;
    return a * log(b) - lgamma(a) + (a - 1.0) * t - b * v;
}

/* LogNormal(m, s) log density of v = exp(t) (as a density over v), and its derivative in t added to *g. */
static double lognormal_logpdf_logspace(double t, double m, double s, double *g)
{
    double u = (t - m) / s;
    if (g != NULL) *g += -1.0 - u / s;
    return -t - 0.5 * u * u - log(s) - 0.5 * GP_LOG2PI;
}

/* Sum of the log priors of kind (CF_GP_PRIOR_GAMMA or CF_GP_PRIOR_LOGNORMAL) at theta; adds their gradient to
 * grad when not NULL. */
static double log_prior(const cf_gp *gp, int kind, const double *theta, double *grad)
{
    double lp = 0.0;
    /* Hvarfner, Hellsten & Nardi (ICML 2024): LogNormal(sqrt2 + log(d) / 2, sqrt3), BoTorch >= 0.12. */
    double lm = M_SQRT2 + 0.5 * log((double)gp->d), lsd = sqrt(3.0);
    for (size_t j = 0; j < gp->d; j++)
        lp += kind == CF_GP_PRIOR_LOGNORMAL
                  ? lognormal_logpdf_logspace(theta[j], lm, lsd, grad ? &grad[j] : NULL)
                  : gamma_logpdf_logspace(theta[j], GP_LS_SHAPE, GP_LS_RATE, grad ? &grad[j] : NULL);
    if (kind == CF_GP_PRIOR_LOGNORMAL) {
        /* log s2 ~ Normal(0, 3^2): weak in both directions, unlike Gamma(2, 0.15) whose rate term costs 0.15 nat
         * per unit of s2 and caps the large signal variances that near-additive functions need. */
        double u = theta[gp->d] / GP_S2_LOGSD;
        if (grad != NULL) grad[gp->d] += -u / GP_S2_LOGSD;
        lp += -0.5 * u * u - log(GP_S2_LOGSD) - 0.5 * GP_LOG2PI;
    } else {
        lp += gamma_logpdf_logspace(theta[gp->d], GP_S2_SHAPE, GP_S2_RATE, grad ? &grad[gp->d] : NULL);
    }
    lp += gamma_logpdf_logspace(theta[gp->d + 1], GP_SN_SHAPE, GP_SN_RATE, grad ? &grad[gp->d + 1] : NULL);
    return lp;
}

/* The shared factor s2 * exp(-sqrt5 r - h) and sqrt5 r for two points, from scaled continuous coordinates a, b
 * (dc each) and categorical codes ca, cb (dk each) with inverse categorical lengthscales icl. */
static inline double pair_kernel(const double *restrict a, const double *restrict b, size_t dc, const int *restrict ca,
                                 const int *restrict cb, size_t dk, const double *restrict icl, double s2)
{
    double r2 = 0.0;
    for (size_t j = 0; j < dc; j++) {
        double t = a[j] - b[j];
        r2 += t * t;
    }
    double h = 0.0;
    for (size_t c = 0; c < dk; c++)
        if (ca[c] != cb[c]) h += icl[c];
    double sr = sqrt(5.0 * r2);
    return s2 * (1.0 + sr + sr * sr / 3.0) * exp(-sr - h);
}

/* Cholesky factor of the symmetric positive definite row-major n x n matrix a from its lower triangle, in place
 * (lower triangle; the strict upper triangle is left untouched). Returns 0 on success. */
static int chol_lower(double *a, size_t n)
{
    int nn = (int)n, info = 0;
    dpotrf_("U", &nn, a, &nn, &info);
    return info;
}

/* Replaces the Cholesky factor L (row-major lower triangle of a) by the lower triangle of (L L^T)^-1. Returns 0 on
 * success. */
static int chol_inverse_lower(double *a, size_t n)
{
    int nn = (int)n, info = 0;
    dpotri_("U", &nn, a, &nn, &info);
    return info;
}

/* Solves L L^T x = b in place in v (length n) with the Cholesky factor in the lower triangle of L (n x n). */
static void chol_solve(const double *L, size_t n, double *v)
{
    gsl_matrix_const_view Lm = gsl_matrix_const_view_array(L, n, n);
    gsl_vector_view vv = gsl_vector_view_array(v, n);
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &Lm.matrix, &vv.vector);
    gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, &Lm.matrix, &vv.vector);
}

/* Writes the diagonal of (L L^T)^-1 into wd (length n) from the Cholesky factor in the lower triangle of W, which
 * it overwrites: L^-1 by LAPACK dtrtri (n^3/3 flops), then [K^-1]_ii = sum_{k >= i} ([L^-1]_ki)^2. Returns 0 on
 * success. */
static int inverse_diagonal(double *W, size_t n, double *wd)
{
    int nn = (int)n, info = 0;
    dtrtri_("U", "N", &nn, W, &nn, &info);
    if (info != 0) return info;
    for (size_t i = 0; i < n; i++) wd[i] = 0.0;
    for (size_t k = 0; k < n; k++) {
        const double *row = W + k * n;
        for (size_t i = 0; i <= k; i++) wd[i] += row[i] * row[i];
    }
    return 0;
}

/* Scales the continuous columns of rows (n x d) by the inverse lengthscales of theta into out (n x dc). */
static void scale_rows(const cf_gp *gp, const double *theta, const double *rows, size_t n, double *out)
{
    for (size_t j = 0; j < gp->dc; j++) {
        size_t col = gp->cidx[j];
        double il = exp(-theta[col]);
        for (size_t i = 0; i < n; i++) out[i * gp->dc + j] = rows[i * gp->d + col] * il;
    }
}

/* Extracts the categorical codes of rows (n x d) into out (n x dk). Values are validated beforehand. */
static void cat_rows(const cf_gp *gp, const double *rows, size_t n, int *out)
{
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < gp->dk; c++) out[i * gp->dk + c] = (int)rows[i * gp->d + gp->kidx[c]];
}

/* Inverse categorical lengthscales of theta into icl (dk). */
static void inv_cat_ls(const cf_gp *gp, const double *theta, double *icl)
{
    for (size_t c = 0; c < gp->dk; c++) icl[c] = exp(-theta[gp->kidx[c]]);
}

/* Checks that rows (n x d) are finite and that categorical values are integers in 0..k-1. */
static cf_status check_rows(const cf_gp *gp, const double *rows, size_t n, const char *what, cf_error *err)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < gp->d; j++) {
            double v = rows[i * gp->d + j];
            if (!isfinite(v))
                return cf_error_set(err, CF_ERR_INVALID, GP_SRC, 0, 0, what, "row %zu column %zu is not finite", i, j);
            int k = gp->kinds[j];
            if (k > 0 && (v != floor(v) || v < 0.0 || v >= (double)k))
                return cf_error_set(err, CF_ERR_INVALID, GP_SRC, 0, 0, what,
                                    "row %zu column %zu is %g, expected a category code in 0..%d", i, j, v, k - 1);
        }
    return CF_OK;
}

/* Checks that a vector of length n is finite (NULL passes). */
static cf_status check_vec(const double *v, size_t n, const char *what, cf_error *err)
{
    if (v == NULL) return CF_OK;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return cf_error_set(err, CF_ERR_INVALID, GP_SRC, 0, 0, what, "entry %zu is not finite", i);
    return CF_OK;
}

/* SplitMix64 (Steele, Lea & Flood 2014): a tiny deterministic generator for the restart shift. */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Creation and options                                                                                       */
/* ---------------------------------------------------------------------------------------------------------- */

/* Default log-hyperparameters: lengthscale 0.5 (continuous, near the prior mean) or 1 (categorical), signal
 * variance 1 and noise variance 1e-2 in standardised units. */
static void default_theta(const cf_gp *gp, double *theta)
{
    for (size_t j = 0; j < gp->d; j++) theta[j] = gp->kinds[j] > 0 ? 0.0 : log(0.5);
    theta[gp->d] = 0.0;
    theta[gp->d + 1] = log(1e-2);
}

cf_gp *cf_gp_create(size_t d, const int *kinds)
{
    if (d == 0 || kinds == NULL) return NULL;
    for (size_t j = 0; j < d; j++)
        if (kinds[j] < 0) return NULL;
    cf_gp *gp = calloc(1, sizeof *gp);
    if (gp == NULL) return NULL;
    gp->d = d;
    gp->np = d + 2;
    gp->restarts = 4;
    gp->local_runs = 2;
    gp->standardize = 1;
    gp->prior = CF_GP_PRIOR_LOGNORMAL;
    gp->sd = 1.0;
    gp->kinds = malloc(d * sizeof *gp->kinds);
    gp->cidx = malloc(d * sizeof *gp->cidx);
    gp->kidx = malloc(d * sizeof *gp->kidx);
    gp->theta = malloc(gp->np * sizeof *gp->theta);
    gp->lo = malloc(gp->np * sizeof *gp->lo);
    gp->hi = malloc(gp->np * sizeof *gp->hi);
    if (!gp->kinds || !gp->cidx || !gp->kidx || !gp->theta || !gp->lo || !gp->hi) {
        cf_gp_destroy(gp);
        return NULL;
    }
    for (size_t j = 0; j < d; j++) {
        gp->kinds[j] = kinds[j];
        if (kinds[j] > 0)
            gp->kidx[gp->dk++] = j;
        else
            gp->cidx[gp->dc++] = j;
        gp->lo[j] = log(1e-3);
        gp->hi[j] = log(1e3);
    }
    gp->lo[d] = log(1e-4);
    gp->hi[d] = log(1e4);
    gp->lo[d + 1] = log(GP_NOISE_FLOOR);
    gp->hi[d + 1] = log(10.0);
    default_theta(gp, gp->theta);
    gp->lml_std = NAN;
    return gp;
}

void cf_gp_destroy(cf_gp *gp)
{
    if (gp == NULL) return;
    free(gp->kinds);
    free(gp->cidx);
    free(gp->kidx);
    free(gp->theta);
    free(gp->lo);
    free(gp->hi);
    free(gp->X);
    free(gp->y);
    free(gp->z);
    free(gp->xc);
    free(gp->xsp);
    free(gp->xsw);
    free(gp->L);
    free(gp->alpha);
    free(gp->alpha_w);
    free(gp->scratch);
    free(gp->kcache);
    free(gp);
}

/* Duplicates count elements of size sz (NULL when src is NULL or count is 0); sets *fail on allocation failure. */
static void *dup_mem(const void *src, size_t count, size_t sz, int *fail)
{
    if (src == NULL || count == 0) return NULL;
    void *p = malloc(count * sz);
    if (p == NULL) {
        *fail = 1;
        return NULL;
    }
    memcpy(p, src, count * sz);
    return p;
}

cf_gp *cf_gp_copy(const cf_gp *gp)
{
    if (gp == NULL) return NULL;
    cf_gp *c = cf_gp_create(gp->d, gp->kinds);
    if (c == NULL) return NULL;
    memcpy(c->theta, gp->theta, gp->np * sizeof *gp->theta);
    memcpy(c->lo, gp->lo, gp->np * sizeof *gp->lo);
    memcpy(c->hi, gp->hi, gp->np * sizeof *gp->hi);
    c->seed = gp->seed;
    c->restarts = gp->restarts;
    c->local_runs = gp->local_runs;
    c->standardize = gp->standardize;
    c->prior = gp->prior;
    c->fitted = gp->fitted;
    c->selected = gp->selected;
    c->mu = gp->mu;
    c->sd = gp->sd;
    c->jitter = gp->jitter;
    c->lml_std = gp->lml_std;
    c->n_evals = gp->n_evals;
    size_t n = gp->n;
    int fail = 0;
    c->X = dup_mem(gp->X, n * gp->d, sizeof(double), &fail);
    c->y = dup_mem(gp->y, n, sizeof(double), &fail);
    c->z = dup_mem(gp->z, n, sizeof(double), &fail);
    c->xc = dup_mem(gp->xc, n * gp->dk, sizeof(int), &fail);
    c->xsp = dup_mem(gp->xsp, n * gp->dc, sizeof(double), &fail);
    c->xsw = dup_mem(gp->xsw, n * gp->dc, sizeof(double), &fail);
    c->L = dup_mem(gp->L, n * n, sizeof(double), &fail);
    c->alpha = dup_mem(gp->alpha, n, sizeof(double), &fail);
    c->alpha_w = dup_mem(gp->alpha_w, n, sizeof(double), &fail);
    if (fail) {
        cf_gp_destroy(c);
        return NULL;
    }
    c->n = c->cap = n;
    c->ready = gp->ready;
    return c;
}

void cf_gp_set_seed(cf_gp *gp, unsigned long seed)
{
    if (gp != NULL) gp->seed = seed;
}

void cf_gp_set_restarts(cf_gp *gp, size_t restarts)
{
    if (gp != NULL) gp->restarts = restarts;
}

void cf_gp_set_prior(cf_gp *gp, int prior)
{
    if (gp != NULL && prior >= CF_GP_PRIOR_NONE && prior <= CF_GP_PRIOR_LOGNORMAL) gp->prior = prior;
}

void cf_gp_set_local_runs(cf_gp *gp, size_t runs)
{
    if (gp != NULL) gp->local_runs = runs > 0 ? runs : 1;
}

void cf_gp_set_standardize(cf_gp *gp, int on)
{
    if (gp != NULL) gp->standardize = on != 0;
}

size_t cf_gp_n_hypers(const cf_gp *gp) { return gp ? gp->np : 0; }
size_t cf_gp_n(const cf_gp *gp) { return gp ? gp->n : 0; }
size_t cf_gp_dim(const cf_gp *gp) { return gp ? gp->d : 0; }
double cf_gp_jitter(const cf_gp *gp) { return gp ? gp->jitter : NAN; }
size_t cf_gp_n_evals(const cf_gp *gp) { return gp ? gp->n_evals : 0; }
int cf_gp_selected_prior(const cf_gp *gp) { return gp ? gp->selected : CF_GP_PRIOR_NONE; }

void cf_gp_get_theta(const cf_gp *gp, double *theta)
{
    if (gp != NULL && theta != NULL) memcpy(theta, gp->theta, gp->np * sizeof *theta);
}

void cf_gp_theta_bounds(const cf_gp *gp, double *lo, double *hi)
{
    if (gp == NULL) return;
    if (lo != NULL) memcpy(lo, gp->lo, gp->np * sizeof *lo);
    if (hi != NULL) memcpy(hi, gp->hi, gp->np * sizeof *hi);
}

void cf_gp_lengthscales(const cf_gp *gp, double *ls)
{
    if (gp == NULL || ls == NULL) return;
    for (size_t j = 0; j < gp->d; j++) ls[j] = exp(gp->theta[j]);
}

double cf_gp_signal_var(const cf_gp *gp) { return gp ? exp(gp->theta[gp->d]) * gp->sd * gp->sd : NAN; }

double cf_gp_noise_var(const cf_gp *gp) { return gp ? exp(gp->theta[gp->d + 1]) * gp->sd * gp->sd : NAN; }

double cf_gp_log_marginal_likelihood(const cf_gp *gp)
{
    if (gp == NULL || !gp->ready) return NAN;
    return gp->lml_std - (double)gp->n * log(gp->sd);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* The objective: factorisation, log marginal likelihood and its gradient                                     */
/* ---------------------------------------------------------------------------------------------------------- */

/* Fills the lower triangle of buf (n x n) with K(X, X) + (sn2 + jit) I from scaled inputs xs. When kc is not
 * NULL it also stores, packed by rows of the strict lower triangle (pair (i, j), j < i, at i (i - 1) / 2 + j), the
 * factor s2 exp(-sqrt5 r - h) that the gradient pass needs, and n (n - 1) / 2 places further on sqrt5 r, so that
 * pass calls neither exp nor sqrt again (it was a fifth of the gradient's time at n = 2000). */
static void build_K(const cf_gp *gp, const double *xs, const double *icl, double s2, double diag, double *buf,
                    double *kc)
{
    size_t n = gp->n, dc = gp->dc, dk = gp->dk, pairs = n * (n - 1) / 2;
    for (size_t i = 0; i < n; i++) {
        const double *a = xs + i * dc;
        const int *ca = gp->xc + i * dk;
        double *row = buf + i * n;
        double *krow = kc ? kc + i * (i - (i > 0)) / 2 : NULL;
        for (size_t j = 0; j < i; j++) {
            const double *b = xs + j * dc;
            const int *cb = gp->xc + j * dk;
            double r2 = 0.0;
            for (size_t c = 0; c < dc; c++) {
                double t = a[c] - b[c];
                r2 += t * t;
            }
            double h = 0.0;
            for (size_t c = 0; c < dk; c++)
                if (ca[c] != cb[c]) h += icl[c];
            double sr = sqrt(5.0 * r2);
            double e = s2 * exp(-sr - h);
            if (krow) {
                krow[j] = e;
                krow[pairs + j] = sr;
            }
            row[j] = e * (1.0 + sr + sr * sr / 3.0);
        }
        row[i] = s2 + diag;
    }
}

/* Factorises K + sn2 I at theta into buf with growing jitter (0, then 1e-8, 1e-6, 1e-4, 1e-2 times the mean
 * diagonal), using scaled inputs xs (already scaled at theta). Writes the jitter used. kc as in build_K. */
static cf_status factorise(const cf_gp *gp, const double *theta, const double *xs, double *buf, double *kc,
                           double *jit_out)
{
    static const double jit[] = {0.0, 1e-8, 1e-6, 1e-4, 1e-2};
    double icl[gp->dk + 1];
    inv_cat_ls(gp, theta, icl);
    double s2 = exp(theta[gp->d]), sn = exp(theta[gp->d + 1]);
    for (size_t t = 0; t < sizeof jit / sizeof jit[0]; t++) {
        double j = jit[t] * (s2 + sn);
        build_K(gp, xs, icl, s2, sn + j, buf, kc);
        if (chol_lower(buf, gp->n) == 0) {
            *jit_out = j;
            return CF_OK;
        }
    }
    return CF_ERR_NUMERIC;
}

/* Evaluates f = -(lml + log prior of kind prior) at theta using buf (n x n), alpha (n) and xs (n x dc) as work;
 * on return buf holds the Cholesky factor when grad is NULL and K^-1 otherwise (lower triangles). grad (np) may be
 * NULL; when it is not, kc must hold n (n - 1) doubles of work. */
static cf_status evaluate(const cf_gp *gp, const double *theta, int prior, double *buf, double *alpha, double *xs,
                          double *kc, double *f, double *grad, double *lml_out, double *jit_out)
{
    size_t n = gp->n, dc = gp->dc, dk = gp->dk, d = gp->d;
    scale_rows(gp, theta, gp->X, n, xs);
    double jit = 0.0;
    cf_status st = factorise(gp, theta, xs, buf, grad ? kc : NULL, &jit);
    if (st != CF_OK) return st;
    memcpy(alpha, gp->z, n * sizeof *alpha);
    chol_solve(buf, n, alpha);
    double quad = 0.0, logdet = 0.0;
    for (size_t i = 0; i < n; i++) {
        quad += gp->z[i] * alpha[i];
        logdet += log(buf[i * n + i]);
    }
    double lml = -0.5 * quad - logdet - 0.5 * (double)n * GP_LOG2PI;
    if (lml_out) *lml_out = lml;
    if (jit_out) *jit_out = jit;
    double gprior[gp->np];
    memset(gprior, 0, sizeof gprior);
    double lp = prior != CF_GP_PRIOR_NONE ? log_prior(gp, prior, theta, gprior) : 0.0;
    *f = -(lml + lp);
    if (grad == NULL) return CF_OK;

    /* d lml / d theta_p = 0.5 sum_ij G_ij dK_ij / d theta_p with G = alpha alpha^T - K^-1 (R&W eq. 5.9), summed
     * over the diagonal and twice over the strict lower triangle (K and K^-1 are symmetric). */
    if (chol_inverse_lower(buf, n) != 0) return CF_ERR_NUMERIC; /* LAPACK dpotri: 2n^3/3 flops */
    double icl[dk + 1], s2 = exp(theta[d]), sn = exp(theta[d + 1]);
    inv_cat_ls(gp, theta, icl);
    double gl[dc + 1], gc[dk + 1], gs = 0.0, gn = 0.0;
    size_t pairs = n * (n - 1) / 2;
    memset(gl, 0, sizeof gl);
    memset(gc, 0, sizeof gc);
    for (size_t i = 0; i < n; i++) {
        const double *a = xs + i * dc;
        const int *ca = gp->xc + i * dk;
        const double *Wi = buf + i * n;
        const double *krow = kc + i * (i - (i > 0)) / 2;
        double ai = alpha[i];
        double gii = 0.5 * (ai * ai - Wi[i]);
        gs += gii * s2;
        gn += gii * sn;
        for (size_t j = 0; j < i; j++) {
            double g = ai * alpha[j] - Wi[j]; /* 2 (pairs ij and ji) x 0.5 */
            const double *b = xs + j * dc;
            double sr = krow[pairs + j];
            double base = g * krow[j];
            double kf = base * (1.0 + sr + sr * sr / 3.0);
            gs += kf;
            /* dk/dlog l_j = s2 (5/3)(1 + sqrt5 r) exp(-sqrt5 r - h) t_j^2 for continuous columns. */
            double cc = base * (5.0 / 3.0) * (1.0 + sr);
            for (size_t c = 0; c < dc; c++) {
                double t = a[c] - b[c];
                gl[c] += cc * t * t;
            }
            /* dk/dlog l_c = k [x_c != x'_c] / l_c for categorical columns. */
            const int *cb = gp->xc + j * dk;
            for (size_t c = 0; c < dk; c++)
                if (ca[c] != cb[c]) gc[c] += kf * icl[c];
        }
    }
    for (size_t p = 0; p < gp->np; p++) grad[p] = -gprior[p];
    for (size_t c = 0; c < dc; c++) grad[gp->cidx[c]] -= gl[c];
    for (size_t c = 0; c < dk; c++) grad[gp->kidx[c]] -= gc[c];
    grad[d] -= gs;
    grad[d + 1] -= gn;
    return CF_OK;
}

/* Recomputes the posterior (L, alpha, xsp, lml) at gp->theta. */
static cf_status refactor(cf_gp *gp, cf_error *err)
{
    gp->ready = 0;
    double f;
    cf_status st = evaluate(gp, gp->theta, 0, gp->L, gp->alpha, gp->xsp, NULL, &f, NULL, &gp->lml_std, &gp->jitter);
    if (st != CF_OK)
        return cf_error_set(err, st, GP_SRC, 0, 0, NULL,
                            "the kernel matrix is not positive definite even with jitter 1e-2 x its mean diagonal");
    gp->ready = 1;
    return CF_OK;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Data                                                                                                       */
/* ---------------------------------------------------------------------------------------------------------- */

/* Resizes every per-point array except L to n rows, keeping the first min(n, old) rows. */
static cf_status reserve_rows(cf_gp *gp, size_t n)
{
    size_t d = gp->d;
#define GP_GROW(ptr, count)                                                                                            \
    do {                                                                                                               \
        void *p_ = realloc((ptr), ((count) > 0 ? (count) : 1) * sizeof *(ptr));                                        \
        if (p_ == NULL) return CF_ERR_NOMEM;                                                                           \
        (ptr) = p_;                                                                                                    \
    } while (0)
    GP_GROW(gp->X, n * d);
    GP_GROW(gp->y, n);
    GP_GROW(gp->z, n);
    GP_GROW(gp->xc, n * gp->dk);
    GP_GROW(gp->xsp, n * gp->dc);
    GP_GROW(gp->xsw, n * gp->dc);
    GP_GROW(gp->alpha, n);
    GP_GROW(gp->alpha_w, n);
#undef GP_GROW
    gp->cap = n;
    return CF_OK;
}

/* Validates and copies the data, computes the standardisation; leaves the posterior not ready. */
static cf_status load_data(cf_gp *gp, const double *X, size_t n, const double *y, const double *pm, cf_error *err)
{
    if (gp == NULL || X == NULL || y == NULL || n == 0)
        return cf_error_set(err, CF_ERR_ARG, GP_SRC, 0, 0, NULL, "expected a model, n > 0 inputs and targets");
    cf_gsl_quiet();
    cf_status st = check_rows(gp, X, n, "X", err);
    if (st == CF_OK) st = check_vec(y, n, "y", err);
    if (st == CF_OK) st = check_vec(pm, n, "prior_mean", err);
    if (st != CF_OK) return st;
    gp->ready = 0;
    gp->n = 0;
    free(gp->scratch);
    gp->scratch = NULL;
    free(gp->kcache);
    gp->kcache = NULL;
    free(gp->L);
    gp->L = NULL;
    /* An n x n factor and n x d rows (dc, dk <= d): refuse sizes whose byte counts would wrap around size_t, which
     * would give a short buffer that the Cholesky factorisation then overruns. */
    if (n > SIZE_MAX / sizeof *gp->L / n || n > SIZE_MAX / sizeof(double) / gp->d)
        return cf_error_set(err, CF_ERR_NOMEM, GP_SRC, 0, 0, NULL, "%zu points are too many to allocate", n);
    gp->L = malloc(n * n * sizeof *gp->L);
    if (gp->L == NULL || reserve_rows(gp, n) != CF_OK)
        return cf_error_set(err, CF_ERR_NOMEM, GP_SRC, 0, 0, NULL, "out of memory for %zu points", n);
    memcpy(gp->X, X, n * gp->d * sizeof *X);
    memcpy(gp->y, y, n * sizeof *y);
    double mean = 0.0;
    for (size_t i = 0; i < n; i++) {
        gp->z[i] = y[i] - (pm ? pm[i] : 0.0);
        mean += gp->z[i];
    }
    mean /= (double)n;
    double ss = 0.0;
    for (size_t i = 0; i < n; i++) ss += (gp->z[i] - mean) * (gp->z[i] - mean);
    double sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
    if (!(sd > 1e-12 * fmax(1.0, fabs(mean)))) sd = 1.0;
    if (!gp->standardize) {
        mean = 0.0;
        sd = 1.0;
    }
    gp->mu = mean;
    gp->sd = sd;
    for (size_t i = 0; i < n; i++) gp->z[i] = (gp->z[i] - mean) / sd;
    cat_rows(gp, X, n, gp->xc);
    gp->n = n;
    return CF_OK;
}

cf_status cf_gp_set_data(cf_gp *gp, const double *X, size_t n, const double *y, const double *prior_mean, cf_error *err)
{
    cf_status st = load_data(gp, X, n, y, prior_mean, err);
    if (st != CF_OK) return st;
    return refactor(gp, err);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Fitting                                                                                                    */
/* ---------------------------------------------------------------------------------------------------------- */

typedef struct {
    cf_gp *gp;
    double *kc;   /* packed kernel factors and distances, n (n - 1) */
    size_t evals; /* objective evaluations */
    int prior;    /* CF_GP_PRIOR_* of the objective */
} fit_ctx;

/* Mean closed-form leave-one-out log predictive density of the standardised residuals at theta (R&W eq. 5.10-5.12,
 * the "LOO-CV" criterion of R&W section 5.4.2), using buf (n x n), alpha, xs and wd (n each) as work. */
static cf_status loo_log_density(const cf_gp *gp, const double *theta, double *buf, double *alpha, double *xs,
                                 double *wd, double *lpd)
{
    size_t n = gp->n;
    double f;
    cf_status st = evaluate(gp, theta, CF_GP_PRIOR_NONE, buf, alpha, xs, NULL, &f, NULL, NULL, NULL);
    if (st != CF_OK) return st;
    if (inverse_diagonal(buf, n, wd) != 0) return CF_ERR_NUMERIC;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = 1.0 / wd[i], r = alpha[i] * v; /* LOO variance and residual y_i - mu_i */
        s += -0.5 * (GP_LOG2PI + log(v) + r * r / v);
    }
    *lpd = s / (double)n;
    return isfinite(*lpd) ? CF_OK : CF_ERR_NUMERIC;
}

/* NLopt objective: the negative log posterior of the hyperparameters; a failed factorisation is a wall. */
static double nlopt_objective(unsigned np, const double *x, double *grad, void *data)
{
    fit_ctx *ctx = data;
    cf_gp *gp = ctx->gp;
    ctx->evals++;
    double f;
    cf_status st = evaluate(gp, x, ctx->prior, gp->L, gp->alpha_w, gp->xsw, ctx->kc, &f, grad, NULL, NULL);
    if (st != CF_OK || !isfinite(f)) {
        if (grad) memset(grad, 0, np * sizeof *grad);
        return 1e30;
    }
    return f;
}

/* Fits a model with gp's options (standardisation off) to GP_SUBSET_N rows of gp's data taken at an even stride
 * with their standardised residuals as targets, and writes its log-hyperparameters, which are then in gp's
 * standardised units, to theta. The data is loaded; the subsample is small enough not to recurse. */
static cf_status subset_fit(const cf_gp *gp, double *theta)
{
    size_t n = gp->n, m = GP_SUBSET_N, d = gp->d;
    cf_gp *sub = cf_gp_create(d, gp->kinds);
    double *Xs = malloc(m * d * sizeof *Xs), *zs = malloc(m * sizeof *zs);
    cf_status st = CF_ERR_NOMEM;
    if (sub != NULL && Xs != NULL && zs != NULL) {
        for (size_t k = 0; k < m; k++) {
            size_t i = k * n / m;
            memcpy(Xs + k * d, gp->X + i * d, d * sizeof *Xs);
            zs[k] = gp->z[i];
        }
        sub->seed = gp->seed;
        sub->restarts = gp->restarts;
        sub->local_runs = gp->local_runs;
        sub->prior = gp->prior;
        sub->standardize = 0;
        st = cf_gp_fit(sub, Xs, m, zs, NULL, NULL);
        if (st == CF_OK) memcpy(theta, sub->theta, gp->np * sizeof *theta);
    }
    cf_gp_destroy(sub);
    free(Xs);
    free(zs);
    return st;
}

cf_status cf_gp_fit(cf_gp *gp, const double *X, size_t n, const double *y, const double *prior_mean, cf_error *err)
{
    cf_status st = load_data(gp, X, n, y, prior_mean, err);
    if (st != CF_OK) return st;
    size_t np = gp->np;
    /* Large n: the multi-start search runs on a subsample and the full data only refines its optimum. */
    double theta_sub[np];
    int use_sub = n >= 2 * GP_SUBSET_N && subset_fit(gp, theta_sub) == CF_OK;
    size_t restarts = use_sub ? 0 : gp->restarts, local_runs = use_sub ? 1 : gp->local_runs;
    size_t nstart = (gp->fitted ? 3u : 2u) + restarts;
    double *starts = malloc(nstart * np * sizeof *starts);
    double *x = malloc(np * sizeof *x), *best = malloc(np * sizeof *best);
    double *kc = malloc((n * (n - 1) + 1) * sizeof *kc);
    nlopt_opt opt = nlopt_create(NLOPT_LD_LBFGS, (unsigned)np);
    gsl_qrng *q = gp->restarts > 0 ? gsl_qrng_alloc(np <= 40 ? gsl_qrng_sobol : gsl_qrng_halton, (unsigned)np) : NULL;
    if (starts == NULL || x == NULL || best == NULL || kc == NULL || opt == NULL || (gp->restarts > 0 && q == NULL)) {
        st = cf_error_set(err, CF_ERR_NOMEM, GP_SRC, 0, 0, NULL, "out of memory for the optimiser");
        goto done;
    }
    /* Starts: the subsample's optimum (large n only), the defaults, the previous fit (warm start), then (small n
     * only) Sobol points shifted at random modulo 1
     * (Cranley-Patterson rotation) over a start box inside the bounds. */
    size_t ns = 0;
    if (use_sub) memcpy(starts + np * ns++, theta_sub, np * sizeof *starts);
    default_theta(gp, starts + np * ns++);
    if (gp->fitted) memcpy(starts + np * ns++, gp->theta, np * sizeof *starts);
    {
        uint64_t s = (uint64_t)gp->seed;
        double shift[np], u[np];
        for (size_t p = 0; p < np; p++) shift[p] = (double)(splitmix64(&s) >> 11) * 0x1.0p-53;
        for (size_t r = 0; r < restarts; r++) {
            gsl_qrng_get(q, u);
            double *t = starts + np * ns++;
            for (size_t p = 0; p < np; p++) {
                double v = u[p] + shift[p];
                v -= floor(v);
                double a, b;
                if (p < gp->d) {
                    a = gp->kinds[p] > 0 ? log(0.2) : log(0.05);
                    b = gp->kinds[p] > 0 ? log(5.0) : log(2.0);
                } else if (p == gp->d) {
                    a = log(0.25);
                    b = log(4.0);
                } else {
                    a = log(1e-4);
                    b = log(0.3);
                }
                t[p] = a + (b - a) * v;
            }
        }
    }
    nlopt_set_lower_bounds(opt, gp->lo);
    nlopt_set_upper_bounds(opt, gp->hi);
    fit_ctx ctx = {gp, kc, 0, gp->prior};
    nlopt_set_min_objective(opt, nlopt_objective, &ctx);
    nlopt_set_ftol_rel(opt, GP_FTOL);
    nlopt_set_xtol_rel(opt, 1e-6);
    nlopt_set_maxeval(opt, GP_MAXEVAL);
    /* Screening: the objective without gradient (a Cholesky, a third of an evaluation with gradient) at every
     * start, then L-BFGS from the best local_runs of them. */
    size_t *order = malloc(ns * sizeof *order);
    double *fs = malloc(ns * sizeof *fs);
    if (order == NULL || fs == NULL) {
        free(order);
        free(fs);
        st = cf_error_set(err, CF_ERR_NOMEM, GP_SRC, 0, 0, NULL, "out of memory for the optimiser");
        goto done;
    }
    for (size_t s = 0; s < ns; s++) {
        double *t = starts + s * np;
        for (size_t p = 0; p < np; p++) t[p] = fmin(gp->hi[p], fmax(gp->lo[p], t[p]));
        order[s] = s;
        fs[s] = ns > local_runs ? nlopt_objective((unsigned)np, t, NULL, &ctx) : 0.0;
    }
    for (size_t s = 1; s < ns; s++) /* stable insertion sort by screened value */
        for (size_t k = s; k > 0 && fs[order[k]] < fs[order[k - 1]]; k--) {
            size_t tmp = order[k];
            order[k] = order[k - 1];
            order[k - 1] = tmp;
        }
    double fbest = HUGE_VAL;
    size_t runs = ns < local_runs ? ns : local_runs;
    /* When the ML fit will be refined from the MAP optimum and compared with it (below), the MAP runs stop at a
     * looser tolerance: the held-out accuracy does not depend on the last digits of f. */
    int select = gp->prior != CF_GP_PRIOR_NONE && n >= GP_LOO_MIN_PER_DIM * gp->d;
    if (select) nlopt_set_ftol_rel(opt, GP_FTOL_LOOSE);
    for (size_t s = 0; s < runs; s++) {
        memcpy(x, starts + order[s] * np, np * sizeof *x);
        double fx = HUGE_VAL;
        nlopt_result r = nlopt_optimize(opt, x, &fx);
        (void)r; /* ROUNDOFF_LIMITED and MAXEVAL still leave the best point found in x */
        if (isfinite(fx) && fx < 1e29 && fx < fbest) {
            fbest = fx;
            memcpy(best, x, np * sizeof *best);
        }
    }
    free(order);
    free(fs);
    if (!(fbest < HUGE_VAL)) {
        gp->n_evals = ctx.evals;
        st = cf_error_set(err, CF_ERR_NUMERIC, GP_SRC, 0, 0, NULL,
                          "no start gave a positive definite kernel matrix for %zu points", n);
        goto done;
    }
    gp->selected = gp->prior;
    if (select) {
        /* Model selection (R&W section 5.4.2): the maximum-likelihood fit, by L-BFGS warm-started at the MAP
         * optimum, against the MAP fit, by their closed-form leave-one-out log predictive densities. With enough
         * points per dimension the prior's pull along the weakly identified direction (s2 against the
         * lengthscales, which Matern likelihoods barely distinguish) costs held-out accuracy that the data alone
         * would not; with few points it is what prevents overfitting, and there LOO is not trusted (see
         * GP_LOO_MIN_PER_DIM). */
        double *wd = malloc(n * sizeof *wd);
        memcpy(x, best, np * sizeof *x);
        ctx.prior = CF_GP_PRIOR_NONE;
        nlopt_set_ftol_rel(opt, GP_FTOL);
        double fml = HUGE_VAL, lpd_map = -HUGE_VAL, lpd_ml = -HUGE_VAL;
        nlopt_optimize(opt, x, &fml);
        if (wd != NULL && isfinite(fml) && fml < 1e29 &&
            loo_log_density(gp, best, gp->L, gp->alpha_w, gp->xsw, wd, &lpd_map) == CF_OK &&
            loo_log_density(gp, x, gp->L, gp->alpha_w, gp->xsw, wd, &lpd_ml) == CF_OK && lpd_ml > lpd_map) {
            memcpy(best, x, np * sizeof *best);
            gp->selected = CF_GP_PRIOR_NONE;
        }
        free(wd);
    }
    gp->n_evals = ctx.evals;
    memcpy(gp->theta, best, np * sizeof *best);
    gp->fitted = 1;
    st = refactor(gp, err);
done:
    gsl_qrng_free(q);
    nlopt_destroy(opt);
    free(starts);
    free(x);
    free(best);
    free(kc);
    return st;
}

cf_status cf_gp_set_theta(cf_gp *gp, const double *theta, cf_error *err)
{
    if (gp == NULL || theta == NULL)
        return cf_error_set(err, CF_ERR_ARG, GP_SRC, 0, 0, NULL, "expected a model and a hyperparameter vector");
    for (size_t p = 0; p < gp->np; p++)
        if (!isfinite(theta[p]))
            return cf_error_set(err, CF_ERR_INVALID, GP_SRC, 0, 0, "theta", "entry %zu is not finite", p);
    cf_gsl_quiet();
    memcpy(gp->theta, theta, gp->np * sizeof *theta);
    if (gp->n == 0) return CF_OK;
    return refactor(gp, err);
}

cf_status cf_gp_set_hypers(cf_gp *gp, const double *lengthscales, double signal_var, double noise_var, cf_error *err)
{
    if (gp == NULL || lengthscales == NULL || gp->n == 0)
        return cf_error_set(err, CF_ERR_ARG, GP_SRC, 0, 0, NULL, "expected a model with data and lengthscales");
    for (size_t j = 0; j < gp->d; j++)
        if (!(lengthscales[j] > 0.0) || !isfinite(lengthscales[j]))
            return cf_error_set(err, CF_ERR_INVALID, GP_SRC, 0, 0, "lengthscales", "entry %zu is %g, expected > 0", j,
                                lengthscales[j]);
    if (!(signal_var > 0.0) || !isfinite(signal_var) || !(noise_var > 0.0) || !isfinite(noise_var))
        return cf_error_set(err, CF_ERR_INVALID, GP_SRC, 0, 0, NULL,
                            "signal variance %g and noise variance %g must be positive", signal_var, noise_var);
    double theta[gp->np];
    double v = gp->sd * gp->sd;
    for (size_t j = 0; j < gp->d; j++) theta[j] = log(lengthscales[j]);
    theta[gp->d] = log(signal_var / v);
    theta[gp->d + 1] = log(fmax(noise_var / v, GP_NOISE_FLOOR));
    return cf_gp_set_theta(gp, theta, err);
}

cf_status cf_gp_objective(cf_gp *gp, const double *theta, int with_prior, double *value, double *grad, cf_error *err)
{
    if (gp == NULL || theta == NULL || value == NULL || gp->n == 0)
        return cf_error_set(err, CF_ERR_ARG, GP_SRC, 0, 0, NULL, "expected a model with data, theta and value");
    cf_gsl_quiet();
    if (gp->scratch == NULL) {
        gp->scratch = malloc(gp->n * gp->n * sizeof *gp->scratch);
        if (gp->scratch == NULL) return cf_error_set(err, CF_ERR_NOMEM, GP_SRC, 0, 0, NULL, "out of memory");
    }
    if (grad != NULL && gp->kcache == NULL) {
        gp->kcache = malloc((gp->n * (gp->n - 1) + 1) * sizeof *gp->kcache);
        if (gp->kcache == NULL) return cf_error_set(err, CF_ERR_NOMEM, GP_SRC, 0, 0, NULL, "out of memory");
    }
    cf_status st = evaluate(gp, theta, with_prior ? gp->prior : CF_GP_PRIOR_NONE, gp->scratch, gp->alpha_w, gp->xsw,
                            gp->kcache, value, grad, NULL, NULL);
    if (st != CF_OK)
        return cf_error_set(err, st, GP_SRC, 0, 0, NULL, "the kernel matrix is not positive definite at theta");
    return CF_OK;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Prediction                                                                                                 */
/* ---------------------------------------------------------------------------------------------------------- */

/* Checks that the model is ready and the test rows are valid. */
static cf_status check_predict(const cf_gp *gp, const double *Xs, size_t m, const double *pm, cf_error *err)
{
    if (gp == NULL || Xs == NULL)
        return cf_error_set(err, CF_ERR_ARG, GP_SRC, 0, 0, NULL, "expected a model and test inputs");
    if (!gp->ready) return cf_error_set(err, CF_ERR_ARG, GP_SRC, 0, 0, NULL, "the model has no data or is not fitted");
    cf_gsl_quiet();
    cf_status st = check_rows(gp, Xs, m, "Xs", err);
    if (st == CF_OK) st = check_vec(pm, m, "prior_mean_s", err);
    return st;
}

/* Cross-covariance block Kb (n x m, leading dimension m) between the training points and test rows with scaled
 * continuous coordinates ts (m x dc) and codes tc (m x dk), standardised units. */
static void cross_K(const cf_gp *gp, const double *ts, const int *tc, size_t m, double *Kb)
{
    size_t n = gp->n, dc = gp->dc, dk = gp->dk;
    double icl[dk + 1], s2 = exp(gp->theta[gp->d]);
    inv_cat_ls(gp, gp->theta, icl);
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < m; t++)
            Kb[i * m + t] = pair_kernel(gp->xsp + i * dc, ts + t * dc, dc, gp->xc + i * dk, tc + t * dk, dk, icl, s2);
}

cf_status cf_gp_predict(const cf_gp *gp, const double *Xs, size_t m, const double *prior_mean_s, double *mean,
                        double *var, double *var_y, cf_error *err)
{
    cf_status st = check_predict(gp, Xs, m, prior_mean_s, err);
    if (st != CF_OK) return st;
    if (m == 0) return CF_OK;
    if (mean == NULL && var == NULL && var_y == NULL) return CF_OK;
    enum { BLOCK = 256 };
    size_t n = gp->n, mb = m < BLOCK ? m : BLOCK;
    double *Kb = malloc(n * mb * sizeof *Kb);
    double *ts = malloc((mb * gp->dc + 1) * sizeof *ts);
    int *tc = malloc((mb * gp->dk + 1) * sizeof *tc);
    double *mb_mean = malloc(mb * sizeof *mb_mean);
    if (Kb == NULL || ts == NULL || tc == NULL || mb_mean == NULL) {
        st = cf_error_set(err, CF_ERR_NOMEM, GP_SRC, 0, 0, NULL, "out of memory for %zu test points", m);
        goto done;
    }
    double s2 = exp(gp->theta[gp->d]), sn = exp(gp->theta[gp->d + 1]), v = gp->sd * gp->sd;
    gsl_matrix_const_view L = gsl_matrix_const_view_array(gp->L, n, n);
    gsl_vector_const_view av = gsl_vector_const_view_array(gp->alpha, n);
    for (size_t t0 = 0; t0 < m; t0 += mb) {
        size_t k = m - t0 < mb ? m - t0 : mb;
        scale_rows(gp, gp->theta, Xs + t0 * gp->d, k, ts);
        cat_rows(gp, Xs + t0 * gp->d, k, tc);
        cross_K(gp, ts, tc, k, Kb);
        gsl_matrix_view K = gsl_matrix_view_array(Kb, n, k);
        gsl_vector_view mv = gsl_vector_view_array(mb_mean, k);
        gsl_blas_dgemv(CblasTrans, 1.0, &K.matrix, &av.vector, 0.0, &mv.vector);
        if (mean != NULL)
            for (size_t t = 0; t < k; t++)
                mean[t0 + t] = (prior_mean_s ? prior_mean_s[t0 + t] : 0.0) + gp->mu + gp->sd * mb_mean[t];
        if (var == NULL && var_y == NULL) continue;
        gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, &L.matrix, &K.matrix);
        for (size_t t = 0; t < k; t++) mb_mean[t] = 0.0;
        for (size_t i = 0; i < n; i++) {
            const double *row = Kb + i * k;
            for (size_t t = 0; t < k; t++) mb_mean[t] += row[t] * row[t];
        }
        for (size_t t = 0; t < k; t++) {
            double f = fmax(s2 - mb_mean[t], 0.0);
            if (var != NULL) var[t0 + t] = f * v;
            if (var_y != NULL) var_y[t0 + t] = (f + sn) * v;
        }
    }
done:
    free(Kb);
    free(ts);
    free(tc);
    free(mb_mean);
    return st;
}

cf_status cf_gp_predict_cov(const cf_gp *gp, const double *Xs, size_t m, const double *prior_mean_s, double *mean,
                            double *cov, cf_error *err)
{
    cf_status st = check_predict(gp, Xs, m, prior_mean_s, err);
    if (st != CF_OK) return st;
    if (m == 0) return CF_OK;
    if (cov == NULL) return cf_error_set(err, CF_ERR_ARG, GP_SRC, 0, 0, NULL, "expected a covariance output");
    size_t n = gp->n;
    double *Kb = malloc(n * m * sizeof *Kb);
    double *ts = malloc((m * gp->dc + 1) * sizeof *ts);
    int *tc = malloc((m * gp->dk + 1) * sizeof *tc);
    if (Kb == NULL || ts == NULL || tc == NULL) {
        st = cf_error_set(err, CF_ERR_NOMEM, GP_SRC, 0, 0, NULL, "out of memory for %zu test points", m);
        goto done;
    }
    {
        scale_rows(gp, gp->theta, Xs, m, ts);
        cat_rows(gp, Xs, m, tc);
        cross_K(gp, ts, tc, m, Kb);
        double s2 = exp(gp->theta[gp->d]), v = gp->sd * gp->sd;
        double icl[gp->dk + 1];
        inv_cat_ls(gp, gp->theta, icl);
        size_t dc = gp->dc, dk = gp->dk;
        for (size_t a = 0; a < m; a++)
            for (size_t b = 0; b < m; b++)
                cov[a * m + b] = pair_kernel(ts + a * dc, ts + b * dc, dc, tc + a * dk, tc + b * dk, dk, icl, s2);
        gsl_matrix_view K = gsl_matrix_view_array(Kb, n, m);
        if (mean != NULL)
            for (size_t t = 0; t < m; t++) {
                double s = 0.0;
                for (size_t i = 0; i < n; i++) s += Kb[i * m + t] * gp->alpha[i];
                mean[t] = (prior_mean_s ? prior_mean_s[t] : 0.0) + gp->mu + gp->sd * s;
            }
        gsl_matrix_const_view L = gsl_matrix_const_view_array(gp->L, n, n);
        gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, &L.matrix, &K.matrix);
        gsl_matrix_view C = gsl_matrix_view_array(cov, m, m);
        gsl_blas_dgemm(CblasTrans, CblasNoTrans, -1.0, &K.matrix, &K.matrix, 1.0, &C.matrix);
        for (size_t a = 0; a < m; a++) {
            for (size_t b = a; b < m; b++) {
                double c = 0.5 * (cov[a * m + b] + cov[b * m + a]) * v;
                cov[a * m + b] = cov[b * m + a] = c;
            }
            if (cov[a * m + a] < 0.0) cov[a * m + a] = 0.0;
        }
    }
done:
    free(Kb);
    free(ts);
    free(tc);
    return st;
}

cf_status cf_gp_predict_grad(const cf_gp *gp, const double *x, double prior_mean, const double *prior_grad,
                             double *mean, double *var, double *dmean, double *dvar, cf_error *err)
{
    cf_status st = check_predict(gp, x, 1, NULL, err);
    if (st != CF_OK) return st;
    if (!isfinite(prior_mean))
        return cf_error_set(err, CF_ERR_INVALID, GP_SRC, 0, 0, "prior_mean", "the prior mean is not finite");
    size_t n = gp->n, dc = gp->dc, dk = gp->dk, d = gp->d;
    double *k = malloc(n * sizeof *k), *w = malloc(n * sizeof *w), *dk_ = malloc((n * dc + 1) * sizeof *dk_);
    if (k == NULL || w == NULL || dk_ == NULL) {
        st = cf_error_set(err, CF_ERR_NOMEM, GP_SRC, 0, 0, NULL, "out of memory");
        goto done;
    }
    {
        double ts[dc + 1], icl[dk + 1], il[dc + 1];
        int tc[dk + 1];
        scale_rows(gp, gp->theta, x, 1, ts);
        cat_rows(gp, x, 1, tc);
        inv_cat_ls(gp, gp->theta, icl);
        for (size_t c = 0; c < dc; c++) il[c] = exp(-gp->theta[gp->cidx[c]]);
        double s2 = exp(gp->theta[d]), v = gp->sd * gp->sd;
        /* dk/dx_c = -s2 (5/3)(1 + sqrt5 r) exp(-sqrt5 r - h) (x_c - x_ic) / l_c^2; the scaled difference is
         * (x_c - x_ic) / l_c, so one more factor 1 / l_c. */
        for (size_t i = 0; i < n; i++) {
            const double *a = gp->xsp + i * dc;
            const int *ca = gp->xc + i * dk;
            double r2 = 0.0, h = 0.0;
            for (size_t c = 0; c < dc; c++) r2 += (ts[c] - a[c]) * (ts[c] - a[c]);
            for (size_t c = 0; c < dk; c++)
                if (ca[c] != tc[c]) h += icl[c];
            double sr = sqrt(5.0 * r2), e = s2 * exp(-sr - h);
            k[i] = e * (1.0 + sr + sr * sr / 3.0);
            double cc = -e * (5.0 / 3.0) * (1.0 + sr);
            for (size_t c = 0; c < dc; c++) dk_[i * dc + c] = cc * (ts[c] - a[c]) * il[c];
        }
        double mu_s = 0.0;
        for (size_t i = 0; i < n; i++) mu_s += k[i] * gp->alpha[i];
        memcpy(w, k, n * sizeof *w);
        chol_solve(gp->L, n, w); /* w = K^-1 k */
        double q = 0.0;
        for (size_t i = 0; i < n; i++) q += k[i] * w[i];
        if (mean) *mean = prior_mean + gp->mu + gp->sd * mu_s;
        if (var) *var = fmax(s2 - q, 0.0) * v;
        for (size_t j = 0; j < d; j++) {
            if (dmean) dmean[j] = prior_grad ? prior_grad[j] : 0.0;
            if (dvar) dvar[j] = 0.0;
        }
        for (size_t c = 0; c < dc; c++) {
            double gm = 0.0, gv = 0.0;
            for (size_t i = 0; i < n; i++) {
                gm += dk_[i * dc + c] * gp->alpha[i];
                gv += dk_[i * dc + c] * w[i];
            }
            if (dmean) dmean[gp->cidx[c]] += gp->sd * gm;
            if (dvar) dvar[gp->cidx[c]] = -2.0 * gv * v;
        }
    }
done:
    free(k);
    free(w);
    free(dk_);
    return st;
}

cf_status cf_gp_loo(const cf_gp *gp, double *mu_loo, double *var_loo, cf_error *err)
{
    if (gp == NULL || mu_loo == NULL || var_loo == NULL)
        return cf_error_set(err, CF_ERR_ARG, GP_SRC, 0, 0, NULL, "expected a model and two outputs");
    if (!gp->ready) return cf_error_set(err, CF_ERR_ARG, GP_SRC, 0, 0, NULL, "the model has no data");
    cf_gsl_quiet();
    size_t n = gp->n;
    double *W = malloc(n * n * sizeof *W), *wd = malloc(n * sizeof *wd);
    cf_status st = CF_OK;
    if (W == NULL || wd == NULL) {
        st = cf_error_set(err, CF_ERR_NOMEM, GP_SRC, 0, 0, NULL, "out of memory");
    } else if ((void)memcpy(W, gp->L, n * n * sizeof *W), inverse_diagonal(W, n, wd) != 0) {
        st = cf_error_set(err, CF_ERR_NUMERIC, GP_SRC, 0, 0, NULL, "the Cholesky factor could not be inverted");
    } else {
        /* R&W eq. 5.12: mu_i = y_i - alpha_i / [K^-1]_ii, sigma_i^2 = 1 / [K^-1]_ii, in standardised units. */
        for (size_t i = 0; i < n; i++) {
            double wii = wd[i];
            mu_loo[i] = gp->y[i] - gp->sd * gp->alpha[i] / wii;
            var_loo[i] = gp->sd * gp->sd / wii;
        }
    }
    free(W);
    free(wd);
    return st;
}

cf_status cf_gp_score(const double *y, const double *mu, const double *var, size_t n, double *rmse, double *nlpd,
                      double *coverage95)
{
    if (y == NULL || mu == NULL || var == NULL || n == 0) return CF_ERR_ARG;
    double se = 0.0, lp = 0.0;
    size_t in = 0;
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - mu[i], s2 = fmax(var[i], DBL_MIN);
        se += e * e;
        lp += 0.5 * (GP_LOG2PI + log(s2) + e * e / s2);
        if (fabs(e) <= 1.959963984540054 * sqrt(s2)) in++;
    }
    if (rmse) *rmse = sqrt(se / (double)n);
    if (nlpd) *nlpd = lp / (double)n;
    if (coverage95) *coverage95 = (double)in / (double)n;
    return CF_OK;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Conditioning on new points with fixed hyperparameters                                                      */
/* ---------------------------------------------------------------------------------------------------------- */

cf_status cf_gp_condition(cf_gp *gp, const double *Xq, size_t q, const double *yq, const double *pmq, cf_error *err)
{
    if (gp == NULL || Xq == NULL || yq == NULL)
        return cf_error_set(err, CF_ERR_ARG, GP_SRC, 0, 0, NULL, "expected a model, inputs and targets");
    if (!gp->ready) return cf_error_set(err, CF_ERR_ARG, GP_SRC, 0, 0, NULL, "the model has no posterior yet");
    if (q == 0) return CF_OK;
    cf_gsl_quiet();
    cf_status st = check_rows(gp, Xq, q, "Xq", err);
    if (st == CF_OK) st = check_vec(yq, q, "yq", err);
    if (st == CF_OK) st = check_vec(pmq, q, "pmq", err);
    if (st != CF_OK) return st;
    size_t n = gp->n, N = n + q, d = gp->d, dc = gp->dc, dk = gp->dk;
    double *Lnew = malloc(N * N * sizeof *Lnew);
    double *B = malloc(n * q * sizeof *B);
    double *ts = malloc((q * dc + 1) * sizeof *ts);
    int *tc = malloc((q * dk + 1) * sizeof *tc);
    if (Lnew == NULL || B == NULL || ts == NULL || tc == NULL) {
        st = cf_error_set(err, CF_ERR_NOMEM, GP_SRC, 0, 0, NULL, "out of memory");
        goto fail;
    }
    {
        /* [L 0; B^T C] with L B = K(X, Xq) and C C^T = K(Xq, Xq) + (sn2 + jitter) I - B^T B. */
        scale_rows(gp, gp->theta, Xq, q, ts);
        cat_rows(gp, Xq, q, tc);
        cross_K(gp, ts, tc, q, B);
        gsl_matrix_const_view L = gsl_matrix_const_view_array(gp->L, n, n);
        gsl_matrix_view Bm = gsl_matrix_view_array(B, n, q);
        gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, &L.matrix, &Bm.matrix);
        double s2 = exp(gp->theta[d]), sn = exp(gp->theta[d + 1]);
        double icl[dk + 1];
        inv_cat_ls(gp, gp->theta, icl);
        for (size_t i = 0; i < n; i++) {
            memcpy(Lnew + i * N, gp->L + i * n, (i + 1) * sizeof *Lnew);
            memset(Lnew + i * N + i + 1, 0, (N - i - 1) * sizeof *Lnew);
        }
        for (size_t a = 0; a < q; a++) {
            double *row = Lnew + (n + a) * N;
            for (size_t i = 0; i < n; i++) row[i] = B[i * q + a];
            for (size_t b = 0; b <= a; b++) {
                double c = pair_kernel(ts + a * dc, ts + b * dc, dc, tc + a * dk, tc + b * dk, dk, icl, s2);
                if (a == b) c += sn + gp->jitter;
                for (size_t i = 0; i < n; i++) c -= B[i * q + a] * B[i * q + b];
                row[n + b] = c;
            }
            memset(row + n + a + 1, 0, (q - a - 1) * sizeof *row);
        }
        {
            gsl_matrix_view Nm = gsl_matrix_view_array(Lnew, N, N);
            gsl_matrix_view C = gsl_matrix_submatrix(&Nm.matrix, n, n, q, q);
            if (gsl_linalg_cholesky_decomp1(&C.matrix) != GSL_SUCCESS) {
                st = cf_error_set(err, CF_ERR_NUMERIC, GP_SRC, 0, 0, NULL,
                                  "the conditioned kernel matrix is not positive definite (duplicate fantasy points "
                                  "with tiny noise?)");
                goto fail;
            }
        }
        if (reserve_rows(gp, N) != CF_OK) { /* the first n rows survive a failed realloc */
            st = cf_error_set(err, CF_ERR_NOMEM, GP_SRC, 0, 0, NULL, "out of memory");
            goto fail;
        }
        free(gp->L);
        gp->L = Lnew;
        Lnew = NULL;
        free(gp->scratch);
        gp->scratch = NULL;
        free(gp->kcache);
        gp->kcache = NULL;
        memcpy(gp->X + n * d, Xq, q * d * sizeof *Xq);
        memcpy(gp->y + n, yq, q * sizeof *yq);
        for (size_t a = 0; a < q; a++) gp->z[n + a] = (yq[a] - (pmq ? pmq[a] : 0.0) - gp->mu) / gp->sd;
        memcpy(gp->xsp + n * dc, ts, q * dc * sizeof *ts);
        memcpy(gp->xc + n * dk, tc, q * dk * sizeof *tc);
        gp->n = N;
        memcpy(gp->alpha, gp->z, N * sizeof *gp->alpha);
        chol_solve(gp->L, N, gp->alpha);
        double quad = 0.0, logdet = 0.0;
        for (size_t i = 0; i < N; i++) {
            quad += gp->z[i] * gp->alpha[i];
            logdet += log(gp->L[i * N + i]);
        }
        gp->lml_std = -0.5 * quad - logdet - 0.5 * (double)N * GP_LOG2PI;
        gp->ready = 1;
    }
fail:
    free(Lnew);
    free(B);
    free(ts);
    free(tc);
    return st;
}
