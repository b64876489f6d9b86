/* Allocation-failure tests: the library must answer CF_ERR_NOMEM, never crash, when any single allocation fails.
 * This file replaces malloc, calloc and realloc for its own process (glibc supports replacing them and its own
 * functions, cJSON and libxml2 then call the replacement) with versions that fail the k-th allocation after being
 * armed, and sweeps k over every allocation the operation makes: reading runs, computing the frontier, writing its
 * JSON, CSV and table. Before the fix, a failure inside cf_rep_offers_used made the JSON writer loop over a
 * NULL array with a count of SIZE_MAX (a segfault at 10^6 runs when memory ran short). Not built under the
 * sanitizers, whose own allocator cannot be replaced this way. */
#include <criterion/criterion.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/catalog.h"
#include "costfront/frontier.h"
#include "costfront/output.h"
#include "costfront/report.h"
#include "costfront/runset.h"
#include "data/json_syntax.h"

/* Known answers for the allocation-free JSON syntax check that tells "out of memory" from "not JSON". */
Test(json_syntax, accepts_and_refuses_by_the_grammar)
{
    static const struct {
        const char *text;
        int ok;
    } cases[] = {
        {"{}", 1}, {"[]", 1}, {" 0 ", 1}, {"-0.5e+3", 1}, {"\"a\\u00e9\\n\"", 1}, {"true", 1}, {"null", 1},
        {"{\"a\": [1, {\"b\": null}], \"c\": \"x\"}", 1}, {"[[[]]]", 1},
        {"", 0}, {"{", 0}, {"[1,]", 0}, {"{\"a\" 1}", 0}, {"{\"a\": 1,}", 0}, {"01", 0}, {"1.", 0}, {".5", 0},
        {"0x10", 0}, {"\"\\x\"", 0}, {"\"\\u12g4\"", 0}, {"\"a\nb\"", 0}, {"tru", 0}, {"[1] 2", 0},
        {"{1: 2}", 0}, {"[}", 0}, {"{]", 0}, {"NaN", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_eq(cf_json_syntax_ok(cases[i].text, strlen(cases[i].text), 0, 100), cases[i].ok, "%s",
                     cases[i].text);
    cr_expect_eq(cf_json_syntax_ok("[1] 2", 5, 1, 100), 1, "trailing text allowed when asked");
    cr_expect_eq(cf_json_syntax_ok("[[[1]]]", 7, 0, 2), 0, "deeper than max_depth");
    cr_expect_eq(cf_json_syntax_ok("[[1]]", 5, 0, 2), 1);
}

#if defined(__SANITIZE_ADDRESS__)
#define CF_NOMEM_SKIP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CF_NOMEM_SKIP 1
#endif
#endif

#ifndef CF_NOMEM_SKIP
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);

static long countdown = -1; /* allocations left before the failing one; -1 when disarmed */
static int failed;          /* set once the armed failure has happened */

/* Returns 1 when this allocation is the one chosen to fail. */
static int should_fail(void)
{
    if (countdown < 0) return 0;
    if (countdown == 0) {
        countdown = -1;
        failed = 1;
        return 1;
    }
    countdown--;
    return 0;
}

void *malloc(size_t n) { return should_fail() ? NULL : __libc_malloc(n); }
void *calloc(size_t n, size_t m) { return should_fail() ? NULL : __libc_calloc(n, m); }
void *realloc(void *p, size_t n) { return should_fail() ? NULL : __libc_realloc(p, n); }

static const char CATALOG[] =
    "{\"carbon_price_usd_per_t\": 100, \"carbon_price_source\": \"test price\","
    " \"hardware\": [{\"id\": \"gpu-a\", \"name\": \"Test GPU A\", \"board_power_w\": 500, \"embodied_kgco2e\": 100,"
    "   \"life_years\": 5, \"throughput\": {\"bf16\": 1.0}, \"source\": \"hand\"}],"
    " \"regions\": [{\"id\": \"r-one\", \"grid_gco2e_per_kwh\": 400, \"pue\": 1.25, \"source\": \"hand region\"}],"
    " \"offers\": [{\"provider\": \"acme\", \"region\": \"r-one\", \"hardware\": \"gpu-a\", \"on_demand\": 2.0,"
    "   \"reserved_1y\": 1.5, \"reserved_3y\": 1.2, \"spot\": 0.8, \"spot_interruptions_per_hour\": 0,"
    "   \"source\": \"hand offer\"}]}";

/* The whole pipeline once: catalog, runs, frontier, JSON, CSV and table. Returns CF_OK or the first failure;
 * everything it allocated is freed either way (so leaks show under valgrind). */
static cf_status pipeline(void)
{
    cf_error err;
    cf_error_clear(&err);
    cf_status st = CF_ERR_NOMEM;
    cf_catalog *cat = cf_catalog_create();
    cf_runset *rs = NULL;
    cf_frontier *f = NULL;
    char *json = NULL, *csv = NULL, *table = NULL;
    if (cat == NULL) goto done;
    if ((st = cf_catalog_load_string(cat, CATALOG, "test catalog", &err)) != CF_OK) goto done;
    st = CF_ERR_NOMEM;
    if ((rs = cf_runset_create(cat, NULL)) == NULL) goto done;
    static const char *const names[] = {"run_id", "accuracy", "gpu_hours", "hardware", "precision"};
    static const char *const rows[][5] = {{"r1", "0.80", "10", "gpu-a", "bf16"},
                                          {"r2", "0.90", "40", "gpu-a", "bf16"},
                                          {"r3", "0.85", "50", "gpu-a", "bf16"},
                                          {"r4", "0.70", "5", "gpu-a", "bf16"}};
    if ((st = cf_runset_begin_source(rs, "runs.csv")) != CF_OK) goto done;
    for (size_t i = 0; i < 4; i++)
        if ((st = cf_runset_add_raw(rs, (long)i + 2, 5, names, rows[i], NULL, NULL)) != CF_OK) goto done;
    if ((st = cf_runset_end_source(rs, &err)) != CF_OK) goto done;
    cf_frontier_opts o;
    cf_frontier_opts_default(&o);
    st = CF_ERR_NOMEM;
    if ((f = cf_frontier_create(rs, cat, &o)) == NULL) goto done;
    if ((st = cf_frontier_compute(f, &err)) != CF_OK) goto done;
    if ((st = cf_report_json(f, rs, cat, &json, &err)) != CF_OK) goto done;
    cr_assert_not_null(json, "CF_OK with no JSON");
    if ((st = cf_report_csv(f, &csv, &err)) != CF_OK) goto done;
    st = cf_report_table(f, rs, &table, &err);
done:
    free(json);
    free(csv);
    free(table);
    cf_frontier_destroy(f);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
    return st;
}

Test(nomem, every_single_allocation_failure_is_reported_not_crashed)
{
    cr_assert_eq(pipeline(), CF_OK, "the pipeline works with memory to spare");
    long k = 0, nomem = 0;
    for (;; k++) {
        failed = 0;
        countdown = k;
        cf_status st = pipeline();
        countdown = -1;
        if (!failed) {
            cr_assert_eq(st, CF_OK);
            break; /* k is past the last allocation: every point has been tried */
        }
        /* A failed allocation may be absorbed (an optional cache, a grower retrying smaller), but then the
         * result must still be complete: CF_OK. Otherwise it must be reported as such. */
        cr_assert(st == CF_OK || st == CF_ERR_NOMEM, "allocation %ld failed: status %d (%s), expected out of memory",
                  k, (int)st, cf_status_str(st));
        if (st == CF_ERR_NOMEM) nomem++;
        cr_assert_lt(k, 2000000, "runaway sweep");
    }
    cr_assert_gt(k, 50, "the sweep covered the pipeline's allocations (%ld)", k);
    cr_assert_gt(nomem, k / 2, "most failures reach the caller as CF_ERR_NOMEM (%ld of %ld)", nomem, k);
}
#else
Test(nomem, every_single_allocation_failure_is_reported_not_crashed)
{
    cr_skip_test("allocation-failure sweep is not built under the sanitizers");
}
#endif
