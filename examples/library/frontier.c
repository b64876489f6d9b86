/* Using libcostfront from C: read runs, price them, compute the frontier, print it as JSON.
 *
 * Build (after ./setup.sh), statically:
 *   cc examples/library/frontier.c -Iinclude build/libcostfront.a -o frontier_example \
 *      $(pkg-config --libs nlopt libcjson libxml-2.0 sqlite3 yaml-0.1) -lgsl -lopenblas -lcsv -lm
 * or against build/libcostfront.so with -Lbuild -lcostfront -Wl,-rpath,$PWD/build; CMake builds it as
 * build/example_frontier. Run: ./frontier_example examples/runs.csv
 */
#include <stdio.h>
#include <stdlib.h>

#include "costfront/catalog.h"
#include "costfront/frontier.h"
#include "costfront/report.h"
#include "costfront/runset.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s RUNS.csv\n", argv[0]);
        return 1;
    }
    cf_gsl_quiet();
    cf_error err;
    cf_error_clear(&err);
    char msg[1024];
    int rc = 2;
    cf_catalog *cat = cf_catalog_create();
    cf_runset *runs = NULL;
    cf_frontier *f = NULL;
    char *json = NULL;
    if (cat == NULL || cf_catalog_load_default(cat, &err) != CF_OK) goto fail;
    runs = cf_runset_create(cat, NULL); /* no column mapping */
    if (runs == NULL || cf_read_runs(runs, argv[1], &err) != CF_OK) goto fail;
    fprintf(stderr, "%zu runs accepted, %zu rejected\n", cf_runset_size(runs), cf_runset_rejected(runs));

    cf_frontier_opts opts;
    cf_frontier_opts_default(&opts); /* accuracy:max, total_cost_usd:min, the four cloud options */
    f = cf_frontier_create(runs, cat, &opts);
    if (f == NULL || cf_frontier_compute(f, &err) != CF_OK) goto fail;
    for (size_t j = 0; j < cf_frontier_optimal_count(f); j++) {
        const cf_candidate *c = cf_frontier_candidate(f, cf_frontier_optimal_at(f, j));
        printf("%-8s %-12s %-10s accuracy %.4f  total %.2f USD\n", c->run_id, cf_procurement_name(c->price.option),
               c->hardware, c->accuracy, c->price.total_cost_usd);
    }
    printf("hypervolume %.6g\n", cf_frontier_hypervolume(f));
    if (cf_report_json(f, runs, cat, &json, &err) != CF_OK) goto fail;
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "%s\n", cf_error_format(&err, msg, sizeof msg));
done:
    free(json);
    cf_frontier_destroy(f);
    cf_runset_destroy(runs);
    cf_catalog_destroy(cat);
    return rc;
}
