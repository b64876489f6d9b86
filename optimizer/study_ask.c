/* costfront: how a study asks (see study.h for the method and its citations): the initial design, the GP model
 * with its hyperparameter cache, the acquisition and its maximisation, and the ask that several worker processes
 * may run on one study file at once. */
#include "optimizer/study_internal.h"

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <nlopt.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/ehvi.h"
#include "costfront/gp.h"
#include "optimizer/qnehvi.h"

/* ---- Initial design ---- */

/* Writes point `index` of the digitally shifted Sobol sequence in np dimensions into u (Sobol for the first 40
 * dimensions, the seeded RNG beyond, which GSL's generator does not cover). */
static cf_status sobol_point(size_t np, size_t index, unsigned long seed, double *u, cf_error *err)
{
    size_t ds = np < 40 ? np : 40;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)ds);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (q == NULL || r == NULL) {
        gsl_qrng_free(q);
        gsl_rng_free(r);
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    }
    gsl_rng_set(r, seed);
    uint32_t shift[40];
    for (size_t j = 0; j < ds; j++) {
        uint32_t hi16 = (uint32_t)gsl_rng_get(r);
        shift[j] = hi16 ^ ((uint32_t)gsl_rng_get(r) << 16);
    }
    for (size_t k = 0; k <= index; k++) gsl_qrng_get(q, u);
    for (size_t j = 0; j < ds; j++) {
        uint32_t v = (uint32_t)(u[j] * 4294967296.0) ^ shift[j];
        u[j] = ((double)v + 0.5) / 4294967296.0;
    }
    /* Dimensions beyond 40: a stream of the RNG reseeded by (seed, index), so each index is reproducible. */
    if (np > ds) {
        gsl_rng_set(r, seed * 2654435761UL + index + 1);
        for (size_t j = ds; j < np; j++) u[j] = gsl_rng_uniform(r);
    }
    gsl_qrng_free(q);
    gsl_rng_free(r);
    return CF_OK;
}

/* Maps unit-cube coordinates to the encoded space: categorical columns become indices. */
static void unit_to_encoded(const int *kinds, size_t np, const double *u, double *x)
{
    for (size_t j = 0; j < np; j++) {
        if (kinds[j] > 0) {
            double k = floor(u[j] * kinds[j]);
            x[j] = k >= kinds[j] ? kinds[j] - 1 : k;
        } else {
            x[j] = u[j];
        }
    }
}

/* ---- Acquisition ---- */

typedef struct {
    size_t np, M, C;  /* params, objectives, constraints */
    const int *kinds; /* GP column kinds */
    size_t ncont;     /* continuous columns */
    size_t *cont;     /* their indices */
    size_t ncat;      /* categorical columns */
    size_t *cat;      /* their indices */
    cf_gp **gps;      /* the model GPs (see model_points for their order) */
    size_t ngp;
    int *src;               /* M + C: index in gps of each metric's GP, -1 when the metric is not modelled */
    const cost_model *cost; /* derived metrics (cost-aware studies) */
    const cf_space *space;
    int parego;         /* 1: EI of gps[0] below best */
    double best;        /* ParEGO incumbent */
    cf_hvboxes **boxes; /* EHVI boxes: one decomposition per sampled front (nboxes of them) */
    size_t nboxes;
    double *gm, *gv;    /* scratch ngp x cap: GP means and variances */
    double *mean, *var; /* scratch (M + C) x cap: metric means and variances (objectives minimised) */
    double *lm;         /* scratch (M + C) x cap: log-space means of derived metrics */
    unsigned char *bad; /* scratch cap: 1 where no offer prices the point */
    size_t cap;
    double *xfull; /* scratch np */
    size_t nevals;
    /* qNEHVI (noisy batches, see nehvi_setup): when joint is set, boxes[s] is the front of baseline sample s and
     * each candidate's prediction is conditioned on that sample. */
    cf_gp_joint **joint; /* ngp entries, NULL for a GP behind no objective */
    double *shift;       /* scratch M x nboxes: conditional mean shifts per sample */
} acq_ctx;

static double g_partial(double c, double mu, double s)
{
    double dm = c - mu;
    if (s <= 0.0) return dm > 0.0 ? dm : 0.0;
    double z = dm / s;
    return dm * 0.5 * erfc(-z * M_SQRT1_2) + s * exp(-0.5 * z * z) * 0.3989422804014327;
}

static int ensure_cap(acq_ctx *a, size_t m)
{
    if (m <= a->cap) return 0;
    size_t k = a->M + a->C, g = a->ngp ? a->ngp : 1;
    double *p;
    if ((p = realloc(a->gm, g * m * sizeof *p)) == NULL) return -1;
    a->gm = p;
    if ((p = realloc(a->gv, g * m * sizeof *p)) == NULL) return -1;
    a->gv = p;
    if ((p = realloc(a->mean, k * m * sizeof *p)) == NULL) return -1;
    a->mean = p;
    if ((p = realloc(a->var, k * m * sizeof *p)) == NULL) return -1;
    a->var = p;
    if ((p = realloc(a->lm, k * m * sizeof *p)) == NULL) return -1;
    a->lm = p;
    unsigned char *b = realloc(a->bad, m);
    if (b == NULL) return -1;
    a->bad = b;
    a->cap = m;
    return 0;
}

/* Predicts every modelled metric at the m encoded points X into a->mean / a->var (objectives minimised). A derived
 * cost metric D = f(x) G, with log G ~ N(m, v) from the GPU-hours GP, is log-normal: log D ~ N(m + log f, v); its
 * mean f e^(m + v/2) and variance (e^v - 1) f^2 e^(2m + v) are the moments of the Gaussian that EHVI sees
 * (moment matching), and a->lm keeps m + log f for the exact probability of feasibility. Returns nonzero on
 * failure. */
static int predict_metrics(acq_ctx *a, const double *X, size_t m)
{
    if (ensure_cap(a, m)) return -1;
    for (size_t g = 0; g < a->ngp; g++)
        if (cf_gp_predict(a->gps[g], X, m, NULL, a->gm + g * m, a->gv + g * m, NULL, NULL) != CF_OK) return -1;
    memset(a->bad, 0, m);
    for (size_t k = 0; k < a->M + a->C; k++) {
        if (a->src[k] < 0) continue;
        const double *gm = a->gm + (size_t)a->src[k] * m, *gv = a->gv + (size_t)a->src[k] * m;
        int d = a->cost->active ? a->cost->der[k] : -1;
        double sign = k < a->M && cf_space_objective_maximize(a->space, k) ? -1.0 : 1.0;
        for (size_t i = 0; i < m; i++) {
            if (d < 0) {
                a->mean[k * m + i] = gm[i];
                a->var[k * m + i] = gv[i];
                continue;
            }
            double f = cf_study_cost_factor(a->cost, d, X + i * a->np), v = fmax(gv[i], 0.0);
            double lmu = gm[i] + log(f);
            double mu = exp(lmu + 0.5 * v), var = expm1(v) * exp(2.0 * lmu + v);
            if (f == 0.0) {
                mu = var = 0.0;
            } else if (!(f > 0.0) || !isfinite(mu) || !isfinite(var)) {
                a->bad[i] = 1; /* no price, or a cost beyond any front: no improvement there */
                mu = var = 0.0;
            }
            a->lm[k * m + i] = lmu;
            a->mean[k * m + i] = sign * mu;
            a->var[k * m + i] = var;
        }
    }
    return 0;
}

/* Probability that constraint c holds at point i of the last predict_metrics call (Gardner et al. 2014): the
 * Gaussian tail for a modelled metric, the exact log-normal tail for a derived cost. */
static double prob_feasible(const acq_ctx *a, size_t c, size_t i, size_t m)
{
    size_t k = a->M + c;
    double thr = cf_space_constraint_value(a->space, c);
    int ge = cf_space_constraint_op(a->space, c) == CF_CONSTRAINT_GE;
    if (a->cost->active && a->cost->der[k] >= 0) {
        if (thr <= 0.0) return ge ? 1.0 : 0.0;
        double ls = sqrt(fmax(a->gv[(size_t)a->src[k] * m + i], 1e-300)), lm = a->lm[k * m + i];
        double z = ge ? (lm - log(thr)) / ls : (log(thr) - lm) / ls;
        return 0.5 * erfc(-z * M_SQRT1_2);
    }
    double cm = a->mean[k * m + i], cs = sqrt(fmax(a->var[k * m + i], 1e-300));
    double z = ge ? (cm - thr) / cs : (thr - cm) / cs;
    return 0.5 * erfc(-z * M_SQRT1_2);
}

/* qNEHVI increment of candidate i (row x) of the last predict_metrics call on m points (cf_qnehvi_point on the
 * objectives' joint handles; a derived cost enters as its signed price factor at x). */
static double nehvi_point(acq_ctx *a, const double *x, size_t i, size_t m)
{
    size_t M = a->M;
    const cf_gp_joint *J[16];
    double mu[16], var[16], fac[16];
    if (M > 16) return 0.0;
    for (size_t j = 0; j < M; j++) {
        size_t g = (size_t)a->src[j];
        int dd = a->cost->active ? a->cost->der[j] : -1;
        J[j] = a->joint[g];
        mu[j] = a->gm[g * m + i];
        var[j] = a->gv[g * m + i];
        fac[j] = NAN;
        if (dd >= 0)
            fac[j] = (cf_space_objective_maximize(a->space, j) ? -1.0 : 1.0) * cf_study_cost_factor(a->cost, dd, x);
    }
    return cf_qnehvi_point(J, M, a->boxes, x, mu, var, fac, a->shift);
}

