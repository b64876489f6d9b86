/* Tests of the XML runs reader (data/read_xml.c) and its schema (data/runs.xsd). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/records.h"
#include "costfront/runset.h"
#include "costfront/sources.h"
#include "tests/fixtures/records_testutil.h"

static char path[512];

static void write_xml(const char *text)
{
    const char *dir = tu_tmpdir();
    snprintf(path, sizeof path, "%s/runs.xml", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static const char *const good =
    "<?xml version=\"1.0\"?>\n"
    "<runs>\n"
    "  <run id=\"r1\">\n"
    "    <accuracy>0.91</accuracy><gpu_hours>12.5</gpu_hours>\n"
    "    <precision>bfloat16</precision><hardware>NVIDIA A100 80GB</hardware>\n"
    "    <param name=\"lr\">0.001</param><param name=\"optimizer\"> adam </param>\n"
    "  </run>\n"
    "  <run id=\"r2\"><param name=\"lr\">0.01</param><accuracy>0.85</accuracy><gpu_hours>3</gpu_hours>"
    "<hardware>h100</hardware><pruning>0.5</pruning></run>\n"
    "</runs>\n";

Test(read_xml, schema_file_matches_the_compiled_in_copy)
{
    char p[512];
    snprintf(p, sizeof p, "%s/data/runs.xsd", CF_SOURCE_DIR);
    FILE *f = fopen(p, "rb");
    cr_assert_not_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    cr_assert_str_eq(buf, cf_runs_xsd(), "data/runs.xsd and the string in data/read_xml.c differ");
}

Test(read_xml, known_answers)
{
    write_xml(good);
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_xml(path, r, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_records_count(r), 2);
    const cf_record *r1 = tu_find(r, "r1");
    cr_assert_not_null(r1);
    cr_assert_eq(r1->line, 3);
    TU_EXPECT(r1, "accuracy", "0.91");
    TU_EXPECT(r1, "hardware", "NVIDIA A100 80GB");
    TU_EXPECT(r1, "lr", "0.001");
    TU_EXPECT(r1, "optimizer", "adam");
    cr_assert(strstr(r1->raw, "<run id=\"r1\">") != NULL, "%s", r1->raw);
    cf_catalog *cat = cf_catalog_create();
    cr_assert_eq(cf_catalog_load_default(cat, &err), CF_OK);
    cf_runset *rs = cf_runset_create(cat, NULL);
    cr_assert_eq(cf_records_to_runset(r, rs, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 2, "rejected %zu", cf_runset_rejected(rs));
    const cf_run *run = cf_runset_get(rs, cf_runset_find(rs, "r1"));
    cr_assert_eq(run->precision, CF_PREC_BF16);
    cr_assert_str_eq(run->hardware, "a100-80gb");
    cr_assert_eq(run->line, 3);
    cr_assert_float_eq(cf_runset_get(rs, cf_runset_find(rs, "r2"))->pruning, 0.5, 1e-12);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
    cf_records_destroy(r);
}

Test(read_xml, schema_violation_names_the_line)
{
    write_xml("<runs>\n<run id=\"a\"><accuracy>0.9</accuracy></run>\n<run id=\"b\">\n<accuracy>high</accuracy>\n"
              "</run>\n</runs>\n");
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_xml(path, r, &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 4);
    cr_assert(strstr(err.message, "runs schema") != NULL, "%s", err.message);
    cr_assert(strstr(err.message, "high") != NULL, "%s", err.message);
    cf_records_destroy(r);
}

Test(read_xml, unknown_element_and_missing_id)
{
    write_xml("<runs>\n<run id=\"a\">\n<gpu>h100</gpu>\n</run>\n</runs>\n");
    cf_records *r = cf_records_create();
    cf_error err;
    cr_assert_eq(cf_read_xml(path, r, &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 3);
    write_xml("<runs>\n<run>\n<accuracy>0.5</accuracy>\n</run>\n</runs>\n");
    cr_assert_eq(cf_read_xml(path, r, &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 2);
    cr_assert(strstr(err.message, "id") != NULL, "%s", err.message);
    cf_records_destroy(r);
}

Test(read_xml, malformed_xml_names_the_line)
{
    write_xml("<runs>\n<run id=\"a\">\n<accuracy>0.5</accurac>\n</run>\n</runs>\n");
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_xml(path, r, &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 3);
    cr_assert(strstr(err.message, "malformed XML") != NULL, "%s", err.message);
    cr_assert_eq(cf_records_count(r), 0);
    cf_source_kind k;
    cr_assert_eq(cf_detect_source(path, &k, &err), CF_OK);
    cr_assert_eq(k, CF_SOURCE_XML);
    cf_records_destroy(r);
}

/* Issue 10: an external entity was refused with "Internal error: xmlSchemaVDocWalk". A document type declaration,
 * with or without entities, is refused in words, with its line, and the entity's file is never read. */
Test(read_xml, doctype_and_entities_refused_in_words)
{
    write_xml("<?xml version=\"1.0\"?>\n<!DOCTYPE runs [ <!ENTITY x SYSTEM \"file:///etc/passwd\"> ]>\n"
              "<runs><run id=\"a\"><accuracy>0.5</accuracy><gpu_hours>1</gpu_hours><param name=\"p\">&x;</param>"
              "</run></runs>\n");
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_xml(path, r, &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 2);
    cr_assert(strstr(err.message, "expected a runs document without a <!DOCTYPE>, found one declaring entities") !=
                  NULL,
              "%s", err.message);
    cr_assert(strstr(err.message, "Internal error") == NULL, "%s", err.message);
    cr_assert_eq(cf_records_count(r), 0);
    write_xml("<?xml version=\"1.0\"?>\n<!DOCTYPE runs>\n<runs><run id=\"a\"><accuracy>0.5</accuracy></run></runs>\n");
    cf_error_clear(&err);
    cr_assert_eq(cf_read_xml(path, r, &err), CF_ERR_PARSE);
    cr_assert(strstr(err.message, "found one; costfront refuses document types") != NULL, "%s", err.message);
    cf_records_destroy(r);
}
