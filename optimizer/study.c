/* costfront: ask/tell multi-objective Bayesian optimisation studies (see study.h for the method and citations):
 * creating and opening a study file with its catalog, the trials in memory, tell, add, the front, hypervolume
 * improvement and the flat C API. The ask is in optimizer/study_ask.c, the cost-aware mode in study_cost.c. */
#include "optimizer/study_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/ehvi.h"
#include "data/sha256.h"

/* A malloc'd copy of a string, NULL when out of memory. */
static char *cf_dup_str_study(const char *t)
{
    size_t n = strlen(t) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, t, n);
    return c;
}

static const char *const state_names[] = {"pending", "complete", "failed", "pruned"};

const char *cf_trial_state_name(cf_trial_state state) { return (unsigned)state < 4 ? state_names[state] : "unknown"; }

cf_status cf_trial_state_from_name(const char *name, cf_trial_state *state)
{
    for (int i = 0; i < 4; i++)
        if (name && state && strcmp(name, state_names[i]) == 0) {
            *state = (cf_trial_state)i;
            return CF_OK;
        }
    return CF_ERR_INVALID;
}

static void study_defaults(cf_study *s)
{
    s->acq = CF_ACQ_AUTO;
    s->raw_samples = 512;
    s->restarts = 5;
    s->maxeval = 200;
    s->gp_restarts = 2;
}

/* Loads the study's catalog into cat: the default catalog, merged with (or, with only, replaced by) the study's
 * own catalog text when it has one. */
cf_status cf_study_catalog_load(const study_catalog *sc, cf_catalog *cat, cf_error *err)
{
    cf_status st = CF_OK;
    if (sc->text == NULL || !sc->only) st = cf_catalog_load_default(cat, err);
    if (st == CF_OK && sc->text) st = cf_catalog_load_string(cat, sc->text, sc->source, err);
    return st;
}

/* Frees the catalog text and source a study keeps and zeroes the record. */
static void catalog_free(study_catalog *sc)
{
    free(sc->text);
    free(sc->source);
    memset(sc, 0, sizeof *sc);
}

cf_status cf_study_create(const char *path, const char *space_json, cf_study **out, cf_error *err)
{
    return cf_study_create_priced(path, space_json, NULL, NULL, 0, out, err);
}

cf_status cf_study_create_priced(const char *path, const char *space_json, const char *catalog_json,
                                 const char *catalog_source, int catalog_only, cf_study **out, cf_error *err)
{
    if (out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_create needs an output.");
    *out = NULL;
    cf_space *sp = NULL;
    cf_status st = cf_space_parse(space_json, &sp, err);
    if (st) return st;
    char *canon = cf_space_to_json(sp);
    cf_study *s = calloc(1, sizeof *s);
    if (canon == NULL || s == NULL) {
        free(canon);
        free(s);
        cf_space_destroy(sp);
        return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "Out of memory.");
    }
    s->space = sp;
    if (catalog_json) {
        const char *src = catalog_source ? catalog_source : "catalog";
        s->cat.text = cf_dup_str_study(catalog_json);
        s->cat.source = cf_dup_str_study(src);
        s->cat.only = catalog_only != 0;
        if (s->cat.text == NULL || s->cat.source == NULL) {
            st = cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "Out of memory.");
        } else {
            cf_sha256_hex(catalog_json, strlen(catalog_json), s->cat.sha256);
            /* The catalog must load (errors name its file and JSON path) before a study is made with it. */
            cf_catalog *probe = cf_catalog_create();
            st = probe ? cf_study_catalog_load(&s->cat, probe, err)
                       : cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "Out of memory.");
            cf_catalog_destroy(probe);
        }
    }
    if (st == CF_OK) st = cf_study_cost_setup(sp, &s->cat, &s->cost, err);
    if (st == CF_OK) {
        const char *keys[4] = {"catalog", "catalog_sha256", "catalog_source", "catalog_only"};
        const char *vals[4] = {s->cat.text, s->cat.sha256, s->cat.source, s->cat.only ? "1" : "0"};
        st = cf_study_store_create(path, canon, s->cat.text ? 4 : 0, keys, vals, &s->store, err);
    }
    free(canon);
    if (st) {
        cf_study_destroy(s);
        return st;
    }
    study_defaults(s);
    *out = s;
    return CF_OK;
}