/* Evaluates the acquisition at m encoded points X (m x np) into out. Returns nonzero on failure. */
static int acq_eval(acq_ctx *a, const double *X, size_t m, double *out)
{
    if (predict_metrics(a, X, m)) return -1;
    double mu[16], sd[16];
    for (size_t i = 0; i < m; i++) {
        double v;
        if (a->bad[i]) {
            out[i] = 0.0;
            continue;
        }
        if (a->parego) {
            v = g_partial(a->best, a->gm[i], sqrt(fmax(a->gv[i], 0.0)));
        } else {
            for (size_t j = 0; j < a->M; j++) {
                mu[j] = a->mean[j * m + i];
                sd[j] = sqrt(fmax(a->var[j * m + i], 0.0));
            }
            v = 0.0;
            if (a->joint != NULL) {
                v = nehvi_point(a, X + i * a->np, i, m);
            } else {
                for (size_t b = 0; b < a->nboxes; b++) v += cf_hvboxes_ehvi(a->boxes[b], mu, sd);
                v /= (double)a->nboxes;
            }
        }
        for (size_t c = 0; c < a->C && v > 0.0; c++) v *= prob_feasible(a, c, i, m);
        out[i] = isfinite(v) ? v : 0.0;
    }
    a->nevals += m;
    return 0;
}

static double nlopt_obj(unsigned n, const double *z, double *grad, void *data)
{
    (void)grad;
    acq_ctx *a = data;
    for (unsigned j = 0; j < n; j++) a->xfull[a->cont[j]] = z[j];
    double v = 0.0;
    if (acq_eval(a, a->xfull, 1, &v)) return 0.0;
    return v;
}

/* Polishes the continuous columns of x (categoricals fixed) with BOBYQA (COBYLA in 1-D); updates x and *val. */
static void polish_continuous(acq_ctx *a, double *x, double *val, size_t maxeval)
{
    if (a->ncont == 0) return;
    nlopt_opt o = nlopt_create(a->ncont >= 2 ? NLOPT_LN_BOBYQA : NLOPT_LN_COBYLA, (unsigned)a->ncont);
    if (o == NULL) return;
    double *z = malloc(a->ncont * 3 * sizeof *z);
    if (z == NULL) {
        nlopt_destroy(o);
        return;
    }
    double *lo = z + a->ncont, *hi = lo + a->ncont;
    for (size_t j = 0; j < a->ncont; j++) {
        z[j] = x[a->cont[j]];
        lo[j] = 0.0;
        hi[j] = 1.0;
    }
    memcpy(a->xfull, x, a->np * sizeof *x);
    nlopt_set_lower_bounds(o, lo);
    nlopt_set_upper_bounds(o, hi);
    nlopt_set_max_objective(o, nlopt_obj, a);
    nlopt_set_maxeval(o, (int)maxeval);
    nlopt_set_xtol_rel(o, 1e-6);
    nlopt_set_ftol_rel(o, 1e-9);
    double step[64];
    if (a->ncont <= 64) {
        for (size_t j = 0; j < a->ncont; j++) step[j] = 0.05;
        nlopt_set_initial_step(o, step);
    }
    double f = 0.0;
    nlopt_result r = nlopt_optimize(o, z, &f);
    if (r > 0 && f > *val) {
        for (size_t j = 0; j < a->ncont; j++) x[a->cont[j]] = fmin(1.0, fmax(0.0, z[j]));
        *val = f;
    }
    free(z);
    nlopt_destroy(o);
}

/* Improves the categorical columns of x at fixed continuous columns: all combinations when there are at most 32,
 * otherwise one column at a time until nothing changes (at most 3 sweeps). Returns 1 when x changed. */
static int improve_categoricals(acq_ctx *a, double *x, double *val, size_t combos)
{
    if (a->ncat == 0) return 0;
    int changed = 0;
    double *cand = malloc(a->np * sizeof *cand);
    if (cand == NULL) return 0;
    if (combos <= 32) {
        double v;
        for (size_t c = 0; c < combos; c++) {
            memcpy(cand, x, a->np * sizeof *cand);
            size_t rest = c;
            for (size_t k = 0; k < a->ncat; k++) {
                size_t col = a->cat[k], nk = (size_t)a->kinds[col];
                cand[col] = (double)(rest % nk);
                rest /= nk;
            }
            if (acq_eval(a, cand, 1, &v) == 0 && v > *val) {
                *val = v;
                memcpy(x, cand, a->np * sizeof *cand);
                changed = 1;
            }
        }
    } else {
        for (int sweep = 0; sweep < 3; sweep++) {
            int any = 0;
            for (size_t k = 0; k < a->ncat; k++) {
                size_t col = a->cat[k];
                for (int l = 0; l < a->kinds[col]; l++) {
                    if ((double)l == x[col]) continue;
                    memcpy(cand, x, a->np * sizeof *cand);
                    cand[col] = l;
                    double v;
                    if (acq_eval(a, cand, 1, &v) == 0 && v > *val) {
                        *val = v;
                        x[col] = l;
                        any = changed = 1;
                    }
                }
            }
            if (!any) break;
        }
    }
    free(cand);
    return changed;
}

/* Maximises the acquisition: raw candidates (Sobol with a random shift, random categoricals, and Gaussian
 * perturbations of the anchor points), the best `restarts` polished, categoricals improved and re-polished.
 * Writes the best point to best_x and returns its value. */
static double maximise(acq_ctx *a, const cf_study *s, gsl_rng *rng, const double *anchors, size_t nanch,
                       const double *seed_x, double *best_x)
{
    /* A quick re-decision (s->quick) scores an eighth of the raw candidates and at most 32 perturbed anchors, and
     * polishes two at a quarter of the evaluations, with the point decided before (seed_x) among the candidates: when the trials that arrived
     * meanwhile are far from it, it stays the best; when one is close, its fantasy lowers the acquisition there
     * and another candidate wins. */
    size_t np = a->np, R = s->quick ? (s->raw_samples / 8 > 32 ? s->raw_samples / 8 : 32) : s->raw_samples;
    size_t P = nanch ? (nanch * 8 < 256 ? nanch * 8 : 256) : 0, S = seed_x ? 1 : 0;
    if (s->quick && P > 32) P = 32;
    size_t restarts = s->quick && s->restarts > 2 ? 2 : s->restarts;
    size_t maxeval = s->quick ? (s->maxeval / 4 > 20 ? s->maxeval / 4 : 20) : s->maxeval;
    size_t m = R + P + S;
    double *X = malloc(m * np * sizeof *X), *v = malloc(m * sizeof *v), *u = malloc(np * sizeof *u);
    size_t *order = malloc(m * sizeof *order);
    double bestv = -1.0;
    if (!X || !v || !u || !order) goto done;
    size_t ds = np < 40 ? np : 40;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)ds);
    if (q == NULL) goto done;
    double shift[40];
    for (size_t j = 0; j < ds; j++) shift[j] = gsl_rng_uniform(rng);
    for (size_t i = 0; i < R; i++) {
        gsl_qrng_get(q, u);
        for (size_t j = 0; j < np; j++) {
            double w = j < ds ? u[j] + shift[j] : gsl_rng_uniform(rng);
            u[j] = w - floor(w);
        }
        unit_to_encoded(a->kinds, np, u, X + i * np);
    }
    gsl_qrng_free(q);
    for (size_t i = 0; i < P; i++) {
        const double *base = anchors + (i % nanch) * np;
        double sdv = (i / nanch) % 2 ? 0.02 : 0.1;
        for (size_t j = 0; j < np; j++) {
            double w = base[j];
            if (a->kinds[j] == 0) w = fmin(1.0, fmax(0.0, w + gsl_ran_gaussian(rng, sdv)));
            X[(R + i) * np + j] = w;
        }
    }
    if (S) memcpy(X + (R + P) * np, seed_x, np * sizeof *X);
    if (acq_eval(a, X, m, v)) goto done;
    /* Partial selection of the top `restarts` candidates (stable: ties keep index order). */
    for (size_t i = 0; i < m; i++) order[i] = i;
    size_t top = restarts < m ? restarts : m;
    for (size_t t = 0; t < top; t++) {
        size_t bi = t;
        for (size_t i = t + 1; i < m; i++)
            if (v[order[i]] > v[order[bi]]) bi = i;
        size_t tmp = order[t];
        order[t] = order[bi];
        order[bi] = tmp;
    }
    size_t combos = cf_space_n_combinations(a->space);
    for (size_t t = 0; t < top; t++) {
        double *x = X + order[t] * np, val = v[order[t]];
        polish_continuous(a, x, &val, maxeval);
        if (improve_categoricals(a, x, &val, combos)) polish_continuous(a, x, &val, maxeval);
        if (val > bestv) {
            bestv = val;
            memcpy(best_x, x, np * sizeof *x);
        }
    }
done:
    free(X);
    free(v);
    free(u);
    free(order);
    return bestv;
}

/* ---- Noisy incumbents: sampled fronts ---- */

/* Number of joint posterior samples of the observed points (2 objectives; half of it beyond). */
#define CF_NEHVI_SAMPLES 16

static void boxes_free(acq_ctx *a)
{
    for (size_t b = 0; b < a->nboxes; b++) cf_hvboxes_destroy(a->boxes[b]);
    free(a->boxes);
    a->boxes = NULL;
    a->nboxes = 0;
}

/* Draws S joint samples of the latent value of GP g at the m encoded points Xs into out (S x m row-major), from
 * the posterior mean and covariance (cf_gp_predict_cov) and its Cholesky factor (diagonal jitter grows until the
 * factorisation succeeds). Returns nonzero on failure. */
