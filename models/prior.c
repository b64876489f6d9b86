/* costfront: the catalog prior of the GPU-hours surrogate (see surrogate.h).
 *
 * GPU-hours of one workload scale as 1 / (throughput x pruning speed-up): the catalog gives the relative training
 * throughput of every hardware at every precision (A100-80GB at bf16 = 1.0, with its sources), and the pruning
 * speed-up comes from the figures in REFERENCE-costs.md. The GP of the hours model learns the residual on the log
 * scale, so these ratios carry predictions for hardware or precisions the runs never used.
 */
#include <math.h>

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
