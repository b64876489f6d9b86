/* costfront: the priced frontier over (run, procurement option) candidates.
 *
 * Every run is priced under every chosen option (models/pricing.c); maximised objectives are negated once into a
 * flat row-major matrix of minimised objectives, which is all the Pareto routines (optimizer/pareto.c,
 * optimizer/hypervolume.c) ever see. Dominators are chosen on the matrix normalised to [0, 1] per objective, since
 * an additive margin across objectives of different units would mean nothing.
 */
#include "costfront/frontier.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "costfront/pareto.h"

#define CF_NO_INDEX ((size_t)-1)

struct cf_frontier {
    const cf_runset *rs;
    const cf_catalog *cat;
    cf_frontier_opts opts;
    cf_candidate *cand; /* candidates; predicted ones own their strings */
    size_t n, cap;
    size_t n_pred_added;
    double *obj;        /* n x d objective values in their own units and directions */
    unsigned char *opt; /* on the frontier */
    size_t *rank;
    size_t *dom;
    double *margin;
    size_t *order; /* frontier indices sorted by first objective */
    size_t n_opt;
    size_t knee;
    double hv;
    double ref[CF_MAX_OBJECTIVES];
    int ref_inferred;
    char **notes;
    unsigned char *note_kinds; /* CF_NOTE_KIND_* per note, parallel to notes */
    size_t n_notes, cap_notes;
    size_t unpriced;
    int computed;
};

static const char *const known_fields[] = {
    "accuracy",        "cost_usd",        "total_cost_usd",   "co2e_kg",        "energy_kwh", "gpu_hours", "wall_hours",
    "carbon_cost_usd", "embodied_kgco2e", "billed_gpu_hours", "price_per_hour", "pruning",
    /* issue 16 */
    "compute_cost_usd", "egress_cost_usd", "storage_cost_usd",
    /* issue 11: inference runs, per 1M units of their throughput */
    "cost_per_1m_tokens_usd", "cost_per_1m_samples_usd", "cost_per_1m_queries_usd", "cost_per_1m_input_tokens_usd",
    "cost_per_1m_output_tokens_usd", "total_cost_per_1m_tokens_usd", "energy_kwh_per_1m_tokens",
    "energy_kwh_per_1m_samples", "energy_kwh_per_1m_queries", "co2e_kg_per_1m_tokens", "co2e_kg_per_1m_samples",
    "co2e_kg_per_1m_queries", "gpu_hours_per_1m_tokens", "gpu_hours_per_1m_samples", "gpu_hours_per_1m_queries",
    "throughput_per_s", "tokens_per_s", "samples_per_s", "queries_per_s", "input_tokens_per_s",
    "output_tokens_per_s", "input_output_ratio", "ttft_ms", "tpot_ms", "latency_p50_ms", "latency_p99_ms",
    "power_w", "num_gpus", NULL};

cf_status cf_objectives_parse(const char *spec, cf_objective *objs, size_t max, size_t *n, cf_error *err)
{
    if (spec == NULL || objs == NULL || n == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "NULL argument");
    *n = 0;
    const char *p = spec;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[128];
        if (len == 0 || len >= sizeof item)
            return cf_error_set(err, CF_ERR_INVALID, "--objectives", 0, 0, NULL,
                                "expected NAME[:max|:min] items separated by commas, found '%s'", spec);
        memcpy(item, p, len);
        item[len] = '\0';
        if (*n >= max)
            return cf_error_set(err, CF_ERR_INVALID, "--objectives", 0, 0, NULL,
                                "at most %zu objectives are supported, found more in '%s'", max, spec);
        char *colon = strchr(item, ':');
        int maximize;
        if (colon) {
            *colon = '\0';
            const char *dir = colon + 1;
            if (!strcasecmp(dir, "max") || !strcasecmp(dir, "maximize") || !strcasecmp(dir, "maximise"))
                maximize = 1;
            else if (!strcasecmp(dir, "min") || !strcasecmp(dir, "minimize") || !strcasecmp(dir, "minimise"))
                maximize = 0;
            else
                return cf_error_set(err, CF_ERR_INVALID, "--objectives", 0, 0, item,
                                    "expected direction 'max' or 'min', found '%s'", dir);
        } else {
            maximize = strcmp(item, "accuracy") == 0;
        }
        if (item[0] == '\0' || strlen(item) >= sizeof objs[*n].name)
            return cf_error_set(err, CF_ERR_INVALID, "--objectives", 0, 0, NULL,
                                "expected an objective name, found '%s'", item);
        for (size_t k = 0; k < *n; k++)
            if (strcmp(objs[k].name, item) == 0)
                return cf_error_set(err, CF_ERR_INVALID, "--objectives", 0, 0, item, "objective '%s' is named twice",
                                    item);
        memcpy(objs[*n].name, item, strlen(item) + 1); /* length checked above */
        objs[*n].maximize = maximize;
        (*n)++;
        if (!end) break;
        p = end + 1;
    }
    if (*n < 1) return cf_error_set(err, CF_ERR_INVALID, "--objectives", 0, 0, NULL, "expected at least one objective");
    return CF_OK;
}

void cf_frontier_opts_default(cf_frontier_opts *o)
{
    if (o == NULL) return;
    memset(o, 0, sizeof *o);
    snprintf(o->objectives[0].name, sizeof o->objectives[0].name, "accuracy");
    o->objectives[0].maximize = 1;
    snprintf(o->objectives[1].name, sizeof o->objectives[1].name, "total_cost_usd");
    o->objectives[1].maximize = 0;
    o->n_objectives = 2;
    o->procurements =
        (1u << CF_PROC_ON_DEMAND) | (1u << CF_PROC_SPOT) | (1u << CF_PROC_RESERVED_1Y) | (1u << CF_PROC_RESERVED_3Y);
    cf_pricing_opts_default(&o->pricing);
    o->on_prem_usd_per_gpu_hour = NAN;
    o->on_prem_kgco2e_per_gpu_hour = NAN;
    o->hybrid_usd_per_gpu_hour = NAN;
    o->hybrid_kgco2e_per_gpu_hour = NAN;
}

