/* costfront fuzz target: the optuna reader (cf_read_optuna) on arbitrary bytes, then validation into a runset. */
#include "fuzz_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read_records(cf_read_optuna, fuzz_write("optuna.db", data, size));
    return 0;
}
