/* costfront: the bill joined to runs -- actual cost per run explained against the modelled cost, idle and
 * unallocated accelerators, unit economics (see include/costfront/bill.h for the rules).
 *
 * Rows stream through cf_bill_join_add_row; memory is the runs' accumulators, one line per resource and at most
 * MAX_UNASSIGNED unassigned rows listed (the rest only counted). The resource+time rule intersects the charge
 * period with the union of the overlapping runs' intervals (sorted and merged), so two runs on the same machine at
 * once are not billed twice: when their intervals overlap each other, their parts are scaled to the union.
 */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "costfront/bill.h"
#include "costfront/catalog.h"
#include "costfront/pricing.h"
#include "costfront/runset.h"

#define MAX_UNASSIGNED 1000

typedef struct jrun {
    double start, end, util; /* NaN when absent */
    const char *resource, *status;
    double price;            /* catalog USD per GPU-hour on demand, NaN when it cannot be priced */
    double billed, effective, hours;
    size_t rows;
    unsigned rules; /* 1 tag, 2 resource+time */
} jrun;

typedef struct jres {
    char *id;
    double hours, billed, effective;          /* accelerator charge hours and cost on the resource */
    double idle_hours, idle_billed, idle_effective;
} jres;

typedef struct junassigned {
    char source[256];
    long line;
    char resource[128];
    const char *rule;
    double billed, effective, hours;
} junassigned;

struct cf_bill_join {
    const cf_runset *rs;
    char *tag;
    double baseline;
    jrun *runs;
    size_t nruns;
    jres *res;
    size_t nres, capres;
    junassigned *un;
    size_t nun, nun_total;
    double hist[24];
    size_t accel_rows, other_rows;
    double accel_billed, accel_effective;
    char currency[16];
};

/* The text of extra column name for run i, or NULL. */
static const char *param_str(const cf_runset *rs, size_t i, const char *name)
{
    size_t j = cf_runset_param_find(rs, name);
    return j == (size_t)-1 ? NULL : cf_runset_param_str(rs, i, j);
}

cf_bill_join *cf_bill_join_create(const cf_runset *rs, const cf_catalog *cat, const char *join_tag)
{
    cf_bill_join *j = calloc(1, sizeof *j);
    if (j == NULL) return NULL;
    j->rs = rs;
    j->baseline = NAN;
    const char *t = join_tag && *join_tag ? join_tag : "run_id";
    j->tag = malloc(strlen(t) + 1);
    j->nruns = rs ? cf_runset_size(rs) : 0;
    j->runs = calloc(j->nruns ? j->nruns : 1, sizeof *j->runs);
    j->un = calloc(MAX_UNASSIGNED, sizeof *j->un);
    if (j->tag == NULL || j->runs == NULL || j->un == NULL) {
        cf_bill_join_destroy(j);
        return NULL;
    }
    strcpy(j->tag, t);
    cf_pricing_opts po;
    cf_pricing_opts_default(&po);
    for (size_t i = 0; i < j->nruns; i++) {
        jrun *r = &j->runs[i];
        const cf_run *run = cf_runset_get(rs, i);
        const char *s = param_str(rs, i, "start_time"), *e = param_str(rs, i, "end_time");
        if (s == NULL || cf_focus_parse_time(s, &r->start)) r->start = NAN;
        if (e == NULL || cf_focus_parse_time(e, &r->end)) r->end = NAN;
        r->resource = param_str(rs, i, "resource_id");
        r->status = param_str(rs, i, "status");
        size_t ju = cf_runset_param_find(rs, "gpu_util");
        r->util = ju == (size_t)-1 ? NAN : cf_runset_param_num(rs, i, ju);
        if (r->util > 1 && r->util <= 100) r->util /= 100; /* percent */
        r->price = NAN;
        cf_price p;
        cf_error err;
        if (cat && run && cf_price_run(cat, run, CF_PROC_ON_DEMAND, &po, &p, &err) == CF_OK) r->price = p.price_per_hour;
    }
    return j;
}

void cf_bill_join_destroy(cf_bill_join *j)
{
    if (j == NULL) return;
    for (size_t i = 0; i < j->nres; i++) free(j->res[i].id);
    free(j->res);
    free(j->runs);
    free(j->un);
    free(j->tag);
    free(j);
}

void cf_bill_join_set_baseline(cf_bill_join *j, double baseline)
{
    if (j) j->baseline = baseline;
}

