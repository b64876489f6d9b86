/* costfront: charts drawn by gnuplot (see include/costfront/plot.h).
 *
 * The script is self-contained: data travel inline as gnuplot 5 datablocks (`$D0 << EOD`), so a kept script
 * reproduces the failure on its own. No text is ever a string literal in a command: every title, label, legend
 * entry and category name is one line of the datablock $CF_TEXT and is named as $CF_TEXT[i] (see text_block), and
 * the output is the fixed name "chart.svg" in gnuplot's working directory, so nothing a user writes -- a run id, an
 * objective, a group value, an --out path -- can end a string early, run a command or name another file (issue
 * 10). The terminal is `noenhanced` so run ids such as "run_1" are not turned into subscripts. Numbers go through
 * numfmt.h (C locale, "%.10g", missing as `?` declared with `set datafile missing '?'`).
 *
 * gnuplot runs in a staging directory of its own (mkdtemp under $TMPDIR) on the fixed names chart.gp and
 * chart.svg, started by fork and exec without a shell; its output is read back through a pipe, so a gnuplot that
 * dies early can never raise SIGPIPE in the caller's process, and its error text is captured for the message
 * instead of leaking to the terminal (the library never prints). The SVG is then moved into place; on failure the
 * staging directory and its script are kept and the error names them.
 */
#include "costfront/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "costfront/output.h"
#include "reports/numfmt.h"
#include "reports/strbuf.h"

/* Okabe & Ito (2008) colour-blind-safe palette, then a few extra. */
static const char *const PALETTE[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
                                      "#D55E00", "#F0E442", "#000000", "#999999", "#882255"};
#define PALETTE_N (sizeof PALETTE / sizeof PALETTE[0])

typedef struct plot_series {
    char *title;
    cf_plot_style style;
    size_t n;
    double *x, *y;
    double *xlo, *xhi, *ylo, *yhi; /* NULL when absent */
    char color[8];                 /* "#rrggbb" or "" for the palette */
    double width;                  /* NaN for the style's default */
} plot_series;

typedef struct plot_label {
    double x, y;
    char *text;
    int mark;
} plot_label;

typedef struct plot_line {
    int vertical;
    double at;
    char *label; /* may be NULL */
} plot_line;

struct cf_plot {
    char *title, *xlabel, *ylabel;
    int logx, logy;
    int width, height;
    cf_plot_key key;
    double xr[2], yr[2];
    plot_series *series;
    size_t ns, cap_s;
    plot_label *labels;
    size_t nl, cap_l;
    plot_line *lines;
    size_t nli, cap_li;
    char **xcat, **ycat;
    size_t nxcat, nycat;
    char **cmds;
    size_t ncmd, cap_cmd;
};

/* Copies n doubles (NULL in, NULL out). Sets *oom on allocation failure. */
static double *dupd(const double *v, size_t n, int *oom)
{
    if (v == NULL) return NULL;
    double *d = malloc((n ? n : 1) * sizeof *d);
    if (d == NULL) {
        *oom = 1;
        return NULL;
    }
    if (n) memcpy(d, v, n * sizeof *d);
    return d;
}

cf_plot *cf_plot_create(const char *title)
{
    cf_plot *p = calloc(1, sizeof *p);
    if (p == NULL) return NULL;
    if (title != NULL && (p->title = cf_rep_dupstr(title)) == NULL) {
        free(p);
        return NULL;
    }
    p->width = 800;
    p->height = 500;
    p->key = CF_PLOT_KEY_TOP_RIGHT;
    p->xr[0] = p->xr[1] = p->yr[0] = p->yr[1] = NAN;
    return p;
}

