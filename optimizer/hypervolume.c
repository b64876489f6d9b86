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
 *  - d = 4: HV4D+ of Guerreiro & Fonseca, "Computing and updating hypervolume contributions in up to four
 *    dimensions", IEEE TEC 2018: a sweep in f4 adding the exclusive 3-D contribution of each point, each found in
 *    linear time from a list kept in f3 order with remembered staircase neighbours (details below). O(n^2).
 *  - d >= 5: the WFG algorithm of While, Bradstreet & Barone, "A fast way of calculating exact hypervolumes", IEEE
 *    TEC 2012. Points are sorted by the last objective; the region first dominated by point i (in that order) is
 *    the slab [f_d(i), ref_d] times the (d-1)-dimensional part of p_i's box not covered by earlier points, whose
 *    volume is box(p_i) - HV(limit set {max(p_i, p_j) : j < i}). Earlier points whose projection is weakly
 *    dominated by a later one are dropped for good (their limit is always dominated), which keeps the limit sets
 *    small; limit rows dominated by a row that differs from p_i in one coordinate are pruned in linear time; 4-D
 *    limit sets go to the HV4D+ sweep in the order they already have.
 */
#include "costfront/pareto.h"

#include <float.h>
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

/* Volume of the box between p and ref in the first d coordinates. */
static double box(const double *p, const double *ref, size_t d)
{
    double v = 1.0;
    for (size_t k = 0; k < d; k++) v *= ref[k] - p[k];
    return v;
}

/* ---- 4-D: HV4D+ (Guerreiro & Fonseca 2018) ----
 *
 * The points are swept in ascending f4; the 4-D volume is the sum over consecutive f4 values of the 3-D volume of
 * the projections seen so far times the f4 gap, and the 3-D volume grows by the exclusive 3-D contribution of each
 * new projection. The projections that are not weakly dominated are kept in a list ordered by (f3, f2, f1). Each
 * kept point q remembers two neighbours among the points before it in that list: nx, the point of smallest f1
 * (then f2) among those with f2 < q.f2, and ny, the point of smallest f2 (then f1) among those with f1 < q.f1.
 * These are q's neighbours in the 2-D staircase of the (f1, f2) projections at q's height, so the staircase at any
 * height is rebuilt in linear time by replaying the insertions in list order, each in O(1). The contribution of a
 * new point p is then a sweep upwards in f3 from p that tracks only the part of p's (f1, f2) box not yet covered:
 * its left bound (the lowest point to p's left), its right bound (the leftmost point below p) and the chain of
 * points inside the box between them. After the sweep p joins the list, the points above it that p weakly
 * dominates leave it, and the neighbours of the others are updated. Every step is linear in the number of kept
 * points, so the 4-D volume takes O(n^2) time.
 */

/* A node of the 3-D list: coordinates, the list links, the remembered neighbours and the current staircase links
 * (cur[0] towards larger f1, cur[1] towards larger f2). */
typedef struct hv4_node {
    double x[3];
    struct hv4_node *next, *prev, *nb[2], *cur[2];
} hv4_node;

/* Returns 1 when a precedes b in the (f3, f2, f1) order, ties included (so a point precedes its copies). */
static int hv4_before(const double *a, const double *b)
{
    if (a[2] != b[2]) return a[2] < b[2];
    if (a[1] != b[1]) return a[1] < b[1];
    return a[0] <= b[0];
}

/* Area of the part of the box from p (in coordinate 1 - i, walking in coordinate i) that lies below the chain
 * starting at q and following cur[i]: the strips between p and each chain point until the chain leaves the box.
 * For i = 1 q is the right bound and the walk goes leftwards; for i = 0 q is the left bound and it goes
 * rightwards. */
static double hv4_area(const double *p, const hv4_node *q, int i)
{
    int j = 1 - i;
    const hv4_node *u = q->cur[i];
    double a = (q->x[j] - p[j]) * (u->x[i] - p[i]);
    while (p[j] < u->x[j]) {
        q = u;
        u = u->cur[i];
        a += (q->x[j] - p[j]) * (u->x[i] - q->x[i]);
    }
    return a;
}

/* Rebuilds the staircase up to p's place in the list (sentinels s[0] = (-max, ry) and s[1] = (rx, -max) at the
 * head), finds p's neighbours and place. Returns 0 when a listed point weakly dominates p. */
