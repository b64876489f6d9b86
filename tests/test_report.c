/* Tests of the reports (every file under reports/): the JSON golden file and hand-computed values of a tiny
 * frontier, the terminal table and CSV, the HTML skeleton (parsed back with libxml2's HTML parser), atomic
 * publication of the report directory when gnuplot fails or is missing, the atomic file and symlink writers, and
 * the gnuplot script (numbers in the C locale, NaN as '?', texts in the $CF_TEXT block; more in test_plot.c).
 *
 * The fixture: one GPU (500 W, 100 kg embodied, 5 y), one region (400 g/kWh, PUE 1.25), one offer priced on-demand
 * 2.0, 1y 1.5, 3y 1.2, spot 0.8 USD/h with no interruptions (so no spot overhead), carbon at 100 USD/t. A run of G
 * GPU-hours then emits G x 0.5 kW x 1.25 x 0.4 kg/kWh = 0.25 G kg and costs G x (price + 0.025) USD in total.
 * Runs: r1 (0.80, 10 h), r2-β (0.90, 40 h), r3 (0.85, 50 h) and a row with accuracy "abc" (rejected). Under
 * accuracy:max / total_cost_usd:min the frontier is r1/spot (0.80, 8.25) and r2-β/spot (0.90, 33); with the
 * reference point (0.7, 100) the hypervolume is 0.1 x 91.75 + 0.1 x 67 = 15.875.
 *
 * Regenerating the golden file after an intended change of the JSON: run the test once with CF_UPDATE_GOLDEN=1
 * (e.g. `CF_UPDATE_GOLDEN=1 ctest --test-dir build -R test_report`), review `git diff tests/golden/`, commit.
 */
#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlstring.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "costfront/catalog.h"
#include "costfront/frontier.h"
#include "costfront/numfmt.h"
#include "costfront/output.h"
#include "costfront/plot.h"
#include "costfront/report.h"
#include "costfront/runset.h"
#include "reports/numfmt.h"

#define GOLDEN CF_SOURCE_DIR "/tests/golden/report_frontier.json"
#define WORK   CF_BINARY_DIR "/test_report_work"

static const char CATALOG[] =
    "{\"carbon_price_usd_per_t\": 100, \"carbon_price_source\": \"test price\","
    " \"hardware\": [{\"id\": \"gpu-a\", \"name\": \"Test GPU A\", \"board_power_w\": 500, \"embodied_kgco2e\": 100,"
    "   \"life_years\": 5, \"throughput\": {\"bf16\": 1.0}, \"source\": \"hand\"}],"
    " \"regions\": [{\"id\": \"r-one\", \"grid_gco2e_per_kwh\": 400, \"pue\": 1.25, \"source\": \"hand region\"}],"
    " \"offers\": [{\"provider\": \"acme\", \"region\": \"r-one\", \"hardware\": \"gpu-a\", \"on_demand\": 2.0,"
    "   \"reserved_1y\": 1.5, \"reserved_3y\": 1.2, \"spot\": 0.8, \"spot_interruptions_per_hour\": 0,"
    "   \"source\": \"hand offer\"}]}";

typedef struct fixture {
    cf_catalog *cat;
    cf_runset *rs;
    cf_frontier *f;
} fixture;

static fixture fx;

/* Builds the catalog, runset and frontier described at the top. */
static void fixture_setup(void)
{
    cf_error err;
    cf_error_clear(&err);
    char msg[800];
    fx.cat = cf_catalog_create();
    cr_assert_not_null(fx.cat);
    cr_assert_eq(cf_catalog_load_string(fx.cat, CATALOG, "test catalog", &err), CF_OK, "%s",
                 cf_error_format(&err, msg, sizeof msg));
    fx.rs = cf_runset_create(fx.cat, NULL);
    cr_assert_not_null(fx.rs);
    static const char *const names[] = {"run_id", "accuracy", "gpu_hours", "hardware", "precision"};
    static const char *const rows[][5] = {{"r1", "0.80", "10", "gpu-a", "bf16"},
                                          {"r2-\xce\xb2", "0.90", "40", "gpu-a", "bf16"},
                                          {"r3", "0.85", "50", "gpu-a", "bf16"},
                                          {"r4", "abc", "5", "gpu-a", "bf16"}};
    cr_assert_eq(cf_runset_begin_source(fx.rs, "runs.csv"), CF_OK);
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(cf_runset_add_raw(fx.rs, (long)i + 2, 5, names, rows[i], NULL, NULL), CF_OK);
    cr_assert_eq(cf_runset_end_source(fx.rs, &err), CF_OK, "%s", cf_error_format(&err, msg, sizeof msg));
    cf_frontier_opts o;
    cf_frontier_opts_default(&o);
    o.reference[0] = 0.7;
    o.reference[1] = 100;
    o.reference_given = 1;
    fx.f = cf_frontier_create(fx.rs, fx.cat, &o);
    cr_assert_not_null(fx.f);
    cr_assert_eq(cf_frontier_compute(fx.f, &err), CF_OK, "%s", cf_error_format(&err, msg, sizeof msg));
    mkdir(WORK, 0755);
}

static void fixture_teardown(void)
{
    cf_frontier_destroy(fx.f);
    cf_runset_destroy(fx.rs);
    cf_catalog_destroy(fx.cat);
    memset(&fx, 0, sizeof fx);
}

/* Reads a whole file (NUL-terminated, malloc'd) or returns NULL; *n gets its size when n is not NULL. */
static char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) return NULL;
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = malloc((size_t)len + 1);
    size_t got = fread(s, 1, (size_t)len, fp);
    fclose(fp);
    s[got] = '\0';
    if (n != NULL) *n = got;
    return s;
}

/* Number of entries of dir whose name starts with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (d == NULL) return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) n++;
    closedir(d);
    return n;
}

/* Size of a file, -1 when missing. */
static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* Switches LC_NUMERIC to a locale whose decimal point is ',' (de_DE.UTF-8), compiling it with localedef into the
 * build tree when the system has none installed (setup.sh installs Debian's locales package, which provides the
 * de_DE source). Returns 1 when the switch worked (the caller restores "C"), 0 when no such locale can be had here;
 * the caller then skips its test with cr_skip_test, never with a logged warning (Criterion 2.4 exits non-zero on
 * a warning, which would fail a suite whose tests all pass). */
static int use_comma_locale(void)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
    for (int attempt = 0; attempt < 2; attempt++) {
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (setlocale(LC_NUMERIC, names[i]) != NULL) {
                if (strcmp(localeconv()->decimal_point, ",") == 0) return 1;
                setlocale(LC_NUMERIC, "C");
            }
        if (attempt == 0) {
            mkdir(WORK "/locale", 0755);
            if (file_size(WORK "/locale/de_DE.UTF-8") < 0 &&
                system("localedef -i de_DE -f UTF-8 '" WORK "/locale/de_DE.UTF-8' >/dev/null 2>&1") != 0)
                break;
            setenv("LOCPATH", WORK "/locale", 1);
        }
    }
    setlocale(LC_NUMERIC, "C");
    return 0;
}

TestSuite(report, .init = fixture_setup, .fini = fixture_teardown);

