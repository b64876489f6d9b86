/* Tests for optimizer/prune.c and the trial_steps table of data/study_store.c (issue 13): the pruning rule on
 * hand-made learning curves with answers worked by hand, intermediate values surviving a reopen and a migration
 * from schema version 1, two processes reporting steps to one file, and the errors (unknown id, a step going
 * backwards, the wrong number of values, a trial that is not running). */
#include <criterion/criterion.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "costfront/prune.h"
#include "costfront/study.h"

/* accuracy (max) and gpu_hours (min): one step objective, accuracy. */
static const char *SPACE = "{\"params\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, \"high\": 1}],"
                           " \"objectives\": [{\"name\": \"accuracy\", \"direction\": \"maximize\"},"
                           "                  {\"name\": \"gpu_hours\", \"direction\": \"minimize\"}]}";
/* Cost-aware: cost_usd is priced from gpu_hours on the trial's hardware. */
static const char *SPACE_COST =
    "{\"params\": [{\"name\": \"hardware\", \"type\": \"categorical\", \"choices\": [\"l4\", \"t4\"]},"
    "              {\"name\": \"x\", \"type\": \"float\", \"low\": 0, \"high\": 1}],"
    " \"objectives\": [{\"name\": \"accuracy\", \"direction\": \"maximize\"},"
    "                  {\"name\": \"cost_usd\", \"direction\": \"minimize\"}]}";

static char path[512];

static void tmp_path(const char *name)
{
    snprintf(path, sizeof path, "%s/test_prune_%s_%ld.db", CF_BINARY_DIR, name, (long)getpid());
    char aux[600];
    remove(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    remove(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    remove(aux);
}

static cf_study *make(const char *name, const char *space)
{
    tmp_path(name);
    cf_error e;
    cf_error_clear(&e);
    cf_study *s = NULL;
    cr_assert_eq(cf_study_create(path, space, &s, &e), CF_OK, "%s", e.message);
    return s;
}

/* Adds n pending trials (ids 1..n) at x = 0.1, 0.2, ... (on l4 in the cost-aware space). */
static void add_pending(cf_study *s, int n, int cost)
{
    for (int k = 1; k <= n; k++) {
        cJSON *p = cJSON_CreateObject();
        if (cost) cJSON_AddStringToObject(p, "hardware", "l4");
        cJSON_AddNumberToObject(p, "x", 0.1 * k);
        long id = 0;
        cf_error e;
        cf_error_clear(&e);
        cr_assert_eq(cf_study_add_pending(s, p, &id, &e), CF_OK, "%s", e.message);
        cr_assert_eq(id, k);
        cJSON_Delete(p);
    }
}

static void report(cf_study *s, long id, long step, double acc, double gh)
{
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_report(s, id, step, &acc, 1, gh, &e), CF_OK, "trial %ld step %ld: %s", id, step, e.message);
}

static void tell(cf_study *s, long id, double acc, double gh)
{
    cJSON *v = cJSON_CreateObject();
    cJSON_AddNumberToObject(v, "accuracy", acc);
    cJSON_AddNumberToObject(v, "gpu_hours", gh);
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_tell(s, id, v, CF_TRIAL_COMPLETE, &e), CF_OK, "%s", e.message);
    cJSON_Delete(v);
}

/* The hand-made sweep. Completed curves at steps 10..40 (accuracy; GPU-hours):
 *   1: 0.5 0.7 0.8  0.85 (1 per 10 steps, 4 in all)   2: 0.4 0.6 0.7 0.75 (0.5 per 10 steps, 2)
 *   3: 0.6 0.8 0.88 0.9  (2 per 10 steps, 8)          front: all three.
 * Largest gain after step 20: 0.15 (trials 1 and 2); after step 30: 0.05 (trials 1 and 2; trial 3 gained 0.02).
 * Running: 4 at 0.3 0.45 0.5 (1 per 10 steps), 5 at 0.5 0.72 0.84 (1 per 10 steps), 6 at 0.3 0.45 0.5 with no
 * GPU-hours. With the budget step 40 (the completed curves' last step), at step 30:
 *   4: 0.5 + 0.05 = 0.55 at 3 * 40 / 30 = 4 GPU-hours: trial 1 (0.85, 4) is as good in both: prune.
 *   5: 0.84 + 0.05 = 0.89 at 4 GPU-hours: only trial 3 (0.9) is as accurate, and it cost 8: continue. */
