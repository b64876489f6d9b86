/* Tests of the procurement / TCO model (models/tco.c) against REFERENCE-costs.md's worked examples (the 8x H100
 * server-month, its cost per GPU-hour and breakeven utilisations in both conventions, the p4d reservation
 * breakevens, the spot overhead), hand-computed discounting, brute-force optima of the hybrid baseline and the
 * reservation level, an analytic Monte Carlo mean, seeded determinism and validation messages. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/catalog.h"
#include "costfront/tco.h"

/* The issue's plan, with the three cloud prices of REFERENCE's breakeven example and no spot price. */
#define ONPREM_REF                                                                                                     \
    "\"on_prem\": {\"server_capex_usd\": 300000, \"gpus_per_server\": 8, \"life_months\": 60,"                         \
    " \"residual_fraction\": 0.0, \"server_power_kw\": 10.2, \"pue\": 1.56, \"electricity_usd_per_kwh\": 0.0806,"      \
    " \"colocation_usd_per_kw_month\": 184.06, \"ops_usd_per_server_month\": 250}"

static const char *k_issue_plan =
    "{\"horizon_months\": 60, \"demand_gpu_hours_per_month\": 4380, \"hardware\": \"h100\", \"region\": \"us-east-1\","
    " \"discount_rate_annual\": 0.0, " ONPREM_REF ","
    " \"cloud\": {\"on_demand\": 12.29, \"reserved_1y\": 7.6, \"reserved_3y\": 4.7, \"spot\": 2.46,"
    " \"spot_interruptions_per_hour\": 0.05, \"checkpoint_minutes\": 2, \"restart_minutes\": 10}}";

/* A minimal on-prem block, so validation reaches the fields after it. */
#define OP1 "\"on_prem\": {\"server_capex_usd\": 1, \"server_power_kw\": 1}, "

static cf_plan *load(const char *json, const cf_catalog *cat)
{
    cf_plan *p = cf_plan_create();
    cr_assert_not_null(p);
    cf_error err;
    cf_error_clear(&err);
    char buf[800];
    cr_assert_eq(cf_plan_load_string(p, json, "test", cat, &err), CF_OK, "%s", cf_error_format(&err, buf, sizeof buf));
    return p;
}

static cf_tco_result *eval(const cf_plan *p, const cf_catalog *cat)
{
    cf_tco_result *r = NULL;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_tco_evaluate(p, cat, &r, &err), CF_OK, "%s", err.message);
    cr_assert_not_null(r);
    return r;
}

static cf_tco_option opt(const cf_tco_result *r, cf_procurement o)
{
    cf_tco_option x;
    cr_assert_eq(cf_tco_result_option(r, o, &x), CF_OK);
    return x;
}

Test(tco, server_month_and_cost_per_gpu_hour_at_full_use)
{
    /* full use: one server of 8 GPUs x 730 h, target utilisation 1 */
    cf_plan *p = load("{\"horizon_months\": 60, \"demand_gpu_hours_per_month\": 5840, \"hardware\": \"h100\","
                      " \"target_utilization\": 1.0, " ONPREM_REF ", \"cloud\": {\"on_demand\": 12.29}}",
                      NULL);
    cf_tco_result *r = eval(p, NULL);
    cf_tco_server_month sm;
    cf_tco_result_server_month(r, &sm);
    cr_assert_float_eq(sm.depreciation_usd, 5000.0, 1e-9);
    cr_assert_float_eq(sm.colocation_usd, 1877.412, 1e-6);
    cr_assert_float_eq(sm.electricity_full_usd, 936.23, 0.005);
    cr_assert_float_eq(sm.total_full_use_usd, 8063.64, 0.005);
    cr_assert_float_eq(sm.usd_per_gpu_hour_full_use, 1.381, 0.0005);
    cr_assert_eq(sm.servers, 1);
    cr_assert_float_eq(sm.mean_utilization, 1.0, 1e-12);
    cf_tco_option op = opt(r, CF_PROC_ON_PREM);
    cr_assert(op.available);
    cr_assert_float_eq(op.total_usd, 60 * sm.total_full_use_usd, 1e-6);
    cr_assert_float_eq(op.cost_per_useful_gpu_hour, 1.381, 0.0005);
    cr_assert_float_eq(op.npv_usd, op.total_usd, 1e-6); /* rate 0 */
    cf_tco_unit_rate ur;
    cf_error err;
    cr_assert_eq(cf_tco_unit_rates(p, NULL, CF_PROC_ON_PREM, &ur, &err), CF_OK);
    cr_assert_float_eq(ur.usd_per_gpu_hour, 1.381, 0.0005);
    /* energy per useful GPU-hour: 10.2 kW x 1.56 / 8 GPUs */
    cr_assert_float_eq(ur.energy_kwh_per_gpu_hour, 10.2 * 1.56 / 8, 1e-12);
    cf_tco_result_destroy(r);
    cf_plan_destroy(p);
}

