/* Tests for optimizer/pareto.c: dominance, nondominated filter, ranks, reference point, knee and dominators.
 * Known answers are hand-computed; the fast paths (d = 2, 3) and the generic path are compared with an O(n^2)
 * brute force on random data, both continuous and with many ties. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/pareto.h"

#define NOIDX ((size_t)-1)

static uint64_t rng_state;

/* splitmix64: a small deterministic generator. */
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static double rng_unif(void) { return (double)(rng_next() >> 11) * 0x1.0p-53; }

/* Fills n x d values: continuous in [0, 1) when levels is 0, else integers in [0, levels) (many ties). */
static void fill(double *x, size_t n, size_t d, unsigned levels)
{
    for (size_t i = 0; i < n * d; i++) x[i] = levels ? (double)(rng_next() % levels) : rng_unif();
}

static int has_nan(const double *x, size_t d)
{
    for (size_t k = 0; k < d; k++)
        if (isnan(x[k])) return 1;
    return 0;
}

static void brute_filter(const double *p, size_t n, size_t d, unsigned char *nd)
{
    for (size_t i = 0; i < n; i++) {
        nd[i] = !has_nan(p + i * d, d);
        for (size_t j = 0; j < n && nd[i]; j++)
            if (cf_dominates(p + j * d, p + i * d, d)) nd[i] = 0;
    }
}

