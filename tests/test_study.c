/* Tests for optimizer/study.c and data/study_store.c: persistence, ask/tell rules, determinism, pending trials,
 * the observed front and its hypervolume, the JSON C API, and a short BraninCurrin optimisation that must beat
 * the Sobol design with the same budget. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "costfront/problems.h"
#include "costfront/study.h"
#include "tests/pg/pg_testutil.h"

static const char *BC_SPACE = "{\"params\": [{\"name\": \"x0\", \"type\": \"float\", \"low\": 0, \"high\": 1},"
                              "              {\"name\": \"x1\", \"type\": \"float\", \"low\": 0, \"high\": 1}],"
                              " \"objectives\": [{\"name\": \"f1\", \"ref\": 18}, {\"name\": \"f2\", \"ref\": 6}]}";

/* A fresh file name in the build directory (any old file and its WAL removed). */
static void file_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/test_study_%s_%ld.db", CF_BINARY_DIR, name, (long)getpid());
    remove(buf);
    char aux[600];
    snprintf(aux, sizeof aux, "%s-wal", buf);
    remove(aux);
    snprintf(aux, sizeof aux, "%s-shm", buf);
    remove(aux);
}

/* A fresh study store: a new file on SQLite, a new schema on PostgreSQL (tests/pg/pg_testutil.h). */
static void tmp_path(char *buf, size_t n, const char *name)
{
    char file[512];
    file_path(file, sizeof file, name);
    tu_store_name(buf, n, file);
}

