/* costfront: the charts section of the standard frontier report (see reports/report_internal.h).
 *
 * The charts show the objectives in use (issue 9: a time-to-train table, whose objectives were total_cost_usd and
 * score_min, got accuracy charts that said "no data"): with two objectives one chart of them with the frontier as
 * a staircase, with three or more one chart per pair with the frontier as ringed points (a frontier of three
 * objectives seen in two of them is no line); then the cost by way of buying and, unless CO2e is an objective, the
 * first objective that is neither money nor CO2e against operational CO2e. A chart that would show nothing is
 * replaced by a sentence saying which objective has no value. Like every report writer, it selects and draws
 * results already computed; it computes none. Text reaches gnuplot only through cf_plot (reports/plot.c), which
 * never puts it into a string literal.
 *
 * Large inputs (issue 14): 10^5 runs drawn point by point made two 35 MB SVGs. The frontier is always drawn exactly;
 * when there are more observed dominated candidates than o->chart_points, the charts draw a seeded uniform sample
 * of exactly o->chart_points of them instead, the same candidates in every chart, and their titles and captions say
 * so. The sample is a bottom-k sample (Cohen & Kaplan, "Summarizing data using bottom-k sketches", PODC 2007): each
 * candidate gets the key splitmix64(splitmix64(seed) ^ index) (Steele, Lea & Flood, OOPSLA 2014) and the k smallest
 * keys are kept, which is a uniform sample without replacement, needs O(k) memory and one pass, and depends only on
 * the seed and the candidates' order, so the same input and --seed give byte-identical charts.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/plot.h"
#include "costfront/report.h"
#include "reports/report_internal.h"
#include "reports/strbuf.h"

/* Text or "-" for NULL or empty. */
static const char *txt(const char *s) { return s != NULL && s[0] != '\0' ? s : "-"; }

/* Procurement options present among the candidates, in enum order; returns the count. */
static size_t options_present(const cf_frontier *f, cf_procurement *opts)
{
    int seen[CF_PROC_COUNT] = {0};
    for (size_t i = 0; i < cf_frontier_candidate_count(f); i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        if (c != NULL && c->price.option >= 0 && c->price.option < CF_PROC_COUNT) seen[c->price.option] = 1;
    }
    size_t m = 0;
    for (int p = 0; p < CF_PROC_COUNT; p++)
        if (seen[p]) opts[m++] = (cf_procurement)p;
    return m;
}

/* Colours of the procurement options, fixed so every chart agrees. */
static const char *option_color(cf_procurement p)
{
    static const char *const col[CF_PROC_COUNT] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"};
    return p >= 0 && p < CF_PROC_COUNT ? col[p] : "#999999";
}

/* Compares doubles for qsort. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Interval bounds of candidate c's field name, when it has them: the predicted accuracy and total cost carry 95%
 * intervals; anything else, and every observed candidate, has none (NaN). */
static void field_interval(const cf_candidate *c, const char *name, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (!c->predicted) return;
    if (!strcmp(name, "accuracy")) {
        *lo = c->accuracy_lo;
        *hi = c->accuracy_hi;
    } else if (!strcmp(name, "total_cost_usd")) {
        *lo = c->cost_lo;
        *hi = c->cost_hi;
    }
}

/* 1 when field name has intervals for predicted candidates (see field_interval). */
static int has_interval(const char *name) { return !strcmp(name, "accuracy") || !strcmp(name, "total_cost_usd"); }

/* The observed candidates the charts draw, in candidate order: every one, or the frontier and a sample. */
typedef struct drawn {
    size_t *idx;           /* candidate indices, ascending; NULL when every candidate is drawn */
    size_t m;              /* their number */
    size_t sample, of;     /* sampled dominated candidates and how many there are (0, 0 when not sampled) */
    size_t frontier;       /* observed frontier candidates among them */
    unsigned long seed;    /* the sample's seed */
} drawn;

/* The splitmix64 finaliser (Steele, Lea & Flood 2014): a bijection of 64-bit words with full avalanche. */
static uint64_t mix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Number of observed (not predicted) candidates that are not on the frontier. */
static size_t observed_dominated(const cf_frontier *f)
{
    size_t m = 0;
    for (size_t i = 0; i < cf_frontier_candidate_count(f); i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        m += c != NULL && !c->predicted && !cf_frontier_is_optimal(f, i);
    }
    return m;
}

