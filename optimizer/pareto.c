/* costfront: Pareto dominance, nondominated filtering, ranks, reference point, knee and dominators.
 *
 * Nondominated filter (Kung, Luccio & Preparata, "On finding the maxima of a set of vectors", JACM 1975):
 *  - d = 2: sort by the first objective (radix sort on the IEEE bit pattern), one sweep keeping the smallest
 *    second objective seen in earlier groups of equal first objective. O(n log n) (O(n) after the sort).
 *  - d = 3: lexicographic sort, then a sweep keeping the 2-D staircase of the (f2, f3) projections of the
 *    nondominated points seen so far (in f2 buckets, or over f2 ranks when the values crowd); a point is dominated
 *    exactly when some staircase point is <= it in (f2, f3), because every earlier point is lexicographically
 *    smaller. O(n log n).
 *  - d >= 4: lexicographic sort, then each point is compared with the nondominated points found so far (a
 *    dominator always precedes what it dominates in lexicographic order, and a dominated dominator is itself
 *    dominated by an earlier nondominated point). O(n^2 d) in the worst case, O(n * front * d) in general.
 * Ties follow cf_dominates: identical points never dominate each other, so all copies are kept or all dropped.
 *
 * Ranks: for d = 2 the layers are found in one sweep over the lexicographic order, each point joining the first
 * layer whose smallest f2 so far exceeds its own (binary search; Jensen, "Reducing the run-time complexity of
 * multiobjective EAs: the NSGA-II and other algorithms", IEEE TEC 2003). Otherwise the filter is repeated on what
 * is left.
 */
#include "costfront/pareto.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "optimizer/pareto_util.h"

#define CF_NO_INDEX ((size_t)-1)

int cf_dominates(const double *a, const double *b, size_t d)
{
    int strict = 0;
    for (size_t k = 0; k < d; k++) {
        if (!(a[k] <= b[k])) return 0;
        if (a[k] < b[k]) strict = 1;
    }
    return strict;
}

/* Returns 1 when row x has a NaN coordinate. */
static int has_nan(const double *x, size_t d)
{
    for (size_t k = 0; k < d; k++)
        if (isnan(x[k])) return 1;
    return 0;
}

/* Returns 1 when the rows are equal coordinate by coordinate (so -0.0 equals +0.0). */
static int same_row(const double *a, const double *b, size_t d)
{
    for (size_t k = 0; k < d; k++)
        if (a[k] != b[k]) return 0;
    return 1;
}

/* Checks the common arguments; n * d doubles must be addressable. */
static cf_status check_args(const double *pts, size_t n, size_t d, const void *out)
{
    if (d == 0 || !out || (n > 0 && !pts)) return CF_ERR_ARG;
    if (n > SIZE_MAX / d / sizeof(double)) return CF_ERR_ARG;
    return CF_OK;
}

/* d = 1: the minimum value and every copy of it. */
static cf_status filter1(const double *pts, size_t n, unsigned char *nd, int unique)
{
    double m = INFINITY;
    int any = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(pts[i]) && (!any || pts[i] < m)) {
            m = pts[i];
            any = 1;
        }
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        nd[i] = (unsigned char)(any && pts[i] == m && (!unique || first));
        if (nd[i]) first = 0;
    }
    return CF_OK;
}

/* d = 2: radix sort on f1, then a sweep over groups of equal f1. Within a group only points with the group's
 * smallest f2 can survive, and they survive when that f2 is below every f2 of earlier groups. */
