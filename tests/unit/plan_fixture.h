/* The planner's hand-made data set, shared by test_plan.c (the order) and
 * test_plan_out.c (how it is printed).  Calls 0-7 (read, write, open,
 * close, stat, fstat, lstat, poll); the OS has 0, 1, 2.
 *   a: 0, 1 required; 3 stub only; 6, 7 either     -> stub 3, 6, 7
 *   b: 4 required; 3 fake only                      -> implement 4, and 3
 *                                                      (stubbed for a)
 *   c: 4, 5 required                                 -> implement 4, 5
 *   d: 0, 2 required                                 -> runs already
 * Loupe's order: d at step 0; a (nothing to implement); b and c tie at
 * two calls, b comes first; then c needs 5 only.  Naive order (everything
 * used must be implemented): a needs 3, 6, 7; b 3, 4; c 4, 5: b first
 * (2, and listed before c), then c (5), then a (6, 7). */
#ifndef HL_PLAN_FIXTURE_H
#define HL_PLAN_FIXTURE_H

#include "analysis/plan.h"

void plan_dataset(struct plan_app apps[4], struct scset *os);

#endif
