/* Tests of the whole cost of a run (issue 16): the catalog's egress and storage sections (data/catalog_transfer.c),
 * the run fields that ask for them (data/runset.c), their pricing (models/pricing.c), the frontier whose offers
 * and membership they change (optimizer/frontier.c) and the TCO plan's "data" section (models/tco.c). Every expected
 * figure is worked by hand in the comment beside it, on a small catalog whose prices are round numbers and whose grid
 * is carbon-free (so total = cost). */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/catalog.h"
#include "costfront/frontier.h"
#include "costfront/pricing.h"
#include "costfront/runset.h"
#include "costfront/tco.h"

/* Provider a has regions r1 and r2, provider b region r3; owned servers sit at owner-amortised/on-prem-us. */
static const char test_catalog[] =
    "{\"carbon_price_usd_per_t\": 0,"
    " \"hardware\": [{\"id\": \"gpu\", \"board_power_w\": 500, \"source\": \"t\"}],"
    " \"regions\": [{\"id\": \"r1\", \"grid_gco2e_per_kwh\": 0, \"pue\": 1, \"source\": \"t\"},"
    "              {\"id\": \"r2\", \"grid_gco2e_per_kwh\": 0, \"pue\": 1, \"source\": \"t\"},"
    "              {\"id\": \"r3\", \"grid_gco2e_per_kwh\": 0, \"pue\": 1, \"source\": \"t\"}],"
    " \"offers\": [{\"provider\": \"a\", \"region\": \"r1\", \"hardware\": \"gpu\", \"on_demand\": 4.0, \"spot\": 2.0,"
    "               \"spot_interruptions_per_hour\": 0.05, \"source\": \"t\"},"
    "             {\"provider\": \"a\", \"region\": \"r2\", \"hardware\": \"gpu\", \"on_demand\": 3.5, \"source\": "
    "\"t\"},"
    "             {\"provider\": \"b\", \"region\": \"r3\", \"hardware\": \"gpu\", \"on_demand\": 2.0, \"source\": "
    "\"t\"}],"
    " \"egress\": [{\"provider\": \"a\", \"region\": \"r1\", \"same_region\": 0, \"inter_region\": 0.02,"
    "               \"internet\": 0.09, \"source\": \"t\"},"
    "             {\"provider\": \"a\", \"region\": \"r2\", \"same_region\": 0, \"inter_region\": 0.02,"
    "               \"internet\": 0.09, \"source\": \"t\"},"
    "             {\"provider\": \"b\", \"region\": \"r3\", \"same_region\": 0, \"inter_region\": 0, \"internet\": 0,"
    "               \"source\": \"t\"}],"
    " \"storage\": [{\"provider\": \"a\", \"region\": \"r1\", \"object_standard\": 0.023, \"object_infrequent\": "
    "0.0125,"
    "                \"block_ssd\": 0.08, \"source\": \"t\"},"
    "              {\"provider\": \"a\", \"region\": \"r2\", \"object_standard\": 0.023, \"source\": \"t\"},"
    "              {\"provider\": \"b\", \"region\": \"r3\", \"object_standard\": 0.2, \"source\": \"t\"},"
    "              {\"provider\": \"owner-amortised\", \"region\": \"on-prem-us\", \"object_standard\": 0.005,"
    "               \"source\": \"t\"}]}";

static cf_catalog *load(const char *json)
{
    cf_catalog *cat = cf_catalog_create();
    cr_assert_not_null(cat);
    cf_error err;
    cf_error_clear(&err);
    if (json == NULL)
        cr_assert_eq(cf_catalog_load_default(cat, &err), CF_OK, "%s", err.message);
    else
        cr_assert_eq(cf_catalog_load_string(cat, json, "test", &err), CF_OK, "%s: %s", err.field, err.message);
    return cat;
}

/* Needs nothing but data_gb at loc. */
static cf_transfer_need data_need(double gb, const char *loc)
{
    cf_transfer_need n;
    cf_transfer_need_none(&n);
    n.data_gb = gb;
    n.data_location = loc;
    return n;
}

/* ---- the three paths: same region, another region of the same provider, another provider ---- */

Test(egress, same_region_other_region_other_provider)
{
    cf_catalog *cat = load(test_catalog);
    cf_transfer_need n = data_need(5000, "a/r1");
    cf_price p;
    cf_error err;
    cf_error_clear(&err);
    /* a/r1: the data's own region: egress 0; compute 100 h x 4.0 = 400. */
    cr_assert_eq(cf_price_hours_need(cat, "gpu", "a", "r1", 100, &n, CF_PROC_ON_DEMAND, NULL, &p, &err), CF_OK, "%s",
                 err.message);
    cr_expect_float_eq(p.egress_cost_usd, 0.0, 1e-12);
    cr_expect_str_eq(p.egress_path, "same region");
    cr_expect_float_eq(p.compute_cost_usd, 400.0, 1e-9);
    cr_expect_float_eq(p.cost_usd, 400.0, 1e-9);
    cr_expect_float_eq(p.egress_gb, 0.0, 1e-12);
    /* a/r2: inter-region 5,000 GB x 0.02 = 100; compute 350; cost 450. */
    cr_assert_eq(cf_price_hours_need(cat, "gpu", "a", "r2", 100, &n, CF_PROC_ON_DEMAND, NULL, &p, &err), CF_OK);
    cr_expect_str_eq(p.egress_path, "inter-region");
    cr_expect_float_eq(p.egress_cost_usd, 100.0, 1e-9);
    cr_expect_float_eq(p.egress_gb, 5000.0, 1e-9);
    cr_expect_float_eq(p.cost_usd, 450.0, 1e-9);
    /* b/r3: another provider, internet 5,000 x 0.09 = 450; compute 200; cost 650. */
    cr_assert_eq(cf_price_hours_need(cat, "gpu", "b", "r3", 100, &n, CF_PROC_ON_DEMAND, NULL, &p, &err), CF_OK);
    cr_expect_str_eq(p.egress_path, "internet");
    cr_expect_float_eq(p.egress_cost_usd, 450.0, 1e-9);
    cr_expect_float_eq(p.compute_cost_usd, 200.0, 1e-9);
    cr_expect_float_eq(p.cost_usd, 650.0, 1e-9);
    cr_expect_float_eq(p.total_cost_usd, 650.0, 1e-9, "carbon-free grid: total = cost");
    cf_catalog_destroy(cat);
}