/* Reads the study's catalog from the file's metadata and checks its hash: a catalog whose text no longer
 * matches the hash kept beside it was altered outside costfront, and pricing with it would silently differ. */
static cf_status catalog_read(cf_study *s, const char *path, cf_error *err)
{
    char *sha = NULL, *only = NULL;
    cf_status st = cf_study_store_get_meta(s->store, "catalog", &s->cat.text, err);
    if (st == CF_OK && s->cat.text == NULL) return CF_OK;
    if (st == CF_OK) st = cf_study_store_get_meta(s->store, "catalog_sha256", &sha, err);
    if (st == CF_OK) st = cf_study_store_get_meta(s->store, "catalog_source", &s->cat.source, err);
    if (st == CF_OK) st = cf_study_store_get_meta(s->store, "catalog_only", &only, err);
    if (st == CF_OK && s->cat.source == NULL && (s->cat.source = cf_dup_str_study("catalog")) == NULL)
        st = cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "Out of memory.");
    if (st == CF_OK) {
        s->cat.only = only && strcmp(only, "1") == 0;
        cf_sha256_hex(s->cat.text, strlen(s->cat.text), s->cat.sha256);
        if (sha == NULL || strcmp(sha, s->cat.sha256) != 0)
            st = cf_error_set(err, CF_ERR_DB, path, 0, 0, "catalog",
                              "The price catalog kept in the study (from %s) does not match its SHA-256 %.12s...: "
                              "the file was altered outside costfront.",
                              s->cat.source, sha ? sha : "(missing)");
    }
    free(sha);
    free(only);
    return st;
}

cf_status cf_study_open(const char *path, cf_study **out, cf_error *err)
{
    if (out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_open needs an output.");
    *out = NULL;
    cf_study *s = calloc(1, sizeof *s);
    if (s == NULL) return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "Out of memory.");
    char *json = NULL;
    cf_status st = cf_study_store_open(path, &s->store, &json, err);
    if (st == CF_OK) {
        st = cf_space_parse(json, &s->space, err);
        if (st == CF_OK) st = catalog_read(s, path, err);
        if (st == CF_OK) st = cf_study_cost_setup(s->space, &s->cat, &s->cost, err);
        if (st && err) snprintf(err->source, sizeof err->source, "%s", path);
    }
    free(json);
    if (st) {
        cf_study_destroy(s);
        return st;
    }
    study_defaults(s);
    *out = s;
    return CF_OK;
}

const char *cf_study_catalog_sha256(const cf_study *s) { return s && s->cat.text ? s->cat.sha256 : NULL; }

const char *cf_study_catalog_source(const cf_study *s) { return s && s->cat.text ? s->cat.source : NULL; }

const char *cf_study_catalog_text(const cf_study *s, int *catalog_only)
{
    if (catalog_only) *catalog_only = s ? s->cat.only : 0;
    return s ? s->cat.text : NULL;
}

