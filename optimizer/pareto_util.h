/* costfront (private): sorting and 2-D staircase helpers shared by optimizer/pareto.c and optimizer/hypervolume.c.
 *
 * Sorting: points are copied into small records whose primary key is the IEEE-754 bit pattern of one coordinate,
 * remapped so that unsigned integer order equals numeric order; an LSD radix sort (11-bit digits, passes whose
 * digit is constant are skipped) orders them, then runs of equal primary keys are ordered by the remaining
 * coordinates with a comparison sort. NaN must be removed by the caller; -0.0 and +0.0 get the same key.
 *
 * Staircase: a treap (Seidel & Aragon 1996) over the 2-D nondominated set of the points inserted so far, ordered
 * by x ascending (and so by y descending). It answers "is (x, y) weakly dominated?" and inserts a point while
 * removing the points it dominates and, on request, returning the area it adds below a reference corner. It is the
 * balanced structure of the 3-D maxima sweep of Kung, Luccio & Preparata (1975) and of the 3-D hypervolume sweep of
 * Beume, Fonseca, Lopez-Ibanez, Paquete & Vahrenhold (2009).
 *
 * Ownership: every array is owned by the caller; a cf_stair owns its node pool until cf_stair_free.
 */
#ifndef COSTFRONT_PARETO_UTIL_H
#define COSTFRONT_PARETO_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "costfront/status.h"

/* A 2-D record: k is the key of the primary coordinate, a the secondary coordinate, i the row index. */
typedef struct cf_prec2 {
    uint64_t k;
    double a;
    size_t i;
} cf_prec2;

/* A 3-D record: k is the key of the primary coordinate, a and b the two others, i the row index. */
typedef struct cf_prec3 {
    uint64_t k;
    double a, b;
    size_t i;
} cf_prec3;

/* A d-dimensional record: k is the key of one coordinate, i the row index (other coordinates are read from the
 * matrix when keys tie). */
typedef struct cf_preck {
    uint64_t k;
    size_t i;
} cf_preck;

/* Maps a non-NaN double to an unsigned key with the same order; -0.0 maps like +0.0. */
static inline uint64_t cf_pu_key(double x)
{
    uint64_t u;
    x += 0.0; /* turns -0.0 into +0.0 */
    memcpy(&u, &x, sizeof u);
    return (u & UINT64_C(0x8000000000000000)) ? ~u : (u | UINT64_C(0x8000000000000000));
}

/* Inverse of cf_pu_key. */
static inline double cf_pu_unkey(uint64_t k)
{
    uint64_t u = (k & UINT64_C(0x8000000000000000)) ? (k & ~UINT64_C(0x8000000000000000)) : ~k;
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* Sorts a[0..n) by (k, a) ascending when ties is nonzero, else by k only (ties in any order). tmp must hold n
 * records; the result is in a. */
void cf_pu_sort2(cf_prec2 *a, cf_prec2 *tmp, size_t n, int ties);

/* Sorts a[0..n) by (k, a, b) ascending when ties is nonzero, else by k only. tmp must hold n records. */
void cf_pu_sort3(cf_prec3 *a, cf_prec3 *tmp, size_t n, int ties);

/* Sorts a[0..n) by k, and when pts is not NULL breaks ties by the rows pts[i*d .. i*d+d) compared
 * lexicographically. tmp must hold n records. */
void cf_pu_sortk(cf_preck *a, cf_preck *tmp, size_t n, const double *pts, size_t d);

/* One staircase node: a point, its treap priority and its children (CF_STAIR_NIL when absent). */
typedef struct cf_stair_node {
    double x, y;
    uint32_t pri, l, r;
} cf_stair_node;

#define CF_STAIR_NIL UINT32_MAX

/* A 2-D staircase over a fixed-capacity node pool; rx, ry bound the area (used only by area-tracking inserts). */
typedef struct cf_stair {
    cf_stair_node *pool;
    size_t cap, used;
    uint32_t root, seed;
    double rx, ry;
} cf_stair;

/* Allocates room for cap insertions (cap < 2^32 - 1). Returns CF_ERR_NOMEM or CF_ERR_ARG on failure. */
cf_status cf_stair_init(cf_stair *s, size_t cap);

/* Empties the staircase (keeping the pool) and sets the area corner. */
void cf_stair_reset(cf_stair *s, double rx, double ry);

/* Frees the pool; accepts a zeroed or already freed staircase. */
void cf_stair_free(cf_stair *s);

/* Returns 1 when some point of the staircase is <= (x, y) in both coordinates, else 0. */
int cf_stair_covered(const cf_stair *s, double x, double y);

/* Inserts (x, y), which must not be covered, and removes the points it weakly dominates. When want_area is
 * nonzero returns the area added to the region dominated by the staircase inside [.., rx] x [.., ry] (x < rx and
 * y < ry are required then); otherwise returns 0. At most cap insertions may be made between resets. */
double cf_stair_insert(cf_stair *s, double x, double y, int want_area);

/* A 2-D staircase whose x coordinates are known in advance: xs[0..m) holds the distinct candidate x values in
 * ascending order and points are inserted by their rank in xs. Presence is kept in a 64-ary bit tree (each level
 * summarises the nonzero words of the level below), so predecessor and successor take a few word operations;
 * y[rank] holds the y of the point present at that rank. Faster than the treap for large sweeps because it never
 * chases pointers through a big tree. */
typedef struct cf_rstair {
    const double *xs; /* borrowed: the sorted distinct x values */
    size_t m;
    double *y;
    uint64_t *words; /* all levels, level 0 first */
    size_t off[12];  /* start of each level in words */
    int nlev;
    double rx, ry;
} cf_rstair;

/* Prepares a staircase over the m sorted distinct values xs (borrowed until cf_rstair_free), empty, with area
 * corner (rx, ry). Returns CF_ERR_NOMEM on failure. */
cf_status cf_rstair_init(cf_rstair *s, const double *xs, size_t m, double rx, double ry);

/* Frees what cf_rstair_init allocated; accepts a zeroed or already freed staircase. */
void cf_rstair_free(cf_rstair *s);

/* Returns 1 when some point of the staircase is <= (xs[r], y) in both coordinates. */
int cf_rstair_covered(const cf_rstair *s, size_t r, double y);

/* Inserts (xs[r], y), which must not be covered, removing the points it weakly dominates; returns the added area
 * inside the corner when want_area is nonzero (else 0). */
double cf_rstair_insert(cf_rstair *s, size_t r, double y, int want_area);

/* The bit tree of a cf_rstair used on its own, as a set of integers in [0, m): the largest member <= r and the
 * smallest member >= r (SIZE_MAX when there is none; r < m), and adding or removing r. */
size_t cf_rstair_pred(const cf_rstair *s, size_t r);
size_t cf_rstair_succ(const cf_rstair *s, size_t r);
void cf_rstair_mark(cf_rstair *s, size_t r);
void cf_rstair_unmark(cf_rstair *s, size_t r);

/* Dense ranks of m keys: sorts the (key, position) records a (tmp is scratch of m records), writes
 * rank[a[j].i] for every record and the distinct values (decoded keys) to xs; returns how many are distinct. */
size_t cf_pu_ranks(cf_preck *a, cf_preck *tmp, size_t m, size_t *rank, double *xs);

/* Marks nondominated points like cf_pareto_filter; when unique is nonzero only the first of identical points is
 * kept. Shared with the hypervolume code, which wants limit sets without repeats. */
cf_status cf_pareto_filter_ex(const double *pts, size_t n, size_t d, unsigned char *nd, int unique);

#endif
