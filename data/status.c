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

/* Copies src into a fixed-size field, truncating, with NULL as the empty string. */
static void copy_str(char *dst, size_t n, const char *src)
{
    if (src == NULL) {
        dst[0] = '\0';
        return;
    }
    snprintf(dst, n, "%s", src);
}

cf_status cf_error_set(cf_error *err, cf_status status, const char *source, long line, long column, const char *field,
                       const char *fmt, ...)
{
    if (err == NULL) return status;
    err->status = status;
    copy_str(err->source, sizeof err->source, source);
    copy_str(err->field, sizeof err->field, field);
    err->line = line;
    err->column = column;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
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
