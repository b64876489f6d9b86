/* Tests of the gnuplot charts (reports/plot.c): no text ever reaches gnuplot as a string literal, hostile text
 * (quotes, '', backquotes, @, system(...), newlines, backslashes, EOD, control bytes, invalid and non-ASCII UTF-8)
 * in every text field gives a well-formed SVG showing the text intact, gnuplot runs in a staging directory of its
 * own (concurrent renders never collide, nothing is left behind, a failing script is kept where the error says),
 * and the output name is always a plain generated name (issue 10).
 *
 * Each test points TMPDIR at a directory of its own under the build tree, so that what gnuplot's staging leaves
 * behind can be counted.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "costfront/output.h"
#include "costfront/plot.h"

#define WORK CF_BINARY_DIR "/test_plot_work"

/* Hostile texts; the two that would run a command name files under WORK, which must never appear. */
static const char *const HOSTILE[] = {
    "it's ''x''",
    "''",
    "'lead",
    "trail'",
    "\"double\" \"\"",
    "`touch " WORK "/pwned-backquote`",
    "@macro @@ $D0 $CF_TEXT[1]",
    "system(\"touch " WORK "/pwned-system\")",
    "back\\slash\\",
    "EOD",
    "EODx",
    "EOD1",
    "# not a comment ? ? 1e3",
    "  spaces kept  ",
    "<b>&amp;</b> ]]>",
    "\xe6\xa8\xa1\xe5\x9e\x8b \xd0\xbc\xd0\xbe\xd0\xb4\xd0\xb5\xd0\xbb\xd1\x8c \xf0\x9f\x9a\x80 \xc3\xa9",
};
#define NHOSTILE (sizeof HOSTILE / sizeof HOSTILE[0])

/* Reads a whole file (NUL-terminated, malloc'd) or returns NULL. */
static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) return NULL;
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = malloc((size_t)len + 1);
    size_t got = fread(s, 1, (size_t)len, fp);
    fclose(fp);
    s[got] = '\0';
    return s;
}

/* Number of entries of dir other than . and .., -1 when it cannot be read. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) n++;
    closedir(d);
    return n;
}

/* Makes WORK/<name> fresh and empty and points TMPDIR at WORK/<name>/tmp (also made). */
static void fresh_dirs(const char *name, char *dir, size_t n, char *tmp, size_t m)
{
    mkdir(WORK, 0755);
    snprintf(dir, n, "%s/%s", WORK, name);
    cf_remove_tree(dir, NULL);
    cr_assert_eq(mkdir(dir, 0755), 0);
    snprintf(tmp, m, "%s/tmp", dir);
    cr_assert_eq(mkdir(tmp, 0755), 0);
    setenv("TMPDIR", tmp, 1);
}

/* Appends the text content of every <text> and <tspan> under node to out (one per line). */
static void collect_text(xmlNodePtr node, FILE *out)
{
    for (xmlNodePtr c = node; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && (xmlStrcmp(c->name, (const xmlChar *)"text") == 0)) {
            xmlChar *t = xmlNodeGetContent(c);
            fprintf(out, "%s\n", (const char *)t);
            xmlFree(t);
        } else if (c->children != NULL) {
            collect_text(c->children, out);
        }
    }
}

/* Parses the SVG at path as XML (no network, no entities) and returns all its texts, one per line (malloc'd);
 * fails the test when the file is not well-formed. */
static char *svg_texts(const char *path)
{
    xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING);
    cr_assert_not_null(doc, "%s is not well-formed XML", path);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    collect_text(xmlDocGetRootElement(doc), out);
    fclose(out);
    xmlFreeDoc(doc);
    return buf;
}

/* A chart with text t in every text field: title, axis labels, a legend title, a point label, the labels of a
 * vertical and a horizontal marker, and two category names. */
