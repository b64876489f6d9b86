/* Tests for optimizer/ehvi.c: exact EHVI against hand-computed closed forms, exact hypervolume improvements,
 * the sd -> 0 limit, and agreement with the quasi-Monte Carlo estimator (1e6 samples, 3 standard errors). */
#include <criterion/criterion.h>
#include <math.h>

#include "costfront/ehvi.h"

static double Phi(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }
static double phi(double z) { return exp(-0.5 * z * z) / sqrt(2.0 * M_PI); }
/* E[(r - Y)^+] for Y ~ N(mu, s^2). */
static double epos(double r, double mu, double s) { return (r - mu) * Phi((r - mu) / s) + s * phi((r - mu) / s); }

Test(ehvi, empty_front_is_product_of_expected_positive_parts)
{
    const double ref[3] = {2.0, 3.0, 1.0}, mu[3] = {1.0, 2.0, 1.5}, sd[3] = {0.5, 1.0, 2.0};
    double v = -1.0;
    cr_assert_eq(cf_ehvi(NULL, 0, 2, ref, mu, sd, &v, NULL), CF_OK);
    cr_assert_float_eq(v, epos(2, 1, 0.5) * epos(3, 2, 1), 1e-12);
    cr_assert_eq(cf_ehvi(NULL, 0, 3, ref, mu, sd, &v, NULL), CF_OK);
    cr_assert_float_eq(v, epos(2, 1, 0.5) * epos(3, 2, 1) * epos(1, 1.5, 2), 1e-12);
    /* Hand values: Phi(2) = 0.97724986805, phi(2) = 0.05399096651; Phi(1) = 0.84134474607, phi(1) = 0.24197072452 */
    cr_assert_float_eq(v,
                       (0.97724986805 + 0.5 * 0.05399096651) * (0.84134474607 + 0.24197072452) *
                           (-0.5 * Phi(-0.25) + 2.0 * phi(-0.25)),
                       1e-9);
}

Test(ehvi, hvi_of_known_point_2d)
{
    const double front[] = {1, 3, 2, 2, 3, 1}, ref[] = {4, 4};
    double h = -1;
    const double y[] = {1.5, 1.5};
    cr_assert_eq(cf_hv_improvement(front, 3, 2, ref, y, &h, NULL), CF_OK);
    cr_assert_float_eq(h, 1.25, 1e-12);
    const double dom[] = {2.5, 2.5}; /* dominated by (2, 2) */
    cr_assert_eq(cf_hv_improvement(front, 3, 2, ref, dom, &h, NULL), CF_OK);
    cr_assert_float_eq(h, 0.0, 1e-15);
    const double out[] = {5, 0}; /* outside the reference box */
    cr_assert_eq(cf_hv_improvement(front, 3, 2, ref, out, &h, NULL), CF_OK);
    cr_assert_float_eq(h, 0.0, 1e-15);
    const double corner[] = {0, 0}; /* dominates everything: 16 - HV(front) = 16 - 6 */
    cr_assert_eq(cf_hv_improvement(front, 3, 2, ref, corner, &h, NULL), CF_OK);
    cr_assert_float_eq(h, 10.0, 1e-12);
}

Test(ehvi, hvi_of_known_point_3d)
{
    const double front[] = {2, 2, 2}, ref[] = {4, 4, 4};
    double h = -1;
    const double a[] = {1, 1, 1}, b[] = {3, 1, 1};
    cr_assert_eq(cf_hv_improvement(front, 1, 3, ref, a, &h, NULL), CF_OK);
    cr_assert_float_eq(h, 27.0 - 8.0, 1e-12);
    cr_assert_eq(cf_hv_improvement(front, 1, 3, ref, b, &h, NULL), CF_OK);
    cr_assert_float_eq(h, 9.0 - 4.0, 1e-12);
    /* Three points: HV of {(1,2,3),(2,3,1),(3,1,2)} in [0,4]^3 is 3+... computed by inclusion-exclusion:
     * boxes 3*2*1 = 6 each, pairwise intersections 2*1*1 = 2 each, triple 1*1*1 = 1: 18 - 6 + 1 = 13. */
    const double f3[] = {1, 2, 3, 2, 3, 1, 3, 1, 2}, zero[] = {0, 0, 0};
    cr_assert_eq(cf_hv_improvement(f3, 3, 3, ref, zero, &h, NULL), CF_OK);
    cr_assert_float_eq(h, 64.0 - 13.0, 1e-12);
}

