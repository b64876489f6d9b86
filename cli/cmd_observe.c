/* costfront observe: reports the outcome of a suggested trial to its study (the "tell" of an ask/tell loop). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/prune.h"
#include "study_cli.h"

static void help(void)
{
    printf("usage: costfront observe --store DB --id ID --values JSON\n"
           "       costfront observe --store DB --id ID --state failed|pruned\n"
           "       costfront observe --store DB --id ID --step S --values V1,... [--gpu-hours H]\n\n"
           "Records the outcome of trial ID (from 'costfront suggest') and prints the stored trial as JSON.\n"
           "--values names every objective and constraint metric of the study, e.g. '{\"f1\": 1.2, \"f2\": 3.4}'.\n"
           "In a cost-aware study (docs/mobo.md) give accuracy (or the other told metrics) and gpu_hours: the\n"
           "costs are computed from the catalog and stored, e.g. '{\"accuracy\": 0.91, \"gpu_hours\": 12}'.\n\n"
           "  --store DB         the study file\n"
           "  --id ID            the trial's id\n"
           "  --values JSON      the outcome (a JSON object); --values @FILE reads it from FILE\n"
           "  --state S          complete (default with --values), failed or pruned\n"
           "  --catalog FILE     optional check: FILE must be the catalog the study was created with (a\n"
           "                     cost-aware study prices with the catalog it keeps; other content is an error)\n"
           "  --step S           record intermediate values of the running trial at training step S (an integer\n"
           "                     >= 0, after its last recorded step); --values is then a comma-separated list,\n"
           "                     one number per objective that training reports (not gpu_hours or the costs),\n"
           "                     in the space's order; the trial stays pending ('costfront should-prune')\n"
           "  --gpu-hours H      with --step: the GPU-hours the trial has spent so far (never decreasing)\n\n"
           "Exit codes: 0 ok, 1 usage, 2 bad values, unknown id, trial already told, step going backwards,\n"
           "or bad study file.\n\n"
           "Examples:\n"
           "  costfront observe --store study.db --id 7 --values '{\"accuracy\": 0.91, \"gpu_hours\": 12}'\n"
           "  costfront observe --store study.db --id 8 --state failed\n"
           "  costfront observe --store study.db --id 9 --step 200 --values 0.71 --gpu-hours 1.5\n");
}

enum { OPT_ID = CF_OPT_COMMAND_BASE, OPT_VALUES, OPT_STATE, OPT_STEP, OPT_GPU_HOURS };

/* observe --step: parses the comma-separated values and the GPU-hours, records them (cf_study_report) and prints
 * the record as JSON. Returns an exit code. */
static int observe_step(const char *store, const char *catalog, long id, const char *step_text, const char *values,
                        const char *gh_text)
{
    char *end = NULL;
    errno = 0;
    long step = strtol(step_text, &end, 10);
    if (step_text[0] == '\0' || *end != '\0' || errno != 0 || step < 0)
        return cf_cli_usage_error("observe", "--step: expected a training step, an integer >= 0, found '%s'",
                                  step_text);
    double gh = NAN;
    if (gh_text) {
        errno = 0;
        gh = strtod(gh_text, &end);
        if (gh_text[0] == '\0' || *end != '\0' || errno != 0 || !isfinite(gh) || gh < 0.0)
            return cf_cli_usage_error("observe", "--gpu-hours: expected a number >= 0, found '%s'", gh_text);
    }
    if (values == NULL)
        return cf_cli_usage_error("observe", "--step needs --values V1,... (one number per reported objective)");
    size_t n = 1;
    for (const char *p = values; *p; p++) n += *p == ',';
    double *x = malloc(n * sizeof *x);
    if (x == NULL) return CF_EXIT_INTERNAL;
    const char *p = values;
    for (size_t k = 0; k < n; k++) {
        errno = 0;
        x[k] = strtod(p, &end);
        if (end == p || (*end != ',' && *end != '\0') || errno != 0 || !isfinite(x[k])) {
            size_t len = strcspn(p, ",");
            fprintf(stderr,
                    "costfront observe: --values: expected comma-separated numbers such as '0.71,0.35', found '%.*s' "
                    "as value %zu\n",
                    (int)(len > 60 ? 60 : len), p, k + 1);
            free(x);
            return CF_EXIT_INPUT;
        }
        p = *end ? end + 1 : end;
    }
    int rc;
    cf_study *s = cf_cli_study_open("observe", store, &rc);
    if (s != NULL && (rc = cf_cli_study_check_catalog("observe", s, catalog)) == CF_EXIT_OK) {
        cf_error err;
        cf_error_clear(&err);
        cf_status st = cf_study_report(s, id, step, x, n, gh, &err);
        cJSON *rows = NULL;
        if (st == CF_OK) st = cf_study_steps(s, id, &rows, &err);
        if (st != CF_OK) {
            rc = cf_cli_study_fail("observe", st, &err);
        } else {
            cJSON *last = cJSON_GetArrayItem(rows, cJSON_GetArraySize(rows) - 1);
            cJSON_DeleteItemFromObject(last, "created");
            char *t = cJSON_PrintUnformatted(last);
            if (t) printf("%s\n", t);
            free(t);
        }
        cJSON_Delete(rows);
    }
    cf_study_destroy(s);
    free(x);
    return rc;
}

