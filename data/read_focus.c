/* costfront: the streaming FOCUS reader (FinOps Open Cost and Usage Specification 1.0-1.2; see focus.h).
 *
 * The file is read through zlib's gzopen/gzread, which inflate gzip members and pass plain bytes through as they
 * are, in 64 KiB blocks. A small RFC 4180 state machine (quoted fields, doubled quotes, CRLF or LF line ends,
 * newlines inside quotes) builds one record at a time in a reusable buffer and counts physical lines, so every
 * record knows the line it starts on. Memory is one record (capped at CF_FOCUS_MAX_RECORD bytes), the header and
 * the kept rejects, whatever the file's size. Columns are found by name in the header, case-sensitively as FOCUS
 * names them; the order does not matter and unknown columns (x_ provider columns, later FOCUS columns) are kept
 * in the row's column arrays.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "data/civil.h"
#include "costfront/focus.h"

#define CF_FOCUS_MAX_RECORD (1u << 20) /* a record longer than 1 MiB is rejected as malformed */
#define BLOCK               65536

/* The columns the reader interprets, by index into col_names. */
enum {
    C_BILLED,
    C_EFFECTIVE,
    C_LIST,
    C_CURRENCY,
    C_START,
    C_END,
    C_CATEGORY,
    C_RESOURCE_ID,
    C_RESOURCE_NAME,
    C_SERVICE,
    C_SKU,
    C_REGION,
    C_PQTY,
    C_PUNIT,
    C_CQTY,
    C_CUNIT,
    C_TAGS,
    C_CD_ID,
    C_CD_STATUS,
    C_PROVIDER,
    C_SERVICE_PROVIDER,
    C_SERVICE_CATEGORY,
    C_CHARGE_DESC,
    C_SUB_ACCOUNT,
    C_CHARGE_FREQ,
    C_NCOLS
};

static const char *const col_names[C_NCOLS] = {
    "BilledCost",       "EffectiveCost",      "ListCost",         "BillingCurrency",    "ChargePeriodStart",
    "ChargePeriodEnd",  "ChargeCategory",     "ResourceId",       "ResourceName",       "ServiceName",
    "SkuId",            "RegionId",           "PricingQuantity",  "PricingUnit",        "ConsumedQuantity",
    "ConsumedUnit",     "Tags",               "CommitmentDiscountId", "CommitmentDiscountStatus", "ProviderName",
    "ServiceProviderName", "ServiceCategory",  "ChargeDescription",  "SubAccountId",     "ChargeFrequency"};

static const int required_cols[] = {C_BILLED, C_EFFECTIVE, C_CURRENCY, C_START, C_END};

struct cf_focus_reader {
    int keep_going;
    size_t n_read, n_accepted, n_rejected;
    cf_error rejects[CF_FOCUS_MAX_REJECTS];
    const char *version;
    char currency[16]; /* the first row's BillingCurrency; later rows must match */
    char currency_src[256];
    long currency_line;
    /* the record being built: NUL-terminated fields packed in buf, starting at offs[i] */
    char *buf;
    size_t len, cap;
    size_t *offs;
    size_t nf, fcap;
    /* the header */
    char **hdr;
    size_t nhdr;
    int col[C_NCOLS]; /* header index of each interpreted column, -1 when absent */
};

cf_focus_reader *cf_focus_reader_create(void)
{
    cf_focus_reader *r = calloc(1, sizeof *r);
    if (r) r->version = "1.0";
    return r;
}

static void free_header(cf_focus_reader *r)
{
    for (size_t i = 0; i < r->nhdr; i++) free(r->hdr[i]);
    free(r->hdr);
    r->hdr = NULL;
    r->nhdr = 0;
}

void cf_focus_reader_destroy(cf_focus_reader *r)
{
    if (r == NULL) return;
    free_header(r);
    free(r->buf);
    free(r->offs);
    free(r);
}

void cf_focus_reader_set_keep_going(cf_focus_reader *r, int keep_going)
{
    if (r) r->keep_going = keep_going != 0;
}

size_t cf_focus_reader_read(const cf_focus_reader *r) { return r ? r->n_read : 0; }
size_t cf_focus_reader_accepted(const cf_focus_reader *r) { return r ? r->n_accepted : 0; }
size_t cf_focus_reader_rejected(const cf_focus_reader *r) { return r ? r->n_rejected : 0; }
const char *cf_focus_reader_version(const cf_focus_reader *r) { return r ? r->version : "1.0"; }

const cf_error *cf_focus_reader_reject(const cf_focus_reader *r, size_t i)
{
    if (r == NULL || i >= r->n_rejected || i >= CF_FOCUS_MAX_REJECTS) return NULL;
    return &r->rejects[i];
}

