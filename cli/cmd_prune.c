/* costfront should-prune: asks a study whether a running trial should be stopped now (optimizer/prune.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/prune.h"
#include "study_cli.h"

/* Prints the usage, the rule in one paragraph and the exit codes. */
static void help(void)
{
    printf("usage: costfront should-prune --store DB --id ID [--min-steps K] [--min-completed K] [--budget-step S]\n"
           "                              [--tell]\n\n"
           "Answers prune or continue for running trial ID from the study's learning curves (the intermediate\n"
           "values recorded by 'costfront observe --step') and prints the answer as JSON with the reason.\n"
           "The rule: prune when a trial of the current front is at least as good in every objective as the\n"
           "trial's optimistic final outcome -- its best value so far plus the largest gain any completed trial\n"
           "made after the same step, at the GPU-hours spent so far plus the rest projected in proportion to\n"
           "steps (median stopping in spirit, Golovin et al. 2017; README, 'Pruning running trials').\n\n"
           "  --store DB           the study file\n"
           "  --id ID              the running trial's id\n"
           "  --min-steps K        never prune before K evaluations (default 3)\n"
           "  --min-completed K    never prune before K completed trials have learning curves (default 3)\n"
           "  --budget-step S      the step the trial trains to (default: the largest last step of the\n"
           "                       completed curves)\n"
           "  --tell               when the answer is prune, also record the trial as pruned\n\n"
           "Exit codes: 0 continue, 7 prune, 1 usage, 2 unknown id, trial not running, or bad study file.\n\n"
           "Example:\n"
           "  costfront observe --store study.db --id 9 --step 200 --values 0.71 --gpu-hours 1.5\n"
           "  costfront should-prune --store study.db --id 9 || echo \"stop trial 9\"\n");
}

enum { OPT_ID = CF_OPT_COMMAND_BASE, OPT_MIN_STEPS, OPT_MIN_COMPLETED, OPT_BUDGET, OPT_TELL };

/* Parses a non-negative integer option; returns 0 and prints a usage error when text is not one. */
static int parse_count(const char *opt, const char *text, long min, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (text[0] == '\0' || *end != '\0' || errno != 0 || v < min) {
        cf_cli_usage_error("should-prune", "%s: expected an integer >= %ld, found '%s'", opt, min, text);
        return 0;
    }
    *out = v;
    return 1;
}

/* The should-prune command: parses the options, asks the library and prints its JSON answer; exit 0 continue, 7
 * prune. */
int cf_cmd_should_prune(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"store", required_argument, 0, CF_OPT_STORE},
                                             {"id", required_argument, 0, OPT_ID},
                                             {"min-steps", required_argument, 0, OPT_MIN_STEPS},
                                             {"min-completed", required_argument, 0, OPT_MIN_COMPLETED},
                                             {"budget-step", required_argument, 0, OPT_BUDGET},
                                             {"tell", no_argument, 0, OPT_TELL},
                                             {0, 0, 0, 0}};
    const char *store = NULL;
    long id = 0, v = 0;
    int have_id = 0, tell = 0, c;
    cf_prune_options opt;
    cf_prune_options_init(&opt);
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return CF_EXIT_OK;
        case CF_OPT_STORE: store = optarg; break;
        case OPT_ID:
            if (!parse_count("--id", optarg, 1, &id)) return CF_EXIT_USAGE;
            have_id = 1;
            break;
        case OPT_MIN_STEPS:
            if (!parse_count("--min-steps", optarg, 1, &v)) return CF_EXIT_USAGE;
            opt.min_steps = (size_t)v;
            break;
        case OPT_MIN_COMPLETED:
            if (!parse_count("--min-completed", optarg, 1, &v)) return CF_EXIT_USAGE;
            opt.min_completed = (size_t)v;
            break;
        case OPT_BUDGET:
            if (!parse_count("--budget-step", optarg, 1, &v)) return CF_EXIT_USAGE;
            opt.budget_step = v;
            break;
        case OPT_TELL: tell = 1; break;
        default: return cf_cli_usage_error("should-prune", "unknown option");
        }
    }
    if (optind < argc) return cf_cli_usage_error("should-prune", "unexpected argument '%s'", argv[optind]);
    if (store == NULL) return cf_cli_usage_error("should-prune", "--store DB is required");
    if (!have_id) return cf_cli_usage_error("should-prune", "--id ID is required");
    int rc;
    cf_study *s = cf_cli_study_open("should-prune", store, &rc);
    if (s == NULL) return rc;
    cf_error err;
    cf_error_clear(&err);
    cJSON *o = NULL;
    int prune = 0;
    cf_status st = cf_study_should_prune(s, id, &opt, &prune, &o, &err);
    if (st == CF_OK && prune && tell) {
        st = cf_study_tell(s, id, NULL, CF_TRIAL_PRUNED, &err);
        if (st == CF_OK) cJSON_AddBoolToObject(o, "told", 1);
    }
    if (st != CF_OK) {
        rc = cf_cli_study_fail("should-prune", st, &err);
    } else {
        char *t = cJSON_PrintUnformatted(o);
        if (t) printf("%s\n", t);
        free(t);
        rc = prune ? CF_EXIT_PRUNE : CF_EXIT_OK;
    }
    cJSON_Delete(o);
    cf_study_destroy(s);
    return rc;
}
