/* Tests of publishing a report directory (reports/report_dir.c, the lock and stale staging directories of
 * reports/atomic.c, cf_report_publish in reports/report_html.c), issue 10: a report is recognised by its marker file
 * ".costfront-report", not by index.html's generator; files a user added to an earlier report are named and kept;
 * a report from before the marker is recognised by its generator and the exact set of files its page links to;
 * concurrent publishers take turns on "DIR.lock"; staging directories left by a killed run are removed by the next
 * one, and only those.
 *
 * The reports here have no chart (one section and one attached file), so gnuplot is not needed and each publish is
 * quick; the charts' part of publishing is tested in test_report.c and tests/cli/publish.sh.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "costfront/output.h"
#include "costfront/report.h"

#define WORK CF_BINARY_DIR "/test_publish_work"

/* Makes WORK empty. */
static void work_setup(void)
{
    cf_remove_tree(WORK, NULL);
    cr_assert_eq(mkdir(WORK, 0755), 0);
}

TestSuite(publish, .init = work_setup);

/* Writes text to path (plain stdio: the test fabricates files a user or an older costfront made). */
static void put(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp, "cannot create %s", path);
    fputs(text, fp);
    fclose(fp);
}

/* The whole content of path (malloc'd), or NULL when it cannot be read. */
static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) return NULL;
    char *s = malloc(1 << 16);
    size_t n = fread(s, 1, (1 << 16) - 1, fp);
    fclose(fp);
    s[n] = '\0';
    return s;
}

/* 1 when path exists (without following a link). */
static int exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

/* Number of entries of dir whose name starts with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (d == NULL) return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) n++;
    closedir(d);
    return n;
}

/* A report without charts: one section titled title and the file data.txt holding title. */
static cf_report *small_report(const char *title)
{
    cf_report *r = cf_report_create(title);
    cr_assert_not_null(r);
    cr_assert_eq(cf_report_add_section(r, "s", title), CF_OK);
    cr_assert_eq(cf_report_add_file(r, "data.txt", title, strlen(title)), CF_OK);
    return r;
}

/* Publishes small_report(title) to dir. */
static cf_status publish(const char *dir, const char *title, cf_error *err)
{
    cf_report *r = small_report(title);
    cf_status st = cf_report_publish(r, dir, err);
    cf_report_destroy(r);
    return st;
}

Test(publish, report_writes_its_marker_listing_its_files)
{
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(publish(WORK "/rep", "first", &err), CF_OK, "%s", err.message);
    char *m = slurp(WORK "/rep/.costfront-report");
    cr_assert_not_null(m, "the marker is written");
    cr_assert_eq(strncmp(m, "costfront-report 1\n", 19), 0, "the first line names the format: %s", m);
    cr_assert_not_null(strstr(m, "\nindex.html\n"), "%s", m);
    cr_assert_not_null(strstr(m, "\ndata.txt\n"), "%s", m);
    free(m);
    /* Nothing is left beside the directory: no lock file, no staging directory. */
    cr_assert_eq(count_prefixed(WORK, "rep"), 1);
    /* A marked report is replaced by the next one. */
    cr_assert_eq(publish(WORK "/rep", "second", &err), CF_OK, "%s", err.message);
    char *d = slurp(WORK "/rep/data.txt");
    cr_assert_str_eq(d, "second");
    free(d);
    cr_assert_eq(count_prefixed(WORK, "rep"), 1);
}

Test(publish, files_a_user_added_are_named_and_kept)
{
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(publish(WORK "/rep", "first", &err), CF_OK, "%s", err.message);
    put(WORK "/rep/my notes.txt", "precious");
    cr_assert_eq(mkdir(WORK "/rep/drafts", 0755), 0);
    cr_assert_eq(publish(WORK "/rep", "second", &err), CF_ERR_IO);
    cr_assert_not_null(strstr(err.message, "2 entries that the report did not write (drafts/, my notes.txt)"), "%s",
                       err.message);
    cr_assert_not_null(strstr(err.message, "refusing to replace it"), "%s", err.message);
    cr_assert_not_null(strstr(err.message, "move them out of"), "%s", err.message);
    char *notes = slurp(WORK "/rep/my notes.txt");
    cr_assert_str_eq(notes, "precious", "the user's file is kept");
    free(notes);
    char *d = slurp(WORK "/rep/data.txt");
    cr_assert_str_eq(d, "first", "the earlier report is kept as it was");
    free(d);
    cr_assert_eq(count_prefixed(WORK, "rep"), 1, "no staging directory or lock left");
    /* A listed file replaced by a directory of the user's is not the report's either. */
    cf_remove_tree(WORK "/rep/drafts", NULL);
    unlink(WORK "/rep/my notes.txt");
    unlink(WORK "/rep/data.txt");
    cr_assert_eq(mkdir(WORK "/rep/data.txt", 0755), 0);
    cr_assert_eq(publish(WORK "/rep", "third", &err), CF_ERR_IO);
    cr_assert_not_null(strstr(err.message, "1 entry that the report did not write (data.txt/)"), "%s", err.message);
    cr_assert(exists(WORK "/rep/data.txt"));
}

