/* costfront: a buffer of raw run records, independent of any runset (see include/costfront/records.h). */
#include "costfront/records.h"

#include "data/runset_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct skip_count {
    char *reason;
    size_t count;
} skip_count;

typedef struct source_entry {
    char *kind;
    char *path;
    skip_count *skips;
    size_t n_skips;
} source_entry;

struct cf_records {
    cf_record *recs; /* every string inside is owned here */
    size_t n, cap;
    source_entry *sources;
    size_t n_sources;
    char **notes;
    size_t *note_src; /* source index of each note */
    size_t n_notes;
};

/* Copies s, mapping NULL to "" because a record's names and values are never NULL. */
static char *dup_str(const char *s)
{
    if (s == NULL) s = "";
    size_t len = strlen(s);
    char *d = malloc(len + 1);
    if (d != NULL) memcpy(d, s, len + 1);
    return d;
}

cf_records *cf_records_create(void) { return calloc(1, sizeof(cf_records)); }

/* Frees what a record owns, not the record, which lives in the buffer's array. */
static void free_record(cf_record *rec)
{
    for (size_t i = 0; i < rec->n; i++) {
        free((char *)rec->names[i]);
        free((char *)rec->values[i]);
    }
    free((void *)rec->names);
    free((void *)rec->values);
    free((char *)rec->key);
    free((char *)rec->raw);
    free((char *)rec->field);
    free((char *)rec->message);
}

void cf_records_destroy(cf_records *r)
{
    if (r == NULL) return;
    for (size_t i = 0; i < r->n; i++) free_record(&r->recs[i]);
    free(r->recs);
    for (size_t s = 0; s < r->n_sources; s++) {
        free(r->sources[s].kind);
        free(r->sources[s].path);
        for (size_t j = 0; j < r->sources[s].n_skips; j++) free(r->sources[s].skips[j].reason);
        free(r->sources[s].skips);
    }
    free(r->sources);
    for (size_t i = 0; i < r->n_notes; i++) free(r->notes[i]);
    free(r->notes);
    free(r->note_src);
    free(r);
}

cf_status cf_records_begin_source(cf_records *r, const char *kind, const char *path)
{
    if (r == NULL) return CF_ERR_ARG;
    source_entry *grown = realloc(r->sources, (r->n_sources + 1) * sizeof *grown);
    if (grown == NULL) return CF_ERR_NOMEM;
    r->sources = grown;
    source_entry *e = &r->sources[r->n_sources];
    memset(e, 0, sizeof *e);
    e->kind = dup_str(kind);
    e->path = dup_str(path);
    if (e->kind == NULL || e->path == NULL) {
        free(e->kind);
        free(e->path);
        return CF_ERR_NOMEM;
    }
    r->n_sources++;
    return CF_OK;
}

/* Reserves one more record slot, zeroed, and returns it (NULL on allocation failure). */
static cf_record *new_slot(cf_records *r)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        cf_record *grown = realloc(r->recs, cap * sizeof *grown);
        if (grown == NULL) return NULL;
        r->recs = grown;
        r->cap = cap;
    }
    cf_record *rec = &r->recs[r->n];
    memset(rec, 0, sizeof *rec);
    rec->source = r->n_sources - 1;
    return rec;
}

/* Returns a copy of key, or "line:N" when the source gives none, so that every record can be named in a message. */
static char *default_key(const char *key, long line)
{
    if (key != NULL && key[0] != '\0') return dup_str(key);
    char buf[48];
    snprintf(buf, sizeof buf, "line:%ld", line);
    return dup_str(buf);
}

cf_status cf_records_add(cf_records *r, const char *key, long line, size_t n, const char *const *names,
                         const char *const *values, const char *raw)
{
    if (r == NULL || r->n_sources == 0 || (n > 0 && (names == NULL || values == NULL))) return CF_ERR_ARG;
    cf_record *rec = new_slot(r);
    if (rec == NULL) return CF_ERR_NOMEM;
    rec->line = line;
    rec->key = default_key(key, line);
    rec->raw = dup_str(raw);
    const char **nm = calloc(n ? n : 1, sizeof *nm);
    const char **vl = calloc(n ? n : 1, sizeof *vl);
    rec->names = nm;
    rec->values = vl;
    int ok = rec->key != NULL && rec->raw != NULL && nm != NULL && vl != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        nm[i] = dup_str(names[i]);
        vl[i] = dup_str(values[i]);
        rec->n = i + 1;
        ok = nm[i] != NULL && vl[i] != NULL;
    }
    if (!ok) {
        free_record(rec);
        return CF_ERR_NOMEM;
    }
    r->n++;
    return CF_OK;
}