Test(tco, breakeven_utilisation_both_conventions)
{
    cf_plan *p = load("{\"demand_gpu_hours_per_month\": 4380, \"hardware\": \"h100\", " ONPREM_REF ","
                      " \"cloud\": {\"on_demand\": 12.29, \"reserved_1y\": 4.916, \"reserved_3y\": 2.49}}",
                      NULL);
    cf_tco_result *r = eval(p, NULL);
    static const struct {
        cf_procurement c;
        double scaling, full;
    } cases[] = {
        {CF_PROC_ON_DEMAND, 0.1006, 0.112}, {CF_PROC_RESERVED_1Y, 0.2566, 0.281}, {CF_PROC_RESERVED_3Y, 0.5239, 0.555}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cf_tco_breakeven b;
        cr_assert_eq(cf_tco_result_breakeven(r, cases[i].c, &b), CF_OK);
        cr_assert_float_eq(b.utilization_scaling, cases[i].scaling, 0.00006, "case %zu: %g", i, b.utilization_scaling);
        cr_assert_float_eq(b.utilization_full_power, cases[i].full, 0.0006, "case %zu: %g", i,
                           b.utilization_full_power);
    }
    /* no spot price and no catalog: spot is unavailable, and so is its breakeven */
    cf_tco_breakeven bs;
    cr_assert_eq(cf_tco_result_breakeven(r, CF_PROC_SPOT, &bs), CF_OK);
    cr_assert_not(bs.available);
    cr_assert(isnan(bs.utilization_scaling));
    cr_assert_not(opt(r, CF_PROC_SPOT).available);
    cr_assert_eq(cf_tco_result_breakeven(r, CF_PROC_ON_PREM, &bs), CF_ERR_ARG);
    /* the closed form directly: fixed 7,127.41 a month */
    cr_assert_float_eq(cf_tco_breakeven_utilization(7127.41, 936.23, 5840, 12.29, 1), 0.10062, 0.00001);
    cr_assert(isinf(cf_tco_breakeven_utilization(7127.41, 936.23, 5840, 0.1, 1)));
    cf_tco_result_destroy(r);
    cf_plan_destroy(p);
}

Test(tco, reserved_breakeven_p4d)
{
    cr_assert_float_eq(cf_tco_reserved_breakeven(20.175, 32.773), 0.616, 0.0005);
    cr_assert_float_eq(cf_tco_reserved_breakeven(12.499, 32.773), 0.381, 0.0005);
}

Test(tco, spot_overhead_and_useful_price)
{
    cf_plan *p = load("{\"demand_gpu_hours_per_month\": 1000, \"horizon_months\": 12, \"hardware\": \"a100-40gb\","
                      " \"on_prem\": {\"server_capex_usd\": 200000, \"server_power_kw\": 6.5},"
                      " \"cloud\": {\"on_demand\": 4.097, \"spot\": 1.706875, \"spot_interruptions_per_hour\": 0.05,"
                      " \"checkpoint_minutes\": 2, \"restart_minutes\": 10}}",
                      NULL);
    cf_tco_result *r = eval(p, NULL);
    cf_tco_option s = opt(r, CF_PROC_SPOT);
    cr_assert_float_eq(s.overhead_fraction, 0.0661, 0.00005);
    /* per GPU: 13.655 / 8 = 1.706875 a GPU-hour; 14.56 / 8 per useful hour */
    cr_assert_float_eq(s.cost_per_useful_gpu_hour * 8, 14.56, 0.005);
    cr_assert_float_eq(s.billed_gpu_hours, 12000 * (1 + s.overhead_fraction), 1e-6);
    cf_tco_breakeven b;
    cf_tco_result_breakeven(r, CF_PROC_SPOT, &b);
    cr_assert_float_eq(b.cloud_usd_per_useful_hour, 1.706875 * (1 + s.overhead_fraction), 1e-12);
    cf_tco_result_destroy(r);
    cf_plan_destroy(p);
}

Test(tco, discounting_by_hand)
{
    /* 3 months of 100 at 12% a year, paid at each month's end */
    double v = 1.0 / pow(1.12, 1.0 / 12.0);
    double hand = 100 * (v + v * v + v * v * v);
    cr_assert_float_eq(hand, 294.395, 0.001);
    double flows[3] = {100, 100, 100};
    cr_assert_float_eq(cf_tco_npv(flows, 3, 0.12), hand, 1e-9);
    cr_assert_float_eq(cf_tco_discount_factor(0.12, 12), 1 / 1.12, 1e-12);
    /* the same through a plan: 100 GPU-hours a month at 1 USD on demand */
    cf_plan *p = load("{\"horizon_months\": 3, \"demand_gpu_hours_per_month\": 100, \"hardware\": \"x\","
                      " \"discount_rate_annual\": 0.12, \"on_prem\": {\"server_capex_usd\": 1000,"
                      " \"server_power_kw\": 1}, \"cloud\": {\"on_demand\": 1}}",
                      NULL);
    cf_tco_result *r = eval(p, NULL);
    cf_tco_option od = opt(r, CF_PROC_ON_DEMAND);
    cr_assert_float_eq(od.total_usd, 300, 1e-9);
    cr_assert_float_eq(od.npv_usd, hand, 1e-9);
    cr_assert_float_eq(od.levelized_per_gpu_hour, 1.0, 1e-12);
    double ser[4];
    cr_assert_eq(cf_tco_result_series(r, CF_PROC_ON_DEMAND, CF_TCO_SERIES_CASH_DISCOUNTED, ser, 4), 4);
    cr_assert_float_eq(ser[0], 0, 1e-12);
    cr_assert_float_eq(ser[3], hand, 1e-9);
    cf_tco_result_destroy(r);
    cf_plan_destroy(p);
}