static void sweep(cf_study *s, int cost)
{
    add_pending(s, 6, cost);
    const double acc[3][4] = {{0.5, 0.7, 0.8, 0.85}, {0.4, 0.6, 0.7, 0.75}, {0.6, 0.8, 0.88, 0.9}};
    const double rate[3] = {1.0, 0.5, 2.0};
    for (int t = 0; t < 3; t++) {
        for (int k = 0; k < 4; k++) report(s, t + 1, 10 * (k + 1), acc[t][k], rate[t] * (k + 1));
        tell(s, t + 1, acc[t][3], rate[t] * 4);
    }
    const double a4[3] = {0.3, 0.45, 0.5}, a5[3] = {0.5, 0.72, 0.84};
    for (int k = 0; k < 3; k++) {
        report(s, 4, 10 * (k + 1), a4[k], k + 1.0);
        report(s, 5, 10 * (k + 1), a5[k], k + 1.0);
        report(s, 6, 10 * (k + 1), a4[k], NAN);
    }
}

/* Runs the rule on trial id and returns the answer (caller deletes); *prune receives the decision. */
static cJSON *ask_prune(cf_study *s, long id, const cf_prune_options *o, int *prune)
{
    cJSON *out = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_should_prune(s, id, o, prune, &out, &e), CF_OK, "%s", e.message);
    cr_assert_not_null(out);
    return out;
}

static double num(const cJSON *o, const char *key) { return cJSON_GetObjectItem(o, key)->valuedouble; }
static const char *str(const cJSON *o, const char *key) { return cJSON_GetObjectItem(o, key)->valuestring; }

Test(prune, hopeless_trial_is_pruned)
{
    cf_study *s = make("hopeless", SPACE);
    sweep(s, 0);
    int prune = -1;
    cJSON *o = ask_prune(s, 4, NULL, &prune);
    cr_assert_eq(prune, 1);
    cr_assert_str_eq(str(o, "decision"), "prune");
    cr_assert_str_eq(str(o, "reason"), "dominated");
    cr_assert_eq(num(o, "dominated_by"), 1);
    cr_assert_eq(num(o, "budget_step"), 40);
    cr_assert_eq(num(o, "step"), 30);
    cr_assert_float_eq(num(o, "projected_gpu_hours"), 4.0, 1e-12);
    const cJSON *p = cJSON_GetObjectItem(o, "projected");
    cr_assert_float_eq(num(p, "accuracy"), 0.55, 1e-12);
    cr_assert_float_eq(num(p, "gpu_hours"), 4.0, 1e-12);
    cr_assert_eq(num(o, "n_completed_curves"), 3);
    cJSON_Delete(o);
    cf_study_destroy(s);
}

Test(prune, promising_trial_continues)
{
    cf_study *s = make("promising", SPACE);
    sweep(s, 0);
    int prune = -1;
    cJSON *o = ask_prune(s, 5, NULL, &prune);
    cr_assert_eq(prune, 0);
    cr_assert_str_eq(str(o, "reason"), "may_reach_front");
    cr_assert_float_eq(num(cJSON_GetObjectItem(o, "projected"), "accuracy"), 0.89, 1e-12);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "dominated_by")));
    cJSON_Delete(o);
    /* A longer budget costs more (8 GPU-hours at step 80) but leaves trial 4 hopeless: still pruned, now by
     * trial 1 and at twice the cost. */
    cf_prune_options opt;
    cf_prune_options_init(&opt);
    opt.budget_step = 80;
    o = ask_prune(s, 4, &opt, &prune);
    cr_assert_eq(prune, 1);
    cr_assert_float_eq(num(o, "projected_gpu_hours"), 8.0, 1e-12);
    cJSON_Delete(o);
    /* And trial 5 at budget 80 (0.89 for 8 GPU-hours) is matched by trial 3 (0.9 for 8): pruned. */
    o = ask_prune(s, 5, &opt, &prune);
    cr_assert_eq(prune, 1);
    cr_assert_eq(num(o, "dominated_by"), 3);
    cJSON_Delete(o);
    cf_study_destroy(s);
}

