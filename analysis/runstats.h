/* The run's statistics file (its layout and the recorder are in
 * core/stats.h): creating, attaching and publishing it, merging records,
 * the derived figures, the JSON report and the -c summary.  No engine:
 * both engines' launchers, the reports and the TUI use it. */
#ifndef HL_RUNSTATS_H
#define HL_RUNSTATS_H

#include "analysis/policy.h"
#include "analysis/syscalls.h"
#include "core/stats.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* A feature's name without its call: the sub-feature (`TCGETS`, or hex)
 * or the pseudo-file's path.  Points into s or buf. */
const char *stats_feat_name(const struct stats *s, const struct feat_count *f, char *buf, size_t len);

/* The keys "agent", "phases" and "metrics" of the report, each followed by
 * ",\n", at the indentation of a top-level key of the report object. */
void agent_write_json(const struct agent_area *a, FILE *out);

/* Create the run's shared statistics; *fd is the memfd to pass on across
 * execve.  NULL (and *fd = -1) on failure, with errno set. */
struct run_stats *stats_run_create(int *fd);

/* `--phase NAME`: count syscalls only during that phase (core/agent.h);
 * called by the process that created the run, before its guest starts. */
void stats_run_set_phase(struct run_stats *r, const char *phase);

/* Map the run's statistics from an inherited fd; NULL on failure. */
struct run_stats *stats_run_attach(int fd);

/* The root process ends: the run's name goes (README "Live statistics"). */
void stats_run_unpublish(struct run_stats *r);

/* A viewer's read-only view of the run whose first VMM process is pid;
 * NULL with errno (ENOENT: no such run; EPROTO: another layout). */
struct run_stats *stats_run_open(int pid);
void stats_run_close(const struct run_stats *r);

/* Calls fn for each run published in /dev/shm, with whether its first
 * process still lives. */
void stats_each_run(void (*fn)(int pid, bool alive, void *arg), void *arg);

/* The image ended: state is STATS_EXITED or STATS_EXECED (the peak
 * resident set read from /proc/self/status). */
void stats_proc_end(struct stats *s, enum stats_state state, int exit_status, int term_signal);

/* Which records a report covers: all (n == 0), or those whose executable's
 * path or base name equals one of names (`--only`, Loupe's whitelist). */
struct stats_filter {
	const char *const *names;
	int n;
};

bool stats_filter_match(const struct stats_filter *f, const struct stats *s);

/* Sum of the records f selects (counts, times, exits; start = earliest,
 * end = latest), into out, which is overwritten. */
void stats_merge(const struct run_stats *r, const struct stats_filter *f, struct stats *out);

/* Totals of one record; wall = end - start, user time derived from KVM_RUN
 * time minus the calibrated round trips (cal_* from the run). */
void stats_totals(const struct run_stats *r, const struct stats *s, struct stats_totals *t);

struct run_info {
	const struct policy *policy; /* the rules in force, or NULL */
	const char *program;
	int argc;
	char *const *argv;
	int exit_status; /* as a shell reports it: 128 + signal when killed */
	int term_signal; /* 0 unless killed */
};

/* The report: the root's program and status, the merged profile of the
 * records f selects (same keys as version 1), and every process with its
 * own profile. */
int stats_write_json(const struct run_stats *r, const struct stats_filter *f,
		     const struct run_info *ri, FILE *out);

/* The end of a run, as either engine's first process writes it (r's
 * end_ns set): the -c summary on stderr (summary), the JSON at stats_path
 * (when not NULL).  0, or -1 after a message when the file failed. */
int stats_report(struct run_stats *r, const struct stats_filter *f, const struct run_info *ri,
		 const char *stats_path, bool summary);

/* strace -c layout, over the merged profile of the records f selects. */
void stats_print_summary(const struct run_stats *r, const struct stats_filter *f, FILE *out);

#endif
