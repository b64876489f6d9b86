/* Tests for optimizer/space.c: the issue's JSON shape, JSON-path errors, and the unit-cube encoding. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/space.h"

static const char *SPACE =
    "{\"params\": [{\"name\": \"x0\", \"type\": \"float\", \"low\": 0, \"high\": 1},"
    "  {\"name\": \"lr\", \"type\": \"float\", \"low\": 1e-5, \"high\": 1e-1, \"log\": true},"
    "  {\"name\": \"layers\", \"type\": \"int\", \"low\": 2, \"high\": 12},"
    "  {\"name\": \"precision\", \"type\": \"categorical\", \"choices\": [\"fp32\", \"bf16\", \"int8\"]}],"
    " \"objectives\": [{\"name\": \"f1\", \"direction\": \"minimize\", \"ref\": 18},"
    "  {\"name\": \"f2\", \"direction\": \"maximize\", \"ref\": 6}],"
    " \"constraints\": [{\"name\": \"accuracy\", \"op\": \">=\", \"value\": 0.9}]}";

Test(space, parses_issue_shape)
{
    cf_space *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_space_parse(SPACE, &s, &e), CF_OK, "%s", e.message);
    cr_assert_eq(cf_space_n_params(s), 4);
    cr_assert_eq(cf_space_param_type(s, 2), CF_SPACE_INT);
    cr_assert_eq(cf_space_param_log(s, 1), 1);
    cr_assert_eq(cf_space_param_n_choices(s, 3), 3);
    cr_assert_eq(cf_space_n_combinations(s), 3);
    int kinds[4];
    cf_space_gp_kinds(s, kinds);
    cr_assert(kinds[0] == 0 && kinds[1] == 0 && kinds[2] == 0 && kinds[3] == 3);
    cr_assert_eq(cf_space_n_objectives(s), 2);
    cr_assert_eq(cf_space_objective_maximize(s, 1), 1);
    double ref[2];
    cr_assert_eq(cf_space_ref_min(s, ref), 1);
    cr_assert_float_eq(ref[0], 18.0, 0);
    cr_assert_float_eq(ref[1], -6.0, 0); /* maximised: negated */
    cr_assert_eq(cf_space_n_constraints(s), 1);
    cr_assert_str_eq(cf_space_constraint_name(s, 0), "accuracy");
    cr_assert_eq(cf_space_constraint_op(s, 0), CF_CONSTRAINT_GE);
    /* The canonical JSON round-trips. */
    char *txt = cf_space_to_json(s);
    cf_space *s2 = NULL;
    cr_assert_eq(cf_space_parse(txt, &s2, NULL), CF_OK);
    char *txt2 = cf_space_to_json(s2);
    cr_assert_str_eq(txt, txt2);
    free(txt);
    free(txt2);
    cf_space_destroy(s2);
    cf_space_destroy(s);
    cf_space_destroy(NULL);
}

