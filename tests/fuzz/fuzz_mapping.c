/* costfront fuzz target: a column-mapping file (cf_colmap_load, `--map-file`) and a `--map` pair list
 * (cf_colmap_parse_pairs) on the same bytes. */
#include "costfront/runset.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cf_error err;
    cf_error_clear(&err);
    cf_colmap *m = cf_colmap_create();
    if (m == NULL) abort();
    if (cf_colmap_load(m, fuzz_write("map.json", data, size), &err) != CF_OK && err.message[0] == '\0') abort();
    cf_colmap_destroy(m);
    char *text = fuzz_cstr(data, size);
    m = cf_colmap_create();
    if (m == NULL) abort();
    cf_error_clear(&err);
    if (cf_colmap_parse_pairs(m, text, &err) != CF_OK && err.message[0] == '\0') abort();
    cf_colmap_destroy(m);
    free(text);
    return 0;
}