cf_status cf_study_load_catalog(const cf_study *s, cf_catalog *cat, cf_error *err)
{
    if (s == NULL || cat == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_load_catalog needs a study and a catalog.");
    return cf_study_catalog_load(&s->cat, cat, err);
}

cf_status cf_study_check_catalog(const cf_study *s, const char *catalog_json, const char *source, cf_error *err)
{
    if (s == NULL || catalog_json == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_check_catalog needs a study and a text.");
    const char *src = source ? source : "the catalog";
    if (s->cat.text == NULL)
        return cf_error_set(err, CF_ERR_INVALID, src, 0, 0, "catalog",
                            "The study prices with the default catalog (it was created without --catalog), so this "
                            "catalog would price its trials differently. A study keeps one catalog: create a new "
                            "study with --catalog to use other prices.");
    char sha[65];
    cf_sha256_hex(catalog_json, strlen(catalog_json), sha);
    if (strcmp(sha, s->cat.sha256) == 0) return CF_OK;
    return cf_error_set(err, CF_ERR_INVALID, src, 0, 0, "catalog",
                        "Not the catalog the study prices with: the study keeps the catalog it was created with "
                        "(from %s, SHA-256 %.12s...), this file's content differs (SHA-256 %.12s...). A study keeps "
                        "one catalog so that every trial is priced alike: omit --catalog, or create a new study "
                        "to use other prices.",
                        s->cat.source, s->cat.sha256, sha);
}

void cf_study_destroy(cf_study *s)
{
    if (s == NULL) return;
    cf_study_store_close(s->store);
    cf_space_destroy(s->space);
    cf_study_cost_free(&s->cost);
    catalog_free(&s->cat);
    for (size_t i = 0; i < s->nhc; i++) free(s->hc[i].theta);
    free(s->hc);
    free(s);
}

const cf_space *cf_study_space(const cf_study *s) { return s ? s->space : NULL; }

void cf_study_set_acquisition(cf_study *s, cf_acquisition acq)
{
    if (s) s->acq = acq;
}

void cf_study_set_n_init(cf_study *s, size_t n_init)
{
    if (s) s->n_init = n_init;
}

void cf_study_set_effort(cf_study *s, size_t raw_samples, size_t restarts, size_t maxeval, size_t gp_restarts)
{
    if (s == NULL) return;
    if (raw_samples) s->raw_samples = raw_samples;
    if (restarts) s->restarts = restarts;
    if (maxeval) s->maxeval = maxeval;
    if (gp_restarts) s->gp_restarts = gp_restarts;
}

/* ---- Trials in memory ---- */


void cf_study_trials_free(trials *t)
{
    cf_study_rows_free(t->rows, t->n);
    free(t->x);
    free(t->y);
    free(t->c);
    free(t->ok);
    free(t->lgh);
    memset(t, 0, sizeof *t);
}

/* Loads and decodes every trial. A stored row whose params or values no longer parse is a CF_ERR_DB naming the
 * trial. */
cf_status cf_study_trials_load(cf_study *s, trials *t, cf_error *err)
{
    memset(t, 0, sizeof *t);
    cf_status st = cf_study_store_load(s->store, &t->rows, &t->n, err);
    if (st) return st;
    size_t np = cf_space_n_params(s->space), M = cf_space_n_objectives(s->space);
    size_t C = cf_space_n_constraints(s->space), n = t->n ? t->n : 1;
    t->x = calloc(n * np, sizeof *t->x);
    t->y = calloc(n * M, sizeof *t->y);
    t->c = calloc(n * (C ? C : 1), sizeof *t->c);
    t->ok = calloc(n, 1);
    t->lgh = malloc(n * sizeof *t->lgh);
    if (!t->x || !t->y || !t->c || !t->ok || !t->lgh) {
        cf_study_trials_free(t);
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    }
    for (size_t i = 0; i < t->n; i++) {
        cJSON *p = cJSON_Parse(t->rows[i].params);
        t->lgh[i] = NAN;
        st = cf_space_encode(s->space, p, t->x + i * np, err);
        cJSON_Delete(p);
        if (st == CF_OK && t->rows[i].state == CF_TRIAL_COMPLETE) {
            cJSON *v = cJSON_Parse(t->rows[i].values ? t->rows[i].values : "null");
            st = cf_space_read_values(s->space, v, t->y + i * M, t->c + i * C, err);
            const cJSON *gh = cJSON_GetObjectItemCaseSensitive(v, "gpu_hours");
            t->lgh[i] =
                cJSON_IsNumber(gh) && gh->valuedouble > 0.0 && isfinite(gh->valuedouble) ? log(gh->valuedouble) : NAN;
            cJSON_Delete(v);
            t->ok[i] = st == CF_OK;
        }
        if (st) {
            long id = t->rows[i].id;
            cf_study_trials_free(t);
            if (err) {
                char msg[sizeof err->message];
                snprintf(msg, sizeof msg, "%s", err->message);
                cf_error_set(err, CF_ERR_DB, NULL, 0, 0, err->field,
                             "Stored trial %ld does not match the space: "
                             "%s",
                             id, msg);
            }
            return CF_ERR_DB;
        }
    }
    return CF_OK;
}

/* ---- Pareto helpers (small n; O(n^2 M)) ---- */

static int dominates(const double *a, const double *b, size_t m)
{
    int strict = 0;
    for (size_t j = 0; j < m; j++) {
        if (a[j] > b[j]) return 0;
        if (a[j] < b[j]) strict = 1;
    }
    return strict;
}

/* Marks nondominated rows among those with use[i] set. */
void cf_study_nondominated(const double *y, size_t n, size_t m, const unsigned char *use, unsigned char *nd)
{
    for (size_t i = 0; i < n; i++) {
        nd[i] = use[i];
        for (size_t k = 0; k < n && nd[i]; k++)
            if (k != i && use[k] && dominates(y + k * m, y + i * m, m)) nd[i] = 0;
    }
}

/* Fills the missing entries (NaN) of ref: the worst value on the front pushed out by 10% of the front's range
 * (10% of |worst|, or 0.1, when the range is 0), as BoTorch's infer_reference_point. inferred[j] is set to 1
 * where a value was filled. Returns 0 when there are no front points to infer from and a value is missing. */
int cf_study_fill_ref(double *ref, unsigned char *inferred, const double *y, size_t n, size_t m, const unsigned char *nd)
{
    for (size_t j = 0; j < m; j++) {
        inferred[j] = 0;
        if (!isnan(ref[j])) continue;
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++)
            if (nd[i]) {
                lo = fmin(lo, y[i * m + j]);
                hi = fmax(hi, y[i * m + j]);
            }
        if (!isfinite(hi)) return 0;
        double range = hi - lo;
        if (range <= 0.0) range = hi != 0.0 ? fabs(hi) : 1.0;
        ref[j] = hi + 0.1 * range;
        inferred[j] = 1;
    }
    return 1;
}

/* Hypervolume of the rows with use[i] set, as the box volume between the ideal corner and ref minus the
 * improvement of that corner over the front (ehvi.c does the box decomposition). */
static cf_status hypervolume(const double *y, size_t n, size_t m, const unsigned char *use, const double *ref,
                             double *hv, cf_error *err)
{
    double *pts = malloc((n ? n : 1) * m * sizeof *pts), *lo = malloc(m * sizeof *lo);
    size_t k = 0;
    if (!pts || !lo) {
        free(pts);
        free(lo);
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    }
    for (size_t j = 0; j < m; j++) lo[j] = ref[j];
    for (size_t i = 0; i < n; i++) {
        if (!use[i]) continue;
        memcpy(pts + k * m, y + i * m, m * sizeof *pts);
        for (size_t j = 0; j < m; j++) lo[j] = fmin(lo[j], y[i * m + j]);
        k++;
    }
    double box = 1.0, hvi = 0.0;
    for (size_t j = 0; j < m; j++) box *= ref[j] - lo[j];
    cf_status st = cf_hv_improvement(pts, k, m, ref, lo, &hvi, err);
    *hv = st == CF_OK ? box - hvi : 0.0;
    if (*hv < 0.0) *hv = 0.0;
    free(pts);
    free(lo);
    return st;
}

/* ---- Tell, add, trials, front ---- */

cf_status cf_study_tell(cf_study *s, long id, const cJSON *values, cf_trial_state state, cf_error *err)
{
    if (s == NULL || (unsigned)state > 3 || state == CF_TRIAL_PENDING)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, "state",
                            "cf_study_tell needs a study and a final state "
                            "(complete, failed or pruned).");
    trials t;
    cf_status st = cf_study_trials_load(s, &t, err);
    if (st) return st;
    size_t i = 0;
    while (i < t.n && t.rows[i].id != id) i++;
    if (i == t.n)
        st = cf_error_set(err, CF_ERR_NOT_FOUND, NULL, 0, 0, "id", "There is no trial %ld.", id);
    else if (t.rows[i].state != CF_TRIAL_PENDING)
        st = cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "id", "Trial %ld is already %s.", id,
                          state_names[t.rows[i].state]);
    char *txt = NULL;
    cJSON *filled = NULL;
    if (st == CF_OK && state == CF_TRIAL_COMPLETE && s->cost.active) {
        cJSON *p = cJSON_Parse(t.rows[i].params);
        st = cf_study_cost_fill_values(s, p, values, &filled, err);
        cJSON_Delete(p);
        if (st == CF_OK) values = filled;
    }
    /* Extra metrics are kept with the trial, but only as numbers: a string would poison later reads. */
    for (const cJSON *k = cJSON_IsObject(values) ? values->child : NULL; st == CF_OK && k; k = k->next)
        if (!cJSON_IsNumber(k) || !isfinite(k->valuedouble)) {
            char f[160];
            snprintf(f, sizeof f, "values.%s", k->string);
            st = cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, f, "Expected a finite number.");
        }
    if (st == CF_OK && state == CF_TRIAL_COMPLETE) {
        size_t M = cf_space_n_objectives(s->space), C = cf_space_n_constraints(s->space);
        double y[64], c[64];
        if (M > 64 || C > 64)
            st = cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, NULL, "Too many metrics.");
        else
            st = cf_space_read_values(s->space, values, y, c, err);
    }
    if (st == CF_OK && values != NULL && (txt = cJSON_PrintUnformatted(values)) == NULL)
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    if (st == CF_OK) st = cf_study_store_update(s->store, id, state, txt, err);
    free(txt);
    cJSON_Delete(filled);
    cf_study_trials_free(&t);
    return st;
}

