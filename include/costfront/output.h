/* costfront: the one atomic writer (reports/atomic.c) -- files, whole directories and symlinks.
 *
 * Every output of costfront goes through here so that a reader never sees a half-written file and a failed run
 * never destroys an earlier good result:
 *   - a file is written into a temporary "PATH.tmp.XXXXXX" beside the target (same directory, hence the same file
 *     system), flushed, fsync'ed and renamed over PATH; aborting removes the temporary;
 *   - a directory (an HTML report) is built in a staging directory "DIR.tmp.XXXXXX" beside DIR and then swapped in:
 *     the old DIR is renamed to "DIR.old.XXXXXX", the staging directory to DIR, and the old one removed. A run that
 *     fails before the swap leaves DIR exactly as it was and removes its staging directory;
 *   - a symlink (reports/latest) is created under a temporary name and renamed over the old link;
 *   - publishers of one directory take turns through an exclusive lock on the file "DIR.lock" beside it
 *     (cf_publish_lock_acquire), so two of them never interleave their renames; the lock file records the staging
 *     directories its holder makes, so whoever holds it next knows which ones a run that died left behind
 *     (cf_publish_lock_stale).
 *
 * Ownership: a cf_atomic_file and a cf_staged_dir are owned by the caller from _begin/_open until exactly one of
 * _commit or _abort, which both free them (also on failure); a cf_publish_lock from _acquire until _release, which
 * frees it. Paths passed in are copied; lists returned by cf_publish_lock_stale are freed with cf_strlist_free.
 */
#ifndef COSTFRONT_OUTPUT_H
#define COSTFRONT_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A file being written atomically. */
typedef struct cf_atomic_file cf_atomic_file;

/* Opens a temporary file beside path (mode 0644 once committed) for writing. On success *out is a handle whose
 * stream is cf_atomic_stream(*out); nothing exists at path until cf_atomic_commit. */
cf_status cf_atomic_open(const char *path, cf_atomic_file **out, cf_error *err);

/* The stdio stream to write into. Owned by the handle: do not fclose it. */
FILE *cf_atomic_stream(cf_atomic_file *f);

/* Flushes, fsyncs and closes the temporary file, then renames it over the target. Any earlier write error on the
 * stream makes this fail (CF_ERR_IO) and removes the temporary instead. Frees f in every case. */
cf_status cf_atomic_commit(cf_atomic_file *f, cf_error *err);

/* Closes and removes the temporary file, leaving the target untouched, and frees f. Accepts NULL. */
void cf_atomic_abort(cf_atomic_file *f);

/* Writes n bytes of data to path atomically. */
cf_status cf_write_file_atomic(const char *path, const void *data, size_t n, cf_error *err);

/* Writes the NUL-terminated string s to path atomically. */
cf_status cf_write_string_atomic(const char *path, const char *s, cf_error *err);

/* Makes linkpath a symbolic link to target atomically: the link is created as "linkpath.tmp.XXXXXX" and renamed
 * over linkpath, so readers see either the old or the new link, never none. linkpath must not be a directory
 * (a symlink to one is fine: it is replaced, not followed). target is stored as given (relative targets are
 * resolved by the system against linkpath's directory). */
cf_status cf_symlink_atomic(const char *target, const char *linkpath, cf_error *err);

/* A directory being built for atomic publication. */
typedef struct cf_staged_dir cf_staged_dir;

/* An exclusive lock held by one publisher of a directory (cf_publish_lock_acquire below). */
typedef struct cf_publish_lock cf_publish_lock;

/* Creates the staging directory "DIR.tmp.XXXXXX" beside dir (mode 0755). A trailing '/' on dir is
 * ignored. Fails with CF_ERR_IO when dir exists and is not a directory. */
cf_status cf_staged_dir_begin(const char *dir, cf_staged_dir **out, cf_error *err);

/* cf_staged_dir_begin for a publisher holding lock (may be NULL): the staging directory, and the old one that
 * commit moves aside, are recorded in the lock file's journal before they are used, so that the next holder can
 * remove them if this process dies (cf_publish_lock_stale). lock must outlive s. */