static cf_status filter2(const double *pts, size_t n, unsigned char *nd, int unique)
{
    cf_prec2 *a = malloc(n * sizeof *a), *tmp = malloc(n * sizeof *tmp);
    if (!a || !tmp) {
        free(a);
        free(tmp);
        return CF_ERR_NOMEM;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double x = pts[2 * i], y = pts[2 * i + 1];
        nd[i] = 0;
        if (isnan(x) || isnan(y)) continue;
        a[m].k = cf_pu_key(x);
        a[m].a = y + 0.0;
        a[m].i = i;
        m++;
    }
    cf_pu_sort2(a, tmp, m, unique);
    double best = INFINITY; /* smallest f2 over earlier groups */
    int seen = 0;
    size_t s = 0;
    while (s < m) {
        size_t e = s + 1;
        double gmin = a[s].a;
        while (e < m && a[e].k == a[s].k) {
            if (a[e].a < gmin) gmin = a[e].a;
            e++;
        }
        if (!seen || gmin < best) {
            for (size_t j = s; j < e; j++)
                if (a[j].a == gmin) {
                    nd[a[j].i] = 1;
                    if (unique) /* sorted by (f1, f2): the first copy is enough */
                        break;
                }
            best = gmin;
            seen = 1;
        }
        s = e;
    }
    free(a);
    free(tmp);
    return CF_OK;
}

/* d = 3, ranked staircase: the m records a (built, unsorted) are sorted lexicographically and the f2 values are
 * ranked by a second sort so that the staircase can be a bit tree over ranks (cf_rstair). Used when the f2 values
 * do not spread over the buckets of filter3. */
static cf_status filter3_ranked(cf_prec3 *a, cf_prec3 *tmp, size_t m, unsigned char *nd, int unique)
{
    cf_preck *ka = malloc(m * sizeof *ka), *kt = malloc(m * sizeof *kt);
    size_t *rank = malloc(m * sizeof *rank);
    double *ys = malloc(m * sizeof *ys);
    cf_rstair st;
    cf_status rc = CF_OK;
    memset(&st, 0, sizeof st);
    if (!ka || !kt || !rank || !ys) {
        rc = CF_ERR_NOMEM;
        goto out;
    }
    cf_pu_sort3(a, tmp, m, 1);
    for (size_t j = 0; j < m; j++) {
        ka[j].k = cf_pu_key(a[j].a);
        ka[j].i = j;
    }
    size_t u = cf_pu_ranks(ka, kt, m, rank, ys);
    rc = cf_rstair_init(&st, ys, u, INFINITY, INFINITY);
    if (rc != CF_OK) goto out;
    size_t s = 0;
    while (s < m) {
        size_t e = s + 1;
        while (e < m && a[e].k == a[s].k && a[e].a == a[s].a && a[e].b == a[s].b) e++;
        if (!cf_rstair_covered(&st, rank[s], a[s].b)) {
            for (size_t j = s; j < (unique ? s + 1 : e); j++) nd[a[j].i] = 1;
            cf_rstair_insert(&st, rank[s], a[s].b, 0);
        }
        s = e;
    }
out:
    free(ka);
    free(kt);
    free(rank);
    free(ys);
    cf_rstair_free(&st);
    return rc;
}

/* Largest number of points in one f2 bucket that filter3 accepts before it falls back on filter3_ranked. */
#define CF_F3_BUCKET_MAX 128

/* A bucket of the f2 staircase: its first slot in the entry array and how many entries it holds. */
typedef struct cf_f3b {
    uint32_t start, used;
} cf_f3b;

/* One (f2, f3) staircase entry. */
typedef struct cf_yz {
    double y, z;
} cf_yz;

/* Bucket of an f2 value y >= lo: floor((y - lo) * scale) clamped to nb - 1, nondecreasing in y. */
static size_t f3_bucket(double y, double lo, double scale, size_t nb)
{
    double t = (y - lo) * scale;
    return t < (double)nb ? (size_t)t : nb - 1;
}

/* d = 3: one lexicographic sort, then the staircase sweep of Kung et al. over groups of identical points. The
 * staircase of (f2, f3) is kept in m / 16 + 1 buckets of equal f2 width, each a short array sorted by f2 (so by f3
 * descending), with a 64-ary bit tree (cf_rstair) over the non-empty buckets: "is some staircase point <= (y, z)"
 * looks at the last entry <= y in y's bucket or else in the previous non-empty bucket, and an insertion removes the
 * dominated entries that follow it in the same and the next buckets. No second sort is needed to rank f2. When the
 * f2 values crowd into a few buckets (more than CF_F3_BUCKET_MAX in one) or do not span a finite range, the ranked
 * staircase is used instead. */
