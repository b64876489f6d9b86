/* Tests for the concurrency of optimizer/study.c (issue 10): worker processes asking one study file at the same
 * moment never get the same configuration, every pending trial was handed to exactly one of them, and the GP
 * hyperparameters cached in the file are reused within 5% more observations and refitted beyond. */
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "costfront/problems.h"
#include "costfront/study.h"
#include "data/db.h"
#include "data/study_store.h"
#include "tests/pg/pg_testutil.h"

static const char *SPACE = "{\"params\": [{\"name\": \"x0\", \"type\": \"float\", \"low\": 0, \"high\": 1},"
                           "              {\"name\": \"x1\", \"type\": \"float\", \"low\": 0, \"high\": 1}],"
                           " \"objectives\": [{\"name\": \"f1\", \"ref\": 18}, {\"name\": \"f2\", \"ref\": 6}]}";

/* A fresh study store: a new file (old one and its WAL removed) on SQLite, a new schema on PostgreSQL. */
static void tmp_path(char *buf, size_t n, const char *name)
{
    char file[512];
    snprintf(file, sizeof file, "%s/test_study_conc_%s_%ld.db", CF_BINARY_DIR, name, (long)getpid());
    tu_store_name(buf, n, file);
    char aux[600];
    remove(file);
    snprintf(aux, sizeof aux, "%s-wal", file);
    remove(aux);
    snprintf(aux, sizeof aux, "%s-shm", file);
    remove(aux);
    if (tu_pg()) return;
    snprintf(aux, sizeof aux, "%s-wal", buf);
    remove(aux);
    snprintf(aux, sizeof aux, "%s-shm", buf);
    remove(aux);
}

/* Adds the complete trial (x0, x1) with its BraninCurrin values. */
static void add_bc(cf_study *s, double x0, double x1)
{
    double x[2] = {x0, x1}, f[2];
    cr_assert_eq(cf_problem_eval(CF_PROBLEM_BRANINCURRIN, x, 2, 2, f), CF_OK);
    cJSON *p = cJSON_CreateObject(), *v = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "x0", x0);
    cJSON_AddNumberToObject(p, "x1", x1);
    cJSON_AddNumberToObject(v, "f1", f[0]);
    cJSON_AddNumberToObject(v, "f2", f[1]);
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_add(s, p, v, NULL, &e), CF_OK, "%s", e.message);
    cJSON_Delete(p);
    cJSON_Delete(v);
}

/* A direct connection to the study's database (either backend), as another process would make it. */
static cf_db *raw_open(const char *path)
{
    cf_db *db = NULL;
    char why[512] = "";
    int rc = cf_db_is_pg_uri(path) ? cf_db_open_pg(path, &db, why, sizeof why)
                                   : cf_db_open_sqlite(path, SQLITE_OPEN_READWRITE, 10000, &db, why, sizeof why);
    cr_assert_eq(rc, 0, "%s: %s", path, why);
    return db;
}

/* One integer from a query on the study's database. */
static long long raw_int(const char *path, const char *sql)
{
    cf_db *db = raw_open(path);
    cf_db_stmt *q = cf_db_prepare(db, sql);
    cr_assert_not_null(q, "%s: %s", sql, cf_db_errmsg(db));
    cr_assert_eq(cf_db_step(q), CF_DB_ROW, "%s: %s", sql, cf_db_errmsg(db));
    long long v = cf_db_col_int64(q, 0);
    cf_db_finalize(q);
    cf_db_close(db);
    return v;
}

/* The cached hyperparameter keys of the file, one per line in key order, into buf. */
static void cache_keys(const char *path, char *buf, size_t n)
{
    cf_db *db = raw_open(path);
    cf_db_stmt *q = cf_db_prepare(db, "SELECT key FROM study_meta WHERE key LIKE 'gp_theta:%' ORDER BY key");
    cr_assert_not_null(q, "%s", cf_db_errmsg(db));
    buf[0] = '\0';
    while (cf_db_step(q) == CF_DB_ROW) {
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, "%s\n", cf_db_col_text(q, 0));
    }
    cf_db_finalize(q);
    cf_db_close(db);
}

/* Asks once and marks the trial failed, so the model keeps the same complete trials. */
static void ask_and_fail(cf_study *s, unsigned long seed)
{
    cJSON *arr = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_ask(s, 1, seed, &arr, &e), CF_OK, "%s", e.message);
    long id = (long)cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "id")->valuedouble;
    cr_assert_eq(cf_study_tell(s, id, NULL, CF_TRIAL_FAILED, &e), CF_OK, "%s", e.message);
    cJSON_Delete(arr);
}

