/* costfront: reports -- JSON, terminal table, CSV and the HTML report directory (reports/report_*.c).
 *
 * Reports read results; they never compute them. Every writer takes a computed cf_frontier (frontier.h) plus the
 * runset it was built from (for the counts, rejected rows and conversion notes) and the catalog (for the carbon
 * price and the sources of the offers used). Output is deterministic: the same inputs give byte-identical text,
 * whatever the process locale (numbers are printed with "%.10g" under the C locale; NaN becomes JSON null, an
 * empty CSV field, "-" in a table).
 *
 * The HTML report is a small document builder (cf_report): sections of paragraphs, key facts, lists, tables and
 * charts (cf_plot, plot.h), kept as a libxml2 tree that is never exposed here. cf_report_frontier() fills the
 * standard sections (summary, charts, frontier, dominated runs, data quality, pricing assumptions) and attaches
 * report.json; later sections (predicted frontier, TCO, history) are appended with the same calls before
 * cf_report_publish() writes the whole directory atomically (output.h).
 *
 * Ownership: strings returned through `char **` are malloc'd; the caller frees them with free(). A cf_report owns
 * everything added to it (it copies strings and tables; cf_report_add_chart takes ownership of the plot, also when
 * it fails). The frontier, runset and catalog are only read, and must outlive the call that reads them.
 */
#ifndef COSTFRONT_REPORT_H
#define COSTFRONT_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "costfront/catalog.h"
#include "costfront/frontier.h"
#include "costfront/plot.h"
#include "costfront/runset.h"
#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options of the reports. */
typedef struct cf_report_opts {
    const char *title;        /* HTML title; default "costfront report" */
    double target_accuracy;   /* accuracy the business needs (fraction); NaN: none (the summary then uses the knee) */
    int charts;               /* 1 (default): draw charts with gnuplot; 0: tables only */
    int skip_shared_sections; /* 1: leave out "data-quality" and "pricing" (cf_report_shared_sections adds them) */
    /* Large inputs (issue 14): what the page shows of them. The full data is always in report.json, and, once a
     * table is cut or a chart sampled, in candidates.csv beside index.html (both linked from the page). */
    size_t chart_points;  /* most dominated candidates a chart draws (default CF_REPORT_CHART_POINTS); with more, a
                             seeded uniform sample of exactly this many; 0: every one */
    size_t table_rows;    /* most rows of the dominated table (default CF_REPORT_TABLE_ROWS); with more, those nearest
                             the frontier (by layer, then margin); 0: every one */
    size_t frontier_rows; /* most rows of the frontier table (default CF_REPORT_FRONTIER_ROWS); 0: every one */
    unsigned long seed;   /* seed of the charts' sample (default 1; the CLI's --seed) */
    /* Reports carry no timestamp, so the same inputs give byte-identical files. */
} cf_report_opts;

/* Defaults of cf_report_opts' limits: at 10^6 runs (4 x 10^6 candidates) they keep index.html near 1 MB and each
 * SVG under 1 MB, while every report of a few thousand runs is drawn and listed whole. */
#define CF_REPORT_CHART_POINTS  5000
#define CF_REPORT_TABLE_ROWS    1000
#define CF_REPORT_FRONTIER_ROWS 2000

/* Fills o with the defaults above. */
void cf_report_opts_default(cf_report_opts *o);

/* ---- JSON (reports/report_json.c) ---- */

/* Renders the frontier as JSON text into *out (malloc'd; caller frees). rs and cat may be NULL (counts, rejects,
 * notes and the catalog's carbon price are then omitted or taken from the frontier's options). The shape:
 * {"version", "objectives": [{"name","direction"}], "reference_point": [...], "reference_inferred",
 *  "hypervolume", "counts": {"read","accepted","rejected","candidates","unpriced","frontier","dominated"},
 *  "knee": {"run_id","procurement","accuracy","total_cost_usd", every other objective in use by name} | null,
 *  "target" (cf_report_json_opts with a target accuracy only): {"accuracy","cheapest_by" (the cost objective),
 *            "cheapest": {"run_id","procurement","accuracy",<cost>, objectives...,"on_frontier"} | null,
 *            "most_accurate": {"run_id","procurement","accuracy",<cost>} and "reason" when no run reaches it},
 *  "frontier": [{"run_id","procurement","hardware","precision","pruning","accuracy","cost_usd","co2e_kg",
 *               "total_cost_usd","energy_kwh","embodied_kgco2e","carbon_cost_usd","gpu_hours","billed_gpu_hours",
 *               "provider","region","price_per_hour","overhead_fraction","predicted","values": [objective values],
 *               "intervals": {"accuracy": [lo,hi], "total_cost_usd": [lo,hi]} (predicted only), "note"?,
 *               and when some run moves or keeps data (cf_frontier_has_transfer, issue 16): "compute_cost_usd",
 *               "egress_cost_usd","storage_cost_usd","egress_gb","egress_path","data_location","storage_gb",
 *               "checkpoints_written","checkpoints_kept"}],
 *  "dominated": [{"run_id","procurement","accuracy","total_cost_usd", every other objective in use by name,"rank",
 *                 "dominated_by": {"run_id","procurement"},"margin"}],
 *  "rejects": [{"source","line","column","field","message"}], "notes": [...],
 *  "pricing": {"carbon_price_usd_per_t","carbon_price_source","spot": {"checkpoint_minutes","restart_minutes",
 *              "interval"}, "offers_used": [{"provider","region","hardware","source"}],
 *              "egress_used", "storage_used" (issue 16, only when some run moves or keeps data): the catalog
 *              entries used, with their figures, source and as_of}}
 * Frontier entries are in the frontier's order (cf_frontier_optimal_at); dominated ones in candidate order. */