Test(egress, offer_chosen_is_cheapest_in_total_and_says_so)
{
    cf_catalog *cat = load(test_catalog);
    cf_transfer_need n = data_need(5000, "a/r1");
    cf_price p;
    cf_error err;
    cf_error_clear(&err);
    /* Totals 400 (a/r1), 450 (a/r2), 650 (b/r3): a/r1 wins although b/r3 is cheapest per hour. */
    cr_assert_eq(cf_price_hours_need(cat, "gpu", NULL, NULL, 100, &n, CF_PROC_ON_DEMAND, NULL, &p, &err), CF_OK);
    cr_expect_str_eq(p.offer->provider, "a");
    cr_expect_str_eq(p.offer->region, "r1");
    cr_assert_not_null(p.compute_best, "data gravity decided");
    cr_expect_str_eq(p.compute_best->provider, "b");
    cr_expect_float_eq(p.compute_best_compute_usd, 200.0, 1e-9);
    cr_expect_float_eq(p.compute_best_cost_usd, 650.0, 1e-9);
    /* Without data the old rule holds: cheapest per hour, b/r3 at 200, and no gravity. */
    cr_assert_eq(cf_price_hours_need(cat, "gpu", NULL, NULL, 100, NULL, CF_PROC_ON_DEMAND, NULL, &p, &err), CF_OK);
    cr_expect_str_eq(p.offer->provider, "b");
    cr_expect_float_eq(p.cost_usd, 200.0, 1e-9);
    cr_expect_float_eq(p.compute_cost_usd, 200.0, 1e-9);
    cr_expect_null(p.compute_best);
    cr_expect_eq(p.has_transfer, 0);
    /* Data free to move (it lives at b/r3): b/r3 again, no gravity. */
    n = data_need(5000, "b/r3");
    cr_assert_eq(cf_price_hours_need(cat, "gpu", NULL, NULL, 100, &n, CF_PROC_ON_DEMAND, NULL, &p, &err), CF_OK);
    cr_expect_str_eq(p.offer->provider, "b");
    cr_expect_null(p.compute_best);
    cf_catalog_destroy(cat);
}

/* ---- storage: data + checkpoints kept (Young/Daly) + model ---- */

