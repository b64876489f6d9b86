/* costfront: the atomic writer (see include/costfront/output.h).
 *
 * The pattern is the classic write-temporary-then-rename: rename(2) within one file system replaces the target in
 * one step, so readers see the old content or the new, never a mixture. Temporaries live beside the target (same
 * directory) so the rename never crosses a file system. Data is fsync'ed before the rename, and the directory after
 * it, so that a crash does not leave a renamed but empty file.
 *
 * Publishers of one directory are serialised by flock(2) on "DIR.lock": the kernel drops the lock when its holder
 * dies, so a killed run never leaves a lock that blocks the next one. The lock file doubles as a journal: the holder
 * appends the name of every staging directory it makes before using it, so the next holder of a lock file that is
 * still there (a finished run removes it) knows exactly which directories a dead process left, and never mistakes a
 * user's "DIR.old.backup" for one. The lock file is removed by its holder before it unlocks;
 * a waiter that then gets the lock on the removed file sees that the path no longer names the file it locked and
 * starts again on the new one (the usual lock-file-with-unlink protocol), so two processes never both hold it.
 */
#include "costfront/output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#define CF_RENAME_EXCHANGE (1 << 1) /* RENAME_EXCHANGE of <linux/fs.h> */
#endif

struct cf_atomic_file {
    FILE *fp;   /* stream on the temporary file */
    char *path; /* final path */
    char *tmp;  /* temporary path "path.tmp.XXXXXX" */
};

struct cf_publish_lock {
    int fd;       /* open on the lock file; flock'ed */
    char *path;   /* "DIR.lock" */
    char *parent; /* DIR's parent directory ("." when DIR has none) */
    char *name;   /* DIR's last component */
    int ours;     /* 1 when the file carries LOCK_SIGNATURE: the holder keeps its journal and removes it on release */
    int writable; /* 1 when fd is open for writing (a read-only lock file of a user's keeps no journal) */
};

struct cf_staged_dir {
    char *dir;             /* final directory path, without a trailing '/' */
    char *stage;           /* staging directory "dir.tmp.XXXXXX" */
    char *marker;          /* cf_staged_dir_set_marker: the name of the file removed last from a tree, or NULL */
    cf_publish_lock *lock; /* cf_staged_dir_begin_locked: the lock whose journal records our directories */
};

static void lock_note(cf_publish_lock *l, const char *path);

/* Returns a malloc'd copy of a followed by b, or NULL when out of memory. */
static char *concat(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 1);
    if (s == NULL) return NULL;
    memcpy(s, a, na);
    memcpy(s + na, b, nb + 1);
    return s;
}

/* Returns a malloc'd copy of path without trailing slashes (but "/" stays "/"). */
static char *strip_slashes(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--;
    char *s = malloc(n + 1);
    if (s == NULL) return NULL;
    memcpy(s, path, n);
    s[n] = '\0';
    return s;
}

/* Fsyncs the directory that contains path, so a rename into it is durable. Failures are ignored: some file
 * systems do not support fsync on directories and the rename itself already happened. */
static void sync_parent(const char *path)
{
    char *copy = strip_slashes(path);
    if (copy == NULL) return;
    char *slash = strrchr(copy, '/');
    const char *dir = ".";
    if (slash == copy)
        dir = "/";
    else if (slash != NULL) {
        *slash = '\0';
        dir = copy;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(copy);
}

cf_status cf_atomic_open(const char *path, cf_atomic_file **out, cf_error *err)
{
    if (out != NULL) *out = NULL;
    if (path == NULL || path[0] == '\0' || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_atomic_open needs a path and an output handle");
    cf_atomic_file *f = calloc(1, sizeof *f);
    if (f == NULL) goto oom;
    f->path = strip_slashes(path);
    f->tmp = concat(path, ".tmp.XXXXXX");
    if (f->path == NULL || f->tmp == NULL) goto oom;
    int fd = mkstemp(f->tmp);
    if (fd < 0) {
        int e = errno;
        cf_status st = cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot create a temporary file beside %s: %s",
                                    path, strerror(e));
        free(f->path);
        free(f->tmp);
        free(f);
        return st;
    }
    (void)fchmod(fd, 0644);
    f->fp = fdopen(fd, "wb");
    if (f->fp == NULL) {
        close(fd);
        unlink(f->tmp);
        goto oom;
    }
    *out = f;
    return CF_OK;
oom:
    if (f != NULL) {
        free(f->path);
        free(f->tmp);
        free(f);
    }
    return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "out of memory opening %s for writing", path);
}