int cf_rep_chart_sampled(const cf_frontier *f, const cf_report_opts *o)
{
    return o != NULL && o->chart_points > 0 && observed_dominated(f) > o->chart_points;
}

/* A sampled candidate: its key and index. */
typedef struct keyed {
    uint64_t key;
    size_t i;
} keyed;

/* Compares size_t for qsort. */
static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Fills d with what the charts draw under o: nothing to choose (d->idx NULL) unless cf_rep_chart_sampled, else the
 * observed frontier candidates and the bottom-k sample of o->chart_points observed dominated ones (a max-heap of
 * the k smallest keys; keys tie only with probability ~k n / 2^64, and then the smaller index wins). Returns
 * CF_ERR_NOMEM when memory runs short. */
static cf_status choose_drawn(const cf_frontier *f, const cf_report_opts *o, drawn *d)
{
    memset(d, 0, sizeof *d);
    if (!cf_rep_chart_sampled(f, o)) return CF_OK;
    size_t k = o->chart_points, n = cf_frontier_candidate_count(f), nf = 0;
    keyed *h = malloc(k * sizeof *h);
    if (h == NULL) return CF_ERR_NOMEM;
    uint64_t base = mix64((uint64_t)o->seed);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        if (c == NULL || c->predicted) continue;
        if (cf_frontier_is_optimal(f, i)) {
            nf++;
            continue;
        }
        d->of++;
        keyed e = {mix64(base ^ (uint64_t)i), i};
        if (m < k) { /* sift up: the root holds the largest key kept */
            size_t j = m++;
            while (j > 0 && h[(j - 1) / 2].key < e.key) {
                h[j] = h[(j - 1) / 2];
                j = (j - 1) / 2;
            }
            h[j] = e;
        } else if (e.key < h[0].key) { /* replace the root, sift down */
            size_t j = 0;
            for (;;) {
                size_t l = 2 * j + 1, big = j;
                uint64_t bk = e.key;
                if (l < m && h[l].key > bk) big = l, bk = h[l].key;
                if (l + 1 < m && h[l + 1].key > bk) big = l + 1;
                if (big == j) break;
                h[j] = h[big];
                j = big;
            }
            h[j] = e;
        }
    }
    d->idx = malloc((m + nf + 1) * sizeof *d->idx);
    if (d->idx == NULL) {
        free(h);
        return CF_ERR_NOMEM;
    }
    for (size_t j = 0; j < m; j++) d->idx[j] = h[j].i;
    free(h);
    d->m = m;
    for (size_t i = 0; i < n; i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        if (c != NULL && !c->predicted && cf_frontier_is_optimal(f, i)) d->idx[d->m++] = i;
    }
    qsort(d->idx, d->m, sizeof *d->idx, cmp_size);
    d->sample = m;
    d->frontier = nf;
    d->seed = o->seed;
    return CF_OK;
}

/* Adds one points series per option of the drawn observed candidates' (xfield, yfield), coloured per option, and
 * one series of the predicted candidates with their interval bars on the axes that have them. */
static cf_status option_points(cf_plot *p, const cf_frontier *f, const drawn *dr, const char *xfield,
                               const char *yfield, double *x, double *y)
{
    cf_procurement opts[CF_PROC_COUNT];
    size_t no = options_present(f, opts), n = cf_frontier_candidate_count(f);
    size_t nd = dr->idx != NULL ? dr->m : n;
    for (size_t o = 0; o < no; o++) {
        size_t m = 0;
        for (size_t j = 0; j < nd; j++) {
            size_t i = dr->idx != NULL ? dr->idx[j] : j;
            const cf_candidate *c = cf_frontier_candidate(f, i);
            if (c == NULL || c->price.option != opts[o] || c->predicted) continue;
            x[m] = cf_frontier_field(f, i, xfield);
            y[m] = cf_frontier_field(f, i, yfield);
            m++;
        }
        size_t k;
        cf_status st = cf_plot_add_series(p, cf_procurement_name(opts[o]), CF_PLOT_POINTS, x, y, m, &k);
        if (st == CF_OK) st = cf_plot_set_color(p, k, option_color(opts[o]));
        if (st != CF_OK) return st;
    }
    /* Predicted configurations (never run) with their 95% intervals. */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        if (c != NULL && c->predicted) m++;
    }
    if (m == 0) return CF_OK;
    double *xlo = calloc(4 * m, sizeof *xlo);
    if (xlo == NULL) return CF_ERR_NOMEM;
    double *xhi = xlo + m, *ylo = xlo + 2 * m, *yhi = xlo + 3 * m;
    int xbars = has_interval(xfield), ybars = has_interval(yfield);
    m = 0;
    for (size_t i = 0; i < n; i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        if (c == NULL || !c->predicted) continue;
        x[m] = cf_frontier_field(f, i, xfield);
        y[m] = cf_frontier_field(f, i, yfield);
        field_interval(c, xfield, &xlo[m], &xhi[m]);
        field_interval(c, yfield, &ylo[m], &yhi[m]);
        m++;
    }
    size_t k;
    cf_status st = cf_plot_add_series(p, "predicted (95% intervals)", CF_PLOT_ERRORBARS, x, y, m, &k);
    if (st == CF_OK)
        st = cf_plot_set_errors(p, k, xbars ? xlo : NULL, xbars ? xhi : NULL, ybars ? ylo : NULL, ybars ? yhi : NULL);
    if (st == CF_OK) st = cf_plot_set_color(p, k, "#882255");
    free(xlo);
    return st;
}