cf_status cf_records_reject(cf_records *r, const char *key, long line, long column, const char *field,
                            const char *message, const char *raw)
{
    if (r == NULL || r->n_sources == 0) return CF_ERR_ARG;
    cf_record *rec = new_slot(r);
    if (rec == NULL) return CF_ERR_NOMEM;
    rec->rejected = 1;
    rec->line = line;
    rec->column = column;
    rec->key = default_key(key, line);
    rec->raw = dup_str(raw);
    rec->field = dup_str(field);
    rec->message = dup_str(message);
    rec->names = calloc(1, sizeof(char *));
    rec->values = calloc(1, sizeof(char *));
    if (rec->key == NULL || rec->raw == NULL || rec->field == NULL || rec->message == NULL || rec->names == NULL ||
        rec->values == NULL) {
        free_record(rec);
        return CF_ERR_NOMEM;
    }
    r->n++;
    return CF_OK;
}

cf_status cf_records_skip(cf_records *r, const char *reason)
{
    if (r == NULL || r->n_sources == 0 || reason == NULL) return CF_ERR_ARG;
    source_entry *e = &r->sources[r->n_sources - 1];
    for (size_t j = 0; j < e->n_skips; j++) {
        if (strcmp(e->skips[j].reason, reason) == 0) {
            e->skips[j].count++;
            return CF_OK;
        }
    }
    skip_count *grown = realloc(e->skips, (e->n_skips + 1) * sizeof *grown);
    if (grown == NULL) return CF_ERR_NOMEM;
    e->skips = grown;
    e->skips[e->n_skips].reason = dup_str(reason);
    if (e->skips[e->n_skips].reason == NULL) return CF_ERR_NOMEM;
    e->skips[e->n_skips].count = 1;
    e->n_skips++;
    return CF_OK;
}

/* Appends an already formatted note. */
static cf_status push_note(cf_records *r, const char *text)
{
    char **grown = realloc(r->notes, (r->n_notes + 1) * sizeof *grown);
    if (grown == NULL) return CF_ERR_NOMEM;
    r->notes = grown;
    size_t *gsrc = realloc(r->note_src, (r->n_notes + 1) * sizeof *gsrc);
    if (gsrc == NULL) return CF_ERR_NOMEM;
    r->note_src = gsrc;
    r->note_src[r->n_notes] = r->n_sources ? r->n_sources - 1 : 0;
    r->notes[r->n_notes] = dup_str(text);
    if (r->notes[r->n_notes] == NULL) return CF_ERR_NOMEM;
    r->n_notes++;
    return CF_OK;
}

cf_status cf_records_note(cf_records *r, const char *fmt, ...)
{
    if (r == NULL || fmt == NULL) return CF_ERR_ARG;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return push_note(r, buf);
}

cf_status cf_records_note_skips(cf_records *r)
{
    if (r == NULL || r->n_sources == 0) return CF_ERR_ARG;
    const source_entry *e = &r->sources[r->n_sources - 1];
    size_t total = 0;
    for (size_t j = 0; j < e->n_skips; j++) total += e->skips[j].count;
    if (total == 0) return CF_OK;
    char buf[1024];
    size_t used = (size_t)snprintf(buf, sizeof buf, "%s: skipped %zu run%s:", e->path, total, total == 1 ? "" : "s");
    for (size_t j = 0; j < e->n_skips && used < sizeof buf; j++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s %zu %s", j ? "," : "", e->skips[j].count,
                                 e->skips[j].reason);
    return push_note(r, buf);
}

size_t cf_records_count(const cf_records *r) { return r ? r->n : 0; }

const cf_record *cf_records_get(const cf_records *r, size_t i) { return (r != NULL && i < r->n) ? &r->recs[i] : NULL; }

size_t cf_records_source_count(const cf_records *r) { return r ? r->n_sources : 0; }

const char *cf_records_source_kind(const cf_records *r, size_t s)
{
    return (r != NULL && s < r->n_sources) ? r->sources[s].kind : NULL;
}

