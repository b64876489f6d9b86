/* costfront: search spaces, objectives and outcome constraints of a study, and their unit-cube encoding. */
#include "costfront/space.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *name;         /* unique parameter name */
    cf_param_type type; /* float, int or categorical */
    double low, high;   /* bounds (float, int) */
    int log;            /* 1 when encoded in log space */
    cJSON *choices;     /* categorical: array of distinct strings or numbers (owned) */
    size_t n_choices;   /* cJSON_GetArraySize(choices) */
} param;

typedef struct {
    char *name;   /* metric name in values objects */
    int maximize; /* 1 for "maximize" */
    int has_ref;  /* 1 when "ref" was given */
    double ref;   /* reference value in the objective's own direction */
} objective;

typedef struct {
    char *name;          /* metric name in values objects */
    cf_constraint_op op; /* >= or <= */
    double value;        /* threshold */
} constraint;

struct cf_space {
    size_t np, no, nc; /* counts of params, objectives, constraints */
    param *p;
    objective *o;
    constraint *c;
};

void cf_space_destroy(cf_space *s)
{
    if (s == NULL) return;
    for (size_t i = 0; i < s->np; i++) {
        free(s->p[i].name);
        cJSON_Delete(s->p[i].choices);
    }
    for (size_t i = 0; i < s->no; i++) free(s->o[i].name);
    for (size_t i = 0; i < s->nc; i++) free(s->c[i].name);
    free(s->p);
    free(s->o);
    free(s->c);
    free(s);
}

static char *dupstr(const char *x)
{
    size_t n = strlen(x) + 1;
    char *r = malloc(n);
    if (r) memcpy(r, x, n);
    return r;
}

#define INVALID(path, ...) cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, path, __VA_ARGS__)

static cf_status get_name(const cJSON *item, const char *path, char **out, cf_error *err)
{
    char f[128];
    snprintf(f, sizeof f, "%s.name", path);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(item, "name");
    if (!cJSON_IsString(n) || n->valuestring[0] == '\0') return INVALID(f, "Expected a non-empty string name.");
    *out = dupstr(n->valuestring);
    return *out ? CF_OK : cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
}

static cf_status get_number(const cJSON *item, const char *key, const char *path, double *v, cf_error *err)
{
    char f[128];
    snprintf(f, sizeof f, "%s.%s", path, key);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(item, key);
    if (n == NULL) return INVALID(f, "Expected a finite number, found nothing.");
    if (!cJSON_IsNumber(n) || !isfinite(n->valuedouble)) {
        char *txt = cJSON_PrintUnformatted(n);
        cf_status st = INVALID(f, "Expected a finite number, found %s.", txt ? txt : "another value");
        free(txt);
        return st;
    }
    *v = n->valuedouble;
    return CF_OK;
}

/* Refuses a member of an object that is not in the NULL-terminated list allowed: a typo such as "lgo" for
 * "log" would otherwise be ignored silently and the study would search the wrong space. */
static cf_status check_keys(const cJSON *it, const char *path, const char *const *allowed, cf_error *err)
{
    for (const cJSON *k = it->child; k; k = k->next) {
        size_t a = 0;
        while (allowed[a] && strcmp(allowed[a], k->string) != 0) a++;
        if (allowed[a] == NULL) {
            char f[160], list[128] = "";
            snprintf(f, sizeof f, "%s.%s", path, k->string);
            for (size_t b = 0; allowed[b]; b++) {
                size_t len = strlen(list);
                snprintf(list + len, sizeof list - len, "%s%s", b ? ", " : "", allowed[b]);
            }
            return INVALID(f, "Unknown key \"%s\" (expected %s).", k->string, list);
        }
    }
    return CF_OK;
}

static int same_choice(const cJSON *a, const cJSON *b)
{
    if (cJSON_IsString(a) && cJSON_IsString(b)) return strcmp(a->valuestring, b->valuestring) == 0;
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b)) return a->valuedouble == b->valuedouble;
    return 0;
}

