/* costfront: the runset -- applying the column mapping (data/colmap.c), the one place of shared validation, typed
 * hyperparameter columns.
 *
 * Readers hand in raw (name, value) records; nothing is validated until the source ends, because two decisions
 * need the whole source: whether the accuracy column is a percentage (decided per source, always reported as a
 * note) and the type of each hyperparameter column. Validation checks each record's canonical fields in a fixed
 * order (accuracy, hours, precision, pruning, hardware, region, procurement, run_id) and rejects the record at the
 * first failure, recording source, line, column, field, an "expected ..., found '...'" message and the raw text.
 * A run_id is claimed only by an accepted record, so a rejected row never makes a later good row a duplicate.
 *
 * Accuracy unit detection (mode "detect", per source, over the values that parse as plain numbers; "76.5%" is
 * always a percentage): with n1 values in [0, 1] and n100 in (1, 100],
 *   - n100 = 0: fractions;
 *   - n1 = 0: percentages, divided by 100, with a note ("accuracy column read as percent ...");
 *   - n1 >= 3 n100: fractions, and the few values above 1 are rejected ("1.7 in a fraction column");
 *   - n100 >= 3 n1: percentages (noted), and the few values of at most 1 are rejected as likely fractions;
 *   - otherwise the source fails as a whole: the unit must be declared.
 * Values below 0 or above 100 are rejected whatever the unit (a column with 150 in it cannot be percent). The
 * simpler rule "percent whenever all values are in [0, 100] and one exceeds 1" would silently turn a fraction
 * column with one typo into percentages; the majority rule refines it so that nothing is guessed silently.
 * A record without run_id gets "<file name>:<line>" as its id, reported in a note.
 */
#include "costfront/runset.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "data/runset_internal.h"
#include "data/alloc.h"
#include "data/runset_fields.h"
#include "data/pool.h"

/* ------------------------------------------------------------------------------------------------------------ */
/* Small string helpers                                                                                           */

/* Returns a malloc'd printf-formatted string, or NULL on allocation failure. */
static char *fmt_str(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static char *fmt_str(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *raw = malloc((size_t)n + 1);
    if (raw == NULL) return NULL;
    va_start(ap, fmt);
    vsnprintf(raw, (size_t)n + 1, fmt, ap);
    va_end(ap);
    /* Rejection messages quote input: control characters are escaped (at most 4 bytes each). */
    size_t cap = 4 * (size_t)n + 1;
    char *s = malloc(cap);
    if (s != NULL) cf_text_escape(s, cap, raw);
    free(raw);
    return s;
}

/* Returns a malloc'd copy of s escaped as fmt_str("%s", s) would, without formatting twice when s is plain
 * printable ASCII (the usual run id), which escaping leaves alone. */
static char *plain_copy(const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c < 0x20 || *c >= 0x7f) return fmt_str("%s", s);
    int oom = 0;
    return cf_dup_str(s, &oom);
}

/* Returns a malloc'd copy (shared with data/colmap.c, declared in runset_fields.h) of s without leading and trailing white space; NULL when s is NULL or all blank. */
char *cf_dup_trimmed(const char *s, int *oom)
{
    if (s == NULL) return NULL;
    while (*s && isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
    if (n == 0) return NULL;
    char *d = malloc(n + 1);
    if (d == NULL) {
        *oom = 1;
        return NULL;
    }
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* Writes s lower-cased with every character of drop removed into out (size n); returns out. */
static char *squash(const char *s, const char *drop, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++) {
        if (strchr(drop, *s) != NULL) continue;
        out[k++] = (char)tolower((unsigned char)*s);
    }
    out[k] = '\0';
    return out;
}

/* The largest number of GPU-hours a run may have (about 114 million GPU-years): far beyond any real training run,
 * and small enough that prices, energy and hypervolumes computed from it stay finite. */
#define CF_MAX_GPU_HOURS 1e12

/* Parses a whole string as a decimal number, finite or not ("nan", "inf", "1e999" overflowing to infinity),
 * trailing blanks allowed; returns 0 for anything else so that "12abc" is rejected rather than read as 12. */
static int parse_decimal(const char *s, double *out)
{
    if (s == NULL) return 0;
    /* strtod also reads hexadecimal ("0x10" = 16, "0x1p-1" = 0.5), which no run file means: refused. */
    const char *t = s;
    while (isspace((unsigned char)*t)) t++;
    if (*t == '+' || *t == '-') t++;
    if (t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) return 0;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s) return 0;
    while (*end && isspace((unsigned char)*end)) end++;
    if (*end != '\0') return 0;
    *out = v;
    return 1;
}

