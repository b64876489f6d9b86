/* costfront: MLPerf Inference results (the results repositories' summary_results.json) into raw records (see
 * sources.h, issue 11).
 *
 * The summary is a JSON array (or {"results": [...]}) with one object per result: Accelerator, a# (accelerators
 * per node), Nodes, Model, Scenario, Performance_Result, Performance_Units, Accuracy (free text such as "ROUGE1:
 * 44.53  ROUGE2: 22.07"), weight_data_types, Power_Result / Power_Units, plus Division, Organization, System,
 * Availability, Category. A result becomes a record whose names are the runset's canonical fields, so nothing
 * needs mapping: hardware (resolved through the catalog's aliases by the runset), num_gpus = a# x Nodes,
 * num_nodes, model, precision (from the weight data type), accuracy (the free text: the runset takes its first
 * metric, or the one named with --metric or a mapping's "extract"), the throughput by its unit (Tokens/s ->
 * tokens_per_s, Samples/s -> samples_per_s, Queries/s -> queries_per_s), power_w when the power is in watts, and
 * scenario, division, organization, system, availability as fields. Results that report latency (SingleStream,
 * MultiStream) rather than a throughput are skipped and counted: they give no cost per 1M units.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "costfront/sources.h"
#include "data/runset_internal.h"
#include "data/src_util.h"

/* The text of member key of o (a string, or a number printed exactly), or NULL when absent, null or empty. */
static const char *member_text(const cJSON *o, const char *key, char *buf)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsString(v) && v->valuestring[0] != '\0') return v->valuestring;
    if (cJSON_IsNumber(v)) return cf_src_fmt_double(v->valuedouble, buf);
    return NULL;
}

/* The number of member key of o (a JSON number, or a string holding one), NaN otherwise. */
static double member_num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsNumber(v)) return v->valuedouble;
    if (cJSON_IsString(v)) {
        char *end = NULL;
        double x = strtod(v->valuestring, &end);
        if (end != v->valuestring && isfinite(x)) return x;
    }
    return NAN;
}

int cf_mlperf_sniff_text(const char *text, size_t len)
{
    /* The two members every result has and no other supported source uses. */
    size_t n = len < 65536 ? len : 65536;
    char *head = malloc(n + 1);
    if (head == NULL) return 0;
    memcpy(head, text, n);
    head[n] = '\0';
    int yes = strstr(head, "\"Performance_Units\"") != NULL && strstr(head, "\"Accelerator\"") != NULL;
    free(head);
    return yes;
}

int cf_mlperf_sniff(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return 0;
    char buf[65536];
    size_t got = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return cf_mlperf_sniff_text(buf, got);
}

/* The canonical throughput field of an MLPerf unit ("Tokens/s", "Samples/s", "Queries/s"), or NULL. */
static const char *throughput_field(const char *units)
{
    if (units == NULL) return NULL;
    if (!strncasecmp(units, "tokens/s", 8) || !strncasecmp(units, "tokens per second", 17)) return "tokens_per_s";
    if (!strncasecmp(units, "samples/s", 9) || !strncasecmp(units, "samples per second", 18)) return "samples_per_s";
    if (!strncasecmp(units, "queries/s", 9) || !strncasecmp(units, "queries per second", 18)) return "queries_per_s";
    return NULL;
}

/* The precision spelling of a weight data type: the text itself when the runset reads it ("fp8", "int8"), else the
 * first word of it that reads as a precision ("fp8 (e4m3)", "int4, fp16"); NULL when none does. */
static const char *weight_precision(const char *w, char *buf, size_t n)
{
    if (w == NULL) return NULL;
    cf_precision p;
    if (cf_precision_parse(w, &p) == CF_OK) return w;
    const char *s = w;
    while (*s) {
        while (*s && !isalnum((unsigned char)*s)) s++;
        size_t k = 0;
        while (s[k] && (isalnum((unsigned char)s[k]) || s[k] == '_')) k++;
        if (k == 0) break;
        snprintf(buf, n, "%.*s", (int)k, s);
        if (cf_precision_parse(buf, &p) == CF_OK) return buf;
        s += k;
    }
    return NULL;
}

