/* costfront: small helpers shared by the source readers (see data/src_util.h). */
#include "data/src_util.h"

#include <dirent.h>
#include <sqlite3.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *cf_src_strdup(const char *s)
{
    if (s == NULL) s = "";
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d != NULL) memcpy(d, s, n + 1);
    return d;
}

void cf_pairbuf_clear(cf_pairbuf *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->names[i]);
        free(b->values[i]);
    }
    b->n = 0;
    /* A big table is dropped rather than wiped, so that clearing after one wide record stays cheap per record. */
    if (b->slots_cap > 1024) {
        free(b->slots);
        b->slots = NULL;
        b->slots_cap = 0;
    } else if (b->slots != NULL) {
        memset(b->slots, 0, b->slots_cap * sizeof *b->slots);
    }
}

void cf_pairbuf_free(cf_pairbuf *b)
{
    cf_pairbuf_clear(b);
    free(b->names);
    free(b->values);
    free(b->slots);
    memset(b, 0, sizeof *b);
}

/* FNV-1a hash of a pair name. */
static size_t pair_hash(const char *s)
{
    size_t h = (size_t)1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
    return h;
}

/* Rebuilds the name hash with room for at least need names (capacity at least twice that). Returns 0 on
 * allocation failure, leaving the old table. */
static int pair_rehash(cf_pairbuf *b, size_t need)
{
    size_t cap = 32;
    while (cap < 2 * need) cap *= 2;
    size_t *t = calloc(cap, sizeof *t);
    if (t == NULL) return 0;
    for (size_t i = 0; i < b->n; i++) {
        size_t h = pair_hash(b->names[i]) & (cap - 1);
        while (t[h] != 0) h = (h + 1) & (cap - 1);
        t[h] = i + 1;
    }
    free(b->slots);
    b->slots = t;
    b->slots_cap = cap;
    return 1;
}

size_t cf_pairbuf_find(const cf_pairbuf *b, const char *name)
{
    if (b->slots_cap == 0) return (size_t)-1; /* only an empty buffer has no table */
    size_t mask = b->slots_cap - 1;
    for (size_t h = pair_hash(name) & mask; b->slots[h] != 0; h = (h + 1) & mask)
        if (strcmp(b->names[b->slots[h] - 1], name) == 0) return b->slots[h] - 1;
    return (size_t)-1;
}

cf_status cf_pairbuf_add(cf_pairbuf *b, const char *name, const char *value)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        char **nn = realloc(b->names, cap * sizeof *nn);
        if (nn == NULL) return CF_ERR_NOMEM;
        b->names = nn;
        char **vv = realloc(b->values, cap * sizeof *vv);
        if (vv == NULL) return CF_ERR_NOMEM;
        b->values = vv;
        b->cap = cap;
    }
    if (2 * (b->n + 1) > b->slots_cap && !pair_rehash(b, b->n + 1)) return CF_ERR_NOMEM;
    char *n = cf_src_strdup(name), *v = cf_src_strdup(value);
    if (n == NULL || v == NULL) {
        free(n);
        free(v);
        return CF_ERR_NOMEM;
    }
    b->names[b->n] = n;
    b->values[b->n] = v;
    /* a repeated name goes after the first along its probe chain, so find keeps returning the first */
    size_t mask = b->slots_cap - 1, h = pair_hash(n) & mask;
    while (b->slots[h] != 0) h = (h + 1) & mask;
    b->slots[h] = b->n + 1;
    b->n++;
    return CF_OK;
}

void cf_pairbuf_move_last(cf_pairbuf *b, size_t at)
{
    if (b->n == 0 || at >= b->n - 1) return;
    char *nm = b->names[b->n - 1], *vl = b->values[b->n - 1];
    memmove(b->names + at + 1, b->names + at, (b->n - 1 - at) * sizeof(char *));
    memmove(b->values + at + 1, b->values + at, (b->n - 1 - at) * sizeof(char *));
    b->names[at] = nm;
    b->values[at] = vl;
    /* indices moved: rebuild the table in place (same capacity, so this cannot fail for lack of room) */
    memset(b->slots, 0, b->slots_cap * sizeof *b->slots);
    size_t mask = b->slots_cap - 1;
    for (size_t i = 0; i < b->n; i++) {
        size_t h = pair_hash(b->names[i]) & mask;
        while (b->slots[h] != 0) h = (h + 1) & mask;
        b->slots[h] = i + 1;
    }
}