static cf_status filter3(const double *pts, size_t n, unsigned char *nd, int unique)
{
    cf_prec3 *a = malloc(n * sizeof *a), *tmp = malloc(n * sizeof *tmp);
    cf_f3b *hd = NULL; /* per bucket: first slot in E and entries in use */
    cf_yz *E = NULL;
    cf_rstair bt;
    cf_status rc = CF_OK;
    memset(&bt, 0, sizeof bt);
    if (!a || !tmp) {
        rc = CF_ERR_NOMEM;
        goto out;
    }
    size_t m = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        const double *x = pts + 3 * i;
        nd[i] = 0;
        if (has_nan(x, 3)) continue;
        a[m].k = cf_pu_key(x[0]);
        a[m].a = x[1] + 0.0;
        a[m].b = x[2] + 0.0;
        a[m].i = i;
        if (x[1] < lo) lo = x[1];
        if (x[1] > hi) hi = x[1];
        m++;
    }
    size_t nb = m / 16 + 1;
    double scale = hi > lo ? (double)nb / (hi - lo) : 0.0;
    int bucketed = m >= 256 && m < UINT32_MAX && isfinite(hi - lo) && scale > 0.0 && isfinite(scale);
    if (bucketed) {
        hd = calloc(nb + 1, sizeof *hd);
        if (!hd) {
            rc = CF_ERR_NOMEM;
            goto out;
        }
        for (size_t j = 0; j < m && bucketed; j++)
            if (++hd[f3_bucket(a[j].a, lo, scale, nb) + 1].start > CF_F3_BUCKET_MAX) bucketed = 0;
    }
    if (!bucketed) {
        rc = filter3_ranked(a, tmp, m, nd, unique);
        goto out;
    }
    for (size_t b = 0; b < nb; b++) hd[b + 1].start += hd[b].start;
    E = malloc(m * sizeof *E);
    if (!E) {
        rc = CF_ERR_NOMEM;
        goto out;
    }
    rc = cf_rstair_init(&bt, NULL, nb, 0.0, 0.0);
    if (rc != CF_OK) goto out;
    cf_pu_sort3(a, tmp, m, 1);
    size_t s = 0;
    while (s < m) {
        size_t e = s + 1;
        while (e < m && a[e].k == a[s].k && a[e].a == a[s].a && a[e].b == a[s].b) e++;
        double y = a[s].a, z = a[s].b;
        size_t b = f3_bucket(y, lo, scale, nb);
        cf_yz *B = E + hd[b].start;
        uint32_t u = hd[b].used, j = 0;
        while (j < u && B[j].y <= y) j++;
        int covered;
        if (j > 0) {
            covered = B[j - 1].z <= z;
        } else {
            size_t pb = b > 0 ? cf_rstair_pred(&bt, b - 1) : SIZE_MAX;
            covered = pb != SIZE_MAX && E[hd[pb].start + hd[pb].used - 1].z <= z;
        }
        if (!covered) {
            for (size_t t = s; t < (unique ? s + 1 : e); t++) nd[a[t].i] = 1;
            uint32_t pos = (j > 0 && B[j - 1].y == y) ? j - 1 : j, k = pos;
            while (k < u && B[k].z >= z) k++;
            if (k == u) /* everything after y in this bucket went: the next buckets may lose a prefix too */
                for (size_t c = b + 1 < nb ? cf_rstair_succ(&bt, b + 1) : SIZE_MAX; c != SIZE_MAX;) {
                    cf_yz *C = E + hd[c].start;
                    uint32_t cu = hd[c].used, r = 0;
                    while (r < cu && C[r].z >= z) r++;
                    if (r < cu) {
                        if (r) memmove(C, C + r, (cu - r) * sizeof *C);
                        hd[c].used = cu - r;
                        break;
                    }
                    hd[c].used = 0;
                    cf_rstair_unmark(&bt, c);
                    c = c + 1 < nb ? cf_rstair_succ(&bt, c + 1) : SIZE_MAX;
                }
            memmove(B + pos + 1, B + k, (u - k) * sizeof *B);
            B[pos].y = y;
            B[pos].z = z;
            hd[b].used = u - (k - pos) + 1;
            cf_rstair_mark(&bt, b);
        }
        s = e;
    }
