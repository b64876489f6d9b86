/* costfront fuzz target: the JSON reader (cf_read_json_records) on arbitrary bytes, as a .json document or, when
 * the first byte is odd, as JSON Lines (.jsonl), then validation into a runset. */
#include "fuzz_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const char *name = (data[0] & 1) ? "runs.jsonl" : "runs.json";
    fuzz_read_records(cf_read_json_records, fuzz_write(name, data + 1, size - 1));
    return 0;
}
