/* Tests of the Weights & Biases readers (data/read_wandb.c) on both CSV exports written by
 * tests/fixtures/gen_wandb.py, whose docstring lists the known answers. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "costfront/records.h"
#include "costfront/runset.h"
#include "costfront/sources.h"
#include "tests/fixtures/records_testutil.h"

static char runs_csv[512], api_csv[512];

static void gen(void)
{
    const char *dir = tu_tmpdir();
    tu_generate("gen_wandb.py", dir, "");
    snprintf(runs_csv, sizeof runs_csv, "%s/wandb_runs.csv", dir);
    snprintf(api_csv, sizeof api_csv, "%s/wandb_api.csv", dir);
}

Test(read_wandb, runs_table_known_answers)
{
    gen();
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_wandb(runs_csv, r, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_records_count(r), 2);
    const cf_record *a = tu_find(r, "bright-owl-1");
    cr_assert_not_null(a);
    cr_assert_eq(a->line, 2);
    TU_EXPECT(a, "run_id", "bright-owl-1");
    TU_EXPECT(a, "runtime_s", "7200");
    TU_EXPECT(a, "lr", "0.001");
    TU_EXPECT(a, "val_acc", "0.91");
    cr_assert_null(tu_value(a, "Notes"));
    cr_assert_null(tu_value(a, "State"));
    cr_assert_eq(cf_records_skipped(r, 0, "running"), 1);
    cr_assert_eq(cf_records_skipped(r, 0, "crashed"), 1);
    cr_assert_eq(cf_records_skipped(r, 0, "failed"), 1);
    cf_records_destroy(r);
}

Test(read_wandb, runtime_mapped_to_wall_hours)
{
    gen();
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_source(runs_csv, r, &err), CF_OK, "%s", err.message);
    cr_assert_str_eq(cf_records_source_kind(r, 0), "wandb");
    cf_colmap *map = cf_colmap_create();
    /* runtime_s is seconds of wall time; gpu_hours here is already hours, so only map runtime and num_gpus */
    cr_assert_eq(cf_colmap_parse_pairs(map, "val_acc=accuracy,runtime_s=wall_hours,gpu_hours=ignore", &err), CF_OK);
    cf_colmap_set_hours_scale(map, 1.0 / 3600.0);
    cr_assert_eq(cf_colmap_set_default(map, "num_gpus", "2"), CF_OK);
    cf_catalog *cat = cf_catalog_create();
    cr_assert_eq(cf_catalog_load_default(cat, &err), CF_OK);
    cf_runset *rs = cf_runset_create(cat, map);
    cr_assert_eq(cf_records_to_runset(r, rs, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 2, "rejected %zu", cf_runset_rejected(rs));
    const cf_run *a = cf_runset_get(rs, cf_runset_find(rs, "bright-owl-1"));
    cr_assert_float_eq(a->wall_hours, 2.0, 1e-12);
    cr_assert_float_eq(a->gpu_hours, 4.0, 1e-12); /* 2 h x 2 GPUs */
    cr_assert_float_eq(a->accuracy, 0.91, 1e-12);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
    cf_colmap_destroy(map);
    cf_records_destroy(r);
}

Test(read_wandb, api_export_dict_literals)
{
    gen();
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_wandb(api_csv, r, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_records_count(r), 3);
    const cf_record *a = tu_find(r, "run-a");
    cr_assert_not_null(a);
    TU_EXPECT(a, "lr", "0.0003");
    TU_EXPECT(a, "optimizer.name", "adamw");
    TU_EXPECT(a, "optimizer.betas", "[0.9, 0.999]");
    TU_EXPECT(a, "precision", "bf16");
    TU_EXPECT(a, "use_amp", "true");
    TU_EXPECT(a, "note", "");
    TU_EXPECT(a, "tag", "it's");
    TU_EXPECT(a, "runtime_s", "5400.5");
    TU_EXPECT(a, "val_acc", "0.93");
    TU_EXPECT(a, "gpu_hours", "12.0");
    cr_assert_null(tu_value(a, "_step"));
    cr_assert_null(tu_value(a, "_wandb.runtime"));
    const cf_record *b = tu_find(r, "run-b");
    TU_EXPECT(b, "lr", "0.001");
    TU_EXPECT(b, "summary.lr", "0.5");
    TU_EXPECT(b, "use_amp", "false");
    const cf_record *c = tu_find(r, "run-c");
    cr_assert_not_null(c);
    cr_assert(c->rejected);
    cr_assert_eq(c->line, 4);
    cr_assert_eq(c->column, 2);
    cr_assert_str_eq(c->field, "summary");
    cr_assert(strstr(c->message, "expected ':'") != NULL, "%s", c->message);
    cf_records_destroy(r);
}

