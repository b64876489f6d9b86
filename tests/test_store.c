/* Tests of the SQLite run store (data/store.c): idempotent imports, change tracking, loading back through a
 * runset, report history, and refusing damaged or foreign files without touching them. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "costfront/records.h"
#include "costfront/runset.h"
#include "costfront/sources.h"
#include "costfront/store.h"
#include "tests/fixtures/records_testutil.h"

static char dir[256], mlruns[512], storepath[512];

static void setup(void)
{
    snprintf(dir, sizeof dir, "%s", tu_tmpdir());
    tu_generate("gen_mlflow.py", dir, "");
    snprintf(mlruns, sizeof mlruns, "%s/mlruns", dir);
    snprintf(storepath, sizeof storepath, "%s/store.db", dir);
}

/* Reads the fixture store into a new records buffer. */
static cf_records *read_mlruns(void)
{
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_source(mlruns, r, &err), CF_OK, "%s", err.message);
    return r;
}

static size_t count(cf_store *s)
{
    size_t n = 0;
    cf_error err;
    cr_assert_eq(cf_store_count(s, &n, &err), CF_OK, "%s", err.message);
    return n;
}

/* The bytes of a file, malloc'd, for before/after comparisons. */
static char *slurp(const char *p, size_t *n)
{
    FILE *f = fopen(p, "rb");
    cr_assert_not_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)len + 1);
    *n = fread(b, 1, (size_t)len, f);
    fclose(f);
    return b;
}

Test(store, import_twice_adds_nothing, .init = setup)
{
    cf_store *s = NULL;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_store_open(storepath, &s, &err), CF_OK, "%s", err.message);
    cf_store_set_clock(s, 1000);
    cf_records *r = read_mlruns();
    cf_store_import_stats st;
    cr_assert_eq(cf_store_import(s, r, &st, &err), CF_OK, "%s", err.message);
    cr_assert_eq(st.added, 3);
    cr_assert_eq(st.updated, 0);
    cr_assert_eq(st.skipped, 3);
    cr_assert_eq(count(s), 3);
    cf_store_set_clock(s, 2000);
    cr_assert_eq(cf_store_import(s, r, &st, &err), CF_OK, "%s", err.message);
    cr_assert_eq(st.added, 0);
    cr_assert_eq(st.unchanged, 3);
    cr_assert_eq(st.updated, 0);
    cr_assert_eq(count(s), 3);
    size_t added = 9, updated = 9;
    cr_assert_eq(cf_store_changes_since(s, 1000, &added, &updated, &err), CF_OK);
    cr_assert_eq(added, 0);
    cr_assert_eq(updated, 0);
    cr_assert_eq(cf_store_changes_since(s, 999, &added, &updated, &err), CF_OK);
    cr_assert_eq(added, 3);
    cf_records_destroy(r);
    cf_store_close(s);
    /* persisted across a reopen */
    cr_assert_eq(cf_store_open(storepath, &s, &err), CF_OK, "%s", err.message);
    cr_assert_eq(count(s), 3);
    cf_store_close(s);
}