/* True when the row is accelerator usage by the rule in bill.h. */
static int is_accelerator(const cf_focus_row *row)
{
    if (row->resource_id == NULL || row->consumed_unit == NULL) return 0;
    if (row->charge_category && strcmp(row->charge_category, "Usage") != 0) return 0;
    const char *u = row->consumed_unit;
    if (strcasecmp(u, "hours") && strcasecmp(u, "hour") && strcasecmp(u, "hrs") && strcasecmp(u, "h")) return 0;
    const char *c = row->service_category;
    return c == NULL || !strcmp(c, "Compute") || !strcmp(c, "AI and Machine Learning");
}

/* The resource's accumulator, created on first use; NULL when memory runs out. */
static jres *resource(cf_bill_join *j, const char *id)
{
    for (size_t i = 0; i < j->nres; i++)
        if (!strcmp(j->res[i].id, id)) return &j->res[i];
    if (j->nres == j->capres) {
        size_t cap = j->capres ? 2 * j->capres : 16;
        jres *n = realloc(j->res, cap * sizeof *n);
        if (n == NULL) return NULL;
        j->res = n;
        j->capres = cap;
    }
    jres *r = &j->res[j->nres];
    memset(r, 0, sizeof *r);
    r->id = malloc(strlen(id) + 1);
    if (r->id == NULL) return NULL;
    strcpy(r->id, id);
    j->nres++;
    return r;
}

/* Adds the seconds of [a, b) to the hour-of-day histogram (UTC), in hours. */
static void hist_add(double *hist, double a, double b)
{
    while (a < b) {
        double next = (floor(a / 3600.0) + 1) * 3600.0;
        double to = b < next ? b : next;
        long h = (long)floor(a / 3600.0) % 24;
        if (h < 0) h += 24;
        hist[h] += (to - a) / 3600.0;
        a = to;
    }
}

static void note_unassigned(cf_bill_join *j, const cf_focus_row *row, const char *rule, double frac, double hours)
{
    j->nun_total++;
    if (j->nun >= MAX_UNASSIGNED) return;
    junassigned *u = &j->un[j->nun++];
    snprintf(u->source, sizeof u->source, "%s", row->source ? row->source : "");
    u->line = row->line;
    snprintf(u->resource, sizeof u->resource, "%s", row->resource_id);
    u->rule = rule;
    u->billed = row->billed_cost * frac;
    u->effective = row->effective_cost * frac;
    u->hours = hours;
}

typedef struct ival {
    double a, b;
    size_t run;
} ival;

static int cmp_ival(const void *pa, const void *pb)
{
    const ival *x = pa, *y = pb;
    return x->a < y->a ? -1 : x->a > y->a;
}

