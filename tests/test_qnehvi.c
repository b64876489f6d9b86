/* Tests for optimizer/qnehvi.c (the joint posterior pieces of qNEHVI, Daulton, Balandat & Bakshy 2021) and for the
 * noisy-batch path of the study: the conditional Gaussian of a candidate given a baseline sample worked by hand and
 * against the joint covariance of cf_gp_predict_cov, the zero-variance limit (qNEHVI is then the exact hypervolume
 * improvement of the batch, worked by hand on a 2-D front), agreement with EHVI for noiseless incumbents, agreement
 * with a brute-force Monte Carlo estimate for noisy ones, and determinism for a seed. */
#include <criterion/criterion.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "costfront/ehvi.h"
#include "costfront/gp.h"
#include "costfront/study.h"
#include "optimizer/qnehvi.h"

/* A GP with fixed hyperparameters (no fit) and no standardisation, so y's units are the kernel's. */
static cf_gp *fixed_gp(size_t d, const int *kinds, const double *X, size_t n, const double *y, const double *ls,
                       double s2, double sn2)
{
    cf_gp *g = cf_gp_create(d, kinds);
    cr_assert_not_null(g);
    cf_gp_set_standardize(g, 0);
    cr_assert_eq(cf_gp_set_data(g, X, n, y, NULL, NULL), CF_OK);
    cr_assert_eq(cf_gp_set_hypers(g, ls, s2, sn2, NULL), CF_OK);
    return g;
}

/* One training point x = 0.5, y = 0, lengthscale 1, signal variance 1, noise variance 1; baseline B = {0.5}.
 * Posterior at 0.5: mean 0, variance 1 - 1 / (1 + 1) = 0.5, so the baseline samples are sqrt(0.5) z_s.
 * Candidate 0.5 (the baseline point itself): cov(f_B, f_x) = 0.5, w = 0.5 / sqrt(0.5) = sqrt(0.5), conditional
 * variance 0.5 - 0.5 = 0 and shift sqrt(0.5) z_s: the candidate IS the baseline sample.
 * Candidate 1.5 (r = 1): k = (1 + sqrt5 + 5/3) e^-sqrt5 = 0.5239941088; prior-posterior: var_x = 1 - k^2 / 2 =
 * 0.8627150870, cov(f_B, f_x) = k - k * 1 / 2 = k / 2, w = (k / 2) / sqrt(0.5) = 0.3705197877, conditional variance
 * var_x - w^2 = 1 - k^2 = 0.7254301739, shift w z_s. */
Test(qnehvi, condition_worked_by_hand)
{
    const int kinds[1] = {0};
    const double X[1] = {0.5}, y[1] = {0.0}, ls[1] = {1.0}, B[1] = {0.5};
    cf_gp *g = fixed_gp(1, kinds, X, 1, y, ls, 1.0, 1.0);
    const double Z[4] = {-1.5, -0.25, 0.5, 2.0};
    cf_gp_joint *j = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_gp_joint_create(g, kinds, X, 1, B, 1, Z, 4, &j, &e), CF_OK, "%s", e.message);
    cr_assert_eq(cf_gp_joint_nsamples(j), 4);
    const double *fs = cf_gp_joint_samples(j);
    for (int s = 0; s < 4; s++) cr_assert_float_eq(fs[s], sqrt(0.5) * Z[s], 1e-7, "sample %d: %g", s, fs[s]);
    double mu, var, shift[4];
    cr_assert_eq(cf_gp_predict(g, B, 1, NULL, &mu, &var, NULL, NULL), CF_OK);
    cr_assert_float_eq(var, 0.5, 1e-9);
    double vc = cf_gp_joint_condition(j, B, var, shift);
    cr_assert_float_eq(vc, 0.0, 1e-7);
    for (int s = 0; s < 4; s++) cr_assert_float_eq(shift[s], sqrt(0.5) * Z[s], 1e-7);
    const double x2[1] = {1.5};
    cr_assert_eq(cf_gp_predict(g, x2, 1, NULL, &mu, &var, NULL, NULL), CF_OK);
    cr_assert_float_eq(var, 0.8627150870, 1e-9);
    vc = cf_gp_joint_condition(j, x2, var, shift);
    cr_assert_float_eq(vc, 0.7254301739, 1e-8, "conditional variance %.10f", vc);
    for (int s = 0; s < 4; s++) cr_assert_float_eq(shift[s], 0.3705197877 * Z[s], 1e-8);
    cf_gp_joint_destroy(j);
    cf_gp_joint_destroy(NULL);
    cf_gp_destroy(g);
}

