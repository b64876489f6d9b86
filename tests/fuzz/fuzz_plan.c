/* costfront fuzz target: a TCO plan (cf_plan_load_string) against the default catalog, evaluated when it loads,
 * as `costfront tco` does. */
#include "costfront/catalog.h"
#include "costfront/tco.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cf_catalog *cat;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cf_error err;
    cf_error_clear(&err);
    if (cat == NULL) {
        cat = cf_catalog_create();
        if (cat == NULL || cf_catalog_load_default(cat, &err) != CF_OK) abort();
    }
    char *text = fuzz_cstr(data, size);
    cf_plan *plan = cf_plan_create();
    if (plan == NULL) abort();
    if (cf_plan_load_string(plan, text, "fuzz.json", cat, &err) == CF_OK) {
        cf_tco_result *res = NULL;
        if (cf_tco_evaluate(plan, cat, &res, &err) == CF_OK) cf_tco_result_destroy(res);
    } else if (err.message[0] == '\0') {
        abort();
    }
    cf_plan_destroy(plan);
    free(text);
    return 0;
}
