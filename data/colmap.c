/* costfront: the column mapping (--map pairs, mapping files, units, defaults) of the runset (see
 * include/costfront/runset.h). Split from data/runset.c, which applies the mapping to records. */
#include "costfront/runset.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "data/alloc.h"
#include "data/runset_fields.h"
#include "data/runset_internal.h"


/* Case-insensitive equality. */
static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Canonical fields                                                                                               */

const char *const cf_runset_field_names[F_COUNT] = {"run_id",      "accuracy", "gpu_hours", "wall_hours", "num_gpus",
                                                 "precision",   "pruning",  "hardware",  "region",     "provider",
                                                 "procurement", "model",    "dataset",   "project",
                                                 /* issue 16 */
                                                 "data_gb", "data_location", "checkpoint_gb", "storage_days",
                                                 "model_gb", "num_nodes",
                                                 /* issue 11 */
                                                 "tokens_per_s", "samples_per_s", "queries_per_s",
                                                 "input_tokens_per_s", "output_tokens_per_s", "input_output_ratio",
                                                 "ttft_ms", "tpot_ms", "latency_p50_ms", "latency_p99_ms", "power_w"};

int cf_runset_canon_field(const char *name)
{
    char key[64];
    if (strlen(name) >= sizeof key) return F_PARAM;
    size_t k = 0;
    for (const char *p = name; *p; p++) {
        char c = (char)tolower((unsigned char)*p);
        key[k++] = (c == ' ' || c == '-') ? '_' : c;
    }
    key[k] = '\0';
    if (strcmp(key, "ignore") == 0) return F_IGNORE;
    if (strcmp(key, "data_region") == 0) return F_DATA_LOCATION; /* a region alone (issue 16) */
    /* issue 11: the short spellings of inference fields */
    static const struct {
        const char *alias;
        int field;
    } aliases[] = {{"ttft", F_TTFT_MS},        {"tpot", F_TPOT_MS},          {"p50_ms", F_P50_MS},
                   {"p99_ms", F_P99_MS},       {"latency_p50", F_P50_MS},    {"latency_p99", F_P99_MS},
                   {"io_ratio", F_IO_RATIO},   {"input_output", F_IO_RATIO}, {"power_watts", F_POWER_W},
                   {"tokens_per_sec", F_TOKENS_PER_S}, {"samples_per_sec", F_SAMPLES_PER_S},
                   {"queries_per_sec", F_QUERIES_PER_S}};
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
        if (strcmp(key, aliases[i].alias) == 0) return aliases[i].field;
    for (int f = 0; f < F_COUNT; f++)
        if (strcmp(key, cf_runset_field_names[f]) == 0) return f;
    return F_PARAM;
}


/* ------------------------------------------------------------------------------------------------------------ */
/* Column mapping                                                                                                 */


cf_colmap *cf_colmap_create(void)
{
    cf_colmap *m = calloc(1, sizeof *m);
    if (m == NULL) return NULL;
    m->accuracy_mode = -1;
    m->hours_scale = 1.0;
    return m;
}

void cf_colmap_destroy(cf_colmap *m)
{
    if (m == NULL) return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->from[i]);
        free(m->to[i]);
    }
    free(m->from);
    free(m->to);
    for (int f = 0; f < F_COUNT; f++) free(m->defaults[f]);
    for (size_t i = 0; i < m->n_extract; i++) {
        free(m->extract_from[i]);
        free(m->extract_metric[i]);
    }
    free(m->extract_from);
    free(m->extract_metric);
    free(m);
}

