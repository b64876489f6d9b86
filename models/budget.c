/* costfront: budgets and the kill switch (budget.h): the budget file, and spend, burn rate and forecast per budget.
 *
 * The forecast interval is the normal prediction interval for the sum of r future observations from a sample of d
 * (Hahn & Meeker, "Statistical Intervals", 1991, sec. 4.4): the sum of r new days has variance r s^2, the estimated
 * mean adds r^2 s^2 / d, and the quantile is Student's t with d - 1 degrees of freedom (GSL's
 * gsl_cdf_tdist_Pinv). Dates are days since 1970-01-01 (cf_catalog_parse_date); the calendar arithmetic is the
 * days-from-civil / civil-from-days pair of Howard Hinnant (2013), written afresh here.
 */
#include "data/civil.h"
#include "costfront/budget.h"
#include "costfront/catalog.h"
#include "costfront/focus.h"
#include "data/json_syntax.h"

#include <cjson/cJSON.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One budget of the file. */
typedef struct budget_rule {
    char *name;
    size_t n_pairs;
    char **keys, **values;
    double monthly;      /* NaN when absent */
    size_t n_periods;
    char (*periods)[8];  /* "YYYY-MM" */
    double *period_usd;
    size_t n_thr;
    double *thr;
} budget_rule;

struct cf_budget {
    size_t n;
    budget_rule *r;
};

/* Per budget, per day of the period: the spend and the rows. */
typedef struct rule_acc {
    double day_usd[31];
    size_t rows;
    cf_budget_result res;
    cf_budget_threshold *thr;
    char reach[16][16];
    char period[16];
} rule_acc;

struct cf_budget_eval {
    const cf_budget *b;
    long first_day, as_of_day; /* the period's first day and the as-of day */
    long days_in_month;
    char period[16];
    double level;
    size_t rows, outside;
    rule_acc *acc;
    size_t n_alerts;
    char **alerts;
    int finished;
    const char **tags; /* scratch for cf_budget_eval_add_focus: flat key, value pairs */
    size_t tags_cap;
};

/* ---- calendar ---- */

/* The civil date of day z (Hinnant's civil_from_days). */
static void civil_from_days(long z, long *y, long *m, long *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

/* Writes day z as "YYYY-MM-DD" into buf (16 bytes). */
static void format_day(long z, char *buf)
{
    long y, m, d;
    civil_from_days(z, &y, &m, &d);
    snprintf(buf, 16, "%04d-%02d-%02d", (int)(y % 10000), (int)(m % 100), (int)(d % 100));
}

/* 1 when s is "YYYY-MM" with a month 01-12. */
static int is_period(const char *s)
{
    if (strlen(s) != 7 || s[4] != '-') return 0;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9')) return 0;
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    return m >= 1 && m <= 12;
}

/* ---- parsing ---- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

/* Records "path: expected <what>, found <v>". */
static cf_status bad(cf_error *err, const char *src, const char *path, const char *what, const cJSON *v)
{
    char found[96];
    cf_json_describe(v, found, sizeof found);
    return cf_error_set(err, CF_ERR_INVALID, src, 0, 0, path, "expected %s, found %s", what, found);
}

static int is_comment_key(const char *k) { return k[0] == '_' || !strcmp(k, "comment") || !strcmp(k, "notes"); }

static void rule_free(budget_rule *r)
{
    free(r->name);
    for (size_t k = 0; k < r->n_pairs; k++) {
        free(r->keys[k]);
        free(r->values[k]);
    }
    free(r->keys);
    free(r->values);
    free(r->periods);
    free(r->period_usd);
    free(r->thr);
}

void cf_budget_destroy(cf_budget *b)
{
    if (b == NULL) return;
    for (size_t i = 0; i < b->n; i++) rule_free(&b->r[i]);
    free(b->r);
    free(b);
}

/* Reads a non-negative finite amount at path. */
static cf_status get_amount(const cJSON *v, const char *src, const char *path, double *out, cf_error *err)
{
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0)
        return bad(err, src, path, "a non-negative number of USD", v);
    *out = v->valuedouble;
    return CF_OK;
}