static void cleanup(const char *path)
{
    char aux[600];
    remove(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    remove(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    remove(aux);
}

/* Evaluates BraninCurrin at a params object and returns the values object. */
static cJSON *bc_values(const cJSON *params)
{
    double x[2] = {cJSON_GetObjectItem(params, "x0")->valuedouble, cJSON_GetObjectItem(params, "x1")->valuedouble};
    double f[2];
    cr_assert_eq(cf_problem_eval(CF_PROBLEM_BRANINCURRIN, x, 2, 2, f), CF_OK);
    cJSON *v = cJSON_CreateObject();
    cJSON_AddNumberToObject(v, "f1", f[0]);
    cJSON_AddNumberToObject(v, "f2", f[1]);
    return v;
}

/* Runs `budget` evaluations of BraninCurrin with q = 1 and returns the study's hypervolume. */
static double run_bc(const char *path, cf_acquisition acq, size_t budget, unsigned long seed)
{
    cf_study *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_create(path, BC_SPACE, &s, &e), CF_OK, "%s", e.message);
    cf_study_set_acquisition(s, acq);
    cf_study_set_effort(s, 256, 3, 150, 1);
    for (size_t k = 0; k < budget; k++) {
        cJSON *tr = NULL;
        cr_assert_eq(cf_study_ask(s, 1, seed + k, &tr, &e), CF_OK, "%s", e.message);
        cJSON *it = cJSON_GetArrayItem(tr, 0);
        cJSON *v = bc_values(cJSON_GetObjectItem(it, "params"));
        cr_assert_eq(cf_study_tell(s, (long)cJSON_GetObjectItem(it, "id")->valuedouble, v, CF_TRIAL_COMPLETE, &e),
                     CF_OK, "%s", e.message);
        cJSON_Delete(v);
        cJSON_Delete(tr);
    }
    cJSON *fr = NULL;
    cr_assert_eq(cf_study_front(s, &fr, &e), CF_OK, "%s", e.message);
    double hv = cJSON_GetObjectItem(fr, "hypervolume")->valuedouble;
    cr_assert_eq(cJSON_GetObjectItem(fr, "n_complete")->valueint, (int)budget);
    cJSON_Delete(fr);
    cf_study_destroy(s);
    return hv;
}

Test(study, persistence_and_tell_rules)
{
    char path[512];
    tmp_path(path, sizeof path, "persist");
    cf_study *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_create(path, BC_SPACE, &s, &e), CF_OK, "%s", e.message);
    cJSON *tr = NULL;
    cr_assert_eq(cf_study_ask(s, 3, 1, &tr, &e), CF_OK, "%s", e.message);
    cr_assert_eq(cJSON_GetArraySize(tr), 3);
    long id0 = (long)cJSON_GetObjectItem(cJSON_GetArrayItem(tr, 0), "id")->valuedouble;
    long id1 = (long)cJSON_GetObjectItem(cJSON_GetArrayItem(tr, 1), "id")->valuedouble;
    cr_assert_eq(id0, 1);
    cr_assert_eq(id1, 2);
    cJSON *v = bc_values(cJSON_GetObjectItem(cJSON_GetArrayItem(tr, 0), "params"));
    cr_assert_eq(cf_study_tell(s, id0, v, CF_TRIAL_COMPLETE, &e), CF_OK, "%s", e.message);
    cr_assert_eq(cf_study_tell(s, id0, v, CF_TRIAL_COMPLETE, &e), CF_ERR_INVALID); /* already complete */
    cr_assert_eq(cf_study_tell(s, 99, v, CF_TRIAL_COMPLETE, &e), CF_ERR_NOT_FOUND);
    cJSON *partial = cJSON_Parse("{\"f1\": 3}");
    cf_error_clear(&e);
    cr_assert_eq(cf_study_tell(s, id1, partial, CF_TRIAL_COMPLETE, &e), CF_ERR_INVALID);
    cr_assert_str_eq(e.field, "values.f2");
    cJSON_Delete(partial);
    cr_assert_eq(cf_study_tell(s, id1, NULL, CF_TRIAL_FAILED, &e), CF_OK, "%s", e.message);
    cJSON_Delete(v);
    cJSON_Delete(tr);
    cf_study_destroy(s);
    /* Creating over an existing study is refused; reopening keeps every state. */
    cr_assert_eq(cf_study_create(path, BC_SPACE, &s, &e), CF_ERR_INVALID);
    cr_assert_eq(cf_study_open(path, &s, &e), CF_OK, "%s", e.message);
    cJSON *all = NULL;
    cr_assert_eq(cf_study_trials(s, &all, &e), CF_OK);
    cr_assert_eq(cJSON_GetArraySize(all), 3);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(all, 0), "state")->valuestring, "complete");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(all, 1), "state")->valuestring, "failed");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(all, 2), "state")->valuestring, "pending");
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(all, 0), "values"), "f1")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(all, 2), "values")));
    cJSON_Delete(all);
    cf_study_destroy(s);
    cf_study_destroy(NULL);
    /* Files that are not studies. */
    cr_assert_eq(cf_study_open("/nonexistent/dir/x.db", &s, &e), CF_ERR_IO);
    char junk[512];
    file_path(junk, sizeof junk, "junk");
    FILE *f = fopen(junk, "w");
    fputs("this is not a database, just some text that is long enough to have a header.......\n", f);
    fclose(f);
    cr_assert_eq(cf_study_open(junk, &s, &e), CF_ERR_INVALID);
    cr_assert(strstr(e.message, "not an SQLite database") != NULL, "%s", e.message);
    cr_assert_eq(cf_study_create(junk, "{\"params\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, \"high\": 1}], "
                                       "\"objectives\": [{\"name\": \"f\"}]}",
                                 &s, &e),
                 CF_ERR_INVALID);
    f = fopen(junk, "r");
    char back[128] = "";
    cr_assert(fgets(back, sizeof back, f) != NULL);
    fclose(f);
    cr_assert(strncmp(back, "this is not a database", 22) == 0, "the refused file was left as it was");
    cleanup(junk);
    cleanup(path);
}

