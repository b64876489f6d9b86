/* costfront (private): record sorting and the 2-D staircase used by the Pareto and hypervolume sweeps.
 *
 * The radix sort is a plain least-significant-digit sort (Knuth, TAOCP vol. 3, 5.2.5) on 64-bit keys with 11-bit
 * digits: one pass counts all six digit histograms, and a pass whose digit is the same for every record is
 * skipped (for numbers in [0, 1) the sign and most exponent bits never change). The staircase is a treap (Seidel &
 * Aragon 1996) with split and merge, which keeps every operation O(log n) expected.
 */
#include "optimizer/pareto_util.h"

#include <stdlib.h>

/* Below this size a comparison sort beats clearing and scanning the histograms. */
#define CF_PU_SMALL   64
#define CF_PU_BITS    11
#define CF_PU_BUCKETS (1u << CF_PU_BITS)
#define CF_PU_PASSES  6

typedef int (*cf_pu_cmp)(const void *a, const void *b, const void *ctx);

/* Stable top-down merge sort of n elements of size sz, used for long runs of tied keys and huge inputs; tmp must
 * hold n elements. */
static void msort_rec(unsigned char *a, unsigned char *tmp, size_t n, size_t sz, cf_pu_cmp cmp, const void *ctx)
{
    if (n < 2) return;
    if (n <= 12) { /* insertion sort */
        unsigned char *key = tmp;
        for (size_t i = 1; i < n; i++) {
            size_t j = i;
            memcpy(key, a + i * sz, sz);
            while (j > 0 && cmp(a + (j - 1) * sz, key, ctx) > 0) {
                memcpy(a + j * sz, a + (j - 1) * sz, sz);
                j--;
            }
            memcpy(a + j * sz, key, sz);
        }
        return;
    }
    size_t h = n / 2;
    msort_rec(a, tmp, h, sz, cmp, ctx);
    msort_rec(a + h * sz, tmp, n - h, sz, cmp, ctx);
    if (cmp(a + (h - 1) * sz, a + h * sz, ctx) <= 0) return;
    memcpy(tmp, a, h * sz);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        if (cmp(a + j * sz, tmp + i * sz, ctx) < 0) {
            memcpy(a + k * sz, a + j * sz, sz);
            j++;
        } else {
            memcpy(a + k * sz, tmp + i * sz, sz);
            i++;
        }
        k++;
    }
    if (i < h) memcpy(a + k * sz, tmp + i * sz, (h - i) * sz);
}

/* Three-way comparison of two doubles without the overflow of subtracting them. */
static int cmp_d(double x, double y) { return (x > y) - (x < y); }

/* Orders 2-D records by the sort key, then by the second value, so that identical points end up adjacent and
 * the sweep sees a point before those it weakly dominates. */
static int cmp2_full(const void *pa, const void *pb, const void *ctx)
{
    const cf_prec2 *a = pa, *b = pb;
    (void)ctx;
    if (a->k != b->k) return a->k < b->k ? -1 : 1;
    return cmp_d(a->a, b->a);
}

/* Orders 2-D records by the sort key alone: the merge pass of the ranks only needs the first objective. */
static int cmp2_key(const void *pa, const void *pb, const void *ctx)
{
    const cf_prec2 *a = pa, *b = pb;
    (void)ctx;
    return (a->k > b->k) - (a->k < b->k);
}

/* Orders 3-D records lexicographically (key, a, b), the order Kung et al.'s sweep processes points in. */
static int cmp3_full(const void *pa, const void *pb, const void *ctx)
{
    const cf_prec3 *a = pa, *b = pb;
    (void)ctx;
    if (a->k != b->k) return a->k < b->k ? -1 : 1;
    int c = cmp_d(a->a, b->a);
    return c ? c : cmp_d(a->b, b->b);
}

/* Orders 3-D records by the key alone, for the passes that only need the first objective sorted. */
static int cmp3_key(const void *pa, const void *pb, const void *ctx)
{
    const cf_prec3 *a = pa, *b = pb;
    (void)ctx;
    return (a->k > b->k) - (a->k < b->k);
}

