/* costfront: detecting the kind of a run source and reading it into records, plus JSON runs into records (see
 * sources.h). */
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "costfront/sources.h"
#include "data/src_util.h"

const char *cf_source_kind_name(cf_source_kind k)
{
    switch (k) {
    case CF_SOURCE_MLFLOW_DIR: return "mlflow";
    case CF_SOURCE_MLFLOW_DB: return "mlflow-db";
    case CF_SOURCE_OPTUNA: return "optuna";
    case CF_SOURCE_WANDB: return "wandb";
    case CF_SOURCE_MLPERF: return "mlperf";
    case CF_SOURCE_CSV: return "csv";
    case CF_SOURCE_JSON: return "json";
    case CF_SOURCE_XML: return "xml";
    case CF_SOURCE_UNKNOWN: break;
    }
    return "unknown";
}

/* Case-insensitive suffix test, since file extensions come in any case. */
static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* Decides between MLflow and Optuna for an SQLite file from its tables. */
static cf_status sqlite_kind(const char *path, cf_source_kind *kind, cf_error *err)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        cf_status s = cf_error_set(err, CF_ERR_DB, path, 0, 0, NULL, "cannot open the SQLite file: %s",
                                   db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return s;
    }
    sqlite3_stmt *q = NULL;
    int has[5] = {0, 0, 0, 0, 0};
    static const char *const names[5] = {"studies", "trials", "runs", "metrics", "experiments"};
    cf_status st = CF_OK;
    if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type='table'", -1, &q, NULL) != SQLITE_OK) {
        st = cf_error_set(err, CF_ERR_DB, path, 0, 0, NULL, "not a readable SQLite database: %s", sqlite3_errmsg(db));
    } else {
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            const char *n = (const char *)sqlite3_column_text(q, 0);
            for (int k = 0; k < 5; k++)
                if (n && strcmp(n, names[k]) == 0) has[k] = 1;
        }
        if (rc != SQLITE_DONE)
            st = cf_error_set(err, CF_ERR_DB, path, 0, 0, NULL, "damaged SQLite database: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    if (st != CF_OK) return st;
    if (has[0] && has[1])
        *kind = CF_SOURCE_OPTUNA;
    else if (has[2] && has[3] && has[4])
        *kind = CF_SOURCE_MLFLOW_DB;
    else
        return cf_error_set(err, CF_ERR_INVALID, path, 0, 0, NULL,
                            "an SQLite database that is neither an Optuna storage (tables studies, trials) nor an "
                            "MLflow tracking database (tables runs, metrics, experiments)");
    return CF_OK;
}

