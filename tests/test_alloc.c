/* Tests of the private allocation and text-loading helpers shared inside the library: data/alloc.h,
 * reports/strbuf.h (cf_rep_*) and cf_text_load_utf8 (data/runset_internal.h). Known answers: capacities follow
 * doubling from the given start, byte counts that would wrap size_t are refused without touching the array, and a
 * file that fails the UTF-8 check leaves no buffer behind. */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/alloc.h"
#include "data/pool.h"
#include "data/runset_internal.h"
#include "reports/strbuf.h"

Test(alloc, grow_to_doubles_from_first)
{
    int *a = NULL;
    size_t cap = 0;
    cr_assert_eq(cf_grow_to((void **)&a, &cap, 1, sizeof *a, 8), 1);
    cr_assert_eq(cap, 8);
    cr_assert_eq(cf_grow_to((void **)&a, &cap, 8, sizeof *a, 8), 1);
    cr_assert_eq(cap, 8, "no growth while need fits");
    cr_assert_eq(cf_grow_to((void **)&a, &cap, 9, sizeof *a, 8), 1);
    cr_assert_eq(cap, 16);
    cr_assert_eq(cf_grow_to((void **)&a, &cap, 100, sizeof *a, 8), 1);
    cr_assert_eq(cap, 128);
    a[99] = 7; /* the whole capacity is writable (ASan checks) */
    free(a);
}

Test(alloc, grow_to_refuses_overflow)
{
    double *a = NULL;
    size_t cap = 0;
    cr_assert_eq(cf_grow_to((void **)&a, &cap, 4, sizeof *a, 4), 1);
    double *before = a;
    cr_assert_eq(cf_grow_to((void **)&a, &cap, SIZE_MAX / 4, sizeof *a, 4), 0);
    cr_assert_eq(a, before);
    cr_assert_eq(cap, 4);
    cr_assert_eq(cf_grow_to((void **)&a, &cap, 5, 0, 4), 0, "zero-sized elements are refused");
    free(a);
}

Test(alloc, dup_str)
{
    int oom = 0;
    cr_assert_null(cf_dup_str(NULL, &oom));
    cr_assert_eq(oom, 0, "NULL in is not a failure");
    char *s = cf_dup_str("gpu-hours", &oom);
    cr_assert_str_eq(s, "gpu-hours");
    cr_assert_eq(oom, 0);
    free(s);
    s = cf_dup_str("", NULL);
    cr_assert_str_eq(s, "");
    free(s);
}

Test(alloc, rep_grow_and_dupstr)
{
    char **v = NULL;
    size_t cap = 0;
    cr_assert_eq(cf_rep_grow((void **)&v, &cap, 0, sizeof *v), 0);
    cr_assert_eq(cap, 8);
    cr_assert_eq(cf_rep_grow((void **)&v, &cap, 7, sizeof *v), 0);
    cr_assert_eq(cap, 8);
    cr_assert_eq(cf_rep_grow((void **)&v, &cap, 8, sizeof *v), 0);
    cr_assert_eq(cap, 16);
    char **before = v;
    size_t huge = SIZE_MAX / 2;
    cr_assert_eq(cf_rep_grow((void **)&v, &huge, SIZE_MAX / 2, sizeof *v), -1);
    cr_assert_eq(v, before);
    cr_assert_eq(huge, SIZE_MAX / 2);
    v[15] = cf_rep_dupstr("a100");
    cr_assert_str_eq(v[15], "a100");
    cr_assert_null(cf_rep_dupstr(NULL));
    free(v[15]);
    free(v);
}

/* Writes n bytes to a fresh temporary file and returns its path (static buffer). */
static const char *temp_file(const char *bytes, size_t n)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/cf_test_alloc_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, bytes, n), (ssize_t)n);
    close(fd);
    return path;
}

Test(text, load_utf8_strips_bom)
{
    const char *p = temp_file("\xEF\xBB\xBFrun,cost\n", 12);
    char *buf = NULL;
    size_t len = 0, skip = 99;
    cf_error e;
    cr_assert_eq(cf_text_load_utf8(p, &buf, &len, &skip, &e), CF_OK);
    cr_assert_eq(len, 12);
    cr_assert_eq(skip, 3);
    cr_assert_str_eq(buf + skip, "run,cost\n");
    free(buf);
    unlink(p);
}

Test(text, load_utf8_failure_frees)
{
    const char *p = temp_file("\xFF\xFEr\0u\0n\0", 8);
    char *buf = (char *)1;
    size_t len = 5, skip = 5;
    cf_error e;
    cf_error_clear(&e);
    cr_assert_neq(cf_text_load_utf8(p, &buf, &len, &skip, &e), CF_OK);
    cr_assert_null(buf, "no buffer is left to leak");
    cr_assert_eq(len, 0);
    cr_assert(strstr(e.message, "UTF-16") != NULL, "message: %s", e.message);
    unlink(p);
    cr_assert_eq(cf_text_load_utf8("/nonexistent/cf.csv", &buf, &len, &skip, &e), CF_ERR_IO);
    cr_assert_null(buf);
}

Test(alloc, arena_blocks_stay_aligned_after_packed_strings)
{
    /* Strings are packed at any byte; the next block must still be aligned for any type (a run's value array
     * after its id was stored at an odd offset: UBSan's misaligned-store report in CI). */
    cf_arena a = {0};
    const size_t al = _Alignof(max_align_t);
    for (size_t len = 0; len < 3 * al; len++) {
        char *s = cf_arena_strndup(&a, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz", len);
        cr_assert_not_null(s);
        cr_assert_eq(strlen(s), len);
        char **p = cf_arena_alloc(&a, 3 * sizeof *p);
        cr_assert_not_null(p);
        cr_assert_eq((uintptr_t)p % al, 0, "block after a %zu-byte string is aligned", len);
        p[0] = s;
        p[2] = NULL;
    }
    cf_arena_free(&a);
    cr_assert_null(a.head);
}