/* Mixed inputs (2 continuous, 1 categorical with 3 levels), 12 training points, 5 baseline points, noise variance
 * 0.05: the conditional mean shift and variance of a candidate must be the Gaussian conditioning formulas applied
 * to the joint covariance of cf_gp_predict_cov at [B; x]: var_x - c^T S^-1 c and c^T S^-1 (f_B^(s) - mu_B), with
 * S = cov(f_B), c = cov(f_B, f_x) (R&W 2006 eq. A.6). */
Test(qnehvi, condition_matches_joint_covariance)
{
    const int kinds[3] = {0, 0, 3};
    enum { N = 12, NB = 5, SS = 16 };
    double X[N * 3], y[N], B[NB * 3];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    for (int i = 0; i < N; i++) {
        X[3 * i] = gsl_rng_uniform(r);
        X[3 * i + 1] = gsl_rng_uniform(r);
        X[3 * i + 2] = (double)gsl_rng_uniform_int(r, 3);
        y[i] = sin(6 * X[3 * i]) + X[3 * i + 1] * X[3 * i + 2];
    }
    memcpy(B, X, 3 * sizeof *B); /* a training point, */
    for (int i = 1; i < NB; i++) {  /* and new points */
        B[3 * i] = gsl_rng_uniform(r);
        B[3 * i + 1] = gsl_rng_uniform(r);
        B[3 * i + 2] = (double)gsl_rng_uniform_int(r, 3);
    }
    const double ls[3] = {0.3, 0.5, 1.0};
    cf_gp *g = fixed_gp(3, kinds, X, N, y, ls, 1.3, 0.05);
    double Z[SS * NB];
    cr_assert_eq(cf_qmc_normals(SS, NB, 3, Z, NULL), CF_OK);
    cf_gp_joint *j = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_gp_joint_create(g, kinds, X, N, B, NB, Z, SS, &j, &e), CF_OK, "%s", e.message);
    const double *fs = cf_gp_joint_samples(j);
    for (int t = 0; t < 3; t++) {
        double P[(NB + 1) * 3], mu[NB + 1], cov[(NB + 1) * (NB + 1)];
        memcpy(P, B, sizeof B);
        P[3 * NB] = gsl_rng_uniform(r);
        P[3 * NB + 1] = gsl_rng_uniform(r);
        P[3 * NB + 2] = (double)t;
        cr_assert_eq(cf_gp_predict_cov(g, P, NB + 1, NULL, mu, cov, NULL), CF_OK);
        double Sm[NB * NB], c[NB], sol[NB];
        for (int a = 0; a < NB; a++) {
            for (int b = 0; b < NB; b++) Sm[a * NB + b] = cov[a * (NB + 1) + b];
            c[a] = cov[a * (NB + 1) + NB];
        }
        gsl_matrix_view Sv = gsl_matrix_view_array(Sm, NB, NB);
        cr_assert_eq(gsl_linalg_cholesky_decomp1(&Sv.matrix), 0);
        gsl_vector_view cv = gsl_vector_view_array(c, NB), sv = gsl_vector_view_array(sol, NB);
        gsl_linalg_cholesky_solve(&Sv.matrix, &cv.vector, &sv.vector); /* sol = S^-1 c */
        double want = cov[NB * (NB + 1) + NB];
        for (int a = 0; a < NB; a++) want -= c[a] * sol[a];
        double mx, vx, shift[SS];
        cr_assert_eq(cf_gp_predict(g, P + 3 * NB, 1, NULL, &mx, &vx, NULL, NULL), CF_OK);
        cr_assert_float_eq(vx, cov[NB * (NB + 1) + NB], 1e-9);
        double vc = cf_gp_joint_condition(j, P + 3 * NB, vx, shift);
        cr_assert_float_eq(vc, fmax(want, 0.0), 1e-6 * (1.0 + vx), "candidate %d: %g vs %g", t, vc, want);
        cr_assert_lt(vc, vx); /* the baseline is informative */
        for (int s = 0; s < SS; s++) {
            double m = 0.0;
            for (int a = 0; a < NB; a++) m += sol[a] * (fs[s * NB + a] - mu[a]);
            cr_assert_float_eq(shift[s], m, 1e-5, "candidate %d sample %d: %g vs %g", t, s, shift[s], m);
        }
    }
    cf_gp_joint_destroy(j);
    cf_gp_destroy(g);
    gsl_rng_free(r);
}

