/* costfront: readers for MLflow's file store (mlruns/) and its SQLite tracking database (see sources.h).
 *
 * File store layout (MLflow's FileStore): mlruns/<experiment_id>/meta.yaml describes the experiment (name,
 * lifecycle_stage); mlruns/<experiment_id>/<run_id>/meta.yaml describes a run (run_id or run_uuid, run_name,
 * status -- an integer: 1 RUNNING, 2 SCHEDULED, 3 FINISHED, 4 FAILED, 5 KILLED, or its name --, lifecycle_stage,
 * start_time, end_time); metrics/<key> holds one line "timestamp value [step]" per logged value; params/<key>
 * holds the value as the whole file; tags/<key> likewise. Keys with '/' are subdirectories. Deleted experiments
 * and runs are moved to mlruns/.trash, which is skipped. The latest metric value is the one with the largest step,
 * then the latest timestamp, then the last line, as MLflow's own "latest metrics".
 *
 * Tracking database (MLflow's SqlAlchemyStore): runs(run_uuid, name, status, lifecycle_stage, experiment_id, ...),
 * experiments(experiment_id, name, lifecycle_stage), metrics(key, value, timestamp, run_uuid, step, is_nan),
 * params(key, value, run_uuid), tags(key, value, run_uuid). NaN is stored as is_nan = 1 (value 0) and infinities
 * as +-1.7976931348623157e308 (DBL_MAX), which are read back as infinities like MLflow does.
 */
#include <float.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "costfront/sources.h"
#include "data/runset_internal.h"
#include "data/src_util.h"

/* ---- staying inside the store -------------------------------------------------------------------------------- */

/* The store being read: its resolved path, and the symbolic links found leading out of it, which are not followed
 * (a params/stolen -> /outside/secret link must not put that file's content into the run store or a report). */
typedef struct mlf_tree {
    const char *root; /* the path as given */
    char *real;       /* realpath of root, NULL when it cannot be resolved (then no link is followed) */
    size_t links_out; /* links not followed */
    char first[600];  /* the first one, "rel -> target", for the note */
} mlf_tree;

/* 1 when path is a symbolic link whose target lies outside the store (or does not resolve): the caller skips the
 * entry, which is counted for the note. Links that stay inside the store are followed. rel names the entry in the
 * note. */
static int leaves_tree(mlf_tree *t, const char *path, const char *rel)
{
    struct stat sb;
    if (lstat(path, &sb) != 0 || !S_ISLNK(sb.st_mode)) return 0;
    char *real = t->real ? realpath(path, NULL) : NULL;
    size_t n = t->real ? strlen(t->real) : 0;
    int inside = real != NULL && strncmp(real, t->real, n) == 0 && (real[n] == '/' || real[n] == '\0' ||
                                                                   (n == 1 && t->real[0] == '/'));
    free(real);
    if (inside) return 0;
    if (t->links_out++ == 0) {
        char target[PATH_MAX];
        ssize_t k = readlink(path, target, sizeof target - 1);
        target[k > 0 ? k : 0] = '\0';
        snprintf(t->first, sizeof t->first, "%.280s -> %.280s", rel, target);
    }
    return 1;
}

/* Checks text[0..len), the content of file, as every text input is checked (UTF-8, no NUL); on failure copies the
 * reason (with line and byte) into why and returns CF_ERR_PARSE with *line set. */
static cf_status check_file_text(const char *file, const char *text, size_t len, long *line, char *why, size_t nwhy)
{
    cf_error e;
    cf_error_clear(&e);
    size_t skip;
    if (cf_text_check_utf8(file, text, len, &skip, &e) == CF_OK) return CF_OK;
    *line = e.line;
    snprintf(why, nwhy, "%.250s", e.message);
    return CF_ERR_PARSE;
}

/* 1 when s is valid UTF-8 text (names of files become keys, which reach reports). */
static int utf8_ok(const char *s)
{
    cf_error e;
    size_t skip;
    return cf_text_check_utf8("", s, strlen(s), &skip, &e) == CF_OK;
}

/* Copies s into out (n bytes) with every byte outside printable ASCII shown as '?', to name a key that is not
 * UTF-8 without repeating its bytes. */
static void ascii_copy(char *out, size_t n, const char *s)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++) out[k++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
    out[k] = '\0';
}

