/* costfront (private): chunked arena and string interning (see data/pool.h). Blocks grow from 64 KB to 4 MB, so
 * the waste at the end of a block stays below a few percent of what is stored. */
#include "data/pool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cf_arena_block {
    struct cf_arena_block *next;
    max_align_t data[]; /* the block's bytes */
};

enum { ARENA_FIRST = 1 << 16, ARENA_MAX = 1 << 22 };

void *cf_arena_alloc(cf_arena *a, size_t n)
{
    const size_t al = sizeof(max_align_t);
    size_t need = (n + al - 1) / al * al;
    if (need < n) return NULL;
    /* Packed strings (cf_arena_strndup) leave used at any byte: round it up so every block handed out here is
     * aligned for any type. */
    size_t start = (a->used + al - 1) / al * al;
    if (a->head != NULL) a->used = start <= a->cap ? start : a->cap;
    if (a->head == NULL || a->cap - a->used < need) {
        size_t cap = a->cap ? 2 * a->cap : ARENA_FIRST;
        if (cap > ARENA_MAX) cap = ARENA_MAX;
        if (cap < need) cap = need; /* a large request gets a block of its own size */
        if (cap > SIZE_MAX - sizeof(struct cf_arena_block)) return NULL;
        struct cf_arena_block *b = malloc(sizeof *b + cap);
        if (b == NULL) return NULL;
        b->next = a->head;
        a->head = b;
        a->cap = cap;
        a->used = 0;
        a->total += cap;
    }
    void *p = (char *)a->head->data + a->used;
    a->used += need;
    return p;
}

char *cf_arena_strndup(cf_arena *a, const char *s, size_t len)
{
    if (len == SIZE_MAX) return NULL;
    /* Strings need no alignment: pack them when the head block has room, so short strings cost their length. */
    char *d;
    if (a->head != NULL && a->cap - a->used >= len + 1) {
        d = (char *)a->head->data + a->used;
        a->used += len + 1;
    } else {
        d = cf_arena_alloc(a, len + 1);
        if (d == NULL) return NULL;
    }
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

void cf_arena_free(cf_arena *a)
{
    struct cf_arena_block *b = a->head;
    while (b != NULL) {
        struct cf_arena_block *next = b->next;
        free(b);
        b = next;
    }
    memset(a, 0, sizeof *a);
}

size_t cf_pool_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return (size_t)h;
}

/* Doubles the table (or creates it with 256 slots). Returns 0 on allocation failure. */
static int intern_grow(cf_intern *t)
{
    size_t cap = t->cap ? 2 * t->cap : 256;
    const char **s = calloc(cap, sizeof *s);
    if (s == NULL) return 0;
    for (size_t i = 0; i < t->cap; i++) {
        const char *v = t->slots[i];
        if (v == NULL) continue;
        size_t h = cf_pool_hash(v, strlen(v)) & (cap - 1);
        while (s[h] != NULL) h = (h + 1) & (cap - 1);
        s[h] = v;
    }
    free(t->slots);
    t->slots = s;
    t->cap = cap;
    return 1;
}

const char *cf_intern_get(cf_intern *t, cf_arena *a, const char *s, size_t len)
{
    if (2 * (t->n + 1) > t->cap && !intern_grow(t)) return NULL;
    size_t mask = t->cap - 1;
    size_t h = cf_pool_hash(s, len) & mask;
    for (; t->slots[h] != NULL; h = (h + 1) & mask) {
        const char *v = t->slots[h];
        if (strncmp(v, s, len) == 0 && v[len] == '\0') return v;
    }
    char *d = cf_arena_strndup(a, s, len);
    if (d == NULL) return NULL;
    t->slots[h] = d;
    t->n++;
    return d;
}

void cf_intern_free(cf_intern *t)
{
    free(t->slots);
    memset(t, 0, sizeof *t);
}