static cf_plot *chart_with(const char *t)
{
    cf_plot *p = cf_plot_create(t);
    cr_assert_not_null(p);
    cr_assert_eq(cf_plot_set_labels(p, t, t), CF_OK);
    double x[] = {0, 1}, y[] = {1, 2};
    cr_assert_eq(cf_plot_add_series(p, t, CF_PLOT_POINTS, x, y, 2, NULL), CF_OK);
    cr_assert_eq(cf_plot_add_label(p, 0.5, 1.5, t, 1), CF_OK);
    cr_assert_eq(cf_plot_add_vline(p, 0.25, t), CF_OK);
    cr_assert_eq(cf_plot_add_hline(p, 1.25, t), CF_OK);
    const char *cats[] = {t, t};
    cr_assert_eq(cf_plot_set_xcategories(p, cats, 2), CF_OK);
    return p;
}

/* The script after the $CF_TEXT block (the commands and the data), malloc'd; asserts the block is there. */
static char *after_text_block(const char *script)
{
    const char *open = strstr(script, "$CF_TEXT << ");
    cr_assert_not_null(open, "%s", script);
    const char *nl = strchr(open, '\n');
    char term[32];
    size_t tl = (size_t)(nl - open) - strlen("$CF_TEXT << ");
    cr_assert_lt(tl, sizeof term);
    memcpy(term, open + strlen("$CF_TEXT << "), tl);
    term[tl] = '\0';
    /* The first line starting with the terminator ends the block, as in gnuplot. */
    const char *line = nl + 1;
    while (strncmp(line, term, tl) != 0) {
        line = strchr(line, '\n');
        cr_assert_not_null(line, "unterminated text block");
        line++;
    }
    cr_assert_eq(line[tl], '\n', "the terminator is a line of its own");
    return strdup(line + tl + 1);
}

Test(plot, no_text_is_a_literal)
{
    static const char *const allowed[] = {"'Sans,11'", "'white'", "'chart.svg'", "'?'"};
    for (size_t h = 0; h < NHOSTILE; h++) {
        cf_plot *p = chart_with(HOSTILE[h]);
        char *s = NULL;
        cr_assert_eq(cf_plot_script(p, "chart.svg", &s, NULL), CF_OK);
        char *rest = after_text_block(s);
        /* Every quoted string after the block is a fixed one of ours: a colour or an allowed constant. */
        for (const char *q = strchr(rest, '\''); q != NULL; q = strchr(q, '\'')) {
            const char *e = strchr(q + 1, '\'');
            cr_assert_not_null(e, "unbalanced quote in %s", rest);
            size_t n = (size_t)(e - q) + 1;
            int ok = n == 9 && q[1] == '#';
            for (size_t a = 0; a < sizeof allowed / sizeof allowed[0]; a++)
                ok |= strlen(allowed[a]) == n && strncmp(q, allowed[a], n) == 0;
            cr_assert(ok, "text %zu: a literal %.*s in the commands", h, (int)n, q);
            q = e + 1;
        }
        cr_assert_null(strchr(rest, '"'), "text %zu: a double-quoted string in the commands", h);
        cr_assert_null(strchr(rest, '`'), "text %zu: a backquote in the commands", h);
        cr_assert_not_null(strstr(rest, "set title $CF_TEXT[1]\n"), "%s", rest);
        free(rest);
        free(s);
        cf_plot_destroy(p);
    }
}

Test(plot, output_is_a_plain_name)
{
    cf_plot *p = cf_plot_create("t");
    char *s = NULL;
    static const char *const bad[] = {"../x.svg", "/tmp/x.svg", "a'b.svg", "a\nb.svg", ".hidden.svg", "", "-x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(cf_plot_script(p, bad[i], &s, NULL), CF_ERR_ARG, "%s accepted", bad[i]);
        cr_assert_null(s);
    }
    cr_assert_eq(cf_plot_script(p, "chart-1.svg", &s, NULL), CF_OK);
    cr_assert_not_null(strstr(s, "set output 'chart-1.svg'\n"));
    free(s);
    cf_plot_destroy(p);
}

