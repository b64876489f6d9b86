/* Tests of the SQLite run store (data/store.c): idempotent imports, change tracking, loading back through a
 * runset, report history, and refusing damaged or foreign files without touching them. */
#include <criterion/criterion.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "costfront/records.h"
#include "costfront/runset.h"
#include "costfront/sources.h"
#include "costfront/store.h"
#include "tests/fixtures/records_testutil.h"
#include "tests/pg/pg_testutil.h"

static char dir[256], mlruns[512], storepath[1024];

/* Points storepath at a new store: dir/store.db (removed) on SQLite, a new schema on PostgreSQL. */
static void fresh_store(void)
{
    char file[600];
    snprintf(file, sizeof file, "%s/store.db", dir);
    unlink(file);
    tu_store_name(storepath, sizeof storepath, file);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "%s", tu_tmpdir());
    tu_generate("gen_mlflow.py", dir, "");
    snprintf(mlruns, sizeof mlruns, "%s/mlruns", dir);
    fresh_store();
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
    tu_sqlite_only();
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
    tu_sqlite_only();
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

/* ---------------------------------------------------------------------------------------------------------- */
/* Source identity (canonical path and content hash), run-id clashes, listing and removing sources, and the    */
/* migration of a schema version 1 store.                                                                       */

static void setup_plain(void)
{
    snprintf(dir, sizeof dir, "%s", tu_tmpdir());
    fresh_store();
}

/* Writes text to dir/name and returns the path in a static buffer (one of 4, rotating). */
static const char *write_file(const char *name, const char *text)
{
    static char paths[4][600];
    static int k;
    char *p = paths[k++ % 4];
    snprintf(p, 600, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f, "%s", p);
    fputs(text, f);
    fclose(f);
    return p;
}

/* Reads path (spelled as given) into a new records buffer. */
static cf_records *read_path(const char *path)
{
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_source(path, r, &err), CF_OK, "%s: %s", path, err.message);
    return r;
}

/* Imports path into s, asserting success, and returns the stats. */
static cf_store_import_stats import_ok(cf_store *s, const char *path)
{
    cf_records *r = read_path(path);
    cf_store_import_stats st;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_store_import(s, r, &st, &err), CF_OK, "%s: %s", path, err.message);
    cf_records_destroy(r);
    return st;
}

static cf_store *open_store(void)
{
    cf_store *s = NULL;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_store_open(storepath, &s, &err), CF_OK, "%s", err.message);
    return s;
}

static size_t n_sources(cf_store *s)
{
    cf_store_source *src = NULL;
    size_t n = 0;
    cf_error err;
    cr_assert_eq(cf_store_sources(s, &src, &n, &err), CF_OK, "%s", err.message);
    cf_store_sources_free(src, n);
    return n;
}

static const char *const five_runs = "run_id,accuracy,gpu_hours,hardware\n"
                                     "r1,0.71,1,t4\nr2,0.72,2,t4\nr3,0.73,3,t4\nr4,0.74,4,t4\nr5,0.75,5,t4\n";

Test(store_sources, same_file_however_spelled_is_one_source, .init = setup_plain)
{
    const char *p = write_file("runs.csv", five_runs);
    cf_store *s = open_store();
    cf_store_import_stats st = import_ok(s, p);
    cr_assert_eq(st.added, 5);
    char spell[3][700];
    snprintf(spell[0], sizeof spell[0], "%s/./runs.csv", dir);
    snprintf(spell[1], sizeof spell[1], "%s//runs.csv", dir);
    cr_assert_eq(chdir(dir), 0);
    snprintf(spell[2], sizeof spell[2], "runs.csv");
    for (int k = 0; k < 3; k++) {
        st = import_ok(s, spell[k]);
        cr_assert_eq(st.added, 0, "%s", spell[k]);
        cr_assert_eq(st.unchanged, 5, "%s", spell[k]);
        cr_assert_eq(st.updated, 0);
        cr_assert_eq(st.same_content, 0);
    }
    cr_assert_eq(count(s), 5);
    cf_store_source *src = NULL;
    size_t n = 0;
    cf_error err;
    cr_assert_eq(cf_store_sources(s, &src, &n, &err), CF_OK);
    cr_assert_eq(n, 1);
    char *canon = realpath(p, NULL);
    cr_assert_str_eq(src[0].path, canon);
    cr_assert_str_eq(src[0].kind, "csv");
    cr_assert_eq(src[0].runs, 5);
    cr_assert_eq(strlen(src[0].sha256), 64);
    free(canon);
    cf_store_sources_free(src, n);
    cf_store_close(s);
}

