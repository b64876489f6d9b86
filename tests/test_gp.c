/* Tests of models/gp.c: hand-computed posteriors, analytic gradients against finite differences, lengthscale
 * recovery, calibration, closed-form leave-one-out against brute force, jitter, conditioning, determinism. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/gp.h"

/* Deterministic uniform numbers in [0, 1) (SplitMix64) so tests never depend on the C library's rand(). */
static uint64_t rng_state;
static double urand(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}
/* Standard normal by Box-Muller. */
static double nrand(void)
{
    double u = urand(), v = urand();
    return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

/* Matern-5/2 at distance r / l, signal variance s2 (R&W eq. 4.17). */
static double m52(double r, double s2)
{
    double s = sqrt(5.0) * r;
    return s2 * (1.0 + s + s * s / 3.0) * exp(-s);
}

static const int CONT1[1] = {CF_GP_CONTINUOUS};

/* Two points x = 0, 0.5 with y = 1, -1; l = 1, s2 = 2, sn2 = 0.1, no standardisation; test point x* = 0.1.
 * K = [[a, b], [b, a]] with a = s2 + sn2 = 2.1 and b = k(0.5) = 1.657298284836251; k* = (k(0.1), k(0.4)) =
 * (1.9835184723423551, 1.7670906588257531). K^-1 = [[a, -b], [-b, a]] / (a^2 - b^2), so
 * mean = k*^T K^-1 y = 0.48887954598628175 and var = s2 - k*^T K^-1 k* = 0.0751304912628501. */
Test(gp, two_points_by_hand)
{
    double X[2] = {0.0, 0.5}, y[2] = {1.0, -1.0}, ls = 1.0, xs = 0.1;
    cf_gp *gp = cf_gp_create(1, CONT1);
    cr_assert_not_null(gp);
    cf_gp_set_standardize(gp, 0);
    cf_error err;
    cr_assert_eq(cf_gp_set_data(gp, X, 2, y, NULL, &err), CF_OK);
    cr_assert_eq(cf_gp_set_hypers(gp, &ls, 2.0, 0.1, &err), CF_OK);
    double a = 2.1, b = m52(0.5, 2.0), k1 = m52(0.1, 2.0), k2 = m52(0.4, 2.0), det = a * a - b * b;
    double emean = (k1 * (a * y[0] - b * y[1]) + k2 * (-b * y[0] + a * y[1])) / det;
    double evar = 2.0 - (a * k1 * k1 - 2.0 * b * k1 * k2 + a * k2 * k2) / det;
    cr_assert_float_eq(emean, 0.48887954598628175, 1e-14);
    cr_assert_float_eq(evar, 0.0751304912628501, 1e-14);
    double mean, var, vary;
    cr_assert_eq(cf_gp_predict(gp, &xs, 1, NULL, &mean, &var, &vary, &err), CF_OK);
    cr_assert_float_eq(mean, emean, 1e-10);
    cr_assert_float_eq(var, evar, 1e-10);
    cr_assert_float_eq(vary, evar + 0.1, 1e-10);
    /* Log marginal likelihood: -0.5 y^T K^-1 y - 0.5 log det K - log 2 pi. */
    double quad = (a * (y[0] * y[0] + y[1] * y[1]) - 2.0 * b * y[0] * y[1]) / det;
    cr_assert_float_eq(cf_gp_log_marginal_likelihood(gp), -0.5 * quad - 0.5 * log(det) - log(2.0 * M_PI), 1e-10);
    cf_gp_destroy(gp);
}

/* The same two points with a prior mean m = (1, -1) and targets y = (3, 0): residuals (2, 1), standardised with
 * mu = 1.5. With hypers given in y's units the posterior is the GP with constant mean m + mu, so at x* = 0.1 with
 * m* = 4 the mean is 4 + 1.5 + k*^T K^-1 (0.5, -0.5) = 5.5 + 0.5 x 0.48887954598628175. */
Test(gp, prior_mean_and_standardisation_by_hand)
{
    double X[2] = {0.0, 0.5}, y[2] = {3.0, 0.0}, pm[2] = {1.0, -1.0}, ls = 1.0, xs = 0.1, pms = 4.0;
    cf_gp *gp = cf_gp_create(1, CONT1);
    cf_error err;
    cr_assert_eq(cf_gp_set_data(gp, X, 2, y, pm, &err), CF_OK);
    cr_assert_eq(cf_gp_set_hypers(gp, &ls, 2.0, 0.1, &err), CF_OK);
    cr_assert_float_eq(cf_gp_signal_var(gp), 2.0, 1e-12);
    cr_assert_float_eq(cf_gp_noise_var(gp), 0.1, 1e-12);
    double mean, var;
    cr_assert_eq(cf_gp_predict(gp, &xs, 1, &pms, &mean, &var, NULL, &err), CF_OK);
    cr_assert_float_eq(mean, 5.5 + 0.5 * 0.48887954598628175, 1e-10);
    cr_assert_float_eq(var, 0.0751304912628501, 1e-10);
    cf_gp_destroy(gp);
}

/* One categorical column with 3 categories: points in categories 0 and 1 with y = 1, -1, l = 0.5, s2 = 1,
 * sn2 = 0.01, no standardisation. k(0, 1) = exp(-1/0.5) = exp(-2) for different categories, 1 for equal.
 * At category 2 (unseen) k* = (e, e) with e = exp(-2), and the posterior mean is e (1 - 1) / (a + b) = 0 by
 * symmetry, var = 1 - 2 e^2 / (a + b) with a = 1.01, b = e. At category 0: k* = (1, e), mean = (1 a - e b -
 * (-1)(...)) computed below from the 2 x 2 inverse. */
Test(gp, categorical_by_hand)
{
    int kinds[1] = {3};
    double X[2] = {0.0, 1.0}, y[2] = {1.0, -1.0}, ls = 0.5, xs[2] = {2.0, 0.0};
    cf_gp *gp = cf_gp_create(1, kinds);
    cf_gp_set_standardize(gp, 0);
    cf_error err;
    cr_assert_eq(cf_gp_set_data(gp, X, 2, y, NULL, &err), CF_OK);
    cr_assert_eq(cf_gp_set_hypers(gp, &ls, 1.0, 0.01, &err), CF_OK);
    double mean[2], var[2];
    cr_assert_eq(cf_gp_predict(gp, xs, 2, NULL, mean, var, NULL, &err), CF_OK);
    double e = exp(-2.0), a = 1.01, b = e, det = a * a - b * b;
    cr_assert_float_eq(mean[0], 0.0, 1e-12);
    cr_assert_float_eq(var[0], 1.0 - 2.0 * e * e / (a + b), 1e-12);
    double m0 = (1.0 * (a * 1.0 - b * -1.0) + e * (-b * 1.0 + a * -1.0)) / det;
    double v0 = 1.0 - (a * 1.0 - 2.0 * b * e + a * e * e) / det;
    cr_assert_float_eq(mean[1], m0, 1e-12);
    cr_assert_float_eq(var[1], v0, 1e-12);
    cf_gp_destroy(gp);
}

/* Builds n random mixed points (2 continuous columns in [0,1], one categorical column with 3 levels). */
static void mixed_data(size_t n, double *X, double *y)
{
    for (size_t i = 0; i < n; i++) {
        X[3 * i] = urand();
        X[3 * i + 1] = urand();
        X[3 * i + 2] = (double)(int)(3.0 * urand());
        y[i] = sin(5.0 * X[3 * i]) + 0.5 * X[3 * i + 1] + 0.3 * X[3 * i + 2] + 0.05 * nrand();
    }
}

/* The analytic gradient (R&W eq. 5.9 plus priors) agrees with central differences for every hyperparameter:
 * two continuous lengthscales, one categorical lengthscale, the signal and the noise variance; without priors,
 * with the LogNormal and with the Gamma lengthscale prior. */
Test(gp, gradient_matches_finite_differences)
{
    rng_state = 11;
    int kinds[3] = {0, 0, 3};
    enum { N = 30 };
    double X[N * 3], y[N];
    mixed_data(N, X, y);
    cf_gp *gp = cf_gp_create(3, kinds);
    cf_error err;
    cr_assert_eq(cf_gp_set_data(gp, X, N, y, NULL, &err), CF_OK);
    cr_assert_eq(cf_gp_n_hypers(gp), 5u);
    const double thetas[2][5] = {{log(0.3), log(0.7), log(0.8), log(1.3), log(0.02)},
                                 {log(0.1), log(2.0), log(0.2), log(0.5), log(0.3)}};
    for (int with_prior = 0; with_prior <= 2; with_prior++)
        for (int t = 0; t < 2; t++) {
            cf_gp_set_prior(gp, with_prior == 2 ? CF_GP_PRIOR_GAMMA : CF_GP_PRIOR_LOGNORMAL);
            double th[5], f, g[5];
            memcpy(th, thetas[t], sizeof th);
            cr_assert_eq(cf_gp_objective(gp, th, with_prior, &f, g, &err), CF_OK);
            double f2;
            cr_assert_eq(cf_gp_objective(gp, th, with_prior, &f2, NULL, &err), CF_OK);
            cr_assert_eq(f, f2);
            for (int p = 0; p < 5; p++) {
                double h = 1e-5, fp, fm;
                th[p] = thetas[t][p] + h;
                cf_gp_objective(gp, th, with_prior, &fp, NULL, &err);
                th[p] = thetas[t][p] - h;
                cf_gp_objective(gp, th, with_prior, &fm, NULL, &err);
                th[p] = thetas[t][p];
                double fd = (fp - fm) / (2.0 * h);
                cr_assert(fabs(fd - g[p]) <= 1e-6 * fmax(1.0, fabs(fd)),
                          "prior %d theta %d p %d: fd %.10g analytic %.10g", with_prior, t, p, fd, g[p]);
            }
        }
    cf_gp_destroy(gp);
}

/* y = sin(6 x0) + 0 x1 on 60 points: the fitted lengthscale of the irrelevant x1 is much larger than that of x0,
 * and the noise variance is close to the true 0.05^2. */
Test(gp, recovers_relevant_lengthscale)
{
    rng_state = 5;
    enum { N = 60 };
    int kinds[2] = {0, 0};
    double X[2 * N], y[N];
    for (size_t i = 0; i < N; i++) {
        X[2 * i] = urand();
        X[2 * i + 1] = urand();
        y[i] = sin(6.0 * X[2 * i]) + 0.05 * nrand();
    }
    cf_gp *gp = cf_gp_create(2, kinds);
    cf_error err;
    cr_assert_eq(cf_gp_fit(gp, X, N, y, NULL, &err), CF_OK, "%s", err.message);
    double ls[2];
    cf_gp_lengthscales(gp, ls);
    cr_assert(ls[1] > 4.0 * ls[0], "lengthscales %g %g", ls[0], ls[1]);
    cr_assert(ls[0] > 0.1 && ls[0] < 0.6, "l0 = %g", ls[0]);
    double sn = cf_gp_noise_var(gp);
    cr_assert(sn > 0.25 * 0.0025 && sn < 4.0 * 0.0025, "noise %g", sn);
    cf_gp_destroy(gp);
}

/* Known noise sd 0.2 on a smooth 3-d function: the 95% predictive intervals (with noise) cover 90-99% of 2000
 * held-out noisy observations, and the held-out NLPD is close to the noise-only optimum 0.5 log(2 pi e 0.04). */
Test(gp, intervals_are_calibrated)
{
    rng_state = 99;
    enum { N = 150, M = 2000 };
    int kinds[3] = {0, 0, 0};
    double *X = malloc(sizeof(double) * 3 * N), *y = malloc(sizeof(double) * N);
    double *Xs = malloc(sizeof(double) * 3 * M), *ys = malloc(sizeof(double) * M);
    double *mu = malloc(sizeof(double) * M), *vy = malloc(sizeof(double) * M);
    for (size_t i = 0; i < N + M; i++) {
        double *x = i < N ? X + 3 * i : Xs + 3 * (i - N);
        for (int j = 0; j < 3; j++) x[j] = urand();
        double f = sin(3.0 * x[0]) + cos(2.0 * x[1]) + x[2] * x[2];
        double v = f + 0.2 * nrand();
        if (i < N)
            y[i] = v;
        else
            ys[i - N] = v;
    }
    cf_gp *gp = cf_gp_create(3, kinds);
    cf_error err;
    cr_assert_eq(cf_gp_fit(gp, X, N, y, NULL, &err), CF_OK);
    cr_assert_eq(cf_gp_predict(gp, Xs, M, NULL, mu, NULL, vy, &err), CF_OK);
    double rmse, nlpd, cover;
    cr_assert_eq(cf_gp_score(ys, mu, vy, M, &rmse, &nlpd, &cover), CF_OK);
    cr_assert(cover >= 0.90 && cover <= 0.99, "coverage %g", cover);
    double best = 0.5 * log(2.0 * M_PI * M_E * 0.04);
    cr_assert(nlpd < best + 0.1, "nlpd %g vs noise-only %g", nlpd, best);
    cr_assert(rmse < 0.23, "rmse %g", rmse);
    /* Leave-one-out on the training set is calibrated too. */
    double ml[N], vl[N];
    cr_assert_eq(cf_gp_loo(gp, ml, vl, &err), CF_OK);
    cr_assert_eq(cf_gp_score(y, ml, vl, N, NULL, NULL, &cover), CF_OK);
    cr_assert(cover >= 0.88 && cover <= 1.0, "loo coverage %g", cover);
    cf_gp_destroy(gp);
    free(X), free(y), free(Xs), free(ys), free(mu), free(vy);
}

/* R&W eq. 5.12 equals brute force: refitting (hyperparameters fixed, no standardisation) without point i and
 * predicting the noisy y_i. Mixed continuous and categorical inputs. */
Test(gp, loo_equals_brute_force)
{
    rng_state = 3;
    enum { N = 16 };
    int kinds[3] = {0, 0, 3};
    double X[3 * N], y[N], theta[5] = {log(0.4), log(0.9), log(0.7), log(1.5), log(0.05)};
    mixed_data(N, X, y);
    cf_gp *gp = cf_gp_create(3, kinds);
    cf_gp_set_standardize(gp, 0);
    cf_error err;
    cr_assert_eq(cf_gp_set_data(gp, X, N, y, NULL, &err), CF_OK);
    cr_assert_eq(cf_gp_set_theta(gp, theta, &err), CF_OK);
    double ml[N], vl[N];
    cr_assert_eq(cf_gp_loo(gp, ml, vl, &err), CF_OK);
    cf_gp *g2 = cf_gp_create(3, kinds);
    cf_gp_set_standardize(g2, 0);
    for (size_t i = 0; i < N; i++) {
        double Xm[3 * N], ym[N];
        size_t k = 0;
        for (size_t j = 0; j < N; j++)
            if (j != i) {
                memcpy(Xm + 3 * k, X + 3 * j, 3 * sizeof(double));
                ym[k++] = y[j];
            }
        cr_assert_eq(cf_gp_set_data(g2, Xm, N - 1, ym, NULL, &err), CF_OK);
        cr_assert_eq(cf_gp_set_theta(g2, theta, &err), CF_OK);
        double m, vy;
        cr_assert_eq(cf_gp_predict(g2, X + 3 * i, 1, NULL, &m, NULL, &vy, &err), CF_OK);
        cr_assert_float_eq(ml[i], m, 1e-9);
        cr_assert_float_eq(vl[i], vy, 1e-9);
    }
    cf_gp_destroy(g2);
    cf_gp_destroy(gp);
}

/* Conditioning with fixed hyperparameters gives the same posterior as setting the full data again, and the
 * joint covariance's diagonal equals the pointwise variance. */
Test(gp, condition_equals_full_data)
{
    rng_state = 21;
    enum { N = 20, Q = 4, M = 5 };
    int kinds[3] = {0, 0, 3};
    double X[3 * (N + Q)], y[N + Q], Xs[3 * M], ys[M];
    double theta[5] = {log(0.3), log(0.6), log(1.0), log(0.8), log(0.01)};
    mixed_data(N + Q, X, y);
    mixed_data(M, Xs, ys);
    cf_error err;
    cf_gp *a = cf_gp_create(3, kinds), *b = cf_gp_create(3, kinds);
    cf_gp_set_standardize(a, 0);
    cf_gp_set_standardize(b, 0);
    cr_assert_eq(cf_gp_set_data(a, X, N, y, NULL, &err), CF_OK);
    cr_assert_eq(cf_gp_set_theta(a, theta, &err), CF_OK);
    cf_gp *c = cf_gp_copy(a);
    cr_assert_not_null(c);
    cr_assert_eq(cf_gp_condition(c, X + 3 * N, Q, y + N, NULL, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_gp_n(c), (size_t)(N + Q));
    cr_assert_eq(cf_gp_n(a), (size_t)N);
    cr_assert_eq(cf_gp_set_data(b, X, N + Q, y, NULL, &err), CF_OK);
    cr_assert_eq(cf_gp_set_theta(b, theta, &err), CF_OK);
    double m1[M], v1[M], m2[M], v2[M], cov[M * M], mc[M];
    cr_assert_eq(cf_gp_predict(c, Xs, M, NULL, m1, v1, NULL, &err), CF_OK);
    cr_assert_eq(cf_gp_predict(b, Xs, M, NULL, m2, v2, NULL, &err), CF_OK);
    cr_assert_eq(cf_gp_predict_cov(b, Xs, M, NULL, mc, cov, &err), CF_OK);
    for (int t = 0; t < M; t++) {
        cr_assert_float_eq(m1[t], m2[t], 1e-9);
        cr_assert_float_eq(v1[t], v2[t], 1e-9);
        cr_assert_float_eq(mc[t], m2[t], 1e-12);
        cr_assert_float_eq(cov[t * M + t], v2[t], 1e-12);
    }
    cr_assert_float_eq(cf_gp_log_marginal_likelihood(c), cf_gp_log_marginal_likelihood(b), 1e-8);
    cf_gp_destroy(a);
    cf_gp_destroy(b);
    cf_gp_destroy(c);
}

/* The gradient of the posterior mean and variance with respect to a continuous test input matches central
 * differences; the categorical entry is 0. */
Test(gp, predict_gradient_matches_finite_differences)
{
    rng_state = 8;
    enum { N = 25 };
    int kinds[3] = {0, 0, 3};
    double X[3 * N], y[N], theta[5] = {log(0.3), log(0.5), log(0.7), log(1.2), log(0.01)};
    mixed_data(N, X, y);
    cf_gp *gp = cf_gp_create(3, kinds);
    cf_error err;
    cr_assert_eq(cf_gp_set_data(gp, X, N, y, NULL, &err), CF_OK);
    cr_assert_eq(cf_gp_set_theta(gp, theta, &err), CF_OK);
    double x[3] = {0.37, 0.61, 1.0}, pg[3] = {0.5, -0.25, 0.0};
    double m, v, dm[3], dv[3], m0, v0;
    cr_assert_eq(cf_gp_predict_grad(gp, x, 0.2, pg, &m, &v, dm, dv, &err), CF_OK);
    cr_assert_eq(cf_gp_predict(gp, x, 1, (double[]){0.2}, &m0, &v0, NULL, &err), CF_OK);
    cr_assert_float_eq(m, m0, 1e-10);
    cr_assert_float_eq(v, v0, 1e-10);
    for (int j = 0; j < 2; j++) {
        double h = 1e-6, xp[3], xm[3], mp, vp, mm, vm;
        memcpy(xp, x, sizeof xp);
        memcpy(xm, x, sizeof xm);
        xp[j] += h;
        xm[j] -= h;
        cf_gp_predict(gp, xp, 1, (double[]){0.2 + pg[j] * h}, &mp, &vp, NULL, &err);
        cf_gp_predict(gp, xm, 1, (double[]){0.2 - pg[j] * h}, &mm, &vm, NULL, &err);
        cr_assert_float_eq(dm[j], (mp - mm) / (2 * h), 1e-6);
        cr_assert_float_eq(dv[j], (vp - vm) / (2 * h), 1e-6);
    }
    cr_assert_eq(dv[2], 0.0);
    cr_assert_eq(dm[2], 0.0);
    cf_gp_destroy(gp);
}

/* Duplicated inputs with a vanishing noise variance make K singular: the factorisation succeeds after adding
 * jitter, the prediction at the duplicated input is the mean of its targets, and a fit on duplicates works. */
Test(gp, jitter_on_duplicated_inputs)
{
    enum { N = 12 };
    double X[N], y[N];
    for (int i = 0; i < N; i++) {
        X[i] = (i % 3) * 0.5; /* only three distinct inputs: 0, 0.5, 1 */
        y[i] = (i % 3) + 0.1 * ((i / 3) % 2 ? 1 : -1);
    }
    cf_gp *gp = cf_gp_create(1, CONT1);
    cf_error err;
    cr_assert_eq(cf_gp_set_data(gp, X, N, y, NULL, &err), CF_OK);
    double theta[3] = {log(0.3), log(1.0), log(1e-20)};
    cr_assert_eq(cf_gp_set_theta(gp, theta, &err), CF_OK, "%s", err.message);
    cr_assert(cf_gp_jitter(gp) > 0.0, "jitter %g", cf_gp_jitter(gp));
    double xs = 0.5, m, v;
    cr_assert_eq(cf_gp_predict(gp, &xs, 1, NULL, &m, &v, NULL, &err), CF_OK);
    cr_assert_float_eq(m, 1.0, 1e-3); /* targets at 0.5 are 1 +- 0.1 in equal numbers */
    cr_assert(isfinite(v) && v >= 0.0);
    cr_assert_eq(cf_gp_fit(gp, X, N, y, NULL, &err), CF_OK, "%s", err.message);
    cr_assert(cf_gp_noise_var(gp) > 1e-3, "noise %g", cf_gp_noise_var(gp)); /* the spread of duplicates is noise */
    cf_gp_destroy(gp);
}

/* Same seed and data: bitwise identical hyperparameters; the seed changes the restart points. */
Test(gp, deterministic_with_seed)
{
    rng_state = 42;
    enum { N = 40 };
    int kinds[3] = {0, 0, 3};
    double X[3 * N], y[N], t1[5], t2[5];
    mixed_data(N, X, y);
    cf_error err;
    cf_gp *a = cf_gp_create(3, kinds), *b = cf_gp_create(3, kinds);
    cf_gp_set_seed(a, 7);
    cf_gp_set_seed(b, 7);
    cr_assert_eq(cf_gp_fit(a, X, N, y, NULL, &err), CF_OK);
    cr_assert_eq(cf_gp_fit(b, X, N, y, NULL, &err), CF_OK);
    cf_gp_get_theta(a, t1);
    cf_gp_get_theta(b, t2);
    cr_assert(memcmp(t1, t2, sizeof t1) == 0);
    cr_assert_eq(cf_gp_log_marginal_likelihood(a), cf_gp_log_marginal_likelihood(b));
    cf_gp_destroy(a);
    cf_gp_destroy(b);
}

/* Bad arguments and values are reported, never crash. */
Test(gp, errors)
{
    int bad[2] = {0, -1};
    cr_assert_null(cf_gp_create(2, bad));
    cr_assert_null(cf_gp_create(0, CONT1));
    cf_gp_destroy(NULL);
    int kinds[2] = {0, 2};
    cf_gp *gp = cf_gp_create(2, kinds);
    cf_error err;
    double X[4] = {0.1, 0.0, 0.2, 1.0}, y[2] = {1.0, 2.0}, m, v;
    cr_assert_eq(cf_gp_predict(gp, X, 1, NULL, &m, &v, NULL, &err), CF_ERR_ARG);
    cr_assert_eq(cf_gp_fit(gp, X, 0, y, NULL, &err), CF_ERR_ARG);
    X[3] = 2.0; /* category 2 of a 2-level column */
    cr_assert_eq(cf_gp_fit(gp, X, 2, y, NULL, &err), CF_ERR_INVALID);
    X[3] = 0.5;
    cr_assert_eq(cf_gp_fit(gp, X, 2, y, NULL, &err), CF_ERR_INVALID);
    X[3] = 1.0;
    X[0] = NAN;
    cr_assert_eq(cf_gp_set_data(gp, X, 2, y, NULL, &err), CF_ERR_INVALID);
    X[0] = 0.1;
    cr_assert_eq(cf_gp_set_data(gp, X, 2, y, NULL, &err), CF_OK);
    double ls[2] = {0.5, -1.0};
    cr_assert_eq(cf_gp_set_hypers(gp, ls, 1.0, 0.1, &err), CF_ERR_INVALID);
    cr_assert_eq(cf_gp_fit(gp, X, 2, y, NULL, &err), CF_OK);
    cr_assert_eq(cf_gp_predict(gp, X, 2, NULL, NULL, NULL, NULL, &err), CF_OK);
    cr_assert_eq(cf_gp_score(y, y, y, 0, NULL, NULL, NULL), CF_ERR_ARG);
    cf_gp_destroy(gp);
}

/* The log priors by hand: with the LogNormal prior the objective exceeds the prior-free one by
 * -sum_j log LogNormal(l_j; sqrt2 + log(d)/2, sqrt3) - log Normal(log s2; 0, 3^2) - log Gamma(sn2; 1.1, 0.05), and
 * with the Gamma prior by -sum_j log Gamma(l_j; 3, 6) - log Gamma(s2; 2, 0.15) - the same noise term. */
Test(gp, log_priors_by_hand)
{
    rng_state = 4;
    enum { N = 10 };
    int kinds[3] = {0, 0, 3};
    double X[3 * N], y[N], th[5] = {log(0.3), log(0.7), log(0.8), log(1.3), log(0.02)};
    mixed_data(N, X, y);
    cf_gp *gp = cf_gp_create(3, kinds);
    cf_error err;
    cr_assert_eq(cf_gp_set_data(gp, X, N, y, NULL, &err), CF_OK);
    double f0, f1, f2;
    cr_assert_eq(cf_gp_objective(gp, th, 0, &f0, NULL, &err), CF_OK);
    cf_gp_set_prior(gp, CF_GP_PRIOR_LOGNORMAL);
    cr_assert_eq(cf_gp_objective(gp, th, 1, &f1, NULL, &err), CF_OK);
    cf_gp_set_prior(gp, CF_GP_PRIOR_GAMMA);
    cr_assert_eq(cf_gp_objective(gp, th, 1, &f2, NULL, &err), CF_OK);
    double m = sqrt(2.0) + 0.5 * log(3.0), s = sqrt(3.0), ln = 0.0, ga = 0.0;
    for (int j = 0; j < 3; j++) {
        double l = exp(th[j]), u = (log(l) - m) / s;
        ln += -log(l * s * sqrt(2.0 * M_PI)) - 0.5 * u * u;
        ga += 3.0 * log(6.0) - lgamma(3.0) + 2.0 * log(l) - 6.0 * l;
    }
    double s2 = 1.3, sn = 0.02;
    double noise = 1.1 * log(0.05) - lgamma(1.1) + 0.1 * log(sn) - 0.05 * sn;
    double s2_gamma = 2.0 * log(0.15) - lgamma(2.0) + log(s2) - 0.15 * s2;
    double s2_normal = -0.5 * (log(s2) / 3.0) * (log(s2) / 3.0) - log(3.0 * sqrt(2.0 * M_PI)); /* log s2 ~ N(0, 9) */
    cr_assert_float_eq(f1 - f0, -(ln + s2_normal + noise), 1e-10);
    cr_assert_float_eq(f2 - f0, -(ga + s2_gamma + noise), 1e-10);
    cf_gp_destroy(gp);
}

/* Smooth 2-d data for the model-selection tests: y = sin(2 x0) + sin(2.75 x1 + 1) / 1.25 + N(0, 0.1^2). */
static void smooth2_data(size_t n, double *X, double *y)
{
    for (size_t i = 0; i < n; i++) {
        X[2 * i] = urand();
        X[2 * i + 1] = urand();
        y[i] = sin(2.0 * X[2 * i]) + sin(2.75 * X[2 * i + 1] + 1.0) / 1.25 + 0.1 * nrand();
    }
}

/* Mean LOO negative log predictive density of a fitted model on its own training targets (R&W eq. 5.12). */
static double loo_nlpd(const cf_gp *gp, const double *y, size_t n)
{
    double *mu = malloc(n * sizeof *mu), *var = malloc(n * sizeof *var), nlpd = NAN;
    cf_error err;
    cr_assert_eq(cf_gp_loo(gp, mu, var, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_gp_score(y, mu, var, n, NULL, &nlpd, NULL), CF_OK);
    free(mu), free(var);
    return nlpd;
}

/* With fewer than 10 points per dimension the prior's (MAP) fit is always kept, even where LOO would prefer the
 * maximum-likelihood one; with n >= 10 d the kept fit has a LOO density at least that of the ML fit, and on this
 * smooth, well-sampled function it is the ML fit itself (same hyperparameters as cf_gp_set_prior(NONE)). */
Test(gp, loo_model_selection)
{
    int kinds[2] = {0, 0};
    cf_error err;
    double X[2 * 60], y[60];
    rng_state = 11;
    smooth2_data(12, X, y);
    cf_gp *few = cf_gp_create(2, kinds);
    cr_assert_eq(cf_gp_fit(few, X, 12, y, NULL, &err), CF_OK);
    cr_assert_eq(cf_gp_selected_prior(few), CF_GP_PRIOR_LOGNORMAL);
    cf_gp_destroy(few);

    rng_state = 12;
    smooth2_data(60, X, y);
    cf_gp *def = cf_gp_create(2, kinds), *ml = cf_gp_create(2, kinds);
    cf_gp_set_prior(ml, CF_GP_PRIOR_NONE);
    cr_assert_eq(cf_gp_fit(def, X, 60, y, NULL, &err), CF_OK);
    cr_assert_eq(cf_gp_fit(ml, X, 60, y, NULL, &err), CF_OK);
    cr_assert_eq(cf_gp_selected_prior(ml), CF_GP_PRIOR_NONE);
    cr_assert(loo_nlpd(def, y, 60) <= loo_nlpd(ml, y, 60) + 1e-9, "kept %g ml %g", loo_nlpd(def, y, 60),
              loo_nlpd(ml, y, 60));
    cr_assert_eq(cf_gp_selected_prior(def), CF_GP_PRIOR_NONE);
    double a[4], b[4];
    cf_gp_get_theta(def, a);
    cf_gp_get_theta(ml, b);
    for (int p = 0; p < 4; p++) cr_assert(fabs(a[p] - b[p]) < 1e-3, "theta[%d] %g vs %g", p, a[p], b[p]);
    cf_gp_destroy(def);
    cf_gp_destroy(ml);
}

/* n = 600 takes the subsample path (multi-start on 250 points, L-BFGS on all 600 from its optimum): the result is
 * a stationary point of the full-data objective of the kept fit, and the noise variance is near the true 0.01. */
Test(gp, large_n_subsample_start_is_stationary)
{
    enum { N = 600 };
    int kinds[2] = {0, 0};
    double *X = malloc(2 * N * sizeof *X), *y = malloc(N * sizeof *y);
    rng_state = 13;
    smooth2_data(N, X, y);
    cf_gp *gp = cf_gp_create(2, kinds);
    cf_error err;
    cr_assert_eq(cf_gp_fit(gp, X, N, y, NULL, &err), CF_OK, "%s", err.message);
    double th[4], f, g[4];
    cf_gp_get_theta(gp, th);
    int with_prior = cf_gp_selected_prior(gp) != CF_GP_PRIOR_NONE;
    cr_assert_eq(cf_gp_objective(gp, th, with_prior, &f, g, &err), CF_OK);
    for (int p = 0; p < 4; p++) cr_assert(fabs(g[p]) < 0.05, "gradient[%d] = %g at the optimum", p, g[p]);
    double sn = cf_gp_noise_var(gp);
    cr_assert(sn > 0.7 * 0.01 && sn < 1.4 * 0.01, "noise %g", sn);
    cr_assert(cf_gp_n_evals(gp) < 80, "%zu full-data evaluations", cf_gp_n_evals(gp));
    cf_gp_destroy(gp);
    free(X), free(y);
}

/* The gradient at a bench-like size (n = 600 points in 8 continuous dimensions, many pairs at every distance, the
 * cached kernel factors and distances of every pair used) agrees with central differences in every coordinate. */
Test(gp, gradient_matches_finite_differences_n600_d8)
{
    rng_state = 5;
    enum { N = 600, D = 8 };
    static double X[N * D], y[N];
    for (size_t i = 0; i < N; i++) {
        double f = 0.0;
        for (size_t j = 0; j < D; j++) {
            X[i * D + j] = urand();
            f += sin((2.0 + 0.75 * (double)j) * X[i * D + j] + (double)j);
        }
        y[i] = f + 0.1 * nrand();
    }
    int kinds[D] = {0};
    cf_gp *gp = cf_gp_create(D, kinds);
    cf_error err;
    cr_assert_eq(cf_gp_set_data(gp, X, N, y, NULL, &err), CF_OK);
    double th[D + 2], g[D + 2], f;
    for (size_t j = 0; j < D; j++) th[j] = log(0.3 + 0.1 * (double)j);
    th[D] = 0.2;
    th[D + 1] = log(0.02);
    cr_assert_eq(cf_gp_objective(gp, th, 1, &f, g, &err), CF_OK);
    for (size_t p = 0; p < D + 2; p++) {
        double h = 1e-5, fp, fm, t0 = th[p];
        th[p] = t0 + h;
        cr_assert_eq(cf_gp_objective(gp, th, 1, &fp, NULL, &err), CF_OK);
        th[p] = t0 - h;
        cr_assert_eq(cf_gp_objective(gp, th, 1, &fm, NULL, &err), CF_OK);
        th[p] = t0;
        double fd = (fp - fm) / (2.0 * h);
        cr_assert(fabs(fd - g[p]) <= 1e-5 * fmax(1.0, fabs(fd)), "p %zu: fd %.10g analytic %.10g", p, fd, g[p]);
    }
    cf_gp_destroy(gp);
}
