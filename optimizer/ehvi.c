/* costfront: exact and quasi-Monte Carlo expected hypervolume improvement.
 *
 * Exact EHVI by box decomposition: Emmerich, Yang, Deutz, Wang & Fonseca, "A multicriteria generalization of
 * Bayesian global optimization", in Advances in Stochastic and Deterministic Global Optimization (2016) for the
 * 2-D staircase, and Yang, Emmerich, Deutz & Baeck, "Efficient computation of expected hypervolume improvement
 * using box decomposition algorithms", J. Global Optimization 75 (2019) for d >= 3. See ehvi.h for the formula.
 */
#include "costfront/ehvi.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct cf_hvboxes {
    size_t d;    /* number of objectives */
    size_t nbox; /* number of boxes */
    size_t cap;  /* allocated boxes */
    double *lo;  /* nbox x d lower corners (may be -INFINITY) */
    double *hi;  /* nbox x d upper corners (finite) */
    double *ref; /* d reference point */
    /* Shared edges: the boxes' corner coordinates in objective j are the ne[j] distinct values edge[eoff[j]..),
     * and box k's lower and upper corner in objective j are edge[li[k d + j]] and edge[hi_i[k d + j]]. Adjacent
     * boxes share corners (in 3-D O(n^2) boxes have O(n) distinct coordinates per objective), so EHVI evaluates
     * G_j once per distinct coordinate. */
    size_t *eoff, ne_tot;
    double *edge;
    unsigned *li, *ui;
};

/* Scratch state of one decomposition. */
typedef struct {
    cf_hvboxes *b;
    const double *pts; /* m x d filtered points */
    double *cur_lo;    /* box being built, dims >= level already fixed */
    double *cur_hi;
    int oom;
} decomp;

/* Appends the current box (cur_lo, cur_hi) to the decomposition, doubling the arrays when full. Returns 0, or -1
 * with c->oom set on allocation failure (checked once when the decomposition ends). */
static int push_box(decomp *c)
{
    cf_hvboxes *b = c->b;
    if (b->nbox == b->cap) {
        size_t ncap = b->cap ? 2 * b->cap : 16;
        double *nl = realloc(b->lo, ncap * b->d * sizeof *nl);
        if (nl == NULL) {
            c->oom = 1;
            return -1;
        }
        b->lo = nl;
        double *nh = realloc(b->hi, ncap * b->d * sizeof *nh);
        if (nh == NULL) {
            c->oom = 1;
            return -1;
        }
        b->hi = nh;
        b->cap = ncap;
    }
    memcpy(b->lo + b->nbox * b->d, c->cur_lo, b->d * sizeof(double));
    memcpy(b->hi + b->nbox * b->d, c->cur_hi, b->d * sizeof(double));
    b->nbox++;
    return 0;
}

/* Sort key: (coordinate, index) pairs, so qsort needs no global context and the code stays reentrant. */
typedef struct {
    double key;
    size_t idx;
} keyed;

/* Orders by key, then by index, so that qsort's unstable order cannot make ties depend on the libc. */
static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key) return (x->key > y->key) - (x->key < y->key);
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Sorts idx[0..cnt) by coordinate k of pts (ties by index). Returns -1 when memory runs out. */
static int sort_by(const double *pts, size_t d, size_t k, size_t *idx, size_t cnt)
{
    if (cnt < 2) return 0;
    keyed *t = malloc(cnt * sizeof *t);
    if (t == NULL) return -1;
    for (size_t i = 0; i < cnt; i++) {
        t[i].key = pts[idx[i] * d + k];
        t[i].idx = idx[i];
    }
    qsort(t, cnt, sizeof *t, cmp_keyed);
    for (size_t i = 0; i < cnt; i++) idx[i] = t[i].idx;
    free(t);
    return 0;
}

/* Emits the boxes of the non-dominated region of the active points idx[0..cnt) projected on the first m
 * coordinates, inside the slab already fixed in cur_lo/cur_hi for coordinates >= m. Slicing along coordinate m-1:
 * between consecutive sorted values v_k and v_{k+1} only the first k points can dominate, so the slab's region is
 * the (m-1)-dimensional region of that prefix. */
