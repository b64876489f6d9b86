/* costfront: budgets and the kill switch (models/budget.c) -- spend to date, burn rate and a forecast to the end
 * of the month, per group of billed cost, against a budget with alert thresholds.
 *
 * A budget file is JSON:
 *
 *   {"budgets": [{"team": "nlp", "monthly_usd": 5000, "thresholds": [0.5, 0.8, 1.0],
 *                 "periods": {"2026-11": 4000}}]}
 *
 * Each budget names its group by one or more tag key = value pairs (every key other than the reserved "name",
 * "monthly_usd", "periods", "thresholds" and comment keys "comment", "notes", "_..."): a bill row belongs to the
 * group when its tags carry every pair (keys and values compared exactly). A budget with no pair covers the whole
 * bill. "periods" maps calendar months ("YYYY-MM") to amounts that replace "monthly_usd" for that month; one of the
 * two is required. "thresholds" are fractions of the amount, ascending, in (0, 10]; default [1.0].
 *
 * The period is the calendar month (UTC) that holds the as-of day; the days elapsed are day 1 to the as-of day,
 * both included. With x_1..x_d the group's daily spend on those days (0 on a day without rows), the burn rate is
 * their mean m, the forecast to the end of the month of D days is S + (D - d) m (S the spend to date), and its
 * interval is the prediction interval of a sum of r = D - d further days drawn from the same normal distribution:
 * S + r m +/- t_{d-1, (1+level)/2} s sqrt(r + r^2 / d), s the sample standard deviation of the daily spend (the
 * r new days add r s^2, the estimated mean r^2 s^2 / d; e.g. Hahn & Meeker, "Statistical Intervals", 1991, sec.
 * 4.4). The low end is kept at S or above (future spend is taken non-negative). With one day elapsed there is no
 * interval (NaN).
 *
 * A threshold f of a budget B is crossed when S >= f B, forecast when the forecast is >= f B, possible when only
 * the interval's high end is. "crossed" and "forecast" are alerts (the command's exit code 8: stop the pipeline
 * before the expensive step); "possible" is shown but is not one.
 *
 * Ownership: cf_budget_parse creates a cf_budget that cf_budget_destroy frees (accepts NULL); a cf_budget_eval is
 * created by cf_budget_eval_create and freed by cf_budget_eval_destroy (accepts NULL) and must not outlive the
 * budget it was made from. Both own every string and struct their getters return. Callers own what they pass in.
 */
#ifndef COSTFRONT_BUDGET_H
#define COSTFRONT_BUDGET_H

#include <stddef.h>

#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cf_budget cf_budget;

/* Parses a budget file's text (len bytes); source names it in errors. Errors carry the JSON path in err->field
 * ("budgets[0].thresholds[1]"), what was expected and what was found; a syntax error carries line and column.
 * *out is NULL on failure. */
cf_status cf_budget_parse(const char *json, size_t len, const char *source, cf_budget **out, cf_error *err);

/* Frees a budget. Accepts NULL. */
void cf_budget_destroy(cf_budget *b);

/* Number of budgets in the file. */
size_t cf_budget_count(const cf_budget *b);

/* The i-th budget's display name: its "name", else its pairs as "team=nlp,project=x", else "(all)". */
const char *cf_budget_name(const cf_budget *b, size_t i);

/* The i-th budget's tag pairs. */
size_t cf_budget_pair_count(const cf_budget *b, size_t i);
const char *cf_budget_pair_key(const cf_budget *b, size_t i, size_t k);
const char *cf_budget_pair_value(const cf_budget *b, size_t i, size_t k);

/* The i-th budget's amount for period "YYYY-MM": its "periods" entry, else "monthly_usd"; NaN when neither. */
double cf_budget_amount(const cf_budget *b, size_t i, const char *period);

/* 1 when tags (n pairs, flat: key0, value0, key1, value1, ...) carry every pair of the i-th budget. */
int cf_budget_matches(const cf_budget *b, size_t i, const char *const *tags, size_t n);

/* How far a threshold is from being reached. */
typedef enum cf_budget_level {
    CF_BUDGET_OK = 0,       /* neither spend, forecast nor the interval's high end reach it */
    CF_BUDGET_POSSIBLE = 1, /* only the interval's high end reaches it */
    CF_BUDGET_FORECAST = 2, /* the forecast to the end of the period reaches it (alert) */
    CF_BUDGET_CROSSED = 3   /* the spend to date reaches it (alert) */
} cf_budget_level;

/* Static name of a level: "ok", "possible", "forecast", "crossed". */
const char *cf_budget_level_name(cf_budget_level l);

