/* Tests of the price catalog (data/catalog.c): the default catalog, alias matching, validation errors that name
 * the JSON path, override-by-id, save/reload, and that every figure in data/catalog.json carries a source. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "costfront/catalog.h"
#include "costfront/pricing.h"
#include "costfront/runset.h"

static cf_catalog *load_default(void)
{
    cf_catalog *cat = cf_catalog_create();
    cr_assert_not_null(cat);
    cf_error err;
    cf_error_clear(&err);
    cf_status st = cf_catalog_load_default(cat, &err);
    char buf[800];
    cr_assert_eq(st, CF_OK, "default catalog failed to load: %s", cf_error_format(&err, buf, sizeof buf));
    return cat;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    cr_assert_not_null(s);
    cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

Test(catalog, default_loads_with_expected_contents)
{
    cf_catalog *cat = load_default();
    cr_assert_eq(cf_catalog_hardware_count(cat), 33);
    cr_assert_eq(cf_catalog_region_count(cat), 22);
    cr_assert_eq(cf_catalog_offer_count(cat), 86);
    cr_assert_float_eq(cf_catalog_carbon_price(cat), 190.0, 1e-12);
    cr_assert(strstr(cf_catalog_carbon_price_source(cat), "EPA") != NULL);

    const cf_hardware *h = cf_catalog_hardware(cat, "h100");
    cr_assert_not_null(h);
    cr_assert_float_eq(h->board_power_w, 700.0, 1e-12);
    cr_assert_float_eq(h->purchase_usd, 30000.0, 1e-12);
    cr_assert_float_eq(h->embodied_kgco2e, 150.0, 1e-12);
    cr_assert_float_eq(h->life_years, 5.0, 1e-12);
    cr_assert_float_eq(h->throughput[3], 989.4 / 312.0, 1e-4); /* bf16 slot = CF_PREC_BF16 */

    const cf_hardware *ref = cf_catalog_hardware(cat, "a100-80gb");
    cr_assert_float_eq(ref->throughput[3], 1.0, 1e-12);
    cr_assert(isnan(ref->throughput[0]), "the unknown-precision slot is never set");
    cr_assert(isnan(ref->throughput[5]), "A100 has no FP8");
    cr_assert(isnan(ref->purchase_usd), "A100 list price is unknown, so null");
    const cf_hardware *t4 = cf_catalog_hardware(cat, "t4");
    cr_assert(isnan(t4->throughput[3]), "T4 has no BF16");
    cr_assert_float_eq(t4->throughput[4], 65.0 / 312.0, 1e-4);

    const cf_region *r = cf_catalog_region(cat, "us-east-1");
    cr_assert_not_null(r);
    cr_assert_float_eq(r->grid_gco2e_per_kwh, 367.8, 1e-12);
    cr_assert_float_eq(r->pue, 1.2, 1e-12);
    cr_assert_float_eq(r->electricity_usd_per_kwh, 0.0892, 1e-12);
    r = cf_catalog_region(cat, "on-prem-us");
    cr_assert_float_eq(r->pue, 1.56, 1e-12);
    cr_assert_float_eq(r->electricity_usd_per_kwh, 0.0806, 1e-12);
    cr_assert(isnan(cf_catalog_region(cat, "eu-west-3")->electricity_usd_per_kwh));
    cr_assert_not_null(cf_catalog_region(cat, "US_EAST_1"), "region ids match like hardware names");
    cr_assert_null(cf_catalog_region(cat, "us-east-9"));
    cf_catalog_destroy(cat);
}

Test(catalog, p4d_offer_is_the_vantage_node_price_over_eight)
{
    cf_catalog *cat = load_default();
    const cf_offer *o = cf_catalog_offer_at(cat, 0);
    cr_assert_str_eq(o->provider, "aws");
    cr_assert_str_eq(o->region, "us-east-1");
    cr_assert_str_eq(o->hardware, "a100-40gb");
    cr_assert_float_eq(o->on_demand * 8, 32.773, 1e-9);
    cr_assert_float_eq(o->reserved_1y * 8, 20.175, 1e-9);
    cr_assert_float_eq(o->reserved_3y * 8, 12.499, 1e-9);
    cr_assert_float_eq(o->spot * 8, 13.655, 1e-9);
    cr_assert_float_eq(o->spot_interruptions_per_hour, 0.05, 1e-12);
    cf_catalog_destroy(cat);
}

Test(catalog, at_least_five_hardware_have_offers_in_two_regions)
{
    cf_catalog *cat = load_default();
    size_t good = 0;
    for (size_t i = 0; i < cf_catalog_hardware_count(cat); i++) {
        const cf_hardware *h = cf_catalog_hardware_at(cat, i);
        const char *first = NULL;
        int two = 0;
        for (size_t k = 0; k < cf_catalog_offer_count(cat); k++) {
            const cf_offer *o = cf_catalog_offer_at(cat, k);
            if (strcmp(o->hardware, h->id) != 0) continue;
            if (first == NULL)
                first = o->region;
            else if (strcmp(first, o->region) != 0)
                two = 1;
        }
        good += (size_t)two;
    }
    cr_assert_geq(good, 5, "only %zu hardware types are offered in two regions", good);
    cf_catalog_destroy(cat);
}

/* Alias resolution: name -> expected id (NULL: unknown). */
static const struct {
    const char *name;
    const char *id;
} alias_cases[] = {
    {"NVIDIA A100-SXM4-80GB", "a100-80gb"},
    {"nvidia_a100_sxm4_80gb", "a100-80gb"},
    {"A100-SXM4-80GB", "a100-80gb"},
    {"A100 80GB", "a100-80gb"},
    {"a100_80gb", "a100-80gb"},
    {"A100 / 80GB", "a100-80gb"},
    {"  a100--80GB ", "a100-80gb"},
    {"NVIDIA A100-SXM4-40GB", "a100-40gb"},
    {"NVIDIA A100-PCIE-40GB", "a100-pcie-40gb"},
    {"NVIDIA A100 80GB PCIe", "a100-pcie-80gb"},
    {"NVIDIA H100-SXM5-80GB", "h100"},
    {"H100 SXM", "h100"},
    {"NVIDIA H100 80GB HBM3", "h100"},
    {"NVIDIA H100-PCIe-80GB", "h100-pcie"},
    {"NVIDIA H200", "h200"},
    {"TPU v5e", "tpu-v5e"},
    {"TPU-v5e", "tpu-v5e"},
    {"Tesla T4", "t4"},
    {"NVIDIA Tesla T4", "t4"},
    {"NVIDIA L4", "l4"},
    {"L4", "l4"},
    {"NVIDIA A10G", "a10g"},
    {"nvidia a10g", "a10g"},
    {"A100", NULL}, /* ambiguous between 40 and 80 GB: deliberately not an alias */
    {"A10", "a10"},
    {"V100", "v100"},
    {"H100", "h100"},
    {"gpu-9000", NULL},
    {"", NULL},
};

