/* Tests of the MLflow readers (data/read_mlflow.c) on stores written by tests/fixtures/gen_mlflow.py, whose
 * docstring lists the known answers. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "costfront/records.h"
#include "costfront/runset.h"
#include "costfront/sources.h"
#include "tests/fixtures/records_testutil.h"

static char mlruns[512], dbpath[512];

/* Generates the fixtures in a new temporary directory with the given damage flags. */
static void gen(const char *flags)
{
    const char *dir = tu_tmpdir();
    tu_generate("gen_mlflow.py", dir, flags);
    snprintf(mlruns, sizeof mlruns, "%s/mlruns", dir);
    snprintf(dbpath, sizeof dbpath, "%s/mlflow.db", dir);
}

Test(read_mlflow, file_store_known_answers)
{
    gen("");
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_mlflow(mlruns, r, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_records_count(r), 3, "three finished runs, got %zu", cf_records_count(r));
    cr_assert_eq(tu_accepted(r), 3);
    const cf_record *a = tu_find(r, "aaaa1111");
    cr_assert_not_null(a);
    TU_EXPECT(a, "run_id", "aaaa1111");
    TU_EXPECT(a, "project", "resnet-sweep");
    TU_EXPECT(a, "run_name", "bright-owl-1");
    TU_EXPECT(a, "val_acc", "0.80"); /* step 1 beats the later timestamp at step 0; latest timestamp within step 1 */
    TU_EXPECT(a, "gpu_hours", "12.5");
    TU_EXPECT(a, "lr", "0.001");
    TU_EXPECT(a, "optimizer/name", "adam");
    TU_EXPECT(a, "team", "vision");
    cr_assert_null(tu_value(a, "mlflow.user"), "mlflow.* tags are left out");
    cr_assert_null(tu_value(a, "mlflow.runName"));
    const cf_record *b = tu_find(r, "bbbb2222");
    cr_assert_not_null(b);
    TU_EXPECT(b, "run_name", "calm-fox-2"); /* from the tag, meta.yaml has none */
    TU_EXPECT(b, "epochs", "10");           /* the metric keeps the name */
    TU_EXPECT(b, "param.epochs", "12");     /* the param is renamed */
    const cf_record *f = tu_find(r, "ffff6666");
    cr_assert_not_null(f);
    TU_EXPECT(f, "project", "bert-prune");
    TU_EXPECT(f, "accuracy", "0.88");
    TU_EXPECT(f, "pruning", "0.5");
    cr_assert_null(tu_find(r, "9999aaaa"), ".trash is skipped");
    cr_assert_eq(cf_records_skipped(r, 0, "running"), 1);
    cr_assert_eq(cf_records_skipped(r, 0, "deleted"), 1);
    cr_assert_eq(cf_records_skipped(r, 0, "failed"), 1);
    cr_assert_eq(cf_records_skipped(r, 0, NULL), 3);
    cr_assert_eq(cf_records_note_count(r), 1);
    cr_assert(strstr(cf_records_note_text(r, 0), "skipped 3 runs") != NULL, "%s", cf_records_note_text(r, 0));
    cr_assert(strstr(cf_records_note_text(r, 0), "1 running") != NULL);
    cf_records_destroy(r);
}