cf_status cf_colmap_set_extract(cf_colmap *m, const char *from, const char *metric)
{
    if (m == NULL || from == NULL || metric == NULL) return CF_ERR_ARG;
    if (from[0] == '\0' || metric[0] == '\0') return CF_ERR_INVALID;
    int oom = 0;
    for (size_t i = 0; i < m->n_extract; i++) {
        if (!ieq(m->extract_from[i], from)) continue;
        char *t = cf_dup_str(metric, &oom);
        if (oom) return CF_ERR_NOMEM;
        free(m->extract_metric[i]);
        m->extract_metric[i] = t;
        return CF_OK;
    }
    char **nf = realloc(m->extract_from, (m->n_extract + 1) * sizeof *nf);
    if (nf == NULL) return CF_ERR_NOMEM;
    m->extract_from = nf;
    char **nm = realloc(m->extract_metric, (m->n_extract + 1) * sizeof *nm);
    if (nm == NULL) return CF_ERR_NOMEM;
    m->extract_metric = nm;
    char *a = cf_dup_str(from, &oom), *b = cf_dup_str(metric, &oom);
    if (oom) {
        free(a);
        free(b);
        return CF_ERR_NOMEM;
    }
    m->extract_from[m->n_extract] = a;
    m->extract_metric[m->n_extract++] = b;
    return CF_OK;
}

/* A metric name character: letters, digits and the punctuation metric names use ("ROUGE-L", "top_5", "mAP@0.5"). */
static int metric_char(int c) { return isalnum(c) || c == '_' || c == '-' || c == '@' || c == '.' || c == '%'; }

/* Scans "NAME: number" / "NAME=number" pairs left to right: the first one (metric NULL) or the one named metric
 * (case-insensitive). A name is the run of metric characters just before ':' or '='. */
cf_status cf_metric_extract(const char *s, const char *metric, double *value, char *name, size_t n)
{
    if (s == NULL || value == NULL) return CF_ERR_ARG;
    for (const char *p = s; *p; p++) {
        if (*p != ':' && *p != '=') continue;
        const char *e = p;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
        const char *b = e;
        while (b > s && metric_char((unsigned char)b[-1])) b--;
        if (b == e) continue;
        /* A name begins with a letter: digits glued before it belong to a number ("44.53ROUGE2" is unusual). */
        while (b < e && !isalpha((unsigned char)*b)) b++;
        if (b == e || !isalpha((unsigned char)*b)) continue;
        const char *v = p + 1;
        while (*v == ' ' || *v == '\t') v++;
        char *end = NULL;
        double x = strtod(v, &end);
        if (end == v || !isfinite(x)) continue;
        size_t len = (size_t)(e - b);
        if (metric != NULL && (strlen(metric) != len || strncasecmp(b, metric, len) != 0)) continue;
        *value = x;
        if (name != NULL && n > 0) snprintf(name, n, "%.*s", (int)len, b);
        return CF_OK;
    }
    return CF_ERR_NOT_FOUND;
}

cf_status cf_colmap_add(cf_colmap *m, const char *from, const char *to)
{
    if (m == NULL || from == NULL || to == NULL) return CF_ERR_ARG;
    if (from[0] == '\0' || to[0] == '\0') return CF_ERR_INVALID;
    int oom = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (ieq(m->from[i], from)) {
            char *t = cf_dup_str(to, &oom);
            if (oom) return CF_ERR_NOMEM;
            free(m->to[i]);
            m->to[i] = t;
            return CF_OK;
        }
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 8;
        char **nf = realloc(m->from, cap * sizeof *nf);
        if (nf == NULL) return CF_ERR_NOMEM;
        m->from = nf;
        char **nt = realloc(m->to, cap * sizeof *nt);
        if (nt == NULL) return CF_ERR_NOMEM;
        m->to = nt;
        m->cap = cap;
    }
    char *f = cf_dup_str(from, &oom);
    char *t = cf_dup_str(to, &oom);
    if (oom) {
        free(f);
        free(t);
        return CF_ERR_NOMEM;
    }
    m->from[m->n] = f;
    m->to[m->n] = t;
    m->n++;
    return CF_OK;
}

