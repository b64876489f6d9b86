/* costfront command: --plan FILE for frontier, report and plan (see plan_common.h). */
#include "plan_common.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/report_tco.h"

const char cf_cli_plan_options_help[] =
    "Procurement plan options:\n"
    "  --plan FILE             a TCO plan (JSON; docs/tco.md): on_prem and hybrid become procurement options,\n"
    "                          priced at the plan's cost and carbon per useful GPU-hour, for runs on the plan's\n"
    "                          hardware only\n"
    "  --seed S                seed of the plan's Monte Carlo (default 1)\n";

int cf_cli_parse_seed(const char *opt, const char *s, unsigned long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (s[0] == '\0' || s[0] == '-' || *end != '\0' || errno != 0) {
        fprintf(stderr, "costfront: %s: expected a non-negative integer, found '%s'\n", opt, s);
        return -1;
    }
    *out = (unsigned long)v;
    return 0;
}

int cf_cli_plan_option(int opt, const char *arg, const char **plan_path, unsigned long *seed)
{
    switch (opt) {
    case CF_OPT_PLAN: *plan_path = arg; return 1;
    case CF_OPT_PLAN_SEED: return cf_cli_parse_seed("--seed", arg, seed) == 0 ? 1 : -1;
    default: return 0;
    }
}

void cf_cli_mc_progress(void *user, size_t done, size_t total)
{
    (void)user;
    fprintf(stderr, "\rmonte carlo: %3.0f%%", total ? 100.0 * (double)done / (double)total : 100.0);
    if (done >= total) fputc('\n', stderr);
    fflush(stderr);
}

int cf_cli_plan_apply(const char *plan_path, cf_cli_inputs *in, cf_cli_frontier *fr, cf_plan **out)
{
    *out = NULL;
    if (plan_path == NULL) return CF_EXIT_OK;
    int rc = cf_cli_load_catalog(in);
    if (rc != CF_EXIT_OK) return rc;
    cf_error err;
    cf_error_clear(&err);
    cf_plan *plan = cf_plan_create();
    if (plan == NULL) return CF_EXIT_INTERNAL;
    cf_status st = cf_plan_load_file(plan, plan_path, in->catalog, &err);
    if (st != CF_OK) {
        cf_cli_print_error("plan", &err);
        cf_plan_destroy(plan);
        return st == CF_ERR_NOMEM ? CF_EXIT_OUTPUT : CF_EXIT_INPUT;
    }
    if (fr != NULL) {
        cf_tco_unit_rate op, hy;
        st = cf_tco_unit_rates(plan, in->catalog, CF_PROC_ON_PREM, &op, &err);
        if (st == CF_OK) st = cf_tco_unit_rates(plan, in->catalog, CF_PROC_HYBRID, &hy, &err);
        if (st != CF_OK) {
            cf_cli_print_error("plan", &err);
            cf_plan_destroy(plan);
            return cf_cli_exit_for(st) == CF_EXIT_USAGE ? CF_EXIT_INPUT : cf_cli_exit_for(st);
        }
        /* Operational CO2e only, as the cloud options are priced (embodied carbon is reported apart). */
        fr->opts.on_prem_usd_per_gpu_hour = op.usd_per_gpu_hour;
        fr->opts.on_prem_kgco2e_per_gpu_hour = op.co2e_operational_kg_per_gpu_hour;
        fr->opts.hybrid_usd_per_gpu_hour = hy.usd_per_gpu_hour;
        fr->opts.hybrid_kgco2e_per_gpu_hour = hy.co2e_operational_kg_per_gpu_hour;
        const cf_hardware *hw = cf_catalog_hardware(in->catalog, cf_plan_hardware(plan));
        fr->opts.owned_hardware = hw ? hw->id : cf_plan_hardware(plan);
        fr->opts.procurements |= (1u << CF_PROC_ON_PREM) | (1u << CF_PROC_HYBRID);
        if (!in->quiet)
            fprintf(stderr, "plan: %s: on_prem %.4g USD and hybrid %.4g USD per useful GPU-hour, for runs on %s\n",
                    plan_path, op.usd_per_gpu_hour, hy.usd_per_gpu_hour, fr->opts.owned_hardware);
    }
    *out = plan;
    return CF_EXIT_OK;
}

int cf_cli_plan_report(cf_report *r, cf_plan *plan, const cf_cli_inputs *in, unsigned long seed)
{
    cf_error err;
    cf_error_clear(&err);
    cf_tco_result *res = NULL;
    cf_status st = cf_tco_evaluate(plan, in->catalog, &res, &err);
    cf_tco_tornado_row rows[CF_TCO_IN_COUNT];
    cf_tco_mc_result mc;
    if (st == CF_OK)
        st = cf_tco_tornado(plan, in->catalog, CF_TCO_METRIC_NPV_WITH_CARBON, CF_TCO_TARGET_ONPREM_VS_CLOUD, rows,
                            CF_TCO_IN_COUNT, NULL, &err);
    if (st == CF_OK) {
        cf_tco_mc_opts mo;
        cf_tco_mc_opts_default(&mo);
        st = cf_cli_plan_monte_carlo(plan, in, CF_CLI_MC_SAMPLES, seed, mo.metric, &mc, &err);
    }
    if (st == CF_OK) st = cf_report_tco(r, plan, in->catalog, res, &mc, rows, CF_TCO_IN_COUNT, &err);
    cf_tco_result_destroy(res);
    if (st != CF_OK) {
        cf_cli_print_error("plan", &err);
        return cf_cli_exit_for(st);
    }
    return CF_EXIT_OK;
}

int cf_cli_recommend_report(cf_report *r, const cf_frontier *f, const cf_cli_inputs *in, double target_accuracy)
{
    cf_recommend_opts o;
    cf_recommend_opts_default(&o);
    o.min_accuracy = target_accuracy;
    cf_recommendation rec;
    cf_error err;
    cf_error_clear(&err);
    cf_status st = cf_recommend(f, in->runs, &o, &rec, &err);
    if (st == CF_OK) st = cf_report_recommendation(r, f, &rec, &err);
    if (st != CF_OK) {
        cf_cli_print_error("recommendation", &err);
        return cf_cli_exit_for(st);
    }
    return CF_EXIT_OK;
}

cf_status cf_cli_plan_monte_carlo(const cf_plan *plan, const cf_cli_inputs *in, size_t n, unsigned long seed,
                                  cf_tco_metric metric, cf_tco_mc_result *mc, cf_error *err)
{
    cf_tco_mc_opts mo;
    cf_tco_mc_opts_default(&mo);
    mo.metric = metric;
    if (cf_cli_progress_enabled() && !in->quiet) mo.progress = cf_cli_mc_progress;
    return cf_tco_monte_carlo(plan, in->catalog, n, seed, &mo, mc, err);
}
