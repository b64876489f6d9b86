/* costfront: the plan recommendation (see recommend.h).
 *
 * A constrained choice over the priced candidates of a frontier: the feasible set is filtered and the cheapest
 * member taken; when the set is empty, each constraint is relaxed alone in turn to find the smallest relative
 * relaxation that admits a candidate (the "binding" constraint, in the sense of an active constraint of the
 * lexicographic choice), falling back to the candidate with the smallest worst relative shortfall.
 */
#include "costfront/recommend.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_INDEX ((size_t)-1)

const char *cf_constraint_name(cf_constraint c)
{
    switch (c) {
    case CF_CON_ACCURACY: return "min-accuracy";
    case CF_CON_BUDGET: return "budget";
    case CF_CON_CO2E: return "max-co2e";
    case CF_CON_DEADLINE: return "deadline-hours";
    default: return "none";
    }
}

void cf_recommend_opts_default(cf_recommend_opts *o)
{
    if (o == NULL) return;
    memset(o, 0, sizeof *o);
    o->min_accuracy = NAN;
    o->budget_usd = NAN;
    o->max_co2e_kg = NAN;
    o->deadline_hours = NAN;
    o->use_predicted = 1;
}

double cf_candidate_time_hours(const cf_candidate *c, const cf_runset *rs, int *assumed)
{
    if (c == NULL) return NAN;
    if (isfinite(c->wall_hours) && c->wall_hours >= 0) return c->wall_hours;
    double gpus = NAN;
    if (!c->predicted && rs != NULL && c->run_index < cf_runset_size(rs))
        gpus = cf_runset_get(rs, c->run_index)->num_gpus;
    if (!(isfinite(gpus) && gpus > 0)) {
        gpus = 1.0;
        if (assumed) *assumed = 1;
    }
    return c->gpu_hours / gpus;
}

/* The figures a candidate is judged by. */
typedef struct judged {
    double value[CF_CON_COUNT]; /* accuracy, cash cost, co2e, time */
    double rank_cost;           /* total_cost_usd (pessimistic bound with conservative) */
    int time_assumed;
} judged;

static void judge(const cf_candidate *c, const cf_runset *rs, int conservative, judged *j)
{
    int pess = conservative && c->predicted;
    j->value[CF_CON_ACCURACY] = pess && isfinite(c->accuracy_lo) ? c->accuracy_lo : c->accuracy;
    j->rank_cost = pess && isfinite(c->cost_hi) ? c->cost_hi : c->price.total_cost_usd;
    double cash = c->price.cost_usd;
    if (pess && isfinite(c->cost_hi) && c->price.total_cost_usd > 0) cash *= c->cost_hi / c->price.total_cost_usd;
    j->value[CF_CON_BUDGET] = cash;
    j->value[CF_CON_CO2E] = c->price.co2e_kg;
    j->time_assumed = 0;
    j->value[CF_CON_DEADLINE] = cf_candidate_time_hours(c, rs, &j->time_assumed);
}

/* Shortfall of value against constraint k's limit, in the constraint's units: <= 0 when met, +inf when the value
 * is unknown. */
static double shortfall(int k, double value, double limit)
{
    if (!isfinite(value)) return INFINITY;
    return k == CF_CON_ACCURACY ? limit - value : value - limit;
}

/* Scale that makes shortfalls of different constraints comparable (a share of the limit). */
static double scale_of(double limit) { return fabs(limit) > 0 ? fabs(limit) : 1.0; }

/* Whether candidate a is preferred to b: lower cost, then higher accuracy, then lower index. */
static int better(const judged *ja, size_t a, const judged *jb, size_t b)
{
    if (ja->rank_cost != jb->rank_cost) return ja->rank_cost < jb->rank_cost;
    if (ja->value[0] != jb->value[0]) return ja->value[0] > jb->value[0];
    return a < b;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
reason(cf_recommendation *r, const char *fmt, ...)
{
    if (r->n_reasons >= CF_REC_MAX_REASONS) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reasons[r->n_reasons], CF_REC_REASON_LEN, fmt, ap);
    va_end(ap);
    r->n_reasons++;
}

