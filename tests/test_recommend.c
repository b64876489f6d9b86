/* Tests of the plan recommendation (optimizer/recommend.c) on hand-built cases: a one-offer catalog at 2 USD per
 * GPU-hour, 1 kW per GPU at PUE 1 on a 500 g/kWh grid and no carbon price, so a run of h GPU-hours costs 2h USD
 * and emits 0.5h kg CO2e. Four runs:
 *   a: accuracy 0.90, 10 GPU-h -> 20 USD, 5 kg, wall 5 h
 *   b: accuracy 0.85,  4 GPU-h ->  8 USD, 2 kg, 2 GPUs -> 2 h
 *   c: accuracy 0.95, 30 GPU-h -> 60 USD, 15 kg, wall 30 h
 *   d: accuracy 0.80,  2 GPU-h ->  4 USD, 1 kg, time unknown -> 2 h assuming one GPU
 * Every expected choice, gap and saving below is worked out by hand from this table. */
#include <criterion/criterion.h>

#include <math.h>
#include <string.h>

#include "costfront/catalog.h"
#include "costfront/frontier.h"
#include "costfront/recommend.h"
#include "costfront/runset.h"

static cf_catalog *cat;
static cf_runset *rs;
static cf_frontier *fr;

static const char catalog_json[] =
    "{\"carbon_price_usd_per_t\": 0, \"carbon_price_source\": \"test\","
    " \"hardware\": [{\"id\": \"gx\", \"board_power_w\": 1000, \"embodied_kgco2e\": 0, \"life_years\": 5}],"
    " \"regions\": [{\"id\": \"r1\", \"grid_gco2e_per_kwh\": 500, \"pue\": 1.0}],"
    " \"offers\": [{\"provider\": \"p\", \"region\": \"r1\", \"hardware\": \"gx\", \"on_demand\": 2.0}]}";

static void add_run(long line, const char *id, const char *acc, const char *hours, const char *wall, const char *gpus)
{
    const char *names[] = {"run_id", "accuracy", "gpu_hours", "hardware", "precision", "wall_hours", "num_gpus"};
    const char *values[] = {id, acc, hours, "gx", "bf16", wall, gpus};
    cr_assert_eq(cf_runset_add_raw(rs, line, 7, names, values, NULL, NULL), CF_OK);
}

/* Builds the frontier over a..d, plus an optional predicted configuration e. */
static void build(int with_predicted)
{
    cf_error err;
    cf_error_clear(&err);
    cat = cf_catalog_create();
    cr_assert_eq(cf_catalog_load_string(cat, catalog_json, "test", &err), CF_OK, "%s", err.message);
    rs = cf_runset_create(cat, NULL);
    cr_assert_not_null(rs);
    cf_runset_begin_source(rs, "hand");
    add_run(1, "a", "0.90", "10", "5", NULL);
    add_run(2, "b", "0.85", "4", NULL, "2");
    add_run(3, "c", "0.95", "30", "30", NULL);
    add_run(4, "d", "0.80", "2", NULL, NULL);
    cr_assert_eq(cf_runset_end_source(rs, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 4, "rejected: %zu", cf_runset_rejected(rs));
    cf_frontier_opts fo;
    cf_frontier_opts_default(&fo);
    fo.procurements = 1u << CF_PROC_ON_DEMAND;
    fr = cf_frontier_create(rs, cat, &fo);
    cr_assert_not_null(fr);
    if (with_predicted) {
        /* e: predicted accuracy 0.96 (0.86 .. 0.99), 10 USD (6 .. 30), 2.5 kg, wall 3 h. */
        cf_candidate e;
        memset(&e, 0, sizeof e);
        e.run_id = "e";
        e.hardware = "gx";
        e.precision = CF_PREC_FP8;
        e.accuracy = 0.96;
        e.accuracy_lo = 0.86;
        e.accuracy_hi = 0.99;
        e.gpu_hours = 5;
        e.wall_hours = 3;
        e.price.option = CF_PROC_ON_DEMAND;
        e.price.price_per_hour = 2;
        e.price.cost_usd = 10;
        e.price.total_cost_usd = 10;
        e.price.co2e_kg = 2.5;
        e.cost_lo = 6;
        e.cost_hi = 30;
        cr_assert_eq(cf_frontier_add_candidate(fr, &e), CF_OK);
    }
    cr_assert_eq(cf_frontier_compute(fr, &err), CF_OK, "%s", err.message);
}

static void teardown(void)
{
    cf_frontier_destroy(fr);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
    fr = NULL;
    rs = NULL;
    cat = NULL;
}

static void setup_plain(void) { build(0); }
static void setup_pred(void) { build(1); }

static const char *id_of(size_t i)
{
    cr_assert_neq(i, (size_t)-1, "no candidate");
    return cf_frontier_candidate(fr, i)->run_id;
}

static cf_recommendation run(double acc, double budget, double co2, double deadline)
{
    cf_recommend_opts o;
    cf_recommend_opts_default(&o);
    o.min_accuracy = acc;
    o.budget_usd = budget;
    o.max_co2e_kg = co2;
    o.deadline_hours = deadline;
    cf_recommendation r;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_recommend(fr, rs, &o, &r, &err), CF_OK, "%s", err.message);
    return r;
}

