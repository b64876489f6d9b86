/* costfront report: writes the HTML report (charts, frontier, dominated runs, data quality) to a directory. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "curves_common.h"
#include "costfront/report_curves.h"
#include "costfront/output.h"
#include "costfront/report.h"
#include "costfront/report_predicted.h"
#include "costfront/report_serve.h"
#include "nightly.h"
#include "plan_common.h"

#include <math.h>
#include <time.h>

static void help(void)
{
    printf(
        "usage: costfront report RUNS... --out DIR [options]\n"
        "       costfront report --store DB --out DIR [--alerts FILE] [options]   (the nightly job)\n\n"
        "Writes DIR/index.html (readable without a server), its SVG charts drawn by gnuplot, and the same result\n"
        "as DIR/report.json. DIR is replaced atomically: a failed run leaves an earlier report untouched.\n"
        "An existing DIR is replaced only when it is empty or holds a costfront report (its .costfront-report\n"
        "marker) and nothing else; otherwise nothing is touched and the exit code is 3 (files you added to a\n"
        "report are named). Two reports into one DIR take turns on the lock DIR.lock.\n\n"
        "With --store, the report is dated: it is written to DIR/YYYY-MM-DD/, DIR/latest points at it, the\n"
        "report gains \"What changed since the last report\" (new runs, runs that entered or left the frontier,\n"
        "hypervolume and best cost at the target accuracy over time) and is recorded in the store's history.\n"
        "Hypervolumes stay comparable: without --reference the first stored report's reference point is reused.\n\n"
        "  --out DIR               the report directory (required)\n"
        "  --title TEXT            the report's title\n"
        "  --no-charts             tables only (no gnuplot needed)\n"
        "  --group-by FIELD[,FIELD...]  one set of sections per value (per tuple of values) of the fields: model,\n"
        "                          dataset, project, hardware, precision, region, provider, procurement or a\n"
        "                          hyperparameter; repeating --group-by adds fields\n"
        "  --chart-points N        most dominated candidates a chart draws (default 5000); with more, a uniform\n"
        "                          sample of N seeded by --seed (the frontier is always drawn whole); 0: all\n"
        "  --table-rows N          most rows of the dominated table (default 1000); with more, the N nearest the\n"
        "                          frontier; 0: all. Cut or sampled reports add candidates.csv (every candidate)\n"
        "  --alerts FILE           budget and drift alerts (JSON; see README, \"The nightly job\"); when one fires\n"
        "                          it is printed, shown in the report, and the exit code is 5\n"
        "  --date YYYY-MM-DD       the report's date with --store (default: today, UTC)\n"
        "  --plan FILE             a TCO plan: adds on_prem and hybrid options, the recommendation and the\n"
        "                          \"Procurement and TCO\" section (cumulative cost, breakdown, tornado, Monte Carlo;\n"
        "                          --seed sets the Monte Carlo's seed)\n"
        "  --demand SPEC           inference runs: add the serving plan and API break-even to the \"Inference\"\n"
        "                          section (\"2e9 tokens/day\" or a demand JSON file, as costfront serve)\n"
        "  --serve-model NAME      the serving plan uses only runs of this model\n\n%s\n%s\n%s\n"
        "Examples:\n"
        "  costfront report examples/runs.csv --out report\n"
        "  costfront report runs.csv --target-accuracy 0.9 --carbon-price 85 --out report\n"
        "  costfront report --store runs.db --alerts alerts.json --out reports/\n",
        cf_cli_frontier_options_help, cf_cli_run_options_help, cf_cli_catalog_options_help);
}

/* The text of field for run i (a canonical text field or a hyperparameter), or NULL. */
static const char *group_value(const cf_runset *rs, size_t i, const char *field, char *buf, size_t n)
{
    const cf_run *r = cf_runset_get(rs, i);
    if (!strcmp(field, "model")) return r->model;
    if (!strcmp(field, "dataset")) return r->dataset;
    if (!strcmp(field, "project")) return r->project;
    if (!strcmp(field, "hardware")) return r->hardware;
    if (!strcmp(field, "precision")) return cf_precision_name(r->precision);
    if (!strcmp(field, "region")) return r->region;
    if (!strcmp(field, "provider")) return r->provider;
    if (!strcmp(field, "procurement")) return r->procurement;
    size_t j = cf_runset_param_find(rs, field);
    if (j == (size_t)-1) return NULL;
    const char *t = cf_runset_param_str(rs, i, j);
    if (t != NULL) return t;
    double v = cf_runset_param_num(rs, i, j);
    if (v != v) return NULL;
    snprintf(buf, n, "%.17g", v);
    return buf;
}

