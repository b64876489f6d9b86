/* Tests of models/surrogate.c and models/prior.c: the encoding (log-scale detection, categorical levels, ordered
 * precision), the catalog prior checked by hand, unseen hardware following the prior ratio, predictions at the
 * training configurations, log-normal interval propagation to costs, bad configurations, the search, and the
 * determinism of `costfront predict --format json`. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "costfront/catalog.h"
#include "costfront/pricing.h"
#include "costfront/runset.h"
#include "costfront/predicted.h"
#include "costfront/surrogate.h"
#include "predicted.h"

static cf_catalog *cat;
static cf_runset *rs;

static void load_catalog(void)
{
    cf_error err;
    cat = cf_catalog_create();
    cr_assert_not_null(cat);
    cr_assert_eq(cf_catalog_load_default(cat, &err), CF_OK);
}

static void teardown(void)
{
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
    rs = NULL;
    cat = NULL;
}

/* Builds a runset from rows of "name=value;name=value" strings. */
static void make_runs(const char *const *rows, size_t n)
{
    cf_error err;
    rs = cf_runset_create(cat, NULL);
    cr_assert_not_null(rs);
    cr_assert_eq(cf_runset_begin_source(rs, "test"), CF_OK);
    for (size_t i = 0; i < n; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", rows[i]);
        const char *names[16], *values[16];
        size_t k = 0;
        for (char *save = NULL, *tok = strtok_r(buf, ";", &save); tok && k < 16; tok = strtok_r(NULL, ";", &save)) {
            char *eq = strchr(tok, '=');
            cr_assert_not_null(eq);
            *eq = '\0';
            names[k] = tok;
            values[k] = eq + 1;
            k++;
        }
        cr_assert_eq(cf_runset_add_raw(rs, (long)i + 2, k, names, values, NULL, NULL), CF_OK);
    }
    cr_assert_eq(cf_runset_end_source(rs, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), n, "rejected %zu", cf_runset_rejected(rs));
}

