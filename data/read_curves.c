/* costfront: learning curves from MLflow (see include/costfront/curves.h).
 *
 * File store: mlruns/<experiment>/<run>/metrics/<key> holds one line per logged point, "timestamp value step"
 * (older MLflow versions write "timestamp value", step 0); nested keys are subdirectories and give "a/b". The run
 * id is the run's meta.yaml run_id, else its directory name. Symbolic links are never followed (a link could lead
 * out of the store): they are counted in a note. The tracking database keeps the same points in its metrics table
 * (run_uuid, key, value, timestamp, step, is_nan); NaN points (is_nan = 1) and the +-1.7976931348623157e308 MLflow
 * stores for infinities are rejected like any non-finite value, with the row they came from.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/curves_internal.h"
#include "data/src_util.h"

/* Counters of one walk of a file store. */
typedef struct walk {
    size_t links;  /* symbolic links not followed */
    size_t files;  /* metric files read */
    size_t runs;   /* run directories with a metrics directory */
} walk;

/* 1 when path is a symbolic link (lstat), counting it. */
static int is_link(walk *w, const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
        w->links++;
        return 1;
    }
    return 0;
}

/* Reads one metric file: every line "timestamp value step" is a point of (run, key). */
static cf_status read_metric_file(cf_curves *c, const char *file, const char *run, const char *key, cf_error *err)
{
    size_t len = 0;
    char *text = cf_src_read_file(file, &len);
    if (text == NULL) return cf_error_set(err, CF_ERR_IO, file, 0, 0, NULL, "cannot read this metric file");
    cf_status st = CF_OK;
    long line = 0;
    char *p = text, *end = text + len;
    while (p < end && st == CF_OK) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl != NULL ? nl : end;
        line++;
        size_t n = (size_t)(eol - p);
        if (n > 0 && p[n - 1] == '\r') n--;
        if (n == 0) {
            p = eol + 1;
            continue;
        }
        char buf[256];
        int too_long = n >= sizeof buf;
        if (memchr(p, '\0', n) != NULL || too_long) {
            st = cf_curves_reject_point(c, file, line, 0, key, "expected \"timestamp value step\", found %s",
                                        too_long ? "a line too long for one" : "a NUL byte");
            p = eol + 1;
            continue;
        }
        memcpy(buf, p, n);
        buf[n] = '\0';
        char *f[4] = {NULL, NULL, NULL, NULL};
        int nf = 0;
        for (char *tok = strtok(buf, " \t"); tok != NULL && nf < 4; tok = strtok(NULL, " \t")) f[nf++] = tok;
        double t, v, s = 0;
        const char *why = NULL;
        long col = 0;
        if (nf < 2 || nf > 3) why = "three fields \"timestamp value step\"";
        else if (cf_curves_parse_num(f[0], &t) != CF_OK) why = "a number as timestamp", col = 1;
        else if (cf_curves_parse_num(f[1], &v) != CF_OK || fabs(v) >= 1.7976931348623157e308)
            why = "a finite number as value", col = 2;
        else if (nf == 3 && (cf_curves_parse_num(f[2], &s) != CF_OK || s < 0))
            why = "a step >= 0", col = 3;
        if (why != NULL) {
            char shown[120];
            cf_text_escape(shown, sizeof shown, col > 0 ? f[col - 1] : p);
            st = cf_curves_reject_point(c, file, line, col, key, "expected %s, found '%s'", why, shown);
        } else {
            st = cf_curves_add(c, run, key, s, v, t);
            if (st != CF_OK) st = cf_error_set(err, st, file, line, 0, NULL, "out of memory");
        }
        if (st == CF_ERR_NOMEM && err != NULL && err->status == CF_OK)
            st = cf_error_set(err, st, file, line, 0, NULL, "out of memory");
        p = eol + 1;
    }
    free(text);
    return st;
}

/* Reads the metrics directory dir of run (key prefix for nested keys, "" at the top). */
static cf_status read_metrics_dir(cf_curves *c, walk *w, const char *dir, const char *prefix, const char *run,
                                  cf_error *err)
{
    size_t n;
    char **names = cf_src_list_dir(dir, &n);
    cf_status st = CF_OK;
    for (size_t i = 0; i < n && st == CF_OK; i++) {
        char *path = cf_src_join(dir, names[i]);
        char *key = prefix[0] ? cf_src_join(prefix, names[i]) : cf_src_strdup(names[i]);
        if (path == NULL || key == NULL) {
            st = cf_error_set(err, CF_ERR_NOMEM, dir, 0, 0, NULL, "out of memory");
        } else if (!is_link(w, path)) {
            if (cf_src_is_dir(path)) {
                st = read_metrics_dir(c, w, path, key, run, err);
            } else if (cf_src_is_file(path)) {
                w->files++;
                st = read_metric_file(c, path, run, key, err);
            }
        }
        free(path);
        free(key);
    }
    cf_src_free_list(names, n);
    return st;
}

/* The run id of a run directory: meta.yaml's run_id (or run_uuid) line, else the directory name. */
static void run_id_of(const char *run_dir, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s", name);
    char *meta = cf_src_join(run_dir, "meta.yaml");
    size_t len;
    char *text = meta != NULL ? cf_src_read_file(meta, &len) : NULL;
    free(meta);
    if (text == NULL) return;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        const char *v = NULL;
        if (strncmp(line, "run_id:", 7) == 0) v = line + 7;
        else if (strncmp(line, "run_uuid:", 9) == 0 && strcmp(out, name) == 0) v = line + 9;
        if (v == NULL) continue;
        while (*v == ' ') v++;
        char buf[256];
        snprintf(buf, sizeof buf, "%s", v);
        size_t l = strlen(buf);
        while (l > 0 && (buf[l - 1] == ' ' || buf[l - 1] == '\r')) buf[--l] = '\0';
        if (l >= 2 && (buf[0] == '\'' || buf[0] == '"') && buf[l - 1] == buf[0]) {
            buf[l - 1] = '\0';
            memmove(buf, buf + 1, l - 1);
        }
        if (buf[0] != '\0') snprintf(out, n, "%s", buf);
        if (strncmp(line, "run_id:", 7) == 0) break;
    }
    free(text);
}

