/* Tests of the pricing model (models/pricing.c) against the worked examples of REFERENCE-costs.md: energy and
 * carbon of an 8-GPU job, BLOOM's training footprint, the Young/Daly spot overhead and the p4d spot price per
 * useful hour, plus offer choice, restrictions, fallbacks and error messages. */
#include <criterion/criterion.h>

#include <math.h>
#include <string.h>

#include "costfront/catalog.h"
#include "costfront/pricing.h"
#include "costfront/runset.h"

static cf_catalog *load_default(void)
{
    cf_catalog *cat = cf_catalog_create();
    cr_assert_not_null(cat);
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_catalog_load_default(cat, &err), CF_OK, "%s", err.message);
    return cat;
}

static cf_catalog *load_text(const char *json)
{
    cf_catalog *cat = cf_catalog_create();
    cf_error err;
    cf_error_clear(&err);
    char buf[800];
    cr_assert_eq(cf_catalog_load_string(cat, json, "test", &err), CF_OK, "%s", cf_error_format(&err, buf, sizeof buf));
    return cat;
}

/* A run built by hand (runset.c is another module). */
static cf_run make_run(const char *id, const char *hw, const char *provider, const char *region, double gpu_hours)
{
    cf_run r;
    memset(&r, 0, sizeof r);
    r.run_id = id;
    r.accuracy = 0.9;
    r.gpu_hours = gpu_hours;
    r.wall_hours = NAN;
    r.num_gpus = NAN;
    r.precision = CF_PREC_BF16;
    r.hardware = hw;
    r.provider = provider;
    r.region = region;
    r.source = "runs.csv";
    r.line = 7;
    return r;
}

static const struct {
    const char *text;
    cf_status status;
    cf_procurement p;
} proc_cases[] = {
    {"on_demand", CF_OK, CF_PROC_ON_DEMAND},
    {"ondemand", CF_OK, CF_PROC_ON_DEMAND},
    {"On-Demand", CF_OK, CF_PROC_ON_DEMAND},
    {"od", CF_OK, CF_PROC_ON_DEMAND},
    {"spot", CF_OK, CF_PROC_SPOT},
    {"SPOT", CF_OK, CF_PROC_SPOT},
    {"reserved_1y", CF_OK, CF_PROC_RESERVED_1Y},
    {"1y", CF_OK, CF_PROC_RESERVED_1Y},
    {"reserved-3y", CF_OK, CF_PROC_RESERVED_3Y},
    {"3y", CF_OK, CF_PROC_RESERVED_3Y},
    {"on_prem", CF_OK, CF_PROC_ON_PREM},
    {"onprem", CF_OK, CF_PROC_ON_PREM},
    {"hybrid", CF_OK, CF_PROC_HYBRID},
    {"2y", CF_ERR_INVALID, CF_PROC_COUNT},
    {"", CF_ERR_INVALID, CF_PROC_COUNT},
    {"reserved_1y_but_much_longer_than_any_name", CF_ERR_INVALID, CF_PROC_COUNT},
};

Test(pricing, procurement_names_and_parse)
{
    for (size_t i = 0; i < sizeof proc_cases / sizeof *proc_cases; i++) {
        cf_procurement p = CF_PROC_COUNT;
        cr_expect_eq(cf_procurement_parse(proc_cases[i].text, &p), proc_cases[i].status, "\"%s\"", proc_cases[i].text);
        if (proc_cases[i].status == CF_OK) cr_expect_eq(p, proc_cases[i].p, "\"%s\"", proc_cases[i].text);
    }
    for (int p = 0; p < CF_PROC_COUNT; p++) {
        cf_procurement back;
        cr_expect_eq(cf_procurement_parse(cf_procurement_name((cf_procurement)p), &back), CF_OK);
        cr_expect_eq((int)back, p, "name/parse round trip");
    }
    cr_assert_str_eq(cf_procurement_name(CF_PROC_RESERVED_3Y), "reserved_3y");
    cr_assert_str_eq(cf_procurement_name(CF_PROC_COUNT), "unknown");
    cr_assert_eq(cf_procurement_parse(NULL, NULL), CF_ERR_ARG);
}

