/* costfront: the body shared by the reader fuzz targets: read a file with one reader, then validate the records
 * into a runset against the default catalog, as `costfront frontier` does. */
#ifndef COSTFRONT_FUZZ_RECORDS_H
#define COSTFRONT_FUZZ_RECORDS_H
#include "costfront/catalog.h"
#include "costfront/records.h"
#include "costfront/runset.h"
#include "costfront/sources.h"
#include "fuzz_util.h"

typedef cf_status (*fuzz_reader)(const char *path, cf_records *out, cf_error *err);

static cf_catalog *fuzz_catalog;

/* Reads path with reader and, when that succeeds, turns the records into a runset. Every failure must be a status
 * with a message: a crash, a leak or undefined behaviour is the finding. */
static void fuzz_read_records(fuzz_reader reader, const char *path)
{
    cf_error err;
    cf_error_clear(&err);
    if (fuzz_catalog == NULL) {
        fuzz_catalog = cf_catalog_create();
        if (fuzz_catalog == NULL || cf_catalog_load_default(fuzz_catalog, &err) != CF_OK) abort();
    }
    cf_records *r = cf_records_create();
    if (r == NULL) abort();
    if (reader(path, r, &err) == CF_OK) {
        cf_runset *rs = cf_runset_create(fuzz_catalog, NULL);
        if (rs == NULL) abort();
        (void)cf_records_to_runset(r, rs, &err);
        cf_runset_destroy(rs);
    } else if (err.message[0] == '\0') {
        abort(); /* a failure without a message is a defect too */
    }
    cf_records_destroy(r);
}
#endif
