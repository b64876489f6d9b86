/* costfront: intermediate values of running trials and cost-aware pruning for ask/tell studies (optimizer/prune.c).
 *
 * A running (pending) trial reports, at training steps that only go forward, the values of its "step objectives"
 * -- the study's objectives that training produces (accuracy, loss), i.e. every objective except gpu_hours and, in
 * a cost-aware study, the costs computed from gpu_hours -- and optionally the GPU-hours it has spent so far. The
 * records are kept in the study file (table trial_steps, one transaction per record, shared by every process of a
 * sweep), so each completed trial leaves a learning curve behind.
 *
 * The pruning rule (cf_study_should_prune), for a running trial whose last evaluation is at step s:
 *   1. Never prune with fewer than min_steps evaluations (default 3), or fewer than min_completed completed trials
 *      with learning curves (default 3) to learn from.
 *   2. Optimistic value: for every step objective, the trial's best value so far improved by the largest gain any
 *      completed trial made after the same step (from its best value up to step s to the best it reached, on its
 *      curve or as its told final value, so that a noisy last evaluation does not hide a gain). Like
 *      the median stopping rule (Golovin et al. 2017, "Google Vizier", KDD) it judges a trial by the other trials'
 *      curves at the same step, but it takes the most favourable of them rather than the median, so a trial is
 *      pruned only when even the best improvement seen in the study would not save it; unlike a parametric
 *      extrapolation (Domhan, Springenberg & Hutter 2015, IJCAI) it assumes no curve shape.
 *   3. Cost of finishing: GPU-hours so far plus the rest projected at the trial's own rate (cost proportional to
 *      steps): H = h * S / s_h, where h is the last reported gpu_hours, s_h its step and S the budget step (the
 *      option, else the largest last step of the completed curves). In a cost-aware study the cost objectives are
 *      priced from H as tell would price them (study.h); an objective named gpu_hours is H.
 *   4. Prune when a point of the current front (complete, feasible trials) is at least as good as that optimistic
 *      final outcome in every objective: the trial could then add no hypervolume to the cost-accuracy front even
 *      if it learned as well as the best completed trial did from here, at the cost it still has to spend. This is
 *      the multi-objective, cost-aware reading of early stopping by dominance; successive halving / ASHA (Li et
 *      al. 2020) cut a fixed share per rung instead.
 * A trial with no reported gpu_hours in a study with a cost objective is never pruned (the cost to finish is
 * unknown). The answer is deterministic for the same stored trials.
 *
 * Ownership: cJSON trees returned through out-parameters belong to the caller (cJSON_Delete); strings returned by
 * the *_json calls are malloc'd, freed with cf_free. Arguments are never kept. The study stays the caller's.
 */
#ifndef COSTFRONT_PRUNE_H
#define COSTFRONT_PRUNE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "costfront/status.h"
#include "costfront/study.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options of the pruning rule. */
typedef struct cf_prune_options {
    size_t min_steps;     /* evaluations a trial needs before it may be pruned (default 3) */
    size_t min_completed; /* completed trials with learning curves needed before any pruning (default 3) */
    long budget_step;     /* the step a trial trains to; 0: the largest last step of the completed curves */
} cf_prune_options;

/* Fills o with the defaults (3, 3, 0). */
void cf_prune_options_init(cf_prune_options *o);

/* The number of step objectives of the study (the values a running trial reports, in declaration order) and, in
 * names (cap entries, may be NULL), their names, owned by the study. */
size_t cf_study_step_objectives(const cf_study *s, const char **names, size_t cap);

/* Records the n values (one per step objective, in order, finite) of pending trial id at step (>= 0, after the
 * trial's last recorded step) and gpu_hours, the GPU-hours spent so far (NaN: not given; else finite, >= 0 and not
 * below what the trial already reported). CF_ERR_NOT_FOUND for an unknown id; CF_ERR_INVALID for a trial that is
 * not pending, a step that goes backwards or repeats, the wrong number of values (the message names the expected
 * objectives), or bad GPU-hours; err->field names "id", "step", "values" or "gpu_hours". */
cf_status cf_study_report(cf_study *s, long id, long step, const double *values, size_t n, double gpu_hours,
                          cf_error *err);

/* The recorded learning curves: trial id's (every trial's when id is 0) as a new array
 * [{"id", "step", "values": {name: value}, "gpu_hours" (null when not given), "created"}] in trial and step order. */
cf_status cf_study_steps(cf_study *s, long id, cJSON **out, cf_error *err);

/* Decides whether pending trial id should be pruned by the rule above (opt may be NULL for the defaults). *prune
 * (may be NULL) receives 1 to prune, 0 to continue; *out (may be NULL) a new object
 * {"id", "decision": "prune" | "continue", "reason", "message", "evaluations", "step", "budget_step",
 *  "gpu_hours", "projected_gpu_hours", "projected": {objective: value} | null, "dominated_by": id | null,
 *  "n_completed_curves", "rule"}, where reason is "dominated" (prune), "may_reach_front", "too_few_steps",
 * "too_few_completed", "no_gpu_hours", "no_curve_at_step" or "no_front". CF_ERR_NOT_FOUND for an unknown id,
 * CF_ERR_INVALID for a trial that is not pending. */
cf_status cf_study_should_prune(cf_study *s, long id, const cf_prune_options *opt, int *prune, cJSON **out,
                                cf_error *err);

/* Flat API (ctypes): cf_study_report with the values as a JSON array text; returns a cf_status (message in
 * cf_study_last_error). */
int cf_study_report_json(cf_study *s, long id, long step, const char *values_json, double gpu_hours);

/* Flat API: cf_study_should_prune with the default options; malloc'd JSON text (cf_free) or NULL on failure
 * (message in cf_study_last_error). */
char *cf_study_should_prune_json(cf_study *s, long id);

#ifdef __cplusplus
}
#endif
#endif
