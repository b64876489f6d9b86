/* costfront: JSON-in / JSON-out entry points for foreign-function interfaces (see bindings.h). They load inputs as
 * the commands do (cli/common.c), but report through cf_error instead of printing, and return text. */
#include "costfront/bindings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "costfront/catalog.h"
#include "costfront/frontier.h"
#include "costfront/prune.h"
#include "costfront/records.h"
#include "costfront/report.h"
#include "costfront/runset.h"
#include "costfront/sources.h"
#include "costfront/store.h"
#include "costfront/surrogate.h"
#include "costfront/tco.h"

/* What a request's inputs load: the catalog, the column mapping and the runs. */
typedef struct {
    cf_catalog *catalog;
    cf_colmap *map;
    cf_runset *runs;
    int keep_going;
} bind_inputs;

/* Frees what load_inputs made and zeroes in. */
static void inputs_free(bind_inputs *in)
{
    cf_runset_destroy(in->runs);
    cf_colmap_destroy(in->map);
    cf_catalog_destroy(in->catalog);
    memset(in, 0, sizeof *in);
}

/* Parses the request text into *root, which must be a JSON object. */
static cf_status parse_request(const char *request, cJSON **root, cf_error *err)
{
    *root = request ? cJSON_Parse(request) : NULL;
    if (*root == NULL) return cf_error_set(err, CF_ERR_PARSE, "request", 0, 0, NULL, "Expected a JSON object.");
    if (!cJSON_IsObject(*root)) {
        cJSON_Delete(*root);
        *root = NULL;
        return cf_error_set(err, CF_ERR_PARSE, "request", 0, 0, NULL, "Expected a JSON object.");
    }
    return CF_OK;
}

/* Reads the optional string member key of o into *out (NULL when absent or null). */
static cf_status opt_str(const cJSON *o, const char *key, const char **out, cf_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NULL;
    if (v == NULL || cJSON_IsNull(v)) return CF_OK;
    if (!cJSON_IsString(v)) return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, key, "Expected a string.");
    *out = v->valuestring;
    return CF_OK;
}

/* Reads the optional number member key of o into *out (NaN when absent or null); it must be finite. */
static cf_status opt_num(const cJSON *o, const char *key, double *out, cf_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NAN;
    if (v == NULL || cJSON_IsNull(v)) return CF_OK;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, key, "Expected a finite number.");
    *out = v->valuedouble;
    return CF_OK;
}

/* Reads the optional boolean member key of o into *out (0 when absent). */
static cf_status opt_bool(const cJSON *o, const char *key, int *out, cf_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = 0;
    if (v == NULL || cJSON_IsNull(v)) return CF_OK;
    if (!cJSON_IsBool(v)) return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, key, "Expected true or false.");
    *out = cJSON_IsTrue(v);
    return CF_OK;
}

/* Reads one source of any kind into rs, as the commands do: CSV and JSON through the runset's readers (which
 * locate errors by line and column), the other places runs live through their readers' records. */
static cf_status read_any(cf_runset *rs, const char *path, cf_error *err)
{
    cf_source_kind kind = CF_SOURCE_UNKNOWN;
    cf_error probe;
    cf_error_clear(&probe);
    if (cf_detect_source(path, &kind, &probe) != CF_OK || kind == CF_SOURCE_CSV || kind == CF_SOURCE_JSON)
        return cf_read_runs(rs, path, err);
    cf_records *recs = cf_records_create();
    if (recs == NULL) return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "Out of memory.");
    cf_status st = cf_read_source(path, recs, err);
    if (st == CF_OK) st = cf_records_to_runset(recs, rs, err);
    cf_records_destroy(recs);
    return st;
}

/* Loads the catalog, mapping and runs named by the request's inputs (bindings.h) into in. */
static cf_status load_inputs(const cJSON *req, bind_inputs *in, cf_error *err)
{
    memset(in, 0, sizeof *in);
    const char *catalog = NULL, *map_file = NULL, *map = NULL, *unit = NULL, *store = NULL;
    int catalog_only = 0;
    double carbon = NAN;
    cf_status st = opt_str(req, "catalog", &catalog, err);
    if (st == CF_OK) st = opt_bool(req, "catalog_only", &catalog_only, err);
    if (st == CF_OK) st = opt_str(req, "map_file", &map_file, err);
    if (st == CF_OK) st = opt_str(req, "map", &map, err);
    if (st == CF_OK) st = opt_str(req, "accuracy_unit", &unit, err);
    if (st == CF_OK) st = opt_str(req, "store", &store, err);
    if (st == CF_OK) st = opt_bool(req, "keep_going", &in->keep_going, err);
    if (st == CF_OK) st = opt_num(req, "carbon_price", &carbon, err);
    if (st) return st;
    const cJSON *paths = cJSON_GetObjectItemCaseSensitive(req, "paths");
    if (paths != NULL && !cJSON_IsNull(paths) && !cJSON_IsArray(paths))
        return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "paths", "Expected a list of file names.");
    int npaths = paths ? cJSON_GetArraySize(paths) : 0;
    for (int i = 0; i < npaths; i++)
        if (!cJSON_IsString(cJSON_GetArrayItem(paths, i))) {
            char f[32];
            snprintf(f, sizeof f, "paths[%d]", i);
            return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, f, "Expected a file name.");
        }
    if (npaths == 0 && store == NULL)
        return cf_error_set(err, CF_ERR_ARG, "request", 0, 0, "paths",
                            "No runs given: name one or more files of runs, or a store.");
    if (catalog_only && catalog == NULL)
        return cf_error_set(err, CF_ERR_ARG, "request", 0, 0, "catalog_only", "catalog_only needs a catalog file.");
    if (carbon < 0)
        return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "carbon_price", "Expected a non-negative number.");
    int percent = -1;
    if (unit && !strcmp(unit, "fraction"))
        percent = 0;
    else if (unit && !strcmp(unit, "percent"))
        percent = 1;
    else if (unit && strcmp(unit, "detect"))
        return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "accuracy_unit",
                            "Expected fraction, percent or detect, found '%s'.", unit);
    in->catalog = cf_catalog_create();
    in->map = cf_colmap_create();
    if (in->catalog == NULL || in->map == NULL)
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    if (!catalog_only) st = cf_catalog_load_default(in->catalog, err);
    if (st == CF_OK && catalog) st = cf_catalog_load_file(in->catalog, catalog, err);
    if (st) return st;
    if (isfinite(carbon)) cf_catalog_set_carbon_price(in->catalog, carbon);
    if (map_file && (st = cf_colmap_load(in->map, map_file, err)) != CF_OK) return st;
    if (map && (st = cf_colmap_parse_pairs(in->map, map, err)) != CF_OK) return st;
    if (percent != -1 || map_file == NULL) cf_colmap_set_accuracy_percent(in->map, percent);
    in->runs = cf_runset_create(in->catalog, in->map);
    if (in->runs == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    for (int i = 0; i < npaths && st == CF_OK; i++)
        st = read_any(in->runs, cJSON_GetArrayItem(paths, i)->valuestring, err);
    if (st == CF_OK && store) {
        cf_store *db = NULL;
        st = cf_store_open(store, &db, err);
        if (st == CF_OK) st = cf_store_load(db, in->runs, err);
        cf_store_close(db);
    }
    return st;
}