/* lambda = 0.05/h, delta = 2 min, R = 10 min: tau* = 1.155 h (Young), 1.121 h (Daly), f = 6.61%. */
Test(pricing, young_daly_worked_example)
{
    cf_spot_params p;
    cf_spot_params_default(&p);
    cr_assert_float_eq(p.checkpoint_hours, 2.0 / 60.0, 1e-15);
    cr_assert_float_eq(p.restart_hours, 10.0 / 60.0, 1e-15);
    cr_assert_eq(p.use_daly, 1);

    double tau_daly = cf_checkpoint_interval(0.05, &p);
    cr_assert_float_eq(tau_daly, 1.121, 5e-4);
    cr_assert_float_eq(tau_daly, sqrt(2.0 * (2.0 / 60.0) * 20.0) - 2.0 / 60.0, 1e-12);
    double tau = 0;
    double f = cf_spot_overhead(0.05, &p, &tau);
    cr_assert_float_eq(tau, tau_daly, 1e-15);
    cr_assert_float_eq(f, 0.0661, 5e-5);

    p.use_daly = 0;
    double tau_young = cf_checkpoint_interval(0.05, &p);
    cr_assert_float_eq(tau_young, 1.155, 5e-4);
    cr_assert_float_eq(tau_young, sqrt(4.0 / 3.0), 1e-12);
    double f_young = cf_spot_overhead(0.05, &p, NULL);
    cr_assert_float_eq(f_young, 0.0661, 5e-5);
    /* Young's tau minimises f = delta/tau + lambda tau / 2 exactly, so it cannot be beaten by Daly's here. */
    cr_assert_leq(f_young, f);

    /* NULL parameters mean the defaults. */
    cr_assert_float_eq(cf_spot_overhead(0.05, NULL, NULL), f, 1e-15);
}

Test(pricing, overhead_edge_cases)
{
    cf_spot_params p;
    cf_spot_params_default(&p);
    double tau = 0;
    cr_assert_eq(cf_spot_overhead(0.0, &p, &tau), 0.0);
    cr_assert(isinf(tau));
    cr_assert(isinf(cf_checkpoint_interval(-1.0, &p)));
    cr_assert(isinf(cf_checkpoint_interval(NAN, &p)));
    /* Daly: delta >= 2M gives tau = M. lambda = 1/h -> M = 1 h, delta = 3 h. */
    p.checkpoint_hours = 3.0;
    cr_assert_float_eq(cf_checkpoint_interval(1.0, &p), 1.0, 1e-15);
    /* Free checkpoints: only lost restart time remains, f = lambda R. */
    p.checkpoint_hours = 0.0;
    cr_assert_float_eq(cf_spot_overhead(0.05, &p, NULL), 0.05 * p.restart_hours, 1e-15);
    /* Overhead grows with the interruption rate. */
    cf_spot_params_default(&p);
    cr_assert_lt(cf_spot_overhead(0.01, &p, NULL), cf_spot_overhead(0.05, &p, NULL));
    cr_assert_lt(cf_spot_overhead(0.05, &p, NULL), cf_spot_overhead(0.2, &p, NULL));
}

