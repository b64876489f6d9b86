/* Tests of serving plans (models/serve.c, issue 11): replicas per hour, the monthly cost of every option, the
 * hybrid base search, the latency SLO, the cheapest feasible choice and the managed-API break-even. Every expected
 * number is worked by hand in the comment above it. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/catalog.h"
#include "costfront/runset.h"
#include "costfront/serve.h"

/* gpu700: 700 W, 10,000 USD a card, 5-year life; site: PUE 1.5 (cloud), 0.10 USD/kWh; offers: on-demand 2.00,
 * reserved 1y 1.20, reserved 3y 0.90 USD per accelerator-hour, no spot. gpu900 costs 3.00 on demand. */
static const char *const CATALOG =
    "{\"hardware\": [{\"id\": \"gpu700\", \"board_power_w\": 700, \"purchase_usd\": 10000, \"life_years\": 5},"
    "                {\"id\": \"gpu900\", \"board_power_w\": 900}],"
    " \"regions\": [{\"id\": \"site\", \"grid_gco2e_per_kwh\": 400, \"pue\": 1.5, \"electricity_usd_per_kwh\": 0.1}],"
    " \"offers\": [{\"provider\": \"p\", \"region\": \"site\", \"hardware\": \"gpu700\", \"on_demand\": 2.0,"
    " \"reserved_1y\": 1.2, \"reserved_3y\": 0.9},"
    " {\"provider\": \"p\", \"region\": \"site\", \"hardware\": \"gpu900\", \"on_demand\": 3.0}]}";

static cf_catalog *load_cat(void)
{
    cf_catalog *cat = cf_catalog_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_catalog_load_string(cat, CATALOG, "test", &err), CF_OK, "%s", err.message);
    return cat;
}

/* Feeds records "a=1;b=2" as one source. */
static cf_runset *runs_of(cf_catalog *cat, const char *const *recs, size_t n)
{
    cf_runset *rs = cf_runset_create(cat, NULL);
    cr_assert_not_null(rs);
    cr_assert_eq(cf_runset_begin_source(rs, "serve.csv"), CF_OK);
    for (size_t k = 0; k < n; k++) {
        char *copy = strdup(recs[k]);
        const char *names[24], *values[24];
        size_t m = 0;
        for (char *tok = strtok(copy, ";"); tok && m < 24; tok = strtok(NULL, ";")) {
            char *eq = strchr(tok, '=');
            *eq = '\0';
            names[m] = tok;
            values[m++] = eq + 1;
        }
        cr_assert_eq(cf_runset_add_raw(rs, (long)k + 2, m, names, values, NULL, NULL), CF_OK);
        free(copy);
    }
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_runset_end_source(rs, &err), CF_OK, "%s", err.message);
    return rs;
}