/* Adds key: s (null when s is NULL) to o. */
static void add_str(cJSON *o, const char *key, const char *s)
{
    cJSON_AddItemToObject(o, key, s ? cJSON_CreateString(s) : cJSON_CreateNull());
}

/* Adds key: v (null when v is not finite) to o. */
static void add_num(cJSON *o, const char *key, double v)
{
    cJSON_AddItemToObject(o, key, isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

/* Prints root unformatted into *out and frees it; CF_ERR_NOMEM when anything ran short (root NULL included). */
static cf_status finish_json(cJSON *root, char **out, cf_error *err)
{
    *out = root ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    return *out ? CF_OK : cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
}

/* The runs, rejects and notes of rs as the JSON of cf_bind_read_runs. */
static cJSON *runs_json(const cf_runset *rs)
{
    static const char *const kinds[] = {"numeric", "integer", "categorical"};
    cJSON *root = cJSON_CreateObject(), *counts = cJSON_AddObjectToObject(root, "counts");
    cJSON_AddNumberToObject(counts, "read", (double)cf_runset_read(rs));
    cJSON_AddNumberToObject(counts, "accepted", (double)cf_runset_size(rs));
    cJSON_AddNumberToObject(counts, "rejected", (double)cf_runset_rejected(rs));
    size_t np = cf_runset_param_count(rs);
    cJSON *params = cJSON_AddArrayToObject(root, "params");
    for (size_t j = 0; j < np; j++) {
        cJSON *p = cJSON_CreateObject();
        add_str(p, "name", cf_runset_param_name(rs, j));
        cf_param_kind k = cf_runset_param_kind(rs, j);
        add_str(p, "kind", kinds[(unsigned)k < 3 ? k : 2]);
        cJSON_AddItemToArray(params, p);
    }
    cJSON *runs = cJSON_AddArrayToObject(root, "runs");
    for (size_t i = 0; i < cf_runset_size(rs); i++) {
        const cf_run *r = cf_runset_get(rs, i);
        cJSON *o = cJSON_CreateObject();
        add_str(o, "run_id", r->run_id);
        add_num(o, "accuracy", r->accuracy);
        add_num(o, "gpu_hours", r->gpu_hours);
        add_num(o, "wall_hours", r->wall_hours);
        add_num(o, "num_gpus", r->num_gpus);
        add_str(o, "precision", r->precision == CF_PREC_UNKNOWN ? NULL : cf_precision_name(r->precision));
        add_num(o, "pruning", r->pruning);
        add_str(o, "hardware", r->hardware);
        add_str(o, "region", r->region);
        add_str(o, "provider", r->provider);
        add_str(o, "procurement", r->procurement);
        add_str(o, "model", r->model);
        add_str(o, "dataset", r->dataset);
        add_str(o, "project", r->project);
        add_str(o, "source", r->source);
        cJSON_AddNumberToObject(o, "line", (double)r->line);
        cJSON *pv = cJSON_AddObjectToObject(o, "params");
        for (size_t j = 0; j < np; j++) {
            const char *name = cf_runset_param_name(rs, j);
            if (cf_runset_param_kind(rs, j) == CF_PARAM_CATEGORICAL)
                add_str(pv, name, cf_runset_param_str(rs, i, j));
            else
                add_num(pv, name, cf_runset_param_num(rs, i, j));
        }
        cJSON_AddItemToArray(runs, o);
    }
    cJSON *rej = cJSON_AddArrayToObject(root, "rejects");
    for (size_t i = 0; i < cf_runset_rejected(rs); i++) {
        const cf_reject *r = cf_runset_reject(rs, i);
        cJSON *o = cJSON_CreateObject();
        add_str(o, "source", r->source);
        cJSON_AddNumberToObject(o, "line", (double)r->line);
        cJSON_AddNumberToObject(o, "column", (double)r->column);
        add_str(o, "field", r->field ? r->field : "");
        add_str(o, "message", r->message ? r->message : "rejected");
        add_str(o, "raw", r->raw ? r->raw : "");
        cJSON_AddItemToArray(rej, o);
    }
    cJSON *notes = cJSON_AddArrayToObject(root, "notes");
    for (size_t i = 0; i < cf_runset_note_count(rs); i++)
        cJSON_AddItemToArray(notes, cJSON_CreateString(cf_runset_note(rs, i)));
    return root;
}

cf_status cf_bind_read_runs(const char *request, char **out, cf_error *err)
{
    if (out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_bind_read_runs needs an output.");
    *out = NULL;
    cJSON *req = NULL;
    cf_status st = parse_request(request, &req, err);
    if (st) return st;
    bind_inputs in;
    st = load_inputs(req, &in, err);
    if (st == CF_OK) st = finish_json(runs_json(in.runs), out, err);
    inputs_free(&in);
    cJSON_Delete(req);
    return st;
}

/* Refuses runs with rejected records (unless keep_going) or with no accepted run, as the commands do. */
static cf_status check_runs(const bind_inputs *in, cf_error *err)
{
    size_t nrej = cf_runset_rejected(in->runs);
    if (nrej > 0 && !in->keep_going) {
        const cf_reject *r = cf_runset_reject(in->runs, 0);
        char msg[400];
        cf_text_escape(msg, sizeof msg, r->message ? r->message : "rejected");
        return cf_error_set(err, CF_ERR_INVALID, r->source, r->line, r->column, r->field,
                            "%s (input refused: %zu bad record%s; fix them, or set keep_going to use the good ones)",
                            msg, nrej, nrej == 1 ? "" : "s");
    }
    if (cf_runset_size(in->runs) == 0) return cf_error_set(err, CF_ERR_EMPTY, NULL, 0, 0, NULL, "No run was accepted.");
    return CF_OK;
}

/* Reads "objectives" (a text or a list of names) into o. */
static cf_status read_objectives(const cJSON *req, cf_frontier_opts *o, cf_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "objectives");
    if (v == NULL || cJSON_IsNull(v)) return CF_OK;
    char spec[1024] = "";
    if (cJSON_IsString(v)) {
        snprintf(spec, sizeof spec, "%s", v->valuestring);
    } else if (cJSON_IsArray(v)) {
        size_t len = 0;
        for (const cJSON *it = v->child; it; it = it->next) {
            if (!cJSON_IsString(it))
                return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "objectives",
                                    "Expected names such as \"accuracy:max\".");
            int n = snprintf(spec + len, sizeof spec - len, "%s%s", len ? "," : "", it->valuestring);
            if (n < 0 || (size_t)n >= sizeof spec - len)
                return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "objectives", "Too long.");
            len += (size_t)n;
        }
    } else {
        return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "objectives",
                            "Expected a text such as \"accuracy:max,total_cost_usd:min\" or a list of names.");
    }
    cf_status st = cf_objectives_parse(spec, o->objectives, CF_MAX_OBJECTIVES, &o->n_objectives, err);
    if (st && err && err->field[0] == '\0') snprintf(err->field, sizeof err->field, "objectives");
    return st;
}

