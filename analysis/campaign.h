/* The explore campaign's decisions, apart from the running of tests (which
 * is cli/explore.c): what a feature's policy option is, whether one run
 * passed, and what the final run applies.  README "Explore". */
#ifndef HL_CAMPAIGN_H
#define HL_CAMPAIGN_H

#include "analysis/classify.h"
#include "analysis/resultsdb.h"
#include "analysis/workload.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What one test run came to. */
struct run_outcome {
	int status;        /* the test's exit status, 128 + signal */
	bool timed_out;
	int crash_signal;  /* an application process died of it (0: none) */
	bool has_metric;
	double metric;
	int64_t peak_rss_kb, fds; /* -1: unknown */
	const char *new_calls;    /* calls the baseline never made, or NULL */
};

/* The figures of the baseline runs (NAN: none). */
struct baseline {
	enum wl_goal goal;
	double metric, rss_kb, fds;
};

/* Allowed relative drift from the baseline, when checked (< 0: not). */
struct tolerance {
	double metric, rss, fds;
	/* Count a run that makes calls the baseline never made as passed, as
	 * Loupe does.  By default it fails: the fallback it took (exit after a
	 * stubbed exit_group) is itself something the OS must provide. */
	bool allow_new_calls;
};

/* Whether the run passed: the test exited 0, in time, no application
 * process crashed, it made no call the baseline did not (unless allowed),
 * and each checked figure is within its tolerance of the
 * baseline (worse by at most that fraction; fds get one more of slack).
 * When it did not pass, reason says why in a few words. */
bool run_verdict(const struct run_outcome *o, const struct baseline *b, const struct tolerance *t, char *reason,
		 size_t len);

/* What the final run does with a feature of that class: 's' stub, 'f'
 * fake, 0 leave it.  Both: the stub, as it asks nothing of the OS. */
char final_action(enum feat_class c);

/* Parses a tolerance such as "10%" or "0.1" into a fraction; -1 when it
 * is not a number from 0 to 10 (1000%). */
double parse_tolerance(const char *s);

#endif
