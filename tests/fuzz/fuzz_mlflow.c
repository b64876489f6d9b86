/* costfront fuzz target: the MLflow file-store reader (cf_read_mlflow). The input is cut at lines "--8<--" into
 * up to five files of one run: the experiment's meta.yaml, the run's meta.yaml, a metric, a param and a tag
 * (the layout of tests/fixtures/gen_mlflow.py), then the store is read and validated into a runset. */
#include "fuzz_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const PARTS[] = {"mlruns/1/meta.yaml", "mlruns/1/abcd1234/meta.yaml",
                                    "mlruns/1/abcd1234/metrics/accuracy", "mlruns/1/abcd1234/params/lr",
                                    "mlruns/1/abcd1234/tags/hardware"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char SEP[] = "\n--8<--\n";
    const size_t nparts = sizeof PARTS / sizeof PARTS[0];
    size_t start = 0;
    /* Every part is written (possibly empty) so that the reader sees the same tree shape each time. */
    for (size_t part = 0; part < nparts; part++) {
        size_t end = size;
        const uint8_t *at = NULL;
        if (part + 1 < nparts && start < size)
            at = memmem(data + start, size - start, SEP, sizeof SEP - 1);
        if (at != NULL) end = (size_t)(at - data);
        fuzz_write(PARTS[part], data + start, end - start);
        start = at != NULL ? end + sizeof SEP - 1 : size;
    }
    char root[128];
    snprintf(root, sizeof root, "%s/mlruns", fuzz_tmpdir());
    fuzz_read_records(cf_read_mlflow, root);
    return 0;
}