/* Candidate indices of the frontier sorted by field (ascending), into idx; returns the count. */
static size_t frontier_sorted(const cf_frontier *f, const char *field, size_t *idx)
{
    size_t m = cf_frontier_optimal_count(f);
    for (size_t j = 0; j < m; j++) idx[j] = cf_frontier_optimal_at(f, j);
    for (size_t a = 1; a < m; a++) { /* insertion sort: fronts are short, and stable order keeps determinism */
        size_t t = idx[a];
        double v = cf_frontier_field(f, t, field);
        size_t b = a;
        while (b > 0 && cf_frontier_field(f, idx[b - 1], field) > v) {
            idx[b] = idx[b - 1];
            b--;
        }
        idx[b] = t;
    }
    return m;
}

/* 1 when every finite value of field is positive and they span more than 100x, so a log axis shows them best.
 * Accuracy (a fraction) always gets a linear axis. */
static int wants_log(const cf_frontier *f, const char *field)
{
    if (!strcmp(field, "accuracy")) return 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < cf_frontier_candidate_count(f); i++) {
        double v = cf_frontier_field(f, i, field);
        if (!isfinite(v)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
    }
    return lo > 0 && hi / lo > 100;
}

/* Number of candidates with finite values of both fields (the points a chart of them would draw). */
static size_t count_drawable(const cf_frontier *f, const char *xfield, const char *yfield)
{
    size_t m = 0;
    for (size_t i = 0; i < cf_frontier_candidate_count(f); i++)
        m += isfinite(cf_frontier_field(f, i, xfield)) && isfinite(cf_frontier_field(f, i, yfield));
    return m;
}

/* The axis label of a field: the name with its unit ("total_cost_usd (USD)", "co2e_kg (kg CO2e)") and, for an
 * objective, which way is better. Returns a malloc'd string (NULL when out of memory). */
static char *axis_label(const char *name, int objective, int maximize)
{
    const char *unit = cf_rep_money_field(name)           ? " (USD)"
                       : !strcmp(name, "co2e_kg")         ? " (kg CO2e)"
                       : !strcmp(name, "embodied_kgco2e") ? " (kg CO2e)"
                       : !strcmp(name, "energy_kwh")      ? " (kWh)"
                       : !strcmp(name, "gpu_hours")       ? " (GPU-hours)"
                       : !strcmp(name, "wall_hours")      ? " (hours)"
                                                          : "";
    cf_sb b = {0};
    cf_sb_printf(&b, "%s%s%s", name, unit, !objective ? "" : maximize ? ", higher is better" : ", lower is better");
    return cf_sb_take(&b);
}

/* A file-name form of an objective name: ASCII letters (lowered), digits and '_' kept, every other run of bytes
 * folded into one '-', at most 40 bytes, "objective" when nothing is left. */
static void field_slug(const char *name, char *out, size_t n)
{
    size_t k = 0;
    for (const char *c = name; *c && k + 1 < n && k < 40; c++) {
        unsigned char ch = (unsigned char)*c;
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')
            out[k++] = (char)ch;
        else if (ch >= 'A' && ch <= 'Z')
            out[k++] = (char)(ch - 'A' + 'a');
        else if (k > 0 && out[k - 1] != '-')
            out[k++] = '-';
    }
    while (k > 0 && out[k - 1] == '-') k--;
    out[k] = '\0';
    if (k == 0) snprintf(out, n, "objective");
}