Test(study, front_and_hypervolume)
{
    char path[512];
    tmp_path(path, sizeof path, "front");
    static const char *space =
        "{\"params\": [{\"name\": \"a\", \"type\": \"int\", \"low\": 0, \"high\": 9}],"
        " \"objectives\": [{\"name\": \"cost\"}, {\"name\": \"acc\", \"direction\": \"maximize\"}],"
        " \"constraints\": [{\"name\": \"mem\", \"op\": \"<=\", \"value\": 10}]}";
    cf_study *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_create(path, space, &s, &e), CF_OK, "%s", e.message);
    /* Minimised objectives (cost, -acc): (1,-1) (2,-2) (3,-3) on the front, (2.5,-1.5) dominated by (2,-2), and
     * (0,-9) infeasible (mem 11 > 10). */
    static const char *vals[] = {"{\"cost\": 1, \"acc\": 1, \"mem\": 1}", "{\"cost\": 2, \"acc\": 2, \"mem\": 1}",
                                 "{\"cost\": 3, \"acc\": 3, \"mem\": 1}", "{\"cost\": 2.5, \"acc\": 1.5, \"mem\": 1}",
                                 "{\"cost\": 0, \"acc\": 9, \"mem\": 11}"};
    for (int i = 0; i < 5; i++) {
        char p[32];
        snprintf(p, sizeof p, "{\"a\": %d}", i);
        cJSON *pj = cJSON_Parse(p), *vj = cJSON_Parse(vals[i]);
        long id = 0;
        cr_assert_eq(cf_study_add(s, pj, vj, &id, &e), CF_OK, "%s", e.message);
        cr_assert_eq(id, i + 1);
        cJSON_Delete(pj);
        cJSON_Delete(vj);
    }
    cJSON *fr = NULL;
    cr_assert_eq(cf_study_front(s, &fr, &e), CF_OK, "%s", e.message);
    cr_assert_eq(cJSON_GetObjectItem(fr, "n_feasible")->valueint, 4);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(fr, "front")), 3, "%s", cJSON_PrintUnformatted(fr));
    /* Inferred ref: worst on the front (3, -1) pushed by 10% of the ranges (2, 2): (3.2, -0.8), i.e. acc 0.8. */
    cJSON *ref = cJSON_GetObjectItem(fr, "ref");
    cr_assert_float_eq(cJSON_GetArrayItem(ref, 0)->valuedouble, 3.2, 1e-12);
    cr_assert_float_eq(cJSON_GetArrayItem(ref, 1)->valuedouble, 0.8, 1e-12);
    cr_assert(cJSON_IsTrue(cJSON_GetArrayItem(cJSON_GetObjectItem(fr, "ref_inferred"), 0)));
    /* HV = 2.2 * 0.2 + 1.2 * 1 + 0.2 * 1 = 1.84. */
    cr_assert_float_eq(cJSON_GetObjectItem(fr, "hypervolume")->valuedouble, 1.84, 1e-12);
    cJSON_Delete(fr);
    /* The JSON C API. */
    char *txt = cf_study_front_json(s);
    cr_assert_not_null(txt);
    cr_assert(strstr(txt, "\"hypervolume\":1.84") != NULL, "%s", txt);
    cf_free(txt);
    cf_study_destroy(s);
    cleanup(path);
}

Test(study, json_api)
{
    char path[512], eb[256];
    tmp_path(path, sizeof path, "capi");
    cr_assert_null(cf_study_create_c(path, "{\"params\": []}", eb, sizeof eb));
    cr_assert(strstr(eb, "params") != NULL, "%s", eb);
    cf_study *s = cf_study_create_c(path, BC_SPACE, eb, sizeof eb);
    cr_assert_not_null(s, "%s", eb);
    char *a = cf_study_ask_json(s, 2, 5);
    cr_assert_not_null(a);
    cJSON *o = cJSON_Parse(a);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "trials")), 2);
    cJSON_Delete(o);
    cf_free(a);
    cr_assert_eq(cf_study_tell_json(s, 1, "{\"f1\": 10, \"f2\": 5}", NULL), 0, "%s", cf_study_last_error(s));
    cr_assert_eq(cf_study_tell_json(s, 2, NULL, "pruned"), 0, "%s", cf_study_last_error(s));
    cr_assert_eq(cf_study_tell_json(s, 2, NULL, "bogus"), CF_ERR_INVALID);
    cr_assert(strstr(cf_study_last_error(s), "bogus") != NULL);
    cr_assert_null(cf_study_ask_json(s, 0, 1));
    char *t = cf_study_trials_json(s);
    cr_assert(strstr(t, "\"state\":\"pruned\"") != NULL, "%s", t);
    cf_free(t);
    cf_study_destroy(s);
    s = cf_study_open_c(path, eb, sizeof eb);
    cr_assert_not_null(s, "%s", eb);
    cf_study_destroy(s);
    cleanup(path);
}