Test(plot, terminator_never_starts_a_text)
{
    cf_plot *p = cf_plot_create("EOD");
    cr_assert_eq(cf_plot_set_labels(p, "EOD1x", "EOD2"), CF_OK);
    char *s = NULL;
    cr_assert_eq(cf_plot_script(p, "chart.svg", &s, NULL), CF_OK);
    cr_assert_not_null(strstr(s, "$CF_TEXT << EOD3\nEOD\nEOD1x\nEOD2\nno data\nEOD3\n"), "%s", s);
    free(s);
    cf_plot_destroy(p);
}

Test(plot, control_bytes_escaped_and_bad_utf8_replaced)
{
    cf_plot *p = cf_plot_create("a\nb\tc\x1b]0;T\x07\x7f");
    cr_assert_eq(cf_plot_set_labels(p, "x\xff y\xc3", "\xed\xa0\x80 \xef\xbf\xbe \xc0\xaf ok\xe2\x82\xac"), CF_OK);
    char *s = NULL;
    cr_assert_eq(cf_plot_script(p, "chart.svg", &s, NULL), CF_OK);
    cr_assert_not_null(strstr(s, "\na\\nb\\tc\\x1b]0;T\\x07\\x7f\n"), "%s", s);
    cr_assert_not_null(strstr(s, "\nx\xef\xbf\xbd y\xef\xbf\xbd\n"), "%s", s);
    /* A surrogate (3 bytes), U+FFFE (3 bytes) and an overlong '/' (2 bytes): one U+FFFD per byte; the euro stays. */
    cr_assert_not_null(strstr(s, "\n\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
                                 "\xef\xbf\xbd\xef\xbf\xbd ok\xe2\x82\xac\n"),
                       "%s", s);
    free(s);
    cf_plot_destroy(p);
}

Test(plot, hostile_text_renders_intact)
{
    char dir[512], tmp[600], svg[700];
    fresh_dirs("hostile", dir, sizeof dir, tmp, sizeof tmp);
    for (size_t h = 0; h < NHOSTILE; h++) {
        cf_plot *p = chart_with(HOSTILE[h]);
        snprintf(svg, sizeof svg, "%s/chart-%zu.svg", dir, h);
        cf_error err;
        cf_error_clear(&err);
        cr_assert_eq(cf_plot_render_svg(p, svg, NULL, &err), CF_OK, "text %zu: %s", h, err.message);
        cf_plot_destroy(p);
        char *texts = svg_texts(svg);
        /* "]]>" is shown with an invisible word joiner (U+2060) before the '>', which keeps the SVG well-formed. */
        const char *want = strstr(HOSTILE[h], "]]>") != NULL ? "<b>&amp;</b> ]]\xe2\x81\xa0>" : HOSTILE[h];
        /* The title, two axis labels, legend, point label, two marker labels and two tics: nine copies. gnuplot
         * writes text with leading or trailing spaces as they are (xml:space="preserve"). */
        size_t copies = 0;
        for (const char *line = texts; *line;) {
            const char *e = strchr(line, '\n');
            size_t n = e != NULL ? (size_t)(e - line) : strlen(line);
            copies += n == strlen(want) && strncmp(line, want, n) == 0;
            line = e != NULL ? e + 1 : line + n;
        }
        cr_assert_eq(copies, 9, "text %zu (%s) appears %zu times intact in:\n%s", h, want, copies, texts);
        free(texts);
    }
    struct stat sb;
    cr_assert_neq(stat(WORK "/pwned-backquote", &sb), 0, "a backquote ran a command");
    cr_assert_neq(stat(WORK "/pwned-system", &sb), 0, "system() ran a command");
    cr_assert_eq(count_entries(tmp), 0, "gnuplot's staging directories are removed after success");
    cr_assert_eq(count_entries(dir), (int)NHOSTILE + 1, "only the charts (and tmp) are in the output directory");
}

