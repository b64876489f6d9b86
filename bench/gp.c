/* Benchmark of models/gp.c.
 *
 * Usage: bench_gp OUTDIR [--quick]
 *
 * 1. For n = 50, 200, 1000 and d = 4, 8 it generates a smooth synthetic function with noise (a sum of sines with a
 *    different frequency per dimension, noise sd 0.1), writes the training set and a 500-point test set to
 *    OUTDIR/gp_n<n>_d<d>_{train,test}.csv (so bench/gp_sklearn.py fits scikit-learn on the very same data), fits
 *    costfront's GP and reports the median fit time and the held-out NLPD, RMSE and 95% coverage of the noisy test
 *    targets. Results also go to OUTDIR/gp_c.csv.
 * 2. At n = 2000, d = 8 it measures the time of one log-marginal-likelihood evaluation without and with the
 *    gradient, as a ratio to the time the Cholesky factorisation's n^3/3 flops take at the dgemm rate measured in
 *    the same process (cblas_dgemm, 2000 x 2000).
 * Set OPENBLAS_NUM_THREADS (bench/gp.sh uses 2). Medians over repeats. With --lml only part 2 runs, and it also
 * prints the objective and its gradient to 17 digits (to check that a change keeps the values).
 */
#include <gsl/gsl_cblas.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "costfront/gp.h"

/* OpenBLAS's LAPACK, which models/gp.c uses (column-major: "U" is the row-major lower triangle). */
extern void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
extern void dpotri_(const char *uplo, const int *n, double *a, const int *lda, int *info);

#define TEST_M   500
#define NOISE_SD 0.1

static uint64_t rng_state;

/* SplitMix64 uniform in [0, 1). */
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

/* The test function: sum_j sin(w_j x_j + j) / (1 + 0.25 j) with w_j = 2 + 0.75 j. */
static double truth(const double *x, size_t d)
{
    double f = 0.0;
    for (size_t j = 0; j < d; j++) f += sin((2.0 + 0.75 * (double)j) * x[j] + (double)j) / (1.0 + 0.25 * (double)j);
    return f;
}

/* Wall-clock seconds. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..k-1] (sorts v). */
static double median(double *v, size_t k)
{
    qsort(v, k, sizeof *v, cmp_double);
    return k % 2 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
}

/* Writes rows (x..., y) to path as CSV with a header. */
static int write_csv(const char *path, const double *X, const double *y, size_t n, size_t d)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) return -1;
    for (size_t j = 0; j < d; j++) fprintf(f, "x%zu,", j);
    fprintf(f, "y\n");
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++) fprintf(f, "%.17g,", X[i * d + j]);
        fprintf(f, "%.17g\n", y[i]);
    }
    return fclose(f);
}

/* Fills X (n x d) uniformly and y = truth + noise. */
static void make_data(double *X, double *y, size_t n, size_t d)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++) X[i * d + j] = urand();
        y[i] = truth(X + i * d, d) + NOISE_SD * nrand();
    }
}

