/* The SIGSYS handler: every call the program makes arrives here, goes
 * through the core's decision, is forwarded, emulated, stubbed or faked,
 * and is recorded in the run's statistics. */
#include "core/agent.h"
#include "core/lib.h"
#include "monitor/mon.h"
#include "monitor/rewrite.h"
#include "monitor/trap.h"

#include <asm/unistd_64.h>
#include <linux/errno.h>
#include <linux/mman.h>
#include <linux/signal.h>

#define SYS(nr, a, b, c, d, e, f) hl_sys6(__NR_##nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
#define PATH_LEN 512

/* mon.pid is this process's (a vfork child's is its parent's, whose
 * memory it shares). */
long mon_read(void *dst, uint64_t src, uint64_t len)
{
	struct { uint64_t base, len; } l = {(uint64_t)dst, len}, r = {src, len};
	long n = SYS(process_vm_readv, mon.pid, &l, 1, &r, 1, 0);
	return n < 0 ? -EFAULT : n;
}

long mon_write(uint64_t dst, const void *src, uint64_t len)
{
	struct { uint64_t base, len; } l = {(uint64_t)src, len}, r = {dst, len};
	long n = SYS(process_vm_writev, mon.pid, &l, 1, &r, 1, 0);
	return n == (long)len ? n : -EFAULT;
}

bool mon_own_fault(int sig, struct ksiginfo *si, struct kucontext *uc)
{
	if ((sig == SIGSEGV || sig == SIGBUS) && uc->mc.rip == (uint64_t)mon_copy_load) {
		uc->mc.rip = (uint64_t)mon_copy_fault;
		return true;
	}
	return mon_rw_fault(sig, si, uc);
}

static int path_arg(long nr)
{
	return nr >= 0 && nr < CORE_NCALLS && mon.table->call[nr].known ? mon.table->call[nr].path_arg : -1;
}

/* The path argument of the call, if it has one and it can be read: with
 * process_vm_readv (which cannot fault) before the call, or after a call
 * that showed the pointer good, read directly (a fault there is resumed as
 * a failed copy, mon_own_fault), which costs no system call. */
static const char *read_path(long nr, const long a[6], char *buf, bool shown_good)
{
	int pa = path_arg(nr);
	if (pa < 0 || !a[pa])
		return 0;
	if (shown_good)
		return mon_copy_str(buf, (const char *)a[pa], PATH_LEN) >= 0 ? buf : 0;
	long n = mon_read(buf, (uint64_t)a[pa], PATH_LEN - 1);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return hl_strnlen(buf, (size_t)n) < (size_t)n ? buf : 0;
}

/* Whether a call's result shows that the kernel read its path: it
 * succeeded, or failed for a reason found by looking the path up. */
static bool path_was_read(long ret)
{
	switch (-ret) {
	case ENOENT: case ENOTDIR: case EACCES: case EEXIST: case ELOOP: case EISDIR:
	case EROFS: case ETXTBSY: case ENXIO: case ENODEV: case ENOTEMPTY: case EXDEV:
		return true;
	default:
		return ret >= 0;
	}
}

static long hypercall(const long a[6])
{
	char name[AGENT_STR_SIZE + 1], value[HL_HC_VALUE_MAX + 2];
	const char *n = 0, *v = 0;
	if (a[0] == HL_HC_MARK || a[0] == HL_HC_METRIC) {
		long k = mon_read(name, (uint64_t)a[1], sizeof(name) - 1);
		if (k <= 0)
			return -EFAULT;
		name[k] = 0, n = name;
	}
	if (a[0] == HL_HC_METRIC) {
		long k = mon_read(value, (uint64_t)a[2], sizeof(value) - 1);
		if (k <= 0)
			return -EFAULT;
		value[k] = 0, v = value;
	}
	return agent_apply(mon.run ? &mon.run->agent : 0, a[0], a[1], n, v);
}

/* --forward-delay: a busy wait on the clock, as the KVM engine's. */
static uint64_t delay(void)
{
	uint64_t want = mon.table->delay_ns, t0 = hl_now_ns(), now = t0;
	while (now - t0 < want) {
		__builtin_ia32_pause();
		now = hl_now_ns();
	}
	if (mon.stats) {
		stats_add(&mon.stats->delay_ns, now - t0);
		stats_add(&mon.stats->delays, 1);
	}
	return now - t0;
}