/* Fills a study with the same 6 evaluated BraninCurrin points, then asks q points; returns the JSON text. */
static char *six_then_ask(const char *path, size_t q, unsigned long seed, int twice)
{
    cf_study *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_create(path, BC_SPACE, &s, &e), CF_OK, "%s", e.message);
    cJSON *tr = NULL;
    cr_assert_eq(cf_study_ask(s, 6, 11, &tr, &e), CF_OK, "%s", e.message);
    for (int i = 0; i < 6; i++) {
        cJSON *it = cJSON_GetArrayItem(tr, i);
        cJSON *v = bc_values(cJSON_GetObjectItem(it, "params"));
        cr_assert_eq(cf_study_tell(s, (long)cJSON_GetObjectItem(it, "id")->valuedouble, v, CF_TRIAL_COMPLETE, &e),
                     CF_OK);
        cJSON_Delete(v);
    }
    cJSON_Delete(tr);
    cr_assert_eq(cf_study_ask(s, q, seed, &tr, &e), CF_OK, "%s", e.message);
    char *txt = cJSON_PrintUnformatted(tr);
    cJSON_Delete(tr);
    if (twice) {
        cr_assert_eq(cf_study_ask(s, q, seed, &tr, &e), CF_OK, "%s", e.message);
        char *t2 = cJSON_PrintUnformatted(tr);
        cJSON_Delete(tr);
        size_t n = strlen(txt) + strlen(t2) + 2;
        char *both = malloc(n);
        snprintf(both, n, "%s|%s", txt, t2);
        free(txt);
        free(t2);
        txt = both;
    }
    cf_study_destroy(s);
    return txt;
}

Test(study, same_seed_same_suggestions)
{
    char p1[512], p2[512];
    tmp_path(p1, sizeof p1, "det1");
    tmp_path(p2, sizeof p2, "det2");
    char *a = six_then_ask(p1, 2, 3, 0), *b = six_then_ask(p2, 2, 3, 0);
    cr_assert_str_eq(a, b);
    cr_assert(strstr(a, "\"id\":7") && strstr(a, "\"id\":8"), "%s", a);
    free(a);
    free(b);
    cleanup(p1);
    cleanup(p2);
}

Test(study, pending_trials_are_accounted_for)
{
    char p[512];
    tmp_path(p, sizeof p, "pend");
    /* The same seed twice without tell: the second ask must see the first as pending and move elsewhere. */
    char *both = six_then_ask(p, 1, 3, 1);
    char *bar = strchr(both, '|');
    cr_assert_not_null(bar);
    *bar = '\0';
    cJSON *a = cJSON_Parse(both), *b = cJSON_Parse(bar + 1);
    cJSON *pa = cJSON_GetObjectItem(cJSON_GetArrayItem(a, 0), "params");
    cJSON *pb = cJSON_GetObjectItem(cJSON_GetArrayItem(b, 0), "params");
    double dx = cJSON_GetObjectItem(pa, "x0")->valuedouble - cJSON_GetObjectItem(pb, "x0")->valuedouble;
    double dy = cJSON_GetObjectItem(pa, "x1")->valuedouble - cJSON_GetObjectItem(pb, "x1")->valuedouble;
    cr_assert(sqrt(dx * dx + dy * dy) > 1e-3, "second ask repeated the pending point: %s | %s", both, bar + 1);
    cJSON_Delete(a);
    cJSON_Delete(b);
    free(both);
    cleanup(p);
}

/* A study with six complete BraninCurrin trials at the points of a seeded ask (added with cf_study_add). */
static cf_study *six_added(const char *path)
{
    cf_study *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_create(path, BC_SPACE, &s, &e), CF_OK, "%s", e.message);
    static const double pts[6][2] = {{0.1, 0.2}, {0.9, 0.1}, {0.5, 0.5}, {0.3, 0.8}, {0.7, 0.9}, {0.2, 0.6}};
    for (int i = 0; i < 6; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "x0", pts[i][0]);
        cJSON_AddNumberToObject(p, "x1", pts[i][1]);
        cJSON *v = bc_values(p);
        long id = 0;
        cr_assert_eq(cf_study_add(s, p, v, &id, &e), CF_OK, "%s", e.message);
        cr_assert_eq(id, i + 1);
        cJSON_Delete(p);
        cJSON_Delete(v);
    }
    return s;
}