/* Context of the d-dimensional comparator. */
typedef struct cf_pu_kctx {
    const double *pts;
    size_t d;
} cf_pu_kctx;

/* Orders d-dimensional records lexicographically over all d coordinates (ctx gives the points and d). */
static int cmpk_full(const void *pa, const void *pb, const void *ctx)
{
    const cf_preck *a = pa, *b = pb;
    const cf_pu_kctx *c = ctx;
    if (a->k != b->k) return a->k < b->k ? -1 : 1;
    if (!c) return 0;
    const double *x = c->pts + a->i * c->d, *y = c->pts + b->i * c->d;
    for (size_t j = 0; j < c->d; j++) {
        int r = cmp_d(x[j], y[j]);
        if (r) return r;
    }
    return 0;
}

/* LSD radix sort on the field k of an array of records of type T; the result ends in a. Requires n < 2^32. */
#define CF_PU_RADIX(NAME, T)                                                                                           \
    static void NAME(T *a, T *b, size_t n)                                                                             \
    {                                                                                                                  \
        static const unsigned shift[CF_PU_PASSES] = {0, 11, 22, 33, 44, 55};                                           \
        uint32_t(*cnt)[CF_PU_BUCKETS] = calloc(CF_PU_PASSES, sizeof *cnt);                                             \
        if (!cnt) { /* fall back on the merge sort, which needs no histogram */                                        \
            msort_rec((unsigned char *)a, (unsigned char *)b, n, sizeof(T), cmpk_full, NULL);                          \
            return;                                                                                                    \
        }                                                                                                              \
        for (size_t i = 0; i < n; i++) {                                                                               \
            uint64_t k = a[i].k;                                                                                       \
            cnt[0][k & 0x7FF]++;                                                                                       \
            cnt[1][(k >> 11) & 0x7FF]++;                                                                               \
            cnt[2][(k >> 22) & 0x7FF]++;                                                                               \
            cnt[3][(k >> 33) & 0x7FF]++;                                                                               \
            cnt[4][(k >> 44) & 0x7FF]++;                                                                               \
            cnt[5][(k >> 55) & 0x7FF]++;                                                                               \
        }                                                                                                              \
        T *src = a, *dst = b;                                                                                          \
        for (int p = 0; p < CF_PU_PASSES; p++) {                                                                       \
            unsigned sh = shift[p];                                                                                    \
            uint32_t *c = cnt[p];                                                                                      \
            if (c[(src[0].k >> sh) & 0x7FF] == n) continue;                                                            \
            uint32_t sum = 0;                                                                                          \
            for (unsigned j = 0; j < CF_PU_BUCKETS; j++) {                                                             \
                uint32_t t = c[j];                                                                                     \
                c[j] = sum;                                                                                            \
                sum += t;                                                                                              \
            }                                                                                                          \
            for (size_t i = 0; i < n; i++) dst[c[(src[i].k >> sh) & 0x7FF]++] = src[i];                                \
            T *t = src;                                                                                                \
            src = dst;                                                                                                 \
            dst = t;                                                                                                   \
        }                                                                                                              \
        if (src != a) memcpy(a, src, n * sizeof(T));                                                                   \
        free(cnt);                                                                                                     \
    }

/* cmpk_full with a NULL context compares keys only, which is all the fallback needs for every record type
 * because k is the first field of each. */
CF_PU_RADIX(radix2, cf_prec2)
CF_PU_RADIX(radix3, cf_prec3)
CF_PU_RADIX(radixk, cf_preck)

/* Sorts each run of equal keys of a sorted array with the full comparator. */
static void fix_ties(unsigned char *a, unsigned char *tmp, size_t n, size_t sz, cf_pu_cmp full, const void *ctx)
{
    size_t s = 0;
    while (s < n) {
        uint64_t k;
        memcpy(&k, a + s * sz, sizeof k);
        size_t e = s + 1;
        while (e < n) {
            uint64_t k2;
            memcpy(&k2, a + e * sz, sizeof k2);
            if (k2 != k) break;
            e++;
        }
        if (e - s > 1) msort_rec(a + s * sz, tmp, e - s, sz, full, ctx);
        s = e;
    }
}