/* The plan worked by hand. Run A: 2 x gpu700 at 1000 tokens/s, p99 800 ms. Run B: 1 x gpu900 at 4000 tokens/s but
 * p99 3000 ms, above the 2000 ms SLO. Demand 60e6 tokens/day: hours 0-3 carry 0.1 of the day each, hours 4-23
 * 0.03 each (sum 0.4 + 0.6 = 1). Utilisation 0.5: a replica of A carries 1000 x 0.5 = 500 tokens/s.
 *   busy hour mean = 60e6 x 0.1 / 3600 = 1666.7 tokens/s -> ceil(3.33) = 4 replicas; quiet = 60e6 x 0.03 / 3600 =
 *   500 tokens/s -> 1 replica. Peak 4, trough 1. A month = 730 / 24 = 30.41667 days.
 *   autoscaled replica-hours = (4 x 4 + 20 x 1) x 30.41667 = 1095 -> 2190 GPU-hours
 *   on_demand = 2190 x 2.00 = 4380 USD; spot: no price
 *   reserved_1y = 4 replicas x 730 h x 2 GPUs x 1.20 = 7008; reserved_3y = 5840 x 0.90 = 5256
 *   work = 60e6 / (1000 x 3600) = 16.6667 replica-hours a day -> 506.944 a month
 *   owned server (TCO defaults, docs/tco.md): capex 2 x 10,000 x 1.25 = 25,000 over 60 months = 416.667;
 *     power 2 x 0.7 / 0.55 = 2.54545 kW; colocation 184.06 x 2.54545 = 468.516; ops 250;
 *     fixed F = 1135.183 a server-month; electricity 2.54545 kW x 1.56 PUE x 0.10 = 0.397091 USD a busy hour
 *   on_prem = 4 x F + 506.944 x 0.397091 = 4540.732 + 201.303 = 4742.035
 *   hybrid: owned base B = 1 + on-demand bursts (no spot): bursts (4 - 1) x 4 h = 12 replica-hours a day = 365 a
 *     month x 2 GPUs x 2.00 = 1460; base work = (1666.7/1000 x 1/4) x 4 + 0.5 x 20 = 11.6667 h a day = 354.861 a
 *     month -> electricity 140.912; total = 1135.183 + 1460 + 140.912 = 2736.095. (Reserved 3y base B = 1:
 *     1314 + 1460 = 2774; B = 2 owned: 2270.366 + 973.333 + 201.303 x (13.3333 / 16.6667) = 3404.74.)
 *   tokens a month = 60e6 x 30.41667 = 1.825e9: hybrid per 1M = 2736.095 / 1825 = 1.499230 USD. */
