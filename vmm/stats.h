/* The recorder.  One run (one `hyperloupe run`) may be many guest
 * processes: the first VMM process creates the run's statistics in a
 * shared memory file (memfd) that every forked or re-executed VMM process
 * inherits, and each guest process image (a pid between two execs) writes
 * its own record there.  The first process writes the report at its end.
 *
 * A record is written by the threads of one process only, with relaxed
 * atomic additions; readers (the report, later a live viewer) may see a
 * record mid-update, never a torn counter. */
#ifndef HL_STATS_H
#define HL_STATS_H

#include "analysis/policy.h"
#include "analysis/syscalls.h"
#include "vmm/agent.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define STATS_MAGIC 0x53504f4c4c48ull /* "HLLOPS" */
#define STATS_EXE_MAX 256
#define STATS_ARGV_MAX 512
#define STATS_MAX_PROCS 16384
#define STATS_FEATS 256    /* sub-feature / pseudo-file counters per process */
#define STATS_PATHS 128    /* pseudo-file names per process */
#define STATS_PATH_MAX 128
/* Latency histogram of each call's host time: bucket 0 is < 1 µs, bucket
 * k (1..10) is [4^(k-1), 4^k) µs, the last one 1 s and more (~4^10 µs). */
#define STATS_HIST 12
#define STATS_ONLY_MAX 16
#define STATS_ONLY_LEN 64

struct sc_count {
	uint64_t count, errors, host_ns;
	uint64_t outcome[POL__COUNT]; /* calls forwarded, local, stubbed, faked */
};

enum { FEAT_SUB = 1, FEAT_PATH = 2 };
#define FEAT_BUSY 0xffffffffu /* a feature slot being claimed */

/* One sub-feature (an ioctl request, a clock...) or pseudo-file (/proc,
 * /sys, /dev path) of one call, in a small open-addressing table. */
struct feat_count {
	uint32_t tag;  /* 0: free; else (nr + 1) | kind << 16 (FEAT_*): feat_nr */
	uint32_t path; /* FEAT_PATH: 1 + index into paths[], 0 while written */
	uint64_t key;  /* FEAT_SUB: xlat_key; FEAT_PATH: hash of the name */
	struct sc_count c;
};

/* A feature's call and whether it is a pseudo-file (else a sub-feature). */
static inline int feat_nr(const struct feat_count *f)
{
	return (int)(f->tag & 0xffff) - 1;
}

static inline bool feat_is_path(const struct feat_count *f)
{
	return f->tag >> 16 == FEAT_PATH;
}

enum stats_state {
	STATS_FREE,
	STATS_RUNNING,
	STATS_EXITED,   /* exit_status / term_signal are final */
	STATS_EXECED,   /* the process went on as the next record with its pid */
};

/* One guest process image. */
struct stats {
	uint32_t state; /* enum stats_state */
	int32_t pid, ppid;
	int32_t exit_status; /* as a shell reports it: 128 + signal when killed */
	int32_t term_signal; /* 0 unless killed */
	char exe[STATS_EXE_MAX];   /* the executable, by the path it was run by */
	char argv[STATS_ARGV_MAX]; /* argv joined by NULs, truncated */
	uint32_t argv_len;
	struct sc_count sc[SC_TABLE_SIZE];
	uint32_t hist[SC_TABLE_SIZE][STATS_HIST];
	uint64_t unknown; /* numbers outside the table */
	uint64_t syscall_exits, other_exits;
	uint64_t trampoline_exits; /* syscall exits through the LSTAR trampoline */
	uint64_t kvm_run_ns; /* time inside KVM_RUN, summed over threads */
	uint64_t rewritten_sites;
	uint64_t threads;    /* guest threads ever run, the first included */
	uint64_t start_ns, end_ns;
	uint64_t delay_ns, delays; /* forwarding delay injected (achieved) */
	uint64_t feats_lost;       /* features not counted: the table was full */
	/* Resource use, for explore's tolerance checks: the VMM process's
	 * VmHWM at the end (guest memory is its memory), and one past the
	 * highest fd a call returned, which is the peak of open fds when
	 * they were allocated lowest first, as POSIX has them. */
	uint64_t peak_rss_kb, fds_peak;
	uint32_t npaths;
	uint32_t pad;
	struct feat_count feats[STATS_FEATS];
	char paths[STATS_PATHS][STATS_PATH_MAX];
};

