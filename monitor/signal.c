/* The program's signal actions.  The kernel holds the monitor's: SIGSYS
 * is the monitor's own (the program's is kept here), SIG_DFL of a signal
 * that ends the process is report.c's handler, and a handler of the
 * program is entered through on_signal.  The program reads back what it
 * set.
 *
 * on_signal exists for signals that arrive while the monitor forwards a
 * call (a blocking read, pause): natively the handler interrupts the call
 * in the program's context, and what it sees there matters (musl's thread
 * cancellation redirects the program counter of a thread blocked at a
 * cancellation point; profilers sample it).  So the handler is given the
 * program's trapped context, as the kernel would show it (at the
 * `syscall` again for an SA_RESTART handler, after it with EINTR
 * otherwise); if the handler moves it, the forwarded call is abandoned
 * and the program resumes where the handler put it. */
#include "core/lib.h"
#include "monitor/mon.h"
#include "monitor/trap.h"

#include <asm/unistd_64.h>
#include <linux/errno.h>
#include <linux/signal.h>

#define SYS(nr, a, b, c, d, e, f) hl_sys6(__NR_##nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

struct kact {
	uint64_t handler, flags, restorer, mask;
};
static struct kact view[65];  /* what the program set */
static long install(long sig, const struct kact *a);
static uint64_t view_valid;   /* bit sig-1: view[sig] is the program's */

struct mthread *mon_self(void)
{
	struct mthread *t;
	__asm__("mov %%gs:0, %0" : "=r"(t));
	return t;
}

/* The program's context as the kernel would show it to a handler that
 * interrupted its call: at the `syscall` again under SA_RESTART, else
 * after it with EINTR.  NULL when sig did not interrupt a forwarded call. */
static struct kucontext *present(struct mthread *t, const struct kucontext *nested, const struct kact *a)
{
	uint64_t at = (uint64_t)mon_fwd_syscall, rip = nested->mc.rip;
	if (!t || !t->in_call || (rip != at && rip != at + 2))
		return 0;
	struct kucontext *uc = t->in_call;
	if (uc->flags == MON_UC_FAST) {
		/* A rewritten call's context has what the kernel keeps aside
		 * from the registers: the program's mask, signal stack and
		 * x87/SSE state are the ones the signal interrupted (the
		 * monitor's rewritten path leaves them alone). */
		uc->link = 0;
		uc->sigmask = nested->sigmask;
		uc->stack.sp = nested->stack.sp, uc->stack.flags = nested->stack.flags;
		uc->stack.size = nested->stack.size;
		uc->mc.fpstate = nested->mc.fpstate;
		uc->mc.cs = uc->mc.gs = uc->mc.fs = uc->mc.ss = 0;
		uc->mc.err = uc->mc.trapno = uc->mc.oldmask = uc->mc.cr2 = 0;
	}
	if (t->as_is)
		return uc;
	if (a->flags & SA_RESTART)
		uc->mc.rip -= 2;
	else
		uc->mc.rax = (uint64_t)-EINTR;
	return uc;
}

/* After the handler: the program's context as the monitor keeps it, or,
 * when the handler moved it, the forwarded call abandoned (trap.c then
 * leaves the context as the handler made it). */
static void settle(struct mthread *t, struct kucontext *nested, struct kucontext *uc, const uint64_t saved[3],
		   uint64_t shown_rip)
{
	if (uc->mc.rip == shown_rip && uc->mc.rsp == saved[2]) {
		uc->mc.rip = saved[0], uc->mc.rax = saved[1];
		return;
	}
	t->moved = 1;
	nested->mc.rax = (uint64_t)-EINTR;
	if (nested->mc.rip == (uint64_t)mon_fwd_syscall)
		nested->mc.rip += 2; /* the kernel would restart it: not now */
}

/* SIGTRAP, SIGSEGV and SIGBUS the program ignores still reach the
 * monitor (its own faults, rewrite.c's): a fault the program caused ends
 * it, as the kernel's forced default does; one it was sent stays ignored. */
static void unignore(int sig)
{
	view[sig] = (struct kact){0, 0, 0, 0};
	install(sig, &view[sig]);
}