static int sample_joint(cf_gp *g, const double *Xs, size_t m, size_t S, gsl_rng *rng, double *out)
{
    double *mu = malloc(m * sizeof *mu), *cov = malloc(m * m * sizeof *cov), *cp = malloc(m * m * sizeof *cp);
    double *z = malloc(m * sizeof *z);
    int rc = -1;
    if (!mu || !cov || !cp || !z || cf_gp_predict_cov(g, Xs, m, NULL, mu, cov, NULL) != CF_OK) goto done;
    double scale = 0.0;
    for (size_t i = 0; i < m; i++) scale = fmax(scale, cov[i * m + i]);
    if (!(scale > 0.0)) scale = 1.0;
    for (double jit = 1e-10; jit < 1.0; jit *= 100.0) {
        memcpy(cp, cov, m * m * sizeof *cp);
        for (size_t i = 0; i < m; i++) cp[i * m + i] += jit * scale;
        gsl_matrix_view L = gsl_matrix_view_array(cp, m, m);
        if (gsl_linalg_cholesky_decomp1(&L.matrix) == GSL_SUCCESS) {
            rc = 0;
            break;
        }
    }
    if (rc) goto done;
    for (size_t s = 0; s < S; s++) {
        for (size_t i = 0; i < m; i++) z[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
        for (size_t i = 0; i < m; i++) { /* lower triangle of cp holds L */
            double v = mu[i];
            for (size_t k = 0; k <= i; k++) v += cp[i * m + k] * z[k];
            out[s * m + i] = v;
        }
    }
done:
    free(mu);
    free(cov);
    free(cp);
    free(z);
    return rc;
}

/* Builds the EHVI decompositions for the candidate front points PX[0..mtot) with use[i] set, whose posterior
 * means (minimised objectives) are pts (mtot x M, from the last predict_metrics call on PX).
 *
 * When the latent posterior standard deviation at the points inside the reference box is negligible (below 1% of
 * the distance from the best value to the reference point in every objective, which is the case for noiseless
 * observations, where it is the GP's noise floor), one decomposition of the
 * posterior-mean front is built. Otherwise the incumbents are uncertain, and, as qNEHVI does (Daulton, Balandat &
 * Bakshy, NeurIPS 2021, "Parallel Bayesian optimization of multiple noisy objectives with expected hypervolume
 * improvement", eq. 3), the acquisition integrates over the posterior of the observed points: S joint samples of
 * the latent objectives at those points (one joint draw per GP, so points stay correlated; a derived cost is
 * factor x exp(sample of log gpu_hours)), one front and one decomposition per sample, and EHVI averaged over
 * the S decompositions. The draws come from their own RNG seeded by seed, so the result is deterministic.
 * Returns a cf_status. */
static cf_status build_boxes(acq_ctx *a, const double *PX, size_t mtot, const unsigned char *use, const double *pts,
                             const double *ref, unsigned long seed, cf_error *err)
{
    size_t M = a->M, np = a->np, m = 0;
    boxes_free(a);
    double *lo = malloc(M * sizeof *lo), *sdmax = calloc(M, sizeof *sdmax);
    size_t *sel = malloc((mtot ? mtot : 1) * sizeof *sel);
    double *Xs = NULL, *draws = NULL, *fr = NULL;
    gsl_rng *rng = NULL;
    cf_status st = CF_OK;
    if (!lo || !sdmax || !sel) goto oom;
    for (size_t j = 0; j < M; j++) lo[j] = ref[j];
    for (size_t i = 0; i < mtot; i++)
        if (use[i]) {
            sel[m++] = i;
            int inside = 1;
            for (size_t j = 0; j < M; j++) {
                lo[j] = fmin(lo[j], pts[i * M + j]);
                inside &= pts[i * M + j] < ref[j];
            }
            for (size_t j = 0; j < M && inside; j++) sdmax[j] = fmax(sdmax[j], sqrt(fmax(a->var[j * mtot + i], 0.0)));
        }
    int noisy = 0;
    for (size_t j = 0; j < M; j++) noisy |= m > 0 && sdmax[j] > 1e-2 * (ref[j] - lo[j]);
    size_t S = noisy ? (M == 2 ? CF_NEHVI_SAMPLES : CF_NEHVI_SAMPLES / 2) : 1;
    fr = malloc((m ? m : 1) * M * sizeof *fr);
    a->boxes = calloc(S, sizeof *a->boxes);
    if (!fr || !a->boxes) goto oom;
    if (!noisy) {
        size_t k = 0;
        for (size_t i = 0; i < m; i++) memcpy(fr + k++ * M, pts + sel[i] * M, M * sizeof *fr);
        st = cf_hvboxes_create(fr, k, M, ref, &a->boxes[0], err);
        if (st == CF_OK) a->nboxes = 1;
        goto done;
    }
    /* Joint samples of every objective's GP at the selected points. */
    Xs = malloc(m * np * sizeof *Xs);
    draws = malloc((size_t)a->ngp * S * m * sizeof *draws);
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!Xs || !draws || !rng) goto oom;
    gsl_rng_set(rng, seed ^ 0x9e3779b9UL);
    for (size_t i = 0; i < m; i++) memcpy(Xs + i * np, PX + sel[i] * np, np * sizeof *Xs);
    unsigned char done_g[64] = {0};
    for (size_t j = 0; j < M; j++) {
        int g = a->src[j];
        if (g < 0 || g >= 64 || done_g[g]) continue;
        done_g[g] = 1;
        if (sample_joint(a->gps[g], Xs, m, S, rng, draws + (size_t)g * S * m)) {
            st = cf_error_set(err, CF_ERR_NUMERIC, NULL, 0, 0, NULL,
                              "Sampling the posterior at the observed "
                              "points failed.");
            goto done;
        }
    }
    for (size_t s = 0; s < S && st == CF_OK; s++) {
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < M; j++) {
                int g = a->src[j], dd = a->cost->active ? a->cost->der[j] : -1;
                double v = g >= 0 ? draws[((size_t)g * S + s) * m + i] : pts[sel[i] * M + j];
                if (g >= 0 && dd >= 0) {
                    double sign = cf_space_objective_maximize(a->space, j) ? -1.0 : 1.0;
                    v = sign * cf_study_cost_factor(a->cost, dd, Xs + i * np) * exp(v);
                }
                fr[i * M + j] = v;
            }
        st = cf_hvboxes_create(fr, m, M, ref, &a->boxes[s], err);
        if (st == CF_OK) a->nboxes = s + 1;
    }
    goto done;
oom:
    st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
done:
    free(lo);
    free(sdmax);
    free(sel);
    free(Xs);
    free(draws);
    free(fr);
    gsl_rng_free(rng);
    return st;
}

/* ---- Noisy batches: qNEHVI ---- */

/* Baseline samples per greedy step: 2 objectives, half of it beyond (more boxes per front). */
#define CF_QNEHVI_SAMPLES 64
/* At most this many observed points join the baseline (those most often on a sampled front). */
#define CF_QNEHVI_MAX_BASE 48

static void joint_free(acq_ctx *a)
{
    for (size_t g = 0; a->joint && g < a->ngp; g++) cf_gp_joint_destroy(a->joint[g]);
    free(a->joint);
    a->joint = NULL;
}

/* Whether the observed incumbents are uncertain: the latent posterior standard deviation at the m points PX with
 * use[i] set that lie inside the reference box exceeds 1% of the distance from the best posterior mean to the
 * reference point in some objective (the gate of build_boxes; noiseless data sit at the GP's noise floor, far
 * below it). -1 when the prediction fails. */
static int incumbents_noisy(acq_ctx *a, const double *PX, size_t m, const unsigned char *use, const double *ref)
{
    if (m == 0) return 0;
    if (predict_metrics(a, PX, m)) return -1;
    size_t M = a->M;
    double lo[16], sdmax[16];
    for (size_t j = 0; j < M; j++) {
        lo[j] = ref[j];
        sdmax[j] = 0.0;
    }
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        if (!use[i] || a->bad[i]) continue;
        int inside = 1;
        for (size_t j = 0; j < M; j++) {
            lo[j] = fmin(lo[j], a->mean[j * m + i]);
            inside &= a->mean[j * m + i] < ref[j];
        }
        for (size_t j = 0; j < M && inside; j++) sdmax[j] = fmax(sdmax[j], sqrt(fmax(a->var[j * m + i], 0.0)));
        k++;
    }
    int noisy = 0;
    for (size_t j = 0; j < M; j++) noisy |= k > 0 && sdmax[j] > 1e-2 * (ref[j] - lo[j]);
    return noisy;
}

/* Prunes the observed feasible points (rows of PX with use[i] set) to those that may be on the front, as BoTorch's
 * prune_baseline does: S joint posterior samples of the objectives at those points, and a point is kept when it
 * is nondominated and inside the reference box in at least one sample; beyond CF_QNEHVI_MAX_BASE the most frequent
 * are kept (ties by index). Writes the kept indices to keep and their number to *nkeep. Returns a cf_status. */
