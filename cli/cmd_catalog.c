/* costfront catalog: show, validate and export the price catalog. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void help(void)
{
    printf("usage: costfront catalog [list|hardware|instances|regions|offers|transfer|show NAME|resolve NAME|validate FILE|\n"
           "                         diff A B|export] [options]\n\n"
           "Shows the price catalog costfront uses: hardware (with aliases, power, memory, embodied carbon, price,\n"
           "life), instance types, regions (grid intensity, PUE, electricity), offers (USD per accelerator-hour by\n"
           "provider, region and hardware) and the carbon shadow price, each with its source and as_of date.\n\n"
           "  list (default)   a summary: counts, the carbon price, hardware, and every price with its as_of\n"
           "  hardware         every accelerator and its aliases\n"
           "  instances        every instance type (name -> hardware x accelerators)\n"
           "  regions          every region\n"
           "  offers           every offer with its as_of\n"
           "  transfer         data egress (USD/GB) and storage (USD/GB-month) prices by provider and region\n"
           "  show NAME        one hardware (id, alias or instance type) with its offers\n"
           "  resolve NAME     what a name resolves to and how (ambiguous names list their candidates)\n"
           "  validate FILE    check a user catalog file; errors name the JSON path (offers[3].spot)\n"
           "  diff A B         what changed from catalog file A to B (prices, hardware, sources, dates)\n"
           "  export           print the effective catalog as JSON (default merged with --catalog)\n\n"
           "A price whose as_of is more than 365 days before --today (default: today, UTC) is marked 'stale'.\n\n"
           "%s\n"
           "Examples:\n"
           "  costfront catalog show \"NVIDIA A100-SXM4-80GB\"\n"
           "  costfront catalog resolve p5.48xlarge\n"
           "  costfront catalog validate my-prices.json\n"
           "  costfront catalog diff old-prices.json new-prices.json\n"
           "  costfront catalog export --catalog my-prices.json > effective.json\n",
           cf_cli_catalog_options_help);
}

static void fmt_num(char *buf, size_t n, double v, const char *fmt)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, fmt, v);
}

/* Reference date for staleness: --today, else today's date in UTC. */
static const char *g_today;

/* The as_of column: the date, "stale" when more than a year before the reference date, "-" when undated. */
static void fmt_as_of(char *buf, size_t n, const char *as_of)
{
    long age = 0;
    int st = cf_catalog_is_stale(as_of, g_today, &age);
    if (as_of == NULL)
        snprintf(buf, n, "-");
    else if (st == 1)
        snprintf(buf, n, "%s (stale)", as_of);
    else
        snprintf(buf, n, "%s", as_of);
}

static void print_offer(const cf_offer *o)
{
    char od[32], r1[32], r3[32], sp[32], lam[32], asof[40];
    fmt_as_of(asof, sizeof asof, o->as_of);
    fmt_num(od, sizeof od, o->on_demand, "%.3f");
    fmt_num(r1, sizeof r1, o->reserved_1y, "%.3f");
    fmt_num(r3, sizeof r3, o->reserved_3y, "%.3f");
    fmt_num(sp, sizeof sp, o->spot, "%.3f");
    fmt_num(lam, sizeof lam, o->spot_interruptions_per_hour, "%.3f");
    printf("  %-20s %-16s %-14s %9s %9s %9s %9s %8s  %-18s %s\n", o->provider, o->region, o->hardware, od, r1, r3, sp,
           lam, asof, o->source ? o->source : "");
}

static void offers_header(void)
{
    printf("  %-20s %-16s %-14s %9s %9s %9s %9s %8s  %-18s %s\n", "provider", "region", "hardware", "on_demand",
           "reserv_1y", "reserv_3y", "spot", "lambda/h", "as_of", "source (USD per accelerator-hour)");
}