static void decompose(decomp *c, size_t *idx, size_t cnt, size_t m)
{
    const size_t d = c->b->d;
    const double *ref = c->b->ref;
    if (c->oom) return;
    if (m == 1) {
        double mn = ref[0];
        for (size_t i = 0; i < cnt; i++) mn = fmin(mn, c->pts[idx[i] * d]);
        c->cur_lo[0] = -INFINITY;
        c->cur_hi[0] = mn;
        push_box(c);
        return;
    }
    const size_t k = m - 1;
    if (sort_by(c->pts, d, k, idx, cnt)) {
        c->oom = 1;
        return;
    }
    if (m == 2) {
        /* Staircase: the running minimum of coordinate 0 over the prefix bounds each slab; consecutive slabs
         * with the same bound are merged into one box. */
        double run = ref[0];
        double start = -INFINITY;
        for (size_t s = 0; s <= cnt; s++) {
            double up = (s == cnt) ? ref[k] : c->pts[idx[s] * d + k];
            double nrun = (s == cnt) ? run : fmin(run, c->pts[idx[s] * d]);
            if (s == cnt || nrun < run) {
                if (up > start) {
                    c->cur_lo[0] = -INFINITY;
                    c->cur_hi[0] = run;
                    c->cur_lo[k] = start;
                    c->cur_hi[k] = up;
                    if (push_box(c)) return;
                }
                start = up;
                run = nrun;
            }
        }
        return;
    }
    size_t *sub = malloc((cnt + 1) * sizeof *sub);
    if (sub == NULL) {
        c->oom = 1;
        return;
    }
    memcpy(sub, idx, cnt * sizeof *sub);
    for (size_t s = 0; s <= cnt; s++) {
        double lo = (s == 0) ? -INFINITY : c->pts[sub[s - 1] * d + k];
        double up = (s == cnt) ? ref[k] : c->pts[sub[s] * d + k];
        if (!(up > lo)) continue;
        size_t *pre = malloc((s + 1) * sizeof *pre);
        if (pre == NULL) {
            c->oom = 1;
            break;
        }
        memcpy(pre, sub, s * sizeof *pre);
        c->cur_lo[k] = lo;
        c->cur_hi[k] = up;
        decompose(c, pre, s, k);
        free(pre);
        if (c->oom) break;
    }
    free(sub);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Index of v in the sorted distinct values e[0..n) (v is one of them). */
static unsigned find_edge(const double *e, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (e[mid] <= v)
            lo = mid;
        else
            hi = mid;
    }
    return (unsigned)lo;
}

/* Collects the distinct corner coordinates of every objective and each box's indices into them (see the struct).
 * Returns -1 when memory runs out. */
static int build_edges(cf_hvboxes *b)
{
    size_t d = b->d, nb = b->nbox;
    b->eoff = malloc((d + 1) * sizeof *b->eoff);
    b->edge = malloc((2 * nb * d + 1) * sizeof *b->edge);
    b->li = malloc((nb * d + 1) * sizeof *b->li);
    b->ui = malloc((nb * d + 1) * sizeof *b->ui);
    double *t = malloc((2 * nb + 1) * sizeof *t);
    if (!b->eoff || !b->edge || !b->li || !b->ui || !t) {
        free(t);
        return -1;
    }
    size_t off = 0;
    for (size_t j = 0; j < d; j++) {
        for (size_t k = 0; k < nb; k++) {
            t[2 * k] = b->lo[k * d + j];
            t[2 * k + 1] = b->hi[k * d + j];
        }
        qsort(t, 2 * nb, sizeof *t, cmp_double);
        size_t u = 0;
        for (size_t k = 0; k < 2 * nb; k++)
            if (u == 0 || t[k] != t[u - 1]) t[u++] = t[k];
        b->eoff[j] = off;
        memcpy(b->edge + off, t, u * sizeof *t);
        for (size_t k = 0; k < nb; k++) {
            b->li[k * d + j] = (unsigned)off + find_edge(t, u, b->lo[k * d + j]);
            b->ui[k * d + j] = (unsigned)off + find_edge(t, u, b->hi[k * d + j]);
        }
        off += u;
    }
    b->eoff[d] = off;
    b->ne_tot = off;
    free(t);
    return 0;
}

/* True when a is no worse than b in every (minimised) objective. */
static int weakly_dominates(const double *a, const double *b, size_t d)
{
    for (size_t j = 0; j < d; j++)
        if (a[j] > b[j]) return 0;
    return 1;
}

