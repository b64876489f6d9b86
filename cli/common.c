/* costfront command: shared option handling, loading of catalog and runs, error printing and exit codes. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "costfront/output.h"
#include "costfront/records.h"
#include "costfront/sources.h"

const char cf_cli_catalog_options_help[] =
    "Catalog options:\n"
    "  --catalog FILE          merge a user catalog (JSON) over the default one, by id\n"
    "  --catalog-only          use the --catalog file alone, without the default catalog\n"
    "  --carbon-price USD      carbon shadow price in USD per tonne CO2e (default: the catalog's)\n"
    "  --provider NAME         price only offers of this provider (default: the cheapest of any)\n"
    "  --region ID             price runs that name no region in this region (default: the cheapest)\n"
    "  --checkpoint-minutes M  spot: time to write one checkpoint (default 2)\n"
    "  --restart-minutes M     spot: time to restart after an interruption (default 10)\n"
    "  --today YYYY-MM-DD      reference date for stale prices (as_of more than a year before it gets a note;\n"
    "                          default: today, UTC)\n"
    "  --storage-class C       where data, checkpoints and the model are kept: object_standard (default),\n"
    "                          object_infrequent or block_ssd (runs with storage_days; README \"The whole cost\")\n"
    "  --keep-checkpoints K    keep only the last K checkpoints (default: every one written)\n"
    "  --checkpoint-every H    checkpoint interval of non-spot runs in hours (default: none; spot uses Young/Daly)\n";

const char cf_cli_run_options_help[] =
    "Input options:\n"
    "  RUNS...                 CSV, JSON, JSON Lines files of runs (see README, \"Runs in\")\n"
    "  --store DB              also read the runs kept in a costfront store (see 'costfront import')\n"
    "  --map A=B,C=D           map your column names to costfront's (e.g. val_acc=accuracy)\n"
    "  --map-file FILE         a mapping file (JSON; see README, \"Column mapping\")\n"
    "  --metric NAME           the accuracy metric picked out of free text such as MLPerf's\n"
    "                          \"ROUGE1: 44.53  ROUGE2: 22.07\" (default: the first one, said in a note)\n"
    "  --accuracy-unit U       fraction, percent or detect (default detect: a column whose values are all\n"
    "                          in [0,100] with some above 1 is read as percent, and a note says so)\n"
    "  --keep-going            use the good rows of a file with bad rows (default: refuse the input)\n"
    "  --rejects FILE          write rejected rows with their reasons to FILE (CSV); implies --keep-going\n"
    "  --max-errors N          list at most N errors (default 20; the count is always complete)\n"
    "  --quiet                 do not print notes on stderr (the counts read / accepted / rejected always are)\n";

void cf_cli_inputs_init(cf_cli_inputs *in)
{
    memset(in, 0, sizeof *in);
    in->accuracy_percent = -1;
    in->max_errors = 20;
    in->carbon_price = NAN;
    in->checkpoint_minutes = NAN;
    in->restart_minutes = NAN;
    in->storage_class = -1;
    in->checkpoint_every_hours = NAN;
}

int cf_cli_parse_double(const char *opt, const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (s[0] == '\0' || *end != '\0' || errno != 0 || !isfinite(v)) {
        fprintf(stderr, "costfront: %s: expected a number, found '%s'\n", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cf_cli_parse_long(const char *opt, const char *s, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (s[0] == '\0' || *end != '\0' || errno != 0) {
        fprintf(stderr, "costfront: %s: expected an integer, found '%s'\n", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cf_cli_inputs_option(cf_cli_inputs *in, int opt, const char *arg)
{
    switch (opt) {
    case CF_OPT_CATALOG: in->catalog_path = arg; return 1;
    case CF_OPT_CATALOG_ONLY: in->catalog_only = 1; return 1;
    case CF_OPT_MAP: in->map_pairs = arg; return 1;
    case CF_OPT_MAP_FILE: in->map_file = arg; return 1;
    case CF_OPT_METRIC: in->metric = arg; return 1;
    case CF_OPT_ACCURACY_UNIT:
        if (!strcmp(arg, "fraction"))
            in->accuracy_percent = 0;
        else if (!strcmp(arg, "percent"))
            in->accuracy_percent = 1;
        else if (!strcmp(arg, "detect"))
            in->accuracy_percent = -1;
        else {
            fprintf(stderr, "costfront: --accuracy-unit: expected fraction, percent or detect, found '%s'\n", arg);
            return -1;
        }
        return 1;
    case CF_OPT_REJECTS:
        in->rejects_path = arg;
        in->keep_going = 1;
        return 1;
    case CF_OPT_KEEP_GOING: in->keep_going = 1; return 1;
    case CF_OPT_STORE: in->store_path = arg; return 1;
    case CF_OPT_MAX_ERRORS:
        if (cf_cli_parse_long("--max-errors", arg, &in->max_errors) != 0) return -1;
        if (in->max_errors < 0) {
            fprintf(stderr, "costfront: --max-errors: expected a non-negative integer, found '%s'\n", arg);
            return -1;
        }
        return 1;
    case CF_OPT_QUIET: in->quiet = 1; return 1;
    case CF_OPT_CARBON_PRICE:
        if (cf_cli_parse_double("--carbon-price", arg, &in->carbon_price) != 0) return -1;
        if (in->carbon_price < 0) {
            fprintf(stderr, "costfront: --carbon-price: expected a non-negative number, found '%s'\n", arg);
            return -1;
        }
        return 1;
    case CF_OPT_TODAY:
        if (!cf_catalog_parse_date(arg, NULL)) {
            fprintf(stderr, "costfront: --today: expected a date YYYY-MM-DD, found '%s'\n", arg);
            return -1;
        }
        in->today = arg;
        return 1;
    case CF_OPT_PROVIDER: in->provider = arg; return 1;
    case CF_OPT_REGION: in->region = arg; return 1;
    case CF_OPT_CHECKPOINT_MIN:
        if (cf_cli_parse_double("--checkpoint-minutes", arg, &in->checkpoint_minutes) != 0) return -1;
        if (in->checkpoint_minutes < 0) {
            fprintf(stderr, "costfront: --checkpoint-minutes: expected a non-negative number, found '%s'\n", arg);
            return -1;
        }
        return 1;
    case CF_OPT_STORAGE_CLASS: {
        cf_storage_class c;
        if (cf_storage_class_parse(arg, &c) != CF_OK) {
            fprintf(stderr,
                    "costfront: --storage-class: expected object_standard, object_infrequent or block_ssd, found "
                    "'%s'\n",
                    arg);
            return -1;
        }
        in->storage_class = (int)c;
        return 1;
    }
    case CF_OPT_KEEP_CHECKPOINTS: {
        double k;
        if (cf_cli_parse_double("--keep-checkpoints", arg, &k) != 0) return -1;
        if (k < 1 || k != floor(k) || k > 1e9) {
            fprintf(stderr, "costfront: --keep-checkpoints: expected a whole number >= 1, found '%s'\n", arg);
            return -1;
        }
        in->keep_checkpoints = (long)k;
        return 1;
    }
    case CF_OPT_CHECKPOINT_EVERY:
        if (cf_cli_parse_double("--checkpoint-every", arg, &in->checkpoint_every_hours) != 0) return -1;
        if (!(in->checkpoint_every_hours > 0)) {
            fprintf(stderr, "costfront: --checkpoint-every: expected a positive number of hours, found '%s'\n", arg);
            return -1;
        }
        return 1;
    case CF_OPT_RESTART_MIN:
        if (cf_cli_parse_double("--restart-minutes", arg, &in->restart_minutes) != 0) return -1;
        if (in->restart_minutes < 0) {
            fprintf(stderr, "costfront: --restart-minutes: expected a non-negative number, found '%s'\n", arg);
            return -1;
        }
        return 1;
    case '?':
        /* getopt_long has already said what is wrong (an unknown option, or a missing argument): adding
         * "unknown option" after "requires an argument" would contradict it. */
        fprintf(stderr, "costfront: see the command's --help for its options\n");
        return -1;
    default: return 0;
    }
}

