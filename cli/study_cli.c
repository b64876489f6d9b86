/* costfront command: helpers shared by the study commands (study, suggest, observe, score --hvi). */
#include "study_cli.h"

#include <errno.h>
#include <math.h>
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

int cf_cli_study_check_catalog(const char *cmd, const cf_study *s, const char *path)
{
    if (path == NULL) return CF_EXIT_OK;
    char *text = cf_cli_read_text(cmd, path);
    if (text == NULL) return CF_EXIT_INPUT;
    cf_error err;
    cf_error_clear(&err);
    cf_status st = cf_study_check_catalog(s, text, path, &err);
    free(text);
    return st == CF_OK ? CF_EXIT_OK : cf_cli_study_fail(cmd, st, &err);
}

int cf_cli_study_catalog(const char *cmd, const char *store, cf_cli_inputs *in)
{
    int rc;
    cf_study *s = cf_cli_study_open(cmd, store, &rc);
    if (s == NULL) return rc;
    rc = cf_cli_study_check_catalog(cmd, s, in->catalog_path);
    if (rc == CF_EXIT_OK) {
        cf_error err;
        cf_error_clear(&err);
        cf_catalog_destroy(in->catalog);
        in->catalog = cf_catalog_create();
        cf_status st = in->catalog ? cf_study_load_catalog(s, in->catalog, &err) : CF_ERR_NOMEM;
        if (st != CF_OK)
            rc = cf_cli_study_fail(cmd, st, &err);
        else if (isfinite(in->carbon_price))
            cf_catalog_set_carbon_price(in->catalog, in->carbon_price);
    }
    cf_study_destroy(s);
    return rc;
}
