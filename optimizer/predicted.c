/* costfront: the predicted frontier -- searching configurations nobody has run, with the surrogates' predictions
 * and the catalog's exact prices, keeping the Pareto-optimal ones (Kung et al. 1975 filter, pareto.h). */
#include "costfront/predicted.h"

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/pareto.h"
#include "models/surrogate_internal.h"

#define NO_INDEX ((size_t)-1)

void cf_search_opts_default(cf_search_opts *o)
{
    if (o == NULL) return;
    memset(o, 0, sizeof *o);
    o->max_predictions = 20000;
    o->limit = 50;
}

/* Price of one GPU-hour of hw under option: the catalog's offers for cloud options, the frontier's per-GPU-hour
 * figures (from a TCO plan) for owned compute. */
static cf_status unit_price_owned(const cf_catalog *cat, const cf_hardware *hw, cf_procurement option,
                                  const cf_pricing_opts *po, const cf_frontier_opts *fo, cf_price *out, cf_error *err)
{
    if (option == CF_PROC_ON_PREM || option == CF_PROC_HYBRID) {
        double usd =
            fo ? (option == CF_PROC_ON_PREM ? fo->on_prem_usd_per_gpu_hour : fo->hybrid_usd_per_gpu_hour) : NAN;
        double kg =
            fo ? (option == CF_PROC_ON_PREM ? fo->on_prem_kgco2e_per_gpu_hour : fo->hybrid_kgco2e_per_gpu_hour) : NAN;
        if (!isfinite(usd))
            return cf_error_set(err, CF_ERR_NOT_FOUND, SRC, 0, 0, "procurement",
                                "%s needs a TCO plan's price per GPU-hour", cf_procurement_name(option));
        memset(out, 0, sizeof *out);
        out->option = option;
        out->price_per_hour = usd;
        out->billed_gpu_hours = 1.0;
        out->cost_usd = usd;
        out->co2e_kg = isfinite(kg) ? kg : NAN;
        out->energy_kwh = NAN;
        out->embodied_kgco2e = NAN;
        double cp = isfinite(po->carbon_price_usd_per_t) ? po->carbon_price_usd_per_t : cf_catalog_carbon_price(cat);
        out->carbon_cost_usd = isfinite(out->co2e_kg) ? out->co2e_kg * cp / 1000.0 : 0.0;
        out->total_cost_usd = out->cost_usd + out->carbon_cost_usd;
        return CF_OK;
    }
    return cf_surr_unit_price(cat, hw, option, po, out, err);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Search                                                                                                     */
/* ---------------------------------------------------------------------------------------------------------- */

/* A value of a predicted (configuration, option) pair by objective name; NaN for an unknown name. */
static double pair_field(const char *name, double acc, double pruning, double g, const cf_price *pr)
{
    if (!strcmp(name, "accuracy")) return acc;
    if (!strcmp(name, "cost_usd")) return pr->cost_usd;
    if (!strcmp(name, "total_cost_usd")) return pr->total_cost_usd;
    if (!strcmp(name, "co2e_kg")) return pr->co2e_kg;
    if (!strcmp(name, "energy_kwh")) return pr->energy_kwh;
    if (!strcmp(name, "gpu_hours")) return g;
    if (!strcmp(name, "billed_gpu_hours")) return pr->billed_gpu_hours;
    if (!strcmp(name, "carbon_cost_usd")) return pr->carbon_cost_usd;
    if (!strcmp(name, "embodied_kgco2e")) return pr->embodied_kgco2e;
    if (!strcmp(name, "price_per_hour")) return pr->price_per_hour;
    if (!strcmp(name, "pruning")) return pruning;
    return NAN;
}

void cf_surrogate_candidates_free(cf_candidate *c, size_t n)
{
    if (c == NULL) return;
    for (size_t i = 0; i < n; i++) {
        free((char *)c[i].run_id);
        free((char *)c[i].hardware);
        free((char *)c[i].note);
    }
    free(c);
}

/* The value of f's grid nearest to x (on the field's scale). */
static double snap(const field *f, double x)
{
    double best = f->grid[0], bd = INFINITY;
    for (size_t k = 0; k < f->n_grid; k++) {
        double d = f->logscale && x > 0 && f->grid[k] > 0 ? fabs(log(f->grid[k]) - log(x)) : fabs(f->grid[k] - x);
        if (d < bd) {
            bd = d;
            best = f->grid[k];
        }
    }
    return best;
}

/* A growing array of raw configurations. */
typedef struct cfgs {
    double *v;
    const cf_hardware **hw;
    size_t n, cap, nf;
} cfgs;

static int cfgs_push(cfgs *a, const double *v, const cf_hardware *hw)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 1024;
        double *nv = realloc(a->v, cap * a->nf * sizeof *nv);
        if (nv == NULL) return -1;
        a->v = nv;
        const cf_hardware **nh = realloc(a->hw, cap * sizeof *nh);
        if (nh == NULL) return -1;
        a->hw = nh;
        a->cap = cap;
    }
    memcpy(a->v + a->n * a->nf, v, a->nf * sizeof *v);
    a->hw[a->n++] = hw;
    return 0;
}

