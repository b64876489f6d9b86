/* costfront serve: a serving plan for a token demand over inference runs, and managed-API break-even
 * (models/serve.c; parsing and printing only). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "costfront/serve.h"

static void help(void)
{
    printf(
        "usage: costfront serve --runs FILE --demand SPEC [options]\n\n"
        "Sizes replicas of every inference run (tokens_per_s on num_gpus accelerators) for a token demand with a\n"
        "daily profile and peak at a target utilisation, prices a month under on-demand and spot (autoscaled\n"
        "hourly), 1- and 3-year reservations and owned servers (sized to the peak) and a hybrid (a reserved or\n"
        "owned base plus on-demand/spot bursts, base searched), gives the cost per 1M tokens, the cheapest\n"
        "feasible option with the reasons the others lost, and the break-even volume against managed APIs of the\n"
        "same model class (the catalog's api_offers).\n\n"
        "  --runs FILE             inference runs (CSV, JSON, MLPerf Inference summary...); repeatable, or as\n"
        "                          positional arguments\n"
        "  --demand SPEC           \"2e9 tokens/day\", \"30 requests/s\" (with --tokens-per-request), a bare number\n"
        "                          (tokens a day), or a demand JSON file (docs in README, \"Serving plans\")\n"
        "  --tokens-per-request N  input + output tokens of one request\n"
        "  --profile S0,...,S23    24 hourly shares of the day's tokens (any positive sum; default flat)\n"
        "  --peak-tokens-per-s N   the peak rate (default: the busiest hour's mean)\n"
        "  --target-utilization U  in (0, 1], default %.1f\n"
        "  --slo-p99-ms N, --slo-ttft-ms N, --slo-tpot-ms N   latency bounds a run must report and meet\n"
        "  --input-output-ratio R  input tokens per output token, to price APIs (default 1)\n"
        "  --model NAME            only runs of this model (a plan serves one model)\n"
        "  --model-class C         API offers compared, e.g. 70B-class (default: from the runs' model names)\n"
        "  --format F              table (default) or json\n"
        "  --out FILE              write to FILE (atomically) instead of standard output\n\n"
        "%s\n%s\n"
        "Exit codes: 0 ok, 1 usage, 2 bad input (runs or demand; the message names the file and field).\n\n"
        "Examples:\n"
        "  costfront serve --runs examples/inference/summary_results.json --model llama2-70b-99 \\\n"
        "      --demand \"2e9 tokens/day\"\n"
        "  costfront serve --runs examples/inference/summary_results.json --demand examples/inference/demand.json\n",
        CF_SERVE_TARGET_UTILIZATION, cf_cli_run_options_help, cf_cli_catalog_options_help);
}

enum {
    OPT_FORMAT = CF_OPT_COMMAND_BASE,
    OPT_OUT,
    OPT_RUNS,
    OPT_DEMAND,
    OPT_TPR,
    OPT_PROFILE,
    OPT_PEAK,
    OPT_UTIL,
    OPT_SLO_P99,
    OPT_SLO_TTFT,
    OPT_SLO_TPOT,
    OPT_IO_RATIO,
    OPT_CLASS,
    OPT_WHERE_MODEL
};

#define MAX_RUN_FILES 64

/* v rounded to 10 significant digits, so the JSON does not print 8063.6400000000003. */
static double round10(double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.10g", v);
    return strtod(buf, NULL);
}

static void add_num(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, round10(v));
    else if (isinf(v))
        cJSON_AddStringToObject(o, k, v > 0 ? "never" : "-inf");
    else
        cJSON_AddNullToObject(o, k);
}