Test(prune, too_few_steps_never_prunes)
{
    cf_study *s = make("fewsteps", SPACE);
    sweep(s, 0);
    /* Trial 4 is hopeless with 3 evaluations, but the rule waits for 4 when asked to. */
    cf_prune_options opt;
    cf_prune_options_init(&opt);
    opt.min_steps = 4;
    int prune = -1;
    cJSON *o = ask_prune(s, 4, &opt, &prune);
    cr_assert_eq(prune, 0);
    cr_assert_str_eq(str(o, "reason"), "too_few_steps");
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "projected")));
    cJSON_Delete(o);
    /* A trial with two evaluations, far below every curve, is not pruned under the default 3. */
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "x", 0.9);
    long id = 0;
    cr_assert_eq(cf_study_add_pending(s, p, &id, NULL), CF_OK);
    cJSON_Delete(p);
    report(s, id, 10, 0.01, 5.0);
    report(s, id, 20, 0.02, 10.0);
    o = ask_prune(s, id, NULL, &prune);
    cr_assert_eq(prune, 0);
    cr_assert_str_eq(str(o, "reason"), "too_few_steps");
    cJSON_Delete(o);
    report(s, id, 30, 0.03, 15.0);
    o = ask_prune(s, id, NULL, &prune);
    cr_assert_eq(prune, 1, "the third evaluation makes it prunable");
    cJSON_Delete(o);
    cf_study_destroy(s);
}

Test(prune, too_few_completed_and_no_gpu_hours)
{
    cf_study *s = make("fewdone", SPACE);
    sweep(s, 0);
    cf_prune_options opt;
    cf_prune_options_init(&opt);
    opt.min_completed = 4;
    int prune = -1;
    cJSON *o = ask_prune(s, 4, &opt, &prune);
    cr_assert_eq(prune, 0);
    cr_assert_str_eq(str(o, "reason"), "too_few_completed");
    cJSON_Delete(o);
    /* Trial 6 has trial 4's curve but never said what it spent: the cost to finish is unknown. */
    o = ask_prune(s, 6, NULL, &prune);
    cr_assert_eq(prune, 0);
    cr_assert_str_eq(str(o, "reason"), "no_gpu_hours");
    cJSON_Delete(o);
    cf_study_destroy(s);
}

Test(prune, cost_aware_study_prices_the_projection)
{
    cf_study *s = make("cost", SPACE_COST);
    cr_assert(cf_study_cost_aware(s));
    sweep(s, 1);
    int prune = -1;
    cJSON *o = ask_prune(s, 4, NULL, &prune);
    cr_assert_eq(prune, 1);
    cr_assert_eq(num(o, "dominated_by"), 1);
    /* Projected 4 GPU-hours on l4: exactly what tell priced trial 1's 4 GPU-hours on l4 at. */
    cJSON *all = NULL;
    cr_assert_eq(cf_study_trials(s, &all, NULL), CF_OK);
    double c1 = num(cJSON_GetObjectItem(cJSON_GetArrayItem(all, 0), "values"), "cost_usd");
    cr_assert(c1 > 0.0);
    cr_assert_float_eq(num(cJSON_GetObjectItem(o, "projected"), "cost_usd"), c1, 1e-9 * c1);
    cJSON_Delete(all);
    cJSON_Delete(o);
    o = ask_prune(s, 5, NULL, &prune);
    cr_assert_eq(prune, 0);
    cJSON_Delete(o);
    /* The step objective of a cost-aware study is accuracy only. */
    const char *names[4];
    cr_assert_eq(cf_study_step_objectives(s, names, 4), 1);
    cr_assert_str_eq(names[0], "accuracy");
    cf_study_destroy(s);
}

