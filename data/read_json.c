/* costfront: the JSON run reader -- a JSON array of run objects, {"runs": [...]}, or JSON Lines.
 *
 * cJSON builds the tree but keeps no positions, so a small scanner walks the same text (already known to be valid
 * JSON) to find where each run object of the array starts; that gives every record its line. Parse errors are
 * turned from cJSON's error offset into a line and byte column. Nested objects are flattened with '.' ("hparams":
 * {"lr": 0.1} becomes the column "hparams.lr"), so they reach the runset as hyperparameter columns; arrays are
 * kept as their compact JSON text (a categorical value).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "costfront/runset.h"
#include "data/runset_internal.h"

/* ------------------------------------------------------------------------------------------------------------ */
/* Flattening one object into (name, value) pairs                                                                 */

typedef struct flat {
    char **names;
    char **values;
    size_t n, cap;
    int oom;
} flat;

/* Frees the pairs and resets the list. */
static void flat_clear(flat *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->names[i]);
        free(f->values[i]);
    }
    f->n = 0;
}

/* Appends a pair, taking over name and value (value may be NULL for absent). */
static void flat_push(flat *f, char *name, char *value)
{
    if (name == NULL) f->oom = 1;
    if (f->oom) {
        free(name);
        free(value);
        return;
    }
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 16;
        char **nn = realloc(f->names, cap * sizeof *nn);
        if (nn == NULL) goto oom;
        f->names = nn;
        char **nv = realloc(f->values, cap * sizeof *nv);
        if (nv == NULL) goto oom;
        f->values = nv;
        f->cap = cap;
    }
    f->names[f->n] = name;
    f->values[f->n] = value;
    f->n++;
    return;
oom:
    f->oom = 1;
    free(name);
    free(value);
}

/* Returns a malloc'd copy of s. */
static char *jdup(const char *s)
{
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

/* Formats a number as the shortest text that reads back as the same double. */
static char *num_text(double x)
{
    char buf[64];
    if (x == floor(x) && fabs(x) < 1e15) {
        snprintf(buf, sizeof buf, "%.0f", x);
    } else {
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, x);
            if (strtod(buf, NULL) == x) break;
        }
    }
    return jdup(buf);
}

/* Joins prefix and key with '.'. */
static char *join_name(const char *prefix, const char *key)
{
    if (prefix == NULL || prefix[0] == '\0') return jdup(key ? key : "");
    size_t a = strlen(prefix), b = strlen(key ? key : "");
    char *s = malloc(a + b + 2);
    if (s == NULL) return NULL;
    memcpy(s, prefix, a);
    s[a] = '.';
    memcpy(s + a + 1, key ? key : "", b + 1);
    return s;
}

/* Flattens the members of object obj under prefix into f. */
static void flatten(flat *f, const cJSON *obj, const char *prefix)
{
    for (const cJSON *it = obj->child; it != NULL && !f->oom; it = it->next) {
        char *name = join_name(prefix, it->string);
        if (name == NULL) {
            f->oom = 1;
            return;
        }
        if (cJSON_IsObject(it)) {
            flatten(f, it, name);
            free(name);
        } else if (cJSON_IsString(it)) {
            char *v = jdup(it->valuestring);
            if (v == NULL) f->oom = 1;
            flat_push(f, name, v);
        } else if (cJSON_IsNumber(it)) {
            char *v = num_text(it->valuedouble);
            if (v == NULL) f->oom = 1;
            flat_push(f, name, v);
        } else if (cJSON_IsBool(it)) {
            char *v = jdup(cJSON_IsTrue(it) ? "true" : "false");
            if (v == NULL) f->oom = 1;
            flat_push(f, name, v);
        } else if (cJSON_IsArray(it)) {
            char *p = cJSON_PrintUnformatted(it);
            char *v = p ? jdup(p) : NULL;
            if (p) cJSON_free(p);
            if (v == NULL) f->oom = 1;
            flat_push(f, name, v);
        } else {
            flat_push(f, name, NULL); /* null: absent */
        }
    }
}