cf_status cf_staged_dir_begin_locked(const char *dir, cf_publish_lock *lock, cf_staged_dir **out, cf_error *err);

/* Path of the staging directory to write files into. Owned by the handle. */
const char *cf_staged_dir_path(const cf_staged_dir *s);

/* Writes the file name (n bytes of data) into the staging directory now, before anything else, so that a staging
 * directory left by a killed run can be recognised as ours; the old tree that commit replaces and any tree removed
 * by commit or abort lose that file last, so a removal cut short leaves it too. name is a plain file name. */
cf_status cf_staged_dir_set_marker(cf_staged_dir *s, const char *name, const void *data, size_t n, cf_error *err);

/* Replaces dir by the staging directory. On Linux an existing dir is swapped with the staging directory in one
 * step (renameat2 RENAME_EXCHANGE) and the old tree removed; elsewhere, or on a file system without that, the old
 * dir is renamed aside ("DIR.old.XXXXXX"), the staging directory renamed to dir, and the old tree removed (if
 * the second rename fails the old dir is put back). On failure the staging tree is removed. Frees s in every
 * case. */
cf_status cf_staged_dir_commit(cf_staged_dir *s, cf_error *err);

/* Removes the staging tree, leaving dir untouched, and frees s. Accepts NULL. */
void cf_staged_dir_abort(cf_staged_dir *s);

/* Removes path and, when it is a directory, everything under it (symlinks are removed, never followed). A missing
 * path is not an error. */
cf_status cf_remove_tree(const char *path, cf_error *err);

/* Like cf_remove_tree, but the top-level file named marker (may be NULL) is removed after everything else, so that
 * a removal cut short still leaves the tree recognisable by it. */
cf_status cf_remove_tree_marked(const char *path, const char *marker, cf_error *err);

/* Takes the exclusive lock of dir: flock(2) on the regular file "DIR.lock" beside dir (created when missing, never
 * followed when it is a symbolic link). Waits up to wait_seconds for another holder to finish (0: do not wait;
 * negative: wait as long as it takes); when the time runs out it fails with CF_ERR_IO and a message saying that
 * another costfront is publishing into dir. The lock is released when the process dies, however it dies, so it is
 * never stale. dir must name a directory of its own (not ".", ".." or "/"): CF_ERR_ARG otherwise. */
cf_status cf_publish_lock_acquire(const char *dir, double wait_seconds, cf_publish_lock **out, cf_error *err);

/* Releases the lock and frees l. A lock file that costfront created is removed first (waiters notice and take
 * the lock on a fresh file), so nothing is left beside dir; a "DIR.lock" that was there before is left as it was.
 * Accepts NULL. */
void cf_publish_lock_release(cf_publish_lock *l);

/* Lists the staging directories that an earlier holder of l recorded in the lock file's journal and that still
 * exist: the holder records every "DIR.tmp.XXXXXX" and "DIR.old.XXXXXX" it makes (cf_staged_dir_begin_locked)
 * before using it, and a holder that finishes removes the whole lock file, so a journal that is still there was
 * left by a run that died. Only directories (not symbolic links) owned by this user are listed; a directory merely
 * named like a staging directory (say "DIR.old.backup", kept by hand) is never in the journal. *out gets a
 * NULL-terminated, malloc'd array of paths (NULL when there are none); the caller decides which to remove (e.g. only
 * those whose contents it recognises), frees the array with cf_strlist_free and then calls
 * cf_publish_lock_forget_stale. A lock file that costfront did not create has no journal. */
cf_status cf_publish_lock_stale(const cf_publish_lock *l, char ***out, cf_error *err);

/* Empties the lock's journal, once the directories it listed have been dealt with. Accepts NULL. */
void cf_publish_lock_forget_stale(cf_publish_lock *l);

/* Frees a NULL-terminated array of malloc'd strings and the strings. Accepts NULL. */
void cf_strlist_free(char **list);

#ifdef __cplusplus
}
#endif
#endif