static char *render_json(const cf_serve_plan *p)
{
    const cf_serve_demand *d = cf_serve_plan_demand(p);
    cJSON *root = cJSON_CreateObject();
    if (root == NULL) return NULL;
    cJSON *dj = cJSON_AddObjectToObject(root, "demand");
    add_num(dj, "tokens_per_day", d->tokens_per_day);
    add_num(dj, "tokens_per_month", cf_serve_plan_tokens_per_month(p));
    add_num(dj, "peak_factor", cf_serve_plan_peak_factor(p));
    add_num(dj, "target_utilization", d->target_utilization);
    cJSON *pr = cJSON_AddArrayToObject(dj, "profile");
    for (int h = 0; h < 24; h++) cJSON_AddItemToArray(pr, cJSON_CreateNumber(round10(d->profile[h])));
    cJSON *slo = cJSON_AddObjectToObject(dj, "slo");
    add_num(slo, "p99_ms", d->slo_p99_ms);
    add_num(slo, "ttft_ms", d->slo_ttft_ms);
    add_num(slo, "tpot_ms", d->slo_tpot_ms);
    cJSON *arr = cJSON_AddArrayToObject(root, "candidates");
    for (size_t i = 0; i < cf_serve_plan_count(p); i++) {
        const cf_serve_candidate *c = cf_serve_plan_candidate(p, i);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        cJSON_AddStringToObject(o, "run_id", c->run_id);
        cJSON_AddStringToObject(o, "hardware", c->hardware);
        cJSON_AddStringToObject(o, "precision", cf_precision_name(c->precision));
        if (c->model) cJSON_AddStringToObject(o, "model", c->model);
        add_num(o, "accuracy", c->accuracy);
        add_num(o, "num_gpus", c->num_gpus);
        add_num(o, "tokens_per_s", c->tokens_per_s);
        add_num(o, "gpu_hours_per_1m_tokens", c->gpu_hours_per_1m_tokens);
        cJSON_AddNumberToObject(o, "replicas_peak", c->replicas_peak);
        cJSON_AddNumberToObject(o, "replicas_trough", c->replicas_trough);
        cJSON *rh = cJSON_AddArrayToObject(o, "replicas_by_hour");
        for (int h = 0; h < 24; h++) cJSON_AddItemToArray(rh, cJSON_CreateNumber(c->replicas[h]));
        cJSON_AddBoolToObject(o, "feasible", c->feasible);
        if (c->feasible) cJSON_AddStringToObject(o, "cheapest_option", cf_procurement_name(c->best));
        cJSON_AddStringToObject(o, "why", c->why);
        cJSON *opts = cJSON_AddArrayToObject(o, "options");
        for (int k = 0; k < CF_PROC_COUNT; k++) {
            const cf_serve_option *op = &c->options[k];
            cJSON *x = cJSON_CreateObject();
            cJSON_AddItemToArray(opts, x);
            cJSON_AddStringToObject(x, "procurement", cf_procurement_name(op->option));
            cJSON_AddBoolToObject(x, "available", op->available);
            if (!op->available) {
                cJSON_AddStringToObject(x, "reason", op->reason);
                continue;
            }
            add_num(x, "monthly_usd", op->monthly_usd);
            add_num(x, "cost_per_1m_tokens_usd", op->cost_per_1m_tokens_usd);
            add_num(x, "gpu_hours_per_month", op->gpu_hours);
            add_num(x, "utilization", op->utilization);
            add_num(x, "price_per_gpu_hour", op->price_per_gpu_hour);
            if (op->option == CF_PROC_HYBRID) {
                cJSON_AddNumberToObject(x, "base_replicas", op->base_replicas);
                cJSON_AddStringToObject(x, "base", cf_procurement_name(op->base));
                cJSON_AddStringToObject(x, "burst", cf_procurement_name(op->burst));
                add_num(x, "burst_gpu_hours_per_month", op->burst_gpu_hours);
            }
        }
    }
    size_t bc;
    cf_procurement bo;
    if (cf_serve_plan_best(p, &bc, &bo)) {
        const cf_serve_candidate *c = cf_serve_plan_candidate(p, bc);
        cJSON *b = cJSON_AddObjectToObject(root, "best");
        cJSON_AddStringToObject(b, "run_id", c->run_id);
        cJSON_AddStringToObject(b, "hardware", c->hardware);
        cJSON_AddStringToObject(b, "precision", cf_precision_name(c->precision));
        cJSON_AddStringToObject(b, "procurement", cf_procurement_name(bo));
        add_num(b, "monthly_usd", c->options[bo].monthly_usd);
        add_num(b, "cost_per_1m_tokens_usd", c->options[bo].cost_per_1m_tokens_usd);
        cJSON_AddNumberToObject(b, "replicas_peak", c->replicas_peak);
    } else {
        cJSON_AddNullToObject(root, "best");
    }
    const char *mc = cf_serve_plan_model_class(p);
    if (mc)
        cJSON_AddStringToObject(root, "model_class", mc);
    else
        cJSON_AddNullToObject(root, "model_class");
    cJSON *apis = cJSON_AddArrayToObject(root, "api_offers");
    for (size_t i = 0; i < cf_serve_plan_api_count(p); i++) {
        const cf_serve_api *a = cf_serve_plan_api(p, i);
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(apis, x);
        cJSON_AddStringToObject(x, "provider", a->offer->provider);
        cJSON_AddStringToObject(x, "model", a->offer->model);
        cJSON_AddStringToObject(x, "model_class", a->offer->model_class);
        add_num(x, "usd_per_1m_input", a->offer->usd_per_1m_input);
        add_num(x, "usd_per_1m_output", a->offer->usd_per_1m_output);
        add_num(x, "usd_per_1m_blended", a->usd_per_1m_blended);
        add_num(x, "monthly_usd", a->monthly_usd);
        add_num(x, "breakeven_tokens_per_month", a->breakeven_tokens_per_month);
        cJSON_AddBoolToObject(x, "self_hosting_cheaper", a->self_hosting_cheaper);
        cJSON_AddStringToObject(x, "source", a->offer->source);
        cJSON_AddStringToObject(x, "as_of", a->offer->as_of);
    }
    char *s = cf_cli_json_text(root);
    cJSON_Delete(root);
    return s;
}