/* ------------------------------------------------------------------------------------------------------------ */
/* A scanner for positions in text that cJSON has already accepted                                               */

/* Skips JSON whitespace (the four characters RFC 8259 allows) and returns the next offset. */
static size_t skip_ws(const char *t, size_t i, size_t n)
{
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n')) i++;
    return i;
}

/* i is at an opening quote; returns the offset after the closing quote. */
static size_t skip_string(const char *t, size_t i, size_t n)
{
    for (i++; i < n; i++) {
        if (t[i] == '\\')
            i++;
        else if (t[i] == '"')
            return i + 1;
    }
    return n;
}

/* i is at the start of a value; returns the offset just after it. */
static size_t skip_value(const char *t, size_t i, size_t n)
{
    if (i >= n) return n;
    if (t[i] == '"') return skip_string(t, i, n);
    if (t[i] == '{' || t[i] == '[') {
        int depth = 0;
        while (i < n) {
            char c = t[i];
            if (c == '"') {
                i = skip_string(t, i, n);
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else if (c == '}' || c == ']') {
                depth--;
                if (depth == 0) return i + 1;
            }
            i++;
        }
        return n;
    }
    while (i < n && strchr(",]} \t\r\n", t[i]) == NULL) i++;
    return i;
}

/* i is at '['; stores the start and end offsets of up to max elements; returns the element count. */
static size_t scan_array(const char *t, size_t i, size_t n, size_t *starts, size_t *ends, size_t max)
{
    size_t k = 0;
    i++;
    for (;;) {
        i = skip_ws(t, i, n);
        if (i >= n || t[i] == ']') break;
        size_t e = skip_value(t, i, n);
        if (k < max) {
            starts[k] = i;
            ends[k] = e;
        }
        k++;
        i = skip_ws(t, e, n);
        if (i < n && t[i] == ',')
            i++;
        else
            break;
    }
    return k;
}

/* i is at '{'; returns the offset of the value of the member "runs", or n when there is none. */
static size_t find_runs(const char *t, size_t i, size_t n)
{
    i++;
    for (;;) {
        i = skip_ws(t, i, n);
        if (i >= n || t[i] != '"') return n;
        size_t ks = i + 1, ke = skip_string(t, i, n);
        int is_runs = (ke - 1 - ks == 4 && memcmp(t + ks, "runs", 4) == 0);
        i = skip_ws(t, ke, n);
        if (i >= n || t[i] != ':') return n;
        i = skip_ws(t, i + 1, n);
        if (is_runs) return i;
        i = skip_ws(t, skip_value(t, i, n), n);
        if (i < n && t[i] == ',')
            i++;
        else
            return n;
    }
}

size_t cf_json_error_offset(const char *text, size_t len, const char *at)
{
    if (at == NULL || at < text) return len;
    size_t p = (size_t)(at - text);
    if (p > len) p = len;
    if (p > 0) {
        char prev = text[p - 1];
        int blank_here = p == len || text[p] == ' ' || text[p] == '\t' || text[p] == '\r' || text[p] == '\n';
        int blank_prev = prev == ' ' || prev == '\t' || prev == '\r' || prev == '\n';
        if (prev == '}' || prev == ']' || (blank_here && !blank_prev)) p--;
    }
    return skip_ws(text, p, len);
}

/* Describes what is at text[off] for an error message ("'}'" or "the end of the file") into buf. */
static const char *found_at(const char *text, size_t off, size_t len, char *buf, size_t n)
{
    if (off >= len) return "the end of the file";
    size_t k = 0;
    while (off + k < len && k < 12 && text[off + k] != '\n' && text[off + k] != '\r') k++;
    snprintf(buf, n, "'%.*s'", (int)k, text + off);
    return buf;
}

/* Names the JSON type of v. */
static const char *json_type(const cJSON *v)
{
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    return "an object";
}

/* Incremental offset-to-line conversion for increasing offsets. */
typedef struct line_cursor {
    const char *text;
    size_t pos;
    long line;
} line_cursor;

/* Advances the cursor to off and returns its 1-based line; the cursor only moves forward, so numbering every
 * record of a file costs one pass over it. */
static long line_at(line_cursor *c, size_t off)
{
    for (; c->pos < off; c->pos++) {
        char ch = c->text[c->pos];
        if (ch == '\n' || (ch == '\r' && c->text[c->pos + 1] != '\n')) c->line++;
    }
    return c->line;
}

/* Orders two strings through pointers to them, for qsort. */
static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Finds a name that occurs twice among f's flattened names (JSON duplicate keys, or "h.lr" beside {"h": {"lr"}}).
 * Sets *dup to it (a pointer into f) or NULL; O(n log n). Returns CF_ERR_NOMEM on allocation failure. */
static cf_status dup_name(const flat *f, const char **dup)
{
    *dup = NULL;
    if (f->n < 2) return CF_OK;
    char **v = malloc(f->n * sizeof *v);
    if (v == NULL) return CF_ERR_NOMEM;
    memcpy(v, f->names, f->n * sizeof *v);
    qsort(v, f->n, sizeof *v, cmp_names);
    for (size_t i = 1; i < f->n && *dup == NULL; i++)
        if (strcmp(v[i - 1], v[i]) == 0) *dup = v[i];
    free(v);
    return CF_OK;
}

/* True when the JSON text holds the escape \u0000 (an odd run of backslashes before "u0000"). */
static int has_nul_escape(const char *t)
{
    for (const char *p = strstr(t, "u0000"); p != NULL; p = strstr(p + 1, "u0000")) {
        size_t k = 0;
        while (p - k > t && *(p - k - 1) == '\\') k++;
        if (k % 2 == 1) return 1;
    }
    return 0;
}

/* Adds the object v found at line (and column, 0 when unknown) as one raw record; raw is its text; path names the
 * element in errors ("[3]" for an array's fourth element, or ""). Returns CF_ERR_NOMEM on failure. */
static cf_status add_object(cf_runset *rs, flat *f, const cJSON *v, long line, long column, const char *path,
                            const char *raw)
{
    if (!cJSON_IsObject(v)) {
        char msg[96];
        snprintf(msg, sizeof msg, "expected a JSON object (one run), found %s", json_type(v));
        return cf_runset_reject_raw(rs, line, column, path, msg, raw);
    }
    if (raw != NULL && has_nul_escape(raw)) /* cJSON would cut "r1\u0000evil" to "r1" */
        return cf_runset_reject_raw(rs, line, column, path,
                                    "a string holds \\u0000 (a NUL character), which no field may contain", raw);
    flat_clear(f);
    flatten(f, v, NULL);
    if (f->oom) return CF_ERR_NOMEM;
    const char *dup = NULL;
    if (dup_name(f, &dup) != CF_OK) return CF_ERR_NOMEM;
    if (dup != NULL) {
        char msg[320];
        snprintf(msg, sizeof msg,
                 "duplicate key '%.200s' (a key given twice, or a flattened key such as \"h.lr\" beside a nested "
                 "{\"h\": {\"lr\": ...}}): keep one",
                 dup);
        return cf_runset_reject_raw(rs, line, column, path, msg, raw);
    }
    return cf_runset_add_raw(rs, line, f->n, (const char *const *)f->names, (const char *const *)f->values, NULL, raw);
}

/* Reads text[0..len) (starting at byte start) as JSON Lines into the open source. */
static cf_status read_lines(cf_runset *rs, flat *f, const char *text, size_t start, size_t len, size_t *nrec)
{
    cf_status st = CF_OK;
    long line = 1; /* a byte order mark before start is not a line */
    size_t i = start;
    while (i < len && st == CF_OK) {
        size_t e = i;
        while (e < len && text[e] != '\n' && text[e] != '\r') e++;
        size_t a = skip_ws(text, i, e);
        if (a < e) {
            char *raw = malloc(e - i + 1);
            if (raw == NULL) return CF_ERR_NOMEM;
            memcpy(raw, text + i, e - i);
            raw[e - i] = '\0';
            const char *end = NULL;
            cJSON *v = cJSON_ParseWithLengthOpts(text + i, e - i, &end, 0);
            (*nrec)++;
            if (v == NULL) {
                size_t at = cf_json_error_offset(text, e, end);
                char fb[40], msg[160];
                snprintf(msg, sizeof msg, "expected valid JSON, found %s at byte %zu",
                         at >= e ? "the end of the line" : found_at(text, at, e, fb, sizeof fb), at - i + 1);
                st = cf_runset_reject_raw(rs, line, (long)(at - i) + 1, "", msg, raw);
            } else {
                size_t rest = skip_ws(text, (size_t)(end - text), e);
                if (rest < e) {
                    char fb[40], msg[160];
                    snprintf(msg, sizeof msg, "expected one JSON value per line, found %s at byte %zu",
                             found_at(text, rest, e, fb, sizeof fb), rest - i + 1);
                    st = cf_runset_reject_raw(rs, line, (long)(rest - i) + 1, "", msg, raw);
                } else {
                    st = add_object(rs, f, v, line, 0, "", raw);
                }
                cJSON_Delete(v);
            }
            free(raw);
        }
        i = e;
        if (i < len && text[i] == '\r') i++;
        if (i < len && text[i] == '\n') i++;
        line++;
    }
    return st;
}

cf_status cf_read_json(cf_runset *rs, const char *path, cf_error *err)
{
    if (rs == NULL || path == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no runset or path");
    char *text = NULL;
    size_t len = 0;
    size_t skip = 0;
    cf_status st = cf_text_load_utf8(path, &text, &len, &skip, err);
    if (st != CF_OK) return st;
    size_t first = skip_ws(text, skip, len);
    if (first >= len) {
        free(text);
        return cf_error_set(err, CF_ERR_EMPTY, path, 0, 0, NULL, "empty file");
    }
    size_t plen = strlen(path);
    int lines =
        (plen >= 6 && strcmp(path + plen - 6, ".jsonl") == 0) || (plen >= 7 && strcmp(path + plen - 7, ".ndjson") == 0);
    cJSON *root = NULL;
    flat f;
    memset(&f, 0, sizeof f);
    size_t *starts = NULL, *ends = NULL;
    int began = 0;
    if (!lines) {
        const char *end = NULL;
        root = cJSON_ParseWithLengthOpts(text + skip, len - skip, &end, 0);
        if (root == NULL) {
            size_t at = cf_json_error_offset(text, len, end);
            long l, c;
            cf_text_linecol(text, at, &l, &c);
            char fb[40];
            st = cf_error_set(err, CF_ERR_PARSE, path, l, c, NULL,
                              "expected valid JSON, found %s at line %ld, column %ld",
                              found_at(text, at, len, fb, sizeof fb), l, c);
            goto done;
        }
        size_t rest = skip_ws(text, (size_t)(end - text), len);
        if (rest < len) {
            /* More values follow: JSON Lines when the first value is an object and the next starts a new line. */
            int newline = 0;
            for (size_t k = (size_t)(end - text); k < rest; k++)
                if (text[k] == '\n' || text[k] == '\r') newline = 1;
            if (cJSON_IsObject(root) && newline && text[rest] == '{') {
                lines = 1;
                cJSON_Delete(root);
                root = NULL;
            } else {
                long l, c;
                cf_text_linecol(text, rest, &l, &c);
                char fb[40];
                st = cf_error_set(err, CF_ERR_PARSE, path, l, c, NULL,
                                  "expected the end of the file after the JSON value, found %s at line %ld, column "
                                  "%ld",
                                  found_at(text, rest, len, fb, sizeof fb), l, c);
                goto done;
            }
        }
    }
    if (lines) {
        if ((st = cf_runset_begin_source(rs, path)) != CF_OK) {
            cf_error_set(err, st, path, 0, 0, NULL, "cannot start a source (is another one open?)");
            goto done;
        }
        began = 1;
        size_t nrec = 0;
        if (!(plen >= 6 && strcmp(path + plen - 6, ".jsonl") == 0) &&
            !(plen >= 7 && strcmp(path + plen - 7, ".ndjson") == 0))
            cf_runset_add_note(rs, "%s: read as JSON Lines (one run object per line)", path);
        st = read_lines(rs, &f, text, skip, len, &nrec);
        if (st != CF_OK) goto oom;
        if (nrec == 0) {
            cf_runset_end_source(rs, NULL);
            began = 0;
            st = cf_error_set(err, CF_ERR_EMPTY, path, 0, 0, NULL, "empty file");
            goto done;
        }
        st = cf_runset_end_source(rs, err);
        began = 0;
        goto done;
    }
    /* A single document: find the array of runs and where each element starts. */
    const cJSON *arr = NULL;
    size_t arr_off = first;
    if (cJSON_IsArray(root)) {
        arr = root;
    } else if (cJSON_IsObject(root)) {
        const cJSON *runs = cJSON_GetObjectItemCaseSensitive(root, "runs");
        if (runs != NULL) {
            if (!cJSON_IsArray(runs)) {
                st = cf_error_set(err, CF_ERR_PARSE, path, 0, 0, "runs", "expected \"runs\" to be an array, found %s",
                                  json_type(runs));
                goto done;
            }
            arr = runs;
            arr_off = find_runs(text, first, len);
        }
    } else {
        st = cf_error_set(err, CF_ERR_PARSE, path, 0, 0, NULL,
                          "expected a JSON array of runs, an object with \"runs\", or JSON Lines, found %s",
                          json_type(root));
        goto done;
    }
    line_cursor lc = {text, 0, 1};
    if (arr == NULL) {
        /* One object that is itself a run. */
        if ((st = cf_runset_begin_source(rs, path)) != CF_OK) goto nosource;
        began = 1;
        char *raw = cJSON_PrintUnformatted(root);
        st = add_object(rs, &f, root, line_at(&lc, first), 0, "", raw ? raw : "");
        if (raw) cJSON_free(raw);
        if (st != CF_OK) goto oom;
        st = cf_runset_end_source(rs, err);
        began = 0;
        goto done;
    }
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (n == 0) {
        st = cf_error_set(err, CF_ERR_EMPTY, path, 0, 0, NULL, "no runs (the array is empty)");
        goto done;
    }
    starts = calloc(n, sizeof *starts);
    ends = calloc(n, sizeof *ends);
    if (starts == NULL || ends == NULL) goto oom;
    size_t found = (arr_off < len && text[arr_off] == '[') ? scan_array(text, arr_off, len, starts, ends, n) : 0;
    if ((st = cf_runset_begin_source(rs, path)) != CF_OK) goto nosource;
    began = 1;
    size_t k = 0;
    for (const cJSON *v = arr->child; v != NULL; v = v->next, k++) {
        long line = 0, column = 0;
        char *raw = NULL;
        char elem[32];
        snprintf(elem, sizeof elem, "[%zu]", k);
        if (found == n) {
            line = line_at(&lc, starts[k]);
            size_t bol = starts[k];
            while (bol > 0 && text[bol - 1] != '\n' && text[bol - 1] != '\r') bol--;
            column = (long)(starts[k] - bol) + 1;
            raw = malloc(ends[k] - starts[k] + 1);
            if (raw == NULL) goto oom;
            memcpy(raw, text + starts[k], ends[k] - starts[k]);
            raw[ends[k] - starts[k]] = '\0';
        }
        st = add_object(rs, &f, v, line, column, elem, raw ? raw : "");
        free(raw);
        if (st != CF_OK) goto oom;
    }
    st = cf_runset_end_source(rs, err);
    began = 0;
    goto done;
nosource:
    cf_error_set(err, st, path, 0, 0, NULL, "cannot start a source (is another one open?)");
    goto done;
oom:
    st = cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
done:
    if (began) cf_runset_end_source(rs, NULL);
    flat_clear(&f);
    free(f.names);
    free(f.values);
    free(starts);
    free(ends);
    cJSON_Delete(root);
    free(text);
    return st;
}
