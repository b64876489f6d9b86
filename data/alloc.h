/* costfront (private): allocation helpers shared by the data modules (data/alloc.c), so that growing an array and
 * copying a string are written, and checked for overflow, once.
 *
 * Ownership: strings returned by cf_dup_str belong to the caller (free()); cf_grow_to reallocates the caller's
 * array in place and never frees it, also when it fails.
 */
#ifndef COSTFRONT_DATA_ALLOC_H
#define COSTFRONT_DATA_ALLOC_H

#include <stddef.h>

/* Returns a malloc'd copy of s (NULL for NULL); sets *oom (when oom is not NULL) on allocation failure, so that a
 * run of copies can be checked once at the end. */
char *cf_dup_str(const char *s, int *oom);

/* Grows *arr (elements of size sz, capacity *cap) so that it holds at least need elements, starting at first
 * elements and doubling, so that n appends cost O(n). Returns 1 on success and 0 on allocation failure or when the
 * byte count would overflow size_t; *arr and *cap are then unchanged. */
int cf_grow_to(void **arr, size_t *cap, size_t need, size_t sz, size_t first);

#endif
