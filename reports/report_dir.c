/* costfront: what a report directory is, for publishing (see reports/report_dir.h).
 *
 * Publishing a report removes the directory it replaces, so the test of "this is a costfront report" must never
 * accept a user's directory: a generator meta tag is not enough (a homepage can carry "costfront-ish"), and a user
 * may have put notes into an earlier report. The marker file lists what the report wrote; every other entry
 * belongs to someone else and makes costfront refuse, naming it, rather than delete it.
 */
#include "reports/report_dir.h"

#include <dirent.h>
#include <errno.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "costfront/output.h"
#include "costfront/status.h"
#include "reports/strbuf.h"

/* A marker or an index.html larger than this is not one costfront wrote. */
enum { MAX_MARKER = 1 << 20, MAX_INDEX = 64 << 20, MAX_LISTED = 5 };

/* A growing list of malloc'd names with a sticky out-of-memory flag. */
typedef struct names {
    char **v;
    size_t n, cap;
    int oom;
} names;

/* Appends the first len bytes of s. */
static void names_add(names *l, const char *s, size_t len)
{
    if (l->oom) return;
    char *c = malloc(len + 1);
    if (c == NULL || cf_rep_grow((void **)&l->v, &l->cap, l->n, sizeof *l->v) != 0) {
        free(c);
        l->oom = 1;
        return;
    }
    memcpy(c, s, len);
    c[len] = '\0';
    l->v[l->n++] = c;
}

/* 1 when s is in the list. */
static int names_has(const names *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0) return 1;
    return 0;
}

/* Frees the names and resets the list. */
static void names_free(names *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

char *cf_rep_marker_text(const char *const *list, size_t n, size_t *len)
{
    cf_sb b = {0};
    cf_sb_printf(&b,
                 "%s\n# This directory is a report written by costfront %s. costfront replaces it only while it holds\n"
                 "# nothing but this file and the files listed below; see README.md, \"costfront report\".\n",
                 CF_REPORT_MARKER_HEAD, cf_version());
    for (size_t i = 0; i < n; i++) cf_sb_printf(&b, "%s\n", list[i]);
    if (b.failed) {
        cf_sb_free(&b);
        return NULL;
    }
    if (len != NULL) *len = b.n;
    return cf_sb_take(&b);
}

/* Returns a malloc'd "a/b", or NULL when out of memory. */
static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s != NULL) snprintf(s, n, "%s/%s", a, b);
    return s;
}

/* Reads the regular file at path (at most max bytes) into a malloc'd NUL-terminated buffer. Returns NULL when it
 * is missing, not a regular file, larger than max, or cannot be read. */
static char *slurp(const char *path, size_t max, size_t *len)
{
    struct stat sb;
    if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || (unsigned long long)sb.st_size > max) return NULL;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) return NULL;
    char *s = malloc((size_t)sb.st_size + 1);
    size_t n = s != NULL ? fread(s, 1, (size_t)sb.st_size, fp) : 0;
    fclose(fp);
    if (s == NULL) return NULL;
    s[n] = '\0';
    if (len != NULL) *len = n;
    return s;
}

/* 1 when dir/name is a regular file (not a link, not a directory). */
static int regular(const char *dir, const char *name)
{
    char *p = join(dir, name);
    struct stat sb;
    int ok = p != NULL && lstat(p, &sb) == 0 && S_ISREG(sb.st_mode);
    free(p);
    return ok;
}

/* 1 when dir/name is a directory (for messages: such entries are shown with a trailing '/'). */
static int subdir(const char *dir, const char *name)
{
    char *p = join(dir, name);
    struct stat sb;
    int ok = p != NULL && lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
    free(p);
    return ok;
}

/* 1 when name is "LISTED.tmp.XXXXXX" for a listed name: the temporary of an atomic write into a staging directory
 * (left there only when the run was killed during that write). */
static int listed_temporary(const names *listed, const char *name)
{
    const char *t = strstr(name, ".tmp.");
    while (t != NULL) {
        const char *x = t + 5;
        size_t k = 0;
        while ((x[k] >= 'a' && x[k] <= 'z') || (x[k] >= 'A' && x[k] <= 'Z') || (x[k] >= '0' && x[k] <= '9')) k++;
        if (k == 6 && x[k] == '\0') {
            for (size_t i = 0; i < listed->n; i++)
                if (strlen(listed->v[i]) == (size_t)(t - name) && strncmp(listed->v[i], name, (size_t)(t - name)) == 0)
                    return 1;
        }
        t = strstr(t + 1, ".tmp.");
    }
    return 0;
}

