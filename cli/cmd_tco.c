/* costfront tco: prices a procurement plan's demand under every way of buying compute (models/tco.c). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "costfront/tco.h"
#include "plan_common.h"

static void help(void)
{
    printf("usage: costfront tco --plan FILE [--format table|json] [--mc N] [--seed S] [--set PATH=VALUE]...\n\n"
           "Prices a plan's monthly demand of accelerator-hours (docs/tco.md) under on-demand, spot, 1- and 3-year\n"
           "reservations, owned servers (on_prem) and a hybrid: totals, NPV, cost per useful GPU-hour, energy,\n"
           "carbon and its shadow price; the owned server's cost per server-month; breakevens of on-prem against\n"
           "each cloud option; the best hybrid baseline and reservation levels; a tornado and a Monte Carlo.\n\n"
           "  --plan FILE             the plan (JSON; examples in examples/plans/); required\n"
           "  --format F              table (default) or json\n"
           "  --out FILE              write to FILE (atomically) instead of standard output\n"
           "  --set PATH=VALUE        override one numeric field by its JSON path (repeatable), e.g.\n"
           "                          --set discount_rate_annual=0.08 --set on_prem.pue=1.3\n"
           "  --metric M              npv_with_carbon (default), npv, total_with_carbon or total: what the\n"
           "                          tornado, the Monte Carlo and the headline compare\n"
           "  --mc N                  Monte Carlo samples (default %d; 0: none); progress on stderr when it is a\n"
           "                          terminal\n"
           "  --seed S                Monte Carlo seed (default %lu); the same seed gives byte-identical output\n"
           "  --resolved              print the plan with every default filled in (JSON) and exit\n"
           "  --catalog FILE, --catalog-only   the price catalog (cloud prices the plan leaves out)\n"
           "  --quiet                 no notes on stderr\n\n"
           "Exit codes: 0 ok, 1 usage, 2 bad plan (the message names the file, the JSON path, what was expected\n"
           "and what was found).\n\n"
           "Examples:\n"
           "  costfront tco --plan examples/plans/lab-steady-training.json\n"
           "  costfront tco --plan examples/plans/startup-finetune.json --format json --mc 5000 --seed 7\n",
           CF_CLI_MC_SAMPLES, CF_CLI_MC_SEED);
}

enum { OPT_FORMAT = CF_OPT_COMMAND_BASE, OPT_OUT, OPT_SET, OPT_METRIC, OPT_MC, OPT_RESOLVED };

#define MAX_SETS 64

static const char *const metric_names[] = {"total", "npv", "total_with_carbon", "npv_with_carbon"};

/* A growing text buffer for the table. */
typedef struct tbuf {
    char *s;
    size_t len, cap;
    int failed;
} tbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
tb(tbuf *b, const char *fmt, ...)
{
    if (b->failed) return;
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->failed = 1;
            return;
        }
        if (b->s && b->len + (size_t)k < b->cap) {
            b->len += (size_t)k;
            return;
        }
        size_t cap = 2 * (b->cap + (size_t)k + 256);
        char *p = realloc(b->s, cap);
        if (p == NULL) {
            b->failed = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
}

/* v rounded to 10 significant digits, as the other reports print numbers ("%.10g"), so 8063.64 is written
 * 8063.64 and not 8063.6400000000003. */
static double round10(double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.10g", v);
    return strtod(buf, NULL);
}

/* Adds a number rounded to 10 significant digits, or null when it is not finite. */
static void add_num(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, round10(v));
    else
        cJSON_AddNullToObject(o, k);
}

typedef struct tco_out {
    const cf_tco_result *res;
    cf_tco_metric metric;
    const cf_tco_tornado_row *rows;
    size_t nrows;
    double tornado_base;
    const cf_tco_mc_result *mc; /* NULL: no Monte Carlo */
    unsigned long seed;
    const char *plan_path, *plan_name;
    const cf_plan *plan;
} tco_out;