void cf_cli_print_error(const char *prefix, const cf_error *err)
{
    char buf[1024];
    cf_error_format(err, buf, sizeof buf);
    fprintf(stderr, "costfront: %s%s%s\n", prefix ? prefix : "", prefix ? ": " : "", buf);
}

int cf_cli_exit_for(cf_status st)
{
    switch (st) {
    case CF_OK: return CF_EXIT_OK;
    case CF_ERR_IO: return CF_EXIT_OUTPUT;
    case CF_ERR_NUMERIC: return CF_EXIT_INTERNAL;
    case CF_ERR_NOMEM: return CF_EXIT_OUTPUT; /* like a full disk: the machine ran short, the input is fine */
    case CF_ERR_EXTERNAL: return CF_EXIT_OUTPUT;
    case CF_ERR_ARG: return CF_EXIT_USAGE;
    default: return CF_EXIT_INPUT;
    }
}

int cf_cli_progress_enabled(void) { return isatty(STDERR_FILENO); }

int cf_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "costfront %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "; see 'costfront %s --help'\n", cmd);
    return CF_EXIT_USAGE;
}

int cf_cli_write_output(const char *path, const char *text)
{
    if (path == NULL || strcmp(path, "-") == 0) {
        fputs(text, stdout);
        return fflush(stdout) == 0 ? CF_EXIT_OK : CF_EXIT_OUTPUT;
    }
    cf_error err;
    cf_error_clear(&err);
    cf_status st = cf_write_file_atomic(path, text, strlen(text), &err);
    if (st != CF_OK) {
        cf_cli_print_error(NULL, &err);
        return CF_EXIT_OUTPUT;
    }
    return CF_EXIT_OK;
}

