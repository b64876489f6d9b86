/* costfront: the CSV run reader (libcsv in strict mode).
 *
 * The file is checked as text first (UTF-8, byte order marks), then fed to libcsv one physical line at a time so
 * that every record knows the line it starts on even when a quoted field spans several lines. A quoting error
 * rejects the record it occurs in and the parser restarts on the next line; a row with the wrong number of fields
 * is rejected with expected and found counts. The header row names the columns; the runset maps and validates
 * them. A header without commas but with ';' or tabs switches the delimiter, and says so in a note.
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/runset.h"
#include "data/runset_internal.h"

/* One parsed record, or one record the parser rejected. */
typedef struct csv_item {
    long line; /* physical line where the record starts (for a rejection: where the error is) */
    size_t nfields;
    char **fields;
    char *raw; /* the record's text */
    int is_error;
    long column;   /* rejection: field position */
    char *message; /* rejection: why */
} csv_item;

/* State shared with libcsv's callbacks. */
typedef struct csv_state {
    csv_item *items;
    size_t nitems, cap;
    char **fields; /* fields of the record being parsed */
    size_t nfields, fcap;
    int oom;
    const char *text;
    long rec_line;   /* line where the current record starts */
    size_t rec_off;  /* byte offset where the current record starts */
    size_t line_end; /* offset of the end (before the terminator) of the line being fed */
    int in_record;
} csv_state;

/* Frees a parsed field list. */
static void free_fields(char **f, size_t n)
{
    for (size_t i = 0; i < n; i++) free(f[i]);
    free(f);
}

/* libcsv field callback: copies the field into the current record. */
static void on_field(void *s, size_t len, void *data)
{
    csv_state *st = data;
    if (st->oom) return;
    if (st->nfields == st->fcap) {
        size_t cap = st->fcap ? 2 * st->fcap : 16;
        char **nf = realloc(st->fields, cap * sizeof *nf);
        if (nf == NULL) {
            st->oom = 1;
            return;
        }
        st->fields = nf;
        st->fcap = cap;
    }
    char *f = malloc(len + 1);
    if (f == NULL) {
        st->oom = 1;
        return;
    }
    if (len) memcpy(f, s, len);
    f[len] = '\0';
    st->fields[st->nfields++] = f;
}

/* Appends an item; returns NULL on allocation failure. */
static csv_item *push_item(csv_state *st)
{
    if (st->nitems == st->cap) {
        size_t cap = st->cap ? 2 * st->cap : 64;
        csv_item *ni = realloc(st->items, cap * sizeof *ni);
        if (ni == NULL) {
            st->oom = 1;
            return NULL;
        }
        st->items = ni;
        st->cap = cap;
    }
    csv_item *it = &st->items[st->nitems++];
    memset(it, 0, sizeof *it);
    return it;
}

/* Returns a malloc'd copy of text[a..b). */
static char *slice(const char *text, size_t a, size_t b)
{
    char *s = malloc(b - a + 1);
    if (s == NULL) return NULL;
    memcpy(s, text + a, b - a);
    s[b - a] = '\0';
    return s;
}

/* libcsv record callback: moves the current fields into a new item. */
static void on_record(int c, void *data)
{
    (void)c;
    csv_state *st = data;
    st->in_record = 0;
    if (st->oom) return;
    csv_item *it = push_item(st);
    if (it == NULL) return;
    it->line = st->rec_line;
    it->fields = st->fields;
    it->nfields = st->nfields;
    it->raw = slice(st->text, st->rec_off, st->line_end);
    if (it->raw == NULL) st->oom = 1;
    st->fields = NULL;
    st->nfields = st->fcap = 0;
}

/* Records a parse error as an item and drops the partial record. */
static void push_error(csv_state *st, long line, const char *message, size_t raw_end)
{
    csv_item *it = push_item(st);
    if (it == NULL) return;
    it->is_error = 1;
    it->line = line;
    it->column = (long)st->nfields + 1;
    it->message = malloc(strlen(message) + 1);
    if (it->message) strcpy(it->message, message);
    it->raw = slice(st->text, st->rec_off, raw_end);
    if (it->message == NULL || it->raw == NULL) st->oom = 1;
    free_fields(st->fields, st->nfields);
    st->fields = NULL;
    st->nfields = st->fcap = 0;
    st->in_record = 0;
}

/* libcsv space test for comma and semicolon files: spaces and tabs around unquoted fields are trimmed. */
static int is_space_tab(unsigned char c) { return c == ' ' || c == '\t'; }

/* libcsv space test for tab-separated files: only spaces are trimmed. */
static int is_space_only(unsigned char c) { return c == ' '; }

