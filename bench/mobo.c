/* costfront benchmark: multi-objective Bayesian optimisation (optimizer/study.c) on the BoTorch test problems and
 * on a mixed catalog problem.
 *
 * Usage:
 *   bench_mobo PROBLEM DIM METHOD SEEDS BUDGET [Q [NOISE [N_INIT [M]]]]
 *     PROBLEM: BraninCurrin | ZDT1 | ZDT2 | ZDT3 | DTLZ2 (M objectives, default 2; 3 for DTLZ2 only) | Catalog
 *     (DIM ignored, see below); DIM its number of inputs; METHOD: ehvi (the default acquisition, CF_ACQ_AUTO) |
 *     kb (EHVI with kriging-believer batches, CF_ACQ_EHVI) | qnehvi (CF_ACQ_QNEHVI) | parego | sobol | random;
 *     SEEDS runs with seeds 0..SEEDS-1; BUDGET evaluations per run; Q points per ask (default 1); NOISE = 1 adds
 *     Gaussian noise of 5% of each objective's range over the domain to the observations, as the BoTorch tutorial
 *     does for BraninCurrin (sd 15.19 and 0.63); ZDT1 (d inputs: f1 in [0, 1], f2 in [0, 10]): sd 0.05 and 0.5;
 *     DTLZ2 (f_j in [0, 2] for d = M + 3): sd 0.1 each; the hypervolume is always measured on the noiseless
 *     values; N_INIT initial points.
 *     Prints one line per run: "run <seed> <log10 HV diff at 25> <at 50> <at 100> <final HV> <seconds per ask>
 *     <median seconds of the asks for the last 10 evaluations> <median process CPU seconds of those asks>",
 *     then a "median" line and a "mean" line over the seeds, where the log10 difference is
 *     log10(max HV - HV of all points evaluated so far).
 *   bench_mobo timing NOBS [ASKS [Q [NOISE [METHOD]]]]
 *     Builds a BraninCurrin study holding NOBS complete trials at uniform random points (GSL mt19937, seed 1; with
 *     NOISE = 1 the observations carry the tutorial's noise) and times ASKS (default 10) suggestions of Q points
 *     (default 1) on it with METHOD (default ehvi; each suggestion is then told "failed" so the model always sees
 *     NOBS observations). Prints the median and the range of the wall time and of the process CPU time.
 *   bench_mobo catalog-table FILE
 *     Writes the catalog problem's numbers (reference point, maximal hypervolume, per-hardware price of one
 *     GPU-hour and GPU-hour multipliers per precision, all computed from the default catalog) to FILE, so that
 *     bench/mobo_optuna.py evaluates the identical function.
 *
 * The "Catalog" problem (synthetic but fixed, documented in bench/RESULTS.md and docs/mobo.md):
 *   params: hardware in {a100-80gb, h100, l4, t4, a10g}, precision in {fp32, bf16, fp16, int8},
 *           pruning in [0, 0.9], lr in [1e-5, 1e-1] (log scale);
 *   accuracy  = 0.93 - 0.06 u^2 - pen(precision) - 0.15 pruning^3 - 0.01 pruning - [int8] 0.03 pruning,
 *               u = (log10 lr + 3) / 2, pen = 0 / 0.003 / 0.005 / 0.03 for fp32 / bf16 / fp16 / int8;
 *   gpu_hours = 50 exp(cf_prior_log_gpu_hours(hw, precision, pruning)) (1 + 0.25 (-1 - log10 lr)),
 *               i.e. 50 hours on an A100-80GB at bf16 divided by the catalog's relative throughput and by the
 *               pruning speed-up prior, and up to 2x more epochs at small learning rates;
 *   objectives: accuracy (maximise) and total_cost_usd (minimise), the latter computed by the study's cost-aware
 *               mode from gpu_hours, the hardware and the default catalog (on-demand, cheapest offer).
 * The reference point is BoTorch's inference applied to the true front (its worst point pushed out by 10% of its
 * range) and the maximal hypervolume comes from a dense enumeration (all 20 categorical pairs x 1801 pruning
 * values x 2001 learning rates).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "costfront/catalog.h"
#include "costfront/ehvi.h"
#include "costfront/pareto.h"
#include "costfront/pricing.h"
#include "costfront/problems.h"
#include "costfront/runset.h"
#include "costfront/study.h"
#include "costfront/surrogate.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..n) (NaN entries sort last and are ignored). */
static double median(const double *v, size_t n)
{
    double *t = malloc((n ? n : 1) * sizeof *t);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) t[k++] = v[i];
    double m = NAN;
    if (k) {
        qsort(t, k, sizeof *t, cmp_double);
        m = k % 2 ? t[k / 2] : 0.5 * (t[k / 2 - 1] + t[k / 2]);
    }
    free(t);
    return m;
}