/* Reads "procurement" ("all", "a,b" or ["a", "b"]) into o's mask; on_prem and hybrid need a TCO plan, which
 * this call does not take. */
static cf_status read_procurement(const cJSON *req, cf_frontier_opts *o, cf_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "procurement");
    if (v == NULL || cJSON_IsNull(v)) return CF_OK;
    char buf[512] = "";
    if (cJSON_IsString(v)) {
        if (!strcmp(v->valuestring, "all")) return CF_OK;
        snprintf(buf, sizeof buf, "%s", v->valuestring);
    } else if (cJSON_IsArray(v)) {
        size_t len = 0;
        for (const cJSON *it = v->child; it; it = it->next) {
            int n = cJSON_IsString(it) ? snprintf(buf + len, sizeof buf - len, "%s%s", len ? "," : "", it->valuestring)
                                       : -1;
            if (n < 0 || (size_t)n >= sizeof buf - len)
                return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "procurement", "Expected option names.");
            len += (size_t)n;
        }
    } else {
        return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "procurement", "Expected a text or a list of names.");
    }
    unsigned mask = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        cf_procurement p;
        if (cf_procurement_parse(t, &p) != CF_OK || p == CF_PROC_ON_PREM || p == CF_PROC_HYBRID)
            return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "procurement",
                                "Expected on_demand, spot, reserved_1y, reserved_3y or all, found '%s'.", t);
        mask |= 1u << p;
    }
    if (mask == 0)
        return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "procurement", "Expected at least one option.");
    o->procurements = mask;
    return CF_OK;
}

/* Reads "reference" (one number per objective) and "where" ({"field": "value"}) into o; o keeps pointers into
 * req, which must outlive the frontier. */
