/* costfront study: creates a multi-objective Bayesian optimisation study, shows it, imports runs into it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "study_cli.h"

static void help(void)
{
    printf("usage: costfront study create --space FILE --store DB [--catalog FILE [--catalog-only]]\n"
           "       costfront study show --store DB [--format table|json]\n"
           "       costfront study import --store DB RUNS... [--map A=B,...] [--map-file FILE] [--keep-going]\n\n"
           "A study is a search space with objectives and optional outcome constraints (the space JSON, see\n"
           "docs/mobo.md) and its trials, kept in an SQLite file. Drive it with 'costfront suggest' and\n"
           "'costfront observe'.\n\n"
           "  create   makes the study file DB from the space FILE (errors in the space name the JSON path, e.g.\n"
           "           params[2].low). DB must be a new or empty file: an existing study, another program's\n"
           "           database (Optuna, MLflow, a costfront run store, any SQLite file with other tables) or a\n"
           "           file that is not SQLite is refused, and left untouched (every study command checks this).\n"
           "           --catalog FILE: the study prices with this catalog (merged over the default one, or alone\n"
           "           with --catalog-only): its content and SHA-256 are kept in DB, so every suggest, observe,\n"
           "           import and 'score --hvi' of the study uses it; a later --catalog with other content is an\n"
           "           error\n"
           "  show     prints the trials, the observed Pareto front, its hypervolume and the reference point (and\n"
           "           whether it was inferred)\n"
           "  import   adds finished runs (any runs file costfront reads) as complete trials: each parameter of the\n"
           "           space is taken from the run field or hyperparameter of the same name (hardware, precision,\n"
           "           pruning, procurement, lr, ...), each metric from the run (accuracy, gpu_hours, costs priced\n"
           "           from the catalog under the run's procurement, default on_demand); runs that do not fit the\n"
           "           space are skipped with the reason\n\n"
           "Exit codes: 0 ok, 1 usage, 2 bad space, runs or study file, 3 the study file cannot be written.\n\n"
           "Examples:\n"
           "  costfront study create --space space.json --store study.db\n"
           "  costfront study import --store study.db examples/runs.csv\n"
           "  costfront study show --store study.db --format json\n");
}

enum { OPT_SPACE = CF_OPT_COMMAND_BASE, OPT_FORMAT };

/* Prints the study's catalog line of 'study show' (nothing for the default catalog). */
static void put_catalog(const cf_study *s)
{
    int only = 0;
    const char *sha = cf_study_catalog_sha256(s);
    cf_study_catalog_text(s, &only);
    if (sha == NULL)
        printf("catalog: the default catalog\n");
    else
        printf("catalog: %s (kept in the study, SHA-256 %s%s)\n", cf_study_catalog_source(s), sha,
               only ? ", in place of the default catalog" : ", merged over the default catalog");
}

static int study_create(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"space", required_argument, 0, OPT_SPACE},
                                             {"store", required_argument, 0, CF_OPT_STORE},
                                             {"catalog", required_argument, 0, CF_OPT_CATALOG},
                                             {"catalog-only", no_argument, 0, CF_OPT_CATALOG_ONLY},
                                             {0, 0, 0, 0}};
    const char *space = NULL, *store = NULL, *catalog = NULL;
    int c, catalog_only = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return CF_EXIT_OK;
        case OPT_SPACE: space = optarg; break;
        case CF_OPT_STORE: store = optarg; break;
        case CF_OPT_CATALOG: catalog = optarg; break;
        case CF_OPT_CATALOG_ONLY: catalog_only = 1; break;
        default: return cf_cli_usage_error("study create", "unknown option");
        }
    }
    if (optind < argc) return cf_cli_usage_error("study create", "unexpected argument '%s'", argv[optind]);
    if (space == NULL || store == NULL)
        return cf_cli_usage_error("study create", "--space FILE and --store DB are required");
    if (catalog_only && catalog == NULL)
        return cf_cli_usage_error("study create", "--catalog-only needs --catalog FILE");
    char *text = cf_cli_read_text("study create", space);
    if (text == NULL) return CF_EXIT_INPUT;
    char *cat_text = catalog ? cf_cli_read_text("study create", catalog) : NULL;
    if (catalog && cat_text == NULL) {
        free(text);
        return CF_EXIT_INPUT;
    }
    cf_error err;
    cf_error_clear(&err);
    cf_study *s = NULL;
    cf_status st = cf_study_create_priced(store, text, cat_text, catalog, catalog_only, &s, &err);
    free(text);
    free(cat_text);
    if (st != CF_OK) {
        if (st == CF_ERR_PARSE || st == CF_ERR_INVALID) {
            int from_catalog = catalog && strcmp(err.source, catalog) == 0;
            if (!from_catalog && (err.source[0] == '\0' || st == CF_ERR_PARSE))
                snprintf(err.source, sizeof err.source, "%s", space);
            cf_cli_print_error("study create", &err);
            return CF_EXIT_INPUT;
        }
        cf_cli_print_error("study create", &err);
        return st == CF_ERR_IO || st == CF_ERR_DB ? CF_EXIT_OUTPUT : cf_cli_exit_for(st);
    }
    const cf_space *sp = cf_study_space(s);
    fprintf(stderr, "study created in %s: %zu parameters, %zu objectives, %zu constraints%s\n", store,
            cf_space_n_params(sp), cf_space_n_objectives(sp), cf_space_n_constraints(sp),
            cf_study_cost_aware(s) ? "; cost-aware (observe accuracy and gpu_hours, costs come from the catalog)" : "");
    if (catalog)
        fprintf(stderr, "study create: prices with %s (kept in the study, SHA-256 %.12s...)%s\n", catalog,
                cf_study_catalog_sha256(s), catalog_only ? ", in place of the default catalog" : "");
    cf_study_destroy(s);
    return CF_EXIT_OK;
}