/* The --group-by fields: every --group-by adds its comma-separated fields, in order ("hardware,precision" and
 * "--group-by hardware --group-by precision" are the same grouping). */
typedef struct group_fields {
    char *field[CF_MAX_WHERE];
    size_t n;
    char label[256]; /* the fields joined by ',' for messages */
} group_fields;

/* Adds the fields of one --group-by value; prints a usage error and returns -1 on an empty field, a field given
 * twice, or more fields than the frontier has filter slots. */
static int group_fields_add(group_fields *g, const char *arg)
{
    const char *p = arg;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
        while (n > 0 && p[0] == ' ') p++, n--;
        while (n > 0 && p[n - 1] == ' ') n--;
        if (n == 0) {
            cf_cli_usage_error("report", "--group-by: expected FIELD[,FIELD...], found an empty field in '%s'", arg);
            return -1;
        }
        for (size_t k = 0; k < g->n; k++)
            if (strlen(g->field[k]) == n && strncmp(g->field[k], p, n) == 0) {
                cf_cli_usage_error("report", "--group-by: the field '%.*s' is given twice", (int)n, p);
                return -1;
            }
        if (g->n == CF_MAX_WHERE) {
            cf_cli_usage_error("report", "--group-by: at most %d fields", CF_MAX_WHERE);
            return -1;
        }
        g->field[g->n] = strndup(p, n);
        if (g->field[g->n] == NULL) return -1;
        g->n++;
        if (e == NULL) break;
        p = e + 1;
    }
    size_t len = 0;
    for (size_t k = 0; k < g->n && len < sizeof g->label; k++)
        len += (size_t)snprintf(g->label + len, sizeof g->label - len, "%s%s", k ? "," : "", g->field[k]);
    return 0;
}

/* Frees the field names. */
static void group_fields_free(group_fields *g)
{
    for (size_t k = 0; k < g->n; k++) free(g->field[k]);
    g->n = 0;
}

/* --group-by: one set of frontier sections (summary, charts, frontier, dominated, and predicted) per distinct tuple
 * of the fields' values, in order of first appearance; data quality and pricing once, from the frontier of all
 * runs (all). A run that lacks any of the fields is in no group. At most 20 groups. */