Test(study, add_pending_is_accounted_for_and_told_later)
{
    char p1[512], p2[512];
    tmp_path(p1, sizeof p1, "addp1");
    tmp_path(p2, sizeof p2, "addp2");
    cf_error e;
    cf_error_clear(&e);
    /* The point a seeded ask proposes on the six trials ... */
    cf_study *a = six_added(p1);
    cJSON *ta = NULL;
    cr_assert_eq(cf_study_ask(a, 1, 5, &ta, &e), CF_OK, "%s", e.message);
    cJSON *pa = cJSON_GetObjectItem(cJSON_GetArrayItem(ta, 0), "params");
    /* ... recorded as pending in a second study with the same trials: the same seeded ask must move away. */
    cf_study *b = six_added(p2);
    long pid = 0;
    cr_assert_eq(cf_study_add_pending(b, pa, &pid, &e), CF_OK, "%s", e.message);
    cr_assert_eq(pid, 7);
    cJSON *tb = NULL;
    cr_assert_eq(cf_study_ask(b, 1, 5, &tb, &e), CF_OK, "%s", e.message);
    cJSON *pb = cJSON_GetObjectItem(cJSON_GetArrayItem(tb, 0), "params");
    cr_assert_eq((long)cJSON_GetObjectItem(cJSON_GetArrayItem(tb, 0), "id")->valuedouble, 8);
    double dx = cJSON_GetObjectItem(pa, "x0")->valuedouble - cJSON_GetObjectItem(pb, "x0")->valuedouble;
    double dy = cJSON_GetObjectItem(pa, "x1")->valuedouble - cJSON_GetObjectItem(pb, "x1")->valuedouble;
    cr_assert(sqrt(dx * dx + dy * dy) > 1e-3, "the ask repeated the added pending point");
    /* The added trial is pending with its params, and is told like any pending trial. */
    cJSON *all = NULL;
    cr_assert_eq(cf_study_trials(b, &all, &e), CF_OK, "%s", e.message);
    cJSON *t7 = cJSON_GetArrayItem(all, 6);
    cr_assert_str_eq(cJSON_GetObjectItem(t7, "state")->valuestring, "pending");
    cr_assert_float_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(t7, "params"), "x0")->valuedouble,
                       cJSON_GetObjectItem(pa, "x0")->valuedouble, 0.0);
    cJSON_Delete(all);
    cJSON *v = bc_values(pa);
    cr_assert_eq(cf_study_tell(b, 7, v, CF_TRIAL_COMPLETE, &e), CF_OK, "%s", e.message);
    cJSON_Delete(v);
    /* Params outside the space are refused with their path, and nothing is stored. */
    cJSON *bad = cJSON_Parse("{\"x0\": 2, \"x1\": 0.5}");
    cr_assert_eq(cf_study_add_pending(b, bad, NULL, &e), CF_ERR_INVALID);
    cr_assert_str_eq(e.field, "params.x0");
    cJSON_Delete(bad);
    cr_assert_eq(cf_study_trials(b, &all, &e), CF_OK, "%s", e.message);
    cr_assert_eq(cJSON_GetArraySize(all), 8);
    cJSON_Delete(all);
    cJSON_Delete(ta);
    cJSON_Delete(tb);
    cf_study_destroy(a);
    cf_study_destroy(b);
    cleanup(p1);
    cleanup(p2);
}

Test(study, branin_currin_beats_sobol, .timeout = 600)
{
    char p1[512], p2[512];
    tmp_path(p1, sizeof p1, "bc_ehvi");
    tmp_path(p2, sizeof p2, "bc_sobol");
    double hv_bo = run_bc(p1, CF_ACQ_AUTO, 30, 1), hv_sobol = run_bc(p2, CF_ACQ_SOBOL, 30, 1);
    cr_log_info("BraninCurrin 30 evaluations: EHVI %.4f, Sobol %.4f (max 59.3601)", hv_bo, hv_sobol);
    cr_assert(hv_bo > hv_sobol, "EHVI %.4f vs Sobol %.4f", hv_bo, hv_sobol);
    cr_assert(hv_bo > 55.0, "EHVI reached only %.4f", hv_bo);
    cr_assert(hv_bo <= 59.36011874867746 + 1e-9);
    cleanup(p1);
    cleanup(p2);
}

/* The mixed space (log float, int, categorical) with an outcome constraint: the model phase runs, every
 * suggestion is a valid parameter object, and the suggestions avoid the region the constraint GP knows to be
 * infeasible (x0 > 0.5 here). */
