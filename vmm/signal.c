#include "vmm/signal.h"
#include "vmm/proc.h"
#include "vmm/util.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1u << 31)
#endif
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
/* Faults of the VMM itself must never be blocked on the host; the guest's
 * own faults arrive as exits, not host signals. */
#define HOST_SYNC (SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | SIGBIT(SIGFPE) | \
		   SIGBIT(SIGTRAP) | SIGBIT(SIGSYS))
#define DEFAULT_IGNORE (SIGBIT(SIGCHLD) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH) | SIGBIT(SIGCONT))
#define DEFAULT_STOP (SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU) | SIGBIT(SIGSTOP))
/* What rt_sigreturn takes from the frame's flags (Linux FIX_EFLAGS). */
#define FIX_EFLAGS 0x50dd5ull
#define UC_FP_XSTATE 1
#define UC_SIGCONTEXT_SS 2
#define UC_STRICT_RESTORE_SS 4
#define HL_XSTATE_MAGIC1 0x46505853u
#define HL_XSTATE_MAGIC2 0x46505845u
#define REDZONE 128

/* ---- the Linux x86-64 signal frame (arch/x86/include/uapi/asm) ---- */

struct k_stack {
	uint64_t sp;
	int32_t flags, pad;
	uint64_t size;
};

struct k_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2, fpstate;
	uint64_t reserved[8];
};

struct k_ucontext {
	uint64_t flags, link;
	struct k_stack stack;
	struct k_sigcontext mc;
	uint64_t sigmask;
};

struct k_rt_sigframe {
	uint64_t pretcode;
	struct k_ucontext uc;
	siginfo_t info;
};

_Static_assert(sizeof(struct k_sigcontext) == 256, "sigcontext layout");
_Static_assert(sizeof(struct k_rt_sigframe) == 440, "rt_sigframe layout");

/* ---- host side ---- */

static __thread struct thread *self;

struct thread *sig_self(void)
{
	return self;
}

/* Host rt_sigaction needs a restorer of our own: glibc's sigaction()
 * refuses the two signals it reserves, which guests use too. */
void hl_host_restorer(void);
__asm__(".text\n.globl hl_host_restorer\nhl_host_restorer:\n\tmov $15, %eax\n\tsyscall\n\thlt\n");

void sig_host_restore(uint64_t mask)
{
	host_syscall6(SYS_rt_sigprocmask, SIG_SETMASK, (long)&mask, 0, 8, 0, 0);
}

static void host_mask(uint64_t mask)
{
	mask &= ~HOST_SYNC;
	host_syscall6(SYS_rt_sigprocmask, SIG_SETMASK, (long)&mask, 0, 8, 0, 0);
}

uint64_t sig_host_block_all(void)
{
	uint64_t all = ~0ull, old = 0;
	host_syscall6(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&old, 8, 0, 0);
	return old;
}

/* SIGCHLD's flags change what the host does for the children: no signal
 * on stop, no zombies. */
#define CHLD_FLAGS (SA_NOCLDSTOP | SA_NOCLDWAIT)

static void host_set_action(int sig, uint64_t handler, uint64_t guest_flags)
{
	struct k_sigaction ka = {handler, SA_RESTORER | (sig == SIGCHLD ? guest_flags & CHLD_FLAGS : 0),
				 (uint64_t)hl_host_restorer, 0};
	if (handler != (uint64_t)SIG_DFL && handler != (uint64_t)SIG_IGN) {
		/* No SA_RESTART: a blocking call must come back to the VMM so
		 * the guest's handler runs; the VMM restarts it if the guest
		 * asked for SA_RESTART. */
		ka.flags |= SA_SIGINFO;
		ka.mask = ~0ull;
	}
	host_syscall6(SYS_rt_sigaction, sig, (long)&ka, 0, 8, 0, 0);
}

static void on_host_signal(int sig, siginfo_t *si, void *uc)
{
	struct thread *t = self;
	(void)uc;
	if (si->si_code > 0 && (SIGBIT(sig) & HOST_SYNC)) {
		/* A fault of the VMM's own: die of it where it happened. */
		host_set_action(sig, (uint64_t)SIG_DFL, 0);
		return;
	}
	if (!t)
		return;
	/* The host already merged standard signals (per thread and per
	 * process, as Linux does): every catch is one delivery. */
	if (t->npending < HL_MAX_PENDING)
		t->pending[t->npending++].info = *si;
	if (t->cpu.run)
		t->cpu.run->immediate_exit = 1;
}