static cf_status nehvi_prune(acq_ctx *a, const double *PX, size_t m, const unsigned char *use, const double *ref,
                             unsigned long seed, size_t *keep, size_t *nkeep, cf_error *err)
{
    size_t M = a->M, np = a->np, S = 32, k = 0;
    *nkeep = 0;
    size_t *sel = malloc((m ? m : 1) * sizeof *sel), *cnt = calloc(m ? m : 1, sizeof *cnt);
    double *Xs = malloc((m ? m : 1) * np * sizeof *Xs), *draws = NULL, *fr = malloc((m ? m : 1) * M * sizeof *fr);
    unsigned char *all = malloc(m + 1), *nd = malloc(m + 1);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    cf_status st = CF_OK;
    if (!sel || !cnt || !Xs || !fr || !all || !nd || !rng) goto oom;
    for (size_t i = 0; i < m; i++)
        if (use[i]) {
            memcpy(Xs + k * np, PX + i * np, np * sizeof *Xs);
            sel[k++] = i;
        }
    if (k == 0) goto done;
    if ((draws = malloc(a->ngp * S * k * sizeof *draws)) == NULL) goto oom;
    gsl_rng_set(rng, seed ^ 0x27d4eb2dUL);
    unsigned char done_g[64] = {0};
    for (size_t j = 0; j < M; j++) {
        int g = a->src[j];
        if (g < 0 || g >= 64 || done_g[g]) continue;
        done_g[g] = 1;
        if (sample_joint(a->gps[g], Xs, k, S, rng, draws + (size_t)g * S * k)) {
            st = cf_error_set(err, CF_ERR_NUMERIC, NULL, 0, 0, NULL, "Sampling the posterior at the observed points failed.");
            goto done;
        }
    }
    for (size_t s = 0; s < S; s++) {
        for (size_t i = 0; i < k; i++) {
            all[i] = 1;
            for (size_t j = 0; j < M; j++) {
                int g = a->src[j], dd = a->cost->active ? a->cost->der[j] : -1;
                double v = draws[((size_t)g * S + s) * k + i];
                if (dd >= 0) {
                    double sign = cf_space_objective_maximize(a->space, j) ? -1.0 : 1.0;
                    v = sign * cf_study_cost_factor(a->cost, dd, Xs + i * np) * exp(v);
                }
                fr[i * M + j] = v;
                if (!(v < ref[j])) all[i] = 0;
            }
        }
        cf_study_nondominated(fr, k, M, all, nd);
        for (size_t i = 0; i < k; i++) cnt[i] += nd[i] && all[i];
    }
    size_t nk = 0;
    for (size_t i = 0; i < k; i++)
        if (cnt[i] > 0) keep[nk++] = i;
    if (nk > CF_QNEHVI_MAX_BASE) { /* keep the most frequent: a stable selection by count */
        for (size_t t = 0; t < CF_QNEHVI_MAX_BASE; t++) {
            size_t bi = t;
            for (size_t u = t + 1; u < nk; u++)
                if (cnt[keep[u]] > cnt[keep[bi]]) bi = u;
            size_t tmp = keep[t];
            keep[t] = keep[bi];
            keep[bi] = tmp;
        }
        nk = CF_QNEHVI_MAX_BASE;
    }
    for (size_t i = 0; i < nk; i++) keep[i] = sel[keep[i]];
    *nkeep = nk;
    goto done;
oom:
    st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
done:
    free(sel);
    free(cnt);
    free(Xs);
    free(draws);
    free(fr);
    free(all);
    free(nd);
    gsl_rng_free(rng);
    return st;
}

/* Prepares one greedy step of qNEHVI (Daulton, Balandat & Bakshy 2021) on the nb baseline rows B (the pruned
 * observed points, then the pending trials and the points already chosen for this batch, pin[i] = 1 for those
 * that enter every sampled front: the observed ones and the pending ones predicted feasible). For each objective
 * GP g (fitted on its training rows gX[g], gN[g] of them), S fixed quasi-random base samples (cf_qmc_normals)
 * give joint samples at B; sample s's front is decomposed into boxes once, and a candidate is then scored by
 * nehvi_point. Choosing the q points one after another with the chosen ones in the baseline is BoTorch's
 * sequential greedy optimisation of qNEHVI: each step maximises exactly the increment of the joint
 * acquisition. Returns a cf_status (CF_ERR_NUMERIC when the joint posterior cannot be built). */
static cf_status nehvi_setup(acq_ctx *a, const int *kinds, double *const *gX, const size_t *gN, const double *B,
                             size_t nb, const unsigned char *pin, const double *ref, unsigned long seed,
                             cf_error *err)
{
    size_t M = a->M, np = a->np, S = M == 2 ? CF_QNEHVI_SAMPLES : CF_QNEHVI_SAMPLES / 2;
    boxes_free(a);
    joint_free(a);
    size_t G = 0;
    unsigned char isobj[64] = {0};
    for (size_t j = 0; j < M; j++)
        if (a->src[j] >= 0 && a->src[j] < 64 && !isobj[a->src[j]]) {
            isobj[a->src[j]] = 1;
            G++;
        }
    double *Z = malloc(S * (G * nb + 1) * sizeof *Z), *Zg = malloc(S * (nb + 1) * sizeof *Zg);
    double *fr = malloc((nb + 1) * M * sizeof *fr);
    double *sh = realloc(a->shift, (M + 1) * S * sizeof *sh);
    if (sh) a->shift = sh;
    a->joint = calloc(a->ngp + 1, sizeof *a->joint);
    a->boxes = calloc(S, sizeof *a->boxes);
    cf_status st = CF_OK;
    if (!Z || !Zg || !fr || !sh || !a->joint || !a->boxes) {
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
        goto done;
    }
    if (nb == 0) { /* nothing observed on the front yet: the whole reference box, one decomposition */
        joint_free(a);
        if ((st = cf_hvboxes_create(NULL, 0, M, ref, &a->boxes[0], err)) == CF_OK) a->nboxes = 1;
        goto done;
    }
    if ((st = cf_qmc_normals(S, G * nb, seed, Z, err))) goto done;
    size_t gi = 0;
    for (size_t g = 0; g < a->ngp && st == CF_OK; g++) {
        if (g >= 64 || !isobj[g]) continue;
        for (size_t s = 0; s < S; s++) memcpy(Zg + s * nb, Z + s * G * nb + gi * nb, nb * sizeof *Zg);
        gi++;
        st = cf_gp_joint_create(a->gps[g], kinds, gX[g], gN[g], B, nb, Zg, S, &a->joint[g], err);
    }
    if (st == CF_OK) {
        const cf_gp_joint *J[16];
        for (size_t j = 0; j < M && j < 16; j++) J[j] = a->joint[a->src[j]];
        for (size_t i = 0; i < nb; i++)
            for (size_t j = 0; j < M; j++) {
                int dd = a->cost->active ? a->cost->der[j] : -1;
                double sign = cf_space_objective_maximize(a->space, j) ? -1.0 : 1.0;
                fr[i * M + j] = dd >= 0 ? sign * cf_study_cost_factor(a->cost, dd, B + i * np) : NAN;
            }
        st = M <= 16 ? cf_qnehvi_boxes(J, M, pin, fr, ref, a->boxes, err)
                     : cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "qNEHVI takes at most 16 objectives.");
        if (st == CF_OK) a->nboxes = S;
    }
done:
    if (st) {
        joint_free(a);
        boxes_free(a);
    }
    free(Z);
    free(Zg);
    free(fr);
    return st;
}

/* ---- Ask ---- */

/* A uniformly random encoded point (used when the acquisition is zero everywhere). */
static void random_point(gsl_rng *rng, const int *kinds, size_t np, double *x)
{
    for (size_t j = 0; j < np; j++)
        x[j] = kinds[j] > 0 ? (double)gsl_rng_uniform_int(rng, (unsigned long)kinds[j]) : gsl_rng_uniform(rng);
}

/* Whether x (np encoded columns) repeats one of the n rows of P: same category in every categorical column and
 * within 1e-9 of the unit range in every continuous one. A repeated point in a batch wastes a worker: with a
 * learned noise variance that is large against the signal, conditioning on a kriging-believer fantasy barely
 * lowers the latent variance at the fantasised point, so its EHVI can stay the largest. */
static int repeats_row(const double *x, const double *P, size_t n, const int *kinds, size_t np)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < np && (kinds[j] > 0 ? x[j] == P[i * np + j] : fabs(x[j] - P[i * np + j]) <= 1e-9)) j++;
        if (j == np) return 1;
    }
    return 0;
}

/* ---- Hyperparameter cache ----
 * Fitting the GP hyperparameters is most of an ask (at 400 observations, ~90% of it), and their maximum-likelihood
 * values barely move when a few observations are added. The fit of each GP is therefore kept in the file with the
 * number of observations n it was made on, and an ask at n' observations reuses the latest fit of the same GP when
 * n <= n' <= n + n / 20 (exact match below CF_HYPER_MIN observations): the posterior is recomputed on all n'
 * points with those hyperparameters (one Cholesky factorisation) and no optimisation runs. So concurrent workers
 * share one fit, and a single worker refits when its data grew by 5%. Only the newest fit per GP is kept. */
#define CF_HYPER_MIN 20
#define CF_HYPER_PREFIX "gp_theta:"

/* Empties the in-memory hyperparameter cache (the file keeps its entries). */
static void hyper_clear(cf_study *s)
{
    for (size_t i = 0; i < s->nhc; i++) free(s->hc[i].theta);
    s->nhc = 0;
}

/* Appends an entry (theta copied). Returns nonzero when out of memory. */
static int hyper_push(cf_study *s, const char *role, size_t n, const double *theta, size_t nt, int fresh)
{
    if (s->nhc == s->caphc) {
        size_t nc = s->caphc ? 2 * s->caphc : 8;
        hyper_entry *h = realloc(s->hc, nc * sizeof *h);
        if (h == NULL) return -1;
        s->hc = h;
        s->caphc = nc;
    }
    hyper_entry *e = &s->hc[s->nhc];
    memset(e, 0, sizeof *e);
    snprintf(e->role, sizeof e->role, "%s", role);
    e->n = n;
    e->nt = nt;
    e->fresh = fresh;
    if ((e->theta = malloc((nt ? nt : 1) * sizeof *e->theta)) == NULL) return -1;
    memcpy(e->theta, theta, nt * sizeof *theta);
    s->nhc++;
    return 0;
}