out:
    free(a);
    free(tmp);
    free(hd);
    free(E);
    cf_rstair_free(&bt);
    return rc;
}

/* d >= 4: lexicographic sort, then every point is checked against the nondominated points found before it. */
static cf_status filterk(const double *pts, size_t n, size_t d, unsigned char *nd, int unique)
{
    cf_preck *a = malloc(n * sizeof *a), *tmp = malloc(n * sizeof *tmp);
    size_t *front = malloc(n * sizeof *front);
    if (!a || !tmp || !front) {
        free(a);
        free(tmp);
        free(front);
        return CF_ERR_NOMEM;
    }
    size_t m = 0, nf = 0;
    for (size_t i = 0; i < n; i++) {
        nd[i] = 0;
        if (has_nan(pts + i * d, d)) continue;
        a[m].k = cf_pu_key(pts[i * d]);
        a[m].i = i;
        m++;
    }
    cf_pu_sortk(a, tmp, m, pts, d);
    for (size_t s = 0; s < m; s++) {
        const double *x = pts + a[s].i * d;
        if (s > 0 && same_row(x, pts + a[s - 1].i * d, d)) {
            nd[a[s].i] = unique ? 0 : nd[a[s - 1].i];
            continue;
        }
        int dominated = 0;
        for (size_t f = nf; f-- > 0;) { /* recent front points are the most likely dominators */
            if (cf_dominates(pts + front[f] * d, x, d)) {
                dominated = 1;
                break;
            }
        }
        if (!dominated) {
            nd[a[s].i] = 1;
            front[nf++] = a[s].i;
        }
    }
    free(a);
    free(tmp);
    free(front);
    return CF_OK;
}

cf_status cf_pareto_filter_ex(const double *pts, size_t n, size_t d, unsigned char *nd, int unique)
{
    cf_status rc = check_args(pts, n, d, nd);
    if (rc != CF_OK || n == 0) return rc;
    switch (d) {
    case 1: return filter1(pts, n, nd, unique);
    case 2: return filter2(pts, n, nd, unique);
    case 3: return filter3(pts, n, nd, unique);
    default: return filterk(pts, n, d, nd, unique);
    }
}

cf_status cf_pareto_filter(const double *pts, size_t n, size_t d, unsigned char *nd)
{
    return cf_pareto_filter_ex(pts, n, d, nd, 0);
}

/* d = 2 ranks in one sweep over the lexicographic order. layer_min[r] is the smallest f2 of layer r so far; it is
 * nondecreasing in r, so the first layer whose minimum exceeds f2 is found by binary search. */
static cf_status ranks2(const double *pts, size_t n, size_t *rank)
{
    cf_prec2 *a = malloc(n * sizeof *a), *tmp = malloc(n * sizeof *tmp);
    double *layer_min = malloc(n * sizeof *layer_min);
    if (!a || !tmp || !layer_min) {
        free(a);
        free(tmp);
        free(layer_min);
        return CF_ERR_NOMEM;
    }
    size_t m = 0, nl = 0;
    for (size_t i = 0; i < n; i++) {
        rank[i] = CF_NO_INDEX;
        if (isnan(pts[2 * i]) || isnan(pts[2 * i + 1])) continue;
        a[m].k = cf_pu_key(pts[2 * i]);
        a[m].a = pts[2 * i + 1] + 0.0;
        a[m].i = i;
        m++;
    }
    cf_pu_sort2(a, tmp, m, 1);
    for (size_t s = 0; s < m; s++) {
        if (s > 0 && a[s].k == a[s - 1].k && a[s].a == a[s - 1].a) {
            rank[a[s].i] = rank[a[s - 1].i];
            continue;
        }
        double y = a[s].a;
        size_t lo = 0, hi = nl; /* first layer with layer_min > y */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (layer_min[mid] > y)
                hi = mid;
            else
                lo = mid + 1;
        }
        layer_min[lo] = y;
        if (lo == nl) nl++;
        rank[a[s].i] = lo;
    }
    free(a);
    free(tmp);
    free(layer_min);
    return CF_OK;
}

