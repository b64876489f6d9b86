/* costfront: the frontier as JSON (see include/costfront/report.h).
 *
 * The tree is built with cJSON in a fixed key order. Numbers are added as raw number text formatted by
 * numfmt.h ("%.10g" under the C locale) rather than by cJSON, whose "%1.15g"/"%1.17g" round trip would expose
 * floating-point noise (0.30000000000000004) and so make golden files brittle across compilers; NaN and infinities
 * become null. The same inputs therefore give byte-identical text.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/output.h"
#include "costfront/report.h"
#include "reports/numfmt.h"
#include "reports/report_internal.h"

/* Builder state: a sticky out-of-memory flag, so construction stays linear. */
typedef struct jb {
    int oom;
} jb;

/* Attaches item to obj under key (or to an array when key is NULL); records a failure. */
static cJSON *attach(jb *b, cJSON *obj, const char *key, cJSON *item)
{
    if (item == NULL) {
        b->oom = 1;
        return NULL;
    }
    if (obj == NULL) {
        cJSON_Delete(item);
        b->oom = 1;
        return NULL;
    }
    if (key != NULL)
        cJSON_AddItemToObject(obj, key, item);
    else
        cJSON_AddItemToArray(obj, item);
    return item;
}

/* A number as raw "%.10g" text, or null. */
static cJSON *jnum(double v)
{
    if (!isfinite(v)) return cJSON_CreateNull();
    char buf[CF_NUM_BUF];
    return cJSON_CreateRaw(cf_fmt_g10(buf, v, "null"));
}

/* A string, or null for NULL. */
static cJSON *jstr(const char *s) { return s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull(); }

static void put_num(jb *b, cJSON *o, const char *k, double v) { attach(b, o, k, jnum(v)); }
static void put_str(jb *b, cJSON *o, const char *k, const char *s) { attach(b, o, k, jstr(s)); }
static void put_bool(jb *b, cJSON *o, const char *k, int v) { attach(b, o, k, cJSON_CreateBool(v != 0)); }

/* A count as a number (counts are far below 2^53, so %.10g would be wrong only past 10 digits: print exactly). */
static void put_count(jb *b, cJSON *o, const char *k, size_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%zu", v);
    attach(b, o, k, cJSON_CreateRaw(buf));
}

/* Adds the run id and procurement of candidate i to o. */
static void put_ident(jb *b, cJSON *o, const cf_frontier *f, size_t i)
{
    const cf_candidate *c = cf_frontier_candidate(f, i);
    put_str(b, o, "run_id", c != NULL ? c->run_id : NULL);
    put_str(b, o, "procurement", c != NULL ? cf_procurement_name(c->price.option) : NULL);
}

