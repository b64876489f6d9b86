/* costfront: the joint posterior pieces of the q-batch noisy acquisition (see optimizer/qnehvi.h). */
#include "optimizer/qnehvi.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cf_gp_joint {
    size_t n, nb, S, d, dc, dk;
    size_t *cidx, *kidx; /* continuous and categorical column indices */
    double *il;          /* dc inverse lengthscales */
    double *icl;         /* dk inverse categorical lengthscales */
    double s2, sd2;      /* standardised signal variance; y units per standardised unit */
    double *xs;          /* n x dc scaled training inputs */
    int *xc;             /* n x dk training categories */
    double *bs;          /* nb x dc scaled baseline inputs */
    int *bc;             /* nb x dk baseline categories */
    double *L;           /* n x n: lower Cholesky factor of K + (sn2 + jitter) I (standardised) */
    double *A;           /* n x nb: L^-1 k(X, B) */
    double *LB;          /* nb x nb: lower Cholesky factor of the posterior covariance at B (y units) */
    double *Z;           /* S x nb base samples */
    double *fs;          /* S x nb baseline samples */
    double *kx, *v, *c;  /* scratch n, n, nb */
};

/* Kernel of the GP (gp.h): s2 M52(r) prod_c exp(-[a_c != b_c] / l_c) from scaled continuous coordinates. */
static double kern(const cf_gp_joint *j, const double *a, const int *ca, const double *b, const int *cb)
{
    double r2 = 0.0, h = 0.0;
    for (size_t c = 0; c < j->dc; c++) {
        double t = a[c] - b[c];
        r2 += t * t;
    }
    for (size_t c = 0; c < j->dk; c++)
        if (ca[c] != cb[c]) h += j->icl[c];
    double sr = sqrt(5.0 * r2);
    return j->s2 * (1.0 + sr + sr * sr / 3.0) * exp(-sr - h);
}

/* Scales one row x (d columns) into its continuous coordinates xs (dc) and categories xc (dk). */
static void scale_row(const cf_gp_joint *j, const double *x, double *xs, int *xc)
{
    for (size_t c = 0; c < j->dc; c++) xs[c] = x[j->cidx[c]] * j->il[c];
    for (size_t c = 0; c < j->dk; c++) xc[c] = (int)x[j->kidx[c]];
}

/* Solves L v = b in place for the row-major lower-triangular m x m matrix L. */
static void forward(const double *L, size_t m, double *b)
{
    for (size_t i = 0; i < m; i++) {
        double s = b[i];
        const double *r = L + i * m;
        for (size_t k = 0; k < i; k++) s -= r[k] * b[k];
        b[i] = s / r[i];
    }
}

void cf_gp_joint_destroy(cf_gp_joint *j)
{
    if (j == NULL) return;
    free(j->cidx);
    free(j->kidx);
    free(j->il);
    free(j->icl);
    free(j->xs);
    free(j->xc);
    free(j->bs);
    free(j->bc);
    free(j->L);
    free(j->A);
    free(j->LB);
    free(j->Z);
    free(j->fs);
    free(j->kx);
    free(j->v);
    free(j->c);
    free(j);
}

/* Builds the handle: the training factor with the GP's own hyperparameters and jitter, A = L^-1 k(X, B), the
 * posterior covariance at B, s2 k(B, B) - A^T A (times sd2), checked against cf_gp_predict's variances, and its
 * factor (diagonal jitter grows until it factorises: pending points may repeat observed ones). */
