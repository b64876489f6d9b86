/* costfront: readers for Weights & Biases CSV exports and plain CSV files into raw records (see sources.h).
 *
 * Two W&B exports are recognised from the header:
 *  - the runs table of the web UI ("Export as CSV"): Name, State, Notes, User, Tags, Created, Runtime, Sweep, then
 *    one column per config key and per summary metric;
 *  - the public API recipe that builds a pandas DataFrame of summary, config and name and saves it with to_csv():
 *    the summary and config cells hold Python dict literals ("{'lr': 0.001, 'acc': 0.9}"), parsed here: strings
 *    in single or double quotes with backslash escapes, numbers, True/False/None, nan/inf, nested dicts (flattened
 *    with '.'), lists and tuples (kept as their text).
 * CSV is parsed with libcsv (RFC 4180 quoting); a record's line is the physical line where its row starts.
 */
#include <csv.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/sources.h"
#include "data/runset_internal.h"
#include "data/src_util.h"

/* ---- CSV rows ------------------------------------------------------------------------------------------------ */

typedef struct csv_row {
    char **cells;
    size_t n;
    long line; /* physical line where the row starts */
} csv_row;

typedef struct csv_table {
    csv_row *rows;
    size_t n, cap;
    csv_row cur; /* row being built */
    size_t cur_cap;
    long next_line; /* line where the next row starts */
    long newlines;  /* newlines inside the current row's fields */
    int last_term;  /* terminator of the previous row, to count "\r\n" once */
    int oom;
} csv_table;

/* libcsv's field callback: appends a copy of the cell to the current row; an allocation failure is remembered in
 * t->oom because the callback cannot return it. */
static void cell_cb(void *s, size_t len, void *data)
{
    csv_table *t = data;
    if (t->oom) return;
    if (t->cur.n == t->cur_cap) {
        size_t cap = t->cur_cap ? 2 * t->cur_cap : 16;
        char **g = realloc(t->cur.cells, cap * sizeof *g);
        if (g == NULL) {
            t->oom = 1;
            return;
        }
        t->cur.cells = g;
        t->cur_cap = cap;
    }
    char *c = malloc(len + 1);
    if (c == NULL) {
        t->oom = 1;
        return;
    }
    if (len) memcpy(c, s, len);
    c[len] = '\0';
    for (size_t i = 0; i < len; i++)
        if (c[i] == '\n') t->newlines++;
    t->cur.cells[t->cur.n++] = c;
}

/* libcsv's row callback: moves the current row into the table, counting blank lines so that line numbers stay
 * right. */
static void row_cb(int term, void *data)
{
    csv_table *t = data;
    if (t->oom) return;
    int prev = t->last_term;
    t->last_term = term;
    if (t->cur.n == 0) { /* a blank line (CSV_REPALL_NL reports them): count it, once per "\r\n" */
        if (!(term == '\n' && prev == '\r')) t->next_line++;
        return;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        csv_row *g = realloc(t->rows, cap * sizeof *g);
        if (g == NULL) {
            t->oom = 1;
            return;
        }
        t->rows = g;
        t->cap = cap;
    }
    t->cur.line = t->next_line;
    t->next_line += 1 + t->newlines;
    t->newlines = 0;
    t->rows[t->n++] = t->cur;
    memset(&t->cur, 0, sizeof t->cur);
    t->cur_cap = 0;
}

/* Frees every row and cell of t and zeroes it. */
static void table_free(csv_table *t)
{
    for (size_t i = 0; i < t->n; i++) cf_src_free_list(t->rows[i].cells, t->rows[i].n);
    free(t->rows);
    cf_src_free_list(t->cur.cells, t->cur.n);
    memset(t, 0, sizeof *t);
}