Test(study_concurrency, hyperparameters_cached_per_observation_count)
{
    char path[512], keys[1024];
    tmp_path(path, sizeof path, "cache");
    cf_study *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_create(path, SPACE, &s, &e), CF_OK, "%s", e.message);
    cf_study_set_effort(s, 64, 2, 40, 1);
    for (int i = 0; i < 40; i++) add_bc(s, fmod(0.618034 * i, 1.0), fmod(0.414214 * i + 0.1, 1.0));
    /* 40 observations: both objective GPs fitted and cached at n = 40. */
    ask_and_fail(s, 1);
    cache_keys(path, keys, sizeof keys);
    cr_assert_str_eq(keys, "gp_theta:obj0:0000000040\ngp_theta:obj1:0000000040\n");
    /* 41 and 42 observations: within 40 + 40 / 20 = 42, the fit at 40 is reused (no new entry). */
    add_bc(s, 0.11, 0.93);
    ask_and_fail(s, 2);
    add_bc(s, 0.77, 0.05);
    ask_and_fail(s, 3);
    cache_keys(path, keys, sizeof keys);
    cr_assert_str_eq(keys, "gp_theta:obj0:0000000040\ngp_theta:obj1:0000000040\n");
    /* 43 observations: beyond the window, refitted; only the newest fit per GP is kept. */
    add_bc(s, 0.33, 0.66);
    ask_and_fail(s, 4);
    cache_keys(path, keys, sizeof keys);
    cr_assert_str_eq(keys, "gp_theta:obj0:0000000043\ngp_theta:obj1:0000000043\n");
    cf_study_destroy(s);
    /* A reopened study (another worker) reuses the file's fit and gets the same suggestion as this process. */
    cr_assert_eq(cf_study_open(path, &s, &e), CF_OK, "%s", e.message);
    cf_study_set_effort(s, 64, 2, 40, 1);
    char *a = cf_study_ask_json(s, 1, 9);
    cr_assert_not_null(a, "%s", cf_study_last_error(s));
    cf_study_destroy(s);
    tmp_path(path, sizeof path, "cache");
    cf_free(a);
}

/* Runs one SQL statement on the file (another process's write, as a worker would make it). */
static void exec_sql(const char *path, const char *sql)
{
    cf_db *db = raw_open(path);
    cr_assert_eq(cf_db_exec(db, sql), 0, "%s", cf_db_errmsg(db));
    cf_db_close(db);
}

Test(study_concurrency, a_claimed_refit_is_left_to_its_claimant)
{
    char path[512], keys[1024], sql[256];
    tmp_path(path, sizeof path, "claim");
    cf_study *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_create(path, SPACE, &s, &e), CF_OK, "%s", e.message);
    cf_study_set_effort(s, 64, 2, 40, 1);
    for (int i = 0; i < 40; i++) add_bc(s, fmod(0.618034 * i, 1.0), fmod(0.414214 * i + 0.1, 1.0));
    ask_and_fail(s, 1);
    /* 43 observations: stale (3 > 40 / 20) but within 10% (3 <= 4). Another worker claimed the refit a moment
     * ago: this ask keeps the fit at 40. */
    add_bc(s, 0.11, 0.93);
    add_bc(s, 0.77, 0.05);
    add_bc(s, 0.33, 0.66);
    snprintf(sql, sizeof sql, "INSERT INTO study_meta VALUES ('gp_refit', '43 %lld 999-other') ON CONFLICT(key) DO UPDATE SET "
             "value = excluded.value",
             (long long)time(NULL));
    exec_sql(path, sql);
    ask_and_fail(s, 2);
    cache_keys(path, keys, sizeof keys);
    cr_assert_str_eq(keys, "gp_theta:obj0:0000000040\ngp_theta:obj1:0000000040\n");
    /* A claim older than 60 s has lapsed (its worker died): this ask claims the refit itself, fits at 43 and
     * deletes the claim with its new fits. */
    snprintf(sql, sizeof sql, "UPDATE study_meta SET value = '43 %lld 999-other' WHERE key = 'gp_refit'",
             (long long)time(NULL) - 61);
    exec_sql(path, sql);
    ask_and_fail(s, 3);
    cache_keys(path, keys, sizeof keys);
    cr_assert_str_eq(keys, "gp_theta:obj0:0000000043\ngp_theta:obj1:0000000043\n");
    cr_assert_eq(raw_int(path, "SELECT count(*) FROM study_meta WHERE key = 'gp_refit'"), 0,
                 "the claim is gone with the new fits");
    cf_study_destroy(s);
    tmp_path(path, sizeof path, "claim");
}

