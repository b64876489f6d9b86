/* costfront: multi-objective test problems (BoTorch's multi_objective.py conventions, see problems.h). */
#include "costfront/problems.h"

#include <math.h>
#include <stddef.h>
#include <strings.h>

static const char *const names[] = {"BraninCurrin", "ZDT1", "ZDT2", "ZDT3", "DTLZ2"};

const char *cf_problem_name(cf_problem_id id)
{
    if ((unsigned)id >= sizeof names / sizeof names[0]) return NULL;
    return names[id];
}

cf_status cf_problem_from_name(const char *name, cf_problem_id *id)
{
    if (name == NULL || id == NULL) return CF_ERR_ARG;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(name, names[i]) == 0) {
            *id = (cf_problem_id)i;
            return CF_OK;
        }
    return CF_ERR_NOT_FOUND;
}

/* Branin on [-5, 10] x [0, 15] (Dixon & Szegoe 1978) at the rescaled unit-cube point. */
static double branin(double x0, double x1)
{
    double u = 15.0 * x0 - 5.0, v = 15.0 * x1;
    double b = 5.1 / (4.0 * M_PI * M_PI), c = 5.0 / M_PI, t = 1.0 / (8.0 * M_PI);
    double w = v - b * u * u + c * u - 6.0;
    return w * w + 10.0 * (1.0 - t) * cos(u) + 10.0;
}

/* Currin exponential function (Currin et al. 1991). At x1 = 0 the factor 1 - exp(-1 / (2 x1)) tends to 1. */
static double currin(double x0, double x1)
{
    double e = x1 > 0.0 ? 1.0 - exp(-1.0 / (2.0 * x1)) : 1.0;
    double num = 2300.0 * x0 * x0 * x0 + 1900.0 * x0 * x0 + 2092.0 * x0 + 60.0;
    double den = 100.0 * x0 * x0 * x0 + 500.0 * x0 * x0 + 4.0 * x0 + 20.0;
    return e * num / den;
}

cf_status cf_problem_eval(cf_problem_id id, const double *x, size_t d, size_t m, double *f)
{
    if (x == NULL || f == NULL) return CF_ERR_ARG;
    for (size_t j = 0; j < d; j++)
        if (!(x[j] >= 0.0 && x[j] <= 1.0)) return CF_ERR_INVALID;
    switch (id) {
    case CF_PROBLEM_BRANINCURRIN:
        if (d != 2 || m != 2) return CF_ERR_ARG;
        f[0] = branin(x[0], x[1]);
        f[1] = currin(x[0], x[1]);
        return CF_OK;
    case CF_PROBLEM_ZDT1:
    case CF_PROBLEM_ZDT2:
    case CF_PROBLEM_ZDT3: {
        if (d < 2 || m != 2) return CF_ERR_ARG;
        double s = 0.0;
        for (size_t j = 1; j < d; j++) s += x[j];
        double g = 1.0 + 9.0 * s / (double)(d - 1);
        double r = x[0] / g;
        f[0] = x[0];
        if (id == CF_PROBLEM_ZDT1)
            f[1] = g * (1.0 - sqrt(r));
        else if (id == CF_PROBLEM_ZDT2)
            f[1] = g * (1.0 - r * r);
        else
            f[1] = 1.0 - sqrt(r) - r * sin(10.0 * M_PI * x[0]); /* BoTorch's variant: not multiplied by g */
        return CF_OK;
    }
    case CF_PROBLEM_DTLZ2: {
        if (m < 2 || d < m) return CF_ERR_ARG;
        double g = 0.0;
        for (size_t j = m - 1; j < d; j++) g += (x[j] - 0.5) * (x[j] - 0.5);
        for (size_t i = 0; i < m; i++) {
            double v = 1.0 + g;
            for (size_t j = 0; j + 1 < m - i; j++) v *= cos(x[j] * M_PI / 2.0);
            if (i > 0) v *= sin(x[m - 1 - i] * M_PI / 2.0);
            f[i] = v;
        }
        return CF_OK;
    }
    }
    return CF_ERR_ARG;
}

cf_status cf_problem_ref(cf_problem_id id, size_t m, double *ref)
{
    if (ref == NULL) return CF_ERR_ARG;
    switch (id) {
    case CF_PROBLEM_BRANINCURRIN:
        if (m != 2) return CF_ERR_ARG;
        ref[0] = 18.0;
        ref[1] = 6.0;
        return CF_OK;
    case CF_PROBLEM_ZDT1:
    case CF_PROBLEM_ZDT2:
    case CF_PROBLEM_ZDT3:
        if (m != 2) return CF_ERR_ARG;
        ref[0] = ref[1] = 11.0;
        return CF_OK;
    case CF_PROBLEM_DTLZ2:
        if (m < 2) return CF_ERR_ARG;
        for (size_t i = 0; i < m; i++) ref[i] = 1.1;
        return CF_OK;
    }
    return CF_ERR_ARG;
}

double cf_problem_max_hv(cf_problem_id id, size_t m)
{
    switch (id) {
    case CF_PROBLEM_BRANINCURRIN: return m == 2 ? 59.36011874867746 : NAN;
    case CF_PROBLEM_ZDT1: return m == 2 ? 120.0 + 2.0 / 3.0 : NAN;
    case CF_PROBLEM_ZDT2: return m == 2 ? 120.0 + 1.0 / 3.0 : NAN;
    case CF_PROBLEM_ZDT3: return m == 2 ? 128.77811613069076 : NAN;
    case CF_PROBLEM_DTLZ2:
        if (m < 2) return NAN;
        return pow(1.1, (double)m) - pow(M_PI, (double)m / 2.0) / tgamma((double)m / 2.0 + 1.0) / pow(2.0, (double)m);
    }
    return NAN;
}
