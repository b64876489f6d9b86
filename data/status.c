/* costfront: status names, error records, the GSL error-handler switch and the version string. */
#include "costfront/status.h"

#include <gsl/gsl_errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#ifndef CF_VERSION_STRING
#define CF_VERSION_STRING "0.0.0"
#endif

const char *cf_status_str(cf_status s)
{
    switch (s) {
    case CF_OK: return "ok";
    case CF_ERR_NOMEM: return "out of memory";
    case CF_ERR_IO: return "input/output error";
    case CF_ERR_PARSE: return "parse error";
    case CF_ERR_INVALID: return "invalid value";
    case CF_ERR_ARG: return "invalid argument";
    case CF_ERR_NOT_FOUND: return "not found";
    case CF_ERR_NUMERIC: return "numerical failure";
    case CF_ERR_EXTERNAL: return "external program failed";
    case CF_ERR_DB: return "database error";
    case CF_ERR_EMPTY: return "nothing to do";
    }
    return "unknown status";
}

void cf_error_clear(cf_error *err)
{
    if (err == NULL) return;
    memset(err, 0, sizeof *err);
}

/* Copies src into a fixed-size field with control characters escaped (a newline as \n, a tab as \t, any other byte
 * below 0x20 and DEL as \xHH), so that input bytes echoed in a message can never drive the terminal (an escape
 * sequence setting the window title, say) or forge another line. A cut never splits a UTF-8 character or an escape;
 * NULL is the empty string. */
void cf_text_escape(char *dst, size_t n, const char *src)
{
    size_t o = 0;
    dst[0] = '\0';
    if (src == NULL || n == 0) return;
    for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
        char esc[5];
        size_t k;
        if (*p == '\n') k = (size_t)snprintf(esc, sizeof esc, "\\n");
        else if (*p == '\t') k = (size_t)snprintf(esc, sizeof esc, "\\t");
        else if (*p < 0x20 || *p == 0x7f) k = (size_t)snprintf(esc, sizeof esc, "\\x%02x", *p);
        else {
            esc[0] = (char)*p;
            k = 1;
        }
        if (o + k >= n) break;
        memcpy(dst + o, esc, k);
        o += k;
    }
    /* Back off a UTF-8 character cut short at the end. */
    size_t end = o;
    while (end > 0 && ((unsigned char)dst[end - 1] & 0xC0) == 0x80) end--;
    if (end > 0 && (unsigned char)dst[end - 1] >= 0xC0) {
        unsigned char lead = (unsigned char)dst[end - 1];
        size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (o - (end - 1) < need) o = end - 1;
    }
    dst[o] = '\0';
}

/* Copies src into a fixed-size field, escaped as cf_text_escape does. */
static void copy_str(char *dst, size_t n, const char *src) { cf_text_escape(dst, n, src); }

cf_status cf_error_set(cf_error *err, cf_status status, const char *source, long line, long column, const char *field,
                       const char *fmt, ...)
{
    if (err == NULL) return status;
    err->status = status;
    copy_str(err->source, sizeof err->source, source);
    copy_str(err->field, sizeof err->field, field);
    err->line = line;
    err->column = column;
    char raw[2 * sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    copy_str(err->message, sizeof err->message, raw);
    return status;
}

char *cf_error_format(const cf_error *err, char *buf, size_t n)
{
    if (buf == NULL || n == 0) return buf;
    buf[0] = '\0';
    if (err == NULL) return buf;
    size_t used = 0;
#define CF_APPEND(...)                                                                                                 \
    do {                                                                                                               \
        if (used < n) {                                                                                                \
            int k_ = snprintf(buf + used, n - used, __VA_ARGS__);                                                      \
            if (k_ > 0) used += (size_t)k_;                                                                            \
        }                                                                                                              \
    } while (0)
    if (err->source[0]) {
        CF_APPEND("%s", err->source);
        if (err->line > 0) CF_APPEND(":%ld", err->line);
        if (err->column > 0) CF_APPEND(":%ld", err->column);
        CF_APPEND(": ");
    }
    if (err->field[0]) CF_APPEND("%s: ", err->field);
    CF_APPEND("%s", err->message[0] ? err->message : cf_status_str(err->status));
#undef CF_APPEND
    return buf;
}

void cf_gsl_quiet(void) { gsl_set_error_handler_off(); }

/* Provided by OpenBLAS, which the library links in place of GSL's reference CBLAS. */
extern void openblas_set_num_threads(int num_threads);

void cf_set_blas_threads(int n)
{
    if (n >= 1) openblas_set_num_threads(n);
}

const char *cf_version(void) { return CF_VERSION_STRING; }