#define NOMEM(err, src) cf_error_set(err, CF_ERR_NOMEM, src, 0, 0, NULL, "out of memory reading the budget file")

/* Parses budgets[i] into r (zeroed by the caller). */
static cf_status parse_rule(const cJSON *o, size_t i, const char *src, budget_rule *r, cf_error *err)
{
    char path[160];
    snprintf(path, sizeof path, "budgets[%zu]", i);
    if (!cJSON_IsObject(o)) return bad(err, src, path, "an object (a tag such as \"team\": \"nlp\", monthly_usd, thresholds)", o);
    r->monthly = NAN;
    size_t nkeys = (size_t)cJSON_GetArraySize(o);
    r->keys = calloc(nkeys + 1, sizeof *r->keys);
    r->values = calloc(nkeys + 1, sizeof *r->values);
    if (!r->keys || !r->values) return NOMEM(err, src);
    const char *name = NULL;
    int have_thr = 0;
    for (const cJSON *c = o->child; c; c = c->next) {
        const char *k = c->string;
        snprintf(path, sizeof path, "budgets[%zu].%.100s", i, k);
        if (is_comment_key(k)) continue;
        if (!strcmp(k, "name")) {
            if (!cJSON_IsString(c) || !c->valuestring[0]) return bad(err, src, path, "a non-empty string", c);
            name = c->valuestring;
        } else if (!strcmp(k, "monthly_usd")) {
            cf_status st = get_amount(c, src, path, &r->monthly, err);
            if (st) return st;
        } else if (!strcmp(k, "periods")) {
            if (!cJSON_IsObject(c)) return bad(err, src, path, "an object of \"YYYY-MM\": USD", c);
            size_t np = (size_t)cJSON_GetArraySize(c);
            r->periods = calloc(np + 1, sizeof *r->periods);
            r->period_usd = calloc(np + 1, sizeof *r->period_usd);
            if (!r->periods || !r->period_usd) return NOMEM(err, src);
            for (const cJSON *p = c->child; p; p = p->next) {
                snprintf(path, sizeof path, "budgets[%zu].periods.%.60s", i, p->string);
                if (!is_period(p->string)) {
                    cJSON key = {0};
                    key.type = cJSON_String;
                    key.valuestring = p->string;
                    return bad(err, src, path, "a key \"YYYY-MM\" (a calendar month)", &key);
                }
                for (size_t j = 0; j < r->n_periods; j++)
                    if (!strcmp(r->periods[j], p->string))
                        return cf_error_set(err, CF_ERR_INVALID, src, 0, 0, path, "period \"%s\" given twice", p->string);
                cf_status st = get_amount(p, src, path, &r->period_usd[r->n_periods], err);
                if (st) return st;
                memcpy(r->periods[r->n_periods], p->string, 8);
                r->n_periods++;
            }
        } else if (!strcmp(k, "thresholds")) {
            have_thr = 1;
            if (!cJSON_IsArray(c) || cJSON_GetArraySize(c) == 0 || cJSON_GetArraySize(c) > 16)
                return bad(err, src, path, "an array of 1 to 16 fractions of the budget such as [0.5, 0.8, 1.0]", c);
            size_t nt = (size_t)cJSON_GetArraySize(c);
            r->thr = calloc(nt, sizeof *r->thr);
            if (!r->thr) return NOMEM(err, src);
            for (const cJSON *t = c->child; t; t = t->next) {
                snprintf(path, sizeof path, "budgets[%zu].thresholds[%zu]", i, r->n_thr);
                if (!cJSON_IsNumber(t) || !(t->valuedouble > 0 && t->valuedouble <= 10))
                    return bad(err, src, path, "a fraction of the budget in (0, 10] (1.0 = the whole budget)", t);
                if (r->n_thr > 0 && !(t->valuedouble > r->thr[r->n_thr - 1]))
                    return bad(err, src, path, "thresholds in ascending order", t);
                r->thr[r->n_thr++] = t->valuedouble;
            }
        } else {
            if (!cJSON_IsString(c))
                return bad(err, src, path,
                           "a string (a tag value of the group; the other fields are name, monthly_usd, periods, "
                           "thresholds)",
                           c);
            r->keys[r->n_pairs] = dup_str(k);
            r->values[r->n_pairs] = dup_str(c->valuestring);
            if (!r->keys[r->n_pairs] || !r->values[r->n_pairs]) {
                r->n_pairs++;
                return NOMEM(err, src);
            }
            r->n_pairs++;
        }
    }
    if (isnan(r->monthly) && r->n_periods == 0) {
        snprintf(path, sizeof path, "budgets[%zu].monthly_usd", i);
        return cf_error_set(err, CF_ERR_INVALID, src, 0, 0, path,
                            "missing the amount: expected \"monthly_usd\" (USD per calendar month) or \"periods\" "
                            "({\"YYYY-MM\": USD}), found neither");
    }
    if (!have_thr) {
        r->thr = malloc(sizeof *r->thr);
        if (!r->thr) return NOMEM(err, src);
        r->thr[0] = 1.0;
        r->n_thr = 1;
    }
    if (name) {
        r->name = dup_str(name);
    } else if (r->n_pairs == 0) {
        r->name = dup_str("(all)");
    } else {
        size_t len = 1;
        for (size_t k = 0; k < r->n_pairs; k++) len += strlen(r->keys[k]) + strlen(r->values[k]) + 2;
        r->name = malloc(len);
        if (r->name) {
            r->name[0] = '\0';
            for (size_t k = 0; k < r->n_pairs; k++) {
                if (k) strcat(r->name, ",");
                strcat(r->name, r->keys[k]);
                strcat(r->name, "=");
                strcat(r->name, r->values[k]);
            }
        }
    }
    if (!r->name) return NOMEM(err, src);
    return CF_OK;
}