static cf_status read_reference_where(const cJSON *req, cf_frontier_opts *o, cf_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "reference");
    if (v && !cJSON_IsNull(v)) {
        if (!cJSON_IsArray(v) || (size_t)cJSON_GetArraySize(v) != o->n_objectives)
            return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "reference",
                                "Expected %zu numbers (one per objective).", o->n_objectives);
        size_t k = 0;
        for (const cJSON *it = v->child; it; it = it->next, k++) {
            if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
                return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "reference", "Expected finite numbers.");
            o->reference[k] = it->valuedouble;
        }
        o->reference_given = 1;
    }
    v = cJSON_GetObjectItemCaseSensitive(req, "where");
    if (v && !cJSON_IsNull(v)) {
        if (!cJSON_IsObject(v))
            return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "where", "Expected {\"field\": \"value\"}.");
        for (const cJSON *it = v->child; it; it = it->next) {
            if (!cJSON_IsString(it) || it->valuestring[0] == '\0' || it->string[0] == '\0')
                return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "where", "Expected a value for '%s'.",
                                    it->string);
            if (o->n_where >= CF_MAX_WHERE)
                return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "where", "At most %d filters.", CF_MAX_WHERE);
            o->where_field[o->n_where] = it->string;
            o->where_value[o->n_where++] = it->valuestring;
        }
    }
    return CF_OK;
}

cf_status cf_bind_frontier(const char *request, char **out, cf_error *err)
{
    if (out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_bind_frontier needs an output.");
    *out = NULL;
    cJSON *req = NULL;
    cf_status st = parse_request(request, &req, err);
    if (st) return st;
    cf_frontier_opts o;
    cf_frontier_opts_default(&o);
    double target = NAN, ckpt = NAN, restart = NAN;
    const char *format = NULL;
    st = read_objectives(req, &o, err);
    if (st == CF_OK) st = read_procurement(req, &o, err);
    if (st == CF_OK) st = read_reference_where(req, &o, err);
    if (st == CF_OK) st = opt_num(req, "target_accuracy", &target, err);
    if (st == CF_OK) st = opt_num(req, "checkpoint_minutes", &ckpt, err);
    if (st == CF_OK) st = opt_num(req, "restart_minutes", &restart, err);
    if (st == CF_OK) st = opt_str(req, "provider", &o.pricing.provider, err);
    if (st == CF_OK) st = opt_str(req, "region", &o.pricing.region, err);
    if (st == CF_OK) st = opt_str(req, "format", &format, err);
    if (st == CF_OK) st = opt_str(req, "today", &o.price_date, err); /* prices older than a year before it are noted */
    if (st == CF_OK && isfinite(target) && (target < 0 || target > 1))
        st = cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "target_accuracy", "Expected a fraction in [0, 1].");
    if (st == CF_OK && ((isfinite(ckpt) && ckpt < 0) || (isfinite(restart) && restart < 0)))
        st = cf_error_set(err, CF_ERR_INVALID, "request", 0, 0,
                          isfinite(ckpt) && ckpt < 0 ? "checkpoint_minutes" : "restart_minutes",
                          "Expected a non-negative number.");
    if (st == CF_OK && format && strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "table"))
        st = cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "format", "Expected json, csv or table, found '%s'.",
                          format);
    if (st) {
        cJSON_Delete(req);
        return st;
    }
    if (isfinite(ckpt)) o.pricing.spot.checkpoint_hours = ckpt / 60.0;
    if (isfinite(restart)) o.pricing.spot.restart_hours = restart / 60.0;
    bind_inputs in;
    cf_frontier *f = NULL;
    st = load_inputs(req, &in, err);
    if (st == CF_OK) st = check_runs(&in, err);
    if (st == CF_OK && (f = cf_frontier_create(in.runs, in.catalog, &o)) == NULL)
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    if (st == CF_OK) st = cf_frontier_compute(f, err);
    if (st == CF_OK) {
        cf_report_opts ro;
        cf_report_opts_default(&ro);
        ro.target_accuracy = target;
        if (format && !strcmp(format, "csv"))
            st = cf_report_csv(f, out, err);
        else if (format && !strcmp(format, "table"))
            st = cf_report_table_opts(f, in.runs, &ro, out, err);
        else
            st = cf_report_json_opts(f, in.runs, in.catalog, &ro, out, err);
    }
    cf_frontier_destroy(f);
    inputs_free(&in);
    cJSON_Delete(req);
    return st;
}

/* ---- Predictions (as `costfront predict --format json`) ---- */

/* Adds key: {"mean", "sd", "lo", "hi"} of e to o. */
static void add_est(cJSON *o, const char *key, const cf_estimate *e)
{
    cJSON *x = cJSON_AddObjectToObject(o, key);
    cJSON_AddNumberToObject(x, "mean", e->mean);
    cJSON_AddNumberToObject(x, "sd", e->sd);
    cJSON_AddNumberToObject(x, "lo", e->lo);
    cJSON_AddNumberToObject(x, "hi", e->hi);
}

/* Adds the estimate, or null when its mean is not finite. */
static void add_est_or_null(cJSON *o, const char *key, const cf_estimate *e)
{
    if (isfinite(e->mean))
        add_est(o, key, e);
    else
        cJSON_AddNullToObject(o, key);
}

/* The prediction entry of configuration cfg: what `costfront predict` prints for it, every procurement option of
 * procs priced (only the configuration's own when it names one). */