/* Child: opens the study, waits for the byte on fd, asks q trials, writes the JSON to out, exits 0 on success. */
static void child_ask(const char *path, int fd, const char *out, unsigned long seed, size_t q)
{
    cf_study *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    if (cf_study_open(path, &s, &e) != CF_OK) _exit(3);
    cf_study_set_effort(s, 64, 2, 40, 1);
    char c;
    if (read(fd, &c, 1) != 1) _exit(4);
    char *txt = cf_study_ask_json(s, (int)q, seed);
    if (txt == NULL) _exit(5);
    FILE *f = fopen(out, "w");
    if (f == NULL) _exit(6);
    fputs(txt, f);
    fclose(f);
    cf_free(txt);
    cf_study_destroy(s);
    _exit(0);
}

/* Forks W workers behind a pipe barrier, each asking q trials with the same seed; returns the trials handed out
 * (a JSON array of {"id", "params"}). */
static cJSON *fork_workers(const char *path, int W, size_t q, unsigned long seed)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pids[16];
    char outs[16][600];
    for (int w = 0; w < W; w++) {
        snprintf(outs[w], sizeof outs[w], "%s/test_study_conc_out_%ld.w%d.json", CF_BINARY_DIR, (long)getpid(), w);
        pids[w] = fork();
        cr_assert(pids[w] >= 0);
        if (pids[w] == 0) {
            close(fds[1]);
            child_ask(path, fds[0], outs[w], seed, q);
        }
    }
    close(fds[0]);
    usleep(200000); /* every child opened the study and waits */
    char go[16] = {0};
    cr_assert_eq(write(fds[1], go, (size_t)W), W);
    close(fds[1]);
    cJSON *all = cJSON_CreateArray();
    for (int w = 0; w < W; w++) {
        int status = 0;
        cr_assert_eq(waitpid(pids[w], &status, 0), pids[w]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "worker %d failed (status %d)", w, status);
        FILE *f = fopen(outs[w], "r");
        cr_assert_not_null(f);
        char buf[8192];
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        buf[len] = '\0';
        fclose(f);
        remove(outs[w]);
        cJSON *o = cJSON_Parse(buf), *it;
        cr_assert_not_null(o, "worker %d wrote %s", w, buf);
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, "trials")) cJSON_AddItemToArray(all, cJSON_Duplicate(it, 1));
        cJSON_Delete(o);
    }
    return all;
}

/* Every handed-out id and configuration is distinct, and the file's pending trials are exactly those handed out,
 * with the same parameters. */
static void check_handed_out(const char *path, const cJSON *handed, int want)
{
    cr_assert_eq(cJSON_GetArraySize(handed), want);
    for (int i = 0; i < want; i++)
        for (int j = i + 1; j < want; j++) {
            const cJSON *a = cJSON_GetArrayItem(handed, i), *b = cJSON_GetArrayItem(handed, j);
            cr_assert_neq(cJSON_GetObjectItem(a, "id")->valuedouble, cJSON_GetObjectItem(b, "id")->valuedouble);
            cr_assert(!cJSON_Compare(cJSON_GetObjectItem(a, "params"), cJSON_GetObjectItem(b, "params"), 1),
                      "two workers were handed the same configuration");
        }
    cf_study *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_open(path, &s, &e), CF_OK, "%s", e.message);
    cJSON *trials = NULL, *t;
    cr_assert_eq(cf_study_trials(s, &trials, &e), CF_OK);
    int pending = 0;
    cJSON_ArrayForEach(t, trials)
    {
        if (strcmp(cJSON_GetObjectItem(t, "state")->valuestring, "pending") != 0) continue;
        pending++;
        const cJSON *h, *match = NULL;
        cJSON_ArrayForEach(h, handed) if (cJSON_GetObjectItem(h, "id")->valuedouble ==
                                          cJSON_GetObjectItem(t, "id")->valuedouble) match = h;
        cr_assert_not_null(match, "pending trial %g was handed to no worker", cJSON_GetObjectItem(t, "id")->valuedouble);
        cr_assert(cJSON_Compare(cJSON_GetObjectItem(match, "params"), cJSON_GetObjectItem(t, "params"), 1));
    }
    cr_assert_eq(pending, want);
    cJSON_Delete(trials);
    cf_study_destroy(s);
}