Test(store_sources, changed_content_replaces_the_sources_runs, .init = setup_plain)
{
    const char *p = write_file("runs.csv", five_runs);
    cf_store *s = open_store();
    cf_store_set_clock(s, 1000);
    import_ok(s, p);
    cf_store_source *before = NULL, *after = NULL;
    size_t n = 0;
    cf_error err;
    cr_assert_eq(cf_store_sources(s, &before, &n, &err), CF_OK);
    /* r2 changes, r5 goes, r6 arrives, r1 moves down a line (same content) */
    write_file("runs.csv", "run_id,accuracy,gpu_hours,hardware\n"
                           "r2,0.82,2,t4\nr1,0.71,1,t4\nr3,0.73,3,t4\nr4,0.74,4,t4\nr6,0.76,6,t4\n");
    cf_store_set_clock(s, 2000);
    cf_store_import_stats st = import_ok(s, p);
    cr_assert_eq(st.added, 1);
    cr_assert_eq(st.updated, 1);
    cr_assert_eq(st.unchanged, 3);
    cr_assert_eq(st.removed, 1);
    cr_assert_eq(count(s), 5);
    cr_assert_eq(n_sources(s), 1);
    size_t nc = 0;
    cr_assert_eq(cf_store_change_count(s, "r2", &nc, &err), CF_OK);
    cr_assert_eq(nc, 1);
    cr_assert_eq(cf_store_sources(s, &after, &n, &err), CF_OK);
    cr_assert_str_neq(before[0].sha256, after[0].sha256);
    cr_assert_eq(after[0].first_imported, 1000);
    cr_assert_eq(after[0].last_imported, 2000);
    cf_records *back = cf_records_create();
    cr_assert_eq(cf_store_load_records(s, back, &err), CF_OK, "%s", err.message);
    cr_assert_null(tu_find(back, "r5"), "a run no longer in the source is removed");
    TU_EXPECT(tu_find(back, "r2"), "accuracy", "0.82");
    cr_assert_eq(tu_find(back, "r1")->line, 3, "the line follows the run");
    cf_records_destroy(back);
    /* importing the new content again changes nothing */
    st = import_ok(s, p);
    cr_assert_eq(st.unchanged, 5);
    cr_assert_eq(st.added + st.updated + st.removed, 0);
    cf_store_sources_free(before, 1);
    cf_store_sources_free(after, 1);
    cf_store_close(s);
}

Test(store_sources, same_content_elsewhere_is_not_duplicated, .init = setup_plain)
{
    const char *a = write_file("runs.csv", five_runs);
    char acopy[600];
    snprintf(acopy, sizeof acopy, "%s", a);
    const char *b = write_file("copy.csv", five_runs);
    cf_store *s = open_store();
    import_ok(s, acopy);
    cf_store_import_stats st = import_ok(s, b);
    cr_assert_eq(st.added, 0);
    cr_assert_eq(st.unchanged, 5);
    cr_assert_eq(st.same_content, 1);
    cr_assert_eq(count(s), 5);
    cr_assert_eq(n_sources(s), 1);
    cr_assert_eq(cf_store_note_count(s), 1);
    const char *note = cf_store_note(s, 0);
    cr_assert(strstr(note, "same content as source 1") != NULL, "%s", note);
    char *canon = realpath(acopy, NULL);
    cr_assert(strstr(note, canon) != NULL, "%s", note);
    free(canon);
    cf_store_close(s);
}