Test(egress, spot_checkpoint_storage_from_young_daly)
{
    cf_catalog *cat = load(test_catalog);
    cf_transfer_need n;
    cf_transfer_need_none(&n);
    n.data_gb = 1000;
    n.data_location = "a/r1";
    n.checkpoint_gb = 50;
    n.model_gb = 20;
    n.storage_days = 60;
    n.wall_hours = 10;
    n.num_gpus = 8;
    cf_price p;
    cf_error err;
    cf_error_clear(&err);
    /* lambda 0.05/h, delta 2 min, R 10 min: Daly tau = sqrt(2 x (1/30) x 20) - 1/30 = 1.121367 h; over 10 wall
     * hours floor(10 / 1.121367) = floor(8.918) = 8 checkpoints, 8 x 50 = 400 GB. Kept: 1,000 + 400 + 20 = 1,420 GB
     * x 0.023 x 60/30 = 65.32 USD. Compute: 80 GPU-h x (1 + 0.066093) x 2.0 = 170.575. */
    cr_assert_eq(cf_price_hours_need(cat, "gpu", "a", "r1", 80, &n, CF_PROC_SPOT, NULL, &p, &err), CF_OK, "%s",
                 err.message);
    cr_expect_float_eq(p.checkpoints_written, 8.0, 1e-12);
    cr_expect_float_eq(p.checkpoints_kept, 8.0, 1e-12);
    cr_expect_float_eq(p.storage_gb, 1420.0, 1e-9);
    cr_expect_float_eq(p.storage_cost_usd, 65.32, 1e-9);
    cr_expect_float_eq(p.overhead_fraction, 0.0660931, 1e-6);
    cr_expect_float_eq(p.compute_cost_usd, 80 * 1.0660931316 * 2.0, 1e-6);
    cr_expect_float_eq(p.cost_usd, p.compute_cost_usd + 65.32, 1e-9);
    /* Keep the last 3: 1,000 + 150 + 20 = 1,170 GB x 0.046 = 53.82. */
    cf_pricing_opts o;
    cf_pricing_opts_default(&o);
    o.keep_last_checkpoints = 3;
    cr_assert_eq(cf_price_hours_need(cat, "gpu", "a", "r1", 80, &n, CF_PROC_SPOT, &o, &p, &err), CF_OK);
    cr_expect_float_eq(p.checkpoints_written, 8.0, 1e-12);
    cr_expect_float_eq(p.checkpoints_kept, 3.0, 1e-12);
    cr_expect_float_eq(p.storage_cost_usd, 53.82, 1e-9);
    /* Block SSD: 1,170 x 0.08 x 2 = 187.2. */
    o.storage_class = CF_STORAGE_BLOCK_SSD;
    cr_assert_eq(cf_price_hours_need(cat, "gpu", "a", "r1", 80, &n, CF_PROC_SPOT, &o, &p, &err), CF_OK);
    cr_expect_float_eq(p.storage_cost_usd, 187.2, 1e-9);
    /* Two nodes: lambda 0.1, Daly tau = sqrt(2 x (1/30) x 10) - 1/30 = 0.783164 h: floor(10 / 0.783164) = 12. */
    n.num_nodes = 2;
    cr_assert_eq(cf_price_hours_need(cat, "gpu", "a", "r1", 80, &n, CF_PROC_SPOT, NULL, &p, &err), CF_OK);
    cr_expect_float_eq(p.checkpoints_written, 12.0, 1e-12);
    /* On demand writes none (no interval configured): storage is data + model, 1,020 x 0.046 = 46.92. */
    n.num_nodes = NAN;
    cr_assert_eq(cf_price_hours_need(cat, "gpu", "a", "r1", 80, &n, CF_PROC_ON_DEMAND, NULL, &p, &err), CF_OK);
    cr_expect_float_eq(p.checkpoints_written, 0.0, 1e-12);
    cr_expect_float_eq(p.storage_cost_usd, 46.92, 1e-9);
    /* ... unless told: every 2.5 h gives floor(10 / 2.5) = 4, i.e. 1,220 GB x 0.046 = 56.12. */
    cf_pricing_opts_default(&o);
    o.checkpoint_every_hours = 2.5;
    cr_assert_eq(cf_price_hours_need(cat, "gpu", "a", "r1", 80, &n, CF_PROC_ON_DEMAND, &o, &p, &err), CF_OK);
    cr_expect_float_eq(p.checkpoints_written, 4.0, 1e-12);
    cr_expect_float_eq(p.storage_cost_usd, 56.12, 1e-9);
    cf_catalog_destroy(cat);
}

Test(egress, checkpoints_written_young_against_daly)
{
    cf_spot_params sp;
    cf_spot_params_default(&sp);
    double daly = cf_checkpoint_interval(0.05, &sp); /* 1.121367 */
    sp.use_daly = 0;
    double young = cf_checkpoint_interval(0.05, &sp); /* 1.154701 */
    /* 3.4 wall hours: Daly 3.4 / 1.121367 = 3.03 -> 3; Young 3.4 / 1.154701 = 2.94 -> 2. */
    cr_expect_float_eq(cf_checkpoints_written(3.4, daly), 3.0, 1e-12);
    cr_expect_float_eq(cf_checkpoints_written(3.4, young), 2.0, 1e-12);
    cr_expect_float_eq(cf_checkpoints_written(3.4, INFINITY), 0.0, 1e-12);
    cr_expect_float_eq(cf_checkpoints_written(NAN, daly), 0.0, 1e-12);
}

Test(egress, unknown_prices_are_errors_not_zero)
{
    cf_catalog *cat = load(test_catalog);
    cf_transfer_need n;
    cf_transfer_need_none(&n);
    n.model_gb = 10;
    n.storage_days = 30;
    cf_pricing_opts o;
    cf_pricing_opts_default(&o);
    o.storage_class = CF_STORAGE_OBJECT_INFREQUENT; /* null at a/r2 and b/r3 */
    cf_price p;
    cf_error err;
    cf_error_clear(&err);
    cr_expect_eq(cf_price_hours_need(cat, "gpu", "b", "r3", 10, &n, CF_PROC_ON_DEMAND, &o, &p, &err), CF_ERR_NOT_FOUND);
    cr_expect_str_eq(err.field, "storage");
    cr_expect(strstr(err.message, "object_infrequent") != NULL, "%s", err.message);
    /* Unpinned: the only offer with a price, a/r1 (10 x 0.0125 = 0.125 storage), is chosen. */
    cr_assert_eq(cf_price_hours_need(cat, "gpu", NULL, NULL, 10, &n, CF_PROC_ON_DEMAND, &o, &p, &err), CF_OK);
    cr_expect_str_eq(p.offer->region, "r1");
    cr_expect_float_eq(p.storage_cost_usd, 0.125, 1e-12);
    /* A location the catalog does not know. */
    n = data_need(10, "z/r9");
    cr_expect_eq(cf_price_hours_need(cat, "gpu", "a", "r1", 10, &n, CF_PROC_ON_DEMAND, NULL, &p, &err),
                 CF_ERR_NOT_FOUND);
    cr_expect_str_eq(err.field, "data_location");
    cf_catalog_destroy(cat);
}

/* ---- the catalog sections ---- */

