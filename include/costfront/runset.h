/* costfront: the in-memory form of experiment runs, whatever their source (data/runset.c).
 *
 * A cf_runset holds accepted runs (canonical fields plus typed hyperparameter columns), the rejected records with
 * their reasons, and the counts read / accepted / rejected. Every reader (CSV, JSON, XML, MLflow, Optuna, W&B, the
 * SQLite store) produces raw records of (name, value) strings through cf_runset_begin_source / cf_runset_add_raw /
 * cf_runset_end_source; all validation shared by readers (column mapping, units, ranges, precision spellings,
 * hardware aliases, duplicates) happens here, in one place.
 *
 * Ownership: the runset owns every string it returns; pointers stay valid until cf_runset_destroy. Callers own
 * what they pass in (the runset copies). A cf_colmap is owned by its creator and only read by the runset.
 */
#ifndef COSTFRONT_RUNSET_H
#define COSTFRONT_RUNSET_H

#include <stddef.h>

#include "costfront/catalog.h"
#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Numeric precision of training or inference, ordered from widest to narrowest. */
typedef enum cf_precision {
    CF_PREC_UNKNOWN = 0,
    CF_PREC_FP32,
    CF_PREC_TF32,
    CF_PREC_BF16,
    CF_PREC_FP16,
    CF_PREC_FP8,
    CF_PREC_INT8,
    CF_PREC_INT4,
    CF_PREC_COUNT
} cf_precision;

/* Canonical short name ("fp32", "bf16", ...) of a precision; "unknown" for CF_PREC_UNKNOWN. */
const char *cf_precision_name(cf_precision p);

/* Parses a precision from common spellings (case-insensitive): fp32/float32/float/single/32, tf32, bf16/bfloat16,
 * fp16/float16/half/16, fp8/float8/e4m3/e5m2, int8/8bit/w8a8, int4/4bit/w4a16/nf4 ... Returns CF_ERR_INVALID for
 * anything else. */
cf_status cf_precision_parse(const char *s, cf_precision *out);

/* Bits per weight of a precision (32, 19 for tf32, 16, 8, 4); 0 for unknown. */
int cf_precision_bits(cf_precision p);

/* What an inference run's throughput counts (issue 11). A frontier never mixes units: tokens, samples and queries
 * are different work, and a training run (CF_WORK_NONE) is priced per run, not per 1M units. */
typedef enum cf_work_unit {
    CF_WORK_NONE = 0, /* a training run: gpu_hours are the run's own */
    CF_WORK_TOKENS,   /* tokens_per_s (input + output when both are given) */
    CF_WORK_SAMPLES,  /* samples_per_s */
    CF_WORK_QUERIES,  /* queries_per_s */
    CF_WORK_COUNT
} cf_work_unit;

/* Plural noun of a unit ("tokens", "samples", "queries"; "" for CF_WORK_NONE). */
const char *cf_work_unit_name(cf_work_unit u);

/* Accelerator-hours to process one million units at throughput_per_s units per second on num_gpus accelerators:
 * num_gpus / (throughput_per_s x 3600) x 1e6. NaN unless both are positive and finite. */
double cf_gpu_hours_per_1m(double num_gpus, double throughput_per_s);

/* Parses "ratio" text for an input:output token ratio: "4", "4:1", "3.5 : 1" -> input tokens per output token.
 * Returns CF_ERR_INVALID unless the result is finite and positive. */
cf_status cf_io_ratio_parse(const char *s, double *out);

/* One accepted run. Strings are NULL when the field was absent; numbers are NaN when absent.
 *
 * An inference run (work_unit != CF_WORK_NONE) gives a throughput instead of hours: its gpu_hours are the
 * accelerator-hours per 1M units (cf_gpu_hours_per_1m) and its wall_hours the hours per 1M units
 * (1e6 / (throughput x 3600)), so every price, energy and carbon figure of it is per 1M units. */