void cf_pu_sort2(cf_prec2 *a, cf_prec2 *tmp, size_t n, int ties)
{
    if (n < CF_PU_SMALL || n >= UINT32_MAX) {
        msort_rec((unsigned char *)a, (unsigned char *)tmp, n, sizeof *a, ties ? cmp2_full : cmp2_key, NULL);
        return;
    }
    radix2(a, tmp, n);
    if (ties) fix_ties((unsigned char *)a, (unsigned char *)tmp, n, sizeof *a, cmp2_full, NULL);
}

void cf_pu_sort3(cf_prec3 *a, cf_prec3 *tmp, size_t n, int ties)
{
    if (n < CF_PU_SMALL || n >= UINT32_MAX) {
        msort_rec((unsigned char *)a, (unsigned char *)tmp, n, sizeof *a, ties ? cmp3_full : cmp3_key, NULL);
        return;
    }
    radix3(a, tmp, n);
    if (ties) fix_ties((unsigned char *)a, (unsigned char *)tmp, n, sizeof *a, cmp3_full, NULL);
}

void cf_pu_sortk(cf_preck *a, cf_preck *tmp, size_t n, const double *pts, size_t d)
{
    cf_pu_kctx c = {pts, d};
    const void *ctx = pts ? &c : NULL;
    if (n < CF_PU_SMALL || n >= UINT32_MAX) {
        msort_rec((unsigned char *)a, (unsigned char *)tmp, n, sizeof *a, cmpk_full, ctx);
        return;
    }
    radixk(a, tmp, n);
    if (pts) fix_ties((unsigned char *)a, (unsigned char *)tmp, n, sizeof *a, cmpk_full, ctx);
}

/* ---- staircase treap ---- */

cf_status cf_stair_init(cf_stair *s, size_t cap)
{
    memset(s, 0, sizeof *s);
    if (cap >= CF_STAIR_NIL) return CF_ERR_ARG;
    s->pool = malloc((cap ? cap : 1) * sizeof *s->pool);
    if (!s->pool) return CF_ERR_NOMEM;
    s->cap = cap;
    s->root = CF_STAIR_NIL;
    s->seed = 2463534242u;
    return CF_OK;
}

void cf_stair_reset(cf_stair *s, double rx, double ry)
{
    s->used = 0;
    s->root = CF_STAIR_NIL;
    s->rx = rx;
    s->ry = ry;
}

void cf_stair_free(cf_stair *s)
{
    if (!s) return;
    free(s->pool);
    s->pool = NULL;
    s->cap = s->used = 0;
}

int cf_stair_covered(const cf_stair *s, double x, double y)
{
    const cf_stair_node *p = s->pool;
    uint32_t t = s->root, best = CF_STAIR_NIL;
    while (t != CF_STAIR_NIL) {
        if (p[t].x <= x) {
            best = t;
            t = p[t].r;
        } else {
            t = p[t].l;
        }
    }
    return best != CF_STAIR_NIL && p[best].y <= y;
}

/* Splits t into nodes with x < key (*l) and the rest (*r). */
static void split_x(cf_stair_node *p, uint32_t t, double key, uint32_t *l, uint32_t *r)
{
    while (t != CF_STAIR_NIL) {
        if (p[t].x < key) {
            *l = t;
            l = &p[t].r;
            t = p[t].r;
        } else {
            *r = t;
            r = &p[t].l;
            t = p[t].l;
        }
    }
    *l = CF_STAIR_NIL;
    *r = CF_STAIR_NIL;
}

/* Splits t (x ascending, so y descending) into nodes with y >= key (*l, a prefix) and the rest (*r). */
static void split_y(cf_stair_node *p, uint32_t t, double key, uint32_t *l, uint32_t *r)
{
    while (t != CF_STAIR_NIL) {
        if (p[t].y >= key) {
            *l = t;
            l = &p[t].r;
            t = p[t].r;
        } else {
            *r = t;
            r = &p[t].l;
            t = p[t].l;
        }
    }
    *l = CF_STAIR_NIL;
    *r = CF_STAIR_NIL;
}

