/* Tests of inference runs (issue 11): throughput to accelerator-hours per 1M units (data/runset.c), the token
 * split, measured power (models/pricing.c), the per-1M objectives and the refusal to mix units
 * (optimizer/frontier.c), metric extraction from free text (data/colmap.c) and costs printed with significant
 * digits (reports/report_text.c). Every expected number is worked by hand in the comment above it. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/catalog.h"
#include "costfront/frontier.h"
#include "costfront/numfmt.h"
#include "costfront/pricing.h"
#include "costfront/report.h"
#include "costfront/runset.h"

/* gpu700: 700 W board power; site: 400 gCO2e/kWh, PUE 1.5; on-demand 2.00 USD/h, spot 0.80 USD/h with no
 * interruptions (so no checkpoint overhead), reserved 1y 1.20 USD/h. */
static const char *const CATALOG =
    "{\"hardware\": [{\"id\": \"gpu700\", \"aliases\": [\"NVIDIA GPU-700\"], \"board_power_w\": 700}],"
    " \"regions\": [{\"id\": \"site\", \"grid_gco2e_per_kwh\": 400, \"pue\": 1.5}],"
    " \"offers\": [{\"provider\": \"p\", \"region\": \"site\", \"hardware\": \"gpu700\", \"on_demand\": 2.0,"
    " \"spot\": 0.8, \"spot_interruptions_per_hour\": 0, \"reserved_1y\": 1.2}]}";

static cf_catalog *load_cat(void)
{
    cf_catalog *cat = cf_catalog_create();
    cf_error err;
    cf_error_clear(&err);
    char buf[800];
    cr_assert_eq(cf_catalog_load_string(cat, CATALOG, "test", &err), CF_OK, "%s",
                 cf_error_format(&err, buf, sizeof buf));
    return cat;
}

/* Feeds records of (name, value) pairs separated by ';' ("a=1;b=2"), one per string, as one source. */
static cf_runset *runs_of(cf_catalog *cat, const cf_colmap *map, const char *const *recs, size_t n)
{
    cf_runset *rs = cf_runset_create(cat, map);
    cr_assert_not_null(rs);
    cr_assert_eq(cf_runset_begin_source(rs, "inf.csv"), CF_OK);
    for (size_t k = 0; k < n; k++) {
        char *copy = strdup(recs[k]);
        const char *names[24], *values[24];
        size_t m = 0;
        for (char *tok = strtok(copy, ";"); tok && m < 24; tok = strtok(NULL, ";")) {
            char *eq = strchr(tok, '=');
            cr_assert_not_null(eq);
            *eq = '\0';
            names[m] = tok;
            values[m++] = eq + 1;
        }
        cr_assert_eq(cf_runset_add_raw(rs, (long)k + 2, m, names, values, NULL, NULL), CF_OK);
        free(copy);
    }
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_runset_end_source(rs, &err), CF_OK, "%s", err.message);
    return rs;
}

Test(inference, gpu_hours_per_1m_conversion)
{
    /* 8 GPUs at 2000 tokens/s: 8 / (2000 x 3600) x 1e6 = 8e6 / 7.2e6 = 1.1111 accelerator-hours per 1M tokens. */
    cr_assert_float_eq(cf_gpu_hours_per_1m(8, 2000), 10.0 / 9.0, 1e-12);
    /* 1 GPU at 1e6 tokens/s: 1 / 3.6e9 x 1e6 = 2.7778e-4 h. */
    cr_assert_float_eq(cf_gpu_hours_per_1m(1, 1e6), 1.0 / 3600.0, 1e-15);
    cr_assert(isnan(cf_gpu_hours_per_1m(0, 100)));
    cr_assert(isnan(cf_gpu_hours_per_1m(1, 0)));
    cr_assert(isnan(cf_gpu_hours_per_1m(1, NAN)));
    double r = 0;
    cr_assert_eq(cf_io_ratio_parse("3:1", &r), CF_OK);
    cr_assert_float_eq(r, 3.0, 1e-15);
    cr_assert_eq(cf_io_ratio_parse("7 : 2", &r), CF_OK);
    cr_assert_float_eq(r, 3.5, 1e-15);
    cr_assert_eq(cf_io_ratio_parse("4", &r), CF_OK);
    cr_assert_float_eq(r, 4.0, 1e-15);
    cr_assert_eq(cf_io_ratio_parse("0:1", &r), CF_ERR_INVALID);
    cr_assert_eq(cf_io_ratio_parse("a:b", &r), CF_ERR_INVALID);
    cr_assert_str_eq(cf_work_unit_name(CF_WORK_TOKENS), "tokens");
    cr_assert_str_eq(cf_work_unit_name(CF_WORK_NONE), "");
}