/* A money figure: whole dollars from 1,000 up, else 4 significant digits ("-" when unavailable). */
static const char *money(char *buf, size_t n, double v)
{
    if (!isfinite(v)) return "-";
    if (fabs(v) >= 1000)
        snprintf(buf, n, "%.0f", v);
    else
        snprintf(buf, n, "%.4g", v);
    return buf;
}

static char *render_table(const cf_serve_plan *p)
{
    const cf_serve_demand *d = cf_serve_plan_demand(p);
    char *s = NULL;
    size_t len = 0;
    int bad = 0;
    char a[6][48];
    bad |= cf_cli_cat(
        &s, &len, "Serving plan: %.4g tokens/day (%.4g a month), peak factor %.3g, target utilisation %.2g\n",
        d->tokens_per_day, cf_serve_plan_tokens_per_month(p), cf_serve_plan_peak_factor(p), d->target_utilization);
    bad |= cf_cli_cat(&s, &len, "Monthly cost (USD) by option; cost per 1M tokens of the cheapest option\n\n");
    bad |= cf_cli_cat(&s, &len, "%-18s %-10s %-6s %5s %8s %10s %10s %10s %10s %10s %10s %-12s %9s\n", "run", "hardware",
                      "prec", "gpus", "replicas", "on_demand", "spot", "res_1y", "res_3y", "on_prem", "hybrid",
                      "cheapest", "per 1M");
    for (size_t i = 0; i < cf_serve_plan_count(p); i++) {
        const cf_serve_candidate *c = cf_serve_plan_candidate(p, i);
        char rep[32];
        snprintf(rep, sizeof rep, "%d-%d", c->replicas_trough, c->replicas_peak);
        char m[CF_PROC_COUNT][24];
        for (int k = 0; k < CF_PROC_COUNT; k++) {
            const char *t = money(m[k], sizeof m[k], c->options[k].monthly_usd);
            if (t != m[k]) snprintf(m[k], sizeof m[k], "%s", t);
        }
        bad |= cf_cli_cat(&s, &len, "%-18s %-10s %-6s %5g %8s %10s %10s %10s %10s %10s %10s %-12s %9s\n", c->run_id,
                          c->hardware, cf_precision_name(c->precision), c->num_gpus, rep, m[0], m[1], m[2], m[3], m[4],
                          m[5], c->feasible ? cf_procurement_name(c->best) : "infeasible",
                          c->feasible ? money(a[0], sizeof a[0], c->options[c->best].cost_per_1m_tokens_usd) : "-");
    }
    size_t bc;
    cf_procurement bo;
    if (cf_serve_plan_best(p, &bc, &bo)) {
        const cf_serve_candidate *c = cf_serve_plan_candidate(p, bc);
        const cf_serve_option *o = &c->options[bo];
        bad |= cf_cli_cat(&s, &len,
                          "\nCheapest feasible: %s (%s %s, %g accelerators a replica) on %s: %s USD/month, %s USD per "
                          "1M tokens, %d replicas at peak, utilisation %.0f%%",
                          c->run_id, c->hardware, cf_precision_name(c->precision), c->num_gpus, cf_procurement_name(bo),
                          money(a[1], sizeof a[1], o->monthly_usd), money(a[2], sizeof a[2], o->cost_per_1m_tokens_usd),
                          c->replicas_peak, 100 * o->utilization);
        if (bo == CF_PROC_HYBRID)
            bad |= cf_cli_cat(&s, &len, " (base %d replicas %s, bursts on %s)", o->base_replicas,
                              cf_procurement_name(o->base), cf_procurement_name(o->burst));
        bad |= cf_cli_cat(&s, &len, "\n");
    } else {
        bad |= cf_cli_cat(&s, &len, "\nNo run is feasible for this demand.\n");
    }
    bad |= cf_cli_cat(&s, &len, "Why the others lost:\n");
    for (size_t i = 0; i < cf_serve_plan_count(p); i++) {
        const cf_serve_candidate *c = cf_serve_plan_candidate(p, i);
        if (c->why[0]) bad |= cf_cli_cat(&s, &len, "  %s: %s\n", c->run_id, c->why);
    }
    const char *mc = cf_serve_plan_model_class(p);
    if (cf_serve_plan_api_count(p) > 0) {
        bad |= cf_cli_cat(&s, &len,
                          "\nManaged APIs (%s; input:output %g:1), break-even with the cheapest feasible plan:\n", mc,
                          isfinite(d->input_output_ratio) ? d->input_output_ratio : 1.0);
        bad |= cf_cli_cat(&s, &len, "%-10s %-46s %8s %8s %8s %12s %18s\n", "provider", "model", "in/1M", "out/1M",
                          "blend", "USD/month", "break-even tok/mo");
        for (size_t i = 0; i < cf_serve_plan_api_count(p); i++) {
            const cf_serve_api *x = cf_serve_plan_api(p, i);
            char be[32];
            if (isinf(x->breakeven_tokens_per_month))
                snprintf(be, sizeof be, "never");
            else if (isfinite(x->breakeven_tokens_per_month))
                snprintf(be, sizeof be, "%.3g", x->breakeven_tokens_per_month);
            else
                snprintf(be, sizeof be, "-");
            bad |= cf_cli_cat(&s, &len, "%-10s %-46s %8.3g %8.3g %8.3g %12s %18s  (as of %s)\n", x->offer->provider,
                              x->offer->model, x->offer->usd_per_1m_input, x->offer->usd_per_1m_output,
                              x->usd_per_1m_blended, money(a[3], sizeof a[3], x->monthly_usd), be, x->offer->as_of);
        }
    } else {
        bad |= cf_cli_cat(&s, &len, "\nManaged APIs: none in the catalog for %s.\n",
                          mc ? mc : "the runs' model class (unknown: pass --model-class)");
    }
    if (bad) {
        free(s);
        return NULL;
    }
    return s;
}

