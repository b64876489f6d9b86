/* costfront command: options shared by the commands that compute a frontier (frontier, report, plan). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "predicted.h"

const char cf_cli_frontier_options_help[] =
    "Frontier options:\n"
    "  --objectives LIST       objectives as NAME:max|min, comma-separated (default accuracy:max,total_cost_usd:min);\n"
    "                          names: accuracy, cost_usd, total_cost_usd, co2e_kg, energy_kwh, gpu_hours,\n"
    "                          wall_hours, carbon_cost_usd, embodied_kgco2e, or any numeric column of the runs\n"
    "  --procurement LIST|all  options to price each run under: on_demand, spot, reserved_1y, reserved_3y\n"
    "                          (default all four; on_prem and hybrid need --plan)\n"
    "  --reference V1,V2,...   hypervolume reference point in the objectives' units (default: the worst value\n"
    "                          of each objective pushed 10% of its range further; reported)\n"
    "  --target-accuracy A     the accuracy the business needs (fraction); the summary names the cheapest run\n"
    "                          that reaches it\n"
    "  --where FIELD=VALUE     only runs whose FIELD (model, dataset, project, hardware, precision, region,\n"
    "                          provider, procurement, run_id or a hyperparameter) is VALUE; V1|V2 for either;\n"
    "                          repeatable (all must hold). Example: --where model=resnet50 --where "
    "precision=bf16|fp16\n"
    "  --predicted             also search configurations never run (GP surrogates; see 'costfront fit') and\n"
    "                          add the most promising as predicted candidates with 95% intervals\n"
    "  --predicted-limit N     at most N predicted candidates (default 50)\n"
    "  --seed S                seed of the predicted search and of Monte Carlo draws (default 1)\n";

void cf_cli_frontier_init(cf_cli_frontier *fr)
{
    cf_frontier_opts_default(&fr->opts);
    fr->reference_spec = NULL;
    fr->target_accuracy = NAN;
    fr->predicted = 0;
    fr->predicted_limit = 0;
    fr->seed = 1;
}

static int parse_procurements(cf_cli_frontier *fr, const char *arg)
{
    if (!strcmp(arg, "all")) {
        fr->opts.procurements = (1u << CF_PROC_ON_DEMAND) | (1u << CF_PROC_SPOT) | (1u << CF_PROC_RESERVED_1Y) |
                                (1u << CF_PROC_RESERVED_3Y);
        return 1;
    }
    unsigned mask = 0;
    char *copy = strdup(arg);
    if (!copy) return -1;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        cf_procurement p;
        if (cf_procurement_parse(tok, &p) != CF_OK) {
            fprintf(stderr,
                    "costfront: --procurement: expected on_demand, spot, reserved_1y, reserved_3y, on_prem, "
                    "hybrid or all, found '%s'\n",
                    tok);
            free(copy);
            return -1;
        }
        mask |= 1u << p;
    }
    free(copy);
    if (mask == 0) {
        fprintf(stderr, "costfront: --procurement: expected at least one option\n");
        return -1;
    }
    fr->opts.procurements = mask;
    return 1;
}

int cf_cli_frontier_option(cf_cli_frontier *fr, int opt, const char *arg)
{
    cf_error err;
    cf_error_clear(&err);
    switch (opt) {
    case CF_OPT_OBJECTIVES:
        if (cf_objectives_parse(arg, fr->opts.objectives, CF_MAX_OBJECTIVES, &fr->opts.n_objectives, &err) != CF_OK) {
            cf_cli_print_error(NULL, &err);
            return -1;
        }
        return 1;
    case CF_OPT_PROCUREMENT: return parse_procurements(fr, arg);
    case CF_OPT_REFERENCE: fr->reference_spec = arg; return 1;
    case CF_OPT_PREDICTED: fr->predicted = 1; return 1;
    case CF_OPT_PREDICTED_LIMIT:
        if (cf_cli_parse_long("--predicted-limit", arg, &fr->predicted_limit) != 0 || fr->predicted_limit < 1) {
            fprintf(stderr, "costfront: --predicted-limit: expected a positive integer, found '%s'\n", arg);
            return -1;
        }
        return 1;
    case CF_OPT_SEED: {
        long v;
        if (cf_cli_parse_long("--seed", arg, &v) != 0 || v < 0) {
            fprintf(stderr, "costfront: --seed: expected a non-negative integer, found '%s'\n", arg);
            return -1;
        }
        fr->seed = (unsigned long)v;
        return 1;
    }
    case CF_OPT_WHERE: {
        const char *eq = strchr(arg, '=');
        if (eq == NULL || eq == arg || eq[1] == '\0') {
            fprintf(stderr, "costfront: --where: expected FIELD=VALUE, found '%s'\n", arg);
            return -1;
        }
        if (fr->opts.n_where >= CF_MAX_WHERE) {
            fprintf(stderr, "costfront: --where: at most %d filters\n", CF_MAX_WHERE);
            return -1;
        }
        size_t n = (size_t)(eq - arg);
        char *field = fr->where_field[fr->opts.n_where];
        if (n >= sizeof fr->where_field[0]) {
            fprintf(stderr, "costfront: --where: field name too long in '%s'\n", arg);
            return -1;
        }
        memcpy(field, arg, n);
        field[n] = '\0';
        fr->opts.where_field[fr->opts.n_where] = field;
        fr->opts.where_value[fr->opts.n_where] = eq + 1;
        fr->opts.n_where++;
        return 1;
    }
    case CF_OPT_TARGET: {
        /* A fraction, or a percentage written with '%' ("90%"): a bare 2 is refused rather than guessed. */
        char buf[64];
        size_t n = strlen(arg);
        int pct = n > 1 && n < sizeof buf && arg[n - 1] == '%';
        if (pct) {
            memcpy(buf, arg, n - 1);
            buf[n - 1] = '\0';
        }
        if (cf_cli_parse_double("--target-accuracy", pct ? buf : arg, &fr->target_accuracy) != 0) return -1;
        if (pct) fr->target_accuracy /= 100.0;
        if (fr->target_accuracy < 0 || fr->target_accuracy > 1) {
            fprintf(stderr,
                    "costfront: --target-accuracy: expected a fraction in [0, 1] or a percentage like 90%%, "
                    "found '%s'\n",
                    arg);
            return -1;
        }
        return 1;
    }
    default: return 0;
    }
}