cf_frontier *cf_frontier_create(const cf_runset *rs, const cf_catalog *cat, const cf_frontier_opts *opts)
{
    cf_frontier *f = calloc(1, sizeof *f);
    if (f == NULL) return NULL;
    f->rs = rs;
    f->cat = cat;
    if (opts)
        f->opts = *opts;
    else
        cf_frontier_opts_default(&f->opts);
    f->knee = CF_NO_INDEX;
    f->hv = NAN;
    return f;
}

/* Frees the strings of a predicted candidate; an observed candidate's strings point into the runset and are not
 * owned. */
static void free_candidate_strings(cf_candidate *c)
{
    if (!c->predicted) return;
    free((char *)c->run_id);
    free((char *)c->hardware);
    free((char *)c->note);
}

void cf_frontier_destroy(cf_frontier *f)
{
    if (f == NULL) return;
    for (size_t i = 0; i < f->n; i++) free_candidate_strings(&f->cand[i]);
    free(f->cand);
    free(f->obj);
    free(f->opt);
    free(f->rank);
    free(f->dom);
    free(f->margin);
    free(f->order);
    for (size_t i = 0; i < f->n_notes; i++) free(f->notes[i]);
    free(f->notes);
    free(f->note_kinds);
    free(f);
}

/* Appends a copy of c, doubling the array when full. */
static cf_status push_candidate(cf_frontier *f, const cf_candidate *c)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 64;
        cf_candidate *p = realloc(f->cand, cap * sizeof *p);
        if (p == NULL) return CF_ERR_NOMEM;
        f->cand = p;
        f->cap = cap;
    }
    f->cand[f->n++] = *c;
    return CF_OK;
}

/* Kinds of note that repeat once per run; a note of its own kind is NOTE_KIND_SINGLE. */
enum { NOTE_KIND_SINGLE = 0, NOTE_KIND_MISSING_PRICE = 1, NOTE_KIND_GRAVITY = 2, NOTE_KIND_TRANSFER = 3 };

/* Appends a formatted note of the given kind. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 0)))
#endif
static cf_status vadd_note(cf_frontier *f, int kind, const char *fmt, va_list ap)
{
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    if (f->n_notes == f->cap_notes) {
        size_t cap = f->cap_notes ? 2 * f->cap_notes : 16;
        char **p = realloc(f->notes, cap * sizeof *p);
        if (p == NULL) return CF_ERR_NOMEM;
        f->notes = p;
        unsigned char *k = realloc(f->note_kinds, cap);
        if (k == NULL) return CF_ERR_NOMEM;
        f->note_kinds = k;
        f->cap_notes = cap;
    }
    f->notes[f->n_notes] = strdup(buf);
    if (f->notes[f->n_notes] == NULL) return CF_ERR_NOMEM;
    f->note_kinds[f->n_notes] = (unsigned char)kind;
    f->n_notes++;
    return CF_OK;
}

/* Appends a note of its own kind. */
static cf_status
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
add_note(cf_frontier *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cf_status st = vadd_note(f, NOTE_KIND_SINGLE, fmt, ap);
    va_end(ap);
    return st;
}