static cf_status predict_one(const cf_surrogate *s, const cf_config *cfg, unsigned procs, const cf_pricing_opts *po,
                             cJSON *arr, cf_error *err)
{
    cf_prediction p;
    cf_status st = cf_surrogate_predict(s, cfg, &p, err);
    char *cj = NULL;
    if (st == CF_OK) st = cf_config_json(s, cfg, &cj, err);
    if (st) return st;
    const char *target = cf_surrogate_target(s);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddItemToArray(arr, e);
    cJSON_AddItemToObject(e, "config", cJSON_Parse(cj));
    free(cj);
    cJSON *def = cJSON_AddArrayToObject(e, "defaulted");
    for (size_t j = 0; j < cf_surrogate_field_count(s); j++)
        if (cf_config_defaulted(cfg, j)) cJSON_AddItemToArray(def, cJSON_CreateString(cf_surrogate_field_name(s, j)));
    add_est(e, target, &p.metric);
    add_est(e, "gpu_hours", &p.gpu_hours);
    cJSON *lg = cJSON_AddObjectToObject(e, "log_gpu_hours");
    cJSON_AddNumberToObject(lg, "mean", p.log_gpu_hours.mean);
    cJSON_AddNumberToObject(lg, "sd", p.log_gpu_hours.sd);
    cJSON *pr = cJSON_AddObjectToObject(e, "prior");
    cJSON_AddNumberToObject(pr, "log_gpu_hours_offset", p.prior_log_gpu_hours);
    cJSON_AddBoolToObject(pr, "hardware_unseen", p.hardware_unseen);
    cJSON_AddBoolToObject(pr, "precision_unseen", p.precision_unseen);
    cJSON_AddBoolToObject(pr, "leans_on_prior", p.hardware_unseen || p.precision_unseen);
    char note[1024];
    snprintf(note, sizeof note, "%s%s%s", p.note, p.note[0] && cf_config_note(cfg)[0] ? "; " : "", cf_config_note(cfg));
    cJSON_AddStringToObject(e, "note", note);
    cJSON *costs = cJSON_AddArrayToObject(e, "costs");
    cJSON *unpriced = cJSON_CreateArray();
    int only = cf_config_procurement(cfg);
    for (int o = 0; o < CF_PROC_COUNT && st == CF_OK; o++) {
        if (only >= 0 ? o != only : !(procs & (1u << o))) continue;
        cf_predicted_cost pc;
        st = cf_surrogate_price(s, cfg, &p, (cf_procurement)o, po, &pc, err);
        if (st == CF_ERR_NOT_FOUND) {
            cf_error_clear(err);
            st = CF_OK;
            cJSON_AddItemToArray(unpriced, cJSON_CreateString(cf_procurement_name((cf_procurement)o)));
            continue;
        }
        if (st) break;
        cJSON *co = cJSON_CreateObject();
        cJSON_AddItemToArray(costs, co);
        cJSON_AddStringToObject(co, "procurement", cf_procurement_name((cf_procurement)o));
        cJSON_AddStringToObject(co, "provider", pc.price.offer ? pc.price.offer->provider : "");
        cJSON_AddStringToObject(co, "region", pc.price.offer ? pc.price.offer->region : "");
        add_num(co, "price_per_hour", pc.price.price_per_hour);
        add_num(co, "overhead_fraction", pc.price.overhead_fraction);
        add_est_or_null(co, "cost_usd", &pc.cost_usd);
        add_est_or_null(co, "co2e_kg", &pc.co2e_kg);
        add_est_or_null(co, "energy_kwh", &pc.energy_kwh);
        add_est_or_null(co, "total_cost_usd", &pc.total_cost_usd);
    }
    cJSON_AddItemToObject(e, "unpriced", unpriced);
    return st;
}

cf_status cf_bind_predict(const char *request, char **out, cf_error *err)
{
    if (out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_bind_predict needs an output.");
    *out = NULL;
    cJSON *req = NULL;
    cf_status st = parse_request(request, &req, err);
    if (st) return st;
    cf_frontier_opts fo; /* only its procurement mask, read as frontier reads it */
    cf_frontier_opts_default(&fo);
    cf_surrogate_opts so;
    cf_surrogate_opts_default(&so);
    double seed = NAN, restarts = NAN, ckpt = NAN, restart = NAN, carbon = NAN;
    int prec_cat = 0;
    const cJSON *configs = cJSON_GetObjectItemCaseSensitive(req, "configs");
    if (!cJSON_IsArray(configs) || cJSON_GetArraySize(configs) == 0)
        st = cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "configs",
                          "Expected a list of configurations (JSON objects).");
    if (st == CF_OK) st = read_procurement(req, &fo, err);
    if (st == CF_OK) st = opt_str(req, "target", &so.target, err);
    if (st == CF_OK) st = opt_str(req, "log", &so.log_params, err);
    if (st == CF_OK) st = opt_str(req, "linear", &so.linear_params, err);
    if (st == CF_OK) st = opt_bool(req, "precision_categorical", &prec_cat, err);
    if (st == CF_OK) st = opt_num(req, "seed", &seed, err);
    if (st == CF_OK) st = opt_num(req, "restarts", &restarts, err);
    if (st == CF_OK) st = opt_num(req, "checkpoint_minutes", &ckpt, err);
    if (st == CF_OK) st = opt_num(req, "restart_minutes", &restart, err);
    if (st == CF_OK) st = opt_num(req, "carbon_price", &carbon, err);
    if (st == CF_OK && isfinite(seed) && (seed < 0 || seed != floor(seed)))
        st = cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "seed", "Expected a non-negative integer.");
    if (st == CF_OK && isfinite(restarts) && (restarts < 0 || restarts > 1000 || restarts != floor(restarts)))
        st = cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "restarts", "Expected an integer in [0, 1000].");
    so.precision_categorical = prec_cat;
    if (isfinite(seed)) so.seed = (unsigned long)seed;
    if (isfinite(restarts)) so.restarts = (size_t)restarts;
    bind_inputs in;
    memset(&in, 0, sizeof in);
    cf_surrogate *s = NULL;
    size_t n = configs ? (size_t)cJSON_GetArraySize(configs) : 0;
    cf_config **cfg = NULL;
    cJSON *root = NULL;
    if (st == CF_OK) st = load_inputs(req, &in, err);
    if (st == CF_OK) st = check_runs(&in, err);
    if (st == CF_OK) st = cf_surrogate_create(in.runs, in.catalog, &so, &s, err);
    if (st == CF_OK) st = cf_surrogate_fit(s, err);
    if (st == CF_OK && (cfg = calloc(n, sizeof *cfg)) == NULL)
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    /* Every configuration is validated before anything is predicted; errors name "configs[i]" as the source. */
    for (size_t i = 0; i < n && st == CF_OK; i++) {
        char src[32];
        snprintf(src, sizeof src, "configs[%zu]", i);
        char *text = cJSON_PrintUnformatted(cJSON_GetArrayItem(configs, (int)i));
        st = text ? cf_surrogate_parse_config(s, text, src, 0, &cfg[i], err)
                  : cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
        free(text);
    }
    if (st == CF_OK) {
        cf_pricing_opts po;
        cf_pricing_opts_default(&po);
        st = opt_str(req, "provider", &po.provider, err);
        if (st == CF_OK) st = opt_str(req, "region", &po.region, err);
        if (isfinite(ckpt)) po.spot.checkpoint_hours = ckpt / 60.0;
        if (isfinite(restart)) po.spot.restart_hours = restart / 60.0;
        if (isfinite(carbon)) po.carbon_price_usd_per_t = carbon;
        root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "target", cf_surrogate_target(s));
        cJSON *arr = cJSON_AddArrayToObject(root, "predictions");
        for (size_t i = 0; i < n && st == CF_OK; i++) st = predict_one(s, cfg[i], fo.procurements, &po, arr, err);
    }
    if (st == CF_OK)
        st = finish_json(root, out, err);
    else
        cJSON_Delete(root);
    for (size_t i = 0; cfg && i < n; i++) cf_config_destroy(cfg[i]);
    free(cfg);
    cf_surrogate_destroy(s);
    inputs_free(&in);
    cJSON_Delete(req);
    return st;
}

