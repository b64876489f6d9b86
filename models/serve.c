/* costfront: serving plans for inference runs and the managed-API break-even (see include/costfront/serve.h).
 *
 * Sizing follows the usual capacity-planning rule of serving at a target utilisation below 1 to leave queueing
 * headroom (e.g. Harchol-Balter, "Performance Modeling and Design of Computer Systems", 2013, ch. 14: response time
 * grows as 1 / (1 - rho)); the hybrid is the TCO model's owned-baseline-plus-bursts decision (docs/tco.md) solved
 * hour by hour over the daily profile (the minimum over every base fleet, found among the hourly replica counts).
 */
#include "costfront/serve.h"
#include "costfront/tco.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

extern const char cf_default_catalog_json[];

#define DAYS_PER_MONTH (CF_TCO_HOURS_PER_MONTH / 24.0)
#define MAX_REPLICAS   1000000

struct cf_serve_plan {
    cf_serve_demand demand;
    double tokens_per_month;
    double peak_factor;
    cf_serve_candidate *cand;
    size_t n, skipped, other_model;
    /* per candidate: owned server fixed cost a month and electricity per busy server-hour (NaN: unavailable) */
    double *owned_fixed, *owned_elec_per_hour;
    cf_api_offer *api_all; /* every offer read */
    size_t n_api_all;
    cf_serve_api *api; /* those of the model class */
    size_t n_api;
    char model_class[48];
    cJSON *api_root; /* owns the strings of api_all */
    int has_best;
    size_t best_c;
    cf_procurement best_o;
};

void cf_serve_demand_default(cf_serve_demand *d)
{
    if (d == NULL) return;
    memset(d, 0, sizeof *d);
    d->tokens_per_day = d->requests_per_s = d->tokens_per_request = NAN;
    for (int h = 0; h < 24; h++) d->profile[h] = 1.0 / 24.0;
    d->peak_tokens_per_s = NAN;
    d->target_utilization = CF_SERVE_TARGET_UTILIZATION;
    d->input_output_ratio = NAN;
    d->slo_p99_ms = d->slo_ttft_ms = d->slo_tpot_ms = NAN;
}

cf_status cf_serve_demand_parse_rate(cf_serve_demand *d, const char *text, cf_error *err)
{
    if (d == NULL || text == NULL) return cf_error_set(err, CF_ERR_ARG, "--demand", 0, 0, NULL, "no demand given");
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || !isfinite(v) || v <= 0)
        return cf_error_set(err, CF_ERR_INVALID, "--demand", 0, 0, "demand",
                            "expected a positive number followed by tokens/day or requests/s, found '%s'", text);
    while (*end == ' ') end++;
    if (*end == '\0' || !strcasecmp(end, "tokens/day") || !strcasecmp(end, "tokens/d") || !strcasecmp(end, "tok/day")) {
        d->tokens_per_day = v;
        d->requests_per_s = NAN;
        return CF_OK;
    }
    if (!strcasecmp(end, "requests/s") || !strcasecmp(end, "req/s") || !strcasecmp(end, "rps")) {
        d->requests_per_s = v;
        d->tokens_per_day = NAN;
        return CF_OK;
    }
    return cf_error_set(err, CF_ERR_INVALID, "--demand", 0, 0, "demand",
                        "expected the unit tokens/day or requests/s after the number, found '%s'", end);
}

cf_status cf_serve_demand_parse_profile(cf_serve_demand *d, const char *text, cf_error *err)
{
    if (d == NULL || text == NULL) return cf_error_set(err, CF_ERR_ARG, "--profile", 0, 0, NULL, "no profile given");
    double p[24];
    const char *s = text;
    int k = 0;
    for (;;) {
        char *end = NULL;
        double v = strtod(s, &end);
        if (end == s || !isfinite(v) || v < 0)
            return cf_error_set(err, CF_ERR_INVALID, "--profile", 0, 0, "profile",
                                "expected 24 non-negative hourly shares separated by commas, found '%s' at share %d",
                                text, k + 1);
        if (k == 24)
            return cf_error_set(err, CF_ERR_INVALID, "--profile", 0, 0, "profile",
                                "expected 24 hourly shares, found more");
        p[k++] = v;
        while (*end == ' ') end++;
        if (*end == '\0') break;
        if (*end != ',')
            return cf_error_set(err, CF_ERR_INVALID, "--profile", 0, 0, "profile",
                                "expected ',' between shares, found '%c'", *end);
        s = end + 1;
    }
    if (k != 24)
        return cf_error_set(err, CF_ERR_INVALID, "--profile", 0, 0, "profile", "expected 24 hourly shares, found %d",
                            k);
    memcpy(d->profile, p, sizeof p);
    return CF_OK;
}

/* Computes 1-based line and column of byte offset off in text. */
static void offset_to_line(const char *text, size_t off, long *line, long *col)
{
    long l = 1, c = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* Reads an optional number at key of obj into *out (null keeps it); the JSON path is prefix + key. */
static cf_status opt_number(const cJSON *obj, const char *key, const char *prefix, double lo, int lo_open, double *out,
                            const char *source, cf_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (v == NULL || cJSON_IsNull(v)) return CF_OK;
    char path[64];
    snprintf(path, sizeof path, "%s%s", prefix, key);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || (lo_open ? v->valuedouble <= lo : v->valuedouble < lo))
        return cf_error_set(
            err, CF_ERR_INVALID, source, 0, 0, path, "expected a number %s %g, found %s", lo_open ? ">" : ">=", lo,
            cJSON_IsNumber(v) ? "a number out of range" : (cJSON_IsString(v) ? "a string" : "another type"));
    *out = v->valuedouble;
    return CF_OK;
}