Test(read_wandb, not_a_wandb_export)
{
    const char *dir = tu_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/plain.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("run_id,accuracy,gpu_hours\nr1,0.9,3\n\nr2,0.8,2\n", f);
    fclose(f);
    cf_records *r = cf_records_create();
    cf_error err;
    cr_assert_eq(cf_read_wandb(path, r, &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 1);
    cf_source_kind k;
    cr_assert_eq(cf_detect_source(path, &k, &err), CF_OK);
    cr_assert_eq(k, CF_SOURCE_CSV);
    cr_assert_eq(cf_read_source(path, r, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_records_count(r), 2);
    const cf_record *r2 = tu_find(r, "r2");
    cr_assert_not_null(r2);
    cr_assert_eq(r2->line, 4, "the blank line is counted");
    TU_EXPECT(r2, "gpu_hours", "2");
    cf_records_destroy(r);
}

/* Writes an API export whose config cell nests depth dicts {'a': {'a': ... {'a': 1} ...}} (run "deep") after one
 * ordinary run ("ok"); returns the path in a static buffer. */
static const char *write_deep(int depth)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/deep.csv", tu_tmpdir());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(",summary,config,name\n0,\"{'acc': 0.9}\",\"{'lr': 0.1}\",ok\n1,\"{'acc': 0.8}\",\"", f);
    for (int i = 0; i < depth; i++) fputs("{'a': ", f);
    fputs("1", f);
    for (int i = 0; i < depth; i++) fputc('}', f);
    fputs("\",deep\n", f);
    fclose(f);
    return path;
}

/* Reads path and checks the "deep" run was rejected for its depth (line 3, column 3 = config) and "ok" kept. */
static void expect_too_deep(const char *path)
{
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_wandb(path, r, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_records_count(r), 2);
    const cf_record *ok = tu_find(r, "ok");
    cr_assert_not_null(ok);
    cr_assert_not(ok->rejected);
    const cf_record *d = tu_find(r, "deep");
    cr_assert_not_null(d);
    cr_assert(d->rejected);
    cr_assert_eq(d->line, 3);
    cr_assert_eq(d->column, 3);
    cr_assert_str_eq(d->field, "config");
    cr_assert(strstr(d->message, "nested more than 100 levels deep") != NULL, "%s", d->message);
    cr_assert(strstr(d->message, "level 101 starts at character 601") != NULL, "%s", d->message);
    cf_records_destroy(r);
}

/* 100,000 levels overflowed the stack in py_dict (exit 139): now the row is refused with its place and the limit. */
Test(read_wandb, nesting_100000_deep_is_refused_not_a_crash) { expect_too_deep(write_deep(100000)); }

/* 1,000 levels are beyond the documented limit of 100: refused the same way. */
Test(read_wandb, nesting_1000_deep_is_refused) { expect_too_deep(write_deep(1000)); }

/* Exactly 100 levels is within the limit: the key is 100 a's joined with dots (linear flattening, one buffer). */
Test(read_wandb, nesting_100_deep_is_flattened)
{
    const char *path = write_deep(100);
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_wandb(path, r, &err), CF_OK, "%s", err.message);
    const cf_record *d = tu_find(r, "deep");
    cr_assert_not_null(d);
    cr_assert_not(d->rejected, "%s", d->message ? d->message : "");
    char key[256] = "";
    for (int i = 0; i < 100; i++) strcat(key, i ? ".a" : "a");
    TU_EXPECT(d, key, "1");
    TU_EXPECT(d, "acc", "0.8");
    cf_records_destroy(r);
}

/* 50,000 levels (350 KB in one cell): refused in well under a second and without the old quadratic memory (each
 * level copied the whole dotted key: gigabytes at this depth). */
Test(read_wandb, nesting_50000_deep_is_refused_fast)
{
    const char *path = write_deep(50000);
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    expect_too_deep(path);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    getrusage(RUSAGE_SELF, &after);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    cr_assert_lt(secs, 2.0, "took %.3f s", secs);
#if !defined(__SANITIZE_ADDRESS__)
    /* (ASan's quarantine keeps freed blocks, so the peak says nothing about the reader there.) */
    cr_assert_lt(after.ru_maxrss - before.ru_maxrss, 64L * 1024, "peak memory grew by %ld KB",
                 after.ru_maxrss - before.ru_maxrss);
#endif
}

/* A flat dict of 100,000 keys (1.7 MB in one cell) took 12 s: each key was looked up among all the earlier ones.
 * Now names are hashed: well under two seconds, every key kept, a repeated key still renamed. */
Test(read_wandb, a_dict_of_100000_keys_is_read_in_linear_time)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/wide.csv", tu_tmpdir());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(",summary,config,name\n0,\"{'k5': 'again'}\",\"{", f);
    for (int i = 0; i < 100000; i++) fprintf(f, "%s'k%d': %d", i ? ", " : "", i, i);
    fputs("}\",wide\n", f);
    fclose(f);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_wandb(path, r, &err), CF_OK, "%s", err.message);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const cf_record *w = tu_find(r, "wide");
    cr_assert_not_null(w);
    cr_assert_eq(w->n, 100000 + 2, "run_id, 100,000 config keys, summary.k5");
    TU_EXPECT(w, "k0", "0");
    TU_EXPECT(w, "k99999", "99999");
    TU_EXPECT(w, "summary.k5", "again");
    cf_records_destroy(r);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
#if defined(__SANITIZE_ADDRESS__)
    const double limit = 20.0; /* ASan costs about 10x on this many small allocations; quadratic was minutes */
#else
    const double limit = 2.0;
#endif
    cr_assert_lt(secs, limit, "took %.3f s", secs);
}