/* Parses the CSV file at path into t. Blank lines are skipped but counted, so rows carry exact line numbers. */
static cf_status read_table(const char *path, csv_table *t, cf_error *err)
{
    memset(t, 0, sizeof *t);
    t->next_line = 1;
    size_t len;
    char *text = cf_src_read_file(path, &len);
    if (text == NULL) return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot read the file");
    /* The same text check as CSV input: UTF-16/32, invalid UTF-8 and NUL bytes are refused with line and byte. */
    size_t skip = 0;
    cf_status ust = cf_text_check_utf8(path, text, len, &skip, err);
    if (ust != CF_OK) {
        free(text);
        return ust;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_APPEND_NULL | CSV_REPALL_NL) != 0) {
        free(text);
        return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "cannot initialise the CSV parser");
    }
    cf_status st = CF_OK;
    if (csv_parse(&p, text + skip, len - skip, cell_cb, row_cb, t) != len - skip ||
        csv_fini(&p, cell_cb, row_cb, t) != 0)
        st = cf_error_set(err, CF_ERR_PARSE, path, t->next_line, 0, NULL, "malformed CSV: %s",
                          csv_strerror(csv_error(&p)));
    csv_free(&p);
    free(text);
    if (st == CF_OK && t->oom) st = cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
    if (st == CF_OK && t->n == 0) st = cf_error_set(err, CF_ERR_EMPTY, path, 0, 0, NULL, "the file is empty");
    if (st != CF_OK) table_free(t);
    return st;
}

/* Returns the index of the header cell equal to name, or (size_t)-1. */
static size_t col_index(const csv_row *hdr, const char *name)
{
    for (size_t j = 0; j < hdr->n; j++)
        if (strcmp(hdr->cells[j], name) == 0) return j;
    return (size_t)-1;
}

static const char *cell(const csv_row *r, size_t j) { return (j != (size_t)-1 && j < r->n) ? r->cells[j] : ""; }

/* The row as one comma-joined line (raw text for a rejects file); caller frees. */
static char *row_text(const csv_row *r)
{
    size_t len = 1;
    for (size_t j = 0; j < r->n; j++) len += strlen(r->cells[j]) + 3;
    char *s = malloc(len);
    if (s == NULL) return NULL;
    s[0] = '\0';
    for (size_t j = 0; j < r->n; j++) {
        if (j) strcat(s, ",");
        strcat(s, r->cells[j]);
    }
    return s;
}

/* ---- Python dict literals ------------------------------------------------------------------------------------ */

typedef struct pyparse {
    const char *s;
    size_t i;
    char why[200];
    int too_deep; /* the failure is CF_WANDB_MAX_DEPTH, not a syntax error */
} pyparse;

/* Skips whitespace in the Python-literal parser (pandas writes dicts with repr()). */
static void py_ws(pyparse *p)
{
    while (p->s[p->i] && isspace((unsigned char)p->s[p->i])) p->i++;
}