/* ---- meta.yaml ---------------------------------------------------------------------------------------------- */

/* Reads the top-level scalar entries of a YAML mapping (meta.yaml) into kv; nested values are skipped. */
static cf_status read_meta(const char *path, cf_pairbuf *kv, cf_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot open meta.yaml (missing or unreadable)");
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        fclose(f);
        return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "cannot initialise the YAML parser");
    }
    yaml_parser_set_input_file(&p, f);
    cf_status st = CF_OK;
    int depth = 0;    /* nesting of mappings and sequences */
    int want_key = 1; /* at depth 1: next scalar is a key */
    int seen_map = 0;
    char *key = NULL;
    for (int done = 0; !done && st == CF_OK;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            st = cf_error_set(err, CF_ERR_PARSE, path, (long)p.problem_mark.line + 1, (long)p.problem_mark.column + 1,
                              NULL, "malformed YAML: %s", p.problem ? p.problem : "syntax error");
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = 1; break;
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            if (depth == 0 && ev.type == YAML_MAPPING_START_EVENT)
                seen_map = 1;
            else if (depth == 0)
                st = cf_error_set(err, CF_ERR_PARSE, path, (long)ev.start_mark.line + 1, 0, NULL,
                                  "expected a mapping of keys to values, found a list");
            else if (depth == 1) { /* a nested value: skip it and its key */
                free(key);
                key = NULL;
                want_key = 1;
            }
            depth++;
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT: depth--; break;
        case YAML_SCALAR_EVENT:
            if (depth == 0) {
                st = cf_error_set(err, CF_ERR_PARSE, path, (long)ev.start_mark.line + 1, 0, NULL,
                                  "expected a mapping of keys to values, found a single value");
            } else if (depth == 1) {
                const char *text = (const char *)ev.data.scalar.value;
                if (want_key) {
                    key = cf_src_strdup(text);
                    if (key == NULL) st = cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
                    want_key = 0;
                } else {
                    if (cf_pairbuf_add(kv, key, text) != CF_OK)
                        st = cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
                    free(key);
                    key = NULL;
                    want_key = 1;
                }
            }
            break;
        default: break;
        }
        yaml_event_delete(&ev);
    }
    free(key);
    yaml_parser_delete(&p);
    fclose(f);
    if (st == CF_OK && !seen_map)
        st = cf_error_set(err, CF_ERR_PARSE, path, 1, 0, NULL,
                          "meta.yaml is empty; expected a mapping of keys to values");
    return st;
}

/* Looks up key in a parsed meta.yaml; NULL when absent, so optional fields read as missing. */
static const char *kv_get(const cf_pairbuf *kv, const char *key)
{
    size_t i = cf_pairbuf_find(kv, key);
    return i == (size_t)-1 ? NULL : kv->values[i];
}

/* Normalises an MLflow run status (integer code or name) to a lowercase name. */
static const char *status_name(const char *s)
{
    if (s == NULL || s[0] == '\0') return "running"; /* MLflow's default when not recorded */
    static const char *const by_code[] = {"unknown", "running", "scheduled", "finished", "failed", "killed"};
    char *end;
    long code = strtol(s, &end, 10);
    if (*end == '\0' && end != s) return (code >= 1 && code <= 5) ? by_code[code] : "unknown";
    static const char *const names[] = {"RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"};
    for (int k = 0; k < 5; k++)
        if (strcmp(s, names[k]) == 0) return by_code[k + 1];
    return "unknown";
}

/* ---- the file store ------------------------------------------------------------------------------------------ */

/* One metric's latest value while scanning its file. */
typedef struct latest {
    long long step, ts;
    char value[64];
    int have;
} latest;