/* Frees a list of n strings. */
static void free_strs(char **v, size_t n)
{
    if (v == NULL) return;
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

void cf_plot_destroy(cf_plot *p)
{
    if (p == NULL) return;
    free(p->title);
    free(p->xlabel);
    free(p->ylabel);
    for (size_t i = 0; i < p->ns; i++) {
        plot_series *s = &p->series[i];
        free(s->title);
        free(s->x);
        free(s->y);
        free(s->xlo);
        free(s->xhi);
        free(s->ylo);
        free(s->yhi);
    }
    free(p->series);
    for (size_t i = 0; i < p->nl; i++) free(p->labels[i].text);
    free(p->labels);
    for (size_t i = 0; i < p->nli; i++) free(p->lines[i].label);
    free(p->lines);
    free_strs(p->xcat, p->nxcat);
    free_strs(p->ycat, p->nycat);
    free_strs(p->cmds, p->ncmd);
    free(p);
}

cf_status cf_plot_set_labels(cf_plot *p, const char *xlabel, const char *ylabel)
{
    if (p == NULL) return CF_ERR_ARG;
    char *x = cf_rep_dupstr(xlabel), *y = cf_rep_dupstr(ylabel);
    if ((xlabel != NULL && x == NULL) || (ylabel != NULL && y == NULL)) {
        free(x);
        free(y);
        return CF_ERR_NOMEM;
    }
    free(p->xlabel);
    free(p->ylabel);
    p->xlabel = x;
    p->ylabel = y;
    return CF_OK;
}

void cf_plot_set_log(cf_plot *p, int logx, int logy)
{
    if (p == NULL) return;
    p->logx = logx != 0;
    p->logy = logy != 0;
}

void cf_plot_set_size(cf_plot *p, int width, int height)
{
    if (p == NULL) return;
    p->width = width < 100 ? 100 : width > 4000 ? 4000 : width;
    p->height = height < 100 ? 100 : height > 4000 ? 4000 : height;
}

void cf_plot_set_key(cf_plot *p, cf_plot_key key)
{
    if (p != NULL && key >= CF_PLOT_KEY_TOP_RIGHT && key <= CF_PLOT_KEY_OFF) p->key = key;
}

void cf_plot_set_xrange(cf_plot *p, double lo, double hi)
{
    if (p == NULL) return;
    p->xr[0] = lo;
    p->xr[1] = hi;
}

void cf_plot_set_yrange(cf_plot *p, double lo, double hi)
{
    if (p == NULL) return;
    p->yr[0] = lo;
    p->yr[1] = hi;
}

cf_status cf_plot_add_series(cf_plot *p, const char *title, cf_plot_style style, const double *x, const double *y,
                             size_t n, size_t *index)
{
    if (p == NULL || (n > 0 && (x == NULL || y == NULL)) || style < CF_PLOT_POINTS || style > CF_PLOT_FSTEPS)
        return CF_ERR_ARG;
    if (cf_rep_grow((void **)&p->series, &p->cap_s, p->ns, sizeof *p->series) != 0) return CF_ERR_NOMEM;
    plot_series s;
    memset(&s, 0, sizeof s);
    int oom = 0;
    s.style = style;
    s.n = n;
    s.width = NAN;
    s.title = cf_rep_dupstr(title != NULL ? title : "");
    static const double none = 0;
    s.x = dupd(n ? x : &none, n, &oom);
    s.y = dupd(n ? y : &none, n, &oom);
    if (oom || s.title == NULL) {
        free(s.title);
        free(s.x);
        free(s.y);
        return CF_ERR_NOMEM;
    }
    p->series[p->ns] = s;
    if (index != NULL) *index = p->ns;
    p->ns++;
    return CF_OK;
}

cf_status cf_plot_set_errors(cf_plot *p, size_t k, const double *xlo, const double *xhi, const double *ylo,
                             const double *yhi)
{
    if (p == NULL || k >= p->ns) return CF_ERR_ARG;
    plot_series *s = &p->series[k];
    if (s->style == CF_PLOT_HBARS && (xlo == NULL || xhi == NULL)) return CF_ERR_ARG;
    int oom = 0;
    double *a = dupd(xlo, s->n, &oom), *b = dupd(xhi, s->n, &oom), *c = dupd(ylo, s->n, &oom),
           *d = dupd(yhi, s->n, &oom);
    if (oom) {
        free(a);
        free(b);
        free(c);
        free(d);
        return CF_ERR_NOMEM;
    }
    free(s->xlo);
    free(s->xhi);
    free(s->ylo);
    free(s->yhi);
    s->xlo = a;
    s->xhi = b;
    s->ylo = c;
    s->yhi = d;
    return CF_OK;
}

/* Returns 1 when c is a hexadecimal digit. */
static int is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

cf_status cf_plot_set_color(cf_plot *p, size_t k, const char *rgb)
{
    if (p == NULL || k >= p->ns || rgb == NULL || strlen(rgb) != 7 || rgb[0] != '#') return CF_ERR_ARG;
    for (int i = 1; i < 7; i++)
        if (!is_hex(rgb[i])) return CF_ERR_ARG;
    memcpy(p->series[k].color, rgb, 8);
    return CF_OK;
}

cf_status cf_plot_set_width(cf_plot *p, size_t k, double width)
{
    if (p == NULL || k >= p->ns || !(width > 0) || !isfinite(width)) return CF_ERR_ARG;
    p->series[k].width = width;
    return CF_OK;
}

cf_status cf_plot_add_label(cf_plot *p, double x, double y, const char *text, int mark)
{
    if (p == NULL || text == NULL || !isfinite(x) || !isfinite(y)) return CF_ERR_ARG;
    if (cf_rep_grow((void **)&p->labels, &p->cap_l, p->nl, sizeof *p->labels) != 0) return CF_ERR_NOMEM;
    char *t = cf_rep_dupstr(text);
    if (t == NULL) return CF_ERR_NOMEM;
    p->labels[p->nl++] = (plot_label){x, y, t, mark != 0};
    return CF_OK;
}

/* Adds a marker line. */
static cf_status add_line(cf_plot *p, int vertical, double at, const char *label)
{
    if (p == NULL || !isfinite(at)) return CF_ERR_ARG;
    if (cf_rep_grow((void **)&p->lines, &p->cap_li, p->nli, sizeof *p->lines) != 0) return CF_ERR_NOMEM;
    char *t = cf_rep_dupstr(label);
    if (label != NULL && t == NULL) return CF_ERR_NOMEM;
    p->lines[p->nli++] = (plot_line){vertical, at, t};
    return CF_OK;
}

cf_status cf_plot_add_vline(cf_plot *p, double x, const char *label) { return add_line(p, 1, x, label); }

cf_status cf_plot_add_hline(cf_plot *p, double y, const char *label) { return add_line(p, 0, y, label); }

/* Copies n names into *dst (freeing the previous list). */
static cf_status set_cats(char ***dst, size_t *ndst, const char *const *names, size_t n)
{
    if (n > 0 && names == NULL) return CF_ERR_ARG;
    char **v = calloc(n ? n : 1, sizeof *v);
    if (v == NULL) return CF_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        v[i] = cf_rep_dupstr(names[i] != NULL ? names[i] : "");
        if (v[i] == NULL) {
            free_strs(v, i);
            return CF_ERR_NOMEM;
        }
    }
    free_strs(*dst, *ndst);
    *dst = v;
    *ndst = n;
    return CF_OK;
}