TestSuite(recommend, .init = setup_plain, .fini = teardown);

Test(recommend, time_is_wall_hours_else_gpu_hours_over_gpus)
{
    int assumed = 0;
    for (size_t i = 0; i < cf_frontier_candidate_count(fr); i++) {
        const cf_candidate *c = cf_frontier_candidate(fr, i);
        assumed = 0;
        double t = cf_candidate_time_hours(c, rs, &assumed);
        if (!strcmp(c->run_id, "a")) cr_assert_float_eq(t, 5.0, 1e-12);
        if (!strcmp(c->run_id, "b")) cr_assert_float_eq(t, 2.0, 1e-12);
        if (!strcmp(c->run_id, "d")) {
            cr_assert_float_eq(t, 2.0, 1e-12);
            cr_assert_eq(assumed, 1);
        } else
            cr_assert_eq(assumed, 0);
    }
}

Test(recommend, no_constraint_picks_the_cheapest_and_the_most_accurate_baseline)
{
    cf_recommendation r = run(NAN, NAN, NAN, NAN);
    cr_assert_eq(r.feasible, 1);
    cr_assert_str_eq(id_of(r.choice), "d");
    cr_assert_eq(r.n_feasible, 4);
    cr_assert_str_eq(id_of(r.baseline), "c");
    cr_assert_eq(r.baseline_named, 0);
    cr_assert_float_eq(r.savings_usd, 56.0, 1e-9);
    cr_assert_float_eq(r.savings_fraction, 56.0 / 60.0, 1e-12);
    cr_assert_float_eq(r.co2e_savings_kg, 14.0, 1e-9);
    cr_assert_eq(r.time_assumed, 1);
    cr_assert(r.n_reasons >= 2);
    cr_assert(strstr(r.reasons[0], "run d") != NULL, "%s", r.reasons[0]);
}

Test(recommend, feasible_choice_is_the_cheapest_meeting_every_constraint)
{
    cf_recommendation r = run(0.88, NAN, NAN, NAN);
    cr_assert_eq(r.feasible, 1);
    cr_assert_str_eq(id_of(r.choice), "a");
    cr_assert_eq(r.n_feasible, 2);
    cr_assert_float_eq(r.savings_usd, 40.0, 1e-9);
    cr_assert_float_eq(r.time_hours, 5.0, 1e-12);
    /* Budget and carbon caps that a and c both meet, a deadline only c misses. */
    r = run(0.88, 100, 20, 6);
    cr_assert_str_eq(id_of(r.choice), "a");
    cr_assert_eq(r.n_feasible, 1);
    /* Tightest constraint: the deadline (1 h of 6 left, 17%) against accuracy (0.02 of 0.88, 2.3%). */
    int found = 0;
    for (size_t k = 0; k < r.n_reasons; k++) found |= strstr(r.reasons[k], "tightest constraint is min-accuracy") != 0;
    cr_assert(found);
}

Test(recommend, infeasible_names_accuracy_when_it_is_the_smallest_relaxation)
{
    /* Relax accuracy alone: b (0.85) fits the 15 USD budget -> gap 0.03 (3.4% of 0.88). Relax budget alone: a at
     * 20 USD -> gap 5 (33% of 15). Accuracy binds. */
    cf_recommendation r = run(0.88, 15, NAN, NAN);
    cr_assert_eq(r.feasible, 0);
    cr_assert_eq(r.choice, (size_t)-1);
    cr_assert_eq(r.binding, CF_CON_ACCURACY);
    cr_assert_eq(r.single_relaxation, 1);
    cr_assert_float_eq(r.gap, 0.03, 1e-12);
    cr_assert_float_eq(r.relaxed_limit, 0.85, 1e-12);
    cr_assert_str_eq(id_of(r.closest), "b");
    cr_assert(strstr(r.reasons[1], "binding constraint is min-accuracy") != NULL, "%s", r.reasons[1]);
    cr_assert(isnan(r.savings_usd));
}

Test(recommend, infeasible_names_the_budget_when_it_is_closer)
{
    /* Budget 19.5: relaxing it by 0.5 (2.6%) admits a; relaxing accuracy needs 0.03 (3.4%). */
    cf_recommendation r = run(0.88, 19.5, NAN, NAN);
    cr_assert_eq(r.feasible, 0);
    cr_assert_eq(r.binding, CF_CON_BUDGET);
    cr_assert_float_eq(r.gap, 0.5, 1e-9);
    cr_assert_float_eq(r.relaxed_limit, 20.0, 1e-9);
    cr_assert_str_eq(id_of(r.closest), "a");
    cr_assert_float_eq(r.gaps[CF_CON_BUDGET], 0.5, 1e-9);
    cr_assert_float_eq(r.gaps[CF_CON_ACCURACY], 0.0, 1e-12);
}