/* Appends a note of a kind that repeats once per run, so that it can be summarised by kind. */
static cf_status
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
add_note_kind(cf_frontier *f, int kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cf_status st = vadd_note(f, kind, fmt, ap);
    va_end(ap);
    return st;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

cf_status cf_frontier_add_candidate(cf_frontier *f, const cf_candidate *c)
{
    if (f == NULL || c == NULL) return CF_ERR_ARG;
    cf_candidate copy = *c;
    copy.predicted = 1;
    copy.run_index = CF_NO_INDEX;
    copy.run_id = dup_or_null(c->run_id);
    copy.hardware = dup_or_null(c->hardware);
    copy.note = dup_or_null(c->note);
    if ((c->run_id && !copy.run_id) || (c->hardware && !copy.hardware) || (c->note && !copy.note)) {
        free_candidate_strings(&copy);
        return CF_ERR_NOMEM;
    }
    cf_status st = push_candidate(f, &copy);
    if (st != CF_OK)
        free_candidate_strings(&copy);
    else
        f->n_pred_added++;
    return st;
}

/* Prices gpu_hours under an owned-compute option from the plan's per-GPU-hour figures; owned servers pay egress
 * from the cloud the data lives in and their own storage (the catalog's owned site, see cf_pricing_opts). Returns
 * 0 when the plan gives no figure, -1 (with e set) when the transfer part cannot be priced. */
static int price_owned(const cf_frontier *f, const cf_run *r, cf_procurement p, cf_price *out, cf_error *e)
{
    double usd = p == CF_PROC_ON_PREM ? f->opts.on_prem_usd_per_gpu_hour : f->opts.hybrid_usd_per_gpu_hour;
    double kg = p == CF_PROC_ON_PREM ? f->opts.on_prem_kgco2e_per_gpu_hour : f->opts.hybrid_kgco2e_per_gpu_hour;
    if (!isfinite(usd)) return 0;
    memset(out, 0, sizeof *out);
    out->option = p;
    out->price_per_hour = usd;
    out->billed_gpu_hours = r->gpu_hours;
    out->cost_usd = r->gpu_hours * usd;
    out->co2e_kg = isfinite(kg) ? r->gpu_hours * kg : NAN;
    out->energy_kwh = NAN;
    out->embodied_kgco2e = NAN;
    double cp = isfinite(f->opts.pricing.carbon_price_usd_per_t) ? f->opts.pricing.carbon_price_usd_per_t
                                                                 : cf_catalog_carbon_price(f->cat);
    out->carbon_cost_usd = isfinite(out->co2e_kg) ? out->co2e_kg * cp / 1000.0 : 0.0;
    out->compute_cost_usd = out->cost_usd;
    out->compute_best = NULL;
    out->compute_best_compute_usd = out->compute_best_cost_usd = NAN;
    cf_transfer_need need;
    cf_transfer_need_of_run(r, &need);
    if (cf_transfer_need_any(&need)) {
        if (!(need.wall_hours > 0)) need.wall_hours = need.num_gpus > 0 ? r->gpu_hours / need.num_gpus : r->gpu_hours;
        const char *op = f->opts.pricing.owned_provider ? f->opts.pricing.owned_provider : "owner-amortised";
        const char *org = f->opts.pricing.owned_region ? f->opts.pricing.owned_region : "on-prem-us";
        if (cf_price_transfer(f->cat, &need, op, org, p, INFINITY, &f->opts.pricing, out, e) != CF_OK) return -1;
        out->cost_usd += out->egress_cost_usd + out->storage_cost_usd;
    }
    out->total_cost_usd = out->cost_usd + out->carbon_cost_usd;
    return 1;
}

/* A size in GB as people say it: "5 TB", "800 GB". */
static void fmt_gb(char *buf, size_t n, double gb)
{
    if (gb >= 1000.0)
        snprintf(buf, n, "%.3g TB", gb / 1000.0);
    else
        snprintf(buf, n, "%.3g GB", gb);
}

/* Says when data gravity decided: the offer compute alone would choose, and what the whole cost made of it. */
static cf_status gravity_note(cf_frontier *f, const cf_run *r, const cf_price *pr, size_t others)
{
    const cf_offer *alt = pr->compute_best, *got = pr->offer;
    if (alt == NULL || got == NULL) return CF_OK;
    double cheaper = pr->compute_cost_usd > 0 ? 1.0 - pr->compute_best_compute_usd / pr->compute_cost_usd : NAN;
    double dearer = pr->cost_usd > 0 ? pr->compute_best_cost_usd / pr->cost_usd - 1.0 : NAN;
    char data[48] = "";
    if (r->data_gb > 0) {
        char gb[32];
        fmt_gb(gb, sizeof gb, r->data_gb);
        snprintf(data, sizeof data, "%s of ", gb);
    }
    char at[300] = "", more[64] = "";
    if (pr->data_src) snprintf(at, sizeof at, " (data at %s/%s)", pr->data_src->provider, pr->data_src->region);
    if (others > 0) snprintf(more, sizeof more, " (and %zu other option%s)", others, others == 1 ? "" : "s");
    if (isnan(dearer))
        return add_note_kind(f, NOTE_KIND_GRAVITY,
                             "run %s, %s%s: %s/%s is %.0f%% cheaper in compute but its egress or storage has no price; "
                             "%s/%s chosen",
                             r->run_id, cf_procurement_name(pr->option), more, alt->provider, alt->region,
                             100.0 * cheaper, got->provider, got->region);
    return add_note_kind(f, NOTE_KIND_GRAVITY,
                         "run %s, %s%s: %s/%s is %.0f%% cheaper in compute but %.0f%% dearer with %segress and "
                         "storage%s; %s/%s chosen",
                         r->run_id, cf_procurement_name(pr->option), more, alt->provider, alt->region, 100.0 * cheaper,
                         100.0 * dearer, data, at, got->provider, got->region);
}

/* True when owned compute (on_prem, hybrid) applies to a run: the plan holds no hardware restriction, or the run
 * is on the plan's hardware (compared as catalog ids when the catalog knows the name). */
static int owned_applies(const cf_frontier *f, const cf_run *r)
{
    const char *want = f->opts.owned_hardware;
    if (want == NULL) return 1;
    const cf_hardware *hw = f->cat ? cf_catalog_hardware(f->cat, want) : NULL;
    if (hw) want = hw->id;
    return r->hardware != NULL && strcmp(r->hardware, want) == 0;
}

/* The text of field name for run i, for --where: a canonical text field or a hyperparameter (numbers as the
 * runset prints them). Returns NULL when the run has no such field. */
static const char *run_text(const cf_frontier *f, size_t i, const char *name, char *buf, size_t n)
{
    const cf_run *r = cf_runset_get(f->rs, i);
    if (!strcmp(name, "run_id")) return r->run_id;
    if (!strcmp(name, "model")) return r->model;
    if (!strcmp(name, "dataset")) return r->dataset;
    if (!strcmp(name, "project")) return r->project;
    if (!strcmp(name, "hardware")) return r->hardware;
    if (!strcmp(name, "precision")) return cf_precision_name(r->precision);
    if (!strcmp(name, "region")) return r->region;
    if (!strcmp(name, "provider")) return r->provider;
    if (!strcmp(name, "procurement")) return r->procurement;
    if (!strcmp(name, "throughput_unit")) return r->work_unit != CF_WORK_NONE ? cf_work_unit_name(r->work_unit) : NULL;
    size_t j = cf_runset_param_find(f->rs, name);
    if (j == CF_NO_INDEX) return NULL;
    const char *s = cf_runset_param_str(f->rs, i, j);
    if (s != NULL) return s;
    double v = cf_runset_param_num(f->rs, i, j);
    if (isnan(v)) return NULL;
    snprintf(buf, n, "%.17g", v);
    return buf;
}

/* True when one alternative of value (split at '|') names the same thing as have for field. */
static int where_matches(const cf_catalog *cat, const char *field, const char *value, const char *have)
{
    if (have == NULL) return 0;
    const char *p = value;
    while (1) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        char alt[256];
        if (len >= sizeof alt) len = sizeof alt - 1;
        memcpy(alt, p, len);
        alt[len] = '\0';
        const char *want = alt;
        if (!strcmp(field, "hardware") && cat) {
            const cf_hardware *hw = cf_catalog_hardware(cat, alt);
            if (hw) want = hw->id;
        } else if (!strcmp(field, "precision")) {
            cf_precision pr;
            if (cf_precision_parse(alt, &pr) == CF_OK) want = cf_precision_name(pr);
        }
        char *end = NULL;
        double a = strtod(want, &end), b;
        int numeric = end != want && *end == '\0';
        if (!strcasecmp(want, have)) return 1;
        if (numeric) {
            b = strtod(have, &end);
            if (end != have && *end == '\0' && a == b) return 1;
        }
        if (!bar) return 0;
        p = bar + 1;
    }
}

