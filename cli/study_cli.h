/* costfront command: what the study commands share (cli/study_cli.c): opening a study with a printed error and
 * reading a small file.
 *
 * Ownership: cf_cli_study_open returns a study the caller destroys; cf_cli_read_text returns a malloc'd string.
 */
#ifndef CF_CLI_STUDY_CLI_H
#define CF_CLI_STUDY_CLI_H

#include "cli.h"
#include "costfront/pricing.h"
#include "costfront/study.h"

/* Opens the study file path for command cmd; prints the error and sets *rc (2 for a missing or bad file) on
 * failure and returns NULL. */
cf_study *cf_cli_study_open(const char *cmd, const char *path, int *rc);

/* Prints a study-library error as "costfront CMD: <error>" and returns its exit code (CF_ERR_IO is an input
 * error here: the study file could not be read). */
int cf_cli_study_fail(const char *cmd, cf_status st, const cf_error *err);

/* With --catalog FILE (path, may be NULL) on a command of study s: checks that FILE's content is the catalog the
 * study keeps (cf_study_check_catalog). Prints the error and returns its exit code (2) when it is not. */
int cf_cli_study_check_catalog(const char *cmd, const cf_study *s, const char *path);

/* For a command that prices runs for the study in store (score --hvi, study import): checks --catalog against the
 * study, then makes in->catalog the study's catalog (with --carbon-price applied), so the runs are priced as the
 * study prices its trials. Returns an exit code. */
int cf_cli_study_catalog(const char *cmd, const char *store, cf_cli_inputs *in);

#endif