cf_status cf_detect_source(const char *path, cf_source_kind *kind, cf_error *err)
{
    if (path == NULL || kind == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no path or no output");
    *kind = CF_SOURCE_UNKNOWN;
    if (cf_src_is_dir(path)) {
        char *meta = cf_src_join(path, "meta.yaml");
        int direct = meta != NULL && cf_src_is_file(meta);
        free(meta);
        int nested = 0;
        if (!direct) {
            size_t n;
            char **entries = cf_src_list_dir(path, &n);
            for (size_t i = 0; i < n && !nested; i++) {
                char *d = cf_src_join(path, entries[i]);
                char *m = d ? cf_src_join(d, "meta.yaml") : NULL;
                nested = m != NULL && cf_src_is_file(m);
                free(d);
                free(m);
            }
            cf_src_free_list(entries, n);
        }
        if (direct || nested) {
            *kind = CF_SOURCE_MLFLOW_DIR;
            return CF_OK;
        }
        return cf_error_set(err, CF_ERR_INVALID, path, 0, 0, NULL,
                            "a directory that is not an MLflow store (no meta.yaml in it or its subdirectories)");
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot open the file");
    unsigned char head[64];
    size_t got = fread(head, 1, sizeof head, f);
    fclose(f);
    if (got >= 16 && memcmp(head, "SQLite format 3", 16) == 0) return sqlite_kind(path, kind, err);
    size_t i = (got >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
    while (i < got && (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r')) i++;
    if (ends_with(path, ".xml") || (i < got && head[i] == '<'))
        *kind = CF_SOURCE_XML;
    else if (ends_with(path, ".json") || ends_with(path, ".jsonl") || ends_with(path, ".ndjson") ||
             (i < got && (head[i] == '{' || head[i] == '[')))
        *kind = cf_mlperf_sniff(path) ? CF_SOURCE_MLPERF : CF_SOURCE_JSON;
    else if (ends_with(path, ".db") || ends_with(path, ".sqlite") || ends_with(path, ".sqlite3"))
        return cf_error_set(err, CF_ERR_DB, path, 0, 0, NULL,
                            "not an SQLite database (the file does not start with the SQLite header; truncated?)");
    else if (got == 0)
        return cf_error_set(err, CF_ERR_EMPTY, path, 0, 0, NULL, "the file is empty");
    else
        *kind = cf_wandb_header_kind(path) ? CF_SOURCE_WANDB : CF_SOURCE_CSV;
    return CF_OK;
}

/* Flattens a JSON object into b: nested objects join their keys with '.', arrays are kept as JSON text. */
static cf_status flatten(const cJSON *obj, const char *prefix, cf_pairbuf *b)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        const char *k = it->string ? it->string : "";
        size_t len = strlen(prefix) + strlen(k) + 2;
        char *name = malloc(len);
        if (name == NULL) return CF_ERR_NOMEM;
        snprintf(name, len, "%s%s%s", prefix, prefix[0] ? "." : "", k);
        cf_status st = CF_OK;
        char buf[32];
        if (cJSON_IsObject(it))
            st = flatten(it, name, b);
        else if (cJSON_IsString(it))
            st = cf_pairbuf_add_unique(b, "", name, it->valuestring);
        else if (cJSON_IsNumber(it))
            st = cf_pairbuf_add_unique(b, "", name, cf_src_fmt_double(it->valuedouble, buf));
        else if (cJSON_IsBool(it))
            st = cf_pairbuf_add_unique(b, "", name, cJSON_IsTrue(it) ? "true" : "false");
        else if (cJSON_IsNull(it))
            st = cf_pairbuf_add_unique(b, "", name, "");
        else {
            char *t = cJSON_PrintUnformatted(it);
            st = t ? cf_pairbuf_add_unique(b, "", name, t) : CF_ERR_NOMEM;
            free(t);
        }
        free(name);
        if (st != CF_OK) return st;
    }
    return CF_OK;
}

/* Adds one JSON run object as a record (or a rejected record when it is not an object). */
static cf_status add_json_run(const cJSON *o, long line, cf_records *out)
{
    char *raw = cJSON_PrintUnformatted(o);
    if (raw == NULL) return CF_ERR_NOMEM;
    cf_status st;
    if (!cJSON_IsObject(o)) {
        st = cf_records_reject(out, NULL, line, 0, "", "expected a JSON object for a run", raw);
    } else {
        cf_pairbuf b = {0};
        st = flatten(o, "", &b);
        const char *key = NULL;
        static const char *const keys[3] = {"run_id", "id", "name"};
        for (int k = 0; k < 3 && key == NULL; k++) {
            size_t i = cf_pairbuf_find(&b, keys[k]);
            if (i != (size_t)-1 && b.values[i][0]) key = b.values[i];
        }
        if (st == CF_OK) st = cf_pairbuf_emit(&b, out, key, line, raw);
        cf_pairbuf_free(&b);
    }
    free(raw);
    return st;
}

/* Line (1-based) of byte offset off in text. */
static long line_of(const char *text, size_t off)
{
    long line = 1;
    for (size_t i = 0; i < off && text[i]; i++)
        if (text[i] == '\n') line++;
    return line;
}

cf_status cf_read_json_records(const char *path, cf_records *out, cf_error *err)
{
    if (path == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no path or no records");
    size_t len;
    char *text = cf_src_read_file(path, &len);
    if (text == NULL) return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot read the file");
    cf_status st = cf_records_begin_source(out, "json", path);
    const char *end = NULL;
    cJSON *doc = st == CF_OK ? cJSON_ParseWithOpts(text, &end, 1) : NULL;
    if (st != CF_OK) {
        /* allocation failure, reported below */
    } else if (doc != NULL) {
        const cJSON *arr = cJSON_IsArray(doc) ? doc : cJSON_GetObjectItemCaseSensitive(doc, "runs");
        if (!cJSON_IsArray(arr)) {
            st =
                cf_error_set(err, CF_ERR_PARSE, path, 1, 0, NULL, "expected a JSON array of runs or {\"runs\": [...]}");
        } else {
            long recno = 0;
            const cJSON *it;
            cJSON_ArrayForEach(it, arr)
            {
                if (st != CF_OK) break;
                st = add_json_run(it, ++recno, out);
            }
        }
        cJSON_Delete(doc);
    } else {
        /* JSON Lines: one object per non-blank line; a bad line is a rejected record */
        long line = 0;
        char *save = NULL;
        for (char *ln = strtok_r(text, "\n", &save); ln != NULL && st == CF_OK; ln = strtok_r(NULL, "\n", &save)) {
            line = line_of(text, (size_t)(ln - text));
            if (strspn(ln, " \t\r") == strlen(ln)) continue;
            cJSON *o = cJSON_Parse(ln);
            if (o == NULL) {
                const char *ep = cJSON_GetErrorPtr();
                long col = ep ? (long)(ep - ln) + 1 : 0;
                if (col < 0 || col > (long)strlen(ln) + 1) col = 0;
                st = cf_records_reject(out, NULL, line, col, "", "not a JSON object (JSON syntax error)", ln);
            } else {
                st = add_json_run(o, line, out);
                cJSON_Delete(o);
            }
        }
        (void)end;
    }
    free(text);
    if (st == CF_ERR_NOMEM) return cf_error_set(err, st, path, 0, 0, NULL, "out of memory");
    return st;
}

cf_status cf_read_source(const char *path, cf_records *out, cf_error *err)
{
    cf_source_kind kind;
    cf_status st = cf_detect_source(path, &kind, err);
    if (st != CF_OK) return st;
    switch (kind) {
    case CF_SOURCE_MLFLOW_DIR: return cf_read_mlflow(path, out, err);
    case CF_SOURCE_MLFLOW_DB: return cf_read_mlflow_db(path, out, err);
    case CF_SOURCE_OPTUNA: return cf_read_optuna(path, out, err);
    case CF_SOURCE_WANDB: return cf_read_wandb(path, out, err);
    case CF_SOURCE_CSV: return cf_read_csv_records(path, out, err);
    case CF_SOURCE_JSON: return cf_read_json_records(path, out, err);
    case CF_SOURCE_XML: return cf_read_xml(path, out, err);
    case CF_SOURCE_MLPERF: return cf_read_mlperf(path, out, err);
    case CF_SOURCE_UNKNOWN: break;
    }
    return cf_error_set(err, CF_ERR_INVALID, path, 0, 0, NULL, "unknown kind of run source");
}