typedef struct cf_run {
    const char *run_id;      /* unique within the runset */
    double accuracy;         /* fraction in [0, 1] */
    double gpu_hours;        /* accelerator-hours (wall_hours x num_gpus when only those were given) */
    double wall_hours;       /* NaN when unknown */
    double num_gpus;         /* NaN when unknown */
    cf_precision precision;  /* CF_PREC_UNKNOWN only if the column was absent */
    double pruning;          /* sparsity fraction in [0, 1); 0 when absent */
    const char *hardware;    /* catalog hardware id, resolved from any alias */
    const char *region;      /* catalog region id or NULL */
    const char *provider;    /* provider name or NULL */
    const char *procurement; /* on_demand, spot, reserved_1y, reserved_3y, on_prem, or NULL */
    const char *model;
    const char *dataset;
    const char *project;
    const char *source; /* where the run came from: a file path, or "store:<kind>:<path>" */
    long line;          /* 1-based line (record number for non-line formats), 0 when unknown */
    /* The whole cost of a run (issue 16); NaN / NULL when absent, and a run without them is priced as before. */
    double data_gb;            /* GB of data the run reads (moved to the compute region when it lives elsewhere) */
    const char *data_location; /* where the data lives: "provider/region", or a region alone (see pricing.h) */
    double checkpoint_gb;      /* GB of one checkpoint */
    double storage_days;       /* days data, checkpoints and the final model are kept */
    double model_gb;           /* GB of the trained artefact */
    double num_nodes;          /* machines of a multi-node job (>= 1) */
    /* Inference runs (issue 11); NaN when absent. Throughputs are of the whole system of num_gpus accelerators. */
    cf_work_unit work_unit;    /* CF_WORK_NONE for a training run */
    double throughput_per_s;   /* units of work_unit per second (tokens, samples or queries) */
    double tokens_per_s;       /* input + output tokens per second, or tokens as the source counts them */
    double samples_per_s, queries_per_s;
    double input_tokens_per_s, output_tokens_per_s; /* split of tokens_per_s, when the data allows it */
    double input_output_ratio; /* input tokens per output token */
    double ttft_ms, tpot_ms;   /* time to first token, time per output token (kept as fields) */
    double latency_p50_ms, latency_p99_ms;
    double power_w;            /* measured system power (W, all accelerators and host): energy uses it */
} cf_run;

/* Kind of a hyperparameter column, decided once all rows are read. */
typedef enum cf_param_kind {
    CF_PARAM_NUMERIC = 0,    /* every present value parses as a finite number */
    CF_PARAM_INTEGER = 1,    /* numeric and every present value is an integer */
    CF_PARAM_CATEGORICAL = 2 /* anything else */
} cf_param_kind;

/* A rejected record: where it was and why. */
typedef struct cf_reject {
    const char *source;
    long line;
    long column;         /* 1-based column of the offending field, 0 when unknown */
    const char *field;   /* canonical or original field name, may be "" */
    const char *message; /* expected vs found */
    const char *raw;     /* the raw record as text (for a rejects file), may be "" */
} cf_reject;

/* Maps user column names to canonical ones (val_acc -> accuracy) and declares units. */
typedef struct cf_colmap cf_colmap;

/* Creates an empty mapping. Returns NULL on allocation failure. */
cf_colmap *cf_colmap_create(void);

/* Frees a mapping. Accepts NULL. */
void cf_colmap_destroy(cf_colmap *m);

/* Adds "from -> to" where to is a canonical field name (run_id, accuracy, gpu_hours, wall_hours, num_gpus,
 * precision, pruning, hardware, region, provider, procurement, model, dataset, project, data_gb, data_location,
 * checkpoint_gb, storage_days, model_gb, num_nodes, and for inference runs tokens_per_s, samples_per_s,
 * queries_per_s, input_tokens_per_s, output_tokens_per_s, input_output_ratio, ttft_ms, tpot_ms, latency_p50_ms,
 * latency_p99_ms, power_w) or "ignore", or any new
 * hyperparameter name. Returns CF_ERR_INVALID for an empty name. */
cf_status cf_colmap_add(cf_colmap *m, const char *from, const char *to);

/* Parses "a=b,c=d" (the --map option) into m. */
cf_status cf_colmap_parse_pairs(cf_colmap *m, const char *pairs, cf_error *err);

/* Loads a mapping file: JSON {"columns": {"val_acc": "accuracy", ...}, "accuracy_unit": "percent"|"fraction",
 * "gpu_hours_unit": "hours"|"seconds"|"minutes", "defaults": {"hardware": "a100-80gb", ...},
 * "extract": {"Accuracy": "ROUGE1", ...}} (see cf_colmap_set_extract). */
cf_status cf_colmap_load(cf_colmap *m, const char *path, cf_error *err);

/* Declares the unit of the accuracy column: 1 percent, 0 fraction, -1 detect (the default; detection happens per
 * source and is reported as a note, never silently). */
void cf_colmap_set_accuracy_percent(cf_colmap *m, int mode);

/* Scales gpu_hours and wall_hours values by factor (1/3600 for seconds). Default 1. */
void cf_colmap_set_hours_scale(cf_colmap *m, double factor);

/* Sets a default value for a canonical field used when a record lacks it (e.g. hardware for a single-GPU team). */
cf_status cf_colmap_set_default(cf_colmap *m, const char *field, const char *value);

/* Picks metric out of the free text of column `from` ("ROUGE1: 44.53  ROUGE2: 22.07", "acc=76.1; top5=93"): the
 * number after the metric's name (case-insensitive, followed by ':' or '=') replaces the text before the value is
 * validated; a record whose text lacks the metric is rejected naming it. `from` is a raw column name or the
 * canonical field it maps to ("accuracy": whatever column feeds accuracy). Without an extract, a free-text accuracy
 * gives its first metric, said in a note. */
cf_status cf_colmap_set_extract(cf_colmap *m, const char *from, const char *metric);

