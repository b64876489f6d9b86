/* costfront: the catalog prior of the GPU-hours surrogate (see surrogate.h).
 *
 * GPU-hours of one workload scale as 1 / (throughput x pruning speed-up): the catalog gives the relative training
 * throughput of every hardware at every precision (A100-80GB at bf16 = 1.0, with its sources), and the pruning
 * speed-up comes from the figures in REFERENCE-costs.md. The GP of the hours model learns the residual on the log
 * scale, so these ratios carry predictions for hardware or precisions the runs never used.
 */
#include <math.h>
#include <stdlib.h>

#include "costfront/surrogate.h"

double cf_prior_pruning_speedup(double p)
{
    if (!(p > 0.0)) return 1.0;
    if (p >= 1.0) p = 0.999;
    /* 1.4x at 50%: the middle of the 1.27-1.5x measured end to end for 2:4 sparsity; 1.76x at 90%: inside the
     * 1.5-2x of unstructured pruning at 60-90% (seed paper's pruning table). */
    if (p <= 0.5) return 1.0 + 0.8 * p;
    return 1.4 + 0.9 * (p - 0.5);
}

double cf_prior_throughput(const cf_hardware *hw, cf_precision p)
{
    if (hw == NULL || (int)p <= (int)CF_PREC_UNKNOWN || (int)p >= CF_CATALOG_PRECISIONS) return NAN;
    double t = hw->throughput[p];
    return isfinite(t) && t > 0.0 ? t : NAN;
}

double cf_prior_log_gpu_hours(const cf_hardware *hw, cf_precision p, double pruning, int *fallback)
{
    if (fallback != NULL) *fallback = 0;
    double t = cf_prior_throughput(hw, p);
    if (isnan(t)) {
        if (fallback != NULL) *fallback = 1;
        /* Unknown precision: bf16 is the usual training default. Otherwise the nearest wider precision. */
        int start = (int)p > (int)CF_PREC_UNKNOWN ? (int)p - 1 : (int)CF_PREC_BF16;
        for (int q = start; q > (int)CF_PREC_UNKNOWN && isnan(t); q--) t = cf_prior_throughput(hw, (cf_precision)q);
        for (int q = start + 1; q < CF_CATALOG_PRECISIONS && isnan(t); q++)
            t = cf_prior_throughput(hw, (cf_precision)q);
        if (isnan(t)) t = 1.0;
    }
    return -log(t) - log(cf_prior_pruning_speedup(pruning));
}

cf_status cf_prior_scaling_exponent(const double *lx, const double *r, const size_t *cell, size_t n, double *beta,
                                    double *beta_var, double *tau2)
{
    if (beta != NULL) *beta = 0.0;
    if (beta_var != NULL) *beta_var = 0.0;
    if (tau2 != NULL) *tau2 = 0.0;
    if (lx == NULL || r == NULL || cell == NULL || beta == NULL || beta_var == NULL || tau2 == NULL) return CF_ERR_ARG;
    if (n == 0) return CF_ERR_EMPTY;
    size_t nc = 0;
    for (size_t i = 0; i < n; i++)
        if (cell[i] + 1 > nc) nc = cell[i] + 1;
    double *acc = calloc(5 * nc, sizeof *acc); /* per cell: count, mean lx, mean r; then Sxx, Sxy */
    if (acc == NULL) return CF_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        acc[3 * cell[i]] += 1.0;
        acc[3 * cell[i] + 1] += lx[i];
        acc[3 * cell[i] + 2] += r[i];
    }
    size_t used = 0;
    for (size_t c = 0; c < nc; c++)
        if (acc[3 * c] > 0.0) {
            used++;
            acc[3 * c + 1] /= acc[3 * c];
            acc[3 * c + 2] /= acc[3 * c];
        }
    double sxx = 0.0, sxy = 0.0, *cxx = acc + 3 * nc, *cxy = acc + 4 * nc;
    for (size_t i = 0; i < n; i++) {
        double dx = lx[i] - acc[3 * cell[i] + 1], dy = r[i] - acc[3 * cell[i] + 2];
        sxx += dx * dx;
        sxy += dx * dy;
        cxx[cell[i]] += dx * dx;
        cxy[cell[i]] += dx * dy;
    }
    /* Residual degrees of freedom: n runs less one mean per cell and the slope. */
    double dof = (double)n - (double)used - 1.0;
    if (!(sxx > 1e-12) || !(dof > 0.0)) {
        free(acc);
        return CF_ERR_EMPTY;
    }
    double b = sxy / sxx, rss = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = r[i] - acc[3 * cell[i] + 2] - b * (lx[i] - acc[3 * cell[i] + 1]);
        rss += e * e;
    }
    double s2 = rss / dof;
    /* Between-cell variance of the slopes (DerSimonian & Laird 1986): cell c's slope b_c = Sxy_c / Sxx_c has
     * sampling variance s^2 / Sxx_c, weight w_c = Sxx_c / s^2; Q = sum w_c (b_c - beta)^2 exceeds its k - 1
     * expectation when the cells truly scale differently, and tau^2 = (Q - (k - 1)) / (sum w - sum w^2 / sum w).
     * With no residual at all (s^2 = 0) the Sxx-weighted variance of the slopes is used. */
    double q = 0.0, sw = 0.0, sw2 = 0.0, k = 0.0;
    for (size_t c = 0; c < nc; c++) {
        if (!(cxx[c] > 1e-12)) continue;
        double bc = cxy[c] / cxx[c], w = s2 > 0.0 ? cxx[c] / s2 : cxx[c];
        q += w * (bc - b) * (bc - b);
        sw += w;
        sw2 += w * w;
        k += 1.0;
    }
    double t2 = 0.0;
    if (k >= 2.0) t2 = s2 > 0.0 ? (q - (k - 1.0)) / (sw - sw2 / sw) : q / sw;
    free(acc);
    *beta = b;
    *beta_var = s2 / sxx;
    *tau2 = t2 > 0.0 ? t2 : 0.0;
    return CF_OK;
}