/* What the host does with sig while the guest's disposition is act. */
static void mirror(int sig, const struct k_sigaction *act)
{
	if (sig == SIGKILL || sig == SIGSTOP)
		return;
	if (act->handler == (uint64_t)SIG_IGN)
		host_set_action(sig, (uint64_t)SIG_IGN, act->flags);
	else if (act->handler == (uint64_t)SIG_DFL && (SIGBIT(sig) & (DEFAULT_IGNORE | DEFAULT_STOP)))
		host_set_action(sig, (uint64_t)SIG_DFL, act->flags);
	else
		host_set_action(sig, (uint64_t)on_host_signal, act->flags);
}

void sig_init_process(struct proc *p)
{
	for (int sig = 1; sig <= HL_NSIG; sig++) {
		struct k_sigaction old = {0, 0, 0, 0};
		host_syscall6(SYS_rt_sigaction, sig, 0, (long)&old, 8, 0, 0);
		memset(&p->sigact[sig], 0, sizeof(p->sigact[sig]));
		if (old.handler == (uint64_t)SIG_IGN)
			p->sigact[sig].handler = (uint64_t)SIG_IGN;
		mirror(sig, &p->sigact[sig]);
	}
}

void sig_thread_start(struct thread *t)
{
	self = t;
	host_mask(t->sigmask);
}

void sig_thread_end(void)
{
	sig_host_block_all();
	self = NULL;
}

void sig_set_mask(struct thread *t, uint64_t mask)
{
	t->sigmask = mask & ~UNBLOCKABLE;
	host_mask(t->sigmask);
}

/* ---- building the frame ---- */

static bool on_altstack(const struct thread *t, uint64_t sp)
{
	return t->altstack.size && sp > t->altstack.sp && sp - t->altstack.sp <= t->altstack.size;
}

static int altstack_flags(const struct thread *t, uint64_t sp)
{
	if (!t->altstack.size)
		return SS_DISABLE;
	return (on_altstack(t, sp) ? SS_ONSTACK : 0) | t->altstack.flags;
}

static void save_regs(struct k_sigcontext *mc, const struct kvm_regs *r)
{
	mc->r8 = r->r8, mc->r9 = r->r9, mc->r10 = r->r10, mc->r11 = r->r11;
	mc->r12 = r->r12, mc->r13 = r->r13, mc->r14 = r->r14, mc->r15 = r->r15;
	mc->rdi = r->rdi, mc->rsi = r->rsi, mc->rbp = r->rbp, mc->rbx = r->rbx;
	mc->rdx = r->rdx, mc->rax = r->rax, mc->rcx = r->rcx, mc->rsp = r->rsp;
	mc->rip = r->rip, mc->eflags = r->rflags;
	mc->cs = SEL_USER_CS, mc->ss = SEL_USER_DS;
}

/* The FPU state at fpstate, as Linux writes it: the XSAVE image, the
 * software bytes in the FXSAVE area's reserved tail, and magic2 after it. */
static long save_fpstate(struct thread *t, uint64_t fpstate)
{
	struct vm *vm = &t->proc->vm;
	uint8_t *buf = calloc(1, vm->xstate_size + 4);
	if (!buf)
		return -ENOMEM;
	long r = vm_get_xstate(vm, &t->cpu, buf);
	uint32_t sw[12] = {HL_XSTATE_MAGIC1, vm->xstate_size + 4, (uint32_t)vm->xcr0,
			   (uint32_t)(vm->xcr0 >> 32), vm->xstate_size};
	uint32_t magic2 = HL_XSTATE_MAGIC2;
	memcpy(buf + 464, sw, sizeof(sw));
	memcpy(buf + vm->xstate_size, &magic2, 4);
	if (!r)
		r = guest_put(t->proc, fpstate, buf, vm->xstate_size + 4);
	free(buf);
	return r;
}

/* A handler starts with the FPU in its initial state, as on Linux. */
static void init_fpstate(struct thread *t)
{
	uint8_t *buf = calloc(1, t->proc->vm.xstate_size);
	if (!buf)
		return;
	uint16_t fcw = 0x37f;
	uint32_t mxcsr = 0x1f80;
	memcpy(buf, &fcw, 2);
	memcpy(buf + 24, &mxcsr, 4);
	vm_set_xstate(&t->proc->vm, &t->cpu, buf);
	free(buf);
}