/* p4d spot 13.655 x 1.0661 = 14.56 USD per useful node-hour, 55.6% below on-demand 32.773. */
Test(pricing, p4d_spot_per_useful_hour)
{
    cf_catalog *cat = load_default();
    cf_price pr;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_price_hours(cat, "a100-40gb", "aws", "us-east-1", 8.0, CF_PROC_SPOT, NULL, &pr, &err), CF_OK, "%s",
                 err.message);
    cr_assert_float_eq(pr.price_per_hour * 8, 13.655, 1e-9);
    cr_assert_float_eq(pr.overhead_fraction, 0.0661, 5e-5);
    cr_assert_float_eq(pr.billed_gpu_hours, 8.0 * (1.0 + pr.overhead_fraction), 1e-12);
    cr_assert_float_eq(pr.cost_usd, 14.56, 0.005);
    cr_assert_float_eq(1.0 - pr.cost_usd / 32.773, 0.556, 5e-4);
    cr_assert_eq(pr.cheapest_chosen, 0, "the caller named provider and region");
    cr_assert_str_eq(pr.region->id, "us-east-1");
    /* Energy and carbon use billed hours: 8 x 1.0661 h x 0.4 kW x PUE 1.2, at 367.8 g/kWh. */
    cr_assert_float_eq(pr.energy_kwh, pr.billed_gpu_hours * 0.4 * 1.2, 1e-9);
    cr_assert_float_eq(pr.co2e_kg, pr.energy_kwh * 0.3678, 1e-9);
    cr_assert_float_eq(pr.carbon_cost_usd, pr.co2e_kg * 0.190, 1e-9);
    cr_assert_float_eq(pr.total_cost_usd, pr.cost_usd + pr.carbon_cost_usd, 1e-9);

    cf_price od;
    cr_assert_eq(cf_price_hours(cat, "a100-40gb", "aws", "us-east-1", 8.0, CF_PROC_ON_DEMAND, NULL, &od, &err), CF_OK);
    cr_assert_float_eq(od.cost_usd, 32.773, 1e-9);
    cr_assert_eq(od.overhead_fraction, 0.0);
    cr_assert_float_eq(1.0 - pr.cost_usd / od.cost_usd, 0.556, 5e-4);
    cf_catalog_destroy(cat);
}

/* 8 GPUs x 0.7 kW x 10 h x PUE 1.56 = 87.36 kWh; at 475 g/kWh = 41.50 kg; at 190 USD/t = 7.88 USD. */
Test(pricing, energy_carbon_worked_example)
{
    cr_assert_float_eq(cf_energy_kwh(80.0, 700.0, 1.56), 87.36, 1e-9);
    cr_assert_float_eq(cf_co2e_kg(87.36, 475.0), 41.496, 1e-9);

    cf_catalog *cat = load_text(
        "{\"carbon_price_usd_per_t\": 190, \"carbon_price_source\": \"EPA\","
        " \"hardware\": [{\"id\": \"gpu700\", \"board_power_w\": 700, \"embodied_kgco2e\": 150, \"life_years\": 5}],"
        " \"regions\": [{\"id\": \"site\", \"grid_gco2e_per_kwh\": 475, \"pue\": 1.56}],"
        " \"offers\": [{\"provider\": \"colo\", \"region\": \"site\", \"hardware\": \"gpu700\", \"on_demand\": 2.0}]}");
    cf_price pr;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_price_hours(cat, "gpu700", NULL, NULL, 80.0, CF_PROC_ON_DEMAND, NULL, &pr, &err), CF_OK);
    cr_assert_float_eq(pr.energy_kwh, 87.36, 1e-9);
    cr_assert_float_eq(pr.co2e_kg, 41.50, 0.005);
    cr_assert_float_eq(pr.carbon_cost_usd, 7.88, 0.005);
    cr_assert_float_eq(pr.cost_usd, 160.0, 1e-9);
    cr_assert_float_eq(pr.total_cost_usd, 160.0 + 41.496 * 0.19, 1e-9);
    /* Embodied: 80 h x 150 kg / (5 y x 8760 h). */
    cr_assert_float_eq(pr.embodied_kgco2e, 80.0 * 150.0 / 43800.0, 1e-12);
    cr_assert_eq(pr.cheapest_chosen, 1);

    /* The options' carbon price overrides the catalog's (EU ETS about 85). */
    cf_pricing_opts o;
    cf_pricing_opts_default(&o);
    cr_assert(isnan(o.carbon_price_usd_per_t));
    o.carbon_price_usd_per_t = 85.0;
    cr_assert_eq(cf_price_hours(cat, "gpu700", NULL, NULL, 80.0, CF_PROC_ON_DEMAND, &o, &pr, &err), CF_OK);
    cr_assert_float_eq(pr.carbon_cost_usd, 41.496 * 0.085, 1e-9);
    cf_catalog_destroy(cat);
}