cf_status cf_budget_parse(const char *json, size_t len, const char *source, cf_budget **out, cf_error *err)
{
    const char *src = source ? source : "budget";
    if (out) *out = NULL;
    if (json == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, src, 0, 0, NULL, "NULL argument");
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (root == NULL && cf_json_syntax_ok(json, len, 1, CJSON_NESTING_LIMIT)) return NOMEM(err, src);
    if (root == NULL) {
        const char *at = end ? end : cJSON_GetErrorPtr();
        long line = 1, col = 1;
        if (at != NULL && at >= json && at <= json + len) {
            for (const char *p = json; p < at; p++) {
                if (*p == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
        } else {
            line = col = 0;
        }
        return cf_error_set(err, CF_ERR_PARSE, src, line, col, NULL,
                            "the budget file is not valid JSON (syntax error near line %ld, column %ld)", line, col);
    }
    cf_status st = CF_OK;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "budgets");
    cf_budget *b = calloc(1, sizeof *b);
    if (!b) {
        st = NOMEM(err, src);
        goto done;
    }
    if (!cJSON_IsObject(root)) {
        st = bad(err, src, "(top level)", "an object {\"budgets\": [...]}", root);
        goto done;
    }
    for (const cJSON *c = root->child; c; c = c->next)
        if (strcmp(c->string, "budgets") && !is_comment_key(c->string)) {
            st = cf_error_set(err, CF_ERR_INVALID, src, 0, 0, c->string,
                              "unknown field \"%.60s\": expected \"budgets\" (or a comment key)", c->string);
            goto done;
        }
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0) {
        st = bad(err, src, "budgets", "a non-empty array of budgets", arr);
        goto done;
    }
    size_t n = (size_t)cJSON_GetArraySize(arr);
    b->r = calloc(n, sizeof *b->r);
    if (!b->r) {
        st = NOMEM(err, src);
        goto done;
    }
    size_t i = 0;
    for (const cJSON *o = arr->child; o; o = o->next, i++) {
        b->n = i + 1;
        st = parse_rule(o, i, src, &b->r[i], err);
        if (st) goto done;
    }
done:
    cJSON_Delete(root);
    if (st) {
        cf_budget_destroy(b);
        return st;
    }
    *out = b;
    return CF_OK;
}

