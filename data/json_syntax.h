/* costfront: a JSON syntax check that allocates nothing, and the description of a parsed value for error messages.
 * Private to the library.
 *
 * cJSON returns NULL both for a syntax error and for an allocation failure. When a parse fails, the caller asks
 * this checker whether the text was valid JSON after all: if it was, the failure was memory, and it reports
 * CF_ERR_NOMEM instead of a misleading "not valid JSON". Nothing is owned or allocated here.
 */
#ifndef COSTFRONT_JSON_SYNTAX_H
#define COSTFRONT_JSON_SYNTAX_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Returns 1 when text[0..len) is one JSON value (RFC 8259) with only whitespace around it, 0 otherwise. With
 * allow_trailing set, text after the value is ignored (as cJSON's non-strict parse does). Nesting deeper than
 * max_depth counts as invalid (cJSON refuses deep nesting too). Runs in O(len) time and O(1) memory. */
int cf_json_syntax_ok(const char *text, size_t len, int allow_trailing, unsigned max_depth);

/* Writes a short description of v for the "found ..." part of a message into buf (n bytes): a string quoted and cut
 * at 60 characters, a number, true/false/null, "an array", "an object", or "nothing" when v is NULL. */
void cf_json_describe(const cJSON *v, char *buf, size_t n);

#endif
