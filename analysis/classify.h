/* Loupe's verdicts on one feature (a system call, sub-feature or
 * pseudo-file) from the explore runs, and the bisection that finds which
 * features cannot be stubbed or faked together (README "Explore"). */
#ifndef HL_CLASSIFY_H
#define HL_CLASSIFY_H

#include <stdbool.h>

enum feat_class {
	FC_UNUSED = 0,  /* not seen in the discovery run */
	FC_PENDING,     /* not all replicas run yet */
	FC_REQUIRED,    /* neither stubbing nor faking it passes the test */
	FC_STUB,        /* stubbing passes, faking does not */
	FC_FAKE,        /* faking passes, stubbing does not */
	FC_BOTH,        /* either passes */
	FC_FLAKY,       /* replicas disagree, and no side passes every time */
	FC__COUNT
};

/* Outcomes of the replicas of one kind of run (stubbed, or faked). */
struct replicas {
	int ok, fail, want; /* passed, failed, how many are planned */
};

/* The verdict: a side passes when every one of its replicas passed.  A
 * side whose replicas disagree is not counted as a failure: when the other
 * side does not pass either, the feature is flaky, never "required". */
enum feat_class classify(struct replicas stub, struct replicas fake);

const char *feat_class_name(enum feat_class c);

/* Whether a run applying items[0..n) (each stubbed or faked as its
 * classification says) passes. */
typedef bool (*bisect_oracle)(const int *items, int n, void *arg);

/* The final run applies every avoidable feature at once; when it fails,
 * some of them only pass alone.  Finds such culprits one at a time: the
 * shortest failing prefix ends with one (assuming that applying more never
 * repairs a run), which is taken out before looking again.  Writes them to
 * culprits (room for n), returns how many, or -1 when the run with none
 * applied fails too (the workload itself is broken).  *runs counts oracle
 * calls: at most (culprits + 1) * (log2(n) + 2). */
int bisect_culprits(const int *items, int n, bisect_oracle ok, void *arg, int *culprits, int *runs);

#endif