Test(read_mlflow, single_experiment_directory)
{
    gen("");
    char exp[600];
    snprintf(exp, sizeof exp, "%s/2", mlruns);
    cf_records *r = cf_records_create();
    cf_error err;
    cr_assert_eq(cf_read_mlflow(exp, r, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_records_count(r), 1);
    TU_EXPECT(cf_records_get(r, 0), "run_id", "ffff6666");
    cf_records_destroy(r);
}

Test(read_mlflow, into_runset_with_mapping)
{
    gen("");
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_mlflow(mlruns, r, &err), CF_OK, "%s", err.message);
    cf_catalog *cat = cf_catalog_create();
    cr_assert_eq(cf_catalog_load_default(cat, &err), CF_OK, "%s", err.message);
    cf_colmap *map = cf_colmap_create();
    cr_assert_eq(cf_colmap_parse_pairs(map, "val_acc=accuracy,run_name=ignore,team=ignore", &err), CF_OK);
    cf_runset *rs = cf_runset_create(cat, map);
    cr_assert_eq(cf_records_to_runset(r, rs, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 3, "accepted %zu, rejected %zu", cf_runset_size(rs), cf_runset_rejected(rs));
    size_t i = cf_runset_find(rs, "aaaa1111");
    cr_assert_neq(i, (size_t)-1);
    const cf_run *run = cf_runset_get(rs, i);
    cr_assert_float_eq(run->accuracy, 0.80, 1e-12);
    cr_assert_float_eq(run->gpu_hours, 12.5, 1e-12);
    cr_assert_eq(run->precision, CF_PREC_BF16);
    cr_assert_str_eq(run->hardware, "a100-80gb"); /* "A100 80GB" resolved through the catalog's aliases */
    cr_assert_str_eq(run->source, mlruns);
    int noted = 0;
    for (size_t k = 0; k < cf_runset_note_count(rs); k++)
        noted |= strstr(cf_runset_note(rs, k), "skipped 3 runs") != NULL;
    cr_assert(noted, "the skip note reaches the runset");
    cf_runset_destroy(rs);
    cf_colmap_destroy(map);
    cf_catalog_destroy(cat);
    cf_records_destroy(r);
}

Test(read_mlflow, bad_metric_line_rejects_the_run_with_file_and_line)
{
    gen("--bad-metric");
    cf_records *r = cf_records_create();
    cf_error err;
    cr_assert_eq(cf_read_mlflow(mlruns, r, &err), CF_OK, "%s", err.message);
    const cf_record *b = tu_find(r, "bbbb2222");
    cr_assert_not_null(b);
    cr_assert(b->rejected);
    cr_assert_eq(b->line, 2);
    cr_assert_str_eq(b->field, "metrics/val_acc");
    cr_assert(strstr(b->message, "1/bbbb2222/metrics/val_acc line 2") != NULL, "%s", b->message);
    cr_assert(strstr(b->message, "abc") != NULL, "%s", b->message);
    cr_assert_eq(tu_accepted(r), 2);
    cf_records_destroy(r);
}

Test(read_mlflow, missing_run_meta_is_a_rejected_record)
{
    gen("--missing-meta");
    cf_records *r = cf_records_create();
    cf_error err;
    cr_assert_eq(cf_read_mlflow(mlruns, r, &err), CF_OK, "%s", err.message);
    const cf_record *a = tu_find(r, "1/aaaa1111");
    cr_assert_not_null(a);
    cr_assert(a->rejected);
    cr_assert(strstr(a->message, "no meta.yaml") != NULL, "%s", a->message);
    cr_assert_eq(tu_accepted(r), 2);
    cf_records_destroy(r);
}

Test(read_mlflow, malformed_experiment_meta_fails_with_line)
{
    gen("--bad-experiment-meta");
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_mlflow(mlruns, r, &err), CF_ERR_PARSE);
    cr_assert(strstr(err.source, "mlruns/2/meta.yaml") != NULL, "%s", err.source);
    cr_assert_eq(err.line, 3, "the unclosed flow sequence is found at line %ld", err.line);
    cf_records_destroy(r);
}

Test(read_mlflow, missing_directory)
{
    cf_records *r = cf_records_create();
    cf_error err;
    cr_assert_eq(cf_read_mlflow("/nonexistent/mlruns", r, &err), CF_ERR_IO);
    cr_assert_str_eq(err.source, "/nonexistent/mlruns");
    cf_records_destroy(r);
}

Test(read_mlflow, tracking_database_known_answers)
{
    gen("");
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_mlflow_db(dbpath, r, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_records_count(r), 2);
    const cf_record *r1 = tu_find(r, "r1");
    cr_assert_not_null(r1);
    TU_EXPECT(r1, "project", "llm-ft");
    TU_EXPECT(r1, "run_name", "db-one");
    TU_EXPECT(r1, "val_acc", "0.75"); /* step 2 is the latest though its timestamp is the oldest */
    TU_EXPECT(r1, "loss", "nan");
    TU_EXPECT(r1, "throughput", "inf");
    TU_EXPECT(r1, "lr", "0.003");
    TU_EXPECT(r1, "hardware", "h100");
    const cf_record *r2 = tu_find(r, "r2");
    cr_assert_not_null(r2);
    TU_EXPECT(r2, "run_name", "db-two");
    TU_EXPECT(r2, "owner", "nlp");
    TU_EXPECT(r2, "gpu_hours", "1.5");
    cr_assert_eq(cf_records_skipped(r, 0, "running"), 1);
    cr_assert_eq(cf_records_skipped(r, 0, "deleted"), 1);
    cr_assert_eq(cf_records_skipped(r, 0, "killed"), 1);
    cf_records_destroy(r);
}

Test(read_mlflow, truncated_database_gives_clear_error)
{
    gen("");
    FILE *f = fopen(dbpath, "r+b");
    cr_assert_not_null(f);
    cr_assert_eq(ftruncate(fileno(f), 1500), 0);
    fclose(f);
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_mlflow_db(dbpath, r, &err), CF_ERR_DB);
    cr_assert_str_eq(err.source, dbpath);
    cr_assert_gt(strlen(err.message), 10);
    cf_records_destroy(r);
}

