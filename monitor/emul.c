/* The calls the monitor performs itself rather than forwarding as they
 * are: signal masks and SIGSYS (which must never be blocked and stays the
 * monitor's), clone and exec (the new thread, child or image must be
 * armed before program code runs), the end of threads and of the process
 * (statistics), and what would unmap, disarm or reach the monitor. */
#include "core/lib.h"
#include "monitor/clone.h"
#include "monitor/mon.h"
#include "monitor/rewrite.h"
#include "monitor/trap.h"

#include <asm/prctl.h>
#include <asm/unistd_64.h>
#include <linux/errno.h>
#include <linux/mman.h>
#include <linux/prctl.h>
#include <linux/signal.h>

#define SYS(nr, a, b, c, d, e, f) hl_sys6(__NR_##nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
#define NEVER_BLOCKED (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP) | MON_UNBLOCKED)

/* On the trapped context's mask: forwarding would change the handler's
 * mask, which its return throws away. */
static long sigprocmask(struct kucontext *uc, const long a[6])
{
	uint64_t set = 0, cur = uc->sigmask, n = cur;
	if (a[3] != 8)
		return -EINVAL;
	if (a[1] && mon_read(&set, (uint64_t)a[1], 8) != 8)
		return -EFAULT;
	if (a[1] && a[0] != SIG_BLOCK && a[0] != SIG_UNBLOCK && a[0] != SIG_SETMASK)
		return -EINVAL;
	if (a[2] && mon_write((uint64_t)a[2], &cur, 8) != 8)
		return -EFAULT;
	if (a[1])
		n = a[0] == SIG_BLOCK ? cur | set : a[0] == SIG_UNBLOCK ? cur & ~set : set;
	uc->sigmask = n & ~NEVER_BLOCKED;
	return 0;
}

/* The program's altstack is set from below the program's own %rsp, not
 * from the handler's stack (which may be that altstack: EPERM), and goes
 * into the trapped context too, which the handler's return restores.  The
 * monitor's own stack reads as none, and SS_DISABLE puts it back (SIGSYS
 * needs a stack of its own for vfork children). */
