/* costfront: the cost-aware mode of a study (see study.h, cf_study_cost_aware): the metrics that are linear in
 * GPU-hours for a fixed (hardware, procurement) pair are computed from gpu_hours and the study's catalog, and the
 * model predicts them from a GP of log gpu_hours. */
#include "optimizer/study_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const derived_names[CF_NDERIVED] = {"cost_usd", "total_cost_usd", "co2e_kg", "energy_kwh",
                                                       "carbon_cost_usd"};

void cf_study_cost_free(cost_model *c)
{
    for (size_t i = 0; c->hw && i < c->nhw; i++) free(c->hw[i]);
    free(c->hw);
    free(c->proc);
    free(c->der);
    free(c->factor);
    cf_catalog_destroy(c->catalog);
    memset(c, 0, sizeof *c);
}

/* Index of the parameter called name, or (size_t)-1. */
static size_t param_index(const cf_space *sp, const char *name)
{
    for (size_t i = 0; i < cf_space_n_params(sp); i++)
        if (strcmp(cf_space_param_name(sp, i), name) == 0) return i;
    return (size_t)-1;
}

/* Name of metric k (objectives, then constraints). */
static const char *metric_name(const cf_space *sp, size_t k)
{
    size_t M = cf_space_n_objectives(sp);
    return k < M ? cf_space_objective_name(sp, k) : cf_space_constraint_name(sp, k - M);
}

/* Decides whether the study is cost-aware (a metric named like a derived cost and a categorical "hardware"
 * parameter) and, if so, loads the study's catalog (catalog_load) and tabulates the cost of one GPU-hour for every (hardware,
 * procurement) choice. Hardware and procurement choices are checked against the catalog; errors name the JSON
 * path of the offending choice. */
cf_status cf_study_cost_setup(const cf_space *sp, const study_catalog *cat, cost_model *c, cf_error *err)
{
    memset(c, 0, sizeof *c);
    size_t M = cf_space_n_objectives(sp), K = M + cf_space_n_constraints(sp), nder = 0;
    size_t hw_col = param_index(sp, "hardware"), proc_col = param_index(sp, "procurement");
    if (hw_col == (size_t)-1 || cf_space_param_type(sp, hw_col) != CF_SPACE_CATEGORICAL) return CF_OK;
    if (proc_col != (size_t)-1 && cf_space_param_type(sp, proc_col) != CF_SPACE_CATEGORICAL)
        return cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "params.procurement",
                            "In a cost-aware study the "
                            "procurement parameter must be categorical (on_demand, spot, reserved_1y, reserved_3y).");
    c->der = malloc(K * sizeof *c->der);
    if (c->der == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    for (size_t k = 0; k < K; k++) {
        c->der[k] = -1;
        for (int d = 0; d < CF_NDERIVED; d++)
            if (strcmp(metric_name(sp, k), derived_names[d]) == 0) c->der[k] = d;
        nder += c->der[k] >= 0;
    }
    if (nder == 0) {
        free(c->der);
        c->der = NULL;
        return CF_OK;
    }
    cf_status st = CF_OK;
    char *canon = cf_space_to_json(sp);
    cJSON *root = canon ? cJSON_Parse(canon) : NULL;
    free(canon);
    cJSON *params = cJSON_GetObjectItem(root, "params");
    cJSON *hwc = cJSON_GetObjectItem(cJSON_GetArrayItem(params, (int)hw_col), "choices");
    cJSON *prc =
        proc_col == (size_t)-1 ? NULL : cJSON_GetObjectItem(cJSON_GetArrayItem(params, (int)proc_col), "choices");
    c->hw_col = hw_col;
    c->proc_col = proc_col;
    c->nhw = (size_t)cJSON_GetArraySize(hwc);
    c->nproc = prc ? (size_t)cJSON_GetArraySize(prc) : 1;
    c->hw = calloc(c->nhw + 1, sizeof *c->hw);
    c->proc = calloc(c->nproc, sizeof *c->proc);
    c->factor = malloc(CF_NDERIVED * (c->nhw * c->nproc + 1) * sizeof *c->factor);
    c->catalog = cf_catalog_create();
    if (root == NULL || hwc == NULL || !c->hw || !c->proc || !c->factor || !c->catalog) {
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
        goto done;
    }
    if ((st = cf_study_catalog_load(cat, c->catalog, err))) goto done;
    char path[96];
    for (size_t p = 0; p < c->nproc; p++) {
        cJSON *it = prc ? cJSON_GetArrayItem(prc, (int)p) : NULL;
        snprintf(path, sizeof path, "params[%zu].choices[%zu]", proc_col, p);
        if (it == NULL)
            c->proc[p] = CF_PROC_ON_DEMAND;
        else if (!cJSON_IsString(it) || cf_procurement_parse(it->valuestring, &c->proc[p]) != CF_OK ||
                 c->proc[p] == CF_PROC_ON_PREM || c->proc[p] == CF_PROC_HYBRID) {
            st = cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, path,
                              "Expected a procurement option priced from "
                              "offers (on_demand, spot, reserved_1y, reserved_3y).");
            goto done;
        }
    }
    cf_pricing_opts po;
    cf_pricing_opts_default(&po);
    for (size_t h = 0; h < c->nhw; h++) {
        cJSON *it = cJSON_GetArrayItem(hwc, (int)h);
        snprintf(path, sizeof path, "params[%zu].choices[%zu]", hw_col, h);
        const cf_hardware *hw = cJSON_IsString(it) ? cf_catalog_hardware(c->catalog, it->valuestring) : NULL;
        if (hw == NULL) {
            st = cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, path,
                              "Unknown hardware %s%s%s: a cost-aware study "
                              "needs hardware choices from the price catalog ('costfront catalog').",
                              cJSON_IsString(it) ? "'" : "", cJSON_IsString(it) ? it->valuestring : "(not a string)",
                              cJSON_IsString(it) ? "'" : "");
            goto done;
        }
        if ((c->hw[h] = strdup(hw->id)) == NULL) {
            st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
            goto done;
        }
        size_t priced = 0;
        for (size_t p = 0; p < c->nproc; p++) {
            cf_price pr;
            double *f = c->factor + h * c->nproc + p;
            size_t stride = c->nhw * c->nproc;
            if (cf_price_hours(c->catalog, hw->id, NULL, NULL, 1.0, c->proc[p], &po, &pr, NULL) == CF_OK) {
                f[0] = pr.cost_usd;
                f[stride] = pr.total_cost_usd;
                f[2 * stride] = pr.co2e_kg;
                f[3 * stride] = pr.energy_kwh;
                f[4 * stride] = pr.carbon_cost_usd;
                priced++;
            } else {
                for (int d = 0; d < CF_NDERIVED; d++) f[(size_t)d * stride] = NAN;
            }
        }
        if (priced == 0) {
            st = cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, path,
                              "No offer in the price catalog prices hardware "
                              "'%s' under any procurement choice of the study.",
                              hw->id);
            goto done;
        }
    }
    c->active = 1;