Test(study, mixed_space_with_constraint)
{
    static const char *space =
        "{\"params\": [{\"name\": \"x0\", \"type\": \"float\", \"low\": 0, \"high\": 1},"
        "  {\"name\": \"lr\", \"type\": \"float\", \"low\": 1e-5, \"high\": 1e-1, \"log\": true},"
        "  {\"name\": \"layers\", \"type\": \"int\", \"low\": 2, \"high\": 12},"
        "  {\"name\": \"precision\", \"type\": \"categorical\", \"choices\": [\"fp32\", \"bf16\", \"int8\"]}],"
        " \"objectives\": [{\"name\": \"f1\", \"direction\": \"minimize\", \"ref\": 18},"
        "  {\"name\": \"f2\", \"direction\": \"minimize\", \"ref\": 6}],"
        " \"constraints\": [{\"name\": \"accuracy\", \"op\": \">=\", \"value\": 0.9}]}";
    char path[512];
    tmp_path(path, sizeof path, "mixed");
    cf_study *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_create(path, space, &s, &e), CF_OK, "%s", e.message);
    cf_study_set_effort(s, 128, 2, 100, 1);
    int infeasible_asks = 0;
    for (int round = 0; round < 16; round++) {
        cJSON *tr = NULL;
        cr_assert_eq(cf_study_ask(s, 1, 42 + (unsigned long)round, &tr, &e), CF_OK, "%s", e.message);
        cJSON *it = cJSON_GetArrayItem(tr, 0), *p = cJSON_GetObjectItem(it, "params");
        double x[4];
        cr_assert_eq(cf_space_encode(cf_study_space(s), p, x, &e), CF_OK, "%s", e.message);
        double x0 = cJSON_GetObjectItem(p, "x0")->valuedouble, lr = cJSON_GetObjectItem(p, "lr")->valuedouble;
        double layers = cJSON_GetObjectItem(p, "layers")->valuedouble;
        const char *prec = cJSON_GetObjectItem(p, "precision")->valuestring;
        double pen = strcmp(prec, "int8") == 0 ? 0.0 : (strcmp(prec, "bf16") == 0 ? 1.0 : 2.0);
        cJSON *v = cJSON_CreateObject();
        cJSON_AddNumberToObject(v, "f1", 10.0 * x0 + layers / 2.0 + pen);
        cJSON_AddNumberToObject(v, "f2", 5.0 * (1.0 - x0) + fabs(log10(lr) + 3.0));
        cJSON_AddNumberToObject(v, "accuracy", 1.0 - 0.3 * x0);
        if (round >= 12 && x0 > 0.5) infeasible_asks++;
        cr_assert_eq(cf_study_tell(s, (long)cJSON_GetObjectItem(it, "id")->valuedouble, v, CF_TRIAL_COMPLETE, &e),
                     CF_OK, "%s", e.message);
        cJSON_Delete(v);
        cJSON_Delete(tr);
    }
    cr_assert_leq(infeasible_asks, 1, "%d of the last 4 suggestions were infeasible", infeasible_asks);
    cJSON *fr = NULL;
    cr_assert_eq(cf_study_front(s, &fr, &e), CF_OK);
    cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(fr, "front"))
        cr_assert_geq(cJSON_GetObjectItem(cJSON_GetObjectItem(item, "values"), "accuracy")->valuedouble, 0.9);
    cJSON_Delete(fr);
    cf_study_destroy(s);
    cleanup(path);
}

/* ---- Hypervolume improvement over the stored front, and the cost-aware mode ---- */

#include "costfront/pricing.h"