/* Prints the egress (USD per GB) and storage (USD per GB-month) tables, each entry with its as_of and source. */
static void print_transfer(const cf_catalog *cat)
{
    printf("egress (USD per GB leaving the region; free tiers ignored):\n");
    printf("  %-20s %-18s %-12s %9s %9s %9s  %-18s %s\n", "provider", "region", "network", "same_reg", "inter_reg",
           "internet", "as_of", "source");
    for (size_t i = 0; i < cf_catalog_egress_count(cat); i++) {
        const cf_egress *e = cf_catalog_egress_at(cat, i);
        char a[32], b[32], c[32], asof[40];
        fmt_num(a, sizeof a, e->same_region, "%.4f");
        fmt_num(b, sizeof b, e->inter_region, "%.4f");
        fmt_num(c, sizeof c, e->internet, "%.4f");
        fmt_as_of(asof, sizeof asof, e->as_of);
        printf("  %-20s %-18s %-12s %9s %9s %9s  %-18s %s\n", e->provider, e->region, e->network, a, b, c, asof,
               e->source ? e->source : "");
    }
    printf("storage (USD per GB-month):\n");
    printf("  %-20s %-18s %9s %9s %9s  %-18s %s\n", "provider", "region", "obj_std", "obj_ia", "block_ssd", "as_of",
           "source");
    for (size_t i = 0; i < cf_catalog_storage_count(cat); i++) {
        const cf_storage *s = cf_catalog_storage_at(cat, i);
        char v[CF_STORAGE_CLASS_COUNT][32], asof[40];
        for (int k = 0; k < CF_STORAGE_CLASS_COUNT; k++) fmt_num(v[k], sizeof v[k], s->usd_per_gb_month[k], "%.4f");
        fmt_as_of(asof, sizeof asof, s->as_of);
        printf("  %-20s %-18s %9s %9s %9s  %-18s %s\n", s->provider, s->region, v[0], v[1], v[2], asof,
               s->source ? s->source : "");
    }
}

static void print_hardware(const cf_hardware *h, int verbose)
{
    char pw[32], emb[32], life[32], usd[32], mem[32], asof[40];
    fmt_num(mem, sizeof mem, h->memory_gb, "%.0f GB");
    fmt_as_of(asof, sizeof asof, h->as_of);
    fmt_num(pw, sizeof pw, h->board_power_w, "%.0f W");
    fmt_num(emb, sizeof emb, h->embodied_kgco2e, "%.0f kg");
    fmt_num(life, sizeof life, h->life_years, "%.1f y");
    fmt_num(usd, sizeof usd, h->purchase_usd, "%.0f USD");
    printf("  %-16s %-36s %8s %7s %8s %7s %10s  %s\n", h->id, h->name ? h->name : "", pw, mem, emb, life, usd, asof);
    if (verbose) {
        printf("    aliases:");
        for (const char *const *a = h->aliases; a && *a; a++) printf(" \"%s\"", *a);
        printf("\n    throughput (training, inference):");
        static const char *const pk[CF_CATALOG_PRECISIONS] = {NULL, "fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4"};
        for (int k = 1; k < CF_CATALOG_PRECISIONS; k++) {
            char a[24], b[24];
            fmt_num(a, sizeof a, h->throughput[k], "%.3g");
            fmt_num(b, sizeof b, h->inference_throughput[k], "%.3g");
            printf(" %s %s/%s", pk[k], a, b);
        }
        printf("\n    source: %s\n", h->source ? h->source : "");
        if (h->throughput_source) printf("    throughput source: %s\n", h->throughput_source);
    }
}

