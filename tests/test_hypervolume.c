/* Tests for optimizer/hypervolume.c: hand-computed volumes in 1 to 5 dimensions, a grid brute force and
 * inclusion-exclusion on random sets (continuous and with many ties), monotonicity, invariance under permuting
 * objectives and under adding a constant objective (which sends the 3-D sets through the 4-D code and the 4-D sets
 * through the generic WFG), and sampled DTLZ2 fronts against the analytic value. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/pareto.h"

static uint64_t rng_state;

/* splitmix64 */
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static double rng_unif(void) { return (double)(rng_next() >> 11) * 0x1.0p-53; }

static double hv_of(const double *p, size_t n, size_t d, const double *ref)
{
    double v = -1;
    cr_assert_eq(cf_hypervolume(p, n, d, ref, &v), CF_OK);
    return v;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Exact volume by coordinate compression: the cells of the grid spanned by all coordinates and the reference
 * point, each counted when some point is <= its lower corner. O(n^d n d). */
static double grid_hv(const double *p, size_t n, size_t d, const double *ref)
{
    double *ax = malloc(d * (n + 1) * sizeof *ax);
    size_t *na = calloc(d, sizeof *na), *idx = calloc(d, sizeof *idx);
    for (size_t k = 0; k < d; k++) {
        double *a = ax + k * (n + 1);
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (p[i * d + k] < ref[k]) a[m++] = p[i * d + k];
        a[m++] = ref[k];
        qsort(a, m, sizeof *a, cmp_double);
        size_t u = 0;
        for (size_t i = 0; i < m; i++)
            if (u == 0 || a[i] != a[u - 1]) a[u++] = a[i];
        na[k] = u;
    }
    double v = 0;
    for (;;) {
        int ok = 1;
        for (size_t k = 0; k < d; k++)
            if (idx[k] + 1 >= na[k]) ok = 0;
        if (ok) {
            int covered = 0;
            for (size_t i = 0; i < n && !covered; i++) {
                covered = 1;
                for (size_t k = 0; k < d && covered; k++)
                    covered = p[i * d + k] <= ax[k * (n + 1) + idx[k]] && p[i * d + k] < ref[k];
            }
            if (covered) {
                double c = 1;
                for (size_t k = 0; k < d; k++) c *= ax[k * (n + 1) + idx[k] + 1] - ax[k * (n + 1) + idx[k]];
                v += c;
            }
        }
        size_t k = 0;
        while (k < d && ++idx[k] + 1 >= na[k]) idx[k++] = 0;
        if (k == d) break;
    }
    free(ax);
    free(na);
    free(idx);
    return v;
}

/* Inclusion-exclusion over all subsets (n <= 12): sum of (-1)^(|S|+1) box(max of S). */
static double incl_excl_hv(const double *p, size_t n, size_t d, const double *ref)
{
    double v = 0;
    for (uint32_t s = 1; s < (1u << n); s++) {
        double c = 1;
        int bits = 0;
        for (size_t k = 0; k < d; k++) {
            double m = -INFINITY;
            for (size_t i = 0; i < n; i++)
                if (s & (1u << i)) m = fmax(m, p[i * d + k]);
            c *= fmax(0.0, ref[k] - m);
        }
        for (size_t i = 0; i < n; i++) bits += (s >> i) & 1;
        v += (bits & 1) ? c : -c;
    }
    return v;
}

Test(hypervolume, hand_cases)
{
    const double p2[] = {1, 3, 2, 2, 3, 1}, r2[] = {4, 4};
    cr_assert_float_eq(hv_of(p2, 3, 2, r2), 6.0, 1e-12);
    const double p1[] = {3, 1, 2}, r1[] = {5};
    cr_assert_float_eq(hv_of(p1, 3, 1, r1), 4.0, 1e-12);
    const double r3[] = {2, 2, 2};
    const double one3[] = {1, 1, 1};
    cr_assert_float_eq(hv_of(one3, 1, 3, r3), 1.0, 1e-12);
    const double p3[] = {0, 0, 1, 1, 1, 0}; /* boxes 4 and 2 overlapping in a unit cube */
    cr_assert_float_eq(hv_of(p3, 2, 3, r3), 5.0, 1e-12);
    const double q3[] = {0, 1, 1, 1, 0, 1, 1, 1, 0}; /* 3 x 2 - 3 x 1 + 1 */
    cr_assert_float_eq(hv_of(q3, 3, 3, r3), 4.0, 1e-12);
    const double p4[] = {0, 0, 0, 1, 1, 1, 1, 0}, r4[] = {2, 2, 2, 2};
    cr_assert_float_eq(hv_of(p4, 2, 4, r4), 9.0, 1e-12);
    const double q4[] = {0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0}; /* 4 x 2 - 6 x 1 + 4 x 1 - 1 */
    cr_assert_float_eq(hv_of(q4, 4, 4, r4), 5.0, 1e-12);
    const double p5[] = {0, 0, 0, 0, 1, 1, 1, 1, 1, 0}, r5[] = {2, 2, 2, 2, 2};
    cr_assert_float_eq(hv_of(p5, 2, 5, r5), 17.0, 1e-12);
}

Test(hypervolume, ignored_points_duplicates_nan)
{
    const double r[] = {4, 4};
    const double out[] = {1, 4, 5, 1, 4, 4, NAN, 0};
    cr_assert_float_eq(hv_of(out, 4, 2, r), 0.0, 1e-15);
    const double dup[] = {1, 3, 2, 2, 3, 1, 2, 2, 2, 2, NAN, 1, 1, NAN, 3, 5};
    cr_assert_float_eq(hv_of(dup, 8, 2, r), 6.0, 1e-12);
    double v = 1;
    cr_assert_eq(cf_hypervolume(NULL, 0, 3, (double[]){1, 1, 1}, &v), CF_OK);
    cr_assert_float_eq(v, 0.0, 1e-15);
    cr_assert_eq(cf_hypervolume(dup, 2, 2, NULL, &v), CF_ERR_ARG);
    cr_assert_eq(cf_hypervolume(dup, 2, 2, (double[]){NAN, 1}, &v), CF_ERR_ARG);
    cr_assert_eq(cf_hypervolume(dup, 2, 0, r, &v), CF_ERR_ARG);
    /* the same duplicates and NaN in 3, 4 and 5 dimensions: a single unit cube */
    for (size_t d = 3; d <= 5; d++) {
        double p[40], ref[5];
        for (size_t i = 0; i < 8; i++)
            for (size_t k = 0; k < d; k++) p[i * d + k] = (i == 5 && k == 1) ? NAN : (i == 6 ? 3.0 : 1.0);
        for (size_t k = 0; k < d; k++) ref[k] = 2;
        cr_assert_float_eq(hv_of(p, 8, d, ref), 1.0, 1e-12, "d=%zu", d);
    }
}

/* Theory: random sets against the grid brute force (and inclusion-exclusion when small). */
Test(hypervolume, random_vs_brute_force)
{
    static const size_t nmax[] = {0, 40, 40, 30, 12, 8, 6};
    rng_state = 2024;
    for (size_t d = 1; d <= 6; d++)
        for (int rep = 0; rep < 12; rep++) {
            size_t n = 1 + rng_next() % nmax[d];
            unsigned lev = (rep % 3 == 0) ? 5 : 0; /* every third set on a 5-level grid: many ties */
            double p[400], ref[6];
            for (size_t i = 0; i < n * d; i++) p[i] = lev ? (double)(rng_next() % lev) : rng_unif();
            for (size_t k = 0; k < d; k++) ref[k] = lev ? 4.0 : 0.9; /* some points lie outside */
            double want = grid_hv(p, n, d, ref), got = hv_of(p, n, d, ref);
            cr_assert_float_eq(got, want, 1e-12 * fmax(1, want), "d=%zu n=%zu rep=%d: %.15g vs %.15g", d, n, rep, got,
                               want);
            if (n <= 10) {
                double ie = incl_excl_hv(p, n, d, ref);
                cr_assert_float_eq(got, ie, 1e-11 * fmax(1, ie), "incl-excl d=%zu n=%zu", d, n);
            }
        }
}

Test(hypervolume, monotone_when_adding_points)
{
    rng_state = 11;
    for (size_t d = 2; d <= 5; d++) {
        size_t n = d == 5 ? 40 : 200;
        double *p = malloc(n * d * sizeof *p), ref[5];
        for (size_t k = 0; k < d; k++) ref[k] = 1;
        for (size_t i = 0; i < n * d; i++) p[i] = rng_unif();
        double prev = 0;
        for (size_t m = 1; m <= n; m++) {
            double v = hv_of(p, m, d, ref);
            cr_assert(v >= prev - 1e-12, "d=%zu m=%zu: %g < %g", d, m, v, prev);
            cr_assert(v <= 1.0 + 1e-12);
            prev = v;
        }
        free(p);
    }
}

/* Uniform random points on the positive part of the unit sphere in d dimensions (the DTLZ2 front): absolute
 * values of Box-Muller normals, normalised. */
static void sphere_points(double *p, size_t n, size_t d)
{
    for (size_t i = 0; i < n; i++) {
        double r = 0;
        for (size_t k = 0; k < d; k++) {
            double g = fabs(sqrt(-2 * log(1 - rng_unif())) * cos(2 * M_PI * rng_unif())) + 1e-12;
            p[i * d + k] = g;
            r += g * g;
        }
        r = sqrt(r);
        for (size_t k = 0; k < d; k++) p[i * d + k] /= r;
    }
}

Test(hypervolume, invariance_permutation_and_constant_objective)
{
    rng_state = 3;
    size_t n = 3000;
    double *p = malloc(n * 5 * sizeof *p), *q = malloc(n * 5 * sizeof *q);
    /* 3-D: permuting the objectives changes the sweep order but not the volume */
    sphere_points(p, n, 3);
    const double r3[] = {1.1, 1.1, 1.1}, r4[] = {1.1, 1.1, 1.1, 1.5}, r5[] = {1.1, 1.1, 1.1, 1.1, 2.0};
    double v3 = hv_of(p, n, 3, r3);
    for (size_t i = 0; i < n; i++) q[3 * i] = p[3 * i + 2], q[3 * i + 1] = p[3 * i], q[3 * i + 2] = p[3 * i + 1];
    cr_assert_float_eq(hv_of(q, n, 3, r3), v3, 1e-12);
    /* a constant fourth objective at 1 with reference 1.5 halves nothing: HV4 = 0.5 HV3 */
    for (size_t i = 0; i < n; i++)
        q[4 * i] = p[3 * i], q[4 * i + 1] = p[3 * i + 1], q[4 * i + 2] = p[3 * i + 2], q[4 * i + 3] = 1.0;
    cr_assert_float_eq(hv_of(q, n, 4, r4), 0.5 * v3, 1e-12);
    /* 4-D sphere set through the 4-D code, then with a constant fifth objective through the generic WFG */
    size_t m = 400;
    sphere_points(p, m, 4);
    const double r4b[] = {1.1, 1.1, 1.1, 1.1};
    double v4 = hv_of(p, m, 4, r4b);
    for (size_t i = 0; i < m; i++) {
        memcpy(q + 5 * i, p + 4 * i, 4 * sizeof *q);
        q[5 * i + 4] = 1.0;
    }
    cr_assert_float_eq(hv_of(q, m, 5, r5), v4, 1e-12);
    /* and the 4-D value with the objectives reversed */
    for (size_t i = 0; i < m; i++)
        for (size_t k = 0; k < 4; k++) q[4 * i + k] = p[4 * i + 3 - k];
    cr_assert_float_eq(hv_of(q, m, 4, r4b), v4, 1e-12);
    free(p);
    free(q);
    /* 5 x 10^4 points (a three-level bit tree): the six objective orders give one volume */
    n = 50000;
    p = malloc(n * 3 * sizeof *p);
    q = malloc(n * 3 * sizeof *q);
    sphere_points(p, n, 3);
    v3 = hv_of(p, n, 3, r3);
    static const int perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (int k = 1; k < 6; k++) {
        for (size_t i = 0; i < n; i++)
            for (int j = 0; j < 3; j++) q[3 * i + j] = p[3 * i + perm[k][j]];
        cr_assert_float_eq(hv_of(q, n, 3, r3), v3, 1e-12, "permutation %d", k);
    }
    free(p);
    free(q);
}

Test(hypervolume, dtlz2_sampled_fronts)
{
    /* 10^6 evenly spaced points on the quarter circle: 1.21 - pi/4 = 0.4246018 from below */
    size_t n = 1000000;
    double *p = malloc(n * 3 * sizeof *p);
    for (size_t i = 0; i < n; i++) {
        double t = (double)i / (double)(n - 1) * M_PI / 2;
        p[2 * i] = cos(t);
        p[2 * i + 1] = sin(t);
    }
    const double r2[] = {1.1, 1.1};
    double v = hv_of(p, n, 2, r2), exact = 1.21 - M_PI / 4;
    cr_assert(v < exact && v > exact - 1e-5, "2-D sampled front %.9f vs %.9f", v, exact);
    /* 2 x 10^5 random points on the sphere octant: below 1.331 - pi/6 = 0.8074012, within 2e-3 */
    rng_state = 1;
    n = 200000;
    sphere_points(p, n, 3);
    const double r3[] = {1.1, 1.1, 1.1};
    double exact3 = 1.331 - M_PI / 6;
    v = hv_of(p, n, 3, r3);
    cr_assert(v < exact3 && v > exact3 - 2e-3, "3-D sampled front %.9f vs %.9f", v, exact3);
    free(p);
}

/* Fills p with every 0/1 corner of the d-cube that has exactly z zeros; returns how many. */
static size_t cube_layer(double *p, size_t d, size_t z)
{
    size_t n = 0;
    for (uint32_t s = 0; s < (1u << d); s++) {
        size_t zeros = 0;
        for (size_t k = 0; k < d; k++) zeros += !((s >> k) & 1);
        if (zeros != z) continue;
        for (size_t k = 0; k < d; k++) p[n * d + k] = (double)((s >> k) & 1);
        n++;
    }
    return n;
}

/* Hypercube corners with reference 2: a point y of [0, 2]^d is covered by the corners with z zeros exactly when at
 * most z of its coordinates are below 1, so the volume is sum_{j <= z} C(d, j) (each cell has volume 1): 4-D with
 * two zeros 1 + 4 + 6 = 11, 5-D with two zeros 16 and with three 26, 6-D with three 1 + 6 + 15 + 20 = 42. All the
 * corners of the cube together are dominated by the origin: 2^d. Each set is also given shuffled with copies and
 * with dominated interior points added, which must not change the volume. */
Test(hypervolume, hypercube_corners_4d_5d_6d)
{
    static const struct {
        size_t d, z;
        double want;
    } cases[] = {{4, 1, 5}, {4, 2, 11}, {4, 3, 15}, {5, 2, 16}, {5, 3, 26}, {5, 1, 6}, {6, 3, 42}, {6, 2, 22}};
    const double ref[6] = {2, 2, 2, 2, 2, 2};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t d = cases[c].d;
        double p[3 * 64 * 6];
        size_t n = cube_layer(p, d, cases[c].z);
        cr_assert_float_eq(hv_of(p, n, d, ref), cases[c].want, 1e-12, "d=%zu z=%zu", d, cases[c].z);
        /* copies, dominated interior points (each corner + 0.5 in every coordinate), reversed order */
        size_t m = 3 * n;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < d; k++) {
                p[(n + i) * d + k] = p[i * d + k];
                p[(2 * n + i) * d + k] = p[i * d + k] + 0.5;
            }
        for (size_t i = 0; i < m / 2; i++)
            for (size_t k = 0; k < d; k++) {
                double t = p[i * d + k];
                p[i * d + k] = p[(m - 1 - i) * d + k];
                p[(m - 1 - i) * d + k] = t;
            }
        cr_assert_float_eq(hv_of(p, m, d, ref), cases[c].want, 1e-12, "d=%zu z=%zu with copies", d, cases[c].z);
    }
    for (size_t d = 4; d <= 6; d++) {
        double p[64 * 6];
        size_t n = 0;
        for (size_t z = 0; z <= d; z++) n += cube_layer(p + n * d, d, z);
        cr_assert_eq(n, (size_t)1 << d);
        cr_assert_float_eq(hv_of(p, n, d, ref), (double)(1u << d), 1e-12, "all corners d=%zu", d);
    }
}