Test(recommend, infeasible_deadline_gap)
{
    /* Deadline 4.9 h with accuracy 0.88: a needs 5 h -> gap 0.1 h (2%), accuracy would need 0.03 (3.4%). */
    cf_recommendation r = run(0.88, NAN, NAN, 4.9);
    cr_assert_eq(r.binding, CF_CON_DEADLINE);
    cr_assert_float_eq(r.gap, 0.1, 1e-9);
    cr_assert_str_eq(id_of(r.closest), "a");
}

Test(recommend, infeasible_with_no_single_relaxation_reports_the_closest)
{
    /* Every single relaxation fails. Worst relative shortfalls: a 4 (deadline), b 1 (deadline), c 5 (budget),
     * d 1 (deadline): b and d tie, d is cheaper. d misses accuracy by 0.13 and the deadline by 1 h. */
    cf_recommendation r = run(0.93, 10, 3, 1);
    cr_assert_eq(r.feasible, 0);
    cr_assert_eq(r.single_relaxation, 0);
    cr_assert_str_eq(id_of(r.closest), "d");
    cr_assert_eq(r.binding, CF_CON_DEADLINE);
    cr_assert_float_eq(r.gap, 1.0, 1e-9);
    cr_assert_float_eq(r.gaps[CF_CON_ACCURACY], 0.13, 1e-9);
    cr_assert_float_eq(r.gaps[CF_CON_BUDGET], 0.0, 1e-12);
    cr_assert_float_eq(r.gaps[CF_CON_CO2E], 0.0, 1e-12);
}

Test(recommend, accuracy_above_every_run)
{
    cf_recommendation r = run(0.99, NAN, NAN, NAN);
    cr_assert_eq(r.binding, CF_CON_ACCURACY);
    cr_assert_float_eq(r.gap, 0.04, 1e-9);
    cr_assert_str_eq(id_of(r.closest), "c");
}

Test(recommend, named_baseline)
{
    cf_recommend_opts o;
    cf_recommend_opts_default(&o);
    o.baseline_run_id = "b";
    cf_recommendation r;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_recommend(fr, rs, &o, &r, &err), CF_OK);
    cr_assert_str_eq(id_of(r.baseline), "b");
    cr_assert_eq(r.baseline_named, 1);
    cr_assert_float_eq(r.savings_usd, 4.0, 1e-9);
    o.baseline_run_id = "zz";
    cr_assert_eq(cf_recommend(fr, rs, &o, &r, &err), CF_ERR_NOT_FOUND);
    cr_assert_str_eq(err.field, "baseline");
    cr_assert(strstr(err.message, "'zz'") != NULL);
}

Test(recommend, constraint_names)
{
    cr_assert_str_eq(cf_constraint_name(CF_CON_ACCURACY), "min-accuracy");
    cr_assert_str_eq(cf_constraint_name(CF_CON_BUDGET), "budget");
    cr_assert_str_eq(cf_constraint_name(CF_CON_CO2E), "max-co2e");
    cr_assert_str_eq(cf_constraint_name(CF_CON_DEADLINE), "deadline-hours");
    cr_assert_str_eq(cf_constraint_name(CF_CON_NONE), "none");
}

Test(recommend_predicted, point_predictions_unless_conservative, .init = setup_pred, .fini = teardown)
{
    /* At accuracy >= 0.9 the predicted e (0.96, 10 USD) beats a (20 USD)... */
    cf_recommendation r = run(0.9, NAN, NAN, NAN);
    cr_assert_str_eq(id_of(r.choice), "e");
    cr_assert(cf_frontier_candidate(fr, r.choice)->predicted);
    /* ...the baseline stays an observed run... */
    cr_assert_str_eq(id_of(r.baseline), "c");
    int said = 0;
    for (size_t k = 0; k < r.n_reasons; k++) said |= strstr(r.reasons[k], "never run") != NULL;
    cr_assert(said);
    /* ...but not when judged by its lower bound 0.86, nor when predictions are excluded. */
    cf_recommend_opts o;
    cf_recommend_opts_default(&o);
    o.min_accuracy = 0.9;
    o.conservative = 1;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_recommend(fr, rs, &o, &r, &err), CF_OK);
    cr_assert_str_eq(id_of(r.choice), "a");
    o.conservative = 0;
    o.use_predicted = 0;
    cr_assert_eq(cf_recommend(fr, rs, &o, &r, &err), CF_OK);
    cr_assert_str_eq(id_of(r.choice), "a");
    cr_assert_eq(r.n_considered, 4);
}

Test(recommend_empty, empty_frontier_is_an_error)
{
    cf_frontier *f = cf_frontier_create(NULL, NULL, NULL);
    cf_recommendation r;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_recommend(f, NULL, NULL, &r, &err), CF_ERR_EMPTY);
    cr_assert_eq(cf_recommend(NULL, NULL, NULL, &r, &err), CF_ERR_ARG);
    cf_frontier_destroy(f);
}
