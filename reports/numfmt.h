/* costfront (private): locale-independent number formatting shared by the report writers (reports/numfmt.c).
 *
 * Reports must be byte-identical for the same inputs whatever the process locale: a German LC_NUMERIC would
 * otherwise print "0,5" into JSON, CSV and gnuplot scripts. Every number the reports print goes through here.
 *
 * Ownership: callers own the buffers.
 */
#ifndef CF_REPORTS_NUMFMT_H
#define CF_REPORTS_NUMFMT_H

#include <stddef.h>

/* Size of a buffer that holds any formatted number. */
#define CF_NUM_BUF 40

/* Formats v with printf's "%.10g" under the C locale into buf (at least CF_NUM_BUF bytes) and returns buf. NaN and
 * infinities are written as missing (the string given, e.g. "null" or "?"); -0 is written as "0". */
char *cf_fmt_g10(char *buf, double v, const char *missing);

/* Formats v with printf's "%.*f" (prec digits after the point) under the C locale; missing as above. */
char *cf_fmt_fixed(char *buf, double v, int prec, const char *missing);

/* Formats v as money for people: "$1,234.56" (',' thousands), "-$3.10", "$0.00150" (cf_money_decimals: at least
 * three significant digits); missing as above. */
char *cf_fmt_money(char *buf, double v, const char *missing);

#endif
