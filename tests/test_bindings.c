/* Tests of the JSON bindings (reports/bindings.c) that the Python package calls: known answers on the bundled
 * examples, the error record of bad requests and bad input, and the study calls (run under ASan with the suite). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "costfront/bindings.h"

static char *req_paths(const char *file, const char *extra)
{
    static char buf[2048];
    snprintf(buf, sizeof buf, "{\"paths\": [\"%s/examples/%s\"]%s%s}", CF_SOURCE_DIR, file, extra ? ", " : "",
             extra ? extra : "");
    return buf;
}

Test(bindings, read_runs_counts_and_fields)
{
    char *out = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_bind_read_runs(req_paths("runs.csv", NULL), &out, &e), CF_OK, "%s", e.message);
    cJSON *doc = cJSON_Parse(out);
    cJSON *counts = cJSON_GetObjectItem(doc, "counts");
    cr_assert_eq(cJSON_GetObjectItem(counts, "accepted")->valueint, 144);
    cJSON *r0 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "runs"), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(r0, "run_id")->valuestring, "r001");
    cr_assert_float_eq(cJSON_GetObjectItem(r0, "accuracy")->valuedouble, 0.8349, 0.0);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(r0, "wall_hours")));
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(r0, "params"), "optimizer")->valuestring, "adamw");
    cJSON_Delete(doc);
    free(out);
    /* Rejected records are listed, not failures. */
    cr_assert_eq(cf_bind_read_runs(req_paths("runs_bad.csv", NULL), &out, &e), CF_OK, "%s", e.message);
    doc = cJSON_Parse(out);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "rejects")), 8);
    cJSON_Delete(doc);
    free(out);
}

Test(bindings, frontier_known_answers_and_refusals)
{
    char *out = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_bind_frontier(req_paths("runs.csv", NULL), &out, &e), CF_OK, "%s", e.message);
    cJSON *doc = cJSON_Parse(out);
    cr_assert_float_eq(cJSON_GetObjectItem(doc, "hypervolume")->valuedouble, 1324.088214, 1e-6);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "knee"), "run_id")->valuestring, "r068");
    cJSON_Delete(doc);
    free(out);
    /* Rejected records refuse the input with the first one's place, unless keep_going. */
    cr_assert_eq(cf_bind_frontier(req_paths("runs_bad.csv", NULL), &out, &e), CF_ERR_INVALID);
    cr_assert_null(out);
    cr_assert_eq(e.line, 10);
    cr_assert_str_eq(e.field, "run_id");
    cr_assert(strstr(e.message, "8 bad records") != NULL, "%s", e.message);
    cr_assert_eq(cf_bind_frontier(req_paths("runs_bad.csv", "\"keep_going\": true"), &out, &e), CF_OK, "%s", e.message);
    free(out);
    /* Bad options name their member. */
    cf_error_clear(&e);
    cr_assert_eq(cf_bind_frontier(req_paths("runs.csv", "\"procurement\": [\"spot\", 3]"), &out, &e), CF_ERR_INVALID);
    cr_assert_str_eq(e.field, "procurement");
    cr_assert_eq(cf_bind_frontier(req_paths("runs.csv", "\"procurement\": \"spot,layaway\""), &out, &e),
                 CF_ERR_INVALID);
    cr_assert(strstr(e.message, "layaway") != NULL);
    cr_assert_eq(cf_bind_frontier(req_paths("runs.csv", "\"reference\": [1]"), &out, &e), CF_ERR_INVALID);
    cr_assert_str_eq(e.field, "reference");
    cr_assert_eq(cf_bind_frontier(req_paths("runs.csv", "\"format\": \"xml\""), &out, &e), CF_ERR_INVALID);
    cr_assert_str_eq(e.field, "format");
    cr_assert_eq(cf_bind_frontier("[1, 2]", &out, &e), CF_ERR_PARSE);
    cr_assert_eq(cf_bind_frontier("{\"paths\": [7]}", &out, &e), CF_ERR_INVALID);
    cr_assert_str_eq(e.field, "paths[0]");
    cr_assert_eq(cf_bind_frontier("{}", &out, &e), CF_ERR_ARG);
    cr_assert_eq(cf_bind_frontier("{\"paths\": [\"/nonexistent/runs.csv\"]}", &out, &e), CF_ERR_IO);
    cr_assert_str_eq(e.source, "/nonexistent/runs.csv");
    cr_assert_null(out);
}