/* Parses a quoted string at p->i into a malloc'd buffer. */
static char *py_string(pyparse *p)
{
    char q = p->s[p->i++];
    size_t cap = 32, n = 0;
    char *out = malloc(cap);
    if (out == NULL) return NULL;
    for (;;) {
        char c = p->s[p->i];
        if (c == '\0') {
            snprintf(p->why, sizeof p->why, "unterminated string at character %zu", p->i + 1);
            free(out);
            return NULL;
        }
        p->i++;
        if (c == q) break;
        if (c == '\\') {
            char e = p->s[p->i];
            if (e == '\0') continue;
            p->i++;
            switch (e) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case '0': c = '\0'; break;
            default: c = e; break; /* \\ \' \" and anything else: the character itself */
            }
            if (c == '\0') continue;
        }
        if (n + 2 > cap) {
            cap *= 2;
            char *g = realloc(out, cap);
            if (g == NULL) {
                free(out);
                return NULL;
            }
            out = g;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    return out;
}

/* Skips a bracketed value (list, tuple, set) and returns its text, malloc'd. */
static char *py_bracketed(pyparse *p)
{
    size_t start = p->i;
    int depth = 0;
    do {
        char c = p->s[p->i];
        if (c == '\0') {
            snprintf(p->why, sizeof p->why, "unbalanced brackets starting at character %zu", start + 1);
            return NULL;
        }
        if (c == '\'' || c == '"') {
            char *tmp = py_string(p);
            if (tmp == NULL) return NULL;
            free(tmp);
            continue;
        }
        if (c == '[' || c == '(' || c == '{') depth++;
        if (c == ']' || c == ')' || c == '}') depth--;
        p->i++;
    } while (depth > 0);
    size_t len = p->i - start;
    char *out = malloc(len + 1);
    if (out == NULL) return NULL;
    memcpy(out, p->s + start, len);
    out[len] = '\0';
    return out;
}

/* Parses a bare token (number, True, False, None, nan, inf) and returns its normalised text. */
static char *py_token(pyparse *p)
{
    size_t start = p->i;
    while (p->s[p->i] && (isalnum((unsigned char)p->s[p->i]) || strchr("+-._", p->s[p->i]) != NULL)) p->i++;
    size_t len = p->i - start;
    if (len == 0) {
        snprintf(p->why, sizeof p->why, "unexpected character '%c' at character %zu", p->s[p->i], p->i + 1);
        return NULL;
    }
    char tok[64];
    snprintf(tok, sizeof tok, "%.*s", (int)(len < 63 ? len : 63), p->s + start);
    if (strcmp(tok, "True") == 0) return cf_src_strdup("true");
    if (strcmp(tok, "False") == 0) return cf_src_strdup("false");
    if (strcmp(tok, "None") == 0) return cf_src_strdup("");
    char *end;
    (void)strtod(tok, &end);
    if (*end != '\0') {
        snprintf(p->why, sizeof p->why, "\"%s\" at character %zu is not a number, string, True, False or None", tok,
                 start + 1);
        return NULL;
    }
    return cf_src_strdup(tok);
}

/* The deepest nesting of dicts a config or summary cell may have. Real W&B configs nest a few levels; the limit
 * keeps the recursion of py_dict (one C frame per level) far from the stack's end whatever the input. */
#define CF_WANDB_MAX_DEPTH 100

/* The dotted key of the entry being flattened: one buffer shared by every level, grown as needed and cut back
 * when a level returns, so that flattening costs time and memory linear in the cell, not in depth squared. */
typedef struct keybuf {
    char *s;
    size_t len, cap;
} keybuf;

/* Appends ".k" (or "k" at the top) to the key. Returns 0 on allocation failure. */
static int key_push(keybuf *kb, const char *k)
{
    size_t kl = strlen(k), need = kb->len + (kb->len ? 1 : 0) + kl + 1;
    if (need > kb->cap) {
        size_t cap = kb->cap ? kb->cap : 64;
        while (cap < need) cap *= 2;
        char *g = realloc(kb->s, cap);
        if (g == NULL) return 0;
        kb->s = g;
        kb->cap = cap;
    }
    if (kb->len) kb->s[kb->len++] = '.';
    memcpy(kb->s + kb->len, k, kl + 1);
    kb->len += kl;
    return 1;
}

/* Parses a dict at p->i, adding its flattened entries to b under the key in kb (restored on return). depth is the
 * nesting of this dict (1 for the cell's own dict); deeper than CF_WANDB_MAX_DEPTH is refused with p->too_deep set.
 * skip_private drops top-level keys that begin with '_' (W&B's own bookkeeping) except _runtime, which becomes
 * runtime_s. */
static cf_status py_dict(pyparse *p, keybuf *kb, int depth, cf_pairbuf *b, const char *collide, int skip_private)
{
    if (p->s[p->i] != '{') {
        snprintf(p->why, sizeof p->why, "expected '{' at character %zu", p->i + 1);
        return CF_ERR_PARSE;
    }
    if (depth > CF_WANDB_MAX_DEPTH) {
        p->too_deep = 1;
        snprintf(p->why, sizeof p->why,
                 "dicts nested more than %d levels deep (level %d starts at character %zu); costfront reads at most "
                 "%d levels",
                 CF_WANDB_MAX_DEPTH, depth, p->i + 1, CF_WANDB_MAX_DEPTH);
        return CF_ERR_PARSE;
    }
    p->i++;
    py_ws(p);
    if (p->s[p->i] == '}') {
        p->i++;
        return CF_OK;
    }
    size_t base = kb->len;
    for (;;) {
        py_ws(p);
        char *k = (p->s[p->i] == '\'' || p->s[p->i] == '"') ? py_string(p) : py_token(p);
        if (k == NULL) return p->why[0] ? CF_ERR_PARSE : CF_ERR_NOMEM;
        py_ws(p);
        if (p->s[p->i] != ':') {
            snprintf(p->why, sizeof p->why, "expected ':' after key '%.60s' at character %zu", k, p->i + 1);
            free(k);
            return CF_ERR_PARSE;
        }
        p->i++;
        py_ws(p);
        int private_key = skip_private && k[0] == '_';
        int runtime = skip_private && strcmp(k, "_runtime") == 0;
        int pushed = key_push(kb, k);
        free(k);
        if (!pushed) return CF_ERR_NOMEM;
        cf_status st = CF_OK;
        char c = p->s[p->i];
        if (c == '{') {
            if (private_key) {
                char *skipped = py_bracketed(p);
                st = skipped ? CF_OK : (p->why[0] ? CF_ERR_PARSE : CF_ERR_NOMEM);
                free(skipped);
            } else {
                st = py_dict(p, kb, depth + 1, b, collide, 0);
            }
        } else {
            char *v = (c == '\'' || c == '"') ? py_string(p) : (c == '[' || c == '(') ? py_bracketed(p) : py_token(p);
            if (v == NULL)
                st = p->why[0] ? CF_ERR_PARSE : CF_ERR_NOMEM;
            else if (runtime)
                st = cf_pairbuf_add_unique(b, collide, "runtime_s", v);
            else if (!private_key)
                st = cf_pairbuf_add_unique(b, collide, kb->s, v);
            free(v);
        }
        kb->len = base;
        kb->s[base] = '\0';
        if (st != CF_OK) return st;
        py_ws(p);
        if (p->s[p->i] == ',') {
            p->i++;
            py_ws(p);
            if (p->s[p->i] == '}') {
                p->i++;
                return CF_OK;
            }
            continue;
        }
        if (p->s[p->i] == '}') {
            p->i++;
            return CF_OK;
        }
        snprintf(p->why, sizeof p->why, "expected ',' or '}' at character %zu", p->i + 1);
        return CF_ERR_PARSE;
    }
}

/* ---- the two W&B exports ------------------------------------------------------------------------------------- */

/* The skip reason for a W&B state that is not a finished result, or NULL to keep the run. */
static const char *skip_state(const char *state)
{
    static const char *const bad[] = {"running", "crashed", "failed", "killed", "preempted", "pending"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        if (strcasecmp(state, bad[k]) == 0) return bad[k];
    return NULL;
}

/* Reads the runs table the W&B web UI exports (Name, State, then a column per config and summary value). */
static cf_status read_runs_table(const char *path, const csv_table *t, cf_records *out, cf_error *err)
{
    const csv_row *h = &t->rows[0];
    size_t c_name = col_index(h, "Name"), c_id = col_index(h, "ID"), c_state = col_index(h, "State");
    cf_pairbuf b = {0};
    cf_status st = CF_OK;
    for (size_t i = 1; i < t->n && st == CF_OK; i++) {
        const csv_row *r = &t->rows[i];
        if (r->n == 1 && r->cells[0][0] == '\0') continue;
        const char *state = cell(r, c_state);
        const char *why = skip_state(state);
        if (why != NULL) {
            st = cf_records_skip(out, why);
            continue;
        }
        char *raw = row_text(r);
        if (raw == NULL) {
            st = CF_ERR_NOMEM;
            break;
        }
        if (r->n != h->n) {
            char msg[200];
            snprintf(msg, sizeof msg, "expected %zu fields as in the header, found %zu", h->n, r->n);
            st = cf_records_reject(out, NULL, r->line, 0, "", msg, raw);
            free(raw);
            continue;
        }
        const char *key = c_id != (size_t)-1 && cell(r, c_id)[0] ? cell(r, c_id) : cell(r, c_name);
        cf_pairbuf_clear(&b);
        st = cf_pairbuf_add(&b, "run_id", key);
        if (st == CF_OK && c_id != (size_t)-1 && cell(r, c_name)[0])
            st = cf_pairbuf_add(&b, "run_name", cell(r, c_name));
        for (size_t j = 0; j < h->n && st == CF_OK; j++) {
            const char *hn = h->cells[j];
            if (j == c_name || j == c_id || j == c_state || r->cells[j][0] == '\0') continue;
            if (strcmp(hn, "Notes") == 0 || strcmp(hn, "User") == 0 || strcmp(hn, "Tags") == 0 ||
                strcmp(hn, "Created") == 0 || strcmp(hn, "Sweep") == 0 || hn[0] == '\0')
                continue;
            if (strcmp(hn, "Runtime") == 0) hn = "runtime_s";
            st = cf_pairbuf_add_unique(&b, "", hn, r->cells[j]);
        }
        if (st == CF_OK) st = cf_pairbuf_emit(&b, out, key[0] ? key : NULL, r->line, raw);
        free(raw);
    }
    cf_pairbuf_free(&b);
    if (st == CF_ERR_NOMEM) return cf_error_set(err, st, path, 0, 0, NULL, "out of memory");
    return st;
}

/* Reads an API export written by pandas (summary and config columns holding Python dict literals). */
static cf_status read_pandas(const char *path, const csv_table *t, cf_records *out, cf_error *err)
{
    const csv_row *h = &t->rows[0];
    size_t c_sum = col_index(h, "summary"), c_cfg = col_index(h, "config"), c_name = col_index(h, "name");
    size_t c_id = col_index(h, "id"), c_state = col_index(h, "state");
    cf_pairbuf b = {0};
    keybuf kb = {NULL, 0, 0};
    cf_status st = CF_OK;
    for (size_t i = 1; i < t->n && st == CF_OK; i++) {
        const csv_row *r = &t->rows[i];
        if (r->n == 1 && r->cells[0][0] == '\0') continue;
        const char *why = skip_state(cell(r, c_state));
        if (why != NULL) {
            st = cf_records_skip(out, why);
            continue;
        }
        char *raw = row_text(r);
        if (raw == NULL) {
            st = CF_ERR_NOMEM;
            break;
        }
        const char *key = c_id != (size_t)-1 && cell(r, c_id)[0] ? cell(r, c_id) : cell(r, c_name);
        cf_pairbuf_clear(&b);
        st = cf_pairbuf_add(&b, "run_id", key);
        if (st == CF_OK && c_id != (size_t)-1 && cell(r, c_name)[0])
            st = cf_pairbuf_add(&b, "run_name", cell(r, c_name));
        const size_t cols[2] = {c_cfg, c_sum};
        const char *const colnames[2] = {"config", "summary"};
        int rejected = 0;
        for (int k = 0; k < 2 && st == CF_OK; k++) {
            const char *text = cell(r, cols[k]);
            if (text[0] == '\0') continue;
            pyparse p = {text, 0, "", 0};
            py_ws(&p);
            kb.len = 0;
            st = key_push(&kb, "") ? CF_OK : CF_ERR_NOMEM;
            if (st == CF_OK) st = py_dict(&p, &kb, 1, &b, k == 0 ? "config." : "summary.", k == 1);
            if (st == CF_OK) {
                py_ws(&p);
                if (p.s[p.i] != '\0') {
                    snprintf(p.why, sizeof p.why, "unexpected text after the dict at character %zu", p.i + 1);
                    st = CF_ERR_PARSE;
                }
            }
            if (st == CF_ERR_PARSE) {
                char msg[300];
                if (p.too_deep)
                    snprintf(msg, sizeof msg, "%s cell has %s", colnames[k], p.why);
                else
                    snprintf(msg, sizeof msg, "%s cell is not a Python dict literal: %s", colnames[k], p.why);
                st = cf_records_reject(out, key[0] ? key : NULL, r->line, (long)cols[k] + 1, colnames[k], msg, raw);
                rejected = 1;
                break;
            }
        }
        /* other plain columns (not the pandas index) */
        for (size_t j = 0; !rejected && j < h->n && st == CF_OK; j++) {
            if (j == c_sum || j == c_cfg || j == c_name || j == c_id || j == c_state || h->cells[j][0] == '\0' ||
                j >= r->n || r->cells[j][0] == '\0')
                continue;
            st = cf_pairbuf_add_unique(&b, "", h->cells[j], r->cells[j]);
        }
        if (st == CF_OK && !rejected) st = cf_pairbuf_emit(&b, out, key[0] ? key : NULL, r->line, raw);
        free(raw);
    }
    cf_pairbuf_free(&b);
    free(kb.s);
    if (st == CF_ERR_NOMEM) return cf_error_set(err, st, path, 0, 0, NULL, "out of memory");
    return st;
}

/* 1 for the web UI's runs table, 2 for the pandas export, 0 for neither. */
static int wandb_kind(const csv_row *h)
{
    if (col_index(h, "Name") != (size_t)-1 && col_index(h, "State") != (size_t)-1) return 1;
    if (col_index(h, "summary") != (size_t)-1 && col_index(h, "config") != (size_t)-1) return 2;
    return 0;
}

/* Parses the first row of the CSV file at path into t (with whatever other rows share its 64 KB chunk), reading
 * only as far as that row ends: source detection looks at the header alone, and used to parse the whole file
 * (13% of `frontier` on 10^4 runs, issue 14). Returns 0 when the file cannot be read or has no row. */
static int read_header_row(const char *path, csv_table *t)
{
    memset(t, 0, sizeof *t);
    t->next_line = 1;
    FILE *f = fopen(path, "rb");
    if (f == NULL) return 0;
    struct csv_parser p;
    if (csv_init(&p, CSV_APPEND_NULL | CSV_REPALL_NL) != 0) {
        fclose(f);
        return 0;
    }
    char buf[1 << 16];
    int first = 1, ok = 1;
    while (t->n == 0 && !t->oom) {
        size_t k = fread(buf, 1, sizeof buf, f);
        if (k == 0) {
            if (csv_fini(&p, cell_cb, row_cb, t) != 0) ok = 0;
            break;
        }
        size_t skip = (first && k >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
        first = 0;
        if (csv_parse(&p, buf + skip, k - skip, cell_cb, row_cb, t) != k - skip) ok = 0;
        if (!ok) break;
    }
    csv_free(&p);
    fclose(f);
    if (!ok || t->oom || t->n == 0) {
        table_free(t);
        return 0;
    }
    return 1;
}

int cf_wandb_header_kind(const char *path)
{
    csv_table t;
    if (!read_header_row(path, &t)) return 0;
    int k = wandb_kind(&t.rows[0]);
    table_free(&t);
    return k;
}

cf_status cf_read_wandb(const char *path, cf_records *out, cf_error *err)
{
    if (path == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no path or no records");
    csv_table t;
    cf_status st = read_table(path, &t, err);
    if (st != CF_OK) return st;
    int kind = wandb_kind(&t.rows[0]);
    if (kind == 0) {
        table_free(&t);
        return cf_error_set(err, CF_ERR_PARSE, path, 1, 0, NULL,
                            "not a Weights & Biases export: expected a header with Name and State (runs table) or "
                            "summary and config (API export)");
    }
    st = cf_records_begin_source(out, "wandb", path);
    if (st == CF_OK)
        st = kind == 1 ? read_runs_table(path, &t, out, err) : read_pandas(path, &t, out, err);
    else
        cf_error_set(err, st, path, 0, 0, NULL, "out of memory");
    if (st == CF_OK) st = cf_records_note_skips(out);
    table_free(&t);
    return st;
}

cf_status cf_read_csv_records(const char *path, cf_records *out, cf_error *err)
{
    if (path == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no path or no records");
    csv_table t;
    cf_status st = read_table(path, &t, err);
    if (st != CF_OK) return st;
    const csv_row *h = &t.rows[0];
    size_t c_key = col_index(h, "run_id");
    if (c_key == (size_t)-1) c_key = col_index(h, "id");
    if (c_key == (size_t)-1) c_key = col_index(h, "name");
    st = cf_records_begin_source(out, "csv", path);
    for (size_t i = 1; i < t.n && st == CF_OK; i++) {
        const csv_row *r = &t.rows[i];
        if (r->n == 1 && r->cells[0][0] == '\0') continue;
        char *raw = row_text(r);
        if (raw == NULL) {
            st = CF_ERR_NOMEM;
            break;
        }
        if (r->n != h->n) {
            char msg[200];
            snprintf(msg, sizeof msg, "expected %zu fields as in the header, found %zu", h->n, r->n);
            st = cf_records_reject(out, NULL, r->line, 0, "", msg, raw);
        } else {
            const char *key = cell(r, c_key);
            st = cf_records_add(out, key[0] ? key : NULL, r->line, h->n, (const char *const *)h->cells,
                                (const char *const *)r->cells, raw);
        }
        free(raw);
    }
    table_free(&t);
    if (st != CF_OK) return cf_error_set(err, st, path, 0, 0, NULL, "out of memory");
    return CF_OK;
}