int cf_cli_stream_output(const char *path, cf_status (*write)(FILE *out, void *arg, cf_error *err), void *arg)
{
    cf_error err;
    cf_error_clear(&err);
    if (path == NULL || strcmp(path, "-") == 0) {
        cf_status st = write(stdout, arg, &err);
        if (st != CF_OK) {
            cf_cli_print_error(NULL, &err);
            return cf_cli_exit_for(st);
        }
        return fflush(stdout) == 0 ? CF_EXIT_OK : CF_EXIT_OUTPUT;
    }
    cf_atomic_file *af = NULL;
    cf_status st = cf_atomic_open(path, &af, &err);
    if (st != CF_OK) {
        cf_cli_print_error(NULL, &err);
        return CF_EXIT_OUTPUT;
    }
    st = write(cf_atomic_stream(af), arg, &err);
    if (st != CF_OK) {
        cf_atomic_abort(af);
        cf_cli_print_error(NULL, &err);
        return st == CF_ERR_IO ? CF_EXIT_OUTPUT : cf_cli_exit_for(st);
    }
    if (cf_atomic_commit(af, &err) != CF_OK) {
        cf_cli_print_error(NULL, &err);
        return CF_EXIT_OUTPUT;
    }
    return CF_EXIT_OK;
}

const char *cf_cli_today(const cf_cli_inputs *in)
{
    static char buf[16];
    if (in != NULL && in->today != NULL) return in->today;
    time_t now = time(NULL);
    struct tm tmv;
    if (gmtime_r(&now, &tmv) == NULL || strftime(buf, sizeof buf, "%Y-%m-%d", &tmv) == 0) return NULL;
    return buf;
}

int cf_cli_load_catalog(cf_cli_inputs *in)
{
    if (in->catalog != NULL) return CF_EXIT_OK;
    cf_error err;
    cf_error_clear(&err);
    in->catalog = cf_catalog_create();
    if (in->catalog == NULL) return CF_EXIT_INTERNAL;
    if (in->catalog_only && in->catalog_path == NULL) {
        fprintf(stderr, "costfront: --catalog-only needs --catalog FILE\n");
        return CF_EXIT_USAGE;
    }
    cf_status st = CF_OK;
    if (!in->catalog_only) st = cf_catalog_load_default(in->catalog, &err);
    if (st == CF_OK && in->catalog_path) st = cf_catalog_load_file(in->catalog, in->catalog_path, &err);
    if (st != CF_OK) {
        cf_cli_print_error("catalog", &err);
        return cf_cli_exit_for(st) == CF_EXIT_OUTPUT ? CF_EXIT_INPUT : cf_cli_exit_for(st);
    }
    for (size_t i = 0; i < cf_catalog_note_count(in->catalog); i++)
        fprintf(stderr, "note: %s\n", cf_catalog_note_at(in->catalog, i));
    if (isfinite(in->carbon_price)) cf_catalog_set_carbon_price(in->catalog, in->carbon_price);
    return CF_EXIT_OK;
}