Test(study, hvi_over_the_stored_front)
{
    char path[512];
    tmp_path(path, sizeof path, "hvi");
    static const char *space =
        "{\"params\": [{\"name\": \"a\", \"type\": \"int\", \"low\": 0, \"high\": 9}],"
        " \"objectives\": [{\"name\": \"cost\"}, {\"name\": \"acc\", \"direction\": \"maximize\"}],"
        " \"constraints\": [{\"name\": \"mem\", \"op\": \"<=\", \"value\": 10}]}";
    cf_study *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_create(path, space, &s, &e), CF_OK, "%s", e.message);
    double hvi = -1.0;
    int feas = -1;
    cJSON *v = cJSON_Parse("{\"cost\": 1.5, \"acc\": 2.5, \"mem\": 1}");
    /* No trial and no "ref": nothing to measure against. */
    cr_assert_eq(cf_study_hvi(s, v, &hvi, &feas, &e), CF_ERR_EMPTY);
    static const char *vals[] = {"{\"cost\": 1, \"acc\": 1, \"mem\": 1}", "{\"cost\": 2, \"acc\": 2, \"mem\": 1}",
                                 "{\"cost\": 3, \"acc\": 3, \"mem\": 1}"};
    for (int i = 0; i < 3; i++) {
        char p[32];
        snprintf(p, sizeof p, "{\"a\": %d}", i);
        cJSON *pj = cJSON_Parse(p), *vj = cJSON_Parse(vals[i]);
        cr_assert_eq(cf_study_add(s, pj, vj, NULL, &e), CF_OK, "%s", e.message);
        cJSON_Delete(pj);
        cJSON_Delete(vj);
    }
    /* Front (1,-1) (2,-2) (3,-3) minimised, inferred ref (3.2,-0.8), HV 1.84; adding (1.5,-2.5) gives the staircase
     * 0.5 x 0.2 + 1.5 x 1.7 + 0.2 x 2.2 = 3.09, so the improvement is 1.25. */
    cr_assert_eq(cf_study_hvi(s, v, &hvi, &feas, &e), CF_OK, "%s", e.message);
    cr_assert_float_eq(hvi, 1.25, 1e-12);
    cr_assert_eq(feas, 1);
    cJSON_Delete(v);
    /* A dominated outcome improves nothing; an infeasible one neither, and says so. */
    v = cJSON_Parse("{\"cost\": 2.5, \"acc\": 1.5, \"mem\": 1}");
    cr_assert_eq(cf_study_hvi(s, v, &hvi, &feas, &e), CF_OK);
    cr_assert_float_eq(hvi, 0.0, 1e-15);
    cJSON_Delete(v);
    v = cJSON_Parse("{\"cost\": 0, \"acc\": 9, \"mem\": 11}");
    cr_assert_eq(cf_study_hvi(s, v, &hvi, &feas, &e), CF_OK);
    cr_assert_float_eq(hvi, 0.0, 1e-15);
    cr_assert_eq(feas, 0);
    cJSON_Delete(v);
    v = cJSON_Parse("{\"cost\": 1}");
    cr_assert_eq(cf_study_hvi(s, v, &hvi, &feas, &e), CF_ERR_INVALID);
    cJSON_Delete(v);
    cf_study_destroy(s);
    cleanup(path);
}

static const char *COST_SPACE =
    "{\"params\": [{\"name\": \"hardware\", \"type\": \"categorical\", \"choices\": [\"a100-80gb\", \"t4\", \"gh200\"]},"
    "  {\"name\": \"procurement\", \"type\": \"categorical\", \"choices\": [\"on_demand\", \"spot\"]},"
    "  {\"name\": \"lr\", \"type\": \"float\", \"low\": 1e-4, \"high\": 1e-1, \"log\": true}],"
    " \"objectives\": [{\"name\": \"accuracy\", \"direction\": \"maximize\"}, {\"name\": \"total_cost_usd\"}],"
    " \"constraints\": [{\"name\": \"co2e_kg\", \"op\": \"<=\", \"value\": 1000}]}";

/* A toy training run: faster hardware needs fewer GPU-hours, a good learning rate gives accuracy. */
static void toy_run(const cJSON *p, double *acc, double *gh)
{
    const char *hw = cJSON_GetObjectItem(p, "hardware")->valuestring;
    double lr = cJSON_GetObjectItem(p, "lr")->valuedouble, l = log10(lr) + 2.5;
    *acc = 0.95 - 0.04 * l * l - (strcmp(hw, "t4") == 0 ? 0.01 : 0.0);
    *gh = strcmp(hw, "t4") == 0 ? 40.0 : strcmp(hw, "gh200") == 0 ? 4.0 : 8.0;
}