/* Any d: filter what is left, give the survivors the current rank, repeat. */
static cf_status ranks_generic(const double *pts, size_t n, size_t d, size_t *rank)
{
    double *sub = malloc(n * d * sizeof *sub);
    size_t *map = malloc(n * sizeof *map);
    unsigned char *nd = malloc(n);
    cf_status rc = CF_OK;
    if (!sub || !map || !nd) {
        rc = CF_ERR_NOMEM;
        goto out;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        rank[i] = CF_NO_INDEX;
        if (has_nan(pts + i * d, d)) continue;
        memcpy(sub + m * d, pts + i * d, d * sizeof *sub);
        map[m++] = i;
    }
    for (size_t r = 0; m > 0; r++) {
        rc = cf_pareto_filter_ex(sub, m, d, nd, 0);
        if (rc != CF_OK) goto out;
        size_t k = 0;
        for (size_t j = 0; j < m; j++) {
            if (nd[j]) {
                rank[map[j]] = r;
            } else {
                if (k != j) memcpy(sub + k * d, sub + j * d, d * sizeof *sub);
                map[k++] = map[j];
            }
        }
        m = k;
    }
out:
    free(sub);
    free(map);
    free(nd);
    return rc;
}

cf_status cf_pareto_ranks(const double *pts, size_t n, size_t d, size_t *rank)
{
    cf_status rc = check_args(pts, n, d, rank);
    if (rc != CF_OK || n == 0) return rc;
    if (d == 2) return ranks2(pts, n, rank);
    return ranks_generic(pts, n, d, rank);
}

cf_status cf_reference_point(const double *pts, size_t n, size_t d, double margin, double *ref)
{
    cf_status rc = check_args(pts, n, d, ref);
    if (rc != CF_OK) return rc;
    if (!isfinite(margin) || margin < 0.0) return CF_ERR_ARG;
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        const double *x = pts + i * d;
        if (has_nan(x, d)) continue;
        if (!any) {
            for (size_t k = 0; k < d; k++) ref[k] = x[k];
        }
        any = 1;
        for (size_t k = 0; k < d; k++)
            if (x[k] > ref[k]) ref[k] = x[k];
    }
    if (!any) return CF_ERR_EMPTY;
    for (size_t k = 0; k < d; k++) {
        double lo = ref[k];
        for (size_t i = 0; i < n; i++) {
            const double *x = pts + i * d;
            if (!has_nan(x, d) && x[k] < lo) lo = x[k];
        }
        double hi = ref[k], range = hi - lo;
        if (range > 0.0)
            ref[k] = hi + margin * range;
        else if (hi != 0.0)
            ref[k] = hi + margin * fabs(hi);
        else
            ref[k] = margin;
    }
    return CF_OK;
}

/* Solves the d x d system a w = b in place by Gaussian elimination with partial pivoting; returns 0 when a is
 * (numerically) singular. */
static int solve(double *a, double *b, size_t d)
{
    for (size_t c = 0; c < d; c++) {
        size_t piv = c;
        for (size_t r = c + 1; r < d; r++)
            if (fabs(a[r * d + c]) > fabs(a[piv * d + c])) piv = r;
        if (!(fabs(a[piv * d + c]) > 1e-12)) return 0;
        if (piv != c) {
            for (size_t k = 0; k < d; k++) {
                double t = a[c * d + k];
                a[c * d + k] = a[piv * d + k];
                a[piv * d + k] = t;
            }
            double t = b[c];
            b[c] = b[piv];
            b[piv] = t;
        }
        for (size_t r = c + 1; r < d; r++) {
            double f = a[r * d + c] / a[c * d + c];
            for (size_t k = c; k < d; k++) a[r * d + k] -= f * a[c * d + k];
            b[r] -= f * b[c];
        }
    }
    for (size_t c = d; c-- > 0;) {
        double s = b[c];
        for (size_t k = c + 1; k < d; k++) s -= a[c * d + k] * b[k];
        b[c] = s / a[c * d + c];
        if (!isfinite(b[c])) return 0;
    }
    return 1;
}