Test(catalog, alias_resolution)
{
    cf_catalog *cat = load_default();
    for (size_t i = 0; i < sizeof alias_cases / sizeof *alias_cases; i++) {
        const cf_hardware *h = cf_catalog_hardware(cat, alias_cases[i].name);
        if (alias_cases[i].id == NULL) {
            cr_expect_null(h, "\"%s\" should be unknown, got %s", alias_cases[i].name, h ? h->id : "");
        } else {
            cr_expect_not_null(h, "\"%s\" did not resolve", alias_cases[i].name);
            if (h) cr_expect_str_eq(h->id, alias_cases[i].id, "\"%s\"", alias_cases[i].name);
        }
    }
    cr_assert_null(cf_catalog_hardware(cat, NULL));
    cf_catalog_destroy(cat);
}

/* Every numeric figure of the default catalog file must sit in an entry with a non-empty source. */
static int has_number(const cJSON *obj)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        if (cJSON_IsNumber(it)) return 1;
        if (cJSON_IsObject(it) && has_number(it)) return 1;
    }
    return 0;
}

static void expect_source(const cJSON *entry, const char *key, const char *what, int i)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(entry, key);
    cr_expect(cJSON_IsString(s) && strlen(s->valuestring) > 10, "%s[%d] has numbers but no %s", what, i, key);
}

Test(catalog, every_figure_has_a_source)
{
    char *text = read_text(CF_SOURCE_DIR "/data/catalog.json");
    cJSON *root = cJSON_Parse(text);
    cr_assert_not_null(root, "data/catalog.json does not parse");
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(root, "carbon_price_usd_per_t")));
    expect_source(root, "carbon_price_source", "root", 0);
    cr_assert_eq(cJSON_GetObjectItem(root, "schema_version")->valuedouble, 1.0);
    const char *sections[] = {"hardware", "regions", "offers", "instances"};
    int checked = 0;
    for (int s = 0; s < 4; s++) {
        const cJSON *arr = cJSON_GetObjectItem(root, sections[s]);
        cr_assert(cJSON_IsArray(arr));
        int i = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, arr)
        {
            cr_assert(has_number(e), "%s[%d] has no figures at all", sections[s], i);
            expect_source(e, "source", sections[s], i);
            const cJSON *tp = cJSON_GetObjectItem(e, "throughput");
            if (tp && has_number(tp)) expect_source(e, "throughput_source", sections[s], i);
            /* Weak figures are flagged: REFERENCE-costs.md has no L4 or T4 prices, so those offers must say
             * "estimate"; offers in a second region copied from the first must say "derived". */
            const cJSON *hw = cJSON_GetObjectItem(e, "hardware");
            const cJSON *src = cJSON_GetObjectItem(e, "source");
            if (s == 2 && cJSON_IsString(hw) && cJSON_IsString(src) &&
                (strcmp(hw->valuestring, "l4") == 0 || strcmp(hw->valuestring, "t4") == 0))
                cr_expect(strstr(src->valuestring, "estimate") != NULL, "offers[%d] is not labelled an estimate", i);
            const cJSON *reg = cJSON_GetObjectItem(e, "region");
            if (s == 2 && cJSON_IsString(reg) && strcmp(reg->valuestring, "us-west-2") == 0 &&
                strcmp(cJSON_GetObjectItem(e, "provider")->valuestring, "aws") == 0)
                cr_expect(strstr(src->valuestring, "derived") != NULL || strstr(src->valuestring, "estimate"),
                          "offers[%d] copies us-east-1 figures without saying so", i);
            checked++;
            i++;
        }
    }
    cr_assert_eq(checked, 33 + 22 + 86 + 49);
    cJSON_Delete(root);
    free(text);
}

/* Validation: a catalog text, the expected status, the JSON path and a fragment of the message. */
static const struct {
    const char *json;
    cf_status status;
    const char *field;
    const char *message;
} bad_cases[] = {
    {"{\"offers\": [{\"provider\":\"p\",\"region\":\"us-east-1\",\"hardware\":\"h100\",\"spot\":1},"
     "{\"provider\":\"p\",\"region\":\"us-west-2\",\"hardware\":\"h100\",\"spot\":1},"
     "{\"provider\":\"p\",\"region\":\"eu-west-3\",\"hardware\":\"h100\",\"spot\":1},"
     "{\"provider\":\"p\",\"region\":\"ap-south-1\",\"hardware\":\"h100\",\"spot\":\"abc\"}]}",
     CF_ERR_INVALID, "offers[3].spot", "expected a non-negative number, found \"abc\""},
    {"{\"offers\": [{\"provider\":\"p\",\"region\":\"r\",\"hardware\":\"gpu-x\",\"on_demand\":1}]}", CF_ERR_INVALID,
     "offers[0].hardware", "unknown hardware \"gpu-x\""},
    {"{\"offers\": [{\"provider\":\"p\",\"region\":\"r\",\"hardware\":\"h100\",\"on_demand\":-1}]}", CF_ERR_INVALID,
     "offers[0].on_demand", "expected a non-negative number, found -1"},
    {"{\"offers\": [{\"region\":\"r\",\"hardware\":\"h100\",\"on_demand\":1}]}", CF_ERR_INVALID, "offers[0].provider",
     "missing required field \"provider\""},
    {"{\"offers\": [{\"provider\":\"p\",\"region\":\"r\",\"hardware\":\"h100\",\"spto\":1}]}", CF_ERR_INVALID,
     "offers[0].spto", "unknown field \"spto\""},
    {"{\"offers\": [{\"provider\":\"p\",\"region\":\"r\",\"hardware\":\"h100\"},"
     "{\"provider\":\"P\",\"region\":\"r\",\"hardware\":\"H100 SXM\"}]}",
     CF_ERR_INVALID, "offers[1]", "duplicate offer"},
    {"{\"hardware\": [{\"board_power_w\": 300}]}", CF_ERR_INVALID, "hardware[0].id", "missing required field \"id\""},
    {"{\"hardware\": [{\"id\": \"\"}]}", CF_ERR_INVALID, "hardware[0].id", "expected a non-empty string, found \"\""},
    {"{\"hardware\": [{\"id\": \"x-1\"}, {\"id\": \"X_1\"}]}", CF_ERR_INVALID, "hardware[1].id",
     "duplicate hardware id \"X_1\" (already at hardware[0])"},
    {"{\"hardware\": [{\"id\": \"x1\", \"board_power_w\": 0}]}", CF_ERR_INVALID, "hardware[0].board_power_w",
     "expected a positive number, found 0"},
    {"{\"hardware\": [{\"id\": \"x1\", \"throughput\": {\"bf16\": -2}}]}", CF_ERR_INVALID,
     "hardware[0].throughput.bf16", "expected a positive number, found -2"},
    {"{\"hardware\": [{\"id\": \"x1\", \"throughput\": {\"fp64\": 1}}]}", CF_ERR_INVALID, "hardware[0].throughput.fp64",
     "unknown field"},
    {"{\"hardware\": [{\"id\": \"x1\", \"aliases\": [\"ok\", 7]}]}", CF_ERR_INVALID, "hardware[0].aliases[1]",
     "expected a non-empty string, found 7"},
    {"{\"hardware\": [{\"id\": \"x1\", \"aliases\": [\"ok\", \"H100\"]}]}", CF_ERR_INVALID, "hardware[0].aliases[1]",
     "the name \"H100\" is the id of hardware \"h100\", and an id cannot be taken over (to change that entry, write "
     "{\"id\": \"h100\", ...}"},
    {"{\"hardware\": [{\"id\": \"x1\", \"aliases\": [\"a100_80gb\"]}]}", CF_ERR_INVALID, "hardware[0].aliases[0]",
     "is the id of hardware \"a100-80gb\""},
    {"{\"hardware\": [{\"id\": \"x1\", \"aliases\": [\"foo\"]}, {\"id\": \"x2\", \"aliases\": [\"bar\", \"FOO\"]}]}",
     CF_ERR_INVALID, "hardware[1].aliases[1]", "already declared by hardware \"x1\" in this file"},
    {"{\"hardware\": [{\"id\": \"x1\", \"aliases\": [\"NVIDIA H100 PCIe\"]}, {\"id\": \"x2\", \"aliases\": "
     "[\"nvidia_h100_pcie\"]}]}",
     CF_ERR_INVALID, "hardware[1].aliases[0]", "already declared by hardware \"x1\" in this file"},
    {"{\"hardware\": {\"id\": \"x1\"}}", CF_ERR_INVALID, "hardware", "expected an array, found an object"},
    {"{\"regions\": [{\"id\": \"site\", \"grid_gco2e_per_kwh\": 400, \"pue\": 0.9}]}", CF_ERR_INVALID, "regions[0].pue",
     "expected a number >= 1 (power usage effectiveness), found 0.9"},
    {"{\"regions\": [{\"id\": \"site\", \"grid_gco2e_per_kwh\": 400}]}", CF_ERR_INVALID, "regions[0].pue",
     "missing required field \"pue\" for new region \"site\""},
    {"{\"regions\": [{\"id\": \"a\", \"grid_gco2e_per_kwh\": 1, \"pue\": 1}, {\"id\": \"A\", \"pue\": 1.1}]}",
     CF_ERR_INVALID, "regions[1].id", "duplicate region id"},
    {"{\"regions\": [{\"id\": \"us-east-1\", \"electricity_usd_per_kwh\": true}]}", CF_ERR_INVALID,
     "regions[0].electricity_usd_per_kwh", "found true"},
    {"{\"carbon_price_usd_per_t\": -5}", CF_ERR_INVALID, "carbon_price_usd_per_t", "found -5"},
    {"{\"schema_version\": 2}", CF_ERR_INVALID, "schema_version", "found 2"},
    {"{\"hardwares\": []}", CF_ERR_INVALID, "hardwares", "unknown field"},
    {"[1, 2]", CF_ERR_INVALID, "(root)", "expected a JSON object, found an array"},
    {"{\"hardware\": [\n  {\"id\": \"x1\",,}\n]}", CF_ERR_PARSE, "", "not valid JSON"},
};