/* Merges a and b, every key of a being smaller than every key of b. */
static uint32_t merge(cf_stair_node *p, uint32_t a, uint32_t b)
{
    uint32_t root = CF_STAIR_NIL, *slot = &root;
    while (a != CF_STAIR_NIL && b != CF_STAIR_NIL) {
        if (p[a].pri > p[b].pri) {
            *slot = a;
            slot = &p[a].r;
            a = p[a].r;
        } else {
            *slot = b;
            slot = &p[b].l;
            b = p[b].l;
        }
    }
    *slot = (a != CF_STAIR_NIL) ? a : b;
    return root;
}

/* Adds to *gain the area between the covered heights of the removed nodes (in x order) and y; *cx and *cy carry
 * the current segment start and covered height. Recursion depth is the treap depth. */
static void removed_area(const cf_stair_node *p, uint32_t t, double y, double *cx, double *cy, double *gain)
{
    while (t != CF_STAIR_NIL) {
        removed_area(p, p[t].l, y, cx, cy, gain);
        *gain += (p[t].x - *cx) * (*cy - y);
        *cx = p[t].x;
        *cy = p[t].y;
        t = p[t].r;
    }
}

double cf_stair_insert(cf_stair *s, double x, double y, int want_area)
{
    cf_stair_node *p = s->pool;
    uint32_t l, r, dom, rest;
    double gain = 0.0;

    split_x(p, s->root, x, &l, &r);
    split_y(p, r, y, &dom, &rest);
    if (want_area) {
        double ya = s->ry, xs = s->rx, cx = x;
        if (l != CF_STAIR_NIL) {
            uint32_t t = l;
            while (p[t].r != CF_STAIR_NIL) t = p[t].r;
            ya = p[t].y;
        }
        if (rest != CF_STAIR_NIL) {
            uint32_t t = rest;
            while (p[t].l != CF_STAIR_NIL) t = p[t].l;
            xs = p[t].x;
        }
        double cy = ya;
        removed_area(p, dom, y, &cx, &cy, &gain);
        gain += (xs - cx) * (cy - y);
    }
    /* xorshift32 priorities */
    uint32_t sd = s->seed;
    sd ^= sd << 13;
    sd ^= sd >> 17;
    sd ^= sd << 5;
    s->seed = sd;
    uint32_t nn = (uint32_t)s->used++;
    p[nn].x = x;
    p[nn].y = y;
    p[nn].pri = sd;
    p[nn].l = p[nn].r = CF_STAIR_NIL;
    s->root = merge(p, merge(p, l, nn), rest);
    return gain;
}

/* ---- staircase over ranked x values: a 64-ary bit tree ---- */

#define CF_RS_NONE SIZE_MAX

cf_status cf_rstair_init(cf_rstair *s, const double *xs, size_t m, double rx, double ry)
{
    memset(s, 0, sizeof *s);
    s->xs = xs;
    s->m = m;
    s->rx = rx;
    s->ry = ry;
    size_t total = 0, len = m ? m : 1;
    do {
        len = (len + 63) / 64;
        s->off[s->nlev++] = total;
        total += len;
    } while (len > 1);
    s->words = calloc(total, sizeof *s->words);
    s->y = malloc((m ? m : 1) * sizeof *s->y);
    if (!s->words || !s->y) {
        cf_rstair_free(s);
        return CF_ERR_NOMEM;
    }
    return CF_OK;
}

void cf_rstair_free(cf_rstair *s)
{
    if (!s) return;
    free(s->words);
    free(s->y);
    s->words = NULL;
    s->y = NULL;
}

/* Largest present rank <= r, or CF_RS_NONE. */
static size_t rs_pred(const cf_rstair *s, size_t r)
{
    for (int lv = 0; lv < s->nlev; lv++) {
        const uint64_t *w = s->words + s->off[lv];
        size_t wi = r >> 6;
        unsigned b = (unsigned)(r & 63);
        uint64_t word = w[wi] & (b == 63 ? ~UINT64_C(0) : ((UINT64_C(2) << b) - 1));
        if (word) {
            r = (wi << 6) | (size_t)(63 - __builtin_clzll(word));
            while (lv > 0) {
                lv--;
                r = (r << 6) | (size_t)(63 - __builtin_clzll(s->words[s->off[lv] + r]));
            }
            return r;
        }
        if (wi == 0) return CF_RS_NONE;
        r = wi - 1;
    }
    return CF_RS_NONE;
}