/* "run r12 (h100, bf16, 50% pruned) on spot" into buf. */
static const char *describe(const cf_candidate *c, char *buf, size_t n)
{
    char prune[32] = "";
    if (c->pruning > 0) snprintf(prune, sizeof prune, ", %.0f%% pruned", 100.0 * c->pruning);
    snprintf(buf, n, "%s %s (%s, %s%s) on %s", c->predicted ? "configuration" : "run", c->run_id ? c->run_id : "?",
             c->hardware ? c->hardware : "?", cf_precision_name(c->precision), prune,
             cf_procurement_name(c->price.option));
    return buf;
}

/* The shortfall in words: "0.012 accuracy", "35.20 USD", "4.1 kg CO2e", "2.5 h". */
static const char *amount(int k, double v, char *buf, size_t n)
{
    switch (k) {
    case CF_CON_ACCURACY: snprintf(buf, n, "%.4g accuracy (%.2f points)", v, 100.0 * v); break;
    case CF_CON_BUDGET: snprintf(buf, n, "%.2f USD", v); break;
    case CF_CON_CO2E: snprintf(buf, n, "%.4g kg CO2e", v); break;
    default: snprintf(buf, n, "%.4g h", v); break;
    }
    return buf;
}

static void find_baseline(const cf_frontier *f, const cf_recommend_opts *o, const judged *j, cf_recommendation *r)
{
    size_t n = cf_frontier_candidate_count(f), best = NO_INDEX;
    for (size_t i = 0; i < n; i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        if (c->predicted) continue;
        if (o->baseline_run_id) {
            if (c->run_id == NULL || strcmp(c->run_id, o->baseline_run_id) != 0) continue;
            /* Prefer its on-demand pricing, else its cheapest. */
            if (best == NO_INDEX)
                best = i;
            else {
                int od_i = c->price.option == CF_PROC_ON_DEMAND;
                int od_b = cf_frontier_candidate(f, best)->price.option == CF_PROC_ON_DEMAND;
                if ((od_i && !od_b) || (od_i == od_b && j[i].rank_cost < j[best].rank_cost)) best = i;
            }
            continue;
        }
        if (!isfinite(c->accuracy)) continue;
        if (best == NO_INDEX) {
            best = i;
            continue;
        }
        const cf_candidate *b = cf_frontier_candidate(f, best);
        int od_i = c->price.option == CF_PROC_ON_DEMAND, od_b = b->price.option == CF_PROC_ON_DEMAND;
        if (od_i != od_b) {
            if (od_i) best = i;
            continue;
        }
        if (c->accuracy > b->accuracy || (c->accuracy == b->accuracy && j[i].rank_cost < j[best].rank_cost)) best = i;
    }
    r->baseline = best;
    r->baseline_named = o->baseline_run_id != NULL && best != NO_INDEX;
}

/* The constraints that are set, in words, for the reasons: "accuracy >= 0.9, cash cost <= 500 USD". */
static void constraint_list(const double *limit, char *buf, size_t n)
{
    static const char *const fmt[CF_CON_COUNT] = {"accuracy >= %.4g", "cash cost <= %.2f USD", "CO2e <= %.4g kg",
                                                  "time <= %.4g h"};
    size_t len = 0;
    buf[0] = '\0';
    for (int k = 0; k < CF_CON_COUNT; k++) {
        if (isnan(limit[k])) continue;
        if (len > 0 && len + 2 < n) len += (size_t)snprintf(buf + len, n - len, ", ");
        if (len < n) len += (size_t)snprintf(buf + len, n - len, fmt[k], limit[k]);
    }
    if (len == 0) snprintf(buf, n, "no constraint");
}

/* The work unit of candidate c's run when it is an inference run ("tokens", "samples", "queries"), else NULL: its
 * costs are then per 1M units and its hours are accelerator-hours per 1M units, not a training job's. */
