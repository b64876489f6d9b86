/* costfront command: the nightly report -- reads the --alerts file, opens the --store, and prints what the
 * library's nightly analysis (reports/nightly.c) finds: what changed since the last report, history charts,
 * budget and drift alerts. */
#include "nightly.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Opens the --store named by store_path, printing why not; NULL on failure. */
static cf_store *open_store(const char *store_path)
{
    cf_error err;
    cf_error_clear(&err);
    cf_store *s = NULL;
    if (cf_store_open(store_path, &s, &err) != CF_OK) {
        cf_cli_print_error("--store", &err);
        return NULL;
    }
    return s;
}

int cf_cli_alerts_load(const char *path, cf_cli_alerts *a)
{
    cf_nightly_alerts_init(a);
    char *buf = cf_cli_read_text("report --alerts", path);
    if (buf == NULL) return CF_EXIT_INPUT;
    cf_error err;
    cf_error_clear(&err);
    cf_status st = cf_nightly_alerts_parse(buf, path, a, &err);
    free(buf);
    if (st != CF_OK) {
        cf_cli_print_error(NULL, &err);
        return CF_EXIT_INPUT;
    }
    return CF_EXIT_OK;
}

int cf_cli_history_reference(const char *store_path, cf_cli_frontier *fr)
{
    if (fr->opts.reference_given) return CF_EXIT_OK;
    cf_store *s = open_store(store_path);
    if (s == NULL) return CF_EXIT_INPUT;
    cf_error err;
    cf_error_clear(&err);
    cf_status st = cf_nightly_reference(s, &fr->opts, NULL, &err);
    if (st != CF_OK) cf_cli_print_error("--store", &err);
    cf_store_close(s);
    return st == CF_OK ? CF_EXIT_OK : CF_EXIT_INPUT;
}

int cf_cli_history_section(const char *store_path, cf_report *r, const cf_frontier *f, const cf_runset *rs,
                           const cf_cli_alerts *alerts, double target_accuracy, long long now, int *alerts_fired,
                           cf_store_report *pending)
{
    *alerts_fired = 0;
    memset(pending, 0, sizeof *pending);
    cf_store *s = open_store(store_path);
    if (s == NULL) return CF_EXIT_INPUT;
    cf_error err;
    cf_error_clear(&err);
    cf_nightly *n = NULL;
    cf_status st = cf_nightly_analyze(s, f, rs, alerts, target_accuracy, now, &n, &err);
    cf_store_close(s);
    if (st == CF_OK) st = cf_nightly_add_to_report(n, r, &err);
    if (st != CF_OK) {
        cf_cli_print_error("--store", &err);
        cf_nightly_destroy(n);
        return cf_cli_exit_for(st);
    }
    for (size_t i = 0; i < cf_nightly_alert_count(n); i++) fprintf(stderr, "ALERT: %s\n", cf_nightly_alert(n, i));
    *alerts_fired = (int)cf_nightly_alert_count(n);
    cf_nightly_entry(n, pending);
    if (pending->frontier_json != NULL) {
        size_t len = strlen(pending->frontier_json) + 1;
        char *copy = malloc(len);
        if (copy) memcpy(copy, pending->frontier_json, len);
        pending->frontier_json = copy;
    }
    cf_nightly_destroy(n);
    return pending->frontier_json ? CF_EXIT_OK : CF_EXIT_INTERNAL;
}

int cf_cli_history_record(const char *store_path, cf_store_report *pending)
{
    cf_error err;
    cf_error_clear(&err);
    int rc = CF_EXIT_OK;
    cf_store *s = open_store(store_path);
    if (s == NULL) {
        rc = CF_EXIT_OUTPUT;
    } else if (cf_store_add_report(s, pending, NULL, &err) != CF_OK) {
        cf_cli_print_error("--store", &err);
        rc = CF_EXIT_OUTPUT;
    }
    cf_store_close(s);
    free(pending->frontier_json);
    pending->frontier_json = NULL;
    return rc;
}
