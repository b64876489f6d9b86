/* costfront suggest: asks a study for the next trials to run (the "ask" of an ask/tell loop). */
#include <stdlib.h>
#include <string.h>

#include "study_cli.h"

static void help(void)
{
    printf("usage: costfront suggest --store DB [--n Q] [--seed S] [--format json|tsv]\n\n"
           "Proposes Q new trials of the study in DB, records them as pending (later suggestions account for\n"
           "them), and prints them. Run each one, then report it with 'costfront observe'. The same study and the\n"
           "same seed give byte-identical output. See docs/mobo.md.\n\n"
           "  --store DB           the study file (made by 'costfront study create')\n"
           "  --n Q                number of trials to propose (default 1; a batch is chosen jointly by qNEHVI\n"
           "                       on a noisy study, with kriging-believer fantasies otherwise)\n"
           "  --seed S             seed of the initial design and of the acquisition search (default 0)\n"
           "  --format F           json (default): {\"trials\": [{\"id\": 7, \"params\": {...}}]}\n"
           "                       tsv: a header line 'id<TAB>param...' then one line per trial, for shell loops\n"
           "  --acquisition A      auto (default), ehvi, qnehvi, parego, sobol or random\n"
           "  --n-init N           size of the initial Sobol design (default max(2 (d + 1), 5))\n"
           "  --effort R,P,E,G     raw candidates, polished restarts, evaluations per polish, GP restarts\n"
           "                       (default 512,5,200,2; smaller is faster)\n"
           "  --catalog FILE       optional check: FILE must be the catalog the study was created with (the study\n"
           "                       always prices with the catalog it keeps; other content is an error, exit 2)\n\n"
           "Several workers may share one study: each suggestion sees every trial suggested before it, so no\n"
           "two workers get the same pending configuration (docs/mobo.md, \"Sweeps with several workers\").\n\n"
           "Exit codes: 0 ok, 1 usage, 2 bad or missing study file, 4 numerical failure.\n\n"
           "Examples:\n"
           "  costfront suggest --store study.db --n 4 --seed 1\n"
           "  costfront suggest --store study.db --format tsv\n");
}

enum { OPT_N = CF_OPT_COMMAND_BASE, OPT_SEED, OPT_FORMAT, OPT_ACQ, OPT_NINIT, OPT_EFFORT };

/* Prints the trials as TSV: a header with the parameter names, then id and the parameter values. */
static void print_tsv(const cf_space *sp, const cJSON *trials)
{
    size_t np = cf_space_n_params(sp);
    fputs("id", stdout);
    for (size_t j = 0; j < np; j++) printf("\t%s", cf_space_param_name(sp, j));
    fputc('\n', stdout);
    const cJSON *it;
    cJSON_ArrayForEach(it, trials)
    {
        printf("%ld", (long)cJSON_GetObjectItem(it, "id")->valuedouble);
        const cJSON *p = cJSON_GetObjectItem(it, "params");
        for (size_t j = 0; j < np; j++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, cf_space_param_name(sp, j));
            if (cJSON_IsString(v)) {
                printf("\t%s", v->valuestring);
            } else {
                char *t = v ? cJSON_PrintUnformatted(v) : NULL;
                printf("\t%s", t ? t : "");
                free(t);
            }
        }
        fputc('\n', stdout);
    }
}

