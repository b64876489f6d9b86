/* costfront: intermediate values of running trials and the cost-aware pruning rule (see prune.h for the rule and
 * its citations: Golovin et al. 2017 median stopping, Domhan, Springenberg & Hutter 2015, Li et al. 2020 ASHA). */
#include "costfront/prune.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optimizer/study_internal.h"

static const char *const prune_rule =
    "prune when a front trial is at least as good in every objective as the trial's optimistic final outcome: its "
    "best value so far plus the largest gain any completed trial made after the same step, at the GPU-hours spent "
    "so far plus the rest projected in proportion to steps (median stopping in spirit, Golovin et al. 2017, with "
    "the most favourable curve instead of the median)";

void cf_prune_options_init(cf_prune_options *o)
{
    if (o == NULL) return;
    o->min_steps = 3;
    o->min_completed = 3;
    o->budget_step = 0;
}

/* True when objective j is produced by training (reported at intermediate steps): every objective except one named
 * gpu_hours and, in a cost-aware study, the costs computed from gpu_hours. */
static int is_step_objective(const cf_study *s, size_t j)
{
    if (strcmp(cf_space_objective_name(s->space, j), "gpu_hours") == 0) return 0;
    return !(s->cost.active && s->cost.der[j] >= 0);
}

size_t cf_study_step_objectives(const cf_study *s, const char **names, size_t cap)
{
    if (s == NULL) return 0;
    size_t M = cf_space_n_objectives(s->space), k = 0;
    for (size_t j = 0; j < M; j++)
        if (is_step_objective(s, j)) {
            if (names && k < cap) names[k] = cf_space_objective_name(s->space, j);
            k++;
        }
    return k;
}

/* Writes "name1, name2" (the step objectives) into buf, for messages. */
static void step_names(const cf_study *s, char *buf, size_t len)
{
    size_t M = cf_space_n_objectives(s->space), used = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < M && used < len; j++)
        if (is_step_objective(s, j)) {
            int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", cf_space_objective_name(s->space, j));
            if (w < 0) break;
            used += (size_t)w;
        }
}

cf_status cf_study_report(cf_study *s, long id, long step, const double *values, size_t n, double gpu_hours,
                          cf_error *err)
{
    if (s == NULL || (n > 0 && values == NULL))
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_report needs a study and values.");
    size_t K = cf_study_step_objectives(s, NULL, 0);
    char names[400];
    step_names(s, names, sizeof names);
    if (K == 0)
        return cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "values",
                            "The study has no objective that training reports (all are costs).");
    if (n != K)
        return cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "values",
                            "Expected %zu intermediate value%s (%s, in that order), found %zu.", K, K == 1 ? "" : "s",
                            names, n);
    if (step < 0)
        return cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "step", "Expected a step >= 0, found %ld.", step);
    for (size_t k = 0; k < n; k++)
        if (!isfinite(values[k]))
            return cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "values", "Expected finite numbers; value %zu is not.",
                                k + 1);
    if (!isnan(gpu_hours) && (!isfinite(gpu_hours) || gpu_hours < 0.0))
        return cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "gpu_hours",
                            "Expected the GPU-hours spent so far, a finite number >= 0.");
    cJSON *arr = cJSON_CreateDoubleArray(values, (int)n);
    char *txt = arr ? cJSON_PrintUnformatted(arr) : NULL;
    cJSON_Delete(arr);
    if (txt == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    cf_status st = cf_study_store_add_step(s->store, id, step, txt, gpu_hours, err);
    free(txt);
    return st;
}

/* Decodes the stored values of every record into v (nrec x K, minimised: maximised objectives negated). A record
 * whose values are not K numbers was written outside costfront: CF_ERR_DB naming the trial and step. */
static cf_status decode_steps(const cf_study *s, const cf_study_step *rec, size_t nrec, size_t K, double *v,
                              cf_error *err)
{
    size_t M = cf_space_n_objectives(s->space);
    for (size_t r = 0; r < nrec; r++) {
        cJSON *a = cJSON_Parse(rec[r].values);
        int ok = cJSON_IsArray(a) && (size_t)cJSON_GetArraySize(a) == K;
        size_t k = 0;
        for (size_t j = 0; ok && j < M; j++) {
            if (!is_step_objective(s, j)) continue;
            const cJSON *e = cJSON_GetArrayItem(a, (int)k);
            ok = cJSON_IsNumber(e) && isfinite(e->valuedouble);
            if (ok) v[r * K + k] = cf_space_objective_maximize(s->space, j) ? -e->valuedouble : e->valuedouble;
            k++;
        }
        cJSON_Delete(a);
        if (!ok)
            return cf_error_set(err, CF_ERR_DB, NULL, 0, 0, "trial_steps",
                                "The intermediate values of trial %ld at step %ld are not %zu numbers.",
                                rec[r].trial_id, rec[r].step, K);
    }
    return CF_OK;
}