/* BLOOM: 1,082,990 GPU-h x 0.4 kW = 433,196 kWh; at 57 g/kWh = 24.69 t. */
Test(pricing, bloom_worked_example)
{
    double e = cf_energy_kwh(1082990.0, 400.0, 1.0);
    cr_assert_float_eq(e, 433196.0, 1e-6);
    cr_assert_float_eq(cf_co2e_kg(e, 57.0) / 1000.0, 24.69, 0.005);

    cf_catalog *cat =
        load_text("{\"hardware\": [{\"id\": \"a100-80gb\", \"board_power_w\": 400}],"
                  " \"regions\": [{\"id\": \"fr-jean-zay\", \"grid_gco2e_per_kwh\": 57, \"pue\": 1.0}],"
                  " \"offers\": [{\"provider\": \"genci\", \"region\": \"fr-jean-zay\", \"hardware\": \"a100-80gb\","
                  " \"on_demand\": 0}]}");
    cf_price pr;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_price_hours(cat, "a100-80gb", NULL, NULL, 1082990.0, CF_PROC_ON_DEMAND, NULL, &pr, &err), CF_OK);
    cr_assert_float_eq(pr.energy_kwh, 433196.0, 1e-6);
    cr_assert_float_eq(pr.co2e_kg / 1000.0, 24.69, 0.005);
    cr_assert_eq(pr.carbon_cost_usd, 0.0, "no carbon price in this catalog");
    cr_assert(isnan(pr.embodied_kgco2e), "embodied carbon unknown in this catalog");
    cf_catalog_destroy(cat);
}

Test(pricing, cheapest_offer_choice_and_restrictions)
{
    cf_catalog *cat = load_default();
    cf_price pr;
    cf_error err;
    cf_error_clear(&err);

    /* No restriction: Lambda (1.29) undercuts capacity blocks (1.844) and AWS on-demand (4.097). */
    cr_assert_eq(cf_price_hours(cat, "a100-40gb", NULL, NULL, 10.0, CF_PROC_ON_DEMAND, NULL, &pr, &err), CF_OK);
    cr_assert_str_eq(pr.offer->provider, "lambda");
    cr_assert_str_eq(pr.offer->region, "us-east-1", "ties go to catalog order");
    cr_assert_float_eq(pr.cost_usd, 12.9, 1e-9);
    cr_assert_eq(pr.cheapest_chosen, 1);

    /* Spot: Lambda has none, so Azure's ND96asr_v4 spot (10.8788 per 8 GPUs) undercuts AWS's p4d (13.655). */
    cr_assert_eq(cf_price_hours(cat, "a100-40gb", NULL, NULL, 10.0, CF_PROC_SPOT, NULL, &pr, &err), CF_OK);
    cr_assert_str_eq(pr.offer->provider, "azure");
    cr_assert_float_eq(pr.price_per_hour, 10.8788 / 8, 1e-12);

    /* Provider restriction through the options. */
    cf_pricing_opts o;
    cf_pricing_opts_default(&o);
    o.provider = "aws";
    cr_assert_eq(cf_price_hours(cat, "a100-40gb", NULL, NULL, 10.0, CF_PROC_ON_DEMAND, &o, &pr, &err), CF_OK);
    cr_assert_float_eq(pr.price_per_hour, 32.773 / 8, 1e-12);
    cr_assert_eq(pr.cheapest_chosen, 1, "region still chosen");

    /* Region restriction through the options: H100 in us-west-2 is only AWS's p5. */
    cf_pricing_opts_default(&o);
    o.region = "us-west-2";
    cr_assert_eq(cf_price_hours(cat, "H100 SXM", NULL, NULL, 1.0, CF_PROC_ON_DEMAND, &o, &pr, &err), CF_OK);
    cr_assert_str_eq(pr.offer->provider, "aws");
    cr_assert_float_eq(pr.price_per_hour, 12.29, 1e-12);
    cr_assert_float_eq(pr.region->grid_gco2e_per_kwh, 297.6, 1e-12);
    /* Without it, Lambda's 2.99 wins (RunPod's equal price comes later in catalog order). */
    cr_assert_eq(cf_price_hours(cat, "h100", NULL, NULL, 1.0, CF_PROC_ON_DEMAND, NULL, &pr, &err), CF_OK);
    cr_assert_str_eq(pr.offer->provider, "lambda");
    cr_assert_float_eq(pr.price_per_hour, 2.99, 1e-12);

    /* The run's region overrides the options' region. */
    cr_assert_eq(cf_price_hours(cat, "a100-40gb", NULL, "us-west-1", 1.0, CF_PROC_ON_DEMAND, &o, &pr, &err), CF_OK);
    cr_assert_str_eq(pr.offer->provider, "lambda");
    cr_assert_str_eq(pr.offer->region, "us-west-1");
    cr_assert_float_eq(pr.region->grid_gco2e_per_kwh, 216.0, 1e-12);

    /* Reserved prices. */
    cr_assert_eq(cf_price_hours(cat, "a100-80gb", "generic", "us-east-1", 100.0, CF_PROC_RESERVED_3Y, NULL, &pr, &err),
                 CF_OK);
    cr_assert_float_eq(pr.cost_usd, 145.0, 1e-9);
    cr_assert_eq(pr.cheapest_chosen, 0);
    cf_catalog_destroy(cat);
}