/* Adds one result as a record (or counts it as skipped). */
static cf_status add_result(const cJSON *o, long recno, cf_records *out, size_t *unknown_prec, size_t *no_power)
{
    char *raw = cJSON_PrintUnformatted(o);
    if (raw == NULL) return CF_ERR_NOMEM;
    cf_status st = CF_OK;
    if (!cJSON_IsObject(o)) {
        st = cf_records_reject(out, NULL, recno, 0, "", "expected a JSON object for an MLPerf result", raw);
        free(raw);
        return st;
    }
    char b1[32], b2[32], b3[32], b4[32], pbuf[64];
    const char *units = member_text(o, "Performance_Units", b1);
    const char *tfield = throughput_field(units);
    if (tfield == NULL) {
        free(raw);
        return cf_records_skip(out, units ? "latency, not a throughput" : "no Performance_Units");
    }
    cf_pairbuf b = {0};
    const char *id = member_text(o, "ID", b2);
    const char *org = member_text(o, "Organization", b3), *sys = member_text(o, "System", b4);
    const char *model = member_text(o, "Model", pbuf);
    char idbuf[600];
    if (id == NULL) {
        char sc[64];
        const char *scen = member_text(o, "Scenario", sc);
        snprintf(idbuf, sizeof idbuf, "%s/%s/%s/%s", org ? org : "?", sys ? sys : "?", model ? model : "?",
                 scen ? scen : "?");
        id = idbuf;
    } else {
        snprintf(idbuf, sizeof idbuf, "%s", id);
        id = idbuf;
    }
    st = cf_pairbuf_add(&b, "run_id", id);
    char tb[32];
    const char *acc = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "Accuracy"))
                          ? cJSON_GetObjectItemCaseSensitive(o, "Accuracy")->valuestring
                          : member_text(o, "Accuracy", tb);
    if (st == CF_OK && acc) st = cf_pairbuf_add(&b, "accuracy", acc);
    const char *hw = member_text(o, "Accelerator", tb);
    if (st == CF_OK && hw && strcasecmp(hw, "N/A") != 0) st = cf_pairbuf_add(&b, "hardware", hw);
    double per_node = member_num(o, "a#"), nodes = member_num(o, "Nodes");
    if (!(nodes > 0)) nodes = 1;
    char nb[32];
    if (st == CF_OK && per_node > 0) st = cf_pairbuf_add(&b, "num_gpus", cf_src_fmt_double(per_node * nodes, nb));
    if (st == CF_OK) st = cf_pairbuf_add(&b, "num_nodes", cf_src_fmt_double(nodes, nb));
    if (st == CF_OK && model) st = cf_pairbuf_add(&b, "model", model);
    char wb[64], wt[32];
    const char *w = member_text(o, "weight_data_types", wt);
    const char *prec = weight_precision(w, wb, sizeof wb);
    if (w != NULL && prec == NULL) (*unknown_prec)++;
    if (st == CF_OK && prec) st = cf_pairbuf_add(&b, "precision", prec);
    if (st == CF_OK && w) st = cf_pairbuf_add(&b, "weight_data_types", w);
    const char *perf = member_text(o, "Performance_Result", tb);
    if (st == CF_OK) st = cf_pairbuf_add(&b, tfield, perf);
    /* Measured power: a system's average watts (Offline, Server); SingleStream energy is skipped above. */
    double pw = member_num(o, "Power_Result");
    const char *pu = member_text(o, "Power_Units", wt);
    if (st == CF_OK && pw > 0) {
        if (pu == NULL || !strncasecmp(pu, "watts", 5) || !strcasecmp(pu, "W"))
            st = cf_pairbuf_add(&b, "power_w", cf_src_fmt_double(pw, nb));
        else
            (*no_power)++;
    }
    static const struct {
        const char *from, *to;
    } fields[] = {{"Scenario", "scenario"},         {"Division", "division"},   {"Organization", "organization"},
                  {"System", "system"},             {"Availability", "availability"},
                  {"Category", "category"}};
    for (size_t k = 0; k < sizeof fields / sizeof *fields && st == CF_OK; k++) {
        const char *v = member_text(o, fields[k].from, tb);
        if (v) st = cf_pairbuf_add(&b, fields[k].to, v);
    }
    if (st == CF_OK) st = cf_pairbuf_emit(&b, out, id, recno, raw);
    cf_pairbuf_free(&b);
    free(raw);
    return st;
}

cf_status cf_read_mlperf(const char *path, cf_records *out, cf_error *err)
{
    if (path == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no path or no records");
    size_t len;
    char *text = cf_src_read_file(path, &len);
    if (text == NULL) return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot read the file");
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithOpts(text, &end, 1);
    if (doc == NULL) {
        long line, col;
        cf_text_linecol(text, cf_json_error_offset(text, len, end ? end : cJSON_GetErrorPtr()), &line, &col);
        free(text);
        return cf_error_set(err, CF_ERR_PARSE, path, line, col, NULL,
                            "invalid JSON at line %ld, column %ld (an MLPerf summary_results.json is one JSON array)",
                            line, col);
    }
    free(text);
    const cJSON *arr = cJSON_IsArray(doc) ? doc : cJSON_GetObjectItemCaseSensitive(doc, "results");
    if (!cJSON_IsArray(arr)) {
        cJSON_Delete(doc);
        return cf_error_set(err, CF_ERR_PARSE, path, 1, 1, NULL,
                            "expected a JSON array of MLPerf results (or {\"results\": [...]}), found another JSON value");
    }
    cf_status st = cf_records_begin_source(out, "mlperf", path);
    size_t unknown_prec = 0, no_power = 0;
    long recno = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        if (st != CF_OK) break;
        st = add_result(it, ++recno, out, &unknown_prec, &no_power);
    }
    cJSON_Delete(doc);
    if (st == CF_OK && unknown_prec > 0)
        st = cf_records_note(out,
                             "%s: %zu MLPerf result%s a weight_data_types that names no precision costfront knows; "
                             "their precision is unknown",
                             path, unknown_prec, unknown_prec == 1 ? " has" : "s have");
    if (st == CF_OK && no_power > 0)
        st = cf_records_note(out, "%s: %zu MLPerf result%s power in units other than watts; board power used", path,
                             no_power, no_power == 1 ? " gives" : "s give");
    if (st == CF_OK) st = cf_records_note_skips(out);
    if (st == CF_ERR_NOMEM) return cf_error_set(err, st, path, 0, 0, NULL, "out of memory");
    return st;
}