/* Picks the delimiter from the header line text[0..n): ',' unless the header has none but has ';' or tabs. */
static char pick_delimiter(const char *text, size_t n)
{
    size_t commas = 0, semis = 0, tabs = 0;
    int quoted = 0;
    for (size_t i = 0; i < n && text[i] != '\n' && text[i] != '\r'; i++) {
        char c = text[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && c == ',')
            commas++;
        else if (!quoted && c == ';')
            semis++;
        else if (!quoted && c == '\t')
            tabs++;
    }
    if (commas > 0) return ',';
    if (tabs > 0 && tabs >= semis) return '\t';
    if (semis > 0) return ';';
    return ',';
}

/* Frees every item. */
static void free_items(csv_state *st)
{
    for (size_t i = 0; i < st->nitems; i++) {
        free_fields(st->items[i].fields, st->items[i].nfields);
        free(st->items[i].raw);
        free(st->items[i].message);
    }
    free(st->items);
    free_fields(st->fields, st->nfields);
}

/* Parses text[0..len) into st->items, one physical line at a time. Returns 0 on allocation failure. */
static int parse_all(csv_state *st, const char *text, size_t len, char delim)
{
    struct csv_parser p;
    unsigned char opts = CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL;
    if (csv_init(&p, opts) != 0) return 0;
    csv_set_delim(&p, (unsigned char)delim);
    csv_set_space_func(&p, delim == '\t' ? is_space_only : is_space_tab);
    st->text = text;
    long line = 0;
    size_t off = 0;
    while (off < len && !st->oom) {
        line++;
        size_t e = off;
        while (e < len && text[e] != '\n' && text[e] != '\r') e++;
        size_t next = e;
        if (next < len && text[next] == '\r') {
            next++;
            if (next < len && text[next] == '\n') next++;
        } else if (next < len && text[next] == '\n') {
            next++;
        }
        st->line_end = e;
        if (!st->in_record) {
            int blank = 1;
            for (size_t k = off; k < e; k++)
                if (text[k] != ' ' && text[k] != '\t') blank = 0;
            if (!blank) {
                st->in_record = 1;
                st->rec_line = line;
                st->rec_off = off;
            }
        }
        size_t got = csv_parse(&p, text + off, next - off, on_field, on_record, st);
        if (got != next - off) {
            char msg[256];
            unsigned char c = (unsigned char)text[off + got];
            if (c == '"')
                snprintf(msg, sizeof msg,
                         "malformed quoting at line %ld, byte %zu: expected no quote inside an unquoted field "
                         "(quote the whole field and double inner quotes), found '\"'",
                         line, got + 1);
            else
                snprintf(msg, sizeof msg,
                         "malformed quoting at line %ld, byte %zu: expected a delimiter or end of line after a "
                         "closing quote, found '%c'",
                         line, got + 1, c >= 0x20 && c < 0x7F ? (char)c : '?');
            push_error(st, line, msg, e);
            csv_free(&p);
            if (csv_init(&p, opts) != 0) return 0;
            csv_set_delim(&p, (unsigned char)delim);
            csv_set_space_func(&p, delim == '\t' ? is_space_only : is_space_tab);
        }
        off = next;
    }
    st->line_end = len;
    if (!st->oom && csv_fini(&p, on_field, on_record, st) != 0) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "expected a closing quote, found the end of the file (the quoted field opened in "
                 "the record starting at line %ld is never closed)",
                 st->rec_line);
        push_error(st, st->rec_line, msg, len);
    }
    csv_free(&p);
    return !st->oom;
}

/* FNV-1a hash of a header name. */
static size_t header_hash(const char *s)
{
    size_t h = (size_t)1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
    return h;
}

/* 1 when every field of the item is empty or blank. */
static int all_blank(const csv_item *it)
{
    for (size_t i = 0; i < it->nfields; i++)
        for (const char *s = it->fields[i]; *s; s++)
            if (*s != ' ' && *s != '\t') return 0;
    return 1;
}