Test(study_concurrency, workers_never_share_a_configuration, .timeout = 300)
{
    char path[512];
    tmp_path(path, sizeof path, "fork");
    cf_study *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_create(path, SPACE, &s, &e), CF_OK, "%s", e.message);
    cf_study_destroy(s);
    /* The initial design: 8 workers, one trial each, same seed. */
    cJSON *h = fork_workers(path, 8, 1, 7);
    check_handed_out(path, h, 8);
    /* Tell them, then the model phase: 8 workers asking 2 each, same seed. */
    cr_assert_eq(cf_study_open(path, &s, &e), CF_OK, "%s", e.message);
    const cJSON *it;
    cJSON_ArrayForEach(it, h)
    {
        const cJSON *p = cJSON_GetObjectItem(it, "params");
        double x[2] = {cJSON_GetObjectItem(p, "x0")->valuedouble, cJSON_GetObjectItem(p, "x1")->valuedouble}, f[2];
        cr_assert_eq(cf_problem_eval(CF_PROBLEM_BRANINCURRIN, x, 2, 2, f), CF_OK);
        cJSON *v = cJSON_CreateObject();
        cJSON_AddNumberToObject(v, "f1", f[0]);
        cJSON_AddNumberToObject(v, "f2", f[1]);
        cr_assert_eq(cf_study_tell(s, (long)cJSON_GetObjectItem(it, "id")->valuedouble, v, CF_TRIAL_COMPLETE, &e),
                     CF_OK, "%s", e.message);
        cJSON_Delete(v);
    }
    cf_study_destroy(s);
    cJSON_Delete(h);
    h = fork_workers(path, 8, 2, 7);
    check_handed_out(path, h, 16);
    cJSON_Delete(h);
    tmp_path(path, sizeof path, "fork");
}

/* Child of the sweep test: rounds ask/tell rounds on the study, one trial each, told with BraninCurrin; writes the
 * ids it was handed to out (one per line). Exits 0 when every round succeeded. */
static void child_sweep(const char *path, int fd, const char *out, int worker, int rounds)
{
    cf_study *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    if (cf_study_open(path, &s, &e) != CF_OK) _exit(3);
    cf_study_set_effort(s, 32, 1, 20, 1);
    char c;
    if (read(fd, &c, 1) != 1) _exit(4);
    FILE *f = fopen(out, "w");
    if (f == NULL) _exit(6);
    for (int r = 0; r < rounds; r++) {
        cJSON *arr = NULL;
        if (cf_study_ask(s, 1, (unsigned long)(1000 * worker + r + 1), &arr, &e) != CF_OK) _exit(10);
        const cJSON *t = cJSON_GetArrayItem(arr, 0), *p = cJSON_GetObjectItem(t, "params");
        long id = (long)cJSON_GetObjectItem(t, "id")->valuedouble;
        double x[2] = {cJSON_GetObjectItem(p, "x0")->valuedouble, cJSON_GetObjectItem(p, "x1")->valuedouble}, y[2];
        if (cf_problem_eval(CF_PROBLEM_BRANINCURRIN, x, 2, 2, y) != CF_OK) _exit(11);
        cJSON *v = cJSON_CreateObject();
        cJSON_AddNumberToObject(v, "f1", y[0]);
        cJSON_AddNumberToObject(v, "f2", y[1]);
        if (cf_study_tell(s, id, v, CF_TRIAL_COMPLETE, &e) != CF_OK) _exit(12);
        fprintf(f, "%ld\n", id);
        cJSON_Delete(v);
        cJSON_Delete(arr);
    }
    fclose(f);
    cf_study_destroy(s);
    _exit(0);
}

/* Many workers on one study (issue 14): 16 processes x 25 ask/tell rounds. Every one of the 400 trials is handed
 * to exactly one worker, ids are 1..400 without gaps or repeats, every trial ends complete, none is left pending,
 * and no worker saw an error. */