static int hv4_restart(hv4_node *s, hv4_node *p)
{
    const double *x = p->x;
    hv4_node *nx = s + 1, *ny = s;
    s[0].cur[0] = s + 1;
    s[1].cur[1] = s;
    for (hv4_node *q = s[1].next;; q = q->next) {
        const double *y = q->x;
        if (y[0] <= x[0] && y[1] <= x[1] && y[2] <= x[2]) return 0;
        if (!hv4_before(y, x)) {
            p->nb[0] = nx;
            p->nb[1] = ny;
            p->prev = q->prev;
            p->next = q;
            return 1;
        }
        q->cur[0] = q->nb[0];
        q->cur[1] = q->nb[1];
        q->nb[0]->cur[1] = q;
        q->nb[1]->cur[0] = q;
        if (y[1] < x[1]) {
            if (y[0] < nx->x[0] || (y[0] == nx->x[0] && y[1] < nx->x[1])) nx = q;
        } else if (y[0] < x[0]) {
            if (y[1] < ny->x[1] || (y[1] == ny->x[1] && y[0] < ny->x[0])) ny = q;
        }
    }
}

/* Exclusive 3-D volume of p against the listed points, p being in place (hv4_restart returned 1). */
static double hv4_contribution(hv4_node *p)
{
    const double *x = p->x;
    p->cur[0] = p->nb[0];
    p->cur[1] = p->nb[1];
    double area = hv4_area(x, p->cur[0], 1), vol = 0.0, z = x[2];
    for (hv4_node *q = p->next;; q = q->next) {
        const double *y = q->x;
        vol += area * (y[2] - z);
        if (y[0] <= x[0] && y[1] <= x[1]) return vol;
        q->cur[0] = q->nb[0];
        q->cur[1] = q->nb[1];
        if (y[0] < x[0]) { /* left of p, above it: may lower the upper edge of the box */
            if (y[1] <= p->cur[1]->x[1]) {
                const double c[2] = {x[0], y[1]};
                area -= hv4_area(c, p->cur[1], 0);
                q->cur[1] = p->cur[1];
                q->cur[0]->cur[1] = q;
                p->cur[1] = q;
            }
        } else if (y[1] < x[1]) { /* right of p, below it: may pull in the right edge */
            if (y[0] <= p->cur[0]->x[0]) {
                const double c[2] = {y[0], x[1]};
                area -= hv4_area(c, p->cur[0], 1);
                q->cur[0] = p->cur[0];
                q->cur[1]->cur[0] = q;
                p->cur[0] = q;
            }
        } else { /* inside p's box */
            area -= hv4_area(y, q->cur[0], 1);
            q->cur[1]->cur[0] = q;
            q->cur[0]->cur[1] = q;
        }
        z = y[2];
    }
}

/* Puts p into the list at its place, removes the later points it weakly dominates and makes p the remembered
 * neighbour of the later points for which it is now the nearest. Stops at the first later point whose (f1, f2)
 * projection strictly dominates p's, above which p is never a neighbour. */
static void hv4_insert(hv4_node *end, hv4_node *p)
{
    const double *x = p->x;
    p->next = p->prev->next;
    p->next->prev = p;
    p->prev->next = p;
    for (hv4_node *q = p->next; q != end; q = q->next) {
        const double *y = q->x;
        if (y[0] <= x[0] && y[1] <= x[1] && (y[0] < x[0] || y[1] < x[1])) return;
        if (x[0] <= y[0]) {
            if (x[1] <= y[1]) { /* p weakly dominates q */
                q->prev->next = q->next;
                q->next->prev = q->prev;
            } else if (x[0] < y[0]) {
                const double *b = q->nb[1]->x; /* is p before nb[1] in (f2, f1, f3) order? */
                if (x[1] < b[1] || (x[1] == b[1] && (x[0] < b[0] || (x[0] == b[0] && x[2] < b[2])))) q->nb[1] = p;
            }
        } else if (x[1] < y[1]) {
            const double *b = q->nb[0]->x; /* is p before nb[0] in (f1, f2, f3) order? */
            if (x[0] < b[0] || (x[0] == b[0] && (x[1] < b[1] || (x[1] == b[1] && x[2] < b[2])))) q->nb[0] = p;
        }
    }
}