Test(report, json_matches_golden_file)
{
    char *json = NULL;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_report_json(fx.f, fx.rs, fx.cat, &json, &err), CF_OK, "%s", err.message);
    const char *update = getenv("CF_UPDATE_GOLDEN");
    if (update != NULL && strcmp(update, "1") == 0) {
        mkdir(CF_SOURCE_DIR "/tests/golden", 0755);
        cr_assert_eq(cf_write_string_atomic(GOLDEN, json, &err), CF_OK, "%s", err.message);
        cr_log_info("updated %s", GOLDEN);
    }
    char *golden = slurp(GOLDEN, NULL);
    cr_assert_not_null(golden, "missing %s: run once with CF_UPDATE_GOLDEN=1", GOLDEN);
    cr_assert_str_eq(json, golden, "JSON differs from %s (regenerate with CF_UPDATE_GOLDEN=1 if intended)", GOLDEN);
    /* Same inputs, byte-identical text. */
    char *again = NULL;
    cr_assert_eq(cf_report_json(fx.f, fx.rs, fx.cat, &again, &err), CF_OK);
    cr_assert_str_eq(json, again);
    free(again);
    free(golden);
    free(json);
}

Test(report, json_and_csv_ignore_a_decimal_comma_locale)
{
    char *json = NULL, *again = NULL, *csv = NULL;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_report_json(fx.f, fx.rs, fx.cat, &json, &err), CF_OK, "%s", err.message);
    if (!use_comma_locale()) {
        free(json);
        cr_skip_test("no decimal-comma locale could be made here (install Debian's locales package)");
    }
    cr_assert_eq(cf_report_json(fx.f, fx.rs, fx.cat, &again, &err), CF_OK);
    cr_assert_eq(cf_report_csv(fx.f, &csv, NULL), CF_OK);
    setlocale(LC_NUMERIC, "C");
    cr_assert_str_eq(json, again, "a decimal-comma locale changed the JSON");
    cr_assert_not_null(strstr(csv, ",0.8,"), "CSV numbers keep a decimal point");
    free(again);
    free(csv);
    free(json);
}

/* Field of a cJSON object as a number (NaN when absent or not a number). */
static double jnum(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Field of a cJSON object as a string ("" when absent). */
static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

Test(report, json_holds_hand_computed_values)
{
    char *json = NULL;
    cr_assert_eq(cf_report_json(fx.f, fx.rs, fx.cat, &json, NULL), CF_OK);
    cJSON *root = cJSON_Parse(json);
    cr_assert_not_null(root, "report JSON must parse");
    cr_assert_float_eq(jnum(root, "hypervolume"), 15.875, 1e-9);
    const cJSON *counts = cJSON_GetObjectItem(root, "counts");
    cr_assert_eq(jnum(counts, "read"), 4);
    cr_assert_eq(jnum(counts, "accepted"), 3);
    cr_assert_eq(jnum(counts, "rejected"), 1);
    cr_assert_eq(jnum(counts, "candidates"), 12);
    cr_assert_eq(jnum(counts, "frontier"), 2);
    const cJSON *front = cJSON_GetObjectItem(root, "frontier");
    cr_assert_eq(cJSON_GetArraySize(front), 2);
    const cJSON *a = cJSON_GetArrayItem(front, 0), *b = cJSON_GetArrayItem(front, 1);
    /* Sorted by the first objective (accuracy) ascending. */
    cr_assert_str_eq(jstr(a, "run_id"), "r1");
    cr_assert_str_eq(jstr(a, "procurement"), "spot");
    cr_assert_float_eq(jnum(a, "total_cost_usd"), 8.25, 1e-9);
    cr_assert_float_eq(jnum(a, "cost_usd"), 8.0, 1e-9);
    cr_assert_float_eq(jnum(a, "co2e_kg"), 2.5, 1e-9);
    cr_assert_float_eq(jnum(a, "energy_kwh"), 6.25, 1e-9);
    cr_assert_float_eq(jnum(a, "carbon_cost_usd"), 0.25, 1e-9);
    cr_assert_str_eq(jstr(a, "provider"), "acme");
    cr_assert_str_eq(jstr(a, "region"), "r-one");
    cr_assert_str_eq(jstr(b, "run_id"), "r2-\xce\xb2");
    cr_assert_float_eq(jnum(b, "total_cost_usd"), 33.0, 1e-9);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(b, "predicted")));
    cr_assert_null(cJSON_GetObjectItem(b, "intervals"), "observed runs carry no intervals");
    /* r3/spot (0.85, 41.25) is beaten by r2-β/spot (0.90, 33). */
    const cJSON *dom = cJSON_GetObjectItem(root, "dominated"), *d;
    cr_assert_eq(cJSON_GetArraySize(dom), 10);
    int found = 0;
    cJSON_ArrayForEach(d, dom)
    {
        if (strcmp(jstr(d, "run_id"), "r3") != 0 || strcmp(jstr(d, "procurement"), "spot") != 0) continue;
        found = 1;
        const cJSON *by = cJSON_GetObjectItem(d, "dominated_by");
        cr_assert_str_eq(jstr(by, "run_id"), "r2-\xce\xb2");
        cr_assert_str_eq(jstr(by, "procurement"), "spot");
        cr_assert(jnum(d, "margin") > 0);
    }
    cr_assert(found, "r3/spot must be listed as dominated");
    const cJSON *rej = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "rejects"), 0);
    cr_assert_str_eq(jstr(rej, "source"), "runs.csv");
    cr_assert_eq(jnum(rej, "line"), 5);
    const cJSON *pr = cJSON_GetObjectItem(root, "pricing");
    cr_assert_eq(jnum(pr, "carbon_price_usd_per_t"), 100);
    cr_assert_str_eq(jstr(pr, "carbon_price_source"), "test price");
    cr_assert_float_eq(jnum(cJSON_GetObjectItem(pr, "spot"), "checkpoint_minutes"), 2.0, 1e-9);
    cr_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(pr, "offers_used"), 0), "source"), "hand offer");
    cJSON_Delete(root);
    free(json);
}

