/* Tests of models/budget.c: the budget file (errors with JSON paths), spend, burn rate, forecast and its interval,
 * thresholds, on hand-worked numbers. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/budget.h"
#include "costfront/catalog.h"

static cf_budget *parse(const char *json, cf_error *err)
{
    cf_budget *b = NULL;
    cf_error_clear(err);
    cf_budget_parse(json, strlen(json), "b.json", &b, err);
    return b;
}

static long day(const char *ymd)
{
    long d = 0;
    cr_assert(cf_catalog_parse_date(ymd, &d));
    return d;
}

Test(budget, parse_fields)
{
    cf_error err;
    cf_budget *b = parse("{\"budgets\": [{\"team\": \"nlp\", \"project\": \"x\", \"monthly_usd\": 5000, "
                         "\"thresholds\": [0.5, 0.8, 1.0], \"periods\": {\"2026-11\": 4000}},"
                         "{\"name\": \"all\", \"monthly_usd\": 1}]}",
                         &err);
    cr_assert_not_null(b, "%s", err.message);
    cr_assert_eq(cf_budget_count(b), 2);
    cr_assert_str_eq(cf_budget_name(b, 0), "team=nlp,project=x");
    cr_assert_str_eq(cf_budget_name(b, 1), "all");
    cr_assert_eq(cf_budget_pair_count(b, 0), 2);
    cr_assert_eq(cf_budget_amount(b, 0, "2026-11"), 4000);
    cr_assert_eq(cf_budget_amount(b, 0, "2026-12"), 5000);
    const char *t1[] = {"team", "nlp", "project", "x", "env", "prod"};
    const char *t2[] = {"team", "nlp"};
    cr_assert(cf_budget_matches(b, 0, t1, 3));
    cr_assert(!cf_budget_matches(b, 0, t2, 1));
    cr_assert(cf_budget_matches(b, 1, NULL, 0));
    cf_budget_destroy(b);
    cf_budget_destroy(NULL);
}

/* Each bad file: the JSON path and a word of the message. */
Test(budget, parse_errors)
{
    static const struct {
        const char *json, *field, *needle;
        cf_status st;
    } cases[] = {
        {"{\"budgets\": [{\"team\": \"nlp\"}]}", "budgets[0].monthly_usd", "found neither", CF_ERR_INVALID},
        {"{\"budgets\": [{\"team\": \"nlp\", \"monthly_usd\": -1}]}", "budgets[0].monthly_usd", "found -1",
         CF_ERR_INVALID},
        {"{\"budgets\": [{\"monthly_usd\": 5, \"thresholds\": [0.8, 0.5]}]}", "budgets[0].thresholds[1]", "ascending",
         CF_ERR_INVALID},
        {"{\"budgets\": [{\"monthly_usd\": 5, \"thresholds\": [0]}]}", "budgets[0].thresholds[0]", "found 0",
         CF_ERR_INVALID},
        {"{\"budgets\": [{\"periods\": {\"2026-13\": 5}}]}", "budgets[0].periods.2026-13", "YYYY-MM", CF_ERR_INVALID},
        {"{\"budgets\": [{\"team\": 3, \"monthly_usd\": 5}]}", "budgets[0].team", "a string", CF_ERR_INVALID},
        {"{\"budget\": []}", "budget", "unknown field", CF_ERR_INVALID},
        {"{\"budgets\": []}", "budgets", "non-empty array", CF_ERR_INVALID},
        {"{\"budgets\": [\n{\"monthly_usd\": 5,}]}", "", "near line 2", CF_ERR_PARSE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cf_error err;
        cf_budget *b = parse(cases[i].json, &err);
        cr_assert_null(b, "case %zu", i);
        cr_assert_eq(err.status, cases[i].st, "case %zu: %s", i, err.message);
        cr_assert_str_eq(err.field, cases[i].field, "case %zu: %s", i, err.field);
        cr_assert_not_null(strstr(err.message, cases[i].needle), "case %zu: %s", i, err.message);
        cr_assert_str_eq(err.source, "b.json");
    }
}

/* November 2026 (D = 30 days), as of 2026-11-04 (d = 4, r = 26 days left).
 * team=nlp spends 40, 60, 50, 50 on days 1-4: S = 200, m = 50, forecast 200 + 26 x 50 = 1500. Deviations -10, 10,
 * 0, 0: s^2 = 200 / 3, s = 8.164966; t(3, 0.975) = 3.182446; half width t s sqrt(26 + 26^2/4) = t s sqrt(195) =
 * 362.8547, interval [1137.1453, 1862.8547]. Budget 2800 with thresholds 0.05, 0.5, 0.6, 1.0 (140, 1400, 1680,
 * 2800): 140 crossed on day 3 (cumulative 40, 100, 150); 1400 forecast, first reached after ceil(1200 / 50) = 24
 * more days, 2026-11-28; 1680 only by the interval's high end (possible); 2800 ok.
 * team=cv: 30 on 2026-11-02 (rows on 2026-10-31 and 2026-11-05 are outside): S = 30, m = 7.5, forecast 225, its
 * November amount 100 (periods) crossed by the forecast after ceil(70 / 7.5) = 10 days: 2026-11-14. Daily spend 0,
 * 30, 0, 0: s = 15, half width 3.182446 x 15 x sqrt(195) = 666.6067, low end 225 - 666.6 < S so kept at S = 30.
 * The whole bill: S = 230 of 10000, no alert. */
Test(budget, forecast_known_answer)
{
    cf_error err;
    cf_budget *b = parse("{\"budgets\": [{\"team\": \"nlp\", \"monthly_usd\": 2800, \"thresholds\": [0.05, 0.5, 0.6, "
                         "1.0]}, {\"team\": \"cv\", \"monthly_usd\": 1000, \"periods\": {\"2026-11\": 100}}, "
                         "{\"monthly_usd\": 10000}]}",
                         &err);
    cr_assert_not_null(b, "%s", err.message);
    cf_budget_eval *ev = NULL;
    cr_assert_eq(cf_budget_eval_create(b, "2026-11-04", 0, &ev, &err), CF_OK, "%s", err.message);
    const char *nlp[] = {"team", "nlp"}, *nlpx[] = {"project", "x", "team", "nlp"}, *cv[] = {"team", "cv"};
    cr_assert_eq(cf_budget_eval_add(ev, day("2026-11-01"), nlp, 1, 40), CF_OK);
    cr_assert_eq(cf_budget_eval_add(ev, day("2026-11-02"), nlpx, 2, 35), CF_OK);
    cr_assert_eq(cf_budget_eval_add(ev, day("2026-11-02"), nlp, 1, 25), CF_OK);
    cr_assert_eq(cf_budget_eval_add(ev, day("2026-11-03"), nlp, 1, 50), CF_OK);
    cr_assert_eq(cf_budget_eval_add(ev, day("2026-11-04"), nlp, 1, 50), CF_OK);
    cr_assert_eq(cf_budget_eval_add(ev, day("2026-11-02"), cv, 1, 30), CF_OK);
    cr_assert_eq(cf_budget_eval_add(ev, day("2026-10-31"), cv, 1, 1000), CF_OK);
    cr_assert_eq(cf_budget_eval_add(ev, day("2026-11-05"), cv, 1, 1000), CF_OK);
    cr_assert_eq(cf_budget_eval_add(ev, day("2026-11-05"), cv, 1, NAN), CF_ERR_ARG);
    cr_assert_eq(cf_budget_eval_finish(ev, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_budget_eval_rows(ev), 8);
    cr_assert_eq(cf_budget_eval_rows_outside(ev), 2);
    cr_assert_eq(cf_budget_eval_count(ev), 3);

    const cf_budget_result *r = cf_budget_eval_result(ev, 0);
    cr_assert_str_eq(r->period, "2026-11");
    cr_assert_eq(r->days_elapsed, 4);
    cr_assert_eq(r->days_in_period, 30);
    cr_assert_eq(r->rows, 5);
    cr_assert_float_eq(r->spend_usd, 200, 1e-9);
    cr_assert_float_eq(r->burn_usd_per_day, 50, 1e-9);
    cr_assert_float_eq(r->daily_sd_usd, 8.164966, 1e-6);
    cr_assert_float_eq(r->forecast_usd, 1500, 1e-9);
    cr_assert_float_eq(r->forecast_low_usd, 1137.1453, 1e-3);
    cr_assert_float_eq(r->forecast_high_usd, 1862.8547, 1e-3);
    cr_assert_eq(r->threshold_count, 4);
    cr_assert_eq(r->thresholds[0].level, CF_BUDGET_CROSSED);
    cr_assert_str_eq(r->thresholds[0].reach_date, "2026-11-03");
    cr_assert_eq(r->thresholds[1].level, CF_BUDGET_FORECAST);
    cr_assert_str_eq(r->thresholds[1].reach_date, "2026-11-28");
    cr_assert_eq(r->thresholds[2].level, CF_BUDGET_POSSIBLE);
    cr_assert_null(r->thresholds[2].reach_date);
    cr_assert_eq(r->thresholds[3].level, CF_BUDGET_OK);
    cr_assert(r->alert);

    r = cf_budget_eval_result(ev, 1);
    cr_assert_float_eq(r->budget_usd, 100, 1e-12);
    cr_assert_float_eq(r->spend_usd, 30, 1e-9);
    cr_assert_float_eq(r->forecast_usd, 225, 1e-9);
    cr_assert_float_eq(r->daily_sd_usd, 15, 1e-9);
    cr_assert_float_eq(r->forecast_low_usd, 30, 1e-9);
    cr_assert_float_eq(r->forecast_high_usd, 891.6067, 1e-3);
    cr_assert_eq(r->thresholds[0].level, CF_BUDGET_FORECAST);
    cr_assert_str_eq(r->thresholds[0].reach_date, "2026-11-14");

    r = cf_budget_eval_result(ev, 2);
    cr_assert_str_eq(r->name, "(all)");
    cr_assert_float_eq(r->spend_usd, 230, 1e-9);
    cr_assert(!r->alert);

    cr_assert(cf_budget_eval_alert(ev));
    cr_assert_eq(cf_budget_eval_alert_count(ev), 3);
    cr_assert_not_null(strstr(cf_budget_eval_alert_text(ev, 0), "crossed 5% of 2800.00 USD (140.00 USD) on 2026-11-03"),
                       "%s", cf_budget_eval_alert_text(ev, 0));
    char *json = NULL;
    cr_assert_eq(cf_budget_eval_to_json(ev, &json, &err), CF_OK);
    cr_assert_not_null(strstr(json, "\"forecast_usd\":\t1500"), "%s", json);
    free(json);
    cf_budget_eval_destroy(ev);
    cf_budget_destroy(b);
}

/* One day elapsed: no interval; a month of 31 days (December); a bad as-of date. */
Test(budget, one_day_and_bad_date)
{
    cf_error err;
    cf_budget *b = parse("{\"budgets\": [{\"monthly_usd\": 310}]}", &err);
    cr_assert_not_null(b);
    cf_budget_eval *ev = NULL;
    cr_assert_eq(cf_budget_eval_create(b, "2026-12-01", 0.9, &ev, &err), CF_OK);
    cr_assert_eq(cf_budget_eval_add(ev, day("2026-12-01"), NULL, 0, 10), CF_OK);
    cr_assert_eq(cf_budget_eval_finish(ev, &err), CF_OK);
    const cf_budget_result *r = cf_budget_eval_result(ev, 0);
    /* 10 + 30 x 10 = 310 = the budget: forecast reaches 1.0 after ceil(300 / 10) = 30 days, 2026-12-31. */
    cr_assert_eq(r->days_in_period, 31);
    cr_assert_float_eq(r->forecast_usd, 310, 1e-9);
    cr_assert(isnan(r->forecast_low_usd) && isnan(r->daily_sd_usd));
    cr_assert_eq(r->thresholds[0].level, CF_BUDGET_FORECAST);
    cr_assert_str_eq(r->thresholds[0].reach_date, "2026-12-31");
    cf_budget_eval_destroy(ev);
    ev = NULL;
    cr_assert_eq(cf_budget_eval_create(b, "2026-02-30", 0, &ev, &err), CF_ERR_INVALID);
    cr_assert_null(ev);
    cf_budget_destroy(b);
}