Test(inference, runset_derives_hours_and_split)
{
    cf_catalog *cat = load_cat();
    const char *recs[] = {
        /* ratio 3:1 of 2000 tokens/s: input 2000 x 3/4 = 1500, output 500 */
        "run_id=A;accuracy=0.9;hardware=gpu700;num_gpus=8;tokens_per_s=2000;input_output_ratio=3:1;ttft=120",
        /* parts only: tokens = 1500 + 500 = 2000, ratio 3 */
        "run_id=B;accuracy=0.8;hardware=NVIDIA GPU-700;num_gpus=8;input_tokens_per_s=1500;output_tokens_per_s=500",
        /* total and one part: output = 2000 - 1500 = 500 */
        "run_id=C;accuracy=0.8;hardware=gpu700;num_gpus=8;tokens_per_s=2000;input_tokens_per_s=1500",
        /* a total that disagrees with its parts: rejected */
        "run_id=D;accuracy=0.8;hardware=gpu700;num_gpus=8;tokens_per_s=100;input_tokens_per_s=30;"
        "output_tokens_per_s=60",
        /* a throughput without num_gpus: rejected */
        "run_id=E;accuracy=0.8;hardware=gpu700;tokens_per_s=100",
        /* a negative throughput: rejected */
        "run_id=F;accuracy=0.8;hardware=gpu700;num_gpus=1;samples_per_s=-3",
    };
    cf_runset *rs = runs_of(cat, NULL, recs, sizeof recs / sizeof *recs);
    cr_assert_eq(cf_runset_size(rs), 3);
    cr_assert_eq(cf_runset_rejected(rs), 3);
    for (size_t i = 0; i < 3; i++) {
        const cf_run *r = cf_runset_get(rs, i);
        cr_assert_eq(r->work_unit, CF_WORK_TOKENS);
        cr_assert_str_eq(r->hardware, "gpu700", "aliases resolve");
        cr_assert_float_eq(r->tokens_per_s, 2000, 1e-9);
        cr_assert_float_eq(r->input_tokens_per_s, 1500, 1e-9);
        cr_assert_float_eq(r->output_tokens_per_s, 500, 1e-9);
        cr_assert_float_eq(r->input_output_ratio, 3, 1e-12);
        cr_assert_float_eq(r->gpu_hours, 10.0 / 9.0, 1e-12);
        /* wall hours per 1M: 1e6 / (2000 x 3600) = 0.13889 */
        cr_assert_float_eq(r->wall_hours, 1e6 / 7.2e6, 1e-12);
    }
    cr_assert_float_eq(cf_runset_get(rs, 0)->ttft_ms, 120, 1e-12);
    cr_assert(isnan(cf_runset_get(rs, 1)->ttft_ms));
    const cf_reject *d = cf_runset_reject(rs, 0), *e = cf_runset_reject(rs, 1), *f = cf_runset_reject(rs, 2);
    cr_assert_str_eq(d->field, "tokens_per_s");
    cr_assert(strstr(d->message, "= 90") != NULL, "%s", d->message);
    cr_assert_str_eq(e->field, "num_gpus");
    cr_assert(strstr(e->message, "accelerator-hours per 1M tokens") != NULL, "%s", e->message);
    cr_assert_str_eq(f->field, "samples_per_s");
    double v;
    cr_assert_eq(cf_runset_numeric(rs, 0, "ttft_ms", &v), CF_OK);
    cr_assert_float_eq(v, 120, 1e-12);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
}

/* The frontier's per-1M fields of run A (8 GPUs, 2000 tokens/s = 1500 in + 500 out), on demand at 2.00 USD/h:
 *   cost per 1M tokens   = 1.1111 h x 2.00 = 2.2222 USD
 *   per 1M output tokens = 2.2222 x 2000 / 500 = 8.8889 USD; per 1M input tokens = 2.2222 x 2000 / 1500 = 2.9630
 *   energy (board power) = 1.1111 h x 0.7 kW x 1.5 = 1.16667 kWh; CO2e = 1.16667 x 0.4 = 0.46667 kg
 * and spot (0.80, no interruptions): 1.1111 x 0.8 = 0.88889 USD; reserved 1y: 1.1111 x 1.2 = 1.3333 USD.
 * Run M gives power_w = 5000 W measured for the same throughput: energy = 5 kW x 0.13889 h x 1.5 = 1.041667 kWh,
 * CO2e = 0.416667 kg. */