Test(store_sources, a_run_id_of_another_source_is_refused, .init = setup_plain)
{
    const char *a = write_file("a.csv", "run_id,accuracy\nr1,0.5\nr2,0.6\n");
    char apath[600];
    snprintf(apath, sizeof apath, "%s", a);
    const char *b = write_file("b.csv", "run_id,accuracy\nr3,0.7\nr2,0.8\nr4,0.9\n");
    cf_store *s = open_store();
    import_ok(s, apath);
    cf_records *r = read_path(b);
    cf_error err;
    cf_error_clear(&err);
    cf_store_import_stats st;
    cr_assert_eq(cf_store_import(s, r, &st, &err), CF_ERR_INVALID);
    cr_assert_str_eq(err.source, b);
    cr_assert_eq(err.line, 3);
    cr_assert_str_eq(err.field, "run_id");
    cr_assert(strstr(err.message, "run id 'r2'") != NULL, "%s", err.message);
    cr_assert(strstr(err.message, "source 1") != NULL, "%s", err.message);
    cr_assert(strstr(err.message, "a.csv, line 3") != NULL, "%s", err.message);
    cr_assert(strstr(err.message, "nothing was imported") != NULL, "%s", err.message);
    cr_assert_eq(count(s), 2, "r3 was not kept");
    cr_assert_eq(n_sources(s), 1);
    cf_records_destroy(r);
    /* two sources in one import: the clash refuses the whole import */
    cf_store_close(s);
    fresh_store();
    s = open_store();
    r = read_path(apath);
    cr_assert_eq(cf_read_source(b, r, &err), CF_OK);
    cr_assert_eq(cf_store_import(s, r, &st, &err), CF_ERR_INVALID);
    cr_assert_eq(count(s), 0);
    cr_assert_eq(n_sources(s), 0);
    cf_records_destroy(r);
    cf_store_close(s);
}

Test(store_sources, made_up_ids_clash_like_the_runset_makes_them, .init = setup_plain)
{
    /* no run_id column: ids are "<file name>:<line>", so two files called runs.csv collide */
    char sub[600];
    snprintf(sub, sizeof sub, "%s/x", dir);
    cr_assert_eq(mkdir(sub, 0700), 0);
    const char *a = write_file("runs.csv", "accuracy,gpu_hours\n0.5,1\n");
    char apath[600];
    snprintf(apath, sizeof apath, "%s", a);
    const char *b = write_file("x/runs.csv", "accuracy,gpu_hours\n0.6,2\n");
    const char *c = write_file("other.csv", "accuracy,gpu_hours\n0.7,3\n");
    cf_store *s = open_store();
    import_ok(s, apath);
    import_ok(s, c);
    cf_records *r = read_path(b);
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_store_import(s, r, NULL, &err), CF_ERR_INVALID);
    cr_assert(strstr(err.message, "'runs.csv:2'") != NULL, "%s", err.message);
    cr_assert_eq(count(s), 2);
    cf_records_destroy(r);
    cf_store_close(s);
}

Test(store_sources, list_and_remove_sources, .init = setup_plain)
{
    const char *a = write_file("a.csv", five_runs);
    char apath[600];
    snprintf(apath, sizeof apath, "%s", a);
    const char *b = write_file("b.csv", "run_id,accuracy\nb1,0.5\nb2,0.6\n");
    char bpath[600];
    snprintf(bpath, sizeof bpath, "%s", b);
    const char *c = write_file("c.csv", "run_id,accuracy\nc1,0.5\n");
    cf_store *s = open_store();
    cf_store_set_clock(s, 1700000000);
    import_ok(s, apath);
    import_ok(s, bpath);
    import_ok(s, c);
    write_file("b.csv", "run_id,accuracy\nb1,0.55\nb2,0.6\n");
    import_ok(s, bpath); /* one recorded change of b1 */
    cf_store_source *src = NULL;
    size_t n = 0;
    cf_error err;
    cr_assert_eq(cf_store_sources(s, &src, &n, &err), CF_OK);
    cr_assert_eq(n, 3);
    size_t want_runs[3] = {5, 2, 1};
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(src[i].id, (long long)i + 1);
        cr_assert_eq(src[i].runs, want_runs[i]);
        cr_assert_eq(src[i].first_imported, 1700000000);
    }
    cf_store_sources_free(src, n);
    /* by id */
    cf_store_source *gone = NULL;
    cr_assert_eq(cf_store_remove_source(s, "2", &gone, &err), CF_OK, "%s", err.message);
    cr_assert_eq(gone->id, 2);
    cr_assert_eq(gone->runs, 2);
    cf_store_sources_free(gone, 1);
    cr_assert_eq(count(s), 6);
    size_t nc = 9;
    cr_assert_eq(cf_store_change_count(s, "b1", &nc, &err), CF_OK);
    cr_assert_eq(nc, 0, "the removed runs' changes go with them");
    /* by path, spelled differently */
    cr_assert_eq(chdir(dir), 0);
    cr_assert_eq(cf_store_remove_source(s, "./a.csv", NULL, &err), CF_OK, "%s", err.message);
    cr_assert_eq(count(s), 1);
    cr_assert_eq(n_sources(s), 1);
    /* unknown */
    cf_error_clear(&err);
    cr_assert_eq(cf_store_remove_source(s, "7", NULL, &err), CF_ERR_NOT_FOUND);
    cr_assert(strstr(err.message, "no source '7'") != NULL, "%s", err.message);
    cr_assert_eq(cf_store_remove_source(s, "nowhere.csv", NULL, &err), CF_ERR_NOT_FOUND);
    cr_assert_eq(count(s), 1);
    /* a removed source can be imported again as new */
    cf_store_import_stats st = import_ok(s, bpath);
    cr_assert_eq(st.added, 2);
    cf_store_close(s);
}