Test(bindings, predict_and_tco)
{
    char *out = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_bind_predict(req_paths("runs.csv", "\"configs\": [{\"model\": \"resnet50\", \"hardware\": \"l4\"}],"
                                                       " \"procurement\": [\"spot\"]"),
                                 &out, &e),
                 CF_OK, "%s", e.message);
    cJSON *doc = cJSON_Parse(out);
    cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "predictions"), 0);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(p, "costs")), 1);
    double acc = cJSON_GetObjectItem(cJSON_GetObjectItem(p, "accuracy"), "mean")->valuedouble;
    cr_assert(acc > 0.5 && acc < 0.9, "%g", acc);
    cJSON_Delete(doc);
    free(out);
    cr_assert_eq(cf_bind_predict(req_paths("runs.csv", "\"configs\": [{\"hardware\": \"rtx-9090\"}]"), &out, &e),
                 CF_ERR_INVALID);
    cr_assert_str_eq(e.source, "configs[0]");
    char req[1024];
    snprintf(req, sizeof req, "{\"plan\": \"%s/examples/plans/lab-steady-training.json\"}", CF_SOURCE_DIR);
    cr_assert_eq(cf_bind_tco(req, &out, &e), CF_OK, "%s", e.message);
    doc = cJSON_Parse(out);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "cheapest"), "npv")->valuestring, "on_prem");
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "options")), 6);
    cJSON_Delete(doc);
    free(out);
    snprintf(req, sizeof req, "{\"plan\": \"%s/examples/plans/lab-steady-training.json\", \"set\": {\"nope\": 1}}",
             CF_SOURCE_DIR);
    cr_assert_neq(cf_bind_tco(req, &out, &e), CF_OK);
    cr_assert_null(out);
}

Test(bindings, study_calls)
{
    char path[512];
    snprintf(path, sizeof path, "%s/test_bindings_%ld.db", CF_BINARY_DIR, (long)getpid());
    remove(path);
    cf_error e;
    cf_error_clear(&e);
    cf_study *s = NULL;
    const char *space = "{\"params\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, \"high\": 1}],"
                        " \"objectives\": [{\"name\": \"f\"}, {\"name\": \"g\"}]}";
    cr_assert_eq(cf_bind_study_create(path, space, NULL, NULL, 0, &s, &e), CF_OK, "%s", e.message);
    char *out = NULL;
    cr_assert_eq(cf_bind_study_ask(s, 2, 1, &out, &e), CF_OK, "%s", e.message);
    cJSON *tr = cJSON_Parse(out);
    free(out);
    cr_assert_eq(cJSON_GetArraySize(tr), 2);
    cr_assert_eq(cf_bind_study_tell(s, 1, "{\"f\": 1, \"g\": 2}", NULL, &e), CF_OK, "%s", e.message);
    cr_assert_eq(cf_bind_study_tell(s, 2, NULL, "failed", &e), CF_OK, "%s", e.message);
    cr_assert_eq(cf_bind_study_tell(s, 2, NULL, "pending", &e), CF_ERR_INVALID);
    cr_assert_str_eq(e.field, "state");
    cr_assert_eq(cf_bind_study_tell(s, 1, "{\"f\": ", NULL, &e), CF_ERR_PARSE);
    cr_assert_str_eq(e.field, "values");
    long id = 0;
    cr_assert_eq(cf_bind_study_add(s, "{\"x\": 0.5}", "{\"f\": 0.5, \"g\": 0.5}", &id, &e), CF_OK, "%s", e.message);
    cr_assert_eq(id, 3);
    cr_assert_eq(cf_bind_study_add(s, "{\"x\": 0.25}", NULL, &id, &e), CF_OK, "%s", e.message);
    cr_assert_eq(id, 4);
    cr_assert_eq(cf_bind_study_add(s, "{\"x\": 3}", NULL, &id, &e), CF_ERR_INVALID);
    cr_assert_str_eq(e.field, "params.x");
    cr_assert_eq(cf_bind_study_trials(s, &out, &e), CF_OK, "%s", e.message);
    cJSON *all = cJSON_Parse(out);
    free(out);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(all, 3), "state")->valuestring, "pending");
    cr_assert_eq(cf_bind_study_front(s, &out, &e), CF_OK, "%s", e.message);
    cJSON *fr = cJSON_Parse(out);
    free(out);
    /* (0.5, 0.5) dominates (1, 2): one front trial, trial 3. */
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(fr, "front")), 1);
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(fr, "front"), 0), "id")->valueint, 3);
    cJSON_Delete(tr);
    cJSON_Delete(all);
    cJSON_Delete(fr);
    cf_study_destroy(s);
    char aux[600];
    remove(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    remove(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    remove(aux);
}