Test(inference, frontier_fields_and_measured_power)
{
    cf_catalog *cat = load_cat();
    const char *recs[] = {
        "run_id=A;accuracy=0.9;hardware=gpu700;num_gpus=8;tokens_per_s=2000;input_output_ratio=3",
        "run_id=M;accuracy=0.85;hardware=gpu700;num_gpus=8;tokens_per_s=2000;power_w=5000",
    };
    cf_runset *rs = runs_of(cat, NULL, recs, 2);
    cf_frontier_opts o;
    cf_frontier_opts_default(&o);
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_objectives_parse("accuracy:max,cost_per_1m_tokens_usd:min", o.objectives, CF_MAX_OBJECTIVES,
                                     &o.n_objectives, &err),
                 CF_OK, "%s", err.message);
    o.procurements = (1u << CF_PROC_ON_DEMAND) | (1u << CF_PROC_SPOT) | (1u << CF_PROC_RESERVED_1Y);
    cf_frontier *f = cf_frontier_create(rs, cat, &o);
    cr_assert_eq(cf_frontier_compute(f, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_frontier_candidate_count(f), 6);
    cr_assert(cf_frontier_is_inference(f));
    cr_assert_str_eq(cf_frontier_work_unit(f), "tokens");
    /* candidates: run A on_demand, spot, reserved_1y, then run M */
    cr_assert_float_eq(cf_frontier_field(f, 0, "cost_per_1m_tokens_usd"), 20.0 / 9.0, 1e-9);
    cr_assert_float_eq(cf_frontier_field(f, 0, "cost_per_1m_output_tokens_usd"), 80.0 / 9.0, 1e-9);
    cr_assert_float_eq(cf_frontier_field(f, 0, "cost_per_1m_input_tokens_usd"), 80.0 / 27.0, 1e-9);
    cr_assert_float_eq(cf_frontier_field(f, 0, "gpu_hours_per_1m_tokens"), 10.0 / 9.0, 1e-12);
    cr_assert_float_eq(cf_frontier_field(f, 0, "energy_kwh_per_1m_tokens"), 7.0 / 6.0, 1e-9);
    cr_assert_float_eq(cf_frontier_field(f, 0, "co2e_kg_per_1m_tokens"), 7.0 / 15.0, 1e-9);
    cr_assert(isnan(cf_frontier_field(f, 0, "cost_per_1m_samples_usd")), "another unit");
    cr_assert_float_eq(cf_frontier_field(f, 1, "cost_per_1m_tokens_usd"), 8.0 / 9.0, 1e-9);
    cr_assert_float_eq(cf_frontier_field(f, 2, "cost_per_1m_tokens_usd"), 12.0 / 9.0, 1e-9);
    cr_assert_eq(cf_frontier_candidate(f, 0)->price.energy_measured, 0);
    cr_assert_eq(cf_frontier_candidate(f, 3)->price.energy_measured, 1);
    cr_assert_float_eq(cf_frontier_field(f, 3, "energy_kwh_per_1m_tokens"), 5.0 * 1e6 / 7.2e6 * 1.5, 1e-9);
    cr_assert_float_eq(cf_frontier_field(f, 3, "co2e_kg_per_1m_tokens"), 5.0 * 1e6 / 7.2e6 * 1.5 * 0.4, 1e-9);
    /* M has no split: no per-input or per-output cost */
    cr_assert(isnan(cf_frontier_field(f, 3, "cost_per_1m_output_tokens_usd")));
    int noted = 0;
    for (size_t i = 0; i < cf_frontier_note_count(f); i++)
        noted |= strstr(cf_frontier_note(f, i), "measured system power") != NULL;
    cr_assert(noted, "the measured power is said");
    /* Frontier: A spot (0.9, 0.889) dominates every M option (0.85, >= 0.889) and the dearer A options: {A spot}. */
    cr_assert_eq(cf_frontier_optimal_count(f), 1);
    cr_assert(cf_frontier_is_optimal(f, 1));
    char *table = NULL;
    cr_assert_eq(cf_report_table(f, rs, &table, &err), CF_OK);
    cr_assert(strstr(table, "cost_per_1m_tokens_usd") != NULL, "%s", table);
    cr_assert(strstr(table, "0.889") != NULL, "%s", table);
    cr_assert(strstr(table, "per 1M tokens") != NULL, "%s", table);
    free(table);
    cf_frontier_destroy(f);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
}