Test(prune, errors)
{
    cf_study *s = make("errors", SPACE);
    sweep(s, 0);
    cf_error e;
    double two[2] = {0.5, 0.5}, one = 0.6;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_report(s, 99, 50, &one, 1, 1.0, &e), CF_ERR_NOT_FOUND);
    cr_assert_str_eq(e.field, "id");
    cf_error_clear(&e);
    cr_assert_eq(cf_study_report(s, 4, 30, &one, 1, 3.0, &e), CF_ERR_INVALID, "the same step again");
    cr_assert_str_eq(e.field, "step");
    cf_error_clear(&e);
    cr_assert_eq(cf_study_report(s, 4, 20, &one, 1, 3.0, &e), CF_ERR_INVALID, "a step going backwards");
    cr_assert_str_eq(e.field, "step");
    cr_assert(strstr(e.message, "after 30") != NULL, "%s", e.message);
    cf_error_clear(&e);
    cr_assert_eq(cf_study_report(s, 4, 50, two, 2, 4.0, &e), CF_ERR_INVALID, "two values for one objective");
    cr_assert_str_eq(e.field, "values");
    cr_assert(strstr(e.message, "Expected 1 intermediate value (accuracy") != NULL, "%s", e.message);
    cf_error_clear(&e);
    cr_assert_eq(cf_study_report(s, 4, 50, &one, 1, 2.0, &e), CF_ERR_INVALID, "GPU-hours going down");
    cr_assert_str_eq(e.field, "gpu_hours");
    double bad = NAN;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_report(s, 4, 50, &bad, 1, 4.0, &e), CF_ERR_INVALID);
    cf_error_clear(&e);
    cr_assert_eq(cf_study_report(s, 4, -1, &one, 1, 4.0, &e), CF_ERR_INVALID);
    cf_error_clear(&e);
    cr_assert_eq(cf_study_report(s, 1, 50, &one, 1, 5.0, &e), CF_ERR_INVALID, "trial 1 is complete");
    cr_assert(strstr(e.message, "complete") != NULL, "%s", e.message);
    cf_error_clear(&e);
    cr_assert_eq(cf_study_should_prune(s, 99, NULL, NULL, NULL, &e), CF_ERR_NOT_FOUND);
    cf_error_clear(&e);
    cr_assert_eq(cf_study_should_prune(s, 2, NULL, NULL, NULL, &e), CF_ERR_INVALID, "trial 2 is complete");
    /* Nothing refused was stored: trial 4 still has its three records. */
    cJSON *rows = NULL;
    cr_assert_eq(cf_study_steps(s, 4, &rows, NULL), CF_OK);
    cr_assert_eq(cJSON_GetArraySize(rows), 3);
    cJSON_Delete(rows);
    /* The flat API: a JSON array, the message kept on the study. */
    cr_assert_eq(cf_study_report_json(s, 4, 40, "[0.52]", 4.0), CF_OK);
    cr_assert_eq(cf_study_report_json(s, 4, 40, "[0.52]", 4.0), CF_ERR_INVALID);
    cr_assert(strstr(cf_study_last_error(s), "after 40") != NULL, "%s", cf_study_last_error(s));
    char *txt = cf_study_should_prune_json(s, 4);
    cr_assert_not_null(txt);
    cr_assert(strstr(txt, "\"decision\":\"prune\"") != NULL, "%s", txt);
    cf_free(txt);
    cf_study_destroy(s);
}