/* The chart file of the pair (y, x) of objectives ky and kx: "accuracy_vs_cost.svg" for accuracy against the
 * report's cost (the name reports have always had), else "<y>_vs_<x>.svg" from the names' slugs, or
 * "objectives_<ky>_<kx>.svg" when two objectives in use share a slug or the name is not a safe file name. */
static void pair_file(const cf_frontier *f, size_t ky, size_t kx, char *out, size_t n)
{
    const cf_frontier_opts *fo = cf_frontier_options(f);
    const char *yn = fo->objectives[ky].name, *xn = fo->objectives[kx].name;
    if (!strcmp(yn, "accuracy") && !strcmp(xn, cf_rep_cost_objective(f))) {
        snprintf(out, n, "accuracy_vs_cost.svg");
        return;
    }
    char sy[64], sx[64], s[64];
    field_slug(yn, sy, sizeof sy);
    field_slug(xn, sx, sizeof sx);
    int clash = 0;
    for (size_t k = 0; k < fo->n_objectives; k++) {
        if (k == ky || k == kx) continue;
        field_slug(fo->objectives[k].name, s, sizeof s);
        clash |= !strcmp(s, sy) || !strcmp(s, sx);
    }
    clash |= !strcmp(sy, sx);
    if (clash)
        snprintf(out, n, "objectives_%zu_%zu.svg", ky + 1, kx + 1);
    else
        snprintf(out, n, "%.40s_vs_%.40s.svg", sy, sx);
}

/* The chart of objective oy against objective ox: every candidate coloured by way of buying (predicted ones with
 * their intervals), the frontier -- as a staircase when these are the only two objectives, else as ringed points,
 * since a frontier of three or more objectives seen in two of them is no line -- and the knee marked. The legend
 * goes to the corner away from the good one, where the frontier runs. */
static cf_plot *chart_pair(const cf_frontier *f, const cf_report_opts *o, const drawn *dr, const cf_objective *ox,
                           const cf_objective *oy, int staircase, double *x, double *y, size_t *idx)
{
    cf_sb tb = {0};
    if (dr->idx != NULL)
        cf_sb_printf(&tb, "%s vs %s: the frontier and a sample of %zu of %zu dominated candidates", oy->name,
                     ox->name, dr->sample, dr->of);
    else
        cf_sb_printf(&tb, "%s vs %s: every run under every way of buying", oy->name, ox->name);
    char *title = cf_sb_take(&tb);
    cf_plot *p = title != NULL ? cf_plot_create(title) : NULL;
    free(title);
    if (p == NULL) return NULL;
    char *xl = axis_label(ox->name, 1, ox->maximize), *yl = axis_label(oy->name, 1, oy->maximize);
    cf_status st = xl != NULL && yl != NULL ? cf_plot_set_labels(p, xl, yl) : CF_ERR_NOMEM;
    free(xl);
    free(yl);
    cf_plot_set_key(p, ox->maximize ? (oy->maximize ? CF_PLOT_KEY_BOTTOM_LEFT : CF_PLOT_KEY_TOP_LEFT)
                                    : (oy->maximize ? CF_PLOT_KEY_BOTTOM_RIGHT : CF_PLOT_KEY_TOP_RIGHT));
    cf_plot_set_log(p, wants_log(f, ox->name), wants_log(f, oy->name));
    if (st == CF_OK) st = option_points(p, f, dr, ox->name, oy->name, x, y);
    size_t m = frontier_sorted(f, ox->name, idx);
    for (size_t j = 0; j < m; j++) {
        x[j] = cf_frontier_field(f, idx[j], ox->name);
        y[j] = cf_frontier_field(f, idx[j], oy->name);
    }
    size_t k;
    if (st == CF_OK && staircase)
        st = cf_plot_add_series(p, "Pareto frontier", ox->maximize ? CF_PLOT_FSTEPS : CF_PLOT_STEPS, x, y, m, &k);
    else if (st == CF_OK)
        st = cf_plot_add_series(p, "on the frontier", CF_PLOT_POINTS, x, y, m, &k);
    if (st == CF_OK) st = cf_plot_set_color(p, k, "#222222");
    size_t knee = cf_frontier_knee(f);
    if (st == CF_OK && knee != CF_REP_NONE) {
        const cf_candidate *c = cf_frontier_candidate(f, knee);
        double kx = cf_frontier_field(f, knee, ox->name), ky = cf_frontier_field(f, knee, oy->name);
        cf_sb lb = {0}; /* built whole: a cut could split a character (issue 10) */
        cf_sb_printf(&lb, "knee: %s (%s)", txt(c->run_id), cf_procurement_name(c->price.option));
        char *lab = cf_sb_take(&lb);
        if (lab == NULL) st = CF_ERR_NOMEM;
        if (lab != NULL && isfinite(kx) && isfinite(ky)) st = cf_plot_add_label(p, kx, ky, lab, 1);
        free(lab);
    }
    if (st == CF_OK && isfinite(o->target_accuracy)) {
        if (!strcmp(oy->name, "accuracy")) st = cf_plot_add_hline(p, o->target_accuracy, "target accuracy");
        if (st == CF_OK && !strcmp(ox->name, "accuracy"))
            st = cf_plot_add_vline(p, o->target_accuracy, "target accuracy");
    }
    if (st != CF_OK) {
        cf_plot_destroy(p);
        return NULL;
    }
    return p;
}