/* Reads every run of one experiment directory. */
static cf_status read_experiment_dir(cf_curves *c, walk *w, const char *dir, cf_error *err)
{
    size_t n;
    char **names = cf_src_list_dir(dir, &n);
    cf_status st = CF_OK;
    for (size_t i = 0; i < n && st == CF_OK; i++) {
        if (names[i][0] == '.' || strcmp(names[i], "meta.yaml") == 0 || strcmp(names[i], "tags") == 0 ||
            strcmp(names[i], "datasets") == 0)
            continue;
        char *run_dir = cf_src_join(dir, names[i]);
        char *metrics = run_dir != NULL ? cf_src_join(run_dir, "metrics") : NULL;
        if (metrics == NULL) {
            st = cf_error_set(err, CF_ERR_NOMEM, dir, 0, 0, NULL, "out of memory");
        } else if (!is_link(w, run_dir) && cf_src_is_dir(run_dir) && !is_link(w, metrics) && cf_src_is_dir(metrics)) {
            char run[256];
            run_id_of(run_dir, names[i], run, sizeof run);
            w->runs++;
            st = read_metrics_dir(c, w, metrics, "", run, err);
        }
        free(metrics);
        free(run_dir);
    }
    cf_src_free_list(names, n);
    return st;
}

cf_status cf_curves_read_mlflow_dir(cf_curves *c, const char *path, cf_error *err)
{
    walk w = {0, 0, 0};
    char *top = cf_src_join(path, "meta.yaml");
    if (top == NULL) return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
    int single = cf_src_is_file(top);
    free(top);
    cf_status st = CF_OK;
    if (single) {
        st = read_experiment_dir(c, &w, path, err);
    } else {
        size_t n;
        char **names = cf_src_list_dir(path, &n);
        for (size_t i = 0; i < n && st == CF_OK; i++) {
            if (names[i][0] == '.' || strcmp(names[i], "models") == 0) continue; /* .trash, the model registry */
            char *dir = cf_src_join(path, names[i]);
            if (dir == NULL) st = cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
            else if (!is_link(&w, dir) && cf_src_is_dir(dir)) st = read_experiment_dir(c, &w, dir, err);
            free(dir);
        }
        cf_src_free_list(names, n);
    }
    if (st == CF_OK && w.links > 0)
        st = cf_curves_note_add(c, "%s: %zu symbolic link%s in the MLflow store %s not followed", path, w.links,
                                w.links == 1 ? "" : "s", w.links == 1 ? "was" : "were");
    if (st == CF_OK && w.runs == 0)
        st = cf_error_set(err, CF_ERR_INVALID, path, 0, 0, NULL,
                          "no MLflow run with a metrics directory found (expected <experiment>/<run>/metrics/<key>)");
    return st;
}

cf_status cf_curves_read_mlflow_db(cf_curves *c, const char *path, cf_error *err)
{
    sqlite3 *db = NULL;
    cf_status st = cf_src_sqlite_open(path, "MLflow database", &db, err);
    if (st != CF_OK) return st;
    int has_step = cf_src_sqlite_has_column(db, "metrics", "step");
    int has_nan = cf_src_sqlite_has_column(db, "metrics", "is_nan");
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT run_uuid, key, value, timestamp, %s, %s FROM metrics ORDER BY run_uuid, key, %s, timestamp",
             has_step ? "step" : "0", has_nan ? "is_nan" : "0", has_step ? "step" : "timestamp");
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
        st = cf_error_set(err, CF_ERR_DB, path, 0, 0, "metrics", "cannot read the metrics table: %s",
                          sqlite3_errmsg(db));
        sqlite3_close(db);
        return st;
    }
    long row = 0;
    int rc;
    while (st == CF_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        row++;
        const char *run = (const char *)sqlite3_column_text(q, 0);
        const char *key = (const char *)sqlite3_column_text(q, 1);
        double v = sqlite3_column_double(q, 2), t = sqlite3_column_double(q, 3), s = sqlite3_column_double(q, 4);
        int is_nan = sqlite3_column_int(q, 5);
        if (run == NULL || key == NULL)
            st = cf_curves_reject_point(c, path, row, 0, "metrics", "expected a run_uuid and a key, found NULL");
        else if (is_nan || !isfinite(v) || fabs(v) >= 1.7976931348623157e308)
            st = cf_curves_reject_point(c, path, row, 0, key, "run %s: expected a finite value, found %s", run,
                                        is_nan || isnan(v) ? "NaN" : "an infinity");
        else if (!(s >= 0))
            st = cf_curves_reject_point(c, path, row, 0, key, "run %s: expected a step >= 0, found %.17g", run, s);
        else if ((st = cf_curves_add(c, run, key, s, v, t)) != CF_OK)
            st = cf_error_set(err, st, path, row, 0, NULL, "out of memory");
    }
    if (st == CF_OK && rc != SQLITE_DONE)
        st = cf_error_set(err, CF_ERR_DB, path, row, 0, "metrics", "reading the metrics table failed: %s",
                          sqlite3_errmsg(db));
    sqlite3_finalize(q);
    sqlite3_close(db);
    return st;
}