static char *render_json(const tco_out *t)
{
    const cf_tco_result *res = t->res;
    cJSON *root = cJSON_CreateObject();
    if (root == NULL) return NULL;
    cJSON *pl = cJSON_AddObjectToObject(root, "plan");
    cJSON_AddStringToObject(pl, "file", t->plan_path);
    if (t->plan_name)
        cJSON_AddStringToObject(pl, "name", t->plan_name);
    else
        cJSON_AddNullToObject(pl, "name");
    cJSON_AddStringToObject(pl, "hardware", cf_plan_hardware(t->plan) ? cf_plan_hardware(t->plan) : "");
    cJSON_AddNumberToObject(pl, "horizon_months", cf_tco_result_months(res));
    cJSON_AddStringToObject(root, "metric", metric_names[t->metric]);
    cJSON *opts = cJSON_AddArrayToObject(root, "options");
    for (int o = 0; o < CF_PROC_COUNT; o++) {
        cf_tco_option op;
        cf_tco_result_option(res, (cf_procurement)o, &op);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(opts, e);
        cJSON_AddStringToObject(e, "option", cf_procurement_name((cf_procurement)o));
        cJSON_AddBoolToObject(e, "available", op.available);
        cJSON_AddNumberToObject(e, "units", op.units);
        add_num(e, "price_per_gpu_hour", op.price_per_gpu_hour);
        add_num(e, "overhead_fraction", op.overhead_fraction);
        add_num(e, "useful_gpu_hours", op.useful_gpu_hours);
        add_num(e, "billed_gpu_hours", op.billed_gpu_hours);
        add_num(e, "owned_gpu_hours", op.owned_gpu_hours);
        add_num(e, "total_usd", op.total_usd);
        add_num(e, "npv_usd", op.npv_usd);
        add_num(e, "usd_per_gpu_hour", op.cost_per_useful_gpu_hour);
        add_num(e, "levelized_usd_per_gpu_hour", op.levelized_per_gpu_hour);
        add_num(e, "energy_kwh", op.energy_kwh);
        add_num(e, "co2e_operational_kg", op.co2e_operational_kg);
        add_num(e, "co2e_embodied_kg", op.co2e_embodied_kg);
        add_num(e, "co2e_kg", op.co2e_kg);
        add_num(e, "carbon_cost_usd", op.carbon_cost_usd);
        add_num(e, "total_with_carbon_usd", op.total_with_carbon_usd);
        add_num(e, "npv_with_carbon_usd", op.npv_with_carbon_usd);
        cJSON_AddStringToObject(e, "price_source", op.price_source);
        if (op.egress_usd > 0 || op.storage_usd > 0) { /* issue 16: the plan's data section */
            add_num(e, "egress_usd", op.egress_usd);
            add_num(e, "storage_usd", op.storage_usd);
        }
    }
    if (cf_tco_result_data_gravity(res)) cJSON_AddStringToObject(root, "data_gravity", cf_tco_result_data_gravity(res));
    cJSON *ch = cJSON_AddObjectToObject(root, "cheapest");
    for (int m = 0; m < 4; m++)
        cJSON_AddStringToObject(ch, metric_names[m],
                                cf_procurement_name(cf_tco_result_cheapest(res, (cf_tco_metric)m)));
    cf_tco_server_month sm;
    cf_tco_result_server_month(res, &sm);
    cJSON *s = cJSON_AddObjectToObject(root, "server_month");
    add_num(s, "depreciation_usd", sm.depreciation_usd);
    add_num(s, "colocation_usd", sm.colocation_usd);
    add_num(s, "electricity_full_usd", sm.electricity_full_usd);
    add_num(s, "ops_usd", sm.ops_usd);
    add_num(s, "fixed_usd", sm.fixed_usd);
    add_num(s, "total_full_use_usd", sm.total_full_use_usd);
    add_num(s, "usd_per_gpu_hour_full_use", sm.usd_per_gpu_hour_full_use);
    cJSON_AddNumberToObject(s, "servers", sm.servers);
    add_num(s, "mean_utilization", sm.mean_utilization);
    cJSON *be = cJSON_AddArrayToObject(root, "breakeven");
    for (int o = CF_PROC_ON_DEMAND; o <= CF_PROC_RESERVED_3Y; o++) {
        cf_tco_breakeven b;
        cf_tco_result_breakeven(res, (cf_procurement)o, &b);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(be, e);
        cJSON_AddStringToObject(e, "against", cf_procurement_name((cf_procurement)o));
        cJSON_AddBoolToObject(e, "available", b.available);
        add_num(e, "cloud_usd_per_useful_hour", b.cloud_usd_per_useful_hour);
        add_num(e, "utilization", b.utilization_scaling);
        add_num(e, "utilization_full_power", b.utilization_full_power);
        if (b.month > 0)
            cJSON_AddNumberToObject(e, "month", b.month);
        else
            cJSON_AddNullToObject(e, "month");
        if (b.month_discounted > 0)
            cJSON_AddNumberToObject(e, "month_discounted", b.month_discounted);
        else
            cJSON_AddNullToObject(e, "month_discounted");
    }
    cf_tco_hybrid hy;
    cf_tco_result_hybrid(res, &hy);
    cJSON *h = cJSON_AddObjectToObject(root, "hybrid");
    cJSON_AddNumberToObject(h, "servers", hy.servers);
    cJSON_AddNumberToObject(h, "max_servers", hy.max_servers);
    cJSON_AddStringToObject(h, "burst", cf_procurement_name(hy.burst));
    add_num(h, "owned_share", hy.owned_share);
    cJSON_AddStringToObject(h, "metric", metric_names[hy.metric]);
    add_num(h, "objective", hy.objective);
    size_t nc = cf_tco_result_hybrid_curve(res, NULL, 0);
    double *curve = malloc((nc ? nc : 1) * sizeof *curve);
    if (curve) {
        cf_tco_result_hybrid_curve(res, curve, nc);
        cJSON *cv = cJSON_AddArrayToObject(h, "curve");
        for (size_t k = 0; k < nc; k++)
            cJSON_AddItemToArray(cv, isfinite(curve[k]) ? cJSON_CreateNumber(round10(curve[k])) : cJSON_CreateNull());
        free(curve);
    }
    cJSON *rv = cJSON_AddArrayToObject(root, "reservations");
    for (int o = CF_PROC_RESERVED_1Y; o <= CF_PROC_RESERVED_3Y; o++) {
        cf_tco_reservation r;
        cf_tco_result_reservation(res, (cf_procurement)o, &r);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(rv, e);
        cJSON_AddStringToObject(e, "term", cf_procurement_name((cf_procurement)o));
        cJSON_AddBoolToObject(e, "available", r.available);
        cJSON_AddNumberToObject(e, "gpus", r.gpus);
        cJSON_AddNumberToObject(e, "max_gpus", r.max_gpus);
        add_num(e, "reserved_gpu_hours_per_month", r.reserved_gpu_hours_per_month);
        add_num(e, "objective", r.objective);
        add_num(e, "overflow_gpu_hours", r.overflow_gpu_hours);
        add_num(e, "critical_fractile", r.critical_fractile);
        add_num(e, "newsvendor_gpu_hours", r.newsvendor_gpu_hours);
    }
    cJSON *tn = cJSON_AddObjectToObject(root, "tornado");
    cJSON_AddStringToObject(tn, "metric", metric_names[t->metric]);
    cJSON_AddStringToObject(tn, "target", "on_prem_minus_best_cloud");
    add_num(tn, "base", t->tornado_base);
    cJSON *tr = cJSON_AddArrayToObject(tn, "rows");
    for (size_t i = 0; i < t->nrows; i++) {
        const cf_tco_tornado_row *row = &t->rows[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(tr, e);
        cJSON_AddStringToObject(e, "input", cf_tco_input_name(row->input));
        add_num(e, "low_value", row->low_value);
        add_num(e, "base_value", row->base_value);
        add_num(e, "high_value", row->high_value);
        add_num(e, "low", row->diff_low);
        add_num(e, "high", row->diff_high);
        add_num(e, "swing", row->swing);
    }
    if (t->mc) {
        cJSON *m = cJSON_AddObjectToObject(root, "monte_carlo");
        cJSON_AddNumberToObject(m, "samples", (double)t->mc->n);
        cJSON_AddNumberToObject(m, "seed", (double)t->seed);
        cJSON_AddStringToObject(m, "metric", metric_names[t->mc->metric]);
        cJSON_AddStringToObject(m, "distribution", "triangular");
        cJSON *mo = cJSON_AddArrayToObject(m, "options");
        for (int o = 0; o < CF_PROC_COUNT; o++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddItemToArray(mo, e);
            cJSON_AddStringToObject(e, "option", cf_procurement_name((cf_procurement)o));
            add_num(e, "mean", t->mc->mean[o]);
            add_num(e, "p10", t->mc->p10[o]);
            add_num(e, "p50", t->mc->p50[o]);
            add_num(e, "p90", t->mc->p90[o]);
            add_num(e, "p_cheapest", t->mc->p_cheapest[o]);
        }
    } else {
        cJSON_AddNullToObject(root, "monte_carlo");
    }
    char *text = cf_cli_json_text(root);
    cJSON_Delete(root);
    return text;
}

/* Writes "-" for a missing number, else the value with prec decimals. */
static const char *num(char *buf, size_t n, double v, int prec)
{
    if (!isfinite(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.*f", prec, v);
    return buf;
}

static char *render_table(const tco_out *t)
{
    const cf_tco_result *res = t->res;
    tbuf b = {0};
    char a[8][48];
    int months = cf_tco_result_months(res);
    cf_tco_server_month sm;
    cf_tco_result_server_month(res, &sm);
    cf_tco_option od;
    cf_tco_result_option(res, CF_PROC_ON_DEMAND, &od);
    tb(&b, "Plan %s (%s): %s, %d months, %.0f GPU-hours demanded\n\n", t->plan_name ? t->plan_name : "-", t->plan_path,
       cf_plan_hardware(t->plan) ? cf_plan_hardware(t->plan) : "-", months, od.useful_gpu_hours);
    tb(&b, "%-12s %5s %14s %14s %10s %12s %12s %14s %14s\n", "option", "units", "total USD", "NPV USD", "USD/GPU-h",
       "CO2e kg", "carbon USD", "total+carbon", "NPV+carbon");
    for (int o = 0; o < CF_PROC_COUNT; o++) {
        cf_tco_option op;
        cf_tco_result_option(res, (cf_procurement)o, &op);
        tb(&b, "%-12s %5d %14s %14s %10s %12s %12s %14s %14s%s\n", cf_procurement_name((cf_procurement)o), op.units,
           num(a[0], 48, op.total_usd, 2), num(a[1], 48, op.npv_usd, 2), num(a[2], 48, op.cost_per_useful_gpu_hour, 3),
           num(a[3], 48, op.co2e_kg, 0), num(a[4], 48, op.carbon_cost_usd, 2),
           num(a[5], 48, op.total_with_carbon_usd, 2), num(a[6], 48, op.npv_with_carbon_usd, 2),
           op.available ? "" : "  (no price)");
    }
    /* issue 16: what moving and keeping the plan's data adds to each total. */
    int any_data = 0;
    for (int o = 0; o < CF_PROC_COUNT; o++) {
        cf_tco_option op;
        cf_tco_result_option(res, (cf_procurement)o, &op);
        any_data |= op.egress_usd > 0 || op.storage_usd > 0;
    }
    if (any_data) {
        tb(&b, "\nData (inside total USD):\n");
        for (int o = 0; o < CF_PROC_COUNT; o++) {
            cf_tco_option op;
            cf_tco_result_option(res, (cf_procurement)o, &op);
            if (op.available)
                tb(&b, "  %-12s egress %s, storage %s USD\n", cf_procurement_name((cf_procurement)o),
                   num(a[0], 48, op.egress_usd, 2), num(a[1], 48, op.storage_usd, 2));
        }
    }
    if (cf_tco_result_data_gravity(res)) tb(&b, "Data gravity: %s\n", cf_tco_result_data_gravity(res));
    cf_procurement best = cf_tco_result_cheapest(res, t->metric);
    tb(&b, "\nCheapest by %s: %s\n", metric_names[t->metric], cf_procurement_name(best));
    tb(&b,
       "\nOwned server, per server-month at full use: depreciation %.2f + colocation %.2f + electricity %.2f + "
       "ops %.2f = %.2f USD (%.3f USD per GPU-hour); %d server%s, mean utilisation %.1f%%\n",
       sm.depreciation_usd, sm.colocation_usd, sm.electricity_full_usd, sm.ops_usd, sm.total_full_use_usd,
       sm.usd_per_gpu_hour_full_use, sm.servers, sm.servers == 1 ? "" : "s", 100.0 * sm.mean_utilization);
    tb(&b, "\nOn-prem breakeven against:\n");
    for (int o = CF_PROC_ON_DEMAND; o <= CF_PROC_RESERVED_3Y; o++) {
        cf_tco_breakeven be;
        cf_tco_result_breakeven(res, (cf_procurement)o, &be);
        if (!be.available) {
            tb(&b, "  %-12s no price\n", cf_procurement_name((cf_procurement)o));
            continue;
        }
        char m[32], md[32];
        if (be.month > 0)
            snprintf(m, sizeof m, "month %d", be.month);
        else
            snprintf(m, sizeof m, "never");
        if (be.month_discounted > 0)
            snprintf(md, sizeof md, "month %d", be.month_discounted);
        else
            snprintf(md, sizeof md, "never");
        tb(&b,
           "  %-12s %.3f USD per useful GPU-hour: utilisation %s%% (%s%% at full power), payback %s "
           "(discounted: %s)\n",
           cf_procurement_name((cf_procurement)o), be.cloud_usd_per_useful_hour,
           isfinite(be.utilization_scaling) ? num(a[0], 48, 100 * be.utilization_scaling, 2) : "never ",
           isfinite(be.utilization_full_power) ? num(a[1], 48, 100 * be.utilization_full_power, 2) : "never ", m, md);
    }
    cf_tco_hybrid hy;
    cf_tco_result_hybrid(res, &hy);
    tb(&b, "\nBest hybrid: own %d of up to %d servers, burst on %s, owned share %.1f%% (%s %.2f)\n", hy.servers,
       hy.max_servers, cf_procurement_name(hy.burst), 100 * hy.owned_share, metric_names[hy.metric], hy.objective);
    for (int o = CF_PROC_RESERVED_1Y; o <= CF_PROC_RESERVED_3Y; o++) {
        cf_tco_reservation r;
        cf_tco_result_reservation(res, (cf_procurement)o, &r);
        if (!r.available) continue;
        tb(&b,
           "Best %s level: %d of up to %d GPUs, %.0f GPU-hours overflow on-demand (%s %.2f); newsvendor "
           "fractile %.3f -> %.0f GPU-hours a month\n",
           cf_procurement_name((cf_procurement)o), r.gpus, r.max_gpus, r.overflow_gpu_hours, metric_names[hy.metric],
           r.objective, r.critical_fractile, r.newsvendor_gpu_hours);
    }
    tb(&b, "\nTornado: on-prem minus the best cloud option (%s; base %s USD)\n", metric_names[t->metric],
       num(a[0], 48, t->tornado_base, 2));
    tb(&b, "  %-16s %12s %12s %12s %14s %14s %14s\n", "input", "low", "base", "high", "at low", "at high", "swing");
    for (size_t i = 0; i < t->nrows; i++) {
        const cf_tco_tornado_row *r = &t->rows[i];
        tb(&b, "  %-16s %12.6g %12.6g %12.6g %14s %14s %14s\n", cf_tco_input_name(r->input), r->low_value,
           r->base_value, r->high_value, num(a[0], 48, r->diff_low, 2), num(a[1], 48, r->diff_high, 2),
           num(a[2], 48, r->swing, 2));
    }
    if (t->mc) {
        tb(&b, "\nMonte Carlo: %zu samples, seed %lu, %s\n", t->mc->n, t->seed, metric_names[t->mc->metric]);
        tb(&b, "  %-12s %14s %14s %14s %12s\n", "option", "P10", "P50", "P90", "P(cheapest)");
        for (int o = 0; o < CF_PROC_COUNT; o++)
            tb(&b, "  %-12s %14s %14s %14s %11s%%\n", cf_procurement_name((cf_procurement)o),
               num(a[0], 48, t->mc->p10[o], 2), num(a[1], 48, t->mc->p50[o], 2), num(a[2], 48, t->mc->p90[o], 2),
               num(a[3], 48, 100 * t->mc->p_cheapest[o], 1));
    }
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* The plan's "name" read from its file (the resolved dump does not keep it); malloc'd, NULL when absent. */
static char *plan_name(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) return NULL;
    size_t cap = 1 << 16, len = 0, k;
    char *json = malloc(cap + 1);
    while (json && (k = fread(json + len, 1, cap - len, fp)) > 0) {
        len += k;
        if (len == cap) {
            char *p = realloc(json, 2 * cap + 1);
            if (p == NULL) {
                free(json);
                json = NULL;
                break;
            }
            json = p;
            cap *= 2;
        }
    }
    fclose(fp);
    if (json == NULL) return NULL;
    json[len] = '\0';
    cJSON *root = cJSON_Parse(json);
    free(json);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(root, "name");
    char *out = cJSON_IsString(n) ? strdup(n->valuestring) : NULL;
    cJSON_Delete(root);
    return out;
}

int cf_cmd_tco(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"plan", required_argument, 0, CF_OPT_PLAN},
                                             {"seed", required_argument, 0, CF_OPT_PLAN_SEED},
                                             {"format", required_argument, 0, OPT_FORMAT},
                                             {"out", required_argument, 0, OPT_OUT},
                                             {"set", required_argument, 0, OPT_SET},
                                             {"metric", required_argument, 0, OPT_METRIC},
                                             {"mc", required_argument, 0, OPT_MC},
                                             {"resolved", no_argument, 0, OPT_RESOLVED},
                                             {"catalog", required_argument, 0, CF_OPT_CATALOG},
                                             {"catalog-only", no_argument, 0, CF_OPT_CATALOG_ONLY},
                                             {"quiet", no_argument, 0, CF_OPT_QUIET},
                                             {0, 0, 0, 0}};
    cf_cli_inputs in;
    cf_cli_inputs_init(&in);
    const char *plan_path = NULL, *format = "table", *out_path = NULL;
    const char *set_paths[MAX_SETS];
    double set_values[MAX_SETS];
    size_t nsets = 0;
    unsigned long seed = CF_CLI_MC_SEED;
    long mc_n = CF_CLI_MC_SAMPLES;
    cf_tco_metric metric = CF_TCO_METRIC_NPV_WITH_CARBON;
    int resolved = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return CF_EXIT_OK;
        case OPT_FORMAT:
            if (strcmp(optarg, "table") && strcmp(optarg, "json"))
                return cf_cli_usage_error("tco", "--format: expected table or json, found '%s'", optarg);
            format = optarg;
            continue;
        case OPT_OUT: out_path = optarg; continue;
        case OPT_SET: {
            char *eq = strchr(optarg, '=');
            if (eq == NULL || eq == optarg)
                return cf_cli_usage_error("tco", "--set: expected PATH=VALUE, found '%s'", optarg);
            if (nsets >= MAX_SETS) return cf_cli_usage_error("tco", "--set: at most %d overrides", MAX_SETS);
            *eq = '\0';
            if (cf_cli_parse_double("--set", eq + 1, &set_values[nsets]) != 0) return CF_EXIT_USAGE;
            set_paths[nsets++] = optarg;
            continue;
        }
        case OPT_METRIC: {
            int found = -1;
            for (int m = 0; m < 4; m++)
                if (!strcmp(optarg, metric_names[m])) found = m;
            if (found < 0)
                return cf_cli_usage_error("tco",
                                          "--metric: expected npv_with_carbon, npv, total_with_carbon or "
                                          "total, found '%s'",
                                          optarg);
            metric = (cf_tco_metric)found;
            continue;
        }
        case OPT_MC:
            if (cf_cli_parse_long("--mc", optarg, &mc_n) != 0) return CF_EXIT_USAGE;
            if (mc_n < 0 || mc_n > 10000000)
                return cf_cli_usage_error("tco", "--mc: expected 0 to 10000000 samples, found '%s'", optarg);
            continue;
        case OPT_RESOLVED: resolved = 1; continue;
        default: break;
        }
        int r = cf_cli_plan_option(c, optarg, &plan_path, &seed);
        if (r == 0) r = cf_cli_inputs_option(&in, c, optarg);
        if (r < 0) return CF_EXIT_USAGE;
        if (r == 0) return cf_cli_usage_error("tco", "unknown option");
    }
    if (optind < argc && plan_path == NULL && optind + 1 == argc) plan_path = argv[optind++];
    if (optind < argc) return cf_cli_usage_error("tco", "unexpected argument '%s'", argv[optind]);
    if (plan_path == NULL) return cf_cli_usage_error("tco", "--plan FILE is required");
    cf_plan *plan = NULL;
    cf_tco_result *res = NULL;
    char *text = NULL, *name = NULL;
    int rc = cf_cli_plan_apply(plan_path, &in, NULL, &plan);
    if (rc != CF_EXIT_OK) goto out;
    cf_error err;
    cf_error_clear(&err);
    for (size_t i = 0; i < nsets; i++) {
        cf_status st = cf_plan_set_number(plan, set_paths[i], set_values[i], in.catalog, &err);
        if (st != CF_OK) {
            if (err.source[0] == '\0') snprintf(err.source, sizeof err.source, "%s", plan_path);
            cf_cli_print_error("--set", &err);
            rc = st == CF_ERR_NOMEM ? CF_EXIT_OUTPUT : CF_EXIT_INPUT;
            goto out;
        }
    }
    if (resolved) {
        cf_status st = cf_plan_resolved_json(plan, in.catalog, &text, &err);
        if (st != CF_OK) {
            cf_cli_print_error(plan_path, &err);
            rc = cf_cli_exit_for(st);
            goto out;
        }
        rc = cf_cli_write_output(out_path, text);
        if (rc == CF_EXIT_OK && (out_path == NULL || !strcmp(out_path, "-"))) fputc('\n', stdout);
        goto out;
    }
    cf_status st = cf_tco_evaluate(plan, in.catalog, &res, &err);
    cf_tco_tornado_row rows[CF_TCO_IN_COUNT];
    double base = NAN;
    if (st == CF_OK)
        st =
            cf_tco_tornado(plan, in.catalog, metric, CF_TCO_TARGET_ONPREM_VS_CLOUD, rows, CF_TCO_IN_COUNT, &base, &err);
    cf_tco_mc_result mc;
    if (st == CF_OK && mc_n > 0) {
        st = cf_cli_plan_monte_carlo(plan, &in, (size_t)mc_n, seed, metric, &mc, &err);
    }
    if (st != CF_OK) {
        cf_cli_print_error(plan_path, &err);
        rc = cf_cli_exit_for(st);
        goto out;
    }
    name = plan_name(plan_path);
    tco_out t = {res, metric, rows, CF_TCO_IN_COUNT, base, mc_n > 0 ? &mc : NULL, seed, plan_path, name, plan};
    text = !strcmp(format, "json") ? render_json(&t) : render_table(&t);
    if (text == NULL) {
        fprintf(stderr, "costfront tco: out of memory\n");
        rc = CF_EXIT_INTERNAL;
        goto out;
    }
    rc = cf_cli_write_output(out_path, text);
out:
    free(text);
    free(name);
    cf_tco_result_destroy(res);
    cf_plan_destroy(plan);
    cf_cli_inputs_free(&in);
    return rc;
}