cf_status cf_gp_joint_create(const cf_gp *gp, const int *kinds, const double *X, size_t n, const double *B, size_t nb,
                             const double *Z, size_t S, cf_gp_joint **out, cf_error *err)
{
    *out = NULL;
    if (gp == NULL || kinds == NULL || X == NULL || B == NULL || Z == NULL || n == 0 || nb == 0 || S == 0 ||
        cf_gp_n(gp) != n)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_gp_joint_create: bad arguments.");
    size_t d = cf_gp_dim(gp), nt = cf_gp_n_hypers(gp);
    cf_gp_joint *j = calloc(1, sizeof *j);
    double *theta = malloc(nt * sizeof *theta), *mu = malloc(nb * sizeof *mu), *var = malloc(nb * sizeof *var);
    cf_status st = CF_OK;
    if (j == NULL || theta == NULL || mu == NULL || var == NULL) goto oom;
    j->n = n;
    j->nb = nb;
    j->S = S;
    j->d = d;
    j->cidx = malloc(d * sizeof *j->cidx);
    j->kidx = malloc(d * sizeof *j->kidx);
    j->il = malloc(d * sizeof *j->il);
    j->icl = malloc(d * sizeof *j->icl);
    j->xs = malloc(n * d * sizeof *j->xs + 1);
    j->xc = malloc(n * d * sizeof *j->xc + 1);
    j->bs = malloc(nb * d * sizeof *j->bs + 1);
    j->bc = malloc(nb * d * sizeof *j->bc + 1);
    j->L = malloc(n * n * sizeof *j->L);
    j->A = malloc(n * nb * sizeof *j->A);
    j->LB = malloc(nb * nb * sizeof *j->LB);
    j->Z = malloc(S * nb * sizeof *j->Z);
    j->fs = malloc(S * nb * sizeof *j->fs);
    j->kx = malloc(n * sizeof *j->kx);
    j->v = malloc(n * sizeof *j->v);
    j->c = malloc(nb * sizeof *j->c);
    if (!j->cidx || !j->kidx || !j->il || !j->icl || !j->xs || !j->xc || !j->bs || !j->bc || !j->L || !j->A ||
        !j->LB || !j->Z || !j->fs || !j->kx || !j->v || !j->c)
        goto oom;
    cf_gp_get_theta(gp, theta);
    for (size_t c = 0; c < d; c++) {
        if (kinds[c] > 0) {
            j->icl[j->dk] = exp(-theta[c]);
            j->kidx[j->dk++] = c;
        } else {
            j->il[j->dc] = exp(-theta[c]);
            j->cidx[j->dc++] = c;
        }
    }
    j->s2 = exp(theta[d]);
    double sn = exp(theta[d + 1]) + cf_gp_jitter(gp);
    j->sd2 = cf_gp_signal_var(gp) / j->s2;
    for (size_t i = 0; i < n; i++) scale_row(j, X + i * d, j->xs + i * j->dc, j->xc + i * j->dk);
    for (size_t i = 0; i < nb; i++) scale_row(j, B + i * d, j->bs + i * j->dc, j->bc + i * j->dk);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < i; k++)
            j->L[i * n + k] = kern(j, j->xs + i * j->dc, j->xc + i * j->dk, j->xs + k * j->dc, j->xc + k * j->dk);
        j->L[i * n + i] = j->s2 + sn;
    }
    gsl_matrix_view Lv = gsl_matrix_view_array(j->L, n, n);
    if (gsl_linalg_cholesky_decomp1(&Lv.matrix) != GSL_SUCCESS) {
        st = cf_error_set(err, CF_ERR_NUMERIC, NULL, 0, 0, NULL, "The training kernel matrix does not factorise.");
        goto fail;
    }
    /* A column by column: A[:, b] = L^-1 k(X, b). */
    for (size_t b = 0; b < nb; b++) {
        for (size_t i = 0; i < n; i++)
            j->v[i] = kern(j, j->xs + i * j->dc, j->xc + i * j->dk, j->bs + b * j->dc, j->bc + b * j->dk);
        forward(j->L, n, j->v);
        for (size_t i = 0; i < n; i++) j->A[i * nb + b] = j->v[i];
    }
    if (cf_gp_predict(gp, B, nb, NULL, mu, var, NULL, err) != CF_OK) {
        st = CF_ERR_NUMERIC;
        goto fail;
    }
    for (size_t a = 0; a < nb; a++)
        for (size_t b = 0; b <= a; b++) {
            double s = kern(j, j->bs + a * j->dc, j->bc + a * j->dk, j->bs + b * j->dc, j->bc + b * j->dk);
            for (size_t i = 0; i < n; i++) s -= j->A[i * nb + a] * j->A[i * nb + b];
            j->LB[a * nb + b] = j->sd2 * s;
        }
    for (size_t a = 0; a < nb; a++) {
        double diff = fabs(fmax(j->LB[a * nb + a], 0.0) - var[a]);
        if (!(diff <= 1e-6 * j->s2 * j->sd2 + 1e-9 * fabs(var[a]))) {
            st = cf_error_set(err, CF_ERR_NUMERIC, NULL, 0, 0, NULL,
                              "The joint posterior disagrees with the GP's variance at a baseline point (%g vs %g).",
                              j->LB[a * nb + a], var[a]);
            goto fail;
        }
    }
    double *cp = malloc(nb * nb * sizeof *cp);
    if (cp == NULL) goto oom;
    int ok = 0;
    for (double jit = 1e-10; jit < 1.0 && !ok; jit *= 100.0) {
        for (size_t a = 0; a < nb; a++)
            for (size_t b = 0; b < nb; b++) cp[a * nb + b] = b <= a ? j->LB[a * nb + b] : 0.0;
        for (size_t a = 0; a < nb; a++) cp[a * nb + a] += jit * j->s2 * j->sd2;
        gsl_matrix_view C = gsl_matrix_view_array(cp, nb, nb);
        ok = gsl_linalg_cholesky_decomp1(&C.matrix) == GSL_SUCCESS;
    }
    if (ok)
        for (size_t a = 0; a < nb; a++)
            for (size_t b = 0; b < nb; b++) j->LB[a * nb + b] = b <= a ? cp[a * nb + b] : 0.0;
    free(cp);
    if (!ok) {
        st = cf_error_set(err, CF_ERR_NUMERIC, NULL, 0, 0, NULL, "The baseline covariance does not factorise.");
        goto fail;
    }
    memcpy(j->Z, Z, S * nb * sizeof *Z);
    for (size_t s = 0; s < S; s++)
        for (size_t a = 0; a < nb; a++) {
            double f = mu[a];
            for (size_t b = 0; b <= a; b++) f += j->LB[a * nb + b] * Z[s * nb + b];
            j->fs[s * nb + a] = f;
        }
    free(theta);
    free(mu);
    free(var);
    *out = j;
    return CF_OK;
