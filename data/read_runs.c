/* costfront: choosing a run reader for a file, and the text checks every reader shares (file loading, UTF-8
 * validation, byte order marks, offsets to line and column).
 *
 * cf_read_runs asks cf_detect_source (data/read_source.c) what the path is: plain CSV and JSON go to this module's
 * readers (read_csv.c, read_json.c); MLflow stores, Optuna and MLflow databases, W&B exports and XML go through
 * their readers into a cf_records buffer, then into the runset, so every source meets the same validation. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "costfront/records.h"
#include "costfront/runset.h"
#include "costfront/sources.h"
#include "data/runset_internal.h"

cf_status cf_text_load(const char *path, char **buf, size_t *len, cf_error *err)
{
    if (path == NULL || buf == NULL || len == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no file");
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot open file: %s", strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    if (b == NULL) {
        fclose(f);
        return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
    }
    for (;;) {
        if (n + 1 >= cap) {
            char *nb = realloc(b, cap * 2);
            if (nb == NULL) {
                free(b);
                fclose(f);
                return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
            }
            b = nb;
            cap *= 2;
        }
        size_t k = fread(b + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b);
        return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot read file");
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return CF_OK;
}

cf_status cf_text_load_utf8(const char *path, char **buf, size_t *len, size_t *skip, cf_error *err)
{
    if (skip == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no BOM length output");
    *skip = 0;
    cf_status st = cf_text_load(path, buf, len, err);
    if (st != CF_OK) return st;
    st = cf_text_check_utf8(path, *buf, *len, skip, err);
    if (st != CF_OK) {
        free(*buf);
        *buf = NULL;
        *len = 0;
    }
    return st;
}

void cf_text_linecol(const char *text, size_t offset, long *line, long *column)
{
    long l = 1;
    size_t start = 0;
    for (size_t i = 0; i < offset; i++) {
        if (text[i] == '\n' || (text[i] == '\r' && text[i + 1] != '\n')) {
            l++;
            start = i + 1;
        }
    }
    if (line) *line = l;
    if (column) *column = (long)(offset - start) + 1;
}

const char *cf_text_basename(const char *path)
{
    if (path == NULL) return "";
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when it is invalid (overlong forms, surrogates
 * and code points above U+10FFFF are invalid). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else
        return 0;
    if (n < len) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
    return len;
}

size_t cf_text_utf8_valid_prefix(const char *text, size_t len)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t i = 0;
    while (i < len && u[i] != 0) {
        size_t k = utf8_seq(u + i, len - i);
        if (k == 0) break;
        i += k;
    }
    return i;
}

cf_status cf_text_check_utf8(const char *source, const char *text, size_t len, size_t *skip, cf_error *err)
{
    const unsigned char *u = (const unsigned char *)text;
    *skip = 0;
    if (len >= 4 && ((u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 && u[3] == 0) ||
                     (u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF)))
        return cf_error_set(err, CF_ERR_PARSE, source, 1, 1, NULL, "file is UTF-32; save it as UTF-8");
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
        return cf_error_set(err, CF_ERR_PARSE, source, 1, 1, NULL, "file is UTF-16; save it as UTF-8");
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) *skip = 3;
    for (size_t i = *skip; i < len;) {
        if (u[i] == 0) {
            /* UTF-16 without a byte order mark: ASCII text with every other byte zero. */
            size_t zeros = 0, m = len < 64 ? len : 64;
            for (size_t k = 0; k < m; k++) zeros += u[k] == 0;
            if (zeros * 3 >= m)
                return cf_error_set(err, CF_ERR_PARSE, source, 1, 1, NULL,
                                    "file looks like UTF-16 (every other byte is zero); save it as UTF-8");
            long line, col;
            cf_text_linecol(text, i, &line, &col);
            return cf_error_set(err, CF_ERR_PARSE, source, line, col, NULL,
                                "file is not text: NUL byte at line %ld, byte %ld", line, col);
        }
        size_t k = utf8_seq(u + i, len - i);
        if (k == 0) {
            long line, col;
            cf_text_linecol(text, i, &line, &col);
            return cf_error_set(err, CF_ERR_PARSE, source, line, col, NULL,
                                "file is not valid UTF-8: byte 0x%02X at line %ld, byte %ld (save it as UTF-8)",
                                (unsigned)u[i], line, col);
        }
        i += k;
    }
    return CF_OK;
}

/* 1 when path ends with ext (case-insensitive). */
static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    if (n < e) return 0;
    for (size_t i = 0; i < e; i++)
        if (tolower((unsigned char)path[n - e + i]) != ext[i]) return 0;
    return 1;
}

/* Reads a source of another kind (MLflow, Optuna, W&B, XML) through its records reader into rs. */
static cf_status read_via_records(cf_runset *rs, const char *path, cf_error *err)
{
    cf_records *recs = cf_records_create();
    if (recs == NULL) return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
    cf_status st = cf_read_source(path, recs, err);
    if (st == CF_OK) st = cf_records_to_runset(recs, rs, err);
    cf_records_destroy(recs);
    return st;
}

cf_status cf_read_runs(cf_runset *rs, const char *path, cf_error *err)
{
    if (rs == NULL || path == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no runset or path");
    cf_source_kind kind = CF_SOURCE_UNKNOWN;
    cf_error derr;
    cf_error_clear(&derr);
    cf_status ds = cf_detect_source(path, &kind, &derr);
    struct stat sb;
    int is_dir = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
    if (ds == CF_OK) {
        switch (kind) {
        case CF_SOURCE_CSV: return cf_read_csv(rs, path, err);
        case CF_SOURCE_JSON: return cf_read_json(rs, path, err);
        case CF_SOURCE_UNKNOWN: break;
        default: return read_via_records(rs, path, err);
        }
    } else if (ds == CF_ERR_DB || ds == CF_ERR_NOMEM || is_dir) {
        if (err) *err = derr;
        return ds;
    }
    /* Not recognised (or not openable): decide by extension, then by the first character, so the error comes
     * from the reader that fits best. */
    if (has_ext(path, ".json") || has_ext(path, ".jsonl") || has_ext(path, ".ndjson"))
        return cf_read_json(rs, path, err);
    if (has_ext(path, ".csv") || has_ext(path, ".tsv") || has_ext(path, ".txt")) return cf_read_csv(rs, path, err);
    FILE *f = fopen(path, "rb");
    if (f == NULL) return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot open file: %s", strerror(errno));
    unsigned char head[512];
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    size_t i = (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) ? 3 : 0;
    while (i < n && isspace(head[i])) i++;
    if (i < n && (head[i] == '[' || head[i] == '{')) return cf_read_json(rs, path, err);
    return cf_read_csv(rs, path, err);
}
