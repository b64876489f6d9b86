/* costfront command: the nightly report's flags and printing (cli/nightly.c); the logic is the library's
 * (include/costfront/nightly.h). */
#ifndef CF_CLI_NIGHTLY_H
#define CF_CLI_NIGHTLY_H

#include "cli.h"
#include "costfront/nightly.h"
#include "costfront/report.h"
#include "costfront/store.h"

/* Alert thresholds read from an --alerts file; NaN when not set. */
typedef cf_nightly_alerts cf_cli_alerts;

/* Reads an alerts file (JSON object with the fields of cf_nightly_alerts). Returns an exit code; errors name the
 * file and field. */
int cf_cli_alerts_load(const char *path, cf_cli_alerts *a);

/* Before computing the frontier: reuses the reference point stored with the first report of the store when the
 * user gave none and the objectives match, so hypervolumes are comparable night after night. */
int cf_cli_history_reference(const char *store_path, cf_cli_frontier *fr);

/* After computing: appends the "what changed" section (and alerts, printed to stderr) to r, sets *alerts_fired to
 * the number of alerts, and fills *pending with this report's history entry (its frontier_json is malloc'd) for
 * cf_cli_history_record once the report is published. now is seconds since the epoch. Returns an exit code. */
int cf_cli_history_section(const char *store_path, cf_report *r, const cf_frontier *f, const cf_runset *rs,
                           const cf_cli_alerts *alerts, double target_accuracy, long long now, int *alerts_fired,
                           cf_store_report *pending);

/* Records a published report's history entry in the store and frees pending->frontier_json. */
int cf_cli_history_record(const char *store_path, cf_store_report *pending);

#endif