cf_status cf_plot_set_xcategories(cf_plot *p, const char *const *names, size_t n)
{
    if (p == NULL) return CF_ERR_ARG;
    return set_cats(&p->xcat, &p->nxcat, names, n);
}

cf_status cf_plot_set_ycategories(cf_plot *p, const char *const *names, size_t n)
{
    if (p == NULL) return CF_ERR_ARG;
    return set_cats(&p->ycat, &p->nycat, names, n);
}

cf_status cf_plot_add_histogram(cf_plot *p, const char *title, const double *values, size_t n, size_t bins,
                                size_t *index)
{
    if (p == NULL || (n > 0 && values == NULL)) return CF_ERR_ARG;
    size_t count = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(values[i])) continue;
        count++;
        if (values[i] < lo) lo = values[i];
        if (values[i] > hi) hi = values[i];
    }
    if (count == 0) return CF_ERR_EMPTY;
    if (bins == 0) {
        bins = (size_t)ceil(sqrt((double)count));
        if (bins < 5) bins = 5;
        if (bins > 50) bins = 50;
    }
    double width = (hi - lo) / (double)bins;
    if (!(width > 0)) { /* every value equal: one bar centred on it */
        bins = 1;
        width = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1.0;
        lo -= width / 2;
    }
    double *x = calloc(bins, sizeof *x), *y = calloc(bins, sizeof *y);
    if (x == NULL || y == NULL) {
        free(x);
        free(y);
        return CF_ERR_NOMEM;
    }
    for (size_t b = 0; b < bins; b++) x[b] = lo + ((double)b + 0.5) * width;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(values[i])) continue;
        double f = floor((values[i] - lo) / width);
        size_t b = f < 0 ? 0 : (size_t)f;
        if (b >= bins) b = bins - 1;
        y[b] += 1;
    }
    size_t k = 0;
    cf_status st = cf_plot_add_series(p, title, CF_PLOT_BARS, x, y, bins, &k);
    free(x);
    free(y);
    if (st != CF_OK) return st;
    p->series[k].width = width;
    if (index != NULL) *index = k;
    return CF_OK;
}

cf_status cf_plot_add_command(cf_plot *p, const char *command)
{
    if (p == NULL || command == NULL || strchr(command, '\n') != NULL) return CF_ERR_ARG;
    if (cf_rep_grow((void **)&p->cmds, &p->cap_cmd, p->ncmd, sizeof *p->cmds) != 0) return CF_ERR_NOMEM;
    char *c = cf_rep_dupstr(command);
    if (c == NULL) return CF_ERR_NOMEM;
    p->cmds[p->ncmd++] = c;
    return CF_OK;
}

size_t cf_plot_series_count(const cf_plot *p) { return p != NULL ? p->ns : 0; }

/* The texts a chart shows (title, axis labels, legend titles, labels, category names) travel in one datablock,
 * $CF_TEXT, one text per line, and the commands name them as $CF_TEXT[i]. gnuplot stores a datablock line as it
 * is -- no quotes, no escapes, no backquote or macro substitution -- and a string taken from a datablock is never
 * parsed again, so no run id, objective name, group value or title can end a string early or run a command (issue
 * 10: a knee run id holding '' broke every chart). The only structure left is the line itself and the terminator,
 * which is chosen so that no line starts with it (gnuplot ends a datablock at the first line that does). */
typedef struct text_block {
    cf_sb lines; /* the texts, each ending in a newline */
    size_t n;    /* how many */
} text_block;

/* Appends s to b as one line of the text block: a newline, a tab, any other control byte and DEL are written as
 * cf_text_escape writes them (\n, \t, \xHH: a chart label is one line), and each byte that does not begin a valid
 * UTF-8 character is replaced by U+FFFD, so that the SVG gnuplot writes is always well-formed (for the same reason
 * an invisible word joiner splits "]]>"). */