static long fake_value(long nr, const long a[6])
{
	uint8_t f = mon.table->call[nr].fake;
	switch (f & 0xf) {
	case 1: /* FK_FD: a new fd on empty content */
		return SYS(memfd_create, "hyperloupe-fake", 0, 0, 0, 0, 0);
	case 2: /* FK_ARG */
		return a[f >> 4];
	case 4: /* FK_PID */
		return nr == __NR_getppid ? SYS(getppid, 0, 0, 0, 0, 0, 0)
		       : nr == __NR_gettid ? SYS(gettid, 0, 0, 0, 0, 0, 0) : SYS(getpid, 0, 0, 0, 0, 0, 0);
	default: /* FK_IOVLEN, FK_FDPAIR: as 0, as Loupe's fake */
		return 0;
	}
}

static long run_call(struct kucontext *uc, long nr, const long a[6])
{
	int handled = 0;
	long r = mon_emulate(uc, nr, a, &handled);
	if (handled)
		return r;
	/* A handler of the program that interrupts the call sees uc. */
	struct mthread *t = mon_self();
	void *outer = t->in_call;
	t->in_call = uc;
	r = mon_fwd6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	t->in_call = outer;
	return r;
}

static void record(long nr, const long a[6], long ret, uint64_t ns, int outcome, const char *path)
{
	if (!mon.stats || !agent_recording(&mon.run->agent))
		return;
	struct call_rec c = {.nr = nr, .ret = ret, .args = a, .ns = ns, .outcome = outcome, .path = path,
			     .pid = mon.pid, .calls = mon.table};
	stats_record_call(mon.stats, &c);
}

/* The decision for the call, or forward when the policy is not for this
 * image (--only) or the number is not a Linux call. */
static struct core_decision decide(long nr, const long a[6], const char *path)
{
	char alias[STATS_PATH_MAX];
	if (!mon.policy_on || nr < 0 || nr >= CORE_NCALLS || !mon.table->call[nr].known)
		return (struct core_decision){CA_FORWARD, 0};
	bool pseudo = path && stats_pseudo_file(path, mon.pid, alias, sizeof(alias)) && strcmp(alias, path);
	return core_decide(mon.table, nr, a, path, pseudo ? alias : 0);
}

/* Forwarded or local: run it, with the delay on both sides of a forwarded
 * one.  exit, exit_group and a successful execve never come back: they
 * are counted before they run, with the delay of their way back, as the
 * KVM engine counts them. */
static long run_forwarded(struct kucontext *uc, long nr, const long a[6], int action, const char *path,
			  bool noreturn, uint64_t t0, uint64_t *waited)
{
	bool delayed = action == CA_FORWARD && mon.table->delay_ns && mon.policy_on;
	*waited = delayed ? delay() : 0;
	if (noreturn) {
		*waited += delayed ? delay() : 0;
		record(nr, a, 0, hl_now_ns() - t0 - *waited, action, path);
	}
	long ret = run_call(uc, nr, a);
	*waited += delayed && !noreturn ? delay() : 0;
	return ret;
}

/* The path is read before the call when the decision needs it or the
 * call may not come back, else after it (see read_path), for the record. */
static long handle(struct kucontext *uc, long nr, const long a[6])
{
	char buf[PATH_LEN];
	uint64_t t0 = hl_now_ns(), waited = 0;
	bool noreturn = nr >= 0 && nr < CORE_NCALLS && (mon.table->call[nr].flags & 2 /* SCF_NORETURN */);
	const char *path = core_wants_path(mon.table, nr) || noreturn ? read_path(nr, a, buf, false) : 0;
	struct core_decision d = decide(nr, a, path);
	long ret;
	if (d.action == CA_STUB)
		ret = -d.err;
	else if (d.action == CA_FAKE)
		ret = fake_value(nr, a);
	else
		ret = run_forwarded(uc, nr, a, d.action, path, noreturn, t0, &waited);
	uint64_t t1 = hl_now_ns();
	bool ran = d.action != CA_STUB && d.action != CA_FAKE;
	if (!path && mon.stats && path_arg(nr) >= 0)
		path = read_path(nr, a, buf, ran && path_was_read(ret));
	if (!noreturn || !ran)
		record(nr, a, ret, t1 - t0 - waited, d.action, path);
	else if (mon.stats && ret < 0 && ret > -4096) /* a failed execve */
		stats_add(&mon.stats->sc[nr].errors, 1);
	__atomic_fetch_add(&mon.handled_ns, t1 - t0, __ATOMIC_RELAXED);
	return ret;
}

