/* Calls the VMM owns because forwarding them would act on the VMM itself
 * (its thread pointer, its signal handlers, its exit), plus the calls it
 * refuses.  What is refused, and why, is listed in README ("Calls the VMM
 * does not forward"). */
#include "vmm/emul.h"
#include "vmm/elf.h"
#include "vmm/util.h"

#include <asm/prctl.h>
#include <errno.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1u << 31)
#endif
#define SIGBIT(s) (1ull << ((s) - 1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
/* Faults of the VMM itself must never be blocked on the host; the guest's
 * own faults arrive as exits, not host signals. */
#define HOST_SYNC (SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | SIGBIT(SIGFPE) | \
		   SIGBIT(SIGTRAP) | SIGBIT(SIGSYS))

static long put(struct proc *p, uint64_t addr, const void *v, size_t len)
{
	long r = gm_check(&p->vm.mem, addr, len, PROT_WRITE);
	if (!r && gm_write_guest(addr, v, len) != (long)len)
		r = -EFAULT;
	return r;
}

static long get(struct proc *p, uint64_t addr, void *v, size_t len)
{
	long r = gm_check(&p->vm.mem, addr, len, PROT_READ);
	if (!r && gm_read_guest(v, addr, len) != (long)len)
		r = -EFAULT;
	return r;
}

/* ---- thread pointer and thread bookkeeping ---- */

static long emu_arch_prctl(struct proc *p, const long a[6])
{
	struct kvm_sregs *sr = &p->vm.run->s.regs.sregs;
	uint64_t v = (uint64_t)a[1];
	switch ((int)a[0]) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (v >= USER_VA_END)
			return -EPERM;
		*((int)a[0] == ARCH_SET_FS ? &sr->fs.base : &sr->gs.base) = v;
		p->vm.run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
		return 0;
	case ARCH_GET_FS:
		return put(p, v, &sr->fs.base, 8);
	case ARCH_GET_GS:
		return put(p, v, &sr->gs.base, 8);
	case ARCH_GET_CPUID:
		return 1;
	case ARCH_SET_CPUID:
		return -ENODEV; /* no CPUID faulting in the guest */
	case ARCH_GET_XCOMP_SUPP:
	case ARCH_GET_XCOMP_PERM:
		return put(p, v, &p->vm.xcr0, 8);
	case ARCH_REQ_XCOMP_PERM:
		return v < 64 && (p->vm.xcr0 >> v) & 1 ? 0 : -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
}

static long emu_set_tid_address(struct proc *p, const long a[6])
{
	p->clear_child_tid = (uint64_t)a[0];
	return host_syscall6(SYS_gettid, 0, 0, 0, 0, 0, 0);
}

/* Kept here: forwarding would replace the VMM's own robust list. */
static long emu_set_robust_list(struct proc *p, const long a[6])
{
	if (a[1] != 24)
		return -EINVAL;
	p->robust_list = (uint64_t)a[0];
	p->robust_len = (uint64_t)a[1];
	return 0;
}

static long emu_get_robust_list(struct proc *p, const long a[6])
{
	if (a[0] && a[0] != host_syscall6(SYS_gettid, 0, 0, 0, 0, 0, 0))
		return -EPERM;
	long r = put(p, (uint64_t)a[1], &p->robust_list, 8);
	return r ? r : put(p, (uint64_t)a[2], &p->robust_len, 8);
}

/* rseq cannot be honoured: the host kernel would restart critical sections
 * by looking at the VMM thread's registers, not the guest's.  ENOSYS is
 * what a kernel without CONFIG_RSEQ says, and libc falls back cleanly. */
static long emu_enosys(struct proc *p, const long a[6])
{
	(void)p;
	(void)a;
	return -ENOSYS;
}

static long emu_eperm(struct proc *p, const long a[6])
{
	(void)p;
	(void)a;
	return -EPERM;
}

/* Processes and threads come with the next milestone; until then the
 * guest is told, and so is the user, once per call. */
static long emu_not_yet(struct proc *p, const long a[6])
{
	static uint64_t told[8];
	long nr = p->cur_nr;
	(void)a;
	if (!(told[(nr / 64) % 8] & (1ull << (nr % 64)))) {
		told[(nr / 64) % 8] |= 1ull << (nr % 64);
		hl_err("%s: processes and threads are not supported yet (returning ENOSYS)", sc_name(nr));
	}
	return -ENOSYS;
}

/* ---- signals: state kept by the VMM, never guest handlers on the host ---- */

static void mirror_disposition(int sig, uint64_t handler)
{
	if (sig == SIGKILL || sig == SIGSTOP || sig == 32 || sig == 33)
		return;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	/* Ignoring is safe to mirror and changes host behaviour the guest
	 * relies on (EPIPE instead of death by SIGPIPE, auto-reaped children). */
	sa.sa_handler = handler == (uint64_t)SIG_IGN ? SIG_IGN : SIG_DFL;
	sigaction(sig, &sa, NULL);
}