FILE *cf_atomic_stream(cf_atomic_file *f) { return f != NULL ? f->fp : NULL; }

/* Frees the handle's memory (not the file). */
static void atomic_free(cf_atomic_file *f)
{
    free(f->path);
    free(f->tmp);
    free(f);
}

cf_status cf_atomic_commit(cf_atomic_file *f, cf_error *err)
{
    if (f == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_atomic_commit needs a handle");
    cf_status st = CF_OK;
    int failed = ferror(f->fp);
    int e = failed ? EIO : 0;
    if (!failed && fflush(f->fp) != 0) {
        failed = 1;
        e = errno;
    }
    if (!failed && fsync(fileno(f->fp)) != 0 && errno != EINVAL && errno != EROFS) {
        failed = 1;
        e = errno;
    }
    if (fclose(f->fp) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    f->fp = NULL;
    if (failed) {
        st = cf_error_set(err, CF_ERR_IO, f->path, 0, 0, NULL, "cannot write %s: %s", f->path, strerror(e));
        unlink(f->tmp);
    } else if (rename(f->tmp, f->path) != 0) {
        e = errno;
        st = cf_error_set(err, CF_ERR_IO, f->path, 0, 0, NULL, "cannot rename %s to %s: %s", f->tmp, f->path,
                          strerror(e));
        unlink(f->tmp);
    } else {
        sync_parent(f->path);
    }
    atomic_free(f);
    return st;
}

void cf_atomic_abort(cf_atomic_file *f)
{
    if (f == NULL) return;
    if (f->fp != NULL) fclose(f->fp);
    unlink(f->tmp);
    atomic_free(f);
}

cf_status cf_write_file_atomic(const char *path, const void *data, size_t n, cf_error *err)
{
    if (data == NULL && n > 0)
        return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "cf_write_file_atomic got NULL data");
    cf_atomic_file *f = NULL;
    cf_status st = cf_atomic_open(path, &f, err);
    if (st != CF_OK) return st;
    if (n > 0 && fwrite(data, 1, n, f->fp) != n) {
        int e = errno;
        cf_atomic_abort(f);
        return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot write %s: %s", path, strerror(e));
    }
    return cf_atomic_commit(f, err);
}

cf_status cf_write_string_atomic(const char *path, const char *s, cf_error *err)
{
    if (s == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "cf_write_string_atomic got NULL text");
    return cf_write_file_atomic(path, s, strlen(s), err);
}

cf_status cf_symlink_atomic(const char *target, const char *linkpath, cf_error *err)
{
    if (target == NULL || linkpath == NULL || target[0] == '\0' || linkpath[0] == '\0')
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_symlink_atomic needs a target and a link path");
    char *link = strip_slashes(linkpath);
    char *tmp = link != NULL ? concat(link, ".tmp.XXXXXX") : NULL;
    if (tmp == NULL) {
        free(link);
        return cf_error_set(err, CF_ERR_NOMEM, linkpath, 0, 0, NULL, "out of memory");
    }
    struct stat sb;
    if (lstat(link, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        cf_status st = cf_error_set(err, CF_ERR_IO, link, 0, 0, NULL,
                                    "%s is a directory, not a symbolic link; it will not be replaced", link);
        free(link);
        free(tmp);
        return st;
    }
    /* mkstemp reserves a unique name; the file is then replaced by the link under the same name. Another process
     * could take the name between unlink and symlink, in which case symlink fails with EEXIST and we retry. */
    cf_status st = CF_OK;
    int done = 0;
    for (int attempt = 0; attempt < 16 && !done; attempt++) {
        memcpy(tmp + strlen(link), ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
        int fd = mkstemp(tmp);
        if (fd < 0) {
            int e = errno;
            st = cf_error_set(err, CF_ERR_IO, link, 0, 0, NULL, "cannot create a temporary name beside %s: %s", link,
                              strerror(e));
            break;
        }
        close(fd);
        unlink(tmp);
        if (symlink(target, tmp) == 0)
            done = 1;
        else if (errno != EEXIST) {
            int e = errno;
            st = cf_error_set(err, CF_ERR_IO, link, 0, 0, NULL, "cannot create symbolic link %s: %s", tmp, strerror(e));
            break;
        }
    }
    if (done) {
        if (rename(tmp, link) != 0) {
            int e = errno;
            unlink(tmp);
            st = cf_error_set(err, CF_ERR_IO, link, 0, 0, NULL, "cannot rename %s to %s: %s", tmp, link, strerror(e));
        } else {
            sync_parent(link);
        }
    } else if (st == CF_OK) {
        st = cf_error_set(err, CF_ERR_IO, link, 0, 0, NULL, "cannot find a free temporary name beside %s", link);
    }
    free(link);
    free(tmp);
    return st;
}

/* Removes the tree at path without following symlinks. Returns 0 or an errno value (the first failure; removal
 * continues past it so as much as possible goes). When last is not NULL, the top-level entry of that name is
 * removed after every other one, so that a removal cut short (a kill) leaves the tree still recognisable by it. */
static int remove_tree_last(const char *path, const char *last)
{
    struct stat sb;
    if (lstat(path, &sb) != 0) return errno == ENOENT ? 0 : errno;
    if (!S_ISDIR(sb.st_mode)) return unlink(path) == 0 || errno == ENOENT ? 0 : errno;
    int first = 0;
    DIR *d = opendir(path);
    if (d == NULL) return errno;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        if (last != NULL && strcmp(de->d_name, last) == 0) continue;
        size_t n = strlen(path) + strlen(de->d_name) + 2;
        char *child = malloc(n);
        if (child == NULL) {
            if (first == 0) first = ENOMEM;
            continue;
        }
        snprintf(child, n, "%s/%s", path, de->d_name);
        int e = remove_tree_last(child, NULL);
        if (e != 0 && first == 0) first = e;
        free(child);
    }
    closedir(d);
    if (last != NULL) {
        size_t n = strlen(path) + strlen(last) + 2;
        char *child = malloc(n);
        if (child != NULL) {
            snprintf(child, n, "%s/%s", path, last);
            int e = remove_tree_last(child, NULL);
            if (e != 0 && first == 0) first = e;
            free(child);
        } else if (first == 0)
            first = ENOMEM;
    }
    if (rmdir(path) != 0 && first == 0) first = errno;
    return first;
}

/* Removes the tree at path without following symlinks (see remove_tree_last). */
static int remove_tree(const char *path) { return remove_tree_last(path, NULL); }

cf_status cf_remove_tree_marked(const char *path, const char *marker, cf_error *err)
{
    if (path == NULL || path[0] == '\0')
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_remove_tree_marked needs a path");
    int e = remove_tree_last(path, marker);
    if (e != 0) return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot remove %s: %s", path, strerror(e));
    return CF_OK;
}

cf_status cf_remove_tree(const char *path, cf_error *err)
{
    if (path == NULL || path[0] == '\0')
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_remove_tree needs a path");
    int e = remove_tree(path);
    if (e != 0) return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot remove %s: %s", path, strerror(e));
    return CF_OK;
}

cf_status cf_staged_dir_begin(const char *dir, cf_staged_dir **out, cf_error *err)
{
    return cf_staged_dir_begin_locked(dir, NULL, out, err);
}

cf_status cf_staged_dir_begin_locked(const char *dir, cf_publish_lock *lock, cf_staged_dir **out, cf_error *err)
{
    if (out != NULL) *out = NULL;
    if (dir == NULL || dir[0] == '\0' || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_staged_dir_begin needs a directory and a handle");
    cf_staged_dir *s = calloc(1, sizeof *s);
    if (s == NULL) return cf_error_set(err, CF_ERR_NOMEM, dir, 0, 0, NULL, "out of memory");
    s->dir = strip_slashes(dir);
    s->stage = s->dir != NULL ? concat(s->dir, ".tmp.XXXXXX") : NULL;
    if (s->stage == NULL) {
        free(s->dir);
        free(s);
        return cf_error_set(err, CF_ERR_NOMEM, dir, 0, 0, NULL, "out of memory");
    }
    struct stat sb;
    if (stat(s->dir, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        cf_status st = cf_error_set(err, CF_ERR_IO, s->dir, 0, 0, NULL,
                                    "%s exists and is not a directory; it will not be replaced", s->dir);
        free(s->dir);
        free(s->stage);
        free(s);
        return st;
    }
    if (mkdtemp(s->stage) == NULL) {
        int e = errno;
        cf_status st = cf_error_set(err, CF_ERR_IO, s->dir, 0, 0, NULL,
                                    "cannot create a staging directory beside %s: %s", s->dir, strerror(e));
        free(s->dir);
        free(s->stage);
        free(s);
        return st;
    }
    (void)chmod(s->stage, 0755);
    s->lock = lock;
    lock_note(lock, s->stage);
    *out = s;
    return CF_OK;
}

const char *cf_staged_dir_path(const cf_staged_dir *s) { return s != NULL ? s->stage : NULL; }

cf_status cf_staged_dir_set_marker(cf_staged_dir *s, const char *name, const void *data, size_t n, cf_error *err)
{
    if (s == NULL || name == NULL || name[0] == '\0' || strchr(name, '/') != NULL || (n > 0 && data == NULL))
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL,
                            "cf_staged_dir_set_marker needs a handle and a file name");
    char *copy = concat(name, "");
    size_t np = strlen(s->stage) + strlen(name) + 2;
    char *path = malloc(np);
    if (copy == NULL || path == NULL) {
        free(copy);
        free(path);
        return cf_error_set(err, CF_ERR_NOMEM, s->dir, 0, 0, NULL, "out of memory");
    }
    snprintf(path, np, "%s/%s", s->stage, name);
    cf_status st = cf_write_file_atomic(path, data, n, err);
    free(path);
    if (st != CF_OK) {
        free(copy);
        return st;
    }
    free(s->marker);
    s->marker = copy;
    return CF_OK;
}

/* Frees the handle's memory (not the directories). */
static void staged_free(cf_staged_dir *s)
{
    free(s->marker);
    free(s->dir);
    free(s->stage);
    free(s);
}

cf_status cf_staged_dir_commit(cf_staged_dir *s, cf_error *err)
{
    if (s == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_staged_dir_commit needs a handle");
    cf_status st = CF_OK;
    char *old = NULL;
    struct stat sb;
    if (lstat(s->dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode)) {
            st = cf_error_set(err, CF_ERR_IO, s->dir, 0, 0, NULL,
                              "%s exists and is not a directory; it will not be replaced", s->dir);
            goto fail;
        }
#if defined(__linux__) && defined(SYS_renameat2)
        /* Linux swaps the two trees in one step, so readers never find dir missing. File systems without
         * RENAME_EXCHANGE answer EINVAL (or the kernel ENOSYS): fall back to two renames. */
        if (syscall(SYS_renameat2, AT_FDCWD, s->stage, AT_FDCWD, s->dir, CF_RENAME_EXCHANGE) == 0) {
            sync_parent(s->dir);
            (void)remove_tree_last(s->stage, s->marker); /* now the old tree */
            staged_free(s);
            return CF_OK;
        }
#endif
        /* mkdtemp reserves a unique empty directory; rename(2) may replace an empty directory by another. */
        old = concat(s->dir, ".old.XXXXXX");
        if (old == NULL) {
            st = cf_error_set(err, CF_ERR_NOMEM, s->dir, 0, 0, NULL, "out of memory");
            goto fail;
        }
        if (mkdtemp(old) == NULL) {
            int e = errno;
            st = cf_error_set(err, CF_ERR_IO, s->dir, 0, 0, NULL, "cannot move the old %s aside: %s", s->dir,
                              strerror(e));
            goto fail;
        }
        lock_note(s->lock, old); /* before the rename, so that a kill after it leaves a recorded directory */
        if (rename(s->dir, old) != 0) {
            int e = errno;
            rmdir(old);
            st = cf_error_set(err, CF_ERR_IO, s->dir, 0, 0, NULL, "cannot move the old %s aside: %s", s->dir,
                              strerror(e));
            goto fail;
        }
    }
    if (rename(s->stage, s->dir) != 0) {
        int e = errno;
        if (old != NULL) (void)rename(old, s->dir);
        st = cf_error_set(err, CF_ERR_IO, s->dir, 0, 0, NULL, "cannot rename %s to %s: %s", s->stage, s->dir,
                          strerror(e));
        goto fail;
    }
    sync_parent(s->dir);
    if (old != NULL) (void)remove_tree_last(old, s->marker);
    free(old);
    staged_free(s);
    return CF_OK;
fail:
    free(old);
    (void)remove_tree_last(s->stage, s->marker);
    staged_free(s);
    return st;
}

void cf_staged_dir_abort(cf_staged_dir *s)
{
    if (s == NULL) return;
    (void)remove_tree_last(s->stage, s->marker);
    staged_free(s);
}

/* ------------------------------------------------------------------------------------------------------------
 * The publish lock and stale staging directories.
 * ------------------------------------------------------------------------------------------------------------ */

/* The first line of a lock file that costfront created (and may therefore remove); the journal follows it. */
static const char LOCK_SIGNATURE[] = "costfront publish lock: remove it only when no costfront runs\n";
#define SIG_LEN (sizeof LOCK_SIGNATURE - 1)

/* Splits path (without trailing slashes) into its parent directory (malloc'd, "." when there is none) and the
 * offset of its last component. Returns NULL when out of memory. */
static char *parent_of(const char *path, size_t *base)
{
    const char *slash = strrchr(path, '/');
    *base = slash != NULL ? (size_t)(slash - path) + 1 : 0;
    if (slash == NULL) return concat(".", "");
    if (slash == path) return concat("/", "");
    size_t n = (size_t)(slash - path);
    char *p = malloc(n + 1);
    if (p == NULL) return NULL;
    memcpy(p, path, n);
    p[n] = '\0';
    return p;
}

/* 1 when the last component of path (without trailing slashes) is "." or "..", or path is "/": such a directory
 * cannot be renamed, so nothing can be published there. */
static int unnamed_dir(const char *path)
{
    size_t base = 0;
    const char *slash = strrchr(path, '/');
    if (slash != NULL) base = (size_t)(slash - path) + 1;
    const char *b = path + base;
    return b[0] == '\0' || strcmp(b, ".") == 0 || strcmp(b, "..") == 0;
}

/* Sleeps for about ms milliseconds. */
static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Seconds on the monotonic clock. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Opens the lock file at path, creating it (with the signature) when missing. Returns the descriptor, or -1 with
 * errno set; *writable is 1 when it is open for writing. A symbolic link is refused (ELOOP), as is anything that is
 * not a regular file (EISDIR for a directory, EINVAL otherwise). */
static int open_lock_file(const char *path, int *writable)
{
    *writable = 0;
    for (int attempt = 0; attempt < 100; attempt++) {
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0) {
            *writable = 1;
            if (write(fd, LOCK_SIGNATURE, SIG_LEN) < 0) {
                /* The lock works without the signature; the file is then merely kept on release. */
            }
            return fd;
        }
        if (errno != EEXIST) return -1;
        fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd >= 0)
            *writable = 1;
        else if (errno == EACCES || errno == EROFS || errno == EISDIR)
            fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
            if (errno == ENOENT) continue; /* removed by its holder in between: create it again */
            return -1;
        }
        struct stat sb;
        if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            int e = EINVAL;
            if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) e = EISDIR;
            close(fd);
            errno = e;
            return -1;
        }
        return fd;
    }
    errno = EAGAIN;
    return -1;
}