size_t cf_budget_count(const cf_budget *b) { return b ? b->n : 0; }
const char *cf_budget_name(const cf_budget *b, size_t i) { return b && i < b->n ? b->r[i].name : NULL; }
size_t cf_budget_pair_count(const cf_budget *b, size_t i) { return b && i < b->n ? b->r[i].n_pairs : 0; }
const char *cf_budget_pair_key(const cf_budget *b, size_t i, size_t k)
{
    return b && i < b->n && k < b->r[i].n_pairs ? b->r[i].keys[k] : NULL;
}
const char *cf_budget_pair_value(const cf_budget *b, size_t i, size_t k)
{
    return b && i < b->n && k < b->r[i].n_pairs ? b->r[i].values[k] : NULL;
}

double cf_budget_amount(const cf_budget *b, size_t i, const char *period)
{
    if (!b || i >= b->n) return NAN;
    const budget_rule *r = &b->r[i];
    for (size_t j = 0; period && j < r->n_periods; j++)
        if (!strcmp(r->periods[j], period)) return r->period_usd[j];
    return r->monthly;
}

int cf_budget_matches(const cf_budget *b, size_t i, const char *const *tags, size_t n)
{
    if (!b || i >= b->n) return 0;
    const budget_rule *r = &b->r[i];
    for (size_t k = 0; k < r->n_pairs; k++) {
        int found = 0;
        for (size_t t = 0; t < n && !found; t++)
            found = tags[2 * t] && tags[2 * t + 1] && !strcmp(tags[2 * t], r->keys[k]) &&
                    !strcmp(tags[2 * t + 1], r->values[k]);
        if (!found) return 0;
    }
    return 1;
}

const char *cf_budget_level_name(cf_budget_level l)
{
    switch (l) {
    case CF_BUDGET_POSSIBLE: return "possible";
    case CF_BUDGET_FORECAST: return "forecast";
    case CF_BUDGET_CROSSED: return "crossed";
    default: return "ok";
    }
}

/* ---- evaluation ---- */

cf_status cf_budget_eval_create(const cf_budget *b, const char *as_of, double level, cf_budget_eval **out,
                                cf_error *err)
{
    if (out) *out = NULL;
    if (!b || !out || !as_of) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "NULL argument");
    long day;
    if (!cf_catalog_parse_date(as_of, &day))
        return cf_error_set(err, CF_ERR_INVALID, "--as-of", 0, 0, NULL, "expected a date YYYY-MM-DD, found \"%.40s\"",
                            as_of);
    if (level == 0) level = 0.95;
    if (!(level > 0 && level < 1))
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, "level", "expected a level in (0, 1), found %g", level);
    cf_budget_eval *ev = calloc(1, sizeof *ev);
    if (!ev) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    ev->acc = calloc(b->n ? b->n : 1, sizeof *ev->acc);
    if (!ev->acc) {
        free(ev);
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    long y, m, d;
    civil_from_days(day, &y, &m, &d);
    ev->b = b;
    ev->as_of_day = day;
    ev->first_day = day - (d - 1);
    long ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
    ev->days_in_month = cf_days_from_civil(ny, nm, 1) - ev->first_day;
    snprintf(ev->period, sizeof ev->period, "%04d-%02d", (int)(y % 10000), (int)(m % 100));
    ev->level = level;
    *out = ev;
    return CF_OK;
}

static void free_results(cf_budget_eval *ev)
{
    for (size_t i = 0; i < ev->n_alerts; i++) free(ev->alerts[i]);
    free(ev->alerts);
    ev->alerts = NULL;
    ev->n_alerts = 0;
    for (size_t i = 0; ev->acc && i < ev->b->n; i++) {
        free(ev->acc[i].thr);
        ev->acc[i].thr = NULL;
    }
    ev->finished = 0;
}

void cf_budget_eval_destroy(cf_budget_eval *ev)
{
    if (!ev) return;
    free_results(ev);
    free(ev->acc);
    free(ev->tags);
    free(ev);
}