/* A SIGSYS the program was sent (kill, its own seccomp filter): its own
 * disposition, which the monitor keeps for it. */
static void program_sigsys(struct ksiginfo *si, struct kucontext *uc)
{
	uint64_t h = mon.sys_act[0];
	if (h == 1 /* SIG_IGN */)
		return;
	if (h > 1) {
		((void (*)(int, struct ksiginfo *, struct kucontext *))h)(SIGSYS, si, uc);
		return;
	}
	uint64_t dfl[4] = {0, 0, 0, 0};
	SYS(rt_sigaction, SIGSYS, dfl, 0, 8, 0, 0);
	SYS(tgkill, SYS(getpid, 0, 0, 0, 0, 0, 0), SYS(gettid, 0, 0, 0, 0, 0, 0), SIGSYS, 0, 0, 0);
}

void mon_dispatch(struct kucontext *uc)
{
	struct sigcontext *r = &uc->mc;
	long nr = (int)r->rax;
	const long a[6] = {(long)r->rdi, (long)r->rsi, (long)r->rdx, (long)r->r10, (long)r->r8, (long)r->r9};
	long ret = (int)nr == HL_HYPERCALL_NR ? hypercall(a) : handle(uc, nr, a);
	struct mthread *t = mon_self();
	if (t->moved) /* a handler put the program elsewhere (signal.c) */
		t->moved = 0;
	else
		r->rax = (uint64_t)ret;
}

/* A trapped call: its site is rewritten for next time (a bounced call's
 * already is), then the call is made. */
static void on_sigsys(int sig, struct ksiginfo *si, struct kucontext *uc)
{
	(void)sig;
	if (si->code != SYS_USER_DISPATCH) {
		program_sigsys(si, uc);
		return;
	}
	if (!mon_rw_bounced(uc))
		mon_rw_trapped(uc);
	if (mon.stats) {
		stats_add(&mon.stats->syscall_exits, 1);
		stats_add(&mon.stats->trampoline_exits, 1);
	}
	if ((int)uc->mc.rax == __NR_rt_sigreturn) {
		/* It does not return: counted as made, at no host time. */
		const long none[6] = {0};
		record(__NR_rt_sigreturn, none, 0, 0, CA_FORWARD, 0);
		mon_sigreturn_at(uc->mc.rsp);
	}
	mon_dispatch(uc);
}

void mon_install_handler(void)
{
	/* SA_NODEFER and an empty mask: a signal the program expects while
	 * the monitor forwards a blocking call must reach it (pause()). */
	uint64_t act[4] = {(uint64_t)on_sigsys, SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTORER,
			   (uint64_t)mon_restorer, 0};
	long r = SYS(rt_sigaction, SIGSYS, act, 0, 8, 0, 0);
	if (r)
		mon_fatal("cannot install the SIGSYS handler", r);
}

/* This image ends: its record gets the run time of its threads. */
void mon_finish(int status, int sig)
{
	if (!mon.stats)
		return;
	int64_t life = mon.life_ns + (int64_t)hl_now_ns() * (int64_t)mon.live_threads;
	uint64_t handled = mon.handled_ns;
	mon.stats->kvm_run_ns = life > (int64_t)handled ? (uint64_t)life - handled : 0;
	struct { uint64_t utime[2], stime[2]; long maxrss, rest[13]; } ru;
	SYS(getrusage, 0 /* RUSAGE_SELF */, &ru, 0, 0, 0, 0);
	stats_proc_close(mon.stats, status < 0 ? STATS_EXECED : STATS_EXITED, status < 0 ? 0 : status, sig,
			 (uint64_t)ru.maxrss);
}
