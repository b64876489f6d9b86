/* costfront store: lists the sources kept in a run store and removes a source's runs (logic in data/store.c). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "costfront/store.h"

enum { OPT_FORMAT = CF_OPT_COMMAND_BASE };

/* Prints the usage of costfront store. */
static void help(void)
{
    printf("usage: costfront store sources --store DB [--format table|json]\n"
           "       costfront store remove --store DB SOURCE\n\n"
           "Manages the sources of a run store (made by 'costfront import').\n\n"
           "  sources   lists every source: id, kind, the first 12 hex digits of the SHA-256 of its runs, the number\n"
           "            of runs stored from it, when it was last imported (UTC) and its canonical path\n"
           "  remove    removes a source and all its runs (and their recorded changes) in one transaction; SOURCE is\n"
           "            an id from 'store sources' or the source's path (any spelling of it; write a path made of\n"
           "            digits as ./123). The import history is kept.\n\n"
           "  --store DB        the run store (required; never created by these commands)\n"
           "  --format FORMAT   sources: table (default) or json\n\n"
           "Exit codes: 0 done, 1 usage, 2 no such store or source, or the file is not a run store.\n");
}

/* Opens an existing store for sub (never creating one); prints why not and sets *rc on failure. */
static cf_store *open_existing(const char *sub, const char *path, int *rc)
{
    struct stat sb;
    if (strncmp(path, "postgres", 8) != 0 && stat(path, &sb) != 0) {
        char esc[1024];
        cf_text_escape(esc, sizeof esc, path);
        fprintf(stderr, "costfront store %s: --store: no run store at '%s'\n", sub, esc);
        *rc = CF_EXIT_INPUT;
        return NULL;
    }
    cf_error err;
    cf_error_clear(&err);
    cf_store *s = NULL;
    cf_status st = cf_store_open_existing(path, &s, &err);
    if (st != CF_OK) {
        cf_cli_print_error("--store", &err);
        *rc = cf_cli_exit_for(st);
        return NULL;
    }
    for (size_t i = 0; i < cf_store_note_count(s); i++) fprintf(stderr, "note: %s\n", cf_store_note(s, i));
    return s;
}

/* Formats seconds since the epoch as "YYYY-MM-DD HH:MM:SS" (UTC) into buf (32 bytes). */
static const char *fmt_time(long long t, char *buf)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm) == 0) snprintf(buf, 32, "%lld", t);
    return buf;
}

/* Parses the options shared by the subcommands; returns -1 to go on, else an exit code. */
static int parse(int argc, char **argv, const char *sub, const char **store, int *json)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"store", required_argument, 0, CF_OPT_STORE},
                                             {"format", required_argument, 0, OPT_FORMAT},
                                             {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return CF_EXIT_OK;
        case CF_OPT_STORE: *store = optarg; break;
        case OPT_FORMAT:
            if (json == NULL) return cf_cli_usage_error(sub, "--format applies to 'store sources' only");
            if (strcmp(optarg, "json") && strcmp(optarg, "table"))
                return cf_cli_usage_error(sub, "--format: expected table or json, found '%s'", optarg);
            *json = strcmp(optarg, "json") == 0;
            break;
        default: return cf_cli_usage_error(sub, "unknown option");
        }
    }
    if (*store == NULL) return cf_cli_usage_error(sub, "--store DB is required");
    return -1;
}