oom:
    st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
fail:
    free(theta);
    free(mu);
    free(var);
    cf_gp_joint_destroy(j);
    return st;
}

const double *cf_gp_joint_samples(const cf_gp_joint *j) { return j ? j->fs : NULL; }

/* cov(f_B, f_x) = sd2 (k(B, x) - A^T L^-1 k(X, x)), w = L_B^-1 cov, shifts Z w (see the header). */
double cf_gp_joint_condition(const cf_gp_joint *j, const double *x, double var, double *shift)
{
    size_t n = j->n, nb = j->nb;
    double xs[64], *xsp = xs;
    int xc[64], *xcp = xc;
    if (j->d > 64) {
        xsp = malloc(j->d * sizeof *xsp);
        xcp = malloc(j->d * sizeof *xcp);
        if (xsp == NULL || xcp == NULL) {
            free(xsp);
            free(xcp);
            for (size_t s = 0; s < j->S; s++) shift[s] = 0.0;
            return var;
        }
    }
    scale_row(j, x, xsp, xcp);
    for (size_t i = 0; i < n; i++) j->v[i] = kern(j, j->xs + i * j->dc, j->xc + i * j->dk, xsp, xcp);
    forward(j->L, n, j->v);
    for (size_t b = 0; b < nb; b++) j->c[b] = kern(j, j->bs + b * j->dc, j->bc + b * j->dk, xsp, xcp);
    for (size_t i = 0; i < n; i++) {
        double vi = j->v[i];
        const double *Ai = j->A + i * nb;
        for (size_t b = 0; b < nb; b++) j->c[b] -= Ai[b] * vi;
    }
    for (size_t b = 0; b < nb; b++) j->c[b] *= j->sd2;
    forward(j->LB, nb, j->c);
    double ww = 0.0;
    for (size_t b = 0; b < nb; b++) ww += j->c[b] * j->c[b];
    for (size_t s = 0; s < j->S; s++) {
        const double *z = j->Z + s * nb;
        double t = 0.0;
        for (size_t b = 0; b < nb; b++) t += z[b] * j->c[b];
        shift[s] = t;
    }
    if (xsp != xs) {
        free(xsp);
        free(xcp);
    }
    return fmax(var - ww, 0.0);
}

