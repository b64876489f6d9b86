/* costfront: the canonical run fields and the column mapping's internals, shared by the runset (data/runset.c)
 * and the mapping (data/colmap.c). Private to the library.
 *
 * Ownership: a cf_colmap owns its strings; cf_colmap_copy returns a mapping the caller destroys.
 */
#ifndef COSTFRONT_RUNSET_FIELDS_H
#define COSTFRONT_RUNSET_FIELDS_H

#include "costfront/runset.h"

/* Canonical fields of a run, in the order records are checked. */
enum {
    F_RUN_ID,
    F_ACCURACY,
    F_GPU_HOURS,
    F_WALL_HOURS,
    F_NUM_GPUS,
    F_PRECISION,
    F_PRUNING,
    F_HARDWARE,
    F_REGION,
    F_PROVIDER,
    F_PROCUREMENT,
    F_MODEL,
    F_DATASET,
    F_PROJECT,
    /* issue 16: the whole cost of a run (data egress, storage, checkpoints) */
    F_DATA_GB,
    F_DATA_LOCATION,
    F_CHECKPOINT_GB,
    F_STORAGE_DAYS,
    F_MODEL_GB,
    F_NUM_NODES,
    /* issue 11: inference runs */
    F_TOKENS_PER_S,
    F_SAMPLES_PER_S,
    F_QUERIES_PER_S,
    F_INPUT_TOKENS_PER_S,
    F_OUTPUT_TOKENS_PER_S,
    F_IO_RATIO,
    F_TTFT_MS,
    F_TPOT_MS,
    F_P50_MS,
    F_P99_MS,
    F_POWER_W,
    F_COUNT,
    F_IGNORE = -2,
    F_PARAM = -1
};

/* Names of the canonical fields, by index. */
extern const char *const cf_runset_field_names[F_COUNT];

/* Index of the canonical field name (case-insensitive, ' ' and '-' taken as '_'), F_IGNORE for "ignore", or
 * F_PARAM. */
int cf_runset_canon_field(const char *name);

struct cf_colmap {
    size_t n, cap;
    char **from;             /* raw column names, matched case-insensitively */
    char **to;               /* canonical name, "ignore" or a hyperparameter name */
    int accuracy_mode;       /* 1 percent, 0 fraction, -1 detect */
    double hours_scale;      /* multiplies gpu_hours and wall_hours */
    char *defaults[F_COUNT]; /* default value per canonical field, or NULL */
    size_t n_extract;        /* issue 11: metrics picked out of free-text columns */
    char **extract_from;     /* raw column name or canonical field */
    char **extract_metric;   /* metric name ("ROUGE1") */
};

/* Copies src (NULL gives an empty mapping) into a new mapping; returns NULL on allocation failure. */
cf_colmap *cf_colmap_copy(const cf_colmap *src);

/* A malloc'd copy of s without leading and trailing white space; NULL when s is NULL or all blank (*oom is set
 * when the allocation fails). Defined in data/runset.c. */
char *cf_dup_trimmed(const char *s, int *oom);

#endif
