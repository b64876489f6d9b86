/* Tests for data/runset.c: precision spellings, column maps, validation of every canonical field, percent
 * detection, duplicates across sources, hyperparameter typing. Every expected value is worked out by hand. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "costfront/catalog.h"
#include "costfront/runset.h"

/* A two-GPU, two-region catalog, so the "known:" lists in messages are short and exact. */
static const char small_catalog[] =
    "{\"hardware\": ["
    "{\"id\": \"a100-80gb\", \"aliases\": [\"NVIDIA A100-SXM4-80GB\"], \"board_power_w\": 400, "
    "\"embodied_kgco2e\": 150, \"life_years\": 5, \"source\": \"test\"},"
    "{\"id\": \"h100\", \"aliases\": [\"H100 SXM\"], \"board_power_w\": 700, \"embodied_kgco2e\": 150, "
    "\"life_years\": 5, \"source\": \"test\"}],"
    " \"regions\": ["
    "{\"id\": \"us-east-1\", \"grid_gco2e_per_kwh\": 367.8, \"pue\": 1.2, \"source\": \"test\"},"
    "{\"id\": \"eu-west-3\", \"grid_gco2e_per_kwh\": 51, \"pue\": 1.2, \"source\": \"test\"}],"
    " \"offers\": []}";

static cf_catalog *small_cat(void)
{
    cf_catalog *cat = cf_catalog_create();
    cr_assert_not_null(cat);
    cf_error err;
    cf_error_clear(&err);
    char buf[700];
    cr_assert_eq(cf_catalog_load_string(cat, small_catalog, "small", &err), CF_OK, "%s",
                 cf_error_format(&err, buf, sizeof buf));
    cr_assert_eq(cf_catalog_hardware_count(cat), 2);
    cr_assert_eq(cf_catalog_region_count(cat), 2);
    return cat;
}

/* Adds one record given as a NULL-terminated list of "name", "value" pairs (value may be NULL). */
static void add(cf_runset *rs, long line, const char *const *kv)
{
    const char *names[32], *values[32];
    long cols[32];
    size_t n = 0;
    while (kv[2 * n] != NULL) {
        names[n] = kv[2 * n];
        values[n] = kv[2 * n + 1];
        cols[n] = (long)n + 1;
        n++;
    }
    cr_assert_eq(cf_runset_add_raw(rs, line, n, names, values, cols, "raw text"), CF_OK);
}

#define REC(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Runs one source of records and returns the status of end_source. */
static cf_status one_source(cf_runset *rs, const char *src, size_t n, const char *const *const *recs, cf_error *err)
{
    cr_assert_eq(cf_runset_begin_source(rs, src), CF_OK);
    for (size_t i = 0; i < n; i++) add(rs, (long)i + 2, recs[i]);
    return cf_runset_end_source(rs, err);
}

/* Checks that reject i says exactly msg about field at line and column. */
static void expect_reject(const cf_runset *rs, size_t i, long line, long column, const char *field, const char *msg)
{
    const cf_reject *j = cf_runset_reject(rs, i);
    cr_assert_not_null(j, "reject %zu missing", i);
    cr_assert_eq(j->line, line, "reject %zu line %ld", i, j->line);
    cr_assert_eq(j->column, column, "reject %zu column %ld", i, j->column);
    cr_assert_str_eq(j->field, field);
    cr_assert_str_eq(j->message, msg);
}

/* ---------------------------------------------------------------------------------------------------------- */

static const struct {
    const char *text;
    cf_precision want;
} prec_cases[] = {
    {"fp32", CF_PREC_FP32},
    {"FLOAT32", CF_PREC_FP32},
    {"float", CF_PREC_FP32},
    {"single", CF_PREC_FP32},
    {"32", CF_PREC_FP32},
    {"fp-32", CF_PREC_FP32},
    {"32-bit", CF_PREC_FP32},
    {"TF32", CF_PREC_TF32},
    {"bf16", CF_PREC_BF16},
    {"bfloat16", CF_PREC_BF16},
    {"torch.bfloat16", CF_PREC_BF16},
    {"fp16", CF_PREC_FP16},
    {"float16", CF_PREC_FP16},
    {"half", CF_PREC_FP16},
    {"16", CF_PREC_FP16},
    {"fp8", CF_PREC_FP8},
    {"float8", CF_PREC_FP8},
    {"e4m3", CF_PREC_FP8},
    {"E5M2", CF_PREC_FP8},
    {"int8", CF_PREC_INT8},
    {"8bit", CF_PREC_INT8},
    {"8-bit", CF_PREC_INT8},
    {"W8A8", CF_PREC_INT8},
    {"q8", CF_PREC_INT8},
    {"int4", CF_PREC_INT4},
    {"4bit", CF_PREC_INT4},
    {"4-bit", CF_PREC_INT4},
    {"w4a16", CF_PREC_INT4},
    {"NF4", CF_PREC_INT4},
    {"q4", CF_PREC_INT4},
    {"gptq", CF_PREC_INT4},
    {"AWQ", CF_PREC_INT4},
    {" bf16 ", CF_PREC_BF16},
};

Test(precision, spellings_parse_to_the_right_precision)
{
    for (size_t i = 0; i < sizeof prec_cases / sizeof prec_cases[0]; i++) {
        cf_precision p = CF_PREC_UNKNOWN;
        cr_assert_eq(cf_precision_parse(prec_cases[i].text, &p), CF_OK, "'%s'", prec_cases[i].text);
        cr_assert_eq(p, prec_cases[i].want, "'%s' -> %s", prec_cases[i].text, cf_precision_name(p));
    }
}

Test(precision, unknown_spellings_are_invalid)
{
    const char *bad[] = {"fp12", "", "mixed", "bf", "int3", "fp4", "64"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cf_precision p = CF_PREC_FP8;
        cr_assert_eq(cf_precision_parse(bad[i], &p), CF_ERR_INVALID, "'%s'", bad[i]);
        cr_assert_eq(p, CF_PREC_FP8, "output untouched on failure");
    }
    cr_assert_eq(cf_precision_parse(NULL, NULL), CF_ERR_ARG);
}

Test(precision, names_and_bits)
{
    const char *names[] = {"unknown", "fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4"};
    const int bits[] = {0, 32, 19, 16, 16, 8, 8, 4};
    for (int p = 0; p < CF_PREC_COUNT; p++) {
        cr_assert_str_eq(cf_precision_name((cf_precision)p), names[p]);
        cr_assert_eq(cf_precision_bits((cf_precision)p), bits[p]);
        cf_precision back;
        if (p > 0) {
            cr_assert_eq(cf_precision_parse(names[p], &back), CF_OK);
            cr_assert_eq(back, p, "name round-trips");
        }
    }
    cr_assert_str_eq(cf_precision_name(CF_PREC_COUNT), "unknown");
}

