/* costfront: the catalog's transfer and storage sections as seen by data/catalog_io.c (export and diff), through
 * a narrow interface so that file keeps to the public catalog API. Private to the library.
 *
 * Ownership: cf_cat_transfer_diff returns malloc'd text the caller frees; the JSON items belong to the root.
 */
#ifndef COSTFRONT_CATALOG_TRANSFER_H
#define COSTFRONT_CATALOG_TRANSFER_H

#include "costfront/catalog.h"

struct cJSON;

/* Adds "egress" and "storage" arrays to the catalog's JSON root. Returns 0 on allocation failure. */
int cf_cat_transfer_to_json(const cf_catalog *cat, struct cJSON *root);

/* Lines (each ending in a newline) saying what changed in the transfer and storage entries from a to b, in a's
 * order then b's; malloc'd, "" when nothing changed, NULL on allocation failure. */
char *cf_cat_transfer_diff(const cf_catalog *a, const cf_catalog *b);

#endif