cf_status cf_report_json(const cf_frontier *f, const cf_runset *rs, const cf_catalog *cat, char **out, cf_error *err);

/* Same as cf_report_json with the report options o (may be NULL): a finite o->target_accuracy adds "target". */
cf_status cf_report_json_opts(const cf_frontier *f, const cf_runset *rs, const cf_catalog *cat, const cf_report_opts *o,
                              char **out, cf_error *err);

/* Same as cf_report_json_opts, written to out as it is made (issue 14): the dominated entries, most of a large
 * report, are built and written one at a time, so memory does not grow with them. The text is the one
 * cf_report_json_opts returns. On an error part of the text may have been written: write to a cf_atomic_file and
 * abort it. */
cf_status cf_report_json_stream(const cf_frontier *f, const cf_runset *rs, const cf_catalog *cat,
                                const cf_report_opts *o, FILE *out, cf_error *err);

/* Same as cf_report_json, written atomically to path (streamed). */
cf_status cf_report_json_write(const cf_frontier *f, const cf_runset *rs, const cf_catalog *cat, const char *path,
                               cf_error *err);

/* ---- Text (reports/report_text.c) ---- */

/* Renders the frontier as an aligned table for a terminal: one row per frontier candidate (run, option, hardware,
 * precision, accuracy, cost, CO2e, total cost, provider/region), a '*' marking the knee, then a summary line with
 * the hypervolume and the counts read / accepted / rejected / candidates. rs may be NULL. */
cf_status cf_report_table(const cf_frontier *f, const cf_runset *rs, char **out, cf_error *err);

/* Same as cf_report_table with the report options o (may be NULL): a finite o->target_accuracy adds a line naming
 * the cheapest run reaching it ("target accuracy 0.9: cheapest is r068 on spot ..."), or saying that none does and
 * the best accuracy reached. */
cf_status cf_report_table_opts(const cf_frontier *f, const cf_runset *rs, const cf_report_opts *o, char **out,
                               cf_error *err);

/* Renders every candidate as CSV (RFC 4180, header row, "\n" line ends): run_id, procurement, hardware, precision,
 * pruning, accuracy, gpu_hours, billed_gpu_hours, price_per_hour, overhead_fraction, cost_usd, energy_kwh,
 * co2e_kg, embodied_kgco2e, carbon_cost_usd, total_cost_usd, provider, region, predicted, on_frontier, rank,
 * dominated_by ("run_id/procurement" or empty), margin. */
cf_status cf_report_csv(const cf_frontier *f, char **out, cf_error *err);

/* ---- HTML report directory (reports/report_html.c) ---- */

typedef struct cf_report cf_report;

/* Creates an empty report titled title (NULL: "costfront report"). Returns NULL on allocation failure. */
cf_report *cf_report_create(const char *title);

/* Frees a report and everything added to it. Accepts NULL. */
void cf_report_destroy(cf_report *r);

/* Starts a new section (an <h2> heading and its content); id is its HTML anchor ([A-Za-z0-9_-], unique). Later
 * add_* calls go into this section until the next one starts. Returns CF_ERR_ARG for a bad or duplicate id. */
cf_status cf_report_add_section(cf_report *r, const char *id, const char *title);

/* Adds a paragraph of plain text (escaped, never interpreted as markup) to the current section. */
cf_status cf_report_add_paragraph(cf_report *r, const char *text);

/* Adds key facts as a two-column list (<dl>: keys[i] -> values[i]), e.g. the summary for a CFO. */
cf_status cf_report_add_facts(cf_report *r, const char *const *keys, const char *const *values, size_t n);

/* Adds a bulleted list of n items. */
cf_status cf_report_add_list(cf_report *r, const char *const *items, size_t n);

/* Adds a table with a caption (may be NULL), ncols header cells and nrows rows of ncols cells each (row-major;
 * NULL cells are empty). A column in which every non-empty cell is a number is right-aligned. */
cf_status cf_report_add_table(cf_report *r, const char *caption, size_t ncols, const char *const *header, size_t nrows,
                              const char *const *cells);

/* Adds a chart to the current section: at publish time plot is rendered to file_name (an SVG name such as
 * "accuracy_vs_cost.svg": letters, digits, '_', '-', '.', no '/') inside the report directory and shown as an
 * <img> with the alternative text alt. Takes ownership of plot (also on failure). */
cf_status cf_report_add_chart(cf_report *r, cf_plot *plot, const char *file_name, const char *alt);

