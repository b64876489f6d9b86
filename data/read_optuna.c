/* costfront: reader for Optuna's SQLite storage (see sources.h).
 *
 * Optuna's RDB schema (optuna/storages/_rdb/models.py): studies(study_id, study_name); study_directions(study_id,
 * objective, direction); trials(trial_id, number, study_id, state: RUNNING, COMPLETE, PRUNED, FAIL, WAITING);
 * trial_values(trial_id, objective, value, value_type: FINITE, INF_POS, INF_NEG -- value is NULL for the
 * infinities); trial_params(trial_id, param_name, param_value, distribution_json); trial_user_attributes(trial_id,
 * key, value_json); study_system_attributes(study_id, key, value_json) where "study:metric_names" holds the
 * objective names. A param is stored as a double in the distribution's internal representation: the index of the
 * choice for a categorical, the number itself otherwise; distribution_json says which ({"name":
 * "FloatDistribution", "attributes": {...}}; before Optuna 3.0 also UniformDistribution, LogUniformDistribution,
 * DiscreteUniformDistribution, IntUniformDistribution, IntLogUniformDistribution).
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/sources.h"
#include "data/src_util.h"

/* Text of a JSON scalar as a user would write it: strings unquoted, integers without a decimal point, booleans
 * and null as words; arrays and objects as compact JSON. Caller frees. */
static char *json_text(const cJSON *v)
{
    char buf[32];
    if (cJSON_IsString(v)) return cf_src_strdup(v->valuestring);
    if (cJSON_IsNumber(v)) return cf_src_strdup(cf_src_fmt_double(v->valuedouble, buf));
    if (cJSON_IsTrue(v)) return cf_src_strdup("true");
    if (cJSON_IsFalse(v)) return cf_src_strdup("false");
    if (cJSON_IsNull(v)) return cf_src_strdup("null");
    return cJSON_PrintUnformatted(v);
}

/* Decodes one param value through its distribution. Returns CF_OK with *out set (caller frees), or
 * CF_ERR_PARSE with why filled. */
static cf_status decode_param(double value, const char *dist_json, char **out, char *why, size_t nwhy)
{
    *out = NULL;
    cJSON *d = cJSON_Parse(dist_json ? dist_json : "");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(d, "name");
    const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(d, "attributes");
    cf_status st = CF_OK;
    char buf[32];
    if (d == NULL || !cJSON_IsString(name)) {
        snprintf(why, nwhy, "distribution_json is not an Optuna distribution: \"%.100s\"", dist_json ? dist_json : "");
        st = CF_ERR_PARSE;
    } else if (strcmp(name->valuestring, "FloatDistribution") == 0 ||
               strcmp(name->valuestring, "UniformDistribution") == 0 ||
               strcmp(name->valuestring, "LogUniformDistribution") == 0 ||
               strcmp(name->valuestring, "DiscreteUniformDistribution") == 0) {
        *out = cf_src_strdup(cf_src_fmt_double(value, buf));
    } else if (strcmp(name->valuestring, "IntDistribution") == 0 ||
               strcmp(name->valuestring, "IntUniformDistribution") == 0 ||
               strcmp(name->valuestring, "IntLogUniformDistribution") == 0) {
        snprintf(buf, sizeof buf, "%lld", (long long)llround(value));
        *out = cf_src_strdup(buf);
    } else if (strcmp(name->valuestring, "CategoricalDistribution") == 0) {
        const cJSON *choices = cJSON_GetObjectItemCaseSensitive(attrs, "choices");
        int nc = cJSON_IsArray(choices) ? cJSON_GetArraySize(choices) : -1;
        if (nc < 0 || !(value >= 0) || value >= nc || value != floor(value)) {
            snprintf(why, nwhy, "categorical index %s is not one of the %d choices", cf_src_fmt_double(value, buf), nc);
            st = CF_ERR_PARSE;
        } else {
            *out = json_text(cJSON_GetArrayItem(choices, (int)value));
        }
    } else {
        snprintf(why, nwhy,
                 "unknown distribution \"%.60s\" (expected FloatDistribution, IntDistribution, CategoricalDistribution "
                 "or an older Uniform/LogUniform/DiscreteUniform/IntUniform/IntLogUniform distribution)",
                 name->valuestring);
        st = CF_ERR_PARSE;
    }
    cJSON_Delete(d);
    if (st == CF_OK && *out == NULL) return CF_ERR_NOMEM;
    return st;
}

/* Objective names of a study: from study:metric_names when stored, else "value" / "value_<i>". */
typedef struct objnames {
    char **names;
    size_t n;
} objnames;

/* Frees the objective names and resets o, so that it can be reused for the next study. */
static void objnames_free(objnames *o)
{
    cf_src_free_list(o->names, o->n);
    o->names = NULL;
    o->n = 0;
}

/* Reads the objective names of a study (Optuna stores them as a system attribute in recent versions), falling back
 * to "value", "value_1", ... when the storage does not name them. */
