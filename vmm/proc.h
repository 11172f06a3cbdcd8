/* One guest process: its VM, the state Linux would keep for it in the
 * kernel that the VMM emulates (brk, signal dispositions and masks, thread
 * pointers), and its statistics. */
#ifndef HL_PROC_H
#define HL_PROC_H

#include "vmm/stats.h"
#include "vmm/vm.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define HL_NSIG 64
#define BRK_RESERVE (1ull << 30)
#define HL_MAX_SHM 64

struct hl_options {
	const char *stats_path; /* --stats FILE */
	bool summary;           /* -c */
	bool no_rewrite;        /* --no-rewrite */
};

/* struct sigaction as the x86-64 kernel sees it (rt_sigaction). */
struct k_sigaction {
	uint64_t handler, flags, restorer, mask;
};

struct proc {
	struct vm vm;
	struct stats stats;
	struct hl_options opt;
	const char *program;
	int argc;
	char *const *argv;
	char exe[PATH_MAX]; /* what /proc/self/exe names natively */
	uint64_t brk_start, brk_cur, brk_end;
	uint64_t clear_child_tid, robust_list, robust_len;
	struct k_sigaction sigact[HL_NSIG + 1];
	uint64_t sigmask;
	struct {
		uint64_t sp, size;
		int flags;
	} altstack;
	struct {
		uint64_t addr, len;
	} shm[HL_MAX_SHM];
	bool exited;      /* exit/exit_group was called: exit_status is set */
	int exit_status;
	int term_signal;  /* the guest is to die of this signal */
	bool verbose;
	long cur_nr;
	struct {
		uint64_t start, end;
	} *shared;        /* MAP_SHARED guest ranges */
	int nshared, shared_cap; /* the call being handled, for handlers shared by several */
	uint64_t auxv[64];
	int nauxv; /* words in auxv, AT_NULL pair included */
};

/* Load path into p's VM (ELF or #! script) and point the vCPU at its entry.
 * Returns 0, or a shell-style exit status (126/127) after printing one line
 * on stderr. */
int proc_exec(struct proc *p, const char *path, int argc, char *const argv[], char *const envp[]);

/* Run the guest until it exits.  Does not return. */
void proc_run(struct proc *p) __attribute__((noreturn));

/* The guest ended (p->exited or p->term_signal): record, report, and leave
 * with its status or its signal. */
void proc_finish(struct proc *p) __attribute__((noreturn));

/* The syscall dispatcher: the value the guest sees in %rax. */
long sys_dispatch(struct proc *p, long nr, const long a[6]);

/* Validate the pointer, string and fd arguments of a forwarded call. */
long sys_validate(struct proc *p, const struct syscall_info *si, const long a[6]);

/* -EFAULT when [v, v + len) reaches memory the host maps for the VMM
 * rather than for the guest; 0 otherwise (unmapped parts included). */
long sys_check_vmm(struct proc *p, uint64_t v, uint64_t len);

/* Emulated calls: the handler for nr, or NULL to forward. */
typedef long (*sys_emul_fn)(struct proc *p, const long a[6]);
sys_emul_fn sys_emulation(long nr);

#endif