/* Reads the marker text into listed (one name per line after the head, '#' lines skipped). Returns 1 when the
 * head is ours, 0 when the file is not a marker costfront wrote, -1 when it names a newer format (the head is then
 * copied into head). */
static int parse_marker(char *text, names *listed, char *head, size_t nhead)
{
    char *nl = strchr(text, '\n');
    if (nl == NULL) return 0;
    *nl = '\0';
    if (strcmp(text, CF_REPORT_MARKER_HEAD) != 0) {
        int newer = strncmp(text, "costfront-report ", 17) == 0;
        if (newer) snprintf(head, nhead, "%s", text);
        return newer ? -1 : 0;
    }
    for (char *line = nl + 1; *line != '\0';) {
        char *end = strchr(line, '\n');
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        if (len > 0 && line[0] != '#' && memchr(line, '/', len) == NULL) names_add(listed, line, len);
        line += len + (end != NULL);
    }
    return 1;
}

/* 1 when s is "costfront " followed by a version made of digits and dots: the generator of every costfront report
 * written before the marker existed. */
static int costfront_generator(const char *s)
{
    if (strncmp(s, "costfront ", 10) != 0 || !(s[10] >= '0' && s[10] <= '9')) return 0;
    for (s += 10; *s; s++)
        if (!((*s >= '0' && *s <= '9') || *s == '.')) return 0;
    return 1;
}

/* Walks the parsed page: *generator becomes 1 when a <meta name="generator"> names costfront, and every img src
 * and a href without a '/' (the report's files sit beside index.html) is added to linked. */
static void walk_page(xmlNodePtr n, int *generator, names *linked)
{
    for (; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        const char *tag = (const char *)n->name;
        const char *attr = strcmp(tag, "img") == 0 ? "src" : strcmp(tag, "a") == 0 ? "href" : NULL;
        if (strcmp(tag, "meta") == 0) {
            xmlChar *name = xmlGetProp(n, (const xmlChar *)"name");
            xmlChar *content = xmlGetProp(n, (const xmlChar *)"content");
            if (name != NULL && content != NULL && strcmp((const char *)name, "generator") == 0 &&
                costfront_generator((const char *)content))
                *generator = 1;
            xmlFree(name);
            xmlFree(content);
        } else if (attr != NULL) {
            xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
            if (v != NULL && v[0] != '\0' && strchr((const char *)v, '/') == NULL)
                names_add(linked, (const char *)v, strlen((const char *)v));
            xmlFree(v);
        }
        walk_page(n->children, generator, linked);
    }
}

/* A report written before the marker existed: reads dir/index.html into linked (the files it links to) and
 * returns 1 when its generator is costfront, 0 otherwise. */