static void put_text_line(cf_sb *b, const char *s)
{
    const unsigned char *c = (const unsigned char *)(s != NULL ? s : "");
    while (*c) {
        if (*c < 0x80) {
            if (*c == '\n')
                cf_sb_puts(b, "\\n");
            else if (*c == '\t')
                cf_sb_puts(b, "\\t");
            else if (*c < 0x20 || *c == 0x7f)
                cf_sb_printf(b, "\\x%02x", *c);
            else {
                /* gnuplot's SVG terminal escapes & and < but not >, so "]]>" would end the SVG's well-formedness:
                 * a word joiner (U+2060, invisible) goes between "]]" and ">". */
                if (*c == '>' && b->n >= 2 && b->s[b->n - 1] == ']' && b->s[b->n - 2] == ']')
                    cf_sb_puts(b, "\xE2\x81\xA0");
                cf_sb_putn(b, (const char *)c, 1);
            }
            c++;
            continue;
        }
        size_t len = cf_utf8_len((const char *)c);
        if (len == 0) {
            cf_sb_puts(b, "\xEF\xBF\xBD");
            c++;
        } else {
            cf_sb_putn(b, (const char *)c, len);
            c += len;
        }
    }
    cf_sb_putn(b, "\n", 1);
}

/* Adds text to the block and appends a reference to it ("$CF_TEXT[3]") to the script b. */
static void put_text(cf_sb *b, text_block *t, const char *text)
{
    put_text_line(&t->lines, text);
    t->n++;
    cf_sb_printf(b, "$CF_TEXT[%zu]", t->n);
}

/* Writes into term (size n) a datablock terminator that no line of lines starts with: "EOD", else "EOD1",
 * "EOD2", ... Each line rules out at most as many candidates as it has bytes, so the search ends. */
static void pick_terminator(const char *lines, char *term, size_t n)
{
    for (unsigned k = 0;; k++) {
        if (k == 0)
            snprintf(term, n, "EOD");
        else
            snprintf(term, n, "EOD%u", k);
        size_t tl = strlen(term);
        int clash = 0;
        for (const char *l = lines; l != NULL && *l != '\0' && !clash;) {
            clash = strncmp(l, term, tl) == 0;
            const char *e = strchr(l, '\n');
            l = e != NULL ? e + 1 : NULL;
        }
        if (!clash) return;
    }
}

/* 1 when name is a plain file name gnuplot can be given literally: letters, digits, '.', '_' and '-', not starting
 * with '.' or '-', at most 64 bytes. The output of a script is always such a generated name, relative to the
 * staging directory gnuplot runs in, never a user's path. */
static int plain_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64 || name[0] == '.' || name[0] == '-') return 0;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '.' ||
              *c == '_' || *c == '-'))
            return 0;
    return 1;
}

/* Appends a number for gnuplot: "%.10g" under the C locale, `?` when missing. */
static void put_num(cf_sb *b, double v)
{
    char buf[CF_NUM_BUF];
    cf_sb_puts(b, cf_fmt_g10(buf, v, "?"));
}

/* Value shown on an axis: missing when not finite or not positive on a log axis. */
static double axis_value(double v, int logscale)
{
    if (!isfinite(v) || (logscale && !(v > 0))) return NAN;
    return v;
}

/* Returns 1 when series s has at least one point gnuplot can draw. */
static int series_drawable(const cf_plot *p, const plot_series *s)
{
    for (size_t i = 0; i < s->n; i++) {
        double x = s->style == CF_PLOT_HBARS ? s->xhi[i] : s->x[i];
        if (s->style == CF_PLOT_HBARS && !isfinite(s->xlo[i])) continue;
        if (isfinite(axis_value(x, p->logx)) && isfinite(axis_value(s->y[i], p->logy))) return 1;
    }
    return 0;
}

/* Bound of an error bar: the bound itself, or the value when the bound is absent or NaN. */
static double bound(const double *b, size_t i, double v) { return b != NULL && isfinite(b[i]) ? b[i] : v; }

/* Appends one category tic list ("set xtics ($CF_TEXT[4] 0, $CF_TEXT[5] 1)"). */
static void put_cats(cf_sb *b, text_block *t, const char *axis, char *const *names, size_t n)
{
    cf_sb_printf(b, "set %stics (", axis);
    for (size_t i = 0; i < n; i++) {
        if (i) cf_sb_puts(b, ", ");
        put_text(b, t, names[i]);
        cf_sb_printf(b, " %zu", i);
    }
    cf_sb_puts(b, ")\n");
    if (n > 6 && axis[0] == 'x') cf_sb_puts(b, "set xtics rotate by -35\n");
    cf_sb_printf(b, "set %srange [-0.6:%zu.6]\n", axis, n ? n - 1 : 0);
}

/* Appends a range setting when at least one bound is fixed. */
static void put_range(cf_sb *b, const char *axis, const double r[2])
{
    if (!isfinite(r[0]) && !isfinite(r[1])) return;
    char lo[CF_NUM_BUF], hi[CF_NUM_BUF];
    cf_sb_printf(b, "set %srange [%s:%s]\n", axis, cf_fmt_g10(lo, r[0], "*"), cf_fmt_g10(hi, r[1], "*"));
}