Test(tco, cash_equals_accrual_with_resale_at_horizon)
{
    /* 36 months of a 60-month server with 25% residual: the book value is credited at the horizon end */
    cf_plan *p = load("{\"horizon_months\": 36, \"demand_gpu_hours_per_month\": 4380, \"hardware\": \"h100\","
                      " \"on_prem\": {\"server_capex_usd\": 300000, \"life_months\": 60, \"residual_fraction\": 0.25,"
                      " \"server_power_kw\": 10.2, \"pue\": 1.56, \"electricity_usd_per_kwh\": 0.0806,"
                      " \"colocation_usd_per_kw_month\": 184.06, \"ops_usd_per_server_month\": 250},"
                      " \"cloud\": {\"on_demand\": 12.29}}",
                      NULL);
    cf_tco_result *r = eval(p, NULL);
    double cash[37], accr[37];
    cr_assert_eq(cf_tco_result_series(r, CF_PROC_ON_PREM, CF_TCO_SERIES_CASH, cash, 37), 37);
    cf_tco_result_series(r, CF_PROC_ON_PREM, CF_TCO_SERIES_ACCRUAL, accr, 37);
    cr_assert_float_eq(cash[0], 300000, 1e-9);
    cr_assert_float_eq(cash[36], accr[36], 1e-6);
    /* by hand: depreciation 300k x 0.75 / 60 = 3,750; colocation 1,877.412; ops 250; electricity at 75% use */
    double month = 3750 + 1877.412 + 250 + 10.2 * 730 * 1.56 * 0.0806 * 0.75;
    cr_assert_float_eq(accr[36], 36 * month, 1e-6);
    cr_assert_float_eq(opt(r, CF_PROC_ON_PREM).total_usd, 36 * month, 1e-6);
    cf_tco_result_destroy(r);
    cf_plan_destroy(p);
}

Test(tco, replacement_after_end_of_life)
{
    /* horizon 30, life 12: servers bought at 0, 12 and 24; the last one credited at book value after 6 months */
    cf_plan *p = load("{\"horizon_months\": 30, \"demand_gpu_hours_per_month\": 730, \"hardware\": \"x\","
                      " \"target_utilization\": 1, \"on_prem\": {\"server_capex_usd\": 12000, \"gpus_per_server\": 1,"
                      " \"life_months\": 12, \"residual_fraction\": 0.5, \"server_power_kw\": 1,"
                      " \"electricity_usd_per_kwh\": 0, \"colocation_usd_per_kw_month\": 0,"
                      " \"ops_usd_per_server_month\": 0}, \"cloud\": {\"on_demand\": 100}}",
                      NULL);
    cf_tco_result *r = eval(p, NULL);
    double cash[31];
    cf_tco_result_series(r, CF_PROC_ON_PREM, CF_TCO_SERIES_CASH, cash, 31);
    cr_assert_float_eq(cash[11], 12000, 1e-9);
    cr_assert_float_eq(cash[12], 18000, 1e-9); /* sold for 6,000, bought again for 12,000 */
    cr_assert_float_eq(cash[24], 24000, 1e-9);
    /* depreciation 500 a month x 30 */
    cr_assert_float_eq(cash[30], 15000, 1e-9);
    cr_assert_float_eq(opt(r, CF_PROC_ON_PREM).total_usd, 15000, 1e-9);
    cf_tco_result_destroy(r);
    cf_plan_destroy(p);
}

Test(tco, breakeven_month_cash_view)
{
    /* capex 10,000 upfront, no operating cost; cloud 730 a month: payback after ceil(10000 / 730) = 14 months */
    cf_plan *p = load("{\"horizon_months\": 60, \"demand_gpu_hours_per_month\": 730, \"hardware\": \"x\","
                      " \"discount_rate_annual\": 0.10, \"target_utilization\": 1,"
                      " \"on_prem\": {\"server_capex_usd\": 10000, \"gpus_per_server\": 1, \"server_power_kw\": 1,"
                      " \"electricity_usd_per_kwh\": 0, \"colocation_usd_per_kw_month\": 0,"
                      " \"ops_usd_per_server_month\": 0}, \"cloud\": {\"on_demand\": 1, \"spot\": 100}}",
                      NULL);
    cf_tco_result *r = eval(p, NULL);
    cf_tco_breakeven b;
    cf_tco_result_breakeven(r, CF_PROC_ON_DEMAND, &b);
    cr_assert_eq(b.month, 14);
    int expect = -1;
    double cum = 0;
    for (int m = 1; m <= 60 && expect < 0; m++) {
        cum += 730 * pow(1.10, -m / 12.0);
        if (cum >= 10000) expect = m;
    }
    cr_assert_eq(b.month_discounted, expect);
    cr_assert_gt(b.month_discounted, 14);
    /* spot at 100 a GPU-hour: on-prem is cheaper from the first month */
    cf_tco_result_breakeven(r, CF_PROC_SPOT, &b);
    cr_assert_eq(b.month, 1);
    cf_tco_result_destroy(r);
    cf_plan_destroy(p);
}

/* Brute-force total cost of owning B servers (8 GPUs, full capacity usable) with overflow on demand. */
static double brute_hybrid(const double *d, int H, int B, double od)
{
    double dep = 300000.0 / 60, fixed = dep + 10.2 * 184.06 + 250, t = 0;
    for (int m = 0; m < H; m++) {
        double cap = B * 8 * 730.0, own = d[m] < cap ? d[m] : cap;
        t += B * fixed + own / 8 * 10.2 * 1.56 * 0.0806 + (d[m] - own) * od;
    }
    return t;
}

