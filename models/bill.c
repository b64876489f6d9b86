/* costfront: showback from a FOCUS bill (see include/costfront/bill.h).
 *
 * Every row is reduced to a key, "month \x1f kind \x1f value1 \x1f value2 ...", looked up in an open-addressing
 * hash table (FNV-1a, linear probing, doubled at half load) of lines, so a row costs one hash and one comparison
 * on average and memory grows only with the number of distinct (month, group) pairs. cf_bill_finish sorts the
 * lines and computes shares and, when asked, spreads each month's shared cost over its groups in proportion to
 * their own cost.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/bill.h"

typedef struct line {
    char *key;     /* the hash key */
    char month[8]; /* "YYYY-MM" */
    cf_bill_kind kind;
    char **values; /* nkeys values, "" when absent */
    double billed, effective, billed_spread, effective_spread, share;
    size_t rows;
} line;

struct cf_bill {
    char **keys;
    size_t nkeys;
    char *shared_key, *shared_value;
    int spread;
    char currency[16];
    line *lines;
    size_t n, cap;
    size_t *slots; /* index + 1 into lines, 0 empty */
    size_t nslots;
    int finished;
    char *scratch; /* the key being built */
    size_t scap;
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

cf_bill *cf_bill_create(const char *group_by)
{
    cf_bill *b = calloc(1, sizeof *b);
    if (b == NULL) return NULL;
    if (cf_bill_set_shared_tag(b, "shared=true") != CF_OK) goto oom;
    if (group_by && *group_by) {
        size_t n = 1;
        for (const char *p = group_by; *p; p++) n += *p == ',';
        b->keys = calloc(n, sizeof *b->keys);
        if (b->keys == NULL) goto oom;
        const char *p = group_by;
        while (*p) {
            const char *e = strchr(p, ',');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            if (len > 0) {
                char *k = malloc(len + 1);
                if (k == NULL) goto oom;
                memcpy(k, p, len);
                k[len] = '\0';
                b->keys[b->nkeys++] = k;
            }
            p += len + (e != NULL);
        }
    }
    return b;
oom:
    cf_bill_destroy(b);
    return NULL;
}

void cf_bill_destroy(cf_bill *b)
{
    if (b == NULL) return;
    for (size_t i = 0; i < b->nkeys; i++) free(b->keys[i]);
    free(b->keys);
    for (size_t i = 0; i < b->n; i++) {
        free(b->lines[i].key);
        for (size_t k = 0; k < b->nkeys; k++) free(b->lines[i].values[k]);
        free(b->lines[i].values);
    }
    free(b->lines);
    free(b->slots);
    free(b->shared_key);
    free(b->shared_value);
    free(b->scratch);
    free(b);
}

cf_status cf_bill_set_shared_tag(cf_bill *b, const char *spec)
{
    if (b == NULL) return CF_ERR_ARG;
    free(b->shared_key);
    free(b->shared_value);
    b->shared_key = b->shared_value = NULL;
    if (spec == NULL || *spec == '\0') return CF_OK;
    const char *eq = strchr(spec, '=');
    if (eq == NULL || eq == spec) return CF_ERR_ARG;
    b->shared_key = malloc((size_t)(eq - spec) + 1);
    b->shared_value = dup_str(eq + 1);
    if (b->shared_key == NULL || b->shared_value == NULL) return CF_ERR_NOMEM;
    memcpy(b->shared_key, spec, (size_t)(eq - spec));
    b->shared_key[eq - spec] = '\0';
    return CF_OK;
}

void cf_bill_set_spread_shared(cf_bill *b, int spread)
{
    if (b) b->spread = spread != 0;
}

size_t cf_bill_key_count(const cf_bill *b) { return b ? b->nkeys : 0; }
const char *cf_bill_key(const cf_bill *b, size_t k) { return b && k < b->nkeys ? b->keys[k] : NULL; }
const char *cf_bill_currency(const cf_bill *b) { return b ? b->currency : ""; }
size_t cf_bill_line_count(const cf_bill *b) { return b ? b->n : 0; }

/* The year and month of a time in seconds since 1970 (Howard Hinnant's civil_from_days). */
static void month_of(double t, char out[8])
{
    long z = (long)floor(t / 86400.0) + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) y++;
    if (y < 0 || y > 9999) y = 0;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '\0';
}

/* The string value of a tag (numbers and booleans as JSON prints them), or NULL when absent or null. */
static const char *tag_value(const cf_focus_row *row, const char *key, char *buf, size_t n)
{
    if (row->tags == NULL) return NULL;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(row->tags, key);
    if (t == NULL || cJSON_IsNull(t)) return NULL;
    if (cJSON_IsString(t)) return t->valuestring;
    if (cJSON_IsBool(t)) return cJSON_IsTrue(t) ? "true" : "false";
    if (cJSON_IsNumber(t)) {
        snprintf(buf, n, "%.15g", t->valuedouble);
        return buf;
    }
    return NULL;
}

