/* costfront (private): allocation helpers for the data modules (see data/alloc.h). */
#include "data/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

char *cf_dup_str(const char *s, int *oom)
{
    if (s == NULL) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d == NULL) {
        if (oom != NULL) *oom = 1;
        return NULL;
    }
    memcpy(d, s, n);
    return d;
}

int cf_grow_to(void **arr, size_t *cap, size_t need, size_t sz, size_t first)
{
    if (need <= *cap) return 1;
    if (sz == 0 || need > SIZE_MAX / sz) return 0;
    size_t c = *cap ? *cap : (first ? first : 1);
    /* Doubling stops at the largest capacity whose byte count still fits, so that the loop cannot wrap to 0. */
    while (c < need) c = c > SIZE_MAX / 2 / sz ? need : c * 2;
    void *p = realloc(*arr, c * sz);
    if (p == NULL) return 0;
    *arr = p;
    *cap = c;
    return 1;
}
