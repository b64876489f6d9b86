/* costfront: the waste analysis of learning curves as a table, JSON or CSV (see include/costfront/report_curves.h).
 */
#include "costfront/report_curves.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/numfmt.h"
#include "costfront/plot.h"
#include "costfront/report.h"
#include "reports/numfmt.h"

/* Writes s as a JSON string (quoted, escaped). */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s != NULL ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", f);
        else if (*p == '\t') fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

/* Writes a number as JSON (null when not finite). */
static void json_num(FILE *f, double v)
{
    char b[CF_NUM_BUF];
    fputs(cf_fmt_g10(b, v, "null"), f);
}

/* Writes s as a CSV field (quoted when it holds a comma, quote or line break; a leading =, +, - or @ is prefixed
 * with a quote so that spreadsheets do not run it as a formula). */
static void csv_str(FILE *f, const char *s)
{
    s = s != NULL ? s : "";
    int formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@';
    if (strpbrk(s, ",\"\r\n") == NULL && !formula) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (formula) fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Writes a number as CSV (empty when not finite). */
static void csv_num(FILE *f, double v)
{
    char b[CF_NUM_BUF];
    fputs(cf_fmt_g10(b, v, ""), f);
}

/* Money for people, "-" when unknown. */
static const char *money(char *b, double v) { return cf_fmt_money(b, v, "-"); }

/* A step or value for people: "%.4g", "-" when not finite. */
static const char *num4(char *b, double v)
{
    if (!isfinite(v)) return "-";
    snprintf(b, CF_NUM_BUF, "%.4g", v);
    return b;
}

static void write_table(const cf_waste *w, size_t top, FILE *f)
{
    const cf_waste_group *t = cf_waste_total(w);
    char a[CF_NUM_BUF], b[CF_NUM_BUF], c[CF_NUM_BUF], d[CF_NUM_BUF];
    const cf_waste_opts *o = cf_waste_options(w);
    fprintf(f, "Learning curves of %s (%s is better); early stopping: patience %d, min_delta %g\n\n", cf_waste_metric(w),
            cf_waste_maximize(w) ? "higher" : "lower", o->patience, o->min_delta);
    double share = t->cost_usd > 0 ? 100.0 * t->wasted_cost_usd / t->cost_usd : NAN;
    double hshare = t->gpu_hours > 0 ? 100.0 * t->wasted_gpu_hours / t->gpu_hours : NAN;
    fprintf(f, "%s (%.1f%% of spend) and %.4g GPU-hours (%.1f%%) went to training after the plateau, in %zu of %zu "
               "runs.\n\n",
            money(a, t->wasted_cost_usd), isfinite(share) ? share : 0.0, t->wasted_gpu_hours,
            isfinite(hshare) ? hshare : 0.0, t->stopped, t->runs);
    if (cf_waste_group_count(w) > 1 || (cf_waste_group_count(w) == 1 && cf_waste_group_at(w, 0)->name[0])) {
        fprintf(f, "%-24s %6s %8s %14s %14s %14s %7s\n", o->group_by ? o->group_by : "group", "runs", "stopped",
                "GPU-hours", "spend", "after plateau", "share");
        for (size_t g = 0; g < cf_waste_group_count(w); g++) {
            const cf_waste_group *G = cf_waste_group_at(w, g);
            double s = G->cost_usd > 0 ? 100.0 * G->wasted_cost_usd / G->cost_usd : NAN;
            fprintf(f, "%-24.24s %6zu %8zu %14.4g %14s %14s %6s%%\n", G->name, G->runs, G->stopped, G->gpu_hours,
                    money(a, G->cost_usd), money(b, G->wasted_cost_usd), isfinite(s) ? (snprintf(c, sizeof c, "%.1f", s), c) : "-");
        }
        fputc('\n', f);
    }
    fprintf(f, "%-20s %8s %14s %14s %6s  %s\n", "policy", "stopped", "hours saved", "cost saved", "lost", "rule");
    for (size_t p = 0; p < cf_waste_policy_count(w); p++) {
        const cf_waste_policy *P = cf_waste_policy_at(w, p);
        fprintf(f, "%-20s %8zu %14.4g %14s %6zu  %s\n", P->name, P->runs_stopped, P->saved_gpu_hours,
                money(a, P->saved_cost_usd), P->runs_lost, P->rule);
    }
    fputs("(lost: stopped runs whose best value beat the best result the policy kept in their group)\n\n", f);
    size_t n = cf_waste_run_count(w);
    size_t shown = top > 0 && top < n ? top : n;
    fprintf(f, "%s runs by cost after the plateau:\n", shown < n ? "Most wasteful" : "All");
    fprintf(f, "%-20s %6s %10s %10s %10s %10s %10s %12s %12s %9s\n", "run", "evals", "best", "plateau", "stop",
            "last", "gain after", "GPU-h after", "cost after", "by");
    for (size_t i = 0; i < shown; i++) {
        const cf_waste_run *r = cf_waste_run_at(w, i);
        char e[CF_NUM_BUF], g[CF_NUM_BUF], h[CF_NUM_BUF];
        fprintf(f, "%-20.20s %6zu %10s %10s %10s %10s %10s %12s %12s %9s\n", r->run_id, r->evaluations,
                num4(a, r->best_value), num4(b, r->plateau_step), num4(c, r->stop_step), num4(d, r->last_step),
                r->stopped ? num4(e, r->gain_after_stop) : "-", num4(g, r->wasted_gpu_hours),
                money(h, r->wasted_cost_usd), r->by_time ? "time" : "steps");
    }
    if (shown < n) fprintf(f, "... %zu more runs in --format json or csv\n", n - shown);
    for (size_t i = 0; i < cf_waste_note_count(w); i++) fprintf(f, "note: %s\n", cf_waste_note(w, i));
}

/* Writes one group's totals as a JSON object. */
static void json_group(FILE *f, const cf_waste_group *G)
{
    fputs("{\"name\": ", f);
    json_str(f, G->name);
    fprintf(f, ", \"runs\": %zu, \"stopped\": %zu, \"gpu_hours\": ", G->runs, G->stopped);
    json_num(f, G->gpu_hours);
    fputs(", \"cost_usd\": ", f);
    json_num(f, G->cost_usd);
    fputs(", \"wasted_gpu_hours\": ", f);
    json_num(f, G->wasted_gpu_hours);
    fputs(", \"wasted_cost_usd\": ", f);
    json_num(f, G->wasted_cost_usd);
    fputs(", \"wasted_share_of_cost\": ", f);
    json_num(f, G->cost_usd > 0 ? G->wasted_cost_usd / G->cost_usd : NAN);
    fputc('}', f);
}

static void write_json(const cf_waste *w, FILE *f)
{
    const cf_waste_opts *o = cf_waste_options(w);
    fputs("{\n  \"metric\": ", f);
    json_str(f, cf_waste_metric(w));
    fprintf(f, ",\n  \"direction\": \"%s\",\n  \"patience\": %d,\n  \"min_delta\": ", cf_waste_maximize(w) ? "max" : "min",
            o->patience);
    json_num(f, o->min_delta);
    fputs(",\n  \"group_by\": ", f);
    if (o->group_by != NULL) json_str(f, o->group_by);
    else fputs("null", f);
    fputs(",\n  \"total\": ", f);
    json_group(f, cf_waste_total(w));
    fputs(",\n  \"groups\": [", f);
    for (size_t g = 0; g < cf_waste_group_count(w); g++) {
        fputs(g ? ",\n    " : "\n    ", f);
        json_group(f, cf_waste_group_at(w, g));
    }
    fputs(cf_waste_group_count(w) ? "\n  ],\n  \"policies\": [" : "],\n  \"policies\": [", f);
    for (size_t p = 0; p < cf_waste_policy_count(w); p++) {
        const cf_waste_policy *P = cf_waste_policy_at(w, p);
        fputs(p ? ",\n    {\"name\": " : "\n    {\"name\": ", f);
        json_str(f, P->name);
        fputs(", \"rule\": ", f);
        json_str(f, P->rule);
        fprintf(f, ", \"runs_stopped\": %zu, \"saved_gpu_hours\": ", P->runs_stopped);
        json_num(f, P->saved_gpu_hours);
        fputs(", \"saved_cost_usd\": ", f);
        json_num(f, P->saved_cost_usd);
        fprintf(f, ", \"runs_lost\": %zu, \"lost_example\": ", P->runs_lost);
        if (P->lost_example != NULL) json_str(f, P->lost_example);
        else fputs("null", f);
        fputc('}', f);
    }
    fputs("\n  ],\n  \"runs\": [", f);
    for (size_t i = 0; i < cf_waste_run_count(w); i++) {
        const cf_waste_run *r = cf_waste_run_at(w, i);
        fputs(i ? ",\n    {\"run_id\": " : "\n    {\"run_id\": ", f);
        json_str(f, r->run_id);
        fputs(", \"group\": ", f);
        json_str(f, r->group);
        fprintf(f, ", \"evaluations\": %zu, \"last_step\": ", r->evaluations);
        json_num(f, r->last_step);
        fputs(", \"best_value\": ", f);
        json_num(f, r->best_value);
        fputs(", \"final_value\": ", f);
        json_num(f, r->final_value);
        fprintf(f, ", \"stopped\": %s, \"plateau_step\": ", r->stopped ? "true" : "false");
        json_num(f, r->plateau_step);
        fputs(", \"stop_step\": ", f);
        json_num(f, r->stop_step);
        fputs(", \"gain_after_stop\": ", f);
        json_num(f, r->gain_after_stop);
        fputs(", \"gpu_hours\": ", f);
        json_num(f, r->gpu_hours);
        fputs(", \"procurement\": ", f);
        json_str(f, r->procurement);
        fputs(", \"cost_usd\": ", f);
        json_num(f, r->cost_usd);
        fputs(", \"wasted_fraction\": ", f);
        json_num(f, r->wasted_fraction);
        fputs(", \"wasted_gpu_hours\": ", f);
        json_num(f, r->wasted_gpu_hours);
        fputs(", \"wasted_cost_usd\": ", f);
        json_num(f, r->wasted_cost_usd);
        fprintf(f, ", \"apportioned_by\": \"%s\", \"median_stop_step\": ", r->by_time ? "time" : "steps");
        json_num(f, r->median_stop_step);
        fputs(", \"halving_stop_step\": ", f);
        json_num(f, r->halving_stop_step);
        fputc('}', f);
    }
    fputs(cf_waste_run_count(w) ? "\n  ],\n  \"notes\": [" : "],\n  \"notes\": [", f);
    for (size_t i = 0; i < cf_waste_note_count(w); i++) {
        fputs(i ? ", " : "", f);
        json_str(f, cf_waste_note(w, i));
    }
    fputs("]\n}\n", f);
}

static void write_csv(const cf_waste *w, FILE *f)
{
    fputs("run_id,group,metric,evaluations,last_step,best_value,final_value,stopped,plateau_step,stop_step,"
          "gain_after_stop,gpu_hours,procurement,cost_usd,wasted_fraction,wasted_gpu_hours,wasted_cost_usd,"
          "apportioned_by,median_stop_step,halving_stop_step\n",
          f);
    for (size_t i = 0; i < cf_waste_run_count(w); i++) {
        const cf_waste_run *r = cf_waste_run_at(w, i);
        csv_str(f, r->run_id);
        fputc(',', f);
        csv_str(f, r->group);
        fputc(',', f);
        csv_str(f, cf_waste_metric(w));
        fprintf(f, ",%zu,", r->evaluations);
        const double v1[] = {r->last_step, r->best_value, r->final_value};
        for (int k = 0; k < 3; k++) {
            csv_num(f, v1[k]);
            fputc(',', f);
        }
        fputs(r->stopped ? "true," : "false,", f);
        const double v2[] = {r->plateau_step, r->stop_step, r->gain_after_stop, r->gpu_hours};
        for (int k = 0; k < 4; k++) {
            csv_num(f, v2[k]);
            fputc(',', f);
        }
        csv_str(f, r->procurement);
        fputc(',', f);
        const double v3[] = {r->cost_usd, r->wasted_fraction, r->wasted_gpu_hours, r->wasted_cost_usd};
        for (int k = 0; k < 4; k++) {
            csv_num(f, v3[k]);
            fputc(',', f);
        }
        fputs(r->by_time ? "time," : "steps,", f);
        csv_num(f, r->median_stop_step);
        fputc(',', f);
        csv_num(f, r->halving_stop_step);
        fputc('\n', f);
    }
}

cf_status cf_report_waste(const cf_waste *w, cf_curves_format format, size_t top_runs, FILE *f, cf_error *err)
{
    if (w == NULL || f == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no analysis or no stream");
    if (format == CF_CURVES_JSON) write_json(w, f);
    else if (format == CF_CURVES_CSV) write_csv(w, f);
    else write_table(w, top_runs, f);
    if (ferror(f)) return cf_error_set(err, CF_ERR_IO, NULL, 0, 0, NULL, "writing the curves output failed");
    return CF_OK;
}

/* ---- the HTML report's section ---- */

#define CURVE_COLS_RUNS 9

/* Writes v with "%.4g" into b (CF_NUM_BUF bytes), "-" when not finite. */
static void put4(char *b, double v)
{
    if (isfinite(v)) snprintf(b, CF_NUM_BUF, "%.4g", v);
    else snprintf(b, CF_NUM_BUF, "-");
}

/* The totals sentence shared by the table and the report. */
static void totals_sentence(const cf_waste *w, char *buf, size_t n)
{
    const cf_waste_group *t = cf_waste_total(w);
    char a[CF_NUM_BUF];
    double share = t->cost_usd > 0 ? 100.0 * t->wasted_cost_usd / t->cost_usd : 0;
    double hshare = t->gpu_hours > 0 ? 100.0 * t->wasted_gpu_hours / t->gpu_hours : 0;
    snprintf(buf, n,
             "%s (%.1f%% of spend) and %.4g GPU-hours (%.1f%%) went to training after the plateau of %s, in %zu of "
             "%zu runs (early stopping with patience %d, min_delta %g).",
             money(a, t->wasted_cost_usd), share, t->wasted_gpu_hours, hshare, cf_waste_metric(w), t->stopped, t->runs,
             cf_waste_options(w)->patience, cf_waste_options(w)->min_delta);
}

cf_status cf_report_curves_section(struct cf_report *r, const cf_waste *w, cf_curves *curves, int charts, cf_error *err)
{
    if (r == NULL || w == NULL || curves == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no report, analysis or histories");
    cf_status st = cf_report_add_section(r, "curves", "Learning curves: cost after the plateau");
    char sentence[700];
    totals_sentence(w, sentence, sizeof sentence);
    if (st == CF_OK) st = cf_report_add_paragraph(r, sentence);
    /* The chart: the most wasteful stopped runs. */
    size_t n_runs = cf_waste_run_count(w), drawn = 0;
    if (st == CF_OK && charts) {
        cf_plot *p = cf_plot_create(NULL);
        if (p == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
        char ylabel[300];
        snprintf(ylabel, sizeof ylabel, "%s (%s is better)", cf_waste_metric(w), cf_waste_maximize(w) ? "higher" : "lower");
        st = cf_plot_set_labels(p, "step", ylabel);
        cf_plot_set_key(p, CF_PLOT_KEY_OUTSIDE);
        double sx[6], sy[6], px[6], py[6];
        for (size_t i = 0; i < n_runs && drawn < 6 && st == CF_OK; i++) {
            const cf_waste_run *run = cf_waste_run_at(w, i);
            cf_curve c;
            if (!run->stopped || cf_curves_find(curves, run->run_id, cf_waste_metric(w), &c) != CF_OK) continue;
            st = cf_plot_add_series(p, run->run_id, CF_PLOT_LINES, c.step, c.value, c.n, NULL);
            size_t k = 0;
            while (k + 1 < c.n && c.step[k] < run->stop_step) k++;
            sx[drawn] = run->stop_step;
            sy[drawn] = c.value[k];
            /* The plateau: the step where the best value before stopping was reached. */
            size_t b = 0;
            while (b + 1 < c.n && c.step[b] < run->plateau_step) b++;
            px[drawn] = run->plateau_step;
            py[drawn] = c.value[b];
            drawn++;
        }
        if (st == CF_OK && drawn > 0) st = cf_plot_add_series(p, "plateau (best value before stopping)", CF_PLOT_POINTS, px, py, drawn, NULL);
        if (st == CF_OK && drawn > 0) st = cf_plot_add_series(p, "early stopping would stop here", CF_PLOT_POINTS, sx, sy, drawn, NULL);
        if (st == CF_OK && drawn > 0) {
            char alt[300];
            snprintf(alt, sizeof alt, "%s against step for the %zu runs with the most cost after the plateau", cf_waste_metric(w), drawn);
            st = cf_report_add_chart(r, p, "learning_curves.svg", alt);
        } else {
            cf_plot_destroy(p);
            if (st == CF_OK && drawn == 0) st = cf_report_add_paragraph(r, "No chart: early stopping would have stopped no run.");
        }
    }
    /* Waste by group. */
    size_t ng = cf_waste_group_count(w);
    if (st == CF_OK && (ng > 1 || (ng == 1 && cf_waste_group_at(w, 0)->name[0] != '\0'))) {
        enum { NC = 6 };
        const char *hdr[NC] = {cf_waste_options(w)->group_by ? cf_waste_options(w)->group_by : "group", "runs",
                               "GPU-hours", "spend", "after the plateau", "share of spend"};
        char (*cells)[CF_NUM_BUF] = calloc(ng * NC, sizeof *cells);
        const char **ptr = calloc(ng * NC, sizeof *ptr);
        if (cells == NULL || ptr == NULL) {
            free(cells);
            free(ptr);
            return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
        }
        for (size_t g = 0; g < ng; g++) {
            const cf_waste_group *G = cf_waste_group_at(w, g);
            ptr[g * NC] = G->name;
            snprintf(cells[g * NC + 1], CF_NUM_BUF, "%zu", G->runs);
            snprintf(cells[g * NC + 2], CF_NUM_BUF, "%.4g", G->gpu_hours);
            money(cells[g * NC + 3], G->cost_usd);
            money(cells[g * NC + 4], G->wasted_cost_usd);
            if (G->cost_usd > 0) snprintf(cells[g * NC + 5], CF_NUM_BUF, "%.1f%%", 100.0 * G->wasted_cost_usd / G->cost_usd);
            else snprintf(cells[g * NC + 5], CF_NUM_BUF, "-");
            for (int k = 1; k < NC; k++) ptr[g * NC + (size_t)k] = cells[g * NC + (size_t)k];
        }
        st = cf_report_add_table(r, "Cost after the plateau by group", NC, hdr, ng, ptr);
        free(cells);
        free(ptr);
    }
    /* Policies. */
    if (st == CF_OK) {
        enum { NC = 6 };
        const char *hdr[NC] = {"policy", "runs stopped", "GPU-hours saved", "cost saved", "runs lost", "rule"};
        char cells[3][NC][CF_NUM_BUF];
        const char *ptr[3 * NC];
        size_t np = cf_waste_policy_count(w);
        for (size_t p = 0; p < np && p < 3; p++) {
            const cf_waste_policy *P = cf_waste_policy_at(w, p);
            ptr[p * NC] = P->name;
            snprintf(cells[p][1], CF_NUM_BUF, "%zu", P->runs_stopped);
            snprintf(cells[p][2], CF_NUM_BUF, "%.4g", P->saved_gpu_hours);
            money(cells[p][3], P->saved_cost_usd);
            snprintf(cells[p][4], CF_NUM_BUF, "%zu", P->runs_lost);
            for (int k = 1; k < 5; k++) ptr[p * NC + (size_t)k] = cells[p][k];
            ptr[p * NC + 5] = P->rule;
        }
        st = cf_report_add_table(r,
                                 "What stopping policies would have saved (lost: stopped runs whose best value beat "
                                 "the best result the policy kept in their group)",
                                 NC, hdr, np < 3 ? np : 3, ptr);
    }
    /* The most wasteful runs. */
    if (st == CF_OK && n_runs > 0) {
        size_t nr = n_runs < 20 ? n_runs : 20;
        enum { NC = CURVE_COLS_RUNS };
        const char *hdr[NC] = {"run", "evaluations", "best", "plateau step", "stop step", "last step", "GPU-hours after",
                               "cost after", "apportioned by"};
        char (*cells)[CF_NUM_BUF] = calloc(nr * NC, sizeof *cells);
        const char **ptr = calloc(nr * NC, sizeof *ptr);
        if (cells == NULL || ptr == NULL) {
            free(cells);
            free(ptr);
            return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
        }
        for (size_t i = 0; i < nr; i++) {
            const cf_waste_run *run = cf_waste_run_at(w, i);
            char (*c)[CF_NUM_BUF] = cells + i * NC;
            ptr[i * NC] = run->run_id;
            snprintf(c[1], CF_NUM_BUF, "%zu", run->evaluations);
            put4(c[2], run->best_value);
            put4(c[3], run->plateau_step);
            put4(c[4], run->stop_step);
            put4(c[5], run->last_step);
            snprintf(c[6], CF_NUM_BUF, "%.4g", run->wasted_gpu_hours);
            money(c[7], run->wasted_cost_usd);
            snprintf(c[8], CF_NUM_BUF, "%s", run->by_time ? "time" : "steps");
            for (int k = 1; k < NC; k++) ptr[i * NC + (size_t)k] = c[k];
        }
        char cap[120];
        snprintf(cap, sizeof cap, "%s runs by cost after the plateau", nr < n_runs ? "The 20" : "All");
        st = cf_report_add_table(r, cap, NC, hdr, nr, ptr);
        free(cells);
        free(ptr);
    }
    for (size_t i = 0; i < cf_waste_note_count(w) && st == CF_OK; i++) {
        char note[700];
        snprintf(note, sizeof note, "Note: %s", cf_waste_note(w, i));
        st = cf_report_add_paragraph(r, note);
    }
    if (st != CF_OK && (err == NULL || err->status == CF_OK))
        st = cf_error_set(err, st, NULL, 0, 0, NULL, "cannot add the learning-curve section: %s", cf_status_str(st));
    return st;
}