/* One frontier entry with every field the reports show. */
static cJSON *frontier_entry(jb *b, const cf_frontier *f, size_t i)
{
    const cf_candidate *c = cf_frontier_candidate(f, i);
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || c == NULL) {
        cJSON_Delete(o);
        b->oom = 1;
        return NULL;
    }
    const cf_price *p = &c->price;
    put_ident(b, o, f, i);
    put_str(b, o, "hardware", c->hardware);
    put_str(b, o, "precision", cf_precision_name(c->precision));
    put_num(b, o, "pruning", c->pruning);
    put_num(b, o, "accuracy", c->accuracy);
    put_num(b, o, "cost_usd", p->cost_usd);
    put_num(b, o, "co2e_kg", p->co2e_kg);
    put_num(b, o, "total_cost_usd", p->total_cost_usd);
    put_num(b, o, "energy_kwh", p->energy_kwh);
    put_num(b, o, "embodied_kgco2e", p->embodied_kgco2e);
    put_num(b, o, "carbon_cost_usd", p->carbon_cost_usd);
    put_num(b, o, "gpu_hours", c->gpu_hours);
    put_num(b, o, "billed_gpu_hours", p->billed_gpu_hours);
    put_str(b, o, "provider", cf_rep_provider(c));
    put_str(b, o, "region", cf_rep_region(c));
    put_num(b, o, "price_per_hour", p->price_per_hour);
    put_num(b, o, "overhead_fraction", p->overhead_fraction);
    if (cf_frontier_has_transfer(f)) { /* issue 16: cost_usd's parts, only for runs that move or keep data */
        put_num(b, o, "compute_cost_usd", p->compute_cost_usd);
        put_num(b, o, "egress_cost_usd", p->egress_cost_usd);
        put_num(b, o, "storage_cost_usd", p->storage_cost_usd);
        put_num(b, o, "egress_gb", p->egress_gb);
        put_str(b, o, "egress_path", p->egress_path);
        char loc[300];
        if (p->data_src) snprintf(loc, sizeof loc, "%s/%s", p->data_src->provider, p->data_src->region);
        put_str(b, o, "data_location", p->data_src ? loc : NULL);
        put_num(b, o, "storage_gb", p->storage_gb);
        put_num(b, o, "checkpoints_written", p->checkpoints_written);
        put_num(b, o, "checkpoints_kept", p->checkpoints_kept);
    }
    if (!c->predicted && cf_frontier_is_inference(f)) {
        /* issue 11: an inference run's figures are per 1M units of its throughput */
        const char *u = cf_frontier_work_unit(f);
        static const char *const pat[] = {"cost_per_1m_%s_usd", "total_cost_per_1m_%s_usd", "energy_kwh_per_1m_%s",
                                          "co2e_kg_per_1m_%s", "gpu_hours_per_1m_%s"};
        put_str(b, o, "throughput_unit", u);
        put_num(b, o, "throughput_per_s", cf_frontier_field(f, i, "throughput_per_s"));
        put_num(b, o, "num_gpus", cf_frontier_field(f, i, "num_gpus"));
        for (size_t k = 0; k < sizeof pat / sizeof *pat; k++) {
            char nm[64];
            snprintf(nm, sizeof nm, pat[k], u);
            put_num(b, o, nm, cf_frontier_field(f, i, nm));
        }
        static const char *const opt_fields[] = {"cost_per_1m_input_tokens_usd", "cost_per_1m_output_tokens_usd",
                                                 "input_tokens_per_s", "output_tokens_per_s", "input_output_ratio",
                                                 "ttft_ms", "tpot_ms", "latency_p50_ms", "latency_p99_ms", "power_w"};
        for (size_t k = 0; k < sizeof opt_fields / sizeof *opt_fields; k++) {
            double v = cf_frontier_field(f, i, opt_fields[k]);
            if (isfinite(v)) put_num(b, o, opt_fields[k], v);
        }
        if (p->energy_measured) put_bool(b, o, "energy_measured", 1);
    }
    put_bool(b, o, "predicted", c->predicted);
    const cf_frontier_opts *opts = cf_frontier_options(f);
    cJSON *vals = attach(b, o, "values", cJSON_CreateArray());
    for (size_t k = 0; opts != NULL && k < opts->n_objectives; k++)
        attach(b, vals, NULL, jnum(cf_frontier_value(f, i, k)));
    if (c->predicted) {
        cJSON *iv = attach(b, o, "intervals", cJSON_CreateObject());
        cJSON *a = attach(b, iv, "accuracy", cJSON_CreateArray());
        attach(b, a, NULL, jnum(c->accuracy_lo));
        attach(b, a, NULL, jnum(c->accuracy_hi));
        cJSON *t = attach(b, iv, "total_cost_usd", cJSON_CreateArray());
        attach(b, t, NULL, jnum(c->cost_lo));
        attach(b, t, NULL, jnum(c->cost_hi));
    }
    if (c->note != NULL) put_str(b, o, "note", c->note);
    return o;
}

/* Builds the whole document. */
/* Keys an entry of "knee" or "dominated" always has; an objective of the same name is not repeated under it. */
static int fixed_key(const char *k)
{
    static const char *const keys[] = {"run_id", "procurement", "rank", "dominated_by", "margin", "on_frontier"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(k, keys[i])) return 1;
    return 0;
}

/* Puts candidate i's value of every objective in use under the objective's name (issue 9: "dominated" always
 * carried accuracy and total_cost_usd whatever the objectives). */