Test(serve, plan_worked_by_hand)
{
    cf_catalog *cat = load_cat();
    const char *recs[] = {
        "run_id=A;accuracy=0.9;hardware=gpu700;num_gpus=2;tokens_per_s=1000;latency_p99_ms=800;model=m-8b;"
        "provider=p;region=site",
        "run_id=B;accuracy=0.9;hardware=gpu900;num_gpus=1;tokens_per_s=4000;latency_p99_ms=3000;model=m-8b;"
        "provider=p;region=site",
        "run_id=T;accuracy=0.9;gpu_hours=3;hardware=gpu700",
    };
    cf_runset *rs = runs_of(cat, recs, 3);
    cf_serve_demand d;
    cf_serve_demand_default(&d);
    d.tokens_per_day = 60e6;
    for (int h = 0; h < 24; h++) d.profile[h] = h < 4 ? 0.1 : 0.03;
    d.target_utilization = 0.5;
    d.slo_p99_ms = 2000;
    cf_serve_plan *plan = NULL;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_serve_plan_build(cat, rs, &d, NULL, "{}", &plan, &err), CF_OK, "%s: %s", err.field, err.message);
    cr_assert_eq(cf_serve_plan_count(plan), 2);
    cr_assert_eq(cf_serve_plan_skipped(plan), 1, "the training run is skipped");
    cr_assert_float_eq(cf_serve_plan_tokens_per_month(plan), 1.825e9, 1e-3);
    const cf_serve_candidate *a = cf_serve_plan_candidate(plan, 0);
    cr_assert_eq(a->replicas_peak, 4);
    cr_assert_eq(a->replicas_trough, 1);
    cr_assert_eq(a->replicas[0], 4);
    cr_assert_eq(a->replicas[23], 1);
    cr_assert_float_eq(a->options[CF_PROC_ON_DEMAND].monthly_usd, 4380, 1e-6);
    cr_assert_float_eq(a->options[CF_PROC_ON_DEMAND].gpu_hours, 2190, 1e-9);
    /* utilisation of autoscaled replicas: 506.944 / 1095 = 0.462963 */
    cr_assert_float_eq(a->options[CF_PROC_ON_DEMAND].utilization, 506.9444444 / 1095, 1e-9);
    cr_assert_eq(a->options[CF_PROC_SPOT].available, 0);
    cr_assert(strstr(a->options[CF_PROC_SPOT].reason, "no spot price") != NULL, "%s", a->options[CF_PROC_SPOT].reason);
    cr_assert_float_eq(a->options[CF_PROC_RESERVED_1Y].monthly_usd, 7008, 1e-6);
    cr_assert_float_eq(a->options[CF_PROC_RESERVED_3Y].monthly_usd, 5256, 1e-6);
    double F = 25000.0 / 60 + 184.06 * 1.4 / 0.55 + 250, e = 1.4 / 0.55 * 1.56 * 0.10;
    cr_assert_float_eq(F, 1135.183, 1e-3);
    cr_assert_float_eq(a->options[CF_PROC_ON_PREM].monthly_usd, 4 * F + 506.9444444 * e, 1e-4);
    cr_assert_float_eq(a->options[CF_PROC_ON_PREM].monthly_usd, 4742.035, 1e-3);
    const cf_serve_option *hy = &a->options[CF_PROC_HYBRID];
    cr_assert_eq(hy->base_replicas, 1);
    cr_assert_eq(hy->base, CF_PROC_ON_PREM);
    cr_assert_eq(hy->burst, CF_PROC_ON_DEMAND);
    cr_assert_float_eq(hy->monthly_usd, 2736.095, 1e-3);
    cr_assert_float_eq(hy->burst_gpu_hours, 730, 1e-9);
    cr_assert_float_eq(hy->cost_per_1m_tokens_usd, 1.499230, 1e-6);
    cr_assert_eq(a->best, CF_PROC_HYBRID);
    cr_assert(a->feasible);
    /* B breaks the SLO; gpu900 has no purchase price, so it cannot be owned. */
    const cf_serve_candidate *b = cf_serve_plan_candidate(plan, 1);
    cr_assert_eq(b->feasible, 0);
    cr_assert_str_eq(b->why, "SLO: p99 latency 3000 ms > 2000 ms");
    cr_assert_eq(b->options[CF_PROC_ON_PREM].available, 0);
    size_t bc;
    cf_procurement bo;
    cr_assert_eq(cf_serve_plan_best(plan, &bc, &bo), 1);
    cr_assert_eq(bc, 0);
    cr_assert_eq(bo, CF_PROC_HYBRID);
    cf_serve_plan_destroy(plan);

    /* Without the SLO, B (1 GPU at 4000 tokens/s, 2000 a replica): busy ceil(1666.7 / 2000) = 1 replica, quiet 1:
     * on-demand 24 x 30.41667 x 3.00 = 2190 USD < 2736.095, so B wins and A's reason says by how much. */
    d.slo_p99_ms = NAN;
    cr_assert_eq(cf_serve_plan_build(cat, rs, &d, NULL, "{}", &plan, &err), CF_OK);
    cr_assert_eq(cf_serve_plan_best(plan, &bc, &bo), 1);
    cr_assert_eq(bc, 1);
    cr_assert_eq(bo, CF_PROC_ON_DEMAND);
    cr_assert_float_eq(cf_serve_plan_candidate(plan, 1)->options[CF_PROC_ON_DEMAND].monthly_usd, 2190, 1e-6);
    /* 2736.095 - 2190 = 546.095 (+24.9%) */
    cr_assert(strstr(cf_serve_plan_candidate(plan, 0)->why, "546.095 more (+24.9%) than B on_demand") != NULL, "%s",
              cf_serve_plan_candidate(plan, 0)->why);
    cf_serve_plan_destroy(plan);

    /* A peak of 2500 tokens/s: factor 2500 / 1666.7 = 1.5, busy 2500 / 500 = 5 replicas, quiet 750 / 500 -> 2. */
    d.peak_tokens_per_s = 2500;
    cr_assert_eq(cf_serve_plan_build(cat, rs, &d, NULL, "{}", &plan, &err), CF_OK);
    cr_assert_float_eq(cf_serve_plan_peak_factor(plan), 1.5, 1e-12);
    cr_assert_eq(cf_serve_plan_candidate(plan, 0)->replicas_peak, 5);
    cr_assert_eq(cf_serve_plan_candidate(plan, 0)->replicas_trough, 2);
    cf_serve_plan_destroy(plan);
    /* A peak below the busiest hour's mean is refused. */
    d.peak_tokens_per_s = 1000;
    cr_assert_eq(cf_serve_plan_build(cat, rs, &d, NULL, "{}", &plan, &err), CF_ERR_INVALID);
    cr_assert_str_eq(err.field, "peak_tokens_per_s");
    cr_assert_null(plan);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
}