/* A cheap token: 1 GPU at 1e6 tokens/s on demand costs 2.00 / 3600 = 0.000556 USD per 1M tokens, which the table
 * prints with three significant digits, never as 0.00; its CO2e 2.7778e-4 h x 0.7 x 1.5 x 0.4 = 0.000117 kg. */
Test(inference, tiny_costs_keep_significant_digits)
{
    char buf[64];
    cr_assert_str_eq(cf_money_str(buf, sizeof buf, 2.0 / 3600.0, "-"), "0.000556");
    cf_catalog *cat = load_cat();
    const char *recs[] = {"run_id=T;accuracy=0.7;hardware=gpu700;num_gpus=1;tokens_per_s=1000000"};
    cf_runset *rs = runs_of(cat, NULL, recs, 1);
    cf_frontier_opts o;
    cf_frontier_opts_default(&o);
    o.procurements = 1u << CF_PROC_ON_DEMAND;
    cf_error err;
    cf_error_clear(&err);
    cf_frontier *f = cf_frontier_create(rs, cat, &o);
    cr_assert_eq(cf_frontier_compute(f, &err), CF_OK, "%s", err.message);
    char *table = NULL;
    cr_assert_eq(cf_report_table(f, rs, &table, &err), CF_OK);
    cr_assert(strstr(table, "0.000556") != NULL, "%s", table);
    cr_assert(strstr(table, "0.000117") != NULL, "%s", table);
    cr_assert(strstr(table, " 0.00 ") == NULL, "%s", table);
    free(table);
    cf_frontier_destroy(f);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
}

