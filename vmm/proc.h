/* One guest process: its VM, the state Linux would keep for it in the
 * kernel that the VMM emulates (brk, signal dispositions and masks, thread
 * pointers), and its statistics. */
#ifndef HL_PROC_H
#define HL_PROC_H

#include "analysis/runstats.h"
#include "vmm/vm.h"

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#define HL_NSIG 64
#define BRK_RESERVE (1ull << 30)
#define HL_MAX_SHM 64

/* The options of `hyperloupe run` (parsed by cli/run.c), kept by each
 * process and passed on across a guest execve. */
struct hl_options {
	int engine;             /* --engine: enum engine (cli/engine.h) */
	const char *stats_path; /* --stats FILE */
	bool summary;           /* -c */
	bool verbose;           /* -v */
	bool no_rewrite;        /* --no-rewrite */
	bool no_vdso;           /* --no-vdso */
	bool live_stats;        /* --live-stats */
	const char *tui_log;    /* --tui: the guest's output goes to this file */
	const char *phase;      /* --phase NAME: count that phase only */
	bool exec_child;        /* started by a guest execve: no PATH search */
	int stats_fd;           /* --stats-fd: the statistics of the run that exec'd; -1: none */
	const char *only[16];   /* --only EXE... */
	int nonly;
	/* The policy options as given (option, argument), in order: an
	 * exec'd process parses them again. */
	const char *policy_args[128];
	int npolicy_args;
};

/* struct sigaction as the x86-64 kernel sees it (rt_sigaction). */
struct k_sigaction {
	uint64_t handler, flags, restorer, mask;
};

/* A signal caught on the host for a guest thread, not yet delivered. */
struct pending_sig {
	siginfo_t info;
};

#define HL_MAX_PENDING 64

/* One guest thread: a vCPU run by one host thread. */
struct thread {
	struct proc *proc;
	struct vcpu cpu;
	int tid;
	long cur_nr;          /* the call being handled */
	/* Where the guest resumes after that call, and its flags. */
	uint64_t user_rip, user_rflags;
	uint64_t clear_child_tid;
	uint64_t sigmask;
	/* rt_sigsuspend, ppoll, pselect6, epoll_pwait: the mask the call
	 * replaced, restored once the signals it let in are delivered. */
	uint64_t saved_mask;
	bool restore_mask;
	struct {
		uint64_t sp, size;
		int flags;
	} altstack;
	/* Filled by the host signal handler on this thread only; drained
	 * with host signals blocked. */
	struct pending_sig pending[HL_MAX_PENDING];
	volatile int npending;
	/* The last syscall returned -EINTR: SA_RESTART may re-execute it. */
	long last_nr;
	uint64_t rw_gen;  /* p->rw_gen when this vCPU last entered the guest */
	int in_guest;     /* inside KVM_RUN, or about to be */
	bool interrupted;
	bool regs_replaced;   /* rt_sigreturn set every register */
	bool exiting;         /* exit (not exit_group) was called */
	int exit_code;
	/* The CPU exception being delivered, for the sigcontext. */
	uint64_t fault_addr, fault_trapno, fault_err;
	/* The call being handled: what the policy made of it, and its path
	 * argument when it has one (for path rules and pseudo-files). */
	uint8_t outcome;      /* enum pol_action */
	uint64_t call_delay_ns; /* forwarding delay injected into it */
	bool has_path;
	char path[512];
	struct thread *next;
};

struct proc {
	struct vm vm;
	struct run_stats *run;  /* the run's shared statistics, or NULL */
	int run_fd;
	struct stats *stats;    /* this process image's record */
	struct stats local;     /* used when there is no shared record */
	struct hl_options opt;
	const char *program;
	int argc;
	char *const *argv;
	char exe[PATH_MAX]; /* what /proc/self/exe names natively */
	char exe_name[PATH_MAX]; /* the path it was run by (statistics) */
	char vmm_exe[PATH_MAX]; /* this binary, for execve */
	uint64_t brk_start, brk_cur, brk_end;
	uint64_t entry_rip, entry_rsp;
	struct k_sigaction sigact[HL_NSIG + 1];
	struct {
		uint64_t addr, len;
	} shm[HL_MAX_SHM];
	bool verbose;
	bool exiting;      /* exit_group was called: exit_status is set */
	pid_t vfork_parent; /* a CLONE_VM vfork child: the parent it must update */
	uint64_t vfork_sp;  /* the parent thread's stack pointer at the vfork */
	bool vfork_threaded; /* the parent had other threads */
	int exit_status;
	int term_signal;   /* the guest is to die of this signal */
	struct {
		uint64_t start, end;
	} *shared;        /* MAP_SHARED guest ranges */
	int nshared, shared_cap;
	struct policy policy;   /* --stub, --fake, --local, --forward, --policy */
	struct rw_site {
		uint64_t addr;
		bool live;         /* rewritten now */
		uint64_t restored; /* else: rw_gen when `syscall` was put back */
	} *sites;         /* rewritten syscall sites, sorted (rewrite.c) */
	int nsites, sites_cap;
	uint64_t rw_gen;  /* counts restores of sites */
	uint64_t auxv[64];
	int nauxv; /* words in auxv, AT_NULL pair included */
	/* mm: the vma table, slots, page tables, shared ranges.  Readers
	 * validate pointers; writers map, unmap and rewrite. */
	pthread_rwlock_t mm;
	/* threads, sigact, shm: everything else shared by the threads. */
	pthread_mutex_t lock;
	/* A fork is being made: vCPUs stay out of the guest (process.c). */
	int fork_pause;
	pthread_cond_t fork_done;
	struct thread *threads;
	int nthreads;
};

/* Load path into p's VM (ELF or #! script); its first thread starts at
 * p->entry_rip with p->entry_rsp.  Returns 0, or a shell-style exit status (126/127) after printing
 * one line on stderr. */
int proc_exec(struct proc *p, const char *path, int argc, char *const argv[], char *const envp[]);

/* -errno that execve(path) would fail with natively, checked before the
 * VMM re-executes itself (so the guest gets the error, not a dead VMM). */
long proc_exec_check(const char *path);

/* Run guest thread t until its process ends.  Does not return. */
void thread_run(struct thread *t) __attribute__((noreturn));

/* The guest process ended with status/signal: record, report, and
 * leave the way the guest would (exit status or death by signal). */
void proc_finish(struct proc *p, int exit_status, int term_signal) __attribute__((noreturn));

/* The syscall dispatcher: the value the guest sees in %rax. */
long sys_dispatch(struct thread *t, long nr, const long a[6]);

/* Validate the pointer, string and fd arguments of a forwarded call. */
long sys_validate(struct proc *p, const struct syscall_info *si, const long a[6]);

/* -EFAULT when [v, v + len) reaches memory the host maps for the VMM
 * rather than for the guest; 0 otherwise (unmapped parts included).
 * Callers hold p->mm. */
long sys_check_vmm(struct proc *p, uint64_t v, uint64_t len);

/* Copy to and from guest memory, checked (0 or -EFAULT). */
long guest_put(struct proc *p, uint64_t addr, const void *v, size_t len);
long guest_get(struct proc *p, uint64_t addr, void *v, size_t len);
/* A NUL-terminated guest string into buf (at most size bytes, NUL
 * included): its length, -EFAULT, or -ENAMETOOLONG. */
long guest_get_str(struct proc *p, uint64_t addr, char *buf, size_t size);

#endif