/* ---- TCO (the options, cheapest, server-month and breakeven parts of `costfront tco --format json`) ---- */

/* v rounded to 10 significant digits, as the command's TCO JSON prints numbers. */
static double round10(double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.10g", v);
    return strtod(buf, NULL);
}

/* Adds a number rounded to 10 significant digits, or null when it is not finite. */
static void add_r10(cJSON *o, const char *k, double v)
{
    cJSON_AddItemToObject(o, k, isfinite(v) ? cJSON_CreateNumber(round10(v)) : cJSON_CreateNull());
}

/* The TCO result of plan as JSON (the field names of the command's). */
static cJSON *tco_json(const cf_plan *plan, const cf_tco_result *res)
{
    static const char *const metric_names[] = {"total", "npv", "total_with_carbon", "npv_with_carbon"};
    cJSON *root = cJSON_CreateObject();
    cJSON *pl = cJSON_AddObjectToObject(root, "plan");
    add_str(pl, "hardware", cf_plan_hardware(plan) ? cf_plan_hardware(plan) : "");
    cJSON_AddNumberToObject(pl, "horizon_months", cf_tco_result_months(res));
    cJSON *opts = cJSON_AddArrayToObject(root, "options");
    for (int o = 0; o < CF_PROC_COUNT; o++) {
        cf_tco_option op;
        cf_tco_result_option(res, (cf_procurement)o, &op);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(opts, e);
        cJSON_AddStringToObject(e, "option", cf_procurement_name((cf_procurement)o));
        cJSON_AddBoolToObject(e, "available", op.available);
        cJSON_AddNumberToObject(e, "units", op.units);
        add_r10(e, "price_per_gpu_hour", op.price_per_gpu_hour);
        add_r10(e, "overhead_fraction", op.overhead_fraction);
        add_r10(e, "useful_gpu_hours", op.useful_gpu_hours);
        add_r10(e, "billed_gpu_hours", op.billed_gpu_hours);
        add_r10(e, "owned_gpu_hours", op.owned_gpu_hours);
        add_r10(e, "total_usd", op.total_usd);
        add_r10(e, "npv_usd", op.npv_usd);
        add_r10(e, "usd_per_gpu_hour", op.cost_per_useful_gpu_hour);
        add_r10(e, "levelized_usd_per_gpu_hour", op.levelized_per_gpu_hour);
        add_r10(e, "energy_kwh", op.energy_kwh);
        add_r10(e, "co2e_operational_kg", op.co2e_operational_kg);
        add_r10(e, "co2e_embodied_kg", op.co2e_embodied_kg);
        add_r10(e, "co2e_kg", op.co2e_kg);
        add_r10(e, "carbon_cost_usd", op.carbon_cost_usd);
        add_r10(e, "total_with_carbon_usd", op.total_with_carbon_usd);
        add_r10(e, "npv_with_carbon_usd", op.npv_with_carbon_usd);
        add_str(e, "price_source", op.price_source);
    }
    cJSON *ch = cJSON_AddObjectToObject(root, "cheapest");
    for (int m = 0; m < 4; m++)
        add_str(ch, metric_names[m], cf_procurement_name(cf_tco_result_cheapest(res, (cf_tco_metric)m)));
    cf_tco_server_month sm;
    cf_tco_result_server_month(res, &sm);
    cJSON *s = cJSON_AddObjectToObject(root, "server_month");
    add_r10(s, "depreciation_usd", sm.depreciation_usd);
    add_r10(s, "colocation_usd", sm.colocation_usd);
    add_r10(s, "electricity_full_usd", sm.electricity_full_usd);
    add_r10(s, "ops_usd", sm.ops_usd);
    add_r10(s, "fixed_usd", sm.fixed_usd);
    add_r10(s, "total_full_use_usd", sm.total_full_use_usd);
    add_r10(s, "usd_per_gpu_hour_full_use", sm.usd_per_gpu_hour_full_use);
    cJSON_AddNumberToObject(s, "servers", sm.servers);
    add_r10(s, "mean_utilization", sm.mean_utilization);
    cJSON *be = cJSON_AddArrayToObject(root, "breakeven");
    for (int o = CF_PROC_ON_DEMAND; o <= CF_PROC_RESERVED_3Y; o++) {
        cf_tco_breakeven b;
        cf_tco_result_breakeven(res, (cf_procurement)o, &b);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(be, e);
        cJSON_AddStringToObject(e, "against", cf_procurement_name((cf_procurement)o));
        cJSON_AddBoolToObject(e, "available", b.available);
        add_r10(e, "cloud_usd_per_useful_hour", b.cloud_usd_per_useful_hour);
        add_r10(e, "utilization", b.utilization_scaling);
        add_r10(e, "utilization_full_power", b.utilization_full_power);
        cJSON_AddItemToObject(e, "month", b.month > 0 ? cJSON_CreateNumber(b.month) : cJSON_CreateNull());
        cJSON_AddItemToObject(e, "month_discounted",
                              b.month_discounted > 0 ? cJSON_CreateNumber(b.month_discounted) : cJSON_CreateNull());
    }
    return root;
}