cf_status cf_budget_eval_add(cf_budget_eval *ev, long day, const char *const *tags, size_t n, double cost)
{
    if (!ev || (n && !tags) || !isfinite(cost)) return CF_ERR_ARG;
    ev->rows++;
    if (day < ev->first_day || day > ev->as_of_day) {
        ev->outside++;
        return CF_OK;
    }
    size_t k = (size_t)(day - ev->first_day);
    for (size_t i = 0; i < ev->b->n; i++)
        if (cf_budget_matches(ev->b, i, tags, n)) {
            ev->acc[i].day_usd[k] += cost;
            ev->acc[i].rows++;
        }
    return CF_OK;
}

cf_status cf_budget_eval_add_focus(cf_budget_eval *ev, const cf_focus_row *row, int use_billed, size_t *non_usd)
{
    if (!ev || !row) return CF_ERR_ARG;
    if (row->billing_currency && strcmp(row->billing_currency, "USD") != 0) {
        if (non_usd) (*non_usd)++;
        return CF_OK;
    }
    size_t n = 0;
    if (row->tags) {
        size_t want = (size_t)cJSON_GetArraySize(row->tags) * 2;
        if (want > ev->tags_cap) {
            const char **t = realloc(ev->tags, want * sizeof *t);
            if (!t) return CF_ERR_NOMEM;
            ev->tags = t;
            ev->tags_cap = want;
        }
        for (const cJSON *t = row->tags->child; t; t = t->next)
            if (cJSON_IsString(t)) {
                ev->tags[2 * n] = t->string;
                ev->tags[2 * n + 1] = t->valuestring;
                n++;
            }
    }
    double cost = use_billed ? row->billed_cost : row->effective_cost;
    if (!isfinite(cost) || !isfinite(row->charge_start)) return CF_OK;
    return cf_budget_eval_add(ev, (long)floor(row->charge_start / 86400.0), ev->tags, n, cost);
}

size_t cf_budget_eval_rows(const cf_budget_eval *ev) { return ev ? ev->rows : 0; }
size_t cf_budget_eval_rows_outside(const cf_budget_eval *ev) { return ev ? ev->outside : 0; }

/* Appends a formatted alert sentence; 0 on allocation failure. */
static int add_alert(cf_budget_eval *ev, const char *text)
{
    char **p = realloc(ev->alerts, (ev->n_alerts + 1) * sizeof *p);
    if (!p) return 0;
    ev->alerts = p;
    p[ev->n_alerts] = dup_str(text);
    if (!p[ev->n_alerts]) return 0;
    ev->n_alerts++;
    return 1;
}

