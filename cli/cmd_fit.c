/* costfront fit: fits the accuracy and GPU-hours surrogates to runs and reports hyperparameters and
 * leave-one-out cross-validation. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "predicted.h"

static void help(void)
{
    printf("usage: costfront fit RUNS... [--target accuracy] [--format table|json] [--out FILE] [options]\n\n"
           "Fits two Gaussian-process surrogates to the runs: the target metric (accuracy by default) and log\n"
           "GPU-hours, whose prior mean comes from the catalog's throughput ratios and the pruning speed-ups\n"
           "(docs/surrogates.md). Prints the encoding of every input, the fitted lengthscales, signal and noise\n"
           "variances, the leave-one-out cross-validation of both models (RMSE, mean negative log predictive\n"
           "density, share of held-out runs inside their 95%% interval) and the time taken.\n\n"
           "  --format F              table (default) or json\n"
           "  --out FILE              write to FILE (atomically) instead of standard output\n\n%s\n%s\n%s\n"
           "Examples:\n"
           "  costfront fit examples/runs.csv\n"
           "  costfront fit examples/runs.csv --log lr,epochs --format json\n",
           cf_cli_surrogate_options_help, cf_cli_run_options_help, cf_cli_catalog_options_help);
}

enum { OPT_FORMAT = CF_OPT_COMMAND_BASE, OPT_OUT };

static const char *fmt_ls(char *b, size_t n, double v)
{
    if (isnan(v))
        snprintf(b, n, "-");
    else
        snprintf(b, n, "%.3g", v);
    return b;
}

/* The fit as an aligned table. */
static char *fit_table(const cf_surrogate *s)
{
    char *out = NULL;
    size_t len = 0;
    int bad = 0;
    bad |= cf_cli_cat(&out, &len,
                      "Surrogates of %s and log GPU-hours (Gaussian processes, Matern-5/2 ARD x categorical)\n\n",
                      cf_surrogate_target(s));
    bad |= cf_cli_cat(&out, &len, "%-12s %5s %12s %10s %10s %12s %12s %8s\n", "model", "runs", "LOO RMSE", "LOO NLPD",
                      "LOO 95%", "signal var", "noise var", "seconds");
    for (int m = 0; m < 2; m++) {
        double rmse, nlpd, cov, sv, nv;
        cf_surrogate_loo(s, (cf_surrogate_model)m, &rmse, &nlpd, &cov);
        cf_surrogate_hypers(s, (cf_surrogate_model)m, &sv, &nv, NULL);
        if (isnan(rmse)) /* fewer than 2 runs: leave-one-out is undefined */
            bad |= cf_cli_cat(&out, &len, "%-12s %5zu %12s %10s %10s %12.4g %12.4g %8.2f\n",
                              m == 0 ? cf_surrogate_target(s) : "log gpu_hours",
                              cf_surrogate_n_train(s, (cf_surrogate_model)m), "-", "-", "-", sv, nv,
                              cf_surrogate_fit_seconds(s, (cf_surrogate_model)m));
        else
            bad |= cf_cli_cat(&out, &len, "%-12s %5zu %12.4g %10.3f %9.1f%% %12.4g %12.4g %8.2f\n",
                              m == 0 ? cf_surrogate_target(s) : "log gpu_hours",
                              cf_surrogate_n_train(s, (cf_surrogate_model)m), rmse, nlpd, 100.0 * cov, sv, nv,
                              cf_surrogate_fit_seconds(s, (cf_surrogate_model)m));
    }
    bad |= cf_cli_cat(&out, &len, "\n%-16s %-44s %12s %12s\n", "input", "encoding", "ls metric", "ls hours");
    for (size_t j = 0; j < cf_surrogate_field_count(s); j++) {
        char enc[128], a[32], b[32];
        const char *name = cf_surrogate_field_name(s, j);
        cf_field_role role = cf_surrogate_field_role(s, j);
        double lo, hi;
        cf_surrogate_field_range(s, j, &lo, &hi);
        if (role == CF_FIELD_HARDWARE)
            snprintf(enc, sizeof enc, "categorical, %zu run + never run", cf_surrogate_field_levels(s, j) - 1);
        else if (role == CF_FIELD_PRECISION)
            snprintf(enc, sizeof enc, "%s",
                     cf_surrogate_field_categorical(s, j) ? "categorical" : "ordered fp32..int4");
        else if (cf_surrogate_field_categorical(s, j))
            snprintf(enc, sizeof enc, "categorical, %zu values", cf_surrogate_field_levels(s, j));
        else
            snprintf(enc, sizeof enc, "%s [%.4g, %.4g]", cf_surrogate_field_log(s, j) ? "log" : "linear", lo, hi);
        if (cf_surrogate_field_column(s, j, CF_SURR_METRIC) == (size_t)-1 &&
            cf_surrogate_field_column(s, j, CF_SURR_HOURS) == (size_t)-1) {
            size_t len2 = strlen(enc);
            snprintf(enc + len2, sizeof enc - len2, " (constant: not an input)");
        }
        bad |= cf_cli_cat(&out, &len, "%-16s %-44s %12s %12s\n", name, enc,
                          fmt_ls(a, sizeof a, cf_surrogate_field_lengthscale(s, j, CF_SURR_METRIC)),
                          fmt_ls(b, sizeof b, cf_surrogate_field_lengthscale(s, j, CF_SURR_HOURS)));
    }
    {
        double b, bsd, tau;
        if (cf_surrogate_scaling(s, &b, &bsd, &tau, NULL))
            bad |= cf_cli_cat(&out, &len,
                              "\nScaling: GPU-hours ~ num_gpus^%.3f (sd %.3f; between workloads tau %.3f), the efficiency "
                              "exponent within runs of the same workload, hardware and precision\n(0: linear scaling; "
                              "added to the prior mean, its uncertainty to the predictive variance).\n",
                              b, bsd, tau);
    }
    bad |= cf_cli_cat(
        &out, &len,
        "\nLengthscales are in scaled units (inputs in [0, 1]); a short one means the output varies fast with "
        "that input.\nThe GPU-hours model is on the log scale; its prior mean is -log throughput[hardware]"
        "[precision] - log speedup(pruning).\n");
    if (bad) {
        free(out);
        return NULL;
    }
    return out;
}