cf_status cf_plot_script(const cf_plot *p, const char *output, char **script, cf_error *err)
{
    if (script != NULL) *script = NULL;
    if (p == NULL || output == NULL || script == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_plot_script needs a plot, an output and a result");
    if (!plain_name(output))
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL,
                            "cf_plot_script: the output must be a plain file name (letters, digits, '.', '_', '-'), "
                            "written in gnuplot's working directory; found \"%s\"",
                            output);
    cf_sb b = {0};
    text_block t = {{0}, 0};
    cf_sb_printf(&b, "set terminal svg size %d,%d noenhanced font 'Sans,11' background rgb 'white'\n", p->width,
                 p->height);
    cf_sb_printf(&b, "set output '%s'", output);
    cf_sb_puts(&b, "\nset datafile missing '?'\nset grid lc rgb '#dddddd'\nset border lc rgb '#444444'\n");
    cf_sb_puts(&b, "set style fill solid 0.75 border lc rgb '#333333'\n");
    if (p->title != NULL) {
        cf_sb_puts(&b, "set title ");
        put_text(&b, &t, p->title);
        cf_sb_puts(&b, "\n");
    }
    if (p->xlabel != NULL) {
        cf_sb_puts(&b, "set xlabel ");
        put_text(&b, &t, p->xlabel);
        cf_sb_puts(&b, "\n");
    }
    if (p->ylabel != NULL) {
        cf_sb_puts(&b, "set ylabel ");
        put_text(&b, &t, p->ylabel);
        cf_sb_puts(&b, "\n");
    }
    static const char *const keys[] = {"set key top right",   "set key top left",          "set key bottom right",
                                       "set key bottom left", "set key outside right top", "unset key"};
    cf_sb_printf(&b, "%s\n", keys[p->key]);
    int any = 0;
    for (size_t k = 0; k < p->ns; k++) any |= series_drawable(p, &p->series[k]);
    if (any && p->logx) cf_sb_puts(&b, "set logscale x\n");
    if (any && p->logy) cf_sb_puts(&b, "set logscale y\n");
    if (p->nxcat) put_cats(&b, &t, "x", p->xcat, p->nxcat);
    if (p->nycat) put_cats(&b, &t, "y", p->ycat, p->nycat);
    put_range(&b, "x", p->xr);
    put_range(&b, "y", p->yr);

    int tag = 1;
    for (size_t i = 0; i < p->nl; i++, tag++) {
        const plot_label *l = &p->labels[i];
        cf_sb_printf(&b, "set label %d ", tag);
        put_text(&b, &t, l->text);
        cf_sb_puts(&b, " at first ");
        put_num(&b, l->x);
        cf_sb_puts(&b, ", first ");
        put_num(&b, l->y);
        if (l->mark)
            cf_sb_puts(&b, " point pt 7 ps 1.6 lc rgb '#D55E00' offset 1,1 front");
        else
            cf_sb_puts(&b, " front");
        cf_sb_puts(&b, "\n");
    }
    for (size_t i = 0; i < p->nli; i++) {
        const plot_line *l = &p->lines[i];
        char v[CF_NUM_BUF];
        cf_fmt_g10(v, l->at, "?");
        if (l->vertical)
            cf_sb_printf(&b,
                         "set arrow %zu from first %s, graph 0 to first %s, graph 1 nohead dt 2 lw 1.5 "
                         "lc rgb '#555555' front\n",
                         i + 1, v, v);
        else
            cf_sb_printf(&b,
                         "set arrow %zu from graph 0, first %s to graph 1, first %s nohead dt 2 lw 1.5 "
                         "lc rgb '#555555' front\n",
                         i + 1, v, v);
        if (l->label != NULL) {
            cf_sb_printf(&b, "set label %d ", tag++);
            put_text(&b, &t, l->label);
            if (l->vertical)
                cf_sb_printf(&b, " at first %s, graph 0.97 offset 0.5,0 left tc rgb '#555555' front\n", v);
            else
                cf_sb_printf(&b, " at graph 0.01, first %s offset 0,0.6 left tc rgb '#555555' front\n", v);
        }
    }
    for (size_t i = 0; i < p->ncmd; i++) cf_sb_printf(&b, "%s\n", p->cmds[i]);

    /* Data blocks. */
    for (size_t k = 0; k < p->ns; k++) {
        const plot_series *s = &p->series[k];
        if (!series_drawable(p, s)) continue;
        cf_sb_printf(&b, "$D%zu << EOD\n", k);
        for (size_t i = 0; i < s->n; i++) {
            double x = axis_value(s->x[i], p->logx), y = axis_value(s->y[i], p->logy);
            if (s->style == CF_PLOT_HBARS) {
                double lo = axis_value(s->xlo[i], p->logx), hi = axis_value(s->xhi[i], p->logx);
                double h = isfinite(s->width) ? s->width : 0.7;
                put_num(&b, (lo + hi) / 2);
                cf_sb_puts(&b, " ");
                put_num(&b, y);
                cf_sb_puts(&b, " ");
                put_num(&b, lo);
                cf_sb_puts(&b, " ");
                put_num(&b, hi);
                cf_sb_puts(&b, " ");
                put_num(&b, y - h / 2);
                cf_sb_puts(&b, " ");
                put_num(&b, y + h / 2);
            } else {
                put_num(&b, x);
                cf_sb_puts(&b, " ");
                put_num(&b, y);
                if (s->style == CF_PLOT_ERRORBARS) {
                    if (s->xlo != NULL || s->xhi != NULL) {
                        cf_sb_puts(&b, " ");
                        put_num(&b, axis_value(bound(s->xlo, i, s->x[i]), p->logx));
                        cf_sb_puts(&b, " ");
                        put_num(&b, axis_value(bound(s->xhi, i, s->x[i]), p->logx));
                    }
                    if (s->ylo != NULL || s->yhi != NULL) {
                        cf_sb_puts(&b, " ");
                        put_num(&b, axis_value(bound(s->ylo, i, s->y[i]), p->logy));
                        cf_sb_puts(&b, " ");
                        put_num(&b, axis_value(bound(s->yhi, i, s->y[i]), p->logy));
                    }
                } else if (s->style == CF_PLOT_BARS) {
                    cf_sb_puts(&b, " ");
                    put_num(&b, isfinite(s->width) ? s->width : 0.8);
                }
            }
            cf_sb_puts(&b, "\n");
        }
        cf_sb_puts(&b, "EOD\n");
    }

    /* The plot command. */
    if (!any) {
        cf_sb_puts(&b, "unset logscale\nset label 999 ");
        put_text(&b, &t, "no data");
        cf_sb_puts(&b, " at graph 0.5, graph 0.5 center\nplot [0:1] [0:1] NaN notitle\n");
    } else {
        cf_sb_puts(&b, "plot ");
        int first = 1;
        for (size_t k = 0; k < p->ns; k++) {
            const plot_series *s = &p->series[k];
            if (!series_drawable(p, s)) continue;
            if (!first) cf_sb_puts(&b, ", \\\n     ");
            first = 0;
            const char *color = s->color[0] ? s->color : PALETTE[k % PALETTE_N];
            cf_sb_printf(&b, "$D%zu ", k);
            switch (s->style) {
            case CF_PLOT_POINTS: cf_sb_puts(&b, "using 1:2 with points pt 7 ps 0.9"); break;
            case CF_PLOT_LINES: cf_sb_puts(&b, "using 1:2 with lines lw 2"); break;
            case CF_PLOT_LINESPOINTS: cf_sb_puts(&b, "using 1:2 with linespoints lw 2 pt 7 ps 0.8"); break;
            case CF_PLOT_STEPS: cf_sb_puts(&b, "using 1:2 with steps lw 2"); break;
            case CF_PLOT_FSTEPS: cf_sb_puts(&b, "using 1:2 with fsteps lw 2"); break;
            case CF_PLOT_ERRORBARS: {
                int hx = s->xlo != NULL || s->xhi != NULL, hy = s->ylo != NULL || s->yhi != NULL;
                if (hx && hy)
                    cf_sb_puts(&b, "using 1:2:3:4:5:6 with xyerrorbars pt 7 ps 0.8");
                else if (hx)
                    cf_sb_puts(&b, "using 1:2:3:4 with xerrorbars pt 7 ps 0.8");
                else if (hy)
                    cf_sb_puts(&b, "using 1:2:3:4 with yerrorbars pt 7 ps 0.8");
                else
                    cf_sb_puts(&b, "using 1:2 with points pt 7 ps 0.8");
                break;
            }
            case CF_PLOT_BARS: cf_sb_puts(&b, "using 1:2:3 with boxes"); break;
            case CF_PLOT_HBARS: cf_sb_puts(&b, "using 1:2:3:4:5:6 with boxxyerror"); break;
            }
            cf_sb_printf(&b, " lc rgb '%s' ", color);
            if (s->title[0]) {
                cf_sb_puts(&b, "title ");
                put_text(&b, &t, s->title);
            } else {
                cf_sb_puts(&b, "notitle");
            }
        }
        cf_sb_puts(&b, "\n");
    }
    cf_sb_puts(&b, "unset output\n");

    /* The header and the text block go first: every command after them may name a text. */
    cf_sb all = {0};
    char term[32];
    pick_terminator(t.lines.s, term, sizeof term);
    cf_sb_puts(&all, "# costfront chart (gnuplot 5): data inline, numbers in the C locale, '?' = missing;\n"
                     "# every text is a line of $CF_TEXT, named by its number\n");
    cf_sb_puts(&all, "set encoding utf8\n");
    cf_sb_printf(&all, "$CF_TEXT << %s\n", term);
    if (t.lines.s != NULL) cf_sb_puts(&all, t.lines.s);
    cf_sb_printf(&all, "%s\n", term);
    if (b.s != NULL) cf_sb_puts(&all, b.s);
    int failed = b.failed || t.lines.failed || all.failed;
    cf_sb_free(&b);
    cf_sb_free(&t.lines);
    *script = failed ? NULL : cf_sb_take(&all);
    cf_sb_free(&all);
    if (*script == NULL) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory building a chart");
    return CF_OK;
}