Test(tco, hybrid_optimum_matches_brute_force)
{
    static const double d[8] = {3000, 9000, 14000, 2000, 23000, 6000, 500, 12000};
    cf_plan *p = load("{\"horizon_months\": 8, \"demand_gpu_hours_per_month\": [3000, 9000, 14000, 2000, 23000,"
                      " 6000, 500, 12000], \"hardware\": \"h100\", \"target_utilization\": 1, \"objective\": \"total\","
                      " \"on_prem\": {\"server_capex_usd\": 300000, \"life_months\": 60, \"server_power_kw\": 10.2,"
                      " \"pue\": 1.56, \"electricity_usd_per_kwh\": 0.0806, \"colocation_usd_per_kw_month\": 184.06,"
                      " \"ops_usd_per_server_month\": 250}, \"cloud\": {\"on_demand\": 2.2},"
                      " \"hybrid\": {\"burst\": \"on_demand\"}}",
                      NULL);
    cf_tco_result *r = eval(p, NULL);
    cf_tco_hybrid h;
    cf_tco_result_hybrid(r, &h);
    int S = (int)ceil(23000 / 5840.0);
    cr_assert_eq(h.max_servers, S);
    int best = 0;
    double bv = INFINITY;
    double curve[16];
    cr_assert_eq(cf_tco_result_hybrid_curve(r, curve, 16), (size_t)S + 1);
    for (int b = 0; b <= S; b++) {
        double v = brute_hybrid(d, 8, b, 2.2);
        cr_assert_float_eq(curve[b], v, 1e-6, "B=%d: %f vs %f", b, curve[b], v);
        if (v < bv) {
            bv = v;
            best = b;
        }
    }
    cr_assert_eq(h.servers, best);
    cr_assert_float_eq(h.objective, bv, 1e-6);
    cr_assert_gt(best, 0);
    cr_assert_lt(best, S); /* the case is built so a partial baseline wins */
    cf_tco_option hy = opt(r, CF_PROC_HYBRID), onp = opt(r, CF_PROC_ON_PREM), od = opt(r, CF_PROC_ON_DEMAND);
    cr_assert_leq(hy.total_usd, onp.total_usd + 1e-6);
    cr_assert_leq(hy.total_usd, od.total_usd + 1e-6);
    cr_assert_eq(hy.units, best);
    cf_tco_result_destroy(r);
    cf_plan_destroy(p);
}

Test(tco, reservation_optimum_matches_brute_force_and_newsvendor)
{
    static const double d[12] = {1500, 2900, 4100, 800, 3650, 2200, 5000, 1000, 3000, 2600, 4400, 1900};
    const double pod = 4.0, pr = 2.6;
    cf_plan *p = load("{\"horizon_months\": 12, \"demand_gpu_hours_per_month\": [1500, 2900, 4100, 800, 3650, 2200,"
                      " 5000, 1000, 3000, 2600, 4400, 1900], \"hardware\": \"a100-80gb\", \"objective\": \"total\","
                      " \"on_prem\": {\"server_capex_usd\": 150000, \"server_power_kw\": 6},"
                      " \"cloud\": {\"on_demand\": 4.0, \"reserved_1y\": 2.6}}",
                      NULL);
    cf_tco_result *r = eval(p, NULL);
    cf_tco_reservation rs;
    cr_assert_eq(cf_tco_result_reservation(r, CF_PROC_RESERVED_1Y, &rs), CF_OK);
    cr_assert(rs.available);
    int kmax = (int)ceil(5000 / 730.0), best = 0;
    double bv = INFINITY;
    for (int k = 0; k <= kmax; k++) {
        double t = 0;
        for (int m = 0; m < 12; m++) {
            double over = d[m] - k * 730.0;
            t += k * 730.0 * pr + (over > 0 ? over * pod : 0);
        }
        if (t < bv) {
            bv = t;
            best = k;
        }
    }
    cr_assert_eq(rs.max_gpus, kmax);
    cr_assert_eq(rs.gpus, best);
    cr_assert_float_eq(rs.objective, bv, 1e-6);
    cr_assert_float_eq(rs.critical_fractile, 1 - pr / pod, 1e-12);
    /* newsvendor: the smallest demand d with F(d) >= 0.35 is the 5th smallest of the 12 (F = 5/12), 2,200; the
     * continuous optimum sits there, so the best multiple of 730 is within one GPU of it */
    cr_assert_float_eq(rs.newsvendor_gpu_hours, 2200, 1e-9);
    cr_assert_lt(fabs(rs.reserved_gpu_hours_per_month - rs.newsvendor_gpu_hours), 730.0);
    /* the pure reserved option reserves the peak: 7 GPUs, every hour paid */
    cf_tco_option r1 = opt(r, CF_PROC_RESERVED_1Y);
    cr_assert_eq(r1.units, kmax);
    cr_assert_float_eq(r1.total_usd, kmax * 730.0 * pr * 12, 1e-6);
    cr_assert_float_eq(r1.billed_gpu_hours, kmax * 730.0 * 12, 1e-6);
    /* no 3-year price and no catalog */
    cr_assert_eq(cf_tco_result_reservation(r, CF_PROC_RESERVED_3Y, &rs), CF_OK);
    cr_assert_not(rs.available);
    cr_assert_eq(cf_tco_result_reservation(r, CF_PROC_SPOT, &rs), CF_ERR_ARG);
    cf_tco_result_destroy(r);
    cf_plan_destroy(p);
}

Test(tco, demand_growth_and_seasonality)
{
    cf_plan *p = load("{\"horizon_months\": 24, \"hardware\": \"l4\", \"demand_gpu_hours_per_month\": {\"start\": 1000,"
                      " \"growth_monthly\": 0.02, \"seasonality\": [1, 0.9, 0.8, 1, 1, 1, 1.1, 1, 1, 1, 1.2, 1.3]},"
                      " \"on_prem\": {\"server_capex_usd\": 40000, \"server_power_kw\": 1.2},"
                      " \"cloud\": {\"on_demand\": 0.8}}",
                      NULL);
    cr_assert_eq(cf_plan_horizon_months(p), 24);
    cr_assert_str_eq(cf_plan_hardware(p), "l4");
    cf_tco_result *r = eval(p, NULL);
    double d[24];
    cr_assert_eq(cf_tco_result_series(r, CF_PROC_ON_DEMAND, CF_TCO_SERIES_DEMAND, d, 24), 24);
    cr_assert_float_eq(d[0], 1000, 1e-9);
    cr_assert_float_eq(d[13], 1000 * pow(1.02, 13) * 0.9, 1e-9);
    cr_assert_float_eq(d[23], 1000 * pow(1.02, 23) * 1.3, 1e-9);
    double sum = 0;
    for (int i = 0; i < 24; i++) sum += d[i];
    cr_assert_float_eq(opt(r, CF_PROC_ON_DEMAND).total_usd, sum * 0.8, 1e-6);
    cf_tco_result_destroy(r);
    cf_plan_destroy(p);
}