Test(egress, data_location_resolution)
{
    cf_catalog *cat = load(NULL);
    const cf_egress *e;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_catalog_data_location(cat, "aws/us-east-1", &e, &err), CF_OK);
    cr_expect_str_eq(e->provider, "aws");
    /* us-east-1 alone: aws, generic and lambda share the name on three networks. */
    cr_expect_eq(cf_catalog_data_location(cat, "us-east-1", &e, &err), CF_ERR_NOT_FOUND);
    cr_expect(strstr(err.message, "ambiguous") && strstr(err.message, "lambda/us-east-1"), "%s", err.message);
    /* europe-west4 is only gcp's. */
    cr_assert_eq(cf_catalog_data_location(cat, "europe-west4", &e, &err), CF_OK);
    cr_expect_str_eq(e->provider, "gcp");
    cr_expect_eq(cf_catalog_data_location(cat, "aws/", &e, &err), CF_ERR_INVALID);
    cr_expect_eq(cf_catalog_data_location(cat, "mars-1", &e, &err), CF_ERR_NOT_FOUND);
    /* Capacity Blocks are on AWS's network: data in aws/us-east-1 reaches them in the same region. */
    const char *path = NULL;
    cr_assert_eq(cf_catalog_data_location(cat, "aws/us-east-1", &e, &err), CF_OK);
    cr_expect_float_eq(cf_egress_price(cat, e, "aws-capacity-blocks", "us-east-1", &path), 0.0, 1e-12);
    cr_expect_str_eq(path, "same region");
    cr_expect_float_eq(cf_egress_price(cat, e, "aws", "us-west-2", &path), 0.02, 1e-12);
    cr_expect_str_eq(path, "inter-region");
    cr_expect_float_eq(cf_egress_price(cat, e, "lambda", "us-east-1", &path), 0.09, 1e-12);
    cr_expect_str_eq(path, "internet");
    cf_catalog_destroy(cat);
}

Test(egress, default_catalog_prices_every_offered_provider_and_region)
{
    cf_catalog *cat = load(NULL);
    for (size_t i = 0; i < cf_catalog_offer_count(cat); i++) {
        const cf_offer *o = cf_catalog_offer_at(cat, i);
        const cf_egress *e = cf_catalog_egress(cat, o->provider, o->region);
        const cf_storage *s = cf_catalog_storage(cat, o->provider, o->region);
        cr_expect_not_null(e, "egress for %s/%s", o->provider, o->region);
        cr_expect_not_null(s, "storage for %s/%s", o->provider, o->region);
        if (e)
            cr_expect(e->source && e->source[0] && e->as_of, "egress %s/%s source and as_of", o->provider, o->region);
        if (s) cr_expect(s->source && s->source[0] && s->as_of, "storage %s/%s source", o->provider, o->region);
    }
    cf_catalog_destroy(cat);
}

static const struct {
    const char *json;
    const char *path;
    const char *needle;
} bad_cases[] = {
    {"{\"egress\": [{\"provider\": \"a\", \"region\": \"r\", \"internet\": -1, \"source\": \"s\"}]}",
     "egress[0].internet", "non-negative"},
    {"{\"egress\": [{\"provider\": \"a\", \"region\": \"r\", \"internet\": 1}]}", "egress[0].source", "source"},
    {"{\"egress\": [{\"provider\": \"a\", \"region\": \"r\", \"intenet\": 1, \"source\": \"s\"}]}", "egress[0].intenet",
     "unknown field"},
    {"{\"storage\": [{\"region\": \"r\", \"block_ssd\": 1, \"source\": \"s\"}]}", "storage[0].provider", "missing"},
    {"{\"storage\": [{\"provider\": \"a\", \"region\": \"r\", \"source\": \"s\"},"
     " {\"provider\": \"A\", \"region\": \"r\", \"source\": \"s\"}]}",
     "storage[1]", "duplicate"},
    {"{\"storage\": {}}", "storage", "an array"},
    {"{\"storage\": [{\"provider\": \"a\", \"region\": \"r\", \"source\": \"s\", \"as_of\": \"2024-02-30\"}]}",
     "storage[0].as_of", "calendar"},
};

Test(egress, catalog_errors_name_the_json_path)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
        cf_catalog *cat = load(test_catalog);
        cf_error err;
        cf_error_clear(&err);
        cr_expect_eq(cf_catalog_load_string(cat, bad_cases[i].json, "bad.json", &err), CF_ERR_INVALID, "case %zu", i);
        cr_expect_str_eq(err.field, bad_cases[i].path, "case %zu", i);
        cr_expect(strstr(err.message, bad_cases[i].needle) != NULL, "case %zu: %s", i, err.message);
        /* A failed load leaves the catalog as it was. */
        cr_expect_float_eq(cf_catalog_egress(cat, "a", "r1")->internet, 0.09, 1e-12);
        cf_catalog_destroy(cat);
    }
}

