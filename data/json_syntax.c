/* costfront: a JSON syntax check that allocates nothing (see json_syntax.h). The grammar is RFC 8259's; nesting is
 * tracked with a bit stack (1 = inside an object, 0 = inside an array) of at most 1024 levels, so memory is
 * constant. */
#include "data/json_syntax.h"

#include <stdio.h>
#include <string.h>

#define CF_JSON_MAX_STACK 1024

typedef struct scan {
    const unsigned char *p, *end;
} scan;

/* Skips JSON whitespace. */
static void ws(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) s->p++;
}

/* Consumes a string (the opening quote is at s->p). */
static int string(scan *s)
{
    s->p++;
    while (s->p < s->end) {
        unsigned char c = *s->p++;
        if (c == '"') return 1;
        if (c < 0x20) return 0;
        if (c == '\\') {
            if (s->p >= s->end) return 0;
            c = *s->p++;
            if (c == 'u') {
                for (int i = 0; i < 4; i++, s->p++)
                    if (s->p >= s->end || !strchr("0123456789abcdefABCDEF", *s->p) || *s->p == 0) return 0;
            } else if (!strchr("\"\\/bfnrt", c) || c == 0) {
                return 0;
            }
        }
    }
    return 0;
}

/* Consumes a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int number(scan *s)
{
    if (s->p < s->end && *s->p == '-') s->p++;
    if (s->p >= s->end) return 0;
    if (*s->p == '0') {
        s->p++;
    } else if (*s->p >= '1' && *s->p <= '9') {
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9') s->p++;
    } else {
        return 0;
    }
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (s->p >= s->end || *s->p < '0' || *s->p > '9') return 0;
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9') s->p++;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-')) s->p++;
        if (s->p >= s->end || *s->p < '0' || *s->p > '9') return 0;
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9') s->p++;
    }
    return 1;
}

/* Consumes a literal word. */
static int word(scan *s, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0) return 0;
    s->p += n;
    return 1;
}

int cf_json_syntax_ok(const char *text, size_t len, int allow_trailing, unsigned max_depth)
{
    if (text == NULL) return 0;
    unsigned char stack[CF_JSON_MAX_STACK / 8] = {0};
    unsigned depth = 0;
    if (max_depth > CF_JSON_MAX_STACK) max_depth = CF_JSON_MAX_STACK;
    scan s = {(const unsigned char *)text, (const unsigned char *)text + len};
    for (;;) {
        /* Expect a value. */
        ws(&s);
        if (s.p >= s.end) return 0;
        unsigned char c = *s.p;
        if (c == '{' || c == '[') {
            if (depth >= max_depth) return 0;
            if (c == '{')
                stack[depth / 8] |= (unsigned char)(1u << (depth % 8));
            else
                stack[depth / 8] &= (unsigned char)~(1u << (depth % 8));
            depth++;
            s.p++;
            ws(&s);
            if (s.p < s.end && *s.p == (c == '{' ? '}' : ']')) {
                s.p++;
                depth--;
                goto after_value;
            }
            if (c == '{') goto key;
            continue;
        }
        if (c == '"') {
            if (!string(&s)) return 0;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (!number(&s)) return 0;
        } else if (!(word(&s, "true") || word(&s, "false") || word(&s, "null"))) {
            return 0;
        }
    after_value:
        for (;;) {
            ws(&s);
            if (depth == 0) {
                if (allow_trailing) return 1;
                return s.p == s.end || (s.p < s.end && *s.p == 0 && s.p + 1 == s.end);
            }
            if (s.p >= s.end) return 0;
            int in_object = (stack[(depth - 1) / 8] >> ((depth - 1) % 8)) & 1;
            if (*s.p == ',') {
                s.p++;
                if (in_object) goto key;
                break; /* next array element */
            }
            if (*s.p == (in_object ? '}' : ']')) {
                s.p++;
                depth--;
                continue;
            }
            return 0;
        }
        continue;
    key:
        ws(&s);
        if (s.p >= s.end || *s.p != '"' || !string(&s)) return 0;
        ws(&s);
        if (s.p >= s.end || *s.p != ':') return 0;
        s.p++;
    }
}

void cf_json_describe(const cJSON *v, char *buf, size_t n)
{
    if (v == NULL)
        snprintf(buf, n, "nothing");
    else if (cJSON_IsString(v))
        snprintf(buf, n, "\"%.60s\"%s", v->valuestring, strlen(v->valuestring) > 60 ? "..." : "");
    else if (cJSON_IsNumber(v))
        snprintf(buf, n, "%.10g", v->valuedouble);
    else if (cJSON_IsBool(v))
        snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNull(v))
        snprintf(buf, n, "null");
    else if (cJSON_IsArray(v))
        snprintf(buf, n, "an array");
    else if (cJSON_IsObject(v))
        snprintf(buf, n, "an object");
    else
        snprintf(buf, n, "an unknown value");
}