static int report_groups(cf_report *rep, const cf_cli_frontier *fr, const cf_cli_inputs *in, const cf_report_opts *ro,
                         const group_fields *gf_fields, const cf_frontier *all)
{
    enum { MAX_GROUPS = 20 };
    const size_t nf = gf_fields->n;
    const char *label = gf_fields->label;
    char *values[MAX_GROUPS][CF_MAX_WHERE];
    size_t runs_in[MAX_GROUPS] = {0}; /* runs per group */
    size_t nv = 0, missing = 0, more = 0;
    int rc = CF_EXIT_OK;
    for (size_t i = 0; i < cf_runset_size(in->runs) && rc == CF_EXIT_OK; i++) {
        char buf[CF_MAX_WHERE][64];
        const char *v[CF_MAX_WHERE];
        int lacks = 0;
        for (size_t f = 0; f < nf; f++) {
            v[f] = group_value(in->runs, i, gf_fields->field[f], buf[f], sizeof buf[f]);
            if (v[f] == NULL || v[f][0] == '\0') lacks = 1;
        }
        if (lacks) {
            missing++;
            continue;
        }
        int seen = 0;
        for (size_t k = 0; k < nv && !seen; k++) {
            int same = 1;
            for (size_t f = 0; f < nf && same; f++) same = !strcmp(values[k][f], v[f]);
            seen = same;
            runs_in[k] += (size_t)same;
        }
        if (seen) continue;
        if (nv == MAX_GROUPS) {
            more++;
            continue;
        }
        for (size_t f = 0; f < nf; f++) {
            values[nv][f] = strdup(v[f]);
            if (values[nv][f] == NULL) {
                for (size_t g = 0; g < f; g++) free(values[nv][g]);
                fprintf(stderr, "costfront report: out of memory\n");
                rc = CF_EXIT_OUTPUT;
                break;
            }
        }
        if (rc == CF_EXIT_OK) runs_in[nv++] = 1;
    }
    if (rc == CF_EXIT_OK && nv == 0) {
        fprintf(stderr,
                "costfront report: --group-by %s: no run has a value for %s'%s' (model, dataset, project, "
                "hardware, precision, region, provider, procurement or a hyperparameter)\n",
                label, nf > 1 ? "every one of " : "", label);
        rc = CF_EXIT_INPUT;
    }
    if (rc == CF_EXIT_OK && fr->opts.n_where + nf > CF_MAX_WHERE) {
        fprintf(stderr, "costfront report: --group-by %s needs %zu of the %d filter slots; use fewer --where filters\n",
                label, nf, CF_MAX_WHERE);
        rc = CF_EXIT_USAGE;
    }
    if (rc == CF_EXIT_OK && missing)
        fprintf(stderr, "note: --group-by %s: %zu runs have no %s and are in no group\n", label, missing,
                nf > 1 ? "value for one of these fields" : label);
    if (rc == CF_EXIT_OK && more)
        fprintf(stderr, "note: --group-by %s: more than %d groups; the first %d are reported\n", label, MAX_GROUPS,
                MAX_GROUPS);
    /* The frontier of all runs has printed its notes already; a group's notes repeat them for its own runs (and add
     * which group it is), once per group: they go to the group's JSON only, and one line sums them up below. */
    cf_cli_inputs gin = *in;
    gin.quiet = 1;
    size_t group_notes = 0, grouped_runs = 0;
    int added = 0;
    for (size_t k = 0; k < nv && rc == CF_EXIT_OK; k++) {
        cf_cli_frontier g = *fr;
        size_t base = g.opts.n_where;
        for (size_t f = 0; f < nf; f++)
            snprintf(g.where_field[base + f], sizeof g.where_field[0], "%s", gf_fields->field[f]);
        for (size_t w = 0; w < base + nf; w++) g.opts.where_field[w] = g.where_field[w];
        for (size_t f = 0; f < nf; f++) g.opts.where_value[base + f] = values[k][f];
        g.opts.n_where = base + nf;
        g.opts.n_group_where = nf;
        char scope[512];
        size_t len = 0;
        for (size_t f = 0; f < nf && len < sizeof scope; f++)
            len += (size_t)snprintf(scope + len, sizeof scope - len, "%s%s=%s", f ? ", " : "", gf_fields->field[f],
                                    values[k][f]);
        int grc = CF_EXIT_OK;
        cf_frontier *gf = cf_cli_compute_frontier(&g, &gin, &grc);
        if (gf == NULL) {
            fprintf(stderr, "note: --group-by %s: group %s has no frontier (see above); left out\n", label, scope);
            continue;
        }
        group_notes += cf_frontier_note_count(gf);
        grouped_runs += runs_in[k];
        cf_report_set_scope(rep, scope);
        cf_report_opts o = *ro;
        o.skip_shared_sections = 1;
        cf_error err;
        cf_error_clear(&err);
        cf_status st = cf_report_frontier(rep, gf, in->runs, in->catalog, &o, &err);
        if (st == CF_OK && fr->predicted) st = cf_report_predicted(rep, gf, &err);
        if (st != CF_OK) {
            cf_cli_print_error("report", &err);
            rc = CF_EXIT_OUTPUT;
        }
        added++;
        cf_frontier_destroy(gf);
    }
    cf_report_set_scope(rep, NULL);
    if (rc == CF_EXIT_OK && added > 0 && !in->quiet)
        fprintf(stderr, "note: --group-by %s: %d group%s of %zu runs in all; their %zu notes are in each group's JSON\n",
                label, added, added == 1 ? "" : "s", grouped_runs, group_notes);
    for (size_t k = 0; k < nv; k++)
        for (size_t f = 0; f < nf; f++) free(values[k][f]);
    if (rc == CF_EXIT_OK && added > 0) {
        cf_error err;
        cf_error_clear(&err);
        if (cf_report_shared_sections(rep, all, in->runs, in->catalog, &err) != CF_OK) {
            cf_cli_print_error("report", &err);
            rc = CF_EXIT_OUTPUT;
        }
    }
    if (rc == CF_EXIT_OK && added == 0) {
        fprintf(stderr, "costfront report: --group-by %s: no group has a frontier\n", label);
        rc = CF_EXIT_INPUT;
    }
    return rc;
}