/* Where the frame goes (Linux get_sigframe): below the red zone, or at
 * the top of the alternate stack; the FPU state 64-byte aligned above the
 * frame; the frame so that the handler sees %rsp + 8 16-byte aligned. */
static uint64_t frame_address(struct thread *t, const struct k_sigaction *ka, uint64_t sp, uint64_t *fpstate)
{
	bool to_alt = false;
	sp -= REDZONE;
	if ((ka->flags & SA_ONSTACK) && altstack_flags(t, sp) == 0) {
		sp = t->altstack.sp + t->altstack.size;
		to_alt = true;
	}
	sp = (sp - (t->proc->vm.xstate_size + 4)) & ~63ull;
	*fpstate = sp;
	sp = ((sp - sizeof(struct k_rt_sigframe)) & ~15ull) - 8;
	if ((to_alt || on_altstack(t, sp + REDZONE)) && !on_altstack(t, sp))
		return 0; /* overflows the alternate stack */
	return sp;
}

static long write_frame(struct thread *t, const struct k_sigaction *ka, const siginfo_t *si,
			uint64_t frame, uint64_t fpstate, uint64_t saved_mask)
{
	const struct kvm_regs *r = &t->cpu.run->s.regs.regs;
	struct k_rt_sigframe f;
	memset(&f, 0, sizeof(f));
	f.pretcode = ka->restorer;
	f.uc.flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f.uc.stack.sp = t->altstack.sp;
	f.uc.stack.size = t->altstack.size;
	f.uc.stack.flags = altstack_flags(t, r->rsp);
	save_regs(&f.uc.mc, r);
	f.uc.mc.fpstate = fpstate;
	f.uc.mc.oldmask = saved_mask;
	f.uc.mc.cr2 = t->fault_addr;
	f.uc.mc.trapno = t->fault_trapno;
	f.uc.mc.err = t->fault_err;
	f.uc.sigmask = saved_mask;
	f.info = *si;
	return save_fpstate(t, fpstate) ?: guest_put(t->proc, frame, &f, sizeof(f));
}

/* Enter the guest handler for si with the frame at its stack top.  False
 * when the frame cannot be written (Linux then kills with SIGSEGV). */
static bool setup_frame(struct thread *t, const struct k_sigaction *ka, const siginfo_t *si)
{
	struct kvm_run *run = t->cpu.run;
	struct kvm_regs *r = &run->s.regs.regs;
	uint64_t fpstate, frame = frame_address(t, ka, r->rsp, &fpstate);
	uint64_t saved = t->restore_mask ? t->saved_mask : t->sigmask;
	if (!frame || !(ka->flags & SA_RESTORER) || write_frame(t, ka, si, frame, fpstate, saved))
		return false;
	init_fpstate(t);
	if (t->altstack.flags & SS_AUTODISARM && on_altstack(t, frame))
		t->altstack.sp = t->altstack.size = 0;
	r->rdi = (uint64_t)si->si_signo;
	r->rsi = frame + offsetof(struct k_rt_sigframe, info);
	r->rdx = frame + offsetof(struct k_rt_sigframe, uc);
	r->rax = 0;
	r->rsp = frame;
	run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	/* DF, TF and RF cleared, as Linux enters a handler. */
	vm_return_to_user(run, ka->handler, r->rflags & ~(0x400ull | 0x100ull | 0x10000ull));
	uint64_t block = ka->mask | (ka->flags & SA_NODEFER ? 0 : SIGBIT(si->si_signo));
	t->restore_mask = false;
	sig_set_mask(t, t->sigmask | block);
	if (ka->flags & SA_RESETHAND)
		t->proc->sigact[si->si_signo].handler = (uint64_t)SIG_DFL;
	return true;
}

/* ---- delivery ---- */

/* An interrupted call is re-executed after the handler when the handler
 * has SA_RESTART and the call is one Linux restarts (signal(7)); only the
 * first signal delivered after the call decides. */
static void maybe_restart(struct thread *t, const struct k_sigaction *ka)
{
	if (!t->interrupted)
		return;
	t->interrupted = false;
	const struct syscall_info *si = sc_lookup(t->last_nr);
	if (!(ka->flags & SA_RESTART) || (si && (si->flags & SCF_NORESTART)))
		return;
	struct kvm_regs *r = &t->cpu.run->s.regs.regs;
	r->rax = (uint64_t)t->last_nr;
	r->rip -= 2; /* `syscall` and its rewritten `out` are both 2 bytes */
	t->cpu.run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
}