cf_status cf_hvboxes_create(const double *front, size_t n, size_t d, const double *ref, cf_hvboxes **out, cf_error *err)
{
    if (out == NULL || ref == NULL || d == 0 || (n > 0 && front == NULL))
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL,
                            "cf_hvboxes_create needs a front, d >= 1 and a "
                            "reference point.");
    *out = NULL;
    for (size_t j = 0; j < d; j++)
        if (!isfinite(ref[j]))
            return cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "ref",
                                "Reference point coordinate %zu is not "
                                "finite.",
                                j);
    cf_hvboxes *b = calloc(1, sizeof *b);
    double *pts = malloc((n ? n : 1) * d * sizeof *pts);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    double *cl = malloc(2 * d * sizeof *cl);
    if (b == NULL || pts == NULL || idx == NULL || cl == NULL) goto oom;
    b->d = d;
    b->ref = malloc(d * sizeof *b->ref);
    if (b->ref == NULL) goto oom;
    memcpy(b->ref, ref, d * sizeof *ref);
    /* Keep rows that strictly dominate ref and are not weakly dominated by a kept or later row (duplicates keep
     * their first copy). */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const double *p = front + i * d;
        int ok = 1;
        for (size_t j = 0; j < d && ok; j++)
            if (!(p[j] < ref[j])) ok = 0;
        if (!ok) continue;
        for (size_t t = 0; t < n && ok; t++) {
            if (t == i) continue;
            const double *q = front + t * d;
            int qok = 1;
            for (size_t j = 0; j < d && qok; j++)
                if (!(q[j] < ref[j])) qok = 0;
            if (!qok || !weakly_dominates(q, p, d)) continue;
            if (!weakly_dominates(p, q, d) || t < i) ok = 0; /* strictly dominated, or an earlier duplicate */
        }
        if (ok) memcpy(pts + m++ * d, p, d * sizeof *p);
    }
    for (size_t i = 0; i < m; i++) idx[i] = i;
    decomp c = {b, pts, cl, cl + d, 0};
    for (size_t j = 0; j < d; j++) {
        cl[j] = -INFINITY;
        cl[d + j] = ref[j];
    }
    decompose(&c, idx, m, d);
    if (c.oom || build_edges(b)) goto oom;
    free(pts);
    free(idx);
    free(cl);
    *out = b;
    return CF_OK;
oom:
    free(pts);
    free(idx);
    free(cl);
    cf_hvboxes_destroy(b);
    return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory while decomposing the front.");
}

void cf_hvboxes_destroy(cf_hvboxes *b)
{
    if (b == NULL) return;
    free(b->lo);
    free(b->hi);
    free(b->ref);
    free(b->eoff);
    free(b->edge);
    free(b->li);
    free(b->ui);
    free(b);
}

size_t cf_hvboxes_count(const cf_hvboxes *b) { return b ? b->nbox : 0; }

size_t cf_hvboxes_dim(const cf_hvboxes *b) { return b ? b->d : 0; }

/* G(c) = E[(c - Y)^+] for Y ~ N(mu, s^2): (c - mu) Phi(z) + s phi(z), z = (c - mu) / s; (c - mu)^+ when s = 0. */
static double g_partial(double c, double mu, double s)
{
    if (c == -INFINITY) return 0.0;
    double dm = c - mu;
    if (s <= 0.0) return dm > 0.0 ? dm : 0.0;
    double z = dm / s;
    /* Below z = -38.7 both terms underflow to 0 (erfc(27.3) and exp(-748) are below the smallest double); above
     * z = 8.3, 0.5 erfc(-z / sqrt 2) rounds to 1 exactly (1 - Phi < 2^-54). Skipping the calls there gives the
     * same doubles at a fraction of the cost: most box corners lie far from the prediction. */
    if (z < -38.7) return 0.0;
    double Phi = z > 8.3 ? 1.0 : 0.5 * erfc(-z * M_SQRT1_2);
    double phi = z > 38.7 ? 0.0 : exp(-0.5 * z * z) * (M_2_SQRTPI * M_SQRT1_2 * 0.5);
    double g = dm * Phi + s * phi;
    return g > 0.0 ? g : 0.0;
}

double cf_hvboxes_ehvi(const cf_hvboxes *b, const double *mu, const double *sd)
{
    if (b == NULL || mu == NULL || sd == NULL) return NAN;
    const size_t d = b->d;
    for (size_t j = 0; j < d; j++)
        if (isnan(mu[j]) || isnan(sd[j]) || sd[j] < 0.0) return NAN;
    /* G_j at each distinct corner coordinate, computed on first use (NaN marks "not yet"): the same values the
     * per-box formula computes, so the sum is identical, at one G per coordinate instead of two per box. */
    double gbuf[1024], *G = gbuf;
    if (b->ne_tot > 1024 && (G = malloc(b->ne_tot * sizeof *G)) == NULL) return NAN;
    for (size_t e = 0; e < b->ne_tot; e++) G[e] = NAN;
    double total = 0.0;
    for (size_t k = 0; k < b->nbox; k++) {
        const unsigned *li = b->li + k * d, *ui = b->ui + k * d;
        double prod = 1.0;
        for (size_t j = 0; j < d && prod > 0.0; j++) {
            double *gh = G + ui[j], *gl = G + li[j];
            if (isnan(*gh)) *gh = g_partial(b->edge[ui[j]], mu[j], sd[j]);
            if (isnan(*gl)) *gl = g_partial(b->edge[li[j]], mu[j], sd[j]);
            double f = *gh - *gl;
            prod *= f > 0.0 ? f : 0.0;
        }
        total += prod;
    }
    if (G != gbuf) free(G);
    return total;
}

