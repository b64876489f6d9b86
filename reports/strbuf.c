/* costfront (private): growable text buffer (see reports/strbuf.h). */
#include "reports/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

/* Makes room for extra more bytes plus the terminator. Returns 0 on success. */
static int reserve(cf_sb *b, size_t extra)
{
    if (b->failed) return -1;
    if (b->n + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + extra + 1) cap *= 2;
    char *s = realloc(b->s, cap);
    if (s == NULL) {
        b->failed = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

void cf_sb_putn(cf_sb *b, const char *s, size_t n)
{
    if (s == NULL || reserve(b, n) != 0) return;
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

void cf_sb_puts(cf_sb *b, const char *s)
{
    if (s != NULL) cf_sb_putn(b, s, strlen(s));
}

void cf_sb_printf(cf_sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0 || reserve(b, (size_t)k) != 0) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

char *cf_sb_take(cf_sb *b)
{
    if (b->failed) {
        cf_sb_free(b);
        return NULL;
    }
    if (b->s == NULL && reserve(b, 0) == 0) b->s[0] = '\0';
    char *s = b->s;
    b->s = NULL;
    b->n = b->cap = 0;
    return s;
}

void cf_sb_free(cf_sb *b)
{
    free(b->s);
    b->s = NULL;
    b->n = b->cap = 0;
    b->failed = 0;
}

size_t cf_utf8_len(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char c = p[0], lo = 0x80, hi = 0xBF;
    size_t n;
    if (c == 0) return 0;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else
        return 0;
    if (p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    if (n == 3 && c == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) return 0;
    return n;
}

int cf_utf8_valid(const char *s)
{
    if (s == NULL) return 1;
    while (*s) {
        size_t k = cf_utf8_len(s);
        if (k == 0) return 0;
        s += k;
    }
    return 1;
}

void cf_sb_put_utf8(cf_sb *b, const char *s)
{
    if (s == NULL) return;
    while (*s) {
        size_t k = cf_utf8_len(s);
        if (k == 0) {
            cf_sb_puts(b, "\xEF\xBF\xBD");
            s++;
        } else {
            cf_sb_putn(b, s, k);
            s += k;
        }
    }
}

char *cf_rep_dupstr(const char *s)
{
    if (s == NULL) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL) memcpy(d, s, n);
    return d;
}

int cf_rep_grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap) return 0;
    if (elem == 0) return -1;
    size_t nc = *cap ? *cap : 4;
    if (nc > SIZE_MAX / 2 / elem) return -1;
    nc *= 2;
    void *a = realloc(*arr, nc * elem);
    if (a == NULL) return -1;
    *arr = a;
    *cap = nc;
    return 0;
}