const char *cf_focus_row_get(const cf_focus_row *row, const char *name)
{
    if (row == NULL || name == NULL) return NULL;
    for (size_t i = 0; i < row->n_columns; i++)
        if (strcmp(row->names[i], name) == 0) return row->values[i][0] ? row->values[i] : NULL;
    return NULL;
}

/* Reads exactly n decimal digits from *p into *v; returns 0 on success. */
static int digits(const char **p, int n, long *v)
{
    long x = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') return -1;
        x = x * 10 + (c - '0');
    }
    *p += n;
    *v = x;
    return 0;
}

int cf_focus_parse_time(const char *s, double *out)
{
    if (s == NULL) return -1;
    const char *p = s;
    long y, mo, d, h = 0, mi = 0, se = 0;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d)) return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))) return -1;
    double frac = 0;
    long off = 0;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi)) return -1;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &se)) return -1;
            if (*p == '.') {
                p++;
                double scale = 0.1;
                if (*p < '0' || *p > '9') return -1;
                while (*p >= '0' && *p <= '9') {
                    frac += (*p++ - '0') * scale;
                    scale /= 10;
                }
            }
        }
        if (h > 24 || mi > 59 || se > 60 || (h == 24 && (mi || se || frac > 0))) return -1;
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1;
            long oh, om = 0;
            if (digits(&p, 2, &oh)) return -1;
            if (*p == ':') p++;
            if (*p) {
                if (digits(&p, 2, &om)) return -1;
            }
            if (oh > 23 || om > 59) return -1;
            off = sign * (oh * 3600 + om * 60);
        }
    }
    if (*p != '\0') return -1;
    *out = (double)cf_days_from_civil(y, mo, d) * 86400.0 + (double)(h * 3600 + mi * 60 + se) + frac - (double)off;
    return 0;
}

/* Parses a finite decimal number filling the whole string. */
static int parse_num(const char *s, double *out)
{
    if (s == NULL || *s == '\0') return -1;
    char *end;
    double v = strtod(s, &end);
    if (*end != '\0' || !isfinite(v)) return -1;
    /* strtod takes hexadecimal floats, "inf" and "nan": FOCUS decimals are none of them */
    for (const char *q = s; *q; q++)
        if (*q == 'x' || *q == 'X' || *q == 'n' || *q == 'N' || *q == 'i' || *q == 'I') return -1;
    *out = v;
    return 0;
}

/* Records one rejected row; returns the status that stops the read (without keep-going) or CF_OK. */
static cf_status reject(cf_focus_reader *r, cf_status st, const char *src, long line, long column, const char *field,
                        const char *fmt, const char *a, const char *b, cf_error *err)
{
    cf_error tmp;
    cf_error *e = r->n_rejected < CF_FOCUS_MAX_REJECTS ? &r->rejects[r->n_rejected] : &tmp;
    cf_error_set(e, st, src, line, column, field, fmt, a, b);
    r->n_rejected++;
    if (r->keep_going) return CF_OK;
    if (err) *err = *e;
    return st;
}

/* Appends one byte to the record buffer; -1 when the record is too long or memory runs out. */
static int put(cf_focus_reader *r, char c)
{
    if (r->len == r->cap) {
        if (r->cap >= CF_FOCUS_MAX_RECORD) return -1;
        size_t cap = r->cap ? 2 * r->cap : 4096;
        char *nb = realloc(r->buf, cap);
        if (nb == NULL) return -1;
        r->buf = nb;
        r->cap = cap;
    }
    r->buf[r->len++] = c;
    return 0;
}

/* Ends the current field (NUL) and starts the next; -1 on failure. */
static int end_field(cf_focus_reader *r)
{
    if (put(r, '\0')) return -1;
    if (r->nf + 2 > r->fcap) {
        size_t cap = r->fcap ? 2 * r->fcap : 64;
        size_t *no = realloc(r->offs, cap * sizeof *no);
        if (no == NULL) return -1;
        r->offs = no;
        r->fcap = cap;
    }
    r->offs[r->nf + 1] = r->len; /* where the next field starts */
    r->nf++;
    return 0;
}

/* State of one file's read. */
typedef struct read_ctx {
    cf_focus_reader *r;
    const char *src;
    cf_focus_row_fn fn;
    void *ctx;
    cf_error *err;
    int have_header;
    long bad_quote_col; /* a quote inside an unquoted field, or text after a closing quote: 1-based field */
} read_ctx;