/* Finds the gnuplot program: $CF_GNUPLOT when set, else "gnuplot" on PATH. Returns a malloc'd path or NULL. */
static char *find_gnuplot(void)
{
    const char *env = getenv("CF_GNUPLOT");
    if (env != NULL && env[0] != '\0') {
        if (strchr(env, '/') != NULL) return access(env, X_OK) == 0 ? cf_rep_dupstr(env) : NULL;
    }
    const char *name = env != NULL && env[0] != '\0' ? env : "gnuplot";
    const char *path = getenv("PATH");
    if (path == NULL || path[0] == '\0') return NULL;
    const char *p = path;
    while (1) {
        const char *colon = strchr(p, ':');
        size_t len = colon != NULL ? (size_t)(colon - p) : strlen(p);
        if (len > 0) {
            size_t n = len + strlen(name) + 2;
            char *cand = malloc(n);
            if (cand == NULL) return NULL;
            snprintf(cand, n, "%.*s/%s", (int)len, p, name);
            struct stat sb;
            if (stat(cand, &sb) == 0 && S_ISREG(sb.st_mode) && access(cand, X_OK) == 0) return cand;
            free(cand);
        }
        if (colon == NULL) break;
        p = colon + 1;
    }
    return NULL;
}

/* Picks the most telling line of gnuplot's output: the first that names a script line ("line N:"), else the last
 * non-empty one. Returns it malloc'd and whole (cf_error_set escapes and cuts it at a character boundary), or NULL
 * when there is none. */