Test(inference, units_never_mixed)
{
    cf_catalog *cat = load_cat();
    const char *recs[] = {
        "run_id=tok;accuracy=0.9;hardware=gpu700;num_gpus=8;tokens_per_s=2000;",
        "run_id=smp;accuracy=0.8;hardware=gpu700;num_gpus=8;samples_per_s=30",
        "run_id=train;accuracy=0.8;hardware=gpu700;gpu_hours=30",
    };
    cf_runset *rs = runs_of(cat, NULL, recs, 3);
    cr_assert_eq(cf_runset_get(rs, 1)->work_unit, CF_WORK_SAMPLES);
    cr_assert_eq(cf_runset_get(rs, 2)->work_unit, CF_WORK_NONE);
    cf_frontier_opts o;
    cf_frontier_opts_default(&o);
    cf_error err;
    cf_error_clear(&err);
    cf_frontier *f = cf_frontier_create(rs, cat, &o);
    cr_assert_eq(cf_frontier_compute(f, &err), CF_ERR_INVALID);
    cr_assert_str_eq(err.field, "throughput_unit");
    cr_assert(strstr(err.message, "1 tokens (e.g. tok)") != NULL, "%s", err.message);
    cr_assert(strstr(err.message, "1 samples (e.g. smp)") != NULL, "%s", err.message);
    cr_assert(strstr(err.message, "training runs") != NULL, "%s", err.message);
    cf_frontier_destroy(f);
    /* --where throughput_unit=samples keeps one kind: 8 / (30 x 3600) x 1e6 = 74.074 h x 2.00 = 148.148 USD */
    o.where_field[0] = "throughput_unit";
    o.where_value[0] = "samples";
    o.n_where = 1;
    o.procurements = 1u << CF_PROC_ON_DEMAND;
    f = cf_frontier_create(rs, cat, &o);
    cr_assert_eq(cf_frontier_compute(f, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_frontier_candidate_count(f), 1);
    cr_assert_float_eq(cf_frontier_field(f, 0, "cost_per_1m_samples_usd"), 8e6 / 108000.0 * 2.0, 1e-9);
    cf_frontier_destroy(f);
    /* a per-1M-tokens objective over sample runs has no value anywhere: a clear error */
    cr_assert_eq(cf_objectives_parse("accuracy,cost_per_1m_tokens_usd", o.objectives, CF_MAX_OBJECTIVES,
                                     &o.n_objectives, &err),
                 CF_OK);
    f = cf_frontier_create(rs, cat, &o);
    cr_assert_eq(cf_frontier_compute(f, &err), CF_ERR_INVALID);
    cr_assert(strstr(err.message, "cost_per_1m_tokens_usd") != NULL, "%s", err.message);
    cf_frontier_destroy(f);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
}

Test(inference, metric_extraction)
{
    const char *text = "ROUGE1: 44.53  ROUGE2: 22.07  ROUGE-L: 28.9 TOKENS_PER_SAMPLE: 294.4";
    double v = 0;
    char name[32];
    cr_assert_eq(cf_metric_extract(text, NULL, &v, name, sizeof name), CF_OK);
    cr_assert_float_eq(v, 44.53, 1e-12);
    cr_assert_str_eq(name, "ROUGE1");
    cr_assert_eq(cf_metric_extract(text, "rouge2", &v, NULL, 0), CF_OK);
    cr_assert_float_eq(v, 22.07, 1e-12);
    cr_assert_eq(cf_metric_extract(text, "ROUGE-L", &v, NULL, 0), CF_OK);
    cr_assert_float_eq(v, 28.9, 1e-12);
    cr_assert_eq(cf_metric_extract("acc=76.1; top5=93", "top5", &v, NULL, 0), CF_OK);
    cr_assert_float_eq(v, 93, 1e-12);
    cr_assert_eq(cf_metric_extract(text, "BLEU", &v, NULL, 0), CF_ERR_NOT_FOUND);
    cr_assert_eq(cf_metric_extract("no metrics here", NULL, &v, NULL, 0), CF_ERR_NOT_FOUND);

    cf_catalog *cat = load_cat();
    const char *recs[] = {
        "run_id=L1;accuracy=ROUGE1: 44.53  ROUGE2: 22.07;hardware=gpu700;num_gpus=8;tokens_per_s=2000",
        "run_id=L2;accuracy=ROUGE1: 45.00  ROUGE2: 23.00;hardware=gpu700;num_gpus=8;tokens_per_s=2000",
    };
    /* No extract: the first metric (ROUGE1), read as percent: 44.53 / 100. */
    cf_runset *rs = runs_of(cat, NULL, recs, 2);
    cr_assert_eq(cf_runset_size(rs), 2);
    cr_assert_float_eq(cf_runset_get(rs, 0)->accuracy, 0.4453, 1e-12);
    int noted = 0;
    for (size_t i = 0; i < cf_runset_note_count(rs); i++)
        noted |= strstr(cf_runset_note(rs, i), "first metric taken (ROUGE1") != NULL;
    cr_assert(noted);
    cf_runset_destroy(rs);
    /* A mapping's extract, keyed by the raw column name as the mapping file writes it. */
    cf_colmap *map = cf_colmap_create();
    cr_assert_eq(cf_colmap_set_extract(map, "Accuracy", "ROUGE2"), CF_OK);
    rs = runs_of(cat, map, recs, 2);
    cr_assert_float_eq(cf_runset_get(rs, 0)->accuracy, 0.2207, 1e-12);
    cr_assert_float_eq(cf_runset_get(rs, 1)->accuracy, 0.23, 1e-12);
    cf_runset_destroy(rs);
    /* A metric the text lacks: both records rejected naming it. */
    cr_assert_eq(cf_colmap_set_extract(map, "accuracy", "BLEU"), CF_OK);
    cf_runset *rs2 = cf_runset_create(cat, map);
    cf_runset_begin_source(rs2, "inf.csv");
    const char *names[] = {"run_id", "accuracy", "hardware", "num_gpus", "tokens_per_s"};
    const char *vals[] = {"L3", "ROUGE1: 44.5", "gpu700", "8", "2000"};
    cr_assert_eq(cf_runset_add_raw(rs2, 2, 5, names, vals, NULL, NULL), CF_OK);
    cf_error err;
    cf_error_clear(&err);
    cf_runset_end_source(rs2, &err);
    cr_assert_eq(cf_runset_size(rs2), 0);
    cr_assert_eq(cf_runset_rejected(rs2), 1);
    cr_assert(strstr(cf_runset_reject(rs2, 0)->message, "BLEU") != NULL, "%s", cf_runset_reject(rs2, 0)->message);
    cf_runset_destroy(rs2);
    cf_colmap_destroy(map);
    cf_catalog_destroy(cat);
}
