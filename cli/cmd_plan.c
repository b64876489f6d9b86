/* costfront plan: recommends a configuration and a way of buying it under an ML lead's constraints. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "costfront/numfmt.h"
#include "costfront/recommend.h"
#include "costfront/tco.h"
#include "plan_common.h"

static void help(void)
{
    printf("usage: costfront plan RUNS... [--min-accuracy A] [--budget USD] [--max-co2e KG] [--deadline-hours H]\n"
           "                      [--plan FILE] [--baseline RUN_ID] [--predicted] [--format table|json] [options]\n\n"
           "Recommends which precision, pruning, hardware and procurement to use: the cheapest (run, option) pair\n"
           "of the priced frontier (total cost with carbon) that meets every constraint, with its projected cost,\n"
           "CO2e, time and accuracy (intervals for predicted configurations and, with --plan, the plan's price\n"
           "uncertainty), the savings against a baseline, and the reasons in plain words. When nothing meets the\n"
           "constraints it names the binding constraint and by how much it must be relaxed (exit code 6).\n\n"
           "  --min-accuracy A        accuracy the model must reach (fraction, or percent above 1)\n"
           "  --budget USD            cap on the cash cost of the run\n"
           "  --max-co2e KG           cap on its operational CO2e\n"
           "  --deadline-hours H      cap on its time: wall_hours when known, else gpu_hours / num_gpus (one GPU\n"
           "                          assumed when neither is known, and said so)\n"
           "  --baseline RUN_ID       compare with this run (default: the most accurate run on on-demand)\n"
           "  --plan FILE             a TCO plan (docs/tco.md): on_prem and hybrid become options for runs on its\n"
           "                          hardware, and the plan's Monte Carlo gives the cost interval\n"
           "  --conservative          judge predicted configurations by their lower accuracy and upper cost bounds\n"
           "  --mc N                  Monte Carlo samples of the plan for the cost interval (default %d)\n"
           "  --format F              table (default) or json\n"
           "  --out FILE              write to FILE (atomically) instead of standard output\n\n%s\n%s\n%s\n"
           "Exit codes: 0 a recommendation, 1 usage, 2 bad input, 6 infeasible (the binding constraint is named).\n\n"
           "Examples:\n"
           "  costfront plan examples/runs.csv --min-accuracy 0.9 --budget 50\n"
           "  costfront plan examples/runs.csv --min-accuracy 0.85 --plan examples/plans/lab-steady-training.json\n",
           CF_CLI_MC_SAMPLES, cf_cli_frontier_options_help, cf_cli_run_options_help, cf_cli_catalog_options_help);
}

enum {
    OPT_ACC = CF_OPT_COMMAND_BASE,
    OPT_BUDGET,
    OPT_CO2E,
    OPT_DEADLINE,
    OPT_BASELINE,
    OPT_CONS,
    OPT_MC,
    OPT_FORMAT,
    OPT_OUT
};

/* The chosen option's cost range under the plan's uncertainty: P10 and P90 of its total over the base total. */
typedef struct plan_range {
    int have;
    double lo_factor, hi_factor, p_cheapest;
    cf_procurement plan_cheapest;
    double on_prem_rate, hybrid_rate;
} plan_range;

