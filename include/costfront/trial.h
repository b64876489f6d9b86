/* costfront: the state of a trial of a study -- shared by the study store (data/study_store.c) and the ask/tell
 * study (optimizer/study.c), so the data layer does not depend on the optimizer.
 *
 * Ownership: nothing here allocates.
 */
#ifndef COSTFRONT_TRIAL_H
#define COSTFRONT_TRIAL_H

#ifdef __cplusplus
extern "C" {
#endif

/* The state of a trial. */
typedef enum cf_trial_state {
    CF_TRIAL_PENDING = 0,  /* asked, no outcome yet */
    CF_TRIAL_COMPLETE = 1, /* told with values for every objective and constraint metric */
    CF_TRIAL_FAILED = 2,   /* the run failed; ignored by the model */
    CF_TRIAL_PRUNED = 3    /* stopped early; ignored by the model */
} cf_trial_state;

#ifdef __cplusplus
}
#endif
#endif
