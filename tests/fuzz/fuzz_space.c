/* costfront fuzz target: a search-space file (cf_space_parse), written back when it parses (cf_space_to_json), as
 * `costfront study create --space` and `suggest` read it. */
#include "costfront/space.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    cf_error err;
    cf_error_clear(&err);
    cf_space *s = NULL;
    if (cf_space_parse(text, &s, &err) == CF_OK) {
        free(cf_space_to_json(s));
        cf_space_destroy(s);
    } else if (err.message[0] == '\0') {
        abort();
    }
    free(text);
    return 0;
}