static void candidate_json(cJSON *o, const cf_candidate *c, const cf_runset *rs, const plan_range *pr)
{
    cJSON_AddStringToObject(o, "run_id", c->run_id ? c->run_id : "");
    cJSON_AddBoolToObject(o, "predicted", c->predicted);
    cJSON_AddStringToObject(o, "hardware", c->hardware ? c->hardware : "");
    cJSON_AddStringToObject(o, "precision", cf_precision_name(c->precision));
    cJSON_AddNumberToObject(o, "pruning", c->pruning);
    cJSON_AddStringToObject(o, "procurement", cf_procurement_name(c->price.option));
    cJSON_AddNumberToObject(o, "accuracy", c->accuracy);
    if (c->predicted && isfinite(c->accuracy_lo)) {
        cJSON *a = cJSON_AddArrayToObject(o, "accuracy_interval");
        cJSON_AddItemToArray(a, cJSON_CreateNumber(c->accuracy_lo));
        cJSON_AddItemToArray(a, cJSON_CreateNumber(c->accuracy_hi));
    } else
        cJSON_AddNullToObject(o, "accuracy_interval");
    cJSON_AddNumberToObject(o, "cost_usd", c->price.cost_usd);
    cJSON_AddNumberToObject(o, "total_cost_usd", c->price.total_cost_usd);
    if (c->predicted && isfinite(c->cost_lo)) {
        cJSON *a = cJSON_AddArrayToObject(o, "total_cost_interval");
        cJSON_AddItemToArray(a, cJSON_CreateNumber(c->cost_lo));
        cJSON_AddItemToArray(a, cJSON_CreateNumber(c->cost_hi));
    } else if (pr && pr->have && isfinite(pr->lo_factor)) {
        cJSON *a = cJSON_AddArrayToObject(o, "total_cost_interval");
        cJSON_AddItemToArray(a, cJSON_CreateNumber(c->price.total_cost_usd * pr->lo_factor));
        cJSON_AddItemToArray(a, cJSON_CreateNumber(c->price.total_cost_usd * pr->hi_factor));
    } else
        cJSON_AddNullToObject(o, "total_cost_interval");
    if (isfinite(c->price.co2e_kg))
        cJSON_AddNumberToObject(o, "co2e_kg", c->price.co2e_kg);
    else
        cJSON_AddNullToObject(o, "co2e_kg");
    if (c->price.has_transfer) { /* issue 16: cost_usd's parts, and whether data gravity chose the offer */
        cJSON_AddNumberToObject(o, "compute_cost_usd", c->price.compute_cost_usd);
        cJSON_AddNumberToObject(o, "egress_cost_usd", c->price.egress_cost_usd);
        cJSON_AddNumberToObject(o, "storage_cost_usd", c->price.storage_cost_usd);
        char g[600];
        if (cf_price_gravity_phrase(&c->price, g, sizeof g)) cJSON_AddStringToObject(o, "data_gravity", g);
    }
    int assumed = 0;
    double t = cf_candidate_time_hours(c, rs, &assumed);
    cJSON_AddNumberToObject(o, "time_hours", t);
    cJSON_AddBoolToObject(o, "time_assumed_one_gpu", assumed);
}

static void add_opt_num(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static char *render_json(const cf_frontier *f, const cf_runset *rs, const cf_recommend_opts *o,
                         const cf_recommendation *rec, const plan_range *pr)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddBoolToObject(root, "feasible", rec->feasible);
    cJSON *cons = cJSON_AddObjectToObject(root, "constraints");
    add_opt_num(cons, "min_accuracy", o->min_accuracy);
    add_opt_num(cons, "budget_usd", o->budget_usd);
    add_opt_num(cons, "max_co2e_kg", o->max_co2e_kg);
    add_opt_num(cons, "deadline_hours", o->deadline_hours);
    cJSON_AddNumberToObject(root, "considered", (double)rec->n_considered);
    cJSON_AddNumberToObject(root, "feasible_count", (double)rec->n_feasible);
    if (rec->feasible) {
        const cf_candidate *c = cf_frontier_candidate(f, rec->choice);
        candidate_json(cJSON_AddObjectToObject(root, "choice"), c, rs, pr);
    } else
        cJSON_AddNullToObject(root, "choice");
    if (rec->baseline != (size_t)-1) {
        cJSON *b = cJSON_AddObjectToObject(root, "baseline");
        candidate_json(b, cf_frontier_candidate(f, rec->baseline), rs, NULL);
        cJSON_AddStringToObject(b, "why", rec->baseline_named ? "named" : "most accurate run on on_demand");
    } else
        cJSON_AddNullToObject(root, "baseline");
    cJSON *s = cJSON_AddObjectToObject(root, "savings");
    add_opt_num(s, "usd", rec->savings_usd);
    add_opt_num(s, "fraction", rec->savings_fraction);
    add_opt_num(s, "co2e_kg", rec->co2e_savings_kg);
    if (!rec->feasible) {
        cJSON *b = cJSON_AddObjectToObject(root, "binding");
        cJSON_AddStringToObject(b, "constraint", cf_constraint_name(rec->binding));
        add_opt_num(b, "gap", rec->gap);
        add_opt_num(b, "relaxed_limit", rec->relaxed_limit);
        cJSON_AddBoolToObject(b, "single_relaxation", rec->single_relaxation);
        cJSON *g = cJSON_AddObjectToObject(b, "gaps");
        for (int k = 0; k < CF_CON_COUNT; k++) add_opt_num(g, cf_constraint_name((cf_constraint)k), rec->gaps[k]);
        if (rec->closest != (size_t)-1)
            candidate_json(cJSON_AddObjectToObject(b, "closest"), cf_frontier_candidate(f, rec->closest), rs, NULL);
    } else
        cJSON_AddNullToObject(root, "binding");
    cJSON *rs_ = cJSON_AddArrayToObject(root, "reasons");
    for (size_t i = 0; i < rec->n_reasons; i++) cJSON_AddItemToArray(rs_, cJSON_CreateString(rec->reasons[i]));
    if (pr && pr->have) {
        cJSON *p = cJSON_AddObjectToObject(root, "plan");
        cJSON_AddStringToObject(p, "cheapest_procurement", cf_procurement_name(pr->plan_cheapest));
        add_opt_num(p, "on_prem_usd_per_gpu_hour", pr->on_prem_rate);
        add_opt_num(p, "hybrid_usd_per_gpu_hour", pr->hybrid_rate);
        add_opt_num(p, "cost_factor_p10", pr->lo_factor);
        add_opt_num(p, "cost_factor_p90", pr->hi_factor);
        add_opt_num(p, "p_cheapest_of_choice", pr->p_cheapest);
    } else
        cJSON_AddNullToObject(root, "plan");
    char *text = cf_cli_json_text(root);
    cJSON_Delete(root);
    return text;
}