cf_status cf_study_add(cf_study *s, const cJSON *params, const cJSON *values, long *id, cf_error *err)
{
    if (s == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_add needs a study.");
    size_t np = cf_space_n_params(s->space), M = cf_space_n_objectives(s->space);
    size_t C = cf_space_n_constraints(s->space);
    double *x = malloc((np + M + C + 1) * sizeof *x);
    if (x == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    cf_status st = cf_space_encode(s->space, params, x, err);
    cJSON *filled = NULL;
    if (st == CF_OK && s->cost.active && (st = cf_study_cost_fill_values(s, params, values, &filled, err)) == CF_OK)
        values = filled;
    if (st == CF_OK) st = cf_space_read_values(s->space, values, x + np, x + np + M, err);
    char *pt = NULL, *vt = NULL;
    if (st == CF_OK && ((pt = cJSON_PrintUnformatted(params)) == NULL || (vt = cJSON_PrintUnformatted(values)) == NULL))
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    long nid = 0;
    cf_trial_state cs = CF_TRIAL_COMPLETE;
    if (st == CF_OK) {
        const char *pp[1] = {pt}, *vv[1] = {vt};
        st = cf_study_store_insert(s->store, 1, &cs, pp, vv, &nid, err);
    }
    if (st == CF_OK && id) *id = nid;
    cJSON_Delete(filled);
    free(pt);
    free(vt);
    free(x);
    return st;
}

cf_status cf_study_add_pending(cf_study *s, const cJSON *params, long *id, cf_error *err)
{
    if (s == NULL || params == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_add_pending needs a study and params.");
    size_t np = cf_space_n_params(s->space);
    double *x = malloc((np + 1) * sizeof *x);
    if (x == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    /* The params are checked as ask's own would be, so a later tell or ask never meets a point it cannot encode. */
    cf_status st = cf_space_encode(s->space, params, x, err);
    char *pt = NULL;
    if (st == CF_OK && (pt = cJSON_PrintUnformatted(params)) == NULL)
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    long nid = 0;
    cf_trial_state ps = CF_TRIAL_PENDING;
    if (st == CF_OK) {
        const char *pp[1] = {pt};
        st = cf_study_store_insert(s->store, 1, &ps, pp, NULL, &nid, err);
    }
    if (st == CF_OK && id) *id = nid;
    free(pt);
    free(x);
    return st;
}

/* Adds a stored JSON text as a parsed item (null when absent or unparsable). */
static int add_json_text(cJSON *obj, const char *key, const char *txt)
{
    cJSON *v = txt ? cJSON_Parse(txt) : NULL;
    return cJSON_AddItemToObject(obj, key, v ? v : cJSON_CreateNull());
}

cf_status cf_study_trials(cf_study *s, cJSON **out, cf_error *err)
{
    if (s == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL,
                            "cf_study_trials needs a "
                            "study and an output.");
    cf_study_row *rows = NULL;
    size_t n = 0;
    cf_status st = cf_study_store_load(s->store, &rows, &n, err);
    if (st) return st;
    cJSON *arr = cJSON_CreateArray();
    int ok = arr != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        cJSON *it = cJSON_CreateObject();
        ok = it && cJSON_AddItemToArray(arr, it) && cJSON_AddNumberToObject(it, "id", (double)rows[i].id) &&
             cJSON_AddStringToObject(it, "state", state_names[rows[i].state]) &&
             add_json_text(it, "params", rows[i].params) && add_json_text(it, "values", rows[i].values) &&
             cJSON_AddNumberToObject(it, "created", (double)rows[i].created) &&
             cJSON_AddNumberToObject(it, "updated", (double)rows[i].updated);
    }
    cf_study_rows_free(rows, n);
    if (!ok) {
        cJSON_Delete(arr);
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    }
    *out = arr;
    return CF_OK;
}

cf_status cf_study_front(cf_study *s, cJSON **out, cf_error *err)
{
    if (s == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL,
                            "cf_study_front needs a "
                            "study and an output.");
    trials t;
    cf_status st = cf_study_trials_load(s, &t, err);
    if (st) return st;
    const cf_space *sp = s->space;
    size_t M = cf_space_n_objectives(sp), C = cf_space_n_constraints(sp), ncomplete = 0, nfeas = 0;
    unsigned char *use = calloc(t.n + 1, 1), *nd = calloc(t.n + 1, 1), *inferred = calloc(M, 1);
    double *ref = malloc(M * sizeof *ref), hv = 0.0;
    cJSON *o = cJSON_CreateObject();
    int ok = use && nd && inferred && ref && o;
    for (size_t i = 0; ok && i < t.n; i++) {
        ncomplete += t.ok[i];
        use[i] = t.ok[i] && cf_space_feasible(sp, t.c + i * C);
        nfeas += use[i];
    }
    if (ok) {
        cf_study_nondominated(t.y, t.n, M, use, nd);
        cf_space_ref_min(sp, ref);
        int have_ref = cf_study_fill_ref(ref, inferred, t.y, t.n, M, nd);
        if (have_ref && nfeas > 0) st = hypervolume(t.y, t.n, M, nd, ref, &hv, err);
        ok = cJSON_AddNumberToObject(o, "n_trials", (double)t.n) &&
             cJSON_AddNumberToObject(o, "n_complete", (double)ncomplete) &&
             cJSON_AddNumberToObject(o, "n_feasible", (double)nfeas);
        if (ok && have_ref) {
            cJSON *r = cJSON_AddArrayToObject(o, "ref"), *ri = cJSON_AddArrayToObject(o, "ref_inferred");
            ok = r && ri;
            for (size_t j = 0; ok && j < M; j++)
                ok = cJSON_AddItemToArray(r,
                                          cJSON_CreateNumber(cf_space_objective_maximize(sp, j) ? -ref[j] : ref[j])) &&
                     cJSON_AddItemToArray(ri, cJSON_CreateBool(inferred[j]));
        } else if (ok) {
            ok = cJSON_AddNullToObject(o, "ref") && cJSON_AddNullToObject(o, "ref_inferred");
        }
        ok = ok && cJSON_AddNumberToObject(o, "hypervolume", hv);
        cJSON *fr = ok ? cJSON_AddArrayToObject(o, "front") : NULL;
        ok = ok && fr;
        for (size_t i = 0; ok && i < t.n; i++) {
            if (!nd[i]) continue;
            cJSON *it = cJSON_CreateObject();
            ok = it && cJSON_AddItemToArray(fr, it) && cJSON_AddNumberToObject(it, "id", (double)t.rows[i].id) &&
                 add_json_text(it, "params", t.rows[i].params) && add_json_text(it, "values", t.rows[i].values);
        }
    }
    if (!ok && st == CF_OK) st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    if (st == CF_OK)
        *out = o;
    else
        cJSON_Delete(o);
    free(use);
    free(nd);
    free(inferred);
    free(ref);
    cf_study_trials_free(&t);
    return st;
}

cf_status cf_study_hvi(cf_study *s, const cJSON *values, double *hvi, int *feasible, cf_error *err)
{
    if (s == NULL || hvi == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_hvi needs a study and an output.");
    const cf_space *sp = s->space;
    size_t M = cf_space_n_objectives(sp), C = cf_space_n_constraints(sp);
    double *y = malloc((M + C + 1) * sizeof *y), *ref = malloc(M * sizeof *ref);
    if (y == NULL || ref == NULL) {
        free(y);
        free(ref);
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    }
    cf_status st = cf_space_read_values(sp, values, y, y + M, err);
    if (st) {
        free(y);
        free(ref);
        return st;
    }
    trials t;
    if ((st = cf_study_trials_load(s, &t, err))) {
        free(y);
        free(ref);
        return st;
    }
    unsigned char *use = calloc(t.n + 1, 1), *nd = calloc(t.n + 1, 1), *inferred = calloc(M, 1);
    double *pts = malloc((t.n + 1) * M * sizeof *pts);
    size_t k = 0;
    if (!use || !nd || !inferred || !pts) {
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
        goto done;
    }
    for (size_t i = 0; i < t.n; i++) use[i] = t.ok[i] && cf_space_feasible(sp, t.c + i * C);
    cf_study_nondominated(t.y, t.n, M, use, nd);
    cf_space_ref_min(sp, ref);
    if (!cf_study_fill_ref(ref, inferred, t.y, t.n, M, nd)) {
        st = cf_error_set(err, CF_ERR_EMPTY, NULL, 0, 0, "ref",
                          "The study has no feasible trial to infer a "
                          "reference point from, and its space gives none.");
        goto done;
    }
    for (size_t i = 0; i < t.n; i++)
        if (nd[i]) memcpy(pts + k++ * M, t.y + i * M, M * sizeof *pts);
    int ok = cf_space_feasible(sp, y + M);
    if (feasible) *feasible = ok;
    *hvi = 0.0;
    if (ok) st = cf_hv_improvement(pts, k, M, ref, y, hvi, err);
done:
    free(use);
    free(nd);
    free(inferred);
    free(pts);
    free(y);
    free(ref);
    cf_study_trials_free(&t);
    return st;
}

/* ---- Flat C API ---- */

static void set_last(cf_study *s, const cf_error *e)
{
    if (s == NULL) return;
    if (e == NULL || e->status == CF_OK) {
        s->last_error[0] = '\0';
        return;
    }
    cf_error_format(e, s->last_error, sizeof s->last_error);
}

static cf_study *wrap_open(cf_status st, cf_study *s, const cf_error *e, char *errbuf, size_t errlen)
{
    if (st != CF_OK && errbuf && errlen)
        cf_error_format(e, errbuf, errlen);
    else if (errbuf && errlen)
        errbuf[0] = '\0';
    return st == CF_OK ? s : NULL;
}

cf_study *cf_study_create_c(const char *path, const char *space_json, char *errbuf, size_t errlen)
{
    cf_error e;
    cf_error_clear(&e);
    cf_study *s = NULL;
    cf_status st = cf_study_create(path, space_json, &s, &e);
    return wrap_open(st, s, &e, errbuf, errlen);
}

cf_study *cf_study_open_c(const char *path, char *errbuf, size_t errlen)
{
    cf_error e;
    cf_error_clear(&e);
    cf_study *s = NULL;
    cf_status st = cf_study_open(path, &s, &e);
    return wrap_open(st, s, &e, errbuf, errlen);
}

char *cf_study_ask_json(cf_study *s, int q, unsigned long seed)
{
    cf_error e;
    cf_error_clear(&e);
    cJSON *arr = NULL;
    cf_status st = q < 1 ? cf_error_set(&e, CF_ERR_ARG, NULL, 0, 0, "q", "q must be at least 1.")
                         : cf_study_ask(s, (size_t)q, seed, &arr, &e);
    set_last(s, &e);
    if (st) return NULL;
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddItemToObject(o, "trials", arr)) {
        cJSON_Delete(o);
        cJSON_Delete(arr);
        return NULL;
    }
    char *txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return txt;
}

int cf_study_tell_json(cf_study *s, long id, const char *values_json, const char *state)
{
    cf_error e;
    cf_error_clear(&e);
    cf_trial_state ts = CF_TRIAL_COMPLETE;
    cJSON *v = NULL;
    cf_status st = CF_OK;
    if (state && cf_trial_state_from_name(state, &ts) != CF_OK)
        st = cf_error_set(&e, CF_ERR_INVALID, NULL, 0, 0, "state",
                          "Unknown state \"%s\" (complete, failed, "
                          "pruned).",
                          state);
    if (st == CF_OK && values_json && (v = cJSON_Parse(values_json)) == NULL)
        st = cf_error_set(&e, CF_ERR_PARSE, NULL, 0, 0, "values", "The values are not valid JSON.");
    if (st == CF_OK) st = cf_study_tell(s, id, v, ts, &e);
    cJSON_Delete(v);
    set_last(s, &e);
    return (int)st;
}

static char *print_and_free(cf_study *s, cf_status st, cJSON *o, const cf_error *e)
{
    set_last(s, e);
    if (st) return NULL;
    char *txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return txt;
}

char *cf_study_trials_json(cf_study *s)
{
    cf_error e;
    cf_error_clear(&e);
    cJSON *o = NULL;
    cf_status st = cf_study_trials(s, &o, &e);
    return print_and_free(s, st, o, &e);
}

char *cf_study_front_json(cf_study *s)
{
    cf_error e;
    cf_error_clear(&e);
    cJSON *o = NULL;
    cf_status st = cf_study_front(s, &o, &e);
    return print_and_free(s, st, o, &e);
}

const char *cf_study_last_error(const cf_study *s) { return s ? s->last_error : "no study"; }

void cf_free(void *p) { free(p); }