/* The plot of the chart named file_name (the name the report gave it, with a scope's prefix), or NULL when there is
 * none: for tests, and for callers that want the data a chart draws. The report keeps it. */
const cf_plot *cf_report_chart_plot(const cf_report *r, const char *file_name);

/* Adds a file (e.g. "report.json") of n bytes (copied) that is written into the report directory at publish time
 * and linked from the page footer. The name follows the rules of cf_report_add_chart. */
cf_status cf_report_add_file(cf_report *r, const char *file_name, const void *data, size_t n);

/* Writes the content of a file into a stream (issue 14: files too large to hold in memory); returns CF_OK or a
 * failure with err set. */
typedef cf_status (*cf_report_writer)(void *ctx, FILE *out, cf_error *err);

/* Like cf_report_add_file, for content produced by write(ctx, stream, err), called once now: the bytes go to an
 * unnamed spool file in $TMPDIR (/tmp by default; removed by cf_report_destroy, or by the system if the process
 * dies) and are copied into the report directory at publish time, so the report holds no copy of them in memory
 * and ctx need not outlive this call. */
cf_status cf_report_add_file_stream(cf_report *r, const char *file_name, cf_report_writer write, void *ctx,
                                    cf_error *err);

/* Sets a naming scope for what is added next (NULL or "" clears it): section titles get ": scope" appended,
 * section ids "-slug" and chart and file names a "slug-" prefix (slug: the scope in lowercase letters, digits and
 * '-', at most 56 of them; a slug an earlier scope already used is numbered "-2", "-3", ...), so the standard
 * sections can be added once per group (e.g. per model) without clashing, whatever the group names. A title
 * longer than the scope buffer is cut at a UTF-8 character boundary. */
void cf_report_set_scope(cf_report *r, const char *scope);

/* Number of sections so far. */
size_t cf_report_section_count(const cf_report *r);

/* Renders the page as HTML5 text (UTF-8, <!DOCTYPE html>, inline CSS, no external resources) into *out
 * (malloc'd; caller frees). Charts appear as <img> elements whether or not they were rendered. */
cf_status cf_report_html(const cf_report *r, char **out, cf_error *err);

/* Writes the report directory atomically: index.html, every chart as SVG, every added file, built in a staging
 * directory beside dir and swapped in only when everything succeeded. On failure dir is left exactly as it was
 * and no staging directory remains; a chart that gnuplot could not draw has its script kept beside dir as
 * "<dir>.<chart>.gp" (named in err). Since the old dir is removed, an existing dir must be missing or empty, or
 * hold an earlier costfront report: its marker file ".costfront-report" (which every report writes, listing its
 * files) and nothing but the files it lists, or, for a report from before the marker, an index.html whose
 * generator is "costfront X.Y.Z" and nothing but the files that page links to. Anything else is refused with
 * CF_ERR_IO and a message naming the files that are not the report's, so a mistyped --out or notes added to a
 * report are never deleted. Publishers of one dir take turns on the lock "<dir>.lock" (output.h): this waits up to
 * CF_REPORT_PUBLISH_WAIT seconds for another one to finish; once it holds the lock it removes the staging
 * directories ("<dir>.tmp.XXXXXX", "<dir>.old.XXXXXX") that a killed run recorded in the lock file and left, if
 * they hold nothing but a report. */
cf_status cf_report_publish(const cf_report *r, const char *dir, cf_error *err);

/* How long cf_report_publish waits for another publisher of the same directory, in seconds. */
#define CF_REPORT_PUBLISH_WAIT 600.0

/* cf_report_publish with the wait for another publisher given in seconds (0: fail at once with CF_ERR_IO saying
 * that another costfront is publishing there; negative: wait as long as it takes). */
cf_status cf_report_publish_wait(const cf_report *r, const char *dir, double wait_seconds, cf_error *err);

/* Fills r with the standard frontier report: "summary" (best run at the target accuracy or the knee, the knee, the
 * cheapest way to buy it, savings against the most accurate on-demand run, hypervolume, counts), "charts"
 * (accuracy vs cost, cost by procurement option, accuracy vs CO2e; only when opts->charts), "frontier",
 * "dominated", "data-quality" (rejected rows with source:line:column and reason, notes) and "pricing" (carbon price
 * and source, spot checkpoint/restart assumptions, sources of the offers used), and attaches report.json
 * (cf_report_json). opts may be NULL for the defaults. */
cf_status cf_report_frontier(cf_report *r, const cf_frontier *f, const cf_runset *rs, const cf_catalog *cat,
                             const cf_report_opts *opts, cf_error *err);

/* Adds only the "data-quality" and "pricing" sections of the standard report (for reports that add the other
 * sections once per group with opts->skip_shared_sections). */
cf_status cf_report_shared_sections(cf_report *r, const cf_frontier *f, const cf_runset *rs, const cf_catalog *cat,
                                    cf_error *err);

/* Convenience: creates a report titled by opts, fills it with cf_report_frontier and publishes it to dir. */
cf_status cf_report_write(const cf_frontier *f, const cf_runset *rs, const cf_catalog *cat, const cf_report_opts *opts,
                          const char *dir, cf_error *err);

#ifdef __cplusplus
}
#endif
#endif
