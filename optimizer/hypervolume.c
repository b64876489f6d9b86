/* costfront: exact hypervolume of a point set (all objectives minimised) bounded by a reference point.
 *
 * Only points that strictly dominate the reference point (every coordinate smaller) and have no NaN count.
 *  - d = 1: ref - min.
 *  - d = 2: sort by f1, sweep keeping the smallest f2 so far. O(n log n).
 *  - d = 3: the sweep of Beume, Fonseca, Lopez-Ibanez, Paquete & Vahrenhold, "On the complexity of computing the
 *    hypervolume indicator", IEEE TEC 2009 (also the base of HV3D+ in Guerreiro & Fonseca, "Computing and updating
 *    hypervolume contributions in up to four dimensions", IEEE TEC 2018): sort by f3, keep the 2-D staircase of the
 *    (f1, f2) projections in a balanced tree together with the area it dominates, and add area x height between
 *    consecutive f3 values. O(n log n).
 *  - d >= 4: the WFG algorithm of While, Bradstreet & Barone, "A fast way of calculating exact hypervolumes", IEEE
 *    TEC 2012. Points are sorted by the last objective; the region first dominated by point i (in that order) is
 *    the slab [f_d(i), ref_d] times the (d-1)-dimensional part of p_i's box not covered by earlier points, whose
 *    volume is box(p_i) - HV(nondominated limit set {max(p_i, p_j) : j < i}). Earlier points whose projection is
 *    weakly dominated by a later one are dropped for good (their limit is always dominated), which keeps the limit
 *    sets small. For d = 4 the kept projections are held sorted by f3, so the limit set arrives already ordered for
 *    the 3-D sweep and needs neither a sort nor a separate filter (the sweep skips covered points), in the spirit
 *    of HV4D (Guerreiro & Fonseca 2018).
 */
#include "costfront/pareto.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "optimizer/pareto_util.h"

static cf_status hv_rec(const double *P, size_t m, size_t d, const double *ref, double *out);

/* 2-D sweep over m valid rows. */
static cf_status hv2(const double *P, size_t m, const double *ref, double *out)
{
    cf_prec2 *a = malloc(m * sizeof *a), *tmp = malloc(m * sizeof *tmp);
    if (!a || !tmp) {
        free(a);
        free(tmp);
        return CF_ERR_NOMEM;
    }
    for (size_t i = 0; i < m; i++) {
        a[i].k = cf_pu_key(P[2 * i]);
        a[i].a = P[2 * i + 1];
        a[i].i = i;
    }
    cf_pu_sort2(a, tmp, m, 0);
    double v = 0.0, ymin = ref[1];
    for (size_t i = 0; i < m; i++) {
        double y = a[i].a;
        if (y < ymin) {
            v += (ref[0] - cf_pu_unkey(a[i].k)) * (ymin - y);
            ymin = y;
        }
    }
    free(a);
    free(tmp);
    *out = v;
    return CF_OK;
}

/* 3-D sweep over m valid rows; the f1 values are ranked first so that the staircase is a bit tree over ranks. */
static cf_status hv3(const double *P, size_t m, const double *ref, double *out)
{
    cf_prec3 *a = malloc(m * sizeof *a), *tmp = malloc(m * sizeof *tmp);
    cf_preck *ka = malloc(m * sizeof *ka), *kt = malloc(m * sizeof *kt);
    size_t *rank = malloc(m * sizeof *rank);
    double *xs = malloc(m * sizeof *xs);
    cf_rstair st;
    cf_status rc = CF_OK;
    memset(&st, 0, sizeof st);
    if (!a || !tmp || !ka || !kt || !rank || !xs) {
        rc = CF_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < m; i++) {
        a[i].k = cf_pu_key(P[3 * i + 2]);
        a[i].a = P[3 * i];
        a[i].b = P[3 * i + 1];
        a[i].i = i;
    }
    cf_pu_sort3(a, tmp, m, 0);
    for (size_t j = 0; j < m; j++) {
        ka[j].k = cf_pu_key(a[j].a);
        ka[j].i = j;
    }
    size_t u = cf_pu_ranks(ka, kt, m, rank, xs);
    rc = cf_rstair_init(&st, xs, u, ref[0], ref[1]);
    if (rc != CF_OK) goto out;
    double v = 0.0, area = 0.0, zprev = cf_pu_unkey(a[0].k);
    for (size_t i = 0; i < m; i++) {
        double z = cf_pu_unkey(a[i].k);
        v += area * (z - zprev);
        zprev = z;
        if (!cf_rstair_covered(&st, rank[i], a[i].b)) area += cf_rstair_insert(&st, rank[i], a[i].b, 1);
    }
    v += area * (ref[2] - zprev);
    *out = v;
out:
    free(a);
    free(tmp);
    free(ka);
    free(kt);
    free(rank);
    free(xs);
    cf_rstair_free(&st);
    return rc;
}