static char *pick_error_line(const char *text)
{
    if (text == NULL) return NULL;
    const char *line = text, *last = NULL, *pick = NULL;
    size_t last_len = 0, pick_len = 0;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        int blank = 1;
        for (size_t i = 0; i < len; i++)
            if (line[i] != ' ' && line[i] != '\t' && line[i] != '^' && line[i] != '\r') blank = 0;
        if (!blank) {
            last = line;
            last_len = len;
            const char *hit = strstr(line, " line ");
            if (pick == NULL && hit != NULL && hit < line + len) {
                pick = line;
                pick_len = len;
            }
        }
        if (end == NULL) break;
        line = end + 1;
    }
    if (pick == NULL) {
        pick = last;
        pick_len = last_len;
    }
    if (pick == NULL) return NULL;
    char *out = malloc(pick_len + 1);
    if (out != NULL) {
        memcpy(out, pick, pick_len);
        out[pick_len] = '\0';
    }
    return out;
}

/* Returns a malloc'd "dir/name". */
static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *s = malloc(n);
    if (s != NULL) snprintf(s, n, "%s/%s", dir, name);
    return s;
}

/* Creates the staging directory gnuplot runs in: "$TMPDIR/costfront-plot-XXXXXX" (TMPDIR unset or empty: /tmp),
 * unique to the call (mkdtemp), so that concurrent reports, even into the same --out, never share a file (issue
 * 10: two reports wrote and deleted the same DIR.<chart>.gp). It lies outside every output directory, so a
 * failing script kept in it survives the removal of a report's staging tree. Returns a malloc'd path or NULL with
 * errno set. */
static char *make_stage(void)
{
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || tmp[0] == '\0') tmp = "/tmp";
    char *dir = path_join(tmp, "costfront-plot-XXXXXX");
    if (dir == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    if (mkdtemp(dir) == NULL) {
        int e = errno;
        free(dir);
        errno = e;
        return NULL;
    }
    return dir;
}

/* Runs prog on the script SCRIPT_NAME inside the directory dir: fork, then in the child chdir(dir), stdin from
 * /dev/null, stdout and stderr into a pipe, and exec -- no shell, so neither the staging path nor the program's
 * path is ever quoted. gnuplot's output is read back into *output (at most 64 KiB kept, malloc'd; the caller
 * frees it), so a gnuplot that dies early cannot raise SIGPIPE in the caller and its errors never reach the
 * terminal (the library never prints). Returns the wait status, or -1 with errno set when gnuplot could not be
 * started; 127 << 8 means that exec failed. */
static int run_gnuplot(const char *prog, const char *dir, const char *script, char **output)
{
    *output = NULL;
    int fds[2];
    if (pipe(fds) != 0) return -1;
    /* Close-on-exec, so that a program another thread starts meanwhile does not hold the pipe open (dup2 clears the
     * flag on the child's copies). */
    (void)fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    (void)fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    char *argv[] = {(char *)"gnuplot", (char *)script, NULL};
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        errno = e;
        return -1;
    }
    if (pid == 0) { /* the child: only async-signal-safe calls until exec */
        int nul = open("/dev/null", O_RDONLY);
        if (nul < 0 || dup2(nul, STDIN_FILENO) < 0 || dup2(fds[1], STDOUT_FILENO) < 0 ||
            dup2(fds[1], STDERR_FILENO) < 0 || chdir(dir) != 0)
            _exit(126);
        close(fds[0]);
        close(fds[1]);
        close(nul);
        execv(prog, argv);
        _exit(127);
    }
    close(fds[1]);
    cf_sb ob = {0};
    char chunk[4096];
    for (;;) {
        ssize_t got = read(fds[0], chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        if (ob.n < 65536) cf_sb_putn(&ob, chunk, (size_t)got);
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            status = -1;
            break;
        }
    }
    *output = cf_sb_take(&ob);
    return status;
}