static long emu_rt_sigaction(struct proc *p, const long a[6])
{
	int sig = (int)a[0];
	struct k_sigaction act;
	if (a[3] != 8 || sig < 1 || sig > HL_NSIG)
		return -EINVAL;
	if (a[1] && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	long r = a[1] ? get(p, (uint64_t)a[1], &act, sizeof(act)) : 0;
	if (!r && a[2])
		r = put(p, (uint64_t)a[2], &p->sigact[sig], sizeof(act));
	if (r || !a[1])
		return r;
	act.mask &= ~UNBLOCKABLE;
	p->sigact[sig] = act;
	mirror_disposition(sig, act.handler);
	return 0;
}

static long emu_rt_sigprocmask(struct proc *p, const long a[6])
{
	uint64_t set, old = p->sigmask;
	if (a[3] != 8)
		return -EINVAL;
	if (a[1]) {
		long r = get(p, (uint64_t)a[1], &set, 8);
		if (r)
			return r;
		if (a[0] == SIG_BLOCK)
			p->sigmask |= set;
		else if (a[0] == SIG_UNBLOCK)
			p->sigmask &= ~set;
		else if (a[0] == SIG_SETMASK)
			p->sigmask = set;
		else
			return -EINVAL;
		p->sigmask &= ~UNBLOCKABLE;
		uint64_t host = p->sigmask & ~HOST_SYNC;
		host_syscall6(SYS_rt_sigprocmask, SIG_SETMASK, (long)&host, 0, 8, 0, 0);
	}
	return a[2] ? put(p, (uint64_t)a[2], &old, 8) : 0;
}

struct k_stack {
	uint64_t sp;
	int32_t flags, pad;
	uint64_t size;
};

static long emu_sigaltstack(struct proc *p, const long a[6])
{
	struct k_stack cur = {p->altstack.sp, p->altstack.flags, 0, p->altstack.size}, ns;
	if (!cur.size)
		cur.flags = SS_DISABLE;
	long r = a[0] ? get(p, (uint64_t)a[0], &ns, sizeof(ns)) : 0;
	if (!r && a[1])
		r = put(p, (uint64_t)a[1], &cur, sizeof(cur));
	if (r || !a[0])
		return r;
	int mode = ns.flags & ~SS_AUTODISARM;
	if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
		return -EINVAL;
	if (mode == SS_DISABLE) {
		ns.sp = ns.size = 0;
	} else if (ns.size < 2048) {
		return -ENOMEM;
	}
	p->altstack.sp = ns.sp;
	p->altstack.size = ns.size;
	p->altstack.flags = ns.flags & SS_AUTODISARM;
	return 0;
}

/* Without a signal frame to return to, Linux kills the task with SIGSEGV. */
static long emu_rt_sigreturn(struct proc *p, const long a[6])
{
	(void)a;
	p->term_signal = SIGSEGV;
	return 0;
}

static long emu_exit(struct proc *p, const long a[6])
{
	p->exit_status = (int)(a[0] & 0xff);
	p->exited = true;
	return 0;
}

/* ---- fds and paths the guest must see as it would natively ---- */

static long emu_close_range(struct proc *p, const long a[6])
{
	unsigned first = (unsigned)a[0], last = (unsigned)a[1];
	int lo, hi;
	(void)p;
	if ((unsigned long)a[2] & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) || first > last)
		return -EINVAL;
	vm_vmm_fd_range(&lo, &hi);
	if (lo < 0 || last < (unsigned)lo || first > (unsigned)hi)
		return host_syscall6(SYS_close_range, a[0], a[1], a[2], 0, 0, 0);
	long r = 0;
	if (first < (unsigned)lo)
		r = host_syscall6(SYS_close_range, first, lo - 1, a[2], 0, 0, 0);
	if (!r && last > (unsigned)hi)
		r = host_syscall6(SYS_close_range, hi + 1, last, a[2], 0, 0, 0);
	return r;
}

/* /proc/self/exe names the guest program, not the VMM. */
static long readlink_exe(struct proc *p, uint64_t path, uint64_t buf, long size, long nr, const long a[6])
{
	char name[64], self[64];
	long r = sys_validate(p, sc_lookup(nr), a);
	if (r)
		return r;
	if (gm_read_guest(name, path, sizeof(name)) <= 0)
		return -EFAULT;
	name[sizeof(name) - 1] = 0;
	snprintf(self, sizeof(self), "/proc/%d/exe", getpid());
	if (strcmp(name, "/proc/self/exe") && strcmp(name, "/proc/thread-self/exe") && strcmp(name, self))
		return host_syscall6(nr, a[0], a[1], a[2], a[3], 0, 0);
	if (size <= 0)
		return -EINVAL;
	size_t n = strlen(p->exe) < (size_t)size ? strlen(p->exe) : (size_t)size;
	return put(p, buf, p->exe, n) ?: (long)n;
}

static long emu_readlink(struct proc *p, const long a[6])
{
	return readlink_exe(p, (uint64_t)a[0], (uint64_t)a[1], a[2], SYS_readlink, a);
}

static long emu_readlinkat(struct proc *p, const long a[6])
{
	if ((int)a[0] != AT_FDCWD && a[1] && vm_is_vmm_fd(a[0]))
		return -EBADF;
	return readlink_exe(p, (uint64_t)a[1], (uint64_t)a[2], a[3], SYS_readlinkat, a);
}