Test(egress, user_catalog_overrides_field_by_field_and_diff_says_so)
{
    cf_catalog *a = load(test_catalog), *b = load(test_catalog);
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(
        cf_catalog_load_string(b,
                               "{\"egress\": [{\"provider\": \"a\", \"region\": \"r1\", \"internet\": 0.05,"
                               " \"source\": \"contract\"}],"
                               " \"storage\": [{\"provider\": \"b\", \"region\": \"r3\", \"block_ssd\": null}]}",
                               "mine.json", &err),
        CF_OK, "%s", err.message);
    const cf_egress *e = cf_catalog_egress(b, "a", "r1");
    cr_expect_float_eq(e->internet, 0.05, 1e-12);
    cr_expect_float_eq(e->inter_region, 0.02, 1e-12, "kept from the earlier file");
    cr_expect_str_eq(e->source, "contract");
    char *text = NULL;
    size_t nch = 0;
    cr_assert_eq(cf_catalog_diff(a, b, &text, &nch, &err), CF_OK);
    cr_expect(strstr(text, "egress a/r1 internet: 0.09 -> 0.05") != NULL, "%s", text);
    cr_expect(strstr(text, "egress a/r1 source: t -> contract") != NULL, "%s", text);
    cr_expect_eq(nch, 2, "%s", text);
    free(text);
    /* Export and reload keeps the sections. */
    cr_assert_eq(cf_catalog_to_json(b, &text, &err), CF_OK);
    cf_catalog *c = cf_catalog_create();
    cr_assert_eq(cf_catalog_load_string(c, text, "export", &err), CF_OK, "%s", err.message);
    cr_expect_eq(cf_catalog_egress_count(c), 3);
    cr_expect_eq(cf_catalog_storage_count(c), 4);
    cr_expect_float_eq(cf_catalog_egress(c, "a", "r1")->internet, 0.05, 1e-12);
    free(text);
    cf_catalog_destroy(a);
    cf_catalog_destroy(b);
    cf_catalog_destroy(c);
}

Test(egress, storage_class_names)
{
    cf_storage_class c;
    cr_expect_eq(cf_storage_class_parse("object_standard", &c), CF_OK);
    cr_expect_eq(c, CF_STORAGE_OBJECT_STANDARD);
    cr_expect_eq(cf_storage_class_parse("IA", &c), CF_OK);
    cr_expect_eq(c, CF_STORAGE_OBJECT_INFREQUENT);
    cr_expect_eq(cf_storage_class_parse("block-ssd", &c), CF_OK);
    cr_expect_eq(c, CF_STORAGE_BLOCK_SSD);
    cr_expect_eq(cf_storage_class_parse("glacier", &c), CF_ERR_INVALID);
    cr_expect_str_eq(cf_storage_class_name(CF_STORAGE_BLOCK_SSD), "block_ssd");
}

/* ---- run fields ---- */

/* Adds one record of n (name, value) pairs. */
static void add(cf_runset *rs, long line, size_t n, const char *const *names, const char *const *values)
{
    cr_assert_eq(cf_runset_add_raw(rs, line, n, names, values, NULL, NULL), CF_OK);
}

Test(egress, run_fields_parsed_and_checked)
{
    cf_catalog *cat = load(NULL);
    cf_runset *rs = cf_runset_create(cat, NULL);
    static const char *const names[] = {"run_id",        "accuracy",      "gpu_hours",    "hardware", "data_gb",
                                        "data_location", "checkpoint_gb", "storage_days", "model_gb", "num_nodes"};
    static const char *const ok[] = {"ok", "0.9", "10", "a100-40gb", "5000", "aws/us-east-1", "12", "30", "4", "2"};
    static const char *const neg[] = {"neg", "0.9", "10", "a100-40gb", "-5", NULL, NULL, NULL, NULL, NULL};
    static const char *const frac[] = {"frac", "0.9", "10", "a100-40gb", NULL, NULL, NULL, NULL, NULL, "1.5"};
    static const char *const amb[] = {"amb", "0.9", "10", "a100-40gb", "1", "us-east-1", NULL, NULL, NULL, NULL};
    static const char *const gcp[] = {"gcp", "0.9", "10", "a100-40gb", "1", "europe-west4", NULL, NULL, NULL, NULL};
    cr_assert_eq(cf_runset_begin_source(rs, "runs.csv"), CF_OK);
    add(rs, 2, 10, names, ok);
    add(rs, 3, 10, names, neg);
    add(rs, 4, 10, names, frac);
    add(rs, 5, 10, names, amb);
    add(rs, 6, 10, names, gcp);
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_runset_end_source(rs, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 2);
    cr_assert_eq(cf_runset_rejected(rs), 3);
    const cf_run *r = cf_runset_get(rs, 0);
    cr_expect_float_eq(r->data_gb, 5000, 1e-12);
    cr_expect_str_eq(r->data_location, "aws/us-east-1");
    cr_expect_float_eq(r->checkpoint_gb, 12, 1e-12);
    cr_expect_float_eq(r->storage_days, 30, 1e-12);
    cr_expect_float_eq(r->model_gb, 4, 1e-12);
    cr_expect_float_eq(r->num_nodes, 2, 1e-12);
    double v;
    cr_expect_eq(cf_runset_numeric(rs, 0, "data_gb", &v), CF_OK);
    cr_expect_float_eq(v, 5000, 1e-12);
    cr_expect(isnan(cf_runset_get(rs, 1)->checkpoint_gb), "absent is NaN");
    const cf_reject *j = cf_runset_reject(rs, 0);
    cr_expect_str_eq(j->field, "data_gb");
    cr_expect(strstr(j->message, "non-negative") && strstr(j->message, "-5"), "%s", j->message);
    j = cf_runset_reject(rs, 1);
    cr_expect_str_eq(j->field, "num_nodes");
    cr_expect(strstr(j->message, "whole number") != NULL, "%s", j->message);
    j = cf_runset_reject(rs, 2);
    cr_expect_str_eq(j->field, "data_location");
    cr_expect(strstr(j->message, "ambiguous") != NULL, "%s", j->message);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
}