/* Returns 1 when q <= p in all of the first d coordinates. */
static int weakly_le(const double *q, const double *p, size_t d)
{
    for (size_t k = 0; k < d; k++)
        if (!(q[k] <= p[k])) return 0;
    return 1;
}

/* Volume of the box between p and ref in the first d coordinates. */
static double box(const double *p, const double *ref, size_t d)
{
    double v = 1.0;
    for (size_t k = 0; k < d; k++) v *= ref[k] - p[k];
    return v;
}

/* 4-D WFG whose 3-D exclusive volumes are computed by one sweep over the kept projections, held sorted by f3. */
static cf_status hv4(const double *P, size_t m, const double *ref, double *out)
{
    cf_preck *a = malloc(m * sizeof *a), *tmp = malloc(m * sizeof *tmp);
    double *S = malloc(m * 3 * sizeof *S);
    cf_stair st;
    cf_status rc = cf_stair_init(&st, m);
    if (!a || !tmp || !S || rc != CF_OK) {
        rc = rc != CF_OK ? rc : CF_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < m; i++) {
        a[i].k = cf_pu_key(P[4 * i + 3]);
        a[i].i = i;
    }
    cf_pu_sortk(a, tmp, m, NULL, 4);
    size_t s = 0;
    double v = 0.0;
    for (size_t t = 0; t < m; t++) {
        const double *p = P + 4 * a[t].i;
        int covered = 0;
        for (size_t j = 0; j < s; j++)
            if (weakly_le(S + 3 * j, p, 3)) {
                covered = 1;
                break;
            }
        if (covered) continue;
        /* hypervolume of the limit set {max(p, q)}: its f3 order is the order of S */
        double lim = 0.0;
        if (s > 0) {
            double area = 0.0, zprev = 0.0;
            cf_stair_reset(&st, ref[0], ref[1]);
            for (size_t j = 0; j < s; j++) {
                const double *q = S + 3 * j;
                double x = q[0] > p[0] ? q[0] : p[0], y = q[1] > p[1] ? q[1] : p[1];
                double z = q[2] > p[2] ? q[2] : p[2];
                if (j == 0) zprev = z;
                lim += area * (z - zprev);
                zprev = z;
                if (!cf_stair_covered(&st, x, y)) area += cf_stair_insert(&st, x, y, 1);
            }
            lim += area * (ref[2] - zprev);
        }
        v += (ref[3] - p[3]) * (box(p, ref, 3) - lim);
        /* drop kept projections that p covers, insert p by f3 */
        size_t k = 0, pos = CF_STAIR_NIL;
        for (size_t j = 0; j < s; j++) {
            const double *q = S + 3 * j;
            if (weakly_le(p, q, 3)) continue;
            if (pos == CF_STAIR_NIL && q[2] > p[2]) pos = k;
            if (k != j) memcpy(S + 3 * k, q, 3 * sizeof *S);
            k++;
        }
        if (pos == CF_STAIR_NIL) pos = k;
        memmove(S + 3 * (pos + 1), S + 3 * pos, (k - pos) * 3 * sizeof *S);
        memcpy(S + 3 * pos, p, 3 * sizeof *S);
        s = k + 1;
    }
    *out = v;
out:
    free(a);
    free(tmp);
    free(S);
    cf_stair_free(&st);
    return rc;
}