/* Moves the finished SVG from the staging directory to svg_path: a rename when both are on one file system, else
 * a copy written atomically (a temporary beside svg_path renamed over it). Either way svg_path changes in one
 * step, and it ends up readable by all (0644) like every other output. */
static cf_status move_svg(const char *from, const char *svg_path, cf_error *err)
{
    if (rename(from, svg_path) == 0) {
        (void)chmod(svg_path, 0644);
        return CF_OK;
    }
    int e = errno;
    if (e != EXDEV)
        return cf_error_set(err, CF_ERR_IO, svg_path, 0, 0, NULL, "cannot move the chart to %s: %s", svg_path,
                            strerror(e));
    FILE *fp = fopen(from, "rb");
    if (fp == NULL) {
        e = errno;
        return cf_error_set(err, CF_ERR_IO, from, 0, 0, NULL, "cannot read the chart gnuplot drew (%s): %s", from,
                            strerror(e));
    }
    cf_sb data = {0};
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) cf_sb_putn(&data, chunk, got);
    int bad = ferror(fp);
    fclose(fp);
    if (bad || data.failed) {
        cf_sb_free(&data);
        return cf_error_set(err, bad ? CF_ERR_IO : CF_ERR_NOMEM, from, 0, 0, NULL, "cannot read the chart (%s)%s", from,
                            bad ? "" : ": out of memory");
    }
    cf_status st = cf_write_file_atomic(svg_path, data.s != NULL ? data.s : "", data.n, err);
    cf_sb_free(&data);
    return st;
}

cf_status cf_plot_render_svg(const cf_plot *p, const char *svg_path, const char *script_path, cf_error *err)
{
    if (p == NULL || svg_path == NULL || svg_path[0] == '\0')
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "cf_plot_render_svg needs a plot and an output path");
    char *prog = find_gnuplot();
    if (prog == NULL)
        return cf_error_set(err, CF_ERR_EXTERNAL, svg_path, 0, 0, NULL,
                            "gnuplot was not found on PATH (needed to draw %s); install it, e.g. "
                            "`apt-get install gnuplot-nox`, or set CF_GNUPLOT to its path",
                            svg_path);
    cf_status st = CF_OK;
    char *script = NULL, *stage = NULL, *gp_path = NULL, *out_path = NULL, *output = NULL;
    int keep = 0;
    if ((st = cf_plot_script(p, "chart.svg", &script, err)) != CF_OK) goto done;
    stage = make_stage();
    if (stage == NULL) {
        int e = errno;
        st = cf_error_set(err, CF_ERR_IO, NULL, 0, 0, NULL,
                          "cannot create a staging directory for gnuplot under %s (set TMPDIR to a writable "
                          "directory): %s",
                          getenv("TMPDIR") != NULL && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp", strerror(e));
        goto done;
    }
    gp_path = path_join(stage, "chart.gp");
    out_path = path_join(stage, "chart.svg");
    if (gp_path == NULL || out_path == NULL) {
        st = cf_error_set(err, CF_ERR_NOMEM, svg_path, 0, 0, NULL, "out of memory");
        goto done;
    }
    if ((st = cf_write_string_atomic(gp_path, script, err)) != CF_OK) goto done;
    int status = run_gnuplot(prog, stage, "chart.gp", &output);
    if (status == -1) {
        int e = errno;
        keep = 1;
        st = cf_error_set(err, CF_ERR_EXTERNAL, gp_path, 0, 0, NULL, "cannot start gnuplot (%s) on %s: %s", prog,
                          gp_path, strerror(e));
        goto done;
    }
    struct stat sb;
    int svg_ok = stat(out_path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !svg_ok) {
        keep = 1;
        (void)unlink(out_path); /* a half-drawn chart is no use to anyone debugging the script */
        char *line = pick_error_line(output);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            st = cf_error_set(err, CF_ERR_EXTERNAL, gp_path, 0, 0, NULL,
                              "gnuplot (%s) could not be run; install gnuplot-nox. The script is kept at %s", prog,
                              gp_path);
        else
            st = cf_error_set(err, CF_ERR_EXTERNAL, gp_path, 0, 0, NULL,
                              "gnuplot failed on %s (%s %d)%s%s; the script is kept there", gp_path,
                              WIFEXITED(status) ? "exit status" : "killed by signal",
                              WIFEXITED(status)     ? WEXITSTATUS(status)
                              : WIFSIGNALED(status) ? WTERMSIG(status)
                                                    : status,
                              line != NULL && line[0] ? ": " : "", line != NULL ? line : "");
        free(line);
        if (script_path != NULL) (void)cf_write_string_atomic(script_path, script, NULL);
        goto done;
    }
    st = move_svg(out_path, svg_path, err);
done:
    if (stage != NULL && !keep) (void)cf_remove_tree(stage, NULL);
    free(prog);
    free(script);
    free(stage);
    free(gp_path);
    free(out_path);
    free(output);
    return st;
}