cf_status cf_study_steps(cf_study *s, long id, cJSON **out, cf_error *err)
{
    if (s == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_steps needs a study and an output.");
    *out = NULL;
    size_t K = cf_study_step_objectives(s, NULL, 0), n = 0;
    const char **names = malloc((K + 1) * sizeof *names);
    if (names == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    cf_study_step_objectives(s, names, K);
    cf_study_step *rec = NULL;
    cf_status st = cf_study_store_load_steps(s->store, id, &rec, &n, err);
    double *v = st == CF_OK ? malloc((n * K + 1) * sizeof *v) : NULL;
    if (st == CF_OK && v == NULL) st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    if (st == CF_OK) st = decode_steps(s, rec, n, K, v, err);
    cJSON *arr = st == CF_OK ? cJSON_CreateArray() : NULL;
    int ok = arr != NULL;
    for (size_t r = 0; ok && r < n; r++) {
        cJSON *it = cJSON_CreateObject(), *vals = NULL;
        ok = it && cJSON_AddItemToArray(arr, it) && cJSON_AddNumberToObject(it, "id", (double)rec[r].trial_id) &&
             cJSON_AddNumberToObject(it, "step", (double)rec[r].step) &&
             (vals = cJSON_AddObjectToObject(it, "values")) != NULL;
        size_t k = 0;
        for (size_t j = 0; ok && j < cf_space_n_objectives(s->space); j++) {
            if (!is_step_objective(s, j)) continue;
            double x = v[r * K + k];
            ok = cJSON_AddNumberToObject(vals, names[k], cf_space_objective_maximize(s->space, j) ? -x : x) != NULL;
            k++;
        }
        ok = ok && (isnan(rec[r].gpu_hours) ? cJSON_AddNullToObject(it, "gpu_hours") != NULL
                                            : cJSON_AddNumberToObject(it, "gpu_hours", rec[r].gpu_hours) != NULL);
        ok = ok && cJSON_AddNumberToObject(it, "created", (double)rec[r].created);
    }
    if (st == CF_OK && !ok) st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    if (st == CF_OK)
        *out = arr;
    else
        cJSON_Delete(arr);
    free(v);
    free(names);
    cf_study_steps_free(rec, n);
    return st;
}

/* The decision and the numbers behind it, gathered for the JSON answer. */
typedef struct {
    const char *reason;  /* see prune.h */
    char message[600];   /* a sentence for people */
    size_t evaluations;  /* the trial's records */
    long step;           /* its last step (-1 without records) */
    long budget;         /* the step it trains to (-1 when unknown) */
    double gpu_hours;    /* last reported GPU-hours (NaN when none) */
    double projected_gh; /* GPU-hours to finish (NaN when not projected) */
    double *projected;   /* M minimised objectives, or NULL */
    long dominated_by;   /* front trial id, or 0 */
    size_t n_refs;       /* completed trials with curves */
} verdict;

/* Formats the projected outcome ("accuracy 0.8, gpu_hours 10") in the objectives' own units. */
static void outcome_text(const cf_study *s, const double *y, char *buf, size_t len)
{
    size_t M = cf_space_n_objectives(s->space), used = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < M && used < len; j++) {
        double x = cf_space_objective_maximize(s->space, j) ? -y[j] : y[j];
        int w = snprintf(buf + used, len - used, "%s%s %.4g", j ? ", " : "", cf_space_objective_name(s->space, j), x);
        if (w < 0) break;
        used += (size_t)w;
    }
}

/* Prices the cost objectives of trial row i for H GPU-hours into y (minimised), with the step objectives already
 * in y: an objective named gpu_hours is H, a derived cost is what tell would compute from gpu_hours = H. */
static cf_status project_costs(cf_study *s, const trials *t, size_t i, double H, double *y, cf_error *err)
{
    const cf_space *sp = s->space;
    size_t M = cf_space_n_objectives(sp);
    cJSON *filled = NULL;
    cf_status st = CF_OK;
    if (s->cost.active) {
        cJSON *vals = cJSON_CreateObject(), *params = cJSON_Parse(t->rows[i].params);
        int ok = vals && params && cJSON_AddNumberToObject(vals, "gpu_hours", H);
        for (size_t j = 0; ok && j < M; j++)
            if (is_step_objective(s, j))
                ok = cJSON_AddNumberToObject(vals, cf_space_objective_name(sp, j),
                                             cf_space_objective_maximize(sp, j) ? -y[j] : y[j]) != NULL;
        st = ok ? cf_study_cost_fill_values(s, params, vals, &filled, err)
                : cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
        cJSON_Delete(vals);
        cJSON_Delete(params);
    }
    for (size_t j = 0; st == CF_OK && j < M; j++) {
        if (is_step_objective(s, j)) continue;
        double x = H;
        if (s->cost.active && s->cost.der[j] >= 0) {
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(filled, cf_space_objective_name(sp, j));
            x = cJSON_IsNumber(e) ? e->valuedouble : NAN;
        }
        y[j] = cf_space_objective_maximize(sp, j) ? -x : x;
    }
    cJSON_Delete(filled);
    return st;
}

/* Applies the rule of prune.h to trial row ti; the trials, records (sorted by trial and step) and their decoded
 * values are the study's. Fills vd; *prune is 1 when the trial should be pruned. */
static cf_status decide(cf_study *s, const cf_prune_options *o, const trials *t, size_t ti, const cf_study_step *rec,
                        size_t nrec, const double *v, size_t K, verdict *vd, int *prune, cf_error *err)
{
    const cf_space *sp = s->space;
    size_t M = cf_space_n_objectives(sp), C = cf_space_n_constraints(sp);
    long id = t->rows[ti].id;
    *prune = 0;
    /* The records of each trial: rec is sorted by trial id, as the rows are. */
    size_t *lo = calloc(t->n + 1, sizeof *lo), *hi = calloc(t->n + 1, sizeof *hi);
    unsigned char *use = calloc(t->n + 1, 1), *nd = calloc(t->n + 1, 1);
    if (!lo || !hi || !use || !nd) {
        free(lo);
        free(hi);
        free(use);
        free(nd);
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    }
    for (size_t i = 0, r = 0; i < t->n; i++) {
        while (r < nrec && rec[r].trial_id < t->rows[i].id) r++;
        lo[i] = r;
        while (r < nrec && rec[r].trial_id == t->rows[i].id) r++;
        hi[i] = r;
    }
    size_t nT = hi[ti] - lo[ti];
    vd->evaluations = nT;
    vd->step = nT ? rec[hi[ti] - 1].step : -1;
    for (size_t r = lo[ti]; r < hi[ti]; r++)
        if (!isnan(rec[r].gpu_hours)) vd->gpu_hours = rec[r].gpu_hours;
    long S = o->budget_step;
    for (size_t i = 0; i < t->n; i++)
        if (t->ok[i] && hi[i] > lo[i]) {
            vd->n_refs++;
            if (o->budget_step <= 0 && rec[hi[i] - 1].step > S) S = rec[hi[i] - 1].step;
        }
    double *y = vd->projected;
    int has_cost = cf_study_step_objectives(s, NULL, 0) < M;
    if (nT < o->min_steps || nT == 0) {
        vd->reason = "too_few_steps";
        snprintf(vd->message, sizeof vd->message,
                 "Continue: trial %ld has %zu evaluation%s, fewer than the %zu the rule needs before it prunes.", id,
                 nT, nT == 1 ? "" : "s", o->min_steps);
        goto done;
    }
    if (vd->n_refs < o->min_completed || vd->n_refs == 0) {
        vd->reason = "too_few_completed";
        snprintf(vd->message, sizeof vd->message,
                 "Continue: %zu completed trial%s learning curves, fewer than the %zu the rule learns from.",
                 vd->n_refs, vd->n_refs == 1 ? " has" : "s have", o->min_completed);
        goto done;
    }
    long s_now = vd->step;
    if (S < s_now) S = s_now;
    vd->budget = S;
    /* Step objectives: the best value so far improved by the largest gain of a completed curve after s_now. */
    size_t k = 0;
    for (size_t j = 0; j < M; j++) {
        if (!is_step_objective(s, j)) continue;
        double best = INFINITY, gain = -1.0;
        for (size_t r = lo[ti]; r < hi[ti]; r++) best = fmin(best, v[r * K + k]);
        for (size_t i = 0; i < t->n; i++) {
            if (!t->ok[i] || hi[i] == lo[i]) continue;
            /* The gain from the best value up to s_now to the best the trial reached: over its whole curve or
             * its told final value, whichever is better (noise can put either above the other). */
            double b = INFINITY, end = t->y[i * M + j];
            for (size_t r = lo[i]; r < hi[i]; r++) {
                if (rec[r].step <= s_now) b = fmin(b, v[r * K + k]);
                end = fmin(end, v[r * K + k]);
            }
            if (isfinite(b)) gain = fmax(gain, fmax(0.0, b - end));
        }
        if (gain < 0.0) {
            vd->reason = "no_curve_at_step";
            snprintf(vd->message, sizeof vd->message,
                     "Continue: no completed trial's learning curve reaches back to step %ld to compare with.", s_now);
            goto done;
        }
        y[j] = best - gain;
        k++;
    }
    /* Cost objectives: GPU-hours so far plus the rest at the trial's own rate per step. */
    if (has_cost) {
        long s_h = -1;
        double h = NAN;
        for (size_t r = lo[ti]; r < hi[ti]; r++)
            if (!isnan(rec[r].gpu_hours)) {
                s_h = rec[r].step;
                h = rec[r].gpu_hours;
            }
        if (s_h < 0) {
            vd->reason = "no_gpu_hours";
            snprintf(vd->message, sizeof vd->message,
                     "Continue: trial %ld reported no gpu_hours, so the cost of finishing it is unknown.", id);
            goto done;
        }
        vd->projected_gh = s_h > 0 ? h * (double)S / (double)s_h : h;
        cf_status st = project_costs(s, t, ti, vd->projected_gh, y, err);
        if (st) {
            free(lo);
            free(hi);
            free(use);
            free(nd);
            return st;
        }
    }
    /* The front of the complete, feasible trials; the first front trial (by id) at least as good everywhere. */
    for (size_t i = 0; i < t->n; i++) use[i] = t->ok[i] && cf_space_feasible(sp, t->c + i * C);
    cf_study_nondominated(t->y, t->n, M, use, nd);
    size_t nfront = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (!nd[i]) continue;
        nfront++;
        int weak = 1;
        for (size_t j = 0; j < M && weak; j++) weak = t->y[i * M + j] <= y[j];
        if (weak && vd->dominated_by == 0) vd->dominated_by = t->rows[i].id;
    }
    char outcome[300];
    outcome_text(s, y, outcome, sizeof outcome);
    if (nfront == 0) {
        vd->reason = "no_front";
        snprintf(vd->message, sizeof vd->message, "Continue: the study has no complete, feasible trial yet.");
    } else if (vd->dominated_by) {
        *prune = 1;
        vd->reason = "dominated";
        snprintf(vd->message, sizeof vd->message,
                 "Prune: even improving as much as the best completed trial did after step %ld, trial %ld would "
                 "finish at step %ld with %s, no better than front trial %ld in any objective.",
                 s_now, id, S, outcome, vd->dominated_by);
    } else {
        vd->reason = "may_reach_front";
        snprintf(vd->message, sizeof vd->message,
                 "Continue: improving as much as the best completed trial did after step %ld, trial %ld could "
                 "finish at step %ld with %s, which no front trial matches.",
                 s_now, id, S, outcome);
    }
    free(lo);
    free(hi);
    free(use);
    free(nd);
    return CF_OK;
done:
    free(vd->projected);
    vd->projected = NULL;
    free(lo);
    free(hi);
    free(use);
    free(nd);
    return CF_OK;
}

