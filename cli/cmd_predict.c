/* costfront predict: predicts accuracy, GPU-hours and every cost, with 95% intervals, for configurations never
 * run, from surrogates fitted to the runs. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "predicted.h"

static void help(void)
{
    printf("usage: costfront predict RUNS... --config JSON | --configs FILE [--format table|json] [options]\n\n"
           "Fits the accuracy and GPU-hours surrogates to the runs (see 'costfront fit') and predicts each\n"
           "configuration: the metric, GPU-hours and, under every procurement option, cost_usd, co2e_kg and\n"
           "total_cost_usd, each with its mean, sd and 95%% interval. Prices are exact from the catalog; only\n"
           "accuracy and GPU-hours are learned. A configuration is a JSON object of fields of the runs: hardware\n"
           "(any catalog hardware, also one never run), precision, pruning, model/dataset/project and any\n"
           "hyperparameter; omitted fields take defaults from the runs of the same model (listed as defaulted).\n\n"
           "  --config JSON           one configuration, e.g. '{\"hardware\": \"l4\", \"precision\": \"int8\", "
           "\"pruning\": 0.5}'\n"
           "  --configs FILE          JSON Lines: one configuration per line (blank lines skipped; '-' for stdin)\n"
           "  --procurement LIST|all  options to price under (default the four cloud options)\n"
           "  --format F              table (default) or json\n"
           "  --out FILE              write to FILE (atomically) instead of standard output\n\n%s\n%s\n%s\n"
           "Exit codes: 0 ok, 1 usage, 2 bad runs or a bad configuration (the message names line and field).\n\n"
           "Examples:\n"
           "  costfront predict examples/runs.csv --config '{\"model\": \"resnet50\", \"hardware\": \"l4\", "
           "\"precision\": \"int8\", \"pruning\": 0.5}'\n"
           "  costfront predict examples/runs.csv --configs configs.jsonl --format json\n",
           cf_cli_surrogate_options_help, cf_cli_run_options_help, cf_cli_catalog_options_help);
}

enum { OPT_FORMAT = CF_OPT_COMMAND_BASE, OPT_OUT, OPT_CONFIG, OPT_CONFIGS, OPT_PROC };

/* One configuration line read from the command line or a file. */
typedef struct line_in {
    char *text;
    long line;
} line_in;

static void add_est(cJSON *o, const char *key, const cf_estimate *e)
{
    cJSON *x = cJSON_AddObjectToObject(o, key);
    cJSON_AddNumberToObject(x, "mean", e->mean);
    cJSON_AddNumberToObject(x, "sd", e->sd);
    cJSON_AddNumberToObject(x, "lo", e->lo);
    cJSON_AddNumberToObject(x, "hi", e->hi);
}