/* Rejects keys of obj not in allowed (NULL-terminated); path prefix names the object in the message. */
static cf_status check_keys(const cJSON *obj, const char *const *allowed, const char *prefix, const char *source,
                            cf_error *err)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        int ok = 0;
        for (size_t i = 0; allowed[i]; i++)
            if (!strcmp(it->string, allowed[i])) ok = 1;
        if (!ok) {
            char path[96];
            snprintf(path, sizeof path, "%s%s", prefix, it->string);
            char list[256] = "";
            for (size_t i = 0; allowed[i]; i++) {
                if (i) strncat(list, ", ", sizeof list - strlen(list) - 1);
                strncat(list, allowed[i], sizeof list - strlen(list) - 1);
            }
            return cf_error_set(err, CF_ERR_INVALID, source, 0, 0, path, "unknown field (expected one of: %s)", list);
        }
    }
    return CF_OK;
}

cf_status cf_serve_demand_load_string(cf_serve_demand *d, const char *json, const char *source, cf_error *err)
{
    if (d == NULL || json == NULL) return cf_error_set(err, CF_ERR_ARG, source, 0, 0, NULL, "no demand text");
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(json, &end, 1);
    if (root == NULL) {
        long line = 0, col = 0;
        offset_to_line(json, end ? (size_t)(end - json) : 0, &line, &col);
        return cf_error_set(err, CF_ERR_PARSE, source, line, col, NULL, "the demand is not valid JSON");
    }
    cf_serve_demand t = *d;
    cf_status st = CF_OK;
    static const char *const keys[] = {"name",
                                       "description",
                                       "tokens_per_day",
                                       "requests_per_s",
                                       "tokens_per_request",
                                       "profile",
                                       "peak_tokens_per_s",
                                       "target_utilization",
                                       "input_output_ratio",
                                       "model_class",
                                       "slo",
                                       NULL};
    static const char *const slo_keys[] = {"p99_ms", "ttft_ms", "tpot_ms", NULL};
    if (!cJSON_IsObject(root)) {
        st = cf_error_set(err, CF_ERR_INVALID, source, 0, 0, "(root)", "expected a JSON object");
        goto out;
    }
    if ((st = check_keys(root, keys, "", source, err)) != CF_OK) goto out;
    if ((st = opt_number(root, "tokens_per_day", "", 0, 1, &t.tokens_per_day, source, err)) != CF_OK) goto out;
    if ((st = opt_number(root, "requests_per_s", "", 0, 1, &t.requests_per_s, source, err)) != CF_OK) goto out;
    if ((st = opt_number(root, "tokens_per_request", "", 0, 1, &t.tokens_per_request, source, err)) != CF_OK) goto out;
    if ((st = opt_number(root, "peak_tokens_per_s", "", 0, 1, &t.peak_tokens_per_s, source, err)) != CF_OK) goto out;
    if ((st = opt_number(root, "target_utilization", "", 0, 1, &t.target_utilization, source, err)) != CF_OK) goto out;
    if ((st = opt_number(root, "input_output_ratio", "", 0, 1, &t.input_output_ratio, source, err)) != CF_OK) goto out;
    const cJSON *mc = cJSON_GetObjectItemCaseSensitive(root, "model_class");
    if (mc && !cJSON_IsNull(mc)) {
        if (!cJSON_IsString(mc) || strlen(mc->valuestring) >= sizeof t.model_class) {
            st = cf_error_set(err, CF_ERR_INVALID, source, 0, 0, "model_class",
                              "expected a string such as \"70B-class\" (under 48 bytes)");
            goto out;
        }
        snprintf(t.model_class, sizeof t.model_class, "%s", mc->valuestring);
    }
    const cJSON *prof = cJSON_GetObjectItemCaseSensitive(root, "profile");
    if (prof && !cJSON_IsNull(prof)) {
        if (!cJSON_IsArray(prof) || cJSON_GetArraySize(prof) != 24) {
            st = cf_error_set(err, CF_ERR_INVALID, source, 0, 0, "profile",
                              "expected an array of 24 hourly shares, found %s",
                              cJSON_IsArray(prof) ? "another length" : "another type");
            goto out;
        }
        int h = 0;
        for (const cJSON *it = prof->child; it; it = it->next, h++) {
            if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < 0) {
                char path[32];
                snprintf(path, sizeof path, "profile[%d]", h);
                st = cf_error_set(err, CF_ERR_INVALID, source, 0, 0, path, "expected a share >= 0");
                goto out;
            }
            t.profile[h] = it->valuedouble;
        }
    }
    const cJSON *slo = cJSON_GetObjectItemCaseSensitive(root, "slo");
    if (slo && !cJSON_IsNull(slo)) {
        if (!cJSON_IsObject(slo)) {
            st =
                cf_error_set(err, CF_ERR_INVALID, source, 0, 0, "slo", "expected an object {p99_ms, ttft_ms, tpot_ms}");
            goto out;
        }
        if ((st = check_keys(slo, slo_keys, "slo.", source, err)) != CF_OK) goto out;
        if ((st = opt_number(slo, "p99_ms", "slo.", 0, 1, &t.slo_p99_ms, source, err)) != CF_OK) goto out;
        if ((st = opt_number(slo, "ttft_ms", "slo.", 0, 1, &t.slo_ttft_ms, source, err)) != CF_OK) goto out;
        if ((st = opt_number(slo, "tpot_ms", "slo.", 0, 1, &t.slo_tpot_ms, source, err)) != CF_OK) goto out;
    }
    *d = t;
