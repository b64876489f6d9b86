/* costfront fuzz target: the xml reader (cf_read_xml) on arbitrary bytes, then validation into a runset. */
#include "fuzz_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read_records(cf_read_xml, fuzz_write("runs.xml", data, size));
    return 0;
}