/* Chart (b): minimum and median cost of each way of buying over all candidates. */
static cf_plot *chart_cost_by_option(const cf_frontier *f, double *x, double *y, double *vals)
{
    const char *xf = cf_rep_cost_objective(f);
    cf_plot *p = cf_plot_create("Cost by way of buying (over all runs)");
    if (p == NULL) return NULL;
    cf_procurement opts[CF_PROC_COUNT];
    size_t no = options_present(f, opts), n = cf_frontier_candidate_count(f);
    const char *names[CF_PROC_COUNT];
    double x2[CF_PROC_COUNT], y2[CF_PROC_COUNT];
    for (size_t o = 0; o < no; o++) {
        names[o] = cf_procurement_name(opts[o]);
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            const cf_candidate *c = cf_frontier_candidate(f, i);
            double v = cf_frontier_field(f, i, xf);
            if (c != NULL && c->price.option == opts[o] && isfinite(v)) vals[m++] = v;
        }
        qsort(vals, m, sizeof *vals, cmp_double);
        x[o] = (double)o - 0.2;
        y[o] = m ? vals[0] : NAN;
        x2[o] = (double)o + 0.2;
        y2[o] = m ? (m % 2 ? vals[m / 2] : 0.5 * (vals[m / 2 - 1] + vals[m / 2])) : NAN;
    }
    char *yl = axis_label(xf, 0, 0);
    cf_status st = yl != NULL ? cf_plot_set_labels(p, "way of buying", yl) : CF_ERR_NOMEM;
    free(yl);
    if (st == CF_OK) st = cf_plot_set_xcategories(p, names, no);
    cf_plot_set_key(p, CF_PLOT_KEY_TOP_RIGHT);
    size_t k;
    if (st == CF_OK) st = cf_plot_add_series(p, "cheapest run", CF_PLOT_BARS, x, y, no, &k);
    if (st == CF_OK) st = cf_plot_set_width(p, k, 0.4);
    if (st == CF_OK) st = cf_plot_set_color(p, k, "#0072B2");
    if (st == CF_OK) st = cf_plot_add_series(p, "median run", CF_PLOT_BARS, x2, y2, no, &k);
    if (st == CF_OK) st = cf_plot_set_width(p, k, 0.4);
    if (st == CF_OK) st = cf_plot_set_color(p, k, "#E69F00");
    cf_plot_set_yrange(p, 0, NAN);
    if (st != CF_OK) {
        cf_plot_destroy(p);
        return NULL;
    }
    return p;
}

/* Chart (c): the first objective that is neither money nor CO2e (accuracy by default) against operational CO2e,
 * frontier candidates ringed. */