int cf_cmd_fit(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"format", required_argument, 0, OPT_FORMAT},
                                             {"out", required_argument, 0, OPT_OUT},
                                             CF_CLI_SURROGATE_OPTIONS,
                                             CF_CLI_RUN_OPTIONS,
                                             {0, 0, 0, 0}};
    cf_cli_inputs in;
    cf_cli_inputs_init(&in);
    cf_surrogate_opts so;
    cf_surrogate_opts_default(&so);
    const char *format = "table", *out_path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            help();
            return CF_EXIT_OK;
        }
        if (c == OPT_FORMAT) {
            if (strcmp(optarg, "table") && strcmp(optarg, "json"))
                return cf_cli_usage_error("fit", "--format: expected table or json, found '%s'", optarg);
            format = optarg;
            continue;
        }
        if (c == OPT_OUT) {
            out_path = optarg;
            continue;
        }
        int r = cf_cli_surrogate_option(&so, c, optarg);
        if (r == 0) r = cf_cli_inputs_option(&in, c, optarg);
        if (r < 0) return CF_EXIT_USAGE;
        if (r == 0) return cf_cli_usage_error("fit", "unknown option");
    }
    int rc = cf_cli_load_runs(&in, argc - optind, argv + optind);
    cf_surrogate *s = NULL;
    char *text = NULL;
    if (rc != CF_EXIT_OK) goto out;
    rc = cf_cli_fit_surrogate(&in, &so, &s);
    if (rc != CF_EXIT_OK) goto out;
    if (!strcmp(format, "json")) {
        cf_error err;
        cf_error_clear(&err);
        cf_status st = cf_surrogate_fit_json(s, &text, &err);
        if (st != CF_OK) {
            cf_cli_print_error(NULL, &err);
            rc = cf_cli_exit_for(st);
            goto out;
        }
        char *t2 = realloc(text, strlen(text) + 2);
        if (t2 == NULL) {
            rc = CF_EXIT_INTERNAL;
            goto out;
        }
        text = t2;
        strcat(text, "\n");
    } else {
        text = fit_table(s);
        if (text == NULL) {
            rc = CF_EXIT_INTERNAL;
            goto out;
        }
    }
    rc = cf_cli_write_output(out_path, text);
out:
    free(text);
    cf_surrogate_destroy(s);
    cf_cli_inputs_free(&in);
    return rc;
}
