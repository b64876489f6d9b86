/* costfront score: prices one finished run and prints a scalar score, for sweeps' objective functions. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "study_cli.h" /* cli.h, pricing.h and study.h (for --hvi) */

static void help(void)
{
    printf("usage: costfront score [--accuracy A --gpu-hours H --hardware HW ...] [options]\n"
           "       echo '{\"accuracy\": 0.91, \"gpu_hours\": 12, \"hardware\": \"a100-80gb\"}' | costfront score\n\n"
           "Prices one finished run under every procurement option (or --procurement) and prints its cost_usd,\n"
           "co2e_kg, total_cost_usd and a scalar score, as JSON: for Optuna / Ray Tune objective functions.\n"
           "Without run flags the run is read as one JSON object on standard input (any field of a runs file).\n\n"
           "Run fields:\n"
           "  --accuracy A, --gpu-hours H, --wall-hours H, --num-gpus N, --hardware HW, --precision P,\n"
           "  --pruning S, --region R, --set NAME=VALUE (any other field, repeatable)\n"
           "Score:\n"
           "  --procurement OPT   price under this option only (default: the cheapest of on_demand, spot,\n"
           "                      reserved_1y, reserved_3y); the score uses the chosen option\n"
           "  --lambda L          score = accuracy - L x total_cost_usd (default L = 0.001, i.e. one accuracy\n"
           "                      point is worth 10 USD); documented in README, \"Scoring runs in a sweep\"\n"
           "  --cost-field F      cost_usd or total_cost_usd (default) or co2e_kg in the score\n"
           "  --hvi --store DB    score = the run's hypervolume improvement over the current Pareto front of the\n"
           "                      study in DB (its objectives, constraints and reference point; 0 when the run is\n"
           "                      dominated or infeasible). Metrics: accuracy, gpu_hours and the run's fields,\n"
           "                      costs under the chosen option, priced with the study's catalog (a --catalog must\n"
           "                      be the file the study was created with); see docs/mobo.md\n\n%s\n"
           "Exit codes: 0 ok, 1 usage, 2 bad run (the message names the field).\n\n"
           "Examples:\n"
           "  costfront score --accuracy 0.91 --gpu-hours 12 --hardware \"NVIDIA A100-SXM4-80GB\" --precision bf16\n"
           "  echo '{\"accuracy\": 0.9, \"gpu_hours\": 10, \"hardware\": \"h100\"}' | costfront score --lambda 0.01\n"
           "  costfront score --hvi --store study.db --accuracy 0.93 --gpu-hours 7 --hardware l4\n",
           cf_cli_catalog_options_help);
}

enum {
    OPT_ACC = CF_OPT_COMMAND_BASE,
    OPT_GH,
    OPT_WH,
    OPT_NG,
    OPT_HW,
    OPT_PREC,
    OPT_PRUNE,
    OPT_REG,
    OPT_SET,
    OPT_PROC,
    OPT_LAMBDA,
    OPT_COSTF,
    OPT_HVI
};

#define MAX_FIELDS 64

static int add_field(const char **names, const char **values, size_t *n, const char *name, const char *value)
{
    if (*n >= MAX_FIELDS) {
        fprintf(stderr, "costfront score: too many fields (at most %d)\n", MAX_FIELDS);
        return -1;
    }
    names[*n] = name;
    values[*n] = value;
    (*n)++;
    return 0;
}

static void add_price(cJSON *o, const cf_price *p)
{
    cJSON_AddStringToObject(o, "procurement", cf_procurement_name(p->option));
    cJSON_AddStringToObject(o, "provider", p->offer ? p->offer->provider : "");
    cJSON_AddStringToObject(o, "region", p->offer ? p->offer->region : "");
    cJSON_AddNumberToObject(o, "price_per_hour", p->price_per_hour);
    cJSON_AddNumberToObject(o, "overhead_fraction", p->overhead_fraction);
    cJSON_AddNumberToObject(o, "cost_usd", p->cost_usd);
    cJSON_AddNumberToObject(o, "energy_kwh", p->energy_kwh);
    cJSON_AddNumberToObject(o, "co2e_kg", p->co2e_kg);
    cJSON_AddNumberToObject(o, "embodied_kgco2e", p->embodied_kgco2e);
    cJSON_AddNumberToObject(o, "carbon_cost_usd", p->carbon_cost_usd);
    cJSON_AddNumberToObject(o, "total_cost_usd", p->total_cost_usd);
}

