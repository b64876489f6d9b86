/* costfront benchmark: multi-objective Bayesian optimisation (optimizer/study.c) on the BoTorch test problems.
 *
 * Usage: bench_mobo PROBLEM DIM METHOD SEEDS BUDGET [Q [NOISE [N_INIT]]]
 *   PROBLEM: BraninCurrin | ZDT1 | ZDT2 | ZDT3 | DTLZ2 (2 objectives); DIM its number of inputs;
 *   METHOD: ehvi | parego | sobol | random; SEEDS runs with seeds 0..SEEDS-1; BUDGET evaluations per run;
 *   Q points per ask (default 1); NOISE = 1 adds the BoTorch tutorial's noise to BraninCurrin observations
 *   (sd 15.19 and 0.63; the hypervolume is always measured on the noiseless values); N_INIT initial points.
 * Prints one line per run: "run <seed> <log10 HV diff at 25> <at 50> <at 100> <final HV> <seconds per ask>",
 * then the means, where the log10 difference is log10(max HV - HV of all points evaluated so far).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "costfront/ehvi.h"
#include "costfront/problems.h"
#include "costfront/study.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Hypervolume of n points (2 objectives) as box volume minus the improvement of the ideal corner. */
static double hv2(const double *f, size_t n, const double *ref)
{
    double lo[2] = {ref[0], ref[1]}, h = 0.0;
    for (size_t i = 0; i < n; i++) {
        lo[0] = fmin(lo[0], f[2 * i]);
        lo[1] = fmin(lo[1], f[2 * i + 1]);
    }
    if (cf_hv_improvement(f, n, 2, ref, lo, &h, NULL) != CF_OK) return NAN;
    return (ref[0] - lo[0]) * (ref[1] - lo[1]) - h;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: %s PROBLEM DIM METHOD SEEDS BUDGET [Q [NOISE [N_INIT]]]\n", argv[0]);
        return 2;
    }
    cf_problem_id pid;
    if (cf_problem_from_name(argv[1], &pid) != CF_OK) {
        fprintf(stderr, "unknown problem %s\n", argv[1]);
        return 2;
    }
    size_t d = (size_t)atoi(argv[2]), seeds = (size_t)atoi(argv[4]), budget = (size_t)atoi(argv[5]);
    size_t q = argc > 6 ? (size_t)atoi(argv[6]) : 1;
    int noisy = argc > 7 ? atoi(argv[7]) : 0;
    size_t n_init = argc > 8 ? (size_t)atoi(argv[8]) : 0;
    cf_acquisition acq = CF_ACQ_AUTO;
    if (strcmp(argv[3], "parego") == 0) acq = CF_ACQ_PAREGO;
    else if (strcmp(argv[3], "sobol") == 0) acq = CF_ACQ_SOBOL;
    else if (strcmp(argv[3], "random") == 0) acq = CF_ACQ_RANDOM;
    double ref[2];
    cf_problem_ref(pid, 2, ref);
    double maxhv = cf_problem_max_hv(pid, 2);
    /* The space: x0..x{d-1} in [0, 1], two minimised objectives with the problem's reference point. */
    char space[4096];
    size_t off = (size_t)snprintf(space, sizeof space, "{\"params\": [");
    for (size_t j = 0; j < d; j++)
        off += (size_t)snprintf(space + off, sizeof space - off,
                                "%s{\"name\": \"x%zu\", \"type\": \"float\", \"low\": 0, \"high\": 1}", j ? "," : "", j);
    snprintf(space + off, sizeof space - off,
             "], \"objectives\": [{\"name\": \"f1\", \"ref\": %.17g}, {\"name\": \"f2\", \"ref\": %.17g}]}", ref[0],
             ref[1]);
    double sum[3] = {0, 0, 0}, sumhv = 0, sumt = 0;
    double *f = malloc(budget * 2 * sizeof *f), *x = malloc(d * sizeof *x);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    for (size_t seed = 0; seed < seeds; seed++) {
        char path[256];
        snprintf(path, sizeof path, "/tmp/bench_mobo_%ld_%zu.db", (long)getpid(), seed);
        remove(path);
        cf_error e;
        cf_error_clear(&e);
        cf_study *s = NULL;
        if (cf_study_create(path, space, &s, &e) != CF_OK) {
            fprintf(stderr, "create: %s\n", e.message);
            return 1;
        }
        cf_study_set_acquisition(s, acq);
        if (n_init) cf_study_set_n_init(s, n_init);
        gsl_rng_set(rng, 1000 + seed);
        size_t n = 0, asks = 0;
        double tsum = 0.0, at[3] = {NAN, NAN, NAN};
        while (n < budget) {
            size_t qq = (n == 0 && n_init) ? n_init : q;
            if (qq > budget - n) qq = budget - n;
            cJSON *tr = NULL;
            double t0 = now();
            if (cf_study_ask(s, qq, seed * 7919 + n, &tr, &e) != CF_OK) {
                fprintf(stderr, "ask: %s\n", e.message);
                return 1;
            }
            tsum += now() - t0;
            asks++;
            for (size_t b = 0; b < qq; b++) {
                cJSON *it = cJSON_GetArrayItem(tr, (int)b), *p = cJSON_GetObjectItem(it, "params");
                for (size_t j = 0; j < d; j++) {
                    char nm[16];
                    snprintf(nm, sizeof nm, "x%zu", j);
                    x[j] = cJSON_GetObjectItem(p, nm)->valuedouble;
                }
                cf_problem_eval(pid, x, d, 2, f + 2 * n);
                double o0 = f[2 * n], o1 = f[2 * n + 1];
                if (noisy) {
                    o0 += gsl_ran_gaussian(rng, 15.19);
                    o1 += gsl_ran_gaussian(rng, 0.63);
                }
                cJSON *v = cJSON_CreateObject();
                cJSON_AddNumberToObject(v, "f1", o0);
                cJSON_AddNumberToObject(v, "f2", o1);
                cf_study_tell(s, (long)cJSON_GetObjectItem(it, "id")->valuedouble, v, CF_TRIAL_COMPLETE, &e);
                cJSON_Delete(v);
                n++;
                double diff = log10(fmax(maxhv - hv2(f, n, ref), 1e-12));
                if (n == 25) at[0] = diff;
                if (n == 50) at[1] = diff;
                if (n == 100) at[2] = diff;
            }
            cJSON_Delete(tr);
        }
        double hv = hv2(f, n, ref);
        printf("run %zu %.3f %.3f %.3f %.4f %.4f\n", seed, at[0], at[1], at[2], hv, tsum / (double)asks);
        fflush(stdout);
        for (int k = 0; k < 3; k++) sum[k] += at[k];
        sumhv += hv;
        sumt += tsum / (double)asks;
        cf_study_destroy(s);
        char aux[300];
        remove(path);
        snprintf(aux, sizeof aux, "%s-wal", path);
        remove(aux);
        snprintf(aux, sizeof aux, "%s-shm", path);
        remove(aux);
    }
    double ns = (double)seeds;
    printf("mean %s d=%zu %s q=%zu noise=%d: log10 HV diff @25 %.2f @50 %.2f @100 %.2f, final HV %.4f, %.3f s per "
           "ask\n", argv[1], d, argv[3], q, noisy, sum[0] / ns, sum[1] / ns, sum[2] / ns, sumhv / ns, sumt / ns);
    free(f);
    free(x);
    gsl_rng_free(rng);
    return 0;
}