static void default_action(struct thread *t, int sig)
{
	if (SIGBIT(sig) & DEFAULT_IGNORE)
		return;
	if (SIGBIT(sig) & DEFAULT_STOP) {
		host_syscall6(SYS_kill, getpid(), SIGSTOP, 0, 0, 0, 0);
		return;
	}
	proc_finish(t->proc, 0, sig);
}

/* Index of the first queued signal the guest does not block, or -1. */
static int next_deliverable(const struct thread *t)
{
	for (int i = 0; i < t->npending; i++)
		if (!(t->sigmask & SIGBIT(t->pending[i].info.si_signo)))
			return i;
	return -1;
}

static void deliver_one(struct thread *t, const siginfo_t *si)
{
	struct proc *p = t->proc;
	int sig = si->si_signo;
	struct k_sigaction ka = p->sigact[sig];
	if (ka.handler == (uint64_t)SIG_IGN)
		return;
	if (ka.handler == (uint64_t)SIG_DFL) {
		default_action(t, sig);
		return;
	}
	maybe_restart(t, &ka);
	if (!setup_frame(t, &ka, si))
		proc_finish(p, 0, SIGSEGV);
	if (ka.flags & SA_RESETHAND)
		mirror(sig, &p->sigact[sig]);
}

void sig_deliver(struct thread *t)
{
	sig_host_block_all(); /* the queue is ours; the guest's mask comes back below */
	int i;
	while ((i = next_deliverable(t)) >= 0) {
		siginfo_t si = t->pending[i].info;
		memmove(&t->pending[i], &t->pending[i + 1], (size_t)(t->npending - i - 1) * sizeof(t->pending[0]));
		t->npending--;
		deliver_one(t, &si);
	}
	t->interrupted = false;
	if (t->restore_mask) {
		t->restore_mask = false;
		t->sigmask = t->saved_mask;
	}
	host_mask(t->sigmask);
}

/* ---- synchronous signals ---- */

static bool force(struct thread *t, siginfo_t *si)
{
	struct proc *p = t->proc;
	int sig = si->si_signo;
	struct k_sigaction ka = p->sigact[sig];
	/* Linux's force_sig: a blocked or ignored fault is fatal. */
	if (ka.handler == (uint64_t)SIG_DFL || ka.handler == (uint64_t)SIG_IGN ||
	    (t->sigmask & SIGBIT(sig)) || !setup_frame(t, &ka, si)) {
		p->term_signal = sig;
		return false;
	}
	if (ka.flags & SA_RESETHAND)
		mirror(sig, &p->sigact[sig]);
	return true;
}

bool sig_force(struct thread *t, int sig, int code, uint64_t addr)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_addr = (void *)addr;
	t->fault_addr = addr;
	return force(t, &si);
}

/* Which unmasked SIMD exception fired, from MXCSR, as Linux decodes it. */
static int simd_fpe_code(struct thread *t)
{
	uint8_t *buf = calloc(1, t->proc->vm.xstate_size);
	uint32_t mxcsr = 0;
	if (buf && !vm_get_xstate(&t->proc->vm, &t->cpu, buf))
		memcpy(&mxcsr, buf + 24, 4);
	free(buf);
	uint32_t e = mxcsr & ~(mxcsr >> 7) & 0x3f;
	if (e & 0x01)
		return FPE_FLTINV;
	if (e & 0x04)
		return FPE_FLTDIV;
	if (e & 0x08)
		return FPE_FLTOVF;
	if (e & 0x12)
		return FPE_FLTUND;
	return e & 0x20 ? FPE_FLTRES : 0;
}

static void exception_info(struct thread *t, int vector, uint64_t err, uint64_t rip, siginfo_t *si)
{
	uint64_t cr2 = t->cpu.run->s.regs.sregs.cr2;
	si->si_code = SI_KERNEL;
	switch (vector) {
	case 14: /* #PF: a mapping that forbids the access, or none */
		si->si_signo = SIGSEGV;
		si->si_code = gm_find(&t->proc->vm.mem, cr2) ? SEGV_ACCERR : SEGV_MAPERR;
		si->si_addr = (void *)cr2;
		t->fault_addr = cr2;
		break;
	case 0:
		si->si_signo = SIGFPE, si->si_code = FPE_INTDIV, si->si_addr = (void *)rip;
		break;
	case 16: case 19:
		si->si_signo = SIGFPE, si->si_code = simd_fpe_code(t), si->si_addr = (void *)rip;
		break;
	case 6:
		si->si_signo = SIGILL, si->si_code = ILL_ILLOPN, si->si_addr = (void *)rip;
		break;
	case 17:
		si->si_signo = SIGBUS, si->si_code = BUS_ADRALN, si->si_addr = (void *)rip;
		break;
	default:
		si->si_signo = vcpu_exception_signal(vector);
	}
	(void)err;
}