int cf_cli_frontier_finish(cf_cli_frontier *fr, const cf_cli_inputs *in)
{
    fr->opts.pricing.provider = in->provider;
    fr->opts.pricing.region = in->region;
    if (isfinite(in->checkpoint_minutes)) fr->opts.pricing.spot.checkpoint_hours = in->checkpoint_minutes / 60.0;
    if (isfinite(in->restart_minutes)) fr->opts.pricing.spot.restart_hours = in->restart_minutes / 60.0;
    if (isfinite(in->carbon_price)) fr->opts.pricing.carbon_price_usd_per_t = in->carbon_price;
    if (in->storage_class >= 0) fr->opts.pricing.storage_class = (cf_storage_class)in->storage_class;
    if (in->keep_checkpoints > 0) fr->opts.pricing.keep_last_checkpoints = (size_t)in->keep_checkpoints;
    if (isfinite(in->checkpoint_every_hours)) fr->opts.pricing.checkpoint_every_hours = in->checkpoint_every_hours;
    fr->opts.price_date = cf_cli_today(in);
    if ((fr->opts.procurements & ((1u << CF_PROC_ON_PREM) | (1u << CF_PROC_HYBRID))) &&
        !isfinite(fr->opts.on_prem_usd_per_gpu_hour)) {
        fprintf(stderr, "costfront: --procurement on_prem and hybrid need a TCO plan (--plan FILE)\n");
        return CF_EXIT_USAGE;
    }
    if (fr->reference_spec) {
        const char *p = fr->reference_spec;
        size_t k = 0;
        while (*p) {
            char *end;
            double v = strtod(p, &end);
            if (end == p || !isfinite(v) || k >= fr->opts.n_objectives) {
                fprintf(stderr,
                        "costfront: --reference: expected %zu comma-separated numbers (one per objective), "
                        "found '%s'\n",
                        fr->opts.n_objectives, fr->reference_spec);
                return CF_EXIT_USAGE;
            }
            fr->opts.reference[k++] = v;
            p = end;
            if (*p == ',')
                p++;
            else if (*p) {
                fprintf(stderr, "costfront: --reference: expected numbers separated by commas, found '%s'\n",
                        fr->reference_spec);
                return CF_EXIT_USAGE;
            }
        }
        if (k != fr->opts.n_objectives) {
            fprintf(stderr, "costfront: --reference: expected %zu numbers (one per objective), found %zu\n",
                    fr->opts.n_objectives, k);
            return CF_EXIT_USAGE;
        }
        fr->opts.reference_given = 1;
    }
    return CF_EXIT_OK;
}