/* Writes the rejected records as CSV: source,line,column,field,message,record. */
static int write_rejects(const cf_cli_inputs *in)
{
    size_t n = cf_runset_rejected(in->runs);
    size_t cap = 256 + n * 256, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL) return CF_EXIT_INTERNAL;
    len += (size_t)snprintf(buf, cap, "source,line,column,field,message,record\n");
    for (size_t i = 0; i < n; i++) {
        const cf_reject *r = cf_runset_reject(in->runs, i);
        const char *cols[6];
        char line[32], col[32];
        snprintf(line, sizeof line, "%ld", r->line);
        snprintf(col, sizeof col, "%ld", r->column);
        cols[0] = r->source ? r->source : "";
        cols[1] = line;
        cols[2] = col;
        cols[3] = r->field ? r->field : "";
        cols[4] = r->message ? r->message : "";
        cols[5] = r->raw ? r->raw : "";
        for (int k = 0; k < 6; k++) {
            size_t need = 2 * strlen(cols[k]) + 8;
            if (len + need >= cap) {
                cap = 2 * (len + need);
                char *p = realloc(buf, cap);
                if (p == NULL) {
                    free(buf);
                    return CF_EXIT_INTERNAL;
                }
                buf = p;
            }
            buf[len++] = '"';
            for (const char *c = cols[k]; *c; c++) {
                if (*c == '"') buf[len++] = '"';
                buf[len++] = *c;
            }
            buf[len++] = '"';
            buf[len++] = k == 5 ? '\n' : ',';
        }
        buf[len] = '\0';
    }
    int rc = cf_cli_write_output(in->rejects_path, buf);
    free(buf);
    return rc;
}

/* Reads one source of any kind into rs: CSV and JSON through the runset's own readers (which locate errors by
 * line and column), the places runs live (MLflow, Optuna, W&B, XML) through their readers' records. */
static cf_status cf_cli_read_any(cf_runset *rs, const char *path, cf_error *err)
{
    cf_source_kind kind = CF_SOURCE_UNKNOWN;
    cf_error probe;
    cf_error_clear(&probe);
    if (cf_detect_source(path, &kind, &probe) != CF_OK || kind == CF_SOURCE_CSV || kind == CF_SOURCE_JSON)
        return cf_read_runs(rs, path, err);
    cf_records *recs = cf_records_create();
    if (recs == NULL) return CF_ERR_NOMEM;
    cf_status st = cf_read_source(path, recs, err);
    if (st == CF_OK) st = cf_records_to_runset(recs, rs, err);
    cf_records_destroy(recs);
    return st;
}

/* True when source names a text file whose "line" is a line (CSV, JSON); false for directories (MLflow) and SQLite
 * files (MLflow, Optuna), where the number is a record number and the record's identity says more. */
static int line_based(const char *source)
{
    struct stat sb;
    if (source == NULL || stat(source, &sb) != 0 || S_ISDIR(sb.st_mode)) return 0;
    FILE *fp = fopen(source, "rb");
    if (fp == NULL) return 0;
    char head[16] = {0};
    size_t n = fread(head, 1, sizeof head, fp);
    fclose(fp);
    return !(n == sizeof head && memcmp(head, "SQLite format 3", 15) == 0);
}

void cf_cli_print_rejects(const cf_runset *rs, long max_errors)
{
    size_t nrej = cf_runset_rejected(rs), shown = 0;
    const char *last_source = NULL;
    int last_line_based = 1;
    for (size_t i = 0; i < nrej && (long)shown < max_errors; i++, shown++) {
        const cf_reject *r = cf_runset_reject(rs, i);
        if (r->source != last_source) {
            last_source = r->source;
            last_line_based = line_based(r->source);
        }
        fprintf(stderr, "%s:%ld", r->source ? r->source : "?", r->line);
        if (r->column > 0) fprintf(stderr, ":%ld", r->column);
        if (!last_line_based && r->raw && r->raw[0] && !strchr(r->raw, '\n') && strlen(r->raw) < 120)
            fprintf(stderr, " (%s)", r->raw);
        fprintf(stderr, ": %s%s%s\n", r->field && r->field[0] ? r->field : "", r->field && r->field[0] ? ": " : "",
                r->message ? r->message : "rejected");
    }
    if (nrej > shown) fprintf(stderr, "... and %zu more rejected records (--max-errors)\n", nrej - shown);
}

