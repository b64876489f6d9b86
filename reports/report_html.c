/* costfront: the HTML report directory (see include/costfront/report.h).
 *
 * The page is a libxml2 tree: every piece of text goes in through xmlNewTextChild / xmlNodeAddContent, which
 * escape it, so a run id like "<b>" can never become markup. The tree is serialised with the HTML serialiser
 * (void elements such as <img> and <meta> unclosed, <!DOCTYPE html>) as UTF-8 bytes, which libxml2 keeps raw in
 * HTML documents. The page is self-contained: inline CSS, no scripts, no external resources; charts are SVG files
 * beside index.html referenced by relative <img> links, so the directory reads from disk without a server.
 *
 * Publication goes through output.h: charts, files and index.html are written into a staging directory that
 * replaces the target only when everything succeeded.
 */
#include <dirent.h>
#include <errno.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "costfront/output.h"
#include "costfront/report.h"
#include "reports/numfmt.h"
#include "reports/report_dir.h"
#include "reports/report_internal.h"
#include "reports/strbuf.h"

#define X(s) ((const xmlChar *)(s))

typedef struct report_chart {
    cf_plot *plot;
    char *name;
} report_chart;

typedef struct report_file {
    char *name;
    unsigned char *data; /* the bytes, or NULL for a spooled file */
    size_t n;
    FILE *spool; /* cf_report_add_file_stream: an unlinked temporary file holding the bytes, else NULL */
} report_file;

struct cf_report {
    xmlDocPtr doc;
    xmlNodePtr body, nav_list, main, footer_files, current;
    char **ids;
    size_t nsec, cap_sec;
    report_chart *charts;
    size_t nch, cap_ch;
    report_file *files;
    size_t nfi, cap_fi;
    char *scope;         /* cf_report_set_scope: appended to section titles whole (malloc'd; NULL for none) */
    char scope_slug[64]; /* ... and, as a slug, to section ids and file names */
};

static const char CSS[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1d2430;"
    "background:#f6f7f9;line-height:1.45}"
    "header{background:#1d2430;color:#fff;padding:1.2em 2em}header h1{margin:0;font-size:1.6em}"
    "nav{padding:.4em 2em;background:#e9edf2}nav ul{list-style:none;margin:0;padding:0}"
    "nav li{display:inline-block;margin-right:1.2em}nav a{color:#1f5fa8;text-decoration:none}"
    "main{padding:1em 2em;max-width:1200px}"
    "section{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:.6em 1.4em 1.2em;margin:1em 0}"
    "h2{font-size:1.25em;border-bottom:1px solid #dde2e8;padding-bottom:.3em}"
    "table{border-collapse:collapse;font-size:.9em;margin:.6em 0;display:block;overflow-x:auto}"
    "caption{text-align:left;font-weight:600;padding:.3em 0}"
    "th,td{padding:.25em .7em;border-bottom:1px solid #e6e9ee;text-align:left;white-space:nowrap}"
    "th{background:#f0f3f6}td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "tbody tr:nth-child(even){background:#fafbfc}"
    "dl.facts{display:grid;grid-template-columns:max-content auto;gap:.35em 1.4em;margin:.6em 0}"
    "dl.facts dt{font-weight:600}dl.facts dd{margin:0}"
    "figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #e6e9ee}"
    "figcaption{font-size:.9em;color:#555}footer{padding:1em 2em;color:#666;font-size:.85em}";

/* Returns text when it is valid UTF-8, else a copy with every byte that does not begin a character replaced by
 * U+FFFD, stored in *copy for the caller to free (NULL when text is returned as it is, or when out of memory, then
 * "" is returned). It is the last guard of the page: whatever a section writes, index.html holds valid UTF-8. */
static const char *valid_text(const char *text, char **copy)
{
    *copy = NULL;
    if (text == NULL || cf_utf8_valid(text)) return text;
    cf_sb b = {0};
    cf_sb_put_utf8(&b, text);
    *copy = cf_sb_take(&b);
    return *copy != NULL ? *copy : "";
}

/* Sets an attribute from text, made valid UTF-8 as valid_text does. */
static void set_prop(xmlNodePtr node, const char *name, const char *text)
{
    char *copy;
    const char *t = valid_text(text, &copy);
    xmlSetProp(node, X(name), X(t != NULL ? t : ""));
    free(copy);
}

/* Adds a child element with escaped text (text may be NULL for none), made valid UTF-8 as valid_text does. Returns
 * NULL when out of memory. */
static xmlNodePtr add_el(xmlNodePtr parent, const char *name, const char *text)
{
    if (parent == NULL) return NULL;
    char *copy;
    const char *t = valid_text(text, &copy);
    xmlNodePtr n = xmlNewTextChild(parent, NULL, X(name), t != NULL ? X(t) : NULL);
    free(copy);
    /* libxml2's serialiser knows HTML 4 only and would run HTML5 blocks together on one line: break after them
     * (whitespace between blocks means nothing to a browser) so the source stays readable and diffable. */
    static const char *const blocks[] = {"header", "nav",   "main", "section", "footer",
                                         "figure", "table", "dl",   "ul",      "p"};
    for (size_t i = 0; n != NULL && i < sizeof blocks / sizeof blocks[0]; i++)
        if (strcmp(name, blocks[i]) == 0) xmlNodeAddContent(parent, X("\n"));
    return n;
}

/* Returns 1 when a file name is safe inside the report directory. */
static int safe_name(const char *s)
{
    if (s == NULL || s[0] == '\0' || s[0] == '.' || strlen(s) > 200) return 0;
    for (const char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
              *c == '-' || *c == '.'))
            return 0;
    return strcmp(s, "index.html") != 0;
}

/* Returns 1 when a section id is a valid anchor. */
static int safe_id(const char *s)
{
    if (s == NULL || s[0] == '\0' || strlen(s) > 150) return 0; /* a section id and a 63-byte scope slug */
    for (const char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
              *c == '-'))
            return 0;
    return 1;
}

cf_report *cf_report_create(const char *title)
{
    if (title == NULL) title = "costfront report";
    cf_report *r = calloc(1, sizeof *r);
    if (r == NULL) return NULL;
    r->doc = htmlNewDocNoDtD(NULL, NULL);
    if (r->doc == NULL) goto fail;
    if (xmlCreateIntSubset(r->doc, X("html"), NULL, NULL) == NULL) goto fail;
    xmlNodePtr html = xmlNewNode(NULL, X("html"));
    if (html == NULL) goto fail;
    xmlDocSetRootElement(r->doc, html);
    xmlSetProp(html, X("lang"), X("en"));
    xmlNodePtr head = add_el(html, "head", NULL);
    xmlNodePtr meta = add_el(head, "meta", NULL);
    xmlSetProp(meta, X("charset"), X("utf-8"));
    meta = add_el(head, "meta", NULL);
    xmlSetProp(meta, X("name"), X("viewport"));
    xmlSetProp(meta, X("content"), X("width=device-width, initial-scale=1"));
    meta = add_el(head, "meta", NULL);
    xmlSetProp(meta, X("name"), X("generator"));
    char gen[64];
    snprintf(gen, sizeof gen, "costfront %s", cf_version());
    xmlSetProp(meta, X("content"), X(gen));
    add_el(head, "title", title);
    add_el(head, "style", CSS);
    r->body = add_el(html, "body", NULL);
    xmlNodePtr header = add_el(r->body, "header", NULL);
    add_el(header, "h1", title);
    xmlNodePtr nav = add_el(r->body, "nav", NULL);
    r->nav_list = add_el(nav, "ul", NULL);
    r->main = add_el(r->body, "main", NULL);
    xmlNodePtr footer = add_el(r->body, "footer", NULL);
    char ft[128];
    snprintf(ft, sizeof ft, "Generated by costfront %s. Files: ", cf_version());
    xmlNodePtr fp = add_el(footer, "p", ft);
    r->footer_files = fp;
    if (r->nav_list == NULL || r->main == NULL || r->footer_files == NULL) goto fail;
    return r;
fail:
    cf_report_destroy(r);
    return NULL;
}

void cf_report_destroy(cf_report *r)
{
    if (r == NULL) return;
    if (r->doc != NULL) xmlFreeDoc(r->doc);
    for (size_t i = 0; i < r->nsec; i++) free(r->ids[i]);
    free(r->ids);
    for (size_t i = 0; i < r->nch; i++) {
        cf_plot_destroy(r->charts[i].plot);
        free(r->charts[i].name);
    }
    free(r->charts);
    for (size_t i = 0; i < r->nfi; i++) {
        free(r->files[i].name);
        free(r->files[i].data);
        if (r->files[i].spool != NULL) fclose(r->files[i].spool);
    }
    free(r->files);
    free(r->scope);
    free(r);
}

static cf_status add_section(cf_report *r, const char *id, const char *title);

/* A scoped title is built whole ("Summary: model=..."), never cut into a buffer: a cut could split a UTF-8
 * character and make the page invalid UTF-8 (issue 10). */
cf_status cf_report_add_section(cf_report *r, const char *id, const char *title)
{
    char sid[160];
    char *stitle = NULL;
    if (r != NULL && id != NULL && r->scope_slug[0]) {
        snprintf(sid, sizeof sid, "%s-%s", id, r->scope_slug);
        cf_sb tb = {0};
        cf_sb_printf(&tb, "%s: %s", title != NULL ? title : id, r->scope != NULL ? r->scope : "");
        if ((stitle = cf_sb_take(&tb)) == NULL) return CF_ERR_NOMEM;
        id = sid;
        title = stitle;
    }
    cf_status st = add_section(r, id, title);
    free(stitle);
    return st;
}

