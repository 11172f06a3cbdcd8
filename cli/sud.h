/* The sud engine's launcher: `hyperloupe run --engine sud` starts the
 * program under hl-monitor (monitor/), waits for it, writes the report
 * and ends as the program ended. */
#ifndef HL_CLI_SUD_H
#define HL_CLI_SUD_H

#include "analysis/policy.h"

#include <stdbool.h>

struct sud_run {
	const struct policy *policy; /* finished (policy_finish) */
	const char *stats_path;      /* --stats FILE, or NULL */
	bool summary;                /* -c */
	bool live_stats;             /* --live-stats */
	const char *phase;           /* --phase NAME, or NULL */
	const char *const *only;     /* --only names */
	int nonly;
	const char *program;         /* as given: searched in PATH */
	int argc;
	char **argv;
};

/* Runs it; returns only when the program could not be started (exit
 * status: 125, 126, 127), else ends the process as the program ended. */
int sud_run(const struct sud_run *r);

/* Whether hl-monitor can run here: Syscall User Dispatch (Linux 5.11+)
 * and the executable found. */
bool sud_available(void);

/* hl-monitor's path: $HL_MONITOR, beside this executable, or in
 * ../libexec/hyperloupe; NULL when there is none. */
const char *sud_monitor_path(void);

#endif