Test(report, table_and_csv)
{
    char *table = NULL, *csv = NULL;
    cr_assert_eq(cf_report_table(fx.f, fx.rs, &table, NULL), CF_OK);
    cr_assert_not_null(strstr(table, "frontier: 2 of 12 candidates; hypervolume 15.875; runs read 4, accepted 3, "
                                     "rejected 1\n"),
                       "%s", table);
    /* Header plus two frontier rows before the summary, columns aligned: the accuracy column ends at the same
     * byte offset in each of the first three lines. */
    char *l1 = table, *l2 = strchr(l1, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
    cr_assert_not_null(strstr(l2, "r1 "));
    cr_assert_not_null(strstr(l2, "8.25"));
    cr_assert_not_null(strstr(l3, "33.00"));
    size_t e1 = (size_t)(strstr(l1, "accuracy") + 8 - l1), e2 = (size_t)(strstr(l2, "0.8000") + 6 - l2);
    cr_assert_eq(e1, e2, "accuracy column is right-aligned:\n%s", table);

    cr_assert_eq(cf_report_csv(fx.f, &csv, NULL), CF_OK);
    size_t lines = 0;
    for (const char *c = csv; *c; c++) lines += *c == '\n';
    cr_assert_eq(lines, 13, "header + 12 candidates");
    cr_assert(strncmp(csv, "run_id,procurement,", 19) == 0);
    cr_assert_not_null(strstr(csv, "\nr1,spot,gpu-a,bf16,0,0.8,10,10,0.8,0,8,6.25,2.5,"), "%s", csv);
    /* r3/spot: rank 1, dominated by r2-β/spot. */
    const char *r3 = strstr(csv, "\nr3,spot,");
    cr_assert_not_null(r3);
    const char *eol = strchr(r3 + 1, '\n');
    char row[512];
    snprintf(row, sizeof row, "%.*s", (int)(eol - r3 - 1), r3 + 1);
    cr_assert_not_null(strstr(row, ",0,0,1,r2-\xce\xb2/spot,"), "%s", row);
    free(table);
    free(csv);
}

/* Returns the element children of node named name, counting recursively. */
static int count_elems(xmlNodePtr node, const char *name)
{
    int n = 0;
    for (xmlNodePtr c = node; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (xmlStrcasecmp(c->name, (const xmlChar *)name) == 0) n++;
        n += count_elems(c->children, name);
    }
    return n;
}

/* Finds the first element with attribute id = id. */
static xmlNodePtr find_id(xmlNodePtr node, const char *id)
{
    for (xmlNodePtr c = node; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        xmlChar *v = xmlGetProp(c, (const xmlChar *)"id");
        int hit = v != NULL && strcmp((const char *)v, id) == 0;
        xmlFree(v);
        if (hit) return c;
        xmlNodePtr r = find_id(c->children, id);
        if (r != NULL) return r;
    }
    return NULL;
}

/* Number of <tr> in the <tbody> of the first table under node. */
static int tbody_rows(xmlNodePtr node)
{
    for (xmlNodePtr c = node; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (xmlStrcasecmp(c->name, (const xmlChar *)"tbody") == 0) return count_elems(c->children, "tr");
        int r = tbody_rows(c->children);
        if (r >= 0) return r;
    }
    return -1;
}

Test(report, html_skeleton)
{
    const char *dir = WORK "/html";
    cf_error err;
    cf_error_clear(&err);
    cf_report_opts o;
    cf_report_opts_default(&o);
    o.title = "Cost-accuracy report \xe2\x80\x94 test";
    o.target_accuracy = 0.85;
    cr_assert_eq(cf_report_write(fx.f, fx.rs, fx.cat, &o, dir, &err), CF_OK, "%s", err.message);

    size_t n = 0;
    char *text = slurp(WORK "/html/index.html", &n);
    cr_assert_not_null(text);
    cr_assert(strncmp(text, "<!DOCTYPE html>", 15) == 0, "HTML5 doctype first: %.60s", text);
    cr_assert(xmlCheckUTF8((const xmlChar *)text), "index.html is valid UTF-8");
    cr_assert_not_null(strstr(text, "<meta charset=\"utf-8\">"));
    cr_assert_null(strstr(text, "http://"), "no external resources");
    cr_assert_null(strstr(text, "https://"), "no external resources");
    cr_assert_not_null(strstr(text, "r2-\xce\xb2"), "UTF-8 kept raw");

    htmlDocPtr doc = htmlReadMemory(text, (int)n, "index.html", "UTF-8",
                                    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    cr_assert_not_null(doc);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr title = NULL;
    for (xmlNodePtr c = root->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, (const xmlChar *)"head") == 0)
            for (xmlNodePtr t = c->children; t; t = t->next)
                if (t->type == XML_ELEMENT_NODE && xmlStrcmp(t->name, (const xmlChar *)"title") == 0) title = t;
    cr_assert_not_null(title);
    xmlChar *tt = xmlNodeGetContent(title);
    cr_assert_str_eq((const char *)tt, o.title);
    xmlFree(tt);
    static const char *const ids[] = {"summary", "charts", "frontier", "dominated", "data-quality", "pricing"};
    for (size_t i = 0; i < 6; i++) cr_assert_not_null(find_id(root, ids[i]), "section %s", ids[i]);
    cr_assert_eq(tbody_rows(find_id(root, "frontier")), 2, "two frontier rows");
    cr_assert_eq(tbody_rows(find_id(root, "dominated")), 10, "ten dominated rows");
    cr_assert_eq(tbody_rows(find_id(root, "data-quality")), 1, "one rejected record");
    cr_assert_eq(tbody_rows(find_id(root, "pricing")), 1, "one offer used");
    cr_assert_eq(count_elems(root, "img"), 3);
    xmlChar *summary = xmlNodeGetContent(find_id(root, "summary"));
    /* Target 0.85: the cheapest frontier run reaching it is r2-β on spot at $33.00; on-demand's most accurate run
     * is r2-β at $81.00, so the savings are $48.00 (59.26%). */
    cr_assert_not_null(strstr((const char *)summary, "run r2-\xce\xb2 on spot (gpu-a, bf16): accuracy 90.00%, $33.00"),
                       "%s", summary);
    cr_assert_not_null(strstr((const char *)summary, "$48.00 (59.26%)"), "%s", summary);
    cr_assert_not_null(strstr((const char *)summary, "4 read, 3 accepted, 1 rejected"), "%s", summary);
    xmlFree(summary);
    xmlFreeDoc(doc);

    static const char *const files[] = {"accuracy_vs_cost.svg", "cost_by_option.svg", "accuracy_vs_co2e.svg"};
    for (size_t i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        cr_assert_gt(file_size(path), 1000, "%s exists and is not empty", path);
        char *svg = slurp(path, NULL);
        cr_assert_not_null(strstr(svg, "<svg"), "%s is an SVG", path);
        free(svg);
    }
    char *json = NULL, *written = slurp(WORK "/html/report.json", NULL);
    cr_assert_eq(cf_report_json_opts(fx.f, fx.rs, fx.cat, &o, &json, NULL), CF_OK);
    cr_assert_not_null(written);
    cr_assert_str_eq(written, json, "report.json is the JSON report (with its target)");
    cr_assert_eq(count_prefixed(WORK, "html."), 0, "no staging, old or script files left");
    free(json);
    free(written);
    free(text);
}

Test(report, predicted_candidates_carry_intervals)
{
    /* A predicted configuration (never run) on spot: accuracy 0.95 in [0.93, 0.97], total 40 in [35, 45]. It beats
     * everything on accuracy, so it joins the frontier as its third (most accurate) member. */
    cf_frontier_opts o = *cf_frontier_options(fx.f);
    cf_frontier *f = cf_frontier_create(fx.rs, fx.cat, &o);
    cf_candidate c;
    memset(&c, 0, sizeof c);
    c.run_id = "pred-1";
    c.hardware = "gpu-a";
    c.precision = CF_PREC_FP8;
    c.accuracy = 0.95;
    c.gpu_hours = 48;
    c.wall_hours = NAN;
    c.price.option = CF_PROC_SPOT;
    c.price.price_per_hour = 0.8;
    c.price.billed_gpu_hours = 48;
    c.price.cost_usd = 38.4;
    c.price.energy_kwh = 30;
    c.price.co2e_kg = 12;
    c.price.embodied_kgco2e = NAN;
    c.price.carbon_cost_usd = 1.2;
    c.price.total_cost_usd = 39.6;
    c.accuracy_lo = 0.93;
    c.accuracy_hi = 0.97;
    c.cost_lo = 35;
    c.cost_hi = 45;
    c.note = "GPU-hours lean on the catalog prior";
    cr_assert_eq(cf_frontier_add_candidate(f, &c), CF_OK);
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_frontier_compute(f, &err), CF_OK, "%s", err.message);
    char *json = NULL;
    cr_assert_eq(cf_report_json(f, fx.rs, fx.cat, &json, &err), CF_OK);
    cJSON *root = cJSON_Parse(json);
    const cJSON *front = cJSON_GetObjectItem(root, "frontier");
    cr_assert_eq(cJSON_GetArraySize(front), 3);
    const cJSON *p = cJSON_GetArrayItem(front, 2);
    cr_assert_str_eq(jstr(p, "run_id"), "pred-1");
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(p, "predicted")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(p, "embodied_kgco2e")), "NaN is null");
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(p, "provider")), "no offer: null provider");
    const cJSON *iv = cJSON_GetObjectItem(p, "intervals");
    cr_assert_float_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(iv, "accuracy"), 0)->valuedouble, 0.93, 1e-12);
    cr_assert_float_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(iv, "total_cost_usd"), 1)->valuedouble, 45, 1e-12);
    cr_assert_str_eq(jstr(p, "note"), "GPU-hours lean on the catalog prior");
    cJSON_Delete(root);
    free(json);

    cf_report_opts ro;
    cf_report_opts_default(&ro);
    cr_assert_eq(cf_report_write(f, fx.rs, fx.cat, &ro, WORK "/predicted", &err), CF_OK, "%s", err.message);
    char *html = slurp(WORK "/predicted/index.html", NULL);
    cr_assert_not_null(strstr(html, ">0.9500 [0.9300, 0.9700]</td>"), "interval shown in the frontier table");
    cr_assert_not_null(strstr(html, "39.60 [35.00, 45.00]"));
    cr_assert_gt(file_size(WORK "/predicted/accuracy_vs_cost.svg"), 1000);
    free(html);
    cf_frontier_destroy(f);
}