static void put_objectives(jb *b, cJSON *o, const cf_frontier *f, size_t i)
{
    const cf_frontier_opts *opts = cf_frontier_options(f);
    for (size_t k = 0; opts != NULL && k < opts->n_objectives; k++)
        if (!fixed_key(opts->objectives[k].name) && !cJSON_HasObjectItem(o, opts->objectives[k].name))
            put_num(b, o, opts->objectives[k].name, cf_frontier_value(f, i, k));
}

/* The "target" object: the target accuracy, the cheapest candidate reaching it (or null) and, when none does, the
 * most accurate candidate and why. */
static void put_target(jb *b, cJSON *root, const cf_frontier *f, double target)
{
    cJSON *t = attach(b, root, "target", cJSON_CreateObject());
    put_num(b, t, "accuracy", target);
    const char *cost = cf_rep_cost_objective(f);
    put_str(b, t, "cheapest_by", cost);
    size_t top = CF_REP_NONE, best = cf_rep_target_best(f, target, &top);
    if (best != CF_REP_NONE) {
        const cf_candidate *c = cf_frontier_candidate(f, best);
        cJSON *o = attach(b, t, "cheapest", cJSON_CreateObject());
        put_ident(b, o, f, best);
        put_num(b, o, "accuracy", c->accuracy);
        put_num(b, o, cost, cf_frontier_field(f, best, cost));
        put_objectives(b, o, f, best);
        put_bool(b, o, "on_frontier", cf_frontier_is_optimal(f, best));
    } else {
        attach(b, t, "cheapest", cJSON_CreateNull());
    }
    if (best == CF_REP_NONE && top != CF_REP_NONE) {
        cJSON *o = attach(b, t, "most_accurate", cJSON_CreateObject());
        put_ident(b, o, f, top);
        put_num(b, o, "accuracy", cf_frontier_candidate(f, top)->accuracy);
        put_num(b, o, cost, cf_frontier_field(f, top, cost));
    }
    if (best == CF_REP_NONE)
        put_str(b, t, "reason", top == CF_REP_NONE ? "no run has an accuracy" : "no run reaches the target accuracy");
}

/* Stands for the dominated entries in the tree: raw text with control bytes, which no cJSON string can print
 * (they come out escaped), so it cannot collide with any value. */
#define DOMINATED_MARK "\001cf-dominated\001"

/* One dominated entry: identity, accuracy, total cost, objectives, rank, dominator and margin. */
static cJSON *dominated_entry(jb *b, const cf_frontier *f, size_t i)
{
    const cf_candidate *c = cf_frontier_candidate(f, i);
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) {
        b->oom = 1;
        return NULL;
    }
    put_ident(b, o, f, i);
    put_num(b, o, "accuracy", c->accuracy);
    put_num(b, o, "total_cost_usd", c->price.total_cost_usd);
    put_objectives(b, o, f, i);
    size_t rank = cf_frontier_rank(f, i);
    if (rank == CF_REP_NONE)
        attach(b, o, "rank", cJSON_CreateNull());
    else
        put_count(b, o, "rank", rank);
    double margin = NAN;
    size_t by = cf_frontier_dominator(f, i, &margin);
    if (by != CF_REP_NONE) {
        cJSON *db = attach(b, o, "dominated_by", cJSON_CreateObject());
        put_ident(b, db, f, by);
        put_num(b, o, "margin", margin);
    } else {
        attach(b, o, "dominated_by", cJSON_CreateNull());
        put_num(b, o, "margin", NAN);
    }
    return o;
}