static void add_num_or_null(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static void add_est_or_null(cJSON *o, const char *key, const cf_estimate *e)
{
    if (isfinite(e->mean))
        add_est(o, key, e);
    else
        cJSON_AddNullToObject(o, key);
}

int cf_cmd_predict(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"format", required_argument, 0, OPT_FORMAT},
                                             {"out", required_argument, 0, OPT_OUT},
                                             {"config", required_argument, 0, OPT_CONFIG},
                                             {"configs", required_argument, 0, OPT_CONFIGS},
                                             {"procurement", required_argument, 0, OPT_PROC},
                                             CF_CLI_SURROGATE_OPTIONS,
                                             CF_CLI_RUN_OPTIONS,
                                             {0, 0, 0, 0}};
    cf_cli_inputs in;
    cf_cli_inputs_init(&in);
    cf_surrogate_opts so;
    cf_surrogate_opts_default(&so);
    const char *format = "table", *out_path = NULL, *config = NULL, *configs = NULL;
    unsigned procs =
        (1u << CF_PROC_ON_DEMAND) | (1u << CF_PROC_SPOT) | (1u << CF_PROC_RESERVED_1Y) | (1u << CF_PROC_RESERVED_3Y);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return CF_EXIT_OK;
        case OPT_FORMAT:
            if (strcmp(optarg, "table") && strcmp(optarg, "json"))
                return cf_cli_usage_error("predict", "--format: expected table or json, found '%s'", optarg);
            format = optarg;
            continue;
        case OPT_OUT: out_path = optarg; continue;
        case OPT_CONFIG: config = optarg; continue;
        case OPT_CONFIGS: configs = optarg; continue;
        case OPT_PROC: {
            if (!strcmp(optarg, "all")) continue;
            unsigned mask = 0;
            char *copy = strdup(optarg);
            if (copy == NULL) return CF_EXIT_INTERNAL;
            for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                cf_procurement p;
                if (cf_procurement_parse(tok, &p) != CF_OK || p == CF_PROC_ON_PREM || p == CF_PROC_HYBRID) {
                    int r = cf_cli_usage_error("predict",
                                               "--procurement: expected on_demand, spot, reserved_1y, "
                                               "reserved_3y or all, found '%s'",
                                               tok);
                    free(copy);
                    return r;
                }
                mask |= 1u << p;
            }
            free(copy);
            if (mask) procs = mask;
            continue;
        }
        default: break;
        }
        int r = cf_cli_surrogate_option(&so, c, optarg);
        if (r == 0) r = cf_cli_inputs_option(&in, c, optarg);
        if (r < 0) return CF_EXIT_USAGE;
        if (r == 0) return cf_cli_usage_error("predict", "unknown option");
    }
    if ((config == NULL) == (configs == NULL))
        return cf_cli_usage_error("predict", "give exactly one of --config JSON or --configs FILE");
    /* Configuration lines. */
    line_in *lines = NULL;
    size_t nl = 0;
    char *file_text = NULL;
    const char *source = config ? "--config" : configs;
    if (config) {
        lines = malloc(sizeof *lines);
        if (lines == NULL) return CF_EXIT_INTERNAL;
        lines[0].text = (char *)config;
        lines[0].line = 1;
        nl = 1;
    } else {
        file_text = cf_cli_read_text("predict --configs", configs);
        if (file_text == NULL) return CF_EXIT_INPUT;
        size_t cap = 16;
        lines = malloc(cap * sizeof *lines);
        long ln = 0;
        for (char *p = file_text; lines && p && *p;) {
            char *e = strchr(p, '\n');
            if (e) *e = '\0';
            ln++;
            char *t = p;
            while (*t == ' ' || *t == '\t' || *t == '\r') t++;
            if (*t) {
                if (nl == cap) {
                    line_in *q = realloc(lines, (cap *= 2) * sizeof *q);
                    if (q == NULL) {
                        free(lines);
                        lines = NULL;
                        break;
                    }
                    lines = q;
                }
                lines[nl].text = p;
                lines[nl].line = ln;
                nl++;
            }
            p = e ? e + 1 : NULL;
        }
        if (lines == NULL) {
            free(file_text);
            return CF_EXIT_INTERNAL;
        }
        if (nl == 0) {
            fprintf(stderr, "costfront predict: %s: no configuration (expected one JSON object per line)\n", configs);
            free(lines);
            free(file_text);
            return CF_EXIT_INPUT;
        }
    }
    int rc = cf_cli_load_runs(&in, argc - optind, argv + optind);
    cf_surrogate *s = NULL;
    cf_config **cfg = NULL;
    char *text = NULL;
    size_t tlen = 0;
    cJSON *root = NULL;
    cf_error err;
    if (rc != CF_EXIT_OK) goto out;
    rc = cf_cli_fit_surrogate(&in, &so, &s);
    if (rc != CF_EXIT_OK) goto out;
    cfg = calloc(nl, sizeof *cfg);
    if (cfg == NULL) {
        rc = CF_EXIT_INTERNAL;
        goto out;
    }
    /* Every configuration is validated before anything is printed. */
    for (size_t i = 0; i < nl; i++) {
        cf_error_clear(&err);
        cf_status st = cf_surrogate_parse_config(s, lines[i].text, source, config ? 0 : lines[i].line, &cfg[i], &err);
        if (st != CF_OK) {
            cf_cli_print_error(NULL, &err);
            rc = st == CF_ERR_NOMEM ? CF_EXIT_OUTPUT : CF_EXIT_INPUT;
            goto out;
        }
    }
    cf_pricing_opts po;
    cf_pricing_opts_default(&po);
    po.provider = in.provider;
    po.region = in.region;
    if (isfinite(in.checkpoint_minutes)) po.spot.checkpoint_hours = in.checkpoint_minutes / 60.0;
    if (isfinite(in.restart_minutes)) po.spot.restart_hours = in.restart_minutes / 60.0;
    if (isfinite(in.carbon_price)) po.carbon_price_usd_per_t = in.carbon_price;
    const char *target = cf_surrogate_target(s);
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "target", target);
    cJSON *arr = cJSON_AddArrayToObject(root, "predictions");
    int bad = 0;
    bad |= cf_cli_cat(&text, &tlen, "Predictions of %s, GPU-hours and costs (mean, 95%% interval) from %zu runs\n",
                      target, cf_runset_size(in.runs));
    for (size_t i = 0; i < nl; i++) {
        cf_prediction p;
        cf_error_clear(&err);
        cf_status st = cf_surrogate_predict(s, cfg[i], &p, &err);
        if (st != CF_OK) {
            cf_cli_print_error(NULL, &err);
            rc = cf_cli_exit_for(st);
            goto out;
        }
        char *cj = NULL;
        if (cf_config_json(s, cfg[i], &cj, &err) != CF_OK) {
            rc = CF_EXIT_INTERNAL;
            goto out;
        }
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, e);
        cJSON_AddItemToObject(e, "config", cJSON_Parse(cj));
        cJSON *def = cJSON_AddArrayToObject(e, "defaulted");
        size_t nf = cf_surrogate_field_count(s);
        char defaulted[512] = "";
        size_t dl = 0;
        for (size_t j = 0; j < nf; j++)
            if (cf_config_defaulted(cfg[i], j)) {
                cJSON_AddItemToArray(def, cJSON_CreateString(cf_surrogate_field_name(s, j)));
                if (dl + 2 < sizeof defaulted)
                    dl += (size_t)snprintf(defaulted + dl, sizeof defaulted - dl, "%s%s", dl ? ", " : "",
                                           cf_surrogate_field_name(s, j));
            }
        add_est(e, target, &p.metric);
        add_est(e, "gpu_hours", &p.gpu_hours);
        cJSON *lg = cJSON_AddObjectToObject(e, "log_gpu_hours");
        cJSON_AddNumberToObject(lg, "mean", p.log_gpu_hours.mean);
        cJSON_AddNumberToObject(lg, "sd", p.log_gpu_hours.sd);
        cJSON *pr = cJSON_AddObjectToObject(e, "prior");
        cJSON_AddNumberToObject(pr, "log_gpu_hours_offset", p.prior_log_gpu_hours);
        cJSON_AddBoolToObject(pr, "hardware_unseen", p.hardware_unseen);
        cJSON_AddBoolToObject(pr, "precision_unseen", p.precision_unseen);
        cJSON_AddBoolToObject(pr, "leans_on_prior", p.hardware_unseen || p.precision_unseen);
        char note[1024];
        snprintf(note, sizeof note, "%s%s%s", p.note, p.note[0] && cf_config_note(cfg[i])[0] ? "; " : "",
                 cf_config_note(cfg[i]));
        cJSON_AddStringToObject(e, "note", note);
        bad |= cf_cli_cat(&text, &tlen, "\n[%zu] %s\n", i + 1, cj);
        if (defaulted[0]) bad |= cf_cli_cat(&text, &tlen, "    defaulted from the runs: %s\n", defaulted);
        bad |= cf_cli_cat(&text, &tlen, "    %-16s %12.4g   [%.4g, %.4g]   sd %.3g\n", target, p.metric.mean,
                          p.metric.lo, p.metric.hi, p.metric.sd);
        bad |= cf_cli_cat(&text, &tlen, "    %-16s %12.4g   [%.4g, %.4g]   sd %.3g\n", "gpu_hours", p.gpu_hours.mean,
                          p.gpu_hours.lo, p.gpu_hours.hi, p.gpu_hours.sd);
        cJSON *costs = cJSON_AddArrayToObject(e, "costs");
        cJSON *unpriced = cJSON_CreateArray();
        int only = cf_config_procurement(cfg[i]); /* a configuration that names its procurement is priced so */
        for (int o = 0; o < CF_PROC_COUNT; o++) {
            if (only >= 0 ? o != only : !(procs & (1u << o))) continue;
            cf_predicted_cost pc;
            cf_error_clear(&err);
            st = cf_surrogate_price(s, cfg[i], &p, (cf_procurement)o, &po, &pc, &err);
            if (st == CF_ERR_NOT_FOUND) {
                bad |= cf_cli_cat(&text, &tlen, "    %-16s no offer in the catalog\n",
                                  cf_procurement_name((cf_procurement)o));
                cJSON_AddItemToArray(unpriced, cJSON_CreateString(cf_procurement_name((cf_procurement)o)));
                continue;
            }
            if (st != CF_OK) {
                cf_cli_print_error(NULL, &err);
                cJSON_Delete(unpriced);
                free(cj);
                rc = cf_cli_exit_for(st);
                goto out;
            }
            cJSON *co = cJSON_CreateObject();
            cJSON_AddItemToArray(costs, co);
            cJSON_AddStringToObject(co, "procurement", cf_procurement_name((cf_procurement)o));
            cJSON_AddStringToObject(co, "provider", pc.price.offer ? pc.price.offer->provider : "");
            cJSON_AddStringToObject(co, "region", pc.price.offer ? pc.price.offer->region : "");
            add_num_or_null(co, "price_per_hour", pc.price.price_per_hour);
            add_num_or_null(co, "overhead_fraction", pc.price.overhead_fraction);
            add_est_or_null(co, "cost_usd", &pc.cost_usd);
            add_est_or_null(co, "co2e_kg", &pc.co2e_kg);
            add_est_or_null(co, "energy_kwh", &pc.energy_kwh);
            add_est_or_null(co, "total_cost_usd", &pc.total_cost_usd);
            bad |= cf_cli_cat(&text, &tlen,
                              "    %-16s %12.2f   [%.2f, %.2f] USD total (cost %.2f, CO2e %.3g kg; %s %s, "
                              "%.4g USD/h)\n",
                              cf_procurement_name((cf_procurement)o), pc.total_cost_usd.mean, pc.total_cost_usd.lo,
                              pc.total_cost_usd.hi, pc.cost_usd.mean, pc.co2e_kg.mean,
                              pc.price.offer ? pc.price.offer->provider : "-",
                              pc.price.offer ? pc.price.offer->region : "-", pc.price.price_per_hour);
        }
        cJSON_AddItemToObject(e, "unpriced", unpriced);
        if (note[0]) bad |= cf_cli_cat(&text, &tlen, "    note: %s\n", note);
        free(cj);
    }
    if (bad) {
        rc = CF_EXIT_INTERNAL;
        goto out;
    }
    if (!strcmp(format, "json")) {
        free(text);
        text = cf_cli_json_text(root);
        if (text == NULL) {
            rc = CF_EXIT_INTERNAL;
            goto out;
        }
    }
    rc = cf_cli_write_output(out_path, text);
out:
    cJSON_Delete(root);
    free(text);
    if (cfg)
        for (size_t i = 0; i < nl; i++) cf_config_destroy(cfg[i]);
    free(cfg);
    free(lines);
    free(file_text);
    cf_surrogate_destroy(s);
    cf_cli_inputs_free(&in);
    return rc;
}