enum {
    OPT_OUT = CF_OPT_COMMAND_BASE,
    OPT_TITLE,
    OPT_NO_CHARTS,
    OPT_ALERTS,
    OPT_DATE,
    OPT_GROUP_BY,
    OPT_CHART_POINTS,
    OPT_TABLE_ROWS,
    OPT_DEMAND,
    OPT_SERVE_MODEL
};

/* Parses a --chart-points / --table-rows count (0 or more) into *out; prints a usage error and returns -1 else. */
static int parse_count(const char *opt, const char *arg, size_t *out)
{
    long v = 0;
    if (cf_cli_parse_long(opt, arg, &v) != 0 || v < 0) {
        cf_cli_usage_error("report", "%s: expected a count (0 or more), found '%s'", opt, arg);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

int cf_cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"out", required_argument, 0, OPT_OUT},
                                             {"title", required_argument, 0, OPT_TITLE},
                                             {"no-charts", no_argument, 0, OPT_NO_CHARTS},
                                             {"alerts", required_argument, 0, OPT_ALERTS},
                                             {"date", required_argument, 0, OPT_DATE},
                                             {"group-by", required_argument, 0, OPT_GROUP_BY},
                                             {"chart-points", required_argument, 0, OPT_CHART_POINTS},
                                             {"table-rows", required_argument, 0, OPT_TABLE_ROWS},
                                             {"demand", required_argument, 0, OPT_DEMAND},
                                             {"serve-model", required_argument, 0, OPT_SERVE_MODEL},
                                             CF_CLI_PLAN_OPTIONS,
                                             CF_CLI_CURVES_OPTIONS,
                                             CF_CLI_FRONTIER_OPTIONS,
                                             CF_CLI_RUN_OPTIONS,
                                             {0, 0, 0, 0}};
    cf_cli_inputs in;
    cf_cli_inputs_init(&in);
    cf_cli_frontier fr;
    cf_cli_frontier_init(&fr);
    cf_report_opts ro;
    cf_report_opts_default(&ro);
    const char *out_dir = NULL, *alerts_path = NULL, *date = NULL, *plan_path = NULL;
    const char *demand_spec = NULL, *serve_model = NULL; /* issue 11: the serving plan of the inference section */
    cf_serve_plan *serve = NULL;
    const char *group_args[CF_MAX_WHERE]; /* every --group-by, parsed once the options are read */
    size_t n_group_args = 0;
    group_fields group_by;
    memset(&group_by, 0, sizeof group_by);
    unsigned long seed =
        CF_CLI_MC_SEED; /* --seed is a frontier option (fr.seed); this only receives cf_cli_plan_option */
    cf_plan *plan = NULL;
    cf_cli_curves curves_opts;
    cf_cli_curves_init(&curves_opts);
    int want_curves = 0; /* --curves or --curve-metric given */
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return CF_EXIT_OK;
        case 'o':
        case OPT_OUT: out_dir = optarg; continue;
        case OPT_TITLE: ro.title = optarg; continue;
        case OPT_NO_CHARTS: ro.charts = 0; continue;
        case OPT_ALERTS: alerts_path = optarg; continue;
        case OPT_DATE: date = optarg; continue;
        case OPT_GROUP_BY:
            if (n_group_args == CF_MAX_WHERE) return cf_cli_usage_error("report", "--group-by: at most %d fields", CF_MAX_WHERE);
            group_args[n_group_args++] = optarg;
            continue;
        case OPT_CHART_POINTS:
            if (parse_count("--chart-points", optarg, &ro.chart_points) != 0) return CF_EXIT_USAGE;
            continue;
        case OPT_TABLE_ROWS:
            if (parse_count("--table-rows", optarg, &ro.table_rows) != 0) return CF_EXIT_USAGE;
            continue;
        case OPT_DEMAND: demand_spec = optarg; continue;
        case OPT_SERVE_MODEL: serve_model = optarg; continue;
        default: break;
        }
        int r = cf_cli_plan_option(c, optarg, &plan_path, &seed);
        if (r == 0 && (r = cf_cli_curves_option(&curves_opts, "report", c, optarg)) == 1) want_curves = 1;
        if (r == 0) r = cf_cli_frontier_option(&fr, c, optarg);
        if (r == 0) r = cf_cli_inputs_option(&in, c, optarg);
        if (r < 0) return CF_EXIT_USAGE;
        if (r == 0) return cf_cli_usage_error("report", "unknown option");
    }
    if (out_dir == NULL) return cf_cli_usage_error("report", "--out DIR is required");
    if (out_dir[0] == '\0') return cf_cli_usage_error("report", "--out: expected a directory name, found an empty one");
    {
        /* The report is built beside DIR and renamed into place, so DIR must name a directory of its own. */
        size_t n = strlen(out_dir);
        while (n > 1 && out_dir[n - 1] == '/') n--;
        size_t b = n;
        while (b > 0 && out_dir[b - 1] != '/') b--;
        if ((n - b == 1 && out_dir[b] == '.') || (n - b == 2 && out_dir[b] == '.' && out_dir[b + 1] == '.') ||
            (n == 1 && out_dir[0] == '/'))
            return cf_cli_usage_error("report",
                                      "--out: name the report's own directory (e.g. --out report), not '%s': the "
                                      "report is built beside it and renamed into place",
                                      out_dir);
    }
    for (size_t k = 0; k < n_group_args; k++)
        if (group_fields_add(&group_by, group_args[k]) != 0) {
            group_fields_free(&group_by);
            return CF_EXIT_USAGE;
        }
    int rc = cf_cli_plan_apply(plan_path, &in, &fr, &plan);
    if (rc == CF_EXIT_OK) rc = cf_cli_frontier_finish(&fr, &in);
    if (rc != CF_EXIT_OK) goto early;
    cf_cli_alerts alerts;
    if (alerts_path) {
        if (in.store_path == NULL) {
            rc = cf_cli_usage_error("report", "--alerts needs --store DB (alerts compare with the report history)");
            goto early;
        }
        rc = cf_cli_alerts_load(alerts_path, &alerts);
        if (rc != CF_EXIT_OK) goto early;
        if (!isfinite(fr.target_accuracy)) fr.target_accuracy = alerts.target_accuracy;
    }
    /* The report's date (UTC): --date, or now. */
    long long now = (long long)time(NULL);
    char day[16];
    if (date) {
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        const char *end = strptime(date, "%Y-%m-%d", &tm);
        if (end == NULL || *end != '\0') {
            rc = cf_cli_usage_error("report", "--date: expected YYYY-MM-DD, found '%s'", date);
            goto early;
        }
        tm.tm_hour = 12;
        now = (long long)timegm(&tm);
    }
    {
        time_t tt = (time_t)now;
        struct tm tm;
        gmtime_r(&tt, &tm);
        strftime(day, sizeof day, "%Y-%m-%d", &tm);
    }
    if (in.store_path) {
        rc = cf_cli_history_reference(in.store_path, &fr);
        if (rc != CF_EXIT_OK) goto early;
    }
    ro.target_accuracy = fr.target_accuracy;
    ro.seed = fr.seed;
    rc = cf_cli_load_runs(&in, argc - optind, argv + optind);
    cf_frontier *f = NULL;
    cf_report *rep = NULL;
    char *dated = NULL;
    cf_store_report pending;
    memset(&pending, 0, sizeof pending);
    cf_curves *curves_cv = NULL;
    cf_waste *curves_w = NULL;
    int fired = 0;
    if (rc != CF_EXIT_OK) goto out;
    f = cf_cli_compute_frontier(&fr, &in, &rc);
    if (f == NULL) goto out;
    cf_error err;
    cf_error_clear(&err);
    rep = cf_report_create(ro.title);
    if (rep == NULL) {
        rc = CF_EXIT_INTERNAL;
        goto out;
    }
    cf_status st = CF_OK;
    if (group_by.n > 0) {
        rc = report_groups(rep, &fr, &in, &ro, &group_by, f);
        if (rc != CF_EXIT_OK) goto out;
    } else {
        st = cf_report_frontier(rep, f, in.runs, in.catalog, &ro, &err);
        if (st == CF_OK && fr.predicted) st = cf_report_predicted(rep, f, &err);
    }
    /* issue 11: inference runs get their section, with the serving plan and API break-even under --demand. */
    if (st == CF_OK && cf_report_has_inference(f, in.runs)) {
        if (demand_spec) {
            cf_serve_demand d;
            cf_serve_demand_default(&d);
            if (serve_model) snprintf(d.model, sizeof d.model, "%s", serve_model);
            rc = cf_cli_serve_demand(demand_spec, &d);
            if (rc == CF_EXIT_OK) rc = cf_cli_serve_build(&in, &d, &serve);
            if (rc != CF_EXIT_OK) goto out;
        }
        st = cf_report_inference(rep, f, in.runs, serve, &err);
    } else if (st == CF_OK && demand_spec) {
        fprintf(stderr, "costfront report: note: --demand ignored: no inference run (tokens_per_s) among the runs\n");
    }
    if (st == CF_OK && plan) {
        rc = cf_cli_recommend_report(rep, f, &in, fr.target_accuracy);
        if (rc == CF_EXIT_OK) rc = cf_cli_plan_report(rep, plan, &in, fr.seed);
        if (rc != CF_EXIT_OK) goto out;
    }
    if (st == CF_OK && want_curves) {
        /* The learning-curve section: --curves sources, or the MLflow sources among the runs. */
        if (group_by.n == 1) curves_opts.wo.group_by = group_by.field[0];
        if (!cf_cli_curves_wanted(&curves_opts, argc - optind, argv + optind)) {
            fprintf(stderr, "costfront report: --curve-metric needs a history: --curves FILE, or an MLflow store or "
                            "database among the runs\n");
            rc = CF_EXIT_USAGE;
            goto out;
        }
        rc = cf_cli_curves_compute(&curves_opts, &in, &curves_cv, &curves_w);
        if (rc != CF_EXIT_OK) goto out;
        st = cf_report_curves_section(rep, curves_w, curves_cv, ro.charts, &err);
        if (st != CF_OK) {
            cf_cli_print_error("report", &err);
            rc = cf_cli_exit_for(st);
            goto out;
        }
    }
    if (st == CF_OK && in.store_path) {
        rc = cf_cli_history_section(in.store_path, rep, f, in.runs, alerts_path ? &alerts : NULL, fr.target_accuracy,
                                    now, &fired, &pending);
        if (rc != CF_EXIT_OK) goto out;
    }
    const char *target_dir = out_dir;
    if (st == CF_OK && in.store_path) {
        size_t n = strlen(out_dir) + strlen(day) + 2;
        dated = malloc(n);
        if (dated == NULL) {
            rc = CF_EXIT_INTERNAL;
            goto out;
        }
        snprintf(dated, n, "%s/%s", out_dir, day);
        if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "costfront: report: cannot create %s: %s\n", out_dir, strerror(errno));
            rc = CF_EXIT_OUTPUT;
            goto out;
        }
        target_dir = dated;
    }
    if (st == CF_OK) st = cf_report_publish(rep, target_dir, &err);
    if (st != CF_OK) {
        cf_cli_print_error("report", &err);
        rc = CF_EXIT_OUTPUT;
        goto out;
    }
    if (in.store_path) {
        size_t n = strlen(out_dir) + 8;
        char *latest = malloc(n);
        if (latest == NULL) {
            rc = CF_EXIT_INTERNAL;
            goto out;
        }
        snprintf(latest, n, "%s/latest", out_dir);
        st = cf_symlink_atomic(day, latest, &err);
        free(latest);
        if (st != CF_OK) {
            cf_cli_print_error("report", &err);
            rc = CF_EXIT_OUTPUT;
            goto out;
        }
        rc = cf_cli_history_record(in.store_path, &pending);
        if (rc != CF_EXIT_OK) goto out;
    }
    printf("report written to %s/index.html\n", target_dir);
    if (fired > 0) {
        fprintf(stderr, "costfront: %d alert%s fired (exit code %d)\n", fired, fired == 1 ? "" : "s", CF_EXIT_ALERT);
        rc = CF_EXIT_ALERT;
    }
out:
    cf_waste_destroy(curves_w);
    cf_curves_destroy(curves_cv);
    free(pending.frontier_json);
    free(dated);
    cf_report_destroy(rep);
    cf_frontier_destroy(f);
    cf_plan_destroy(plan);
    cf_serve_plan_destroy(serve);
    cf_cli_curves_free(&curves_opts);
    cf_cli_inputs_free(&in);
    group_fields_free(&group_by);
    return rc;
early: /* failures before the report is built: only the plan and the catalog are held */
    cf_cli_curves_free(&curves_opts);
    cf_plan_destroy(plan);
    cf_cli_inputs_free(&in);
    group_fields_free(&group_by);
    return rc;
}