/* Adds the section id with its title (both final) to the page and the navigation. */
static cf_status add_section(cf_report *r, const char *id, const char *title)
{
    if (r == NULL || !safe_id(id)) return CF_ERR_ARG;
    for (size_t i = 0; i < r->nsec; i++)
        if (strcmp(r->ids[i], id) == 0) return CF_ERR_ARG;
    if (cf_rep_grow((void **)&r->ids, &r->cap_sec, r->nsec, sizeof *r->ids) != 0) return CF_ERR_NOMEM;
    char *copy = cf_rep_dupstr(id);
    xmlNodePtr sec = add_el(r->main, "section", NULL);
    if (copy == NULL || sec == NULL) {
        free(copy);
        return CF_ERR_NOMEM;
    }
    xmlSetProp(sec, X("id"), X(id));
    add_el(sec, "h2", title != NULL ? title : id);
    xmlNodePtr li = add_el(r->nav_list, "li", NULL);
    char href[160 + 2];
    snprintf(href, sizeof href, "#%s", id);
    xmlNodePtr a = add_el(li, "a", title != NULL ? title : id);
    if (a == NULL) return CF_ERR_NOMEM;
    xmlSetProp(a, X("href"), X(href));
    r->ids[r->nsec++] = copy;
    r->current = sec;
    return CF_OK;
}

/* The node new content goes into: the current section, or <main> before any section. */
static xmlNodePtr target(cf_report *r) { return r->current != NULL ? r->current : r->main; }

cf_status cf_report_add_paragraph(cf_report *r, const char *text)
{
    if (r == NULL || text == NULL) return CF_ERR_ARG;
    return add_el(target(r), "p", text) != NULL ? CF_OK : CF_ERR_NOMEM;
}

cf_status cf_report_add_facts(cf_report *r, const char *const *keys, const char *const *values, size_t n)
{
    if (r == NULL || (n > 0 && (keys == NULL || values == NULL))) return CF_ERR_ARG;
    xmlNodePtr dl = add_el(target(r), "dl", NULL);
    if (dl == NULL) return CF_ERR_NOMEM;
    xmlSetProp(dl, X("class"), X("facts"));
    for (size_t i = 0; i < n; i++) {
        if (add_el(dl, "dt", keys[i] != NULL ? keys[i] : "") == NULL) return CF_ERR_NOMEM;
        if (add_el(dl, "dd", values[i] != NULL ? values[i] : "") == NULL) return CF_ERR_NOMEM;
    }
    return CF_OK;
}

cf_status cf_report_add_list(cf_report *r, const char *const *items, size_t n)
{
    if (r == NULL || (n > 0 && items == NULL)) return CF_ERR_ARG;
    xmlNodePtr ul = add_el(target(r), "ul", NULL);
    if (ul == NULL) return CF_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (add_el(ul, "li", items[i] != NULL ? items[i] : "") == NULL) return CF_ERR_NOMEM;
    return CF_OK;
}

/* Returns 1 when a cell reads as a number: optional sign and '$', digits with ',' groups, a point, an exponent,
 * an optional trailing '%'. */
static int numeric_cell(const char *s)
{
    const char *c = s;
    if (*c == '-' || *c == '+') c++;
    if (*c == '$') c++;
    int digits = 0;
    while ((*c >= '0' && *c <= '9') || *c == ',') digits |= *c++ != ',';
    if (*c == '.') {
        c++;
        while (*c >= '0' && *c <= '9') digits |= 1, c++;
    }
    if (digits && (*c == 'e' || *c == 'E')) {
        c++;
        if (*c == '-' || *c == '+') c++;
        if (!(*c >= '0' && *c <= '9')) return 0;
        while (*c >= '0' && *c <= '9') c++;
    }
    if (*c == '%') c++;
    return digits && *c == '\0';
}

cf_status cf_report_add_table(cf_report *r, const char *caption, size_t ncols, const char *const *header, size_t nrows,
                              const char *const *cells)
{
    if (r == NULL || ncols == 0 || header == NULL || (nrows > 0 && cells == NULL)) return CF_ERR_ARG;
    unsigned char *num = calloc(ncols, 1);
    if (num == NULL) return CF_ERR_NOMEM;
    for (size_t k = 0; k < ncols; k++) {
        size_t seen = 0;
        num[k] = 1;
        for (size_t i = 0; i < nrows && num[k]; i++) {
            const char *c = cells[i * ncols + k];
            if (c == NULL || c[0] == '\0' || strcmp(c, "-") == 0) continue;
            seen++;
            num[k] = (unsigned char)numeric_cell(c);
        }
        if (seen == 0) num[k] = 0;
    }
    cf_status st = CF_ERR_NOMEM;
    xmlNodePtr t = add_el(target(r), "table", NULL);
    if (t == NULL) goto done;
    if (caption != NULL && add_el(t, "caption", caption) == NULL) goto done;
    xmlNodePtr tr = add_el(add_el(t, "thead", NULL), "tr", NULL);
    for (size_t k = 0; k < ncols; k++) {
        xmlNodePtr th = add_el(tr, "th", header[k] != NULL ? header[k] : "");
        if (th == NULL) goto done;
        if (num[k]) xmlSetProp(th, X("class"), X("num"));
    }
    xmlNodePtr tb = add_el(t, "tbody", NULL);
    for (size_t i = 0; i < nrows; i++) {
        tr = add_el(tb, "tr", NULL);
        for (size_t k = 0; k < ncols; k++) {
            const char *c = cells[i * ncols + k];
            xmlNodePtr td = add_el(tr, "td", c != NULL ? c : "");
            if (td == NULL) goto done;
            if (num[k]) xmlSetProp(td, X("class"), X("num"));
        }
    }
    st = CF_OK;
done:
    free(num);
    return st;
}

/* Links a file from the footer. */
static void footer_link(cf_report *r, const char *name)
{
    if (xmlChildElementCount(r->footer_files) > 0) xmlNodeAddContent(r->footer_files, X(", "));
    xmlNodePtr a = add_el(r->footer_files, "a", name);
    if (a != NULL) xmlSetProp(a, X("href"), X(name));
}

/* Returns 1 when name is already used by a chart or file. */
static int name_taken(const cf_report *r, const char *name)
{
    for (size_t i = 0; i < r->nch; i++)
        if (strcmp(r->charts[i].name, name) == 0) return 1;
    for (size_t i = 0; i < r->nfi; i++)
        if (strcmp(r->files[i].name, name) == 0) return 1;
    return 0;
}

cf_status cf_report_add_chart(cf_report *r, cf_plot *plot, const char *file_name, const char *alt)
{
    char scoped[192];
    if (r != NULL && file_name != NULL && r->scope_slug[0]) {
        snprintf(scoped, sizeof scoped, "%s-%s", r->scope_slug, file_name);
        file_name = scoped;
    }
    if (r == NULL || plot == NULL || !safe_name(file_name) || name_taken(r, file_name)) {
        cf_plot_destroy(plot);
        return CF_ERR_ARG;
    }
    char *name = cf_rep_dupstr(file_name);
    if (name == NULL || cf_rep_grow((void **)&r->charts, &r->cap_ch, r->nch, sizeof *r->charts) != 0) {
        free(name);
        cf_plot_destroy(plot);
        return CF_ERR_NOMEM;
    }
    r->charts[r->nch++] = (report_chart){plot, name};
    xmlNodePtr fig = add_el(target(r), "figure", NULL);
    xmlNodePtr img = add_el(fig, "img", NULL);
    if (img == NULL) return CF_ERR_NOMEM;
    xmlSetProp(img, X("src"), X(file_name));
    set_prop(img, "alt", alt != NULL ? alt : file_name);
    if (alt != NULL && add_el(fig, "figcaption", alt) == NULL) return CF_ERR_NOMEM;
    return CF_OK;
}

const cf_plot *cf_report_chart_plot(const cf_report *r, const char *file_name)
{
    for (size_t i = 0; r != NULL && file_name != NULL && i < r->nch; i++)
        if (strcmp(r->charts[i].name, file_name) == 0) return r->charts[i].plot;
    return NULL;
}

/* The name a file added now as name gets (the scope's prefix, as cf_report_add_file gives it), into buf. */
static const char *scoped_name(const cf_report *r, const char *name, char *buf, size_t n)
{
    if (r->scope_slug[0])
        snprintf(buf, n, "%s-%s", r->scope_slug, name);
    else
        snprintf(buf, n, "%s", name);
    return buf;
}

/* Adds a paragraph "before" + a link to file (its scoped name) + "after"; texts are escaped like every other. */
static cf_status add_link_paragraph(cf_report *r, const char *before, const char *file, const char *mid,
                                    const char *file2, const char *after)
{
    char n1[192], n2[192];
    xmlNodePtr p = add_el(target(r), "p", before);
    if (p == NULL) return CF_ERR_NOMEM;
    xmlNodePtr a = add_el(p, "a", scoped_name(r, file, n1, sizeof n1));
    if (a == NULL) return CF_ERR_NOMEM;
    xmlSetProp(a, X("href"), X(n1));
    if (file2 != NULL) {
        xmlNodeAddContent(p, X(mid));
        a = add_el(p, "a", scoped_name(r, file2, n2, sizeof n2));
        if (a == NULL) return CF_ERR_NOMEM;
        xmlSetProp(a, X("href"), X(n2));
    }
    xmlNodeAddContent(p, X(after));
    return CF_OK;
}

