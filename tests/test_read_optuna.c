/* Tests of the Optuna reader (data/read_optuna.c) on storages written by the real Optuna library through
 * tests/fixtures/gen_optuna.py, whose docstring lists the known answers. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "costfront/records.h"
#include "costfront/runset.h"
#include "costfront/sources.h"
#include "tests/fixtures/records_testutil.h"

static char dbpath[512];

/* Copies the cached storage (generated once per build tree; Optuna takes seconds to import) to a temporary
 * directory, so a test may damage its copy. */
static void gen(const char *flags)
{
    const char *name = (flags && flags[0]) ? "optuna_bad.db" : "optuna.db";
    char cached[512];
    snprintf(cached, sizeof cached, "%s", tu_cached("gen_optuna.py", name, flags));
    const char *dir = tu_tmpdir();
    snprintf(dbpath, sizeof dbpath, "%s/optuna.db", dir);
    tu_copy(cached, dbpath);
}

Test(read_optuna, known_answers)
{
    gen("");
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_optuna(dbpath, r, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_records_count(r), 7, "3 + 4 complete trials, got %zu", cf_records_count(r));
    const cf_record *t0 = tu_find(r, "single#0");
    cr_assert_not_null(t0);
    TU_EXPECT(t0, "run_id", "single#0");
    TU_EXPECT(t0, "project", "single");
    TU_EXPECT(t0, "value", "0.5");
    TU_EXPECT(t0, "lr", "0.001");   /* log float */
    TU_EXPECT(t0, "layers", "2");   /* int: no decimal point */
    TU_EXPECT(t0, "opt", "adam");   /* categorical index 0 */
    TU_EXPECT(t0, "drop", "0.1");   /* stepped float */
    TU_EXPECT(t0, "note", "first"); /* user attribute, JSON string unquoted */
    const cf_record *t1 = tu_find(r, "single#1");
    TU_EXPECT(t1, "opt", "sgd");
    TU_EXPECT(t1, "layers", "4");
    TU_EXPECT(t1, "gpu", "{\"kind\":\"a100\"}");
    TU_EXPECT(tu_find(r, "single#2"), "value", "inf"); /* INF_POS */
    cr_assert_null(tu_find(r, "single#3"), "failed trial");
    cr_assert_null(tu_find(r, "single#4"), "pruned trial");
    const cf_record *m1 = tu_find(r, "multi#1");
    cr_assert_not_null(m1);
    TU_EXPECT(m1, "accuracy", "0.9"); /* metric names from the study */
    TU_EXPECT(m1, "gpu_hours", "4");
    TU_EXPECT(m1, "bs", "64");
    TU_EXPECT(m1, "prec", "bf16");
    TU_EXPECT(m1, "wd", "0.02");
    cr_assert_null(tu_value(m1, "value_0"));
    cr_assert_eq(cf_records_skipped(r, 0, "failed"), 1);
    cr_assert_eq(cf_records_skipped(r, 0, "pruned"), 1);
    cr_assert_eq(cf_records_skipped(r, 0, "running"), 1);
    cr_assert_eq(cf_records_note_count(r), 1);
    cf_records_destroy(r);
}

Test(read_optuna, multi_objective_into_runset)
{
    gen("");
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_source(dbpath, r, &err), CF_OK, "%s", err.message);
    cr_assert_str_eq(cf_records_source_kind(r, 0), "optuna");
    cf_colmap *map = cf_colmap_create();
    cr_assert_eq(cf_colmap_parse_pairs(map, "prec=precision,value=ignore", &err), CF_OK);
    cr_assert_eq(cf_colmap_set_default(map, "hardware", "h100"), CF_OK);
    cf_catalog *cat = cf_catalog_create();
    cr_assert_eq(cf_catalog_load_default(cat, &err), CF_OK);
    cf_runset *rs = cf_runset_create(cat, map);
    cr_assert_eq(cf_records_to_runset(r, rs, &err), CF_OK, "%s", err.message);
    /* the "single" study has no accuracy: its 3 trials are rejected by the runset, the 4 "multi" ones accepted */
    size_t i = cf_runset_find(rs, "multi#3");
    cr_assert_neq(i, (size_t)-1, "accepted %zu rejected %zu", cf_runset_size(rs), cf_runset_rejected(rs));
    const cf_run *run = cf_runset_get(rs, i);
    cr_assert_float_eq(run->accuracy, 0.95, 1e-12);
    cr_assert_float_eq(run->gpu_hours, 8.0, 1e-12);
    cr_assert_eq(run->precision, CF_PREC_BF16);
    cr_assert_eq(cf_runset_size(rs), 4);
    size_t j = cf_runset_param_find(rs, "bs");
    cr_assert_neq(j, (size_t)-1);
    cr_assert_eq(cf_runset_param_kind(rs, j), CF_PARAM_INTEGER);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
    cf_colmap_destroy(map);
    cf_records_destroy(r);
}

Test(read_optuna, unknown_distribution_names_trial_and_param)
{
    gen("--bad-distribution");
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_optuna(dbpath, r, &err), CF_ERR_PARSE);
    cr_assert_str_eq(err.source, dbpath);
    cr_assert_str_eq(err.field, "single#1.layers");
    cr_assert(strstr(err.message, "trial 1") != NULL, "%s", err.message);
    cr_assert(strstr(err.message, "FancyDistribution") != NULL, "%s", err.message);
    cf_records_destroy(r);
}

Test(read_optuna, truncated_storage_gives_clear_error)
{
    gen("");
    cr_assert_eq(truncate(dbpath, 2048), 0);
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cf_status st = cf_read_optuna(dbpath, r, &err);
    cr_assert_eq(st, CF_ERR_DB, "got %s: %s", cf_status_str(st), err.message);
    cr_assert_str_eq(err.source, dbpath);
    cf_records_destroy(r);
}

Test(read_optuna, not_an_optuna_storage)
{
    const char *dir = tu_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/x.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("hello\n", f);
    fclose(f);
    cf_records *r = cf_records_create();
    cf_error err;
    cr_assert_eq(cf_read_optuna(path, r, &err), CF_ERR_DB);
    cf_records_destroy(r);
}
