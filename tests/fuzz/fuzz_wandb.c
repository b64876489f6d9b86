/* costfront fuzz target: the wandb reader (cf_read_wandb) on arbitrary bytes, then validation into a runset. */
#include "fuzz_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read_records(cf_read_wandb, fuzz_write("wandb_export.csv", data, size));
    return 0;
}