cf_status cf_report_add_file(cf_report *r, const char *file_name, const void *data, size_t n)
{
    char scoped[192];
    if (r != NULL && file_name != NULL && r->scope_slug[0]) {
        snprintf(scoped, sizeof scoped, "%s-%s", r->scope_slug, file_name);
        file_name = scoped;
    }
    if (r == NULL || !safe_name(file_name) || name_taken(r, file_name) || (n > 0 && data == NULL)) return CF_ERR_ARG;
    char *name = cf_rep_dupstr(file_name);
    unsigned char *copy = malloc(n ? n : 1);
    if (name == NULL || copy == NULL || cf_rep_grow((void **)&r->files, &r->cap_fi, r->nfi, sizeof *r->files) != 0) {
        free(name);
        free(copy);
        return CF_ERR_NOMEM;
    }
    if (n) memcpy(copy, data, n);
    r->files[r->nfi++] = (report_file){name, copy, n, NULL};
    footer_link(r, file_name);
    return CF_OK;
}

/* An unnamed temporary file in $TMPDIR (else /tmp), opened for reading and writing and unlinked at once, so that
 * nothing is left behind whatever happens to the process. NULL when it cannot be made. */
static FILE *spool_file(void)
{
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || dir[0] == '\0') dir = "/tmp";
    size_t n = strlen(dir) + sizeof "/costfront-spool-XXXXXX";
    char *path = malloc(n);
    if (path == NULL) return NULL;
    snprintf(path, n, "%s/costfront-spool-XXXXXX", dir);
    int fd = mkstemp(path);
    FILE *fp = NULL;
    if (fd >= 0) {
        unlink(path);
        fp = fdopen(fd, "w+b");
        if (fp == NULL) close(fd);
    }
    free(path);
    return fp;
}

/* The content is written once, now, into a spool file and copied at publish time: the writer's inputs (a frontier
 * of a group, say) may be gone by then, and the report never holds the bytes in memory (issue 14). */
cf_status cf_report_add_file_stream(cf_report *r, const char *file_name, cf_report_writer write, void *ctx,
                                    cf_error *err)
{
    char scoped[192];
    if (r != NULL && file_name != NULL && r->scope_slug[0]) {
        snprintf(scoped, sizeof scoped, "%s-%s", r->scope_slug, file_name);
        file_name = scoped;
    }
    if (r == NULL || write == NULL || !safe_name(file_name) || name_taken(r, file_name))
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cannot attach %s: %s",
                            file_name != NULL ? file_name : "(null)",
                            r != NULL && file_name != NULL && safe_name(file_name) && write != NULL
                                ? "the report already has a file of that name"
                                : "not a file name for the report directory");
    char *name = cf_rep_dupstr(file_name);
    if (name == NULL || cf_rep_grow((void **)&r->files, &r->cap_fi, r->nfi, sizeof *r->files) != 0) {
        free(name);
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory attaching %s", file_name);
    }
    FILE *fp = spool_file();
    if (fp == NULL) {
        free(name);
        return cf_error_set(err, CF_ERR_IO, NULL, 0, 0, NULL, "cannot create a temporary file for %s in %s: %s",
                            file_name, getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp", strerror(errno));
    }
    cf_status st = write(ctx, fp, err);
    if (st == CF_OK && (fflush(fp) != 0 || ferror(fp)))
        st = cf_error_set(err, CF_ERR_IO, NULL, 0, 0, NULL, "cannot write %s to a temporary file: %s", file_name,
                          strerror(errno));
    if (st != CF_OK) {
        fclose(fp);
        free(name);
        return st;
    }
    r->files[r->nfi++] = (report_file){name, NULL, 0, fp};
    footer_link(r, file_name);
    return CF_OK;
}

/* Copies a spooled file into path atomically (output.h), in blocks. */
static cf_status copy_spool(FILE *spool, const char *path, cf_error *err)
{
    if (fseek(spool, 0, SEEK_SET) != 0)
        return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot read back a temporary file: %s",
                            strerror(errno));
    cf_atomic_file *af = NULL;
    cf_status st = cf_atomic_open(path, &af, err);
    if (st != CF_OK) return st;
    FILE *out = cf_atomic_stream(af);
    char buf[1 << 16];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, spool)) > 0)
        if (fwrite(buf, 1, k, out) != k) break;
    if (ferror(spool)) {
        cf_atomic_abort(af);
        return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot read back a temporary file");
    }
    return cf_atomic_commit(af, err); /* a failed fwrite leaves the stream in error, and the commit fails */
}

size_t cf_report_section_count(const cf_report *r) { return r != NULL ? r->nsec : 0; }

/* 1 when a scope slug would give a section id or a file name that an earlier scope already used: some section id
 * ends with "-slug" or some chart or file name starts with "slug-". The test is conservative (a false positive only
 * costs a numbered slug) and needs no memory of earlier scopes. */
static int slug_taken(const cf_report *r, const char *slug)
{
    size_t n = strlen(slug);
    for (size_t i = 0; i < r->nsec; i++) {
        size_t m = strlen(r->ids[i]);
        if (m > n && r->ids[i][m - n - 1] == '-' && strcmp(r->ids[i] + m - n, slug) == 0) return 1;
    }
    for (size_t i = 0; i < r->nch; i++)
        if (strncmp(r->charts[i].name, slug, n) == 0 && r->charts[i].name[n] == '-') return 1;
    for (size_t i = 0; i < r->nfi; i++)
        if (strncmp(r->files[i].name, slug, n) == 0 && r->files[i].name[n] == '-') return 1;
    return 0;
}

/* The slug keeps ASCII letters and digits and folds every other run of bytes into '-'; two scopes can therefore
 * give the same slug ("ResNet 50" and "resnet-50", two non-ASCII names, two long names sharing their first 56
 * characters), and the later one is numbered ("-2", "-3", ...) so that the report never adds a section twice
 * (issue 10). The title keeps the scope whole, as given. */
void cf_report_set_scope(cf_report *r, const char *scope)
{
    if (r == NULL) return;
    free(r->scope);
    r->scope = NULL;
    r->scope_slug[0] = '\0';
    if (scope == NULL || scope[0] == '\0') return;
    if ((r->scope = cf_rep_dupstr(scope)) == NULL) return; /* out of memory: unscoped, as before any scope */
    enum { SLUG_BASE = 56 }; /* room left in scope_slug for "-NNNNNN" */
    char base[SLUG_BASE + 1];
    size_t k = 0;
    for (const char *c = scope; *c && k < SLUG_BASE; c++) {
        unsigned char ch = (unsigned char)*c;
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
            base[k++] = (char)ch;
        else if (ch >= 'A' && ch <= 'Z')
            base[k++] = (char)(ch - 'A' + 'a');
        else if (k > 0 && base[k - 1] != '-')
            base[k++] = '-';
    }
    while (k > 0 && base[k - 1] == '-') k--;
    if (k == 0) base[k++] = 'x'; /* a scope of only symbols still needs a name */
    base[k] = '\0';
    snprintf(r->scope_slug, sizeof r->scope_slug, "%s", base);
    for (unsigned n = 2; slug_taken(r, r->scope_slug) && n < 1000000; n++)
        snprintf(r->scope_slug, sizeof r->scope_slug, "%s-%u", base, n);
}

cf_status cf_report_html(const cf_report *r, char **out, cf_error *err)
{
    if (out != NULL) *out = NULL;
    if (r == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_report_html needs a report and an output");
    xmlOutputBufferPtr buf = xmlAllocOutputBuffer(NULL);
    if (buf == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory rendering HTML");
    htmlDocContentDumpFormatOutput(buf, r->doc, "UTF-8", 1);
    xmlOutputBufferFlush(buf);
    const xmlChar *content = xmlOutputBufferGetContent(buf);
    size_t n = xmlOutputBufferGetSize(buf);
    char *s = content != NULL && buf->error == 0 ? malloc(n + 1) : NULL;
    if (s != NULL) {
        memcpy(s, content, n);
        s[n] = '\0';
    }
    xmlOutputBufferClose(buf);
    if (s == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "cannot render the HTML report");
    *out = s;
    return CF_OK;
}

/* Returns a malloc'd "a/b". */
static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s != NULL) snprintf(s, n, "%s/%s", a, b);
    return s;
}

/* Writes the marker file (report_dir.h) into the staging directory first, listing every file the report writes,
 * so that the published directory, and a staging directory left by a killed run, are recognisably ours. */