Test(study, cost_aware_costs_come_from_the_catalog, .timeout = 300)
{
    char path[512];
    tmp_path(path, sizeof path, "cost");
    cf_study *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    /* Hardware outside the catalog is refused with the JSON path of the choice. */
    const char *bad = "{\"params\": [{\"name\": \"hardware\", \"type\": \"categorical\", \"choices\": [\"t4\", "
                      "\"rtx-9090\"]}], \"objectives\": [{\"name\": \"cost_usd\"}]}";
    cr_assert_eq(cf_study_create(path, bad, &s, &e), CF_ERR_INVALID);
    cr_assert_str_eq(e.field, "params[0].choices[1]");
    cleanup(path);
    cr_assert_eq(cf_study_create(path, COST_SPACE, &s, &e), CF_OK, "%s", e.message);
    cr_assert_eq(cf_study_cost_aware(s), 1);
    /* Costs are computed from gpu_hours: the price of 1 GPU-hour times 10, whatever the caller said. */
    cJSON *p = cJSON_Parse("{\"hardware\": \"a100-80gb\", \"procurement\": \"spot\", \"lr\": 0.003}");
    cJSON *v = cJSON_Parse("{\"accuracy\": 0.9, \"gpu_hours\": 10, \"total_cost_usd\": 1}");
    long id = 0;
    cr_assert_eq(cf_study_add(s, p, v, &id, &e), CF_OK, "%s", e.message);
    cf_catalog *cat = cf_catalog_create();
    cr_assert_eq(cf_catalog_load_default(cat, &e), CF_OK);
    cf_price one;
    cr_assert_eq(cf_price_hours(cat, "a100-80gb", NULL, NULL, 1.0, CF_PROC_SPOT, NULL, &one, &e), CF_OK);
    cr_assert_gt(one.total_cost_usd, 0.0);
    cJSON *all = NULL;
    cr_assert_eq(cf_study_trials(s, &all, &e), CF_OK);
    cJSON *sv = cJSON_GetObjectItem(cJSON_GetArrayItem(all, 0), "values");
    cr_assert_float_eq(cJSON_GetObjectItem(sv, "total_cost_usd")->valuedouble, 10.0 * one.total_cost_usd, 1e-9);
    cr_assert_float_eq(cJSON_GetObjectItem(sv, "cost_usd")->valuedouble, 10.0 * one.cost_usd, 1e-9);
    cr_assert_float_eq(cJSON_GetObjectItem(sv, "co2e_kg")->valuedouble, 10.0 * one.co2e_kg, 1e-9);
    cr_assert_float_eq(cJSON_GetObjectItem(sv, "gpu_hours")->valuedouble, 10.0, 0.0);
    cJSON_Delete(all);
    cJSON_Delete(v);
    /* Without gpu_hours the outcome is refused, naming the field. */
    v = cJSON_Parse("{\"accuracy\": 0.9}");
    cf_error_clear(&e);
    cr_assert_eq(cf_study_add(s, p, v, &id, &e), CF_ERR_INVALID);
    cr_assert_str_eq(e.field, "values.gpu_hours");
    cJSON_Delete(v);
    cJSON_Delete(p);
    /* Ask/tell with only accuracy and gpu_hours: every suggestion is priceable (the catalog has no spot offer for
     * gh200, so gh200 always comes with on_demand), and the model phase runs. */
    cf_study_set_effort(s, 128, 2, 80, 1);
    for (int round = 0; round < 14; round++) {
        cJSON *tr = NULL;
        cr_assert_eq(cf_study_ask(s, 1, 7 + (unsigned long)round, &tr, &e), CF_OK, "%s", e.message);
        cJSON *it = cJSON_GetArrayItem(tr, 0), *pp = cJSON_GetObjectItem(it, "params");
        const char *hw = cJSON_GetObjectItem(pp, "hardware")->valuestring;
        const char *pr = cJSON_GetObjectItem(pp, "procurement")->valuestring;
        cr_assert(strcmp(hw, "gh200") != 0 || strcmp(pr, "on_demand") == 0, "unpriceable suggestion %s/%s", hw, pr);
        double acc, gh;
        toy_run(pp, &acc, &gh);
        char vt[96];
        snprintf(vt, sizeof vt, "{\"accuracy\": %.6f, \"gpu_hours\": %.6f}", acc, gh);
        cJSON *vj = cJSON_Parse(vt);
        cr_assert_eq(cf_study_tell(s, (long)cJSON_GetObjectItem(it, "id")->valuedouble, vj, CF_TRIAL_COMPLETE, &e),
                     CF_OK, "%s", e.message);
        cJSON_Delete(vj);
        cJSON_Delete(tr);
    }
    cJSON *fr = NULL;
    cr_assert_eq(cf_study_front(s, &fr, &e), CF_OK);
    cr_assert_eq(cJSON_GetObjectItem(fr, "n_complete")->valueint, 15);
    cr_assert_gt(cJSON_GetObjectItem(fr, "hypervolume")->valuedouble, 0.0);
    cJSON_Delete(fr);
    cf_catalog_destroy(cat);
    cf_study_destroy(s);
    cleanup(path);
}