/* Prints a JSON value compactly (strings without quotes). */
static void put_value(FILE *out, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        fputs(v->valuestring, out);
    } else if (cJSON_IsNumber(v)) {
        fprintf(out, "%.6g", v->valuedouble);
    } else {
        char *t = v ? cJSON_PrintUnformatted(v) : NULL;
        fputs(t ? t : "-", out);
        free(t);
    }
}

/* Prints "name=value" for every entry of an object. */
static void put_object(FILE *out, const cJSON *o)
{
    const cJSON *it;
    int first = 1;
    if (!cJSON_IsObject(o)) {
        fputs("-", out);
        return;
    }
    cJSON_ArrayForEach(it, o)
    {
        fprintf(out, "%s%s=", first ? "" : " ", it->string);
        put_value(out, it);
        first = 0;
    }
}

static int study_show(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"store", required_argument, 0, CF_OPT_STORE},
                                             {"format", required_argument, 0, OPT_FORMAT},
                                             {0, 0, 0, 0}};
    const char *store = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return CF_EXIT_OK;
        case CF_OPT_STORE: store = optarg; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "json") && strcmp(optarg, "table"))
                return cf_cli_usage_error("study show", "--format: expected table or json, found '%s'", optarg);
            json = strcmp(optarg, "json") == 0;
            break;
        default: return cf_cli_usage_error("study show", "unknown option");
        }
    }
    if (optind < argc) return cf_cli_usage_error("study show", "unexpected argument '%s'", argv[optind]);
    if (store == NULL) return cf_cli_usage_error("study show", "--store DB is required");
    int rc;
    cf_study *s = cf_cli_study_open("study show", store, &rc);
    if (s == NULL) return rc;
    cf_error err;
    cf_error_clear(&err);
    cJSON *front = NULL, *trials = NULL;
    cf_status st = cf_study_front(s, &front, &err);
    if (st == CF_OK) st = cf_study_trials(s, &trials, &err);
    if (st != CF_OK) {
        rc = cf_cli_study_fail("study show", st, &err);
        goto out;
    }
    const cf_space *sp = cf_study_space(s);
    size_t counts[4] = {0, 0, 0, 0};
    const cJSON *it;
    cJSON_ArrayForEach(it, trials)
    {
        cf_trial_state ts;
        if (cf_trial_state_from_name(cJSON_GetObjectItem(it, "state")->valuestring, &ts) == CF_OK) counts[ts]++;
    }
    if (json) {
        char *sj = cf_space_to_json(sp);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "store", store);
        cJSON_AddItemToObject(o, "space", sj ? cJSON_Parse(sj) : cJSON_CreateNull());
        free(sj);
        cJSON_AddBoolToObject(o, "cost_aware", cf_study_cost_aware(s));
        if (cf_study_catalog_sha256(s)) {
            int only = 0;
            cf_study_catalog_text(s, &only);
            cJSON *cj = cJSON_AddObjectToObject(o, "catalog");
            cJSON_AddStringToObject(cj, "source", cf_study_catalog_source(s));
            cJSON_AddStringToObject(cj, "sha256", cf_study_catalog_sha256(s));
            cJSON_AddBoolToObject(cj, "catalog_only", only);
        } else {
            cJSON_AddNullToObject(o, "catalog");
        }
        cJSON *cn = cJSON_AddObjectToObject(o, "counts");
        for (int k = 0; k < 4; k++)
            cJSON_AddNumberToObject(cn, cf_trial_state_name((cf_trial_state)k), (double)counts[k]);
        static const char *const keys[] = {"ref", "ref_inferred", "hypervolume", "front"};
        for (int k = 0; k < 4; k++) cJSON_AddItemToObject(o, keys[k], cJSON_DetachItemFromObject(front, keys[k]));
        cJSON_AddItemToObject(o, "trials", trials);
        trials = NULL;
        char *t = cJSON_Print(o);
        if (t)
            printf("%s\n", t);
        else
            rc = CF_EXIT_INTERNAL;
        free(t);
        cJSON_Delete(o);
        goto out;
    }
    size_t M = cf_space_n_objectives(sp), C = cf_space_n_constraints(sp);
    printf("study: %s%s\n", store, cf_study_cost_aware(s) ? " (cost-aware: costs computed from gpu_hours)" : "");
    put_catalog(s);
    printf("parameters:");
    for (size_t j = 0; j < cf_space_n_params(sp); j++) printf(" %s", cf_space_param_name(sp, j));
    printf("\nobjectives:");
    for (size_t j = 0; j < M; j++)
        printf(" %s (%s)", cf_space_objective_name(sp, j), cf_space_objective_maximize(sp, j) ? "max" : "min");
    if (C) printf("\nconstraints:");
    for (size_t j = 0; j < C; j++)
        printf(" %s %s %g", cf_space_constraint_name(sp, j),
               cf_space_constraint_op(sp, j) == CF_CONSTRAINT_GE ? ">=" : "<=", cf_space_constraint_value(sp, j));
    printf("\ntrials: %zu (%zu complete, %zu pending, %zu failed, %zu pruned)\n",
           counts[0] + counts[1] + counts[2] + counts[3], counts[1], counts[0], counts[2], counts[3]);
    const cJSON *ref = cJSON_GetObjectItem(front, "ref"), *inf = cJSON_GetObjectItem(front, "ref_inferred");
    printf("reference point:");
    if (!cJSON_IsArray(ref)) printf(" none yet (no feasible trial, and the space gives none)");
    for (size_t j = 0; cJSON_IsArray(ref) && j < M; j++)
        printf(" %s=%.6g (%s)", cf_space_objective_name(sp, j), cJSON_GetArrayItem(ref, (int)j)->valuedouble,
               cJSON_IsTrue(cJSON_GetArrayItem(inf, (int)j)) ? "inferred" : "given");
    printf("\nhypervolume: %.10g\n", cJSON_GetObjectItem(front, "hypervolume")->valuedouble);
    const cJSON *fr = cJSON_GetObjectItem(front, "front");
    printf("\nPareto front (%d trials):\n", cJSON_GetArraySize(fr));
    cJSON_ArrayForEach(it, fr)
    {
        printf("  #%-4ld ", (long)cJSON_GetObjectItem(it, "id")->valuedouble);
        put_object(stdout, cJSON_GetObjectItem(it, "values"));
        printf("  | ");
        put_object(stdout, cJSON_GetObjectItem(it, "params"));
        printf("\n");
    }
    printf("\ntrials:\n");
    cJSON_ArrayForEach(it, trials)
    {
        printf("  #%-4ld %-8s ", (long)cJSON_GetObjectItem(it, "id")->valuedouble,
               cJSON_GetObjectItem(it, "state")->valuestring);
        put_object(stdout, cJSON_GetObjectItem(it, "values"));
        printf("  | ");
        put_object(stdout, cJSON_GetObjectItem(it, "params"));
        printf("\n");
    }