/* Smallest present rank >= r, or CF_RS_NONE. */
static size_t rs_succ(const cf_rstair *s, size_t r)
{
    size_t len = s->m;
    for (int lv = 0; lv < s->nlev; lv++) {
        size_t nw = (len + 63) / 64;
        const uint64_t *w = s->words + s->off[lv];
        size_t wi = r >> 6;
        if (wi >= nw) return CF_RS_NONE;
        uint64_t word = w[wi] & (~UINT64_C(0) << (r & 63));
        if (word) {
            r = (wi << 6) | (size_t)__builtin_ctzll(word);
            while (lv > 0) {
                lv--;
                r = (r << 6) | (size_t)__builtin_ctzll(s->words[s->off[lv] + r]);
            }
            return r;
        }
        r = wi + 1;
        len = nw;
    }
    return CF_RS_NONE;
}

/* Marks rank r occupied at every level of the bit tree, stopping at the first level where the word was already
 * non-empty because the levels above it already say so. */
static void rs_set(cf_rstair *s, size_t r)
{
    for (int lv = 0; lv < s->nlev; lv++) {
        uint64_t *w = s->words + s->off[lv] + (r >> 6);
        int was = *w != 0;
        *w |= UINT64_C(1) << (r & 63);
        if (was) return;
        r >>= 6;
    }
}

/* Clears rank r, and its summary bits upwards only while a word becomes empty, so that the summary levels stay
 * exact. */
static void rs_clear(cf_rstair *s, size_t r)
{
    for (int lv = 0; lv < s->nlev; lv++) {
        uint64_t *w = s->words + s->off[lv] + (r >> 6);
        *w &= ~(UINT64_C(1) << (r & 63));
        if (*w) return;
        r >>= 6;
    }
}

int cf_rstair_covered(const cf_rstair *s, size_t r, double y)
{
    size_t p = rs_pred(s, r);
    return p != CF_RS_NONE && s->y[p] <= y;
}

double cf_rstair_insert(cf_rstair *s, size_t r, double y, int want_area)
{
    double gain = 0.0, cx = 0.0, cy = 0.0;
    if (want_area) {
        size_t a = r > 0 ? rs_pred(s, r - 1) : CF_RS_NONE;
        cx = s->xs[r];
        cy = a != CF_RS_NONE ? s->y[a] : s->ry;
    }
    size_t t = rs_succ(s, r);
    while (t != CF_RS_NONE && s->y[t] >= y) {
        if (want_area) {
            gain += (s->xs[t] - cx) * (cy - y);
            cx = s->xs[t];
            cy = s->y[t];
        }
        rs_clear(s, t);
        t = t + 1 < s->m ? rs_succ(s, t + 1) : CF_RS_NONE;
    }
    if (want_area) gain += ((t != CF_RS_NONE ? s->xs[t] : s->rx) - cx) * (cy - y);
    rs_set(s, r);
    s->y[r] = y;
    return gain;
}

size_t cf_rstair_pred(const cf_rstair *s, size_t r) { return rs_pred(s, r); }

size_t cf_rstair_succ(const cf_rstair *s, size_t r) { return rs_succ(s, r); }

void cf_rstair_mark(cf_rstair *s, size_t r) { rs_set(s, r); }

void cf_rstair_unmark(cf_rstair *s, size_t r) { rs_clear(s, r); }

size_t cf_pu_ranks(cf_preck *a, cf_preck *tmp, size_t m, size_t *rank, double *xs)
{
    cf_pu_sortk(a, tmp, m, NULL, 0);
    size_t u = 0;
    for (size_t j = 0; j < m; j++) {
        if (j == 0 || a[j].k != a[j - 1].k) xs[u++] = cf_pu_unkey(a[j].k);
        rank[a[j].i] = u - 1;
    }
    return u;
}
