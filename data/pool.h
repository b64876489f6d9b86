/* costfront (private): a chunked arena and a string intern table over it (data/pool.c), so that a runset of 10^6
 * runs stores its strings in a few large blocks instead of ten mallocs per run, and a hardware name or an
 * optimiser repeated on every row is stored once (issue 14).
 *
 * Ownership: an arena owns every block it hands out; they stay valid (never move) until cf_arena_free. An intern
 * table stores its strings in an arena the caller owns and passes in; cf_intern_free frees only the table.
 */
#ifndef COSTFRONT_DATA_POOL_H
#define COSTFRONT_DATA_POOL_H

#include <stddef.h>

/* A chunked bump allocator. Zero-initialise it ({0}) before use. */
typedef struct cf_arena {
    struct cf_arena_block *head; /* newest block first */
    size_t used, cap;            /* bytes used and size of the head block */
    size_t total;                /* bytes in all blocks, for the benchmark's accounting */
} cf_arena;

/* Returns n bytes aligned for any type, valid until cf_arena_free, or NULL on allocation failure. */
void *cf_arena_alloc(cf_arena *a, size_t n);

/* Copies s[0..len) with a terminating NUL into the arena; NULL on allocation failure. */
char *cf_arena_strndup(cf_arena *a, const char *s, size_t len);

/* Frees every block of the arena and zeroes it. Accepts an empty arena. */
void cf_arena_free(cf_arena *a);

/* A set of distinct strings, each stored once in an arena. Zero-initialise it ({0}) before use. */
typedef struct cf_intern {
    const char **slots; /* open addressing, NULL empty; capacity a power of two, at most half full */
    size_t cap, n;
} cf_intern;

/* Returns the stored copy of s[0..len) (copied into a on first sight), the same pointer for equal strings; NULL
 * on allocation failure. */
const char *cf_intern_get(cf_intern *t, cf_arena *a, const char *s, size_t len);

/* Frees the table (not the strings, which live in the arena). */
void cf_intern_free(cf_intern *t);

/* FNV-1a hash of s[0..len). */
size_t cf_pool_hash(const char *s, size_t len);

#endif