/* The HV4D+ sweep over m valid rows of P already in ascending f4 order (weakly dominated rows and repeats are
 * allowed); s must hold m + 3 nodes. When cap is not NULL every row is known to be >= cap in its first three
 * coordinates, so a row equal to cap there covers cap's whole 3-D box from its f4 on, and the sweep stops. */
static double hv4_sweep(const double *P, size_t m, const double *ref, hv4_node *s, const double *cap)
{
    /* sentinels: s[0] = (-max, ry, -max) and s[1] = (rx, -max, -max) head the list, s[2] = (-max, -max, rz) ends it */
    const double big = -DBL_MAX;
    hv4_node *h0 = s, *h1 = s + 1, *end = s + 2;
    h0->x[0] = big, h0->x[1] = ref[1], h0->x[2] = big;
    h1->x[0] = ref[0], h1->x[1] = big, h1->x[2] = big;
    end->x[0] = big, end->x[1] = big, end->x[2] = ref[2];
    h0->next = h1, h1->next = end, end->next = NULL;
    h0->prev = NULL, h1->prev = h0, end->prev = h1;
    h0->nb[0] = h1->nb[0] = end->nb[0] = h1;
    h0->nb[1] = h1->nb[1] = end->nb[1] = h0;
    double vol = 0.0, hv = 0.0;
    for (size_t t = 0; t < m; t++) {
        hv4_node *p = s + 3 + t;
        const double *r = P + 4 * t;
        if (cap && r[0] == cap[0] && r[1] == cap[1] && r[2] == cap[2])
            return hv + box(cap, ref, 3) * (ref[3] - r[3]);
        memcpy(p->x, r, 3 * sizeof *p->x);
        if (hv4_restart(s, p)) {
            vol += hv4_contribution(p);
            hv4_insert(end, p);
        }
        double w = P[4 * t + 3], wn = t + 1 < m ? P[4 * t + 7] : ref[3];
        hv += vol * (wn - w);
    }
    return hv;
}

/* 4-D hypervolume by HV4D+ over m valid rows in any order: sorts them by f4 (ties in f4 add no volume whatever
 * their order) and sweeps. */
static cf_status hv4(const double *P, size_t m, const double *ref, double *out)
{
    cf_preck *a = malloc(m * sizeof *a), *tmp = malloc(m * sizeof *tmp);
    double *Q = malloc(m * 4 * sizeof *Q);
    hv4_node *s = malloc((m + 3) * sizeof *s);
    if (!a || !tmp || !Q || !s) {
        free(a);
        free(tmp);
        free(Q);
        free(s);
        return CF_ERR_NOMEM;
    }
    for (size_t i = 0; i < m; i++) {
        a[i].k = cf_pu_key(P[4 * i + 3]);
        a[i].i = i;
    }
    cf_pu_sortk(a, tmp, m, NULL, 4);
    for (size_t t = 0; t < m; t++) memcpy(Q + 4 * t, P + 4 * a[t].i, 4 * sizeof *Q);
    *out = hv4_sweep(Q, m, ref, s, NULL);
    free(a);
    free(tmp);
    free(Q);
    free(s);
    return CF_OK;
}

/* Builds the limit set of p against the s kept projections S (e coordinates each) into L, pruned: among the rows
 * max(p, q) that exceed p in coordinate k alone, the one with the smallest value there, (p with p_k raised to
 * b_k), weakly dominates every row whose coordinate k is >= b_k, so a row is kept when it is below b_k in every k,
 * or when it is the first row that defines some b_k (the order of S is kept). In the same pass it marks in pq[j]
 * whether p weakly dominates q_j (then q_j leaves S after p). Returns SIZE_MAX when some q_j weakly dominates p
 * (p adds nothing), else the number of rows of L. tag is scratch of s entries. */