/* A tiny 2-D problem on one input: four points x = 0, 1/3, 2/3, 1 with (f1, f2) = (1, 3), (2, 2), (1.5, 1.5),
 * (3, 1), reference point (4, 4). */
static const double T_X[4] = {0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0};
static const double T_F1[4] = {1.0, 2.0, 1.5, 3.0}, T_F2[4] = {3.0, 2.0, 1.5, 1.0};
static const double T_REF[2] = {4.0, 4.0};

/* qNEHVI of candidate x on GPs g[2] with the baseline rows B (all pinned), S QMC base samples (seed 11). */
static double qnehvi_at(cf_gp *const *g, const double *B, size_t nb, const double *x, size_t S)
{
    const int kinds[1] = {0};
    double *Z = malloc(S * 2 * nb * sizeof *Z), *Zg = malloc(S * nb * sizeof *Zg);
    cr_assert_eq(cf_qmc_normals(S, 2 * nb, 11, Z, NULL), CF_OK);
    cf_gp_joint *j[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        for (size_t s = 0; s < S; s++) memcpy(Zg + s * nb, Z + s * 2 * nb + (size_t)k * nb, nb * sizeof *Zg);
        cf_error e;
        cf_error_clear(&e);
        cr_assert_eq(cf_gp_joint_create(g[k], kinds, T_X, 4, B, nb, Zg, S, &j[k], &e), CF_OK, "%s", e.message);
    }
    unsigned char pin[8];
    memset(pin, 1, sizeof pin);
    cf_hvboxes **bx = calloc(S, sizeof *bx);
    const cf_gp_joint *J[2] = {j[0], j[1]};
    cr_assert_eq(cf_qnehvi_boxes(J, 2, pin, NULL, T_REF, bx, NULL), CF_OK);
    double mu[2], var[2], *shift = malloc(2 * S * sizeof *shift);
    for (int k = 0; k < 2; k++) cr_assert_eq(cf_gp_predict(g[k], x, 1, NULL, &mu[k], &var[k], NULL, NULL), CF_OK);
    double v = cf_qnehvi_point(J, 2, bx, x, mu, var, NULL, shift);
    for (size_t s = 0; s < S; s++) cf_hvboxes_destroy(bx[s]);
    free(bx);
    free(shift);
    free(Z);
    free(Zg);
    cf_gp_joint_destroy(j[0]);
    cf_gp_joint_destroy(j[1]);
    return v;
}

static void tiny_gps(cf_gp **g, double noise)
{
    const int kinds[1] = {0};
    const double ls[1] = {0.3};
    g[0] = fixed_gp(1, kinds, T_X, 4, T_F1, ls, 4.0, noise);
    g[1] = fixed_gp(1, kinds, T_X, 4, T_F2, ls, 4.0, noise);
}

/* With (nearly) zero posterior variance (noise variance 1e-6: posterior sd about 1e-3 at the training points)
 * qNEHVI is the exact hypervolume improvement, and the sequential greedy increments add up to the batch's HVI.
 * Baseline {(1, 3), (3, 1)}: HV = (3 - 1)(4 - 3) + (4 - 3)(4 - 1) = 5. First point (2, 2): HVI = [2, 3] x [2, 3]
 * = 1. With it in the baseline, second point (1.5, 1.5): HV of {(1, 3), (1.5, 1.5), (3, 1)} = 0.5 * 1 + 1.5 * 2.5
 * + 1 * 3 = 7.25, against 5 + 1 = 6: increment 1.25. Batch: 1 + 1.25 = 2.25 = 7.25 - 5. A baseline point adds 0. */