Test(store, changed_run_is_updated_and_recorded, .init = setup)
{
    cf_store *s = NULL;
    cf_error err;
    cr_assert_eq(cf_store_open(storepath, &s, &err), CF_OK, "%s", err.message);
    cf_store_set_clock(s, 1000);
    cf_records *r = read_mlruns();
    cr_assert_eq(cf_store_import(s, r, NULL, &err), CF_OK);
    cf_records_destroy(r);
    /* the run logs a new, later val_acc (step 5) */
    char metric[700];
    snprintf(metric, sizeof metric, "%s/1/aaaa1111/metrics/val_acc", mlruns);
    FILE *f = fopen(metric, "a");
    cr_assert_not_null(f);
    fputs("1700000100000 0.93 5\n", f);
    fclose(f);
    r = read_mlruns();
    cf_store_set_clock(s, 5000);
    cf_store_import_stats st;
    cr_assert_eq(cf_store_import(s, r, &st, &err), CF_OK, "%s", err.message);
    cr_assert_eq(st.updated, 1);
    cr_assert_eq(st.unchanged, 2);
    cr_assert_eq(st.added, 0);
    cr_assert_eq(count(s), 3);
    size_t n = 0;
    cr_assert_eq(cf_store_change_count(s, "aaaa1111", &n, &err), CF_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(cf_store_change_count(s, "bbbb2222", &n, &err), CF_OK);
    cr_assert_eq(n, 0);
    size_t added, updated;
    cr_assert_eq(cf_store_changes_since(s, 1000, &added, &updated, &err), CF_OK);
    cr_assert_eq(added, 0);
    cr_assert_eq(updated, 1);
    /* the stored record carries the new value */
    cf_records *back = cf_records_create();
    cr_assert_eq(cf_store_load_records(s, back, &err), CF_OK, "%s", err.message);
    TU_EXPECT(tu_find(back, "aaaa1111"), "val_acc", "0.93");
    char want[700];
    snprintf(want, sizeof want, "store:mlflow:%s", mlruns);
    cr_assert_str_eq(cf_records_source_path(back, 0), want);
    cf_records_destroy(back);
    cf_records_destroy(r);
    cf_store_close(s);
}

Test(store, load_validates_through_the_runset, .init = setup)
{
    cf_store *s = NULL;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_store_open(storepath, &s, &err), CF_OK, "%s", err.message);
    cf_records *r = read_mlruns();
    cr_assert_eq(cf_store_import(s, r, NULL, &err), CF_OK);
    /* a second source in the same store: an XML file */
    char xml[600];
    snprintf(xml, sizeof xml, "%s/runs.xml", dir);
    FILE *f = fopen(xml, "w");
    fputs("<runs><run id=\"x1\"><accuracy>0.7</accuracy><gpu_hours>2</gpu_hours><hardware>t4</hardware></run></runs>",
          f);
    fclose(f);
    cf_records *rx = cf_records_create();
    cr_assert_eq(cf_read_source(xml, rx, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_store_import(s, rx, NULL, &err), CF_OK);
    cr_assert_eq(count(s), 4);
    cf_catalog *cat = cf_catalog_create();
    cr_assert_eq(cf_catalog_load_default(cat, &err), CF_OK);
    cf_colmap *map = cf_colmap_create();
    cr_assert_eq(cf_colmap_parse_pairs(map, "val_acc=accuracy,run_name=ignore,team=ignore", &err), CF_OK);
    cf_runset *rs = cf_runset_create(cat, map);
    cr_assert_eq(cf_store_load(s, rs, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 4, "rejected %zu", cf_runset_rejected(rs));
    const cf_run *a = cf_runset_get(rs, cf_runset_find(rs, "aaaa1111"));
    cr_assert_float_eq(a->accuracy, 0.80, 1e-12);
    char want[700];
    snprintf(want, sizeof want, "store:mlflow:%s", mlruns);
    cr_assert_str_eq(a->source, want);
    const cf_run *x = cf_runset_get(rs, cf_runset_find(rs, "x1"));
    snprintf(want, sizeof want, "store:xml:%s", xml);
    cr_assert_str_eq(x->source, want);
    cr_assert_str_eq(x->hardware, "t4");
    cf_runset_destroy(rs);
    cf_colmap_destroy(map);
    cf_catalog_destroy(cat);
    cf_records_destroy(rx);
    cf_records_destroy(r);
    cf_store_close(s);
}

Test(store, report_history, .init = setup)
{
    cf_store *s = NULL;
    cf_error err;
    cr_assert_eq(cf_store_open(storepath, &s, &err), CF_OK, "%s", err.message);
    cf_store_report a = {0, 100, 0.5, 12.25, "[{\"run\":\"r1\"}]", 10};
    cf_store_report b = {0, 0, NAN, NAN, NULL, 11};
    long long ida = 0, idb = 0;
    cr_assert_eq(cf_store_add_report(s, &a, &ida, &err), CF_OK, "%s", err.message);
    cf_store_set_clock(s, 200);
    cr_assert_eq(cf_store_add_report(s, &b, &idb, &err), CF_OK, "%s", err.message);
    cr_assert_neq(ida, idb);
    cf_store_report *list = NULL;
    size_t n = 0;
    cr_assert_eq(cf_store_reports(s, 0, &list, &n, &err), CF_OK, "%s", err.message);
    cr_assert_eq(n, 2);
    cr_assert_eq(list[0].id, idb, "newest first");
    cr_assert_eq(list[0].created_at, 200, "0 means the store's clock");
    cr_assert(isnan(list[0].hypervolume));
    cr_assert(isnan(list[0].best_cost_at_target));
    cr_assert_null(list[0].frontier_json);
    cr_assert_eq(list[0].n_runs, 11);
    cr_assert_eq(list[1].created_at, 100);
    cr_assert_float_eq(list[1].hypervolume, 0.5, 0);
    cr_assert_float_eq(list[1].best_cost_at_target, 12.25, 0);
    cr_assert_str_eq(list[1].frontier_json, "[{\"run\":\"r1\"}]");
    cf_store_reports_free(list, n);
    cr_assert_eq(cf_store_reports(s, 1, &list, &n, &err), CF_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(list[0].id, idb);
    cf_store_reports_free(list, n);
    cf_store_close(s);
}

Test(store, damaged_store_is_refused_and_untouched, .init = setup)
{
    cf_store *s = NULL;
    cf_error err;
    cr_assert_eq(cf_store_open(storepath, &s, &err), CF_OK, "%s", err.message);
    cf_records *r = read_mlruns();
    cr_assert_eq(cf_store_import(s, r, NULL, &err), CF_OK);
    for (int k = 0; k < 20; k++) { /* grow the file past a few pages */
        cf_store_report rep = {0, 0, 1.0, 2.0, "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22]", 3};
        cr_assert_eq(cf_store_add_report(s, &rep, NULL, &err), CF_OK);
    }
    cf_store_close(s);
    size_t full_len;
    char *full = slurp(storepath, &full_len);
    cr_assert_gt(full_len, 8192);
    cr_assert_eq(truncate(storepath, 5000), 0);
    size_t before_len;
    char *before = slurp(storepath, &before_len);
    cf_error_clear(&err);
    cf_status st = cf_store_open(storepath, &s, &err);
    cr_assert_eq(st, CF_ERR_DB, "got %s", cf_status_str(st));
    cr_assert_null(s);
    cr_assert_str_eq(err.source, storepath);
    cr_assert(strstr(err.message, "left untouched") != NULL, "%s", err.message);
    size_t after_len;
    char *after = slurp(storepath, &after_len);
    cr_assert_eq(after_len, before_len);
    cr_assert(memcmp(before, after, before_len) == 0, "the damaged file was modified");
    free(full);
    free(before);
    free(after);
    cf_records_destroy(r);
}

Test(store, foreign_database_is_refused, .init = setup)
{
    char db[600];
    snprintf(db, sizeof db, "%s/mlflow.db", dir);
    size_t n1, n2;
    char *before = slurp(db, &n1);
    cf_store *s = NULL;
    cf_error err;
    cr_assert_eq(cf_store_open(db, &s, &err), CF_ERR_DB);
    cr_assert(strstr(err.message, "not a costfront run store") != NULL, "%s", err.message);
    char *after = slurp(db, &n2);
    cr_assert_eq(n1, n2);
    cr_assert(memcmp(before, after, n1) == 0);
    free(before);
    free(after);
}

Test(store, failed_read_loses_nothing, .init = setup)
{
    cf_store *s = NULL;
    cf_error err;
    cr_assert_eq(cf_store_open(storepath, &s, &err), CF_OK, "%s", err.message);
    cf_records *r = read_mlruns();
    cr_assert_eq(cf_store_import(s, r, NULL, &err), CF_OK);
    cf_records_destroy(r);
    /* a truncated MLflow database cannot be read: the import never starts and the store keeps its runs */
    char db[600];
    snprintf(db, sizeof db, "%s/mlflow.db", dir);
    cr_assert_eq(truncate(db, 1500), 0);
    r = cf_records_create();
    cf_error_clear(&err);
    cr_assert_neq(cf_read_source(db, r, &err), CF_OK);
    cr_assert_str_eq(err.source, db);
    cr_assert_eq(count(s), 3);
    /* records of a source whose read failed halfway are still consistent: importing them adds what was read */
    cf_records_destroy(r);
    cf_store_close(s);
    cr_assert_eq(cf_store_open(storepath, &s, &err), CF_OK, "%s", err.message);
    cr_assert_eq(count(s), 3);
    cf_store_close(s);
}

Test(store, import_of_rejected_records_counts_them, .init = setup)
{
    cf_records *r = cf_records_create();
    cr_assert_eq(cf_records_begin_source(r, "csv", "/x/runs.csv"), CF_OK);
    const char *names[2] = {"run_id", "accuracy"};
    const char *vals[2] = {"k1", "0.5"};
    cr_assert_eq(cf_records_add(r, "k1", 2, 2, names, vals, "k1,0.5"), CF_OK);
    cr_assert_eq(cf_records_reject(r, NULL, 3, 2, "accuracy", "bad quoting", "k2,\"0.5"), CF_OK);
    cr_assert_eq(cf_records_skip(r, "running"), CF_OK);
    cf_store *s = NULL;
    cf_error err;
    cr_assert_eq(cf_store_open(storepath, &s, &err), CF_OK, "%s", err.message);
    cf_store_import_stats st;
    cr_assert_eq(cf_store_import(s, r, &st, &err), CF_OK, "%s", err.message);
    cr_assert_eq(st.added, 1);
    cr_assert_eq(st.rejected, 1);
    cr_assert_eq(st.skipped, 1);
    cr_assert_eq(count(s), 1);
    cf_records *back = cf_records_create();
    cr_assert_eq(cf_store_load_records(s, back, &err), CF_OK);
    const cf_record *k1 = tu_find(back, "k1");
    cr_assert_not_null(k1);
    cr_assert_eq(k1->line, 2);
    cr_assert_str_eq(k1->raw, "k1,0.5");
    TU_EXPECT(k1, "accuracy", "0.5");
    cf_records_destroy(back);
    cf_store_close(s);
    cf_records_destroy(r);
}