cf_status cf_bind_tco(const char *request, char **out, cf_error *err)
{
    if (out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_bind_tco needs an output.");
    *out = NULL;
    cJSON *req = NULL;
    cf_status st = parse_request(request, &req, err);
    if (st) return st;
    const char *plan_path = NULL, *catalog = NULL;
    int catalog_only = 0;
    double carbon = NAN;
    st = opt_str(req, "plan", &plan_path, err);
    if (st == CF_OK) st = opt_str(req, "catalog", &catalog, err);
    if (st == CF_OK) st = opt_bool(req, "catalog_only", &catalog_only, err);
    if (st == CF_OK) st = opt_num(req, "carbon_price", &carbon, err);
    if (st == CF_OK && plan_path == NULL)
        st = cf_error_set(err, CF_ERR_ARG, "request", 0, 0, "plan", "Expected the plan's file name.");
    if (st == CF_OK && catalog_only && catalog == NULL)
        st = cf_error_set(err, CF_ERR_ARG, "request", 0, 0, "catalog_only", "catalog_only needs a catalog file.");
    cf_catalog *cat = NULL;
    cf_plan *plan = NULL;
    cf_tco_result *res = NULL;
    if (st == CF_OK && ((cat = cf_catalog_create()) == NULL || (plan = cf_plan_create()) == NULL))
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    if (st == CF_OK && !catalog_only) st = cf_catalog_load_default(cat, err);
    if (st == CF_OK && catalog) st = cf_catalog_load_file(cat, catalog, err);
    if (st == CF_OK && isfinite(carbon)) cf_catalog_set_carbon_price(cat, carbon);
    if (st == CF_OK) st = cf_plan_load_file(plan, plan_path, cat, err);
    /* "set": {"json.path": number} overrides values of the plan, as --set PATH=VALUE. */
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(req, "set");
    if (st == CF_OK && set && !cJSON_IsNull(set) && !cJSON_IsObject(set))
        st = cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "set", "Expected {\"path\": number}.");
    for (const cJSON *it = set && cJSON_IsObject(set) ? set->child : NULL; st == CF_OK && it; it = it->next) {
        if (!cJSON_IsNumber(it))
            st = cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, it->string, "Expected a number.");
        else
            st = cf_plan_set_number(plan, it->string, it->valuedouble, cat, err);
        if (st && err && err->source[0] == '\0') snprintf(err->source, sizeof err->source, "%s", plan_path);
    }
    if (st == CF_OK) st = cf_tco_evaluate(plan, cat, &res, err);
    if (st == CF_OK) st = finish_json(tco_json(plan, res), out, err);
    cf_tco_result_destroy(res);
    cf_plan_destroy(plan);
    cf_catalog_destroy(cat);
    cJSON_Delete(req);
    return st;
}

/* ---- Studies ---- */

/* Parses text (which may be NULL when allow_null) as JSON for the study calls; field names the argument. */
static cf_status parse_arg(const char *text, const char *field, int allow_null, cJSON **out, cf_error *err)
{
    *out = NULL;
    if (text == NULL)
        return allow_null ? CF_OK : cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, field, "Expected JSON text.");
    if ((*out = cJSON_Parse(text)) == NULL)
        return cf_error_set(err, CF_ERR_PARSE, NULL, 0, 0, field, "Expected JSON text.");
    return CF_OK;
}

cf_status cf_bind_study_create(const char *path, const char *space_json, const char *catalog_json,
                               const char *catalog_source, int catalog_only, cf_study **out, cf_error *err)
{
    return cf_study_create_priced(path, space_json, catalog_json, catalog_source, catalog_only, out, err);
}