/* Appends s (with a trailing separator) to the scratch key; -1 when memory runs out. */
static int scat(cf_bill *b, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 2 > b->scap) {
        size_t cap = b->scap ? b->scap : 256;
        while (*len + n + 2 > cap) cap *= 2;
        char *nb = realloc(b->scratch, cap);
        if (nb == NULL) return -1;
        b->scratch = nb;
        b->scap = cap;
    }
    memcpy(b->scratch + *len, s, n);
    *len += n;
    b->scratch[(*len)++] = '\x1f';
    b->scratch[*len] = '\0';
    return 0;
}

static size_t fnv1a(const char *s)
{
    unsigned long long h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

/* Doubles the hash table. */
static int rehash(cf_bill *b)
{
    size_t ns = b->nslots ? 2 * b->nslots : 64;
    size_t *sl = calloc(ns, sizeof *sl);
    if (sl == NULL) return -1;
    for (size_t i = 0; i < b->n; i++) {
        size_t h = fnv1a(b->lines[i].key) & (ns - 1);
        while (sl[h]) h = (h + 1) & (ns - 1);
        sl[h] = i + 1;
    }
    free(b->slots);
    b->slots = sl;
    b->nslots = ns;
    return 0;
}

cf_status cf_bill_add_row(cf_bill *b, const cf_focus_row *row)
{
    if (b == NULL || row == NULL) return CF_ERR_ARG;
    if (b->currency[0] == '\0' && row->billing_currency)
        snprintf(b->currency, sizeof b->currency, "%s", row->billing_currency);
    char month[8], nb[64];
    month_of(row->charge_start, month);
    cf_bill_kind kind = CF_BILL_UNTAGGED;
    const char *vals[64];
    size_t nk = b->nkeys < 64 ? b->nkeys : 64;
    const char *sv = b->shared_key ? tag_value(row, b->shared_key, nb, sizeof nb) : NULL;
    if ((row->charge_category && strcmp(row->charge_category, "Tax") == 0) ||
        (sv && strcmp(sv, b->shared_value) == 0)) {
        kind = CF_BILL_SHARED;
        for (size_t k = 0; k < nk; k++) vals[k] = "";
    } else {
        char vb[64][64];
        int any = 0;
        for (size_t k = 0; k < nk; k++) {
            const char *v = tag_value(row, b->keys[k], vb[k], sizeof vb[k]);
            vals[k] = v ? v : "";
            any |= v != NULL;
        }
        if (nk == 0) any = row->tags && row->tags->child;
        if (any) kind = CF_BILL_GROUP;
        else
            for (size_t k = 0; k < nk; k++) vals[k] = "";
        /* the values in vb are copied below before they go out of scope */
        size_t len = 0;
        char kc[2] = {(char)('0' + kind), 0};
        if (scat(b, &len, month) || scat(b, &len, kc)) return CF_ERR_NOMEM;
        for (size_t k = 0; k < nk; k++)
            if (scat(b, &len, vals[k])) return CF_ERR_NOMEM;
        goto lookup;
    }
    {
        size_t len = 0;
        char kc[2] = {(char)('0' + kind), 0};
        if (scat(b, &len, month) || scat(b, &len, kc)) return CF_ERR_NOMEM;
        for (size_t k = 0; k < nk; k++)
            if (scat(b, &len, "")) return CF_ERR_NOMEM;
    }
lookup:;
    if (2 * (b->n + 1) > b->nslots && rehash(b)) return CF_ERR_NOMEM;
    size_t h = fnv1a(b->scratch) & (b->nslots - 1);
    while (b->slots[h] && strcmp(b->lines[b->slots[h] - 1].key, b->scratch) != 0) h = (h + 1) & (b->nslots - 1);
    line *l;
    if (b->slots[h]) {
        l = &b->lines[b->slots[h] - 1];
    } else {
        if (b->n == b->cap) {
            size_t cap = b->cap ? 2 * b->cap : 16;
            line *nl = realloc(b->lines, cap * sizeof *nl);
            if (nl == NULL) return CF_ERR_NOMEM;
            b->lines = nl;
            b->cap = cap;
        }
        l = &b->lines[b->n];
        memset(l, 0, sizeof *l);
        l->key = dup_str(b->scratch);
        l->values = calloc(b->nkeys ? b->nkeys : 1, sizeof *l->values);
        if (l->key == NULL || l->values == NULL) {
            free(l->key);
            free(l->values);
            return CF_ERR_NOMEM;
        }
        /* the values are the key's fields after month and kind */
        const char *p = strchr(strchr(l->key, '\x1f') + 1, '\x1f') + 1;
        for (size_t k = 0; k < b->nkeys; k++) {
            const char *e = k < nk ? strchr(p, '\x1f') : p;
            size_t vl = (size_t)(e - p);
            l->values[k] = malloc(vl + 1);
            if (l->values[k] == NULL) {
                for (size_t j = 0; j < k; j++) free(l->values[j]);
                free(l->values);
                free(l->key);
                return CF_ERR_NOMEM;
            }
            memcpy(l->values[k], p, vl);
            l->values[k][vl] = '\0';
            if (k < nk) p = e + 1;
        }
        memcpy(l->month, month, sizeof l->month);
        l->kind = kind;
        b->n++;
        b->slots[h] = b->n;
    }
    l->billed += row->billed_cost;
    l->effective += row->effective_cost;
    l->rows++;
    b->finished = 0;
    return CF_OK;
}

cf_status cf_bill_row_fn(const cf_focus_row *row, void *ctx) { return cf_bill_add_row(ctx, row); }

static size_t g_nkeys; /* for the qsort comparison (cf_bill_finish is not reentrant across threads) */

static int cmp_line(const void *pa, const void *pb)
{
    const line *a = pa, *b = pb;
    int c = strcmp(a->month, b->month);
    if (c) return c;
    if (a->kind != b->kind) return (int)a->kind - (int)b->kind;
    for (size_t k = 0; k < g_nkeys; k++) {
        c = strcmp(a->values[k], b->values[k]);
        if (c) return c;
    }
    return 0;
}

cf_status cf_bill_finish(cf_bill *b)
{
    if (b == NULL) return CF_ERR_ARG;
    g_nkeys = b->nkeys;
    if (b->n > 1) qsort(b->lines, b->n, sizeof *b->lines, cmp_line);
    /* the table now points at moved lines: rebuild it so later rows still find theirs */
    free(b->slots);
    b->slots = NULL;
    b->nslots = 0;
    if (b->n && rehash(b)) return CF_ERR_NOMEM;
    for (size_t i = 0; i < b->n;) {
        size_t j = i;
        double tot = 0, gb = 0, ge = 0, sb = 0, se = 0;
        while (j < b->n && strcmp(b->lines[j].month, b->lines[i].month) == 0) {
            line *l = &b->lines[j];
            l->billed_spread = l->effective_spread = 0;
            tot += l->billed;
            if (l->kind == CF_BILL_GROUP) {
                gb += l->billed;
                ge += l->effective;
            } else if (l->kind == CF_BILL_SHARED) {
                sb += l->billed;
                se += l->effective;
            }
            j++;
        }
        int spread = b->spread && gb != 0;
        for (size_t k = i; k < j; k++) {
            line *l = &b->lines[k];
            if (spread && l->kind == CF_BILL_GROUP) {
                l->billed_spread = sb * l->billed / gb;
                l->effective_spread = ge != 0 ? se * l->effective / ge : 0;
            }
            double own = spread && l->kind == CF_BILL_SHARED ? 0 : l->billed;
            l->share = tot != 0 ? (own + l->billed_spread) / tot : 0;
        }
        i = j;
    }
    b->finished = 1;
    return CF_OK;
}

cf_status cf_bill_line_get(const cf_bill *b, size_t i, cf_bill_line *out)
{
    if (b == NULL || out == NULL || i >= b->n) return CF_ERR_ARG;
    const line *l = &b->lines[i];
    out->month = l->month;
    out->kind = l->kind;
    out->values = (const char *const *)l->values;
    out->billed = l->billed;
    out->effective = l->effective;
    out->billed_spread = l->billed_spread;
    out->effective_spread = l->effective_spread;
    out->share = l->share;
    out->rows = l->rows;
    return CF_OK;
}

/* The label of a line: values joined with '/', "(untagged)" or "(shared)"; missing values print as "-". */
static void label(const cf_bill *b, const line *l, char *buf, size_t n)
{
    if (l->kind != CF_BILL_GROUP || b->nkeys == 0) {
        snprintf(buf, n, "%s", l->kind == CF_BILL_SHARED ? (b->spread ? "(shared, spread above)" : "(shared)") : l->kind == CF_BILL_UNTAGGED ? "(untagged)" : "(tagged)");
        return;
    }
    size_t len = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < b->nkeys && len + 1 < n; k++) {
        int w = snprintf(buf + len, n - len, "%s%s", k ? "/" : "", l->values[k][0] ? l->values[k] : "-");
        if (w < 0) break;
        len += (size_t)w;
    }
}