/* Measures the dgemm rate (GFLOP/s) on 2000 x 2000 matrices: median of reps. */
static double dgemm_gflops(size_t reps)
{
    const size_t n = 2000;
    double *A = malloc(n * n * sizeof *A), *B = malloc(n * n * sizeof *B), *C = malloc(n * n * sizeof *C);
    for (size_t i = 0; i < n * n; i++) {
        A[i] = urand() - 0.5;
        B[i] = urand() - 0.5;
        C[i] = 0.0;
    }
    double t[16];
    for (size_t r = 0; r < reps; r++) {
        double t0 = now();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0, A, (int)n, B, (int)n, 0.0,
                    C, (int)n);
        t[r] = now() - t0;
    }
    free(A), free(B), free(C);
    return 2.0 * (double)n * (double)n * (double)n / median(t, reps) / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s OUTDIR [--quick | --lml]\n", argv[0]);
        return 2;
    }
    const char *out = argv[1];
    int quick = argc > 2 && strcmp(argv[2], "--quick") == 0;
    int lml_only = argc > 2 && strcmp(argv[2], "--lml") == 0;
    const char *thr = getenv("OPENBLAS_NUM_THREADS");
    printf("# bench_gp: OPENBLAS_NUM_THREADS=%s, default start + 4 Sobol starts screened (on a 250-point subsample"
           " for n >= 500), L-BFGS from the best %s, ML-vs-MAP LOO selection for n >= 10 d, medians over repeats\n",
           thr ? thr : "(unset)", getenv("GP_LOCAL_RUNS") ? getenv("GP_LOCAL_RUNS") : "2");
    char path[1024];
    snprintf(path, sizeof path, "%s/gp_c.csv", out);
    FILE *res = fopen(path, "w");
    if (res == NULL) {
        fprintf(stderr, "cannot write %s\n", path);
        return 1;
    }
    fprintf(res, "n,d,fit_s,nlpd,rmse,cover95,evals,lengthscale_mean,noise_var,nlpd_ml,nlpd_gamma,selected\n");
    const size_t ns[3] = {50, 200, 1000}, ds[2] = {4, 8};
    printf("%6s %3s %10s %9s %8s %8s %6s %9s %9s %4s\n", "n", "d", "fit_s", "nlpd", "rmse", "cover95", "evals",
           "nlpd_ml", "nlpd_gamma", "sel");
    for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < 2; b++) {
            size_t n = ns[a], d = ds[b];
            if (lml_only) continue;
            if (quick && n > 200) continue;
            rng_state = 1000 * n + d;
            double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y);
            double *Xs = malloc(TEST_M * d * sizeof *Xs), *ys = malloc(TEST_M * sizeof *ys);
            double *mu = malloc(TEST_M * sizeof *mu), *vy = malloc(TEST_M * sizeof *vy);
            make_data(X, y, n, d);
            make_data(Xs, ys, TEST_M, d);
            snprintf(path, sizeof path, "%s/gp_n%zu_d%zu_train.csv", out, n, d);
            if (write_csv(path, X, y, n, d) != 0) return 1;
            snprintf(path, sizeof path, "%s/gp_n%zu_d%zu_test.csv", out, n, d);
            if (write_csv(path, Xs, ys, TEST_M, d) != 0) return 1;
            int kinds[8] = {0};
            size_t reps = n >= 1000 ? 3 : 5;
            double t[8], nlpd = 0, rmse = 0, cover = 0, lsm = 0, noise = 0;
            size_t evals = 0;
            int sel = -1;
            for (size_t r = 0; r < reps; r++) {
                cf_gp *gp = cf_gp_create(d, kinds);
                if (getenv("GP_PRIOR")) cf_gp_set_prior(gp, atoi(getenv("GP_PRIOR")));
                if (getenv("GP_LOCAL_RUNS")) cf_gp_set_local_runs(gp, (size_t)atoi(getenv("GP_LOCAL_RUNS")));
                cf_error err;
                double t0 = now();
                cf_status st = cf_gp_fit(gp, X, n, y, NULL, &err);
                t[r] = now() - t0;
                if (st != CF_OK) {
                    fprintf(stderr, "fit failed: %s\n", err.message);
                    return 1;
                }
                cf_gp_predict(gp, Xs, TEST_M, NULL, mu, NULL, vy, &err);
                cf_gp_score(ys, mu, vy, TEST_M, &rmse, &nlpd, &cover);
                double ls[8];
                cf_gp_lengthscales(gp, ls);
                lsm = 0;
                for (size_t j = 0; j < d; j++) lsm += ls[j] / (double)d;
                noise = cf_gp_noise_var(gp);
                evals = cf_gp_n_evals(gp);
                sel = cf_gp_selected_prior(gp);
                cf_gp_destroy(gp);
            }
            double fit = median(t, reps);
            /* The same fit under the other lengthscale priors (plain maximum likelihood, Gamma(3, 6)), NLPD only. */
            double nlpd_alt[2];
            for (int k = 0; k < 2; k++) {
                cf_gp *gp = cf_gp_create(d, kinds);
                cf_error err;
                cf_gp_set_prior(gp, k == 0 ? CF_GP_PRIOR_NONE : CF_GP_PRIOR_GAMMA);
                nlpd_alt[k] = NAN;
                if (cf_gp_fit(gp, X, n, y, NULL, &err) == CF_OK &&
                    cf_gp_predict(gp, Xs, TEST_M, NULL, mu, NULL, vy, &err) == CF_OK)
                    cf_gp_score(ys, mu, vy, TEST_M, NULL, &nlpd_alt[k], NULL);
                cf_gp_destroy(gp);
            }
            printf("%6zu %3zu %10.4f %9.5f %8.4f %8.3f %6zu %9.5f %9.5f %4s\n", n, d, fit, nlpd, rmse, cover, evals,
                   nlpd_alt[0], nlpd_alt[1], sel == CF_GP_PRIOR_NONE ? "ML" : "MAP");
            fprintf(res, "%zu,%zu,%.6g,%.8g,%.6g,%.6g,%zu,%.6g,%.6g,%.8g,%.8g,%s\n", n, d, fit, nlpd, rmse, cover,
                    evals, lsm, noise, nlpd_alt[0], nlpd_alt[1], sel == CF_GP_PRIOR_NONE ? "ML" : "MAP");
            free(X), free(y), free(Xs), free(ys), free(mu), free(vy);
        }
    fclose(res);

    /* Likelihood evaluation at n = 2000 against the flop bound. */
    size_t n = quick ? 1000 : 2000, d = 8, reps = 5;
    double rate = dgemm_gflops(reps);
    rng_state = 77;
    double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y);
    make_data(X, y, n, d);
    int kinds[8] = {0};
    cf_gp *gp = cf_gp_create(d, kinds);
    cf_error err;
    if (cf_gp_set_data(gp, X, n, y, NULL, &err) != CF_OK) {
        fprintf(stderr, "set_data failed: %s\n", err.message);
        return 1;
    }
    double theta[10], g[10], f, t0[8], t1[8], tc[8], ti[8], tlc[8], tli[8];
    for (size_t j = 0; j < d; j++) theta[j] = log(0.5);
    theta[d] = 0.0;
    theta[d + 1] = log(0.01);
    cf_gp_objective(gp, theta, 1, &f, g, &err); /* warm-up: allocates the scratch matrix */
    for (size_t r = 0; r < reps; r++) {
        double s = now();
        cf_gp_objective(gp, theta, 1, &f, NULL, &err);
        t0[r] = now() - s;
        s = now();
        cf_gp_objective(gp, theta, 1, &f, g, &err);
        t1[r] = now() - s;
    }
    /* The GSL building blocks alone on the same kind of matrix, for the breakdown. */
    double *K = malloc(n * n * sizeof *K);
    for (size_t r = 0; r < 2 * reps; r++) {
        /* even r: GSL (as before this benchmark's second version); odd r: OpenBLAS LAPACK (what gp.c uses). */
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j <= i; j++) {
                double s2 = 0.0;
                for (size_t c = 0; c < d; c++) s2 += (X[i * d + c] - X[j * d + c]) * (X[i * d + c] - X[j * d + c]);
                K[i * n + j] = exp(-2.0 * s2) + (i == j ? 0.01 : 0.0);
            }
        gsl_matrix_view Km = gsl_matrix_view_array(K, n, n);
        int nn = (int)n, info = 0;
        double s = now();
        if (r % 2 == 0)
            gsl_linalg_cholesky_decomp1(&Km.matrix);
        else
            dpotrf_("U", &nn, K, &nn, &info);
        (r % 2 == 0 ? tc : tlc)[r / 2] = now() - s;
        s = now();
        if (r % 2 == 0)
            gsl_linalg_cholesky_invert(&Km.matrix);
        else
            dpotri_("U", &nn, K, &nn, &info);
        (r % 2 == 0 ? ti : tli)[r / 2] = now() - s;
    }
    double bound = (double)n * (double)n * (double)n / 3.0 / (rate * 1e9);
    double e0 = median(t0, reps), e1 = median(t1, reps), ec = median(tc, reps), ei = median(ti, reps);
    double elc = median(tlc, reps), eli = median(tli, reps);
    printf("\n# likelihood evaluation, n = %zu, d = %zu\n", n, d);
    printf("dgemm 2000x2000: %.1f GFLOP/s -> n^3/3 flop bound %.4f s\n", rate, bound);
    printf("likelihood evaluation (value, the target): %.4f s = %.2f x bound\n", e0, e0 / bound);
    printf("likelihood + gradient (secondary):        %.4f s = %.2f x bound\n", e1, e1 / bound);
    printf("  LAPACK dpotrf alone: %.4f s = %.2f x bound; dpotri alone: %.4f s = %.2f x bound (used by gp.c)\n", elc,
           elc / bound, eli, eli / bound);
    if (lml_only) {
        printf("  objective %.17g\n  gradient", f);
        for (size_t p = 0; p < d + 2; p++) printf(" %.17g", g[p]);
        printf("\n");
    }
    printf("  GSL cholesky_decomp1 alone: %.4f s = %.2f x bound; cholesky_invert alone: %.4f s = %.2f x bound\n", ec,
           ec / bound, ei, ei / bound);
    snprintf(path, sizeof path, "%s/gp_c_lml.csv", out);
    FILE *lf = fopen(path, "w");
    if (lf != NULL) {
        fprintf(lf, "n,d,dgemm_gflops,bound_s,lml_s,lml_grad_s,gsl_chol_s,gsl_inv_s,dpotrf_s,dpotri_s\n");
        fprintf(lf, "%zu,%zu,%.4g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g\n", n, d, rate, bound, e0, e1, ec, ei, elc, eli);
        fclose(lf);
    }
    cf_gp_destroy(gp);
    free(X), free(y), free(K);
    return 0;
}