out:
    cJSON_Delete(root);
    return st;
}

cf_status cf_serve_demand_validate(cf_serve_demand *d, cf_error *err)
{
    if (d == NULL) return cf_error_set(err, CF_ERR_ARG, "demand", 0, 0, NULL, "no demand");
    if (!(d->tokens_per_day > 0)) {
        if (d->requests_per_s > 0 && d->tokens_per_request > 0)
            d->tokens_per_day = d->requests_per_s * d->tokens_per_request * 86400.0;
        else if (d->requests_per_s > 0)
            return cf_error_set(err, CF_ERR_INVALID, "demand", 0, 0, "tokens_per_request",
                                "expected tokens per request (> 0) with a demand in requests/s, found none");
        else
            return cf_error_set(err, CF_ERR_INVALID, "demand", 0, 0, "tokens_per_day",
                                "expected a demand: tokens_per_day, or requests_per_s with tokens_per_request");
    }
    if (!isfinite(d->tokens_per_day) || d->tokens_per_day > 1e18)
        return cf_error_set(err, CF_ERR_INVALID, "demand", 0, 0, "tokens_per_day",
                            "expected at most 1e18 tokens a day, found %g", d->tokens_per_day);
    double sum = 0;
    for (int h = 0; h < 24; h++) {
        if (!(d->profile[h] >= 0) || !isfinite(d->profile[h]))
            return cf_error_set(err, CF_ERR_INVALID, "demand", 0, 0, "profile", "expected shares >= 0");
        sum += d->profile[h];
    }
    if (!(sum > 0))
        return cf_error_set(err, CF_ERR_INVALID, "demand", 0, 0, "profile",
                            "expected hourly shares with a positive sum, found all zero");
    for (int h = 0; h < 24; h++) d->profile[h] /= sum;
    if (!(d->target_utilization > 0 && d->target_utilization <= 1))
        return cf_error_set(err, CF_ERR_INVALID, "demand", 0, 0, "target_utilization",
                            "expected a number in (0, 1], found %g", d->target_utilization);
    double maxmean = 0;
    for (int h = 0; h < 24; h++) maxmean = fmax(maxmean, d->tokens_per_day * d->profile[h] / 3600.0);
    if (isfinite(d->peak_tokens_per_s) && d->peak_tokens_per_s < maxmean * (1 - 1e-12))
        return cf_error_set(err, CF_ERR_INVALID, "demand", 0, 0, "peak_tokens_per_s",
                            "expected a peak at least the busiest hour's mean rate %.6g tokens/s, found %.6g", maxmean,
                            d->peak_tokens_per_s);
    if (!(d->input_output_ratio > 0)) d->input_output_ratio = NAN;
    return CF_OK;
}

char *cf_serve_model_class(const char *model, char *buf, size_t n)
{
    if (model == NULL || buf == NULL || n == 0) return NULL;
    /* The first number directly followed by 'b' or 'B' and then a non-letter ("70b-99", "8B", "3.1-8b"). */
    for (const char *p = model; *p; p++) {
        if (!isdigit((unsigned char)*p) || (p > model && (isdigit((unsigned char)p[-1]) || p[-1] == '.'))) continue;
        /* "8x7b" is a mixture of experts: its size is not 7B, and no class is guessed. */
        if (p > model + 1 && (p[-1] == 'x' || p[-1] == 'X') && isdigit((unsigned char)p[-2])) return NULL;
        char *end = NULL;
        double v = strtod(p, &end);
        if (end && (*end == 'b' || *end == 'B') && !isalpha((unsigned char)end[1]) && v > 0) {
            double cls = v;
            if (v >= 6 && v <= 9)
                cls = 8;
            else if (v >= 65 && v <= 75)
                cls = 70;
            snprintf(buf, n, "%gB-class", cls);
            return buf;
        }
    }
    return NULL;
}

/* Replicas that carry rate tokens/s at per-replica capacity cap tokens/s: ceil(rate / cap), guarded against
 * rounding (3.0000000001 replicas is 3). */
static int replicas_for(double rate, double cap)
{
    if (!(rate > 0)) return 0;
    double x = rate / cap;
    double c = ceil(x - 1e-9);
    if (c < 1) c = 1;
    if (c > MAX_REPLICAS) return MAX_REPLICAS + 1;
    return (int)c;
}

/* The owned server of one replica, priced by the TCO model: a plan for hardware hw with num_gpus GPUs a server in
 * region (may be NULL). Fills fixed cost a month and electricity per busy server-hour; returns 0 and a reason when
 * the TCO model cannot price it (e.g. the catalog has no purchase price). */