/* ---------------------------------------------------------------------------------------------------------- */

Test(colmap, pairs_map_columns_case_insensitively)
{
    cf_colmap *m = cf_colmap_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_colmap_parse_pairs(m, " val_acc = accuracy ,hours=gpu_hours,,notes=ignore", &err), CF_OK);
    cr_assert_str_eq(cf_colmap_lookup(m, "val_acc"), "accuracy");
    cr_assert_str_eq(cf_colmap_lookup(m, "VAL_ACC"), "accuracy");
    cr_assert_str_eq(cf_colmap_lookup(m, "hours"), "gpu_hours");
    cr_assert_str_eq(cf_colmap_lookup(m, "notes"), "ignore");
    cr_assert_str_eq(cf_colmap_lookup(m, "lr"), "lr", "unmapped names map to themselves");
    cr_assert_eq(cf_colmap_add(m, "val_acc", "accuracy_pct"), CF_OK, "a later mapping replaces");
    cr_assert_str_eq(cf_colmap_lookup(m, "val_acc"), "accuracy_pct");
    cf_colmap_destroy(m);
}

Test(colmap, malformed_pairs_are_rejected_with_position)
{
    cf_colmap *m = cf_colmap_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_colmap_parse_pairs(m, "a=accuracy,val_acc", &err), CF_ERR_INVALID);
    cr_assert_str_eq(err.source, "--map");
    cr_assert_eq(err.column, 2);
    cr_assert_str_eq(err.message, "expected column=field (e.g. val_acc=accuracy), found 'val_acc'");
    cr_assert_eq(cf_colmap_parse_pairs(m, "=accuracy", &err), CF_ERR_INVALID);
    cr_assert_str_eq(err.message, "expected column=field with both names, found '=accuracy'");
    cr_assert_eq(cf_colmap_add(m, "", "accuracy"), CF_ERR_INVALID);
    cr_assert_eq(cf_colmap_set_default(m, "learning_rate", "1"), CF_ERR_INVALID, "defaults are for canonical fields");
    cf_colmap_destroy(m);
    cf_colmap_destroy(NULL);
}