/* Break-even with a flat profile: one gpu700 a replica at 1000 tokens/s, utilisation 1, so a replica carries
 * 1000 x 86400 x 30.41667 = 2.628e9 tokens a month. Up to that volume the cheapest option is one 3-year reserved
 * replica: 0.90 x 730 = 657 USD a month (owned: 692.59 + electricity; on-demand 1460). An API at 0.50 in and 2.00
 * out per 1M with input:output 3:1 costs (3 x 0.5 + 2) / 4 = 0.875 per 1M blended, so self-hosting breaks even at
 * 657 / 0.875 x 1e6 = 7.50857e8 tokens a month. An API at 0.20 per 1M: one replica would need 657 / 0.2 = 3.285e9 >
 * 2.628e9 tokens, and every further replica adds 657 per 2.628e9 tokens (0.25 per 1M > 0.20): never. */
Test(serve, api_breakeven)
{
    cf_catalog *cat = load_cat();
    const char *recs[] = {"run_id=A;accuracy=0.9;hardware=gpu700;num_gpus=1;tokens_per_s=1000;model=Llama-3.1-8B;"
                          "provider=p;region=site"};
    cf_runset *rs = runs_of(cat, recs, 1);
    const char *api =
        "{\"api_offers\": ["
        "{\"provider\": \"x\", \"model\": \"m\", \"model_class\": \"8B-class\", \"usd_per_1m_input\": 0.5,"
        " \"usd_per_1m_output\": 2.0, \"source\": \"test\", \"as_of\": \"2025-01-15\"},"
        "{\"provider\": \"y\", \"model\": \"m\", \"model_class\": \"8B-class\", \"usd_per_1m_input\": 0.2,"
        " \"usd_per_1m_output\": 0.2, \"source\": \"test\", \"as_of\": \"2025-01-15\"},"
        "{\"provider\": \"z\", \"model\": \"big\", \"model_class\": \"70B-class\", \"usd_per_1m_input\": 1,"
        " \"usd_per_1m_output\": 1, \"source\": \"test\", \"as_of\": \"2025-01-15\"}]}";
    cf_serve_demand d;
    cf_serve_demand_default(&d);
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_serve_demand_parse_rate(&d, "1e9 tokens/day", &err), CF_OK);
    d.target_utilization = 1.0;
    d.input_output_ratio = 3;
    cf_serve_plan *plan = NULL;
    cr_assert_eq(cf_serve_plan_build(cat, rs, &d, NULL, api, &plan, &err), CF_OK, "%s", err.message);
    cr_assert_str_eq(cf_serve_plan_model_class(plan), "8B-class", "guessed from Llama-3.1-8B");
    cr_assert_eq(cf_serve_plan_api_count(plan), 2, "the 70B-class offer is not like-for-like");
    const cf_serve_api *x = cf_serve_plan_api(plan, 0), *y = cf_serve_plan_api(plan, 1);
    cr_assert_float_eq(x->usd_per_1m_blended, 0.875, 1e-12);
    cr_assert_float_eq(cf_serve_plan_cost_at(plan, 0, 1e9), 657, 1e-9);
    cr_assert_float_eq(x->breakeven_tokens_per_month, 657 / 0.875 * 1e6, 1e3);
    /* 1e9 tokens a day = 3.0417e10 a month: 12 replicas (ceil(11.57)), 12 x 657 = 7884 USD; the API:
     * 3.0417e10 / 1e6 x 0.875 = 26614.6 USD, so self-hosting is cheaper. */
    cr_assert_float_eq(x->monthly_usd, 1e9 * 730 / 24 / 1e6 * 0.875, 1e-6);
    cr_assert(x->self_hosting_cheaper);
    cr_assert(isinf(y->breakeven_tokens_per_month));
    cr_assert_eq(y->self_hosting_cheaper, 0);
    cf_serve_plan_destroy(plan);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
}

