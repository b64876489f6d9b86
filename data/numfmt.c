/* costfront: money formatting for people (see include/costfront/numfmt.h).
 *
 * It lives in data/, the lowest layer, so that the command and every report writer print amounts the same way.
 * printf runs under a per-thread C locale (uselocale, POSIX 2008) so a caller's decimal comma never leaks in.
 */
#include "costfront/numfmt.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static locale_t money_locale = (locale_t)0;
static pthread_once_t money_locale_once = PTHREAD_ONCE_INIT;

/* Creates the cached C locale once; glibc returns its static C locale object, so caching it never leaks. */
static void money_locale_init(void) { money_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

/* Three significant digits need 2 - floor(log10 |v|) decimals; cents are the floor because people expect them, and
 * 12 is the cap because a double carries no more for amounts people pay. Rounding can carry an amount into the
 * next decade (0.09996 -> 0.1000), which only adds a digit, never loses one. */
int cf_money_decimals(double usd)
{
    double a = fabs(usd);
    if (!isfinite(a) || a == 0.0 || a >= 10.0) return 2;
    int d = 2 - (int)floor(log10(a));
    if (d < 2) d = 2;
    if (d > 12) d = 12;
    return d;
}

/* Prints with %.*f under the C locale; huge amounts switch to %g so that a small buffer never truncates digits
 * silently; "-0.00" becomes "0.00" because a loss of nothing has no sign. */
char *cf_money_str(char *buf, size_t n, double usd, const char *missing)
{
    if (buf == NULL || n == 0) return buf;
    if (!isfinite(usd)) {
        snprintf(buf, n, "%s", missing != NULL ? missing : "");
        return buf;
    }
    pthread_once(&money_locale_once, money_locale_init);
    locale_t old = money_locale != (locale_t)0 ? uselocale(money_locale) : (locale_t)0;
    if (fabs(usd) >= 1e18)
        snprintf(buf, n, "%.6g", usd);
    else
        snprintf(buf, n, "%.*f", cf_money_decimals(usd), usd);
    if (old != (locale_t)0) uselocale(old);
    if (buf[0] == '-' && strpbrk(buf, "123456789") == NULL) memmove(buf, buf + 1, strlen(buf));
    return buf;
}
