/* clone, clone3, fork and vfork: SUD is not inherited, so the child runs
 * monitor code first (arch.c's trampoline, then mon_child_start) and only
 * then the program, with the registers, mask and x87/SSE state the
 * program had at its call.  A thread or a vfork child (CLONE_VM) gets a
 * stack of its own for its SIGSYS frames before its first trap, or it
 * would write over its parent's. */
#include "core/lib.h"
#include "monitor/clone.h"
#include "monitor/mon.h"
#include "monitor/rewrite.h"
#include "monitor/trap.h"

#include <asm/unistd_64.h>
#include <linux/errno.h>
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/signal.h>

#define SYS(nr, a, b, c, d, e, f) hl_sys6(__NR_##nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

struct kclone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
		set_tid_size, cgroup;
};

void mon_child_start(struct clone_blk *b)
{
	if (b->mt) {
		bool thread = !(b->flags & CLONE_VFORK);
		b->mt->guest = !(b->flags & CLONE_THREAD);
		if (thread && mon.stats)
			stats_add(&mon.stats->threads, 1);
		if (thread)
			__atomic_fetch_add(&mon.live_threads, 1, __ATOMIC_RELAXED);
		mon_thread_enter(b->mt, thread);
		return;
	}
	/* A new process: its own record, its own run time. */
	mon_arm();
	mon_rw_after_fork();
	mon.pid = (int)SYS(getpid, 0, 0, 0, 0, 0, 0);
	mon.live_threads = 1;
	mon.handled_ns = 0;
	mon.life_ns = -(int64_t)hl_now_ns();
	if (mon.run)
		mon.stats = stats_proc_new(mon.run, mon.pid, (int)SYS(getppid, 0, 0, 0, 0, 0, 0), mon.exe,
					   mon.argc, mon.argv);
}

static void fill_blk(struct clone_blk *b, struct kucontext *uc, uint64_t rsp, uint64_t flags)
{
	struct sigcontext *r = &uc->mc;
	b->rip = r->rip, b->rsp = rsp, b->rbx = r->rbx, b->rbp = r->rbp, b->rdi = r->rdi, b->rsi = r->rsi;
	b->rdx = r->rdx, b->r8 = r->r8, b->r9 = r->r9, b->r10 = r->r10, b->r12 = r->r12, b->r13 = r->r13;
	b->r14 = r->r14, b->r15 = r->r15;
	b->mask = uc->sigmask & ~MON_UNBLOCKED;
	b->flags = flags;
	b->mt = 0;
	if (r->fpstate)
		memcpy(b->fx, (const void *)r->fpstate, 512);
}

struct req {
	long nr;
	uint64_t flags, top, ptid, ctid, tls;
	struct kclone_args ca;
	uint64_t casz;
};

static long read_req(struct kucontext *uc, long nr, struct req *q)
{
	struct sigcontext *r = &uc->mc;
	memset(q, 0, sizeof(*q));
	q->nr = nr == __NR_clone3 ? nr : __NR_clone;
	if (nr == __NR_clone3) {
		q->casz = r->rsi;
		if (q->casz < 64 || q->casz > sizeof(q->ca))
			return q->casz < 64 ? -EINVAL : -E2BIG;
		if (mon_read(&q->ca, r->rdi, q->casz) != (long)q->casz)
			return -EFAULT;
		q->flags = q->ca.flags;
		q->top = q->ca.stack ? q->ca.stack + q->ca.stack_size : 0;
	} else if (nr == __NR_clone) {
		q->flags = r->rdi, q->top = r->rsi, q->ptid = r->rdx, q->ctid = r->r10, q->tls = r->r8;
	} else {
		q->flags = nr == __NR_vfork ? CLONE_VM | CLONE_VFORK | SIGCHLD : SIGCHLD;
	}
	return 0;
}

static long do_clone(struct req *q, struct clone_blk *b, uint64_t kstack)
{
	uint64_t all = ~0ull, old;
	SYS(rt_sigprocmask, SIG_SETMASK, &all, &old, 8, 0, 0);
	long ret;
	if (q->nr == __NR_clone3) {
		if (q->flags & CLONE_VM) {
			uint64_t lo = q->ca.stack ? q->ca.stack : kstack - 4096;
			q->ca.stack = lo, q->ca.stack_size = kstack - lo;
		}
		ret = mon_clone_fwd(__NR_clone3, (long)&q->ca, (long)q->casz, 0, 0, 0, b);
	} else {
		ret = mon_clone_fwd(__NR_clone, (long)q->flags, (long)kstack, (long)q->ptid, (long)q->ctid,
				    (long)q->tls, b);
	}
	SYS(rt_sigprocmask, SIG_SETMASK, &old, 0, 8, 0, 0);
	return ret;
}

long mon_clone(void *ucp, long nr)
{
	struct kucontext *uc = ucp;
	struct req q;
	long r = read_req(uc, nr, &q);
	if (r)
		return r;
	struct clone_blk local __attribute__((aligned(64))), *b = &local;
	uint64_t kstack = q.top;
	if (q.flags & CLONE_VM) {
		/* The block must outlive this frame: on the child's stack. */
		uint64_t base = q.top ? q.top : uc->mc.rsp - 128;
		b = (struct clone_blk *)((base - sizeof(*b)) & ~63ull);
		kstack = (uint64_t)b - 64;
	}
	fill_blk(b, uc, q.top ? q.top : uc->mc.rsp, q.flags);
	if (q.flags & CLONE_VM) {
		b->mt = mon_thread_new();
		if (!b->mt)
			return -ENOMEM;
	}
	long ret = do_clone(&q, b, kstack);
	if (b->mt && (ret < 0 || (q.flags & CLONE_VFORK)))
		SYS(munmap, b->mt->alt, MON_ALT_SIZE, 0, 0, 0, 0);
	return ret;
}