/* True when run i passes every --where filter. */
static int run_selected(const cf_frontier *f, size_t i)
{
    char buf[64];
    for (size_t w = 0; w < f->opts.n_where; w++) {
        const char *have = run_text(f, i, f->opts.where_field[w], buf, sizeof buf);
        if (!where_matches(f->cat, f->opts.where_field[w], f->opts.where_value[w], have)) return 0;
    }
    return 1;
}

int cf_frontier_where_accepts(const cf_frontier_opts *o, const cf_catalog *cat, const char *field, const char *value)
{
    if (o == NULL || field == NULL) return 1;
    for (size_t w = 0; w < o->n_where; w++)
        if (!strcmp(o->where_field[w], field) && !where_matches(cat, field, o->where_value[w], value)) return 0;
    return 1;
}

/* Adds one note counting the distinct catalog offers the candidates use whose as_of is more than a year before
 * opts.price_date, naming the oldest (ties: the first used), so a report says when its prices may be out of date. */
static cf_status stale_price_note(cf_frontier *f)
{
    if (f->opts.price_date == NULL || f->cat == NULL) return CF_OK;
    size_t n_off = cf_catalog_offer_count(f->cat), n_stale = 0, n_used = 0;
    if (n_off == 0) return CF_OK;
    /* Offers live in one catalog array, so an offer's index marks it as counted: linear in the candidates. */
    const cf_offer *base = cf_catalog_offer_at(f->cat, 0);
    unsigned char *seen = calloc(n_off, 1);
    if (seen == NULL) return CF_ERR_NOMEM;
    const cf_offer *oldest = NULL;
    long oldest_age = -1;
    for (size_t i = 0; i < f->n; i++) {
        const cf_offer *o = f->cand[i].price.offer;
        if (o == NULL || o < base || o >= base + n_off || seen[o - base]) continue;
        seen[o - base] = 1;
        n_used++;
        long age = 0;
        if (cf_catalog_is_stale(o->as_of, f->opts.price_date, &age) != 1) continue;
        n_stale++;
        if (age > oldest_age) {
            oldest_age = age;
            oldest = o;
        }
    }
    free(seen);
    if (n_stale == 0) return CF_OK;
    return add_note(f,
                    "%zu of the %zu catalog prices used are more than a year older than %s (oldest: %s %s %s, as_of "
                    "%s); check them with 'costfront catalog list' or give your own (--catalog)",
                    n_stale, n_used, f->opts.price_date, oldest->provider, oldest->region, oldest->hardware,
                    oldest->as_of);
}

/* Refuses runs whose costs are of different work (issue 11): per 1M tokens, per 1M samples, per 1M queries and
 * per training run cannot share an axis. Counts the selected runs of each unit. */
static cf_status check_units(const cf_frontier *f, size_t nr, size_t filtered, cf_error *err)
{
    size_t count[CF_WORK_COUNT] = {0};
    const char *example[CF_WORK_COUNT] = {NULL};
    for (size_t i = 0; i < nr; i++) {
        if (filtered > 0 && !run_selected(f, i)) continue;
        const cf_run *r = cf_runset_get(f->rs, i);
        int u = (int)r->work_unit >= 0 && r->work_unit < CF_WORK_COUNT ? (int)r->work_unit : 0;
        if (count[u]++ == 0) example[u] = r->run_id;
    }
    size_t kinds = 0;
    for (int u = 0; u < CF_WORK_COUNT; u++) kinds += count[u] > 0;
    if (kinds <= 1) return CF_OK;
    char what[512] = "";
    size_t len = 0;
    for (int u = 0; u < CF_WORK_COUNT && len < sizeof what; u++) {
        if (count[u] == 0) continue;
        len += (size_t)snprintf(what + len, sizeof what - len, "%s%zu %s (e.g. %s)", len ? ", " : "", count[u],
                                u == CF_WORK_NONE ? "training runs priced per run" : cf_work_unit_name((cf_work_unit)u),
                                example[u]);
    }
    return cf_error_set(err, CF_ERR_INVALID, f->rs ? cf_runset_get(f->rs, 0)->source : NULL, 0, 0,
                        "throughput_unit",
                        "expected runs of one kind of work in one frontier, found %s: their costs are per 1M tokens, "
                        "per 1M samples, per 1M queries or per run and never compare; choose one with --where "
                        "throughput_unit=tokens (or samples, queries)",
                        what);
}

/* Prices every run of the runset under every admissible option and appends one candidate per pair, the offer
 * choices cached in pc. */
