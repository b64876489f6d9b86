/* costfront: charts drawn by gnuplot (reports/plot.c) -- a small generic API of series, labels, axes and markers.
 *
 * A cf_plot describes one chart: titled series of (x, y) points drawn as points, lines, steps, error bars, bars or
 * horizontal bars, plus text labels, vertical/horizontal marker lines, category tics and log scales. Rendering
 * writes a gnuplot 5 script with the data inline (`$D0 << EOD` blocks), numbers printed under the C locale with
 * "%.10g", missing values (NaN, inf) as `?`, and runs gnuplot on it to make an SVG. No text is ever a string
 * literal of the script: every title, label, legend entry and category name is one line of the datablock
 * $CF_TEXT, named as $CF_TEXT[i], which gnuplot never parses, so quotes, backquotes, '@', "EOD" or system(...) in a
 * run id or an objective name are shown as they are and run nothing. A text is shown on one line (a newline as \n,
 * other control bytes as cf_text_escape writes them) and bytes that are not UTF-8 as U+FFFD, so the SVG is always
 * well-formed. gnuplot runs in a staging directory of its own and never sees an output path. The practice follows
 * gretl's lib/src/graphing.c: the script is kept when gnuplot fails (the error names it) and deleted when it
 * succeeds.
 *
 * The report sections (frontier, predicted frontier, TCO breakeven, nightly history, sensitivity tornado, Monte
 * Carlo histogram) all build their charts with this API; reports never compute results, they only draw them.
 *
 * Ownership: a cf_plot copies every array and string given to it; the caller owns its inputs. Strings returned
 * through `char **` are malloc'd and freed by the caller with free().
 */
#ifndef COSTFRONT_PLOT_H
#define COSTFRONT_PLOT_H

#include <stddef.h>

#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How a series is drawn. */
typedef enum cf_plot_style {
    CF_PLOT_POINTS = 0,  /* markers */
    CF_PLOT_LINES,       /* polyline in the given order */
    CF_PLOT_LINESPOINTS, /* polyline with markers */
    CF_PLOT_STEPS,       /* staircase: horizontal to the next x, then vertical (an attainment front) */
    CF_PLOT_ERRORBARS,   /* markers with x and/or y error bars (cf_plot_set_errors) */
    CF_PLOT_BARS,        /* vertical bars from 0 to y centred on x (width: cf_plot_set_width) */
    CF_PLOT_HBARS,       /* horizontal bars from xlo to xhi at height y (cf_plot_set_errors; a tornado chart) */
    CF_PLOT_FSTEPS       /* staircase: vertical to the next y, then horizontal (the front when x is maximised) */
} cf_plot_style;

/* Where the legend goes. */
typedef enum cf_plot_key {
    CF_PLOT_KEY_TOP_RIGHT = 0,
    CF_PLOT_KEY_TOP_LEFT,
    CF_PLOT_KEY_BOTTOM_RIGHT,
    CF_PLOT_KEY_BOTTOM_LEFT,
    CF_PLOT_KEY_OUTSIDE, /* right of the graph */
    CF_PLOT_KEY_OFF
} cf_plot_key;

typedef struct cf_plot cf_plot;

/* Creates an empty chart with a title (may be NULL). Default size 800 x 500 pixels, legend top right, linear axes.
 * Returns NULL on allocation failure. */
cf_plot *cf_plot_create(const char *title);

/* Frees a chart. Accepts NULL. */
void cf_plot_destroy(cf_plot *p);

/* Sets the axis labels (either may be NULL for none). */
cf_status cf_plot_set_labels(cf_plot *p, const char *xlabel, const char *ylabel);

/* Turns logarithmic x and/or y axes on (1) or off (0). Only positive values can be shown on a log axis. */
void cf_plot_set_log(cf_plot *p, int logx, int logy);

/* Sets the image size in pixels (each clamped to [100, 4000]). */
void cf_plot_set_size(cf_plot *p, int width, int height);

/* Sets the legend position. */
void cf_plot_set_key(cf_plot *p, cf_plot_key key);

/* Fixes the axis ranges; NaN for either bound leaves it automatic. */
void cf_plot_set_xrange(cf_plot *p, double lo, double hi);
void cf_plot_set_yrange(cf_plot *p, double lo, double hi);

/* Adds a series of n points (x and y copied; NaN marks a missing point) drawn in style, with a legend title (NULL
 * or "" for none). Its index (0, 1, ... in order of addition) is written to *index when index is not NULL.
 * Series get colours from a fixed colour-blind-safe palette in order unless cf_plot_set_color is called. */
