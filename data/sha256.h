/* costfront: SHA-256 of a byte string (data/sha256.c), private to the library: a study keeps the hash of the price
 * catalog it was created with, to recognise the same catalog later.
 *
 * Ownership: the caller provides every buffer; nothing is allocated.
 */
#ifndef COSTFRONT_SHA256_H
#define COSTFRONT_SHA256_H

#include <stddef.h>

/* Writes the SHA-256 digest of the n bytes at data as 64 lowercase hex digits and a NUL into hex (FIPS 180-4). */
void cf_sha256_hex(const void *data, size_t n, char hex[65]);

#endif