/* The schema of a version 1 store, as costfront wrote it before sources had an identity. */
static const char *const v1_schema =
    "CREATE TABLE store_meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE store_runs(id INTEGER PRIMARY KEY, source_kind TEXT NOT NULL, source_path TEXT NOT NULL,"
    " record_key TEXT NOT NULL, line INTEGER NOT NULL DEFAULT 0, pairs TEXT NOT NULL, raw TEXT NOT NULL DEFAULT '',"
    " hash TEXT NOT NULL, first_seen INTEGER NOT NULL, updated INTEGER NOT NULL,"
    " UNIQUE(source_kind, source_path, record_key));"
    "CREATE TABLE run_changes(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES store_runs(id),"
    " record_key TEXT NOT NULL, old_hash TEXT NOT NULL, new_hash TEXT NOT NULL, at INTEGER NOT NULL);"
    "CREATE TABLE imports(id INTEGER PRIMARY KEY, source_kind TEXT NOT NULL, source_path TEXT NOT NULL,"
    " at INTEGER NOT NULL, added INTEGER NOT NULL, updated INTEGER NOT NULL, unchanged INTEGER NOT NULL,"
    " rejected INTEGER NOT NULL, skipped INTEGER NOT NULL, skipped_json TEXT NOT NULL DEFAULT '{}');"
    "CREATE TABLE reports(id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, hypervolume REAL,"
    " best_cost_at_target REAL, frontier TEXT, n_runs INTEGER NOT NULL);"
    "INSERT INTO store_meta VALUES('schema_version', '1');";

/* FNV-1a of a record's pairs, as schema version 1 stored it. */
static void v1_hash(const cf_record *rec, char buf[17])
{
    unsigned long long h = 14695981039346656037ULL;
    for (size_t i = 0; i < rec->n; i++) {
        const char *parts[2] = {rec->names[i], rec->values[i]};
        for (int k = 0; k < 2; k++) {
            unsigned long long len = strlen(parts[k]);
            const unsigned char *lb = (const unsigned char *)&len;
            for (size_t j = 0; j < sizeof len; j++) h = (h ^ lb[j]) * 1099511628211ULL;
            for (size_t j = 0; j < len; j++) h = (h ^ (unsigned char)parts[k][j]) * 1099511628211ULL;
        }
    }
    snprintf(buf, 17, "%016llx", h);
}