Test(report, text_is_escaped_not_markup)
{
    cf_report *r = cf_report_create("a <b>bold</b> & title");
    cr_assert_eq(cf_report_add_section(r, "x", "Section <x>"), CF_OK);
    cr_assert_eq(cf_report_add_section(r, "x", "again"), CF_ERR_ARG, "duplicate ids are refused");
    cr_assert_eq(cf_report_add_section(r, "bad id", "t"), CF_ERR_ARG);
    cr_assert_eq(cf_report_add_paragraph(r, "<script>alert(1)</script>"), CF_OK);
    const char *head[] = {"name", "USD"};
    const char *cells[] = {"a", "1,234.50", "b", "-2e3"};
    cr_assert_eq(cf_report_add_table(r, NULL, 2, head, 2, cells), CF_OK);
    char *html = NULL;
    cr_assert_eq(cf_report_html(r, &html, NULL), CF_OK);
    cr_assert_null(strstr(html, "<script>"));
    cr_assert_not_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    cr_assert_not_null(strstr(html, "a &lt;b&gt;bold&lt;/b&gt; &amp; title"));
    cr_assert_not_null(strstr(html, "<td class=\"num\">1,234.50</td>"), "numeric column right-aligned: %s", html);
    cr_assert_not_null(strstr(html, "<td>a</td>"));
    free(html);
    cf_report_destroy(r);
}

/* Publishes a one-section report holding plot to dir. */
static cf_status publish_with_plot(const char *dir, cf_plot *plot, cf_error *err)
{
    cf_report *r = cf_report_create("t");
    cr_assert_eq(cf_report_add_section(r, "s", "S"), CF_OK);
    cr_assert_eq(cf_report_add_chart(r, plot, "chart.svg", "a chart"), CF_OK);
    cf_status st = cf_report_publish(r, dir, err);
    cf_report_destroy(r);
    return st;
}

/* A small valid chart. */
static cf_plot *small_plot(void)
{
    cf_plot *p = cf_plot_create("small");
    double x[] = {1, 2, 3}, y[] = {3, 1, 2};
    cr_assert_eq(cf_plot_add_series(p, "s", CF_PLOT_LINESPOINTS, x, y, 3, NULL), CF_OK);
    return p;
}

Test(report, failed_publish_leaves_earlier_report_untouched)
{
    const char *dir = WORK "/atomic";
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(publish_with_plot(dir, small_plot(), &err), CF_OK, "%s", err.message);
    size_t n1 = 0;
    char *before = slurp(WORK "/atomic/index.html", &n1);
    cr_assert_not_null(before);
    long svg_before = file_size(WORK "/atomic/chart.svg");
    cr_assert_gt(svg_before, 0);

    /* 1. gnuplot rejects the script: the error names the kept script (in gnuplot's own staging directory under
     *    TMPDIR, never beside the report), the old report stays. */
    char *old_tmp = getenv("TMPDIR") != NULL ? strdup(getenv("TMPDIR")) : NULL;
    mkdir(WORK "/gptmp", 0755);
    setenv("TMPDIR", WORK "/gptmp", 1);
    cf_plot *bad = small_plot();
    cf_plot_set_labels(bad, "a new label", NULL);
    cr_assert_eq(cf_plot_add_command(bad, "set no_such_gnuplot_option 1"), CF_OK);
    cr_assert_eq(publish_with_plot(dir, bad, &err), CF_ERR_EXTERNAL);
    if (old_tmp != NULL)
        setenv("TMPDIR", old_tmp, 1);
    else
        unsetenv("TMPDIR");
    free(old_tmp);
    const char *kept = strstr(err.message, WORK "/gptmp/costfront-plot-");
    cr_assert_not_null(kept, "%s", err.message);
    char kept_path[512];
    snprintf(kept_path, sizeof kept_path, "%.*s", (int)strcspn(kept, " "), kept);
    cr_assert_gt(file_size(kept_path), 0, "the failing script is kept at %s", kept_path);
    cr_assert_eq(count_prefixed(WORK, "atomic."), 0, "no script beside the report directory");
    cf_remove_tree(WORK "/gptmp", NULL);
    char *after = slurp(WORK "/atomic/index.html", NULL);
    cr_assert_str_eq(after, before);
    cr_assert_eq(file_size(WORK "/atomic/chart.svg"), svg_before);
    cr_assert_eq(count_prefixed(WORK, "atomic.tmp."), 0, "no staging directory left");
    cr_assert_eq(count_prefixed(WORK, "atomic.old."), 0);
    cr_assert_eq(count_prefixed(WORK "/atomic", "chart.svg.tmp"), 0);
    free(after);

    /* 2. gnuplot is not installed (empty PATH): a message saying what to install, the old report stays. */
    char *path = strdup(getenv("PATH") != NULL ? getenv("PATH") : "/usr/bin:/bin");
    char *gp = getenv("CF_GNUPLOT") != NULL ? strdup(getenv("CF_GNUPLOT")) : NULL;
    unsetenv("CF_GNUPLOT");
    setenv("PATH", "", 1);
    cf_status st = publish_with_plot(dir, small_plot(), &err);
    setenv("PATH", path, 1);
    if (gp != NULL) setenv("CF_GNUPLOT", gp, 1);
    cr_assert_eq(st, CF_ERR_EXTERNAL);
    cr_assert_not_null(strstr(err.message, "gnuplot-nox"), "%s", err.message);
    after = slurp(WORK "/atomic/index.html", NULL);
    cr_assert_str_eq(after, before);
    cr_assert_eq(count_prefixed(WORK, "atomic.tmp."), 0);
    free(after);

    /* 3. A successful publish replaces the old report and leaves nothing beside it. */
    cf_plot *p = small_plot();
    cr_assert_eq(publish_with_plot(dir, p, &err), CF_OK, "%s", err.message);
    cr_assert_eq(count_prefixed(WORK, "atomic."), 0);
    free(path);
    free(gp);
    free(before);
}

Test(report, refuses_to_replace_a_foreign_directory)
{
    const char *dir = WORK "/foreign";
    cf_remove_tree(dir, NULL);
    mkdir(dir, 0755);
    cr_assert_eq(cf_write_string_atomic(WORK "/foreign/thesis.tex", "precious", NULL), CF_OK);
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(publish_with_plot(dir, small_plot(), &err), CF_ERR_IO);
    cr_assert_not_null(strstr(err.message, "refusing to replace"), "%s", err.message);
    cr_assert_eq(file_size(WORK "/foreign/thesis.tex"), 8);
    cr_assert_eq(count_prefixed(WORK, "foreign."), 0);
    /* An empty directory is fine. */
    cf_remove_tree(dir, NULL);
    mkdir(dir, 0755);
    cr_assert_eq(publish_with_plot(dir, small_plot(), &err), CF_OK, "%s", err.message);
    cr_assert_gt(file_size(WORK "/foreign/index.html"), 0);
}