static cf_plot *chart_co2(const cf_frontier *f, const drawn *dr, const cf_objective *oy, double *x, double *y)
{
    cf_sb tb = {0};
    if (dr->idx != NULL)
        cf_sb_printf(&tb, "%s vs operational emissions: the frontier and a sample of %zu of %zu dominated", oy->name,
                     dr->sample, dr->of);
    else
        cf_sb_printf(&tb, "%s vs operational emissions", oy->name);
    char *title = cf_sb_take(&tb);
    cf_plot *p = title != NULL ? cf_plot_create(title) : NULL;
    free(title);
    if (p == NULL) return NULL;
    char *yl = axis_label(oy->name, 1, oy->maximize);
    cf_status st = yl != NULL ? cf_plot_set_labels(p, "co2e_kg (kg CO2e)", yl) : CF_ERR_NOMEM;
    free(yl);
    cf_plot_set_key(p, oy->maximize ? CF_PLOT_KEY_BOTTOM_RIGHT : CF_PLOT_KEY_TOP_RIGHT);
    cf_plot_set_log(p, wants_log(f, "co2e_kg"), wants_log(f, oy->name));
    if (st == CF_OK) st = option_points(p, f, dr, "co2e_kg", oy->name, x, y);
    size_t m = 0;
    for (size_t j = 0; j < cf_frontier_optimal_count(f); j++) {
        size_t i = cf_frontier_optimal_at(f, j);
        x[m] = cf_frontier_field(f, i, "co2e_kg");
        y[m] = cf_frontier_field(f, i, oy->name);
        m++;
    }
    size_t k;
    if (st == CF_OK) st = cf_plot_add_series(p, "on the frontier", CF_PLOT_POINTS, x, y, m, &k);
    if (st == CF_OK) st = cf_plot_set_color(p, k, "#222222");
    if (st == CF_OK) st = cf_plot_add_command(p, "set pointsize 1.2");
    if (st != CF_OK) {
        cf_plot_destroy(p);
        return NULL;
    }
    return p;
}

/* Adds a chart, or, when it would show nothing, a sentence saying which objective has no value instead of an empty
 * "no data" frame (issue 9). */
static cf_status add_pair_or_reason(cf_report *r, const cf_frontier *f, cf_plot *p, const char *file,
                                    const char *caption, const char *xf, const char *yf)
{
    if (p == NULL) return CF_ERR_NOMEM;
    if (count_drawable(f, xf, yf) > 0) return cf_report_add_chart(r, p, file, caption);
    cf_plot_destroy(p);
    size_t nx = 0, ny = 0, n = cf_frontier_candidate_count(f);
    for (size_t i = 0; i < n; i++) {
        nx += isfinite(cf_frontier_field(f, i, xf)) != 0;
        ny += isfinite(cf_frontier_field(f, i, yf)) != 0;
    }
    cf_sb b = {0};
    if (n == 0)
        cf_sb_printf(&b, "No chart of %s against %s: no candidate could be priced.", yf, xf);
    else if (nx == 0 || ny == 0)
        cf_sb_printf(&b, "No chart of %s against %s: none of the %zu candidates has a value of %s.", yf, xf, n,
                     nx == 0 ? xf : yf);
    else
        cf_sb_printf(&b, "No chart of %s against %s: no candidate has a value of both.", yf, xf);
    char *t = cf_sb_take(&b);
    cf_status st = t != NULL ? cf_report_add_paragraph(r, t) : CF_ERR_NOMEM;
    free(t);
    return st;
}

/* The charts section: the objectives in use against each other (one chart for two objectives, every pair for
 * three or more; issue 9: a time-to-train table got accuracy charts that said "no data"), the cost by way of
 * buying, and the first objective that is neither money nor CO2e against operational CO2e (when CO2e is not an
 * objective already). */