cf_status cf_plot_add_series(cf_plot *p, const char *title, cf_plot_style style, const double *x, const double *y,
                             size_t n, size_t *index);

/* Sets interval bounds of series k (each array of the series' length, copied; any may be NULL). For
 * CF_PLOT_ERRORBARS a NULL or NaN bound means no bar on that side; for CF_PLOT_HBARS xlo and xhi are the bar's
 * ends and are required. Returns CF_ERR_ARG for an unknown series. */
cf_status cf_plot_set_errors(cf_plot *p, size_t k, const double *xlo, const double *xhi, const double *ylo,
                             const double *yhi);

/* Sets the colour of series k as "#rrggbb". Returns CF_ERR_ARG for any other spelling or an unknown series. */
cf_status cf_plot_set_color(cf_plot *p, size_t k, const char *rgb);

/* Sets the bar width (CF_PLOT_BARS, in x units) or bar height (CF_PLOT_HBARS, in y units) of series k; default
 * 0.8 for bars and 0.7 for horizontal bars. */
cf_status cf_plot_set_width(cf_plot *p, size_t k, double width);

/* Adds a text label at (x, y) in data coordinates; with mark = 1 a filled circle marks the point and the text is
 * offset beside it. */
cf_status cf_plot_add_label(cf_plot *p, double x, double y, const char *text, int mark);

/* Adds a dashed vertical line at x (e.g. a breakeven month) or a horizontal line at y (e.g. an accuracy target),
 * with an optional label (NULL for none). */
cf_status cf_plot_add_vline(cf_plot *p, double x, const char *label);
cf_status cf_plot_add_hline(cf_plot *p, double y, const char *label);

/* Names the integer positions 0 .. n-1 of the x (or y) axis: category i is drawn at i (bars of a bar chart, rows
 * of a tornado chart). Names are copied. */
cf_status cf_plot_set_xcategories(cf_plot *p, const char *const *names, size_t n);
cf_status cf_plot_set_ycategories(cf_plot *p, const char *const *names, size_t n);

/* Adds a series of bars counting values (NaN and inf skipped) in bins equal-width bins between their minimum and
 * maximum (a Monte Carlo histogram). bins = 0 picks ceil(sqrt(count)) clamped to [5, 50]. Returns CF_ERR_EMPTY
 * when no value is finite. */
cf_status cf_plot_add_histogram(cf_plot *p, const char *title, const double *values, size_t n, size_t bins,
                                size_t *index);

/* Appends a raw gnuplot command (one line, no newline), emitted after the settings and before the plot command.
 * It is the escape hatch for what the API lacks; the caller is responsible for its content. */
cf_status cf_plot_add_command(cf_plot *p, const char *command);

/* Number of series added so far. */
size_t cf_plot_series_count(const cf_plot *p);

/* Writes the whole gnuplot script that draws p into the SVG file output into *script (malloc'd, caller frees).
 * output must be a plain file name (letters, digits, '.', '_', '-'; not starting with '.' or '-'; at most 64
 * bytes), written relative to gnuplot's working directory; anything else is CF_ERR_ARG, since a path is never put
 * into a script. */
cf_status cf_plot_script(const cf_plot *p, const char *output, char **script, cf_error *err);

/* Renders p as an SVG at svg_path, which may be any path (quotes, newlines and all: it is never given to gnuplot).
 * gnuplot runs, without a shell, in a staging directory made for this call ("$TMPDIR/costfront-plot-XXXXXX",
 * /tmp when TMPDIR is unset) on the fixed names chart.gp and chart.svg, so concurrent renders never share a file;
 * the SVG is then moved to svg_path in one step (a rename, or an atomic copy across file systems) and the staging
 * directory removed. When gnuplot fails the staging directory is kept with its chart.gp, the message names that
 * script and quotes gnuplot's first error line, and the script is also written to script_path when it is not
 * NULL. Returns CF_ERR_EXTERNAL when gnuplot is not installed (the message says to install gnuplot-nox) or fails;
 * CF_ERR_IO when a file or the staging directory cannot be written. The program run is the first "gnuplot" found
 * on PATH, or the value of the environment variable CF_GNUPLOT when it is set and non-empty. */
cf_status cf_plot_render_svg(const cf_plot *p, const char *svg_path, const char *script_path, cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