Test(ehvi, zero_sd_gives_exact_hvi)
{
    const double front[] = {1, 3, 2, 2, 3, 1}, ref[] = {4, 4}, y[] = {1.5, 1.5}, sd0[] = {0, 0}, tiny[] = {1e-9, 1e-9};
    double v = -1;
    cr_assert_eq(cf_ehvi(front, 3, 2, ref, y, sd0, &v, NULL), CF_OK);
    cr_assert_float_eq(v, 1.25, 1e-12);
    cr_assert_eq(cf_ehvi(front, 3, 2, ref, y, tiny, &v, NULL), CF_OK);
    cr_assert_float_eq(v, 1.25, 1e-7);
    const double f3[] = {1, 2, 3, 2, 3, 1, 3, 1, 2}, r3[] = {4, 4, 4}, y3[] = {0.5, 1.5, 1.5}, s3[] = {1e-10, 0, 0};
    double h = -1;
    cr_assert_eq(cf_ehvi(f3, 3, 3, r3, y3, s3, &v, NULL), CF_OK);
    cr_assert_eq(cf_hv_improvement(f3, 3, 3, r3, y3, &h, NULL), CF_OK);
    cr_assert_float_eq(v, h, 1e-8);
    cr_assert(h > 0.0);
}

/* A nondominated front on the positive orthant of a sphere of radius 1 (deterministic angles). */
static void sphere_front(double *f, size_t n, size_t d)
{
    for (size_t i = 0; i < n; i++) {
        double t = (i + 0.5) / (double)n * M_PI / 2, u = fmod((i * 0.618033988749895), 1.0) * M_PI / 2;
        if (d == 2) {
            f[i * 2] = cos(t);
            f[i * 2 + 1] = sin(t);
        } else {
            f[i * 3] = cos(t) * cos(u);
            f[i * 3 + 1] = sin(t) * cos(u);
            f[i * 3 + 2] = sin(u);
        }
    }
}

static void check_vs_mc(size_t n, size_t d, const double *mu, const double *sd)
{
    double front[64 * 3], ref[3] = {1.2, 1.3, 1.1};
    sphere_front(front, n, d);
    double ex = -1, mc = -1, se = -1;
    cr_assert_eq(cf_ehvi(front, n, d, ref, mu, sd, &ex, NULL), CF_OK);
    cr_assert_eq(cf_ehvi_mc(front, n, d, ref, mu, sd, 1000000, 42, &mc, &se, NULL), CF_OK);
    cr_assert(se > 0.0);
    cr_assert(ex > 0.0);
    cr_assert(fabs(ex - mc) <= 3.0 * se, "n=%zu d=%zu exact %.10g mc %.10g se %.3g", n, d, ex, mc, se);
}

Test(ehvi, matches_monte_carlo_2d)
{
    const double mu1[] = {0.6, 0.7}, sd1[] = {0.2, 0.3};
    check_vs_mc(10, 2, mu1, sd1);
    const double mu2[] = {1.0, 0.1}, sd2[] = {0.5, 0.05};
    check_vs_mc(25, 2, mu2, sd2);
}

Test(ehvi, matches_monte_carlo_3d)
{
    const double mu1[] = {0.6, 0.7, 0.5}, sd1[] = {0.2, 0.3, 0.25};
    check_vs_mc(12, 3, mu1, sd1);
    const double mu2[] = {0.9, 0.2, 0.8}, sd2[] = {0.1, 0.4, 0.3};
    check_vs_mc(30, 3, mu2, sd2);
}

Test(ehvi, box_decomposition_sizes)
{
    double front[64 * 3];
    const double ref[] = {1.2, 1.3, 1.1};
    cf_hvboxes *b = NULL;
    sphere_front(front, 10, 2);
    cr_assert_eq(cf_hvboxes_create(front, 10, 2, ref, &b, NULL), CF_OK);
    cr_assert_eq(cf_hvboxes_count(b), 11); /* n + 1 staircase boxes in 2-D */
    cf_hvboxes_destroy(b);
    cf_hvboxes_destroy(NULL);
    const double bad_ref[] = {NAN, 1};
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_hvboxes_create(front, 10, 2, bad_ref, &b, &e), CF_ERR_INVALID);
    cr_assert_str_eq(e.field, "ref");
}