cf_status cf_pairbuf_add_unique(cf_pairbuf *b, const char *prefix, const char *name, const char *value)
{
    if (cf_pairbuf_find(b, name) == (size_t)-1) return cf_pairbuf_add(b, name, value);
    size_t len = strlen(prefix) + strlen(name) + 24;
    char *alt = malloc(len);
    if (alt == NULL) return CF_ERR_NOMEM;
    snprintf(alt, len, "%s%s", prefix, name);
    for (int k = 2; cf_pairbuf_find(b, alt) != (size_t)-1; k++) snprintf(alt, len, "%s%s_%d", prefix, name, k);
    cf_status st = cf_pairbuf_add(b, alt, value);
    free(alt);
    return st;
}

cf_status cf_pairbuf_emit(const cf_pairbuf *b, cf_records *out, const char *key, long line, const char *raw)
{
    return cf_records_add(out, key, line, b->n, (const char *const *)b->names, (const char *const *)b->values, raw);
}

char *cf_src_fmt_double(double x, char *buf)
{
    if (isnan(x)) return strcpy(buf, "nan");
    if (isinf(x)) return strcpy(buf, x > 0 ? "inf" : "-inf");
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, x);
        if (strtod(buf, NULL) == x) break;
    }
    return buf;
}

char *cf_src_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        if (n + 1 >= cap) {
            char *g = realloc(buf, cap * 2);
            if (g == NULL) {
                free(buf);
                buf = NULL;
                errno = ENOMEM;
                break;
            }
            buf = g;
            cap *= 2;
        }
        size_t k = fread(buf + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0) {
            if (ferror(f)) {
                free(buf);
                buf = NULL;
                errno = EIO;
            }
            break;
        }
    }
    fclose(f);
    if (buf == NULL) return NULL;
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

char *cf_src_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *p = malloc(la + lb + 2);
    if (p == NULL) return NULL;
    memcpy(p, a, la);
    size_t k = la;
    if (la > 0 && a[la - 1] != '/') p[k++] = '/';
    memcpy(p + k, b, lb + 1);
    return p;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

char **cf_src_list_dir(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (d == NULL) return NULL;
    char **list = NULL;
    size_t cnt = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (cnt == cap) {
            cap = cap ? 2 * cap : 16;
            char **g = realloc(list, cap * sizeof *g);
            if (g == NULL) {
                cf_src_free_list(list, cnt);
                closedir(d);
                errno = ENOMEM;
                return NULL;
            }
            list = g;
        }
        list[cnt] = cf_src_strdup(e->d_name);
        if (list[cnt] == NULL) {
            cf_src_free_list(list, cnt);
            closedir(d);
            errno = ENOMEM;
            return NULL;
        }
        cnt++;
    }
    closedir(d);
    if (cnt > 1) qsort(list, cnt, sizeof *list, cmp_str);
    *n = cnt;
    return list;
}

void cf_src_free_list(char **list, size_t n)
{
    if (list == NULL) return;
    for (size_t i = 0; i < n; i++) free(list[i]);
    free(list);
}

int cf_src_is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int cf_src_is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

cf_status cf_src_sqlite_open(const char *path, const char *what, sqlite3 **db, cf_error *err)
{
    *db = NULL;
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        cf_status s = cf_error_set(err, CF_ERR_DB, path, 0, 0, NULL, "cannot open the %s: %s", what,
                                   *db ? sqlite3_errmsg(*db) : "out of memory");
        sqlite3_close(*db);
        *db = NULL;
        return s;
    }
    if (sqlite3_exec(*db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK) {
        cf_status s =
            cf_error_set(err, CF_ERR_DB, path, 0, 0, NULL, "not a readable SQLite database: %s", sqlite3_errmsg(*db));
        sqlite3_close(*db);
        *db = NULL;
        return s;
    }
    return CF_OK;
}

int cf_src_sqlite_has_table(sqlite3 *db, const char *name)
{
    sqlite3_stmt *q = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?1", -1, &q, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        found = sqlite3_step(q) == SQLITE_ROW;
    }
    sqlite3_finalize(q);
    return found;
}

int cf_src_sqlite_has_column(sqlite3 *db, const char *table, const char *col)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT 1 FROM pragma_table_info('%s') WHERE name=?1", table);
    sqlite3_stmt *q = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, col, -1, SQLITE_STATIC);
        found = sqlite3_step(q) == SQLITE_ROW;
    }
    sqlite3_finalize(q);
    return found;
}