static cJSON *build(jb *b, const cf_frontier *f, const cf_runset *rs, const cf_catalog *cat, double target)
{
    cJSON *root = cJSON_CreateObject();
    if (root == NULL) {
        b->oom = 1;
        return NULL;
    }
    const cf_frontier_opts *opts = cf_frontier_options(f);
    size_t d = opts != NULL ? opts->n_objectives : 0, n = cf_frontier_candidate_count(f);
    put_str(b, root, "version", cf_version());

    cJSON *objs = attach(b, root, "objectives", cJSON_CreateArray());
    for (size_t k = 0; k < d; k++) {
        cJSON *o = attach(b, objs, NULL, cJSON_CreateObject());
        put_str(b, o, "name", opts->objectives[k].name);
        put_str(b, o, "direction", opts->objectives[k].maximize ? "max" : "min");
    }
    cJSON *ref = attach(b, root, "reference_point", cJSON_CreateArray());
    const double *r = cf_frontier_reference(f);
    for (size_t k = 0; k < d; k++) attach(b, ref, NULL, jnum(r != NULL ? r[k] : NAN));
    put_bool(b, root, "reference_inferred", cf_frontier_reference_inferred(f));
    put_num(b, root, "hypervolume", cf_frontier_hypervolume(f));

    size_t nopt = cf_frontier_optimal_count(f);
    cJSON *counts = attach(b, root, "counts", cJSON_CreateObject());
    if (rs != NULL) {
        put_count(b, counts, "read", cf_runset_read(rs));
        put_count(b, counts, "accepted", cf_runset_size(rs));
        put_count(b, counts, "rejected", cf_runset_rejected(rs));
    }
    put_count(b, counts, "candidates", n);
    put_count(b, counts, "unpriced", cf_frontier_unpriced_count(f));
    put_count(b, counts, "frontier", nopt);
    put_count(b, counts, "dominated", n - nopt);

    size_t knee = cf_frontier_knee(f);
    const cf_candidate *kc = knee != CF_REP_NONE ? cf_frontier_candidate(f, knee) : NULL;
    if (kc != NULL) {
        cJSON *k = attach(b, root, "knee", cJSON_CreateObject());
        put_ident(b, k, f, knee);
        put_num(b, k, "accuracy", kc->accuracy);
        put_num(b, k, "total_cost_usd", kc->price.total_cost_usd);
        put_objectives(b, k, f, knee);
    } else {
        attach(b, root, "knee", cJSON_CreateNull());
    }
    if (isfinite(target)) put_target(b, root, f, target);

    cJSON *front = attach(b, root, "frontier", cJSON_CreateArray());
    for (size_t j = 0; j < nopt; j++) attach(b, front, NULL, frontier_entry(b, f, cf_frontier_optimal_at(f, j)));

    /* The dominated list is most of a large report: the streaming writer leaves a marker in its place and writes
     * its entries one by one (cf_report_json_stream). */
    cJSON *dom = attach(b, root, "dominated", cJSON_CreateArray());
    if (n > nopt) attach(b, dom, NULL, cJSON_CreateRaw(DOMINATED_MARK));

    /* Hardware whose totals carry no carbon (no board power in the catalog); only when there is some, so that the
     * JSON of a fully priced frontier is unchanged. */
    cf_rep_unpowered_hw *up = NULL;
    size_t nup = 0;
    int mixed = 0;
    if (cf_rep_unpowered(f, &up, &nup, &mixed) != CF_OK) b->oom = 1;
    if (nup > 0) {
        cJSON *ne = attach(b, root, "no_energy_hardware", cJSON_CreateArray());
        for (size_t i = 0; i < nup; i++) {
            cJSON *o = attach(b, ne, NULL, cJSON_CreateObject());
            put_str(b, o, "hardware", up[i].hardware);
            put_count(b, o, "runs", up[i].runs);
            put_str(b, o, "reason", "no board_power_w in the catalog: no energy, CO2e or carbon cost");
            put_bool(b, o, "totals_unlike_others", mixed);
        }
    }
    free(up);

    cJSON *rej = attach(b, root, "rejects", cJSON_CreateArray());
    for (size_t i = 0; rs != NULL && i < cf_runset_rejected(rs); i++) {
        const cf_reject *x = cf_runset_reject(rs, i);
        if (x == NULL) continue;
        cJSON *o = attach(b, rej, NULL, cJSON_CreateObject());
        put_str(b, o, "source", x->source);
        put_count(b, o, "line", x->line > 0 ? (size_t)x->line : 0);
        put_count(b, o, "column", x->column > 0 ? (size_t)x->column : 0);
        put_str(b, o, "field", x->field != NULL ? x->field : "");
        put_str(b, o, "message", x->message);
    }

    cJSON *notes = attach(b, root, "notes", cJSON_CreateArray());
    for (size_t i = 0; rs != NULL && i < cf_runset_note_count(rs); i++)
        attach(b, notes, NULL, jstr(cf_runset_note(rs, i)));
    for (size_t i = 0; i < cf_frontier_note_count(f); i++) attach(b, notes, NULL, jstr(cf_frontier_note(f, i)));

    cJSON *pr = attach(b, root, "pricing", cJSON_CreateObject());
    const char *src = NULL;
    double cp = cf_rep_carbon_price(f, cat, &src);
    put_num(b, pr, "carbon_price_usd_per_t", cp);
    put_str(b, pr, "carbon_price_source", src);
    cJSON *spot = attach(b, pr, "spot", cJSON_CreateObject());
    if (opts != NULL) {
        put_num(b, spot, "checkpoint_minutes", opts->pricing.spot.checkpoint_hours * 60.0);
        put_num(b, spot, "restart_minutes", opts->pricing.spot.restart_hours * 60.0);
        put_str(b, spot, "interval", opts->pricing.spot.use_daly ? "daly" : "young");
    }
    cJSON *used = attach(b, pr, "offers_used", cJSON_CreateArray());
    const cf_offer **offers = NULL;
    size_t no = 0;
    if (cf_rep_offers_used(f, &offers, &no) != CF_OK) b->oom = 1;
    for (size_t i = 0; i < no; i++) {
        cJSON *o = attach(b, used, NULL, cJSON_CreateObject());
        put_str(b, o, "provider", offers[i]->provider);
        put_str(b, o, "region", offers[i]->region);
        put_str(b, o, "hardware", offers[i]->hardware);
        put_num(b, o, "on_demand", offers[i]->on_demand);
        put_num(b, o, "spot", offers[i]->spot);
        put_num(b, o, "reserved_1y", offers[i]->reserved_1y);
        put_num(b, o, "reserved_3y", offers[i]->reserved_3y);
        put_num(b, o, "spot_interruptions_per_hour", offers[i]->spot_interruptions_per_hour);
        put_str(b, o, "source", offers[i]->source);
        put_str(b, o, "as_of", offers[i]->as_of);
    }
    free(offers);
    if (cf_frontier_has_transfer(f)) { /* issue 16: the egress and storage figures used, with their sources */
        cJSON *eu = attach(b, pr, "egress_used", cJSON_CreateArray());
        cJSON *su = attach(b, pr, "storage_used", cJSON_CreateArray());
        size_t nc = cf_frontier_candidate_count(f);
        for (size_t i = 0; i < nc; i++) {
            const cf_price *p = &cf_frontier_candidate(f, i)->price;
            int seen_e = p->data_src == NULL, seen_s = p->storage_src == NULL;
            for (size_t j = 0; j < i && !(seen_e && seen_s); j++) {
                const cf_price *q = &cf_frontier_candidate(f, j)->price;
                seen_e |= q->data_src == p->data_src;
                seen_s |= q->storage_src == p->storage_src;
            }
            if (!seen_e) {
                cJSON *o = attach(b, eu, NULL, cJSON_CreateObject());
                put_str(b, o, "provider", p->data_src->provider);
                put_str(b, o, "region", p->data_src->region);
                put_str(b, o, "network", p->data_src->network);
                put_num(b, o, "same_region", p->data_src->same_region);
                put_num(b, o, "inter_region", p->data_src->inter_region);
                put_num(b, o, "internet", p->data_src->internet);
                put_str(b, o, "source", p->data_src->source);
                put_str(b, o, "as_of", p->data_src->as_of);
            }
            if (!seen_s) {
                cJSON *o = attach(b, su, NULL, cJSON_CreateObject());
                put_str(b, o, "provider", p->storage_src->provider);
                put_str(b, o, "region", p->storage_src->region);
                put_num(b, o, "object_standard", p->storage_src->usd_per_gb_month[CF_STORAGE_OBJECT_STANDARD]);
                put_num(b, o, "object_infrequent", p->storage_src->usd_per_gb_month[CF_STORAGE_OBJECT_INFREQUENT]);
                put_num(b, o, "block_ssd", p->storage_src->usd_per_gb_month[CF_STORAGE_BLOCK_SSD]);
                put_str(b, o, "source", p->storage_src->source);
                put_str(b, o, "as_of", p->storage_src->as_of);
            }
        }
    }
    return root;
}