static int owned_rates(const cf_catalog *cat, const char *hw, double num_gpus, const char *region, double *fixed,
                       double *elec_per_hour, char *reason, size_t n)
{
    *fixed = *elec_per_hour = NAN;
    if (!(num_gpus >= 1 && num_gpus <= 1024 && num_gpus == floor(num_gpus))) {
        snprintf(reason, n, "a replica of %g accelerators is not a whole server of 1..1024", num_gpus);
        return 0;
    }
    cJSON *p = cJSON_CreateObject();
    if (p == NULL) return 0;
    cJSON_AddNumberToObject(p, "horizon_months", 12);
    cJSON_AddNumberToObject(p, "demand_gpu_hours_per_month", num_gpus * CF_TCO_HOURS_PER_MONTH * 0.5);
    cJSON_AddStringToObject(p, "hardware", hw);
    if (region && cf_catalog_region(cat, region)) cJSON_AddStringToObject(p, "region", region);
    cJSON *op = cJSON_AddObjectToObject(p, "on_prem");
    cJSON_AddNumberToObject(op, "gpus_per_server", num_gpus);
    cJSON_AddNumberToObject(op, "servers", 1);
    char *text = cJSON_PrintUnformatted(p);
    cJSON_Delete(p);
    if (text == NULL) return 0;
    cf_plan *plan = cf_plan_create();
    cf_tco_result *res = NULL;
    cf_error e;
    cf_error_clear(&e);
    int ok = plan && cf_plan_load_string(plan, text, "owned server", cat, &e) == CF_OK &&
             cf_tco_evaluate(plan, cat, &res, &e) == CF_OK;
    if (ok) {
        cf_tco_server_month sm;
        cf_tco_result_server_month(res, &sm);
        *fixed = sm.fixed_usd;
        *elec_per_hour = sm.electricity_full_usd / CF_TCO_HOURS_PER_MONTH;
        ok = isfinite(*fixed) && isfinite(*elec_per_hour);
        if (!ok) snprintf(reason, n, "the TCO model gave no owned-server cost");
    } else {
        if (snprintf(reason, n, "owned server not priced: %s%s%s", e.field[0] ? e.field : "", e.field[0] ? ": " : "",
                     e.message) >= (int)n)
            reason[n - 1] = '\0'; /* a long message is cut */
    }
    cf_tco_result_destroy(res);
    cf_plan_destroy(plan);
    free(text);
    return ok;
}

/* Sizes candidate c for tokens_per_day (the plan's profile, peak factor and utilisation) and prices every option.
 * prices[o] is the list price per accelerator-hour of the cloud options (NaN: none). */