/* Takes the header record: column names, the interpreted columns' positions, the version it looks like. */
static cf_status take_header(read_ctx *x, long line)
{
    cf_focus_reader *r = x->r;
    free_header(r);
    r->hdr = calloc(r->nf ? r->nf : 1, sizeof *r->hdr);
    if (r->hdr == NULL) return cf_error_set(x->err, CF_ERR_NOMEM, x->src, line, 0, NULL, "out of memory");
    for (size_t i = 0; i < r->nf; i++) {
        const char *f = r->buf + (i ? r->offs[i] : 0);
        if (i == 0 && (unsigned char)f[0] == 0xEF && (unsigned char)f[1] == 0xBB && (unsigned char)f[2] == 0xBF)
            f += 3; /* UTF-8 byte order mark */
        r->hdr[i] = strdup(f);
        if (r->hdr[i] == NULL) return cf_error_set(x->err, CF_ERR_NOMEM, x->src, line, 0, NULL, "out of memory");
        r->nhdr = i + 1;
    }
    for (int c = 0; c < C_NCOLS; c++) {
        r->col[c] = -1;
        for (size_t i = 0; i < r->nhdr; i++)
            if (strcmp(r->hdr[i], col_names[c]) == 0) {
                if (r->col[c] >= 0)
                    return cf_error_set(x->err, CF_ERR_INVALID, x->src, line, (long)i + 1, col_names[c],
                                        "expected each FOCUS column once, found %s twice", col_names[c]);
                r->col[c] = (int)i;
            }
    }
    for (size_t k = 0; k < sizeof required_cols / sizeof *required_cols; k++)
        if (r->col[required_cols[k]] < 0)
            return cf_error_set(x->err, CF_ERR_INVALID, x->src, line, 0, col_names[required_cols[k]],
                                "expected a FOCUS header with column %s, found none (is this a FOCUS export?)",
                                col_names[required_cols[k]]);
    static const char *const v12[] = {"InvoiceId", "PricingCurrency", "BillingAccountType", NULL};
    static const char *const v11[] = {"SkuMeter", "SkuPriceDetails", "ServiceSubcategory", "CapacityReservationId",
                                      "CommitmentDiscountQuantity", NULL};
    r->version = "1.0";
    for (size_t i = 0; i < r->nhdr; i++) {
        for (int k = 0; v11[k]; k++)
            if (!strcmp(r->hdr[i], v11[k]) && strcmp(r->version, "1.2") != 0) r->version = "1.1";
        for (int k = 0; v12[k]; k++)
            if (!strcmp(r->hdr[i], v12[k])) r->version = "1.2";
    }
    return CF_OK;
}

