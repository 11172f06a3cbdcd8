/* hl-monitor, the sud engine: shared state and the parts of the monitor.
 *
 * The monitor is a freestanding static executable linked at a fixed
 * address far from where programs and their libraries go.  It loads the
 * program into its own process, arms Syscall User Dispatch with its whole
 * text as the allowed region, and jumps to the program.  Every `syscall`
 * the program executes then raises SIGSYS, which trap.c hands to the core
 * (core/table.h decides, core/stats.h records).  The monitor's own calls
 * come from its text and never trap.  No libc, no errno, no TLS: the
 * program owns %fs; per-thread state hangs off %gs (ARCH_SET_GS, which
 * glibc and musl leave alone on x86-64). */
#ifndef HL_MONITOR_MON_H
#define HL_MONITOR_MON_H

#include "core/stats.h"
#include "core/sys.h"
#include "core/table.h"

#include <stdbool.h>
#include <stdint.h>

#define MON_PATH_MAX 4096
#define MON_ONLY_MAX 16
#define MON_ALT_SIZE (256 * 1024) /* the SIGSYS handler's stack, per thread */

/* Per thread, found through %gs:0. */
struct mthread {
	struct mthread *self;
	uint64_t alt;     /* its sigaltstack block, or 0 */
	/* The signal stack the kernel has for the thread (the monitor's or
	 * the program's): a rewritten call made on it is a handler's, whose
	 * context goes below it (arch.c reads these at %gs:16 and %gs:24,
	 * and alt at %gs:8). */
	uint64_t ss_lo, ss_hi;
	uint64_t born_ns; /* when the thread started, for the run time */
	/* The program's context while its call is forwarded (signal.c), and
	 * whether a handler of the program moved it meanwhile. */
	void *in_call;
	int moved;
	int as_is; /* show in_call unchanged: a fault, not an interrupted call */
	/* Another process in this one's memory (a vfork child): it rewrites
	 * nothing, so that it never dies holding the rewriting lock. */
	int guest;
};

/* The process: set up once by main.c, copied into fork children. */
struct monitor {
	const struct core_table *table;
	struct run_stats *run;
	struct stats *stats;
	bool policy_on;   /* --only: this image is one of the selected ones */
	int table_fd, stats_fd, report_fd;
	bool no_vdso;     /* -V: the program gets no vDSO (AT_SYSINFO_EHDR) */
	unsigned rw_forms; /* -w: the call-site rewriting forms allowed */
	char **envp;      /* the environment the monitor was started with */
	int pid;
	const char *self_exe;       /* hl-monitor, for re-executing on execve */
	char exe[MON_PATH_MAX];     /* the program, as /proc/self/exe names it */
	const char *only[MON_ONLY_MAX];
	int nonly;
	uint64_t text_start, text_end; /* the allowed region (our image) */
	uint64_t img_start, img_end;   /* everything of ours to protect */
	uint64_t sys_act[4]; /* SIGSYS's action, as the program set it */
	int argc;            /* the program's first argv, for fork children */
	char **argv;
	/* Run time of the threads (see stats.h kvm_run_ns): lifetimes
	 * summed as they end, and the time spent handling calls. */
	int64_t life_ns;
	uint64_t handled_ns;
	uint32_t live_threads;
};

extern struct monitor mon;

/* arch.c: the code that must run from the allowed region. */
void mon_restorer(void);
void mon_sigreturn_at(uint64_t sp) __attribute__((noreturn));
void mon_jump(uint64_t entry, uint64_t sp) __attribute__((noreturn));
long mon_sys_on_stack(long nr, long a0, long a1, uint64_t sp);
long mon_fwd6(long nr, long a, long b, long c, long d, long e, long f);
extern const char mon_fwd_syscall[];
struct clone_blk;
long mon_clone_fwd(long nr, long a1, long a2, long a3, long a4, long a5, struct clone_blk *b);

/* main.c */
#define MON_NFDS 4
/* The monitor's own fds, -1 for those it has not opened: the launcher's
 * three (-t, -s, -r) and rewrite.c's /proc/self/mem. */
void mon_own_fds(int fds[MON_NFDS]);
void mon_fatal(const char *what, long err) __attribute__((noreturn));
void mon_say(const char *a, const char *b, const char *c);
int mon_arm(void);
struct mthread *mon_thread_new(void);
int mon_thread_enter(struct mthread *t, bool counted);

/* load.c: the program into this process; 0, or an exit status after a
 * message (126: not executable, 127: not found). */
struct mon_image {
	uint64_t entry, sp;
};
int mon_load(const char *path, int argc, char **argv, char **envp, uint64_t *auxv, struct mon_image *img);

/* clock.c */
void mon_clock_init(uint64_t *auxv);

/* signal.c: the program's signal actions; its handlers see the
 * program's context even when a signal interrupts a forwarded call. */
struct kucontext;
long mon_sigaction(const long a[6]);
/* A fault's signal for the program at uc, as the kernel forces one: not
 * ignored, not blocked, its handler shown uc. */
void mon_force_signal(struct kucontext *uc, int sig, int code, uint64_t addr);
struct mthread *mon_self(void);

/* report.c: the end of the process (its record, and the report when it
 * is the run's first), and SIG_DFL of the signals that end it. */
void mon_end(int status, int sig);
void mon_fatal_init(void);
bool mon_fatal_by_default(long sig);
bool mon_default_virtual(long sig);
long mon_set_default(int sig);
void mon_default_gone(int sig);

/* trap.c */
void mon_install_handler(void);
/* The call in uc (trapped, or from a rewritten site), made: its result
 * in uc's %rax unless a handler of the program moved it. */
struct kucontext;
void mon_dispatch(struct kucontext *uc);
/* The image ends: status, or -1 when it execs. */
void mon_finish(int status, int sig);
void mon_calibrate(void);

#endif