out:
    cJSON_Delete(front);
    cJSON_Delete(trials);
    cf_study_destroy(s);
    return rc;
}

/* Builds the params object of run i for the space (NULL when a parameter has no value in the run; *missing
 * names it). Categorical choices are matched as the space lists them: numbers as numbers, else strings. */
static cJSON *run_params(const cf_space *sp, const cJSON *space_json, const cf_runset *rs, size_t i,
                         const char **missing)
{
    const cf_run *r = cf_runset_get(rs, i);
    cJSON *o = cJSON_CreateObject();
    const cJSON *pj = cJSON_GetObjectItem(space_json, "params");
    for (size_t j = 0; o && j < cf_space_n_params(sp); j++) {
        const char *name = cf_space_param_name(sp, j);
        const char *str = NULL;
        double num = NAN;
        if (!strcmp(name, "hardware"))
            str = r->hardware;
        else if (!strcmp(name, "precision"))
            str = r->precision != CF_PREC_UNKNOWN ? cf_precision_name(r->precision) : NULL;
        else if (!strcmp(name, "procurement"))
            str = r->procurement;
        else if (!strcmp(name, "region"))
            str = r->region;
        else if (!strcmp(name, "provider"))
            str = r->provider;
        else if (!strcmp(name, "model"))
            str = r->model;
        else if (!strcmp(name, "dataset"))
            str = r->dataset;
        else if (cf_runset_numeric(rs, i, name, &num) != CF_OK) {
            size_t k = cf_runset_param_find(rs, name);
            if (k != (size_t)-1) str = cf_runset_param_str(rs, i, k);
        }
        if (!strcmp(name, "pruning")) num = r->pruning;
        int numeric_choices = 0;
        if (cf_space_param_type(sp, j) == CF_SPACE_CATEGORICAL) {
            const cJSON *ch = cJSON_GetObjectItem(cJSON_GetArrayItem(pj, (int)j), "choices");
            numeric_choices = cJSON_IsNumber(cJSON_GetArrayItem(ch, 0));
            if (numeric_choices && str && isnan(num)) num = strtod(str, NULL);
            if (!numeric_choices && str == NULL && !isnan(num)) {
                /* A number where the space lists strings: find the choice with that value. */
                const cJSON *c;
                cJSON_ArrayForEach(c, ch) if (cJSON_IsString(c) && strtod(c->valuestring, NULL) == num) str =
                    c->valuestring;
            }
        } else if (isnan(num) && str) {
            num = strtod(str, NULL);
        }
        cJSON *v = cf_space_param_type(sp, j) == CF_SPACE_CATEGORICAL && !numeric_choices
                       ? (str ? cJSON_CreateString(str) : NULL)
                       : (!isnan(num) ? cJSON_CreateNumber(num) : NULL);
        if (v == NULL) {
            *missing = name;
            cJSON_Delete(o);
            return NULL;
        }
        cJSON_AddItemToObject(o, name, v);
    }
    return o;
}