/* Replaces the in-memory cache by the file's entries. Entries that do not parse are ignored (a cache miss). */
static cf_status hyper_load(cf_study *s, cf_error *err)
{
    hyper_clear(s);
    char **keys = NULL, **vals = NULL;
    size_t n = 0;
    cf_status st = cf_study_store_meta_prefix(s->store, CF_HYPER_PREFIX, &keys, &vals, &n, err);
    if (st) return st;
    size_t np = cf_space_n_params(s->space), nt = np + 2;
    double *theta = malloc(nt * sizeof *theta);
    for (size_t i = 0; theta && i < n && st == CF_OK; i++) {
        const char *role = keys[i] + strlen(CF_HYPER_PREFIX), *colon = strrchr(role, ':');
        if (colon == NULL || colon == role || (size_t)(colon - role) >= sizeof s->hc[0].role) continue;
        char rbuf[sizeof s->hc[0].role];
        memcpy(rbuf, role, (size_t)(colon - role));
        rbuf[colon - role] = '\0';
        char *end = NULL;
        unsigned long long cnt = strtoull(colon + 1, &end, 10);
        if (*end != '\0') continue;
        const char *p = vals[i];
        size_t k = 0;
        for (; k < nt; k++) {
            theta[k] = strtod(p, &end);
            if (end == p || !isfinite(theta[k])) break;
            p = end;
        }
        while (*p == ' ') p++;
        if (k == nt && *p == '\0' && hyper_push(s, rbuf, (size_t)cnt, theta, nt, 0))
            st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    }
    if (theta == NULL) st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    free(theta);
    cf_study_meta_free(keys, vals, n);
    return st;
}

/* The cached fit of GP role usable at n observations (see the section comment; during a quick re-decision, the
 * latest fit on at most n observations however old), or NULL. */
static const hyper_entry *hyper_find(const cf_study *s, const char *role, size_t n, size_t nt)
{
    const hyper_entry *best = NULL;
    for (size_t i = 0; i < s->nhc; i++) {
        const hyper_entry *e = &s->hc[i];
        if (e->nt != nt || e->n > n || strcmp(e->role, role) != 0) continue;
        if (best == NULL || e->n > best->n) best = e;
    }
    if (best == NULL) return NULL;
    /* A quick re-decision inside the write lock never fits: any earlier fit of the GP will do for the few trials
     * that arrived meanwhile. */
    if (s->quick || best->n == n || (best->n >= CF_HYPER_MIN && n - best->n <= best->n / 20)) return best;
    /* Another worker is refitting (hyper_claim): up to 10% more observations, its predecessor's fit will do. */
    if (s->others_refit && best->n >= CF_HYPER_MIN && n - best->n <= best->n / 10) return best;
    return NULL;
}

/* How long a refit claim holds, in seconds: the claim of a worker that died lapses after this. */
#define CF_REFIT_CLAIM_S 60

/* Avoids a herd of refits. When the cached fits have just gone stale (more than 5% and at most 10% more complete
 * trials than they were fitted on), every worker asking before the first new fit is committed would refit. So the
 * first one claims the refit in the file ("gp_refit" in study_meta: trial count, time, the claimant's token, in a
 * transaction of its own) and fits; the others, seeing a claim younger than CF_REFIT_CLAIM_S by another handle,
 * keep the stale fits for this ask (hyper_find). The claim is deleted with the claimant's new fits (hyper_save). */
static cf_status hyper_claim(cf_study *s, size_t ncomplete, cf_error *err)
{
    s->others_refit = 0;
    int stale = 0;
    for (size_t i = 0; i < s->nhc; i++) {
        const hyper_entry *e = &s->hc[i];
        if (e->n > ncomplete || e->n < CF_HYPER_MIN) continue;
        size_t gap = ncomplete - e->n;
        if (gap > e->n / 20 && gap <= e->n / 10) stale = 1;
    }
    if (!stale) return CF_OK;
    if (s->token[0] == '\0') snprintf(s->token, sizeof s->token, "%ld-%p", (long)getpid(), (void *)s);
    cf_status st = cf_study_store_begin(s->store, err);
    if (st) return st;
    char *v = NULL;
    if ((st = cf_study_store_get_meta(s->store, "gp_refit", &v, err))) {
        cf_study_store_rollback(s->store);
        return st;
    }
    long long when = 0;
    char tok[64] = "";
    unsigned long long cnt = 0;
    long long now = (long long)time(NULL);
    int fresh = v && sscanf(v, "%llu %lld %63s", &cnt, &when, tok) == 3 && now - when < CF_REFIT_CLAIM_S &&
                when <= now + 1;
    free(v);
    if (fresh && strcmp(tok, s->token) != 0) {
        s->others_refit = 1;
        cf_study_store_rollback(s->store);
        return CF_OK;
    }
    char buf[128];
    snprintf(buf, sizeof buf, "%zu %lld %s", ncomplete, now, s->token);
    if ((st = cf_study_store_set_meta(s->store, "gp_refit", buf, err)) ||
        (st = cf_study_store_commit(s->store, err))) {
        cf_study_store_rollback(s->store);
        return st;
    }
    s->claimed = 1;
    return CF_OK;
}

/* Writes this ask's fits to the file (inside the ask's transaction): each replaces the file's entry for its GP
 * unless the file already holds a fit on as many observations or more (another worker's, newer). */
