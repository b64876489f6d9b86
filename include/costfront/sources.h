/* costfront: readers for the places ML teams keep runs (data/read_mlflow.c, read_optuna.c, read_wandb.c,
 * read_xml.c, read_source.c).
 *
 * Each reader turns one source into raw records in a cf_records buffer (records.h): it does not validate values,
 * map names or convert units -- cf_runset does that for every reader alike, when the records are fed to it with
 * cf_records_to_runset or loaded back from the run store. Runs that are not finished (running, failed, killed,
 * deleted, pruned, crashed) are skipped, counted per reason and described in a note, never silently dropped.
 *
 * Names of the pairs each reader emits (map them to canonical fields with a cf_colmap, e.g. val_acc=accuracy):
 *  - MLflow (file store or tracking database): run_id = the run uuid; project = the experiment name; run_name =
 *    the run's name (meta.yaml run_name, or the mlflow.runName tag); every metric by key (its latest value: largest
 *    step, then latest timestamp); every param by key; every user tag by key. Tags in the mlflow.* namespace are
 *    left out. When a param or tag has the name of an earlier pair (metrics first, then params, then tags), it is
 *    renamed "param.<key>" or "tag.<key>". Nested keys (a/b) keep their '/'. NaN becomes "nan", infinities "inf" /
 *    "-inf" (the tracking database stores them as +-DBL_MAX, which are read back as infinities, as MLflow does).
 *  - Optuna (SQLite storage): run_id = "<study name>#<trial number>"; project = the study name; the objective
 *    values as "value" (single objective) or "value_0", "value_1", ... -- or by the study's metric names when the
 *    study stores them (optuna's set_metric_names, system attribute "study:metric_names"); every param by name,
 *    decoded through its distribution (categoricals give the chosen choice, integers print without a decimal
 *    point); every user attribute by key (JSON strings unquoted, other JSON as text). A name already taken is
 *    prefixed "objective.", "param." or "attr.". Only COMPLETE trials are records; RUNNING, WAITING, FAIL and
 *    PRUNED trials are skipped and counted.
 *  - W&B runs-table CSV (web UI export: Name, State, Notes, User, Tags, Created, Runtime, Sweep, then config and
 *    summary columns): run_id = the ID column when present (the Name then becomes run_name), else Name; every other
 *    non-empty column by its header, except State, Notes, User, Tags, Created and Sweep, which are left out. The
 *    Runtime column (seconds) is emitted as "runtime_s"; map it with runtime_s=wall_hours plus an hours scale of
 *    1/3600 (cf_colmap_set_hours_scale, which scales gpu_hours too) when wall time is wanted. Runs whose State is
 *    running, crashed, failed, killed, preempted or pending are skipped and counted.
 *  - W&B public-API pandas CSV (columns summary, config, name holding Python dict literals): the dicts are
 *    flattened (nested keys joined with '.'), config keys first, then summary keys (a summary key equal to a config
 *    key becomes "summary.<key>"); keys beginning with '_' (W&B's _runtime, _step, _timestamp, _wandb) are left
 *    out except _runtime, emitted as "runtime_s". run_id = name (or id). True/False/None become "true"/"false"/"".
 *  - XML (runs.xsd): run_id = the id attribute; each child element by its tag; <param name="x"> by x.
 *
 * Ownership: readers append to a cf_records owned by the caller; on failure they may have appended a source and
 * part of its records, which the caller discards with the buffer.
 */
#ifndef COSTFRONT_SOURCES_H
#define COSTFRONT_SOURCES_H

#include "costfront/records.h"
#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads an MLflow file store: path is an mlruns directory (every experiment directory in it except .trash) or a
 * single experiment directory (one holding meta.yaml and run directories). Fails with CF_ERR_IO for a missing
 * directory, CF_ERR_PARSE naming the file and line for a damaged meta.yaml or metric file. */
cf_status cf_read_mlflow(const char *path, cf_records *out, cf_error *err);