/* Writes text to a fresh temporary file and returns its malloc'd path. */
static char *temp_file(const char *suffix, const char *text)
{
    char *path = malloc(64);
    snprintf(path, 64, "/tmp/cf_test_runset_XXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    cr_assert(fd >= 0);
    size_t n = strlen(text);
    cr_assert_eq(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

Test(colmap, mapping_file_sets_columns_units_and_defaults)
{
    char *path = temp_file(".json", "{\"columns\": {\"val_acc\": \"accuracy\", \"minutes\": \"gpu_hours\", "
                                    "\"id\": \"run_id\"},\n \"accuracy_unit\": \"percent\",\n"
                                    " \"gpu_hours_unit\": \"minutes\",\n \"defaults\": {\"hardware\": \"a100-80gb\"}}");
    cf_colmap *m = cf_colmap_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_colmap_load(m, path, &err), CF_OK, "%s", err.message);
    cr_assert_str_eq(cf_colmap_lookup(m, "val_acc"), "accuracy");
    cf_catalog *cat = small_cat();
    cf_runset *rs = cf_runset_create(cat, m);
    cf_colmap_destroy(m); /* the runset copied it */
    /* 0.9 in a declared percent column is 0.9% -- the unit was declared, so nothing is guessed; 90 min = 1.5 h */
    const char *const *recs[] = {REC("id", "a", "val_acc", "85", "minutes", "90"),
                                 REC("id", "b", "val_acc", "0.9", "minutes", "30")};
    cr_assert_eq(one_source(rs, "m.csv", 2, recs, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 2);
    const cf_run *a = cf_runset_get(rs, 0);
    cr_assert_str_eq(a->run_id, "a");
    cr_assert_float_eq(a->accuracy, 0.85, 1e-12);
    cr_assert_float_eq(a->gpu_hours, 1.5, 1e-12);
    cr_assert_str_eq(a->hardware, "a100-80gb", "default applied");
    cr_assert_float_eq(cf_runset_get(rs, 1)->accuracy, 0.009, 1e-12);
    cr_assert_eq(cf_runset_note_count(rs), 0, "a declared unit needs no note");
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
    unlink(path);
    free(path);
}

Test(colmap, mapping_file_errors_name_the_field_or_position)
{
    cf_colmap *m = cf_colmap_create();
    cf_error err;
    cf_error_clear(&err);
    char *p1 = temp_file(".json", "{\"columns\": {\"val_acc\": \"accuracy\"}, \"acc_unit\": \"percent\"}");
    cr_assert_eq(cf_colmap_load(m, p1, &err), CF_ERR_INVALID);
    cr_assert_str_eq(err.field, "acc_unit");
    cr_assert_str_eq(cf_colmap_lookup(m, "val_acc"), "val_acc", "a failed load leaves the mapping unchanged");
    char *p2 = temp_file(".json", "{\"accuracy_unit\": \"percentage\"}");
    cr_assert_eq(cf_colmap_load(m, p2, &err), CF_ERR_INVALID);
    cr_assert_str_eq(err.message, "expected \"percent\", \"fraction\" or \"detect\", found 'percentage'");
    char *p3 = temp_file(".json", "{\n  \"columns\": {\n    \"a\": \"accuracy\",\n  }\n}");
    cr_assert_eq(cf_colmap_load(m, p3, &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 4, "the stray comma is reported where cJSON stops: line %ld", err.line);
    cr_assert_eq(err.column, 3);
    char *p4 = temp_file(".json", "{\"defaults\": {\"learning_rate\": 0.1}}");
    cr_assert_eq(cf_colmap_load(m, p4, &err), CF_ERR_INVALID);
    cr_assert_str_eq(err.field, "defaults.learning_rate");
    cr_assert_eq(cf_colmap_load(m, "/nonexistent/map.json", &err), CF_ERR_IO);
    char *paths[] = {p1, p2, p3, p4};
    for (int i = 0; i < 4; i++) {
        unlink(paths[i]);
        free(paths[i]);
    }
    cf_colmap_destroy(m);
}

/* ---------------------------------------------------------------------------------------------------------- */

Test(runset, accepts_a_valid_run_with_every_field)
{
    cf_catalog *cat = small_cat();
    cf_runset *rs = cf_runset_create(cat, NULL);
    cf_error err;
    const char *const *recs[] = {REC("run_id", "r1", "accuracy", "0.765", "gpu_hours", "12.5", "precision", "BF16",
                                     "pruning", "50%", "hardware", "NVIDIA A100-SXM4-80GB", "region", "EU-WEST-3",
                                     "provider", "aws", "procurement", "On-Demand", "model", "resnet50", "dataset",
                                     "imagenet", "project", "vision", "lr", "0.001")};
    cr_assert_eq(one_source(rs, "runs.csv", 1, recs, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 1);
    cr_assert_eq(cf_runset_read(rs), 1);
    cr_assert_eq(cf_runset_rejected(rs), 0);
    const cf_run *r = cf_runset_get(rs, 0);
    cr_assert_str_eq(r->run_id, "r1");
    cr_assert_float_eq(r->accuracy, 0.765, 1e-12);
    cr_assert_float_eq(r->gpu_hours, 12.5, 1e-12);
    cr_assert(isnan(r->wall_hours) && isnan(r->num_gpus));
    cr_assert_eq(r->precision, CF_PREC_BF16);
    cr_assert_float_eq(r->pruning, 0.5, 1e-12);
    cr_assert_str_eq(r->hardware, "a100-80gb", "alias resolved to the catalog id");
    cr_assert_str_eq(r->region, "eu-west-3");
    cr_assert_str_eq(r->provider, "aws");
    cr_assert_str_eq(r->procurement, "on_demand");
    cr_assert_str_eq(r->model, "resnet50");
    cr_assert_str_eq(r->dataset, "imagenet");
    cr_assert_str_eq(r->project, "vision");
    cr_assert_str_eq(r->source, "runs.csv");
    cr_assert_eq(r->line, 2);
    cr_assert_eq(cf_runset_find(rs, "r1"), 0);
    cr_assert_eq(cf_runset_find(rs, "r2"), (size_t)-1);
    cr_assert_null(cf_runset_get(rs, 1));
    cr_assert_eq(cf_runset_param_count(rs), 1);
    cr_assert_str_eq(cf_runset_param_name(rs, 0), "lr");
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
}

Test(runset, absent_optional_fields_are_null_nan_or_zero)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *const *recs[] = {
        REC("run_id", "x", "accuracy", "0.5", "gpu_hours", "1", "region", "  ", "hardware", "Some GPU")};
    cr_assert_eq(one_source(rs, "s", 1, recs, &err), CF_OK);
    const cf_run *r = cf_runset_get(rs, 0);
    cr_assert_eq(r->precision, CF_PREC_UNKNOWN);
    cr_assert_float_eq(r->pruning, 0.0, 0);
    cr_assert_null(r->region, "blank counts as absent");
    cr_assert_null(r->provider);
    cr_assert_null(r->procurement);
    cr_assert_str_eq(r->hardware, "Some GPU", "without a catalog the name is kept as given");
    cf_runset_destroy(rs);
}

Test(runset, duplicate_run_id_across_sources_names_the_first)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *const *s1[] = {REC("run_id", "a", "accuracy", "0.5", "gpu_hours", "1"),
                               REC("run_id", "b", "accuracy", "0.6", "gpu_hours", "1")};
    const char *const *s2[] = {REC("run_id", "c", "accuracy", "0.5", "gpu_hours", "1"),
                               REC("run_id", "b", "accuracy", "0.7", "gpu_hours", "2"),
                               REC("run_id", "c", "accuracy", "0.7", "gpu_hours", "2")};
    cr_assert_eq(one_source(rs, "one.csv", 2, s1, &err), CF_OK);
    cr_assert_eq(one_source(rs, "two.csv", 3, s2, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 3);
    cr_assert_eq(cf_runset_read(rs), 5);
    cr_assert_eq(cf_runset_rejected(rs), 2);
    expect_reject(rs, 0, 3, 1, "run_id", "duplicate run_id 'b' (first seen at one.csv:3)");
    expect_reject(rs, 1, 4, 1, "run_id", "duplicate run_id 'c' (first seen at two.csv:2)");
    cr_assert_str_eq(cf_runset_reject(rs, 0)->source, "two.csv");
    cr_assert_str_eq(cf_runset_reject(rs, 0)->raw, "raw text");
    cr_assert_float_eq(cf_runset_get(rs, cf_runset_find(rs, "b"))->accuracy, 0.6, 1e-12, "the first one stays");
    cf_runset_destroy(rs);
}

Test(runset, a_rejected_row_does_not_claim_its_run_id)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *const *s[] = {REC("run_id", "a", "accuracy", "oops", "gpu_hours", "1"),
                              REC("run_id", "a", "accuracy", "0.5", "gpu_hours", "1")};
    cr_assert_eq(one_source(rs, "f", 2, s, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 1);
    expect_reject(rs, 0, 2, 2, "accuracy", "expected a number (an accuracy), found 'oops'");
    cf_runset_destroy(rs);
}

Test(runset, missing_run_id_is_made_from_file_and_line_with_a_note)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *const *s[] = {REC("accuracy", "0.5", "gpu_hours", "1"), REC("accuracy", "0.6", "gpu_hours", "1")};
    cr_assert_eq(one_source(rs, "/data/exp/runs.csv", 2, s, &err), CF_OK);
    cr_assert_str_eq(cf_runset_get(rs, 0)->run_id, "runs.csv:2");
    cr_assert_str_eq(cf_runset_get(rs, 1)->run_id, "runs.csv:3");
    cr_assert_eq(cf_runset_note_count(rs), 1);
    cr_assert_str_eq(cf_runset_note(rs, 0), "/data/exp/runs.csv: 2 records have no run_id; ids were made from the "
                                            "file name and line (e.g. runs.csv:2)");
    cf_runset_destroy(rs);
}

/* ---------------------------------------------------------------------------------------------------------- */

Test(accuracy, percent_column_is_detected_converted_and_noted)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *const *p[] = {REC("run_id", "a", "accuracy", "76.5", "gpu_hours", "1"),
                              REC("run_id", "b", "accuracy", "100", "gpu_hours", "1"),
                              REC("run_id", "c", "accuracy", "42", "gpu_hours", "1")};
    cr_assert_eq(one_source(rs, "pct.csv", 3, p, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 3);
    cr_assert_float_eq(cf_runset_get(rs, 0)->accuracy, 0.765, 1e-12);
    cr_assert_float_eq(cf_runset_get(rs, 1)->accuracy, 1.0, 1e-12);
    cr_assert_float_eq(cf_runset_get(rs, 2)->accuracy, 0.42, 1e-12);
    cr_assert_eq(cf_runset_note_count(rs), 1);
    cr_assert_str_eq(cf_runset_note(rs, 0), "pct.csv: accuracy column read as percent (all 3 values in [0, 100], 3 "
                                            "above 1); divided by 100");
    /* detection is per source: a fraction source afterwards is read as fractions */
    const char *const *f[] = {REC("run_id", "d", "accuracy", "0.9", "gpu_hours", "1")};
    cr_assert_eq(one_source(rs, "frac.csv", 1, f, &err), CF_OK);
    cr_assert_float_eq(cf_runset_get(rs, 3)->accuracy, 0.9, 1e-12);
    cr_assert_eq(cf_runset_note_count(rs), 1);
    cf_runset_destroy(rs);
}

Test(accuracy, a_stray_value_above_one_in_a_fraction_column_is_rejected_not_guessed)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *const *s[] = {REC("run_id", "a", "accuracy", "0.8", "gpu_hours", "1"),
                              REC("run_id", "b", "accuracy", "0.7", "gpu_hours", "1"),
                              REC("run_id", "c", "accuracy", "1.7", "gpu_hours", "1"),
                              REC("run_id", "d", "accuracy", "0.9", "gpu_hours", "1")};
    cr_assert_eq(one_source(rs, "f.csv", 4, s, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 3);
    cr_assert_float_eq(cf_runset_get(rs, 0)->accuracy, 0.8, 1e-12, "the column stays a fraction");
    expect_reject(rs, 0, 4, 2, "accuracy",
                  "expected a fraction in [0, 1] like the other 3 values of this column, found '1.7'");
    cr_assert_eq(cf_runset_note_count(rs), 0);
    cf_runset_destroy(rs);
}

Test(accuracy, a_stray_fraction_in_a_percent_column_is_rejected)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *const *s[] = {
        REC("run_id", "a", "accuracy", "80", "gpu_hours", "1"), REC("run_id", "b", "accuracy", "0.9", "gpu_hours", "1"),
        REC("run_id", "c", "accuracy", "70", "gpu_hours", "1"), REC("run_id", "d", "accuracy", "90", "gpu_hours", "1")};
    cr_assert_eq(one_source(rs, "p.csv", 4, s, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 3);
    cr_assert_float_eq(cf_runset_get(rs, 2)->accuracy, 0.9, 1e-12);
    expect_reject(rs, 0, 3, 2, "accuracy",
                  "expected a percentage in (1, 100] like the other 3 values of this column, found '0.9' (a "
                  "fraction?)");
    cr_assert_str_eq(cf_runset_note(rs, 0), "p.csv: accuracy column read as percent (3 values in (1, 100], 1 at "
                                            "most 1 rejected); divided by 100");
    cf_runset_destroy(rs);
}

Test(accuracy, values_above_100_mean_the_column_cannot_be_percent)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *const *s[] = {REC("run_id", "a", "accuracy", "0.8", "gpu_hours", "1"),
                              REC("run_id", "b", "accuracy", "150", "gpu_hours", "1"),
                              REC("run_id", "c", "accuracy", "-0.1", "gpu_hours", "1")};
    cr_assert_eq(one_source(rs, "f.csv", 3, s, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 1);
    expect_reject(rs, 0, 3, 2, "accuracy", "expected a fraction in [0, 1] or a percentage in [0, 100], found '150'");
    expect_reject(rs, 1, 4, 2, "accuracy", "expected a fraction in [0, 1] or a percentage in [0, 100], found '-0.1'");
    cf_runset_destroy(rs);
}

Test(accuracy, an_even_mix_of_units_fails_the_whole_source)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    cf_error_clear(&err);
    const char *const *s[] = {REC("run_id", "a", "accuracy", "0.8", "gpu_hours", "1"),
                              REC("run_id", "b", "accuracy", "85", "gpu_hours", "1")};
    cr_assert_eq(one_source(rs, "mix.csv", 2, s, &err), CF_ERR_INVALID);
    cr_assert_str_eq(err.source, "mix.csv");
    cr_assert_str_eq(err.field, "accuracy");
    cr_assert_str_eq(err.message, "accuracy column mixes fractions (1 values in [0, 1]) and percentages (1 values in "
                                  "(1, 100]); declare the unit (\"accuracy_unit\" in a mapping file)");
    cr_assert_eq(cf_runset_size(rs), 0, "nothing from the failed source is kept");
    cr_assert_eq(cf_runset_read(rs), 0);
    cr_assert_eq(cf_runset_rejected(rs), 0);
    /* declaring the unit resolves it: 0.8 is then 0.8% */
    cf_colmap *m = cf_colmap_create();
    cf_colmap_set_accuracy_percent(m, 1);
    cf_runset *rs2 = cf_runset_create(NULL, m);
    cr_assert_eq(one_source(rs2, "mix.csv", 2, s, &err), CF_OK);
    cr_assert_float_eq(cf_runset_get(rs2, 0)->accuracy, 0.008, 1e-12);
    cr_assert_float_eq(cf_runset_get(rs2, 1)->accuracy, 0.85, 1e-12);
    cf_colmap_destroy(m);
    cf_runset_destroy(rs2);
    cf_runset_destroy(rs);
}

Test(accuracy, explicit_units_and_percent_signs)
{
    cf_colmap *m = cf_colmap_create();
    cf_colmap_set_accuracy_percent(m, 0);
    cf_runset *rs = cf_runset_create(NULL, m);
    cf_error err;
    const char *const *s[] = {REC("run_id", "a", "accuracy", "76.5%", "gpu_hours", "1"),
                              REC("run_id", "b", "accuracy", "55", "gpu_hours", "1"),
                              REC("run_id", "c", "accuracy", "nan", "gpu_hours", "1"),
                              REC("run_id", "d", "gpu_hours", "1")};
    cr_assert_eq(one_source(rs, "f", 4, s, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 1);
    cr_assert_float_eq(cf_runset_get(rs, 0)->accuracy, 0.765, 1e-12, "a % sign is always a percentage");
    expect_reject(rs, 0, 3, 2, "accuracy", "expected a fraction in [0, 1] (the accuracy unit is fraction), found '55'");
    expect_reject(rs, 1, 4, 2, "accuracy", "expected a number (an accuracy), found 'nan'");
    expect_reject(rs, 2, 5, 0, "accuracy", "expected an accuracy value, found nothing");
    cf_colmap_destroy(m);
    cf_runset_destroy(rs);
}

/* ---------------------------------------------------------------------------------------------------------- */

Test(hours, wall_hours_times_num_gpus_and_the_failures)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *const *s[] = {
        REC("run_id", "a", "accuracy", "0.5", "wall_hours", "2.5", "num_gpus", "4"),
        REC("run_id", "b", "accuracy", "0.5", "wall_hours", "2.5"),
        REC("run_id", "c", "accuracy", "0.5"),
        REC("run_id", "d", "accuracy", "0.5", "gpu_hours", "-3"),
        REC("run_id", "e", "accuracy", "0.5", "wall_hours", "1", "num_gpus", "0"),
        REC("run_id", "f", "accuracy", "0.5", "gpu_hours", "7", "wall_hours", "1", "num_gpus", "8"),
        REC("run_id", "g", "accuracy", "0.5", "gpu_hours", "ten"),
    };
    cr_assert_eq(one_source(rs, "h", 7, s, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 2);
    const cf_run *a = cf_runset_get(rs, 0);
    cr_assert_float_eq(a->gpu_hours, 10.0, 1e-12);
    cr_assert_float_eq(a->wall_hours, 2.5, 1e-12);
    cr_assert_float_eq(a->num_gpus, 4.0, 1e-12);
    cr_assert_float_eq(cf_runset_get(rs, 1)->gpu_hours, 7.0, 1e-12, "an explicit gpu_hours wins");
    expect_reject(rs, 0, 3, 0, "num_gpus",
                  "expected num_gpus with wall_hours (gpu_hours = wall_hours x num_gpus), found nothing");
    expect_reject(rs, 1, 4, 0, "gpu_hours", "expected gpu_hours, or wall_hours and num_gpus, found nothing");
    expect_reject(rs, 2, 5, 3, "gpu_hours", "expected a non-negative number of GPU-hours, found '-3'");
    expect_reject(rs, 3, 6, 4, "num_gpus", "expected a positive number of accelerators, found '0'");
    expect_reject(rs, 4, 8, 3, "gpu_hours", "expected a non-negative number of GPU-hours, found 'ten'");
    cf_runset_destroy(rs);
}

/* Issue 17: an instance type in the hardware column gives the accelerator count, so wall_hours alone prices the
 * run: p4d.24xlarge has 8 A100-40GB, so 2.5 wall hours are 20 GPU-hours; an explicit num_gpus still wins (a job
 * on two such instances says 16), and a bare accelerator name still needs num_gpus. */
Test(hours, instance_type_gives_the_accelerator_count)
{
    cf_catalog *cat = cf_catalog_create();
    cf_error err;
    cr_assert_eq(cf_catalog_load_default(cat, &err), CF_OK);
    cf_runset *rs = cf_runset_create(cat, NULL);
    const char *const *s[] = {
        REC("run_id", "a", "accuracy", "0.5", "wall_hours", "2.5", "hardware", "p4d.24xlarge"),
        REC("run_id", "b", "accuracy", "0.5", "wall_hours", "2.5", "hardware", "p4d.24xlarge", "num_gpus", "16"),
        REC("run_id", "c", "accuracy", "0.5", "wall_hours", "2.5", "hardware", "a100-40gb"),
    };
    cr_assert_eq(one_source(rs, "inst", 3, s, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 2);
    const cf_run *a = cf_runset_get(rs, 0), *b = cf_runset_get(rs, 1);
    cr_assert_float_eq(a->num_gpus, 8.0, 1e-12);
    cr_assert_float_eq(a->gpu_hours, 20.0, 1e-12);
    cr_assert_str_eq(a->hardware, "a100-40gb");
    cr_assert_float_eq(b->num_gpus, 16.0, 1e-12);
    cr_assert_float_eq(b->gpu_hours, 40.0, 1e-12);
    expect_reject(rs, 0, 4, 0, "num_gpus",
                  "expected num_gpus with wall_hours (gpu_hours = wall_hours x num_gpus), found nothing");
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
}

/* Regression (qa): 1e200 GPU-hours, or 1e200 hours x 1e200 GPUs (= inf), used to be accepted, so costs came out
 * infinite (null in the JSON) and the hypervolume overflowed silently. Beyond 1e12 GPU-hours a run is rejected. */
Test(hours, absurd_hours_are_rejected_before_they_overflow_costs)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *const *s[] = {
        REC("run_id", "a", "accuracy", "0.5", "gpu_hours", "1e12"),
        REC("run_id", "b", "accuracy", "0.5", "gpu_hours", "1e200"),
        REC("run_id", "c", "accuracy", "0.5", "wall_hours", "1e200", "num_gpus", "1e200"),
    };
    cr_assert_eq(one_source(rs, "big", 3, s, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 1, "1e12 GPU-hours is the largest accepted");
    cr_assert_float_eq(cf_runset_get(rs, 0)->gpu_hours, 1e12, 1.0);
    expect_reject(rs, 0, 3, 3, "gpu_hours", "expected at most 1e+12 GPU-hours, found '1e200'");
    expect_reject(rs, 1, 4, 3, "wall_hours", "expected at most 1e+12 GPU-hours, found wall_hours x num_gpus = inf");
    cf_runset_destroy(rs);
}

/* Regression (qa): an empty cell in an existing column ("r1,0.9,,h100") used to be reported without a column
 * ("x.csv:2: gpu_hours: ... found nothing"); the error now points at the empty cell, under its own name. */
Test(hours, an_empty_cell_is_located_by_its_column)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *const *s[] = {
        REC("run_id", "a", "accuracy", "0.5", "gpu_hours", NULL),
        REC("run_id", "b", "accuracy", NULL, "gpu_hours", "2"),
        REC("run_id", "c", "accuracy", "0.5"),
    };
    cr_assert_eq(one_source(rs, "gaps", 3, s, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 0);
    expect_reject(rs, 0, 2, 3, "gpu_hours", "expected gpu_hours, or wall_hours and num_gpus, found nothing");
    expect_reject(rs, 1, 3, 2, "accuracy", "expected an accuracy value, found nothing");
    expect_reject(rs, 2, 4, 0, "gpu_hours", "expected gpu_hours, or wall_hours and num_gpus, found nothing");
    cf_runset_destroy(rs);
}

Test(hours, hours_scale_applies_to_gpu_and_wall_hours)
{
    cf_colmap *m = cf_colmap_create();
    cf_colmap_set_hours_scale(m, 1.0 / 3600.0);
    cf_runset *rs = cf_runset_create(NULL, m);
    cf_error err;
    const char *const *s[] = {REC("run_id", "a", "accuracy", "0.5", "gpu_hours", "7200"),
                              REC("run_id", "b", "accuracy", "0.5", "wall_hours", "1800", "num_gpus", "8")};
    cr_assert_eq(one_source(rs, "sec", 2, s, &err), CF_OK);
    cr_assert_float_eq(cf_runset_get(rs, 0)->gpu_hours, 2.0, 1e-12);
    cr_assert_float_eq(cf_runset_get(rs, 1)->wall_hours, 0.5, 1e-12);
    cr_assert_float_eq(cf_runset_get(rs, 1)->gpu_hours, 4.0, 1e-12);
    cf_colmap_destroy(m);
    cf_runset_destroy(rs);
}

/* ---------------------------------------------------------------------------------------------------------- */

Test(fields, pruning_precision_and_procurement)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *const *s[] = {
        REC("run_id", "a", "accuracy", "0.5", "gpu_hours", "1", "pruning", "0.3", "procurement", "preemptible"),
        REC("run_id", "b", "accuracy", "0.5", "gpu_hours", "1", "pruning", "50%", "procurement", "1y"),
        REC("run_id", "c", "accuracy", "0.5", "gpu_hours", "1", "pruning", "50"),
        REC("run_id", "d", "accuracy", "0.5", "gpu_hours", "1", "pruning", "150"),
        REC("run_id", "e", "accuracy", "0.5", "gpu_hours", "1", "pruning", "1"),
        REC("run_id", "f", "accuracy", "0.5", "gpu_hours", "1", "precision", "fp12"),
        REC("run_id", "g", "accuracy", "0.5", "gpu_hours", "1", "procurement", "weekly"),
        REC("run_id", "h", "accuracy", "0.5", "gpu_hours", "1", "procurement", "On Prem"),
        REC("run_id", "i", "accuracy", "0.5", "gpu_hours", "1", "procurement", "reserved-3y", "pruning", "0"),
        REC("run_id", "j", "accuracy", "0.5", "gpu_hours", "1", "procurement", "HYBRID"),
    };
    cr_assert_eq(one_source(rs, "p", 10, s, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 5);
    cr_assert_float_eq(cf_runset_get(rs, 0)->pruning, 0.3, 1e-12);
    cr_assert_str_eq(cf_runset_get(rs, 0)->procurement, "spot");
    cr_assert_float_eq(cf_runset_get(rs, 1)->pruning, 0.5, 1e-12);
    cr_assert_str_eq(cf_runset_get(rs, 1)->procurement, "reserved_1y");
    cr_assert_str_eq(cf_runset_get(rs, 2)->procurement, "on_prem");
    cr_assert_str_eq(cf_runset_get(rs, 3)->procurement, "reserved_3y");
    cr_assert_str_eq(cf_runset_get(rs, 4)->procurement, "hybrid");
    expect_reject(rs, 0, 4, 4, "pruning",
                  "expected a sparsity fraction in [0, 1), found '50' (for a percentage write 0.5 or '50%')");
    expect_reject(rs, 1, 5, 4, "pruning", "expected a sparsity fraction in [0, 1), found '150'");
    expect_reject(rs, 2, 6, 4, "pruning", "expected a sparsity fraction in [0, 1), found '1'");
    expect_reject(rs, 3, 7, 4, "precision",
                  "expected a precision (fp32, tf32, bf16, fp16, fp8, int8, int4), found 'fp12'");
    expect_reject(rs, 4, 8, 4, "procurement",
                  "expected a procurement (on_demand, spot, reserved_1y, reserved_3y, on_prem, hybrid), found "
                  "'weekly'");
    cf_runset_destroy(rs);
}

Test(fields, hardware_and_region_resolve_through_the_catalog)
{
    cf_catalog *cat = small_cat();
    cf_runset *rs = cf_runset_create(cat, NULL);
    cf_error err;
    const char *const *s[] = {
        REC("run_id", "a", "accuracy", "0.5", "gpu_hours", "1", "hardware", "H100 SXM", "region", "us-east-1"),
        REC("run_id", "b", "accuracy", "0.5", "gpu_hours", "1", "hardware", "RTX 9090"),
        REC("run_id", "c", "accuracy", "0.5", "gpu_hours", "1", "hardware", "h100", "region", "mars-north-1"),
    };
    cr_assert_eq(one_source(rs, "hw", 3, s, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 1);
    cr_assert_str_eq(cf_runset_get(rs, 0)->hardware, "h100");
    cr_assert_str_eq(cf_runset_get(rs, 0)->region, "us-east-1");
    expect_reject(rs, 0, 3, 4, "hardware",
                  "unknown hardware 'RTX 9090'; known: a100-80gb, h100 (see costfront catalog)");
    expect_reject(rs, 1, 4, 5, "region",
                  "unknown region 'mars-north-1'; known: us-east-1, eu-west-3 (see costfront catalog)");
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
}

Test(fields, mapped_columns_are_reported_under_their_own_name)
{
    cf_colmap *m = cf_colmap_create();
    cf_error err;
    cr_assert_eq(cf_colmap_parse_pairs(m, "val_acc=accuracy,cost_h=gpu_hours,comment=ignore", &err), CF_OK);
    cf_runset *rs = cf_runset_create(NULL, m);
    cf_colmap_destroy(m);
    const char *const *s[] = {REC("run_id", "a", "val_acc", "0.75", "cost_h", "3", "comment", "hi"),
                              REC("run_id", "b", "val_acc", "2.5x", "cost_h", "3")};
    cr_assert_eq(one_source(rs, "m", 2, s, &err), CF_OK);
    cr_assert_float_eq(cf_runset_get(rs, 0)->accuracy, 0.75, 1e-12);
    cr_assert_float_eq(cf_runset_get(rs, 0)->gpu_hours, 3.0, 1e-12);
    cr_assert_eq(cf_runset_param_count(rs), 0, "ignored columns are not hyperparameters");
    expect_reject(rs, 0, 3, 2, "val_acc", "expected a number (an accuracy), found '2.5x'");
    cf_runset_destroy(rs);
}

/* ---------------------------------------------------------------------------------------------------------- */

Test(params, columns_are_typed_after_each_source)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *const *s1[] = {
        REC("run_id", "a", "accuracy", "0.5", "gpu_hours", "1", "batch_size", "32", "lr", "0.001", "optimizer", "adamw",
            "epochs", "3"),
        REC("run_id", "b", "accuracy", "0.5", "gpu_hours", "1", "batch_size", "64", "lr", "1e-4", "optimizer", "sgd",
            "epochs", ""),
    };
    cr_assert_eq(one_source(rs, "one", 2, s1, &err), CF_OK);
    size_t bs = cf_runset_param_find(rs, "batch_size"), lr = cf_runset_param_find(rs, "lr");
    size_t opt = cf_runset_param_find(rs, "optimizer"), ep = cf_runset_param_find(rs, "epochs");
    cr_assert_eq(cf_runset_param_count(rs), 4);
    cr_assert_eq(cf_runset_param_kind(rs, bs), CF_PARAM_INTEGER);
    cr_assert_eq(cf_runset_param_kind(rs, lr), CF_PARAM_NUMERIC);
    cr_assert_eq(cf_runset_param_kind(rs, opt), CF_PARAM_CATEGORICAL);
    cr_assert_eq(cf_runset_param_kind(rs, ep), CF_PARAM_INTEGER);
    cr_assert_float_eq(cf_runset_param_num(rs, 1, lr), 1e-4, 1e-18);
    cr_assert_float_eq(cf_runset_param_num(rs, 0, bs), 32.0, 0);
    cr_assert(isnan(cf_runset_param_num(rs, 0, opt)), "categorical has no number");
    cr_assert_str_eq(cf_runset_param_str(rs, 1, opt), "sgd");
    cr_assert_null(cf_runset_param_str(rs, 1, ep), "blank is absent");
    cr_assert(isnan(cf_runset_param_num(rs, 1, ep)));
    cr_assert_eq(cf_runset_param_find(rs, "nope"), (size_t)-1);

    /* a later source: epochs becomes non-integer, and a new column appears */
    const char *const *s2[] = {
        REC("run_id", "c", "accuracy", "0.5", "gpu_hours", "1", "epochs", "2.5", "warmup", "100")};
    cr_assert_eq(one_source(rs, "two", 1, s2, &err), CF_OK);
    cr_assert_eq(cf_runset_param_kind(rs, ep), CF_PARAM_NUMERIC);
    size_t wu = cf_runset_param_find(rs, "warmup");
    cr_assert_neq(wu, (size_t)-1);
    cr_assert_eq(cf_runset_param_kind(rs, wu), CF_PARAM_INTEGER);
    cr_assert(isnan(cf_runset_param_num(rs, 0, wu)), "absent in earlier sources");
    cr_assert_null(cf_runset_param_str(rs, 1, wu));
    cr_assert_float_eq(cf_runset_param_num(rs, 2, wu), 100.0, 0);
    cr_assert_null(cf_runset_param_str(rs, 2, bs), "batch_size absent in the later source");

    double v;
    cr_assert_eq(cf_runset_numeric(rs, 0, "lr", &v), CF_OK);
    cr_assert_float_eq(v, 0.001, 1e-15);
    cr_assert_eq(cf_runset_numeric(rs, 2, "accuracy", &v), CF_OK);
    cr_assert_float_eq(v, 0.5, 0);
    cr_assert_eq(cf_runset_numeric(rs, 0, "pruning", &v), CF_OK);
    cr_assert_float_eq(v, 0.0, 0);
    cr_assert_eq(cf_runset_numeric(rs, 0, "wall_hours", &v), CF_OK);
    cr_assert(isnan(v));
    cr_assert_eq(cf_runset_numeric(rs, 0, "optimizer", &v), CF_ERR_NOT_FOUND);
    cr_assert_eq(cf_runset_numeric(rs, 0, "momentum", &v), CF_ERR_NOT_FOUND);
    cr_assert_eq(cf_runset_numeric(rs, 9, "lr", &v), CF_ERR_ARG);
    cf_runset_destroy(rs);
}

/* One nan, inf or 1e999 in a numeric column used to turn the column categorical without a word: now each such
 * record is refused with its line, column and field, and the column stays numeric. */
Test(params, non_finite_values_in_a_numeric_column_are_refused)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *const *s1[] = {
        REC("run_id", "a", "accuracy", "0.5", "gpu_hours", "1", "lr", "0.001", "opt", "adam"),
        REC("run_id", "b", "accuracy", "0.5", "gpu_hours", "1", "lr", "nan", "opt", "sgd"),
        REC("run_id", "c", "accuracy", "0.5", "gpu_hours", "1", "lr", "0.01", "opt", "nan"),
        REC("run_id", "d", "accuracy", "0.5", "gpu_hours", "1", "lr", "-inf", "opt", "adam"),
        REC("run_id", "e", "accuracy", "0.5", "gpu_hours", "1", "lr", "1e999", "opt", "adam"),
        REC("run_id", "f", "accuracy", "0.5", "gpu_hours", "1", "lr", "", "opt", "adam"),
    };
    cr_assert_eq(one_source(rs, "runs.csv", 6, s1, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 3, "a, c (nan is a word in the categorical opt) and f (lr absent)");
    cr_assert_eq(cf_runset_rejected(rs), 3);
    expect_reject(rs, 0, 3, 4, "lr", "expected a finite number (column 'lr' holds numbers), found 'nan'");
    expect_reject(rs, 1, 5, 4, "lr", "expected a finite number (column 'lr' holds numbers), found '-inf'");
    expect_reject(rs, 2, 6, 4, "lr", "expected a finite number (column 'lr' holds numbers), found '1e999'");
    cr_assert_str_eq(cf_runset_reject(rs, 0)->source, "runs.csv");
    size_t lr = cf_runset_param_find(rs, "lr"), opt = cf_runset_param_find(rs, "opt");
    cr_assert_eq(cf_runset_param_kind(rs, lr), CF_PARAM_NUMERIC);
    cr_assert_eq(cf_runset_param_kind(rs, opt), CF_PARAM_CATEGORICAL);
    cr_assert_str_eq(cf_runset_param_str(rs, 1, opt), "nan");

    /* A later source with only nan in lr: the column is numeric from the first source, so it is refused too. */
    const char *const *s2[] = {REC("run_id", "g", "accuracy", "0.5", "gpu_hours", "1", "lr", "NaN")};
    cr_assert_eq(one_source(rs, "more.csv", 1, s2, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 3);
    expect_reject(rs, 3, 2, 4, "lr", "expected a finite number (column 'lr' holds numbers), found 'NaN'");
    cr_assert_str_eq(cf_runset_reject(rs, 3)->source, "more.csv");
    cf_runset_destroy(rs);
}

/* A column of words in which one value happens to read "inf" (a mode name) is categorical, not broken. */
Test(params, a_word_column_may_hold_nan_or_inf)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *const *s1[] = {
        REC("run_id", "a", "accuracy", "0.5", "gpu_hours", "1", "mode", "inf"),
        REC("run_id", "b", "accuracy", "0.5", "gpu_hours", "1", "mode", "fast"),
    };
    cr_assert_eq(one_source(rs, "w.csv", 2, s1, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 2);
    cr_assert_eq(cf_runset_param_kind(rs, cf_runset_param_find(rs, "mode")), CF_PARAM_CATEGORICAL);
    cf_runset_destroy(rs);
}

/* One 1e308 among learning rates near 1e-3 is kept but pointed out in a note (more than 10^6 x the median
 * magnitude 0.001); a column that honestly spans four decades, and zeros, are not flagged. */
Test(params, extreme_outliers_are_noted)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *const *s1[] = {
        REC("run_id", "a", "accuracy", "0.5", "gpu_hours", "1", "lr", "0.001", "wd", "0", "decay", "1e-5"),
        REC("run_id", "b", "accuracy", "0.5", "gpu_hours", "1", "lr", "1e308", "wd", "0", "decay", "1e-1"),
        REC("run_id", "c", "accuracy", "0.5", "gpu_hours", "1", "lr", "0.002", "wd", "0.01", "decay", "1e-3"),
        REC("run_id", "d", "accuracy", "0.5", "gpu_hours", "1", "lr", "0.0005", "wd", "0", "decay", "1e-4"),
        REC("run_id", "e", "accuracy", "0.5", "gpu_hours", "1", "lr", "-2e9", "wd", "0", "decay", "1e-2"),
    };
    cr_assert_eq(one_source(rs, "runs.csv", 5, s1, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 5);
    cr_assert_eq(cf_runset_rejected(rs), 0);
    cr_assert_eq(cf_runset_note_count(rs), 1);
    cr_assert_str_eq(cf_runset_note(rs, 0),
                     "runs.csv: column 'lr' has 2 extreme values (more than 10^6 times the median magnitude 0.002 "
                     "of its values): '1e308' at line 3, '-2e9' at line 6; kept, but check for a typo: such a value "
                     "stretches the column's range for fit and suggest");
    cf_runset_destroy(rs);
}

/* --map acc=accuracy on a file that already has accuracy was taken silently (the first column won): the source is
 * refused whole with the line and column of the second one, as a CSV header with a repeated column is. */
Test(colmap, a_mapping_onto_an_existing_column_is_refused)
{
    cf_colmap *m = cf_colmap_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_colmap_parse_pairs(m, "acc=accuracy,step_lr=lr", &err), CF_OK);
    cf_runset *rs = cf_runset_create(NULL, m);
    const char *const *s1[] = {REC("run_id", "a", "accuracy", "0.5", "gpu_hours", "1", "acc", "0.9")};
    cr_assert_eq(one_source(rs, "runs.csv", 1, s1, &err), CF_ERR_INVALID);
    cr_assert_str_eq(err.source, "runs.csv");
    cr_assert_eq(err.line, 2);
    cr_assert_eq(err.column, 4);
    cr_assert_str_eq(err.field, "acc");
    cr_assert_str_eq(err.message, "expected one column for 'accuracy', found two: 'accuracy' (field 2) and 'acc' "
                                  "(mapped) (field 4); drop one, map one elsewhere or to ignore");
    cr_assert_eq(cf_runset_size(rs), 0);
    cr_assert_eq(cf_runset_read(rs), 0, "the source is discarded whole");

    /* a column renamed onto a hyperparameter the file already has */
    const char *const *s2[] = {REC("run_id", "a", "accuracy", "0.5", "gpu_hours", "1", "lr", "0.1", "step_lr", "0.2")};
    cr_assert_eq(one_source(rs, "two.csv", 1, s2, &err), CF_ERR_INVALID);
    cr_assert_eq(err.column, 5);
    cr_assert_str_eq(err.message, "expected one column for 'lr', found two: 'lr' (field 4) and 'step_lr' (mapped) "
                                  "(field 5); drop one, map one elsewhere or to ignore");

    /* the same mapping on a file without accuracy is fine */
    const char *const *s3[] = {REC("run_id", "a", "acc", "0.9", "gpu_hours", "1", "step_lr", "0.2")};
    cr_assert_eq(one_source(rs, "three.csv", 1, s3, &err), CF_OK, "%s", err.message);
    cr_assert_float_eq(cf_runset_get(rs, 0)->accuracy, 0.9, 0);
    cf_runset_destroy(rs);
    cf_colmap_destroy(m);
}

/* ---------------------------------------------------------------------------------------------------------- */

Test(source, reader_rejects_count_as_read_and_rejected)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    cr_assert_eq(cf_runset_begin_source(rs, "x.csv"), CF_OK);
    cr_assert_eq(cf_runset_begin_source(rs, "y.csv"), CF_ERR_ARG, "one source at a time");
    add(rs, 2, REC("run_id", "a", "accuracy", "0.5", "gpu_hours", "1"));
    cr_assert_eq(cf_runset_reject_raw(rs, 3, 2, "", "expected 3 fields, found 4", "a,b,c,d"), CF_OK);
    cr_assert_eq(cf_runset_end_source(rs, &err), CF_OK);
    cr_assert_eq(cf_runset_read(rs), 2);
    cr_assert_eq(cf_runset_rejected(rs), 1);
    cr_assert_eq(cf_runset_size(rs), 1);
    expect_reject(rs, 0, 3, 2, "", "expected 3 fields, found 4");
    cr_assert_str_eq(cf_runset_reject(rs, 0)->raw, "a,b,c,d");
    cr_assert_null(cf_runset_reject(rs, 1));
    cr_assert_eq(cf_runset_end_source(rs, &err), CF_ERR_ARG, "no source open");
    cf_runset_destroy(rs);
}

Test(source, empty_and_unusable_sources_fail_whole)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_runset_begin_source(rs, "empty.json"), CF_OK);
    cr_assert_eq(cf_runset_end_source(rs, &err), CF_ERR_INVALID);
    cr_assert_str_eq(err.message, "expected at least one run, found none");
    const char *const *s[] = {REC("name", "a", "val_acc", "0.5", "time", "3")};
    cr_assert_eq(one_source(rs, "odd.csv", 1, s, &err), CF_ERR_INVALID);
    cr_assert_str_eq(err.message, "expected an accuracy or gpu_hours column, found only: name, val_acc, time (map "
                                  "one, e.g. --map val_acc=accuracy)");
    cr_assert_eq(cf_runset_read(rs), 0);
    cr_assert_eq(cf_runset_add_raw(rs, 1, 0, NULL, NULL, NULL, NULL), CF_ERR_ARG, "no source open");
    cf_runset_destroy(rs);
    cf_runset_destroy(NULL);
}