/* The knee is the point deepest below the hyperplane w . x = 1 through the d extreme points of the normalised
 * front (Das, "On characterizing the knee of the Pareto curve based on normal-boundary intersection", 1999; Branke,
 * Deb, Dierolf & Osswald, "Finding knees in multi-objective optimization", PPSN 2004). When the extremes do not span
 * a hyperplane (a single point, collinear extremes) the plane sum(x) = 1 is used instead. */
cf_status cf_pareto_knee(const double *pts, size_t n, size_t d, size_t *knee)
{
    cf_status rc = check_args(pts, n, d, knee);
    if (rc != CF_OK) return rc;
    double *lo = malloc(d * sizeof *lo), *sc = malloc(d * sizeof *sc), *e = malloc(d * d * sizeof *e),
           *w = malloc(d * sizeof *w);
    size_t *ext = malloc(d * sizeof *ext);
    if (!lo || !sc || !e || !w || !ext) {
        rc = CF_ERR_NOMEM;
        goto out;
    }
    size_t first = CF_NO_INDEX;
    for (size_t k = 0; k < d; k++) {
        lo[k] = INFINITY;
        sc[k] = -INFINITY; /* holds the maximum first */
    }
    for (size_t i = 0; i < n; i++) {
        const double *x = pts + i * d;
        if (has_nan(x, d)) continue;
        if (first == CF_NO_INDEX) first = i;
        for (size_t k = 0; k < d; k++) {
            if (x[k] < lo[k]) lo[k] = x[k];
            if (x[k] > sc[k]) sc[k] = x[k];
        }
    }
    if (first == CF_NO_INDEX) {
        rc = CF_ERR_EMPTY;
        goto out;
    }
    for (size_t k = 0; k < d; k++) {
        double r = sc[k] - lo[k];
        sc[k] = (r > 0.0 && isfinite(r)) ? 1.0 / r : 0.0;
    }
#define NORM(x, k) (((x)[k] - lo[k]) * sc[k])
    /* Extreme point of objective k: the point nearest the k-th axis, i.e. with the smallest largest normalised
     * value over the other objectives (the achievement scalarising choice of NSGA-III, Deb & Jain 2014); ties go to
     * the smallest sum. For d = 2 these are the two ends of the front. */
    for (size_t k = 0; k < d; k++) {
        size_t best = CF_NO_INDEX;
        double bv = 0.0, bs = 0.0;
        for (size_t i = 0; i < n; i++) {
            const double *x = pts + i * d;
            if (has_nan(x, d)) continue;
            double v = 0.0, s = 0.0;
            for (size_t j = 0; j < d; j++) {
                s += NORM(x, j);
                if (j != k && NORM(x, j) > v) v = NORM(x, j);
            }
            if (best == CF_NO_INDEX || v < bv || (v == bv && s < bs)) {
                best = i;
                bv = v;
                bs = s;
            }
        }
        ext[k] = best;
        for (size_t j = 0; j < d; j++) e[k * d + j] = NORM(pts + best * d, j);
        w[k] = 1.0;
    }
    if (!solve(e, w, d))
        for (size_t k = 0; k < d; k++) w[k] = 1.0;
    double wn = 0.0;
    for (size_t k = 0; k < d; k++) wn += w[k] * w[k];
    wn = sqrt(wn);
    size_t best = first;
    double bd = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        const double *x = pts + i * d;
        if (has_nan(x, d)) continue;
        double s = 0.0;
        for (size_t k = 0; k < d; k++) s += w[k] * NORM(x, k);
        double dist = (1.0 - s) / wn;
        if (dist > bd) {
            bd = dist;
            best = i;
        }
    }