Test(catalog, validation_errors_name_the_json_path)
{
    cf_catalog *cat = load_default();
    const cf_hardware *h100 = cf_catalog_hardware(cat, "h100");
    for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
        cf_error err;
        cf_error_clear(&err);
        cf_status st = cf_catalog_load_string(cat, bad_cases[i].json, "test", &err);
        char buf[800];
        cf_error_format(&err, buf, sizeof buf);
        cr_expect_eq(st, bad_cases[i].status, "case %zu: status %d (%s)", i, (int)st, buf);
        cr_expect_str_eq(err.field, bad_cases[i].field, "case %zu: %s", i, buf);
        cr_expect(strstr(err.message, bad_cases[i].message) != NULL, "case %zu: message was: %s", i, buf);
        cr_expect_str_eq(err.source, "test");
    }
    /* A failed load leaves the catalog untouched: same sizes, same entries (pointers stay valid). */
    cr_assert_eq(cf_catalog_hardware_count(cat), 33);
    cr_assert_eq(cf_catalog_offer_count(cat), 86);
    cr_assert_eq(cf_catalog_region_count(cat), 22);
    cr_assert_eq(cf_catalog_hardware(cat, "h100"), h100);
    cr_assert_null(cf_catalog_hardware(cat, "x1"));
    cf_catalog_destroy(cat);
}

Test(catalog, error_format_matches_the_issue)
{
    cf_catalog *cat = load_default();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_catalog_load_string(cat, bad_cases[0].json, "my.json", &err), CF_ERR_INVALID);
    char buf[800];
    cr_assert_str_eq(cf_error_format(&err, buf, sizeof buf),
                     "my.json: offers[3].spot: expected a non-negative number, found \"abc\"");
    cf_catalog_destroy(cat);
}

/* Issue 9: a user entry under a natural id that is an alias of a default entry wins for the names it declares,
 * and a note says which default entry lost the alias. */
Test(catalog, user_entry_shadows_default_alias)
{
    cf_catalog *cat = load_default();
    const cf_hardware *def = cf_catalog_hardware(cat, "h100");
    cr_assert_not_null(def);
    cr_assert_eq(cf_catalog_hardware(cat, "h100-sxm"), def, "before: h100-sxm is an alias of the default h100");
    cr_assert_eq(cf_catalog_note_count(cat), 0);
    cf_error err;
    cf_error_clear(&err);
    const char *user = "{\"hardware\": [{\"id\": \"h100-sxm\", \"name\": \"our H100 SXM\", \"board_power_w\": 650,"
                       " \"aliases\": [\"NVIDIA A100-SXM4-80GB\"], \"source\": \"test\"}],"
                       " \"offers\": [{\"provider\": \"lab\", \"region\": \"us-east-1\", \"hardware\": \"h100_sxm\","
                       " \"on_demand\": 2.0, \"source\": \"test\"}]}";
    char buf[800];
    cf_status st = cf_catalog_load_string(cat, user, "mine.json", &err);
    cr_assert_eq(st, CF_OK, "%s", cf_error_format(&err, buf, sizeof buf));
    const cf_hardware *mine = cf_catalog_hardware(cat, "h100-sxm");
    cr_assert_not_null(mine);
    cr_assert_str_eq(mine->id, "h100-sxm");
    cr_assert_float_eq(mine->board_power_w, 650.0, 1e-12);
    cr_assert_eq(cf_catalog_hardware(cat, "H100_SXM"), mine, "every spelling of the name goes to the user's entry");
    cr_assert_str_eq(cf_catalog_hardware(cat, "h100")->id, "h100", "the default keeps its id and other aliases");
    cr_assert_str_eq(cf_catalog_hardware(cat, "NVIDIA H100-SXM5-80GB")->id, "h100");
    cr_assert_str_eq(cf_catalog_hardware(cat, "NVIDIA A100-SXM4-80GB")->id, "h100-sxm");
    cr_assert_str_eq(cf_catalog_hardware(cat, "a100-80gb")->id, "a100-80gb");
    const cf_offer *o = cf_catalog_offer_at(cat, cf_catalog_offer_count(cat) - 1);
    cr_assert_str_eq(o->hardware, "h100-sxm", "the offer names the user's entry");
    cr_assert_eq(cf_catalog_note_count(cat), 2);
    cr_assert_str_eq(cf_catalog_note_at(cat, 0),
                     "mine.json: hardware[0].id: \"h100-sxm\" now names hardware \"h100-sxm\" from this file; it was "
                     "an alias of hardware \"h100\", which no longer answers to it (shadowed)");
    cr_assert(strstr(cf_catalog_note_at(cat, 1), "hardware[0].aliases[0]") != NULL);
    cr_assert(strstr(cf_catalog_note_at(cat, 1), "alias of hardware \"a100-80gb\"") != NULL);
    cr_assert_null(cf_catalog_note_at(cat, 2));
    /* The merged catalog exports and reloads on its own (the shadowed aliases are gone from the defaults). */
    char *text = NULL;
    cr_assert_eq(cf_catalog_to_json(cat, &text, &err), CF_OK);
    cf_catalog *again = cf_catalog_create();
    st = cf_catalog_load_string(again, text, "export", &err);
    cr_assert_eq(st, CF_OK, "%s", cf_error_format(&err, buf, sizeof buf));
    cr_assert_str_eq(cf_catalog_hardware(again, "h100-sxm")->id, "h100-sxm");
    cr_assert_eq(cf_catalog_note_count(again), 0);
    free(text);
    cf_catalog_destroy(again);
    cf_catalog_destroy(cat);
}