static bool ignored(int sig, const struct ksiginfo *si)
{
	if (view[sig].handler != 1 /* SIG_IGN */)
		return false;
	if (si->code > 0)
		unignore(sig);
	return true;
}

static void on_signal(int sig, struct ksiginfo *si, struct kucontext *nested)
{
	struct mthread *t = mon_self();
	if (mon_own_fault(sig, si, nested) || ignored(sig, si))
		return;
	struct kact a = view[sig];
	struct kucontext *prog = t && t->in_call ? t->in_call : 0;
	uint64_t saved[3] = {prog ? prog->mc.rip : 0, prog ? prog->mc.rax : 0, prog ? prog->mc.rsp : 0};
	struct kucontext *uc = present(t, nested, &a);
	uint64_t shown_rip = uc ? uc->mc.rip : 0;
	if (a.flags & SA_RESETHAND)
		view[sig] = (struct kact){0, 0, 0, 0};
	if (a.flags & SA_SIGINFO)
		((void (*)(int, struct ksiginfo *, struct kucontext *))a.handler)(sig, si, uc ? uc : nested);
	else
		((void (*)(int))a.handler)(sig);
	if (uc)
		settle(t, nested, uc, saved, shown_rip);
}

static long write_old(long sig, uint64_t oldp)
{
	struct kact old;
	if (!oldp)
		return 0;
	if (view_valid & SIGBIT(sig))
		old = view[sig];
	else if (mon_default_virtual(sig))
		old = (struct kact){0, 0, 0, 0};
	else if (SYS(rt_sigaction, sig, 0, &old, 8, 0, 0))
		return -EINVAL;
	return mon_write(oldp, &old, sizeof(old)) < 0 ? -EFAULT : 0;
}

/* What the kernel holds for the program's action a. */
static long install(long sig, const struct kact *a)
{
	struct kact k = *a;
	k.mask &= ~MON_UNBLOCKED;
	if (a->handler == 0 && mon_fatal_by_default(sig))
		return mon_set_default((int)sig);
	/* SIG_IGN is 1; the faults the monitor resumes itself are kept */
	if (a->handler > 1 || (a->handler == 1 && (sig == SIGTRAP || sig == SIGSEGV || sig == SIGBUS)))
		k.handler = (uint64_t)on_signal, k.flags |= SA_SIGINFO;
	long r = SYS(rt_sigaction, sig, &k, 0, 8, 0, 0);
	if (!r)
		mon_default_gone((int)sig);
	return r;
}

long mon_sigaction(const long a[6])
{
	struct kact act;
	long sig = a[0];
	if (a[3] != 8 || sig < 1 || sig > 64)
		return -EINVAL;
	if (a[1] && mon_read(&act, (uint64_t)a[1], sizeof(act)) != sizeof(act))
		return -EFAULT;
	if (sig == SIGSYS) {
		if (a[2] && mon_write((uint64_t)a[2], mon.sys_act, sizeof(act)) < 0)
			return -EFAULT;
		if (a[1])
			memcpy(mon.sys_act, &act, sizeof(act));
		return 0;
	}
	long r = write_old(sig, (uint64_t)a[2]);
	if (r || !a[1])
		return r;
	r = install(sig, &act);
	if (!r)
		view[sig] = act, view_valid |= SIGBIT(sig);
	return r;
}

void mon_force_signal(struct kucontext *uc, int sig, int code, uint64_t addr)
{
	struct mthread *t = mon_self();
	uint64_t bit = SIGBIT(sig);
	if (view[sig].handler == 1)
		unignore(sig);
	SYS(rt_sigprocmask, SIG_UNBLOCK, &bit, 0, 8, 0, 0);
	struct ksiginfo si = {.signo = sig, .code = code, .call_addr = addr};
	void *outer = t->in_call;
	t->in_call = uc, t->as_is = 1;
	mon_fwd6(__NR_rt_tgsigqueueinfo, SYS(getpid, 0, 0, 0, 0, 0, 0), SYS(gettid, 0, 0, 0, 0, 0, 0), sig, (long)&si,
		 0, 0);
	t->in_call = outer, t->as_is = 0;
}
