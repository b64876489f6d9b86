/* costfront (private): a growable text buffer and allocation helpers for the report writers (reports/strbuf.c).
 *
 * Appending never fails loudly: an allocation failure sets a sticky flag checked once at the end (cf_sb_failed),
 * so writers stay linear instead of testing every append.
 *
 * Ownership: a cf_sb is a plain struct owned by its declarer; cf_sb_take hands the text to the caller (free()).
 */
#ifndef CF_REPORTS_STRBUF_H
#define CF_REPORTS_STRBUF_H

#include <stddef.h>

typedef struct cf_sb {
    char *s;    /* NUL-terminated text, NULL before the first append */
    size_t n;   /* length */
    size_t cap; /* allocated bytes */
    int failed; /* 1 once an allocation failed */
} cf_sb;

/* Appends the string s (NULL appends nothing). */
void cf_sb_puts(cf_sb *b, const char *s);

/* Appends n bytes of s. */
void cf_sb_putn(cf_sb *b, const char *s, size_t n);

/* Appends formatted text (printf conventions; do not use it for floating-point numbers: see numfmt.h). */
void cf_sb_printf(cf_sb *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Returns the text (never NULL unless an allocation failed) and resets b; the caller frees it. */
char *cf_sb_take(cf_sb *b);

/* Frees the text and resets b. */
void cf_sb_free(cf_sb *b);

/* UTF-8 helpers shared by the report writers: text that reaches an SVG or the HTML must be valid UTF-8 made of
 * XML characters, or the file is not well-formed (issue 10). */

/* Length of the valid UTF-8 character at p (1 for an ASCII byte other than NUL, 2 to 4 otherwise), or 0 when p
 * does not start one: NUL, a stray continuation byte, an overlong form, a surrogate, a code point past U+10FFFF,
 * or U+FFFE / U+FFFF (not XML characters). Reads no byte past a NUL. */
size_t cf_utf8_len(const char *p);

/* 1 when the NUL-terminated s is valid UTF-8 by cf_utf8_len (NULL is valid). */
int cf_utf8_valid(const char *s);

/* Appends s with each byte that does not begin a valid character (cf_utf8_len) replaced by U+FFFD. */
void cf_sb_put_utf8(cf_sb *b, const char *s);

/* Allocation helpers shared by the report writers (plot.c, report_html.c), kept here so that they exist once. */

/* Returns a malloc'd copy of s (the caller frees it), NULL for NULL or when out of memory. */
char *cf_rep_dupstr(const char *s);

/* Grows *arr, an array of elem-sized items of capacity *cap holding n, so that one more fits, doubling the
 * capacity so that appending n items costs O(n). Returns 0 on success and -1 on allocation failure or overflow,
 * leaving *arr and *cap unchanged. */
int cf_rep_grow(void **arr, size_t *cap, size_t n, size_t elem);

#endif