/* A failed load adds no note and leaves the aliases where they were. */
Test(catalog, failed_load_keeps_aliases_and_adds_no_note)
{
    cf_catalog *cat = load_default();
    cf_error err;
    cf_error_clear(&err);
    cf_status st = cf_catalog_load_string(cat, "{\"hardware\": [{\"id\": \"h100-sxm\", \"board_power_w\": -1}]}",
                                          "bad.json", &err);
    cr_assert_eq(st, CF_ERR_INVALID);
    cr_assert_str_eq(err.field, "hardware[0].board_power_w");
    cr_assert_eq(cf_catalog_note_count(cat), 0);
    cr_assert_str_eq(cf_catalog_hardware(cat, "h100-sxm")->id, "h100");
    cf_catalog_destroy(cat);
}

Test(catalog, syntax_error_reports_line)
{
    cf_catalog *cat = cf_catalog_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_catalog_load_string(cat, "{\n\"hardware\": [\n  {\"id\": \"x1\",,}\n]}", "t", &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 3);
    cf_catalog_destroy(cat);
}

/* The exact user shape from the issue, loaded over the default catalog. */
static const char issue_catalog[] =
    "{\"carbon_price_usd_per_t\": 190, \"hardware\": [{\"id\": \"a100-80gb\", \"aliases\": [\"NVIDIA "
    "A100-SXM4-80GB\"], \"board_power_w\": 400, \"embodied_kgco2e\": 150, \"life_years\": 5, \"purchase_usd\": "
    "17000, \"source\": \"my quote\"}], \"regions\": [{\"id\": \"us-east-1\", \"grid_gco2e_per_kwh\": 367.8, "
    "\"pue\": 1.2, \"source\": \"...\"}], \"offers\": [{\"provider\": \"aws-private\", \"region\": \"us-east-1\", "
    "\"hardware\": \"a100-80gb\", \"on_demand\": 4.10, \"reserved_1y\": 2.52, \"reserved_3y\": 1.56, \"spot\": "
    "1.71, \"spot_interruptions_per_hour\": 0.05, \"source\": \"...\"}]}";

Test(catalog, override_by_id_inherits_omitted_fields)
{
    cf_catalog *cat = load_default();
    cf_error err;
    cf_error_clear(&err);
    char buf[800];
    cr_assert_eq(cf_catalog_load_string(cat, issue_catalog, "user.json", &err), CF_OK, "%s",
                 cf_error_format(&err, buf, sizeof buf));
    cr_assert_eq(cf_catalog_hardware_count(cat), 33, "a100-80gb was overridden, not added");
    cr_assert_eq(cf_catalog_region_count(cat), 22);
    cr_assert_eq(cf_catalog_offer_count(cat), 87, "aws-private/us-east-1/a100-80gb is a new offer");
    const cf_hardware *h = cf_catalog_hardware(cat, "a100-80gb");
    cr_assert_float_eq(h->purchase_usd, 17000.0, 1e-9);
    cr_assert_str_eq(h->source, "my quote");
    cr_assert_str_eq(h->name, "NVIDIA A100 SXM4 80GB", "name is inherited");
    cr_assert_float_eq(h->throughput[3], 1.0, 1e-12, "throughput is inherited");
    cr_assert_eq(cf_catalog_hardware(cat, "A100 80GB"), h, "old aliases are kept");
    const cf_region *r = cf_catalog_region(cat, "us-east-1");
    cr_assert_float_eq(r->electricity_usd_per_kwh, 0.0892, 1e-12, "electricity is inherited");
    cr_assert_str_eq(r->source, "...");
    const cf_offer *o = cf_catalog_offer_at(cat, 86);
    cr_assert_str_eq(o->provider, "aws-private");
    cr_assert_str_eq(o->hardware, "a100-80gb");
    cr_assert_float_eq(o->reserved_3y, 1.56, 1e-12);

    /* A second override of that offer by (provider, region, hardware alias) changes only what it names; an
     * explicit null makes a figure unknown. */
    const char *more = "{\"offers\": [{\"provider\": \"AWS_Private\", \"region\": \"US-EAST-1\", \"hardware\": \"NVIDIA "
                       "A100-SXM4-80GB\", \"spot\": 1.5, \"reserved_1y\": null}]}";
    cr_assert_eq(cf_catalog_load_string(cat, more, "more.json", &err), CF_OK, "%s",
                 cf_error_format(&err, buf, sizeof buf));
    cr_assert_eq(cf_catalog_offer_count(cat), 87);
    o = cf_catalog_offer_at(cat, 86);
    cr_assert_float_eq(o->spot, 1.5, 1e-12);
    cr_assert(isnan(o->reserved_1y));
    cr_assert_float_eq(o->on_demand, 4.10, 1e-12);
    cr_assert_str_eq(o->source, "...", "source inherited when omitted");
    cf_catalog_destroy(cat);
}