Test(serve, demand_parsing)
{
    cf_serve_demand d;
    cf_serve_demand_default(&d);
    cf_error err;
    cf_error_clear(&err);
    /* 30 requests/s x 500 tokens x 86400 s = 1.296e9 tokens a day */
    cr_assert_eq(cf_serve_demand_parse_rate(&d, "30 requests/s", &err), CF_OK);
    d.tokens_per_request = 500;
    cr_assert_eq(cf_serve_demand_validate(&d, &err), CF_OK);
    cr_assert_float_eq(d.tokens_per_day, 1.296e9, 1e-3);
    cr_assert_eq(cf_serve_demand_parse_rate(&d, "5 parsecs", &err), CF_ERR_INVALID);
    cf_serve_demand_default(&d);
    cr_assert_eq(cf_serve_demand_parse_rate(&d, "30 rps", &err), CF_OK);
    cr_assert_eq(cf_serve_demand_validate(&d, &err), CF_ERR_INVALID, "requests without tokens per request");
    cr_assert_str_eq(err.field, "tokens_per_request");
    /* a profile of 24 shares summing to 48 is normalised: 2 / 48 = 1/24 */
    cf_serve_demand_default(&d);
    cr_assert_eq(cf_serve_demand_parse_profile(&d, "2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2", &err), CF_OK);
    d.tokens_per_day = 1;
    cr_assert_eq(cf_serve_demand_validate(&d, &err), CF_OK);
    cr_assert_float_eq(d.profile[5], 1.0 / 24, 1e-15);
    cr_assert_eq(cf_serve_demand_parse_profile(&d, "1,2,3", &err), CF_ERR_INVALID);
    cr_assert(strstr(err.message, "found 3") != NULL, "%s", err.message);
    /* JSON: errors name the path */
    cf_serve_demand_default(&d);
    cr_assert_eq(
        cf_serve_demand_load_string(&d, "{\"tokens_per_day\": 1e9, \"slo\": {\"p99_ms\": -1}}", "d.json", &err),
        CF_ERR_INVALID);
    cr_assert_str_eq(err.field, "slo.p99_ms");
    cr_assert_eq(cf_serve_demand_load_string(&d, "{\"tokens_per_dya\": 1e9}", "d.json", &err), CF_ERR_INVALID);
    cr_assert_str_eq(err.field, "tokens_per_dya");
    cr_assert_eq(cf_serve_demand_load_string(&d, "{\"tokens_per_day\": 1e9,\n \"profile\": [1, 2}", "d.json", &err),
                 CF_ERR_PARSE);
    cr_assert_eq(err.line, 2);
    cr_assert_eq(cf_serve_demand_load_string(&d,
                                             "{\"tokens_per_day\": 2e9, \"model_class\": \"70B-class\", "
                                             "\"slo\": {\"ttft_ms\": 500}}",
                                             "d.json", &err),
                 CF_OK);
    cr_assert_float_eq(d.tokens_per_day, 2e9, 1);
    cr_assert_float_eq(d.slo_ttft_ms, 500, 1e-12);
    cr_assert_str_eq(d.model_class, "70B-class");
    char buf[48];
    cr_assert_str_eq(cf_serve_model_class("llama2-70b-99", buf, sizeof buf), "70B-class");
    cr_assert_str_eq(cf_serve_model_class("Meta-Llama-3.1-8B-Instruct", buf, sizeof buf), "8B-class");
    cr_assert_null(cf_serve_model_class("mixtral-8x7b", buf, sizeof buf), "a mixture of experts is not 7B-class");
    cr_assert_null(cf_serve_model_class("resnet50", buf, sizeof buf));
}