static const char *inference_unit(const cf_candidate *c, const cf_runset *rs)
{
    if (c == NULL || rs == NULL || c->run_index == (size_t)-1 || c->run_index >= cf_runset_size(rs)) return NULL;
    const cf_run *run = cf_runset_get(rs, c->run_index);
    return run && run->work_unit != CF_WORK_NONE ? cf_work_unit_name(run->work_unit) : NULL;
}

static void procurement_reason(const cf_candidate *c, const char *unit, cf_recommendation *r)
{
    if (unit && c->price.option == CF_PROC_SPOT) {
        reason(r,
               "Spot serves 1M %s cheapest at its list price; a serving replica keeps no state to checkpoint, but an "
               "interrupted one must be replaced: size the fleet and its on-demand or reserved base for your demand "
               "with costfront serve.",
               unit);
        return;
    }
    if (unit && (c->price.option == CF_PROC_RESERVED_1Y || c->price.option == CF_PROC_RESERVED_3Y)) {
        reason(r,
               "A %s reservation prices 1M %s lowest only while the reserved replicas stay busy: costfront serve sizes "
               "them for a daily profile and compares a reserved base plus bursts.",
               c->price.option == CF_PROC_RESERVED_1Y ? "1-year" : "3-year", unit);
        return;
    }
    switch (c->price.option) {
    case CF_PROC_SPOT:
        reason(r,
               "Spot is the cheapest way to buy it even after the checkpoint and restart overhead (%.1f%% more "
               "machine time, Young 1974 / Daly 2006); use checkpointing.",
               100.0 * c->price.overhead_fraction);
        break;
    case CF_PROC_RESERVED_1Y:
    case CF_PROC_RESERVED_3Y:
        reason(r,
               "A %s reservation prices it lowest, but only pays off when the reserved GPUs stay busy: check the "
               "TCO (costfront tco) before committing.",
               c->price.option == CF_PROC_RESERVED_1Y ? "1-year" : "3-year");
        break;
    case CF_PROC_ON_PREM:
    case CF_PROC_HYBRID:
        reason(r,
               "Owned compute (%s) prices a useful GPU-hour at %.3f USD under the TCO plan, the cheapest way "
               "to buy this run; the plan's breakeven and Monte Carlo (costfront tco) say how sure that is.",
               cf_procurement_name(c->price.option), c->price.price_per_hour);
        break;
    default:
        reason(r, "On-demand is the cheapest way to buy it here (no cheaper spot, reserved or owned price applies).");
        break;
    }
}