Test(catalog, new_entries_without_source_are_labelled)
{
    cf_catalog *cat = cf_catalog_create();
    cf_error err;
    cf_error_clear(&err);
    const char *json = "{\"hardware\": [{\"id\": \"mygpu\", \"board_power_w\": 300}], \"regions\": [{\"id\": "
                       "\"lab\", \"grid_gco2e_per_kwh\": 100, \"pue\": 1.3}], \"offers\": [{\"provider\": "
                       "\"uni\", \"region\": \"lab\", \"hardware\": \"mygpu\", \"on_demand\": 0.5}]}";
    cr_assert_eq(cf_catalog_load_string(cat, json, "lab.json", &err), CF_OK);
    cr_assert_str_eq(cf_catalog_hardware(cat, "mygpu")->source, "lab.json (no source given)");
    cr_assert(isnan(cf_catalog_hardware(cat, "mygpu")->embodied_kgco2e));
    cr_assert_null(cf_catalog_hardware(cat, "mygpu")->aliases, "no aliases: NULL list");
    cr_assert(isnan(cf_catalog_carbon_price(cat)), "no carbon price given");
    cr_assert(isnan(cf_catalog_offer_at(cat, 0)->spot));
    cf_catalog_set_carbon_price(cat, 85.0);
    cr_assert_float_eq(cf_catalog_carbon_price(cat), 85.0, 1e-12);
    cf_catalog_destroy(cat);
}

static void expect_same_num(double a, double b, const char *what)
{
    if (isnan(a))
        cr_expect(isnan(b), "%s: NaN became %g", what, b);
    else
        cr_expect_float_eq(a, b, 1e-12, "%s", what);
}

Test(catalog, save_and_reload_round_trip)
{
    cf_catalog *cat = load_default();
    cf_error err;
    cf_error_clear(&err);
    char *text = NULL;
    cr_assert_eq(cf_catalog_to_json(cat, &text, &err), CF_OK, "%s", err.message);
    cf_catalog *back = cf_catalog_create();
    char buf[800];
    cr_assert_eq(cf_catalog_load_string(back, text, "exported", &err), CF_OK, "%s",
                 cf_error_format(&err, buf, sizeof buf));
    free(text);
    cr_assert_eq(cf_catalog_hardware_count(back), cf_catalog_hardware_count(cat));
    cr_assert_eq(cf_catalog_region_count(back), cf_catalog_region_count(cat));
    cr_assert_eq(cf_catalog_offer_count(back), cf_catalog_offer_count(cat));
    expect_same_num(cf_catalog_carbon_price(cat), cf_catalog_carbon_price(back), "carbon price");
    for (size_t i = 0; i < cf_catalog_hardware_count(cat); i++) {
        const cf_hardware *a = cf_catalog_hardware_at(cat, i), *b = cf_catalog_hardware_at(back, i);
        cr_expect_str_eq(a->id, b->id);
        cr_expect_str_eq(a->source, b->source);
        expect_same_num(a->board_power_w, b->board_power_w, a->id);
        expect_same_num(a->purchase_usd, b->purchase_usd, a->id);
        for (int k = 0; k < CF_CATALOG_PRECISIONS; k++) expect_same_num(a->throughput[k], b->throughput[k], a->id);
        size_t na = 0, nb = 0;
        while (a->aliases && a->aliases[na]) na++;
        while (b->aliases && b->aliases[nb]) nb++;
        cr_expect_eq(na, nb, "%s aliases", a->id);
    }
    for (size_t i = 0; i < cf_catalog_offer_count(cat); i++) {
        const cf_offer *a = cf_catalog_offer_at(cat, i), *b = cf_catalog_offer_at(back, i);
        cr_expect_str_eq(a->provider, b->provider);
        expect_same_num(a->on_demand, b->on_demand, "on_demand");
        expect_same_num(a->reserved_3y, b->reserved_3y, "reserved_3y");
        expect_same_num(a->spot, b->spot, "spot");
    }
    for (size_t i = 0; i < cf_catalog_region_count(cat); i++) {
        const cf_region *a = cf_catalog_region_at(cat, i), *b = cf_catalog_region_at(back, i);
        cr_expect_str_eq(a->id, b->id);
        expect_same_num(a->electricity_usd_per_kwh, b->electricity_usd_per_kwh, a->id);
    }
    cf_catalog_destroy(back);
    cf_catalog_destroy(cat);
}

Test(catalog, io_errors_and_null_safety)
{
    cf_catalog *cat = cf_catalog_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_catalog_load_file(cat, "/nonexistent/catalog.json", &err), CF_ERR_IO);
    cr_assert_str_eq(err.source, "/nonexistent/catalog.json");
    char *none = NULL;
    cr_assert_eq(cf_catalog_to_json(NULL, &none, &err), CF_ERR_ARG);
    cr_assert_null(none);
    cr_assert_eq(cf_catalog_load_string(cat, NULL, "x", &err), CF_ERR_ARG);
    cr_assert_eq(cf_catalog_hardware_count(NULL), 0);
    cr_assert_null(cf_catalog_hardware_at(cat, 0));
    cr_assert_null(cf_catalog_offer_at(cat, 3));
    cf_catalog_destroy(NULL);
    cf_catalog_destroy(cat);
}

