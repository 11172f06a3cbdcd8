/* `hyperloupe explore IMAGE`: Loupe's method on a workload of images/
 * (README "Explore").  The campaign's state is all in the results
 * database, so a killed campaign resumes where it stopped.
 *
 * The runs are the workload's own test script with HL_RUN set to this
 * hyperloupe's `run`, as `images check --vm` runs it; this command starts
 * no guest itself. */
#ifndef HL_EXPLORE_H
#define HL_EXPLORE_H

#include "analysis/campaign.h"
#include "analysis/resultsdb.h"
#include "analysis/workload.h"
#include "cli/testrun.h"

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define EXPLORE_MAX_JOBS 64
#define EXPLORE_POLICY_MAX 65536

/* One run to make. */
struct task {
	enum rdb_run_kind kind;
	int64_t feature; /* 0: none */
	int replica;
	char *policy;    /* the policy options, as HL_RUN words (malloc'd) */
	char label[160]; /* what the progress line shows */
	const char *feature_name; /* the feature it stubs or fakes, or NULL */
};

/* A run in progress. */
struct slot {
	bool busy;
	struct task *task;
	struct test_job job;
	FILE *out, *err;
	char stats[PATH_MAX + 32];
};

struct explore {
	struct workload w;
	const char *images, *db_path;
	char script[PATH_MAX * 2], self[PATH_MAX], tmpdir[PATH_MAX];
	char bins[WL_WORDS_MAX][PATH_MAX];
	struct rdb *db;
	int64_t wl;
	int replicas, jobs;
	bool quiet, tty, tui;
	struct tolerance tol;
	struct baseline base;
	double hang_factor, base_max_wall_s; /* run_timeout() */
	/* progress */
	int total, done, failed, next_stats;
	uint64_t t0_ns, run_ns;
	int last_pct;
	struct slot slots[EXPLORE_MAX_JOBS];
};

extern volatile sig_atomic_t explore_interrupted;

/* Runs tasks[0..n) up to e->jobs at a time, recording each in the
 * database as it finishes.  0, or -1 when interrupted (what finished is
 * recorded; what ran is not). */
int explore_run_tasks(struct explore *e, struct task *tasks, int n);

/* Runs one task to its end (bisection); its verdict, or -1 when
 * interrupted. */
int explore_run_one(struct explore *e, struct task *t);

void explore_progress_end(struct explore *e);

int cmd_explore(int argc, char **argv);

#endif
