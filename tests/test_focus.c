/* Tests of the streaming FOCUS reader (data/read_focus.c) on the fixtures of tests/fixtures/gen_focus.py, whose
 * docstring lists the known answers: row counts, sums of BilledCost and EffectiveCost, a rejected row's
 * line:column, a gzip file that reads as its plain twin, quoting across lines and the version a header looks like. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/focus.h"
#include "tests/fixtures/records_testutil.h"

/* What the callback saw: sums, the lines of the rows, a few cells. */
typedef struct seen {
    size_t n;
    double billed, effective;
    long lines[16];
    char desc[16][64];
    char team[16][16];
    char itype[16][32];
    double start[16];
    int list_nan[16];
    size_t stop_after; /* return CF_ERR_EMPTY after this many rows (0: never) */
} seen;

static cf_status collect(const cf_focus_row *row, void *ctx)
{
    seen *s = ctx;
    if (s->n < 16) {
        s->lines[s->n] = row->line;
        snprintf(s->desc[s->n], sizeof s->desc[0], "%s", row->charge_description ? row->charge_description : "");
        const cJSON *t = row->tags ? cJSON_GetObjectItemCaseSensitive(row->tags, "team") : NULL;
        snprintf(s->team[s->n], sizeof s->team[0], "%s", cJSON_IsString(t) ? t->valuestring : "");
        const char *it = cf_focus_row_get(row, "x_InstanceType");
        snprintf(s->itype[s->n], sizeof s->itype[0], "%s", it ? it : "");
        s->start[s->n] = row->charge_start;
        s->list_nan[s->n] = isnan(row->list_cost);
    }
    s->n++;
    s->billed += row->billed_cost;
    s->effective += row->effective_cost;
    if (s->stop_after && s->n == s->stop_after) return CF_ERR_EMPTY;
    return CF_OK;
}

static const char *fx(const char *name)
{
    static char path[600];
    const char *dir = tu_cached("gen_focus.py", "focus", "");
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* bill.csv: 8 rows on lines 2..9; billed 40+40+30+5+10+12+50+15 = 202, effective 32+32+30+5+10+12+40+15 = 176. */
Test(focus, small_bill_known_totals)
{
    cf_focus_reader *r = cf_focus_reader_create();
    seen s = {0};
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_focus_read(r, fx("bill.csv"), collect, &s, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_focus_reader_read(r), 8);
    cr_assert_eq(cf_focus_reader_accepted(r), 8);
    cr_assert_eq(cf_focus_reader_rejected(r), 0);
    cr_assert_eq(s.n, 8);
    cr_assert_float_eq(s.billed, 202.0, 1e-9);
    cr_assert_float_eq(s.effective, 176.0, 1e-9);
    for (size_t i = 0; i < 8; i++) cr_assert_eq(s.lines[i], (long)i + 2);
    cr_assert_str_eq(cf_focus_reader_version(r), "1.2"); /* InvoiceId is a 1.2 column */
    cr_assert_str_eq(s.team[0], "nlp");
    cr_assert_str_eq(s.team[4], ""); /* line 6: Tags empty */
    cr_assert_str_eq(s.itype[0], "p4d.24xlarge");
    cr_assert_str_eq(s.itype[3], ""); /* the bucket has no instance type: empty cell reads as NULL */
    cr_assert(s.list_nan[5]);         /* the tax row has no ListCost */
    cr_assert(!s.list_nan[0]);
    /* 2026-03-02T00:00:00Z: 2026-01-01 is day 20454 since 1970; + 31 + 28 + 1 days = 20514 -> 1772409600 s */
    cr_assert_float_eq(s.start[0], 1772409600.0, 1e-6);
    cf_focus_reader_destroy(r);
}

/* The gzip file reads exactly as the plain one: same rows, lines, sums. */
Test(focus, gzip_equals_plain)
{
    cf_focus_reader *a = cf_focus_reader_create(), *b = cf_focus_reader_create();
    seen sa = {0}, sb = {0};
    cf_error err;
    cr_assert_eq(cf_focus_read(a, fx("bill.csv"), collect, &sa, &err), CF_OK);
    cr_assert_eq(cf_focus_read(b, fx("bill.csv.gz"), collect, &sb, &err), CF_OK, "%s", err.message);
    cr_assert_eq(sa.n, sb.n);
    cr_assert_eq(sb.n, 8);
    cr_assert_float_eq(sa.billed, sb.billed, 0);
    cr_assert_float_eq(sa.effective, sb.effective, 0);
    for (size_t i = 0; i < 8; i++) {
        cr_assert_eq(sa.lines[i], sb.lines[i]);
        cr_assert_str_eq(sa.team[i], sb.team[i]);
        cr_assert_float_eq(sa.start[i], sb.start[i], 0);
    }
    cf_focus_reader_destroy(a);
    cf_focus_reader_destroy(b);
}

/* bill_v10.csv: FOCUS 1.0, CRLF, a quoted description with a comma, doubled quotes and a newline, so the second
 * row starts on line 4; its start 2026-03-01T00:00:00+01:00 is 2026-02-28T23:00Z = 1772323200 - 3600. */
Test(focus, v10_quoting_crlf_offsets)
{
    cf_focus_reader *r = cf_focus_reader_create();
    seen s = {0};
    cf_error err;
    cr_assert_eq(cf_focus_read(r, fx("bill_v10.csv"), collect, &s, &err), CF_OK, "%s", err.message);
    cr_assert_str_eq(cf_focus_reader_version(r), "1.0");
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.lines[0], 2);
    cr_assert_eq(s.lines[1], 4);
    cr_assert_str_eq(s.desc[0], "GPU \"spot\", \nline two");
    cr_assert_str_eq(s.desc[1], "plain");
    cr_assert_float_eq(s.start[0], 1772323200.0, 1e-6); /* a date alone is midnight UTC */
    cr_assert_float_eq(s.start[1], 1772319600.0, 1e-6);
    cr_assert_float_eq(s.billed, 10.0, 1e-12); /* 7 + 3 */
    cr_assert_str_eq(s.team[0], "nlp");
    cf_focus_reader_destroy(r);
}