static void price_candidate(const cf_serve_plan *plan, size_t ci, const double prices[CF_PROC_COUNT],
                            const char *const reasons[CF_PROC_COUNT], double tokens_per_day, cf_serve_candidate *c)
{
    const cf_serve_demand *d = &plan->demand;
    double cap = c->tokens_per_s * d->target_utilization;
    double G = c->num_gpus;
    double w[24]; /* busy replica-hours in hour h (one day) */
    int peak = 0, trough = MAX_REPLICAS + 1;
    double work_day = 0;
    for (int h = 0; h < 24; h++) {
        double mean = tokens_per_day * d->profile[h] / 3600.0;
        c->replicas[h] = replicas_for(mean * plan->peak_factor, cap);
        w[h] = mean / c->tokens_per_s;
        work_day += w[h];
        if (c->replicas[h] > peak) peak = c->replicas[h];
        if (c->replicas[h] < trough) trough = c->replicas[h];
    }
    c->replicas_peak = peak;
    c->replicas_trough = trough;
    double tokens_month = tokens_per_day * DAYS_PER_MONTH;
    double work_month = work_day * DAYS_PER_MONTH;
    double fixed = plan->owned_fixed[ci], elec = plan->owned_elec_per_hour[ci];
    for (int o = 0; o < CF_PROC_COUNT; o++) {
        cf_serve_option *op = &c->options[o];
        memset(op, 0, sizeof *op);
        op->option = (cf_procurement)o;
        op->price_per_gpu_hour = NAN;
        op->monthly_usd = op->cost_per_1m_tokens_usd = op->gpu_hours = op->utilization = NAN;
        op->burst_gpu_hours = NAN;
        op->base = op->burst = (cf_procurement)o;
    }
    if (peak > MAX_REPLICAS) {
        for (int o = 0; o < CF_PROC_COUNT; o++)
            snprintf(c->options[o].reason, sizeof c->options[o].reason, "more than %d replicas at peak", MAX_REPLICAS);
        return;
    }
    /* Autoscaled cloud options: sum over hours of replicas x G accelerator-hours, every day of the month. */
    double replica_hours_auto = 0;
    for (int h = 0; h < 24; h++) replica_hours_auto += c->replicas[h];
    replica_hours_auto *= DAYS_PER_MONTH;
    for (int o = CF_PROC_ON_DEMAND; o <= CF_PROC_RESERVED_3Y; o++) {
        cf_serve_option *op = &c->options[o];
        if (!isfinite(prices[o])) {
            snprintf(op->reason, sizeof op->reason, "%s", reasons[o] ? reasons[o] : "no price");
            continue;
        }
        int autoscaled = o == CF_PROC_ON_DEMAND || o == CF_PROC_SPOT;
        double rh = autoscaled ? replica_hours_auto : (double)peak * CF_TCO_HOURS_PER_MONTH;
        op->available = 1;
        op->price_per_gpu_hour = prices[o];
        op->gpu_hours = rh * G;
        op->monthly_usd = op->gpu_hours * prices[o];
        op->utilization = rh > 0 ? work_month / rh : NAN;
    }
    cf_serve_option *own = &c->options[CF_PROC_ON_PREM];
    if (isfinite(fixed)) {
        own->available = 1;
        own->gpu_hours = (double)peak * CF_TCO_HOURS_PER_MONTH * G;
        own->monthly_usd = peak * fixed + elec * work_month;
        own->utilization = peak > 0 ? work_month / (peak * CF_TCO_HOURS_PER_MONTH) : NAN;
    } else {
        snprintf(own->reason, sizeof own->reason, "%s", reasons[CF_PROC_ON_PREM] ? reasons[CF_PROC_ON_PREM] : "");
    }
    /* Hybrid: base kind b (fixed cost a replica-month, plus owned electricity on the work the base does) with
     * bursts on k for the replicas above the base each hour; B over 0..peak, the cheapest kept (ties: smaller B,
     * then the earlier base and burst kinds). */
    cf_serve_option *hy = &c->options[CF_PROC_HYBRID];
    const cf_procurement bases[3] = {CF_PROC_RESERVED_1Y, CF_PROC_RESERVED_3Y, CF_PROC_ON_PREM};
    const cf_procurement bursts[2] = {CF_PROC_ON_DEMAND, CF_PROC_SPOT};
    /* The cost is linear in B between consecutive distinct hourly replica counts (the burst hours and the base's
     * share of each hour's work are), so the minimum over 0..peak is at 0 or at one of those counts: searching
     * them, ascending, gives the exhaustive search's answer with its tie rule (smaller B first). */
    int levels[25], nb = 0;
    levels[nb++] = 0;
    for (int h = 0; h < 24; h++) {
        int v = c->replicas[h], seen = 0;
        for (int k = 0; k < nb; k++) seen |= levels[k] == v;
        if (!seen) levels[nb++] = v;
    }
    for (int i = 1; i < nb; i++)
        for (int j = i; j > 0 && levels[j - 1] > levels[j]; j--) {
            int t = levels[j];
            levels[j] = levels[j - 1];
            levels[j - 1] = t;
        }
    double best = INFINITY;
    for (int bi = 0; bi < 3; bi++) {
        cf_procurement b = bases[bi];
        double cb = b == CF_PROC_ON_PREM ? fixed : (isfinite(prices[b]) ? prices[b] * G * CF_TCO_HOURS_PER_MONTH : NAN);
        if (!isfinite(cb)) continue;
        for (int ki = 0; ki < 2; ki++) {
            cf_procurement k = bursts[ki];
            if (!isfinite(prices[k])) continue;
            double pk = prices[k] * G; /* per replica-hour */
            for (int bi2 = 0; bi2 < nb; bi2++) {
                int B = levels[bi2];
                double burst_rh = 0, base_work = 0;
                for (int h = 0; h < 24; h++) {
                    int nh = c->replicas[h];
                    if (nh > B) burst_rh += nh - B;
                    if (nh > 0) base_work += w[h] * (nh < B ? nh : B) / nh;
                }
                burst_rh *= DAYS_PER_MONTH;
                base_work *= DAYS_PER_MONTH;
                double cost = B * cb + burst_rh * pk + (b == CF_PROC_ON_PREM ? elec * base_work : 0);
                if (cost < best * (1 - 1e-12)) {
                    best = cost;
                    hy->available = 1;
                    hy->monthly_usd = cost;
                    hy->base_replicas = B;
                    hy->base = b;
                    hy->burst = k;
                    hy->price_per_gpu_hour = prices[k];
                    hy->burst_gpu_hours = burst_rh * G;
                    hy->gpu_hours = (B * CF_TCO_HOURS_PER_MONTH + burst_rh) * G;
                    double paid_rh = B * CF_TCO_HOURS_PER_MONTH + burst_rh;
                    hy->utilization = paid_rh > 0 ? work_month / paid_rh : NAN;
                }
            }
        }
    }
    if (!hy->available) snprintf(hy->reason, sizeof hy->reason, "needs a reserved or owned base and a burst price");
    for (int o = 0; o < CF_PROC_COUNT; o++)
        if (c->options[o].available)
            c->options[o].cost_per_1m_tokens_usd = c->options[o].monthly_usd / (tokens_month / 1e6);
    c->best = CF_PROC_COUNT;
    for (int o = 0; o < CF_PROC_COUNT; o++)
        if (c->options[o].available &&
            (c->best == CF_PROC_COUNT || c->options[o].monthly_usd < c->options[c->best].monthly_usd * (1 - 1e-12)))
            c->best = (cf_procurement)o;
}