Test(publish, generator_meta_alone_is_not_a_report)
{
    cf_error err;
    cf_error_clear(&err);
    /* The "costfront-ish homepage" of issue 10, and a page that names costfront exactly but has no marker and a
     * file its page does not link to. */
    cr_assert_eq(mkdir(WORK "/home", 0755), 0);
    put(WORK "/home/index.html",
        "<!DOCTYPE html><html><head><meta name=\"generator\" content=\"costfront-ish homepage\"></head>"
        "<body><a href=\"style.css\">style</a></body></html>");
    put(WORK "/home/style.css", "body{}");
    cr_assert_eq(publish(WORK "/home", "r", &err), CF_ERR_IO);
    cr_assert_not_null(strstr(err.message, "does not hold a costfront report (no .costfront-report marker file"), "%s",
                       err.message);
    cr_assert(exists(WORK "/home/style.css"));
    cr_assert(!exists(WORK "/home/.costfront-report"));
    cr_assert_eq(count_prefixed(WORK, "home"), 1);
}

Test(publish, report_from_before_the_marker_is_recognised_by_its_files)
{
    cf_error err;
    cf_error_clear(&err);
    static const char page[] =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"generator\" "
        "content=\"costfront 0.1.0\"><title>t</title></head><body><nav><ul><li><a href=\"#summary\">Summary</a></li>"
        "</ul></nav><main><figure><img src=\"accuracy_vs_cost.svg\" alt=\"a\"></figure></main><footer><p>Generated "
        "by costfront 0.1.0. Files: <a href=\"report.json\">report.json</a></p></footer></body></html>\n";
    cr_assert_eq(mkdir(WORK "/old", 0755), 0);
    put(WORK "/old/index.html", page);
    put(WORK "/old/accuracy_vs_cost.svg", "<svg/>");
    put(WORK "/old/report.json", "{}");
    /* With a file the page does not link to, it is refused and the file named. */
    put(WORK "/old/extra.csv", "a,b");
    cr_assert_eq(publish(WORK "/old", "new", &err), CF_ERR_IO);
    cr_assert_not_null(strstr(err.message, "holds a costfront report (from before the .costfront-report marker) and "
                                           "1 entry that the report did not write (extra.csv)"),
                       "%s", err.message);
    cr_assert(exists(WORK "/old/extra.csv"));
    /* Exactly the files the page links to (some may be missing): replaced, and marked from now on. */
    unlink(WORK "/old/extra.csv");
    unlink(WORK "/old/report.json");
    cr_assert_eq(publish(WORK "/old", "new", &err), CF_OK, "%s", err.message);
    cr_assert(exists(WORK "/old/.costfront-report"));
    cr_assert(!exists(WORK "/old/accuracy_vs_cost.svg"), "the old report's files went with it");
    /* An older costfront's page with another version string is a report too; a generator such as "costfront" with
     * no version is not. */
    cf_remove_tree(WORK "/old", NULL);
    cr_assert_eq(mkdir(WORK "/old", 0755), 0);
    put(WORK "/old/index.html", "<html><head><meta name=\"generator\" content=\"costfront\"></head></html>");
    cr_assert_eq(publish(WORK "/old", "new", &err), CF_ERR_IO);
    put(WORK "/old/index.html", "<html><head><meta name=\"generator\" content=\"costfront 0.0.9\"></head></html>");
    cr_assert_eq(publish(WORK "/old", "new", &err), CF_OK, "%s", err.message);
}