static cf_status study_objectives(sqlite3 *db, long long study_id, int has_sysattr, objnames *o)
{
    sqlite3_stmt *q = NULL;
    size_t n = 0;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM study_directions WHERE study_id=?1", -1, &q, NULL) != SQLITE_OK)
        return CF_ERR_DB;
    sqlite3_bind_int64(q, 1, study_id);
    if (sqlite3_step(q) == SQLITE_ROW) n = (size_t)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (n == 0) n = 1;
    o->names = calloc(n, sizeof(char *));
    if (o->names == NULL) return CF_ERR_NOMEM;
    o->n = n;
    cJSON *mn = NULL;
    if (has_sysattr && sqlite3_prepare_v2(db,
                                          "SELECT value_json FROM study_system_attributes WHERE study_id=?1 AND"
                                          " key='study:metric_names'",
                                          -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, study_id);
        if (sqlite3_step(q) == SQLITE_ROW) mn = cJSON_Parse((const char *)sqlite3_column_text(q, 0));
        sqlite3_finalize(q);
    }
    int use_names = cJSON_IsArray(mn) && (size_t)cJSON_GetArraySize(mn) == n;
    for (size_t i = 0; i < n; i++) {
        const cJSON *it = use_names ? cJSON_GetArrayItem(mn, (int)i) : NULL;
        char buf[32];
        if (cJSON_IsString(it) && it->valuestring[0])
            o->names[i] = cf_src_strdup(it->valuestring);
        else {
            if (n == 1)
                snprintf(buf, sizeof buf, "value");
            else
                snprintf(buf, sizeof buf, "value_%zu", i);
            o->names[i] = cf_src_strdup(buf);
        }
        if (o->names[i] == NULL) {
            cJSON_Delete(mn);
            return CF_ERR_NOMEM;
        }
    }
    cJSON_Delete(mn);
    return CF_OK;
}

/* Lowercase skip reason for a trial state. */
static const char *state_reason(const char *state)
{
    if (state == NULL) return "unknown";
    if (strcmp(state, "RUNNING") == 0) return "running";
    if (strcmp(state, "WAITING") == 0) return "waiting";
    if (strcmp(state, "FAIL") == 0) return "failed";
    if (strcmp(state, "PRUNED") == 0) return "pruned";
    return "unknown state";
}