/* 1 when the file open on fd starts with LOCK_SIGNATURE. */
static int has_signature(int fd)
{
    char buf[sizeof LOCK_SIGNATURE];
    ssize_t n = pread(fd, buf, SIG_LEN, 0);
    return n == (ssize_t)SIG_LEN && memcmp(buf, LOCK_SIGNATURE, SIG_LEN) == 0;
}

/* Frees a lock handle's memory (not the file). */
static void lock_free(cf_publish_lock *l)
{
    free(l->path);
    free(l->parent);
    free(l->name);
    free(l);
}

cf_status cf_publish_lock_acquire(const char *dir, double wait_seconds, cf_publish_lock **out, cf_error *err)
{
    if (out != NULL) *out = NULL;
    if (dir == NULL || dir[0] == '\0' || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL,
                            "cf_publish_lock_acquire needs a directory and a handle");
    char *d = strip_slashes(dir);
    if (d == NULL) return cf_error_set(err, CF_ERR_NOMEM, dir, 0, 0, NULL, "out of memory");
    if (unnamed_dir(d)) {
        cf_status st = cf_error_set(err, CF_ERR_ARG, dir, 0, 0, NULL,
                                    "'%s' does not name a directory of its own; a report is built beside its "
                                    "directory and renamed into place, so name one (e.g. report)",
                                    dir);
        free(d);
        return st;
    }
    cf_publish_lock *l = calloc(1, sizeof *l);
    size_t base = 0;
    if (l != NULL) {
        l->path = concat(d, ".lock");
        l->parent = parent_of(d, &base);
        l->name = concat(d + base, "");
    }
    free(d);
    if (l == NULL || l->path == NULL || l->parent == NULL || l->name == NULL) {
        if (l != NULL) lock_free(l);
        return cf_error_set(err, CF_ERR_NOMEM, dir, 0, 0, NULL, "out of memory");
    }
    const char *path = l->path;
    double deadline = now_s() + wait_seconds;
    cf_status st = CF_OK;
    for (;;) {
        int writable = 0;
        int fd = open_lock_file(path, &writable);
        if (fd < 0) {
            int e = errno;
            st = cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL,
                              e == ELOOP    ? "the lock file %s is a symbolic link; costfront will not follow it: "
                                              "remove it and run again"
                              : e == EISDIR ? "the lock file %s is a directory; costfront will not remove it: "
                                              "remove it and run again"
                              : e == EINVAL ? "the lock file %s is not a regular file; costfront will not use it: "
                                              "remove it and run again"
                                            : "cannot create the lock file %s: %s",
                              path, strerror(e));
            break;
        }
        int locked = 0;
        for (;;) {
            if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
                locked = 1;
                break;
            }
            if (errno == EINTR) continue;
            if (errno != EWOULDBLOCK) {
                int e = errno;
                st = cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot lock %s: %s", path, strerror(e));
                break;
            }
            if (wait_seconds >= 0 && now_s() >= deadline) {
                st = cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL,
                                  "another costfront is publishing into %.*s (it holds the lock %s); gave up after "
                                  "waiting %g s: run again when it has finished",
                                  (int)(strlen(path) - 5), path, path, wait_seconds);
                break;
            }
            sleep_ms(20);
        }
        if (!locked) {
            close(fd);
            break;
        }
        /* The holder before us may have removed the file after we opened it: then we hold a lock nobody else
         * sees, and must start again on whatever the path names now. */
        struct stat a, b;
        if (fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
            l->fd = fd;
            l->ours = has_signature(fd);
            l->writable = writable;
            *out = l;
            return CF_OK;
        }
        close(fd);
    }
    lock_free(l);
    return st;
}