int cf_cli_serve_demand(const char *spec, cf_serve_demand *d)
{
    cf_error err;
    cf_error_clear(&err);
    cf_status st;
    FILE *probe = fopen(spec, "rb");
    if (probe) {
        fclose(probe);
        char *text = cf_cli_read_text("serve", spec);
        if (text == NULL) return CF_EXIT_INPUT;
        st = cf_serve_demand_load_string(d, text, spec, &err);
        free(text);
    } else {
        st = cf_serve_demand_parse_rate(d, spec, &err);
    }
    if (st != CF_OK) {
        cf_cli_print_error("serve", &err);
        return CF_EXIT_INPUT;
    }
    return CF_EXIT_OK;
}

int cf_cli_serve_build(cf_cli_inputs *in, cf_serve_demand *d, cf_serve_plan **out)
{
    cf_error err;
    cf_error_clear(&err);
    *out = NULL;
    cf_status st = cf_serve_demand_validate(d, &err);
    if (st != CF_OK) {
        cf_cli_print_error("serve", &err);
        return CF_EXIT_INPUT;
    }
    char *api_text = NULL;
    if (in->catalog_path) {
        api_text = cf_cli_read_text("serve", in->catalog_path);
        if (api_text && !in->catalog_only && strstr(api_text, "\"api_offers\"") == NULL) {
            free(api_text);
            api_text = NULL;
        }
    }
    cf_pricing_opts po;
    cf_pricing_opts_default(&po);
    po.provider = in->provider;
    po.region = in->region;
    if (isfinite(in->carbon_price)) po.carbon_price_usd_per_t = in->carbon_price;
    st = cf_serve_plan_build(in->catalog, in->runs, d, &po, api_text, out, &err);
    free(api_text);
    if (st != CF_OK) {
        cf_cli_print_error("serve", &err);
        return cf_cli_exit_for(st);
    }
    if (!in->quiet) {
        size_t sk = cf_serve_plan_skipped(*out), om = cf_serve_plan_other_model(*out);
        if (sk)
            fprintf(stderr, "costfront serve: note: skipped %zu run%s without tokens_per_s\n", sk, sk == 1 ? "" : "s");
        if (om)
            fprintf(stderr, "costfront serve: note: left out %zu run%s of other models than %s\n", om,
                    om == 1 ? "" : "s", d->model);
        fprintf(stderr, "costfront serve: %zu candidate%s\n", cf_serve_plan_count(*out),
                cf_serve_plan_count(*out) == 1 ? "" : "s");
    }
    return CF_EXIT_OK;
}