static long sigaltstack(struct kucontext *uc, const long a[6])
{
	struct mthread *t = mon_self();
	struct kstack { uint64_t sp; int32_t flags, pad; uint64_t size; } ss,
		old = {uc->stack.sp, uc->stack.flags, 0, uc->stack.size};
	uint64_t mine = t->alt + sizeof(*t), rsp = uc->mc.rsp;
	bool on = old.sp != mine && !(old.flags & SS_DISABLE) && rsp > old.sp && rsp - old.sp <= old.size;
	if (old.sp == mine)
		old = (struct kstack){0, SS_DISABLE, 0, 0};
	old.flags = (old.flags & ~SS_ONSTACK) | (on ? SS_ONSTACK : 0);
	if (a[0]) {
		if (mon_read(&ss, (uint64_t)a[0], sizeof(ss)) != sizeof(ss))
			return -EFAULT;
		if ((ss.flags & ~SS_AUTODISARM) == SS_DISABLE && !on)
			ss = (struct kstack){mine, 0, 0, MON_ALT_SIZE - sizeof(*t)};
		long r = mon_sys_on_stack(__NR_sigaltstack, (long)&ss, 0, (rsp - 1024) & ~15ull);
		if (r)
			return r;
		t->ss_lo = ss.sp, t->ss_hi = ss.sp + ss.size;
		uc->stack.sp = ss.sp, uc->stack.size = ss.size, uc->stack.flags = ss.flags & SS_AUTODISARM;
	}
	if (a[1] && mon_write((uint64_t)a[1], &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

/* kill, tkill, tgkill, rt_(tg)sigqueueinfo with every signal blocked
 * until the handler returns (its rt_sigreturn puts the program's mask
 * back): a signal the program sends itself is then delivered on the
 * program's own context and stack, as natively, not nested in the
 * monitor's frame. */
static long send_signal(long nr, const long a[6])
{
	uint64_t all = ~0ull;
	SYS(rt_sigprocmask, SIG_SETMASK, &all, 0, 8, 0, 0);
	return hl_sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* close_range around the monitor's fds. */
static long close_range(const long a[6])
{
	uint64_t lo = (uint32_t)a[0], hi = (uint32_t)a[1];
	int own[MON_NFDS];
	if (lo > hi)
		return -EINVAL;
	mon_own_fds(own);
	for (int i = 0; i < MON_NFDS; i++) /* sort: four values */
		for (int j = i + 1; j < MON_NFDS; j++)
			if (own[j] < own[i])
				own[i] ^= own[j], own[j] ^= own[i], own[i] ^= own[j];
	long r = 0;
	for (int i = 0; i < MON_NFDS && !r; i++) {
		if (own[i] < 0 || (uint64_t)own[i] < lo || (uint64_t)own[i] > hi)
			continue;
		if ((uint64_t)own[i] > lo)
			r = SYS(close_range, lo, own[i] - 1, a[2], 0, 0, 0);
		lo = (uint64_t)own[i] + 1;
	}
	return r || lo > hi ? r : SYS(close_range, lo, hi, a[2], 0, 0, 0);
}

/* rt_sigsuspend, ppoll, epoll_pwait(2): the mask argument without SIGSYS. */
static long with_mask(long nr, const long a[6], int arg)
{
	uint64_t mask;
	long b[6] = {a[0], a[1], a[2], a[3], a[4], a[5]};
	if (a[arg]) {
		if (mon_read(&mask, (uint64_t)a[arg], 8) != 8)
			return -EFAULT;
		mask &= ~MON_UNBLOCKED;
		b[arg] = (long)&mask;
	}
	return hl_sys6(nr, b[0], b[1], b[2], b[3], b[4], b[5]);
}

static long pselect(const long a[6])
{
	uint64_t data[2], mask;
	if (!a[5])
		return SYS(pselect6, a[0], a[1], a[2], a[3], a[4], 0);
	if (mon_read(data, (uint64_t)a[5], 16) != 16)
		return -EFAULT;
	if (data[0]) {
		if (mon_read(&mask, data[0], 8) != 8)
			return -EFAULT;
		mask &= ~MON_UNBLOCKED;
		data[0] = (uint64_t)&mask;
	}
	return SYS(pselect6, a[0], a[1], a[2], a[3], a[4], data);
}

static bool overlaps(uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	return (end > mon.img_start && start < mon.img_end) || mon_rw_owns(start, len);
}

/* Rewritten sites in what a memory call changes get their `syscall`
 * back first; a mapping that stays executable and read-only keeps them. */
static void release_sites(long nr, const long a[6])
{
	uint64_t len = ((uint64_t)a[1] + 4095) & ~4095ull;
	if (nr == __NR_mprotect && (a[2] & (PROT_EXEC | PROT_WRITE)) == PROT_EXEC)
		return;
	if (nr == __NR_mmap && !(a[3] & MAP_FIXED))
		return;
	if (nr == __NR_madvise)
		return; /* a page that comes back from its file is rewritten anew */
	mon_rw_release((uint64_t)a[0], (uint64_t)a[0] + len);
	if (nr == __NR_mremap && (a[3] & MREMAP_FIXED))
		mon_rw_release((uint64_t)a[4], (uint64_t)a[4] + (uint64_t)a[2]);
}

/* What would unmap or change the monitor: the errno Linux gives for a
 * range the process cannot use. */
static long guard_memory(long nr, const long a[6])
{
	uint64_t len = (uint64_t)a[1];
	switch (nr) {
	case __NR_munmap:
	case __NR_mprotect:
	case __NR_madvise:
		return overlaps((uint64_t)a[0], len) ? -EINVAL : 1;
	case __NR_mremap:
		if (overlaps((uint64_t)a[0], len) ||
		    ((a[3] & MREMAP_FIXED) && overlaps((uint64_t)a[4], (uint64_t)a[2])))
			return -EINVAL;
		return 1;
	default: /* mmap */
		if ((a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && overlaps((uint64_t)a[0], len))
			return a[3] & MAP_FIXED_NOREPLACE ? -EEXIST : -ENOMEM;
		return 1;
	}
}

/* readlink("/proc/self/exe") names the program, not the monitor. */
static long readlink_exe(long nr, const long a[6])
{
	char path[64];
	uint64_t at = nr == __NR_readlinkat;
	if (at && a[0] != -100 /* AT_FDCWD */)
		return 1;
	long n = mon_read(path, (uint64_t)a[at], sizeof(path) - 1);
	if (n <= 0)
		return 1;
	path[n] = 0;
	if (!mon_own_exe(path))
		return 1;
	size_t len = strlen(mon.exe), want = (size_t)a[at + 2];
	if ((long)want <= 0)
		return -EINVAL;
	len = len < want ? len : want;
	return mon_write((uint64_t)a[at + 1], mon.exe, len) < 0 ? -EFAULT : (long)len;
}

static bool own_fd(long fd)
{
	int own[MON_NFDS];
	mon_own_fds(own);
	for (int i = 0; i < MON_NFDS; i++)
		if (fd >= 0 && fd == own[i])
			return true;
	return false;
}

/* The monitor's own fds sit above the soft RLIMIT_NOFILE: EBADF, as any
 * fd there would give. */
static long guard_fds(long nr, const long a[6])
{
	uint8_t m = nr >= 0 && nr < CORE_NCALLS ? mon.table->call[nr].fd_args : 0;
	for (int i = 0; m; i++, m >>= 1)
		if ((m & 1) && own_fd(a[i]))
			return -EBADF;
	if ((nr == __NR_dup2 || nr == __NR_dup3) && own_fd(a[1]))
		return -EBADF;
	return 1;
}

static long thread_exit(long nr, const long a[6])
{
	if (nr == __NR_exit_group || __atomic_sub_fetch(&mon.live_threads, 1, __ATOMIC_RELAXED) == 0) {
		mon_end(a[0] & 0xff, 0);
	} else {
		__atomic_fetch_add(&mon.life_ns, (int64_t)hl_now_ns(), __ATOMIC_RELAXED);
	}
	return hl_sys6(nr, a[0], 0, 0, 0, 0, 0);
}

static long emulate_more(struct kucontext *uc, long nr, const long a[6], int *handled)
{
	switch (nr) {
	case __NR_clone: case __NR_clone3: case __NR_fork: case __NR_vfork:
		return mon_clone(uc, nr);
	case __NR_execve: case __NR_execveat:
		return mon_execve(nr, a);
	case __NR_exit: case __NR_exit_group:
		return thread_exit(nr, a);
	case __NR_prctl:
		return a[0] == PR_SET_SYSCALL_USER_DISPATCH ? -EINVAL : (*handled = 0);
	case __NR_arch_prctl:
		/* %gs holds the monitor's per-thread state. */
		return a[0] == ARCH_SET_GS ? -EPERM : (*handled = 0);
	case __NR_readlink: case __NR_readlinkat: {
		long r = readlink_exe(nr, a);
		return r == 1 ? (*handled = 0) : r;
	}
	default:
		return *handled = 0;
	}
}

long mon_emulate(struct kucontext *uc, long nr, const long a[6], int *handled)
{
	*handled = 1;
	long g = guard_fds(nr, a);
	if (g != 1)
		return g;
	switch (nr) {
	case __NR_rt_sigprocmask: return sigprocmask(uc, a);
	case __NR_rt_sigaction: return mon_sigaction(a);
	case __NR_rt_sigsuspend: return with_mask(nr, a, 0);
	case __NR_ppoll: return with_mask(nr, a, 3);
	case __NR_epoll_pwait: case __NR_epoll_pwait2: return with_mask(nr, a, 4);
	case __NR_pselect6: return pselect(a);
	case __NR_sigaltstack: return sigaltstack(uc, a);
	case __NR_close_range: return close_range(a);
	case __NR_kill: case __NR_tkill: case __NR_tgkill: case __NR_rt_sigqueueinfo: case __NR_rt_tgsigqueueinfo:
		return send_signal(nr, a);
	case __NR_munmap: case __NR_mprotect: case __NR_madvise: case __NR_mremap: case __NR_mmap:
		g = guard_memory(nr, a);
		if (g == 1)
			release_sites(nr, a);
		return g != 1 ? g : hl_sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	default:
		return emulate_more(uc, nr, a, handled);
	}
}