/* Validates one data record and hands it to the callback. */
static cf_status take_row(read_ctx *x, long line)
{
    cf_focus_reader *r = x->r;
    if (r->nf == 1 && r->len == 1) return CF_OK; /* blank line */
    r->n_read++;
    const char *vals_stack[64];
    const char **vals = r->nf <= 64 ? vals_stack : malloc(r->nf * sizeof *vals);
    if (vals == NULL) return cf_error_set(x->err, CF_ERR_NOMEM, x->src, line, 0, NULL, "out of memory");
    for (size_t i = 0; i < r->nf; i++) vals[i] = r->buf + (i ? r->offs[i] : 0);
    cf_status st = CF_OK;
    cJSON *tags = NULL;
    char nbuf[32], fbuf[32];
    if (x->bad_quote_col) {
        snprintf(nbuf, sizeof nbuf, "%ld", x->bad_quote_col);
        st = reject(r, CF_ERR_PARSE, x->src, line, x->bad_quote_col,
                    x->bad_quote_col <= (long)r->nhdr ? r->hdr[x->bad_quote_col - 1] : NULL,
                    "expected a field quoted as RFC 4180 says (\"\" for a quote inside quotes), found a stray quote "
                    "in field %s%s",
                    nbuf, "", x->err);
        goto done;
    }
    if (r->nf != r->nhdr) {
        snprintf(nbuf, sizeof nbuf, "%zu", r->nhdr);
        snprintf(fbuf, sizeof fbuf, "%zu", r->nf);
        st = reject(r, CF_ERR_PARSE, x->src, line, (long)(r->nf < r->nhdr ? r->nf : r->nhdr + 1), NULL,
                    "expected %s fields as in the header, found %s", nbuf, fbuf, x->err);
        goto done;
    }
    cf_focus_row row;
    memset(&row, 0, sizeof row);
    row.source = x->src;
    row.line = line;
    const char *cell[C_NCOLS];
    for (int c = 0; c < C_NCOLS; c++) cell[c] = r->col[c] >= 0 && vals[r->col[c]][0] ? vals[r->col[c]] : NULL;
    double *num_dst[C_NCOLS] = {0};
    num_dst[C_BILLED] = &row.billed_cost;
    num_dst[C_EFFECTIVE] = &row.effective_cost;
    num_dst[C_LIST] = &row.list_cost;
    num_dst[C_PQTY] = &row.pricing_quantity;
    num_dst[C_CQTY] = &row.consumed_quantity;
    for (int c = 0; c < C_NCOLS; c++) {
        if (num_dst[c] == NULL) continue;
        *num_dst[c] = NAN;
        int required = c == C_BILLED || c == C_EFFECTIVE;
        if (cell[c] == NULL && !required) continue;
        if (cell[c] == NULL || parse_num(cell[c], num_dst[c])) {
            st = reject(r, CF_ERR_INVALID, x->src, line, r->col[c] + 1, col_names[c],
                        "expected a decimal number, found '%s'%s", cell[c] ? cell[c] : "", "", x->err);
            goto done;
        }
    }
    if (cell[C_CURRENCY] == NULL) {
        st = reject(r, CF_ERR_INVALID, x->src, line, r->col[C_CURRENCY] + 1, "BillingCurrency",
                    "expected a currency code such as USD, found '%s'%s", "", "", x->err);
        goto done;
    }
    if (r->currency[0] == '\0') {
        snprintf(r->currency, sizeof r->currency, "%s", cell[C_CURRENCY]);
        snprintf(r->currency_src, sizeof r->currency_src, "%s", x->src);
        r->currency_line = line;
    } else if (strcmp(r->currency, cell[C_CURRENCY]) != 0) {
        st = reject(r, CF_ERR_INVALID, x->src, line, r->col[C_CURRENCY] + 1, "BillingCurrency",
                    "expected the currency of the first row (%s), found '%s' (one bill, one currency)", r->currency,
                    cell[C_CURRENCY], x->err);
        goto done;
    }
    int tcols[2] = {C_START, C_END};
    double *tdst[2] = {&row.charge_start, &row.charge_end};
    for (int k = 0; k < 2; k++) {
        int c = tcols[k];
        if (cf_focus_parse_time(cell[c], tdst[k])) {
            st = reject(r, CF_ERR_INVALID, x->src, line, r->col[c] + 1, col_names[c],
                        "expected an ISO 8601 UTC timestamp such as 2026-03-01T00:00:00Z, found '%s'%s",
                        cell[c] ? cell[c] : "", "", x->err);
            goto done;
        }
    }
    if (!(row.charge_end > row.charge_start)) {
        st = reject(r, CF_ERR_INVALID, x->src, line, r->col[C_END] + 1, "ChargePeriodEnd",
                    "expected a time after ChargePeriodStart (%s), found '%s'", cell[C_START], cell[C_END], x->err);
        goto done;
    }
    if (cell[C_TAGS]) {
        tags = cJSON_Parse(cell[C_TAGS]);
        if (tags == NULL || !cJSON_IsObject(tags)) {
            st = reject(r, CF_ERR_INVALID, x->src, line, r->col[C_TAGS] + 1, "Tags",
                        "expected a JSON object such as {\"team\": \"nlp\"}, found '%.200s'%s", cell[C_TAGS], "",
                        x->err);
            goto done;
        }
        for (cJSON *t = tags->child; t; t = t->next)
            if (!cJSON_IsString(t) && !cJSON_IsNumber(t) && !cJSON_IsBool(t) && !cJSON_IsNull(t)) {
                st = reject(r, CF_ERR_INVALID, x->src, line, r->col[C_TAGS] + 1, "Tags",
                            "expected tag values that are strings, found an object or array at key '%s'%s",
                            t->string ? t->string : "", "", x->err);
                goto done;
            }
    }
    row.billing_currency = cell[C_CURRENCY];
    row.charge_category = cell[C_CATEGORY];
    row.resource_id = cell[C_RESOURCE_ID];
    row.resource_name = cell[C_RESOURCE_NAME];
    row.service_name = cell[C_SERVICE];
    row.sku_id = cell[C_SKU];
    row.region_id = cell[C_REGION];
    row.pricing_unit = cell[C_PUNIT];
    row.consumed_unit = cell[C_CUNIT];
    row.commitment_discount_id = cell[C_CD_ID];
    row.commitment_discount_status = cell[C_CD_STATUS];
    row.provider_name = cell[C_PROVIDER] ? cell[C_PROVIDER] : cell[C_SERVICE_PROVIDER];
    row.service_category = cell[C_SERVICE_CATEGORY];
    row.charge_description = cell[C_CHARGE_DESC];
    row.sub_account_id = cell[C_SUB_ACCOUNT];
    row.charge_frequency = cell[C_CHARGE_FREQ];
    row.tags = tags;
    row.n_columns = r->nf;
    row.names = (const char *const *)r->hdr;
    row.values = vals;
    r->n_accepted++;
    st = x->fn ? x->fn(&row, x->ctx) : CF_OK;
done:
    cJSON_Delete(tags);
    if (vals != vals_stack) free(vals);
    return st;
}

