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
	const char *const *policy_args; /* the policy options as given */
	int npolicy_args;
	bool no_vdso;                /* --no-vdso: no AT_SYSINFO_EHDR for the program */
	bool no_rewrite;             /* --no-rewrite: every call through SIGSYS */
	const char *program;         /* as given: searched in PATH */
	int argc;
	char **argv;
};

/* Becomes the program, under hl-monitor, in this very process (its pid,
 * parent, process group and terminal are the program's); returns only
 * when it could not (exit status 125 or 127).  When the process ends, the
 * monitor runs this `run` again with --sud-report for the report. */
int sud_run(const struct sud_run *r);

/* That report: the run's statistics from stats_fd, status "CODE:SIGNAL". */
int sud_report(const struct sud_run *r, int stats_fd, const char *status);

/* Whether hl-monitor can run here: Syscall User Dispatch (Linux 5.11+)
 * and the executable found. */
bool sud_available(void);

/* hl-monitor's path: $HL_MONITOR, beside this executable, or in
 * ../libexec/hyperloupe; NULL when there is none. */
const char *sud_monitor_path(void);

#endif