Test(qnehvi, zero_variance_is_the_batch_hvi)
{
    cf_gp *g[2];
    tiny_gps(g, 1e-6);
    const double B1[2] = {T_X[0], T_X[3]}, B2[3] = {T_X[0], T_X[3], T_X[1]};
    double a = qnehvi_at(g, B1, 2, &T_X[1], 32);
    double b = qnehvi_at(g, B2, 3, &T_X[2], 32);
    double z = qnehvi_at(g, B1, 2, &T_X[0], 32);
    cr_assert_float_eq(a, 1.0, 5e-3, "first increment %g", a);
    cr_assert_float_eq(b, 1.25, 5e-3, "second increment %g", b);
    cr_assert_float_eq(a + b, 2.25, 1e-2);
    cr_assert_float_eq(z, 0.0, 5e-3, "a baseline point: %g", z);
    /* The other order gives the same batch value: (1.5, 1.5) first, HV of {(1, 3), (1.5, 1.5), (3, 1)} = 7.25
     * against 5: 2.25; then (2, 2), dominated by (1.5, 1.5): 0. */
    const double B3[3] = {T_X[0], T_X[3], T_X[2]};
    double c = qnehvi_at(g, B1, 2, &T_X[2], 32), d = qnehvi_at(g, B3, 3, &T_X[1], 32);
    cr_assert_float_eq(c, 2.25, 5e-3, "%g", c);
    cr_assert_float_eq(d, 0.0, 5e-3, "%g", d);
    cf_gp_destroy(g[0]);
    cf_gp_destroy(g[1]);
}

/* q = 1 with noiseless incumbents: qNEHVI at a new point (x = 0.5, real posterior variance) agrees with the exact
 * EHVI of its prediction over the posterior-mean front of the baseline (the noiseless acquisition), up to the
 * ~1e-3 spread of the baseline samples. */
Test(qnehvi, noiseless_q1_agrees_with_ehvi)
{
    cf_gp *g[2];
    tiny_gps(g, 1e-6);
    const double x[1] = {0.5};
    double front[8], mu[2], var[2], sd[2];
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 2; k++) {
            double v;
            cr_assert_eq(cf_gp_predict(g[k], &T_X[i], 1, NULL, &front[2 * i + k], &v, NULL, NULL), CF_OK);
        }
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(cf_gp_predict(g[k], x, 1, NULL, &mu[k], &var[k], NULL, NULL), CF_OK);
        sd[k] = sqrt(var[k]);
    }
    cr_assert_gt(sd[0], 0.05); /* a real prediction, not a known value */
    double want;
    cr_assert_eq(cf_ehvi(front, 4, 2, T_REF, mu, sd, &want, NULL), CF_OK);
    double got = qnehvi_at(g, T_X, 4, x, 64);
    cr_assert_gt(want, 0.01);
    cr_assert_float_eq(got, want, 1e-2 * want, "qNEHVI %g, EHVI %g", got, want);
    cf_gp_destroy(g[0]);
    cf_gp_destroy(g[1]);
}

/* Noisy incumbents (noise variance 0.25): qNEHVI (1024 QMC base samples, exact EHVI per sample) agrees with a
 * brute-force Monte Carlo estimate of E[HVI(f_x | front(f_B))] from 40000 joint draws of (f_B, f_x) per GP out of
 * cf_gp_predict_cov, within 4 standard errors plus 1%. And it differs from the EHVI over the posterior-mean front,
 * which is what the noisy acquisition corrects. */
