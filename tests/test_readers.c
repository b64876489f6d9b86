/* Tests for the CSV and JSON run readers (data/read_csv.c, data/read_json.c, data/read_runs.c): line tracking,
 * encodings, malformed files, JSON positions, and the bundled example files. Fixtures are written into a fresh
 * temporary directory by each test. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "costfront/catalog.h"
#include "costfront/records.h"
#include "costfront/runset.h"
#include "costfront/sources.h"
#include "tests/fixtures/records_testutil.h"

static char tmpdir[64];
static char *made[64];
static size_t nmade;

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/cf_test_readers_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    nmade = 0;
}

static void teardown(void)
{
    for (size_t i = 0; i < nmade; i++) {
        unlink(made[i]);
        free(made[i]);
    }
    rmdir(tmpdir);
}

/* Writes n bytes to tmpdir/name and returns the path (valid until teardown). */
static const char *fixture_n(const char *name, const char *bytes, size_t n)
{
    char *path = malloc(256);
    snprintf(path, 256, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(bytes, 1, n, f), n);
    fclose(f);
    made[nmade++] = path;
    return path;
}

static const char *fixture(const char *name, const char *text) { return fixture_n(name, text, strlen(text)); }

/* Reads path into a fresh runset with no catalog; returns the status and keeps err. */
static cf_status read_into(cf_runset *rs, const char *path, cf_error *err)
{
    cf_error_clear(err);
    return cf_read_runs(rs, path, err);
}

/* Checks reject i: line, column and the start of its message. */
static void expect_reject(const cf_runset *rs, size_t i, long line, long column, const char *msg)
{
    const cf_reject *j = cf_runset_reject(rs, i);
    cr_assert_not_null(j, "reject %zu missing", i);
    cr_assert_eq(j->line, line, "reject %zu: line %ld, want %ld (%s)", i, j->line, line, j->message);
    cr_assert_eq(j->column, column, "reject %zu: column %ld, want %ld (%s)", i, j->column, column, j->message);
    cr_assert_str_eq(j->message, msg);
}

TestSuite(csv, .init = setup, .fini = teardown);
TestSuite(json, .init = setup, .fini = teardown);
TestSuite(examples);

/* ---------------------------------------------------------------------------------------------------------- */