/* Writes s as a CSV field (RFC 4180 quoting when needed). */
static void csv_field(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static const char *kind_name(cf_bill_kind k)
{
    return k == CF_BILL_GROUP ? "group" : k == CF_BILL_UNTAGGED ? "untagged" : "shared";
}

cf_status cf_bill_write(const cf_bill *b, cf_bill_format format, FILE *out, cf_error *err)
{
    if (b == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no bill or stream");
    char lab[512];
    if (format == CF_BILL_CSV) {
        fputs("month,kind", out);
        for (size_t k = 0; k < b->nkeys; k++) {
            fputc(',', out);
            csv_field(out, b->keys[k]);
        }
        fputs(",billed_cost,effective_cost,billed_spread,effective_spread,share,rows,currency\n", out);
        for (size_t i = 0; i < b->n; i++) {
            const line *l = &b->lines[i];
            fprintf(out, "%s,%s", l->month, kind_name(l->kind));
            for (size_t k = 0; k < b->nkeys; k++) {
                fputc(',', out);
                csv_field(out, l->values[k]);
            }
            fprintf(out, ",%.10g,%.10g,%.10g,%.10g,%.6f,%zu,", l->billed, l->effective, l->billed_spread,
                    l->effective_spread, l->share, l->rows);
            csv_field(out, b->currency);
            fputc('\n', out);
        }
    } else if (format == CF_BILL_JSON) {
        cJSON *root = cJSON_CreateObject(), *keys = cJSON_AddArrayToObject(root, "group_by");
        cJSON_AddStringToObject(root, "currency", b->currency);
        cJSON_AddBoolToObject(root, "spread_shared", b->spread);
        for (size_t k = 0; k < b->nkeys; k++) cJSON_AddItemToArray(keys, cJSON_CreateString(b->keys[k]));
        cJSON *months = cJSON_AddArrayToObject(root, "months");
        cJSON *m = NULL, *groups = NULL;
        double mb = 0, me = 0;
        for (size_t i = 0; i <= b->n; i++) {
            const line *l = i < b->n ? &b->lines[i] : NULL;
            if (m && (l == NULL || strcmp(l->month, b->lines[i - 1].month) != 0)) {
                cJSON_AddNumberToObject(m, "billed_cost", mb);
                cJSON_AddNumberToObject(m, "effective_cost", me);
                m = NULL;
            }
            if (l == NULL) break;
            if (m == NULL) {
                m = cJSON_CreateObject();
                cJSON_AddItemToArray(months, m);
                cJSON_AddStringToObject(m, "month", l->month);
                groups = cJSON_AddArrayToObject(m, "lines");
                mb = me = 0;
            }
            mb += l->billed;
            me += l->effective;
            cJSON *g = cJSON_CreateObject();
            cJSON_AddItemToArray(groups, g);
            cJSON_AddStringToObject(g, "kind", kind_name(l->kind));
            cJSON *tv = cJSON_AddObjectToObject(g, "tags");
            if (l->kind == CF_BILL_GROUP)
                for (size_t k = 0; k < b->nkeys; k++)
                    if (l->values[k][0]) cJSON_AddStringToObject(tv, b->keys[k], l->values[k]);
            cJSON_AddNumberToObject(g, "billed_cost", l->billed);
            cJSON_AddNumberToObject(g, "effective_cost", l->effective);
            if (b->spread) {
                cJSON_AddNumberToObject(g, "billed_spread", l->billed_spread);
                cJSON_AddNumberToObject(g, "effective_spread", l->effective_spread);
            }
            cJSON_AddNumberToObject(g, "share", l->share);
            cJSON_AddNumberToObject(g, "rows", (double)l->rows);
        }
        char *txt = cJSON_Print(root);
        cJSON_Delete(root);
        if (txt == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
        fputs(txt, out);
        fputc('\n', out);
        cJSON_free(txt);
    } else {
        fprintf(out, "%-8s %-32s %14s %14s %8s %7s\n", "month", "group", "billed", "effective", "share", "rows");
        for (size_t i = 0; i < b->n; i++) {
            const line *l = &b->lines[i];
            label(b, l, lab, sizeof lab);
            char sh[32];
            snprintf(sh, sizeof sh, "%.1f%%", 100 * l->share);
            fprintf(out, "%-8s %-32s %14.2f %14.2f %8s %7zu\n", l->month, lab, l->billed + l->billed_spread,
                    l->effective + l->effective_spread, sh, l->rows);
        }
        fprintf(out, "(%s; shared cost %s)\n", b->currency[0] ? b->currency : "no currency",
                b->spread ? "spread over the groups by their own cost" : "shown apart");
    }
    return ferror(out) ? cf_error_set(err, CF_ERR_IO, NULL, 0, 0, NULL, "write failed") : CF_OK;
}