int cf_cli_load_runs(cf_cli_inputs *in, int nfiles, char **files)
{
    int rc = cf_cli_load_catalog(in);
    if (rc != CF_EXIT_OK) return rc;
    cf_error err;
    cf_error_clear(&err);
    in->map = cf_colmap_create();
    if (in->map == NULL) return CF_EXIT_INTERNAL;
    if (in->map_file && cf_colmap_load(in->map, in->map_file, &err) != CF_OK) {
        cf_cli_print_error("--map-file", &err);
        return CF_EXIT_INPUT;
    }
    if (in->map_pairs && cf_colmap_parse_pairs(in->map, in->map_pairs, &err) != CF_OK) {
        cf_cli_print_error("--map", &err);
        return CF_EXIT_USAGE;
    }
    if (in->metric && cf_colmap_set_extract(in->map, "accuracy", in->metric) != CF_OK) {
        fprintf(stderr, "costfront: --metric: expected a metric name, found '%s'\n", in->metric);
        return CF_EXIT_USAGE;
    }
    if (in->accuracy_percent != -1 || in->map_file == NULL)
        cf_colmap_set_accuracy_percent(in->map, in->accuracy_percent);
    if (nfiles == 0 && in->store_path == NULL) {
        fprintf(stderr, "costfront: no runs given: name one or more files of runs, or --store DB\n");
        return CF_EXIT_USAGE;
    }
    in->runs = cf_runset_create(in->catalog, in->map);
    if (in->runs == NULL) return CF_EXIT_INTERNAL;
    int failed = 0;
    for (int i = 0; i < nfiles; i++) {
        cf_error_clear(&err);
        cf_status st = cf_cli_read_any(in->runs, files[i], &err);
        if (st != CF_OK) {
            cf_cli_print_error(NULL, &err);
            failed = 1;
            if (st == CF_ERR_NOMEM) return CF_EXIT_OUTPUT;
        }
    }
    if (in->store_path) {
        rc = cf_cli_load_store_runs(in);
        if (rc != CF_EXIT_OK) return rc;
    }
    size_t nrej = cf_runset_rejected(in->runs);
    cf_cli_print_rejects(in->runs, in->max_errors);
    if (!in->quiet)
        for (size_t i = 0; i < cf_runset_note_count(in->runs); i++)
            fprintf(stderr, "note: %s\n", cf_runset_note(in->runs, i));
    fprintf(stderr, "runs: %zu read, %zu accepted, %zu rejected\n", cf_runset_read(in->runs), cf_runset_size(in->runs),
            nrej);
    if (in->rejects_path) {
        rc = write_rejects(in);
        if (rc != CF_EXIT_OK) return rc;
        if (!in->quiet) fprintf(stderr, "rejected records written to %s\n", in->rejects_path);
    }
    if (failed) return CF_EXIT_INPUT;
    if (nrej > 0 && !in->keep_going) {
        fprintf(stderr,
                "costfront: input refused: %zu bad record%s (fix them, or use --keep-going or --rejects FILE "
                "to use the good ones)\n",
                nrej, nrej == 1 ? "" : "s");
        return CF_EXIT_INPUT;
    }
    if (cf_runset_size(in->runs) == 0) {
        fprintf(stderr, "costfront: no run was accepted\n");
        return CF_EXIT_INPUT;
    }
    return CF_EXIT_OK;
}

void cf_cli_inputs_free(cf_cli_inputs *in)
{
    cf_runset_destroy(in->runs);
    cf_colmap_destroy(in->map);
    cf_catalog_destroy(in->catalog);
    in->runs = NULL;
    in->map = NULL;
    in->catalog = NULL;
}

char *cf_cli_json_text(const cJSON *root)
{
    char *text = cJSON_Print(root);
    if (text == NULL) return NULL;
    size_t n = strlen(text);
    char *t = realloc(text, n + 2);
    if (t == NULL) {
        free(text);
        return NULL;
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    return t;
}

int cf_cli_cat(char **buf, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return -1;
    char *p = realloc(*buf, *len + (size_t)n + 1);
    if (p == NULL) return -1;
    *buf = p;
    va_start(ap, fmt);
    vsnprintf(*buf + *len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    *len += (size_t)n;
    return 0;
}

char *cf_cli_read_text(const char *cmd, const char *path)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "costfront %s: %s: cannot open: %s\n", cmd, path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0, k;
    char *buf = malloc(cap);
    while (buf && (k = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += k;
        if (len + 1 >= cap) {
            char *p = realloc(buf, cap *= 2);
            if (p == NULL) free(buf);
            buf = p;
        }
    }
    int failed = ferror(f);
    if (!is_stdin) fclose(f);
    if (buf == NULL || failed) {
        fprintf(stderr, "costfront %s: %s: %s\n", cmd, is_stdin ? "standard input" : path,
                buf == NULL ? "out of memory" : "read error");
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}