static double mean(const double *v, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += v[i];
    return n ? s / (double)n : NAN;
}

/* Hypervolume of n points (2 objectives, minimised) as box volume minus the improvement of the ideal corner. */
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

/* Hypervolume of n points with M objectives (minimised): hv2 for 2, cf_hypervolume beyond. */
static double hvm(const double *f, size_t n, size_t M, const double *ref)
{
    if (M == 2) return hv2(f, n, ref);
    double h = NAN;
    if (cf_hypervolume(f, n, M, ref, &h) != CF_OK) return NAN;
    return h;
}

/* Noise sd of objective j of problem pid at d inputs and M objectives: 5% of its range over the domain (see the
 * file comment). */
static double noise_sd(cf_problem_id pid, size_t d, size_t M, size_t j)
{
    (void)M;
    switch (pid) {
    case CF_PROBLEM_BRANINCURRIN: return j == 0 ? 15.19 : 0.63;
    case CF_PROBLEM_DTLZ2: return 0.05 * (1.0 + 0.25 * (double)(d - M + 1));
    default: return j == 0 ? 0.05 : 0.5;
    }
}

/* Maps a METHOD name to the acquisition; returns -1 for an unknown name. */
static int method_acq(const char *m, cf_acquisition *acq)
{
    static const char *const names[] = {"ehvi", "kb", "qnehvi", "parego", "sobol", "random"};
    static const cf_acquisition ids[] = {CF_ACQ_AUTO,   CF_ACQ_EHVI,  CF_ACQ_QNEHVI,
                                         CF_ACQ_PAREGO, CF_ACQ_SOBOL, CF_ACQ_RANDOM};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(m, names[i]) == 0) {
            *acq = ids[i];
            return 0;
        }
    return -1;
}

/* ---- The catalog problem ---- */

#define CAT_NHW   5
#define CAT_NPREC 4
static const char *const cat_hw[CAT_NHW] = {"a100-80gb", "h100", "l4", "t4", "a10g"};
static const char *const cat_prec[CAT_NPREC] = {"fp32", "bf16", "fp16", "int8"};
static const cf_precision cat_prec_id[CAT_NPREC] = {CF_PREC_FP32, CF_PREC_BF16, CF_PREC_FP16, CF_PREC_INT8};
static const double cat_prec_pen[CAT_NPREC] = {0.0, 0.003, 0.005, 0.03};

typedef struct {
    double price[CAT_NHW];           /* total_cost_usd of one on-demand GPU-hour */
    double mult[CAT_NHW][CAT_NPREC]; /* exp(cf_prior_log_gpu_hours(hw, prec, 0)): 1 / relative throughput */
    double ref[2];                   /* minimised reference point (-accuracy, cost) */
    double maxhv;                    /* hypervolume of the enumerated front */
} catalog_problem;

static double cat_accuracy(size_t prec, double pruning, double lr)
{
    double u = (log10(lr) + 3.0) / 2.0;
    return 0.93 - 0.06 * u * u - cat_prec_pen[prec] - 0.15 * pruning * pruning * pruning - 0.01 * pruning -
           (prec == 3 ? 0.03 * pruning : 0.0);
}

static double cat_hours(const catalog_problem *cp, size_t hw, size_t prec, double pruning, double lr)
{
    return 50.0 * cp->mult[hw][prec] / cf_prior_pruning_speedup(pruning) * (1.0 + 0.25 * (-1.0 - log10(lr)));
}

/* Keeps the nondominated rows (minimised, 2 objectives) of f[0..n) in place, sorted by the first objective;
 * returns their number. */