cf_status cf_report_json(const cf_frontier *f, const cf_runset *rs, const cf_catalog *cat, char **out, cf_error *err)
{
    return cf_report_json_opts(f, rs, cat, NULL, out, err);
}

/* Writes text to out with depth tabs after every newline: an entry printed alone by cJSON_Print, placed at that
 * depth of the whole document (strings never hold a raw newline: cJSON escapes it). */
static void put_indented(FILE *out, const char *text, int depth)
{
    for (const char *p = text; *p; p++) {
        const char *nl = strchr(p, '\n');
        if (nl == NULL) {
            fputs(p, out);
            return;
        }
        fwrite(p, 1, (size_t)(nl - p) + 1, out);
        for (int k = 0; k < depth; k++) fputc('\t', out);
        p = nl;
    }
}

cf_status cf_report_json_stream(const cf_frontier *f, const cf_runset *rs, const cf_catalog *cat,
                                const cf_report_opts *o, FILE *out, cf_error *err)
{
    if (f == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_report_json needs a frontier and an output");
    jb b = {0};
    cJSON *root = build(&b, f, rs, cat, o != NULL ? o->target_accuracy : NAN);
    char *text = (root != NULL && !b.oom) ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (text == NULL)
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory building the JSON report");
    const char *mark = strstr(text, DOMINATED_MARK);
    if (mark == NULL) {
        fputs(text, out);
    } else {
        /* The whole document but the dominated entries, which are built, printed and freed one at a time:
         * memory stays that of one entry however many there are. */
        fwrite(text, 1, (size_t)(mark - text), out);
        size_t n = cf_frontier_candidate_count(f), written = 0;
        for (size_t i = 0; i < n && !b.oom; i++) {
            if (cf_frontier_is_optimal(f, i)) continue;
            cJSON *e = dominated_entry(&b, f, i);
            char *et = (e != NULL && !b.oom) ? cJSON_Print(e) : NULL;
            cJSON_Delete(e);
            if (et == NULL) {
                b.oom = 1;
                break;
            }
            if (written++ > 0) fputs(", ", out);
            put_indented(out, et, 2);
            cJSON_free(et);
        }
        fputs(mark + strlen(DOMINATED_MARK), out);
    }
    cJSON_free(text);
    if (b.oom) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory building the JSON report");
    fputc('\n', out);
    if (ferror(out)) return cf_error_set(err, CF_ERR_IO, NULL, 0, 0, NULL, "could not write the JSON report");
    return CF_OK;
}

cf_status cf_report_json_opts(const cf_frontier *f, const cf_runset *rs, const cf_catalog *cat, const cf_report_opts *o,
                              char **out, cf_error *err)
{
    if (out != NULL) *out = NULL;
    if (f == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_report_json needs a frontier and an output");
    /* The same writer as the streamed output, into memory: one code path, byte-identical text. */
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (mem == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory building the JSON report");
    cf_status st = cf_report_json_stream(f, rs, cat, o, mem, err);
    int closed = fclose(mem) == 0;
    /* A memory stream fails to write only when its buffer cannot grow. */
    if (st == CF_ERR_IO || (st == CF_OK && (!closed || buf == NULL)))
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory building the JSON report");
    if (st != CF_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    return CF_OK;
}

cf_status cf_report_json_write(const cf_frontier *f, const cf_runset *rs, const cf_catalog *cat, const char *path,
                               cf_error *err)
{
    cf_atomic_file *af = NULL;
    cf_status st = cf_atomic_open(path, &af, err);
    if (st != CF_OK) return st;
    st = cf_report_json_stream(f, rs, cat, NULL, cf_atomic_stream(af), err);
    if (st != CF_OK) {
        cf_atomic_abort(af);
        return st;
    }
    return cf_atomic_commit(af, err);
}