Test(tco, carbon_operational_embodied_and_price_path)
{
    /* full use of one 8-GPU server for 24 months at 475 g/kWh; carbon 100 USD/t in year 1, 200 in year 2 */
    cf_plan *p = load("{\"horizon_months\": 24, \"demand_gpu_hours_per_month\": 5840, \"hardware\": \"h100\","
                      " \"target_utilization\": 1, \"grid_gco2e_per_kwh\": 475, \"carbon_price_path\": [100, 200],"
                      " " ONPREM_REF ", \"cloud\": {\"on_demand\": 12.29, \"gpu_power_w\": 700, \"pue\": 1.2,"
                      " \"embodied_kgco2e_per_gpu_hour\": 0.01}}",
                      NULL);
    cf_tco_result *r = eval(p, NULL);
    cf_tco_option op = opt(r, CF_PROC_ON_PREM);
    double kwh_month = 10.2 * 730 * 1.56;
    cr_assert_float_eq(op.energy_kwh, 24 * kwh_month, 1e-6);
    cr_assert_float_eq(op.co2e_operational_kg, 24 * kwh_month * 0.475, 1e-6);
    cr_assert_float_eq(op.co2e_embodied_kg, 24 * (2500 + 8 * 150) / 60.0, 1e-9);
    double per_month = kwh_month * 0.475 + (2500 + 8 * 150) / 60.0;
    cr_assert_float_eq(op.carbon_cost_usd, 12 * per_month * 0.1 + 12 * per_month * 0.2, 1e-6);
    cr_assert_float_eq(op.total_with_carbon_usd, op.total_usd + op.carbon_cost_usd, 1e-6);
    cf_tco_option od = opt(r, CF_PROC_ON_DEMAND);
    /* cloud: 700 W x PUE 1.2 per GPU-hour, embodied 0.01 kg per GPU-hour */
    double h = 24 * 5840.0;
    cr_assert_float_eq(od.energy_kwh, h * 0.7 * 1.2, 1e-6);
    cr_assert_float_eq(od.co2e_operational_kg, h * 0.7 * 1.2 * 0.475, 1e-6);
    cr_assert_float_eq(od.co2e_embodied_kg, h * 0.01, 1e-6);
    double cum[25];
    cf_tco_result_series(r, CF_PROC_ON_DEMAND, CF_TCO_SERIES_CO2E, cum, 25);
    cr_assert_float_eq(cum[24], od.co2e_kg, 1e-6);
    cf_tco_result_destroy(r);
    cf_plan_destroy(p);
}