static cf_status hyper_save(cf_study *s, cf_error *err)
{
    cf_status st = CF_OK;
    if (s->claimed) {
        char *v = NULL;
        st = cf_study_store_get_meta(s->store, "gp_refit", &v, err);
        if (st == CF_OK && v && strstr(v, s->token)) {
            char prefix[80];
            snprintf(prefix, sizeof prefix, "gp_refit");
            st = cf_study_store_delete_meta_prefix(s->store, prefix, err);
        }
        free(v);
        s->claimed = 0;
    }
    for (size_t i = 0; i < s->nhc && st == CF_OK; i++) {
        hyper_entry *e = &s->hc[i];
        if (!e->fresh || strncmp(e->role, "parego", 6) == 0) continue;
        char prefix[64], key[96];
        snprintf(prefix, sizeof prefix, "%s%s:", CF_HYPER_PREFIX, e->role);
        char **keys = NULL, **vals = NULL;
        size_t n = 0, newest = 0;
        int any = 0;
        if ((st = cf_study_store_meta_prefix(s->store, prefix, &keys, &vals, &n, err))) break;
        for (size_t k = 0; k < n; k++) {
            size_t c = (size_t)strtoull(keys[k] + strlen(prefix), NULL, 10);
            if (!any || c > newest) newest = c;
            any = 1;
        }
        cf_study_meta_free(keys, vals, n);
        e->fresh = 0;
        if (any && newest >= e->n) continue;
        size_t cap = e->nt * 26 + 1, len = 0;
        char *txt = malloc(cap);
        if (txt == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
        txt[0] = '\0';
        for (size_t k = 0; k < e->nt; k++) len += (size_t)snprintf(txt + len, cap - len, "%s%.17g", k ? " " : "", e->theta[k]);
        snprintf(key, sizeof key, "%s%010zu", prefix, e->n);
        st = cf_study_store_delete_meta_prefix(s->store, prefix, err);
        if (st == CF_OK) st = cf_study_store_set_meta(s->store, key, txt, err);
        free(txt);
    }
    return st;
}

/* Largest number of observations the hyperparameters are fitted on. The likelihood costs O(n^3) per evaluation
 * and a fit takes tens of evaluations, so beyond this size the hyperparameters are fitted on an evenly spaced
 * subset of the trials (every (n / CF_FIT_SUBSET)-th one, in trial order, so early exploration and late
 * exploitation are both represented) and the posterior is then computed on all n points with those
 * hyperparameters (one factorisation). The hyperparameters of a stationary kernel are well determined by a few
 * hundred points; this is the subset-of-data estimator of Rasmussen & Williams 2006, sec. 8.3.1, used for the
 * hyperparameters only. */
#define CF_FIT_SUBSET 200

/* Fits a GP on (X, y) (n rows), or, when role names a GP of the cache and the cache holds a usable fit for it
 * (hyper_find), sets that fit's hyperparameters and only computes the posterior. A new fit of a named role joins
 * the cache, to be written with the ask. */
static cf_status fit_gp(cf_study *s, const char *role, const int *kinds, size_t np, const double *X, size_t n,
                        const double *y, unsigned long seed, cf_gp **out, cf_error *err)
{
    cf_gp *gp = cf_gp_create(np, kinds);
    if (gp == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    cf_gp_set_seed(gp, seed);
    cf_gp_set_restarts(gp, s->gp_restarts);
    cf_status st;
    const hyper_entry *h = role ? hyper_find(s, role, n, cf_gp_n_hypers(gp)) : NULL;
    if (h != NULL) {
        cf_error e2;
        cf_error_clear(&e2);
        if (cf_gp_set_theta(gp, h->theta, &e2) == CF_OK && cf_gp_set_data(gp, X, n, y, NULL, &e2) == CF_OK) {
            *out = gp;
            return CF_OK;
        }
        /* The cached hyperparameters do not factorise on these data: fit afresh. */
        cf_gp_destroy(gp);
        if ((gp = cf_gp_create(np, kinds)) == NULL)
            return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
        cf_gp_set_seed(gp, seed);
        cf_gp_set_restarts(gp, s->gp_restarts);
    }
    if (n > CF_FIT_SUBSET) {
        size_t m = CF_FIT_SUBSET;
        double *Xs = malloc(m * np * sizeof *Xs), *ys = malloc(m * sizeof *ys);
        if (Xs == NULL || ys == NULL) {
            free(Xs);
            free(ys);
            cf_gp_destroy(gp);
            return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
        }
        for (size_t i = 0; i < m; i++) {
            size_t k = i * n / m;
            memcpy(Xs + i * np, X + k * np, np * sizeof *Xs);
            ys[i] = y[k];
        }
        st = cf_gp_fit(gp, Xs, m, ys, NULL, err);
        if (st == CF_OK) st = cf_gp_set_data(gp, X, n, y, NULL, err);
        free(Xs);
        free(ys);
    } else {
        st = cf_gp_fit(gp, X, n, y, NULL, err);
    }
    if (st) {
        cf_gp_destroy(gp);
        return st;
    }
    if (role) {
        size_t nt = cf_gp_n_hypers(gp);
        double *theta = malloc(nt * sizeof *theta);
        if (theta == NULL || (cf_gp_get_theta(gp, theta), hyper_push(s, role, n, theta, nt, 1))) {
            free(theta);
            cf_gp_destroy(gp);
            return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
        }
        free(theta);
    }
    *out = gp;
    return CF_OK;
}

/* Appends a point to a growable row-major matrix. */
static int push_row(double **m, size_t *n, size_t *cap, const double *row, size_t d)
{
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        double *nm = realloc(*m, nc * d * sizeof *nm);
        if (nm == NULL) return -1;
        *m = nm;
        *cap = nc;
    }
    memcpy(*m + *n * d, row, d * sizeof *row);
    (*n)++;
    return 0;
}

/* The model-based part of ask: fills xs (q x np) for the q points, given the stored trials and `extra` already
 * chosen points (pending fantasies). */
static cf_status model_points(cf_study *s, const trials *t, const double *extra, size_t nextra, size_t q,
                              unsigned long seed, const double *prev, double *xs, cf_error *err)
{
    const cf_space *sp = s->space;
    const cost_model *cm = &s->cost;
    size_t np = cf_space_n_params(sp), M = cf_space_n_objectives(sp), C = cf_space_n_constraints(sp);
    int *kinds = malloc(np * sizeof *kinds);
    size_t *cont = malloc(np * sizeof *cont), *cat = malloc(np * sizeof *cat);
    size_t n = 0, nfeas = 0, ngh = 0;
    double *X = malloc(t->n * np * sizeof *X + 1), *Y = malloc(t->n * M * sizeof *Y + 1);
    double *Cv = malloc(t->n * (C ? C : 1) * sizeof *Cv + 1), *col = malloc(t->n * sizeof *col + 1);
    double *Xgh = malloc(t->n * np * sizeof *Xgh + 1), *lgh = malloc(t->n * sizeof *lgh + 1);
    unsigned char *feas = malloc(t->n + 1), *nd = malloc(t->n + 1);
    double *pend = NULL, *front = NULL, *ref = malloc(M * sizeof *ref);
    size_t npend = 0, cappend = 0, nfront = 0, capfront = 0;
    cf_gp **gps = calloc(M + C + 2, sizeof *gps);
    int *src = malloc((M + C) * sizeof *src);
    unsigned char *inferred = malloc(M);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int use_nehvi = 0;                 /* qNEHVI for this batch (decided at its first point) */
    size_t *obs_keep = NULL, nobs = 0; /* qNEHVI: the observed points of the baseline (nehvi_prune) */
    double **gX = NULL;                /* training rows of each model GP (qNEHVI rebuilds their joint posterior) */
    size_t *gN = NULL;
    acq_ctx a;
    memset(&a, 0, sizeof a);
    cf_status st = CF_OK;
    if (!kinds || !cont || !cat || !X || !Y || !Cv || !col || !Xgh || !lgh || !feas || !nd || !ref || !gps || !src ||
        !inferred || !rng) {
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
        goto done;
    }
    gsl_rng_set(rng, seed ^ 0x5bd1e995UL);
    cf_space_gp_kinds(sp, kinds);
    for (size_t j = 0; j < np; j++) {
        if (kinds[j] > 0)
            cat[a.ncat++] = j;
        else
            cont[a.ncont++] = j;
    }
    for (size_t i = 0; i < t->n; i++) {
        if (t->ok[i]) {
            memcpy(X + n * np, t->x + i * np, np * sizeof *X);
            memcpy(Y + n * M, t->y + i * M, M * sizeof *Y);
            memcpy(Cv + n * C, t->c + i * C, C * sizeof *Cv);
            feas[n] = (unsigned char)cf_space_feasible(sp, t->c + i * C);
            nfeas += feas[n];
            n++;
            if (!isnan(t->lgh[i])) {
                memcpy(Xgh + ngh * np, t->x + i * np, np * sizeof *Xgh);
                lgh[ngh++] = t->lgh[i];
            }
        } else if (t->rows[i].state == CF_TRIAL_PENDING) {
            if (push_row(&pend, &npend, &cappend, t->x + i * np, np)) goto oom;
        }
    }
    for (size_t i = 0; i < nextra; i++)
        if (push_row(&pend, &npend, &cappend, extra + i * np, np)) goto oom;

    int parego = s->acq == CF_ACQ_PAREGO || (s->acq == CF_ACQ_AUTO && (M > 3 || M == 1)) || M > 16;
    size_t done_con = 0; /* pending rows already conditioned into the GPs that are not refitted per point */
    if ((gX = calloc(M + C + 2, sizeof *gX)) == NULL || (gN = calloc(M + C + 2, sizeof *gN)) == NULL) goto oom;
    /* The model GPs, in this order: the ParEGO scalarisation (slot 0, refitted for every point) or one GP per
     * objective told by the user; the GP of log gpu_hours when a modelled metric is a derived cost; one GP per
     * constraint told by the user. Each metric k points at its GP through src[k]. */
    size_t ngp = parego ? 1 : 0;
    for (size_t k = 0; k < M + C; k++) src[k] = -1;
    for (size_t c = 0; c < C; c++) {
        if (cm->active && cm->der[M + c] >= 0) continue;
        for (size_t i = 0; i < n; i++) col[i] = Cv[i * C + c];
        char role[24];
        snprintf(role, sizeof role, "con%zu", c);
        if ((st = fit_gp(s, role, kinds, np, X, n, col, seed + 101 + c, &gps[M + 1 + c], err))) goto done;
    }
    if (!parego) {
        for (size_t j = 0; j < M; j++) {
            if (cm->active && cm->der[j] >= 0) continue;
            for (size_t i = 0; i < n; i++) col[i] = Y[i * M + j];
            char role[24];
            snprintf(role, sizeof role, "obj%zu", j);
            if ((st = fit_gp(s, role, kinds, np, X, n, col, seed + 1 + j, &gps[ngp], err))) goto done;
            gX[ngp] = X;
            gN[ngp] = n;
            src[j] = (int)ngp++;
        }
    }
    int need_gh = 0;
    for (size_t k = 0; cm->active && k < M + C; k++) need_gh |= cm->der[k] >= 0 && (k >= M || !parego);
    if (need_gh) {
        if (ngh < 2) {
            st = cf_error_set(err, CF_ERR_NUMERIC, NULL, 0, 0, NULL, "Too few trials with gpu_hours to model it.");
            goto done;
        }
        if ((st = fit_gp(s, "lgh", kinds, np, Xgh, ngh, lgh, seed + 201, &gps[ngp], err))) goto done;
        for (size_t k = 0; k < M + C; k++)
            if (cm->der[k] >= 0 && (k >= M || !parego)) src[k] = (int)ngp;
        gX[ngp] = Xgh;
        gN[ngp] = ngh;
        ngp++;
    }
    for (size_t c = 0; c < C; c++)
        if (gps[M + 1 + c]) {
            cf_gp *g = gps[M + 1 + c];
            gps[M + 1 + c] = NULL;
            gps[ngp] = g;
            gX[ngp] = X;
            gN[ngp] = n;
            src[M + c] = (int)ngp++;
        }
    a.np = np;
    a.M = M;
    a.C = C;
    a.kinds = kinds;
    a.cont = cont;
    a.cat = cat;
    a.gps = gps;
    a.ngp = ngp;
    a.src = src;
    a.cost = cm;
    a.space = sp;
    a.parego = parego;
    a.xfull = malloc(np * sizeof *a.xfull);
    if (a.xfull == NULL) goto oom;

    /* Reference point: given, else inferred from the observed feasible front (or all points if none feasible). */
    cf_space_ref_min(sp, ref);
    {
        unsigned char *use = feas;
        unsigned char *all = NULL;
        if (nfeas == 0) {
            all = malloc(n + 1);
            if (all == NULL) goto oom;
            memset(all, 1, n);
            use = all;
        }
        cf_study_nondominated(Y, n, M, use, nd);
        cf_study_fill_ref(ref, inferred, Y, n, M, nd);
        free(all);
    }

    for (size_t b = 0; b < q; b++) {
        double *xb = xs + b * np;
        if (parego) {
            /* ParEGO (Knowles 2006): Chebyshev scalarisation of objectives normalised over the observations. */
            double w[64], lo[64], hi[64], sum = 0.0;
            size_t Mm = M < 64 ? M : 64;
            for (size_t j = 0; j < Mm; j++) {
                w[j] = -log(1.0 - gsl_rng_uniform(rng));
                sum += w[j];
                lo[j] = INFINITY;
                hi[j] = -INFINITY;
                for (size_t i = 0; i < n; i++) {
                    lo[j] = fmin(lo[j], Y[i * M + j]);
                    hi[j] = fmax(hi[j], Y[i * M + j]);
                }
            }
            for (size_t i = 0; i < n; i++) {
                double mx = -INFINITY, ls = 0.0;
                for (size_t j = 0; j < Mm; j++) {
                    double r = hi[j] > lo[j] ? (Y[i * M + j] - lo[j]) / (hi[j] - lo[j]) : 0.0;
                    mx = fmax(mx, w[j] / sum * r);
                    ls += w[j] / sum * r;
                }
                col[i] = mx + 0.05 * ls;
            }
            cf_gp_destroy(gps[0]);
            gps[0] = NULL;
            /* The scalarised GP changes with its random weights, so its fit is not kept in the file; it is kept in
             * memory for this ask ("parego<b>"), where a quick re-decision (the same seed draws the same weights)
             * reuses it instead of fitting inside the write lock. */
            char prole[32];
            snprintf(prole, sizeof prole, "parego%zu", b);
            if ((st = fit_gp(s, prole, kinds, np, X, n, col, seed + 1 + b, &gps[0], err))) goto done;
            /* Fantasise pending points on the scalarised GP (all of them: it is new) and the other GPs (once). */
            double mu, var;
            for (size_t i = 0; i < npend; i++)
                for (size_t g = 0; g < ngp; g++) {
                    if (g > 0 && i < done_con) continue;
                    if (cf_gp_predict(gps[g], pend + i * np, 1, NULL, &mu, &var, NULL, NULL) == CF_OK)
                        cf_gp_condition(gps[g], pend + i * np, 1, &mu, NULL, NULL);
                }
            done_con = npend;
            /* Incumbent: the best posterior mean over the observed feasible points. */
            a.best = INFINITY;
            for (size_t i = 0; i < n; i++) {
                if (nfeas > 0 && !feas[i]) continue;
                if (cf_gp_predict(gps[0], X + i * np, 1, NULL, &mu, &var, NULL, NULL) == CF_OK)
                    a.best = fmin(a.best, mu);
            }
            nfront = 0;
            for (size_t i = 0; i < n; i++)
                if (nd[i] && push_row(&front, &nfront, &capfront, X + i * np, np)) goto oom;
            double val = maximise(&a, s, rng, front, nfront, prev ? prev + b * np : NULL, xb);
            if (!(val > 0.0)) random_point(rng, kinds, np, xb);
            if (cm->active) cf_study_cost_fix_point(cm, xb);
            for (int tries = 0; tries < 8 && repeats_row(xb, pend, npend, kinds, np); tries++) {
                random_point(rng, kinds, np, xb); /* never the same point twice in flight */
                if (cm->active) cf_study_cost_fix_point(cm, xb);
            }
            if (push_row(&pend, &npend, &cappend, xb, np)) goto oom;
            continue;
        }
        if (b == 0) {
            /* qNEHVI for a noisy study with a batch in flight (q > 1 or pending trials), or when asked for. */
            use_nehvi = s->acq == CF_ACQ_QNEHVI;
            if (s->acq == CF_ACQ_AUTO && (q > 1 || npend > 0) && nfeas > 0) {
                int nz = incumbents_noisy(&a, X, n, feas, ref);
                if (nz < 0) {
                    st = cf_error_set(err, CF_ERR_NUMERIC, NULL, 0, 0, NULL, "GP prediction failed.");
                    goto done;
                }
                use_nehvi = nz;
            }
            if (use_nehvi) {
                obs_keep = malloc((n ? n : 1) * sizeof *obs_keep);
                if (obs_keep == NULL) goto oom;
                if (nfeas > 0 && (st = nehvi_prune(&a, X, n, feas, ref, seed, obs_keep, &nobs, err))) {
                    if (st != CF_ERR_NUMERIC) goto done;
                    if (err) cf_error_clear(err);
                    st = CF_OK;
                    use_nehvi = 0;
                }
            }
        }
        if (use_nehvi) {
            size_t nb = nobs + npend;
            double *B = malloc((nb ? nb : 1) * np * sizeof *B), *anch = malloc((nobs ? nobs : 1) * np * sizeof *anch);
            unsigned char *pin = malloc(nb + 1);
            if (!B || !pin || !anch) {
                free(B);
                free(pin);
                free(anch);
                goto oom;
            }
            for (size_t i = 0; i < nobs; i++) {
                memcpy(B + i * np, X + obs_keep[i] * np, np * sizeof *B);
                memcpy(anch + i * np, X + obs_keep[i] * np, np * sizeof *B);
                pin[i] = 1;
            }
            if (npend) memcpy(B + nobs * np, pend, npend * np * sizeof *B);
            int pred_ok = npend == 0 || predict_metrics(&a, pend, npend) == 0;
            for (size_t i = 0; i < npend && pred_ok; i++) {
                double cvals[64];
                for (size_t c = 0; c < C && c < 64; c++) cvals[c] = a.mean[(M + c) * npend + i];
                pin[nobs + i] = (unsigned char)(!a.bad[i] && (C == 0 || cf_space_feasible(sp, cvals)));
            }
            st = pred_ok ? nehvi_setup(&a, kinds, gX, gN, B, nb, pin, ref, seed + 7 * b, err)
                         : cf_error_set(err, CF_ERR_NUMERIC, NULL, 0, 0, NULL, "GP prediction failed.");
            double val = -1.0;
            if (st == CF_OK) val = maximise(&a, s, rng, anch, nobs, prev ? prev + b * np : NULL, xb);
            joint_free(&a);
            free(B);
            free(pin);
            free(anch);
            if (st == CF_ERR_NUMERIC) { /* the joint posterior failed: kriging believer from here on */
                if (err) cf_error_clear(err);
                st = CF_OK;
                use_nehvi = 0;
                b--;
                continue;
            }
            if (st) goto done;
            if (!(val > 0.0)) random_point(rng, kinds, np, xb);
            if (cm->active) cf_study_cost_fix_point(cm, xb);
            for (int tries = 0; tries < 8 && repeats_row(xb, pend, npend, kinds, np); tries++) {
                random_point(rng, kinds, np, xb); /* never the same point twice in flight */
                if (cm->active) cf_study_cost_fix_point(cm, xb);
            }
            if (push_row(&pend, &npend, &cappend, xb, np)) goto oom;
            continue;
        }
        /* EHVI: fantasise every pending point once (kriging believer), then build the posterior-mean front. */
        double mu1, var1;
        for (size_t i = done_con; i < npend; i++)
            for (size_t g = 0; g < ngp; g++)
                if (cf_gp_predict(gps[g], pend + i * np, 1, NULL, &mu1, &var1, NULL, NULL) == CF_OK)
                    cf_gp_condition(gps[g], pend + i * np, 1, &mu1, NULL, NULL);
        done_con = npend;
        /* Posterior means at observed points (feasible ones) and pending points (predicted feasible). */
        size_t mtot = n + npend;
        double *PX = malloc((mtot ? mtot : 1) * np * sizeof *PX);
        unsigned char *pu = malloc(mtot + 1), *pnd = malloc(mtot + 1);
        double *pts = malloc((mtot ? mtot : 1) * M * sizeof *pts);
        if (!PX || !pu || !pnd || !pts) {
            free(PX);
            free(pu);
            free(pnd);
            free(pts);
            goto oom;
        }
        if (n) memcpy(PX, X, n * np * sizeof *PX);
        if (npend) memcpy(PX + n * np, pend, npend * np * sizeof *PX);
        int pred_ok = mtot == 0 || predict_metrics(&a, PX, mtot) == 0;
        for (size_t i = 0; i < mtot && pred_ok; i++) {
            for (size_t j = 0; j < M; j++) pts[i * M + j] = a.mean[j * mtot + i];
            if (i < n) {
                pu[i] = nfeas > 0 ? feas[i] : 0;
            } else {
                double cvals[64];
                for (size_t c = 0; c < C && c < 64; c++) cvals[c] = a.mean[(M + c) * mtot + i];
                pu[i] = (unsigned char)(!a.bad[i] && cf_space_feasible(sp, cvals));
            }
            if (a.bad[i]) pu[i] = 0;
        }
        if (pred_ok) cf_study_nondominated(pts, mtot, M, pu, pnd);
        nfront = 0;
        size_t nanch = 0;
        double *fr = malloc((mtot ? mtot : 1) * M * sizeof *fr);
        double *anch = malloc((mtot ? mtot : 1) * np * sizeof *anch);
        if (!fr || !anch) {
            free(PX);
            free(pu);
            free(pnd);
            free(pts);
            free(fr);
            free(anch);
            goto oom;
        }
        for (size_t i = 0; i < mtot && pred_ok; i++)
            if (pnd[i]) {
                memcpy(fr + nfront * M, pts + i * M, M * sizeof *fr);
                nfront++;
                if (i < n) memcpy(anch + nanch++ * np, PX + i * np, np * sizeof *anch);
            }
        st = pred_ok ? build_boxes(&a, PX, mtot, pu, pts, ref, seed + 7 * b, err)
                     : cf_error_set(err, CF_ERR_NUMERIC, NULL, 0, 0, NULL, "GP prediction failed.");
        double val = st == CF_OK ? maximise(&a, s, rng, anch, nanch, prev ? prev + b * np : NULL, xb) : -1.0;
        free(PX);
        free(pu);
        free(pnd);
        free(pts);
        free(fr);
        free(anch);
        if (st) goto done;
        if (!(val > 0.0)) /* no expected improvement anywhere: explore uniformly */
            random_point(rng, kinds, np, xb);
        if (cm->active) cf_study_cost_fix_point(cm, xb);
        for (int tries = 0; tries < 8 && repeats_row(xb, pend, npend, kinds, np); tries++) {
            random_point(rng, kinds, np, xb); /* never the same point twice in flight */
            if (cm->active) cf_study_cost_fix_point(cm, xb);
        }
        if (push_row(&pend, &npend, &cappend, xb, np)) goto oom;
    }
    goto done;
oom:
    st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
done:
    for (size_t g = 0; gps && g < M + C + 2; g++) cf_gp_destroy(gps[g]);
    joint_free(&a);
    free(a.shift);
    free(obs_keep);
    free(gX);
    free(gN);
    boxes_free(&a);
    free(a.gm);
    free(a.gv);
    free(a.mean);
    free(a.var);
    free(a.lm);
    free(a.bad);
    free(a.xfull);
    free(kinds);
    free(cont);
    free(cat);
    free(X);
    free(Y);
    free(Cv);
    free(col);
    free(Xgh);
    free(lgh);
    free(feas);
    free(nd);
    free(pend);
    free(front);
    free(ref);
    free(gps);
    free(src);
    free(inferred);
    gsl_rng_free(rng);
    return st;
}

/* Reads the seed of the initial design (the seed of the study's first ask), kept in the file. *have is 0 when no
 * ask recorded one yet; then *out is seed, and the ask that commits first records it. */
static cf_status design_seed(cf_study *s, unsigned long seed, unsigned long *out, int *have, cf_error *err)
{
    char *v = NULL;
    cf_status st = cf_study_store_get_meta(s->store, "sobol_seed", &v, err);
    if (st) return st;
    *have = v != NULL;
    *out = v ? strtoul(v, NULL, 10) : seed;
    free(v);
    return CF_OK;
}

/* Decides the q points of an ask from the trials t into xs (q x np, encoded): the initial (or baseline) design
 * points first, then the model's, for which the design points are pending fantasies. *n_model receives the number
 * of model-based points (0 when no GP was needed). prev (NULL, or q x np) holds the points decided before, for a
 * quick re-decision (maximise). Reads nothing from and writes nothing to the file. */
static cf_status ask_decide(cf_study *s, const trials *t, size_t q, unsigned long seed, unsigned long dseed,
                            const int *kinds, const double *prev, double *xs, double *u, size_t *n_model,
                            cf_error *err)
{
    const cf_space *sp = s->space;
    size_t np = cf_space_n_params(sp);
    size_t n_init = s->n_init ? s->n_init : (2 * (np + 1) > 5 ? 2 * (np + 1) : 5);
    size_t ncomplete = 0;
    for (size_t i = 0; i < t->n; i++) ncomplete += t->ok[i];
    cf_status st = CF_OK;
    size_t nsobol = 0;
    gsl_rng *rng = NULL;
    *n_model = 0;
    for (size_t b = 0; b < q; b++) {
        int design = s->acq == CF_ACQ_SOBOL || t->n + b < n_init || ncomplete < 2;
        if (s->acq == CF_ACQ_RANDOM) {
            if (rng == NULL) {
                rng = gsl_rng_alloc(gsl_rng_mt19937);
                if (rng == NULL) {
                    st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
                    break;
                }
                gsl_rng_set(rng, seed * 1000003UL + t->n);
            }
            for (size_t j = 0; j < np; j++) u[j] = gsl_rng_uniform(rng);
        } else if (design) {
            if ((st = sobol_point(np, t->n + b, dseed, u, err))) break;
        } else {
            break;
        }
        unit_to_encoded(kinds, np, u, xs + b * np);
        cf_study_cost_fix_point(&s->cost, xs + b * np);
        nsobol++;
    }
    gsl_rng_free(rng);
    if (st || nsobol == q) return st;
    *n_model = q - nsobol;
    st = model_points(s, t, xs, nsobol, q - nsobol, seed, prev ? prev + nsobol * np : NULL, xs + nsobol * np, err);
    if (st == CF_ERR_NUMERIC) {
        /* The GP could not be fitted: fall back to the design sequence rather than fail the sweep. */
        st = CF_OK;
        if (err) cf_error_clear(err);
        for (size_t b = nsobol; b < q && st == CF_OK; b++) {
            st = sobol_point(np, t->n + b, dseed, u, err);
            unit_to_encoded(kinds, np, u, xs + b * np);
            cf_study_cost_fix_point(&s->cost, xs + b * np);
        }
    }
    return st;
}

/* Ask, safe for concurrent workers (several processes asking one study file at once):
 *   1. read the trials (a consistent snapshot; WAL readers never wait for writers) and decide outside the lock:
 *      GP fits (or cached hyperparameters), fantasies of the pending trials, acquisition maximisation;
 *   2. take the write lock (BEGIN IMMEDIATE) and read the trials again. If no trial was added since the snapshot
 *      (ids only grow and trials are never deleted, so an unchanged count means unchanged rows; a trial told
 *      meanwhile was already fantasised as pending), insert the decision and commit;
 *   3. otherwise decide again inside the lock, quickly: the trials that arrived meanwhile join the pending
 *      fantasies (kriging believer), the GP hyperparameters are those just fitted (the cache), and the
 *      acquisition is maximised at reduced effort with the earlier decision among the candidates (maximise); the
 *      initial design, indexed by the trial count, is simply recomputed. Then insert and commit.
 * Every inserted point was thus decided with every other trial of the file in view, so two workers are never
 * handed the same pending configuration, and the lock is held for the quick decision at most, never for a fit.
 * The design seed and the fitted hyperparameters are written in the same transaction. */
cf_status cf_study_ask(cf_study *s, size_t q, unsigned long seed, cJSON **out, cf_error *err)
{
    if (s == NULL || out == NULL || q == 0 || q > 1000)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL,
                            "cf_study_ask needs a study, 1 <= q <= 1000 and an "
                            "output.");
    *out = NULL;
    cf_gsl_quiet();
    const cf_space *sp = s->space;
    size_t np = cf_space_n_params(sp);
    trials t, t2;
    memset(&t2, 0, sizeof t2);
    cf_status st = cf_study_trials_load(s, &t, err);
    if (st) return st;
    int *kinds = malloc(np * sizeof *kinds);
    double *xs = malloc(q * np * sizeof *xs), *u = malloc(np * sizeof *u), *prev = malloc(q * np * sizeof *prev);
    char **ptxt = calloc(q, sizeof *ptxt);
    cf_trial_state *states = calloc(q, sizeof *states);
    long *ids = calloc(q, sizeof *ids);
    cJSON *arr = NULL, **pobj = NULL;
    int locked = 0, have_dseed = 0, have2 = 0;
    if (!kinds || !xs || !u || !prev || !ptxt || !states || !ids) goto oom;
    cf_space_gp_kinds(sp, kinds);
    unsigned long dseed = seed, dseed2 = seed;
    size_t n_model = 0;
    size_t ncomplete = 0;
    for (size_t i = 0; i < t.n; i++) ncomplete += t.ok[i];
    if ((st = hyper_load(s, err)) || (st = hyper_claim(s, ncomplete, err)) ||
        (st = design_seed(s, seed, &dseed, &have_dseed, err)) ||
        (st = ask_decide(s, &t, q, seed, dseed, kinds, NULL, xs, u, &n_model, err)))
        goto done;
    if ((st = cf_study_store_begin(s->store, err))) goto done;
    locked = 1;
    if ((st = design_seed(s, seed, &dseed2, &have2, err)) || (st = cf_study_trials_load(s, &t2, err))) goto done;
    if (t2.n != t.n || (have2 && dseed2 != dseed)) {
        cf_study_trials_free(&t);
        t = t2;
        memset(&t2, 0, sizeof t2);
        dseed = dseed2;
        have_dseed = have2;
        memcpy(prev, xs, q * np * sizeof *xs);
        s->quick = 1;
        st = ask_decide(s, &t, q, seed, dseed, kinds, prev, xs, u, &n_model, err);
        s->quick = 0;
        if (st) goto done;
    }
    arr = cJSON_CreateArray();
    pobj = calloc(q, sizeof *pobj);
    if (arr == NULL || pobj == NULL) goto oom;
    for (size_t b = 0; b < q && st == CF_OK; b++) {
        st = cf_space_decode(sp, xs + b * np, &pobj[b], err);
        if (st == CF_OK && (ptxt[b] = cJSON_PrintUnformatted(pobj[b])) == NULL) goto oom;
        states[b] = CF_TRIAL_PENDING;
    }
    if (st) goto done;
    char sbuf[32];
    snprintf(sbuf, sizeof sbuf, "%lu", dseed);
    if ((st = cf_study_store_insert(s->store, q, states, (const char *const *)ptxt, NULL, ids, err)) ||
        (!have_dseed && (st = cf_study_store_set_meta(s->store, "sobol_seed", sbuf, err))) ||
        (st = hyper_save(s, err)) || (st = cf_study_store_commit(s->store, err)))
        goto done;
    locked = 0;
    for (size_t b = 0; b < q; b++) {
        cJSON *it = cJSON_CreateObject();
        if (it == NULL || !cJSON_AddItemToArray(arr, it)) {
            cJSON_Delete(it);
            goto oom;
        }
        if (!cJSON_AddNumberToObject(it, "id", (double)ids[b]) || !cJSON_AddItemToObject(it, "params", pobj[b]))
            goto oom;
        pobj[b] = NULL;
    }
    goto done;
oom:
    st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
done:
    if (locked) cf_study_store_rollback(s->store);
    if (st == CF_OK)
        *out = arr;
    else
        cJSON_Delete(arr);
    for (size_t b = 0; pobj && b < q; b++) cJSON_Delete(pobj[b]);
    free(pobj);
    for (size_t b = 0; ptxt && b < q; b++) free(ptxt[b]);
    free(ptxt);
    free(states);
    free(ids);
    free(kinds);
    free(xs);
    free(u);
    free(prev);
    cf_study_trials_free(&t);
    cf_study_trials_free(&t2);
    return st;
}