/* 1 when raw configuration v on hw equals observed run i in every field. */
static int same_as_run(const cf_surrogate *s, const double *v, const cf_hardware *hw, size_t i)
{
    if (s->hw_of[i] != hw) return 0;
    const double *r = s->raw + i * s->nf;
    for (size_t j = 1; j < s->nf; j++) {
        const field *f = &s->f[j];
        if (f->role == CF_FIELD_PARAM && f->constant) continue;
        double b = r[j];
        if (f->role == CF_FIELD_PARAM && !f->categorical && !isfinite(b)) b = f->median;
        if (!(v[j] == b)) return 0;
    }
    return 1;
}

/* Describes the settings of a configuration other than hardware, precision and pruning. */
static void settings_text(const cf_surrogate *s, const double *v, char *buf, size_t n)
{
    size_t len = (size_t)snprintf(buf, n, "settings:");
    int first = 1;
    for (size_t j = 3; j < s->nf && len + 1 < n; j++) {
        const field *f = &s->f[j];
        char val[96];
        if (f->categorical) {
            size_t k = isfinite(v[j]) ? (size_t)v[j] : NO_INDEX;
            snprintf(val, sizeof val, "%s", k < f->n_levels && f->levels[k][0] ? f->levels[k] : "(none)");
        } else {
            snprintf(val, sizeof val, "%.6g", v[j]);
        }
        len += (size_t)snprintf(buf + len, n - len, "%s %s=%s", first ? "" : ",", f->name, val);
        first = 0;
    }
    if (first) snprintf(buf + len, n - len, " (none)");
}

typedef struct pair {
    size_t cfg;
    int option;
    double obj[CF_MAX_OBJECTIVES]; /* minimised */
    size_t rank;
} pair;

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
    if (x->obj[0] != y->obj[0]) return x->obj[0] < y->obj[0] ? -1 : 1;
    if (x->cfg != y->cfg) return x->cfg < y->cfg ? -1 : 1;
    return (x->option > y->option) - (x->option < y->option);
}