int cf_cmd_suggest(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"store", required_argument, 0, CF_OPT_STORE},
                                             {"n", required_argument, 0, OPT_N},
                                             {"seed", required_argument, 0, OPT_SEED},
                                             {"format", required_argument, 0, OPT_FORMAT},
                                             {"acquisition", required_argument, 0, OPT_ACQ},
                                             {"n-init", required_argument, 0, OPT_NINIT},
                                             {"effort", required_argument, 0, OPT_EFFORT},
                                             {"catalog", required_argument, 0, CF_OPT_CATALOG},
                                             {0, 0, 0, 0}};
    const char *store = NULL, *format = "json", *catalog = NULL;
    long q = 1, seed = 0, n_init = 0;
    long effort[4] = {0, 0, 0, 0};
    cf_acquisition acq = CF_ACQ_AUTO;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return CF_EXIT_OK;
        case CF_OPT_STORE: store = optarg; break;
        case CF_OPT_CATALOG: catalog = optarg; break;
        case OPT_N:
            if (cf_cli_parse_long("--n", optarg, &q) != 0) return CF_EXIT_USAGE;
            if (q < 1 || q > 1000) return cf_cli_usage_error("suggest", "--n: expected 1 to 1000, found %ld", q);
            break;
        case OPT_SEED:
            if (cf_cli_parse_long("--seed", optarg, &seed) != 0) return CF_EXIT_USAGE;
            if (seed < 0) return cf_cli_usage_error("suggest", "--seed: expected a non-negative integer");
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "json") && strcmp(optarg, "tsv"))
                return cf_cli_usage_error("suggest", "--format: expected json or tsv, found '%s'", optarg);
            format = optarg;
            break;
        case OPT_ACQ: {
            static const char *const names[] = {"auto", "ehvi", "parego", "sobol", "random", "qnehvi"};
            int k = 0;
            while (k < 6 && strcmp(optarg, names[k])) k++;
            if (k == 6)
                return cf_cli_usage_error("suggest",
                                          "--acquisition: expected auto, ehvi, parego, sobol, random or qnehvi, "
                                          "found '%s'",
                                          optarg);
            acq = (cf_acquisition)k;
            break;
        }
        case OPT_NINIT:
            if (cf_cli_parse_long("--n-init", optarg, &n_init) != 0) return CF_EXIT_USAGE;
            if (n_init < 1) return cf_cli_usage_error("suggest", "--n-init: expected a positive integer");
            break;
        case OPT_EFFORT: {
            char *end = optarg;
            for (int k = 0; k < 4; k++) {
                effort[k] = strtol(end, &end, 10);
                if (effort[k] < 0 || (k < 3 && *end != ',') || (k == 3 && *end != '\0'))
                    return cf_cli_usage_error("suggest", "--effort: expected four integers R,P,E,G, found '%s'",
                                              optarg);
                if (k < 3) end++;
            }
            break;
        }
        default: return cf_cli_usage_error("suggest", "unknown option");
        }
    }
    if (optind < argc) return cf_cli_usage_error("suggest", "unexpected argument '%s'", argv[optind]);
    if (store == NULL) return cf_cli_usage_error("suggest", "--store DB is required");
    int rc;
    cf_study *s = cf_cli_study_open("suggest", store, &rc);
    if (s == NULL) return rc;
    if ((rc = cf_cli_study_check_catalog("suggest", s, catalog)) != CF_EXIT_OK) {
        cf_study_destroy(s);
        return rc;
    }
    cf_study_set_acquisition(s, acq);
    if (n_init > 0) cf_study_set_n_init(s, (size_t)n_init);
    cf_study_set_effort(s, (size_t)effort[0], (size_t)effort[1], (size_t)effort[2], (size_t)effort[3]);
    cf_error err;
    cf_error_clear(&err);
    cJSON *trials = NULL;
    cf_status st = cf_study_ask(s, (size_t)q, (unsigned long)seed, &trials, &err);
    if (st != CF_OK) {
        rc = cf_cli_study_fail("suggest", st, &err);
    } else if (strcmp(format, "tsv") == 0) {
        print_tsv(cf_study_space(s), trials);
    } else {
        cJSON *o = cJSON_CreateObject();
        char *txt = NULL;
        if (o && cJSON_AddItemToObject(o, "trials", trials)) {
            trials = NULL;
            txt = cJSON_PrintUnformatted(o);
        }
        if (txt)
            printf("%s\n", txt);
        else
            rc = CF_EXIT_INTERNAL;
        free(txt);
        cJSON_Delete(o);
    }
    cJSON_Delete(trials);
    cf_study_destroy(s);
    if (rc == CF_EXIT_OK && fflush(stdout) != 0) rc = CF_EXIT_OUTPUT;
    return rc;
}