cf_status cf_recommend(const cf_frontier *f, const cf_runset *rs, const cf_recommend_opts *opts, cf_recommendation *out,
                       cf_error *err)
{
    if (f == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "no frontier or output");
    cf_recommend_opts o;
    if (opts)
        o = *opts;
    else
        cf_recommend_opts_default(&o);
    memset(out, 0, sizeof *out);
    out->choice = out->baseline = out->closest = NO_INDEX;
    out->binding = CF_CON_NONE;
    out->gap = out->relaxed_limit = out->time_hours = NAN;
    out->savings_usd = out->savings_fraction = out->co2e_savings_kg = NAN;
    for (int k = 0; k < CF_CON_COUNT; k++) out->gaps[k] = NAN;
    size_t n = cf_frontier_candidate_count(f);
    if (n == 0) return cf_error_set(err, CF_ERR_EMPTY, NULL, 0, 0, NULL, "the frontier has no candidate to recommend");
    double limit[CF_CON_COUNT] = {o.min_accuracy, o.budget_usd, o.max_co2e_kg, o.deadline_hours};
    judged *j = malloc(n * sizeof *j);
    unsigned char *use = malloc(n);
    if (j == NULL || use == NULL) {
        free(j);
        free(use);
        return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const cf_candidate *c = cf_frontier_candidate(f, i);
        judge(c, rs, o.conservative, &j[i]);
        use[i] = (!c->predicted || o.use_predicted) && isfinite(j[i].rank_cost) && isfinite(c->accuracy);
        out->n_considered += use[i];
    }
    find_baseline(f, &o, j, out);
    if (o.baseline_run_id && out->baseline == NO_INDEX) {
        free(j);
        free(use);
        return cf_error_set(err, CF_ERR_NOT_FOUND, NULL, 0, 0, "baseline",
                            "expected the id of a priced run, found '%s'", o.baseline_run_id);
    }
    /* The feasible set and its cheapest member. */
    for (size_t i = 0; i < n; i++) {
        if (!use[i]) continue;
        int ok = 1;
        for (int k = 0; k < CF_CON_COUNT && ok; k++)
            if (!isnan(limit[k]) && shortfall(k, j[i].value[k], limit[k]) > 0) ok = 0;
        if (!ok) continue;
        out->n_feasible++;
        if (out->choice == NO_INDEX || better(&j[i], i, &j[out->choice], out->choice)) out->choice = i;
    }
    char cons[256], d1[256], d2[256], a1[96];
    constraint_list(limit, cons, sizeof cons);
    if (out->choice != NO_INDEX) {
        out->feasible = 1;
        const cf_candidate *c = cf_frontier_candidate(f, out->choice);
        const char *unit = inference_unit(c, rs);
        out->time_hours = j[out->choice].value[CF_CON_DEADLINE];
        out->time_assumed = unit ? 0 : j[out->choice].time_assumed;
        if (unit) {
            /* Serving (issue 11): the frontier is over (accuracy, cost per 1M units); what the precision and
             * hardware chosen give up in accuracy against the baseline, and what they save per 1M units. */
            reason(out,
                   "Serve with %s: the cheapest of the %zu configuration%s (of %zu) that meet %s, at %.4g USD per 1M "
                   "%s (%.4g accelerator-hours per 1M) with accuracy %.4g.",
                   describe(c, d1, sizeof d1), out->n_feasible, out->n_feasible == 1 ? "" : "s", out->n_considered,
                   cons, c->price.total_cost_usd, unit, c->gpu_hours, c->accuracy);
            if (out->baseline != NO_INDEX) {
                const cf_candidate *b = cf_frontier_candidate(f, out->baseline);
                out->savings_usd = b->price.total_cost_usd - c->price.total_cost_usd;
                out->savings_fraction = b->price.total_cost_usd > 0 ? out->savings_usd / b->price.total_cost_usd : NAN;
                out->co2e_savings_kg = b->price.co2e_kg - c->price.co2e_kg;
                reason(out,
                       "Against %s (%s, accuracy %.4g, %.4g USD per 1M %s) it gives up %.2f accuracy points and %s "
                       "%.4g USD per 1M %s (%.1f%%).",
                       describe(b, d2, sizeof d2),
                       out->baseline_named ? "the run you named" : "the most accurate run on on-demand", b->accuracy,
                       b->price.total_cost_usd, unit, 100.0 * (b->accuracy - c->accuracy),
                       out->savings_usd >= 0 ? "saves" : "costs", fabs(out->savings_usd), unit,
                       100.0 * fabs(isfinite(out->savings_fraction) ? out->savings_fraction : 0));
            }
        } else {
            reason(out,
                   "Use %s: the cheapest of the %zu configuration%s (of %zu) that meet %s, at %.2f USD in total "
                   "(%.2f cash + %.2f carbon cost) with accuracy %.4g.",
                   describe(c, d1, sizeof d1), out->n_feasible, out->n_feasible == 1 ? "" : "s", out->n_considered,
                   cons, c->price.total_cost_usd, c->price.cost_usd, c->price.carbon_cost_usd, c->accuracy);
            if (out->baseline != NO_INDEX) {
                const cf_candidate *b = cf_frontier_candidate(f, out->baseline);
                out->savings_usd = b->price.total_cost_usd - c->price.total_cost_usd;
                out->savings_fraction = b->price.total_cost_usd > 0 ? out->savings_usd / b->price.total_cost_usd : NAN;
                out->co2e_savings_kg = b->price.co2e_kg - c->price.co2e_kg;
                reason(out,
                       "Against the baseline %s (%s, accuracy %.4g, %.2f USD) it %s %.2f USD (%.1f%%) and %s %.4g kg "
                       "CO2e, at %+.2f accuracy points.",
                       describe(b, d2, sizeof d2),
                       out->baseline_named ? "the run you named"
                                           : "the most accurate run "
                                             "on on-demand",
                       b->accuracy, b->price.total_cost_usd, out->savings_usd >= 0 ? "saves" : "costs",
                       fabs(out->savings_usd),
                       100.0 * fabs(isfinite(out->savings_fraction) ? out->savings_fraction : 0),
                       out->co2e_savings_kg >= 0 ? "saves" : "adds", fabs(out->co2e_savings_kg),
                       100.0 * (c->accuracy - b->accuracy));
            }
        }
        if (c->predicted)
            reason(out,
                   "This configuration was never run: its accuracy (95%% interval %.4g to %.4g) and total cost "
                   "(%.2f to %.2f USD) are predictions; run it once to confirm.",
                   c->accuracy_lo, c->accuracy_hi, c->cost_lo, c->cost_hi);
        procurement_reason(c, unit, out);
        /* The tightest constraint: the smallest slack as a share of its limit. */
        int tight = -1;
        double best_slack = INFINITY;
        for (int k = 0; k < CF_CON_COUNT; k++) {
            if (isnan(limit[k])) continue;
            double s = -shortfall(k, j[out->choice].value[k], limit[k]) / scale_of(limit[k]);
            if (s < best_slack) {
                best_slack = s;
                tight = k;
            }
        }
        if (tight >= 0)
            reason(out, "The tightest constraint is %s: %s of slack left.", cf_constraint_name((cf_constraint)tight),
                   amount(tight, -shortfall(tight, j[out->choice].value[tight], limit[tight]), a1, sizeof a1));
        if (out->time_assumed)
            reason(out, "Its time (%.4g h) assumes one GPU: the run records neither wall_hours nor num_gpus.",
                   out->time_hours);
        free(j);
        free(use);
        return CF_OK;
    }
    /* Infeasible: relax each constraint alone; the smallest relative relaxation binds. */
    double rel_best = INFINITY;
    reason(out, "No configuration meets %s (%zu considered).", cons, out->n_considered);
    double gap_k[CF_CON_COUNT];
    size_t pick_k[CF_CON_COUNT];
    for (int k = 0; k < CF_CON_COUNT; k++) {
        gap_k[k] = NAN;
        pick_k[k] = NO_INDEX;
        if (isnan(limit[k])) continue;
        double g = INFINITY;
        for (size_t i = 0; i < n; i++) {
            if (!use[i]) continue;
            int ok = 1;
            for (int q = 0; q < CF_CON_COUNT && ok; q++)
                if (q != k && !isnan(limit[q]) && shortfall(q, j[i].value[q], limit[q]) > 0) ok = 0;
            if (!ok) continue;
            double s = shortfall(k, j[i].value[k], limit[k]);
            if (s < g) g = s;
        }
        if (!isfinite(g)) continue;
        /* The candidate chosen once the limit is relaxed by g: the cheapest with shortfall <= g. */
        for (size_t i = 0; i < n; i++) {
            if (!use[i]) continue;
            int ok = shortfall(k, j[i].value[k], limit[k]) <= g;
            for (int q = 0; q < CF_CON_COUNT && ok; q++)
                if (q != k && !isnan(limit[q]) && shortfall(q, j[i].value[q], limit[q]) > 0) ok = 0;
            if (ok && (pick_k[k] == NO_INDEX || better(&j[i], i, &j[pick_k[k]], pick_k[k]))) pick_k[k] = i;
        }
        gap_k[k] = g;
        double rel = g / scale_of(limit[k]);
        if (rel < rel_best) {
            rel_best = rel;
            out->binding = (cf_constraint)k;
        }
    }
    if (out->binding != CF_CON_NONE) {
        int k = out->binding;
        out->single_relaxation = 1;
        out->gap = gap_k[k];
        out->relaxed_limit = k == CF_CON_ACCURACY ? limit[k] - gap_k[k] : limit[k] + gap_k[k];
        out->closest = pick_k[k];
        for (int q = 0; q < CF_CON_COUNT; q++)
            out->gaps[q] = isnan(limit[q]) ? NAN : fmax(0.0, shortfall(q, j[out->closest].value[q], limit[q]));
        const cf_candidate *c = cf_frontier_candidate(f, out->closest);
        reason(out,
               "The binding constraint is %s: it must be relaxed by %s (to %.6g), and then %s would be chosen "
               "(accuracy %.4g, %.2f USD cash, %.4g kg CO2e, %.4g h).",
               cf_constraint_name(out->binding), amount(k, out->gap, a1, sizeof a1), out->relaxed_limit,
               describe(c, d1, sizeof d1), c->accuracy, c->price.cost_usd, c->price.co2e_kg,
               j[out->closest].value[CF_CON_DEADLINE]);
        for (int q = 0; q < CF_CON_COUNT; q++) {
            if (q == k || !isfinite(gap_k[q])) continue;
            reason(out, "Alternatively, relax %s by %s (to %.6g).", cf_constraint_name((cf_constraint)q),
                   amount(q, gap_k[q], a1, sizeof a1),
                   q == CF_CON_ACCURACY ? limit[q] - gap_k[q] : limit[q] + gap_k[q]);
        }
    } else {
        /* No single relaxation suffices: the candidate with the smallest worst relative shortfall. */
        double best = INFINITY;
        for (size_t i = 0; i < n; i++) {
            if (!use[i]) continue;
            double worst = 0;
            for (int k = 0; k < CF_CON_COUNT; k++)
                if (!isnan(limit[k])) worst = fmax(worst, shortfall(k, j[i].value[k], limit[k]) / scale_of(limit[k]));
            if (worst < best ||
                (worst == best && out->closest != NO_INDEX && better(&j[i], i, &j[out->closest], out->closest))) {
                best = worst;
                out->closest = i;
            }
        }
        if (out->closest != NO_INDEX) {
            double worst = -1;
            for (int k = 0; k < CF_CON_COUNT; k++) {
                if (isnan(limit[k])) continue;
                double s = shortfall(k, j[out->closest].value[k], limit[k]);
                out->gaps[k] = fmax(0.0, s);
                if (s > 0 && s / scale_of(limit[k]) > worst) {
                    worst = s / scale_of(limit[k]);
                    out->binding = (cf_constraint)k;
                }
            }
            out->gap = out->gaps[out->binding];
            out->relaxed_limit =
                out->binding == CF_CON_ACCURACY ? limit[out->binding] - out->gap : limit[out->binding] + out->gap;
            char misses[256];
            size_t len = 0;
            misses[0] = '\0';
            for (int k = 0; k < CF_CON_COUNT; k++) {
                if (!(out->gaps[k] > 0)) continue;
                len += (size_t)snprintf(misses + len, sizeof misses - len, "%s%s by %s", len ? ", " : "",
                                        cf_constraint_name((cf_constraint)k), amount(k, out->gaps[k], a1, sizeof a1));
                if (len >= sizeof misses) break;
            }
            reason(out,
                   "No single constraint can be relaxed alone: the closest configuration, %s, misses %s; the "
                   "most binding is %s.",
                   describe(cf_frontier_candidate(f, out->closest), d1, sizeof d1), misses,
                   cf_constraint_name(out->binding));
        }
    }
    free(j);
    free(use);
    return CF_OK;
}