/* --hvi: the run's metrics named as the study's objectives and constraints (costs from the chosen price, other
 * names from the run's numeric fields), and their hypervolume improvement over the study's front (cf_study_hvi).
 * Adds "hvi": {"store", "values", "feasible", "improvement"} to out. Returns an exit code. */
static int score_hvi(const char *store, const cf_runset *rs, const cf_price *best, cJSON *out, double *improvement)
{
    int rc;
    cf_study *s = cf_cli_study_open("score --hvi", store, &rc);
    if (s == NULL) return rc;
    const cf_space *sp = cf_study_space(s);
    size_t M = cf_space_n_objectives(sp), K = M + cf_space_n_constraints(sp);
    cJSON *v = cJSON_CreateObject();
    for (size_t k = 0; v && k < K && rc == CF_EXIT_OK; k++) {
        const char *name = k < M ? cf_space_objective_name(sp, k) : cf_space_constraint_name(sp, k - M);
        double x = NAN;
        if (!strcmp(name, "cost_usd"))
            x = best->cost_usd;
        else if (!strcmp(name, "total_cost_usd"))
            x = best->total_cost_usd;
        else if (!strcmp(name, "co2e_kg"))
            x = best->co2e_kg;
        else if (!strcmp(name, "energy_kwh"))
            x = best->energy_kwh;
        else if (!strcmp(name, "carbon_cost_usd"))
            x = best->carbon_cost_usd;
        else if (cf_runset_numeric(rs, 0, name, &x) != CF_OK)
            x = NAN;
        if (!isfinite(x)) {
            fprintf(stderr,
                    "costfront score: --hvi: the run has no value for the study's metric '%s' (give it with "
                    "--set %s=VALUE or in the JSON)\n",
                    name, name);
            rc = CF_EXIT_INPUT;
        }
        cJSON_AddNumberToObject(v, name, x);
    }
    cf_error err;
    cf_error_clear(&err);
    int feasible = 0;
    if (rc == CF_EXIT_OK) {
        cf_status st = cf_study_hvi(s, v, improvement, &feasible, &err);
        if (st != CF_OK) rc = cf_cli_study_fail("score --hvi", st, &err);
    }
    if (rc == CF_EXIT_OK) {
        cJSON *h = cJSON_AddObjectToObject(out, "hvi");
        cJSON_AddStringToObject(h, "store", store);
        cJSON_AddItemToObject(h, "values", v);
        v = NULL;
        cJSON_AddBoolToObject(h, "feasible", feasible);
        cJSON_AddNumberToObject(h, "improvement", *improvement);
    }
    cJSON_Delete(v);
    cf_study_destroy(s);
    return rc;
}