Test(pricing, errors_name_what_is_missing)
{
    cf_catalog *cat = load_default();
    cf_price pr;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_price_hours(cat, "gpu-9000", NULL, NULL, 1.0, CF_PROC_ON_DEMAND, NULL, &pr, &err),
                 CF_ERR_NOT_FOUND);
    cr_assert(strstr(err.message, "unknown hardware \"gpu-9000\"") != NULL, "%s", err.message);
    cr_assert(strstr(err.message, "a100-80gb") != NULL, "the message lists known hardware: %s", err.message);
    cr_assert_str_eq(err.field, "hardware");

    cf_error_clear(&err);
    cr_assert_eq(cf_price_hours(cat, "gh200", NULL, NULL, 1.0, CF_PROC_SPOT, NULL, &pr, &err), CF_ERR_NOT_FOUND);
    cr_assert_str_eq(err.message, "no offer prices gh200 under spot (provider any, region any)");

    cf_error_clear(&err);
    cr_assert_eq(cf_price_hours(cat, "h100", "intel-tiber", NULL, 1.0, CF_PROC_ON_DEMAND, NULL, &pr, &err),
                 CF_ERR_NOT_FOUND);
    cr_assert(strstr(err.message, "provider intel-tiber") != NULL, "%s", err.message);

    cr_assert_eq(cf_price_hours(cat, "h100", NULL, NULL, 1.0, CF_PROC_ON_PREM, NULL, &pr, &err), CF_ERR_ARG);
    cr_assert_eq(cf_price_hours(cat, "h100", NULL, NULL, 1.0, CF_PROC_HYBRID, NULL, &pr, &err), CF_ERR_ARG);
    cr_assert_eq(cf_price_hours(cat, "h100", NULL, NULL, -1.0, CF_PROC_SPOT, NULL, &pr, &err), CF_ERR_INVALID);
    cr_assert_eq(cf_price_hours(cat, "h100", NULL, NULL, NAN, CF_PROC_SPOT, NULL, &pr, &err), CF_ERR_INVALID);
    cr_assert_eq(cf_price_hours(NULL, "h100", NULL, NULL, 1.0, CF_PROC_SPOT, NULL, &pr, &err), CF_ERR_ARG);
    cf_catalog_destroy(cat);
}