static cf_status add_runs_in(cf_frontier *f, cf_price_cache *pc, cf_error *err)
{
    size_t nr = f->rs ? cf_runset_size(f->rs) : 0;
    size_t not_owned = 0, filtered = 0;
    for (size_t i = 0; i < nr; i++) filtered += !run_selected(f, i);
    if (filtered > 0) { /* said first: it explains everything below */
        /* The last n_group_where filters are a --group-by section's own: worded as the grouping, not as --where. */
        size_t ng = f->opts.n_group_where <= f->opts.n_where ? f->opts.n_group_where : f->opts.n_where;
        size_t nu = f->opts.n_where - ng;
        char what[512] = "", group[512] = "";
        size_t len = 0;
        for (size_t w = 0; w < nu && len < sizeof what; w++)
            len += (size_t)snprintf(what + len, sizeof what - len, "%s%s=%s", w ? ", " : "", f->opts.where_field[w],
                                    f->opts.where_value[w]);
        len = 0;
        for (size_t w = nu; w < f->opts.n_where && len < sizeof group; w++)
            len += (size_t)snprintf(group + len, sizeof group - len, "%s%s=%s", w > nu ? ", " : "",
                                    f->opts.where_field[w], f->opts.where_value[w]);
        if (filtered == nr)
            return ng == 0 ? cf_error_set(err, CF_ERR_EMPTY, "--where", 0, 0, NULL, "no run matches --where %s", what)
                           : cf_error_set(err, CF_ERR_EMPTY, "--group-by", 0, 0, NULL, "no run is in the group %s%s%s",
                                          group, nu ? " and matches --where " : "", what);
        cf_status st;
        if (ng == 0)
            st = add_note(f, "%zu of %zu runs left out by --where %s", filtered, nr, what);
        else if (nu == 0)
            st = add_note(f, "this section is the group %s: %zu of %zu runs (the other %zu are in other groups)", group,
                          nr - filtered, nr, filtered);
        else
            st = add_note(f, "this section is the group %s of the runs matching --where %s: %zu of %zu runs", group,
                          what, nr - filtered, nr);
        if (st != CF_OK) return CF_ERR_NOMEM;
    }
    cf_status ust = check_units(f, nr, filtered, err);
    if (ust != CF_OK) return ust;
    size_t unsupported = 0, no_location = 0, measured = 0;
    const char *unsupported_example = NULL, *no_location_example = NULL;
    cf_precision unsupported_prec = CF_PREC_UNKNOWN;
    for (size_t i = 0; i < nr; i++) {
        const cf_run *r = cf_runset_get(f->rs, i);
        if (filtered > 0 && !run_selected(f, i)) continue;
        const cf_hardware *hw = r->hardware ? cf_catalog_hardware(f->cat, r->hardware) : NULL;
        if (hw && r->precision > CF_PREC_UNKNOWN && r->precision < CF_CATALOG_PRECISIONS &&
            isnan(hw->throughput[r->precision]) && hw->source != NULL) {
            int any = 0; /* a catalog entry with no throughput figures at all says nothing about support */
            for (int k = 1; k < CF_CATALOG_PRECISIONS; k++) any |= !isnan(hw->throughput[k]);
            if (any) {
                if (unsupported++ == 0) {
                    unsupported_example = r->run_id;
                    unsupported_prec = r->precision;
                }
            }
        }
        char missing[128] = "";
        size_t n_missing = 0, n_gravity = 0;
        cf_price gravity;
        memset(&gravity, 0, sizeof gravity);
        int owned_ok = owned_applies(f, r);
        if (!owned_ok && (f->opts.procurements & ((1u << CF_PROC_ON_PREM) | (1u << CF_PROC_HYBRID)))) not_owned++;
        for (int p = 0; p < CF_PROC_COUNT; p++) {
            if (!(f->opts.procurements & (1u << p))) continue;
            if (!owned_ok && (p == CF_PROC_ON_PREM || p == CF_PROC_HYBRID)) continue;
            cf_candidate c;
            memset(&c, 0, sizeof c);
            c.run_id = r->run_id;
            c.hardware = r->hardware;
            c.precision = r->precision;
            c.pruning = r->pruning;
            c.accuracy = r->accuracy;
            c.gpu_hours = r->gpu_hours;
            c.wall_hours = r->wall_hours;
            c.run_index = i;
            c.accuracy_lo = c.accuracy_hi = c.cost_lo = c.cost_hi = NAN;
            int ok, transfer_fail = 0;
            cf_error e; /* only status, field and message are read below: not cleared whole (1 KB per pair) */
            e.status = CF_OK;
            e.field[0] = e.message[0] = e.source[0] = '\0';
            if (p == CF_PROC_ON_PREM || p == CF_PROC_HYBRID) {
                ok = price_owned(f, r, (cf_procurement)p, &c.price, &e);
                transfer_fail = ok < 0;
                ok = ok > 0;
            } else {
                cf_status st = cf_price_run_cached(pc, r, (cf_procurement)p, &c.price, &e);
                if (st == CF_ERR_NOMEM) return cf_error_set(err, st, NULL, 0, 0, NULL, "out of memory");
                ok = st == CF_OK;
                transfer_fail = !ok && (!strcmp(e.field, "egress") || !strcmp(e.field, "storage") ||
                                        !strcmp(e.field, "data_location"));
            }
            if (transfer_fail) {
                f->unpriced++;
                if (add_note_kind(f, NOTE_KIND_TRANSFER, "run %s, %s: %s; that pair is not a candidate", r->run_id,
                                  cf_procurement_name((cf_procurement)p), e.message) != CF_OK)
                    return CF_ERR_NOMEM;
                continue;
            }
            if (ok && c.price.compute_best != NULL && n_gravity++ == 0) gravity = c.price;
            if (ok && c.price.energy_measured && p == 0) measured++;
            if (!ok) {
                f->unpriced++;
                size_t len = strlen(missing);
                snprintf(missing + len, sizeof missing - len, "%s%s", n_missing ? ", " : "",
                         cf_procurement_name((cf_procurement)p));
                n_missing++;
                continue;
            }
            cf_status st = push_candidate(f, &c);
            if (st != CF_OK) return cf_error_set(err, st, NULL, 0, 0, NULL, "out of memory");
        }
        if (n_gravity > 0 && gravity_note(f, r, &gravity, n_gravity - 1) != CF_OK) return CF_ERR_NOMEM;
        if (r->data_gb > 0 && r->data_location == NULL && no_location++ == 0) no_location_example = r->run_id;
        if (n_missing > 0 &&
            add_note_kind(f, NOTE_KIND_MISSING_PRICE,
                          "run %s: no %s price for %s%s%s%s%s in the catalog; those pairs are not candidates", r->run_id,
                     missing, r->hardware ? r->hardware : "?", r->region || f->opts.pricing.region ? " in " : "",
                     r->region ? r->region : (f->opts.pricing.region ? f->opts.pricing.region : ""),
                     r->provider || f->opts.pricing.provider ? " from " : "",
                     r->provider ? r->provider : (f->opts.pricing.provider ? f->opts.pricing.provider : "")) != CF_OK)
            return CF_ERR_NOMEM;
    }
    if (unsupported > 0) {
        const cf_run *ex = cf_runset_get(f->rs, cf_runset_find(f->rs, unsupported_example));
        if (add_note(f,
                     "%zu run%s a precision the catalog lists as unsupported on its hardware (e.g. run %s: %s "
                     "on %s); they are priced as given, but check the precision column",
                     unsupported, unsupported == 1 ? " uses" : "s use", unsupported_example,
                     cf_precision_name(unsupported_prec), ex && ex->hardware ? ex->hardware : "?") != CF_OK)
            return CF_ERR_NOMEM;
    }
    if (measured > 0 &&
        add_note(f,
                 "%zu run%s a measured system power (power_w): energy and CO2e use it (power_w x hours x PUE) "
                 "instead of the catalog's board power",
                 measured, measured == 1 ? " gives" : "s give") != CF_OK)
        return CF_ERR_NOMEM;
    if (no_location > 0 &&
        add_note(f,
                 "%zu run%s data_gb but no data_location (e.g. run %s): the data is taken to be where the run is "
                 "priced, so no egress is charged; give data_location (provider/region) to price moving it",
                 no_location, no_location == 1 ? " gives" : "s give", no_location_example) != CF_OK)
        return CF_ERR_NOMEM;
    if (not_owned > 0 &&
        add_note(f, "%zu run%s on hardware other than the plan's (%s) %s not priced under on_prem or hybrid", not_owned,
                 not_owned == 1 ? "" : "s", f->opts.owned_hardware, not_owned == 1 ? "is" : "are") != CF_OK)
        return CF_ERR_NOMEM;
    return stale_price_note(f);
}