/* Cloud list prices of a candidate's hardware (the run's provider/region, else opts', else the cheapest offer). */
static void cloud_prices(const cf_catalog *cat, const cf_run *r, const cf_pricing_opts *opts,
                         double prices[CF_PROC_COUNT], char reasons[CF_PROC_COUNT][160])
{
    for (int o = 0; o < CF_PROC_COUNT; o++) {
        prices[o] = NAN;
        reasons[o][0] = '\0';
    }
    for (int o = CF_PROC_ON_DEMAND; o <= CF_PROC_RESERVED_3Y; o++) {
        cf_price p;
        cf_error e;
        cf_error_clear(&e);
        if (cf_price_hours(cat, r->hardware, r->provider, r->region, 1.0, (cf_procurement)o, opts, &p, &e) == CF_OK &&
            isfinite(p.price_per_hour))
            prices[o] = p.price_per_hour;
        else
            snprintf(reasons[o], 160, "no %s price for %s in the catalog", cf_procurement_name((cf_procurement)o),
                     r->hardware ? r->hardware : "?");
    }
}

/* Which latency bound run r breaks, written into why; 0 when it meets every bound of d. */
static int slo_fails(const cf_serve_demand *d, const cf_run *r, char *why, size_t n)
{
    struct {
        double bound, value;
        const char *name;
    } b[3] = {{d->slo_p99_ms, r->latency_p99_ms, "p99 latency"},
              {d->slo_ttft_ms, r->ttft_ms, "TTFT"},
              {d->slo_tpot_ms, r->tpot_ms, "TPOT"}};
    for (int i = 0; i < 3; i++) {
        if (!isfinite(b[i].bound)) continue;
        if (!isfinite(b[i].value)) {
            snprintf(why, n, "SLO: the run reports no %s (bound %g ms)", b[i].name, b[i].bound);
            return 1;
        }
        if (b[i].value > b[i].bound) {
            snprintf(why, n, "SLO: %s %g ms > %g ms", b[i].name, b[i].value, b[i].bound);
            return 1;
        }
    }
    return 0;
}

double cf_serve_plan_cost_at(const cf_serve_plan *plan, size_t ci, double tokens_per_month)
{
    if (plan == NULL || ci >= plan->n || !(tokens_per_month > 0)) return NAN;
    cf_serve_candidate c = plan->cand[ci];
    double prices[CF_PROC_COUNT];
    const char *reasons[CF_PROC_COUNT] = {0};
    for (int o = 0; o < CF_PROC_COUNT; o++)
        prices[o] = o <= CF_PROC_RESERVED_3Y && plan->cand[ci].options[o].available
                        ? plan->cand[ci].options[o].price_per_gpu_hour
                        : NAN;
    /* Candidates whose sizing failed (too many replicas) still carry their cloud prices in price_per_gpu_hour
     * only when available; that is enough for the break-even search, which scales volumes down. */
    price_candidate(plan, ci, prices, reasons, tokens_per_month / DAYS_PER_MONTH, &c);
    return c.best < CF_PROC_COUNT ? c.options[c.best].monthly_usd : NAN;
}

/* Reads the "api_offers" array of a catalog JSON text into plan->api_all. A missing section is no offer; a bad
 * entry is an error naming its JSON path. */
static cf_status load_api(cf_serve_plan *plan, const char *json, const char *source, cf_error *err)
{
    plan->api_root = cJSON_Parse(json);
    if (plan->api_root == NULL)
        return cf_error_set(err, CF_ERR_PARSE, source, 0, 0, NULL, "the catalog is not valid JSON");
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(plan->api_root, "api_offers");
    if (arr == NULL) return CF_OK;
    if (!cJSON_IsArray(arr)) return cf_error_set(err, CF_ERR_INVALID, source, 0, 0, "api_offers", "expected an array");
    size_t n = (size_t)cJSON_GetArraySize(arr);
    plan->api_all = calloc(n ? n : 1, sizeof *plan->api_all);
    if (plan->api_all == NULL) return cf_error_set(err, CF_ERR_NOMEM, source, 0, 0, NULL, "out of memory");
    size_t i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        char path[64];
        const char *sk[] = {"provider", "model", "model_class", "source", "as_of"};
        const char **dst[] = {&plan->api_all[i].provider, &plan->api_all[i].model, &plan->api_all[i].model_class,
                              &plan->api_all[i].source, &plan->api_all[i].as_of};
        for (int k = 0; k < 5; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, sk[k]);
            snprintf(path, sizeof path, "api_offers[%zu].%s", i, sk[k]);
            if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
                return cf_error_set(err, CF_ERR_INVALID, source, 0, 0, path, "expected a non-empty string");
            *dst[k] = v->valuestring;
        }
        long days;
        if (!cf_catalog_parse_date(plan->api_all[i].as_of, &days)) {
            snprintf(path, sizeof path, "api_offers[%zu].as_of", i);
            return cf_error_set(err, CF_ERR_INVALID, source, 0, 0, path, "expected a date YYYY-MM-DD, found '%s'",
                                plan->api_all[i].as_of);
        }
        const char *nk[] = {"usd_per_1m_input", "usd_per_1m_output"};
        double *nd[] = {&plan->api_all[i].usd_per_1m_input, &plan->api_all[i].usd_per_1m_output};
        for (int k = 0; k < 2; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, nk[k]);
            snprintf(path, sizeof path, "api_offers[%zu].%s", i, nk[k]);
            if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0)
                return cf_error_set(err, CF_ERR_INVALID, source, 0, 0, path,
                                    "expected a price >= 0 (USD per 1M tokens)");
            *nd[k] = v->valuedouble;
        }
    }
    plan->n_api_all = n;
    return CF_OK;
}