cf_status cf_rep_section_charts(cf_report *r, const cf_frontier *f, const cf_report_opts *o)
{
    cf_status st = cf_report_add_section(r, "charts", "Charts");
    if (st != CF_OK) return st;
    const cf_frontier_opts *fo = cf_frontier_options(f);
    size_t d = fo != NULL ? fo->n_objectives : 0;
    size_t n = cf_frontier_candidate_count(f);
    drawn dr;
    memset(&dr, 0, sizeof dr);
    char *said = NULL; /* what a sampled chart's caption adds (issue 14) */
    double *x = NULL, *y = NULL, *v = NULL;
    size_t *idx = NULL;
    if (choose_drawn(f, o, &dr) != CF_OK) {
        st = CF_ERR_NOMEM;
        goto done;
    }
    /* Room for the points of one series: the drawn candidates (or all), the predicted ones, the frontier, the bars;
     * only the cost chart's median reads a value of every candidate (v). */
    size_t npred = 0, nf = cf_frontier_optimal_count(f);
    for (size_t i = 0; i < n; i++) npred += cf_frontier_candidate(f, i)->predicted != 0;
    size_t room = (dr.idx != NULL ? dr.m : n) + npred + nf + CF_PROC_COUNT + 1;
    x = malloc(room * sizeof *x);
    y = malloc(room * sizeof *y);
    v = malloc((n + 1) * sizeof *v);
    idx = malloc((nf + 1) * sizeof *idx);
    if (x == NULL || y == NULL || v == NULL || idx == NULL) {
        st = CF_ERR_NOMEM;
        goto done;
    }
    if (dr.idx != NULL) {
        cf_sb sb = {0};
        cf_sb_printf(&sb,
                     " Drawn: all %zu frontier candidates and a seeded uniform sample of %zu of the %zu dominated "
                     "candidates (seed %lu; bottom-k sample, the same candidates in every chart), so the cloud's "
                     "shape is true but not each of its points; every candidate is in candidates.csv and "
                     "report.json.",
                     dr.frontier, dr.sample, dr.of, dr.seed);
        if ((said = cf_sb_take(&sb)) == NULL) {
            st = CF_ERR_NOMEM;
            goto done;
        }
    }
    for (size_t a = 0; a < d && st == CF_OK; a++) {
        for (size_t b = a + 1; b < d && st == CF_OK; b++) {
            /* The money objective goes across; with none (or two), the later objective does. */
            size_t kx = b, ky = a;
            if (cf_rep_money_field(fo->objectives[a].name) && !cf_rep_money_field(fo->objectives[b].name))
                kx = a, ky = b;
            const cf_objective *ox = &fo->objectives[kx], *oy = &fo->objectives[ky];
            char file[128];
            pair_file(f, ky, kx, file, sizeof file);
            cf_sb cb = {0};
            if (d == 2)
                cf_sb_printf(&cb,
                             "%s against %s of every candidate, coloured by way of buying; the line is the "
                             "Pareto frontier and the marked point its knee.",
                             oy->name, ox->name);
            else
                cf_sb_printf(&cb,
                             "%s against %s of every candidate, coloured by way of buying (two of the %zu "
                             "objectives); black points are on the frontier, the marked point is its knee.",
                             oy->name, ox->name, d);
            if (said != NULL) cf_sb_puts(&cb, said);
            char *cap = cf_sb_take(&cb);
            cf_plot *p = cap != NULL ? chart_pair(f, o, &dr, ox, oy, d == 2, x, y, idx) : NULL;
            st = cap != NULL ? add_pair_or_reason(r, f, p, file, cap, ox->name, oy->name) : CF_ERR_NOMEM;
            free(cap);
        }
    }
    if (st != CF_OK) goto done;
    cf_plot *p = chart_cost_by_option(f, x, y, v);
    st = p != NULL ? cf_report_add_chart(r, p, "cost_by_option.svg",
                                         "Cheapest and median cost of the runs under each way of buying.")
                   : CF_ERR_NOMEM;
    if (st != CF_OK) goto done;
    /* Emissions against the first objective that is neither money nor CO2e, unless CO2e is an objective. */
    const cf_objective *oy = NULL;
    int co2_objective = 0;
    for (size_t k = 0; k < d; k++) {
        co2_objective |= !strcmp(fo->objectives[k].name, "co2e_kg");
        if (oy == NULL && !cf_rep_money_field(fo->objectives[k].name) && strcmp(fo->objectives[k].name, "co2e_kg") != 0)
            oy = &fo->objectives[k];
    }
    if (oy != NULL && !co2_objective) {
        char file[128], slug[64];
        field_slug(oy->name, slug, sizeof slug);
        snprintf(file, sizeof file, "%.40s_vs_co2e.svg", slug);
        cf_sb cb = {0};
        cf_sb_printf(&cb, "%s against operational emissions; black points are on the frontier.", oy->name);
        if (said != NULL) cf_sb_puts(&cb, said);
        char *cap = cf_sb_take(&cb);
        p = cap != NULL ? chart_co2(f, &dr, oy, x, y) : NULL;
        st = cap != NULL ? add_pair_or_reason(r, f, p, file, cap, "co2e_kg", oy->name) : CF_ERR_NOMEM;
        free(cap);
    }
done:
    free(said);
    free(dr.idx);
    free(x);
    free(y);
    free(v);
    free(idx);
    return st;
}