void cf_publish_lock_release(cf_publish_lock *l)
{
    if (l == NULL) return;
    if (l->ours) (void)unlink(l->path); /* before unlocking: see the protocol at the top of this file */
    close(l->fd);
    lock_free(l);
}

/* Appends the last component of path to the lock's journal (when the lock file is ours and writable). A failed
 * write only means that a kill right now would leave that directory for the user to remove. */
static void lock_note(cf_publish_lock *l, const char *path)
{
    if (l == NULL || !l->ours || !l->writable) return;
    const char *slash = strrchr(path, '/');
    const char *name = slash != NULL ? slash + 1 : path;
    size_t n = strlen(name);
    char *line = malloc(n + 2);
    if (line == NULL) return;
    memcpy(line, name, n);
    line[n] = '\n';
    off_t end = lseek(l->fd, 0, SEEK_END);
    if (end >= (off_t)SIG_LEN && pwrite(l->fd, line, n + 1, end) < 0) {
        /* see above */
    }
    free(line);
}

void cf_strlist_free(char **list)
{
    if (list == NULL) return;
    for (char **p = list; *p != NULL; p++) free(*p);
    free(list);
}

/* Grows a NULL-terminated list holding n strings so that one more and the terminator fit. Returns 0 or -1. */
static int grow_strlist(char ***list, size_t *cap, size_t n)
{
    size_t nc = *cap ? 2 * *cap : 8;
    if (nc < n + 2) nc = n + 2;
    char **g = realloc(*list, nc * sizeof *g);
    if (g == NULL) return -1;
    *list = g;
    *cap = nc;
    return 0;
}

