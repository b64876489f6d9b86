/* costfront: private helpers shared by the run readers (data/read_*.c) and the runset (data/runset.c).
 *
 * Not installed and not part of the public API. Readers in other modules (XML, MLflow, Optuna, W&B, the store)
 * may include it to add notes and to share the text checks (UTF-8, BOM, UTF-16, offsets to line and column).
 *
 * Ownership: cf_text_load returns a buffer the caller frees with free(); nothing else here allocates for the
 * caller.
 */
#ifndef COSTFRONT_RUNSET_INTERNAL_H
#define COSTFRONT_RUNSET_INTERNAL_H

#include <stddef.h>

#include "costfront/runset.h"

/* Adds a note (formatted with printf conventions) to rs, e.g. "runs.csv: delimiter ';' detected". Notes added
 * while a source is open are kept with it. Returns CF_ERR_NOMEM on allocation failure. */
cf_status cf_runset_add_note(cf_runset *rs, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Reads the whole file at path into a NUL-terminated buffer (*buf, *len without the NUL). Fails with CF_ERR_IO
 * and a message naming the file and the system's reason. */
cf_status cf_text_load(const char *path, char **buf, size_t *len, cf_error *err);

/* Checks that text[0..len) is UTF-8 text: rejects a UTF-16 or UTF-32 byte order mark ("file is UTF-16; save it as
 * UTF-8"), invalid UTF-8 sequences and NUL bytes (with the line and 1-based byte column), and sets *skip to the
 * length of a UTF-8 byte order mark to strip (0 or 3). source names the file in err. */
cf_status cf_text_check_utf8(const char *source, const char *text, size_t len, size_t *skip, cf_error *err);

/* Length of the longest prefix of text[0..len) that is valid UTF-8 without NUL bytes: len when all of it is. */
size_t cf_text_utf8_valid_prefix(const char *text, size_t len);

/* Loads the file at path with cf_text_load and checks it with cf_text_check_utf8, the two steps every text reader
 * starts with, so that each reader does not repeat the free-on-failure dance. On success *buf (caller frees) holds
 * the file and the text proper starts at *buf + *skip; on failure *buf is NULL and err says why. */
cf_status cf_text_load_utf8(const char *path, char **buf, size_t *len, size_t *skip, cf_error *err);

/* Converts a byte offset in text into a 1-based line and 1-based byte column. A "\r\n" pair or a lone '\r' or
 * '\n' ends a line. */
void cf_text_linecol(const char *text, size_t offset, long *line, long *column);

/* Turns the error position cJSON reports (cf. cJSON_ParseWithLengthOpts' return_parse_end) into the offset of the
 * offending token in text[0..len): cJSON sometimes stops one byte past it (when it expected a member name) and
 * sometimes on it. */
size_t cf_json_error_offset(const char *text, size_t len, const char *at);

/* Returns the last path component of path (a pointer into path). */
const char *cf_text_basename(const char *path);

#endif