/* add_runs_in with a price cache of its own: a million runs share a few dozen (hardware, provider, region,
 * option) keys, so the catalog's offers are scanned once per key instead of once per (run, option). */
static cf_status add_runs(cf_frontier *f, cf_error *err)
{
    cf_price_cache *pc = cf_price_cache_create(f->cat, &f->opts.pricing);
    if (pc == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    cf_status st = add_runs_in(f, pc, err);
    cf_price_cache_destroy(pc);
    return st;
}

/* True when name is one of the candidate fields a filter or group-by may name. */
static int is_known_field(const char *name)
{
    for (size_t k = 0; known_fields[k]; k++)
        if (strcmp(known_fields[k], name) == 0) return 1;
    return 0;
}

double cf_frontier_field(const cf_frontier *f, size_t i, const char *name)
{
    if (f == NULL || i >= f->n || name == NULL) return NAN;
    const cf_candidate *c = &f->cand[i];
    if (!strcmp(name, "accuracy")) return c->accuracy;
    if (!strcmp(name, "cost_usd")) return c->price.cost_usd;
    if (!strcmp(name, "total_cost_usd")) return c->price.total_cost_usd;
    if (!strcmp(name, "co2e_kg")) return c->price.co2e_kg;
    if (!strcmp(name, "energy_kwh")) return c->price.energy_kwh;
    if (!strcmp(name, "gpu_hours")) return c->gpu_hours;
    if (!strcmp(name, "wall_hours")) return c->wall_hours;
    if (!strcmp(name, "carbon_cost_usd")) return c->price.carbon_cost_usd;
    if (!strcmp(name, "embodied_kgco2e")) return c->price.embodied_kgco2e;
    if (!strcmp(name, "billed_gpu_hours")) return c->price.billed_gpu_hours;
    if (!strcmp(name, "price_per_hour")) return c->price.price_per_hour;
    if (!strcmp(name, "pruning")) return c->pruning;
    if (!strcmp(name, "compute_cost_usd")) return c->price.compute_cost_usd;
    if (!strcmp(name, "egress_cost_usd")) return c->price.egress_cost_usd;
    if (!strcmp(name, "storage_cost_usd")) return c->price.storage_cost_usd;
    if (c->predicted || f->rs == NULL) return NAN;
    if (!strcmp(name, "throughput_per_s")) return cf_runset_get(f->rs, c->run_index)->throughput_per_s;
    if (!strncmp(name, "cost_per_1m_", 12) || !strncmp(name, "energy_kwh_per_1m_", 18) ||
        !strncmp(name, "co2e_kg_per_1m_", 15) || !strncmp(name, "gpu_hours_per_1m_", 17) ||
        !strncmp(name, "total_cost_per_1m_", 18))
        return cf_inference_field(cf_runset_get(f->rs, c->run_index), &c->price, name);
    double v;
    if (cf_runset_numeric(f->rs, c->run_index, name, &v) != CF_OK) return NAN;
    return v;
}

double cf_inference_field(const cf_run *r, const cf_price *p, const char *name)
{
    if (r == NULL || p == NULL || name == NULL || r->work_unit == CF_WORK_NONE) return NAN;
    const char *unit = cf_work_unit_name(r->work_unit);
    char want[64];
    snprintf(want, sizeof want, "cost_per_1m_%s_usd", unit);
    if (!strcmp(name, want)) return p->cost_usd;
    snprintf(want, sizeof want, "total_cost_per_1m_%s_usd", unit);
    if (!strcmp(name, want)) return p->total_cost_usd;
    snprintf(want, sizeof want, "energy_kwh_per_1m_%s", unit);
    if (!strcmp(name, want)) return p->energy_kwh;
    snprintf(want, sizeof want, "co2e_kg_per_1m_%s", unit);
    if (!strcmp(name, want)) return p->co2e_kg;
    snprintf(want, sizeof want, "gpu_hours_per_1m_%s", unit);
    if (!strcmp(name, want)) return r->gpu_hours;
    if (r->work_unit != CF_WORK_TOKENS) return NAN;
    /* All of the system's time charged to one kind of token: what 1M output tokens cost with the prompts that
     * come with them (and 1M input tokens with their outputs). */
    if (!strcmp(name, "cost_per_1m_input_tokens_usd"))
        return r->input_tokens_per_s > 0 ? p->cost_usd * r->tokens_per_s / r->input_tokens_per_s : NAN;
    if (!strcmp(name, "cost_per_1m_output_tokens_usd"))
        return r->output_tokens_per_s > 0 ? p->cost_usd * r->tokens_per_s / r->output_tokens_per_s : NAN;
    return NAN;
}

/* Checks that every objective names a field that exists for at least one run. */
static cf_status check_objectives(const cf_frontier *f, cf_error *err)
{
    for (size_t k = 0; k < f->opts.n_objectives; k++) {
        const char *name = f->opts.objectives[k].name;
        if (is_known_field(name)) continue;
        int found = 0;
        if (f->rs) {
            size_t j = cf_runset_param_find(f->rs, name);
            found = j != CF_NO_INDEX && cf_runset_param_kind(f->rs, j) != CF_PARAM_CATEGORICAL;
        }
        if (!found)
            return cf_error_set(err, CF_ERR_INVALID, "--objectives", 0, 0, name,
                                "expected accuracy, cost_usd, total_cost_usd, co2e_kg, energy_kwh, gpu_hours, "
                                "wall_hours, carbon_cost_usd or a numeric column of the runs, found '%s'",
                                name);
    }
    return CF_OK;
}

typedef struct keyed {
    double v;
    size_t i;
} keyed;

/* Orders frontier members by their first objective (natural units), ties by input order. */
static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->v < y->v) return -1;
    if (x->v > y->v) return 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