Test(publish, marker_not_ours_or_newer_is_refused)
{
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(mkdir(WORK "/m", 0755), 0);
    put(WORK "/m/.costfront-report", "my own marker\n");
    cr_assert_eq(publish(WORK "/m", "r", &err), CF_ERR_IO);
    cr_assert_not_null(strstr(err.message, "holds a .costfront-report file that costfront did not write"), "%s",
                       err.message);
    put(WORK "/m/.costfront-report", "costfront-report 2\nindex.html\n");
    cr_assert_eq(publish(WORK "/m", "r", &err), CF_ERR_IO);
    cr_assert_not_null(strstr(err.message, "in a format this costfront does not know ('costfront-report 2'"), "%s",
                       err.message);
    char *m = slurp(WORK "/m/.costfront-report");
    cr_assert_str_eq(m, "costfront-report 2\nindex.html\n", "the newer report is untouched");
    free(m);
}

Test(publish, links_files_and_unnamed_directories_are_refused)
{
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(publish(WORK "/real", "r", &err), CF_OK, "%s", err.message);
    cr_assert_eq(symlink("real", WORK "/link"), 0);
    cr_assert_eq(publish(WORK "/link", "r", &err), CF_ERR_IO);
    cr_assert_not_null(strstr(err.message, "is a symbolic link; a report replaces a directory, never a link"), "%s",
                       err.message);
    cr_assert_eq(publish(WORK "/link/", "r", &err), CF_ERR_IO, "a trailing slash does not make the link a directory");
    cr_assert_not_null(strstr(err.message, "link is a symbolic link"), "%s", err.message);
    put(WORK "/file", "x");
    cr_assert_eq(publish(WORK "/file", "r", &err), CF_ERR_IO);
    cr_assert_not_null(strstr(err.message, "exists and is not a directory"), "%s", err.message);
    cr_assert_eq(publish(WORK "/real/.", "r", &err), CF_ERR_ARG);
    cr_assert_not_null(strstr(err.message, "does not name a directory of its own"), "%s", err.message);
    cr_assert_eq(publish(WORK "/real/..", "r", &err), CF_ERR_ARG);
    cr_assert_eq(count_prefixed(WORK, "real."), 0);
    cr_assert_eq(count_prefixed(WORK, "link."), 0);
    cr_assert_eq(count_prefixed(WORK, "file."), 0);
}

/* Seconds on the monotonic clock. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Forks a child that takes dir's publish lock, tells the parent, holds it for hold_ms and exits (releasing it).
 * Returns the child's pid once it holds the lock. */
static pid_t hold_lock_in_child(const char *dir, long hold_ms)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        close(fds[0]);
        cf_publish_lock *l = NULL;
        if (cf_publish_lock_acquire(dir, 5, &l, NULL) != CF_OK) _exit(1);
        if (write(fds[1], "x", 1) != 1) _exit(1);
        struct timespec ts = {hold_ms / 1000, (hold_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        cf_publish_lock_release(l);
        _exit(0);
    }
    close(fds[1]);
    char c;
    cr_assert_eq(read(fds[0], &c, 1), 1, "the child took the lock");
    close(fds[0]);
    return pid;
}

Test(publish, second_publisher_waits_or_fails_clearly)
{
    cf_error err;
    cf_error_clear(&err);
    /* While another process holds the lock, a publisher that may not wait fails at once, saying why, and the
     * directory stays as it was (here: missing). */
    pid_t pid = hold_lock_in_child(WORK "/rep", 400);
    cf_report *r = small_report("waited");
    cr_assert_eq(cf_report_publish_wait(r, WORK "/rep", 0.1, &err), CF_ERR_IO);
    cr_assert_not_null(strstr(err.message, "another costfront is publishing into " WORK "/rep (it holds the lock " WORK
                                           "/rep.lock); gave up after waiting 0.1 s"),
                       "%s", err.message);
    cr_assert(!exists(WORK "/rep"));
    /* One that may wait publishes once the holder is done. */
    double t0 = now_s();
    cr_assert_eq(cf_report_publish_wait(r, WORK "/rep", 10, &err), CF_OK, "%s", err.message);
    cr_assert_geq(now_s() - t0, 0.2, "it waited for the holder");
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    cr_assert(exists(WORK "/rep/.costfront-report"));
    cr_assert(!exists(WORK "/rep.lock"), "the lock file costfront created is removed");
    cf_report_destroy(r);
}