/* 4-D and 5-D small sets worked by hand. 4-D: (0,0,0,1) and (1,1,1,0) with reference 2: 2^3 x 1 + 1 x 2 - 1 = 9 (their
 * overlap is the box from (1,1,1,1), volume 1); add (0,1,0,0): its box is 2 x 1 x 2 x 2 = 8, overlapping the first
 * in (0,1,0,1) -> 2 x 1 x 2 x 1 = 4 and the second in (1,1,1,0) -> 2, all three in (1,1,1,1) -> 1: 9 + 8 - 4 - 2 +
 * 1 = 12. 5-D: the same three with a fifth coordinate 0 and reference 2 double everything (24), and a point
 * (1,1,1,1,1) under all of them changes nothing. */
Test(hypervolume, small_sets_by_hand_4d_5d)
{
    const double r[5] = {2, 2, 2, 2, 2};
    const double a[] = {0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 0, 0};
    cr_assert_float_eq(hv_of(a, 2, 4, r), 9.0, 1e-12);
    cr_assert_float_eq(hv_of(a, 3, 4, r), 12.0, 1e-12);
    const double b[] = {0, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1};
    cr_assert_float_eq(hv_of(b, 3, 5, r), 24.0, 1e-12);
    cr_assert_float_eq(hv_of(b, 4, 5, r), 24.0, 1e-12);
}