/* WFG for d >= 5, recursing on nondominated, repeat-free limit sets. */
static cf_status hv_wfg(const double *P, size_t m, size_t d, const double *ref, double *out)
{
    size_t e = d - 1;
    cf_preck *a = malloc(m * sizeof *a), *tmp = malloc(m * sizeof *tmp);
    double *S = malloc(m * e * sizeof *S), *L = malloc(m * e * sizeof *L);
    unsigned char *nd = malloc(m);
    cf_status rc = CF_OK;
    if (!a || !tmp || !S || !L || !nd) {
        rc = CF_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < m; i++) {
        a[i].k = cf_pu_key(P[d * i + e]);
        a[i].i = i;
    }
    cf_pu_sortk(a, tmp, m, NULL, d);
    size_t s = 0;
    double v = 0.0;
    for (size_t t = 0; t < m; t++) {
        const double *p = P + d * a[t].i;
        int covered = 0;
        for (size_t j = 0; j < s; j++)
            if (weakly_le(S + e * j, p, e)) {
                covered = 1;
                break;
            }
        if (covered) continue;
        double lim = 0.0;
        if (s > 0) {
            for (size_t j = 0; j < s; j++)
                for (size_t k = 0; k < e; k++) {
                    double q = S[e * j + k];
                    L[e * j + k] = q > p[k] ? q : p[k];
                }
            rc = cf_pareto_filter_ex(L, s, e, nd, 1);
            if (rc != CF_OK) goto out;
            size_t c = 0;
            for (size_t j = 0; j < s; j++)
                if (nd[j]) {
                    if (c != j) memcpy(L + e * c, L + e * j, e * sizeof *L);
                    c++;
                }
            rc = hv_rec(L, c, e, ref, &lim);
            if (rc != CF_OK) goto out;
        }
        v += (ref[e] - p[e]) * (box(p, ref, e) - lim);
        size_t k = 0;
        for (size_t j = 0; j < s; j++) {
            if (weakly_le(p, S + e * j, e)) continue;
            if (k != j) memcpy(S + e * k, S + e * j, e * sizeof *S);
            k++;
        }
        memcpy(S + e * k, p, e * sizeof *S);
        s = k + 1;
    }
    *out = v;
out:
    free(a);
    free(tmp);
    free(S);
    free(L);
    free(nd);
    return rc;
}

/* Dispatches on the dimension; P holds m valid rows of d coordinates. */
static cf_status hv_rec(const double *P, size_t m, size_t d, const double *ref, double *out)
{
    if (m == 0) {
        *out = 0.0;
        return CF_OK;
    }
    if (m == 1) {
        *out = box(P, ref, d);
        return CF_OK;
    }
    switch (d) {
    case 1: {
        double lo = P[0];
        for (size_t i = 1; i < m; i++)
            if (P[i] < lo) lo = P[i];
        *out = ref[0] - lo;
        return CF_OK;
    }
    case 2: return hv2(P, m, ref, out);
    case 3: return hv3(P, m, ref, out);
    case 4: return hv4(P, m, ref, out);
    default: return hv_wfg(P, m, d, ref, out);
    }
}

cf_status cf_hypervolume(const double *pts, size_t n, size_t d, const double *ref, double *hv)
{
    if (d == 0 || !ref || !hv || (n > 0 && !pts) || n > SIZE_MAX / d / sizeof(double)) return CF_ERR_ARG;
    for (size_t k = 0; k < d; k++)
        if (isnan(ref[k])) return CF_ERR_ARG;
    *hv = 0.0;
    double *P = malloc((n ? n : 1) * d * sizeof *P);
    if (!P) return CF_ERR_NOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const double *x = pts + i * d;
        size_t k = 0;
        while (k < d && x[k] < ref[k]) /* false for NaN */
            k++;
        if (k < d) continue;
        memcpy(P + m * d, x, d * sizeof *P);
        m++;
    }
    cf_status rc = hv_rec(P, m, d, ref, hv);
    free(P);
    return rc;
}