Test(dominance, table)
{
    static const struct {
        double a[3], b[3];
        int want;
    } cases[] = {
        {{1, 2, 3}, {1, 2, 3}, 0}, /* equal: no dominance */
        {{1, 2, 3}, {1, 2, 4}, 1}, /* weak everywhere, strict once */
        {{1, 2, 4}, {1, 2, 3}, 0},      {{0, 0, 0}, {1, 1, 1}, 1},   {{0, 2, 0}, {1, 1, 1}, 0}, /* incomparable */
        {{NAN, 0, 0}, {1, 1, 1}, 0},    {{0, 0, 0}, {NAN, 1, 1}, 0}, {{-INFINITY, 0, 0}, {0, 0, 0}, 1},
        {{-0.0, 1, 1}, {0.0, 1, 1}, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        cr_assert_eq(cf_dominates(cases[c].a, cases[c].b, 3), cases[c].want, "case %zu", c);
}

Test(filter, hand_2d_ties_duplicates_nan)
{
    const double p[] = {1, 3, 2, 2, 3, 1, 2, 3, 3, 3, 2, 2, NAN, 0, 1, 4, 0.5, 3, 0, 9, -0.0, 9};
    const unsigned char want[] = {0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1};
    size_t n = sizeof want;
    unsigned char nd[11];
    cr_assert_eq(cf_pareto_filter(p, n, 2, nd), CF_OK);
    for (size_t i = 0; i < n; i++) cr_assert_eq(nd[i], want[i], "point %zu: got %d", i, nd[i]);
}

Test(filter, same_first_objective)
{
    /* equal f1: only the smallest f2 survives, and it must beat earlier groups */
    const double p[] = {1, 2, 1, 3, 1, 2, 0, 2, 2, 1};
    const unsigned char want[] = {0, 0, 0, 1, 1};
    unsigned char nd[5];
    cr_assert_eq(cf_pareto_filter(p, 5, 2, nd), CF_OK);
    for (size_t i = 0; i < 5; i++) cr_assert_eq(nd[i], want[i], "point %zu", i);
}

Test(filter, hand_1d_3d_4d)
{
    const double p1[] = {3, 1, NAN, 1, 2};
    const unsigned char w1[] = {0, 1, 0, 1, 0};
    unsigned char nd[8];
    cr_assert_eq(cf_pareto_filter(p1, 5, 1, nd), CF_OK);
    for (size_t i = 0; i < 5; i++) cr_assert_eq(nd[i], w1[i]);

    const double p3[] = {1, 2, 3, 3, 2, 1, 2, 2, 2, 2, 2, 3, 1, 2, 3, 2, 2, NAN, 3, 3, 0};
    const unsigned char w3[] = {1, 1, 1, 0, 1, 0, 1};
    cr_assert_eq(cf_pareto_filter(p3, 7, 3, nd), CF_OK);
    for (size_t i = 0; i < 7; i++) cr_assert_eq(nd[i], w3[i], "3d point %zu", i);

    const double p4[] = {1, 1, 1, 1, 0, 2, 2, 2, 1, 1, 1, 2, 1, 1, 1, 1, 2, 2, 2, 0};
    const unsigned char w4[] = {1, 1, 0, 1, 1};
    cr_assert_eq(cf_pareto_filter(p4, 5, 4, nd), CF_OK);
    for (size_t i = 0; i < 5; i++) cr_assert_eq(nd[i], w4[i], "4d point %zu", i);
}

Test(filter, arguments)
{
    unsigned char nd[1];
    double p[2] = {0, 0};
    cr_assert_eq(cf_pareto_filter(NULL, 1, 2, nd), CF_ERR_ARG);
    cr_assert_eq(cf_pareto_filter(p, 1, 0, nd), CF_ERR_ARG);
    cr_assert_eq(cf_pareto_filter(p, 1, 2, NULL), CF_ERR_ARG);
    cr_assert_eq(cf_pareto_filter(NULL, 0, 2, nd), CF_OK);
}

/* Theory: the fast paths agree with the brute force, nothing kept is dominated, everything dropped is. */
Test(filter, random_vs_brute_force)
{
    static const size_t sizes[] = {1, 2, 7, 63, 64, 65, 300, 1500};
    static const unsigned levels[] = {0, 3, 10};
    rng_state = 42;
    for (size_t d = 1; d <= 5; d++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            for (size_t l = 0; l < 3; l++) {
                size_t n = sizes[s];
                double *p = malloc(n * d * sizeof *p);
                unsigned char *nd = malloc(n), *bf = malloc(n);
                fill(p, n, d, levels[l]);
                if (n > 5) /* a NaN and a negative zero */
                    p[3 * d] = NAN, p[4 * d] = -0.0;
                cr_assert_eq(cf_pareto_filter(p, n, d, nd), CF_OK);
                brute_filter(p, n, d, bf);
                for (size_t i = 0; i < n; i++)
                    cr_assert_eq(nd[i], bf[i], "d=%zu n=%zu levels=%u point %zu", d, n, levels[l], i);
                /* every dropped non-NaN point is dominated by a kept one */
                for (size_t i = 0; i < n; i++) {
                    if (nd[i] || has_nan(p + i * d, d)) continue;
                    int found = 0;
                    for (size_t j = 0; j < n && !found; j++) found = nd[j] && cf_dominates(p + j * d, p + i * d, d);
                    cr_assert(found, "dropped point %zu has no kept dominator", i);
                }
                free(p);
                free(nd);
                free(bf);
            }
}

Test(filter, large_3d_matches_generic_path)
{
    /* 10^5 points (a deep bit tree in the 3-D sweep) against the generic path fed a constant fourth objective */
    size_t n = 100000;
    for (unsigned lev = 0; lev <= 1000; lev += 1000) {
        double *p = malloc(n * 3 * sizeof *p), *q = malloc(n * 4 * sizeof *q);
        unsigned char *a = malloc(n), *b = malloc(n);
        rng_state = 17 + lev;
        fill(p, n, 3, lev);
        for (size_t i = 0; i < n; i++) {
            memcpy(q + 4 * i, p + 3 * i, 3 * sizeof *q);
            q[4 * i + 3] = 1;
        }
        cr_assert_eq(cf_pareto_filter(p, n, 3, a), CF_OK);
        cr_assert_eq(cf_pareto_filter(q, n, 4, b), CF_OK);
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
            cr_assert_eq(a[i], b[i], "levels %u point %zu", lev, i);
            kept += a[i];
        }
        cr_assert(kept > 10 && kept < 2000, "kept %zu", kept);
        free(p);
        free(q);
        free(a);
        free(b);
    }
}

Test(filter, large_front_all_kept)
{
    /* 10^5 points on the quarter circle and on the sphere octant: nothing dominates anything */
    size_t n = 100000;
    double *p = malloc(n * 3 * sizeof *p);
    unsigned char *nd = malloc(n);
    for (size_t i = 0; i < n; i++) {
        double t = (double)(i + 1) / (double)(n + 1) * M_PI / 2;
        p[2 * i] = cos(t);
        p[2 * i + 1] = sin(t);
    }
    cr_assert_eq(cf_pareto_filter(p, n, 2, nd), CF_OK);
    for (size_t i = 0; i < n; i++) cr_assert_eq(nd[i], 1);
    rng_state = 7;
    for (size_t i = 0; i < n; i++) {
        double x = fabs(rng_unif() - 0.5) + 1e-9, y = rng_unif() + 1e-9, z = rng_unif() + 1e-9;
        double r = sqrt(x * x + y * y + z * z);
        p[3 * i] = x / r, p[3 * i + 1] = y / r, p[3 * i + 2] = z / r;
    }
    cr_assert_eq(cf_pareto_filter(p, n, 3, nd), CF_OK);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) kept += nd[i];
    cr_assert_eq(kept, n);
    /* shift one point inward: it now dominates some neighbours */
    p[0] *= 0.5, p[1] *= 0.5, p[2] *= 0.5;
    cr_assert_eq(cf_pareto_filter(p, n, 3, nd), CF_OK);
    kept = 0;
    for (size_t i = 0; i < n; i++) kept += nd[i];
    cr_assert(kept < n && nd[0] == 1);
    free(p);
    free(nd);
}

/* Ranks by repeated brute-force filtering. */
static void brute_ranks(const double *p, size_t n, size_t d, size_t *rank)
{
    unsigned char *left = malloc(n), *cur = malloc(n);
    for (size_t i = 0; i < n; i++) {
        left[i] = !has_nan(p + i * d, d);
        rank[i] = NOIDX;
    }
    for (size_t r = 0;; r++) {
        int any = 0;
        for (size_t i = 0; i < n; i++) {
            cur[i] = 0;
            if (!left[i]) continue;
            any = 1;
            cur[i] = 1;
            for (size_t j = 0; j < n; j++)
                if (left[j] && cf_dominates(p + j * d, p + i * d, d)) {
                    cur[i] = 0;
                    break;
                }
        }
        if (!any) break;
        for (size_t i = 0; i < n; i++)
            if (cur[i]) {
                rank[i] = r;
                left[i] = 0;
            }
    }
    free(left);
    free(cur);
}

Test(ranks, hand)
{
    const double p[] = {1, 1, 2, 2, 3, 3, 1, 3, 3, 1, 2, 2, NAN, 1, 1, 2};
    const size_t want[] = {0, 2, 3, 2, 1, 2, NOIDX, 1};
    size_t r[8];
    cr_assert_eq(cf_pareto_ranks(p, 8, 2, r), CF_OK);
    for (size_t i = 0; i < 8; i++) cr_assert_eq(r[i], want[i], "point %zu rank %zu", i, r[i]);
    /* the same in 3-D with a constant third objective goes through the generic path */
    double p3[24];
    for (size_t i = 0; i < 8; i++) p3[3 * i] = p[2 * i], p3[3 * i + 1] = p[2 * i + 1], p3[3 * i + 2] = 5;
    cr_assert_eq(cf_pareto_ranks(p3, 8, 3, r), CF_OK);
    for (size_t i = 0; i < 8; i++) cr_assert_eq(r[i], want[i], "3d point %zu rank %zu", i, r[i]);
}

Test(ranks, random_vs_brute_force)
{
    static const size_t sizes[] = {5, 70, 400};
    rng_state = 99;
    for (size_t d = 1; d <= 4; d++)
        for (size_t s = 0; s < 3; s++)
            for (unsigned lev = 0; lev <= 6; lev += 6) {
                size_t n = sizes[s];
                double *p = malloc(n * d * sizeof *p);
                size_t *r = malloc(n * sizeof *r), *b = malloc(n * sizeof *b);
                fill(p, n, d, lev);
                p[d] = NAN;
                cr_assert_eq(cf_pareto_ranks(p, n, d, r), CF_OK);
                brute_ranks(p, n, d, b);
                for (size_t i = 0; i < n; i++)
                    cr_assert_eq(r[i], b[i], "d=%zu n=%zu lev=%u point %zu: %zu vs %zu", d, n, lev, i, r[i], b[i]);
                free(p);
                free(r);
                free(b);
            }
}

Test(reference_point, cases)
{
    const double p[] = {1, 0, 5, 3, 0, 7, NAN, 100, 9};
    double ref[3];
    cr_assert_eq(cf_reference_point(p, 3, 3, 0.1, ref), CF_OK);
    cr_assert_float_eq(ref[0], 3 + 0.1 * 2, 1e-12); /* range 2 */
    cr_assert_float_eq(ref[1], 0.1, 1e-12);         /* range 0, max 0 */
    cr_assert_float_eq(ref[2], 7 + 0.1 * 2, 1e-12); /* NaN row ignored */
    const double q[] = {-4, 2, -4, 2};
    cr_assert_eq(cf_reference_point(q, 2, 2, 0.5, ref), CF_OK);
    cr_assert_float_eq(ref[0], -4 + 0.5 * 4, 1e-12); /* range 0: margin x |max| */
    cr_assert_float_eq(ref[1], 3, 1e-12);
    const double nanrow[] = {NAN, 1};
    cr_assert_eq(cf_reference_point(nanrow, 1, 2, 0.1, ref), CF_ERR_EMPTY);
    cr_assert_eq(cf_reference_point(q, 2, 2, -1, ref), CF_ERR_ARG);
}

Test(knee, hand_2d_and_scaling)
{
    const double p[] = {0, 1, 0.6, 0.3, 0.2, 0.2, 1, 0};
    size_t k = 99;
    cr_assert_eq(cf_pareto_knee(p, 4, 2, &k), CF_OK);
    cr_assert_eq(k, 2);
    /* rescaling an objective does not move the knee, the extremes being normalised */
    double q[8];
    for (size_t i = 0; i < 4; i++) q[2 * i] = 1000 * p[2 * i] + 5, q[2 * i + 1] = p[2 * i + 1] / 1000;
    cr_assert_eq(cf_pareto_knee(q, 4, 2, &k), CF_OK);
    cr_assert_eq(k, 2);
    /* a tilted front: f2 in [0.5, 1] normalises (0.5, 0.55) to (0.5, 0.1) and (0.3, 0.6) to (0.3, 0.2), which is
     * the deeper below x + y = 1 (0.5 / sqrt(2) against 0.4 / sqrt(2)) */
    const double t[] = {0, 1, 1, 0.5, 0.5, 0.55, 0.3, 0.6};
    cr_assert_eq(cf_pareto_knee(t, 4, 2, &k), CF_OK);
    cr_assert_eq(k, 3);
    double one[] = {4, 4};
    cr_assert_eq(cf_pareto_knee(one, 1, 2, &k), CF_OK);
    cr_assert_eq(k, 0);
}

Test(knee, hand_3d)
{
    const double p[] = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0.4, 0.4, 0.1, 0.2, 0.2, 0.2, 0.3, 0.3, 0.3};
    size_t k = 99;
    cr_assert_eq(cf_pareto_knee(p, 6, 3, &k), CF_OK);
    cr_assert_eq(k, 4); /* sum 0.6 is the smallest */
}