cf_status cf_frontier_compute(cf_frontier *f, cf_error *err)
{
    if (f == NULL || f->cat == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "NULL frontier or catalog");
    if (f->computed) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "frontier already computed");
    size_t d = f->opts.n_objectives;
    if (d < 1 || d > CF_MAX_OBJECTIVES)
        return cf_error_set(err, CF_ERR_INVALID, "--objectives", 0, 0, NULL, "expected 1 to %d objectives, found %zu",
                            CF_MAX_OBJECTIVES, d);
    cf_status st = check_objectives(f, err);
    if (st != CF_OK) return st;
    /* Predicted candidates were added first; observed ones follow, then we reorder to runs first. */
    size_t n_pred = f->n;
    st = add_runs(f, err);
    if (st != CF_OK) return st;
    if (n_pred > 0 && f->n > n_pred) {
        cf_candidate *tmp = malloc(f->n * sizeof *tmp);
        if (tmp == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
        memcpy(tmp, f->cand + n_pred, (f->n - n_pred) * sizeof *tmp);
        memcpy(tmp + (f->n - n_pred), f->cand, n_pred * sizeof *tmp);
        memcpy(f->cand, tmp, f->n * sizeof *tmp);
        free(tmp);
    }
    size_t n = f->n;
    f->computed = 1;
    if (n == 0)
        return cf_error_set(err, CF_ERR_EMPTY, NULL, 0, 0, NULL,
                            "no (run, procurement) pair could be priced: %zu runs accepted, %zu pairs without a price",
                            f->rs ? cf_runset_size(f->rs) : 0, f->unpriced);
    f->obj = malloc(n * d * sizeof *f->obj);
    double *mat = malloc(n * d * sizeof *mat);
    double *norm = malloc(n * d * sizeof *norm);
    f->opt = calloc(n, 1);
    f->rank = malloc(n * sizeof *f->rank);
    f->dom = malloc(n * sizeof *f->dom);
    f->margin = malloc(n * sizeof *f->margin);
    f->order = malloc(n * sizeof *f->order);
    double *front = malloc(n * d * sizeof *front);
    if (!f->obj || !mat || !norm || !f->opt || !f->rank || !f->dom || !f->margin || !f->order || !front) {
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
        goto done;
    }
    double lo[CF_MAX_OBJECTIVES], hi[CF_MAX_OBJECTIVES];
    for (size_t k = 0; k < d; k++) {
        lo[k] = INFINITY;
        hi[k] = -INFINITY;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < d; k++) {
            double v = cf_frontier_field(f, i, f->opts.objectives[k].name);
            f->obj[i * d + k] = v;
            double m = f->opts.objectives[k].maximize ? -v : v;
            mat[i * d + k] = isfinite(m) ? m : NAN;
            if (isfinite(m)) {
                if (m < lo[k]) lo[k] = m;
                if (m > hi[k]) hi[k] = m;
            }
        }
    for (size_t k = 0; k < d; k++)
        if (!(lo[k] <= hi[k])) {
            st = cf_error_set(err, CF_ERR_INVALID, "--objectives", 0, 0, f->opts.objectives[k].name,
                              "no candidate has a value for objective '%s' (is the column empty or absent in the "
                              "runs?)",
                              f->opts.objectives[k].name);
            goto done;
        }
    size_t missing = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < d; k++)
            if (isnan(mat[i * d + k])) {
                missing++;
                break;
            }
    if (missing > 0)
        add_note(f, "%zu candidates lack a value for an objective and take no part in the frontier", missing);
    for (size_t i = 0; i < n * d; i++) {
        size_t k = i % d;
        double span = hi[k] - lo[k];
        norm[i] = isnan(mat[i]) ? NAN : (span > 0 ? (mat[i] - lo[k]) / span : 0.0);
    }
    st = cf_pareto_filter(mat, n, d, f->opt);
    if (st == CF_OK) st = cf_pareto_ranks(mat, n, d, f->rank);
    if (st == CF_OK) st = cf_pareto_dominators(norm, n, d, f->dom, f->margin);
    if (st != CF_OK) {
        cf_error_set(err, st, NULL, 0, 0, NULL, "Pareto computation failed: %s", cf_status_str(st));
        goto done;
    }
    f->n_opt = 0;
    for (size_t i = 0; i < n; i++)
        if (f->opt[i]) f->order[f->n_opt++] = i;
    {
        keyed *ks = malloc((f->n_opt ? f->n_opt : 1) * sizeof *ks);
        if (ks == NULL) {
            st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
            goto done;
        }
        for (size_t j = 0; j < f->n_opt; j++) ks[j] = (keyed){f->obj[f->order[j] * d], f->order[j]};
        qsort(ks, f->n_opt, sizeof *ks, cmp_keyed);
        for (size_t j = 0; j < f->n_opt; j++) f->order[j] = ks[j].i;
        free(ks);
    }
    for (size_t j = 0; j < f->n_opt; j++) memcpy(front + j * d, mat + f->order[j] * d, d * sizeof *front);

    /* Reference point: given (in natural units and directions) or inferred from all candidates. */
    double ref_min[CF_MAX_OBJECTIVES];
    if (f->opts.reference_given) {
        for (size_t k = 0; k < d; k++) {
            f->ref[k] = f->opts.reference[k];
            ref_min[k] = f->opts.objectives[k].maximize ? -f->ref[k] : f->ref[k];
        }
        f->ref_inferred = 0;
    } else {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            int ok = 1;
            for (size_t k = 0; k < d; k++) ok &= !isnan(mat[i * d + k]);
            if (ok) memcpy(norm + m++ * d, mat + i * d, d * sizeof *norm);
        }
        st = cf_reference_point(norm, m, d, 0.1, ref_min);
        if (st != CF_OK) {
            cf_error_set(err, st, NULL, 0, 0, NULL, "could not infer a reference point");
            goto done;
        }
        for (size_t k = 0; k < d; k++) f->ref[k] = f->opts.objectives[k].maximize ? -ref_min[k] : ref_min[k];
        f->ref_inferred = 1;
    }
    st = cf_hypervolume(front, f->n_opt, d, ref_min, &f->hv);
    if (st != CF_OK) {
        cf_error_set(err, st, NULL, 0, 0, NULL, "hypervolume failed: %s", cf_status_str(st));
        goto done;
    }
    /* Huge objective values (a numeric column near 1e300) overflow the product of ranges: say so rather than let
     * the hypervolume turn into a silent null. */
    if (!isfinite(f->hv) && f->n_opt > 0) {
        st = add_note(f, "the hypervolume is too large to represent (objective values near the limit of a double); "
                         "it is reported as null");
        if (st != CF_OK) {
            cf_error_set(err, st, NULL, 0, 0, NULL, "out of memory");
            goto done;
        }
    }
    if (f->n_opt > 0) {
        size_t kj = 0;
        st = cf_pareto_knee(front, f->n_opt, d, &kj);
        if (st != CF_OK) {
            cf_error_set(err, st, NULL, 0, 0, NULL, "knee failed: %s", cf_status_str(st));
            goto done;
        }
        f->knee = f->order[kj];
    }