static char *render_table(const cf_frontier *f, const cf_runset *rs, const cf_recommendation *rec, const plan_range *pr)
{
    size_t cap = 8192;
    char *b = malloc(cap);
    if (b == NULL) return NULL;
    size_t len = 0;
#define OUT(...)                                                                                                       \
    do {                                                                                                               \
        if (len < cap) len += (size_t)snprintf(b + len, cap - len, __VA_ARGS__);                                       \
    } while (0)
    /* Two money buffers, so that one OUT can print two amounts with at least three significant digits. */
    char money[2][48];
#define M(k, v) cf_money_str(money[k], sizeof money[k], (v), "-")
    size_t show = rec->feasible ? rec->choice : rec->closest;
    if (rec->feasible)
        OUT("Recommendation\n");
    else
        OUT("No configuration meets the constraints: the binding constraint is %s (relax it by %.6g, to %.6g)\n",
            cf_constraint_name(rec->binding), rec->gap, rec->relaxed_limit);
    if (show != (size_t)-1) {
        const cf_candidate *c = cf_frontier_candidate(f, show);
        int assumed = 0;
        double t = cf_candidate_time_hours(c, rs, &assumed);
        OUT("  %-12s %s %s\n", rec->feasible ? "use" : "closest", c->predicted ? "predicted configuration" : "run",
            c->run_id);
        OUT("  %-12s %s, %s, %.0f%% pruned\n", "hardware", c->hardware ? c->hardware : "?",
            cf_precision_name(c->precision), 100.0 * c->pruning);
        OUT("  %-12s %s\n", "procurement", cf_procurement_name(c->price.option));
        if (c->predicted && isfinite(c->accuracy_lo))
            OUT("  %-12s %.4f (95%% interval %.4f to %.4f)\n", "accuracy", c->accuracy, c->accuracy_lo, c->accuracy_hi);
        else
            OUT("  %-12s %.4f\n", "accuracy", c->accuracy);
        OUT("  %-12s %s USD cash, %s USD with carbon", "cost", M(0, c->price.cost_usd), M(1, c->price.total_cost_usd));
        if (c->predicted && isfinite(c->cost_lo))
            OUT(" (95%% interval %s to %s)", M(0, c->cost_lo), M(1, c->cost_hi));
        else if (pr && pr->have && isfinite(pr->lo_factor))
            OUT(" (plan P10-P90 %s to %s)", M(0, c->price.total_cost_usd * pr->lo_factor),
                M(1, c->price.total_cost_usd * pr->hi_factor));
        if (c->price.has_transfer) { /* issue 16 */
            char m3[48], g[600];
            OUT("\n  %-12s compute %s, egress %s, storage %s USD", "parts", M(0, c->price.compute_cost_usd),
                M(1, c->price.egress_cost_usd), cf_money_str(m3, sizeof m3, c->price.storage_cost_usd, "-"));
            if (cf_price_gravity_phrase(&c->price, g, sizeof g)) OUT("\n  %-12s %s", "data gravity", g);
        }
        OUT("\n  %-12s %.4g kg\n", "CO2e", c->price.co2e_kg);
        const cf_run *run = c->run_index != (size_t)-1 && rs ? cf_runset_get(rs, c->run_index) : NULL;
        if (run && run->work_unit != CF_WORK_NONE) /* issue 11: an inference run's figures are per 1M units */
            OUT("  %-12s %.4g accelerator-hours and %.4g h per 1M %s (%g accelerators); costs above are per 1M %s\n",
                "throughput", c->gpu_hours, t, cf_work_unit_name(run->work_unit), run->num_gpus,
                cf_work_unit_name(run->work_unit));
        else
            OUT("  %-12s %.4g h%s\n", "time", t, assumed ? " (one GPU assumed)" : "");
    }
    if (rec->feasible && rec->baseline != (size_t)-1) {
        const cf_candidate *bl = cf_frontier_candidate(f, rec->baseline);
        OUT("  %-12s run %s on %s (%s): accuracy %.4f, %s USD\n", "baseline", bl->run_id,
            cf_procurement_name(bl->price.option), rec->baseline_named ? "named" : "most accurate on on-demand",
            bl->accuracy, M(0, bl->price.total_cost_usd));
        OUT("  %-12s %s USD (%.1f%%), %.4g kg CO2e\n", "savings", M(0, rec->savings_usd), 100.0 * rec->savings_fraction,
            rec->co2e_savings_kg);
    }
    if (pr && pr->have)
        OUT("  %-12s cheapest way to buy the plan's demand: %s; on_prem %.4g and hybrid %.4g USD per useful GPU-hour\n",
            "plan", cf_procurement_name(pr->plan_cheapest), pr->on_prem_rate, pr->hybrid_rate);
    OUT("Why:\n");
    for (size_t i = 0; i < rec->n_reasons; i++) OUT("  - %s\n", rec->reasons[i]);
#undef OUT
#undef M
    if (len >= cap) {
        b[cap - 2] = '\n';
        b[cap - 1] = '\0';
    }
    return b;
}