static cf_status stage_marker(const cf_report *r, cf_staged_dir *stage, cf_error *err)
{
    const char **list = malloc((r->nch + r->nfi + 1) * sizeof *list);
    if (list == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    size_t n = 0;
    list[n++] = "index.html";
    for (size_t i = 0; i < r->nch; i++) list[n++] = r->charts[i].name;
    for (size_t i = 0; i < r->nfi; i++) list[n++] = r->files[i].name;
    size_t len = 0;
    char *text = cf_rep_marker_text(list, n, &len);
    free(list);
    if (text == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    cf_status st = cf_staged_dir_set_marker(stage, CF_REPORT_MARKER, text, len, err);
    free(text);
    return st;
}

/* Builds the report in a staging directory beside dir and swaps it in; the caller holds dir's publish lock (whose
 * journal records the staging directories) and has checked that dir may be replaced. */
static cf_status publish_locked(const cf_report *r, const char *dir, cf_publish_lock *lock, cf_error *err)
{
    cf_staged_dir *stage = NULL;
    cf_status st = cf_staged_dir_begin_locked(dir, lock, &stage, err);
    if (st != CF_OK) return st;
    st = stage_marker(r, stage, err);
    const char *sp = cf_staged_dir_path(stage);
    char *path = NULL, *html = NULL;
    for (size_t i = 0; i < r->nch && st == CF_OK; i++) {
        path = join(sp, r->charts[i].name);
        if (path == NULL) {
            st = cf_error_set(err, CF_ERR_NOMEM, dir, 0, 0, NULL, "out of memory");
            break;
        }
        /* gnuplot runs in a staging directory of its own; a failing script is kept there, and the error names it. */
        st = cf_plot_render_svg(r->charts[i].plot, path, NULL, err);
        free(path);
        path = NULL;
    }
    for (size_t i = 0; i < r->nfi && st == CF_OK; i++) {
        path = join(sp, r->files[i].name);
        if (path == NULL)
            st = cf_error_set(err, CF_ERR_NOMEM, dir, 0, 0, NULL, "out of memory");
        else if (r->files[i].spool != NULL)
            st = copy_spool(r->files[i].spool, path, err);
        else
            st = cf_write_file_atomic(path, r->files[i].data, r->files[i].n, err);
        free(path);
        path = NULL;
    }
    if (st == CF_OK) st = cf_report_html(r, &html, err);
    if (st == CF_OK) {
        path = join(sp, "index.html");
        if (path == NULL)
            st = cf_error_set(err, CF_ERR_NOMEM, dir, 0, 0, NULL, "out of memory");
        else
            st = cf_write_string_atomic(path, html, err);
        free(path);
    }
    free(html);
    /* Again, since building took a while (gnuplot): a file a user put into dir meanwhile must not go with it. */
    if (st == CF_OK) st = cf_rep_dir_check(dir, err);
    if (st != CF_OK) {
        cf_staged_dir_abort(stage);
        return st;
    }
    return cf_staged_dir_commit(stage, err);
}

cf_status cf_report_publish_wait(const cf_report *r, const char *dir, double wait_seconds, cf_error *err)
{
    if (r == NULL || dir == NULL || dir[0] == '\0')
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_report_publish needs a report and a directory");
    /* Without its trailing slashes, so that "link/" is seen as the link it is, not as the directory it names. */
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    char *d = malloc(n + 1);
    if (d == NULL) return cf_error_set(err, CF_ERR_NOMEM, dir, 0, 0, NULL, "out of memory");
    memcpy(d, dir, n);
    d[n] = '\0';
    cf_publish_lock *lock = NULL;
    cf_status st = cf_publish_lock_acquire(d, wait_seconds, &lock, err);
    if (st == CF_OK) {
        /* Under the lock no other publisher of dir is alive, so its staging directories are a killed run's, and
         * the check of dir cannot race with another publisher's swap. */
        (void)cf_rep_dir_clean_stale(lock);
        st = cf_rep_dir_check(d, err);
        if (st == CF_OK) st = publish_locked(r, d, lock, err);
        cf_publish_lock_release(lock);
    }
    free(d);
    return st;
}

cf_status cf_report_publish(const cf_report *r, const char *dir, cf_error *err)
{
    return cf_report_publish_wait(r, dir, CF_REPORT_PUBLISH_WAIT, err);
}

/* ------------------------------------------------------------------------------------------------------------
 * The standard frontier report. Everything below selects and formats results already on the frontier.
 * ------------------------------------------------------------------------------------------------------------ */

/* A growing list of malloc'd strings (table cells, list items) with a sticky out-of-memory flag. */
typedef struct strs {
    char **v;
    size_t n, cap;
    int oom;
} strs;

/* Appends a formatted string. */
static void strs_add(strs *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void strs_add(strs *s, const char *fmt, ...)
{
    if (s->oom) return;
    if (cf_rep_grow((void **)&s->v, &s->cap, s->n, sizeof *s->v) != 0) {
        s->oom = 1;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *t = k >= 0 ? malloc((size_t)k + 1) : NULL;
    if (t == NULL) {
        s->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(t, (size_t)k + 1, fmt, ap);
    va_end(ap);
    s->v[s->n++] = t;
}

/* Frees the strings and resets s. */
static void strs_free(strs *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* Number formatting shortcuts (each uses its own static-free buffer passed by the caller). */
static const char *g10(char *b, double v) { return cf_fmt_g10(b, v, "-"); }
static const char *fx(char *b, double v, int p) { return cf_fmt_fixed(b, v, p, "-"); }
static const char *money(char *b, double v) { return cf_fmt_money(b, v, "-"); }

/* Accuracy as a percentage with two decimals, "91.20%". */
static const char *pct(char *b, double frac)
{
    if (!isfinite(frac)) return strcpy(b, "-");
    cf_fmt_fixed(b, frac * 100.0, 2, "-");
    strcat(b, "%");
    return b;
}

/* Text or "-" for NULL. */
static const char *txt(const char *s) { return s != NULL && s[0] != '\0' ? s : "-"; }

/* The summary's chosen candidate: the cheapest candidate reaching target (cf_rep_target_best, the same answer as
 * the table's and the JSON's "target"), or, without a target, the knee. */
static size_t pick_best(const cf_frontier *f, double target)
{
    if (!isfinite(target)) return cf_frontier_knee(f);
    return cf_rep_target_best(f, target, NULL);
}

/* Appends "<value of objective name> " for candidate i the way a person reads it: accuracy as a percentage, money
 * with its unit ("$12.34 total" for total_cost_usd, "$9.10 cash" for cost_usd, "$0.20 carbon_cost_usd"), other
 * objectives as "name value". */
static void value_phrase(cf_sb *b, const cf_frontier *f, size_t i, const char *name)
{
    char v[CF_NUM_BUF];
    double x = cf_frontier_field(f, i, name);
    if (!strcmp(name, "accuracy"))
        cf_sb_printf(b, "accuracy %s", pct(v, x));
    else if (!strcmp(name, "total_cost_usd"))
        cf_sb_printf(b, "%s total", money(v, x));
    else if (!strcmp(name, "cost_usd"))
        cf_sb_printf(b, "%s cash", money(v, x));
    else if (strstr(name, "_usd") != NULL)
        cf_sb_printf(b, "%s %s", money(v, x), name);
    else {
        char g[CF_NUM_BUF];
        cf_fmt_g10(g, x, "-");
        cf_sb_printf(b, "%s %s", name, g);
    }
}

/* 1 when the objectives in use include name. */
static int uses_objective(const cf_frontier *f, const char *name)
{
    const cf_frontier_opts *o = cf_frontier_options(f);
    for (size_t k = 0; o != NULL && k < o->n_objectives; k++)
        if (!strcmp(o->objectives[k].name, name)) return 1;
    return 0;
}

/* Describes candidate i in one phrase by the objectives in use (issue 9: a time-to-train table printed
 * "accuracy -"): "run r7 on spot (a100-80gb, bf16): accuracy 91.20%, $12.34 total"; the total cost is added when
 * no objective is a cost, and the accuracy when it is known though not an objective. */
static char *describe(const cf_frontier *f, size_t i)
{
    const cf_candidate *c = cf_frontier_candidate(f, i);
    if (c == NULL) return cf_rep_dupstr("-");
    cf_sb b = {0};
    cf_sb_printf(&b, "run %s on %s (%s, %s): ", txt(c->run_id), cf_procurement_name(c->price.option), txt(c->hardware),
                 cf_precision_name(c->precision));
    const cf_frontier_opts *o = cf_frontier_options(f);
    int parts = 0, any_cost = 0;
    if (!uses_objective(f, "accuracy") && isfinite(c->accuracy)) {
        value_phrase(&b, f, i, "accuracy");
        parts++;
    }
    for (size_t k = 0; o != NULL && k < o->n_objectives; k++) {
        if (parts++) cf_sb_puts(&b, ", ");
        value_phrase(&b, f, i, o->objectives[k].name);
        any_cost |= strstr(o->objectives[k].name, "cost") != NULL;
    }
    if (!any_cost) {
        if (parts++) cf_sb_puts(&b, ", ");
        value_phrase(&b, f, i, "total_cost_usd");
    }
    return cf_sb_take(&b);
}

/* What the knee trades, in the objectives' words: "accuracy and total_cost_usd" (malloc'd, NULL when out of
 * memory). */
static char *tradeoff_phrase(const cf_frontier *f)
{
    const cf_frontier_opts *o = cf_frontier_options(f);
    size_t d = o != NULL ? o->n_objectives : 0;
    cf_sb b = {0};
    for (size_t k = 0; k < d; k++)
        cf_sb_printf(&b, "%s%s", k == 0 ? "" : k + 1 == d ? " and " : ", ", o->objectives[k].name);
    return cf_sb_take(&b);
}

/* The summary section for a CFO. */
static cf_status section_summary(cf_report *r, const cf_frontier *f, const cf_runset *rs, const cf_report_opts *o)
{
    cf_status st = cf_report_add_section(r, "summary", "Summary");
    if (st != CF_OK) return st;
    strs k = {0}, v = {0};
    char a[CF_NUM_BUF], a2[CF_NUM_BUF], m[CF_NUM_BUF], m2[CF_NUM_BUF];
    size_t n = cf_frontier_candidate_count(f), knee = cf_frontier_knee(f);
    size_t best = pick_best(f, o->target_accuracy);

    if (isfinite(o->target_accuracy)) {
        strs_add(&k, "Best run at target accuracy %s", pct(a, o->target_accuracy));
        if (best != CF_REP_NONE) {
            char *line = describe(f, best);
            if (line == NULL) v.oom = 1;
            strs_add(&v, "%s", line != NULL ? line : "");
            free(line);
        } else {
            size_t top = CF_REP_NONE;
            (void)cf_rep_target_best(f, o->target_accuracy, &top);
            if (top == CF_REP_NONE)
                strs_add(&v, "None can be named: no run has an accuracy.");
            else
                strs_add(&v, "No run reaches %s (the most accurate, run %s, reaches %s); lower the target or train "
                             "further.",
                         pct(a, o->target_accuracy), txt(cf_frontier_candidate(f, top)->run_id),
                         pct(m, cf_frontier_candidate(f, top)->accuracy));
        }
    }
    strs_add(&k, "Knee of the frontier");
    if (knee != CF_REP_NONE) {
        char *line = describe(f, knee), *tr = tradeoff_phrase(f);
        if (line == NULL || tr == NULL) v.oom = 1;
        if (uses_objective(f, "accuracy") && cf_frontier_options(f)->n_objectives == 2)
            strs_add(&v, "%s (the best trade-off between %s: beyond it, accuracy gets expensive)", line ? line : "",
                     tr ? tr : "");
        else
            strs_add(&v, "%s (the best trade-off between %s: beyond it, improving one costs much of the other%s)",
                     line ? line : "", tr ? tr : "", cf_frontier_options(f)->n_objectives > 2 ? "s" : "");
        free(line);
        free(tr);
    } else {
        strs_add(&v, "none (the frontier is empty)");
    }

    /* The cheapest way to buy the chosen run: its candidates under every option. */
    const cf_candidate *bc = best != CF_REP_NONE ? cf_frontier_candidate(f, best) : NULL;
    if (bc != NULL) {
        size_t cheapest = CF_REP_NONE;
        cf_sb others = {0};
        for (size_t i = 0; i < n; i++) {
            const cf_candidate *c = cf_frontier_candidate(f, i);
            if (c == NULL || c->run_id == NULL || bc->run_id == NULL || strcmp(c->run_id, bc->run_id) != 0) continue;
            if (cheapest == CF_REP_NONE ||
                c->price.total_cost_usd < cf_frontier_candidate(f, cheapest)->price.total_cost_usd)
                cheapest = i;
        }
        for (size_t i = 0; i < n; i++) {
            const cf_candidate *c = cf_frontier_candidate(f, i);
            if (i == cheapest || c == NULL || c->run_id == NULL || strcmp(c->run_id, bc->run_id) != 0) continue;
            cf_sb_printf(&others, "%s%s %s", others.n ? ", " : "", cf_procurement_name(c->price.option),
                         money(m, c->price.total_cost_usd));
        }
        char *ot = cf_sb_take(&others);
        const cf_candidate *cc = cf_frontier_candidate(f, cheapest);
        strs_add(&k, "Cheapest way to buy run %s", txt(bc->run_id));
        char *grav = cf_rep_gravity_phrase(cc); /* issue 16: say when data gravity decided */
        strs_add(&v, "%s at %s total%s%s%s%s%s", cf_procurement_name(cc->price.option),
                 money(m, cc->price.total_cost_usd), ot != NULL && ot[0] ? " (vs " : "", ot != NULL ? ot : "",
                 ot != NULL && ot[0] ? ")" : "", grav ? "; " : "", grav ? grav : "");
        free(grav);
        free(ot);

        /* Savings against the naive choice: the most accurate on-demand run when accuracy is known, else the same
         * run on on-demand. Each missing comparison says why it is missing. */
        size_t naive = CF_REP_NONE, on_demand = 0, any_acc = 0;
        for (size_t i = 0; i < n; i++) {
            const cf_candidate *c = cf_frontier_candidate(f, i);
            if (c == NULL || c->predicted) continue;
            any_acc += isfinite(c->accuracy) != 0;
            if (c->price.option != CF_PROC_ON_DEMAND) continue;
            on_demand++;
            if (!isfinite(c->accuracy)) continue;
            const cf_candidate *nc = naive != CF_REP_NONE ? cf_frontier_candidate(f, naive) : NULL;
            if (nc == NULL || c->accuracy > nc->accuracy ||
                (c->accuracy == nc->accuracy && c->price.total_cost_usd < nc->price.total_cost_usd))
                naive = i;
        }
        if (any_acc > 0) {
            strs_add(&k, "Savings vs the most accurate on-demand run");
            if (naive != CF_REP_NONE) {
                const cf_candidate *nc = cf_frontier_candidate(f, naive);
                double save = nc->price.total_cost_usd - cc->price.total_cost_usd;
                double frac = nc->price.total_cost_usd > 0 ? save / nc->price.total_cost_usd : NAN;
                strs_add(&v, "%s (%s) against run %s on on_demand at %s with accuracy %s", money(m, save),
                         pct(a, frac), txt(nc->run_id), money(m2, nc->price.total_cost_usd), pct(a2, nc->accuracy));
            } else if (on_demand == 0) {
                strs_add(&v, "none: no run could be priced on on_demand (the catalog has no on-demand price for "
                             "their hardware and region, or --procurement leaves it out)");
            } else {
                strs_add(&v, "none: the %zu runs priced on on_demand have no accuracy", on_demand);
            }
        } else {
            /* No accuracy at all (e.g. a time-to-train table): compare with the same run bought on demand. */
            strs_add(&k, "Savings vs run %s on on-demand", txt(bc->run_id));
            size_t same = CF_REP_NONE;
            for (size_t i = 0; i < n; i++) {
                const cf_candidate *c = cf_frontier_candidate(f, i);
                if (c != NULL && c->run_id != NULL && bc->run_id != NULL && !strcmp(c->run_id, bc->run_id) &&
                    c->price.option == CF_PROC_ON_DEMAND)
                    same = i;
            }
            if (same != CF_REP_NONE) {
                const cf_candidate *nc = cf_frontier_candidate(f, same);
                double save = nc->price.total_cost_usd - cc->price.total_cost_usd;
                double frac = nc->price.total_cost_usd > 0 ? save / nc->price.total_cost_usd : NAN;
                strs_add(&v, "%s (%s) against %s total on on_demand (no run has an accuracy, so the comparison is "
                             "with the same run)",
                         money(m, save), pct(a, frac), money(m2, nc->price.total_cost_usd));
            } else {
                strs_add(&v, "none: run %s has no on-demand price (not in the catalog for its hardware and region, "
                             "or left out by --procurement)",
                         txt(bc->run_id));
            }
        }
    }

    {
        /* Totals of unlike composition side by side (some with carbon, some without): say so (issue 9). */
        cf_rep_unpowered_hw *up = NULL;
        size_t nup = 0;
        int mixed = 0;
        if (cf_rep_unpowered(f, &up, &nup, &mixed) != CF_OK) {
            strs_free(&k);
            strs_free(&v);
            return CF_ERR_NOMEM;
        }
        if (nup > 0) {
            cf_sb hw = {0};
            for (size_t i = 0; i < nup; i++)
                cf_sb_printf(&hw, "%s%s", i == 0 ? "" : i + 1 == nup ? " and " : ", ", txt(up[i].hardware));
            char *ht = cf_sb_take(&hw);
            strs_add(&k, mixed ? "Totals of unlike composition" : "Totals without carbon");
            strs_add(&v, "%s %s no board power in the catalog: %s runs have no energy, CO2e or carbon cost, so "
                         "their total_cost_usd is the cash cost alone%s (see Data quality)",
                     ht != NULL ? ht : "?", nup == 1 ? "has" : "have", nup == 1 ? "its" : "their",
                     mixed ? ", while the other runs' totals include carbon: compare them with care" : "");
            free(ht);
        }
        free(up);
    }

    const cf_frontier_opts *fo = cf_frontier_options(f);
    cf_sb ref = {0};
    const double *rp = cf_frontier_reference(f);
    for (size_t j = 0; fo != NULL && rp != NULL && j < fo->n_objectives; j++)
        cf_sb_printf(&ref, "%s%s %s", j ? ", " : "", fo->objectives[j].name, g10(a, rp[j]));
    char *rt = cf_sb_take(&ref);
    strs_add(&k, "Hypervolume");
    strs_add(&v, "%s (reference point %s%s)", g10(m, cf_frontier_hypervolume(f)), rt != NULL ? rt : "",
             cf_frontier_reference_inferred(f) ? ", inferred" : "");
    free(rt);
    strs_add(&k, "Runs");
    if (rs != NULL)
        strs_add(&v, "%zu read, %zu accepted, %zu rejected", cf_runset_read(rs), cf_runset_size(rs),
                 cf_runset_rejected(rs));
    else
        strs_add(&v, "-");
    strs_add(&k, "Candidates (run x way of buying)");
    strs_add(&v, "%zu priced, %zu on the frontier, %zu dominated, %zu could not be priced", n,
             cf_frontier_optimal_count(f), n - cf_frontier_optimal_count(f), cf_frontier_unpriced_count(f));
    if (k.oom || v.oom || k.n != v.n)
        st = CF_ERR_NOMEM;
    else
        st = cf_report_add_facts(r, (const char *const *)k.v, (const char *const *)v.v, k.n);
    strs_free(&k);
    strs_free(&v);
    return st;
}

/* 1 when the frontier table has a column of its own for field name (the objective needs no extra column). */
static int fixed_column(const char *name)
{
    static const char *const fixed[] = {"accuracy",       "cost_usd",   "co2e_kg",   "carbon_cost_usd",
                                        "total_cost_usd", "energy_kwh", "gpu_hours", "billed_gpu_hours",
                                        "price_per_hour", "pruning"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (!strcmp(name, fixed[i])) return 1;
    return 0;
}

/* The value of objective name of candidate i for a table: accuracy with 4 decimals, money with 2, anything else
 * with up to 10 significant digits. */
static const char *objective_cell(const cf_frontier *f, size_t i, const char *name, char *b)
{
    double v = cf_frontier_field(f, i, name);
    if (!strcmp(name, "accuracy")) return fx(b, v, 4);
    if (cf_rep_money_field(name)) return fx(b, v, 2);
    return g10(b, v);
}

/* 1 when some candidate has a known accuracy. */
static int any_accuracy(const cf_frontier *f)
{
    for (size_t i = 0; i < cf_frontier_candidate_count(f); i++)
        if (isfinite(cf_frontier_candidate(f, i)->accuracy)) return 1;
    return 0;
}

/* The frontier table: the fixed columns, a column for each objective in use that has none of its own (issue 9: a
 * time-to-train table's score_min was nowhere), and no accuracy column when no run has an accuracy and it is not
 * an objective. */
static cf_status section_frontier(cf_report *r, const cf_frontier *f, const cf_report_opts *o)
{
    cf_status st = cf_report_add_section(r, "frontier", "Pareto frontier");
    if (st != CF_OK) return st;
    const cf_frontier_opts *fo = cf_frontier_options(f);
    int show_acc = any_accuracy(f) || uses_objective(f, "accuracy");
    const char *head[6 + CF_MAX_OBJECTIVES + 12];
    size_t nc = 0;
    static const char *const lead[] = {"#", "run", "way of buying", "hardware", "precision", "pruning"};
    static const char *const tail[] = {
        "cost (USD)",       "CO2e (kg)",        "carbon cost (USD)", "total (USD)", "energy (kWh)", "GPU-hours",
        "billed GPU-hours", "USD per GPU-hour", "provider",          "region",      "kind"};
    for (size_t i = 0; i < sizeof lead / sizeof lead[0]; i++) head[nc++] = lead[i];
    for (size_t k = 0; fo != NULL && k < fo->n_objectives; k++)
        if (!fixed_column(fo->objectives[k].name)) head[nc++] = fo->objectives[k].name;
    if (show_acc) head[nc++] = "accuracy";
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++) head[nc++] = tail[i];
    cf_sb intro = {0};
    cf_sb_puts(&intro, "Runs that no other candidate beats on every objective (");
    for (size_t k = 0; fo != NULL && k < fo->n_objectives; k++)
        cf_sb_printf(&intro, "%s%s %s", k ? ", " : "", fo->objectives[k].maximize ? "maximise" : "minimise",
                     fo->objectives[k].name);
    int any_predicted = 0;
    for (size_t i = 0; i < cf_frontier_candidate_count(f); i++) any_predicted |= cf_frontier_candidate(f, i)->predicted;
    cf_sb_printf(&intro, "), in order of the first objective. The knee is marked with *%s",
                 any_predicted ? "; predicted configurations (never run) show their 95% intervals." : ".");
    char *it = cf_sb_take(&intro);
    if (it == NULL) return CF_ERR_NOMEM;
    st = cf_report_add_paragraph(r, it);
    free(it);
    if (st != CF_OK) return st;
    strs c = {0};
    size_t knee = cf_frontier_knee(f), all = cf_frontier_optimal_count(f), m = all;
    if (o->frontier_rows > 0 && m > o->frontier_rows) {
        /* Issue 14: a frontier of many objectives over 10^6 runs can be long; the page lists its start, the files
         * list it whole. */
        m = o->frontier_rows;
        char b[160];
        snprintf(b, sizeof b, "The table lists the first %zu of the %zu frontier candidates; all of them are in ", m,
                 all);
        st = add_link_paragraph(r, b, "candidates.csv", " (on_frontier 1) and ", "report.json", " (frontier).");
        if (st != CF_OK) return st;
    }
    char b1[CF_NUM_BUF], b2[CF_NUM_BUF], b3[CF_NUM_BUF];
    for (size_t j = 0; j < m; j++) {
        size_t i = cf_frontier_optimal_at(f, j);
        const cf_candidate *cd = cf_frontier_candidate(f, i);
        const cf_price *p = &cd->price;
        strs_add(&c, "%zu%s", j + 1, i == knee ? " *" : "");
        strs_add(&c, "%s", txt(cd->run_id));
        strs_add(&c, "%s", cf_procurement_name(p->option));
        strs_add(&c, "%s", txt(cd->hardware));
        strs_add(&c, "%s", cf_precision_name(cd->precision));
        strs_add(&c, "%s", fx(b1, cd->pruning, 2));
        for (size_t k = 0; fo != NULL && k < fo->n_objectives; k++)
            if (!fixed_column(fo->objectives[k].name))
                strs_add(&c, "%s", objective_cell(f, i, fo->objectives[k].name, b1));
        if (show_acc && cd->predicted)
            strs_add(&c, "%s [%s, %s]", fx(b1, cd->accuracy, 4), fx(b2, cd->accuracy_lo, 4),
                     fx(b3, cd->accuracy_hi, 4));
        else if (show_acc)
            strs_add(&c, "%s", fx(b1, cd->accuracy, 4));
        strs_add(&c, "%s", fx(b1, p->cost_usd, 2));
        strs_add(&c, "%s", fx(b1, p->co2e_kg, 3));
        strs_add(&c, "%s", fx(b1, p->carbon_cost_usd, 2));
        if (cd->predicted)
            strs_add(&c, "%s [%s, %s]", fx(b1, p->total_cost_usd, 2), fx(b2, cd->cost_lo, 2), fx(b3, cd->cost_hi, 2));
        else
            strs_add(&c, "%s", fx(b1, p->total_cost_usd, 2));
        strs_add(&c, "%s", fx(b1, p->energy_kwh, 3));
        strs_add(&c, "%s", g10(b1, cd->gpu_hours));
        strs_add(&c, "%s", g10(b1, p->billed_gpu_hours));
        strs_add(&c, "%s", fx(b1, p->price_per_hour, 4));
        strs_add(&c, "%s", txt(cf_rep_provider(cd)));
        strs_add(&c, "%s", txt(cf_rep_region(cd)));
        strs_add(&c, "%s", cd->predicted ? "predicted" : "observed");
    }
    if (c.oom)
        st = CF_ERR_NOMEM;
    else if (m == 0)
        st = cf_report_add_paragraph(r, "The frontier is empty: no candidate could be priced.");
    else
        st = cf_report_add_table(r, NULL, nc, head, m, (const char *const *)c.v);
    strs_free(&c);
    return st;
}

/* Sort key of a dominated candidate for "nearest the frontier": its layer, then its margin (NaN last), then its
 * index, so that the order is total and the same on every run. */
typedef struct near_key {
    size_t rank;
    double margin;
    size_t i;
} near_key;

/* 1 when a comes before b (nearer the frontier). */
static int near_before(const near_key *a, const near_key *b)
{
    if (a->rank != b->rank) return a->rank < b->rank;
    double x = isnan(a->margin) ? INFINITY : a->margin, y = isnan(b->margin) ? INFINITY : b->margin;
    if (x != y) return x < y;
    return a->i < b->i;
}

/* Compares near_keys for qsort. */
static int near_cmp(const void *a, const void *b)
{
    return near_before(a, b) ? -1 : near_before(b, a) ? 1 : 0;
}

/* The t dominated candidates nearest the frontier (near_key order) into rows (room for t), by a bounded max-heap
 * over every dominated candidate: O(n log t) time, O(t) memory. Returns how many there are (at most t). */
static size_t nearest_dominated(const cf_frontier *f, size_t t, size_t *rows)
{
    near_key *h = malloc((t ? t : 1) * sizeof *h);
    if (h == NULL) return (size_t)-1;
    size_t m = 0;
    for (size_t i = 0; i < cf_frontier_candidate_count(f); i++) {
        if (cf_frontier_is_optimal(f, i)) continue;
        near_key k = {cf_frontier_rank(f, i), NAN, i};
        (void)cf_frontier_dominator(f, i, &k.margin);
        if (m < t) { /* sift up: the root is the farthest kept */
            size_t c = m++;
            while (c > 0 && near_before(&h[(c - 1) / 2], &k)) {
                h[c] = h[(c - 1) / 2];
                c = (c - 1) / 2;
            }
            h[c] = k;
        } else if (t > 0 && near_before(&k, &h[0])) { /* replace the root and sift down */
            size_t c = 0;
            for (;;) {
                size_t l = 2 * c + 1, big = c;
                const near_key *bk = &k;
                if (l < m && near_before(bk, &h[l])) big = l, bk = &h[l];
                if (l + 1 < m && near_before(bk, &h[l + 1])) big = l + 1;
                if (big == c) break;
                h[c] = h[big];
                c = big;
            }
            h[c] = k;
        }
    }
    qsort(h, m, sizeof *h, near_cmp);
    for (size_t j = 0; j < m; j++) rows[j] = h[j].i;
    free(h);
    return m;
}

/* The dominated candidates with what dominates them: every one in candidate order, or, past o->table_rows, the
 * o->table_rows nearest the frontier (issue 14: 4 x 10^6 rows made a 63 MB page), the rest in the files. */
static cf_status section_dominated(cf_report *r, const cf_frontier *f, const cf_report_opts *o)
{
    cf_status st = cf_report_add_section(r, "dominated", "Dominated runs");
    if (st != CF_OK) return st;
    st = cf_report_add_paragraph(r, "Each of these is beaten on every objective by the frontier candidate named; the "
                                    "margin is by how much, as a fraction of each objective's range (0.10 = better "
                                    "by at least 10% of the range in every objective).");
    if (st != CF_OK) return st;
    /* The columns are the objectives in use (issue 9: a time-to-train table showed an accuracy of "-" and no
     * score_min). */
    const cf_frontier_opts *fo = cf_frontier_options(f);
    size_t d = fo != NULL ? fo->n_objectives : 0;
    const char *head[2 + CF_MAX_OBJECTIVES + 3];
    size_t nh = 0;
    head[nh++] = "run";
    head[nh++] = "way of buying";
    for (size_t k = 0; k < d; k++) head[nh++] = fo->objectives[k].name;
    head[nh++] = "layer";
    head[nh++] = "dominated by";
    head[nh++] = "margin";
    size_t n = cf_frontier_candidate_count(f), ndom = n - cf_frontier_optimal_count(f);
    size_t *pick = NULL, npick = 0; /* the rows shown, when cut */
    if (o->table_rows > 0 && ndom > o->table_rows) {
        pick = malloc(o->table_rows * sizeof *pick);
        if (pick == NULL || (npick = nearest_dominated(f, o->table_rows, pick)) == (size_t)-1) {
            free(pick);
            return CF_ERR_NOMEM;
        }
        char t[200];
        snprintf(t, sizeof t,
                 "The table lists the %zu of the %zu dominated candidates nearest the frontier (layer 1 first, then "
                 "the smallest margin); all of them are in ",
                 npick, ndom);
        st = add_link_paragraph(r, t, "candidates.csv", " and ", "report.json", " (dominated).");
        if (st != CF_OK) {
            free(pick);
            return st;
        }
    }
    strs c = {0};
    size_t rows = 0;
    char b[CF_NUM_BUF];
    for (size_t j = 0; j < (pick != NULL ? npick : n); j++) {
        size_t i = pick != NULL ? pick[j] : j;
        if (cf_frontier_is_optimal(f, i)) continue;
        const cf_candidate *cd = cf_frontier_candidate(f, i);
        double margin = NAN;
        size_t by = cf_frontier_dominator(f, i, &margin);
        size_t rank = cf_frontier_rank(f, i);
        strs_add(&c, "%s", txt(cd->run_id));
        strs_add(&c, "%s", cf_procurement_name(cd->price.option));
        for (size_t k = 0; k < d; k++) strs_add(&c, "%s", objective_cell(f, i, fo->objectives[k].name, b));
        if (rank == CF_REP_NONE)
            strs_add(&c, "-");
        else
            strs_add(&c, "%zu", rank);
        const cf_candidate *bc = by != CF_REP_NONE ? cf_frontier_candidate(f, by) : NULL;
        if (bc != NULL) /* "run_id/option", whole */
            strs_add(&c, "%s/%s", bc->run_id != NULL ? bc->run_id : "?", cf_procurement_name(bc->price.option));
        else
            strs_add(&c, "-");
        strs_add(&c, "%s", by != CF_REP_NONE ? fx(b, margin, 4) : "-");
        rows++;
    }
    if (c.oom)
        st = CF_ERR_NOMEM;
    else if (rows == 0)
        st = cf_report_add_paragraph(r, "No candidate is dominated.");
    else
        st = cf_report_add_table(r, NULL, nh, head, rows, (const char *const *)c.v);
    strs_free(&c);
    free(pick);
    return st;
}

/* At most this many rejected records and notes are listed in the Data quality section (issue 14); every one is in
 * report.json, so the page stays the same size however many runs are read. */
#define QUALITY_ROWS 20

typedef struct cf_rep_kind {
    const char *field;
    size_t n;
} cf_rep_kind;

/* Compares two (field, count) pairs: the larger count first, then the field's name. */
static int kind_cmp(const void *a, const void *b)
{
    const cf_rep_kind *x = a, *y = b;
    if (x->n != y->n) return x->n > y->n ? -1 : 1;
    return strcmp(x->field, y->field);
}

/* The counts of the nr (> QUALITY_ROWS) rejected records of rs per field, most frequent first, and a pointer to
 * report.json, which holds them all. */
static cf_status quality_reject_kinds(cf_report *r, const cf_runset *rs, size_t nr)
{
    cf_rep_kind *k = NULL;
    size_t nk = 0, cap = 0;
    for (size_t i = 0; i < nr; i++) {
        const cf_reject *x = cf_runset_reject(rs, i);
        if (x == NULL) continue;
        const char *fld = x->field != NULL && x->field[0] ? x->field : "(record)";
        size_t j = 0;
        while (j < nk && strcmp(k[j].field, fld) != 0) j++;
        if (j == nk) {
            if (cf_rep_grow((void **)&k, &cap, nk, sizeof *k) != 0) {
                free(k);
                return CF_ERR_NOMEM;
            }
            k[nk].field = fld;
            k[nk++].n = 0;
        }
        k[j].n++;
    }
    qsort(k, nk, sizeof *k, kind_cmp);
    static const char *const head[] = {"field", "rejected records"};
    strs c = {0};
    for (size_t j = 0; j < nk; j++) {
        strs_add(&c, "%s", txt(k[j].field));
        strs_add(&c, "%zu", k[j].n);
    }
    free(k);
    char t[160];
    snprintf(t, sizeof t, "%zu records were rejected: their counts per field are below, then the first %d; every "
                          "one is in ", nr, QUALITY_ROWS);
    cf_status st = add_link_paragraph(r, t, "report.json", NULL, NULL, " (rejects).");
    if (st == CF_OK)
        st = c.oom ? CF_ERR_NOMEM
                   : cf_report_add_table(r, "Rejected records per field", 2, head, nk, (const char *const *)c.v);
    strs_free(&c);
    return st;
}

/* Rejected rows and conversion notes. */
static cf_status section_quality(cf_report *r, const cf_frontier *f, const cf_runset *rs)
{
    cf_status st = cf_report_add_section(r, "data-quality", "Data quality");
    if (st != CF_OK) return st;
    char line[256];
    if (rs != NULL) {
        snprintf(line, sizeof line, "%zu records read, %zu accepted, %zu rejected.", cf_runset_read(rs),
                 cf_runset_size(rs), cf_runset_rejected(rs));
        if ((st = cf_report_add_paragraph(r, line)) != CF_OK) return st;
        size_t nr = cf_runset_rejected(rs);
        if (nr > QUALITY_ROWS && (st = quality_reject_kinds(r, rs, nr)) != CF_OK) return st;
        if (nr > 0) {
            static const char *const head[] = {"where", "field", "reason"};
            strs c = {0};
            size_t rows = 0;
            for (size_t i = 0; i < nr && rows < QUALITY_ROWS; i++) {
                const cf_reject *x = cf_runset_reject(rs, i);
                if (x == NULL) continue;
                if (x->column > 0)
                    strs_add(&c, "%s:%ld:%ld", txt(x->source), x->line, x->column);
                else
                    strs_add(&c, "%s:%ld", txt(x->source), x->line);
                strs_add(&c, "%s", txt(x->field));
                strs_add(&c, "%s", txt(x->message));
                rows++;
            }
            st = c.oom ? CF_ERR_NOMEM
                       : cf_report_add_table(r, nr > QUALITY_ROWS ? "Rejected records (the first ones)"
                                                                  : "Rejected records",
                                             3, head, rows, (const char *const *)c.v);
            strs_free(&c);
            if (st != CF_OK) return st;
        }
    }
    /* Hardware without board power: no energy, CO2e or carbon cost, so its totals are cash only (issue 9). */
    cf_rep_unpowered_hw *up = NULL;
    size_t nup = 0;
    int mixed = 0;
    if (cf_rep_unpowered(f, &up, &nup, &mixed) != CF_OK) return CF_ERR_NOMEM;
    if (nup > 0) {
        static const char *const head[] = {"hardware", "runs", "what is missing"};
        strs c = {0};
        for (size_t i = 0; i < nup; i++) {
            strs_add(&c, "%s", txt(up[i].hardware));
            strs_add(&c, "%zu", up[i].runs);
            strs_add(&c, "no board_power_w in the catalog: no energy, CO2e or carbon cost is counted, so its "
                         "total_cost_usd is the cash cost alone%s",
                     mixed ? " and is not comparable with the totals of other hardware, which include carbon" : "");
        }
        st = c.oom ? CF_ERR_NOMEM
                   : cf_report_add_table(r, "Hardware without energy, CO2e or carbon cost", 3, head, nup,
                                         (const char *const *)c.v);
        strs_free(&c);
    }
    free(up);
    if (st != CF_OK) return st;
    strs notes = {0};
    size_t nn = (rs != NULL ? cf_runset_note_count(rs) : 0) + cf_frontier_note_count(f);
    for (size_t i = 0; rs != NULL && i < cf_runset_note_count(rs) && notes.n < QUALITY_ROWS; i++)
        strs_add(&notes, "%s", txt(cf_runset_note(rs, i)));
    for (size_t i = 0; i < cf_frontier_note_count(f) && notes.n < QUALITY_ROWS; i++)
        strs_add(&notes, "%s", txt(cf_frontier_note(f, i)));
    if (nn > QUALITY_ROWS) { /* the rest are in report.json: one line per run would make the page grow with N */
        char t[160];
        snprintf(t, sizeof t, "The first %d of %zu notes are listed; every one is in ", QUALITY_ROWS, nn);
        st = add_link_paragraph(r, t, "report.json", NULL, NULL, " (notes).");
        if (st != CF_OK) {
            strs_free(&notes);
            return st;
        }
    }
    if (notes.oom)
        st = CF_ERR_NOMEM;
    else if (notes.n > 0) {
        st = cf_report_add_paragraph(r, "Notes (conversions applied, choices made, pairs that could not be priced):");
        if (st == CF_OK) st = cf_report_add_list(r, (const char *const *)notes.v, notes.n);
    } else {
        st = cf_report_add_paragraph(r, "No conversions or choices needed noting.");
    }
    strs_free(&notes);
    return st;
}

/* Pricing assumptions: carbon price, spot model, offers used. */
static cf_status section_pricing(cf_report *r, const cf_frontier *f, const cf_catalog *cat)
{
    cf_status st = cf_report_add_section(r, "pricing", "Pricing assumptions");
    if (st != CF_OK) return st;
    const cf_frontier_opts *fo = cf_frontier_options(f);
    const char *src = NULL;
    double cp = cf_rep_carbon_price(f, cat, &src);
    strs k = {0}, v = {0};
    char b[CF_NUM_BUF], b2[CF_NUM_BUF];
    strs_add(&k, "Carbon shadow price");
    strs_add(&v, "%s per tonne CO2e (source: %s)", money(b, cp), txt(src));
    if (fo != NULL) {
        strs_add(&k, "Spot checkpoint / restart");
        strs_add(&v, "%s min to write a checkpoint, %s min to restart after an interruption; checkpoint interval by %s",
                 g10(b, fo->pricing.spot.checkpoint_hours * 60.0), g10(b2, fo->pricing.spot.restart_hours * 60.0),
                 fo->pricing.spot.use_daly ? "Daly (2006): sqrt(2 delta M) - delta" : "Young (1974): sqrt(2 delta M)");
    }
    strs_add(&k, "Cost model");
    strs_add(&v, "cost = GPU-hours x (1 + spot overhead) x price; total = cost + operational CO2e x carbon price; "
                 "embodied carbon is reported apart");
    st = (k.oom || v.oom) ? CF_ERR_NOMEM
                          : cf_report_add_facts(r, (const char *const *)k.v, (const char *const *)v.v, k.n);
    strs_free(&k);
    strs_free(&v);
    if (st != CF_OK) return st;
    const cf_offer **offers = NULL;
    size_t no = 0;
    st = cf_rep_offers_used(f, &offers, &no);
    if (st != CF_OK) return st;
    static const char *const head[] = {"provider", "region",      "hardware",    "on-demand",
                                       "spot",     "reserved 1y", "reserved 3y", "spot interruptions / h",
                                       "source",   "as of"};
    strs c = {0};
    for (size_t i = 0; i < no; i++) {
        const cf_offer *o = offers[i];
        strs_add(&c, "%s", txt(o->provider));
        strs_add(&c, "%s", txt(o->region));
        strs_add(&c, "%s", txt(o->hardware));
        strs_add(&c, "%s", fx(b, o->on_demand, 4));
        strs_add(&c, "%s", fx(b, o->spot, 4));
        strs_add(&c, "%s", fx(b, o->reserved_1y, 4));
        strs_add(&c, "%s", fx(b, o->reserved_3y, 4));
        strs_add(&c, "%s", g10(b, o->spot_interruptions_per_hour));
        strs_add(&c, "%s", txt(o->source));
        /* The prices' date, marked when it is more than a year before the date the prices are judged at. */
        if (o->as_of == NULL)
            strs_add(&c, "not given");
        else if (fo->price_date != NULL && cf_catalog_is_stale(o->as_of, fo->price_date, NULL) == 1)
            strs_add(&c, "%s (older than a year)", o->as_of);
        else
            strs_add(&c, "%s", o->as_of);
    }
    free(offers);
    if (c.oom)
        st = CF_ERR_NOMEM;
    else if (no > 0)
        st = cf_report_add_table(r, "Offers used (USD per accelerator-hour)", sizeof head / sizeof head[0], head, no,
                                 (const char *const *)c.v);
    strs_free(&c);
    return st;
}

void cf_report_opts_default(cf_report_opts *o)
{
    if (o == NULL) return;
    o->title = "costfront report";
    o->target_accuracy = NAN;
    o->charts = 1;
    o->skip_shared_sections = 0;
    o->chart_points = CF_REPORT_CHART_POINTS;
    o->table_rows = CF_REPORT_TABLE_ROWS;
    o->frontier_rows = CF_REPORT_FRONTIER_ROWS;
    o->seed = 1;
}

/* What the JSON and CSV writers read. */
typedef struct data_ctx {
    const cf_frontier *f;
    const cf_runset *rs;
    const cf_catalog *cat;
    const cf_report_opts *o;
} data_ctx;

/* report.json into out. The text is built by cf_report_json_opts and written at once, then freed: the report keeps
 * no copy (issue 14; when the JSON writer streams into a FILE, this is the one call to change). */
static cf_status write_json(void *ctx, FILE *out, cf_error *err)
{
    const data_ctx *d = ctx;
    char *json = NULL;
    cf_status st = cf_report_json_opts(d->f, d->rs, d->cat, d->o, &json, err);
    if (st != CF_OK) return st;
    if (fputs(json, out) == EOF) st = cf_error_set(err, CF_ERR_IO, NULL, 0, 0, NULL, "cannot write report.json");
    free(json);
    return st;
}

/* candidates.csv (cf_report_csv: every candidate, with on_frontier, layer, dominator and margin) into out, built
 * and freed as write_json does. */
static cf_status write_csv(void *ctx, FILE *out, cf_error *err)
{
    const data_ctx *d = ctx;
    char *csv = NULL;
    cf_status st = cf_report_csv(d->f, &csv, err);
    if (st != CF_OK) return st;
    if (fputs(csv, out) == EOF) st = cf_error_set(err, CF_ERR_IO, NULL, 0, 0, NULL, "cannot write candidates.csv");
    free(csv);
    return st;
}

/* 1 when the page shows less than everything under o: a table cut or a chart sampled (cf_rep_chart_sampled). */
static int report_is_cut(const cf_frontier *f, const cf_report_opts *o)
{
    size_t n = cf_frontier_candidate_count(f), m = cf_frontier_optimal_count(f);
    return (o->table_rows > 0 && n - m > o->table_rows) || (o->frontier_rows > 0 && m > o->frontier_rows) ||
           (o->charts && cf_rep_chart_sampled(f, o));
}

cf_status cf_report_frontier(cf_report *r, const cf_frontier *f, const cf_runset *rs, const cf_catalog *cat,
                             const cf_report_opts *opts, cf_error *err)
{
    if (r == NULL || f == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_report_frontier needs a report and a frontier");
    cf_report_opts o;
    cf_report_opts_default(&o);
    if (opts != NULL) o = *opts;
    cf_status st = section_summary(r, f, rs, &o);
    if (st == CF_OK && o.charts) st = cf_rep_section_charts(r, f, &o);
    if (st == CF_OK) st = section_frontier(r, f, &o);
    if (st == CF_OK) st = cf_rep_section_breakdown(r, f, &o); /* issue 16: only when runs move or keep data */
    if (st == CF_OK) st = section_dominated(r, f, &o);
    if (st == CF_OK && !o.skip_shared_sections) st = section_quality(r, f, rs);
    if (st == CF_OK && !o.skip_shared_sections) st = section_pricing(r, f, cat);
    if (st != CF_OK)
        return cf_error_set(err, st, NULL, 0, 0, NULL, "cannot build the report: %s",
                            st == CF_ERR_ARG ? "a section was added twice" : cf_status_str(st));
    data_ctx dc = {f, rs, cat, &o};
    st = cf_report_add_file_stream(r, "report.json", write_json, &dc, err);
    if (st == CF_OK && report_is_cut(f, &o)) st = cf_report_add_file_stream(r, "candidates.csv", write_csv, &dc, err);
    return st;
}

cf_status cf_report_shared_sections(cf_report *r, const cf_frontier *f, const cf_runset *rs, const cf_catalog *cat,
                                    cf_error *err)
{
    if (r == NULL || f == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no report or frontier");
    cf_status st = section_quality(r, f, rs);
    if (st == CF_OK) st = section_pricing(r, f, cat);
    if (st != CF_OK)
        return cf_error_set(err, st, NULL, 0, 0, NULL, "cannot build the report: %s",
                            st == CF_ERR_ARG ? "a section was added twice" : cf_status_str(st));
    return CF_OK;
}

cf_status cf_report_write(const cf_frontier *f, const cf_runset *rs, const cf_catalog *cat, const cf_report_opts *opts,
                          const char *dir, cf_error *err)
{
    cf_report *r = cf_report_create(opts != NULL ? opts->title : NULL);
    if (r == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory creating the report");
    cf_status st = cf_report_frontier(r, f, rs, cat, opts, err);
    if (st == CF_OK) st = cf_report_publish(r, dir, err);
    cf_report_destroy(r);
    return st;
}