static int legacy_report(const char *dir, names *linked)
{
    char *path = join(dir, "index.html");
    size_t n = 0;
    char *html = path != NULL ? slurp(path, MAX_INDEX, &n) : NULL;
    free(path);
    if (html == NULL || n > (size_t)INT32_MAX) {
        free(html);
        return 0;
    }
    htmlDocPtr doc = htmlReadMemory(html, (int)n, "index.html", "UTF-8",
                                    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    free(html);
    if (doc == NULL) return 0;
    int generator = 0;
    walk_page(xmlDocGetRootElement(doc), &generator, linked);
    xmlFreeDoc(doc);
    return generator;
}

/* Appends up to MAX_LISTED of the names to b as "a, b/, c and 4 more" (directories with a trailing '/'). */
static void list_names(cf_sb *b, const char *dir, const names *l)
{
    for (size_t i = 0; i < l->n && i < MAX_LISTED; i++)
        cf_sb_printf(b, "%s%s%s", i == 0 ? "" : ", ", l->v[i], subdir(dir, l->v[i]) ? "/" : "");
    if (l->n > MAX_LISTED) cf_sb_printf(b, " and %zu more", l->n - MAX_LISTED);
}

/* qsort comparison of two names, so that messages list them in a stable order. */
static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

cf_status cf_rep_dir_check(const char *dir, cf_error *err)
{
    struct stat sb;
    if (lstat(dir, &sb) != 0) return CF_OK; /* missing (a missing parent is reported by the staging step) */
    if (S_ISLNK(sb.st_mode))
        return cf_error_set(err, CF_ERR_IO, dir, 0, 0, NULL,
                            "%s is a symbolic link; a report replaces a directory, never a link: name the directory "
                            "itself or a new one",
                            dir);
    if (!S_ISDIR(sb.st_mode))
        return cf_error_set(err, CF_ERR_IO, dir, 0, 0, NULL,
                            "%s exists and is not a directory; refusing to replace it: choose a new or empty "
                            "directory",
                            dir);
    DIR *d = opendir(dir);
    if (d == NULL) {
        int e = errno;
        return cf_error_set(err, CF_ERR_IO, dir, 0, 0, NULL, "cannot read the directory %s: %s", dir, strerror(e));
    }
    names entries = {0}, listed = {0}, extra = {0};
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            names_add(&entries, de->d_name, strlen(de->d_name));
    closedir(d);
    cf_status st = CF_OK;
    char head[64] = "";
    int kind = 0; /* 1: marked report, 2: report from before the marker */
    if (entries.oom) goto oom;
    if (entries.n == 0) goto done;
    if (names_has(&entries, CF_REPORT_MARKER)) {
        char *p = join(dir, CF_REPORT_MARKER);
        char *text = p != NULL ? slurp(p, MAX_MARKER, NULL) : NULL;
        free(p);
        int m = text != NULL ? parse_marker(text, &listed, head, sizeof head) : 0;
        free(text);
        if (m < 0) {
            st = cf_error_set(err, CF_ERR_IO, dir, 0, 0, NULL,
                              "%s holds a report in a format this costfront does not know ('%s' in %s); refusing "
                              "to replace it: publish with the costfront that wrote it, or choose another directory",
                              dir, head, CF_REPORT_MARKER);
            goto done;
        }
        if (m == 0) {
            st = cf_error_set(err, CF_ERR_IO, dir, 0, 0, NULL,
                              "%s holds a %s file that costfront did not write (it does not start with '%s'); "
                              "refusing to replace the directory: choose a new or empty directory",
                              dir, CF_REPORT_MARKER, CF_REPORT_MARKER_HEAD);
            goto done;
        }
        kind = 1;
    } else if (legacy_report(dir, &listed)) {
        names_add(&listed, "index.html", 10);
        kind = 2;
    } else {
        st = cf_error_set(err, CF_ERR_IO, dir, 0, 0, NULL,
                          "%s exists and does not hold a costfront report (no %s marker file, and no index.html "
                          "written by costfront); refusing to replace it, since publishing removes the old "
                          "directory: choose a new or empty directory",
                          dir, CF_REPORT_MARKER);
        goto done;
    }
    if (listed.oom) goto oom;
    for (size_t i = 0; i < entries.n; i++) {
        const char *e = entries.v[i];
        if (kind == 1 && strcmp(e, CF_REPORT_MARKER) == 0) continue;
        if (names_has(&listed, e) && regular(dir, e)) continue;
        if (listed_temporary(&listed, e) && regular(dir, e)) continue;
        names_add(&extra, e, strlen(e));
    }
    if (extra.oom) goto oom;
    if (extra.n > 0) {
        qsort(extra.v, extra.n, sizeof *extra.v, cmp_name);
        cf_sb b = {0};
        list_names(&b, dir, &extra);
        char *what = cf_sb_take(&b);
        if (what == NULL) goto oom;
        st = cf_error_set(err, CF_ERR_IO, dir, 0, 0, NULL,
                          "%s holds a costfront report%s and %zu %s that the report did not write (%s); refusing to "
                          "replace it, since publishing removes the old directory and costfront never deletes "
                          "files it did not write: move %s out of %s (or choose another directory) and run again",
                          dir, kind == 2 ? " (from before the .costfront-report marker)" : "", extra.n,
                          extra.n == 1 ? "entry" : "entries", what, extra.n == 1 ? "it" : "them", dir);
        free(what);
    }
    goto done;
oom:
    st = cf_error_set(err, CF_ERR_NOMEM, dir, 0, 0, NULL, "out of memory inspecting %s", dir);
done:
    names_free(&entries);
    names_free(&listed);
    names_free(&extra);
    return st;
}

size_t cf_rep_dir_clean_stale(cf_publish_lock *lock)
{
    char **stale = NULL;
    if (cf_publish_lock_stale(lock, &stale, NULL) != CF_OK) return 0;
    size_t removed = 0;
    for (char **p = stale; p != NULL && *p != NULL; p++)
        if (cf_rep_dir_check(*p, NULL) == CF_OK && cf_remove_tree_marked(*p, CF_REPORT_MARKER, NULL) == CF_OK)
            removed++;
    cf_strlist_free(stale);
    cf_publish_lock_forget_stale(lock);
    return removed;
}
