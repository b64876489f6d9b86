/* Tests of the nightly job's logic in the library (reports/nightly.c): alerts files, the reuse of the first
 * report's reference point, and two nights over a run store (on SQLite, or on PostgreSQL as test_nightly_pg):
 * new runs, changed runs, frontier members entering and leaving, the history series and the alerts, all worked by
 * hand from six runs on one kind of hardware under on-demand prices, where cost grows with GPU-hours. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "costfront/catalog.h"
#include "costfront/frontier.h"
#include "costfront/nightly.h"
#include "costfront/sources.h"
#include "costfront/store.h"
#include "tests/fixtures/records_testutil.h"
#include "tests/pg/pg_testutil.h"

Test(nightly, alerts_file_fields_are_checked)
{
    cf_nightly_alerts a;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_nightly_alerts_parse("{\"target_accuracy\": 0.85, \"max_spend_total_usd\": 10}", "a.json", &a, &e),
                 CF_OK, "%s", e.message);
    cr_assert_float_eq(a.target_accuracy, 0.85, 1e-15);
    cr_assert_float_eq(a.max_spend_total_usd, 10, 1e-15);
    cr_assert(isnan(a.max_spend_month_usd) && isnan(a.min_hypervolume_ratio) && isnan(a.max_best_cost_increase_pct));
    cr_assert_eq(cf_nightly_alerts_parse("{\"max_spend\": 3}", "a.json", &a, &e), CF_ERR_INVALID);
    cr_assert_str_eq(e.field, "max_spend");
    cr_assert_str_eq(e.source, "a.json");
    cr_assert(strstr(e.message, "expected one of target_accuracy") != NULL, "%s", e.message);
    cr_assert_eq(cf_nightly_alerts_parse("{\"max_spend_total_usd\": -1}", "a.json", &a, &e), CF_ERR_INVALID);
    cr_assert_str_eq(e.field, "max_spend_total_usd");
    cr_assert_eq(cf_nightly_alerts_parse("{\"target_accuracy\": 85}", "a.json", &a, &e), CF_ERR_INVALID);
    cr_assert_str_eq(e.field, "target_accuracy");
    cr_assert_eq(cf_nightly_alerts_parse("[1]", "a.json", &a, &e), CF_ERR_INVALID);
    cr_assert(strstr(e.message, "JSON object") != NULL, "%s", e.message);
}

static char dir[256], storepath[1024];

static void setup(void)
{
    snprintf(dir, sizeof dir, "%s", tu_tmpdir());
    char file[600];
    snprintf(file, sizeof file, "%s/nightly.db", dir);
    unlink(file);
    tu_store_name(storepath, sizeof storepath, file);
}

/* Writes the export to dir/export.csv and imports it into s. */
static void import_text(cf_store *s, const char *text)
{
    char path[600];
    snprintf(path, sizeof path, "%s/export.csv", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    cf_records *r = cf_records_create();
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_read_source(path, r, &e), CF_OK, "%s", e.message);
    cr_assert_eq(cf_store_import(s, r, NULL, &e), CF_OK, "%s", e.message);
    cf_records_destroy(r);
}

/* The frontier of the store's runs under on-demand prices only. */
static cf_frontier *frontier_of(cf_store *s, cf_catalog *cat, cf_runset **rs, cf_frontier_opts *opts)
{
    cf_error e;
    cf_error_clear(&e);
    *rs = cf_runset_create(cat, NULL);
    cr_assert_eq(cf_store_load(s, *rs, &e), CF_OK, "%s", e.message);
    cf_frontier *f = cf_frontier_create(*rs, cat, opts);
    cr_assert_not_null(f);
    cr_assert_eq(cf_frontier_compute(f, &e), CF_OK, "%s", e.message);
    return f;
}