/* HV4D+ and the 5-D recursion on larger random sets with many ties (a 3-level grid) and on continuous data, against
 * the grid brute force and, for the continuous sphere sets, against inclusion-exclusion on the first 10 points. */
Test(hypervolume, hv4d_and_5d_random_sets_vs_brute_force)
{
    rng_state = 77;
    for (size_t d = 4; d <= 5; d++)
        for (int rep = 0; rep < 8; rep++) {
            size_t n = d == 4 ? 25 : 12;
            double p[25 * 5], ref[5];
            unsigned lev = rep % 2 ? 3 : 0;
            for (size_t i = 0; i < n * d; i++) p[i] = lev ? (double)(rng_next() % lev) : rng_unif();
            for (size_t k = 0; k < d; k++) ref[k] = lev ? 3.0 : 1.0;
            double want = grid_hv(p, n, d, ref), got = hv_of(p, n, d, ref);
            cr_assert_float_eq(got, want, 1e-12 * fmax(1, want), "d=%zu rep=%d: %.15g vs %.15g", d, rep, got, want);
            sphere_points(p, 10, d);
            for (size_t k = 0; k < d; k++) ref[k] = 1.1;
            double ie = incl_excl_hv(p, 10, d, ref);
            cr_assert_float_eq(hv_of(p, 10, d, ref), ie, 1e-12, "sphere d=%zu rep=%d", d, rep);
        }
}