Test(csv, reads_rows_with_their_lines_and_columns)
{
    const char *p = fixture("a.csv", "run_id,accuracy,gpu_hours,lr\n"
                                     "r1,0.5,2,0.1\n"
                                     "\n"
                                     "r2,0.6,x,0.2\n"
                                     "r3, 0.7 ,3,0.3\r\n");
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    cr_assert_eq(read_into(rs, p, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 2);
    cr_assert_eq(cf_runset_read(rs), 3);
    cr_assert_eq(cf_runset_get(rs, 0)->line, 2);
    cr_assert_eq(cf_runset_get(rs, 1)->line, 5, "the blank line is counted");
    cr_assert_float_eq(cf_runset_get(rs, 1)->accuracy, 0.7, 1e-12);
    cr_assert_str_eq(cf_runset_get(rs, 1)->source, p);
    expect_reject(rs, 0, 4, 3, "expected a non-negative number of GPU-hours, found 'x'");
    cr_assert_str_eq(cf_runset_reject(rs, 0)->field, "gpu_hours");
    cr_assert_str_eq(cf_runset_reject(rs, 0)->raw, "r2,0.6,x,0.2");
    cf_runset_destroy(rs);
}

Test(csv, multi_line_quoted_fields_keep_physical_lines)
{
    const char *p = fixture("m.csv", "run_id,accuracy,gpu_hours,notes\n"
                                     "r1,0.5,2,\"first line\nsecond line\nthird\"\n"
                                     "r2,0.6,1,\"a \"\"quoted\"\" word\"\n"
                                     "r3,bad,1,\"x\ny\"\n"
                                     "r4,0.7,1,plain\n");
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    cr_assert_eq(read_into(rs, p, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 3);
    cr_assert_eq(cf_runset_get(rs, 0)->line, 2);
    cr_assert_eq(cf_runset_get(rs, 1)->line, 5, "r1 spans lines 2-4");
    cr_assert_eq(cf_runset_get(rs, 2)->line, 8, "r3 spans lines 6-7");
    size_t j = cf_runset_param_find(rs, "notes");
    cr_assert_str_eq(cf_runset_param_str(rs, 0, j), "first line\nsecond line\nthird");
    cr_assert_str_eq(cf_runset_param_str(rs, 1, j), "a \"quoted\" word");
    expect_reject(rs, 0, 6, 2, "expected a number (an accuracy), found 'bad'");
    cr_assert_str_eq(cf_runset_reject(rs, 0)->raw, "r3,bad,1,\"x\ny\"");
    cf_runset_destroy(rs);
}

Test(csv, wrong_field_counts_are_rejected_with_counts)
{
    const char *p = fixture("f.csv", "run_id,accuracy,gpu_hours\n"
                                     "r1,0.5,2\n"
                                     "r2,0.5\n"
                                     "r3,0.5,2,extra\n"
                                     "r4,0.5,2\n");
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    cr_assert_eq(read_into(rs, p, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 2);
    cr_assert_eq(cf_runset_read(rs), 4);
    cr_assert_eq(cf_runset_rejected(rs), 2);
    expect_reject(rs, 0, 3, 3, "expected 3 fields (as in the header), found 2");
    expect_reject(rs, 1, 4, 4, "expected 3 fields (as in the header), found 4");
    cr_assert_str_eq(cf_runset_reject(rs, 1)->raw, "r3,0.5,2,extra");
    cf_runset_destroy(rs);
}

Test(csv, strict_quoting_errors_reject_the_record_and_resume)
{
    const char *p = fixture("q.csv", "run_id,accuracy,gpu_hours\n"
                                     "r1,\"0.5\"x,2\n"
                                     "r2,0.6,2\n"
                                     "r\"3,0.6,2\n"
                                     "r4,0.7,\"3\n");
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    cr_assert_eq(read_into(rs, p, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 1);
    cr_assert_str_eq(cf_runset_get(rs, 0)->run_id, "r2");
    cr_assert_eq(cf_runset_rejected(rs), 3);
    expect_reject(rs, 0, 2, 2,
                  "malformed quoting at line 2, byte 9: expected a delimiter or end of line after a closing quote, "
                  "found 'x'");
    expect_reject(rs, 1, 4, 1,
                  "malformed quoting at line 4, byte 2: expected no quote inside an unquoted field (quote the whole "
                  "field and double inner quotes), found '\"'");
    expect_reject(rs, 2, 5, 3,
                  "expected a closing quote, found the end of the file (the quoted field opened in the record "
                  "starting at line 5 is never closed)");
    cf_runset_destroy(rs);
}

Test(csv, utf8_bom_is_stripped)
{
    const char text[] = "\xEF\xBB\xBFrun_id,accuracy,gpu_hours\nr1,0.5,2\n";
    const char *p = fixture_n("bom.csv", text, sizeof text - 1);
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    cr_assert_eq(read_into(rs, p, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 1);
    cr_assert_str_eq(cf_runset_get(rs, 0)->run_id, "r1", "the first column is run_id, not BOM+run_id");
    cr_assert_eq(cf_runset_param_count(rs), 0);
    cf_runset_destroy(rs);
}

Test(csv, utf16_is_refused_with_advice)
{
    const char le[] = "\xFF\xFEr\0u\0n\0_\0i\0d\0\n\0";
    const char *p = fixture_n("u16.csv", le, sizeof le - 1);
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    cr_assert_eq(read_into(rs, p, &err), CF_ERR_PARSE);
    cr_assert_str_eq(err.message, "file is UTF-16; save it as UTF-8");
    const char be[] = "\xFE\xFF\0r\0u\0n";
    p = fixture_n("u16be.csv", be, sizeof be - 1);
    cr_assert_eq(read_into(rs, p, &err), CF_ERR_PARSE);
    cr_assert_str_eq(err.message, "file is UTF-16; save it as UTF-8");
    const char nobom[] = "r\0u\0n\0_\0i\0d\0,\0a\0\n\0";
    p = fixture_n("u16n.csv", nobom, sizeof nobom - 1);
    cr_assert_eq(read_into(rs, p, &err), CF_ERR_PARSE);
    cr_assert_str_eq(err.message, "file looks like UTF-16 (every other byte is zero); save it as UTF-8");
    cr_assert_eq(cf_runset_read(rs), 0);
    cf_runset_destroy(rs);
}

Test(csv, invalid_utf8_names_line_and_byte)
{
    /* Latin-1 "caf\xE9" on line 3, byte 10; a valid two-byte sequence before it on line 2 is fine */
    const char text[] = "run_id,accuracy,gpu_hours,note\nr1,0.5,2,na\xC3\xAFve\nr2,0.5,2,caf\xE9\n";
    const char *p = fixture_n("latin1.csv", text, sizeof text - 1);
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    cr_assert_eq(read_into(rs, p, &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 3);
    cr_assert_eq(err.column, 13);
    cr_assert_str_eq(err.message, "file is not valid UTF-8: byte 0xE9 at line 3, byte 13 (save it as UTF-8)");
    cr_assert_str_eq(err.source, p);
    /* an overlong encoding of '/' and a UTF-16 surrogate are invalid too */
    const char overlong[] = "a\n\xC0\xAF\n";
    p = fixture_n("ol.csv", overlong, sizeof overlong - 1);
    cr_assert_eq(read_into(rs, p, &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 2);
    cr_assert_eq(err.column, 1);
    const char surrogate[] = "ab\xED\xA0\x80";
    p = fixture_n("sur.csv", surrogate, sizeof surrogate - 1);
    cr_assert_eq(read_into(rs, p, &err), CF_ERR_PARSE);
    cr_assert_eq(err.column, 3);
    cf_runset_destroy(rs);
}

Test(csv, empty_and_header_only_files)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *p = fixture_n("empty.csv", "", 0);
    cr_assert_eq(read_into(rs, p, &err), CF_ERR_EMPTY);
    cr_assert_str_eq(err.message, "empty file");
    p = fixture("blank.csv", "\n  \n\r\n");
    cr_assert_eq(read_into(rs, p, &err), CF_ERR_EMPTY);
    cr_assert_str_eq(err.message, "empty file");
    p = fixture("hdr.csv", "run_id,accuracy,gpu_hours\n\n");
    cr_assert_eq(read_into(rs, p, &err), CF_ERR_EMPTY);
    cr_assert_str_eq(err.message, "no data rows (only a header at line 1)");
    cr_assert_eq(read_into(rs, "/nonexistent/runs.csv", &err), CF_ERR_IO);
    cr_assert_str_eq(err.message, "cannot open file: No such file or directory");
    /* the runset is still usable after failed files */
    p = fixture("ok.csv", "run_id,accuracy,gpu_hours\nr1,0.5,1\n");
    cr_assert_eq(read_into(rs, p, &err), CF_OK);
    cr_assert_eq(cf_runset_size(rs), 1);
    cf_runset_destroy(rs);
}

Test(csv, semicolon_and_tab_delimiters_are_detected_and_noted)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *p = fixture("semi.csv", "run_id;accuracy;gpu_hours;lr\nr1;0.5;2;0,1\n");
    cr_assert_eq(read_into(rs, p, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 1);
    cr_assert_float_eq(cf_runset_get(rs, 0)->gpu_hours, 2.0, 0);
    cr_assert_str_eq(cf_runset_param_str(rs, 0, cf_runset_param_find(rs, "lr")), "0,1");
    char want[300];
    snprintf(want, sizeof want, "%s: delimiter ';' detected (the header has no commas)", p);
    cr_assert_str_eq(cf_runset_note(rs, 0), want);
    const char *t = fixture("tab.tsv", "run_id\taccuracy\tgpu_hours\tmodel\nr2\t0.5\t3\tmy model\n");
    cr_assert_eq(read_into(rs, t, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 2);
    cr_assert_str_eq(cf_runset_get(rs, 1)->model, "my model");
    snprintf(want, sizeof want, "%s: delimiter '\\t' detected (the header has no commas)", t);
    cr_assert_str_eq(cf_runset_note(rs, 1), want);
    cf_runset_destroy(rs);
}

Test(csv, header_problems)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *p = fixture("dup.csv", "run_id,accuracy,gpu_hours,accuracy\nr1,0.5,2,0.6\n");
    cr_assert_eq(read_into(rs, p, &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 1);
    cr_assert_eq(err.column, 4);
    cr_assert_str_eq(err.message, "expected unique column names, found 'accuracy' at fields 2 and 4");
    /* a pandas index column has no name: ignored, with a note */
    p = fixture("idx.csv", ",run_id,accuracy,gpu_hours\n0,r1,0.5,2\n");
    cr_assert_eq(read_into(rs, p, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_param_count(rs), 0);
    cr_assert_eq(cf_runset_note_count(rs), 1);
    cf_runset_destroy(rs);
}

Test(csv, mapping_by_pairs_and_by_file)
{
    const char *p = fixture("v.csv", "id,val_acc,hours\nr1,81.5,2\nr2,90,4\n");
    cf_colmap *m = cf_colmap_create();
    cf_error err;
    cr_assert_eq(cf_colmap_parse_pairs(m, "id=run_id,val_acc=accuracy,hours=gpu_hours", &err), CF_OK);
    cf_runset *rs = cf_runset_create(NULL, m);
    cr_assert_eq(read_into(rs, p, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 2);
    cr_assert_float_eq(cf_runset_get(rs, 0)->accuracy, 0.815, 1e-12);
    cr_assert_eq(cf_runset_note_count(rs), 1, "percent detected and noted");
    cf_runset_destroy(rs);
    cf_colmap_destroy(m);

    const char *mp = fixture("map.json", "{\"columns\": {\"id\": \"run_id\", \"val_acc\": \"accuracy\", \"hours\": "
                                         "\"gpu_hours\"}, \"accuracy_unit\": \"percent\", \"gpu_hours_unit\": "
                                         "\"seconds\"}");
    m = cf_colmap_create();
    cr_assert_eq(cf_colmap_load(m, mp, &err), CF_OK, "%s", err.message);
    rs = cf_runset_create(NULL, m);
    cr_assert_eq(read_into(rs, p, &err), CF_OK, "%s", err.message);
    cr_assert_float_eq(cf_runset_get(rs, 1)->accuracy, 0.9, 1e-12);
    cr_assert_float_eq(cf_runset_get(rs, 1)->gpu_hours, 4.0 / 3600.0, 1e-15);
    cr_assert_eq(cf_runset_note_count(rs), 0, "declared unit, no detection note");
    cf_runset_destroy(rs);
    cf_colmap_destroy(m);
}

/* ---------------------------------------------------------------------------------------------------------- */

Test(json, array_objects_get_the_line_where_they_start)
{
    const char *p =
        fixture("a.json", "[\n"
                          "  {\"run_id\": \"a\", \"accuracy\": 0.5, \"gpu_hours\": 2,\n"
                          "   \"hparams\": {\"lr\": 0.001, \"opt\": {\"name\": \"adamw\"}}, \"tag\": \"}{[\"},\n"
                          "  {\n"
                          "    \"run_id\": \"b\", \"accuracy\": 0.6, \"gpu_hours\": 3,\n"
                          "    \"hparams\": {\"lr\": 0.01}, \"flag\": true, \"note\": null\n"
                          "  },\n"
                          "  42,\n"
                          "  {\"run_id\": \"c\", \"accuracy\": \"bad\", \"gpu_hours\": 1}\n"
                          "]\n");
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    cr_assert_eq(read_into(rs, p, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 2);
    cr_assert_eq(cf_runset_read(rs), 4);
    cr_assert_eq(cf_runset_get(rs, 0)->line, 2);
    cr_assert_eq(cf_runset_get(rs, 1)->line, 4);
    size_t lr = cf_runset_param_find(rs, "hparams.lr");
    cr_assert_neq(lr, (size_t)-1, "nested objects are flattened with '.'");
    cr_assert_eq(cf_runset_param_kind(rs, lr), CF_PARAM_NUMERIC);
    cr_assert_float_eq(cf_runset_param_num(rs, 1, lr), 0.01, 1e-15);
    size_t opt = cf_runset_param_find(rs, "hparams.opt.name");
    cr_assert_str_eq(cf_runset_param_str(rs, 0, opt), "adamw");
    size_t flag = cf_runset_param_find(rs, "flag");
    cr_assert_eq(cf_runset_param_kind(rs, flag), CF_PARAM_CATEGORICAL);
    cr_assert_str_eq(cf_runset_param_str(rs, 1, flag), "true");
    cr_assert_eq(cf_runset_param_find(rs, "note"), (size_t)-1, "null is absent");
    /* A non-object element is located by line, column and its index in the array. */
    expect_reject(rs, 0, 8, 3, "expected a JSON object (one run), found a number");
    cr_assert_str_eq(cf_runset_reject(rs, 0)->field, "[2]");
    cr_assert_str_eq(cf_runset_reject(rs, 0)->raw, "42");
    expect_reject(rs, 1, 9, 0, "expected a number (an accuracy), found 'bad'");
    cr_assert_str_eq(cf_runset_reject(rs, 1)->raw, "{\"run_id\": \"c\", \"accuracy\": \"bad\", \"gpu_hours\": 1}");
    cf_runset_destroy(rs);
}

Test(json, runs_member_and_single_object)
{
    const char *p = fixture("r.json", "{\"project\": \"x\", \"meta\": {\"runs\": 1},\n"
                                      " \"runs\": [\n"
                                      "   {\"run_id\": \"a\", \"accuracy\": 0.5, \"gpu_hours\": 2},\n"
                                      "   {\"run_id\": \"b\", \"accuracy\": 0.6, \"gpu_hours\": 2}]}\n");
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    cr_assert_eq(read_into(rs, p, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 2);
    cr_assert_eq(cf_runset_get(rs, 0)->line, 3);
    cr_assert_eq(cf_runset_get(rs, 1)->line, 4);
    const char *one = fixture("one.json", "\n{\"run_id\": \"s\", \"accuracy\": 0.5, \"gpu_hours\": 2}");
    cr_assert_eq(read_into(rs, one, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 3);
    cr_assert_eq(cf_runset_get(rs, 2)->line, 2);
    const char *bad = fixture("bad.json", "{\"runs\": 5}");
    cr_assert_eq(read_into(rs, bad, &err), CF_ERR_PARSE);
    cr_assert_str_eq(err.message, "expected \"runs\" to be an array, found a number");
    const char *scalar = fixture("s.json", "\"hello\"");
    cr_assert_eq(read_into(rs, scalar, &err), CF_ERR_PARSE);
    const char *emp = fixture("e.json", "[]");
    cr_assert_eq(read_into(rs, emp, &err), CF_ERR_EMPTY);
    cf_runset_destroy(rs);
}

Test(json, parse_errors_report_line_and_column)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *p = fixture("e1.json", "[\n  {\"run_id\": \"a\", \"accuracy\": 0.5,},\n]\n");
    cr_assert_eq(read_into(rs, p, &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 2);
    cr_assert_eq(err.column, 35);
    cr_assert_str_eq(err.message, "expected valid JSON, found '},' at line 2, column 35");
    p = fixture("e2.json", "[\n  {\"run_id\": \"a\"\n   \"accuracy\": 0.5}\n]");
    cr_assert_eq(read_into(rs, p, &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 3);
    cr_assert_eq(err.column, 4);
    p = fixture("e3.json", "[{\"a\": tru}]");
    cr_assert_eq(read_into(rs, p, &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 1);
    cr_assert_eq(err.column, 8);
    p = fixture("e4.json", "[{\"a\": 1}]\n[2]\n");
    cr_assert_eq(read_into(rs, p, &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 2);
    cr_assert_eq(err.column, 1);
    cr_assert_str_eq(err.message, "expected the end of the file after the JSON value, found '[2]' at line 2, column 1");
    cr_assert_eq(cf_runset_read(rs), 0);
    cf_runset_destroy(rs);
}

Test(json, json_lines_by_extension_and_by_content)
{
    const char *p = fixture("r.jsonl", "{\"run_id\": \"a\", \"accuracy\": 0.5, \"gpu_hours\": 2}\n"
                                       "\n"
                                       "{\"run_id\": \"b\", \"accuracy\": 0.6, \"hparams\": {\"lr\": 0.1}, "
                                       "\"wall_hours\": 1.5, \"num_gpus\": 4}\n"
                                       "{\"run_id\": \"c\", \"accuracy\": 0.6,, \"gpu_hours\": 1}\n"
                                       "[1, 2]\n"
                                       "{\"run_id\": \"d\", \"accuracy\": 0.7, \"gpu_hours\": 1} {\"x\": 1}\n");
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    cr_assert_eq(read_into(rs, p, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 2);
    cr_assert_eq(cf_runset_read(rs), 5);
    cr_assert_eq(cf_runset_get(rs, 1)->line, 3);
    cr_assert_float_eq(cf_runset_get(rs, 1)->gpu_hours, 6.0, 1e-12, "wall_hours x num_gpus");
    cr_assert_float_eq(cf_runset_param_num(rs, 1, cf_runset_param_find(rs, "hparams.lr")), 0.1, 1e-15);
    expect_reject(rs, 0, 4, 33, "expected valid JSON, found ', \"gpu_hours' at byte 33");
    expect_reject(rs, 1, 5, 0, "expected a JSON object (one run), found an array");
    expect_reject(rs, 2, 6, 50, "expected one JSON value per line, found '{\"x\": 1}' at byte 50");
    cr_assert_eq(cf_runset_note_count(rs), 0, "the extension said JSON Lines");

    const char *q = fixture("lines.json", "{\"run_id\": \"e\", \"accuracy\": 0.5, \"gpu_hours\": 2}\n"
                                          "{\"run_id\": \"f\", \"accuracy\": 0.5, \"gpu_hours\": 2}\n");
    cr_assert_eq(read_into(rs, q, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 4);
    cr_assert_eq(cf_runset_get(rs, 3)->line, 2);
    char want[300];
    snprintf(want, sizeof want, "%s: read as JSON Lines (one run object per line)", q);
    cr_assert_str_eq(cf_runset_note(rs, 0), want);
    cf_runset_destroy(rs);
}

Test(json, dispatch_by_content_for_unknown_extensions)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *j = fixture("runs.export", "  [{\"run_id\": \"a\", \"accuracy\": 0.5, \"gpu_hours\": 2}]");
    cr_assert_eq(read_into(rs, j, &err), CF_OK, "%s", err.message);
    const char *c = fixture("runs.data", "run_id,accuracy,gpu_hours\nb,0.5,1\n");
    cr_assert_eq(read_into(rs, c, &err), CF_OK, "%s", err.message);
    const char *n = fixture("runs.ndjson", "{\"run_id\": \"c\", \"accuracy\": 0.5, \"gpu_hours\": 2}\n");
    cr_assert_eq(read_into(rs, n, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 3);
    const char *u = fixture_n("u.json", "\xFF\xFE[\0", 4);
    cr_assert_eq(read_into(rs, u, &err), CF_ERR_PARSE);
    cr_assert_str_eq(err.message, "file is UTF-16; save it as UTF-8");
    cf_runset_destroy(rs);
}

Test(json, other_source_kinds_go_through_their_readers)
{
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    const char *x = fixture("runs.xml", "<?xml version=\"1.0\"?>\n<runs>\n  <run id=\"x1\"><accuracy>0.9</accuracy>"
                                        "<gpu_hours>2</gpu_hours><param name=\"lr\">0.1</param></run>\n</runs>\n");
    cr_assert_eq(read_into(rs, x, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 1);
    cr_assert_str_eq(cf_runset_get(rs, 0)->run_id, "x1");
    cr_assert_eq(cf_runset_get(rs, 0)->line, 3);
    cr_assert_float_eq(cf_runset_param_num(rs, 0, cf_runset_param_find(rs, "lr")), 0.1, 1e-15);
    /* a directory that is no MLflow store is refused by the detector, not read as CSV */
    cr_assert_eq(read_into(rs, tmpdir, &err), CF_ERR_INVALID);
    cf_runset_destroy(rs);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* The bundled examples, with the default catalog                                                               */

static cf_catalog *default_cat(void)
{
    cf_catalog *cat = cf_catalog_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_catalog_load_default(cat, &err), CF_OK, "%s", err.message);
    return cat;
}

Test(examples, runs_csv_is_all_valid_and_resolves_aliases)
{
    cf_catalog *cat = default_cat();
    cf_runset *rs = cf_runset_create(cat, NULL);
    cf_error err;
    cr_assert_eq(read_into(rs, CF_SOURCE_DIR "/examples/runs.csv", &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_rejected(rs), 0, "%s", cf_runset_rejected(rs) ? cf_runset_reject(rs, 0)->message : "");
    cr_assert_eq(cf_runset_size(rs), 144);
    cr_assert_eq(cf_runset_note_count(rs), 0);
    const char *known[] = {"a100-40gb", "a100-80gb", "h100", "h200", "l4", "t4", "a10g", "tpu-v5e"};
    size_t wall = 0;
    for (size_t i = 0; i < cf_runset_size(rs); i++) {
        const cf_run *r = cf_runset_get(rs, i);
        int ok = 0;
        for (size_t k = 0; k < 8; k++) ok |= strcmp(r->hardware, known[k]) == 0;
        cr_assert(ok, "run %s hardware %s is a catalog id", r->run_id, r->hardware);
        cr_assert(r->accuracy > 0 && r->accuracy < 1);
        cr_assert(r->gpu_hours > 0);
        cr_assert_neq(r->precision, CF_PREC_UNKNOWN);
        if (!isnan(r->wall_hours)) {
            wall++;
            cr_assert_float_eq(r->gpu_hours, r->wall_hours * r->num_gpus, 1e-9);
        }
    }
    cr_assert(wall > 10, "some rows give wall_hours x num_gpus");
    /* the first row, by hand: r001,bert-base,glue,nlp,a100-80gb,tf32,0.5,adamw,4.95e-05,64,4,0.8349,2.618 */
    const cf_run *r = cf_runset_get(rs, 0);
    cr_assert_str_eq(r->run_id, "r001");
    cr_assert_eq(r->line, 2);
    cr_assert_eq(cf_runset_param_kind(rs, cf_runset_param_find(rs, "batch_size")), CF_PARAM_INTEGER);
    cr_assert_eq(cf_runset_param_kind(rs, cf_runset_param_find(rs, "lr")), CF_PARAM_NUMERIC);
    cr_assert_eq(cf_runset_param_kind(rs, cf_runset_param_find(rs, "optimizer")), CF_PARAM_CATEGORICAL);
    cr_assert_eq(cf_runset_param_kind(rs, cf_runset_param_find(rs, "epochs")), CF_PARAM_INTEGER);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
}

Test(examples, runs_bad_csv_has_one_reject_per_mistake)
{
    cf_catalog *cat = default_cat();
    cf_runset *rs = cf_runset_create(cat, NULL);
    cf_error err;
    cr_assert_eq(read_into(rs, CF_SOURCE_DIR "/examples/runs_bad.csv", &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 8);
    cr_assert_eq(cf_runset_read(rs), 16);
    cr_assert_eq(cf_runset_rejected(rs), 8);
    const struct {
        long line;
        const char *field;
        const char *start;
    } want[] = {
        {10, "run_id", "duplicate run_id 'r900' (first seen at "},
        {11, "hardware", "unknown hardware 'RTX 9090'; known: a100-40gb, a100-80gb, "},
        {12, "gpu_hours", "expected a non-negative number of GPU-hours, found '-3.5'"},
        {13, "accuracy", "expected a fraction in [0, 1] like the other 13 values of this column, found '1.7'"},
        {14, "pruning", "expected a sparsity fraction in [0, 1), found '150'"},
        {15, "precision", "expected a precision (fp32, tf32, bf16, fp16, fp8, int8, int4), found 'fp12'"},
        {16, "", "expected 18 fields (as in the header), found 17"},
        {17, "", "expected 18 fields (as in the header), found 19"},
    };
    for (size_t i = 0; i < 8; i++) {
        const cf_reject *j = cf_runset_reject(rs, i);
        cr_assert_eq(j->line, want[i].line, "reject %zu at line %ld", i, j->line);
        cr_assert_str_eq(j->field, want[i].field);
        cr_assert_eq(strncmp(j->message, want[i].start, strlen(want[i].start)), 0, "reject %zu: %s", i, j->message);
    }
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
}

Test(examples, runs_jsonl_reads_twenty_runs_with_nested_hparams)
{
    cf_catalog *cat = default_cat();
    cf_runset *rs = cf_runset_create(cat, NULL);
    cf_error err;
    cr_assert_eq(read_into(rs, CF_SOURCE_DIR "/examples/runs.jsonl", &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_rejected(rs), 0);
    cr_assert_eq(cf_runset_size(rs), 20);
    cr_assert_eq(cf_runset_get(rs, 19)->line, 20);
    cr_assert_eq(cf_runset_param_kind(rs, cf_runset_param_find(rs, "hparams.batch_size")), CF_PARAM_INTEGER);
    cr_assert_eq(cf_runset_param_kind(rs, cf_runset_param_find(rs, "hparams.optimizer")), CF_PARAM_CATEGORICAL);
    /* both files in one runset: the CSV's lr and the JSONL's hparams.lr are different columns */
    cr_assert_eq(read_into(rs, CF_SOURCE_DIR "/examples/runs.csv", &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_runset_size(rs), 164);
    cr_assert(isnan(cf_runset_param_num(rs, 0, cf_runset_param_find(rs, "lr"))));
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
}

/* examples/gen_runs.py documents gpu_hours = per_epoch x epochs / throughput / speedup(pruning) x lognormal noise
 * (sigma 0.08), with throughput from the catalog: recompute the ratio for every run; 0.08-sigma noise keeps it
 * within [0.6, 1.6] (6 sigma), and its geometric mean near 1. */
Test(examples, runs_csv_follows_the_documented_hours_model)
{
    cf_catalog *cat = default_cat();
    cf_runset *rs = cf_runset_create(cat, NULL);
    cf_error err;
    cr_assert_eq(read_into(rs, CF_SOURCE_DIR "/examples/runs.csv", &err), CF_OK, "%s", err.message);
    const struct {
        const char *model;
        double per_epoch;
    } work[] = {{"resnet50", 0.55}, {"vit-b16", 0.08}, {"bert-base", 0.45}, {"llama-7b-ft", 7.0}};
    size_t ep = cf_runset_param_find(rs, "epochs");
    double sum_log = 0;
    size_t n = cf_runset_size(rs);
    for (size_t i = 0; i < n; i++) {
        const cf_run *r = cf_runset_get(rs, i);
        double per_epoch = NAN;
        for (size_t k = 0; k < 4; k++)
            if (strcmp(r->model, work[k].model) == 0) per_epoch = work[k].per_epoch;
        cr_assert(!isnan(per_epoch), "unknown model %s", r->model);
        const cf_hardware *hw = cf_catalog_hardware(cat, r->hardware);
        double thr = hw->throughput[r->precision];
        cr_assert(!isnan(thr), "run %s uses %s on %s, which the catalog says is unsupported", r->run_id,
                  cf_precision_name(r->precision), r->hardware);
        double p = r->pruning;
        double speedup = p <= 0.5 ? 1.0 + 0.8 * p : 1.4 + 0.9 * (p - 0.5);
        double model = per_epoch * cf_runset_param_num(rs, i, ep) / thr / speedup;
        double ratio = r->gpu_hours / model;
        cr_assert(ratio > 0.6 && ratio < 1.6, "run %s: gpu_hours %g vs model %g", r->run_id, r->gpu_hours, model);
        sum_log += log(ratio);
    }
    cr_assert(fabs(sum_log / (double)n) < 0.03, "mean log ratio %g", sum_log / (double)n);
    cf_runset_destroy(rs);
    cf_catalog_destroy(cat);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Every source's text is checked as CSV input is (issue 10): W&B and XML files as files, database strings (Optuna,
 * MLflow's tracking database) by the net in cf_records_to_runset. */

/* Writes text to a new file name in a fresh directory; returns its path (static buffer). */
static const char *text_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tu_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

Test(text, wandb_export_with_invalid_utf8_is_refused_with_line_and_byte)
{
    const char *path = text_file("w.csv", "Name,State,val_acc\nrun-\xff,finished,0.9\n");
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_wandb(path, r, &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 2);
    cr_assert_eq(err.column, 5);
    cr_assert_str_eq(err.message, "file is not valid UTF-8: byte 0xFF at line 2, byte 5 (save it as UTF-8)");
    cr_assert_eq(cf_records_count(r), 0);
    cf_records_destroy(r);
}

Test(text, xml_with_invalid_utf8_is_refused)
{
    const char *path =
        text_file("r.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<runs>\n<run id=\"r\xff\"><accuracy>0.5</accuracy>"
                           "</run>\n</runs>\n");
    cf_records *r = cf_records_create();
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_xml(path, r, &err), CF_ERR_PARSE);
    cr_assert_eq(err.line, 3);
    cr_assert(strstr(err.message, "malformed XML") != NULL, "%s", err.message);
    cr_assert_eq(cf_records_count(r), 0);
    cf_records_destroy(r);
}

/* A reader that hands over unchecked text (as the database readers could): the source is refused naming the
 * record and the field, and the runset is untouched. */
Test(text, records_with_invalid_utf8_are_refused_by_the_net)
{
    cf_records *r = cf_records_create();
    cr_assert_eq(cf_records_begin_source(r, "optuna", "study.db"), CF_OK);
    const char *names[3] = {"run_id", "accuracy", "optimizer"};
    const char *values[3] = {"s#0", "0.5", "ad\xc3(m"};
    cr_assert_eq(cf_records_add(r, "s#0", 7, 3, names, values, ""), CF_OK);
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_records_to_runset(r, rs, &err), CF_ERR_PARSE);
    cr_assert_str_eq(err.source, "study.db");
    cr_assert_eq(err.line, 7);
    cr_assert_str_eq(err.field, "optimizer");
    cr_assert_str_eq(err.message, "record 7: the value is not valid UTF-8 (byte 0xC3 at byte 3 of it); costfront "
                                  "reads text as UTF-8");
    cr_assert_eq(cf_runset_read(rs), 0);
    cr_assert_eq(cf_runset_begin_source(rs, "next"), CF_OK, "no source was left open");
    cf_runset_destroy(rs);
    cf_records_destroy(r);
}

/* The same through the Optuna reader: a study name with a raw 0xFF byte in the storage. */
Test(text, optuna_storage_with_invalid_utf8_is_refused)
{
    const char *cached = tu_cached("gen_optuna.py", "optuna.db", "");
    char db[512], cmd[1400];
    snprintf(db, sizeof db, "%s/optuna.db", tu_tmpdir());
    tu_copy(cached, db);
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' \"UPDATE trial_params SET param_name = CAST(X'6C72FF' AS TEXT) WHERE "
                              "param_name = 'lr'\"",
             db);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    cf_runset *rs = cf_runset_create(NULL, NULL);
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_read_runs(rs, db, &err), CF_ERR_PARSE);
    cr_assert_str_eq(err.source, db);
    cr_assert(strstr(err.message, "a field name is not valid UTF-8 (byte 0xFF at byte 3 of it)") != NULL, "%s",
              err.message);
    cr_assert_eq(cf_runset_size(rs), 0);
    cf_runset_destroy(rs);
}