Test(report, plot_script_numbers_and_missing_values)
{
    cf_plot *p = cf_plot_create("it's 'quoted'");
    double x[] = {0.5, NAN, 1e-12, 12345678901.0, -0.0}, y[] = {1, 2, INFINITY, 0.1 + 0.2, 3};
    cr_assert_eq(cf_plot_add_series(p, "a'b", CF_PLOT_POINTS, x, y, 5, NULL), CF_OK);
    char *s = NULL;
    cr_assert_eq(cf_plot_script(p, "out.svg", &s, NULL), CF_OK);
    /* Texts are lines of the $CF_TEXT block, never quoted literals (issue 10). */
    cr_assert_not_null(strstr(s, "$CF_TEXT << EOD\nit's 'quoted'\na'b\nEOD\n"), "%s", s);
    cr_assert_not_null(strstr(s, "set title $CF_TEXT[1]\n"), "%s", s);
    cr_assert_not_null(strstr(s, "set datafile missing '?'\n"));
    cr_assert_not_null(strstr(s, "$D0 << EOD\n0.5 1\n? 2\n1e-12 ?\n1.23456789e+10 0.3\n0 3\nEOD\n"), "%s", s);
    cr_assert_not_null(strstr(s, "title $CF_TEXT[2]"));
    /* Under a locale with a decimal comma the text is identical. */
    if (use_comma_locale()) {
        char *t = NULL;
        cr_assert_eq(cf_plot_script(p, "out.svg", &t, NULL), CF_OK);
        setlocale(LC_NUMERIC, "C");
        cr_assert_str_eq(t, s, "a decimal-comma locale changed the script");
        free(t);
    }
    free(s);
    cf_plot_destroy(p);
}

Test(report, plot_kinds_render)
{
    cf_error err;
    cf_error_clear(&err);
    /* Histogram: 10 values in 5 bins of width 2 over [0, 10]: counts 2 each. */
    cf_plot *h = cf_plot_create("histogram");
    double v[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10, NAN};
    cr_assert_eq(cf_plot_add_histogram(h, "draws", v, 11, 5, NULL), CF_OK);
    char *s = NULL;
    cr_assert_eq(cf_plot_script(h, "h.svg", &s, NULL), CF_OK);
    cr_assert_not_null(strstr(s, "$D0 << EOD\n1 2 2\n3 2 2\n5 2 2\n7 2 2\n9 2 2\nEOD\n"), "%s", s);
    free(s);
    cr_assert_eq(cf_plot_render_svg(h, WORK "/hist.svg", NULL, &err), CF_OK, "%s", err.message);
    cr_assert_gt(file_size(WORK "/hist.svg"), 0);
    cr_assert_eq(file_size(WORK "/hist.gp"), -1, "no script beside the chart");
    cf_plot_destroy(h);

    /* Tornado: horizontal bars with named rows; lines over time with a breakeven marker; error bars. */
    cf_plot *t = cf_plot_create("tornado");
    double zero[] = {0, 0}, row[] = {0, 1}, lo[] = {-3, -1}, hi[] = {2, 4};
    const char *names[] = {"price", "utilisation"};
    size_t k;
    cr_assert_eq(cf_plot_add_series(t, NULL, CF_PLOT_HBARS, zero, row, 2, &k), CF_OK);
    cr_assert_eq(cf_plot_set_errors(t, k, lo, hi, NULL, NULL), CF_OK);
    cr_assert_eq(cf_plot_set_ycategories(t, names, 2), CF_OK);
    cr_assert_eq(cf_plot_add_vline(t, 0, "base"), CF_OK);
    cr_assert_eq(cf_plot_render_svg(t, WORK "/tornado.svg", NULL, &err), CF_OK, "%s", err.message);
    cf_plot_destroy(t);

    cf_plot *e = cf_plot_create("predicted");
    double x[] = {1, 2}, y[] = {0.8, 0.9}, ylo[] = {0.75, 0.85}, yhi[] = {0.82, NAN};
    cr_assert_eq(cf_plot_add_series(e, "pred", CF_PLOT_ERRORBARS, x, y, 2, &k), CF_OK);
    cr_assert_eq(cf_plot_set_errors(e, k, NULL, NULL, ylo, yhi), CF_OK);
    cr_assert_eq(cf_plot_set_color(e, k, "red"), CF_ERR_ARG);
    cr_assert_eq(cf_plot_script(e, "e.svg", &s, NULL), CF_OK);
    cr_assert_not_null(strstr(s, "1 0.8 0.75 0.82\n2 0.9 0.85 0.9\n"), "missing bound = no bar: %s", s);
    cr_assert_not_null(strstr(s, "with yerrorbars"));
    free(s);
    cr_assert_eq(cf_plot_render_svg(e, WORK "/pred.svg", NULL, &err), CF_OK, "%s", err.message);
    cf_plot_destroy(e);

    cf_plot *empty = cf_plot_create("nothing yet");
    cr_assert_eq(cf_plot_render_svg(empty, WORK "/empty.svg", NULL, &err), CF_OK, "%s", err.message);
    cf_plot_destroy(empty);
}