/* ---- prctl ---- */

static long emu_prctl(struct proc *p, const long a[6])
{
	switch ((int)a[0]) {
	case PR_SET_SECCOMP:  /* would filter the VMM's own calls (KVM_RUN) */
	case PR_SET_MM:       /* the VMM owns the layout of the address space */
	case 59:              /* PR_SET_SYSCALL_USER_DISPATCH: same as seccomp */
	case 65:              /* PR_SET_MDWE: would forbid the VMM's code pages */
		return -EINVAL;
	case PR_GET_TID_ADDRESS:
		return put(p, (uint64_t)a[1], &p->clear_child_tid, 8);
	case 0x41555856: {    /* PR_GET_AUXV: the guest's, not the VMM's */
		size_t len = (size_t)p->nauxv * 8, n = (uint64_t)a[2] < len ? (size_t)a[2] : len;
		return a[3] || a[4] ? -EINVAL : put(p, (uint64_t)a[1], p->auxv, n) ?: (long)len;
	}
	case PR_SET_NAME:
		return gm_check_str(&p->vm.mem, (uint64_t)a[1], 16) ?: host_syscall6(SYS_prctl, a[0], a[1], 0, 0, 0, 0);
	case PR_GET_NAME:
		return gm_check(&p->vm.mem, (uint64_t)a[1], 16, PROT_WRITE) ?: host_syscall6(SYS_prctl, a[0], a[1], 0, 0, 0, 0);
	case PR_GET_PDEATHSIG: case PR_GET_TSC: case PR_GET_ENDIAN: case PR_GET_FPEMU:
	case PR_GET_FPEXC: case PR_GET_CHILD_SUBREAPER:
		return gm_check(&p->vm.mem, (uint64_t)a[1], 4, PROT_WRITE) ?: host_syscall6(SYS_prctl, a[0], a[1], 0, 0, 0, 0);
	default:
		return sys_validate(p, sc_lookup(SYS_prctl), a) ?: host_syscall6(SYS_prctl, a[0], a[1], a[2], a[3], a[4], 0);
	}
}

/* ---- the table ---- */

static const sys_emul_fn emulated[SC_TABLE_SIZE] = {
	[SYS_mmap] = emu_mmap,
	[SYS_munmap] = emu_munmap,
	[SYS_mprotect] = emu_mprotect,
	[SYS_pkey_mprotect] = emu_mprotect,
	[SYS_mremap] = emu_mremap,
	[SYS_brk] = emu_brk,
	[SYS_madvise] = emu_range_call,
	[SYS_msync] = emu_range_call,
	[SYS_mlock] = emu_range_call,
	[SYS_munlock] = emu_range_call,
	[SYS_mlock2] = emu_range_call,
	[SYS_mincore] = emu_range_call,
	[SYS_remap_file_pages] = emu_range_call,
	[462] = emu_range_call, /* mseal */
	[SYS_shmat] = emu_shmat,
	[SYS_shmdt] = emu_shmdt,
	[SYS_arch_prctl] = emu_arch_prctl,
	[SYS_set_tid_address] = emu_set_tid_address,
	[SYS_set_robust_list] = emu_set_robust_list,
	[SYS_get_robust_list] = emu_get_robust_list,
	[SYS_rseq] = emu_enosys,
	[SYS_prctl] = emu_prctl,
	[SYS_rt_sigaction] = emu_rt_sigaction,
	[SYS_rt_sigprocmask] = emu_rt_sigprocmask,
	[SYS_sigaltstack] = emu_sigaltstack,
	[SYS_rt_sigreturn] = emu_rt_sigreturn,
	[SYS_exit] = emu_exit,
	[SYS_exit_group] = emu_exit,
	[SYS_close_range] = emu_close_range,
	[SYS_readlink] = emu_readlink,
	[SYS_readlinkat] = emu_readlinkat,
	[SYS_clone] = emu_not_yet,
	[SYS_clone3] = emu_not_yet,
	[SYS_fork] = emu_not_yet,
	[SYS_vfork] = emu_not_yet,
	[SYS_execve] = emu_not_yet,
	[SYS_execveat] = emu_not_yet,
	[SYS_ptrace] = emu_eperm,
	[SYS_iopl] = emu_eperm,
	[SYS_ioperm] = emu_eperm,
	[SYS_modify_ldt] = emu_enosys,
	[SYS_set_thread_area] = emu_enosys,
	[SYS_get_thread_area] = emu_enosys,
	[SYS_seccomp] = emu_enosys,
	[SYS_bpf] = emu_enosys,
	[SYS_io_setup] = emu_enosys,
	[SYS_io_uring_setup] = emu_enosys,
	[453] = emu_enosys, /* map_shadow_stack */
	[335] = emu_enosys, /* uretprobe */
	[336] = emu_enosys, /* uprobe */
};

sys_emul_fn sys_emulation(long nr)
{
	return nr >= 0 && nr < SC_TABLE_SIZE ? emulated[nr] : NULL;
}