int cf_cmd_catalog(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'}, CF_CLI_RUN_OPTIONS, {0, 0, 0, 0}};
    if (argc > 1 && !strcmp(argv[1], "from-bill")) return cf_cmd_catalog_from_bill(argc - 1, argv + 1);
    cf_cli_inputs in;
    cf_cli_inputs_init(&in);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            help();
            return CF_EXIT_OK;
        }
        int r = cf_cli_inputs_option(&in, c, optarg);
        if (r < 0) return CF_EXIT_USAGE;
        if (r == 0) return cf_cli_usage_error("catalog", "unknown option");
    }
    g_today = cf_cli_today(&in);
    const char *sub = optind < argc ? argv[optind] : "list";
    int rc = CF_EXIT_OK;
    if (!strcmp(sub, "validate")) {
        if (optind + 1 >= argc) return cf_cli_usage_error("catalog", "validate needs a FILE");
        cf_catalog *cat = cf_catalog_create();
        cf_error err;
        cf_error_clear(&err);
        /* --catalog-only checks the file as a whole catalog on its own; otherwise as merged over the default. */
        cf_status st = cat == NULL ? CF_ERR_NOMEM : CF_OK;
        if (st == CF_OK && !in.catalog_only) st = cf_catalog_load_default(cat, &err);
        if (st == CF_OK) st = cf_catalog_load_file(cat, argv[optind + 1], &err);
        if (st != CF_OK) {
            if (cat == NULL) fprintf(stderr, "costfront: out of memory\n");
            else cf_cli_print_error(NULL, &err);
            rc = cf_cli_exit_for(st);
        } else {
            for (size_t i = 0; i < cf_catalog_note_count(cat); i++) printf("note: %s\n", cf_catalog_note_at(cat, i));
            printf("%s: valid (%zu hardware, %zu regions, %zu offers %s)\n", argv[optind + 1],
                   cf_catalog_hardware_count(cat), cf_catalog_region_count(cat), cf_catalog_offer_count(cat),
                   in.catalog_only ? "on its own, without the default catalog" : "after merging with the default catalog");
        }
        cf_cli_inputs_free(&in);
        cf_catalog_destroy(cat);
        return rc;
    }
    if (!strcmp(sub, "diff")) {
        if (optind + 2 >= argc) return cf_cli_usage_error("catalog", "diff needs two catalog files A B");
        cf_catalog *ca = cf_catalog_create(), *cb = cf_catalog_create();
        cf_error err;
        cf_error_clear(&err);
        /* Like validate: each file as used with --catalog (over the default), or on its own with --catalog-only. */
        cf_status st = (ca && cb) ? CF_OK : CF_ERR_NOMEM;
        if (st == CF_OK && !in.catalog_only) st = cf_catalog_load_default(ca, &err);
        if (st == CF_OK) st = cf_catalog_load_file(ca, argv[optind + 1], &err);
        if (st == CF_OK && !in.catalog_only) st = cf_catalog_load_default(cb, &err);
        if (st == CF_OK) st = cf_catalog_load_file(cb, argv[optind + 2], &err);
        char *text = NULL;
        size_t n = 0;
        if (st == CF_OK) st = cf_catalog_diff(ca, cb, &text, &n, &err);
        if (st != CF_OK) {
            if (ca == NULL || cb == NULL) fprintf(stderr, "costfront: out of memory\n");
            else cf_cli_print_error(NULL, &err);
            rc = cf_cli_exit_for(st);
        } else {
            fputs(text, stdout);
            printf("%zu change%s from %s to %s\n", n, n == 1 ? "" : "s", argv[optind + 1], argv[optind + 2]);
        }
        free(text);
        cf_catalog_destroy(ca);
        cf_catalog_destroy(cb);
        cf_cli_inputs_free(&in);
        return rc;
    }
    rc = cf_cli_load_catalog(&in);
    if (rc != CF_EXIT_OK) {
        cf_cli_inputs_free(&in);
        return rc;
    }
    const cf_catalog *cat = in.catalog;
    if (!strcmp(sub, "list")) {
        printf("carbon price: %g USD per tonne CO2e (%s)\n", cf_catalog_carbon_price(cat),
               cf_catalog_carbon_price_source(cat) ? cf_catalog_carbon_price_source(cat) : "no source");
        printf("%zu hardware, %zu regions, %zu offers\n", cf_catalog_hardware_count(cat), cf_catalog_region_count(cat),
               cf_catalog_offer_count(cat));
        printf("%zu instance types; reference date for stale prices: %s\n", cf_catalog_instance_count(cat), g_today);
        printf("hardware:\n");
        for (size_t i = 0; i < cf_catalog_hardware_count(cat); i++) print_hardware(cf_catalog_hardware_at(cat, i), 0);
        size_t stale = 0, undated = 0;
        for (size_t i = 0; i < cf_catalog_offer_count(cat); i++) {
            const char *d = cf_catalog_offer_at(cat, i)->as_of;
            stale += cf_catalog_is_stale(d, g_today, NULL) == 1;
            undated += d == NULL;
        }
        printf("prices (%zu stale: as_of more than a year before %s; %zu undated):\n", stale, g_today, undated);
        offers_header();
        for (size_t i = 0; i < cf_catalog_offer_count(cat); i++) print_offer(cf_catalog_offer_at(cat, i));
        print_transfer(cat);
    } else if (!strcmp(sub, "transfer")) {
        print_transfer(cat);
    } else if (!strcmp(sub, "instances")) {
        for (size_t i = 0; i < cf_catalog_instance_count(cat); i++) {
            const cf_instance *x = cf_catalog_instance_at(cat, i);
            char asof[40];
            fmt_as_of(asof, sizeof asof, x->as_of);
            printf("  %-28s %-8s %3zu x %-14s %-18s %s\n", x->id, x->provider ? x->provider : "-", x->accelerators,
                   x->hardware, asof, x->source ? x->source : "");
        }
    } else if (!strcmp(sub, "resolve")) {
        if (optind + 1 >= argc) {
            cf_cli_inputs_free(&in);
            return cf_cli_usage_error("catalog", "resolve needs a NAME");
        }
        cf_hw_match m;
        cf_error err;
        cf_error_clear(&err);
        if (cf_catalog_resolve(cat, argv[optind + 1], &m, &err) != CF_OK) {
            cf_cli_print_error(NULL, &err);
            rc = CF_EXIT_INPUT;
        } else {
            static const char *const how[] = {"none", "name", "instance type", "loose (vendor words and memory "
                                                                               "sizes ignored)"};
            printf("%s -> %s x %zu (matched by %s%s%s)\n", argv[optind + 1], m.hardware->id, m.accelerators,
                   how[m.kind], m.instance ? ": " : "", m.instance ? m.instance->id : "");
        }
    } else if (!strcmp(sub, "hardware")) {
        for (size_t i = 0; i < cf_catalog_hardware_count(cat); i++) print_hardware(cf_catalog_hardware_at(cat, i), 1);
    } else if (!strcmp(sub, "regions")) {
        for (size_t i = 0; i < cf_catalog_region_count(cat); i++) {
            const cf_region *r = cf_catalog_region_at(cat, i);
            char el[32];
            fmt_num(el, sizeof el, r->electricity_usd_per_kwh, "%.4f");
            printf("  %-16s %7.1f gCO2e/kWh  PUE %.2f  %s USD/kWh  %s\n", r->id, r->grid_gco2e_per_kwh, r->pue, el,
                   r->source ? r->source : "");
        }
    } else if (!strcmp(sub, "offers")) {
        offers_header();
        for (size_t i = 0; i < cf_catalog_offer_count(cat); i++) print_offer(cf_catalog_offer_at(cat, i));
    } else if (!strcmp(sub, "show")) {
        if (optind + 1 >= argc) {
            cf_cli_inputs_free(&in);
            return cf_cli_usage_error("catalog", "show needs a hardware NAME");
        }
        cf_hw_match m;
        cf_error err;
        cf_error_clear(&err);
        const cf_hardware *h = cf_catalog_resolve(cat, argv[optind + 1], &m, &err) == CF_OK ? m.hardware : NULL;
        if (h == NULL) {
            cf_cli_print_error(NULL, &err);
            fprintf(stderr, "costfront: see 'costfront catalog hardware'\n");
            rc = CF_EXIT_INPUT;
        } else {
            print_hardware(h, 1);
            offers_header();
            for (size_t i = 0; i < cf_catalog_offer_count(cat); i++) {
                const cf_offer *o = cf_catalog_offer_at(cat, i);
                if (!strcmp(o->hardware, h->id)) print_offer(o);
            }
        }
    } else if (!strcmp(sub, "export")) {
        cf_error err;
        cf_error_clear(&err);
        char *text = NULL;
        cf_status st = cf_catalog_to_json(cat, &text, &err);
        if (st != CF_OK) {
            cf_cli_print_error(NULL, &err);
            rc = cf_cli_exit_for(st);
        } else {
            rc = cf_cli_write_output(NULL, text);
        }
        free(text);
    } else {
        rc = cf_cli_usage_error("catalog", "unknown subcommand '%s'", sub);
    }
    cf_cli_inputs_free(&in);
    return rc;
}
