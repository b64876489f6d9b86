/* costfront: the atomic writer (see include/costfront/output.h).
 *
 * The pattern is the classic write-temporary-then-rename: rename(2) within one file system replaces the target in
 * one step, so readers see the old content or the new, never a mixture. Temporaries live beside the target (same
 * directory) so the rename never crosses a file system. Data is fsync'ed before the rename, and the directory after
 * it, so that a crash does not leave a renamed but empty file.
 */
#include "costfront/output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

struct cf_staged_dir {
    char *dir;   /* final directory path, without a trailing '/' */
    char *stage; /* staging directory "dir.tmp.XXXXXX" */
};

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
 * continues past it so as much as possible goes). */
static int remove_tree(const char *path)
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
        size_t n = strlen(path) + strlen(de->d_name) + 2;
        char *child = malloc(n);
        if (child == NULL) {
            if (first == 0) first = ENOMEM;
            continue;
        }
        snprintf(child, n, "%s/%s", path, de->d_name);
        int e = remove_tree(child);
        if (e != 0 && first == 0) first = e;
        free(child);
    }
    closedir(d);
    if (rmdir(path) != 0 && first == 0) first = errno;
    return first;
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
    *out = s;
    return CF_OK;
}

const char *cf_staged_dir_path(const cf_staged_dir *s) { return s != NULL ? s->stage : NULL; }

/* Frees the handle's memory (not the directories). */
static void staged_free(cf_staged_dir *s)
{
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
            (void)remove_tree(s->stage); /* now the old tree */
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
        if (mkdtemp(old) == NULL || rename(s->dir, old) != 0) {
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
    if (old != NULL) (void)remove_tree(old);
    free(old);
    staged_free(s);
    return CF_OK;
fail:
    free(old);
    (void)remove_tree(s->stage);
    staged_free(s);
    return st;
}

void cf_staged_dir_abort(cf_staged_dir *s)
{
    if (s == NULL) return;
    (void)remove_tree(s->stage);
    staged_free(s);
}