/* ---- the frontier ---- */

/* A runset of P (accuracy 0.90, 100 GPU-h, 5,000 GB at a/r1) and Q (0.85, 120 GPU-h, 5,000 GB at b/r3); with
 * with_data 0 the data fields are left out. */
static cf_runset *pq_runs(const cf_catalog *cat, int with_data)
{
    cf_runset *rs = cf_runset_create(cat, NULL);
    static const char *const names[] = {"run_id",  "accuracy",      "gpu_hours",   "hardware",
                                        "data_gb", "data_location", "storage_days"};
    static const char *const p[] = {"P", "0.90", "100", "gpu", "5000", "a/r1", "30"};
    static const char *const q[] = {"Q", "0.85", "120", "gpu", "5000", "b/r3", "30"};
    cr_assert_eq(cf_runset_begin_source(rs, "pq.csv"), CF_OK);
    add(rs, 2, with_data ? 7 : 4, names, p);
    add(rs, 3, with_data ? 7 : 4, names, q);
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_runset_end_source(rs, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 2);
    return rs;
}

/* Whether run id is on f's frontier. */
static int on_frontier(const cf_frontier *f, const char *id)
{
    for (size_t j = 0; j < cf_frontier_optimal_count(f); j++)
        if (!strcmp(cf_frontier_candidate(f, cf_frontier_optimal_at(f, j))->run_id, id)) return 1;
    return 0;
}

Test(egress, frontier_membership_changes_when_egress_is_counted)
{
    cf_catalog *cat = load(test_catalog);
    cf_frontier_opts fo;
    cf_frontier_opts_default(&fo);
    fo.procurements = 1u << CF_PROC_ON_DEMAND;
    cf_error err;
    cf_error_clear(&err);
    /* Compute only: P on b/r3 costs 200, Q on b/r3 240: P dominates Q, the frontier is {P}. */
    cf_runset *rs = pq_runs(cat, 0);
    cf_frontier *f = cf_frontier_create(rs, cat, &fo);
    cr_assert_eq(cf_frontier_compute(f, &err), CF_OK, "%s", err.message);
    cr_expect(on_frontier(f, "P"));
    cr_expect(!on_frontier(f, "Q"), "Q is dominated on compute alone");
    cr_expect_eq(cf_frontier_has_transfer(f), 0);
    cf_frontier_destroy(f);
    cf_runset_destroy(rs);
    /* Egress counted (no storage days): P's cheapest in whole is a/r1 at 400 (a/r2 350 + 100 = 450, b/r3 200 +
     * 450 = 650); Q's data lives at b/r3, so Q stays there at 240. Q is now cheaper than P: both on the frontier. */
    rs = cf_runset_create(cat, NULL);
    static const char *const names[] = {"run_id", "accuracy", "gpu_hours", "hardware", "data_gb", "data_location"};
    static const char *const p[] = {"P", "0.90", "100", "gpu", "5000", "a/r1"};
    static const char *const q[] = {"Q", "0.85", "120", "gpu", "5000", "b/r3"};
    cr_assert_eq(cf_runset_begin_source(rs, "pq.csv"), CF_OK);
    add(rs, 2, 6, names, p);
    add(rs, 3, 6, names, q);
    cr_assert_eq(cf_runset_end_source(rs, &err), CF_OK);
    f = cf_frontier_create(rs, cat, &fo);
    cr_assert_eq(cf_frontier_compute(f, &err), CF_OK, "%s", err.message);
    cr_expect(on_frontier(f, "P"));
    cr_expect(on_frontier(f, "Q"), "with egress counted Q (240) is cheaper than P (400)");
    cr_expect_eq(cf_frontier_has_transfer(f), 1);
    for (size_t i = 0; i < cf_frontier_candidate_count(f); i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        if (!strcmp(c->run_id, "P")) {
            cr_expect_float_eq(c->price.cost_usd, 400.0, 1e-9);
            cr_expect_float_eq(cf_frontier_field(f, i, "egress_cost_usd"), 0.0, 1e-12);
            cr_expect_float_eq(cf_frontier_field(f, i, "compute_cost_usd"), 400.0, 1e-9);
        } else {
            cr_expect_float_eq(c->price.cost_usd, 240.0, 1e-9);
        }
    }
    /* The note says that data gravity decided, with the figures: b/r3 is 50% cheaper in compute (200 vs 400) but
     * 62% dearer in whole (650 vs 400). */
    int said = 0;
    for (size_t i = 0; i < cf_frontier_note_count(f); i++) {
        const char *nt = cf_frontier_note(f, i);
        if (strstr(nt, "run P, on_demand: b/r3 is 50% cheaper in compute but 62% dearer with 5 TB of egress") &&
            strstr(nt, "a/r1 chosen"))
            said = 1;
    }
    cr_expect(said, "gravity note");
    cf_frontier_destroy(f);
    cf_runset_destroy(rs);
    /* With 30 days of storage: P on a/r1 400 + 5,000 x 0.023 = 515 (a/r2 565, b/r3 200 + 450 + 1,000 = 1,650);
     * Q on a/r2 420 + 0 (b's data leaves free) + 115 = 535 (b/r3 240 + 1,000 = 1,240; a/r1 595): Q is dominated
     * again. */
    rs = pq_runs(cat, 1);
    f = cf_frontier_create(rs, cat, &fo);
    cr_assert_eq(cf_frontier_compute(f, &err), CF_OK);
    cr_expect(on_frontier(f, "P"));
    cr_expect(!on_frontier(f, "Q"));
    cr_expect_float_eq(cf_frontier_candidate(f, 0)->price.cost_usd, 515.0, 1e-9);
    cf_frontier_destroy(f);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
}