/* Inserts the records of recs into a v1 store under (kind, path as typed), first seen at t. */
static void v1_insert(sqlite3 *db, const cf_records *recs, const char *typed, long long t)
{
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db,
                                    "INSERT INTO store_runs(source_kind, source_path, record_key, line, pairs, raw,"
                                    " hash, first_seen, updated) VALUES('csv', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                                    -1, &q, NULL),
                 SQLITE_OK);
    for (size_t i = 0; i < cf_records_count(recs); i++) {
        const cf_record *rec = cf_records_get(recs, i);
        char pairs[2048] = "[", hash[17];
        for (size_t k = 0; k < rec->n; k++)
            snprintf(pairs + strlen(pairs), sizeof pairs - strlen(pairs), "%s[\"%s\",\"%s\"]", k ? "," : "",
                     rec->names[k], rec->values[k]);
        strcat(pairs, "]");
        v1_hash(rec, hash);
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, typed, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, rec->key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, rec->line);
        sqlite3_bind_text(q, 4, pairs, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 5, rec->raw, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 7, t);
        cr_assert_eq(sqlite3_step(q), SQLITE_DONE, "%s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(q);
    char sql[1200];
    snprintf(sql, sizeof sql,
             "INSERT INTO imports(source_kind, source_path, at, added, updated, unchanged, rejected, skipped)"
             " VALUES('csv', '%s', %lld, %zu, 0, 0, 0, 0)",
             typed, t, cf_records_count(recs));
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
}

/* One integer from a query on the raw file. */
static long long raw_int(const char *sql)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(storepath, &db), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    long long v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

/* Builds the store the old bug left: runs.csv imported under three spellings (the same 5 runs, and under the
 * third one run r1 with other content), plus a second file. Returns the canonical path of runs.csv in buf. */
