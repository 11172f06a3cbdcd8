/* Support plans (Loupe's Table 1 and Figure 2): given the system calls an
 * OS under construction has and what each application needs of the rest
 * (classify.h), the steps that unlock one more application each. */
#ifndef HL_PLAN_H
#define HL_PLAN_H

#include "analysis/classify.h"
#include "analysis/syscalls.h"

#include <stdbool.h>
#include <stdint.h>

#define SCSET_WORDS (SC_TABLE_SIZE / 64)

/* A set of system call numbers. */
struct scset {
	uint64_t w[SCSET_WORDS];
};

static inline bool scset_has(const struct scset *s, int nr)
{
	return nr >= 0 && nr < SC_TABLE_SIZE && (s->w[nr / 64] >> (nr % 64) & 1);
}

static inline void scset_add(struct scset *s, int nr)
{
	if (nr >= 0 && nr < SC_TABLE_SIZE)
		s->w[nr / 64] |= 1ull << (nr % 64);
}

static inline void scset_del(struct scset *s, int nr)
{
	if (nr >= 0 && nr < SC_TABLE_SIZE)
		s->w[nr / 64] &= ~(1ull << (nr % 64));
}

int scset_count(const struct scset *s);

struct plan_app {
	const char *name;
	uint8_t cls[SC_TABLE_SIZE]; /* enum feat_class; FC_UNUSED: not used */
};

struct plan_step {
	int app;         /* the application it unlocks; -1 for step 0 */
	struct scset implement, stub, fake;
	int implemented; /* system calls implemented so far, the OS's own excluded */
	int supported;   /* applications supported after the step */
};

/* Loupe's order: step 0 is the OS as it is; each next step implements the
 * fewest system calls that make one more application run (stubbing or
 * faking what it allows; a call stubbed for one application and faked for
 * another must be implemented), ties broken by fewer stubs and fakes, then
 * by order.  A flaky or pending verdict counts as required.  Writes at most
 * napps + 1 steps and returns their number.  When at is not NULL, at[a] is
 * the step after which application a runs: 0 when it runs on the OS as it
 * is, and more than the picked one per step when a step's calls happen to
 * unlock others too; -1 when it never runs. */
int plan_build(const struct plan_app *apps, int napps, const struct scset *os, struct plan_step *steps, int *at);

/* The naive order of the paper's Figure 2: no stubbing or faking, every
 * call an application uses must be implemented. */
int plan_naive(const struct plan_app *apps, int napps, const struct scset *os, struct plan_step *steps, int *at);

/* What the OS stubs and fakes after steps[0..nsteps): a call stubbed or
 * faked early and implemented later counts as implemented. */
void plan_final(const struct plan_step *steps, int nsteps, struct scset *stubbed, struct scset *faked);

#endif