/* Parses a whole string as a finite double (see parse_decimal); returns 0 for anything else. */
static int parse_num(const char *s, double *out)
{
    double v;
    if (!parse_decimal(s, &v) || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

/* Parses "12.5%" (a number followed by a percent sign). Returns 1 on success with the number before the sign. */
static int parse_percent(const char *s, double *out)
{
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
    if (n < 2 || s[n - 1] != '%' || n > 63) return 0;
    char tmp[64];
    memcpy(tmp, s, n - 1);
    tmp[n - 1] = '\0';
    return parse_num(tmp, out);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Precision                                                                                                      */

static const char *const prec_names[CF_PREC_COUNT] = {"unknown", "fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4"};

const char *cf_precision_name(cf_precision p)
{
    if ((int)p < 0 || p >= CF_PREC_COUNT) return "unknown";
    return prec_names[p];
}

int cf_precision_bits(cf_precision p)
{
    switch (p) {
    case CF_PREC_FP32: return 32;
    case CF_PREC_TF32: return 19;
    case CF_PREC_BF16:
    case CF_PREC_FP16: return 16;
    case CF_PREC_FP8:
    case CF_PREC_INT8: return 8;
    case CF_PREC_INT4: return 4;
    default: return 0;
    }
}

/* Spellings after lower-casing and removing ' ', '-', '_' and '.' (so "fp-32", "32-bit", "FP_16", "q4_K_M" and
 * "torch.bfloat16" all land here). */
static const struct {
    const char *spelling;
    cf_precision prec;
} prec_spellings[] = {
    {"fp32", CF_PREC_FP32},
    {"float32", CF_PREC_FP32},
    {"float", CF_PREC_FP32},
    {"single", CF_PREC_FP32},
    {"32", CF_PREC_FP32},
    {"32bit", CF_PREC_FP32},
    {"f32", CF_PREC_FP32},
    {"full", CF_PREC_FP32},
    {"torchfloat32", CF_PREC_FP32},
    {"tf32", CF_PREC_TF32},
    {"tensorfloat32", CF_PREC_TF32},
    {"bf16", CF_PREC_BF16},
    {"bfloat16", CF_PREC_BF16},
    {"bf16mixed", CF_PREC_BF16},
    {"torchbfloat16", CF_PREC_BF16},
    {"fp16", CF_PREC_FP16},
    {"float16", CF_PREC_FP16},
    {"half", CF_PREC_FP16},
    {"16", CF_PREC_FP16},
    {"16bit", CF_PREC_FP16},
    {"f16", CF_PREC_FP16},
    {"16mixed", CF_PREC_FP16},
    {"fp16mixed", CF_PREC_FP16},
    {"torchfloat16", CF_PREC_FP16},
    {"fp8", CF_PREC_FP8},
    {"float8", CF_PREC_FP8},
    {"e4m3", CF_PREC_FP8},
    {"e5m2", CF_PREC_FP8},
    {"fp8e4m3", CF_PREC_FP8},
    {"fp8e5m2", CF_PREC_FP8},
    {"float8e4m3fn", CF_PREC_FP8},
    {"float8e5m2", CF_PREC_FP8},
    {"int8", CF_PREC_INT8},
    {"8bit", CF_PREC_INT8},
    {"w8a8", CF_PREC_INT8},
    {"w8a16", CF_PREC_INT8},
    {"q8", CF_PREC_INT8},
    {"q80", CF_PREC_INT8},
    {"i8", CF_PREC_INT8},
    {"llmint8", CF_PREC_INT8},
    {"int4", CF_PREC_INT4},
    {"4bit", CF_PREC_INT4},
    {"w4a16", CF_PREC_INT4},
    {"nf4", CF_PREC_INT4},
    {"q4", CF_PREC_INT4},
    {"q40", CF_PREC_INT4},
    {"q4km", CF_PREC_INT4},
    {"i4", CF_PREC_INT4},
    {"gptq", CF_PREC_INT4},
    {"awq", CF_PREC_INT4},
};

cf_status cf_precision_parse(const char *s, cf_precision *out)
{
    if (s == NULL || out == NULL) return CF_ERR_ARG;
    char key[64];
    if (strlen(s) >= sizeof key) return CF_ERR_INVALID;
    squash(s, " -_.\t", key, sizeof key);
    for (size_t i = 0; i < sizeof prec_spellings / sizeof prec_spellings[0]; i++) {
        if (strcmp(key, prec_spellings[i].spelling) == 0) {
            *out = prec_spellings[i].prec;
            return CF_OK;
        }
    }
    return CF_ERR_INVALID;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* The runset                                                                                                     */

/* The column names and positions of a record, shared by every record with the same header (issue 14: a CSV file
 * of 10^6 rows used to copy its 18 column names 10^6 times), with what the mapping makes of each name, worked out
 * once per layout instead of once per record. */
typedef struct layout {
    size_t n;
    char **names;       /* raw column names (in the runset's arena) */
    long *columns;      /* 1-based field positions, or 0 */
    int *field;         /* canonical field of each name after mapping, F_PARAM or F_IGNORE */
    const char **param; /* hyperparameter column each name maps to, or NULL (see param_target) */
    size_t *pidx;       /* index of that hyperparameter column once known, or (size_t)-1 */
    int collision;      /* record_collision found two names landing on one field: ca < cb */
    size_t ca, cb;
    size_t hash;
} layout;

/* A record handed in by a reader, kept until the source ends. */
typedef struct pending {
    int is_reject; /* 1 for a record the reader could not parse */
    long line;
    size_t n;
    const layout *lay; /* names and columns; NULL for a reader reject */
    char **names;   /* raw column names (the layout's) */
    char **values;  /* trimmed values, NULL when absent (in the source's arena) */
    long *columns;  /* 1-based field positions, or 0 (the layout's) */
    char *raw;      /* record text, may be NULL */
    long rcolumn;   /* reader reject: column */
    char *rfield;   /* reader reject: field */
    char *rmessage; /* reader reject: message */
} pending;

/* A hyperparameter column: one value slot per accepted run. */
typedef struct param_col {
    char *name;
    cf_param_kind kind;
    char **str;  /* text value per run, NULL when absent */
    double *num; /* parsed value per run, NaN when absent or not a number */
} param_col;

struct cf_runset {
    const cf_catalog *cat;
    cf_colmap *map;
    /* accepted runs */
    cf_run **runs;
    size_t nruns, run_cap;
    /* run_id index: open addressing over run indices + 1 (0 = empty) */
    size_t *idx;
    size_t idx_cap;
    /* hyperparameters */
    param_col *params;
    size_t nparams, params_cap;
    size_t *param_slots; /* open-addressing hash of params by name: index + 1, 0 empty */
    size_t param_slots_cap; /* a power of two, at least twice nparams */
    /* rejects, notes, sources */
    cf_reject **rejects;
    size_t nrejects, rejects_cap;
    char **notes;
    size_t nnotes, notes_cap;
    char **sources;
    size_t nsources, sources_cap;
    size_t nread;
    /* the open source */
    int in_source;
    const char *cur_source; /* owned through sources[] */
    pending *pend;
    size_t npend, pend_cap;
    size_t notes_at_begin; /* notes added while the source was open start here */
    /* storage (issue 14): runs, ids, interned strings and layouts in perm; pending records in pend_arena */
    cf_arena perm, pend_arena;
    cf_intern strs;         /* distinct strings of accepted runs and hyperparameter values */
    layout **layouts;       /* open addressing by layout hash, NULL empty */
    size_t layouts_cap, nlayouts;
    const layout *last_layout;
    struct lookup *hw_cache, *region_cache; /* catalog lookups by the value as written */
    size_t hw_cap, hw_n, region_cap, region_n;
};

/* A catalog lookup remembered by the value as written ("NVIDIA A100-SXM4-80GB"): the catalog entry (NULL when
 * unknown) and, for hardware, the accelerators an instance type stands for (0 when it is not an instance). */
typedef struct lookup {
    const char *key; /* interned */
    const void *found;
    size_t accelerators;
    int acc_known; /* accelerators was worked out (cf_catalog_resolve is only asked when num_gpus is absent) */
} lookup;

cf_runset *cf_runset_create(const cf_catalog *cat, const cf_colmap *map)
{
    cf_runset *rs = calloc(1, sizeof *rs);
    if (rs == NULL) return NULL;
    rs->cat = cat;
    rs->map = cf_colmap_copy(map);
    if (rs->map == NULL) {
        free(rs);
        return NULL;
    }
    return rs;
}

/* Forgets one pending record (its strings live in the source's arena, freed when the source ends). */
static void pending_free(pending *p) { memset(p, 0, sizeof *p); }

/* Forgets one run: its storage is the runset's arena. */
static void run_free(cf_run *r) { (void)r; }

/* Frees one reject and its strings (source is shared and not freed here). */
static void reject_free(cf_reject *j)
{
    if (j == NULL) return;
    free((char *)j->field);
    free((char *)j->message);
    free((char *)j->raw);
    free(j);
}

void cf_runset_destroy(cf_runset *rs)
{
    if (rs == NULL) return;
    free(rs->runs);
    free(rs->idx);
    for (size_t j = 0; j < rs->nparams; j++) {
        free(rs->params[j].str);
        free(rs->params[j].num);
        free(rs->params[j].name);
    }
    free(rs->params);
    free(rs->param_slots);
    for (size_t i = 0; i < rs->nrejects; i++) reject_free(rs->rejects[i]);
    free(rs->rejects);
    for (size_t i = 0; i < rs->nnotes; i++) free(rs->notes[i]);
    free(rs->notes);
    for (size_t i = 0; i < rs->npend; i++) pending_free(&rs->pend[i]);
    free(rs->pend);
    for (size_t i = 0; i < rs->nsources; i++) free(rs->sources[i]);
    free(rs->sources);
    cf_colmap_destroy(rs->map);
    free(rs->layouts);
    free(rs->hw_cache);
    free(rs->region_cache);
    cf_intern_free(&rs->strs);
    cf_arena_free(&rs->pend_arena);
    cf_arena_free(&rs->perm);
    free(rs);
}

/* FNV-1a hash of a string. */
static size_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return (size_t)h;
}

/* Index of the accepted run with this id, or (size_t)-1. */
static size_t idx_find(const cf_runset *rs, const char *id)
{
    if (rs->idx_cap == 0) return (size_t)-1;
    size_t mask = rs->idx_cap - 1;
    for (size_t h = hash_str(id) & mask;; h = (h + 1) & mask) {
        size_t v = rs->idx[h];
        if (v == 0) return (size_t)-1;
        if (strcmp(rs->runs[v - 1]->run_id, id) == 0) return v - 1;
    }
}

/* Inserts run i into the id index, growing it at half load. Returns 0 on allocation failure. */
static int idx_insert(cf_runset *rs, size_t i)
{
    if (2 * (rs->nruns + 1) > rs->idx_cap) {
        size_t cap = rs->idx_cap ? 2 * rs->idx_cap : 64;
        size_t *ni = calloc(cap, sizeof *ni);
        if (ni == NULL) return 0;
        for (size_t k = 0; k < rs->idx_cap; k++) {
            size_t v = rs->idx[k];
            if (v == 0) continue;
            size_t h = hash_str(rs->runs[v - 1]->run_id) & (cap - 1);
            while (ni[h] != 0) h = (h + 1) & (cap - 1);
            ni[h] = v;
        }
        free(rs->idx);
        rs->idx = ni;
        rs->idx_cap = cap;
    }
    size_t mask = rs->idx_cap - 1;
    size_t h = hash_str(rs->runs[i]->run_id) & mask;
    while (rs->idx[h] != 0) h = (h + 1) & mask;
    rs->idx[h] = i + 1;
    return 1;
}

/* Appends a formatted note taking ownership of nothing; returns CF_ERR_NOMEM on failure. */
static cf_status add_note_str(cf_runset *rs, char *s)
{
    if (s == NULL) return CF_ERR_NOMEM;
    if (!cf_grow_to((void **)&rs->notes, &rs->notes_cap, rs->nnotes + 1, sizeof *rs->notes, 16)) {
        free(s);
        return CF_ERR_NOMEM;
    }
    rs->notes[rs->nnotes++] = s;
    return CF_OK;
}

cf_status cf_runset_add_note(cf_runset *rs, const char *fmt, ...)
{
    if (rs == NULL || fmt == NULL) return CF_ERR_ARG;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return CF_ERR_ARG;
    char *s = malloc((size_t)n + 1);
    if (s == NULL) return CF_ERR_NOMEM;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return add_note_str(rs, s);
}

cf_status cf_runset_begin_source(cf_runset *rs, const char *source)
{
    if (rs == NULL || rs->in_source) return CF_ERR_ARG;
    if (!cf_grow_to((void **)&rs->sources, &rs->sources_cap, rs->nsources + 1, sizeof *rs->sources, 16))
        return CF_ERR_NOMEM;
    int oom = 0;
    char *s = cf_dup_str(source ? source : "", &oom);
    if (oom) return CF_ERR_NOMEM;
    rs->sources[rs->nsources++] = s;
    rs->cur_source = s;
    rs->in_source = 1;
    rs->npend = 0;
    rs->notes_at_begin = rs->nnotes;
    return CF_OK;
}

/* Appends an empty pending slot and returns it, or NULL on allocation failure. */
static pending *pend_new(cf_runset *rs)
{
    if (!cf_grow_to((void **)&rs->pend, &rs->pend_cap, rs->npend + 1, sizeof *rs->pend, 16)) return NULL;
    pending *p = &rs->pend[rs->npend++];
    memset(p, 0, sizeof *p);
    return p;
}

static int record_collision(const cf_colmap *map, const pending *p, size_t *a, size_t *b);
static const char *param_target(const cf_colmap *map, const char *raw_name);

/* Hash of a layout: its names and positions. */
static size_t layout_hash(size_t n, const char *const *names, const long *columns)
{
    size_t h = cf_pool_hash((const char *)&n, sizeof n);
    for (size_t i = 0; i < n; i++) {
        const char *nm = names[i] ? names[i] : "";
        h = h * 31 + cf_pool_hash(nm, strlen(nm));
        h = h * 31 + (size_t)(columns ? columns[i] : 0);
    }
    return h;
}

/* 1 when layout l has exactly these names and positions. */
static int layout_eq(const layout *l, size_t n, const char *const *names, const long *columns)
{
    if (l->n != n) return 0;
    for (size_t i = 0; i < n; i++) {
        if (l->columns[i] != (columns ? columns[i] : 0)) return 0;
        if (strcmp(l->names[i], names[i] ? names[i] : "") != 0) return 0;
    }
    return 1;
}

/* Inserts l into the layout table, growing it at half load. Returns 0 on allocation failure. */
static int layout_insert(cf_runset *rs, layout *l)
{
    if (2 * (rs->nlayouts + 1) > rs->layouts_cap) {
        size_t cap = rs->layouts_cap ? 2 * rs->layouts_cap : 16;
        layout **t = calloc(cap, sizeof *t);
        if (t == NULL) return 0;
        for (size_t k = 0; k < rs->layouts_cap; k++) {
            layout *o = rs->layouts[k];
            if (o == NULL) continue;
            size_t h = o->hash & (cap - 1);
            while (t[h] != NULL) h = (h + 1) & (cap - 1);
            t[h] = o;
        }
        free(rs->layouts);
        rs->layouts = t;
        rs->layouts_cap = cap;
    }
    size_t h = l->hash & (rs->layouts_cap - 1);
    while (rs->layouts[h] != NULL) h = (h + 1) & (rs->layouts_cap - 1);
    rs->layouts[h] = l;
    rs->nlayouts++;
    return 1;
}

/* The layout of a record with these names and positions, made (with the mapping's verdict on every name) on first
 * sight. Returns NULL on allocation failure. */
static const layout *get_layout(cf_runset *rs, size_t n, const char *const *names, const long *columns)
{
    if (rs->last_layout != NULL && layout_eq(rs->last_layout, n, names, columns)) return rs->last_layout;
    size_t h = layout_hash(n, names, columns);
    if (rs->layouts_cap > 0) {
        size_t mask = rs->layouts_cap - 1;
        for (size_t k = h & mask; rs->layouts[k] != NULL; k = (k + 1) & mask) {
            const layout *l = rs->layouts[k];
            if (l->hash == h && layout_eq(l, n, names, columns)) return rs->last_layout = l;
        }
    }
    layout *l = cf_arena_alloc(&rs->perm, sizeof *l);
    if (l == NULL) return NULL;
    memset(l, 0, sizeof *l);
    size_t m = n ? n : 1;
    l->n = n;
    l->hash = h;
    l->names = cf_arena_alloc(&rs->perm, m * sizeof *l->names);
    l->columns = cf_arena_alloc(&rs->perm, m * sizeof *l->columns);
    l->field = cf_arena_alloc(&rs->perm, m * sizeof *l->field);
    l->param = cf_arena_alloc(&rs->perm, m * sizeof *l->param);
    l->pidx = cf_arena_alloc(&rs->perm, m * sizeof *l->pidx);
    if (l->names == NULL || l->columns == NULL || l->field == NULL || l->param == NULL || l->pidx == NULL) return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *nm = names[i] ? names[i] : "";
        l->names[i] = cf_arena_strndup(&rs->perm, nm, strlen(nm));
        if (l->names[i] == NULL) return NULL;
        l->columns[i] = columns ? columns[i] : 0;
        l->field[i] = cf_runset_canon_field(cf_colmap_lookup(rs->map, l->names[i]));
        l->param[i] = param_target(rs->map, l->names[i]);
        l->pidx[i] = (size_t)-1;
    }
    pending probe;
    memset(&probe, 0, sizeof probe);
    probe.n = n;
    probe.names = l->names;
    probe.columns = l->columns;
    l->collision = record_collision(rs->map, &probe, &l->ca, &l->cb);
    if (!layout_insert(rs, l)) return NULL;
    return rs->last_layout = l;
}

/* Copies s without leading and trailing white space into the source's arena (*out NULL when s is NULL or all
 * blank). Returns 0 on allocation failure. */
static int arena_trimmed(cf_arena *a, const char *s, char **out)
{
    *out = NULL;
    if (s == NULL) return 1;
    while (*s && isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
    if (n == 0) return 1;
    *out = cf_arena_strndup(a, s, n);
    return *out != NULL;
}

/* Copies s (NULL stays NULL) into arena a; sets *oom on failure. */
static char *arena_dup(cf_arena *a, const char *s, int *oom)
{
    if (s == NULL) return NULL;
    char *d = cf_arena_strndup(a, s, strlen(s));
    if (d == NULL) *oom = 1;
    return d;
}

cf_status cf_runset_add_raw(cf_runset *rs, long line, size_t n, const char *const *names, const char *const *values,
                            const long *columns, const char *raw)
{
    if (rs == NULL || !rs->in_source || (n > 0 && (names == NULL || values == NULL))) return CF_ERR_ARG;
    const layout *lay = get_layout(rs, n, names, columns);
    if (lay == NULL) return CF_ERR_NOMEM;
    pending *p = pend_new(rs);
    if (p == NULL) return CF_ERR_NOMEM;
    p->line = line;
    p->lay = lay;
    p->n = n;
    p->names = lay->names;
    p->columns = lay->columns;
    int oom = 0;
    if (n > 0) {
        p->values = cf_arena_alloc(&rs->pend_arena, n * sizeof *p->values);
        if (p->values == NULL) oom = 1;
        for (size_t i = 0; i < n && !oom; i++)
            if (!arena_trimmed(&rs->pend_arena, values[i], &p->values[i])) oom = 1;
    }
    if (!oom) p->raw = arena_dup(&rs->pend_arena, raw, &oom);
    if (oom) {
        pending_free(p);
        rs->npend--;
        return CF_ERR_NOMEM;
    }
    return CF_OK;
}

cf_status cf_runset_reject_raw(cf_runset *rs, long line, long column, const char *field, const char *message,
                               const char *raw)
{
    if (rs == NULL || !rs->in_source) return CF_ERR_ARG;
    pending *p = pend_new(rs);
    if (p == NULL) return CF_ERR_NOMEM;
    int oom = 0;
    p->is_reject = 1;
    p->line = line;
    p->rcolumn = column;
    p->rfield = arena_dup(&rs->pend_arena, field ? field : "", &oom);
    p->rmessage = arena_dup(&rs->pend_arena, message ? message : "", &oom);
    p->raw = arena_dup(&rs->pend_arena, raw ? raw : "", &oom);
    if (oom) {
        pending_free(p);
        rs->npend--;
        return CF_ERR_NOMEM;
    }
    return CF_OK;
}

/* The canonical fields of one pending record after mapping and defaults. */
typedef struct resolved {
    const char *val[F_COUNT];  /* value, NULL when absent */
    const char *name[F_COUNT]; /* raw column name (or the canonical name for a default) */
    long col[F_COUNT];         /* 1-based field position, 0 when unknown or defaulted */
} resolved;

/* Fills r from record p: the first present value of each canonical field wins; defaults fill the gaps. */
static void resolve_record(const cf_colmap *map, const pending *p, resolved *r)
{
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < p->n; i++) {
        int f = p->lay != NULL ? p->lay->field[i] : cf_runset_canon_field(cf_colmap_lookup(map, p->names[i]));
        if (f < 0 || r->val[f] != NULL) continue;
        if (p->values[i] == NULL) {
            /* An empty cell: remember where it is, so "found nothing" can point at the column. */
            if (r->col[f] == 0) {
                r->name[f] = p->names[i];
                r->col[f] = p->columns[i];
            }
            continue;
        }
        r->val[f] = p->values[i];
        r->name[f] = p->names[i];
        r->col[f] = p->columns[i];
    }
    for (int f = 0; f < F_COUNT; f++) {
        if (r->val[f] == NULL && map->defaults[f] != NULL) {
            r->val[f] = map->defaults[f];
            r->name[f] = cf_runset_field_names[f];
            r->col[f] = 0;
        }
    }
}

/* Finds two pairs of record p that land on the same field after mapping: a canonical field given twice ("acc"
 * mapped to accuracy in a file that has "accuracy") or a column renamed onto another column's name. Sets *a < *b to
 * their indices and returns 1, or returns 0. Taking the first silently would pick one of two different numbers. */
static int record_collision(const cf_colmap *map, const pending *p, size_t *a, size_t *b)
{
    size_t seen[F_COUNT];
    for (int f = 0; f < F_COUNT; f++) seen[f] = (size_t)-1;
    for (size_t i = 0; i < p->n; i++) {
        const char *to = cf_colmap_lookup(map, p->names[i]);
        int f = cf_runset_canon_field(to);
        if (f >= 0) {
            if (seen[f] != (size_t)-1) {
                *a = seen[f];
                *b = i;
                return 1;
            }
            seen[f] = i;
        } else if (f == F_PARAM && to != p->names[i] && to[0] != '\0') {
            /* a column renamed onto a hyperparameter name: look for another pair with that name */
            for (size_t k = 0; k < p->n; k++) {
                if (k == i || strcmp(cf_colmap_lookup(map, p->names[k]), to) != 0) continue;
                *a = k < i ? k : i;
                *b = k < i ? i : k;
                return 1;
            }
        }
    }
    return 0;
}

/* Appends a reject; the message is taken over (freed on failure). */
static cf_status push_reject(cf_runset *rs, long line, long column, const char *field, char *message, const char *raw)
{
    if (message == NULL) return CF_ERR_NOMEM;
    if (!cf_grow_to((void **)&rs->rejects, &rs->rejects_cap, rs->nrejects + 1, sizeof *rs->rejects, 16)) {
        free(message);
        return CF_ERR_NOMEM;
    }
    cf_reject *j = calloc(1, sizeof *j);
    int oom = 0;
    char *f = cf_dup_str(field ? field : "", &oom);
    char *w = cf_dup_str(raw ? raw : "", &oom);
    if (j == NULL || oom) {
        free(j);
        free(f);
        free(w);
        free(message);
        return CF_ERR_NOMEM;
    }
    j->source = rs->cur_source;
    j->line = line;
    j->column = column;
    j->field = f;
    j->message = message;
    j->raw = w;
    rs->rejects[rs->nrejects++] = j;
    return CF_OK;
}

/* Outcome of accuracy unit detection for one source. */
typedef struct acc_unit {
    int percent;       /* 1: divide by 100 */
    int by_majority;   /* the unit was chosen by majority; the minority is rejected */
    int explicit_unit; /* the mapping declared the unit */
    size_t agree;      /* number of values that agree with the chosen unit */
    int absent;        /* no record of the source has an accuracy: every run's accuracy is unknown (NaN) */
} acc_unit;

/* Decides the accuracy unit of the pending records (see the file comment). Returns CF_ERR_INVALID with err set
 * when the column mixes units so evenly that no choice is safe. */
static cf_status detect_accuracy_unit(cf_runset *rs, const char *const *accv, acc_unit *u, cf_error *err)
{
    memset(u, 0, sizeof *u);
    size_t present = 0, live = 0;
    for (size_t k = 0; k < rs->npend; k++) {
        if (rs->pend[k].is_reject) continue;
        live++;
        present += accv[k] != NULL;
    }
    if (live > 0 && present == 0) {
        /* A source with no accuracy at all (e.g. time-to-train benchmarks at a fixed quality target): the runs are
         * kept with an unknown accuracy, and a frontier over accuracy will say it has no values. */
        u->absent = 1;
        return cf_runset_add_note(rs,
                                  "%s: no accuracy column: accuracy is unknown for its %zu runs (objectives can "
                                  "still use cost, time and any numeric column)",
                                  rs->cur_source, live);
    }
    if (rs->map->accuracy_mode >= 0) {
        u->percent = rs->map->accuracy_mode;
        u->explicit_unit = 1;
        return CF_OK;
    }
    size_t le1 = 0, gt1 = 0, over = 0, total = 0;
    for (size_t k = 0; k < rs->npend; k++) {
        if (rs->pend[k].is_reject || accv[k] == NULL) continue;
        double v;
        if (!parse_num(accv[k], &v)) continue; /* "%" values and junk are handled per row */
        total++;
        if (v >= 0 && v <= 1)
            le1++;
        else if (v > 1 && v <= 100)
            gt1++;
        else
            over++;
    }
    (void)total;
    if (gt1 == 0) {
        u->percent = 0;
        u->agree = le1;
        return CF_OK;
    }
    if (le1 == 0) {
        u->percent = 1;
        u->agree = gt1;
        if (over == 0)
            return cf_runset_add_note(rs,
                                      "%s: accuracy column read as percent (all %zu values in [0, 100], %zu above "
                                      "1); divided by 100",
                                      rs->cur_source, gt1, gt1);
        return cf_runset_add_note(rs, "%s: accuracy column read as percent (%zu values in (1, 100]); divided by 100",
                                  rs->cur_source, gt1);
    }
    if (le1 >= 3 * gt1) {
        u->percent = 0;
        u->by_majority = 1;
        u->agree = le1;
        return CF_OK;
    }
    if (gt1 >= 3 * le1) {
        u->percent = 1;
        u->by_majority = 1;
        u->agree = gt1;
        return cf_runset_add_note(rs,
                                  "%s: accuracy column read as percent (%zu values in (1, 100], %zu at most 1 "
                                  "rejected); divided by 100",
                                  rs->cur_source, gt1, le1);
    }
    return cf_error_set(err, CF_ERR_INVALID, rs->cur_source, 0, 0, "accuracy",
                        "accuracy column mixes fractions (%zu values in [0, 1]) and percentages (%zu values in (1, "
                        "100]); declare the unit (\"accuracy_unit\" in a mapping file)",
                        le1, gt1);
}

/* Validated canonical values of one record. */
typedef struct checked {
    double accuracy, gpu_hours, wall_hours, num_gpus, pruning;
    cf_precision precision;
    const char *hardware; /* catalog id or the text as given */
    const char *region;
    const char *procurement; /* static canonical name */
    /* issue 16: NaN / NULL when absent */
    double data_gb, checkpoint_gb, storage_days, model_gb, num_nodes;
    const char *data_location; /* as given, checked against the catalog's egress table when there is one */
    /* issue 11: NaN when absent */
    cf_work_unit work_unit;
    double throughput, tokens, samples, queries, in_tokens, out_tokens, io_ratio;
    double ttft, tpot, p50, p99, power_w;
} checked;

/* Procurement spellings after lower-casing and removing ' ', '-' and '_'. */
static const struct {
    const char *spelling;
    const char *canonical;
} procurement_spellings[] = {
    {"ondemand", "on_demand"},
    {"od", "on_demand"},
    {"payg", "on_demand"},
    {"payasyougo", "on_demand"},
    {"spot", "spot"},
    {"preemptible", "spot"},
    {"interruptible", "spot"},
    {"lowpriority", "spot"},
    {"reserved1y", "reserved_1y"},
    {"reserved1yr", "reserved_1y"},
    {"reserved1year", "reserved_1y"},
    {"ri1y", "reserved_1y"},
    {"1y", "reserved_1y"},
    {"1yr", "reserved_1y"},
    {"committed1y", "reserved_1y"},
    {"cud1y", "reserved_1y"},
    {"reserved3y", "reserved_3y"},
    {"reserved3yr", "reserved_3y"},
    {"reserved3year", "reserved_3y"},
    {"ri3y", "reserved_3y"},
    {"3y", "reserved_3y"},
    {"3yr", "reserved_3y"},
    {"committed3y", "reserved_3y"},
    {"cud3y", "reserved_3y"},
    {"onprem", "on_prem"},
    {"onpremises", "on_prem"},
    {"onpremise", "on_prem"},
    {"owned", "on_prem"},
    {"hybrid", "hybrid"},
};

/* Returns the canonical procurement name for s, or NULL. */
static const char *parse_procurement(const char *s)
{
    char key[64];
    if (strlen(s) >= sizeof key) return NULL;
    squash(s, " -_", key, sizeof key);
    for (size_t i = 0; i < sizeof procurement_spellings / sizeof procurement_spellings[0]; i++)
        if (strcmp(key, procurement_spellings[i].spelling) == 0) return procurement_spellings[i].canonical;
    return NULL;
}

/* A rejection found while checking a record. */
typedef struct failure {
    int field;     /* canonical field index */
    char *message; /* malloc'd, NULL on allocation failure */
} failure;

/* Formats the list of known hardware (or region) ids of the catalog, comma separated, into a malloc'd string. */
static char *known_ids(const cf_catalog *cat, int regions)
{
    size_t n = regions ? cf_catalog_region_count(cat) : cf_catalog_hardware_count(cat);
    size_t len = 1;
    for (size_t i = 0; i < n; i++) {
        const char *id = regions ? cf_catalog_region_at(cat, i)->id : cf_catalog_hardware_at(cat, i)->id;
        len += strlen(id ? id : "") + 2;
    }
    char *s = malloc(len);
    if (s == NULL) return NULL;
    s[0] = '\0';
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = regions ? cf_catalog_region_at(cat, i)->id : cf_catalog_hardware_at(cat, i)->id;
        if (id == NULL) continue;
        if (k > 0) {
            memcpy(s + k, ", ", 2);
            k += 2;
        }
        size_t l = strlen(id);
        memcpy(s + k, id, l);
        k += l;
        s[k] = '\0';
    }
    return s;
}

/* The runset's one stored copy of s (NULL stays NULL); sets *oom on allocation failure. */
static const char *intern(cf_runset *rs, const char *s, int *oom)
{
    if (s == NULL) return NULL;
    const char *d = cf_intern_get(&rs->strs, &rs->perm, s, strlen(s));
    if (d == NULL) *oom = 1;
    return d;
}

/* The cache entry for key in table (*t, *cap, *n), added empty (found NULL) when new; NULL on allocation failure.
 * A file names a few hardware and regions a million times: each is looked up in the catalog once. */
static lookup *lookup_get(cf_runset *rs, lookup **t, size_t *cap, size_t *n, const char *key)
{
    if (2 * (*n + 1) > *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        lookup *g = calloc(nc, sizeof *g);
        if (g == NULL) return NULL;
        for (size_t k = 0; k < *cap; k++) {
            if ((*t)[k].key == NULL) continue;
            size_t h = cf_pool_hash((*t)[k].key, strlen((*t)[k].key)) & (nc - 1);
            while (g[h].key != NULL) h = (h + 1) & (nc - 1);
            g[h] = (*t)[k];
        }
        free(*t);
        *t = g;
        *cap = nc;
    }
    size_t len = strlen(key), mask = *cap - 1;
    size_t h = cf_pool_hash(key, len) & mask;
    for (; (*t)[h].key != NULL; h = (h + 1) & mask)
        if (strcmp((*t)[h].key, key) == 0) return &(*t)[h];
    int oom = 0;
    const char *k = intern(rs, key, &oom);
    if (oom) return NULL;
    (*t)[h].key = k;
    (*t)[h].found = NULL;
    (*t)[h].accelerators = 0;
    (*t)[h].acc_known = 0;
    (*n)++;
    return &(*t)[h];
}

/* cf_catalog_hardware(rs->cat, v), remembered per value; NULL also on allocation failure (*oom set). */
static lookup *hw_lookup(const cf_runset *crs, const char *v, int *oom)
{
    cf_runset *rs = (cf_runset *)crs; /* the cache is not part of the runset's value */
    size_t before = rs->hw_n;
    lookup *e = lookup_get(rs, &rs->hw_cache, &rs->hw_cap, &rs->hw_n, v);
    if (e == NULL) {
        *oom = 1;
        return NULL;
    }
    if (rs->hw_n != before) e->found = cf_catalog_hardware(rs->cat, v);
    return e;
}

/* cf_catalog_region(rs->cat, v), remembered per value; NULL (with *oom set) on allocation failure. */
static const cf_region *region_lookup(const cf_runset *crs, const char *v, int *oom)
{
    cf_runset *rs = (cf_runset *)crs;
    size_t before = rs->region_n;
    lookup *e = lookup_get(rs, &rs->region_cache, &rs->region_cap, &rs->region_n, v);
    if (e == NULL) {
        *oom = 1;
        return NULL;
    }
    if (rs->region_n != before) e->found = cf_catalog_region(rs->cat, v);
    return e->found;
}

/* Checks the fields of the whole cost of a run (issue 16): sizes in GB and days non-negative, num_nodes a whole
 * number >= 1, data_location resolvable through the catalog's egress table (when the catalog has one). */
static int check_transfer(const cf_runset *rs, const resolved *r, checked *c, failure *fail)
{
    static const int num_fields[] = {F_DATA_GB, F_CHECKPOINT_GB, F_STORAGE_DAYS, F_MODEL_GB};
    double *slots[] = {&c->data_gb, &c->checkpoint_gb, &c->storage_days, &c->model_gb};
    static const char *const what[] = {"GB of data", "GB per checkpoint", "days of storage", "GB of model"};
    const char *v;
    double x;
    for (size_t k = 0; k < sizeof num_fields / sizeof *num_fields; k++) {
        if ((v = r->val[num_fields[k]]) == NULL) continue;
        fail->field = num_fields[k];
        if (!parse_num(v, &x) || x < 0 || !(x <= 1e12)) {
            fail->message = fmt_str("expected a non-negative number (%s), found '%s'", what[k], v);
            return 0;
        }
        *slots[k] = x;
    }
    if ((v = r->val[F_NUM_NODES]) != NULL) {
        fail->field = F_NUM_NODES;
        if (!parse_num(v, &x) || x < 1 || x != floor(x) || x > 1e6) {
            fail->message = fmt_str("expected a whole number of nodes >= 1, found '%s'", v);
            return 0;
        }
        c->num_nodes = x;
    }
    if ((v = r->val[F_DATA_LOCATION]) != NULL) {
        fail->field = F_DATA_LOCATION;
        c->data_location = v;
        if (rs->cat != NULL && cf_catalog_egress_count(rs->cat) > 0) {
            const cf_egress *e;
            cf_error lerr;
            cf_error_clear(&lerr);
            if (cf_catalog_data_location(rs->cat, v, &e, &lerr) != CF_OK) {
                fail->message = fmt_str("%s", lerr.message);
                return 0;
            }
        }
    }
    return 1;
}

const char *cf_work_unit_name(cf_work_unit u)
{
    switch (u) {
    case CF_WORK_TOKENS: return "tokens";
    case CF_WORK_SAMPLES: return "samples";
    case CF_WORK_QUERIES: return "queries";
    default: return "";
    }
}

double cf_gpu_hours_per_1m(double num_gpus, double throughput_per_s)
{
    if (!(num_gpus > 0) || !(throughput_per_s > 0) || !isfinite(num_gpus) || !isfinite(throughput_per_s)) return NAN;
    return num_gpus / (throughput_per_s * 3600.0) * 1e6;
}

cf_status cf_io_ratio_parse(const char *s, double *out)
{
    if (s == NULL || out == NULL) return CF_ERR_ARG;
    char buf[64];
    if (strlen(s) >= sizeof buf) return CF_ERR_INVALID;
    snprintf(buf, sizeof buf, "%s", s);
    char *colon = strchr(buf, ':');
    double a, b = 1.0;
    if (colon != NULL) {
        *colon = '\0';
        if (!parse_num(colon + 1, &b)) return CF_ERR_INVALID;
    }
    if (!parse_num(buf, &a)) return CF_ERR_INVALID;
    if (!(a > 0) || !(b > 0)) return CF_ERR_INVALID;
    double r = a / b;
    if (!isfinite(r) || !(r > 0)) return CF_ERR_INVALID;
    *out = r;
    return CF_OK;
}

/* Relative agreement of two throughputs (1e-6, with an absolute floor for tiny values). */
static int close_enough(double a, double b) { return fabs(a - b) <= 1e-6 * fmax(fabs(a), fabs(b)) + 1e-9; }

/* Checks the inference fields of a record (issue 11): throughputs positive, latencies and power non-negative,
 * and the token split made whole: tokens = input + output when both are given; a ratio splits a total; one part
 * and the total give the other. A total that disagrees with its parts is rejected, never silently preferred. */
static int check_inference(const resolved *r, checked *c, failure *fail)
{
    static const int pos_fields[] = {F_TOKENS_PER_S, F_SAMPLES_PER_S, F_QUERIES_PER_S, F_INPUT_TOKENS_PER_S,
                                     F_OUTPUT_TOKENS_PER_S};
    double *pos_slots[] = {&c->tokens, &c->samples, &c->queries, &c->in_tokens, &c->out_tokens};
    static const int nn_fields[] = {F_TTFT_MS, F_TPOT_MS, F_P50_MS, F_P99_MS, F_POWER_W};
    double *nn_slots[] = {&c->ttft, &c->tpot, &c->p50, &c->p99, &c->power_w};
    const char *v;
    double x;
    c->work_unit = CF_WORK_NONE;
    c->throughput = c->tokens = c->samples = c->queries = c->in_tokens = c->out_tokens = c->io_ratio = NAN;
    c->ttft = c->tpot = c->p50 = c->p99 = c->power_w = NAN;
    for (size_t k = 0; k < sizeof pos_fields / sizeof *pos_fields; k++) {
        if ((v = r->val[pos_fields[k]]) == NULL) continue;
        fail->field = pos_fields[k];
        if (!parse_num(v, &x) || !(x > 0) || x > 1e15) {
            fail->message = fmt_str("expected a positive throughput (%s per second), found '%s'",
                                    k == 1 ? "samples" : k == 2 ? "queries" : "tokens", v);
            return 0;
        }
        *pos_slots[k] = x;
    }
    for (size_t k = 0; k < sizeof nn_fields / sizeof *nn_fields; k++) {
        if ((v = r->val[nn_fields[k]]) == NULL) continue;
        fail->field = nn_fields[k];
        if (!parse_num(v, &x) || x < 0 || x > 1e12) {
            fail->message = fmt_str("expected a non-negative number (%s), found '%s'",
                                    k == 4 ? "watts" : "milliseconds", v);
            return 0;
        }
        *nn_slots[k] = x;
    }
    if ((v = r->val[F_IO_RATIO]) != NULL) {
        fail->field = F_IO_RATIO;
        if (cf_io_ratio_parse(v, &c->io_ratio) != CF_OK) {
            fail->message = fmt_str("expected an input:output token ratio such as '4:1' or '4', found '%s'", v);
            return 0;
        }
    }
    double t = c->tokens, i = c->in_tokens, o = c->out_tokens, q = c->io_ratio;
    int hi = !isnan(i), ho = !isnan(o), ht = !isnan(t), hq = !isnan(q);
    if (hi && ho) {
        if (ht && !close_enough(t, i + o)) {
            fail->field = F_TOKENS_PER_S;
            fail->message = fmt_str("expected tokens_per_s = input_tokens_per_s + output_tokens_per_s = %.10g, found "
                                    "'%s'",
                                    i + o, r->val[F_TOKENS_PER_S]);
            return 0;
        }
        if (hq && !close_enough(q, i / o)) {
            fail->field = F_IO_RATIO;
            fail->message = fmt_str("expected input_output_ratio = input_tokens_per_s / output_tokens_per_s = %.6g, "
                                    "found '%s'",
                                    i / o, r->val[F_IO_RATIO]);
            return 0;
        }
        t = i + o;
    } else if (ht && (hi || ho)) {
        double part = hi ? i : o;
        if (!(part < t)) {
            fail->field = hi ? F_INPUT_TOKENS_PER_S : F_OUTPUT_TOKENS_PER_S;
            fail->message = fmt_str("expected a part of tokens_per_s (%.10g) smaller than it, found '%s'", t,
                                    r->val[fail->field]);
            return 0;
        }
        if (hi) o = t - i;
        else i = t - o;
    } else if (ht && hq) {
        i = t * q / (1.0 + q);
        o = t / (1.0 + q);
    } else if (hq && (hi || ho)) {
        if (hi) o = i / q;
        else i = o * q;
        t = i + o;
    } else if (!ht && (hi || ho)) {
        t = hi ? i : o; /* one kind of token only: the throughput counts those */
    }
    if (!isnan(i) && !isnan(o)) q = i / o;
    c->tokens = t;
    c->in_tokens = i;
    c->out_tokens = o;
    c->io_ratio = q;
    if (!isnan(c->tokens)) {
        c->work_unit = CF_WORK_TOKENS;
        c->throughput = c->tokens;
    } else if (!isnan(c->samples)) {
        c->work_unit = CF_WORK_SAMPLES;
        c->throughput = c->samples;
    } else if (!isnan(c->queries)) {
        c->work_unit = CF_WORK_QUERIES;
        c->throughput = c->queries;
    }
    return 1;
}

/* Checks the canonical fields of one record. Returns 1 when the record is valid (filling c), 0 with *fail set
 * otherwise. */
static int check_record(const cf_runset *rs, const resolved *r, const acc_unit *u, checked *c, failure *fail)
{
    const char *v;
    double x;
    memset(c, 0, sizeof *c);
    c->wall_hours = c->num_gpus = NAN;
    c->data_gb = c->checkpoint_gb = c->storage_days = c->model_gb = c->num_nodes = NAN;

    /* accuracy */
    fail->field = F_ACCURACY;
    v = r->val[F_ACCURACY];
    if (v == NULL && u->absent) {
        c->accuracy = NAN;
    } else if (v == NULL) {
        fail->message = fmt_str("expected an accuracy value, found nothing");
        return 0;
    } else if (parse_percent(v, &x)) {
        if (x < 0 || x > 100) {
            fail->message = fmt_str("expected a percentage in [0%%, 100%%], found '%s'", v);
            return 0;
        }
        c->accuracy = x / 100.0;
    } else if (!parse_num(v, &x)) {
        fail->message = fmt_str("expected a number (an accuracy), found '%s'", v);
        return 0;
    } else if (u->percent) {
        if (x < 0 || x > 100) {
            fail->message = fmt_str("expected a percentage in [0, 100], found '%s'", v);
            return 0;
        }
        if (u->by_majority && x <= 1) {
            fail->message = fmt_str("expected a percentage in (1, 100] like the other %zu values of this column, "
                                    "found '%s' (a fraction?)",
                                    u->agree, v);
            return 0;
        }
        c->accuracy = x / 100.0;
    } else {
        if (x < 0 || x > 1) {
            if (u->by_majority)
                fail->message = fmt_str("expected a fraction in [0, 1] like the other %zu values of this column, "
                                        "found '%s'",
                                        u->agree, v);
            else if (u->explicit_unit)
                fail->message = fmt_str("expected a fraction in [0, 1] (the accuracy unit is fraction), found '%s'", v);
            else
                fail->message = fmt_str("expected a fraction in [0, 1] or a percentage in [0, 100], found '%s'", v);
            return 0;
        }
        c->accuracy = x;
    }

    /* hours */
    double scale = rs->map->hours_scale;
    if (r->val[F_WALL_HOURS] != NULL) {
        fail->field = F_WALL_HOURS;
        v = r->val[F_WALL_HOURS];
        if (!parse_num(v, &x) || x < 0) {
            fail->message = fmt_str("expected a non-negative number of hours, found '%s'", v);
            return 0;
        }
        c->wall_hours = x * scale;
    }
    if (r->val[F_NUM_GPUS] != NULL) {
        fail->field = F_NUM_GPUS;
        v = r->val[F_NUM_GPUS];
        if (!parse_num(v, &x) || x <= 0) {
            fail->message = fmt_str("expected a positive number of accelerators, found '%s'", v);
            return 0;
        }
        c->num_gpus = x;
    } else if (r->val[F_HARDWARE] != NULL && rs->cat != NULL) {
        /* An instance type in the hardware column (p4d.24xlarge) says how many accelerators the run had. */
        int oom = 0;
        lookup *e = hw_lookup(rs, r->val[F_HARDWARE], &oom);
        if (e != NULL && !e->acc_known) {
            cf_hw_match m;
            e->acc_known = 1;
            if (cf_catalog_resolve(rs->cat, r->val[F_HARDWARE], &m, NULL) == CF_OK && m.kind == CF_MATCH_INSTANCE &&
                m.accelerators > 0)
                e->accelerators = m.accelerators;
        }
        if (e != NULL && e->accelerators > 0) c->num_gpus = (double)e->accelerators;
    }
    if (!check_inference(r, c, fail)) return 0;
    fail->field = F_GPU_HOURS;
    v = r->val[F_GPU_HOURS];
    if (v == NULL && isnan(c->wall_hours) && c->work_unit != CF_WORK_NONE) {
        /* An inference run: its hours are per 1M units of its throughput. */
        const char *unit = cf_work_unit_name(c->work_unit);
        if (isnan(c->num_gpus)) {
            fail->field = F_NUM_GPUS;
            fail->message = fmt_str("expected num_gpus with a throughput (accelerator-hours per 1M %s = num_gpus / "
                                    "(%s_per_s x 3600) x 1e6), found nothing",
                                    unit, unit);
            return 0;
        }
        c->wall_hours = 1e6 / (c->throughput * 3600.0);
        c->gpu_hours = cf_gpu_hours_per_1m(c->num_gpus, c->throughput);
    } else if (v != NULL) {
        if (!parse_num(v, &x) || x < 0) {
            fail->message = fmt_str("expected a non-negative number of GPU-hours, found '%s'", v);
            return 0;
        }
        c->gpu_hours = x * scale;
        c->work_unit = CF_WORK_NONE; /* hours given: a run priced as a whole; throughputs stay fields */
    } else if (!isnan(c->wall_hours) && !isnan(c->num_gpus)) {
        c->work_unit = CF_WORK_NONE;
        c->gpu_hours = c->wall_hours * c->num_gpus;
    } else if (!isnan(c->wall_hours)) {
        fail->field = F_NUM_GPUS;
        fail->message = fmt_str("expected num_gpus with wall_hours (gpu_hours = wall_hours x num_gpus), found "
                                "nothing");
        return 0;
    } else {
        fail->message = fmt_str("expected gpu_hours, or wall_hours and num_gpus, found nothing");
        return 0;
    }
    /* An absurd number of hours would overflow costs, energy and the hypervolume to infinity downstream. */
    if (!(c->gpu_hours <= CF_MAX_GPU_HOURS)) {
        if (v == NULL) {
            fail->field = F_WALL_HOURS;
            fail->message = fmt_str("expected at most %g GPU-hours, found wall_hours x num_gpus = %g", CF_MAX_GPU_HOURS,
                                    c->gpu_hours);
        } else {
            fail->message = fmt_str("expected at most %g GPU-hours, found '%s'", CF_MAX_GPU_HOURS, v);
        }
        return 0;
    }

    /* precision */
    c->precision = CF_PREC_UNKNOWN;
    if ((v = r->val[F_PRECISION]) != NULL) {
        fail->field = F_PRECISION;
        if (cf_precision_parse(v, &c->precision) != CF_OK) {
            fail->message = fmt_str("expected a precision (fp32, tf32, bf16, fp16, fp8, int8, int4), found '%s'", v);
            return 0;
        }
    }

    /* pruning */
    c->pruning = 0.0;
    if ((v = r->val[F_PRUNING]) != NULL) {
        fail->field = F_PRUNING;
        if (parse_percent(v, &x)) {
            if (x < 0 || x >= 100) {
                fail->message = fmt_str("expected a sparsity in [0%%, 100%%), found '%s'", v);
                return 0;
            }
            c->pruning = x / 100.0;
        } else if (!parse_num(v, &x)) {
            fail->message = fmt_str("expected a sparsity fraction in [0, 1), found '%s'", v);
            return 0;
        } else if (x > 1 && x <= 100) {
            fail->message = fmt_str("expected a sparsity fraction in [0, 1), found '%s' (for a percentage write "
                                    "%g or '%s%%')",
                                    v, x / 100.0, v);
            return 0;
        } else if (x < 0 || x >= 1) {
            fail->message = fmt_str("expected a sparsity fraction in [0, 1), found '%s'", v);
            return 0;
        } else {
            c->pruning = x;
        }
    }

    /* hardware */
    if ((v = r->val[F_HARDWARE]) != NULL) {
        fail->field = F_HARDWARE;
        if (rs->cat != NULL) {
            int oom = 0;
            lookup *e = hw_lookup(rs, v, &oom);
            const cf_hardware *hw = e != NULL ? e->found : cf_catalog_hardware(rs->cat, v);
            if (hw == NULL) {
                /* An ambiguous name ("A100") gets the candidates the catalog's resolver lists; an unknown one the
                 * catalog's ids. */
                cf_hw_match m;
                cf_error rerr;
                cf_error_clear(&rerr);
                if (cf_catalog_resolve(rs->cat, v, &m, &rerr) != CF_OK && m.n_candidates >= 2) {
                    fail->message = fmt_str("%s", rerr.message);
                    return 0;
                }
                char *known = known_ids(rs->cat, 0);
                fail->message =
                    known ? fmt_str("unknown hardware '%s'; known: %s (see costfront catalog)", v, known) : NULL;
                free(known);
                return 0;
            }
            c->hardware = hw->id;
        } else {
            c->hardware = v;
        }
    } else if (r->col[F_HARDWARE] != 0 || r->name[F_HARDWARE] != NULL) {
        /* The record has a hardware column but no value in it: a run nobody can price, printed later as '?'. */
        fail->field = F_HARDWARE;
        fail->message = fmt_str("expected a hardware name (see costfront catalog), found an empty value");
        return 0;
    }

    /* region */
    if ((v = r->val[F_REGION]) != NULL) {
        fail->field = F_REGION;
        if (rs->cat != NULL) {
            int oom = 0;
            const cf_region *rg = region_lookup(rs, v, &oom);
            if (oom) rg = cf_catalog_region(rs->cat, v);
            if (rg == NULL) {
                char *known = known_ids(rs->cat, 1);
                fail->message =
                    known ? fmt_str("unknown region '%s'; known: %s (see costfront catalog)", v, known) : NULL;
                free(known);
                return 0;
            }
            c->region = rg->id;
        } else {
            c->region = v;
        }
    }

    /* procurement */
    if ((v = r->val[F_PROCUREMENT]) != NULL) {
        fail->field = F_PROCUREMENT;
        c->procurement = parse_procurement(v);
        if (c->procurement == NULL) {
            fail->message = fmt_str("expected a procurement (on_demand, spot, reserved_1y, reserved_3y, on_prem, "
                                    "hybrid), found '%s'",
                                    v);
            return 0;
        }
    }
    return check_transfer(rs, r, c, fail);
}

/* Finds or creates the hyperparameter column name; returns its index or (size_t)-1 on allocation failure. */
/* FNV-1a hash of a column name. */
static size_t name_hash(const char *s)
{
    size_t h = (size_t)1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
    return h;
}

/* Rebuilds the params' name hash with room for at least twice nparams + 1 entries. Returns 0 on allocation
 * failure (the old table stays). */
static int param_slots_grow(cf_runset *rs)
{
    size_t cap = rs->param_slots_cap ? rs->param_slots_cap : 64;
    while (cap < 2 * (rs->nparams + 1)) cap *= 2;
    if (cap == rs->param_slots_cap) return 1;
    size_t *t = calloc(cap, sizeof *t);
    if (t == NULL) return 0;
    for (size_t j = 0; j < rs->nparams; j++) {
        size_t h = name_hash(rs->params[j].name) & (cap - 1);
        while (t[h] != 0) h = (h + 1) & (cap - 1);
        t[h] = j + 1;
    }
    free(rs->param_slots);
    rs->param_slots = t;
    rs->param_slots_cap = cap;
    return 1;
}

/* Returns the index of hyperparameter column name, adding it when new; (size_t)-1 on allocation failure. Names are
 * found through a hash, so a file with many columns costs linear time, not quadratic. */
static size_t param_get(cf_runset *rs, const char *name)
{
    if (!param_slots_grow(rs)) return (size_t)-1;
    size_t mask = rs->param_slots_cap - 1, h = name_hash(name) & mask;
    for (; rs->param_slots[h] != 0; h = (h + 1) & mask)
        if (strcmp(rs->params[rs->param_slots[h] - 1].name, name) == 0) return rs->param_slots[h] - 1;
    if (!cf_grow_to((void **)&rs->params, &rs->params_cap, rs->nparams + 1, sizeof *rs->params, 16)) return (size_t)-1;
    param_col *pc = &rs->params[rs->nparams];
    memset(pc, 0, sizeof *pc);
    int oom = 0;
    pc->name = cf_dup_str(name, &oom);
    size_t cap = rs->run_cap ? rs->run_cap : 1;
    pc->str = calloc(cap, sizeof *pc->str);
    pc->num = malloc(cap * sizeof *pc->num);
    if (oom || pc->str == NULL || pc->num == NULL) {
        free(pc->name);
        free(pc->str);
        free(pc->num);
        return (size_t)-1;
    }
    for (size_t i = 0; i < cap; i++) pc->num[i] = NAN;
    pc->kind = CF_PARAM_INTEGER;
    rs->param_slots[h] = rs->nparams + 1;
    return rs->nparams++;
}

/* Makes room for one more run in the run array and in every hyperparameter column. Returns 0 on failure. */
static int runs_reserve(cf_runset *rs)
{
    size_t need = rs->nruns + 1;
    if (need <= rs->run_cap) return 1;
    size_t cap = rs->run_cap ? 2 * rs->run_cap : 64;
    cf_run **nr = realloc(rs->runs, cap * sizeof *nr);
    if (nr == NULL) return 0;
    rs->runs = nr;
    for (size_t j = 0; j < rs->nparams; j++) {
        param_col *pc = &rs->params[j];
        char **ns = realloc(pc->str, cap * sizeof *ns);
        if (ns == NULL) return 0;
        pc->str = ns;
        double *nn = realloc(pc->num, cap * sizeof *nn);
        if (nn == NULL) return 0;
        pc->num = nn;
        for (size_t i = rs->run_cap; i < cap; i++) {
            pc->str[i] = NULL;
            pc->num[i] = NAN;
        }
    }
    rs->run_cap = cap;
    return 1;
}

/* Accepts record p with checked values c; run_id is taken over. Returns CF_ERR_NOMEM on failure. */
static cf_status accept_record(cf_runset *rs, const pending *p, const resolved *r, const checked *c, char *run_id)
{
    if (!runs_reserve(rs)) {
        free(run_id);
        return CF_ERR_NOMEM;
    }
    cf_run *run = cf_arena_alloc(&rs->perm, sizeof *run);
    int oom = 0;
    const char *id = run == NULL ? NULL : arena_dup(&rs->perm, run_id, &oom);
    free(run_id);
    if (run == NULL || id == NULL) return CF_ERR_NOMEM;
    memset(run, 0, sizeof *run);
    run->run_id = id;
    run->accuracy = c->accuracy;
    run->gpu_hours = c->gpu_hours;
    run->wall_hours = c->wall_hours;
    run->num_gpus = c->num_gpus;
    run->precision = c->precision;
    run->pruning = c->pruning;
    run->hardware = intern(rs, c->hardware, &oom);
    run->region = intern(rs, c->region, &oom);
    run->provider = intern(rs, r->val[F_PROVIDER], &oom);
    run->procurement = intern(rs, c->procurement, &oom);
    run->model = intern(rs, r->val[F_MODEL], &oom);
    run->dataset = intern(rs, r->val[F_DATASET], &oom);
    run->project = intern(rs, r->val[F_PROJECT], &oom);
    run->source = rs->cur_source;
    run->line = p->line;
    run->data_gb = c->data_gb;
    run->data_location = intern(rs, c->data_location, &oom);
    run->checkpoint_gb = c->checkpoint_gb;
    run->storage_days = c->storage_days;
    run->model_gb = c->model_gb;
    run->num_nodes = c->num_nodes;
    run->work_unit = c->work_unit;
    run->throughput_per_s = c->work_unit != CF_WORK_NONE ? c->throughput : NAN;
    run->tokens_per_s = c->tokens;
    run->samples_per_s = c->samples;
    run->queries_per_s = c->queries;
    run->input_tokens_per_s = c->in_tokens;
    run->output_tokens_per_s = c->out_tokens;
    run->input_output_ratio = c->io_ratio;
    run->ttft_ms = c->ttft;
    run->tpot_ms = c->tpot;
    run->latency_p50_ms = c->p50;
    run->latency_p99_ms = c->p99;
    run->power_w = c->power_w;
    if (oom) {
        run_free(run);
        return CF_ERR_NOMEM;
    }
    size_t i = rs->nruns;
    rs->runs[i] = run;
    if (!idx_insert(rs, i)) {
        run_free(run);
        return CF_ERR_NOMEM;
    }
    rs->nruns++;
    /* hyperparameters: every present value whose column maps to no canonical field */
    layout *lay = (layout *)p->lay;
    for (size_t k = 0; k < p->n; k++) {
        if (p->values[k] == NULL) continue;
        const char *to = lay->param[k];
        if (to == NULL) continue;
        size_t j = lay->pidx[k];
        if (j == (size_t)-1) j = lay->pidx[k] = param_get(rs, to); /* found once per layout, not per record */
        if (j == (size_t)-1) return CF_ERR_NOMEM;
        param_col *pc = &rs->params[j];
        if (pc->str[i] != NULL) continue; /* a repeated column: the first value wins */
        pc->str[i] = (char *)intern(rs, p->values[k], &oom);
        if (oom) return CF_ERR_NOMEM;
        double x;
        pc->num[i] = parse_num(p->values[k], &x) ? x : NAN;
    }
    return CF_OK;
}

/* Re-derives the kind of every hyperparameter column from all its present values. */
static void type_params(cf_runset *rs)
{
    for (size_t j = 0; j < rs->nparams; j++) {
        param_col *pc = &rs->params[j];
        cf_param_kind kind = CF_PARAM_INTEGER;
        for (size_t i = 0; i < rs->nruns; i++) {
            if (pc->str[i] == NULL) continue;
            double x = pc->num[i];
            if (isnan(x)) {
                kind = CF_PARAM_CATEGORICAL;
                break;
            }
            if (kind == CF_PARAM_INTEGER && (x != floor(x) || fabs(x) > 9007199254740992.0)) kind = CF_PARAM_NUMERIC;
        }
        pc->kind = kind;
    }
}

/* Drops the open source's pending records and the notes added while it was open. */
static void discard_source(cf_runset *rs)
{
    for (size_t k = 0; k < rs->npend; k++) pending_free(&rs->pend[k]);
    rs->npend = 0;
    cf_arena_free(&rs->pend_arena);
    while (rs->nnotes > rs->notes_at_begin) free(rs->notes[--rs->nnotes]);
    rs->in_source = 0;
}

/* Index of hyperparameter column name through the name hash, or (size_t)-1 when there is none. */
static size_t param_lookup(const cf_runset *rs, const char *name)
{
    if (rs->param_slots_cap == 0) return (size_t)-1;
    size_t mask = rs->param_slots_cap - 1;
    for (size_t h = name_hash(name) & mask; rs->param_slots[h] != 0; h = (h + 1) & mask)
        if (strcmp(rs->params[rs->param_slots[h] - 1].name, name) == 0) return rs->param_slots[h] - 1;
    return (size_t)-1;
}

/* What the open source's values of one hyperparameter column look like, to tell a numeric column (where "nan" or
 * "inf" is a broken value) from a categorical one (where it is just a word). */
typedef struct colstate {
    const char *name; /* mapped column name (owned by the mapping or a pending record) */
    int finite;       /* some value is a finite number */
    int text;         /* some value is not a number at all */
} colstate;

/* An open-addressing table of colstate by name, grown at half load. */
typedef struct colstates {
    colstate *slots;
    size_t cap, n;
} colstates;

/* The entry for name, added when new; NULL on allocation failure. */
static colstate *colstate_get(colstates *t, const char *name)
{
    if (2 * (t->n + 1) > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        colstate *g = calloc(cap, sizeof *g);
        if (g == NULL) return NULL;
        for (size_t k = 0; k < t->cap; k++) {
            if (t->slots[k].name == NULL) continue;
            size_t h = name_hash(t->slots[k].name) & (cap - 1);
            while (g[h].name != NULL) h = (h + 1) & (cap - 1);
            g[h] = t->slots[k];
        }
        free(t->slots);
        t->slots = g;
        t->cap = cap;
    }
    size_t mask = t->cap - 1, h = name_hash(name) & mask;
    for (; t->slots[h].name != NULL; h = (h + 1) & mask)
        if (strcmp(t->slots[h].name, name) == 0) return &t->slots[h];
    t->slots[h].name = name;
    t->n++;
    return &t->slots[h];
}

/* The entry for name, or NULL. */
static const colstate *colstate_find(const colstates *t, const char *name)
{
    if (t->cap == 0) return NULL;
    size_t mask = t->cap - 1;
    for (size_t h = name_hash(name) & mask; t->slots[h].name != NULL; h = (h + 1) & mask)
        if (strcmp(t->slots[h].name, name) == 0) return &t->slots[h];
    return NULL;
}

/* The hyperparameter column a raw column name maps to, or NULL when it maps to a canonical field or to nothing. */
static const char *param_target(const cf_colmap *map, const char *raw_name)
{
    const char *to = cf_colmap_lookup(map, raw_name);
    return (cf_runset_canon_field(to) == F_PARAM && to[0] != '\0') ? to : NULL;
}

/* Collects the column states of the open source's records (res[k] resolved, rejects skipped). Returns 0 on
 * allocation failure. */
static int collect_colstates(const cf_runset *rs, colstates *t)
{
    for (size_t k = 0; k < rs->npend; k++) {
        const pending *p = &rs->pend[k];
        if (p->is_reject) continue;
        for (size_t i = 0; i < p->n; i++) {
            if (p->values[i] == NULL) continue;
            const char *to = p->lay->param[i];
            if (to == NULL) continue;
            colstate *c = colstate_get(t, to);
            if (c == NULL) return 0;
            double x;
            if (!parse_decimal(p->values[i], &x))
                c->text = 1;
            else if (isfinite(x))
                c->finite = 1;
        }
    }
    return 1;
}

/* 1 when column name is numeric: no value of it, in this source or an earlier one, is text, and some value is a
 * finite number. */
static int column_is_numeric(const cf_runset *rs, const colstates *t, const char *name)
{
    const colstate *c = colstate_find(t, name);
    int finite = c != NULL && c->finite, text = c != NULL && c->text;
    size_t j = param_lookup(rs, name);
    if (j != (size_t)-1 && rs->nruns > 0) {
        if (rs->params[j].kind == CF_PARAM_CATEGORICAL)
            text = 1;
        else
            finite = 1;
    }
    return finite && !text;
}

/* Finds a non-finite value (nan, inf, or a number too large for a double) in a numeric hyperparameter column of
 * record p. Returns the index of the pair, or (size_t)-1 when there is none. One such value used to turn the whole
 * column categorical without a word; now the record is refused with the value's place. */
static size_t nonfinite_param(const cf_runset *rs, const colstates *t, const pending *p)
{
    for (size_t i = 0; i < p->n; i++) {
        double x;
        const char *to = p->lay->param[i];
        if (to == NULL || p->values[i] == NULL || !parse_decimal(p->values[i], &x) || isfinite(x)) continue;
        if (column_is_numeric(rs, t, to)) return i;
    }
    return (size_t)-1;
}

/* How far from the column's typical magnitude a value must be to be pointed out: more than CF_OUTLIER_FACTOR times
 * the median of the nonzero magnitudes of the column's values in the source. */
#define CF_OUTLIER_FACTOR 1e6

/* qsort comparison of doubles, ascending. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Adds a note for each numeric hyperparameter column whose values among runs first..nruns-1 (the source just
 * accepted) include extreme outliers: |x| > CF_OUTLIER_FACTOR x the (lower) median of the nonzero |x|. The median
 * is robust: one 1e308 among learning rates near 1e-3 does not move it, so the typo is found, while a column that
 * honestly spans a few decades (1e-5 .. 1e-1) is never flagged. The runs are kept; the note names up to three
 * values with their lines, because such a value stretches the column's range (and its log scale) for fit and
 * suggest. */
static cf_status note_outliers(cf_runset *rs, size_t first)
{
    size_t n = rs->nruns - first;
    if (n < 2) return CF_OK;
    double *mag = malloc(n * sizeof *mag);
    if (mag == NULL) return CF_ERR_NOMEM;
    cf_status st = CF_OK;
    for (size_t j = 0; j < rs->nparams && st == CF_OK; j++) {
        const param_col *pc = &rs->params[j];
        if (pc->kind == CF_PARAM_CATEGORICAL) continue;
        size_t m = 0;
        for (size_t i = first; i < rs->nruns; i++)
            if (pc->str[i] != NULL && isfinite(pc->num[i]) && pc->num[i] != 0.0) mag[m++] = fabs(pc->num[i]);
        if (m < 2) continue;
        qsort(mag, m, sizeof *mag, cmp_double);
        double med = mag[(m - 1) / 2], limit = CF_OUTLIER_FACTOR * med;
        size_t count = 0;
        char examples[400] = "";
        size_t used = 0;
        for (size_t i = first; i < rs->nruns; i++) {
            if (pc->str[i] == NULL || !(fabs(pc->num[i]) > limit)) continue;
            if (count++ < 3 && used < sizeof examples) {
                int k = snprintf(examples + used, sizeof examples - used, "%s'%.40s' at line %ld", count > 1 ? ", " : "",
                                 pc->str[i], rs->runs[i]->line);
                if (k > 0) used += (size_t)k;
            }
        }
        if (count == 0) continue;
        char name[200];
        cf_text_escape(name, sizeof name, pc->name);
        char ex[400];
        cf_text_escape(ex, sizeof ex, examples);
        st = cf_runset_add_note(rs,
                                "%s: column '%s' has %zu extreme value%s (more than 10^6 times the median magnitude "
                                "%.3g of its values): %s%s; kept, but check for a typo: such a value stretches the "
                                "column's range for fit and suggest",
                                rs->cur_source, name, count, count == 1 ? "" : "s", med, ex, count > 3 ? ", ..." : "");
    }
    free(mag);
    return st;
}

/* The metric the mapping extracts from raw column name (mapped to target), or NULL. */
static const char *extract_for(const cf_colmap *m, const char *name, const char *target)
{
    for (size_t i = 0; i < m->n_extract; i++)
        if (!strcasecmp(m->extract_from[i], name) || !strcasecmp(m->extract_from[i], target))
            return m->extract_metric[i];
    return NULL;
}

/* Picks metrics out of free-text values before validation (issue 11): a column with an "extract" entry gets the
 * named metric's number; an accuracy that is not a number but reads "NAME: number ..." gets its first metric, said
 * in one note per source. A record whose text lacks the named metric becomes a reject naming the metric. */
static cf_status extract_metrics(cf_runset *rs)
{
    size_t firsts = 0;
    char first_name[64] = "", first_text[96] = "";
    for (size_t k = 0; k < rs->npend; k++) {
        pending *p = &rs->pend[k];
        if (p->is_reject) continue;
        for (size_t i = 0; i < p->n && !p->is_reject; i++) {
            if (p->values[i] == NULL) continue;
            /* Without "extract" entries the column's field comes from the shared layout: no lookup per value. */
            const char *metric = NULL;
            int field;
            if (rs->map->n_extract > 0 || p->lay == NULL) {
                const char *to = cf_colmap_lookup(rs->map, p->names[i]);
                metric = extract_for(rs->map, p->names[i], to);
                field = cf_runset_canon_field(to);
            } else {
                field = p->lay->field[i];
            }
            double x;
            if (metric == NULL) {
                if (field != F_ACCURACY || parse_num(p->values[i], &x) ||
                    parse_percent(p->values[i], &x))
                    continue;
                char nm[64];
                if (cf_metric_extract(p->values[i], NULL, &x, nm, sizeof nm) != CF_OK) continue;
                if (firsts++ == 0) {
                    snprintf(first_name, sizeof first_name, "%s", nm);
                    snprintf(first_text, sizeof first_text, "%.80s", p->values[i]);
                }
            } else if (!parse_num(p->values[i], &x) &&
                       cf_metric_extract(p->values[i], metric, &x, NULL, 0) != CF_OK) {
                int oom = 0;
                p->is_reject = 1;
                p->rcolumn = p->columns[i];
                p->rfield = arena_dup(&rs->pend_arena, p->names[i], &oom);
                char *msg = fmt_str("expected the metric %s (\"%s: number\") in the text of '%s', found '%.200s'",
                                    metric, metric, p->names[i], p->values[i]);
                if (msg != NULL) p->rmessage = arena_dup(&rs->pend_arena, msg, &oom);
                free(msg);
                if (oom || msg == NULL) return CF_ERR_NOMEM;
                continue;
            }
            /* The pending values live in the source's arena (never freed one by one): the number replaces the
             * text by pointing at a copy there. */
            char num[32];
            snprintf(num, sizeof num, "%.17g", x);
            int oom = 0;
            p->values[i] = arena_dup(&rs->pend_arena, num, &oom);
            if (oom) return CF_ERR_NOMEM;
        }
    }
    if (firsts == 0) return CF_OK;
    return cf_runset_add_note(rs,
                              "%s: accuracy read from free text in %zu record%s: the first metric taken (%s in "
                              "'%s'); name another with --metric NAME or a mapping file's \"extract\"",
                              rs->cur_source, firsts, firsts == 1 ? "" : "s", first_name, first_text);
}

cf_status cf_runset_end_source(cf_runset *rs, cf_error *err)
{
    if (rs == NULL || !rs->in_source)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no source is open (call cf_runset_begin_source)");
    const char *src = rs->cur_source;
    if (rs->npend == 0) {
        discard_source(rs);
        return cf_error_set(err, CF_ERR_INVALID, src, 0, 0, NULL, "expected at least one run, found none");
    }
    /* Records are resolved again in each pass rather than kept resolved (480 bytes a record): only the accuracy
     * values are kept for the unit detection. */
    const char **accv = calloc(rs->npend, sizeof *accv);
    if (accv == NULL) {
        discard_source(rs);
        return cf_error_set(err, CF_ERR_NOMEM, src, 0, 0, NULL, "out of memory");
    }
    if (extract_metrics(rs) != CF_OK) {
        free(accv);
        discard_source(rs);
        return cf_error_set(err, CF_ERR_NOMEM, src, 0, 0, NULL, "out of memory");
    }
    /* Resolve every record; the source is usable when some record has an accuracy or an hours column. */
    int usable = 0, any_record = 0;
    const pending *first = NULL;
    for (size_t k = 0; k < rs->npend; k++) {
        if (rs->pend[k].is_reject) continue;
        any_record = 1;
        if (first == NULL) first = &rs->pend[k];
        const pending *p = &rs->pend[k];
        size_t a = p->lay->ca, b = p->lay->cb;
        if (p->lay->collision) {
            const char *to = cf_colmap_lookup(rs->map, p->names[b]);
            int f = cf_runset_canon_field(to);
            const char *target = f >= 0 ? cf_runset_field_names[f] : to;
            int ma = cf_colmap_lookup(rs->map, p->names[a]) != p->names[a];
            int mb = to != p->names[b];
            cf_status cst = cf_error_set(
                err, CF_ERR_INVALID, src, p->line, p->columns[b], p->names[b],
                "expected one column for '%s', found two: '%s'%s (field %ld) and '%s'%s (field %ld); drop one, map "
                "one elsewhere or to ignore",
                target, p->names[a], ma ? " (mapped)" : "", p->columns[a], p->names[b], mb ? " (mapped)" : "",
                p->columns[b]);
            free(accv);
            discard_source(rs);
            return cst;
        }
        resolved rk;
        resolve_record(rs->map, p, &rk);
        accv[k] = rk.val[F_ACCURACY];
        if (rk.val[F_ACCURACY] || rk.val[F_GPU_HOURS] || rk.val[F_WALL_HOURS] || rk.val[F_TOKENS_PER_S] ||
            rk.val[F_SAMPLES_PER_S] || rk.val[F_QUERIES_PER_S] || rk.val[F_INPUT_TOKENS_PER_S] ||
            rk.val[F_OUTPUT_TOKENS_PER_S])
            usable = 1;
    }
    if (any_record && !usable) {
        char cols[300] = "";
        size_t used = 0;
        for (size_t i = 0; first && i < first->n && used + 4 < sizeof cols; i++) {
            int k = snprintf(cols + used, sizeof cols - used, "%s%s", i ? ", " : "", first->names[i]);
            if (k > 0) used += (size_t)k;
        }
        if (used >= sizeof cols) memcpy(cols + sizeof cols - 4, "...", 4);
        free(accv);
        discard_source(rs);
        return cf_error_set(err, CF_ERR_INVALID, src, 0, 0, NULL,
                            "expected an accuracy or gpu_hours column, found only: %s (map one, e.g. --map "
                            "val_acc=accuracy)",
                            cols);
    }
    acc_unit unit;
    cf_status st = detect_accuracy_unit(rs, accv, &unit, err);
    free(accv);
    accv = NULL;
    if (st != CF_OK) {
        discard_source(rs);
        return st;
    }
    colstates cols = {NULL, 0, 0};
    if (!collect_colstates(rs, &cols)) {
        free(cols.slots);
        discard_source(rs);
        return cf_error_set(err, CF_ERR_NOMEM, src, 0, 0, NULL, "out of memory");
    }
    size_t first_run = rs->nruns;
    size_t missing_ids = 0;
    long first_missing = 0;
    const char *base = cf_text_basename(src);
    for (size_t k = 0; k < rs->npend && st == CF_OK; k++) {
        pending *p = &rs->pend[k];
        rs->nread++;
        if (p->is_reject) {
            int oom = 0;
            char *m = cf_dup_str(p->rmessage, &oom);
            st = push_reject(rs, p->line, p->rcolumn, p->rfield, m, p->raw);
            continue;
        }
        resolved rk;
        resolve_record(rs->map, p, &rk);
        const resolved *r = &rk;
        checked c;
        failure fail = {0, NULL};
        if (!check_record(rs, r, &unit, &c, &fail)) {
            const char *fname = r->name[fail.field] ? r->name[fail.field] : cf_runset_field_names[fail.field];
            st = push_reject(rs, p->line, r->col[fail.field], fname, fail.message, p->raw);
            continue;
        }
        size_t bad = nonfinite_param(rs, &cols, p);
        if (bad != (size_t)-1) {
            const char *to = param_target(rs->map, p->names[bad]);
            char *m = fmt_str("expected a finite number (column '%s' holds numbers), found '%s'", to,
                              p->values[bad]);
            st = push_reject(rs, p->line, p->columns[bad], p->names[bad], m, p->raw);
            continue;
        }
        char *id;
        if (r->val[F_RUN_ID] != NULL) {
            id = plain_copy(r->val[F_RUN_ID]);
        } else {
            id = fmt_str("%s:%ld", base, p->line);
            if (missing_ids++ == 0) first_missing = p->line;
        }
        if (id == NULL) {
            st = CF_ERR_NOMEM;
            break;
        }
        size_t dup = idx_find(rs, id);
        if (dup != (size_t)-1) {
            const cf_run *o = rs->runs[dup];
            char *m = fmt_str("duplicate run_id '%s' (first seen at %s:%ld)", id, o->source, o->line);
            free(id);
            st =
                push_reject(rs, p->line, r->col[F_RUN_ID], r->name[F_RUN_ID] ? r->name[F_RUN_ID] : "run_id", m, p->raw);
            continue;
        }
        st = accept_record(rs, p, r, &c, id);
    }
    free(cols.slots);
    if (st == CF_OK && missing_ids > 0)
        st = cf_runset_add_note(rs,
                                "%s: %zu records have no run_id; ids were made from the file name and line "
                                "(e.g. %s:%ld)",
                                src, missing_ids, base, first_missing);
    for (size_t k = 0; k < rs->npend; k++) pending_free(&rs->pend[k]);
    rs->npend = 0;
    rs->in_source = 0;
    cf_arena_free(&rs->pend_arena);
    type_params(rs);
    if (st == CF_OK) st = note_outliers(rs, first_run);
    if (st != CF_OK) return cf_error_set(err, st, src, 0, 0, NULL, "out of memory");
    return CF_OK;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Accessors                                                                                                      */

size_t cf_runset_size(const cf_runset *rs) { return rs ? rs->nruns : 0; }

const cf_run *cf_runset_get(const cf_runset *rs, size_t i) { return (rs && i < rs->nruns) ? rs->runs[i] : NULL; }

size_t cf_runset_find(const cf_runset *rs, const char *run_id)
{
    if (rs == NULL || run_id == NULL) return (size_t)-1;
    return idx_find(rs, run_id);
}

size_t cf_runset_read(const cf_runset *rs) { return rs ? rs->nread : 0; }

size_t cf_runset_rejected(const cf_runset *rs) { return rs ? rs->nrejects : 0; }

const cf_reject *cf_runset_reject(const cf_runset *rs, size_t i)
{
    return (rs && i < rs->nrejects) ? rs->rejects[i] : NULL;
}

size_t cf_runset_note_count(const cf_runset *rs) { return rs ? rs->nnotes : 0; }

const char *cf_runset_note(const cf_runset *rs, size_t i) { return (rs && i < rs->nnotes) ? rs->notes[i] : NULL; }

size_t cf_runset_param_count(const cf_runset *rs) { return rs ? rs->nparams : 0; }

const char *cf_runset_param_name(const cf_runset *rs, size_t j)
{
    return (rs && j < rs->nparams) ? rs->params[j].name : NULL;
}

cf_param_kind cf_runset_param_kind(const cf_runset *rs, size_t j)
{
    return (rs && j < rs->nparams) ? rs->params[j].kind : CF_PARAM_CATEGORICAL;
}

double cf_runset_param_num(const cf_runset *rs, size_t i, size_t j)
{
    if (rs == NULL || i >= rs->nruns || j >= rs->nparams) return NAN;
    if (rs->params[j].kind == CF_PARAM_CATEGORICAL) return NAN;
    return rs->params[j].num[i];
}

const char *cf_runset_param_str(const cf_runset *rs, size_t i, size_t j)
{
    if (rs == NULL || i >= rs->nruns || j >= rs->nparams) return NULL;
    return rs->params[j].str[i];
}

size_t cf_runset_param_find(const cf_runset *rs, const char *name)
{
    if (rs == NULL || name == NULL) return (size_t)-1;
    return param_lookup(rs, name);
}

cf_status cf_runset_numeric(const cf_runset *rs, size_t i, const char *name, double *out)
{
    if (rs == NULL || name == NULL || out == NULL || i >= rs->nruns) return CF_ERR_ARG;
    const cf_run *r = rs->runs[i];
    switch (cf_runset_canon_field(name)) {
    case F_ACCURACY: *out = r->accuracy; return CF_OK;
    case F_GPU_HOURS: *out = r->gpu_hours; return CF_OK;
    case F_WALL_HOURS: *out = r->wall_hours; return CF_OK;
    case F_NUM_GPUS: *out = r->num_gpus; return CF_OK;
    case F_PRUNING: *out = r->pruning; return CF_OK;
    case F_DATA_GB: *out = r->data_gb; return CF_OK;
    case F_CHECKPOINT_GB: *out = r->checkpoint_gb; return CF_OK;
    case F_STORAGE_DAYS: *out = r->storage_days; return CF_OK;
    case F_MODEL_GB: *out = r->model_gb; return CF_OK;
    case F_NUM_NODES: *out = r->num_nodes; return CF_OK;
    case F_TOKENS_PER_S: *out = r->tokens_per_s; return CF_OK;
    case F_SAMPLES_PER_S: *out = r->samples_per_s; return CF_OK;
    case F_QUERIES_PER_S: *out = r->queries_per_s; return CF_OK;
    case F_INPUT_TOKENS_PER_S: *out = r->input_tokens_per_s; return CF_OK;
    case F_OUTPUT_TOKENS_PER_S: *out = r->output_tokens_per_s; return CF_OK;
    case F_IO_RATIO: *out = r->input_output_ratio; return CF_OK;
    case F_TTFT_MS: *out = r->ttft_ms; return CF_OK;
    case F_TPOT_MS: *out = r->tpot_ms; return CF_OK;
    case F_P50_MS: *out = r->latency_p50_ms; return CF_OK;
    case F_P99_MS: *out = r->latency_p99_ms; return CF_OK;
    case F_POWER_W: *out = r->power_w; return CF_OK;
    default: break;
    }
    size_t j = cf_runset_param_find(rs, name);
    if (j == (size_t)-1 || rs->params[j].kind == CF_PARAM_CATEGORICAL) return CF_ERR_NOT_FOUND;
    *out = rs->params[j].num[i];
    return CF_OK;
}
