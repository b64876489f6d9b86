/* costfront fuzz target: the csv reader (cf_read_csv_records) on arbitrary bytes, then validation into a runset. */
#include "fuzz_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read_records(cf_read_csv_records, fuzz_write("runs.csv", data, size));
    return 0;
}
