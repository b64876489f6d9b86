/* costfront: status codes and the error record shared by every module.
 *
 * Ownership: a cf_error is a plain struct owned by whoever declares it (usually on the stack); the library only
 * writes into it. Nothing here allocates.
 */
#ifndef COSTFRONT_STATUS_H
#define COSTFRONT_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result of every fallible library call: 0 is success, negative values are failures. */
typedef enum cf_status {
    CF_OK = 0,
    CF_ERR_NOMEM = -1,     /* an allocation failed */
    CF_ERR_IO = -2,        /* a file could not be opened, read, written or renamed */
    CF_ERR_PARSE = -3,     /* input is not well-formed (CSV, JSON, XML, encoding) */
    CF_ERR_INVALID = -4,   /* input is well-formed but a value is wrong (range, unknown id, duplicate) */
    CF_ERR_ARG = -5,       /* the caller passed an invalid argument (a programming error) */
    CF_ERR_NOT_FOUND = -6, /* a requested item (hardware, offer, region, trial) does not exist */
    CF_ERR_NUMERIC = -7,   /* a numerical method failed (Cholesky, optimizer) */
    CF_ERR_EXTERNAL = -8,  /* an external program (gnuplot) failed */
    CF_ERR_DB = -9,        /* SQLite reported an error */
    CF_ERR_EMPTY = -10     /* there is nothing to work on (no runs, no offers) */
} cf_status;

/* Returns a static, human-readable name for a status code; never NULL. */
const char *cf_status_str(cf_status s);

/* Where and why something failed. Fields that do not apply are empty strings or 0. */
typedef struct cf_error {
    cf_status status;  /* the failure, CF_OK when nothing is recorded */
    char message[512]; /* a full sentence: what was expected, what was found */
    char source[256];  /* file name or other source ("--config", "default catalog") */
    long line;         /* 1-based line in source, 0 when unknown */
    long column;       /* 1-based column (CSV field number or byte column), 0 when unknown */
    char field[128];   /* field name or JSON path such as "offers[3].spot" */
} cf_error;

/* Resets an error record to "no error". Accepts NULL. */
void cf_error_clear(cf_error *err);

/* Copies src into dst (n bytes, always terminated) with control characters escaped: a newline as \n, a tab as \t,
 * any other byte below 0x20 and DEL as \xHH, so that input echoed in a message cannot drive a terminal or forge a
 * line. A cut never splits a UTF-8 character or an escape. NULL src gives the empty string. Every cf_error field is
 * escaped this way by cf_error_set. */
void cf_text_escape(char *dst, size_t n, const char *src);

/* Records a failure in err (which may be NULL) and returns status, so callers can write
 * `return cf_error_set(err, CF_ERR_INVALID, src, line, col, "field", "expected %s, found %s", a, b);`.
 * source and field may be NULL. The message is formatted with printf conventions and truncated to fit. */
cf_status cf_error_set(cf_error *err, cf_status status, const char *source, long line, long column, const char *field,
                       const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 7, 8)))
#endif
    ;

/* Formats err as "source:line:column: field: message" (parts omitted when empty) into buf of size n.
 * Returns buf. */
char *cf_error_format(const cf_error *err, char *buf, size_t n);

/* Turns off GSL's default error handler (which aborts) for the whole process. The library calls it from every
 * entry point that uses GSL; it is idempotent and cheap. */
void cf_gsl_quiet(void);

/* Sets the number of threads OpenBLAS uses for the library's linear algebra (n >= 1). Small matrices (a GP on a
 * few hundred runs) run faster on one thread, especially on a loaded machine; the command sets 1 unless the
 * environment sets OPENBLAS_NUM_THREADS. */
void cf_set_blas_threads(int n);

/* Version string of the library, e.g. "0.1.0". */
const char *cf_version(void);

#ifdef __cplusplus
}
#endif
#endif