bool sig_exception(struct thread *t, int vector, uint64_t err, uint64_t rip, uint64_t rsp, uint64_t rflags)
{
	struct kvm_regs *r = &t->cpu.run->s.regs.regs;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	t->fault_addr = 0;
	exception_info(t, vector, err, rip, &si);
	t->fault_trapno = (uint64_t)vector;
	t->fault_err = err;
	/* The interrupted user context: what the CPU pushed, plus the
	 * registers, which the IDT stub did not touch. */
	r->rip = rip;
	r->rsp = rsp;
	r->rflags = rflags;
	t->cpu.run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	bool ok = force(t, &si);
	t->fault_addr = t->fault_trapno = t->fault_err = 0;
	return ok;
}

/* ---- rt_sigreturn ---- */

static void restore_regs(struct kvm_regs *r, const struct k_sigcontext *mc)
{
	r->r8 = mc->r8, r->r9 = mc->r9, r->r10 = mc->r10, r->r11 = mc->r11;
	r->r12 = mc->r12, r->r13 = mc->r13, r->r14 = mc->r14, r->r15 = mc->r15;
	r->rdi = mc->rdi, r->rsi = mc->rsi, r->rbp = mc->rbp, r->rbx = mc->rbx;
	r->rdx = mc->rdx, r->rax = mc->rax, r->rcx = mc->rcx, r->rsp = mc->rsp;
	r->rip = mc->rip;
	r->rflags = (r->rflags & ~FIX_EFLAGS) | (mc->eflags & FIX_EFLAGS) | RFLAGS_FIXED | RFLAGS_IF;
}

/* No fpstate pointer means "initial state"; a corrupt one is fatal, as
 * on Linux. */
static long restore_fpstate(struct thread *t, uint64_t fpstate)
{
	struct vm *vm = &t->proc->vm;
	if (!fpstate) {
		init_fpstate(t);
		return 0;
	}
	uint8_t *buf = calloc(1, vm->xstate_size);
	if (!buf)
		return -ENOMEM;
	long r = guest_get(t->proc, fpstate, buf, vm->xstate_size);
	uint32_t magic1;
	memcpy(&magic1, buf + 464, 4);
	if (!r && magic1 != HL_XSTATE_MAGIC1) {
		/* FXSAVE layout only: x87 and SSE state, the rest initial. */
		memset(buf + 512, 0, vm->xstate_size - 512);
		buf[512] = 3;
	}
	if (!r)
		r = vm_set_xstate(vm, &t->cpu, buf);
	free(buf);
	return r;
}

static void restore_altstack(struct thread *t, const struct k_stack *s)
{
	if (on_altstack(t, t->cpu.run->s.regs.regs.rsp))
		return;
	if (s->flags & SS_DISABLE) {
		t->altstack.sp = t->altstack.size = 0;
	} else if (s->size >= 2048) {
		t->altstack.sp = s->sp;
		t->altstack.size = s->size;
		t->altstack.flags = s->flags & (int)SS_AUTODISARM;
	}
}

long sig_rt_sigreturn(struct thread *t, const long a[6])
{
	struct kvm_regs *r = &t->cpu.run->s.regs.regs;
	struct k_ucontext uc;
	(void)a;
	/* The handler's `ret` popped pretcode: the frame is 8 bytes below. */
	uint64_t frame = r->rsp - 8;
	if (guest_get(t->proc, frame + offsetof(struct k_rt_sigframe, uc), &uc, sizeof(uc)) ||
	    restore_fpstate(t, uc.mc.fpstate)) {
		t->proc->term_signal = SIGSEGV;
		return 0;
	}
	restore_regs(r, &uc.mc);
	t->cpu.run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	restore_altstack(t, &uc.stack);
	sig_set_mask(t, uc.sigmask);
	t->regs_replaced = true;
	return (long)uc.mc.rax;
}

/* ---- the calls ---- */