Test(atomic, file_symlink_and_staging)
{
    mkdir(WORK, 0755);
    cf_error err;
    cf_error_clear(&err);
    const char *path = WORK "/atomic_file.txt";
    cr_assert_eq(cf_write_string_atomic(path, "first\n", &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_write_string_atomic(path, "second\n", &err), CF_OK);
    char *s = slurp(path, NULL);
    cr_assert_str_eq(s, "second\n");
    free(s);
    cr_assert_eq(count_prefixed(WORK, "atomic_file.txt.tmp."), 0);

    cf_atomic_file *f = NULL;
    cr_assert_eq(cf_atomic_open(path, &f, &err), CF_OK);
    fputs("never", cf_atomic_stream(f));
    cf_atomic_abort(f);
    s = slurp(path, NULL);
    cr_assert_str_eq(s, "second\n", "abort leaves the target untouched");
    free(s);
    cr_assert_eq(count_prefixed(WORK, "atomic_file.txt.tmp."), 0, "abort removes the temporary");

    cr_assert_eq(cf_write_string_atomic(WORK "/no/such/dir/x", "x", &err), CF_ERR_IO);

    const char *link = WORK "/latest";
    unlink(link);
    cr_assert_eq(cf_symlink_atomic("atomic_file.txt", link, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_symlink_atomic("run-2", link, &err), CF_OK, "%s", err.message);
    char target[64] = {0};
    cr_assert_eq(readlink(link, target, sizeof target - 1), 5);
    cr_assert_str_eq(target, "run-2");
    cr_assert_eq(count_prefixed(WORK, "latest.tmp."), 0);

    const char *dir = WORK "/staged";
    cf_remove_tree(dir, NULL);
    cf_staged_dir *sd = NULL;
    cr_assert_eq(cf_staged_dir_begin(dir, &sd, &err), CF_OK);
    char p[512];
    snprintf(p, sizeof p, "%s/a.txt", cf_staged_dir_path(sd));
    cr_assert_eq(cf_write_string_atomic(p, "A", &err), CF_OK);
    cr_assert_eq(cf_staged_dir_commit(sd, &err), CF_OK, "%s", err.message);
    cr_assert_eq(file_size(WORK "/staged/a.txt"), 1);
    cr_assert_eq(cf_staged_dir_begin(WORK "/staged/", &sd, &err), CF_OK, "a trailing slash is fine");
    cf_staged_dir_abort(sd);
    cr_assert_eq(file_size(WORK "/staged/a.txt"), 1);
    cr_assert_eq(count_prefixed(WORK, "staged."), 0);
    cr_assert_eq(cf_staged_dir_begin(path, &sd, &err), CF_ERR_IO, "a file is not replaced by a directory");
    cr_assert_null(sd);
}

/* A naming scope lets the same sections be added once per group: ids, titles and file names are scoped, and a
 * scope of symbols still gets a usable slug. */
Test(report, scope_names_sections_and_files)
{
    cf_report *r = cf_report_create("scoped");
    cr_assert_not_null(r);
    cf_report_set_scope(r, "Model=ResNet 50");
    cr_assert_eq(cf_report_add_section(r, "summary", "Summary"), CF_OK);
    cr_assert_eq(cf_report_add_file(r, "report.json", "{}", 2), CF_OK);
    cf_report_set_scope(r, "model=bert");
    cr_assert_eq(cf_report_add_section(r, "summary", "Summary"), CF_OK);
    cr_assert_eq(cf_report_add_file(r, "report.json", "{}", 2), CF_OK);
    cf_report_set_scope(r, "%%%");
    cr_assert_eq(cf_report_add_section(r, "summary", "Summary"), CF_OK);
    cf_report_set_scope(r, NULL);
    cr_assert_eq(cf_report_add_section(r, "summary", "Summary"), CF_OK);
    cr_assert_eq(cf_report_add_section(r, "summary", "Again"), CF_ERR_ARG, "an unscoped id is still unique");
    char *html = NULL;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_report_html(r, &html, &err), CF_OK);
    cr_assert_not_null(strstr(html, "id=\"summary-model-resnet-50\""));
    cr_assert_not_null(strstr(html, "Summary: Model=ResNet 50"));
    cr_assert_not_null(strstr(html, "id=\"summary-model-bert\""));
    cr_assert_not_null(strstr(html, "id=\"summary-x\""));
    cr_assert_not_null(strstr(html, "id=\"summary\""));
    cr_assert_not_null(strstr(html, "model-resnet-50-report.json"));
    cr_assert_not_null(strstr(html, "model-bert-report.json"));
    free(html);
    cf_report_destroy(r);
}

/* Money keeps at least three significant digits whatever its magnitude (issue 9: 0.0015 USD printed "0.00"). */
Test(numfmt, money_keeps_three_significant_digits)
{
    static const struct {
        double v;
        const char *plain, *people;
    } cases[] = {{0.0015, "0.00150", "$0.00150"},  {0.5, "0.500", "$0.500"},       {1.5, "1.50", "$1.50"},
                 {1234.5, "1234.50", "$1,234.50"}, {-0.00123, "-0.00123", "-$0.00123"}, {0, "0.00", "$0.00"},
                 {8.25, "8.25", "$8.25"},          {0.000825, "0.000825", "$0.000825"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char a[48], b[CF_NUM_BUF];
        cr_expect_str_eq(cf_money_str(a, sizeof a, cases[i].v, "-"), cases[i].plain);
        cr_expect_str_eq(cf_fmt_money(b, cases[i].v, "-"), cases[i].people);
    }
    char a[48];
    cr_expect_str_eq(cf_money_str(a, sizeof a, NAN, "-"), "-");
}

/* A run that costs a fraction of a cent (1/1000 GPU-hour on spot: 0.001 x 0.825 = 0.000825 USD) is printed with
 * its digits in the terminal table and in the HTML summary, not as 0.00. */
Test(report, tiny_costs_keep_their_digits)
{
    cf_error err;
    cf_error_clear(&err);
    cf_runset *rs = cf_runset_create(fx.cat, NULL);
    static const char *const names[] = {"run_id", "accuracy", "gpu_hours", "hardware", "precision"};
    static const char *const row[] = {"tiny", "0.80", "0.001", "gpu-a", "bf16"};
    cr_assert_eq(cf_runset_begin_source(rs, "tiny.csv"), CF_OK);
    cr_assert_eq(cf_runset_add_raw(rs, 2, 5, names, row, NULL, NULL), CF_OK);
    cr_assert_eq(cf_runset_end_source(rs, &err), CF_OK);
    cf_frontier_opts o;
    cf_frontier_opts_default(&o);
    cf_frontier *f = cf_frontier_create(rs, fx.cat, &o);
    cr_assert_eq(cf_frontier_compute(f, &err), CF_OK);
    char *table = NULL;
    cr_assert_eq(cf_report_table(f, rs, &table, NULL), CF_OK);
    cr_assert_not_null(strstr(table, "0.000825"), "%s", table);
    cr_assert_null(strstr(table, " 0.00 "), "%s", table);
    free(table);
    cf_frontier_destroy(f);
    cf_runset_destroy(rs);
}

/* Group names that give the same slug (issue 10): "ResNet 50" and "resnet-50", two non-ASCII names (both "x"),
 * two names sharing their first 63 characters. Each scope still adds its sections (numbered slugs); a scope
 * longer than the title buffer is cut at a character boundary (the HTML stays valid UTF-8). */
Test(report, colliding_scope_slugs_are_numbered)
{
    cf_report *r = cf_report_create("collide");
    cr_assert_not_null(r);
    char long1[80], long2[80];
    memset(long1, 'a', 63);
    memcpy(long2, long1, 63);
    strcpy(long1 + 63, "one");
    strcpy(long2 + 63, "two");
    const char *scopes[] = {"model=ResNet 50", "model=resnet-50", "\xce\xb1\xce\xb2", "\xe6\xa8\xa1\xe5\x9e\x8b",
                            long1, long2};
    for (size_t i = 0; i < sizeof scopes / sizeof scopes[0]; i++) {
        cf_report_set_scope(r, scopes[i]);
        cr_assert_eq(cf_report_add_section(r, "summary", "Summary"), CF_OK, "scope %zu", i);
        cr_assert_eq(cf_report_add_file(r, "report.json", "{}", 2), CF_OK, "scope %zu", i);
    }
    /* 200 bytes of 2-byte characters: the 128-byte scope buffer ends in the middle of one unless cut with care. */
    char greek[256] = "model=";
    for (int i = 0; i < 100; i++) strcat(greek, "\xce\xb1");
    cf_report_set_scope(r, greek);
    cr_assert_eq(cf_report_add_section(r, "summary", "Summary"), CF_OK);
    cf_report_set_scope(r, NULL);
    char *html = NULL;
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_report_html(r, &html, &err), CF_OK);
    cr_assert_not_null(strstr(html, "id=\"summary-model-resnet-50\""));
    cr_assert_not_null(strstr(html, "id=\"summary-model-resnet-50-2\""));
    cr_assert_not_null(strstr(html, "id=\"summary-x\""));
    cr_assert_not_null(strstr(html, "id=\"summary-x-2\""));
    cr_assert_not_null(strstr(html, "model-resnet-50-2-report.json"));
    cr_assert_not_null(strstr(html, "x-2-report.json"));
    cr_assert(xmlCheckUTF8((const unsigned char *)html), "the HTML is valid UTF-8");
    free(html);
    cf_report_destroy(r);
}

/* --target-accuracy (issue 9: accepted but did nothing): the table and the JSON name the cheapest run reaching it.
 * In the fixture r3 (0.85, 50 h) reaches 0.85 at 50 x 0.825 = 41.25 USD on spot, but r2-β (0.90, 40 h) reaches it
 * for 40 x 0.825 = 33.00: r2-β on spot is the answer. No run reaches 0.95; the most accurate is r2-β (0.90), whose
 * cheapest option is spot. */
Test(report, target_accuracy_names_the_cheapest_run)
{
    cf_report_opts o;
    cf_report_opts_default(&o);
    o.target_accuracy = 0.85;
    char *table = NULL, *json = NULL;
    cr_assert_eq(cf_report_table_opts(fx.f, fx.rs, &o, &table, NULL), CF_OK);
    cr_assert_not_null(strstr(table, "target accuracy 0.8500: cheapest run reaching it is r2-\xce\xb2 on spot (gpu-a, "
                                     "bf16): accuracy 0.9000, total_cost_usd 33.00 USD\n"),
                       "%s", table);
    cr_assert_eq(cf_report_json_opts(fx.f, fx.rs, fx.cat, &o, &json, NULL), CF_OK);
    cJSON *root = cJSON_Parse(json);
    cJSON *t = cJSON_GetObjectItem(root, "target");
    cr_assert_not_null(t);
    cr_assert_float_eq(cJSON_GetObjectItem(t, "accuracy")->valuedouble, 0.85, 1e-12);
    cJSON *c = cJSON_GetObjectItem(t, "cheapest");
    cr_assert_str_eq(cJSON_GetObjectItem(c, "run_id")->valuestring, "r2-\xce\xb2");
    cr_assert_str_eq(cJSON_GetObjectItem(c, "procurement")->valuestring, "spot");
    cr_assert_float_eq(cJSON_GetObjectItem(c, "total_cost_usd")->valuedouble, 33.0, 1e-9);
    cJSON_Delete(root);
    free(table);
    free(json);

    o.target_accuracy = 0.95;
    cr_assert_eq(cf_report_table_opts(fx.f, fx.rs, &o, &table, NULL), CF_OK);
    cr_assert_not_null(strstr(table, "target accuracy 0.9500: no run reaches it; the most accurate is r2-\xce\xb2 on "
                                     "spot with accuracy 0.9000\n"),
                       "%s", table);
    cr_assert_eq(cf_report_json_opts(fx.f, fx.rs, fx.cat, &o, &json, NULL), CF_OK);
    root = cJSON_Parse(json);
    t = cJSON_GetObjectItem(root, "target");
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(t, "cheapest")));
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(t, "most_accurate"), "run_id")->valuestring,
                     "r2-\xce\xb2");
    cr_assert_str_eq(cJSON_GetObjectItem(t, "reason")->valuestring, "no run reaches the target accuracy");
    cJSON_Delete(root);
    free(table);
    free(json);

    /* Without a target the JSON has no "target" (the golden file is unchanged). */
    cr_assert_eq(cf_report_json(fx.f, fx.rs, fx.cat, &json, NULL), CF_OK);
    cr_assert_null(strstr(json, "\"target\""));
    free(json);
}