Test(dominators, hand)
{
    const double p[] = {1, 3, 3, 1, 4, 3.5, 2, 5, 1, 3, NAN, 0};
    size_t dom[6];
    double mg[6];
    cr_assert_eq(cf_pareto_dominators(p, 6, 2, dom, mg), CF_OK);
    cr_assert_eq(dom[0], NOIDX);
    cr_assert_eq(dom[1], NOIDX);
    cr_assert_eq(dom[4], NOIDX);
    cr_assert_float_eq(mg[0], 0.0, 1e-15);
    cr_assert_eq(dom[2], 1); /* min(3, 0.5) = 0.5 vs min(1, 2.5) = 1 */
    cr_assert_float_eq(mg[2], 1.0, 1e-15);
    cr_assert(dom[3] == 0 || dom[3] == 4); /* the duplicate front points tie */
    cr_assert_float_eq(mg[3], 1.0, 1e-15);
    cr_assert_eq(dom[5], NOIDX);
    cr_assert(isnan(mg[5]));
    /* margin may be NULL */
    cr_assert_eq(cf_pareto_dominators(p, 6, 2, dom, NULL), CF_OK);
    cr_assert_eq(dom[2], 1);
}

Test(dominators, random_vs_brute_force)
{
    rng_state = 5;
    for (size_t d = 2; d <= 4; d++)
        for (unsigned lev = 0; lev <= 8; lev += 8) {
            size_t n = 500;
            double *p = malloc(n * d * sizeof *p), *mg = malloc(n * sizeof *mg);
            size_t *dom = malloc(n * sizeof *dom);
            unsigned char *nd = malloc(n);
            fill(p, n, d, lev);
            cr_assert_eq(cf_pareto_dominators(p, n, d, dom, mg), CF_OK);
            brute_filter(p, n, d, nd);
            for (size_t i = 0; i < n; i++) {
                if (nd[i]) {
                    cr_assert_eq(dom[i], NOIDX);
                    continue;
                }
                double best = -INFINITY;
                for (size_t j = 0; j < n; j++) {
                    if (!nd[j]) continue;
                    double m = INFINITY;
                    for (size_t k = 0; k < d; k++) m = fmin(m, p[i * d + k] - p[j * d + k]);
                    best = fmax(best, m);
                }
                cr_assert_neq(dom[i], NOIDX);
                cr_assert(nd[dom[i]], "dominator is on the front");
                cr_assert(cf_dominates(p + dom[i] * d, p + i * d, d), "d=%zu point %zu", d, i);
                cr_assert_float_eq(mg[i], best, 1e-12, "d=%zu point %zu: %g vs %g", d, i, mg[i], best);
            }
            free(p);
            free(mg);
            free(dom);
            free(nd);
        }
}

