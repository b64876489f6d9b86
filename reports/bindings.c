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
#include "costfront/records.h"
#include "costfront/report.h"
#include "costfront/runset.h"
#include "costfront/sources.h"
#include "costfront/store.h"

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
    if (in->catalog == NULL || in->map == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    if (!catalog_only) st = cf_catalog_load_default(in->catalog, err);
    if (st == CF_OK && catalog) st = cf_catalog_load_file(in->catalog, catalog, err);
    if (st) return st;
    if (isfinite(carbon)) cf_catalog_set_carbon_price(in->catalog, carbon);
    if (map_file && (st = cf_colmap_load(in->map, map_file, err)) != CF_OK) return st;
    if (map && (st = cf_colmap_parse_pairs(in->map, map, err)) != CF_OK) return st;
    if (percent != -1 || map_file == NULL) cf_colmap_set_accuracy_percent(in->map, percent);
    in->runs = cf_runset_create(in->catalog, in->map);
    if (in->runs == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    for (int i = 0; i < npaths && st == CF_OK; i++) st = read_any(in->runs, cJSON_GetArrayItem(paths, i)->valuestring, err);
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
    if (cf_runset_size(in->runs) == 0)
        return cf_error_set(err, CF_ERR_EMPTY, NULL, 0, 0, NULL, "No run was accepted.");
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
                return cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "where", "At most %d filters.",
                                    CF_MAX_WHERE);
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
    if (st == CF_OK && isfinite(target) && (target < 0 || target > 1))
        st = cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, "target_accuracy", "Expected a fraction in [0, 1].");
    if (st == CF_OK && ((isfinite(ckpt) && ckpt < 0) || (isfinite(restart) && restart < 0)))
        st = cf_error_set(err, CF_ERR_INVALID, "request", 0, 0, isfinite(ckpt) && ckpt < 0 ? "checkpoint_minutes"
                                                                                              : "restart_minutes",
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