Test(space, encode_decode)
{
    cf_space *s = NULL;
    cr_assert_eq(cf_space_parse(SPACE, &s, NULL), CF_OK);
    cJSON *p = cJSON_Parse("{\"x0\": 0.25, \"lr\": 0.001, \"layers\": 7, \"precision\": \"int8\"}");
    double x[4];
    cr_assert_eq(cf_space_encode(s, p, x, NULL), CF_OK);
    cr_assert_float_eq(x[0], 0.25, 1e-15);
    cr_assert_float_eq(x[1], 0.5, 1e-12); /* log10: -3 is halfway between -5 and -1 */
    cr_assert_float_eq(x[2], 0.5, 1e-15); /* (7 - 2) / 10 */
    cr_assert_float_eq(x[3], 2.0, 0);
    cJSON *back = NULL;
    cr_assert_eq(cf_space_decode(s, x, &back, NULL), CF_OK);
    cr_assert_float_eq(cJSON_GetObjectItem(back, "lr")->valuedouble, 0.001, 1e-15);
    cr_assert_float_eq(cJSON_GetObjectItem(back, "layers")->valuedouble, 7, 0);
    cr_assert_str_eq(cJSON_GetObjectItem(back, "precision")->valuestring, "int8");
    cJSON_Delete(back);
    /* Ints are rounded, out-of-range values clamped, indices rounded. */
    double y[4] = {1.7, -0.2, 0.56, 0.6};
    cr_assert_eq(cf_space_decode(s, y, &back, NULL), CF_OK);
    cr_assert_float_eq(cJSON_GetObjectItem(back, "x0")->valuedouble, 1.0, 0);
    cr_assert_float_eq(cJSON_GetObjectItem(back, "lr")->valuedouble, 1e-5, 1e-20);
    cr_assert_float_eq(cJSON_GetObjectItem(back, "layers")->valuedouble, 8, 0); /* 2 + 5.6 -> 8 */
    cr_assert_str_eq(cJSON_GetObjectItem(back, "precision")->valuestring, "bf16");
    cJSON_Delete(back);
    cJSON_Delete(p);
    /* Encoding errors name the parameter. */
    cf_error e;
    const char *bad[][2] = {
        {"{\"x0\": 2, \"lr\": 0.001, \"layers\": 7, \"precision\": \"int8\"}", "params.x0"},
        {"{\"x0\": 0, \"lr\": 0.001, \"layers\": 7.5, \"precision\": \"int8\"}", "params.layers"},
        {"{\"x0\": 0, \"lr\": 0.001, \"layers\": 7, \"precision\": \"fp8\"}", "params.precision"},
        {"{\"x0\": 0, \"layers\": 7, \"precision\": \"fp32\"}", "params.lr"},
        {"{\"x0\": 0, \"lr\": 0.01, \"layers\": 7, \"precision\": \"fp32\", \"z\": 1}", "params.z"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *b = cJSON_Parse(bad[i][0]);
        cf_error_clear(&e);
        cr_assert_eq(cf_space_encode(s, b, x, &e), CF_ERR_INVALID, "case %zu", i);
        cr_assert_str_eq(e.field, bad[i][1]);
        cJSON_Delete(b);
    }
    cf_space_destroy(s);
}

Test(space, values_and_feasibility)
{
    cf_space *s = NULL;
    cr_assert_eq(cf_space_parse(SPACE, &s, NULL), CF_OK);
    cJSON *v = cJSON_Parse("{\"f1\": 3, \"f2\": 2, \"accuracy\": 0.85}");
    double y[2], c[1];
    cr_assert_eq(cf_space_read_values(s, v, y, c, NULL), CF_OK);
    cr_assert_float_eq(y[0], 3, 0);
    cr_assert_float_eq(y[1], -2, 0);
    cr_assert_eq(cf_space_feasible(s, c), 0);
    c[0] = 0.9;
    cr_assert_eq(cf_space_feasible(s, c), 1);
    cJSON_Delete(v);
    cf_error e;
    cf_error_clear(&e);
    v = cJSON_Parse("{\"f1\": 3, \"accuracy\": 0.85}");
    cr_assert_eq(cf_space_read_values(s, v, y, c, &e), CF_ERR_INVALID);
    cr_assert_str_eq(e.field, "values.f2");
    cJSON_Delete(v);
    cf_space_destroy(s);
}

Test(space, errors_name_the_json_path)
{
    static const char *cases[][2] = {
        {"{\"params\": [], \"objectives\": [{\"name\": \"a\"}]}", "params"},
        {"{\"params\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 1, \"high\": 0}], \"objectives\": "
         "[{\"name\": \"a\"}]}",
         "params[0].high"},
        {"{\"params\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, \"high\": 1}, {\"name\": \"y\", "
         "\"type\": \"float\", \"low\": 0, \"high\": 1, \"log\": true}], \"objectives\": [{\"name\": \"a\"}]}",
         "params[1].low"},
        {"{\"params\": [{\"name\": \"x\", \"type\": \"bool\"}], \"objectives\": [{\"name\": \"a\"}]}",
         "params[0].type"},
        {"{\"params\": [{\"name\": \"x\", \"type\": \"categorical\", \"choices\": [\"a\", \"a\"]}], "
         "\"objectives\": [{\"name\": \"a\"}]}",
         "params[0].choices[1]"},
        {"{\"params\": [{\"name\": \"x\", \"type\": \"int\", \"low\": 0, \"high\": 1}], \"objectives\": "
         "[{\"name\": \"a\", \"direction\": \"up\"}]}",
         "objectives[0].direction"},
        {"{\"params\": [{\"name\": \"x\", \"type\": \"int\", \"low\": 0, \"high\": 1}], \"objectives\": "
         "[{\"name\": \"a\"}], \"constraints\": [{\"name\": \"c\", \"op\": \"==\", \"value\": 1}]}",
         "constraints[0].op"},
        {"{\"params\": [{\"name\": \"x\", \"type\": \"int\", \"low\": 0, \"high\": 1}], \"objectives\": "
         "[{\"name\": \"a\"}], \"constraints\": [{\"name\": \"a\", \"op\": \">=\", \"value\": 1}]}",
         "constraints[0].name"},
        {"{\"params\": [{\"name\": \"x\", \"type\": \"int\", \"low\": 0, \"high\": 1}], \"objectives\": "
         "[{\"name\": \"a\", \"ref\": \"big\"}]}",
         "objectives[0].ref"},
        /* QA2: unknown keys (typos) were ignored silently. */
        {"{\"params\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 1e-3, \"high\": 1, \"lgo\": true}], "
         "\"objectives\": [{\"name\": \"a\"}]}",
         "params[0].lgo"},
        {"{\"params\": [{\"name\": \"x\", \"type\": \"int\", \"low\": 0, \"high\": 1}], \"objectives\": "
         "[{\"name\": \"a\", \"dir\": \"max\"}]}",
         "objectives[0].dir"},
        {"{\"params\": [{\"name\": \"x\", \"type\": \"int\", \"low\": 0, \"high\": 1}], \"objectives\": "
         "[{\"name\": \"a\"}], \"constraints\": [{\"name\": \"c\", \"op\": \">=\", \"value\": 1, \"x\": 2}]}",
         "constraints[0].x"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cf_space *s = NULL;
        cf_error e;
        cf_error_clear(&e);
        cr_assert_eq(cf_space_parse(cases[i][0], &s, &e), CF_ERR_INVALID, "case %zu: %s", i, e.message);
        cr_assert_str_eq(e.field, cases[i][1], "case %zu", i);
        cr_assert_null(s);
    }
    cf_space *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_space_parse("{\"params\": [", &s, &e), CF_ERR_PARSE);
    /* QA2: the byte offset was reported as the line; trailing text was accepted. */
    cr_assert_eq(e.line, 1);
    cr_assert_eq(e.column, 13, "column %ld", (long)e.column);
    cr_assert_eq(cf_space_parse("{\"params\": [{\"name\": \"x\", \"type\": \"int\", \"low\": 0, \"high\": 1}],\n"
                                "\"objectives\": [{\"name\": \"a\"}]} junk",
                                &s, &e),
                 CF_ERR_PARSE);
    cr_assert_eq(e.line, 2);
    cr_assert_null(s);
}
