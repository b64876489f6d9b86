/* costfront command: helpers shared by the study commands (study, suggest, observe, score --hvi). */
#include "study_cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cf_cli_study_fail(const char *cmd, cf_status st, const cf_error *err)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s", cmd);
    cf_cli_print_error(prefix, err);
    return st == CF_ERR_IO ? CF_EXIT_INPUT : cf_cli_exit_for(st);
}

cf_study *cf_cli_study_open(const char *cmd, const char *path, int *rc)
{
    cf_error err;
    cf_error_clear(&err);
    cf_study *s = NULL;
    cf_status st = cf_study_open(path, &s, &err);
    if (st != CF_OK) {
        if (err.source[0] == '\0') snprintf(err.source, sizeof err.source, "%s", path);
        *rc = cf_cli_study_fail(cmd, st, &err);
        return NULL;
    }
    *rc = CF_EXIT_OK;
    return s;
}