cf_status cf_colmap_parse_pairs(cf_colmap *m, const char *pairs, cf_error *err)
{
    if (m == NULL || pairs == NULL) return cf_error_set(err, CF_ERR_ARG, "--map", 0, 0, NULL, "no mapping given");
    const char *p = pairs;
    long index = 0;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        index++;
        char *item = malloc(len + 1);
        if (item == NULL) return cf_error_set(err, CF_ERR_NOMEM, "--map", 0, 0, NULL, "out of memory");
        memcpy(item, p, len);
        item[len] = '\0';
        int oom = 0;
        char *trimmed = cf_dup_trimmed(item, &oom);
        cf_status st = CF_OK;
        if (oom) {
            st = cf_error_set(err, CF_ERR_NOMEM, "--map", 0, 0, NULL, "out of memory");
        } else if (trimmed != NULL) {
            char *eq = strchr(trimmed, '=');
            if (eq == NULL) {
                st = cf_error_set(err, CF_ERR_INVALID, "--map", 0, index, NULL,
                                  "expected column=field (e.g. val_acc=accuracy), found '%s'", trimmed);
            } else {
                *eq = '\0';
                char *a = cf_dup_trimmed(trimmed, &oom);
                char *b = cf_dup_trimmed(eq + 1, &oom);
                if (oom) {
                    st = cf_error_set(err, CF_ERR_NOMEM, "--map", 0, 0, NULL, "out of memory");
                } else if (a == NULL || b == NULL) {
                    *eq = '=';
                    st = cf_error_set(err, CF_ERR_INVALID, "--map", 0, index, NULL,
                                      "expected column=field with both names, found '%s'", trimmed);
                } else {
                    st = cf_colmap_add(m, a, b);
                    if (st == CF_ERR_NOMEM) cf_error_set(err, st, "--map", 0, 0, NULL, "out of memory");
                }
                free(a);
                free(b);
            }
        }
        free(trimmed);
        free(item);
        if (st != CF_OK) return st;
        p = end ? end + 1 : p + len;
    }
    return CF_OK;
}

void cf_colmap_set_accuracy_percent(cf_colmap *m, int mode)
{
    if (m == NULL) return;
    m->accuracy_mode = mode > 0 ? 1 : (mode == 0 ? 0 : -1);
}

void cf_colmap_set_hours_scale(cf_colmap *m, double factor)
{
    if (m == NULL || !isfinite(factor) || factor <= 0) return;
    m->hours_scale = factor;
}

cf_status cf_colmap_set_default(cf_colmap *m, const char *field, const char *value)
{
    if (m == NULL || field == NULL) return CF_ERR_ARG;
    int f = cf_runset_canon_field(field);
    if (f < 0) return CF_ERR_INVALID;
    int oom = 0;
    char *v = cf_dup_trimmed(value, &oom);
    if (oom) return CF_ERR_NOMEM;
    free(m->defaults[f]);
    m->defaults[f] = v;
    return CF_OK;
}

const char *cf_colmap_lookup(const cf_colmap *m, const char *from)
{
    if (m == NULL || from == NULL) return from;
    for (size_t i = 0; i < m->n; i++)
        if (ieq(m->from[i], from)) return m->to[i];
    return from;
}

cf_colmap *cf_colmap_copy(const cf_colmap *src)
{
    cf_colmap *m = cf_colmap_create();
    if (m == NULL || src == NULL) return m;
    m->accuracy_mode = src->accuracy_mode;
    m->hours_scale = src->hours_scale;
    for (size_t i = 0; i < src->n; i++) {
        if (cf_colmap_add(m, src->from[i], src->to[i]) != CF_OK) goto oom;
    }
    for (int f = 0; f < F_COUNT; f++) {
        int oom = 0;
        m->defaults[f] = cf_dup_str(src->defaults[f], &oom);
        if (oom) goto oom;
    }
    for (size_t i = 0; i < src->n_extract; i++)
        if (cf_colmap_set_extract(m, src->extract_from[i], src->extract_metric[i]) != CF_OK) goto oom;
    return m;
oom:
    cf_colmap_destroy(m);
    return NULL;
}