double cf_hvboxes_hvi(const cf_hvboxes *b, const double *y)
{
    if (b == NULL || y == NULL) return NAN;
    const size_t d = b->d;
    double total = 0.0;
    for (size_t k = 0; k < b->nbox; k++) {
        const double *lo = b->lo + k * d, *hi = b->hi + k * d;
        double prod = 1.0;
        for (size_t j = 0; j < d && prod > 0.0; j++) {
            double f = hi[j] - fmax(y[j], lo[j]);
            prod *= f > 0.0 ? f : 0.0;
        }
        total += prod;
    }
    return total;
}

cf_status cf_ehvi(const double *front, size_t n, size_t d, const double *ref, const double *mu, const double *sd,
                  double *ehvi, cf_error *err)
{
    if (mu == NULL || sd == NULL || ehvi == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_ehvi needs mu, sd and an output.");
    cf_hvboxes *b = NULL;
    cf_status st = cf_hvboxes_create(front, n, d, ref, &b, err);
    if (st != CF_OK) return st;
    *ehvi = cf_hvboxes_ehvi(b, mu, sd);
    cf_hvboxes_destroy(b);
    if (isnan(*ehvi))
        return cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "sd",
                            "The prediction has a NaN mean or a NaN or "
                            "negative standard deviation.");
    return CF_OK;
}

cf_status cf_hv_improvement(const double *front, size_t n, size_t d, const double *ref, const double *y, double *hvi,
                            cf_error *err)
{
    if (y == NULL || hvi == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_hv_improvement needs a point and an output.");
    cf_hvboxes *b = NULL;
    cf_status st = cf_hvboxes_create(front, n, d, ref, &b, err);
    if (st != CF_OK) return st;
    *hvi = cf_hvboxes_hvi(b, y);
    cf_hvboxes_destroy(b);
    return CF_OK;
}

cf_status cf_ehvi_mc(const double *front, size_t n, size_t d, const double *ref, const double *mu, const double *sd,
                     size_t nsamples, unsigned long seed, double *ehvi, double *stderr_out, cf_error *err)
{
    if (mu == NULL || sd == NULL || ehvi == NULL || nsamples < 2)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL,
                            "cf_ehvi_mc needs mu, sd, an output and at least "
                            "2 samples.");
    if (d > 40)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL,
                            "cf_ehvi_mc supports at most 40 objectives (the "
                            "Sobol generator's limit), got %zu.",
                            d);
    cf_gsl_quiet();
    cf_hvboxes *b = NULL;
    cf_status st = cf_hvboxes_create(front, n, d, ref, &b, err);
    if (st != CF_OK) return st;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)d);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double *u = malloc(d * sizeof *u), *shift = malloc(d * sizeof *shift), *y = malloc(d * sizeof *y);
    if (q == NULL || r == NULL || u == NULL || shift == NULL || y == NULL) {
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory in cf_ehvi_mc.");
        goto done;
    }
    gsl_rng_set(r, seed);
    for (size_t j = 0; j < d; j++) shift[j] = gsl_rng_uniform(r);
    double mean = 0.0, m2 = 0.0;
    for (size_t s = 0; s < nsamples; s++) {
        gsl_qrng_get(q, u);
        for (size_t j = 0; j < d; j++) {
            double v = u[j] + shift[j];
            v -= floor(v);
            if (v < 1e-15) v = 1e-15;
            if (v > 1.0 - 1e-15) v = 1.0 - 1e-15;
            y[j] = mu[j] + sd[j] * gsl_cdf_ugaussian_Pinv(v);
        }
        double h = cf_hvboxes_hvi(b, y);
        double delta = h - mean; /* Welford's running mean and variance */
        mean += delta / (double)(s + 1);
        m2 += delta * (h - mean);
    }
    *ehvi = mean;
    if (stderr_out) *stderr_out = sqrt(m2 / (double)(nsamples - 1) / (double)nsamples);
done:
    free(u);
    free(shift);
    free(y);
    gsl_qrng_free(q);
    gsl_rng_free(r);
    cf_hvboxes_destroy(b);
    return st;
}