#undef NORM
    *knee = best;
out:
    free(lo);
    free(sc);
    free(e);
    free(w);
    free(ext);
    return rc;
}

/* Additive epsilon by which a beats b in every objective: min_k (b[k] - a[k]). */
static double eps_margin(const double *a, const double *b, size_t d)
{
    double m = INFINITY;
    for (size_t k = 0; k < d; k++) {
        double t = b[k] - a[k];
        if (t < m) m = t;
    }
    return m;
}

/* The dominated points are matched to the front point maximising min_k (p_i[k] - p_j[k]). That maximum is >= 0
 * because some front point dominates p_i, and any front point reaching a value >= 0 is <= p_i everywhere and not
 * equal to it (p_i is dominated, so no copy of it is on the front), hence dominates it. For d = 2 the front sorted
 * by f1 makes p_i[0] - f1 decreasing and p_i[1] - f2 increasing, so their minimum is unimodal and two binary-search
 * candidates suffice; otherwise every front point is tried. */
cf_status cf_pareto_dominators(const double *pts, size_t n, size_t d, size_t *dom, double *margin)
{
    cf_status rc = check_args(pts, n, d, dom);
    if (rc != CF_OK || n == 0) return rc;
    unsigned char *nd = malloc(n);
    size_t *front = malloc(n * sizeof *front);
    if (!nd || !front) {
        rc = CF_ERR_NOMEM;
        goto out;
    }
    rc = cf_pareto_filter_ex(pts, n, d, nd, 0);
    if (rc != CF_OK) goto out;
    size_t nf = 0;
    for (size_t i = 0; i < n; i++)
        if (nd[i]) front[nf++] = i;
    if (d == 2 && nf > 0) {
        /* unique front points sorted by f1 (so f2 strictly decreasing) */
        cf_prec2 *a = malloc(nf * sizeof *a), *tmp = malloc(nf * sizeof *tmp);
        if (!a || !tmp) {
            free(a);
            free(tmp);
            rc = CF_ERR_NOMEM;
            goto out;
        }
        for (size_t f = 0; f < nf; f++) {
            a[f].k = cf_pu_key(pts[2 * front[f]]);
            a[f].a = pts[2 * front[f] + 1];
            a[f].i = front[f];
        }
        cf_pu_sort2(a, tmp, nf, 1);
        size_t u = 0;
        for (size_t f = 0; f < nf; f++)
            if (u == 0 || a[f].k != a[u - 1].k) a[u++] = a[f];
        for (size_t i = 0; i < n; i++) {
            dom[i] = CF_NO_INDEX;
            if (margin) margin[i] = nd[i] ? 0.0 : NAN;
            if (nd[i] || isnan(pts[2 * i]) || isnan(pts[2 * i + 1])) continue;
            double px = pts[2 * i], py = pts[2 * i + 1];
            size_t lo = 0, hi = u; /* first f with px - x_f <= py - y_f */
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (px - pts[2 * a[mid].i] <= py - a[mid].a)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            size_t bi = CF_NO_INDEX;
            double bm = -INFINITY;
            for (size_t c = (lo > 0 ? lo - 1 : 0); c <= lo && c < u; c++) {
                double v = eps_margin(pts + 2 * a[c].i, pts + 2 * i, 2);
                if (v > bm) {
                    bm = v;
                    bi = a[c].i;
                }
            }
            dom[i] = bi;
            if (margin) margin[i] = bm;
        }
        free(a);
        free(tmp);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const double *x = pts + i * d;
        dom[i] = CF_NO_INDEX;
        if (margin) margin[i] = nd[i] ? 0.0 : NAN;
        if (nd[i] || has_nan(x, d)) continue;
        double bm = -INFINITY;
        for (size_t f = 0; f < nf; f++) {
            double v = eps_margin(pts + front[f] * d, x, d);
            if (v > bm) {
                bm = v;
                dom[i] = front[f];
            }
        }
        if (margin) margin[i] = bm;
    }
out:
    free(nd);
    free(front);
    return rc;
}
