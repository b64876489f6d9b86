/* costfront command: reading runs from a --store database into the runset. */
#include <stdio.h>

#include "cli.h"
#include "costfront/store.h"

int cf_cli_load_store_runs(cf_cli_inputs *in)
{
    cf_error err;
    cf_error_clear(&err);
    cf_store *st = NULL;
    cf_status s = cf_store_open(in->store_path, &st, &err);
    if (s == CF_OK) s = cf_store_load(st, in->runs, &err);
    for (size_t i = 0; st != NULL && i < cf_store_note_count(st); i++)
        if (!in->quiet) fprintf(stderr, "note: %s\n", cf_store_note(st, i));
    cf_store_close(st);
    if (s != CF_OK) {
        cf_cli_print_error("--store", &err);
        return cf_cli_exit_for(s);
    }
    return CF_EXIT_OK;
}