Test(publish, lock_file_not_ours_is_kept_or_refused)
{
    cf_error err;
    cf_error_clear(&err);
    /* A DIR.lock that was there before is used as the lock and left as it was. */
    put(WORK "/rep.lock", "the user's");
    cr_assert_eq(publish(WORK "/rep", "r", &err), CF_OK, "%s", err.message);
    char *s = slurp(WORK "/rep.lock");
    cr_assert_str_eq(s, "the user's");
    free(s);
    unlink(WORK "/rep.lock");
    /* A symbolic link is not followed: its target is not created or changed, and the publish is refused. */
    put(WORK "/target", "untouched");
    cr_assert_eq(symlink(WORK "/target", WORK "/rep.lock"), 0);
    cr_assert_eq(publish(WORK "/rep", "r2", &err), CF_ERR_IO);
    cr_assert_not_null(strstr(err.message, "rep.lock is a symbolic link; costfront will not follow it"), "%s",
                       err.message);
    s = slurp(WORK "/target");
    cr_assert_str_eq(s, "untouched");
    free(s);
    unlink(WORK "/rep.lock");
    cr_assert_eq(mkdir(WORK "/rep.lock", 0755), 0);
    cr_assert_eq(publish(WORK "/rep", "r2", &err), CF_ERR_IO);
    cr_assert_not_null(strstr(err.message, "rep.lock is a directory"), "%s", err.message);
    char *d = slurp(WORK "/rep/data.txt");
    cr_assert_str_eq(d, "r", "the report stays as it was");
    free(d);
}

/* The first line of a lock file costfront created (reports/atomic.c); the journal of staging directories follows. */
#define LOCK_SIGNATURE "costfront publish lock: remove it only when no costfront runs\n"

Test(publish, stale_staging_directories_are_removed_only_when_ours)
{
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(publish(WORK "/rep", "before", &err), CF_OK, "%s", err.message);
    /* A killed run's staging directory: the marker, one file, a temporary of an atomic write. */
    cr_assert_eq(mkdir(WORK "/rep.tmp.Ab12Cd", 0755), 0);
    put(WORK "/rep.tmp.Ab12Cd/.costfront-report", "costfront-report 1\nindex.html\nreport.json\n");
    put(WORK "/rep.tmp.Ab12Cd/report.json", "{}");
    put(WORK "/rep.tmp.Ab12Cd/index.html.tmp.x9Y8z7", "<html");
    /* The old tree of a killed swap, from before the marker. */
    cr_assert_eq(mkdir(WORK "/rep.old.Qw3Er4", 0755), 0);
    put(WORK "/rep.old.Qw3Er4/index.html", "<html><head><meta name=\"generator\" content=\"costfront 0.1.0\">"
                                           "</head><body><img src=\"a.svg\"></body></html>");
    put(WORK "/rep.old.Qw3Er4/a.svg", "<svg/>");
    /* An empty one (killed between mkdtemp and the marker). */
    cr_assert_eq(mkdir(WORK "/rep.tmp.Zx5Cv6", 0755), 0);
    /* Recorded but not removable: holding a user's file, a file, a link. */
    cr_assert_eq(mkdir(WORK "/rep.tmp.Mine01", 0755), 0);
    put(WORK "/rep.tmp.Mine01/.costfront-report", "costfront-report 1\nindex.html\n");
    put(WORK "/rep.tmp.Mine01/thesis.tex", "precious");
    put(WORK "/rep.old.File01", "a file");
    cr_assert_eq(symlink("rep", WORK "/rep.old.Link01"), 0);
    /* Not recorded: a complete report the user kept by hand under a staging-like name, another name, another
     * directory's staging directory (recorded lines naming them, or leaving the parent, are ignored). */
    cr_assert_eq(rename(WORK "/rep", WORK "/rep.old.backup"), 0);
    cr_assert_eq(publish(WORK "/rep", "before", &err), CF_OK, "%s", err.message);
    cr_assert_eq(mkdir(WORK "/rep.tmp.notours", 0755), 0);
    cr_assert_eq(mkdir(WORK "/rep2.tmp.Ab12Cd", 0755), 0);
    cr_assert_eq(mkdir(WORK "/other.tmp.Ab12Cd", 0755), 0);
    /* The journal the killed run left in the lock file. */
    put(WORK "/rep.lock", LOCK_SIGNATURE "rep.tmp.Ab12Cd\nrep.old.Qw3Er4\nrep.tmp.Zx5Cv6\nrep.tmp.Mine01\n"
                                         "rep.old.File01\nrep.old.Link01\nrep2.tmp.Ab12Cd\n../other.tmp.Ab12Cd\n"
                                         "rep.tmp.notours\nrep.tmp.Ab12C\n");
    cr_assert_eq(publish(WORK "/rep", "after", &err), CF_OK, "%s", err.message);
    cr_assert(!exists(WORK "/rep.tmp.Ab12Cd"), "a killed run's staging directory is removed");
    cr_assert(!exists(WORK "/rep.old.Qw3Er4"), "a killed swap's old tree is removed");
    cr_assert(!exists(WORK "/rep.tmp.Zx5Cv6"), "an empty staging directory is removed");
    char *s = slurp(WORK "/rep.tmp.Mine01/thesis.tex");
    cr_assert_str_eq(s, "precious");
    free(s);
    cr_assert(exists(WORK "/rep.old.File01"));
    cr_assert(exists(WORK "/rep.old.Link01"));
    cr_assert(exists(WORK "/rep.old.backup/.costfront-report"), "a report kept by hand is not a staging directory");
    cr_assert(exists(WORK "/rep.tmp.notours"));
    cr_assert(exists(WORK "/rep2.tmp.Ab12Cd"), "another directory's staging is not this publish's business");
    cr_assert(exists(WORK "/other.tmp.Ab12Cd"));
    cr_assert(!exists(WORK "/rep.lock"), "the lock file, journal and all, is removed by the holder");
    char *d = slurp(WORK "/rep/data.txt");
    cr_assert_str_eq(d, "after");
    free(d);
    /* Without a journal (a lock file the user made), nothing is removed. */
    cr_assert_eq(mkdir(WORK "/rep.tmp.Ab12Cd", 0755), 0);
    put(WORK "/rep.lock", "the user's\nrep.tmp.Ab12Cd\n");
    cr_assert_eq(publish(WORK "/rep", "again", &err), CF_OK, "%s", err.message);
    cr_assert(exists(WORK "/rep.tmp.Ab12Cd"));
}