static inline size_t limit_set_e(const double *S, size_t s, size_t e, const double *p, double *L, size_t *tag,
                                  unsigned char *pq)
{
    double b[e + 1]; /* b[e] absorbs the rows that exceed p in more than one coordinate */
    unsigned char used[e + 1];
    for (size_t k = 0; k <= e; k++) b[k] = INFINITY, used[k] = 0;
    for (size_t j = 0; j < s; j++) {
        const double *q = S + e * j;
        double *r = L + e * j;
        size_t c = 0, m = 0, le = 0;
        for (size_t k = 0; k < e; k++) {
            double x = q[k], y = p[k];
            int gt = x > y;
            r[k] = gt ? x : y;
            c += (size_t)gt;
            m = gt ? k : m;
            le += (size_t)(y <= x);
        }
        if (c == 0) return SIZE_MAX;
        pq[j] = le == e;
        size_t t = c == 1 ? m : e; /* branch-free: these tests are unpredictable */
        tag[j] = t;
        double val = c == 1 ? r[m] : INFINITY;
        b[t] = val < b[t] ? val : b[t];
    }
    size_t kept = 0;
    for (size_t j = 0; j < s; j++) {
        const double *r = L + e * j;
        size_t t = tag[j];
        int keep;
        if (t < e) {
            keep = r[t] == b[t] && !used[t];
            used[t] |= (unsigned char)keep;
        } else {
            keep = 1;
            for (size_t k = 0; k < e; k++) keep &= r[k] < b[k];
        }
        if (kept != j) memcpy(L + e * kept, r, e * sizeof *L);
        kept += (size_t)keep;
    }
    return kept;
}

/* limit_set_e with e = 4 known to the compiler (the 5-D case, where this pass is a third of the time), else any e. */
static size_t limit_set(const double *S, size_t s, size_t e, const double *p, double *L, size_t *tag,
                        unsigned char *pq)
{
    return e == 4 ? limit_set_e(S, s, 4, p, L, tag, pq) : limit_set_e(S, s, e, p, L, tag, pq);
}

/* WFG for d >= 5. Limit sets are pruned (limit_set); in 5 or more dimensions they are then filtered
 * (nondominated, repeat-free) and recursed on, while 4-D limit sets go straight to the HV4D+ sweep, which skips
 * dominated points itself: the kept projections are held sorted by their last coordinate, and max(p, q) preserves
 * that order, so the limit set needs no sort. */
static cf_status hv_wfg(const double *P, size_t m, size_t d, const double *ref, double *out)
{
    size_t e = d - 1;
    cf_preck *a = malloc(m * sizeof *a), *tmp = malloc(m * sizeof *tmp);
    double *S = malloc(m * e * sizeof *S), *L = malloc(m * e * sizeof *L);
    unsigned char *nd = malloc(m), *pq = malloc(m);
    size_t *tag = malloc(m * sizeof *tag);
    hv4_node *nodes = e == 4 ? malloc((m + 3) * sizeof *nodes) : NULL;
    cf_status rc = CF_OK;
    if (!a || !tmp || !S || !L || !nd || !pq || !tag || (e == 4 && !nodes)) {
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
        double lim = 0.0;
        size_t c0 = limit_set(S, s, e, p, L, tag, pq);
        if (c0 == SIZE_MAX) continue; /* covered by a kept projection */
        if (c0 > 0 && e == 4) {
            lim = hv4_sweep(L, c0, ref, nodes, p);
        } else if (c0 > 0) {
            rc = cf_pareto_filter_ex(L, c0, e, nd, 1);
            if (rc != CF_OK) goto out;
            size_t c = 0;
            for (size_t j = 0; j < c0; j++)
                if (nd[j]) {
                    if (c != j) memcpy(L + e * c, L + e * j, e * sizeof *L);
                    c++;
                }
            rc = hv_rec(L, c, e, ref, &lim);
            if (rc != CF_OK) goto out;
        }
        v += (ref[e] - p[e]) * (box(p, ref, e) - lim);
        /* drop kept projections that p covers; insert p by its last kept coordinate (the order hv4_sweep needs) */
        size_t k = 0, pos = SIZE_MAX;
        for (size_t j = 0; j < s; j++) {
            const double *q = S + e * j;
            if (pos == SIZE_MAX && !pq[j] && q[e - 1] > p[e - 1]) pos = k;
            if (k != j) memmove(S + e * k, q, e * sizeof *S);
            k += (size_t)!pq[j];
        }
        if (pos == SIZE_MAX) pos = k;
        memmove(S + e * (pos + 1), S + e * pos, (k - pos) * e * sizeof *S);
        memcpy(S + e * pos, p, e * sizeof *S);
        s = k + 1;
    }
    *out = v;
out:
    free(a);
    free(tmp);
    free(S);
    free(L);
    free(nd);
    free(pq);
    free(tag);
    free(nodes);
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
