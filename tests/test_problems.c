/* Tests for optimizer/problems.c: check values from REFERENCE-mobo.md and closed forms on the Pareto fronts. */
#include <criterion/criterion.h>
#include <math.h>

#include "costfront/ehvi.h"
#include "costfront/problems.h"

Test(problems, branin_currin_check_values)
{
    static const double cases[][4] = {{0.5, 0.5, 24.1299644136, 7.4051239133},
                                      {0.2, 0.8, 11.2948614936, 6.3990926381},
                                      {1.0, 1.0, 145.8721908794, 4.0053161050}};
    for (size_t i = 0; i < 3; i++) {
        double f[2];
        cr_assert_eq(cf_problem_eval(CF_PROBLEM_BRANINCURRIN, cases[i], 2, 2, f), CF_OK);
        cr_assert_float_eq(f[0], cases[i][2], 1e-9, "case %zu f0 %.12g", i, f[0]);
        cr_assert_float_eq(f[1], cases[i][3], 1e-9, "case %zu f1 %.12g", i, f[1]);
    }
    double f[2], bad[2] = {1.5, 0};
    cr_assert_eq(cf_problem_eval(CF_PROBLEM_BRANINCURRIN, bad, 2, 2, f), CF_ERR_INVALID);
    double three[3] = {0.5, 0.5, 0.5};
    cr_assert_eq(cf_problem_eval(CF_PROBLEM_BRANINCURRIN, three, 3, 2, f), CF_ERR_ARG);
}

Test(problems, zdt_values)
{
    /* On the front (x1.. = 0, g = 1): ZDT1 f1 = 1 - sqrt(x0), ZDT2 f1 = 1 - x0^2, ZDT3 f1 = 1 - sqrt(x0) -
     * x0 sin(10 pi x0). Off the front x = (0.25, 0.5, 0.5, 0.5): g = 5.5. */
    double x[4] = {0.25, 0, 0, 0}, f[2];
    cr_assert_eq(cf_problem_eval(CF_PROBLEM_ZDT1, x, 4, 2, f), CF_OK);
    cr_assert_float_eq(f[0], 0.25, 1e-15);
    cr_assert_float_eq(f[1], 0.5, 1e-15);
    cr_assert_eq(cf_problem_eval(CF_PROBLEM_ZDT2, x, 4, 2, f), CF_OK);
    cr_assert_float_eq(f[1], 1.0 - 0.0625, 1e-15);
    cr_assert_eq(cf_problem_eval(CF_PROBLEM_ZDT3, x, 4, 2, f), CF_OK);
    cr_assert_float_eq(f[1], 0.5 - 0.25 * sin(2.5 * M_PI), 1e-15); /* = 0.25 */
    double y[4] = {0.25, 0.5, 0.5, 0.5};
    cr_assert_eq(cf_problem_eval(CF_PROBLEM_ZDT1, y, 4, 2, f), CF_OK);
    cr_assert_float_eq(f[1], 5.5 * (1.0 - sqrt(0.25 / 5.5)), 1e-12);
    cr_assert_eq(cf_problem_eval(CF_PROBLEM_ZDT3, y, 4, 2, f), CF_OK); /* BoTorch's: not multiplied by g */
    cr_assert_float_eq(f[1], 1.0 - sqrt(0.25 / 5.5) - 0.25 / 5.5 * sin(2.5 * M_PI), 1e-12);
}

Test(problems, dtlz2_values)
{
    /* x = (0.5, 0.5, ...) with d = 6, M = 2: g = 0, f = (cos(pi/4), sin(pi/4)). */
    double x[6] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, f[3];
    cr_assert_eq(cf_problem_eval(CF_PROBLEM_DTLZ2, x, 6, 2, f), CF_OK);
    cr_assert_float_eq(f[0], sqrt(0.5), 1e-15);
    cr_assert_float_eq(f[1], sqrt(0.5), 1e-15);
    /* M = 3, x = (0, 1, 1, ...): g = 4 * 0.25 = 1 over the last 4; f = 2 * (cos0 cos(pi/2), cos0 sin(pi/2), sin0). */
    double z[6] = {0, 1, 1, 1, 1, 1};
    cr_assert_eq(cf_problem_eval(CF_PROBLEM_DTLZ2, z, 6, 3, f), CF_OK);
    cr_assert_float_eq(f[0], 0.0, 1e-12);
    cr_assert_float_eq(f[1], 2.0, 1e-12);
    cr_assert_float_eq(f[2], 0.0, 1e-15);
    cr_assert_float_eq(cf_problem_max_hv(CF_PROBLEM_DTLZ2, 2), 0.4246018, 1e-7);
    cr_assert_float_eq(cf_problem_max_hv(CF_PROBLEM_DTLZ2, 3), 0.8074012, 1e-7);
}

/* The hypervolume of 20001 points sampled evenly on the ZDT1 front approaches 120 + 2/3 from below. The
 * hypervolume is obtained as the improvement of the whole front over an empty one, through ehvi.c. */
Test(problems, zdt1_front_hypervolume)
{
    enum { N = 20001 };
    static double front[2 * N];
    for (size_t i = 0; i < N; i++) {
        double x[2] = {(double)i / (N - 1), 0.0};
        cr_assert_eq(cf_problem_eval(CF_PROBLEM_ZDT1, x, 2, 2, front + 2 * i), CF_OK);
    }
    /* HV(front) = HVI of the ideal point (0,0) over nothing minus HVI of (0,0) over the front. */
    double ref[2], hvi = 0, zero[2] = {0, 0};
    cr_assert_eq(cf_problem_ref(CF_PROBLEM_ZDT1, 2, ref), CF_OK);
    cr_assert_eq(cf_hv_improvement(front, N, 2, ref, zero, &hvi, NULL), CF_OK);
    double hv = 121.0 - hvi;
    cr_assert(hv < cf_problem_max_hv(CF_PROBLEM_ZDT1, 2) + 1e-12);
    cr_assert_float_eq(hv, 120.0 + 2.0 / 3.0, 1e-3);
    cf_problem_id id;
    cr_assert_eq(cf_problem_from_name("zdt3", &id), CF_OK);
    cr_assert_eq(id, CF_PROBLEM_ZDT3);
    cr_assert_str_eq(cf_problem_name(CF_PROBLEM_BRANINCURRIN), "BraninCurrin");
}