/* Converts a JSON scalar into text for a default value; returns NULL (and *bad = 1) for anything else. */
static char *json_scalar_text(const cJSON *v, int *bad, int *oom)
{
    if (cJSON_IsString(v)) return cf_dup_str(v->valuestring, oom);
    if (cJSON_IsNumber(v)) {
        char buf[40];
        snprintf(buf, sizeof buf, "%.17g", v->valuedouble);
        return cf_dup_str(buf, oom);
    }
    if (cJSON_IsBool(v)) return cf_dup_str(cJSON_IsTrue(v) ? "true" : "false", oom);
    *bad = 1;
    return NULL;
}

cf_status cf_colmap_load(cf_colmap *m, const char *path, cf_error *err)
{
    if (m == NULL || path == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no mapping file given");
    char *text = NULL;
    size_t len = 0;
    size_t skip = 0;
    cf_status st = cf_text_load_utf8(path, &text, &len, &skip, err);
    if (st != CF_OK) return st;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text + skip, &end, 1);
    if (root == NULL) {
        size_t off = cf_json_error_offset(text, len, end ? end : cJSON_GetErrorPtr());
        long line, col;
        cf_text_linecol(text, off, &line, &col);
        free(text);
        return cf_error_set(err, CF_ERR_PARSE, path, line, col, NULL, "invalid JSON at line %ld, column %ld", line,
                            col);
    }
    /* Validate into a scratch mapping so that m is unchanged on failure. */
    cf_colmap *tmp = cf_colmap_copy(m);
    if (tmp == NULL) {
        st = cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
        goto done;
    }
    if (!cJSON_IsObject(root)) {
        st = cf_error_set(err, CF_ERR_INVALID, path, 0, 0, NULL,
                          "expected a JSON object with \"columns\", \"accuracy_unit\", \"gpu_hours_unit\" or "
                          "\"defaults\", found another JSON value");
        goto done;
    }
    for (const cJSON *it = root->child; it != NULL; it = it->next) {
        const char *key = it->string ? it->string : "";
        if (strcmp(key, "columns") == 0) {
            if (!cJSON_IsObject(it)) {
                st = cf_error_set(err, CF_ERR_INVALID, path, 0, 0, "columns",
                                  "expected an object of \"column\": \"field\" pairs, found another JSON value");
                goto done;
            }
            for (const cJSON *c = it->child; c != NULL; c = c->next) {
                if (!cJSON_IsString(c)) {
                    st = cf_error_set(err, CF_ERR_INVALID, path, 0, 0, "columns",
                                      "expected a field name (string) for column '%s', found another JSON value",
                                      c->string ? c->string : "");
                    goto done;
                }
                st = cf_colmap_add(tmp, c->string, c->valuestring);
                if (st != CF_OK) {
                    cf_error_set(err, st, path, 0, 0, "columns",
                                 st == CF_ERR_NOMEM ? "out of memory"
                                                    : "expected non-empty column and field names, found an empty one");
                    goto done;
                }
            }
        } else if (strcmp(key, "accuracy_unit") == 0) {
            const char *u = cJSON_IsString(it) ? it->valuestring : "";
            if (strcmp(u, "percent") == 0)
                tmp->accuracy_mode = 1;
            else if (strcmp(u, "fraction") == 0)
                tmp->accuracy_mode = 0;
            else if (strcmp(u, "detect") == 0)
                tmp->accuracy_mode = -1;
            else {
                st = cf_error_set(err, CF_ERR_INVALID, path, 0, 0, "accuracy_unit",
                                  "expected \"percent\", \"fraction\" or \"detect\", found '%s'", u);
                goto done;
            }
        } else if (strcmp(key, "gpu_hours_unit") == 0) {
            const char *u = cJSON_IsString(it) ? it->valuestring : "";
            if (strcmp(u, "hours") == 0)
                tmp->hours_scale = 1.0;
            else if (strcmp(u, "minutes") == 0)
                tmp->hours_scale = 1.0 / 60.0;
            else if (strcmp(u, "seconds") == 0)
                tmp->hours_scale = 1.0 / 3600.0;
            else {
                st = cf_error_set(err, CF_ERR_INVALID, path, 0, 0, "gpu_hours_unit",
                                  "expected \"hours\", \"minutes\" or \"seconds\", found '%s'", u);
                goto done;
            }
        } else if (strcmp(key, "extract") == 0) {
            if (!cJSON_IsObject(it)) {
                st = cf_error_set(err, CF_ERR_INVALID, path, 0, 0, "extract",
                                  "expected an object of \"column\": \"metric\" pairs (e.g. {\"Accuracy\": "
                                  "\"ROUGE1\"}), found another JSON value");
                goto done;
            }
            for (const cJSON *c = it->child; c != NULL; c = c->next) {
                char fieldpath[160];
                snprintf(fieldpath, sizeof fieldpath, "extract.%s", c->string ? c->string : "");
                if (!cJSON_IsString(c) || c->valuestring[0] == '\0') {
                    st = cf_error_set(err, CF_ERR_INVALID, path, 0, 0, fieldpath,
                                      "expected a metric name (a non-empty string), found another JSON value");
                    goto done;
                }
                st = cf_colmap_set_extract(tmp, c->string ? c->string : "", c->valuestring);
                if (st != CF_OK) {
                    cf_error_set(err, st, path, 0, 0, fieldpath,
                                 st == CF_ERR_NOMEM ? "out of memory" : "expected a non-empty column name");
                    goto done;
                }
            }
        } else if (strcmp(key, "defaults") == 0) {
            if (!cJSON_IsObject(it)) {
                st = cf_error_set(err, CF_ERR_INVALID, path, 0, 0, "defaults",
                                  "expected an object of \"field\": value pairs, found another JSON value");
                goto done;
            }
            for (const cJSON *d = it->child; d != NULL; d = d->next) {
                int bad = 0, oom = 0;
                char *v = json_scalar_text(d, &bad, &oom);
                char fieldpath[160];
                snprintf(fieldpath, sizeof fieldpath, "defaults.%s", d->string ? d->string : "");
                if (oom) {
                    st = cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, fieldpath, "out of memory");
                    goto done;
                }
                if (bad) {
                    st = cf_error_set(err, CF_ERR_INVALID, path, 0, 0, fieldpath,
                                      "expected a string or number, found another JSON value");
                    goto done;
                }
                st = cf_colmap_set_default(tmp, d->string ? d->string : "", v);
                free(v);
                if (st != CF_OK) {
                    cf_error_set(err, st, path, 0, 0, fieldpath,
                                 st == CF_ERR_NOMEM ? "out of memory"
                                                    : "expected a canonical field (run_id, accuracy, gpu_hours, "
                                                      "wall_hours, num_gpus, precision, pruning, hardware, region, "
                                                      "provider, procurement, model, dataset, project), found '%s'",
                                 d->string ? d->string : "");
                    goto done;
                }
            }
        } else {
            st = cf_error_set(err, CF_ERR_INVALID, path, 0, 0, key,
                              "expected \"columns\", \"accuracy_unit\", \"gpu_hours_unit\", \"defaults\" or "
                              "\"extract\", found '%s'",
                              key);
            goto done;
        }
    }
    /* Commit: swap the scratch mapping's contents into m. */
    {
        cf_colmap swap = *m;
        *m = *tmp;
        *tmp = swap;
    }
    st = CF_OK;
done:
    cf_colmap_destroy(tmp);
    cJSON_Delete(root);
    free(text);
    return st;
}