const char *cf_records_source_path(const cf_records *r, size_t s)
{
    return (r != NULL && s < r->n_sources) ? r->sources[s].path : NULL;
}

size_t cf_records_skipped(const cf_records *r, size_t s, const char *reason)
{
    if (r == NULL || s >= r->n_sources) return 0;
    size_t total = 0;
    for (size_t j = 0; j < r->sources[s].n_skips; j++)
        if (reason == NULL || strcmp(r->sources[s].skips[j].reason, reason) == 0) total += r->sources[s].skips[j].count;
    return total;
}

size_t cf_records_skip_reason_count(const cf_records *r, size_t s)
{
    return (r != NULL && s < r->n_sources) ? r->sources[s].n_skips : 0;
}

const char *cf_records_skip_reason(const cf_records *r, size_t s, size_t j)
{
    if (r == NULL || s >= r->n_sources || j >= r->sources[s].n_skips) return NULL;
    return r->sources[s].skips[j].reason;
}

size_t cf_records_note_count(const cf_records *r) { return r ? r->n_notes : 0; }

const char *cf_records_note_text(const cf_records *r, size_t i)
{
    return (r != NULL && i < r->n_notes) ? r->notes[i] : NULL;
}

/* Checks that the key, names and values of rec are UTF-8 text, the net under every reader (the database readers
 * in particular, whose strings come from SQLite unchecked): invalid text fails the source, naming the record and
 * field, and never reaches the store or a report. */
static cf_status check_record_text(const char *path, const cf_record *rec, cf_error *err)
{
    for (size_t i = 0; i <= 2 * rec->n; i++) {
        const char *s = i == 2 * rec->n ? rec->key : (i % 2 == 0 ? rec->names[i / 2] : rec->values[i / 2]);
        if (s == NULL) continue;
        size_t len = strlen(s), ok = cf_text_utf8_valid_prefix(s, len);
        if (ok == len) continue;
        const char *name = i < 2 * rec->n ? rec->names[i / 2] : NULL;
        int name_ok = name != NULL && cf_text_utf8_valid_prefix(name, strlen(name)) == strlen(name);
        const char *what = i == 2 * rec->n ? "its id" : (i % 2 == 0 ? "a field name" : "the value");
        return cf_error_set(err, CF_ERR_PARSE, path, rec->line, 0, name_ok ? name : NULL,
                            "record %ld%s: %s is not valid UTF-8 (byte 0x%02X at byte %zu of it); costfront reads "
                            "text as UTF-8",
                            rec->line, name_ok ? "" : " (field name not shown)", what, (unsigned)(unsigned char)s[ok],
                            ok + 1);
    }
    return CF_OK;
}

cf_status cf_records_to_runset(const cf_records *r, cf_runset *rs, cf_error *err)
{
    if (r == NULL || rs == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no records or no runset");
    for (size_t s = 0; s < r->n_sources; s++) {
        /* Text first, so that a source refused for it leaves the runset untouched. */
        for (size_t i = 0; i < r->n; i++) {
            if (r->recs[i].source != s || r->recs[i].rejected) continue;
            cf_status cst = check_record_text(r->sources[s].path, &r->recs[i], err);
            if (cst != CF_OK) return cst;
        }
        cf_status st = cf_runset_begin_source(rs, r->sources[s].path);
        if (st != CF_OK) return cf_error_set(err, st, r->sources[s].path, 0, 0, NULL, "cannot start a runset source");
        for (size_t k = 0; k < r->n_notes && st == CF_OK; k++)
            if (r->note_src[k] == s) st = cf_runset_add_note(rs, "%s", r->notes[k]);
        if (st != CF_OK) return cf_error_set(err, st, r->sources[s].path, 0, 0, NULL, "out of memory");
        for (size_t i = 0; i < r->n; i++) {
            const cf_record *rec = &r->recs[i];
            if (rec->source != s) continue;
            if (rec->rejected)
                st = cf_runset_reject_raw(rs, rec->line, rec->column, rec->field, rec->message, rec->raw);
            else
                st = cf_runset_add_raw(rs, rec->line, rec->n, rec->names, rec->values, NULL, rec->raw);
            if (st != CF_OK)
                return cf_error_set(err, st, r->sources[s].path, rec->line, 0, NULL,
                                    "cannot add a record to the runset");
        }
        st = cf_runset_end_source(rs, err);
        if (st != CF_OK) return st;
    }
    return CF_OK;
}