Test(nightly, two_nights_over_the_store, .init = setup)
{
    cf_error e;
    cf_error_clear(&e);
    cf_catalog *cat = cf_catalog_create();
    cr_assert_eq(cf_catalog_load_default(cat, &e), CF_OK);
    cf_store *s = NULL;
    cr_assert_eq(cf_store_open(storepath, &s, &e), CF_OK, "%s", e.message);
    const long long day1 = 1790000000, day2 = day1 + 86400;
    cf_store_set_clock(s, day1);
    /* Night 1: a3 is dominated by a2 (less accurate, more GPU-hours): the frontier is a1, a2. */
    import_text(s, "run_id,accuracy,gpu_hours,hardware\na1,0.70,1,t4\na2,0.80,2,t4\na3,0.75,3,t4\n");
    cf_frontier_opts opts;
    cf_frontier_opts_default(&opts);
    opts.procurements = 1u << CF_PROC_ON_DEMAND;
    int reused = 9;
    cr_assert_eq(cf_nightly_reference(s, &opts, &reused, &e), CF_OK, "%s", e.message);
    cr_assert_eq(reused, 0, "no report yet: nothing to reuse");
    cf_runset *rs = NULL;
    cf_frontier *f = frontier_of(s, cat, &rs, &opts);
    cr_assert_eq(cf_frontier_optimal_count(f), 2);
    double ref1[2] = {cf_frontier_reference(f)[0], cf_frontier_reference(f)[1]};
    cf_nightly *n = NULL;
    cr_assert_eq(cf_nightly_analyze(s, f, rs, NULL, 0.78, day1, &n, &e), CF_OK, "%s", e.message);
    cr_assert_eq(cf_nightly_is_first(n), 1);
    cr_assert_eq(cf_nightly_history_count(n), 1);
    cr_assert_eq(cf_nightly_alert_count(n), 0);
    double spend1 = cf_nightly_spend(n), best1 = cf_nightly_best_cost(n);
    cr_assert_gt(spend1, 0);
    /* the best cost at accuracy >= 0.78 is a2's, 2 of the 6 GPU-hours */
    cr_assert_float_eq(best1 / spend1, 2.0 / 6.0, 0.02);
    cr_assert_eq(cf_nightly_record(s, n, &e), CF_OK, "%s", e.message);
    cf_nightly_destroy(n);
    cf_frontier_destroy(f);
    cf_runset_destroy(rs);

    /* Night 2: b1 dominates every run; b2 is dominated; a2's accuracy changed. */
    cf_store_set_clock(s, day2);
    import_text(s, "run_id,accuracy,gpu_hours,hardware\na1,0.70,1,t4\na2,0.81,2,t4\na3,0.75,3,t4\n"
                   "b1,0.90,1,t4\nb2,0.60,4,t4\n");
    cf_frontier_opts_default(&opts);
    opts.procurements = 1u << CF_PROC_ON_DEMAND;
    cr_assert_eq(cf_nightly_reference(s, &opts, &reused, &e), CF_OK, "%s", e.message);
    cr_assert_eq(reused, 1, "the first report's reference point is reused");
    /* kept as JSON text, which cJSON prints to 15 significant digits when they read back within DBL_EPSILON */
    cr_assert_float_eq(opts.reference[0], ref1[0], 1e-12 * fabs(ref1[0]));
    cr_assert_float_eq(opts.reference[1], ref1[1], 1e-12 * fabs(ref1[1]));
    f = frontier_of(s, cat, &rs, &opts);
    cf_nightly_alerts al;
    cf_nightly_alerts_init(&al);
    al.max_spend_total_usd = spend1 * 2; /* spend is now 11/6 of night 1's: no alert */
    al.min_hypervolume_ratio = 1.0;      /* the hypervolume grew: no alert */
    cr_assert_eq(cf_nightly_analyze(s, f, rs, &al, 0.78, day2, &n, &e), CF_OK, "%s", e.message);
    cr_assert_eq(cf_nightly_is_first(n), 0);
    cr_assert_eq(cf_nightly_last_time(n), day1);
    cr_assert_eq(cf_nightly_last_runs(n), 3);
    cr_assert_eq(cf_nightly_changed_runs(n), 1, "a2 changed");
    cr_assert_eq(cf_nightly_new_run_count(n), 2);
    cr_assert_str_eq(cf_nightly_new_run(n, 0), "b1");
    cr_assert_str_eq(cf_nightly_new_run(n, 1), "b2");
    cr_assert_eq(cf_nightly_frontier_change_count(n), 3);
    int entered = -1;
    cr_assert_str_eq(cf_nightly_frontier_change(n, 0, &entered), "b1 / on_demand");
    cr_assert_eq(entered, 1);
    cr_assert_eq(cf_nightly_frontier_change(n, 1, &entered)[0], 'a');
    cr_assert_eq(entered, 0);
    cr_assert_eq(cf_nightly_frontier_change(n, 2, &entered)[0], 'a');
    cr_assert_eq(entered, 0);
    cr_assert_float_eq(cf_nightly_spend(n) / spend1, 11.0 / 6.0, 1e-9);
    cr_assert_float_eq(cf_nightly_best_cost(n) / best1, 0.5, 0.02, "b1 reaches 0.78 with half of a2's GPU-hours");
    cr_assert_eq(cf_nightly_history_count(n), 2);
    cr_assert_eq(cf_nightly_history(n, 0)->created_at, day1);
    cr_assert_float_eq(cf_nightly_history(n, 0)->days, -1.0, 1e-12);
    cr_assert_float_eq(cf_nightly_history(n, 0)->best_cost_at_target, best1, 1e-12);
    cr_assert_float_eq(cf_nightly_history(n, 1)->days, 0.0, 1e-12);
    cr_assert_gt(cf_nightly_history(n, 1)->hypervolume, cf_nightly_history(n, 0)->hypervolume);
    cr_assert_eq(cf_nightly_alert_count(n), 0);
    cf_nightly_destroy(n);
    /* Lower limits: the total spend and the hypervolume alerts fire, worded with their figures. */
    al.max_spend_total_usd = spend1;
    al.min_hypervolume_ratio = 1e9;
    cr_assert_eq(cf_nightly_analyze(s, f, rs, &al, 0.78, day2, &n, &e), CF_OK, "%s", e.message);
    cr_assert_eq(cf_nightly_alert_count(n), 2);
    cr_assert(strstr(cf_nightly_alert(n, 0), "spend of all stored runs is") != NULL, "%s", cf_nightly_alert(n, 0));
    cr_assert(strstr(cf_nightly_alert(n, 1), "hypervolume fell to") != NULL, "%s", cf_nightly_alert(n, 1));
    cf_report *r = cf_report_create("nightly");
    cr_assert_eq(cf_nightly_add_to_report(n, r, &e), CF_OK, "%s", e.message);
    cf_report_destroy(r);
    cr_assert_eq(cf_nightly_record(s, n, &e), CF_OK, "%s", e.message);
    cf_nightly_destroy(n);
    cf_store_report *reps = NULL;
    size_t nrep = 0;
    cr_assert_eq(cf_store_reports(s, 0, &reps, &nrep, &e), CF_OK);
    cr_assert_eq(nrep, 2);
    cr_assert_eq(reps[0].created_at, day2);
    cr_assert_eq(reps[0].n_runs, 5);
    cr_assert(strstr(reps[0].frontier_json, "\"frontier\":[\"b1 / on_demand\"]") != NULL, "%s", reps[0].frontier_json);
    cf_store_reports_free(reps, nrep);
    cf_frontier_destroy(f);
    cf_runset_destroy(rs);
    cf_store_close(s);
    cf_catalog_destroy(cat);
}