/* Ends a record: the first is the header, the others are data rows. Resets the record buffer. */
static cf_status end_record(read_ctx *x, long line)
{
    cf_status st;
    if (!x->have_header) {
        st = take_header(x, line);
        x->have_header = 1;
    } else {
        st = take_row(x, line);
    }
    x->r->len = 0;
    x->r->nf = 0;
    x->bad_quote_col = 0;
    return st;
}

cf_status cf_focus_read(cf_focus_reader *r, const char *path, cf_focus_row_fn fn, void *ctx, cf_error *err)
{
    if (r == NULL || path == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no reader or path");
    gzFile gz = strcmp(path, "-") == 0 ? gzdopen(0, "rb") : gzopen(path, "rb");
    if (gz == NULL) return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot open the FOCUS file");
    gzbuffer(gz, BLOCK);
    char *block = malloc(BLOCK);
    if (block == NULL) {
        gzclose(gz);
        return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
    }
    read_ctx x = {r, path, fn, ctx, err, 0, 0};
    r->len = r->nf = 0;
    long line = 1, rec_line = 1;
    /* states: 0 start of field, 1 unquoted field, 2 quoted field, 3 quote seen inside a quoted field */
    int state = 0, in_record = 0, too_long = 0;
    cf_status st = CF_OK;
    for (;;) {
        int got = gzread(gz, block, BLOCK);
        if (got < 0) {
            int zerr;
            const char *msg = gzerror(gz, &zerr);
            st = cf_error_set(err, CF_ERR_IO, path, line, 0, NULL, "cannot read the file (%s)", msg ? msg : "zlib");
            break;
        }
        if (got == 0) break;
        for (int i = 0; i < got && st == CF_OK; i++) {
            char c = block[i];
            if (!in_record) {
                in_record = 1;
                rec_line = line;
            }
            if (state == 2) {
                if (c == '"') state = 3;
                else {
                    if (c == '\n') line++;
                    if (put(r, c)) too_long = 1;
                }
                continue;
            }
            if (state == 3) {
                if (c == '"') {
                    state = 2;
                    if (put(r, '"')) too_long = 1;
                    continue;
                }
                state = 1; /* the quoted field ended; fall through to the separators */
                if (c != ',' && c != '\n' && c != '\r' && !x.bad_quote_col) x.bad_quote_col = (long)r->nf + 1;
            }
            if (c == ',') {
                if (end_field(r)) too_long = 1;
                state = 0;
            } else if (c == '\n') {
                line++;
                if (too_long || end_field(r)) {
                    st = reject(r, CF_ERR_PARSE, path, rec_line, 0, NULL, "expected a record under %s, found %s",
                                "1 MiB", "a longer one (an unclosed quote?)", err);
                    r->n_read++;
                    r->len = r->nf = 0;
                    x.bad_quote_col = 0;
                    too_long = 0;
                } else {
                    st = end_record(&x, rec_line);
                }
                state = 0;
                in_record = 0;
            } else if (c == '\r') {
                /* CR of a CRLF line end (a lone CR outside quotes is dropped too) */
            } else if (c == '"' && state == 0) {
                state = 2;
            } else {
                if (c == '"' && !x.bad_quote_col) x.bad_quote_col = (long)r->nf + 1;
                state = 1;
                if (put(r, c)) too_long = 1;
            }
        }
        if (st != CF_OK) break;
    }
    if (st == CF_OK && in_record) {
        if (state == 2 || too_long) {
            r->n_read++;
            st = reject(r, CF_ERR_PARSE, path, rec_line, 0, NULL, "expected a closing quote, found %s%s",
                        "the end of the file", "", err);
        } else if (end_field(r)) {
            st = cf_error_set(err, CF_ERR_NOMEM, path, rec_line, 0, NULL, "out of memory");
        } else {
            st = end_record(&x, rec_line);
        }
    }
    if (st == CF_OK && !x.have_header)
        st = cf_error_set(err, CF_ERR_INVALID, path, 1, 0, NULL,
                          "expected a FOCUS header row (BilledCost, EffectiveCost, ...), found an empty file");
    free(block);
    gzclose(gz);
    return st;
}
