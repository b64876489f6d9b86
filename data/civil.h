/* costfront (private): civil-date arithmetic shared by the catalog's dates (data/catalog_io.c), the FOCUS reader
 * (data/read_focus.c) and budgets (models/budget.c). Nothing is owned or allocated here.
 */
#ifndef COSTFRONT_CIVIL_H
#define COSTFRONT_CIVIL_H

/* Returns the days from 1970-01-01 to the proleptic Gregorian date y-m-d (H. Hinnant, "chrono-Compatible Low-Level
 * Date Algorithms", days_from_civil). */
static inline long cf_days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

#endif