Test(qnehvi, noisy_matches_brute_force_monte_carlo)
{
    cf_gp *g[2];
    tiny_gps(g, 0.25);
    const double x[1] = {0.5};
    double P[5] = {T_X[0], T_X[1], T_X[2], T_X[3], x[0]};
    double mu[2][5], L[2][25];
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(cf_gp_predict_cov(g[k], P, 5, NULL, mu[k], L[k], NULL), CF_OK);
        for (int i = 0; i < 5; i++) L[k][i * 5 + i] += 1e-12;
        gsl_matrix_view Lv = gsl_matrix_view_array(L[k], 5, 5);
        cr_assert_eq(gsl_linalg_cholesky_decomp1(&Lv.matrix), 0);
    }
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    const int N = 40000;
    double sum = 0.0, sum2 = 0.0;
    for (int t = 0; t < N; t++) {
        double f[2][5], z[5];
        for (int k = 0; k < 2; k++) {
            for (int i = 0; i < 5; i++) z[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
            for (int i = 0; i < 5; i++) {
                f[k][i] = mu[k][i];
                for (int c = 0; c <= i; c++) f[k][i] += L[k][i * 5 + c] * z[c];
            }
        }
        double front[8], yx[2] = {f[0][4], f[1][4]}, h = 0.0;
        for (int i = 0; i < 4; i++) {
            front[2 * i] = f[0][i];
            front[2 * i + 1] = f[1][i];
        }
        cr_assert_eq(cf_hv_improvement(front, 4, 2, T_REF, yx, &h, NULL), CF_OK);
        sum += h;
        sum2 += h * h;
    }
    double mc = sum / N, se = sqrt((sum2 / N - mc * mc) / N);
    double got = qnehvi_at(g, T_X, 4, x, 1024);
    cr_assert_float_eq(got, mc, 4.0 * se + 0.01 * mc, "qNEHVI %g, brute force %g (se %g)", got, mc, se);
    double front[8], m2[2], sd[2], ehvi;
    for (int i = 0; i < 4; i++) {
        front[2 * i] = mu[0][i];
        front[2 * i + 1] = mu[1][i];
    }
    for (int k = 0; k < 2; k++) {
        double v;
        cr_assert_eq(cf_gp_predict(g[k], x, 1, NULL, &m2[k], &v, NULL, NULL), CF_OK);
        sd[k] = sqrt(v);
    }
    cr_assert_eq(cf_ehvi(front, 4, 2, T_REF, m2, sd, &ehvi, NULL), CF_OK);
    cr_assert_gt(fabs(ehvi - mc), 8.0 * se, "EHVI over the mean front %g should differ from %g", ehvi, mc);
    gsl_rng_free(r);
    cf_gp_destroy(g[0]);
    cf_gp_destroy(g[1]);
}

/* The base samples are deterministic for a seed, differ between seeds, and are standard normal: the mean of
 * 256 scrambled-Sobol normals is within 0.02 of 0 and their variance within 0.05 of 1 (QMC error ~1/S). */
Test(qnehvi, base_samples_deterministic)
{
    enum { S = 256, D = 6 };
    static double a[S * D], b[S * D], c[S * D];
    cr_assert_eq(cf_qmc_normals(S, D, 42, a, NULL), CF_OK);
    cr_assert_eq(cf_qmc_normals(S, D, 42, b, NULL), CF_OK);
    cr_assert_eq(cf_qmc_normals(S, D, 43, c, NULL), CF_OK);
    cr_assert_eq(memcmp(a, b, sizeof a), 0);
    cr_assert_neq(memcmp(a, c, sizeof a), 0);
    for (int k = 0; k < D; k++) {
        double m = 0.0, v = 0.0;
        for (int s = 0; s < S; s++) m += a[s * D + k] / S;
        for (int s = 0; s < S; s++) v += (a[s * D + k] - m) * (a[s * D + k] - m) / (S - 1);
        cr_assert_lt(fabs(m), 0.02, "column %d mean %g", k, m);
        cr_assert_lt(fabs(v - 1.0), 0.05, "column %d variance %g", k, v);
    }
}

/* A noisy BraninCurrin-like study (2 objectives, 14 trials with noise), q = 4 asked twice on two copies of the
 * same trials with the same seed under qNEHVI: byte-identical batches of 4 distinct points. */