/* Reads a metric file; on a bad line fills why (with the line number in *bad_line) and returns CF_ERR_PARSE. */
static cf_status read_metric_file(const char *path, latest *lt, long *bad_line, char *why, size_t nwhy)
{
    size_t len;
    char *text = cf_src_read_file(path, &len);
    if (text == NULL) {
        snprintf(why, nwhy, "cannot read the metric file");
        *bad_line = 0;
        return CF_ERR_IO;
    }
    lt->have = 0;
    long line = 0;
    cf_status st = CF_OK;
    for (char *save = NULL, *ln = strtok_r(text, "\n", &save); ln != NULL; ln = strtok_r(NULL, "\n", &save)) {
        line++;
        size_t l = strlen(ln);
        if (l > 0 && ln[l - 1] == '\r') ln[--l] = '\0';
        if (strspn(ln, " \t") == l) continue;
        char ts_s[64], val_s[64], step_s[64], extra[8];
        int k = sscanf(ln, "%63s %63s %63s %7s", ts_s, val_s, step_s, extra);
        char *e1, *e2, *e3 = NULL;
        long long ts = (k >= 2) ? strtoll(ts_s, &e1, 10) : 0;
        double v = (k >= 2) ? strtod(val_s, &e2) : 0;
        long long step = (k >= 3) ? strtoll(step_s, &e3, 10) : 0;
        (void)v;
        if (k < 2 || k > 3 || *e1 != '\0' || *e2 != '\0' || (k == 3 && *e3 != '\0')) {
            snprintf(why, nwhy, "expected \"timestamp value step\" (integer, number, integer), found \"%.80s\"", ln);
            *bad_line = line;
            st = CF_ERR_PARSE;
            break;
        }
        if (!lt->have || step > lt->step || (step == lt->step && ts >= lt->ts)) {
            lt->have = 1;
            lt->step = step;
            lt->ts = ts;
            snprintf(lt->value, sizeof lt->value, "%s", val_s);
            for (char *c = lt->value; *c; c++)
                if (*c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a'); /* NaN, Infinity -> nan, infinity */
        }
    }
    free(text);
    return st;
}

/* Walks dir (metrics/, params/ or tags/) recursively; calls visit(key, file path) for each file, key being the
 * path under the root joined with '/'. Stops at the first non-OK result. */
typedef cf_status (*visit_fn)(void *ctx, const char *key, const char *file);

/* What reading one run collects. */
typedef struct run_ctx {
    mlf_tree *tree;
    const char *rel; /* the run directory relative to the store, for the links note */
    cf_pairbuf *pairs;
    cf_pairbuf *tags; /* user tags collected for later */
    char *run_name;   /* from the mlflow.runName tag */
    long bad_line;
    char bad_key[256];
    char why[256];
} run_ctx;

/* Recurses because MLflow stores a key with slashes ("train/loss") as nested directories. part is "metrics",
 * "params" or "tags". Links out of the store are skipped (counted in ctx->tree); a key that is not UTF-8 fails
 * with CF_ERR_PARSE and the reason in ctx. */
static cf_status walk_keys(const char *dir, const char *part, const char *prefix, visit_fn visit, run_ctx *ctx)
{
    size_t n;
    char **names = cf_src_list_dir(dir, &n);
    cf_status st = CF_OK;
    for (size_t i = 0; i < n && st == CF_OK; i++) {
        char *full = cf_src_join(dir, names[i]);
        char *key = prefix[0] ? cf_src_join(prefix, names[i]) : cf_src_strdup(names[i]);
        char *rel = NULL;
        if (full != NULL && key != NULL) {
            size_t len = strlen(ctx->rel) + strlen(part) + strlen(key) + 3;
            rel = malloc(len);
            if (rel != NULL) snprintf(rel, len, "%s/%s/%s", ctx->rel, part, key);
        }
        if (full == NULL || key == NULL || rel == NULL) {
            st = CF_ERR_NOMEM;
        } else if (!utf8_ok(key)) {
            char shown[256];
            ascii_copy(shown, sizeof shown, key);
            snprintf(ctx->bad_key, sizeof ctx->bad_key, "%s/%.200s", part, shown);
            snprintf(ctx->why, sizeof ctx->why, "the file name is not valid UTF-8 (shown with '?')");
            ctx->bad_line = 0;
            st = CF_ERR_PARSE;
        } else if (leaves_tree(ctx->tree, full, rel)) {
            /* not followed; counted for the note */
        } else if (cf_src_is_dir(full))
            st = walk_keys(full, part, key, visit, ctx);
        else
            st = visit(ctx, key, full);
        free(full);
        free(key);
        free(rel);
    }
    cf_src_free_list(names, n);
    return st;
}



/* Keeps a metric's latest value (MLflow logs a history; the last step is what the run ended with). */
static cf_status visit_metric(void *c, const char *key, const char *file)
{
    run_ctx *ctx = c;
    latest lt;
    cf_status st = read_metric_file(file, &lt, &ctx->bad_line, ctx->why, sizeof ctx->why);
    if (st != CF_OK) {
        snprintf(ctx->bad_key, sizeof ctx->bad_key, "metrics/%s", key);
        return st;
    }
    if (!lt.have) return CF_OK;
    return cf_pairbuf_add_unique(ctx->pairs, "metric.", key, lt.value);
}

/* Reads the value file of key under dir ("params" or "tags"): the whole content is the value (a UTF-8 byte order
 * mark and trailing newlines are dropped). When it cannot be read, or is not UTF-8 text (checked as CSV input is),
 * records the file and why in ctx, so that the caller's error names the file, sets *st and returns NULL. */
static char *read_run_value(run_ctx *ctx, const char *dir, const char *what, const char *key, const char *file,
                            cf_status *st)
{
    size_t len;
    char *v = cf_src_read_file(file, &len);
    *st = CF_OK;
    if (v == NULL) {
        snprintf(ctx->why, sizeof ctx->why, "cannot read the %s file", what);
        ctx->bad_line = 0;
        *st = CF_ERR_IO;
    } else if (check_file_text(file, v, len, &ctx->bad_line, ctx->why, sizeof ctx->why) != CF_OK) {
        free(v);
        v = NULL;
        *st = CF_ERR_PARSE;
    }
    if (v == NULL) {
        snprintf(ctx->bad_key, sizeof ctx->bad_key, "%s/%s", dir, key);
        return NULL;
    }
    if (len >= 3 && memcmp(v, "\xEF\xBB\xBF", 3) == 0) {
        memmove(v, v + 3, len - 2);
        len -= 3;
    }
    while (len > 0 && (v[len - 1] == '\n' || v[len - 1] == '\r')) v[--len] = '\0';
    return v;
}

/* Adds a params/ file as a pair; a name a metric already took is kept as "param.<name>" so that neither is lost. */
static cf_status visit_param(void *c, const char *key, const char *file)
{
    run_ctx *ctx = c;
    cf_status st;
    char *v = read_run_value(ctx, "params", "param", key, file, &st);
    if (v == NULL) return st;
    st = cf_pairbuf_add_unique(ctx->pairs, "param.", key, v);
    free(v);
    return st;
}

/* Keeps mlflow.runName as the run's name and other user tags for later; MLflow's own bookkeeping tags
 * (mlflow.*) are dropped because they describe the tracking client, not the experiment. */
static cf_status visit_tag(void *c, const char *key, const char *file)
{
    run_ctx *ctx = c;
    cf_status st;
    char *v = read_run_value(ctx, "tags", "tag", key, file, &st);
    if (v == NULL) return st;
    if (strcmp(key, "mlflow.runName") == 0) {
        free(ctx->run_name);
        ctx->run_name = v;
        return CF_OK;
    }
    if (strncmp(key, "mlflow.", 7) != 0) st = cf_pairbuf_add(ctx->tags, key, v);
    free(v);
    return st;
}

/* Reads one run directory of experiment exp_name into out (a record, a rejected record or a skip). */
static cf_status read_run_dir(mlf_tree *t, const char *run_dir, const char *run_rel, const char *exp_name,
                              int exp_deleted, cf_records *out, long recno, cf_error *err)
{
    const char *root = t->root;
    cf_pairbuf meta = {0}, pairs = {0}, tags = {0};
    run_ctx ctx = {t, run_rel, &pairs, &tags, NULL, 0, "", ""};
    char *meta_path = cf_src_join(run_dir, "meta.yaml");
    cf_status st = CF_OK;
    if (meta_path == NULL) return cf_error_set(err, CF_ERR_NOMEM, root, 0, 0, NULL, "out of memory");
    cf_error merr;
    cf_error_clear(&merr);
    char meta_rel[600];
    snprintf(meta_rel, sizeof meta_rel, "%.580s/meta.yaml", run_rel);
    if (leaves_tree(t, meta_path, meta_rel)) {
        char msg[2048];
        snprintf(msg, sizeof msg, "%s is a symbolic link leading out of the store; costfront does not follow it",
                 meta_rel);
        st = cf_records_reject(out, run_rel, recno, 0, "meta.yaml", msg, "");
        goto done;
    }
    if (!cf_src_is_file(meta_path)) {
        char msg[2048];
        snprintf(msg, sizeof msg, "run directory %s has no meta.yaml; it is not an MLflow run (damaged store?)",
                 run_rel);
        st = cf_records_reject(out, run_rel, recno, 0, "meta.yaml", msg, "");
        goto done;
    }
    if (read_meta(meta_path, &meta, &merr) != CF_OK) {
        char msg[2048];
        snprintf(msg, sizeof msg, "%s/meta.yaml line %ld: %s", run_rel, merr.line, merr.message);
        st = cf_records_reject(out, run_rel, merr.line, merr.column, "meta.yaml", msg, "");
        goto done;
    }
    const char *run_id = kv_get(&meta, "run_id");
    if (run_id == NULL || run_id[0] == '\0') run_id = kv_get(&meta, "run_uuid");
    if (run_id == NULL || run_id[0] == '\0') run_id = run_rel;
    const char *stage = kv_get(&meta, "lifecycle_stage");
    if (exp_deleted || (stage != NULL && strcmp(stage, "deleted") == 0)) {
        st = cf_records_skip(out, "deleted");
        goto done;
    }
    const char *status = status_name(kv_get(&meta, "status"));
    if (strcmp(status, "finished") != 0) {
        st = cf_records_skip(out, status);
        goto done;
    }
    /* Identity first, then metrics, params, user tags. */
    st = cf_pairbuf_add(&pairs, "run_id", run_id);
    if (st == CF_OK && exp_name != NULL && exp_name[0]) st = cf_pairbuf_add(&pairs, "project", exp_name);
    size_t name_slot = pairs.n;
    char *sub = NULL;
    static const char *const parts[3] = {"metrics", "params", "tags"};
    static const visit_fn fns[3] = {visit_metric, visit_param, visit_tag};
    for (int k = 0; k < 3 && st == CF_OK; k++) {
        sub = cf_src_join(run_dir, parts[k]);
        if (sub == NULL)
            st = CF_ERR_NOMEM;
        else if (cf_src_is_dir(sub) && !leaves_tree(t, sub, parts[k]))
            st = walk_keys(sub, parts[k], "", fns[k], &ctx);
        free(sub);
    }
    if (st == CF_ERR_PARSE || st == CF_ERR_IO) {
        char msg[2048];
        snprintf(msg, sizeof msg, "%s/%s%s%ld: %s", run_rel, ctx.bad_key, ctx.bad_line ? " line " : "", ctx.bad_line,
                 ctx.why);
        if (!ctx.bad_line) snprintf(msg, sizeof msg, "%s/%s: %s", run_rel, ctx.bad_key, ctx.why);
        st = cf_records_reject(out, run_id, ctx.bad_line, 0, ctx.bad_key, msg, "");
        goto done;
    }
    if (st != CF_OK) goto done;
    const char *rn = kv_get(&meta, "run_name");
    if (rn == NULL || rn[0] == '\0') rn = ctx.run_name;
    if (rn != NULL && rn[0] != '\0') {
        st = cf_pairbuf_add_unique(&pairs, "mlflow.", "run_name", rn);
        /* keep run_name right after the identity pairs for readability */
        if (st == CF_OK) cf_pairbuf_move_last(&pairs, name_slot);
    }
    for (size_t i = 0; i < tags.n && st == CF_OK; i++)
        st = cf_pairbuf_add_unique(&pairs, "tag.", tags.names[i], tags.values[i]);
    if (st == CF_OK) {
        char raw[512];
        snprintf(raw, sizeof raw, "mlflow run %s (%s)", run_id, run_rel);
        st = cf_pairbuf_emit(&pairs, out, run_id, recno, raw);
    }
done:
    if (st == CF_ERR_NOMEM) cf_error_set(err, st, root, 0, 0, NULL, "out of memory");
    free(meta_path);
    free(ctx.run_name);
    cf_pairbuf_free(&meta);
    cf_pairbuf_free(&pairs);
    cf_pairbuf_free(&tags);
    return st;
}

/* Reads one experiment directory (holding meta.yaml). rel is its path relative to the source root. */
static cf_status read_experiment(mlf_tree *t, const char *dir, const char *rel, cf_records *out, long *recno,
                                 cf_error *err)
{
    const char *root = t->root;
    cf_pairbuf meta = {0};
    char *meta_path = cf_src_join(dir, "meta.yaml");
    if (meta_path == NULL) return cf_error_set(err, CF_ERR_NOMEM, root, 0, 0, NULL, "out of memory");
    struct stat lsb;
    if (lstat(meta_path, &lsb) == 0 && S_ISLNK(lsb.st_mode) && leaves_tree(t, meta_path, "meta.yaml")) {
        cf_status ls = cf_error_set(err, CF_ERR_PARSE, meta_path, 0, 0, NULL,
                                    "the experiment's meta.yaml is a symbolic link leading out of the store; "
                                    "costfront does not follow it");
        free(meta_path);
        return ls;
    }
    cf_status st = read_meta(meta_path, &meta, err);
    free(meta_path);
    if (st != CF_OK) {
        cf_pairbuf_free(&meta);
        return st;
    }
    const char *name = kv_get(&meta, "name");
    const char *stage = kv_get(&meta, "lifecycle_stage");
    int deleted = stage != NULL && strcmp(stage, "deleted") == 0;
    size_t n;
    char **entries = cf_src_list_dir(dir, &n);
    for (size_t i = 0; i < n && st == CF_OK; i++) {
        if (entries[i][0] == '.' || strcmp(entries[i], "meta.yaml") == 0 || strcmp(entries[i], "tags") == 0 ||
            strcmp(entries[i], "datasets") == 0)
            continue;
        char *run_dir = cf_src_join(dir, entries[i]);
        char *run_rel = rel[0] ? cf_src_join(rel, entries[i]) : cf_src_strdup(entries[i]);
        if (run_dir == NULL || run_rel == NULL)
            st = cf_error_set(err, CF_ERR_NOMEM, root, 0, 0, NULL, "out of memory");
        else if (leaves_tree(t, run_dir, run_rel)) {
            /* not followed; counted for the note */
        }
        else if (cf_src_is_dir(run_dir))
            st = read_run_dir(t, run_dir, run_rel, name, deleted, out, ++*recno, err);
        free(run_dir);
        free(run_rel);
    }
    cf_src_free_list(entries, n);
    cf_pairbuf_free(&meta);
    return st;
}

cf_status cf_read_mlflow(const char *path, cf_records *out, cf_error *err)
{
    if (path == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no path or no records");
    if (!cf_src_is_dir(path))
        return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "not a directory; expected an MLflow mlruns directory");
    cf_status st = cf_records_begin_source(out, "mlflow", path);
    if (st != CF_OK) return cf_error_set(err, st, path, 0, 0, NULL, "out of memory");
    long recno = 0;
    char *top_meta = cf_src_join(path, "meta.yaml");
    if (top_meta == NULL) return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
    int single = cf_src_is_file(top_meta);
    free(top_meta);
    mlf_tree tree = {path, realpath(path, NULL), 0, ""};
    mlf_tree *t = &tree;
    size_t n_exp = 0;
    if (single) {
        st = read_experiment(t, path, "", out, &recno, err);
        n_exp = 1;
    } else {
        size_t n;
        char **entries = cf_src_list_dir(path, &n);
        for (size_t i = 0; i < n && st == CF_OK; i++) {
            /* .trash holds deleted experiments; models/ is the model registry, not runs. */
            if (entries[i][0] == '.' || strcmp(entries[i], "models") == 0) continue;
            char *dir = cf_src_join(path, entries[i]);
            if (dir == NULL) {
                st = cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
                break;
            }
            if (leaves_tree(t, dir, entries[i])) {
                /* not followed; counted for the note */
            } else if (cf_src_is_dir(dir)) {
                char *mp = cf_src_join(dir, "meta.yaml");
                if (mp != NULL && cf_src_is_file(mp)) {
                    st = read_experiment(t, dir, entries[i], out, &recno, err);
                    n_exp++;
                } else if (mp != NULL) {
                    st = cf_error_set(err, CF_ERR_PARSE, mp, 0, 0, NULL,
                                      "experiment directory %s has no meta.yaml; the MLflow store looks damaged",
                                      entries[i]);
                }
                free(mp);
            }
            free(dir);
        }
        cf_src_free_list(entries, n);
        if (st == CF_OK && n_exp == 0)
            st = cf_error_set(err, CF_ERR_INVALID, path, 0, 0, NULL,
                              "no MLflow experiment found (expected directories holding meta.yaml)");
    }
    if (st == CF_OK) st = cf_records_note_skips(out);
    if (st == CF_OK && tree.links_out > 0) {
        char shown[sizeof tree.first];
        cf_text_escape(shown, sizeof shown, tree.first);
        st = cf_records_note(out,
                             "%s: %zu symbolic link%s leading out of the store %s not followed (e.g. %s)", path,
                             tree.links_out, tree.links_out == 1 ? "" : "s", tree.links_out == 1 ? "was" : "were",
                             shown);
    }
    free(tree.real);
    return st;
}

/* ---- the tracking database ----------------------------------------------------------------------------------- */

/* Formats a metric value as MLflow reads it back: is_nan -> nan, +-DBL_MAX -> +-inf. */
static void db_metric_text(double v, int is_nan, char buf[32])
{
    if (is_nan)
        strcpy(buf, "nan");
    else if (v >= DBL_MAX)
        strcpy(buf, "inf");
    else if (v <= -DBL_MAX)
        strcpy(buf, "-inf");
    else
        cf_src_fmt_double(v, buf);
}

/* Adds the rows of q (key, value) bound to run ?1 to pairs (renaming on collision with prefix). */
static cf_status add_kv_rows(sqlite3_stmt *q, const char *run, cf_pairbuf *pairs, const char *prefix, int tags,
                             char **run_name)
{
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
    int rc;
    cf_status st = CF_OK;
    while (st == CF_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(q, 0);
        const char *v = (const char *)sqlite3_column_text(q, 1);
        if (k == NULL) continue;
        if (tags && strcmp(k, "mlflow.runName") == 0) {
            if (*run_name == NULL) *run_name = cf_src_strdup(v);
            continue;
        }
        if (tags && strncmp(k, "mlflow.", 7) == 0) continue;
        st = cf_pairbuf_add_unique(pairs, prefix, k, v);
    }
    if (st == CF_OK && rc != SQLITE_DONE) return CF_ERR_DB;
    return st;
}

cf_status cf_read_mlflow_db(const char *path, cf_records *out, cf_error *err)
{
    if (path == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no path or no records");
    if (!cf_src_is_file(path))
        return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot open the MLflow database: no such file");
    sqlite3 *db = NULL;
    cf_status ost = cf_src_sqlite_open(path, "MLflow database", &db, err);
    if (ost != CF_OK) return ost;
    cf_status st = CF_OK;
    sqlite3_stmt *runs = NULL, *met = NULL, *par = NULL, *tag = NULL;
    if (!cf_src_sqlite_has_table(db, "runs") || !cf_src_sqlite_has_table(db, "metrics") ||
        !cf_src_sqlite_has_table(db, "experiments")) {
        st = cf_error_set(err, CF_ERR_DB, path, 0, 0, NULL,
                          "not an MLflow tracking database (expected tables runs, metrics and experiments)");
        goto done;
    }
    int run_name_col = cf_src_sqlite_has_column(db, "runs", "name");
    int is_nan_col = cf_src_sqlite_has_column(db, "metrics", "is_nan");
    int step_col = cf_src_sqlite_has_column(db, "metrics", "step");
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT r.run_uuid, %s, r.status, r.lifecycle_stage, e.name, e.lifecycle_stage FROM runs r"
             " LEFT JOIN experiments e ON e.experiment_id = r.experiment_id ORDER BY r.start_time, r.run_uuid",
             run_name_col ? "r.name" : "NULL");
    if (sqlite3_prepare_v2(db, sql, -1, &runs, NULL) != SQLITE_OK) goto dberr;
    snprintf(sql, sizeof sql,
             "SELECT key, value, %s, %s, timestamp FROM metrics WHERE run_uuid=?1 ORDER BY key, 4, timestamp, rowid",
             is_nan_col ? "is_nan" : "0", step_col ? "step" : "0");
    if (sqlite3_prepare_v2(db, sql, -1, &met, NULL) != SQLITE_OK) goto dberr;
    if (cf_src_sqlite_has_table(db, "params") &&
        sqlite3_prepare_v2(db, "SELECT key, value FROM params WHERE run_uuid=?1 ORDER BY key", -1, &par, NULL) !=
            SQLITE_OK)
        goto dberr;
    if (cf_src_sqlite_has_table(db, "tags") &&
        sqlite3_prepare_v2(db, "SELECT key, value FROM tags WHERE run_uuid=?1 ORDER BY key", -1, &tag, NULL) !=
            SQLITE_OK)
        goto dberr;
    st = cf_records_begin_source(out, "mlflow-db", path);
    if (st != CF_OK) {
        cf_error_set(err, st, path, 0, 0, NULL, "out of memory");
        goto done;
    }
    long recno = 0;
    int rc;
    cf_pairbuf pairs = {0};
    while (st == CF_OK && (rc = sqlite3_step(runs)) == SQLITE_ROW) {
        recno++;
        const char *uuid = (const char *)sqlite3_column_text(runs, 0);
        const char *rname = (const char *)sqlite3_column_text(runs, 1);
        const char *status = (const char *)sqlite3_column_text(runs, 2);
        const char *stage = (const char *)sqlite3_column_text(runs, 3);
        const char *exp = (const char *)sqlite3_column_text(runs, 4);
        const char *exp_stage = (const char *)sqlite3_column_text(runs, 5);
        if ((stage && strcmp(stage, "deleted") == 0) || (exp_stage && strcmp(exp_stage, "deleted") == 0)) {
            st = cf_records_skip(out, "deleted");
            continue;
        }
        const char *sname = status_name(status);
        if (strcmp(sname, "finished") != 0) {
            st = cf_records_skip(out, sname);
            continue;
        }
        cf_pairbuf_clear(&pairs);
        char *tag_name = NULL;
        st = cf_pairbuf_add(&pairs, "run_id", uuid);
        if (st == CF_OK && exp && exp[0]) st = cf_pairbuf_add(&pairs, "project", exp);
        size_t name_slot = pairs.n;
        /* metrics: rows ordered by key, step, timestamp; the last row of each key is the latest */
        sqlite3_reset(met);
        sqlite3_bind_text(met, 1, uuid, -1, SQLITE_STATIC);
        char cur[512] = "", val[32] = "";
        int have = 0;
        while (st == CF_OK && (rc = sqlite3_step(met)) == SQLITE_ROW) {
            const char *k = (const char *)sqlite3_column_text(met, 0);
            if (have && strcmp(k, cur) != 0) st = cf_pairbuf_add_unique(&pairs, "metric.", cur, val);
            snprintf(cur, sizeof cur, "%s", k);
            db_metric_text(sqlite3_column_double(met, 1), sqlite3_column_int(met, 2), val);
            have = 1;
        }
        if (st == CF_OK && rc != SQLITE_DONE) st = CF_ERR_DB;
        if (st == CF_OK && have) st = cf_pairbuf_add_unique(&pairs, "metric.", cur, val);
        if (st == CF_OK && par) st = add_kv_rows(par, uuid, &pairs, "param.", 0, NULL);
        cf_pairbuf tags = {0};
        if (st == CF_OK && tag) st = add_kv_rows(tag, uuid, &tags, "", 1, &tag_name);
        const char *rn = (rname && rname[0]) ? rname : tag_name;
        if (st == CF_OK && rn && rn[0]) {
            st = cf_pairbuf_add_unique(&pairs, "mlflow.", "run_name", rn);
            if (st == CF_OK) cf_pairbuf_move_last(&pairs, name_slot);
        }
        for (size_t i = 0; i < tags.n && st == CF_OK; i++)
            st = cf_pairbuf_add_unique(&pairs, "tag.", tags.names[i], tags.values[i]);
        cf_pairbuf_free(&tags);
        free(tag_name);
        if (st == CF_OK) {
            char raw[256];
            snprintf(raw, sizeof raw, "mlflow run %s", uuid);
            st = cf_pairbuf_emit(&pairs, out, uuid, recno, raw);
        }
    }
    cf_pairbuf_free(&pairs);
    if (st == CF_ERR_DB || (st == CF_OK && rc != SQLITE_DONE)) goto dberr;
    if (st != CF_OK) {
        cf_error_set(err, st, path, recno, 0, NULL, "out of memory");
        goto done;
    }
    st = cf_records_note_skips(out);
    goto done;
dberr:
    st = cf_error_set(err, CF_ERR_DB, path, 0, 0, NULL, "cannot read the MLflow database: %s", sqlite3_errmsg(db));
done:
    sqlite3_finalize(runs);
    sqlite3_finalize(met);
    sqlite3_finalize(par);
    sqlite3_finalize(tag);
    sqlite3_close(db);
    return st;
}