cf_status cf_budget_eval_finish(cf_budget_eval *ev, cf_error *err)
{
    if (!ev) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "NULL evaluation");
    cf_gsl_quiet();
    free_results(ev);
    long d = ev->as_of_day - ev->first_day + 1, D = ev->days_in_month, r = D - d;
    char as_of[16];
    format_day(ev->as_of_day, as_of);
    for (size_t i = 0; i < ev->b->n; i++) {
        rule_acc *a = &ev->acc[i];
        const budget_rule *rule = &ev->b->r[i];
        cf_budget_result *res = &a->res;
        memset(res, 0, sizeof *res);
        memcpy(a->period, ev->period, sizeof a->period);
        res->name = rule->name;
        res->period = a->period;
        res->budget_usd = cf_budget_amount(ev->b, i, ev->period);
        res->days_elapsed = d;
        res->days_in_period = D;
        res->rows = a->rows;
        double S = 0;
        for (long k = 0; k < d; k++) S += a->day_usd[k];
        double mean = S / (double)d;
        double ss = 0;
        for (long k = 0; k < d; k++) ss += (a->day_usd[k] - mean) * (a->day_usd[k] - mean);
        res->spend_usd = S;
        res->burn_usd_per_day = mean;
        res->forecast_usd = S + (double)r * mean;
        res->daily_sd_usd = res->forecast_low_usd = res->forecast_high_usd = NAN;
        if (d >= 2) {
            double s = sqrt(ss / (double)(d - 1));
            double t = gsl_cdf_tdist_Pinv(0.5 + ev->level / 2, (double)(d - 1));
            double half = t * s * sqrt((double)r + (double)r * (double)r / (double)d);
            res->daily_sd_usd = s;
            res->forecast_low_usd = fmax(S, res->forecast_usd - half);
            res->forecast_high_usd = res->forecast_usd + half;
        }
        double B = res->budget_usd;
        res->used_fraction = B > 0 ? S / B : NAN;
        res->forecast_fraction = B > 0 ? res->forecast_usd / B : NAN;
        if (isnan(B)) continue;
        a->thr = calloc(rule->n_thr, sizeof *a->thr);
        if (!a->thr) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
        res->threshold_count = rule->n_thr;
        res->thresholds = a->thr;
        for (size_t k = 0; k < rule->n_thr; k++) {
            cf_budget_threshold *th = &a->thr[k];
            th->fraction = rule->thr[k];
            th->amount_usd = rule->thr[k] * B;
            char text[600];
            text[0] = '\0';
            if (S >= th->amount_usd) {
                th->level = CF_BUDGET_CROSSED;
                double cum = 0;
                long when = d - 1;
                for (long j = 0; j < d; j++) {
                    cum += a->day_usd[j];
                    if (cum >= th->amount_usd) {
                        when = j;
                        break;
                    }
                }
                format_day(ev->first_day + when, a->reach[k]);
                th->reach_date = a->reach[k];
                snprintf(text, sizeof text,
                         "budget %s: spend %.2f USD to %s has crossed %g%% of %.2f USD (%.2f USD) on %s", rule->name,
                         S, as_of, 100 * th->fraction, B, th->amount_usd, th->reach_date);
            } else if (res->forecast_usd >= th->amount_usd) {
                th->level = CF_BUDGET_FORECAST;
                /* The first day k (d < k <= D) with S + (k - d) m >= amount. */
                long extra = mean > 0 ? (long)ceil((th->amount_usd - S) / mean - 1e-12) : r;
                if (extra < 1) extra = 1;
                if (extra > r) extra = r;
                format_day(ev->as_of_day + extra, a->reach[k]);
                th->reach_date = a->reach[k];
                snprintf(text, sizeof text,
                         "budget %s: forecast %.2f USD for %s (burn rate %.2f USD/day) will cross %g%% of %.2f USD "
                         "(%.2f USD) around %s",
                         rule->name, res->forecast_usd, ev->period, mean, 100 * th->fraction, B, th->amount_usd,
                         th->reach_date);
            } else if (res->forecast_high_usd >= th->amount_usd) {
                th->level = CF_BUDGET_POSSIBLE;
            } else {
                th->level = CF_BUDGET_OK;
            }
            if (text[0]) {
                res->alert = 1;
                if (!add_alert(ev, text)) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
            }
        }
    }
    ev->finished = 1;
    return CF_OK;
}

size_t cf_budget_eval_count(const cf_budget_eval *ev) { return ev && ev->finished ? ev->b->n : 0; }
const cf_budget_result *cf_budget_eval_result(const cf_budget_eval *ev, size_t i)
{
    return ev && ev->finished && i < ev->b->n ? &ev->acc[i].res : NULL;
}
int cf_budget_eval_alert(const cf_budget_eval *ev) { return ev && ev->n_alerts > 0; }
size_t cf_budget_eval_alert_count(const cf_budget_eval *ev) { return ev ? ev->n_alerts : 0; }
const char *cf_budget_eval_alert_text(const cf_budget_eval *ev, size_t i)
{
    return ev && i < ev->n_alerts ? ev->alerts[i] : NULL;
}

/* Adds key: x rounded to 10 significant digits (deterministic text), or null when x is not finite. */
static int add_num(cJSON *o, const char *key, double x)
{
    if (!isfinite(x)) return cJSON_AddNullToObject(o, key) != NULL;
    char buf[40];
    snprintf(buf, sizeof buf, "%.10g", x);
    return cJSON_AddNumberToObject(o, key, strtod(buf, NULL)) != NULL;
}