done:
    free(mat);
    free(norm);
    free(front);
    return st;
}

size_t cf_frontier_candidate_count(const cf_frontier *f) { return f ? f->n : 0; }

const cf_candidate *cf_frontier_candidate(const cf_frontier *f, size_t i)
{
    return (f && i < f->n) ? &f->cand[i] : NULL;
}

const cf_frontier_opts *cf_frontier_options(const cf_frontier *f) { return f ? &f->opts : NULL; }

double cf_frontier_value(const cf_frontier *f, size_t i, size_t k)
{
    if (!f || !f->obj || i >= f->n || k >= f->opts.n_objectives) return NAN;
    return f->obj[i * f->opts.n_objectives + k];
}

int cf_frontier_is_optimal(const cf_frontier *f, size_t i) { return (f && f->opt && i < f->n) ? f->opt[i] : 0; }

size_t cf_frontier_rank(const cf_frontier *f, size_t i)
{
    return (f && f->rank && i < f->n) ? f->rank[i] : CF_NO_INDEX;
}

size_t cf_frontier_optimal_count(const cf_frontier *f) { return f ? f->n_opt : 0; }

size_t cf_frontier_optimal_at(const cf_frontier *f, size_t j)
{
    return (f && j < f->n_opt) ? f->order[j] : CF_NO_INDEX;
}

size_t cf_frontier_dominator(const cf_frontier *f, size_t i, double *margin)
{
    if (margin) *margin = 0;
    if (!f || !f->dom || i >= f->n) return CF_NO_INDEX;
    if (margin && f->dom[i] != CF_NO_INDEX) *margin = f->margin[i];
    return f->dom[i];
}

size_t cf_frontier_knee(const cf_frontier *f) { return f ? f->knee : CF_NO_INDEX; }

double cf_frontier_hypervolume(const cf_frontier *f) { return f ? f->hv : NAN; }

const double *cf_frontier_reference(const cf_frontier *f) { return f ? f->ref : NULL; }

int cf_frontier_reference_inferred(const cf_frontier *f) { return f ? f->ref_inferred : 0; }

size_t cf_frontier_note_count(const cf_frontier *f) { return f ? f->n_notes : 0; }

const char *cf_frontier_note(const cf_frontier *f, size_t i) { return (f && i < f->n_notes) ? f->notes[i] : NULL; }

const char *cf_frontier_note_kind(const cf_frontier *f, size_t i)
{
    if (f == NULL || i >= f->n_notes) return NULL;
    switch (f->note_kinds[i]) {
    case NOTE_KIND_MISSING_PRICE:
        return "have no catalog price under some procurement options";
    case NOTE_KIND_GRAVITY:
        return "went to a dearer compute offer because egress and storage made it cheaper in total (data gravity)";
    case NOTE_KIND_TRANSFER:
        return "lack an egress or storage price under some procurement options";
    default: return NULL;
    }
}

size_t cf_frontier_unpriced_count(const cf_frontier *f) { return f ? f->unpriced : 0; }

int cf_frontier_has_transfer(const cf_frontier *f)
{
    for (size_t i = 0; f && i < f->n; i++)
        if (f->cand[i].price.has_transfer) return 1;
    return 0;
}

/* The unit of the first observed candidate's run: every candidate shares it (check_units). */
static cf_work_unit frontier_unit(const cf_frontier *f)
{
    if (f == NULL || f->rs == NULL) return CF_WORK_NONE;
    for (size_t i = 0; i < f->n; i++) {
        if (f->cand[i].predicted) continue;
        const cf_run *r = cf_runset_get(f->rs, f->cand[i].run_index);
        return r ? r->work_unit : CF_WORK_NONE;
    }
    return CF_WORK_NONE;
}

int cf_frontier_is_inference(const cf_frontier *f) { return frontier_unit(f) != CF_WORK_NONE; }

const char *cf_frontier_work_unit(const cf_frontier *f) { return cf_work_unit_name(frontier_unit(f)); }