cf_status cf_read_csv(cf_runset *rs, const char *path, cf_error *err)
{
    if (rs == NULL || path == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no runset or path");
    char *buf = NULL;
    size_t len = 0;
    size_t skip = 0;
    cf_status st = cf_text_load_utf8(path, &buf, &len, &skip, err);
    if (st != CF_OK) return st;
    const char *text = buf + skip;
    size_t tlen = len - skip;
    size_t k = 0;
    while (k < tlen && (text[k] == ' ' || text[k] == '\t' || text[k] == '\r' || text[k] == '\n')) k++;
    if (k == tlen) {
        free(buf);
        return cf_error_set(err, CF_ERR_EMPTY, path, 0, 0, NULL, "empty file");
    }
    char delim = pick_delimiter(text + k, tlen - k);
    csv_state cs;
    memset(&cs, 0, sizeof cs);
    const char **names = NULL, **values = NULL;
    long *cols = NULL;
    size_t *slots = NULL; /* hash of kept header names: index + 1, 0 empty */
    size_t *keep = NULL;
    if (!parse_all(&cs, text, tlen, delim)) {
        st = cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
        goto done;
    }
    if (cs.nitems == 0) {
        st = cf_error_set(err, CF_ERR_EMPTY, path, 0, 0, NULL, "empty file");
        goto done;
    }
    const csv_item *hdr = &cs.items[0];
    if (hdr->is_error) {
        st = cf_error_set(err, CF_ERR_PARSE, path, hdr->line, hdr->column, NULL, "in the header row: %s", hdr->message);
        goto done;
    }
    size_t nh = hdr->nfields;
    /* Header: trim names, drop unnamed columns (a pandas index), refuse duplicate names. */
    keep = calloc(nh ? nh : 1, sizeof *keep);
    names = calloc(nh ? nh : 1, sizeof *names);
    values = calloc(nh ? nh : 1, sizeof *values);
    cols = calloc(nh ? nh : 1, sizeof *cols);
    if (keep == NULL || names == NULL || values == NULL || cols == NULL) {
        st = cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
        goto done;
    }
    size_t nslots = 16;
    while (nslots < 2 * nh) nslots *= 2;
    slots = calloc(nslots, sizeof *slots);
    if (slots == NULL) {
        st = cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
        goto done;
    }
    size_t nkeep = 0, unnamed = 0;
    for (size_t i = 0; i < nh; i++) {
        char *h = hdr->fields[i];
        size_t a = 0, b = strlen(h);
        while (h[a] == ' ' || h[a] == '\t') a++;
        while (b > a && (h[b - 1] == ' ' || h[b - 1] == '\t')) b--;
        memmove(h, h + a, b - a);
        h[b - a] = '\0';
        if (h[0] == '\0') {
            unnamed++;
            continue;
        }
        /* Repeated names are found through a hash of the names kept so far: linear in the number of columns. */
        size_t hs = header_hash(h) & (nslots - 1);
        for (; slots[hs] != 0; hs = (hs + 1) & (nslots - 1)) {
            size_t j = slots[hs] - 1;
            if (strcmp(names[j], h) == 0) {
                st = cf_error_set(err, CF_ERR_PARSE, path, hdr->line, (long)i + 1, h,
                                  "expected unique column names, found '%s' at fields %ld and %zu", h, cols[j], i + 1);
                goto done;
            }
        }
        slots[hs] = nkeep + 1;
        keep[nkeep] = i;
        names[nkeep] = h;
        cols[nkeep] = (long)i + 1;
        nkeep++;
    }
    if (nkeep == 0) {
        st = cf_error_set(err, CF_ERR_PARSE, path, hdr->line, 0, NULL,
                          "expected a header row naming the columns, found no names");
        goto done;
    }
    size_t ndata = 0;
    for (size_t i = 1; i < cs.nitems; i++)
        if (cs.items[i].is_error || !all_blank(&cs.items[i])) ndata++;
    if (ndata == 0) {
        st = cf_error_set(err, CF_ERR_EMPTY, path, 0, 0, NULL, "no data rows (only a header at line %ld)", hdr->line);
        goto done;
    }
    if ((st = cf_runset_begin_source(rs, path)) != CF_OK) {
        cf_error_set(err, st, path, 0, 0, NULL, "cannot start a source (is another one open?)");
        goto done;
    }
    if (delim != ',')
        cf_runset_add_note(rs, "%s: delimiter '%s' detected (the header has no commas)", path,
                           delim == '\t' ? "\\t" : ";");
    if (unnamed > 0)
        cf_runset_add_note(rs, "%s: %zu column%s without a name in the header ignored", path, unnamed,
                           unnamed == 1 ? "" : "s");
    size_t blanks = 0;
    for (size_t i = 1; i < cs.nitems && st == CF_OK; i++) {
        const csv_item *it = &cs.items[i];
        if (it->is_error) {
            st = cf_runset_reject_raw(rs, it->line, it->column, "", it->message, it->raw);
            continue;
        }
        if (all_blank(it)) {
            blanks++;
            continue;
        }
        if (it->nfields != nh) {
            char msg[160];
            snprintf(msg, sizeof msg, "expected %zu fields (as in the header), found %zu", nh, it->nfields);
            long col = (long)(it->nfields < nh ? it->nfields : nh) + 1;
            st = cf_runset_reject_raw(rs, it->line, col, "", msg, it->raw);
            continue;
        }
        for (size_t j = 0; j < nkeep; j++) values[j] = it->fields[keep[j]];
        st = cf_runset_add_raw(rs, it->line, nkeep, names, values, cols, it->raw);
    }
    if (st == CF_OK && blanks > 0)
        st = cf_runset_add_note(rs, "%s: %zu empty row%s skipped", path, blanks, blanks == 1 ? "" : "s");
    if (st != CF_OK) {
        cf_error_set(err, st, path, 0, 0, NULL, "out of memory");
        cf_runset_end_source(rs, NULL);
        goto done;
    }
    st = cf_runset_end_source(rs, err);
done:
    free(keep);
    free(names);
    free(values);
    free(cols);
    free(slots);
    free_items(&cs);
    free(buf);
    return st;
}