/* Adds a number, or null when it is NaN. */
static int add_num(cJSON *o, const char *key, double x)
{
    return isnan(x) ? cJSON_AddNullToObject(o, key) != NULL : cJSON_AddNumberToObject(o, key, x) != NULL;
}

/* The JSON answer of cf_study_should_prune. */
static cJSON *verdict_json(const cf_study *s, long id, int prune, const verdict *vd)
{
    cJSON *o = cJSON_CreateObject();
    int ok = o && cJSON_AddNumberToObject(o, "id", (double)id) &&
             cJSON_AddStringToObject(o, "decision", prune ? "prune" : "continue") &&
             cJSON_AddStringToObject(o, "reason", vd->reason) && cJSON_AddStringToObject(o, "message", vd->message) &&
             cJSON_AddNumberToObject(o, "evaluations", (double)vd->evaluations) &&
             add_num(o, "step", vd->step < 0 ? NAN : (double)vd->step) &&
             add_num(o, "budget_step", vd->budget < 0 ? NAN : (double)vd->budget) &&
             add_num(o, "gpu_hours", vd->gpu_hours) && add_num(o, "projected_gpu_hours", vd->projected_gh);
    if (ok && vd->projected) {
        cJSON *p = cJSON_AddObjectToObject(o, "projected");
        ok = p != NULL;
        for (size_t j = 0; ok && j < cf_space_n_objectives(s->space); j++)
            ok = cJSON_AddNumberToObject(p, cf_space_objective_name(s->space, j),
                                         cf_space_objective_maximize(s->space, j) ? -vd->projected[j]
                                                                                  : vd->projected[j]) != NULL;
    } else if (ok) {
        ok = cJSON_AddNullToObject(o, "projected") != NULL;
    }
    ok = ok && add_num(o, "dominated_by", vd->dominated_by ? (double)vd->dominated_by : NAN) &&
         cJSON_AddNumberToObject(o, "n_completed_curves", (double)vd->n_refs) &&
         cJSON_AddStringToObject(o, "rule", prune_rule);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

cf_status cf_study_should_prune(cf_study *s, long id, const cf_prune_options *opt, int *prune, cJSON **out,
                                cf_error *err)
{
    if (s == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_study_should_prune needs a study.");
    if (out) *out = NULL;
    cf_prune_options o;
    cf_prune_options_init(&o);
    if (opt) o = *opt;
    trials t;
    cf_status st = cf_study_trials_load(s, &t, err);
    if (st) return st;
    size_t ti = 0, nrec = 0, K = cf_study_step_objectives(s, NULL, 0), M = cf_space_n_objectives(s->space);
    while (ti < t.n && t.rows[ti].id != id) ti++;
    if (ti == t.n) {
        cf_study_trials_free(&t);
        return cf_error_set(err, CF_ERR_NOT_FOUND, NULL, 0, 0, "id", "There is no trial %ld.", id);
    }
    if (t.rows[ti].state != CF_TRIAL_PENDING) {
        st = cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "id", "Trial %ld is %s, not running: nothing to prune.", id,
                          cf_trial_state_name(t.rows[ti].state));
        cf_study_trials_free(&t);
        return st;
    }
    cf_study_step *rec = NULL;
    st = cf_study_store_load_steps(s->store, 0, &rec, &nrec, err);
    double *v = st == CF_OK ? malloc((nrec * K + 1) * sizeof *v) : NULL;
    verdict vd;
    memset(&vd, 0, sizeof vd);
    vd.step = vd.budget = -1;
    vd.gpu_hours = vd.projected_gh = NAN;
    vd.projected = st == CF_OK ? malloc((M + 1) * sizeof *vd.projected) : NULL;
    if (st == CF_OK && (v == NULL || vd.projected == NULL))
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    if (st == CF_OK) st = decode_steps(s, rec, nrec, K, v, err);
    int pr = 0;
    if (st == CF_OK) st = decide(s, &o, &t, ti, rec, nrec, v, K, &vd, &pr, err);
    if (st == CF_OK && out && (*out = verdict_json(s, id, pr, &vd)) == NULL)
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    if (st == CF_OK && prune) *prune = pr;
    free(vd.projected);
    free(v);
    cf_study_steps_free(rec, nrec);
    cf_study_trials_free(&t);
    return st;
}

/* Keeps the message of the last call of the flat API on the study, as study.c's flat calls do. */
static void flat_last(cf_study *s, const cf_error *e)
{
    if (s == NULL) return;
    if (e->status == CF_OK)
        s->last_error[0] = '\0';
    else
        cf_error_format(e, s->last_error, sizeof s->last_error);
}

int cf_study_report_json(cf_study *s, long id, long step, const char *values_json, double gpu_hours)
{
    cf_error e;
    cf_error_clear(&e);
    cJSON *a = values_json ? cJSON_Parse(values_json) : NULL;
    size_t n = cJSON_IsArray(a) ? (size_t)cJSON_GetArraySize(a) : 0;
    double *x = malloc((n + 1) * sizeof *x);
    cf_status st = CF_OK;
    if (!cJSON_IsArray(a))
        st = cf_error_set(&e, CF_ERR_PARSE, NULL, 0, 0, "values", "Expected a JSON array of numbers.");
    else if (x == NULL)
        st = cf_error_set(&e, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    for (size_t k = 0; st == CF_OK && k < n; k++) {
        const cJSON *it = cJSON_GetArrayItem(a, (int)k);
        if (!cJSON_IsNumber(it))
            st = cf_error_set(&e, CF_ERR_INVALID, NULL, 0, 0, "values", "Expected numbers; value %zu is not.", k + 1);
        else
            x[k] = it->valuedouble;
    }
    if (st == CF_OK) st = cf_study_report(s, id, step, x, n, gpu_hours, &e);
    free(x);
    cJSON_Delete(a);
    flat_last(s, &e);
    return (int)st;
}

char *cf_study_should_prune_json(cf_study *s, long id)
{
    cf_error e;
    cf_error_clear(&e);
    cJSON *o = NULL;
    cf_status st = cf_study_should_prune(s, id, NULL, NULL, &o, &e);
    flat_last(s, &e);
    if (st) return NULL;
    char *txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return txt;
}
