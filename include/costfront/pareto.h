/* costfront: Pareto dominance, nondominated filtering, ranks, hypervolume and knee (optimizer/pareto.c,
 * optimizer/hypervolume.c).
 *
 * Every function sees a flat row-major matrix `pts` of n points with d objectives, ALL MINIMISED (maximised
 * objectives are negated once, where the matrix is built). The optimizer never knows what a GPU is.
 *
 * Algorithms: Kung, Luccio & Preparata (1975) for the nondominated filter, O(n log n) for d = 2 and 3; Jensen
 * (2003) style non-dominated sorting for ranks; hypervolume by a sweep for d = 2, by the HV3D+ sweep of
 * Guerreiro & Fonseca (2018) for d = 3, and by the WFG algorithm of While, Bradstreet & Barone (2012) for d >= 4.
 *
 * Ownership: callers own every array, inputs and outputs; functions never keep pointers.
 */
#ifndef COSTFRONT_PARETO_H
#define COSTFRONT_PARETO_H

#include <stddef.h>

#include "costfront/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returns 1 when a weakly dominates b and is strictly better in at least one objective (minimisation), else 0. */
int cf_dominates(const double *a, const double *b, size_t d);

/* Marks nondominated points: nd[i] = 1 when no other point dominates point i, else 0. Duplicated points are all
 * kept (none dominates the other). Points with a NaN coordinate are marked 0. O(n log n) for d = 2 and 3. */
cf_status cf_pareto_filter(const double *pts, size_t n, size_t d, unsigned char *nd);

/* Pareto rank (layer) of every point: 0 for the nondominated set, 1 for the nondominated set of the rest, ...
 * NaN points get rank (size_t)-1. */
cf_status cf_pareto_ranks(const double *pts, size_t n, size_t d, size_t *rank);

/* Exact hypervolume dominated by the points and bounded by the reference point ref (length d). Points that do
 * not strictly dominate ref contribute nothing. Writes the result to *hv. */
cf_status cf_hypervolume(const double *pts, size_t n, size_t d, const double *ref, double *hv);

/* Infers a reference point: the worst (largest) value of each objective over the points pushed out by
 * margin x (max - min), or by margin x |max| (or margin when max is 0) when the range is 0. margin is usually 0.1.
 * Writes d values to ref. */
cf_status cf_reference_point(const double *pts, size_t n, size_t d, double margin, double *ref);

/* Knee of a front: after normalising each objective to [0, 1] over the given points, the point with the largest
 * distance below the hyperplane through the extreme points (Das 1999; Branke et al. 2004); for d = 2 the point
 * farthest from the line joining the two extremes. pts should be nondominated. Writes the index to *knee. */
cf_status cf_pareto_knee(const double *pts, size_t n, size_t d, size_t *knee);

/* For every point i that is dominated, one dominating point: dom[i] = index of the nondominated point that
 * dominates i with the largest additive epsilon margin (it is better by at least margin[i] in every objective,
 * in the objectives' units), or (size_t)-1 for nondominated points (margin[i] = 0). margin may be NULL. */
cf_status cf_pareto_dominators(const double *pts, size_t n, size_t d, size_t *dom, double *margin);

#ifdef __cplusplus
}
#endif
#endif