static size_t front2(double *f, size_t n)
{
    qsort(f, n, 2 * sizeof *f, cmp_double); /* sorts by the first coordinate (pairs are contiguous) */
    size_t k = 0;
    double best = INFINITY;
    for (size_t i = 0; i < n; i++)
        if (f[2 * i + 1] < best) {
            best = f[2 * i + 1];
            if (k && f[2 * (k - 1)] == f[2 * i]) k--; /* same first coordinate, better second */
            f[2 * k] = f[2 * i];
            f[2 * k + 1] = f[2 * i + 1];
            k++;
        }
    return k;
}

/* Merges the two fronts a[0..na) and b[0..nb) (each sorted by the first objective, as front2 leaves them) into
 * out, keeping the nondominated rows; returns their number. */
static size_t merge_fronts(const double *a, size_t na, const double *b, size_t nb, double *out)
{
    size_t i = 0, j = 0, k = 0;
    double best = INFINITY;
    while (i < na || j < nb) {
        const double *r;
        if (j >= nb || (i < na && (a[2 * i] < b[2 * j] || (a[2 * i] == b[2 * j] && a[2 * i + 1] <= b[2 * j + 1]))))
            r = a + 2 * i++;
        else
            r = b + 2 * j++;
        if (r[1] < best) {
            best = r[1];
            if (k && out[2 * (k - 1)] == r[0]) k--;
            out[2 * k] = r[0];
            out[2 * k + 1] = r[1];
            k++;
        }
    }
    return k;
}

static int catalog_setup(catalog_problem *cp)
{
    cf_catalog *cat = cf_catalog_create();
    cf_error e;
    cf_error_clear(&e);
    if (cat == NULL || cf_catalog_load_default(cat, &e) != CF_OK) {
        fprintf(stderr, "catalog: %s\n", e.message);
        cf_catalog_destroy(cat);
        return -1;
    }
    cf_pricing_opts po;
    cf_pricing_opts_default(&po);
    for (size_t h = 0; h < CAT_NHW; h++) {
        const cf_hardware *hw = cf_catalog_hardware(cat, cat_hw[h]);
        cf_price pr;
        if (hw == NULL || cf_price_hours(cat, cat_hw[h], NULL, NULL, 1.0, CF_PROC_ON_DEMAND, &po, &pr, &e) != CF_OK) {
            fprintf(stderr, "catalog: no on-demand price for %s\n", cat_hw[h]);
            cf_catalog_destroy(cat);
            return -1;
        }
        cp->price[h] = pr.total_cost_usd;
        for (size_t p = 0; p < CAT_NPREC; p++)
            cp->mult[h][p] = exp(cf_prior_log_gpu_hours(hw, cat_prec_id[p], 0.0, NULL));
    }
    cf_catalog_destroy(cat);
    /* Dense enumeration. Accuracy does not depend on the hardware, so for each (precision, pruning, lr) only the
     * cheapest hardware matters; the front of each pruning row is merged into the global front. */
    const size_t NP = 1801, NL = 2001;
    double *fr = NULL, *tmp = NULL, *row = malloc(NL * 2 * sizeof *row), *lu = malloc(NL * 2 * sizeof *lu);
    size_t nfr = 0;
    if (row == NULL || lu == NULL) return -1;
    for (size_t l = 0; l < NL; l++) {
        double lg = -5.0 + 4.0 * (double)l / (double)(NL - 1), lr = pow(10.0, lg);
        lu[2 * l] = -cat_accuracy(0, 0.0, lr);        /* the learning-rate part of the accuracy */
        lu[2 * l + 1] = cat_hours(cp, 0, 1, 0.0, lr); /* a100-80gb at bf16: 50 x the epoch factor */
    }
    /* Every row below is this set shifted in the first objective and scaled in the second, which preserves
     * dominance: only its front matters. */
    size_t nlu = front2(lu, NL);
    for (size_t p = 0; p < CAT_NPREC; p++) {
        double cheapest = INFINITY;
        for (size_t h = 0; h < CAT_NHW; h++) cheapest = fmin(cheapest, cp->price[h] * cp->mult[h][p]);
        for (size_t a = 0; a < NP; a++) {
            double pr = 0.9 * (double)a / (double)(NP - 1);
            double dacc = cat_accuracy(p, pr, 1e-3) - cat_accuracy(0, 0.0, 1e-3);
            double cmul = cheapest / cf_prior_pruning_speedup(pr);
            for (size_t l = 0; l < nlu; l++) {
                row[2 * l] = lu[2 * l] - dacc;
                row[2 * l + 1] = cmul * lu[2 * l + 1];
            }
            size_t k = nlu;
            double *nt = realloc(tmp, (nfr + k) * 2 * sizeof *nt);
            if (nt == NULL) return -1;
            tmp = nt;
            size_t m = merge_fronts(fr, nfr, row, k, tmp);
            double *sw = fr;
            fr = tmp;
            tmp = sw;
            nfr = m;
        }
    }
    free(tmp);
    free(lu);
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (size_t i = 0; i < nfr; i++)
        for (int j = 0; j < 2; j++) {
            lo[j] = fmin(lo[j], fr[2 * i + j]);
            hi[j] = fmax(hi[j], fr[2 * i + j]);
        }
    for (int j = 0; j < 2; j++) cp->ref[j] = hi[j] + 0.1 * (hi[j] - lo[j]);
    /* Round the reference point to 4 significant digits so both sides read the same text. */
    for (int j = 0; j < 2; j++) {
        char b[32];
        snprintf(b, sizeof b, "%.4g", cp->ref[j]);
        cp->ref[j] = strtod(b, NULL);
    }
    cp->maxhv = hv2(fr, nfr, cp->ref);
    free(fr);
    free(row);
    return 0;
}

