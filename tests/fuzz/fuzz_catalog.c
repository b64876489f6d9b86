/* costfront fuzz target: a user catalog (cf_catalog_load_string) merged over the default catalog, then written
 * back as JSON (cf_catalog_to_json), as `costfront catalog validate` does. */
#include "costfront/catalog.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    cf_error err;
    cf_error_clear(&err);
    cf_catalog *cat = cf_catalog_create();
    if (cat == NULL || cf_catalog_load_default(cat, &err) != CF_OK) abort();
    if (cf_catalog_load_string(cat, text, "fuzz.json", &err) == CF_OK) {
        char *out = NULL;
        if (cf_catalog_to_json(cat, &out, &err) == CF_OK) free(out);
    } else if (err.message[0] == '\0') {
        abort();
    }
    cf_catalog_destroy(cat);
    free(text);
    return 0;
}