static char *ask_batch(const char *name, cf_acquisition acq, unsigned long seed)
{
    char path[256];
    snprintf(path, sizeof path, "%s/test_qnehvi_%s_%ld.db", CF_BINARY_DIR, name, (long)getpid());
    remove(path);
    cf_error e;
    cf_error_clear(&e);
    cf_study *s = NULL;
    cr_assert_eq(cf_study_create(path,
                                 "{\"params\": [{\"name\": \"x0\", \"type\": \"float\", \"low\": 0, \"high\": 1},"
                                 "{\"name\": \"x1\", \"type\": \"float\", \"low\": 0, \"high\": 1}], \"objectives\": "
                                 "[{\"name\": \"f1\", \"ref\": 2}, {\"name\": \"f2\", \"ref\": 2}]}",
                                 &s, &e),
                 CF_OK, "%s", e.message);
    cf_study_set_acquisition(s, acq);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 3);
    for (int i = 0; i < 14; i++) {
        double x0 = gsl_rng_uniform(r), x1 = gsl_rng_uniform(r);
        cJSON *p = cJSON_CreateObject(), *v = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "x0", x0);
        cJSON_AddNumberToObject(p, "x1", x1);
        cJSON_AddNumberToObject(v, "f1", x0 + gsl_ran_gaussian(r, 0.1));
        cJSON_AddNumberToObject(v, "f2", 1.0 - sqrt(x0) + x1 + gsl_ran_gaussian(r, 0.1));
        cr_assert_eq(cf_study_add(s, p, v, NULL, &e), CF_OK, "%s", e.message);
        cJSON_Delete(p);
        cJSON_Delete(v);
    }
    cJSON *tr = NULL;
    cr_assert_eq(cf_study_ask(s, 4, seed, &tr, &e), CF_OK, "%s", e.message);
    cr_assert_eq(cJSON_GetArraySize(tr), 4);
    char *txt = cJSON_PrintUnformatted(tr);
    cJSON_Delete(tr);
    gsl_rng_free(r);
    cf_study_destroy(s);
    char aux[300];
    remove(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    remove(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    remove(aux);
    return txt;
}

Test(qnehvi, study_batch_deterministic_for_a_seed, .timeout = 120)
{
    char *a = ask_batch("a", CF_ACQ_QNEHVI, 5), *b = ask_batch("b", CF_ACQ_QNEHVI, 5);
    cr_assert_str_eq(a, b);
    cJSON *t = cJSON_Parse(a);
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < i; k++) {
            cJSON *pi = cJSON_GetObjectItem(cJSON_GetArrayItem(t, i), "params");
            cJSON *pk = cJSON_GetObjectItem(cJSON_GetArrayItem(t, k), "params");
            double dx = cJSON_GetObjectItem(pi, "x0")->valuedouble - cJSON_GetObjectItem(pk, "x0")->valuedouble;
            double dy = cJSON_GetObjectItem(pi, "x1")->valuedouble - cJSON_GetObjectItem(pk, "x1")->valuedouble;
            cr_assert_gt(dx * dx + dy * dy, 1e-8, "points %d and %d coincide", i, k);
        }
    cJSON_Delete(t);
    free(a);
    free(b);
}

/* The default acquisition (CF_ACQ_AUTO) takes the qNEHVI path for a noisy study asked for a batch (the incumbents'
 * posterior sd, about the noise sd 0.1, exceeds 1% of their distance to the reference point), so it proposes the
 * very batch CF_ACQ_QNEHVI proposes; the kriging believer (CF_ACQ_EHVI) proposes another. */
Test(qnehvi, default_is_qnehvi_for_noisy_batches, .timeout = 180)
{
    char *a = ask_batch("q", CF_ACQ_QNEHVI, 9), *b = ask_batch("auto", CF_ACQ_AUTO, 9);
    char *c = ask_batch("kb", CF_ACQ_EHVI, 9);
    cr_assert_str_eq(a, b);
    cr_assert_str_neq(a, c);
    free(a);
    free(b);
    free(c);
}