int cf_cmd_score(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"accuracy", required_argument, 0, OPT_ACC},
                                             {"gpu-hours", required_argument, 0, OPT_GH},
                                             {"wall-hours", required_argument, 0, OPT_WH},
                                             {"num-gpus", required_argument, 0, OPT_NG},
                                             {"hardware", required_argument, 0, OPT_HW},
                                             {"precision", required_argument, 0, OPT_PREC},
                                             {"pruning", required_argument, 0, OPT_PRUNE},
                                             {"run-region", required_argument, 0, OPT_REG},
                                             {"set", required_argument, 0, OPT_SET},
                                             {"procurement", required_argument, 0, OPT_PROC},
                                             {"lambda", required_argument, 0, OPT_LAMBDA},
                                             {"cost-field", required_argument, 0, OPT_COSTF},
                                             {"hvi", no_argument, 0, OPT_HVI},
                                             CF_CLI_RUN_OPTIONS,
                                             {0, 0, 0, 0}};
    cf_cli_inputs in;
    cf_cli_inputs_init(&in);
    const char *names[MAX_FIELDS], *values[MAX_FIELDS];
    size_t n = 0;
    double lambda = 0.001;
    const char *cost_field = "total_cost_usd";
    int proc = -1, hvi = 0;
    int c, rc = CF_EXIT_OK;
    char *stdin_text = NULL;
    cJSON *root = NULL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int r = 0;
        switch (c) {
        case 'h': help(); return CF_EXIT_OK;
        case OPT_ACC: r = add_field(names, values, &n, "accuracy", optarg); break;
        case OPT_GH: r = add_field(names, values, &n, "gpu_hours", optarg); break;
        case OPT_WH: r = add_field(names, values, &n, "wall_hours", optarg); break;
        case OPT_NG: r = add_field(names, values, &n, "num_gpus", optarg); break;
        case OPT_HW: r = add_field(names, values, &n, "hardware", optarg); break;
        case OPT_PREC: r = add_field(names, values, &n, "precision", optarg); break;
        case OPT_PRUNE: r = add_field(names, values, &n, "pruning", optarg); break;
        case OPT_REG: r = add_field(names, values, &n, "region", optarg); break;
        case OPT_SET: {
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg) return cf_cli_usage_error("score", "--set expects NAME=VALUE, found '%s'", optarg);
            *eq = '\0';
            r = add_field(names, values, &n, optarg, eq + 1);
            break;
        }
        case OPT_PROC: {
            cf_procurement p;
            if (cf_procurement_parse(optarg, &p) != CF_OK || p == CF_PROC_ON_PREM || p == CF_PROC_HYBRID)
                return cf_cli_usage_error("score",
                                          "--procurement: expected on_demand, spot, reserved_1y or "
                                          "reserved_3y, found '%s'",
                                          optarg);
            proc = (int)p;
            break;
        }
        case OPT_LAMBDA:
            if (cf_cli_parse_double("--lambda", optarg, &lambda) != 0) return CF_EXIT_USAGE;
            break;
        case OPT_COSTF:
            if (strcmp(optarg, "cost_usd") && strcmp(optarg, "total_cost_usd") && strcmp(optarg, "co2e_kg"))
                return cf_cli_usage_error("score",
                                          "--cost-field: expected cost_usd, total_cost_usd or co2e_kg, "
                                          "found '%s'",
                                          optarg);
            cost_field = optarg;
            break;
        case OPT_HVI: hvi = 1; break;
        default:
            r = cf_cli_inputs_option(&in, c, optarg);
            if (r == 0) return cf_cli_usage_error("score", "unknown option");
            if (r > 0) r = 0;
        }
        if (r < 0) return CF_EXIT_USAGE;
    }
    if (optind < argc) return cf_cli_usage_error("score", "unexpected argument '%s'", argv[optind]);
    if (hvi && in.store_path == NULL) return cf_cli_usage_error("score", "--hvi needs --store DB (a study file)");
    if (n == 0) {
        stdin_text = cf_cli_read_text("score", "-");
        root = stdin_text ? cJSON_Parse(stdin_text) : NULL;
        if (!cJSON_IsObject(root)) {
            fprintf(stderr,
                    "costfront score: <stdin>: expected one JSON object with the run's fields (or run flags), "
                    "found %s\n",
                    stdin_text && stdin_text[0] ? "something else" : "nothing");
            rc = CF_EXIT_INPUT;
            goto out;
        }
        static char numbuf[MAX_FIELDS][64];
        for (cJSON *it = root->child; it; it = it->next) {
            const char *v = NULL;
            if (cJSON_IsString(it))
                v = it->valuestring;
            else if (cJSON_IsNumber(it)) {
                snprintf(numbuf[n < MAX_FIELDS ? n : 0], sizeof numbuf[0], "%.17g", it->valuedouble);
                v = numbuf[n < MAX_FIELDS ? n : 0];
            } else if (cJSON_IsBool(it))
                v = cJSON_IsTrue(it) ? "true" : "false";
            else if (cJSON_IsNull(it))
                continue;
            else {
                fprintf(stderr, "costfront score: <stdin>: field '%s': expected a number or a string\n", it->string);
                rc = CF_EXIT_INPUT;
                goto out;
            }
            if (add_field(names, values, &n, it->string, v) != 0) {
                rc = CF_EXIT_INPUT;
                goto out;
            }
        }
    }
    int has_id = 0;
    for (size_t i = 0; i < n; i++) has_id |= !strcmp(names[i], "run_id");
    if (!has_id && add_field(names, values, &n, "run_id", "scored-run") != 0) {
        rc = CF_EXIT_INPUT;
        goto out;
    }
    /* Against a study, the run is priced with the study's catalog (the one it was created with), as its trials are;
     * a --catalog that is not that catalog is refused. */
    if (hvi && (rc = cf_cli_study_catalog("score --hvi", in.store_path, &in)) != CF_EXIT_OK) goto out;
    rc = cf_cli_load_catalog(&in);
    if (rc != CF_EXIT_OK) goto out;
    in.map = cf_colmap_create();
    in.runs = cf_runset_create(in.catalog, in.map);
    if (!in.map || !in.runs) {
        rc = CF_EXIT_INTERNAL;
        goto out;
    }
    cf_error err;
    cf_error_clear(&err);
    cf_runset_begin_source(in.runs, n && root ? "<stdin>" : "<flags>");
    cf_runset_add_raw(in.runs, 1, n, names, values, NULL, NULL);
    if (cf_runset_end_source(in.runs, &err) != CF_OK || cf_runset_size(in.runs) != 1) {
        if (err.status != CF_OK) cf_cli_print_error("score", &err);
        for (size_t i = 0; i < cf_runset_rejected(in.runs); i++) {
            const cf_reject *r = cf_runset_reject(in.runs, i);
            fprintf(stderr, "costfront score: %s: %s\n", r->field && r->field[0] ? r->field : "run", r->message);
        }
        rc = CF_EXIT_INPUT;
        goto out;
    }
    const cf_run *run = cf_runset_get(in.runs, 0);
    cf_pricing_opts po;
    cf_pricing_opts_default(&po);
    po.provider = in.provider;
    po.region = in.region;
    if (isfinite(in.checkpoint_minutes)) po.spot.checkpoint_hours = in.checkpoint_minutes / 60.0;
    if (isfinite(in.restart_minutes)) po.spot.restart_hours = in.restart_minutes / 60.0;
    cJSON *out = cJSON_CreateObject();
    cJSON *opts = cJSON_AddArrayToObject(out, "options");
    cf_price best;
    int have_best = 0;
    for (int p = CF_PROC_ON_DEMAND; p <= CF_PROC_RESERVED_3Y; p++) {
        if (proc >= 0 && p != proc) continue;
        cf_price pr;
        cf_error_clear(&err);
        if (cf_price_run(in.catalog, run, (cf_procurement)p, &po, &pr, &err) != CF_OK) continue;
        cJSON *o = cJSON_CreateObject();
        add_price(o, &pr);
        cJSON_AddItemToArray(opts, o);
        if (!have_best || pr.total_cost_usd < best.total_cost_usd) {
            best = pr;
            have_best = 1;
        }
    }
    if (!have_best) {
        fprintf(stderr, "costfront score: no offer in the catalog prices hardware '%s'%s%s\n", run->hardware,
                proc >= 0 ? " under " : "", proc >= 0 ? cf_procurement_name((cf_procurement)proc) : "");
        cJSON_Delete(out);
        rc = CF_EXIT_INPUT;
        goto out;
    }
    double cost = !strcmp(cost_field, "cost_usd")  ? best.cost_usd
                  : !strcmp(cost_field, "co2e_kg") ? best.co2e_kg
                                                   : best.total_cost_usd;
    cJSON_AddStringToObject(out, "run_id", run->run_id);
    cJSON_AddNumberToObject(out, "accuracy", run->accuracy);
    cJSON_AddNumberToObject(out, "gpu_hours", run->gpu_hours);
    cJSON_AddStringToObject(out, "hardware", run->hardware);
    cJSON *ch = cJSON_AddObjectToObject(out, "chosen");
    add_price(ch, &best);
    cJSON_AddNumberToObject(out, "cost_usd", best.cost_usd);
    cJSON_AddNumberToObject(out, "co2e_kg", best.co2e_kg);
    cJSON_AddNumberToObject(out, "total_cost_usd", best.total_cost_usd);
    if (hvi) {
        double improvement = 0.0;
        rc = score_hvi(in.store_path, in.runs, &best, out, &improvement);
        if (rc != CF_EXIT_OK) {
            cJSON_Delete(out);
            goto out;
        }
        cJSON_AddStringToObject(out, "score_formula", "hypervolume improvement over the study's Pareto front");
        cJSON_AddNumberToObject(out, "score", improvement);
    } else {
        cJSON_AddNumberToObject(out, "lambda", lambda);
        cJSON_AddStringToObject(out, "score_formula", "accuracy - lambda * cost");
        cJSON_AddStringToObject(out, "cost_field", cost_field);
        cJSON_AddNumberToObject(out, "score", run->accuracy - lambda * cost);
    }
    char *text = cJSON_Print(out);
    cJSON_Delete(out);
    if (!text) {
        rc = CF_EXIT_INTERNAL;
        goto out;
    }
    printf("%s\n", text);
    free(text);
out:
    cJSON_Delete(root);
    free(stdin_text);
    cf_cli_inputs_free(&in);
    return rc;
}