/* JSON "dominated" and "knee" entries carry the objectives in use (issue 9: always accuracy and total_cost_usd).
 * Under gpu_hours:min, co2e_kg:min each candidate's gpu_hours and co2e_kg (0.25 kg per GPU-hour) are there. */
Test(report, dominated_entries_carry_the_objectives_in_use)
{
    cf_frontier_opts o;
    cf_frontier_opts_default(&o);
    cr_assert_eq(cf_objectives_parse("gpu_hours:min,co2e_kg:min", o.objectives, CF_MAX_OBJECTIVES, &o.n_objectives,
                                     NULL),
                 CF_OK);
    cf_frontier *f = cf_frontier_create(fx.rs, fx.cat, &o);
    cr_assert_eq(cf_frontier_compute(f, NULL), CF_OK);
    char *json = NULL;
    cr_assert_eq(cf_report_json(f, fx.rs, fx.cat, &json, NULL), CF_OK);
    cJSON *root = cJSON_Parse(json);
    cJSON *dom = cJSON_GetObjectItem(root, "dominated");
    cr_assert(cJSON_GetArraySize(dom) > 0);
    cJSON *e;
    int seen_r3 = 0;
    cJSON_ArrayForEach(e, dom)
    {
        cr_assert_not_null(cJSON_GetObjectItem(e, "gpu_hours"), "%s", json);
        cr_assert_not_null(cJSON_GetObjectItem(e, "co2e_kg"), "%s", json);
        if (!strcmp(cJSON_GetObjectItem(e, "run_id")->valuestring, "r3")) {
            cr_assert_float_eq(cJSON_GetObjectItem(e, "gpu_hours")->valuedouble, 50.0, 1e-9);
            cr_assert_float_eq(cJSON_GetObjectItem(e, "co2e_kg")->valuedouble, 12.5, 1e-9);
            seen_r3 = 1;
        }
    }
    cr_assert(seen_r3);
    cJSON *knee = cJSON_GetObjectItem(root, "knee");
    cr_assert_not_null(cJSON_GetObjectItem(knee, "gpu_hours"), "%s", json);
    cJSON_Delete(root);
    free(json);
    cf_frontier_destroy(f);
}

/* A time-to-train table (issue 9): no accuracy, objectives total_cost_usd:min, score_min:min. Every summary
 * sentence speaks of these objectives: no "accuracy -", and the savings compare with the same run on on-demand
 * (t1: 10 GPU-hours, spot 10 x 0.825 = $8.25 against on-demand 10 x 2.025 = $20.25: $12.00, 59.26%) instead of
 * saying "no on-demand price was available" beside an on-demand price. */
Test(report, summary_speaks_of_the_objectives_in_use)
{
    cf_error err;
    cf_error_clear(&err);
    cf_runset *rs = cf_runset_create(fx.cat, NULL);
    static const char *const names[] = {"run_id", "gpu_hours", "hardware", "precision", "score_min"};
    static const char *const rows[][5] = {{"t1", "10", "gpu-a", "bf16", "30"}, {"t2", "20", "gpu-a", "bf16", "20"}};
    cr_assert_eq(cf_runset_begin_source(rs, "ttt.csv"), CF_OK);
    for (size_t i = 0; i < 2; i++) cr_assert_eq(cf_runset_add_raw(rs, (long)i + 2, 5, names, rows[i], NULL, NULL), CF_OK);
    cr_assert_eq(cf_runset_end_source(rs, &err), CF_OK);
    cf_frontier_opts o;
    cf_frontier_opts_default(&o);
    cr_assert_eq(cf_objectives_parse("total_cost_usd:min,score_min:min", o.objectives, CF_MAX_OBJECTIVES,
                                     &o.n_objectives, NULL),
                 CF_OK);
    cf_frontier *f = cf_frontier_create(rs, fx.cat, &o);
    cr_assert_eq(cf_frontier_compute(f, &err), CF_OK);
    cf_report *r = cf_report_create("ttt");
    cf_report_opts ro;
    cf_report_opts_default(&ro);
    ro.charts = 0;
    cr_assert_eq(cf_report_frontier(r, f, rs, fx.cat, &ro, &err), CF_OK);
    char *html = NULL;
    cr_assert_eq(cf_report_html(r, &html, &err), CF_OK);
    cr_assert_null(strstr(html, "accuracy -"), "%s", html);
    cr_assert_null(strstr(html, "no on-demand price was available"), "%s", html);
    cr_assert_null(strstr(html, "accuracy gets expensive"), "%s", html);
    cr_assert_not_null(strstr(html, "the best trade-off between total_cost_usd and score_min"), "%s", html);
    cr_assert_not_null(strstr(html, "run t1 on spot (gpu-a, bf16): $8.25 total, score_min 30"), "%s", html);
    cr_assert_not_null(strstr(html, "$12.00 (59.26%) against $20.25 total on on_demand"), "%s", html);
    free(html);
    cf_report_destroy(r);
    /* A target accuracy on runs without one: the true reason, not "no run on the frontier reaches it". */
    r = cf_report_create("ttt");
    ro.target_accuracy = 0.9;
    cr_assert_eq(cf_report_frontier(r, f, rs, fx.cat, &ro, &err), CF_OK);
    cr_assert_eq(cf_report_html(r, &html, &err), CF_OK);
    cr_assert_not_null(strstr(html, "None can be named: no run has an accuracy."), "%s", html);
    free(html);
    cf_report_destroy(r);
    cf_frontier_destroy(f);
    cf_runset_destroy(rs);
}