Test(prune_store, steps_survive_reopen_and_migration)
{
    cf_study *s = make("reopen", SPACE);
    sweep(s, 0);
    cf_study_destroy(s);
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_open(path, &s, &e), CF_OK, "%s", e.message);
    cJSON *rows = NULL;
    cr_assert_eq(cf_study_steps(s, 0, &rows, NULL), CF_OK);
    cr_assert_eq(cJSON_GetArraySize(rows), 21, "3 x 4 completed + 3 x 3 running records");
    const cJSON *r = cJSON_GetArrayItem(rows, 13); /* trial 4, step 20 */
    cr_assert_eq(num(r, "id"), 4);
    cr_assert_eq(num(r, "step"), 20);
    cr_assert_float_eq(num(cJSON_GetObjectItem(r, "values"), "accuracy"), 0.45, 1e-15);
    cr_assert_float_eq(num(r, "gpu_hours"), 2.0, 1e-15);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 20), "gpu_hours")), "trial 6 gave none");
    cJSON_Delete(rows);
    int prune = -1;
    cJSON *o = ask_prune(s, 4, NULL, &prune);
    cr_assert_eq(prune, 1, "the same answer after a reopen");
    cJSON_Delete(o);
    cf_study_destroy(s);
    /* A study of schema version 1 (before intermediate values) is migrated when opened. */
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db,
                              "DROP TABLE trial_steps; UPDATE study_meta SET value = '1' WHERE key = "
                              "'schema_version';",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(db);
    cr_assert_eq(cf_study_open(path, &s, &e), CF_OK, "%s", e.message);
    cr_assert_eq(cf_study_steps(s, 0, &rows, NULL), CF_OK);
    cr_assert_eq(cJSON_GetArraySize(rows), 0);
    cJSON_Delete(rows);
    report(s, 4, 10, 0.3, 1.0);
    cf_study_destroy(s);
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT value FROM study_meta WHERE key = 'schema_version'", -1, &q, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    cr_assert_str_eq((const char *)sqlite3_column_text(q, 0), "2");
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* Two processes report to one file at once: each to its own trial, and both to a shared trial, the same 50 steps.
 * Every own record is kept; on the shared trial every attempt is either kept or refused as "not after the last
 * step" (never lost, never a database error), so kept + refused = 100 and the kept steps strictly increase. */
Test(prune_store, two_processes_report_steps)
{
    cf_study *s = make("twoproc", SPACE);
    add_pending(s, 3, 0);
    cf_study_destroy(s);
    pid_t kids[2];
    for (int w = 0; w < 2; w++) {
        kids[w] = fork();
        cr_assert_neq(kids[w], -1);
        if (kids[w] == 0) {
            cf_study *c = NULL;
            if (cf_study_open(path, &c, NULL) != CF_OK) _exit(100);
            int refused = 0;
            for (long k = 1; k <= 50; k++) {
                double a = 0.01 * (double)k;
                if (cf_study_report(c, 1 + w, k, &a, 1, (double)k, NULL) != CF_OK) _exit(101);
                cf_error e;
                cf_error_clear(&e);
                cf_status st = cf_study_report(c, 3, k, &a, 1, (double)k, &e);
                if (st == CF_ERR_INVALID && strcmp(e.field, "step") == 0)
                    refused++;
                else if (st != CF_OK)
                    _exit(102);
            }
            cf_study_destroy(c);
            _exit(refused); /* 0..50 */
        }
    }
    int refused = 0;
    for (int w = 0; w < 2; w++) {
        int status = 0;
        cr_assert_eq(waitpid(kids[w], &status, 0), kids[w]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) <= 50, "worker %d exit %d", w, WEXITSTATUS(status));
        refused += WEXITSTATUS(status);
    }
    cr_assert_eq(cf_study_open(path, &s, NULL), CF_OK);
    for (long id = 1; id <= 3; id++) {
        cJSON *rows = NULL;
        cr_assert_eq(cf_study_steps(s, id, &rows, NULL), CF_OK);
        int n = cJSON_GetArraySize(rows);
        if (id < 3) cr_assert_eq(n, 50, "trial %ld has %d records", id, n);
        long last = 0;
        for (int k = 0; k < n; k++) {
            long st = (long)num(cJSON_GetArrayItem(rows, k), "step");
            cr_assert_gt(st, last);
            last = st;
        }
        if (id == 3) cr_assert_eq(n + refused, 100, "kept %d + refused %d", n, refused);
        cJSON_Delete(rows);
    }
    cf_study_destroy(s);
}

