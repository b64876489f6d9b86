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
}

void cf_pairbuf_free(cf_pairbuf *b)
{
    cf_pairbuf_clear(b);
    free(b->names);
    free(b->values);
    memset(b, 0, sizeof *b);
}

size_t cf_pairbuf_find(const cf_pairbuf *b, const char *name)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->names[i], name) == 0) return i;
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
    char *n = cf_src_strdup(name), *v = cf_src_strdup(value);
    if (n == NULL || v == NULL) {
        free(n);
        free(v);
        return CF_ERR_NOMEM;
    }
    b->names[b->n] = n;
    b->values[b->n] = v;
    b->n++;
    return CF_OK;
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