/* Finds metric in free text s as cf_colmap_set_extract describes (metric NULL: the first "NAME: number" pair) and
 * writes its value to *value and, when name is not NULL, the metric's name as written into name (size n).
 * Returns CF_ERR_NOT_FOUND when s holds no such pair. */
cf_status cf_metric_extract(const char *s, const char *metric, double *value, char *name, size_t n);

/* The canonical name a raw column name maps to (itself when unmapped). */
const char *cf_colmap_lookup(const cf_colmap *m, const char *from);

/* The collection of runs. */
typedef struct cf_runset cf_runset;

/* Creates an empty runset that resolves hardware and region names through cat (which must outlive it; may be NULL
 * to skip resolution) and maps columns through map (may be NULL; copied). Returns NULL on allocation failure. */
cf_runset *cf_runset_create(const cf_catalog *cat, const cf_colmap *map);

/* Frees a runset and everything it owns. Accepts NULL. */
void cf_runset_destroy(cf_runset *rs);

/* Starts a batch of raw records from one source (a file); source is copied. Percent detection and column typing
 * work per batch. */
cf_status cf_runset_begin_source(cf_runset *rs, const char *source);

/* Adds one raw record of n (name, value) pairs found at line (and columns[i], may be NULL) of the current source.
 * Empty strings and NULL values count as absent. raw (may be NULL) is the record's text for a rejects file.
 * The record is validated when the source ends; the return value only reports allocation failures. */
cf_status cf_runset_add_raw(cf_runset *rs, long line, size_t n, const char *const *names, const char *const *values,
                            const long *columns, const char *raw);

/* Records a record that a reader itself could not parse (bad quoting, a JSON syntax error on a line): it counts
 * as read and rejected. */
cf_status cf_runset_reject_raw(cf_runset *rs, long line, long column, const char *field, const char *message,
                               const char *raw);

/* Validates and accepts the current batch. Returns CF_OK even when records were rejected (see
 * cf_runset_rejected); returns CF_ERR_INVALID only for errors that concern the whole source (accuracy column of
 * mixed units, no usable columns, empty source) with the detail in err; such a batch is discarded whole (nothing
 * of it is counted, accepted or rejected) and the source is closed either way. */
cf_status cf_runset_end_source(cf_runset *rs, cf_error *err);

/* Number of accepted runs. */
size_t cf_runset_size(const cf_runset *rs);

/* The i-th accepted run (0-based, in input order), or NULL when out of range. */
const cf_run *cf_runset_get(const cf_runset *rs, size_t i);

/* Index of the run with this id, or (size_t)-1. */
size_t cf_runset_find(const cf_runset *rs, const char *run_id);

/* Counts over every source so far. */
size_t cf_runset_read(const cf_runset *rs);
size_t cf_runset_rejected(const cf_runset *rs);

/* The i-th rejected record, or NULL. */
const cf_reject *cf_runset_reject(const cf_runset *rs, size_t i);

/* Notes about conversions that were applied (e.g. "runs.csv: accuracy column read as percent (all 120 values in
 * (1, 100]); divided by 100"). */
size_t cf_runset_note_count(const cf_runset *rs);
const char *cf_runset_note(const cf_runset *rs, size_t i);

/* Hyperparameter columns: every column that is not canonical. */
size_t cf_runset_param_count(const cf_runset *rs);
const char *cf_runset_param_name(const cf_runset *rs, size_t j);
cf_param_kind cf_runset_param_kind(const cf_runset *rs, size_t j);

/* Value of hyperparameter j for run i: as a number (NaN when absent or categorical) or as text (NULL when
 * absent). */
double cf_runset_param_num(const cf_runset *rs, size_t i, size_t j);
const char *cf_runset_param_str(const cf_runset *rs, size_t i, size_t j);

/* Index of the hyperparameter column with this name, or (size_t)-1. */
size_t cf_runset_param_find(const cf_runset *rs, const char *name);

/* A numeric field of run i by name: a canonical numeric field (accuracy, gpu_hours, wall_hours, num_gpus,
 * pruning, the inference fields tokens_per_s ... power_w) or a numeric hyperparameter. Returns CF_ERR_NOT_FOUND when no such numeric column exists. */
cf_status cf_runset_numeric(const cf_runset *rs, size_t i, const char *name, double *out);

/* Reader entry points (data/read_*.c). Each reads one file into rs as one source. They return CF_OK when the file
 * was read (records may still have been rejected), or a failure with err set for a file that cannot be read at
 * all (missing, empty, not UTF-8, not the format). */
cf_status cf_read_csv(cf_runset *rs, const char *path, cf_error *err);
cf_status cf_read_json(cf_runset *rs, const char *path,
                       cf_error *err); /* a JSON array, {"runs": [...]}, or JSON Lines */

/* Reads path choosing the reader from its extension or content (.csv, .json, .jsonl, .ndjson, and more as readers
 * are added). */
cf_status cf_read_runs(cf_runset *rs, const char *path, cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