/* Builds the values object of run i: every metric of the space plus gpu_hours. Costs are priced from the catalog
 * under the run's procurement (on_demand when it has none). */
static cJSON *run_values(const cf_space *sp, const cf_cli_inputs *in, size_t i, const char **missing)
{
    const cf_run *r = cf_runset_get(in->runs, i);
    size_t M = cf_space_n_objectives(sp), K = M + cf_space_n_constraints(sp);
    cf_procurement proc = CF_PROC_ON_DEMAND;
    if (r->procurement) cf_procurement_parse(r->procurement, &proc);
    cf_pricing_opts po;
    cf_pricing_opts_default(&po);
    cf_price pr;
    int priced = cf_price_run(in->catalog, r, proc, &po, &pr, NULL) == CF_OK;
    cJSON *o = cJSON_CreateObject();
    if (o && isfinite(r->gpu_hours)) cJSON_AddNumberToObject(o, "gpu_hours", r->gpu_hours);
    for (size_t k = 0; o && k < K; k++) {
        const char *name = k < M ? cf_space_objective_name(sp, k) : cf_space_constraint_name(sp, k - M);
        double v = NAN;
        if (!strcmp(name, "gpu_hours")) continue;
        if (!strcmp(name, "cost_usd"))
            v = priced ? pr.cost_usd : NAN;
        else if (!strcmp(name, "total_cost_usd"))
            v = priced ? pr.total_cost_usd : NAN;
        else if (!strcmp(name, "co2e_kg"))
            v = priced ? pr.co2e_kg : NAN;
        else if (!strcmp(name, "energy_kwh"))
            v = priced ? pr.energy_kwh : NAN;
        else if (!strcmp(name, "carbon_cost_usd"))
            v = priced ? pr.carbon_cost_usd : NAN;
        else if (cf_runset_numeric(in->runs, i, name, &v) != CF_OK)
            v = NAN;
        if (!isfinite(v)) {
            *missing = name;
            cJSON_Delete(o);
            return NULL;
        }
        cJSON_AddNumberToObject(o, name, v);
    }
    return o;
}