/* Hardware without board_power_w (issue 9) gets no energy, CO2e or carbon cost; the report says so per hardware
 * (data quality), the summary says totals of unlike composition sit side by side, and so do the table and the
 * JSON. npu-x: 10 GPU-hours on spot at 0.5 USD/h, no interruptions = $5.00 cash and total; gpu-a's totals include
 * carbon. */
Test(report, hardware_without_board_power_is_named)
{
    static const char CAT2[] =
        "{\"hardware\": [{\"id\": \"npu-x\", \"name\": \"Test NPU\", \"throughput\": {\"bf16\": 1.0},"
        "   \"source\": \"hand\"}],"
        " \"offers\": [{\"provider\": \"acme\", \"region\": \"r-one\", \"hardware\": \"npu-x\", \"on_demand\": 1.0,"
        "   \"spot\": 0.5, \"spot_interruptions_per_hour\": 0, \"source\": \"hand offer\"}]}";
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_catalog_load_string(fx.cat, CAT2, "npu catalog", &err), CF_OK);
    cf_runset *rs = cf_runset_create(fx.cat, NULL);
    static const char *const names[] = {"run_id", "accuracy", "gpu_hours", "hardware", "precision"};
    static const char *const rows[][5] = {{"n1", "0.85", "10", "npu-x", "bf16"}, {"g1", "0.86", "10", "gpu-a", "bf16"}};
    cr_assert_eq(cf_runset_begin_source(rs, "np.csv"), CF_OK);
    for (size_t i = 0; i < 2; i++) cr_assert_eq(cf_runset_add_raw(rs, (long)i + 2, 5, names, rows[i], NULL, NULL), CF_OK);
    cr_assert_eq(cf_runset_end_source(rs, &err), CF_OK);
    cf_frontier_opts o;
    cf_frontier_opts_default(&o);
    cf_frontier *f = cf_frontier_create(rs, fx.cat, &o);
    cr_assert_eq(cf_frontier_compute(f, &err), CF_OK);

    char *table = NULL, *json = NULL, *html = NULL;
    cr_assert_eq(cf_report_table(f, rs, &table, NULL), CF_OK);
    cr_assert_not_null(strstr(table, "npu-x: no board_power_w in the catalog, so no energy, CO2e or carbon cost: its "
                                     "total_usd is cash only (other hardware's totals include carbon)\n"),
                       "%s", table);
    cr_assert_null(strstr(table, "gpu-a: no board_power_w"), "%s", table);
    cr_assert_eq(cf_report_json(f, rs, fx.cat, &json, NULL), CF_OK);
    cJSON *root = cJSON_Parse(json);
    cJSON *ne = cJSON_GetObjectItem(root, "no_energy_hardware");
    cr_assert_eq(cJSON_GetArraySize(ne), 1, "%s", json);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ne, 0), "hardware")->valuestring, "npu-x");
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ne, 0), "runs")->valueint, 1);
    cJSON_Delete(root);

    cf_report *r = cf_report_create("np");
    cf_report_opts ro;
    cf_report_opts_default(&ro);
    ro.charts = 0;
    cr_assert_eq(cf_report_frontier(r, f, rs, fx.cat, &ro, &err), CF_OK);
    cr_assert_eq(cf_report_html(r, &html, &err), CF_OK);
    cr_assert_not_null(strstr(html, "Hardware without energy, CO2e or carbon cost"), "%s", html);
    cr_assert_not_null(strstr(html, "Totals of unlike composition"), "%s", html);
    cr_assert_not_null(strstr(html, "npu-x has no board power in the catalog"), "%s", html);
    free(html);
    free(json);
    free(table);
    cf_report_destroy(r);
    cf_frontier_destroy(f);
    cf_runset_destroy(rs);
}

/* The Data quality section lists at most 20 rejected records (issue 14: one line per run made the page grow with the
 * run count): 3 good runs, 23 with accuracy "abc" and 2 with gpu_hours "x" give 25 rejects, so the section holds a
 * per-field count table of 2 rows (accuracy 23, then gpu_hours 2: the larger count first) and the first 20 records:
 * 2 + 20 = 22 table rows, while report.json keeps all 25. */
Test(report, data_quality_lists_the_first_rejects_and_counts_per_field)
{
    cf_error err;
    cf_error_clear(&err);
    char msg[800];
    cf_catalog *cat = cf_catalog_create();
    cr_assert_eq(cf_catalog_load_string(cat, CATALOG, "test catalog", &err), CF_OK, "%s",
                 cf_error_format(&err, msg, sizeof msg));
    cf_runset *rs = cf_runset_create(cat, NULL);
    static const char *const names[] = {"run_id", "accuracy", "gpu_hours", "hardware", "precision"};
    cr_assert_eq(cf_runset_begin_source(rs, "runs.csv"), CF_OK);
    for (int i = 0; i < 28; i++) {
        char id[16], acc[16], hours[16];
        snprintf(id, sizeof id, "q%d", i);
        snprintf(acc, sizeof acc, "%s", i < 3 ? (i == 0 ? "0.8" : i == 1 ? "0.9" : "0.85") : i < 26 ? "abc" : "0.7");
        snprintf(hours, sizeof hours, "%s", i < 26 ? "10" : "x");
        if (i < 3) snprintf(hours, sizeof hours, "%d", 10 + 30 * i);
        const char *row[] = {id, acc, hours, "gpu-a", "bf16"};
        cr_assert_eq(cf_runset_add_raw(rs, (long)i + 2, 5, names, row, NULL, NULL), CF_OK);
    }
    cr_assert_eq(cf_runset_end_source(rs, &err), CF_OK, "%s", cf_error_format(&err, msg, sizeof msg));
    cr_assert_eq(cf_runset_rejected(rs), 25);
    cf_frontier_opts fo;
    cf_frontier_opts_default(&fo);
    cf_frontier *f = cf_frontier_create(rs, cat, &fo);
    cr_assert_eq(cf_frontier_compute(f, &err), CF_OK, "%s", cf_error_format(&err, msg, sizeof msg));
    mkdir(WORK, 0755);
    cf_report_opts o;
    cf_report_opts_default(&o);
    o.charts = 0;
    cr_assert_eq(cf_report_write(f, rs, cat, &o, WORK "/quality", &err), CF_OK, "%s", err.message);
    size_t n = 0;
    char *text = slurp(WORK "/quality/index.html", &n);
    cr_assert_not_null(text);
    htmlDocPtr doc = htmlReadMemory(text, (int)n, "index.html", "UTF-8",
                                    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    xmlNodePtr sec = find_id(xmlDocGetRootElement(doc), "data-quality");
    cr_assert_not_null(sec);
    const char *sp = strstr(text, "id=\"data-quality\""), *se = sp ? strstr(sp, "</section>") : NULL;
    cr_assert(sp != NULL && se != NULL);
    int trs = 0;
    for (const char *q = sp; (q = strstr(q, "<tr")) != NULL && q < se; q++) trs++;
    cr_assert_eq(trs, 2 + 22, "2 header rows, 2 per-field rows and the first 20 rejects: %d", trs);
    xmlChar *s = xmlNodeGetContent(sec);
    cr_assert_not_null(strstr((const char *)s, "25 records were rejected"), "%s", s);
    const char *a = strstr(text, "<td>accuracy</td>\n<td class=\"num\">23</td>"),
               *g = strstr(text, "<td>gpu_hours</td>\n<td class=\"num\">2</td>");
    cr_assert(a != NULL && g != NULL && a < g, "accuracy (23) before gpu_hours (2): %s", s);
    xmlFree(s);
    xmlFreeDoc(doc);
    free(text);
    char *json = slurp(WORK "/quality/report.json", NULL);
    cJSON *root = cJSON_Parse(json);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "rejects")), 25, "report.json keeps every reject");
    cJSON_Delete(root);
    free(json);
    cf_frontier_destroy(f);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
}