cf_status cf_bind_study_ask(cf_study *s, size_t q, unsigned long seed, char **out, cf_error *err)
{
    if (out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_bind_study_ask needs an output.");
    *out = NULL;
    cJSON *tr = NULL;
    cf_status st = cf_study_ask(s, q, seed, &tr, err);
    return st ? st : finish_json(tr, out, err);
}

cf_status cf_bind_study_tell(cf_study *s, long id, const char *values_json, const char *state, cf_error *err)
{
    cf_trial_state ts = CF_TRIAL_COMPLETE;
    if (state && (cf_trial_state_from_name(state, &ts) != CF_OK || ts == CF_TRIAL_PENDING))
        return cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "state",
                            "Expected complete, failed or pruned, found '%s'.", state);
    cJSON *v = NULL;
    cf_status st = parse_arg(values_json, "values", ts != CF_TRIAL_COMPLETE, &v, err);
    if (st == CF_OK) st = cf_study_tell(s, id, v, ts, err);
    cJSON_Delete(v);
    return st;
}

cf_status cf_bind_study_add(cf_study *s, const char *params_json, const char *values_json, long *id, cf_error *err)
{
    cJSON *p = NULL, *v = NULL;
    cf_status st = parse_arg(params_json, "params", 0, &p, err);
    if (st == CF_OK) st = parse_arg(values_json, "values", 1, &v, err);
    if (st == CF_OK) st = v ? cf_study_add(s, p, v, id, err) : cf_study_add_pending(s, p, id, err);
    cJSON_Delete(p);
    cJSON_Delete(v);
    return st;
}

cf_status cf_bind_study_trials(cf_study *s, char **out, cf_error *err)
{
    if (out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_bind_study_trials needs an output.");
    *out = NULL;
    cJSON *t = NULL;
    cf_status st = cf_study_trials(s, &t, err);
    return st ? st : finish_json(t, out, err);
}

cf_status cf_bind_study_front(cf_study *s, char **out, cf_error *err)
{
    if (out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_bind_study_front needs an output.");
    *out = NULL;
    cJSON *t = NULL;
    cf_status st = cf_study_front(s, &t, err);
    return st ? st : finish_json(t, out, err);
}

cf_status cf_bind_study_report(cf_study *s, long id, long step, const char *values_json, double gpu_hours,
                               cf_error *err)
{
    cJSON *v = NULL;
    cf_status st = parse_arg(values_json, "values", 0, &v, err);
    size_t K = cf_study_step_objectives(s, NULL, 0), n = 0;
    const char **names = st == CF_OK ? malloc((K + 1) * sizeof *names) : NULL;
    double *x = st == CF_OK ? malloc((K + (size_t)cJSON_GetArraySize(v) + 1) * sizeof *x) : NULL;
    if (st == CF_OK && (names == NULL || x == NULL))
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    if (st == CF_OK) cf_study_step_objectives(s, names, K);
    if (st == CF_OK && cJSON_IsArray(v)) {
        /* Every entry is passed on, so that the count is checked (and reported) by cf_study_report. */
        for (const cJSON *it = v->child; st == CF_OK && it; it = it->next, n++)
            if (cJSON_IsNumber(it))
                x[n] = it->valuedouble;
            else
                st = cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "values", "Expected numbers; value %zu is not.",
                                  n + 1);
    } else if (st == CF_OK && cJSON_IsObject(v)) {
        for (; st == CF_OK && n < K; n++) {
            const cJSON *it = cJSON_GetObjectItemCaseSensitive(v, names[n]);
            if (!cJSON_IsNumber(it))
                st = cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "values", "Expected a number for %s.", names[n]);
            else
                x[n] = it->valuedouble;
        }
    } else if (st == CF_OK) {
        st = cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "values", "Expected an array or an object of numbers.");
    }
    if (st == CF_OK) st = cf_study_report(s, id, step, x, n, gpu_hours, err);
    free(names);
    free(x);
    cJSON_Delete(v);
    return st;
}

cf_status cf_bind_study_should_prune(cf_study *s, long id, const char *options_json, char **out, cf_error *err)
{
    if (out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_bind_study_should_prune needs an output.");
    *out = NULL;
    cf_prune_options o;
    cf_prune_options_init(&o);
    cJSON *req = NULL;
    cf_status st = parse_arg(options_json, "options", 1, &req, err);
    static const char *const keys[3] = {"min_steps", "min_completed", "budget_step"};
    for (int k = 0; st == CF_OK && req && k < 3; k++) {
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(req, keys[k]);
        if (it == NULL || cJSON_IsNull(it)) continue;
        if (!cJSON_IsNumber(it) || it->valuedouble < (k < 2 ? 1 : 0) || it->valuedouble != floor(it->valuedouble) ||
            it->valuedouble > 1e15) {
            st = cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, keys[k], "Expected an integer >= %d.", k < 2 ? 1 : 0);
            break;
        }
        if (k == 0) o.min_steps = (size_t)it->valuedouble;
        if (k == 1) o.min_completed = (size_t)it->valuedouble;
        if (k == 2) o.budget_step = (long)it->valuedouble;
    }
    cJSON *ans = NULL;
    if (st == CF_OK) st = cf_study_should_prune(s, id, &o, NULL, &ans, err);
    cJSON_Delete(req);
    return st ? st : finish_json(ans, out, err);
}

cf_status cf_bind_study_steps(cf_study *s, long id, char **out, cf_error *err)
{
    if (out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_bind_study_steps needs an output.");
    *out = NULL;
    cJSON *t = NULL;
    cf_status st = cf_study_steps(s, id, &t, err);
    return st ? st : finish_json(t, out, err);
}