Test(tco, validation_errors_name_the_path)
{
    static const struct {
        const char *json;
        const char *field;
        const char *message;
    } cases[] = {
        {"{\"demand_gpu_hours_per_month\": 100, \"hardware\": \"x\", \"on_prem\": {\"pue\": 0.9,"
         " \"server_capex_usd\": 1, \"server_power_kw\": 1}, \"cloud\": {\"on_demand\": 1}}",
         "on_prem.pue", "expected a number >= 1, found 0.9"},
        {"{\"demand_gpu_hours_per_month\": 100, \"hardware\": \"x\", \"target_utilization\": 1.5}",
         "target_utilization", "expected a number in (0, 1], found 1.5"},
        {"{\"demand_gpu_hours_per_month\": [1, 2, \"x\"], \"hardware\": \"x\"}", "demand_gpu_hours_per_month[2]",
         "expected a number in [0, 1e+09], found a string"},
        /* QA2: absurd demands ran out of memory (exit 4) instead of naming the field. */
        {"{\"demand_gpu_hours_per_month\": 1e308, \"hardware\": \"x\"}", "demand_gpu_hours_per_month",
         "expected a number in [0, 1e+09], found 1e+308"},
        {"{\"demand_gpu_hours_per_month\": {\"start\": 1000, \"growth_monthly\": 10}, \"horizon_months\": 12,"
         " \"hardware\": \"x\"}",
         "demand_gpu_hours_per_month", "expected at most 1e+09 GPU-hours in every month, found 1.77156e+09 in month 7 (start x (1 + "
         "growth_monthly)^(m-1) x seasonality)"},
        {"{\"demand_gpu_hours_per_month\": [1, 2], \"horizon_months\": 3, \"hardware\": \"x\"}",
         "demand_gpu_hours_per_month", "expected 3 monthly values (horizon_months), found 2"},
        {"{\"demand_gpu_hours_per_month\": 1, \"hardware\": \"x\", " OP1 "\"cloud\": {\"ondemand\": 3}}",
         "cloud.ondemand", NULL},
        {"{\"demand_gpu_hours_per_month\": 1}", "hardware", NULL},
        {"{\"hardware\": \"x\", \"on_prem\": {\"server_capex_usd\": 1, \"server_power_kw\": 1}}",
         "demand_gpu_hours_per_month", NULL},
        {"{\"demand_gpu_hours_per_month\": 1, \"hardware\": \"x\", \"on_prem\": {\"server_power_kw\": 1}}",
         "on_prem.server_capex_usd", NULL},
        {"{\"demand_gpu_hours_per_month\": 1, \"hardware\": \"x\", \"on_prem\": {\"server_capex_usd\": 1,"
         " \"server_power_kw\": 1, \"gpus_per_server\": 2.5}}",
         "on_prem.gpus_per_server", "expected an integer in [1, 1024], found 2.5"},
        {"{\"demand_gpu_hours_per_month\": 1, \"hardware\": \"x\", " OP1 "\"hybrid\": {\"burst\": \"reserved\"}}",
         "hybrid.burst", NULL},
        {"{\"demand_gpu_hours_per_month\": 1, \"hardware\": \"x\", " OP1 "\"uncertainty\": {\"residual\": [0.3, 0.1]}}",
         "uncertainty.residual[1]", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cf_plan *p = cf_plan_create();
        cf_error err;
        cf_error_clear(&err);
        cf_status s = cf_plan_load_string(p, cases[i].json, "plan.json", NULL, &err);
        cr_assert_neq(s, CF_OK, "case %zu accepted", i);
        cr_assert_str_eq(err.field, cases[i].field, "case %zu: field %s", i, err.field);
        if (cases[i].message) cr_assert_str_eq(err.message, cases[i].message, "case %zu: %s", i, err.message);
        cr_assert_str_eq(err.source, "plan.json");
        cr_assert_eq(cf_plan_horizon_months(p), 0); /* unchanged: nothing loaded */
        cf_plan_destroy(p);
    }
    /* a syntax error carries line and column */
    cf_plan *p = cf_plan_create();
    cf_error err;
    cr_assert_eq(cf_plan_load_string(p, "{\n  \"hardware\": \"x\",\n  oops\n}", "bad.json", NULL, &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 3);
    cr_assert_eq(cf_plan_load_file(p, "/nonexistent/plan.json", NULL, &err), CF_ERR_IO);
    cf_plan_destroy(p);
    cf_plan_destroy(NULL);
    cf_tco_result_destroy(NULL);
}

Test(tco, set_number_overrides_and_validates)
{
    cf_plan *p = load(k_issue_plan, NULL);
    cf_error err;
    cr_assert_eq(cf_plan_set_number(p, "discount_rate_annual", 0.08, NULL, &err), CF_OK);
    cr_assert_eq(cf_plan_set_number(p, "on_prem.pue", 0.5, NULL, &err), CF_ERR_INVALID);
    cr_assert_str_eq(err.field, "on_prem.pue");
    cr_assert_eq(cf_plan_set_number(p, "horizon_months", 24, NULL, &err), CF_OK);
    cr_assert_eq(cf_plan_horizon_months(p), 24);
    cf_tco_result *r = eval(p, NULL);
    cf_tco_option od = opt(r, CF_PROC_ON_DEMAND);
    cr_assert_lt(od.npv_usd, od.total_usd);
    cr_assert_float_eq(od.total_usd, 24 * 4380 * 12.29, 1e-6);
    char *txt = NULL;
    cr_assert_eq(cf_plan_resolved_json(p, NULL, &txt, &err), CF_OK);
    cr_assert_not_null(strstr(txt, "\"discount_rate_annual\":\t0.08"), "%s", txt);
    cr_assert_not_null(strstr(txt, "\"target_utilization\":\t0.8"));
    /* the resolved dump loads back as a plan */
    cf_plan *q = load(txt, NULL);
    cf_tco_result *r2 = eval(q, NULL);
    cr_assert_float_eq(opt(r2, CF_PROC_ON_PREM).npv_usd, opt(r, CF_PROC_ON_PREM).npv_usd, 1e-6);
    free(txt);
    cf_tco_result_destroy(r2);
    cf_plan_destroy(q);
    cf_tco_result_destroy(r);
    cf_plan_destroy(p);
}

Test(tco, issue_plan_options_are_consistent)
{
    cf_plan *p = load(k_issue_plan, NULL);
    cf_tco_result *r = eval(p, NULL);
    cr_assert_eq(cf_tco_result_months(r), 60);
    const double hours = 60 * 4380.0;
    cf_tco_option od = opt(r, CF_PROC_ON_DEMAND), sp = opt(r, CF_PROC_SPOT), onp = opt(r, CF_PROC_ON_PREM);
    cr_assert_float_eq(od.total_usd, hours * 12.29, 1e-6);
    cr_assert_float_eq(sp.total_usd, hours * 2.46 * (1 + sp.overhead_fraction), 1e-6);
    /* one server at 75% use: 7,127.41 fixed + 936.23 x 0.75 a month */
    cr_assert_eq(onp.units, 1);
    cr_assert_float_eq(onp.total_usd, 60 * (5000 + 1877.412 + 250 + 0.75 * 10.2 * 730 * 1.56 * 0.0806), 1e-6);
    /* 4,380 GPU-h = 6 GPUs reserved at full use */
    cr_assert_eq(opt(r, CF_PROC_RESERVED_3Y).units, 6);
    cr_assert_float_eq(opt(r, CF_PROC_RESERVED_3Y).cost_per_useful_gpu_hour, 4.7, 1e-9);
    cr_assert_eq(cf_tco_result_cheapest(r, CF_TCO_METRIC_TOTAL), CF_PROC_ON_PREM);
    for (int o = 0; o < CF_PROC_COUNT; o++) {
        cf_tco_option x = opt(r, (cf_procurement)o);
        cr_assert(x.available, "%d", o);
        cr_assert_float_eq(x.useful_gpu_hours, hours, 1e-6);
        double cash[61];
        cr_assert_eq(cf_tco_result_series(r, (cf_procurement)o, CF_TCO_SERIES_CASH, cash, 61), 61);
        cr_assert_float_eq(cash[60], x.total_usd, 1e-6);
        cr_assert_float_eq(cf_tco_option_metric(&x, CF_TCO_METRIC_TOTAL_WITH_CARBON), x.total_with_carbon_usd, 0);
    }
    cr_assert_str_eq(od.price_source, "plan");
    cf_tco_result_destroy(r);
    cf_plan_destroy(p);
}

Test(tco, tornado_ranks_by_swing)
{
    cf_plan *p = load(k_issue_plan, NULL);
    cf_tco_tornado_row rows[CF_TCO_IN_COUNT];
    double base = 0;
    cf_error err;
    cr_assert_eq(cf_tco_tornado(p, NULL, CF_TCO_METRIC_TOTAL, CF_PROC_ON_DEMAND, rows, CF_TCO_IN_COUNT, &base, &err),
                 CF_OK);
    cr_assert_float_eq(base, 60 * 4380 * 12.29, 1e-6);
    for (int i = 1; i < CF_TCO_IN_COUNT; i++) cr_assert_geq(rows[i - 1].swing, rows[i].swing);
    /* on-demand cost is linear in price and demand: both swing by 40% of base; nothing else moves it */
    cr_assert_float_eq(rows[0].swing, 0.4 * base, 1e-6);
    cr_assert_float_eq(rows[1].swing, 0.4 * base, 1e-6);
    cr_assert_eq(rows[0].input + rows[1].input, CF_TCO_IN_DEMAND + CF_TCO_IN_ON_DEMAND_PRICE);
    cr_assert(rows[0].input == CF_TCO_IN_DEMAND || rows[0].input == CF_TCO_IN_ON_DEMAND_PRICE);
    const cf_tco_tornado_row *price = rows[0].input == CF_TCO_IN_ON_DEMAND_PRICE ? &rows[0] : &rows[1];
    cr_assert_float_eq(price->low_value, 0.8 * 12.29, 1e-9);
    cr_assert_float_eq(price->base_value, 12.29, 1e-12);
    cr_assert_float_eq(rows[2].swing, 0, 1e-9);
    /* on-prem against the best cloud option: residual value moves it by 0.35 x capex exactly (life = horizon) */
    cr_assert_eq(
        cf_tco_tornado(p, NULL, CF_TCO_METRIC_TOTAL, CF_TCO_TARGET_ONPREM_VS_CLOUD, rows, CF_TCO_IN_COUNT, &base, &err),
        CF_OK);
    int found = 0;
    for (int i = 0; i < CF_TCO_IN_COUNT; i++)
        if (rows[i].input == CF_TCO_IN_RESIDUAL) {
            found = 1;
            cr_assert_float_eq(rows[i].swing, 0.35 * 300000, 1e-6);
            cr_assert_float_eq(rows[i].diff_high - rows[i].diff_low, -0.35 * 300000, 1e-6);
        }
    cr_assert(found);
    cr_assert_eq(cf_tco_tornado(p, NULL, CF_TCO_METRIC_TOTAL, 99, rows, CF_TCO_IN_COUNT, NULL, &err), CF_ERR_ARG);
    cf_plan_destroy(p);
}

static void count_progress(void *user, size_t done, size_t total)
{
    size_t *calls = user;
    (*calls)++;
    cr_assert_leq(done, total);
}

Test(tco, monte_carlo_mean_matches_linear_model)
{
    cf_plan *p = load(k_issue_plan, NULL);
    cf_error err;
    /* on-prem cost is linear in the electricity price: with a uniform factor on [0.75, 1.25], its expected cost is
     * the midpoint of the tornado's low and high values */
    cf_tco_tornado_row rows[CF_TCO_IN_COUNT];
    cr_assert_eq(cf_tco_tornado(p, NULL, CF_TCO_METRIC_TOTAL, CF_PROC_ON_PREM, rows, CF_TCO_IN_COUNT, NULL, &err),
                 CF_OK);
    double lo = 0, hi = 0;
    for (int i = 0; i < CF_TCO_IN_COUNT; i++)
        if (rows[i].input == CF_TCO_IN_ELECTRICITY) {
            lo = rows[i].low[CF_PROC_ON_PREM];
            hi = rows[i].high[CF_PROC_ON_PREM];
        }
    cr_assert_gt(hi, lo);
    cf_tco_mc_opts o;
    cf_tco_mc_opts_default(&o);
    o.dist = CF_TCO_DIST_UNIFORM;
    o.vary_mask = 1u << CF_TCO_IN_ELECTRICITY;
    o.metric = CF_TCO_METRIC_TOTAL;
    size_t calls = 0;
    o.progress = count_progress;
    o.progress_user = &calls;
    cf_tco_mc_result mc;
    const size_t n = 20000;
    cr_assert_eq(cf_tco_monte_carlo(p, NULL, n, 42, &o, &mc, &err), CF_OK);
    cr_assert_eq(mc.n, n);
    cr_assert_eq(calls, 100);
    double sd_mean = (hi - lo) / sqrt(12.0) / sqrt((double)n);
    cr_assert_lt(fabs(mc.mean[CF_PROC_ON_PREM] - 0.5 * (lo + hi)), 4 * sd_mean);
    /* uniform quantiles: P10 / P90 at 10% / 90% of the range, within sampling error */
    cr_assert_float_eq(mc.p10[CF_PROC_ON_PREM], lo + 0.1 * (hi - lo), 0.02 * (hi - lo));
    cr_assert_float_eq(mc.p90[CF_PROC_ON_PREM], lo + 0.9 * (hi - lo), 0.02 * (hi - lo));
    /* electricity does not move the on-demand total */
    cr_assert_float_eq(mc.p10[CF_PROC_ON_DEMAND], mc.p90[CF_PROC_ON_DEMAND], 1e-6);
    cr_assert_float_eq(mc.p_cheapest[CF_PROC_ON_PREM], 1.0, 1e-12);
    cf_plan_destroy(p);
}

Test(tco, monte_carlo_is_deterministic_for_a_seed)
{
    cf_plan *p = load(k_issue_plan, NULL);
    cf_error err;
    const size_t n = 500;
    double *a = malloc(n * CF_PROC_COUNT * sizeof *a), *b = malloc(n * CF_PROC_COUNT * sizeof *b);
    cf_tco_mc_result ra, rb, rc;
    cr_assert_eq(cf_tco_monte_carlo_samples(p, NULL, n, 7, NULL, &ra, a, &err), CF_OK);
    cr_assert_eq(cf_tco_monte_carlo_samples(p, NULL, n, 7, NULL, &rb, b, &err), CF_OK);
    cr_assert_eq(memcmp(a, b, n * CF_PROC_COUNT * sizeof *a), 0);
    cr_assert_eq(memcmp(&ra, &rb, sizeof ra), 0);
    cr_assert_eq(cf_tco_monte_carlo(p, NULL, n, 8, NULL, &rc, &err), CF_OK);
    cr_assert_neq(ra.p50[CF_PROC_ON_PREM], rc.p50[CF_PROC_ON_PREM]);
    double total = 0;
    for (int o = 0; o < CF_PROC_COUNT; o++) {
        total += ra.p_cheapest[o];
        cr_assert_leq(ra.p10[o], ra.p50[o]);
        cr_assert_leq(ra.p50[o], ra.p90[o]);
    }
    cr_assert_float_eq(total, 1.0, 1e-12);
    cr_assert_eq(cf_tco_monte_carlo(p, NULL, 0, 7, NULL, &rc, &err), CF_ERR_ARG);
    free(a);
    free(b);
    cf_plan_destroy(p);
}

Test(tco, catalog_fills_missing_cloud_prices)
{
    cf_catalog *cat = cf_catalog_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_catalog_load_default(cat, &err), CF_OK, "%s", err.message);
    cf_plan *p = load("{\"demand_gpu_hours_per_month\": 4380, \"hardware\": \"H100 SXM\", \"region\": \"us-east-1\","
                      " \"on_prem\": {\"server_capex_usd\": 300000}}",
                      cat);
    cf_tco_result *r = eval(p, cat);
    const cf_hardware *hw = cf_catalog_hardware(cat, "h100");
    const cf_region *rg = cf_catalog_region(cat, "us-east-1");
    cr_assert_not_null(hw);
    /* the cheapest on-demand offer for h100 in us-east-1, found independently */
    double best = INFINITY;
    for (size_t i = 0; i < cf_catalog_offer_count(cat); i++) {
        const cf_offer *o = cf_catalog_offer_at(cat, i);
        if (cf_catalog_hardware(cat, o->hardware) == hw && cf_catalog_region(cat, o->region) == rg &&
            o->on_demand > 0 && o->on_demand < best)
            best = o->on_demand;
    }
    cr_assert(isfinite(best));
    cf_tco_option od = opt(r, CF_PROC_ON_DEMAND);
    cr_assert_float_eq(od.price_per_gpu_hour, best, 1e-12);
    cr_assert_eq(strncmp(od.price_source, "catalog: ", 9), 0, "%s", od.price_source);
    /* grid intensity from the region; unknown hardware is an error naming "hardware" */
    cf_tco_option op = opt(r, CF_PROC_ON_PREM);
    cr_assert_float_eq(op.co2e_operational_kg, op.energy_kwh * rg->grid_gco2e_per_kwh / 1000, 1e-6);
    cf_plan *q = cf_plan_create();
    cr_assert_eq(
        cf_plan_load_string(q, "{\"demand_gpu_hours_per_month\": 1, \"hardware\": \"nope-9000\"}", "t", cat, &err),
        CF_ERR_NOT_FOUND);
    cr_assert_str_eq(err.field, "hardware");
    cf_plan_destroy(q);
    cf_tco_result_destroy(r);
    cf_plan_destroy(p);
    cf_catalog_destroy(cat);
}

Test(tco, example_plans_load_and_evaluate)
{
    static const char *const files[] = {"startup-finetune.json", "lab-steady-training.json",
                                        "enterprise-inference-growth.json"};
    cf_catalog *cat = cf_catalog_create();
    cf_error err;
    cr_assert_eq(cf_catalog_load_default(cat, &err), CF_OK, "%s", err.message);
    for (size_t i = 0; i < 3; i++) {
        char path[1024], buf[800];
        snprintf(path, sizeof path, "%s/examples/plans/%s", CF_SOURCE_DIR, files[i]);
        cf_plan *p = cf_plan_create();
        cf_error_clear(&err);
        cr_assert_eq(cf_plan_load_file(p, path, cat, &err), CF_OK, "%s", cf_error_format(&err, buf, sizeof buf));
        cf_tco_result *r = eval(p, cat);
        cr_assert(opt(r, CF_PROC_ON_DEMAND).available, "%s", files[i]);
        cr_assert(opt(r, CF_PROC_ON_PREM).available, "%s", files[i]);
        cr_assert(opt(r, CF_PROC_HYBRID).available, "%s", files[i]);
        cr_assert_leq(opt(r, CF_PROC_HYBRID).npv_usd, opt(r, CF_PROC_ON_PREM).npv_usd + 1e-6);
        cf_tco_result_destroy(r);
        cf_plan_destroy(p);
    }
    cf_catalog_destroy(cat);
}