/* Smallest tokens a month at which candidate c (its cheapest option) costs no more than price_1m per 1M tokens:
 * the first of a log grid (10^4 .. 10^16, 20 points a decade) where it does, refined by bisection against the last
 * grid point where it did not. +inf when it never does on the grid. */
static double breakeven(const cf_serve_plan *plan, size_t c, double price_1m)
{
    double prev = NAN;
    for (int k = 0; k <= 240; k++) {
        double v = pow(10.0, 4.0 + k / 20.0);
        double self = cf_serve_plan_cost_at(plan, c, v);
        if (isfinite(self) && self <= v / 1e6 * price_1m) {
            if (!isfinite(prev)) return v;
            double lo = prev, hi = v;
            for (int it = 0; it < 60; it++) {
                double mid = 0.5 * (lo + hi);
                double s = cf_serve_plan_cost_at(plan, c, mid);
                if (isfinite(s) && s <= mid / 1e6 * price_1m)
                    hi = mid;
                else
                    lo = mid;
            }
            return hi;
        }
        prev = v;
    }
    return INFINITY;
}

cf_status cf_serve_plan_build(const cf_catalog *cat, const cf_runset *rs, const cf_serve_demand *d,
                              const cf_pricing_opts *opts, const char *api_json, cf_serve_plan **out, cf_error *err)
{
    if (out) *out = NULL;
    if (cat == NULL || rs == NULL || d == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, "serve", 0, 0, NULL, "catalog, runs, demand and out must not be NULL");
    cf_pricing_opts defaults;
    if (opts == NULL) {
        cf_pricing_opts_default(&defaults);
        opts = &defaults;
    }
    cf_serve_plan *plan = calloc(1, sizeof *plan);
    if (plan == NULL) return cf_error_set(err, CF_ERR_NOMEM, "serve", 0, 0, NULL, "out of memory");
    cf_status st = CF_OK;
    plan->demand = *d;
    if ((st = cf_serve_demand_validate(&plan->demand, err)) != CF_OK) goto fail;
    const cf_serve_demand *dd = &plan->demand;
    plan->tokens_per_month = dd->tokens_per_day * DAYS_PER_MONTH;
    double maxmean = 0;
    for (int h = 0; h < 24; h++) maxmean = fmax(maxmean, dd->tokens_per_day * dd->profile[h] / 3600.0);
    plan->peak_factor =
        isfinite(dd->peak_tokens_per_s) && maxmean > 0 ? fmax(1.0, dd->peak_tokens_per_s / maxmean) : 1.0;
    size_t nr = cf_runset_size(rs);
    plan->cand = calloc(nr ? nr : 1, sizeof *plan->cand);
    plan->owned_fixed = calloc(nr ? nr : 1, sizeof(double));
    plan->owned_elec_per_hour = calloc(nr ? nr : 1, sizeof(double));
    if (!plan->cand || !plan->owned_fixed || !plan->owned_elec_per_hour) {
        st = cf_error_set(err, CF_ERR_NOMEM, "serve", 0, 0, NULL, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < nr; i++) {
        const cf_run *r = cf_runset_get(rs, i);
        if (r->work_unit != CF_WORK_TOKENS || !(r->tokens_per_s > 0) || !(r->num_gpus > 0) || r->hardware == NULL) {
            plan->skipped++;
            continue;
        }
        if (dd->model[0] && (r->model == NULL || strcmp(r->model, dd->model) != 0)) {
            plan->other_model++;
            continue;
        }
        size_t ci = plan->n++;
        cf_serve_candidate *c = &plan->cand[ci];
        c->run_index = i;
        c->run_id = r->run_id;
        c->hardware = r->hardware;
        c->model = r->model;
        c->precision = r->precision;
        c->num_gpus = r->num_gpus;
        c->tokens_per_s = r->tokens_per_s;
        c->accuracy = r->accuracy;
        c->gpu_hours_per_1m_tokens = cf_gpu_hours_per_1m(r->num_gpus, r->tokens_per_s);
        double prices[CF_PROC_COUNT];
        char reasons[CF_PROC_COUNT][160];
        cloud_prices(cat, r, opts, prices, reasons);
        const char *region = r->region ? r->region : opts->region;
        if (!owned_rates(cat, r->hardware, r->num_gpus, region, &plan->owned_fixed[ci], &plan->owned_elec_per_hour[ci],
                         reasons[CF_PROC_ON_PREM], sizeof reasons[CF_PROC_ON_PREM]))
            plan->owned_fixed[ci] = plan->owned_elec_per_hour[ci] = NAN;
        const char *rp[CF_PROC_COUNT];
        for (int o = 0; o < CF_PROC_COUNT; o++) rp[o] = reasons[o];
        price_candidate(plan, ci, prices, rp, dd->tokens_per_day, c);
        if (slo_fails(dd, r, c->why, sizeof c->why)) {
            c->feasible = 0;
        } else if (c->best == CF_PROC_COUNT) {
            c->feasible = 0;
            snprintf(c->why, sizeof c->why, "no option priced: %s", c->options[CF_PROC_ON_DEMAND].reason);
        } else {
            c->feasible = 1;
        }
    }
    if (plan->n == 0) {
        st = cf_error_set(err, CF_ERR_EMPTY, "serve", 0, 0, "tokens_per_s",
                          "expected inference runs with tokens_per_s and num_gpus%s%s, found none among %zu runs",
                          dd->model[0] ? " of model " : "", dd->model, nr);
        goto fail;
    }
    /* The cheapest feasible (candidate, option); the others' reasons. */
    for (size_t i = 0; i < plan->n; i++) {
        const cf_serve_candidate *c = &plan->cand[i];
        if (!c->feasible) continue;
        double v = c->options[c->best].monthly_usd;
        if (!plan->has_best || v < plan->cand[plan->best_c].options[plan->best_o].monthly_usd * (1 - 1e-12)) {
            plan->has_best = 1;
            plan->best_c = i;
            plan->best_o = c->best;
        }
    }
    if (plan->has_best) {
        double bv = plan->cand[plan->best_c].options[plan->best_o].monthly_usd;
        for (size_t i = 0; i < plan->n; i++) {
            cf_serve_candidate *c = &plan->cand[i];
            if (!c->feasible || i == plan->best_c) continue;
            double v = c->options[c->best].monthly_usd;
            snprintf(c->why, sizeof c->why,
                     "cost: its cheapest option (%s) is %.6g USD/month, %.6g more (+%.1f%%) than %s %s",
                     cf_procurement_name(c->best), v, v - bv, bv > 0 ? 100 * (v - bv) / bv : 0.0,
                     plan->cand[plan->best_c].run_id, cf_procurement_name(plan->best_o));
        }
    }
    /* API offers of the model class. */
    if ((st = load_api(plan, api_json ? api_json : cf_default_catalog_json, api_json ? "catalog" : "default catalog",
                       err)) != CF_OK)
        goto fail;
    if (dd->model_class[0])
        snprintf(plan->model_class, sizeof plan->model_class, "%s", dd->model_class);
    else
        for (size_t i = 0; i < plan->n && !plan->model_class[0]; i++)
            cf_serve_model_class(plan->cand[i].model, plan->model_class, sizeof plan->model_class);
    plan->api = calloc(plan->n_api_all ? plan->n_api_all : 1, sizeof *plan->api);
    if (plan->api == NULL) {
        st = cf_error_set(err, CF_ERR_NOMEM, "serve", 0, 0, NULL, "out of memory");
        goto fail;
    }
    double ratio = isfinite(dd->input_output_ratio) ? dd->input_output_ratio : 1.0;
    for (size_t k = 0; k < plan->n_api_all && plan->model_class[0]; k++) {
        const cf_api_offer *o = &plan->api_all[k];
        if (strcasecmp(o->model_class, plan->model_class) != 0) continue;
        cf_serve_api *a = &plan->api[plan->n_api++];
        a->offer = o;
        a->usd_per_1m_blended = (ratio * o->usd_per_1m_input + o->usd_per_1m_output) / (ratio + 1);
        a->monthly_usd = plan->tokens_per_month / 1e6 * a->usd_per_1m_blended;
        if (plan->has_best) {
            a->breakeven_tokens_per_month = breakeven(plan, plan->best_c, a->usd_per_1m_blended);
            a->self_hosting_cheaper = plan->cand[plan->best_c].options[plan->best_o].monthly_usd <= a->monthly_usd;
        } else {
            a->breakeven_tokens_per_month = NAN;
        }
    }
    *out = plan;
    return CF_OK;
fail:
    cf_serve_plan_destroy(plan);
    return st;
}

void cf_serve_plan_destroy(cf_serve_plan *plan)
{
    if (plan == NULL) return;
    free(plan->cand);
    free(plan->owned_fixed);
    free(plan->owned_elec_per_hour);
    free(plan->api_all);
    free(plan->api);
    cJSON_Delete(plan->api_root);
    free(plan);
}

const cf_serve_demand *cf_serve_plan_demand(const cf_serve_plan *plan) { return plan ? &plan->demand : NULL; }
double cf_serve_plan_tokens_per_month(const cf_serve_plan *plan) { return plan ? plan->tokens_per_month : NAN; }
double cf_serve_plan_peak_factor(const cf_serve_plan *plan) { return plan ? plan->peak_factor : NAN; }
size_t cf_serve_plan_count(const cf_serve_plan *plan) { return plan ? plan->n : 0; }
size_t cf_serve_plan_skipped(const cf_serve_plan *plan) { return plan ? plan->skipped : 0; }
size_t cf_serve_plan_other_model(const cf_serve_plan *plan) { return plan ? plan->other_model : 0; }
size_t cf_serve_plan_api_count(const cf_serve_plan *plan) { return plan ? plan->n_api : 0; }
const char *cf_serve_plan_model_class(const cf_serve_plan *plan)
{
    return plan && plan->model_class[0] ? plan->model_class : NULL;
}

const cf_serve_candidate *cf_serve_plan_candidate(const cf_serve_plan *plan, size_t i)
{
    return plan && i < plan->n ? &plan->cand[i] : NULL;
}

const cf_serve_api *cf_serve_plan_api(const cf_serve_plan *plan, size_t i)
{
    return plan && i < plan->n_api ? &plan->api[i] : NULL;
}

int cf_serve_plan_best(const cf_serve_plan *plan, size_t *cand, cf_procurement *opt)
{
    if (plan == NULL || !plan->has_best) return 0;
    if (cand) *cand = plan->best_c;
    if (opt) *opt = plan->best_o;
    return 1;
}