/* The 3-D filter keeps its (f2, f3) staircase in f2 buckets unless the f2 values crowd into few buckets or have no
 * finite range; every kind of input is checked against the brute force: continuous values, f2 on 200 levels (25
 * points per level, so ties inside buckets), f2 crowded near 0 (u^12), f2 spanning +-1e300, f2 with infinities,
 * and signed zeros, each with a NaN row. */
Test(filter, three_d_buckets_and_fallbacks_vs_brute_force)
{
    size_t n = 5000;
    double *p = malloc(n * 3 * sizeof *p);
    unsigned char *nd = malloc(n), *bf = malloc(n);
    for (int kind = 0; kind < 6; kind++) {
        rng_state = 900 + (uint64_t)kind;
        fill(p, n, 3, 0);
        for (size_t i = 0; i < n; i++) {
            double u = p[3 * i + 1];
            switch (kind) {
            case 1: p[3 * i + 1] = (double)(rng_next() % 200); break;
            case 2: p[3 * i + 1] = pow(u, 12); break;
            case 3: p[3 * i + 1] = (u - 0.5) * 2e300; break;
            case 4: p[3 * i + 1] = i % 97 == 0 ? (i % 2 ? INFINITY : -INFINITY) : u; break;
            case 5: p[3 * i + 1] = i % 3 == 0 ? (i % 2 ? -0.0 : 0.0) : u; break;
            default: break;
            }
        }
        p[3 * 10 + 2] = NAN;
        cr_assert_eq(cf_pareto_filter(p, n, 3, nd), CF_OK);
        brute_filter(p, n, 3, bf);
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
            cr_assert_eq(nd[i], bf[i], "kind %d point %zu", kind, i);
            kept += nd[i];
        }
        cr_assert(kept > 3, "kind %d kept %zu", kind, kept);
    }
    /* a front (nothing dominated) whose f2 is crowded in one bucket region and sparse elsewhere */
    for (size_t i = 0; i < n; i++) {
        double t = (double)i / (double)n;
        p[3 * i] = t, p[3 * i + 1] = i < n / 2 ? 1e-9 * (double)(n - i) : 1.0 - t, p[3 * i + 2] = 1.0 - t;
    }
    cr_assert_eq(cf_pareto_filter(p, n, 3, nd), CF_OK);
    brute_filter(p, n, 3, bf);
    for (size_t i = 0; i < n; i++) cr_assert_eq(nd[i], bf[i], "front point %zu", i);
    free(p);
    free(nd);
    free(bf);
}