/* Reads an MLflow SQLite tracking database (tables experiments, runs, metrics, latest_metrics, params, tags). Fails
 * with CF_ERR_DB naming the file when it is not a readable SQLite database or lacks MLflow's tables. */
cf_status cf_read_mlflow_db(const char *path, cf_records *out, cf_error *err);

/* Reads every study of an Optuna SQLite storage. Fails with CF_ERR_DB for a damaged database, CF_ERR_PARSE naming
 * the trial and param for a distribution it cannot decode. */
cf_status cf_read_optuna(const char *path, cf_records *out, cf_error *err);

/* Reads a Weights & Biases CSV export, either kind (detected from the header). */
cf_status cf_read_wandb(const char *path, cf_records *out, cf_error *err);

/* Reads a plain CSV file (a header line, then one run per line) into records without validating it: every
 * non-empty cell by its header name, key = the run_id (or id, name) cell or "line:<n>". */
cf_status cf_read_csv_records(const char *path, cf_records *out, cf_error *err);

/* Reads a JSON file of runs (an array of objects, {"runs": [...]}, or JSON Lines) into records: every member by
 * name (nested objects flattened with '.'), key = run_id (or id, name) or "line:<n>". */
cf_status cf_read_json_records(const char *path, cf_records *out, cf_error *err);

/* Reads an XML runs file after validating it against runs.xsd (compiled in); fails with CF_ERR_PARSE naming the
 * line for malformed XML or a schema violation. */
cf_status cf_read_xml(const char *path, cf_records *out, cf_error *err);

/* Reads an MLPerf Inference summary_results.json (issue 11; see data/read_mlperf.c for the fields): one record
 * per result with canonical names (hardware, num_gpus = a# x Nodes, precision from weight_data_types, accuracy as
 * its free text, tokens_per_s / samples_per_s / queries_per_s by Performance_Units, power_w, scenario, division).
 * Latency-only results (SingleStream, MultiStream) are skipped and counted. */
cf_status cf_read_mlperf(const char *path, cf_records *out, cf_error *err);

/* 1 when the first 64 KB of path (or of text) look like an MLPerf summary: members "Performance_Units" and
 * "Accelerator". */
int cf_mlperf_sniff(const char *path);
int cf_mlperf_sniff_text(const char *text, size_t len);

/* The XML schema text for runs files (identical to data/runs.xsd). */
const char *cf_runs_xsd(void);

/* Kinds of source that cf_detect_source tells apart. */
typedef enum cf_source_kind {
    CF_SOURCE_UNKNOWN = 0,
    CF_SOURCE_MLFLOW_DIR, /* a directory holding meta.yaml, or an mlruns directory */
    CF_SOURCE_MLFLOW_DB,  /* SQLite with tables runs, metrics and experiments */
    CF_SOURCE_OPTUNA,     /* SQLite with tables studies and trials */
    CF_SOURCE_WANDB,      /* CSV whose header is a W&B export */
    CF_SOURCE_CSV,        /* any other CSV */
    CF_SOURCE_JSON,       /* .json, .jsonl, .ndjson */
    CF_SOURCE_XML,        /* .xml, or text starting with '<' */
    CF_SOURCE_MLPERF      /* JSON whose results carry Performance_Units and Accelerator (MLPerf Inference) */
} cf_source_kind;

/* Short name of a kind ("mlflow", "mlflow-db", "optuna", "wandb", "csv", "json", "xml", "mlperf", "unknown"). */
const char *cf_source_kind_name(cf_source_kind k);

/* Decides what kind of source path is from its type (directory), its first bytes (SQLite header, '<', '{', '[')
 * and, for SQLite files, its tables. Returns CF_ERR_IO for a path that cannot be opened, CF_ERR_DB for an SQLite
 * file that cannot be queried, CF_ERR_INVALID for a source of no known kind. */
cf_status cf_detect_source(const char *path, cf_source_kind *kind, cf_error *err);

/* Detects the kind of path and reads it with the matching reader into out. */
cf_status cf_read_source(const char *path, cf_records *out, cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