static int catalog_table(const char *path)
{
    catalog_problem cp;
    if (catalog_setup(&cp)) return 1;
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    fprintf(f, "# costfront catalog problem (bench_mobo catalog-table): minimised (-accuracy, total_cost_usd)\n");
    fprintf(f, "ref %.17g %.17g\nmaxhv %.17g\n", cp.ref[0], cp.ref[1], cp.maxhv);
    fprintf(f, "# hw  usd_per_gpu_hour  hours_multiplier per precision:");
    for (size_t p = 0; p < CAT_NPREC; p++) fprintf(f, " %s", cat_prec[p]);
    fprintf(f, "\n");
    for (size_t h = 0; h < CAT_NHW; h++) {
        fprintf(f, "hw %s %.17g", cat_hw[h], cp.price[h]);
        for (size_t p = 0; p < CAT_NPREC; p++) fprintf(f, " %.17g", cp.mult[h][p]);
        fprintf(f, "\n");
    }
    fclose(f);
    return 0;
}

/* ---- Timing of one suggestion at a fixed number of observations ---- */

static int timing(size_t nobs, size_t asks, size_t q, int noisy, const char *method)
{
    cf_acquisition acq = CF_ACQ_AUTO;
    if (method_acq(method, &acq)) {
        fprintf(stderr, "unknown method %s\n", method);
        return 2;
    }
    double ref[2];
    cf_problem_ref(CF_PROBLEM_BRANINCURRIN, 2, ref);
    char space[512], path[256];
    snprintf(space, sizeof space,
             "{\"params\": [{\"name\": \"x0\", \"type\": \"float\", \"low\": 0, \"high\": 1},"
             "{\"name\": \"x1\", \"type\": \"float\", \"low\": 0, \"high\": 1}], \"objectives\": [{\"name\": \"f1\", "
             "\"ref\": %.17g}, {\"name\": \"f2\", \"ref\": %.17g}]}",
             ref[0], ref[1]);
    snprintf(path, sizeof path, "/tmp/bench_mobo_timing_%ld.db", (long)getpid());
    remove(path);
    cf_error e;
    cf_error_clear(&e);
    cf_study *s = NULL;
    if (cf_study_create(path, space, &s, &e) != CF_OK) {
        fprintf(stderr, "create: %s\n", e.message);
        return 1;
    }
    cf_study_set_acquisition(s, acq);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 1);
    for (size_t i = 0; i < nobs; i++) {
        double x[2] = {gsl_rng_uniform(rng), gsl_rng_uniform(rng)}, f[2];
        cf_problem_eval(CF_PROBLEM_BRANINCURRIN, x, 2, 2, f);
        if (noisy) {
            f[0] += gsl_ran_gaussian(rng, 15.19);
            f[1] += gsl_ran_gaussian(rng, 0.63);
        }
        cJSON *p = cJSON_CreateObject(), *v = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "x0", x[0]);
        cJSON_AddNumberToObject(p, "x1", x[1]);
        cJSON_AddNumberToObject(v, "f1", f[0]);
        cJSON_AddNumberToObject(v, "f2", f[1]);
        if (cf_study_add(s, p, v, NULL, &e) != CF_OK) {
            fprintf(stderr, "add: %s\n", e.message);
            return 1;
        }
        cJSON_Delete(p);
        cJSON_Delete(v);
    }
    double *w = malloc(asks * sizeof *w), *c = malloc(asks * sizeof *c);
    for (size_t k = 0; k < asks; k++) {
        cJSON *tr = NULL;
        double t0 = now(), c0 = cpu_now();
        if (cf_study_ask(s, q, 1000 + k, &tr, &e) != CF_OK) {
            fprintf(stderr, "ask: %s\n", e.message);
            return 1;
        }
        w[k] = now() - t0;
        c[k] = cpu_now() - c0;
        for (int b = 0; b < cJSON_GetArraySize(tr); b++) {
            long id = (long)cJSON_GetObjectItem(cJSON_GetArrayItem(tr, b), "id")->valuedouble;
            cf_study_tell(s, id, NULL, CF_TRIAL_FAILED, &e);
        }
        cJSON_Delete(tr);
    }
    double wmin = w[0], wmax = w[0];
    for (size_t k = 0; k < asks; k++) {
        wmin = fmin(wmin, w[k]);
        wmax = fmax(wmax, w[k]);
    }
    printf("timing BraninCurrin n=%zu q=%zu noise=%d %s asks=%zu: median wall %.4f s (min %.4f, max %.4f), median process CPU %.4f s\n",
           nobs, q, noisy, method, asks, median(w, asks), wmin, wmax, median(c, asks));
    free(w);
    free(c);
    gsl_rng_free(rng);
    cf_study_destroy(s);
    char aux[300];
    remove(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    remove(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    remove(aux);
    return 0;
}

/* ---- The optimisation runs ---- */

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "timing") == 0)
        return timing((size_t)atoi(argv[2]), argc > 3 ? (size_t)atoi(argv[3]) : 10,
                      argc > 4 ? (size_t)atoi(argv[4]) : 1, argc > 5 ? atoi(argv[5]) : 0, argc > 6 ? argv[6] : "ehvi");
    if (argc >= 3 && strcmp(argv[1], "catalog-table") == 0) return catalog_table(argv[2]);
    if (argc < 6) {
        fprintf(stderr,
                "usage: %s PROBLEM DIM METHOD SEEDS BUDGET [Q [NOISE [N_INIT [M]]]]\n"
                "       %s timing NOBS [ASKS [Q [NOISE [METHOD]]]]\n       %s catalog-table FILE\n",
                argv[0], argv[0], argv[0]);
        return 2;
    }
    int catalog = strcmp(argv[1], "Catalog") == 0;
    cf_problem_id pid = CF_PROBLEM_BRANINCURRIN;
    if (!catalog && cf_problem_from_name(argv[1], &pid) != CF_OK) {
        fprintf(stderr, "unknown problem %s\n", argv[1]);
        return 2;
    }
    size_t d = (size_t)atoi(argv[2]), seeds = (size_t)atoi(argv[4]), budget = (size_t)atoi(argv[5]);
    size_t q = argc > 6 ? (size_t)atoi(argv[6]) : 1;
    int noisy = argc > 7 ? atoi(argv[7]) : 0;
    size_t n_init = argc > 8 ? (size_t)atoi(argv[8]) : 0;
    size_t M = argc > 9 ? (size_t)atoi(argv[9]) : 2;
    cf_acquisition acq = CF_ACQ_AUTO;
    if (method_acq(argv[3], &acq)) {
        fprintf(stderr, "unknown method %s\n", argv[3]);
        return 2;
    }
    if (M < 2 || M > 3 || (M == 3 && (catalog || pid != CF_PROBLEM_DTLZ2))) {
        fprintf(stderr, "M must be 2, or 3 for DTLZ2\n");
        return 2;
    }
    double ref[3], maxhv;
    char space[4096];
    catalog_problem cp;
    if (catalog) {
        if (catalog_setup(&cp)) return 1;
        ref[0] = cp.ref[0];
        ref[1] = cp.ref[1];
        maxhv = cp.maxhv;
        d = 4;
        snprintf(space, sizeof space,
                 "{\"params\": [{\"name\": \"hardware\", \"type\": \"categorical\", \"choices\": [\"%s\", \"%s\", "
                 "\"%s\", \"%s\", \"%s\"]}, {\"name\": \"precision\", \"type\": \"categorical\", \"choices\": "
                 "[\"%s\", \"%s\", \"%s\", \"%s\"]}, {\"name\": \"pruning\", \"type\": \"float\", \"low\": 0, "
                 "\"high\": 0.9}, {\"name\": \"lr\", \"type\": \"float\", \"low\": 1e-5, \"high\": 0.1, \"log\": "
                 "true}], \"objectives\": [{\"name\": \"accuracy\", \"direction\": \"maximize\", \"ref\": %.17g}, "
                 "{\"name\": \"total_cost_usd\", \"direction\": \"minimize\", \"ref\": %.17g}]}",
                 cat_hw[0], cat_hw[1], cat_hw[2], cat_hw[3], cat_hw[4], cat_prec[0], cat_prec[1], cat_prec[2],
                 cat_prec[3], -ref[0], ref[1]);
    } else {
        cf_problem_ref(pid, M, ref);
        maxhv = cf_problem_max_hv(pid, M);
        /* The space: x0..x{d-1} in [0, 1], M minimised objectives with the problem's reference point. */
        size_t off = (size_t)snprintf(space, sizeof space, "{\"params\": [");
        for (size_t j = 0; j < d; j++)
            off += (size_t)snprintf(space + off, sizeof space - off,
                                    "%s{\"name\": \"x%zu\", \"type\": \"float\", \"low\": 0, \"high\": 1}",
                                    j ? "," : "", j);
        off += (size_t)snprintf(space + off, sizeof space - off, "], \"objectives\": [");
        for (size_t j = 0; j < M; j++)
            off += (size_t)snprintf(space + off, sizeof space - off, "%s{\"name\": \"f%zu\", \"ref\": %.17g}",
                                    j ? ", " : "", j + 1, ref[j]);
        snprintf(space + off, sizeof space - off, "]}");
    }
    double *at[3], *hvs = malloc(seeds * sizeof *hvs), *tper = malloc(seeds * sizeof *tper);
    double *tlate = malloc(seeds * sizeof *tlate);
    double *clate = malloc(seeds * sizeof *clate);
    for (int k = 0; k < 3; k++) at[k] = malloc(seeds * sizeof *at[k]);
    double *f = malloc(budget * M * sizeof *f), *x = malloc((d ? d : 1) * sizeof *x);
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
        size_t n = 0, asks = 0, nlate = 0;
        double tsum = 0.0, late[16], latec[16];
        for (int k = 0; k < 3; k++) at[k][seed] = NAN;
        while (n < budget) {
            size_t qq = (n == 0 && n_init) ? n_init : q;
            if (qq > budget - n) qq = budget - n;
            cJSON *tr = NULL;
            double t0 = now(), c0 = cpu_now();
            if (cf_study_ask(s, qq, seed * 7919 + n, &tr, &e) != CF_OK) {
                fprintf(stderr, "ask: %s\n", e.message);
                return 1;
            }
            double dt = now() - t0, dc = cpu_now() - c0;
            tsum += dt;
            asks++;
            if (n + 10 >= budget && nlate < 16) { /* the last 10 evaluations' asks */
                latec[nlate] = dc;
                late[nlate++] = dt;
            }
            for (size_t b = 0; b < qq; b++) {
                cJSON *it = cJSON_GetArrayItem(tr, (int)b), *p = cJSON_GetObjectItem(it, "params");
                cJSON *v = cJSON_CreateObject();
                if (catalog) {
                    const char *hs = cJSON_GetObjectItem(p, "hardware")->valuestring;
                    const char *ps = cJSON_GetObjectItem(p, "precision")->valuestring;
                    double pr = cJSON_GetObjectItem(p, "pruning")->valuedouble;
                    double lr = cJSON_GetObjectItem(p, "lr")->valuedouble;
                    size_t h = 0, pc = 0;
                    while (h < CAT_NHW - 1 && strcmp(cat_hw[h], hs) != 0) h++;
                    while (pc < CAT_NPREC - 1 && strcmp(cat_prec[pc], ps) != 0) pc++;
                    double acc = cat_accuracy(pc, pr, lr), hours = cat_hours(&cp, h, pc, pr, lr);
                    f[2 * n] = -acc;
                    f[2 * n + 1] = cp.price[h] * hours;
                    cJSON_AddNumberToObject(v, "accuracy", acc);
                    cJSON_AddNumberToObject(v, "gpu_hours", hours);
                } else {
                    for (size_t j = 0; j < d; j++) {
                        char nm[16];
                        snprintf(nm, sizeof nm, "x%zu", j);
                        x[j] = cJSON_GetObjectItem(p, nm)->valuedouble;
                    }
                    cf_problem_eval(pid, x, d, M, f + M * n);
                    for (size_t j = 0; j < M; j++) {
                        char nm[16];
                        snprintf(nm, sizeof nm, "f%zu", j + 1);
                        double o = f[M * n + j] + (noisy ? gsl_ran_gaussian(rng, noise_sd(pid, d, M, j)) : 0.0);
                        cJSON_AddNumberToObject(v, nm, o);
                    }
                }
                if (cf_study_tell(s, (long)cJSON_GetObjectItem(it, "id")->valuedouble, v, CF_TRIAL_COMPLETE, &e)) {
                    fprintf(stderr, "tell: %s\n", e.message);
                    return 1;
                }
                cJSON_Delete(v);
                n++;
                double diff = log10(fmax(maxhv - hvm(f, n, M, ref), 1e-12));
                if (n == 25) at[0][seed] = diff;
                if (n == 50) at[1][seed] = diff;
                if (n == 100) at[2][seed] = diff;
            }
            cJSON_Delete(tr);
        }
        hvs[seed] = hvm(f, n, M, ref);
        tper[seed] = tsum / (double)asks;
        tlate[seed] = median(late, nlate);
        clate[seed] = median(latec, nlate);
        printf("run %zu %.3f %.3f %.3f %.4f %.4f %.4f %.4f\n", seed, at[0][seed], at[1][seed], at[2][seed], hvs[seed],
               tper[seed], tlate[seed], clate[seed]);
        fflush(stdout);
        if (isatty(2)) fprintf(stderr, "\r%s %s seed %zu/%zu done ", argv[1], argv[3], seed + 1, seeds);
        cf_study_destroy(s);
        char aux[300];
        remove(path);
        snprintf(aux, sizeof aux, "%s-wal", path);
        remove(aux);
        snprintf(aux, sizeof aux, "%s-shm", path);
        remove(aux);
    }
    if (isatty(2)) fprintf(stderr, "\r\033[K");
    const char *names[2] = {"median", "mean"};
    for (int w = 0; w < 2; w++) {
        double (*fn)(const double *, size_t) = w == 0 ? median : mean;
        printf("%s %s d=%zu M=%zu %s q=%zu noise=%d: log10 HV diff @25 %.2f @50 %.2f @100 %.2f, final HV %.4f of %.4f, "
               "%.3f s per ask (%.3f s in the last 10 evaluations, process CPU %.3f s)\n",
               names[w], argv[1], d, M, argv[3], q, noisy, fn(at[0], seeds), fn(at[1], seeds), fn(at[2], seeds),
               fn(hvs, seeds), maxhv, fn(tper, seeds), fn(tlate, seeds), fn(clate, seeds));
    }
    for (int k = 0; k < 3; k++) free(at[k]);
    free(hvs);
    free(tper);
    free(tlate);
    free(clate);
    free(f);
    free(x);
    gsl_rng_free(rng);
    return 0;
}