static void make_v1_store(char *runs_path, size_t n, int damage)
{
    const char *p = write_file("runs.csv", five_runs);
    snprintf(runs_path, n, "%s", p);
    const char *o = write_file("other.csv", "run_id,accuracy\no1,0.5\no2,0.6\n");
    char opath[600];
    snprintf(opath, sizeof opath, "%s", o);
    const char *v = write_file("variant.csv", "run_id,accuracy,gpu_hours,hardware\nr1,0.99,1,t4\n");
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(storepath, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, v1_schema, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    cf_records *r = read_path(runs_path), *ro = read_path(opath), *rv = read_path(v);
    char dot[700], dbl[700];
    snprintf(dot, sizeof dot, "%s/./runs.csv", dir);
    snprintf(dbl, sizeof dbl, "%s//runs.csv", dir);
    v1_insert(db, r, runs_path, 100); /* ids 1-5 */
    v1_insert(db, ro, opath, 150);    /* ids 6-7 */
    v1_insert(db, r, dot, 200);       /* ids 8-12: identical copies */
    v1_insert(db, rv, dbl, 300);      /* id 13: r1 with other content */
    cr_assert_eq(sqlite3_exec(db,
                              "INSERT INTO run_changes(run_id, record_key, old_hash, new_hash, at)"
                              " VALUES(2, 'r2', 'aaaa', 'bbbb', 120), (9, 'r2', 'cccc', 'dddd', 220);"
                              "INSERT INTO reports(created_at, hypervolume, best_cost_at_target, frontier, n_runs)"
                              " VALUES(400, 0.5, 1.25, '[]', 13);",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    if (damage)
        cr_assert_eq(sqlite3_exec(db, "UPDATE store_runs SET pairs='not json' WHERE id=6", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    cf_records_destroy(r);
    cf_records_destroy(ro);
    cf_records_destroy(rv);
}

Test(store_sources, a_version_1_store_migrates_without_losing_runs, .init = setup_plain)
{
    tu_sqlite_only();
    char runs_path[600];
    make_v1_store(runs_path, sizeof runs_path, 0);
    cr_assert_eq(raw_int("SELECT count(*) FROM store_runs"), 13);
    cf_store *s = open_store();
    cr_assert_eq(raw_int("SELECT value FROM store_meta WHERE key='schema_version'"), 2);
    /* the dot spelling merged (5 identical copies dropped); the // spelling differs in r1 and is kept apart */
    cr_assert_eq(count(s), 8);
    cf_store_source *src = NULL;
    size_t n = 0;
    cf_error err;
    cr_assert_eq(cf_store_sources(s, &src, &n, &err), CF_OK, "%s", err.message);
    cr_assert_eq(n, 3);
    char *canon = realpath(runs_path, NULL);
    cr_assert_str_eq(src[0].path, canon);
    cr_assert_eq(src[0].runs, 5);
    cr_assert_eq(src[0].first_imported, 100);
    cr_assert_eq(src[0].last_imported, 200);
    cr_assert_eq(src[1].runs, 2);
    char dbl[700];
    snprintf(dbl, sizeof dbl, "%s//runs.csv", dir);
    cr_assert_str_eq(src[2].path, dbl, "kept under the path as typed");
    cr_assert_eq(src[2].runs, 1);
    cf_store_sources_free(src, n);
    free(canon);
    cr_assert_geq(cf_store_note_count(s), 3);
    int saw_migrated = 0, saw_apart = 0, saw_clash = 0;
    for (size_t i = 0; i < cf_store_note_count(s); i++) {
        const char *t = cf_store_note(s, i);
        saw_migrated |= strstr(t, "migrated the run store from schema version 1 to 2: 4 sources as imported became 3 "
                                  "(1 spellings of the same file merged, 5 identical duplicate runs dropped, 1 kept "
                                  "apart); 8 runs kept") != NULL;
        saw_apart |= strstr(t, "kept apart as source 3") != NULL;
        saw_clash |= strstr(t, "1 run ids are stored from more than one source") != NULL;
    }
    cr_assert(saw_migrated && saw_apart && saw_clash);
    /* history kept: r2's change of the first spelling stays, the dropped copy's goes; reports stay */
    size_t nc = 0;
    cr_assert_eq(cf_store_change_count(s, "r2", &nc, &err), CF_OK);
    cr_assert_eq(nc, 1);
    cf_store_report *reps = NULL;
    size_t nrep = 0;
    cr_assert_eq(cf_store_reports(s, 0, &reps, &nrep, &err), CF_OK);
    cr_assert_eq(nrep, 1);
    cr_assert_eq(reps[0].n_runs, 13);
    cf_store_reports_free(reps, nrep);
    cr_assert_eq(raw_int("SELECT count(*) FROM imports WHERE source_id IS NULL"), 0);
    /* the migrated content hash is the one an import computes: re-importing runs.csv changes nothing */
    cf_store_import_stats st = import_ok(s, runs_path);
    cr_assert_eq(st.added, 0);
    cr_assert_eq(st.unchanged, 5);
    cr_assert_eq(st.updated + st.removed, 0);
    /* removing the stale spelling leaves a store every command reads */
    cr_assert_eq(cf_store_remove_source(s, "3", NULL, &err), CF_OK, "%s", err.message);
    cf_catalog *cat = cf_catalog_create();
    cr_assert_eq(cf_catalog_load_default(cat, &err), CF_OK);
    cf_runset *rs = cf_runset_create(cat, NULL);
    cr_assert_eq(cf_store_load(s, rs, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_read(rs), 7);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
    cf_store_close(s);
    /* reopening a migrated store migrates nothing */
    s = open_store();
    cr_assert_eq(cf_store_note_count(s), 0);
    cr_assert_eq(count(s), 7);
    cf_store_close(s);
}

Test(store_sources, a_failed_migration_leaves_the_version_1_store_as_it_was, .init = setup_plain)
{
    tu_sqlite_only();
    char runs_path[600];
    make_v1_store(runs_path, sizeof runs_path, 1);
    size_t n1, n2;
    char *before = slurp(storepath, &n1);
    cf_store *s = NULL;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_store_open(storepath, &s, &err), CF_ERR_DB);
    cr_assert_null(s);
    cr_assert(strstr(err.message, "not valid JSON") != NULL, "%s", err.message);
    cr_assert_eq(raw_int("SELECT value FROM store_meta WHERE key='schema_version'"), 1);
    cr_assert_eq(raw_int("SELECT count(*) FROM store_runs"), 13);
    cr_assert_eq(raw_int("SELECT count(*) FROM sqlite_master WHERE name='sources'"), 0);
    char *after = slurp(storepath, &n2);
    cr_assert_eq(n1, n2);
    cr_assert(memcmp(before, after, n1) == 0, "the rolled-back migration changed the file");
    free(before);
    free(after);
}

Test(store_sources, a_newer_schema_is_refused, .init = setup_plain)
{
    tu_sqlite_only();
    cf_store *s = open_store();
    cf_store_close(s);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(storepath, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "UPDATE store_meta SET value='3' WHERE key='schema_version'", NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(db);
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_store_open(storepath, &s, &err), CF_ERR_DB);
    cr_assert(strstr(err.message, "schema version 3, newer") != NULL, "%s", err.message);
}

/* Many nightly jobs importing into one store at the same moment (issue 14): 8 processes each import the shared
 * export (40 runs) and a file of their own (5 runs). Whatever the interleaving, every run is stored exactly once:
 * 40 + 8 x 5 = 80 runs from 9 sources, the shared source imported once as new (40 added) and seven times as
 * unchanged, and no job failed. */
Test(store_sources, concurrent_imports_keep_every_run_once, .init = setup_plain, .timeout = 120)
{
    enum { JOBS = 8 };
    char text[4096];
    size_t len = (size_t)snprintf(text, sizeof text, "run_id,accuracy,gpu_hours,hardware\n");
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "s%02d,0.%02d,%d,t4\n", i, 50 + i, i + 1);
    char shared[600];
    snprintf(shared, sizeof shared, "%s", write_file("shared.csv", text));
    char own[JOBS][600];
    for (int j = 0; j < JOBS; j++) {
        char name[32];
        snprintf(name, sizeof name, "own%d.csv", j);
        len = (size_t)snprintf(text, sizeof text, "run_id,accuracy,gpu_hours,hardware\n");
        for (int i = 0; i < 5; i++)
            len += (size_t)snprintf(text + len, sizeof text - len, "j%d_%d,0.6%d,%d,t4\n", j, i, i, i + 1);
        snprintf(own[j], sizeof own[j], "%s", write_file(name, text));
    }
    cf_store_close(open_store()); /* the tables exist before the jobs start, as after the first night */
    int fds[2], res[2];
    cr_assert_eq(pipe(fds), 0);
    cr_assert_eq(pipe(res), 0);
    pid_t pids[JOBS];
    for (int j = 0; j < JOBS; j++) {
        pids[j] = fork();
        cr_assert(pids[j] >= 0);
        if (pids[j] == 0) {
            close(fds[1]);
            close(res[0]);
            cf_records *r = cf_records_create();
            cf_error err;
            cf_error_clear(&err);
            if (cf_read_source(shared, r, &err) != CF_OK || cf_read_source(own[j], r, &err) != CF_OK) _exit(3);
            char c;
            if (read(fds[0], &c, 1) != 1) _exit(4);
            cf_store *s = NULL;
            cf_store_import_stats st;
            if (cf_store_open(storepath, &s, &err) != CF_OK) _exit(5);
            if (cf_store_import(s, r, &st, &err) != CF_OK) _exit(6);
            int added_shared = st.added == 45 ? 1 : 0; /* this job was first: 40 shared + 5 own */
            if (!(st.added == 45 || (st.added == 5 && st.unchanged == 40))) _exit(7);
            if (write(res[1], &added_shared, sizeof added_shared) != sizeof added_shared) _exit(8);
            cf_store_close(s);
            cf_records_destroy(r);
            _exit(0);
        }
    }
    close(fds[0]);
    close(res[1]);
    char go[JOBS] = {0};
    cr_assert_eq(write(fds[1], go, JOBS), JOBS);
    close(fds[1]);
    for (int j = 0; j < JOBS; j++) {
        int status = 0;
        cr_assert_eq(waitpid(pids[j], &status, 0), pids[j]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "import job %d failed (status %d)", j, status);
    }
    int firsts = 0, one;
    while (read(res[0], &one, sizeof one) == sizeof one) firsts += one;
    close(res[0]);
    cr_assert_eq(firsts, 1, "the shared export was added by exactly one job");
    cf_store *s = open_store();
    cr_assert_eq(count(s), 40 + JOBS * 5);
    cr_assert_eq(n_sources(s), 1 + JOBS);
    cf_records *back = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_store_load_records(s, back, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_records_count(back), 40 + JOBS * 5);
    for (size_t i = 0; i < cf_records_count(back); i++)
        for (size_t k = i + 1; k < cf_records_count(back); k++)
            cr_assert_str_neq(cf_records_get(back, i)->key, cf_records_get(back, k)->key, "a run stored twice");
    cf_records_destroy(back);
    cf_store_close(s);
}