long sig_rt_sigaction(struct thread *t, const long a[6])
{
	struct proc *p = t->proc;
	int sig = (int)a[0];
	struct k_sigaction act;
	if (a[3] != 8 || sig < 1 || sig > HL_NSIG)
		return -EINVAL;
	if (a[1] && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	long r = a[1] ? guest_get(p, (uint64_t)a[1], &act, sizeof(act)) : 0;
	pthread_mutex_lock(&p->lock);
	if (!r && a[2])
		r = guest_put(p, (uint64_t)a[2], &p->sigact[sig], sizeof(act));
	if (!r && a[1]) {
		act.mask &= ~UNBLOCKABLE;
		p->sigact[sig] = act;
		mirror(sig, &act);
	}
	pthread_mutex_unlock(&p->lock);
	return r;
}

long sig_rt_sigprocmask(struct thread *t, const long a[6])
{
	uint64_t set, old = t->sigmask;
	if (a[3] != 8)
		return -EINVAL;
	if (a[1]) {
		long r = guest_get(t->proc, (uint64_t)a[1], &set, 8);
		if (r)
			return r;
		if (a[0] == SIG_BLOCK)
			set |= t->sigmask;
		else if (a[0] == SIG_UNBLOCK)
			set = t->sigmask & ~set;
		else if (a[0] != SIG_SETMASK)
			return -EINVAL;
	}
	long r = a[2] ? guest_put(t->proc, (uint64_t)a[2], &old, 8) : 0;
	if (!r && a[1])
		sig_set_mask(t, set);
	return r;
}

long sig_sigaltstack(struct thread *t, const long a[6])
{
	uint64_t sp = t->cpu.run->s.regs.regs.rsp;
	struct k_stack cur = {t->altstack.sp, altstack_flags(t, sp), 0, t->altstack.size}, ns;
	long r = a[0] ? guest_get(t->proc, (uint64_t)a[0], &ns, sizeof(ns)) : 0;
	if (!r && a[1])
		r = guest_put(t->proc, (uint64_t)a[1], &cur, sizeof(cur));
	if (r || !a[0])
		return r;
	if (on_altstack(t, sp))
		return -EPERM;
	int mode = ns.flags & ~(int)SS_AUTODISARM;
	if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
		return -EINVAL;
	if (mode == SS_DISABLE)
		ns.sp = ns.size = 0;
	else if (ns.size < 2048)
		return -ENOMEM;
	t->altstack.sp = ns.sp;
	t->altstack.size = ns.size;
	t->altstack.flags = ns.flags & (int)SS_AUTODISARM;
	return 0;
}

/* The temporary mask of a call that takes one, or -1 for none. */
static long call_mask(struct thread *t, long nr, const long a[6], uint64_t *mask)
{
	uint64_t ptr = 0, len = 8;
	switch (nr) {
	case SYS_rt_sigsuspend: ptr = (uint64_t)a[0], len = (uint64_t)a[1]; break;
	case SYS_ppoll: ptr = (uint64_t)a[3], len = (uint64_t)a[4]; break;
	case SYS_epoll_pwait: case SYS_epoll_pwait2: ptr = (uint64_t)a[4], len = (uint64_t)a[5]; break;
	case SYS_pselect6: {
		uint64_t d[2];
		if (!a[5] || guest_get(t->proc, (uint64_t)a[5], d, sizeof(d)))
			return -1;
		ptr = d[0], len = d[1];
		break;
	}
	}
	if (!ptr || len != 8 || guest_get(t->proc, ptr, mask, 8))
		return -1;
	return 0;
}

long sig_masked_wait(struct thread *t, const long a[6])
{
	long nr = t->cur_nr;
	uint64_t mask;
	long r = sys_validate(t->proc, sc_lookup(nr), a);
	if (r)
		return r;
	if (!call_mask(t, nr, a, &mask)) {
		/* The host applies the mask during the call; delivery after
		 * it uses it too, and then puts the old one back. */
		t->saved_mask = t->sigmask;
		t->restore_mask = true;
		t->sigmask = mask & ~UNBLOCKABLE;
	}
	/* A signal the VMM caught while the guest blocked it waits in its
	 * queue, not on the host: when the new mask lets it in, the wait ends
	 * at once, as the host's would for a pending signal. */
	if (t->restore_mask && next_deliverable(t) >= 0)
		return -EINTR;
	if (nr == SYS_rt_sigsuspend && t->restore_mask) {
		uint64_t m = t->sigmask & ~HOST_SYNC;
		return host_syscall6(nr, (long)&m, 8, 0, 0, 0, 0);
	}
	return host_syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