static void load_example(void)
{
    cf_error err;
    if (cat == NULL) load_catalog(); /* the suite's .init may already have loaded it */
    rs = cf_runset_create(cat, NULL);
    cr_assert_not_null(rs);
    cr_assert_eq(cf_read_runs(rs, CF_SOURCE_DIR "/examples/runs.csv", &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 144);
}

static size_t field(const cf_surrogate *s, const char *name)
{
    for (size_t j = 0; j < cf_surrogate_field_count(s); j++)
        if (!strcmp(cf_surrogate_field_name(s, j), name)) return j;
    cr_assert_fail("no field %s", name);
    return 0;
}

/* Twelve A100-80GB bf16 runs of one workload: 10 GPU-hours each (+-2%), accuracy falling with the distance of
 * log10(lr) from -3.5, optimizer and batch size varying. */
static const char *const A100_ROWS[] = {
    "run_id=a1;hardware=a100-80gb;precision=bf16;accuracy=0.800;gpu_hours=10.1;lr=1e-5;optimizer=sgd;batch_size=32",
    "run_id=a2;hardware=a100-80gb;precision=bf16;accuracy=0.830;gpu_hours=9.9;lr=3e-5;optimizer=adamw;batch_size=64",
    "run_id=a3;hardware=a100-80gb;precision=bf16;accuracy=0.850;gpu_hours=10.2;lr=1e-4;optimizer=lion;batch_size=128",
    "run_id=a4;hardware=a100-80gb;precision=bf16;accuracy=0.860;gpu_hours=9.8;lr=3e-4;optimizer=adamw;batch_size=256",
    "run_id=a5;hardware=a100-80gb;precision=bf16;accuracy=0.850;gpu_hours=10.0;lr=1e-3;optimizer=sgd;batch_size=32",
    "run_id=a6;hardware=a100-80gb;precision=bf16;accuracy=0.830;gpu_hours=10.1;lr=3e-3;optimizer=lion;batch_size=64",
    "run_id=a7;hardware=a100-80gb;precision=bf16;accuracy=0.800;gpu_hours=9.9;lr=1e-2;optimizer=adamw;batch_size=128",
    "run_id=a8;hardware=a100-80gb;precision=bf16;accuracy=0.845;gpu_hours=10.0;lr=2e-4;optimizer=sgd;batch_size=256",
    "run_id=a9;hardware=a100-80gb;precision=bf16;accuracy=0.855;gpu_hours=10.2;lr=5e-4;optimizer=lion;batch_size=32",
    "run_id=a10;hardware=a100-80gb;precision=bf16;accuracy=0.820;gpu_hours=9.8;lr=5e-5;optimizer=adamw;batch_size=64",
    "run_id=a11;hardware=a100-80gb;precision=bf16;accuracy=0.840;gpu_hours=10.0;lr=2e-3;optimizer=sgd;batch_size=128",
    "run_id=a12;hardware=a100-80gb;precision=bf16;accuracy=0.810;gpu_hours=10.1;lr=6e-3;optimizer=lion;batch_size=256",
};

static cf_surrogate *fit_a100(const cf_surrogate_opts *o)
{
    cf_error err;
    cf_surrogate *s = NULL;
    cr_assert_eq(cf_surrogate_create(rs, cat, o, &s, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_surrogate_fit(s, &err), CF_OK, "%s", err.message);
    return s;
}

static cf_config *parse(const cf_surrogate *s, const char *json)
{
    cf_error err;
    cf_config *c = NULL;
    cr_assert_eq(cf_surrogate_parse_config(s, json, "t", 1, &c, &err), CF_OK, "%s: %s", json, err.message);
    return c;
}

TestSuite(prior, .init = load_catalog, .fini = teardown);

/* s(p) = 1 + 0.8 p up to 0.5, then 1.4 + 0.9 (p - 0.5): 1.24 at 0.3, 1.4 at 0.5, 1.76 at 0.9. */
Test(prior, pruning_speedup_by_hand)
{
    cr_assert_float_eq(cf_prior_pruning_speedup(0.0), 1.0, 1e-15);
    cr_assert_float_eq(cf_prior_pruning_speedup(0.3), 1.24, 1e-15);
    cr_assert_float_eq(cf_prior_pruning_speedup(0.5), 1.4, 1e-15);
    cr_assert_float_eq(cf_prior_pruning_speedup(0.7), 1.58, 1e-15);
    cr_assert_float_eq(cf_prior_pruning_speedup(0.9), 1.76, 1e-15);
}

/* Catalog ratios: L4 int8 = 0.7772, H100 bf16 = 3.1712, A10G bf16 = 0.4006 (A100-80GB bf16 = 1). */
Test(prior, hardware_precision_pruning_by_hand)
{
    const cf_hardware *l4 = cf_catalog_hardware(cat, "l4"), *h100 = cf_catalog_hardware(cat, "h100");
    const cf_hardware *a10g = cf_catalog_hardware(cat, "a10g"), *a100 = cf_catalog_hardware(cat, "a100-80gb");
    cr_assert(l4 && h100 && a10g && a100);
    int fb = -1;
    /* -log(0.7772 x 1.4) */
    cr_assert_float_eq(cf_prior_log_gpu_hours(l4, CF_PREC_INT8, 0.5, &fb), -0.08441467514236084, 1e-12);
    cr_assert_eq(fb, 0);
    /* -log(3.1712) */
    cr_assert_float_eq(cf_prior_log_gpu_hours(h100, CF_PREC_BF16, 0.0, NULL), -1.1541100651535317, 1e-12);
    /* -log(0.4006 x 1.24) */
    cr_assert_float_eq(cf_prior_log_gpu_hours(a10g, CF_PREC_BF16, 0.3, NULL), 0.6996804761334736, 1e-12);
    cr_assert_float_eq(cf_prior_log_gpu_hours(a100, CF_PREC_BF16, 0.0, NULL), 0.0, 1e-15);
    /* A100 has no fp8 in the catalog: the nearest wider precision (fp16, 1.0) is used and flagged. */
    cr_assert(isnan(cf_prior_throughput(a100, CF_PREC_FP8)));
    cr_assert_float_eq(cf_prior_log_gpu_hours(a100, CF_PREC_FP8, 0.0, &fb), 0.0, 1e-15);
    cr_assert_eq(fb, 1);
}

/* The within-cell estimator by hand. Cell 0: lx = 0, 1, 2, r = 1, 1.5, 2.1 (means 1, 1.5333); cell 1: lx = 0, 2,
 * r = 5, 6 (means 1, 5.5). Deviations: Sxx = 2 + 2 = 4, Sxy = (0.5333 + 0.5667) + (0.5 + 0.5) = 2.1, beta = 0.525.
 * Residuals dy - beta dx: -0.008333, -0.033333, 0.041667, 0.025, -0.025; RSS = 0.0041667 over 5 - 2 - 1 = 2
 * degrees of freedom: s^2 = 0.0020833, var(beta) = s^2 / Sxx = 0.00052083. Between cells (DerSimonian-Laird): slopes
 * 1.1 / 2 = 0.55 and 1 / 2 = 0.5, weights Sxx_c / s^2 = 960 each; Q = 960 (0.025^2 + 0.025^2) = 1.2, k - 1 = 1;
 * sum w - sum w^2 / sum w = 1920 - 960 = 960; tau^2 = (1.2 - 1) / 960 = 0.00020833. */
Test(prior, scaling_exponent_by_hand)
{
    const double lx[] = {0, 1, 2, 0, 2}, r[] = {1, 1.5, 2.1, 5, 6};
    const size_t cell[] = {0, 0, 0, 1, 1};
    double b = -1, v = -1, t2 = -1;
    cr_assert_eq(cf_prior_scaling_exponent(lx, r, cell, 5, &b, &v, &t2), CF_OK);
    cr_assert_float_eq(b, 0.525, 1e-12);
    cr_assert_float_eq(v, 0.0005208333333333343, 1e-12);
    cr_assert_float_eq(t2, 0.2 / 960.0, 1e-12);
    /* Slopes closer together than their noise explains give tau^2 = 0: cell 1 at r = 5, 6.1 (slope 0.55, equal to
     * cell 0's) leaves Q = 0. */
    const double r2[] = {1, 1.5, 2.1, 5, 6.1};
    cr_assert_eq(cf_prior_scaling_exponent(lx, r2, cell, 5, &b, &v, &t2), CF_OK);
    cr_assert_float_eq(b, 0.55, 1e-12);
    cr_assert_float_eq(t2, 0.0, 1e-15);
    /* One scale per cell: nothing to learn the exponent from (beta 0). A level shift between cells is not slope. */
    const size_t own[] = {0, 1, 2, 3, 4};
    cr_assert_eq(cf_prior_scaling_exponent(lx, r, own, 5, &b, &v, &t2), CF_ERR_EMPTY);
    cr_assert_float_eq(b, 0.0, 1e-15);
    cr_assert_float_eq(v, 0.0, 1e-15);
}

TestSuite(surrogate, .init = load_catalog, .fini = teardown, .timeout = 60);

/* lr spans 1e-5 .. 1e-2 (1000x, positive): log scale; batch_size 32 .. 256 (8x): linear; optimizer: categorical
 * with sorted levels; precision ordered by default and categorical on request; --log / --linear override. */
Test(surrogate, encoding)
{
    make_runs(A100_ROWS, 12);
    cf_error err;
    cf_surrogate *s = NULL;
    cr_assert_eq(cf_surrogate_create(rs, cat, NULL, &s, &err), CF_OK, "%s", err.message);
    size_t lr = field(s, "lr"), bs = field(s, "batch_size"), opt = field(s, "optimizer"), prec = field(s, "precision");
    cr_assert_eq(cf_surrogate_field_log(s, lr), 1);
    cr_assert_eq(cf_surrogate_field_log(s, bs), 0);
    double lo, hi;
    cf_surrogate_field_range(s, lr, &lo, &hi);
    cr_assert_float_eq(lo, 1e-5, 1e-18);
    cr_assert_float_eq(hi, 1e-2, 1e-15);
    cr_assert_eq(cf_surrogate_field_categorical(s, opt), 1);
    cr_assert_eq(cf_surrogate_field_levels(s, opt), 3);
    cr_assert_str_eq(cf_surrogate_field_level(s, opt, 0), "adamw");
    cr_assert_str_eq(cf_surrogate_field_level(s, opt, 1), "lion");
    cr_assert_str_eq(cf_surrogate_field_level(s, opt, 2), "sgd");
    cr_assert_eq(cf_surrogate_field_categorical(s, prec), 0);
    /* Hardware: one seen + "never run"; an input of the hours model only. */
    cr_assert_eq(cf_surrogate_field_levels(s, 0), 2);
    cr_assert_str_eq(cf_surrogate_field_level(s, 0, 1), "(never run)");
    cr_assert_eq(cf_surrogate_field_column(s, 0, CF_SURR_METRIC), (size_t)-1);
    cr_assert_neq(cf_surrogate_field_column(s, 0, CF_SURR_HOURS), (size_t)-1);
    cr_assert_eq(cf_surrogate_n_train(s, CF_SURR_METRIC), 12);
    cf_surrogate_destroy(s);

    cf_surrogate_opts o;
    cf_surrogate_opts_default(&o);
    o.precision_categorical = 1;
    o.log_params = "batch_size";
    o.linear_params = "lr";
    cr_assert_eq(cf_surrogate_create(rs, cat, &o, &s, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_surrogate_field_log(s, field(s, "lr")), 0);
    cr_assert_eq(cf_surrogate_field_log(s, field(s, "batch_size")), 1);
    cr_assert_eq(cf_surrogate_field_categorical(s, field(s, "precision")), 1);
    cr_assert_eq(cf_surrogate_field_levels(s, field(s, "precision")), CF_PREC_COUNT);
    cf_surrogate_destroy(s);

    o.log_params = "momentum";
    cr_assert_eq(cf_surrogate_create(rs, cat, &o, &s, &err), CF_ERR_INVALID);
    cr_assert_null(s);
    cr_assert_str_eq(err.field, "momentum");
    o.log_params = NULL;
    o.target = "nonexistent";
    cr_assert_eq(cf_surrogate_create(rs, cat, &o, &s, &err), CF_ERR_NOT_FOUND);
    cr_assert(strstr(err.message, "'nonexistent'") != NULL);
}

/* A hardware never run is predicted through the catalog ratio: the runs take 10 GPU-hours on an A100-80GB at
 * bf16, so an H100 at bf16 should take 10 / 3.1712 = 3.153 and an L4 at int8 with 50% pruning 10 / (0.7772 x 1.4)
 * = 9.190, and the prediction says it leans on the prior. */
Test(surrogate, unseen_hardware_follows_prior_ratio)
{
    make_runs(A100_ROWS, 12);
    cf_surrogate *s = fit_a100(NULL);
    cf_error err;
    cf_prediction p;
    cf_config *c = parse(s, "{\"hardware\": \"h100\", \"precision\": \"bf16\", \"lr\": 3e-4}");
    cr_assert_eq(cf_surrogate_predict(s, c, &p, &err), CF_OK, "%s", err.message);
    cr_assert_float_eq(p.log_gpu_hours.mean, log(10.0 / 3.1712), 0.03);
    cr_assert_eq(p.hardware_unseen, 1);
    cr_assert(strstr(p.note, "catalog prior") != NULL && strstr(p.note, "h100") != NULL, "%s", p.note);
    cf_config_destroy(c);
    c = parse(s, "{\"hardware\": \"l4\", \"precision\": \"int8\", \"pruning\": 0.5, \"lr\": 3e-4}");
    cr_assert_eq(cf_surrogate_predict(s, c, &p, &err), CF_OK, "%s", err.message);
    cr_assert_float_eq(p.log_gpu_hours.mean, log(10.0 / (0.7772 * 1.4)), 0.03);
    cr_assert_float_eq(p.prior_log_gpu_hours, -0.08441467514236084, 1e-12);
    cr_assert_eq(p.hardware_unseen, 1);
    /* The seen hardware at its seen precision does not lean on the prior. */
    cf_config_destroy(c);
    c = parse(s, "{\"hardware\": \"a100-80gb\", \"precision\": \"bf16\"}");
    cr_assert_eq(cf_surrogate_predict(s, c, &p, &err), CF_OK);
    cr_assert_eq(p.hardware_unseen, 0);
    cr_assert_eq(p.precision_unseen, 0);
    cr_assert_str_eq(p.note, "");
    cr_assert_float_eq(p.gpu_hours.mean, 10.0, 0.3);
    cf_config_destroy(c);
    cf_surrogate_destroy(s);
}

/* GPU-hours are log-normal: mean exp(mu + s^2/2), sd mean sqrt(exp(s^2) - 1), bounds exp(mu -/+ 1.96 s); every
 * cost is the exact price of one GPU-hour times those, so its mean and bounds follow by hand. */
Test(surrogate, interval_propagation_to_costs)
{
    make_runs(A100_ROWS, 12);
    cf_surrogate *s = fit_a100(NULL);
    cf_error err;
    cf_prediction p;
    cf_config *c = parse(s, "{\"hardware\": \"l4\", \"precision\": \"int8\", \"pruning\": 0.5}");
    cr_assert_eq(cf_surrogate_predict(s, c, &p, &err), CF_OK);
    double mu = p.log_gpu_hours.mean, sd = p.log_gpu_hours.sd, z = 1.959963984540054;
    cr_assert(sd > 0);
    cr_assert_float_eq(p.gpu_hours.mean, exp(mu + sd * sd / 2), 1e-9 * p.gpu_hours.mean);
    cr_assert_float_eq(p.gpu_hours.sd, exp(mu + sd * sd / 2) * sqrt(exp(sd * sd) - 1), 1e-9);
    cr_assert_float_eq(p.gpu_hours.lo, exp(mu - z * sd), 1e-9);
    cr_assert_float_eq(p.gpu_hours.hi, exp(mu + z * sd), 1e-9);
    cr_assert_float_eq(p.metric.lo, p.metric.mean - z * p.metric.sd, 1e-12);
    cf_price unit;
    cr_assert_eq(cf_price_hours(cat, "l4", NULL, NULL, 1.0, CF_PROC_ON_DEMAND, NULL, &unit, &err), CF_OK);
    cf_predicted_cost pc;
    cr_assert_eq(cf_surrogate_price(s, c, &p, CF_PROC_ON_DEMAND, NULL, &pc, &err), CF_OK, "%s", err.message);
    cr_assert_float_eq(pc.cost_usd.mean, unit.price_per_hour * exp(mu + sd * sd / 2), 1e-9);
    cr_assert_float_eq(pc.cost_usd.lo, unit.price_per_hour * exp(mu - z * sd), 1e-9);
    cr_assert_float_eq(pc.cost_usd.hi, unit.price_per_hour * exp(mu + z * sd), 1e-9);
    cr_assert_float_eq(pc.total_cost_usd.mean, unit.total_cost_usd * p.gpu_hours.mean, 1e-9);
    cr_assert_float_eq(pc.co2e_kg.hi, unit.co2e_kg * exp(mu + z * sd), 1e-9);
    cr_assert_float_eq(pc.price.cost_usd, pc.cost_usd.mean, 1e-9);
    cr_assert(pc.total_cost_usd.lo < pc.total_cost_usd.mean && pc.total_cost_usd.mean < pc.total_cost_usd.hi);
    /* An option no offer prices is reported, not invented: the A100 PCIe 40GB has no offer in the catalog. */
    cf_config_destroy(c);
    c = parse(s, "{\"hardware\": \"a100-pcie-40gb\"}");
    cr_assert_eq(cf_surrogate_predict(s, c, &p, &err), CF_OK);
    cr_assert_eq(cf_surrogate_price(s, c, &p, CF_PROC_ON_DEMAND, NULL, &pc, &err), CF_ERR_NOT_FOUND);
    cf_config_destroy(c);
    cf_surrogate_destroy(s);
}

/* A row of the runs copied as a configuration is accepted: results and unused run fields are ignored with a
 * note, and provider, region and procurement price the prediction there (issue 9). */
Test(surrogate, run_row_as_config)
{
    make_runs(A100_ROWS, 12);
    cf_error err;
    cf_surrogate *s = fit_a100(NULL);
    cf_config *c = parse(s, "{\"run_id\": \"r7\", \"accuracy\": 0.91, \"gpu_hours\": 12, \"model\": \"bert\", "
                            "\"hardware\": \"a100-80gb\", \"provider\": \"generic\", \"region\": \"us-west-2\", "
                            "\"procurement\": \"spot\", \"lr\": 0.001}");
    const char *note = cf_config_note(c);
    cr_assert(strstr(note, "accuracy is a result, not a setting: ignored") != NULL, "%s", note);
    cr_assert(strstr(note, "run_id is a result") != NULL, "%s", note);
    cr_assert(strstr(note, "model is not an input of the model") != NULL, "%s", note);
    cr_assert_eq(cf_config_procurement(c), (int)CF_PROC_SPOT);
    char *json = NULL;
    cr_assert_eq(cf_config_json(s, c, &json, &err), CF_OK);
    cr_assert(strstr(json, "\"provider\":\"generic\",\"region\":\"us-west-2\",\"procurement\":\"spot\"") != NULL, "%s",
              json);
    free(json);
    /* Priced with the generic us-west-2 offer: the same unit price as cf_price_hours there, times the predicted hours. */
    cf_prediction p;
    cr_assert_eq(cf_surrogate_predict(s, c, &p, &err), CF_OK, "%s", err.message);
    cf_price unit;
    cr_assert_eq(cf_price_hours(cat, "a100-80gb", "generic", "us-west-2", 1.0, CF_PROC_SPOT, NULL, &unit, &err), CF_OK,
                 "%s", err.message);
    cf_predicted_cost pc;
    cr_assert_eq(cf_surrogate_price(s, c, &p, CF_PROC_SPOT, NULL, &pc, &err), CF_OK, "%s", err.message);
    cr_assert_float_eq(pc.total_cost_usd.mean, unit.total_cost_usd * p.gpu_hours.mean, 1e-9);
    cr_assert_str_eq(pc.price.region->id, "us-west-2");
    cf_config_destroy(c);
    cf_surrogate_destroy(s);
}

/* Bad configurations: each names the field and the line. */
Test(surrogate, bad_configurations)
{
    make_runs(A100_ROWS, 12);
    cf_error err;
    cf_surrogate *s = NULL;
    cr_assert_eq(cf_surrogate_create(rs, cat, NULL, &s, &err), CF_OK);
    static const struct {
        const char *json, *field, *msg;
        cf_status st;
    } cases[] = {
        {"{\"hardware\": \"rtx9090\"}", "hardware", "unknown hardware 'rtx9090'", CF_ERR_INVALID},
        {"{\"pruning\": 1.5}", "pruning", "expected a sparsity fraction in [0, 1), found 1.5", CF_ERR_INVALID},
        {"{\"pruning\": -0.1}", "pruning", "found -0.1", CF_ERR_INVALID},
        {"{\"momentum\": 0.9}", "momentum", "unknown field 'momentum'", CF_ERR_INVALID},
        {"{\"optimizer\": \"adagrad\"}", "optimizer",
         "value 'adagrad' of 'optimizer' was never seen in the runs; seen: "
         "adamw, lion, sgd",
         CF_ERR_INVALID},
        {"{\"precision\": \"fp12\"}", "precision", "found 'fp12'", CF_ERR_INVALID},
        {"{\"hardware\": \"t4\", \"precision\": \"bf16\"}", "precision", "hardware t4 does not support bf16",
         CF_ERR_INVALID},
        {"{\"lr\": -1}", "lr", "expected a positive value for 'lr'", CF_ERR_INVALID},
        {"{\"lr\": \"fast\"}", "lr", "expected a number for 'lr', found 'fast'", CF_ERR_INVALID},
        {"{\"region\": \"mars-1\"}", "region", "unknown region 'mars-1'", CF_ERR_INVALID},
        {"{\"provider\": \"acme\"}", "provider", "no offer in the catalog is from provider 'acme'", CF_ERR_INVALID},
        {"{\"procurement\": \"lease\"}", "procurement", "expected a procurement option", CF_ERR_INVALID},
        {"[1, 2]", "", "expected one JSON object", CF_ERR_PARSE},
        {"{\"hardware\": ", "", "expected one JSON object", CF_ERR_PARSE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cf_config *c = (cf_config *)1;
        cf_error_clear(&err);
        cf_status st = cf_surrogate_parse_config(s, cases[i].json, "configs.jsonl", 7, &c, &err);
        cr_assert_eq(st, cases[i].st, "%s: status %d", cases[i].json, st);
        cr_assert_null(c);
        cr_assert_str_eq(err.field, cases[i].field, "%s", cases[i].json);
        cr_assert(strstr(err.message, cases[i].msg) != NULL, "%s: '%s' not in '%s'", cases[i].json, cases[i].msg,
                  err.message);
        cr_assert_str_eq(err.source, "configs.jsonl");
        cr_assert_eq(err.line, 7);
    }
    /* Out of the observed range is accepted with a note; an omitted field is defaulted (median, most frequent). */
    cf_config *c = parse(s, "{\"lr\": 0.1}");
    cr_assert(strstr(cf_config_note(c), "lr = 0.1 is outside the range of the runs") != NULL, "%s", cf_config_note(c));
    cr_assert_eq(cf_config_defaulted(c, field(s, "lr")), 0);
    cr_assert_eq(cf_config_defaulted(c, field(s, "batch_size")), 1);
    char *json = NULL;
    cr_assert_eq(cf_config_json(s, c, &json, &err), CF_OK);
    /* batch sizes 32 x 3, 64 x 3, 128 x 3, 256 x 3: median 96 (integer); optimizer: adamw, lion and sgd 4 each, the
     * first in sorted order wins. */
    cr_assert_str_eq(json, "{\"hardware\":\"a100-80gb\",\"precision\":\"bf16\",\"pruning\":0,\"lr\":0.1,"
                           "\"optimizer\":\"adamw\",\"batch_size\":96}");
    free(json);
    cf_config_destroy(c);
    cf_surrogate_destroy(s);
}

/* On the example runs: LOO is calibrated, and the predictions at the training configurations are close to what
 * was observed (accuracy noise is 0.004 and GPU-hours noise 8% in examples/gen_runs.py). */
Test(surrogate, example_training_configs_close, .init = load_example, .fini = teardown)
{
    cf_surrogate_opts o;
    cf_surrogate_opts_default(&o);
    cf_surrogate *s = fit_a100(&o);
    double rmse, nlpd, cov;
    cf_surrogate_loo(s, CF_SURR_METRIC, &rmse, &nlpd, &cov);
    cr_assert(rmse < 0.02 && cov > 0.85, "accuracy LOO rmse %g coverage %g", rmse, cov);
    cf_surrogate_loo(s, CF_SURR_HOURS, &rmse, &nlpd, &cov);
    cr_assert(rmse < 0.25 && cov > 0.85, "hours LOO rmse %g coverage %g", rmse, cov);
    cf_error err;
    double worst_acc = 0, worst_log = 0;
    for (size_t i = 0; i < 30; i++) {
        const cf_run *r = cf_runset_get(rs, i);
        char json[512];
        snprintf(json, sizeof json,
                 "{\"hardware\": \"%s\", \"precision\": \"%s\", \"pruning\": %.17g, \"model\": \"%s\", "
                 "\"dataset\": \"%s\", \"project\": \"%s\", \"optimizer\": \"%s\", \"lr\": %s, \"batch_size\": %s, "
                 "\"epochs\": %s}",
                 r->hardware, cf_precision_name(r->precision), r->pruning, r->model, r->dataset, r->project,
                 cf_runset_param_str(rs, i, cf_runset_param_find(rs, "optimizer")),
                 cf_runset_param_str(rs, i, cf_runset_param_find(rs, "lr")),
                 cf_runset_param_str(rs, i, cf_runset_param_find(rs, "batch_size")),
                 cf_runset_param_str(rs, i, cf_runset_param_find(rs, "epochs")));
        cf_config *c = parse(s, json);
        cf_prediction p;
        cr_assert_eq(cf_surrogate_predict(s, c, &p, &err), CF_OK);
        worst_acc = fmax(worst_acc, fabs(p.metric.mean - r->accuracy));
        worst_log = fmax(worst_log, fabs(p.log_gpu_hours.mean - log(r->gpu_hours)));
        cr_assert_eq(p.hardware_unseen, 0);
        cf_config_destroy(c);
    }
    cr_assert(worst_acc < 0.02, "worst accuracy error %g", worst_acc);
    cr_assert(worst_log < 0.3, "worst log GPU-hours error %g", worst_log);
    cf_surrogate_destroy(s);
}

/* The search: at most `limit` predicted candidates with coherent intervals, deterministic for a seed, fast. */
Test(surrogate, search_example, .init = load_example, .fini = teardown)
{
    cf_surrogate *s = fit_a100(NULL);
    cf_frontier_opts fo;
    cf_frontier_opts_default(&fo);
    cf_search_opts so;
    cf_search_opts_default(&so);
    so.limit = 30;
    so.seed = 7;
    cf_candidate *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    cf_search_stats st;
    cf_error err;
    cr_assert_eq(cf_surrogate_search(s, &fo, &so, &a, &na, &st, &err), CF_OK, "%s", err.message);
    cr_assert(na > 0 && na <= 30, "%zu", na);
    cr_assert(st.predicted <= so.max_predictions);
    cr_assert(st.combinations > 100);
    for (size_t i = 0; i < na; i++) {
        cr_assert_eq(a[i].predicted, 1);
        cr_assert(strncmp(a[i].run_id, "pred-", 5) == 0);
        cr_assert(strncmp(a[i].note, "settings:", 9) == 0, "%s", a[i].note);
        cr_assert(a[i].accuracy_lo < a[i].accuracy && a[i].accuracy < a[i].accuracy_hi);
        cr_assert(a[i].cost_lo < a[i].price.total_cost_usd && a[i].price.total_cost_usd < a[i].cost_hi);
        cr_assert(a[i].pruning >= 0 && a[i].pruning <= 0.9);
        cr_assert(fo.procurements & (1u << a[i].price.option));
    }
    cr_assert_eq(cf_surrogate_search(s, &fo, &so, &b, &nb, NULL, &err), CF_OK);
    cr_assert_eq(na, nb);
    for (size_t i = 0; i < na; i++) {
        cr_assert_str_eq(a[i].run_id, b[i].run_id);
        cr_assert_str_eq(a[i].note, b[i].note);
        cr_assert(a[i].accuracy == b[i].accuracy && a[i].price.total_cost_usd == b[i].price.total_cost_usd);
    }
    cf_surrogate_candidates_free(a, na);
    cf_surrogate_candidates_free(b, nb);
    /* An objective a prediction does not have is refused by name. */
    cr_assert_eq(
        cf_objectives_parse("accuracy:max,wall_hours:min", fo.objectives, CF_MAX_OBJECTIVES, &fo.n_objectives, &err),
        CF_OK);
    cr_assert_eq(cf_surrogate_search(s, &fo, &so, &a, &na, NULL, &err), CF_ERR_INVALID);
    cr_assert_str_eq(err.field, "wall_hours");
    cf_surrogate_destroy(s);
}

/* Reads a whole file into a malloc'd string. */
static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "%s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *b = calloc((size_t)n + 1, 1);
    cr_assert_eq(fread(b, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    return b;
}

/* `costfront predict --format json` twice gives byte-identical output with one entry per configuration in input
 * order; a bad configuration line exits 2. */
Test(cli, predict_json_deterministic, .timeout = 120)
{
    char dir[] = "/tmp/cf_surr_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char cfgs[256], o1[256], o2[256], bad[256];
    snprintf(cfgs, sizeof cfgs, "%s/c.jsonl", dir);
    snprintf(o1, sizeof o1, "%s/a.json", dir);
    snprintf(o2, sizeof o2, "%s/b.json", dir);
    snprintf(bad, sizeof bad, "%s/bad.jsonl", dir);
    FILE *fp = fopen(cfgs, "w");
    fputs("{\"model\": \"resnet50\", \"hardware\": \"l4\", \"precision\": \"int8\", \"pruning\": 0.5}\n\n"
          "{\"model\": \"bert-base\", \"hardware\": \"h100\", \"precision\": \"fp8\"}\n",
          fp);
    fclose(fp);
    fp = fopen(bad, "w");
    fputs("{\"model\": \"resnet50\"}\n{\"model\": \"resnet50\", \"hardware\": \"rtx9090\"}\n", fp);
    fclose(fp);
    char *a1[] = {
        "predict", CF_SOURCE_DIR "/examples/runs.csv", "--configs", cfgs, "--format", "json", "--out", o1, "--quiet",
        NULL};
    char *a2[] = {
        "predict", CF_SOURCE_DIR "/examples/runs.csv", "--configs", cfgs, "--format", "json", "--out", o2, "--quiet",
        NULL};
    char *a3[] = {"predict", CF_SOURCE_DIR "/examples/runs.csv", "--configs", bad, "--quiet", NULL};
    cr_assert_eq(cf_cmd_predict(9, a1), 0);
    cr_assert_eq(cf_cmd_predict(9, a2), 0);
    char *t1 = slurp(o1), *t2 = slurp(o2);
    cr_assert_str_eq(t1, t2);
    const char *first = strstr(t1, "\"l4\""), *second = strstr(t1, "\"h100\"");
    cr_assert(first && second && first < second);
    cr_assert(strstr(t1, "\"predictions\"") && strstr(t1, "\"costs\"") && strstr(t1, "\"total_cost_usd\""));
    cr_assert_eq(cf_cmd_predict(5, a3), 2);
    free(t1);
    free(t2);
    unlink(o1);
    unlink(o2);
    unlink(cfgs);
    unlink(bad);
    rmdir(dir);
}

/* Two workloads on A100-80GB bf16 (catalog prior 0) whose GPU-hours follow G = base x n^0.3 exactly (base 10 and
 * 40) over 1..64 accelerators: the within-cell estimator recovers the exponent 0.3 exactly (no residual, so its sd
 * is 0), and a scale 4x beyond the runs, 256, is predicted on the power law: log(10 x 256^0.3) = 3.9661. */
Test(surrogate, scaling_exponent_recovered)
{
    static char buf[14][160];
    const char *rows[14];
    const int n_acc[7] = {1, 2, 4, 8, 16, 32, 64};
    for (int w = 0; w < 2; w++)
        for (int k = 0; k < 7; k++) {
            int i = 7 * w + k;
            snprintf(buf[i], sizeof buf[i],
                     "run_id=s%d;model=%s;hardware=a100-80gb;precision=bf16;accuracy=%.3f;gpu_hours=%.17g;num_gpus=%d",
                     i, w ? "big" : "small", 0.8 + 0.001 * i, (w ? 40.0 : 10.0) * pow(n_acc[k], 0.3), n_acc[k]);
            rows[i] = buf[i];
        }
    make_runs(rows, 14);
    cf_surrogate *s = fit_a100(NULL);
    double b, bsd, tau, ref;
    cr_assert_eq(cf_surrogate_scaling(s, &b, &bsd, &tau, &ref), 1);
    cr_assert_float_eq(b, 0.3, 1e-9);
    cr_assert(bsd < 1e-6, "%g", bsd);
    cr_assert(tau < 1e-6, "%g", tau); /* both workloads scale alike */
    cr_assert_float_eq(ref, log(8.0), 1e-12); /* mean of log 1 .. log 64 = 3 log 2 */
    cf_error err;
    cf_prediction p;
    cf_config *c = parse(s, "{\"model\": \"small\", \"num_gpus\": 256}");
    cr_assert_eq(cf_surrogate_predict(s, c, &p, &err), CF_OK, "%s", err.message);
    cr_assert_float_eq(p.log_gpu_hours.mean, log(10.0) + 0.3 * log(256.0), 0.02, "%g", p.log_gpu_hours.mean);
    cf_config_destroy(c);
    cf_surrogate_destroy(s);
    /* Without num_gpus on every run the term is off (no field, beta 0). */
    cf_runset_destroy(rs);
    make_runs(A100_ROWS, 12);
    s = fit_a100(NULL);
    cr_assert_eq(cf_surrogate_scaling(s, &b, NULL, NULL, NULL), 0);
    cr_assert_float_eq(b, 0.0, 1e-15);
    cf_surrogate_destroy(s);
}