done:
    cJSON_Delete(root);
    if (st) cf_study_cost_free(c);
    return st;
}

/* The (hardware, procurement) cell of an encoded point. */
static size_t cost_cell(const cost_model *c, const double *x)
{
    double h = floor(x[c->hw_col] + 0.5), p = c->proc_col == (size_t)-1 ? 0.0 : floor(x[c->proc_col] + 0.5);
    size_t hi = h < 0 ? 0 : (h >= (double)c->nhw ? c->nhw - 1 : (size_t)h);
    size_t pi = p < 0 ? 0 : (p >= (double)c->nproc ? c->nproc - 1 : (size_t)p);
    return hi * c->nproc + pi;
}

/* Value of derived metric d for one GPU-hour at the encoded point x (NaN when no offer prices it). */
double cf_study_cost_factor(const cost_model *c, int d, const double *x)
{
    return c->factor[(size_t)d * c->nhw * c->nproc + cost_cell(c, x)];
}

/* Moves an encoded point whose (hardware, procurement) pair has no price to the first priced procurement choice
 * of the same hardware (cost_setup guarantees there is one). */
void cf_study_cost_fix_point(const cost_model *c, double *x)
{
    if (!c->active || !isnan(cf_study_cost_factor(c, 0, x)) || c->proc_col == (size_t)-1) return;
    size_t h = cost_cell(c, x) / c->nproc;
    for (size_t p = 0; p < c->nproc; p++)
        if (!isnan(c->factor[h * c->nproc + p])) {
            x[c->proc_col] = (double)p;
            return;
        }
}

/* For a cost-aware study: a copy of values in which every derived metric is computed exactly from
 * values.gpu_hours and the hardware and procurement in params (cf_price_hours), replacing any given value. */
cf_status cf_study_cost_fill_values(const cf_study *s, const cJSON *params, const cJSON *values, cJSON **out,
                                  cf_error *err)
{
    const cost_model *c = &s->cost;
    *out = NULL;
    if (!cJSON_IsObject(values))
        return cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "values",
                            "A cost-aware study needs an object of "
                            "values with gpu_hours, e.g. {\"accuracy\": 0.91, \"gpu_hours\": 12}.");
    const cJSON *gh = cJSON_GetObjectItemCaseSensitive(values, "gpu_hours");
    if (gh == NULL)
        return cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "values.gpu_hours",
                            "Missing value: a cost-aware "
                            "study computes %s from gpu_hours and the hardware.",
                            derived_names[0]);
    if (!cJSON_IsNumber(gh) || !isfinite(gh->valuedouble) || gh->valuedouble <= 0.0)
        return cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "values.gpu_hours", "Expected a positive number.");
    double x[256];
    size_t np = cf_space_n_params(s->space);
    if (np > 256) return cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "params", "Too many parameters.");
    cf_status st = cf_space_encode(s->space, params, x, err);
    if (st) return st;
    size_t cell = cost_cell(c, x);
    cf_pricing_opts po;
    cf_pricing_opts_default(&po);
    cf_price pr;
    st = cf_price_hours(c->catalog, c->hw[cell / c->nproc], NULL, NULL, gh->valuedouble, c->proc[cell % c->nproc], &po,
                        &pr, err);
    if (st) return st;
    double v[CF_NDERIVED] = {pr.cost_usd, pr.total_cost_usd, pr.co2e_kg, pr.energy_kwh, pr.carbon_cost_usd};
    cJSON *o = cJSON_Duplicate(values, 1);
    if (o == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    for (int d = 0; d < CF_NDERIVED; d++) {
        cJSON *num = cJSON_CreateNumber(v[d]);
        if (num == NULL) {
            cJSON_Delete(o);
            return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
        }
        if (cJSON_GetObjectItemCaseSensitive(o, derived_names[d]))
            cJSON_ReplaceItemInObjectCaseSensitive(o, derived_names[d], num);
        else
            cJSON_AddItemToObject(o, derived_names[d], num);
    }
    *out = o;
    return CF_OK;
}

int cf_study_cost_aware(const cf_study *s) { return s ? s->cost.active : 0; }