cf_status cf_qmc_normals(size_t S, size_t D, unsigned long seed, double *Z, cf_error *err)
{
    size_t ds = D < 40 ? D : 40;
    gsl_qrng *q = ds ? gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)ds) : NULL;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double u[40], shift[40];
    if ((ds && q == NULL) || r == NULL) {
        gsl_qrng_free(q);
        gsl_rng_free(r);
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    }
    gsl_rng_set(r, seed ^ 0x2545f491UL);
    for (size_t k = 0; k < ds; k++) shift[k] = gsl_rng_uniform(r);
    for (size_t s = 0; s < S; s++) {
        if (ds) gsl_qrng_get(q, u);
        for (size_t k = 0; k < ds; k++) {
            double w = u[k] + shift[k];
            w -= floor(w);
            if (w <= 0.0) w = 0.5 / 4294967296.0;
            Z[s * D + k] = gsl_cdf_ugaussian_Pinv(w);
        }
        for (size_t k = ds; k < D; k++) Z[s * D + k] = gsl_ran_gaussian_ziggurat(r, 1.0);
    }
    gsl_qrng_free(q);
    gsl_rng_free(r);
    return CF_OK;
}

size_t cf_gp_joint_nsamples(const cf_gp_joint *j) { return j ? j->S : 0; }

/* One front per sample, decomposed once (see the header): the candidate loop then only evaluates boxes. */
cf_status cf_qnehvi_boxes(const cf_gp_joint *const *J, size_t M, const unsigned char *pin, const double *fac,
                          const double *ref, cf_hvboxes **boxes, cf_error *err)
{
    if (J == NULL || M == 0 || J[0] == NULL || pin == NULL || ref == NULL || boxes == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_qnehvi_boxes: bad arguments.");
    size_t S = J[0]->S, nb = J[0]->nb;
    for (size_t j = 1; j < M; j++)
        if (J[j] == NULL || J[j]->S != S || J[j]->nb != nb)
            return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_qnehvi_boxes: the handles disagree.");
    for (size_t s = 0; s < S; s++) boxes[s] = NULL;
    double *fr = malloc((nb + 1) * M * sizeof *fr);
    if (fr == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    cf_status st = CF_OK;
    for (size_t s = 0; s < S && st == CF_OK; s++) {
        size_t k = 0;
        for (size_t i = 0; i < nb; i++) {
            if (!pin[i]) continue;
            for (size_t j = 0; j < M; j++) {
                double v = J[j]->fs[s * nb + i];
                if (fac != NULL && !isnan(fac[i * M + j])) v = fac[i * M + j] * exp(v);
                fr[k * M + j] = v;
            }
            k++;
        }
        st = cf_hvboxes_create(fr, k, M, ref, &boxes[s], err);
    }
    free(fr);
    if (st != CF_OK)
        for (size_t s = 0; s < S; s++) {
            cf_hvboxes_destroy(boxes[s]);
            boxes[s] = NULL;
        }
    return st;
}

/* Conditions each objective's prediction on every baseline sample and averages the exact EHVI (see the header). */
double cf_qnehvi_point(const cf_gp_joint *const *J, size_t M, cf_hvboxes *const *boxes, const double *x,
                       const double *mu, const double *var, const double *fac, double *shift)
{
    size_t S = J[0]->S;
    double vc[16], m[16], sd[16], tot = 0.0;
    if (M > 16) return NAN;
    for (size_t j = 0; j < M; j++) {
        size_t r = j; /* a handle shared with an earlier objective is conditioned once */
        for (size_t k = 0; k < j; k++)
            if (J[k] == J[j]) {
                r = k;
                break;
            }
        if (r == j)
            vc[j] = cf_gp_joint_condition(J[j], x, var[j], shift + j * S);
        else {
            vc[j] = vc[r];
            memcpy(shift + j * S, shift + r * S, S * sizeof *shift);
        }
    }
    for (size_t s = 0; s < S; s++) {
        int bad = 0;
        for (size_t j = 0; j < M && !bad; j++) {
            double g = mu[j] + shift[j * S + s], v = vc[j];
            if (fac == NULL || isnan(fac[j])) {
                m[j] = g;
                sd[j] = sqrt(v);
                continue;
            }
            double f = fac[j];
            if (f == 0.0) {
                m[j] = sd[j] = 0.0;
                continue;
            }
            double e = exp(g + 0.5 * v), s2 = expm1(v) * e * e;
            m[j] = f * e;
            sd[j] = fabs(f) * sqrt(s2);
            bad = !isfinite(m[j]) || !isfinite(sd[j]);
        }
        if (!bad) tot += cf_hvboxes_ehvi(boxes[s], m, sd);
    }
    return tot / (double)S;
}
