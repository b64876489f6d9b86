/* The floor for reading a CSV file of runs (issue 14): loads the file into memory and counts its records and fields
 * with libcsv (strict mode, as data/read_csv.c uses it) and nothing else, so bench/scale.sh can state how far
 * `costfront frontier` is from the cost of reading the bytes. Usage: bench_csv_count FILE; prints
 * "records R fields F seconds S" on standard output. */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Counts of what libcsv found. */
typedef struct counts {
    size_t fields, records, bytes;
} counts;

/* Field callback: counts the field and its bytes (so the parse cannot be optimised away). */
static void on_field(void *s, size_t len, void *data)
{
    (void)s;
    counts *c = data;
    c->fields++;
    c->bytes += len;
}

/* Record callback: counts the record. */
static void on_record(int ch, void *data)
{
    (void)ch;
    ((counts *)data)->records++;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_csv_count FILE\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    FILE *fp = fopen(argv[1], "rb");
    if (fp == NULL) {
        perror(argv[1]);
        return 1;
    }
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    if (buf == NULL || fread(buf, 1, (size_t)len, fp) != (size_t)len) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    fclose(fp);
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) return 1;
    counts c = {0, 0, 0};
    if (csv_parse(&p, buf, (size_t)len, on_field, on_record, &c) != (size_t)len || csv_fini(&p, on_field, on_record, &c)) {
        fprintf(stderr, "%s: %s\n", argv[1], csv_strerror(csv_error(&p)));
        return 1;
    }
    csv_free(&p);
    free(buf);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("records %zu fields %zu seconds %.3f\n", c.records, c.fields, s);
    return 0;
}
