/* costfront: how money is printed for people, shared by the command (cli/) and the report writers (reports/).
 *
 * Costs span many orders of magnitude: a training run costs thousands of dollars, a million inference tokens a
 * tenth of a cent. Rounding every amount to cents prints 0.0015 USD as "0.00", which reads as free. Money is
 * therefore printed with at least three significant digits: cents from one dollar up (1234.56, 1.50), and more
 * decimals below a dollar (0.250, 0.00150).
 * Formatting is locale-independent (the C locale is used whatever the process sets).
 *
 * Ownership: callers own the buffers.
 */
#ifndef COSTFRONT_NUMFMT_H
#define COSTFRONT_NUMFMT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Returns how many digits after the decimal point money of this amount needs so that at least three significant
 * digits are shown: 2 for |usd| >= 1 (and for zero or a non-finite value), 2 - floor(log10 |usd|) below that,
 * capped at 12. For example 1234.5 -> 2, 1.5 -> 2, 0.5 -> 3, 0.0015 -> 5. */
int cf_money_decimals(double usd);

/* Writes usd into buf (n bytes) as a plain number with cf_money_decimals(usd) decimals, no currency sign and no
 * thousands separator ("0.00150", "1234.50"); a non-finite value is written as missing (or "" when NULL); a
 * negative amount that rounds to zero is written without its sign. Returns buf. */
char *cf_money_str(char *buf, size_t n, double usd, const char *missing);

#ifdef __cplusplus
}
#endif

#endif