Test(egress, owned_servers_pay_egress_from_the_cloud_and_their_storage)
{
    cf_catalog *cat = load(test_catalog);
    cf_frontier_opts fo;
    cf_frontier_opts_default(&fo);
    fo.procurements = 1u << CF_PROC_ON_PREM;
    fo.on_prem_usd_per_gpu_hour = 1.0;
    fo.on_prem_kgco2e_per_gpu_hour = 0.0;
    cf_error err;
    cf_error_clear(&err);
    cf_runset *rs = pq_runs(cat, 1);
    cf_frontier *f = cf_frontier_create(rs, cat, &fo);
    cr_assert_eq(cf_frontier_compute(f, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_frontier_candidate_count(f), 2);
    /* P: 100 x 1.0 + internet egress from a/r1 5,000 x 0.09 = 450 + owned storage 5,000 x 0.005 x 30/30 = 25:
     * 575. Q: data at b/r3 leaves free: 120 + 0 + 25 = 145. */
    const cf_candidate *p = cf_frontier_candidate(f, 0), *q = cf_frontier_candidate(f, 1);
    cr_expect_float_eq(p->price.egress_cost_usd, 450.0, 1e-9);
    cr_expect_float_eq(p->price.storage_cost_usd, 25.0, 1e-9);
    cr_expect_float_eq(p->price.cost_usd, 575.0, 1e-9);
    cr_expect_float_eq(p->price.compute_cost_usd, 100.0, 1e-9);
    cr_expect_float_eq(q->price.cost_usd, 145.0, 1e-9);
    cf_frontier_destroy(f);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
}

/* ---- the TCO plan's "data" section ---- */

/* A 12-month plan of 100 GPU-hours a month in r1 (on-demand from the catalog: a/r1 at 4.0), one owned server,
 * no discounting; data_json is spliced in (may be ""). */
static cf_tco_option plan_option(const cf_catalog *cat, const char *data_json, cf_procurement o)
{
    char json[1200];
    snprintf(json, sizeof json,
             "{\"horizon_months\": 12, \"demand_gpu_hours_per_month\": 100, \"hardware\": \"gpu\", \"region\": \"r1\","
             " \"discount_rate_annual\": 0, \"on_prem\": {\"server_capex_usd\": 1000, \"server_power_kw\": 1,"
             " \"servers\": 1}%s}",
             data_json);
    cf_plan *p = cf_plan_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_plan_load_string(p, json, "plan", cat, &err), CF_OK, "%s: %s", err.field, err.message);
    cf_tco_result *r = NULL;
    cr_assert_eq(cf_tco_evaluate(p, cat, &r, &err), CF_OK, "%s", err.message);
    cf_tco_option x;
    cr_assert_eq(cf_tco_result_option(r, o, &x), CF_OK);
    cf_tco_result_destroy(r);
    cf_plan_destroy(p);
    return x;
}

Test(egress, tco_owned_servers_pay_egress_from_the_cloud_and_their_own_storage)
{
    cf_catalog *cat = load(test_catalog);
    static const char data[] = ", \"data\": {\"location\": \"a/r1\", \"gb_per_month\": 1000, \"stored_gb\": 2000}";
    cf_tco_option od0 = plan_option(cat, "", CF_PROC_ON_DEMAND), od1 = plan_option(cat, data, CF_PROC_ON_DEMAND);
    cf_tco_option op0 = plan_option(cat, "", CF_PROC_ON_PREM), op1 = plan_option(cat, data, CF_PROC_ON_PREM);
    cr_assert(od0.available && od1.available && op0.available && op1.available);
    /* On demand in a/r1, the data's own region: egress 0; storage 2,000 GB x 0.023 = 46 a month, 552 a year. */
    cr_expect_float_eq(od1.total_usd - od0.total_usd, 552.0, 1e-6);
    /* Owned: every GB leaves a/r1 for the internet, 1,000 x 0.09 = 90 a month, and the owned site keeps 2,000 GB at
     * 0.005 = 10 a month: 100 x 12 = 1,200. */
    cr_expect_float_eq(op1.total_usd - op0.total_usd, 1200.0, 1e-6);
    cr_expect_float_eq(op1.npv_usd - op0.npv_usd, 1200.0, 1e-6, "no discounting");
    cf_catalog_destroy(cat);
}