static int study_import(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"store", required_argument, 0, CF_OPT_STORE},
                                             {"map", required_argument, 0, CF_OPT_MAP},
                                             {"map-file", required_argument, 0, CF_OPT_MAP_FILE},
                                             {"accuracy-unit", required_argument, 0, CF_OPT_ACCURACY_UNIT},
                                             {"keep-going", no_argument, 0, CF_OPT_KEEP_GOING},
                                             {"catalog", required_argument, 0, CF_OPT_CATALOG},
                                             {"quiet", no_argument, 0, CF_OPT_QUIET},
                                             {"max-errors", required_argument, 0, CF_OPT_MAX_ERRORS},
                                             {0, 0, 0, 0}};
    cf_cli_inputs in;
    cf_cli_inputs_init(&in);
    const char *store = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            help();
            return CF_EXIT_OK;
        }
        if (c == CF_OPT_STORE) {
            store = optarg;
            continue;
        }
        int r = cf_cli_inputs_option(&in, c, optarg);
        if (r == 0) return cf_cli_usage_error("study import", "unknown option");
        if (r < 0) return CF_EXIT_USAGE;
    }
    if (store == NULL) return cf_cli_usage_error("study import", "--store DB is required");
    if (optind >= argc) return cf_cli_usage_error("study import", "name one or more files of runs");
    int rc;
    /* The runs are priced with the study's catalog; a --catalog must be that catalog. */
    if ((rc = cf_cli_study_catalog("study import", store, &in)) != CF_EXIT_OK) {
        cf_cli_inputs_free(&in);
        return rc;
    }
    cf_study *s = cf_cli_study_open("study import", store, &rc);
    if (s == NULL) {
        cf_cli_inputs_free(&in);
        return rc;
    }
    cJSON *space_json = NULL;
    rc = cf_cli_load_runs(&in, argc - optind, argv + optind);
    if (rc != CF_EXIT_OK) goto out;
    const cf_space *sp = cf_study_space(s);
    char *sj = cf_space_to_json(sp);
    space_json = sj ? cJSON_Parse(sj) : NULL;
    free(sj);
    size_t n = cf_runset_size(in.runs), added = 0;
    for (size_t i = 0; i < n; i++) {
        const char *missing = NULL;
        const cf_run *r = cf_runset_get(in.runs, i);
        cJSON *p = run_params(sp, space_json, in.runs, i, &missing);
        cJSON *v = p ? run_values(sp, &in, i, &missing) : NULL;
        cf_error err;
        cf_error_clear(&err);
        long id = 0;
        int quiet = in.quiet || (long)(i - added) >= in.max_errors; /* skipped runs listed: --max-errors */
        if (p == NULL || v == NULL) {
            if (!quiet)
                fprintf(stderr, "costfront study import: run %s: no value for '%s'; skipped\n", r->run_id, missing);
        } else if (cf_study_add(s, p, v, &id, &err) != CF_OK) {
            char buf[700];
            if (!quiet)
                fprintf(stderr, "costfront study import: run %s: %s; skipped\n", r->run_id,
                        cf_error_format(&err, buf, sizeof buf));
        } else {
            added++;
        }
        cJSON_Delete(p);
        cJSON_Delete(v);
    }
    fprintf(stderr, "study import: %zu of %zu runs added as complete trials, %zu skipped%s\n", added, n, n - added,
            (long)(n - added) > in.max_errors ? " (the first --max-errors listed)" : "");
    if (added == 0) rc = CF_EXIT_INPUT;
out:
    cJSON_Delete(space_json);
    cf_cli_inputs_free(&in);
    cf_study_destroy(s);
    return rc;
}

int cf_cmd_study(int argc, char **argv)
{
    if (argc < 2) {
        help();
        return CF_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
        help();
        return CF_EXIT_OK;
    }
    if (!strcmp(sub, "create")) return study_create(argc - 1, argv + 1);
    if (!strcmp(sub, "show")) return study_show(argc - 1, argv + 1);
    if (!strcmp(sub, "import")) return study_import(argc - 1, argv + 1);
    return cf_cli_usage_error("study", "unknown subcommand '%s' (create, show or import)", sub);
}