Test(publish, journal_records_what_a_dead_holder_left)
{
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(publish(WORK "/r", "first", &err), CF_OK, "%s", err.message);
    /* A child takes the lock, makes a staging directory and dies without cleaning up (as kill -9 would). */
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        cf_publish_lock *l = NULL;
        cf_staged_dir *sd = NULL;
        if (cf_publish_lock_acquire(WORK "/r", 5, &l, NULL) != CF_OK) _exit(1);
        if (cf_staged_dir_begin_locked(WORK "/r", l, &sd, NULL) != CF_OK) _exit(2);
        FILE *fp = fopen(WORK "/stage-name", "w");
        if (fp == NULL) _exit(3);
        fputs(cf_staged_dir_path(sd), fp);
        fclose(fp);
        _exit(0);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
    char *stage = slurp(WORK "/stage-name");
    cr_assert(exists(stage), "the dead child's staging directory is left");
    /* The next holder gets the lock at once (the kernel dropped the dead one's) and finds exactly that one. */
    cf_publish_lock *l = NULL;
    cr_assert_eq(cf_publish_lock_acquire(WORK "/r/", 0, &l, &err), CF_OK, "%s", err.message);
    char **list = NULL;
    cr_assert_eq(cf_publish_lock_stale(l, &list, &err), CF_OK);
    cr_assert_not_null(list);
    cr_assert_str_eq(list[0], stage);
    cr_assert_null(list[1]);
    cf_strlist_free(list);
    /* Once forgotten, the journal lists nothing; a staging directory of this holder is recorded anew. */
    cf_publish_lock_forget_stale(l);
    cr_assert_eq(cf_publish_lock_stale(l, &list, &err), CF_OK);
    cr_assert_null(list);
    cf_staged_dir *sd = NULL;
    cr_assert_eq(cf_staged_dir_begin_locked(WORK "/r", l, &sd, &err), CF_OK, "%s", err.message);
    cr_assert_eq(cf_publish_lock_stale(l, &list, &err), CF_OK);
    cr_assert_not_null(list);
    cr_assert_str_eq(list[0], cf_staged_dir_path(sd));
    cf_strlist_free(list);
    cf_staged_dir_abort(sd);
    cf_publish_lock_release(l);
    cr_assert(!exists(WORK "/r.lock"));
    cf_remove_tree(stage, NULL);
    free(stage);
}
