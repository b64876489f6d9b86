/* costfront import: reads runs where they live (MLflow, Optuna, W&B, XML, CSV, JSON) into a run store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "costfront/records.h"
#include "costfront/sources.h"
#include "costfront/store.h"

/* The shared input options without their "RUNS..." and "--store" lines, which import replaces with its own
 * SOURCE... and a required --store. */
static const char *import_input_help(void)
{
    const char *rest = strstr(cf_cli_run_options_help, "  --map ");
    return rest ? rest : cf_cli_run_options_help;
}

static void help(void)
{
    printf("usage: costfront import SOURCE... --store DB [--map-file FILE] [--catalog FILE]\n\n"
           "Reads runs from each SOURCE and keeps them in the run store DB (an SQLite file, created when missing).\n"
           "The kind of each source is detected: an MLflow file store (mlruns/ or one experiment directory), an\n"
           "MLflow tracking database, an Optuna SQLite storage, a Weights & Biases CSV export (runs table or\n"
           "public-API pandas export), an XML runs file (data/runs.xsd), or a CSV / JSON / JSON Lines runs file.\n\n"
           "A source is identified by its canonical path and the SHA-256 of its runs: importing it again, however\n"
           "the path is spelled, adds nothing; when its content changed, its runs are replaced (changed runs updated\n"
           "and the change recorded, new ones added, runs no longer in it removed); a copy of a stored source at\n"
           "another path is not imported again (a note names the source). A run id already stored from another\n"
           "source refuses the whole import (exit 2), naming both sources; 'costfront store' lists and removes\n"
           "sources. Every stored run keeps where it came from. Running, failed, pruned and deleted runs are\n"
           "skipped and counted. The records are also checked as every command will read them (with --map /\n"
           "--map-file and the catalog): records that would be rejected are listed, and with rejections the import\n"
           "is refused unless --keep-going.\n\n"
           "  --store DB              the run store (required)\n\nInput options:\n%s\n%s\n"
           "Examples:\n"
           "  costfront import mlruns/ optuna.db wandb_export.csv --store runs.db --map-file map.json\n"
           "  costfront report --store runs.db --map-file map.json --out reports/\n",
           import_input_help(), cf_cli_catalog_options_help);
}

int cf_cmd_import(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'}, CF_CLI_RUN_OPTIONS, {0, 0, 0, 0}};
    cf_cli_inputs in;
    cf_cli_inputs_init(&in);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            help();
            return CF_EXIT_OK;
        }
        int r = cf_cli_inputs_option(&in, c, optarg);
        if (r < 0) return CF_EXIT_USAGE;
        if (r == 0) return cf_cli_usage_error("import", "unknown option");
    }
    if (in.store_path == NULL) return cf_cli_usage_error("import", "--store DB is required");
    if (optind >= argc) return cf_cli_usage_error("import", "name at least one SOURCE to import");
    int rc = cf_cli_load_catalog(&in);
    if (rc != CF_EXIT_OK) return rc;
    cf_error err;
    cf_error_clear(&err);
    cf_records *recs = cf_records_create();
    cf_store *store = NULL;
    if (recs == NULL) {
        rc = CF_EXIT_INTERNAL;
        goto out;
    }
    int progress = cf_cli_progress_enabled() && !in.quiet;
    for (int i = optind; i < argc; i++) {
        if (progress) fprintf(stderr, "\rimporting %d/%d: %s ... ", i - optind + 1, argc - optind, argv[i]);
        cf_status st = cf_read_source(argv[i], recs, &err);
        if (progress) fprintf(stderr, "%zu records\n", cf_records_count(recs));
        if (st != CF_OK) {
            cf_cli_print_error(NULL, &err);
            rc = cf_cli_exit_for(st) == CF_EXIT_OUTPUT ? CF_EXIT_INPUT : cf_cli_exit_for(st);
            goto out;
        }
    }
    for (size_t i = 0; i < cf_records_note_count(recs); i++)
        if (!in.quiet) fprintf(stderr, "note: %s\n", cf_records_note_text(recs, i));
    /* Check the records as later commands will read them. */
    in.map = cf_colmap_create();
    if (in.map == NULL) {
        rc = CF_EXIT_INTERNAL;
        goto out;
    }
    if (in.map_file && cf_colmap_load(in.map, in.map_file, &err) != CF_OK) {
        cf_cli_print_error("--map-file", &err);
        rc = CF_EXIT_INPUT;
        goto out;
    }
    if (in.map_pairs && cf_colmap_parse_pairs(in.map, in.map_pairs, &err) != CF_OK) {
        cf_cli_print_error("--map", &err);
        rc = CF_EXIT_USAGE;
        goto out;
    }
    if (in.accuracy_percent != -1) cf_colmap_set_accuracy_percent(in.map, in.accuracy_percent);
    in.runs = cf_runset_create(in.catalog, in.map);
    if (in.runs == NULL) {
        rc = CF_EXIT_INTERNAL;
        goto out;
    }
    cf_status st = cf_records_to_runset(recs, in.runs, &err);
    if (st != CF_OK) {
        cf_cli_print_error(NULL, &err);
        rc = cf_cli_exit_for(st);
        goto out;
    }
    size_t nrej = cf_runset_rejected(in.runs);
    cf_cli_print_rejects(in.runs, in.max_errors);
    fprintf(stderr, "runs: %zu read, %zu accepted, %zu rejected\n", cf_runset_read(in.runs), cf_runset_size(in.runs),
            nrej);
    if (nrej > 0 && !in.keep_going) {
        fprintf(stderr,
                "costfront: import refused: %zu records would be rejected (fix the mapping or the sources, "
                "or use --keep-going to store them anyway)\n",
                nrej);
        rc = CF_EXIT_INPUT;
        goto out;
    }
    st = cf_store_open(in.store_path, &store, &err);
    cf_store_import_stats stats = {0};
    if (st == CF_OK) st = cf_store_import(store, recs, &stats, &err);
    for (size_t i = 0; store != NULL && i < cf_store_note_count(store); i++)
        if (!in.quiet) fprintf(stderr, "note: %s\n", cf_store_note(store, i));
    if (st != CF_OK) {
        /* a run id clash names the importing file and line itself */
        cf_cli_print_error(st == CF_ERR_INVALID ? NULL : "--store", &err);
        rc = cf_cli_exit_for(st);
        goto out;
    }
    size_t total = 0;
    cf_store_count(store, &total, &err);
    printf("imported into %s: %zu added, %zu updated, %zu unchanged, %zu removed, %zu skipped (not finished or "
           "deleted), %zu unreadable; %zu runs in the store\n",
           in.store_path, stats.added, stats.updated, stats.unchanged, stats.removed, stats.skipped, stats.rejected,
           total);
out:
    cf_store_close(store);
    cf_records_destroy(recs);
    cf_cli_inputs_free(&in);
    return rc;
}