/* costfront store sources: prints the sources as a table or JSON. Returns an exit code. */
static int store_sources(int argc, char **argv)
{
    const char *store = NULL;
    int json = 0;
    int rc = parse(argc, argv, "store sources", &store, &json);
    if (rc >= 0) return rc;
    if (optind < argc) return cf_cli_usage_error("store sources", "unexpected argument '%s'", argv[optind]);
    cf_store *s = open_existing("sources", store, &rc);
    if (s == NULL) return rc;
    cf_error err;
    cf_error_clear(&err);
    cf_store_source *src = NULL;
    size_t n = 0;
    cf_status st = cf_store_sources(s, &src, &n, &err);
    cf_store_close(s);
    if (st != CF_OK) {
        cf_cli_print_error("--store", &err);
        return cf_cli_exit_for(st);
    }
    char t1[32], t2[32];
    if (json) {
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; arr != NULL && i < n; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToArray(arr, o);
            cJSON_AddNumberToObject(o, "id", (double)src[i].id);
            cJSON_AddStringToObject(o, "kind", src[i].kind);
            cJSON_AddStringToObject(o, "path", src[i].path);
            cJSON_AddStringToObject(o, "sha256", src[i].sha256);
            cJSON_AddNumberToObject(o, "runs", (double)src[i].runs);
            cJSON_AddStringToObject(o, "first_imported", fmt_time(src[i].first_imported, t1));
            cJSON_AddStringToObject(o, "last_imported", fmt_time(src[i].last_imported, t2));
        }
        char *text = arr ? cJSON_Print(arr) : NULL;
        cJSON_Delete(arr);
        cf_store_sources_free(src, n);
        if (text == NULL) return CF_EXIT_OUTPUT;
        printf("%s\n", text);
        free(text);
        return CF_EXIT_OK;
    }
    if (n == 0) {
        printf("no sources in %s\n", store);
    } else {
        printf("%4s  %-9s  %-12s  %8s  %-19s  %s\n", "id", "kind", "sha256", "runs", "imported (UTC)", "path");
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
            char esc[4096];
            cf_text_escape(esc, sizeof esc, src[i].path);
            printf("%4lld  %-9s  %.12s  %8zu  %-19s  %s\n", src[i].id, src[i].kind, src[i].sha256, src[i].runs,
                   fmt_time(src[i].last_imported, t1), esc);
            total += src[i].runs;
        }
        printf("%zu sources, %zu runs\n", n, total);
    }
    cf_store_sources_free(src, n);
    return fflush(stdout) == 0 ? CF_EXIT_OK : CF_EXIT_OUTPUT;
}

/* costfront store remove: removes one source and says how many runs went. Returns an exit code. */
static int store_remove(int argc, char **argv)
{
    const char *store = NULL;
    int rc = parse(argc, argv, "store remove", &store, NULL);
    if (rc >= 0) return rc;
    if (optind >= argc) return cf_cli_usage_error("store remove", "name the SOURCE to remove (an id or a path)");
    if (optind + 1 < argc) return cf_cli_usage_error("store remove", "one SOURCE at a time");
    cf_store *s = open_existing("remove", store, &rc);
    if (s == NULL) return rc;
    cf_error err;
    cf_error_clear(&err);
    cf_store_source *gone = NULL;
    cf_status st = cf_store_remove_source(s, argv[optind], &gone, &err);
    size_t left = 0;
    if (st == CF_OK) st = cf_store_count(s, &left, &err);
    cf_store_close(s);
    if (st != CF_OK) {
        cf_cli_print_error("store remove", &err);
        cf_store_sources_free(gone, 1);
        return cf_cli_exit_for(st);
    }
    char esc[4096];
    cf_text_escape(esc, sizeof esc, gone->path);
    printf("removed source %lld (%s %s): %zu runs; %zu runs left in %s\n", gone->id, gone->kind, esc, gone->runs, left,
           store);
    cf_store_sources_free(gone, 1);
    return CF_EXIT_OK;
}

/* Dispatches costfront store to its subcommand. Returns an exit code. */
int cf_cmd_store(int argc, char **argv)
{
    if (argc < 2) {
        help();
        return CF_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
        help();
        return CF_EXIT_OK;
    }
    if (!strcmp(sub, "sources")) return store_sources(argc - 1, argv + 1);
    if (!strcmp(sub, "remove")) return store_remove(argc - 1, argv + 1);
    return cf_cli_usage_error("store", "unknown subcommand '%s' (sources or remove)", sub);
}
