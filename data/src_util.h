/* costfront: small helpers shared by the source readers (data/read_mlflow.c, read_optuna.c, read_wandb.c,
 * read_xml.c, read_source.c). Private to the library.
 *
 * Ownership: a cf_pairbuf owns the strings it holds; cf_src_* functions returning char * give the caller a
 * malloc'd string to free.
 */
#ifndef COSTFRONT_SRC_UTIL_H
#define COSTFRONT_SRC_UTIL_H

#include <stddef.h>

#include "costfront/records.h"
#include "costfront/status.h"

/* A growing list of (name, value) pairs for one record, with a hash of the names so that a record of many pairs
 * (a W&B dict of 100,000 keys) is built in linear time. Reorder pairs only with cf_pairbuf_move_last. */
typedef struct cf_pairbuf {
    char **names;
    char **values;
    size_t n, cap;
    size_t *slots;     /* open-addressing hash of names: index + 1, 0 empty */
    size_t slots_cap;  /* 0 or a power of two at least twice n */
} cf_pairbuf;

/* Empties the buffer (keeps nothing). */
void cf_pairbuf_clear(cf_pairbuf *b);

/* Frees everything the buffer holds and zeroes it. */
void cf_pairbuf_free(cf_pairbuf *b);

/* Index of name in the buffer, or (size_t)-1. */
size_t cf_pairbuf_find(const cf_pairbuf *b, const char *name);

/* Appends (name, value), both copied; value NULL becomes "". */
cf_status cf_pairbuf_add(cf_pairbuf *b, const char *name, const char *value);

/* Appends (name, value), renaming it prefix+name when name is already present (and prefix+name+"_2", "_3" ...
 * while that is present too). */
cf_status cf_pairbuf_add_unique(cf_pairbuf *b, const char *prefix, const char *name, const char *value);

/* Moves the last pair to position at (shifting the pairs from at on by one), keeping the name hash right. */
void cf_pairbuf_move_last(cf_pairbuf *b, size_t at);

/* Hands the pairs to cf_records_add as one record. */
cf_status cf_pairbuf_emit(const cf_pairbuf *b, cf_records *out, const char *key, long line, const char *raw);

/* The shortest "%.*g" text of x (15 to 17 digits) that reads back as x; "nan", "inf", "-inf" for non-finite
 * values. buf must hold 32 bytes. Returns buf. */
char *cf_src_fmt_double(double x, char *buf);

/* malloc'd copy of s (a copy of "" when s is NULL); NULL on allocation failure. */
char *cf_src_strdup(const char *s);

/* Reads a whole file into a malloc'd NUL-terminated buffer (*len bytes without the NUL). Returns NULL with errno
 * set on failure. */
char *cf_src_read_file(const char *path, size_t *len);

/* Joins a and b with '/' into a malloc'd string. */
char *cf_src_join(const char *a, const char *b);

/* Sorted names of the entries of directory dir (without "." and ".."); *n entries, free with
 * cf_src_free_list. Returns NULL with *n = 0 when the directory cannot be read (errno set) or is empty. */
char **cf_src_list_dir(const char *dir, size_t *n);

/* Frees a list from cf_src_list_dir. */
void cf_src_free_list(char **list, size_t n);

/* 1 when path is a directory, 0 otherwise. */
int cf_src_is_dir(const char *path);

/* 1 when path is a regular file, 0 otherwise. */
int cf_src_is_file(const char *path);

/* Kind of Weights & Biases export at path judged from its CSV header (data/read_wandb.c): 1 for the web UI's
 * runs table, 2 for the public API's pandas export, 0 for neither or an unreadable file. */
int cf_wandb_header_kind(const char *path);

/* SQLite helpers shared by the MLflow and Optuna readers. */
typedef struct sqlite3 sqlite3;

/* Opens path read-only as an SQLite database and checks that it can be queried; what names the kind of file in
 * errors ("MLflow database", "Optuna storage"). On failure *db is NULL and err says why (CF_ERR_DB). */
cf_status cf_src_sqlite_open(const char *path, const char *what, sqlite3 **db, cf_error *err);

/* True when the database has a table of this name. */
int cf_src_sqlite_has_table(sqlite3 *db, const char *name);

/* True when table (a trusted identifier) has a column of this name. */
int cf_src_sqlite_has_column(sqlite3 *db, const char *table, const char *col);

#endif