/* bill_bad.csv without keep-going: the read stops at the first bad row, line 3 column 1 (BilledCost 'abc'),
 * after one accepted row. */
Test(focus, bad_row_stops_read)
{
    cf_focus_reader *r = cf_focus_reader_create();
    seen s = {0};
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_focus_read(r, fx("bill_bad.csv"), collect, &s, &err), CF_ERR_INVALID);
    cr_assert_eq(err.line, 3);
    cr_assert_eq(err.column, 1);
    cr_assert_str_eq(err.field, "BilledCost");
    cr_assert(strstr(err.message, "expected a decimal number, found 'abc'"), "%s", err.message);
    cr_assert_eq(s.n, 1);
    cr_assert_eq(cf_focus_reader_accepted(r), 1);
    cr_assert_eq(cf_focus_reader_rejected(r), 1);
    cf_focus_reader_destroy(r);
}

/* With keep-going: 5 read, 2 accepted (billed 1 + 2 = 3), 3 rejected at 3:1 BilledCost, 4:6 ChargePeriodEnd,
 * 5:8 Tags. */
Test(focus, bad_rows_keep_going)
{
    cf_focus_reader *r = cf_focus_reader_create();
    cf_focus_reader_set_keep_going(r, 1);
    seen s = {0};
    cf_error err;
    cr_assert_eq(cf_focus_read(r, fx("bill_bad.csv"), collect, &s, &err), CF_OK);
    cr_assert_eq(cf_focus_reader_read(r), 5);
    cr_assert_eq(cf_focus_reader_accepted(r), 2);
    cr_assert_eq(cf_focus_reader_rejected(r), 3);
    cr_assert_float_eq(s.billed, 3.0, 1e-12);
    static const long want_line[] = {3, 4, 5}, want_col[] = {1, 6, 8};
    static const char *const want_field[] = {"BilledCost", "ChargePeriodEnd", "Tags"};
    for (size_t i = 0; i < 3; i++) {
        const cf_error *e = cf_focus_reader_reject(r, i);
        cr_assert_not_null(e);
        cr_assert_eq(e->line, want_line[i]);
        cr_assert_eq(e->column, want_col[i]);
        cr_assert_str_eq(e->field, want_field[i]);
    }
    cr_assert_null(cf_focus_reader_reject(r, 3));
    cf_focus_reader_destroy(r);
}

/* A CSV without the required FOCUS columns fails at line 1 naming the first missing one; a missing file is IO. */
Test(focus, not_a_focus_file)
{
    char path[128];
    snprintf(path, sizeof path, "%s/focus_notfocus.csv", CF_BINARY_DIR);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("run_id,accuracy\nr1,0.5\n", f);
    fclose(f);
    cf_focus_reader *r = cf_focus_reader_create();
    cf_error err;
    cr_assert_eq(cf_focus_read(r, path, collect, &(seen){0}, &err), CF_ERR_INVALID);
    cr_assert_eq(err.line, 1);
    cr_assert_str_eq(err.field, "BilledCost");
    cr_assert_eq(cf_focus_read(r, "/nonexistent/bill.csv", collect, &(seen){0}, &err), CF_ERR_IO);
    remove(path);
    cf_focus_reader_destroy(r);
}

/* A callback that returns a failure stops the read with that status. */
Test(focus, callback_stops)
{
    cf_focus_reader *r = cf_focus_reader_create();
    seen s = {0};
    s.stop_after = 3;
    cf_error err;
    cr_assert_eq(cf_focus_read(r, fx("bill.csv"), collect, &s, &err), CF_ERR_EMPTY);
    cr_assert_eq(s.n, 3);
    cf_focus_reader_destroy(r);
}

/* Timestamps: known epochs worked from 2026-01-01 = day 20454 (1767225600 s). */
Test(focus, parse_time)
{
    double t;
    cr_assert_eq(cf_focus_parse_time("2026-01-01T00:00:00Z", &t), 0);
    cr_assert_float_eq(t, 1767225600.0, 0);
    cr_assert_eq(cf_focus_parse_time("2026-01-01 01:30:00.5", &t), 0);
    cr_assert_float_eq(t, 1767225600.0 + 5400.5, 1e-9);
    cr_assert_eq(cf_focus_parse_time("2026-01-01T02:00:00-02:00", &t), 0);
    cr_assert_float_eq(t, 1767225600.0 + 4 * 3600.0, 0);
    cr_assert_eq(cf_focus_parse_time("2024-02-29", &t), 0);
    cr_assert_eq(cf_focus_parse_time("2026-02-29", &t), -1);
    cr_assert_eq(cf_focus_parse_time("2026-13-01", &t), -1);
    cr_assert_eq(cf_focus_parse_time("yesterday", &t), -1);
    cr_assert_eq(cf_focus_parse_time("2026-01-01T00:00:00Zjunk", &t), -1);
}