Test(egress, tco_data_section_errors)
{
    cf_catalog *cat = load(test_catalog);
    static const struct {
        const char *data, *field;
    } cases[] = {
        {"{\"location\": \"z/r9\", \"gb_per_month\": 1}", "data.location"},
        {"{\"gb_per_month\": 1}", "data.location"},
        {"{\"location\": \"a/r1\", \"gb_per_month\": -1}", "data.gb_per_month"},
        {"{\"location\": \"a/r1\", \"storage_class\": \"tape\"}", "data.storage_class"},
        {"{\"location\": \"a/r1\", \"egress\": 1}", "data.egress"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char json[800];
        snprintf(json, sizeof json,
                 "{\"demand_gpu_hours_per_month\": 100, \"hardware\": \"gpu\", \"region\": \"r1\","
                 " \"on_prem\": {\"server_capex_usd\": 1, \"server_power_kw\": 1}, \"data\": %s}",
                 cases[i].data);
        cf_plan *p = cf_plan_create();
        cf_error err;
        cf_error_clear(&err);
        cr_expect_neq(cf_plan_load_string(p, json, "plan", cat, &err), CF_OK, "case %zu", i);
        cr_expect_str_eq(err.field, cases[i].field, "case %zu: %s", i, err.message);
        cf_plan_destroy(p);
    }
    cf_catalog_destroy(cat);
}

Test(egress, tco_resolved_plan_keeps_the_data_section)
{
    cf_catalog *cat = load(test_catalog);
    static const char json[] =
        "{\"horizon_months\": 12, \"demand_gpu_hours_per_month\": 100, \"hardware\": \"gpu\", \"region\": \"r1\","
        " \"discount_rate_annual\": 0, \"on_prem\": {\"server_capex_usd\": 1000, \"server_power_kw\": 1,"
        " \"servers\": 1}, \"data\": {\"location\": \"a/r1\", \"gb_per_month\": 1000, \"stored_gb\": 2000}}";
    cf_plan *p = cf_plan_create(), *q = cf_plan_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_plan_load_string(p, json, "plan", cat, &err), CF_OK, "%s", err.message);
    char *resolved = NULL;
    cr_assert_eq(cf_plan_resolved_json(p, cat, &resolved, &err), CF_OK, "%s", err.message);
    cr_expect(strstr(resolved, "\"owned_site\"") != NULL, "%s", resolved);
    cr_assert_eq(cf_plan_load_string(q, resolved, "resolved", cat, &err), CF_OK, "%s: %s", err.field, err.message);
    cf_tco_result *a = NULL, *b = NULL;
    cr_assert_eq(cf_tco_evaluate(p, cat, &a, &err), CF_OK);
    cr_assert_eq(cf_tco_evaluate(q, cat, &b, &err), CF_OK);
    cf_tco_option x, y;
    cr_assert_eq(cf_tco_result_option(a, CF_PROC_ON_PREM, &x), CF_OK);
    cr_assert_eq(cf_tco_result_option(b, CF_PROC_ON_PREM, &y), CF_OK);
    cr_expect_float_eq(x.total_usd, y.total_usd, 1e-9);
    free(resolved);
    cf_tco_result_destroy(a);
    cf_tco_result_destroy(b);
    cf_plan_destroy(p);
    cf_plan_destroy(q);
    cf_catalog_destroy(cat);
}

Test(egress, tco_says_when_data_gravity_decided)
{
    cf_catalog *cat = load(test_catalog);
    /* One 8-GPU server's 5,840 hours a month: owned compute is far cheaper than spot (2.00 x 1.066 per hour), but
     * 200,000 GB a month leaving a/r1 for the owned site cost 200,000 x 0.09 x 12 = 216,000 over the year, while
     * spot in a/r1 reads it in its own region for nothing. */
    static const char json[] =
        "{\"horizon_months\": 12, \"demand_gpu_hours_per_month\": 5840, \"hardware\": \"gpu\", \"region\": \"r1\","
        " \"discount_rate_annual\": 0, \"target_utilization\": 1.0, \"on_prem\": {\"server_capex_usd\": 1000,"
        " \"server_power_kw\": 1, \"servers\": 1}, \"data\": {\"location\": \"a/r1\", \"gb_per_month\": 200000}}";
    cf_plan *p = cf_plan_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_plan_load_string(p, json, "plan", cat, &err), CF_OK, "%s", err.message);
    cf_tco_result *r = NULL;
    cr_assert_eq(cf_tco_evaluate(p, cat, &r, &err), CF_OK, "%s", err.message);
    cf_tco_option op, sp;
    cr_assert_eq(cf_tco_result_option(r, CF_PROC_ON_PREM, &op), CF_OK);
    cr_assert_eq(cf_tco_result_option(r, CF_PROC_SPOT, &sp), CF_OK);
    cr_expect_float_eq(op.egress_usd, 216000.0, 1e-6);
    cr_expect_float_eq(sp.egress_usd, 0.0, 1e-12);
    /* spot's compute: 5,840 x 12 x 1.0660931 x 2.00 = 149,420.6. */
    cr_expect_float_eq(sp.total_usd, 5840.0 * 12 * 1.0660931316 * 2.0, 1e-3);
    cr_expect(op.total_usd - op.egress_usd < sp.total_usd, "owned is cheaper in compute");
    cr_expect(op.total_usd > sp.total_usd, "and dearer with egress");
    const char *g = cf_tco_result_data_gravity(r);
    cr_assert_not_null(g);
    char want[300];
    snprintf(want, sizeof want,
             "on_prem is %.0f%% cheaper in compute but %.0f%% dearer with egress and storage (data "
             "at a/r1)",
             100.0 * (1.0 - (op.total_usd - op.egress_usd) / sp.total_usd),
             100.0 * (op.total_usd / sp.total_usd - 1.0));
    cr_expect(strstr(g, want) != NULL, "%s\nwanted %s", g, want);
    cr_expect(strstr(g, "spot is cheapest in total") != NULL, "%s", g);
    cf_tco_result_destroy(r);
    cf_plan_destroy(p);
    cf_catalog_destroy(cat);
}