cf_frontier *cf_cli_compute_frontier(const cf_cli_frontier *fr, const cf_cli_inputs *in, int *rc)
{
    cf_frontier *f = cf_frontier_create(in->runs, in->catalog, &fr->opts);
    if (f == NULL) {
        *rc = CF_EXIT_INTERNAL;
        return NULL;
    }
    if (fr->predicted) {
        int prc = cf_cli_add_predictions(in, &fr->opts, f, fr->seed, (size_t)fr->predicted_limit);
        if (prc != CF_EXIT_OK) {
            cf_frontier_destroy(f);
            *rc = prc;
            return NULL;
        }
    }
    cf_error err;
    cf_error_clear(&err);
    cf_status st = cf_frontier_compute(f, &err);
    if (st != CF_OK) {
        cf_cli_print_error(NULL, &err);
        cf_frontier_destroy(f);
        *rc = cf_cli_exit_for(st);
        return NULL;
    }
    if (!in->quiet) cf_cli_print_frontier_notes(f);
    *rc = CF_EXIT_OK;
    return f;
}

/* Prints a frontier's notes on stderr: a note of its own kind as it is, a kind that repeats once per run as one
 * line with the count and the first example (all of them are in the JSON notes and the report's data quality). */
void cf_cli_print_frontier_notes(const cf_frontier *f)
{
    /* One pass counts each kind (there are few kinds, and a frontier over 10^6 runs may hold a note per run). */
    enum { MAX_KINDS = 16 };
    const char *kinds[MAX_KINDS];
    size_t first[MAX_KINDS], count[MAX_KINDS], nk = 0, n = cf_frontier_note_count(f), shown = 0;
    for (size_t i = 0; i < n; i++) {
        const char *kind = cf_frontier_note_kind(f, i);
        if (kind == NULL) continue;
        size_t k = 0;
        while (k < nk && kinds[k] != kind) k++;
        if (k == nk && nk < MAX_KINDS) {
            kinds[nk] = kind;
            first[nk] = i;
            count[nk++] = 0;
        }
        if (k < nk) count[k]++;
    }
    for (size_t i = 0; i < n; i++) {
        const char *kind = cf_frontier_note_kind(f, i);
        size_t k = 0;
        while (kind != NULL && k < nk && kinds[k] != kind) k++;
        if (kind != NULL && k < nk && first[k] != i) continue; /* said with the first of its kind */
        if (shown++ >= 8) continue;
        if (kind == NULL || k == nk || count[k] == 1)
            fprintf(stderr, "note: %s\n", cf_frontier_note(f, i));
        else
            fprintf(stderr, "note: %zu runs %s; e.g. %s (all %zu in the JSON notes)\n", count[k], kind,
                    cf_frontier_note(f, i), count[k]);
    }
    if (shown > 8) fprintf(stderr, "note: ... and %zu more notes (see the JSON output)\n", shown - 8);
}