/* One threshold of one budget. */
typedef struct cf_budget_threshold {
    double fraction;        /* e.g. 0.8 */
    double amount_usd;      /* fraction x budget */
    cf_budget_level level;
    const char *reach_date; /* "YYYY-MM-DD": the day the spend reached it (crossed) or the forecast reaches it at
                               the burn rate (forecast); NULL otherwise */
} cf_budget_threshold;

/* One budget's state in the period. Numbers are NaN when they cannot be computed. */
typedef struct cf_budget_result {
    const char *name;        /* the budget's display name */
    const char *period;      /* "YYYY-MM" */
    double budget_usd;       /* NaN: no amount for this period (no thresholds are then evaluated) */
    long days_elapsed;       /* d: day 1 to the as-of day */
    long days_in_period;     /* D */
    size_t rows;             /* bill rows counted (in the group and the period, up to the as-of day) */
    double spend_usd;        /* S */
    double burn_usd_per_day; /* m = S / d */
    double daily_sd_usd;     /* s, NaN when d = 1 */
    double forecast_usd;     /* S + (D - d) m */
    double forecast_low_usd; /* interval at the evaluation's level, NaN when d = 1 */
    double forecast_high_usd;
    double used_fraction;     /* S / budget */
    double forecast_fraction; /* forecast / budget */
    size_t threshold_count;
    const cf_budget_threshold *thresholds;
    int alert; /* 1 when a threshold is crossed or forecast */
} cf_budget_result;

typedef struct cf_budget_eval cf_budget_eval;

/* Starts an evaluation of every budget of b for the month that holds as_of ("YYYY-MM-DD"), with forecast
 * intervals at level (in (0, 1); 0 means 0.95). The library never reads the clock: the caller names the day. */
cf_status cf_budget_eval_create(const cf_budget *b, const char *as_of, double level, cf_budget_eval **out,
                                cf_error *err);

/* Frees an evaluation. Accepts NULL. */
void cf_budget_eval_destroy(cf_budget_eval *ev);

/* Adds one bill row: its day (days since 1970-01-01, UTC; cf_catalog_parse_date gives it), its tags (n pairs,
 * flat, as in cf_budget_matches) and its cost (USD; negative for credits). Rows outside the period or after the
 * as-of day are counted apart and otherwise ignored. A non-finite cost is CF_ERR_ARG. Streaming: memory does not
 * grow with the rows. */
cf_status cf_budget_eval_add(cf_budget_eval *ev, long day, const char *const *tags, size_t n, double cost);

struct cf_focus_row;

/* Adds one FOCUS row (costfront/focus.h): its ChargePeriodStart's UTC day, its Tags' string values as pairs, and
 * its EffectiveCost (BilledCost when use_billed is set); a row whose cost is empty is skipped. *non_usd (may be
 * NULL) is incremented, and the row skipped, when its BillingCurrency is not USD (budgets are in USD). */
cf_status cf_budget_eval_add_focus(cf_budget_eval *ev, const struct cf_focus_row *row, int use_billed,
                                   size_t *non_usd);

/* Rows seen by cf_budget_eval_add, and of them those outside the period or after the as-of day. */
size_t cf_budget_eval_rows(const cf_budget_eval *ev);
size_t cf_budget_eval_rows_outside(const cf_budget_eval *ev);

/* Computes the results (after the last cf_budget_eval_add; may be called again after more rows). */
cf_status cf_budget_eval_finish(cf_budget_eval *ev, cf_error *err);

/* The results of the last cf_budget_eval_finish, one per budget in file order. */
size_t cf_budget_eval_count(const cf_budget_eval *ev);
const cf_budget_result *cf_budget_eval_result(const cf_budget_eval *ev, size_t i);

/* 1 when any budget has a threshold crossed or forecast. */
int cf_budget_eval_alert(const cf_budget_eval *ev);

/* The alerts as full sentences, e.g. "budget team=nlp: spend 4200.00 USD to 2026-11-20 has crossed 80% of 5000.00
 * USD (4000.00 USD) on 2026-11-19", one per threshold crossed or forecast. */
size_t cf_budget_eval_alert_count(const cf_budget_eval *ev);
const char *cf_budget_eval_alert_text(const cf_budget_eval *ev, size_t i);

/* The results as indented JSON ending with a newline, numbers printed with up to 10 significant digits
 * (deterministic); NaN as null. The caller frees *out with free(). */
cf_status cf_budget_eval_to_json(const cf_budget_eval *ev, char **out, cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