static cf_status parse_param(const cJSON *it, size_t i, param *p, cf_error *err)
{
    char path[64], f[96];
    snprintf(path, sizeof path, "params[%zu]", i);
    if (!cJSON_IsObject(it)) return INVALID(path, "Expected an object.");
    static const char *const keys[] = {"name", "type", "choices", "low", "high", "log", NULL};
    cf_status st = check_keys(it, path, keys, err);
    if (st) return st;
    st = get_name(it, path, &p->name, err);
    if (st) return st;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(it, "type");
    snprintf(f, sizeof f, "%s.type", path);
    if (!cJSON_IsString(t)) return INVALID(f, "Expected \"float\", \"int\" or \"categorical\".");
    if (strcmp(t->valuestring, "float") == 0)
        p->type = CF_SPACE_FLOAT;
    else if (strcmp(t->valuestring, "int") == 0 || strcmp(t->valuestring, "integer") == 0)
        p->type = CF_SPACE_INT;
    else if (strcmp(t->valuestring, "categorical") == 0)
        p->type = CF_SPACE_CATEGORICAL;
    else
        return INVALID(f, "Expected \"float\", \"int\" or \"categorical\", found \"%s\".", t->valuestring);
    if (p->type == CF_SPACE_CATEGORICAL) {
        const cJSON *ch = cJSON_GetObjectItemCaseSensitive(it, "choices");
        snprintf(f, sizeof f, "%s.choices", path);
        if (!cJSON_IsArray(ch) || cJSON_GetArraySize(ch) < 1) return INVALID(f, "Expected a non-empty array.");
        int n = cJSON_GetArraySize(ch);
        for (int k = 0; k < n; k++) {
            const cJSON *a = cJSON_GetArrayItem(ch, k);
            snprintf(f, sizeof f, "%s.choices[%d]", path, k);
            if (!cJSON_IsString(a) && !(cJSON_IsNumber(a) && isfinite(a->valuedouble)))
                return INVALID(f, "Expected a string or a finite number.");
            for (int l = 0; l < k; l++)
                if (same_choice(a, cJSON_GetArrayItem(ch, l))) return INVALID(f, "Duplicate choice.");
        }
        p->choices = cJSON_Duplicate(ch, 1);
        if (p->choices == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
        p->n_choices = (size_t)n;
        return CF_OK;
    }
    if ((st = get_number(it, "low", path, &p->low, err)) || (st = get_number(it, "high", path, &p->high, err)))
        return st;
    const cJSON *lg = cJSON_GetObjectItemCaseSensitive(it, "log");
    snprintf(f, sizeof f, "%s.log", path);
    if (lg != NULL && !cJSON_IsBool(lg)) return INVALID(f, "Expected true or false.");
    p->log = cJSON_IsTrue(lg);
    snprintf(f, sizeof f, "%s.high", path);
    if (p->type == CF_SPACE_FLOAT && !(p->high > p->low))
        return INVALID(f, "Expected high > low, found low %g and high %g.", p->low, p->high);
    if (p->type == CF_SPACE_INT) {
        snprintf(f, sizeof f, "%s.low", path);
        if (p->low != floor(p->low) || fabs(p->low) > 9e15) return INVALID(f, "Expected an integer.");
        snprintf(f, sizeof f, "%s.high", path);
        if (p->high != floor(p->high) || fabs(p->high) > 9e15) return INVALID(f, "Expected an integer.");
        if (p->high < p->low) return INVALID(f, "Expected high >= low, found low %g and high %g.", p->low, p->high);
    }
    snprintf(f, sizeof f, "%s.low", path);
    if (p->log && !(p->low > 0.0)) return INVALID(f, "A log-scaled parameter needs low > 0, found %g.", p->low);
    return CF_OK;
}

cf_status cf_space_from_cjson(const cJSON *root, cf_space **out, cf_error *err)
{
    if (out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_space_from_cjson needs an output.");
    *out = NULL;
    if (!cJSON_IsObject(root)) return INVALID("$", "Expected a JSON object with \"params\" and \"objectives\".");
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(root, "params");
    const cJSON *os = cJSON_GetObjectItemCaseSensitive(root, "objectives");
    const cJSON *cs = cJSON_GetObjectItemCaseSensitive(root, "constraints");
    if (!cJSON_IsArray(ps) || cJSON_GetArraySize(ps) < 1) return INVALID("params", "Expected a non-empty array.");
    if (!cJSON_IsArray(os) || cJSON_GetArraySize(os) < 1) return INVALID("objectives", "Expected a non-empty array.");
    if (cs != NULL && !cJSON_IsArray(cs) && !cJSON_IsNull(cs)) return INVALID("constraints", "Expected an array.");
    for (const cJSON *k = root->child; k; k = k->next)
        if (strcmp(k->string, "params") && strcmp(k->string, "objectives") && strcmp(k->string, "constraints"))
            return INVALID(k->string, "Unknown key \"%s\" (expected params, objectives, constraints).", k->string);
    cf_space *s = calloc(1, sizeof *s);
    if (s == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    size_t np = (size_t)cJSON_GetArraySize(ps), no = (size_t)cJSON_GetArraySize(os);
    size_t nc = cJSON_IsArray(cs) ? (size_t)cJSON_GetArraySize(cs) : 0;
    s->p = calloc(np, sizeof *s->p);
    s->o = calloc(no, sizeof *s->o);
    s->c = calloc(nc ? nc : 1, sizeof *s->c);
    cf_status st = CF_OK;
    char path[64], f[96];
    if (s->p == NULL || s->o == NULL || s->c == NULL) {
        st = cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
        goto fail;
    }
    for (size_t i = 0; i < np; i++) {
        s->np = i + 1;
        if ((st = parse_param(cJSON_GetArrayItem(ps, (int)i), i, &s->p[i], err))) goto fail;
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->p[j].name, s->p[i].name) == 0) {
                snprintf(f, sizeof f, "params[%zu].name", i);
                st = INVALID(f, "Duplicate parameter name \"%s\".", s->p[i].name);
                goto fail;
            }
    }
    for (size_t i = 0; i < no; i++) {
        const cJSON *it = cJSON_GetArrayItem(os, (int)i);
        snprintf(path, sizeof path, "objectives[%zu]", i);
        s->no = i + 1;
        if (!cJSON_IsObject(it)) {
            st = INVALID(path, "Expected an object.");
            goto fail;
        }
        static const char *const okeys[] = {"name", "direction", "ref", NULL};
        if ((st = check_keys(it, path, okeys, err)) || (st = get_name(it, path, &s->o[i].name, err))) goto fail;
        const cJSON *dir = cJSON_GetObjectItemCaseSensitive(it, "direction");
        snprintf(f, sizeof f, "%s.direction", path);
        if (dir != NULL) {
            if (cJSON_IsString(dir) &&
                (strcmp(dir->valuestring, "minimize") == 0 || strcmp(dir->valuestring, "minimise") == 0))
                s->o[i].maximize = 0;
            else if (cJSON_IsString(dir) &&
                     (strcmp(dir->valuestring, "maximize") == 0 || strcmp(dir->valuestring, "maximise") == 0))
                s->o[i].maximize = 1;
            else {
                st = INVALID(f, "Expected \"minimize\" or \"maximize\".");
                goto fail;
            }
        }
        if (cJSON_GetObjectItemCaseSensitive(it, "ref") != NULL) {
            if ((st = get_number(it, "ref", path, &s->o[i].ref, err))) goto fail;
            s->o[i].has_ref = 1;
        }
    }
    for (size_t i = 0; i < nc; i++) {
        const cJSON *it = cJSON_GetArrayItem(cs, (int)i);
        snprintf(path, sizeof path, "constraints[%zu]", i);
        s->nc = i + 1;
        if (!cJSON_IsObject(it)) {
            st = INVALID(path, "Expected an object.");
            goto fail;
        }
        static const char *const ckeys[] = {"name", "op", "value", NULL};
        if ((st = check_keys(it, path, ckeys, err)) || (st = get_name(it, path, &s->c[i].name, err))) goto fail;
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(it, "op");
        snprintf(f, sizeof f, "%s.op", path);
        if (cJSON_IsString(op) && (strcmp(op->valuestring, ">=") == 0 || strcmp(op->valuestring, ">") == 0))
            s->c[i].op = CF_CONSTRAINT_GE;
        else if (cJSON_IsString(op) && (strcmp(op->valuestring, "<=") == 0 || strcmp(op->valuestring, "<") == 0))
            s->c[i].op = CF_CONSTRAINT_LE;
        else {
            st = INVALID(f, "Expected \">=\" or \"<=\".");
            goto fail;
        }
        if ((st = get_number(it, "value", path, &s->c[i].value, err))) goto fail;
    }
    /* Objective and constraint metric names share the values object, so they must be distinct. */
    for (size_t i = 0; i < no + nc; i++)
        for (size_t j = 0; j < i; j++) {
            const char *a = i < no ? s->o[i].name : s->c[i - no].name;
            const char *b = j < no ? s->o[j].name : s->c[j - no].name;
            if (strcmp(a, b) == 0) {
                if (i < no)
                    snprintf(f, sizeof f, "objectives[%zu].name", i);
                else
                    snprintf(f, sizeof f, "constraints[%zu].name", i - no);
                st = INVALID(f, "Duplicate metric name \"%s\".", a);
                goto fail;
            }
        }
    *out = s;
    return CF_OK;
fail:
    cf_space_destroy(s);
    return st;
}

cf_status cf_space_parse(const char *json, cf_space **out, cf_error *err)
{
    if (json == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_space_parse needs JSON text and an output.");
    *out = NULL;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(json, &end, 1); /* trailing text after the object is an error too */
    if (root == NULL) {
        long line = 1, col = 1;
        for (const char *c = json; end && c < end && *c; c++) {
            if (*c == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return cf_error_set(err, CF_ERR_PARSE, NULL, line, col, "$",
                            "The search space is not valid JSON (syntax error at line %ld, column %ld).", line, col);
    }
    cf_status st = cf_space_from_cjson(root, out, err);
    cJSON_Delete(root);
    return st;
}

char *cf_space_to_json(const cf_space *s)
{
    if (s == NULL) return NULL;
    cJSON *root = cJSON_CreateObject(), *ps = cJSON_AddArrayToObject(root, "params");
    cJSON *os = cJSON_AddArrayToObject(root, "objectives"), *cs = cJSON_AddArrayToObject(root, "constraints");
    int ok = root && ps && os && cs;
    for (size_t i = 0; ok && i < s->np; i++) {
        const param *p = &s->p[i];
        cJSON *it = cJSON_CreateObject();
        ok = it && cJSON_AddItemToArray(ps, it) && cJSON_AddStringToObject(it, "name", p->name);
        if (!ok) break;
        if (p->type == CF_SPACE_CATEGORICAL) {
            ok = cJSON_AddStringToObject(it, "type", "categorical") &&
                 cJSON_AddItemToObject(it, "choices", cJSON_Duplicate(p->choices, 1));
        } else {
            ok = cJSON_AddStringToObject(it, "type", p->type == CF_SPACE_INT ? "int" : "float") &&
                 cJSON_AddNumberToObject(it, "low", p->low) && cJSON_AddNumberToObject(it, "high", p->high) &&
                 cJSON_AddBoolToObject(it, "log", p->log);
        }
    }
    for (size_t i = 0; ok && i < s->no; i++) {
        cJSON *it = cJSON_CreateObject();
        ok = it && cJSON_AddItemToArray(os, it) && cJSON_AddStringToObject(it, "name", s->o[i].name) &&
             cJSON_AddStringToObject(it, "direction", s->o[i].maximize ? "maximize" : "minimize");
        if (ok && s->o[i].has_ref) ok = cJSON_AddNumberToObject(it, "ref", s->o[i].ref) != NULL;
    }
    for (size_t i = 0; ok && i < s->nc; i++) {
        cJSON *it = cJSON_CreateObject();
        ok = it && cJSON_AddItemToArray(cs, it) && cJSON_AddStringToObject(it, "name", s->c[i].name) &&
             cJSON_AddStringToObject(it, "op", s->c[i].op == CF_CONSTRAINT_GE ? ">=" : "<=") &&
             cJSON_AddNumberToObject(it, "value", s->c[i].value);
    }
    char *txt = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    return txt;
}

size_t cf_space_n_params(const cf_space *s) { return s ? s->np : 0; }
const char *cf_space_param_name(const cf_space *s, size_t i) { return s && i < s->np ? s->p[i].name : NULL; }
cf_param_type cf_space_param_type(const cf_space *s, size_t i) { return s && i < s->np ? s->p[i].type : 0; }
double cf_space_param_low(const cf_space *s, size_t i) { return s && i < s->np ? s->p[i].low : NAN; }
double cf_space_param_high(const cf_space *s, size_t i) { return s && i < s->np ? s->p[i].high : NAN; }
int cf_space_param_log(const cf_space *s, size_t i) { return s && i < s->np ? s->p[i].log : 0; }
size_t cf_space_param_n_choices(const cf_space *s, size_t i) { return s && i < s->np ? s->p[i].n_choices : 0; }

void cf_space_gp_kinds(const cf_space *s, int *kinds)
{
    for (size_t i = 0; s && kinds && i < s->np; i++)
        kinds[i] = s->p[i].type == CF_SPACE_CATEGORICAL ? (int)s->p[i].n_choices : 0;
}

size_t cf_space_n_combinations(const cf_space *s)
{
    size_t n = 1;
    for (size_t i = 0; s && i < s->np; i++) {
        if (s->p[i].type != CF_SPACE_CATEGORICAL) continue;
        if (n > SIZE_MAX / s->p[i].n_choices) return SIZE_MAX;
        n *= s->p[i].n_choices;
    }
    return n;
}

size_t cf_space_n_objectives(const cf_space *s) { return s ? s->no : 0; }
const char *cf_space_objective_name(const cf_space *s, size_t i) { return s && i < s->no ? s->o[i].name : NULL; }
int cf_space_objective_maximize(const cf_space *s, size_t i) { return s && i < s->no ? s->o[i].maximize : 0; }

int cf_space_ref_min(const cf_space *s, double *ref)
{
    int all = 1;
    for (size_t i = 0; s && i < s->no; i++) {
        if (!s->o[i].has_ref) all = 0;
        if (ref) ref[i] = s->o[i].has_ref ? (s->o[i].maximize ? -s->o[i].ref : s->o[i].ref) : NAN;
    }
    return all;
}

size_t cf_space_n_constraints(const cf_space *s) { return s ? s->nc : 0; }
const char *cf_space_constraint_name(const cf_space *s, size_t i) { return s && i < s->nc ? s->c[i].name : NULL; }
cf_constraint_op cf_space_constraint_op(const cf_space *s, size_t i) { return s && i < s->nc ? s->c[i].op : 0; }
double cf_space_constraint_value(const cf_space *s, size_t i) { return s && i < s->nc ? s->c[i].value : NAN; }

/* Maps a float or int value to [0, 1] (log space when asked). */
static double to_unit(const param *p, double v)
{
    if (p->high == p->low) return 0.0;
    if (p->log) return (log(v) - log(p->low)) / (log(p->high) - log(p->low));
    return (v - p->low) / (p->high - p->low);
}

/* Maps u in [0, 1] back to the parameter's range, rounding ints and clamping to the bounds. */
static double from_unit(const param *p, double u)
{
    u = u < 0.0 ? 0.0 : (u > 1.0 ? 1.0 : u);
    double v = p->log ? exp(log(p->low) + u * (log(p->high) - log(p->low))) : p->low + u * (p->high - p->low);
    if (p->type == CF_SPACE_INT) v = round(v);
    return v < p->low ? p->low : (v > p->high ? p->high : v);
}

cf_status cf_space_encode(const cf_space *s, const cJSON *params, double *x, cf_error *err)
{
    if (s == NULL || x == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL,
                            "cf_space_encode needs a "
                            "space and an output.");
    if (!cJSON_IsObject(params)) return INVALID("params", "Expected an object of parameter values.");
    char f[192];
    for (const cJSON *k = params->child; k; k = k->next) {
        size_t i = 0;
        while (i < s->np && strcmp(s->p[i].name, k->string)) i++;
        snprintf(f, sizeof f, "params.%s", k->string);
        if (i == s->np) return INVALID(f, "Unknown parameter \"%s\".", k->string);
    }
    for (size_t i = 0; i < s->np; i++) {
        const param *p = &s->p[i];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, p->name);
        snprintf(f, sizeof f, "params.%s", p->name);
        if (v == NULL) return INVALID(f, "Missing parameter.");
        if (p->type == CF_SPACE_CATEGORICAL) {
            size_t k = 0;
            while (k < p->n_choices && !same_choice(v, cJSON_GetArrayItem(p->choices, (int)k))) k++;
            if (k == p->n_choices) return INVALID(f, "Not one of the parameter's choices.");
            x[i] = (double)k;
            continue;
        }
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) return INVALID(f, "Expected a finite number.");
        double d = v->valuedouble;
        if (d < p->low || d > p->high) return INVALID(f, "Value %g is outside [%g, %g].", d, p->low, p->high);
        if (p->type == CF_SPACE_INT && d != floor(d)) return INVALID(f, "Expected an integer, found %g.", d);
        x[i] = to_unit(p, d);
    }
    return CF_OK;
}

cf_status cf_space_decode(const cf_space *s, const double *x, cJSON **out, cf_error *err)
{
    if (s == NULL || x == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_space_decode needs a space, x and an output.");
    cJSON *o = cJSON_CreateObject();
    int ok = o != NULL;
    for (size_t i = 0; ok && i < s->np; i++) {
        const param *p = &s->p[i];
        if (p->type == CF_SPACE_CATEGORICAL) {
            double r = isnan(x[i]) ? 0.0 : round(x[i]);
            size_t k = r < 0.0 ? 0 : (r >= (double)p->n_choices ? p->n_choices - 1 : (size_t)r);
            ok = cJSON_AddItemToObject(o, p->name, cJSON_Duplicate(cJSON_GetArrayItem(p->choices, (int)k), 1));
        } else {
            ok = cJSON_AddNumberToObject(o, p->name, from_unit(p, isnan(x[i]) ? 0.5 : x[i])) != NULL;
        }
    }
    if (!ok) {
        cJSON_Delete(o);
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "Out of memory.");
    }
    *out = o;
    return CF_OK;
}

cf_status cf_space_read_values(const cf_space *s, const cJSON *values, double *y, double *c, cf_error *err)
{
    if (s == NULL || y == NULL || (s->nc > 0 && c == NULL))
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_space_read_values needs a space and outputs.");
    int arr = cJSON_IsArray(values);
    if (!arr && !cJSON_IsObject(values)) return INVALID("values", "Expected an object of metric values.");
    if (arr && (size_t)cJSON_GetArraySize(values) != s->no + s->nc)
        return INVALID("values", "Expected %zu values (objectives then constraints), found %d.", s->no + s->nc,
                       cJSON_GetArraySize(values));
    char f[192];
    for (size_t i = 0; i < s->no + s->nc; i++) {
        const char *name = i < s->no ? s->o[i].name : s->c[i - s->no].name;
        const cJSON *v = arr ? cJSON_GetArrayItem(values, (int)i) : cJSON_GetObjectItemCaseSensitive(values, name);
        snprintf(f, sizeof f, "values.%s", name);
        if (v == NULL) return INVALID(f, "Missing value.");
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) return INVALID(f, "Expected a finite number.");
        if (i < s->no)
            y[i] = s->o[i].maximize ? -v->valuedouble : v->valuedouble;
        else
            c[i - s->no] = v->valuedouble;
    }
    return CF_OK;
}

int cf_space_feasible(const cf_space *s, const double *c)
{
    for (size_t i = 0; s && i < s->nc; i++) {
        if (s->c[i].op == CF_CONSTRAINT_GE && !(c[i] >= s->c[i].value)) return 0;
        if (s->c[i].op == CF_CONSTRAINT_LE && !(c[i] <= s->c[i].value)) return 0;
    }
    return 1;
}