cf_status cf_budget_eval_to_json(const cf_budget_eval *ev, char **out, cf_error *err)
{
    if (out) *out = NULL;
    if (!ev || !out || !ev->finished)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "an evaluation finished with cf_budget_eval_finish");
    char as_of[16];
    format_day(ev->as_of_day, as_of);
    cJSON *root = cJSON_CreateObject();
    int ok = root && cJSON_AddStringToObject(root, "as_of", as_of) && cJSON_AddStringToObject(root, "period", ev->period) &&
             add_num(root, "level", ev->level) &&
             cJSON_AddStringToObject(root, "method",
                                     "mean daily spend; prediction interval S + r m +/- t(d-1) s sqrt(r + r^2/d)") &&
             cJSON_AddNumberToObject(root, "rows", (double)ev->rows) &&
             cJSON_AddNumberToObject(root, "rows_outside_period", (double)ev->outside) &&
             cJSON_AddBoolToObject(root, "alert", ev->n_alerts > 0);
    cJSON *arr = ok ? cJSON_AddArrayToObject(root, "budgets") : NULL;
    ok = ok && arr;
    for (size_t i = 0; ok && i < ev->b->n; i++) {
        const cf_budget_result *r = &ev->acc[i].res;
        const budget_rule *rule = &ev->b->r[i];
        cJSON *o = cJSON_CreateObject();
        ok = o && cJSON_AddItemToArray(arr, o);
        if (!ok) {
            cJSON_Delete(o);
            break;
        }
        cJSON *g = cJSON_AddObjectToObject(o, "group");
        ok = cJSON_AddStringToObject(o, "name", r->name) && g;
        for (size_t k = 0; ok && k < rule->n_pairs; k++) ok = cJSON_AddStringToObject(g, rule->keys[k], rule->values[k]) != NULL;
        ok = ok && add_num(o, "budget_usd", r->budget_usd) &&
             cJSON_AddNumberToObject(o, "days_elapsed", (double)r->days_elapsed) &&
             cJSON_AddNumberToObject(o, "days_in_period", (double)r->days_in_period) &&
             cJSON_AddNumberToObject(o, "rows", (double)r->rows) && add_num(o, "spend_usd", r->spend_usd) &&
             add_num(o, "burn_usd_per_day", r->burn_usd_per_day) && add_num(o, "daily_sd_usd", r->daily_sd_usd) &&
             add_num(o, "forecast_usd", r->forecast_usd) && add_num(o, "forecast_low_usd", r->forecast_low_usd) &&
             add_num(o, "forecast_high_usd", r->forecast_high_usd) && add_num(o, "used_fraction", r->used_fraction) &&
             add_num(o, "forecast_fraction", r->forecast_fraction) && cJSON_AddBoolToObject(o, "alert", r->alert);
        cJSON *ts = ok ? cJSON_AddArrayToObject(o, "thresholds") : NULL;
        ok = ok && ts;
        for (size_t k = 0; ok && k < r->threshold_count; k++) {
            const cf_budget_threshold *t = &r->thresholds[k];
            cJSON *to = cJSON_CreateObject();
            ok = to && cJSON_AddItemToArray(ts, to);
            if (!ok) {
                cJSON_Delete(to);
                break;
            }
            ok = add_num(to, "fraction", t->fraction) && add_num(to, "amount_usd", t->amount_usd) &&
                 cJSON_AddStringToObject(to, "level", cf_budget_level_name(t->level)) &&
                 (t->reach_date ? cJSON_AddStringToObject(to, "reach_date", t->reach_date)
                                : cJSON_AddNullToObject(to, "reach_date")) != NULL;
        }
    }
    cJSON *al = ok ? cJSON_AddArrayToObject(root, "alerts") : NULL;
    ok = ok && al;
    for (size_t i = 0; ok && i < ev->n_alerts; i++) {
        cJSON *s = cJSON_CreateString(ev->alerts[i]);
        ok = s && cJSON_AddItemToArray(al, s);
        if (!ok) cJSON_Delete(s);
    }
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    size_t n = strlen(text);
    char *t2 = realloc(text, n + 2);
    if (!t2) {
        free(text);
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    t2[n] = '\n';
    t2[n + 1] = '\0';
    *out = t2;
    return CF_OK;
}