/* 1 when s (of length n) is a mkdtemp suffix: exactly six ASCII letters or digits. */
static int temp_suffix(const char *s, size_t n)
{
    if (n != 6) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9'))) return 0;
    return 1;
}

cf_status cf_publish_lock_stale(const cf_publish_lock *l, char ***out, cf_error *err)
{
    if (out != NULL) *out = NULL;
    if (l == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_publish_lock_stale needs a lock and an output");
    if (!l->ours) return CF_OK;
    struct stat fs;
    if (fstat(l->fd, &fs) != 0 || fs.st_size <= (off_t)SIG_LEN) return CF_OK;
    if (fs.st_size > (1 << 20)) return CF_OK; /* not a journal costfront wrote */
    size_t size = (size_t)fs.st_size - SIG_LEN;
    char *text = malloc(size + 1);
    if (text == NULL) return cf_error_set(err, CF_ERR_NOMEM, l->path, 0, 0, NULL, "out of memory");
    ssize_t got = pread(l->fd, text, size, (off_t)SIG_LEN);
    size = got > 0 ? (size_t)got : 0;
    text[size] = '\0';
    size_t nl = strlen(l->name);
    char **list = NULL;
    size_t n = 0, cap = 0;
    cf_status st = CF_OK;
    for (char *line = text; *line != '\0' && st == CF_OK;) {
        char *end = strchr(line, '\n');
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        /* Only "NAME.tmp.XXXXXX" and "NAME.old.XXXXXX" for this lock's NAME: anything else is not our record. */
        int valid = len == nl + 11 && strncmp(line, l->name, nl) == 0 &&
                    (strncmp(line + nl, ".tmp.", 5) == 0 || strncmp(line + nl, ".old.", 5) == 0) &&
                    temp_suffix(line + nl + 5, 6);
        if (valid) {
            size_t np = strlen(l->parent) + len + 2;
            char *path = malloc(np);
            if (path == NULL) {
                st = cf_error_set(err, CF_ERR_NOMEM, l->path, 0, 0, NULL, "out of memory");
                break;
            }
            snprintf(path, np, "%s/%.*s", l->parent, (int)len, line);
            struct stat sb;
            int dup = 0;
            for (size_t i = 0; i < n && !dup; i++) dup = strcmp(list[i], path) == 0;
            if (dup || lstat(path, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != geteuid()) {
                free(path);
            } else if (n + 2 > cap && grow_strlist(&list, &cap, n) != 0) {
                free(path);
                st = cf_error_set(err, CF_ERR_NOMEM, l->path, 0, 0, NULL, "out of memory");
            } else {
                list[n++] = path;
                list[n] = NULL;
            }
        }
        line += len + (end != NULL);
    }
    free(text);
    if (st != CF_OK) {
        cf_strlist_free(list);
        return st;
    }
    *out = list;
    return CF_OK;
}

void cf_publish_lock_forget_stale(cf_publish_lock *l)
{
    if (l == NULL || !l->ours || !l->writable) return;
    if (ftruncate(l->fd, (off_t)SIG_LEN) != 0) {
        /* The next holder finds the same names and, since they are gone, skips them. */
    }
}