Test(plot, hostile_output_path)
{
    /* The SVG path is never given to gnuplot: a path with quotes and a newline is written exactly there, and the
     * file the quotes would cut it to ("victim'") is not touched. */
    char dir[512], tmp[600], svg[700], victim[700];
    fresh_dirs("outpath", dir, sizeof dir, tmp, sizeof tmp);
    snprintf(victim, sizeof victim, "%s/victim'", dir);
    FILE *v = fopen(victim, "w");
    fputs("precious\n", v);
    fclose(v);
    snprintf(svg, sizeof svg, "%s/victim''x\nline2 'q'.svg", dir);
    cf_plot *p = chart_with("t");
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_plot_render_svg(p, svg, NULL, &err), CF_OK, "%s", err.message);
    cf_plot_destroy(p);
    char *texts = svg_texts(svg);
    free(texts);
    char *kept = slurp(victim);
    cr_assert_str_eq(kept, "precious\n");
    free(kept);
    cr_assert_eq(count_entries(dir), 3, "victim', the chart and tmp only");
    cr_assert_eq(count_entries(tmp), 0);
}

Test(plot, failing_script_kept_where_the_error_says)
{
    char dir[512], tmp[600], svg[700];
    fresh_dirs("failing", dir, sizeof dir, tmp, sizeof tmp);
    snprintf(svg, sizeof svg, "%s/chart.svg", dir);
    cf_plot *p = chart_with("bad");
    cr_assert_eq(cf_plot_add_command(p, "set no_such_gnuplot_option 1"), CF_OK);
    cf_error err;
    cf_error_clear(&err);
    cr_assert_eq(cf_plot_render_svg(p, svg, NULL, &err), CF_ERR_EXTERNAL);
    cf_plot_destroy(p);
    const char *at = strstr(err.message, tmp);
    cr_assert_not_null(at, "the error names the staging directory: %s", err.message);
    char kept[800];
    size_t n = strcspn(at, " ");
    cr_assert_lt(n, sizeof kept);
    memcpy(kept, at, n);
    kept[n] = '\0';
    cr_assert_eq(strcmp(kept + n - strlen("/chart.gp"), "/chart.gp"), 0, "%s", kept);
    char *script = slurp(kept);
    cr_assert_not_null(script, "the kept script %s exists", kept);
    cr_assert_not_null(strstr(script, "set no_such_gnuplot_option 1\n"));
    free(script);
    cr_assert_not_null(strstr(err.message, "\"chart.gp\" line "), "gnuplot's error is quoted: %s", err.message);
    cr_assert_eq(count_entries(dir), 1, "nothing beside the chart's path (only tmp)");
    cr_assert_eq(count_entries(tmp), 1, "one kept staging directory");
}

Test(plot, concurrent_renders_never_collide)
{
    /* Eight processes draw charts of the same names into the same directory at once (issue 10: two reports into
     * one --out failed 7 times in 10 on a shared DIR.<chart>.gp). */
    char dir[512], tmp[600];
    fresh_dirs("concurrent", dir, sizeof dir, tmp, sizeof tmp);
    pid_t kids[8];
    for (int k = 0; k < 8; k++) {
        kids[k] = fork();
        cr_assert_geq(kids[k], 0);
        if (kids[k] == 0) {
            int bad = 0;
            for (int i = 0; i < 3; i++) {
                char svg[700];
                snprintf(svg, sizeof svg, "%s/chart-%d.svg", dir, i);
                cf_plot *p = chart_with("same name");
                bad |= cf_plot_render_svg(p, svg, NULL, NULL) != CF_OK;
                cf_plot_destroy(p);
            }
            _exit(bad);
        }
    }
    for (int k = 0; k < 8; k++) {
        int status = 0;
        cr_assert_eq(waitpid(kids[k], &status, 0), kids[k]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "worker %d failed", k);
    }
    for (int i = 0; i < 3; i++) {
        char svg[700];
        snprintf(svg, sizeof svg, "%s/chart-%d.svg", dir, i);
        free(svg_texts(svg));
    }
    cr_assert_eq(count_entries(dir), 4, "three charts and tmp, no temporaries");
    cr_assert_eq(count_entries(tmp), 0);
}