/* Parses a constraint value: finite, and >= 0. */
static int parse_limit(const char *opt, const char *arg, double *out)
{
    if (cf_cli_parse_double(opt, arg, out) != 0) return -1;
    if (*out < 0) {
        fprintf(stderr, "costfront: %s: expected a non-negative number, found '%s'\n", opt, arg);
        return -1;
    }
    return 0;
}

int cf_cmd_plan(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"min-accuracy", required_argument, 0, OPT_ACC},
                                             {"budget", required_argument, 0, OPT_BUDGET},
                                             {"max-co2e", required_argument, 0, OPT_CO2E},
                                             {"deadline-hours", required_argument, 0, OPT_DEADLINE},
                                             {"baseline", required_argument, 0, OPT_BASELINE},
                                             {"conservative", no_argument, 0, OPT_CONS},
                                             {"mc", required_argument, 0, OPT_MC},
                                             {"format", required_argument, 0, OPT_FORMAT},
                                             {"out", required_argument, 0, OPT_OUT},
                                             {"plan", required_argument, 0, CF_OPT_PLAN},
                                             CF_CLI_FRONTIER_OPTIONS,
                                             CF_CLI_RUN_OPTIONS,
                                             {0, 0, 0, 0}};
    cf_cli_inputs in;
    cf_cli_inputs_init(&in);
    cf_cli_frontier fr;
    cf_cli_frontier_init(&fr);
    cf_recommend_opts ro;
    cf_recommend_opts_default(&ro);
    const char *plan_path = NULL, *format = "table", *out_path = NULL;
    long mc_n = CF_CLI_MC_SAMPLES;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return CF_EXIT_OK;
        case OPT_ACC:
            if (parse_limit("--min-accuracy", optarg, &ro.min_accuracy) != 0) return CF_EXIT_USAGE;
            if (ro.min_accuracy > 1 && ro.min_accuracy <= 100) ro.min_accuracy /= 100.0;
            if (ro.min_accuracy > 1)
                return cf_cli_usage_error("plan", "--min-accuracy: expected a fraction, found '%s'", optarg);
            continue;
        case OPT_BUDGET:
            if (parse_limit("--budget", optarg, &ro.budget_usd) != 0) return CF_EXIT_USAGE;
            continue;
        case OPT_CO2E:
            if (parse_limit("--max-co2e", optarg, &ro.max_co2e_kg) != 0) return CF_EXIT_USAGE;
            continue;
        case OPT_DEADLINE:
            if (parse_limit("--deadline-hours", optarg, &ro.deadline_hours) != 0) return CF_EXIT_USAGE;
            continue;
        case OPT_BASELINE: ro.baseline_run_id = optarg; continue;
        case OPT_CONS: ro.conservative = 1; continue;
        case OPT_MC:
            if (cf_cli_parse_long("--mc", optarg, &mc_n) != 0) return CF_EXIT_USAGE;
            if (mc_n < 0 || mc_n > 10000000) return cf_cli_usage_error("plan", "--mc: expected 0 to 10000000");
            continue;
        case OPT_FORMAT:
            if (strcmp(optarg, "table") && strcmp(optarg, "json"))
                return cf_cli_usage_error("plan", "--format: expected table or json, found '%s'", optarg);
            format = optarg;
            continue;
        case OPT_OUT: out_path = optarg; continue;
        default: break;
        }
        if (c == CF_OPT_PLAN) {
            plan_path = optarg;
            continue;
        }
        int r = cf_cli_frontier_option(&fr, c, optarg);
        if (r == 0) r = cf_cli_inputs_option(&in, c, optarg);
        if (r < 0) return CF_EXIT_USAGE;
        if (r == 0) return cf_cli_usage_error("plan", "unknown option");
    }
    cf_plan *plan = NULL;
    cf_frontier *f = NULL;
    cf_tco_result *res = NULL;
    char *text = NULL;
    plan_range pr;
    memset(&pr, 0, sizeof pr);
    int rc = cf_cli_plan_apply(plan_path, &in, &fr, &plan);
    if (rc != CF_EXIT_OK) goto out;
    rc = cf_cli_frontier_finish(&fr, &in);
    if (rc != CF_EXIT_OK) goto out;
    rc = cf_cli_load_runs(&in, argc - optind, argv + optind);
    if (rc != CF_EXIT_OK) goto out;
    f = cf_cli_compute_frontier(&fr, &in, &rc);
    if (f == NULL) goto out;
    cf_error err;
    cf_error_clear(&err);
    unsigned long seed = fr.seed;
    cf_recommendation rec;
    cf_status st = cf_recommend(f, in.runs, &ro, &rec, &err);
    if (st != CF_OK) {
        cf_cli_print_error("plan", &err);
        rc = st == CF_ERR_NOT_FOUND ? CF_EXIT_USAGE : cf_cli_exit_for(st);
        goto out;
    }
    if (plan) {
        /* The plan's view: the cheapest way to buy its demand, and the chosen option's cost range under the
         * plan's uncertain inputs (P10 and P90 of its total over the base total). */
        st = cf_tco_evaluate(plan, in.catalog, &res, &err);
        cf_tco_mc_result mc;
        if (st == CF_OK && mc_n > 0) {
            st = cf_cli_plan_monte_carlo(plan, &in, (size_t)mc_n, seed, CF_TCO_METRIC_TOTAL_WITH_CARBON, &mc, &err);
        }
        if (st != CF_OK) {
            cf_cli_print_error(plan_path, &err);
            rc = cf_cli_exit_for(st);
            goto out;
        }
        pr.plan_cheapest = cf_tco_result_cheapest(res, CF_TCO_METRIC_NPV_WITH_CARBON);
        pr.on_prem_rate = fr.opts.on_prem_usd_per_gpu_hour;
        pr.hybrid_rate = fr.opts.hybrid_usd_per_gpu_hour;
        pr.lo_factor = pr.hi_factor = pr.p_cheapest = NAN;
        size_t show = rec.feasible ? rec.choice : rec.closest;
        if (show != (size_t)-1 && mc_n > 0) {
            cf_procurement o = cf_frontier_candidate(f, show)->price.option;
            cf_tco_option op;
            cf_tco_result_option(res, o, &op);
            if (op.available && op.total_with_carbon_usd > 0 && isfinite(mc.p10[o])) {
                pr.lo_factor = mc.p10[o] / op.total_with_carbon_usd;
                pr.hi_factor = mc.p90[o] / op.total_with_carbon_usd;
                pr.p_cheapest = mc.p_cheapest[o];
            }
        }
        pr.have = 1; /* the plan's facts are shown; the cost interval only when lo_factor is finite */
    }
    text = !strcmp(format, "json") ? render_json(f, in.runs, &ro, &rec, plan ? &pr : NULL)
                                   : render_table(f, in.runs, &rec, plan ? &pr : NULL);
    if (text == NULL) {
        rc = CF_EXIT_INTERNAL;
        goto out;
    }
    rc = cf_cli_write_output(out_path, text);
    if (rc == CF_EXIT_OK && !rec.feasible) {
        fprintf(stderr, "costfront plan: no configuration meets the constraints; binding: %s (gap %.6g)\n",
                cf_constraint_name(rec.binding), rec.gap);
        rc = CF_EXIT_INFEASIBLE;
    }
out:
    free(text);
    cf_tco_result_destroy(res);
    cf_frontier_destroy(f);
    cf_plan_destroy(plan);
    cf_cli_inputs_free(&in);
    return rc;
}