cf_status cf_bill_join_add_row(cf_bill_join *j, const cf_focus_row *row)
{
    if (j == NULL || row == NULL) return CF_ERR_ARG;
    if (j->currency[0] == '\0' && row->billing_currency)
        snprintf(j->currency, sizeof j->currency, "%s", row->billing_currency);
    if (!is_accelerator(row)) {
        j->other_rows++;
        return CF_OK;
    }
    j->accel_rows++;
    j->accel_billed += row->billed_cost;
    j->accel_effective += row->effective_cost;
    double s = row->charge_start, e = row->charge_end, hours = (e - s) / 3600.0;
    jres *res = resource(j, row->resource_id);
    if (res == NULL) return CF_ERR_NOMEM;
    res->hours += hours;
    res->billed += row->billed_cost;
    res->effective += row->effective_cost;
    /* rule 1: the join tag names a run */
    const cJSON *t = row->tags ? cJSON_GetObjectItemCaseSensitive(row->tags, j->tag) : NULL;
    if (cJSON_IsString(t) && j->rs) {
        size_t i = cf_runset_find(j->rs, t->valuestring);
        if (i != (size_t)-1) {
            jrun *r = &j->runs[i];
            r->billed += row->billed_cost;
            r->effective += row->effective_cost;
            r->hours += hours;
            r->rows++;
            r->rules |= 1u;
            return CF_OK;
        }
    }
    /* rule 2: runs on the resource during the charge period */
    size_t n = 0, cap = 0;
    ival *iv = NULL;
    for (size_t i = 0; i < j->nruns; i++) {
        jrun *r = &j->runs[i];
        if (r->resource == NULL || strcmp(r->resource, row->resource_id) || !(r->end > r->start)) continue;
        double a = r->start > s ? r->start : s, b = r->end < e ? r->end : e;
        if (!(b > a)) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            ival *ni = realloc(iv, cap * sizeof *ni);
            if (ni == NULL) {
                free(iv);
                return CF_ERR_NOMEM;
            }
            iv = ni;
        }
        iv[n++] = (ival){a, b, i};
    }
    double period = e - s;
    if (n == 0) {
        res->idle_hours += hours;
        res->idle_billed += row->billed_cost;
        res->idle_effective += row->effective_cost;
        hist_add(j->hist, s, e);
        note_unassigned(j, row, "none", 1.0, hours);
        return CF_OK;
    }
    qsort(iv, n, sizeof *iv, cmp_ival);
    double sum = 0, covered = 0, cur_a = iv[0].a, cur_b = iv[0].b, gap_from = s;
    for (size_t k = 0; k < n; k++) sum += iv[k].b - iv[k].a;
    for (size_t k = 0; k <= n; k++) {
        if (k < n && iv[k].a <= cur_b) {
            if (iv[k].b > cur_b) cur_b = iv[k].b;
            continue;
        }
        /* the merged interval [cur_a, cur_b) ends here; the gap before it is idle */
        hist_add(j->hist, gap_from, cur_a);
        covered += cur_b - cur_a;
        gap_from = cur_b;
        if (k < n) {
            cur_a = iv[k].a;
            cur_b = iv[k].b;
        }
    }
    hist_add(j->hist, gap_from, e);
    double scale = sum > 0 ? covered / sum : 0; /* overlapping runs share the covered time */
    for (size_t k = 0; k < n; k++) {
        jrun *r = &j->runs[iv[k].run];
        double f = (iv[k].b - iv[k].a) * scale / period;
        r->billed += row->billed_cost * f;
        r->effective += row->effective_cost * f;
        r->hours += hours * f;
        r->rows++;
        r->rules |= 2u;
    }
    free(iv);
    double idle = 1.0 - covered / period;
    if (idle > 1e-12) {
        res->idle_hours += hours * idle;
        res->idle_billed += row->billed_cost * idle;
        res->idle_effective += row->effective_cost * idle;
        note_unassigned(j, row, "resource+time remainder", idle, hours * idle);
    }
    return CF_OK;
}

cf_status cf_bill_join_row_fn(const cf_focus_row *row, void *ctx) { return cf_bill_join_add_row(ctx, row); }

static int is_success(const char *s)
{
    return s && (!strcasecmp(s, "complete") || !strcasecmp(s, "completed") || !strcasecmp(s, "finished") ||
                 !strcasecmp(s, "success") || !strcasecmp(s, "succeeded"));
}

static void num_or_null(cJSON *o, const char *k, double v)
{
    if (isfinite(v)) cJSON_AddNumberToObject(o, k, v);
    else cJSON_AddNullToObject(o, k);
}

