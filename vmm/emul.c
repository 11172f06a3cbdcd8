/* Calls the VMM owns because forwarding them would act on the VMM itself
 * (its thread pointer, its signal handlers, its exit), plus the calls it
 * refuses.  What is refused, and why, is listed in README ("Calls the VMM
 * does not forward"). */
#include "vmm/emul.h"
#include "core/elf.h"
#include "vmm/process.h"
#include "vmm/signal.h"
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

/* ---- thread pointer and thread bookkeeping ---- */

static long emu_arch_prctl(struct thread *t, const long a[6])
{
	struct proc *p = t->proc;
	struct kvm_sregs *sr = &t->cpu.run->s.regs.sregs;
	uint64_t v = (uint64_t)a[1];
	switch ((int)a[0]) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (v >= USER_VA_END)
			return -EPERM;
		*((int)a[0] == ARCH_SET_FS ? &sr->fs.base : &sr->gs.base) = v;
		t->cpu.run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
		return 0;
	case ARCH_GET_FS:
		return guest_put(p, v, &sr->fs.base, 8);
	case ARCH_GET_GS:
		return guest_put(p, v, &sr->gs.base, 8);
	case ARCH_GET_CPUID:
		return 1;
	case ARCH_SET_CPUID:
		return -ENODEV; /* no CPUID faulting in the guest */
	case ARCH_GET_XCOMP_SUPP:
	case ARCH_GET_XCOMP_PERM:
		return guest_put(p, v, &p->vm.xcr0, 8);
	case ARCH_REQ_XCOMP_PERM:
		return v < 64 && (p->vm.xcr0 >> v) & 1 ? 0 : -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
}

static long emu_set_tid_address(struct thread *t, const long a[6])
{
	t->clear_child_tid = (uint64_t)a[0];
	return t->tid;
}

/* rseq cannot be honoured: the host kernel would restart critical sections
 * by looking at the VMM thread's registers, not the guest's.  ENOSYS is
 * what a kernel without CONFIG_RSEQ says, and libc falls back cleanly. */
static long emu_enosys(struct thread *t, const long a[6])
{
	struct proc *p = t->proc;
	(void)p;
	(void)a;
	return -ENOSYS;
}

static long emu_eperm(struct thread *t, const long a[6])
{
	struct proc *p = t->proc;
	(void)p;
	(void)a;
	return -EPERM;
}

/* ---- fds and paths the guest must see as it would natively ---- */

static long emu_close_range(struct thread *t, const long a[6])
{
	struct proc *p = t->proc;
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
	char name[64];
	long r = sys_validate(p, sc_lookup(nr), a);
	if (r)
		return r;
	if (gm_read_guest(name, path, sizeof(name)) <= 0)
		return -EFAULT;
	name[sizeof(name) - 1] = 0;
	if (!proc_is_self_exe(name))
		return host_syscall6(nr, a[0], a[1], a[2], a[3], 0, 0);
	if (size <= 0)
		return -EINVAL;
	size_t n = strlen(p->exe) < (size_t)size ? strlen(p->exe) : (size_t)size;
	return guest_put(p, buf, p->exe, n) ?: (long)n;
}

static long emu_readlink(struct thread *t, const long a[6])
{
	struct proc *p = t->proc;
	return readlink_exe(p, (uint64_t)a[0], (uint64_t)a[1], a[2], SYS_readlink, a);
}

static long emu_readlinkat(struct thread *t, const long a[6])
{
	struct proc *p = t->proc;
	if ((int)a[0] != AT_FDCWD && a[1] && vm_is_vmm_fd(a[0]))
		return -EBADF;
	return readlink_exe(p, (uint64_t)a[1], (uint64_t)a[2], a[3], SYS_readlinkat, a);
}

/* ---- prctl ---- */

static long emu_prctl(struct thread *t, const long a[6])
{
	struct proc *p = t->proc;
	switch ((int)a[0]) {
	case PR_SET_SECCOMP:  /* would filter the VMM's own calls (KVM_RUN) */
	case PR_SET_MM:       /* the VMM owns the layout of the address space */
	case 59:              /* PR_SET_SYSCALL_USER_DISPATCH: same as seccomp */
	case 65:              /* PR_SET_MDWE: would forbid the VMM's code pages */
		return -EINVAL;
	case PR_GET_TID_ADDRESS:
		return guest_put(p, (uint64_t)a[1], &t->clear_child_tid, 8);
	case 0x41555856: {    /* PR_GET_AUXV: the guest's, not the VMM's */
		size_t len = (size_t)p->nauxv * 8, n = (uint64_t)a[2] < len ? (size_t)a[2] : len;
		return a[3] || a[4] ? -EINVAL : guest_put(p, (uint64_t)a[1], p->auxv, n) ?: (long)len;
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
	[SYS_rseq] = emu_enosys,
	[SYS_prctl] = emu_prctl,
	[SYS_rt_sigaction] = sig_rt_sigaction,
	[SYS_rt_sigprocmask] = sig_rt_sigprocmask,
	[SYS_sigaltstack] = sig_sigaltstack,
	[SYS_rt_sigreturn] = sig_rt_sigreturn,
	[SYS_rt_sigsuspend] = sig_masked_wait,
	[SYS_ppoll] = sig_masked_wait,
	[SYS_pselect6] = sig_masked_wait,
	[SYS_epoll_pwait] = sig_masked_wait,
	[SYS_epoll_pwait2] = sig_masked_wait,
	[SYS_exit] = proc_sys_exit,
	[SYS_exit_group] = proc_sys_exit,
	[SYS_close_range] = emu_close_range,
	[SYS_readlink] = emu_readlink,
	[SYS_readlinkat] = emu_readlinkat,
	[SYS_clone] = proc_sys_clone,
	[SYS_clone3] = proc_sys_clone3,
	[SYS_fork] = proc_sys_fork,
	[SYS_vfork] = proc_sys_vfork,
	[SYS_execve] = proc_sys_execve,
	[SYS_execveat] = proc_sys_execveat,
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