cf_status cf_surrogate_search(const cf_surrogate *s, const cf_frontier_opts *fo, const cf_search_opts *so,
                              cf_candidate **out, size_t *n_out, cf_search_stats *stats, cf_error *err)
{
    if (s == NULL || out == NULL || n_out == NULL)
        return cf_error_set(err, CF_ERR_ARG, SRC, 0, 0, NULL, "NULL argument");
    *out = NULL;
    *n_out = 0;
    double t0 = cf_surr_now();
    cf_frontier_opts fdef;
    cf_search_opts sdef;
    cf_search_opts_default(&sdef);
    if (fo == NULL) {
        cf_frontier_opts_default(&fdef);
        fo = &fdef;
    }
    if (so == NULL) so = &sdef;
    cf_search_stats st_local;
    memset(&st_local, 0, sizeof st_local);
    if (!s->m[0].fitted || !s->m[1].fitted)
        return cf_error_set(err, CF_ERR_ARG, SRC, 0, 0, NULL, "the surrogate is not fitted (call cf_surrogate_fit)");
    size_t nobj = fo->n_objectives;
    if (nobj == 0 || nobj > CF_MAX_OBJECTIVES)
        return cf_error_set(err, CF_ERR_ARG, SRC, 0, 0, NULL, "expected 1 to %d objectives", CF_MAX_OBJECTIVES);
    {
        cf_price dummy;
        memset(&dummy, 0, sizeof dummy);
        for (size_t k = 0; k < nobj; k++)
            if (isnan(pair_field(fo->objectives[k].name, 0, 0, 0, &dummy)))
                return cf_error_set(err, CF_ERR_INVALID, "--objectives", 0, 0, fo->objectives[k].name,
                                    "predicted configurations have no '%s'; use accuracy, cost_usd, total_cost_usd, "
                                    "co2e_kg, energy_kwh, gpu_hours, billed_gpu_hours, carbon_cost_usd, "
                                    "embodied_kgco2e, price_per_hour or pruning",
                                    fo->objectives[k].name);
    }
    size_t nf = s->nf, nr = s->nr;
    cf_status st = CF_OK;
    cfgs all = {NULL, NULL, 0, 0, nf};
    size_t *wl_rep = NULL, n_wl = 0; /* a representative run of each workload tuple */
    const cf_hardware **hws = NULL;
    size_t n_hw = 0;
    double *cont_lo = NULL, *cont_hi = NULL, *u = NULL, *v = NULL, *shift = NULL;
    size_t *cont = NULL, *catf = NULL, n_cont = 0, n_cat = 0;
    gsl_qrng *q = NULL;
    gsl_rng *rng = NULL;
    cf_prediction *pred = NULL;
    pair *pairs = NULL;
    size_t n_pairs = 0;
    cf_candidate *cand = NULL;
    size_t n_cand = 0;
    cf_price *units = NULL;
    unsigned char *priced = NULL;
    double *mat = NULL;
    unsigned char *nd = NULL;
    size_t *idx = NULL, *cfg_id = NULL;

    /* Workload tuples in order of first appearance. */
    wl_rep = malloc((nr + 1) * sizeof *wl_rep);
    hws = malloc((cf_catalog_hardware_count(s->cat) + 1) * sizeof *hws);
    cont = malloc((nf + 1) * sizeof *cont);
    catf = malloc((nf + 1) * sizeof *catf);
    v = malloc((nf + 1) * sizeof *v);
    if (!wl_rep || !hws || !cont || !catf || !v) goto oom;
    for (size_t i = 0; i < nr; i++) {
        int seen = 0;
        for (size_t w = 0; w < n_wl && !seen; w++) {
            int same = 1;
            for (size_t j = 0; j < nf; j++)
                if (s->f[j].role == CF_FIELD_WORKLOAD && s->raw[i * nf + j] != s->raw[wl_rep[w] * nf + j]) same = 0;
            seen = same;
        }
        if (seen) continue;
        /* --where on model, dataset or project keeps only matching workloads. */
        const cf_run *rep = cf_runset_get(s->rs, i);
        int keep = 1;
        for (int w = 0; w < 3 && keep; w++)
            keep = cf_frontier_where_accepts(fo, s->cat, cf_surr_workload_names[w], cf_surr_workload_value(rep, w));
        if (keep) wl_rep[n_wl++] = i;
    }
    /* Hardware with at least one offer. */
    for (size_t h = 0; h < cf_catalog_hardware_count(s->cat); h++) {
        const cf_hardware *hw = cf_catalog_hardware_at(s->cat, h);
        int has = 0;
        for (size_t o = 0; o < cf_catalog_offer_count(s->cat) && !has; o++) {
            const cf_offer *of = cf_catalog_offer_at(s->cat, o);
            has = cf_catalog_hardware(s->cat, of->hardware) == hw;
        }
        if (has && cf_frontier_where_accepts(fo, s->cat, "hardware", hw->id)) hws[n_hw++] = hw;
    }
    /* Continuous and categorical search dimensions. */
    cont[n_cont++] = 2; /* pruning */
    for (size_t j = 3; j < nf; j++) {
        const field *f = &s->f[j];
        if (f->role == CF_FIELD_WORKLOAD) continue;
        if (f->constant) continue;
        if (f->categorical)
            catf[n_cat++] = j;
        else
            cont[n_cont++] = j;
    }
    size_t n_catprod = 1;
    for (size_t a = 0; a < n_cat; a++) {
        size_t nl = 0;
        for (size_t k = 0; k < s->f[catf[a]].n_levels; k++) nl += s->f[catf[a]].levels[k][0] != '\0';
        n_catprod *= nl ? nl : 1;
    }
    size_t n_hwprec = 0;
    for (size_t h = 0; h < n_hw; h++)
        for (int p = 1; p < CF_PREC_COUNT; p++)
            n_hwprec += !isnan(cf_prior_throughput(hws[h], (cf_precision)p)) &&
                        cf_frontier_where_accepts(fo, s->cat, "precision", cf_precision_name((cf_precision)p));
    size_t combos = n_wl * n_hwprec * n_catprod;
    size_t cap = so->max_predictions ? so->max_predictions : 20000;
    size_t per = combos ? cap / combos : 0;
    if (per < 1) per = 1;
    size_t n_best = per < 3 ? per : 3;
    size_t n_sobol = so->per_combination ? so->per_combination : (per > n_best ? per - n_best : 0);
    if (n_sobol > 64 && !so->per_combination) n_sobol = 64;
    cont_lo = malloc(n_cont * sizeof *cont_lo);
    cont_hi = malloc(n_cont * sizeof *cont_hi);
    u = malloc((n_cont + 1) * sizeof *u);
    shift = malloc((n_cont + 1) * sizeof *shift);
    if (!cont_lo || !cont_hi || !u || !shift) goto oom;
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng == NULL) goto oom;
    gsl_rng_set(rng, so->seed);

    for (size_t w = 0; w < n_wl && !st_local.truncated; w++) {
        /* Ranges of the continuous dimensions over this workload's runs (global when a workload has one value). */
        for (size_t a = 0; a < n_cont; a++) {
            const field *f = &s->f[cont[a]];
            if (f->role == CF_FIELD_PRUNING) {
                cont_lo[a] = 0.0;
                cont_hi[a] = isfinite(f->hi) && f->hi > 0.9 ? f->hi : 0.9;
                continue;
            }
            double lo = INFINITY, hi = -INFINITY;
            for (size_t i = 0; i < nr; i++) {
                int same = 1;
                for (size_t j = 0; j < nf; j++)
                    if (s->f[j].role == CF_FIELD_WORKLOAD && s->raw[i * nf + j] != s->raw[wl_rep[w] * nf + j]) same = 0;
                double x = s->raw[i * nf + cont[a]];
                if (same && isfinite(x)) {
                    lo = fmin(lo, x);
                    hi = fmax(hi, x);
                }
            }
            if (!(hi > lo)) {
                lo = f->lo;
                hi = f->hi;
            }
            cont_lo[a] = f->logscale ? log(lo) : lo;
            cont_hi[a] = f->logscale ? log(hi) : hi;
        }
        /* The best observed runs of this workload (by the metric, in its direction when it is an objective). */
        int maximize = 1;
        for (size_t k = 0; k < nobj; k++)
            if (!strcmp(fo->objectives[k].name, "accuracy")) maximize = fo->objectives[k].maximize;
        size_t best[3];
        double besty[3];
        size_t nb = 0;
        for (size_t t = 0; t < s->m[0].n; t++) {
            size_t i = s->m[0].rows[t];
            int same = 1;
            for (size_t j = 0; j < nf; j++)
                if (s->f[j].role == CF_FIELD_WORKLOAD && s->raw[i * nf + j] != s->raw[wl_rep[w] * nf + j]) same = 0;
            if (!same) continue;
            double y = maximize ? s->m[0].y[t] : -s->m[0].y[t];
            /* Insertion into the sorted top-n_best list (ties keep input order). */
            size_t pos = nb;
            while (pos > 0 && y > besty[pos - 1]) pos--;
            if (pos >= n_best) continue;
            size_t last = nb < n_best ? nb : n_best - 1;
            for (size_t k = last; k > pos; k--) {
                best[k] = best[k - 1];
                besty[k] = besty[k - 1];
            }
            best[pos] = i;
            besty[pos] = y;
            if (nb < n_best) nb++;
        }
        gsl_qrng_free(q);
        q = n_sobol > 0 ? gsl_qrng_alloc(n_cont <= 40 ? gsl_qrng_sobol : gsl_qrng_halton, (unsigned)n_cont) : NULL;
        if (n_sobol > 0 && q == NULL) goto oom;
        for (size_t h = 0; h < n_hw && !st_local.truncated; h++) {
            const cf_hardware *hw = hws[h];
            size_t hk = 0;
            while (hk < s->n_hw_seen && s->hw_seen[hk] != hw) hk++;
            for (int p = 1; p < CF_PREC_COUNT && !st_local.truncated; p++) {
                if (isnan(cf_prior_throughput(hw, (cf_precision)p))) continue;
                if (!cf_frontier_where_accepts(fo, s->cat, "precision", cf_precision_name((cf_precision)p))) continue;
                for (size_t cc = 0; cc < n_catprod && !st_local.truncated; cc++) {
                    st_local.combinations++;
                    /* Fixed part: workload, hardware, precision, categorical values, constants. */
                    memcpy(v, s->raw + wl_rep[w] * nf, nf * sizeof *v);
                    v[0] = (double)hk;
                    v[1] = (double)p;
                    for (size_t j = 3; j < nf; j++) {
                        const field *f = &s->f[j];
                        if (f->role == CF_FIELD_PARAM && f->constant) v[j] = f->categorical ? 0.0 : f->lo;
                    }
                    size_t rem = cc;
                    for (size_t a = 0; a < n_cat; a++) {
                        const field *f = &s->f[catf[a]];
                        size_t nl = 0, pick = 0;
                        for (size_t k = 0; k < f->n_levels; k++) nl += f->levels[k][0] != '\0';
                        size_t want = nl ? rem % nl : 0;
                        rem = nl ? rem / nl : rem;
                        for (size_t k = 0, seen = 0; k < f->n_levels; k++) {
                            if (f->levels[k][0] == '\0') continue;
                            if (seen++ == want) {
                                pick = k;
                                break;
                            }
                        }
                        v[catf[a]] = (double)pick;
                    }
                    /* The best observed settings of the workload, then Sobol points. */
                    for (size_t b = 0; b < nb + n_sobol; b++) {
                        if (all.n >= cap) {
                            st_local.truncated = 1;
                            break;
                        }
                        if (b < nb) {
                            for (size_t a = 0; a < n_cont; a++) {
                                double x = s->raw[best[b] * nf + cont[a]];
                                v[cont[a]] = isfinite(x) ? x : s->f[cont[a]].median;
                            }
                        } else {
                            if (b == nb)
                                for (size_t a = 0; a < n_cont; a++) shift[a] = gsl_rng_uniform(rng);
                            if (b == nb) gsl_qrng_init(q);
                            gsl_qrng_get(q, u);
                            for (size_t a = 0; a < n_cont; a++) {
                                const field *f = &s->f[cont[a]];
                                double t = u[a] + shift[a];
                                t -= floor(t);
                                double x = cont_lo[a] + t * (cont_hi[a] - cont_lo[a]);
                                if (f->logscale) x = exp(x);
                                if (f->role == CF_FIELD_PRUNING)
                                    x = round(x * 100.0) / 100.0;
                                else if (f->n_grid > 0)
                                    x = snap(f, x);
                                else if (f->integer)
                                    x = round(x);
                                else
                                    x = cf_surr_round_sig3(x);
                                v[cont[a]] = x;
                            }
                        }
                        int dup = 0;
                        for (size_t i = 0; i < nr && !dup; i++) dup = same_as_run(s, v, hw, i);
                        if (dup) {
                            st_local.excluded++;
                            continue;
                        }
                        if (cfgs_push(&all, v, hw) != 0) goto oom;
                    }
                }
            }
        }
    }
    st_local.predicted = all.n;
    if (all.n == 0) goto finish;
    pred = malloc(all.n * sizeof *pred);
    if (pred == NULL) goto oom;
    st = cf_surr_predict_raw(s, all.v, all.hw, all.n, pred, err);
    if (st != CF_OK) goto fail;

    /* Unit prices per (hardware, option). */
    units = malloc(n_hw * CF_PROC_COUNT * sizeof *units);
    priced = calloc(n_hw * CF_PROC_COUNT + 1, 1);
    if (!units || !priced) goto oom;
    for (size_t h = 0; h < n_hw; h++)
        for (int o = 0; o < CF_PROC_COUNT; o++) {
            if (!(fo->procurements & (1u << o))) continue;
            cf_error e;
            cf_error_clear(&e);
            priced[h * CF_PROC_COUNT + (size_t)o] =
                unit_price_owned(s->cat, hws[h], (cf_procurement)o, &fo->pricing, fo,
                                 &units[h * CF_PROC_COUNT + (size_t)o], &e) == CF_OK;
        }
    /* Nondominated pairs within each option. */
    mat = malloc(all.n * nobj * sizeof *mat);
    nd = malloc(all.n);
    idx = malloc(all.n * sizeof *idx);
    pairs = malloc(all.n * CF_PROC_COUNT * sizeof *pairs);
    if (!mat || !nd || !idx || !pairs) goto oom;
    for (int o = 0; o < CF_PROC_COUNT; o++) {
        if (!(fo->procurements & (1u << o))) continue;
        size_t m = 0;
        for (size_t c = 0; c < all.n; c++) {
            size_t h = 0;
            while (hws[h] != all.hw[c]) h++;
            if (!priced[h * CF_PROC_COUNT + (size_t)o]) continue;
            cf_price pr;
            cf_surr_scale_price(&units[h * CF_PROC_COUNT + (size_t)o], pred[c].gpu_hours.mean, &pr);
            for (size_t k = 0; k < nobj; k++) {
                double x = pair_field(fo->objectives[k].name, pred[c].metric.mean, all.v[c * nf + 2],
                                      pred[c].gpu_hours.mean, &pr);
                mat[m * nobj + k] = fo->objectives[k].maximize ? -x : x;
            }
            idx[m++] = c;
        }
        if (m == 0) continue;
        if (cf_pareto_filter(mat, m, nobj, nd) != CF_OK) goto oom;
        for (size_t r = 0; r < m; r++) {
            if (!nd[r]) continue;
            pairs[n_pairs].cfg = idx[r];
            pairs[n_pairs].option = o;
            memcpy(pairs[n_pairs].obj, mat + r * nobj, nobj * sizeof *mat);
            pairs[n_pairs].rank = 0;
            n_pairs++;
        }
    }
    st_local.nondominated = n_pairs;
    if (n_pairs == 0) goto finish;
    {
        /* Ranks over all options, then the limit: whole layers while they fit, the last one thinned evenly. */
        double *pm = malloc(n_pairs * nobj * sizeof *pm);
        size_t *rk = malloc(n_pairs * sizeof *rk);
        if (!pm || !rk) {
            free(pm);
            free(rk);
            goto oom;
        }
        for (size_t a = 0; a < n_pairs; a++) memcpy(pm + a * nobj, pairs[a].obj, nobj * sizeof *pm);
        cf_status rs = cf_pareto_ranks(pm, n_pairs, nobj, rk);
        for (size_t a = 0; a < n_pairs; a++) pairs[a].rank = rk[a];
        free(pm);
        free(rk);
        if (rs != CF_OK) goto oom;
    }
    qsort(pairs, n_pairs, sizeof *pairs, cmp_pair);
    size_t limit = so->limit ? so->limit : 50;
    size_t keep = 0;
    while (keep < n_pairs) {
        size_t end = keep;
        while (end < n_pairs && pairs[end].rank == pairs[keep].rank) end++;
        if (end <= limit) {
            keep = end;
            continue;
        }
        size_t room = limit - keep, layer = end - keep;
        if (room > 0) {
            /* Evenly spaced members of the layer (sorted by the first objective), ends included. */
            for (size_t t = 0; t < room; t++) {
                size_t src = room == 1 ? 0 : (size_t)llround((double)t * (double)(layer - 1) / (double)(room - 1));
                pairs[keep + t] = pairs[keep + src];
            }
        }
        keep = limit;
        break;
    }
    cand = calloc(keep + 1, sizeof *cand);
    cfg_id = malloc(all.n * sizeof *cfg_id);
    if (!cand || !cfg_id) goto oom;
    for (size_t c = 0; c < all.n; c++) cfg_id[c] = 0;
    size_t next_id = 1;
    for (size_t a = 0; a < keep; a++) {
        const pair *pp = &pairs[a];
        size_t c = pp->cfg;
        if (cfg_id[c] == 0) {
            cfg_id[c] = next_id++;
            st_local.leaning_on_prior += pred[c].hardware_unseen || pred[c].precision_unseen;
        }
        size_t h = 0;
        while (hws[h] != all.hw[c]) h++;
        const cf_price *unit = &units[h * CF_PROC_COUNT + (size_t)pp->option];
        cf_candidate *cd = &cand[n_cand];
        memset(cd, 0, sizeof *cd);
        char id[32], note[1024];
        snprintf(id, sizeof id, "pred-%zu", cfg_id[c]);
        settings_text(s, all.v + c * nf, note, sizeof note);
        if (pred[c].note[0]) {
            size_t len = strlen(note);
            snprintf(note + len, sizeof note - len, " | %s", pred[c].note);
        }
        cd->run_id = cf_surr_strdup(id);
        cd->hardware = cf_surr_strdup(all.hw[c]->id);
        cd->note = cf_surr_strdup(note);
        n_cand++;
        if (!cd->run_id || !cd->hardware || !cd->note) goto oom;
        cd->precision = (cf_precision)(int)all.v[c * nf + 1];
        cd->pruning = all.v[c * nf + 2];
        cd->accuracy = pred[c].metric.mean;
        cd->gpu_hours = pred[c].gpu_hours.mean;
        cd->wall_hours = NAN;
        cf_surr_scale_price(unit, pred[c].gpu_hours.mean, &cd->price);
        cd->run_index = NO_INDEX;
        cd->predicted = 1;
        cd->accuracy_lo = pred[c].metric.lo;
        cd->accuracy_hi = pred[c].metric.hi;
        cd->cost_lo = unit->total_cost_usd * pred[c].gpu_hours.lo;
        cd->cost_hi = unit->total_cost_usd * pred[c].gpu_hours.hi;
    }
    st_local.returned = n_cand;
    *out = cand;
    *n_out = n_cand;
    cand = NULL;
    n_cand = 0;
    goto finish;
oom:
    st = cf_error_set(err, CF_ERR_NOMEM, SRC, 0, 0, NULL, "out of memory");
fail:
finish:
    st_local.seconds = cf_surr_now() - t0;
    if (stats) *stats = st_local;
    cf_surrogate_candidates_free(cand, n_cand);
    free(all.v);
    free(all.hw);
    free(wl_rep);
    free((void *)hws);
    free(cont_lo);
    free(cont_hi);
    free(u);
    free(v);
    free(shift);
    free(cont);
    free(catf);
    gsl_qrng_free(q);
    gsl_rng_free(rng);
    free(pred);
    free(pairs);
    free(units);
    free(priced);
    free(mat);
    free(nd);
    free(idx);
    free(cfg_id);
    return st;
}
