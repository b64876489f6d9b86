/* costfront (private): what a report directory is, for publishing (reports/report_dir.c).
 *
 * A report directory carries the marker file ".costfront-report", written first into the staging directory: its
 * first line names the format ("costfront-report 1"), then come comment lines ('#') and the name of every file the
 * report wrote, one per line. costfront replaces a directory only when it is missing or empty, or holds that marker
 * and no entry other than the files it lists (and their "NAME.tmp.XXXXXX" temporaries), or is a report written
 * before the marker existed: an index.html whose generator is "costfront X.Y.Z" and no entry other than the files
 * that page links to (img src, a href). Anything else is refused, and files added to an earlier report are named.
 *
 * Ownership: strings passed in are the caller's; cf_rep_marker_text returns malloc'd text that the caller frees.
 */
#ifndef CF_REPORTS_REPORT_DIR_H
#define CF_REPORTS_REPORT_DIR_H

#include <stddef.h>

#include "costfront/output.h"
#include "costfront/status.h"

/* The marker file's name, and its first line (format version 1). */
#define CF_REPORT_MARKER      ".costfront-report"
#define CF_REPORT_MARKER_HEAD "costfront-report 1"

/* The marker's text listing the n file names of a report (index.html included), or NULL when out of memory.
 * *len gets its length. The caller frees it. */
char *cf_rep_marker_text(const char *const *names, size_t n, size_t *len);

/* CF_OK when dir may be replaced by a report (see the top of this file); otherwise CF_ERR_IO with a message saying
 * what dir holds, why it is refused and what to do (for files added to an earlier report, their names). */
cf_status cf_rep_dir_check(const char *dir, cf_error *err);

/* Removes the staging directories that a killed publisher of the same directory left (the journal of lock, the
 * publish lock the caller holds: output.h), but only those that are empty or that cf_rep_dir_check would let a
 * report replace; anything else (one holding a user's file) is kept. Returns how many were removed. */
size_t cf_rep_dir_clean_stale(cf_publish_lock *lock);

#endif
