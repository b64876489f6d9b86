/* costfront observe: reports the outcome of a suggested trial to its study (the "tell" of an ask/tell loop). */
#include <stdlib.h>
#include <string.h>

#include "study_cli.h"

static void help(void)
{
    printf("usage: costfront observe --store DB --id ID --values JSON\n"
           "       costfront observe --store DB --id ID --state failed|pruned\n\n"
           "Records the outcome of trial ID (from 'costfront suggest') and prints the stored trial as JSON.\n"
           "--values names every objective and constraint metric of the study, e.g. '{\"f1\": 1.2, \"f2\": 3.4}'.\n"
           "In a cost-aware study (docs/mobo.md) give accuracy (or the other told metrics) and gpu_hours: the\n"
           "costs are computed from the catalog and stored, e.g. '{\"accuracy\": 0.91, \"gpu_hours\": 12}'.\n\n"
           "  --store DB         the study file\n"
           "  --id ID            the trial's id\n"
           "  --values JSON      the outcome (a JSON object); --values @FILE reads it from FILE\n"
           "  --state S          complete (default with --values), failed or pruned\n\n"
           "Exit codes: 0 ok, 1 usage, 2 bad values, unknown id, trial already told, or bad study file.\n\n"
           "Examples:\n"
           "  costfront observe --store study.db --id 7 --values '{\"accuracy\": 0.91, \"gpu_hours\": 12}'\n"
           "  costfront observe --store study.db --id 8 --state failed\n");
}

enum { OPT_ID = CF_OPT_COMMAND_BASE, OPT_VALUES, OPT_STATE };

int cf_cmd_observe(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"store", required_argument, 0, CF_OPT_STORE},
                                             {"id", required_argument, 0, OPT_ID},
                                             {"values", required_argument, 0, OPT_VALUES},
                                             {"state", required_argument, 0, OPT_STATE},
                                             {0, 0, 0, 0}};
    const char *store = NULL, *values = NULL, *state_name = NULL;
    long id = -1;
    int have_id = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return CF_EXIT_OK;
        case CF_OPT_STORE: store = optarg; break;
        case OPT_ID:
            if (cf_cli_parse_long("--id", optarg, &id) != 0) return CF_EXIT_USAGE;
            have_id = 1;
            break;
        case OPT_VALUES: values = optarg; break;
        case OPT_STATE: state_name = optarg; break;
        default: return cf_cli_usage_error("observe", "unknown option");
        }
    }
    if (optind < argc) return cf_cli_usage_error("observe", "unexpected argument '%s'", argv[optind]);
    if (store == NULL) return cf_cli_usage_error("observe", "--store DB is required");
    if (!have_id) return cf_cli_usage_error("observe", "--id ID is required (the id `suggest` printed)");
    if (id < 1)
        return cf_cli_usage_error("observe", "--id: expected a trial id (a positive integer `suggest` printed), found %ld",
                                  id);
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