Test(pricing, embodied_carbon_amortised_over_life)
{
    cf_catalog *cat = load_default();
    cf_price pr;
    cf_error err;
    cf_error_clear(&err);
    /* A whole 5-year life of one H100 carries its whole 150 kg. */
    cr_assert_eq(cf_price_hours(cat, "h100", "aws", "us-east-1", 5 * 8760.0, CF_PROC_ON_DEMAND, NULL, &pr, &err),
                 CF_OK);
    cr_assert_float_eq(pr.embodied_kgco2e, 150.0, 1e-9);
    /* Spot bills more hours, so it carries more embodied carbon for the same work. */
    cr_assert_eq(cf_price_hours(cat, "h100", "aws", "us-east-1", 5 * 8760.0, CF_PROC_SPOT, NULL, &pr, &err), CF_OK);
    cr_assert_float_eq(pr.embodied_kgco2e, 150.0 * (1.0 + pr.overhead_fraction), 1e-9);
    cf_catalog_destroy(cat);
}

Test(pricing, unknown_region_falls_back_to_world_average)
{
    cf_catalog *cat = load_text("{\"hardware\": [{\"id\": \"g\", \"board_power_w\": 500}],"
                                " \"offers\": [{\"provider\": \"x\", \"region\": \"mars-1\", \"hardware\": \"g\","
                                " \"on_demand\": 1, \"spot\": 0.5}]}");
    cf_price pr;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_price_hours(cat, "g", NULL, NULL, 10.0, CF_PROC_ON_DEMAND, NULL, &pr, &err), CF_OK);
    cr_assert_null(pr.region);
    cr_assert_float_eq(pr.energy_kwh, 5.0, 1e-12, "PUE 1.0");
    cr_assert_float_eq(pr.co2e_kg, 5.0 * 0.475, 1e-12, "world average 475 g/kWh");
    /* A spot offer without an interruption rate uses the documented 0.05/h default. */
    cr_assert_eq(cf_price_hours(cat, "g", NULL, NULL, 10.0, CF_PROC_SPOT, NULL, &pr, &err), CF_OK);
    cr_assert_float_eq(pr.overhead_fraction, cf_spot_overhead(0.05, NULL, NULL), 1e-15);
    cf_catalog_destroy(cat);
}

Test(pricing, price_run_uses_the_runs_fields)
{
    cf_catalog *cat = load_default();
    cf_price pr;
    cf_error err;
    cf_error_clear(&err);
    cf_run r = make_run("r1", "a100-40gb", "aws", "us-west-2", 10.0);
    cr_assert_eq(cf_price_run(cat, &r, CF_PROC_ON_DEMAND, NULL, &pr, &err), CF_OK, "%s", err.message);
    cr_assert_float_eq(pr.cost_usd, 10.0 * 32.773 / 8, 1e-9);
    cr_assert_str_eq(pr.offer->region, "us-west-2");
    cr_assert_eq(pr.cheapest_chosen, 0);

    /* A run with only a provider still gets the cheapest region of that provider. */
    cf_run r2 = make_run("r2", "a100-40gb", "lambda", NULL, 10.0);
    cr_assert_eq(cf_price_run(cat, &r2, CF_PROC_ON_DEMAND, NULL, &pr, &err), CF_OK);
    cr_assert_float_eq(pr.cost_usd, 12.9, 1e-9);
    cr_assert_eq(pr.cheapest_chosen, 1);

    cf_run bad = make_run("r3", NULL, NULL, NULL, 10.0);
    cf_error_clear(&err);
    cr_assert_eq(cf_price_run(cat, &bad, CF_PROC_ON_DEMAND, NULL, &pr, &err), CF_ERR_INVALID);
    cr_assert(strstr(err.message, "r3") != NULL);
    cr_assert_str_eq(err.source, "runs.csv");
    cr_assert_eq(err.line, 7);

    cf_run nohours = make_run("r4", "h100", NULL, NULL, NAN);
    cr_assert_eq(cf_price_run(cat, &nohours, CF_PROC_ON_DEMAND, NULL, &pr, &err), CF_ERR_INVALID);

    cf_run unknown = make_run("r5", "tpu-v9", NULL, NULL, 1.0);
    cf_error_clear(&err);
    cr_assert_eq(cf_price_run(cat, &unknown, CF_PROC_SPOT, NULL, &pr, &err), CF_ERR_NOT_FOUND);
    cr_assert_str_eq(err.source, "runs.csv", "errors point at the run's record");
    cr_assert_eq(cf_price_run(cat, NULL, CF_PROC_SPOT, NULL, &pr, &err), CF_ERR_ARG);
    cf_catalog_destroy(cat);
}

