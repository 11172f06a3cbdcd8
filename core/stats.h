/* The recorder, shared by both engines.  One run (one `hyperloupe run`)
 * may be many processes: the launcher creates the run's statistics in a
 * shared memory file (memfd) that every process of the run maps (forked
 * and re-executed VMM processes, or the sud monitor in each program
 * process), and each process image (a pid between two execs) writes its
 * own record there.  The first process writes the report at its end.
 *
 * A record is written by the threads of one process only, with relaxed
 * atomic additions; readers (the report, a live viewer) may see a record
 * mid-update, never a torn counter.  Freestanding: the monitor records
 * from its SIGSYS handler. */
#ifndef HL_CORE_STATS_H
#define HL_CORE_STATS_H

#include "core/agent.h"
#include "core/table.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATS_VERSION 3
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
	uint64_t outcome[CA__COUNT]; /* calls forwarded, local, stubbed, faked */
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
	struct sc_count sc[CORE_NCALLS];
	uint32_t hist[CORE_NCALLS][STATS_HIST];
	uint64_t unknown; /* numbers outside the table */
	uint64_t syscall_exits, other_exits;
	uint64_t trampoline_exits; /* syscall exits through the LSTAR trampoline */
	/* Time the program ran, with each trap's round trip in it, summed
	 * over threads: inside KVM_RUN (kvm), or from the monitor's return
	 * to its next entry (sud). */
	uint64_t kvm_run_ns;
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
	char engine[8];    /* "kvm" or "sud" */
	/* Calibrated cost of one round trip (kvm: through the trampoline,
	 * and a plain exit; sud: one SIGSYS trap in both), measured by the
	 * root when a report is asked for. */
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
	int outcome; /* enum core_action */
	int pid;     /* /proc/PID/... of the caller reads /proc/self/... */
	/* Which argument is a sub-feature, which calls return fds; NULL:
	 * count the call only. */
	const struct core_table *calls;
};

void stats_record_call(struct stats *s, const struct call_rec *c);

/* The counters of feature (tag, key) in s, claimed if new (name: the
 * pseudo-file's, kept in s->paths); NULL when the table is full. */
struct feat_count *stats_feat_find(struct stats *s, uint32_t tag, uint64_t key, const char *name);

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

/* A new record for the process image starting now.  argv is recorded
 * joined, truncated to STATS_ARGV_MAX.  NULL when the file is full. */
struct stats *stats_proc_new(struct run_stats *r, int pid, int ppid, const char *exe, int argc,
			     char *const argv[]);

/* The image ended: state is STATS_EXITED or STATS_EXECED; rss_kb is its
 * peak resident set. */
void stats_proc_close(struct stats *s, enum stats_state state, int exit_status, int term_signal,
		      uint64_t rss_kb);

#endif