cf_status cf_bill_join_write(cf_bill_join *j, cf_bill_format format, FILE *out, cf_error *err)
{
    if (j == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no join or stream");
    cJSON *root = cJSON_CreateObject();
    if (root == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    cJSON_AddStringToObject(root, "join_tag", j->tag);
    cJSON_AddStringToObject(root, "currency", j->currency);
    cJSON_AddNumberToObject(root, "accelerator_rows", (double)j->accel_rows);
    cJSON_AddNumberToObject(root, "other_rows", (double)j->other_rows);
    cJSON_AddNumberToObject(root, "accelerator_billed_cost", j->accel_billed);
    cJSON_AddNumberToObject(root, "accelerator_effective_cost", j->accel_effective);
    cJSON *runs = cJSON_AddArrayToObject(root, "runs");
    size_t njoined = 0, nsucc = 0;
    double tot_eff = 0, tot_billed = 0, unused = 0, amin = INFINITY, amax = -INFINITY, tok_m = 0, tok_eff = 0;
    for (size_t i = 0; i < j->nruns; i++) {
        const jrun *r = &j->runs[i];
        if (r->rows == 0) continue;
        const cf_run *run = cf_runset_get(j->rs, i);
        njoined++;
        nsucc += is_success(r->status);
        tot_eff += r->effective;
        tot_billed += r->billed;
        if (isfinite(run->accuracy)) {
            if (run->accuracy < amin) amin = run->accuracy;
            if (run->accuracy > amax) amax = run->accuracy;
        }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(runs, o);
        cJSON_AddStringToObject(o, "run_id", run->run_id);
        cJSON_AddStringToObject(o, "rule", r->rules == 1 ? "tag" : r->rules == 2 ? "resource+time" : "tag+resource+time");
        cJSON_AddNumberToObject(o, "rows", (double)r->rows);
        cJSON_AddNumberToObject(o, "charge_hours", r->hours);
        double gpus = isfinite(run->num_gpus) && run->num_gpus > 0 ? run->num_gpus : 1;
        double bgh = r->hours * gpus;
        cJSON_AddNumberToObject(o, "billed_gpu_hours", bgh);
        cJSON_AddNumberToObject(o, "billed_cost", r->billed);
        cJSON_AddNumberToObject(o, "effective_cost", r->effective);
        num_or_null(o, "catalog_price_per_gpu_hour", r->price);
        double modelled = r->price * run->gpu_hours;
        num_or_null(o, "modelled_cost", modelled);
        num_or_null(o, "hours_effect", (bgh - run->gpu_hours) * r->price);
        num_or_null(o, "price_effect", r->billed - bgh * r->price);
        cJSON_AddNumberToObject(o, "discount_effect", r->effective - r->billed);
        num_or_null(o, "difference", r->effective - modelled);
        if (r->status) cJSON_AddStringToObject(o, "status", r->status);
        if (isfinite(run->tokens_per_s) && run->tokens_per_s > 0 && r->hours > 0) {
            /* tokens served over the billed hours of the run (inference runs, issue 11) */
            double mtok = run->tokens_per_s * r->hours * 3600.0 / 1e6;
            cJSON_AddNumberToObject(o, "million_tokens", mtok);
            cJSON_AddNumberToObject(o, "cost_per_1m_tokens", r->effective / mtok);
            tok_m += mtok;
            tok_eff += r->effective;
        }
        if (isfinite(r->util)) {
            cJSON_AddNumberToObject(o, "gpu_util", r->util);
            cJSON_AddNumberToObject(o, "allocated_unused_cost", (1 - r->util) * r->effective);
            unused += (1 - r->util) * r->effective;
        }
    }
    cJSON_AddNumberToObject(root, "runs_without_bill_rows", (double)(j->nruns - njoined));
    cJSON *un = cJSON_AddArrayToObject(root, "unassigned");
    for (size_t i = 0; i < j->nun; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(un, o);
        cJSON_AddStringToObject(o, "source", j->un[i].source);
        cJSON_AddNumberToObject(o, "line", (double)j->un[i].line);
        cJSON_AddStringToObject(o, "resource_id", j->un[i].resource);
        cJSON_AddStringToObject(o, "rule", j->un[i].rule);
        cJSON_AddNumberToObject(o, "hours", j->un[i].hours);
        cJSON_AddNumberToObject(o, "billed_cost", j->un[i].billed);
        cJSON_AddNumberToObject(o, "effective_cost", j->un[i].effective);
    }
    cJSON_AddNumberToObject(root, "unassigned_not_listed", (double)(j->nun_total - j->nun));
    cJSON *idle = cJSON_AddObjectToObject(root, "idle");
    double ih = 0, ib = 0, ie = 0;
    cJSON *rl = cJSON_AddArrayToObject(idle, "resources");
    for (size_t i = 0; i < j->nres; i++) {
        const jres *r = &j->res[i];
        ih += r->idle_hours;
        ib += r->idle_billed;
        ie += r->idle_effective;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(rl, o);
        cJSON_AddStringToObject(o, "resource_id", r->id);
        cJSON_AddNumberToObject(o, "charge_hours", r->hours);
        cJSON_AddNumberToObject(o, "idle_hours", r->idle_hours);
        cJSON_AddNumberToObject(o, "idle_billed_cost", r->idle_billed);
        cJSON_AddNumberToObject(o, "idle_effective_cost", r->idle_effective);
        cJSON_AddNumberToObject(o, "idle_share", r->billed != 0 ? r->idle_billed / r->billed : 0);
    }
    cJSON_AddNumberToObject(idle, "idle_hours", ih);
    cJSON_AddNumberToObject(idle, "idle_billed_cost", ib);
    cJSON_AddNumberToObject(idle, "idle_effective_cost", ie);
    cJSON_AddNumberToObject(idle, "idle_share", j->accel_billed != 0 ? ib / j->accel_billed : 0);
    cJSON *hist = cJSON_AddArrayToObject(idle, "hour_of_day_utc");
    for (int h = 0; h < 24; h++) cJSON_AddItemToArray(hist, cJSON_CreateNumber(j->hist[h]));
    cJSON *ue = cJSON_AddObjectToObject(root, "unit_economics");
    cJSON_AddNumberToObject(ue, "runs", (double)njoined);
    cJSON_AddNumberToObject(ue, "successful_runs", (double)nsucc);
    cJSON_AddNumberToObject(ue, "effective_cost", tot_eff);
    cJSON_AddNumberToObject(ue, "billed_cost", tot_billed);
    num_or_null(ue, "cost_per_run", njoined ? tot_eff / (double)njoined : NAN);
    num_or_null(ue, "cost_per_successful_run", nsucc ? tot_eff / (double)nsucc : NAN);
    double base = isfinite(j->baseline) ? j->baseline : amin;
    num_or_null(ue, "accuracy_baseline", isfinite(base) ? base : NAN);
    double pts = (amax - base) * 100;
    num_or_null(ue, "cost_per_accuracy_point", isfinite(pts) && pts > 0 ? tot_eff / pts : NAN);
    cJSON_AddNumberToObject(ue, "allocated_unused_cost", unused);
    num_or_null(ue, "cost_per_1m_tokens", tok_m > 0 ? tok_eff / tok_m : NAN);
    cf_status st = CF_OK;
    if (format == CF_BILL_JSON) {
        char *txt = cJSON_Print(root);
        if (txt == NULL) st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
        else {
            fputs(txt, out);
            fputc('\n', out);
            cJSON_free(txt);
        }
    } else {
        fprintf(out, "%-16s %-14s %10s %10s %10s %10s %10s %10s\n", "run", "rule", "billed", "effective", "modelled",
                "hours", "price", "discount");
        cJSON *o;
        cJSON_ArrayForEach(o, runs)
        {
            fprintf(out, "%-16.16s %-14.14s %10.2f %10.2f %10.2f %10.2f %10.2f %10.2f\n",
                    cJSON_GetObjectItem(o, "run_id")->valuestring, cJSON_GetObjectItem(o, "rule")->valuestring,
                    cJSON_GetObjectItem(o, "billed_cost")->valuedouble,
                    cJSON_GetObjectItem(o, "effective_cost")->valuedouble,
                    cJSON_GetObjectItem(o, "modelled_cost")->valuedouble,
                    cJSON_GetObjectItem(o, "hours_effect")->valuedouble,
                    cJSON_GetObjectItem(o, "price_effect")->valuedouble,
                    cJSON_GetObjectItem(o, "discount_effect")->valuedouble);
        }
        fprintf(out, "(effective = modelled + hours + price + discount effects; null prices print as nan)\n\n");
        fprintf(out, "unassigned accelerator rows: %zu\n", j->nun_total);
        for (size_t i = 0; i < j->nun; i++)
            fprintf(out, "  %s:%ld %s %s: %.2f h, billed %.2f, effective %.2f\n", j->un[i].source, j->un[i].line,
                    j->un[i].resource, j->un[i].rule, j->un[i].hours, j->un[i].billed, j->un[i].effective);
        fprintf(out, "\nidle: %.2f h, billed %.2f (%.1f%% of accelerator cost), effective %.2f\n", ih, ib,
                j->accel_billed != 0 ? 100 * ib / j->accel_billed : 0.0, ie);
        for (size_t i = 0; i < j->nres; i++)
            fprintf(out, "  %-24s %8.2f idle h of %8.2f  billed %10.2f\n", j->res[i].id, j->res[i].idle_hours,
                    j->res[i].hours, j->res[i].idle_billed);
        fprintf(out, "  idle hours by hour of day (UTC):");
        for (int h = 0; h < 24; h++) fprintf(out, " %g", j->hist[h]);
        fprintf(out, "\n\nunit economics (%s): %zu runs, %zu successful; per run %.2f, per successful run %.2f, "
                     "allocated but unused %.2f\n",
                j->currency, njoined, nsucc, njoined ? tot_eff / (double)njoined : NAN,
                nsucc ? tot_eff / (double)nsucc : NAN, unused);
    }
    cJSON_Delete(root);
    if (st == CF_OK && ferror(out)) st = cf_error_set(err, CF_ERR_IO, NULL, 0, 0, NULL, "write failed");
    return st;
}