/* The price cache (issue 14) gives what cf_price_run gives, for the first run of a key and for every later one:
 * a100-40gb on aws/us-west-2 on demand is 32.773 USD per 8-GPU hour, so 10 h cost 10 x 32.773 / 8 = 40.96625 and
 * 20 h (the same key, answered from the cache) 81.9325; lambda's cheapest a100-40gb is 1.29 USD/h: 5 h = 6.45. */
Test(pricing, price_cache_matches_price_run)
{
    cf_catalog *cat = load_default();
    cf_price_cache *pc = cf_price_cache_create(cat, NULL);
    cr_assert_not_null(pc);
    cf_price a, b;
    cf_error ea, eb;
    cf_run runs[] = {
        make_run("r1", "a100-40gb", "aws", "us-west-2", 10.0), make_run("r2", "a100-40gb", "aws", "us-west-2", 20.0),
        make_run("r3", "a100-40gb", "lambda", NULL, 10.0),     make_run("r4", "a100-40gb", "lambda", NULL, 5.0),
        make_run("r5", "tpu-v9", NULL, NULL, 1.0),              make_run("r6", "tpu-v9", NULL, NULL, 2.0),
        make_run("r7", "h100", NULL, NULL, 3.0),                make_run("r8", "H100", NULL, NULL, 3.0),
    };
    runs[7].power_w = 5000; /* measured power is applied after the cached choice */
    runs[7].wall_hours = 0.5;
    for (int p = 0; p < 4; p++)
        for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
            cf_error_clear(&ea);
            cf_error_clear(&eb);
            cf_status sa = cf_price_run(cat, &runs[i], (cf_procurement)p, NULL, &a, &ea);
            cf_status sb = cf_price_run_cached(pc, &runs[i], (cf_procurement)p, &b, &eb);
            cr_assert_eq(sa, sb, "run %zu option %d", i, p);
            if (sa != CF_OK) {
                cr_assert_str_eq(ea.message, eb.message);
                cr_assert_str_eq(eb.source, "runs.csv", "errors point at the run's record");
                cr_assert_eq(eb.line, 7);
                continue;
            }
            cr_assert_eq(memcmp(&a, &b, sizeof a), 0, "run %zu option %d: cached price differs", i, p);
        }
    cr_assert_eq(cf_price_run_cached(pc, &runs[1], CF_PROC_ON_DEMAND, &b, &eb), CF_OK);
    cr_assert_float_eq(b.cost_usd, 20.0 * 32.773 / 8, 1e-9);
    cr_assert_eq(cf_price_run_cached(pc, &runs[3], CF_PROC_ON_DEMAND, &b, &eb), CF_OK);
    cr_assert_float_eq(b.cost_usd, 6.45, 1e-9);
    cr_assert_eq(cf_price_run_cached(pc, &runs[4], CF_PROC_SPOT, &b, &eb), CF_ERR_NOT_FOUND);
    cf_price_cache_destroy(pc);
    cf_price_cache_destroy(NULL);
    cf_catalog_destroy(cat);
}