/* Two step objectives, one minimised (loss) and one maximised (accuracy), reported in declaration order.
 * Completed (steps 10..40, 1 GPU-hour per 10 steps): 1: loss 1.0 0.8 0.7 0.65, accuracy 0.5 0.6 0.7 0.75;
 * 2: loss 1.2 1.0 0.9 0.85, accuracy 0.4 0.5 0.55 0.6; 3: loss 0.9 0.7 0.6 0.5, accuracy 0.6 0.7 0.8 0.9 (the front:
 * it dominates 1 and 2). Largest gains after step 30: loss 0.1, accuracy 0.1 (both trial 3's).
 * Trial 4 at step 30 (loss 1.5 1.4 1.3, accuracy 0.3 0.35 0.4): projected loss 1.2, accuracy 0.5, 4 GPU-hours:
 * dominated by trial 3, pruned. Trial 5 (loss 0.8 0.6 0.45, accuracy 0.6 0.75 0.85): 0.35 and 0.95: continues. */
Test(prune, two_step_objectives_with_mixed_directions)
{
    static const char *space = "{\"params\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, \"high\": 1}],"
                               " \"objectives\": [{\"name\": \"loss\"}, {\"name\": \"accuracy\", \"direction\": "
                               "\"maximize\"}, {\"name\": \"gpu_hours\"}]}";
    cf_study *s = make("mixed", space);
    const char *names[3];
    cr_assert_eq(cf_study_step_objectives(s, names, 3), 2);
    cr_assert_str_eq(names[0], "loss");
    cr_assert_str_eq(names[1], "accuracy");
    add_pending(s, 5, 0);
    const double loss[5][4] = {
        {1.0, 0.8, 0.7, 0.65}, {1.2, 1.0, 0.9, 0.85}, {0.9, 0.7, 0.6, 0.5}, {1.5, 1.4, 1.3, 0}, {0.8, 0.6, 0.45, 0}};
    const double acc[5][4] = {
        {0.5, 0.6, 0.7, 0.75}, {0.4, 0.5, 0.55, 0.6}, {0.6, 0.7, 0.8, 0.9}, {0.3, 0.35, 0.4, 0}, {0.6, 0.75, 0.85, 0}};
    cf_error e;
    for (int t = 0; t < 5; t++) {
        for (int k = 0; k < (t < 3 ? 4 : 3); k++) {
            double v[2] = {loss[t][k], acc[t][k]};
            cf_error_clear(&e);
            cr_assert_eq(cf_study_report(s, t + 1, 10 * (k + 1), v, 2, k + 1.0, &e), CF_OK, "%s", e.message);
        }
        if (t < 3) {
            cJSON *v = cJSON_CreateObject();
            cJSON_AddNumberToObject(v, "loss", loss[t][3]);
            cJSON_AddNumberToObject(v, "accuracy", acc[t][3]);
            cJSON_AddNumberToObject(v, "gpu_hours", 4.0);
            cr_assert_eq(cf_study_tell(s, t + 1, v, CF_TRIAL_COMPLETE, NULL), CF_OK);
            cJSON_Delete(v);
        }
    }
    int prune = -1;
    cJSON *o = ask_prune(s, 4, NULL, &prune);
    cr_assert_eq(prune, 1);
    cr_assert_eq(num(o, "dominated_by"), 3);
    const cJSON *p = cJSON_GetObjectItem(o, "projected");
    cr_assert_float_eq(num(p, "loss"), 1.2, 1e-12);
    cr_assert_float_eq(num(p, "accuracy"), 0.5, 1e-12);
    cr_assert_float_eq(num(p, "gpu_hours"), 4.0, 1e-12);
    cJSON_Delete(o);
    o = ask_prune(s, 5, NULL, &prune);
    cr_assert_eq(prune, 0);
    p = cJSON_GetObjectItem(o, "projected");
    cr_assert_float_eq(num(p, "loss"), 0.35, 1e-12);
    cr_assert_float_eq(num(p, "accuracy"), 0.95, 1e-12);
    cJSON_Delete(o);
    /* The stored curve keeps the values by name, in the objectives' own units. */
    cJSON *rows = NULL;
    cr_assert_eq(cf_study_steps(s, 4, &rows, NULL), CF_OK);
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 2), "values");
    cr_assert_float_eq(num(v, "loss"), 1.3, 1e-15);
    cr_assert_float_eq(num(v, "accuracy"), 0.4, 1e-15);
    cJSON_Delete(rows);
    cf_study_destroy(s);
}