Test(read_mlflow, detection)
{
    gen("");
    cf_source_kind k;
    cf_error err;
    cr_assert_eq(cf_detect_source(mlruns, &k, &err), CF_OK, "%s", err.message);
    cr_assert_eq(k, CF_SOURCE_MLFLOW_DIR);
    cr_assert_eq(cf_detect_source(dbpath, &k, &err), CF_OK, "%s", err.message);
    cr_assert_eq(k, CF_SOURCE_MLFLOW_DB);
    cr_assert_str_eq(cf_source_kind_name(k), "mlflow-db");
    cf_records *r = cf_records_create();
    cr_assert_eq(cf_read_source(dbpath, r, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_records_count(r), 2);
    cr_assert_str_eq(cf_records_source_kind(r, 0), "mlflow-db");
    cf_records_destroy(r);
}

/* Writes len bytes to path. */
static void put_file(const char *path, const char *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fwrite(bytes, 1, len, f), len);
    fclose(f);
}

/* A params/stolen -> /outside/secret link used to put the secret into the store: links leading out of the store
 * (a file, a run directory) are not followed and are counted in a note; a link inside the store is followed. */
Test(read_mlflow, links_out_of_the_store_are_not_followed)
{
    gen("");
    char outside[600], path[700], target[700];
    snprintf(outside, sizeof outside, "%s/../secret", mlruns);
    put_file(outside, "hunter2\n", 8);
    snprintf(path, sizeof path, "%s/1/aaaa1111/params/stolen", mlruns);
    cr_assert_eq(symlink(outside, path), 0);
    /* a whole run directory outside the store, linked in */
    snprintf(target, sizeof target, "%s/../outside_run", mlruns);
    char cmd[2000];
    snprintf(cmd, sizeof cmd, "cp -R '%s/1/aaaa1111' '%s'", mlruns, target);
    cr_assert_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/1/zzzz9999", mlruns);
    cr_assert_eq(symlink(target, path), 0);
    /* a link that stays inside the store: followed */
    snprintf(path, sizeof path, "%s/1/aaaa1111/params/lr_copy", mlruns);
    cr_assert_eq(symlink("lr", path), 0);

    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_mlflow(mlruns, r, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_records_count(r), 3, "the linked run directory is not read");
    const cf_record *a = tu_find(r, "aaaa1111");
    cr_assert_not_null(a);
    cr_assert_null(tu_value(a, "stolen"), "the secret is not read");
    TU_EXPECT(a, "lr_copy", "0.001");
    int found = 0;
    for (size_t i = 0; i < cf_records_note_count(r); i++) {
        const char *n = cf_records_note_text(r, i);
        if (strstr(n, "2 symbolic links leading out of the store were not followed (e.g. ") != NULL) {
            found = 1;
            cr_assert(strstr(n, "params/stolen -> ") != NULL || strstr(n, "zzzz9999 -> ") != NULL, "%s", n);
        }
    }
    cr_assert(found, "a note counts the links not followed");
    cf_records_destroy(r);
}

/* A param or tag file holding raw 0xFF reached index.html: each value file is checked as CSV input is, and the run
 * is refused naming the file, line and byte. */
Test(read_mlflow, value_files_must_be_utf8)
{
    gen("");
    char path[700];
    snprintf(path, sizeof path, "%s/1/aaaa1111/params/lr", mlruns);
    put_file(path, "0.\xff" "1\n", 5);
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_mlflow(mlruns, r, &err), CF_OK, "%s", err.message);
    const cf_record *a = tu_find(r, "aaaa1111");
    cr_assert_not_null(a);
    cr_assert(a->rejected);
    cr_assert_str_eq(a->field, "params/lr");
    cr_assert(strstr(a->message, "1/aaaa1111/params/lr line 1: file is not valid UTF-8: byte 0xFF at line 1, byte 3") !=
                  NULL,
              "%s", a->message);
    cf_records_destroy(r);

    /* a tag whose file name is not UTF-8 */
    gen("");
    snprintf(path, sizeof path, "%s/1/aaaa1111/tags/t\xfe", mlruns);
    put_file(path, "x", 1);
    r = cf_records_create();
    cr_assert_eq(cf_read_mlflow(mlruns, r, &err), CF_OK, "%s", err.message);
    a = tu_find(r, "aaaa1111");
    cr_assert(a->rejected);
    cr_assert_str_eq(a->field, "tags/t?");
    cr_assert(strstr(a->message, "the file name is not valid UTF-8") != NULL, "%s", a->message);
    cf_records_destroy(r);
}