int cf_cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"format", required_argument, 0, OPT_FORMAT},
                                             {"out", required_argument, 0, OPT_OUT},
                                             {"runs", required_argument, 0, OPT_RUNS},
                                             {"demand", required_argument, 0, OPT_DEMAND},
                                             {"tokens-per-request", required_argument, 0, OPT_TPR},
                                             {"profile", required_argument, 0, OPT_PROFILE},
                                             {"peak-tokens-per-s", required_argument, 0, OPT_PEAK},
                                             {"target-utilization", required_argument, 0, OPT_UTIL},
                                             {"slo-p99-ms", required_argument, 0, OPT_SLO_P99},
                                             {"slo-ttft-ms", required_argument, 0, OPT_SLO_TTFT},
                                             {"slo-tpot-ms", required_argument, 0, OPT_SLO_TPOT},
                                             {"input-output-ratio", required_argument, 0, OPT_IO_RATIO},
                                             {"model-class", required_argument, 0, OPT_CLASS},
                                             {"model", required_argument, 0, OPT_WHERE_MODEL},
                                             CF_CLI_RUN_OPTIONS,
                                             {0, 0, 0, 0}};
    cf_cli_inputs in;
    cf_cli_inputs_init(&in);
    const char *format = "table", *out_path = NULL, *demand_spec = NULL, *profile = NULL, *where_model = NULL;
    char *files[MAX_RUN_FILES];
    int nfiles = 0, c;
    cf_serve_demand d;
    cf_serve_demand_default(&d);
    double tpr = NAN, peak = NAN, util = NAN, p99 = NAN, ttft = NAN, tpot = NAN, ior = NAN;
    const char *model_class = NULL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        double *num = NULL;
        const char *name = NULL;
        switch (c) {
        case 'h': help(); return CF_EXIT_OK;
        case OPT_FORMAT:
            if (strcmp(optarg, "table") && strcmp(optarg, "json"))
                return cf_cli_usage_error("serve", "--format: expected table or json, found '%s'", optarg);
            format = optarg;
            continue;
        case OPT_OUT: out_path = optarg; continue;
        case OPT_RUNS:
            if (nfiles >= MAX_RUN_FILES) return cf_cli_usage_error("serve", "--runs: at most %d files", MAX_RUN_FILES);
            files[nfiles++] = optarg;
            continue;
        case OPT_DEMAND: demand_spec = optarg; continue;
        case OPT_PROFILE: profile = optarg; continue;
        case OPT_CLASS: model_class = optarg; continue;
        case OPT_WHERE_MODEL: where_model = optarg; continue;
        case OPT_TPR: num = &tpr, name = "--tokens-per-request"; break;
        case OPT_PEAK: num = &peak, name = "--peak-tokens-per-s"; break;
        case OPT_UTIL: num = &util, name = "--target-utilization"; break;
        case OPT_SLO_P99: num = &p99, name = "--slo-p99-ms"; break;
        case OPT_SLO_TTFT: num = &ttft, name = "--slo-ttft-ms"; break;
        case OPT_SLO_TPOT: num = &tpot, name = "--slo-tpot-ms"; break;
        case OPT_IO_RATIO: num = &ior, name = "--input-output-ratio"; break;
        default: break;
        }
        if (num) {
            if (cf_cli_parse_double(name, optarg, num) != 0) return CF_EXIT_USAGE;
            if (!(*num > 0))
                return cf_cli_usage_error("serve", "%s: expected a positive number, found '%s'", name, optarg);
            continue;
        }
        int r = cf_cli_inputs_option(&in, c, optarg);
        if (r < 0) return CF_EXIT_USAGE;
        if (r == 0) return cf_cli_usage_error("serve", "unknown option");
    }
    while (optind < argc) {
        if (nfiles >= MAX_RUN_FILES) return cf_cli_usage_error("serve", "at most %d run files", MAX_RUN_FILES);
        files[nfiles++] = argv[optind++];
    }
    if (nfiles == 0 && in.store_path == NULL) return cf_cli_usage_error("serve", "--runs FILE is required");
    if (demand_spec == NULL)
        return cf_cli_usage_error("serve", "--demand is required (e.g. --demand \"2e9 tokens/day\")");
    cf_serve_plan *plan = NULL;
    char *text = NULL;
    int rc = cf_cli_serve_demand(demand_spec, &d);
    cf_error err;
    cf_error_clear(&err);
    if (rc == CF_EXIT_OK && profile && cf_serve_demand_parse_profile(&d, profile, &err) != CF_OK) {
        cf_cli_print_error("serve", &err);
        rc = CF_EXIT_INPUT;
    }
    if (rc != CF_EXIT_OK) goto out;
    if (isfinite(tpr)) d.tokens_per_request = tpr;
    if (isfinite(peak)) d.peak_tokens_per_s = peak;
    if (isfinite(util)) d.target_utilization = util;
    if (isfinite(p99)) d.slo_p99_ms = p99;
    if (isfinite(ttft)) d.slo_ttft_ms = ttft;
    if (isfinite(tpot)) d.slo_tpot_ms = tpot;
    if (isfinite(ior)) d.input_output_ratio = ior;
    if (where_model) snprintf(d.model, sizeof d.model, "%s", where_model);
    if (model_class) snprintf(d.model_class, sizeof d.model_class, "%s", model_class);
    if (cf_serve_demand_validate(&d, &err) != CF_OK) {
        cf_cli_print_error("serve", &err);
        rc = CF_EXIT_INPUT;
        goto out;
    }
    rc = cf_cli_load_runs(&in, nfiles, files);
    if (rc == CF_EXIT_OK) rc = cf_cli_serve_build(&in, &d, &plan);
    if (rc != CF_EXIT_OK) goto out;
    text = !strcmp(format, "json") ? render_json(plan) : render_table(plan);
    if (text == NULL) {
        fprintf(stderr, "costfront serve: out of memory\n");
        rc = CF_EXIT_INTERNAL;
        goto out;
    }
    rc = cf_cli_write_output(out_path, text);
out:
    free(text);
    cf_serve_plan_destroy(plan);
    cf_cli_inputs_free(&in);
    return rc;
}
