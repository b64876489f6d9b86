/* costfront (private): locale-independent number formatting (see reports/numfmt.h).
 *
 * printf is run under a per-thread C locale (uselocale, POSIX 2008), so a caller's setlocale never leaks into a
 * report and no other thread is disturbed. newlocale(LC_ALL_MASK, "C", 0) returns glibc's static C locale object,
 * so caching it never leaks.
 */
#include "reports/numfmt.h"

#include "costfront/numfmt.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static locale_t c_locale = (locale_t)0;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

/* Creates the cached C locale once; pthread_once keeps two threads formatting their first number at the same time
 * from racing on the cache. */
static void c_locale_init(void) { c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

/* Formats under the C numeric locale, so that a caller's setlocale (a decimal comma) never reaches a report. */
static void c_snprintf(char *buf, size_t n, const char *fmt, ...)
{
    pthread_once(&c_locale_once, c_locale_init);
    locale_t old = c_locale != (locale_t)0 ? uselocale(c_locale) : (locale_t)0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    if (old != (locale_t)0) uselocale(old);
}

/* Folds -0 into 0 so that a zero never prints with a sign; the rest is %.10g under the C locale. */
char *cf_fmt_g10(char *buf, double v, const char *missing)
{
    if (!isfinite(v)) {
        snprintf(buf, CF_NUM_BUF, "%s", missing != NULL ? missing : "");
        return buf;
    }
    if (v == 0.0) v = 0.0; /* folds -0 into 0 */
    c_snprintf(buf, CF_NUM_BUF, "%.10g", v);
    if (strcmp(buf, "-0") == 0) strcpy(buf, "0");
    return buf;
}

/* Clamps the precision to what a double carries and switches to %g for huge values so that the buffer never
 * overflows; "-0.00" is printed as a zero because a loss of nothing has no sign. */
char *cf_fmt_fixed(char *buf, double v, int prec, const char *missing)
{
    if (!isfinite(v)) {
        snprintf(buf, CF_NUM_BUF, "%s", missing != NULL ? missing : "");
        return buf;
    }
    if (prec < 0) prec = 0;
    if (prec > 12) prec = 12;
    if (fabs(v) >= 1e18) {
        c_snprintf(buf, CF_NUM_BUF, "%.6g", v);
        return buf;
    }
    c_snprintf(buf, CF_NUM_BUF, "%.*f", prec, v);
    /* "-0.00" reads as a loss of nothing: print it as zero. */
    int allzero = 1;
    for (const char *p = buf; *p; p++)
        if (*p >= '1' && *p <= '9') allzero = 0;
    if (allzero && buf[0] == '-') memmove(buf, buf + 1, strlen(buf));
    return buf;
}

/* Groups thousands with commas by hand because the C locale has no grouping and the user's locale must not
 * leak into a report; the decimals are cf_money_decimals' (at least three significant digits, issue 9). */
char *cf_fmt_money(char *buf, double v, const char *missing)
{
    if (!isfinite(v)) {
        snprintf(buf, CF_NUM_BUF, "%s", missing != NULL ? missing : "");
        return buf;
    }
    char digits[CF_NUM_BUF];
    cf_fmt_fixed(digits, fabs(v), cf_money_decimals(v), "");
    int neg = v < 0 && strpbrk(digits, "123456789") != NULL;
    const char *dot = strchr(digits, '.');
    size_t intlen = dot != NULL ? (size_t)(dot - digits) : strlen(digits);
    if (strchr(digits, 'e') != NULL) { /* absurdly large: keep the exponent form */
        snprintf(buf, CF_NUM_BUF, "%s$%.30s", neg ? "-" : "", digits);
        return buf;
    }
    size_t o = 0;
    if (neg) buf[o++] = '-';
    buf[o++] = '$';
    for (size_t i = 0; i < intlen && o < CF_NUM_BUF - 4; i++) {
        if (i > 0 && (intlen - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = digits[i];
    }
    snprintf(buf + o, CF_NUM_BUF - o, "%s", dot != NULL ? dot : "");
    return buf;
}