int cf_cmd_observe(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"store", required_argument, 0, CF_OPT_STORE},
                                             {"id", required_argument, 0, OPT_ID},
                                             {"values", required_argument, 0, OPT_VALUES},
                                             {"state", required_argument, 0, OPT_STATE},
                                             {"catalog", required_argument, 0, CF_OPT_CATALOG},
                                             {"step", required_argument, 0, OPT_STEP},
                                             {"gpu-hours", required_argument, 0, OPT_GPU_HOURS},
                                             {0, 0, 0, 0}};
    const char *store = NULL, *values = NULL, *state_name = NULL, *catalog = NULL, *step = NULL, *gh = NULL;
    long id = 0;
    const char *id_text = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return CF_EXIT_OK;
        case CF_OPT_STORE: store = optarg; break;
        case OPT_ID: id_text = optarg; break;
        case OPT_VALUES: values = optarg; break;
        case OPT_STATE: state_name = optarg; break;
        case CF_OPT_CATALOG: catalog = optarg; break;
        case OPT_STEP: step = optarg; break;
        case OPT_GPU_HOURS: gh = optarg; break;
        default: return cf_cli_usage_error("observe", "unknown option");
        }
    }
    if (optind < argc) return cf_cli_usage_error("observe", "unexpected argument '%s'", argv[optind]);
    if (store == NULL) return cf_cli_usage_error("observe", "--store DB is required");
    if (id_text == NULL) return cf_cli_usage_error("observe", "--id ID is required");
    /* A trial id is what suggest printed: a positive integer. Say so for "-1", "0", "7x" or "", rather than
     * pretending the option was missing. */
    char *end = NULL;
    errno = 0;
    id = strtol(id_text, &end, 10);
    if (id_text[0] == '\0' || *end != '\0' || errno != 0 || id < 1)
        return cf_cli_usage_error("observe",
                                  "--id: expected a trial id, a positive integer as 'costfront suggest' printed "
                                  "it, found '%s'",
                                  id_text);
    if (step && state_name) return cf_cli_usage_error("observe", "--step records a running trial: omit --state");
    if (gh && step == NULL)
        return cf_cli_usage_error("observe",
                                  "--gpu-hours goes with --step (a final outcome gives gpu_hours in --values)");
    if (step) return observe_step(store, catalog, id, step, values, gh);
    cf_trial_state state = CF_TRIAL_COMPLETE;
    if (state_name && (cf_trial_state_from_name(state_name, &state) != CF_OK || state == CF_TRIAL_PENDING))
        return cf_cli_usage_error("observe", "--state: expected complete, failed or pruned, found '%s'", state_name);
    if (state == CF_TRIAL_COMPLETE && values == NULL)
        return cf_cli_usage_error("observe", "--values JSON is required for a complete trial");
    char *text = NULL;
    cJSON *v = NULL;
    if (values) {
        text = values[0] == '@' ? cf_cli_read_text("observe", values + 1) : strdup(values);
        if (text == NULL) return CF_EXIT_INPUT;
        v = cJSON_Parse(text);
        if (!cJSON_IsObject(v) && !cJSON_IsArray(v)) {
            fprintf(stderr,
                    "costfront observe: --values: expected a JSON object such as '{\"f1\": 1.2}', found "
                    "'%s'\n",
                    text);
            cJSON_Delete(v);
            free(text);
            return CF_EXIT_INPUT;
        }
    }
    int rc;
    cf_study *s = cf_cli_study_open("observe", store, &rc);
    if (s != NULL && (rc = cf_cli_study_check_catalog("observe", s, catalog)) != CF_EXIT_OK) {
        cf_study_destroy(s);
        s = NULL;
    }
    if (s != NULL) {
        cf_error err;
        cf_error_clear(&err);
        cf_status st = cf_study_tell(s, id, v, state, &err);
        cJSON *all = NULL;
        if (st == CF_OK) st = cf_study_trials(s, &all, &err);
        if (st != CF_OK) {
            rc = cf_cli_study_fail("observe", st, &err);
        } else {
            const cJSON *it;
            cJSON_ArrayForEach(it, all) if ((long)cJSON_GetObjectItem(it, "id")->valuedouble == id)
            {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddNumberToObject(o, "id", (double)id);
                cJSON_AddStringToObject(o, "state", cf_trial_state_name(state));
                cJSON_AddItemToObject(o, "values", cJSON_Duplicate(cJSON_GetObjectItem(it, "values"), 1));
                char *t = cJSON_PrintUnformatted(o);
                if (t) printf("%s\n", t);
                free(t);
                cJSON_Delete(o);
            }
        }
        cJSON_Delete(all);
        cf_study_destroy(s);
    }
    cJSON_Delete(v);
    free(text);
    return rc;
}