cf_status cf_read_optuna(const char *path, cf_records *out, cf_error *err)
{
    if (path == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no path or no records");
    if (!cf_src_is_file(path))
        return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot open the Optuna storage: no such file");
    sqlite3 *db = NULL;
    cf_status ost = cf_src_sqlite_open(path, "Optuna storage", &db, err);
    if (ost != CF_OK) return ost;
    cf_status st = CF_OK;
    sqlite3_stmt *trials = NULL, *vals = NULL, *pars = NULL, *attrs = NULL;
    cf_pairbuf pairs = {0};
    objnames obj = {NULL, 0};
    long long cur_study = -1;
    long recno = 0;
    int rc = SQLITE_DONE;
    if (!cf_src_sqlite_has_table(db, "studies") || !cf_src_sqlite_has_table(db, "trials") ||
        !cf_src_sqlite_has_table(db, "trial_values") || !cf_src_sqlite_has_table(db, "trial_params")) {
        st = cf_error_set(err, CF_ERR_DB, path, 0, 0, NULL,
                          "not an Optuna storage (expected tables studies, trials, trial_values, trial_params)");
        goto done;
    }
    int has_sysattr = cf_src_sqlite_has_table(db, "study_system_attributes");
    int has_vtype = cf_src_sqlite_has_column(db, "trial_values", "value_type");
    if (sqlite3_prepare_v2(db,
                           "SELECT t.trial_id, t.number, t.state, s.study_id, s.study_name FROM trials t"
                           " JOIN studies s ON s.study_id = t.study_id ORDER BY s.study_id, t.number, t.trial_id",
                           -1, &trials, NULL) != SQLITE_OK)
        goto dberr;
    if (sqlite3_prepare_v2(db,
                           has_vtype ? "SELECT objective, value, value_type FROM trial_values WHERE trial_id=?1"
                                       " ORDER BY objective"
                                     : "SELECT objective, value, 'FINITE' FROM trial_values WHERE trial_id=?1"
                                       " ORDER BY objective",
                           -1, &vals, NULL) != SQLITE_OK)
        goto dberr;
    if (sqlite3_prepare_v2(db,
                           "SELECT param_name, param_value, distribution_json FROM trial_params WHERE trial_id=?1"
                           " ORDER BY param_id",
                           -1, &pars, NULL) != SQLITE_OK)
        goto dberr;
    if (cf_src_sqlite_has_table(db, "trial_user_attributes") &&
        sqlite3_prepare_v2(db,
                           "SELECT key, value_json FROM trial_user_attributes WHERE trial_id=?1"
                           " ORDER BY trial_user_attribute_id",
                           -1, &attrs, NULL) != SQLITE_OK)
        goto dberr;
    st = cf_records_begin_source(out, "optuna", path);
    if (st != CF_OK) {
        cf_error_set(err, st, path, 0, 0, NULL, "out of memory");
        goto done;
    }
    while (st == CF_OK && (rc = sqlite3_step(trials)) == SQLITE_ROW) {
        recno++;
        long long trial_id = sqlite3_column_int64(trials, 0);
        long long number = sqlite3_column_int64(trials, 1);
        const char *state = (const char *)sqlite3_column_text(trials, 2);
        long long study_id = sqlite3_column_int64(trials, 3);
        char study[512];
        snprintf(study, sizeof study, "%s", (const char *)sqlite3_column_text(trials, 4));
        if (study_id != cur_study) {
            objnames_free(&obj);
            st = study_objectives(db, study_id, has_sysattr, &obj);
            if (st == CF_ERR_DB) goto dberr;
            if (st != CF_OK) break;
            cur_study = study_id;
        }
        if (state == NULL || strcmp(state, "COMPLETE") != 0) {
            st = cf_records_skip(out, state_reason(state));
            continue;
        }
        char key[600];
        snprintf(key, sizeof key, "%s#%lld", study, number);
        cf_pairbuf_clear(&pairs);
        st = cf_pairbuf_add(&pairs, "run_id", key);
        if (st == CF_OK) st = cf_pairbuf_add(&pairs, "project", study);
        /* objective values */
        sqlite3_reset(vals);
        sqlite3_bind_int64(vals, 1, trial_id);
        while (st == CF_OK && (rc = sqlite3_step(vals)) == SQLITE_ROW) {
            long long o = sqlite3_column_int64(vals, 0);
            const char *vt = (const char *)sqlite3_column_text(vals, 2);
            char buf[32], fallback[32];
            if (vt && strcmp(vt, "INF_POS") == 0)
                strcpy(buf, "inf");
            else if (vt && strcmp(vt, "INF_NEG") == 0)
                strcpy(buf, "-inf");
            else if (sqlite3_column_type(vals, 1) == SQLITE_NULL)
                strcpy(buf, "");
            else
                cf_src_fmt_double(sqlite3_column_double(vals, 1), buf);
            const char *nm = fallback;
            if (o >= 0 && (size_t)o < obj.n)
                nm = obj.names[o];
            else
                snprintf(fallback, sizeof fallback, "value_%lld", o);
            st = cf_pairbuf_add_unique(&pairs, "objective.", nm, buf);
        }
        if (st == CF_OK && rc != SQLITE_DONE) goto dberr;
        /* params */
        sqlite3_reset(pars);
        sqlite3_bind_int64(pars, 1, trial_id);
        while (st == CF_OK && (rc = sqlite3_step(pars)) == SQLITE_ROW) {
            const char *pn = (const char *)sqlite3_column_text(pars, 0);
            double pv = sqlite3_column_double(pars, 1);
            const char *dj = (const char *)sqlite3_column_text(pars, 2);
            char *text = NULL, why[400];
            st = decode_param(pv, dj, &text, why, sizeof why);
            if (st == CF_ERR_PARSE) {
                char field[700];
                snprintf(field, sizeof field, "%s.%s", key, pn ? pn : "");
                cf_error_set(err, CF_ERR_PARSE, path, recno, 0, field, "study \"%s\", trial %lld, param \"%s\": %s",
                             study, number, pn ? pn : "", why);
                goto done;
            }
            if (st == CF_OK) st = cf_pairbuf_add_unique(&pairs, "param.", pn ? pn : "", text);
            free(text);
        }
        if (st == CF_OK && rc != SQLITE_DONE) goto dberr;
        /* user attributes */
        if (attrs != NULL) {
            sqlite3_reset(attrs);
            sqlite3_bind_int64(attrs, 1, trial_id);
            while (st == CF_OK && (rc = sqlite3_step(attrs)) == SQLITE_ROW) {
                const char *k = (const char *)sqlite3_column_text(attrs, 0);
                const char *vj = (const char *)sqlite3_column_text(attrs, 1);
                cJSON *v = cJSON_Parse(vj ? vj : "");
                char *text = v ? json_text(v) : cf_src_strdup(vj);
                cJSON_Delete(v);
                if (text == NULL)
                    st = CF_ERR_NOMEM;
                else
                    st = cf_pairbuf_add_unique(&pairs, "attr.", k ? k : "", text);
                free(text);
            }
            if (st == CF_OK && rc != SQLITE_DONE) goto dberr;
        }
        if (st == CF_OK) {
            char raw[700];
            snprintf(raw, sizeof raw, "optuna trial %s", key);
            st = cf_pairbuf_emit(&pairs, out, key, recno, raw);
        }
    }
    if (st == CF_OK && rc != SQLITE_DONE) goto dberr;
    if (st != CF_OK) {
        cf_error_set(err, st, path, recno, 0, NULL, "out of memory");
        goto done;
    }
    st = cf_records_note_skips(out);
    goto done;
dberr:
    st = cf_error_set(err, CF_ERR_DB, path, recno, 0, NULL, "cannot read the Optuna storage: %s", sqlite3_errmsg(db));
done:
    objnames_free(&obj);
    cf_pairbuf_free(&pairs);
    sqlite3_finalize(trials);
    sqlite3_finalize(vals);
    sqlite3_finalize(pars);
    sqlite3_finalize(attrs);
    sqlite3_close(db);
    return st;
}