Test(study_concurrency, sixteen_workers_25_rounds_account_for_every_trial, .timeout = 900)
{
    enum { W = 16, ROUNDS = 25 };
    char path[512];
    tmp_path(path, sizeof path, "sweep");
    cf_study *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_create(path, SPACE, &s, &e), CF_OK, "%s", e.message);
    cf_study_destroy(s);
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pids[W];
    char outs[W][600];
    for (int w = 0; w < W; w++) {
        snprintf(outs[w], sizeof outs[w], "%s/test_study_sweep_%ld.w%d.txt", CF_BINARY_DIR, (long)getpid(), w);
        pids[w] = fork();
        cr_assert(pids[w] >= 0);
        if (pids[w] == 0) {
            close(fds[1]);
            child_sweep(path, fds[0], outs[w], w, ROUNDS);
        }
    }
    close(fds[0]);
    char go[W] = {0};
    cr_assert_eq(write(fds[1], go, W), W);
    close(fds[1]);
    static int owner[W * ROUNDS + 1];
    memset(owner, 0, sizeof owner);
    for (int w = 0; w < W; w++) {
        int status = 0;
        cr_assert_eq(waitpid(pids[w], &status, 0), pids[w]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "worker %d failed (status %d)", w, status);
        FILE *f = fopen(outs[w], "r");
        cr_assert_not_null(f);
        long id;
        int n = 0;
        while (fscanf(f, "%ld", &id) == 1) {
            cr_assert(id >= 1 && id <= W * ROUNDS, "worker %d was handed trial %ld", w, id);
            cr_assert_eq(owner[id], 0, "trial %ld was handed to workers %d and %d", id, owner[id] - 1, w);
            owner[id] = w + 1;
            n++;
        }
        fclose(f);
        remove(outs[w]);
        cr_assert_eq(n, ROUNDS, "worker %d did %d rounds", w, n);
    }
    for (int id = 1; id <= W * ROUNDS; id++) cr_assert_neq(owner[id], 0, "trial %d was handed to no worker", id);
    cr_assert_eq(raw_int(path, "SELECT count(*) FROM trials"), W * ROUNDS);
    cr_assert_eq(raw_int(path, "SELECT count(*) FROM trials WHERE state = 'complete'"), W * ROUNDS);
    /* A configuration may come again only at a corner of the space, after the trial there completed (the
     * acquisition's maximum can sit on a bound); never inside it. */
    cr_assert_eq(raw_int(path, "SELECT count(*) FROM (SELECT params FROM trials GROUP BY params HAVING count(*) > 1"
                               " AND params NOT IN ('{\"x0\":0,\"x1\":0}', '{\"x0\":0,\"x1\":1}',"
                               " '{\"x0\":1,\"x1\":0}', '{\"x0\":1,\"x1\":1}')) d"),
                 0, "two trials share a configuration inside the space");
    tmp_path(path, sizeof path, "sweep");
}

/* A worker killed while it holds the study's write lock mid-ask (its trial inserted, not committed): its
 * transaction is rolled back (by the server on PostgreSQL, by SQLite's journal on the next open), the lock is
 * released, and the next ask succeeds and is handed the next id; no trial of the dead worker remains. */
Test(study_concurrency, a_worker_killed_mid_ask_leaves_the_study_usable, .timeout = 120)
{
    char path[512];
    tmp_path(path, sizeof path, "kill");
    cf_study *s = NULL;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_eq(cf_study_create(path, SPACE, &s, &e), CF_OK, "%s", e.message);
    cJSON *arr = NULL;
    cr_assert_eq(cf_study_ask(s, 2, 1, &arr, &e), CF_OK, "%s", e.message); /* trials 1 and 2, pending */
    cJSON_Delete(arr);
    cf_study_destroy(s);
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        cf_study_store *st = NULL;
        char *space = NULL;
        if (cf_study_store_open(path, &st, &space, &e) != CF_OK) _exit(3);
        if (cf_study_store_begin(st, &e) != CF_OK) _exit(4);
        cf_trial_state pend = CF_TRIAL_PENDING;
        const char *params = "{\"x0\": 0.5, \"x1\": 0.5}";
        long id = 0;
        if (cf_study_store_insert(st, 1, &pend, &params, NULL, &id, &e) != CF_OK) _exit(5);
        char c = 'x';
        if (write(fds[1], &c, 1) != 1) _exit(6);
        for (;;) pause(); /* killed here, lock held, nothing committed */
    }
    close(fds[1]);
    char c;
    cr_assert_eq(read(fds[0], &c, 1), 1, "the worker did not reach the middle of its ask");
    close(fds[0]);
    cr_assert_eq(kill(pid, SIGKILL), 0);
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status));
    cr_assert_eq(cf_study_open(path, &s, &e), CF_OK, "%s", e.message);
    cr_assert_eq(cf_study_ask(s, 1, 2, &arr, &e), CF_OK, "%s", e.message);
    cr_assert_eq((long)cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "id")->valuedouble, 3);
    cJSON_Delete(arr);
    cf_study_destroy(s);
    cr_assert_eq(raw_int(path, "SELECT count(*) FROM trials"), 3, "the dead worker's trial was rolled back");
    cr_assert_eq(raw_int(path, "SELECT count(*) FROM trials WHERE state = 'pending'"), 3);
    tmp_path(path, sizeof path, "kill");
}