/* The exported text ends with a newline, names every source and loads back into an equal catalog. */
Test(catalog, export_text_loads_back)
{
    cf_catalog *cat = load_default();
    cf_error err;
    cf_error_clear(&err);
    char *text = NULL;
    cr_assert_eq(cf_catalog_to_json(cat, &text, &err), CF_OK);
    size_t n = strlen(text);
    cr_assert_gt(n, 1000);
    cr_assert_eq(text[n - 1], '\n');
    cr_assert_not_null(strstr(text, "\"source\""));
    cf_catalog *back = cf_catalog_create();
    cr_assert_eq(cf_catalog_load_string(back, text, "stdout", &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_catalog_offer_count(back), 86);
    cr_assert_eq(cf_catalog_instance_count(back), 49);
    cr_assert_float_eq(cf_catalog_hardware(back, "NVIDIA H100 80GB HBM3")->board_power_w, 700.0, 1e-12);
    free(text);
    cf_catalog_destroy(back);
    cf_catalog_destroy(cat);
}

/* Issue 10: input bytes quoted in a message never reach the terminal raw (an OSC sequence set the window title);
 * a cut never splits a UTF-8 character. */
Test(status, messages_escape_control_characters)
{
    cf_error err;
    cf_error_clear(&err);
    cf_error_set(&err, CF_ERR_INVALID, "a\nb.csv", 3, 4, "hw\t1", "unknown hardware '%s'", "\033]0;TITLE\007x\x7f");
    cr_assert_str_eq(err.message, "unknown hardware '\\x1b]0;TITLE\\x07x\\x7f'");
    cr_assert_str_eq(err.source, "a\\nb.csv");
    cr_assert_str_eq(err.field, "hw\\t1");
    char buf[8];
    cf_text_escape(buf, sizeof buf, "ab\xc3\xa9\xc3\xa9\xc3\xa9"); /* "abééé": 8 bytes, 7 fit, the third é is cut */
    cr_assert_str_eq(buf, "ab\xc3\xa9\xc3\xa9");
    cf_text_escape(buf, sizeof buf, "abcd\001"); /* the escape \x01 (4 bytes) does not fit after 4 bytes: dropped */
    cr_assert_str_eq(buf, "abcd");
    cf_text_escape(buf, sizeof buf, NULL);
    cr_assert_str_eq(buf, "");
}

/* Issue 17: dates are checked (a real calendar day) and staleness is computed against an explicit reference. */
Test(catalog, dates_and_staleness)
{
    long d = 0;
    cr_assert(cf_catalog_parse_date("1970-01-01", &d));
    cr_assert_eq(d, 0);
    cr_assert(cf_catalog_parse_date("2024-02-29", &d));
    cr_assert_eq(d, 19782);
    cr_assert_not(cf_catalog_parse_date("2023-02-29", &d), "2023 is not a leap year");
    cr_assert_not(cf_catalog_parse_date("2024-13-01", NULL));
    cr_assert_not(cf_catalog_parse_date("2024-6-01", NULL));
    cr_assert_not(cf_catalog_parse_date("2024-06-01x", NULL));
    cr_assert_not(cf_catalog_parse_date(NULL, NULL));
    long age = 0;
    cr_assert_eq(cf_catalog_is_stale("2024-06-01", "2025-06-01", &age), 0, "365 days is not more than a year");
    cr_assert_eq(age, 365);
    cr_assert_eq(cf_catalog_is_stale("2024-06-01", "2025-06-02", &age), 1);
    cr_assert_eq(age, 366);
    cr_assert_eq(cf_catalog_is_stale(NULL, "2025-06-02", NULL), -1);
    cr_assert_eq(cf_catalog_is_stale("2024-06-01", "soon", NULL), -1);
}

/* as_of on every kind of entry: checked, kept, inherited from the file's top-level as_of, exported. */
Test(catalog, as_of_fields)
{
    cf_catalog *cat = load_default();
    cf_error err;
    cf_error_clear(&err);
    const char *text = "{\"as_of\": \"2025-03-01\", \"carbon_price_usd_per_t\": 85, \"carbon_price_source\": \"EU ETS\","
                       " \"hardware\": [{\"id\": \"x1\", \"memory_gb\": 48, \"inference_throughput\": {\"fp8\": 2.5},"
                       " \"as_of\": \"2024-11-30\", \"source\": \"t\"}],"
                       " \"regions\": [{\"id\": \"site\", \"grid_gco2e_per_kwh\": 10, \"pue\": 1.1, \"source\": \"t\"}],"
                       " \"offers\": [{\"provider\": \"lab\", \"region\": \"site\", \"hardware\": \"x1\","
                       " \"on_demand\": 1.5, \"as_of\": \"2025-01-15\", \"source\": \"t\"}]}";
    char buf[800];
    cr_assert_eq(cf_catalog_load_string(cat, text, "dated.json", &err), CF_OK, "%s",
                 cf_error_format(&err, buf, sizeof buf));
    const cf_hardware *h = cf_catalog_hardware(cat, "x1");
    cr_assert_str_eq(h->as_of, "2024-11-30");
    cr_assert_float_eq(h->memory_gb, 48.0, 1e-12);
    cr_assert_float_eq(h->inference_throughput[5], 2.5, 1e-12);
    cr_assert(isnan(h->inference_throughput[3]));
    cr_assert_str_eq(cf_catalog_region(cat, "site")->as_of, "2025-03-01", "the file's as_of dates undated entries");
    cr_assert_str_eq(cf_catalog_carbon_price_as_of(cat), "2025-03-01");
    const cf_offer *o = cf_catalog_offer_at(cat, cf_catalog_offer_count(cat) - 1);
    cr_assert_str_eq(o->as_of, "2025-01-15");
    char *json = NULL;
    cr_assert_eq(cf_catalog_to_json(cat, &json, &err), CF_OK);
    cf_catalog *again = cf_catalog_create();
    cr_assert_eq(cf_catalog_load_string(again, json, "export", &err), CF_OK, "%s",
                 cf_error_format(&err, buf, sizeof buf));
    cr_assert_str_eq(cf_catalog_hardware(again, "x1")->as_of, "2024-11-30");
    cr_assert_float_eq(cf_catalog_hardware(again, "x1")->inference_throughput[5], 2.5, 1e-12);
    char *d = NULL;
    size_t n = 99;
    cr_assert_eq(cf_catalog_diff(cat, again, &d, &n, &err), CF_OK);
    cr_assert_eq(n, 0, "an exported catalog reloads unchanged: %s", d);
    free(d);
    free(json);
    cf_catalog_destroy(again);
    /* Bad dates name their path. */
    static const struct {
        const char *json, *field;
    } bad[] = {
        {"{\"as_of\": \"2025-02-30\"}", "as_of"},
        {"{\"hardware\": [{\"id\": \"h100\", \"as_of\": \"June 2025\"}]}", "hardware[0].as_of"},
        {"{\"regions\": [{\"id\": \"us-east-1\", \"as_of\": 20250601}]}", "regions[0].as_of"},
        {"{\"offers\": [{\"provider\": \"p\", \"region\": \"r\", \"hardware\": \"h100\", \"as_of\": \"2025/06/01\"}]}",
         "offers[0].as_of"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cf_error_clear(&err);
        cr_expect_eq(cf_catalog_load_string(cat, bad[i].json, "b.json", &err), CF_ERR_INVALID, "case %zu", i);
        cr_expect_str_eq(err.field, bad[i].field);
        cr_expect(strstr(err.message, "expected a date YYYY-MM-DD") != NULL, "%s", err.message);
    }
    cf_catalog_destroy(cat);
}

/* Instance types: a name resolves to hardware x count; an instance price becomes a per-accelerator price. */
Test(catalog, instance_types_and_instance_prices)
{
    cf_catalog *cat = cf_catalog_create();
    cf_error err;
    cf_error_clear(&err);
    const char *text =
        "{\"hardware\": [{\"id\": \"gpu-a\", \"aliases\": [\"Acme GPU A 80GB\"], \"board_power_w\": 500},"
        "               {\"id\": \"gpu-a-40gb\", \"aliases\": [\"Acme GPU A 40GB\"], \"board_power_w\": 400}],"
        " \"instances\": [{\"id\": \"big.8x\", \"provider\": \"acme\", \"hardware\": \"gpu-a\", \"accelerators\": 8,"
        "                  \"aliases\": [\"Big 8X\"], \"source\": \"t\"}],"
        " \"regions\": [{\"id\": \"r1\", \"grid_gco2e_per_kwh\": 100, \"pue\": 1.2}],"
        " \"offers\": [{\"provider\": \"acme\", \"region\": \"r1\", \"instance\": \"big.8x\", \"on_demand\": 98.32,"
        "              \"spot\": 19.66, \"spot_interruptions_per_hour\": 0.05, \"source\": \"price page\"}]}";
    char buf[800];
    cr_assert_eq(cf_catalog_load_string(cat, text, "i.json", &err), CF_OK, "%s",
                 cf_error_format(&err, buf, sizeof buf));
    cf_hw_match m;
    cr_assert_eq(cf_catalog_resolve(cat, "BIG.8X", &m, &err), CF_OK);
    cr_assert_str_eq(m.hardware->id, "gpu-a");
    cr_assert_eq(m.accelerators, 8);
    cr_assert_eq(m.kind, CF_MATCH_INSTANCE);
    cr_assert_str_eq(m.instance->id, "big.8x");
    cr_assert_str_eq(cf_catalog_hardware(cat, "big 8x")->id, "gpu-a");
    const cf_offer *o = cf_catalog_offer_at(cat, 0);
    cr_assert_str_eq(o->hardware, "gpu-a");
    cr_assert_str_eq(o->instance, "big.8x");
    cr_assert_float_eq(o->on_demand, 12.29, 1e-12);
    cr_assert_float_eq(o->spot, 2.4575, 1e-12);
    cr_assert_float_eq(o->spot_interruptions_per_hour, 0.05, 1e-12, "a rate is not divided");
    cr_assert(isnan(o->reserved_1y));
    cr_assert_str_eq(o->source, "price page [per accelerator-hour: big.8x instance-hour prices on_demand 98.32 spot "
                                "19.66, each divided by its 8 accelerators]");
    /* Loose matching ignores vendor words and memory sizes; it accepts one candidate, lists several. */
    cr_assert_eq(cf_catalog_resolve(cat, "NVIDIA Acme-GPU-A-80GB HBM3", &m, &err), CF_OK, "%s", err.message);
    cr_assert_str_eq(m.hardware->id, "gpu-a");
    cr_assert_eq(m.kind, CF_MATCH_LOOSE);
    cr_assert_eq(cf_catalog_resolve(cat, "Acme GPU A", &m, &err), CF_ERR_NOT_FOUND);
    cr_assert_null(m.hardware);
    cr_assert_eq(m.n_candidates, 2);
    cr_assert_str_eq(err.message, "ambiguous hardware \"Acme GPU A\": it could be gpu-a, gpu-a-40gb; write one of these ids "
                                  "(or add the name as an alias in your catalog)");
    cr_assert_null(cf_catalog_hardware(cat, "Acme GPU A"));
    cr_assert_eq(cf_catalog_resolve(cat, "GPU A", &m, &err), CF_OK, "the id itself, loosely");
    cr_assert_str_eq(m.hardware->id, "gpu-a");
    cr_assert_eq(cf_catalog_resolve(cat, "Acme GPU A 40GB HBM2e", &m, &err), CF_OK, "memory kind ignored");
    cr_assert_str_eq(m.hardware->id, "gpu-a-40gb");
    cr_assert_eq(cf_catalog_resolve(cat, "gpu-z", &m, &err), CF_ERR_NOT_FOUND);
    cr_assert_eq(m.n_candidates, 0);
    /* Errors. */
    static const struct {
        const char *json, *field, *msg;
    } bad[] = {
        {"{\"instances\": [{\"id\": \"gpu-a\", \"hardware\": \"gpu-a\", \"accelerators\": 1}]}", "instances[0].id",
         "already names hardware"},
        {"{\"instances\": [{\"id\": \"x.2\", \"hardware\": \"gpu-a\", \"accelerators\": 1.5}]}",
         "instances[0].accelerators", "a whole number"},
        {"{\"instances\": [{\"id\": \"x.2\", \"hardware\": \"gpu-q\", \"accelerators\": 2}]}", "instances[0].hardware",
         "unknown hardware"},
        {"{\"instances\": [{\"id\": \"x.2\", \"accelerators\": 2}]}", "instances[0].hardware", "missing required"},
        {"{\"offers\": [{\"provider\": \"p\", \"region\": \"r1\", \"instance\": \"nope\", \"on_demand\": 1}]}",
         "offers[0].instance", "unknown instance type"},
        {"{\"offers\": [{\"provider\": \"p\", \"region\": \"r1\", \"instance\": \"big.8x\", \"hardware\": "
         "\"gpu-a-40gb\"}]}",
         "offers[0].hardware", "is not the hardware of instance type"},
        {"{\"offers\": [{\"provider\": \"p\", \"region\": \"r1\", \"hardware\": \"gpu-a\", \"price_unit\": "
         "\"instance-hour\"}]}",
         "offers[0].price_unit", "needs \"instance\""},
        {"{\"offers\": [{\"provider\": \"p\", \"region\": \"r1\", \"hardware\": \"Acme GPU A\"}]}", "offers[0].hardware",
         "it could be gpu-a, gpu-a-40gb"},
        {"{\"hardware\": [{\"id\": \"Big 8X\"}]}", "hardware[0].id", "is the instance type \"big.8x\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cf_error_clear(&err);
        cr_expect_eq(cf_catalog_load_string(cat, bad[i].json, "b.json", &err), CF_ERR_INVALID, "case %zu", i);
        cr_expect_str_eq(err.field, bad[i].field, "case %zu: %s", i, err.message);
        cr_expect(strstr(err.message, bad[i].msg) != NULL, "case %zu: %s", i, err.message);
    }
    /* price_unit accelerator-hour keeps the price as given. */
    cf_error_clear(&err);
    cr_assert_eq(cf_catalog_load_string(cat,
                                        "{\"offers\": [{\"provider\": \"p\", \"region\": \"r1\", \"instance\": "
                                        "\"big.8x\", \"price_unit\": \"accelerator-hour\", \"on_demand\": 3}]}",
                                        "u.json", &err),
                 CF_OK);
    cr_assert_float_eq(cf_catalog_offer_at(cat, 1)->on_demand, 3.0, 1e-12);
    cf_catalog_destroy(cat);
}

/* catalog diff: a known set of changes, in a's order then b's additions, deterministic. */
Test(catalog, diff_lists_changes)
{
    cf_catalog *a = cf_catalog_create(), *b = cf_catalog_create();
    cf_error err;
    cf_error_clear(&err);
    const char *ta = "{\"carbon_price_usd_per_t\": 190, \"carbon_price_source\": \"EPA\","
                     " \"hardware\": [{\"id\": \"g1\", \"board_power_w\": 300, \"aliases\": [\"G one\"]},"
                     "              {\"id\": \"g2\", \"board_power_w\": 200}],"
                     " \"regions\": [{\"id\": \"r1\", \"grid_gco2e_per_kwh\": 100, \"pue\": 1.2}],"
                     " \"offers\": [{\"provider\": \"p\", \"region\": \"r1\", \"hardware\": \"g1\", \"on_demand\": 2,"
                     " \"source\": \"list 2024\", \"as_of\": \"2024-06-01\"},"
                     " {\"provider\": \"p\", \"region\": \"r1\", \"hardware\": \"g2\", \"on_demand\": 1}]}";
    const char *tb = "{\"carbon_price_usd_per_t\": 85, \"carbon_price_source\": \"EPA\","
                     " \"hardware\": [{\"id\": \"g1\", \"board_power_w\": 350, \"aliases\": [\"G 1\"]},"
                     "              {\"id\": \"g3\", \"name\": \"Three\", \"board_power_w\": 100, \"source\": \"s\"}],"
                     " \"regions\": [{\"id\": \"r1\", \"grid_gco2e_per_kwh\": 100, \"pue\": 1.2}],"
                     " \"offers\": [{\"provider\": \"p\", \"region\": \"r1\", \"hardware\": \"g1\", \"on_demand\": 1.5,"
                     " \"source\": \"list 2025\", \"as_of\": \"2025-06-01\"},"
                     " {\"provider\": \"p\", \"region\": \"r1\", \"hardware\": \"g3\", \"on_demand\": 0.5}]}";
    cr_assert_eq(cf_catalog_load_string(a, ta, "c.json", &err), CF_OK);
    cr_assert_eq(cf_catalog_load_string(b, tb, "c.json", &err), CF_OK);
    char *d = NULL;
    size_t n = 0;
    cr_assert_eq(cf_catalog_diff(a, b, &d, &n, &err), CF_OK);
    cr_assert_str_eq(d, "carbon price: usd_per_t 190 -> 85\n"
                        "hardware g1: alias removed \"G one\"\n"
                        "hardware g1: alias added \"G 1\"\n"
                        "hardware g1: board_power_w 300 -> 350\n"
                        "hardware removed: g2 -\n"
                        "hardware added: g3 \"Three\" (source s)\n"
                        "offer p r1 g1: on_demand 2 -> 1.5\n"
                        "offer p r1 g1: source \"list 2024\" -> \"list 2025\"\n"
                        "offer p r1 g1: as_of \"2024-06-01\" -> \"2025-06-01\"\n"
                        "offer removed: p r1 g2 (on_demand 1, reserved_1y -, reserved_3y -, spot -, as_of -)\n"
                        "offer added: p r1 g3 (on_demand 0.5, reserved_1y -, reserved_3y -, spot -, as_of -)\n");
    cr_assert_eq(n, 11);
    free(d);
    cr_assert_eq(cf_catalog_diff(a, a, &d, &n, &err), CF_OK);
    cr_assert_str_eq(d, "");
    cr_assert_eq(n, 0);
    free(d);
    cf_catalog_destroy(a);
    cf_catalog_destroy(b);
}

/* Issue 17: every name of tests/fixtures/catalog_names.tsv (MLPerf accelerator strings, nvidia-smi names,
 * instance types) resolves to the listed id and accelerator count; the ambiguous ones list their candidates. */
Test(catalog, real_world_names_resolve)
{
    cf_catalog *cat = load_default();
    FILE *f = fopen(CF_SOURCE_DIR "/tests/fixtures/catalog_names.tsv", "r");
    cr_assert_not_null(f);
    char line[512];
    size_t checked = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        line[strcspn(line, "\r\n")] = '\0';
        char *name = line, *id = strchr(line, '\t');
        cr_assert_not_null(id, "bad fixture line: %s", line);
        *id++ = '\0';
        char *count = strchr(id, '\t');
        cr_assert_not_null(count, "bad fixture line: %s", name);
        *count++ = '\0';
        cf_hw_match m;
        cf_error err;
        cf_error_clear(&err);
        cf_status st = cf_catalog_resolve(cat, name, &m, &err);
        if (strcmp(id, "AMBIGUOUS") == 0) {
            cr_expect_eq(st, CF_ERR_NOT_FOUND, "\"%s\" should be ambiguous", name);
            cr_expect_geq(m.n_candidates, 2, "\"%s\"", name);
            cr_expect(strstr(err.message, "it could be ") != NULL, "\"%s\": %s", name, err.message);
        } else {
            cr_expect_eq(st, CF_OK, "\"%s\": %s", name, err.message);
            if (st == CF_OK) {
                cr_expect_str_eq(m.hardware->id, id, "\"%s\"", name);
                cr_expect_eq(m.accelerators, (size_t)strtoul(count, NULL, 10), "\"%s\"", name);
            }
        }
        checked++;
    }
    fclose(f);
    cr_assert_geq(checked, 70);
    cf_catalog_destroy(cat);
}

/* Issue 17: the MLPerf Training v4.0 summary (tests/fixtures, copied by make_mlperf_training_fixture.sh), read
 * with the README's mapping (accel -> hardware, accel_hours -> gpu_hours): every row is accepted, so every
 * accelerator resolves, and every run is priced on demand. */
Test(catalog, mlperf_training_accelerators_resolve_and_are_priced)
{
    cf_catalog *cat = load_default();
    cf_colmap *m = cf_colmap_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_colmap_parse_pairs(m, "accel=hardware,accel_hours=gpu_hours", &err), CF_OK);
    cf_runset *rs = cf_runset_create(cat, m);
    cf_status st = cf_read_runs(rs, CF_SOURCE_DIR "/tests/fixtures/mlperf-training-v4.0-summary.csv", &err);
    cr_assert_eq(st, CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_read(rs), 168);
    /* Three JuniperNetworks rows had no successful run (n_success 0), hence no time and no accel_hours: they are
     * refused for that, never for their accelerator. */
    cr_assert_eq(cf_runset_rejected(rs), 3);
    for (size_t i = 0; i < cf_runset_rejected(rs); i++) {
        const cf_reject *rj = cf_runset_reject(rs, i);
        cr_expect(strstr(rj->message, "expected gpu_hours") != NULL, "line %ld: %s", rj->line, rj->message);
    }
    cr_assert_eq(cf_runset_size(rs), 165);
    /* And every accelerator string of the file, those three rows included, resolves by itself. */
    FILE *f = fopen(CF_SOURCE_DIR "/tests/fixtures/mlperf-training-v4.0-summary.csv", "r");
    cr_assert_not_null(f);
    char line[1024];
    size_t rows = 0;
    while (fgets(line, sizeof line, f)) {
        if (rows++ == 0) continue; /* header; accel is the 9th column and no field of this file is quoted */
        char *p = line;
        for (int k = 0; k < 8 && p; k++) p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL;
        cr_assert_not_null(p);
        p[strcspn(p, ",")] = '\0';
        cr_expect_not_null(cf_catalog_hardware(cat, p), "MLPerf accelerator \"%s\" does not resolve", p);
    }
    fclose(f);
    cr_assert_eq(rows, 169);
    const char *seen[16];
    size_t n_seen = 0;
    for (size_t i = 0; i < cf_runset_size(rs); i++) {
        const cf_run *r = cf_runset_get(rs, i);
        cr_assert_not_null(cf_catalog_hardware(cat, r->hardware));
        cf_price pr;
        cf_error_clear(&err);
        cr_expect_eq(cf_price_run(cat, r, CF_PROC_ON_DEMAND, NULL, &pr, &err), CF_OK, "run %s (%s): %s", r->run_id,
                     r->hardware, err.message);
        cr_expect_gt(pr.cost_usd, 0.0, "run %s", r->run_id);
        size_t k = 0;
        while (k < n_seen && strcmp(seen[k], r->hardware) != 0) k++;
        if (k == n_seen && n_seen < 16) seen[n_seen++] = r->hardware;
    }
    /* The ten accelerator strings of the file map to these nine ids (two spellings of the H100 SXM). */
    cr_assert_eq(n_seen, 9);
    cf_runset_destroy(rs);
    cf_colmap_destroy(m);
    cf_catalog_destroy(cat);
}