/* The shared file: header, then STATS_MAX_PROCS records (only the used
 * ones are ever touched, so the file stays sparse). */
struct run_stats {
	uint64_t magic;
	uint32_t version;
	int32_t root_pid;  /* the process that writes the report */
	uint32_t nprocs;   /* records handed out */
	uint32_t ended;    /* the root process has finished */
	uint32_t header_size, record_size; /* sizeof: a viewer checks its layout */
	/* Calibrated cost of one round trip, measured by the root when a
	 * report is asked for (vcpu_calibrate). */
	double cal_syscall_ns, cal_exit_ns;
	uint64_t start_ns, end_ns;
	uint64_t delay_req_ns; /* --forward-delay, per side of a forwarded call */
	/* The root's --only names (a viewer shows that profile), truncated. */
	uint32_t nonly;
	char only[STATS_ONLY_MAX][STATS_ONLY_LEN];
	struct agent_area agent; /* hl-agent's reports (vmm/agent.h) */
	struct stats procs[];
};

/* Derived figures; see README "Statistics" for the definitions. */
struct stats_totals {
	uint64_t wall_ns, user_ns, host_ns, exit_overhead_ns, calls, errors;
	double p;
};

static inline void stats_add(uint64_t *c, uint64_t v)
{
	__atomic_fetch_add(c, v, __ATOMIC_RELAXED);
}

static inline int stats_hist_bucket(uint64_t ns)
{
	uint64_t us = ns / 1000;
	if (!us)
		return 0;
	int b = 1 + (63 - __builtin_clzll(us)) / 2;
	return b < STATS_HIST ? b : STATS_HIST - 1;
}

static inline void stats_count(struct sc_count *c, long ret, uint64_t ns, int outcome)
{
	stats_add(&c->count, 1);
	if (ret < 0 && ret > -4096)
		stats_add(&c->errors, 1);
	stats_add(&c->host_ns, ns);
	stats_add(&c->outcome[outcome], 1);
}

/* One call: its counters, and those of its sub-feature (args) and of the
 * pseudo-file it names (path: as the guest passed it, or NULL). */
struct call_rec {
	long nr, ret;
	const long *args;
	const char *path;
	uint64_t ns;
	int outcome; /* enum pol_action */
	int pid;     /* /proc/PID/... of the caller reads /proc/self/... */
};

void stats_record_call(struct stats *s, const struct call_rec *c);

/* A feature's name without its call: the sub-feature (`TCGETS`, or hex)
 * or the pseudo-file's path.  Points into s or buf. */
const char *stats_feat_name(const struct stats *s, const struct feat_count *f, char *buf, size_t len);

/* A forwarded call without sub-feature or path. */
static inline void stats_record(struct stats *s, long nr, long ret, uint64_t ns)
{
	static const long none[6];
	struct call_rec c = {.nr = nr, .ret = ret, .args = none, .ns = ns};
	stats_record_call(s, &c);
}

/* The name a path is counted under when it is a pseudo-file (/proc, /sys,
 * /dev; the caller's own /proc/PID is /proc/self, another pid /proc/[pid]);
 * false for other paths. */
bool stats_pseudo_file(const char *path, int pid, char *out, size_t len);

/* Create the run's shared statistics; *fd is the memfd to pass on across
 * execve.  NULL (and *fd = -1) on failure, with errno set. */
struct run_stats *stats_run_create(int *fd);

/* `--phase NAME`: count syscalls only during that phase (vmm/agent.h);
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

/* A new record for the process image starting now.  argv is recorded
 * joined, truncated to STATS_ARGV_MAX.  NULL when the file is full. */
struct stats *stats_proc_new(struct run_stats *r, int pid, int ppid, const char *exe, int argc,
			     char *const argv[]);

/* The image ended: state is STATS_EXITED or STATS_EXECED. */
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

/* strace -c layout, over the merged profile of the records f selects. */
void stats_print_summary(const struct run_stats *r, const struct stats_filter *f, FILE *out);

#endif
